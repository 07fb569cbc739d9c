//! The transport seam: the hot path drives connections through this trait
//! so that kernel sockets and user-space TCP over DPDK are interchangeable.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// A connection handle.
pub type ConnId = usize;

/// Non-blocking byte-stream connections, polled by one thread.
pub trait Transport {
    /// Accepts connections on `port` from now on.
    fn listen(&mut self, port: u16) -> io::Result<()>;
    /// Connects to `addr`; the connection is usable once `connected`.
    fn connect(&mut self, addr: SocketAddr) -> io::Result<ConnId>;
    /// The connection has completed its handshake.
    fn connected(&mut self, c: ConnId) -> bool;
    /// A newly accepted connection and the local port it came in on.
    fn accept(&mut self) -> Option<(ConnId, u16)>;
    /// Reads what is available; `Ok(0)` if nothing, `Err` once closed.
    fn recv(&mut self, c: ConnId, buf: &mut [u8]) -> io::Result<usize>;
    /// Writes what fits now; `Ok(0)` if nothing, `Err` once closed.
    fn send(&mut self, c: ConnId, buf: &[u8]) -> io::Result<usize>;
    /// Closes the connection.
    fn close(&mut self, c: ConnId);
    /// The peer's address (`None`: unknown, and refused wherever
    /// AllowedRemoteAddresses is set).
    fn peer_ip(&mut self, _c: ConnId) -> Option<std::net::IpAddr> {
        None
    }
    /// Drives the transport (user-space stacks do their work here).
    fn poll(&mut self) {}
}

/// Kernel TCP sockets in non-blocking mode, with TCP_NODELAY.
///
/// ```no_run
/// use gapless::runtime::transport::{KernelTransport, Transport};
/// let mut t = KernelTransport::new("127.0.0.1".parse().unwrap());
/// t.listen(5001).unwrap();
/// ```
pub struct KernelTransport {
    bind: std::net::IpAddr,
    listeners: Vec<(u16, TcpListener)>,
    conns: Vec<Option<TcpStream>>,
}

impl KernelTransport {
    /// Listeners bind to `bind` (QuickFIX's SocketAcceptHost).
    pub fn new(bind: std::net::IpAddr) -> Self {
        KernelTransport {
            bind,
            listeners: vec![],
            conns: vec![],
        }
    }

    fn add(&mut self, s: TcpStream) -> io::Result<ConnId> {
        s.set_nonblocking(true)?;
        s.set_nodelay(true)?;
        let id = match self.conns.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.conns.push(None);
                self.conns.len() - 1
            }
        };
        self.conns[id] = Some(s);
        Ok(id)
    }

    fn stream(&mut self, c: ConnId) -> io::Result<&mut TcpStream> {
        self.conns
            .get_mut(c)
            .and_then(Option::as_mut)
            .ok_or_else(|| io::ErrorKind::NotConnected.into())
    }
}

fn would_block(r: io::Result<usize>) -> io::Result<usize> {
    match r {
        Err(e)
            if e.kind() == io::ErrorKind::WouldBlock || e.kind() == io::ErrorKind::Interrupted =>
        {
            Ok(0)
        }
        other => other,
    }
}

impl Transport for KernelTransport {
    fn listen(&mut self, port: u16) -> io::Result<()> {
        let l = TcpListener::bind((self.bind, port))?;
        l.set_nonblocking(true)?;
        self.listeners.push((port, l));
        Ok(())
    }

    fn connect(&mut self, addr: SocketAddr) -> io::Result<ConnId> {
        let s = TcpStream::connect_timeout(&addr, Duration::from_millis(200))?;
        self.add(s)
    }

    fn connected(&mut self, c: ConnId) -> bool {
        self.stream(c).is_ok()
    }

    fn accept(&mut self) -> Option<(ConnId, u16)> {
        for i in 0..self.listeners.len() {
            if let Ok((s, _)) = self.listeners[i].1.accept() {
                let port = self.listeners[i].0;
                return self.add(s).ok().map(|c| (c, port));
            }
        }
        None
    }

    fn recv(&mut self, c: ConnId, buf: &mut [u8]) -> io::Result<usize> {
        match self.stream(c)?.read(buf) {
            Ok(0) if !buf.is_empty() => Err(io::ErrorKind::ConnectionAborted.into()),
            other => would_block(other),
        }
    }

    fn send(&mut self, c: ConnId, buf: &[u8]) -> io::Result<usize> {
        would_block(self.stream(c)?.write(buf))
    }

    fn peer_ip(&mut self, c: ConnId) -> Option<std::net::IpAddr> {
        self.stream(c).ok()?.peer_addr().ok().map(|a| a.ip())
    }

    fn close(&mut self, c: ConnId) {
        if let Some(slot) = self.conns.get_mut(c) {
            if let Some(s) = slot.take() {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
        }
    }
}

//! TCP client and server connections on smoltcp over any [`Device`],
//! tuned for FIX: Nagle off, ACKs not delayed. ARP and IPv4 come with
//! the smoltcp interface.

use std::net::{Ipv4Addr, SocketAddrV4};

use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::Device;
use smoltcp::socket::tcp::{self, State};
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpCidr, IpEndpoint};

/// A connection index.
///
/// ```
/// let c: dpdk_io::tcp::Conn = 0;
/// ```
pub type Conn = usize;

/// Socket buffer size per direction.
///
/// ```
/// assert_eq!(dpdk_io::tcp::SOCKET_BUFFER, 256 * 1024);
/// ```
pub const SOCKET_BUFFER: usize = 256 * 1024;

/// What a TCP call could not do.
///
/// ```
/// assert!(dpdk_io::tcp::TcpError::Closed.to_string().contains("reconnect"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpError {
    /// No such connection, or it is closed (peer FIN/RST, or reset).
    Closed,
    /// smoltcp refused the operation (port in use, no route, ...).
    Refused,
}

impl std::fmt::Display for TcpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TcpError::Closed => "the connection is closed: reconnect",
            TcpError::Refused => "the TCP stack refused: check the port is free and the address is on-link or via DpdkGatewayIP",
        })
    }
}

impl std::error::Error for TcpError {}

/// Our interface settings.
///
/// ```
/// let net = dpdk_io::tcp::NetConfig {
///     mac: [2, 0, 0, 0, 0, 1],
///     ip: "10.0.0.1".parse().unwrap(),
///     prefix: 24,
///     gateway: None,
/// };
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetConfig {
    /// Our MAC address.
    pub mac: [u8; 6],
    /// Our IPv4 address.
    pub ip: Ipv4Addr,
    /// Prefix length of the local subnet.
    pub prefix: u8,
    /// Default gateway.
    pub gateway: Option<Ipv4Addr>,
}

/// Applies the FIX tuning to a socket: Nagle off, no ACK delay, no
/// inactivity timeout (FIX heartbeats detect dead peers).
///
/// ```
/// use smoltcp::socket::tcp;
/// let mut s = tcp::Socket::new(tcp::SocketBuffer::new(vec![0; 64]), tcp::SocketBuffer::new(vec![0; 64]));
/// dpdk_io::tcp::tune(&mut s);
/// assert!(!s.nagle_enabled());
/// assert_eq!(s.ack_delay(), None);
/// ```
pub fn tune(s: &mut tcp::Socket<'_>) {
    s.set_nagle_enabled(false);
    s.set_ack_delay(None);
    s.set_timeout(None);
}

fn socket() -> tcp::Socket<'static> {
    let mut s = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0; SOCKET_BUFFER]),
        tcp::SocketBuffer::new(vec![0; SOCKET_BUFFER]),
    );
    tune(&mut s);
    s
}

/// TCP connections over a smoltcp interface on device `D`, driven by
/// [`TcpStack::poll`] from one thread.
///
/// ```
/// use dpdk_io::tcp::{NetConfig, TcpStack};
/// let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
/// let dev = smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet);
/// let mut stack = TcpStack::new(dev, net);
/// stack.listen(9000).unwrap();
/// stack.poll();
/// ```
pub struct TcpStack<D: Device> {
    dev: D,
    iface: Interface,
    sockets: SocketSet<'static>,
    conns: Vec<Option<SocketHandle>>,
    listeners: Vec<(u16, SocketHandle)>,
    closing: Vec<SocketHandle>,
    next_port: u16,
    epoch: std::time::Instant,
}

impl<D: Device> TcpStack<D> {
    /// An interface with `net`'s addresses on `dev`.
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// let stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// ```
    pub fn new(mut dev: D, net: NetConfig) -> Self {
        let epoch = std::time::Instant::now();
        let mut config = Config::new(HardwareAddress::Ethernet(EthernetAddress(net.mac)));
        let seed = epoch.elapsed().as_nanos() as u64 ^ u64::from(std::process::id()) << 32;
        config.random_seed = seed;
        let mut iface = Interface::new(config, &mut dev, Instant::from_micros(0));
        let ip = net.ip;
        iface.update_ip_addrs(|a| {
            let _ = a.push(IpCidr::new(ip.into(), net.prefix));
        });
        if let Some(gw) = net.gateway {
            let _ = iface.routes_mut().add_default_ipv4_route(gw);
        }
        // Vary the ephemeral port per run: a kernel peer still holding an
        // old connection on the same 4-tuple would reset the new one.
        let next_port = 49152 + (seed % 8000) as u16;
        TcpStack {
            dev,
            iface,
            sockets: SocketSet::new(vec![]),
            conns: vec![],
            listeners: vec![],
            closing: vec![],
            next_port,
            epoch,
        }
    }

    /// The device (e.g. for its statistics).
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// # let mut stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// let dev = stack.device_mut();
    /// ```
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.dev
    }

    fn now(&self) -> Instant {
        Instant::from_micros(self.epoch.elapsed().as_micros() as i64)
    }

    /// Processes received frames and timers, queueing what to send on the
    /// device. Returns true if any socket changed.
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// # let mut stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// stack.poll();
    /// ```
    pub fn poll(&mut self) -> bool {
        let now = self.now();
        let changed = self.iface.poll(now, &mut self.dev, &mut self.sockets)
            == smoltcp::iface::PollResult::SocketStateChanged;
        if !self.closing.is_empty() {
            self.reap();
        }
        changed
    }

    fn reap(&mut self) {
        let sockets = &mut self.sockets;
        self.closing.retain(|&h| {
            let done = matches!(
                sockets.get::<tcp::Socket>(h).state(),
                State::Closed | State::TimeWait
            );
            if done {
                sockets.remove(h);
            }
            !done
        });
    }

    /// Accepts connections on `port` (one handshake at a time per port).
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// # let mut stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// stack.listen(9000).unwrap();
    /// ```
    pub fn listen(&mut self, port: u16) -> Result<(), TcpError> {
        let mut s = socket();
        s.listen(port).map_err(|_| TcpError::Refused)?;
        let h = self.sockets.add(s);
        self.listeners.push((port, h));
        Ok(())
    }

    /// Starts connecting to `to`; usable once [`TcpStack::connected`].
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// # let mut stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// let c = stack.connect("10.0.0.2:9000".parse().unwrap()).unwrap();
    /// assert!(!stack.connected(c));
    /// ```
    pub fn connect(&mut self, to: SocketAddrV4) -> Result<Conn, TcpError> {
        let mut s = socket();
        self.next_port = if self.next_port >= 65000 {
            49152
        } else {
            self.next_port + 1
        };
        let remote = IpEndpoint::new((*to.ip()).into(), to.port());
        s.connect(self.iface.context(), remote, self.next_port)
            .map_err(|_| TcpError::Refused)?;
        let h = self.sockets.add(s);
        Ok(self.add(h))
    }

    fn add(&mut self, h: SocketHandle) -> Conn {
        match self.conns.iter().position(Option::is_none) {
            Some(i) => {
                self.conns[i] = Some(h);
                i
            }
            None => {
                self.conns.push(Some(h));
                self.conns.len() - 1
            }
        }
    }

    fn sock(&mut self, c: Conn) -> Result<&mut tcp::Socket<'static>, TcpError> {
        let h = self
            .conns
            .get(c)
            .copied()
            .flatten()
            .ok_or(TcpError::Closed)?;
        Ok(self.sockets.get_mut::<tcp::Socket>(h))
    }

    /// The handshake of `c` has completed (and it is not closed).
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// # let mut stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// assert!(!stack.connected(7));
    /// ```
    pub fn connected(&mut self, c: Conn) -> bool {
        self.sock(c).map(|s| s.may_send()).unwrap_or(false)
    }

    /// A newly established connection and the port it came in on.
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// # let mut stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// assert!(stack.accept().is_none());
    /// ```
    pub fn accept(&mut self) -> Option<(Conn, u16)> {
        for i in 0..self.listeners.len() {
            let (port, h) = self.listeners[i];
            let s = self.sockets.get_mut::<tcp::Socket>(h);
            match s.state() {
                State::Listen | State::SynReceived => continue,
                State::Closed => {
                    // A handshake that was reset: listen again.
                    let _ = s.listen(port);
                    continue;
                }
                _ => {}
            }
            // Established (or already closed by the peer): hand it over and
            // listen again with a fresh socket.
            let mut fresh = socket();
            if fresh.listen(port).is_err() {
                continue;
            }
            self.listeners[i].1 = self.sockets.add(fresh);
            return Some((self.add(h), port));
        }
        None
    }

    /// Reads what is buffered: `Ok(0)` if nothing, `Err` once the peer
    /// has closed and everything was read.
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack, TcpError};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// # let mut stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// assert_eq!(stack.recv(3, &mut [0; 16]), Err(TcpError::Closed));
    /// ```
    #[inline]
    pub fn recv(&mut self, c: Conn, buf: &mut [u8]) -> Result<usize, TcpError> {
        let s = self.sock(c)?;
        if s.can_recv() {
            return s.recv_slice(buf).map_err(|_| TcpError::Closed);
        }
        match s.state() {
            State::Closed
            | State::CloseWait
            | State::LastAck
            | State::TimeWait
            | State::Closing => Err(TcpError::Closed),
            _ => Ok(0),
        }
    }

    /// Queues what fits of `buf`: `Ok(0)` if nothing (or the handshake is
    /// still on), `Err` once closed. Sent on the next [`TcpStack::poll`].
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack, TcpError};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// # let mut stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// assert_eq!(stack.send(3, b"8=FIX.4.4"), Err(TcpError::Closed));
    /// ```
    #[inline]
    pub fn send(&mut self, c: Conn, buf: &[u8]) -> Result<usize, TcpError> {
        let s = self.sock(c)?;
        if s.may_send() {
            return s.send_slice(buf).map_err(|_| TcpError::Closed);
        }
        match s.state() {
            State::SynSent | State::SynReceived => Ok(0),
            _ => Err(TcpError::Closed),
        }
    }

    /// Resets every connection (RST), as the kernel does when a process
    /// exits; sent by the next [`TcpStack::poll`].
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// # let mut stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// stack.abort_all();
    /// stack.poll();
    /// ```
    pub fn abort_all(&mut self) {
        for h in self.conns.iter_mut().filter_map(Option::take) {
            self.sockets.get_mut::<tcp::Socket>(h).abort();
            self.closing.push(h);
        }
    }

    /// Closes `c` (FIN after the queued data); the socket is freed once
    /// the close completes.
    ///
    /// ```
    /// # use dpdk_io::tcp::{NetConfig, TcpStack};
    /// # let net = NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// # let mut stack = TcpStack::new(smoltcp::phy::Loopback::new(smoltcp::phy::Medium::Ethernet), net);
    /// stack.close(0);
    /// ```
    pub fn close(&mut self, c: Conn) {
        if let Some(h) = self.conns.get_mut(c).and_then(Option::take) {
            self.sockets.get_mut::<tcp::Socket>(h).close();
            self.closing.push(h);
        }
    }
}

#[cfg(test)]
mod tests;

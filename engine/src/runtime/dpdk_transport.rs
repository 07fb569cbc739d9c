//! The [`Transport`] on user-space TCP (smoltcp) over a DPDK port
//! (feature `dpdk`). `poll` drives rx_burst → smoltcp → tx_burst; nothing
//! here allocates, locks or logs per message.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use dpdk_io::capture::Capture;
use dpdk_io::device::{DpdkDevice, Tap};
use dpdk_io::tcp::{NetConfig, TcpError, TcpStack};
use dpdk_io::{DpdkError, Eal, Mempool, Port};

use super::transport::{ConnId, Transport};
use crate::config::DpdkSettings;

/// Mbufs in each port's pool (fits `-m 512` with room to spare).
///
/// ```
/// assert_eq!(gapless::runtime::dpdk_transport::POOL_MBUFS, 8191);
/// ```
pub const POOL_MBUFS: u32 = 8191;

/// TCP over smoltcp over one DPDK port.
///
/// ```no_run
/// use gapless::runtime::dpdk_transport::DpdkTransport;
/// use gapless::runtime::transport::Transport;
/// let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--vdev=net_ring0"]).unwrap();
/// let net = dpdk_io::tcp::NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
/// let mut t = DpdkTransport::new(eal, 0, net).unwrap();
/// t.listen(5001).unwrap();
/// ```
pub struct DpdkTransport {
    stack: TcpStack<DpdkDevice>,
    capture: Option<Capture>,
    eal: Eal,
    lcore: Lcore,
}

/// Whether the polling thread has an lcore id (for mempool caches).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lcore {
    /// Not polled yet.
    Unknown,
    /// Registered by us on this thread: unregister on drop there.
    Registered(std::thread::ThreadId),
    /// Had one already, or none was free: nothing to undo.
    Unchanged,
}

impl Drop for DpdkTransport {
    /// Resets the open connections (as the kernel does for a process that
    /// exits: the peer learns at once), then ends the capture (if any):
    /// the writer drains its ring and closes the file.
    fn drop(&mut self) {
        self.stack.abort_all();
        self.stack.poll();
        self.stack.device_mut().flush();
        if self.lcore == Lcore::Registered(std::thread::current().id()) {
            self.eal.unregister_thread();
        }
        drop(self.stack.device_mut().take_tap());
        if let Some(c) = self.capture.take() {
            let _ = c.finish();
        }
    }
}

/// Why the DPDK transport could not start.
///
/// ```
/// use gapless::runtime::dpdk_transport::DpdkStartError;
/// let e = DpdkStartError::Dpdk(dpdk_io::DpdkError::Queue(1));
/// assert!(e.to_string().contains("use queue 0"));
/// ```
#[derive(Debug)]
pub enum DpdkStartError {
    /// A `Dpdk*` setting is malformed.
    Setting(String),
    /// DPDK refused.
    Dpdk(DpdkError),
}

impl std::fmt::Display for DpdkStartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DpdkStartError::Setting(s) => f.write_str(s),
            DpdkStartError::Dpdk(e) => write!(f, "DPDK: {e}"),
        }
    }
}

impl std::error::Error for DpdkStartError {}

impl From<DpdkError> for DpdkStartError {
    fn from(e: DpdkError) -> Self {
        DpdkStartError::Dpdk(e)
    }
}

impl DpdkTransport {
    /// Starts port `port` (queue 0) with its own mbuf pool and a smoltcp
    /// interface configured by `net`.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"]).unwrap();
    /// # let net = dpdk_io::tcp::NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// let t = gapless::runtime::dpdk_transport::DpdkTransport::new(eal, 0, net)?;
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn new(eal: Eal, port: u16, net: NetConfig) -> Result<DpdkTransport, DpdkError> {
        let pool = pool(eal, port)?;
        let port = Port::start(eal, port, &pool)?;
        Ok(DpdkTransport {
            stack: TcpStack::new(DpdkDevice::new(port, pool), net),
            capture: None,
            eal,
            lcore: Lcore::Unknown,
        })
    }

    /// Captures every frame of the port into the pcapng file `path`,
    /// written by its own thread; the file is complete once the transport
    /// is dropped (when the engine stops).
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"]).unwrap();
    /// # let net = dpdk_io::tcp::NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// let mut t = gapless::runtime::dpdk_transport::DpdkTransport::new(eal, 0, net).unwrap();
    /// t.capture(std::path::Path::new("/tmp/fix.pcapng")).unwrap();
    /// ```
    pub fn capture(&mut self, path: &std::path::Path) -> io::Result<()> {
        let (tap, capture) = dpdk_io::capture::start(path)?;
        self.set_tap(tap);
        if let Some(old) = self.capture.replace(capture) {
            let _ = old.finish();
        }
        Ok(())
    }

    /// Initialises the EAL (or reuses it) and starts the port described
    /// by the `Dpdk*` settings.
    ///
    /// ```no_run
    /// let s = gapless::config::DpdkSettings {
    ///     eal_args: "--no-huge -m 512 --no-pci --no-shconf --vdev=net_ring0".into(),
    ///     port: 0, queue: 0,
    ///     local_ip: Some("10.0.0.1/24".into()), local_mac: None, gateway_ip: None,
    ///     capture: None,
    /// };
    /// let t = gapless::runtime::dpdk_transport::DpdkTransport::from_settings(&s)?;
    /// # Ok::<(), gapless::runtime::dpdk_transport::DpdkStartError>(())
    /// ```
    pub fn from_settings(s: &DpdkSettings) -> Result<DpdkTransport, DpdkStartError> {
        if s.queue != 0 {
            return Err(DpdkError::Queue(s.queue).into());
        }
        let (ip, prefix) = parse_cidr(s.local_ip.as_deref())?;
        let gateway = match s.gateway_ip.as_deref() {
            None | Some("") => None,
            Some(g) => Some(g.parse().map_err(|_| {
                DpdkStartError::Setting(format!("DpdkGatewayIP={g} is not an IPv4 address"))
            })?),
        };
        let eal = match Eal::get() {
            Some(eal) => eal,
            None => Eal::init(&s.eal_args.split_whitespace().collect::<Vec<_>>())?,
        };
        let pool = pool(eal, s.port)?;
        let port = Port::start(eal, s.port, &pool)?;
        let mac = match s.local_mac.as_deref() {
            None | Some("") => port.mac()?,
            Some(m) => parse_mac(m)?,
        };
        let net = NetConfig {
            mac,
            ip,
            prefix,
            gateway,
        };
        let mut t = DpdkTransport {
            stack: TcpStack::new(DpdkDevice::new(port, pool), net),
            capture: None,
            eal,
            lcore: Lcore::Unknown,
        };
        if let Some(path) = &s.capture {
            t.capture(path).map_err(|e| {
                DpdkStartError::Setting(format!("DpdkCapture={}: {e}", path.display()))
            })?;
        }
        Ok(t)
    }

    /// Sees every frame sent and received (see [`dpdk_io::device::Tap`]).
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"]).unwrap();
    /// # let net = dpdk_io::tcp::NetConfig { mac: [2, 0, 0, 0, 0, 1], ip: "10.0.0.1".parse().unwrap(), prefix: 24, gateway: None };
    /// let mut t = gapless::runtime::dpdk_transport::DpdkTransport::new(eal, 0, net)?;
    /// t.set_tap(Box::new(|_sent, _frame| {}));
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn set_tap(&mut self, tap: Tap) {
        self.stack.device_mut().set_tap(tap);
    }
}

impl DpdkTransport {
    /// Gives the polling thread an lcore id (first poll), so that mbuf
    /// alloc/free use the pool's per-lcore cache.
    #[cold]
    fn register(&mut self) {
        self.lcore = match self.eal.register_thread() {
            Ok(true) => Lcore::Registered(std::thread::current().id()),
            _ => Lcore::Unchanged,
        };
    }
}

/// A new pool for `port`, named uniquely in the process (a port may be
/// started again after an engine stopped).
fn pool(eal: Eal, port: u16) -> Result<Mempool, DpdkError> {
    static POOLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = POOLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Mempool::new(eal, &format!("gapless-p{port}-{n}"), POOL_MBUFS)
}

/// `10.0.0.1/24` → (10.0.0.1, 24).
fn parse_cidr(v: Option<&str>) -> Result<(Ipv4Addr, u8), DpdkStartError> {
    let bad = |v: &str| {
        DpdkStartError::Setting(format!(
            "DpdkLocalIP={v}: expected an IPv4 address with its prefix, e.g. DpdkLocalIP=10.0.0.1/24"
        ))
    };
    let v = v.ok_or_else(|| bad(""))?;
    let (ip, prefix) = v.split_once('/').unwrap_or((v, "32"));
    let ip = ip.parse().map_err(|_| bad(v))?;
    let prefix = prefix
        .parse()
        .ok()
        .filter(|p| *p <= 32)
        .ok_or_else(|| bad(v))?;
    Ok((ip, prefix))
}

/// `02:00:00:00:00:01` → bytes.
fn parse_mac(v: &str) -> Result<[u8; 6], DpdkStartError> {
    let bad = || {
        DpdkStartError::Setting(format!(
            "DpdkLocalMAC={v}: expected six hex bytes, e.g. DpdkLocalMAC=02:00:00:00:00:01"
        ))
    };
    let mut mac = [0u8; 6];
    let mut parts = v.split([':', '-']);
    for b in &mut mac {
        *b = u8::from_str_radix(parts.next().ok_or_else(bad)?, 16).map_err(|_| bad())?;
    }
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok(mac)
}

fn io_err(e: TcpError) -> io::Error {
    let kind = match e {
        TcpError::Closed => io::ErrorKind::ConnectionAborted,
        TcpError::Refused => io::ErrorKind::ConnectionRefused,
    };
    io::Error::new(kind, e)
}

impl Transport for DpdkTransport {
    fn listen(&mut self, port: u16) -> io::Result<()> {
        self.stack.listen(port).map_err(io_err)
    }

    fn connect(&mut self, addr: SocketAddr) -> io::Result<ConnId> {
        let SocketAddr::V4(v4) = addr else {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the DPDK path speaks IPv4 only: use an IPv4 SocketConnectHost",
            ));
        };
        self.stack.connect(v4).map_err(io_err)
    }

    fn connected(&mut self, c: ConnId) -> bool {
        self.stack.connected(c)
    }

    fn accept(&mut self) -> Option<(ConnId, u16)> {
        self.stack.accept()
    }

    #[inline]
    fn recv(&mut self, c: ConnId, buf: &mut [u8]) -> io::Result<usize> {
        self.stack.recv(c, buf).map_err(io_err)
    }

    #[inline]
    fn send(&mut self, c: ConnId, buf: &[u8]) -> io::Result<usize> {
        self.stack.send(c, buf).map_err(io_err)
    }

    fn close(&mut self, c: ConnId) {
        self.stack.close(c);
    }

    #[inline]
    fn poll(&mut self) {
        if self.lcore == Lcore::Unknown {
            self.register();
        }
        self.stack.poll();
        self.stack.device_mut().flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_ip_needs_an_ipv4_address_and_a_valid_prefix() {
        assert_eq!(
            parse_cidr(Some("10.0.0.1/24")).unwrap(),
            ("10.0.0.1".parse().unwrap(), 24)
        );
        assert_eq!(parse_cidr(Some("10.0.0.1")).unwrap().1, 32);
        assert!(parse_cidr(Some("10.0.0.1/33")).is_err());
        assert!(parse_cidr(None)
            .unwrap_err()
            .to_string()
            .contains("10.0.0.1/24"));
    }

    #[test]
    fn local_mac_is_six_hex_bytes() {
        assert_eq!(parse_mac("02:00:00:00:00:0a").unwrap(), [2, 0, 0, 0, 0, 10]);
        assert!(parse_mac("02:00:00:00:00").is_err());
        assert!(parse_mac("02:00:00:00:00:01:02").is_err());
        assert!(parse_mac("zz:00:00:00:00:01").is_err());
    }
}

//! Ethernet ports with one rx and one tx queue, and bursts of mbufs.

use std::ffi::CString;
use std::ptr::NonNull;

use crate::error::{describe, rte_errno};
use crate::{sys, DpdkError, Eal, Mbuf, Mempool};

/// Packets moved per `rx_burst`/`tx_burst` call, at most.
///
/// ```
/// assert_eq!(dpdk_io::BURST, 32);
/// ```
pub const BURST: usize = 32;

/// A started port using queue 0 for rx and tx; stopped on drop.
///
/// ```no_run
/// use dpdk_io::{Burst, Eal, Mempool, Port};
/// let eal = Eal::init(&["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--vdev=net_ring0"])?;
/// let pool = Mempool::new(eal, "rx", 8191)?;
/// let mut port = Port::start(eal, 0, &pool)?;
/// let mut rx = Burst::new();
/// port.rx_burst(&mut rx);
/// while let Some(frame) = rx.pop() {
///     println!("{} bytes", frame.len());
/// }
/// # Ok::<(), dpdk_io::DpdkError>(())
/// ```
#[derive(Debug)]
pub struct Port {
    id: u16,
}

impl Port {
    /// Configures port `id` with one rx queue (filled from `pool`) and one
    /// tx queue, no offloads, and starts it.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// let port = dpdk_io::Port::start(eal, 0, &pool)?;
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn start(eal: Eal, id: u16, pool: &Mempool) -> Result<Port, DpdkError> {
        // SAFETY: the EAL is initialised; the call only reads.
        if unsafe { sys::rte_eth_dev_is_valid_port(id) } == 0 {
            return Err(DpdkError::NoSuchPort {
                port: id,
                available: eal.port_count(),
            });
        }
        let conf = sys::rte_eth_conf::default();
        // SAFETY: valid port; conf is a valid zeroed configuration.
        check(id, "rte_eth_dev_configure", unsafe {
            sys::rte_eth_dev_configure(id, 1, 1, &conf)
        })?;
        let (mut nrx, mut ntx) = (1024u16, 1024u16);
        // SAFETY: valid configured port; the pointers are to live locals.
        check(id, "rte_eth_dev_adjust_nb_rx_tx_desc", unsafe {
            sys::rte_eth_dev_adjust_nb_rx_tx_desc(id, &mut nrx, &mut ntx)
        })?;
        // SAFETY: valid port.
        let socket = unsafe { sys::rte_eth_dev_socket_id(id) } as u32;
        // SAFETY: valid configured port; default rx conf (NULL); the pool
        // lives for the rest of the process.
        check(id, "rte_eth_rx_queue_setup", unsafe {
            sys::rte_eth_rx_queue_setup(id, 0, nrx, socket, std::ptr::null(), pool.as_ptr())
        })?;
        // SAFETY: valid configured port; default tx conf (NULL).
        check(id, "rte_eth_tx_queue_setup", unsafe {
            sys::rte_eth_tx_queue_setup(id, 0, ntx, socket, std::ptr::null())
        })?;
        // SAFETY: valid port with its queues set up.
        check(id, "rte_eth_dev_start", unsafe {
            sys::rte_eth_dev_start(id)
        })?;
        Ok(Port { id })
    }

    /// Creates two ring-backed ports wired back to back (what one sends,
    /// the other receives), named `{name}_a` and `{name}_b`, and returns
    /// their ids. Start each with [`Port::start`].
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-pci", "--no-shconf"])?;
    /// let (a, b) = dpdk_io::Port::ring_pair(eal, "wire")?;
    /// assert_ne!(a, b);
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn ring_pair(_eal: Eal, name: &str) -> Result<(u16, u16), DpdkError> {
        let ring = |suffix: &str| -> Result<NonNull<sys::rte_ring>, DpdkError> {
            let n = cstr(name, suffix)?;
            // SAFETY: EAL initialised; n outlives the call.
            let r = unsafe { sys::dpdk_io_ring_create(n.as_ptr(), 4096) };
            NonNull::new(r).ok_or_else(|| ring_err(name, describe(rte_errno())))
        };
        let (ab, ba) = (ring("_ab")?, ring("_ba")?);
        let port = |suffix: &str, rx: NonNull<_>, tx: NonNull<_>| -> Result<u16, DpdkError> {
            let n = cstr(name, suffix)?;
            // SAFETY: EAL initialised; both rings live for the process.
            let id = unsafe { sys::dpdk_io_port_from_rings(n.as_ptr(), rx.as_ptr(), tx.as_ptr()) };
            u16::try_from(id).map_err(|_| ring_err(name, describe(rte_errno())))
        };
        Ok((port("_a", ba, ab)?, port("_b", ab, ba)?))
    }

    /// The port id.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// assert_eq!(dpdk_io::Port::start(eal, 0, &pool)?.id(), 0);
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn id(&self) -> u16 {
        self.id
    }

    /// The port's MAC address.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// let mac = dpdk_io::Port::start(eal, 0, &pool)?.mac()?;
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn mac(&self) -> Result<[u8; 6], DpdkError> {
        let mut a = sys::rte_ether_addr::default();
        // SAFETY: valid port; `a` is a live, writable rte_ether_addr.
        check(self.id, "rte_eth_macaddr_get", unsafe {
            sys::rte_eth_macaddr_get(self.id, &mut a)
        })?;
        Ok(a.addr_bytes)
    }

    /// Receives up to the room left in `into`; returns how many arrived.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// # let mut port = dpdk_io::Port::start(eal, 0, &pool)?;
    /// let mut b = dpdk_io::Burst::new();
    /// let n = port.rx_burst(&mut b);
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn rx_burst(&mut self, into: &mut Burst) -> usize {
        into.compact();
        let room = (BURST - into.len) as u16;
        // SAFETY: queue 0 is set up; the array has `room` free slots after
        // `len`; &mut self makes this the queue's only user.
        let n = unsafe {
            sys::dpdk_io_rx_burst(self.id, 0, into.pkts.as_mut_ptr().add(into.len), room)
        };
        into.len += usize::from(n);
        usize::from(n)
    }

    /// Sends the packets of `from` (oldest first); those the queue had no
    /// room for stay in `from`. Returns how many were sent.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// # let mut port = dpdk_io::Port::start(eal, 0, &pool)?;
    /// let mut b = dpdk_io::Burst::new();
    /// let mut m = pool.alloc().unwrap();
    /// m.append(60).unwrap().fill(0);
    /// b.push(m).unwrap();
    /// port.tx_burst(&mut b);
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn tx_burst(&mut self, from: &mut Burst) -> usize {
        let pending = (from.len - from.head) as u16;
        if pending == 0 {
            return 0;
        }
        // SAFETY: queue 0 is set up; slots head..len hold mbufs we own;
        // the driver takes ownership of the first `n` it returns.
        let n = unsafe {
            sys::dpdk_io_tx_burst(self.id, 0, from.pkts.as_mut_ptr().add(from.head), pending)
        };
        from.head += usize::from(n);
        from.compact();
        usize::from(n)
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        // SAFETY: valid started port; stopping is idempotent.
        unsafe { sys::rte_eth_dev_stop(self.id) };
    }
}

fn check(port: u16, call: &'static str, r: i32) -> Result<(), DpdkError> {
    if r >= 0 {
        return Ok(());
    }
    Err(DpdkError::Port {
        port,
        call,
        reason: describe(-r),
    })
}

fn cstr(name: &str, suffix: &str) -> Result<CString, DpdkError> {
    CString::new(format!("{name}{suffix}")).map_err(|_| ring_err(name, "name contains NUL".into()))
}

fn ring_err(name: &str, reason: String) -> DpdkError {
    DpdkError::Ring {
        name: name.to_owned(),
        reason,
    }
}

/// Up to [`BURST`] owned mbufs: what `rx_burst` filled, or what waits for
/// `tx_burst`. Mbufs left in it are freed on drop.
///
/// ```no_run
/// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
/// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
/// let mut b = dpdk_io::Burst::new();
/// b.push(pool.alloc().unwrap()).unwrap();
/// assert_eq!(b.pending(), 1);
/// assert!(b.pop().is_some());
/// # Ok::<(), dpdk_io::DpdkError>(())
/// ```
#[derive(Debug)]
pub struct Burst {
    pkts: [*mut sys::rte_mbuf; BURST],
    head: usize,
    len: usize,
}

// SAFETY: the mbufs in a Burst are exclusively owned by it (see Mbuf).
unsafe impl Send for Burst {}

impl Default for Burst {
    fn default() -> Self {
        Burst::new()
    }
}

impl Burst {
    /// An empty burst.
    ///
    /// ```
    /// assert_eq!(dpdk_io::Burst::new().pending(), 0);
    /// ```
    pub fn new() -> Burst {
        Burst {
            pkts: [std::ptr::null_mut(); BURST],
            head: 0,
            len: 0,
        }
    }

    /// Mbufs held.
    ///
    /// ```
    /// assert_eq!(dpdk_io::Burst::new().pending(), 0);
    /// ```
    #[inline]
    pub fn pending(&self) -> usize {
        self.len - self.head
    }

    /// No room for another mbuf.
    ///
    /// ```
    /// assert!(!dpdk_io::Burst::new().is_full());
    /// ```
    #[inline]
    pub fn is_full(&self) -> bool {
        self.pending() == BURST
    }

    /// Takes the oldest mbuf.
    ///
    /// ```
    /// assert!(dpdk_io::Burst::new().pop().is_none());
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Option<Mbuf> {
        if self.head == self.len {
            return None;
        }
        let p = self.pkts[self.head];
        self.head += 1;
        if self.head == self.len {
            self.head = 0;
            self.len = 0;
        }
        // SAFETY: slots head..len hold valid mbufs owned by this burst;
        // the slot is now outside that range, so ownership moves once.
        NonNull::new(p).map(|p| unsafe { Mbuf::from_raw(p) })
    }

    /// Appends `m`; gives it back if the burst is full.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// let mut b = dpdk_io::Burst::new();
    /// assert!(b.push(pool.alloc().unwrap()).is_ok());
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn push(&mut self, m: Mbuf) -> Result<(), Mbuf> {
        self.compact();
        if self.len == BURST {
            return Err(m);
        }
        self.pkts[self.len] = m.into_raw().as_ptr();
        self.len += 1;
        Ok(())
    }

    fn compact(&mut self) {
        if self.head == 0 {
            return;
        }
        self.pkts.copy_within(self.head..self.len, 0);
        self.len -= self.head;
        self.head = 0;
    }
}

impl Drop for Burst {
    fn drop(&mut self) {
        while self.pop().is_some() {}
    }
}

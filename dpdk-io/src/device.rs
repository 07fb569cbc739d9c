//! A smoltcp [`Device`] over a DPDK port: received frames are read in
//! place from their mbufs, and smoltcp writes frames straight into mbufs
//! that are then sent in bursts (zero copy both ways).

use smoltcp::phy::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::time::Instant;

use crate::{Burst, Mbuf, Mempool, Port, BURST};

/// Largest Ethernet frame sent or accepted (1500-byte MTU + header).
///
/// ```
/// assert_eq!(dpdk_io::device::MAX_FRAME, 1500 + 14);
/// ```
pub const MAX_FRAME: usize = 1514;

/// Called on the polling thread with every frame sent
/// (`true`) or received (`false`). Must not block or allocate (e.g. copy
/// into a ring for a capture thread).
///
/// ```
/// let mut frames = 0u64;
/// let tap: dpdk_io::device::Tap = Box::new(move |_sent, _frame| frames += 1);
/// ```
pub type Tap = Box<dyn FnMut(bool, &[u8]) + Send>;

/// Frames dropped by the device, by cause.
///
/// ```
/// let s = dpdk_io::device::DeviceStats::default();
/// assert_eq!(s.rx_dropped + s.tx_dropped, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceStats {
    /// Received multi-segment or oversized frames.
    pub rx_dropped: u64,
    /// Frames not sent: no free mbuf, or the tx queue stayed full.
    pub tx_dropped: u64,
}

/// smoltcp device over one started [`Port`] (queue 0). Call
/// [`DpdkDevice::flush`] after each `Interface::poll` to send the frames
/// smoltcp produced.
///
/// ```no_run
/// use dpdk_io::{device::DpdkDevice, Eal, Mempool, Port};
/// let eal = Eal::init(&["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--vdev=net_ring0"])?;
/// let pool = Mempool::new(eal, "pool", 8191)?;
/// let port = Port::start(eal, 0, &pool)?;
/// let mut dev = DpdkDevice::new(port, pool);
/// dev.flush();
/// # Ok::<(), dpdk_io::DpdkError>(())
/// ```
pub struct DpdkDevice {
    port: Port,
    pool: Mempool,
    rx: Burst,
    tx: Burst,
    scratch: Box<[u8; 2048]>,
    tap: Option<Tap>,
    stats: DeviceStats,
}

impl DpdkDevice {
    /// A device sending and receiving on `port`, allocating tx mbufs
    /// from `pool`.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// let port = dpdk_io::Port::start(eal, 0, &pool)?;
    /// let dev = dpdk_io::device::DpdkDevice::new(port, pool);
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn new(port: Port, pool: Mempool) -> DpdkDevice {
        DpdkDevice {
            port,
            pool,
            rx: Burst::new(),
            tx: Burst::new(),
            scratch: Box::new([0; 2048]),
            tap: None,
            stats: DeviceStats::default(),
        }
    }

    /// Sees every frame sent and received (packet capture).
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// # let mut dev = dpdk_io::device::DpdkDevice::new(dpdk_io::Port::start(eal, 0, &pool)?, pool);
    /// dev.set_tap(Box::new(|sent, frame| { let _ = (sent, frame.len()); }));
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn set_tap(&mut self, tap: Tap) {
        self.tap = Some(tap);
    }

    /// Removes the tap (dropping it ends a capture's input).
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// # let mut dev = dpdk_io::device::DpdkDevice::new(dpdk_io::Port::start(eal, 0, &pool)?, pool);
    /// assert!(dev.take_tap().is_none());
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn take_tap(&mut self) -> Option<Tap> {
        self.tap.take()
    }

    /// The port's MAC address (see [`Port::mac`]).
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// # let dev = dpdk_io::device::DpdkDevice::new(dpdk_io::Port::start(eal, 0, &pool)?, pool);
    /// let mac = dev.port().mac()?;
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn port(&self) -> &Port {
        &self.port
    }

    /// Frames dropped so far.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// # let dev = dpdk_io::device::DpdkDevice::new(dpdk_io::Port::start(eal, 0, &pool)?, pool);
    /// assert_eq!(dev.stats().tx_dropped, 0);
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn stats(&self) -> DeviceStats {
        self.stats
    }

    /// Sends the frames queued by smoltcp; those the tx queue has no room
    /// for are retried on the next call.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
    /// # let mut dev = dpdk_io::device::DpdkDevice::new(dpdk_io::Port::start(eal, 0, &pool)?, pool);
    /// dev.flush();
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn flush(&mut self) {
        self.port.tx_burst(&mut self.tx);
    }

    /// The next received single-segment frame, polling the port if none
    /// is buffered.
    fn next_rx(&mut self) -> Option<Mbuf> {
        // Bounded: at most two bursts of unusable frames per call.
        for _ in 0..2 * BURST {
            if self.rx.pending() == 0 && self.port.rx_burst(&mut self.rx) == 0 {
                return None;
            }
            let m = self.rx.pop()?;
            if !m.is_chained() && m.len() <= MAX_FRAME + 4 {
                return Some(m);
            }
            self.stats.rx_dropped += 1;
        }
        None
    }

    fn tx_token(&mut self) -> DpdkTxToken<'_> {
        DpdkTxToken {
            port: &mut self.port,
            pool: &self.pool,
            tx: &mut self.tx,
            scratch: &mut self.scratch,
            tap: &mut self.tap,
            stats: &mut self.stats,
        }
    }
}

impl Device for DpdkDevice {
    type RxToken<'a> = DpdkRxToken<'a>;
    type TxToken<'a> = DpdkTxToken<'a>;

    fn receive(&mut self, _now: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let mbuf = self.next_rx()?;
        if let Some(tap) = self.tap.as_mut() {
            tap(false, mbuf.data());
        }
        Some((
            DpdkRxToken {
                mbuf,
                _dev: std::marker::PhantomData,
            },
            self.tx_token(),
        ))
    }

    fn transmit(&mut self, _now: Instant) -> Option<Self::TxToken<'_>> {
        Some(self.tx_token())
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = MAX_FRAME;
        caps.max_burst_size = Some(BURST);
        caps
    }
}

/// A received frame, read in place (made by `DpdkDevice::receive`).
///
/// ```no_run
/// use smoltcp::phy::{Device, RxToken};
/// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_ring0"])?;
/// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
/// # let mut dev = dpdk_io::device::DpdkDevice::new(dpdk_io::Port::start(eal, 0, &pool)?, pool);
/// if let Some((rx, _tx)) = dev.receive(smoltcp::time::Instant::from_millis(0)) {
///     let len = rx.consume(|frame| frame.len());
/// }
/// # Ok::<(), dpdk_io::DpdkError>(())
/// ```
pub struct DpdkRxToken<'a> {
    mbuf: Mbuf,
    _dev: std::marker::PhantomData<&'a ()>,
}

impl RxToken for DpdkRxToken<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(self.mbuf.data())
    }
}

/// Room for one frame, written in place into a fresh mbuf (made by
/// `DpdkDevice::transmit`); queued for the next [`DpdkDevice::flush`].
///
/// ```no_run
/// use smoltcp::phy::{Device, TxToken};
/// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_ring0"])?;
/// # let pool = dpdk_io::Mempool::new(eal, "p", 4095)?;
/// # let mut dev = dpdk_io::device::DpdkDevice::new(dpdk_io::Port::start(eal, 0, &pool)?, pool);
/// let tx = dev.transmit(smoltcp::time::Instant::from_millis(0)).unwrap();
/// tx.consume(60, |frame| frame.fill(0));
/// dev.flush();
/// # Ok::<(), dpdk_io::DpdkError>(())
/// ```
pub struct DpdkTxToken<'a> {
    port: &'a mut Port,
    pool: &'a Mempool,
    tx: &'a mut Burst,
    scratch: &'a mut [u8; 2048],
    tap: &'a mut Option<Tap>,
    stats: &'a mut DeviceStats,
}

impl TxToken for DpdkTxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut mbuf = match self.pool.alloc() {
            Some(m) if len <= MAX_FRAME => m,
            _ => return self.drop_frame(len, f),
        };
        let Some(buf) = mbuf.append(len) else {
            return self.drop_frame(len, f);
        };
        let r = f(buf);
        if let Some(tap) = self.tap.as_mut() {
            tap(true, mbuf.data());
        }
        if self.tx.is_full() {
            self.port.tx_burst(self.tx);
        }
        if self.tx.push(mbuf).is_err() {
            self.stats.tx_dropped += 1;
        }
        r
    }
}

impl DpdkTxToken<'_> {
    fn drop_frame<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.stats.tx_dropped += 1;
        let n = len.min(self.scratch.len());
        f(&mut self.scratch[..n])
    }
}

//! Packet-buffer pools.

use std::ffi::CString;
use std::ptr::NonNull;

use crate::error::{describe, rte_errno};
use crate::{sys, DpdkError, Eal, Mbuf};

/// A pool of packet buffers (`rte_pktmbuf_pool_create`). Pools live until
/// the process exits: ports keep pointers to them, so freeing one that a
/// port may still fill would be unsound. Clones share the pool.
///
/// ```no_run
/// let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
/// let pool = dpdk_io::Mempool::new(eal, "rx0", 8191)?;
/// let mbuf = pool.alloc().expect("a free mbuf");
/// assert_eq!(mbuf.len(), 0);
/// # Ok::<(), dpdk_io::DpdkError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Mempool {
    raw: NonNull<sys::rte_mempool>,
}

// SAFETY: DPDK mempools are multi-producer/multi-consumer and safe to use
// from any thread, including non-EAL threads (they then bypass the cache).
unsafe impl Send for Mempool {}
// SAFETY: as above; every operation through &Mempool is thread-safe in DPDK.
unsafe impl Sync for Mempool {}

/// Data room of each mbuf: 2048 bytes of frame plus the headroom.
///
/// ```
/// assert!(usize::from(dpdk_io::mempool::DATA_ROOM) > dpdk_io::device::MAX_FRAME);
/// ```
pub const DATA_ROOM: u16 = 2048 + 128;

impl Mempool {
    /// Creates a pool of `mbufs` packet buffers with a per-lcore cache of
    /// 256 and [`DATA_ROOM`] bytes each, on the caller's NUMA socket.
    /// `mbufs` is best a power of two minus one (e.g. 8191).
    ///
    /// ```no_run
    /// let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// let pool = dpdk_io::Mempool::new(eal, "pool", 4095)?;
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn new(_eal: Eal, name: &str, mbufs: u32) -> Result<Mempool, DpdkError> {
        let err = |reason: String| DpdkError::Mempool {
            name: name.to_owned(),
            mbufs,
            reason,
        };
        let cname = CString::new(name).map_err(|_| err("name contains NUL".into()))?;
        // SAFETY: the EAL is initialised (we hold an Eal); cname outlives
        // the call (DPDK copies the name).
        let raw = unsafe {
            sys::rte_pktmbuf_pool_create(
                cname.as_ptr(),
                mbufs,
                256,
                0,
                DATA_ROOM,
                sys::rte_socket_id() as i32,
            )
        };
        match NonNull::new(raw) {
            Some(raw) => Ok(Mempool { raw }),
            None => Err(err(describe(rte_errno()))),
        }
    }

    /// A free mbuf, or `None` if the pool is exhausted.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "p", 1023)?;
    /// let m = pool.alloc();
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn alloc(&self) -> Option<Mbuf> {
        // SAFETY: the pool pointer is valid for the process lifetime.
        let m = unsafe { sys::dpdk_io_pktmbuf_alloc(self.raw.as_ptr()) };
        // SAFETY: a non-null mbuf from the pool is ours alone.
        NonNull::new(m).map(|m| unsafe { Mbuf::from_raw(m) })
    }

    /// Mbufs currently free in the pool.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// let pool = dpdk_io::Mempool::new(eal, "q", 1023)?;
    /// assert!(pool.available() > 0);
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn available(&self) -> u32 {
        // SAFETY: the pool pointer is valid; the call only reads counters.
        unsafe { sys::rte_mempool_avail_count(self.raw.as_ptr()) }
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::rte_mempool {
        self.raw.as_ptr()
    }
}

//! An owned packet buffer.

use std::ptr::NonNull;

use crate::sys;

/// One owned, single-segment packet buffer; freed to its pool on drop.
///
/// ```no_run
/// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
/// # let pool = dpdk_io::Mempool::new(eal, "m", 1023)?;
/// let mut m = pool.alloc().expect("free mbuf");
/// m.append(4).expect("tailroom").copy_from_slice(b"FIX!");
/// assert_eq!(m.data(), b"FIX!");
/// # Ok::<(), dpdk_io::DpdkError>(())
/// ```
#[derive(Debug)]
pub struct Mbuf {
    raw: NonNull<sys::rte_mbuf>,
}

// SAFETY: an Mbuf is exclusively owned; DPDK lets any thread free or use
// an mbuf it owns (the pool is MP/MC safe).
unsafe impl Send for Mbuf {}

impl Mbuf {
    /// Takes ownership of `raw`.
    ///
    /// # Safety
    /// `raw` must be a valid mbuf owned by nobody else (fresh from a pool
    /// or from `rx_burst`).
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "r", 1023)?;
    /// let raw = pool.alloc().unwrap().into_raw();
    /// // SAFETY: `raw` came from into_raw and is owned by nobody else.
    /// let m = unsafe { dpdk_io::Mbuf::from_raw(raw) };
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub unsafe fn from_raw(raw: NonNull<sys::rte_mbuf>) -> Mbuf {
        Mbuf { raw }
    }

    /// Gives up ownership (e.g. to `tx_burst`), without freeing.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "i", 1023)?;
    /// let raw = pool.alloc().unwrap().into_raw();
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn into_raw(self) -> NonNull<sys::rte_mbuf> {
        let raw = self.raw;
        std::mem::forget(self);
        raw
    }

    /// Bytes in the first segment.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "l", 1023)?;
    /// assert_eq!(pool.alloc().unwrap().len(), 0);
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        // SAFETY: self.raw is a valid mbuf we own.
        usize::from(unsafe { sys::dpdk_io_data_len(self.raw.as_ptr()) })
    }

    /// No data.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "e", 1023)?;
    /// assert!(pool.alloc().unwrap().is_empty());
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// More than one segment (not produced with [`crate::mempool::DATA_ROOM`]
    /// and a 1518-byte MTU).
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "s", 1023)?;
    /// assert!(!pool.alloc().unwrap().is_chained());
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn is_chained(&self) -> bool {
        // SAFETY: self.raw is a valid mbuf we own.
        unsafe { sys::dpdk_io_nb_segs(self.raw.as_ptr()) > 1 }
    }

    /// The first segment's bytes.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "d", 1023)?;
    /// assert!(pool.alloc().unwrap().data().is_empty());
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn data(&self) -> &[u8] {
        // SAFETY: mtod points at data_len initialised bytes inside the
        // mbuf's buffer, which we own for the lifetime of &self.
        unsafe { std::slice::from_raw_parts(sys::dpdk_io_mtod(self.raw.as_ptr()), self.len()) }
    }

    /// The first segment's bytes, writable.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "w", 1023)?;
    /// let mut m = pool.alloc().unwrap();
    /// m.append(1).unwrap();
    /// m.data_mut()[0] = 7;
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn data_mut(&mut self) -> &mut [u8] {
        let len = self.len();
        // SAFETY: as in `data`, and &mut self makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(sys::dpdk_io_mtod(self.raw.as_ptr()), len) }
    }

    /// Grows the data by `len` bytes at the end and returns them (not
    /// zeroed), or `None` if the tailroom is too small.
    ///
    /// ```no_run
    /// # let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # let pool = dpdk_io::Mempool::new(eal, "a", 1023)?;
    /// let mut m = pool.alloc().unwrap();
    /// assert!(m.append(60).is_some());
    /// assert!(m.append(60_000).is_none());
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    #[inline]
    pub fn append(&mut self, len: usize) -> Option<&mut [u8]> {
        let len = u16::try_from(len).ok()?;
        // SAFETY: self.raw is a valid single-segment mbuf we own.
        let p = unsafe { sys::dpdk_io_append(self.raw.as_ptr(), len) };
        if p.is_null() {
            return None;
        }
        // SAFETY: append returned `len` bytes inside the mbuf's buffer,
        // which we own exclusively through &mut self. Their contents are
        // whatever the buffer held (plain bytes, always initialised memory
        // from the pool's hugepage/heap area).
        Some(unsafe { std::slice::from_raw_parts_mut(p, usize::from(len)) })
    }
}

impl Drop for Mbuf {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: we own the mbuf; it is freed exactly once.
        unsafe { sys::dpdk_io_pktmbuf_free(self.raw.as_ptr()) }
    }
}

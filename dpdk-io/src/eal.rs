//! The Environment Abstraction Layer: initialised once per process.

use std::ffi::{c_char, CString};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{describe, rte_errno};
use crate::DpdkError;

/// 0: never initialised, 1: initialising, 2: initialised, 3: failed.
static STATE: AtomicU8 = AtomicU8::new(0);

/// Proof that the EAL is initialised in this process. Copy it freely:
/// the EAL lives until the process exits (DPDK cannot initialise it again
/// after `rte_eal_cleanup`, so it is never cleaned up).
///
/// ```no_run
/// let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--vdev=net_ring0"])?;
/// assert!(eal.port_count() >= 1);
/// # Ok::<(), dpdk_io::DpdkError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Eal(());

impl Eal {
    /// Initialises the EAL with `args` (without the program name), once
    /// per process. The calling thread's CPU affinity is restored
    /// afterwards (the EAL pins it to its main lcore), so threads it spawns
    /// later are not all confined to one core.
    ///
    /// ```no_run
    /// let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn init<S: AsRef<str>>(args: &[S]) -> Result<Eal, DpdkError> {
        let mut argv = vec![CString::new("gapless").map_err(|_| bad("gapless"))?];
        for a in args {
            argv.push(CString::new(a.as_ref()).map_err(|_| bad(a.as_ref()))?);
        }
        match STATE.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {}
            Err(3) => return Err(DpdkError::InitFailedBefore),
            Err(_) => return Err(DpdkError::AlreadyInitialised),
        }
        let affinity = Affinity::save();
        // The EAL may keep pointers into argv: leak the strings (once per process).
        let mut ptrs: Vec<*mut c_char> = argv.into_iter().map(CString::into_raw).collect();
        ptrs.push(std::ptr::null_mut());
        let argc = (ptrs.len() - 1) as i32;
        let ptrs = ptrs.leak();
        // SAFETY: argv is a NULL-terminated array of argc valid C strings
        // that live for the rest of the process; the STATE guard ensures
        // this runs once per process.
        let r = unsafe { crate::sys::rte_eal_init(argc, ptrs.as_mut_ptr()) };
        affinity.restore();
        if r < 0 {
            STATE.store(3, Ordering::Release);
            let errno = rte_errno();
            return Err(DpdkError::EalInit {
                errno,
                reason: describe(errno),
            });
        }
        STATE.store(2, Ordering::Release);
        Ok(Eal(()))
    }

    /// The EAL handle if `init` succeeded earlier in this process.
    ///
    /// ```
    /// // Nothing initialised the EAL in this doctest.
    /// assert!(dpdk_io::Eal::get().is_none());
    /// ```
    pub fn get() -> Option<Eal> {
        (STATE.load(Ordering::Acquire) == 2).then_some(Eal(()))
    }

    /// Number of usable ethdev ports.
    ///
    /// ```no_run
    /// let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf", "--vdev=net_null0"])?;
    /// assert_eq!(eal.port_count(), 1);
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn port_count(&self) -> u16 {
        // SAFETY: the EAL is initialised (self exists); the call only reads.
        unsafe { crate::sys::rte_eth_dev_count_avail() }
    }
}

impl Eal {
    /// Registers the calling thread with the EAL (`rte_thread_register`),
    /// giving it an lcore id and with it the mempools' per-lcore caches:
    /// without one, every mbuf alloc and free goes to the shared ring.
    /// Call it on the polling thread; undo with
    /// [`Eal::unregister_thread`] on the same thread.
    ///
    /// ```no_run
    /// let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// std::thread::spawn(move || {
    ///     if eal.register_thread().expect("a free lcore") {
    ///         // ... poll ...
    ///         eal.unregister_thread();
    ///     }
    /// });
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    /// Returns `Ok(false)` if the thread already had an lcore id (an
    /// EAL thread, or registered before), `Ok(true)` if it got one now.
    pub fn register_thread(&self) -> Result<bool, DpdkError> {
        if self.lcore_id().is_some() {
            return Ok(false);
        }
        // SAFETY: the EAL is initialised; the call affects only the
        // calling thread's lcore bookkeeping.
        if unsafe { crate::sys::rte_thread_register() } == 0 {
            return Ok(true);
        }
        let errno = rte_errno();
        Err(DpdkError::ThreadRegister {
            errno,
            reason: describe(errno),
        })
    }

    /// The calling thread's lcore id, if it has one.
    ///
    /// ```no_run
    /// let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// assert_eq!(eal.lcore_id(), Some(0)); // the thread that ran init
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn lcore_id(&self) -> Option<u32> {
        // SAFETY: reads the calling thread's per-lcore variable.
        let id = unsafe { crate::sys::dpdk_io_lcore_id() };
        (id != u32::MAX).then_some(id)
    }

    /// Gives back the lcore id [`Eal::register_thread`] gave the calling
    /// thread. Call it only on a thread for which that returned `Ok(true)`
    /// (on an EAL thread it would clear the thread's lcore id).
    ///
    /// ```no_run
    /// let eal = dpdk_io::Eal::init(&["--no-huge", "-m", "512", "--no-shconf"])?;
    /// std::thread::spawn(move || {
    ///     if eal.register_thread() == Ok(true) {
    ///         eal.unregister_thread();
    ///     }
    /// });
    /// # Ok::<(), dpdk_io::DpdkError>(())
    /// ```
    pub fn unregister_thread(&self) {
        // SAFETY: the EAL is initialised; a thread without a registered
        // lcore is left as it is.
        unsafe { crate::sys::rte_thread_unregister() }
    }
}

fn bad(a: &str) -> DpdkError {
    DpdkError::BadArgument(a.to_owned())
}

/// The calling thread's CPU set.
struct Affinity(Option<libc::cpu_set_t>);

impl Affinity {
    fn save() -> Affinity {
        // SAFETY: cpu_set_t is plain data; all-zero is a valid empty set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: `set` is a valid, writable cpu_set_t of `size` bytes.
        let ok = unsafe { libc::sched_getaffinity(0, size, &mut set) } == 0;
        Affinity(ok.then_some(set))
    }

    fn restore(&self) {
        if let Some(set) = &self.0 {
            let size = std::mem::size_of::<libc::cpu_set_t>();
            // SAFETY: `set` is a valid cpu_set_t read by sched_getaffinity.
            unsafe { libc::sched_setaffinity(0, size, set) };
        }
    }
}

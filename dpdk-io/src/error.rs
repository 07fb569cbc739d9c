//! Typed DPDK errors, each saying what to do about it.

use std::ffi::CStr;

/// Why a DPDK call failed.
///
/// ```
/// let e = dpdk_io::DpdkError::AlreadyInitialised;
/// assert!(e.to_string().contains("once per process"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DpdkError {
    /// `Eal::init` was called a second time in this process.
    AlreadyInitialised,
    /// An earlier `Eal::init` failed in this process; DPDK cannot retry.
    InitFailedBefore,
    /// `rte_thread_register` failed (no free lcore id).
    ThreadRegister {
        /// rte_errno.
        errno: i32,
        /// DPDK's description of it.
        reason: String,
    },
    /// An EAL argument contains a NUL byte.
    BadArgument(String),
    /// `rte_eal_init` failed.
    EalInit {
        /// rte_errno.
        errno: i32,
        /// DPDK's description of it.
        reason: String,
    },
    /// A mempool could not be created.
    Mempool {
        /// Pool name.
        name: String,
        /// Mbufs asked for.
        mbufs: u32,
        /// DPDK's description of the error.
        reason: String,
    },
    /// No port with this id (wrong `--vdev`/PCI allow-list?).
    NoSuchPort {
        /// Port asked for.
        port: u16,
        /// Ports the EAL found.
        available: u16,
    },
    /// Only queue 0 is supported (one rx and one tx queue per port).
    Queue(u16),
    /// A port call failed.
    Port {
        /// Port id.
        port: u16,
        /// Which call (`rte_eth_dev_configure`, ...).
        call: &'static str,
        /// DPDK's description of the error.
        reason: String,
    },
    /// A ring (for a ring-backed port) could not be created.
    Ring {
        /// Ring or port name.
        name: String,
        /// DPDK's description of the error.
        reason: String,
    },
}

impl std::fmt::Display for DpdkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DpdkError::AlreadyInitialised => f.write_str(
                "the DPDK EAL is already initialised: it can be initialised once per process; reuse the Eal handle (Eal::get)",
            ),
            DpdkError::InitFailedBefore => f.write_str(
                "an earlier rte_eal_init failed in this process and DPDK cannot retry it: fix the EAL arguments and restart the process",
            ),
            DpdkError::ThreadRegister { errno, reason } => write!(
                f,
                "rte_thread_register failed (rte_errno {errno}: {reason}): every lcore id is taken; start the EAL with fewer lcores (-l) or stop other registered threads"
            ),
            DpdkError::BadArgument(a) => write!(f, "EAL argument {a:?} contains a NUL byte: remove it"),
            DpdkError::EalInit { errno, reason } => write!(
                f,
                "rte_eal_init failed (rte_errno {errno}: {reason}): run as root; without hugepages pass `--no-huge -m 512 --no-shconf`; check the --vdev/-a arguments"
            ),
            DpdkError::Mempool { name, mbufs, reason } => write!(
                f,
                "cannot create mempool {name} of {mbufs} mbufs ({reason}): give the EAL more memory (-m) or ask for fewer mbufs"
            ),
            DpdkError::NoSuchPort { port, available } => write!(
                f,
                "no DPDK port {port}: the EAL found {available} port(s); add a --vdev=... or -a <PCI> EAL argument, or choose another port"
            ),
            DpdkError::Queue(q) => write!(
                f,
                "queue {q}: each port is configured with one rx and one tx queue; use queue 0"
            ),
            DpdkError::Port { port, call, reason } => {
                write!(f, "port {port}: {call} failed ({reason}): check the port is not in use and the pool has enough mbufs")
            }
            DpdkError::Ring { name, reason } => write!(
                f,
                "cannot create ring-backed port {name} ({reason}): names must be unique in the process; give the EAL more memory (-m)"
            ),
        }
    }
}

impl std::error::Error for DpdkError {}

/// DPDK's description of `errno` (a positive rte_errno or errno).
pub(crate) fn describe(errno: i32) -> String {
    // SAFETY: rte_strerror accepts any int and returns a pointer to a
    // static or thread-local NUL-terminated string, valid until the next
    // call on this thread; we copy it at once.
    let s = unsafe { CStr::from_ptr(crate::sys::rte_strerror(errno)) };
    s.to_string_lossy().into_owned()
}

/// rte_errno of the calling thread, read through the C shim (it is
/// thread-local in C).
pub(crate) fn rte_errno() -> i32 {
    // SAFETY: the shim only reads the calling thread's rte_errno.
    unsafe { crate::sys::dpdk_io_errno() }
}

//! Shared by the DPDK tests: whether they can run here.

/// True if this process can initialise DPDK (root); prints why not.
pub fn can_run_dpdk() -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        println!("skipped: the DPDK tests need root (EAL, af_packet, network namespaces)");
        return false;
    }
    true
}

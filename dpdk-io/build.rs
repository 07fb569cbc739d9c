//! Generates the DPDK bindings with bindgen and compiles the C shim that
//! wraps DPDK's `static inline` functions, with every token of
//! `pkg-config --cflags libdpdk` given to both.

use std::path::PathBuf;
use std::process::Command;

fn pkg_config(arg: &str) -> Vec<String> {
    let tool = std::env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into());
    let out = Command::new(tool).args([arg, "libdpdk"]).output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        Ok(o) => fail(&String::from_utf8_lossy(&o.stderr)),
        Err(e) => fail(&format!("cannot run pkg-config: {e}")),
    }
}

fn fail(why: &str) -> ! {
    panic!(
        "\n\ndpdk-io: DPDK was not found through pkg-config ({}).\n\
         Install it (Debian: `apt-get install libdpdk-dev dpdk libclang-dev pkg-config`),\n\
         or build Gapless without the `dpdk` feature.\n\n",
        why.trim()
    )
}

/// Every token of `pkg-config --cflags libdpdk`, in order (`-include` and
/// its file are separate tokens, as clang and cc expect).
fn cflags() -> Vec<String> {
    pkg_config("--cflags")
}

fn compile_shim(flags: &[String]) {
    let mut b = cc::Build::new();
    b.file("shim/shim.c").include("shim").opt_level(3);
    for f in flags {
        b.flag(f);
    }
    b.warnings(false).compile("dpdk_io_shim");
}

fn link() {
    for tok in pkg_config("--libs") {
        if let Some(lib) = tok.strip_prefix("-l") {
            println!("cargo:rustc-link-lib=dylib={lib}");
        } else if let Some(dir) = tok.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else {
            println!("cargo:rustc-link-arg={tok}");
        }
    }
    // rte_eth_from_rings (connected port pairs in one process).
    println!("cargo:rustc-link-lib=dylib=rte_net_ring");
}

fn bindings(flags: &[String]) {
    let b = bindgen::Builder::default()
        .header("shim/shim.h")
        .clang_args(flags)
        .clang_arg("-Ishim")
        .allowlist_function("rte_eal_.*|rte_eth_.*|rte_pktmbuf_.*|rte_mempool_.*|rte_mbuf.*")
        .allowlist_function("rte_ring_create|rte_ring_free|rte_strerror|rte_socket_id|rte_thread_register|rte_thread_unregister")
        .allowlist_function("dpdk_io_.*")
        .allowlist_type("rte_eth_conf|rte_eth_dev_info|rte_ether_addr|rte_eth_stats")
        .allowlist_var("RTE_ETH_.*|RTE_MBUF_.*|SOCKET_ID_ANY|RING_F_.*")
        .blocklist_type("__tile1024i_str|__tile1024i")
        .no_debug("rte_flow_item_gtp_psc")
        .derive_default(true)
        .layout_tests(false)
        .generate_comments(false)
        .generate()
        .unwrap_or_else(|e| fail(&format!("bindgen failed: {e}")));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    b.write_to_file(out.join("bindings.rs"))
        .expect("OUT_DIR is writable");
}

fn main() {
    println!("cargo:rerun-if-changed=shim/shim.c");
    println!("cargo:rerun-if-changed=shim/shim.h");
    println!("cargo:rerun-if-changed=build.rs");
    for var in ["PKG_CONFIG", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let flags = cflags();
    compile_shim(&flags);
    bindings(&flags);
    link();
}

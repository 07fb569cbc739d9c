//! The C interface of `csrc/wrapper.cpp`.

use std::os::raw::c_char;

/// Inputs applied before a rising edge.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Pins {
    pub tdata: u64,
    pub tuser: u16,
    pub ctl_addr: u16,
    pub ctl_wdata: u32,
    pub tkeep: u8,
    pub tvalid: u8,
    pub tlast: u8,
    pub v_ready: u8,
    pub ctl_wr: u8,
    pub ctl_rd: u8,
    pub rst: u8,
    pub pad: u8,
}

/// Outputs after the edge.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Out {
    pub v_data: [u32; 8],
    pub ctl_rdata: u32,
    pub tready: u8,
    pub v_valid: u8,
    pub pad: [u8; 2],
}

/// The opaque model.
#[repr(C)]
pub struct GvSim {
    _private: [u8; 0],
}

extern "C" {
    pub fn gv_new(fst_path: *const c_char) -> *mut GvSim;
    pub fn gv_free(s: *mut GvSim);
    pub fn gv_cycle(s: *mut GvSim, pins: *const Pins, out: *mut Out);
}

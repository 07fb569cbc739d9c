//! A memory mapping of one whole segment file.

use std::fs::File;

/// Bytes of a page, for pre-faulting.
const PAGE: usize = 4096;

/// A shared mapping of one whole file (writable for the writer, read-only
/// for readers).
pub(super) struct Map {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; the writer
// thread is its only writer, and readers use their own read-only mappings.
// Moving it to another thread (the store thread prepares spares and
// releases retired mappings) moves that ownership with it.
unsafe impl Send for Map {}

impl Map {
    pub(super) fn new(file: &File, len: usize, writable: bool) -> std::io::Result<Map> {
        let prot = if writable {
            libc::PROT_READ | libc::PROT_WRITE
        } else {
            libc::PROT_READ
        };
        // SAFETY: a fresh mapping of `len` bytes of an open file; the kernel
        // picks the address. MAP_POPULATE pre-faults the pages (for reading:
        // see `prefault_writable` for writes).
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                std::os::fd::AsRawFd::as_raw_fd(file),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Map {
            ptr: ptr.cast(),
            len,
        })
    }

    /// Takes the write fault of every page now (on the store thread),
    /// so that the hot path's first write to each page does not: for a
    /// shared file mapping MAP_POPULATE maps pages read-only, and the
    /// first store to each one faults to mark it dirty. Each byte touched
    /// is written back unchanged.
    pub(super) fn prefault_writable(&mut self) {
        for at in (0..self.len).step_by(PAGE) {
            // SAFETY: `at < len`, inside the writable mapping this value
            // owns; `&mut self` means no other reference into it exists.
            unsafe {
                let p = self.ptr.add(at);
                p.write_volatile(p.read_volatile());
            }
        }
    }

    pub(super) fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes for the life of `self`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    pub(super) fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: writable mappings are only made by the writer, which holds
        // `&mut self`; no other reference into this mapping exists.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the region `new` mapped, once.
        let rc = unsafe { libc::munmap(self.ptr.cast(), self.len) };
        // Fails only if the thread may not unmap: the test that forbids the
        // writer's thread to relies on this panicking.
        if rc != 0 && cfg!(any(test, debug_assertions)) {
            panic!("munmap: {}", std::io::Error::last_os_error());
        }
    }
}

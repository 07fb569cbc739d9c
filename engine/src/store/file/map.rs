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
    /// Maps all of `file` (`len` bytes), pre-faulting it for reading.
    pub(super) fn new(file: &File, len: usize, writable: bool) -> std::io::Result<Map> {
        Self::with_flags(file, len, writable, libc::MAP_POPULATE)
    }

    /// Maps all of `file` writable without touching a page: the store
    /// thread then pre-faults it a slice at a time
    /// ([`prefault_writable`](Self::prefault_writable)).
    pub(super) fn reserve(file: &File, len: usize) -> std::io::Result<Map> {
        Self::with_flags(file, len, true, 0)
    }

    fn with_flags(file: &File, len: usize, writable: bool, flags: i32) -> std::io::Result<Map> {
        let prot = if writable {
            libc::PROT_READ | libc::PROT_WRITE
        } else {
            libc::PROT_READ
        };
        // SAFETY: a fresh mapping of `len` bytes of an open file; the kernel
        // picks the address. MAP_POPULATE, if given, pre-faults the pages
        // for reading (see `prefault_writable` for writes).
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED | flags,
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

    /// Pages in the mapping.
    pub(super) fn pages(&self) -> usize {
        self.len.div_ceil(PAGE)
    }

    /// Takes the write fault of pages `from..from + n` now (on the store
    /// thread), so that the hot path's first write to each page does not:
    /// for a shared file mapping the first store to each page faults to
    /// allocate it or mark it dirty. Each byte touched is written back
    /// unchanged. Returns the next page to fault.
    pub(super) fn prefault_writable(&mut self, from: usize, n: usize) -> usize {
        let end = from.saturating_add(n).min(self.pages());
        for page in from..end {
            // SAFETY: `page * PAGE < len`, inside the writable mapping this
            // value owns; `&mut self` means no other reference into it exists.
            unsafe {
                let p = self.ptr.add(page * PAGE);
                p.write_volatile(p.read_volatile());
            }
        }
        end
    }

    /// Unmaps up to `n` pages from the end of the mapping; true once
    /// nothing is left mapped. Lets the store thread release a big
    /// mapping in slices.
    pub(super) fn unmap_tail(&mut self, n: usize) -> bool {
        let keep = self.pages().saturating_sub(n) * PAGE;
        if keep < self.len {
            // SAFETY: `ptr + keep` is page aligned (mmap returns a page
            // aligned address) and `keep..len` is still mapped by this
            // value; afterwards the value owns only `0..keep`.
            let rc = unsafe { libc::munmap(self.ptr.add(keep).cast(), self.len - keep) };
            if rc != 0 && cfg!(any(test, debug_assertions)) {
                panic!("munmap: {}", std::io::Error::last_os_error());
            }
            self.len = keep;
        }
        self.len == 0
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
        if self.len == 0 {
            return;
        }
        // SAFETY: unmapping exactly the region still mapped, once.
        let rc = unsafe { libc::munmap(self.ptr.cast(), self.len) };
        // Fails only if the thread may not unmap: the test that forbids the
        // writer's thread to relies on this panicking.
        if rc != 0 && cfg!(any(test, debug_assertions)) {
            panic!("munmap: {}", std::io::Error::last_os_error());
        }
    }
}

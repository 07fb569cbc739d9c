//! pcapng capture of the frames a [`crate::device::DpdkDevice`] sends and
//! receives, written off the polling thread: the tap only copies each
//! frame into a lock-free ring; a writer thread turns the ring into a
//! pcapng file (Ethernet link type, nanosecond timestamps, in/out flags).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::device::Tap;

/// Bytes of ring between the tap and the writer.
///
/// ```
/// assert_eq!(dpdk_io::capture::RING_BYTES, 8 << 20);
/// ```
pub const RING_BYTES: usize = 8 << 20;

/// Record header in the ring: frame length (u32), time in ns (u64),
/// direction (u8: 1 sent, 0 received).
const HEADER: usize = 13;

/// A running capture; [`Capture::finish`] waits for the file to be
/// complete (after the tap is dropped).
///
/// ```no_run
/// let (tap, capture) = dpdk_io::capture::start(std::path::Path::new("cap.pcapng"))?;
/// // dev.set_tap(tap); ... run ...; drop the device (and with it the tap)
/// drop(tap);
/// let stats = capture.finish()?;
/// println!("{} frames, {} dropped", stats.written, stats.dropped);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Capture {
    writer: JoinHandle<io::Result<u64>>,
    dropped: Arc<AtomicU64>,
}

/// What a capture wrote.
///
/// ```no_run
/// let (tap, capture) = dpdk_io::capture::start(std::path::Path::new("c.pcapng"))?;
/// drop(tap);
/// let dpdk_io::capture::CaptureStats { written, dropped } = capture.finish()?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaptureStats {
    /// Frames written to the file.
    pub written: u64,
    /// Frames the tap dropped because the ring was full.
    pub dropped: u64,
}

/// Creates `path` and starts its writer thread; returns the tap to give
/// to the device.
///
/// ```no_run
/// let (tap, capture) = dpdk_io::capture::start(std::path::Path::new("/tmp/fix.pcapng"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn start(path: &Path) -> io::Result<(Tap, Capture)> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    write_header(&mut out)?;
    let (mut tx, rx) = rtrb::RingBuffer::<u8>::new(RING_BYTES);
    let dropped = Arc::new(AtomicU64::new(0));
    let tap_dropped = dropped.clone();
    let tap: Tap = Box::new(move |sent, frame| {
        let Ok(mut chunk) = tx.write_chunk(HEADER + frame.len()) else {
            tap_dropped.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let mut header = [0u8; HEADER];
        header[..4].copy_from_slice(&(frame.len() as u32).to_le_bytes());
        header[4..12].copy_from_slice(&now_ns().to_le_bytes());
        header[12] = u8::from(sent);
        let (a, b) = chunk.as_mut_slices();
        copy_split(a, b, &header, frame);
        chunk.commit_all();
    });
    let writer = std::thread::Builder::new()
        .name("dpdk-capture".into())
        .spawn(move || write_loop(rx, out))?;
    Ok((tap, Capture { writer, dropped }))
}

impl Capture {
    /// Waits for the writer to drain the ring and close the file. Returns
    /// once the tap has been dropped (e.g. with its device).
    ///
    /// ```no_run
    /// let (tap, capture) = dpdk_io::capture::start(std::path::Path::new("c.pcapng"))?;
    /// drop(tap);
    /// assert_eq!(capture.finish()?.written, 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn finish(self) -> io::Result<CaptureStats> {
        let written = self
            .writer
            .join()
            .map_err(|_| io::Error::other("the capture writer panicked"))??;
        Ok(CaptureStats {
            written,
            dropped: self.dropped.load(Ordering::Relaxed),
        })
    }
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Writes `header` then `frame` across the two halves of a ring chunk.
fn copy_split(a: &mut [u8], b: &mut [u8], header: &[u8], frame: &[u8]) {
    put(a, b, 0, header);
    put(a, b, header.len(), frame);
}

/// Copies `src` to offset `off` of the concatenation of `a` and `b`.
fn put(a: &mut [u8], b: &mut [u8], off: usize, src: &[u8]) {
    if off >= a.len() {
        let at = off - a.len();
        b[at..at + src.len()].copy_from_slice(src);
        return;
    }
    let n = (a.len() - off).min(src.len());
    a[off..off + n].copy_from_slice(&src[..n]);
    b[..src.len() - n].copy_from_slice(&src[n..]);
}

fn write_loop(mut rx: rtrb::Consumer<u8>, mut out: BufWriter<File>) -> io::Result<u64> {
    let mut pending: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut written = 0;
    loop {
        let n = rx.slots();
        if n == 0 {
            if rx.is_abandoned() && rx.slots() == 0 {
                out.flush()?;
                return Ok(written);
            }
            out.flush()?;
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        if let Ok(chunk) = rx.read_chunk(n) {
            let (a, b) = chunk.as_slices();
            pending.extend_from_slice(a);
            pending.extend_from_slice(b);
            chunk.commit_all();
        }
        let mut at = 0;
        while pending.len() - at >= HEADER {
            let h = &pending[at..at + HEADER];
            let len = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
            if pending.len() - at < HEADER + len {
                break;
            }
            let mut ts = [0u8; 8];
            ts.copy_from_slice(&h[4..12]);
            let sent = h[12] == 1;
            let frame = &pending[at + HEADER..at + HEADER + len];
            write_packet(&mut out, u64::from_le_bytes(ts), sent, frame)?;
            written += 1;
            at += HEADER + len;
        }
        pending.drain(..at);
    }
}

fn block(out: &mut impl Write, kind: u32, body: &[u8]) -> io::Result<()> {
    let total = (12 + body.len()) as u32;
    out.write_all(&kind.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(body)?;
    out.write_all(&total.to_le_bytes())
}

/// Section header, then one Ethernet interface with ns timestamps.
fn write_header(out: &mut impl Write) -> io::Result<()> {
    let mut shb = vec![];
    shb.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&(-1i64).to_le_bytes());
    block(out, 0x0A0D_0D0A, &shb)?;
    let mut idb = vec![];
    idb.extend_from_slice(&1u16.to_le_bytes()); // LINKTYPE_ETHERNET
    idb.extend_from_slice(&0u16.to_le_bytes());
    idb.extend_from_slice(&0u32.to_le_bytes()); // no snap length
    idb.extend_from_slice(&[9, 0, 1, 0, 9, 0, 0, 0]); // if_tsresol = 10^-9
    idb.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
    block(out, 1, &idb)
}

/// One Enhanced Packet Block with its direction in epb_flags.
fn write_packet(out: &mut impl Write, ts: u64, sent: bool, frame: &[u8]) -> io::Result<()> {
    let pad = (4 - frame.len() % 4) % 4;
    let total = (32 + frame.len() + pad + 12) as u32;
    let mut head = [0u8; 28];
    head[..4].copy_from_slice(&6u32.to_le_bytes());
    head[4..8].copy_from_slice(&total.to_le_bytes());
    head[12..16].copy_from_slice(&((ts >> 32) as u32).to_le_bytes());
    head[16..20].copy_from_slice(&(ts as u32).to_le_bytes());
    head[20..24].copy_from_slice(&(frame.len() as u32).to_le_bytes());
    head[24..28].copy_from_slice(&(frame.len() as u32).to_le_bytes());
    out.write_all(&head)?;
    out.write_all(frame)?;
    out.write_all(&[0u8; 3][..pad])?;
    let flags: u32 = if sent { 2 } else { 1 };
    out.write_all(&[2, 0, 4, 0])?;
    out.write_all(&flags.to_le_bytes())?;
    out.write_all(&[0, 0, 0, 0])?;
    out.write_all(&total.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_split_across_the_ring_end_is_copied_whole() {
        let (mut a, mut b) = ([0u8; 5], [0u8; 5]);
        copy_split(&mut a, &mut b, &[1, 2, 3], &[4, 5, 6, 7]);
        assert_eq!((a, &b[..2]), ([1, 2, 3, 4, 5], &[6, 7][..]));
    }

    #[test]
    fn frames_written_through_the_tap_are_in_the_file_in_order() {
        let path = std::env::temp_dir().join(format!("dpdk-io-cap-{}.pcapng", std::process::id()));
        let (mut tap, capture) = start(&path).unwrap();
        tap(true, &[0xaa; 61]);
        tap(false, &[0xbb; 64]);
        drop(tap);
        let stats = capture.finish().unwrap();
        assert_eq!(
            stats,
            CaptureStats {
                written: 2,
                dropped: 0
            }
        );
        let bytes = std::fs::read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        // SHB 28 + IDB 32 + EPB (32 + 64 + 12) + EPB (32 + 64 + 12).
        assert_eq!(bytes.len(), 28 + 32 + 108 + 108);
        assert_eq!(&bytes[60..64], &6u32.to_le_bytes());
        assert_eq!(bytes[60 + 28], 0xaa);
        assert_eq!(bytes[168 + 28], 0xbb);
    }
}

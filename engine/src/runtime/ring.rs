//! Variable-length records over an rtrb SPSC byte ring: lock-free and
//! wait-free on both sides; a full ring refuses a record instead of
//! blocking.

use rtrb::{Consumer, Producer, RingBuffer};

/// Bytes of a record header: session (2), kind (1), tag length (1), and
/// payload length (4).
const HEADER: usize = 8;

/// The writing end.
pub struct RecordProducer {
    inner: Producer<u8>,
}

/// The reading end.
pub struct RecordConsumer {
    inner: Consumer<u8>,
    scratch: Vec<u8>,
}

/// A ring of `bytes` capacity; records up to `max_record` bytes.
///
/// ```
/// use gapless::runtime::ring::record_ring;
/// let (mut tx, mut rx) = record_ring(1024, 256);
/// assert!(tx.push(3, 1, b"2", b"7=5\x01"));
/// let got = rx.pop(|session, kind, tag, payload| (session, kind, tag.to_vec(), payload.to_vec()));
/// assert_eq!(got, Some((3, 1, b"2".to_vec(), b"7=5\x01".to_vec())));
/// ```
pub fn record_ring(bytes: usize, max_record: usize) -> (RecordProducer, RecordConsumer) {
    let (p, c) = RingBuffer::new(bytes);
    (
        RecordProducer { inner: p },
        RecordConsumer {
            inner: c,
            scratch: Vec::with_capacity(max_record + HEADER),
        },
    )
}

impl RecordProducer {
    /// Pushes one record; false (nothing written) if it does not fit now.
    pub fn push(&mut self, session: u16, kind: u8, tag: &[u8], payload: &[u8]) -> bool {
        let tag = &tag[..tag.len().min(255)];
        let total = HEADER + tag.len() + payload.len();
        let Ok(mut chunk) = self.inner.write_chunk(total) else {
            return false;
        };
        let mut header = [0u8; HEADER];
        header[..2].copy_from_slice(&session.to_le_bytes());
        header[2] = kind;
        header[3] = tag.len() as u8;
        header[4..].copy_from_slice(&(payload.len() as u32).to_le_bytes());
        let (a, b) = chunk.as_mut_slices();
        let dst = a.iter_mut().chain(b.iter_mut());
        for (d, s) in dst.zip(header.iter().chain(tag).chain(payload)) {
            *d = *s;
        }
        chunk.commit_all();
        true
    }

    /// Free bytes now.
    pub fn free(&self) -> usize {
        self.inner.slots()
    }
}

impl RecordConsumer {
    /// The session of the next record, without taking it.
    pub fn peek_session(&mut self) -> Option<u16> {
        if self.inner.slots() < HEADER {
            return None;
        }
        let mut header = [0u8; 2];
        copy_out(&mut self.inner, 0, &mut header)?;
        Some(u16::from_le_bytes(header))
    }

    /// Pops one record and passes `(session, kind, tag, payload)` to `f`.
    pub fn pop<R>(&mut self, f: impl FnOnce(u16, u8, &[u8], &[u8]) -> R) -> Option<R> {
        if self.inner.slots() < HEADER {
            return None;
        }
        let mut header = [0u8; HEADER];
        copy_out(&mut self.inner, 0, &mut header)?;
        let tag_len = usize::from(header[3]);
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let total = HEADER + tag_len + len;
        self.scratch.resize(tag_len + len, 0);
        copy_out(&mut self.inner, HEADER, &mut self.scratch)?;
        self.inner.read_chunk(total).ok()?.commit_all();
        let session = u16::from_le_bytes([header[0], header[1]]);
        Some(f(
            session,
            header[2],
            &self.scratch[..tag_len],
            &self.scratch[tag_len..],
        ))
    }
}

/// Copies `out.len()` bytes starting `skip` bytes into the readable part.
fn copy_out(c: &mut Consumer<u8>, skip: usize, out: &mut [u8]) -> Option<()> {
    let chunk = c.read_chunk(skip + out.len()).ok()?;
    let (a, b) = chunk.as_slices();
    for (i, byte) in a.iter().chain(b).skip(skip).enumerate() {
        out[i] = *byte;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_wraparound_in_order() {
        let (mut tx, mut rx) = record_ring(64, 64);
        for i in 0..100u32 {
            let payload = vec![i as u8; (i % 20) as usize];
            assert!(tx.push(i as u16, 0, b"D", &payload));
            let got = rx.pop(|s, _, t, p| (s, t.to_vec(), p.to_vec())).unwrap();
            assert_eq!(got, (i as u16, b"D".to_vec(), payload));
        }
    }

    #[test]
    fn full_ring_refuses_instead_of_blocking() {
        let (mut tx, mut rx) = record_ring(32, 32);
        assert!(tx.push(0, 0, b"", &[0; 20]));
        assert!(!tx.push(0, 0, b"", &[0; 20]));
        assert!(rx.pop(|_, _, _, p| p.len()).is_some());
        assert!(tx.push(0, 0, b"", &[0; 20]));
    }
}

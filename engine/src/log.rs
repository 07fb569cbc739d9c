//! QuickFIX-style message logs, written off the hot path.
//!
//! The hot path copies the bytes it read and wrote into a ring (one
//! `memcpy` per read or write, nothing when logging is off; a full ring
//! drops the chunk and counts it). The log thread frames the two streams
//! of every session and appends one line per message to
//! `<FileLogPath>/<BeginString>-<Sender>-<Target>.messages.current.log`:
//! `YYYYMMDD-HH:MM:SS.sss : <message>`, with Password(554) and
//! NewPassword(925) masked.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::codec::time;
use crate::runtime::ring::RecordConsumer;
use crate::validator::software::{parse_frame, Frame};

/// Record kind: bytes the session read.
pub const INCOMING: u8 = 0;
/// Record kind: bytes the session wrote.
pub const OUTGOING: u8 = 1;

/// One session's log file and its two partial streams.
struct SessionLog {
    out: Option<BufWriter<File>>,
    partial: [Vec<u8>; 2],
}

/// The log thread's side.
pub struct MessageLog {
    sessions: Vec<SessionLog>,
}

impl MessageLog {
    /// Logs for sessions whose files are `paths[i]` (`None`: not logged).
    pub fn new(paths: &[Option<PathBuf>]) -> std::io::Result<MessageLog> {
        let mut sessions = Vec::with_capacity(paths.len());
        for p in paths {
            let out = match p {
                Some(p) => {
                    if let Some(dir) = p.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    Some(BufWriter::new(
                        File::options().create(true).append(true).open(p)?,
                    ))
                }
                None => None,
            };
            sessions.push(SessionLog {
                out,
                partial: [vec![], vec![]],
            });
        }
        Ok(MessageLog { sessions })
    }

    /// Takes one chunk of `session`'s stream in direction `kind`.
    pub fn chunk(&mut self, session: u16, kind: u8, bytes: &[u8]) -> std::io::Result<()> {
        let Some(s) = self.sessions.get_mut(usize::from(session)) else {
            return Ok(());
        };
        let Some(out) = s.out.as_mut() else {
            return Ok(());
        };
        let buf = &mut s.partial[usize::from(kind.min(1))];
        buf.extend_from_slice(bytes);
        let mut at = 0;
        loop {
            match parse_frame(&buf[at..], u32::MAX) {
                Frame::Complete { len, .. } => {
                    write_line(out, &buf[at..at + len])?;
                    at += len;
                }
                Frame::Incomplete => break,
                Frame::Garbled { at: bad, .. } => {
                    let from = at + bad.max(1);
                    at = memchr::memmem::find(&buf[from..], b"8=FIX")
                        .map_or(buf.len(), |i| from + i);
                }
            }
        }
        buf.drain(..at);
        Ok(())
    }

    /// Drains `ring`; returns how many chunks were logged.
    pub fn drain(&mut self, ring: &mut RecordConsumer) -> std::io::Result<usize> {
        let mut n = 0;
        while let Some(r) = ring.pop(|s, kind, _, bytes| self.chunk(s, kind, bytes)) {
            r?;
            n += 1;
        }
        Ok(n)
    }

    /// Flushes every file.
    pub fn flush(&mut self) -> std::io::Result<()> {
        for out in self.sessions.iter_mut().filter_map(|s| s.out.as_mut()) {
            out.flush()?;
        }
        Ok(())
    }
}

/// `YYYYMMDD-HH:MM:SS.sss : message`, passwords masked.
fn write_line(out: &mut impl Write, msg: &[u8]) -> std::io::Result<()> {
    let mut ts = [0u8; time::MAX_LEN];
    let n = time::format(time::now(), time::Precision::Millis, &mut ts);
    out.write_all(&ts[..n])?;
    out.write_all(b" : ")?;
    let mut rest = msg;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == 0x01)
            .map_or(rest.len(), |i| i + 1);
        let field = &rest[..end];
        if field.starts_with(b"554=") || field.starts_with(b"925=") {
            out.write_all(&field[..4])?;
            out.write_all(b"********")?;
            if field.ends_with(b"\x01") {
                out.write_all(b"\x01")?;
            }
        } else {
            out.write_all(field)?;
        }
        rest = &rest[end..];
    }
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_split_across_chunks_become_one_line_each_with_passwords_masked() {
        let dir = std::env::temp_dir().join(format!("gapless-log-{}", std::process::id()));
        let path = dir.join("s.messages.current.log");
        let mut log = MessageLog::new(&[Some(path.clone())]).unwrap();
        let enc = crate::codec::encode::Encoder::new("FIX.4.4", "A", "B", time::Precision::Millis);
        let mut stream = vec![];
        for seq in 1..=2 {
            enc.encode(
                &mut stream,
                b"A",
                seq,
                time::now(),
                b"553=u\x01554=secret\x01",
            );
        }
        for chunk in stream.chunks(7) {
            log.chunk(0, INCOMING, chunk).unwrap();
        }
        log.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains("\x01554=********\x0110="), "{}", lines[0]);
        assert!(!text.contains("secret"));
        std::fs::remove_dir_all(dir).ok();
    }
}

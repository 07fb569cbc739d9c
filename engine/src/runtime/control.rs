//! The live view and the operator's controls, off the hot path.
//!
//! - Gauges: once a millisecond the hot path stores each session's state,
//!   seqs and counters into cache-padded atomics (plain relaxed stores, no
//!   lock, no syscall); the recovery thread stores what it served.
//! - `MetricsPort=`: Prometheus text exposition on `127.0.0.1:<port>`
//!   (`GET /metrics`), served by the control thread from the gauges.
//! - `ControlSocket=`: a Unix socket taking one command per connection
//!   (`gapless admin`): `status` is answered from the gauges; `set-seqs`,
//!   `resend` and `logout` go to the hot path through an SPSC ring and are
//!   applied there at its next millisecond tick.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_utils::CachePadded;

use crate::session::{Session, State, Stats};

/// What the operator asks the hot path to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AdminCmd {
    SetSeqs {
        session: u16,
        next_in: u32,
        next_out: u32,
    },
    Resend {
        session: u16,
        begin: u32,
        end: u32,
    },
    Logout {
        session: u16,
    },
}

/// The gauges the hot path writes, in order.
const HOT: [(&str, &str); 10] = [
    (
        "state",
        "0 disconnected, 1 awaiting logon, 2 active, 3 logging out",
    ),
    ("next_in", "next inbound MsgSeqNum expected"),
    ("next_out", "next outbound MsgSeqNum"),
    ("delivered_total", "application messages delivered"),
    ("duplicates_total", "duplicates discarded"),
    ("gaps_total", "gaps detected (ResendRequests sent)"),
    ("held", "messages held beyond a gap now (hold-queue depth)"),
    (
        "hold_dropped_total",
        "messages dropped because the hold queue was full",
    ),
    ("rejects_total", "session Rejects sent"),
    ("garbled_total", "garbled frames skipped"),
];

/// The gauges the recovery thread writes, in order.
const RECOVERY: [(&str, &str); 2] = [
    (
        "resent_total",
        "messages resent (PossDup) for the peer's ResendRequests",
    ),
    (
        "gap_fills_total",
        "SequenceReset-GapFills sent for the peer's ResendRequests",
    ),
];

/// One session's live figures: what the hot path writes and what the
/// recovery thread writes on cache lines of their own.
#[derive(Default)]
struct Gauges {
    hot: CachePadded<[AtomicU64; HOT.len()]>,
    recovery: CachePadded<[AtomicU64; RECOVERY.len()]>,
}

/// Every session's gauges and names.
pub(super) struct Live {
    ids: Vec<String>,
    gauges: Vec<Gauges>,
}

impl Live {
    pub(super) fn new(ids: Vec<String>) -> Self {
        let gauges = ids.iter().map(|_| Gauges::default()).collect();
        Live { ids, gauges }
    }

    /// The hot path's stores for session `i`.
    pub(super) fn publish(&self, i: usize, s: &Session) {
        let Some(g) = self.gauges.get(i) else { return };
        let Stats {
            delivered,
            duplicates,
            garbled,
            gaps,
            held: _,
            hold_dropped,
            rejects,
        } = s.stats();
        let state = match s.state() {
            State::Disconnected => 0,
            State::AwaitingLogon { .. } => 1,
            State::Active => 2,
            State::LoggingOut => 3,
        };
        let values = [
            state,
            u64::from(s.next_in()),
            u64::from(s.next_out()),
            delivered,
            duplicates,
            gaps,
            s.held_now() as u64,
            hold_dropped,
            rejects,
            garbled,
        ];
        for (a, v) in g.hot.iter().zip(values) {
            a.store(v, Ordering::Relaxed);
        }
    }

    /// The recovery thread's stores for session `i`.
    pub(super) fn publish_recovery(&self, i: usize, resent: u64, gap_fills: u64) {
        if let Some(g) = self.gauges.get(i) {
            g.recovery[0].store(resent, Ordering::Relaxed);
            g.recovery[1].store(gap_fills, Ordering::Relaxed);
        }
    }

    fn hot(&self, i: usize, k: usize) -> u64 {
        self.gauges[i].hot[k].load(Ordering::Relaxed)
    }

    /// Prometheus text exposition format 0.0.4.
    fn prometheus(&self) -> String {
        let mut out = String::new();
        let series = HOT.iter().map(|&(n, h)| (n, h, true));
        let series = series.chain(RECOVERY.iter().map(|&(n, h)| (n, h, false)));
        for (k, (name, help, hot)) in series.enumerate() {
            let kind = if name.ends_with("_total") {
                "counter"
            } else {
                "gauge"
            };
            out += &format!("# HELP gapless_{name} {help}\n# TYPE gapless_{name} {kind}\n");
            for (i, id) in self.ids.iter().enumerate() {
                let v = match hot {
                    true => self.hot(i, k),
                    false => self.gauges[i].recovery[k - HOT.len()].load(Ordering::Relaxed),
                };
                out += &format!("gapless_{name}{{session=\"{id}\"}} {v}\n");
            }
        }
        out
    }

    /// `gapless admin status`: one line per session.
    fn status(&self) -> String {
        let states = ["disconnected", "awaiting-logon", "active", "logging-out"];
        let mut out = String::new();
        for (i, id) in self.ids.iter().enumerate() {
            let state = states.get(self.hot(i, 0) as usize).unwrap_or(&"?");
            out += &format!(
                "{i} {id} state={state} next_in={} next_out={} gaps={} held={} resent={}\n",
                self.hot(i, 1),
                self.hot(i, 2),
                self.hot(i, 5),
                self.hot(i, 6),
                self.gauges[i].recovery[0].load(Ordering::Relaxed),
            );
        }
        out
    }
}

/// The control thread's listeners.
pub(super) struct Listeners {
    metrics: Option<TcpListener>,
    admin: Option<(UnixListener, PathBuf)>,
}

impl Listeners {
    /// Binds `127.0.0.1:<metrics_port>` and the control socket (a stale
    /// socket file at `path` is replaced).
    pub(super) fn bind(
        metrics_port: Option<u16>,
        control_socket: Option<&std::path::Path>,
    ) -> std::io::Result<Listeners> {
        let metrics = match metrics_port {
            Some(p) => Some(TcpListener::bind(("127.0.0.1", p))?),
            None => None,
        };
        let admin = match control_socket {
            Some(path) => {
                let _ = std::fs::remove_file(path);
                Some((UnixListener::bind(path)?, path.to_path_buf()))
            }
            None => None,
        };
        for l in metrics.iter() {
            l.set_nonblocking(true)?;
        }
        for (l, _) in admin.iter() {
            l.set_nonblocking(true)?;
        }
        Ok(Listeners { metrics, admin })
    }
}

/// Serves both listeners until `halt`.
pub(super) fn run(
    live: Arc<Live>,
    listeners: Listeners,
    mut cmds: rtrb::Producer<AdminCmd>,
    halt: &AtomicBool,
) {
    while !halt.load(Ordering::Relaxed) {
        let mut idle = true;
        if let Some(l) = &listeners.metrics {
            while let Ok((mut s, _)) = l.accept() {
                idle = false;
                let _ = http(&mut s, &live);
            }
        }
        if let Some((l, _)) = &listeners.admin {
            while let Ok((mut s, _)) = l.accept() {
                idle = false;
                let _ = admin(&mut s, &live, &mut cmds);
            }
        }
        if idle {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    if let Some((_, path)) = &listeners.admin {
        let _ = std::fs::remove_file(path);
    }
}

fn http(s: &mut std::net::TcpStream, live: &Live) -> std::io::Result<()> {
    s.set_nonblocking(false)?;
    s.set_read_timeout(Some(Duration::from_secs(1)))?;
    let mut req = [0u8; 4096];
    let n = s.read(&mut req)?;
    let line = req[..n].split(|&b| b == b'\n').next().unwrap_or(&[]);
    let (status, body) = match line.starts_with(b"GET /metrics ") || line.starts_with(b"GET / ") {
        true => ("200 OK", live.prometheus()),
        false => ("404 Not Found", "try GET /metrics\n".to_string()),
    };
    write!(
        s,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

const USAGE: &str = "error: commands: status | set-seqs <session> <next_in> <next_out> | resend <session> <begin> [<end>] | logout <session>\n";

fn admin(
    s: &mut std::os::unix::net::UnixStream,
    live: &Live,
    cmds: &mut rtrb::Producer<AdminCmd>,
) -> std::io::Result<()> {
    s.set_nonblocking(false)?;
    s.set_read_timeout(Some(Duration::from_secs(1)))?;
    let mut line = String::new();
    BufReader::new(&mut *s).read_line(&mut line)?;
    let reply = match parse(&line, live.ids.len()) {
        Ok(None) => live.status(),
        Ok(Some(cmd)) => match cmds.push(cmd) {
            Ok(()) => "queued: applied at the hot path's next tick\n".to_string(),
            Err(_) => "error: the command ring is full; retry\n".to_string(),
        },
        Err(e) => e,
    };
    s.write_all(reply.as_bytes())
}

/// `Ok(None)`: status; `Ok(Some)`: a command for the hot path.
fn parse(line: &str, sessions: usize) -> Result<Option<AdminCmd>, String> {
    let w: Vec<&str> = line.split_whitespace().collect();
    let num = |k: usize| -> Result<u32, String> {
        w.get(k)
            .and_then(|x| x.parse().ok())
            .ok_or_else(|| USAGE.to_string())
    };
    let session = || -> Result<u16, String> {
        let s = num(1)?;
        match (s as usize) < sessions {
            true => Ok(s as u16),
            false => Err(format!("error: no session {s} (status lists them)\n")),
        }
    };
    match w.first().copied() {
        Some("status") => Ok(None),
        Some("set-seqs") => Ok(Some(AdminCmd::SetSeqs {
            session: session()?,
            next_in: num(2)?,
            next_out: num(3)?,
        })),
        Some("resend") => Ok(Some(AdminCmd::Resend {
            session: session()?,
            begin: num(2)?,
            end: if w.len() > 3 { num(3)? } else { 0 },
        })),
        Some("logout") => Ok(Some(AdminCmd::Logout {
            session: session()?,
        })),
        _ => Err(USAGE.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_commands_parse_and_name_only_existing_sessions() {
        assert_eq!(parse("status\n", 1), Ok(None));
        assert_eq!(
            parse("set-seqs 0 5 7\n", 1),
            Ok(Some(AdminCmd::SetSeqs {
                session: 0,
                next_in: 5,
                next_out: 7
            }))
        );
        assert_eq!(
            parse("resend 0 3", 1),
            Ok(Some(AdminCmd::Resend {
                session: 0,
                begin: 3,
                end: 0
            }))
        );
        assert!(parse("logout 1", 1).unwrap_err().contains("no session 1"));
        assert!(parse("set-seqs 0 x 1", 1).is_err());
        assert!(parse("reboot", 1)
            .unwrap_err()
            .starts_with("error: commands"));
    }

    #[test]
    fn prometheus_text_has_help_type_and_one_sample_per_session() {
        let live = Live::new(vec!["FIX.4.4:A->B".into(), "FIX.4.4:A->C".into()]);
        live.publish_recovery(1, 7, 2);
        let text = live.prometheus();
        assert!(text.contains("# TYPE gapless_next_in gauge\n"));
        assert!(text.contains("# TYPE gapless_resent_total counter\n"));
        assert!(text.contains("gapless_resent_total{session=\"FIX.4.4:A->C\"} 7\n"));
        assert_eq!(text.matches("gapless_next_out{").count(), 2);
    }
}

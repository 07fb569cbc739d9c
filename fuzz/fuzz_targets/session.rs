//! The sans-IO session driven by a script of inbound frames (well-formed
//! admin and application messages with fuzzed seqs and flags, and raw
//! bytes), time steps, and connects/disconnects, with the recovery side
//! served inline; optionally under a session schedule whose window opens
//! and closes during the script. NewOrderSingles may carry RawData(96)
//! and XmlData(213) with fuzzed bytes (SOH, fake tags) and a LENGTH that
//! is right, short, long or not a number. The application is the echo,
//! or the conformance app when the input's length is odd. Invariants: no
//! panic, and everything the session writes is a sequence of well-formed
//! frames.
#![no_main]

use gapless::app::AppKind;
use gapless::codec::encode::{Encoder, Outgoing};
use gapless::codec::time::{Nanos, Precision};
use gapless::connection::{Action, Connection};
use gapless::recovery::Recovery;
use gapless::schedule::Schedule;
use gapless::session::{Application, SessionConfig};
use gapless::store::{MemoryStore, MessageStore};
use gapless::validator::software::{parse_frame, Frame};
use gapless::validator::SoftwareValidator;
use libfuzzer_sys::fuzz_target;

const T0: Nanos = 1_700_000_000_000_000_000;
const MS: Nanos = 1_000_000;
const MAX: usize = 4096;

struct Harness {
    c: Connection,
    v: SoftwareValidator,
    app: Box<dyn Application + Send>,
    rec: Recovery,
    peer: Encoder,
    now: Nanos,
    connected: bool,
}

impl Harness {
    fn new(cfg_byte: u8, schedule_byte: u8, app: AppKind) -> Harness {
        let mut cfg = SessionConfig::new("FIX.4.4", "ISLD", "CLIENT", cfg_byte & 1 != 0);
        cfg.heartbeat_secs = 1 + u32::from(cfg_byte >> 4 & 7);
        if cfg_byte & 0x80 != 0 {
            cfg.schedule = Some(schedule(schedule_byte));
        }
        cfg.reset_on_logon = cfg_byte & 2 != 0;
        cfg.enable_next_expected = cfg_byte & 4 != 0;
        cfg.hold_queue_messages = 64;
        cfg.hold_queue_bytes = 1 << 16;
        cfg.resend_chunk_size = u32::from(cfg_byte & 8 != 0) * 5;
        let store = MemoryStore::new();
        let reader = store.reader();
        let c = Connection::new(cfg, 0, Box::new(store), MAX).expect("memory store");
        let rec = Recovery::new(reader, c.session().encoder().clone());
        Harness {
            c,
            v: SoftwareValidator::new(1, MAX as u32),
            app: app.build("FIX.4.4"),
            rec,
            peer: Encoder::new("FIX.4.4", "CLIENT", "ISLD", Precision::Millis),
            now: T0,
            connected: false,
        }
    }

    fn toggle_connection(&mut self) {
        if self.connected {
            self.c.handle_disconnect(self.now, &mut *self.app);
            self.rec.abandon();
        } else {
            self.c.handle_connect(self.now, &mut *self.app);
        }
        self.connected = !self.connected;
    }

    fn feed(&mut self, bytes: &[u8]) {
        if !self.connected {
            return;
        }
        let mut rest = bytes;
        for _ in 0..64 {
            let buf = self.c.recv_buf();
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            let mut more = self.c.handle_read(self.now, n, &mut self.v, &mut *self.app);
            while more {
                more = self.c.handle_read(self.now, 0, &mut self.v, &mut *self.app);
            }
            rest = &rest[n..];
            if rest.is_empty() {
                break;
            }
        }
    }

    fn message(&mut self, msg_type: &[u8], seq: u32, poss_dup: bool, body: &[u8]) {
        let m = Outgoing {
            msg_type,
            seq,
            poss_dup,
            orig_sending_time: if poss_dup {
                b"20231114-22:13:19.000"
            } else {
                b""
            },
            body,
        };
        let mut out = vec![];
        self.peer.encode_with(&mut out, &m, self.now);
        self.feed(&out);
    }

    /// Runs the actions (serving recovery inline), and checks the wire.
    fn settle(&mut self) {
        while self.c.poll_event().is_some() {}
        let mut wire = vec![];
        while let Some(action) = self.c.poll_action() {
            match action {
                Action::Serve(range) => self.rec.serve(range),
                Action::Disconnect(_) => {
                    wire.extend_from_slice(self.c.poll_transmit());
                    self.c.transmitted(wire.len());
                    if self.connected {
                        self.toggle_connection();
                    }
                }
            }
        }
        let (rec, c, now) = (&mut self.rec, &mut self.c, self.now);
        for _ in 0..64 {
            if !rec.busy() {
                break;
            }
            let served = rec.poll(now, 256, &mut |bytes| c.handle_replay(now, bytes));
            if served.is_err() {
                break;
            }
        }
        wire.extend_from_slice(self.c.poll_transmit());
        let n = self.c.poll_transmit().len();
        self.c.transmitted(n);
        let mut rest = &wire[..];
        while !rest.is_empty() {
            match parse_frame(rest, 1 << 20) {
                Frame::Complete { len, .. } => rest = &rest[len..],
                other => panic!("the session wrote a bad frame ({other:?}): {rest:?}"),
            }
        }
    }
}

/// A daily window near T0: opening 0..15 s after it, lasting 0..60 s
/// (0: always open, with a new period every day at the start).
fn schedule(b: u8) -> Schedule {
    let t0 = T0 / 1_000_000_000 % 86_400;
    let start = (t0 + u64::from(b & 0x0f)) % 86_400;
    let end = (start + u64::from(b >> 4) * 4) % 86_400;
    let hms = |s: u64| format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    Schedule::parse(&hms(start), &hms(end), None, None, None).expect("valid times")
}

/// Appends LENGTH `tags.0` and DATA `tags.1` with `value`; the LENGTH is
/// right, or by `how` one short, one long, missing or not a number.
fn data_field(body: &mut Vec<u8>, tags: (u32, u32), value: &[u8], how: u8) {
    let len = match how % 8 {
        0 => Some(value.len().saturating_sub(1).to_string()),
        1 => Some((value.len() + 1).to_string()),
        2 => None,
        3 => Some("x".to_string()),
        _ => Some(value.len().to_string()),
    };
    if let Some(len) = len {
        body.extend_from_slice(format!("{}={len}\x01", tags.0).as_bytes());
    }
    body.extend_from_slice(format!("{}=", tags.1).as_bytes());
    body.extend_from_slice(value);
    body.push(0x01);
}

/// Reads the script: one opcode byte, then its operands.
struct Script<'a>(&'a [u8]);

impl Script<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    fn seq(&mut self) -> u32 {
        u32::from(self.byte() % 40)
    }
    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
}

fuzz_target!(|data: &[u8]| {
    let mut script = Script(data);
    let cfg_byte = script.byte();
    let schedule_byte = if cfg_byte & 0x80 != 0 {
        script.byte()
    } else {
        0
    };
    let app = match data.len() % 2 {
        0 => AppKind::Echo,
        _ => AppKind::Conformance,
    };
    let mut h = Harness::new(cfg_byte, schedule_byte, app);
    h.toggle_connection();
    h.settle();
    for _ in 0..512 {
        if script.0.is_empty() {
            break;
        }
        match script.byte() % 10 {
            0 => {
                // Up to 6.35 s, or (top bit) up to 127 hours: crosses
                // schedule windows and periods.
                let b = script.byte();
                h.now += match b & 0x80 {
                    0 => Nanos::from(b) * 50 * MS,
                    _ => Nanos::from(b & 0x7f) * 3_600_000 * MS,
                };
                h.c.handle_timeout(h.now, &mut *h.app);
            }
            1 => {
                let n = usize::from(script.byte());
                let raw = script.take(n).to_vec();
                h.feed(&raw);
            }
            2 => {
                let (seq, reset) = (script.seq(), script.byte() & 1 != 0);
                let body: &[u8] = if reset {
                    b"98=0\x01108=1\x01141=Y\x01"
                } else {
                    b"98=0\x01108=1\x01"
                };
                h.message(b"A", seq, false, body);
            }
            3 => {
                let (seq, b) = (script.seq(), script.byte());
                let mut body = Vec::new();
                if b & 2 != 0 {
                    let n = usize::from(script.byte() % 64);
                    let value = script.take(n).to_vec();
                    let tags = if b & 4 != 0 { (212, 213) } else { (95, 96) };
                    data_field(&mut body, tags, &value, b >> 3);
                }
                body.extend_from_slice(b"11=X\x0154=1\x0138=1\x01");
                h.message(b"D", seq, b & 1 != 0, &body);
            }
            4 => {
                let (seq, to, fill) = (script.seq(), script.seq(), script.byte() & 1 != 0);
                let body = format!("{}36={to}\x01", if fill { "123=Y\x01" } else { "" });
                h.message(b"4", seq, false, body.as_bytes());
            }
            5 => {
                let (seq, begin, end) = (script.seq(), script.seq(), script.seq());
                let body = format!("7={begin}\x0116={end}\x01");
                h.message(b"2", seq, false, body.as_bytes());
            }
            6 => h.toggle_connection(),
            7 => {
                let seq = script.seq();
                h.message(b"1", seq, false, b"112=T\x01");
            }
            8 => {
                let seq = script.seq();
                h.message(b"5", seq, false, b"");
            }
            _ => {
                let seq = script.seq();
                h.message(b"0", seq, false, b"");
            }
        }
        h.settle();
    }
});

//! Receiving messages with data fields allocates nothing: a counting
//! global allocator sees no allocation on this thread while the session
//! frames, checks (FIX44.xml validation included) and delivers 2,000
//! Emails whose RawData(96) and EncodedSubject(357) hold SOH and fake
//! tags, the application reading every field.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use gapless::codec::encode::{Body, Encoder};
use gapless::codec::message::Message;
use gapless::codec::time::Precision;
use gapless::connection::Connection;
use gapless::dict::{DataDictionary, Options, Validator};
use gapless::session::{AppReject, Application, Sender, SessionConfig, State};
use gapless::store::MemoryStore;
use gapless::validator::SoftwareValidator;

#[global_allocator]
static GLOBAL: counting_alloc::Counting = counting_alloc::Counting;

const T0: u64 = 1_700_000_000_000_000_000;
const RAW: &[u8] = b"\x0134=1\x0110=000\x0149=X\x01";

/// Reads every field, and checks the data ones.
#[derive(Default)]
struct Reader {
    delivered: u64,
}

impl Application for Reader {
    fn on_message(&mut self, msg: &Message, _: &mut Sender) -> Result<(), AppReject> {
        assert_eq!(msg.get(96), Some(RAW));
        assert_eq!(msg.get(357), Some(&b"\xe9\x01"[..]));
        assert_eq!(msg.fields().count(), 17);
        self.delivered += 1;
        Ok(())
    }
}

fn read(c: &mut Connection, bytes: &[u8], v: &mut SoftwareValidator, app: &mut Reader) {
    c.recv_buf()[..bytes.len()].copy_from_slice(bytes);
    let mut n = bytes.len();
    while c.handle_read(T0, n, v, app) {
        n = 0;
    }
}

fn quickfix_fix44() -> std::path::PathBuf {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .expect("python3");
    std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
        .join("share/quickfix/FIX44.xml")
}

#[test]
fn receiving_data_fields_allocates_nothing() {
    let cfg = SessionConfig::new("FIX.4.4", "ISLD", "CLIENT", false);
    let mut c = Connection::new(cfg, 0, Box::new(MemoryStore::new()), 65536).unwrap();
    let dict = DataDictionary::load(&quickfix_fix44()).expect("FIX44.xml (pip install quickfix)");
    c.set_check(Box::new(Validator::new(dict, None, Options::default())));
    let mut v = SoftwareValidator::new(1, 65536);
    let mut app = Reader::default();
    let peer = Encoder::new("FIX.4.4", "CLIENT", "ISLD", Precision::Millis);
    let mut logon = Vec::new();
    peer.encode(&mut logon, b"A", 1, T0, b"98=0\x01108=30\x01");
    c.handle_connect(T0, &mut app);
    read(&mut c, &logon, &mut v, &mut app);
    assert_eq!(c.session().state(), State::Active);
    c.transmitted(c.poll_transmit().len());
    while c.poll_event().is_some() {}
    while c.poll_action().is_some() {}

    let mut body = b"33=1\x0158=line\x0194=0\x01".to_vec();
    Body::new(&mut body)
        .data(95, 96, RAW)
        .str(147, b"Hi")
        .str(164, b"T1")
        .data(356, 357, b"\xe9\x01");
    let n = 2000;
    let msgs: Vec<Vec<u8>> = (2..2 + n)
        .map(|seq| {
            let mut m = Vec::new();
            peer.encode(&mut m, b"C", seq, T0, &body);
            m
        })
        .collect();

    let allocs = counting_alloc::allocations(|| {
        for m in &msgs {
            read(&mut c, m, &mut v, &mut app);
        }
    });

    assert_eq!(app.delivered, u64::from(n));
    assert!(c.poll_transmit().is_empty(), "no Reject, no ResendRequest");
    assert_eq!(allocs, 0);
}

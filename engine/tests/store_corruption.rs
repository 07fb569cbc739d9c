//! `gapless run` on a damaged journal, per OnStoreCorruption: refuse to
//! start with a typed error, start over at 1/1, or keep the good records
//! and answer a ResendRequest for the lost message with a GapFill.

#[path = "support/peer.rs"]
mod peer;

use gapless::app::AppKind;
use gapless::codec::encode::Encoder;
use gapless::codec::time::Precision;
use gapless::config::Settings;
use gapless::launch::{self, LaunchError};
use gapless::runtime::Engine;
use gapless::store::{FileStore, MessageStore, SeqNums, StoreError, SEGMENT_BYTES};
use peer::Peer;

const ID: &str = "FIX.4.4-ISLD-TW";

struct Running(Option<Engine>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(e) = self.0.take() {
            e.stop();
        }
    }
}

/// A journal of five orders (seqs 1..=5, next_in 1) whose first record
/// is damaged, and the settings text that uses it with `policy`.
fn damaged_store(name: &str, policy: &str) -> (std::path::PathBuf, String, u16) {
    let dir = std::env::temp_dir().join(format!("gapless-sc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let (mut s, _) = FileStore::open(&dir, ID, SEGMENT_BYTES).unwrap();
        let enc = Encoder::new("FIX.4.4", "ISLD", "TW", Precision::Millis);
        for seq in 1..=5 {
            let mut wire = vec![];
            let r = enc.encode(
                &mut wire,
                b"D",
                seq,
                gapless::codec::time::now(),
                b"11=X\x01",
            );
            s.append(seq, 0, &wire[r]).unwrap();
            s.commit(SeqNums {
                next_in: 1,
                next_out: seq + 1,
            })
            .unwrap();
        }
    }
    let path = dir.join(format!("{ID}.000000.journal"));
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[40] ^= 0x04;
    std::fs::write(&path, &bytes).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptHost=127.0.0.1\nSocketAcceptPort={port}\n\
         BeginString=FIX.4.4\nFileStorePath={}\nUseDataDictionary=N\n{policy}\n\
         [SESSION]\nSenderCompID=ISLD\nTargetCompID=TW\n",
        dir.display()
    );
    (dir, cfg, port)
}

#[test]
fn damaged_journal_refuses_to_start_with_a_typed_error_by_default() {
    let (dir, cfg, _) = damaged_store("refuse", "");
    let settings = Settings::parse(&cfg).unwrap();
    match launch::start(&settings, AppKind::Echo) {
        Err(e @ LaunchError::Store { .. }) => {
            let LaunchError::Store { ref error, .. } = e else {
                unreachable!()
            };
            assert!(matches!(error, StoreError::Corrupt { .. }));
            assert!(e.to_string().contains("OnStoreCorruption=reset"), "{e}");
        }
        Err(e) => panic!("expected LaunchError::Store, got {e}"),
        Ok(engine) => {
            engine.stop();
            panic!("started on a damaged journal");
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn reset_policy_starts_the_session_at_seq_one_with_reset_seq_num_flag() {
    let (dir, cfg, port) = damaged_store("reset", "OnStoreCorruption=reset");
    let settings = Settings::parse(&cfg).unwrap();
    let _engine = Running(Some(launch::start(&settings, AppKind::Echo).unwrap()));
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    let reply = p.logon(30);
    assert_eq!(reply.seq(), 1);
    assert_eq!(
        reply.get(141).as_deref(),
        Some("Y"),
        "the counterparty is asked to reset too"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn gapfill_policy_resumes_and_gap_fills_the_lost_message() {
    let (dir, cfg, port) = damaged_store("gapfill", "OnStoreCorruption=gapfill");
    let settings = Settings::parse(&cfg).unwrap();
    let _engine = Running(Some(launch::start(&settings, AppKind::Echo).unwrap()));
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    assert_eq!(p.logon(30).seq(), 6, "the last good seqs are kept");
    p.send("2", "7=1|16=0|");
    let fill = p.expect("4");
    assert_eq!(
        (
            fill.seq(),
            fill.get(123).as_deref(),
            fill.get(36).as_deref()
        ),
        (1, Some("Y"), Some("2"))
    );
    for seq in 2..=5 {
        let d = p.expect("D");
        assert_eq!((d.seq(), d.get(43).as_deref()), (seq, Some("Y")));
    }
    std::fs::remove_dir_all(dir).ok();
}

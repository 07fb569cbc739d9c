//! The messages log after kill -9: what it holds is a prefix, in order,
//! of what the journal committed, and the test prints how many of the
//! last echoes the journal has that the log lacks (the bound recorded in
//! docs/CONFIG.md).

#[path = "support/peer.rs"]
mod peer;

use std::process::{Command, Stdio};
use std::time::Duration;

use gapless::store::{FileStore, MessageStore};
use peer::Peer;

#[test]
fn after_kill_9_the_messages_log_is_an_in_order_prefix_of_what_the_journal_committed() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("gapless-logcrash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort={port}\nSocketAcceptHost=127.0.0.1\n\
         FileStorePath={}\nFileLogPath={}\n\
         [SESSION]\nBeginString=FIX.4.4\nSenderCompID=ISLD\nTargetCompID=TW\n",
        dir.join("store").display(),
        dir.join("log").display()
    );
    std::fs::write(dir.join("engine.cfg"), cfg).unwrap();
    let mut engine = Command::new(env!("CARGO_BIN_EXE_gapless"))
        .args(["run", "--app", "echo", "--config"])
        .arg(dir.join("engine.cfg"))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    for id in 1..=2000 {
        p.send("D", &format!("11={id}\x0154=1\x01"));
        p.expect("D");
    }
    // A burst in flight, then SIGKILL in the middle of it.
    for id in 2001..=2300 {
        p.send("D", &format!("11={id}\x0154=1\x01"));
    }
    std::thread::sleep(Duration::from_micros(300));
    engine.kill().unwrap();
    engine.wait().unwrap();

    let (store, _) = FileStore::open(&dir.join("store"), "FIX.4.4-ISLD-TW", 64 << 20).unwrap();
    let committed = store.seqs().next_out - 2; // echoes: all but our Logon
    let log = std::fs::read(dir.join("log/FIX.4.4-ISLD-TW.messages.current.log")).unwrap();
    let echoes: Vec<u32> = log
        .split(|&b| b == b'\n')
        .filter(|l| has(l, b"\x0149=ISLD\x01") && has(l, b"\x0135=D\x01"))
        .map(|l| {
            let at = l.windows(5).position(|w| w == b"8=FIX").unwrap();
            let m = gapless::codec::message::Message::new(&l[at..]);
            m.get_uint(11).unwrap() as u32
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        committed >= 2000,
        "the journal committed {committed} echoes"
    );
    assert!(
        echoes.len() >= 2000,
        "the echoes answered before the burst are logged"
    );
    assert_eq!(
        echoes,
        (1..=echoes.len() as u32).collect::<Vec<_>>(),
        "the log's echoes are 1.. in order, without holes"
    );
    assert!(
        echoes.len() as u32 <= committed,
        "nothing logged that was not committed"
    );
    println!(
        "journal committed {committed} echoes; the messages log holds {}; missing at the end: {}",
        echoes.len(),
        committed - echoes.len() as u32
    );
}

fn has(line: &[u8], what: &[u8]) -> bool {
    line.windows(what.len()).any(|w| w == what)
}

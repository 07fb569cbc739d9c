//! `gapless run --validator software|verilator` completes a FIX session
//! with gaps recovered: logon, a gap answered by ResendRequest(7=2,16=0),
//! the held message released by the peer's GapFill, a PossDup replay
//! discarded, a garbled frame skipped, and logout.

#[path = "support/peer.rs"]
mod peer;

use std::process::{Child, Command, Stdio};

use peer::Peer;

struct Run(Child);

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn gapless_run(validator: &str) -> (Run, u16) {
    let dir = std::env::temp_dir().join(format!("gapless-runv-{validator}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = dir.join("acceptor.cfg");
    std::fs::write(
        &cfg,
        format!(
            "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort={port}\nSocketAcceptHost=127.0.0.1\n\
             FileStorePath={}\nResetOnLogon=Y\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=ISLD\nTargetCompID=TW\n",
            dir.join("store").display()
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_gapless"))
        .args(["run", "--app", "echo", "--validator", validator, "--config"])
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gapless run");
    let run = Run(child);
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (run, port);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("gapless run --validator {validator} did not listen on {port}");
}

const ORDER: &str = "11=ID|21=1|55=GPLS|54=1|60=20231114-22:13:20|40=1|38=100|";

fn session_with_gap_recovers(validator: &str) {
    let (_run, port) = gapless_run(validator);
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    p.send("D", &ORDER.replace("ID", "ID2"));
    assert_eq!(p.expect("D").get(11).as_deref(), Some("ID2"));
    // Seq 3 and 4 go missing: 5 is held and 3.. requested.
    p.send_seq("D", 5, &ORDER.replace("ID", "ID5"));
    let rr = p.expect("2");
    assert_eq!(
        (rr.get(7).as_deref(), rr.get(16).as_deref()),
        (Some("3"), Some("0"))
    );
    p.send_raw(b"8=FIX.4.4\x019=5\x0135=0\x0110=000\x01");
    let gf = p.build("4", 3, true, "20231114-22:13:20", "123=Y|36=4|");
    p.send_raw(&gf);
    p.send_seq("D", 4, &ORDER.replace("ID", "ID4"));
    // 4 is delivered, then the held 5 at once.
    assert_eq!(p.expect("D").get(11).as_deref(), Some("ID4"));
    assert_eq!(p.expect("D").get(11).as_deref(), Some("ID5"));
    // A replay of 2 (PossDup) is discarded: the next reply is to 6.
    let dup = p.build(
        "D",
        2,
        true,
        "20231114-22:13:20",
        &ORDER.replace("ID", "ID2"),
    );
    p.send_raw(&dup);
    p.next_seq = 6;
    p.send("D", &ORDER.replace("ID", "ID6"));
    assert_eq!(p.expect("D").get(11).as_deref(), Some("ID6"));
    p.send("5", "");
    p.expect("5");
}

#[test]
fn gapless_run_with_the_software_validator_recovers_a_gap() {
    session_with_gap_recovers("software");
}

#[cfg(feature = "verilator")]
#[test]
fn gapless_run_with_the_rtl_validator_recovers_a_gap() {
    session_with_gap_recovers("verilator");
}

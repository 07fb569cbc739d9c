//! The live view and the operator's controls, end to end against a
//! running `gapless run`: `curl` of MetricsPort and `gapless admin status`
//! show the session's live seqs; `set-seqs` and `resend` act on it.

#[path = "support/peer.rs"]
mod peer;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use peer::Peer;

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Kills the engine when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn admin(socket: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_gapless"))
        .arg("admin")
        .arg("--socket")
        .arg(socket)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "gapless admin {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn curl(port: u16) -> String {
    let out = Command::new("curl")
        .args(["-sf", &format!("http://127.0.0.1:{port}/metrics")])
        .output()
        .expect("curl");
    assert!(out.status.success(), "curl: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Polls `f` until it holds (the gauges are published once a millisecond).
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn metrics_and_admin_status_show_live_seqs_and_set_seqs_and_resend_act_on_the_session() {
    let (port, metrics) = (free_port(), free_port());
    let dir = std::env::temp_dir().join(format!("gapless-admin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("control.sock");
    let cfg = format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort={port}\nSocketAcceptHost=127.0.0.1\n\
         MetricsPort={metrics}\nControlSocket={}\n\
         [SESSION]\nBeginString=FIX.4.4\nSenderCompID=ISLD\nTargetCompID=TW\n",
        socket.display()
    );
    std::fs::write(dir.join("engine.cfg"), cfg).unwrap();
    let _engine = Running(
        Command::new(env!("CARGO_BIN_EXE_gapless"))
            .args(["run", "--app", "echo", "--config"])
            .arg(dir.join("engine.cfg"))
            .arg("--trace-dir")
            .arg(dir.join("trace"))
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    for id in 1..=3 {
        p.send("D", &format!("11={id}\x0154=1\x01"));
        p.expect("D");
    }
    // Logon + 3 orders in, Logon + 3 echoes out.
    let session = "session=\"FIX.4.4:ISLD->TW\"";
    eventually("the metrics' seqs", || {
        let m = curl(metrics);
        m.contains(&format!("gapless_next_in{{{session}}} 5\n"))
            && m.contains(&format!("gapless_next_out{{{session}}} 5\n"))
            && m.contains(&format!("gapless_state{{{session}}} 2\n"))
    });
    let status = admin(&socket, &["status"]);
    assert!(
        status.contains("FIX.4.4:ISLD->TW state=active next_in=5 next_out=5"),
        "{status}"
    );
    // --trace-dir: the same events in today's file, from the background writer.
    eventually("the logon event in the trace file", || {
        let files = std::fs::read_dir(dir.join("trace")).into_iter().flatten();
        files.flatten().any(|f| {
            let name = f.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(f.path()).unwrap_or_default();
            name.starts_with("gapless.log.")
                && text.contains("gapless::event: Logon completed session=FIX.4.4:ISLD->TW")
        })
    });

    assert!(admin(&socket, &["set-seqs", "0", "10", "20"]).starts_with("queued"));
    eventually("set-seqs applied", || {
        admin(&socket, &["status"]).contains("next_in=10 next_out=20")
    });
    p.send_seq("D", 10, "11=4\x0154=1\x01");
    assert_eq!(p.expect("D").seq(), 20, "our next seq is the one set");

    assert!(admin(&socket, &["resend", "0", "2", "4"]).starts_with("queued"));
    let rr = p.expect("2");
    assert_eq!(
        (rr.get(7), rr.get(16)),
        (Some("2".into()), Some("4".into()))
    );
    assert!(
        !Command::new(env!("CARGO_BIN_EXE_gapless"))
            .args(["admin", "--socket"])
            .arg(&socket)
            .args(["set-seqs", "7", "1", "1"])
            .status()
            .unwrap()
            .success(),
        "a session that does not exist is an error"
    );
}

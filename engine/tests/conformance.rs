//! The shipped conformance setup: `gapless run --app conformance` with
//! `engine/configs/conformance.cfg` serves TW42 (FIX.4.2), TW44 (FIX.4.4)
//! and TW50/TW50SP1/TW50SP2 (FIXT.1.1) on one port, each validated against
//! QuickFIX's dictionaries, routed by CompIDs.

#[path = "support/peer.rs"]
mod peer;

use std::process::{Command, Stdio};

use peer::Peer;

fn quickfix_dir() -> String {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .unwrap();
    format!(
        "{}/share/quickfix",
        String::from_utf8(out.stdout).unwrap().trim()
    )
}

#[test]
fn one_port_serves_every_conformance_session_routed_by_comp_ids() {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/conformance.cfg");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = std::fs::read_to_string(shipped).unwrap().replace(
        "SocketAcceptPort=5001",
        &format!("SocketAcceptPort={port}\nSocketAcceptHost=127.0.0.1"),
    );
    let path = std::env::temp_dir().join(format!("gapless-conformance-{}.cfg", std::process::id()));
    std::fs::write(&path, cfg).unwrap();
    let _engine = Kill(
        Command::new(env!("CARGO_BIN_EXE_gapless"))
            .args(["run", "--app", "conformance", "--config"])
            .arg(&path)
            .env("GAPLESS_DICT_DIR", quickfix_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let order = "11=C1|21=1|55=GPLS|54=1|60=20231114-22:13:20|40=1|38=100|";
    for (begin, me, appl) in [
        ("FIX.4.2", "TW42", ""),
        ("FIX.4.4", "TW44", ""),
        ("FIXT.1.1", "TW50", "1137=7|"),
        ("FIXT.1.1", "TW50SP1", "1137=8|"),
        ("FIXT.1.1", "TW50SP2", "1137=9|"),
    ] {
        let mut p = Peer::connect(port, begin, me, "ISLD");
        p.send("A", &format!("98=0|108=30|{appl}"));
        p.expect("A");
        p.send("D", order);
        assert_eq!(p.expect("D").get(11).as_deref(), Some("C1"), "{me}");
        p.send("D", &order.replace("54=1", "54=Z"));
        assert_eq!(
            p.expect("3").get(373).as_deref(),
            Some("5"),
            "{me}: dictionary on"
        );
        // 19b: PossResend(97) is kept on the echo, as QuickFIX's test
        // application copies the whole message.
        let resent = p.send("D", &format!("97=Y|{}", order.replace("C1", "C2")));
        let echo = p.expect("D");
        assert_eq!(
            (echo.get(97).as_deref(), echo.get(11).as_deref()),
            (Some("Y"), Some("C2")),
            "{me} {resent}"
        );
        // ReverseRoute: a Reject goes back to the OnBehalfOfCompID.
        p.send(
            "D",
            &format!("115=JCD|116=CS|{}", order.replace("40=1", "40=w")),
        );
        let r = p.expect("3");
        assert_eq!(
            (
                r.get(128).as_deref(),
                r.get(129).as_deref(),
                r.get(371).as_deref()
            ),
            (Some("JCD"), Some("CS"), Some("40")),
            "{me}"
        );
        // A valid News the conformance application does not handle.
        p.send("B", "148=hi|33=1|58=line|");
        let bmr = p.expect("j");
        assert_eq!(bmr.get(380).as_deref(), Some("3"), "{me}");
        // 2r: under FIXT the BusinessMessageReject names the version.
        let want = appl
            .strip_prefix("1137=")
            .map(|v| v.trim_end_matches('|').to_string());
        assert_eq!(bmr.get(1137), want, "{me}");
    }
    let _ = std::fs::remove_file(path);
}

/// Kills the engine however the test ends (a panic included), so no child
/// outlives the test holding its output pipes.
struct Kill(std::process::Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

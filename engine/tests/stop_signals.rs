//! SIGTERM and SIGINT stop `gapless run` the way `--seconds` does: every
//! session sends Logout, waits for the peer's Logout up to LogoutTimeout,
//! the logs are flushed, and the process exits 0.

#[path = "support/peer.rs"]
mod peer;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use peer::Peer;

/// A `gapless run --app null` acceptor (GAPLESS, FIX.4.4) with its logs
/// in a fresh directory.
struct Engine {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Engine {
    fn start(name: &str, logout_timeout: u32) -> Engine {
        Self::start_with(name, logout_timeout, None)
    }

    /// Starts the engine, with `ignored` set to SIG_IGN in the child if
    /// given (as `nohup` or a shell's background job would).
    fn start_with(name: &str, logout_timeout: u32, ignored: Option<i32>) -> Engine {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("gapless-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = format!(
            "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort={port}\n\
             SocketAcceptHost=127.0.0.1\nLogoutTimeout={logout_timeout}\n\
             FileLogPath={}\n\
             [SESSION]\nBeginString=FIX.4.4\nSenderCompID=GAPLESS\nTargetCompID=CLIENT\n",
            dir.join("log").display()
        );
        let path = dir.join("engine.cfg");
        std::fs::write(&path, cfg).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gapless"));
        cmd.args(["run", "--app", "null", "--config"])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(sig) = ignored {
            use std::os::unix::process::CommandExt;
            // SAFETY: the closure runs in the forked child before exec and
            // only calls signal(2), which is async-signal-safe.
            unsafe {
                cmd.pre_exec(move || {
                    libc::signal(sig, libc::SIG_IGN);
                    Ok(())
                });
            }
        }
        let child = cmd.spawn().unwrap();
        Engine { child, port, dir }
    }

    fn signal(&self, sig: i32) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill only sends a signal to the engine child, which
        // this test started and has not reaped (so the pid is its own).
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }

    /// The exit status, within `secs` seconds.
    fn exit_within(&mut self, secs: u64) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the engine did not exit within {secs} s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The lines of the session's `kind` log (`messages` or `event`).
    fn log(&self, kind: &str) -> String {
        let file = Path::new(&self.dir)
            .join("log")
            .join(format!("FIX.4.4-GAPLESS-CLIENT.{kind}.current.log"));
        std::fs::read_to_string(&file).unwrap_or_default()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Logs on, sends `sig`, answers the engine's Logout; the engine must
/// exit 0 with both Logouts in its message log.
fn signal_logs_out_and_exits_zero(name: &str, sig: i32) {
    let mut e = Engine::start(name, 5);
    let mut p = Peer::connect(e.port, "FIX.4.4", "CLIENT", "GAPLESS");
    p.logon(30);
    e.signal(sig);
    let logout = p.expect("5");
    assert_eq!(logout.seq(), 2, "Logout follows the Logon");
    p.send("5", "");
    let status = e.exit_within(5);
    assert_eq!(status.code(), Some(0), "{status}");
    let messages = e.log("messages");
    assert_eq!(
        messages.matches("\x0135=5\x01").count(),
        2,
        "both Logouts logged: {}",
        messages.replace('\x01', "|")
    );
}

#[test]
fn sigterm_sends_logout_and_exits_zero_once_the_peer_answers() {
    signal_logs_out_and_exits_zero("sigterm", libc::SIGTERM);
}

#[test]
fn sigint_sends_logout_and_exits_zero_once_the_peer_answers() {
    signal_logs_out_and_exits_zero("sigint", libc::SIGINT);
}

#[test]
fn sigterm_with_an_unanswered_logout_exits_zero_after_logout_timeout() {
    let mut e = Engine::start("sigterm-unanswered", 2);
    let mut p = Peer::connect(e.port, "FIX.4.4", "CLIENT", "GAPLESS");
    p.logon(30);
    e.signal(libc::SIGTERM);
    p.expect("5");
    let sent = Instant::now();
    let status = e.exit_within(6);
    let waited = sent.elapsed();
    assert_eq!(status.code(), Some(0), "{status}");
    assert!(
        waited >= Duration::from_millis(1_800),
        "exited {waited:?} after the Logout, before LogoutTimeout=2"
    );
}

#[test]
fn sigint_inherited_as_ignored_stays_ignored_and_sigterm_still_logs_out() {
    let mut e = Engine::start_with("sigint-ignored", 5, Some(libc::SIGINT));
    let mut p = Peer::connect(e.port, "FIX.4.4", "CLIENT", "GAPLESS");
    p.logon(30);
    e.signal(libc::SIGINT);
    p.expect_silence(500);
    assert!(e.child.try_wait().unwrap().is_none(), "SIGINT stopped it");
    e.signal(libc::SIGTERM);
    p.expect("5");
    p.send("5", "");
    assert_eq!(e.exit_within(5).code(), Some(0));
}

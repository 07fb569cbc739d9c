//! The engines the suite runs against, started inside this process's
//! private network namespace.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The port the engines listen on (the namespace is private: no clash).
pub const PORT: u16 = 5001;

/// A running engine; killed on drop. Its output goes to `log`.
pub struct Engine {
    child: Child,
    pub log: PathBuf,
}

impl Engine {
    /// Waits until the engine accepts connections; panics with its log if
    /// it exits or does not listen within 30 s.
    pub fn wait_listening(&mut self, port: u16) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = self.child.try_wait().ok().flatten();
            if exited.is_some() || std::time::Instant::now() > deadline {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!("engine not listening on {port} ({exited:?}); its output:\n{log}");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("gapless-acceptance-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn spawn(mut cmd: Command, dir: &Path) -> Engine {
    let log = dir.join("engine.log");
    let out = std::fs::File::create(&log).unwrap();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("start {cmd:?}: {e}"));
    Engine { child, log }
}

/// The PyPI quickfix package's dictionaries.
pub fn quickfix_share() -> String {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .expect("python3");
    format!(
        "{}/share/quickfix",
        String::from_utf8_lossy(&out.stdout).trim()
    )
}

/// `gapless run --app conformance` with the shipped conformance config.
pub fn gapless() -> Engine {
    let dir = scratch("gapless");
    let shipped = std::fs::read_to_string(manifest().join("configs/conformance.cfg")).unwrap();
    let cfg = shipped.replace("SocketAcceptPort=5001", &format!("SocketAcceptPort={PORT}"));
    let path = dir.join("conformance.cfg");
    std::fs::write(&path, cfg).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gapless"));
    cmd.args(["run", "--app", "conformance", "--config"])
        .arg(&path)
        .env("GAPLESS_DICT_DIR", quickfix_share())
        .current_dir(&dir);
    spawn(cmd, &dir)
}

/// QuickFIX's acceptor set up as QuickFIX's test engine (`at.py`).
pub fn quickfix() -> Engine {
    let dir = scratch("quickfix");
    let script = manifest().join("../scripts/qf_acceptor.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script)
        .args(["--port", &PORT.to_string(), "--store"])
        .arg(dir.join("store"))
        .current_dir(&dir);
    spawn(cmd, &dir)
}

//! Exactly-once across kill -9: a `gapless run` acceptor with a file store
//! is killed at random points of a stream and restarted; the initiator's
//! application must still see every echo exactly once, in order.

#[path = "support/feeder.rs"]
mod feeder;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use feeder::Feeder;
use gapless::runtime::transport::KernelTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::SessionConfig;
use gapless::store::FileStore;

fn acceptor(cfg: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_gapless"))
        .args(["run", "--config"])
        .arg(cfg)
        .args(["--app", "echo"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gapless run")
}

/// A small deterministic PRNG for kill times.
fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

#[test]
fn kill_9_of_the_acceptor_neither_loses_nor_duplicates_nor_reorders() {
    let dir = std::env::temp_dir().join(format!("gapless-crash-{}", std::process::id()));
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
             FileStorePath={}\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=GAPLESS\nTargetCompID=CLIENT\n",
            dir.join("acceptor-store").display()
        ),
    )
    .unwrap();

    let total = 20_000;
    let (feeder, received, errors) = Feeder::new(total);
    let (store, _flusher) = FileStore::open(
        &dir.join("initiator-store"),
        "FIX.4.4-CLIENT-GAPLESS",
        1 << 24,
    )
    .unwrap();
    let mut icfg = SessionConfig::new("FIX.4.4", "CLIENT", "GAPLESS", true);
    icfg.resend_timeout = 1_000_000_000;
    let initiator = Engine::start(
        vec![SessionSpec {
            cfg: icfg,
            store: Box::new(store),
            app: Box::new(feeder),
            check: None,
            connect: Some(format!("127.0.0.1:{port}").parse().unwrap()),
            accept_port: None,
            reconnect_secs: 1,
        }],
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        EngineOptions::new(1),
    )
    .unwrap();

    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut child = acceptor(&cfg);
    let mut kills = 0;
    let deadline = Instant::now() + Duration::from_secs(90);
    while received.load(Ordering::Relaxed) < total && Instant::now() < deadline {
        if kills < 5 && received.load(Ordering::Relaxed) > (kills + 1) * total / 7 {
            std::thread::sleep(Duration::from_millis(next(&mut rng) % 50));
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            kills += 1;
            child = acceptor(&cfg);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    initiator.stop();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(kills, 5, "the stream ended before every kill happened");
    assert_eq!(received.load(Ordering::Relaxed), total, "echoes received");
    assert_eq!(
        errors.load(Ordering::Relaxed),
        0,
        "echoes lost, duplicated or out of order"
    );
}

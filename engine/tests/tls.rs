//! TLS on the kernel path (rustls): a QuickFIX SSL initiator and a
//! Gapless initiator each exchange orders exactly once with a Gapless
//! acceptor over mutual TLS; a client without a certificate signed by the
//! configured CA never gets a Logon answered. Certificates are made with
//! the `openssl` command in a temporary directory.

#[path = "support/feeder.rs"]
mod feeder;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use feeder::Feeder;
use gapless::app::AppKind;
use gapless::runtime::tls::{TlsSettings, TlsTransport};
use gapless::runtime::transport::KernelTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::SessionConfig;
use gapless::store::MemoryStore;

fn openssl(dir: &Path, args: &[&str]) {
    let ok = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the openssl command (Debian openssl)")
        .success();
    assert!(ok, "openssl {args:?}");
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate
/// signed by `ca`; returns the directory.
fn certificates(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gapless-tls-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("server.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    std::fs::write(dir.join("client.ext"), "subjectAltName=DNS:client\n").unwrap();
    for ca in ["ca", "rogue"] {
        let subj = format!("/CN=Gapless test {ca}");
        openssl(
            &dir,
            &[
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", &subj,
            ]
            .into_iter()
            .chain([
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.pem"),
            ])
            .collect::<Vec<_>>(),
        );
    }
    for (who, ca) in [("server", "ca"), ("client", "ca"), ("stranger", "rogue")] {
        let (key, csr, pem) = (
            format!("{who}.key"),
            format!("{who}.csr"),
            format!("{who}.pem"),
        );
        let ext = if who == "server" {
            "server.ext"
        } else {
            "client.ext"
        };
        let subj = format!("/CN={who}");
        openssl(
            &dir,
            &[
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", &subj, "-keyout", &key, "-out",
                &csr,
            ],
        );
        openssl(
            &dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &format!("{ca}.pem"),
                "-CAkey",
                &format!("{ca}.key"),
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                ext,
                "-out",
                &pem,
            ],
        );
    }
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A Gapless echo acceptor that requires client certificates.
fn tls_acceptor(dir: &Path, port: u16, target: &str) -> Engine {
    let tls = TlsSettings {
        certificate: Some(dir.join("server.pem")),
        key: Some(dir.join("server.key")),
        ca: Some(dir.join("ca.pem")),
        verify_peer: true,
        ..Default::default()
    };
    let t = TlsTransport::new(KernelTransport::new("127.0.0.1".parse().unwrap()), &tls).unwrap();
    let spec = SessionSpec {
        cfg: SessionConfig::new("FIX.4.4", "GAPLESS", target, false),
        store: Box::new(MemoryStore::new()),
        app: AppKind::Echo.build("FIX.4.4"),
        check: None,
        connect: None,
        accept_port: Some(port),
        reconnect_secs: 1,
    };
    Engine::start(vec![spec], t, EngineOptions::new(1)).unwrap()
}

/// A Gapless initiator feeding `total` orders with client certificate
/// `who` (or none).
fn tls_initiator(dir: &Path, port: u16, who: Option<&str>, total: u64) -> (Engine, Feeder2) {
    let tls = TlsSettings {
        certificate: who.map(|w| dir.join(format!("{w}.pem"))),
        key: who.map(|w| dir.join(format!("{w}.key"))),
        ca: Some(dir.join("ca.pem")),
        ..Default::default()
    };
    let t = TlsTransport::new(KernelTransport::new("127.0.0.1".parse().unwrap()), &tls).unwrap();
    let (feeder, received, errors) = Feeder::new(total);
    let spec = SessionSpec {
        cfg: SessionConfig::new("FIX.4.4", "CLIENT", "GAPLESS", true),
        store: Box::new(MemoryStore::new()),
        app: Box::new(feeder),
        check: None,
        connect: Some(format!("127.0.0.1:{port}").parse().unwrap()),
        accept_port: None,
        reconnect_secs: 1,
    };
    let e = Engine::start(vec![spec], t, EngineOptions::new(1)).unwrap();
    (e, Feeder2 { received, errors })
}

struct Feeder2 {
    received: std::sync::Arc<std::sync::atomic::AtomicU64>,
    errors: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

fn wait_for(received: &Feeder2, total: u64, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while received.received.load(Ordering::Relaxed) < total && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn gapless_initiator_and_acceptor_exchange_orders_over_mutual_tls() {
    let dir = certificates("pair");
    let port = free_port();
    let acceptor = tls_acceptor(&dir, port, "CLIENT");
    let (initiator, f) = tls_initiator(&dir, port, Some("client"), 5_000);
    wait_for(&f, 5_000, 60);
    initiator.stop();
    acceptor.stop();
    assert_eq!(f.received.load(Ordering::Relaxed), 5_000, "echoes over TLS");
    assert_eq!(
        f.errors.load(Ordering::Relaxed),
        0,
        "lost, duplicated or reordered"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_client_without_a_certificate_from_the_ca_never_logs_on() {
    let dir = certificates("refuse");
    let port = free_port();
    let acceptor = tls_acceptor(&dir, port, "CLIENT");
    for who in [None, Some("stranger")] {
        let (initiator, f) = tls_initiator(&dir, port, who, 10);
        wait_for(&f, 10, 3);
        initiator.stop();
        assert_eq!(
            f.received.load(Ordering::Relaxed),
            0,
            "client {who:?} got through"
        );
    }
    acceptor.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Builds the QuickFIX C++ SSL peer (Debian libquickfix has OpenSSL;
/// the PyPI wheel does not).
fn qf_tls_peer(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/quickfix/qf_tls_peer.cpp");
    let bin = dir.join("qf_tls_peer");
    let ok = Command::new("g++")
        .args(["-std=c++11", "-w", "-O1", "-DHAVE_SSL=1", "-o"])
        .arg(&bin)
        .arg(src)
        .args(["-lquickfix", "-lpthread", "-lssl", "-lcrypto"])
        .status()
        .expect("g++ and libquickfix-dev (scripts/install-deps.sh)")
        .success();
    assert!(ok, "qf_tls_peer builds");
    bin
}

#[test]
fn quickfix_ssl_initiator_exchanges_orders_with_a_gapless_tls_acceptor() {
    let dir = certificates("qf");
    let peer = qf_tls_peer(&dir);
    let port = free_port();
    let acceptor = tls_acceptor(&dir, port, "TW");
    let p = |f: &str| dir.join(f).display().to_string();
    let out = Command::new(peer)
        .args([
            &port.to_string(),
            "2000",
            &p("ca.pem"),
            &p("client.pem"),
            &p("client.key"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output()
        .expect("run qf_tls_peer");
    acceptor.stop();
    let text = String::from_utf8_lossy(&out.stdout);
    println!("quickfix peer: {text}");
    assert!(out.status.success(), "QuickFIX over TLS: {text}");
    assert!(text.contains("\"echoes\":2000"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

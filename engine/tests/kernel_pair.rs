//! Two Gapless engines over kernel TCP on 127.0.0.1: logon, a stream of
//! orders echoed back, logout.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gapless::app::Echo;
use gapless::codec::message::Message;
use gapless::runtime::transport::KernelTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::{AppReject, Application, Sender, SessionConfig};
use gapless::store::MemoryStore;
use gapless::validator::SoftwareValidator;

/// Sends `total` orders with ClOrdID 1.., checks echoes arrive once, in order.
struct Feeder {
    total: u64,
    sent: u64,
    next_expected: u64,
    received: Arc<AtomicU64>,
    errors: Arc<AtomicU64>,
}

impl Application for Feeder {
    fn on_message(&mut self, msg: &Message, _: &mut Sender) -> Result<(), AppReject> {
        let id = msg
            .get(11)
            .and_then(gapless::codec::message::parse_uint)
            .unwrap_or(0);
        if id != self.next_expected {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.next_expected = id + 1;
        self.received.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn poll(&mut self, tx: &mut Sender) {
        for _ in 0..16 {
            if self.sent == self.total || self.sent >= self.next_expected - 1 + 256 {
                return;
            }
            self.sent += 1;
            let id = self.sent;
            tx.send(b"D", |b| {
                b.uint(11, id)
                    .char(21, b'1')
                    .str(55, b"GPLS")
                    .char(54, b'1')
                    .uint(38, 100)
                    .char(40, b'1');
            });
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn opts() -> EngineOptions {
    EngineOptions {
        hot_path_core: None,
        max_message: 65536,
        resend_rate: 100_000,
        validator: Box::new(SoftwareValidator::new(1, 65536)),
        on_event: None,
        probe: false,
    }
}

#[test]
fn ten_thousand_orders_are_echoed_once_in_order_over_loopback() {
    let port = free_port();
    let acceptor = Engine::start(
        vec![SessionSpec {
            cfg: SessionConfig::new("FIX.4.4", "ISLD", "CLIENT", false),
            store: Box::new(MemoryStore::new()),
            app: Box::new(Echo),
            check: None,
            connect: None,
            accept_port: Some(port),
            reconnect_secs: 1,
        }],
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        opts(),
    )
    .unwrap();
    let (received, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let feeder = Feeder {
        total: 10_000,
        sent: 0,
        next_expected: 1,
        received: received.clone(),
        errors: errors.clone(),
    };
    let initiator = Engine::start(
        vec![SessionSpec {
            cfg: SessionConfig::new("FIX.4.4", "CLIENT", "ISLD", true),
            store: Box::new(MemoryStore::new()),
            app: Box::new(feeder),
            check: None,
            connect: Some(format!("127.0.0.1:{port}").parse().unwrap()),
            accept_port: None,
            reconnect_secs: 1,
        }],
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        opts(),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.load(Ordering::Relaxed) < 10_000 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let ri = initiator.stop();
    let ra = acceptor.stop();
    assert_eq!(received.load(Ordering::Relaxed), 10_000);
    assert_eq!(errors.load(Ordering::Relaxed), 0);
    assert_eq!(ra.sessions[0].stats.delivered, 10_000);
    assert_eq!(ri.sessions[0].next_out, 10_002);
}

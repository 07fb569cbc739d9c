//! An order-sending client: `order_client CONFIG ORDERS`.
//!
//! The engine runs the session from CONFIG (an initiator). A strategy
//! thread of our own sends ORDERS NewOrderSingles (ClOrdID `gl-<n>`)
//! through a `SendHandle` once the session is logged on; the
//! Application counts the replies that carry our ClOrdIDs (execution
//! reports, or an echo). Done when every order has its reply: the engine
//! logs out, we print one JSON line and exit 0 (1 on a timeout).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gapless::codec::encode::Body;
use gapless::codec::message::Message;
use gapless::codec::time::{self, Precision};
use gapless::fields::fix44::messages::NewOrderSingle;
use gapless::fields::fix44::{HandlInst, OrdType, Side};
use gapless::fields::Decimal;
use gapless::launch::EngineBuilder;
use gapless::runtime::send::SendError;
use gapless::session::{AppReject, Application, Sender, SessionId};

/// What the Application shares with `main` and the strategy thread.
#[derive(Default)]
struct Shared {
    logged_on: AtomicBool,
    replies: AtomicU64,
}

/// Runs on the hot path: counts replies, never blocks.
struct Client {
    shared: Arc<Shared>,
}

impl Application for Client {
    fn on_message(&mut self, msg: &Message, _tx: &mut Sender) -> Result<(), AppReject> {
        if msg.get(11).is_some_and(|id| id.starts_with(b"gl-")) {
            self.shared.replies.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    fn on_logon(&mut self, id: &SessionId, _tx: &mut Sender) {
        eprintln!("{id}: logged on");
        self.shared.logged_on.store(true, Ordering::Release);
    }

    fn on_logout(&mut self, id: &SessionId) {
        eprintln!("{id}: logged out");
        self.shared.logged_on.store(false, Ordering::Release);
    }
}

/// The strategy thread: builds each order in one reused buffer (no
/// allocation per order) and queues it for session 0.
fn strategy(mut orders: gapless::runtime::send::SendHandle, shared: Arc<Shared>, n: u64) {
    while !shared.logged_on.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut body = Vec::with_capacity(256);
    for k in 1..=n {
        body.clear();
        let mut id = [0u8; 24];
        NewOrderSingle(&mut Body::new(&mut body))
            .cl_ord_id(cl_ord_id(&mut id, k))
            .handl_inst(HandlInst::AutomatedExecutionNoIntervention)
            .symbol(b"GPLS")
            .side(Side::Buy)
            .transact_time(time::now(), Precision::Millis)
            .order_qty(Decimal::new(100, 0))
            .ord_type(OrdType::Market);
        while let Err(SendError::Full) = orders.send(0, NewOrderSingle::MSG_TYPE, &body) {
            std::thread::yield_now();
        }
    }
}

/// `gl-<k>` in `buf`, without allocating.
fn cl_ord_id(buf: &mut [u8; 24], k: u64) -> &[u8] {
    let mut w = &mut buf[..];
    let _ = std::io::Write::write_fmt(&mut w, format_args!("gl-{k}"));
    let n = 24 - w.len();
    &buf[..n]
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(config), n) = (args.get(1), args.get(2).and_then(|a| a.parse().ok())) else {
        eprintln!("usage: order_client CONFIG ORDERS");
        return std::process::ExitCode::FAILURE;
    };
    let n: u64 = n.unwrap_or(1000);
    let mut builder = match EngineBuilder::from_file(config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("order_client: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let shared = Arc::new(Shared::default());
    let orders = builder.sender();
    let app_shared = shared.clone();
    let engine = match builder.start(|_| {
        Box::new(Client {
            shared: app_shared.clone(),
        })
    }) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("order_client: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let s = shared.clone();
    let strategy = std::thread::spawn(move || strategy(orders, s, n));
    let deadline = started + Duration::from_secs(60);
    while shared.replies.load(Ordering::Relaxed) < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let replies = shared.replies.load(Ordering::Relaxed);
    let report = engine.stop();
    let _ = strategy.join();
    let s = report.sessions.first();
    println!(
        "{{\"orders\":{n},\"replies\":{replies},\"seconds\":{:.2},\"next_out\":{},\"sends_dropped\":{}}}",
        started.elapsed().as_secs_f64(),
        s.map_or(0, |s| s.next_out),
        report.sends_dropped
    );
    if replies >= n {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

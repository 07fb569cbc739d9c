//! `gapless sim`: an embedded exchange streams ExecutionReports to a
//! Gapless client over loopback TCP, through a transport that drops,
//! duplicates and reorders messages; the client must see every report
//! exactly once, in order, and the run reports how recovery went.

pub mod hgrm;
pub mod intervals;
pub mod lossy;
pub mod machine;
#[cfg(feature = "cli")]
pub mod plot;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::codec::message::{parse_uint, Message};
use crate::codec::time::{self, Nanos};
use crate::fields::fix44::messages::{ExecutionReport, ExecutionReportView};
use crate::fields::fix44::{
    self as tag, groups, ExecType, OrdStatus, PartyIDSource, PartyRole, Side,
};
use crate::fields::{Decimal, FixEnum};
use crate::runtime::probe::Probe;
use crate::runtime::transport::KernelTransport;
use crate::runtime::{Engine, EngineOptions, SessionReport, SessionSpec, StartError};
use crate::session::{AppReject, Application, Event, Sender, SessionConfig, Stats};
use crate::store::MemoryStore;
use crate::validator::SeqValidator;
use lossy::{FaultCounters, FaultPlan, LossyTransport};

/// User-defined tag carrying the exchange's send time in nanoseconds.
pub const TAG_SEND_NANOS: u32 = 9001;

/// What to simulate.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// ExecutionReports per second.
    pub rate: u32,
    /// Length of the stream.
    pub seconds: f64,
    /// Faults injected on the exchange's side.
    pub faults: FaultPlan,
    /// TCP port on 127.0.0.1.
    pub port: u16,
}

/// What happened.
pub struct SimReport {
    /// ExecutionReports the exchange sent.
    pub sent: u64,
    /// Delivered to the client application.
    pub received: u64,
    /// Never delivered.
    pub lost: u64,
    /// Delivered more than once.
    pub duplicated: u64,
    /// Delivered out of order.
    pub out_of_order: u64,
    /// Delivered with fields that did not read back as sent.
    pub misread: u64,
    /// Faults injected.
    pub faults: Arc<FaultCounters>,
    /// The client session's counters.
    pub client: Stats,
    /// The exchange session's final state.
    pub exchange: Option<SessionReport>,
    /// Exchange's scheduled send → client application (end to end over
    /// loopback, corrected for coordinated omission), nanoseconds.
    pub latency: Histogram<u64>,
    /// The same, per interval of the run.
    pub latency_intervals: Vec<intervals::Interval>,
    /// (a) Client read from the socket → client application.
    pub wire_to_app: Histogram<u64>,
    /// (b) Gap detected → ResendRequest handed to the socket.
    pub gap_to_request: Histogram<u64>,
    /// (c) Gap detected → gap filled and held messages released.
    pub gap_to_fill: Histogram<u64>,
    /// (d) Exchange application → wire (`send` returned).
    pub app_to_wire: Histogram<u64>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

/// Progress counters readable while the sim runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Reports sent by the exchange.
    pub sent: AtomicU64,
    /// Reports delivered to the client.
    pub received: AtomicU64,
    /// Reports delivered again.
    pub duplicated: AtomicU64,
    /// Reports delivered after a later one.
    pub out_of_order: AtomicU64,
    /// Reports whose typed fields or Parties group did not read back as
    /// the exchange wrote them.
    pub misread: AtomicU64,
}

/// The exchange: streams paced ExecutionReports once logged on.
struct Feed {
    rate: u32,
    total: u64,
    sent: u64,
    started: Option<Nanos>,
    progress: Arc<Progress>,
}

impl Application for Feed {
    fn on_message(&mut self, _: &Message, _: &mut Sender) -> Result<(), AppReject> {
        Ok(())
    }

    fn poll(&mut self, tx: &mut Sender) {
        let start = *self.started.get_or_insert_with(time::now);
        let period = 1_000_000_000 / u64::from(self.rate.max(1));
        let due = time::now().saturating_sub(start) / period;
        let until = due.min(self.total).min(self.sent + 64);
        while self.sent < until {
            self.sent += 1;
            let id = self.sent;
            // The schedule, not the actual send time: latency then counts
            // any backlog (no coordinated omission).
            let now = start + id * period;
            let px = Decimal::new(10125, 2);
            tx.send(ExecutionReport::MSG_TYPE, |b| {
                let mut er = ExecutionReport(b);
                er.order_id(b"ORD-1").0.uint(tag::EXEC_ID, id);
                er.exec_type(ExecType::Trade)
                    .ord_status(OrdStatus::PartiallyFilled)
                    .symbol(b"GPLS")
                    .side(Side::Buy)
                    .order_qty(Decimal::new(100, 0))
                    .last_qty(Decimal::new(10, 0))
                    .last_px(px)
                    .leaves_qty(Decimal::new(90, 0))
                    .cum_qty(Decimal::new(10, 0))
                    .avg_px(px)
                    .no_party_ids(PARTIES.len() as u64);
                for (id, role) in PARTIES {
                    er.0.str(tag::PARTY_ID, id)
                        .enumerated(PartyIDSource::Proprietary)
                        .enumerated(role);
                }
                er.0.uint(TAG_SEND_NANOS, now);
            });
        }
        self.progress.sent.store(self.sent, Ordering::Relaxed);
    }
}

/// The Parties group of every ExecutionReport.
const PARTIES: [(&[u8], PartyRole); 2] = [
    (b"GPLS", PartyRole::ExecutingFirm),
    (b"TRADER-7", PartyRole::OrderOriginationTrader),
];

/// Whether `msg` reads back, through the typed getters and the generated
/// Parties group, as the Feed wrote it.
fn reads_back(msg: &Message) -> bool {
    let px = Some(Decimal::new(10125, 2));
    let er = ExecutionReportView(msg);
    let typed = er.exec_type() == Some(ExecType::Trade)
        && er.ord_status() == Some(OrdStatus::PartiallyFilled)
        && er.side() == Some(Side::Buy)
        && er.last_px() == px
        && er.avg_px() == px
        && er.symbol() == Some(&b"GPLS"[..]);
    let Some(entries) = msg.repeating(&groups::PARTIES) else {
        return false;
    };
    let mut n = 0;
    for (entry, (id, role)) in entries.zip(PARTIES) {
        let read_role = entry.get(tag::PARTY_ROLE).and_then(PartyRole::parse);
        if entry.get(tag::PARTY_ID) != Some(id) || read_role != Some(role) {
            return false;
        }
        n += 1;
    }
    typed && n == PARTIES.len()
}

/// What the client measured: `(latency, wire_to_app, latency per interval)`.
type ClientOutcome = (Histogram<u64>, Histogram<u64>, Vec<intervals::Interval>);

/// Where the client leaves its outcome when it is dropped.
type ClientResult = Arc<Mutex<Option<ClientOutcome>>>;

/// The client: checks exactly-once, in-order delivery and records latency.
struct Client {
    next: u64,
    latency: Histogram<u64>,
    latency_intervals: intervals::Intervals,
    wire_to_app: Histogram<u64>,
    progress: Arc<Progress>,
    /// Receives the outcome when the hot path drops the app.
    result: ClientResult,
}

impl Application for Client {
    fn on_message(&mut self, msg: &Message, tx: &mut Sender) -> Result<(), AppReject> {
        let now = time::now();
        let _ = self.wire_to_app.record(now.saturating_sub(tx.now()).max(1));
        let id = msg.get(tag::EXEC_ID).and_then(parse_uint).unwrap_or(0);
        let p = &self.progress;
        match id.cmp(&self.next) {
            std::cmp::Ordering::Equal => {}
            std::cmp::Ordering::Less => _ = p.duplicated.fetch_add(1, Ordering::Relaxed),
            std::cmp::Ordering::Greater => _ = p.out_of_order.fetch_add(1, Ordering::Relaxed),
        }
        self.next = self.next.max(id + 1);
        p.received.fetch_add(1, Ordering::Relaxed);
        if !reads_back(msg) {
            p.misread.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(sent) = msg.get(TAG_SEND_NANOS).and_then(parse_uint) {
            let latency = now.saturating_sub(sent).max(1);
            let _ = self.latency.record(latency);
            self.latency_intervals.record(now, latency);
        }
        Ok(())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(mut slot) = self.result.lock() {
            let take = |h: &mut Histogram<u64>| std::mem::replace(h, histogram());
            let intervals = self.latency_intervals.finish(time::now());
            *slot = Some((
                take(&mut self.latency),
                take(&mut self.wire_to_app),
                intervals,
            ));
        }
    }
}

/// A histogram of nanoseconds from 1 ns to 100 s, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000_000, 3).expect("valid bounds")
}

/// Runs the simulation; `tick` is called about every 100 ms.
pub fn run(
    opts: &SimOptions,
    validator: Box<dyn SeqValidator + Send>,
    exchange_validator: Box<dyn SeqValidator + Send>,
    progress: Arc<Progress>,
    mut tick: impl FnMut(&Progress),
) -> Result<SimReport, StartError> {
    let total = (f64::from(opts.rate) * opts.seconds) as u64;
    let loopback = "127.0.0.1".parse().expect("an IP");
    let lossy = LossyTransport::new(KernelTransport::new(loopback), Some(opts.faults), None);
    let faults = lossy.counters();
    let feed = Feed {
        rate: opts.rate,
        total,
        sent: 0,
        started: None,
        progress: progress.clone(),
    };
    let mut exchange_cfg = SessionConfig::new("FIX.4.4", "EXCH", "GAPLESS", false);
    exchange_cfg.resend_timeout = 1_000_000_000;
    let exchange = Engine::start(
        vec![spec(exchange_cfg, Box::new(feed), None, Some(opts.port))],
        lossy,
        options(exchange_validator, None),
    )?;
    let result = Arc::new(Mutex::new(None));
    let client = Client {
        next: 1,
        latency: histogram(),
        latency_intervals: intervals::Intervals::new(opts.seconds),
        wire_to_app: histogram(),
        progress: progress.clone(),
        result: result.clone(),
    };
    let gap_to_fill = Arc::new(Mutex::new(histogram()));
    let mut client_cfg = SessionConfig::new("FIX.4.4", "GAPLESS", "EXCH", true);
    client_cfg.resend_timeout = 1_000_000_000;
    // A loss at the very end of the stream is only revealed by the next
    // message: a 1 s heartbeat bounds how long that takes.
    client_cfg.heartbeat_secs = 1;
    let addr = format!("127.0.0.1:{}", opts.port)
        .parse()
        .expect("an address");
    let started = Instant::now();
    let engine = Engine::start(
        vec![spec(client_cfg, Box::new(client), Some(addr), None)],
        KernelTransport::new(loopback),
        options(validator, Some(gap_timer(gap_to_fill.clone()))),
    )?;
    let deadline = started + Duration::from_secs_f64(opts.seconds * 3.0 + 10.0);
    while progress.received.load(Ordering::Relaxed) < total && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        tick(&progress);
    }
    std::thread::sleep(Duration::from_millis(200));
    let client_report = engine.stop();
    let exchange_report = exchange.stop();
    let elapsed = started.elapsed();
    let (latency, wire_to_app, latency_intervals) = result
        .lock()
        .ok()
        .and_then(|mut r| r.take())
        .unwrap_or_else(|| (histogram(), histogram(), Vec::new()));
    let probe = |r: &crate::runtime::EngineReport| r.probe.clone().unwrap_or_else(|| Probe::new(0));
    let seen = progress.received.load(Ordering::Relaxed);
    let duplicated = progress.duplicated.load(Ordering::Relaxed);
    let out_of_order = progress.out_of_order.load(Ordering::Relaxed);
    let gap_to_fill = gap_to_fill
        .lock()
        .map(|h| h.clone())
        .unwrap_or_else(|_| histogram());
    Ok(SimReport {
        sent: total,
        received: seen,
        lost: total.saturating_sub(seen - duplicated),
        duplicated,
        out_of_order,
        misread: progress.misread.load(Ordering::Relaxed),
        faults,
        client: client_report
            .sessions
            .first()
            .map(|r| r.stats)
            .unwrap_or_default(),
        exchange: exchange_report.sessions.first().cloned(),
        latency,
        latency_intervals,
        wire_to_app,
        gap_to_request: probe(&client_report).gap_to_request,
        gap_to_fill,
        app_to_wire: probe(&exchange_report).to_wire,
        elapsed,
    })
}

fn spec(
    cfg: SessionConfig,
    app: Box<dyn Application + Send>,
    connect: Option<std::net::SocketAddr>,
    accept_port: Option<u16>,
) -> SessionSpec {
    SessionSpec {
        cfg,
        store: Box::new(MemoryStore::new()),
        app,
        check: None,
        connect,
        accept_port,
        reconnect_secs: 1,
    }
}

fn options(
    validator: Box<dyn SeqValidator + Send>,
    on_event: Option<crate::runtime::EventHook>,
) -> EngineOptions {
    EngineOptions {
        resend_rate: 200_000,
        validator,
        on_event,
        probe: true,
        ..EngineOptions::new(1)
    }
}

/// Times each gap from detection to fill, off the hot path.
fn gap_timer(h: Arc<Mutex<Histogram<u64>>>) -> crate::runtime::EventHook {
    let mut open: Option<Nanos> = None;
    Box::new(move |_, t, ev| match ev {
        Event::Gap { .. } => {
            open.get_or_insert(t);
        }
        Event::GapFilled { .. } => {
            if let (Some(start), Ok(mut h)) = (open.take(), h.lock()) {
                let _ = h.record(t.saturating_sub(start).max(1));
            }
        }
        _ => {}
    })
}

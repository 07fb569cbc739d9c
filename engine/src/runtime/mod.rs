//! Threads and rings: the mission's shape on any transport.
//!
//! ```text
//!             cmds (rtrb SPSC: peer ResendRequests, disconnects)
//!  hot path  ───────────────────────────────────────────▶  recovery
//!  (pinned,  ◀───────────────────────────────────────────  thread
//!  busy-poll)  outputs (byte ring: resends and GapFills to write)
//!      │
//!      ├── events (rtrb) ──▶ event thread (event log)
//!      └── bytes (byte ring) ──▶ log thread (messages log)
//! ```
//!
//! Each session is a sans-IO [`Connection`] the hot path drives; our own
//! ResendRequests leave from the hot path in the turn that sees the gap.
//! The hot path only pushes and pops rings; a full ring refuses and the
//! hot path carries on (a refused peer ResendRequest is counted in
//! `cmds_dropped`; the peer asks again after its own timeout).

mod admission;
mod control;
#[cfg(feature = "dpdk")]
pub mod dpdk_transport;
pub mod hot_path;
pub mod probe;
mod recovery_thread;
pub mod ring;
pub mod send;
pub mod tls;
pub mod transport;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::codec::time::Nanos;
use crate::connection::Connection;
use crate::recovery::Recovery;
use crate::session::{Application, Event, MessageCheck, SessionConfig};
use crate::store::{MessageStore, StoreError};
use crate::validator::SeqValidator;

pub use hot_path::SessionReport;
use transport::Transport;

/// What the hot path tells the recovery thread.
#[derive(Clone, Copy, Debug)]
enum Cmd {
    /// Serve the peer's ResendRequest.
    Serve(u16, crate::session::ResendRange),
    /// The session lost its connection: abandon its replays.
    Disconnected(u16),
}

/// One session to run.
pub struct SessionSpec {
    /// Session settings.
    pub cfg: SessionConfig,
    /// Its store (resumed seqs come from here).
    pub store: Box<dyn MessageStore>,
    /// Its application.
    pub app: Box<dyn Application + Send>,
    /// Data-dictionary check, if configured.
    pub check: Option<Box<dyn MessageCheck>>,
    /// Initiator: where to connect.
    pub connect: Option<SocketAddr>,
    /// Acceptor: the port it is served on.
    pub accept_port: Option<u16>,
    /// Seconds between connection attempts (initiator).
    pub reconnect_secs: u32,
}

/// Called off the hot path with `(session index, time, event)`.
pub type EventHook = Box<dyn FnMut(u16, Nanos, Event) + Send>;

/// Engine-wide settings.
pub struct EngineOptions {
    /// Core to pin the hot path to.
    pub hot_path_core: Option<usize>,
    /// Core to pin the recovery thread to; pinned, it spins instead of
    /// parking when idle (`RecoveryCore=`).
    pub recovery_core: Option<usize>,
    /// Largest message accepted (bytes).
    pub max_message: usize,
    /// Resent messages per second, at most (per engine).
    pub resend_rate: u32,
    /// The validator (software or simulated RTL).
    pub validator: Box<dyn SeqValidator + Send>,
    /// Receives every session event off the hot path (logs, tests).
    pub on_event: Option<EventHook>,
    /// Record hot-path latency probes (see [`probe::Probe`]).
    pub probe: bool,
    /// Per session, the QuickFIX-style message log file (`None`: none).
    pub message_logs: Vec<Option<std::path::PathBuf>>,
    /// Queues of the application's own sending threads
    /// ([`send::send_pair`]).
    pub senders: Vec<send::SendQueue>,
    /// Prometheus metrics on `127.0.0.1:<port>` (`MetricsPort=`).
    pub metrics_port: Option<u16>,
    /// The operator's control socket (`ControlSocket=`, `gapless admin`).
    pub control_socket: Option<std::path::PathBuf>,
}

impl EngineOptions {
    /// Defaults for `sessions` sessions: the software validator, 64 KiB
    /// messages, 100,000 resends/s, no pinning, hooks, probes or logs.
    ///
    /// ```
    /// let o = gapless::runtime::EngineOptions::new(1);
    /// assert_eq!(o.max_message, 65536);
    /// ```
    pub fn new(sessions: u16) -> Self {
        EngineOptions {
            hot_path_core: None,
            recovery_core: None,
            max_message: 65536,
            resend_rate: 100_000,
            validator: Box::new(crate::validator::SoftwareValidator::new(sessions, 65536)),
            on_event: None,
            probe: false,
            message_logs: vec![],
            senders: vec![],
            metrics_port: None,
            control_socket: None,
        }
    }
}

/// What an engine reports when it stops.
#[derive(Clone, Debug)]
pub struct EngineReport {
    /// Each session's final state, in configuration order.
    pub sessions: Vec<SessionReport>,
    /// The hot path's latency probes, if enabled.
    pub probe: Option<probe::Probe>,
    /// Commands the recovery ring refused (re-raised by resend timeouts).
    pub cmds_dropped: u64,
    /// Message-log chunks the log ring refused (lines missing from logs).
    pub log_dropped: u64,
    /// Connections closed unread because of AllowedRemoteAddresses.
    pub connections_refused: u64,
    /// Session turns that did not read because the session's journal had
    /// no room until the store thread made its next segment ready.
    pub store_waits: u64,
    /// Messages from [`send::SendHandle`]s dropped: their session was not
    /// logged on, or does not exist.
    pub sends_dropped: u64,
}

/// A running engine.
pub struct Engine {
    /// Stops the hot path (which then logs the sessions out).
    stop: Arc<AtomicBool>,
    /// Stops the other threads, once the hot path has finished, so the
    /// Logouts and their replies reach the logs and the store.
    halt: Arc<AtomicBool>,
    /// Log sessions out before stopping.
    graceful: Arc<AtomicBool>,
    hot: Option<JoinHandle<EngineReport>>,
    others: Vec<JoinHandle<()>>,
}

/// Why the engine could not start.
#[derive(Debug)]
pub enum StartError {
    /// A listening port could not be opened.
    Listen(u16, std::io::Error),
    /// A session's store could not be read.
    Store(StoreError),
    /// A thread could not be spawned.
    Spawn(std::io::Error),
    /// The metrics port or the control socket could not be opened.
    Control(std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Listen(p, e) => write!(f, "cannot listen on port {p}: {e} (is another engine running, or is the port below 1024?)"),
            StartError::Store(e) => write!(f, "cannot open the message store: {e}"),
            StartError::Spawn(e) => write!(f, "cannot start a thread: {e}"),
            StartError::Control(e) => write!(f, "cannot open MetricsPort or ControlSocket: {e} (another engine on the port, or no write access to the socket's directory?)"),
        }
    }
}

impl std::error::Error for StartError {}

impl Engine {
    /// Starts the hot path, recovery and event threads over `transport`.
    pub fn start<T: Transport + Send + 'static>(
        specs: Vec<SessionSpec>,
        mut transport: T,
        opts: EngineOptions,
    ) -> Result<Engine, StartError> {
        let mut ports: Vec<u16> = specs.iter().filter_map(|s| s.accept_port).collect();
        ports.sort_unstable();
        ports.dedup();
        for p in ports {
            transport.listen(p).map_err(|e| StartError::Listen(p, e))?;
        }
        let mut slots = Vec::with_capacity(specs.len());
        let mut recoveries = Vec::with_capacity(specs.len());
        for (i, spec) in specs.into_iter().enumerate() {
            let reader = spec.store.reader();
            let room = spec.store.room();
            let mut fix = Connection::new(spec.cfg, i as u16, spec.store, opts.max_message)
                .map_err(StartError::Store)?;
            if let Some(c) = spec.check {
                fix.set_check(c);
            }
            recoveries.push(Recovery::new(reader, fix.session().encoder().clone()));
            slots.push(hot_path::Slot {
                fix,
                app: spec.app,
                room,
                conn: None,
                connect: spec.connect,
                accept_port: spec.accept_port,
                reconnect: u64::from(spec.reconnect_secs.max(1)) * 1_000_000_000,
                next_connect: 0,
            });
        }
        let stop = Arc::new(AtomicBool::new(false));
        let halt = Arc::new(AtomicBool::new(false));
        let mut others = vec![];
        let (mut live, mut admin) = (None, None);
        if opts.metrics_port.is_some() || opts.control_socket.is_some() {
            let listeners =
                control::Listeners::bind(opts.metrics_port, opts.control_socket.as_deref())
                    .map_err(StartError::Control)?;
            let ids = slots.iter().map(|s| s.fix.session().id().to_string());
            let shared = Arc::new(control::Live::new(ids.collect()));
            let (tx, rx) = rtrb::RingBuffer::new(64);
            let (l, h) = (shared.clone(), halt.clone());
            others.push(spawn("gapless-control", move || {
                control::run(l, listeners, tx, &h)
            })?);
            (live, admin) = (Some(shared), Some(rx));
        }
        let (cmd_tx, cmd_rx) = rtrb::RingBuffer::new(4096);
        let ring_bytes = (4 << 20).max(8 * opts.max_message);
        let (out_tx, out_rx) = ring::record_ring(ring_bytes, opts.max_message + 1024);
        let rec_stop = halt.clone();
        let rec_live = live.clone();
        let (rate, max_message) = (opts.resend_rate, opts.max_message);
        let rec_core = opts.recovery_core;
        let recovery = spawn("gapless-recovery", move || {
            if let Some(id) = rec_core {
                core_affinity::set_for_current(core_affinity::CoreId { id });
            }
            let policy = recovery_thread::Policy {
                rate,
                max_message,
                idle: recovery_thread::Idle::from_core(rec_core),
            };
            let live = rec_live.as_deref();
            recovery_thread::run(recoveries, cmd_rx, out_tx, policy, live, &rec_stop)
        })?;
        let recovery_thread = recovery.thread().clone();
        others.push(recovery);
        let mut events = None;
        if let Some(mut on_event) = opts.on_event {
            let (ev_tx, mut ev_rx) = rtrb::RingBuffer::<(u16, Nanos, Event)>::new(65536);
            events = Some(ev_tx);
            let ev_stop = halt.clone();
            others.push(spawn("gapless-events", move || loop {
                let mut idle = true;
                while let Ok((s, t, ev)) = ev_rx.pop() {
                    on_event(s, t, ev);
                    idle = false;
                }
                if idle {
                    if ev_stop.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
            })?);
        }
        let hot_stop = stop.clone();
        let graceful = Arc::new(AtomicBool::new(true));
        let hot_graceful = graceful.clone();
        let core = opts.hot_path_core;
        let (validator, max) = (opts.validator, opts.max_message);
        let probe = opts.probe.then(|| probe::Probe::new(slots.len()));
        let mut log = None;
        if opts.message_logs.iter().any(Option::is_some) {
            let mut writer =
                crate::log::MessageLog::new(&opts.message_logs).map_err(StartError::Spawn)?;
            let (tx, mut rx) = ring::record_ring(4 << 20, opts.max_message + 1024);
            log = Some(tx);
            let log_stop = halt.clone();
            others.push(spawn("gapless-log", move || loop {
                // Every batch is written out at once (not only when the
                // ring runs dry), so a kill -9 loses at most what the log
                // thread had not yet taken from the ring.
                match writer
                    .drain(&mut rx)
                    .and_then(|n| writer.flush().map(|()| n))
                {
                    Ok(0) => {
                        if log_stop.load(Ordering::Relaxed) {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Ok(_) => {}
                    Err(_) => return,
                }
            })?);
        }
        let links = hot_path::Links {
            live,
            admin,
            senders: opts.senders.into_iter().map(|q| q.0).collect(),
            log,
            cmds: cmd_tx,
            recovery: recovery_thread,
            outputs: out_rx,
            events,
        };
        let hot = spawn("gapless-hot", move || {
            if let Some(id) = core {
                core_affinity::set_for_current(core_affinity::CoreId { id });
            }
            let mut hp = hot_path::HotPath::new(slots, transport, validator, links, max);
            hp.probe = probe;
            let (sessions, probe) = hp.run(&hot_stop, &hot_graceful);
            EngineReport {
                sessions,
                probe,
                cmds_dropped: hp.cmds_dropped,
                log_dropped: hp.log_dropped,
                connections_refused: hp.admission.refused,
                store_waits: hp.store_waits,
                sends_dropped: hp.sends_dropped,
            }
        })?;
        Ok(Engine {
            stop,
            halt,
            graceful,
            hot: Some(hot),
            others,
        })
    }

    /// A handle that stops the hot path when set (logging the sessions
    /// out); [`Engine::stop`] then stops the other threads.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Stops like a crash, without logging out: the sessions resume from
    /// the store when the engine starts again (tests of restarts).
    pub fn abort(self) -> EngineReport {
        self.graceful.store(false, Ordering::Relaxed);
        self.stop()
    }

    /// Logs every session out (waiting for the replies up to each
    /// session's LogoutTimeout), then stops every thread, once the
    /// recovery, event and log threads have drained what the hot path
    /// gave them, and returns each session's final state.
    pub fn stop(mut self) -> EngineReport {
        self.stop.store(true, Ordering::Relaxed);
        let empty = EngineReport {
            sessions: vec![],
            probe: None,
            cmds_dropped: 0,
            log_dropped: 0,
            connections_refused: 0,
            store_waits: 0,
            sends_dropped: 0,
        };
        let reports = self.hot.take().and_then(|h| h.join().ok()).unwrap_or(empty);
        self.halt.store(true, Ordering::Relaxed);
        for h in &self.others {
            h.thread().unpark();
        }
        for h in self.others.drain(..) {
            let _ = h.join();
        }
        reports
    }
}

fn spawn<R: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> R + Send + 'static,
) -> Result<JoinHandle<R>, StartError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map_err(StartError::Spawn)
}

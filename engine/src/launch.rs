//! From a settings file to a running engine: [`EngineBuilder`] for your
//! own applications, [`start`] for the `gapless run` command's.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};

use crate::app::AppKind;
use crate::codec::time::{self, Nanos};
use crate::config::{ConnectionType, IoKind, SessionSettings, Settings, ValidatorKind};
use crate::runtime::send::{send_pair, SendHandle, SendQueue};
use crate::runtime::tls::TlsTransport;
use crate::runtime::transport::KernelTransport;
use crate::runtime::{Engine, EngineOptions, EventHook, SessionSpec, StartError};
use crate::session::{Application, Event, SessionId};
use crate::store::{CorruptionPolicy, MemoryStore, MessageStore, Repair};
use crate::validator::{SeqValidator, SoftwareValidator};

/// Why `gapless run` could not start.
#[derive(Debug)]
pub enum LaunchError {
    /// A setting cannot be honoured by this build or machine.
    Setting(String),
    /// The engine failed to start.
    Start(StartError),
    /// A session's message store cannot be opened (a damaged journal:
    /// see OnStoreCorruption).
    Store {
        /// The session, `BeginString:Sender->Target`.
        session: String,
        /// What is wrong with the store, and what to do.
        error: crate::store::StoreError,
    },
    /// The settings ask for something this binary was built without.
    FeatureMissing {
        /// The setting (`IO=dpdk`).
        setting: &'static str,
        /// The cargo feature that provides it.
        feature: &'static str,
    },
}

impl std::fmt::Display for LaunchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LaunchError::Setting(s) => f.write_str(s),
            LaunchError::Start(e) => write!(f, "{e}"),
            LaunchError::Store { session, error } => write!(f, "{session}: {error}"),
            LaunchError::FeatureMissing { setting, feature } => write!(
                f,
                "{setting}: this binary was built without the `{feature}` feature; rebuild with `cargo build --release -p gapless --features {feature}` (or use IO=kernel)"
            ),
        }
    }
}

impl std::error::Error for LaunchError {}

/// Starts one engine running every session of `settings` with `app`.
/// Events go to each session's event log under FileLogPath (if set) and,
/// with ScreenLogShowEvents, to `tracing` (target `gapless::event`, level
/// INFO, field `session`).
pub fn start(settings: &Settings, app: AppKind) -> Result<Engine, LaunchError> {
    EngineBuilder::new(settings.clone()).start(|id| app.build(&id.begin_string))
}

/// An engine from a QuickFIX-style settings file, running your
/// [`Application`] on every session, on whatever transport and validator
/// the settings name.
///
/// ```no_run
/// use gapless::launch::EngineBuilder;
/// use gapless::app::Null;
/// let mut b = EngineBuilder::from_file("client.cfg")?;
/// let mut orders = b.sender(); // for a strategy thread
/// let engine = b.start(|_id| Box::new(Null))?;
/// std::thread::spawn(move || orders.send(0, b"D", b"11=1\x0154=1\x01"));
/// # engine.stop();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct EngineBuilder {
    settings: Settings,
    senders: Vec<SendQueue>,
}

impl EngineBuilder {
    /// A builder for `settings`.
    ///
    /// ```
    /// let s = gapless::config::Settings::parse("[SESSION]\nConnectionType=acceptor\nSocketAcceptPort=5001\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n").unwrap();
    /// let b = gapless::launch::EngineBuilder::new(s);
    /// assert_eq!(b.sessions()[0].to_string(), "FIX.4.4:A->B");
    /// ```
    pub fn new(settings: Settings) -> Self {
        EngineBuilder {
            settings,
            senders: vec![],
        }
    }

    /// A builder for the settings file at `path`.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, LaunchError> {
        let path = path.as_ref();
        Settings::load(path)
            .map(EngineBuilder::new)
            .map_err(|e| LaunchError::Setting(format!("{}: {e}", path.display())))
    }

    /// The sessions, in the file's order: a session's index here is the
    /// one [`SendHandle::send`] takes. See [`new`](Self::new).
    pub fn sessions(&self) -> Vec<SessionId> {
        let id = |s: &SessionSettings| SessionId::of(&s.session);
        self.settings.sessions.iter().map(id).collect()
    }

    /// A handle for one thread of the application to send from (one per
    /// thread: each is its own lock-free ring into the hot path).
    pub fn sender(&mut self) -> SendHandle {
        let max = self
            .settings
            .sessions
            .first()
            .map_or(65536, |s| s.max_message_size);
        let (handle, queue) = send_pair(max);
        self.senders.push(queue);
        handle
    }

    /// Starts the engine; `apps` makes each session's application.
    pub fn start(
        self,
        mut apps: impl FnMut(&SessionId) -> Box<dyn Application + Send>,
    ) -> Result<Engine, LaunchError> {
        start_with(&self.settings, &mut apps, self.senders)
    }
}

fn start_with(
    settings: &Settings,
    apps: &mut dyn FnMut(&SessionId) -> Box<dyn Application + Send>,
    senders: Vec<SendQueue>,
) -> Result<Engine, LaunchError> {
    let first = settings
        .sessions
        .first()
        .ok_or_else(|| LaunchError::Setting("no sessions".into()))?;
    let mut specs = Vec::with_capacity(settings.sessions.len());
    for s in &settings.sessions {
        specs.push(spec(s, apps(&SessionId::of(&s.session)))?);
    }
    let options = EngineOptions {
        hot_path_core: first.hot_path_core,
        recovery_core: first.recovery_core,
        max_message: first.max_message_size,
        resend_rate: first.resend_rate_limit,
        validator: validator(
            first.validator,
            settings.sessions.len(),
            first.max_message_size,
        )?,
        on_event: Some(event_log(settings)),
        probe: false,
        message_logs: settings
            .sessions
            .iter()
            .map(|s| {
                s.file_log_path
                    .as_ref()
                    .map(|d| d.join(format!("{}.messages.current.log", s.file_id())))
            })
            .collect(),
        senders,
        metrics_port: first.metrics_port,
        control_socket: first.control_socket.clone(),
    };
    if first.io == IoKind::Dpdk {
        return start_dpdk(first, specs, options);
    }
    let bind = first.accept_host.as_deref().unwrap_or("0.0.0.0");
    let bind = bind.parse().map_err(|_| {
        LaunchError::Setting(format!("SocketAcceptHost={bind} is not an IP address"))
    })?;
    let kernel = KernelTransport::new(bind);
    match &first.tls {
        Some(tls) => {
            let t = TlsTransport::new(kernel, tls)
                .map_err(|e| LaunchError::Setting(format!("SocketUseSSL=Y: {e}")))?;
            Engine::start(specs, t, options)
        }
        None => Engine::start(specs, kernel, options),
    }
    .map_err(LaunchError::Start)
}

#[cfg(feature = "dpdk")]
fn start_dpdk(
    first: &SessionSettings,
    specs: Vec<SessionSpec>,
    options: EngineOptions,
) -> Result<Engine, LaunchError> {
    use crate::runtime::dpdk_transport::DpdkTransport;
    let transport = DpdkTransport::from_settings(&first.dpdk)
        .map_err(|e| LaunchError::Setting(format!("IO=dpdk: {e}")))?;
    Engine::start(specs, transport, options).map_err(LaunchError::Start)
}

#[cfg(not(feature = "dpdk"))]
fn start_dpdk(
    _first: &SessionSettings,
    _specs: Vec<SessionSpec>,
    _options: EngineOptions,
) -> Result<Engine, LaunchError> {
    Err(LaunchError::FeatureMissing {
        setting: "IO=dpdk",
        feature: "dpdk",
    })
}

/// The validator `kind` for `sessions` sessions.
pub fn validator(
    kind: ValidatorKind,
    sessions: usize,
    max_message: usize,
) -> Result<Box<dyn SeqValidator + Send>, LaunchError> {
    match kind {
        ValidatorKind::Software => Ok(Box::new(SoftwareValidator::new(
            sessions as u16,
            max_message as u32,
        ))),
        #[cfg(feature = "verilator")]
        ValidatorKind::Verilator => crate::validator::verilated::VerilatedValidator::new(
            sessions as u16,
            max_message as u32,
        )
        .map(|v| Box::new(v) as Box<dyn SeqValidator + Send>)
        .map_err(|e| LaunchError::Setting(format!("Validator=verilator: {e}"))),
        #[cfg(not(feature = "verilator"))]
        ValidatorKind::Verilator => Err(LaunchError::Setting(
            "Validator=verilator: this build has no Verilator cosimulation; \
             rebuild with `cargo build --release --features verilator` or use Validator=software"
                .into(),
        )),
    }
}

fn spec(s: &SessionSettings, app: Box<dyn Application + Send>) -> Result<SessionSpec, LaunchError> {
    let connect = match s.connection {
        ConnectionType::Initiator => Some(resolve(s)?),
        ConnectionType::Acceptor => None,
    };
    let (store, repaired) = store(s)?;
    let mut cfg = s.session.clone();
    cfg.reset_on_first_logon = repaired.is_some_and(|r| r.policy == CorruptionPolicy::Reset);
    Ok(SessionSpec {
        cfg,
        store,
        app,
        check: check(s)?,
        connect,
        accept_port: s.accept_port,
        reconnect_secs: s.reconnect_interval,
    })
}

/// The data-dictionary check of a session, if configured. A relative
/// dictionary path is tried as given, then under `GAPLESS_DICT_DIR`
/// (where `scripts/` point it at the PyPI quickfix package's dictionaries).
fn check(
    s: &SessionSettings,
) -> Result<Option<Box<dyn crate::session::MessageCheck>>, LaunchError> {
    use crate::dict::{DataDictionary, Options, Validator};
    let transport = s
        .transport_data_dictionary
        .as_ref()
        .or(s.data_dictionary.as_ref());
    let (true, Some(transport)) = (s.use_data_dictionary, transport) else {
        return Ok(None);
    };
    let load = |p: &std::path::PathBuf| {
        let found = match std::env::var_os("GAPLESS_DICT_DIR") {
            Some(dir) if !p.exists() && p.is_relative() => std::path::Path::new(&dir).join(p),
            _ => p.clone(),
        };
        DataDictionary::load(&found).map_err(|e| LaunchError::Setting(format!("{}: {e}", s.id())))
    };
    let app = match &s.app_data_dictionary {
        Some(p) => Some(load(p)?),
        None => None,
    };
    let opts = Options {
        fields_out_of_order: s.validate_fields_out_of_order,
        fields_have_values: s.validate_fields_have_values,
        user_defined_fields: s.validate_user_defined_fields,
        allow_unknown_msg_fields: s.allow_unknown_msg_fields,
    };
    Ok(Some(Box::new(Validator::new(load(transport)?, app, opts))))
}

fn resolve(s: &SessionSettings) -> Result<SocketAddr, LaunchError> {
    let host = s.connect_host.as_deref().unwrap_or_default();
    let port = s.connect_port.unwrap_or_default();
    (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| LaunchError::Setting(format!("{}: cannot resolve {host}:{port}", s.id())))
}

/// The session's store, and what was repaired on opening it.
fn store(s: &SessionSettings) -> Result<(Box<dyn MessageStore>, Option<Repair>), LaunchError> {
    match &s.file_store_path {
        None => Ok((Box::new(MemoryStore::new()), None)),
        Some(dir) => {
            let opts = crate::store::StoreOptions {
                segment_bytes: s.segment_bytes,
                fsync: s.fsync,
                on_corruption: s.on_store_corruption,
                core: s.store_core,
            };
            let opened = crate::store::open_file_store_with(dir, &s.file_id(), &opts);
            let (store, repaired) = opened.map_err(|error| LaunchError::Store {
                session: s.id(),
                error,
            })?;
            if let Some(r) = &repaired {
                eprintln!(
                    "{}: journal {} was damaged at byte {}: OnStoreCorruption={:?} applied ({} bytes lost)",
                    s.id(),
                    r.path.display(),
                    r.offset,
                    r.policy,
                    r.bytes_lost
                );
            }
            Ok((store, repaired))
        }
    }
}

/// Writes each event, QuickFIX style, to stdout (unless
/// ScreenLogShowEvents=N) and to the session's
/// `<FileLogPath>/<BeginString>-<Sender>-<Target>.event.current.log`.
fn event_log(settings: &Settings) -> EventHook {
    type Sink = (String, bool, Option<std::fs::File>);
    let mut files: Vec<Sink> = settings
        .sessions
        .iter()
        .map(|s| {
            let file = s.file_log_path.as_ref().and_then(|dir| {
                std::fs::create_dir_all(dir).ok()?;
                let path = dir.join(format!("{}.event.current.log", s.file_id()));
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .ok()
            });
            (s.id(), s.screen_log_events, file)
        })
        .collect();
    Box::new(move |i, t, ev| {
        let Some((id, screen, file)) = files.get_mut(usize::from(i)) else {
            return;
        };
        let what = describe(&ev);
        if *screen {
            tracing::info!(target: "gapless::event", session = %id, "{what}");
        }
        if let Some(f) = file {
            let _ = writeln!(f, "{} : {id}: {what}", stamp(t));
        }
    })
}

fn stamp(t: Nanos) -> String {
    let mut b = [0u8; time::MAX_LEN];
    let n = time::format(t, time::Precision::Millis, &mut b);
    String::from_utf8_lossy(&b[..n]).into_owned()
}

/// An event as the log line says it.
pub fn describe(ev: &Event) -> String {
    match *ev {
        Event::LoggedOn { reset } => format!(
            "Logon completed{}",
            if reset {
                " (sequence numbers reset)"
            } else {
                ""
            }
        ),
        Event::Disconnect(r) => format!("Disconnecting: {r:?}"),
        Event::Gap { begin, end } => {
            format!("Gap detected: sending ResendRequest FROM: {begin} TO: {end}")
        }
        Event::ResendRequested { begin, end, .. } => {
            format!("Received ResendRequest FROM: {begin} TO: {end}")
        }
        Event::GapFilled { next_in } => format!("Gap filled, expecting {next_in}"),
        Event::Garbled { offset, len } => {
            format!("Garbled message skipped ({len} bytes at offset {offset})")
        }
        Event::HoldQueueFull { seq } => {
            format!("Hold queue full: dropped {seq} (still covered by the ResendRequest)")
        }
        Event::NewPeriod { start } => {
            format!(
                "New session period from {}: sequence numbers reset",
                stamp(start)
            )
        }
        Event::Rejected { seq, reason } => {
            format!("Sent Reject of {seq}, SessionRejectReason {reason}")
        }
    }
}

//! QuickFIX-style session settings: `[DEFAULT]` and `[SESSION]` sections
//! of `Key=Value` lines, so a QuickFIX user's `.cfg` runs unchanged.
//! Every key is documented in `docs/CONFIG.md`.

mod get;
mod keys;
mod parse;
mod schedule_keys;
mod screen;
mod tls_keys;

use std::path::PathBuf;

use crate::codec::time::Precision;
use crate::session::SessionConfig;
use crate::store::CorruptionPolicy;
use get::Get;
use parse::{Raw, Section};
use schedule_keys::schedule;
use tls_keys::tls;

/// A malformed settings file: what is wrong, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line number (0: the file as a whole).
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "settings: {}", self.message),
            n => write!(f, "settings line {n}: {}", self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Which side opens the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionType {
    /// We connect (SocketConnectHost/Port).
    Initiator,
    /// We listen (SocketAcceptPort).
    Acceptor,
}

/// The sequence validator (`Validator=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidatorKind {
    /// The software validator.
    Software,
    /// The RTL, cosimulated with Verilator (needs the `verilator` feature).
    Verilator,
}

/// The I/O path (`IO=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoKind {
    /// Kernel TCP sockets.
    Kernel,
    /// User-space TCP over DPDK (needs the `dpdk` feature).
    Dpdk,
}

/// When the file store syncs to disk (`FsyncPolicy=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// Never: safe against kill -9, not against power loss.
    Never,
    /// After every commit, on the store thread.
    Commit,
    /// Every so many milliseconds.
    IntervalMs(u64),
}

/// DPDK settings (`Dpdk*=`), used when `IO=dpdk`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpdkSettings {
    /// EAL arguments, space-separated.
    pub eal_args: String,
    /// Port id.
    pub port: u16,
    /// Queue id.
    pub queue: u16,
    /// Our IPv4 address (with prefix, e.g. `10.0.0.2/24`).
    pub local_ip: Option<String>,
    /// Our MAC address.
    pub local_mac: Option<String>,
    /// Default gateway.
    pub gateway_ip: Option<String>,
    /// pcapng file capturing every frame of the port (written off the
    /// hot path).
    pub capture: Option<std::path::PathBuf>,
}

/// One `[SESSION]`, with `[DEFAULT]` applied.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// Line of its `[SESSION]` header.
    pub line: usize,
    /// Initiator or acceptor.
    pub connection: ConnectionType,
    /// SessionQualifier: tells apart initiator sessions with the same
    /// BeginString and CompIDs (part of [`SessionSettings::id`]).
    pub qualifier: Option<String>,
    /// ScreenLogShowEvents: print events to standard output.
    pub screen_log_events: bool,
    /// What the loader noted about settings honoured only in part.
    pub notes: Vec<String>,
    /// The session core's settings.
    pub session: SessionConfig,
    /// SocketAcceptPort.
    pub accept_port: Option<u16>,
    /// SocketAcceptHost or SocketAcceptAddress (default: all interfaces,
    /// as QuickFIX).
    pub accept_host: Option<String>,
    /// SocketConnectHost.
    pub connect_host: Option<String>,
    /// SocketConnectPort.
    pub connect_port: Option<u16>,
    /// ReconnectInterval, seconds.
    pub reconnect_interval: u32,
    /// FileStorePath (none: memory store).
    pub file_store_path: Option<PathBuf>,
    /// FileLogPath (none: no message logs).
    pub file_log_path: Option<PathBuf>,
    /// UseDataDictionary.
    pub use_data_dictionary: bool,
    /// DataDictionary.
    pub data_dictionary: Option<PathBuf>,
    /// TransportDataDictionary.
    pub transport_data_dictionary: Option<PathBuf>,
    /// AppDataDictionary.
    pub app_data_dictionary: Option<PathBuf>,
    /// ValidateFieldsOutOfOrder.
    pub validate_fields_out_of_order: bool,
    /// ValidateFieldsHaveValues.
    pub validate_fields_have_values: bool,
    /// ValidateUserDefinedFields.
    pub validate_user_defined_fields: bool,
    /// AllowUnknownMsgFields.
    pub allow_unknown_msg_fields: bool,
    /// StartTime (`HH:MM:SS`, UTC unless TimeZone).
    pub start_time: Option<String>,
    /// EndTime.
    pub end_time: Option<String>,
    /// Validator.
    pub validator: ValidatorKind,
    /// IO.
    pub io: IoKind,
    /// HotPathCore.
    pub hot_path_core: Option<usize>,
    /// RecoveryCore: pin the recovery thread and let it spin.
    pub recovery_core: Option<usize>,
    /// StoreCore: pin each store thread and let it spin.
    pub store_core: Option<usize>,
    /// MetricsPort: Prometheus metrics on 127.0.0.1.
    pub metrics_port: Option<u16>,
    /// ControlSocket: the Unix socket `gapless admin` talks to.
    pub control_socket: Option<PathBuf>,
    /// SegmentBytes: size of each journal segment file.
    pub segment_bytes: usize,
    /// FsyncPolicy.
    pub fsync: FsyncPolicy,
    /// OnStoreCorruption.
    pub on_store_corruption: CorruptionPolicy,
    /// MaxMessageSize, bytes.
    pub max_message_size: usize,
    /// ResendRateLimit, messages per second.
    pub resend_rate_limit: u32,
    /// Dpdk* keys.
    pub dpdk: DpdkSettings,
    /// TLS (`SocketUseSSL=Y` and the certificate keys), if enabled.
    pub tls: Option<crate::runtime::tls::TlsSettings>,
}

impl SessionSettings {
    /// `BeginString:Sender->Target`, and `:Qualifier` with a
    /// SessionQualifier, as QuickFIX names a session.
    pub fn id(&self) -> String {
        let s = &self.session;
        let id = format!("{}:{}->{}", s.begin_string, s.sender, s.target);
        match &self.qualifier {
            Some(q) => format!("{id}:{q}"),
            None => id,
        }
    }

    /// `BeginString-Sender-Target` (and `-Qualifier`), for file names, as
    /// QuickFIX's file store and logs name them.
    pub fn file_id(&self) -> String {
        let s = &self.session;
        let id = format!("{}-{}-{}", s.begin_string, s.sender, s.target);
        match &self.qualifier {
            Some(q) => format!("{id}-{q}"),
            None => id,
        }
    }
}

/// A parsed settings file.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The sessions, in file order.
    pub sessions: Vec<SessionSettings>,
    /// Unknown keys (not in QuickFIX's or Gapless's key lists), each
    /// named with its line, and settings Gapless honours only in part:
    /// never fatal.
    pub warnings: Vec<String>,
}

impl Settings {
    /// Parses a settings file's text.
    ///
    /// ```
    /// let s = gapless::config::Settings::parse(
    ///     "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nBeginString=FIX.4.4\n\
    ///      [SESSION]\nSenderCompID=ISLD\nTargetCompID=TW\n",
    /// ).unwrap();
    /// assert_eq!(s.sessions[0].id(), "FIX.4.4:ISLD->TW");
    /// assert_eq!(s.sessions[0].accept_port, Some(5001));
    /// ```
    pub fn parse(text: &str) -> Result<Settings, ConfigError> {
        let raw = Raw::parse(text)?;
        let mut warnings = screen::entries(&raw)?;
        let sessions = raw
            .sessions
            .iter()
            .map(|s| session(&raw.default, s))
            .collect::<Result<Vec<_>, _>>()?;
        if sessions.is_empty() {
            return Err(ConfigError {
                line: 0,
                message: "no [SESSION] section: add one per FIX session".into(),
            });
        }
        for (i, a) in sessions.iter().enumerate() {
            if let Some(b) = sessions[..i].iter().find(|b| b.id() == a.id()) {
                let message = format!(
                    "session {} is defined twice (also at line {})",
                    a.id(),
                    b.line
                );
                return Err(ConfigError {
                    line: a.line,
                    message,
                });
            }
        }
        screen::engine_wide(&raw)?;
        // A [DEFAULT] key noted by every session is one warning.
        for note in sessions.iter().flat_map(|s| &s.notes) {
            if !warnings.contains(note) {
                warnings.push(note.clone());
            }
        }
        Ok(Settings { sessions, warnings })
    }

    /// Reads and parses a settings file.
    pub fn load(path: &std::path::Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            line: 0,
            message: format!("cannot read {}: {e}", path.display()),
        })?;
        Self::parse(&text)
    }
}

fn session(default: &Section, own: &Section) -> Result<SessionSettings, ConfigError> {
    let g = Get { default, own };
    let connection = match g.required("ConnectionType")?.to_ascii_lowercase().as_str() {
        "initiator" => ConnectionType::Initiator,
        "acceptor" => ConnectionType::Acceptor,
        other => {
            let line = g.raw("ConnectionType").map_or(own.line, |r| r.1);
            return Err(ConfigError {
                line,
                message: format!("ConnectionType={other}: use initiator or acceptor"),
            });
        }
    };
    let begin = g.required("BeginString")?;
    let known_begin = [
        "FIX.4.0", "FIX.4.1", "FIX.4.2", "FIX.4.3", "FIX.4.4", "FIXT.1.1",
    ];
    if !known_begin.contains(&begin.as_str()) {
        let line = g.raw("BeginString").map_or(own.line, |r| r.1);
        return Err(ConfigError {
            line,
            message: format!("BeginString={begin}: use one of {}", known_begin.join(", ")),
        });
    }
    let qualifier = qualifier(&g, connection)?;
    let mut s = SessionConfig::new(
        &begin,
        &g.required("SenderCompID")?,
        &g.required("TargetCompID")?,
        connection == ConnectionType::Initiator,
    );
    s.heartbeat_secs = g.num("HeartBtInt", 30)?;
    s.reset_on_logon = g.flag("ResetOnLogon", false)?;
    s.reset_on_logout = g.flag("ResetOnLogout", false)?;
    s.reset_on_disconnect = g.flag("ResetOnDisconnect", false)?;
    s.enable_next_expected = g.flag_either(
        ["SendNextExpectedMsgSeqNum", "EnableNextExpectedMsgSeqNum"],
        false,
    )?;
    s.check_latency = g.flag("CheckLatency", true)?;
    s.max_latency_secs = g.num("MaxLatency", 120)?;
    s.check_comp_id = g.flag("CheckCompID", true)?;
    s.send_redundant_resend_requests = g.flag("SendRedundantResendRequests", false)?;
    s.resend_chunk_size = g.num("ResendRequestChunkSize", 0)?;
    s.requires_orig_sending_time = g.flag("RequiresOrigSendingTime", true)?;
    s.ref_tag_id_always = g.flag("RefTagIDAlways", false)?;
    s.resend_timeout = g.num::<u64>("ResendTimeout", 5)? * 1_000_000_000;
    s.hold_queue_messages = g.num("HoldQueueMessages", 10_000)?;
    s.hold_queue_bytes = g.num("HoldQueueBytes", 16 << 20)?;
    s.logon_timeout_secs = g.num("LogonTimeout", 10)?;
    s.logout_timeout_secs = g.num("LogoutTimeout", 2)?;
    s.username = g.str("Username");
    s.password = g.str("Password");
    s.default_appl_ver_id = g.str("DefaultApplVerID");
    s.schedule = schedule(&g)?;
    s.allowed_remote_addresses = addresses(&g)?;
    s.precision = precision(&g)?;
    // UTCTimestamp has no fraction before FIX.4.2; QuickFIX sends whole
    // seconds there whatever the precision settings say.
    if s.begin_string.as_str() < "FIX.4.2" {
        s.precision = Precision::Seconds;
    }
    let fsync = match g.raw("FsyncPolicy") {
        None => FsyncPolicy::Never,
        Some((v, line)) => parse_fsync(v).ok_or_else(|| ConfigError {
            line,
            message: format!("FsyncPolicy={v}: use never, commit or interval:<ms>"),
        })?,
    };
    let mut notes = vec![];
    let settings = SessionSettings {
        line: own.line,
        connection,
        qualifier,
        screen_log_events: g.flag("ScreenLogShowEvents", true)?,
        accept_port: g.parsed("SocketAcceptPort", "a port number")?,
        accept_host: g.str_either(["SocketAcceptHost", "SocketAcceptAddress"])?,
        connect_host: g.str("SocketConnectHost"),
        connect_port: g.parsed("SocketConnectPort", "a port number")?,
        reconnect_interval: g.num("ReconnectInterval", 30)?,
        file_store_path: g.path("FileStorePath"),
        file_log_path: g.path("FileLogPath"),
        use_data_dictionary: g.flag("UseDataDictionary", true)?,
        data_dictionary: g.path("DataDictionary"),
        transport_data_dictionary: g.path("TransportDataDictionary"),
        app_data_dictionary: g.path("AppDataDictionary"),
        validate_fields_out_of_order: g.flag("ValidateFieldsOutOfOrder", true)?,
        validate_fields_have_values: g.flag("ValidateFieldsHaveValues", true)?,
        validate_user_defined_fields: g.flag("ValidateUserDefinedFields", true)?,
        allow_unknown_msg_fields: g.flag("AllowUnknownMsgFields", false)?,
        start_time: g.str("StartTime"),
        end_time: g.str("EndTime"),
        validator: g.choice(
            "Validator",
            &[
                ("software", ValidatorKind::Software),
                ("verilator", ValidatorKind::Verilator),
            ],
            ValidatorKind::Software,
        )?,
        io: g.choice(
            "IO",
            &[("kernel", IoKind::Kernel), ("dpdk", IoKind::Dpdk)],
            IoKind::Kernel,
        )?,
        hot_path_core: g.parsed("HotPathCore", "a core number")?,
        recovery_core: g.parsed("RecoveryCore", "a core number")?,
        store_core: g.parsed("StoreCore", "a core number")?,
        metrics_port: g.parsed("MetricsPort", "a TCP port number")?,
        control_socket: g.path("ControlSocket"),
        segment_bytes: segment_bytes(&g)?,
        fsync,
        on_store_corruption: g.choice(
            "OnStoreCorruption",
            &[
                ("refuse", CorruptionPolicy::Refuse),
                ("reset", CorruptionPolicy::Reset),
                ("gapfill", CorruptionPolicy::GapFill),
            ],
            CorruptionPolicy::Refuse,
        )?,
        max_message_size: g.num("MaxMessageSize", 65_536)?,
        resend_rate_limit: g.num("ResendRateLimit", 100_000)?,
        dpdk: DpdkSettings {
            eal_args: g
                .str("DpdkEalArgs")
                .unwrap_or_else(|| "--no-huge -m 512 --no-pci --no-shconf".into()),
            port: g.num("DpdkPort", 0)?,
            queue: g.num("DpdkQueue", 0)?,
            local_ip: g.str("DpdkLocalIP"),
            local_mac: g.str("DpdkLocalMAC"),
            gateway_ip: g.str("DpdkGatewayIP").or_else(|| g.str("DpdkGateway")),
            capture: g.str("DpdkCapture").map(std::path::PathBuf::from),
        },
        tls: tls(&g, connection, &mut notes)?,
        session: s,
        notes,
    };
    check_endpoints(&settings)?;
    Ok(settings)
}

/// AllowedRemoteAddresses: comma-separated IP addresses.
fn addresses(g: &Get) -> Result<Vec<std::net::IpAddr>, ConfigError> {
    let Some((v, line)) = g.raw("AllowedRemoteAddresses") else {
        return Ok(vec![]);
    };
    v.split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            a.parse().map_err(|_| ConfigError {
                line,
                message: format!(
                    "AllowedRemoteAddresses: {a:?} is not an IP address: \
                     list IPv4 or IPv6 addresses separated by commas (no host names)"
                ),
            })
        })
        .collect()
}

/// SessionQualifier: initiators only, as in QuickFIX (an acceptor routes
/// a connection by BeginString and CompIDs, which carry no qualifier).
fn qualifier(g: &Get, role: ConnectionType) -> Result<Option<String>, ConfigError> {
    let Some((q, line)) = g.raw("SessionQualifier").filter(|(q, _)| !q.is_empty()) else {
        return Ok(None);
    };
    if role == ConnectionType::Acceptor {
        return Err(ConfigError {
            line,
            message: "SessionQualifier cannot be used with an acceptor (as in QuickFIX): an \
                      acceptor tells its sessions apart by BeginString and CompIDs; remove it"
                .into(),
        });
    }
    Ok(Some(q.to_string()))
}

/// TimestampPrecision (digits, or QuickFIX/J's SECONDS, MILLIS, MICROS,
/// NANOS), else MillisecondsInTimeStamp.
fn precision(g: &Get) -> Result<Precision, ConfigError> {
    let legacy_millis = g.flag("MillisecondsInTimeStamp", true)?;
    let Some((v, line)) = g.raw("TimestampPrecision") else {
        return Ok(if legacy_millis {
            Precision::Millis
        } else {
            Precision::Seconds
        });
    };
    let digits = match v.to_ascii_uppercase().as_str() {
        "SECONDS" => Some(0),
        "MILLIS" => Some(3),
        "MICROS" => Some(6),
        "NANOS" => Some(9),
        d => d.parse().ok(),
    };
    digits
        .and_then(Precision::from_digits)
        .ok_or_else(|| ConfigError {
            line,
            message: format!(
                "TimestampPrecision={v}: use 0, 3, 6 or 9 (or SECONDS, MILLIS, MICROS, NANOS)"
            ),
        })
}

fn check_endpoints(s: &SessionSettings) -> Result<(), ConfigError> {
    let missing = match s.connection {
        ConnectionType::Acceptor if s.accept_port.is_none() => Some("SocketAcceptPort"),
        ConnectionType::Initiator if s.connect_host.is_none() => Some("SocketConnectHost"),
        ConnectionType::Initiator if s.connect_port.is_none() => Some("SocketConnectPort"),
        _ => None,
    };
    match missing {
        Some(key) => Err(ConfigError {
            line: s.line,
            message: format!("{key} is missing for {}", s.id()),
        }),
        None => Ok(()),
    }
}

/// Smallest SegmentBytes accepted: a segment must hold several of the
/// largest messages.
const MIN_SEGMENT_BYTES: usize = 1 << 20;

/// `SegmentBytes=`: journal segment size, at least 1 MiB, in whole pages.
fn segment_bytes(g: &Get) -> Result<usize, ConfigError> {
    let n: usize = g.num("SegmentBytes", crate::store::SEGMENT_BYTES)?;
    if n < MIN_SEGMENT_BYTES || !n.is_multiple_of(4096) || n > u32::MAX as usize {
        return Err(ConfigError {
            line: g.raw("SegmentBytes").map_or(0, |r| r.1),
            message: format!(
                "SegmentBytes={n}: use a multiple of 4096 from {MIN_SEGMENT_BYTES} (1 MiB) to 4294967295 (default 67108864, 64 MiB)"
            ),
        });
    }
    Ok(n)
}

fn parse_fsync(v: &str) -> Option<FsyncPolicy> {
    match v.to_ascii_lowercase().as_str() {
        "never" => Some(FsyncPolicy::Never),
        "commit" => Some(FsyncPolicy::Commit),
        other => other
            .strip_prefix("interval:")?
            .parse()
            .ok()
            .map(FsyncPolicy::IntervalMs),
    }
}

#[cfg(test)]
mod tests;

//! The one table of settings keys: every key Gapless reads, every QuickFIX
//! C++ key and the common QuickFIX/J ones, each read or refused with what
//! to do instead. A key outside the table is unknown (a warning); the
//! loader reads no key that is not in it (debug builds assert this), so no
//! key can be both used and reported unknown. `docs/CONFIG.md` lists the
//! same table, and a test keeps the two equal.

/// What the loader does with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rule {
    /// Read and honoured with every value QuickFIX gives it.
    Read,
    /// Read; only this boolean is accepted (Gapless always behaves so),
    /// the other is refused with the reason.
    Flag(bool, &'static str),
    /// Read; only these values are accepted (case-insensitive), others
    /// are refused with the reason.
    Only(&'static [&'static str], &'static str),
    /// Refused whatever its value, with what to do instead.
    Refused(&'static str),
}

/// One key (QuickFIX's spelling; matched case-insensitively). A name
/// ending in `<n>` stands for the name followed by a number, one ending
/// in `.<BeginString>` for the name, a dot and any suffix.
#[derive(Clone, Copy, Debug)]
pub(super) struct Key {
    pub(super) name: &'static str,
    pub(super) rule: Rule,
}

const fn read(name: &'static str) -> Key {
    Key {
        name,
        rule: Rule::Read,
    }
}

const fn flag(name: &'static str, only: bool, why: &'static str) -> Key {
    Key {
        name,
        rule: Rule::Flag(only, why),
    }
}

const fn only(name: &'static str, values: &'static [&'static str], why: &'static str) -> Key {
    Key {
        name,
        rule: Rule::Only(values, why),
    }
}

const fn refused(name: &'static str, why: &'static str) -> Key {
    Key {
        name,
        rule: Rule::Refused(why),
    }
}

const SESSION_LAYER: &str =
    "it needs session-layer support Gapless does not have yet: remove the line";
const FAILOVER: &str = "failover to alternate hosts is not supported yet: configure one \
     SocketConnectHost and SocketConnectPort";
const SOURCE: &str = "binding the initiator's local address is not supported yet: remove the \
     line (the kernel picks the source address by routing)";
const DB_STORE: &str = "database message stores are not supported: use FileStorePath (or no \
     store key, for a memory store)";
const DB_LOG: &str = "database logs are not supported: use FileLogPath";
const JAVA_TLS: &str = "Java key stores are not supported: give PEM files with \
     ServerCertificateFile/ServerCertificateKeyFile, ClientCertificateFile/\
     ClientCertificateKeyFile and CertificationAuthoritiesFile";
const JAVA_LOG: &str = "QuickFIX/J's log formatting options do not apply: Gapless writes \
     QuickFIX C++'s log format under FileLogPath; remove the line";
const BUFFERS: &str = "Gapless keeps the kernel's socket buffer sizes: use 0 or remove the line";
const NODELAY: &str = "Gapless always sets TCP_NODELAY: use Y or remove the line";
const SCREEN_MESSAGES: &str = "Gapless does not print messages to standard output: use \
     FileLogPath for the messages log, or N";

/// Every key, QuickFIX C++'s first (in `SessionSettings.h` order), then
/// QuickFIX/J's, then Gapless's own.
pub(super) const KEYS: &[Key] = &[
    // QuickFIX C++: session identity.
    read("BeginString"),
    read("SenderCompID"),
    read("TargetCompID"),
    read("SessionQualifier"),
    read("DefaultApplVerID"),
    read("ConnectionType"),
    read("UseDataDictionary"),
    refused(
        "SendResetSeqNumFlag",
        "QuickFIX C++ defines this key but never reads it; to send ResetSeqNumFlag(141)=Y on \
         Logon use ResetOnLogon=Y, else remove the line",
    ),
    read("SendRedundantResendRequests"),
    read("SendNextExpectedMsgSeqNum"),
    read("DataDictionary"),
    read("TransportDataDictionary"),
    read("AppDataDictionary"),
    refused(
        "AppDataDictionary.<BeginString>",
        "one application dictionary per session is supported: merge the versions' messages \
         into the AppDataDictionary of DefaultApplVerID",
    ),
    // Schedule.
    read("UseLocalTime"),
    read("StartTime"),
    read("EndTime"),
    read("StartDay"),
    read("EndDay"),
    read("NonStopSession"),
    refused("LogonTime", SESSION_LAYER),
    refused("LogoutTime", SESSION_LAYER),
    refused("LogonDay", SESSION_LAYER),
    refused("LogoutDay", SESSION_LAYER),
    // Checks and timers.
    read("CheckCompID"),
    read("CheckLatency"),
    read("MaxLatency"),
    read("HeartBtInt"),
    // Sockets.
    read("SocketAcceptPort"),
    flag(
        "SocketReuseAddress",
        true,
        "Gapless always listens with SO_REUSEADDR: use Y or remove the line",
    ),
    read("SocketConnectHost"),
    read("SocketConnectPort"),
    refused("SocketConnectHost<n>", FAILOVER),
    refused("SocketConnectPort<n>", FAILOVER),
    refused("SocketConnectSourceHost", SOURCE),
    refused("SocketConnectSourcePort", SOURCE),
    refused("SocketConnectSourceHost<n>", SOURCE),
    refused("SocketConnectSourcePort<n>", SOURCE),
    flag("SocketNodelay", true, NODELAY),
    only("SocketSendBufferSize", &["0"], BUFFERS),
    only("SocketReceiveBufferSize", &["0"], BUFFERS),
    refused("HostSelectionPolicy", FAILOVER),
    refused("HostSelectionPolicyPriorityStartOverInterval", FAILOVER),
    read("ReconnectInterval"),
    // Validation.
    flag(
        "ValidateLengthAndChecksum",
        true,
        "Gapless always checks BodyLength(9) and CheckSum(10) (in the validator, software or \
         RTL): use Y or remove the line",
    ),
    read("ValidateFieldsOutOfOrder"),
    read("ValidateFieldsHaveValues"),
    read("ValidateUserDefinedFields"),
    read("AllowUnknownMsgFields"),
    flag(
        "PreserveMessageFieldsOrder",
        true,
        "Gapless sends body fields in the order the application wrote them (as \
         PreserveMessageFieldsOrder=Y): use Y, and write the fields in tag order if the \
         counterparty needs that",
    ),
    read("LogonTimeout"),
    read("LogoutTimeout"),
    // Stores.
    read("FileStorePath"),
    refused("MySQLStoreUseConnectionPool", DB_STORE),
    refused("MySQLStoreDatabase", DB_STORE),
    refused("MySQLStoreUser", DB_STORE),
    refused("MySQLStorePassword", DB_STORE),
    refused("MySQLStoreHost", DB_STORE),
    refused("MySQLStorePort", DB_STORE),
    refused("PostgreSQLStoreUseConnectionPool", DB_STORE),
    refused("PostgreSQLStoreDatabase", DB_STORE),
    refused("PostgreSQLStoreUser", DB_STORE),
    refused("PostgreSQLStorePassword", DB_STORE),
    refused("PostgreSQLStoreHost", DB_STORE),
    refused("PostgreSQLStorePort", DB_STORE),
    refused("OdbcStoreUser", DB_STORE),
    refused("OdbcStorePassword", DB_STORE),
    refused("OdbcStoreConnectionString", DB_STORE),
    // Logs.
    read("FileLogPath"),
    refused(
        "FileLogBackupPath",
        "log backups are not supported: rotate the files under FileLogPath with an external \
         tool",
    ),
    flag("ScreenLogShowIncoming", false, SCREEN_MESSAGES),
    flag("ScreenLogShowOutgoing", false, SCREEN_MESSAGES),
    read("ScreenLogShowEvents"),
    refused("MySQLLogUseConnectionPool", DB_LOG),
    refused("MySQLLogDatabase", DB_LOG),
    refused("MySQLLogUser", DB_LOG),
    refused("MySQLLogPassword", DB_LOG),
    refused("MySQLLogHost", DB_LOG),
    refused("MySQLLogPort", DB_LOG),
    refused("MySQLLogIncomingTable", DB_LOG),
    refused("MySQLLogOutgoingTable", DB_LOG),
    refused("MySQLLogEventTable", DB_LOG),
    refused("PostgreSQLLogUseConnectionPool", DB_LOG),
    refused("PostgreSQLLogDatabase", DB_LOG),
    refused("PostgreSQLLogUser", DB_LOG),
    refused("PostgreSQLLogPassword", DB_LOG),
    refused("PostgreSQLLogHost", DB_LOG),
    refused("PostgreSQLLogPort", DB_LOG),
    refused("PostgreSQLLogIncomingTable", DB_LOG),
    refused("PostgreSQLLogOutgoingTable", DB_LOG),
    refused("PostgreSQLLogEventTable", DB_LOG),
    refused("OdbcLogUser", DB_LOG),
    refused("OdbcLogPassword", DB_LOG),
    refused("OdbcLogConnectionString", DB_LOG),
    refused("OdbcLogIncomingTable", DB_LOG),
    refused("OdbcLogOutgoingTable", DB_LOG),
    refused("OdbcLogEventTable", DB_LOG),
    // Resets and timestamps.
    read("ResetOnLogon"),
    read("ResetOnLogout"),
    read("ResetOnDisconnect"),
    flag(
        "RefreshOnLogon",
        false,
        "hot failover (re-reading the store at Logon) is not supported: one engine owns a \
         store; use N or remove the line",
    ),
    read("MillisecondsInTimeStamp"),
    read("TimestampPrecision"),
    refused(
        "HttpAcceptPort",
        "Gapless has no HTTP control panel: remove the line",
    ),
    flag(
        "PersistMessages",
        true,
        "Gapless always stores what it sends and resends it on request (answering with \
         GapFills only for admin messages): use Y or remove the line",
    ),
    // TLS (QuickFIX C++ reads these in its SSL acceptor and initiator).
    read("ServerCertificateFile"),
    read("ServerCertificateKeyFile"),
    read("ClientCertificateFile"),
    read("ClientCertificateKeyFile"),
    read("CertificationAuthoritiesFile"),
    refused(
        "CertificationAuthoritiesDirectory",
        "concatenate the CA certificates into one PEM file and give it as \
         CertificationAuthoritiesFile",
    ),
    refused(
        "CertificateRevocationListFile",
        "certificate revocation lists are not supported yet: remove the line, and stop \
         trusting a compromised certificate by reissuing from a new CA",
    ),
    refused(
        "CertificateRevocationListDirectory",
        "certificate revocation lists are not supported yet: remove the line, and stop \
         trusting a compromised certificate by reissuing from a new CA",
    ),
    read("CertificateVerifyLevel"),
    read("AllowedRemoteAddresses"),
    read("SSLProtocol"),
    refused(
        "SSLCipherSuite",
        "rustls offers its own fixed set of modern cipher suites: remove the line",
    ),
    refused(
        "TLSCipherSuites",
        "rustls offers its own fixed set of modern cipher suites: remove the line",
    ),
    // QuickFIX/J (and QuickFIX/n) keys.
    read("SocketUseSSL"),
    read("SocketAcceptAddress"),
    read("SocketAcceptHost"),
    read("EnableNextExpectedMsgSeqNum"),
    read("ResendRequestChunkSize"),
    read("RequiresOrigSendingTime"),
    read("TimeZone"),
    flag("SocketTcpNoDelay", true, NODELAY),
    only(
        "SocketConnectProtocol",
        &["TCP"],
        "Gapless connects over TCP only: use TCP or remove the line",
    ),
    only(
        "SocketAcceptProtocol",
        &["TCP"],
        "Gapless accepts over TCP only: use TCP or remove the line",
    ),
    refused("SenderSubID", SESSION_LAYER),
    refused("SenderLocationID", SESSION_LAYER),
    refused("TargetSubID", SESSION_LAYER),
    refused("TargetLocationID", SESSION_LAYER),
    refused("EnableLastMsgSeqNumProcessed", SESSION_LAYER),
    refused("TestRequestDelayMultiplier", SESSION_LAYER),
    refused("HeartBeatTimeoutMultiplier", SESSION_LAYER),
    refused("DisableHeartBeatCheck", SESSION_LAYER),
    refused("ValidateSequenceNumbers", SESSION_LAYER),
    refused("ValidateIncomingMessage", SESSION_LAYER),
    refused("ValidateUnorderedGroupFields", SESSION_LAYER),
    refused("ValidateChecksum", SESSION_LAYER),
    refused("ResetOnError", SESSION_LAYER),
    refused("DisconnectOnError", SESSION_LAYER),
    refused("RejectGarbledMessage", SESSION_LAYER),
    refused("RejectInvalidMessage", SESSION_LAYER),
    refused("RejectMessageOnUnhandledException", SESSION_LAYER),
    refused("ClosedResendInterval", SESSION_LAYER),
    refused("AllowPosDup", SESSION_LAYER),
    refused("LogonTag", SESSION_LAYER),
    refused("LogonTag<n>", SESSION_LAYER),
    refused(
        "ForceResendWhenCorruptedStore",
        "use OnStoreCorruption (refuse, reset or gapfill; see STORE.md)",
    ),
    refused(
        "Weekdays",
        "a daily session on chosen weekdays is not supported yet: use StartDay/EndDay for one \
         weekly session, or StartTime/EndTime for every day",
    ),
    refused(
        "FileStoreSync",
        "use FsyncPolicy=commit (or interval:<ms>; see STORE.md for when it syncs)",
    ),
    refused(
        "FileStoreMaxCachedMsgs",
        "the file store keeps no message cache to size: remove the line",
    ),
    refused("FileIncludeMilliseconds", JAVA_LOG),
    refused("FileIncludeTimeStampForMessages", JAVA_LOG),
    refused("FileLogHeartbeats", JAVA_LOG),
    refused("ScreenLogShowHeartBeats", JAVA_LOG),
    refused("ScreenIncludeMilliseconds", JAVA_LOG),
    refused("JdbcDriver", DB_STORE),
    refused("JdbcURL", DB_STORE),
    refused("JdbcUser", DB_STORE),
    refused("JdbcPassword", DB_STORE),
    refused("JdbcDataSourceName", DB_STORE),
    refused("SocketKeyStore", JAVA_TLS),
    refused("SocketKeyStorePassword", JAVA_TLS),
    refused("SocketTrustStore", JAVA_TLS),
    refused("SocketTrustStorePassword", JAVA_TLS),
    refused(
        "CipherSuites",
        "rustls offers its own fixed set of modern cipher suites: remove the line",
    ),
    refused(
        "EnableProtocols",
        "use SSLProtocol (TLSv1_2, TLSv1_3 or all)",
    ),
    refused(
        "NeedClientAuth",
        "use CertificateVerifyLevel=1 on the acceptor",
    ),
    refused(
        "UseSNI",
        "the initiator always sends SNI for SSLServerName: remove the line",
    ),
    refused(
        "SocketKeepAlive",
        "TCP keep-alive is not set: FIX heartbeats detect a dead peer; remove the line",
    ),
    refused("SocketLinger", "SO_LINGER is not set: remove the line"),
    refused(
        "SocketSynchronousWrites",
        "the hot path never blocks on a write: remove the line",
    ),
    refused(
        "SocketSynchronousWriteTimeout",
        "the hot path never blocks on a write: remove the line",
    ),
    refused(
        "MaxScheduledWriteRequests",
        "the hot path never blocks on a write: remove the line",
    ),
    refused(
        "ContinueInitializationOnError",
        "a session that cannot start stops the engine with an error: fix it or remove it",
    ),
    refused(
        "LogMessageWhenSessionNotFound",
        "a connection no session matches is closed unlogged: remove the line",
    ),
    refused("Description", "remove the line (or make it a # comment)"),
    // Gapless's own.
    read("RefTagIDAlways"),
    read("Username"),
    read("Password"),
    read("SSLServerName"),
    read("Validator"),
    read("IO"),
    read("HotPathCore"),
    read("RecoveryCore"),
    read("StoreCore"),
    read("MetricsPort"),
    read("ControlSocket"),
    read("SegmentBytes"),
    read("FsyncPolicy"),
    read("OnStoreCorruption"),
    read("MaxMessageSize"),
    read("HoldQueueMessages"),
    read("HoldQueueBytes"),
    read("ResendTimeout"),
    read("ResendRateLimit"),
    read("DpdkEalArgs"),
    read("DpdkPort"),
    read("DpdkQueue"),
    read("DpdkLocalIP"),
    read("DpdkLocalMAC"),
    read("DpdkGatewayIP"),
    read("DpdkGateway"),
    read("DpdkCapture"),
];

/// The table's entry for `key`, if it has one.
pub(super) fn find(key: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| matches(k.name, key))
}

/// The loader reads `key`: it must be in the table as read.
pub(super) fn is_read(key: &str) -> bool {
    find(key).is_some_and(|k| !matches!(k.rule, Rule::Refused(_)))
}

/// `key` is `name`, or an instance of its `<n>` / `.<BeginString>` form.
fn matches(name: &str, key: &str) -> bool {
    if let Some(prefix) = name.strip_suffix("<n>") {
        return strip_prefix_ci(key, prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    }
    if let Some(prefix) = name.strip_suffix("<BeginString>") {
        return strip_prefix_ci(key, prefix).is_some_and(|rest| !rest.is_empty());
    }
    name.eq_ignore_ascii_case(key)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_and_suffixed_forms_match_only_their_instances() {
        assert!(find("SocketConnectHost1").is_some_and(|k| k.name == "SocketConnectHost<n>"));
        assert!(find("socketconnecthost").is_some_and(|k| k.name == "SocketConnectHost"));
        assert!(find("SocketConnectHostX").is_none());
        assert!(find("AppDataDictionary.FIX.4.4").is_some_and(|k| k.name.ends_with('>')));
        assert!(find("AppDataDictionary").is_some_and(|k| k.rule == Rule::Read));
    }

    /// QuickFIX C++ 1.15.1's keys (the file's header says where from).
    fn quickfix_keys() -> Vec<&'static str> {
        include_str!("quickfix_keys.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    }

    #[test]
    fn every_quickfix_key_is_in_the_table_as_read_or_refused() {
        let keys = quickfix_keys();
        assert!(keys.len() > 100, "quickfix_keys.txt read: {}", keys.len());
        let missing: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| {
                let instance = k.replace("<n>", "1").replace("<BeginString>", "FIX.4.4");
                find(&instance).is_none()
            })
            .collect();
        assert!(
            missing.is_empty(),
            "QuickFIX keys neither read nor refused (add them to KEYS and docs/CONFIG.md): \
             {missing:?}"
        );
    }

    /// The rows of docs/CONFIG.md's "Every key" tables: (key, status,
    /// meaning or what to do).
    fn documented() -> Vec<(String, String, String)> {
        let doc = include_str!("../../../docs/CONFIG.md");
        let (_, section) = doc
            .split_once("\n## Every key\n")
            .expect("docs/CONFIG.md has a \"## Every key\" section");
        let section = section.split("\n## ").next().unwrap_or_default();
        section
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
                let cell = |i: usize| cells.get(i).copied().unwrap_or_default().to_string();
                (cell(0).trim_matches('`').to_string(), cell(1), cell(3))
            })
            .collect()
    }

    /// The status docs/CONFIG.md must give a rule.
    fn status(rule: Rule) -> String {
        match rule {
            Rule::Read => "supported".into(),
            Rule::Flag(only, _) => format!("supported ({} only)", if only { "Y" } else { "N" }),
            Rule::Only(values, _) => format!("supported ({} only)", values.join(", ")),
            Rule::Refused(_) => "refused".into(),
        }
    }

    #[test]
    fn config_md_lists_exactly_the_keys_of_the_table_with_their_status() {
        let doc = documented();
        for k in KEYS {
            let rows: Vec<_> = doc.iter().filter(|r| r.0 == k.name).collect();
            assert_eq!(
                rows.len(),
                1,
                "{} must have one row in docs/CONFIG.md",
                k.name
            );
            assert_eq!(
                rows[0].1,
                status(k.rule),
                "status of {} in docs/CONFIG.md",
                k.name
            );
            assert!(
                !rows[0].2.is_empty(),
                "{}: say what it does, or what to do",
                k.name
            );
        }
        for (name, ..) in &doc {
            assert!(
                KEYS.iter().any(|k| k.name == name),
                "docs/CONFIG.md lists {name}, which config::keys::KEYS does not have"
            );
        }
    }

    #[test]
    fn no_key_is_listed_twice() {
        for (i, a) in KEYS.iter().enumerate() {
            assert!(
                KEYS[..i]
                    .iter()
                    .all(|b| !a.name.eq_ignore_ascii_case(b.name)),
                "{} is listed twice",
                a.name
            );
        }
    }
}

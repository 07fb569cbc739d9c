//! Checks on the raw entries before typing: each key against the one
//! table ([`super::keys`]), and the engine-wide keys for agreement.

use super::get::boolean;
use super::keys::{self, Rule};
use super::parse::{Raw, Section};
use super::ConfigError;

/// Refuses every refused key or value (naming its line and what to do);
/// returns a warning for each unknown key.
pub(super) fn entries(raw: &Raw) -> Result<Vec<String>, ConfigError> {
    let mut warnings = vec![];
    for sec in std::iter::once(&raw.default).chain(&raw.sessions) {
        for (key, (value, line)) in &sec.entries {
            match keys::find(key) {
                None => warnings.push(format!("line {line}: unknown key {key} (ignored)")),
                Some(k) => check(k.rule, key, value, *line)?,
            }
        }
    }
    Ok(warnings)
}

fn check(rule: Rule, key: &str, value: &str, line: usize) -> Result<(), ConfigError> {
    let refuse = |why: &str, with_value: bool| {
        let what = if with_value {
            format!("{key}={value}")
        } else {
            key.to_string()
        };
        Err(ConfigError {
            line,
            message: format!("{what} is not supported: {why}"),
        })
    };
    match rule {
        Rule::Read => Ok(()),
        Rule::Refused(why) => refuse(why, false),
        Rule::Flag(only, why) if boolean(key, value, line)? != only => refuse(why, true),
        Rule::Flag(..) => Ok(()),
        Rule::Only(values, why) if !values.iter().any(|v| v.eq_ignore_ascii_case(value)) => {
            refuse(why, true)
        }
        Rule::Only(..) => Ok(()),
    }
}

/// Keys one engine applies to all its sessions (taken from the first).
pub(super) const ENGINE_WIDE: &[&str] = &[
    "Validator",
    "IO",
    "HotPathCore",
    "RecoveryCore",
    "MetricsPort",
    "ControlSocket",
    "MaxMessageSize",
    "ResendRateLimit",
    "SocketAcceptHost",
    "SocketAcceptAddress",
    "SocketUseSSL",
    "ServerCertificateFile",
    "ServerCertificateKeyFile",
    "ClientCertificateFile",
    "ClientCertificateKeyFile",
    "CertificationAuthoritiesFile",
    "CertificateVerifyLevel",
    "SSLServerName",
    "SSLProtocol",
    "DpdkEalArgs",
    "DpdkPort",
    "DpdkQueue",
    "DpdkLocalIP",
    "DpdkLocalMAC",
    "DpdkGatewayIP",
    "DpdkGateway",
    "DpdkCapture",
];

/// An engine-wide key must have one value in every session: a session
/// that sets another would be silently overruled by the first.
pub(super) fn engine_wide(raw: &Raw) -> Result<(), ConfigError> {
    fn value<'a>(raw: &'a Raw, s: &'a Section, key: &str) -> Option<(&'a str, usize)> {
        s.get(key).or_else(|| raw.default.get(key))
    }
    let Some(first) = raw.sessions.first() else {
        return Ok(());
    };
    for key in ENGINE_WIDE {
        let want = value(raw, first, key).map(|v| v.0);
        for s in &raw.sessions[1..] {
            let got = value(raw, s, key);
            if got.map(|v| v.0) != want {
                return Err(ConfigError {
                    line: got.map_or(s.line, |v| v.1),
                    message: format!(
                        "{key} applies to the whole engine, and this session sets it \
                         differently from the first (line {}): set it once, in [DEFAULT]",
                        first.line
                    ),
                });
            }
        }
    }
    Ok(())
}

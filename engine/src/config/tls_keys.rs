//! `SocketUseSSL` and QuickFIX's certificate and protocol keys.

use super::{ConfigError, ConnectionType, Get};
use crate::runtime::tls::TlsSettings;

/// The TLS settings of a session of `role`, if `SocketUseSSL=Y`. What
/// is honoured only in part goes to `notes`.
pub(super) fn tls(
    g: &Get<'_>,
    role: ConnectionType,
    notes: &mut Vec<String>,
) -> Result<Option<TlsSettings>, ConfigError> {
    if !g.flag("SocketUseSSL", false)? {
        for key in TLS_KEYS {
            if let Some((_, line)) = g.raw(key) {
                notes.push(format!(
                    "line {line}: {key} has no effect without SocketUseSSL=Y (ignored): set \
                     SocketUseSSL=Y for TLS, or remove the line"
                ));
            }
        }
        return Ok(None);
    }
    let (cert, key) = match role {
        ConnectionType::Acceptor => ("ServerCertificateFile", "ServerCertificateKeyFile"),
        ConnectionType::Initiator => ("ClientCertificateFile", "ClientCertificateKeyFile"),
    };
    let tls13_only = match g.raw("SSLProtocol") {
        None => false,
        Some((v, line)) => protocols(v, line, notes)?,
    };
    Ok(Some(TlsSettings {
        certificate: g.path(cert),
        key: g.path(key),
        ca: g.path("CertificationAuthoritiesFile"),
        verify_peer: g.num::<u32>("CertificateVerifyLevel", 0)? > 0,
        server_name: g.str("SSLServerName"),
        tls13_only,
    }))
}

/// The keys that mean something only with `SocketUseSSL=Y`.
const TLS_KEYS: [&str; 8] = [
    "ServerCertificateFile",
    "ServerCertificateKeyFile",
    "ClientCertificateFile",
    "ClientCertificateKeyFile",
    "CertificationAuthoritiesFile",
    "CertificateVerifyLevel",
    "SSLServerName",
    "SSLProtocol",
];

/// QuickFIX's protocol names, oldest first; rustls has the last two.
const NAMES: [&str; 6] = ["SSLv2", "SSLv3", "TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3"];
const TLS12: usize = 4;
const TLS13: usize = 5;

/// SSLProtocol as QuickFIX reads it (`all -SSLv2`, `+TLSv1_2`, …; plus
/// `TLSv1_3`, also spelled `TLSv1.3`): returns "TLS 1.3 only". TLS 1.3
/// is offered unless removed, as QuickFIX's OpenSSL does; protocols
/// rustls lacks are noted, and a list left with neither TLS 1.2 nor 1.3,
/// or with 1.2 alone, is refused.
fn protocols(v: &str, line: usize, notes: &mut Vec<String>) -> Result<bool, ConfigError> {
    let err = |message: String| ConfigError { line, message };
    let mut on = [false; 6];
    let mut tls13_removed = false;
    let mut tls13_named = false;
    for token in v.split_whitespace() {
        let (add, name) = match token.as_bytes()[0] {
            b'-' => (false, &token[1..]),
            b'+' => (true, &token[1..]),
            _ => (true, token),
        };
        let name = name.replace('.', "_");
        let picked: Vec<usize> = if name.eq_ignore_ascii_case("all") {
            (0..NAMES.len()).collect()
        } else {
            let i = NAMES
                .iter()
                .position(|n| n.eq_ignore_ascii_case(&name))
                .ok_or_else(|| {
                    err(format!(
                        "SSLProtocol={v}: {token} is not a protocol: use all, {} with + or -",
                        NAMES.join(", ")
                    ))
                })?;
            vec![i]
        };
        for i in picked {
            on[i] = add;
            if i == TLS13 {
                tls13_named |= add && name.eq_ignore_ascii_case("TLSv1_3");
                tls13_removed |= !add;
            }
        }
    }
    let old: Vec<&str> = (0..TLS12).filter(|&i| on[i]).map(|i| NAMES[i]).collect();
    if !old.is_empty() {
        notes.push(format!(
            "line {line}: SSLProtocol lists {}: rustls has no such protocol, so only TLS 1.2 \
             and 1.3 can be offered",
            old.join(", ")
        ));
    }
    let tls13 = !tls13_removed;
    match (on[TLS12], tls13) {
        (false, false) => Err(err(format!(
            "SSLProtocol={v} leaves neither TLS 1.2 nor TLS 1.3, the protocols rustls has: \
             allow TLSv1_2 or TLSv1_3"
        ))),
        (true, false) => Err(err(format!(
            "SSLProtocol={v} allows TLS 1.2 alone, which Gapless cannot restrict to: allow \
             TLS 1.3 too (remove -TLSv1_3)"
        ))),
        (false, true) if !tls13_named && old.is_empty() => Err(err(format!(
            "SSLProtocol={v} names no protocol: use all, TLSv1_2 or TLSv1_3"
        ))),
        (tls12, true) => Ok(!tls12),
    }
}

#[cfg(test)]
mod tests {
    use super::protocols;

    fn only13(v: &str) -> Result<(bool, Vec<String>), String> {
        let mut notes = vec![];
        protocols(v, 7, &mut notes)
            .map(|b| (b, notes))
            .map_err(|e| e.message)
    }

    #[test]
    fn tls13_alone_in_either_spelling_is_tls13_only() {
        assert_eq!(only13("TLSv1.3"), Ok((true, vec![])));
        assert_eq!(only13("TLSv1_3"), Ok((true, vec![])));
    }

    #[test]
    fn tls12_keeps_tls13_offered_as_quickfix_openssl_does() {
        assert_eq!(only13("TLSv1_2"), Ok((false, vec![])));
        assert_eq!(only13("+TLSv1_2 +TLSv1_3"), Ok((false, vec![])));
    }

    #[test]
    fn quickfix_default_notes_the_protocols_rustls_lacks() {
        let (only, notes) = only13("all -SSLv2").unwrap();
        assert!(!only);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("SSLv3, TLSv1, TLSv1_1"), "{notes:?}");
    }

    #[test]
    fn lists_rustls_cannot_honour_are_refused() {
        assert!(only13("all -TLSv1_2 -TLSv1_3")
            .unwrap_err()
            .contains("neither"));
        assert!(only13("TLSv1_2 -TLSv1_3")
            .unwrap_err()
            .contains("TLS 1.2 alone"));
        assert!(only13("TLSv9").unwrap_err().contains("not a protocol"));
    }
}

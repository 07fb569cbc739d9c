//! The file format: sections, `Key=Value` lines, `#` comments.

use super::ConfigError;

/// One section's entries, in file order: `(key, (value, line))`.
#[derive(Clone, Debug, Default)]
pub(super) struct Section {
    pub(super) line: usize,
    pub(super) entries: Vec<(String, (String, usize))>,
}

impl Section {
    /// The value of `key` (case-insensitive, as QuickFIX) and its line.
    pub(super) fn get(&self, key: &str) -> Option<(&str, usize)> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, (v, l))| (v.as_str(), *l))
    }
}

/// The sections of a file, before typing.
#[derive(Debug, Default)]
pub(super) struct Raw {
    pub(super) default: Section,
    pub(super) sessions: Vec<Section>,
}

enum Current {
    None,
    Default,
    Session,
}

impl Raw {
    pub(super) fn parse(text: &str) -> Result<Raw, ConfigError> {
        let mut raw = Raw::default();
        let mut current = Current::None;
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                current = match name.trim().to_ascii_uppercase().as_str() {
                    "DEFAULT" => Current::Default,
                    "SESSION" => {
                        raw.sessions.push(Section {
                            line: n,
                            entries: vec![],
                        });
                        Current::Session
                    }
                    other => {
                        let message =
                            format!("unknown section [{other}]: use [DEFAULT] or [SESSION]");
                        return Err(ConfigError { line: n, message });
                    }
                };
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                let message = format!("\"{line}\" is not Key=Value");
                return Err(ConfigError { line: n, message });
            };
            let (key, value) = (key.trim(), value.trim());
            if key.is_empty() {
                return Err(ConfigError {
                    line: n,
                    message: "a line starts with '=': the key is missing".into(),
                });
            }
            let entry = (key.to_string(), (value.to_string(), n));
            match current {
                Current::None => {
                    let message = format!("{key} comes before any [DEFAULT] or [SESSION] section");
                    return Err(ConfigError { line: n, message });
                }
                Current::Default => raw.default.entries.push(entry),
                Current::Session => raw
                    .sessions
                    .last_mut()
                    .expect("a session")
                    .entries
                    .push(entry),
            }
        }
        Ok(raw)
    }
}

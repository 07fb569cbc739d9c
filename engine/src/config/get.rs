//! Typed reads of one session's keys: its own section, then `[DEFAULT]`.

use std::path::PathBuf;

use super::parse::Section;
use super::{keys, ConfigError};

#[cfg(test)]
thread_local! {
    /// Every key this thread's loads asked for (lower case): a test
    /// checks that each key the table lists as read is read.
    pub(super) static ASKED: std::cell::RefCell<std::collections::HashSet<String>> =
        std::cell::RefCell::default();
}

/// Typed reads of one session's keys (its own, then `[DEFAULT]`).
pub(super) struct Get<'a> {
    pub(super) default: &'a Section,
    pub(super) own: &'a Section,
}

impl Get<'_> {
    pub(super) fn raw(&self, key: &str) -> Option<(&str, usize)> {
        debug_assert!(
            keys::is_read(key),
            "{key} is read but config::keys::KEYS does not list it as read"
        );
        #[cfg(test)]
        ASKED.with(|a| a.borrow_mut().insert(key.to_ascii_lowercase()));
        self.own.get(key).or_else(|| self.default.get(key))
    }

    pub(super) fn str(&self, key: &str) -> Option<String> {
        self.raw(key).map(|(v, _)| v.to_string())
    }

    pub(super) fn required(&self, key: &str) -> Result<String, ConfigError> {
        self.str(key).ok_or_else(|| ConfigError {
            line: self.own.line,
            message: format!("{key} is missing: set it in this [SESSION] or in [DEFAULT]"),
        })
    }

    pub(super) fn parsed<T: std::str::FromStr>(
        &self,
        key: &str,
        what: &str,
    ) -> Result<Option<T>, ConfigError> {
        match self.raw(key) {
            None => Ok(None),
            Some((v, line)) => v.parse().map(Some).map_err(|_| ConfigError {
                line,
                message: format!("{key}={v} is not {what}"),
            }),
        }
    }

    pub(super) fn num<T: std::str::FromStr>(
        &self,
        key: &str,
        default: T,
    ) -> Result<T, ConfigError> {
        Ok(self.parsed(key, "a number")?.unwrap_or(default))
    }

    pub(super) fn flag(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.raw(key) {
            None => Ok(default),
            Some((v, line)) => boolean(key, v, line),
        }
    }

    /// A flag with two names for one setting (QuickFIX C++'s and
    /// QuickFIX/J's): either may be set; both must then agree.
    pub(super) fn flag_either(&self, names: [&str; 2], default: bool) -> Result<bool, ConfigError> {
        let [a, b] = names;
        match (self.raw(a), self.raw(b)) {
            (Some(_), Some((_, line))) if self.flag(a, default)? != self.flag(b, default)? => {
                Err(disagree(a, b, line))
            }
            (None, Some(_)) => self.flag(b, default),
            _ => self.flag(a, default),
        }
    }

    /// A string with two names for one setting; both must then agree.
    pub(super) fn str_either(&self, names: [&str; 2]) -> Result<Option<String>, ConfigError> {
        let [a, b] = names;
        match (self.raw(a), self.raw(b)) {
            (Some((x, _)), Some((y, line))) if x != y => Err(disagree(a, b, line)),
            (None, Some((y, _))) => Ok(Some(y.to_string())),
            _ => Ok(self.str(a)),
        }
    }

    pub(super) fn choice<T: Copy>(
        &self,
        key: &str,
        options: &[(&str, T)],
        default: T,
    ) -> Result<T, ConfigError> {
        let Some((v, line)) = self.raw(key) else {
            return Ok(default);
        };
        options
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(v))
            .map(|o| o.1)
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|o| o.0).collect();
                ConfigError {
                    line,
                    message: format!("{key}={v}: use one of {}", names.join(", ")),
                }
            })
    }

    pub(super) fn path(&self, key: &str) -> Option<PathBuf> {
        self.str(key).map(PathBuf::from)
    }
}

/// `Y`/`N` (and `YES`/`NO`, `TRUE`/`FALSE`), any case.
pub(super) fn boolean(key: &str, v: &str, line: usize) -> Result<bool, ConfigError> {
    match v.to_ascii_uppercase().as_str() {
        "Y" | "YES" | "TRUE" => Ok(true),
        "N" | "NO" | "FALSE" => Ok(false),
        _ => Err(ConfigError {
            line,
            message: format!("{key}={v}: use Y or N"),
        }),
    }
}

fn disagree(a: &str, b: &str, line: usize) -> ConfigError {
    ConfigError {
        line,
        message: format!("{a} and {b} name one setting and are set differently: keep one of them"),
    }
}

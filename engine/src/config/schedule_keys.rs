//! The schedule keys: StartTime/EndTime (both or neither), StartDay/EndDay,
//! TimeZone or UseLocalTime, and NonStopSession.

use super::{ConfigError, Get};
use crate::schedule::{Schedule, TimeZone};

const KEYS: [&str; 5] = ["StartTime", "EndTime", "StartDay", "EndDay", "TimeZone"];

/// The session's schedule (`None`: always open, never reset by time).
pub(super) fn schedule(g: &Get) -> Result<Option<Schedule>, ConfigError> {
    let local = g.flag("UseLocalTime", false)?;
    if g.flag("NonStopSession", false)? {
        return non_stop(g, local);
    }
    let [start, end, start_day, end_day, zone] = KEYS.map(|k| g.raw(k));
    if let (true, Some((_, line))) = (local, zone) {
        return Err(ConfigError {
            line,
            message: "UseLocalTime=Y and TimeZone both give the schedule's zone: keep one".into(),
        });
    }
    let (start, end) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (None, None) => {
            let local = local.then(|| g.raw("UseLocalTime")).flatten();
            let rest = [start_day, end_day, zone, local];
            return no_schedule(&["StartDay", "EndDay", "TimeZone", "UseLocalTime"], &rest);
        }
        (Some((_, line)), None) | (None, Some((_, line))) => {
            return Err(ConfigError {
                line,
                message: "StartTime and EndTime go together: set both (HH:MM:SS), or neither for a session that never closes".into(),
            })
        }
    };
    let at = |key: &str| g.raw(key).map_or(g.own.line, |r| r.1);
    let mut s = Schedule::parse(
        start.0,
        end.0,
        start_day.map(|d| d.0),
        end_day.map(|d| d.0),
        zone.map(|z| z.0),
    )
    .map_err(|e| ConfigError {
        line: at(e.key),
        message: e.to_string(),
    })?;
    if local {
        s.zone = TimeZone::local().map_err(|why| ConfigError {
            line: at("UseLocalTime"),
            message: format!("UseLocalTime=Y: {why}"),
        })?;
    }
    Ok(Some(s))
}

/// NonStopSession=Y: no schedule, and no schedule key beside it (as in
/// QuickFIX).
fn non_stop(g: &Get, local: bool) -> Result<Option<Schedule>, ConfigError> {
    let set = KEYS
        .iter()
        .find_map(|k| Some((*k, g.raw(k)?.1)))
        .or_else(|| local.then(|| ("UseLocalTime", g.raw("UseLocalTime").map_or(0, |r| r.1))));
    match set {
        None => Ok(None),
        Some((key, line)) => Err(ConfigError {
            line,
            message: format!(
                "NonStopSession=Y means the session never closes, so {key} has no meaning: \
                 remove one of them"
            ),
        }),
    }
}

/// Without StartTime/EndTime, any other schedule key is an error.
fn no_schedule(
    keys: &[&str],
    values: &[Option<(&str, usize)>],
) -> Result<Option<Schedule>, ConfigError> {
    match keys
        .iter()
        .zip(values)
        .find_map(|(k, v)| Some((k, v.as_ref()?.1)))
    {
        None => Ok(None),
        Some((k, line)) => Err(ConfigError {
            line,
            message: format!("{k} needs StartTime and EndTime: set both (HH:MM:SS)"),
        }),
    }
}

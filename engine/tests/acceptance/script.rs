//! QuickFIX acceptance scripts (`.def`): parsing and message preparation.
//!
//! Line format, as QuickFIX's test runner reads it: `#` comment; `iCONNECT`
//! / `iDISCONNECT` open or close a connection; `eDISCONNECT` expects the
//! engine to close it; `I<msg>` sends a message; `E<msg>` expects one. An
//! optional connection number follows the letter (`I2,8=FIX...`); without
//! one the line is for connection 1. Messages use SOH separators; `<TIME>`,
//! `<TIME+n>` and `<TIME-n>` become the current UTC time (± n seconds); a
//! message starting with `8=` gets BodyLength(9) and CheckSum(10) filled in
//! unless the script gives them.

use std::time::{SystemTime, UNIX_EPOCH};

/// One step of a script.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Connect,
    Disconnect,
    ExpectDisconnect,
    /// A message to send, as written in the script (SOH separators).
    Send(Vec<u8>),
    /// A message to expect, as written in the script.
    Expect(Vec<u8>),
}

/// A step with its connection number and script line.
#[derive(Clone, Debug)]
pub struct Line {
    pub number: usize,
    pub conn: u8,
    pub step: Step,
}

/// Parses a script. Never panics; an unknown line is an error naming it.
pub fn parse(text: &[u8]) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.is_empty() || raw[0] == b'#' {
            continue;
        }
        let (conn, rest) = match raw {
            [_, d @ b'0'..=b'9', b',', rest @ ..] => (d - b'0', rest),
            [_, rest @ ..] => (1, rest),
            [] => continue,
        };
        let step = match (raw[0], rest) {
            (b'i', b"CONNECT") => Step::Connect,
            (b'i', b"DISCONNECT") => Step::Disconnect,
            (b'e', b"DISCONNECT") => Step::ExpectDisconnect,
            (b'e', b"CONNECT") => continue,
            (b'I', m) => Step::Send(m.to_vec()),
            (b'E', m) => Step::Expect(m.to_vec()),
            _ => return Err(format!("line {}: syntax error", i + 1)),
        };
        out.push(Line {
            number: i + 1,
            conn,
            step,
        });
    }
    Ok(out)
}

/// Replaces `<TIME>` and `<TIME±n>` with UTC `YYYYMMDD-HH:MM:SS`.
pub fn timeify(msg: &[u8], now_secs: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len() + 16);
    let mut i = 0;
    while i < msg.len() {
        if let Some((len, offset)) = time_token(&msg[i..]) {
            out.extend_from_slice(utc_seconds(now_secs + offset).as_bytes());
            i += len;
        } else {
            out.push(msg[i]);
            i += 1;
        }
    }
    out
}

/// `<TIME>` or `<TIME+n>`/`<TIME-n>` at the start of `s`: (length, offset).
fn time_token(s: &[u8]) -> Option<(usize, i64)> {
    let rest = s.strip_prefix(b"<TIME")?;
    if rest.first() == Some(&b'>') {
        return Some((6, 0));
    }
    let sign = match rest.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || rest.get(1 + digits) != Some(&b'>') {
        return None;
    }
    let n: i64 = std::str::from_utf8(&rest[1..1 + digits])
        .ok()?
        .parse()
        .ok()?;
    Some((5 + 1 + digits + 1, sign * n))
}

/// Seconds since the epoch now.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `YYYYMMDD-HH:MM:SS` for seconds since the epoch (proleptic Gregorian).
pub fn utc_seconds(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Splits a message into its SOH-terminated fields (without the SOH).
pub fn fields(msg: &[u8]) -> Vec<&[u8]> {
    let mut v: Vec<&[u8]> = msg.split(|&b| b == 1).collect();
    if v.last().is_some_and(|f| f.is_empty()) {
        v.pop();
    }
    v
}

/// The tag of a field (`b"35=A"` → `b"35"`) and its value.
pub fn tag_value(field: &[u8]) -> (&[u8], &[u8]) {
    match field.iter().position(|&b| b == b'=') {
        Some(p) => (&field[..p], &field[p + 1..]),
        None => (field, b""),
    }
}

/// Sum of bytes mod 256, as FIX's CheckSum.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |s, &b| s.wrapping_add(b))
}

/// Where `\x0110=` starts (the SOH before CheckSum), if anywhere.
fn checksum_at(msg: &[u8]) -> Option<usize> {
    msg.windows(4).position(|w| w == b"\x0110=")
}

/// Whether a complete message carries the right CheckSum.
pub fn checksum_ok(msg: &[u8]) -> bool {
    let Some(at) = checksum_at(msg) else {
        return false;
    };
    let value = tag_value(fields(&msg[at + 1..])[0]).1;
    value == format!("{:03}", checksum(&msg[..=at])).as_bytes()
}

/// QuickFIX's `fixify!`: for a message starting `8=`, inserts BodyLength
/// after BeginString unless the message has one anywhere, and appends
/// CheckSum unless it ends with one. Other messages are returned as is.
pub fn fixify(msg: &[u8]) -> Vec<u8> {
    let Some(head_len) = msg
        .starts_with(b"8=")
        .then(|| msg.iter().position(|&b| b == 1))
        .flatten()
        .map(|p| p + 1)
    else {
        return msg.to_vec();
    };
    let has_length = msg.windows(3).any(|w| w == b"\x019=");
    let (body, trailer) = match checksum_at(&msg[head_len - 1..]) {
        Some(at) if msg.ends_with(b"\x01") => {
            let at = head_len - 1 + at + 1;
            (&msg[head_len..at], Some(&msg[at..]))
        }
        _ => (&msg[head_len..], None),
    };
    let mut out = msg[..head_len].to_vec();
    if !has_length {
        out.extend_from_slice(format!("9={}\x01", body.len()).as_bytes());
    }
    out.extend_from_slice(body);
    match trailer {
        Some(t) => out.extend_from_slice(t),
        None => {
            let sum = checksum(&out);
            out.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
        }
    }
    out
}

/// The CompIDs of a script run: the scripts say `TW` for the counterparty;
/// each version's session here has its own (`TW44`, `TW50SP1`, ...).
pub fn with_comp_id(msg: &[u8], comp_id: &str) -> (Vec<u8>, isize) {
    let mut out = Vec::with_capacity(msg.len() + 16);
    let mut delta = 0isize;
    for (i, field) in msg.split(|&b| b == 1).enumerate() {
        if i > 0 {
            out.push(1);
        }
        if field == b"49=TW" || field == b"56=TW" {
            out.extend_from_slice(&field[..3]);
            out.extend_from_slice(comp_id.as_bytes());
            delta += comp_id.len() as isize - 2;
        } else {
            out.extend_from_slice(field);
        }
    }
    (out, delta)
}

/// A script message made ready for this run's CompID: the time filled in,
/// `TW` replaced, and an explicit BodyLength or correct CheckSum kept right
/// (a wrong one stays wrong by the same amount: the script meant it).
pub fn prepare(msg: &[u8], comp_id: &str, now: i64) -> Vec<u8> {
    let timed = timeify(msg, now);
    let as_written = fixify(&timed);
    let (renamed, delta) = with_comp_id(&timed, comp_id);
    let renamed = adjust_body_length(&renamed, delta);
    let mut out = fixify(&renamed);
    if delta != 0 && checksum_ok(&as_written) && !checksum_ok(&out) {
        if let Some(at) = checksum_at(&out) {
            out.truncate(at + 1);
            let sum = checksum(&out);
            out.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
        }
    }
    out
}

/// Adds `delta` to an explicit numeric BodyLength(9).
fn adjust_body_length(msg: &[u8], delta: isize) -> Vec<u8> {
    let mut parts: Vec<Vec<u8>> = msg.split(|&b| b == 1).map(<[u8]>::to_vec).collect();
    for p in parts.iter_mut() {
        if let Some(v) = p.strip_prefix(b"9=") {
            if let Some(n) = std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse::<isize>().ok())
            {
                *p = format!("9={}", n + delta).into_bytes();
            }
            break;
        }
    }
    parts.join(&1u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soh(s: &str) -> Vec<u8> {
        s.replace('|', "\x01").into_bytes()
    }

    #[test]
    fn lines_with_a_connection_number_go_to_that_connection() {
        let s = parse(b"# c\n\niCONNECT\ni2,CONNECT\nI2,8=FIX.4.4|35=0|\ne1,DISCONNECT\n").unwrap();
        let conns: Vec<u8> = s.iter().map(|l| l.conn).collect();
        assert_eq!(conns, [1, 2, 2, 1]);
        assert_eq!(s[2].step, Step::Send(b"8=FIX.4.4|35=0|".to_vec()));
        assert_eq!(s[3].number, 6);
    }

    #[test]
    fn fixify_fills_length_and_checksum_like_quickfix() {
        let m = fixify(&soh("8=FIX.4.2|35=0|34=2|"));
        assert_eq!(m, soh("8=FIX.4.2|9=10|35=0|34=2|10=164|"));
        assert!(checksum_ok(&m));
    }

    #[test]
    fn fixify_keeps_what_the_script_gives() {
        let m = soh("8=FIX.4.2|9=3|35=0|10=256|");
        assert_eq!(fixify(&m), m);
    }

    #[test]
    fn time_tokens_become_utc_with_offsets() {
        let t = 1_700_000_000; // 2023-11-14 22:13:20
        assert_eq!(timeify(b"52=<TIME>|", t), b"52=20231114-22:13:20|");
        assert_eq!(timeify(b"<TIME-3600>", t), b"20231114-21:13:20");
        assert_eq!(
            timeify(b"<TIME+60>x<TIME>", t),
            b"20231114-22:14:20x20231114-22:13:20"
        );
        assert_eq!(utc_seconds(951_782_400), "20000229-00:00:00");
    }

    #[test]
    fn comp_id_rename_keeps_a_wrong_length_equally_wrong_and_a_right_checksum_right() {
        let written = soh("8=FIX.4.4|9=5|35=0|49=TW|56=ISLD|");
        let m = prepare(&written, "TW44", 0);
        assert!(m.starts_with(&soh("8=FIX.4.4|9=7|35=0|49=TW44|")));
        assert!(checksum_ok(&m));
        let bad = prepare(&soh("8=FIX.4.4|35=0|49=TW|10=001|"), "TW44", 0);
        assert!(bad.ends_with(&soh("|10=001|")));
    }
}

//! Comparing what the engine sent with what a script expects.
//!
//! Strict mode is QuickFIX's runner (`Comparator.rb` with `fields.fmt`):
//! the same fields in the same order with the same values, except that
//! the timestamp fields of `fields.fmt` (42, 52, 60, 122) are compared by
//! format (`YYYYMMDD-HH:MM:SS` and any fraction, as its unanchored
//! patterns) and CheckSum(10) must be right for the message received.
//! BodyLength(9) is compared literally, as QuickFIX's runner does (the
//! script's value, adjusted for this run's CompIDs), so timestamp
//! precision counts through it; it must also be right. Lenient mode lets
//! field order, BodyLength (so timestamp precision) and Text(58) differ.

use super::script::{checksum_ok, fields, tag_value};

/// How strictly to compare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    Strict,
    Lenient,
}

/// `Ok` when `actual` is what `expected` asks for; else the first
/// difference.
pub fn compare(expected: &[u8], actual: &[u8], mode: Mode) -> Result<(), String> {
    let (ef, af) = (fields(expected), fields(actual));
    if mode == Mode::Lenient {
        return compare_unordered(&ef, &af, actual);
    }
    if ef.len() != af.len() {
        return Err(format!(
            "number of fields: expected {} but found {}",
            ef.len(),
            af.len()
        ));
    }
    for (e, a) in ef.iter().zip(&af) {
        let ((et, ev), (at, av)) = (tag_value(e), tag_value(a));
        if et != at {
            return Err(format!(
                "expected field ({}) but found field ({})",
                s(et),
                s(at)
            ));
        }
        if !value_ok(et, ev, av, actual, mode) {
            return Err(mismatch(et, ev, av));
        }
    }
    Ok(())
}

fn compare_unordered(ef: &[&[u8]], af: &[&[u8]], actual: &[u8]) -> Result<(), String> {
    let mut used = vec![false; af.len()];
    for e in ef {
        let (et, ev) = tag_value(e);
        let hit = af.iter().enumerate().position(|(i, a)| {
            let (at, av) = tag_value(a);
            !used[i] && at == et && value_ok(et, ev, av, actual, Mode::Lenient)
        });
        match hit {
            Some(i) => used[i] = true,
            None => {
                let found = af.iter().map(|a| tag_value(a)).find(|(at, _)| *at == et);
                return Err(match found {
                    Some((_, av)) => mismatch(et, ev, av),
                    None => format!("field ({}) missing", s(et)),
                });
            }
        }
    }
    match used.iter().position(|u| !u) {
        Some(i) => Err(format!("unexpected field ({})", s(tag_value(af[i]).0))),
        None => Ok(()),
    }
}

fn value_ok(tag: &[u8], ev: &[u8], av: &[u8], actual: &[u8], mode: Mode) -> bool {
    let strict = mode == Mode::Strict;
    match tag {
        b"9" => {
            (!strict || ev == av)
                && body_length(actual).is_some_and(|n| av == n.to_string().as_bytes())
        }
        b"10" => av.len() == 3 && checksum_ok(actual),
        b"42" | b"52" | b"60" | b"122" => is_timestamp(av),
        b"58" if !strict => true,
        _ => ev == av,
    }
}

fn mismatch(tag: &[u8], ev: &[u8], av: &[u8]) -> String {
    format!(
        "value in field ({}) should be ({}) but was ({})",
        s(tag),
        s(ev),
        s(av)
    )
}

/// The BodyLength a complete message should carry.
fn body_length(msg: &[u8]) -> Option<usize> {
    let start = msg.windows(3).position(|w| w == b"\x019=")? + 1;
    let body = start + msg[start..].iter().position(|&b| b == 1)? + 1;
    let end = msg.windows(4).rposition(|w| w == b"\x0110=")? + 1;
    end.checked_sub(body)
}

/// `YYYYMMDD-HH:MM:SS` with no fraction or one of 3, 6 or 9 digits.
fn is_timestamp(v: &[u8]) -> bool {
    let shape = |i: usize, b: u8| match i {
        8 => b == b'-',
        11 | 14 => b == b':',
        17 => b == b'.',
        _ => b.is_ascii_digit(),
    };
    let len_ok = v.len() == 17 || [21, 24, 27].contains(&v.len());
    len_ok && v.iter().enumerate().all(|(i, &b)| shape(i, b))
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::fixify;

    fn msg(s: &str) -> Vec<u8> {
        fixify(s.replace('|', "\x01").as_bytes())
    }

    const EXPECTED: &str = "8=FIX.4.4|9=49|35=0|34=2|49=ISLD|52=00000000-00:00:00.000|56=TW|10=0|";

    #[test]
    fn strict_accepts_the_same_fields_with_right_length_and_checksum() {
        let a = msg("8=FIX.4.4|35=0|34=2|49=ISLD|52=20231114-22:13:20.123|56=TW|");
        assert_eq!(compare(&msg(EXPECTED), &a, Mode::Strict), Ok(()));
    }

    #[test]
    fn strict_refuses_other_order_precision_or_checksum() {
        // Precision counts through the script's literal BodyLength.
        let e = msg(EXPECTED);
        let swapped = msg("8=FIX.4.4|35=0|49=ISLD|34=2|52=20231114-22:13:20.123|56=TW|");
        assert!(compare(&e, &swapped, Mode::Strict)
            .unwrap_err()
            .contains("(34)"));
        let seconds = msg("8=FIX.4.4|35=0|34=2|49=ISLD|52=20231114-22:13:20|56=TW|");
        assert!(compare(&e, &seconds, Mode::Strict).is_err());
        let mut bad = msg("8=FIX.4.4|35=0|34=2|49=ISLD|52=20231114-22:13:20.123|56=TW|");
        let n = bad.len();
        bad[n - 2] = if bad[n - 2] == b'0' { b'1' } else { b'0' };
        assert!(compare(&e, &bad, Mode::Strict).is_err());
    }

    #[test]
    fn lenient_lets_order_precision_and_text_differ_but_not_values() {
        let e = msg("8=FIX.4.4|9=0|35=3|34=2|49=ISLD|52=00000000-00:00:00|56=TW|45=2|58=Why|10=0|");
        let a = msg("8=FIX.4.4|35=3|34=2|49=ISLD|56=TW|52=20231114-22:13:20.123456|58=Other|45=2|");
        assert_eq!(compare(&e, &a, Mode::Lenient), Ok(()));
        let wrong = msg("8=FIX.4.4|35=3|34=2|49=ISLD|56=TW|52=20231114-22:13:20|58=Why|45=3|");
        assert!(compare(&e, &wrong, Mode::Lenient).is_err());
    }
}

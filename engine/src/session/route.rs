//! Reverse routing (QuickFIX's `Message::reverseRoute`): a reply to a
//! message sent on behalf of a third party is delivered back to it.

use crate::codec::message::{Fields, Message};

/// The routing pairs QuickFIX swaps: OnBehalfOf* becomes DeliverTo* and
/// back. LocationIDs exist from FIX.4.1 on.
const PAIRS: [(u32, u32); 3] = [(115, 128), (116, 129), (144, 145)];

/// Appends to `out` the header fields that route a reply to `msg`:
/// OnBehalfOfCompID(115)/SubID(116)/LocationID(144) become
/// DeliverToCompID(128)/SubID(129)/LocationID(145) and back. Empty values
/// are not reversed.
///
/// ```
/// use gapless::codec::message::Message;
/// let m = Message::new(b"8=FIX.4.4\x019=22\x0135=D\x01115=JCD\x01116=CS\x0110=000\x01");
/// let mut out = Vec::new();
/// gapless::session::reverse_route(&m, &mut out);
/// assert_eq!(out, b"128=JCD\x01129=CS\x01");
/// ```
pub fn reverse_route(msg: &Message, out: &mut Vec<u8>) {
    let fix41_plus = msg.header().begin_string >= &b"FIX.4.1"[..];
    for (tag, value) in msg.fields() {
        if !crate::codec::message::is_header_tag(tag) {
            break;
        }
        if value.is_empty() || (!fix41_plus && matches!(tag, 144 | 145)) {
            continue;
        }
        let reversed = PAIRS.iter().find_map(|&(a, b)| match tag {
            t if t == a => Some(b),
            t if t == b => Some(a),
            _ => None,
        });
        if let Some(t) = reversed {
            crate::codec::encode::put_uint(out, u64::from(t));
            out.push(b'=');
            out.extend_from_slice(value);
            out.push(0x01);
        }
    }
}

/// `frame` has a field whose tag is not an integer (or no `=`): QuickFIX
/// cannot parse it and ignores the message.
pub(super) fn has_bad_field(frame: &[u8]) -> bool {
    Fields::new(frame).any(|(tag, value)| tag == 0 && tag_text(frame, value).is_none())
}

/// The tag of the field whose value is `value` (a slice of `frame`) as
/// QuickFIX reads it: an optionally negative integer, or `None`.
///
/// ```
/// let f = b"35=0\x01-1=HI\x01";
/// assert_eq!(gapless::session::tag_text(f, &f[8..10]), Some(-1));
/// ```
pub fn tag_text(frame: &[u8], value: &[u8]) -> Option<i64> {
    let at = (value.as_ptr() as usize).checked_sub(frame.as_ptr() as usize)?;
    let eq = at.checked_sub(1).filter(|&i| frame.get(i) == Some(&b'='))?;
    let start = frame[..eq]
        .iter()
        .rposition(|&b| b == 0x01)
        .map_or(0, |i| i + 1);
    let text = &frame[start..eq];
    let (neg, digits) = match text.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, text),
    };
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits
        .iter()
        .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
    Some(if neg { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_and_zero_tags_are_integers_but_letters_are_not() {
        let f = b"8=FIX.4.4\x01-1=HI\x010=x\x014garbled9=TW\x01novalue\x01";
        let got: Vec<_> = Fields::new(f)
            .filter(|&(t, _)| t == 0)
            .map(|(_, v)| tag_text(f, v))
            .collect();
        assert_eq!(got, [Some(-1), Some(0), None, None]);
        assert!(has_bad_field(f));
        assert!(!has_bad_field(b"8=FIX.4.4\x01-1=HI\x01"));
    }

    #[test]
    fn delivered_to_becomes_on_behalf_of_and_empty_tags_are_dropped() {
        let m = Message::new(b"8=FIX.4.4\x0135=D\x01128=JCD\x01129=\x01145=CHI\x01");
        let mut out = Vec::new();
        reverse_route(&m, &mut out);
        assert_eq!(out, b"115=JCD\x01144=CHI\x01");
    }

    #[test]
    fn location_ids_are_not_reversed_before_fix41() {
        let m = Message::new(b"8=FIX.4.0\x0135=D\x01115=JCD\x01144=CHI\x01");
        let mut out = Vec::new();
        reverse_route(&m, &mut out);
        assert_eq!(out, b"128=JCD\x01");
    }
}

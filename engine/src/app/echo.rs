//! The conformance application's echo: a message sent back as QuickFIX's
//! test application does (a copy of the whole message through
//! `sendToTarget`), so QuickFIX's acceptance scripts see the bytes they
//! expect.

use crate::codec::encode::Body;
use crate::codec::message::{builtin_length_tag, is_header_tag, Message};
use crate::fields::GroupDef;

/// Writes the body of `msg`'s echo to `buf`: the header fields the
/// session stamps (8, 9, 35, 49, 56, 34, 52) are new, PossDupFlag(43) and
/// OrigSendingTime(122) dropped, every other header field — PossResend(97),
/// routing — kept; then the body in tag order as QuickFIX serialises a
/// parsed message: a DATA field right after its LENGTH, byte for byte, a
/// repeating group of `groups` at its count tag with each entry's fields
/// in the group's order. A body with a repeated tag outside those groups
/// is kept as received.
pub(super) fn quickfix_order(msg: &Message, groups: &'static [GroupDef], buf: &mut Vec<u8>) {
    buf.clear();
    for (tag, value) in msg.fields().skip(3) {
        if !is_header_tag(tag) {
            break;
        }
        if !matches!(tag, 49 | 56 | 34 | 52 | 43 | 122) {
            Body::new(buf).str(tag, value);
        }
    }
    let Some(units) = units(msg, groups) else {
        buf.extend_from_slice(msg.body());
        return;
    };
    for u in units {
        match u.group {
            Some(def) => write_group(msg, def, u.value, buf),
            None => _ = Body::new(buf).str(u.tag, u.value),
        }
    }
}

/// A top-level body field, or a group (its count field standing for it).
struct Unit<'a> {
    key: (u32, u8),
    tag: u32,
    value: &'a [u8],
    group: Option<&'static GroupDef>,
}

/// The body as units in echo order, or `None` if a tag repeats outside a
/// known group.
fn units<'a>(msg: &Message<'a>, groups: &'static [GroupDef]) -> Option<Vec<Unit<'a>>> {
    let mut units = Vec::new();
    let mut fields = msg.body_fields();
    while let Some((tag, value)) = fields.next() {
        let (group, inside) = best_group(msg, groups, tag);
        for _ in 0..inside {
            fields.next();
        }
        // A DATA field stays right after its LENGTH (Signature(89) after
        // SignatureLength(93)).
        let key = match length_tag(msg, tag) {
            Some(length) => (length, 1),
            None => (tag, 0),
        };
        units.push(Unit {
            key,
            tag,
            value,
            group,
        });
    }
    units.sort_by_key(|u| u.key);
    (!units.windows(2).any(|w| w[0].key == w[1].key)).then_some(units)
}

/// The group of `groups` counted by `tag` that takes in the most of the
/// fields after it, and how many it takes.
fn best_group(
    msg: &Message,
    groups: &'static [GroupDef],
    tag: u32,
) -> (Option<&'static GroupDef>, usize) {
    let mut best = (None, 0);
    for def in groups.iter().filter(|d| d.count == tag) {
        let taken: usize = msg
            .repeating(def)
            .into_iter()
            .flatten()
            .map(|e| e.fields().count())
            .sum();
        if taken > best.1 {
            best = (Some(def), taken);
        }
    }
    best
}

/// The count field, then each entry with its fields in `def`'s order (an
/// entry holding a repeated tag, a nested group of several entries, as
/// received).
fn write_group(msg: &Message, def: &GroupDef, count: &[u8], buf: &mut Vec<u8>) {
    Body::new(buf).str(def.count, count);
    for entry in msg.repeating(def).into_iter().flatten() {
        let mut fields: Vec<(u32, &[u8])> = entry.fields().collect();
        let rank = |tag: u32| def.members.iter().position(|&m| m == tag);
        fields.sort_by_key(|&(tag, _)| rank(tag));
        if fields.windows(2).any(|w| w[0].0 == w[1].0) {
            buf.extend_from_slice(entry.bytes());
        } else {
            for (tag, value) in fields {
                Body::new(buf).str(tag, value);
            }
        }
    }
}

/// The LENGTH tag of DATA field `tag` of `msg`, if it is one.
fn length_tag(msg: &Message, tag: u32) -> Option<u32> {
    builtin_length_tag(tag).or_else(|| {
        let pairs = msg.data_pairs();
        pairs
            .binary_search_by_key(&tag, |&(d, _)| d)
            .ok()
            .map(|i| pairs[i].1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::fix44::groups::ALL;

    /// `body` framed with a header (checksum not checked here).
    fn frame(body: &str) -> Vec<u8> {
        format!("8=FIX.4.4\x019={}\x01{body}10=000\x01", body.len()).into_bytes()
    }

    fn echoed(body: &str, groups: &'static [GroupDef]) -> String {
        let m = frame(body);
        let mut buf = Vec::new();
        quickfix_order(&Message::new(&m), groups, &mut buf);
        String::from_utf8(buf).unwrap().replace('\x01', "|")
    }

    const ORDER: &str = "35=D\x0149=A\x0156=B\x0134=2\x0152=20261206-21:00:00\x0155=X\x0111=ID\x01\
        453=2\x01448=P1\x01452=1\x01447=D\x01448=P2\x01447=D\x01452=3\x01\
        21=1\x0154=1\x0160=20261206-21:00:00\x0140=1\x01";

    #[test]
    fn a_parties_group_is_echoed_at_its_count_tag_with_entries_in_dictionary_order() {
        // What QuickFIX 1.16 (PyPI) makes of ORDER: `Message(ORDER,
        // FIX44.xml).toString()`, from 11= on.
        let quickfix = "11=ID|21=1|40=1|54=1|55=X|60=20261206-21:00:00|\
            453=2|448=P1|447=D|452=1|448=P2|447=D|452=3|";
        assert_eq!(echoed(ORDER, ALL), quickfix);
    }

    #[test]
    fn without_the_groups_a_body_with_a_repeated_tag_is_kept_as_received() {
        let body = &ORDER[ORDER.find("55=").unwrap()..];
        assert_eq!(echoed(ORDER, &[]), body.replace('\x01', "|"));
    }
}

//! Typed field access: tag constants and enums generated from QuickFIX's
//! data dictionary ([`fix44`]), fixed-point [`Decimal`]s, timestamps, and
//! zero-copy repeating groups. Nothing here allocates or panics.
//!
//! ```
//! use gapless::codec::message::Message;
//! use gapless::fields::{fix44, Decimal};
//! let m = Message::new(b"8=FIX.4.4\x019=30\x0135=D\x0154=2\x0144=101.25\x0138=100\x0110=000\x01");
//! assert_eq!(m.get_enum::<fix44::Side>(), Some(fix44::Side::Sell));
//! assert_eq!(m.get_decimal(fix44::PRICE), Some(Decimal::new(10125, 2)));
//! ```

pub mod fix44;

use crate::codec::encode::Body;
use crate::codec::message::{Fields, Message};
use crate::codec::time::Nanos;

/// An enumerated field's values (generated per field in [`fix44`]).
pub trait FixEnum: Sized + Copy {
    /// The field's tag.
    const TAG: u32;
    /// The value as it appears on the wire (`None`: not one of ours).
    fn parse(value: &[u8]) -> Option<Self>;
    /// The wire value.
    fn value(self) -> &'static [u8];
}

/// A decimal without floating point: `mantissa × 10^-scale` (prices,
/// quantities, amounts).
///
/// ```
/// use gapless::fields::Decimal;
/// assert_eq!(Decimal::parse(b"-0.050"), Some(Decimal::new(-50, 3)));
/// assert_eq!(Decimal::new(10125, 2).to_string(), "101.25");
/// assert_eq!(Decimal::parse(b"1e5"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// The digits, as an integer.
    pub mantissa: i64,
    /// Digits after the point.
    pub scale: u8,
}

impl Decimal {
    /// `mantissa × 10^-scale`.
    pub const fn new(mantissa: i64, scale: u8) -> Self {
        Decimal { mantissa, scale }
    }

    /// A FIX decimal: optional `-`, digits, optional `.` and digits (at
    /// most 18 digits in all); `None` otherwise.
    pub fn parse(v: &[u8]) -> Option<Decimal> {
        let (neg, digits) = match v.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, v),
        };
        let (mut m, mut scale, mut point, mut n) = (0i64, 0u8, false, 0);
        for &b in digits {
            match b {
                b'0'..=b'9' => {
                    m = m * 10 + i64::from(b - b'0');
                    scale += u8::from(point);
                    n += 1;
                }
                b'.' if !point => point = true,
                _ => return None,
            }
            if n > 18 {
                return None;
            }
        }
        (n > 0).then_some(Decimal::new(if neg { -m } else { m }, scale))
    }

    /// Compares values, not representations (`1.50` equals `1.5`).
    ///
    /// ```
    /// use gapless::fields::Decimal;
    /// assert!(Decimal::new(150, 2).same_value(Decimal::new(15, 1)));
    /// ```
    pub fn same_value(self, other: Decimal) -> bool {
        let scale = self.scale.max(other.scale);
        let widen = |d: Decimal| i128::from(d.mantissa) * 10i128.pow(u32::from(scale - d.scale));
        widen(self) == widen(other)
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = 10u64.pow(u32::from(self.scale));
        let (sign, abs) = (
            if self.mantissa < 0 { "-" } else { "" },
            self.mantissa.unsigned_abs(),
        );
        match self.scale {
            0 => write!(f, "{sign}{abs}"),
            s => write!(f, "{sign}{}.{:0w$}", abs / p, abs % p, w = usize::from(s)),
        }
    }
}

impl<'a> Message<'a> {
    /// Field `tag` as a [`Decimal`].
    pub fn get_decimal(&self, tag: u32) -> Option<Decimal> {
        self.get(tag).and_then(Decimal::parse)
    }

    /// The enumerated field `E` (its tag is `E::TAG`).
    pub fn get_enum<E: FixEnum>(&self) -> Option<E> {
        self.get(E::TAG).and_then(E::parse)
    }

    /// Field `tag` as a UTCTimestamp, in nanoseconds since the epoch.
    ///
    /// ```
    /// use gapless::codec::message::Message;
    /// let m = Message::new(b"8=FIX.4.4\x019=5\x0160=19700101-00:00:01.500\x0110=000\x01");
    /// assert_eq!(m.get_timestamp(60), Some(1_500_000_000));
    /// ```
    pub fn get_timestamp(&self, tag: u32) -> Option<Nanos> {
        self.get(tag).and_then(crate::codec::time::parse)
    }

    /// The repeating group counted by `count_tag` (NoXxx), its entries
    /// starting with `delimiter` and made of the `members` tags (the
    /// delimiter included; nested groups' tags too, if wanted in the
    /// entry). `None` without the count field or with a count that does
    /// not parse.
    ///
    /// ```
    /// use gapless::codec::message::Message;
    /// use gapless::fields::fix44::{NO_PARTY_IDS, PARTY_ID, PARTY_ROLE, PARTY_ID_SOURCE};
    /// let m = Message::new(b"8=FIX.4.4\x019=5\x01453=2\x01448=A\x01452=1\x01448=B\x01447=D\x01452=3\x0110=000\x01");
    /// let members = [PARTY_ID, PARTY_ID_SOURCE, PARTY_ROLE];
    /// let roles: Vec<&[u8]> = m.group(NO_PARTY_IDS, PARTY_ID, &members).unwrap()
    ///     .map(|e| e.get(PARTY_ROLE).unwrap()).collect();
    /// assert_eq!(roles, [b"1", b"3"]);
    /// ```
    #[inline]
    pub fn group<'m>(
        &self,
        count_tag: u32,
        delimiter: u32,
        members: &'m [u32],
    ) -> Option<Group<'a, 'm>> {
        let bytes = self.bytes();
        let mut fields = Fields::new(bytes);
        let left = loop {
            let (tag, value) = fields.next()?;
            if tag == count_tag {
                break crate::validator::software::parse_seq(value)?;
            }
        };
        Some(Group {
            bytes,
            fields,
            next: None,
            delimiter,
            members,
            left,
        })
    }
}

/// A repeating group's shape, as generated per component in
/// [`fix44::groups`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupDef {
    /// The NoXxx tag that counts the entries.
    pub count: u32,
    /// The tag each entry starts with.
    pub delimiter: u32,
    /// Every tag an entry may hold, nested groups' included.
    pub members: &'static [u32],
}

impl<'a> Message<'a> {
    /// The repeating group `def` (see [`Message::group`]).
    ///
    /// ```
    /// use gapless::codec::message::Message;
    /// use gapless::fields::fix44::{groups::PARTIES, PARTY_ID};
    /// let m = Message::new(b"8=FIX.4.4\x019=5\x01453=2\x01448=A\x01452=1\x01448=B\x01452=3\x0110=000\x01");
    /// let ids: Vec<&[u8]> = m.repeating(&PARTIES).unwrap().map(|e| e.get(PARTY_ID).unwrap()).collect();
    /// assert_eq!(ids, [b"A", b"B"]);
    /// ```
    #[inline]
    pub fn repeating(&self, def: &GroupDef) -> Option<Group<'a, 'static>> {
        self.group(def.count, def.delimiter, def.members)
    }
}

/// The entries of a repeating group, in order, borrowed from the frame:
/// one pass over its fields.
#[derive(Clone, Debug)]
pub struct Group<'a, 'm> {
    bytes: &'a [u8],
    fields: Fields<'a>,
    /// The field after the last entry, already read: its start, tag and
    /// value.
    next: Option<(usize, Indexed)>,
    delimiter: u32,
    members: &'m [u32],
    left: u32,
}

/// A field as the group pass read it: tag, value start and end (a
/// frame is far below 4 GiB).
type Indexed = (u32, u32, u32);

impl<'a> Group<'a, '_> {
    /// The next field: its tag, start and value.
    #[inline]
    fn read(&mut self) -> Option<(usize, Indexed)> {
        let at = self.fields.offset();
        let (tag, value) = self.fields.next()?;
        let v = value.as_ptr() as usize - self.bytes.as_ptr() as usize;
        Some((at, (tag, v as u32, (v + value.len()) as u32)))
    }
}

impl<'a> Iterator for Group<'a, '_> {
    type Item = Entry<'a>;

    #[inline]
    fn next(&mut self) -> Option<Entry<'a>> {
        if self.left == 0 {
            return None;
        }
        let first = self.next.take().or_else(|| self.read());
        let Some((start, first)) = first.filter(|&(_, (tag, ..))| tag == self.delimiter) else {
            // Fewer entries than counted: stop rather than misread.
            self.left = 0;
            return None;
        };
        let mut entry = Entry {
            bytes: self.bytes,
            start,
            end: start,
            index: [(0, 0, 0); ENTRY_INDEX],
            indexed: 0,
        };
        entry.push(first);
        entry.end = loop {
            match self.read() {
                Some((_, f)) if f.0 != self.delimiter && self.members.contains(&f.0) => {
                    entry.push(f);
                }
                Some((at, f)) => {
                    self.next = Some((at, f));
                    break at;
                }
                None => break self.fields.offset(),
            }
        };
        self.left -= 1;
        Some(entry)
    }
}

/// Fields an [`Entry`] indexes as the group pass reads them; a longer
/// entry's later fields are found by scanning.
const ENTRY_INDEX: usize = 8;

/// One entry of a [`Group`]: whole fields of the frame, the first
/// 8 of them indexed, so [`get`](Self::get) does not scan.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    bytes: &'a [u8],
    start: usize,
    end: usize,
    index: [Indexed; ENTRY_INDEX],
    /// Fields read into the entry (more than `ENTRY_INDEX`: some are not
    /// in `index`).
    indexed: usize,
}

impl<'a> Entry<'a> {
    #[inline]
    fn push(&mut self, f: Indexed) {
        if let Some(slot) = self.index.get_mut(self.indexed) {
            *slot = f;
        }
        self.indexed += 1;
    }

    /// Field `tag` of this entry (the first, if repeated). See
    /// [`Message::group`].
    #[inline]
    pub fn get(&self, tag: u32) -> Option<&'a [u8]> {
        let known = &self.index[..self.indexed.min(ENTRY_INDEX)];
        if let Some(&(_, v, e)) = known.iter().find(|f| f.0 == tag) {
            return self.bytes.get(v as usize..e as usize);
        }
        if self.indexed <= ENTRY_INDEX {
            return None;
        }
        self.fields().find(|&(t, _)| t == tag).map(|(_, v)| v)
    }

    /// The entry's bytes: whole fields of the frame.
    pub fn bytes(&self) -> &'a [u8] {
        &self.bytes[self.start..self.end]
    }

    /// The entry's fields in order. See [`Message::group`].
    pub fn fields(&self) -> Fields<'a> {
        Fields::new(self.bytes())
    }
}

impl Body<'_> {
    /// Appends a [`Decimal`] field.
    ///
    /// ```
    /// use gapless::{codec::encode::Body, fields::Decimal};
    /// let mut b = Vec::new();
    /// Body::new(&mut b).decimal(44, Decimal::new(-5, 2));
    /// assert_eq!(b, b"44=-0.05\x01");
    /// ```
    pub fn decimal(&mut self, tag: u32, d: Decimal) -> &mut Self {
        let mut buf = [0u8; 24];
        let mut w = &mut buf[..];
        let _ = std::io::Write::write_fmt(&mut w, format_args!("{d}"));
        let n = 24 - w.len();
        self.str(tag, &buf[..n])
    }

    /// Appends a UTCTimestamp field at precision `p`.
    ///
    /// ```
    /// use gapless::{codec::encode::Body, codec::time::Precision};
    /// let mut b = Vec::new();
    /// Body::new(&mut b).timestamp(60, 1_500_000_000, Precision::Millis);
    /// assert_eq!(b, b"60=19700101-00:00:01.500\x01");
    /// ```
    pub fn timestamp(&mut self, tag: u32, t: Nanos, p: crate::codec::time::Precision) -> &mut Self {
        let mut buf = [0u8; crate::codec::time::MAX_LEN];
        let n = crate::codec::time::format(t, p, &mut buf);
        self.str(tag, &buf[..n])
    }

    /// Appends an enumerated field.
    ///
    /// ```
    /// use gapless::{codec::encode::Body, fields::fix44::Side};
    /// let mut b = Vec::new();
    /// Body::new(&mut b).enumerated(Side::Buy);
    /// assert_eq!(b, b"54=1\x01");
    /// ```
    pub fn enumerated<E: FixEnum>(&mut self, e: E) -> &mut Self {
        self.str(E::TAG, e.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_and_print_without_floating_point() {
        for (text, m, s) in [
            ("0", 0, 0),
            ("101.25", 10125, 2),
            ("-3.000", -3000, 3),
            (".5", 5, 1),
        ] {
            let d = Decimal::parse(text.as_bytes()).unwrap();
            assert_eq!((d.mantissa, d.scale), (m, s), "{text}");
        }
        for bad in ["", "-", "1.2.3", "1,5", "12345678901234567890", "+1"] {
            assert_eq!(Decimal::parse(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(Decimal::new(-5, 3).to_string(), "-0.005");
    }

    #[test]
    fn a_group_stops_at_a_tag_outside_it_and_at_a_short_count() {
        let m = Message::new(b"8=FIX.4.4\x019=5\x01453=3\x01448=A\x01452=1\x0158=x\x0110=000\x01");
        let g: Vec<Entry> = m.group(453, 448, &[448, 452]).unwrap().collect();
        assert_eq!(g.len(), 1, "the count says 3, the frame holds 1");
        assert_eq!(g[0].get(452), Some(&b"1"[..]));
        assert_eq!(g[0].get(58), None, "Text is not in the group");
        assert!(m.group(555, 600, &[600]).is_none());
    }

    #[test]
    fn entries_longer_than_the_index_still_find_every_field_and_keep_their_bytes() {
        let tags: Vec<u32> = (600..612).collect();
        let entry: String = tags.iter().map(|t| format!("{t}=v{t}\x01")).collect();
        let frame = format!("8=FIX.4.4\x019=5\x01555=2\x01{entry}{entry}58=x\x0110=000\x01");
        let m = Message::new(frame.as_bytes());
        let g: Vec<Entry> = m.group(555, 600, &tags).unwrap().collect();
        assert_eq!(g.len(), 2);
        for e in &g {
            for t in &tags {
                assert_eq!(e.get(*t), Some(format!("v{t}").as_bytes()), "tag {t}");
            }
            assert_eq!(e.fields().count(), tags.len());
        }
    }

    #[test]
    fn the_generated_parties_group_reads_its_nested_sub_ids_into_the_entry() {
        use fix44::{groups::PARTIES, PARTY_ID, PARTY_SUB_ID};
        let m = Message::new(
            b"8=FIX.4.4\x019=5\x01453=2\x01448=A\x01802=1\x01523=S\x01803=1\x01448=B\x0110=000\x01",
        );
        let g: Vec<Entry> = m.repeating(&PARTIES).unwrap().collect();
        assert_eq!((g.len(), g[0].get(PARTY_SUB_ID)), (2, Some(&b"S"[..])));
        assert_eq!(g[1].get(PARTY_ID), Some(&b"B"[..]));
    }

    #[test]
    fn a_message_built_with_its_typed_builder_reads_back_through_its_view() {
        use crate::codec::time::Precision;
        use fix44::messages::{ExecutionReport, ExecutionReportView};
        use fix44::{ExecType, Side};
        let mut body = Vec::new();
        ExecutionReport(&mut Body::new(&mut body))
            .exec_type(ExecType::Trade)
            .side(Side::Sell)
            .last_px(Decimal::new(10125, 2))
            .transact_time(1_500_000_000, Precision::Millis)
            .encoded_text(b"\x01caf\xc3\xa9 34=9\x01");
        let frame = [&b"8=FIX.4.4\x019=5\x0135=8\x01"[..], &body, b"10=000\x01"].concat();
        let m = Message::new(&frame);
        let er = ExecutionReportView(&m);
        assert_eq!(
            (er.exec_type(), er.side()),
            (Some(ExecType::Trade), Some(Side::Sell))
        );
        assert_eq!(er.last_px(), Some(Decimal::new(10125, 2)));
        assert_eq!(er.transact_time(), Some(1_500_000_000));
        assert_eq!(er.encoded_text(), Some(&b"\x01caf\xc3\xa9 34=9\x01"[..]));
        assert_eq!(m.get(354), Some(&b"12"[..]), "the LENGTH written first");
        assert_eq!(er.cl_ord_id(), None);
    }
}

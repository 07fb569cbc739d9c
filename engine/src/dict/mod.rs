//! Data-dictionary validation from QuickFIX's XML dictionaries (FIX42.xml,
//! FIX44.xml, FIXT11.xml with FIX50SP2.xml, …), with the
//! SessionRejectReason(373) codes QuickFIX uses.
//!
//! Validation runs on the hot path only when configured
//! (`UseDataDictionary=Y` with a dictionary); it allocates nothing for
//! messages of up to [`MAX_FIELDS`] fields.

pub mod generate;
mod load;
mod table;

use std::collections::HashMap;
use std::path::Path;

use std::sync::Arc;

use crate::codec::message::{DataFieldError, DataPairs, Fields, Message};
use crate::session::{MessageCheck, SessionReject};

pub use load::DictError;

/// Fields per message validated without allocating.
pub const MAX_FIELDS: usize = 256;

/// SessionRejectReason(373) codes (QuickFIX's numbering).
pub mod reason {
    /// Invalid tag number.
    pub const INVALID_TAG_NUMBER: u32 = 0;
    /// Required tag missing.
    pub const REQUIRED_TAG_MISSING: u32 = 1;
    /// Tag not defined for this message type.
    pub const TAG_NOT_DEFINED_FOR_MESSAGE: u32 = 2;
    /// Tag specified without a value.
    pub const TAG_WITHOUT_VALUE: u32 = 4;
    /// Value is incorrect (out of range) for this tag.
    pub const VALUE_OUT_OF_RANGE: u32 = 5;
    /// Incorrect data format for value.
    pub const INCORRECT_DATA_FORMAT: u32 = 6;
    /// CompID problem.
    pub const COMP_ID_PROBLEM: u32 = 9;
    /// SendingTime accuracy problem.
    pub const SENDING_TIME_ACCURACY: u32 = 10;
    /// Invalid MsgType.
    pub const INVALID_MSG_TYPE: u32 = 11;
    /// Tag appears more than once.
    pub const REPEATED_TAG: u32 = 13;
    /// Tag specified out of required order.
    pub const TAG_OUT_OF_ORDER: u32 = 14;
    /// Repeating group fields out of order.
    pub const GROUP_FIELDS_OUT_OF_ORDER: u32 = 15;
    /// Incorrect NumInGroup count for repeating group.
    pub const INCORRECT_NUM_IN_GROUP: u32 = 16;
    /// Not a QuickFIX code: a field does not parse (its tag is not an
    /// integer). QuickFIX drops such a message unanswered (InvalidMessage)
    /// and so does the session.
    pub const GARBLED: u32 = u32::MAX;
}

/// A field's data type, as far as validation needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// INT, SEQNUM, NUMINGROUP, DAYOFMONTH, TAGNUM.
    Int,
    /// LENGTH: an int, and the size of the DATA field after it.
    Length,
    /// DATA, XMLDATA: as many bytes as the LENGTH before says, any byte
    /// (SOH included) allowed.
    Data,
    /// FLOAT, PRICE, QTY, AMT, PRICEOFFSET, PERCENTAGE.
    Float,
    /// CHAR.
    Char,
    /// BOOLEAN (Y/N).
    Boolean,
    /// UTCTIMESTAMP.
    UtcTimestamp,
    /// MULTIPLEVALUESTRING, MULTIPLESTRINGVALUE, MULTIPLECHARVALUE: values
    /// separated by spaces, each checked against the enumeration.
    MultipleValue,
    /// Anything else (STRING, dates, currencies, …): not checked.
    Other,
}

/// A field's definition.
#[derive(Clone, Debug)]
pub struct FieldDef {
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: FieldType,
    /// Allowed values, if enumerated.
    pub values: Vec<Vec<u8>>,
}

/// A map keyed by tag, hashed by identity (tags are already well spread).
pub type TagMap<V> = HashMap<u32, V, std::hash::BuildHasherDefault<TagHasher>>;

/// The identity hasher of [`TagMap`].
#[derive(Default)]
pub struct TagHasher(u64);

impl std::hash::Hasher for TagHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The fields a message, header, trailer or group instance may hold.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Tags allowed at this level, in dictionary order.
    pub fields: Vec<u32>,
    /// Tags required at this level.
    pub required: Vec<u32>,
    /// Repeating groups by their NumInGroup tag.
    pub groups: TagMap<Group>,
    /// `fields` below 1024 as a bitmap, for [`Layout::has`].
    low: [u64; 16],
    /// `fields` from 1024 on, sorted.
    high: Vec<u32>,
}

impl Layout {
    /// `tag` may appear at this level.
    #[inline]
    pub fn has(&self, tag: u32) -> bool {
        match self.low.get((tag / 64) as usize) {
            Some(w) => w >> (tag % 64) & 1 != 0,
            None => self.high.binary_search(&tag).is_ok(),
        }
    }

    /// Builds the lookup once the fields are known.
    fn seal(&mut self) {
        self.low = [0; 16];
        self.high.clear();
        for &t in &self.fields {
            match self.low.get_mut((t / 64) as usize) {
                Some(w) => *w |= 1 << (t % 64),
                None => self.high.push(t),
            }
        }
        self.high.sort_unstable();
        self.high.dedup();
    }
}

/// A repeating group.
#[derive(Clone, Debug, Default)]
pub struct Group {
    /// The first field of every instance.
    pub delimiter: u32,
    /// What an instance may hold.
    pub layout: Layout,
}

/// One message type.
#[derive(Clone, Debug, Default)]
pub struct MessageDef {
    /// Its name.
    pub name: String,
    /// `admin` messages belong to the transport dictionary under FIXT.
    pub admin: bool,
    /// Its body.
    pub layout: Layout,
}

/// A loaded dictionary.
#[derive(Clone, Debug, Default)]
pub struct DataDictionary {
    /// BeginString it describes (`FIX.4.4`, `FIXT.1.1`, `FIX.5.0SP2`…).
    pub version: String,
    /// Fields by tag.
    pub fields: TagMap<FieldDef>,
    /// Standard header.
    pub header: Layout,
    /// Standard trailer.
    pub trailer: Layout,
    /// Messages by MsgType.
    pub messages: HashMap<Vec<u8>, MessageDef>,
    /// `(DATA tag, LENGTH tag)` of its data fields that are not built in
    /// ([`crate::codec::message::builtin_length_tag`]), sorted.
    pub data_pairs: Vec<(u32, u32)>,
}

/// What QuickFIX's validation options switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// ValidateFieldsOutOfOrder.
    pub fields_out_of_order: bool,
    /// ValidateFieldsHaveValues.
    pub fields_have_values: bool,
    /// ValidateUserDefinedFields.
    pub user_defined_fields: bool,
    /// AllowUnknownMsgFields.
    pub allow_unknown_msg_fields: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fields_out_of_order: true,
            fields_have_values: true,
            user_defined_fields: true,
            allow_unknown_msg_fields: false,
        }
    }
}

impl DataDictionary {
    /// Loads a QuickFIX XML dictionary.
    pub fn load(path: &Path) -> Result<DataDictionary, DictError> {
        load::load(path)
    }

    /// Parses a QuickFIX XML dictionary from text.
    pub fn parse(xml: &str) -> Result<DataDictionary, DictError> {
        load::parse(xml, Path::new("<text>"))
    }
}

/// The tags of one message: a bitmap for tags below 1024 (nearly all),
/// a short list for the rest. No allocation.
struct TagSet {
    bits: [u64; 16],
    high: [u32; MAX_FIELDS],
    n: usize,
}

impl Default for TagSet {
    fn default() -> Self {
        TagSet {
            bits: [0; 16],
            high: [0; MAX_FIELDS],
            n: 0,
        }
    }
}

impl TagSet {
    /// Adds `tag`; false if it was there already.
    fn insert(&mut self, tag: u32) -> bool {
        if tag < 1024 {
            let (w, b) = ((tag / 64) as usize, tag % 64);
            let new = self.bits[w] & (1 << b) == 0;
            self.bits[w] |= 1 << b;
            return new;
        }
        if self.high[..self.n].contains(&tag) {
            return false;
        }
        if self.n < MAX_FIELDS {
            self.high[self.n] = tag;
            self.n += 1;
        }
        true
    }

    fn contains(&self, tag: u32) -> bool {
        if tag < 1024 {
            self.bits[(tag / 64) as usize] & (1 << (tag % 64)) != 0
        } else {
            self.high[..self.n].contains(&tag)
        }
    }
}

/// Where a field sits, for the order check.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Header,
    Body,
    Trailer,
}

/// A transport dictionary and, for FIXT.1.1, an application dictionary.
#[derive(Clone, Debug)]
pub struct Validator {
    transport: DataDictionary,
    app: Option<DataDictionary>,
    /// `transport`'s and `app`'s fields, compiled.
    transport_fields: table::FieldTable,
    app_fields: table::FieldTable,
    opts: Options,
    /// Both dictionaries' non-built-in data fields, sorted (`None`: none).
    data: Option<Arc<[(u32, u32)]>>,
}

fn reject(reason: u32, tag: u32, text: &'static str) -> SessionReject {
    SessionReject {
        reason,
        ref_tag: Some(i64::from(tag)),
        text,
    }
}

/// A field whose tag is not a positive number: QuickFIX's
/// InvalidTagNumber with the tag as written (`0`, `-1`), or, when it is
/// not a number at all, a message that does not parse.
fn bad_tag(msg: &Message, value: &[u8]) -> SessionReject {
    match crate::session::tag_text(msg.bytes(), value) {
        Some(t) => SessionReject {
            reason: reason::INVALID_TAG_NUMBER,
            ref_tag: Some(t),
            text: "Invalid tag number",
        },
        None => SessionReject {
            reason: reason::GARBLED,
            ref_tag: None,
            text: "Field does not parse",
        },
    }
}

impl Validator {
    /// Validation against `transport` (header, trailer, admin messages and,
    /// without `app`, every message) and `app` (application messages).
    pub fn new(transport: DataDictionary, app: Option<DataDictionary>, opts: Options) -> Self {
        let mut pairs = transport.data_pairs.clone();
        pairs.extend(app.iter().flat_map(|a| a.data_pairs.iter().copied()));
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        let data = (!pairs.is_empty()).then(|| Arc::from(pairs));
        Validator {
            transport_fields: table::FieldTable::new(&transport),
            app_fields: app.as_ref().map(table::FieldTable::new).unwrap_or_default(),
            transport,
            app,
            opts,
            data,
        }
    }

    /// The dictionary of `msg_type`'s body and its compiled fields.
    fn body_dict(&self, msg_type: &[u8]) -> (&DataDictionary, &table::FieldTable) {
        match &self.app {
            Some(app)
                if !self
                    .transport
                    .messages
                    .get(msg_type)
                    .is_some_and(|m| m.admin) =>
            {
                (app, &self.app_fields)
            }
            _ => (&self.transport, &self.transport_fields),
        }
    }

    /// The data fields it reads beyond the built-in ones.
    pub fn data_pairs(&self) -> &DataPairs {
        self.data.as_deref().unwrap_or(&[])
    }

    /// Validates a whole message in QuickFIX's order of checks.
    pub fn validate(&self, msg: &Message) -> Result<(), SessionReject> {
        // As QuickFIX, a data field that cannot be read fails the parse,
        // before any check.
        let msg = &Message::with_data(msg.bytes(), self.data_pairs());
        if let Some(e) = msg.data_error() {
            return Err(data_field_reject(e));
        }
        let msg_type = msg.msg_type();
        let (dict, table) = self.body_dict(msg_type);
        let Some(def) = dict.messages.get(msg_type) else {
            // QuickFIX's InvalidMessageType names no RefTagID(371).
            return Err(SessionReject {
                reason: reason::INVALID_MSG_TYPE,
                ref_tag: None,
                text: "Invalid MsgType",
            });
        };
        // QuickFIX's order: fields out of order, then required fields
        // missing, then each field (so a missing required field is
        // reported before a field the message type does not define).
        let mut seen = TagSet::default();
        let mut part = Part::Header;
        let (mut out_of_order, mut first_error) = (None, None);
        let mut fields = msg.fields().peekable();
        while let Some((tag, value)) = fields.next() {
            if tag == 0 {
                return Err(bad_tag(msg, value));
            }
            let here = if self.transport.header.has(tag) {
                Part::Header
            } else if self.transport.trailer.has(tag) {
                Part::Trailer
            } else {
                Part::Body
            };
            if self.opts.fields_out_of_order && here < part && out_of_order.is_none() {
                out_of_order = Some(reject(
                    reason::TAG_OUT_OF_ORDER,
                    tag,
                    "Tag specified out of required order",
                ));
            }
            part = here;
            if first_error.is_some() {
                seen.insert(tag);
            } else if let Err(e) =
                self.check_top_field(table, def, here, tag, value, &mut seen, &mut fields)
            {
                first_error = Some(e);
            }
        }
        if let Some(e) = out_of_order {
            return Err(e);
        }
        for layout in [&self.transport.header, &def.layout, &self.transport.trailer] {
            if let Some(&t) = layout.required.iter().find(|&&t| !seen.contains(t)) {
                return Err(reject(
                    reason::REQUIRED_TAG_MISSING,
                    t,
                    "Required tag missing",
                ));
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The checks of one top-level field (a group's instances are walked
    /// from `fields` after its NumInGroup); records it in `seen`.
    #[allow(clippy::too_many_arguments)]
    fn check_top_field<'a>(
        &self,
        dict: &table::FieldTable,
        def: &MessageDef,
        here: Part,
        tag: u32,
        value: &'a [u8],
        seen: &mut TagSet,
        fields: &mut std::iter::Peekable<Fields<'a>>,
    ) -> Result<(), SessionReject> {
        // Present even when its value is wrong: not "required tag missing".
        let first = seen.insert(tag);
        self.check_field(dict, tag, value)?;
        if here == Part::Body && !def.layout.has(tag) && !self.unknown_allowed(tag) {
            return Err(reject(
                reason::TAG_NOT_DEFINED_FOR_MESSAGE,
                tag,
                "Tag not defined for this message type",
            ));
        }
        if !first {
            return Err(reject(
                reason::REPEATED_TAG,
                tag,
                "Tag appears more than once",
            ));
        }
        let group = match here {
            Part::Header => self.transport.header.groups.get(&tag),
            Part::Body => def.layout.groups.get(&tag),
            Part::Trailer => None,
        };
        match group {
            Some(g) => self.check_group(dict, g, tag, value, fields),
            None => Ok(()),
        }
    }

    fn unknown_allowed(&self, tag: u32) -> bool {
        (tag >= 5000 && !self.opts.user_defined_fields) || self.opts.allow_unknown_msg_fields
    }

    /// Tag known, value present, format and enum.
    fn check_field(
        &self,
        dict: &table::FieldTable,
        tag: u32,
        value: &[u8],
    ) -> Result<(), SessionReject> {
        let def = dict.get(tag).or_else(|| self.transport_fields.get(tag));
        let Some(def) = def else {
            if tag == 0 || !self.unknown_allowed(tag) {
                return Err(reject(
                    reason::INVALID_TAG_NUMBER,
                    tag,
                    "Invalid tag number",
                ));
            }
            return Ok(());
        };
        if value.is_empty() {
            return if self.opts.fields_have_values {
                Err(reject(
                    reason::TAG_WITHOUT_VALUE,
                    tag,
                    "Tag specified without a value",
                ))
            } else {
                Ok(())
            };
        }
        if !format_ok(def.kind, value) {
            return Err(reject(
                reason::INCORRECT_DATA_FORMAT,
                tag,
                "Incorrect data format for value",
            ));
        }
        let in_enum = || match def.kind {
            FieldType::MultipleValue => value.split(|&b| b == b' ').all(|v| def.allows(v)),
            _ => def.allows(value),
        };
        if def.enumerated() && !in_enum() {
            return Err(reject(
                reason::VALUE_OUT_OF_RANGE,
                tag,
                "Value is incorrect (out of range) for this tag",
            ));
        }
        Ok(())
    }

    /// Every required field of a group instance is present.
    fn instance_complete(g: &Group, seen: &[u32]) -> Result<(), SessionReject> {
        match g.layout.required.iter().find(|t| !seen.contains(t)) {
            Some(&t) => Err(reject(
                reason::REQUIRED_TAG_MISSING,
                t,
                "Required tag missing",
            )),
            None => Ok(()),
        }
    }

    /// Walks `count` instances of `g` from `fields`, each starting with the
    /// delimiter; the number found must equal the NumInGroup value.
    fn check_group<'a>(
        &self,
        dict: &table::FieldTable,
        g: &Group,
        count_tag: u32,
        count: &[u8],
        fields: &mut std::iter::Peekable<Fields<'a>>,
    ) -> Result<(), SessionReject> {
        let Some(expected) = crate::codec::message::parse_uint(count) else {
            return Err(reject(
                reason::INCORRECT_DATA_FORMAT,
                count_tag,
                "Incorrect data format for value",
            ));
        };
        let mut found = 0u64;
        // QuickFIX checks the count before the members' values.
        let mut member_error = None;
        // Tags of the current instance, for its required fields.
        let (mut seen, mut n) = ([0u32; 64], 0);
        while let Some(&(tag, value)) = fields.peek() {
            let member = g.layout.has(tag);
            if tag == g.delimiter {
                if found > 0 {
                    Self::instance_complete(g, &seen[..n])?;
                }
                found += 1;
                n = 0;
            } else if found == 0 && member {
                return Err(reject(
                    reason::GROUP_FIELDS_OUT_OF_ORDER,
                    tag,
                    "Repeating group fields out of order",
                ));
            } else if found == 0 || !member {
                break;
            }
            fields.next();
            if n < seen.len() {
                seen[n] = tag;
                n += 1;
            }
            if member_error.is_none() {
                member_error = self.check_field(dict, tag, value).err();
            }
            if let Some(inner) = g.layout.groups.get(&tag) {
                self.check_group(dict, inner, tag, value, fields)?;
            }
        }
        if found > 0 {
            Self::instance_complete(g, &seen[..n])?;
        }
        if found != expected {
            return Err(reject(
                reason::INCORRECT_NUM_IN_GROUP,
                count_tag,
                "Incorrect NumInGroup count for repeating group",
            ));
        }
        member_error.map_or(Ok(()), Err)
    }
}

/// Does `value` parse as `kind`?
fn format_ok(kind: FieldType, v: &[u8]) -> bool {
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    match kind {
        FieldType::Int => digits(v.strip_prefix(b"-").unwrap_or(v)),
        FieldType::Length => digits(v),
        FieldType::Float => {
            let v = v.strip_prefix(b"-").unwrap_or(v);
            let mut parts = v.splitn(2, |&b| b == b'.');
            let int = parts.next().unwrap_or_default();
            let frac = parts.next();
            (digits(int) || (int.is_empty() && frac.is_some_and(digits)))
                && frac.is_none_or(|f| f.is_empty() || digits(f))
        }
        FieldType::Char => v.len() == 1,
        FieldType::Boolean => v == b"Y" || v == b"N",
        FieldType::UtcTimestamp => crate::codec::time::parse(v).is_some(),
        FieldType::MultipleValue | FieldType::Data | FieldType::Other => true,
    }
}

impl MessageCheck for Validator {
    fn check(&self, msg: &Message) -> Result<(), SessionReject> {
        self.validate(msg)
    }

    fn data_pairs(&self) -> Option<Arc<DataPairs>> {
        self.data.clone()
    }
}

/// The session Reject for a data field that cannot be read.
///
/// QuickFIX 1.15 does not answer such a message: its parser throws
/// InvalidMessage ("Data length field … was not found", "Unable to
/// determine SOH for data field …") and the session drops it without
/// consuming its seq. Gapless answers it with the Reject FIX prescribes for
/// a well-framed message with a bad field, using QuickFIX's codes for the
/// same faults elsewhere: the LENGTH is missing (1, Required tag missing),
/// not a number (6, Incorrect data format) or runs past the message or its
/// DATA field's SOH (5, Value is incorrect); RefTagID(371) is the LENGTH
/// tag.
///
/// ```
/// use gapless::codec::message::DataFieldError;
/// let r = gapless::dict::data_field_reject(DataFieldError::MissingLength { data: 96, length: 95 });
/// assert_eq!((r.reason, r.ref_tag), (1, Some(95)));
/// ```
pub fn data_field_reject(e: DataFieldError) -> SessionReject {
    match e {
        DataFieldError::MissingLength { length, .. } => {
            reject(reason::REQUIRED_TAG_MISSING, length, "Required tag missing")
        }
        DataFieldError::BadLength { length, .. } => reject(
            reason::INCORRECT_DATA_FORMAT,
            length,
            "Incorrect data format for value",
        ),
        DataFieldError::Overrun { length, .. } => reject(
            reason::VALUE_OUT_OF_RANGE,
            length,
            "Value is incorrect (out of range) for this tag",
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests;

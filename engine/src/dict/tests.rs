use super::*;
use crate::codec::encode::Encoder;
use crate::codec::time::Precision;

/// QuickFIX's dictionaries, installed by the PyPI `quickfix` package.
fn quickfix_dir() -> std::path::PathBuf {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .expect("python3 (scripts/install-deps.sh)");
    std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim()).join("share/quickfix")
}

fn fix44() -> Validator {
    let d = DataDictionary::load(&quickfix_dir().join("FIX44.xml"))
        .expect("FIX44.xml (pip install quickfix)");
    Validator::new(d, None, Options::default())
}

fn msg(msg_type: &str, body: &str) -> Vec<u8> {
    let enc = Encoder::new("FIX.4.4", "TW", "ISLD", Precision::Millis);
    let mut out = vec![];
    enc.encode(
        &mut out,
        msg_type.as_bytes(),
        2,
        crate::codec::time::now(),
        body.replace('|', "\x01").as_bytes(),
    );
    out
}

const ORDER: &str = "11=ID1|21=1|55=GPLS|54=1|60=20231114-22:13:20|40=1|38=100|";

fn code(v: &Validator, m: &[u8]) -> Option<(u32, Option<i64>)> {
    v.validate(&Message::new(m))
        .err()
        .map(|r| (r.reason, r.ref_tag))
}

#[test]
fn quickfix_dictionaries_load() {
    for f in ["FIX42.xml", "FIX44.xml", "FIXT11.xml", "FIX50SP2.xml"] {
        let d = DataDictionary::load(&quickfix_dir().join(f)).unwrap_or_else(|e| panic!("{e}"));
        assert!(d.messages.len() > 5 && d.fields.len() > 50, "{f}");
    }
    let d = DataDictionary::load(&quickfix_dir().join("FIX44.xml")).unwrap();
    assert_eq!(d.version, "FIX.4.4");
    assert!(d.messages[&b"D".to_vec()].layout.required.contains(&11));
}

#[test]
fn a_valid_new_order_single_passes() {
    assert_eq!(code(&fix44(), &msg("D", ORDER)), None);
}

#[test]
fn each_violation_gets_quickfix_s_reject_code() {
    let v = fix44();
    let cases = [
        (
            "D",
            ORDER.replace("11=ID1|", ""),
            (reason::REQUIRED_TAG_MISSING, Some(11)),
        ),
        (
            "D",
            ORDER.replace("54=1", "54=X"),
            (reason::VALUE_OUT_OF_RANGE, Some(54)),
        ),
        (
            "D",
            ORDER.replace("38=100", "38=abc"),
            (reason::INCORRECT_DATA_FORMAT, Some(38)),
        ),
        (
            "D",
            ORDER.replace("38=100", "38="),
            (reason::TAG_WITHOUT_VALUE, Some(38)),
        ),
        (
            "D",
            format!("{ORDER}58=a|58=b|"),
            (reason::REPEATED_TAG, Some(58)),
        ),
        (
            "D",
            format!("{ORDER}9999=x|"),
            (reason::INVALID_TAG_NUMBER, Some(9999)),
        ),
        (
            "D",
            format!("{ORDER}150=0|"),
            (reason::TAG_NOT_DEFINED_FOR_MESSAGE, Some(150)),
        ),
        (
            "D",
            format!("{ORDER}453=2|448=P1|447=D|452=1|"),
            (reason::INCORRECT_NUM_IN_GROUP, Some(453)),
        ),
        ("ZZ", ORDER.to_string(), (reason::INVALID_MSG_TYPE, None)),
        // QuickFIX's precedence: a missing required field before a field
        // the type does not define; a field with an empty value is not
        // missing; a group's count before its members' values.
        (
            "D",
            format!("{}150=0|", ORDER.replace("11=ID1|", "")),
            (reason::REQUIRED_TAG_MISSING, Some(11)),
        ),
        (
            "D",
            ORDER.replace("11=ID1", "11="),
            (reason::TAG_WITHOUT_VALUE, Some(11)),
        ),
        (
            "D",
            format!("{ORDER}453=2|448=P1|447=D|452=999|"),
            (reason::INCORRECT_NUM_IN_GROUP, Some(453)),
        ),
    ];
    for (t, body, want) in cases {
        assert_eq!(code(&v, &msg(t, &body)), Some(want), "{body}");
    }
}

#[test]
fn header_field_after_the_body_is_out_of_order() {
    let v = fix44();
    assert_eq!(
        code(&v, &msg("D", &format!("{ORDER}115=ONB|"))),
        Some((reason::TAG_OUT_OF_ORDER, Some(115)))
    );
}

#[test]
fn group_instance_not_starting_with_its_delimiter_is_out_of_order() {
    let body = format!("{ORDER}453=1|447=D|448=P1|452=1|");
    assert_eq!(
        code(&fix44(), &msg("D", &body)),
        Some((reason::GROUP_FIELDS_OUT_OF_ORDER, Some(447)))
    );
}

/// A small dictionary: message `X` with a group whose second field is required.
/// A FIX.4.4 dictionary with only the standard header and trailer, the
/// `messages` given and their `fields` (test dictionaries).
pub(crate) fn small_dictionary(messages: &str, fields: &str) -> DataDictionary {
    let xml = format!(
        r#"<fix type="FIX" major="4" minor="4" servicepack="0">
 <header><field name="BeginString" required="Y"/><field name="BodyLength" required="Y"/>
  <field name="MsgType" required="Y"/><field name="SenderCompID" required="Y"/>
  <field name="TargetCompID" required="Y"/><field name="MsgSeqNum" required="Y"/>
  <field name="SendingTime" required="Y"/></header>
 <trailer><field name="CheckSum" required="Y"/></trailer>
 <messages>{messages}</messages>
 <components/>
 <fields>
  <field number="8" name="BeginString" type="STRING"/><field number="9" name="BodyLength" type="LENGTH"/>
  <field number="35" name="MsgType" type="STRING"/><field number="49" name="SenderCompID" type="STRING"/>
  <field number="56" name="TargetCompID" type="STRING"/><field number="34" name="MsgSeqNum" type="SEQNUM"/>
  <field number="52" name="SendingTime" type="UTCTIMESTAMP"/><field number="10" name="CheckSum" type="STRING"/>
  {fields}
 </fields>
</fix>"#
    );
    DataDictionary::parse(&xml).unwrap()
}

fn small() -> DataDictionary {
    small_dictionary(
        r#"<message name="Items" msgtype="X" msgcat="app">
  <group name="NoItems" required="Y"><field name="ItemA" required="N"/><field name="ItemB" required="Y"/></group>
 </message>"#,
        r#"<field number="9000" name="NoItems" type="NUMINGROUP"/><field number="9001" name="ItemA" type="STRING"/>
  <field number="9002" name="ItemB" type="INT"/>"#,
    )
}

#[test]
fn required_field_missing_inside_a_group_instance_is_rejected() {
    let v = Validator::new(small(), None, Options::default());
    assert_eq!(
        code(&v, &msg("X", "9000=2|9001=a|9002=1|9001=b|9002=2|")),
        None
    );
    assert_eq!(
        code(&v, &msg("X", "9000=2|9001=a|9002=1|9001=b|")),
        Some((reason::REQUIRED_TAG_MISSING, Some(9002)))
    );
}

#[test]
fn groups_with_the_right_count_pass() {
    let v = fix44();
    let body = format!("{ORDER}453=2|448=P1|447=D|452=1|448=P2|447=D|452=3|");
    assert_eq!(code(&v, &msg("D", &body)), None);
}

#[test]
fn user_defined_fields_pass_when_not_validated() {
    let d = DataDictionary::load(&quickfix_dir().join("FIX44.xml")).unwrap();
    let opts = Options {
        user_defined_fields: false,
        ..Options::default()
    };
    let v = Validator::new(d, None, opts);
    assert_eq!(code(&v, &msg("D", &format!("{ORDER}9999=x|"))), None);
}

#[test]
fn not_a_dictionary_is_a_typed_error() {
    assert!(matches!(
        DataDictionary::parse("<nofix/>"),
        Err(DictError::Invalid(..))
    ));
    assert!(matches!(
        DataDictionary::parse("<fix"),
        Err(DictError::Xml(..))
    ));
}

#[test]
fn fix40_char_fields_take_strings_as_quickfix_checks_char_only_from_fix42() {
    let d = DataDictionary::load(&quickfix_dir().join("FIX40.xml")).unwrap();
    assert_eq!(
        d.fields[&8].kind,
        FieldType::Other,
        "BeginString is `CHAR` in FIX40.xml"
    );
    let d = DataDictionary::load(&quickfix_dir().join("FIX42.xml")).unwrap();
    assert_eq!(d.fields[&54].kind, FieldType::Char);
}

/// An Email(C) with RawData(96) holding `data`, and EncodedSubject(357)
/// holding SOH and UTF-8.
fn with_raw_data(data: &[u8]) -> Vec<u8> {
    email(data, "d\u{e9}j\u{e0}\x01vu".as_bytes())
}

/// An Email(C) with RawData(96) `data` and EncodedSubject(357) `subject`.
fn email(data: &[u8], subject: &[u8]) -> Vec<u8> {
    let mut body = b"33=1\x0158=line\x0194=0\x01".to_vec();
    crate::codec::encode::Body::new(&mut body)
        .data(95, 96, data)
        .str(147, b"Hi")
        .str(164, b"T1")
        .data(356, 357, subject);
    let enc = Encoder::new("FIX.4.4", "TW", "ISLD", Precision::Millis);
    let mut out = vec![];
    enc.encode(&mut out, b"C", 2, crate::codec::time::now(), &body);
    out
}

const FAKE: &[u8] = b"\x0134=999\x0110=000\x01x=\x01";

#[test]
fn raw_data_containing_soh_and_fake_tags_validates_against_fix44() {
    assert_eq!(code(&fix44(), &with_raw_data(FAKE)), None);
}

#[test]
fn xml_data_in_the_header_containing_soh_validates_against_fix44() {
    let m = msg("D", &format!("212=13|213=<a>\x0134=9\x01</a>|{ORDER}"));
    let checked = crate::codec::message::Message::new(&m);
    assert_eq!(checked.get(213), Some(&b"<a>\x0134=9\x01</a>"[..]));
    assert_eq!(checked.get_uint(34), Some(2));
    assert_eq!(code(&fix44(), &m), None);
}

#[test]
fn malformed_data_lengths_get_their_reject_codes() {
    let v = fix44();
    let good = with_raw_data(FAKE);
    let swap = |from: &[u8], to: &[u8]| -> Vec<u8> {
        let at = good.windows(from.len()).position(|w| w == from).unwrap();
        let mut m = good[..at].to_vec();
        m.extend_from_slice(to);
        m.extend_from_slice(&good[at + from.len()..]);
        m
    };
    let n = FAKE.len();
    let len_field = format!("\x0195={n}\x01");
    let cases = [
        (swap(len_field.as_bytes(), b"\x01"), (1, Some(95))),
        (swap(len_field.as_bytes(), b"\x0195=x\x01"), (6, Some(95))),
        (
            swap(
                len_field.as_bytes(),
                format!("\x0195={}\x01", n + 500).as_bytes(),
            ),
            (5, Some(95)),
        ),
        (
            swap(
                len_field.as_bytes(),
                format!("\x0195={}\x01", n - 3).as_bytes(),
            ),
            (5, Some(95)),
        ),
    ];
    for (m, want) in cases {
        assert_eq!(code(&v, &m), Some(want), "{}", String::from_utf8_lossy(&m));
    }
}

fn with_data() -> DataDictionary {
    small_dictionary(
        r#"<message name="Blob" msgtype="X" msgcat="app">
  <field name="BlobLen" required="Y"/><field name="Blob" required="Y"/>
  <field name="AfterLen" required="N"/><field name="After" required="N"/>
 </message>"#,
        r#"<field number="9001" name="Blob" type="DATA"/><field number="9100" name="BlobLen" type="LENGTH"/>
  <field number="9200" name="AfterLen" type="LENGTH"/><field number="9201" name="After" type="XMLDATA"/>"#,
    )
}

#[test]
fn a_dictionary_s_own_data_fields_are_read_by_their_length() {
    let d = with_data();
    // By name (BlobLen), and by the tag below (9200 for 9201).
    assert_eq!(d.data_pairs, [(9001, 9100), (9201, 9200)]);
    assert_eq!(d.fields[&9001].kind, FieldType::Data);
    let v = Validator::new(d, None, Options::default());
    let m = msg("X", "9100=5|9001=a\x01b\x01c|9200=3|9201=<\x01>|");
    assert_eq!(code(&v, &m), None);
    assert_eq!(
        code(&v, &msg("X", "9100=9|9001=a\x01b\x01c|")),
        Some((reason::VALUE_OUT_OF_RANGE, Some(9100)))
    );
    // The standard pairs are built in, not listed.
    let fix44 = DataDictionary::load(&quickfix_dir().join("FIX44.xml")).unwrap();
    assert_eq!(fix44.data_pairs, []);
    assert_eq!(fix44.fields[&96].kind, FieldType::Data);
    assert_eq!(fix44.fields[&95].kind, FieldType::Length);
}

#[test]
fn every_data_field_of_the_quickfix_dictionaries_has_a_length() {
    for f in [
        "FIX40.xml",
        "FIX42.xml",
        "FIX44.xml",
        "FIXT11.xml",
        "FIX50SP2.xml",
    ] {
        let d = DataDictionary::load(&quickfix_dir().join(f)).unwrap();
        for (&tag, def) in &d.fields {
            if def.kind != FieldType::Data {
                continue;
            }
            let length = crate::codec::message::builtin_length_tag(tag)
                .or_else(|| d.data_pairs.iter().find(|p| p.0 == tag).map(|p| p.1));
            let length = length.unwrap_or_else(|| panic!("{f} {tag} {}", def.name));
            assert_eq!(
                d.fields[&length].kind,
                FieldType::Length,
                "{f} {}",
                def.name
            );
        }
    }
}

/// QuickFIX (the PyPI `quickfix` module) parses `frame` with FIX44.xml,
/// validates it, and prints its RawData(96) and its own serialisation,
/// hex-encoded, one a line.
fn quickfix_reads(frame: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let script = r#"
import sys, quickfix as fix
dd = fix.DataDictionary(sys.argv[1])
s = bytes.fromhex(sys.argv[2]).decode('latin1')
m = fix.Message(s, dd, True)
dd.validate(m)
print(m.getField(96).encode('latin1').hex())
print(m.toString().encode('latin1').hex())
"#;
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(quickfix_dir().join("FIX44.xml"))
        .arg(hex(frame))
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let unhex = |l: &str| {
        (0..l.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&l[i..i + 2], 16).unwrap())
            .collect::<Vec<u8>>()
    };
    let mut lines = text.lines();
    (unhex(lines.next().unwrap()), unhex(lines.next().unwrap()))
}

#[test]
fn quickfix_reads_raw_data_as_gapless_does_and_writes_it_back_byte_for_byte() {
    // ASCII only: the Python binding hands QuickFIX text as UTF-8.
    let frame = email(FAKE, b"x\x01y");
    let m = Message::new(&frame);
    assert_eq!(m.get(96), Some(FAKE));
    let (raw, reserialised) = quickfix_reads(&frame);
    assert_eq!(raw, FAKE);
    assert_eq!(reserialised, frame);
}

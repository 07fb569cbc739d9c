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
const SMALL: &str = r#"<fix type="FIX" major="4" minor="4" servicepack="0">
 <header><field name="BeginString" required="Y"/><field name="BodyLength" required="Y"/>
  <field name="MsgType" required="Y"/><field name="SenderCompID" required="Y"/>
  <field name="TargetCompID" required="Y"/><field name="MsgSeqNum" required="Y"/>
  <field name="SendingTime" required="Y"/></header>
 <trailer><field name="CheckSum" required="Y"/></trailer>
 <messages><message name="Items" msgtype="X" msgcat="app">
  <group name="NoItems" required="Y"><field name="ItemA" required="N"/><field name="ItemB" required="Y"/></group>
 </message></messages>
 <components/>
 <fields>
  <field number="8" name="BeginString" type="STRING"/><field number="9" name="BodyLength" type="LENGTH"/>
  <field number="35" name="MsgType" type="STRING"/><field number="49" name="SenderCompID" type="STRING"/>
  <field number="56" name="TargetCompID" type="STRING"/><field number="34" name="MsgSeqNum" type="SEQNUM"/>
  <field number="52" name="SendingTime" type="UTCTIMESTAMP"/><field number="10" name="CheckSum" type="STRING"/>
  <field number="9000" name="NoItems" type="NUMINGROUP"/><field number="9001" name="ItemA" type="STRING"/>
  <field number="9002" name="ItemB" type="INT"/>
 </fields>
</fix>"#;

#[test]
fn required_field_missing_inside_a_group_instance_is_rejected() {
    let v = Validator::new(
        DataDictionary::parse(SMALL).unwrap(),
        None,
        Options::default(),
    );
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

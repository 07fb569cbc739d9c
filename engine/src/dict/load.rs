//! Reading QuickFIX's XML dictionaries: fields, header, trailer, messages,
//! components (inlined) and repeating groups (nested).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{DataDictionary, FieldDef, FieldType, Group, Layout, MessageDef};
use crate::codec::message::builtin_length_tag;

/// Why a dictionary could not be loaded.
#[derive(Debug)]
pub enum DictError {
    /// The file cannot be read.
    Io(PathBuf, std::io::Error),
    /// The file is not well-formed XML.
    Xml(PathBuf, String),
    /// The XML is not a QuickFIX dictionary, or refers to an undefined name.
    Invalid(PathBuf, String),
}

impl std::fmt::Display for DictError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DictError::Io(p, e) => write!(
                f,
                "cannot read data dictionary {}: {e} (check DataDictionary=)",
                p.display()
            ),
            DictError::Xml(p, e) => {
                write!(f, "data dictionary {} is not valid XML: {e}", p.display())
            }
            DictError::Invalid(p, e) => write!(
                f,
                "data dictionary {}: {e} (use one of QuickFIX's FIX*.xml files)",
                p.display()
            ),
        }
    }
}

impl std::error::Error for DictError {}

pub(super) fn load(path: &Path) -> Result<DataDictionary, DictError> {
    let text = std::fs::read_to_string(path).map_err(|e| DictError::Io(path.to_path_buf(), e))?;
    parse(&text, path)
}

type Node<'a, 'b> = roxmltree::Node<'a, 'b>;

struct Ctx<'a, 'b> {
    path: &'a Path,
    names: HashMap<&'a str, u32>,
    components: HashMap<&'a str, Node<'a, 'b>>,
}

pub(super) fn parse(xml: &str, path: &Path) -> Result<DataDictionary, DictError> {
    let doc = roxmltree::Document::parse(xml)
        .map_err(|e| DictError::Xml(path.to_path_buf(), e.to_string()))?;
    let root = doc.root_element();
    let invalid = |what: String| DictError::Invalid(path.to_path_buf(), what);
    if root.tag_name().name() != "fix" {
        return Err(invalid("the root element is not <fix>".into()));
    }
    let child = |name: &str| root.children().find(|n| n.has_tag_name(name));
    let mut dict = DataDictionary {
        version: version(&root),
        ..Default::default()
    };
    let mut ctx = Ctx {
        path,
        names: HashMap::new(),
        components: HashMap::new(),
    };
    for f in child("fields")
        .into_iter()
        .flat_map(|n| n.children().filter(|n| n.has_tag_name("field")))
    {
        let (Some(num), Some(name)) = (
            f.attribute("number").and_then(|n| n.parse().ok()),
            f.attribute("name"),
        ) else {
            return Err(invalid(format!(
                "a <field> lacks number or name near byte {}",
                f.range().start
            )));
        };
        let values = f
            .children()
            .filter_map(|v| v.attribute("enum"))
            .map(|v| v.as_bytes().to_vec())
            .collect();
        let kind = match field_type(f.attribute("type").unwrap_or("STRING")) {
            // FIX.4.0/4.1 use `char` for strings (BeginString, CompIDs):
            // QuickFIX checks a CHAR's length only from FIX.4.2 on.
            FieldType::Char if dict.version.as_str() < "FIX.4.2" => FieldType::Other,
            k => k,
        };
        dict.fields.insert(
            num,
            FieldDef {
                name: name.to_string(),
                kind,
                values,
            },
        );
        ctx.names.insert(name, num);
    }
    for c in child("components")
        .into_iter()
        .flat_map(|n| n.children().filter(|n| n.has_tag_name("component")))
    {
        if let Some(name) = c.attribute("name") {
            ctx.components.insert(name, c);
        }
    }
    if let Some(h) = child("header") {
        dict.header = layout(&ctx, h, true)?;
    }
    if let Some(t) = child("trailer") {
        dict.trailer = layout(&ctx, t, true)?;
    }
    for m in child("messages")
        .into_iter()
        .flat_map(|n| n.children().filter(|n| n.has_tag_name("message")))
    {
        let msg_type = m
            .attribute("msgtype")
            .ok_or_else(|| invalid("a <message> lacks msgtype".into()))?;
        let def = MessageDef {
            name: m.attribute("name").unwrap_or_default().to_string(),
            admin: m.attribute("msgcat") == Some("admin"),
            layout: layout(&ctx, m, true)?,
        };
        dict.messages.insert(msg_type.as_bytes().to_vec(), def);
    }
    dict.data_pairs = data_pairs(&dict);
    Ok(dict)
}

/// The DATA (and XMLDATA) fields of `dict` that are not built in, each
/// with its LENGTH field: the LENGTH named after it (`…Len`, `…Length`),
/// else the LENGTH one tag below it (QuickFIX's rule). A DATA field with
/// neither is left out (read up to SOH, as any field). Sorted by DATA tag.
fn data_pairs(dict: &DataDictionary) -> Vec<(u32, u32)> {
    let is_length = |t: &u32| {
        dict.fields
            .get(t)
            .is_some_and(|f| f.kind == FieldType::Length)
    };
    let by_name: HashMap<&str, u32> = dict
        .fields
        .iter()
        .filter(|(_, f)| f.kind == FieldType::Length)
        .map(|(&t, f)| (f.name.as_str(), t))
        .collect();
    let mut pairs: Vec<(u32, u32)> = dict
        .fields
        .iter()
        .filter(|(&t, f)| f.kind == FieldType::Data && builtin_length_tag(t).is_none())
        .filter_map(|(&t, f)| {
            let named = ["Len", "Length"]
                .iter()
                .find_map(|s| by_name.get(format!("{}{s}", f.name).as_str()).copied());
            let below = t.checked_sub(1).filter(is_length);
            Some((t, named.or(below)?))
        })
        .collect();
    pairs.sort_unstable();
    pairs
}

/// `FIX.4.4`, `FIXT.1.1`, `FIX.5.0SP2` from the root's attributes.
fn version(root: &Node) -> String {
    let a = |k| root.attribute(k).unwrap_or("0");
    let sp = a("servicepack");
    let base = format!(
        "{}.{}.{}",
        root.attribute("type").unwrap_or("FIX"),
        a("major"),
        a("minor")
    );
    if sp != "0" {
        format!("{base}SP{sp}")
    } else {
        base
    }
}

fn field_type(t: &str) -> FieldType {
    match t {
        "INT" | "SEQNUM" | "NUMINGROUP" | "DAYOFMONTH" | "TAGNUM" => FieldType::Int,
        "FLOAT" | "PRICE" | "QTY" | "AMT" | "PRICEOFFSET" | "PERCENTAGE" => FieldType::Float,
        "CHAR" => FieldType::Char,
        "BOOLEAN" => FieldType::Boolean,
        // FIX.4.0/4.1's `TIME` is QuickFIX's UtcTimeStamp.
        "UTCTIMESTAMP" | "TIME" => FieldType::UtcTimestamp,
        "MULTIPLEVALUESTRING" | "MULTIPLESTRINGVALUE" | "MULTIPLECHARVALUE" => {
            FieldType::MultipleValue
        }
        "DATA" | "XMLDATA" => FieldType::Data,
        "LENGTH" => FieldType::Length,
        _ => FieldType::Other,
    }
}

/// The layout of a header, trailer, message, component or group node;
/// `required` is false inside an optional component.
fn layout(ctx: &Ctx, node: Node, required: bool) -> Result<Layout, DictError> {
    let mut l = Layout::default();
    add(ctx, node, required, &mut l)?;
    l.seal();
    Ok(l)
}

fn add(ctx: &Ctx, node: Node, required: bool, l: &mut Layout) -> Result<(), DictError> {
    let invalid = |what: String| DictError::Invalid(ctx.path.to_path_buf(), what);
    for c in node.children().filter(|n| n.is_element()) {
        let req = required && c.attribute("required") == Some("Y");
        let name = c.attribute("name").unwrap_or_default();
        match c.tag_name().name() {
            "field" | "group" => {
                let tag = *ctx
                    .names
                    .get(name)
                    .ok_or_else(|| invalid(format!("field {name} is not defined")))?;
                l.fields.push(tag);
                if req {
                    l.required.push(tag);
                }
                if c.has_tag_name("group") {
                    let inner = layout(ctx, c, true)?;
                    let delimiter = *inner
                        .fields
                        .first()
                        .ok_or_else(|| invalid(format!("group {name} is empty")))?;
                    l.groups.insert(
                        tag,
                        Group {
                            delimiter,
                            layout: inner,
                        },
                    );
                }
            }
            "component" => {
                let comp = ctx
                    .components
                    .get(name)
                    .ok_or_else(|| invalid(format!("component {name} is not defined")))?;
                add(ctx, *comp, req, l)?;
            }
            _ => {}
        }
    }
    Ok(())
}

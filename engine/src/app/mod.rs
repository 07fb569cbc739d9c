//! The applications the `gapless` binary can run: `echo`, `null` and
//! `conformance` (the counterpart of QuickFIX's acceptance-test engine).

use std::collections::HashSet;

use crate::codec::encode::Body;
use crate::codec::message::{builtin_length_tag, is_header_tag, Message};
use crate::fields::fix44 as tag;
use crate::session::{AppReject, Application, Sender};

/// Which application to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppKind {
    /// Echo every application message back.
    Echo,
    /// Accept everything, send nothing.
    Null,
    /// Behave like QuickFIX's acceptance-test application.
    Conformance,
}

impl AppKind {
    /// A fresh application for a session with `begin_string`.
    ///
    /// ```
    /// use gapless::app::AppKind;
    /// let _app = AppKind::Echo.build("FIX.4.4");
    /// ```
    pub fn build(self, begin_string: &str) -> Box<dyn Application + Send> {
        match self {
            AppKind::Echo => Box::new(Echo),
            AppKind::Null => Box::new(Null),
            AppKind::Conformance => Box::new(Conformance::new(begin_string)),
        }
    }
}

/// Echoes each application message back with the same MsgType and body.
#[derive(Debug, Default)]
pub struct Echo;

impl Application for Echo {
    fn on_message(&mut self, msg: &Message, tx: &mut Sender) -> Result<(), AppReject> {
        tx.send_body(msg.msg_type(), msg.body());
        Ok(())
    }
}

/// Accepts every message and sends nothing.
#[derive(Debug, Default)]
pub struct Null;

impl Application for Null {
    fn on_message(&mut self, _: &Message, _: &mut Sender) -> Result<(), AppReject> {
        Ok(())
    }
}

/// Sends `msg` back as QuickFIX's test application does (a copy of the
/// whole message through `sendToTarget`): the header fields the session
/// stamps (8, 9, 35, 49, 56, 34, 52) are new, PossDupFlag(43) and
/// OrigSendingTime(122) are dropped, and every other header field —
/// PossResend(97), routing — is kept, then the body in tag order, as
/// QuickFIX serialises a parsed message. (QuickFIX orders a repeating
/// group's entries by its dictionary; this echo has no dictionary and
/// keeps a body with a repeated tag as received.)
fn echo(msg: &Message, tx: &mut Sender, buf: &mut Vec<u8>) {
    buf.clear();
    for (tag, value) in msg.fields().skip(3) {
        if !is_header_tag(tag) {
            break;
        }
        if !matches!(tag, 49 | 56 | 34 | 52 | 43 | 122) {
            Body::new(buf).str(tag, value);
        }
    }
    let mut fields: Vec<(u32, &[u8])> = msg.body_fields().collect();
    // A DATA field stays right after its LENGTH (Signature(89) after
    // SignatureLength(93)), its value byte for byte.
    fields.sort_by_key(|&(tag, _)| match length_tag(msg, tag) {
        Some(length) => (length, 1),
        None => (tag, 0),
    });
    if fields.windows(2).any(|w| w[0].0 == w[1].0) {
        buf.extend_from_slice(msg.body());
    } else {
        for (tag, value) in fields {
            Body::new(buf).str(tag, value);
        }
    }
    tx.send_body(msg.msg_type(), buf);
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

/// QuickFIX's acceptance-test application: echoes NewOrderSingle (except a
/// PossResend repeat of a ClOrdID seen since the last logout),
/// SecurityDefinition (FIX.4.2+) and Email; rejects every other type.
///
/// It remembers ClOrdIDs in a set, so it allocates: it is a test
/// counterparty, not a hot-path application.
#[derive(Debug)]
pub struct Conformance {
    fix42_plus: bool,
    seen: HashSet<Vec<u8>>,
    buf: Vec<u8>,
}

impl Conformance {
    /// For a session with `begin_string`.
    pub fn new(begin_string: &str) -> Self {
        Conformance {
            fix42_plus: begin_string >= "FIX.4.2",
            seen: HashSet::new(),
            buf: Vec::with_capacity(1024),
        }
    }
}

impl Application for Conformance {
    fn on_message(&mut self, msg: &Message, tx: &mut Sender) -> Result<(), AppReject> {
        let msg_type = msg.msg_type();
        match msg_type {
            b"D" => {
                let id = msg.get(tag::CL_ORD_ID).unwrap_or_default();
                let repeat = !self.seen.insert(id.to_vec());
                if repeat && msg.flag(tag::POSS_RESEND) {
                    return Ok(());
                }
            }
            b"d" if self.fix42_plus => {}
            b"C" => {}
            _ => return Err(AppReject::UnsupportedMessageType),
        }
        echo(msg, tx, &mut self.buf);
        Ok(())
    }

    fn on_logout(&mut self) {
        self.seen.clear();
    }
}

//! The applications the `gapless` binary can run: `echo`, `null` and
//! `conformance` (the counterpart of QuickFIX's acceptance-test engine).

use std::collections::HashSet;

mod echo;

use crate::codec::message::Message;
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

/// QuickFIX's acceptance-test application: echoes NewOrderSingle (except a
/// PossResend repeat of a ClOrdID seen since the last logout),
/// SecurityDefinition (FIX.4.2+) and Email; rejects every other type.
///
/// It remembers ClOrdIDs in a set, so it allocates: it is a test
/// counterparty, not a hot-path application.
#[derive(Debug)]
pub struct Conformance {
    fix42_plus: bool,
    /// FIX.4.4: repeating groups are echoed in the dictionary's order.
    fix44: bool,
    seen: HashSet<Vec<u8>>,
    buf: Vec<u8>,
}

impl Conformance {
    /// For a session with `begin_string`.
    pub fn new(begin_string: &str) -> Self {
        Conformance {
            fix42_plus: begin_string >= "FIX.4.2",
            fix44: begin_string == "FIX.4.4",
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
        let groups = if self.fix44 {
            crate::fields::fix44::groups::ALL
        } else {
            &[]
        };
        echo::quickfix_order(msg, groups, &mut self.buf);
        tx.send_body(msg_type, &self.buf);
        Ok(())
    }

    fn on_logout(&mut self, _: &crate::session::SessionId) {
        self.seen.clear();
    }
}

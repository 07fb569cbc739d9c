//! What we send: seq stamping, the store transaction, the wire buffer, and
//! the session-level messages built from them.

use super::{Ctx, Event, Session, SessionConfig};
use crate::codec::encode::{Body, Encoder};
use crate::codec::message::Message;
use crate::codec::time::Nanos;
use crate::store::{MessageStore, SeqNums, StoreError};

/// Store flag: gap-fill this message on resend instead of resending it.
pub(crate) const FLAG_ADMIN: u8 = 1;

pub(super) struct Outbound {
    pub(super) encoder: Encoder,
    pub(super) next_out: u32,
    pub(super) wire: Vec<u8>,
    /// Bytes at the front of `wire` already written.
    pub(super) wire_sent: usize,
    /// Journal application messages without sending them (after our Logout).
    pub(super) hold_app: bool,
    /// When we last queued anything (heartbeat timer).
    pub(super) last_sent: Nanos,
    store: Box<dyn MessageStore>,
    body: Vec<u8>,
    committed: SeqNums,
    failed: Option<StoreError>,
}

impl Outbound {
    pub(super) fn new(cfg: &SessionConfig, store: Box<dyn MessageStore>, next_out: u32) -> Self {
        Outbound {
            encoder: Encoder::new(&cfg.begin_string, &cfg.sender, &cfg.target, cfg.precision),
            next_out,
            wire: Vec::with_capacity(1 << 16),
            wire_sent: 0,
            hold_app: false,
            last_sent: 0,
            committed: store.seqs(),
            store,
            body: Vec::with_capacity(1024),
            failed: None,
        }
    }

    /// Stamps, stores (in the open transaction) and queues one message.
    pub(super) fn send(&mut self, now: Nanos, msg_type: &[u8], body: &[u8], flags: u8) -> u32 {
        let seq = self.next_out;
        self.last_sent = now;
        // After our Logout, application messages are journaled but not
        // sent: the peer gets them by ResendRequest on the next logon, as
        // QuickFIX does for messages sent while not logged on.
        let held = self.hold_app && flags & FLAG_ADMIN == 0;
        let start = self.wire.len();
        let r = self
            .encoder
            .encode(&mut self.wire, msg_type, seq, now, body);
        if let Err(e) = self.store.append(seq, flags, &self.wire[r]) {
            self.failed.get_or_insert(e);
        }
        if held {
            self.wire.truncate(start);
        }
        self.next_out += 1;
        seq
    }

    /// Commits the transaction: the messages appended since the last
    /// commit and both seqs, in one record. A no-op when nothing changed.
    pub(super) fn commit(&mut self, next_in: u32) -> Result<(), StoreError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let seqs = SeqNums {
            next_in,
            next_out: self.next_out,
        };
        if seqs != self.committed {
            self.store.commit(seqs)?;
            self.committed = seqs;
        }
        Ok(())
    }

    /// Records in the store the schedule period the seqs belong to.
    pub(super) fn set_period(&mut self, start: Nanos) -> Result<(), StoreError> {
        self.store.set_period(start)
    }

    pub(super) fn reset(&mut self) -> Result<(), StoreError> {
        self.next_out = 1;
        self.committed = SeqNums {
            next_in: 1,
            next_out: 1,
        };
        self.store.reset()
    }
}

/// The application's handle for sending on its session.
///
/// ```
/// # use gapless::session::*;
/// # use gapless::codec::message::Message;
/// struct Echo;
/// impl Application for Echo {
///     fn on_message(&mut self, msg: &Message, tx: &mut Sender) -> Result<(), AppReject> {
///         tx.send(b"8", |b| {
///             b.str(37, b"1").str(11, msg.get(11).unwrap_or(b"?"));
///         });
///         Ok(())
///     }
/// }
/// ```
pub struct Sender<'a> {
    out: &'a mut Outbound,
    now: Nanos,
}

impl<'a> Sender<'a> {
    pub(super) fn new(out: &'a mut Outbound, now: Nanos) -> Self {
        Sender { out, now }
    }

    /// Sends a message whose body `build` writes; returns its seq.
    pub fn send(&mut self, msg_type: &[u8], build: impl FnOnce(&mut Body)) -> u32 {
        self.send_flagged(msg_type, build, 0)
    }

    /// Like [`send`](Self::send), but a resend replaces it by a GapFill
    /// (for messages that must not be replayed, such as stale quotes).
    pub fn send_no_resend(&mut self, msg_type: &[u8], build: impl FnOnce(&mut Body)) -> u32 {
        self.send_flagged(msg_type, build, FLAG_ADMIN)
    }

    /// Sends a reply to `to`: its OnBehalfOf*/DeliverTo* routing fields
    /// reversed (QuickFIX's `Message::reverseRoute`), then the body
    /// `build` writes. Returns its seq.
    ///
    /// ```
    /// # use gapless::session::*;
    /// # use gapless::codec::message::Message;
    /// struct Ack;
    /// impl Application for Ack {
    ///     fn on_message(&mut self, msg: &Message, tx: &mut Sender) -> Result<(), AppReject> {
    ///         // An order from ISLD on behalf of JCD (115=JCD) is acked to 128=JCD.
    ///         tx.reply_to(msg, b"8", |b| {
    ///             b.str(11, msg.get(11).unwrap_or(b"?"));
    ///         });
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub fn reply_to(
        &mut self,
        to: &Message,
        msg_type: &[u8],
        build: impl FnOnce(&mut Body),
    ) -> u32 {
        let mut body = std::mem::take(&mut self.out.body);
        body.clear();
        super::route::reverse_route(to, &mut body);
        build(&mut Body::new(&mut body));
        let seq = self.out.send(self.now, msg_type, &body, 0);
        self.out.body = body;
        seq
    }

    /// Sends an already encoded body; returns its seq.
    pub fn send_body(&mut self, msg_type: &[u8], body: &[u8]) -> u32 {
        self.out.send(self.now, msg_type, body, 0)
    }

    /// The time of the call that delivered the message.
    pub fn now(&self) -> Nanos {
        self.now
    }

    fn send_flagged(&mut self, msg_type: &[u8], build: impl FnOnce(&mut Body), flags: u8) -> u32 {
        let mut body = std::mem::take(&mut self.out.body);
        body.clear();
        build(&mut Body::new(&mut body));
        let seq = self.out.send(self.now, msg_type, &body, flags);
        self.out.body = body;
        seq
    }
}

impl Session {
    pub(super) fn sender(&mut self, now: Nanos) -> Sender<'_> {
        Sender::new(&mut self.out, now)
    }

    /// Builds a body in the scratch buffer and sends it as an admin message.
    /// The application's [`to_admin`](super::Application::to_admin) may
    /// add fields after the session's.
    pub(super) fn send_admin_with(
        &mut self,
        ctx: &mut Ctx,
        msg_type: &[u8],
        build: impl FnOnce(&mut Body),
    ) {
        let mut body = std::mem::take(&mut self.scratch);
        body.clear();
        build(&mut Body::new(&mut body));
        ctx.app.to_admin(msg_type, &mut Body::new(&mut body));
        self.out.send(ctx.now, msg_type, &body, FLAG_ADMIN);
        self.scratch = body;
    }

    pub(super) fn send_heartbeat(&mut self, ctx: &mut Ctx, test_req_id: Option<&[u8]>) {
        self.send_admin_with(ctx, b"0", |b| {
            if let Some(id) = test_req_id {
                b.str(112, id);
            }
        });
    }

    pub(super) fn send_logout(&mut self, ctx: &mut Ctx, text: &[u8]) {
        self.send_admin_with(ctx, b"5", |b| {
            if !text.is_empty() {
                b.str(58, text);
            }
        });
        // The reply is due within LogoutTimeout from now.
        self.timers.logout_sent(ctx.now);
    }

    /// A session Reject(3) of inbound `ref_seq`, in QuickFIX's format for
    /// the session's version (`generateReject`): routed back to the
    /// sender's third parties; RefTagID(371) and RefMsgType(372) from
    /// FIX.4.2; SessionRejectReason(373) from FIX.4.2 for reasons up to 11
    /// and from FIX.4.3 for all; before FIX.4.2 the tag goes in Text(58).
    pub(super) fn send_reject(
        &mut self,
        ctx: &mut Ctx,
        ref_seq: u32,
        ref_msg_type: &[u8],
        reason: u32,
        ref_tag: Option<i64>,
        text: &str,
    ) {
        let version = self.cfg.begin_string.as_str();
        let fix42_plus = version >= "FIX.4.2";
        let with_reason = version > "FIX.4.2" || (fix42_plus && reason <= INVALID_MSG_TYPE);
        let mut route = std::mem::take(&mut self.route);
        let mut old_text = [0u8; 128];
        let text = match ref_tag {
            Some(t) if !fix42_plus && !text.is_empty() => text_with_tag(&mut old_text, text, t),
            _ => text.as_bytes(),
        };
        // Fields in tag order, as QuickFIX writes them.
        self.send_admin_with(ctx, b"3", |b| {
            b.raw(&route);
            b.uint(45, u64::from(ref_seq));
            if !text.is_empty() {
                b.str(58, text);
            }
            if fix42_plus {
                if let Some(t) = ref_tag {
                    b.int(371, t);
                }
                if !ref_msg_type.is_empty() {
                    b.str(372, ref_msg_type);
                }
            }
            if with_reason {
                b.uint(373, u64::from(reason));
            }
        });
        route.clear();
        self.route = route;
        self.stats.rejects += 1;
        self.events.push_back(Event::Rejected {
            seq: ref_seq,
            reason,
        });
    }

    /// A BusinessMessageReject(j) (a Reject before FIX.4.2).
    pub(super) fn send_business_reject(
        &mut self,
        ctx: &mut Ctx,
        ref_seq: u32,
        ref_msg_type: &[u8],
        reason: u32,
        ref_tag: Option<u32>,
        text: &str,
    ) {
        if self.cfg.begin_string.as_str() < "FIX.4.2" {
            return self.send_reject(ctx, ref_seq, ref_msg_type, 11, None, text);
        }
        let appl_ver_id = match self.cfg.begin_string.as_str() {
            "FIXT.1.1" => self.cfg.default_appl_ver_id.take(),
            _ => None,
        };
        // Fields in tag order, as QuickFIX writes them.
        self.send_admin_with(ctx, b"j", |b| {
            b.uint(45, u64::from(ref_seq));
            if !text.is_empty() {
                b.str(58, text.as_bytes());
            }
            if let Some(t) = ref_tag {
                b.uint(371, u64::from(t));
            }
            b.str(372, ref_msg_type).uint(380, u64::from(reason));
            // QuickFIX's generateBusinessReject names the version under
            // FIXT, after the body (it is not moved into the header).
            if let Some(v) = appl_ver_id.as_deref() {
                b.str(1137, v.as_bytes());
            }
        });
        if appl_ver_id.is_some() {
            self.cfg.default_appl_ver_id = appl_ver_id;
        }
    }
}

/// Reason code 11: the last one FIX.4.2 sends in SessionRejectReason(373).
const INVALID_MSG_TYPE: u32 = crate::dict::reason::INVALID_MSG_TYPE;

/// `text (tag)`, QuickFIX's Text(58) for a Reject before FIX.4.2.
fn text_with_tag<'a>(buf: &'a mut [u8; 128], text: &str, tag: i64) -> &'a [u8] {
    use std::io::Write;
    let mut w = &mut buf[..];
    let _ = write!(w, "{text} ({tag})");
    let n = 128 - w.len();
    &buf[..n]
}

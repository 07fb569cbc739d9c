//! Inbound sequencing: acting on the validator's verdicts, holding what
//! arrives after a gap, releasing it the moment the gap fills, and keeping
//! ResendRequests alive.

use super::checks::{reason, Failure};
use super::{Ctx, DisconnectReason, Event, Session, State};
use crate::codec::message::{Header, Message};
use crate::codec::time::Nanos;
use crate::validator::{classify, SeqFields, Verdict, VerdictKind, FLAG_GAP_FILL};

/// The open ResendRequest, if any.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct GapState {
    /// `(BeginSeqNo, last seq it is known to cover)`: for EndSeqNo=0,
    /// the seq before the message that revealed the gap (as QuickFIX
    /// keeps it); once `next_in` passes it, a remaining gap is asked for
    /// anew.
    pub(super) requested: Option<(u32, u32)>,
    /// When it was sent.
    pub(super) requested_at: u64,
    /// The highest seq seen beyond a gap.
    pub(super) highest_seen: u32,
}

pub(super) fn on_frame(s: &mut Session, ctx: &mut Ctx, v: &Verdict, frame: &[u8]) {
    if s.state == State::Disconnected {
        return;
    }
    s.timers.received(ctx.now);
    if v.kind == VerdictKind::Garbled {
        return s.skip_garbled(v);
    }
    let pairs = s.data_pairs();
    on_message(
        s,
        ctx,
        v,
        &Message::with_data(frame, pairs.as_deref().unwrap_or(&[])),
    );
}

fn on_message(s: &mut Session, ctx: &mut Ctx, v: &Verdict, msg: &Message) {
    let (msg, frame) = (*msg, msg.bytes());
    let h = msg.header();
    if (h.sender.is_empty() || h.target.is_empty()) && super::route::has_bad_field(frame) {
        // A tag that is not a number (QuickFIX's InvalidMessage): ignored
        // like a garbled frame, its seq not consumed.
        s.resync_validator = true;
        return s.skip_garbled(v);
    }
    if h.msg_type == b"A" {
        if msg.data_error().is_some() {
            // As QuickFIX: a Logon that does not parse closes the
            // connection.
            return s.disconnect(DisconnectReason::LogonRefused);
        }
        return s.on_logon(ctx, v, &msg, &h);
    }
    if matches!(s.state, State::AwaitingLogon { .. }) {
        // As QuickFIX: closed without a Logout.
        return s.disconnect(DisconnectReason::LogonRefused);
    }
    s.route.clear();
    if h.routed {
        super::route::reverse_route(&msg, &mut s.route);
    }
    let kind = s.current_kind(v, &msg);
    let in_order = matches!(kind, VerdictKind::InOrder | VerdictKind::GapFill);
    if h.begin_string != s.cfg.begin_string.as_bytes() {
        return s.fail_check(ctx, Failure::BeginString, v.seq, h.msg_type, in_order);
    }
    // QuickFIX validates against the dictionary before the identity and
    // sequence checks (verify): a message at the expected seq gets the
    // dictionary's Reject first.
    // A data field that cannot be read fails QuickFIX's parse, before
    // its dictionary.
    if in_order && s.data_field_rejects(ctx, &msg, v.seq) {
        return s.after_advance(ctx);
    }
    if in_order && s.dictionary_rejects(ctx, &msg, &h, v) {
        return;
    }
    if let Err(f) = s.check_identity(&h, ctx.now) {
        return s.fail_check(ctx, f, v.seq, h.msg_type, in_order);
    }
    if s.exempt_from_seq_check(ctx, kind, &msg, &h) {
        return;
    }
    match kind {
        VerdictKind::InOrder | VerdictKind::GapFill => {
            if let Err(f) = s.check_poss_dup(&h) {
                return s.fail_check(ctx, f, v.seq, h.msg_type, true);
            }
            s.dispatch(ctx, &msg, &h, v.seq);
            s.after_advance(ctx);
        }
        VerdictKind::Gap => s.on_gap(ctx, &msg, &h, v.seq),
        VerdictKind::Duplicate => {
            s.stats.duplicates += 1;
            if let Err(f) = s.check_poss_dup(&h) {
                s.fail_check(ctx, f, v.seq, h.msg_type, false);
            }
        }
        VerdictKind::TooLow => {
            let mut text = [0u8; 80];
            let n = too_low_text(&mut text, s.next_in, v.seq);
            s.send_logout(ctx, &text[..n]);
            s.disconnect(DisconnectReason::SequenceError);
        }
        VerdictKind::SequenceReset => s.on_sequence_reset(ctx, &msg, v),
        VerdictKind::BadSeq => s.on_bad_seq(ctx, &h, v.seq),
        VerdictKind::Disabled | VerdictKind::Garbled => {}
    }
}

pub(super) fn on_timer(s: &mut Session, ctx: &mut Ctx) {
    if s.gap.requested.is_none() {
        return;
    }
    if s.state == State::Active
        && ctx.now.saturating_sub(s.gap.requested_at) >= s.cfg.resend_timeout
    {
        s.request_gap(ctx);
    }
}

/// When [`on_timer`] next re-requests the open gap.
pub(super) fn deadline(s: &Session) -> Option<Nanos> {
    match s.gap.requested {
        Some(_) if s.state == State::Active => {
            Some(s.gap.requested_at.saturating_add(s.cfg.resend_timeout))
        }
        _ => None,
    }
}

/// EndSeqNo(16) meaning "all after BeginSeqNo" before FIX.4.2.
const INFINITY_BEFORE_FIX42: u32 = 999_999;

/// "MsgSeqNum too low, expecting X but received Y", as QuickFIX says it.
pub(super) fn too_low_text(buf: &mut [u8; 80], expected: u32, got: u32) -> usize {
    use std::io::Write;
    let mut w = &mut buf[..];
    let _ = write!(
        w,
        "MsgSeqNum too low, expecting {expected} but received {got}"
    );
    80 - w.len()
}

impl Session {
    /// The verdict's kind against the session's own expected seq: the
    /// validator's decision when it saw the same expected, else the same
    /// rule re-applied (after a Logon reset or a queue release).
    fn current_kind(&mut self, v: &Verdict, msg: &Message) -> VerdictKind {
        if v.expected == self.next_in
            || matches!(v.kind, VerdictKind::BadSeq | VerdictKind::Disabled)
        {
            return v.kind;
        }
        self.resync_validator = true;
        let new_seq = if v.msg_type == *b"4\0" {
            msg.get(36).and_then(crate::validator::software::parse_seq)
        } else {
            None
        };
        let f = SeqFields {
            seq: Some(v.seq),
            new_seq,
            flags: v.flags,
            msg_type: v.msg_type,
        };
        classify(&f, self.next_in).0
    }

    /// A frame skipped as garbled: counted, its seq not consumed.
    fn skip_garbled(&mut self, v: &Verdict) {
        self.stats.garbled += 1;
        self.events.push_back(Event::Garbled {
            offset: v.offset,
            len: v.len,
        });
    }

    /// Runs the dictionary on the in-order message `v.seq`; on a failure
    /// sends its Reject (the message takes its seq) and returns true. A
    /// message whose fields do not parse is ignored like a garbled frame.
    fn dictionary_rejects(
        &mut self,
        ctx: &mut Ctx,
        msg: &Message,
        h: &Header,
        v: &Verdict,
    ) -> bool {
        let Some(Err(r)) = self.check.as_ref().map(|c| c.check(msg)) else {
            return false;
        };
        if r.reason == reason::GARBLED {
            self.resync_validator = true;
            self.skip_garbled(v);
            return true;
        }
        if h.msg_type == b"A" {
            self.disconnect(DisconnectReason::LogonRefused);
            return true;
        }
        self.set_next_in(v.seq + 1, false);
        self.send_reject(ctx, v.seq, h.msg_type, r.reason, r.ref_tag, r.text);
        self.after_advance(ctx);
        true
    }

    /// QuickFIX checks no MsgSeqNum on a Logout, nor on a ResendRequest
    /// that is too low: the Logout is answered and the ResendRequest
    /// served whatever its seq. Returns true when `msg` was handled so.
    fn exempt_from_seq_check(
        &mut self,
        ctx: &mut Ctx,
        kind: VerdictKind,
        msg: &Message,
        h: &Header,
    ) -> bool {
        let out_of_order = matches!(
            kind,
            VerdictKind::Gap | VerdictKind::Duplicate | VerdictKind::TooLow
        );
        match h.msg_type {
            b"5" if out_of_order => self.on_logout(ctx),
            b"2" if matches!(kind, VerdictKind::Duplicate | VerdictKind::TooLow)
                && self.state == State::Active =>
            {
                let seq = msg.get(34).and_then(crate::validator::software::parse_seq);
                self.on_resend_request(ctx, msg, seq.unwrap_or(0));
            }
            _ => return false,
        }
        true
    }

    /// Processes the in-order message `seq` (dictionary check included,
    /// for messages released from the hold queue) and advances `next_in`.
    pub(super) fn process(&mut self, ctx: &mut Ctx, msg: &Message, h: &Header, seq: u32) {
        self.route.clear();
        if h.routed {
            super::route::reverse_route(msg, &mut self.route);
        }
        if self.data_field_rejects(ctx, msg, seq) {
            return;
        }
        if let Some(check) = &self.check {
            if let Err(r) = check.check(msg) {
                self.set_next_in(seq + 1, false);
                if r.reason == reason::GARBLED {
                    return;
                }
                return self.send_reject(ctx, seq, h.msg_type, r.reason, r.ref_tag, r.text);
            }
        }
        self.dispatch(ctx, msg, h, seq);
    }

    /// Acts on the checked in-order message `seq` and advances `next_in`.
    fn dispatch(&mut self, ctx: &mut Ctx, msg: &Message, h: &Header, seq: u32) {
        // The validator followed unless the message came from the hold
        // queue or was re-judged (both flag a resync already).
        self.set_next_in(seq + 1, true);
        // Admin messages the session acts on (a Logon held beyond a gap
        // was offered on arrival).
        if matches!(h.msg_type, b"0" | b"1" | b"2" | b"3" | b"4" | b"5") {
            if let Err(r) = ctx.app.on_admin(msg) {
                let tag = r.ref_tag;
                return self.send_reject(ctx, seq, h.msg_type, r.reason, tag, r.text);
            }
        }
        match h.msg_type {
            // A Logon held beyond a gap was handled on arrival.
            b"0" | b"3" | b"A" => {}
            b"1" => self.send_heartbeat(ctx, msg.get(112)),
            b"2" => {
                if let Some(i) = self.served_early.iter().position(|&s| s == seq) {
                    self.served_early.swap_remove(i);
                } else {
                    self.on_resend_request(ctx, msg, seq);
                }
            }
            b"4" => self.on_gap_fill(ctx, msg, seq),
            b"5" => self.on_logout(ctx),
            _ => self.deliver(ctx, msg, h, seq),
        }
    }

    fn deliver(&mut self, ctx: &mut Ctx, msg: &Message, h: &Header, seq: u32) {
        // After our Logout, messages still arrive until the peer's reply:
        // they took a seq, so they are delivered like any other.
        self.stats.delivered += 1;
        let result = ctx.app.on_message(msg, &mut self.sender(ctx.now));
        match result {
            Ok(()) => {}
            Err(super::AppReject::UnsupportedMessageType) => {
                // QuickFIX's texts: a BusinessMessageReject's from FIX.4.2,
                // the session Reject's before.
                let text = match self.cfg.begin_string.as_str() >= "FIX.4.2" {
                    true => "Unsupported Message Type",
                    false => "Unsupported message type",
                };
                self.send_business_reject(ctx, seq, h.msg_type, 3, None, text);
            }
            Err(super::AppReject::Business {
                reason,
                ref_tag,
                text,
            }) => {
                self.send_business_reject(ctx, seq, h.msg_type, reason, ref_tag, text);
            }
        }
    }

    /// A message beyond a gap: serve it early if it is a ResendRequest,
    /// hold it, and make sure the gap is requested.
    fn on_gap(&mut self, ctx: &mut Ctx, msg: &Message, h: &Header, seq: u32) {
        if h.msg_type == b"2" && self.state == State::Active {
            self.on_resend_request(ctx, msg, seq);
            if self.served_early.len() < self.served_early.capacity() {
                self.served_early.push(seq);
            }
        }
        if self.hold.insert(self.next_in, seq, msg.bytes()) {
            self.stats.held += 1;
        } else {
            self.stats.hold_dropped += 1;
            self.events.push_back(Event::HoldQueueFull { seq });
        }
        let first_sight = seq > self.gap.highest_seen;
        self.gap.highest_seen = self.gap.highest_seen.max(seq);
        if self.gap.requested.is_none() || (self.cfg.send_redundant_resend_requests && first_sight)
        {
            self.request_gap(ctx);
        }
    }

    /// Sends our ResendRequest for `next_in..` (chunked if configured)
    /// at once, in the turn that saw the gap: it needs no store read.
    pub(super) fn request_gap(&mut self, ctx: &mut Ctx) {
        let begin = self.next_in;
        let end = match self.cfg.resend_chunk_size {
            0 => 0,
            n => (begin + n - 1).min(self.gap.highest_seen.saturating_sub(1).max(begin)),
        };
        let covered = match end {
            0 => self.gap.highest_seen.saturating_sub(1).max(begin),
            e => e,
        };
        // "Everything after": 16=0 from FIX.4.2, 16=999999 before
        // (QuickFIX's generateResendRequest).
        let end = match end {
            0 if self.cfg.begin_string.as_str() < "FIX.4.2" => INFINITY_BEFORE_FIX42,
            e => e,
        };
        self.gap.requested = Some((begin, covered));
        self.gap.requested_at = ctx.now;
        self.stats.gaps += 1;
        self.send_admin_with(ctx, b"2", |b| {
            b.uint(7, u64::from(begin)).uint(16, u64::from(end));
        });
        self.events.push_back(Event::Gap { begin, end });
        self.urgent = true;
    }

    /// After `next_in` moved: release held messages now in order, then
    /// close or continue the open ResendRequest.
    pub(super) fn after_advance(&mut self, ctx: &mut Ctx) {
        let mut buf = std::mem::take(&mut self.release_buf);
        let pairs = self.data_pairs();
        while self.state != State::Disconnected {
            let seq = self.next_in;
            let Some(bytes) = self.hold.take(seq) else {
                break;
            };
            self.resync_validator = true;
            buf.clear();
            buf.extend_from_slice(bytes);
            let msg = Message::with_data(&buf, pairs.as_deref().unwrap_or(&[]));
            let h = msg.header();
            match self.check_poss_dup(&h) {
                Ok(()) => self.process(ctx, &msg, &h, seq),
                Err(f) => self.fail_check(ctx, f, seq, h.msg_type, true),
            }
        }
        self.release_buf = buf;
        let Some((_, covered)) = self.gap.requested else {
            return;
        };
        if self.next_in > self.gap.highest_seen {
            self.gap = GapState::default();
            self.hold.drop_through(self.next_in);
            self.events.push_back(Event::GapFilled {
                next_in: self.next_in,
            });
        } else if self.next_in > covered {
            self.request_gap(ctx);
        }
    }

    /// SequenceReset-GapFill in order: expected jumps to NewSeqNo.
    fn on_gap_fill(&mut self, ctx: &mut Ctx, msg: &Message, seq: u32) {
        let new_seq = msg.get(36).and_then(crate::validator::software::parse_seq);
        if !msg.flag(123) {
            return; // A SequenceReset-Reset never reaches here (no seq check).
        }
        match new_seq {
            Some(n) if n > seq => {
                self.set_next_in(n, false);
            }
            Some(_) => self.send_reject(
                ctx,
                seq,
                b"4",
                reason::VALUE_OUT_OF_RANGE,
                self.helpful(36),
                super::checks::reject_text(reason::VALUE_OUT_OF_RANGE),
            ),
            None => self.send_reject(
                ctx,
                seq,
                b"4",
                reason::REQUIRED_TAG_MISSING,
                Some(36),
                "Required tag missing",
            ),
        }
    }

    /// SequenceReset-Reset: no seq check; expected becomes NewSeqNo.
    fn on_sequence_reset(&mut self, ctx: &mut Ctx, msg: &Message, v: &Verdict) {
        let new_seq = msg
            .get(36)
            .and_then(crate::validator::software::parse_seq)
            .unwrap_or(0);
        if v.flags & FLAG_GAP_FILL != 0 {
            return;
        }
        if new_seq < self.next_in {
            return self.send_reject(
                ctx,
                v.seq,
                b"4",
                reason::VALUE_OUT_OF_RANGE,
                self.helpful(36),
                super::checks::reject_text(reason::VALUE_OUT_OF_RANGE),
            );
        }
        self.set_next_in(new_seq, false);
        self.hold.drop_through(new_seq.saturating_sub(1));
        self.after_advance(ctx);
    }

    /// MsgSeqNum(34) missing or garbage (or a SequenceReset without 36).
    fn on_bad_seq(&mut self, ctx: &mut Ctx, h: &Header, seq: u32) {
        if h.msg_type == b"4" && seq != 0 {
            return self.send_reject(
                ctx,
                seq,
                b"4",
                reason::REQUIRED_TAG_MISSING,
                Some(36),
                "Required tag missing",
            );
        }
        self.send_logout(ctx, b"MsgSeqNum(34) missing or invalid");
        self.disconnect(DisconnectReason::SequenceError);
    }

    /// The peer's ResendRequest: hand the range to the recovery side.
    fn on_resend_request(&mut self, ctx: &mut Ctx, msg: &Message, seq: u32) {
        let begin = msg.get(7).and_then(crate::validator::software::parse_seq);
        let end = msg.get(16).and_then(crate::validator::software::parse_seq);
        // Up to FIX.4.2, 16=999999 also means "everything after".
        let end = match end {
            Some(INFINITY_BEFORE_FIX42) if self.cfg.begin_string.as_str() <= "FIX.4.2" => Some(0),
            e => e,
        };
        let (Some(begin), Some(end)) = (begin, end) else {
            let tag = if begin.is_none() { 7 } else { 16 };
            return self.send_reject(
                ctx,
                seq,
                b"2",
                reason::REQUIRED_TAG_MISSING,
                Some(tag),
                "Required tag missing",
            );
        };
        self.serve(begin, end);
    }
}

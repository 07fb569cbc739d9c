//! Logon and Logout handshakes, sequence resets and resumption.

use super::{Ctx, DisconnectReason, Event, Session, State};
use crate::codec::message::{Header, Message};
use crate::validator::software::parse_seq;
use crate::validator::Verdict;

impl Session {
    /// Sends our Logon; `reply` when answering the peer's (acceptor).
    pub(super) fn send_logon(&mut self, ctx: &mut Ctx, peer_reset: bool) {
        let reply = matches!(self.state, State::AwaitingLogon { .. }) && !self.cfg.initiator;
        let reset = peer_reset || (self.wants_reset() && !reply);
        if reset && !reply {
            self.reset_seqs();
        }
        let (hb, next_in) = (self.timers.interval_secs(), self.next_in);
        let cfg = self.cfg.clone();
        self.send_admin_with(ctx, b"A", |b| {
            b.uint(98, 0).uint(108, u64::from(hb));
            if reset {
                b.char(141, b'Y');
            }
            if cfg.initiator {
                if let Some(u) = &cfg.username {
                    b.str(553, u.as_bytes());
                }
                if let Some(p) = &cfg.password {
                    b.str(554, p.as_bytes());
                }
            }
            if cfg.enable_next_expected {
                b.uint(789, u64::from(next_in));
            }
            if let Some(v) = &cfg.default_appl_ver_id {
                b.str(1137, v.as_bytes());
            }
        });
        self.enter(State::AwaitingLogon { sent: true });
    }

    /// The peer's Logon.
    pub(super) fn on_logon(&mut self, ctx: &mut Ctx, v: &Verdict, msg: &Message, h: &Header) {
        let State::AwaitingLogon { sent } = self.state else {
            return self.on_logon_while_logged_on(ctx, v, msg, h);
        };
        // As QuickFIX: a Logon that fails the identity checks, or a FIXT
        // Logon without DefaultApplVerID(1137), is not answered (a Reject
        // needs a session): the connection is closed.
        if self.check_identity(h, ctx.now).is_err() || self.logon_lacks_appl_ver_id(msg) {
            return self.disconnect(DisconnectReason::LogonRefused);
        }
        if !self.cfg.initiator && !self.check_schedule(ctx) {
            self.send_logout(ctx, super::window::OUTSIDE_TEXT);
            return self.disconnect(DisconnectReason::OutsideSchedule);
        }
        if !self.cfg.initiator && !self.credentials_match(msg) {
            self.send_logout(ctx, b"Invalid Username or Password");
            return self.disconnect(DisconnectReason::LogonRefused);
        }
        let Some(hb) = msg.get_uint(108).and_then(|x| u32::try_from(x).ok()) else {
            self.send_logout(ctx, b"HeartBtInt(108) missing or invalid");
            return self.disconnect(DisconnectReason::LogonRefused);
        };
        if let Err(veto) = ctx.app.on_admin(msg) {
            self.send_logout(ctx, veto.text.as_bytes());
            return self.disconnect(DisconnectReason::LogonRefused);
        }
        if let Some(v) = msg.get(1137) {
            // FIXT: the initiator's DefaultApplVerID becomes the session's.
            self.cfg.default_appl_ver_id = Some(String::from_utf8_lossy(v).into_owned());
        }
        let peer_reset = msg.flag(141);
        let reset = peer_reset || (self.wants_reset() && !sent);
        if reset && !sent {
            self.reset_seqs();
        }
        self.resync_validator = true;
        if v.seq < self.next_in && !peer_reset {
            let mut text = [0u8; 80];
            let n = super::inbound::too_low_text(&mut text, self.next_in, v.seq);
            self.send_logout(ctx, &text[..n]);
            return self.disconnect(DisconnectReason::SequenceError);
        }
        if !self.cfg.initiator {
            self.timers.set_interval(hb);
            // The reply carries 141=Y only if the peer's Logon did: a local
            // ResetOnLogon resets silently (QuickFIX's generateLogon). A
            // replaced journal (OnStoreCorruption=reset) is the exception:
            // the counterparty must reset too.
            self.send_logon(ctx, peer_reset || self.reset_pending);
        }
        self.enter(State::Active);
        self.reset_pending = false;
        self.events.push_back(Event::LoggedOn { reset });
        let mut tx = super::Sender::new(&mut self.out, ctx.now);
        ctx.app.on_logon(&self.id, &mut tx);
        if self.cfg.enable_next_expected {
            if let Some(n) = msg.get(789).and_then(parse_seq) {
                if n > self.out.next_out {
                    self.send_logout(ctx, b"NextExpectedMsgSeqNum(789) too high");
                    return self.disconnect(DisconnectReason::SequenceError);
                }
                if n < self.out.next_out {
                    self.serve(n, 0);
                }
            }
        }
        if v.seq == self.next_in {
            self.set_next_in(self.next_in + 1, true);
            self.after_advance(ctx);
        } else if v.seq > self.next_in {
            // QuickFIX's doTargetTooHigh: the Logon is queued at its seq and
            // skipped when the resends reach it, so one ResendRequest
            // covers the whole gap.
            if self.hold.insert(self.next_in, v.seq, msg.bytes()) {
                self.stats.held += 1;
            }
            self.gap.highest_seen = v.seq;
            self.request_gap(ctx);
        }
    }

    /// A Logon on a logged-on session: with ResetSeqNumFlag(141)=Y it is
    /// QuickFIX's SessionReset (both seqs back to 1, answered with a Logon
    /// carrying 141=Y); without it the connection is closed.
    fn on_logon_while_logged_on(&mut self, ctx: &mut Ctx, v: &Verdict, msg: &Message, h: &Header) {
        if self.state != State::Active || !msg.flag(141) || self.check_identity(h, ctx.now).is_err()
        {
            return self.disconnect(DisconnectReason::LogonRefused);
        }
        self.reset_seqs();
        self.enter(State::AwaitingLogon { sent: false });
        self.send_logon(ctx, true);
        self.enter(State::Active);
        self.set_next_in(v.seq.max(1) + 1, false);
        self.events.push_back(Event::LoggedOn { reset: true });
    }

    /// FIXT.1.1 requires DefaultApplVerID(1137) on the Logon.
    fn logon_lacks_appl_ver_id(&self, msg: &Message) -> bool {
        self.cfg.begin_string == "FIXT.1.1" && msg.get(1137).is_none_or(<[u8]>::is_empty)
    }

    /// The peer's Logout (in order).
    pub(super) fn on_logout(&mut self, ctx: &mut Ctx) {
        if self.state != State::LoggingOut {
            self.send_logout(ctx, b"");
        }
        self.commit();
        ctx.app.on_logout(&self.id);
        self.disconnect(DisconnectReason::LoggedOut);
        if self.cfg.reset_on_logout {
            self.reset_seqs();
        }
    }

    /// We reset on our Logon: ResetOnLogon, or a replaced journal.
    fn wants_reset(&self) -> bool {
        self.cfg.reset_on_logon || self.reset_pending
    }

    /// Username(553)/Password(554), compared in constant time.
    fn credentials_match(&self, msg: &Message) -> bool {
        let eq = |want: &Option<String>, tag| match want {
            None => true,
            Some(w) => constant_time_eq(w.as_bytes(), msg.get(tag).unwrap_or(&[])),
        };
        eq(&self.cfg.username, 553) & eq(&self.cfg.password, 554)
    }
}

/// Compares without an early exit on the first differing byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, &x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(!x));
    }
    diff == 0
}

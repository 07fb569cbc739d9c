//! Identity and timing checks run on every message, in QuickFIX's order:
//! BeginString, SendingTime, CompIDs; and OrigSendingTime on PossDups.

use super::{Ctx, DisconnectReason, Session, State};
use crate::codec::message::{Header, Message};
use crate::codec::time::{self, Nanos};

pub(super) use crate::dict::reason;

/// A failed check and what it costs the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Failure {
    /// Logout and disconnect, no Reject.
    BeginString,
    /// Reject(373) on `tag`, then Logout.
    RejectAndLogout { reason: u32, tag: u32 },
    /// Reject(373) on `tag`; the session goes on.
    Reject { reason: u32, tag: u32 },
}

impl Session {
    /// BeginString, SendingTime and CompIDs of any message.
    pub(super) fn check_identity(&self, h: &Header, now: Nanos) -> Result<(), Failure> {
        use reason::*;
        if h.begin_string != self.cfg.begin_string.as_bytes() {
            return Err(Failure::BeginString);
        }
        for (value, tag) in [(h.sender, 49), (h.target, 56)] {
            if value.is_empty() {
                return Err(Failure::Reject {
                    reason: REQUIRED_TAG_MISSING,
                    tag,
                });
            }
        }
        let Some(sent) = time::parse(h.sending_time) else {
            return Err(Failure::Reject {
                reason: REQUIRED_TAG_MISSING,
                tag: 52,
            });
        };
        if self.cfg.check_latency
            && now.abs_diff(sent) > u64::from(self.cfg.max_latency_secs) * 1_000_000_000
        {
            return Err(Failure::RejectAndLogout {
                reason: SENDING_TIME_ACCURACY,
                tag: 52,
            });
        }
        if self.cfg.check_comp_id
            && (h.sender != self.cfg.target.as_bytes() || h.target != self.cfg.sender.as_bytes())
        {
            let tag = if h.sender != self.cfg.target.as_bytes() {
                49
            } else {
                56
            };
            return Err(Failure::RejectAndLogout {
                reason: COMP_ID_PROBLEM,
                tag,
            });
        }
        Ok(())
    }

    /// OrigSendingTime(122) of a PossDup message: present when required,
    /// and not after SendingTime.
    pub(super) fn check_poss_dup(&self, h: &Header) -> Result<(), Failure> {
        use reason::*;
        if !h.poss_dup {
            return Ok(());
        }
        if h.orig_sending_time.is_empty() {
            return if self.cfg.requires_orig_sending_time {
                Err(Failure::Reject {
                    reason: REQUIRED_TAG_MISSING,
                    tag: 122,
                })
            } else {
                Ok(())
            };
        }
        match (
            time::parse(h.orig_sending_time),
            time::parse(h.sending_time),
        ) {
            (Some(orig), Some(sent)) if orig <= sent => Ok(()),
            (Some(_), Some(_)) => Err(Failure::RejectAndLogout {
                reason: SENDING_TIME_ACCURACY,
                tag: 122,
            }),
            _ => Err(Failure::Reject {
                reason: VALUE_OUT_OF_RANGE,
                tag: 122,
            }),
        }
    }

    /// Acts on a failed check of inbound `seq`; `consume` says whether the
    /// message takes its seq (it was the one expected).
    pub(super) fn fail_check(
        &mut self,
        ctx: &mut Ctx,
        f: Failure,
        seq: u32,
        msg_type: &[u8],
        consume: bool,
    ) {
        match f {
            Failure::BeginString => {
                self.send_logout(ctx, b"Incorrect BeginString");
                self.disconnect(DisconnectReason::IdentityError);
                return;
            }
            Failure::Reject { reason, tag } | Failure::RejectAndLogout { reason, tag } => {
                let text = reject_text(reason);
                // QuickFIX names no RefTagID(371) for a CompID or
                // SendingTime problem.
                let ref_tag = match reason {
                    reason::COMP_ID_PROBLEM | reason::SENDING_TIME_ACCURACY => self.helpful(tag),
                    _ => Some(i64::from(tag)),
                };
                self.send_reject(ctx, seq, msg_type, reason, ref_tag, text);
            }
        }
        if consume {
            self.set_next_in(seq + 1, false);
            self.after_advance(ctx);
        }
        if let Failure::RejectAndLogout { .. } = f {
            // QuickFIX's generateLogout() after the Reject: no Text.
            self.send_logout(ctx, b"");
            self.enter(State::LoggingOut);
        }
    }
}

impl Session {
    /// The DATA fields this session reads by length besides the built-in
    /// ones (its dictionary's).
    pub(super) fn data_pairs(&self) -> Option<std::sync::Arc<crate::codec::message::DataPairs>> {
        self.check.as_ref().and_then(|c| c.data_pairs())
    }

    /// A data field of `msg` that cannot be read (see
    /// [`crate::dict::data_field_reject`]): sends its Reject for in-order
    /// `seq`, which the message takes, and returns true.
    pub(super) fn data_field_rejects(&mut self, ctx: &mut Ctx, msg: &Message, seq: u32) -> bool {
        let Some(e) = msg.data_error() else {
            return false;
        };
        let r = crate::dict::data_field_reject(e);
        self.next_in = seq + 1;
        self.send_reject(ctx, seq, msg.msg_type(), r.reason, r.ref_tag, r.text);
        true
    }

    /// RefTagID(371) `tag` on a Reject QuickFIX sends without one: only
    /// with `ref_tag_id_always`.
    pub(super) fn helpful(&self, tag: u32) -> Option<i64> {
        self.cfg.ref_tag_id_always.then_some(i64::from(tag))
    }
}

/// QuickFIX's texts for the reasons the session layer uses.
pub(super) fn reject_text(reason: u32) -> &'static str {
    match reason {
        reason::REQUIRED_TAG_MISSING => "Required tag missing",
        reason::VALUE_OUT_OF_RANGE => "Value is incorrect (out of range) for this tag",
        reason::COMP_ID_PROBLEM => "CompID problem",
        reason::SENDING_TIME_ACCURACY => "SendingTime accuracy problem",
        _ => "Invalid message",
    }
}

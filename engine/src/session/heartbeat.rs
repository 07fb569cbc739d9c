//! Heartbeats, TestRequests and the handshake timeouts.

use super::{Ctx, DisconnectReason, Session, State};
use crate::codec::time::Nanos;

const SEC: Nanos = 1_000_000_000;

/// When we last sent and received, and what we are waiting for.
#[derive(Clone, Copy, Debug)]
pub(super) struct Timers {
    interval: u32,
    last_received: Nanos,
    connected_at: Nanos,
    logout_sent_at: Nanos,
    test_request: Option<Nanos>,
}

impl Timers {
    pub(super) fn new(interval_secs: u32) -> Self {
        Timers {
            interval: interval_secs,
            last_received: 0,
            connected_at: 0,
            logout_sent_at: 0,
            test_request: None,
        }
    }

    pub(super) fn interval_secs(&self) -> u32 {
        self.interval
    }

    pub(super) fn set_interval(&mut self, secs: u32) {
        self.interval = secs;
    }

    pub(super) fn connected(&mut self, now: Nanos) {
        (self.connected_at, self.last_received) = (now, now);
        self.test_request = None;
    }

    pub(super) fn received(&mut self, now: Nanos) {
        self.last_received = now;
        self.test_request = None;
    }

    pub(super) fn logout_sent(&mut self, now: Nanos) {
        self.logout_sent_at = now;
    }
}

pub(super) fn on_timer(s: &mut Session, ctx: &mut Ctx) {
    let now = ctx.now;
    let t = s.timers;
    match s.state {
        State::Disconnected => {}
        State::AwaitingLogon { .. } => {
            if now.saturating_sub(t.connected_at) >= u64::from(s.cfg.logon_timeout_secs) * SEC {
                s.disconnect(DisconnectReason::Timeout);
            }
        }
        State::LoggingOut => {
            if now.saturating_sub(t.logout_sent_at) >= u64::from(s.cfg.logout_timeout_secs) * SEC {
                s.disconnect(DisconnectReason::Timeout);
            }
        }
        State::Active if t.interval > 0 => active(s, ctx),
        State::Active => {}
    }
}

/// When [`on_timer`] next has work: the handshake timeouts, and while
/// active the silence disconnect, the TestRequest and the Heartbeat —
/// each the earliest `now` at which its condition there holds.
pub(super) fn deadline(s: &Session) -> Option<Nanos> {
    let t = &s.timers;
    let after = |from: Nanos, secs: u32| Some(from.saturating_add(u64::from(secs) * SEC));
    match s.state {
        State::Disconnected => None,
        State::AwaitingLogon { .. } => after(t.connected_at, s.cfg.logon_timeout_secs),
        State::LoggingOut => after(t.logout_sent_at, s.cfg.logout_timeout_secs),
        State::Active if t.interval > 0 => {
            let interval = u64::from(t.interval) * SEC;
            let dead = t.last_received.saturating_add(interval * 24 / 10);
            if t.test_request.is_some() {
                return Some(dead);
            }
            let test = t.last_received.saturating_add(interval * 12 / 10);
            let heartbeat = s.out.last_sent.saturating_add(interval);
            Some(dead.min(test).min(heartbeat))
        }
        State::Active => None,
    }
}

/// QuickFIX's rule: a TestRequest after 1.2 intervals of silence, a
/// disconnect (without a Logout) after 2.4, and a Heartbeat after one
/// interval without sending — but none while a TestRequest is unanswered.
fn active(s: &mut Session, ctx: &mut Ctx) {
    let now = ctx.now;
    let interval = u64::from(s.timers.interval) * SEC;
    let silent = now.saturating_sub(s.timers.last_received);
    if silent >= interval * 24 / 10 {
        return s.disconnect(DisconnectReason::Timeout);
    }
    if s.timers.test_request.is_some() {
        return;
    }
    if silent >= interval * 12 / 10 {
        s.send_admin_with(ctx, b"1", |b| {
            b.str(112, b"TEST");
        });
        s.timers.test_request = Some(now);
    } else if now.saturating_sub(s.out.last_sent) >= interval {
        s.send_heartbeat(ctx, None);
    }
}

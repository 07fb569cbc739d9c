//! Enforcing the session schedule: no logon outside the window, a Logout
//! at EndTime, and both seqs back to 1 when a new period begins.

use super::{Ctx, DisconnectReason, Event, Session, State};
use crate::codec::time::Nanos;

/// Logout(58) to an acceptor's peer that logs on outside the window.
pub(super) const OUTSIDE_TEXT: &[u8] = b"Logon attempt not within session time";
/// Logout(58) when the window closes on an active session.
const END_TEXT: &str = "Session end time reached";
/// Logout(58) when a new period begins on a connected session.
const NEW_PERIOD_TEXT: &[u8] = b"New session period: sequence numbers reset";

impl Session {
    /// The schedule allows the session to be logged on at `now` (always
    /// true without a schedule). The runtime asks before an initiator
    /// connects.
    ///
    /// ```
    /// use gapless::connection::Connection;
    /// use gapless::schedule::Schedule;
    /// use gapless::session::SessionConfig;
    /// use gapless::store::MemoryStore;
    /// let mut cfg = SessionConfig::new("FIX.4.4", "A", "B", true);
    /// cfg.schedule = Some(Schedule::parse("08:00:00", "17:00:00", None, None, None).unwrap());
    /// let c = Connection::new(cfg, 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// let s = c.session();
    /// let noon = 19_675 * 86_400_000_000_000 + 12 * 3_600_000_000_000;
    /// assert!(s.in_schedule(noon));
    /// assert!(!s.in_schedule(noon + 6 * 3_600_000_000_000));
    /// ```
    pub fn in_schedule(&self, now: Nanos) -> bool {
        match &self.cfg.schedule {
            Some(s) => s.in_session(now),
            None => true,
        }
    }

    /// The start of the period the seqs belong to (`None`: no schedule,
    /// or none seen yet).
    pub fn period(&self) -> Option<Nanos> {
        self.period
    }

    /// Applies the schedule at `ctx.now`: starts a new period (resetting
    /// both seqs and the store) when one has begun, and closes the session
    /// outside the window. Returns whether the window is open.
    pub(super) fn check_schedule(&mut self, ctx: &mut Ctx) -> bool {
        let Some(schedule) = &self.cfg.schedule else {
            return true;
        };
        match schedule.session_start(ctx.now) {
            Some(start) if self.period != Some(start) => {
                self.new_period(ctx, start);
                true
            }
            Some(_) => true,
            None => {
                self.close_outside_window(ctx);
                false
            }
        }
    }

    /// A period began at `start`. A period recorded before (in the store,
    /// across restarts) means the seqs belong to an old one: reset them.
    fn new_period(&mut self, ctx: &mut Ctx, start: Nanos) {
        if self.period.is_some() {
            if self.state != State::Disconnected {
                self.send_logout(ctx, NEW_PERIOD_TEXT);
                self.commit();
                self.disconnect(DisconnectReason::OutsideSchedule);
            }
            self.reset_seqs();
            self.events.push_back(Event::NewPeriod { start });
        }
        self.period = Some(start);
        if self.out.set_period(start).is_err() {
            self.disconnect(DisconnectReason::StoreFailed);
        }
    }

    fn close_outside_window(&mut self, ctx: &mut Ctx) {
        match self.state {
            State::Active => self.logout(ctx, END_TEXT),
            State::AwaitingLogon { sent: true } if self.cfg.initiator => {
                self.disconnect(DisconnectReason::OutsideSchedule)
            }
            _ => {}
        }
    }
}

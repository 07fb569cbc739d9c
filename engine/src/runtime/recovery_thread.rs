//! The recovery thread: serves the peer's ResendRequests from the store
//! (resends and GapFills), paced by a token bucket, and blocks only
//! itself. (Our own ResendRequests leave from the hot path.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::ring::RecordProducer;
use super::Cmd;
use crate::codec::time;
use crate::recovery::Recovery;

/// What the recovery thread does when it has no work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Idle {
    /// Park until the hot path unparks it (the default: on a small box a
    /// spinning helper would steal the hot path's core).
    Park,
    /// Spin (`RecoveryCore=`: it has a core of its own), so that serving
    /// a ResendRequest starts within microseconds.
    Spin,
}

impl Idle {
    pub(super) fn from_core(core: Option<usize>) -> Idle {
        match core {
            Some(_) => Idle::Spin,
            None => Idle::Park,
        }
    }
}

/// How the recovery thread paces and idles.
#[derive(Clone, Copy, Debug)]
pub(super) struct Policy {
    /// Resent messages per second, at most.
    pub(super) rate: u32,
    /// Largest message (sizes the output records).
    pub(super) max_message: usize,
    pub(super) idle: Idle,
}

pub(super) fn run(
    mut recoveries: Vec<Recovery>,
    mut cmds: rtrb::Consumer<Cmd>,
    mut out: RecordProducer,
    policy: Policy,
    live: Option<&super::control::Live>,
    stop: &AtomicBool,
) {
    let Policy {
        rate,
        max_message,
        idle,
    } = policy;
    let rate = f64::from(rate.max(1));
    let mut tokens = rate / 100.0;
    let mut last = Instant::now();
    let per_record = max_message + 1024;
    let backoff = crossbeam_utils::Backoff::new();
    while !stop.load(Ordering::Relaxed) {
        while let Ok(cmd) = cmds.pop() {
            match cmd {
                Cmd::Serve(s, range) => {
                    if let Some(r) = recoveries.get_mut(usize::from(s)) {
                        r.serve(range);
                    }
                }
                Cmd::Disconnected(s) => {
                    if let Some(r) = recoveries.get_mut(usize::from(s)) {
                        r.abandon();
                    }
                }
            }
        }
        let elapsed = last.elapsed().as_secs_f64();
        last = Instant::now();
        tokens = (tokens + elapsed * rate).min(rate / 10.0);
        let mut worked = false;
        for (i, r) in recoveries.iter_mut().enumerate() {
            if !r.busy() {
                continue;
            }
            // Two records per message at most (a GapFill and a resend).
            let room = out.free() / (2 * per_record);
            if room == 0 {
                continue;
            }
            let budget = room.min(tokens.max(0.0) as usize).min(256);
            let now = time::now();
            let produced = r.poll(now, budget, &mut |bytes| {
                // Complete messages (resends, GapFills): no kind or tag.
                let pushed = out.push(i as u16, 0, b"", bytes);
                debug_assert!(pushed, "room was checked before polling");
            });
            if let Ok(n) = produced {
                tokens -= n as f64;
                worked |= n > 0;
            }
            if let Some(live) = live {
                live.publish_recovery(i, r.resent, r.gap_fills);
            }
        }
        if worked {
            backoff.reset();
            continue;
        }
        if idle == Idle::Spin {
            // Its own core: spin (exponentially longer, never yielding to
            // the kernel), so a ResendRequest is served within
            // microseconds.
            backoff.spin();
        } else if recoveries.iter().any(Recovery::busy) {
            // Waiting for tokens or for room in the ring.
            std::thread::sleep(Duration::from_micros(50));
        } else {
            // Idle: sleep until the hot path pushes a command (it unparks
            // us), so an idle engine wakes nobody on a 2-core box.
            std::thread::park_timeout(Duration::from_millis(100));
        }
    }
}

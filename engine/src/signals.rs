//! SIGINT and SIGTERM for `gapless run`: blocked in every thread and
//! awaited by the main thread, which then stops the engine the one way
//! it stops (every session logs out, waits LogoutTimeout, logs are
//! flushed). No handler runs and the hot path makes no extra syscall: it
//! keeps polling the engine's stop flag.

use std::time::{Duration, Instant};

/// SIGINT and SIGTERM, blocked in the thread that created this (and so
/// in every thread it spawns afterwards) until [`StopSignals::wait`]
/// takes one.
pub struct StopSignals {
    set: libc::sigset_t,
}

impl StopSignals {
    /// Blocks SIGINT and SIGTERM in the calling thread. Call it before
    /// any thread is spawned (before the engine starts): threads inherit
    /// the mask, so the signals stay pending for [`StopSignals::wait`]
    /// instead of killing the process. A signal the process inherited as
    /// ignored (`nohup`, a shell's background job) stays ignored.
    pub fn block() -> std::io::Result<StopSignals> {
        // SAFETY: an all-zero sigset_t is a valid value to pass to
        // sigemptyset, which initialises it.
        let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: `set` is a valid, exclusively borrowed sigset_t.
        unsafe { libc::sigemptyset(&mut set) };
        for sig in [libc::SIGINT, libc::SIGTERM] {
            if !ignored(sig)? {
                // SAFETY: `set` is initialised; `sig` is a valid signal.
                unsafe { libc::sigaddset(&mut set, sig) };
            }
        }
        // SAFETY: pthread_sigmask only reads the initialised `set` and is
        // given no old mask to write.
        let rc = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
        if rc != 0 {
            return Err(std::io::Error::from_raw_os_error(rc));
        }
        Ok(StopSignals { set })
    }

    /// Waits until SIGINT or SIGTERM arrives (its number) or `limit`
    /// passes (`None`; no limit: wait for a signal).
    pub fn wait(&self, limit: Option<Duration>) -> Option<i32> {
        let deadline = limit.map(|l| Instant::now() + l);
        loop {
            let got = match deadline {
                // SAFETY: `self.set` is an initialised sigset_t; a null
                // siginfo pointer is allowed (no information wanted).
                None => unsafe { libc::sigwaitinfo(&self.set, std::ptr::null_mut()) },
                Some(d) => {
                    let left = d.checked_duration_since(Instant::now())?;
                    let ts = libc::timespec {
                        tv_sec: left.as_secs().min(i64::MAX as u64) as libc::time_t,
                        tv_nsec: left.subsec_nanos() as libc::c_long,
                    };
                    // SAFETY: `self.set` is an initialised sigset_t, `ts`
                    // a valid timespec that outlives the call; a null
                    // siginfo pointer is allowed.
                    unsafe { libc::sigtimedwait(&self.set, std::ptr::null_mut(), &ts) }
                }
            };
            if got > 0 {
                return Some(got);
            }
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EAGAIN) => return None,
                // Interrupted (EINTR, e.g. by a stop and continue): wait on.
                _ => continue,
            }
        }
    }

    /// Unblocks the signals in the calling thread: once the engine is
    /// stopping, a second SIGINT or SIGTERM ends the process at once
    /// (their default action), without waiting for the Logouts.
    pub fn unblock(&self) {
        // SAFETY: `self.set` is an initialised sigset_t; no old mask is
        // written.
        unsafe {
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &self.set, std::ptr::null_mut());
        }
    }
}

/// Whether `sig`'s disposition is SIG_IGN.
fn ignored(sig: i32) -> std::io::Result<bool> {
    // SAFETY: an all-zero sigaction is a valid value for sigaction to
    // overwrite.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only queries; `old` is a valid,
    // exclusively borrowed sigaction for the kernel to fill.
    if unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(old.sa_sigaction == libc::SIG_IGN)
}

/// A signal's name, for the log line.
pub fn name(signal: i32) -> &'static str {
    match signal {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_returns_none_once_its_limit_passes_without_a_signal() {
        let s = StopSignals::block().unwrap();
        let t = Instant::now();
        assert_eq!(s.wait(Some(Duration::from_millis(50))), None);
        assert!(t.elapsed() >= Duration::from_millis(50));
        s.unblock();
    }

    #[test]
    fn a_sigterm_raised_in_the_waiting_thread_is_taken_not_fatal() {
        let s = StopSignals::block().unwrap();
        // SAFETY: pthread_self is always valid; SIGTERM is blocked in
        // this thread, so it stays pending on it instead of killing the
        // test process.
        unsafe { libc::pthread_kill(libc::pthread_self(), libc::SIGTERM) };
        assert_eq!(s.wait(Some(Duration::from_secs(5))), Some(libc::SIGTERM));
        s.unblock();
    }
}

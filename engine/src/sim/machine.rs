//! What the machine was doing while figures were taken: a latency figure
//! from a loaded box is not a figure, so every report says the load.

/// The load and size of the machine at one moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Machine {
    /// Online CPUs.
    pub cpus: usize,
    /// 1, 5 and 15 minute load averages (`/proc/loadavg`), if readable.
    pub load: Option<[f64; 3]>,
}

/// Busy-polling threads a sim runs (the exchange's and the client's hot
/// paths): each wants a core of its own.
pub const SIM_BUSY_THREADS: usize = 2;

impl Machine {
    /// Reads the machine now.
    ///
    /// ```
    /// let m = gapless::sim::machine::Machine::now();
    /// assert!(m.cpus >= 1);
    /// ```
    pub fn now() -> Self {
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|t| parse_loadavg(&t));
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Machine { cpus, load }
    }

    /// A warning when other work competes with `busy` busy-polling
    /// threads: the 1-minute load average exceeds the cores they leave
    /// free (at least half a core).
    ///
    /// ```
    /// use gapless::sim::machine::Machine;
    /// let quiet = Machine { cpus: 2, load: Some([0.1, 0.1, 0.1]) };
    /// let busy = Machine { cpus: 2, load: Some([3.9, 2.0, 1.0]) };
    /// assert!(quiet.warning(2).is_none());
    /// assert!(busy.warning(2).unwrap().contains("3.9"));
    /// ```
    pub fn warning(&self, busy: usize) -> Option<String> {
        let load1 = self.load?[0];
        let spare = (self.cpus.saturating_sub(busy) as f64).max(0.5);
        (load1 > spare).then(|| {
            format!(
                "WARNING: load average {load1:.1} on {} CPUs before the run: other work competes \
                 with the {busy} busy-polling threads; these figures are not trustworthy",
                self.cpus
            )
        })
    }
}

impl std::fmt::Display for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} CPUs", self.cpus)?;
        match self.load {
            Some([a, b, c]) => write!(f, ", load average {a:.2} {b:.2} {c:.2}"),
            None => write!(f, ", load average unknown"),
        }
    }
}

/// The three load averages of a `/proc/loadavg` line.
fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut it = text.split_whitespace().map(|x| x.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loadavg_line_gives_three_averages_and_garbage_gives_none() {
        assert_eq!(
            parse_loadavg("0.52 0.58 0.59 2/431 12345\n"),
            Some([0.52, 0.58, 0.59])
        );
        assert_eq!(parse_loadavg("x y z"), None);
        assert_eq!(parse_loadavg(""), None);
    }

    #[test]
    fn a_big_box_tolerates_load_its_busy_threads_leave_room_for() {
        let m = Machine {
            cpus: 16,
            load: Some([6.0, 6.0, 6.0]),
        };
        assert!(m.warning(2).is_none());
        assert!(m.warning(12).is_some());
    }
}

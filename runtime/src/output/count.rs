//! The `-c` sink: counts each syscall's calls, errors and time, and writes strace's
//! summary table when the run ends.

use super::summary::{SortBy, Summary};
use crate::Errno;
use crate::events::{Event, EventKind, Return, Sink};
use nix::unistd::Pid;
use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{Duration, SystemTime};

/// strace's `-c`: one row per syscall with its calls, errors and time.
///
/// A call's time is the system CPU time its process used between the call's entry and
/// exit stops, as strace measures it, or with [`Count::wall_clock`] the wall-clock time
/// between them (strace's `-w`). A call that never returned (`exit_group`, a thread killed inside a
/// call) is not counted, as strace does not count it.
pub struct Count {
    out: Box<dyn Write>,
    summary: Summary,
    /// When each thread's current call entered: wall clock and system time.
    entered: HashMap<Pid, (SystemTime, Duration)>,
    wall_clock: bool,
    /// Records the eBPF backend lost (told at the end).
    lost: u64,
}

impl Count {
    /// Counts calls and writes the table, sorted by `sort_by`, to `out` at the end.
    pub fn new(out: Box<dyn Write>, sort_by: SortBy) -> Self {
        Count {
            out,
            summary: Summary::new(sort_by),
            entered: HashMap::new(),
            wall_clock: false,
            lost: 0,
        }
    }

    /// Counts wall-clock time between entry and exit instead of system time (`-w`).
    pub fn wall_clock(mut self, on: bool) -> Self {
        self.wall_clock = on;
        self
    }
}

impl Sink for Count {
    fn wants_system_time(&self) -> bool {
        !self.wall_clock
    }

    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        match &event.kind {
            EventKind::SyscallEntered { .. } => {
                self.entered
                    .insert(event.tid, (event.time, event.system_time));
            }
            EventKind::SyscallExited { call, ret, .. } => {
                let entered = self.entered.remove(&event.tid);
                // strace counts a call when it returns.
                let Return::Value(v) = ret else {
                    return Ok(());
                };
                let time = match entered {
                    Some((at, _)) if self.wall_clock => {
                        event.time.duration_since(at).unwrap_or_default()
                    }
                    Some((_, cpu)) => event.system_time.saturating_sub(cpu),
                    None => Duration::ZERO,
                };
                let failed = Errno::from_ret(*v).is_err();
                self.summary.record(&call.name(), time, failed);
            }
            EventKind::Lost { records } => self.lost = *records,
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.write_all(self.summary.table().as_bytes())?;
        if self.lost > 0 {
            // Not silent: the table undercounts by the calls of these records.
            let line = format!(
                "{} records lost: the eBPF ring buffer was full, the counts above miss them\n",
                self.lost
            );
            self.out.write_all(line.as_bytes())?;
        }
        self.out.flush()
    }
}

//! The `-c` sink: counts each syscall's calls, errors and time, and writes strace's
//! summary table when the run ends.

use super::summary::{SortBy, Summary};
use crate::Errno;
use crate::events::{Event, EventKind, Return, Sink};
use nix::unistd::Pid;
use std::collections::HashMap;
use std::io::{self, Write};
use std::time::SystemTime;

/// strace's `-c`: one row per syscall with its calls, errors and time.
///
/// A call's time is the wall-clock time between its entry and exit stops, as strace's
/// `-w` measures it. A call that never returned (`exit_group`, a thread killed inside a
/// call) is not counted, as strace does not count it.
pub struct Count {
    out: Box<dyn Write>,
    summary: Summary,
    /// When each thread's current call entered.
    entered: HashMap<Pid, SystemTime>,
}

impl Count {
    /// Counts calls and writes the table, sorted by `sort_by`, to `out` at the end.
    pub fn new(out: Box<dyn Write>, sort_by: SortBy) -> Self {
        Count {
            out,
            summary: Summary::new(sort_by),
            entered: HashMap::new(),
        }
    }
}

impl Sink for Count {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        match &event.kind {
            EventKind::SyscallEntered { .. } => {
                self.entered.insert(event.tid, event.time);
            }
            EventKind::SyscallExited { call, ret } => {
                let entered = self.entered.remove(&event.tid);
                // strace counts a call when it returns.
                let Return::Value(v) = ret else {
                    return Ok(());
                };
                let time = entered
                    .and_then(|at| event.time.duration_since(at).ok())
                    .unwrap_or_default();
                let failed = Errno::from_ret(*v).is_err();
                self.summary.record(&call.name(), time, failed);
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.write_all(self.summary.table().as_bytes())?;
        self.out.flush()
    }
}

//! The table of traced threads, and the set of ids the watchdog may signal.

use super::restart::Entered;
use super::syscall::InFlight;
use nix::unistd::Pid;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// One traced thread.
pub(crate) struct Thread {
    /// Its thread group id.
    pub pid: Pid,
    /// The syscall it is in, between entry and exit stops.
    pub in_flight: Option<InFlight>,
    /// Calls waiting for their own `syscall` instruction to enter again (re-issued after an
    /// injection) while a signal handler runs first, innermost last.
    pub parked: Vec<InFlight>,
    /// The last syscall entry the tracer saw, and when.
    pub entered: Option<Entered>,
}

/// Every traced thread, by tid.
#[derive(Default)]
pub(crate) struct Threads {
    map: HashMap<Pid, Thread>,
}

impl Threads {
    /// Adds `tid` if it is new; returns its thread group id when it was.
    pub(crate) fn insert_new(&mut self, tid: Pid) -> Option<Pid> {
        if self.map.contains_key(&tid) {
            return None;
        }
        let pid = thread_group(tid).unwrap_or(tid);
        self.map.insert(
            tid,
            Thread {
                pid,
                in_flight: None,
                parked: Vec::new(),
                entered: None,
            },
        );
        Some(pid)
    }

    pub(crate) fn contains(&self, tid: Pid) -> bool {
        self.map.contains_key(&tid)
    }

    pub(crate) fn remove(&mut self, tid: Pid) -> Option<Thread> {
        self.map.remove(&tid)
    }

    /// Puts a thread back under `tid` (the leader's id after a non-leader's execve).
    pub(crate) fn put(&mut self, tid: Pid, thread: Thread) {
        self.map.insert(tid, thread);
    }

    /// The thread group of `tid` (itself if unknown).
    pub(crate) fn pid_of(&self, tid: Pid) -> Pid {
        self.map.get(&tid).map_or(tid, |t| t.pid)
    }

    /// Whether `tid` is in a call whose exit stop the tracer waits for.
    pub(crate) fn awaits_exit(&self, tid: Pid) -> bool {
        self.map.get(&tid).is_some_and(|t| t.in_flight.is_some())
    }

    pub(crate) fn take_in_flight(&mut self, tid: Pid) -> Option<InFlight> {
        self.map.get_mut(&tid).and_then(|t| t.in_flight.take())
    }

    pub(crate) fn set_in_flight(&mut self, tid: Pid, in_flight: InFlight) {
        if let Some(thread) = self.map.get_mut(&tid) {
            thread.in_flight = Some(in_flight);
        }
    }

    /// Keeps `in_flight` aside until its call enters again (see [`Thread::parked`]). A
    /// handler that never returns to it (a `longjmp` out) leaves it behind: at most
    /// `MAX_PARKED` are kept, the oldest dropped first.
    pub(crate) fn park(&mut self, tid: Pid, in_flight: InFlight) {
        const MAX_PARKED: usize = 16;
        if let Some(thread) = self.map.get_mut(&tid) {
            if thread.parked.len() == MAX_PARKED {
                thread.parked.remove(0);
            }
            thread.parked.push(in_flight);
        }
    }

    /// Takes back the innermost parked call that `resumes` says this entry is.
    pub(crate) fn unpark(
        &mut self,
        tid: Pid,
        resumes: impl Fn(&InFlight) -> bool,
    ) -> Option<InFlight> {
        let parked = &mut self.map.get_mut(&tid)?.parked;
        let at = parked.iter().rposition(resumes)?;
        Some(parked.remove(at))
    }

    /// Whether `tid` is on its way back to its `syscall` instruction to make a call
    /// injected after another (which must stop at its entry, trapped or not).
    pub(crate) fn stepping(&self, tid: Pid) -> bool {
        self.map.get(&tid).is_some_and(|t| {
            t.in_flight
                .iter()
                .chain(&t.parked)
                .any(InFlight::awaits_injected_entry)
        })
    }

    /// Whether `tid` has parked calls.
    pub(crate) fn has_parked(&self, tid: Pid) -> bool {
        self.map.get(&tid).is_some_and(|t| !t.parked.is_empty())
    }

    /// Notes that `tid` entered syscall `number` now.
    pub(crate) fn note_entry(&mut self, tid: Pid, number: i64) {
        if let Some(thread) = self.map.get_mut(&tid) {
            thread.entered = Some(Entered {
                number,
                at: std::time::Instant::now(),
            });
        }
    }

    /// The last syscall entry seen of `tid`.
    pub(crate) fn last_entry(&self, tid: Pid) -> Option<Entered> {
        self.map.get(&tid).and_then(|t| t.entered)
    }

    pub(crate) fn tids(&self) -> impl Iterator<Item = Pid> + '_ {
        self.map.keys().copied()
    }
}

/// The threads the watchdog may kill; kept in step with the loop under one lock, so a
/// reaped (and maybe reused) id is never signalled.
#[derive(Default)]
pub(crate) struct Live {
    tids: Mutex<HashSet<i32>>,
    pub(super) done: AtomicBool,
    pub(super) timed_out: AtomicBool,
}

impl Live {
    /// True once the tracer loop has ended.
    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    pub(super) fn insert(&self, tid: Pid) {
        self.tids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tid.as_raw());
    }

    pub(super) fn remove(&self, tid: Pid) {
        self.tids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&tid.as_raw());
    }

    /// SIGKILL to every live tracee, repeated until the loop reports it is done, so that
    /// children forked meanwhile die too.
    pub(crate) fn kill_all_until_done(&self) {
        self.timed_out.store(true, Ordering::SeqCst);
        while !self.done.load(Ordering::SeqCst) {
            for &tid in self.tids.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                let _ = nix::sys::signal::kill(Pid::from_raw(tid), nix::sys::signal::SIGKILL);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The thread ids of process `pid`, from `/proc/<pid>/task`.
pub(crate) fn process_threads(pid: Pid) -> Result<Vec<Pid>, nix::Error> {
    let entries = std::fs::read_dir(format!("/proc/{pid}/task")).map_err(|e| {
        nix::Error::from_raw(e.raw_os_error().map_or(libc::ESRCH, |n| {
            if n == libc::ENOENT { libc::ESRCH } else { n }
        }))
    })?;
    Ok(entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .map(Pid::from_raw)
        .collect())
}

/// Whether thread `tid` is gone or on its way out (a zombie, or dead): what the kernel
/// means when it refuses to attach to a listed thread.
pub(crate) fn exiting(tid: Pid) -> bool {
    match std::fs::read_to_string(format!("/proc/{tid}/stat")) {
        // The state follows the command name, which is in parentheses and may hold any byte.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_none_or(|state| matches!(state, 'Z' | 'X' | 'x')),
        Err(_) => true,
    }
}

/// Whether this process already traces `tid` (its `TracerPid`).
pub(crate) fn traced_by_us(tid: Pid) -> bool {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{tid}/status")) else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("TracerPid:"))
        .and_then(|v| v.trim().parse::<u32>().ok())
        == Some(std::process::id())
}

/// The thread group id of `tid`, from `/proc/<tid>/status`.
fn thread_group(tid: Pid) -> Option<Pid> {
    let status = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Tgid:"))?;
    line["Tgid:".len()..].trim().parse().ok().map(Pid::from_raw)
}

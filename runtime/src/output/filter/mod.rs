//! Filters: which events reach a sink, and so which calls need a stop at all.
//!
//! A [`Selection`] is what strace's `-e trace=`, `-e signal=`, `-e status=`, `-e trace-fds=`,
//! `-e quiet=`, `-e abbrev=`, `-e verbose=`, `-e raw=`, `-P`, `-z` and `-Z` choose, parsed
//! as strace spells them. [`Filtered`] applies one to any sink (the strace text, the JSON
//! lines, the `-c` table, your own): it forwards only the events the selection shows, and
//! its [`interest`](Sink::interest) is only the calls the selection can show, so every
//! other call runs with no stop at all (the runtime's seccomp prefilter).

mod descriptors;
mod selection;
mod sets;

pub use selection::{Selection, SelectionError, TAMPERING_KEYS};
/// The syscall sets of `-e trace=`, also those of `-e inject=` (`crate::inject`).
pub(crate) use sets::syscall_set;
pub use sets::{FdSet, SignalSet, Status, StatusSet};

use crate::Interest;
use crate::events::{Event, EventKind, Return, Sink};
use crate::linux::Syscall;
use descriptors::{Descriptors, Learn};
use nix::unistd::Pid;
use std::collections::HashMap;
use std::io;
use std::time::{Duration, SystemTime};

/// A sink that sees only what a [`Selection`] shows.
///
/// - A syscall passes when `trace=` has it and, with `-P` or `trace-fds=`, when it touches
///   a chosen path or descriptor (decided at its entry). With `status=`, `-z` or `-Z`, it
///   passes when it ends with a chosen status: the sink gets its entry and its exit
///   together then, never split by another thread's line. A sink that can keep an entry
///   unwritten ([`Sink::defer_calls`], as the strace text does) gets the entry when it
///   happens, decoded then, and [`Sink::withdraw_call`] if the call is turned down; any
///   other sink gets the entry event just before the exit event.
/// - `--- SIGxxx ---` and `--- stopped by ---` events pass when `signal=` has the signal.
/// - Process events (started, exec, exited or killed, detached) always pass.
///
/// Its interest is the selection's (see [`Selection::interest`]) within the sink's own.
///
/// As `strace -e trace=%file -Z ls` (the failed calls that take a file name):
///
/// ```no_run
/// use interpose_runtime::output::filter::{Filtered, Selection, Status};
/// use interpose_runtime::output::text::StraceText;
/// use interpose_runtime::{Command, Passthru};
///
/// let mut selection = Selection::new();
/// selection.qualify("trace=%file")?;
/// selection.only_status(Status::Failed);
/// let text = StraceText::new(Box::new(std::io::stderr()), true, 32);
/// Command::new("ls").sink(Filtered::new(text, selection)).trace(Passthru)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Filtered<S> {
    inner: S,
    selection: Selection,
    /// With `-P` or `trace-fds=`.
    descriptors: Option<Descriptors>,
    /// The status decides, at a call's exit.
    by_status: bool,
    /// Whether the sink keeps entries itself (asked at the first event).
    defers: Option<bool>,
    /// Each thread's call between its entry and exit events.
    calls: HashMap<Pid, InCall>,
}

/// A call a [`Filtered`] saw enter.
struct InCall {
    shown: bool,
    learn: Learn,
    /// The entry event, held for a sink that does not defer.
    held: Option<HeldEntry>,
}

/// An entry event kept until the call's exit.
struct HeldEntry {
    pid: Pid,
    time: SystemTime,
    system_time: Duration,
    call: Syscall,
}

impl<S: Sink> Filtered<S> {
    /// `inner`, seeing only what `selection` shows.
    pub fn new(inner: S, selection: Selection) -> Self {
        let descriptors = selection
            .by_descriptor()
            .then(|| Descriptors::new(selection.paths(), selection.trace_fds().cloned()));
        Filtered {
            inner,
            by_status: !selection.statuses().is_all(),
            selection,
            descriptors,
            defers: None,
            calls: HashMap::new(),
        }
    }

    /// The sink inside.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn defers(&mut self) -> bool {
        if let Some(defers) = self.defers {
            return defers;
        }
        let defers = self.by_status && self.inner.defer_calls();
        self.defers = Some(defers);
        defers
    }

    fn entered(&mut self, event: &Event<'_>, call: &Syscall) -> io::Result<()> {
        let (touches, learn) = match &mut self.descriptors {
            Some(descriptors) => descriptors.entered(event, call),
            None => (true, Learn::Nothing),
        };
        let shown = touches && self.selection.traces(call);
        let defers = self.defers();
        let held = (shown && self.by_status && !defers).then_some(HeldEntry {
            pid: event.pid,
            time: event.time,
            system_time: event.system_time,
            call: *call,
        });
        self.calls.insert(event.tid, InCall { shown, learn, held });
        if shown && (defers || !self.by_status) {
            self.inner.event(event)?;
        }
        Ok(())
    }

    fn exited(&mut self, event: &Event<'_>, ret: Return) -> io::Result<()> {
        let Some(in_call) = self.calls.remove(&event.tid) else {
            // Its entry was never seen here (it began before this sink did).
            return Ok(());
        };
        if let (Some(descriptors), Return::Value(value)) = (&mut self.descriptors, ret) {
            descriptors.exited(event.pid, in_call.learn, value);
        }
        if !in_call.shown {
            return Ok(());
        }
        if self.by_status && !self.selection.statuses().contains(status(ret)) {
            if self.defers() {
                self.inner.withdraw_call(event.tid)?;
            }
            return Ok(());
        }
        if let Some(held) = in_call.held {
            let entry = Event {
                tid: event.tid,
                pid: held.pid,
                time: held.time,
                system_time: held.system_time,
                copy: event.copy,
                kind: EventKind::SyscallEntered { call: &held.call },
            };
            self.inner.event(&entry)?;
        }
        self.inner.event(event)
    }
}

/// How a call that ended with `ret` is classed by `-e status=`.
fn status(ret: Return) -> Status {
    match ret {
        Return::Value(value) if crate::Errno::from_ret(value).is_err() => Status::Failed,
        Return::Value(_) => Status::Successful,
        Return::Unfinished => Status::Unfinished,
        Return::Detached => Status::Detached,
    }
}

impl<S: Sink> Sink for Filtered<S> {
    fn interest(&self) -> Interest {
        let mut interest = self
            .selection
            .interest()
            .intersection(self.inner.interest());
        if !self.selection.paths().is_empty() {
            // Followed for the descriptor table, whatever the sink wants.
            for name in selection::FD_TABLE_CALLS {
                if let Some(info) = Syscall::by_name(name) {
                    interest.insert(info);
                }
            }
        }
        interest
    }

    fn wants_system_time(&self) -> bool {
        self.inner.wants_system_time()
    }

    fn wants_exit(&self, call: &Syscall) -> bool {
        if !self.selection.traces(call) {
            return false;
        }
        let learns = self.descriptors.is_some()
            && (call
                .info()
                .is_some_and(|i| i.ret == crate::value::RetKind::Fd)
                || matches!(call, Syscall::Fcntl(_)));
        self.by_status || learns || self.inner.wants_exit(call)
    }

    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        match &event.kind {
            EventKind::SyscallEntered { call } => self.entered(event, call),
            EventKind::SyscallExited { ret, .. } => self.exited(event, *ret),
            EventKind::Signal { signal, .. } | EventKind::Stopped { signal } => {
                if self.selection.signals().contains(*signal) {
                    self.inner.event(event)?;
                }
                Ok(())
            }
            EventKind::Injected { .. } => {
                if self.calls.get(&event.tid).is_some_and(|c| c.shown) {
                    self.inner.event(event)?;
                }
                Ok(())
            }
            EventKind::Exec { former } => {
                if let Some(descriptors) = &mut self.descriptors {
                    descriptors.exec(event.pid);
                }
                // A thread that executed takes over the leader's id, its execve with it.
                if *former != event.tid
                    && let Some(in_call) = self.calls.remove(former)
                {
                    self.calls.insert(event.tid, in_call);
                }
                self.inner.event(event)
            }
            EventKind::Exited(_) | EventKind::Detached => {
                self.calls.remove(&event.tid);
                if event.tid == event.pid
                    && let Some(descriptors) = &mut self.descriptors
                {
                    descriptors.gone(event.pid);
                }
                self.inner.event(event)
            }
            EventKind::Started | EventKind::Tampered(_) | EventKind::Lost { .. } => {
                self.inner.event(event)
            }
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        self.inner.finish()
    }
}

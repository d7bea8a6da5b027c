//! The engine: stops in, decisions out, events to the sinks.
//!
//! One thread owns everything: it forks the program, seizes it, and waits for its tracees
//! with `__WALL | __WNOTHREAD`, so it never reaps a child some other thread of the host
//! started. Each state change is classified once ([`stop`]); the in-flight syscall and
//! the handler's future live in [`syscall`]; the tracee table in [`threads`]; signals to
//! the tracer itself in [`shutdown`]. The loop in this file only applies what those decide
//! and tells the sinks what happened.

mod event_loop;
mod restart;
mod shutdown;
mod stop;
mod syscall;
mod threads;

pub(crate) use shutdown::{FORWARDED, OnSignal};
pub use stop::WaitStatus;
pub(crate) use threads::Live;

use crate::events::{Event, EventKind, Sink};
use crate::linux::{Linux, Syscall};
use crate::{Error, Interest};
use nix::errno::Errno as NixErrno;
use nix::sys::ptrace;
use nix::unistd::Pid;
use shutdown::Shutdown;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};
use threads::Threads;

/// Options every tracee gets: report syscall stops as `SIGTRAP | 0x80`, and follow
/// fork, vfork, clone and exec.
const FOLLOW: ptrace::Options = ptrace::Options::PTRACE_O_TRACESYSGOOD
    .union(ptrace::Options::PTRACE_O_TRACEFORK)
    .union(ptrace::Options::PTRACE_O_TRACEVFORK)
    .union(ptrace::Options::PTRACE_O_TRACECLONE)
    .union(ptrace::Options::PTRACE_O_TRACEEXEC);

/// How tracees are resumed between the stops that matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `PTRACE_SYSCALL` everywhere: every syscall stops at entry and exit (a full trace).
    AllSyscalls,
    /// `PTRACE_CONT`: a seccomp filter installed before exec stops only the chosen calls.
    Seccomp,
}

/// How the traced program ended.
pub(crate) struct Ended {
    /// Status of the first process.
    pub status: WaitStatus,
    pub timed_out: bool,
    /// The signal to the tracer that ended the run early.
    pub interrupted_by: Option<i32>,
    /// The first write error of a sink, which was then dropped.
    pub output_error: Option<io::Error>,
}

pub(crate) struct Tracer<H> {
    handler: Rc<H>,
    /// The calls the handler decides; the others stop only for the sinks and run as they are.
    handler_interest: Interest,
    /// The calls the handler or a sink wants: what the seccomp filter traps.
    trapped: Interest,
    threads: Threads,
    sinks: Vec<Box<dyn Sink>>,
    output_error: Option<io::Error>,
    root: Pid,
    root_status: Option<WaitStatus>,
    /// Until the first process's first exec, what it does is the tracer's own start-up
    /// (the launcher): only its execve is shown.
    root_started: bool,
    suppress_vdso: bool,
    mode: Mode,
    live: Arc<Live>,
    shutdown: Shutdown,
    /// The system CPU time of the process of the stop being handled.
    system_time: Duration,
    /// Some sink reads `system_time`.
    measure_cpu: bool,
}

impl<H: Linux + 'static> Tracer<H> {
    /// Seizes `root`, the program before its exec: a child forked by this thread and
    /// stopped by its own `SIGSTOP`, or (`running`) a process that waits, running, for the
    /// tracer beside it (`-D`).
    pub(crate) fn seize(
        root: Pid,
        handler: Rc<H>,
        sinks: Vec<Box<dyn Sink>>,
        (suppress_vdso, mode): (bool, Mode),
        running: bool,
    ) -> Result<Self, Error> {
        let seccomp = if mode == Mode::Seccomp {
            ptrace::Options::PTRACE_O_TRACESECCOMP
        } else {
            ptrace::Options::empty()
        };
        // EXITKILL: no tracee outlives the tracer, even one killed with SIGKILL.
        let options = seccomp | ptrace::Options::PTRACE_O_EXITKILL | FOLLOW;
        ptrace::seize(root, options).map_err(|e| Error::tracee("PTRACE_SEIZE", root, e))?;
        if running {
            // Running (it waits for word that it is seized): stop it once, so that from its
            // next stop on it is resumed the way the mode wants.
            ptrace::interrupt(root).map_err(|e| Error::tracee("PTRACE_INTERRUPT", root, e))?;
        } else {
            // The child stopped itself; SIGCONT lets it go on to execve, now traced.
            nix::sys::signal::kill(root, nix::sys::signal::SIGCONT)
                .map_err(|e| Error::tracee("kill(SIGCONT)", root, e))?;
        }
        let mut tracer = Tracer::new(root, handler, sinks, suppress_vdso, mode);
        tracer.ensure_thread(root);
        Ok(tracer)
    }

    /// Seizes every thread of the running process `pid` and interrupts them so the trace
    /// starts at once. Every syscall stops (a seccomp filter cannot be added to a running
    /// process), the vDSO stays as the program found it, and no `EXITKILL`: the process
    /// is not killed when the tracer goes away.
    pub(crate) fn attach(
        pid: Pid,
        handler: Rc<H>,
        sinks: Vec<Box<dyn Sink>>,
    ) -> Result<Self, Error> {
        let mut tracer = Tracer::new(pid, handler, sinks, false, Mode::AllSyscalls);
        tracer.root_started = true;
        // Threads can appear while we attach: list again until a pass finds no new one.
        loop {
            let tids =
                threads::process_threads(pid).map_err(|e| Error::tracee("attach", pid, e))?;
            let new: Vec<Pid> = tids
                .into_iter()
                .filter(|&t| !tracer.threads.contains(t))
                .collect();
            if new.is_empty() {
                break;
            }
            for tid in new {
                match ptrace::seize(tid, FOLLOW).and_then(|()| ptrace::interrupt(tid)) {
                    Ok(()) => tracer.ensure_thread(tid),
                    // A thread started by a thread already seized: traced from its birth
                    // (the kernel says EPERM to a second attach).
                    Err(NixErrno::EPERM) if threads::traced_by_us(tid) => tracer.ensure_thread(tid),
                    // A thread that exited meanwhile: gone (ESRCH), or still listed but
                    // exiting, which the kernel refuses to attach with EPERM.
                    Err(NixErrno::ESRCH | NixErrno::EPERM)
                        if tid != pid && threads::exiting(tid) => {}
                    Err(NixErrno::ESRCH | NixErrno::EPERM) if threads::exiting(pid) => {
                        return Err(Error::Exited(pid));
                    }
                    Err(e) => return Err(Error::tracee("PTRACE_SEIZE", tid, e)),
                }
            }
        }
        Ok(tracer)
    }

    fn new(
        root: Pid,
        handler: Rc<H>,
        sinks: Vec<Box<dyn Sink>>,
        suppress_vdso: bool,
        mode: Mode,
    ) -> Self {
        let handler_interest = handler.interest();
        let trapped = sinks
            .iter()
            .fold(handler_interest, |all, sink| all.union(sink.interest()));
        let measure_cpu = sinks.iter().any(|sink| sink.wants_system_time());
        Tracer {
            handler_interest,
            trapped,
            handler,
            threads: Threads::default(),
            sinks,
            output_error: None,
            root,
            root_status: None,
            root_started: false,
            suppress_vdso,
            mode,
            live: Arc::new(Live::default()),
            shutdown: Shutdown::new(),
            system_time: Duration::ZERO,
            measure_cpu,
        }
    }

    /// Reacts to the signals caught by `sys::catch_signals` with `policy`.
    pub(crate) fn on_signal(&mut self, policy: OnSignal) {
        self.shutdown.set_policy(policy);
    }

    pub(crate) fn live(&self) -> Arc<Live> {
        self.live.clone()
    }

    /// Runs until every tracee is gone.
    pub(crate) fn run(mut self) -> Result<Ended, Error> {
        let result = self.event_loop();
        self.live.done.store(true, Ordering::SeqCst);
        for sink in &mut self.sinks {
            if let Err(e) = sink.finish() {
                self.output_error.get_or_insert(e);
            }
        }
        result?;
        Ok(Ended {
            // The first process is our child: its status always arrives before ECHILD.
            status: self.root_status.unwrap_or(WaitStatus::from_raw(0)),
            timed_out: self.live.timed_out.load(Ordering::SeqCst),
            interrupted_by: self.shutdown.interrupted_by(),
            output_error: self.output_error.take(),
        })
    }

    /// Whether events of `tid` are the program's (not the launcher's before its exec).
    fn visible(&self, tid: Pid) -> bool {
        tid != self.root || self.root_started
    }

    /// Whether a call of `tid` is shown: the program's, or the launcher's execve.
    fn visible_call(&self, tid: Pid, call: &Syscall) -> bool {
        self.visible(tid) || matches!(call, Syscall::Execve(_) | Syscall::Execveat(_))
    }

    /// Tells every sink; a sink that fails is dropped and its error kept for the end.
    fn emit(&mut self, tid: Pid, kind: EventKind<'_>) {
        if self.sinks.is_empty() {
            return;
        }
        let event = Event {
            tid,
            pid: self.threads.pid_of(tid),
            time: SystemTime::now(),
            system_time: self.system_time,
            copy: None,
            kind,
        };
        crate::events::deliver(&mut self.sinks, &event, &mut self.output_error);
    }
}

//! `strace -p`: tracing a process that is already running.

use crate::command::{Outcome, TraceSettings, outcome, run_tracer};
use crate::engine::{OnSignal, Tracer};
use crate::events::Sink;
use crate::{Error, Linux};
use nix::unistd::Pid;
use std::io::Write;
use std::rc::Rc;
use std::time::Duration;

/// A running process to trace, with all its threads and the children it starts from now
/// on: `strace -p`.
///
/// Every syscall stops (a seccomp filter cannot be added to a process that is already
/// running), and the vDSO stays as the program found it. The process is not killed if the
/// tracer goes away: the kernel detaches it and it runs on.
pub struct Attach {
    pid: Pid,
    trace: TraceSettings,
    timeout: Option<Duration>,
    detach_on_interrupt: bool,
}

impl Attach {
    /// Attaches to process `pid` (its thread group).
    pub fn new(pid: Pid) -> Self {
        Attach {
            pid,
            trace: TraceSettings::default(),
            timeout: None,
            detach_on_interrupt: false,
        }
    }

    /// While tracing, `SIGINT` (Ctrl-C), `SIGTERM` or `SIGHUP` to this process detaches
    /// from every tracee, which runs on as if never traced, and ends the run with
    /// [`Outcome::interrupted_by`] set: `strace -p`'s Ctrl-C.
    pub fn detach_on_interrupt(mut self, on: bool) -> Self {
        self.detach_on_interrupt = on;
        self
    }

    /// As [`Command::trace_to`](crate::Command::trace_to).
    pub fn trace_to(mut self, out: impl Write + 'static, flush_each_line: bool) -> Self {
        self.trace.out = Some((Box::new(out), flush_each_line));
        self
    }

    /// As [`Command::sink`](crate::Command::sink).
    pub fn sink(mut self, sink: impl Sink + 'static) -> Self {
        self.trace.sinks.push(Box::new(sink));
        self
    }

    /// As [`Command::string_limit`](crate::Command::string_limit).
    pub fn string_limit(mut self, limit: usize) -> Self {
        self.trace.string_limit = limit;
        self
    }

    /// As [`Command::timeout`](crate::Command::timeout): kills the traced tree after `limit`.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// Traces the process with `handler` until it and its traced children are gone.
    ///
    /// # Errors
    /// [`Error::Tracee`] when the process cannot be seized (`ESRCH`: no such process,
    /// `EPERM`: not allowed).
    pub fn trace<H: Linux + 'static>(self, handler: H) -> Result<Outcome<H>, Error> {
        let handler = Rc::new(handler);
        let mut tracer = Tracer::attach(self.pid, handler.clone(), self.trace.into_sinks())?;
        let caught: &[i32] = if self.detach_on_interrupt {
            tracer.on_signal(OnSignal::Detach);
            &[libc::SIGINT, libc::SIGTERM, libc::SIGHUP]
        } else {
            &[]
        };
        let ended = run_tracer(tracer, self.timeout, caught)?;
        Ok(outcome(handler, ended))
    }
}

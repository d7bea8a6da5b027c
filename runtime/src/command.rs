//! A `std::process::Command`-like builder that runs a program under the tracer.
//!
//! This module holds the builder and [`Command::trace`]; finding the program is in
//! `program`, starting it traced in `spawn`, the run it shares with
//! [`Attach`](crate::Attach) in `session`, and the eBPF backend in `observe`.

mod observe;
mod program;
mod session;
mod spawn;

pub(crate) use session::{TraceSettings, outcome, run_tracer};

use crate::engine::{FORWARDED, OnSignal, Tracer};
use crate::events::Sink;
pub use crate::sys::Daemonize;
use crate::sys::{self, Filter, Interest};
use crate::{Error, Linux, Passthru, SYSCALLS};
use program::{exec_error, resolve};
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

/// strace's default `-s`.
pub const DEFAULT_STRING_LIMIT: usize = 32;

/// A program to run traced.
///
/// ```no_run
/// use interpose_runtime::{Command, Passthru};
///
/// let outcome = Command::new("/bin/echo").arg("hello").trace(Passthru)?;
/// assert!(outcome.status.success());
/// # Ok::<(), interpose_runtime::Error>(())
/// ```
pub struct Command {
    program: OsString,
    args: Vec<OsString>,
    env: Option<BTreeMap<OsString, OsString>>,
    cwd: Option<PathBuf>,
    stdio: [Option<OwnedFd>; 3],
    trace: TraceSettings,
    suppress_vdso: Option<bool>,
    timeout: Option<Duration>,
    shield_interrupts: bool,
    forward_signals: Option<Duration>,
    keep_closed_stdio: bool,
    daemonize: Option<Daemonize>,
}

/// How a traced run ended, with the handler given back so it can report what it saw.
pub struct Outcome<H> {
    /// The exit status of the program (the first process).
    pub status: ExitStatus,
    /// The handler, after the run.
    pub handler: H,
    /// True when the run was cut short by [`Command::timeout`].
    pub timed_out: bool,
    /// The signal to this process that ended the run early: a second termination signal
    /// with [`Command::forward_signals`], or an interrupt with
    /// [`Attach::detach_on_interrupt`](crate::Attach::detach_on_interrupt).
    pub interrupted_by: Option<i32>,
    /// The first error writing the trace (a reader that went away, a full disk). The sink
    /// that failed was dropped; the program ran on unchanged.
    pub output_error: Option<io::Error>,
}

impl Command {
    /// A command running `program`, searched in `PATH` when it has no `/`.
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Command {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: None,
            cwd: None,
            stdio: [None, None, None],
            trace: TraceSettings::default(),
            suppress_vdso: None,
            timeout: None,
            shield_interrupts: false,
            forward_signals: None,
            keep_closed_stdio: false,
            daemonize: None,
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    fn env_map(&mut self) -> &mut BTreeMap<OsString, OsString> {
        self.env
            .get_or_insert_with(|| std::env::vars_os().collect())
    }

    /// Sets an environment variable for the program.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env_map()
            .insert(key.as_ref().to_owned(), value.as_ref().to_owned());
        self
    }

    /// Removes an environment variable for the program.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env_map().remove(key.as_ref());
        self
    }

    /// Starts the program with an empty environment (before any `env`).
    pub fn env_clear(mut self) -> Self {
        self.env = Some(BTreeMap::new());
        self
    }

    /// Runs the program in `dir`.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// The program's standard input (inherited by default).
    pub fn stdin(mut self, fd: impl Into<OwnedFd>) -> Self {
        self.stdio[0] = Some(fd.into());
        self
    }

    /// The program's standard output (inherited by default).
    pub fn stdout(mut self, fd: impl Into<OwnedFd>) -> Self {
        self.stdio[1] = Some(fd.into());
        self
    }

    /// The program's standard error (inherited by default).
    pub fn stderr(mut self, fd: impl Into<OwnedFd>) -> Self {
        self.stdio[2] = Some(fd.into());
        self
    }

    /// Writes an strace-format line per syscall, signal and exit to `out`. With
    /// `flush_each_line` every line is flushed as written (for a terminal or a reader on
    /// a pipe); otherwise output is buffered and flushed at the end.
    pub fn trace_to(mut self, out: impl Write + 'static, flush_each_line: bool) -> Self {
        self.trace.out = Some((Box::new(out), flush_each_line));
        self
    }

    /// Adds an observer of the trace's events (see [`Sink`]). With a sink, every call
    /// stops at entry and exit, as with [`trace_to`](Command::trace_to).
    pub fn sink(mut self, sink: impl Sink + 'static) -> Self {
        self.trace.sinks.push(Box::new(sink));
        self
    }

    /// Bytes of each string shown before `...` (strace's `-s`, default 32).
    pub fn string_limit(mut self, limit: usize) -> Self {
        self.trace.string_limit = limit;
        self
    }

    /// Hide the vDSO at every exec so `clock_gettime`, `gettimeofday`, `time` and
    /// `getcpu` make real (traceable) syscalls. By default it is hidden when those calls
    /// matter: when every call is traced, or when the handler overrides one of them.
    pub fn suppress_vdso(mut self, on: bool) -> Self {
        self.suppress_vdso = Some(on);
        self
    }

    /// Kills the whole traced tree after `limit`; [`Outcome::timed_out`] says so.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// While the program runs, ignore `SIGINT` and `SIGQUIT` in this process, as
    /// `system(3)` does: Ctrl-C at a terminal reaches the program (which is in the same
    /// process group) and the program decides what happens, as it would untraced. The
    /// program itself starts with both at their default action.
    pub fn shield_interrupts(mut self, on: bool) -> Self {
        self.shield_interrupts = on;
        self
    }

    /// While the program runs, pass the signals this process gets from outside to the
    /// program, as if they had been sent to it: `SIGTERM`, `SIGHUP`, `SIGINT`, `SIGQUIT`,
    /// `SIGUSR1`, `SIGUSR2`, `SIGALRM` and `SIGPIPE` (those this process ignores stay
    /// ignored, in the program too). The program dies, traps or ignores each as it would
    /// untraced, and the run ends as the program does.
    ///
    /// A signal a tracee sent (`kill 0` reaches this process too), or one sent to a process
    /// group the program is in, is not passed on: the program has its own copy. Once a
    /// signal was passed on, a `SIGTERM` or `SIGHUP` arriving `grace` or later after it
    /// kills the whole traced tree and ends the run with [`Outcome::interrupted_by`] set.
    ///
    /// The handlers are process-wide; the dispositions they replaced come back after the
    /// run; the thread calling [`trace`](Command::trace) must not block those signals.
    /// This takes precedence over [`shield_interrupts`](Command::shield_interrupts).
    pub fn forward_signals(mut self, grace: Duration) -> Self {
        self.forward_signals = Some(grace);
        self
    }

    /// Standard streams (0, 1, 2) that were closed when this process started are closed in
    /// the program too, as they would be had it been started directly, instead of the
    /// `/dev/null` that Rust's start-up code opens in their place. Streams set with
    /// [`stdin`](Command::stdin) and friends are not affected.
    pub fn keep_closed_stdio(mut self, on: bool) -> Self {
        self.keep_closed_stdio = on;
        self
    }

    /// Runs the tracer beside the program instead of above it, as strace's `-D`: this
    /// process becomes the program (keeping its pid, its parent, and the exit status its
    /// parent waits for), and a grandchild traces it. [`trace`](Command::trace) then
    /// returns in the tracer, when the run ends; in this process it returns only if the
    /// program could not start. Call it from a single-threaded process only.
    pub fn daemonize(mut self, how: Daemonize) -> Self {
        self.daemonize = Some(how);
        self
    }

    /// Runs the program with the passthru handler: traced, unchanged.
    ///
    /// # Errors
    /// As [`trace`](Command::trace).
    pub fn run(self) -> Result<ExitStatus, Error> {
        self.trace(Passthru).map(|o| o.status)
    }

    /// Runs the program with `handler` deciding its syscalls, on this thread, until every
    /// traced process is gone (children that outlive the program included, as `strace -f`
    /// waits for them).
    ///
    /// The tracer waits for its tracees only (`__WNOTHREAD`), so other threads may run
    /// their own children; but no thread of the host may wait for "any child"
    /// (`waitpid(-1)`) meanwhile: that steals tracee events.
    ///
    /// # Errors
    /// [`Error::NotFound`] before anything runs;
    /// [`Error::Exec`] / [`Error::BadInterpreter`] when execve itself failed; a failed
    /// fork; a failed ptrace request other than a tracee dying.
    pub fn trace<H: Linux + 'static>(mut self, handler: H) -> Result<Outcome<H>, Error> {
        let path = resolve(&self.program, self.env.as_ref())?;
        let mut spec = self.spawn_spec(&path)?;
        let sinks = std::mem::take(&mut self.trace).into_sinks();
        // Only the calls the handler or a sink is interested in stop; when that is every
        // call, no filter: every call stops at entry and exit.
        let interest = sinks
            .iter()
            .fold(handler.interest(), |all, sink| all.union(sink.interest()));
        if !interest.is_all() {
            let clock_trapped = VDSO_CALLS.iter().any(|&n| interest.contains(n));
            self.suppress_vdso = Some(self.suppress_vdso.unwrap_or(clock_trapped));
            spec.filter = Some(Filter::new(&filter_interest(&interest)));
        }
        if self.shield_interrupts && self.forward_signals.is_none() {
            spec.default_signals = [libc::SIGINT, libc::SIGQUIT]
                .into_iter()
                .filter(|&s| sys::ignore_if_default(s))
                .collect();
        }
        let shielded = spec.default_signals.clone();
        let result = match self.daemonize {
            Some(how) => self.trace_beside(how, (&path, &spec), handler, sinks),
            None => self.trace_spec(&path, &spec, handler, sinks),
        };
        for signal in shielded {
            sys::restore_default(signal);
        }
        result
    }

    /// The signals this process catches while tracing, with the policy set on `tracer`.
    fn caught_signals<H: Linux + 'static>(&self, tracer: &mut Tracer<H>) -> Vec<i32> {
        match self.forward_signals {
            Some(grace) => {
                tracer.on_signal(OnSignal::Forward { grace });
                // What this process ignores, the program inherits ignored: natively it would
                // never see it either. SIGPIPE is the exception: Rust's runtime ignores it
                // here, and the program starts with it at its default.
                FORWARDED
                    .iter()
                    .copied()
                    .filter(|&s| s == libc::SIGPIPE || !sys::is_ignored(s))
                    .collect()
            }
            None => Vec::new(),
        }
    }
}

/// Calls the vDSO answers without entering the kernel.
const VDSO_CALLS: &[i64] = &[
    libc::SYS_clock_gettime,
    libc::SYS_clock_getres,
    libc::SYS_gettimeofday,
    libc::SYS_time,
    libc::SYS_getcpu,
];

/// The seccomp filter's view of an interest.
fn filter_interest(interest: &crate::Interest) -> Interest {
    Interest {
        numbers: interest.numbers().map(|n| n as u32).collect(),
        unknown: interest.includes_unknown(),
        known: SYSCALLS.iter().map(|info| info.number as u32).collect(),
    }
}

/// Ends this process the way the traced program ended: with its exit code, or killed by
/// the same signal (without a core dump), as strace does.
pub fn exit_like(status: ExitStatus) -> ! {
    use std::os::unix::process::ExitStatusExt as _;
    match (status.code(), status.signal()) {
        (Some(code), _) => std::process::exit(code),
        (None, Some(signal)) => sys::die_by_signal(signal),
        (None, None) => std::process::exit(1),
    }
}

//! The wait / dispatch / restart loop. Stops are named as in ptrace(2).
//!
//! One thread owns everything: it forks the program, seizes it, and waits for its tracees
//! with `__WALL | __WNOTHREAD`, so it never reaps a child some other thread of the host
//! started. Handler methods are futures polled on this thread: a handler that awaits a
//! forwarded call parks its future with its tracee and the loop serves the other tracees
//! until that tracee's syscall-exit stop arrives.

use crate::lines::{entry_text, exit_text, siginfo_text};
use crate::linux::{Linux, SignalAction, Syscall, dispatch};
use crate::regs::{Untraced, set_return, set_syscall, strip_untraced};
use crate::render::{self, Printer};
pub(crate) use crate::shutdown::OnSignal;
use crate::shutdown::{Action, Shutdown};
use crate::sys;
use crate::tracee::{Forward, Tracee};
use crate::{Errno, Error, SysResult};
use nix::errno::Errno as NixErrno;
use nix::sys::ptrace;
use nix::unistd::Pid;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::os::unix::process::ExitStatusExt;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// `AUDIT_ARCH_X86_64`: what `PTRACE_GET_SYSCALL_INFO` reports for a 64-bit syscall.
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;

type HandlerFuture = Pin<Box<dyn Future<Output = SysResult>>>;

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

/// Trace output settings.
pub(crate) struct TraceOutput {
    pub printer: Printer,
    pub string_limit: usize,
}

/// A syscall between its entry and exit stops.
struct InFlight {
    call: Syscall,
    /// Arguments already written with the entry part of the line.
    shown: usize,
    /// The entry part was written (the line is open or was cut `<unfinished ...>`).
    printed: bool,
    /// The handler's parked future, waiting for the exit stop.
    future: Option<HandlerFuture>,
    forward: Rc<Cell<Forward>>,
    /// The handler answered without the kernel: write this at the exit stop.
    emulated: Option<SysResult>,
    /// An injected call is running; these are the registers of the entry stop it
    /// interrupted, to put back (rewound) once it returns.
    injecting: Option<libc::user_regs_struct>,
    /// The original call is being re-issued after an injection: its next entry stop
    /// continues the parked handler instead of starting a new one.
    reissued: bool,
}

/// One traced thread.
struct Thread {
    /// Its thread group id.
    pid: Pid,
    in_flight: Option<InFlight>,
}

/// The threads the watchdog may kill; kept in step with the loop under one lock, so a
/// reaped (and maybe reused) id is never signalled.
#[derive(Default)]
pub(crate) struct Live {
    tids: Mutex<HashSet<i32>>,
    done: AtomicBool,
    timed_out: AtomicBool,
}

impl Live {
    /// True once the tracer loop has ended.
    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    fn insert(&self, tid: Pid) {
        self.tids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tid.as_raw());
    }

    fn remove(&self, tid: Pid) {
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

/// How the traced program ended.
pub(crate) struct Ended {
    /// Raw wait status of the first process.
    pub status: i32,
    pub timed_out: bool,
    /// The signal to the tracer that ended the run (see [`OnSignal`]).
    pub interrupted_by: Option<i32>,
}

pub(crate) struct Tracer<H> {
    handler: Rc<H>,
    threads: HashMap<Pid, Thread>,
    output: Option<TraceOutput>,
    root: Pid,
    root_status: Option<i32>,
    /// No signal or exec line is shown for the first process until its first exec: what
    /// happens before it is the tracer's own start-up.
    root_started: bool,
    suppress_vdso: bool,
    mode: Mode,
    live: Arc<Live>,
    shutdown: Shutdown,
}

impl<H: Linux + 'static> Tracer<H> {
    /// Seizes `root`, a child forked by this thread and stopped by its own `SIGSTOP`.
    /// Seizes `root`, a child forked by this thread and stopped by its own `SIGSTOP`.
    pub(crate) fn seize(
        root: Pid,
        handler: Rc<H>,
        output: Option<TraceOutput>,
        suppress_vdso: bool,
        mode: Mode,
    ) -> Result<Self, Error> {
        let seccomp = if mode == Mode::Seccomp {
            ptrace::Options::PTRACE_O_TRACESECCOMP
        } else {
            ptrace::Options::empty()
        };
        // EXITKILL: no tracee outlives the tracer, even one killed with SIGKILL.
        let options = seccomp | ptrace::Options::PTRACE_O_EXITKILL | FOLLOW;
        ptrace::seize(root, options).map_err(|e| Error::tracee("PTRACE_SEIZE", root, e))?;
        // The child stopped itself; SIGCONT lets it go on to execve, now traced.
        nix::sys::signal::kill(root, nix::sys::signal::SIGCONT)
            .map_err(|e| Error::tracee("kill(SIGCONT)", root, e))?;
        let mut tracer = Tracer::new(root, handler, output, suppress_vdso, mode);
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
        output: Option<TraceOutput>,
    ) -> Result<Self, Error> {
        let mut tracer = Tracer::new(pid, handler, output, false, Mode::AllSyscalls);
        tracer.root_started = true;
        // Threads can appear while we attach: list again until a pass finds no new one.
        loop {
            let tids = process_threads(pid).map_err(|e| Error::tracee("attach", pid, e))?;
            let new: Vec<Pid> = tids
                .into_iter()
                .filter(|t| !tracer.threads.contains_key(t))
                .collect();
            if new.is_empty() {
                break;
            }
            for tid in new {
                match ptrace::seize(tid, FOLLOW).and_then(|()| ptrace::interrupt(tid)) {
                    Ok(()) => tracer.ensure_thread(tid),
                    // A thread that exited meanwhile.
                    Err(NixErrno::ESRCH) if tid != pid => {}
                    Err(e) => return Err(Error::tracee("PTRACE_SEIZE", tid, e)),
                }
            }
        }
        Ok(tracer)
    }

    fn new(
        root: Pid,
        handler: Rc<H>,
        mut output: Option<TraceOutput>,
        suppress_vdso: bool,
        mode: Mode,
    ) -> Self {
        if let Some(output) = &mut output {
            output.printer.set_root(root);
        }
        Tracer {
            handler,
            threads: HashMap::new(),
            output,
            root,
            root_status: None,
            root_started: false,
            suppress_vdso,
            mode,
            live: Arc::new(Live::default()),
            shutdown: Shutdown::new(),
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
        if let Some(output) = &mut self.output {
            output.printer.finish_output().map_err(Error::Output)?;
        }
        result?;
        Ok(Ended {
            // The first process is our child: its status always arrives before ECHILD.
            status: self.root_status.unwrap_or(0),
            timed_out: self.live.timed_out.load(Ordering::SeqCst),
            interrupted_by: self.shutdown.interrupted_by(),
        })
    }

    fn event_loop(&mut self) -> Result<(), Error> {
        loop {
            // Checked before each wait as well as on EINTR: the signal may have come while
            // this thread was busy with a stop.
            self.check_signals();
            let waited = if self.shutdown.undecided() {
                // An outside signal waits to see whether the program got its own copy.
                match sys::wait_any_nohang() {
                    Ok(None) => {
                        std::thread::sleep(Duration::from_millis(2));
                        continue;
                    }
                    Ok(Some(event)) => Ok(event),
                    Err(e) => Err(e),
                }
            } else {
                sys::wait_any()
            };
            let (tid, status) = match waited {
                Ok(event) => event,
                Err(NixErrno::EINTR) => continue,
                Err(NixErrno::ECHILD) => return Ok(()),
                Err(e) => return Err(Error::Wait(e)),
            };
            if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
                self.on_death(tid, status)?;
                continue;
            }
            if !libc::WIFSTOPPED(status) {
                continue;
            }
            if self.shutdown.detaching() {
                self.detach(tid, status);
                continue;
            }
            self.ensure_thread(tid);
            let signal = libc::WSTOPSIG(status);
            let event = status >> 16;
            if signal == libc::SIGTRAP | 0x80 {
                self.on_syscall_stop(tid)?;
            } else if event != 0 {
                self.on_event(tid, signal, event)?;
            } else {
                self.on_signal_delivery(tid, signal)?;
            }
        }
    }

    /// Acts on the signals the tracer received: pass one to the program, kill the tree,
    /// or detach from every tracee.
    fn check_signals(&mut self) {
        let program = self.root_status.is_none().then_some(self.root);
        for action in self.shutdown.poll(program) {
            match action {
                Action::Forward(signal) => {
                    let _ = sys::send_signal(self.root, signal);
                }
                Action::KillTree(_) => {
                    for &tid in self.threads.keys() {
                        let _ = nix::sys::signal::kill(tid, nix::sys::signal::SIGKILL);
                    }
                }
                // Every tracee reports a stop, where it is let go.
                Action::DetachAll(_) => {
                    for &tid in self.threads.keys() {
                        let _ = ptrace::interrupt(tid);
                    }
                }
            }
        }
    }

    /// Lets a stopped tracee go while detaching: a pending signal is delivered on the way
    /// out, a group-stopped one stays stopped, as it would be untraced.
    fn detach(&mut self, tid: Pid, status: i32) {
        let signal = libc::WSTOPSIG(status);
        let deliver = if status >> 16 == 0 && signal != libc::SIGTRAP | 0x80 {
            signal
        } else {
            0
        };
        let _ = sys::detach(tid, deliver);
        self.live.remove(tid);
        let in_flight = self.threads.remove(&tid).and_then(|t| t.in_flight);
        if let Some(in_flight) = in_flight.filter(|f| f.printed)
            && let Some(output) = &mut self.output
        {
            // The call goes on untraced: its line ends as strace ends it.
            let _ = output
                .printer
                .finish(tid, &in_flight.call.name(), " <detached ...>");
        }
    }

    /// A tracee not seen before: a new child or thread whose first stop came before its
    /// parent's fork/clone event, or right after it.
    fn ensure_thread(&mut self, tid: Pid) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.threads.entry(tid) {
            let pid = thread_group(tid).unwrap_or(tid);
            slot.insert(Thread {
                pid,
                in_flight: None,
            });
            self.live.insert(tid);
            self.shutdown.note_tracee(tid);
            self.handler.on_start(tid, pid);
            // A child forked while its tree was being killed must not outlive it.
            if self.shutdown.killing() {
                let _ = nix::sys::signal::kill(tid, nix::sys::signal::SIGKILL);
            }
        }
    }

    /// Restarts a tracee after a stop: to its next syscall stop when every call is traced,
    /// otherwise to its next event (the seccomp filter stops it at the calls that matter).
    fn resume(&self, tid: Pid, signal: i32) {
        // ESRCH: the tracee was killed meanwhile; its death is reported by wait.
        let _ = match self.mode {
            Mode::AllSyscalls => sys::resume_syscall(tid, signal),
            Mode::Seccomp => sys::resume_cont(tid, signal),
        };
    }

    fn on_syscall_stop(&mut self, tid: Pid) -> Result<(), Error> {
        match sys::syscall_info(tid) {
            Ok(sys::SyscallStop::Entry { arch, number, args }) => {
                self.on_syscall_enter(tid, arch, number, args, false)
            }
            Ok(sys::SyscallStop::Seccomp {
                arch, number, args, ..
            }) => self.on_syscall_enter(tid, arch, number, args, true),
            Ok(sys::SyscallStop::Exit { ret }) => self.on_syscall_exit(tid, ret),
            Ok(sys::SyscallStop::None) => {
                self.resume(tid, 0);
                Ok(())
            }
            // Gone between the stop and the request.
            Err(_) => Ok(()),
        }
    }

    /// Syscall-enter stop (or seccomp stop): show the entry part, run the handler up to
    /// its first await, then carry out its decision.
    fn on_syscall_enter(
        &mut self,
        tid: Pid,
        arch: u32,
        number: i64,
        args: [u64; 6],
        at_seccomp: bool,
    ) -> Result<(), Error> {
        // An `int 0x80` call uses the i386 table: never mistake it for the x86_64 call
        // with the same number.
        let native = arch == AUDIT_ARCH_X86_64;
        let mut call = if native {
            Syscall::from_args(number, args)
        } else {
            Syscall::I386(crate::linux::I386 { number, args })
        };
        let untraced = strip_untraced(tid, &mut call)?;
        if untraced == Untraced::Removed
            && let Some(output) = &mut self.output
        {
            let text = "--- CLONE_UNTRACED removed: the new process stays traced ---";
            output.printer.line(tid, text).map_err(Error::Output)?;
        }
        // The original call re-issued after an injection: continue its handler. Any other
        // leftover state belongs to a call that never reached its exit stop: stale.
        if let Some(mut in_flight) = self.threads.get_mut(&tid).and_then(|t| t.in_flight.take())
            && in_flight.reissued
            && let Some(future) = in_flight.future.take()
        {
            in_flight.reissued = false;
            return self.decide(tid, in_flight, future, at_seccomp);
        }
        let mut in_flight = InFlight {
            call,
            shown: 0,
            printed: false,
            future: None,
            forward: Rc::default(),
            emulated: None,
            injecting: None,
            reissued: false,
        };
        if let Some(output) = &mut self.output {
            let (text, shown) = entry_text(&call, tid, output.string_limit);
            output.printer.begin(tid, &text).map_err(Error::Output)?;
            in_flight.shown = shown;
            in_flight.printed = true;
        }

        let pid = self.threads.get(&tid).map_or(tid, |t| t.pid);
        let mut tracee = Tracee::new(tid, pid);
        in_flight.forward = tracee.forward.clone();
        let handler = self.handler.clone();
        let future: HandlerFuture = match untraced {
            // A clone3 that cannot run as a clone: answered here, never run.
            Untraced::Refused(errno) => Box::pin(async move { Err(errno) }),
            _ => Box::pin(async move { dispatch(&*handler, &mut tracee, call).await }),
        };
        self.decide(tid, in_flight, future, at_seccomp)
    }

    /// Polls a handler at a syscall's entry (first or after an injection) and carries out
    /// what it decided: deny or emulate, pass, forward and await, or inject a call first.
    fn decide(
        &mut self,
        tid: Pid,
        mut in_flight: InFlight,
        mut future: HandlerFuture,
        at_seccomp: bool,
    ) -> Result<(), Error> {
        let call = in_flight.call;
        let needs_exit = match (poll(&mut future), in_flight.forward.get()) {
            (Poll::Ready(_), Forward::Pass(passed)) => {
                if passed != call {
                    set_syscall(tid, &passed, None)?;
                }
                // The kernel's result stands; stop at the exit only to show it.
                !at_seccomp || self.output.is_some()
            }
            (Poll::Ready(result), _) => {
                // Answered at entry: the kernel must not run the call.
                let value = Errno::into_ret(result);
                if at_seccomp {
                    // At a seccomp stop the skipped call keeps the return value we set.
                    set_syscall(tid, &call, Some((-1, value)))?;
                    if in_flight.printed {
                        self.finish_line(tid, &in_flight, Some(value))?;
                    }
                    false
                } else {
                    // At a syscall-enter stop the kernel overwrites rax with -ENOSYS when it
                    // skips the call; the value is written at the exit stop.
                    set_syscall(tid, &call, Some((-1, -i64::from(libc::ENOSYS))))?;
                    in_flight.emulated = Some(result);
                    true
                }
            }
            (Poll::Pending, Forward::Inject(injected)) => {
                // Run the injected call in place of this one; put this one back after.
                let regs =
                    ptrace::getregs(tid).map_err(|e| Error::tracee("PTRACE_GETREGS", tid, e))?;
                set_syscall(tid, &injected, None)?;
                in_flight.injecting = Some(regs);
                in_flight.future = Some(future);
                true
            }
            (Poll::Pending, forward) => {
                if let Forward::Requested(forwarded) = forward
                    && forwarded != call
                {
                    set_syscall(tid, &forwarded, None)?;
                }
                // The handler resumes at the exit stop. One awaiting something the runtime
                // does not drive gets that chance too, then is dropped.
                in_flight.future = Some(future);
                true
            }
        };
        if needs_exit {
            if let Some(thread) = self.threads.get_mut(&tid) {
                thread.in_flight = Some(in_flight);
            }
            let _ = sys::resume_syscall(tid, 0);
        } else {
            self.resume(tid, 0);
        }
        Ok(())
    }

    /// Syscall-exit stop: hand the result to the parked handler, write back what it
    /// returns, finish the line.
    fn on_syscall_exit(&mut self, tid: Pid, ret: i64) -> Result<(), Error> {
        let Some(mut in_flight) = self.threads.get_mut(&tid).and_then(|t| t.in_flight.take())
        else {
            // An exit without an entry we saw (the stop right after seizing): nothing to do.
            self.resume(tid, 0);
            return Ok(());
        };
        if let Some(mut regs) = in_flight.injecting.take() {
            // The injected call returned: hand its result to the handler when the original
            // call, rewound to its `syscall` instruction, enters again.
            regs.rip -= 2;
            regs.rax = regs.orig_rax;
            match ptrace::setregs(tid, regs) {
                Ok(()) | Err(NixErrno::ESRCH) => {}
                Err(e) => return Err(Error::tracee("PTRACE_SETREGS", tid, e)),
            }
            in_flight.forward.set(Forward::Injected(ret));
            in_flight.reissued = true;
            if let Some(thread) = self.threads.get_mut(&tid) {
                thread.in_flight = Some(in_flight);
            }
            // The re-issued call stops again: at its seccomp stop (it is a trapped call) or
            // at its syscall-enter stop.
            self.resume(tid, 0);
            return Ok(());
        }
        let mut shown_ret = ret;
        if let Some(result) = in_flight.emulated {
            shown_ret = Errno::into_ret(result);
            set_return(tid, shown_ret)?;
        } else if let Some(mut future) = in_flight.future.take() {
            in_flight.forward.set(Forward::Done(ret));
            if let Poll::Ready(result) = poll(&mut future) {
                shown_ret = Errno::into_ret(result);
                if shown_ret != ret {
                    set_return(tid, shown_ret)?;
                }
            }
            // A future still pending awaits something the runtime does not drive; it is
            // dropped and the kernel's result stands.
        }
        if in_flight.printed {
            self.finish_line(tid, &in_flight, Some(shown_ret))?;
        }
        self.resume(tid, 0);
        Ok(())
    }

    /// Writes the rest of a syscall line; `ret` is `None` for a call that never returned.
    fn finish_line(
        &mut self,
        tid: Pid,
        in_flight: &InFlight,
        ret: Option<i64>,
    ) -> Result<(), Error> {
        let Some(output) = &mut self.output else {
            return Ok(());
        };
        let rest = exit_text(
            &in_flight.call,
            in_flight.shown,
            tid,
            output.string_limit,
            ret,
        );
        output
            .printer
            .finish(tid, &in_flight.call.name(), &rest)
            .map_err(Error::Output)
    }

    fn on_event(&mut self, tid: Pid, signal: i32, event: i32) -> Result<(), Error> {
        match event {
            libc::PTRACE_EVENT_FORK | libc::PTRACE_EVENT_VFORK | libc::PTRACE_EVENT_CLONE => {
                if let Ok(child) = ptrace::getevent(tid) {
                    self.ensure_thread(Pid::from_raw(child as i32));
                }
                self.resume(tid, 0);
            }
            libc::PTRACE_EVENT_EXEC => {
                self.on_exec(tid)?;
                self.resume(tid, 0);
            }
            libc::PTRACE_EVENT_SECCOMP => self.on_syscall_stop(tid)?,
            libc::PTRACE_EVENT_STOP => {
                if matches!(
                    signal,
                    libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
                ) {
                    // Group-stop: stay stopped (job control works as without a tracer)
                    // but keep reporting, so SIGCONT and SIGKILL are seen.
                    if let Some(output) = &mut self.output
                        && (tid != self.root || self.root_started)
                    {
                        let text = format!("--- stopped by {} ---", render::signal_name(signal));
                        output.printer.line(tid, &text).map_err(Error::Output)?;
                    }
                    let _ = sys::ptrace_listen(tid);
                } else {
                    self.resume(tid, 0);
                }
            }
            _ => self.resume(tid, 0),
        }
        Ok(())
    }

    /// `PTRACE_EVENT_EXEC`: the program image changed. When a thread other than the leader
    /// executed, it now has the leader's id and the leader's old state is gone.
    fn on_exec(&mut self, tid: Pid) -> Result<(), Error> {
        let former = ptrace::getevent(tid)
            .map(|f| Pid::from_raw(f as i32))
            .unwrap_or(tid);
        if former != tid
            && let Some(mut thread) = self.threads.remove(&former)
        {
            self.live.remove(former);
            if let Some(old) = self.threads.get_mut(&tid).and_then(|t| t.in_flight.take())
                && old.printed
            {
                self.finish_line(tid, &old, None)?;
            }
            if let Some(output) = &mut self.output {
                let text = format!("+++ superseded by execve in pid {former} +++");
                output.printer.line(tid, &text).map_err(Error::Output)?;
            }
            thread.pid = tid;
            self.threads.insert(tid, thread);
        }
        if tid == self.root {
            self.root_started = true;
        }
        if self.suppress_vdso {
            // A failure leaves the vDSO in place: the program still runs correctly, its
            // clock calls just do not trap.
            let _ = crate::vdso::suppress(tid);
        }
        self.handler.on_exec(tid);
        Ok(())
    }

    fn on_signal_delivery(&mut self, tid: Pid, signal: i32) -> Result<(), Error> {
        let deliver = match self.handler.on_signal(tid, signal) {
            SignalAction::Deliver => signal,
            SignalAction::Replace(other) => other,
            SignalAction::Suppress => 0,
        };
        let show = self.output.is_some() && (tid != self.root || self.root_started);
        let info = if show || self.shutdown.wants_deliveries() {
            sys::siginfo(tid).ok()
        } else {
            None
        };
        if let Some(info) = info {
            match info.code {
                // Sent by a process: kill, sigqueue, tgkill.
                code if code <= 0 => self.shutdown.note_delivery(signal, info.pid),
                libc::SI_KERNEL => self.shutdown.note_delivery(signal, 0),
                _ => {}
            }
        }
        if let Some(output) = &mut self.output
            && show
        {
            let text = format!(
                "--- {} {} ---",
                render::signal_name(signal),
                siginfo_text(signal, info)
            );
            output.printer.line(tid, &text).map_err(Error::Output)?;
        }
        self.resume(tid, deliver);
        Ok(())
    }

    fn on_death(&mut self, tid: Pid, status: i32) -> Result<(), Error> {
        let thread = self.threads.remove(&tid);
        self.live.remove(tid);
        if tid == self.root {
            self.root_status = Some(status);
        }
        self.handler
            .on_exit(tid, std::process::ExitStatus::from_raw(status));
        // A call that never returned (exit_group, or a thread killed inside a call).
        if let Some(in_flight) = thread.and_then(|t| t.in_flight)
            && in_flight.printed
        {
            self.finish_line(tid, &in_flight, None)?;
        }
        let Some(output) = &mut self.output else {
            return Ok(());
        };
        let text = if libc::WIFEXITED(status) {
            format!("+++ exited with {} +++", libc::WEXITSTATUS(status))
        } else {
            let core = if libc::WCOREDUMP(status) {
                " (core dumped)"
            } else {
                ""
            };
            format!(
                "+++ killed by {}{core} +++",
                render::signal_name(libc::WTERMSIG(status))
            )
        };
        output.printer.line(tid, &text).map_err(Error::Output)
    }
}

/// Polls a handler future once. The runtime knows when to poll again (at its tracee's
/// next stop), so no waker is needed.
fn poll(future: &mut HandlerFuture) -> Poll<SysResult> {
    future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
}

/// The thread ids of process `pid`, from `/proc/<pid>/task`.
fn process_threads(pid: Pid) -> Result<Vec<Pid>, nix::Error> {
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

/// The thread group id of `tid`, from `/proc/<tid>/status`.
fn thread_group(tid: Pid) -> Option<Pid> {
    let status = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Tgid:"))?;
    line["Tgid:".len()..].trim().parse().ok().map(Pid::from_raw)
}

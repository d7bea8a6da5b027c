//! A syscall between its entry and exit stops: the handler's decision, carried out.

use super::Tracer;
use crate::events::{EventKind, Return, Tamper};
use crate::linux::{Linux, Syscall};
use crate::regs::{Untraced, set_return, set_syscall, strip_untraced};
use crate::sys;
use crate::tracee::{Forward, Tracee};
use crate::{Errno, Error, SysResult};
use nix::errno::Errno as NixErrno;
use nix::sys::ptrace;
use nix::unistd::Pid;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// `SECCOMP_FILTER_FLAG_NEW_LISTENER` (libc lacks it).
const SECCOMP_FILTER_FLAG_NEW_LISTENER: u64 = 1 << 3;

/// `AUDIT_ARCH_X86_64`: what `PTRACE_GET_SYSCALL_INFO` reports for a 64-bit syscall.
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;

type HandlerFuture = Pin<Box<dyn Future<Output = SysResult>>>;

/// Which stop a syscall entered at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A syscall-enter stop (every call stops).
    Syscall,
    /// A seccomp stop, with the trapping filter's `SECCOMP_RET_DATA`.
    Seccomp { data: u32 },
}

/// A syscall between its entry and exit stops.
pub(crate) struct InFlight {
    pub call: Syscall,
    /// The sinks were told it entered, so they must hear how it ends.
    pub announced: bool,
    /// The result the program gets is not the kernel's: the call was answered without
    /// running, or its result was changed.
    injected: bool,
    forward: Rc<Cell<Forward>>,
    /// The signal the handler raised (0 for none), sent as the call returns.
    signal: Rc<Cell<i32>>,
    /// It entered at a seccomp stop (else at a syscall-enter stop).
    at_seccomp: bool,
    phase: Phase,
}

impl InFlight {
    /// Whether the thread was sent back to make a call injected after this one ran.
    pub(crate) fn awaits_injected_entry(&self) -> bool {
        matches!(self.phase, Phase::InjectingAfter { .. })
    }
}

/// Where a thread enters a syscall: its `rip` after the `syscall` instruction, its stack
/// pointer and the call's number. A call re-issued after an injection enters again at the
/// same place; a signal handler that runs first makes its calls elsewhere on the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    rip: u64,
    rsp: u64,
    number: u64,
}

impl Place {
    fn of(regs: &libc::user_regs_struct) -> Place {
        Place {
            rip: regs.rip,
            rsp: regs.rsp,
            number: regs.orig_rax,
        }
    }
}

/// Where an in-flight call is.
enum Phase {
    /// Running in the kernel; the handler is done with it.
    Running,
    /// Running in the kernel; the handler awaits its result at the exit stop.
    Awaiting(HandlerFuture),
    /// Answered by the handler and skipped by the kernel: this goes in at the exit stop.
    Emulated(SysResult),
    /// An injected call runs in its place; these are the entry registers to put back,
    /// rewound, when it returns (`after`: the exit registers of the call, which already
    /// ran, put back as they are).
    Injecting {
        regs: Box<libc::user_regs_struct>,
        future: HandlerFuture,
        after: bool,
    },
    /// Re-issued after an injection: its entry at `at` continues the handler.
    Reissued { future: HandlerFuture, at: Place },
    /// The call ran and the handler injects another before the program sees the result:
    /// the thread was sent back to its `syscall` instruction to make the injected call,
    /// whose entry at `at` is awaited; `regs` are the exit registers to restore after it.
    InjectingAfter {
        regs: Box<libc::user_regs_struct>,
        future: HandlerFuture,
        at: Place,
    },
}

impl<H: Linux + 'static> Tracer<H> {
    /// Syscall-enter stop (or seccomp stop): announce the call, run the handler up to its
    /// first await, then carry out its decision.
    pub(super) fn on_syscall_enter(
        &mut self,
        tid: Pid,
        (arch, number, args): (u32, i64, [u64; 6]),
        entry: Entry,
    ) -> Result<(), Error> {
        let at_seccomp = entry != Entry::Syscall;
        // An `int 0x80` call uses the i386 table: never mistake it for the x86_64 call
        // with the same number.
        let mut call = if arch == AUDIT_ARCH_X86_64 {
            Syscall::from_args(number, args)
        } else {
            Syscall::I386(crate::linux::I386 { number, args })
        };
        self.threads.note_entry(tid, number);
        let untraced = strip_untraced(tid, &mut call)?;
        if untraced == Untraced::Removed {
            self.emit(tid, EventKind::Tampered(Tamper::UntracedRemoved));
        }
        if self.resume_parked(tid, number, at_seccomp)? {
            return Ok(());
        }
        let announced = !self.sinks.is_empty() && self.visible_call(tid, &call);
        if announced {
            self.emit(tid, EventKind::SyscallEntered { call: &call });
        }
        let starting = !self.visible(tid);
        let mut tracee = Tracee::new(tid, self.threads.pid_of(tid), starting);
        let in_flight = InFlight {
            call,
            announced,
            injected: false,
            forward: tracee.forward.clone(),
            signal: tracee.signal.clone(),
            at_seccomp,
            phase: Phase::Running,
        };
        let handler = self.handler.clone();
        let wanted = matches!(call, Syscall::I386(_)) || self.handler_interest.contains(number);
        let refused = match untraced {
            // A clone3 that cannot run as a clone.
            Untraced::Refused(errno) => Some(errno),
            _ => self.refusal(&call, entry),
        };
        let future: HandlerFuture = match refused {
            // Answered here, never run.
            Some(errno) => Box::pin(async move { Err(errno) }),
            // Stopped for a sink only: the handler never sees it.
            None if !wanted => Box::pin(async move { tracee.pass(call) }),
            None => Box::pin(async move { handler.syscall(&mut tracee, call).await }),
        };
        self.decide(tid, in_flight, future, at_seccomp)
    }

    /// Calls the tracer refuses before any handler sees them: `ptrace`,
    /// `process_vm_readv`/`writev` and `pidfd_open` aimed at the tracer's own process
    /// (`EPERM`); and, when a seccomp filter chooses the calls that stop (a sandbox's
    /// setting):
    /// - a seccomp filter of the program's own with a listener: its
    ///   `SECCOMP_RET_USER_NOTIF` would outrank the tracer's filter and let a helper
    ///   process run calls the tracer never sees (`EINVAL`, as from a kernel without
    ///   listeners);
    /// - a stop the program's own filter asked for (`SECCOMP_RET_TRACE` with data not
    ///   ours) on a call nobody here traps: natively no tracer would answer it, and the
    ///   kernel fails it with `ENOSYS`.
    fn refusal(&self, call: &Syscall, entry: Entry) -> Option<Errno> {
        // Reaching into the tracer: as a non-dumpable process answers anyone without
        // CAP_SYS_PTRACE, and even with it, since a tracee tracing its tracer deadlocks both.
        let target = match call {
            Syscall::Ptrace(c) => Some(c.pid.0 as i64),
            Syscall::ProcessVmReadv(c) => Some(c.pid.0 as i64),
            Syscall::ProcessVmWritev(c) => Some(c.pid.0 as i64),
            Syscall::PidfdOpen(c) => Some(c.pid.0 as i64),
            _ => None,
        };
        if target.is_some_and(|pid| pid == i64::from(std::process::id())) {
            return Some(Errno::EPERM);
        }
        if self.mode != super::Mode::Seccomp {
            return None;
        }
        if let Syscall::Seccomp(seccomp) = call
            && seccomp.operation.0 == u64::from(libc::SECCOMP_SET_MODE_FILTER)
            && seccomp.flags.0 & SECCOMP_FILTER_FLAG_NEW_LISTENER != 0
        {
            return Some(Errno::EINVAL);
        }
        match entry {
            Entry::Seccomp { data }
                if data != sys::DATA_OURS
                    && !matches!(call, Syscall::I386(_))
                    && !self.trapped.contains(call.number()) =>
            {
                Some(Errno::ENOSYS)
            }
            _ => None,
        }
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
        let polled = poll(&mut future);
        // A raised signal is sent at the exit stop, where the kernel takes it.
        let raised = in_flight.signal.get() != 0;
        let needs_exit = match (polled, in_flight.forward.get()) {
            (Poll::Ready(_), Forward::Pass(passed)) => {
                if passed != call {
                    set_syscall(tid, &passed, None)?;
                }
                // The kernel's result stands; stop at the exit only for the sinks. (At a
                // syscall-enter stop every call stops at its exit anyway.)
                !at_seccomp || raised || self.sinks_want_exit(&in_flight)
            }
            (Poll::Ready(result), _) => {
                // Answered at entry: the kernel must not run the call.
                in_flight.injected = true;
                let value = Errno::into_ret(result);
                if at_seccomp && !raised {
                    // At a seccomp stop the skipped call keeps the return value we set.
                    set_syscall(tid, &call, Some((-1, value)))?;
                    if in_flight.announced {
                        let ret = Return::Value(value);
                        let exited = EventKind::SyscallExited {
                            call: &call,
                            ret,
                            injected: true,
                        };
                        self.emit(tid, exited);
                    }
                    false
                } else {
                    // At a syscall-enter stop the kernel overwrites rax with -ENOSYS when it
                    // skips the call; the value is written at the exit stop.
                    set_syscall(tid, &call, Some((-1, -i64::from(libc::ENOSYS))))?;
                    in_flight.phase = Phase::Emulated(result);
                    true
                }
            }
            (Poll::Pending, Forward::Inject(injected)) => {
                // Run the injected call in place of this one; put this one back after.
                let regs =
                    ptrace::getregs(tid).map_err(|e| Error::tracee("PTRACE_GETREGS", tid, e))?;
                set_syscall(tid, &injected, None)?;
                self.emit(tid, EventKind::Injected { call: &injected });
                in_flight.phase = Phase::Injecting {
                    regs: Box::new(regs),
                    future,
                    after: false,
                };
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
                in_flight.phase = Phase::Awaiting(future);
                true
            }
        };
        if needs_exit {
            self.threads.set_in_flight(tid, in_flight);
            let _ = sys::resume_syscall(tid, 0);
        } else {
            self.resume(tid, 0);
        }
        Ok(())
    }

    /// Whether some sink needs this call's exit stop.
    fn sinks_want_exit(&self, in_flight: &InFlight) -> bool {
        in_flight.announced && self.sinks.iter().any(|s| s.wants_exit(&in_flight.call))
    }

    /// An entry where a call waits for its own `syscall` instruction to enter again: the
    /// call re-issued after an injection, or the injected call of one that already ran.
    /// Carries on with it and returns true; false for any other entry. A call the thread
    /// was in that waits elsewhere is parked: a signal handler runs before it enters again.
    fn resume_parked(&mut self, tid: Pid, number: i64, at_seccomp: bool) -> Result<bool, Error> {
        if let Some(in_flight) = self.threads.take_in_flight(tid) {
            match in_flight.phase {
                // The seccomp stop of an injected call whose syscall-enter stop came first.
                Phase::Injecting { after: true, .. } => {
                    self.threads.set_in_flight(tid, in_flight);
                    let _ = sys::resume_syscall(tid, 0);
                    return Ok(true);
                }
                Phase::Reissued { .. } | Phase::InjectingAfter { .. } => {
                    self.threads.park(tid, in_flight);
                }
                // The seccomp stop of a call decided at its syscall-enter stop (a thread
                // stepping to an injected call makes both).
                Phase::Running | Phase::Awaiting(_)
                    if at_seccomp && !in_flight.at_seccomp && in_flight.call.number() == number =>
                {
                    self.threads.set_in_flight(tid, in_flight);
                    let _ = sys::resume_syscall(tid, 0);
                    return Ok(true);
                }
                // A call that never reached its exit stop: stale, dropped.
                _ => {}
            }
        }
        if !self.threads.has_parked(tid) {
            return Ok(false);
        }
        let regs = match ptrace::getregs(tid) {
            Ok(regs) => regs,
            Err(NixErrno::ESRCH) => return Ok(false),
            Err(e) => return Err(Error::tracee("PTRACE_GETREGS", tid, e)),
        };
        let here = Place {
            number: number as u64,
            ..Place::of(&regs)
        };
        let Some(mut in_flight) = self.threads.unpark(tid, |f| match &f.phase {
            Phase::Reissued { at, .. } | Phase::InjectingAfter { at, .. } => *at == here,
            _ => false,
        }) else {
            return Ok(false);
        };
        match std::mem::replace(&mut in_flight.phase, Phase::Running) {
            Phase::Reissued { future, .. } => self.decide(tid, in_flight, future, at_seccomp)?,
            Phase::InjectingAfter {
                regs: exit_regs,
                future,
                ..
            } => {
                // Our injected call entered; its exit stop hands its result to the handler.
                in_flight.phase = Phase::Injecting {
                    regs: exit_regs,
                    future,
                    after: true,
                };
                self.threads.set_in_flight(tid, in_flight);
                let _ = sys::resume_syscall(tid, 0);
            }
            _ => {}
        }
        Ok(true)
    }

    /// Syscall-exit stop: hand the result to the parked handler, write back what it
    /// returns, tell the sinks.
    pub(super) fn on_syscall_exit(&mut self, tid: Pid, ret: i64) -> Result<(), Error> {
        let Some(mut in_flight) = self.threads.take_in_flight(tid) else {
            // An exit without an entry we saw (the stop right after seizing): nothing to do.
            self.resume(tid, 0);
            return Ok(());
        };
        let shown = match std::mem::replace(&mut in_flight.phase, Phase::Running) {
            Phase::Injecting {
                mut regs,
                future,
                after: false,
            } => {
                // The injected call returned: hand its result to the handler when the
                // original call, rewound to its `syscall` instruction, enters again.
                let at = Place::of(&regs);
                regs.rip = regs.rip.wrapping_sub(2);
                regs.rax = regs.orig_rax;
                match ptrace::setregs(tid, *regs) {
                    Ok(()) | Err(NixErrno::ESRCH) => {}
                    Err(e) => return Err(Error::tracee("PTRACE_SETREGS", tid, e)),
                }
                in_flight.forward.set(Forward::Injected(ret));
                in_flight.phase = Phase::Reissued { future, at };
                self.threads.set_in_flight(tid, in_flight);
                // The re-issued call stops again: at its seccomp stop (it is a trapped
                // call) or at its syscall-enter stop.
                self.resume(tid, 0);
                return Ok(());
            }
            Phase::Injecting {
                regs,
                future,
                after: true,
            } => {
                // The call injected after the original one returned: put the original's
                // exit back as it was and let the handler go on.
                let kernel = regs.rax as i64;
                match ptrace::setregs(tid, *regs) {
                    Ok(()) | Err(NixErrno::ESRCH) => {}
                    Err(e) => return Err(Error::tracee("PTRACE_SETREGS", tid, e)),
                }
                in_flight.forward.set(Forward::Injected(ret));
                match self.after_forward(tid, &mut in_flight, future, kernel)? {
                    Some(shown) => shown,
                    None => return Ok(()),
                }
            }
            Phase::Emulated(result) => {
                // (`injected` was set when the handler answered.)
                let shown = Errno::into_ret(result);
                set_return(tid, shown)?;
                shown
            }
            Phase::Awaiting(future) => {
                in_flight.forward.set(Forward::Done(ret));
                match self.after_forward(tid, &mut in_flight, future, ret)? {
                    Some(shown) => shown,
                    None => return Ok(()),
                }
            }
            Phase::Running | Phase::Reissued { .. } | Phase::InjectingAfter { .. } => ret,
        };
        if in_flight.announced {
            let ret = Return::Value(shown);
            self.emit(
                tid,
                EventKind::SyscallExited {
                    call: &in_flight.call,
                    ret,
                    injected: in_flight.injected,
                },
            );
        }
        self.resume(tid, in_flight.signal.get());
        Ok(())
    }

    /// At the exit stop of a forwarded call whose result (`kernel`) the handler has been
    /// given: writes back what it returns and gives the value the program sees, or, when it
    /// injects another call first, sends the thread to make it and gives `None`.
    fn after_forward(
        &mut self,
        tid: Pid,
        in_flight: &mut InFlight,
        mut future: HandlerFuture,
        kernel: i64,
    ) -> Result<Option<i64>, Error> {
        loop {
            match (poll(&mut future), in_flight.forward.get()) {
                (Poll::Ready(result), _) => {
                    let shown = Errno::into_ret(result);
                    if shown != kernel {
                        set_return(tid, shown)?;
                        in_flight.injected = true;
                    }
                    return Ok(Some(shown));
                }
                (Poll::Pending, Forward::Inject(injected)) => {
                    let regs = ptrace::getregs(tid)
                        .map_err(|e| Error::tracee("PTRACE_GETREGS", tid, e))?;
                    if !can_inject_after(tid, &regs) {
                        in_flight
                            .forward
                            .set(Forward::Injected(-i64::from(libc::ENOSYS)));
                        continue;
                    }
                    self.inject_after(tid, in_flight, future, injected, regs)?;
                    return Ok(None);
                }
                // A future still pending awaits something the runtime does not drive; it is
                // dropped and the kernel's result stands.
                (Poll::Pending, _) => return Ok(Some(kernel)),
            }
        }
    }

    /// Sends the thread back to its `syscall` instruction with `injected` in the registers:
    /// it makes the call as it leaves the kernel, before the program runs on. `regs` are
    /// the exit registers of the call, put back when the injected one returns.
    fn inject_after(
        &mut self,
        tid: Pid,
        in_flight: &InFlight,
        future: HandlerFuture,
        injected: Syscall,
        regs: libc::user_regs_struct,
    ) -> Result<(), Error> {
        let at = Place {
            number: injected.number() as u64,
            ..Place::of(&regs)
        };
        let mut call_regs = regs;
        call_regs.rip = regs.rip.wrapping_sub(2);
        call_regs.rax = injected.number() as u64;
        let [rdi, rsi, rdx, r10, r8, r9] = injected.to_args();
        (
            call_regs.rdi,
            call_regs.rsi,
            call_regs.rdx,
            call_regs.r10,
            call_regs.r8,
            call_regs.r9,
        ) = (rdi, rsi, rdx, r10, r8, r9);
        ptrace::setregs(tid, call_regs).map_err(|e| Error::tracee("PTRACE_SETREGS", tid, e))?;
        self.emit(tid, EventKind::Injected { call: &injected });
        let waiting = InFlight {
            call: in_flight.call,
            announced: in_flight.announced,
            injected: in_flight.injected,
            forward: in_flight.forward.clone(),
            signal: in_flight.signal.clone(),
            at_seccomp: in_flight.at_seccomp,
            phase: Phase::InjectingAfter {
                regs: Box::new(regs),
                future,
                at,
            },
        };
        self.threads.set_in_flight(tid, waiting);
        // Its syscall-enter stop tells it from a signal handler's calls.
        let _ = sys::resume_syscall(tid, 0);
        Ok(())
    }

    /// Tells the sinks that the call `tid` was in ended with `ret` (it never returned, or
    /// the tracer let go of it).
    pub(super) fn end_in_flight(&mut self, tid: Pid, in_flight: Option<InFlight>, ret: Return) {
        if let Some(in_flight) = in_flight.filter(|f| f.announced) {
            self.emit(
                tid,
                EventKind::SyscallExited {
                    call: &in_flight.call,
                    ret,
                    injected: false,
                },
            );
        }
    }
}

/// Whether a call can be injected after the one whose exit registers are `regs`: the
/// thread returns to a 64-bit `syscall` instruction (not after a successful execve, a
/// sigreturn elsewhere, or an `int 0x80`), and the call is not about to be restarted (a
/// restart code in `rax` would reach the program once the registers are put back).
fn can_inject_after(tid: Pid, regs: &libc::user_regs_struct) -> bool {
    let restarting = Errno::from_ret(regs.rax as i64).is_err_and(Errno::is_restart);
    let instruction = crate::memory::ReadMemory::read(
        &crate::memory::Memory::new(tid),
        regs.rip.wrapping_sub(2),
        2,
    );
    !restarting && instruction.is_ok_and(|bytes| bytes == [0x0f, 0x05])
}

/// Polls a handler future once. The runtime knows when to poll again (at its tracee's
/// next stop), so no waker is needed.
fn poll(future: &mut HandlerFuture) -> Poll<SysResult> {
    future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
}

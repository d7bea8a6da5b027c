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

/// `AUDIT_ARCH_X86_64`: what `PTRACE_GET_SYSCALL_INFO` reports for a 64-bit syscall.
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;

type HandlerFuture = Pin<Box<dyn Future<Output = SysResult>>>;

/// A syscall between its entry and exit stops.
pub(crate) struct InFlight {
    pub call: Syscall,
    /// The sinks were told it entered, so they must hear how it ends.
    pub announced: bool,
    forward: Rc<Cell<Forward>>,
    phase: Phase,
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
    /// rewound, when it returns.
    Injecting {
        regs: Box<libc::user_regs_struct>,
        future: HandlerFuture,
    },
    /// Re-issued after an injection: its next entry stop continues the handler.
    Reissued(HandlerFuture),
}

impl<H: Linux + 'static> Tracer<H> {
    /// Syscall-enter stop (or seccomp stop): announce the call, run the handler up to its
    /// first await, then carry out its decision.
    pub(super) fn on_syscall_enter(
        &mut self,
        tid: Pid,
        (arch, number, args): (u32, i64, [u64; 6]),
        at_seccomp: bool,
    ) -> Result<(), Error> {
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
        // The original call re-issued after an injection: continue its handler. Any other
        // leftover state belongs to a call that never reached its exit stop: stale.
        if let Some(mut in_flight) = self.threads.take_in_flight(tid)
            && let Phase::Reissued(future) = std::mem::replace(&mut in_flight.phase, Phase::Running)
        {
            return self.decide(tid, in_flight, future, at_seccomp);
        }
        let announced = !self.sinks.is_empty() && self.visible_call(tid, &call);
        if announced {
            self.emit(tid, EventKind::SyscallEntered { call: &call });
        }
        let mut tracee = Tracee::new(tid, self.threads.pid_of(tid));
        let in_flight = InFlight {
            call,
            announced,
            forward: tracee.forward.clone(),
            phase: Phase::Running,
        };
        let handler = self.handler.clone();
        let wanted = matches!(call, Syscall::I386(_)) || self.handler_interest.contains(number);
        let future: HandlerFuture = match untraced {
            // A clone3 that cannot run as a clone: answered here, never run.
            Untraced::Refused(errno) => Box::pin(async move { Err(errno) }),
            // Stopped for a sink only: the handler never sees it.
            _ if !wanted => Box::pin(async move { tracee.pass(call) }),
            _ => Box::pin(async move { handler.syscall(&mut tracee, call).await }),
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
                // The kernel's result stands; stop at the exit only for the sinks. (At a
                // syscall-enter stop every call stops at its exit anyway.)
                !at_seccomp || self.sinks_want_exit(&in_flight)
            }
            (Poll::Ready(result), _) => {
                // Answered at entry: the kernel must not run the call.
                let value = Errno::into_ret(result);
                if at_seccomp {
                    // At a seccomp stop the skipped call keeps the return value we set.
                    set_syscall(tid, &call, Some((-1, value)))?;
                    if in_flight.announced {
                        let ret = Return::Value(value);
                        self.emit(tid, EventKind::SyscallExited { call: &call, ret });
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

    /// Syscall-exit stop: hand the result to the parked handler, write back what it
    /// returns, tell the sinks.
    pub(super) fn on_syscall_exit(&mut self, tid: Pid, ret: i64) -> Result<(), Error> {
        let Some(mut in_flight) = self.threads.take_in_flight(tid) else {
            // An exit without an entry we saw (the stop right after seizing): nothing to do.
            self.resume(tid, 0);
            return Ok(());
        };
        let mut shown = ret;
        match std::mem::replace(&mut in_flight.phase, Phase::Running) {
            Phase::Injecting { mut regs, future } => {
                // The injected call returned: hand its result to the handler when the
                // original call, rewound to its `syscall` instruction, enters again.
                regs.rip = regs.rip.wrapping_sub(2);
                regs.rax = regs.orig_rax;
                match ptrace::setregs(tid, *regs) {
                    Ok(()) | Err(NixErrno::ESRCH) => {}
                    Err(e) => return Err(Error::tracee("PTRACE_SETREGS", tid, e)),
                }
                in_flight.forward.set(Forward::Injected(ret));
                in_flight.phase = Phase::Reissued(future);
                self.threads.set_in_flight(tid, in_flight);
                // The re-issued call stops again: at its seccomp stop (it is a trapped
                // call) or at its syscall-enter stop.
                self.resume(tid, 0);
                return Ok(());
            }
            Phase::Emulated(result) => {
                shown = Errno::into_ret(result);
                set_return(tid, shown)?;
            }
            Phase::Awaiting(mut future) => {
                in_flight.forward.set(Forward::Done(ret));
                if let Poll::Ready(result) = poll(&mut future) {
                    shown = Errno::into_ret(result);
                    if shown != ret {
                        set_return(tid, shown)?;
                    }
                }
                // A future still pending awaits something the runtime does not drive; it
                // is dropped and the kernel's result stands.
            }
            Phase::Running | Phase::Reissued(_) => {}
        }
        if in_flight.announced {
            let ret = Return::Value(shown);
            self.emit(
                tid,
                EventKind::SyscallExited {
                    call: &in_flight.call,
                    ret,
                },
            );
        }
        self.resume(tid, 0);
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
                },
            );
        }
    }
}

/// Polls a handler future once. The runtime knows when to poll again (at its tracee's
/// next stop), so no waker is needed.
fn poll(future: &mut HandlerFuture) -> Poll<SysResult> {
    future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
}

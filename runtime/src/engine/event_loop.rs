//! The loop: wait for a tracee's state change, classify it, apply what the engine's parts
//! decide, and tell the sinks.

use super::restart;
use super::shutdown::Action;
use super::stop::{Stop, WaitStatus};
use super::syscall::Entry;
use super::{Mode, Tracer};
use crate::events::{EventKind, Return};
use crate::linux::{Linux, SignalAction};
use crate::{Error, sys};
use nix::errno::Errno as NixErrno;
use nix::sys::ptrace;
use nix::unistd::Pid;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

impl<H: Linux + 'static> Tracer<H> {
    pub(super) fn event_loop(&mut self) -> Result<(), Error> {
        loop {
            // Checked before each wait as well as on EINTR: the signal may have come while
            // this thread was busy with a stop.
            self.check_signals();
            let Some((tid, status)) = self.wait()? else {
                return Ok(());
            };
            let Some(stop) = Stop::classify(tid, status) else {
                continue;
            };
            if let Stop::Ended(status) = stop {
                self.on_death(tid, status);
                continue;
            }
            if self.shutdown.detaching() {
                self.detach(tid, stop);
                continue;
            }
            self.ensure_thread(tid);
            match stop {
                Stop::SyscallEnter { arch, number, args } => {
                    self.on_syscall_enter(tid, (arch, number, args), Entry::Syscall)?
                }
                Stop::Seccomp {
                    arch,
                    number,
                    args,
                    data,
                } => self.on_syscall_enter(tid, (arch, number, args), Entry::Seccomp { data })?,
                Stop::SyscallExit { ret } => self.on_syscall_exit(tid, ret)?,
                Stop::SignalDelivery { signal } => self.on_signal_delivery(tid, signal),
                Stop::Group { signal } => {
                    // Stay stopped (job control works as without a tracer) but keep
                    // reporting, so SIGCONT and SIGKILL are seen.
                    if self.visible(tid) {
                        self.emit(tid, EventKind::Stopped { signal });
                    }
                    let _ = sys::ptrace_listen(tid);
                }
                Stop::Birth { child, .. } => {
                    if child.as_raw() > 0 {
                        self.ensure_thread(child);
                    }
                    self.resume_after_event(tid);
                }
                Stop::Exec { former } => {
                    self.on_exec(tid, former);
                    self.resume_after_event(tid);
                }
                Stop::Other | Stop::Ended(_) => self.resume(tid, 0),
            }
        }
    }

    /// The next state change of a tracee; `None` once there are none left.
    fn wait(&mut self) -> Result<Option<(Pid, WaitStatus)>, Error> {
        loop {
            let waited = if self.shutdown.undecided() {
                // An outside signal waits to see whether the program got its own copy.
                match sys::wait_any_nohang(self.measure_cpu) {
                    Ok(None) => {
                        std::thread::sleep(Duration::from_millis(2));
                        self.check_signals();
                        continue;
                    }
                    other => other.map(|event| event.expect("checked above")),
                }
            } else {
                sys::wait_any(self.measure_cpu)
            };
            return match waited {
                Ok(waited) => {
                    self.system_time = waited.system_time;
                    Ok(Some((waited.tid, waited.status)))
                }
                Err(NixErrno::EINTR) => {
                    self.check_signals();
                    continue;
                }
                Err(NixErrno::ECHILD) => Ok(None),
                Err(e) => Err(Error::Wait(e)),
            };
        }
    }

    /// Acts on the signals the tracer received: pass one to the program, kill the tree,
    /// or detach from every tracee.
    fn check_signals(&mut self) {
        let program = self.root_status.is_none().then_some(self.root);
        for action in self.shutdown.poll(program) {
            for tid in self.threads.tids() {
                let _ = match action {
                    Action::Forward(_) => Ok(()),
                    Action::KillTree(_) => nix::sys::signal::kill(tid, nix::sys::signal::SIGKILL),
                    // Every tracee reports a stop, where it is let go.
                    Action::DetachAll(_) => ptrace::interrupt(tid),
                };
            }
            if let Action::Forward(signal) = action {
                let _ = sys::send_signal(self.root, signal);
            }
        }
    }

    /// Lets a stopped tracee go while detaching: a pending signal is delivered on the way
    /// out, a group-stopped one stays stopped, as it would be untraced.
    fn detach(&mut self, tid: Pid, stop: Stop) {
        let _ = sys::detach(tid, stop.pending_signal());
        self.live.remove(tid);
        // The call goes on untraced: its line ends as strace ends it.
        let in_flight = self.threads.take_in_flight(tid);
        self.end_in_flight(tid, in_flight, Return::Detached);
        self.emit(tid, EventKind::Detached);
        self.threads.remove(tid);
    }

    /// A tracee not seen before: a new child or thread whose first stop came before its
    /// parent's fork/clone event, or right after it.
    pub(super) fn ensure_thread(&mut self, tid: Pid) {
        let Some(pid) = self.threads.insert_new(tid) else {
            return;
        };
        self.live.insert(tid);
        self.shutdown.note_tracee(tid);
        self.handler.on_start(tid, pid);
        self.emit(tid, EventKind::Started);
        // A child forked while its tree was being killed must not outlive it.
        if self.shutdown.killing() {
            let _ = nix::sys::signal::kill(tid, nix::sys::signal::SIGKILL);
        }
    }

    /// Restarts a tracee after a stop: to its next syscall stop when every call is traced,
    /// otherwise to its next event (the seccomp filter stops it at the calls that matter).
    pub(super) fn resume(&self, tid: Pid, signal: i32) {
        // ESRCH: the tracee was killed meanwhile; its death is reported by wait.
        let _ = match self.mode {
            Mode::AllSyscalls => sys::resume_syscall(tid, signal),
            // On its way to a call injected after another, which the filter may not trap:
            // its syscall-enter stop tells it from a signal handler's calls.
            Mode::Seccomp if self.threads.stepping(tid) => sys::resume_syscall(tid, signal),
            Mode::Seccomp => sys::resume_cont(tid, signal),
        };
    }

    /// Restarts a tracee after the event stop (fork, vfork, clone, exec) of the call it is
    /// in. When that call's exit stop was asked for at its seccomp stop, it comes only if
    /// the event stop is left with `PTRACE_SYSCALL` too (ptrace(2)).
    fn resume_after_event(&self, tid: Pid) {
        if self.threads.awaits_exit(tid) {
            // ESRCH: the tracee was killed meanwhile; its death is reported by wait.
            let _ = sys::resume_syscall(tid, 0);
        } else {
            self.resume(tid, 0);
        }
    }

    /// `PTRACE_EVENT_EXEC`: the program image changed. When a thread other than the leader
    /// executed, it now has the leader's id and the leader's old state is gone.
    fn on_exec(&mut self, tid: Pid, former: Pid) {
        if former != tid
            && let Some(mut thread) = self.threads.remove(former)
        {
            self.live.remove(former);
            let old = self.threads.take_in_flight(tid);
            self.end_in_flight(tid, old, Return::Unfinished);
            thread.pid = tid;
            self.threads.put(tid, thread);
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
        self.emit(tid, EventKind::Exec { former });
        if !self.handler.allow_exec(tid) {
            // Before the new program's first instruction; its death is reported by wait.
            let _ = nix::sys::signal::kill(tid, nix::sys::signal::SIGKILL);
        }
    }

    fn on_signal_delivery(&mut self, tid: Pid, signal: i32) {
        let deliver = match self.handler.on_signal(tid, signal) {
            // A signal the thread ignores, which natively would not have interrupted the
            // call it was in: the call runs again and the signal is dropped.
            SignalAction::Deliver
                if restart::restart_if_ignored(tid, signal, self.threads.last_entry(tid)) =>
            {
                0
            }
            SignalAction::Deliver => signal,
            SignalAction::Replace(other) => other,
            SignalAction::Suppress => 0,
        };
        let shown = !self.sinks.is_empty() && self.visible(tid);
        let info = if shown || self.shutdown.wants_deliveries() {
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
        if shown {
            self.emit(tid, EventKind::Signal { signal, info });
        }
        self.resume(tid, deliver);
    }

    fn on_death(&mut self, tid: Pid, status: WaitStatus) {
        let in_flight = self.threads.take_in_flight(tid);
        self.live.remove(tid);
        if tid == self.root {
            self.root_status = Some(status);
        }
        self.handler
            .on_exit(tid, std::process::ExitStatus::from_raw(status.raw()));
        // A call that never returned (exit_group, or a thread killed inside a call).
        self.end_in_flight(tid, in_flight, Return::Unfinished);
        if self.visible(tid) {
            self.emit(tid, EventKind::Exited(status));
        }
        self.threads.remove(tid);
    }
}

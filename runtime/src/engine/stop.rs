//! What a tracee's state change means, classified once.
//!
//! `waitpid` gives a raw status; ptrace(2) explains how to read it, together with
//! `PTRACE_GET_SYSCALL_INFO` and `PTRACE_GETEVENTMSG`, as one of a handful of stops. This
//! module is the only place that reads the raw bits: everything else gets a [`Stop`].

use crate::sys::{self, SyscallStop};
use nix::sys::ptrace;
use nix::unistd::Pid;

pub use crate::sys::abi::WaitStatus;

/// The only reading of wait-status bits in the runtime.
impl WaitStatus {
    /// The status as `waitpid` returned it.
    pub(crate) fn from_raw(raw: i32) -> Self {
        WaitStatus(raw)
    }

    /// The raw status, for `std::process::ExitStatus::from_raw`.
    pub fn raw(self) -> i32 {
        self.0
    }

    /// The exit code of a process that exited.
    pub fn exit_code(self) -> Option<i32> {
        libc::WIFEXITED(self.0).then(|| libc::WEXITSTATUS(self.0))
    }

    /// The signal that killed a process.
    pub fn terminating_signal(self) -> Option<i32> {
        libc::WIFSIGNALED(self.0).then(|| libc::WTERMSIG(self.0))
    }

    /// True when the process was killed and dumped core.
    pub fn core_dumped(self) -> bool {
        libc::WIFSIGNALED(self.0) && libc::WCOREDUMP(self.0)
    }

    /// The process ended (exited or was killed).
    pub fn ended(self) -> bool {
        libc::WIFEXITED(self.0) || libc::WIFSIGNALED(self.0)
    }

    /// The signal that stopped a process (`WSTOPSIG`), for a stop.
    pub fn stop_signal(self) -> Option<i32> {
        libc::WIFSTOPPED(self.0).then(|| libc::WSTOPSIG(self.0))
    }

    /// True for a status that reports a stopped process continued (`WIFCONTINUED`).
    pub fn continued(self) -> bool {
        libc::WIFCONTINUED(self.0)
    }

    /// For a stop: the stop signal and the `PTRACE_EVENT_*` in the high bits.
    fn stopped(self) -> Option<(i32, i32)> {
        libc::WIFSTOPPED(self.0).then(|| (libc::WSTOPSIG(self.0), self.0 >> 16))
    }
}

/// How a new tracee was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Birth {
    Fork,
    Vfork,
    Clone,
}

/// A tracee's state change, named as in ptrace(2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Syscall-enter stop (`PTRACE_SYSCALL`).
    SyscallEnter {
        arch: u32,
        number: i64,
        args: [u64; 6],
    },
    /// `PTRACE_EVENT_SECCOMP` stop: a call the filter traps, before it runs.
    Seccomp {
        arch: u32,
        number: i64,
        args: [u64; 6],
        /// The trapping filter's `SECCOMP_RET_DATA`: ours, or a program filter's.
        data: u32,
    },
    /// Syscall-exit stop with the raw return value.
    SyscallExit { ret: i64 },
    /// Signal-delivery stop: `signal` is about to be delivered.
    SignalDelivery { signal: i32 },
    /// Group-stop: the tracee was stopped by `signal` (job control).
    Group { signal: i32 },
    /// `PTRACE_EVENT_FORK`/`VFORK`/`CLONE`: `child` is new (0 when it already vanished).
    Birth { kind: Birth, child: Pid },
    /// `PTRACE_EVENT_EXEC`: a new program; `former` is the tid that called execve (not the
    /// tracee's own when a non-leader thread executed).
    Exec { former: Pid },
    /// Any other stop (`PTRACE_EVENT_STOP` after an interrupt, a stop the tracer cannot
    /// read because the tracee died meanwhile): resume and move on.
    Other,
    /// The tracee exited or was killed: it is gone.
    Ended(WaitStatus),
}

impl Stop {
    /// Classifies `status` of `tid`, asking the kernel for the details a stop needs.
    pub(crate) fn classify(tid: Pid, status: WaitStatus) -> Option<Stop> {
        if status.ended() {
            return Some(Stop::Ended(status));
        }
        let (signal, event) = status.stopped()?;
        Some(match event {
            _ if signal == libc::SIGTRAP | 0x80 => syscall_stop(tid),
            0 => Stop::SignalDelivery { signal },
            libc::PTRACE_EVENT_SECCOMP => syscall_stop(tid),
            libc::PTRACE_EVENT_FORK | libc::PTRACE_EVENT_VFORK | libc::PTRACE_EVENT_CLONE => {
                let kind = match event {
                    libc::PTRACE_EVENT_FORK => Birth::Fork,
                    libc::PTRACE_EVENT_VFORK => Birth::Vfork,
                    _ => Birth::Clone,
                };
                let child = ptrace::getevent(tid).map_or(0, |c| c as i32);
                Stop::Birth {
                    kind,
                    child: Pid::from_raw(child),
                }
            }
            libc::PTRACE_EVENT_EXEC => Stop::Exec {
                former: ptrace::getevent(tid).map_or(tid, |f| Pid::from_raw(f as i32)),
            },
            libc::PTRACE_EVENT_STOP
                if matches!(
                    signal,
                    libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
                ) =>
            {
                Stop::Group { signal }
            }
            _ => Stop::Other,
        })
    }

    /// The signal to pass on when letting this stop go (detaching): only a signal-delivery
    /// stop carries one.
    pub(crate) fn pending_signal(self) -> i32 {
        match self {
            Stop::SignalDelivery { signal } => signal,
            _ => 0,
        }
    }
}

fn syscall_stop(tid: Pid) -> Stop {
    match sys::syscall_info(tid) {
        Ok(SyscallStop::Entry { arch, number, args }) => Stop::SyscallEnter { arch, number, args },
        Ok(SyscallStop::Seccomp {
            arch,
            number,
            args,
            data,
        }) => Stop::Seccomp {
            arch,
            number,
            args,
            data,
        },
        Ok(SyscallStop::Exit { ret }) => Stop::SyscallExit { ret },
        // Gone between the stop and the request, or not a syscall stop after all.
        Ok(SyscallStop::None) | Err(_) => Stop::Other,
    }
}

//! Calls that an ignored signal interrupted, restarted as if nothing happened.
//!
//! Natively the kernel drops a signal the thread ignores when it is sent, so it wakes
//! nothing. A traced thread gets it anyway (the tracer is entitled to see it, see
//! `sig_ignored` in kernel/signal.c), and the wake-up makes calls that return `EINTR` on
//! any signal (`rt_sigtimedwait`, `epoll_wait`, ...) fail where natively they would go on
//! waiting. At the signal-delivery stop such a call is rewound to its `syscall`
//! instruction and runs again, with what is left of its timeout.

use nix::sys::ptrace;
use nix::unistd::Pid;
use std::time::{Duration, Instant};

/// When a thread's current syscall entered, as far as the tracer saw it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entered {
    pub number: i64,
    pub at: Instant,
}

/// Where a restartable call keeps its timeout.
#[derive(Clone, Copy)]
enum Timeout {
    /// An `int` of milliseconds in argument N (negative: none).
    Millis(usize),
    /// A relative `struct timespec *` in argument N (NULL: none).
    Timespec(usize),
}

/// The calls that return `EINTR` (not a restart code) when any signal arrives.
fn timeout_of(number: i64) -> Option<Timeout> {
    Some(match number {
        libc::SYS_rt_sigtimedwait => Timeout::Timespec(2),
        libc::SYS_epoll_wait | libc::SYS_epoll_pwait => Timeout::Millis(3),
        libc::SYS_epoll_pwait2 => Timeout::Timespec(3),
        // io_pgetevents is 333 on x86_64 (libc lacks its constant).
        libc::SYS_io_getevents | 333 => Timeout::Timespec(4),
        _ => return None,
    })
}

/// Signals whose default action is to ignore them (`sig_kernel_ignore`).
const DEFAULT_IGNORED: &[i32] = &[libc::SIGCHLD, libc::SIGCONT, libc::SIGURG, libc::SIGWINCH];

/// At the signal-delivery stop of `signal`: when the thread ignores it and it interrupted
/// one of those calls (and no other signal that would interrupt it natively is pending),
/// rewinds the call to run again and returns true; the signal is then dropped, as the
/// kernel would drop it. `entered` dates the call's start, for its remaining timeout;
/// without it only a call with no timeout is restarted.
pub(crate) fn restart_if_ignored(tid: Pid, signal: i32, entered: Option<Entered>) -> bool {
    let Some(masks) = SignalMasks::read(tid) else {
        return false;
    };
    if !masks.ignores(signal) || masks.others_pending(signal) {
        return false;
    }
    let Ok(mut regs) = ptrace::getregs(tid) else {
        return false;
    };
    let number = regs.orig_rax as i64;
    if regs.rax as i64 != -i64::from(libc::EINTR) {
        return false;
    }
    let Some(timeout) = timeout_of(number) else {
        return false;
    };
    let elapsed = entered
        .filter(|e| e.number == number)
        .map(|e| e.at.elapsed());
    match timeout {
        Timeout::Millis(n) => {
            let millis = *arg(&mut regs, n) as i32;
            if millis >= 0 {
                let Some(elapsed) = elapsed else { return false };
                let left = Duration::from_millis(millis as u64).saturating_sub(elapsed);
                *arg(&mut regs, n) = left.as_millis() as u64;
            }
        }
        Timeout::Timespec(n) => {
            let at = *arg(&mut regs, n);
            if at != 0 {
                let Some(elapsed) = elapsed else { return false };
                let memory = crate::memory::Memory::new(tid);
                use crate::memory::ReadMemory as _;
                let Ok(ts) = memory.read_pod::<libc::timespec>(at) else {
                    return false;
                };
                let Ok(secs) = u64::try_from(ts.tv_sec) else {
                    return false;
                };
                let given = Duration::new(secs, ts.tv_nsec.clamp(0, 999_999_999) as u32);
                let left = given.saturating_sub(elapsed);
                let left = libc::timespec {
                    tv_sec: left.as_secs() as i64,
                    tv_nsec: i64::from(left.subsec_nanos()),
                };
                // The program's own struct is const: the remaining time goes below the red
                // zone, where the kernel would put a signal frame, which no one uses now.
                let scratch = regs.rsp.wrapping_sub(128 + 16) & !15;
                if memory.write_pod(scratch, &left).is_err() {
                    return false;
                }
                *arg(&mut regs, n) = scratch;
            }
        }
    }
    regs.rax = regs.orig_rax;
    regs.rip = regs.rip.wrapping_sub(2);
    ptrace::setregs(tid, regs).is_ok()
}

/// Argument register `n` of an x86_64 syscall.
fn arg(regs: &mut libc::user_regs_struct, n: usize) -> &mut u64 {
    match n {
        0 => &mut regs.rdi,
        1 => &mut regs.rsi,
        2 => &mut regs.rdx,
        3 => &mut regs.r10,
        4 => &mut regs.r8,
        _ => &mut regs.r9,
    }
}

/// A thread's signal masks, from `/proc/<tid>/status`.
struct SignalMasks {
    pending: u64,
    blocked: u64,
    ignored: u64,
    caught: u64,
}

impl SignalMasks {
    fn read(tid: Pid) -> Option<Self> {
        let status = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
        let mask = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        };
        Some(SignalMasks {
            pending: mask("SigPnd:")? | mask("ShdPnd:")?,
            blocked: mask("SigBlk:")?,
            ignored: mask("SigIgn:")?,
            caught: mask("SigCgt:")?,
        })
    }

    fn bit(signal: i32) -> u64 {
        1u64.checked_shl(signal.wrapping_sub(1) as u32).unwrap_or(0)
    }

    /// Whether the kernel would drop `signal` at send time were the thread not traced.
    fn ignores(&self, signal: i32) -> bool {
        let bit = Self::bit(signal);
        if self.blocked & bit != 0 {
            return false;
        }
        self.ignored & bit != 0 || (self.caught & bit == 0 && DEFAULT_IGNORED.contains(&signal))
    }

    /// Whether a signal other than `signal` that the thread does not ignore is pending and
    /// unblocked: it would interrupt the call natively too.
    fn others_pending(&self, signal: i32) -> bool {
        (1..=64)
            .filter(|&s| s != signal && self.pending & Self::bit(s) != 0)
            .any(|s| self.blocked & Self::bit(s) == 0 && !self.ignores(s))
    }
}

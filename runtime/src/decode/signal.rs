//! Signal structures: `stack_t` (sigaltstack), `siginfo_t` (waitid, rt_sigtimedwait,
//! rt_sigqueueinfo, ...) and the naming of `si_code` that the `--- SIG ---` lines share.

use super::{Bytes, RetDecoded, Value, flags, pointer};
use crate::args::Decoder;
use crate::linux::SigaltstackFlags;
use crate::structs::{Sigaltstack, Siginfo, StructDecode};

impl StructDecode for Sigaltstack {
    const SIZE: usize = 24;

    /// `{ss_sp=0x7f..., ss_flags=SS_ONSTACK, ss_size=8192}` (ss_sp at 0, ss_flags at 8,
    /// ss_size at 16).
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let b = Bytes::read(d, addr, 24)?;
        Some(Value::Struct(vec![
            ("ss_sp", pointer(b.u64(0))),
            (
                "ss_flags",
                flags(u64::from(b.u32(8)), SigaltstackFlags::INFO),
            ),
            ("ss_size", Value::Uint(b.u64(16))),
        ]))
    }
}

impl StructDecode for Siginfo {
    const SIZE: usize = 48;

    /// The fields strace shows for the signal and its code; `{}` when the kernel left it
    /// empty (a `waitid(WNOHANG)` that found no child).
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let b = Bytes::read(d, addr, 48)?;
        let (signo, code) = (b.i32(0), b.i32(8));
        if signo == 0 {
            return Some(Value::Struct(Vec::new()));
        }
        let mut fields = vec![
            ("si_signo", Value::Signal(signo)),
            ("si_code", Value::Symbol(si_code_name(signo, code))),
        ];
        // The union after si_signo, si_errno, si_code and padding, at 16.
        let (pid, uid) = (b.i32(16), b.u32(20));
        match signo {
            libc::SIGCHLD if code > 0 => {
                let status = b.i32(24);
                let status = if matches!(code, libc::CLD_KILLED | libc::CLD_DUMPED) {
                    Value::Signal(status)
                } else {
                    Value::Int(i64::from(status))
                };
                fields.extend([
                    ("si_pid", Value::Int(i64::from(pid))),
                    ("si_uid", Value::Uint(u64::from(uid))),
                    ("si_status", status),
                    ("si_utime", clock_ticks(b.i64(32))),
                    ("si_stime", clock_ticks(b.i64(40))),
                ]);
            }
            libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE if code > 0 => {
                fields.push(("si_addr", pointer(b.u64(16))));
            }
            _ if code <= 0 => {
                fields.extend([
                    ("si_pid", Value::Int(i64::from(pid))),
                    ("si_uid", Value::Uint(u64::from(uid))),
                ]);
                // A value sent along (sigqueue, a message queue): the union's sigval at 24.
                if matches!(code, libc::SI_QUEUE | libc::SI_MESGQ) {
                    fields.extend([
                        ("si_int", Value::Int(i64::from(b.i32(24)))),
                        ("si_ptr", pointer(b.u64(24))),
                    ]);
                }
            }
            _ => {}
        }
        Some(Value::Struct(fields))
    }
}

/// A signal number a call returns (rt_sigtimedwait's), `= 10 (SIGUSR1)`.
pub(super) fn signal_ret(ret: i64) -> Option<RetDecoded> {
    (ret > 0).then_some(RetDecoded {
        hex: false,
        label: None,
        value: Value::Signal(ret as i32),
    })
}

/// `si_code` by name where it has one (`SI_USER`, `CLD_EXITED`, `SEGV_MAPERR`), else the
/// number.
pub(crate) fn si_code_name(signal: i32, code: i32) -> String {
    si_code_symbol(signal, code).map_or_else(|| code.to_string(), str::to_string)
}

/// The name of a siginfo's `si_code` for `signal` (who sent it, or why), if it has one.
pub(crate) fn si_code_symbol(signal: i32, code: i32) -> Option<&'static str> {
    Some(match (code, signal) {
        (libc::SI_USER, _) => "SI_USER",
        (libc::SI_KERNEL, _) => "SI_KERNEL",
        (libc::SI_QUEUE, _) => "SI_QUEUE",
        (libc::SI_TKILL, _) => "SI_TKILL",
        (libc::SI_TIMER, _) => "SI_TIMER",
        (libc::SI_MESGQ, _) => "SI_MESGQ",
        (libc::SI_ASYNCIO, _) => "SI_ASYNCIO",
        (libc::SI_SIGIO, _) => "SI_SIGIO",
        (1, libc::SIGCHLD) => "CLD_EXITED",
        (2, libc::SIGCHLD) => "CLD_KILLED",
        (3, libc::SIGCHLD) => "CLD_DUMPED",
        (4, libc::SIGCHLD) => "CLD_TRAPPED",
        (5, libc::SIGCHLD) => "CLD_STOPPED",
        (6, libc::SIGCHLD) => "CLD_CONTINUED",
        (1, libc::SIGSEGV) => "SEGV_MAPERR",
        (2, libc::SIGSEGV) => "SEGV_ACCERR",
        (1, libc::SIGBUS) => "BUS_ADRALN",
        (2, libc::SIGBUS) => "BUS_ADRERR",
        (1, libc::SIGTRAP) => "TRAP_BRKPT",
        (2, libc::SIGTRAP) => "TRAP_TRACE",
        (1, libc::SIGFPE) => "FPE_INTDIV",
        (1, libc::SIGILL) => "ILL_ILLOPC",
        _ => return None,
    })
}

/// CPU time in clock ticks as strace shows it: `0`, or `3 /* 0.03 s */`.
pub(crate) fn clock_ticks(ticks: i64) -> Value {
    if ticks == 0 {
        return Value::Int(0);
    }
    // The kernel reports these in USER_HZ ticks, 100 per second on x86_64.
    const USER_HZ: f64 = 100.0;
    Value::Symbol(format!("{ticks} /* {:.2} s */", ticks as f64 / USER_HZ))
}

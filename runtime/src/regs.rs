//! Register changes at syscall stops: rewriting or skipping a call at entry, setting its
//! return value at exit, and keeping `CLONE_UNTRACED` from letting a child escape.

use crate::Error;
use crate::linux::Syscall;
use crate::memory::Memory;
use nix::errno::Errno as NixErrno;
use nix::sys::ptrace;
use nix::unistd::Pid;

/// At a syscall-enter or seccomp stop, puts `call`'s number and arguments in the registers
/// (in the i386 argument registers for an i386 call), or with `skip = Some((-1, value))`
/// makes the kernel skip the call, leaving `value` as its return value.
pub(crate) fn set_syscall(tid: Pid, call: &Syscall, skip: Option<(i64, i64)>) -> Result<(), Error> {
    update_regs(tid, |regs| match skip {
        Some((number, value)) => {
            regs.orig_rax = number as u64;
            regs.rax = value as u64;
        }
        None => {
            regs.orig_rax = call.number() as u64;
            let [a0, a1, a2, a3, a4, a5] = call.to_args();
            if matches!(call, Syscall::I386(_)) {
                (regs.rbx, regs.rcx, regs.rdx, regs.rsi, regs.rdi, regs.rbp) =
                    (a0, a1, a2, a3, a4, a5);
            } else {
                (regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9) =
                    (a0, a1, a2, a3, a4, a5);
            }
        }
    })
}

/// Removes `CLONE_UNTRACED` from a `clone` or `clone3` about to run, so that no child
/// escapes the tracer. Returns whether the flag was there.
pub(crate) fn strip_untraced(tid: Pid, call: &mut Syscall) -> Result<bool, Error> {
    const UNTRACED: u64 = libc::CLONE_UNTRACED as u64;
    match call {
        Syscall::Clone(clone) if clone.flags.0 & UNTRACED != 0 => {
            clone.flags.0 &= !UNTRACED;
            set_syscall(tid, call, None)?;
            Ok(true)
        }
        Syscall::Clone3(clone3) => {
            // `flags` is the first field of struct clone_args.
            let memory = Memory::new(tid);
            match memory.read_pod::<u64>(clone3.cl_args.addr) {
                Ok(flags) if flags & UNTRACED != 0 => {
                    // A failed write leaves a call the kernel rejects with EFAULT anyway.
                    let _ = memory.write_pod(clone3.cl_args.addr, &(flags & !UNTRACED));
                    Ok(true)
                }
                _ => Ok(false),
            }
        }
        _ => Ok(false),
    }
}

/// Sets the return value at a syscall-exit stop.
pub(crate) fn set_return(tid: Pid, value: i64) -> Result<(), Error> {
    update_regs(tid, |regs| regs.rax = value as u64)
}

fn update_regs(tid: Pid, change: impl FnOnce(&mut libc::user_regs_struct)) -> Result<(), Error> {
    let mut regs = match ptrace::getregs(tid) {
        Ok(regs) => regs,
        Err(NixErrno::ESRCH) => return Ok(()),
        Err(e) => return Err(Error::tracee("PTRACE_GETREGS", tid, e)),
    };
    change(&mut regs);
    match ptrace::setregs(tid, regs) {
        Ok(()) | Err(NixErrno::ESRCH) => Ok(()),
        Err(e) => Err(Error::tracee("PTRACE_SETREGS", tid, e)),
    }
}

//! vDSO suppression.
//!
//! `clock_gettime`, `gettimeofday`, `time` and `getcpu` normally run in the vDSO without
//! entering the kernel, so no tracer sees them. At the `PTRACE_EVENT_EXEC` stop the new
//! program has not run yet; its auxiliary vector sits on its stack above `argv` and `envp`.
//! Turning the `AT_SYSINFO_EHDR` entry into `AT_IGNORE` makes the C library (glibc, dynamic
//! or static) believe there is no vDSO and make real syscalls, which then trap. The
//! mapping itself stays, and the kernel's copy in `/proc/PID/auxv` is unchanged.

#![deny(clippy::arithmetic_side_effects)]

use crate::Errno;
use crate::memory::{Memory, ReadMemory};
use nix::sys::ptrace;
use nix::unistd::Pid;

const WORD: u64 = 8;
/// Bound on the words walked, so a corrupt stack cannot keep the tracer busy.
const MAX_WORDS: usize = 1 << 20;

/// Hides the vDSO from the program `pid` has just executed. Returns whether an
/// `AT_SYSINFO_EHDR` entry was found and rewritten.
///
/// # Errors
/// `ESRCH` if the tracee is gone, `EFAULT` if its stack cannot be read.
pub fn suppress(pid: Pid) -> Result<bool, Errno> {
    let regs = ptrace::getregs(pid).map_err(|e| Errno::new(e as i32))?;
    let memory = Memory::new(pid);
    let mut at = regs.rsp;
    let argc = memory.read_words(at, 1)?[0];
    // Skip argc, argv[argc] and its NULL. argc is the program's to set: check the sums.
    let step = |at: u64, words: u64| {
        words
            .checked_mul(WORD)
            .and_then(|bytes| at.checked_add(bytes))
            .ok_or(Errno::EFAULT)
    };
    at = step(at, argc.checked_add(2).ok_or(Errno::EFAULT)?)?;
    // Skip envp up to its NULL.
    let mut ended = false;
    for _ in 0..=MAX_WORDS {
        let word = memory.read_words(at, 1)?[0];
        at = step(at, 1)?;
        if word == 0 {
            ended = true;
            break;
        }
    }
    if !ended {
        return Err(Errno::EFAULT);
    }
    // Walk the (type, value) pairs up to AT_NULL.
    for _ in 0..MAX_WORDS {
        let pair = memory.read_words(at, 2)?;
        match pair[0] {
            libc::AT_NULL => return Ok(false),
            libc::AT_SYSINFO_EHDR => {
                memory.write(at, &libc::AT_IGNORE.to_ne_bytes())?;
                return Ok(true);
            }
            _ => at = step(at, 2)?,
        }
    }
    Err(Errno::EFAULT)
}

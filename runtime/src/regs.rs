//! Register changes at syscall stops: rewriting or skipping a call at entry, setting its
//! return value at exit, and keeping every clone from making a child that escapes the
//! tracer (`CLONE_UNTRACED`).

#![deny(clippy::arithmetic_side_effects)]

use crate::linux::{self, Call, I386, Syscall, Unknown};
use crate::memory::{AddressSpace, Memory, ReadMemory};
use crate::{Errno, Error};
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

/// What [`strip_untraced`] did to a call about to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Untraced {
    /// The call asks for no untraced child (a `clone3` may have become a `clone`).
    Absent,
    /// It asked for `CLONE_UNTRACED`, which is gone from the call about to run.
    Removed,
    /// It must not run: the tracer answers it with this error, as a handler's `Err` is
    /// answered, and neither the handler nor the kernel sees it.
    Refused(Errno),
}

/// `CLONE_UNTRACED`: the child is not traced even by a tracer following clones.
const UNTRACED: u64 = libc::CLONE_UNTRACED as u64;
/// i386 `clone` and `clone3` (`asm/unistd_32.h`).
const I386_CLONE: i64 = 120;
const I386_CLONE3: i64 = 435;
/// x32 `clone` and `clone3`.
const X32_CLONE: i64 = 0x4000_0000 | libc::SYS_clone;
const X32_CLONE3: i64 = 0x4000_0000 | libc::SYS_clone3;

/// Makes sure no `clone` or `clone3` about to run makes a child the tracer does not hold,
/// by construction, with nothing left for another thread to change:
/// - `clone` (x86_64, i386 through `int 0x80`, or x32) has its flags in a register,
///   private to the stopped thread: `CLONE_UNTRACED` is cleared there.
/// - `clone3` has them in `struct clone_args`, in memory another thread can rewrite
///   between any check and the kernel's read. The struct is read once and the call is
///   rewritten, in the registers, into the `clone` that does the same (see
///   [`CloneArgs::as_clone`]), without `CLONE_UNTRACED`; the kernel then never reads the
///   struct. A `clone3` that `clone` cannot express is refused: the kernel must not run
///   it. `ENOSYS` is what a kernel without `clone3` answers, on which glibc's
///   `pthread_create` and `posix_spawn` go on with `clone`. An x32 `clone3` is always
///   refused.
///
/// `call` becomes the call that runs (`clone` for a rewritten `clone3`), so the handler
/// decides on what the kernel will use.
pub(crate) fn strip_untraced(tid: Pid, call: &mut Syscall) -> Result<Untraced, Error> {
    let flags = match call {
        Syscall::Clone(clone) => &mut clone.flags.0,
        // i386 clone(flags, stack, parent_tid, tls, child_tid): flags in ebx.
        Syscall::I386(I386 {
            number: I386_CLONE,
            args,
        }) => &mut args[0],
        // x32: the x86_64 number with __X32_SYSCALL_BIT, where the kernel has that ABI.
        Syscall::Unknown(Unknown {
            number: X32_CLONE,
            args,
        }) => &mut args[0],
        Syscall::Clone3(_)
        | Syscall::I386(I386 {
            number: I386_CLONE3,
            ..
        }) => return clone3_as_clone(tid, call),
        Syscall::Unknown(Unknown {
            number: X32_CLONE3, ..
        }) => return Ok(Untraced::Refused(Errno::ENOSYS)),
        _ => return Ok(Untraced::Absent),
    };
    if *flags & UNTRACED == 0 {
        return Ok(Untraced::Absent);
    }
    *flags &= !UNTRACED;
    set_syscall(tid, call, None)?;
    Ok(Untraced::Removed)
}

/// Rewrites an x86_64 or i386 `clone3` into the `clone` that does the same, its struct
/// read once, or refuses it.
fn clone3_as_clone(tid: Pid, call: &mut Syscall) -> Result<Untraced, Error> {
    let i386 = matches!(call, Syscall::I386(_));
    let [cl_args, size, ..] = call.to_args();
    // The i386 ABI takes the low 32 bits of each register, and its clone a 32-bit stack.
    let (cl_args, size, stack_limit) = if i386 {
        (
            cl_args & 0xffff_ffff,
            size & 0xffff_ffff,
            u64::from(u32::MAX),
        )
    } else {
        (cl_args, size, u64::MAX)
    };
    let asked = match CloneArgs::read(&Memory::new(tid), cl_args, size)
        .and_then(|args| args.as_clone(size, stack_limit))
    {
        Ok(asked) => asked,
        Err(errno) => return Ok(Untraced::Refused(errno)),
    };
    // Only the registers of clone3's own two arguments change (rdi and rsi, or ebx and
    // ecx): the caller may be keeping anything in the others (see `CloneArgs::as_clone`).
    let mut now = None;
    update_regs(tid, |regs| {
        now = Some(if i386 {
            regs.orig_rax = I386_CLONE as u64;
            (regs.rbx, regs.rcx) = (asked.flags, asked.stack);
            let args = [regs.rbx, regs.rcx, regs.rdx, regs.rsi, regs.rdi, regs.rbp];
            Syscall::I386(I386 {
                number: I386_CLONE,
                args,
            })
        } else {
            regs.orig_rax = libc::SYS_clone as u64;
            (regs.rdi, regs.rsi) = (asked.flags, asked.stack);
            let args = [regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9];
            Syscall::Clone(linux::Clone::from_args(args))
        });
    })?;
    if let Some(now) = now {
        *call = now;
    }
    Ok(if asked.untraced {
        Untraced::Removed
    } else {
        Untraced::Absent
    })
}

/// `struct clone_args` of `linux/sched.h`, all the fields Linux 6.18 knows
/// (`CLONE_ARGS_SIZE_VER2`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

/// The two registers of the `clone` that does what a `clone3` asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AsClone {
    /// The flags word, `flags | exit_signal`, without `CLONE_UNTRACED`.
    pub(crate) flags: u64,
    /// The top of the child's stack (clone3 takes the base and the size), or 0.
    pub(crate) stack: u64,
    /// The `clone3` asked for `CLONE_UNTRACED`.
    pub(crate) untraced: bool,
}

/// Sizes of `struct clone_args` versions.
const CLONE_ARGS_SIZE_VER0: u64 = 64;
const CLONE_ARGS_SIZE_VER2: u64 = 88;
/// Flags beyond the 32 bits of `clone`'s flags word (`linux/sched.h`).
const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;
/// The low byte of `clone`'s flags word is the exit signal; clone3 reuses one bit of it.
const CSIGNAL: u64 = 0xff;
const CLONE_NEWTIME: u64 = 0x80;
/// Fields `clone` takes in registers other than its first two: `parent_tid` (also where
/// it puts a pidfd), `child_tid` and `tls`, each read only with its flag.
const REGISTER_FLAGS: u64 = (libc::CLONE_PARENT_SETTID
    | libc::CLONE_PIDFD
    | libc::CLONE_CHILD_SETTID
    | libc::CLONE_CHILD_CLEARTID
    | libc::CLONE_SETTLS) as u64;

impl CloneArgs {
    /// Reads the struct once, checking its size as `clone3` does: at least
    /// `CLONE_ARGS_SIZE_VER0`, at most a page, and zero past the fields the kernel knows.
    pub(crate) fn read(
        memory: &dyn AddressSpace,
        addr: u64,
        size: u64,
    ) -> Result<CloneArgs, Errno> {
        if size > 4096 {
            return Err(Errno::new(libc::E2BIG));
        }
        if size < CLONE_ARGS_SIZE_VER0 {
            return Err(Errno::EINVAL);
        }
        let bytes = memory.read(addr, size as usize)?;
        Self::from_bytes(&bytes)
    }

    /// Decodes `bytes`, as long as the program gave (short versions read as zero).
    fn from_bytes(bytes: &[u8]) -> Result<CloneArgs, Errno> {
        let known = CLONE_ARGS_SIZE_VER2 as usize;
        if bytes.len() > known && bytes[known..].iter().any(|&b| b != 0) {
            return Err(Errno::new(libc::E2BIG));
        }
        let mut words = [0u64; 11];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
            *word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        }
        let [
            flags,
            pidfd,
            child_tid,
            parent_tid,
            exit_signal,
            stack,
            stack_size,
            tls,
            set_tid,
            set_tid_size,
            cgroup,
        ] = words;
        Ok(CloneArgs {
            flags,
            pidfd,
            child_tid,
            parent_tid,
            exit_signal,
            stack,
            stack_size,
            tls,
            set_tid,
            set_tid_size,
            cgroup,
        })
    }

    /// The `clone` that does what this `clone3` (of struct size `size`) asks, or the error
    /// to answer instead:
    /// - what `clone3` itself rejects (kernel/fork.c, `copy_clone_args_from_user` and
    ///   `clone3_args_valid`), with its error, `EINVAL`;
    /// - `ENOSYS` for what `clone` cannot express: `set_tid`, `CLONE_CLEAR_SIGHAND`,
    ///   `CLONE_INTO_CGROUP`, `CLONE_NEWTIME` (a bit of clone's exit-signal byte), a stack
    ///   top above `stack_limit` (the i386 `clone` takes 32 bits);
    /// - `ENOSYS` for a call needing `parent_tid`, a pidfd, `child_tid` or `tls`. `clone`
    ///   takes those in rdx, r10 and r8 (edx, edi and esi on i386), and the caller may be
    ///   keeping something there across the call: glibc's `clone3` wrapper keeps the new
    ///   thread's function in rdx and its argument in r8, and the child calls them. Only
    ///   the registers of clone3's own two arguments can change under the caller. glibc
    ///   then makes its threads with `clone`; a fork-like `clone3` or `posix_spawn`'s
    ///   (`CLONE_VM | CLONE_VFORK` on a new stack) needs none of them and is rewritten.
    pub(crate) fn as_clone(&self, size: u64, stack_limit: u64) -> Result<AsClone, Errno> {
        const MAX_PID_NS_LEVEL: u64 = 32;
        const NSIG: u64 = 64;
        let flags = self.flags;
        let clone3_flags = CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP;
        let both = |a: i32, b: u64| flags & (a as u64 | b) == a as u64 | b;
        let invalid = self.set_tid_size > MAX_PID_NS_LEVEL
            || (self.set_tid == 0) != (self.set_tid_size == 0)
            || self.exit_signal > NSIG
            || (flags & CLONE_INTO_CGROUP != 0
                && (self.cgroup > i32::MAX as u64 || size < CLONE_ARGS_SIZE_VER2))
            || flags & !(0xffff_ffff | clone3_flags) != 0
            || flags & (libc::CLONE_DETACHED as u64 | (CSIGNAL & !CLONE_NEWTIME)) != 0
            || both(libc::CLONE_SIGHAND, CLONE_CLEAR_SIGHAND)
            || (flags & (libc::CLONE_THREAD | libc::CLONE_PARENT) as u64 != 0
                && self.exit_signal != 0)
            || (self.stack == 0) != (self.stack_size == 0);
        let top = match self.stack {
            0 => Some(0),
            base => base.checked_add(self.stack_size),
        };
        let Some(top) = top.filter(|_| !invalid) else {
            return Err(Errno::EINVAL);
        };
        if self.set_tid_size != 0
            || flags & (clone3_flags | CLONE_NEWTIME | REGISTER_FLAGS) != 0
            || top > stack_limit
        {
            return Err(Errno::ENOSYS);
        }
        Ok(AsClone {
            flags: (flags & !UNTRACED) | self.exit_signal,
            stack: top,
            untraced: flags & UNTRACED != 0,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    const VM: u64 = libc::CLONE_VM as u64;
    const VFORK: u64 = libc::CLONE_VFORK as u64;
    const SIGCHLD: u64 = libc::SIGCHLD as u64;

    fn fork_like() -> CloneArgs {
        CloneArgs {
            exit_signal: SIGCHLD,
            ..CloneArgs::default()
        }
    }

    fn run_as_clone(args: CloneArgs) -> Result<AsClone, Errno> {
        args.as_clone(CLONE_ARGS_SIZE_VER2, u64::MAX)
    }

    #[test]
    fn fork_like_clone3_becomes_clone_without_untraced() {
        assert_eq!(
            run_as_clone(fork_like()),
            Ok(AsClone {
                flags: SIGCHLD,
                stack: 0,
                untraced: false
            })
        );
        let untraced = CloneArgs {
            flags: UNTRACED,
            ..fork_like()
        };
        assert_eq!(
            run_as_clone(untraced),
            Ok(AsClone {
                flags: SIGCHLD,
                stack: 0,
                untraced: true
            })
        );
    }

    #[test]
    fn posix_spawn_clone3_gets_the_top_of_its_stack() {
        // What glibc's posix_spawn asks for.
        let spawn = CloneArgs {
            flags: VM | VFORK,
            stack: 0x7f00_0000_0000,
            stack_size: 0x9000,
            ..fork_like()
        };
        assert_eq!(
            run_as_clone(spawn),
            Ok(AsClone {
                flags: VM | VFORK | SIGCHLD,
                stack: 0x7f00_0000_9000,
                untraced: false
            })
        );
    }

    #[test]
    fn what_clone_cannot_express_is_refused_with_enosys() {
        let thread = (libc::CLONE_VM
            | libc::CLONE_FS
            | libc::CLONE_FILES
            | libc::CLONE_SIGHAND
            | libc::CLONE_THREAD
            | libc::CLONE_SYSVSEM) as u64;
        let on_stack = CloneArgs {
            stack: 0x7f00_0000_0000,
            stack_size: 0x8000,
            ..fork_like()
        };
        for flag in [
            libc::CLONE_SETTLS,
            libc::CLONE_PARENT_SETTID,
            libc::CLONE_CHILD_CLEARTID,
            libc::CLONE_CHILD_SETTID,
            libc::CLONE_PIDFD,
        ] {
            let args = CloneArgs {
                flags: flag as u64,
                ..on_stack
            };
            assert_eq!(run_as_clone(args), Err(Errno::ENOSYS), "{flag:#x}");
        }
        // glibc's pthread_create.
        let pthread = CloneArgs {
            flags: thread | REGISTER_FLAGS & !(libc::CLONE_PIDFD | libc::CLONE_CHILD_SETTID) as u64,
            exit_signal: 0,
            ..on_stack
        };
        assert_eq!(run_as_clone(pthread), Err(Errno::ENOSYS));
        for flags in [CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP, CLONE_NEWTIME] {
            let args = CloneArgs {
                flags,
                ..fork_like()
            };
            assert_eq!(run_as_clone(args), Err(Errno::ENOSYS), "{flags:#x}");
        }
        let set_tid = CloneArgs {
            set_tid: 0x1000,
            set_tid_size: 1,
            ..fork_like()
        };
        assert_eq!(run_as_clone(set_tid), Err(Errno::ENOSYS));
        // The i386 clone takes a 32-bit stack pointer.
        assert_eq!(
            on_stack.as_clone(88, u64::from(u32::MAX)),
            Err(Errno::ENOSYS)
        );
    }

    #[test]
    fn what_clone3_rejects_is_refused_with_its_error() {
        let invalid = [
            // The low byte of flags is clone's exit signal, not a clone3 flag.
            CloneArgs {
                flags: SIGCHLD,
                ..fork_like()
            },
            CloneArgs {
                flags: libc::CLONE_DETACHED as u64,
                ..fork_like()
            },
            CloneArgs {
                flags: 1 << 40,
                ..fork_like()
            },
            CloneArgs {
                exit_signal: 65,
                ..fork_like()
            },
            CloneArgs {
                flags: libc::CLONE_THREAD as u64,
                ..fork_like()
            },
            CloneArgs {
                flags: libc::CLONE_SIGHAND as u64 | CLONE_CLEAR_SIGHAND,
                ..fork_like()
            },
            CloneArgs {
                stack: 0x1000,
                ..fork_like()
            },
            CloneArgs {
                stack_size: 0x1000,
                ..fork_like()
            },
            CloneArgs {
                stack: u64::MAX - 0xfff,
                stack_size: 0x2000,
                ..fork_like()
            },
            CloneArgs {
                set_tid_size: 1,
                ..fork_like()
            },
            CloneArgs {
                set_tid: 0x1000,
                set_tid_size: 33,
                ..fork_like()
            },
            CloneArgs {
                flags: CLONE_INTO_CGROUP,
                cgroup: 1 << 31,
                ..fork_like()
            },
        ];
        for args in invalid {
            assert_eq!(run_as_clone(args), Err(Errno::EINVAL), "{args:?}");
        }
        // CLONE_INTO_CGROUP needs the struct's third version, which has the cgroup field.
        let into_cgroup = CloneArgs {
            flags: CLONE_INTO_CGROUP,
            ..fork_like()
        };
        assert_eq!(
            into_cgroup.as_clone(CLONE_ARGS_SIZE_VER0, u64::MAX),
            Err(Errno::EINVAL)
        );
    }

    #[test]
    fn struct_sizes_are_checked_as_clone3_checks_them() {
        let mut bytes = vec![0u8; 96];
        bytes[0..8].copy_from_slice(&UNTRACED.to_le_bytes());
        bytes[32..40].copy_from_slice(&SIGCHLD.to_le_bytes());
        let expected = CloneArgs {
            flags: UNTRACED,
            ..fork_like()
        };
        // Zero past the fields the kernel knows: fine; a short first version: fine.
        assert_eq!(CloneArgs::from_bytes(&bytes), Ok(expected));
        assert_eq!(CloneArgs::from_bytes(&bytes[..64]), Ok(expected));
        bytes[90] = 1;
        assert_eq!(CloneArgs::from_bytes(&bytes), Err(Errno::new(libc::E2BIG)));
    }
}

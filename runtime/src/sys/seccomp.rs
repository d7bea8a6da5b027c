//! The seccomp-bpf interest filter: trap the chosen syscalls (`SECCOMP_RET_TRACE`, which
//! becomes a `PTRACE_EVENT_SECCOMP` stop), let everything else run with no stop at all.

/// `AUDIT_ARCH_X86_64`.
pub const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
/// Offsets into `struct seccomp_data`.
const NR_OFFSET: u32 = 0;
const ARCH_OFFSET: u32 = 4;
/// The low 32 bits of the first argument (little-endian `args[0]`).
const ARG0_LOW_OFFSET: u32 = 16;
/// x32 syscalls have this bit set in their number.
const X32_BIT: u32 = 0x4000_0000;
/// `SECCOMP_RET_DATA` of i386 calls, so the tracer can tell them apart at once.
pub(crate) const DATA_I386: u32 = 0x7e11;
/// `SECCOMP_RET_DATA` of this filter's other traps. A program's own filter that returns
/// `SECCOMP_RET_TRACE` reports its own data, so the tracer can tell the two apart.
pub const DATA_OURS: u32 = 0x7e10;

/// Which syscalls stop.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interest {
    /// x86_64 numbers that stop.
    pub numbers: Vec<u32>,
    /// Numbers the table does not know also stop.
    pub unknown: bool,
    /// Every number the table knows, needed when `unknown` is set.
    pub known: Vec<u32>,
}

/// A compiled filter, ready to install.
pub struct Filter {
    program: Vec<libc::sock_filter>,
}

fn stmt(code: u32, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u32, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    }
}

impl Filter {
    /// Builds the program:
    /// - i386 calls (another audit arch) and x32 calls always trap;
    /// - `restart_syscall` always runs (it resumes a call already decided);
    /// - then each chosen number traps; with `unknown`, each known number not chosen runs
    ///   and the rest traps.
    ///
    /// Each comparison is followed by its own return, so no jump is longer than one
    /// instruction however long the list is.
    pub fn new(interest: &Interest) -> Filter {
        let ret = |action: u32| stmt(libc::BPF_RET | libc::BPF_K, action);
        let trace = ret(libc::SECCOMP_RET_TRACE | DATA_OURS);
        let allow = ret(libc::SECCOMP_RET_ALLOW);
        let mut program = vec![
            stmt(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, ARCH_OFFSET),
            jump(
                libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K,
                AUDIT_ARCH_X86_64,
                1,
                0,
            ),
            ret(libc::SECCOMP_RET_TRACE | DATA_I386),
            stmt(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, NR_OFFSET),
            jump(libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K, X32_BIT, 0, 1),
            trace,
            jump(
                libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K,
                libc::SYS_restart_syscall as u32,
                0,
                1,
            ),
            allow,
        ];
        // CLONE_UNTRACED would let a child escape the tracer: a clone carrying it always
        // traps (the tracer strips the flag), and clone3, whose flags are in memory the
        // filter cannot read, always traps.
        let clone = libc::SYS_clone as u32;
        let clone3 = libc::SYS_clone3 as u32;
        if !interest.numbers.contains(&clone) {
            program.extend([
                jump(libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K, clone, 0, 4),
                stmt(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, ARG0_LOW_OFFSET),
                jump(
                    libc::BPF_JMP | libc::BPF_JSET | libc::BPF_K,
                    libc::CLONE_UNTRACED as u32,
                    0,
                    1,
                ),
                trace,
                allow,
            ]);
        }
        // seccomp itself always traps too: a program's filter with a listener
        // (SECCOMP_RET_USER_NOTIF) would outrank this one; and so do the calls that can
        // reach into the tracer itself (ptrace, process_vm_*, pidfd_open).
        let mut numbers = interest.numbers.clone();
        let always = [
            clone3,
            libc::SYS_seccomp as u32,
            libc::SYS_ptrace as u32,
            libc::SYS_process_vm_readv as u32,
            libc::SYS_process_vm_writev as u32,
            libc::SYS_pidfd_open as u32,
        ];
        for always in always {
            if !numbers.contains(&always) {
                numbers.push(always);
            }
        }
        let (listed, on_match, otherwise): (Vec<u32>, _, _) = if interest.unknown {
            let runs = interest
                .known
                .iter()
                .filter(|n| !numbers.contains(n) && **n != clone)
                .copied();
            (runs.collect(), allow, trace)
        } else {
            (numbers, trace, allow)
        };
        for number in listed {
            program.push(jump(
                libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K,
                number,
                0,
                1,
            ));
            program.push(on_match);
        }
        program.push(otherwise);
        Filter { program }
    }

    /// `PR_SET_NO_NEW_PRIVS` then `seccomp(SECCOMP_SET_MODE_FILTER)` on the calling thread.
    /// Async-signal-safe: called in the forked child before exec. Returns false on failure
    /// (errno is set).
    pub fn install_in_child(&self) -> bool {
        let program = libc::sock_fprog {
            len: self.program.len() as u16,
            filter: self.program.as_ptr().cast_mut(),
        };
        // SAFETY: prctl and seccomp take plain values and a pointer to `program`, which
        // points into `self.program`; both live across the calls, and the kernel copies
        // the filter (seccomp(2)).
        unsafe {
            libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
                && libc::syscall(
                    libc::SYS_seccomp,
                    libc::SECCOMP_SET_MODE_FILTER,
                    0,
                    &program as *const libc::sock_fprog,
                ) == 0
        }
    }
}

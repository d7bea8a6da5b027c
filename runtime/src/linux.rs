//! The `Linux` trait: one `async` method per syscall of `syscalls.toml`, each forwarding the
//! call to the kernel unless a handler overrides it.

use crate::args::Decoder;
use crate::value::{SyscallInfo, Value};
use crate::{Interest, SysResult, Tracee};
use nix::unistd::Pid;

/// The typed arguments of one syscall, generated per `syscalls.toml` entry.
pub trait Call: Copy + Into<Syscall> {
    /// The table's description of this syscall.
    const INFO: &'static SyscallInfo;
    /// Builds the call from the six argument registers.
    fn from_args(args: [u64; 6]) -> Self;
    /// The six argument registers for this call (unused ones 0).
    fn to_args(&self) -> [u64; 6];
    /// Decodes argument `index` for rendering.
    fn decode_arg(&self, index: usize, d: &Decoder<'_>) -> Value;
    /// Whether argument `index` is shown, as strace leaves out arguments the call ignores
    /// (open's `mode` without `O_CREAT`); decided by the table's `shown_if`/`hidden_if`.
    fn shown(&self, index: usize) -> bool;
}

/// A syscall whose number `syscalls.toml` does not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// The x86_64 syscall number.
    pub number: i64,
    /// rdi, rsi, rdx, r10, r8, r9.
    pub args: [u64; 6],
}

impl From<Unknown> for Syscall {
    fn from(call: Unknown) -> Syscall {
        Syscall::Unknown(call)
    }
}

/// A syscall made with the 32-bit i386 ABI (`int 0x80`) by a 64-bit process. Its number
/// is from the i386 table (5 is `open` there, `fstat` on x86_64), so it is never treated
/// as the x86_64 call with the same number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I386 {
    /// The i386 syscall number (`asm/unistd_32.h`).
    pub number: i64,
    /// ebx, ecx, edx, esi, edi, ebp.
    pub args: [u64; 6],
}

impl From<I386> for Syscall {
    fn from(call: I386) -> Syscall {
        Syscall::I386(call)
    }
}

/// What happens to a signal about to be delivered to a tracee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalAction {
    /// Deliver it unchanged.
    Deliver,
    /// Deliver this signal instead.
    Replace(i32),
    /// Do not deliver it.
    Suppress,
}

/// The system calls of a traced process, one `async` method each, and the other events of
/// its life (start, exec, exit, signals).
///
/// Every syscall method's default body runs the call in the kernel unchanged, so an empty
/// `#[interpose::handler] impl Linux for X {}` changes nothing. A handler overrides the calls
/// it cares about and, in each, decides:
/// - deny: `return Err(Errno::EACCES)`: the kernel never runs the call;
/// - emulate: `return Ok(value)`: the kernel never runs the call, the program gets `value`;
/// - pass: `return t.pass(call)`: the kernel runs the call (maybe with changed arguments)
///   and its result reaches the program; decided at entry, this costs one ptrace stop;
/// - forward: `let r = t.forward(call).await`: the kernel runs the call and the handler
///   gets the result to inspect or change before returning it; this costs a second stop.
///
/// Put `#[interpose::handler]` on the impl: it records the overridden methods in
/// [`OVERRIDES`](Linux::OVERRIDES), and the runtime installs a seccomp filter so every other
/// syscall runs without stopping at all. The impl does not compile without it, so a
/// forgotten attribute can never silently cost a stop per syscall:
///
/// ```compile_fail,E0046
/// use interpose_runtime::{Linux, SysResult, Tracee};
/// use interpose_runtime::linux::Openat;
///
/// struct Forgetful;
///
/// impl Linux for Forgetful { // error[E0046]: missing `OVERRIDES` in implementation
///     async fn openat(&self, t: &mut Tracee, call: Openat) -> SysResult {
///         t.pass(call)
///     }
/// }
/// ```
///
/// # What a sandbox built this way guarantees
/// - A call the filter traps cannot run before the handler has decided: the kernel holds the
///   thread at the seccomp stop. With no tracer (interpose killed), trapped calls fail with
///   `ENOSYS` rather than run, and `PTRACE_O_EXITKILL` kills the tracees anyway.
/// - Pointer arguments are not stable: a path read from tracee memory at entry can be
///   changed by another thread sharing that memory before the kernel reads it (TOCTOU),
///   and the kernel resolves it again, through whatever symlinks are there by then. A
///   policy that must hold against a hostile program emulates the call instead of
///   checking and passing it: read the arguments once, do the work in the tracer, and
///   return the result. For opens, [`Tracee::open_file`] resolves the path in the kernel
///   once (from the thread's root, cwd or dirfd, refusing magic links), the policy judges
///   the file really reached, and [`Tracee::install_fd`] hands the descriptor over
///   (`examples/sandbox.rs`; `tests/sandbox_escape_test.rs` flips the path from another
///   thread 10,000 times).
/// - `io_uring` performs I/O without syscalls once set up, `userfaultfd` can stall the
///   tracer's own reads of tracee memory, and namespaces, `chroot`, mounts and
///   `open_by_handle_at` change what a path means: a sandbox should refuse them (the table
///   traps each like any other call when overridden), as `examples/sandbox.rs` does.
/// - Calls made with the i386 ABI (`int 0x80`) always trap and arrive at
///   [`i386_syscall`](Linux::i386_syscall), never as the x86_64 call with that number; a
///   sandbox should deny them.
/// - `restart_syscall` always runs: it only resumes a call already decided.
/// - No traced program makes a child the tracer does not hold. `CLONE_UNTRACED` is cleared
///   in the registers of every `clone` (x86_64, i386, x32). A `clone3` is read once and
///   reaches the handler as the `clone` that does the same ([`clone`](Linux::clone), or
///   [`i386_syscall`](Linux::i386_syscall) number 120), which is what runs, so no other
///   thread can change it by rewriting the struct; a
///   `clone3` that `clone` cannot express without changing registers the caller may use
///   (`CLONE_SETTLS`, the tid pointers, a pidfd, `set_tid`, `CLONE_INTO_CGROUP`, ...)
///   fails with `ENOSYS` before any handler sees it, and glibc falls back to `clone`.
///
/// Methods take `&self` because several tracees can be inside handler methods at once (one
/// suspended on a forwarded `read` of a pipe while another writes it); keep handler state in
/// `Cell`/`RefCell`. The runtime drives the methods on its own single-threaded executor.
#[allow(async_fn_in_trait)]
#[interpose_macros::linux_syscalls("../../syscalls.toml")]
pub trait Linux {
    /// The names of the methods this impl overrides, written by `#[interpose::handler]`.
    /// Only these syscalls stop the tracee (unless a trace of every call is requested).
    const OVERRIDES: &'static [&'static str];

    /// The syscalls this handler wants to decide: only these stop the tracee (besides those
    /// a sink needs). By default the methods the impl overrides, as
    /// [`OVERRIDES`](Linux::OVERRIDES) records them, or every call when it overrides
    /// [`syscall`](Linux::syscall). Override it to choose at run time, from a command
    /// line for example; the methods of calls outside it are never called.
    fn interest(&self) -> Interest {
        if Self::OVERRIDES.contains(&"syscall") {
            Interest::all()
        } else {
            Interest::from_names(Self::OVERRIDES.iter().copied())
        }
    }

    /// Every syscall in [`interest`](Linux::interest) arrives here first; by default it
    /// goes on to its own method (`openat`, `read`, ...). Override it to handle calls
    /// generically, by number or by their decoded arguments, and call
    /// [`dispatch`] for the ones left to their methods.
    async fn syscall(&self, t: &mut Tracee, call: Syscall) -> SysResult {
        dispatch(self, t, call).await
    }

    /// A syscall number the table does not know. Runs unchanged by default.
    async fn unknown_syscall(&self, t: &mut Tracee, call: Unknown) -> SysResult {
        t.pass(call)
    }

    /// A syscall made with the i386 ABI (`int 0x80`). Runs unchanged by default.
    async fn i386_syscall(&self, t: &mut Tracee, call: I386) -> SysResult {
        t.pass(call)
    }

    /// A new traced process or thread `tid` (of process `pid`), before its first
    /// instruction.
    fn on_start(&self, tid: Pid, pid: Pid) {
        let _ = (tid, pid);
    }

    /// Thread `tid` has just executed a new program (its stack holds the new argv); the
    /// program has not run yet.
    fn on_exec(&self, tid: Pid) {
        let _ = tid;
    }

    /// Whether the program thread `tid` has just executed may run, asked after
    /// [`on_exec`](Linux::on_exec), before its first instruction. `false` kills its process
    /// with `SIGKILL` there. A policy judges here what the kernel really mapped
    /// (`/proc/PID/exe`, the ELF interpreter in `/proc/PID/maps`), which no other thread can
    /// change any more: a check of `execve`'s path at its entry decides on a name that
    /// can be pointed elsewhere before the kernel resolves it.
    fn allow_exec(&self, tid: Pid) -> bool {
        let _ = tid;
        true
    }

    /// Thread `tid` is gone; `status` is its raw wait status.
    fn on_exit(&self, tid: Pid, status: std::process::ExitStatus) {
        let _ = (tid, status);
    }

    /// Signal `signal` is about to be delivered to thread `tid`.
    fn on_signal(&self, tid: Pid, signal: i32) -> SignalAction {
        let _ = (tid, signal);
        SignalAction::Deliver
    }
}

/// The handler that changes nothing: every call runs unchanged. The CLI traces with it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Passthru;

#[interpose_macros::handler]
impl Linux for Passthru {}

impl Syscall {
    /// The syscall's name, or `syscall_0x1c3` (strace's spelling) for an unknown number.
    pub fn name(&self) -> std::borrow::Cow<'static, str> {
        match self.info() {
            Some(info) => info.name.into(),
            None => format!("syscall_{:#x}", self.number()).into(),
        }
    }

    /// How many arguments are shown: the table's count, or all six for an unknown number.
    pub fn arg_count(&self) -> usize {
        self.info().map_or(6, |i| i.args.len())
    }

    /// The table entry for `name`.
    pub fn by_name(name: &str) -> Option<&'static SyscallInfo> {
        SYSCALLS.iter().copied().find(|s| s.name == name)
    }
}

//! The `Linux` trait: one `async` method per syscall of `syscalls.toml`, each forwarding the
//! call to the kernel unless a handler overrides it.

use crate::args::Decoder;
use crate::value::{SyscallInfo, Value};
use crate::{SysResult, Tracee};

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
    pub number: i64,
    pub args: [u64; 6],
}

impl From<Unknown> for Syscall {
    fn from(call: Unknown) -> Syscall {
        Syscall::Unknown(call)
    }
}

/// The system calls of a traced process, one `async` method each.
///
/// Every method's default body forwards the call to the kernel unchanged, so an empty
/// `impl Linux for X {}` traces without changing anything. A handler overrides the calls it
/// cares about: return `Err(errno)` to deny (the kernel never runs the call), `Ok(value)` to
/// emulate, or change the call and `t.forward(call).await` to run it and look at the result.
///
/// Methods take `&self` because several tracees can be inside handler methods at once (one
/// suspended on a forwarded `read` of a pipe while another writes it); keep handler state in
/// `Cell`/`RefCell`. The runtime drives the methods on its own single-threaded executor.
#[allow(async_fn_in_trait)]
#[interpose_macros::linux_syscalls("../../syscalls.toml")]
pub trait Linux {
    /// A syscall number the table does not know. Forwarded by default.
    async fn unknown_syscall(&self, t: &mut Tracee, call: Unknown) -> SysResult {
        t.forward(call).await
    }
}

/// The handler that changes nothing: every call is forwarded. The CLI traces with it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Passthru;

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

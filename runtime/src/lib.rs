//! interpose's runtime: implement the Linux system calls of a traced process in Rust.
//!
//! # The model
//! A traced thread stops at each syscall twice: at the *syscall-enter stop*, before the
//! kernel runs the call, and at the *syscall-exit stop*, when the result is in its return
//! register (ptrace(2)). At the enter stop the runtime decodes the call from the registers
//! into a typed value ([`Syscall`], one variant per entry of `syscalls.toml`) and calls the
//! handler's method for it, an `async fn` of the [`Linux`] trait. The handler may return at
//! once, and the kernel never runs the call (deny with an errno, or emulate a result); or it
//! may [`forward`](Tracee::forward) the call, changed or not, and await the result, which
//! the exit stop delivers. While one tracee's handler waits, every other tracee is served.
//!
//! Other stops are handled as ptrace(2) names them: signal-delivery stops (the signal is
//! passed on), group-stops (kept stopped with `PTRACE_LISTEN`, so job control behaves as
//! without a tracer), and `PTRACE_EVENT_*` stops for fork, vfork, clone and exec. New
//! processes and threads are traced from their first instruction; at every exec the vDSO is
//! hidden so clock calls trap too ([`vdso`]).
//!
//! Decoding and rendering are separate steps: decoders produce [`Value`]s, and
//! [`render`] writes them in strace's notation.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod args;
mod attach;
mod command;
pub mod decode;
pub mod ebpf;
mod engine;
mod errno;
mod error;
pub mod events;
pub mod fds;
#[cfg(feature = "fuzzing")]
pub mod fuzz;
pub mod inject;
mod interest;
pub mod linux;
pub mod memory;
mod open;
pub mod output;
mod regs;
pub mod render;
pub mod structs;
mod sys;
mod tracee;
pub mod value;
pub mod vdso;

pub use attach::Attach;
pub use command::{Command, DEFAULT_STRING_LIMIT, Daemonize, Outcome, exit_like};
pub use engine::WaitStatus;
pub use errno::{Errno, SysResult};
pub use error::Error;
pub use interest::Interest;
pub use interpose_macros::handler;
pub use linux::{Call, Linux, Passthru, SYSCALLS, SignalAction, Syscall};
pub use memory::{AddressSpace, ReadMemory};
pub use nix::unistd::Pid;
pub use open::{OpenHow, Policy};
pub use sys::Pod;
pub use tracee::Tracee;
pub use value::{SyscallInfo, Value};

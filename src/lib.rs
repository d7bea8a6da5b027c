//! interpose: implement the Linux system calls of a traced process in safe Rust.
//!
//! Write a struct, implement [`Linux`] for it overriding the few syscalls you care about,
//! and run a program under it with [`Command`]; every syscall you do not override runs
//! natively. `syscalls.toml` describes every x86_64 syscall and generates the trait, the
//! typed call structs (`Openat`, `Read`, ...) and their decoders.
//!
//! ```no_run
//! use interpose::{Command, Errno, Linux, SysResult, Tracee};
//! use interpose::linux::Openat;
//!
//! struct NoShadow;
//!
//! #[interpose::handler]
//! impl Linux for NoShadow {
//!     async fn openat(&self, t: &mut Tracee, call: Openat) -> SysResult {
//!         if call.pathname.read(t)?.starts_with("/etc/shadow") {
//!             return Err(Errno::EACCES); // the kernel never runs it
//!         }
//!         t.forward(call).await // run it, hand back the result
//!     }
//! }
//!
//! let outcome = Command::new("cat").arg("/etc/shadow").trace(NoShadow)?;
//! println!("cat exited with {}", outcome.status);
//! # Ok::<(), interpose::Error>(())
//! ```
#![deny(unsafe_code)]

pub use interpose_runtime::*;

/// The README's examples, compiled as doctests so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

//! Typed syscall arguments.
//!
//! Each argument kind of `syscalls.toml` has a type here. A value is built from the raw
//! register ([`FromRaw`]), turned back into one when a call is forwarded ([`ToRaw`]), and
//! decoded into a [`Value`] for rendering ([`Decode`]). Pointer arguments hold only the address;
//! reading what they point to takes the tracee ([`Tracee`](crate::Tracee)) and can fail.
//!
//! The kinds live in one module per family: `scalar` values passed in the register,
//! `buffer`s and strings, struct pointers (`ptr`, `iovec`, `sockaddr`), execve's arrays
//! (`exec`); `decoder` is what decoding reads through and `inout` merges the two values
//! of an in-out argument.

#![deny(clippy::arithmetic_side_effects)]

mod buffer;
mod decoder;
mod exec;
mod inout;
mod iovec;
mod ptr;
mod scalar;
mod sockaddr;

pub use buffer::{CStrPtr, DecodeShown, InBuf, OutBuf, PathPtr, Show};
pub use decoder::Decoder;
pub use exec::{ArgvPtr, EnvpPtr};
pub use inout::in_and_out;
pub use iovec::IovecPtr;
pub use ptr::Ptr;
pub use scalar::{Addr, Dirfd, Fd, Gid, Hex, Mode, Pid, Signal, Uid};
pub use sockaddr::{SockaddrIn, SockaddrOut, SockaddrPtr};

use crate::value::Value;

/// The longest path the kernel accepts: `PATH_MAX` (4096) counts the terminating NUL.
const PATH_MAX: usize = 4095;

/// Builds an argument from its raw register value.
pub trait FromRaw: Sized {
    /// The argument a register holding `raw` passes. Types narrower than the register keep
    /// its low bits, as the kernel reads them.
    fn from_raw(raw: u64) -> Self;
}

/// Gives back the raw register value of an argument.
pub trait ToRaw {
    /// The register value that passes this argument; signed types are sign-extended.
    fn to_raw(&self) -> u64;
}

/// Decodes an argument for rendering.
pub trait Decode {
    /// The argument as a [`Value`], reading through `d` what it points to. Memory that
    /// cannot be read gives [`Value::Unreadable`], not an error: a trace shows bad pointers.
    fn decode(&self, d: &Decoder<'_>) -> Value;
}

/// Pointer newtypes and paired arguments share `ToRaw` on their address field.
macro_rules! addr_to_raw {
    ($($ty:ty => |$s:ident| $e:expr),* $(,)?) => {$(
        impl ToRaw for $ty {
            fn to_raw(&self) -> u64 {
                let $s = self;
                $e
            }
        }
    )*};
}

addr_to_raw! {
    PathPtr => |s| s.0,
    CStrPtr => |s| s.0,
    InBuf => |s| s.addr,
    OutBuf => |s| s.addr,
    IovecPtr => |s| s.addr,
    SockaddrIn => |s| s.0.addr,
    SockaddrOut => |s| s.0.addr,
    ArgvPtr => |s| s.0,
    EnvpPtr => |s| s.0,
}

impl FromRaw for PathPtr {
    fn from_raw(raw: u64) -> Self {
        PathPtr(raw)
    }
}
impl FromRaw for CStrPtr {
    fn from_raw(raw: u64) -> Self {
        CStrPtr(raw)
    }
}
impl FromRaw for ArgvPtr {
    fn from_raw(raw: u64) -> Self {
        ArgvPtr(raw)
    }
}
impl FromRaw for EnvpPtr {
    fn from_raw(raw: u64) -> Self {
        EnvpPtr(raw)
    }
}

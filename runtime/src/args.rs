//! Typed syscall arguments.
//!
//! Each argument kind of `syscalls.toml` has a type here. A value is built from the raw
//! register ([`FromRaw`]), turned back into one when a call is forwarded ([`ToRaw`]), and
//! decoded into a [`Value`] for rendering ([`Decode`]). Pointer arguments hold only the address;
//! reading what they point to takes the tracee ([`Tracee`]) and can fail.

#![deny(clippy::arithmetic_side_effects)]

use crate::memory::{AddressSpace, ReadMemory};
use crate::structs::StructDecode;
use crate::value::Value;
use crate::{Errno, Tracee};
use std::ffi::OsString;
use std::marker::PhantomData;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

/// The longest path the kernel accepts: `PATH_MAX` (4096) counts the terminating NUL.
const PATH_MAX: usize = 4095;
/// At most this many `argv` strings are decoded (the text trace shows them all under
/// `-v` by reading the array again; abbreviated, it shows as many as the string limit).
const MAX_ELEMENTS: usize = 64;

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

/// What decoding needs: the tracee's memory, the string limit and, at the syscall-exit
/// stop, the return value (out-buffers hold as many bytes as the call returned).
pub struct Decoder<'a> {
    /// The tracee's memory, where pointer arguments are read.
    pub memory: &'a dyn AddressSpace,
    /// Bytes of a string or buffer shown before `...` (strace's `-s`).
    pub string_limit: usize,
    /// The raw return value, at the syscall-exit stop.
    pub ret: Option<i64>,
}

impl Decoder<'_> {
    /// A NUL-terminated string at `addr`, cut at `limit` bytes.
    pub fn cstr(&self, addr: u64, limit: usize) -> Value {
        if addr == 0 {
            return Value::Null;
        }
        match self.memory.read_cstr(addr, limit) {
            Ok((bytes, complete)) => Value::Str { bytes, complete },
            Err(_) => Value::Unreadable(addr),
        }
    }

    /// `len` bytes at `addr`, cut at the string limit.
    pub fn bytes(&self, addr: u64, len: u64) -> Value {
        if addr == 0 {
            return Value::Null;
        }
        let shown = len.min(self.string_limit as u64) as usize;
        match self.memory.read(addr, shown) {
            Ok(bytes) => Value::Str {
                bytes,
                complete: shown as u64 == len,
            },
            Err(_) => Value::Unreadable(addr),
        }
    }

    /// At most `len` bytes at `addr` holding a path: as many as a path can have, whatever
    /// the string limit.
    pub fn path_bytes(&self, addr: u64, len: u64) -> Value {
        if addr == 0 {
            return Value::Null;
        }
        // The path and its NUL.
        let shown = len.min(PATH_MAX.saturating_add(1) as u64) as usize;
        match self.memory.read(addr, shown) {
            Ok(bytes) => Value::Str {
                bytes,
                complete: true,
            },
            Err(_) => Value::Unreadable(addr),
        }
    }

    /// The successful return value at the exit stop, if any.
    pub fn success(&self) -> Option<u64> {
        self.ret
            .and_then(|r| Errno::from_ret(r).ok())
            .map(|r| r as u64)
    }
}

macro_rules! int_args {
    ($($ty:ty => $variant:ident as $wide:ty),* $(,)?) => {$(
        impl FromRaw for $ty {
            fn from_raw(raw: u64) -> Self {
                raw as $ty
            }
        }
        impl ToRaw for $ty {
            fn to_raw(&self) -> u64 {
                *self as $wide as u64
            }
        }
        impl Decode for $ty {
            fn decode(&self, _: &Decoder<'_>) -> Value {
                Value::$variant(*self as $wide)
            }
        }
    )*};
}

int_args! {
    i32 => Int as i64,
    u32 => Uint as u64,
    i64 => Int as i64,
    u64 => Uint as u64,
    usize => Uint as u64,
}

/// Declares a newtype argument over an integer register value.
macro_rules! newtype_arg {
    ($(#[$doc:meta])* $name:ident($inner:ty), |$s:ident| $decode:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub $inner);

        impl FromRaw for $name {
            fn from_raw(raw: u64) -> Self {
                $name(raw as $inner)
            }
        }
        impl ToRaw for $name {
            fn to_raw(&self) -> u64 {
                self.0 as u64
            }
        }
        impl Decode for $name {
            fn decode(&self, _: &Decoder<'_>) -> Value {
                let $s = self;
                $decode
            }
        }
    };
}

newtype_arg!(
    /// A file descriptor.
    Fd(i32), |s| Value::Fd(s.0)
);
newtype_arg!(
    /// The directory fd of an `*at` call; `AT_FDCWD` means the working directory.
    Dirfd(i32), |s| Value::Dirfd(s.0)
);
newtype_arg!(
    /// Permission bits (`mode_t`), shown in octal.
    Mode(u32), |s| Value::Octal(u64::from(s.0))
);
newtype_arg!(
    /// A process or thread id.
    Pid(i32), |s| Value::Int(i64::from(s.0))
);
newtype_arg!(
    /// A user id; `-1` (all ones) means "unchanged" where the kernel allows it.
    Uid(u32), |s| if s.0 == u32::MAX { Value::Int(-1) } else { Value::Uint(u64::from(s.0)) }
);
newtype_arg!(
    /// A group id.
    Gid(u32), |s| if s.0 == u32::MAX { Value::Int(-1) } else { Value::Uint(u64::from(s.0)) }
);
newtype_arg!(
    /// A signal number.
    Signal(i32), |s| Value::Signal(s.0)
);
newtype_arg!(
    /// An integer best shown in hexadecimal.
    Hex(u64), |s| Value::Hex(s.0)
);
newtype_arg!(
    /// A pointer the table does not decode further.
    Addr(u64), |s| if s.0 == 0 { Value::Null } else { Value::Addr(s.0) }
);

/// A `const char *` path name in tracee memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PathPtr(pub u64);

impl PathPtr {
    /// Reads the path from the tracee. `EFAULT` when the pointer is bad and `ENAMETOOLONG`
    /// past `PATH_MAX`, as the kernel would answer, so a handler can pass the error on
    /// with `?`.
    pub fn read(&self, t: &Tracee) -> Result<PathBuf, Errno> {
        let (bytes, complete) = t.memory().read_cstr(self.0, PATH_MAX)?;
        if !complete {
            return Err(Errno::new(libc::ENAMETOOLONG));
        }
        Ok(PathBuf::from(OsString::from_vec(bytes)))
    }
}

/// A `const char *` string other than a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CStrPtr(pub u64);

impl CStrPtr {
    /// Reads the string (at most `limit` bytes) from the tracee.
    pub fn read(&self, t: &Tracee, limit: usize) -> Result<Vec<u8>, Errno> {
        Ok(t.memory().read_cstr(self.0, limit)?.0)
    }
}

/// A buffer the program passes to the kernel; `len` is the length argument's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InBuf {
    /// Address of the buffer in tracee memory.
    pub addr: u64,
    /// Its length in bytes.
    pub len: u64,
}

/// A buffer the kernel fills; `len` is its capacity, the return value says how much was
/// filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OutBuf {
    /// Address of the buffer in tracee memory.
    pub addr: u64,
    /// Its capacity in bytes.
    pub len: u64,
}

impl InBuf {
    /// The buffer of `len` bytes at `addr`.
    pub fn new(addr: u64, len: u64) -> Self {
        InBuf { addr, len }
    }

    /// Reads the whole buffer from the tracee.
    pub fn read(&self, t: &Tracee) -> Result<Vec<u8>, Errno> {
        t.memory().read(self.addr, self.len as usize)
    }
}

impl OutBuf {
    /// The buffer at `addr` with room for `len` bytes.
    pub fn new(addr: u64, len: u64) -> Self {
        OutBuf { addr, len }
    }

    /// Reads the first `n` bytes (the call's result) from the tracee.
    pub fn read(&self, t: &Tracee, n: usize) -> Result<Vec<u8>, Errno> {
        t.memory().read(self.addr, n.min(self.len as usize))
    }

    /// Writes `bytes` into the buffer (at most its capacity is written).
    pub fn write(&self, t: &Tracee, bytes: &[u8]) -> Result<(), Errno> {
        let n = bytes.len().min(self.len as usize);
        t.memory().write(self.addr, &bytes[..n])
    }
}

impl Decode for PathPtr {
    fn decode(&self, d: &Decoder<'_>) -> Value {
        d.cstr(self.0, PATH_MAX)
    }
}

impl Decode for CStrPtr {
    fn decode(&self, d: &Decoder<'_>) -> Value {
        d.cstr(self.0, d.string_limit)
    }
}

impl Decode for InBuf {
    fn decode(&self, d: &Decoder<'_>) -> Value {
        d.bytes(self.addr, self.len)
    }
}

impl Decode for OutBuf {
    fn decode(&self, d: &Decoder<'_>) -> Value {
        match d.success() {
            Some(n) => d.bytes(self.addr, n.min(self.len)),
            None if self.addr == 0 => Value::Null,
            None => Value::Addr(self.addr),
        }
    }
}

/// How a buffer's bytes are shown, as the table's `show` key says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Show {
    /// Always in hex (`show = "hex"`): random bytes, as strace shows getrandom's.
    Hex,
    /// A path: up to its NUL, never cut at the string limit (`show = "path"`: getcwd).
    Path,
}

/// Decodes a buffer shown otherwise than as a string (the table's `show` key).
pub trait DecodeShown {
    /// The buffer as a [`Value`], spelled as `show` says.
    fn decode_shown(&self, d: &Decoder<'_>, show: Show) -> Value;
}

/// A buffer decoded as a string, shown as `show` says: in hex, or up to the path's NUL.
fn shown(value: Value, show: Show) -> Value {
    match (value, show) {
        (Value::Str { bytes, complete }, Show::Hex) => Value::Bytes { bytes, complete },
        (Value::Str { mut bytes, .. }, Show::Path) => {
            if let Some(end) = bytes.iter().position(|&b| b == 0) {
                bytes.truncate(end);
            }
            Value::Str {
                bytes,
                complete: true,
            }
        }
        (value, _) => value,
    }
}

impl DecodeShown for InBuf {
    fn decode_shown(&self, d: &Decoder<'_>, show: Show) -> Value {
        let value = match show {
            Show::Hex => d.bytes(self.addr, self.len),
            Show::Path => d.path_bytes(self.addr, self.len),
        };
        shown(value, show)
    }
}

impl DecodeShown for OutBuf {
    fn decode_shown(&self, d: &Decoder<'_>, show: Show) -> Value {
        match (d.success(), show) {
            (Some(n), Show::Hex) => shown(d.bytes(self.addr, n.min(self.len)), show),
            (Some(n), Show::Path) => shown(d.path_bytes(self.addr, n.min(self.len)), show),
            _ => self.decode(d),
        }
    }
}

/// Fields of an in-out struct that the program sets and the kernel rewrites, shown as
/// `msg_namelen=110 => 16` when they changed.
const VALUE_RESULT_FIELDS: &[&str] = &["msg_namelen"];

/// An in-out argument (`dir = "inout"`) as strace shows it, from its values at the call's
/// entry and exit. A number the kernel changed is `[128 => 16]`, and so are the fields of
/// a struct the program sets and the kernel rewrites (`msg_namelen=110 => 16`);
/// otherwise what the kernel wrote back. When the call failed, an array (a length, the
/// pollfds) shows what the program passed, as strace prints those at entry; a struct
/// shows its address.
pub fn in_and_out(before: Value, after: Value, failed: bool) -> Value {
    let changed = |before: Value, after: Value| {
        if before == after {
            after
        } else {
            Value::Changed {
                before: Box::new(before),
                after: Box::new(after),
            }
        }
    };
    let is_number = |v: &[Value]| matches!(v, [Value::Int(_) | Value::Uint(_)]);
    match (before, after) {
        (before @ Value::Array { .. }, _) if failed => before,
        (_, after) if failed => after,
        (
            Value::Array {
                items: mut before,
                more: false,
            },
            Value::Array {
                items: mut after,
                more: false,
            },
        ) if is_number(&before) && is_number(&after) => {
            let (Some(before), Some(after)) = (before.pop(), after.pop()) else {
                unreachable!("one item each");
            };
            Value::Array {
                items: vec![changed(before, after)],
                more: false,
            }
        }
        (Value::Struct(before), Value::Struct(after)) => Value::Struct(
            after
                .into_iter()
                .map(|(name, value)| {
                    let old = before.iter().find(|(n, _)| *n == name);
                    match old {
                        Some((_, old)) if VALUE_RESULT_FIELDS.contains(&name) => {
                            (name, changed(old.clone(), value))
                        }
                        _ => (name, value),
                    }
                })
                .collect(),
        ),
        (_, after) => after,
    }
}

/// A pointer to one C struct of type `T` (see [`structs`](crate::structs)).
pub struct Ptr<T> {
    /// Address of the struct in tracee memory; 0 for NULL.
    pub addr: u64,
    marker: PhantomData<fn() -> T>,
}

impl<T> Ptr<T> {
    /// A pointer to the `T` at `addr`.
    pub fn new(addr: u64) -> Self {
        Ptr {
            addr,
            marker: PhantomData,
        }
    }

    /// True for NULL, which many calls accept as "no struct" (gettimeofday's `tz`).
    pub fn is_null(&self) -> bool {
        self.addr == 0
    }
}

impl<T: crate::sys::Pod> Ptr<T> {
    /// Reads the struct from the tracee.
    pub fn read(&self, t: &Tracee) -> Result<T, Errno> {
        t.memory().read_pod(self.addr)
    }

    /// Writes the struct into the tracee.
    pub fn write(&self, t: &Tracee, value: &T) -> Result<(), Errno> {
        t.memory().write_pod(self.addr, value)
    }
}

impl<T> Clone for Ptr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Ptr<T> {}
impl<T> PartialEq for Ptr<T> {
    fn eq(&self, other: &Self) -> bool {
        self.addr == other.addr
    }
}
impl<T> Eq for Ptr<T> {}
impl<T> std::fmt::Debug for Ptr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ptr({:#x})", self.addr)
    }
}

impl<T> FromRaw for Ptr<T> {
    fn from_raw(raw: u64) -> Self {
        Ptr::new(raw)
    }
}

impl<T: StructDecode> Decode for Ptr<T> {
    fn decode(&self, d: &Decoder<'_>) -> Value {
        if self.addr == 0 {
            return Value::Null;
        }
        // An out-struct of a failed call holds nothing worth showing.
        if d.ret.is_some_and(|r| Errno::from_ret(r).is_err()) {
            return Value::Addr(self.addr);
        }
        T::decode_at(d, self.addr).unwrap_or(Value::Unreadable(self.addr))
    }
}

/// A `struct iovec` array; `count` is the count argument's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IovecPtr {
    /// Address of the first `struct iovec` in tracee memory.
    pub addr: u64,
    /// Number of elements.
    pub count: u64,
}

impl IovecPtr {
    /// The array of `count` iovecs at `addr`.
    pub fn new(addr: u64, count: u64) -> Self {
        IovecPtr { addr, count }
    }

    /// Reads the `(base, len)` pairs of the array. More than `UIO_MAXIOV` (1024) of them
    /// is `EINVAL`, as the kernel answers, and nothing is read.
    pub fn read(&self, t: &Tracee) -> Result<Vec<(u64, u64)>, Errno> {
        self.read_from(t.memory())
    }

    /// [`read`](IovecPtr::read) from any address space.
    pub fn read_from(&self, memory: &dyn AddressSpace) -> Result<Vec<(u64, u64)>, Errno> {
        if self.count > UIO_MAXIOV {
            return Err(Errno::EINVAL);
        }
        read_iovecs(memory, self.addr, self.count as usize)
    }
}

/// The most iovecs a call takes (`linux/uio.h`).
const UIO_MAXIOV: u64 = 1024;

fn read_iovecs(
    memory: &dyn AddressSpace,
    addr: u64,
    count: usize,
) -> Result<Vec<(u64, u64)>, Errno> {
    let words = memory.read_words(addr, count.saturating_mul(2))?;
    Ok(words.chunks(2).map(|pair| (pair[0], pair[1])).collect())
}

impl Decode for IovecPtr {
    fn decode(&self, d: &Decoder<'_>) -> Value {
        if self.addr == 0 {
            return Value::Null;
        }
        let shown = self.count.min(UIO_MAXIOV) as usize;
        let Ok(iovecs) = read_iovecs(d.memory, self.addr, shown) else {
            return Value::Unreadable(self.addr);
        };
        // At exit (readv) only the bytes the call returned are data; at entry all are.
        let mut budget = match d.ret {
            Some(_) => d.success().unwrap_or(0),
            None => u64::MAX,
        };
        let failed = d.ret.is_some() && d.success().is_none();
        let items = iovecs
            .into_iter()
            .map(|(base, len)| {
                let base_value = if failed {
                    Value::Addr(base)
                } else {
                    let n = len.min(budget);
                    budget = budget.saturating_sub(n);
                    d.bytes(base, n)
                };
                Value::Struct(vec![
                    ("iov_base", base_value),
                    ("iov_len", Value::Uint(len)),
                ])
            })
            .collect();
        // strace cuts the array at the string limit unless told not to abbreviate.
        Value::abbreviable_array(items, self.count as usize > shown, d.string_limit)
    }
}

/// A `struct sockaddr *` with its length: the length value for addresses the program passes
/// in, a pointer to a `socklen_t` for addresses the kernel fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SockaddrPtr {
    /// Address of the `struct sockaddr` in tracee memory.
    pub addr: u64,
    /// The length argument: the length in bytes for [`SockaddrIn`], the address of a
    /// `socklen_t` for [`SockaddrOut`].
    pub len: u64,
}

impl SockaddrPtr {
    /// The address at `addr` with length argument `len`.
    pub fn new(addr: u64, len: u64) -> Self {
        SockaddrPtr { addr, len }
    }
}

/// A sockaddr the program passes in: `len` is the length itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SockaddrIn(pub SockaddrPtr);
/// A sockaddr the kernel fills: `len` points to the length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SockaddrOut(pub SockaddrPtr);

impl SockaddrIn {
    /// The address of `len` bytes at `addr`.
    pub fn new(addr: u64, len: u64) -> Self {
        SockaddrIn(SockaddrPtr::new(addr, len))
    }
}

impl SockaddrOut {
    /// The address at `addr`, with its length in the `socklen_t` at address `len`.
    pub fn new(addr: u64, len: u64) -> Self {
        SockaddrOut(SockaddrPtr::new(addr, len))
    }
}

impl Decode for SockaddrIn {
    fn decode(&self, d: &Decoder<'_>) -> Value {
        crate::structs::decode_sockaddr(d, self.0.addr, self.0.len)
    }
}

impl Decode for SockaddrOut {
    fn decode(&self, d: &Decoder<'_>) -> Value {
        if self.0.addr == 0 {
            return Value::Null;
        }
        if d.success().is_none() {
            return Value::Addr(self.0.addr);
        }
        match d.memory.read_pod::<u32>(self.0.len) {
            Ok(len) => crate::structs::decode_sockaddr(d, self.0.addr, u64::from(len)),
            Err(_) => Value::Unreadable(self.0.addr),
        }
    }
}

/// `char *const argv[]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArgvPtr(pub u64);

/// `char *const envp[]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EnvpPtr(pub u64);

/// execve's limits (fs/exec.c): a string takes at most `MAX_ARG_STRLEN` bytes with its
/// NUL, and the strings with their pointers at most 3/4 of `_STK_LIM`, the most any stack
/// limit allows; beyond them the kernel fails with `E2BIG`.
const MAX_ARG_STRLEN: usize = 32 * 4096;
const MAX_ARG_BYTES: usize = 6 << 20;

impl ArgvPtr {
    /// Reads every string of the array, as execve would: NULL is no string at all, and an
    /// array the kernel would refuse with `E2BIG` (a string over 128 KiB, or more than
    /// 6 MiB of strings and pointers) is refused here too, without reading further.
    pub fn read(&self, t: &Tracee) -> Result<Vec<Vec<u8>>, Errno> {
        self.read_from(t.memory())
    }

    /// [`read`](ArgvPtr::read) from any address space.
    pub fn read_from(&self, memory: &dyn AddressSpace) -> Result<Vec<Vec<u8>>, Errno> {
        if self.0 == 0 {
            return Ok(Vec::new());
        }
        const WORD: usize = std::mem::size_of::<u64>();
        let e2big = Errno::new(libc::E2BIG);
        let (pointers, more) = memory.read_pointer_array(self.0, MAX_ARG_BYTES / WORD)?;
        if more {
            return Err(e2big);
        }
        let mut budget = MAX_ARG_BYTES.saturating_sub(pointers.len().saturating_mul(WORD));
        let mut strings = Vec::with_capacity(pointers.len());
        for p in pointers {
            let (bytes, complete) = memory.read_cstr(p, MAX_ARG_STRLEN.saturating_sub(1))?;
            let size = bytes.len().saturating_add(1);
            if !complete || size > budget {
                return Err(e2big);
            }
            budget = budget.saturating_sub(size);
            strings.push(bytes);
        }
        Ok(strings)
    }
}

impl Decode for ArgvPtr {
    fn decode(&self, d: &Decoder<'_>) -> Value {
        if self.0 == 0 {
            return Value::Null;
        }
        match d.memory.read_pointer_array(self.0, MAX_ELEMENTS) {
            Ok((pointers, more)) => Value::abbreviable_array(
                pointers
                    .into_iter()
                    .map(|p| d.cstr(p, d.string_limit))
                    .collect(),
                more,
                d.string_limit,
            ),
            Err(_) => Value::Unreadable(self.0),
        }
    }
}

impl Decode for EnvpPtr {
    fn decode(&self, d: &Decoder<'_>) -> Value {
        if self.0 == 0 {
            return Value::Null;
        }
        match d.memory.count_pointer_array(self.0) {
            Ok(count) => Value::Env {
                addr: self.0,
                count,
            },
            Err(_) => Value::Unreadable(self.0),
        }
    }
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

impl<T> ToRaw for Ptr<T> {
    fn to_raw(&self) -> u64 {
        self.addr
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::Image;

    fn one(v: u64) -> Value {
        Value::Array {
            items: vec![Value::Uint(v)],
            more: false,
        }
    }

    #[test]
    fn in_out_numbers_show_both_values_when_the_kernel_changed_them() {
        let changed = in_and_out(one(128), one(16), false);
        let mut text = String::new();
        crate::render::value(&mut text, &changed);
        assert_eq!(text, "[128 => 16]");
        assert_eq!(in_and_out(one(16), one(16), false), one(16));
        // A failed call wrote nothing back: what the program passed, for an array.
        assert_eq!(in_and_out(one(16), Value::Addr(0x1000), true), one(16));
        let header = |namelen| Value::Struct(vec![("msg_namelen", Value::Uint(namelen))]);
        assert_eq!(
            in_and_out(header(110), Value::Addr(0x1000), true),
            Value::Addr(0x1000)
        );
        let mut text = String::new();
        crate::render::value(&mut text, &in_and_out(header(110), header(16), false));
        assert_eq!(text, "{msg_namelen=110 => 16}");
        // Structs show what the kernel wrote.
        let written = Value::Struct(vec![("a", Value::Int(1))]);
        assert_eq!(
            in_and_out(Value::Struct(vec![]), written.clone(), false),
            written
        );
    }

    /// An argv of `count` pointers, all to one string of `len` bytes, at 0x10000.
    fn argv_image(count: usize, len: usize) -> Image {
        let mut image = Image::new();
        let string_at = 0x1000_0000u64;
        let mut string = vec![b'x'; len];
        string.push(0);
        image.map(string_at, &string);
        let mut array: Vec<u8> = std::iter::repeat_n(string_at, count)
            .flat_map(u64::to_ne_bytes)
            .collect();
        array.extend_from_slice(&0u64.to_ne_bytes());
        image.map(0x10000, &array);
        image
    }

    /// An iovec count is the program's: 2^27 iovecs over a large mapping made a handler
    /// reading them allocate 2 GiB; the kernel takes at most 1024.
    #[test]
    fn iovec_arrays_are_read_within_the_kernels_limit() {
        let mut image = Image::new();
        let iovecs: Vec<u8> = [0x5000u64, 3, 0x6000, 4]
            .iter()
            .flat_map(|w| w.to_ne_bytes())
            .collect();
        image.map(0x4000, &iovecs);
        let read = |count| IovecPtr::new(0x4000, count).read_from(&image);
        assert_eq!(read(2), Ok(vec![(0x5000, 3), (0x6000, 4)]));
        assert_eq!(read(3), Err(Errno::EFAULT));
        assert_eq!(read(1025), Err(Errno::EINVAL));
        assert_eq!(read(1 << 27), Err(Errno::EINVAL));
        assert_eq!(read(u64::MAX), Err(Errno::EINVAL));
    }

    #[test]
    fn argv_is_read_within_execve_limits() {
        let read = |image: &Image| ArgvPtr(0x10000).read_from(image);
        assert_eq!(read(&argv_image(3, 5)), Ok(vec![b"xxxxx".to_vec(); 3]));
        assert_eq!(ArgvPtr(0).read_from(&Image::new()), Ok(Vec::new()));
        // The longest string execve takes, and one byte more.
        assert!(read(&argv_image(1, MAX_ARG_STRLEN - 1)).is_ok());
        assert_eq!(
            read(&argv_image(1, MAX_ARG_STRLEN)),
            Err(Errno::new(libc::E2BIG))
        );
        // A hostile program's argv: 100,000 pointers to one 100 KiB string would be 10 GB
        // of strings in the tracer; the kernel refuses it, and so does the reader, early.
        assert_eq!(
            read(&argv_image(100_000, 100 << 10)),
            Err(Errno::new(libc::E2BIG))
        );
        // More pointers than 6 MiB holds.
        assert_eq!(
            read(&argv_image(MAX_ARG_BYTES / 8 + 1, 0)),
            Err(Errno::new(libc::E2BIG))
        );
    }
}

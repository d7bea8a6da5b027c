//! The [`Decoder`]: what decoding an argument reads through (the tracee's memory, the
//! string limit, the return value) and its readers of strings and buffers.

use super::PATH_MAX;
use crate::Errno;
use crate::memory::{AddressSpace, ReadMemory};
use crate::value::Value;

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

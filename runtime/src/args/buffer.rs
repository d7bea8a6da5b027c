//! Strings and byte buffers in tracee memory: paths, C strings, in- and out-buffers,
//! and how a buffer is shown when the table says otherwise than as a string.

use super::{Decode, Decoder, PATH_MAX};
use crate::memory::ReadMemory;
use crate::value::Value;
use crate::{Errno, Tracee};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

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

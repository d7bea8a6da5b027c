//! `struct sockaddr` arguments with their lengths, passed in or filled by the kernel.

use super::{Decode, Decoder};
use crate::memory::ReadMemory;
use crate::value::Value;

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

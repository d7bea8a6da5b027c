//! [`Ptr`]: a pointer to one C struct, read, written and decoded as its type says.

use super::{Decode, Decoder, FromRaw, ToRaw};
use crate::memory::ReadMemory;
use crate::structs::StructDecode;
use crate::value::Value;
use crate::{Errno, Tracee};
use std::marker::PhantomData;

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

impl<T> ToRaw for Ptr<T> {
    fn to_raw(&self) -> u64 {
        self.addr
    }
}

//! execve's `argv` and `envp` arrays, read within execve's own limits.

use super::{Decode, Decoder};
use crate::memory::{AddressSpace, ReadMemory};
use crate::value::Value;
use crate::{Errno, Tracee};

/// At most this many `argv` strings are decoded (the text trace shows them all under
/// `-v` by reading the array again; abbreviated, it shows as many as the string limit).
const MAX_ELEMENTS: usize = 64;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::Image;

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

//! `struct iovec` arrays (readv, writev), read within the kernel's `UIO_MAXIOV`.

use super::{Decode, Decoder};
use crate::memory::{AddressSpace, ReadMemory};
use crate::value::Value;
use crate::{Errno, Tracee};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::Image;

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
}

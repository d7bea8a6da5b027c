//! select(2) and pselect6(2): the descriptor sets as strace shows them (`[3 4]`), pselect6's
//! signal mask argument, and what the result reports: the ready descriptors and the time
//! left, `= 2 (in [3], out [4], left {tv_sec=0, tv_nsec=999995062})`, or `= 0 (Timeout)`.

use super::{Bytes, RetDecoded, Value, pointer};
use crate::args::Decoder;
use crate::linux::{Pselect6, Select};
use crate::memory::ReadMemory;
use crate::structs::{StructDecode, Timespec, Timeval};

/// The kernel reads at most this many descriptors' bits (its `FD_SETSIZE` is larger, but a
/// trace has no use for more).
const MAX_FDS: u32 = 1 << 16;

/// The descriptors below `nfds` set in the `fd_set` at `addr`.
fn fd_set(d: &Decoder<'_>, addr: u64, nfds: i32) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    let nfds = u32::try_from(nfds).unwrap_or(0).min(MAX_FDS);
    // The kernel copies whole longs.
    let len = nfds.div_ceil(64).saturating_mul(8);
    let Ok(bytes) = d.memory.read(addr, len as usize) else {
        return Value::Unreadable(addr);
    };
    let fds = (0..nfds)
        .filter(|&fd| {
            let byte = bytes.get((fd / 8) as usize).copied().unwrap_or(0);
            byte & (1 << (fd % 8)) != 0
        })
        .collect();
    Value::BitSet(fds)
}

/// The three sets, by argument: readfds 1, writefds 2, exceptfds 3.
fn sets_arg(nfds: i32, sets: [u64; 3], index: usize, d: &Decoder<'_>) -> Option<Value> {
    let addr = *sets.get(index.checked_sub(1)?)?;
    Some(fd_set(d, addr, nfds))
}

/// select's descriptor sets, as the program passes them.
pub(super) fn select_arg(c: &Select, index: usize, d: &Decoder<'_>) -> Option<Value> {
    let sets = [c.readfds.0, c.writefds.0, c.exceptfds.0];
    sets_arg(c.nfds, sets, index, d)
}

/// pselect6's descriptor sets, and its sixth argument: `{sigmask=[USR1], sigsetsize=8}`
/// (a pointer to the mask and its size).
pub(super) fn pselect6_arg(c: &Pselect6, index: usize, d: &Decoder<'_>) -> Option<Value> {
    if index == 5 {
        let addr = c.sigmask.0;
        if addr == 0 {
            return Some(Value::Null);
        }
        let Some(b) = Bytes::read(d, addr, 16) else {
            return Some(Value::Unreadable(addr));
        };
        let (mask, size) = (b.u64(0), b.u64(8));
        let mask = match d.memory.read_pod::<u64>(mask) {
            _ if mask == 0 => Value::Null,
            Ok(bits) if size == 8 => crate::structs::sigset(bits),
            _ => pointer(mask),
        };
        return Some(Value::Struct(vec![
            ("sigmask", mask),
            ("sigsetsize", Value::Uint(size)),
        ]));
    }
    let sets = [c.readfds.0, c.writefds.0, c.exceptfds.0];
    sets_arg(c.nfds, sets, index, d)
}

/// What the kernel left: the ready sets and the time left, or `Timeout`.
fn report(
    ret: i64,
    nfds: i32,
    sets: [u64; 3],
    left: Option<Value>,
    d: &Decoder<'_>,
) -> Option<RetDecoded> {
    let value = if ret == 0 {
        Value::Symbol("Timeout".into())
    } else {
        let mut parts = Vec::new();
        for (name, addr) in ["in", "out", "except"].into_iter().zip(sets) {
            if let Value::BitSet(fds) = fd_set(d, addr, nfds)
                && !fds.is_empty()
            {
                parts.push((name, Value::BitSet(fds)));
            }
        }
        parts.extend(left.map(|left| ("left", left)));
        Value::Report(parts)
    };
    Some(RetDecoded {
        hex: false,
        label: None,
        value,
    })
}

/// select's result.
pub(super) fn select_ret(c: &Select, ret: i64, d: &Decoder<'_>) -> Option<RetDecoded> {
    let sets = [c.readfds.0, c.writefds.0, c.exceptfds.0];
    let left = (!c.timeout.is_null())
        .then(|| Timeval::decode_at(d, c.timeout.addr))
        .flatten();
    report(ret, c.nfds, sets, left, d)
}

/// pselect6's result.
pub(super) fn pselect6_ret(c: &Pselect6, ret: i64, d: &Decoder<'_>) -> Option<RetDecoded> {
    let sets = [c.readfds.0, c.writefds.0, c.exceptfds.0];
    let left = (!c.timeout.is_null())
        .then(|| Timespec::decode_at(d, c.timeout.addr))
        .flatten();
    report(ret, c.nfds, sets, left, d)
}

//! Scheduling: CPU sets as strace shows them (`[0 1]`), `struct sched_param` (`[0]`) and
//! `struct sched_attr`, and `sched_getscheduler`'s policy (`= 0 (SCHED_OTHER)`).

use super::{Bytes, RetDecoded, Value, enumerated, flags};
use crate::args::Decoder;
use crate::linux::{SchedAttrFlags, SchedGetaffinity, SchedPolicy, SchedSetaffinity};
use crate::memory::ReadMemory;
use crate::structs::{SchedAttr, SchedParam, StructDecode};

/// The CPUs of a mask of `len` bytes at `addr`.
fn cpu_set(d: &Decoder<'_>, addr: u64, len: u64) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    // A mask larger than any machine's is not worth reading whole.
    const MAX_BYTES: u64 = 1 << 16;
    let Ok(bytes) = d.memory.read(addr, len.min(MAX_BYTES) as usize) else {
        return Value::Unreadable(addr);
    };
    let cpus = bytes
        .iter()
        .zip(0u32..)
        .flat_map(|(&byte, index)| {
            (0..8u32)
                .filter(move |bit| byte & (1 << bit) != 0)
                .map(move |bit| index.saturating_mul(8).saturating_add(bit))
        })
        .collect();
    Value::BitSet(cpus)
}

/// sched_getaffinity's mask: the bytes the kernel copied (its result), at exit.
pub(super) fn getaffinity_arg(
    c: &SchedGetaffinity,
    index: usize,
    d: &Decoder<'_>,
) -> Option<Value> {
    if index != 2 {
        return None;
    }
    Some(match d.success() {
        Some(copied) => cpu_set(d, c.mask.addr, copied.min(c.mask.len)),
        None if c.mask.addr == 0 => Value::Null,
        None => Value::Addr(c.mask.addr),
    })
}

/// sched_setaffinity's mask.
pub(super) fn setaffinity_arg(
    c: &SchedSetaffinity,
    index: usize,
    d: &Decoder<'_>,
) -> Option<Value> {
    (index == 2).then(|| cpu_set(d, c.mask.addr, c.mask.len))
}

impl StructDecode for SchedParam {
    const SIZE: usize = 4;

    /// `[0]`: its one field, the priority.
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let priority: i32 = d.memory.read_pod(addr).ok()?;
        Some(Value::Array {
            items: vec![Value::Int(i64::from(priority))],
            more: false,
        })
    }
}

impl StructDecode for SchedAttr {
    const SIZE: usize = 56;

    /// `{size=56, sched_policy=SCHED_OTHER, ...}`: the first version's fields (48 bytes),
    /// and the utilization clamps when its size holds them.
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        const VER1: u32 = 56;
        let b = Bytes::read(d, addr, VER1 as usize)?;
        let size = b.u32(0);
        let mut fields = vec![
            ("size", Value::Uint(u64::from(size))),
            ("sched_policy", policy(u64::from(b.u32(4)))),
            ("sched_flags", flags(b.u64(8), SchedAttrFlags::INFO)),
            ("sched_nice", Value::Int(i64::from(b.i32(16)))),
            ("sched_priority", Value::Uint(u64::from(b.u32(20)))),
            ("sched_runtime", Value::Uint(b.u64(24))),
            ("sched_deadline", Value::Uint(b.u64(32))),
            ("sched_period", Value::Uint(b.u64(40))),
        ];
        if size >= VER1 {
            fields.push(("sched_util_min", Value::Uint(u64::from(b.u32(48)))));
            fields.push(("sched_util_max", Value::Uint(u64::from(b.u32(52)))));
        }
        Some(Value::Struct(fields))
    }
}

/// A scheduling policy by name, or its number.
fn policy(raw: u64) -> Value {
    if SchedPolicy::INFO.values.iter().any(|(_, v)| *v == raw) {
        enumerated(raw, SchedPolicy::INFO)
    } else {
        Value::Uint(raw)
    }
}

/// sched_getscheduler's policy by name.
pub(super) fn getscheduler_ret(ret: i64) -> Option<RetDecoded> {
    let policy = ret as u64;
    SchedPolicy::INFO
        .values
        .iter()
        .any(|(_, v)| *v == policy)
        .then(|| RetDecoded {
            hex: false,
            label: None,
            value: enumerated(policy, SchedPolicy::INFO),
        })
}

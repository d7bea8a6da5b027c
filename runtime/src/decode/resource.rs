//! Credentials and priorities: getgroups/setgroups' group lists (`[0, 4, 27]`), and I/O
//! priorities as strace spells them, `IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 7)`.

use super::{RetDecoded, Value, pointer};
use crate::args::Decoder;
use crate::linux::{Getgroups, IoprioSet, Setgroups};
use crate::memory::ReadMemory;

/// At most this many groups are shown (the kernel's NGROUPS_MAX is 65536).
const MAX_GROUPS: usize = 1024;

/// `count` gids at `addr`.
fn groups(d: &Decoder<'_>, addr: u64, count: u64) -> Value {
    let shown = (count as usize).min(MAX_GROUPS);
    if addr == 0 {
        return Value::Null;
    }
    if count == 0 {
        return Value::Array {
            items: Vec::new(),
            more: false,
        };
    }
    match d.memory.read(addr, shown.saturating_mul(4)) {
        Ok(bytes) => Value::abbreviable_array(
            bytes
                .chunks_exact(4)
                .map(|g| Value::Uint(u64::from(u32::from_ne_bytes([g[0], g[1], g[2], g[3]]))))
                .collect(),
            shown < count as usize,
            d.string_limit,
        ),
        Err(_) => Value::Unreadable(addr),
    }
}

/// getgroups' list: the groups the kernel wrote (its result), at exit; `[]` for a size of 0 (`NULL` for a null list).
pub(super) fn getgroups_arg(c: &Getgroups, index: usize, d: &Decoder<'_>) -> Option<Value> {
    if index != 1 {
        return None;
    }
    let addr = c.list.0;
    Some(match d.success() {
        _ if c.size == 0 => groups(d, addr, 0),
        Some(n) => groups(d, addr, n),
        None => pointer(addr),
    })
}

/// setgroups' list.
pub(super) fn setgroups_arg(c: &Setgroups, index: usize, d: &Decoder<'_>) -> Option<Value> {
    (index == 1).then(|| groups(d, c.list.0, c.size as u64))
}

/// An I/O priority: its class (the top 3 of 16 bits) and its level.
fn ioprio(value: u64) -> Value {
    const CLASSES: [&str; 4] = [
        "IOPRIO_CLASS_NONE",
        "IOPRIO_CLASS_RT",
        "IOPRIO_CLASS_BE",
        "IOPRIO_CLASS_IDLE",
    ];
    let (class, data) = ((value >> 13) & 0x7, value & 0x1fff);
    let class = match CLASSES.get(class as usize) {
        Some(name) => (*name).to_string(),
        None => class.to_string(),
    };
    Value::Symbol(format!("IOPRIO_PRIO_VALUE({class}, {data})"))
}

/// ioprio_set's priority.
pub(super) fn ioprio_set_arg(c: &IoprioSet, index: usize, _: &Decoder<'_>) -> Option<Value> {
    (index == 2).then(|| ioprio(u64::from(c.ioprio as u32)))
}

/// ioprio_get's result, `= 4 (IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4))`.
pub(super) fn ioprio_ret(ret: i64) -> Option<RetDecoded> {
    Some(RetDecoded {
        hex: false,
        label: None,
        value: ioprio(ret as u64),
    })
}

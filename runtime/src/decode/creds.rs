//! Credentials: the supplementary group lists of getgroups and setgroups, `[0 4 27]`.

use super::{Value, pointer};
use crate::args::Decoder;
use crate::linux::{Getgroups, Setgroups};
use crate::memory::ReadMemory;

/// At most this many groups are shown (the kernel allows 65536).
const MAX_GROUPS: u64 = 1024;

/// The `count` gids at `addr`, `[0 4 27]`.
fn groups(d: &Decoder<'_>, addr: u64, count: u64) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    let shown = count.min(MAX_GROUPS);
    let Ok(bytes) = d.memory.read(addr, (shown as usize).saturating_mul(4)) else {
        return Value::Unreadable(addr);
    };
    let items = bytes
        .chunks_exact(4)
        .map(|g| Value::Uint(u64::from(u32::from_ne_bytes([g[0], g[1], g[2], g[3]]))))
        .collect();
    Value::Array {
        items,
        more: count > MAX_GROUPS,
    }
}

/// getgroups's `list`: as many groups as the call returned; with `size` 0 the kernel only
/// counts them and the list is its address.
pub(super) fn getgroups_arg(c: &Getgroups, index: usize, d: &Decoder<'_>) -> Option<Value> {
    if index != 1 {
        return None;
    }
    Some(match d.success() {
        Some(n) if c.size != 0 || n == 0 => groups(d, c.list.0, n),
        _ => pointer(c.list.0),
    })
}

/// setgroups's `list`: the `size` groups it sets.
pub(super) fn setgroups_arg(c: &Setgroups, index: usize, d: &Decoder<'_>) -> Option<Value> {
    (index == 1).then(|| groups(d, c.list.0, c.size as u64))
}

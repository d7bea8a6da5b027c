//! Memory: mincore's vector of page states (`[1, 1, 0]`).

use super::Value;
use crate::args::Decoder;
use crate::linux::Mincore;
use crate::memory::ReadMemory;

/// strace shows at most this many pages' states.
const MAX_PAGES: u64 = 1024;
const PAGE_SIZE: u64 = 4096;

/// mincore's `vec`: one byte per page of `length`, at exit.
pub(super) fn mincore_arg(c: &Mincore, index: usize, d: &Decoder<'_>) -> Option<Value> {
    if index != 2 {
        return None;
    }
    let addr = c.vec.0;
    if addr == 0 {
        return Some(Value::Null);
    }
    if d.success().is_none() {
        return Some(Value::Addr(addr));
    }
    let pages = (c.length as u64).div_ceil(PAGE_SIZE);
    let shown = pages.min(MAX_PAGES);
    Some(match d.memory.read(addr, shown as usize) {
        Ok(bytes) => Value::abbreviable_array(
            bytes
                .into_iter()
                .map(|b| Value::Uint(u64::from(b)))
                .collect(),
            pages > shown,
            d.string_limit,
        ),
        Err(_) => Value::Unreadable(addr),
    })
}

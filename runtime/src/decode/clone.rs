//! clone(2) and clone3(2): strace's layout of clone's arguments (`child_stack=`, `flags=`,
//! then only those the flags use: `parent_tid=[N]`, `tls=`, `child_tidptr=`, filled in at
//! exit), and clone3's `struct clone_args`.

use super::{Bytes, Slot, Value, int_at, pointer};
use crate::args::Decoder;
use crate::linux::{Clone, Clone3, CloneFlags};
use crate::structs::{CloneArgs, StructDecode};

const CLONE_PIDFD: u64 = libc::CLONE_PIDFD as u64;
const CLONE_PARENT_SETTID: u64 = libc::CLONE_PARENT_SETTID as u64;
const CLONE_CHILD_SETTID: u64 = libc::CLONE_CHILD_SETTID as u64;
const CLONE_CHILD_CLEARTID: u64 = libc::CLONE_CHILD_CLEARTID as u64;
const CLONE_SETTLS: u64 = libc::CLONE_SETTLS as u64;
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// clone's arguments: flags 0, stack 1, parent_tid 2, child_tid 3, tls 4.
pub(super) fn slots(c: &Clone) -> Vec<Slot> {
    let flags = c.flags.0;
    let slot = |index, label, at_exit| Slot {
        index,
        label: Some(label),
        at_exit,
    };
    let mut slots = vec![slot(1, "child_stack", false), slot(0, "flags", false)];
    if flags & CLONE_PARENT_SETTID != 0 {
        slots.push(slot(2, "parent_tid", true));
    } else if flags & CLONE_PIDFD != 0 {
        slots.push(slot(2, "pidfd", true));
    }
    if flags & CLONE_SETTLS != 0 {
        slots.push(slot(4, "tls", true));
    }
    if flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) != 0 {
        slots.push(slot(3, "child_tidptr", true));
    }
    slots
}

/// The parent's tid (or pidfd) the kernel stored, `[42]`.
pub(super) fn arg(c: &Clone, index: usize, d: &Decoder<'_>) -> Option<Value> {
    (index == 2).then(|| int_at(d, c.parent_tid.0))
}

/// clone3's struct, shown only when its size holds the first version of it (64 bytes).
pub(super) fn clone3_arg(c: &Clone3, index: usize, d: &Decoder<'_>) -> Option<Value> {
    const VER0: u64 = 64;
    if index != 0 || c.cl_args.addr == 0 {
        return None;
    }
    if c.size < VER0 as usize {
        return Some(Value::Addr(c.cl_args.addr));
    }
    Some(clone_args(d, c.cl_args.addr, c.size.min(88)))
}

impl StructDecode for CloneArgs {
    const SIZE: usize = 88;

    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        Some(clone_args(d, addr, 88))
    }
}

/// `struct clone_args` of `size` bytes: strace's fields, those the flags use only.
fn clone_args(d: &Decoder<'_>, addr: u64, size: usize) -> Value {
    let Some(b) = Bytes::read(d, addr, size) else {
        return Value::Unreadable(addr);
    };
    let flags = b.u64(0);
    let mut fields = vec![(
        "flags",
        Value::Flags {
            raw: flags,
            set: CloneFlags::INFO,
        },
    )];
    if flags & CLONE_PIDFD != 0 {
        fields.push(("pidfd", pointer(b.u64(8))));
    }
    if flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) != 0 {
        fields.push(("child_tid", pointer(b.u64(16))));
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        fields.push(("parent_tid", pointer(b.u64(24))));
    }
    let exit_signal = b.u64(32);
    fields.push((
        "exit_signal",
        match i32::try_from(exit_signal) {
            Ok(signal) => Value::Signal(signal),
            Err(_) => Value::Uint(exit_signal),
        },
    ));
    fields.push(("stack", pointer(b.u64(40))));
    fields.push(("stack_size", Value::Hex(b.u64(48))));
    if flags & CLONE_SETTLS != 0 {
        fields.push(("tls", pointer(b.u64(56))));
    }
    let (set_tid, set_tid_size) = (b.u64(64), b.u64(72));
    if size >= 80 && (set_tid != 0 || set_tid_size != 0) {
        fields.push(("set_tid", pointer(set_tid)));
        fields.push(("set_tid_size", Value::Uint(set_tid_size)));
    }
    if size >= 88 && flags & CLONE_INTO_CGROUP != 0 {
        fields.push(("cgroup", Value::Uint(b.u64(80))));
    }
    Value::Struct(fields)
}

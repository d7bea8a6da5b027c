//! futex(2): the arguments whose meaning depends on the operation: `val2` in the timeout's
//! place (requeue and wake-op), the bitset (`FUTEX_BITSET_MATCH_ANY`), wake-op's encoded
//! operation (`FUTEX_OP_SET<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0`).

use super::Value;
use crate::args::Decoder;
use crate::linux::Futex;

/// The operation without `FUTEX_PRIVATE_FLAG` and `FUTEX_CLOCK_REALTIME`.
const CMD_MASK: u64 = 0x7f;
const FUTEX_REQUEUE: u64 = libc::FUTEX_REQUEUE as u64;
const FUTEX_CMP_REQUEUE: u64 = libc::FUTEX_CMP_REQUEUE as u64;
const FUTEX_WAKE_OP: u64 = libc::FUTEX_WAKE_OP as u64;
const FUTEX_WAIT_BITSET: u64 = libc::FUTEX_WAIT_BITSET as u64;
const FUTEX_WAKE_BITSET: u64 = libc::FUTEX_WAKE_BITSET as u64;
const FUTEX_CMP_REQUEUE_PI: u64 = libc::FUTEX_CMP_REQUEUE_PI as u64;
const FUTEX_WAIT_REQUEUE_PI: u64 = libc::FUTEX_WAIT_REQUEUE_PI as u64;

/// futex's arguments: uaddr 0, futex_op 1, val 2, timeout 3, uaddr2 4, val3 5.
pub(super) fn arg(c: &Futex, index: usize, _: &Decoder<'_>) -> Option<Value> {
    let op = c.futex_op.0 & CMD_MASK;
    let val3 = c.val3.0 as u32;
    match (index, op) {
        // The timeout's register carries a count here.
        (3, FUTEX_REQUEUE | FUTEX_CMP_REQUEUE | FUTEX_CMP_REQUEUE_PI | FUTEX_WAKE_OP) => {
            Some(Value::Uint(u64::from(c.timeout.addr as u32)))
        }
        (5, FUTEX_WAIT_BITSET | FUTEX_WAKE_BITSET) if val3 == u32::MAX => {
            Some(Value::Symbol("FUTEX_BITSET_MATCH_ANY".into()))
        }
        (5, FUTEX_WAIT_BITSET | FUTEX_WAKE_BITSET) => Some(Value::Hex(u64::from(val3))),
        (5, FUTEX_CMP_REQUEUE | FUTEX_CMP_REQUEUE_PI | FUTEX_WAIT_REQUEUE_PI) => {
            Some(Value::Uint(u64::from(val3)))
        }
        (5, FUTEX_WAKE_OP) => Some(Value::Symbol(wake_op(val3))),
        _ => None,
    }
}

/// `FUTEX_OP(op, oparg, cmp, cmparg)` as strace spells it.
fn wake_op(val3: u32) -> String {
    const OPS: [&str; 5] = [
        "FUTEX_OP_SET",
        "FUTEX_OP_ADD",
        "FUTEX_OP_OR",
        "FUTEX_OP_ANDN",
        "FUTEX_OP_XOR",
    ];
    const CMPS: [&str; 6] = [
        "FUTEX_OP_CMP_EQ",
        "FUTEX_OP_CMP_NE",
        "FUTEX_OP_CMP_LT",
        "FUTEX_OP_CMP_LE",
        "FUTEX_OP_CMP_GT",
        "FUTEX_OP_CMP_GE",
    ];
    let hex = |v: u32| {
        if v == 0 {
            "0".to_string()
        } else {
            format!("{v:#x}")
        }
    };
    let op = (val3 >> 28) & 0xf;
    let mut text = String::new();
    if op & 8 != 0 {
        text.push_str("FUTEX_OP_OPARG_SHIFT<<28|");
    }
    match OPS.get((op & 7) as usize) {
        Some(name) => text.push_str(name),
        None => text.push_str(&hex(op & 7)),
    }
    text.push_str("<<28|");
    text.push_str(&hex((val3 >> 12) & 0xfff));
    text.push_str("<<12|");
    let cmp = (val3 >> 24) & 0xf;
    match CMPS.get(cmp as usize) {
        Some(name) => text.push_str(name),
        None => text.push_str(&hex(cmp)),
    }
    text.push_str("<<24|");
    text.push_str(&hex(val3 & 0xfff));
    text
}

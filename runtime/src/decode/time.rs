//! Timers: `struct sigevent` (timer_create, mq_notify) as strace shows it, the fields its
//! notification method uses; the time a sleep had left, only when it was interrupted.

use super::{Bytes, Value, enumerated, pointer};
use crate::args::Decoder;
use crate::linux::{ClockNanosleep, Nanosleep, SigevNotify};
use crate::structs::{Sigevent, StructDecode, Timespec};

const SIGEV_SIGNAL: u64 = SigevNotify::SIGEV_SIGNAL.0;
const SIGEV_THREAD: u64 = SigevNotify::SIGEV_THREAD.0;
const SIGEV_THREAD_ID: u64 = SigevNotify::SIGEV_THREAD_ID.0;

impl StructDecode for Sigevent {
    const SIZE: usize = 32;

    /// sigev_value at 0, sigev_signo at 8, sigev_notify at 12, then the thread id or the
    /// function and its attributes at 16 and 24.
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let b = Bytes::read(d, addr, 32)?;
        let notify = u64::from(b.u32(12));
        let mut fields = Vec::new();
        // The value only where there is one (strace leaves a zero sigval out).
        if matches!(notify, SIGEV_SIGNAL | SIGEV_THREAD) && b.u64(0) != 0 {
            fields.push((
                "sigev_value",
                Value::Struct(vec![
                    ("sival_int", Value::Int(i64::from(b.i32(0)))),
                    ("sival_ptr", pointer(b.u64(0))),
                ]),
            ));
        }
        fields.push(("sigev_signo", Value::Signal(b.i32(8))));
        fields.push(("sigev_notify", enumerated(notify, SigevNotify::INFO)));
        match notify {
            SIGEV_THREAD_ID => {
                fields.push(("sigev_notify_thread_id", Value::Int(i64::from(b.i32(16)))));
            }
            SIGEV_THREAD => {
                fields.push(("sigev_notify_function", pointer(b.u64(16))));
                fields.push(("sigev_notify_attributes", pointer(b.u64(24))));
            }
            _ => {}
        }
        Some(Value::Struct(fields))
    }
}

/// nanosleep's and clock_nanosleep's time remaining: written only when a signal
/// interrupted the sleep (the call is to be restarted); otherwise strace shows its address.
fn remaining(d: &Decoder<'_>, addr: u64) -> Value {
    let interrupted = d
        .ret
        .is_some_and(|r| crate::Errno::from_ret(r).is_err_and(|e| e.is_restart()));
    if addr == 0 || !interrupted {
        return pointer(addr);
    }
    Timespec::decode_at(d, addr).unwrap_or(Value::Unreadable(addr))
}

/// nanosleep's `rem`.
pub(super) fn nanosleep_arg(c: &Nanosleep, index: usize, d: &Decoder<'_>) -> Option<Value> {
    (index == 1).then(|| remaining(d, c.rem.addr))
}

/// clock_nanosleep's `remain`.
pub(super) fn clock_nanosleep_arg(
    c: &ClockNanosleep,
    index: usize,
    d: &Decoder<'_>,
) -> Option<Value> {
    (index == 3).then(|| remaining(d, c.remain.addr))
}

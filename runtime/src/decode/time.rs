//! Timers: `struct sigevent` (timer_create, mq_notify) as strace shows it, the fields its
//! notification method uses.

use super::{Bytes, Value, enumerated, pointer};
use crate::args::Decoder;
use crate::linux::SigevNotify;
use crate::structs::{Sigevent, StructDecode};

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
        if matches!(notify, SIGEV_SIGNAL | SIGEV_THREAD) {
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

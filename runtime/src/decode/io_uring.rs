//! io_uring_setup(2)'s `struct io_uring_params`, filled in by the kernel.

use super::{Bytes, Value, flags};
use crate::args::Decoder;
use crate::linux::{IoUringFeatFlags, IoUringSetupFlags};
use crate::structs::{IoUringParams, StructDecode};

impl StructDecode for IoUringParams {
    const SIZE: usize = 120;

    /// sq_entries 0, cq_entries 4, flags 8, sq_thread_cpu 12, sq_thread_idle 16, features
    /// 20, wq_fd 24, then `struct io_sqring_offsets` at 40 and `io_cqring_offsets` at 80.
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let b = Bytes::read(d, addr, 120)?;
        let u = |at| Value::Uint(u64::from(b.u32(at)));
        let sq_off = Value::Struct(vec![
            ("head", u(40)),
            ("tail", u(44)),
            ("ring_mask", u(48)),
            ("ring_entries", u(52)),
            ("flags", u(56)),
            ("dropped", u(60)),
            ("array", u(64)),
        ]);
        let cq_off = Value::Struct(vec![
            ("head", u(80)),
            ("tail", u(84)),
            ("ring_mask", u(88)),
            ("ring_entries", u(92)),
            ("overflow", u(96)),
            ("cqes", u(100)),
            ("flags", u(104)),
        ]);
        let setup = u64::from(b.u32(8));
        let mut fields = vec![
            ("flags", flags(setup, IoUringSetupFlags::INFO)),
            ("sq_thread_cpu", u(12)),
            ("sq_thread_idle", u(16)),
        ];
        if setup & IoUringSetupFlags::IORING_SETUP_ATTACH_WQ.0 != 0 {
            fields.push(("wq_fd", Value::Fd(b.i32(24))));
        }
        fields.extend([
            ("sq_entries", u(0)),
            ("cq_entries", u(4)),
            (
                "features",
                flags(u64::from(b.u32(20)), IoUringFeatFlags::INFO),
            ),
            ("sq_off", sq_off),
            ("cq_off", cq_off),
        ]);
        Some(Value::Struct(fields))
    }
}

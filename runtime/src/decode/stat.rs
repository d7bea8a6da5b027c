//! stat, statx, statfs, sysinfo and utimensat, as strace shows them: `stat`'s abbreviated
//! `{st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}`, statx's mask and attributes by
//! name, statfs and sysinfo in full, utimensat's times with their dates or `UTIME_NOW`.

use super::{Bytes, Value, enumerated, flags};
use crate::args::Decoder;
use crate::linux::{FsMagic, StatfsFlags, StatxAttrFlags, StatxMaskFlags, Utimensat};
use crate::memory::ReadMemory;
use crate::structs::{Stat, Statfs, Statx, StructDecode, Sysinfo};

/// The "..." that ends an abbreviated struct.
fn more() -> (&'static str, Value) {
    ("...", Value::Symbol(String::new()))
}

/// A device number's major and minor parts (glibc's `gnu_dev_major`/`gnu_dev_minor`).
pub(super) fn device(dev: u64) -> Value {
    Value::Device {
        major: ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff),
        minor: (dev & 0xff) | ((dev >> 12) & !0xff),
    }
}

/// A character or block device has a device number worth showing instead of a size.
fn is_device(mode: u32) -> bool {
    matches!(mode & libc::S_IFMT, libc::S_IFCHR | libc::S_IFBLK)
}

impl StructDecode for Stat {
    const SIZE: usize = std::mem::size_of::<Stat>();

    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let s: Stat = d.memory.read_pod(addr).ok()?;
        let size_or_device = if is_device(s.st_mode) {
            ("st_rdev", device(s.st_rdev))
        } else {
            ("st_size", Value::Int(s.st_size))
        };
        Some(Value::Struct(vec![
            ("st_mode", Value::FileMode(u64::from(s.st_mode))),
            size_or_device,
            more(),
        ]))
    }
}

impl StructDecode for Statx {
    const SIZE: usize = std::mem::size_of::<Statx>();

    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let s: Statx = d.memory.read_pod(addr).ok()?;
        Some(Value::Struct(vec![
            (
                "stx_mask",
                flags(u64::from(s.stx_mask), StatxMaskFlags::INFO),
            ),
            (
                "stx_attributes",
                flags(s.stx_attributes, StatxAttrFlags::INFO),
            ),
            ("stx_mode", Value::FileMode(u64::from(s.stx_mode))),
            ("stx_size", Value::Uint(s.stx_size)),
            more(),
        ]))
    }
}

impl StructDecode for Statfs {
    const SIZE: usize = std::mem::size_of::<Statfs>();

    /// Every field, as strace shows them (libc's type hides `f_fsid` and `f_flags`, so the
    /// kernel's layout is read by offset).
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let b = Bytes::read(d, addr, size_of::<Statfs>())?;
        let f_type = b.u64(0);
        let known = FsMagic::INFO.values.iter().any(|(_, v)| *v == f_type);
        let fsid = Value::Array {
            items: vec![
                Value::Hex(u64::from(b.u32(56))),
                Value::Hex(u64::from(b.u32(60))),
            ],
            more: false,
        };
        Some(Value::Struct(vec![
            (
                "f_type",
                if known {
                    enumerated(f_type, FsMagic::INFO)
                } else {
                    Value::Hex(f_type)
                },
            ),
            ("f_bsize", Value::Int(b.i64(8))),
            ("f_blocks", Value::Uint(b.u64(16))),
            ("f_bfree", Value::Uint(b.u64(24))),
            ("f_bavail", Value::Uint(b.u64(32))),
            ("f_files", Value::Uint(b.u64(40))),
            ("f_ffree", Value::Uint(b.u64(48))),
            ("f_fsid", Value::Struct(vec![("val", fsid)])),
            ("f_namelen", Value::Int(b.i64(64))),
            ("f_frsize", Value::Int(b.i64(72))),
            ("f_flags", flags(b.u64(80), StatfsFlags::INFO)),
        ]))
    }
}

impl StructDecode for Sysinfo {
    const SIZE: usize = std::mem::size_of::<Sysinfo>();

    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let s: Sysinfo = d.memory.read_pod(addr).ok()?;
        let loads = s.loads.iter().map(|&l| Value::Uint(l)).collect();
        Some(Value::Struct(vec![
            ("uptime", Value::Int(s.uptime)),
            (
                "loads",
                Value::Array {
                    items: loads,
                    more: false,
                },
            ),
            ("totalram", Value::Uint(s.totalram)),
            ("freeram", Value::Uint(s.freeram)),
            ("sharedram", Value::Uint(s.sharedram)),
            ("bufferram", Value::Uint(s.bufferram)),
            ("totalswap", Value::Uint(s.totalswap)),
            ("freeswap", Value::Uint(s.freeswap)),
            ("procs", Value::Uint(u64::from(s.procs))),
            ("totalhigh", Value::Uint(s.totalhigh)),
            ("freehigh", Value::Uint(s.freehigh)),
            ("mem_unit", Value::Uint(u64::from(s.mem_unit))),
        ]))
    }
}

/// utimensat's `times`: two `struct timespec`s, each a date or `UTIME_NOW`/`UTIME_OMIT`.
pub(super) fn utimensat_arg(c: &Utimensat, index: usize, d: &Decoder<'_>) -> Option<Value> {
    if index != 2 || c.times.0 == 0 {
        return None;
    }
    let addr = c.times.0;
    let Some(b) = Bytes::read(d, addr, 32) else {
        return Some(Value::Unreadable(addr));
    };
    let items = [(0, 8), (16, 24)]
        .into_iter()
        .map(|(sec_at, nsec_at)| {
            let (sec, nsec) = (b.i64(sec_at), b.i64(nsec_at));
            match nsec {
                libc::UTIME_NOW => Value::Symbol("UTIME_NOW".into()),
                libc::UTIME_OMIT => Value::Symbol("UTIME_OMIT".into()),
                _ => Value::Time { sec, nsec },
            }
        })
        .collect();
    Some(Value::Array { items, more: false })
}

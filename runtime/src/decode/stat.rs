//! stat, statx, statfs, sysinfo and utimensat, as strace shows them: `stat` and `statx`
//! with every field and their abbreviated forms (`{st_mode=S_IFCHR|0666,
//! st_rdev=makedev(0x1, 0x3), ...}`, the text trace's default), statx's mask and
//! attributes by name, statfs and sysinfo in full, utimensat's times with their dates or
//! `UTIME_NOW`.

use super::{Bytes, Value, enumerated, flags};
use crate::args::Decoder;
use crate::linux::{FsMagic, StatfsFlags, StatxAttrFlags, StatxMaskFlags, Utimensat};
use crate::memory::ReadMemory;
use crate::structs::{Stat, Statfs, Statx, StructDecode, Sysinfo};

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

/// A user or group id: `-1` for the id that means none, as strace shows it.
fn id(v: u32) -> Value {
    if v == u32::MAX {
        Value::Int(-1)
    } else {
        Value::Uint(u64::from(v))
    }
}

impl StructDecode for Stat {
    const SIZE: usize = std::mem::size_of::<Stat>();

    /// Every field in strace's order (each time with its date and then its nanoseconds),
    /// abbreviated to the mode and the size, or the device number of a device.
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let s: Stat = d.memory.read_pod(addr).ok()?;
        let (size_or_device, value) = if is_device(s.st_mode) {
            ("st_rdev", device(s.st_rdev))
        } else {
            ("st_size", Value::Uint(s.st_size as u64))
        };
        let date = |sec: i64, nsec: i64| Value::EpochSeconds { sec, nsec };
        let nsec = |nsec: i64| Value::Uint(nsec as u64);
        Some(Value::abbreviable(
            vec![
                ("st_dev", device(s.st_dev)),
                ("st_ino", Value::Uint(s.st_ino)),
                ("st_mode", Value::FileMode(u64::from(s.st_mode))),
                ("st_nlink", Value::Uint(s.st_nlink)),
                ("st_uid", Value::Uint(u64::from(s.st_uid))),
                ("st_gid", Value::Uint(u64::from(s.st_gid))),
                ("st_blksize", Value::Uint(s.st_blksize as u64)),
                ("st_blocks", Value::Uint(s.st_blocks as u64)),
                (size_or_device, value),
                ("st_atime", date(s.st_atime, s.st_atime_nsec)),
                ("st_atime_nsec", nsec(s.st_atime_nsec)),
                ("st_mtime", date(s.st_mtime, s.st_mtime_nsec)),
                ("st_mtime_nsec", nsec(s.st_mtime_nsec)),
                ("st_ctime", date(s.st_ctime, s.st_ctime_nsec)),
                ("st_ctime_nsec", nsec(s.st_ctime_nsec)),
            ],
            &["st_mode", size_or_device],
        ))
    }
}

/// A statx timestamp: `{tv_sec=1, tv_nsec=5} /* 1970-01-01T00:00:01.000000005+0000 */`.
fn statx_time(t: &libc::statx_timestamp) -> Value {
    Value::Time {
        sec: t.tv_sec,
        nsec: i64::from(t.tv_nsec),
    }
}

impl StructDecode for Statx {
    const SIZE: usize = std::mem::size_of::<Statx>();

    /// The fields the kernel says it filled (`stx_mask`), in strace's order, abbreviated
    /// to the mask, the attributes, the mode and the size.
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let s: Statx = d.memory.read_pod(addr).ok()?;
        let mask = s.stx_mask;
        let has = |bits: u32| mask & bits != 0;
        let mut fields = vec![
            ("stx_mask", flags(u64::from(mask), StatxMaskFlags::INFO)),
            ("stx_blksize", Value::Uint(u64::from(s.stx_blksize))),
            (
                "stx_attributes",
                flags(s.stx_attributes, StatxAttrFlags::INFO),
            ),
        ];
        let mut push_if = |bits: u32, name: &'static str, value: Value| {
            if has(bits) {
                fields.push((name, value));
            }
        };
        push_if(
            libc::STATX_NLINK,
            "stx_nlink",
            Value::Uint(u64::from(s.stx_nlink)),
        );
        push_if(libc::STATX_UID, "stx_uid", id(s.stx_uid));
        push_if(libc::STATX_GID, "stx_gid", id(s.stx_gid));
        push_if(
            libc::STATX_TYPE | libc::STATX_MODE,
            "stx_mode",
            Value::FileMode(u64::from(s.stx_mode)),
        );
        push_if(libc::STATX_INO, "stx_ino", Value::Uint(s.stx_ino));
        push_if(libc::STATX_SIZE, "stx_size", Value::Uint(s.stx_size));
        push_if(libc::STATX_BLOCKS, "stx_blocks", Value::Uint(s.stx_blocks));
        fields.push((
            "stx_attributes_mask",
            flags(s.stx_attributes_mask, StatxAttrFlags::INFO),
        ));
        let mut push_if = |bits: u32, name: &'static str, value: Value| {
            if has(bits) {
                fields.push((name, value));
            }
        };
        push_if(libc::STATX_ATIME, "stx_atime", statx_time(&s.stx_atime));
        push_if(libc::STATX_BTIME, "stx_btime", statx_time(&s.stx_btime));
        push_if(libc::STATX_CTIME, "stx_ctime", statx_time(&s.stx_ctime));
        push_if(libc::STATX_MTIME, "stx_mtime", statx_time(&s.stx_mtime));
        let number = |v: u32| Value::Uint(u64::from(v));
        fields.extend([
            ("stx_rdev_major", number(s.stx_rdev_major)),
            ("stx_rdev_minor", number(s.stx_rdev_minor)),
            ("stx_dev_major", number(s.stx_dev_major)),
            ("stx_dev_minor", number(s.stx_dev_minor)),
        ]);
        if has(libc::STATX_MNT_ID) {
            fields.push(("stx_mnt_id", Value::Hex(s.stx_mnt_id)));
        }
        if has(libc::STATX_DIOALIGN) {
            fields.push(("stx_dio_mem_align", number(s.stx_dio_mem_align)));
            fields.push(("stx_dio_offset_align", number(s.stx_dio_offset_align)));
        }
        Some(Value::abbreviable(
            fields,
            &["stx_mask", "stx_attributes", "stx_mode", "stx_size"],
        ))
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
        let fsid = Value::abbreviable_array(
            vec![
                Value::Hex(u64::from(b.u32(56))),
                Value::Hex(u64::from(b.u32(60))),
            ],
            false,
            d.string_limit,
        );
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
                Value::abbreviable_array(loads, false, d.string_limit),
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
            let special = |name| Value::Named {
                name,
                value: Box::new(Value::Struct(vec![
                    ("tv_sec", Value::Int(sec)),
                    ("tv_nsec", Value::Int(nsec)),
                ])),
            };
            match nsec {
                libc::UTIME_NOW => special("UTIME_NOW"),
                libc::UTIME_OMIT => special("UTIME_OMIT"),
                _ => Value::Time { sec, nsec },
            }
        })
        .collect();
    Some(Value::Array { items, more: false })
}

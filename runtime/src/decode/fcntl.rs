//! fcntl(2): the third argument as its command reads it (a descriptor number, `FD_CLOEXEC`,
//! open flags, a signal, a `struct flock`, ...), and the results strace names:
//! `F_GETFL` → `= 0x8002 (flags O_RDWR|O_LARGEFILE)`.

use super::{Bytes, RetDecoded, Slot, Value, enumerated, flags, plain, pointer};
use crate::args::Decoder;
use crate::linux::{
    DnotifyFlags, Fcntl, FcntlCmd, FdFlags, LockType, OpenFlags, OwnerType, SealFlags, Whence,
};

const F_DUPFD: u64 = FcntlCmd::F_DUPFD.0;
const F_DUPFD_CLOEXEC: u64 = FcntlCmd::F_DUPFD_CLOEXEC.0;
const F_DUPFD_QUERY: u64 = FcntlCmd::F_DUPFD_QUERY.0;
const F_GETFD: u64 = FcntlCmd::F_GETFD.0;
const F_SETFD: u64 = FcntlCmd::F_SETFD.0;
const F_GETFL: u64 = FcntlCmd::F_GETFL.0;
const F_SETFL: u64 = FcntlCmd::F_SETFL.0;
const F_GETLK: u64 = FcntlCmd::F_GETLK.0;
const F_SETLK: u64 = FcntlCmd::F_SETLK.0;
const F_SETLKW: u64 = FcntlCmd::F_SETLKW.0;
const F_OFD_GETLK: u64 = FcntlCmd::F_OFD_GETLK.0;
const F_OFD_SETLK: u64 = FcntlCmd::F_OFD_SETLK.0;
const F_OFD_SETLKW: u64 = FcntlCmd::F_OFD_SETLKW.0;
const F_SETOWN: u64 = FcntlCmd::F_SETOWN.0;
const F_SETOWN_EX: u64 = FcntlCmd::F_SETOWN_EX.0;
const F_GETOWN_EX: u64 = FcntlCmd::F_GETOWN_EX.0;
const F_SETSIG: u64 = FcntlCmd::F_SETSIG.0;
const F_GETSIG: u64 = FcntlCmd::F_GETSIG.0;
const F_SETLEASE: u64 = FcntlCmd::F_SETLEASE.0;
const F_GETLEASE: u64 = FcntlCmd::F_GETLEASE.0;
const F_NOTIFY: u64 = FcntlCmd::F_NOTIFY.0;
const F_SETPIPE_SZ: u64 = FcntlCmd::F_SETPIPE_SZ.0;
const F_ADD_SEALS: u64 = FcntlCmd::F_ADD_SEALS.0;
const F_GET_SEALS: u64 = FcntlCmd::F_GET_SEALS.0;

/// The third argument, by command; `None` (the table's hex) for the others.
pub(super) fn arg(c: &Fcntl, index: usize, d: &Decoder<'_>) -> Option<Value> {
    if index != 2 {
        return None;
    }
    let raw = c.arg.0;
    Some(match c.cmd.0 {
        // A C `int` in the low half of the register.
        F_DUPFD | F_DUPFD_CLOEXEC | F_DUPFD_QUERY | F_SETOWN | F_SETPIPE_SZ => {
            Value::Int(i64::from(raw as i32))
        }
        F_SETFD => flags(raw, FdFlags::INFO),
        F_SETFL => flags(raw, OpenFlags::INFO),
        F_SETSIG => Value::Signal(raw as i32),
        F_SETLEASE => enumerated(raw, LockType::INFO),
        F_NOTIFY => flags(raw, DnotifyFlags::INFO),
        F_ADD_SEALS => flags(raw, SealFlags::INFO),
        F_SETLK | F_SETLKW | F_OFD_SETLK | F_OFD_SETLKW => flock(d, raw, false),
        F_GETLK | F_OFD_GETLK => filled(d, raw, |d, addr| flock(d, addr, true)),
        F_SETOWN_EX => owner(d, raw),
        F_GETOWN_EX => filled(d, raw, owner),
        _ => return None,
    })
}

/// What the command's result means, where strace says.
pub(super) fn ret(c: &Fcntl, ret: i64) -> Option<RetDecoded> {
    let raw = ret as u64;
    let (hex, label, value) = match c.cmd.0 {
        F_GETFD if ret != 0 => (true, Some("flags"), flags(raw, FdFlags::INFO)),
        F_GETFL => (true, Some("flags"), flags(raw, OpenFlags::INFO)),
        F_GETLEASE => (true, None, enumerated(raw, LockType::INFO)),
        F_GET_SEALS if ret != 0 => (true, Some("seals"), flags(raw, SealFlags::INFO)),
        F_GETSIG if ret != 0 => (false, None, Value::Signal(ret as i32)),
        _ => return None,
    };
    Some(RetDecoded { hex, label, value })
}

/// The commands whose struct the kernel fills show it at exit.
pub(super) fn slots(c: &Fcntl) -> Option<Vec<Slot>> {
    matches!(c.cmd.0, F_GETLK | F_OFD_GETLK | F_GETOWN_EX).then(|| plain(&[0, 1, 2], &[2]))
}

/// A struct the kernel fills: its address until the call succeeded.
fn filled(d: &Decoder<'_>, addr: u64, decode: fn(&Decoder<'_>, u64) -> Value) -> Value {
    if addr == 0 || d.success().is_none() {
        return pointer(addr);
    }
    decode(d, addr)
}

/// `struct flock` (x86_64: l_type and l_whence `short`s, l_start and l_len at 8 and 16,
/// l_pid at 24), with `l_pid` where the kernel reports it.
fn flock(d: &Decoder<'_>, addr: u64, with_pid: bool) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    let Some(b) = Bytes::read(d, addr, 32) else {
        return Value::Unreadable(addr);
    };
    let mut fields = vec![
        ("l_type", enumerated(b.i16(0) as u64, LockType::INFO)),
        ("l_whence", enumerated(b.i16(2) as u64, Whence::INFO)),
        ("l_start", Value::Int(b.i64(8))),
        ("l_len", Value::Int(b.i64(16))),
    ];
    if with_pid {
        fields.push(("l_pid", Value::Int(i64::from(b.i32(24)))));
    }
    Value::Struct(fields)
}

/// `struct f_owner_ex`: `{type=F_OWNER_TID, pid=0}`.
fn owner(d: &Decoder<'_>, addr: u64) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    let Some(b) = Bytes::read(d, addr, 8) else {
        return Value::Unreadable(addr);
    };
    Value::Struct(vec![
        ("type", enumerated(u64::from(b.u32(0)), OwnerType::INFO)),
        ("pid", Value::Int(i64::from(b.i32(4)))),
    ])
}

//! Decoders by family, one file each, as strace splits its own (`fcntl.c`, `clone.c`, ...):
//! what the table's generic kinds cannot say alone, because an argument's meaning depends on
//! another one (fcntl's third argument on its command), a return value means more than its
//! number (`F_GETFL`'s flags), or strace lays a call out its own way (clone's
//! `child_stack=`, `flags=`).
//!
//! Three hooks, each answering `None` (or the table's default) where the table's decoding
//! stands:
//! - `arg`: argument `index` of a call, as a format-neutral [`Value`];
//! - `ret`: what a successful return value means ([`RetDecoded`]);
//! - `slots`: which arguments are shown, in which order, under which label, and whether
//!   at the syscall's entry or exit.
//!
//! Decoders only read: the registers (the typed call) and tracee memory through the
//! [`Decoder`]. Sinks spell the values (strace text, JSON).

#![deny(clippy::arithmetic_side_effects)]

mod bpf;
mod clone;
mod fcntl;
mod futex;
mod io_uring;
mod ioctl;
mod memory;
mod net;
mod poll;
mod prctl;
mod resource;
mod sched;
mod select;
pub(crate) mod signal;
mod stat;
mod time;

use crate::args::Decoder;
use crate::linux::Syscall;
use crate::memory::ReadMemory;
use crate::value::{RetDecoded, SetInfo, SyscallInfo, Value};
use std::sync::OnceLock;

/// How the text trace shows one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The argument's index in the table (and the registers).
    pub index: usize,
    /// Shown as `label=value`, as strace shows clone's arguments.
    pub label: Option<&'static str>,
    /// Decoded at the syscall-exit stop: the kernel fills it.
    pub at_exit: bool,
}

/// A family's decoder of some arguments of one syscall.
struct ArgDecoder {
    /// The syscall, by its table name.
    syscall: &'static str,
    /// The arguments it decodes, by their table names.
    args: &'static [&'static str],
    /// Decodes argument `index`; `None` leaves it to the table (an unknown command).
    decode: fn(&Syscall, usize, &Decoder<'_>) -> Option<Value>,
}

/// `ArgDecoder` for the typed call of one `Syscall` variant.
macro_rules! family {
    ($syscall:literal, $variant:ident, [$($arg:literal),*], $decode:path) => {
        ArgDecoder {
            syscall: $syscall,
            args: &[$($arg),*],
            decode: |call, index, d| match call {
                Syscall::$variant(c) => $decode(c, index, d),
                _ => None,
            },
        }
    };
}

/// Every argument a family decodes: the one list the dispatch and the JSON schema follow.
static ARGS: &[ArgDecoder] = &[
    family!("fcntl", Fcntl, ["arg"], fcntl::arg),
    family!("clone", Clone, ["parent_tid"], clone::arg),
    family!("clone3", Clone3, ["cl_args"], clone::clone3_arg),
    family!("utimensat", Utimensat, ["times"], stat::utimensat_arg),
    family!("futex", Futex, ["timeout", "val3"], futex::arg),
    family!(
        "sched_getaffinity",
        SchedGetaffinity,
        ["mask"],
        sched::getaffinity_arg
    ),
    family!(
        "sched_setaffinity",
        SchedSetaffinity,
        ["mask"],
        sched::setaffinity_arg
    ),
    family!("prctl", Prctl, ["arg2", "arg3", "arg4", "arg5"], prctl::arg),
    family!("mincore", Mincore, ["vec"], memory::mincore_arg),
    family!("bpf", Bpf, ["cmd"], bpf::arg),
    family!("ioctl", Ioctl, ["request", "argp"], ioctl::arg),
    family!("socket", Socket, ["protocol"], net::socket_arg),
    family!("socketpair", Socketpair, ["protocol"], net::socketpair_arg),
    family!("poll", Poll, ["fds"], poll::poll_arg),
    family!("ppoll", Ppoll, ["fds"], poll::ppoll_arg),
    family!("nanosleep", Nanosleep, ["rem"], time::nanosleep_arg),
    family!(
        "clock_nanosleep",
        ClockNanosleep,
        ["remain"],
        time::clock_nanosleep_arg
    ),
    family!("getgroups", Getgroups, ["list"], resource::getgroups_arg),
    family!("setgroups", Setgroups, ["list"], resource::setgroups_arg),
    family!(
        "ioprio_set",
        IoprioSet,
        ["ioprio"],
        resource::ioprio_set_arg
    ),
    family!(
        "select",
        Select,
        ["readfds", "writefds", "exceptfds"],
        select::select_arg
    ),
    family!(
        "pselect6",
        Pselect6,
        ["readfds", "writefds", "exceptfds", "sigmask"],
        select::pselect6_arg
    ),
];

/// Argument `index` of `call` decoded by its family, or `None` for the table's decoding.
pub(crate) fn arg(call: &Syscall, index: usize, d: &Decoder<'_>) -> Option<Value> {
    let family = family_of(call.info()?, index)?;
    (family.decode)(call, index, d)
}

/// The family that decodes argument `index` of the call `info` describes: [`ARGS`] by
/// syscall number and argument, worked out once (this runs for every argument shown).
fn family_of(info: &SyscallInfo, index: usize) -> Option<&'static ArgDecoder> {
    type ByNumber = Vec<[Option<&'static ArgDecoder>; 6]>;
    static BY_NUMBER: OnceLock<ByNumber> = OnceLock::new();
    let table = BY_NUMBER.get_or_init(|| {
        let mut table: ByNumber = Vec::new();
        for family in ARGS {
            let Some(info) = crate::SYSCALLS.iter().find(|i| i.name == family.syscall) else {
                continue;
            };
            let Ok(number) = usize::try_from(info.number) else {
                continue;
            };
            if table.len() <= number {
                table.resize(number.saturating_add(1), [None; 6]);
            }
            for (i, arg) in info.args.iter().enumerate().take(6) {
                if family.args.contains(&arg.name) {
                    table[number][i] = Some(family);
                }
            }
        }
        table
    });
    let family = table
        .get(usize::try_from(info.number).ok()?)?
        .get(index)
        .copied()??;
    // Another table's call with this number (an i386 one) is not this family's.
    (family.syscall == info.name).then_some(family)
}

/// The arguments, as `(syscall, argument)` by their `syscalls.toml` names, that a family
/// decoder of `decode/` decodes beyond what the table's kind says: fcntl's `arg` is a
/// number, flags or a `struct flock` by command. The JSON schema lets them hold any value.
pub fn family_args() -> impl Iterator<Item = (&'static str, &'static str)> {
    ARGS.iter()
        .flat_map(|f| f.args.iter().map(move |arg| (f.syscall, *arg)))
}

/// What `call`'s successful return value `ret` means, when strace shows more than the number;
/// `d` reads what the call left in memory (select's ready sets).
pub(crate) fn ret(call: &Syscall, ret: i64, d: &Decoder<'_>) -> Option<RetDecoded> {
    match call {
        Syscall::Poll(c) => poll::poll_ret(c, ret, d),
        Syscall::Ppoll(c) => poll::ppoll_ret(c, ret, d),
        Syscall::Select(c) => select::select_ret(c, ret, d),
        Syscall::Pselect6(c) => select::pselect6_ret(c, ret, d),
        Syscall::Fcntl(c) => fcntl::ret(c, ret),
        Syscall::SchedGetscheduler(_) => sched::getscheduler_ret(ret),
        Syscall::Prctl(c) => prctl::ret(c, ret),
        Syscall::RtSigtimedwait(_) => signal::signal_ret(ret),
        Syscall::IoprioGet(_) => resource::ioprio_ret(ret),
        _ => None,
    }
}

/// The arguments the text trace shows for `call`, in order: the family's layout, else
/// those the table shows, unlabelled, the kernel-filled ones at exit.
pub(crate) fn slots(call: &Syscall) -> Vec<Slot> {
    let special = match call {
        Syscall::Clone(c) => Some(clone::slots(c)),
        Syscall::Fcntl(c) => fcntl::slots(c),
        Syscall::Prctl(c) => prctl::slots(c),
        Syscall::Ioctl(c) => ioctl::slots(c),
        Syscall::Mincore(_) => Some(plain(&[0, 1, 2], &[2])),
        Syscall::Getgroups(_) => Some(plain(&[0, 1], &[1])),
        _ => None,
    };
    special.unwrap_or_else(|| {
        let info = call.info();
        (0..call.arg_count())
            .filter(|&i| call.shown(i))
            .map(|index| Slot {
                index,
                label: None,
                at_exit: info.is_some_and(|info| info.args[index].at_exit),
            })
            .collect()
    })
}

/// Unlabelled slots for `indices`, all at entry but those in `at_exit`.
fn plain(indices: &[usize], at_exit: &[usize]) -> Vec<Slot> {
    indices
        .iter()
        .map(|&index| Slot {
            index,
            label: None,
            at_exit: at_exit.contains(&index),
        })
        .collect()
}

/// A flags value of `set`.
fn flags(raw: u64, set: &'static SetInfo) -> Value {
    Value::Flags { raw, set }
}

/// An enum value of `set`.
fn enumerated(raw: u64, set: &'static SetInfo) -> Value {
    Value::Enum { raw, set }
}

/// A pointer to one `int` the kernel fills, shown `[5]`: `None` before the exit stop or
/// after a failure, where strace shows the address.
fn int_at(d: &Decoder<'_>, addr: u64) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    if d.success().is_none() {
        return Value::Addr(addr);
    }
    match d.memory.read_pod::<i32>(addr) {
        Ok(v) => Value::Array {
            items: vec![Value::Int(i64::from(v))],
            more: false,
        },
        Err(_) => Value::Unreadable(addr),
    }
}

/// A pointer the table shows as an address.
fn pointer(addr: u64) -> Value {
    if addr == 0 {
        Value::Null
    } else {
        Value::Addr(addr)
    }
}

/// A C struct read as bytes, for structs with padding (which cannot be `Pod`): fields are
/// taken at their offsets in the kernel's x86_64 layout. A field past the end reads as 0.
struct Bytes(Vec<u8>);

impl Bytes {
    /// The `len` bytes at `addr`, or `None` when they cannot be read.
    fn read(d: &Decoder<'_>, addr: u64, len: usize) -> Option<Bytes> {
        d.memory.read(addr, len).ok().map(Bytes)
    }

    fn array<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut out = [0; N];
        if let Some(bytes) = at.checked_add(N).and_then(|end| self.0.get(at..end)) {
            out.copy_from_slice(bytes);
        }
        out
    }

    fn u16(&self, at: usize) -> u16 {
        u16::from_ne_bytes(self.array(at))
    }

    fn i16(&self, at: usize) -> i16 {
        i16::from_ne_bytes(self.array(at))
    }

    fn u32(&self, at: usize) -> u32 {
        u32::from_ne_bytes(self.array(at))
    }

    fn i32(&self, at: usize) -> i32 {
        i32::from_ne_bytes(self.array(at))
    }

    fn u64(&self, at: usize) -> u64 {
        u64::from_ne_bytes(self.array(at))
    }

    fn i64(&self, at: usize) -> i64 {
        i64::from_ne_bytes(self.array(at))
    }
}

#[cfg(test)]
mod tests {
    //! The families on copied memory, spelled as strace spells them: a check that needs no
    //! tracee and no strace (tests/decode_test.rs compares with strace on real calls).
    use super::*;
    use crate::memory::Image;
    use crate::render;

    const AT: u64 = 0x1000;

    fn text(value: &Value) -> String {
        let mut out = String::new();
        render::value(&mut out, value);
        out
    }

    fn decoder(image: &Image, ret: Option<i64>) -> Decoder<'_> {
        Decoder {
            memory: image,
            string_limit: 32,
            ret,
        }
    }

    fn words(values: &[u64]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_ne_bytes()).collect()
    }

    #[test]
    fn fcntl_by_command() {
        let mut image = Image::new();
        let mut flock = Vec::new();
        flock.extend((libc::F_WRLCK as i16).to_ne_bytes());
        flock.extend((libc::SEEK_SET as i16).to_ne_bytes());
        flock.extend([0; 4]);
        flock.extend(words(&[2, 5, 0]));
        image.map(AT, &flock);
        let d = decoder(&image, None);
        let setlk = Syscall::from_args(libc::SYS_fcntl, [3, libc::F_SETLK as u64, AT, 0, 0, 0]);
        assert_eq!(
            text(&arg(&setlk, 2, &d).unwrap()),
            "{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=2, l_len=5}"
        );
        let setfd = Syscall::from_args(libc::SYS_fcntl, [3, libc::F_SETFD as u64, 1, 0, 0, 0]);
        assert_eq!(text(&arg(&setfd, 2, &d).unwrap()), "FD_CLOEXEC");
        let getfl = Syscall::from_args(libc::SYS_fcntl, [3, libc::F_GETFL as u64, 0, 0, 0, 0]);
        let mut out = String::new();
        render::decoded_result(&mut out, 0x8002, &ret(&getfl, 0x8002, &d).unwrap());
        assert_eq!(out, "= 0x8002 (flags O_RDWR|O_LARGEFILE)");
    }

    #[test]
    fn clone_shows_what_its_flags_use() {
        let flags = (libc::CLONE_CHILD_CLEARTID | libc::CLONE_CHILD_SETTID | libc::SIGCHLD) as u64;
        let call = Syscall::from_args(libc::SYS_clone, [flags, 0, 0, AT, 0, 0]);
        let shown: Vec<_> = slots(&call).iter().map(|s| (s.label, s.at_exit)).collect();
        assert_eq!(
            shown,
            [
                (Some("child_stack"), false),
                (Some("flags"), false),
                (Some("child_tidptr"), true)
            ]
        );
        let image = Image::new();
        let value = call.decode_arg(0, &decoder(&image, None));
        assert_eq!(
            text(&value),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
        );
    }

    #[test]
    fn termios_as_strace_spells_it() {
        let mut image = Image::new();
        let mut termios: Vec<u8> = [0x500u32, 0x5, 0xbf, 0x8a3b]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect();
        termios.extend([0; 20]);
        image.map(AT, &termios);
        let call = Syscall::from_args(libc::SYS_ioctl, [0, libc::TCGETS, AT, 0, 0, 0]);
        assert_eq!(
            text(&arg(&call, 2, &decoder(&image, Some(0))).unwrap()),
            "{c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, \
             c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, \
             ...}"
        );
        // Before the call returned, what the kernel fills is only an address.
        assert_eq!(
            text(&arg(&call, 2, &decoder(&image, None)).unwrap()),
            "0x1000"
        );
    }

    #[test]
    fn select_reports_what_is_ready() {
        let mut image = Image::new();
        image.map(AT, &words(&[1 << 3]));
        image.map(AT + 0x100, &words(&[1 << 4]));
        image.map(AT + 0x200, &words(&[0, 5]));
        let call = Syscall::from_args(libc::SYS_pselect6, [5, AT, AT + 0x100, 0, AT + 0x200, 0]);
        let d = decoder(&image, Some(2));
        assert_eq!(text(&arg(&call, 1, &d).unwrap()), "[3]");
        let mut out = String::new();
        render::decoded_result(&mut out, 2, &ret(&call, 2, &d).unwrap());
        assert_eq!(out, "= 2 (in [3], out [4], left {tv_sec=0, tv_nsec=5})");
        let mut out = String::new();
        render::decoded_result(&mut out, 0, &ret(&call, 0, &d).unwrap());
        assert_eq!(out, "= 0 (Timeout)");
    }

    #[test]
    fn futex_values_by_operation() {
        let image = Image::new();
        let d = decoder(&image, None);
        let bitset = Syscall::from_args(
            libc::SYS_futex,
            [AT, libc::FUTEX_WAKE_BITSET as u64, 1, 0, 0, 0xffff_ffff],
        );
        assert_eq!(
            text(&arg(&bitset, 5, &d).unwrap()),
            "FUTEX_BITSET_MATCH_ANY"
        );
        let wake_op = Syscall::from_args(
            libc::SYS_futex,
            [
                AT,
                libc::FUTEX_WAKE_OP as u64,
                1,
                1,
                AT,
                (4 << 24) | (1 << 12),
            ],
        );
        assert_eq!(text(&arg(&wake_op, 3, &d).unwrap()), "1");
        assert_eq!(
            text(&arg(&wake_op, 5, &d).unwrap()),
            "FUTEX_OP_SET<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0"
        );
    }

    #[test]
    fn utimensat_times_by_name_or_date() {
        let mut image = Image::new();
        let times = [0, libc::UTIME_NOW as u64, 0, libc::UTIME_OMIT as u64];
        image.map(AT, &words(&times));
        let call = Syscall::from_args(libc::SYS_utimensat, [libc::AT_FDCWD as u64, 0, AT, 0, 0, 0]);
        assert_eq!(
            text(&arg(&call, 2, &decoder(&image, None)).unwrap()),
            "[UTIME_NOW, UTIME_OMIT]"
        );
    }
}

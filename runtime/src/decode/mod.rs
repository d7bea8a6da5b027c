//! Decoders by family, one file each, as strace splits its own (`fcntl.c`, `clone.c`, ...):
//! what the table's generic kinds cannot say alone, because an argument's meaning depends on
//! another one (fcntl's third argument on its command), a return value means more than its
//! number (`F_GETFL`'s flags), or strace lays a call out its own way (clone's
//! `child_stack=`, `flags=`).
//!
//! Three hooks, each answering `None` (or the table's default) where the table's decoding
//! stands:
//! - [`arg`]: argument `index` of a call, as a format-neutral [`Value`];
//! - [`ret`]: what a successful return value means ([`RetDecoded`]);
//! - [`slots`]: which arguments are shown, in which order, under which label, and whether
//!   at the syscall's entry or exit.
//!
//! Decoders only read: the registers (the typed call) and tracee memory through the
//! [`Decoder`]. Sinks spell the values (strace text, JSON).

#![deny(clippy::arithmetic_side_effects)]

mod bpf;
mod clone;
mod creds;
mod fcntl;
mod futex;
mod io_uring;
mod ioctl;
mod memory;
mod net;
mod poll;
mod prctl;
mod sched;
mod select;
pub(crate) mod signal;
mod stat;
mod time;

use crate::args::Decoder;
use crate::linux::Syscall;
use crate::memory::ReadMemory;
use crate::value::{RetDecoded, SetInfo, Value};

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
    family!("getgroups", Getgroups, ["list"], creds::getgroups_arg),
    family!("setgroups", Setgroups, ["list"], creds::setgroups_arg),
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
    let info = call.info()?;
    let name = info.args.get(index)?.name;
    let family = ARGS
        .iter()
        .find(|f| f.syscall == info.name && f.args.contains(&name))?;
    (family.decode)(call, index, d)
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

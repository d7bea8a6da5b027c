//! The C structs a `struct` argument of `syscalls.toml` can point to, one type per name in
//! CamelCase (`timespec` → [`Timespec`]), with their decoders.
//!
//! The names come from the table's `[structs]` section, the one list of them: the
//! generated code declares each listed type ([`Declared`]) and checks that it has a
//! decoder, and [`StructDecode`] requires the declaration, so a table line without a type
//! or decoder here, or a decoder without a table line, is a compile error.
//!
//! Structs the kernel ABI shares with `libc` are those types, so a handler can read and
//! write them (`Ptr<Timespec>::read`). The others are uninhabited markers, decoded from the
//! kernel's layout by a family decoder in `decode/` (`CloneArgs` in `decode/clone.rs`), or
//! shown as addresses, as strace shows structures it does not decode (the `opaque!` list).
//! A type's decoder lives here or in the `decode/` file of its family.

#![deny(clippy::arithmetic_side_effects)]

use crate::args::Decoder;

mod net;
use crate::memory::ReadMemory;
use crate::value::Value;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A struct listed in the `[structs]` section of `syscalls.toml`; implemented only by the
/// code generated from that list.
pub trait Declared {
    /// Its name in the table, `timespec`.
    const NAME: &'static str;
}

/// A struct a pointer argument can point to, decoded for rendering.
pub trait StructDecode: Declared {
    /// The bytes [`decode_at`](StructDecode::decode_at) reads (0: none, shown as an
    /// address): what the eBPF backend copies.
    const SIZE: usize;

    /// The kernel fills only as many bytes as the call returns (records in a buffer, as
    /// getdents writes them): an event source copies those, at most [`SIZE`](Self::SIZE).
    /// Pages past them may not even be mapped in yet.
    const RETURNED: bool = false;

    /// Decodes the struct at `addr`; `None` when its memory cannot be read.
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value>;
}

/// `struct timespec`: seconds and nanoseconds.
pub type Timespec = libc::timespec;
/// `struct timeval`: seconds and microseconds.
pub type Timeval = libc::timeval;
pub use crate::sys::abi::{Sysinfo, Timezone, WaitStatus};
/// `struct itimerval`: interval and current value, as `timeval`s.
pub type Itimerval = libc::itimerval;
/// `struct itimerspec`: interval and current value, as `timespec`s.
pub type Itimerspec = libc::itimerspec;
/// `struct stat`, as `fstat`, `stat`, `lstat` and `newfstatat` fill it (decoded in
/// `decode/stat.rs`, with `Statx`, `Statfs` and `Sysinfo`).
pub type Stat = libc::stat;
/// `struct statx`.
pub type Statx = libc::statx;
/// `struct statfs`.
pub type Statfs = libc::statfs;
/// `struct rlimit`: soft and hard limit.
pub type Rlimit = libc::rlimit;
/// `struct rusage`.
pub type Rusage = libc::rusage;
/// `struct tms`: process times in clock ticks.
pub type Tms = libc::tms;
/// `struct utsname` (the kernel's `new_utsname`, 65-byte fields).
pub type Utsname = libc::utsname;
/// `struct pollfd`.
pub type Pollfd = libc::pollfd;
/// `int[2]`, as `pipe` and `socketpair` fill it.
pub type FdPair = [i32; 2];
/// `int *`.
pub type Int = i32;
/// `long *` (also `off_t *`, `loff_t *`).
pub type Long = i64;
/// `unsigned int *`.
pub type Uint = u32;

/// The kernel's `sigset_t`: 64 bits on x86_64, bit `n - 1` for signal `n`.
pub enum Sigset {}
/// The kernel's `struct sigaction` (not glibc's): handler, flags, restorer, mask.
pub enum Sigaction {}
/// clone3's `struct clone_args` (decoded in `decode/clone.rs`).
pub enum CloneArgs {}
/// `siginfo_t` (decoded in `decode/signal.rs`).
pub enum Siginfo {}
/// `stack_t` of sigaltstack (decoded in `decode/signal.rs`).
pub enum Sigaltstack {}
/// `struct sched_param` (decoded in `decode/sched.rs`).
pub enum SchedParam {}
/// `struct sched_attr` (decoded in `decode/sched.rs`).
pub enum SchedAttr {}
/// `struct sigevent` (decoded in `decode/time.rs`).
pub enum Sigevent {}
/// `struct io_uring_params` (decoded in `decode/io_uring.rs`).
pub enum IoUringParams {}

macro_rules! opaque {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        /// Not decoded: shown as its address.
        pub enum $name {}
        impl StructDecode for $name {
            const SIZE: usize = 0;
            fn decode_at(_: &Decoder<'_>, addr: u64) -> Option<Value> {
                Some(Value::Addr(addr))
            }
        }
    )*};
}

/// `struct epoll_event` (packed on x86_64: events, then 64 bits of data).
pub enum EpollEvent {}
/// `struct msghdr` of sendmsg and recvmsg.
pub enum Msghdr {}

opaque!(
    Mmsghdr,
    Timex,
    UserDesc,
    MqAttr,
    KexecSegment,
    CapHeader,
    CapData,
    OpenHow,
    Rseq,
    MountAttr,
    FileHandle,
    FutexWaitv,
    LandlockRulesetAttr,
    PerfEventAttr,
    BpfAttr,
    MsqidDs,
    ShmidDs,
    Sembuf,
    RobustListHead,
    Aiocb,
    IoEvent,
    Iocb,
    GetcpuCache,
    Fsxattr,
    XattrArgs,
    MntIdReq,
    Statmount,
    CachestatRange,
    Cachestat,
    LsmCtx,
    FileAttr,
    NsIdReq,
    Nfsservctl,
    SysctlArgs,
    Utimbuf,
);

fn int(v: impl Into<i64>) -> Value {
    Value::Int(v.into())
}

fn uint(v: impl Into<u64>) -> Value {
    Value::Uint(v.into())
}

/// A `long` counter of `struct rusage`, which strace shows unsigned.
fn counter(v: libc::c_long) -> Value {
    Value::Uint(v as u64)
}

fn timespec(t: &libc::timespec) -> Value {
    Value::Struct(vec![("tv_sec", int(t.tv_sec)), ("tv_nsec", int(t.tv_nsec))])
}

fn timeval(t: &libc::timeval) -> Value {
    Value::Struct(vec![("tv_sec", int(t.tv_sec)), ("tv_usec", int(t.tv_usec))])
}

/// Implements `StructDecode` for a plain-data type by reading it and mapping it to a value.
macro_rules! decode_pod {
    ($($ty:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl StructDecode for $ty {
            const SIZE: usize = std::mem::size_of::<$ty>();
            fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
                let $v: $ty = d.memory.read_pod(addr).ok()?;
                Some($e)
            }
        }
    )*};
}

decode_pod! {
    Timespec => |t| timespec(&t),
    Timeval => |t| timeval(&t),
    Timezone => |t| Value::Struct(vec![
        ("tz_minuteswest", int(t.tz_minuteswest)),
        ("tz_dsttime", int(t.tz_dsttime)),
    ]),
    Itimerval => |t| Value::Struct(vec![
        ("it_interval", timeval(&t.it_interval)),
        ("it_value", timeval(&t.it_value)),
    ]),
    Itimerspec => |t| Value::Struct(vec![
        ("it_interval", timespec(&t.it_interval)),
        ("it_value", timespec(&t.it_value)),
    ]),
    Rlimit => |r| Value::Struct(vec![("rlim_cur", rlim(r.rlim_cur)), ("rlim_max", rlim(r.rlim_max))]),
    Rusage => |r| Value::abbreviable(vec![
        ("ru_utime", timeval(&r.ru_utime)),
        ("ru_stime", timeval(&r.ru_stime)),
        ("ru_maxrss", counter(r.ru_maxrss)),
        ("ru_ixrss", counter(r.ru_ixrss)),
        ("ru_idrss", counter(r.ru_idrss)),
        ("ru_isrss", counter(r.ru_isrss)),
        ("ru_minflt", counter(r.ru_minflt)),
        ("ru_majflt", counter(r.ru_majflt)),
        ("ru_nswap", counter(r.ru_nswap)),
        ("ru_inblock", counter(r.ru_inblock)),
        ("ru_oublock", counter(r.ru_oublock)),
        ("ru_msgsnd", counter(r.ru_msgsnd)),
        ("ru_msgrcv", counter(r.ru_msgrcv)),
        ("ru_nsignals", counter(r.ru_nsignals)),
        ("ru_nvcsw", counter(r.ru_nvcsw)),
        ("ru_nivcsw", counter(r.ru_nivcsw)),
    ], &["ru_utime", "ru_stime"]),
    Tms => |t| Value::Struct(vec![
        ("tms_utime", int(t.tms_utime)),
        ("tms_stime", int(t.tms_stime)),
        ("tms_cutime", int(t.tms_cutime)),
        ("tms_cstime", int(t.tms_cstime)),
    ]),
    Utsname => |u| Value::abbreviable(vec![
        ("sysname", c_chars(&u.sysname)),
        ("nodename", c_chars(&u.nodename)),
        ("release", c_chars(&u.release)),
        ("version", c_chars(&u.version)),
        ("machine", c_chars(&u.machine)),
        ("domainname", c_chars(&u.domainname)),
    ], &["sysname", "nodename"]),
    FdPair => |p| Value::Array { items: vec![Value::Fd(p[0]), Value::Fd(p[1])], more: false },
    Int => |v| Value::Array { items: vec![int(v)], more: false },
    Long => |v| Value::Array { items: vec![int(v)], more: false },
    Uint => |v| Value::Array { items: vec![uint(v)], more: false },
}

impl StructDecode for Sigset {
    const SIZE: usize = 8;

    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let bits: u64 = d.memory.read_pod(addr).ok()?;
        Some(sigset(bits))
    }
}

/// The signals of a kernel `sigset_t` mask.
pub fn sigset(bits: u64) -> Value {
    // Signal n is bit n - 1.
    let signals = (1..=64).zip(0..64u32);
    Value::SigSet(
        signals
            .filter(|&(_, bit)| bits & (1u64 << bit) != 0)
            .map(|(n, _)| n)
            .collect(),
    )
}

/// `sa_flags` bits, named as strace names them.
/// (`sa_flags` is an `unsigned long`; libc's constants are `int`s, and SA_RESETHAND's high
/// bit must not spread into the upper half: a program passing `(int)SA_RESETHAND`
/// sign-extended sets those bits, which strace shows as unknown.)
const SA_FLAGS: &[(&str, u64)] = &[
    ("SA_RESTORER", 0x0400_0000),
    ("SA_ONSTACK", libc::SA_ONSTACK as u32 as u64),
    ("SA_RESTART", libc::SA_RESTART as u32 as u64),
    ("SA_NODEFER", libc::SA_NODEFER as u32 as u64),
    ("SA_RESETHAND", libc::SA_RESETHAND as u32 as u64),
    ("SA_SIGINFO", libc::SA_SIGINFO as u32 as u64),
    ("SA_NOCLDSTOP", libc::SA_NOCLDSTOP as u32 as u64),
    ("SA_NOCLDWAIT", libc::SA_NOCLDWAIT as u32 as u64),
];

impl StructDecode for Sigaction {
    const SIZE: usize = 32;

    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let [handler, flags, restorer, mask] = d.memory.read_words(addr, 4).ok()?[..] else {
            return None;
        };
        let handler = match handler {
            0 => Value::Symbol("SIG_DFL".into()),
            1 => Value::Symbol("SIG_IGN".into()),
            h => Value::Addr(h),
        };
        let mut names: Vec<&str> = SA_FLAGS
            .iter()
            .filter(|(_, bit)| flags & bit != 0)
            .map(|(n, _)| *n)
            .collect();
        let rest = flags & !SA_FLAGS.iter().fold(0, |all, (_, bit)| all | bit);
        let rest_text = format!("{rest:#x}");
        if rest != 0 || names.is_empty() {
            names.push(if rest == 0 { "0" } else { &rest_text });
        }
        let mut fields = vec![
            ("sa_handler", handler),
            ("sa_mask", sigset(mask)),
            ("sa_flags", Value::Symbol(names.join("|"))),
        ];
        if flags & 0x0400_0000 != 0 {
            fields.push(("sa_restorer", Value::Addr(restorer)));
        }
        Some(Value::Struct(fields))
    }
}

/// `struct linux_dirent64`, the records `getdents64` fills a buffer with.
pub enum LinuxDirent64 {}
/// `struct linux_dirent`, the records of the old `getdents` (`d_type` in the last byte).
pub enum LinuxDirent {}

/// The records a getdents buffer holds: as much of it as an event source copies at most
/// (8 KiB; a longer buffer's count covers the copied part).
const DIRENT_COPY: usize = 8192;

impl StructDecode for LinuxDirent64 {
    const SIZE: usize = DIRENT_COPY;
    const RETURNED: bool = true;

    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        dirents(d, addr, true)
    }
}

impl StructDecode for LinuxDirent {
    const SIZE: usize = DIRENT_COPY;
    const RETURNED: bool = true;

    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        dirents(d, addr, false)
    }
}

/// Where a record's name starts: after `d_ino`, `d_off`, `d_reclen` (and, in the 64-bit
/// record, `d_type`).
const DIRENT64_NAME: usize = 19;
const DIRENT_NAME: usize = 18;

/// The directory entries in the buffer at `addr`, as many bytes as the call returned.
fn dirents(d: &Decoder<'_>, addr: u64, wide: bool) -> Option<Value> {
    // The kernel fills at most the buffer's size; a longer read would be a bad return.
    let len = usize::try_from(d.success()?).ok()?.min(1 << 20);
    let buffer = match d.memory.read(addr, len) {
        Ok(buffer) => buffer,
        // A copy of the first bytes only (an event source's): the records they hold.
        Err(_) => {
            let mut buffer = vec![0; len.min(DIRENT_COPY)];
            let n = d.memory.read_some(addr, &mut buffer).ok()?;
            buffer.truncate(n);
            buffer
        }
    };
    let name_at = if wide { DIRENT64_NAME } else { DIRENT_NAME };
    let mut items = Vec::new();
    let mut at = 0usize;
    while let Some(record) = buffer.get(at..) {
        if record.len() < name_at {
            break;
        }
        let word = |i: usize| {
            let bytes = record.get(i..).and_then(|r| r.first_chunk::<8>());
            u64::from_ne_bytes(bytes.copied().unwrap_or([0; 8]))
        };
        let reclen = usize::from(u16::from_ne_bytes([record[16], record[17]]));
        if reclen < name_at || reclen > record.len() {
            break;
        }
        let body = &record[name_at..reclen];
        let name_len = body.iter().position(|&b| b == 0).unwrap_or(body.len());
        let name = Value::Str {
            bytes: body[..name_len].to_vec(),
            complete: true,
        };
        let kind = if wide {
            record[18]
        } else {
            record[reclen.checked_sub(1)?]
        };
        let mut fields = vec![
            ("d_ino", Value::Uint(word(0))),
            ("d_off", Value::Uint(word(8))),
            ("d_reclen", Value::Uint(reclen as u64)),
        ];
        if wide {
            fields.push(("d_type", dirent_type(kind)));
            fields.push(("d_name", name));
        } else {
            fields.push(("d_name", name));
            fields.push(("d_type", dirent_type(kind)));
        }
        items.push(Value::Struct(fields));
        at = at.checked_add(reclen)?;
    }
    Some(Value::Entries { addr, items })
}

/// A directory entry's `d_type`, `DT_REG`.
fn dirent_type(kind: u8) -> Value {
    const TYPES: &[(u8, &str)] = &[
        (libc::DT_UNKNOWN, "DT_UNKNOWN"),
        (libc::DT_FIFO, "DT_FIFO"),
        (libc::DT_CHR, "DT_CHR"),
        (libc::DT_DIR, "DT_DIR"),
        (libc::DT_BLK, "DT_BLK"),
        (libc::DT_REG, "DT_REG"),
        (libc::DT_LNK, "DT_LNK"),
        (libc::DT_SOCK, "DT_SOCK"),
        (14, "DT_WHT"),
    ];
    match TYPES.iter().find(|(v, _)| *v == kind) {
        Some((_, name)) => Value::Symbol((*name).to_string()),
        None => Value::Uint(u64::from(kind)),
    }
}

fn rlim(v: u64) -> Value {
    match v {
        libc::RLIM_INFINITY => Value::Symbol("RLIM64_INFINITY".into()),
        // strace's habit: 8388608 is `8192*1024`.
        v if v >= 1024 && v % 1024 == 0 => Value::Symbol(format!("{}*1024", v / 1024)),
        v => uint(v),
    }
}

impl StructDecode for WaitStatus {
    const SIZE: usize = 4;

    /// The status the kernel wrote; none when `WNOHANG` found no child that changed state
    /// (the call returned 0), where strace shows the address.
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        if d.success() == Some(0) {
            return Some(Value::Addr(addr));
        }
        Some(wait_status(d.memory.read_pod(addr).ok()?))
    }
}

/// A wait(2) status (`int *` of wait4) as strace shows it:
/// `{WIFEXITED(s) && WEXITSTATUS(s) == 0}`, `{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}`...
fn wait_status(s: WaitStatus) -> Value {
    let text = if let Some(code) = s.exit_code() {
        format!("{{WIFEXITED(s) && WEXITSTATUS(s) == {code}}}")
    } else if let Some(signal) = s.terminating_signal() {
        let core = if s.core_dumped() {
            " && WCOREDUMP(s)"
        } else {
            ""
        };
        let signal = crate::render::signal_name(signal);
        format!("{{WIFSIGNALED(s) && WTERMSIG(s) == {signal}{core}}}")
    } else if let Some(signal) = s.stop_signal() {
        let signal = crate::render::signal_name(signal);
        format!("{{WIFSTOPPED(s) && WSTOPSIG(s) == {signal}}}")
    } else if s.continued() {
        "{WIFCONTINUED(s)}".to_string()
    } else {
        format!("{:#x}", s.raw())
    };
    Value::Array {
        items: vec![Value::Symbol(text)],
        more: false,
    }
}

fn c_chars(chars: &[libc::c_char]) -> Value {
    let bytes: Vec<u8> = chars
        .iter()
        .map(|&c| c as u8)
        .take_while(|&b| b != 0)
        .collect();
    Value::Str {
        bytes,
        complete: true,
    }
}

/// Decodes a socket address of `len` bytes at `addr`.
pub fn decode_sockaddr(d: &Decoder<'_>, addr: u64, len: u64) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    let len = len.min(128) as usize;
    let Ok(bytes) = d.memory.read(addr, len) else {
        return Value::Unreadable(addr);
    };
    if bytes.len() < 2 {
        return Value::Struct(vec![]);
    }
    let family = u16::from_ne_bytes([bytes[0], bytes[1]]);
    let sym = |s: String| Value::Symbol(s);
    let mut fields = vec![(
        "sa_family",
        Value::Enum {
            raw: u64::from(family),
            set: crate::linux::AddressFamily::INFO,
        },
    )];
    match i32::from(family) {
        // An unnamed socket's address is its family alone.
        libc::AF_UNIX if bytes.len() == 2 => {}
        libc::AF_UNIX => {
            let path = &bytes[2..];
            let (abstract_ns, path) = match path.first() {
                Some(0) if path.len() > 1 => (true, &path[1..]),
                _ => (false, path),
            };
            let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
            let mut shown = if abstract_ns {
                b"@".to_vec()
            } else {
                Vec::new()
            };
            shown.extend_from_slice(&path[..end]);
            fields.push((
                "sun_path",
                Value::Str {
                    bytes: shown,
                    complete: true,
                },
            ));
        }
        libc::AF_INET if bytes.len() >= 8 => {
            let port = u16::from_be_bytes([bytes[2], bytes[3]]);
            let ip = Ipv4Addr::new(bytes[4], bytes[5], bytes[6], bytes[7]);
            fields.push(("sin_port", sym(format!("htons({port})"))));
            fields.push(("sin_addr", sym(format!("inet_addr(\"{ip}\")"))));
        }
        libc::AF_INET6 if bytes.len() >= 24 => {
            let port = u16::from_be_bytes([bytes[2], bytes[3]]);
            let ip: [u8; 16] = bytes[8..24].try_into().unwrap_or([0; 16]);
            fields.push(("sin6_port", sym(format!("htons({port})"))));
            fields.push((
                "sin6_addr",
                sym(format!("inet_pton(AF_INET6, \"{}\")", Ipv6Addr::from(ip))),
            ));
        }
        _ => fields.push((
            "sa_data",
            Value::Str {
                bytes: bytes[2..].to_vec(),
                complete: true,
            },
        )),
    }
    Value::Struct(fields)
}

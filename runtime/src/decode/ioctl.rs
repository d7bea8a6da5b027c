//! ioctl(2): the argument by request, for the common ones: counts and flags behind an
//! `int *` (`FIONREAD, [27]`), terminals (`struct termios` and `termio`, abbreviated as
//! strace does unless `-v`; `struct winsize`; flush queues), network interfaces
//! (`struct ifreq`); and the requests strace names twice (`SNDCTL_TMR_START or TCSETS`).

use super::{Bytes, Slot, Value, enumerated, flags, int_at, plain, pointer};
use crate::args::Decoder;
use crate::linux::{
    IfFlags, Ioctl, IoctlRequest, LineDiscipline, TermiosInputFlags, TermiosLocalFlags,
};
use crate::memory::ReadMemory;

const FIONREAD: u64 = IoctlRequest::FIONREAD.0;
const TIOCOUTQ: u64 = IoctlRequest::TIOCOUTQ.0;
const TIOCGPTN: u64 = IoctlRequest::TIOCGPTN.0;
const TIOCGPGRP: u64 = IoctlRequest::TIOCGPGRP.0;
const TIOCGSID: u64 = IoctlRequest::TIOCGSID.0;
const TIOCGETD: u64 = IoctlRequest::TIOCGETD.0;
const TIOCMGET: u64 = IoctlRequest::TIOCMGET.0;
const TIOCGPTLCK: u64 = IoctlRequest::TIOCGPTLCK.0;
const TIOCGPKT: u64 = IoctlRequest::TIOCGPKT.0;
const TIOCGEXCL: u64 = IoctlRequest::TIOCGEXCL.0;
const FIONBIO: u64 = IoctlRequest::FIONBIO.0;
const FIOASYNC: u64 = IoctlRequest::FIOASYNC.0;
const TIOCSPTLCK: u64 = IoctlRequest::TIOCSPTLCK.0;
const TIOCSPGRP: u64 = IoctlRequest::TIOCSPGRP.0;
const TIOCSETD: u64 = IoctlRequest::TIOCSETD.0;
const TIOCPKT: u64 = IoctlRequest::TIOCPKT.0;
const TIOCMSET: u64 = IoctlRequest::TIOCMSET.0;
const TIOCMBIS: u64 = IoctlRequest::TIOCMBIS.0;
const TIOCMBIC: u64 = IoctlRequest::TIOCMBIC.0;
const TCGETS: u64 = IoctlRequest::TCGETS.0;
const TCSETS: u64 = IoctlRequest::TCSETS.0;
const TCSETSW: u64 = IoctlRequest::TCSETSW.0;
const TCSETSF: u64 = IoctlRequest::TCSETSF.0;
const TCGETA: u64 = IoctlRequest::TCGETA.0;
const TCSETA: u64 = IoctlRequest::TCSETA.0;
const TCSETAW: u64 = IoctlRequest::TCSETAW.0;
const TCSETAF: u64 = IoctlRequest::TCSETAF.0;
const TIOCGWINSZ: u64 = IoctlRequest::TIOCGWINSZ.0;
const TIOCSWINSZ: u64 = IoctlRequest::TIOCSWINSZ.0;
const TCFLSH: u64 = IoctlRequest::TCFLSH.0;
const TCXONC: u64 = IoctlRequest::TCXONC.0;
const TCSBRK: u64 = IoctlRequest::TCSBRK.0;
const TCSBRKP: u64 = IoctlRequest::TCSBRKP.0;
const FICLONE: u64 = IoctlRequest::FICLONE.0;
const FICLONERANGE: u64 = IoctlRequest::FICLONERANGE.0;
const FIDEDUPERANGE: u64 = IoctlRequest::FIDEDUPERANGE.0;
const SIOCGIFNAME: u64 = IoctlRequest::SIOCGIFNAME.0;
const SIOCGIFINDEX: u64 = IoctlRequest::SIOCGIFINDEX.0;
const SIOCGIFFLAGS: u64 = IoctlRequest::SIOCGIFFLAGS.0;
const SIOCGIFMTU: u64 = IoctlRequest::SIOCGIFMTU.0;

/// Requests whose `int *` the kernel fills.
fn fills_int(request: u64) -> bool {
    matches!(
        request,
        FIONREAD
            | TIOCOUTQ
            | TIOCGPTN
            | TIOCGPGRP
            | TIOCGSID
            | TIOCGETD
            | TIOCMGET
            | TIOCGPTLCK
            | TIOCGPKT
            | TIOCGEXCL
    )
}

/// Requests whose argument the kernel fills (shown at exit).
fn fills(request: u64) -> bool {
    fills_int(request)
        || matches!(
            request,
            TCGETS | TCGETA | TIOCGWINSZ | SIOCGIFNAME | SIOCGIFINDEX | SIOCGIFFLAGS | SIOCGIFMTU
        )
}

/// ioctl's arguments: fd 0, request 1, argp 2.
pub(super) fn arg(c: &Ioctl, index: usize, d: &Decoder<'_>) -> Option<Value> {
    let request = c.request.0;
    let argp = c.argp.0;
    match index {
        1 => alias(request).map(|name| Value::Symbol(name.into())),
        2 => Some(match request {
            r if fills_int(r) => int_at(d, argp),
            FIONBIO | FIOASYNC | TIOCSPTLCK | TIOCSPGRP | TIOCSETD | TIOCPKT | TIOCMSET
            | TIOCMBIS | TIOCMBIC => int_in(d, argp),
            TCGETS => filled(d, argp, termios),
            TCSETS | TCSETSW | TCSETSF => termios(d, argp),
            TCGETA => filled(d, argp, termio),
            TCSETA | TCSETAW | TCSETAF => termio(d, argp),
            TIOCGWINSZ => filled(d, argp, winsize),
            TIOCSWINSZ => winsize(d, argp),
            TCFLSH => named(argp, &["TCIFLUSH", "TCOFLUSH", "TCIOFLUSH"]),
            TCXONC => named(argp, &["TCOOFF", "TCOON", "TCIOFF", "TCION"]),
            TCSBRK | TCSBRKP => Value::Int(i64::from(argp as i32)),
            // The file to clone from, by value.
            FICLONE => Value::Fd(argp as i32),
            SIOCGIFNAME | SIOCGIFINDEX | SIOCGIFFLAGS | SIOCGIFMTU => ifreq(d, request, argp),
            _ => return None,
        }),
        _ => None,
    }
}

/// The requests whose argument the kernel fills show it at exit.
pub(super) fn slots(c: &Ioctl) -> Option<Vec<Slot>> {
    fills(c.request.0).then(|| plain(&[0, 1, 2], &[2]))
}

/// The requests that share their number with another one, as strace names them.
fn alias(request: u64) -> Option<&'static str> {
    Some(match request {
        TCSETS => "SNDCTL_TMR_START or TCSETS",
        TCSETSW => "SNDCTL_TMR_STOP or TCSETSW",
        TCSETSF => "SNDCTL_TMR_CONTINUE or TCSETSF",
        FICLONE => "BTRFS_IOC_CLONE or FICLONE",
        FICLONERANGE => "BTRFS_IOC_CLONE_RANGE or FICLONERANGE",
        FIDEDUPERANGE => "BTRFS_IOC_FILE_EXTENT_SAME or FIDEDUPERANGE",
        _ => return None,
    })
}

/// An `int` the program passes, `[1]`.
fn int_in(d: &Decoder<'_>, addr: u64) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    match d.memory.read_pod::<i32>(addr) {
        Ok(v) => Value::Array {
            items: vec![Value::Int(i64::from(v))],
            more: false,
        },
        Err(_) => Value::Unreadable(addr),
    }
}

/// A struct the kernel fills: its address until the call succeeded.
fn filled(d: &Decoder<'_>, addr: u64, decode: fn(&Decoder<'_>, u64) -> Value) -> Value {
    if addr == 0 || d.success().is_none() {
        return pointer(addr);
    }
    decode(d, addr)
}

/// A small enumeration passed by value.
fn named(raw: u64, names: &[&str]) -> Value {
    match usize::try_from(raw).ok().and_then(|i| names.get(i)) {
        Some(name) => Value::Symbol((*name).into()),
        None => Value::Uint(raw),
    }
}

/// The kernel's `struct termios` (`TCGETS`, `TCSETS`): four 32-bit flag words, the line
/// discipline and 19 control characters; abbreviated, strace shows the flag words.
fn termios(d: &Decoder<'_>, addr: u64) -> Value {
    terminal(d, addr, Layout::Termios)
}

/// The older `struct termio` (`TCGETA`, `TCSETA`): the same with 16-bit flag words and 8
/// control characters.
fn termio(d: &Decoder<'_>, addr: u64) -> Value {
    terminal(d, addr, Layout::Termio)
}

/// Which terminal struct: the width of its flag words, and how many control characters.
#[derive(Clone, Copy)]
enum Layout {
    Termios,
    Termio,
}

/// The names strace gives the control characters by index, as the kernel numbers them
/// on x86_64 (`VINTR` is 0, `VEOL2` 16); 17 and 18 have none.
const CONTROL_CHARS: [&str; 19] = [
    "VINTR", "VQUIT", "VERASE", "VKILL", "VEOF", "VTIME", "VMIN", "VSWTC", "VSTART", "VSTOP",
    "VSUSP", "VEOL", "VREPRINT", "VDISCARD", "VWERASE", "VLNEXT", "VEOL2", "17", "18",
];

/// A terminal struct at `addr`, in both forms.
fn terminal(d: &Decoder<'_>, addr: u64, layout: Layout) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    // Where the four flag words are, the line discipline, the first control character,
    // how many there are, and the struct's size.
    let (words, line_at, cc_at, control_chars, size) = match layout {
        Layout::Termios => ([0, 4, 8, 12], 16, 17, 19, 36),
        Layout::Termio => ([0, 2, 4, 6], 8, 9, 8, 18),
    };
    let Some(b) = Bytes::read(d, addr, size) else {
        return Value::Unreadable(addr);
    };
    let flag_word = |n: usize| match layout {
        Layout::Termios => b.u32(words[n]),
        Layout::Termio => u32::from(b.u16(words[n])),
    };
    let line = u64::from(b.array::<1>(line_at)[0]);
    let line = if LineDiscipline::INFO.values.iter().any(|(_, v)| *v == line) {
        enumerated(line, LineDiscipline::INFO)
    } else {
        Value::Symbol(format!("{line:#x} /* N_??? */"))
    };
    let cc = CONTROL_CHARS
        .iter()
        .zip(b.0.iter().skip(cc_at))
        .take(control_chars)
        .map(|(name, &c)| (*name, Value::Hex(u64::from(c))))
        .collect();
    Value::abbreviable(
        vec![
            (
                "c_iflag",
                flags(u64::from(flag_word(0)), TermiosInputFlags::INFO),
            ),
            ("c_oflag", Value::Symbol(oflag(flag_word(1)))),
            ("c_cflag", Value::Symbol(cflag(flag_word(2)))),
            (
                "c_lflag",
                flags(u64::from(flag_word(3)), TermiosLocalFlags::INFO),
            ),
            ("c_line", line),
            ("c_cc", Value::Indexed(cc)),
        ],
        &["c_iflag", "c_oflag", "c_cflag", "c_lflag"],
    )
}

/// Several fields under masks, each named by its value, then single bits, then what is
/// left in hex: how strace spells `c_oflag` and `c_cflag`.
fn fields_and_bits(raw: u32, fields: &[(u32, &[(&str, u32)])], bits: &[(&str, u32)]) -> String {
    let mut parts = Vec::new();
    let mut rest = raw;
    for (mask, values) in fields {
        let field = raw & mask;
        match values.iter().find(|(_, v)| *v == field) {
            Some((name, _)) => parts.push((*name).to_string()),
            None => parts.push(format!("{field:#x}")),
        }
        rest &= !mask;
    }
    for (name, bit) in bits {
        if rest & bit != 0 {
            parts.push((*name).to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    parts.join("|")
}

/// `c_oflag`: the delay fields, then the bits: `NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR`.
fn oflag(raw: u32) -> String {
    fields_and_bits(
        raw,
        &[
            (0o400, &[("NL0", 0), ("NL1", 0o400)]),
            (
                0o3000,
                &[
                    ("CR0", 0),
                    ("CR1", 0o1000),
                    ("CR2", 0o2000),
                    ("CR3", 0o3000),
                ],
            ),
            (
                0o14000,
                &[
                    ("TAB0", 0),
                    ("TAB1", 0o4000),
                    ("TAB2", 0o10000),
                    ("TAB3", 0o14000),
                ],
            ),
            (0o20000, &[("BS0", 0), ("BS1", 0o20000)]),
            (0o40000, &[("VT0", 0), ("VT1", 0o40000)]),
            (0o100000, &[("FF0", 0), ("FF1", 0o100000)]),
        ],
        &[
            ("OPOST", 0o1),
            ("OLCUC", 0o2),
            ("ONLCR", 0o4),
            ("OCRNL", 0o10),
            ("ONOCR", 0o20),
            ("ONLRET", 0o40),
            ("OFILL", 0o100),
            ("OFDEL", 0o200),
        ],
    )
}

/// `c_cflag`: the speed and the character size, then the bits: `B38400|CS8|CREAD`.
fn cflag(raw: u32) -> String {
    const SPEEDS: &[(&str, u32)] = &[
        ("B0", 0),
        ("B50", 1),
        ("B75", 2),
        ("B110", 3),
        ("B134", 4),
        ("B150", 5),
        ("B200", 6),
        ("B300", 7),
        ("B600", 8),
        ("B1200", 9),
        ("B1800", 10),
        ("B2400", 11),
        ("B4800", 12),
        ("B9600", 13),
        ("B19200", 14),
        ("B38400", 15),
        ("B57600", 0o10001),
        ("B115200", 0o10002),
        ("B230400", 0o10003),
        ("B460800", 0o10004),
        ("B500000", 0o10005),
        ("B576000", 0o10006),
        ("B921600", 0o10007),
        ("B1000000", 0o10010),
        ("B1152000", 0o10011),
        ("B1500000", 0o10012),
        ("B2000000", 0o10013),
        ("B2500000", 0o10014),
        ("B3000000", 0o10015),
        ("B3500000", 0o10016),
        ("B4000000", 0o10017),
    ];
    fields_and_bits(
        raw,
        &[
            (0o10017, SPEEDS),
            (
                0o60,
                &[("CS5", 0), ("CS6", 0o20), ("CS7", 0o40), ("CS8", 0o60)],
            ),
        ],
        &[
            ("CSTOPB", 0o100),
            ("CREAD", 0o200),
            ("PARENB", 0o400),
            ("PARODD", 0o1000),
            ("HUPCL", 0o2000),
            ("CLOCAL", 0o4000),
            ("CMSPAR", 0o10000000000),
            ("CRTSCTS", 0o20000000000),
        ],
    )
}

/// `struct winsize`: four `unsigned short`s.
fn winsize(d: &Decoder<'_>, addr: u64) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    let Some(b) = Bytes::read(d, addr, 8) else {
        return Value::Unreadable(addr);
    };
    let short = |at| Value::Uint(u64::from(b.u16(at)));
    Value::Struct(vec![
        ("ws_row", short(0)),
        ("ws_col", short(2)),
        ("ws_xpixel", short(4)),
        ("ws_ypixel", short(6)),
    ])
}

/// `struct ifreq` of the interface requests: the name (16 bytes at 0), then the union at
/// 16 (an index, flags or the MTU). What the kernel filled shows only when it succeeded.
fn ifreq(d: &Decoder<'_>, request: u64, addr: u64) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    let Some(b) = Bytes::read(d, addr, 24) else {
        return Value::Unreadable(addr);
    };
    let name = || {
        let bytes: Vec<u8> = b.0[..16].iter().copied().take_while(|&c| c != 0).collect();
        Value::Str {
            bytes,
            complete: true,
        }
    };
    let ok = d.success().is_some();
    let mut fields = Vec::new();
    match request {
        SIOCGIFNAME => {
            fields.push(("ifr_ifindex", Value::Int(i64::from(b.i32(16)))));
            if ok {
                fields.push(("ifr_name", name()));
            }
        }
        _ => {
            fields.push(("ifr_name", name()));
            if ok {
                fields.push(match request {
                    SIOCGIFINDEX => ("ifr_ifindex", Value::Int(i64::from(b.i32(16)))),
                    SIOCGIFFLAGS => ("ifr_flags", flags(u64::from(b.u16(16)), IfFlags::INFO)),
                    _ => ("ifr_mtu", Value::Int(i64::from(b.i32(16)))),
                });
            }
        }
    }
    Value::Struct(fields)
}

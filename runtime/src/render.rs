//! strace-format text of decoded values and return values, and of the times trace lines
//! carry (`-t`, `-r`, `-T`).

use crate::Errno;
use crate::fds::{FdAbout, FdKind};
use crate::value::{RetDecoded, RetKind, Value};
use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod constants;
mod zone;

pub use constants::{ConstStyle, constants};
pub use zone::LocalZone;

/// How strings are spelled: strace's default escapes, `-x` or `-xx`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StringStyle {
    /// C escapes (`\n`, `\t`, ...) and octal for other unprintable bytes: `"ab\1c\n"`.
    #[default]
    Escaped,
    /// `-x`: a string holding any byte that is neither printable ASCII nor `\t \n \v \f
    /// \r` is shown all in hex, `"\x61\x62\x01"`; other strings as [`Escaped`](Self::Escaped).
    HexNonAscii,
    /// `-xx`: every byte of every string in hex, paths and `argv` included.
    HexAll,
}

impl StringStyle {
    /// The style `-x` given `count` times asks for: none, `-x`, `-xx` (or more).
    pub fn from_count(count: u8) -> StringStyle {
        match count {
            0 => StringStyle::Escaped,
            1 => StringStyle::HexNonAscii,
            _ => StringStyle::HexAll,
        }
    }
}

/// Appends `value` in strace's notation, strings escaped as strace does by default.
pub fn value(out: &mut String, value: &Value) {
    value_with(out, value, StringStyle::Escaped)
}

/// Appends `value` in strace's notation, strings spelled in `strings` style.
pub fn value_with(out: &mut String, value: &Value, strings: StringStyle) {
    match value {
        Value::Int(v) => write!(out, "{v}").unwrap(),
        Value::Uint(v) => write!(out, "{v}").unwrap(),
        Value::Hex(0) => out.push('0'),
        Value::Hex(v) | Value::Addr(v) | Value::Unreadable(v) => write!(out, "{v:#x}").unwrap(),
        Value::Octal(v) => out.push_str(&octal(*v)),
        Value::FileMode(v) => file_mode(out, *v),
        Value::Fd(fd) => write!(out, "{fd}").unwrap(),
        Value::Dirfd(fd) if *fd == libc::AT_FDCWD => out.push_str("AT_FDCWD"),
        Value::Dirfd(fd) => write!(out, "{fd}").unwrap(),
        Value::Str { bytes, complete } => {
            quoted_with(out, bytes, strings);
            if !complete {
                out.push_str("...");
            }
        }
        Value::Null => out.push_str("NULL"),
        Value::Flags { raw, set } => flags(out, *raw, set),
        Value::Enum { raw, set } => match set.values.iter().find(|(_, v)| v == raw) {
            Some((name, _)) => out.push_str(name),
            None => write!(out, "{}", *raw as i64).unwrap(),
        },
        Value::Signal(n) => out.push_str(&signal_name(*n)),
        Value::Struct(fields) => {
            out.push('{');
            for (i, (name, field)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if *name == crate::value::MORE_FIELDS {
                    out.push_str("...");
                    continue;
                }
                out.push_str(name);
                out.push('=');
                value_with(out, field, strings);
            }
            out.push('}');
        }
        Value::Array { items, more } => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                value_with(out, item, strings);
            }
            if *more {
                out.push_str(if items.is_empty() { "..." } else { ", ..." });
            }
            out.push(']');
        }
        Value::SigSet(signals) => sigset(out, signals),
        Value::Env { addr, count } => {
            let s = if *count == 1 { "" } else { "s" };
            write!(out, "{addr:#x} /* {count} var{s} */").unwrap()
        }
        Value::Entries { addr, items } => {
            write!(out, "{addr:#x} /* {} entries */", items.len()).unwrap()
        }
        Value::Bytes { bytes, complete } => {
            quoted_with(out, bytes, StringStyle::HexAll);
            if !complete {
                out.push_str("...");
            }
        }
        Value::Changed { before, after } => {
            value_with(out, before, strings);
            out.push_str(" => ");
            value_with(out, after, strings);
        }
        Value::Symbol(text) => out.push_str(text),
        Value::Named { name, .. } => out.push_str(name),
        Value::BitSet(cpus) => {
            out.push('[');
            for (i, cpu) in cpus.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write!(out, "{cpu}").unwrap();
            }
            out.push(']');
        }
        Value::Report(parts) => {
            for (i, (name, part)) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(name);
                out.push(' ');
                value_with(out, part, strings);
            }
        }
        Value::Device { major, minor } => {
            out.push_str("makedev(");
            hex_or_zero(out, *major);
            out.push_str(", ");
            hex_or_zero(out, *minor);
            out.push(')');
        }
        Value::Time { sec, nsec } => {
            write!(out, "{{tv_sec={sec}, tv_nsec={nsec}}}").unwrap();
            date_comment(out, *sec, *nsec);
        }
        Value::EpochSeconds { sec, nsec } => {
            write!(out, "{sec}").unwrap();
            date_comment(out, *sec, *nsec);
        }
        Value::Indexed(items) => {
            out.push('[');
            for (i, (index, item)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write!(out, "[{index}]=").unwrap();
                value_with(out, item, strings);
            }
            out.push(']');
        }
        // The text trace resolves the form by the call's style before spelling a value
        // (`Value::abbreviated`); what is left unresolved is shown as strace shows it by
        // default.
        Value::Abbreviable { short, .. } => value_with(out, short, strings),
        Value::Described { fd, about } => {
            value_with(out, fd, strings);
            fd_about(out, about);
        }
    }
}

/// strace's comment on a point in time, ` /* 2001-09-09T01:46:40.000000005+0000 */`: none
/// for the epoch itself or for nanoseconds out of range (strace's `sprinttime_nsec`).
fn date_comment(out: &mut String, sec: i64, nsec: i64) {
    if (sec == 0 && nsec == 0) || !(0..1_000_000_000).contains(&nsec) {
        return;
    }
    out.push_str(" /* ");
    iso_time(out, sec, nsec);
    out.push_str(" */");
}

/// C's `%#x`: `0`, or `0x` and the digits.
fn hex_or_zero(out: &mut String, v: u64) {
    if v == 0 {
        out.push('0');
    } else {
        write!(out, "{v:#x}").unwrap();
    }
}

/// strace's comment on a point in time, in the local zone: `2001-09-09T01:46:40+0000`,
/// with `.000000005` before the zone when there are nanoseconds.
pub fn iso_time(out: &mut String, sec: i64, nsec: i64) {
    static ZONE: std::sync::OnceLock<LocalZone> = std::sync::OnceLock::new();
    let offset = i64::from(ZONE.get_or_init(LocalZone::from_env).offset_at(sec));
    let local = sec.saturating_add(offset);
    let (days, of_day) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
    .unwrap();
    if nsec != 0 {
        write!(out, ".{nsec:09}").unwrap();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.abs() / 60;
    write!(out, "{sign}{:02}{:02}", minutes / 60, minutes % 60).unwrap();
}

/// What is known of a descriptor as strace writes it after the number (`-y`, `-yy`):
/// `</etc/hostname>`, `</dev/null<char 1:3>>`, `<TCP:[127.0.0.1:80]>`, `<pid:42>`,
/// `</memfd:x>(deleted)`.
pub fn fd_about(out: &mut String, about: &FdAbout) {
    out.push('<');
    match &about.kind {
        FdKind::Socket(text) => out.push_str(text),
        FdKind::Pidfd(pid) => write!(out, "pid:{pid}").unwrap(),
        FdKind::File | FdKind::Device { .. } => {
            fd_path(out, about.path.as_deref().unwrap_or_default());
            if let FdKind::Device {
                block,
                major,
                minor,
            } = about.kind
            {
                let kind = if block { "block" } else { "char" };
                write!(out, "<{kind} {major}:{minor}>").unwrap();
            }
        }
    }
    out.push('>');
    if about.deleted && about.path.is_some() {
        out.push_str("(deleted)");
    }
}

/// A path between `<` and `>`: escaped as a string is, without the quotes, and with `<`
/// and `>` in octal so that the brackets stay unambiguous (strace's
/// `print_quoted_string_ex(.., QUOTE_OMIT_LEADING_TRAILING_QUOTES, "<>")`).
fn fd_path(out: &mut String, path: &[u8]) {
    let mut text = String::new();
    quoted(&mut text, path);
    let inner = &text[1..text.len() - 1];
    for c in inner.chars() {
        match c {
            '<' => out.push_str("\\74"),
            '>' => out.push_str("\\76"),
            c => out.push(c),
        }
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// C's `%#03o`, as strace prints modes: `0644`, `000`, `007`.
fn octal(v: u64) -> String {
    let text = if v == 0 {
        "0".to_string()
    } else {
        format!("0{v:o}")
    };
    format!("{text:0>3}")
}

/// The file type of an `st_mode`, `S_IFREG`; `None` when it holds none.
pub(crate) fn file_type(mode: u64) -> Option<&'static str> {
    const TYPES: &[(u32, &str)] = &[
        (libc::S_IFREG, "S_IFREG"),
        (libc::S_IFDIR, "S_IFDIR"),
        (libc::S_IFLNK, "S_IFLNK"),
        (libc::S_IFCHR, "S_IFCHR"),
        (libc::S_IFBLK, "S_IFBLK"),
        (libc::S_IFIFO, "S_IFIFO"),
        (libc::S_IFSOCK, "S_IFSOCK"),
    ];
    let kind = mode as u32 & libc::S_IFMT;
    TYPES
        .iter()
        .find(|(bits, _)| *bits == kind)
        .map(|(_, name)| *name)
}

fn file_mode(out: &mut String, mode: u64) {
    const SPECIAL: &[(u32, &str)] = &[
        (libc::S_ISUID, "S_ISUID"),
        (libc::S_ISGID, "S_ISGID"),
        (libc::S_ISVTX, "S_ISVTX"),
    ];
    match file_type(mode) {
        Some(name) => {
            out.push_str(name);
            for (bit, special) in SPECIAL {
                if mode as u32 & bit != 0 {
                    write!(out, "|{special}").unwrap();
                }
            }
            write!(out, "|{}", octal(mode & 0o777)).unwrap()
        }
        None => out.push_str(&octal(mode)),
    }
}

fn flags(out: &mut String, raw: u64, set: &crate::value::SetInfo) {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = raw;
    let mut field_part = None;
    if let Some((mask, values)) = set.field {
        let field = raw & mask;
        field_part = match values.iter().find(|(_, v)| *v == field) {
            Some((name, _)) => Some((*name).to_string()),
            // An empty field with no name (clone's exit signal 0) is left out.
            None if field == 0 => None,
            None => Some(format!("{field:#x}")),
        };
        rest &= !mask;
    }
    if !set.field_last {
        parts.extend(field_part.take());
    }
    for (name, bit) in set.values {
        if *bit != 0 && rest & bit == *bit {
            parts.push((*name).to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    parts.extend(field_part);
    if parts.is_empty() {
        parts.push(set.zero.unwrap_or("0").to_string());
    }
    out.push_str(&parts.join("|"));
}

/// `SIGINT`, or the kernel numbering of real-time signals strace uses (`SIGRT_2`).
pub fn signal_name(n: i32) -> String {
    match n {
        32 => "SIGRTMIN".into(),
        33..=64 => format!("SIGRT_{}", n - 32),
        _ => match nix::sys::signal::Signal::try_from(n) {
            Ok(signal) => signal.as_str().into(),
            Err(_) => n.to_string(),
        },
    }
}

fn sigset(out: &mut String, signals: &[i32]) {
    // More than half the signals: strace shows the complement, `~[KILL STOP]`.
    let complement = signals.len() > 32;
    let shown: Vec<i32> = if complement {
        (1..=64).filter(|n| !signals.contains(n)).collect()
    } else {
        signals.to_vec()
    };
    if complement {
        out.push('~');
    }
    out.push('[');
    let names: Vec<String> = shown
        .iter()
        .map(|&n| signal_name(n).trim_start_matches("SIG").to_string())
        .collect();
    out.push_str(&names.join(" "));
    out.push(']');
}

/// A C string literal with strace's escapes.
pub fn quoted(out: &mut String, bytes: &[u8]) {
    quoted_with(out, bytes, StringStyle::Escaped)
}

/// A C string literal in `strings` style (strace's `string_quote`).
pub fn quoted_with(out: &mut String, bytes: &[u8], strings: StringStyle) {
    // -x looks only at the bytes shown: a string cut at the limit is judged by its start.
    let hex = match strings {
        StringStyle::Escaped => false,
        StringStyle::HexNonAscii => bytes
            .iter()
            .any(|&b| b > 0x7e || (b < b' ' && !(b'\t'..=b'\r').contains(&b))),
        StringStyle::HexAll => true,
    };
    out.push('"');
    if hex {
        for &b in bytes {
            write!(out, "\\x{b:02x}").unwrap();
        }
        out.push('"');
        return;
    }
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                // Short octal unless the next byte is an octal digit that would extend it.
                let next_is_octal = bytes.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                if next_is_octal {
                    write!(out, "\\{b:03o}").unwrap();
                } else {
                    write!(out, "\\{b:o}").unwrap();
                }
            }
        }
    }
    out.push('"');
}

/// Appends ` = RESULT` for a raw return value.
pub fn ret(out: &mut String, ret: i64, kind: RetKind) {
    out.push(' ');
    result(out, ret, kind);
}

/// Appends `= RESULT` for a raw return value: `= 3`, `= 0x55d5...`, `= ?`,
/// `= -1 ENOENT (No such file or directory)`, `= ? ERESTARTSYS (To be restarted if
/// SA_RESTART is set)`.
pub fn result(out: &mut String, ret: i64, kind: RetKind) {
    match Errno::from_ret(ret) {
        Err(errno) if errno.is_restart() => {
            write!(out, "= ? {errno:?} ({})", errno.description()).unwrap()
        }
        Err(errno) => match errno.name() {
            Some(name) => write!(out, "= -1 {name} ({})", errno.description()).unwrap(),
            None => write!(
                out,
                "= -1 {} (Unknown error {})",
                errno.number(),
                errno.number()
            )
            .unwrap(),
        },
        Ok(v) => match kind {
            RetKind::Addr | RetKind::Hex if v != 0 => write!(out, "= {v:#x}").unwrap(),
            RetKind::Mode => write!(out, "= {}", octal(v as u64)).unwrap(),
            RetKind::Never => out.push_str("= ?"),
            _ => write!(out, "= {v}").unwrap(),
        },
    }
}

/// Appends `= RESULT (MEANING)` for a successful return value with a meaning:
/// `= 0x8002 (flags O_RDWR|O_LARGEFILE)`, `= 0 (SCHED_OTHER)`.
pub fn decoded_result(out: &mut String, ret: i64, meaning: &RetDecoded) {
    match (meaning.hex, ret) {
        (true, 0) => out.push_str("= 0"),
        (true, _) => write!(out, "= {ret:#x}").unwrap(),
        (false, _) => write!(out, "= {ret}").unwrap(),
    }
    out.push_str(" (");
    if let Some(label) = meaning.label {
        out.push_str(label);
        out.push(' ');
    }
    value(out, &meaning.value);
    out.push(')');
}

/// `HH:MM:SS` of `time` in `zone` (strace's `-t`), with `.uuuuuu` when `micros` (`-tt`).
pub fn time_of_day(out: &mut String, time: SystemTime, zone: &LocalZone, micros: bool) {
    let (secs, usecs) = epoch_parts(time);
    let local = secs + i64::from(zone.offset_at(secs));
    let of_day = local.rem_euclid(86_400);
    let (h, m, s) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    write!(out, "{h:02}:{m:02}:{s:02}").unwrap();
    if micros {
        write!(out, ".{usecs:06}").unwrap();
    }
}

/// Seconds since the epoch with microseconds, `1700000000.123456` (strace's `-ttt`).
pub fn epoch_time(out: &mut String, time: SystemTime) {
    let (secs, usecs) = epoch_parts(time);
    write!(out, "{secs}.{usecs:06}").unwrap();
}

/// A duration as strace's `-r` shows it: seconds right-aligned in 6 columns, then
/// microseconds, `     0.000123`.
pub fn relative_time(out: &mut String, elapsed: Duration) {
    write!(
        out,
        "{:6}.{:06}",
        elapsed.as_secs(),
        elapsed.subsec_micros()
    )
    .unwrap();
}

/// The time spent in a syscall as strace's `-T` shows it, `<0.000012>`.
pub fn duration(out: &mut String, spent: Duration) {
    write!(out, "<{}.{:06}>", spent.as_secs(), spent.subsec_micros()).unwrap();
}

/// Whole seconds (floored) and microseconds of `time` since the epoch.
fn epoch_parts(time: SystemTime) -> (i64, u32) {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_micros()),
        Err(before) => {
            let d = before.duration();
            let micros = d.subsec_micros();
            if micros == 0 {
                (-(d.as_secs() as i64), 0)
            } else {
                (-(d.as_secs() as i64) - 1, 1_000_000 - micros)
            }
        }
    }
}

#[cfg(test)]
mod tests;

//! strace-format text of decoded values and return values.

use crate::Errno;
use crate::value::{RetKind, Value};
use std::fmt::Write as _;

/// Appends `value` in strace's notation.
pub fn value(out: &mut String, value: &Value) {
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
            quoted(out, bytes);
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
                if *name == "..." {
                    out.push_str("...");
                    continue;
                }
                out.push_str(name);
                out.push('=');
                self::value(out, field);
            }
            out.push('}');
        }
        Value::Array { items, more } => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                self::value(out, item);
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
        Value::Symbol(text) => out.push_str(text),
    }
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

fn file_mode(out: &mut String, mode: u64) {
    const TYPES: &[(u32, &str)] = &[
        (libc::S_IFREG, "S_IFREG"),
        (libc::S_IFDIR, "S_IFDIR"),
        (libc::S_IFLNK, "S_IFLNK"),
        (libc::S_IFCHR, "S_IFCHR"),
        (libc::S_IFBLK, "S_IFBLK"),
        (libc::S_IFIFO, "S_IFIFO"),
        (libc::S_IFSOCK, "S_IFSOCK"),
    ];
    const SPECIAL: &[(u32, &str)] = &[
        (libc::S_ISUID, "S_ISUID"),
        (libc::S_ISGID, "S_ISGID"),
        (libc::S_ISVTX, "S_ISVTX"),
    ];
    let kind = mode as u32 & libc::S_IFMT;
    match TYPES.iter().find(|(bits, _)| *bits == kind) {
        Some((_, name)) => {
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
    if let Some((mask, values)) = set.field {
        let field = raw & mask;
        match values.iter().find(|(_, v)| *v == field) {
            Some((name, _)) => parts.push((*name).to_string()),
            // An empty field with no name (clone's exit signal 0) is left out.
            None if field == 0 => {}
            None => parts.push(format!("{field:#x}")),
        }
        rest &= !mask;
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
    out.push('"');
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
                // Short octal unless the next byte is a digit that would extend it.
                let next_is_digit = bytes.get(i + 1).is_some_and(|n| n.is_ascii_digit());
                if next_is_digit {
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
    match Errno::from_ret(ret) {
        Err(errno) if errno.is_restart() => {
            write!(out, " = ? {errno:?} ({})", errno.description()).unwrap()
        }
        Err(errno) => match errno.name() {
            Some(name) => write!(out, " = -1 {name} ({})", errno.description()).unwrap(),
            None => write!(
                out,
                " = -1 {} (Unknown error {})",
                errno.number(),
                errno.number()
            )
            .unwrap(),
        },
        Ok(v) => match kind {
            RetKind::Addr | RetKind::Hex if v != 0 => write!(out, " = {v:#x}").unwrap(),
            RetKind::Never => out.push_str(" = ?"),
            _ => write!(out, " = {v}").unwrap(),
        },
    }
}

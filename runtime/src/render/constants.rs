//! strace's `-X`: how named constants are spelled. By default (`abbrev`) by their names,
//! `O_RDONLY|O_CLOEXEC`; `raw` as numbers, `0x80000`; `verbose` as numbers with the names
//! in a comment, `0x80000 /* O_RDONLY|O_CLOEXEC */`.
//!
//! This is a step over decoded values before they are spelled: the constants a value
//! carries as numbers with their set (flags, enums, signals, file modes, signal sets,
//! `AT_FDCWD`) become text in the chosen style. Text a decoder already spelled
//! ([`Value::Symbol`]) stays as it is.

use super::{file_mode, flags, signal_name};
use crate::value::{SetInfo, Value};

/// How named constants are spelled (`-X`, `--const-print-style`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConstStyle {
    /// By name, as strace does by default.
    #[default]
    Abbrev,
    /// As numbers.
    Raw,
    /// As numbers followed by their names in a comment.
    Verbose,
}

impl std::str::FromStr for ConstStyle {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "abbrev" => Ok(ConstStyle::Abbrev),
            "raw" => Ok(ConstStyle::Raw),
            "verbose" => Ok(ConstStyle::Verbose),
            other => Err(format!(
                "invalid constant print style `{other}` (expected raw, abbrev or verbose)"
            )),
        }
    }
}

/// `value` with its constants spelled in `style` (unchanged for [`ConstStyle::Abbrev`]).
pub fn constants(value: Value, style: ConstStyle) -> Value {
    if style == ConstStyle::Abbrev {
        return value;
    }
    let spell = |number: String, name: String| {
        Value::Symbol(match style {
            ConstStyle::Verbose => format!("{number} /* {name} */"),
            _ => number,
        })
    };
    match value {
        Value::Flags { raw, set } if is_type_and_flags(set) => type_and_flags(raw, set, style),
        Value::Flags { raw, set } => {
            let mut names = String::new();
            flags(&mut names, raw, set);
            match hex(raw) {
                // A zero with no name of its own says nothing more.
                number if raw == 0 && set.zero.is_none() && set.field.is_none() => {
                    Value::Symbol(number)
                }
                number => spell(number, names),
            }
        }
        Value::Enum { raw, set } => match set.values.iter().find(|(_, v)| *v == raw) {
            Some((name, _)) => spell(hex(raw), (*name).to_string()),
            None => Value::Symbol(format!("{}", raw as i64)),
        },
        Value::Dirfd(fd) if fd == libc::AT_FDCWD => spell(fd.to_string(), "AT_FDCWD".into()),
        Value::Signal(n) => match signal_name(n) {
            name if name == n.to_string() => Value::Symbol(name),
            name => spell(n.to_string(), name),
        },
        Value::FileMode(mode) => {
            let mut names = String::new();
            file_mode(&mut names, mode);
            spell(raw_octal(mode), names)
        }
        Value::SigSet(signals) => sigset(&signals, style),
        Value::Named { name, value } => {
            let mut text = String::new();
            super::value(&mut text, &constants(*value, style));
            spell(text, name.to_string())
        }
        Value::Device { major, minor } => {
            let mut names = String::new();
            super::value(&mut names, &value);
            spell(hex(makedev(major, minor)), names)
        }
        Value::Struct(fields) => Value::Struct(
            fields
                .into_iter()
                .map(|(name, field)| (name, constants(field, style)))
                .collect(),
        ),
        Value::Array { items, more } => Value::Array {
            items: items.into_iter().map(|v| constants(v, style)).collect(),
            more,
        },
        Value::Entries { addr, items } => Value::Entries {
            addr,
            items: items.into_iter().map(|v| constants(v, style)).collect(),
        },
        Value::Changed { before, after } => Value::Changed {
            before: Box::new(constants(*before, style)),
            after: Box::new(constants(*after, style)),
        },
        Value::Indexed(items) => Value::Indexed(
            items
                .into_iter()
                .map(|(index, item)| (index, constants(item, style)))
                .collect(),
        ),
        Value::Abbreviable { short, full } => Value::Abbreviable {
            short: Box::new(constants(*short, style)),
            full: Box::new(constants(*full, style)),
        },
        other => other,
    }
}

/// The device number of `major` and `minor` as glibc's `makedev` encodes it.
fn makedev(major: u64, minor: u64) -> u64 {
    ((major & 0xfff) << 8) | ((major & !0xfff) << 32) | (minor & 0xff) | ((minor & !0xff) << 12)
}

/// strace's `%#x`: `0`, or `0x` and the digits.
fn hex(v: u64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{v:#x}")
    }
}

/// strace's `%#o` for a raw `st_mode`: `0100644`.
fn raw_octal(v: u64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("0{v:o}")
    }
}

/// strace shows a socket's type as a value and then flags (`SOCK_STREAM|SOCK_CLOEXEC` is
/// `0x1|0x80000` raw): the one set whose field is a value of its own rather than bits of
/// one number.
fn is_type_and_flags(set: &SetInfo) -> bool {
    set.name == "SocketType"
}

fn type_and_flags(raw: u64, set: &'static SetInfo, style: ConstStyle) -> Value {
    let Some((mask, types)) = set.field else {
        return Value::Symbol(hex(raw));
    };
    let kind = raw & mask;
    let rest = raw & !mask;
    let part = |number: u64, name: Option<String>| match (style, name) {
        (ConstStyle::Verbose, Some(name)) => format!("{} /* {name} */", hex(number)),
        _ => hex(number),
    };
    let kind_name = types
        .iter()
        .find(|(_, v)| *v == kind)
        .map(|(n, _)| (*n).to_string());
    let mut text = part(kind, kind_name);
    if rest != 0 {
        let mut names = String::new();
        flags(&mut names, rest, set);
        text.push('|');
        text.push_str(&part(rest, Some(names)));
    }
    Value::Symbol(text)
}

fn sigset(signals: &[i32], style: ConstStyle) -> Value {
    // As the names are shown: the complement when more than half are set.
    let complement = signals.len() > 32;
    let shown: Vec<i32> = if complement {
        (1..=64).filter(|n| !signals.contains(n)).collect()
    } else {
        signals.to_vec()
    };
    let items: Vec<String> = shown
        .iter()
        .map(|&n| {
            let name = signal_name(n);
            let short = name.trim_start_matches("SIG");
            match style {
                ConstStyle::Verbose if name != n.to_string() => format!("{n} /* {short} */"),
                _ => n.to_string(),
            }
        })
        .collect();
    let tilde = if complement { "~" } else { "" };
    Value::Symbol(format!("{tilde}[{}]", items.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    static PROT: SetInfo = SetInfo {
        name: "ProtFlags",
        is_enum: false,
        zero: Some("PROT_NONE"),
        field: None,
        field_last: false,
        values: &[("PROT_READ", 1), ("PROT_WRITE", 2)],
    };
    static SEEK: SetInfo = SetInfo {
        name: "SeekWhence",
        is_enum: true,
        zero: None,
        field: None,
        field_last: false,
        values: &[("SEEK_SET", 0), ("SEEK_CUR", 1)],
    };
    static SOCK: SetInfo = SetInfo {
        name: "SocketType",
        is_enum: false,
        zero: None,
        field: Some((0xf, &[("SOCK_STREAM", 1), ("SOCK_DGRAM", 2)])),
        field_last: false,
        values: &[("SOCK_CLOEXEC", 0x80000)],
    };

    fn spelled(value: Value, style: ConstStyle) -> String {
        let mut out = String::new();
        super::super::value(&mut out, &constants(value, style));
        out
    }

    #[test]
    fn constants_are_spelled_as_strace_spells_them_with_x() {
        use ConstStyle::{Raw, Verbose};
        let prot = |raw| Value::Flags { raw, set: &PROT };
        assert_eq!(spelled(prot(3), Raw), "0x3");
        assert_eq!(spelled(prot(3), Verbose), "0x3 /* PROT_READ|PROT_WRITE */");
        assert_eq!(spelled(prot(0), Verbose), "0 /* PROT_NONE */");
        let seek = |raw| Value::Enum { raw, set: &SEEK };
        assert_eq!(spelled(seek(1), Raw), "0x1");
        assert_eq!(spelled(seek(0), Verbose), "0 /* SEEK_SET */");
        let sock = Value::Flags {
            raw: 0x80001,
            set: &SOCK,
        };
        assert_eq!(spelled(sock.clone(), Raw), "0x1|0x80000");
        assert_eq!(
            spelled(sock, Verbose),
            "0x1 /* SOCK_STREAM */|0x80000 /* SOCK_CLOEXEC */"
        );
        assert_eq!(spelled(Value::Dirfd(-100), Raw), "-100");
        assert_eq!(spelled(Value::Dirfd(-100), Verbose), "-100 /* AT_FDCWD */");
        assert_eq!(spelled(Value::Signal(17), Verbose), "17 /* SIGCHLD */");
        assert_eq!(spelled(Value::FileMode(0o100644), Raw), "0100644");
        assert_eq!(
            spelled(Value::FileMode(0o41777), Verbose),
            "041777 /* S_IFDIR|S_ISVTX|0777 */"
        );
        assert_eq!(spelled(Value::SigSet(vec![10, 40]), Raw), "[10 40]");
        let all_but: Vec<i32> = (1..=64).filter(|n| *n != 32 && *n != 33).collect();
        assert_eq!(
            spelled(Value::SigSet(all_but), Verbose),
            "~[32 /* RTMIN */ 33 /* RT_1 */]"
        );
        let null = Value::Device { major: 1, minor: 3 };
        assert_eq!(spelled(null.clone(), Raw), "0x103");
        assert_eq!(spelled(null, Verbose), "0x103 /* makedev(0x1, 0x3) */");
        // Numbers and strings are left alone.
        assert_eq!(spelled(Value::Int(5), Verbose), "5");
    }
}

//! Decoded values in the JSON trace's notation, written straight into the output: no
//! intermediate `serde_json::Value`, and no allocation but for bytes that are not UTF-8.

use crate::events::SigInfo;
use crate::fds::FdKind;
use crate::value::{SetInfo, Value};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// A decoded [`Value`] in the JSON trace's notation (`docs/JSON.md`): numbers as numbers,
/// flags as `{"raw", "names"}`, enums and signals as `{"raw", "name"}`, strings as strings
/// (or `{"str", "truncated", "hex"}` when cut or not UTF-8), structs as objects, arrays as
/// arrays.
///
/// ```
/// use interpose_runtime::Value;
/// use interpose_runtime::output::json::JsonValue;
///
/// let value = Value::Str { bytes: b"hello".to_vec(), complete: false };
/// let json = serde_json::to_string(&JsonValue(&value)).unwrap();
/// assert_eq!(json, r#"{"str":"hello","truncated":true}"#);
/// ```
pub struct JsonValue<'a>(pub &'a Value);

impl Serialize for JsonValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Int(v) => s.serialize_i64(*v),
            Value::Uint(v) | Value::Hex(v) | Value::Octal(v) | Value::Addr(v) => {
                s.serialize_u64(*v)
            }
            Value::Fd(fd) => s.serialize_i32(*fd),
            Value::Dirfd(libc::AT_FDCWD) => s.serialize_str("AT_FDCWD"),
            Value::Dirfd(fd) => s.serialize_i32(*fd),
            Value::FileMode(mode) => {
                let mut map = s.serialize_map(Some(3))?;
                map.serialize_entry("type", &crate::render::file_type(*mode))?;
                map.serialize_entry("perm", &(mode & 0o7777))?;
                map.serialize_entry("raw", mode)?;
                map.end()
            }
            Value::Str { bytes, complete } => string(s, bytes, *complete),
            Value::Null => s.serialize_unit(),
            Value::Unreadable(addr) => {
                // The decoders fold every failed read into `Unreadable`; tracee memory
                // reads fail with EFAULT (unmapped), the only error they report.
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("addr", addr)?;
                map.serialize_entry("error", "EFAULT")?;
                map.end()
            }
            Value::Flags { raw, set } => {
                let unnamed = unnamed_bits(*raw, set);
                let mut map = s.serialize_map(None)?;
                map.serialize_entry("raw", raw)?;
                map.serialize_entry("names", &FlagNames(*raw, set))?;
                if unnamed != 0 {
                    map.serialize_entry("unnamed", &unnamed)?;
                }
                map.end()
            }
            Value::Enum { raw, set } => {
                let name = set.values.iter().find(|(_, v)| v == raw).map(|(n, _)| *n);
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("raw", &(*raw as i64))?;
                map.serialize_entry("name", &name)?;
                map.end()
            }
            Value::Signal(signal) => SignalJson(*signal).serialize(s),
            Value::Struct(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (name, value) in fields {
                    // Fields left out, as strace's `...`: only in the short form of an
                    // `Abbreviable`, which JSON does not show.
                    if *name == crate::value::MORE_FIELDS {
                        map.serialize_entry(name, &true)?;
                    } else {
                        map.serialize_entry(name, &JsonValue(value))?;
                    }
                }
                map.end()
            }
            Value::Array { items, more: false } => s.collect_seq(items.iter().map(JsonValue)),
            Value::Array { items, more: true } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("items", &Items(items))?;
                map.serialize_entry("truncated", &true)?;
                map.end()
            }
            Value::SigSet(signals) => {
                let mut seq = s.serialize_seq(Some(signals.len()))?;
                for &signal in signals {
                    match SignalName::of(signal) {
                        Some(name) => seq.serialize_element(&Display(name))?,
                        None => seq.serialize_element(&signal)?,
                    }
                }
                seq.end()
            }
            Value::Env { addr, count } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("addr", addr)?;
                map.serialize_entry("count", count)?;
                map.end()
            }
            Value::Entries { addr, items } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("addr", addr)?;
                map.serialize_entry("entries", &Items(items))?;
                map.end()
            }
            Value::Bytes { bytes, complete } => string(s, bytes, *complete),
            Value::Changed { before, after } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("before", &JsonValue(before))?;
                map.serialize_entry("after", &JsonValue(after))?;
                map.end()
            }
            Value::Symbol(text) => s.serialize_str(text),
            Value::Named { name, .. } => s.serialize_str(name),
            Value::BitSet(numbers) => s.collect_seq(numbers),
            Value::Report(parts) => {
                let mut map = s.serialize_map(Some(parts.len()))?;
                for (name, value) in parts {
                    map.serialize_entry(name, &JsonValue(value))?;
                }
                map.end()
            }
            Value::Device { major, minor } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("major", major)?;
                map.serialize_entry("minor", minor)?;
                map.end()
            }
            // Machine-readable: every field, whatever the text trace abbreviates.
            Value::Abbreviable { full, .. } => JsonValue(full).serialize(s),
            // The number; the text's date comment is a spelling of it.
            Value::EpochSeconds { sec, .. } => s.serialize_i64(*sec),
            Value::Indexed(items) => {
                let mut map = s.serialize_map(Some(items.len()))?;
                for (index, item) in items {
                    map.serialize_entry(index, &JsonValue(item))?;
                }
                map.end()
            }
            Value::Time { sec, nsec } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("tv_sec", sec)?;
                map.serialize_entry("tv_nsec", nsec)?;
                map.end()
            }
            Value::Described { fd, about } => {
                let mut map = s.serialize_map(None)?;
                map.serialize_entry("fd", &JsonValue(fd))?;
                if let Some(path) = &about.path {
                    map.serialize_entry("path", &String::from_utf8_lossy(path))?;
                }
                if about.deleted {
                    map.serialize_entry("deleted", &true)?;
                }
                match &about.kind {
                    FdKind::File => {}
                    FdKind::Device {
                        block,
                        major,
                        minor,
                    } => {
                        let kind = if *block { "block" } else { "char" };
                        map.serialize_entry("device", &Device(kind, *major, *minor))?;
                    }
                    FdKind::Socket(text) => map.serialize_entry("socket", text)?,
                    FdKind::Pidfd(pid) => map.serialize_entry("pidfd", pid)?,
                }
                map.end()
            }
        }
    }
}

/// `{"type": "char", "major": 1, "minor": 3}`.
struct Device(&'static str, u32, u32);

impl Serialize for Device {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("type", self.0)?;
        map.serialize_entry("major", &self.1)?;
        map.serialize_entry("minor", &self.2)?;
        map.end()
    }
}

struct Items<'a>(&'a [Value]);

impl Serialize for Items<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(JsonValue))
    }
}

/// A string: as is when complete and UTF-8, otherwise an object that says it was cut
/// and, for bytes that are not UTF-8, carries them exactly in hex.
fn string<S: Serializer>(s: S, bytes: &[u8], complete: bool) -> Result<S::Ok, S::Error> {
    let text = std::str::from_utf8(bytes);
    if let (Ok(text), true) = (text, complete) {
        return s.serialize_str(text);
    }
    let mut map = s.serialize_map(None)?;
    match text {
        Ok(text) => map.serialize_entry("str", text)?,
        Err(_) => map.serialize_entry("str", &String::from_utf8_lossy(bytes))?,
    }
    map.serialize_entry("truncated", &!complete)?;
    if text.is_err() {
        map.serialize_entry("hex", &Display(HexBytes(bytes)))?;
    }
    map.end()
}

/// Bytes as lowercase hex digits, two per byte.
struct HexBytes<'a>(&'a [u8]);

impl fmt::Display for HexBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Serializes a `Display` value as a string, formatted straight into the output.
struct Display<T>(T);

impl<T: fmt::Display> Serialize for Display<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// The names of the bits set in a flags value, as the text trace splits it: the field's
/// value first (`O_RDONLY`; last where the set says so, clone's signal), then each named bit;
/// the set's zero name for 0.
struct FlagNames<'a>(u64, &'a SetInfo);

impl Serialize for FlagNames<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let FlagNames(raw, set) = *self;
        let mut seq = s.serialize_seq(None)?;
        let mut rest = raw;
        let mut named = false;
        let mut field_name = None;
        if let Some((mask, values)) = set.field {
            field_name = values
                .iter()
                .find(|(_, v)| *v == raw & mask)
                .map(|(n, _)| n);
            rest &= !mask;
        }
        if !set.field_last
            && let Some(name) = field_name.take()
        {
            seq.serialize_element(name)?;
            named = true;
        }
        for (name, bit) in set.values {
            if *bit != 0 && rest & bit == *bit {
                seq.serialize_element(name)?;
                named = true;
                rest &= !bit;
            }
        }
        if let Some(name) = field_name {
            seq.serialize_element(name)?;
            named = true;
        }
        if let (false, 0, Some(zero)) = (named, raw, set.zero) {
            seq.serialize_element(zero)?;
        }
        seq.end()
    }
}

/// The bits of `raw` that no name of `set` covers (an unnamed field value included).
fn unnamed_bits(raw: u64, set: &SetInfo) -> u64 {
    let mut rest = raw;
    if let Some((mask, values)) = set.field
        && values.iter().any(|(_, v)| *v == raw & mask)
    {
        rest &= !mask;
    }
    let field_mask = set.field.map_or(0, |(mask, _)| mask);
    for (_, bit) in set.values {
        if *bit != 0 && (rest & !field_mask) & bit == *bit {
            rest &= !bit;
        }
    }
    rest
}

/// A signal's name as the text trace spells it: `SIGINT`, `SIGRTMIN`, `SIGRT_2`.
#[derive(Clone, Copy)]
enum SignalName {
    Named(&'static str),
    Realtime(i32),
}

impl SignalName {
    fn of(signal: i32) -> Option<SignalName> {
        match signal {
            32 => Some(SignalName::Named("SIGRTMIN")),
            33..=64 => Some(SignalName::Realtime(signal - 32)),
            _ => nix::sys::signal::Signal::try_from(signal)
                .ok()
                .map(|s| SignalName::Named(s.as_str())),
        }
    }
}

impl fmt::Display for SignalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignalName::Named(name) => f.write_str(name),
            SignalName::Realtime(n) => write!(f, "SIGRT_{n}"),
        }
    }
}

/// A signal number as `{"raw": 17, "name": "SIGCHLD"}`.
pub(super) struct SignalJson(pub i32);

impl Serialize for SignalJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("raw", &self.0)?;
        map.serialize_entry("name", &SignalName::of(self.0).map(Display))?;
        map.end()
    }
}

/// The siginfo fields that mean something for this signal and `si_code`, as the text
/// trace shows them.
pub(super) struct SigInfoJson(pub i32, pub SigInfo);

impl Serialize for SigInfoJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let SigInfoJson(signal, info) = *self;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("si_signo", &info.signo)?;
        map.serialize_entry("si_code", &info.code)?;
        map.serialize_entry(
            "si_code_name",
            &crate::decode::signal::si_code_symbol(signal, info.code),
        )?;
        match signal {
            libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE if info.code > 0 => {
                map.serialize_entry("si_addr", &info.addr)?;
            }
            libc::SIGCHLD => {
                map.serialize_entry("si_pid", &info.pid)?;
                map.serialize_entry("si_uid", &info.uid)?;
                map.serialize_entry("si_status", &info.status)?;
                map.serialize_entry("si_utime", &info.utime)?;
                map.serialize_entry("si_stime", &info.stime)?;
            }
            _ if info.code <= 0 => {
                map.serialize_entry("si_pid", &info.pid)?;
                map.serialize_entry("si_uid", &info.uid)?;
            }
            _ => {}
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: &Value) -> String {
        serde_json::to_string(&JsonValue(value)).unwrap()
    }

    #[test]
    fn signal_names_match_the_text_trace() {
        for n in 0..=70 {
            let ours = SignalName::of(n).map_or(n.to_string(), |name| name.to_string());
            assert_eq!(ours, crate::render::signal_name(n), "signal {n}");
        }
    }

    #[test]
    fn strings_are_strings_unless_cut_or_binary() {
        let s = |bytes: &[u8], complete| Value::Str {
            bytes: bytes.to_vec(),
            complete,
        };
        assert_eq!(json(&s(b"a\"b\n", true)), r#""a\"b\n""#);
        assert_eq!(json(&s(b"abc", false)), r#"{"str":"abc","truncated":true}"#);
        assert_eq!(
            json(&s(b"\x7fELF\x02\xff", true)),
            "{\"str\":\"\x7fELF\\u0002\u{fffd}\",\"truncated\":false,\"hex\":\"7f454c4602ff\"}"
        );
    }

    #[test]
    fn json_shows_every_field_whatever_the_text_abbreviates() {
        let termios = Value::abbreviable(
            vec![
                ("c_line", Value::Uint(0)),
                (
                    "c_cc",
                    Value::Indexed(vec![("VINTR", Value::Hex(3)), ("17", Value::Hex(0))]),
                ),
                (
                    "st_atime",
                    Value::EpochSeconds {
                        sec: 1_000_000_000,
                        nsec: 5,
                    },
                ),
            ],
            &["c_line"],
        );
        assert_eq!(
            json(&termios),
            r#"{"c_line":0,"c_cc":{"VINTR":3,"17":0},"st_atime":1000000000}"#
        );
        let groups = Value::abbreviable_array((0..3).map(Value::Uint).collect(), false, 1);
        assert_eq!(json(&groups), "[0,1,2]");
    }

    #[test]
    fn flags_split_as_the_text_trace_splits_them() {
        static SET: SetInfo = SetInfo {
            name: "TestFlags",
            is_enum: false,
            zero: None,
            field: Some((3, &[("RD", 0), ("WR", 1), ("RW", 2)])),
            field_last: false,
            values: &[("A", 0x40), ("B", 0x80)],
        };
        let flags = |raw| Value::Flags { raw, set: &SET };
        assert_eq!(json(&flags(0x41)), r#"{"raw":65,"names":["WR","A"]}"#);
        assert_eq!(
            json(&flags(0x103)),
            r#"{"raw":259,"names":[],"unnamed":259}"#
        );
        assert_eq!(json(&flags(0)), r#"{"raw":0,"names":["RD"]}"#);
    }
}

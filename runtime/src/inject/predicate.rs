//! Argument predicates (`if=ARG OP VALUE`): parsed once, compiled per syscall against the
//! table's description of the argument, checked at each call's entry on its decoded value.

use super::parse::{parse_number, signal_by_name};
use crate::args::Decoder;
use crate::linux::Syscall;
use crate::memory::{AddressSpace, Memory};
use crate::value::{ArgKind, SetInfo, SyscallInfo, Value};
use std::fmt;

/// Bytes of a string or buffer argument read to check a predicate; paths are read up to
/// `PATH_MAX` whatever this says.
const STRING_LIMIT: usize = 64 * 1024;

/// How a predicate compares the argument with its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `=`: the same number, constant or string.
    Equal,
    /// `!=`: not the same.
    NotEqual,
    /// `~`: a string or path matching a shell glob (`*`, `?`, `[...]`).
    Glob,
    /// `&`: every given flag bit set (and a given field value, such as `O_WRONLY`, held).
    AllSet,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Equal => "=",
            Op::NotEqual => "!=",
            Op::Glob => "~",
            Op::AllSet => "&",
        }
    }
}

/// One `if=ARG OP VALUE` condition, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Predicate {
    /// The argument's name in `syscalls.toml` (`pathname`, `flags`, `fd`, ...).
    pub arg: String,
    /// The comparison.
    pub op: Op,
    /// The value compared with, as written: a number, constant names joined by `|`, a
    /// string or a glob.
    pub value: String,
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.arg, self.op.text(), self.value)
    }
}

impl Predicate {
    /// Parses `ARG OP VALUE` (what follows `if=`).
    pub(super) fn parse(text: &str) -> Result<Predicate, String> {
        let name_end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        let (arg, rest) = text.split_at(name_end);
        let (op, value) = if let Some(value) = rest.strip_prefix("!=") {
            (Op::NotEqual, value)
        } else if let Some(value) = rest.strip_prefix('=') {
            (Op::Equal, value)
        } else if let Some(value) = rest.strip_prefix('~') {
            (Op::Glob, value)
        } else if let Some(value) = rest.strip_prefix('&') {
            (Op::AllSet, value)
        } else {
            return Err(format!(
                "if={text}: expected ARG=VALUE, ARG!=VALUE, ARG~GLOB or ARG&FLAGS"
            ));
        };
        if arg.is_empty() {
            return Err(format!("if={text}: no argument name before {}", op.text()));
        }
        Ok(Predicate {
            arg: arg.to_string(),
            op,
            value: value.to_string(),
        })
    }

    /// The check of this predicate on `info`'s argument of that name, with constant names
    /// resolved in that argument's set; an error says why it does not apply.
    pub(super) fn compile(&self, info: &'static SyscallInfo) -> Result<Check, String> {
        let Some(index) = info.args.iter().position(|a| a.name == self.arg) else {
            let names: Vec<&str> = info.args.iter().map(|a| a.name).collect();
            return Err(format!(
                "{} has no argument named {} (its arguments: {})",
                info.name,
                self.arg,
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ));
        };
        let kind = info.args[index].kind;
        let stringy = matches!(kind, ArgKind::Path | ArgKind::Cstr | ArgKind::InBuf);
        let test = match self.op {
            Op::Glob if stringy => Test::Glob(self.value.as_bytes().to_vec()),
            Op::Glob => {
                return Err(format!(
                    "if={self}: ~ compares strings, and {}'s {} is not one",
                    info.name, self.arg
                ));
            }
            Op::Equal | Op::NotEqual if stringy => Test::Bytes(self.value.as_bytes().to_vec()),
            Op::AllSet if stringy => {
                return Err(format!(
                    "if={self}: & tests flag bits, and {}'s {} is a string",
                    info.name, self.arg
                ));
            }
            Op::Equal | Op::NotEqual => Test::Equal(self.number(info, index)?.0),
            Op::AllSet => Test::AllSet(self.number(info, index)?.1),
        };
        Ok(Check {
            index,
            negate: self.op == Op::NotEqual,
            test,
        })
    }

    /// The value as a number: `(whole value, [(mask, bits)])`, the second for `&`. Terms
    /// joined by `|` are numbers or constants of the argument: its flag or enum set's names,
    /// `AT_FDCWD` for a directory fd, signal names for a signal.
    fn number(
        &self,
        info: &'static SyscallInfo,
        index: usize,
    ) -> Result<(u64, Vec<(u64, u64)>), String> {
        let set = named_set(info, index);
        let kind = info.args[index].kind;
        let mut whole = 0u64;
        let mut masks = Vec::new();
        for term in self.value.split('|') {
            let (mask, bits) = if let Some(n) = parse_number(term) {
                (n, n)
            } else if let Some(found) = set.and_then(|set| set_value(set, term)) {
                found
            } else if kind == ArgKind::Dirfd && term == "AT_FDCWD" {
                let fdcwd = i64::from(libc::AT_FDCWD) as u64;
                (u64::MAX, fdcwd)
            } else if kind == ArgKind::Signal
                && let Some(signal) = signal_by_name(term)
            {
                (u64::MAX, signal as u64)
            } else {
                return Err(unknown_constant(self, info, index, term, set));
            };
            whole |= bits;
            masks.push((mask, bits));
        }
        Ok((whole, masks))
    }
}

/// The flag or enum set of argument `index`, from a decode of the call with zero
/// arguments (the set is in the decoded value; nothing is read).
fn named_set(info: &'static SyscallInfo, index: usize) -> Option<&'static SetInfo> {
    if !matches!(info.args[index].kind, ArgKind::Flags | ArgKind::Enum) {
        return None;
    }
    let memory = Memory::new(nix::unistd::Pid::this());
    let decoder = Decoder {
        memory: &memory,
        string_limit: 0,
        ret: None,
    };
    match Syscall::from_args(info.number, [0; 6]).decode_arg(index, &decoder) {
        Value::Flags { set, .. } | Value::Enum { set, .. } => Some(set),
        _ => None,
    }
}

/// `(mask, value)` of a name in `set`: a field value (open's `O_RDONLY`) is compared under
/// the field's mask, a flag bit is tested, an enum value compared whole.
fn set_value(set: &SetInfo, name: &str) -> Option<(u64, u64)> {
    if let Some((mask, values)) = set.field
        && let Some(&(_, v)) = values.iter().find(|(n, _)| *n == name)
    {
        return Some((mask, v));
    }
    let &(_, v) = set.values.iter().find(|(n, _)| *n == name)?;
    Some(if set.is_enum { (u64::MAX, v) } else { (v, v) })
}

fn unknown_constant(
    predicate: &Predicate,
    info: &SyscallInfo,
    index: usize,
    term: &str,
    set: Option<&SetInfo>,
) -> String {
    let arg = info.args[index].name;
    match set {
        Some(set) => format!(
            "if={predicate}: {term} is neither a number nor a constant of {}'s {arg} ({})",
            info.name, set.name
        ),
        None => format!(
            "if={predicate}: {term} is not a number ({}'s {arg} has no named constants)",
            info.name
        ),
    }
}

/// A predicate compiled for one syscall.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Check {
    index: usize,
    /// `!=`: the test's answer inverted.
    negate: bool,
    test: Test,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Test {
    /// The whole string equals these bytes.
    Bytes(Vec<u8>),
    /// The string matches this glob.
    Glob(Vec<u8>),
    /// The argument's value equals this.
    Equal(u64),
    /// `value & mask == bits` for each pair.
    AllSet(Vec<(u64, u64)>),
}

impl Check {
    /// Whether `call`'s argument passes, read at entry from `memory`.
    pub(super) fn holds(&self, call: &Syscall, memory: &dyn AddressSpace) -> bool {
        let decoder = Decoder {
            memory,
            string_limit: STRING_LIMIT,
            ret: None,
        };
        let value = call.decode_arg(self.index, &decoder);
        let raw = call.to_args()[self.index];
        let passed = match &self.test {
            Test::Bytes(expected) => {
                matches!(&value, Value::Str { bytes, complete: true } if bytes == expected)
            }
            Test::Glob(pattern) => {
                matches!(&value, Value::Str { bytes, .. } if glob(pattern, bytes))
            }
            Test::Equal(expected) => number(&value, raw) == *expected,
            Test::AllSet(masks) => {
                let n = number(&value, raw);
                masks.iter().all(|&(mask, bits)| n & mask == bits)
            }
        };
        passed != self.negate
    }
}

/// The argument as the number the kernel reads: its decoded value for the integer kinds
/// (an `int` keeps its low 32 bits, sign-extended), else the register.
fn number(value: &Value, raw: u64) -> u64 {
    match *value {
        Value::Int(n) => n as u64,
        Value::Fd(n) | Value::Dirfd(n) | Value::Signal(n) => i64::from(n) as u64,
        Value::Uint(n)
        | Value::Hex(n)
        | Value::Octal(n)
        | Value::FileMode(n)
        | Value::Addr(n)
        | Value::Flags { raw: n, .. }
        | Value::Enum { raw: n, .. } => n,
        _ => raw,
    }
}

/// Whether `text` matches the shell glob `pattern`, as `case` and fnmatch(3) without flags
/// match: `*` is any run of bytes (`/` included), `?` one byte, `[abc]`, `[a-z]` and
/// `[!abc]` (or `[^abc]`) one byte of a set, `\` takes the next byte literally.
pub fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it is currently made to cover up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        let step = match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some(b'?') => Some(p + 1),
            Some(b'[') => match class(pattern, p, text[t]) {
                Some((true, next)) => Some(next),
                Some((false, _)) => None,
                None => (text[t] == b'[').then_some(p + 1),
            },
            Some(b'\\') if p + 1 < pattern.len() => (pattern[p + 1] == text[t]).then_some(p + 2),
            Some(&c) => (c == text[t]).then_some(p + 1),
            None => None,
        };
        match (step, star) {
            (Some(next), _) => {
                p = next;
                t += 1;
            }
            // Let the last `*` take one more byte and try again from after it.
            (None, Some((star_at, covered))) => {
                p = star_at + 1;
                t = covered + 1;
                star = Some((star_at, covered + 1));
            }
            (None, None) => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// The bracket expression at `pattern[open]` (a `[`) against byte `c`: whether it matches
/// and where the pattern goes on, or `None` when there is no closing `]` (then `[` is an
/// ordinary byte).
fn class(pattern: &[u8], open: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = open + 1;
    let negate = matches!(pattern.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let low = *pattern.get(i)?;
        if low == b']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if pattern.get(i + 1) == Some(&b'-') && pattern.get(i + 2).is_some_and(|&h| h != b']') {
            let high = pattern[i + 2];
            matched |= (low..=high).contains(&c);
            i += 3;
        } else {
            matched |= low == c;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_matches_as_the_shell_case_does() {
        let yes = [
            ("/etc/*", "/etc/hostname"),
            ("/etc/*", "/etc/ssl/certs/x.pem"),
            ("/etc/*", "/etc/"),
            ("*.so*", "/lib/libc.so.6"),
            ("/tmp/?", "/tmp/a"),
            ("/tmp/[a-c]x", "/tmp/bx"),
            ("/tmp/[!a-c]x", "/tmp/dx"),
            ("/tmp/[^a-c]x", "/tmp/dx"),
            ("[]]", "]"),
            ("a\\*b", "a*b"),
            ("a[b", "a[b"),
            ("*", ""),
            ("**a**", "bab"),
            ("", ""),
        ];
        for (pattern, text) in yes {
            assert!(
                glob(pattern.as_bytes(), text.as_bytes()),
                "{pattern} ~ {text}"
            );
        }
        let no = [
            ("/etc/*", "/etcx"),
            ("/etc/*", "etc/hostname"),
            ("/tmp/?", "/tmp/ab"),
            ("/tmp/[a-c]x", "/tmp/dx"),
            ("/tmp/[!a-c]x", "/tmp/ax"),
            ("a\\*b", "axb"),
            ("*.txt", "notes.txt.gz"),
            ("", "a"),
        ];
        for (pattern, text) in no {
            assert!(
                !glob(pattern.as_bytes(), text.as_bytes()),
                "{pattern} !~ {text}"
            );
        }
    }
}

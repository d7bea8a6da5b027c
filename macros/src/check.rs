//! Cross-entry rules of the table. Every problem is collected, not just the first, so a
//! person fixing the table sees them all in one build.

use crate::table::{Const, Entry, Lines, Set, Table};
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

/// Argument kinds, the closed vocabulary of `kind = "..."`.
#[derive(Clone, Debug)]
pub enum Kind {
    Int,
    Uint,
    Long,
    Ulong,
    Size,
    Hex,
    Fd,
    Dirfd,
    Path,
    Cstr,
    InBuf { len: usize, show: Show },
    OutBuf { len: usize, show: Show },
    Flags { set: String },
    Enum { set: String },
    Mode,
    Pid,
    Uid,
    Gid,
    Signal,
    Struct { name: String, dir: Dir },
    Iovec { len: usize, dir: Dir },
    Sockaddr { len: usize, dir: Dir },
    Argv,
    Envp,
    Addr,
}

/// How a buffer's bytes are shown: the `show` key of `in_buf` and `out_buf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Show {
    /// A string with C escapes, cut at the string limit (no `show` key).
    Text,
    /// Always in hex, `"\x5e\x01"` (`show = "hex"`: getrandom's random bytes).
    Hex,
    /// A path up to its NUL, never cut at the string limit (`show = "path"`: getcwd).
    Path,
}

/// Who writes the memory an argument points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    In,
    Out,
    InOut,
}

/// Every kind name, for the error message listing them.
const KINDS: &[&str] = &[
    "int", "uint", "long", "ulong", "size", "hex", "fd", "dirfd", "path", "cstr", "in_buf",
    "out_buf", "flags", "enum", "mode", "pid", "uid", "gid", "signal", "struct", "iovec",
    "sockaddr", "argv", "envp", "addr",
];

/// Return kinds.
pub const RETS: &[&str] = &[
    "int", "long", "fd", "size", "pid", "uid", "gid", "addr", "hex", "mode", "never",
];

/// Groups, strace's trace classes.
pub const GROUPS: &[&str] = &[
    "file", "desc", "process", "network", "signal", "ipc", "memory", "clock", "creds", "stat",
    "lstat", "fstat", "statfs", "fstatfs", "pure",
];

/// The most arguments a syscall has on x86_64 (registers rdi, rsi, rdx, r10, r8, r9).
const MAX_ARGS: usize = 6;

pub struct Checked {
    pub kernel: String,
    pub syscalls: Vec<Syscall>,
    pub sets: Vec<NamedSet>,
    pub structs: Vec<StructDecl>,
}

/// One line of the `[structs]` table: a struct a `struct` argument may point to. The
/// runtime's `structs` module must define a type for it, named in CamelCase, with a decoder.
pub struct StructDecl {
    pub name: String,
    pub doc: String,
}

pub struct Syscall {
    pub name: String,
    pub number: i64,
    pub args: Vec<Argument>,
    pub ret: String,
    pub groups: Vec<String>,
}

pub struct Argument {
    pub name: String,
    pub kind: Kind,
    /// When to show the argument: `(shown_when_matching, argument index, value names)`.
    pub condition: Option<(bool, usize, Vec<String>)>,
}

pub struct NamedSet {
    pub name: String,
    pub is_enum: bool,
    pub bits: u32,
    pub zero: Option<String>,
    pub field: Option<(Const, Vec<Const>)>,
    /// The field is shown after the bits.
    pub field_last: bool,
    pub values: Vec<Const>,
}

/// A problem found in the table: its byte offset and what is wrong.
pub struct Problem {
    pub offset: usize,
    pub message: String,
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn at<T>(&mut self, spanned: &Spanned<T>, message: String) {
        self.0.push(Problem {
            offset: spanned.span().start,
            message,
        });
    }
}

pub fn check(table: Table, lines: &Lines<'_>) -> Result<Checked, Vec<Problem>> {
    let mut problems = Problems::default();
    if let Some(arch) = &table.arch
        && arch.get_ref() != "x86_64"
    {
        problems.at(
            arch,
            format!(
                "arch `{}` is not supported (expected \"x86_64\")",
                arch.get_ref()
            ),
        );
    }

    let sets = check_sets(&table.sets, &mut problems);
    let structs = check_structs(&table.structs, &mut problems);
    let struct_names: Vec<&str> = structs.iter().map(|s| s.name.as_str()).collect();
    let set_kinds: HashMap<&str, &NamedSet> = sets.iter().map(|s| (s.name.as_str(), s)).collect();

    let mut names: HashMap<String, usize> = HashMap::new();
    let mut numbers: BTreeMap<i64, (String, usize)> = BTreeMap::new();
    let mut syscalls = Vec::new();
    for entry in &table.syscall {
        let at = entry.span().start;
        let entry = entry.get_ref();
        let name = entry.name.get_ref();
        if !is_identifier(name) {
            problems.at(&entry.name, format!("`{name}` is not a valid syscall name"));
        }
        if let Some(&first) = names.get(name) {
            problems.at(
                &entry.name,
                format!(
                    "duplicate syscall name `{name}` (first defined at line {})",
                    lines.line_col(first).0
                ),
            );
        } else {
            names.insert(name.clone(), at);
        }
        let number = *entry.number.get_ref();
        if number < 0 {
            problems.at(
                &entry.number,
                format!("syscall number {number} is negative"),
            );
        }
        if let Some((other, first)) = numbers.get(&number) {
            problems.at(
                &entry.number,
                format!(
                    "duplicate syscall number {number} for `{name}` (already used by `{other}` at line {})",
                    lines.line_col(*first).0
                ),
            );
        } else {
            numbers.insert(number, (name.clone(), at));
        }
        if let Some(syscall) = check_entry(entry, &set_kinds, &struct_names, &mut problems) {
            syscalls.push(syscall);
        }
    }

    let mut problems = problems.0;
    if problems.is_empty() {
        syscalls.sort_by_key(|s| s.number);
        let kernel = table.kernel.map(|k| k.into_inner()).unwrap_or_default();
        Ok(Checked {
            kernel,
            syscalls,
            sets,
            structs,
        })
    } else {
        problems.sort_by_key(|p| p.offset);
        Err(problems)
    }
}

fn check_entry(
    entry: &Entry,
    sets: &HashMap<&str, &NamedSet>,
    structs: &[&str],
    problems: &mut Problems,
) -> Option<Syscall> {
    let name = entry.name.get_ref();
    let mut ok = true;
    // Point at the first argument too many.
    if let Some(extra) = entry.args.get(MAX_ARGS) {
        problems.at(
            extra,
            format!(
                "`{name}` has {} arguments; an x86_64 syscall has at most {MAX_ARGS}",
                entry.args.len()
            ),
        );
        ok = false;
    }
    let ret = entry.ret.get_ref();
    if !RETS.contains(&ret.as_str()) {
        problems.at(
            &entry.ret,
            format!(
                "unknown return kind `{ret}` (expected one of: {})",
                RETS.join(", ")
            ),
        );
        ok = false;
    }
    for group in &entry.groups {
        if !GROUPS.contains(&group.get_ref().as_str()) {
            problems.at(
                group,
                format!(
                    "unknown group `{}` (expected one of: {})",
                    group.get_ref(),
                    GROUPS.join(", ")
                ),
            );
            ok = false;
        }
    }

    let arg_names: Vec<&str> = entry
        .args
        .iter()
        .map(|a| a.get_ref().name.get_ref().as_str())
        .collect();
    let mut args = Vec::new();
    for (i, arg) in entry.args.iter().enumerate() {
        let arg = arg.get_ref();
        let arg_name = arg.name.get_ref();
        if !is_identifier(arg_name) || is_keyword(arg_name) {
            problems.at(
                &arg.name,
                format!(
                    "`{arg_name}` cannot be an argument name (not a Rust identifier, or a keyword)"
                ),
            );
            ok = false;
        }
        if arg_names[..i].contains(&arg_name.as_str()) {
            problems.at(
                &arg.name,
                format!("`{name}` has two arguments named `{arg_name}`"),
            );
            ok = false;
        }
        let condition = check_condition(arg, entry, sets, problems);
        match (
            check_kind(arg, &arg_names, i, sets, structs, problems),
            condition,
        ) {
            (Some(kind), Ok(condition)) => args.push(Argument {
                name: arg_name.clone(),
                kind,
                condition,
            }),
            _ => ok = false,
        }
    }
    ok.then(|| Syscall {
        name: name.clone(),
        number: *entry.number.get_ref(),
        args,
        ret: ret.clone(),
        groups: entry.groups.iter().map(|g| g.get_ref().clone()).collect(),
    })
}

/// `shown_if` / `hidden_if`: the argument named must be a `flags` or `enum` argument of the
/// same syscall, and the values must belong to its set.
fn check_condition(
    arg: &crate::table::Arg,
    entry: &Entry,
    sets: &HashMap<&str, &NamedSet>,
    problems: &mut Problems,
) -> Result<Option<(bool, usize, Vec<String>)>, ()> {
    let (shown, condition) = match (&arg.shown_if, &arg.hidden_if) {
        (None, None) => return Ok(None),
        (Some(c), None) => (true, c),
        (None, Some(c)) => (false, c),
        (Some(c), Some(_)) => {
            problems.at(
                c,
                format!(
                    "argument `{}` has both `shown_if` and `hidden_if`",
                    arg.name.get_ref()
                ),
            );
            return Err(());
        }
    };
    let condition = condition.get_ref();
    let target = condition.arg.get_ref();
    let found = entry
        .args
        .iter()
        .enumerate()
        .find(|(_, a)| a.get_ref().name.get_ref() == target);
    let set = found
        .and_then(|(_, a)| a.get_ref().set.as_ref())
        .and_then(|s| sets.get(s.get_ref().as_str()));
    let (Some((index, _)), Some(set)) = (found, set) else {
        problems.at(
            &condition.arg,
            format!(
                "`arg = \"{target}\"` must name a `flags` or `enum` argument of the same syscall"
            ),
        );
        return Err(());
    };
    let mut ok = true;
    for value in &condition.any {
        let known = set
            .values
            .iter()
            .chain(set.field.iter().flat_map(|(_, v)| v))
            .any(|c| c.name() == value.get_ref());
        if !known {
            problems.at(
                value,
                format!("`{}` is not a value of set `{}`", value.get_ref(), set.name),
            );
            ok = false;
        }
    }
    if !ok {
        return Err(());
    }
    Ok(Some((
        shown,
        index,
        condition.any.iter().map(|v| v.get_ref().clone()).collect(),
    )))
}

fn check_kind(
    arg: &crate::table::Arg,
    arg_names: &[&str],
    index: usize,
    sets: &HashMap<&str, &NamedSet>,
    structs: &[&str],
    problems: &mut Problems,
) -> Option<Kind> {
    let kind = arg.kind.get_ref().as_str();
    let arg_name = arg.name.get_ref();
    let before = problems.0.len();

    let mut len = || -> Option<usize> {
        let Some(len) = &arg.len else {
            problems.at(
                &arg.kind,
                format!("argument `{arg_name}` of kind `{kind}` needs `len = \"<argument>\"`"),
            );
            return None;
        };
        match arg_names.iter().position(|n| *n == len.get_ref()) {
            Some(i) if i != index => Some(i),
            _ => {
                problems.at(
                    len,
                    format!(
                        "`len = \"{}\"` does not name another argument",
                        len.get_ref()
                    ),
                );
                None
            }
        }
    };
    let parsed = match kind {
        "int" => Some(Kind::Int),
        "uint" => Some(Kind::Uint),
        "long" => Some(Kind::Long),
        "ulong" => Some(Kind::Ulong),
        "size" => Some(Kind::Size),
        "hex" => Some(Kind::Hex),
        "fd" => Some(Kind::Fd),
        "dirfd" => Some(Kind::Dirfd),
        "path" => Some(Kind::Path),
        "cstr" => Some(Kind::Cstr),
        "mode" => Some(Kind::Mode),
        "pid" => Some(Kind::Pid),
        "uid" => Some(Kind::Uid),
        "gid" => Some(Kind::Gid),
        "signal" => Some(Kind::Signal),
        "argv" => Some(Kind::Argv),
        "envp" => Some(Kind::Envp),
        "addr" => Some(Kind::Addr),
        "in_buf" => len()
            .zip(show(arg, problems))
            .map(|(len, show)| Kind::InBuf { len, show }),
        "out_buf" => len()
            .zip(show(arg, problems))
            .map(|(len, show)| Kind::OutBuf { len, show }),
        "iovec" => len()
            .zip(dir(arg, problems))
            .map(|(len, dir)| Kind::Iovec { len, dir }),
        "sockaddr" => len()
            .zip(dir(arg, problems))
            .map(|(len, dir)| Kind::Sockaddr { len, dir }),
        "flags" | "enum" => {
            let want_enum = kind == "enum";
            match &arg.set {
                None => {
                    problems.at(
                        &arg.kind,
                        format!(
                            "argument `{arg_name}` of kind `{kind}` needs `set = \"<SetName>\"`"
                        ),
                    );
                    None
                }
                Some(set) => match sets.get(set.get_ref().as_str()) {
                    None => {
                        problems.at(
                            set,
                            format!(
                                "unknown flag set `{}` (no [sets.{}] table)",
                                set.get_ref(),
                                set.get_ref()
                            ),
                        );
                        None
                    }
                    Some(found) if found.is_enum != want_enum => {
                        let actual = if found.is_enum { "enum" } else { "flags" };
                        problems.at(set, format!("set `{}` has type \"{actual}\" but argument `{arg_name}` has kind `{kind}`", set.get_ref()));
                        None
                    }
                    Some(_) => {
                        let set = set.get_ref().clone();
                        Some(if want_enum {
                            Kind::Enum { set }
                        } else {
                            Kind::Flags { set }
                        })
                    }
                },
            }
        }
        "struct" => {
            let name = match &arg.strukt {
                None => {
                    problems.at(
                        &arg.kind,
                        format!(
                            "argument `{arg_name}` of kind `struct` needs `struct = \"<name>\"`"
                        ),
                    );
                    None
                }
                Some(s) if !structs.contains(&s.get_ref().as_str()) => {
                    problems.at(
                        s,
                        format!(
                            "unknown struct `{}` (add it to [structs], or use kind \"addr\" for an undecoded pointer)",
                            s.get_ref()
                        ),
                    );
                    None
                }
                Some(s) => Some(s.get_ref().clone()),
            };
            name.zip(dir(arg, problems))
                .map(|(name, dir)| Kind::Struct { name, dir })
        }
        other => {
            problems.at(
                &arg.kind,
                format!(
                    "unknown argument kind `{other}` (expected one of: {})",
                    KINDS.join(", ")
                ),
            );
            None
        }
    };

    // Keys that belong to other kinds are mistakes worth pointing at.
    let uses = |key: &str| match key {
        "len" => matches!(kind, "in_buf" | "out_buf" | "iovec" | "sockaddr"),
        "show" => matches!(kind, "in_buf" | "out_buf"),
        "set" => matches!(kind, "flags" | "enum"),
        "struct" => kind == "struct",
        _ => matches!(kind, "struct" | "iovec" | "sockaddr"),
    };
    for (key, value) in [
        ("len", &arg.len),
        ("set", &arg.set),
        ("struct", &arg.strukt),
        ("dir", &arg.dir),
        ("show", &arg.show),
    ] {
        if let Some(value) = value
            .as_ref()
            .filter(|_| !uses(key) && KINDS.contains(&kind))
        {
            problems.at(
                value,
                format!("`{key}` does not apply to an argument of kind `{kind}`"),
            );
        }
    }
    if problems.0.len() > before {
        None
    } else {
        parsed
    }
}

fn show(arg: &crate::table::Arg, problems: &mut Problems) -> Option<Show> {
    let Some(show) = &arg.show else {
        return Some(Show::Text);
    };
    match show.get_ref().as_str() {
        "hex" => Some(Show::Hex),
        "path" => Some(Show::Path),
        other => {
            problems.at(
                show,
                format!("unknown show `{other}` (expected \"hex\" or \"path\")"),
            );
            None
        }
    }
}

fn dir(arg: &crate::table::Arg, problems: &mut Problems) -> Option<Dir> {
    match &arg.dir {
        None => {
            problems.at(
                &arg.kind,
                format!(
                    "argument `{}` needs `dir = \"in\"`, `\"out\"` or `\"inout\"`",
                    arg.name.get_ref()
                ),
            );
            None
        }
        Some(d) => match d.get_ref().as_str() {
            "in" => Some(Dir::In),
            "out" => Some(Dir::Out),
            "inout" => Some(Dir::InOut),
            other => {
                problems.at(
                    d,
                    format!("unknown dir `{other}` (expected \"in\", \"out\" or \"inout\")"),
                );
                None
            }
        },
    }
}

fn check_sets(
    sets: &BTreeMap<Spanned<String>, Spanned<Set>>,
    problems: &mut Problems,
) -> Vec<NamedSet> {
    let mut out = Vec::new();
    for (name, set) in sets {
        let set = set.get_ref();
        let set_name = name.get_ref();
        if !is_identifier(set_name) || !set_name.starts_with(|c: char| c.is_ascii_uppercase()) {
            problems.at(
                name,
                format!("set name `{set_name}` must be a CamelCase identifier"),
            );
        }
        let is_enum = match set.ty.get_ref().as_str() {
            "flags" => false,
            "enum" => true,
            other => {
                problems.at(&set.ty, format!("set `{set_name}` has unknown type `{other}` (expected \"flags\" or \"enum\")"));
                continue;
            }
        };
        if set.values.is_empty() && set.field.is_none() {
            problems.at(name, format!("set `{set_name}` has no values"));
        }
        let bits = set.bits.as_ref().map_or(32, |b| *b.get_ref());
        if bits != 32 && bits != 64 {
            problems.at(
                set.bits.as_ref().unwrap(),
                format!("set `{set_name}`: bits must be 32 or 64"),
            );
        }
        if is_enum && (set.field.is_some() || set.zero.is_some()) {
            problems.at(
                &set.ty,
                format!("set `{set_name}`: `field` and `zero` apply only to type \"flags\""),
            );
        }
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let field_values = set.field.iter().flat_map(|f| f.get_ref().values.iter());
        for value in set.values.iter().chain(field_values) {
            let n = value.get_ref().name();
            if !is_identifier(n) {
                problems.at(value, format!("`{n}` is not a constant name"));
            }
            if seen.insert(n, ()).is_some() {
                problems.at(value, format!("set `{set_name}` lists `{n}` twice"));
            }
        }
        out.push(NamedSet {
            name: set_name.clone(),
            is_enum,
            bits,
            zero: set.zero.as_ref().map(|z| z.get_ref().clone()),
            field: set.field.as_ref().map(|f| {
                let f = f.get_ref();
                (
                    f.mask.get_ref().clone(),
                    f.values.iter().map(|v| v.get_ref().clone()).collect(),
                )
            }),
            field_last: set.field.as_ref().is_some_and(|f| f.get_ref().last),
            values: set.values.iter().map(|v| v.get_ref().clone()).collect(),
        });
    }
    out
}

/// The `[structs]` table: lower-case names whose CamelCase type names differ, each with a
/// line of description.
fn check_structs(
    table: &BTreeMap<Spanned<String>, Spanned<String>>,
    problems: &mut Problems,
) -> Vec<StructDecl> {
    let mut types: HashMap<String, &str> = HashMap::new();
    let mut structs = Vec::new();
    for (name, doc) in table {
        let text = name.get_ref();
        let lower = text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !is_identifier(text) || !lower || text.starts_with('_') {
            problems.at(
                name,
                format!("`{text}` cannot be a struct name (lower-case letters, digits and `_`)"),
            );
            continue;
        }
        let camel = camel_case(text);
        if let Some(other) = types.insert(camel.clone(), text) {
            problems.at(
                name,
                format!("structs `{other}` and `{text}` would both be the type `{camel}`"),
            );
        }
        if doc.get_ref().trim().is_empty() {
            problems.at(
                doc,
                format!("struct `{text}` needs a line saying what it is"),
            );
        }
        structs.push(StructDecl {
            name: text.clone(),
            doc: doc.get_ref().trim().to_string(),
        });
    }
    structs
}

/// `linux_dirent64` → `LinuxDirent64`: the Rust name of a table name.
pub fn camel_case(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_keyword(s: &str) -> bool {
    syn::parse_str::<syn::Ident>(s).is_err()
}

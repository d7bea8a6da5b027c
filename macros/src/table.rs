//! The serde model of `syscalls.toml`, with the byte span of every value kept so that
//! problems found later (in `check`) can name the line and column they come from.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Kernel version the table was checked against.
    pub kernel: Option<Spanned<String>>,
    /// Architecture of the `number` fields.
    pub arch: Option<Spanned<String>>,
    #[serde(default)]
    pub syscall: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub sets: BTreeMap<Spanned<String>, Spanned<Set>>,
    /// The `[structs]` table: each struct a `struct` argument may point to, with a line
    /// saying what it is.
    #[serde(default)]
    pub structs: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// One `[[syscall]]` entry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Spanned<String>,
    pub number: Spanned<i64>,
    #[serde(default)]
    pub args: Vec<Spanned<Arg>>,
    pub ret: Spanned<String>,
    #[serde(default)]
    pub groups: Vec<Spanned<String>>,
}

/// One argument of a syscall.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arg {
    pub name: Spanned<String>,
    pub kind: Spanned<String>,
    /// The argument holding this one's length (buffers, iovecs, sockaddrs).
    pub len: Option<Spanned<String>>,
    /// The named set of a `flags` or `enum` argument.
    pub set: Option<Spanned<String>>,
    /// The struct a `struct` argument points to.
    #[serde(rename = "struct")]
    pub strukt: Option<Spanned<String>>,
    /// Who writes the pointed-to data: `in`, `out` or `inout`.
    pub dir: Option<Spanned<String>>,
    /// How a buffer's bytes are shown: `hex` or `path` (a string by default).
    pub show: Option<Spanned<String>>,
    /// Show the argument only when another argument holds one of some set values
    /// (open's `mode` only with `O_CREAT`).
    pub shown_if: Option<Spanned<Condition>>,
    /// Hide the argument when another argument holds one of some set values.
    pub hidden_if: Option<Spanned<Condition>>,
}

/// `{ arg = "flags", any = ["O_CREAT", "__O_TMPFILE"] }`: true when argument `arg` (of a
/// `flags` or `enum` kind) holds any of the named values.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub arg: Spanned<String>,
    pub any: Vec<Spanned<String>>,
}

/// A `[sets.Name]` table: named constants for a `flags` or `enum` argument.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Set {
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    #[serde(default)]
    pub values: Vec<Spanned<Const>>,
    pub field: Option<Spanned<Field>>,
    pub zero: Option<Spanned<String>>,
    pub bits: Option<Spanned<u32>>,
}

/// A multi-bit sub-field of a flag set holding one of several values (open's access mode).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub mask: Spanned<Const>,
    pub values: Vec<Spanned<Const>>,
    /// Shown after the bits rather than before them (clone's exit signal).
    #[serde(default)]
    pub last: bool,
}

/// A constant: the name of a `libc` constant, or a name with a literal value for constants
/// the `libc` crate does not have.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub enum Const {
    Libc(String),
    Literal { name: String, value: i64 },
}

impl Const {
    pub fn name(&self) -> &str {
        match self {
            Const::Libc(name) | Const::Literal { name, .. } => name,
        }
    }
}

/// Turns byte offsets into `LINE:COL` (both 1-based) for error messages.
pub struct Lines<'a> {
    text: &'a str,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        Lines { text }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        // Columns count characters, as editors and rustc do, not bytes.
        let col = before[before.rfind('\n').map_or(0, |nl| nl + 1)..]
            .chars()
            .count()
            + 1;
        (line, col)
    }
}

//! The checked table: what the rules let through, in the shape `expand` consumes.

use crate::table::Const;

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

//! Decoded syscall values and the static metadata the table generates.
//!
//! Decoding turns registers and tracee memory into [`Value`]s; rendering (strace text, and
//! later JSON) is a separate step over those values, so nothing prints while decoding.

/// Static description of one syscall, generated from its `syscalls.toml` entry.
#[derive(Debug)]
pub struct SyscallInfo {
    /// Kernel name, `openat`.
    pub name: &'static str,
    /// x86_64 number.
    pub number: i64,
    /// Arguments in order.
    pub args: &'static [ArgInfo],
    /// How the return value is shown.
    pub ret: RetKind,
    /// strace trace classes this syscall belongs to (`file`, `desc`, ...).
    pub groups: &'static [&'static str],
}

impl SyscallInfo {
    /// True when some argument can only be decoded at the syscall-exit stop (an out-param).
    pub fn needs_exit(&self) -> bool {
        self.args.iter().any(|a| a.at_exit)
    }

    /// True when the syscall belongs to trace class `group` (without the `%`).
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.contains(&group)
    }
}

/// Static description of one argument.
#[derive(Debug)]
pub struct ArgInfo {
    /// The table's name for it, `pathname`; also its field in the call struct.
    pub name: &'static str,
    /// The kernel fills it: decode at the syscall-exit stop.
    pub at_exit: bool,
    /// The program passes a value in and the kernel writes one back (`dir = "inout"`,
    /// getsockname's `addrlen`): what it held at entry is worth showing too.
    pub inout: bool,
    /// Its kind in the table (`fd`, `path`, `struct`, ...).
    pub kind: ArgKind,
    /// What an observer that copies memory (the eBPF backend) must copy for the decoder.
    pub capture: Capture,
}

/// The memory an argument's decoder reads, as the table says: what the eBPF backend copies
/// at the call's exit so that the same decoder can read the copy. Argument indices name
/// the argument holding a length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// Nothing: the value is the register.
    None,
    /// A NUL-terminated path, up to `PATH_MAX`.
    Path,
    /// A NUL-terminated string, up to the string limit.
    Str,
    /// A struct of this many bytes (0: shown as its address).
    Struct(usize),
    /// Records the kernel fills: as many bytes as the call returned, at most this many
    /// (a getdents buffer).
    Returned(usize),
    /// Bytes the program passes; their count is that argument's value.
    InBuf(usize),
    /// Bytes the kernel fills: as many as the call returned, at most that argument's value.
    OutBuf(usize),
    /// An iovec array of that argument's count; `out`: the kernel fills the buffers.
    Iovec {
        /// The argument holding the count.
        len: usize,
        /// Filled by the kernel: only the bytes the call returned are data.
        out: bool,
    },
    /// A sockaddr of that argument's length.
    SockaddrIn(usize),
    /// A sockaddr whose length the kernel writes to the `socklen_t` that argument points to.
    SockaddrOut(usize),
    /// A NULL-terminated array of strings.
    Argv,
    /// A NULL-terminated array of strings shown only as its count.
    Envp,
}

/// The kind of an argument, from the table's closed vocabulary (docs/TABLE.md); the
/// details a kind carries there (the flag set, the struct, the length argument) are in
/// the typed call instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// `int`.
    Int,
    /// `uint`.
    Uint,
    /// `long`.
    Long,
    /// `ulong`.
    Ulong,
    /// `size`.
    Size,
    /// `hex`.
    Hex,
    /// `fd`: a file descriptor.
    Fd,
    /// `dirfd`: the directory fd of an `*at` call.
    Dirfd,
    /// `path`: a path name.
    Path,
    /// `cstr`: another NUL-terminated string.
    Cstr,
    /// `in_buf`: bytes the program passes in.
    InBuf,
    /// `out_buf`: bytes the kernel fills.
    OutBuf,
    /// `flags`: a bit mask of a named set.
    Flags,
    /// `enum`: one value of a named set.
    Enum,
    /// `mode`: permission bits.
    Mode,
    /// `pid`.
    Pid,
    /// `uid`.
    Uid,
    /// `gid`.
    Gid,
    /// `signal`: a signal number.
    Signal,
    /// `struct`: a pointer to a C struct.
    Struct,
    /// `iovec`: an array of `struct iovec`.
    Iovec,
    /// `sockaddr`: a socket address.
    Sockaddr,
    /// `argv`: a NULL-terminated array of strings.
    Argv,
    /// `envp`: an environment block.
    Envp,
    /// `addr`: any other pointer.
    Addr,
}

/// How a return value is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetKind {
    /// `int`, in decimal.
    Int,
    /// `long`, in decimal.
    Long,
    /// A new file descriptor.
    Fd,
    /// A byte count (`ssize_t`).
    Size,
    /// A process or thread id.
    Pid,
    /// A user id.
    Uid,
    /// A group id.
    Gid,
    /// A memory address, in hex (`mmap`, `brk`).
    Addr,
    /// Another value best shown in hex.
    Hex,
    /// Permission bits, in octal (`umask`).
    Mode,
    /// Does not return on success (`exit_group`).
    Never,
}

/// A named set of constants: the values a `flags` or `enum` argument can take.
#[derive(Debug, PartialEq)]
pub struct SetInfo {
    /// Rust type name, `OpenFlags`.
    pub name: &'static str,
    /// One value (`enum`) rather than a bit mask (`flags`).
    pub is_enum: bool,
    /// Name shown for a whole value of 0 (`PROT_NONE`).
    pub zero: Option<&'static str>,
    /// A multi-bit sub-field with its mask, shown first (open's access mode).
    pub field: Option<(u64, &'static [(&'static str, u64)])>,
    /// The field is shown after the bits (clone's exit signal), not before them.
    pub field_last: bool,
    /// Named values: bits for flags, whole values for enums.
    pub values: &'static [(&'static str, u64)],
}

impl SetInfo {
    /// The named values as tests on a raw value, looked up once (a `shown_if`/`hidden_if`
    /// condition is checked on every call): a field value under the field's mask, a bit,
    /// or an enum value.
    pub fn condition(&self, names: &[&str]) -> Condition {
        let find = |values: &[(&str, u64)], name: &str| {
            values.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
        };
        let tests = names
            .iter()
            .filter_map(|name| {
                if let Some((mask, values)) = self.field
                    && let Some(value) = find(values, name)
                {
                    return Some(Test::Masked { mask, value });
                }
                let value = find(self.values, name)?;
                if self.is_enum {
                    Some(Test::Equal(value))
                } else {
                    (value != 0).then_some(Test::Bits(value))
                }
            })
            .collect();
        Condition { tests }
    }
}

/// Named values of a set as tests on a raw value ([`SetInfo::condition`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    tests: Vec<Test>,
}

/// One named value: a field value under its mask, an enum value, or bits all set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Test {
    Masked { mask: u64, value: u64 },
    Equal(u64),
    Bits(u64),
}

impl Condition {
    /// Whether `raw` holds any of the values.
    pub fn holds(&self, raw: u64) -> bool {
        self.tests.iter().any(|test| match *test {
            Test::Masked { mask, value } => raw & mask == value,
            Test::Equal(value) => raw == value,
            Test::Bits(bits) => raw & bits == bits,
        })
    }
}

/// A decoded argument or return value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Signed decimal.
    Int(i64),
    /// Unsigned decimal.
    Uint(u64),
    /// Hexadecimal.
    Hex(u64),
    /// Octal with a leading 0 (permission bits).
    Octal(u64),
    /// `st_mode`-style file type and permission bits, `S_IFREG|0644`.
    FileMode(u64),
    /// A file descriptor.
    Fd(i32),
    /// A directory fd of an `*at` call (`AT_FDCWD` by name).
    Dirfd(i32),
    /// Bytes from tracee memory, shown as a quoted C string.
    Str {
        /// The bytes shown (a string's terminating NUL excluded).
        bytes: Vec<u8>,
        /// False when cut at the string limit (then shown with `...`).
        complete: bool,
    },
    /// A null pointer.
    Null,
    /// A pointer shown as an address.
    Addr(u64),
    /// A pointer whose memory could not be read; shown as its address.
    Unreadable(u64),
    /// A bit mask of a named set.
    Flags {
        /// The argument's value.
        raw: u64,
        /// The set that names its bits.
        set: &'static SetInfo,
    },
    /// One value of a named set.
    Enum {
        /// The argument's value.
        raw: u64,
        /// The set that names its values.
        set: &'static SetInfo,
    },
    /// A signal number, `SIGINT`.
    Signal(i32),
    /// A struct's fields in order.
    Struct(Vec<(&'static str, Value)>),
    /// An array (also how strace shows a pointed-to `int`: `[5]`).
    Array {
        /// The elements shown.
        items: Vec<Value>,
        /// True when elements were left out (then shown with `...`).
        more: bool,
    },
    /// A set of signals, `[INT TERM]`.
    SigSet(Vec<i32>),
    /// An environment block, shown as its address and size: `0x7ffd... /* 12 vars */`.
    Env {
        /// Address of the `envp` array.
        addr: u64,
        /// How many variables it holds.
        count: usize,
    },
    /// Records the kernel filled in a buffer (getdents64's directory entries): strace
    /// shows the buffer's address and how many there are, `0x55d0... /* 12 entries */`,
    /// or every record when not abbreviating.
    Entries {
        /// Address of the buffer.
        addr: u64,
        /// The records, in order.
        items: Vec<Value>,
    },
    /// Bytes strace always shows in hex, whatever `-x` says (getrandom's random bytes).
    Bytes {
        /// The bytes shown.
        bytes: Vec<u8>,
        /// False when cut at the string limit (then shown with `...`).
        complete: bool,
    },
    /// A value the program passed in and the one the kernel wrote back in its place,
    /// which differ: strace's `[128 => 16]`.
    Changed {
        /// At the call's entry.
        before: Box<Value>,
        /// At its exit.
        after: Box<Value>,
    },
    /// Text to show verbatim (symbolic constants decoded by a struct decoder).
    Symbol(String),
    /// A set of small numbers, CPUs or descriptors, `[0 1]`.
    BitSet(Vec<u32>),
    /// What a result reports, strace's `in [3], out [4], left {tv_sec=0, tv_nsec=5}`: named
    /// parts, each shown as its name, a space and its value.
    Report(Vec<(&'static str, Value)>),
    /// A device number, `makedev(0x1, 0x3)`.
    Device {
        /// Its major number.
        major: u64,
        /// Its minor number.
        minor: u64,
    },
    /// A point in time since the epoch, `{tv_sec=1, tv_nsec=5} /* 1970-01-01T00:00:01.000000005+0000 */`.
    Time {
        /// Seconds since the epoch.
        sec: i64,
        /// Nanoseconds.
        nsec: i64,
    },
    /// Seconds since the epoch with their date in a comment, as strace shows a `time_t`
    /// field: `1795916197 /* 2026-11-29T01:36:37.153534287+0000 */` (`struct stat`'s
    /// `st_atime`, whose nanoseconds make the date precise and are a field of their own).
    EpochSeconds {
        /// Seconds since the epoch.
        sec: i64,
        /// Nanoseconds, for the date only.
        nsec: i64,
    },
    /// An array whose elements strace labels with the names of their indices, termios's
    /// `c_cc`: `[[VINTR]=0x3, [VQUIT]=0x1c, [17]=0]`.
    Indexed(Vec<(&'static str, Value)>),
    /// A value strace shows in a short form unless asked not to abbreviate (`-v`,
    /// `-e abbrev=`): `struct stat` as `{st_mode=S_IFREG|0644, st_size=13, ...}` or with
    /// every field. Decoders give both forms and a sink chooses: the text trace the short
    /// one for calls it abbreviates ([`abbreviated`](Value::abbreviated)), JSON the full
    /// one. Made with [`Value::abbreviable`].
    Abbreviable {
        /// The abbreviated form: some of the fields, then `...`.
        short: Box<Value>,
        /// Every field.
        full: Box<Value>,
    },
    /// A value with a name of its own, shown by the name (`UTIME_NOW` for a `timespec` of
    /// `{tv_sec=0, tv_nsec=1073741823}`); `-X raw` shows the value, `-X verbose` both.
    Named {
        /// The name.
        name: &'static str,
        /// What it names.
        value: Box<Value>,
    },
    /// A descriptor ([`Fd`](Value::Fd) or [`Dirfd`](Value::Dirfd)) with what is known of
    /// it (`-y`, `-yy`): `3</etc/hostname>`. Decoders never make it; a sink that shows
    /// descriptors does, with [`FdTable::annotate`](crate::fds::FdTable::annotate).
    Described {
        /// The descriptor.
        fd: Box<Value>,
        /// What it is.
        about: Box<crate::fds::FdAbout>,
    },
}

/// The name of the field that ends an abbreviated struct: strace's `...`.
pub const MORE_FIELDS: &str = "...";

impl Value {
    /// A struct of `fields` that strace abbreviates to those named in `shown` (in their
    /// order in `fields`) and `...`: both forms, as [`Value::Abbreviable`].
    ///
    /// ```
    /// use interpose_runtime::Value;
    ///
    /// let fields = vec![("st_ino", Value::Uint(2)), ("st_size", Value::Int(13))];
    /// let stat = Value::abbreviable(fields.clone(), &["st_size"]);
    /// let more = ("...", Value::Symbol(String::new()));
    /// let short = Value::Struct(vec![("st_size", Value::Int(13)), more]);
    /// assert_eq!(stat.clone().abbreviated(true), short);
    /// assert_eq!(stat.abbreviated(false), Value::Struct(fields));
    /// ```
    pub fn abbreviable(fields: Vec<(&'static str, Value)>, shown: &[&str]) -> Value {
        let mut short: Vec<(&'static str, Value)> = fields
            .iter()
            .filter(|(name, _)| shown.contains(name))
            .cloned()
            .collect();
        short.push((MORE_FIELDS, Value::Symbol(String::new())));
        Value::Abbreviable {
            short: Box::new(Value::Struct(short)),
            full: Box::new(Value::Struct(fields)),
        }
    }

    /// An array of `items` (`more`: elements were left out after them) that strace cuts
    /// at `limit` elements (its `-s`, which limits arrays as it limits strings) when
    /// abbreviating: both forms when it has more than `limit` elements, as
    /// [`Value::Abbreviable`], otherwise the array.
    ///
    /// ```
    /// use interpose_runtime::Value;
    ///
    /// let items = vec![Value::Uint(0), Value::Uint(4), Value::Uint(27)];
    /// let groups = Value::abbreviable_array(items.clone(), false, 2);
    /// let short = Value::Array { items: items[..2].to_vec(), more: true };
    /// assert_eq!(groups.clone().abbreviated(true), short);
    /// assert_eq!(groups.abbreviated(false), Value::Array { items, more: false });
    /// ```
    pub fn abbreviable_array(items: Vec<Value>, more: bool, limit: usize) -> Value {
        if items.len() <= limit {
            return Value::Array { items, more };
        }
        let short = Value::Array {
            items: items.iter().take(limit).cloned().collect(),
            more: true,
        };
        Value::Abbreviable {
            short: Box::new(short),
            full: Box::new(Value::Array { items, more }),
        }
    }

    /// This value with each [`Abbreviable`](Value::Abbreviable) in it (at any depth)
    /// replaced by its short form when `abbrev`, by its full form otherwise.
    pub fn abbreviated(self, abbrev: bool) -> Value {
        let each = |items: Vec<Value>| -> Vec<Value> {
            items.into_iter().map(|v| v.abbreviated(abbrev)).collect()
        };
        let fields = |fields: Vec<(&'static str, Value)>| -> Vec<(&'static str, Value)> {
            fields
                .into_iter()
                .map(|(name, v)| (name, v.abbreviated(abbrev)))
                .collect()
        };
        match self {
            Value::Abbreviable { short, full } => {
                if abbrev { *short } else { *full }.abbreviated(abbrev)
            }
            Value::Struct(f) => Value::Struct(fields(f)),
            Value::Report(f) => Value::Report(fields(f)),
            Value::Indexed(f) => Value::Indexed(fields(f)),
            Value::Array { items, more } => Value::Array {
                items: each(items),
                more,
            },
            Value::Entries { addr, items } => Value::Entries {
                addr,
                items: each(items),
            },
            Value::Changed { before, after } => Value::Changed {
                before: Box::new(before.abbreviated(abbrev)),
                after: Box::new(after.abbreviated(abbrev)),
            },
            other => other,
        }
    }
}

/// What a successful return value means beyond its number, which strace adds in
/// parentheses: `= 0x8002 (flags O_RDWR|O_LARGEFILE)`, `= 0 (SCHED_OTHER)`.
#[derive(Clone, Debug, PartialEq)]
pub struct RetDecoded {
    /// The number is shown in hexadecimal.
    pub hex: bool,
    /// A word the text trace puts before the value, `flags`.
    pub label: Option<&'static str>,
    /// The meaning.
    pub value: Value,
}

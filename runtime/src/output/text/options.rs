//! What the strace text sink can be told: strace's layout flags (`-t`, `-r`, `-T`, `-x`,
//! `-q`, the pid prefix) and colour.

use super::super::filter::{FdSet, SignalSet};
use crate::fds::FdTable;
use crate::render::{ConstStyle, StringStyle};
use crate::{DEFAULT_STRING_LIMIT, Interest};
use std::str::FromStr;

/// How [`StraceText`](super::StraceText) lays out and spells its lines. `Default` is strace's text to
/// stderr: no timestamps, strings escaped and cut at 32 bytes, `[pid N] ` once a second
/// thread is traced, no colour.
#[derive(Clone, Debug)]
pub struct TextOptions {
    /// Show at most this many bytes of each string (`-s`).
    pub string_limit: usize,
    /// How strings are spelled (`-x`, `-xx`).
    pub strings: StringStyle,
    /// How named constants are spelled (`-X raw|abbrev|verbose`): by name (the default),
    /// as numbers, or both.
    pub constants: ConstStyle,
    /// Which lines name their thread, and how.
    pub prefix: PidPrefix,
    /// Which lines are left out (`-q`, `-qq`, `-qqq`, `-e quiet=`).
    pub quiet: Quiet,
    /// Signals whose `--- SIGxxx ---`, `--- stopped by SIGxxx ---` and `+++ killed by
    /// SIGxxx +++` lines are shown (`-e signal=`); all by default.
    pub signals: SignalSet,
    /// Calls shown raw (`-e raw=`), as strace does: every argument the table lists as a
    /// hexadecimal number, the result in hexadecimal (an error as usual); none by default.
    pub raw: Interest,
    /// Calls whose structures, `argv` and environment are abbreviated (`-e abbrev=`;
    /// strace's `-v` is `abbrev=none`): outside the set, the structures strace abbreviates
    /// are shown with every field (`struct stat`, `statx`, `rusage`, `utsname`, `termios`:
    /// `{st_dev=makedev(0xfe, 0), st_ino=..., ...}` instead of
    /// `{st_mode=S_IFREG|0644, st_size=13, ...}`), `execve`'s and `execveat`'s environment
    /// as its strings instead of `/* N vars */`, `argv` in full instead of its first 64
    /// strings, and getdents64's directory entries one by one instead of `/* N entries */`.
    /// All by default.
    pub abbrev: Interest,
    /// Calls whose structures are decoded (`-e verbose=`): outside the set, an argument
    /// pointing to a structure, an `iovec` array, a socket address, `argv` or an
    /// environment is shown as its address (`NULL` for 0), as strace does; strings and
    /// buffers are still shown. All by default.
    pub verbose: Interest,
    /// The clock at the start of each line (`-t`, `-tt`, `-ttt`).
    pub timestamps: Timestamps,
    /// The time since the previous line, at the start of each line (`-r`).
    pub relative: bool,
    /// The time spent in each syscall, after its result (`-T`).
    pub durations: bool,
    /// ANSI colours: syscall names bold, errors and deaths red, signals yellow, exits dim.
    /// Decide with [`ColorChoice::enabled`].
    pub color: bool,
    /// Flush after every line: for a terminal, or a pipe someone is reading. Otherwise the
    /// output is block-buffered.
    pub flush_each_line: bool,
    /// Descriptors shown with what they are (`-y`, `-yy`, `--decode-fds=`): the table,
    /// which must also be a sink of the same trace, added before this one. `None`: as
    /// numbers.
    pub fds: Option<FdTable>,
    /// Dump in hex the data read from these descriptors (`-e read=`).
    pub dump_reads: Option<FdSet>,
    /// Dump in hex the data written to these descriptors (`-e write=`).
    pub dump_writes: Option<FdSet>,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            string_limit: DEFAULT_STRING_LIMIT,
            strings: StringStyle::Escaped,
            constants: ConstStyle::Abbrev,
            prefix: PidPrefix::WhenMany,
            quiet: Quiet::default(),
            signals: SignalSet::default(),
            raw: Interest::none(),
            abbrev: Interest::all(),
            verbose: Interest::all(),
            timestamps: Timestamps::None,
            relative: false,
            durations: false,
            color: false,
            flush_each_line: true,
            fds: None,
            dump_reads: None,
            dump_writes: None,
        }
    }
}

/// Which lines carry the id of their thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PidPrefix {
    /// `[pid  1234] ` while more than one thread is traced (strace's stderr): counted from
    /// the start of a child or thread to the line that reports its end.
    #[default]
    WhenMany,
    /// `1234  ` (`%-5d `) on every line: strace's `-f -o FILE`.
    Always,
    /// Never: one file per process (`-ff`), or a single-process trace to stderr.
    Never,
}

/// Messages left out: strace's `-q` levels and `-e quiet=` names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quiet {
    /// `attach` (`-q`): strace's `Process N attached` and `detached` messages. This sink
    /// writes none; the CLI leaves out its `detached from pid N`.
    pub attach: bool,
    /// `exit`, `exits` (`-qq`): the `+++ exited with N +++` lines (`+++ killed by` lines
    /// stay).
    pub exits: bool,
    /// `superseded`, `thread-execve` (`-qqq`): the `+++ superseded by execve in pid N +++`
    /// lines.
    pub superseded: bool,
    /// `personality` (`-q`): strace's `[ Process PID=N runs in 32 bit mode. ]`. interpose
    /// writes no such message (it marks each i386 call `[i386]`), so this hides nothing.
    pub personality: bool,
    /// `path-resolution` (`-qqq`): the CLI's note that a `-P` path resolves to another.
    pub path_resolution: bool,
}

impl Quiet {
    /// What `-q` given `count` times leaves out, as strace: `attach,personality`, then
    /// also `exit`, then everything.
    pub fn from_count(count: u8) -> Quiet {
        Quiet {
            attach: count >= 1,
            personality: count >= 1,
            exits: count >= 2,
            superseded: count >= 3,
            path_resolution: count >= 3,
        }
    }
}

/// The clock at the start of each line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Timestamps {
    /// None.
    #[default]
    None,
    /// `-t`: local time of day, `14:05:09 `.
    Seconds,
    /// `-tt`: with microseconds, `14:05:09.123456 `.
    Micros,
    /// `-ttt`: seconds since the epoch with microseconds, `1700000000.123456 `.
    Epoch,
}

impl Timestamps {
    /// The clock `-t` given `count` times asks for.
    pub fn from_count(count: u8) -> Timestamps {
        match count {
            0 => Timestamps::None,
            1 => Timestamps::Seconds,
            2 => Timestamps::Micros,
            _ => Timestamps::Epoch,
        }
    }
}

/// `--color=auto|always|never`.
///
/// Following <https://no-color.org>, a non-empty `NO_COLOR` environment variable turns off
/// the colour `auto` would choose; an explicit `always` is the user's own choice for this
/// run and overrides it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when the trace goes to a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour, even into a file.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour a trace going to a terminal (`to_terminal`) or elsewhere, given
    /// this process's `NO_COLOR`.
    pub fn enabled(self, to_terminal: bool) -> bool {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        self.decide(to_terminal, no_color)
    }

    fn decide(self, to_terminal: bool, no_color: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => to_terminal && !no_color,
        }
    }
}

impl FromStr for ColorChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "auto" => Ok(ColorChoice::Auto),
            "always" => Ok(ColorChoice::Always),
            "never" => Ok(ColorChoice::Never),
            _ => Err(format!(
                "`{text}` is not a colour choice (expected auto, always or never)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_turns_off_auto_but_not_always() {
        assert!(ColorChoice::Auto.decide(true, false));
        assert!(!ColorChoice::Auto.decide(true, true));
        assert!(!ColorChoice::Auto.decide(false, false));
        assert!(ColorChoice::Always.decide(false, true));
        assert!(!ColorChoice::Never.decide(true, false));
        assert_eq!("always".parse(), Ok(ColorChoice::Always));
        assert!("sometimes".parse::<ColorChoice>().is_err());
    }
}

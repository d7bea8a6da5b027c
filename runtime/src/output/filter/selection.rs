//! [`Selection`]: what strace's `-e` qualifiers, `-P`, `-z` and `-Z` choose.

use super::sets::{self, FdSet, SignalSet, Status, StatusSet};
use crate::fds::DecodeFds;
use crate::linux::{SYSCALLS, Syscall};
use crate::output::text::{Quiet, TextOptions};
use crate::value::ArgKind;
use crate::{Interest, SyscallInfo};
use std::path::{Path, PathBuf};

/// A qualifier or selection that cannot be understood: one line naming the bad word.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelectionError {
    /// A syscall set names a call, class or number the table does not have.
    #[error("invalid system call '{0}'")]
    InvalidSyscall(String),
    /// A `/REGEX` that does not compile.
    #[error("invalid regular expression '{pattern}': {reason}")]
    Regex {
        /// The pattern after `/`.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `NAME@32` or `NAME@x32`: only the x86_64 table is known.
    #[error("invalid system call '{0}': only the 64-bit (x86_64) syscall table is known")]
    Personality(String),
    /// `NAME@WHAT` with a designator that is none of `64`, `32`, `x32`.
    #[error("incorrect personality designator '{designator}' in qualification '{token}'")]
    PersonalityDesignator {
        /// What follows `@`.
        designator: String,
        /// The whole token.
        token: String,
    },
    /// A signal, status, quiet name or descriptor that does not exist.
    #[error("invalid {what} '{token}'")]
    Invalid {
        /// `signal`, `status`, `quiet` or `descriptor`.
        what: &'static str,
        /// The bad token.
        token: String,
    },
    /// `-e KEY=...` with a key strace does not have.
    #[error(
        "unknown qualifier '{0}' (expected trace, trace-fds, signal, status, quiet, abbrev, verbose, raw, read, write or decode-fds)"
    )]
    UnknownQualifier(String),
    /// A qualifier strace has and interpose does not implement.
    #[error("-e {0}= is not supported")]
    Unsupported(String),
    /// `inject=` and `fault=` are tampering rules, not part of a selection.
    #[error("-e {0}= is a tampering rule, not a selection")]
    Tampering(String),
    /// `-q` and `-e quiet=` together, which strace refuses too.
    #[error("-q and -e quiet= cannot be given together")]
    QuietTwice,
}

/// Which qualifier a key names (strace's `qual_options`).
#[derive(Clone, Copy)]
enum Key {
    Trace,
    TraceFds,
    Abbrev,
    Verbose,
    Raw,
    Signal,
    Status,
    Quiet,
    Read,
    Write,
    DecodeFds,
}

const KEYS: &[(&str, Option<Key>)] = &[
    ("trace", Some(Key::Trace)),
    ("t", Some(Key::Trace)),
    ("trace-fd", Some(Key::TraceFds)),
    ("trace-fds", Some(Key::TraceFds)),
    ("fd", Some(Key::TraceFds)),
    ("fds", Some(Key::TraceFds)),
    ("abbrev", Some(Key::Abbrev)),
    ("a", Some(Key::Abbrev)),
    ("verbose", Some(Key::Verbose)),
    ("v", Some(Key::Verbose)),
    ("raw", Some(Key::Raw)),
    ("x", Some(Key::Raw)),
    ("signal", Some(Key::Signal)),
    ("signals", Some(Key::Signal)),
    ("s", Some(Key::Signal)),
    ("status", Some(Key::Status)),
    ("quiet", Some(Key::Quiet)),
    ("silent", Some(Key::Quiet)),
    ("silence", Some(Key::Quiet)),
    ("q", Some(Key::Quiet)),
    ("read", Some(Key::Read)),
    ("reads", Some(Key::Read)),
    ("r", Some(Key::Read)),
    ("write", Some(Key::Write)),
    ("writes", Some(Key::Write)),
    ("w", Some(Key::Write)),
    ("decode-fd", Some(Key::DecodeFds)),
    ("decode-fds", Some(Key::DecodeFds)),
    // strace's, not implemented here.
    ("kvm", None),
    ("decode-pid", None),
    ("decode-pids", None),
    ("secontext", None),
];

/// The keys of tampering rules, which a [`Selection`] leaves to the injection engine.
pub const TAMPERING_KEYS: &[&str] = &["inject", "fault"];

/// What a trace shows, as strace's `-e` qualifiers, `-P`, `-z` and `-Z` choose it; by
/// default, everything.
///
/// strace's rules (its `filter_qualify.c`, `basic_filters.c` and `pathtrace.c`, 6.1):
/// - `-e EXPR` without a known `KEY=` is `-e trace=EXPR`. Keys and their short forms:
///   `trace`/`t`, `trace-fds`/`trace-fd`/`fd`/`fds` (from strace 6.10), `signal`/`signals`/`s`,
///   `status`, `quiet`/`silent`/`silence`/`q`, `abbrev`/`a`, `verbose`/`v`, `raw`/`x`.
/// - A set is `[!]VALUE[,VALUE]...`, `all` or `none`; each leading `!` inverts it; empty
///   items between commas are skipped. A syscall value is a name, a number, a class
///   (`%file`, `%desc`, `%process`, `%network`/`%net`, `%signal`, `%ipc`, `%memory`,
///   `%creds`, `%clock`, `%stat`, `%lstat`, `%fstat`, `%%stat`, `%statfs`, `%fstatfs`,
///   `%%statfs`, `%pure`, in any case, and the legacy `file`, `desc`, `process`,
///   `network`, `signal`, `ipc`, `memory`), or `/REGEX` matched anywhere in the name;
///   classes win over names. A `?` before a value makes "matches nothing" silent;
///   `@64` after it is accepted (x86_64 is the only table; `@32` and `@x32` are errors).
///   Classes come from the table's `groups`; `%%stat` is every `stat`, `lstat` and
///   `fstat` call, `%%statfs` every `statfs` and `fstatfs` call and `ustat`.
/// - Every other qualifier given twice keeps its last value, as strace does. `trace=` is
///   the exception: several accumulate (strace 6.1 keeps only the last one): `SET` adds
///   to what earlier ones chose, `!SET` takes from it (from everything, when first),
///   `all` and `none` start again.
/// - `read=SET` and `write=SET` (`reads`/`r`, `writes`/`w`) choose no call: they name the
///   descriptors whose data the text dumps in hex; `decode-fds=SET` (`decode-fd`) says what
///   is shown of descriptors (see [`DecodeFds::parse`]).
/// - `-z` is `status=successful`, `-Z` `status=failed`; the last of the three wins.
/// - `-P PATH`: calls with a path argument equal to PATH (as written, or as `realpath`
///   resolves it), or with a descriptor argument open on it; `trace-fds=SET`: calls with a
///   descriptor argument in SET; both together: either. Descriptor arguments include the
///   descriptors in `poll`'s and `select`'s sets. Only calls in the `trace=` set count.
///
/// ```
/// use interpose_runtime::output::filter::Selection;
///
/// let mut selection = Selection::new();
/// selection.qualify("trace=%file")?;
/// selection.qualify("trace=!openat")?;
/// assert!(selection.traces_name("newfstatat") && !selection.traces_name("openat"));
/// assert!(!selection.interest().is_all());
/// assert!(selection.qualify("trace=nosuchcall").is_err());
/// # Ok::<(), interpose_runtime::output::filter::SelectionError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `None`: every call.
    trace: Option<Interest>,
    signals: SignalSet,
    status: StatusSet,
    /// `-P` paths, each as given and as resolved.
    paths: Vec<PathBuf>,
    trace_fds: Option<FdSet>,
    quiet: Option<Quiet>,
    /// `None`: every call (the defaults of `abbrev=` and `verbose=`), or none (`raw=`).
    abbrev: Option<Interest>,
    verbose: Option<Interest>,
    raw: Option<Interest>,
    /// `-e read=`, `-e write=`: descriptors whose data is dumped.
    dump_reads: Option<FdSet>,
    dump_writes: Option<FdSet>,
    /// `-e decode-fds=`.
    decode_fds: Option<DecodeFds>,
}

impl Selection {
    /// Everything: every call, signal and status.
    pub fn new() -> Self {
        Selection::default()
    }

    /// Applies one `-e EXPR` (see [`Selection`] for the rules).
    ///
    /// # Errors
    /// An unknown qualifier, syscall, class, signal, status or quiet name, a bad regular
    /// expression, a qualifier interpose does not implement (`kvm=`, `decode-pids=`,
    /// `secontext=`), or a tampering rule (`inject=`, `fault=`), which is not a selection.
    pub fn qualify(&mut self, expr: &str) -> Result<(), SelectionError> {
        let (key, value) = match expr.split_once('=') {
            Some((key, value)) if is_key(key) => {
                if TAMPERING_KEYS.contains(&key) {
                    return Err(SelectionError::Tampering(key.to_string()));
                }
                match KEYS.iter().find(|(name, _)| *name == key) {
                    Some((_, Some(known))) => (*known, value),
                    Some((_, None)) => return Err(SelectionError::Unsupported(key.to_string())),
                    None => return Err(SelectionError::UnknownQualifier(key.to_string())),
                }
            }
            _ => (Key::Trace, expr),
        };
        match key {
            Key::Trace => {
                let spec = sets::syscall_set(value)?;
                self.trace = Some(spec.apply(self.trace));
            }
            Key::TraceFds => self.trace_fds = Some(FdSet::parse(value)?),
            Key::Abbrev => self.abbrev = Some(sets::syscall_set(value)?.alone()),
            Key::Verbose => self.verbose = Some(sets::syscall_set(value)?.alone()),
            Key::Raw => self.raw = Some(sets::syscall_set(value)?.alone()),
            Key::Signal => self.signals = SignalSet::parse(value)?,
            Key::Status => self.status = StatusSet::parse(value)?,
            Key::Quiet => self.quiet = Some(sets::quiet(value)?),
            Key::Read => self.dump_reads = Some(FdSet::parse(value)?),
            Key::Write => self.dump_writes = Some(FdSet::parse(value)?),
            Key::DecodeFds => {
                let set = DecodeFds::parse(value).map_err(|_| SelectionError::Invalid {
                    what: "decode-fds",
                    token: value.to_string(),
                })?;
                self.decode_fds = Some(set);
            }
        }
        Ok(())
    }

    /// Whether the selection leaves out any event; when it does not, a [`Filtered`]
    /// in front of a sink changes nothing (`quiet=`, `abbrev=`, `verbose=` and `raw=` are
    /// the text's business: see [`text_options`](Selection::text_options)).
    ///
    /// [`Filtered`]: super::Filtered
    pub fn filters(&self) -> bool {
        self.trace.is_some_and(|t| !t.is_all())
            || self.signals != SignalSet::default()
            || !self.status.is_all()
            || self.by_descriptor()
    }

    /// `-z` (`Status::Successful`) or `-Z` (`Status::Failed`): only calls that ended so.
    pub fn only_status(&mut self, status: Status) {
        self.status = StatusSet::only(status);
    }

    /// `-P PATH`: adds PATH, and its `realpath` when that differs, which is returned (strace
    /// says `Requested path "PATH" resolved into "REAL"` then).
    pub fn trace_path(&mut self, path: impl AsRef<Path>) -> Option<PathBuf> {
        let path = path.as_ref().to_owned();
        let real = std::fs::canonicalize(&path)
            .ok()
            .filter(|real| *real != path);
        if !self.paths.contains(&path) {
            self.paths.push(path);
        }
        if let Some(real) = &real
            && !self.paths.contains(real)
        {
            self.paths.push(real.clone());
        }
        real
    }

    /// `-q` given `count` times together with this selection.
    ///
    /// # Errors
    /// [`SelectionError::QuietTwice`] when `-e quiet=` was given too.
    pub fn quiet_count(&mut self, count: u8) -> Result<(), SelectionError> {
        match (count, self.quiet) {
            (0, _) => Ok(()),
            (_, Some(_)) => Err(SelectionError::QuietTwice),
            (count, None) => {
                self.quiet = Some(Quiet::from_count(count));
                Ok(())
            }
        }
    }

    /// The messages left out (`-q`, `-e quiet=`).
    pub fn quiet(&self) -> Quiet {
        self.quiet.unwrap_or_default()
    }

    /// The calls this selection can show: those of `trace=`, narrowed by `-P` and
    /// `trace-fds=` to the calls that take a path or a descriptor; with `-P`, also the
    /// calls that change which descriptors are open (`close`, `close_range`, `dup2`,
    /// `dup3`), which it follows without showing them. A call outside it need not stop.
    pub fn interest(&self) -> Interest {
        let mut set = self.trace.unwrap_or(Interest::all());
        if self.by_descriptor() {
            set = set.intersection(descriptor_calls());
        }
        if !self.paths.is_empty() {
            for name in FD_TABLE_CALLS {
                if let Some(info) = Syscall::by_name(name) {
                    set.insert(info);
                }
            }
        }
        set
    }

    /// Whether `trace=` (not `-P` or `trace-fds=`) lets `call` through.
    pub fn traces(&self, call: &Syscall) -> bool {
        let Some(trace) = &self.trace else {
            return true;
        };
        match (call, call.info()) {
            (Syscall::I386(_), _) | (_, None) => trace.includes_unknown(),
            (_, Some(info)) => trace.contains(info.number),
        }
    }

    /// Whether `trace=` lets the call named `name` through.
    pub fn traces_name(&self, name: &str) -> bool {
        match (&self.trace, Syscall::by_name(name)) {
            (None, _) => true,
            (Some(trace), Some(info)) => trace.contains(info.number),
            (Some(_), None) => false,
        }
    }

    /// The `-e signal=` set.
    pub fn signals(&self) -> &SignalSet {
        &self.signals
    }

    /// The `-e status=`, `-z`, `-Z` set.
    pub fn statuses(&self) -> &StatusSet {
        &self.status
    }

    /// This selection with every status: strace's `-c` counts calls whatever their status.
    pub fn without_status(&self) -> Selection {
        Selection {
            status: StatusSet::default(),
            ..self.clone()
        }
    }

    /// The `-P` paths, each as given and as resolved.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// The `trace-fds=` set.
    pub fn trace_fds(&self) -> Option<&FdSet> {
        self.trace_fds.as_ref()
    }

    /// Whether calls are chosen by the paths or descriptors they touch (`-P`, `trace-fds=`).
    pub fn by_descriptor(&self) -> bool {
        !self.paths.is_empty() || self.trace_fds.is_some()
    }

    /// The `raw=` set: calls whose arguments and result the text shows as raw numbers.
    pub fn raw(&self) -> Interest {
        self.raw.unwrap_or(Interest::none())
    }

    /// The `abbrev=` set: calls whose structures, `argv` and environment the text
    /// abbreviates.
    pub fn abbrev(&self) -> Interest {
        self.abbrev.unwrap_or(Interest::all())
    }

    /// The `verbose=` set: calls whose structures the text decodes.
    pub fn verbose(&self) -> Interest {
        self.verbose.unwrap_or(Interest::all())
    }

    /// `options` with what this selection says about the text: `quiet=` (or `-q`),
    /// `signal=` (for `+++ killed by` lines), `raw=`, `abbrev=`, `verbose=`.
    pub fn text_options(&self, options: TextOptions) -> TextOptions {
        TextOptions {
            quiet: self.quiet.unwrap_or(options.quiet),
            signals: self.signals.clone(),
            raw: self.raw(),
            abbrev: self.abbrev(),
            verbose: self.verbose(),
            dump_reads: self.dump_reads.clone(),
            dump_writes: self.dump_writes.clone(),
            ..options
        }
    }

    /// What `-e decode-fds=` chose, if it was given.
    pub fn decode_fds(&self) -> Option<DecodeFds> {
        self.decode_fds
    }
}

/// Whether `key` looks like a qualifier's name rather than part of a syscall set
/// (`/a=b` is a regular expression).
fn is_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

/// Calls that change which file a descriptor number refers to.
pub(super) const FD_TABLE_CALLS: &[&str] = &["close", "close_range", "dup2", "dup3"];

/// Calls with a path or descriptor argument (`poll`'s and `select`'s sets included).
pub(super) fn descriptor_calls() -> Interest {
    let mut set = Interest::none();
    for info in SYSCALLS.iter().filter(|info| takes_descriptor(info)) {
        set.insert(info);
    }
    set
}

/// Whether a call takes a path or a descriptor.
pub(super) fn takes_descriptor(info: &SyscallInfo) -> bool {
    matches!(info.name, "poll" | "ppoll" | "select" | "pselect6")
        || info
            .args
            .iter()
            .any(|a| matches!(a.kind, ArgKind::Fd | ArgKind::Dirfd | ArgKind::Path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_bare_sets() {
        let mut s = Selection::new();
        s.qualify("openat,close").unwrap();
        assert!(s.traces_name("openat") && s.traces_name("close") && !s.traces_name("read"));
        let mut s = Selection::new();
        s.qualify("t=read").unwrap();
        assert!(s.traces_name("read") && !s.traces_name("write"));
        assert_eq!(
            Selection::new().qualify("foo=bar").unwrap_err().to_string(),
            "unknown qualifier 'foo' (expected trace, trace-fds, signal, status, quiet, abbrev, verbose, raw, read, write or decode-fds)"
        );
        assert_eq!(
            Selection::new().qualify("kvm=vcpu"),
            Err(SelectionError::Unsupported("kvm".into()))
        );
        let mut s = Selection::new();
        s.qualify("read=3").unwrap();
        s.qualify("w=!1").unwrap();
        s.qualify("decode-fds=path,socket").unwrap();
        let options = s.text_options(TextOptions::default());
        assert!(
            options
                .dump_reads
                .is_some_and(|set| set.contains(3) && !set.contains(4))
        );
        assert!(
            options
                .dump_writes
                .is_some_and(|set| !set.contains(1) && set.contains(4))
        );
        assert!(s.decode_fds().is_some_and(|d| d.path && d.socket && !d.dev));
        assert!(s.qualify("decode-fds=paths").is_err());
        assert_eq!(
            Selection::new().qualify("inject=openat:error=EACCES"),
            Err(SelectionError::Tampering("inject".into()))
        );
        // A regular expression may hold `=`.
        assert!(
            Selection::new()
                .qualify("/^open=")
                .is_err_and(|e| e == SelectionError::InvalidSyscall("/^open=".into()))
        );
    }

    #[test]
    fn trace_sets_accumulate() {
        let mut s = Selection::new();
        s.qualify("trace=openat").unwrap();
        s.qualify("trace=close").unwrap();
        assert!(s.traces_name("openat") && s.traces_name("close"));
        s.qualify("trace=!close").unwrap();
        assert!(s.traces_name("openat") && !s.traces_name("close"));
        let mut s = Selection::new();
        s.qualify("trace=!read").unwrap();
        s.qualify("trace=!write").unwrap();
        assert!(!s.traces_name("read") && !s.traces_name("write") && s.traces_name("openat"));
        s.qualify("trace=none").unwrap();
        assert_eq!(s.interest(), Interest::none());
    }

    #[test]
    fn interest_narrows_to_descriptors_and_follows_the_fd_table() {
        let mut s = Selection::new();
        s.trace_path("/etc/hostname");
        let interest = s.interest();
        let number = |name| Syscall::by_name(name).unwrap().number;
        assert!(interest.contains(number("read")) && interest.contains(number("openat")));
        assert!(interest.contains(number("close_range")) && interest.contains(number("poll")));
        assert!(!interest.contains(number("getpid")) && !interest.contains(number("brk")));
        let mut s = Selection::new();
        s.qualify("trace=read").unwrap();
        s.qualify("trace-fds=0").unwrap();
        let interest = s.interest();
        assert!(interest.contains(number("read")) && !interest.contains(number("close")));
    }

    #[test]
    fn quiet_and_q_are_exclusive() {
        let mut s = Selection::new();
        s.qualify("quiet=exit").unwrap();
        assert!(s.quiet().exits && !s.quiet().attach);
        assert_eq!(s.quiet_count(1), Err(SelectionError::QuietTwice));
        let mut s = Selection::new();
        s.quiet_count(2).unwrap();
        assert!(s.quiet().exits && s.quiet().attach && !s.quiet().superseded);
    }
}

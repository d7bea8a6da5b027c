//! The sets strace's qualifiers name: syscalls (`trace=`, `abbrev=`, `verbose=`, `raw=`),
//! signals, statuses, quiet messages and descriptors, parsed as strace 6.1 parses them
//! (`qualify_syscall_tokens` and `qualify_tokens` in its `basic_filters.c`).

use super::SelectionError;
use crate::linux::SYSCALLS;
use crate::output::text::Quiet;
use crate::{Interest, SyscallInfo};
use std::collections::BTreeSet;

/// What one syscall set spec does to the set it is added to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SetSpec {
    /// `SET`: these calls.
    Add(Interest),
    /// `!SET`: every call but these.
    Remove(Interest),
    /// `all`, `none`, `!all`, `!none`: exactly this set.
    Exactly(Interest),
}

impl SetSpec {
    /// The set the spec names on its own.
    pub(crate) fn alone(self) -> Interest {
        match self {
            SetSpec::Add(set) | SetSpec::Exactly(set) => set,
            SetSpec::Remove(set) => set.complement(),
        }
    }

    /// `current` changed by the spec; `None` is every call (nothing chosen yet).
    pub(super) fn apply(self, current: Option<Interest>) -> Interest {
        match self {
            SetSpec::Add(set) => current.unwrap_or(Interest::none()).union(set),
            SetSpec::Remove(set) => current
                .unwrap_or(Interest::all())
                .intersection(set.complement()),
            SetSpec::Exactly(set) => set,
        }
    }
}

/// Splits off strace's leading `!`s (each one inverts) and tells `all` and `none` apart
/// from a list of tokens.
fn negations(spec: &str) -> (bool, &str) {
    let rest = spec.trim_start_matches('!');
    let inverted = (spec.len() - rest.len()) % 2 == 1;
    (inverted, rest)
}

/// A syscall set: `[!]VALUE[,VALUE]...` where each value is a name, a number, a class
/// (`%file`, legacy `file`), `/REGEX`, any of them after `?` (no error when nothing
/// matches) and before `@64` (the only personality this table has); or `all`, `none`.
pub(crate) fn syscall_set(spec: &str) -> Result<SetSpec, SelectionError> {
    let (inverted, rest) = negations(spec);
    let exactly = match rest {
        "all" => Some(Interest::all()),
        "none" => Some(Interest::none()),
        _ => None,
    };
    if let Some(set) = exactly {
        return Ok(SetSpec::Exactly(if inverted {
            set.complement()
        } else {
            set
        }));
    }
    let mut set = Interest::none();
    let mut tokens = 0;
    // strtok: empty tokens between commas are skipped.
    for token in rest.split(',').filter(|t| !t.is_empty()) {
        tokens += 1;
        syscall_token(token, &mut set)?;
    }
    if tokens == 0 {
        return Err(SelectionError::InvalidSyscall(spec.to_string()));
    }
    Ok(if inverted {
        SetSpec::Remove(set)
    } else {
        SetSpec::Add(set)
    })
}

/// Adds the calls one token names (strace's `qualify_syscall`).
fn syscall_token(token: &str, set: &mut Interest) -> Result<(), SelectionError> {
    let text = token.trim_start_matches('?');
    let optional = text.len() != token.len();
    let text = match text.rsplit_once('@') {
        None => text,
        Some((value, "64")) => value,
        Some((_, "32" | "x32")) if optional => return Ok(()),
        Some((_, "32" | "x32")) => {
            return Err(SelectionError::Personality(token.to_string()));
        }
        Some((_, designator)) => {
            return Err(SelectionError::PersonalityDesignator {
                designator: designator.to_string(),
                token: token.to_string(),
            });
        }
    };
    let found = if text.starts_with(|c: char| c.is_ascii_digit()) {
        number_token(text, set)
    } else if let Some(pattern) = text.strip_prefix('/') {
        regex_token(pattern, set)?
    } else {
        class_token(text, set) || name_token(text, set)
    };
    if found || optional {
        Ok(())
    } else {
        Err(SelectionError::InvalidSyscall(token.to_string()))
    }
}

fn number_token(text: &str, set: &mut Interest) -> bool {
    let Ok(number) = text.parse::<u32>() else {
        return false;
    };
    match SYSCALLS.iter().find(|s| s.number == i64::from(number)) {
        Some(info) => {
            set.insert(info);
            true
        }
        None => false,
    }
}

fn regex_token(pattern: &str, set: &mut Interest) -> Result<bool, SelectionError> {
    let regex = regex::Regex::new(pattern).map_err(|e| SelectionError::Regex {
        pattern: pattern.to_string(),
        // The error's last line says what is wrong; the others draw the pattern.
        reason: e
            .to_string()
            .lines()
            .last()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string(),
    })?;
    let mut found = false;
    for info in SYSCALLS.iter().filter(|s| regex.is_match(s.name)) {
        set.insert(info);
        found = true;
    }
    Ok(found)
}

/// strace's trace classes, `%name` and the legacy names without `%`, matched without
/// regard to case. Each is the calls whose groups include all of a list, or one of
/// several lists for the `%%` classes.
const CLASSES: &[(&str, &[&[&str]])] = &[
    ("%desc", &[&["desc"]]),
    ("%file", &[&["file"]]),
    ("%memory", &[&["memory"]]),
    ("%process", &[&["process"]]),
    ("%creds", &[&["creds"]]),
    ("%signal", &[&["signal"]]),
    ("%ipc", &[&["ipc"]]),
    ("%net", &[&["network"]]),
    ("%network", &[&["network"]]),
    ("%stat", &[&["stat"]]),
    ("%lstat", &[&["lstat"]]),
    ("%fstat", &[&["fstat"]]),
    // strace's TRACE_STAT_LIKE: every stat, lstat and fstat variant.
    ("%%stat", &[&["stat"], &["lstat"], &["fstat"]]),
    ("%statfs", &[&["statfs"]]),
    ("%fstatfs", &[&["fstatfs"]]),
    // strace's TRACE_STATFS_LIKE: statfs and fstatfs variants, and ustat (below).
    ("%%statfs", &[&["statfs"], &["fstatfs"]]),
    ("%pure", &[&["pure"]]),
    ("%clock", &[&["clock"]]),
    ("all", &[&[]]),
    ("desc", &[&["desc"]]),
    ("file", &[&["file"]]),
    ("memory", &[&["memory"]]),
    ("process", &[&["process"]]),
    ("signal", &[&["signal"]]),
    ("ipc", &[&["ipc"]]),
    ("network", &[&["network"]]),
];

fn class_token(text: &str, set: &mut Interest) -> bool {
    let Some((name, lists)) = CLASSES.iter().find(|(n, _)| n.eq_ignore_ascii_case(text)) else {
        return false;
    };
    let in_class = |info: &SyscallInfo| {
        lists
            .iter()
            .any(|groups| groups.iter().all(|g| info.in_group(g)))
            || (*name == "%%statfs" && info.name == "ustat")
    };
    for info in SYSCALLS.iter().filter(|s| in_class(s)) {
        set.insert(info);
    }
    true
}

fn name_token(text: &str, set: &mut Interest) -> bool {
    match SYSCALLS.iter().find(|s| s.name == text) {
        Some(info) => {
            set.insert(info);
            true
        }
        None => false,
    }
}

/// A set of small numbers as strace's `number_set`: the numbers listed, or every number
/// but those.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Numbers {
    listed: BTreeSet<u32>,
    inverted: bool,
}

impl Numbers {
    fn all() -> Numbers {
        Numbers {
            listed: BTreeSet::new(),
            inverted: true,
        }
    }

    fn contains(&self, n: u32) -> bool {
        self.listed.contains(&n) != self.inverted
    }

    /// strace's `qualify_tokens`: `[!]TOKEN[,TOKEN]...`, `all` or `none`, each token
    /// turned into a number by `lookup`; `what` names the kind of token in the error.
    fn parse(
        spec: &str,
        what: &'static str,
        lookup: impl Fn(&str) -> Option<u32>,
    ) -> Result<Numbers, SelectionError> {
        let (inverted, rest) = negations(spec);
        let mut numbers = Numbers {
            listed: BTreeSet::new(),
            inverted,
        };
        match rest {
            "none" => return Ok(numbers),
            "all" => {
                numbers.inverted = !inverted;
                return Ok(numbers);
            }
            _ => {}
        }
        for token in rest.split(',').filter(|t| !t.is_empty()) {
            let number = lookup(token).ok_or_else(|| SelectionError::Invalid {
                what,
                token: token.to_string(),
            })?;
            numbers.listed.insert(number);
        }
        if numbers.listed.is_empty() {
            return Err(SelectionError::Invalid {
                what,
                token: spec.to_string(),
            });
        }
        Ok(numbers)
    }
}

/// Signals, by number: which `--- SIGxxx ---`, `--- stopped by SIGxxx ---` and
/// `+++ killed by SIGxxx +++` lines are shown (`-e signal=`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalSet(Numbers);

impl Default for SignalSet {
    /// Every signal.
    fn default() -> Self {
        SignalSet(Numbers::all())
    }
}

impl SignalSet {
    /// Whether signal `signal` is in the set.
    pub fn contains(&self, signal: i32) -> bool {
        u32::try_from(signal).is_ok_and(|n| self.0.contains(n))
    }

    /// strace's `-e signal=` value: names with or without `SIG`, in any case (`SIGIO`,
    /// `io`), or numbers up to 255; `!` inverts; `all`, `none`.
    pub(super) fn parse(spec: &str) -> Result<SignalSet, SelectionError> {
        Numbers::parse(spec, "signal", signal_number).map(SignalSet)
    }
}

/// strace's `sigstr_to_uint`.
fn signal_number(token: &str) -> Option<u32> {
    if token.starts_with(|c: char| c.is_ascii_digit()) {
        return token.parse().ok().filter(|&n| n <= 255);
    }
    let bare = match token.get(..3) {
        Some(sig) if sig.eq_ignore_ascii_case("SIG") => &token[3..],
        _ => token,
    };
    (1..=64).find_map(|n| {
        let name = crate::render::signal_name(n);
        let name = name.strip_prefix("SIG")?;
        name.eq_ignore_ascii_case(bare).then_some(n as u32)
    })
}

/// How a syscall ended, as `-e status=` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// It returned without an error (`-z`).
    Successful,
    /// It returned an error (`-Z`).
    Failed,
    /// It never returned: its thread exited or was killed in it, or another thread's
    /// execve replaced it.
    Unfinished,
    /// It returned but its result could not be read. interpose always reads it, so no
    /// call has this status.
    Unavailable,
    /// The tracer detached while it was in the kernel.
    Detached,
}

const STATUSES: &[(&str, Status)] = &[
    ("successful", Status::Successful),
    ("failed", Status::Failed),
    ("unfinished", Status::Unfinished),
    ("unavailable", Status::Unavailable),
    ("detached", Status::Detached),
];

/// Which statuses are shown (`-e status=`, `-z`, `-Z`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusSet(Numbers);

impl Default for StatusSet {
    /// Every status.
    fn default() -> Self {
        StatusSet(Numbers::all())
    }
}

impl StatusSet {
    /// Only `status`.
    pub fn only(status: Status) -> StatusSet {
        StatusSet(Numbers {
            listed: BTreeSet::from([status as u32]),
            inverted: false,
        })
    }

    /// Whether `status` is in the set.
    pub fn contains(&self, status: Status) -> bool {
        self.0.contains(status as u32)
    }

    /// Whether every status is.
    pub fn is_all(&self) -> bool {
        STATUSES.iter().all(|&(_, s)| self.contains(s))
    }

    pub(super) fn parse(spec: &str) -> Result<StatusSet, SelectionError> {
        Numbers::parse(spec, "status", |token| {
            STATUSES
                .iter()
                .find(|(name, _)| *name == token)
                .map(|&(_, s)| s as u32)
        })
        .map(StatusSet)
    }
}

/// File descriptors (`-e trace-fds=`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdSet(Numbers);

impl FdSet {
    /// Whether `fd` is in the set; a negative one never is.
    pub fn contains(&self, fd: i32) -> bool {
        u32::try_from(fd).is_ok_and(|n| self.0.contains(n))
    }

    pub(super) fn parse(spec: &str) -> Result<FdSet, SelectionError> {
        Numbers::parse(spec, "descriptor", |token| {
            token.parse::<u32>().ok().filter(|&n| n <= i32::MAX as u32)
        })
        .map(FdSet)
    }
}

/// strace's quiet names and the part of [`Quiet`] each sets.
const QUIET: &[(&str, u32)] = &[
    ("attach", 0),
    ("exit", 1),
    ("exits", 1),
    ("path-resolution", 2),
    ("personality", 3),
    ("superseded", 4),
    ("thread-execve", 4),
];

/// `-e quiet=SET`.
pub(super) fn quiet(spec: &str) -> Result<Quiet, SelectionError> {
    let numbers = Numbers::parse(spec, "quiet", |token| {
        QUIET.iter().find(|(n, _)| *n == token).map(|&(_, bit)| bit)
    })?;
    Ok(Quiet {
        attach: numbers.contains(0),
        exits: numbers.contains(1),
        path_resolution: numbers.contains(2),
        personality: numbers.contains(3),
        superseded: numbers.contains(4),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(spec: &str) -> Vec<&'static str> {
        let set = syscall_set(spec).unwrap().alone();
        SYSCALLS
            .iter()
            .filter(|s| set.contains(s.number))
            .map(|s| s.name)
            .collect()
    }

    #[test]
    fn classes_come_from_the_table() {
        assert_eq!(
            names("%%stat"),
            ["stat", "fstat", "lstat", "newfstatat", "statx"]
        );
        assert_eq!(names("%%statfs"), ["ustat", "statfs", "fstatfs"]);
        assert_eq!(names("%STAT"), ["stat"]);
        assert!(names("file").contains(&"openat"));
        assert!(names("%net").contains(&"connect"));
    }

    #[test]
    fn regex_personality_numbers_and_question_marks() {
        let open = [
            "open",
            "openat",
            "open_by_handle_at",
            "open_tree",
            "openat2",
            "open_tree_attr",
        ];
        assert_eq!(names("/^open"), open);
        assert_eq!(names("/^open$|^openat"), ["open", "openat", "openat2"]);
        assert_eq!(names("openat@64,0"), ["read", "openat"]);
        assert!(syscall_set("openat@32").is_err());
        assert_eq!(names("?openat@32,read"), ["read"]);
        assert_eq!(names("?nosuchcall,read"), ["read"]);
        assert_eq!(names("?/^nosuch"), Vec::<&str>::new());
        let error = syscall_set("read,nosuchcall").unwrap_err().to_string();
        assert_eq!(error, "invalid system call 'nosuchcall'");
        assert!(syscall_set("/(").unwrap_err().to_string().contains("'('"));
        assert!(syscall_set("").is_err());
    }

    #[test]
    fn negation_all_and_none() {
        let all_but = syscall_set("!read,write").unwrap();
        assert!(matches!(all_but, SetSpec::Remove(_)));
        let set = all_but.alone();
        assert!(!set.contains(0) && !set.contains(1) && set.contains(2));
        assert!(set.includes_unknown());
        assert!(syscall_set("!!all").unwrap().alone().is_all());
        assert_eq!(syscall_set("!all").unwrap().alone(), Interest::none());
        assert!(syscall_set("!none").unwrap().alone().is_all());
    }

    #[test]
    fn signals_statuses_quiet_and_descriptors() {
        let signals = SignalSet::parse("!SIGIO,term,9").unwrap();
        assert!(!signals.contains(libc::SIGIO) && !signals.contains(libc::SIGTERM));
        assert!(!signals.contains(9) && signals.contains(libc::SIGCHLD));
        assert!(SignalSet::parse("rtmin").unwrap().contains(32));
        assert_eq!(
            SignalSet::parse("SIGFOO").unwrap_err().to_string(),
            "invalid signal 'SIGFOO'"
        );
        let status = StatusSet::parse("failed,unfinished").unwrap();
        assert!(status.contains(Status::Failed) && !status.contains(Status::Successful));
        assert!(
            StatusSet::parse("!failed")
                .unwrap()
                .contains(Status::Detached)
        );
        assert!(StatusSet::parse("ok").is_err());
        let quiet = quiet("exits,superseded").unwrap();
        assert!(quiet.exits && quiet.superseded && !quiet.attach);
        assert!(super::quiet("exited").is_err());
        let fds = FdSet::parse("!0,2").unwrap();
        assert!(!fds.contains(0) && fds.contains(1) && !fds.contains(-100));
        assert!(FdSet::parse("-1").is_err());
    }
}

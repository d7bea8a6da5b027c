//! Tampering with a program's syscalls from rules written as strace writes them
//! (`-e inject=`, `-e fault=`), with argument predicates no tracer has had.
//!
//! A [`Rule`] names a set of syscalls, what to do to a call (fail it with an errno, make it
//! return a value, send a signal, delay it), on which calls (`when=`: the Nth, a range, every
//! Kth), and on which arguments (`if=`: `pathname~/etc/*`, `fd=1`, `flags&O_CREAT`).
//! [`Injector`] is the handler that applies a list of rules; nothing else changes.
//!
//! ```no_run
//! use interpose_runtime::Command;
//! use interpose_runtime::inject::{Injector, Rule};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rule: Rule = "inject=openat:error=EACCES:if=pathname~/etc/*".parse()?;
//! let outcome = Command::new("cat").arg("/etc/hostname").trace(Injector::new([rule]))?;
//! assert!(!outcome.status.success());
//! # Ok(())
//! # }
//! ```
//!
//! # Semantics, as strace's
//! - `when=FIRST[..LAST][+[STEP]]` counts the calls a rule matches (its set and its `if=`
//!   predicates) per syscall and per thread, from 1: `3` is the third call only, `3+` the
//!   third and all later ones, `3+4` the 3rd, 7th, 11th..., `2..4+2` the 2nd and the 4th.
//!   Without `when=` every matching call is tampered with.
//! - `error=` and `retval=` answer the call: the kernel never runs it and the program gets
//!   `-1` with that errno, or that value. With `syscall=NAME` (a `%pure` call such as
//!   `getpid`) that call runs in the kernel instead, and its result is replaced all the same.
//! - `signal=SIG` sends the signal to the calling thread when the call returns, as the
//!   kernel sends it (`si_code=SI_KERNEL`); with `error=` or `retval=` both happen.
//! - `delay_enter=T` makes the thread wait T before the call runs, `delay_exit=T` after it
//!   ran, before the program sees its result. Units `s`, `ms`, `us` (the default), `ns`.
//!   The wait is a `clock_nanosleep` the thread makes itself, so other threads and processes
//!   run on; a signal handler may run during it, and the rest of the wait follows.
//! - `fault=SET:...` is `inject=` that fails with `ENOSYS` unless `error=` says otherwise,
//!   and takes only `error=`, `syscall=`, `when=` and `if=`.
//! - The program's start (the launcher's `execve` of it) is never counted or tampered with.
//!
//! Beyond strace:
//! - Several rules may name the same syscall; each counts its own matches, and the first
//!   rule (in the order given) whose `when=` and predicates hold decides. (strace keeps only
//!   the last rule given for a syscall.)
//! - What the trace shows (`-e trace=`, `-P`) does not narrow what is tampered with: strace
//!   only tampers with (and counts) calls it traces, so that there `-e trace=openat -e
//!   inject=write:...` changes nothing; here `if=` narrows a rule.
//! - `if=ARG OP VALUE`, where ARG is the argument's name in `syscalls.toml`, checked once
//!   at entry on the decoded argument; several must all hold:
//!   - `=`, `!=`: a number (`fd=1`, `mode=0644`, `count=0x1000`), constants of the
//!     argument's set joined by `|` (`flags=O_WRONLY|O_CREAT|O_TRUNC`: exactly those),
//!     `AT_FDCWD`, a signal name, or a string compared whole (`pathname=/etc/hostname`);
//!   - `~`: a shell glob on a string or path as the program passed it, matched as `case`
//!     matches (`*` also crosses `/`): `pathname~/etc/*`;
//!   - `&`: every given flag set (`flags&O_CREAT|O_EXCL`); a field value such as
//!     `O_WRONLY` is compared under its mask.
//!
//!   A class (`%file`) with a predicate keeps the calls that have the argument (and the
//!   constants); a syscall named on its own that lacks it is an error.
//!   Values cannot contain `:`, which separates the tokens.

mod parse;
mod predicate;

pub use parse::ParseError;
pub use predicate::{Op, Predicate, glob};

use crate::linux::{Linux, Syscall};
use crate::memory::AddressSpace;
use crate::value::SyscallInfo;
use crate::{Errno, Interest, SysResult, Tracee};
use nix::unistd::Pid;
use predicate::Check;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::{Duration, Instant};

/// One tampering rule: which calls, what to do to them, when, and on which arguments.
/// Parse one with [`Rule::parse`] (or `str::parse`), [`Rule::inject`] or [`Rule::fault`].
#[derive(Clone, Debug)]
pub struct Rule {
    /// The rule as given, `inject=...`.
    text: String,
    /// The syscalls it applies to, by number, each with its predicates compiled for it.
    calls: BTreeMap<i64, Vec<Check>>,
    action: Action,
    when: When,
    predicates: Vec<Predicate>,
}

/// What a rule does to a call it hits.
#[derive(Clone, Copy, Debug, Default)]
pub struct Action {
    /// The result the program gets instead of the kernel's (`error=`, `retval=`).
    pub answer: Option<Answer>,
    /// Sent to the thread as the call returns (`signal=`).
    pub signal: Option<i32>,
    /// Runs in the kernel in place of the call, its result replaced by `answer`
    /// (`syscall=`).
    pub syscall: Option<&'static SyscallInfo>,
    /// How long the thread waits before the call (`delay_enter=`).
    pub delay_enter: Option<Duration>,
    /// How long the thread waits after the call, before the program sees its result
    /// (`delay_exit=`).
    pub delay_exit: Option<Duration>,
}

/// The result a rule gives the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `-1` with this errno (`error=`).
    Error(Errno),
    /// This value (`retval=`).
    Retval(i64),
}

impl From<Answer> for SysResult {
    fn from(answer: Answer) -> SysResult {
        match answer {
            Answer::Error(errno) => Err(errno),
            Answer::Retval(value) => Ok(value),
        }
    }
}

/// Which of the matching calls a rule hits (`when=FIRST[..LAST][+[STEP]]`), counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct When {
    /// The first call hit.
    pub first: u16,
    /// The last call that may be hit; `None` for no end.
    pub last: Option<u16>,
    /// Calls from one hit to the next; 0 when only `first` is hit.
    pub step: u16,
}

impl Default for When {
    /// Every call: `1+`.
    fn default() -> Self {
        When {
            first: 1,
            last: None,
            step: 1,
        }
    }
}

impl When {
    /// Whether the `n`th matching call (from 1) is hit.
    pub fn hits(&self, n: u64) -> bool {
        let first = u64::from(self.first);
        if n < first || self.last.is_some_and(|last| n > u64::from(last)) {
            return false;
        }
        match self.step {
            0 => n == first,
            step => (n - first).is_multiple_of(u64::from(step)),
        }
    }
}

impl Rule {
    /// The syscalls the rule applies to.
    pub fn interest(&self) -> Interest {
        self.calls.keys().copied().collect()
    }

    /// Whether the rule applies to the syscall with this (x86_64) number.
    pub fn applies_to(&self, number: i64) -> bool {
        self.calls.contains_key(&number)
    }

    /// What the rule does.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// Which matching calls it hits.
    pub fn when(&self) -> When {
        self.when
    }

    /// Its `if=` predicates, as written.
    pub fn predicates(&self) -> &[Predicate] {
        &self.predicates
    }

    /// Whether `call` is one of the rule's syscalls and its arguments pass every predicate,
    /// reading pointer arguments through `t` (at the call's entry).
    pub fn matches(&self, t: &Tracee, call: &Syscall) -> bool {
        self.matches_in(t.memory(), call)
    }

    /// [`matches`](Rule::matches), reading pointer arguments from `memory`.
    pub(crate) fn matches_in(&self, memory: &dyn AddressSpace, call: &Syscall) -> bool {
        let Some(info) = call.info() else {
            return false;
        };
        self.calls
            .get(&info.number)
            .is_some_and(|checks| checks.iter().all(|c| c.holds(call, memory)))
    }
}

impl fmt::Display for Rule {
    /// The rule as given: `inject=openat:error=EACCES`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How often a rule matched a call, and how often it acted on one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Calls of its set whose arguments passed its predicates.
    pub matched: u64,
    /// Calls it tampered with.
    pub tampered: u64,
}

/// The handler that applies [`Rule`]s: it traps the union of their syscalls, and each call
/// either meets the first rule that hits it or runs unchanged.
pub struct Injector {
    rules: Vec<Rule>,
    /// How many calls each rule matched, per rule, thread and syscall (`when=` counts).
    counts: RefCell<HashMap<(usize, Pid, i64), u64>>,
    tallies: RefCell<Vec<Tally>>,
}

impl Injector {
    /// A handler applying `rules`, the first one that hits a call deciding it.
    pub fn new(rules: impl IntoIterator<Item = Rule>) -> Injector {
        let rules: Vec<Rule> = rules.into_iter().collect();
        let tallies = vec![Tally::default(); rules.len()];
        Injector {
            rules,
            counts: RefCell::default(),
            tallies: RefCell::new(tallies),
        }
    }

    /// The rules, in the order they are tried.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// What rule `index` did so far.
    ///
    /// # Panics
    /// If there is no rule `index`.
    pub fn tally(&self, index: usize) -> Tally {
        self.tallies.borrow()[index]
    }

    /// Counts `call` for every rule it matches, and returns the first rule it hits.
    fn choose(&self, t: &Tracee, call: &Syscall, number: i64) -> Option<usize> {
        let mut chosen = None;
        for (index, rule) in self.rules.iter().enumerate() {
            if !rule.applies_to(number) || !rule.matches(t, call) {
                continue;
            }
            let n = {
                let mut counts = self.counts.borrow_mut();
                let n = counts.entry((index, t.tid(), number)).or_default();
                *n += 1;
                *n
            };
            let mut tallies = self.tallies.borrow_mut();
            tallies[index].matched += 1;
            if chosen.is_none() && rule.when.hits(n) {
                tallies[index].tampered += 1;
                chosen = Some(index);
            }
        }
        chosen
    }
}

#[interpose_macros::handler]
impl Linux for Injector {
    fn interest(&self) -> Interest {
        self.rules
            .iter()
            .fold(Interest::none(), |all, rule| all.union(rule.interest()))
    }

    async fn syscall(&self, t: &mut Tracee, call: Syscall) -> SysResult {
        let Some(info) = call.info() else {
            return t.pass(call);
        };
        if t.starting() {
            return t.pass(call);
        }
        let Some(index) = self.choose(t, &call, info.number) else {
            return t.pass(call);
        };
        let action = self.rules[index].action;
        if let Some(delay) = action.delay_enter {
            sleep(t, delay, Stage::Before).await;
        }
        if let Some(signal) = action.signal {
            t.raise(signal);
        }
        let Some(answer) = action.answer else {
            let Some(delay) = action.delay_exit else {
                return t.pass(call);
            };
            let result = t.forward(call).await;
            // An interrupted call is about to be restarted or to fail with EINTR: its
            // result is the kernel's business, and the wait would only postpone the signal.
            if !result.is_err_and(Errno::is_restart) {
                sleep(t, delay, Stage::After).await;
            }
            return result;
        };
        // The kernel runs nothing (or a call without side effects) in place of the call,
        // so waiting before or after it is all one.
        if let Some(delay) = action.delay_exit {
            sleep(t, delay, Stage::Before).await;
        }
        if let Some(instead) = action.syscall {
            let _ = t
                .forward(Syscall::from_args(instead.number, call.to_args()))
                .await;
        }
        answer.into()
    }

    fn on_exit(&self, tid: Pid, _: std::process::ExitStatus) {
        // Thread ids are reused: a new thread with this id counts from 1.
        self.counts.borrow_mut().retain(|&(_, t, _), _| t != tid);
    }
}

/// Whether a wait comes before the call runs or after.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Before,
    After,
}

/// Bytes below the stack pointer that the program may still use (the x86_64 red zone).
const RED_ZONE: u64 = 128;

/// Makes the thread wait `duration` with calls of its own, injected before its current call
/// goes on (`Before`) or after it ran (`After`). A signal handler that runs meanwhile
/// interrupts a wait; the rest of it follows.
///
/// Before the call, the thread waits in `clock_nanosleep`, its `timespec` below the stack's
/// red zone: the injected call runs at once, so nothing can overwrite it. After the call,
/// the thread first returns to its `syscall` instruction, where a signal frame may land on
/// that memory: it waits with `poll(NULL, 0, ms)`, which needs none, rounded up to
/// milliseconds (as it is too before the call when the stack has no room).
async fn sleep(t: &mut Tracee, duration: Duration, when: Stage) {
    let deadline = Instant::now() + duration;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        let call = match t.stack_pointer() {
            _ if when == Stage::After => poll_for(left),
            Ok(sp) => {
                let at = sp.wrapping_sub(RED_ZONE + 16) & !15;
                let mut timespec = [0u8; 16];
                timespec[..8].copy_from_slice(&left.as_secs().to_le_bytes());
                timespec[8..].copy_from_slice(&u64::from(left.subsec_nanos()).to_le_bytes());
                match t.memory().write(at, &timespec) {
                    Ok(()) => Syscall::from_args(
                        libc::SYS_clock_nanosleep,
                        [libc::CLOCK_MONOTONIC as u64, 0, at, 0, 0, 0],
                    ),
                    Err(_) => poll_for(left),
                }
            }
            Err(_) => return,
        };
        match t.inject(call).await {
            Err(errno) if errno == Errno::EINTR || errno.is_restart() => continue,
            _ => return,
        }
    }
}

/// `poll(NULL, 0, ms)`: a wait that needs no memory.
fn poll_for(left: Duration) -> Syscall {
    let ms = left.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as u64;
    Syscall::from_args(libc::SYS_poll, [0, 0, ms, 0, 0, 0])
}

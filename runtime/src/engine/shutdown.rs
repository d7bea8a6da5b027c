//! Signals sent to the tracer's own process, and what they mean for the traced tree.
//!
//! A signal can reach the tracer three ways, and each asks for something different:
//! - a tracee sent it, most often to its whole process group (`kill 0`, `trap 'kill 0'
//!   EXIT`): the tracees it was meant for have their own copies, so the tracer's copy is
//!   dropped;
//! - someone outside sent it to the group the tracer shares with the program (a terminal's
//!   Ctrl-C, `kill -TERM -PGID`): the program has its copy too, and the tracer's is dropped;
//! - someone outside sent it to the tracer alone (a shell's `kill PID`, a supervisor): it
//!   is passed to the traced program, which dies, traps or ignores it as it would untraced.
//!
//! The last two look alike in the tracer's siginfo, so an outside signal is held for a
//! moment: if a tracee reports a signal-delivery stop for the same signal from the same
//! sender, or has it pending, it was a group signal. Once the program has been sent a
//! termination signal and [`OnSignal::Forward`]'s grace period has passed, another
//! `SIGTERM` or `SIGHUP` kills the whole traced tree.

use crate::sys;
use nix::unistd::Pid;
use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

/// How long an outside signal waits for a tracee's copy before it is passed on.
const COPY_WINDOW: Duration = Duration::from_millis(30);
/// How long a signal-delivery stop is remembered as a possible copy.
const DELIVERY_MEMORY: Duration = Duration::from_millis(500);

/// The signals the tracer passes on to a program it started: every signal whose default
/// action ends a process and that a shell or supervisor commonly sends.
pub(crate) const FORWARDED: &[i32] = &[
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
    libc::SIGPIPE,
];

/// What the tracer does when one of the signals it catches arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OnSignal {
    /// Pass outside signals to the program; a `SIGTERM` or `SIGHUP` arriving `grace` or
    /// more after the first one was passed on kills every tracee.
    Forward { grace: Duration },
    /// Detach from every tracee, which runs on untraced (an attached process).
    Detach,
}

/// What the loop must do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Send this signal to the program (the first process).
    Forward(i32),
    /// SIGKILL every tracee: the run ends, interrupted by this signal.
    KillTree(i32),
    /// Detach from every tracee: the run ends, interrupted by this signal.
    DetachAll(i32),
}

/// An outside signal not yet known to be a group signal's copy.
struct Undecided {
    signal: i32,
    sender: i32,
    since: Instant,
}

/// The tracer's side of signals: what it caught, and what that means.
pub(crate) struct Shutdown {
    policy: Option<OnSignal>,
    undecided: Vec<Undecided>,
    /// Recent signal-delivery stops as `(signal, sender, when)`.
    delivered: VecDeque<(i32, i32, Instant)>,
    /// When a signal was first passed to the program.
    forwarded_at: Option<Instant>,
    interrupted_by: Option<i32>,
    /// Every process id that was ever traced: the senders inside the tree.
    tree: HashSet<i32>,
}

impl Shutdown {
    pub(crate) fn new() -> Self {
        Shutdown {
            policy: None,
            undecided: Vec::new(),
            delivered: VecDeque::new(),
            forwarded_at: None,
            interrupted_by: None,
            tree: HashSet::new(),
        }
    }

    pub(crate) fn set_policy(&mut self, policy: OnSignal) {
        self.policy = Some(policy);
    }

    /// The signal that ended the run early (a tree killed or detached), if any.
    pub(crate) fn interrupted_by(&self) -> Option<i32> {
        self.interrupted_by
    }

    /// True while the tree is being killed: a tracee seen now must die too.
    pub(crate) fn killing(&self) -> bool {
        self.interrupted_by.is_some() && matches!(self.policy, Some(OnSignal::Forward { .. }))
    }

    /// True while the tracer detaches from everything.
    pub(crate) fn detaching(&self) -> bool {
        self.interrupted_by.is_some() && self.policy == Some(OnSignal::Detach)
    }

    /// True while some outside signal waits for a decision: the loop must not block.
    pub(crate) fn undecided(&self) -> bool {
        !self.undecided.is_empty()
    }

    /// Whether signal-delivery stops need their sender recorded.
    pub(crate) fn wants_deliveries(&self) -> bool {
        matches!(self.policy, Some(OnSignal::Forward { .. }))
    }

    /// A process or thread joined the traced tree.
    pub(crate) fn note_tracee(&mut self, pid: Pid) {
        if self.wants_deliveries() {
            self.tree.insert(pid.as_raw());
        }
    }

    /// A tracee reported a signal-delivery stop for `signal` sent by `sender` (0 for the
    /// kernel): an outside signal waiting for the same copy is a group signal.
    pub(crate) fn note_delivery(&mut self, signal: i32, sender: i32) {
        let now = Instant::now();
        self.undecided
            .retain(|u| !(u.signal == signal && u.sender == sender));
        while self
            .delivered
            .front()
            .is_some_and(|(_, _, at)| now.duration_since(*at) > DELIVERY_MEMORY)
        {
            self.delivered.pop_front();
        }
        self.delivered.push_back((signal, sender, now));
    }

    /// Reads what the signal handler caught and decides what is due now. `program` is the
    /// first process while it lives.
    pub(crate) fn poll(&mut self, program: Option<Pid>) -> Vec<Action> {
        let Some(policy) = self.policy else {
            return Vec::new();
        };
        let mut actions = Vec::new();
        for (signal, sender) in sys::take_caught_signals() {
            if self.interrupted_by.is_some() {
                continue;
            }
            match policy {
                OnSignal::Detach => {
                    self.interrupted_by = Some(signal);
                    actions.push(Action::DetachAll(signal));
                }
                OnSignal::Forward { grace } => {
                    let from_tree =
                        self.tree.contains(&sender) || sender == std::process::id() as i32;
                    if from_tree || self.seen_delivered(signal, sender) {
                        continue;
                    }
                    let terminating = matches!(signal, libc::SIGTERM | libc::SIGHUP);
                    if terminating && self.forwarded_at.is_some_and(|at| at.elapsed() >= grace) {
                        self.interrupted_by = Some(signal);
                        actions.push(Action::KillTree(signal));
                        continue;
                    }
                    self.undecided.push(Undecided {
                        signal,
                        sender,
                        since: Instant::now(),
                    });
                }
            }
        }
        let now = Instant::now();
        let (due, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.undecided)
            .into_iter()
            .partition(|u| now.duration_since(u.since) >= COPY_WINDOW);
        self.undecided = waiting;
        for outside in due {
            if self.interrupted_by.is_some() {
                break;
            }
            match program {
                // The program already has it (blocked, or stopped): a group signal.
                Some(pid) if pending_in(pid, outside.signal) => {}
                Some(_) => {
                    self.forwarded_at.get_or_insert(now);
                    actions.push(Action::Forward(outside.signal));
                }
                // Nobody left to decide: the rest of the tree goes, as before.
                None => {
                    self.interrupted_by = Some(outside.signal);
                    actions.push(Action::KillTree(outside.signal));
                }
            }
        }
        actions
    }

    fn seen_delivered(&self, signal: i32, sender: i32) -> bool {
        self.delivered
            .iter()
            .any(|&(s, from, at)| s == signal && from == sender && at.elapsed() <= DELIVERY_MEMORY)
    }
}

/// Whether `signal` is pending for process `pid` (its shared or its leader's own queue).
fn pending_in(pid: Pid, signal: i32) -> bool {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return false;
    };
    let bit = 1u64 << (signal - 1);
    status
        .lines()
        .filter_map(|l| {
            l.strip_prefix("ShdPnd:")
                .or_else(|| l.strip_prefix("SigPnd:"))
        })
        .filter_map(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .any(|mask| mask & bit != 0)
}

//! Non-syscall events reach the handler: process and thread start, exec, exit, and signal
//! delivery, which the handler can let through, change or suppress.

mod common;

use interpose::{Linux, Pid, SignalAction};
use std::cell::RefCell;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

fn traced<H: Linux + 'static>(handler: H, script: &str) -> (String, interpose::Outcome<H>) {
    common::traced(handler, "sh", &["-c", script])
}

#[derive(Default)]
struct Journal {
    starts: RefCell<Vec<(Pid, Pid)>>,
    execs: RefCell<Vec<Pid>>,
    exits: RefCell<Vec<(Pid, ExitStatus)>>,
    signals: RefCell<Vec<i32>>,
}

#[interpose::handler]
impl Linux for Journal {
    fn on_start(&self, tid: Pid, pid: Pid) {
        self.starts.borrow_mut().push((tid, pid));
    }

    fn on_exec(&self, tid: Pid) {
        self.execs.borrow_mut().push(tid);
    }

    fn on_exit(&self, tid: Pid, status: ExitStatus) {
        self.exits.borrow_mut().push((tid, status));
    }

    fn on_signal(&self, _: Pid, signal: i32) -> SignalAction {
        self.signals.borrow_mut().push(signal);
        SignalAction::Deliver
    }
}

#[test]
fn lifecycle_events_are_reported() {
    // Two children (each execs /bin/true then exits 0), then the shell exits 3.
    let (_, outcome) = traced(Journal::default(), "/bin/true; /bin/true; exit 3");
    assert_eq!(outcome.status.code(), Some(3));
    let journal = outcome.handler;
    let starts = journal.starts.borrow();
    assert_eq!(
        starts.len(),
        3,
        "the shell and two children started: {starts:?}"
    );
    assert!(
        starts.iter().all(|(tid, pid)| tid == pid),
        "processes, not threads"
    );
    // The shell's exec and each child's.
    assert_eq!(journal.execs.borrow().len(), 3);
    let exits = journal.exits.borrow();
    assert_eq!(exits.len(), 3, "{exits:?}");
    for (tid, _) in &starts[1..] {
        assert!(
            exits
                .iter()
                .any(|(t, status)| t == tid && status.code() == Some(0))
        );
    }
    assert_eq!(
        exits.last().unwrap().1.code(),
        Some(3),
        "the shell exits last"
    );
    assert_eq!(
        journal
            .signals
            .borrow()
            .iter()
            .filter(|&&s| s == libc::SIGCHLD)
            .count(),
        2,
        "a SIGCHLD per child"
    );
}

struct Shield;

#[interpose::handler]
impl Linux for Shield {
    fn on_signal(&self, _: Pid, signal: i32) -> SignalAction {
        match signal {
            libc::SIGUSR1 => SignalAction::Suppress,
            libc::SIGUSR2 => SignalAction::Replace(libc::SIGTERM),
            _ => SignalAction::Deliver,
        }
    }
}

#[test]
fn signals_can_be_suppressed_or_replaced() {
    let (out, outcome) = traced(Shield, "kill -USR1 $$; echo survived USR1");
    assert!(outcome.status.success());
    assert_eq!(out, "survived USR1\n");

    let (out, outcome) = traced(Shield, "kill -USR2 $$; echo not reached");
    assert_eq!(
        outcome.status.signal(),
        Some(libc::SIGTERM),
        "USR2 became TERM"
    );
    assert_eq!(out, "");
}

//! The strace text sink: one line per syscall, signal and exit, as strace writes them.

use super::lines::{entry_text, exit_text, siginfo_text};
use crate::events::{Event, EventKind, Return, Sink, Tamper};
use crate::render;
use nix::unistd::Pid;
use std::collections::HashMap;
use std::io::{self, Write};

/// strace's text: `openat(AT_FDCWD, "x", O_RDONLY) = 3`, `--- SIGCHLD {...} ---`,
/// `+++ exited with 0 +++`.
pub struct StraceText {
    printer: Printer,
    string_limit: usize,
    /// Per thread in a syscall: how many arguments its entry part showed.
    covered: HashMap<Pid, usize>,
}

impl StraceText {
    /// Text to `out`, strings cut at `string_limit` bytes; `flush_each_line` for a
    /// terminal or a reader on a pipe.
    pub fn new(out: Box<dyn Write>, flush_each_line: bool, string_limit: usize) -> Self {
        StraceText {
            printer: Printer::new(out, flush_each_line),
            string_limit,
            covered: HashMap::new(),
        }
    }
}

impl Sink for StraceText {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        let tid = event.tid;
        match &event.kind {
            EventKind::Started => {
                self.printer.root.get_or_insert(tid);
                Ok(())
            }
            EventKind::SyscallEntered { call } => {
                let (text, covered) = entry_text(call, tid, self.string_limit);
                self.covered.insert(tid, covered);
                self.printer.begin(tid, &text)
            }
            EventKind::SyscallExited { call, ret } => {
                let covered = self.covered.remove(&tid).unwrap_or(0);
                let rest = match ret {
                    Return::Value(v) => exit_text(call, covered, tid, self.string_limit, Some(*v)),
                    Return::Unfinished => exit_text(call, covered, tid, self.string_limit, None),
                    Return::Detached => " <detached ...>".to_string(),
                };
                self.printer.finish(tid, &call.name(), &rest)
            }
            EventKind::Tampered(Tamper::UntracedRemoved) => self.printer.line(
                tid,
                "--- CLONE_UNTRACED removed: the new process stays traced ---",
            ),
            EventKind::Signal { signal, info } => {
                let text = format!(
                    "--- {} {} ---",
                    render::signal_name(*signal),
                    siginfo_text(*signal, *info)
                );
                self.printer.line(tid, &text)
            }
            EventKind::Stopped { signal } => {
                let text = format!("--- stopped by {} ---", render::signal_name(*signal));
                self.printer.line(tid, &text)
            }
            EventKind::Exec { former } if *former != tid => {
                let text = format!("+++ superseded by execve in pid {former} +++");
                self.printer.line(tid, &text)
            }
            EventKind::Exited(status) => {
                let text = match (status.exit_code(), status.terminating_signal()) {
                    (Some(code), _) => format!("+++ exited with {code} +++"),
                    (None, signal) => {
                        let core = if status.core_dumped() {
                            " (core dumped)"
                        } else {
                            ""
                        };
                        let name = render::signal_name(signal.unwrap_or(0));
                        format!("+++ killed by {name}{core} +++")
                    }
                };
                self.printer.line(tid, &text)
            }
            EventKind::Exec { .. } | EventKind::Injected { .. } | EventKind::Detached => Ok(()),
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        self.printer.finish_output()
    }
}

/// Writes trace lines, keeping strace's layout when syscalls of different tracees
/// interleave: a line left open by one tracee is closed with `<unfinished ...>` before
/// another tracee writes, and continued later as `<... NAME resumed>`.
struct Printer {
    out: Box<dyn Write>,
    /// Flush after every write: for a terminal or a pipe someone is reading.
    flush_each: bool,
    /// Lines of this tracee carry no `[pid N]` prefix.
    pub(super) root: Option<Pid>,
    /// The tracee whose line is written up to its entry part.
    open: Option<Pid>,
}

impl Printer {
    /// A printer writing to `out`; `flush_each` flushes after every write (for a terminal
    /// or a pipe someone is reading).
    fn new(out: Box<dyn Write>, flush_each: bool) -> Self {
        Printer {
            out,
            flush_each,
            root: None,
            open: None,
        }
    }

    fn prefix(&self, tid: Pid) -> String {
        if Some(tid) == self.root {
            String::new()
        } else {
            format!("[pid {:>5}] ", tid.as_raw())
        }
    }

    fn close_open(&mut self) -> io::Result<()> {
        if self.open.take().is_some() {
            self.out.write_all(b" <unfinished ...>\n")?;
        }
        Ok(())
    }

    /// Writes the entry part of a syscall line (`read(3, `), leaving the line open.
    fn begin(&mut self, tid: Pid, text: &str) -> io::Result<()> {
        self.close_open()?;
        let line = format!("{}{text}", self.prefix(tid));
        self.out.write_all(line.as_bytes())?;
        self.open = Some(tid);
        self.flush()
    }

    /// Finishes the syscall line of `tid` with `rest` (`"data", 5) = 5`).
    fn finish(&mut self, tid: Pid, name: &str, rest: &str) -> io::Result<()> {
        if self.open == Some(tid) {
            self.open = None;
            self.out.write_all(rest.as_bytes())?;
            self.out.write_all(b"\n")?;
        } else {
            self.close_open()?;
            let line = format!("{}<... {name} resumed>{rest}\n", self.prefix(tid));
            self.out.write_all(line.as_bytes())?;
        }
        self.flush()
    }

    /// Writes a line of its own (`--- SIGCHLD ... ---`, `+++ exited with 0 +++`).
    fn line(&mut self, tid: Pid, text: &str) -> io::Result<()> {
        self.close_open()?;
        let line = format!("{}{text}\n", self.prefix(tid));
        self.out.write_all(line.as_bytes())?;
        self.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.flush_each {
            self.out.flush()
        } else {
            Ok(())
        }
    }

    /// Writes out anything buffered.
    fn finish_output(&mut self) -> io::Result<()> {
        self.close_open()?;
        self.out.flush()
    }
}

//! The strace text sink: one line per syscall, signal and exit, byte for byte as strace 6.1
//! writes them.
//!
//! The layout rules are strace's (`printleader`, `tabto`, `print_syscall_resume` and
//! `print_event_exit` in its `strace.c` and `syscall.c`):
//! - a line starts with the pid prefix, then the clock (`-t`), then the time since the
//!   previous line (`-r`);
//! - after the closing parenthesis and one space, ` = ` is padded with spaces to column 40,
//!   counting from the start of the line, prefixes included; a longer line gets no padding;
//! - when a thread's syscall line is open and another line starts, the open line ends with
//!   ` <unfinished ...>`, and its end later comes as `<... NAME resumed>` on a line of its
//!   own (padded the same way); with one file per process no line is ever split;
//! - `-T` appends ` <0.000012>` to a line whose syscall returned.

mod dump;
mod options;

pub use options::{ColorChoice, PidPrefix, Quiet, TextOptions, Timestamps};

use super::lines::{
    BOLD, CallStyle, DIM, ExitText, Known, Printer, RED, Spelling, YELLOW, entry_text,
    entry_values, exit_text, siginfo_text,
};
use crate::Interest;
use crate::events::{Event, EventKind, Return, Sink, Tamper};
use crate::render::{self, LocalZone};
use nix::unistd::Pid;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::SystemTime;

/// strace's text: `openat(AT_FDCWD, "x", O_RDONLY) = 3`, `--- SIGCHLD {...} ---`,
/// `+++ exited with 0 +++`, laid out as [`TextOptions`] asks.
///
/// As `strace -f -tt -T -o trace.txt ls`:
///
/// ```no_run
/// use interpose_runtime::output::text::{PidPrefix, StraceText, TextOptions, Timestamps};
/// use interpose_runtime::{Command, Passthru};
///
/// let options = TextOptions {
///     prefix: PidPrefix::Always,
///     timestamps: Timestamps::Micros,
///     durations: true,
///     flush_each_line: false,
///     ..TextOptions::default()
/// };
/// let file = std::io::BufWriter::new(std::fs::File::create("trace.txt")?);
/// let text = StraceText::with_options(Box::new(file), options);
/// Command::new("ls").sink(text).trace(Passthru)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct StraceText {
    options: TextOptions,
    spelling: Spelling,
    /// For `-t` and `-tt`.
    zone: Option<LocalZone>,
    out: Output,
    /// Threads in a syscall whose entry was written: what the entry part covered.
    calls: HashMap<Pid, InCall>,
    /// Threads traced now (strace's `nprocs`).
    live: HashSet<Pid>,
    /// Threads whose next syscall end is written as resumed even if their line is open:
    /// a non-leader thread that executed took over the leader's id (strace's
    /// `TCB_REPRINT`).
    reprint: HashSet<Pid>,
    /// When the previous line started (`-r`).
    previous_line: Option<SystemTime>,
    /// A filter decides at each call's exit whether it is shown: entries are kept, and
    /// written with the rest of their line (see [`Sink::defer_calls`]).
    defer: bool,
    /// No `raw=`, `abbrev=` or `verbose=` set leaves out a call.
    plain: bool,
    /// `-e read=`, `-e write=`.
    dumps: dump::Dumps,
}

/// A syscall between its entry part and the rest of its line.
struct InCall {
    /// How many arguments the entry part showed.
    covered: usize,
    /// When it entered (`-T`).
    entered: SystemTime,
    /// How its arguments are shown.
    style: CallStyle,
    /// Its start, not written yet: the filter decides at its exit.
    held: Option<HeldStart>,
    /// Its in-out arguments as they were at entry.
    entry: Vec<(usize, crate::value::Value)>,
}

/// The start of a line kept until its call ends: the prefix and the entry part, as they
/// were when the call entered.
struct HeldStart {
    lead: String,
    text: String,
    name: std::ops::Range<usize>,
}

/// Where lines go.
enum Output {
    /// One stream for every thread.
    Shared(Printer),
    /// `FILE.TID` per thread (`-ff`), opened when the thread starts.
    PerProcess {
        base: PathBuf,
        append: bool,
        files: HashMap<Pid, Printer>,
    },
}

impl StraceText {
    /// Text to `out`, strings cut at `string_limit` bytes, the other options at their
    /// defaults; `flush_each_line` for a terminal or a reader on a pipe.
    pub fn new(out: Box<dyn Write>, flush_each_line: bool, string_limit: usize) -> Self {
        let options = TextOptions {
            string_limit,
            flush_each_line,
            ..TextOptions::default()
        };
        StraceText::with_options(out, options)
    }

    /// Text to `out` (strace's `-o FILE`, or stderr), laid out as `options` asks.
    pub fn with_options(out: Box<dyn Write>, options: TextOptions) -> Self {
        let printer = Printer::new(out, options.flush_each_line, options.color);
        StraceText::build(Output::Shared(printer), options)
    }

    /// One file per thread, `BASE.TID`, created (or with `append`, appended to) when the
    /// thread starts, as strace's `-ff -o BASE` (with `-A`). Lines carry no pid prefix,
    /// whatever `options.prefix` says, and are never split across threads.
    ///
    /// A file that cannot be created is a write error of the sink: it is dropped.
    pub fn per_process(base: impl Into<PathBuf>, append: bool, options: TextOptions) -> Self {
        let options = TextOptions {
            prefix: PidPrefix::Never,
            ..options
        };
        let out = Output::PerProcess {
            base: base.into(),
            append,
            files: HashMap::new(),
        };
        StraceText::build(out, options)
    }

    fn build(out: Output, options: TextOptions) -> Self {
        let zone = matches!(options.timestamps, Timestamps::Seconds | Timestamps::Micros)
            .then(LocalZone::from_env);
        let plain =
            options.raw == Interest::none() && options.abbrev.is_all() && options.verbose.is_all();
        let dumps = dump::Dumps {
            reads: options.dump_reads.clone(),
            writes: options.dump_writes.clone(),
        };
        StraceText {
            dumps,
            spelling: Spelling {
                string_limit: options.string_limit,
                strings: options.strings,
                constants: options.constants,
            },
            zone,
            options,
            out,
            calls: HashMap::new(),
            live: HashSet::new(),
            reprint: HashSet::new(),
            previous_line: None,
            defer: false,
            plain,
        }
    }

    /// How `call`'s arguments are shown (`raw=`, `abbrev=`, `verbose=`).
    fn style(&self, call: &crate::Syscall) -> CallStyle {
        if self.plain {
            return CallStyle::default();
        }
        let has = |set: &Interest| match call.info() {
            Some(info) => set.contains(info.number),
            None => set.includes_unknown(),
        };
        CallStyle {
            raw: has(&self.options.raw),
            abbrev: has(&self.options.abbrev),
            verbose: has(&self.options.verbose),
        }
    }

    /// The printer `tid` writes to; with one file per thread, its file, opened if new.
    fn printer(&mut self, tid: Pid) -> io::Result<&mut Printer> {
        let color = self.options.color;
        let flush_each = self.options.flush_each_line;
        match &mut self.out {
            Output::Shared(printer) => Ok(printer),
            Output::PerProcess {
                base,
                append,
                files,
            } => match files.entry(tid) {
                Entry::Occupied(file) => Ok(file.into_mut()),
                Entry::Vacant(slot) => {
                    let mut name = base.clone().into_os_string();
                    name.push(format!(".{tid}"));
                    let file = File::options()
                        .write(true)
                        .create(true)
                        .append(*append)
                        .truncate(!*append)
                        .open(&name)?;
                    let out = Box::new(BufWriter::new(file));
                    Ok(slot.insert(Printer::new(out, flush_each, color)))
                }
            },
        }
    }

    fn separate(&self) -> bool {
        matches!(self.out, Output::PerProcess { .. })
    }

    /// Starts a line of `tid` (strace's `printleader`): ends an open line with
    /// ` <unfinished ...>`, then writes the pid prefix and the times.
    fn start_line(&mut self, tid: Pid, time: SystemTime) -> io::Result<&mut Printer> {
        let lead = self.lead(tid, time);
        let printer = self.printer(tid)?;
        printer.close_open()?;
        printer.open = Some(tid);
        printer.put(&lead)?;
        Ok(printer)
    }

    /// The text a line of `tid` starts with.
    fn lead(&mut self, tid: Pid, time: SystemTime) -> String {
        let mut lead = String::new();
        match self.options.prefix {
            PidPrefix::Always => {
                let _ = write!(lead, "{:<5} ", tid.as_raw());
            }
            PidPrefix::WhenMany if self.live.len() > 1 => {
                let _ = write!(lead, "[pid {:>5}] ", tid.as_raw());
            }
            PidPrefix::WhenMany | PidPrefix::Never => {}
        }
        let timestamps = self.options.timestamps;
        match (timestamps, &self.zone) {
            (Timestamps::None, _) => {}
            (Timestamps::Epoch, _) => render::epoch_time(&mut lead, time),
            (Timestamps::Seconds | Timestamps::Micros, zone) => {
                let micros = timestamps == Timestamps::Micros;
                let utc = LocalZone::default();
                render::time_of_day(&mut lead, time, zone.as_ref().unwrap_or(&utc), micros)
            }
        }
        if timestamps != Timestamps::None {
            lead.push(' ');
        }
        if self.options.relative {
            let previous = *self.previous_line.get_or_insert(time);
            let elapsed = time.duration_since(previous).unwrap_or_default();
            self.previous_line = Some(time);
            let timed = timestamps != Timestamps::None;
            if timed {
                lead.push_str("(+");
            }
            render::relative_time(&mut lead, elapsed);
            lead.push_str(if timed { ") " } else { " " });
        }
        lead
    }

    /// A line of its own (`--- SIGCHLD ... ---`, `+++ exited with 0 +++`).
    fn line(
        &mut self,
        tid: Pid,
        time: SystemTime,
        text: &str,
        style: Option<&str>,
    ) -> io::Result<()> {
        let printer = self.start_line(tid, time)?;
        printer.put_styled(text, style)?;
        printer.end_line()
    }

    fn entered(&mut self, event: &Event<'_>, call: &crate::Syscall) -> io::Result<()> {
        let tid = event.tid;
        let style = self.style(call);
        let fds = self.descriptors(event.pid, style);
        let (text, covered) = entry_text(call, (tid, event.memory()), self.spelling, style, fds);
        let entry = entry_values(call, event.memory(), self.spelling, style);
        let name_end = text.find('(').unwrap_or(text.len());
        let name_start = name_end.saturating_sub(call.name().len());
        let held = if self.defer {
            // Decoded now, written when the call ends, if it is shown: as strace's
            // memstream for -e status=.
            let lead = self.lead(tid, event.time);
            Some(HeldStart {
                lead,
                text,
                name: name_start..name_end,
            })
        } else {
            let printer = self.start_line(tid, event.time)?;
            printer.put(&text[..name_start])?;
            printer.put_styled(&text[name_start..name_end], Some(BOLD))?;
            printer.put(&text[name_end..])?;
            printer.flush_if_asked()?;
            None
        };
        // As strace does, the clock for -T starts as late as possible: after the writing.
        let entered = if self.options.durations {
            SystemTime::now()
        } else {
            event.time
        };
        let in_call = InCall {
            covered,
            entered,
            style,
            held,
            entry,
        };
        self.calls.insert(tid, in_call);
        Ok(())
    }

    /// Writes the start of a line kept since its call entered.
    fn put_held(&mut self, tid: Pid, held: &HeldStart) -> io::Result<&mut Printer> {
        let printer = self.printer(tid)?;
        printer.close_open()?;
        printer.open = Some(tid);
        printer.put(&held.lead)?;
        printer.put(&held.text[..held.name.start])?;
        printer.put_styled(&held.text[held.name.clone()], Some(BOLD))?;
        printer.put(&held.text[held.name.end..])?;
        Ok(printer)
    }

    fn exited(
        &mut self,
        event: &Event<'_>,
        call: &crate::Syscall,
        ret: Return,
        injected: bool,
    ) -> io::Result<()> {
        let tid = event.tid;
        let mut in_call = self.calls.remove(&tid);
        let covered = in_call.as_ref().map_or(0, |c| c.covered);
        let style = in_call
            .as_ref()
            .map_or_else(|| self.style(call), |c| c.style);
        let held = in_call.as_mut().and_then(|c| c.held.take());
        let value = match ret {
            Return::Value(v) => Some(v),
            Return::Unfinished => None,
            Return::Detached => {
                let printer = match &held {
                    Some(held) => self.put_held(tid, held)?,
                    None => self.printer(tid)?,
                };
                // strace ends the line only if it is the one being written.
                if printer.open != Some(tid) {
                    return Ok(());
                }
                printer.put(" <detached ...>")?;
                return printer.end_line();
            }
        };
        let ExitText {
            args,
            result,
            failed,
        } = exit_text(
            call,
            covered,
            event.memory(),
            self.spelling,
            style,
            value,
            Known {
                tid,
                entry: in_call.as_ref().map_or(&[], |c| &c.entry),
                fds: self.descriptors(event.pid, style),
            },
        );
        let dump = match value {
            Some(ret) if self.dumps.any() => self.dumps.text(call, tid, ret),
            _ => String::new(),
        };
        // `-T`: only for a call that returned.
        let spent = match (&in_call, value) {
            (Some(in_call), Some(_)) if self.options.durations => {
                let spent = event
                    .time
                    .duration_since(in_call.entered)
                    .unwrap_or_default();
                let mut text = String::from(" ");
                render::duration(&mut text, spent);
                text
            }
            _ => String::new(),
        };
        let reprint = self.reprint.remove(&tid);
        let separate = self.separate();
        let open = self.printer(tid)?.open;
        // With one file per thread, no other thread's line can come between.
        let resumed = reprint || (!separate && open != Some(tid));
        let printer = if let Some(held) = &held {
            self.put_held(tid, held)?
        } else if resumed {
            let printer = self.start_line(tid, event.time)?;
            printer.put("<... ")?;
            printer.put_styled(&call.name(), Some(BOLD))?;
            printer.put(" resumed>")?;
            printer
        } else {
            let printer = self.printer(tid)?;
            printer.open = Some(tid);
            printer
        };
        printer.put(&args)?;
        printer.put(" ")?;
        printer.pad_to_result_column()?;
        printer.put_styled(&result, failed.then_some(RED))?;
        if injected {
            printer.put(" (INJECTED)")?;
        }
        printer.put(&spent)?;
        printer.end_line()?;
        if !dump.is_empty() {
            printer.put(&dump)?;
            printer.end_dump()?;
        }
        Ok(())
    }

    /// The descriptor table, when descriptors are shown in `style` (not raw).
    fn descriptors(&self, pid: Pid, style: CallStyle) -> super::lines::Descriptors<'_> {
        match &self.options.fds {
            Some(table) if !style.raw => Some((table, pid)),
            _ => None,
        }
    }

    /// A non-leader thread `former` executed: it takes over the leader's id `tid`
    /// (strace's `maybe_switch_tcbs`).
    fn superseded(&mut self, former: Pid, tid: Pid, time: SystemTime) -> io::Result<()> {
        let printer = self.printer(former)?;
        if printer.open == Some(former) {
            printer.put(&format!(" <pid changed to {tid} ...>"))?;
            printer.end_line()?;
        }
        if let Output::PerProcess { files, .. } = &mut self.out
            && let Some(mut file) = files.remove(&former)
        {
            // The leader's file goes on for the thread; the thread's own file ends here.
            file.finish()?;
        }
        self.live.remove(&former);
        if let Some(in_call) = self.calls.remove(&former) {
            self.calls.insert(tid, in_call);
        }
        self.reprint.insert(tid);
        if self.options.quiet.superseded {
            return Ok(());
        }
        let text = format!("+++ superseded by execve in pid {former} +++");
        self.line(tid, time, &text, None)
    }

    /// The thread is gone: its line, if written, was its last one.
    fn forget(&mut self, tid: Pid) -> io::Result<()> {
        self.live.remove(&tid);
        self.calls.remove(&tid);
        self.reprint.remove(&tid);
        if let Output::PerProcess { files, .. } = &mut self.out
            && let Some(mut file) = files.remove(&tid)
        {
            file.finish()?;
        }
        Ok(())
    }
}

impl Sink for StraceText {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        let tid = event.tid;
        let time = event.time;
        match &event.kind {
            EventKind::Started => {
                self.live.insert(tid);
                if self.separate() {
                    // strace creates the file when it starts tracing the thread.
                    self.printer(tid)?;
                }
                Ok(())
            }
            EventKind::SyscallEntered { call } => self.entered(event, call),
            EventKind::SyscallExited {
                call,
                ret,
                injected,
            } => self.exited(event, call, *ret, *injected),
            EventKind::Tampered(Tamper::UntracedRemoved) => self.line(
                tid,
                time,
                "--- CLONE_UNTRACED removed: the new process stays traced ---",
                None,
            ),
            EventKind::Signal { signal, .. } | EventKind::Stopped { signal }
                if !self.options.signals.contains(*signal) =>
            {
                Ok(())
            }
            EventKind::Signal { signal, info } => {
                let text = format!(
                    "--- {} {} ---",
                    render::signal_name(*signal),
                    siginfo_text(*signal, *info)
                );
                self.line(tid, time, &text, Some(YELLOW))
            }
            EventKind::Stopped { signal } => {
                let text = format!("--- stopped by {} ---", render::signal_name(*signal));
                self.line(tid, time, &text, Some(YELLOW))
            }
            EventKind::Exec { former } if *former != tid => self.superseded(*former, tid, time),
            EventKind::Exited(status) => {
                match (status.exit_code(), status.terminating_signal()) {
                    (Some(_), _) if self.options.quiet.exits => {}
                    (None, Some(signal)) if !self.options.signals.contains(signal) => {}
                    (Some(code), _) => {
                        let text = format!("+++ exited with {code} +++");
                        self.line(tid, time, &text, Some(DIM))?;
                    }
                    (None, signal) => {
                        let core = if status.core_dumped() {
                            " (core dumped)"
                        } else {
                            ""
                        };
                        let name = render::signal_name(signal.unwrap_or(0));
                        let text = format!("+++ killed by {name}{core} +++");
                        self.line(tid, time, &text, Some(RED))?;
                    }
                }
                self.forget(tid)
            }
            EventKind::Detached => self.forget(tid),
            EventKind::Exec { .. } | EventKind::Injected { .. } => Ok(()),
            EventKind::Lost { records: 0 } => Ok(()),
            EventKind::Lost { records } => {
                // Never a silent gap: the trace above misses the calls of these records.
                let text = format!("+++ {records} records lost: the eBPF ring buffer was full +++");
                self.line(tid, time, &text, Some(RED))
            }
        }
    }

    fn defer_calls(&mut self) -> bool {
        self.defer = true;
        true
    }

    fn withdraw_call(&mut self, tid: Pid) -> io::Result<()> {
        self.calls.remove(&tid);
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        match &mut self.out {
            Output::Shared(printer) => printer.finish(),
            Output::PerProcess { files, .. } => {
                let mut result = Ok(());
                for (_, mut printer) in files.drain() {
                    let finished = printer.finish();
                    if result.is_ok() {
                        result = finished;
                    }
                }
                result
            }
        }
    }
}

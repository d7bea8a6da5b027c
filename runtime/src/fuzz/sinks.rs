//! The `sinks` target: arbitrary events through every sink (strace text, JSON lines, the
//! `-c` count, filters), with the options a command line can give them.

use super::{Built, Input};
use super::{
    NO_SUCH_TID, call_from, const_style, event_time, fd_table, string_limit, string_style,
};
use crate::events::{Event, EventKind, Return, SigInfo, Sink, Tamper};
use crate::linux::Syscall;
use crate::output::count::Count;
use crate::output::filter::{Filtered, Selection};
use crate::output::json::JsonLines;
use crate::output::summary::SortBy;
use crate::output::text::{PidPrefix, Quiet, StraceText, TextOptions, Timestamps};
use crate::{Interest, WaitStatus};
use nix::unistd::Pid;
use std::time::Duration;

fn text_options(input: &mut Input<'_>) -> TextOptions {
    let some_calls = |input: &mut Input<'_>| match input.byte() % 3 {
        0 => Interest::all(),
        1 => Interest::none(),
        _ => Interest::from_names(["read", "execve", "openat", "wait4", "readv"]),
    };
    TextOptions {
        string_limit: string_limit(input),
        strings: string_style(input),
        constants: const_style(input),
        prefix: [PidPrefix::WhenMany, PidPrefix::Always, PidPrefix::Never][input.below(3)],
        quiet: Quiet::from_count(input.byte() % 4),
        raw: some_calls(input),
        abbrev: some_calls(input),
        verbose: some_calls(input),
        timestamps: Timestamps::from_count(input.byte() % 4),
        relative: input.flip(),
        durations: input.flip(),
        color: input.flip(),
        flush_each_line: input.flip(),
        fds: fd_table(input),
        ..TextOptions::default()
    }
}

/// Selections as the CLI builds them from `-e` and `-P`.
fn selection(input: &mut Input<'_>) -> Selection {
    const EXPRESSIONS: &[&str] = &[
        "trace=%file",
        "trace=read,write,openat",
        "trace=!%process",
        "status=failed",
        "status=successful,unfinished",
        "signal=!SIGCHLD",
        "trace-fds=0,1,3",
        "quiet=exit",
    ];
    let mut selection = Selection::new();
    for _ in 0..input.byte() % 3 {
        let _ = selection.qualify(EXPRESSIONS[input.below(EXPRESSIONS.len())]);
    }
    if input.byte().is_multiple_of(4) {
        let _ = selection.trace_path(std::str::from_utf8(TRACED_PATH).unwrap_or_default());
    }
    selection
}

/// The path `-P` follows in the sinks target, and where its image holds it.
const TRACED_PATH: &[u8] = b"/etc/passwd";
const TRACED_PATH_AT: u64 = 0x5000_0000;

/// The sinks (strace text with its options, JSON lines, the `-c` table, and the `-e`/`-P`
/// filters) fed an arbitrary sequence of events from a few threads: calls entering and
/// ending in any order, signals, execs, exits. An event's memory is an arbitrary image (a
/// copy, as the eBPF backend's events carry), or the thread's own, which does not exist, so
/// its reads fail, as for a thread killed while a sink decodes it.
pub fn sinks(data: &[u8]) {
    let mut input = Input::new(data);
    let Built {
        mut image,
        mut regions,
    } = input.image();
    let mut path = TRACED_PATH.to_vec();
    path.push(0);
    image.map(TRACED_PATH_AT, &path);
    regions.push((TRACED_PATH_AT, path.len() as u64));
    let mut sinks: Vec<Box<dyn Sink>> = vec![
        Box::new(StraceText::with_options(
            Box::new(std::io::sink()),
            text_options(&mut input),
        )),
        Box::new(JsonLines::new(
            Box::new(std::io::sink()),
            input.flip(),
            string_limit(&mut input),
        )),
        Box::new(Count::new(Box::new(std::io::sink()), SortBy::default())),
    ];
    let filtered = Filtered::new(
        StraceText::with_options(Box::new(std::io::sink()), text_options(&mut input)),
        selection(&mut input),
    );
    sinks.push(Box::new(filtered));
    // Asked once, before any event, as the engine asks.
    for sink in &sinks {
        let _ = (sink.interest(), sink.wants_system_time());
    }
    let mut deferring: Vec<bool> = sinks.iter_mut().map(|s| s.defer_calls()).collect();
    let mut time = event_time(&mut input);
    let calls: Vec<Syscall> = (0..4).map(|_| call_from(&mut input, &regions)).collect();
    for _ in 0..input.byte() % 64 {
        let tid = Pid::from_raw(NO_SUCH_TID + i32::from(input.byte() % 4));
        let pid = Pid::from_raw(NO_SUCH_TID + i32::from(input.byte() % 2));
        let call = &calls[input.below(calls.len())];
        time += Duration::from_micros(u64::from(input.byte()));
        let kind = match input.byte() % 12 {
            0 => EventKind::Started,
            1 | 2 => EventKind::SyscallEntered { call },
            3..=5 => EventKind::SyscallExited {
                call,
                ret: match input.byte() % 4 {
                    0 => Return::Unfinished,
                    1 => Return::Detached,
                    _ => Return::Value(input.number() as i64),
                },
                injected: input.flip(),
            },
            6 => EventKind::Injected { call },
            7 => EventKind::Tampered(Tamper::UntracedRemoved),
            8 => EventKind::Signal {
                signal: input.number() as i32,
                info: input.flip().then(|| SigInfo {
                    signo: input.number() as i32,
                    code: input.number() as i32,
                    pid: input.number() as i32,
                    uid: input.number() as u32,
                    status: input.number() as i32,
                    addr: input.number(),
                    utime: input.number() as i64,
                    stime: input.number() as i64,
                }),
            },
            9 => EventKind::Stopped {
                signal: input.number() as i32,
            },
            10 => EventKind::Exec {
                former: Pid::from_raw(NO_SUCH_TID + i32::from(input.byte() % 4)),
            },
            _ => match input.byte() % 3 {
                0 => EventKind::Detached,
                _ => EventKind::Exited(WaitStatus::from_raw(input.number() as i32)),
            },
        };
        let event = Event {
            tid,
            pid,
            time,
            system_time: Duration::from_micros(u64::from(input.byte())),
            kind,
            copy: input.flip().then_some(&image),
        };
        for (sink, defers) in sinks.iter_mut().zip(&mut deferring) {
            if matches!(event.kind, EventKind::SyscallEntered { .. }) {
                let _ = sink.wants_exit(call);
            }
            let _ = sink.event(&event);
            if *defers && input.byte().is_multiple_of(8) {
                let _ = sink.withdraw_call(tid);
                *defers = sink.defer_calls();
            }
        }
    }
    for sink in &mut sinks {
        let _ = sink.finish();
    }
}

//! Fuzz targets for everything that reads what a traced program controls: its registers
//! and its memory. Built only with the `fuzzing` feature.
//!
//! Each target takes arbitrary bytes, builds registers and a memory [`Image`] from them
//! ([`Input`]), and runs the decoders and renderers the tracer runs on a live tracee:
//! a syscall's arguments and result, each struct decoder, the `argv`/`envp` and `iovec`
//! readers, the strace text and JSON renderers, the sinks, and the `clone3` rewrite. A
//! target returns normally on every input; a panic, an overflow (the targets are built
//! with overflow checks) or a hang is a bug. `fuzz/` holds the `cargo fuzz` harness that
//! drives them with libFuzzer, and `tests/fuzz_test.rs` replays its regression inputs.
//!
//! [`Image`]: crate::memory::Image

mod input;

pub use input::{Built, Input};

use crate::args::{ArgvPtr, Decode, Decoder, EnvpPtr, IovecPtr, SockaddrIn, SockaddrOut};
use crate::events::{Event, EventKind, EventMemory, Return, SigInfo, Sink, Tamper};
use crate::fds::{DecodeFds, FdTable};
use crate::inject::Rule;
use crate::linux::{I386, STRUCTS, SYSCALLS, Syscall, decode_struct};
use crate::memory::{AddressSpace, ReadMemory};
use crate::output::count::Count;
use crate::output::filter::{Filtered, Selection};
use crate::output::json::{JsonLines, JsonValue};
use crate::output::lines::{CallStyle, Known, Spelling, entry_text, entry_values, exit_text};
use crate::output::summary::SortBy;
use crate::output::text::{PidPrefix, Quiet, StraceText, TextOptions, Timestamps};
use crate::regs::CloneArgs;
use crate::render::{self, ConstStyle, StringStyle};
use crate::value::{RetKind, Value};
use crate::{Interest, WaitStatus};
use nix::unistd::Pid;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The names of the targets, as `fuzz/fuzz_targets/` and [`run`] know them.
pub const TARGETS: &[&str] = &[
    "syscall", "structs", "arrays", "render", "sinks", "clone3", "inject",
];

/// Runs target `name` on `data`; false for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "syscall" => syscall(data),
        "structs" => structs(data),
        "arrays" => arrays(data),
        "render" => render(data),
        "sinks" => sinks(data),
        "clone3" => clone3(data),
        "inject" => inject(data),
        _ => return false,
    }
    true
}

/// Thread ids above the kernel's `PID_MAX_LIMIT` (2^22): no process has them, so the
/// parts of the tracer that read a live thread (its registers, its memory) find nothing.
const NO_SUCH_TID: i32 = 1 << 23;

/// `AUDIT_ARCH_*` as the engine sees a call: x86_64, i386 (`int 0x80`), or x86_64 with
/// `__X32_SYSCALL_BIT` in the number.
fn call_from(input: &mut Input<'_>, regions: &[(u64, u64)]) -> Syscall {
    let number = match input.byte() % 4 {
        0 | 1 => SYSCALLS[input.below(SYSCALLS.len())].number,
        2 => i64::from(input.byte()) + i64::from(input.byte() % 4) * 256,
        _ => input.number() as i64,
    };
    let mut args = [0u64; 6];
    for arg in &mut args {
        *arg = input.address(regions);
    }
    // As the engine classifies a syscall-enter stop.
    match input.byte() % 5 {
        0 => Syscall::I386(I386 { number, args }),
        1 => Syscall::from_args(number | 0x4000_0000, args),
        _ => Syscall::from_args(number, args),
    }
}

/// A return value as a syscall-exit stop shows it: none at entry, an error, a count, an
/// address.
fn ret_from(input: &mut Input<'_>, regions: &[(u64, u64)]) -> Option<i64> {
    match input.byte() % 4 {
        0 => None,
        1 => Some(-(i64::from(input.byte()) * 16 + i64::from(input.byte() % 16))),
        2 => Some(i64::from(input.byte())),
        _ => Some(input.address(regions) as i64),
    }
}

fn string_limit(input: &mut Input<'_>) -> usize {
    match input.byte() % 6 {
        0 => 0,
        1 => 1,
        2 => crate::DEFAULT_STRING_LIMIT,
        3 => 4096,
        4 => usize::MAX,
        _ => usize::from(input.byte()),
    }
}

fn string_style(input: &mut Input<'_>) -> StringStyle {
    StringStyle::from_count(input.byte() % 3)
}

/// How named constants are spelled (`-X`).
fn const_style(input: &mut Input<'_>) -> ConstStyle {
    [ConstStyle::Abbrev, ConstStyle::Raw, ConstStyle::Verbose][input.below(3)]
}

/// `-y` or `-yy`, or neither: a descriptor table for the processes of the targets, which
/// do not exist.
fn fd_table(input: &mut Input<'_>) -> Option<FdTable> {
    match input.byte() % 3 {
        0 => None,
        count => Some(FdTable::new(DecodeFds::from_count(count))),
    }
}

/// Writes `value` in every notation the tracer has.
fn render_everywhere(value: &Value) {
    for strings in [
        StringStyle::Escaped,
        StringStyle::HexNonAscii,
        StringStyle::HexAll,
    ] {
        let mut out = String::new();
        render::value_with(&mut out, value, strings);
    }
    // As the text trace shows it with and without `-v`.
    for abbrev in [true, false] {
        let mut out = String::new();
        render::value(&mut out, &value.clone().abbreviated(abbrev));
    }
    serde_json::to_vec(&JsonValue(value)).expect("a value always serializes");
}

/// A syscall decoded from arbitrary registers (every table entry, unknown numbers, i386
/// and x32 calls) against an arbitrary memory image, at entry or at exit; its arguments
/// and result written as strace text and as JSON.
pub fn syscall(data: &[u8]) {
    let mut input = Input::new(data);
    let Built { image, regions } = input.image();
    let call = call_from(&mut input, &regions);
    let ret = ret_from(&mut input, &regions);
    let decoder = Decoder {
        memory: &image,
        string_limit: string_limit(&mut input),
        ret,
    };
    let _ = (call.name(), call.number(), call.to_args(), call.info());
    for index in 0..8 {
        let _ = call.shown(index);
        render_everywhere(&call.decode_arg(index, &decoder));
    }
    if let Some(ret) = ret {
        let kind = call.info().map_or(RetKind::Hex, |info| info.ret);
        let mut out = String::new();
        render::ret(&mut out, ret, kind);
    }
    // The strace text of the call, as the text sink writes it.
    let spelling = Spelling {
        string_limit: decoder.string_limit,
        strings: string_style(&mut input),
        constants: const_style(&mut input),
    };
    let style = CallStyle {
        raw: input.flip(),
        abbrev: input.flip(),
        verbose: input.flip(),
    };
    let tid = Pid::from_raw(NO_SUCH_TID);
    // `-y`: descriptors of a process that does not exist, so nothing is known of them.
    let table = fd_table(&mut input);
    let fds = table.as_ref().map(|table| (table, tid));
    let memory = || EventMemory::Copy(&image);
    let (_, covered) = entry_text(&call, (tid, memory()), spelling, style, fds);
    let entry = entry_values(&call, memory(), spelling, style);
    let known = Known {
        tid,
        entry: &entry,
        fds,
    };
    exit_text(&call, covered, memory(), spelling, style, ret, known);
    // The JSON arguments, at entry and then at exit, and what the result means.
    let mut json = JsonLines::new(Box::new(std::io::sink()), false, decoder.string_limit);
    if let Some(table) = table {
        json = json.with_fds(table);
    }
    let mut args: [Option<Value>; 6] = Default::default();
    let at_entry = Decoder {
        ret: None,
        ..decoder
    };
    json.decode_with(&call, &at_entry, (tid, tid), &mut args);
    json.decode_with(&call, &decoder, (tid, tid), &mut args);
    for value in args.iter().flatten() {
        render_everywhere(value);
    }
    let _ = crate::decode::slots(&call);
    if let Some(ret) = ret
        && let Some(meaning) = crate::decode::ret(&call, ret, &decoder)
    {
        render_everywhere(&meaning.value);
    }
}

/// Every struct decoder of the `[structs]` table, at an arbitrary address of an arbitrary
/// image; socket addresses with arbitrary lengths.
pub fn structs(data: &[u8]) {
    let mut input = Input::new(data);
    let Built { image, regions } = input.image();
    let ret = ret_from(&mut input, &regions);
    let decoder = Decoder {
        memory: &image,
        string_limit: string_limit(&mut input),
        ret,
    };
    for _ in 0..4 {
        let addr = input.address(&regions);
        match input.byte() % 8 {
            0 => {
                let len = input.number();
                render_everywhere(&SockaddrIn::new(addr, len).decode(&decoder));
            }
            1 => {
                let len_at = input.address(&regions);
                render_everywhere(&SockaddrOut::new(addr, len_at).decode(&decoder));
            }
            _ => {
                let (name, _) = STRUCTS[input.below(STRUCTS.len())];
                let decoded = decode_struct(name, &decoder, addr);
                if let Some(value) = decoded.expect("a struct of the table") {
                    render_everywhere(&value);
                }
            }
        }
    }
}

/// The readers of arrays and strings, as decoders and as handlers use them: `argv`,
/// `envp`, `iovec` arrays with arbitrary counts, NUL-terminated strings, NULL-terminated pointer arrays, and plain reads of
/// arbitrary lengths.
pub fn arrays(data: &[u8]) {
    let mut input = Input::new(data);
    let Built { image, regions } = input.image();
    let ret = ret_from(&mut input, &regions);
    let decoder = Decoder {
        memory: &image,
        string_limit: string_limit(&mut input),
        ret,
    };
    for _ in 0..4 {
        let addr = input.address(&regions);
        match input.byte() % 11 {
            0 => render_everywhere(&ArgvPtr(addr).decode(&decoder)),
            9 => {
                // As a handler reads them: within execve's limits.
                if let Ok(strings) = ArgvPtr(addr).read_from(&image) {
                    let bytes: usize = strings.iter().map(|s| s.len() + 1 + 8).sum();
                    assert!(bytes <= 6 << 20, "{bytes} bytes of argv");
                }
            }
            10 => {
                let count = input.number();
                if let Ok(iovecs) = IovecPtr::new(addr, count).read_from(&image) {
                    assert!(iovecs.len() as u64 == count && count <= 1024);
                }
            }
            1 => render_everywhere(&EnvpPtr(addr).decode(&decoder)),
            2 => {
                let count = input.number();
                render_everywhere(&IovecPtr::new(addr, count).decode(&decoder));
            }
            3 => {
                let limit = string_limit(&mut input);
                if let Ok((bytes, complete)) = image.read_cstr(addr, limit) {
                    assert!(bytes.len() <= limit);
                    assert!(complete || bytes.len() == limit);
                    assert!(!bytes.contains(&0));
                }
            }
            4 => {
                let max = string_limit(&mut input);
                if let Ok((pointers, _)) = image.read_pointer_array(addr, max) {
                    assert!(pointers.len() <= max && !pointers.contains(&0));
                }
            }
            5 => {
                let _ = image.count_pointer_array(addr);
            }
            6 => {
                // Lengths as a program passes them: only what is mapped is ever read.
                let len = input.number() as usize;
                if let Ok(bytes) = image.read(addr, len) {
                    assert_eq!(bytes.len(), len);
                }
            }
            7 => {
                let len = input.number();
                render_everywhere(&decoder.bytes(addr, len));
            }
            _ => {
                let mut buf = vec![0u8; input.below(9000) + 1];
                if let Ok(n) = image.read_some(addr, &mut buf) {
                    assert!(n >= 1 && n <= buf.len());
                }
            }
        }
    }
}

/// A value tree: what decoders make (flag sets and enums included) and what they could
/// make (signal numbers, modes and counts out of range, deep nesting).
fn value_from(input: &mut Input<'_>, depth: u8) -> Value {
    let leaf = depth >= 4;
    match input.byte() % if leaf { 15 } else { 20 } {
        0 => Value::Int(input.number() as i64),
        1 => Value::Uint(input.number()),
        2 => Value::Hex(input.number()),
        3 => Value::Octal(input.number()),
        4 => Value::FileMode(input.number()),
        5 => Value::Fd(input.number() as i32),
        6 => Value::Dirfd(input.number() as i32),
        7 => Value::Str {
            bytes: input.bytes(80).to_vec(),
            complete: input.flip(),
        },
        8 => Value::Null,
        9 => Value::Addr(input.number()),
        10 => Value::Unreadable(input.number()),
        11 => Value::Signal(input.number() as i32),
        12 => Value::Env {
            addr: input.number(),
            count: input.number() as usize,
        },
        13 => {
            // A flag set or an enum of the table: decode an argument of some syscall.
            let info = SYSCALLS[input.below(SYSCALLS.len())];
            let mut args = [0u64; 6];
            for arg in &mut args {
                *arg = input.number();
            }
            let call = Syscall::from_args(info.number, args);
            let image = crate::memory::Image::new();
            let decoder = Decoder {
                memory: &image,
                string_limit: 32,
                ret: None,
            };
            call.decode_arg(input.below(6), &decoder)
        }
        14 => Value::EpochSeconds {
            sec: input.number() as i64,
            nsec: input.number() as i64,
        },
        15 => {
            let names = ["tv_sec", "...", "sa_mask", "st_mode"];
            let count = input.byte() % 5;
            Value::Struct(
                (0..count)
                    .map(|_| {
                        (
                            names[input.below(names.len())],
                            value_from(input, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
        16 => Value::Array {
            items: (0..input.byte() % 5)
                .map(|_| value_from(input, depth + 1))
                .collect(),
            more: input.flip(),
        },
        17 => {
            let names = ["VINTR", "17", ""];
            Value::Indexed(
                (0..input.byte() % 5)
                    .map(|_| {
                        (
                            names[input.below(names.len())],
                            value_from(input, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
        18 => {
            // Two forms, the short one of any shape (termios's is not a struct).
            let short = value_from(input, depth + 1);
            let full = value_from(input, depth + 1);
            Value::Abbreviable {
                short: Box::new(short),
                full: Box::new(full),
            }
        }
        _ => Value::SigSet(
            (0..input.byte() % 70)
                .map(|_| match input.byte() % 3 {
                    0 => input.number() as i32,
                    _ => i32::from(input.byte() % 70),
                })
                .collect(),
        ),
    }
}

/// The renderers alone: arbitrary values in strace text and JSON, results of every kind,
/// signal names, the clock and durations of `-t`, `-r`, `-T`.
pub fn render(data: &[u8]) {
    let mut input = Input::new(data);
    render_everywhere(&value_from(&mut input, 0));
    let ret = input.number() as i64;
    for kind in [
        RetKind::Int,
        RetKind::Long,
        RetKind::Fd,
        RetKind::Size,
        RetKind::Pid,
        RetKind::Uid,
        RetKind::Gid,
        RetKind::Addr,
        RetKind::Hex,
        RetKind::Never,
    ] {
        let mut out = String::new();
        render::ret(&mut out, ret, kind);
    }
    let _ = render::signal_name(input.number() as i32);
    let mut out = String::new();
    render::quoted_with(&mut out, input.bytes(200), string_style(&mut input));
    let time = event_time(&mut input);
    render::time_of_day(&mut out, time, &render::LocalZone::default(), input.flip());
    render::epoch_time(&mut out, time);
    let elapsed = Duration::new(input.number(), (input.number() % 1_000_000_000) as u32);
    render::relative_time(&mut out, elapsed);
    render::duration(&mut out, elapsed);
}

/// A time a stop can happen at: within a few centuries of the epoch, either side.
fn event_time(input: &mut Input<'_>) -> SystemTime {
    let offset = Duration::from_micros(input.number() % (1 << 53));
    if input.flip() {
        UNIX_EPOCH + offset
    } else {
        UNIX_EPOCH - offset.min(Duration::from_secs(1 << 32))
    }
}

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

/// The `clone3` rewrite: `struct clone_args` of an arbitrary size read from an arbitrary
/// image, and the `clone` it becomes. Whatever the struct says, the `clone` never keeps
/// `CLONE_UNTRACED`, and a stack top never passes the ABI's limit.
pub fn clone3(data: &[u8]) {
    let mut input = Input::new(data);
    let Built { image, regions } = input.image();
    let addr = input.address(&regions);
    let size = match input.byte() % 4 {
        0 => 64,
        1 => 80,
        2 => 88,
        _ => input.number(),
    };
    let stack_limit = if input.flip() {
        u64::from(u32::MAX)
    } else {
        u64::MAX
    };
    if let Ok(args) = CloneArgs::read(&image, addr, size)
        && let Ok(clone) = args.as_clone(size, stack_limit)
    {
        assert_eq!(clone.flags & libc::CLONE_UNTRACED as u64, 0, "{args:?}");
        assert!(clone.stack <= stack_limit, "{args:?}");
    }
}

/// `-e inject=` rules: parsed from arbitrary text, and built from a syscall of the table
/// with `if=` predicates on its arguments, then tested on arbitrary calls of that syscall
/// whose pointer arguments are read from an arbitrary image.
pub fn inject(data: &[u8]) {
    let mut input = Input::new(data);
    if input.byte().is_multiple_of(4) {
        let text = String::from_utf8_lossy(input.bytes(200)).into_owned();
        if let Ok(rule) = Rule::parse(&text) {
            let _ = (
                rule.to_string(),
                rule.interest(),
                rule.when().hits(input.number()),
            );
        }
        let pattern = input.bytes(40);
        let _ = crate::inject::glob(pattern, input.bytes(200));
        return;
    }
    let Built { image, regions } = input.image();
    let info = SYSCALLS[input.below(SYSCALLS.len())];
    let mut text = format!("inject={}:error=EPERM", info.name);
    for _ in 0..1 + input.byte() % 3 {
        let Some(arg) = info.args.get(input.below(6)) else {
            continue;
        };
        let op = ["=", "!=", "~", "&"][input.below(4)];
        let value = match input.byte() % 4 {
            0 => input.number().to_string(),
            1 => (input.number() as i64).to_string(),
            2 => "O_CREAT|O_RDONLY|AT_FDCWD|SIGKILL|PROT_READ".to_string(),
            _ => String::from_utf8_lossy(input.bytes(40)).replace(':', "*"),
        };
        text.push_str(&format!(":if={}{op}{value}", arg.name));
    }
    let Ok(rule) = Rule::parse(&text) else {
        return;
    };
    for _ in 0..4 {
        let mut args = [0u64; 6];
        for arg in &mut args {
            *arg = input.address(&regions);
        }
        let _ = rule.matches_in(&image, &Syscall::from_args(info.number, args));
    }
}

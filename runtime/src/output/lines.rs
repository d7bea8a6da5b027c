//! The text of trace lines: a syscall's entry part and the rest of it, and a signal's
//! siginfo, in strace's notation (values are decoded here and written by `render`); and
//! the [`Printer`] that writes lines, padding results to strace's column.

#![deny(clippy::arithmetic_side_effects)]

use crate::args::Decoder;
use crate::decode;
use crate::events::EventMemory;
use crate::fds::FdTable;
use crate::linux::Syscall;
use crate::memory::ReadMemory;
use crate::render::{self, StringStyle};
use crate::sys::SigInfo;
use crate::value::{ArgKind, Value};
use nix::sys::ptrace;
use nix::unistd::Pid;
use std::io::{self, Write};

/// The column strace pads ` = ` to (its `-a` default).
const RESULT_COLUMN: usize = 40;

/// ANSI styles, as SGR parameters.
pub(super) const BOLD: &str = "1";
pub(super) const DIM: &str = "2";
pub(super) const RED: &str = "31";
pub(super) const YELLOW: &str = "33";

/// How values are spelled: strings cut at `string_limit` bytes, in `strings` style.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spelling {
    pub string_limit: usize,
    pub strings: StringStyle,
    /// How named constants are spelled (`-X`).
    pub constants: render::ConstStyle,
}

/// The descriptors of a call's process, when they are shown (`-y`): the table and the
/// process.
pub(crate) type Descriptors<'a> = Option<(&'a FdTable, Pid)>;

/// What a sink knows of a call besides its registers: the calling thread, its in-out
/// arguments as they were at entry ([`entry_values`]), and its process's descriptors.
#[derive(Clone, Copy)]
pub(crate) struct Known<'a> {
    pub tid: Pid,
    pub entry: &'a [(usize, Value)],
    pub fds: Descriptors<'a>,
}

/// `value`, with what is known of its descriptors when they are shown.
fn described(mut value: Value, fds: Descriptors<'_>, tid: Pid) -> Value {
    if let Some((table, pid)) = fds {
        table.annotate(pid, tid, &mut value);
    }
    value
}

/// How one call's arguments are shown: strace's `-e raw=`, `-e abbrev=`, `-e verbose=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CallStyle {
    /// Every argument as a hexadecimal number, the result in hexadecimal.
    pub raw: bool,
    /// Structures in strace's short form (`{st_mode=S_IFREG|0644, st_size=13, ...}`),
    /// `argv` cut, the environment counted (`/* 12 vars */`), directory entries counted;
    /// otherwise all in full.
    pub abbrev: bool,
    /// Structures, arrays and addresses decoded; otherwise shown as their address.
    pub verbose: bool,
}

impl Default for CallStyle {
    fn default() -> Self {
        CallStyle {
            raw: false,
            abbrev: true,
            verbose: true,
        }
    }
}

/// The most strings an unabbreviated `argv` or environment shows.
const MAX_UNABBREVIATED: usize = 1 << 20;

/// Argument `index` of `call`, decoded as `style` says.
fn styled_arg(call: &Syscall, index: usize, decoder: &Decoder<'_>, style: CallStyle) -> Value {
    let kind = call
        .info()
        .and_then(|info| info.args.get(index))
        .map(|a| a.kind);
    let raw = call.to_args().get(index).copied().unwrap_or(0);
    let pointer = |raw: u64| {
        if raw == 0 {
            Value::Null
        } else {
            Value::Addr(raw)
        }
    };
    match kind {
        Some(
            ArgKind::Struct | ArgKind::Iovec | ArgKind::Sockaddr | ArgKind::Argv | ArgKind::Envp,
        ) if !style.verbose => pointer(raw),
        Some(ArgKind::Argv | ArgKind::Envp) if !style.abbrev && raw != 0 => {
            match decoder.memory.read_pointer_array(raw, MAX_UNABBREVIATED) {
                Ok((pointers, more)) => Value::Array {
                    items: pointers
                        .into_iter()
                        .map(|p| decoder.cstr(p, decoder.string_limit))
                        .collect(),
                    more,
                },
                Err(_) => Value::Unreadable(raw),
            }
        }
        _ => match call.decode_arg(index, decoder).abbreviated(style.abbrev) {
            // Unabbreviated, records are shown one by one.
            Value::Entries { items, .. } if !style.abbrev => Value::Array { items, more: false },
            value => value,
        },
    }
}

/// strace's `%#llx`: `0`, or `0x` and the digits.
fn raw_hex(out: &mut String, value: u64) {
    if value == 0 {
        out.push('0');
    } else {
        out.push_str(&format!("{value:#x}"));
    }
}

/// The entry part of a line, `openat(AT_FDCWD, "x", O_RDONLY` or `read(3, `, and how many
/// of the shown arguments ([`decode::slots`]) it covers: those before the first one only the
/// exit stop can decode. The syscall's name is the first `call.name().len()` bytes (after
/// `[i386] `, for colour).
pub(crate) fn entry_text(
    call: &Syscall,
    (tid, memory): (Pid, EventMemory<'_>),
    spelling: Spelling,
    style: CallStyle,
    fds: Descriptors<'_>,
) -> (String, usize) {
    let decoder = Decoder {
        memory: &memory,
        string_limit: spelling.string_limit,
        ret: None,
    };
    let count = call.arg_count();
    let mut text = String::new();
    if matches!(call, Syscall::I386(_)) {
        text.push_str("[i386] ");
    }
    text.push_str(&call.name());
    text.push('(');
    if style.raw {
        // strace's printargs: every argument of the table, at entry. A C `int` was
        // passed in the low half of its register, which is what strace shows.
        let kinds = call.info().map_or(&[][..], |info| info.args);
        for (n, raw) in call.to_args().into_iter().take(count).enumerate() {
            if n > 0 {
                text.push_str(", ");
            }
            let int = kinds.get(n).is_some_and(|a| {
                matches!(
                    a.kind,
                    ArgKind::Int
                        | ArgKind::Uint
                        | ArgKind::Fd
                        | ArgKind::Dirfd
                        | ArgKind::Pid
                        | ArgKind::Uid
                        | ArgKind::Gid
                        | ArgKind::Signal
                        | ArgKind::Mode
                )
            });
            raw_hex(&mut text, if int { raw & u64::from(u32::MAX) } else { raw });
        }
        // Nothing is left for the exit stop.
        return (text, usize::MAX);
    }
    let slots = decode::slots(call);
    let covered = slots.iter().position(|s| s.at_exit).unwrap_or(slots.len());
    if matches!(call, Syscall::RtSigreturn(_)) {
        signal_frame_mask(&mut text, tid, memory);
    }
    write_slots(
        &mut text,
        call,
        &slots[..covered],
        &decoder,
        spelling,
        style,
        Known {
            tid,
            entry: &[],
            fds,
        },
    );
    if covered > 0 && slots.get(covered).is_some_and(|s| s.label.is_none()) {
        text.push_str(", ");
    }
    (text, covered)
}

/// The in-out arguments of `call` (`dir = "inout"`) as they are at its entry, by index:
/// the exit part shows them beside what the kernel wrote back.
pub(crate) fn entry_values(
    call: &Syscall,
    memory: EventMemory<'_>,
    spelling: Spelling,
    style: CallStyle,
) -> Vec<(usize, Value)> {
    let Some(info) = call.info() else {
        return Vec::new();
    };
    if style.raw || !info.args.iter().any(|a| a.inout) {
        return Vec::new();
    }
    let decoder = Decoder {
        memory: &memory,
        string_limit: spelling.string_limit,
        ret: None,
    };
    (0..call.arg_count())
        .filter(|&i| info.args.get(i).is_some_and(|a| a.inout) && call.shown(i))
        .map(|i| {
            let value = styled_arg(call, i, &decoder, style);
            (i, render::constants(value, spelling.constants))
        })
        .collect()
}

/// Appends the arguments of `slots`, comma-separated, each `label=value` where it has one.
/// An argument the program passes is decoded as at entry even where it is shown at exit
/// (after one the kernel fills): the call's result says nothing about it.
fn write_slots(
    text: &mut String,
    call: &Syscall,
    slots: &[decode::Slot],
    decoder: &Decoder<'_>,
    spelling: Spelling,
    style: CallStyle,
    known: Known<'_>,
) {
    let Known { tid, entry, fds } = known;
    let failed = decoder
        .ret
        .is_some_and(|r| crate::Errno::from_ret(r).is_err());
    let as_at_entry = Decoder {
        memory: decoder.memory,
        string_limit: decoder.string_limit,
        ret: None,
    };
    for (n, slot) in slots.iter().enumerate() {
        if n > 0 {
            text.push_str(", ");
        }
        if let Some(label) = slot.label {
            text.push_str(label);
            text.push('=');
        }
        let decoder = if slot.at_exit { decoder } else { &as_at_entry };
        let mut value = render::constants(
            described(styled_arg(call, slot.index, decoder, style), fds, tid),
            spelling.constants,
        );
        if let Some((_, before)) = entry.iter().find(|(at, _)| *at == slot.index) {
            value = crate::args::in_and_out(before.clone(), value, failed);
        }
        render::value_with(text, &value, spelling.strings);
    }
}

/// `rt_sigreturn` takes no argument but restores the signal mask saved in the signal frame
/// on the stack; strace shows it: `{mask=[ALRM]}`. At entry the handler's return has
/// popped the frame's return address, so the stack pointer is at the `ucontext`, whose
/// `uc_sigmask` follows uc_flags, uc_link, uc_stack and the 256-byte sigcontext.
/// The stack pointer is the live thread's, or the one a copy recorded.
fn signal_frame_mask(text: &mut String, tid: Pid, memory: EventMemory<'_>) {
    const UC_SIGMASK: u64 = 8 + 8 + 24 + 256;
    let sp = match memory {
        EventMemory::Live(_) => ptrace::getregs(tid).ok().map(|regs| regs.rsp),
        EventMemory::Copy(image) => image.stack_pointer(),
    };
    let Some(sp) = sp else {
        return;
    };
    // The stack pointer is the program's: near the top of the address space it wraps.
    let Some(at) = sp.checked_add(UC_SIGMASK) else {
        return;
    };
    if let Ok(mask) = memory.read_pod::<u64>(at) {
        text.push_str("{mask=");
        render::value(text, &crate::structs::sigset(mask));
        text.push('}');
    }
}

/// The rest of a syscall line after its entry part, in the two pieces strace pads apart.
#[derive(Debug)]
pub(crate) struct ExitText {
    /// The arguments only the exit stop could decode and the closing parenthesis:
    /// `"data", 5)`, or ` <unfinished ...>)` for a call that never returned with
    /// arguments left to show.
    pub args: String,
    /// `= 5`, `= -1 ENOENT (No such file or directory)`, `= ?`.
    pub result: String,
    /// The call failed (or was interrupted): `result` is an error.
    pub failed: bool,
}

/// The rest of a line after the `covered` arguments; `ret` is `None` when the call never
/// returned (then `= ?`, as strace says).
pub(crate) fn exit_text(
    call: &Syscall,
    covered: usize,
    memory: EventMemory<'_>,
    spelling: Spelling,
    style: CallStyle,
    ret: Option<i64>,
    known: Known<'_>,
) -> ExitText {
    let Known { tid, fds, .. } = known;
    let decoder = Decoder {
        memory: &memory,
        string_limit: spelling.string_limit,
        ret,
    };
    let slots = decode::slots(call);
    let rest = slots.get(covered..).unwrap_or_default();
    let Some(ret) = ret else {
        // What the call would have filled in is unknown.
        let args = if !rest.is_empty() {
            " <unfinished ...>)"
        } else {
            ")"
        };
        return ExitText {
            args: args.to_string(),
            result: "= ?".to_string(),
            failed: false,
        };
    };
    let mut args = String::new();
    // strace puts the comma before a labelled argument on the exit side:
    // `<... clone resumed>, child_tidptr=0x7f...) = 42`.
    if covered > 0 && rest.first().is_some_and(|s| s.label.is_some()) {
        args.push_str(", ");
    }
    write_slots(&mut args, call, rest, &decoder, spelling, style, known);
    args.push(')');
    let kind = call.info().map_or(crate::value::RetKind::Hex, |i| i.ret);
    let mut result = String::new();
    match crate::Errno::from_ret(ret) {
        // strace's raw result: `= %#llx`, or the error as usual.
        Ok(_) if style.raw => {
            result.push_str("= ");
            raw_hex(&mut result, ret as u64);
        }
        Ok(_) => match decode::ret(call, ret, &decoder) {
            Some(mut meaning) => {
                meaning.value = meaning.value.abbreviated(style.abbrev);
                render::decoded_result(&mut result, ret, &meaning)
            }
            None => {
                render::result(&mut result, ret, kind);
                if let Some((table, pid)) = fds
                    && let Some(about) = table.about_result(pid, tid, call, ret)
                {
                    render::fd_about(&mut result, &about);
                }
            }
        },
        Err(_) => render::result(&mut result, ret, kind),
    }
    ExitText {
        args,
        result,
        failed: crate::Errno::from_ret(ret).is_err(),
    }
}

/// strace's `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, ...}`.
pub(crate) fn siginfo_text(signal: i32, info: Option<SigInfo>) -> String {
    let Some(info) = info else {
        return String::from("{}");
    };
    let code = decode::signal::si_code_name(info.signo, info.code);
    let name = render::signal_name(info.signo);
    let addr = match info.addr {
        0 => "NULL".to_string(),
        addr => format!("{addr:#x}"),
    };
    match signal {
        libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE if info.code > 0 => {
            format!("{{si_signo={name}, si_code={code}, si_addr={addr}}}")
        }
        libc::SIGCHLD => {
            let status = match info.code {
                2 | 3 => render::signal_name(info.status),
                _ => info.status.to_string(),
            };
            format!(
                "{{si_signo={name}, si_code={code}, si_pid={}, si_uid={}, si_status={status}, si_utime={}, si_stime={}}}",
                info.pid,
                info.uid,
                clock_ticks(info.utime),
                clock_ticks(info.stime)
            )
        }
        _ if info.code <= 0 => {
            format!(
                "{{si_signo={name}, si_code={code}, si_pid={}, si_uid={}}}",
                info.pid, info.uid
            )
        }
        _ => format!("{{si_signo={name}, si_code={code}}}"),
    }
}

/// Clock ticks as strace shows them: `0`, or `3 /* 0.03 s */`.
fn clock_ticks(ticks: i64) -> String {
    if ticks == 0 {
        return "0".to_string();
    }
    // The kernel reports these in USER_HZ ticks, 100 per second on x86_64.
    const USER_HZ: f64 = 100.0;
    format!("{ticks} /* {:.2} s */", ticks as f64 / USER_HZ)
}

/// Writes the lines of one output, keeping count of the column for the padding before
/// ` = ` and of the line left open by a syscall's entry.
pub(super) struct Printer {
    out: Box<dyn Write>,
    /// Flush after every line: for a terminal or a pipe someone is reading.
    flush_each: bool,
    color: bool,
    /// The thread whose line is being written (strace's `printing_tcp` while its
    /// `curcol` is not 0).
    pub open: Option<Pid>,
    /// Visible columns written on the open line (colour codes not counted).
    col: usize,
}

impl Printer {
    pub(super) fn new(out: Box<dyn Write>, flush_each: bool, color: bool) -> Self {
        Printer {
            out,
            flush_each,
            color,
            open: None,
            col: 0,
        }
    }

    pub(super) fn put(&mut self, text: &str) -> io::Result<()> {
        self.col = self.col.saturating_add(text.len());
        self.out.write_all(text.as_bytes())
    }

    /// Writes `text` in an ANSI `style` when colouring.
    pub(super) fn put_styled(&mut self, text: &str, style: Option<&str>) -> io::Result<()> {
        match style {
            Some(style) if self.color && !text.is_empty() => {
                self.col = self.col.saturating_add(text.len());
                write!(self.out, "\x1b[{style}m{text}\x1b[0m")
            }
            _ => self.put(text),
        }
    }

    /// Spaces up to the result column (strace's `tabto`); nothing past it.
    pub(super) fn pad_to_result_column(&mut self) -> io::Result<()> {
        if self.col < RESULT_COLUMN {
            let spaces = " ".repeat(RESULT_COLUMN.saturating_sub(self.col));
            self.put(&spaces)?;
        }
        Ok(())
    }

    pub(super) fn end_line(&mut self) -> io::Result<()> {
        self.out.write_all(b"\n")?;
        self.open = None;
        self.col = 0;
        self.flush_if_asked()
    }

    /// After whole lines written with [`put`](Self::put) (a hex dump): the column is at
    /// a line's start again.
    pub(super) fn end_dump(&mut self) -> io::Result<()> {
        self.col = 0;
        self.flush_if_asked()
    }

    /// Ends a line another line interrupts.
    pub(super) fn close_open(&mut self) -> io::Result<()> {
        if self.open.is_some() {
            self.put(" <unfinished ...>")?;
            self.end_line()?;
        }
        Ok(())
    }

    pub(super) fn flush_if_asked(&mut self) -> io::Result<()> {
        if self.flush_each {
            self.out.flush()
        } else {
            Ok(())
        }
    }

    /// Ends an open line and writes out what is buffered.
    pub(super) fn finish(&mut self) -> io::Result<()> {
        self.close_open()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_counts_visible_columns_only() {
        let mut printer = Printer::new(Box::new(io::sink()), false, true);
        printer.put_styled("brk", Some(BOLD)).unwrap();
        printer.put("(NULL) ").unwrap();
        printer.pad_to_result_column().unwrap();
        assert_eq!(printer.col, RESULT_COLUMN);
        printer.put(&"x".repeat(50)).unwrap();
        let before = printer.col;
        printer.pad_to_result_column().unwrap();
        assert_eq!(printer.col, before, "no padding past the column");
    }
}

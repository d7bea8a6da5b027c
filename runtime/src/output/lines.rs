//! The text of trace lines: a syscall's entry part and the rest of it, and a signal's
//! siginfo, in strace's notation. Values are decoded here and written by `render`.

use crate::args::Decoder;
use crate::linux::Syscall;
use crate::memory::Memory;
use crate::render;
use crate::sys::SigInfo;
use nix::sys::ptrace;
use nix::unistd::Pid;

/// The entry part of a line, `openat(AT_FDCWD, "x", O_RDONLY` or `read(3, `, and how many
/// arguments it covers: those before the first one only the exit stop can decode.
pub(crate) fn entry_text(call: &Syscall, tid: Pid, string_limit: usize) -> (String, usize) {
    let memory = Memory::new(tid);
    let decoder = Decoder {
        memory: &memory,
        string_limit,
        ret: None,
    };
    let count = call.arg_count();
    let covered = call.info().map_or(count, |info| {
        info.args.iter().position(|a| a.at_exit).unwrap_or(count)
    });
    let mut text = String::new();
    if matches!(call, Syscall::I386(_)) {
        text.push_str("[i386] ");
    }
    text.push_str(&call.name());
    text.push('(');
    if matches!(call, Syscall::RtSigreturn(_)) {
        signal_frame_mask(&mut text, tid, &memory);
    }
    let shown: Vec<usize> = (0..covered).filter(|&i| call.shown(i)).collect();
    for (n, &i) in shown.iter().enumerate() {
        if n > 0 {
            text.push_str(", ");
        }
        render::value(&mut text, &call.decode_arg(i, &decoder));
    }
    if !shown.is_empty() && (covered..count).any(|i| call.shown(i)) {
        text.push_str(", ");
    }
    (text, covered)
}

/// `rt_sigreturn` takes no argument but restores the signal mask saved in the signal frame
/// on the stack; strace shows it: `{mask=[ALRM]}`. At entry the handler's return has
/// popped the frame's return address, so the stack pointer is at the `ucontext`, whose
/// `uc_sigmask` follows uc_flags, uc_link, uc_stack and the 256-byte sigcontext.
fn signal_frame_mask(text: &mut String, tid: Pid, memory: &Memory) {
    const UC_SIGMASK: u64 = 8 + 8 + 24 + 256;
    let Ok(regs) = ptrace::getregs(tid) else {
        return;
    };
    if let Ok(mask) = memory.read_pod::<u64>(regs.rsp + UC_SIGMASK) {
        text.push_str("{mask=");
        render::value(text, &crate::structs::sigset(mask));
        text.push('}');
    }
}

/// The rest of a line after the `covered` arguments: `"data", 5) = 5`, or `) = ?` when
/// the call never returned (`ret` is `None`).
pub(crate) fn exit_text(
    call: &Syscall,
    covered: usize,
    tid: Pid,
    string_limit: usize,
    ret: Option<i64>,
) -> String {
    let memory = Memory::new(tid);
    let decoder = Decoder {
        memory: &memory,
        string_limit,
        ret,
    };
    let mut shown = (covered..call.arg_count())
        .filter(|&i| call.shown(i))
        .peekable();
    let Some(ret) = ret else {
        // The call never returned: what it would have filled in is unknown, as strace says.
        let unfinished = if shown.peek().is_some() {
            " <unfinished ...>"
        } else {
            ""
        };
        return format!("{unfinished}) = ?");
    };
    let mut text = String::new();
    for (n, i) in shown.enumerate() {
        if n > 0 {
            text.push_str(", ");
        }
        render::value(&mut text, &call.decode_arg(i, &decoder));
    }
    text.push(')');
    let kind = call.info().map_or(crate::value::RetKind::Hex, |i| i.ret);
    render::ret(&mut text, ret, kind);
    text
}

/// strace's `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, ...}`.
pub(crate) fn siginfo_text(signal: i32, info: Option<SigInfo>) -> String {
    let Some(info) = info else {
        return String::from("{}");
    };
    let code = match (info.code, signal) {
        (libc::SI_USER, _) => "SI_USER".to_string(),
        (libc::SI_KERNEL, _) => "SI_KERNEL".to_string(),
        (libc::SI_QUEUE, _) => "SI_QUEUE".to_string(),
        (libc::SI_TKILL, _) => "SI_TKILL".to_string(),
        (libc::SI_TIMER, _) => "SI_TIMER".to_string(),
        (1, libc::SIGCHLD) => "CLD_EXITED".to_string(),
        (2, libc::SIGCHLD) => "CLD_KILLED".to_string(),
        (3, libc::SIGCHLD) => "CLD_DUMPED".to_string(),
        (4, libc::SIGCHLD) => "CLD_TRAPPED".to_string(),
        (5, libc::SIGCHLD) => "CLD_STOPPED".to_string(),
        (6, libc::SIGCHLD) => "CLD_CONTINUED".to_string(),
        (1, libc::SIGSEGV) => "SEGV_MAPERR".to_string(),
        (2, libc::SIGSEGV) => "SEGV_ACCERR".to_string(),
        (code, _) => code.to_string(),
    };
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

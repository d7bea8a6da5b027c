//! Signals under the tracer: each program runs natively and under interpose and must do
//! the same (output, exit status); the trace must show the signals as strace does. Where
//! strace is installed the interesting lines are also compared with what `strace -f`
//! prints for the same program; a difference in format is reported on stderr
//! (`strace-format mismatch (TEST): ...`) rather than failing the test.

mod common;

use common::{Line, Run, compile_c, interpose, join_resumed, parse_trace, run, scratch_dir};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long any wait for a state of a process may take before the test gives up; far
/// beyond what a loaded machine needs.
const DEADLINE: Duration = Duration::from_secs(30);

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn uid() -> u32 {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::getuid() }
}

/// Runs `interpose -o DIR/trace ARGS`; the run and the trace with split lines joined.
fn traced(dir: &Path, args: &[&str]) -> (Run, Vec<Line>) {
    let trace_file = dir.join("trace");
    let mut full = vec!["-o", path_str(&trace_file)];
    full.extend_from_slice(args);
    let run = interpose(&full);
    let trace = std::fs::read_to_string(&trace_file).unwrap_or_default();
    (run, join_resumed(&parse_trace(&trace)))
}

/// Runs `strace -f -o DIR/strace ARGS` when strace is installed and works here; its lines
/// (every one carries its pid), split lines joined and the ` = ` padding collapsed.
fn straced(dir: &Path, args: &[&str]) -> Option<(Run, Vec<Line>)> {
    if !common::have("strace") {
        return None;
    }
    let trace_file = dir.join("strace");
    let mut full = vec!["-f", "-o", path_str(&trace_file)];
    full.extend_from_slice(args);
    let run = run("strace", &full);
    let trace = std::fs::read_to_string(&trace_file).unwrap_or_default();
    if !run.status.success() || trace.is_empty() {
        eprintln!("skipped the strace comparison: strace did not trace here ({run:?})");
        return None;
    }
    Some((run, parse_strace(&trace)))
}

/// strace's `-o` format: `PID text` (short pids padded), ` = ` padded to a column.
fn parse_strace(trace: &str) -> Vec<Line> {
    let lines: Vec<Line> = trace
        .lines()
        .map(|line| match line.split_once(' ') {
            Some((pid, text)) if pid.bytes().all(|b| b.is_ascii_digit()) => Line {
                pid: pid.parse().ok(),
                text: unpad(text.trim_start()),
            },
            _ => Line {
                pid: None,
                text: unpad(line),
            },
        })
        .collect();
    join_resumed(&lines)
}

/// `read(3, "x", 1)              = 1` -> `read(3, "x", 1) = 1`.
fn unpad(text: &str) -> String {
    if text.starts_with("--- ") || text.starts_with("+++ ") {
        return text.to_string();
    }
    match text.rfind(" = ") {
        Some(at) => format!("{} = {}", text[..at].trim_end(), &text[at + 3..]),
        None => text.to_string(),
    }
}

/// A line with its run-dependent numbers masked: every hex number becomes `0xADDR` and
/// every other run of digits `N` (signal names too: SIGUSR1 is SIGUSRN on both sides).
fn shape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '0' && chars.peek() == Some(&'x') {
            chars.next();
            while chars.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                chars.next();
            }
            out.push_str("0xADDR");
        } else if c.is_ascii_digit() {
            while chars.peek().is_some_and(|c| c.is_ascii_digit()) {
                chars.next();
            }
            out.push('N');
        } else {
            out.push(c);
        }
    }
    out
}

/// Compares, as multisets of shapes, the lines `pick` selects from our trace and from
/// strace's, and reports (without failing) each line only one of them has. Returns how
/// many differences there were.
fn compare_with_strace(
    test: &str,
    ours: &[Line],
    theirs: &[Line],
    pick: impl Fn(&str) -> bool,
) -> usize {
    let mut only_strace: Vec<String> = theirs
        .iter()
        .filter(|l| pick(&l.text))
        .map(|l| shape(&l.text))
        .collect();
    let mut only_ours = Vec::new();
    for line in ours.iter().filter(|l| pick(&l.text)) {
        let s = shape(&line.text);
        match only_strace.iter().position(|t| *t == s) {
            Some(at) => {
                only_strace.remove(at);
            }
            None => only_ours.push(s),
        }
    }
    for line in &only_ours {
        eprintln!("strace-format mismatch ({test}): interpose printed `{line}`");
    }
    for line in &only_strace {
        eprintln!("strace-format mismatch ({test}): strace printed    `{line}`");
    }
    only_ours.len() + only_strace.len()
}

/// Reports (without failing) a line interpose prints differently from strace.
fn note_format(test: &str, ours: &str, strace_form: &str) {
    if ours != strace_form {
        eprintln!(
            "strace-format mismatch ({test}): interpose printed `{ours}`, strace prints `{strace_form}`"
        );
    }
}

/// Signal, signal-stop and exit lines, and the calls around a handler.
fn signal_related(text: &str) -> bool {
    text.starts_with("--- ")
        || text.starts_with("+++ ")
        || text.starts_with("rt_sigreturn(")
        || text.starts_with("rt_sigsuspend(")
        || text.starts_with("kill(")
}

/// The position of the first line at or after `from` of process `pid` (None: the first
/// process in our traces) whose text satisfies `pred`.
fn position(
    lines: &[Line],
    pid: Option<i32>,
    from: usize,
    pred: impl Fn(&str) -> bool,
) -> Option<usize> {
    lines
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, l)| l.pid == pid && pred(&l.text))
        .map(|(i, _)| i)
}

fn trace_text(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| match l.pid {
            Some(pid) => format!("[pid {pid}] {}\n", l.text),
            None => format!("{}\n", l.text),
        })
        .collect()
}

/// The number after `key` in `text` (`si_pid=` of a signal line).
fn number_after(text: &str, key: &str) -> Option<i32> {
    let at = text.find(key)? + key.len();
    let digits: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

// --- 1. SIGALRM from setitimer -------------------------------------------------------

#[test]
fn setitimer_ticks_reach_the_handler() {
    let dir = scratch_dir("signals_alarm");
    let Some(program) = compile_c("sig_alarm", &dir) else {
        return;
    };
    let program = path_str(&program);
    let native = run(program, &["5"]);
    assert_eq!(native.status.code(), Some(0), "{native:?}");
    assert_eq!(native.stdout_text(), "ticks=5\n");

    let (ours, lines) = traced(&dir, &[program, "5"]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    assert_eq!(ours.stdout, native.stdout);
    let alarms: Vec<&Line> = lines
        .iter()
        .filter(|l| l.text.starts_with("--- SIGALRM "))
        .collect();
    // Every tick found the signal unblocked in sigsuspend and ran the handler once; the
    // one that may be pending when the timer is stopped is never delivered.
    assert_eq!(alarms.len(), 5, "{}", trace_text(&lines));
    for alarm in &alarms {
        assert_eq!(alarm.pid, None);
        assert_eq!(
            alarm.text, "--- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---",
            "an itimer's signal comes from the kernel"
        );
    }
    let suspends = lines
        .iter()
        .filter(|l| {
            l.text == "rt_sigsuspend([], 8) = ? ERESTARTNOHAND (To be restarted if no handler)"
        })
        .count();
    assert_eq!(suspends, 5, "{}", trace_text(&lines));
    let returns: Vec<&Line> = lines
        .iter()
        .filter(|l| l.text.starts_with("rt_sigreturn("))
        .collect();
    assert_eq!(returns.len(), 5);
    for ret in returns {
        assert!(
            ret.text.ends_with(") = -1 EINTR (Interrupted system call)"),
            "{}",
            ret.text
        );
        note_format(
            "SIGALRM",
            &ret.text,
            "rt_sigreturn({mask=[ALRM]}) = -1 EINTR (Interrupted system call)",
        );
    }

    if let Some((strace, theirs)) = straced(&dir, &[program, "5"]) {
        assert_eq!(strace.stdout, native.stdout);
        let strace_alarms = theirs
            .iter()
            .filter(|l| l.text == "--- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---")
            .count();
        assert_eq!(strace_alarms, 5, "strace sees the same five ticks");
        compare_with_strace("SIGALRM", &lines, &theirs, signal_related);
    }
}

// --- 2. SIGCHLD handler --------------------------------------------------------------

#[test]
fn sigchld_handler_runs_once_per_child() {
    let dir = scratch_dir("signals_chld");
    let Some(program) = compile_c("sig_chld", &dir) else {
        return;
    };
    let program = path_str(&program);
    let native = run(program, &["4"]);
    assert_eq!(native.status.code(), Some(0), "{native:?}");
    assert_eq!(native.stdout_text(), "sigchld=4\nstatuses=10\n");

    let (ours, lines) = traced(&dir, &[program, "4"]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    assert_eq!(ours.stdout, native.stdout);
    let chlds: Vec<&Line> = lines
        .iter()
        .filter(|l| l.text.starts_with("--- SIGCHLD "))
        .collect();
    assert_eq!(chlds.len(), 4, "{}", trace_text(&lines));
    let mut statuses = Vec::new();
    for chld in chlds {
        assert_eq!(chld.pid, None, "the parent receives SIGCHLD");
        let child = number_after(&chld.text, "si_pid=").expect("si_pid");
        let status = number_after(&chld.text, "si_status=").expect("si_status");
        let prefix = format!(
            "--- SIGCHLD {{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid={child}, si_uid={}, si_status={status}, ",
            uid()
        );
        assert!(chld.text.starts_with(&prefix), "{}", chld.text);
        assert!(
            lines
                .iter()
                .any(|l| l.pid == Some(child) && l.text == format!("+++ exited with {status} +++")),
            "si_pid and si_status are the child's:\n{}",
            trace_text(&lines)
        );
        assert!(
            lines.iter().any(|l| l.pid.is_none()
                && l.text.starts_with(&format!(
                    "wait4({child}, [{{WIFEXITED(s) && WEXITSTATUS(s) == {status}}}]"
                ))),
            "{}",
            trace_text(&lines)
        );
        if chld.text.ends_with(", ...} ---") {
            note_format(
                "SIGCHLD",
                &chld.text,
                &format!("{prefix}si_utime=0, si_stime=0}} ---"),
            );
        }
        statuses.push(status);
    }
    statuses.sort();
    assert_eq!(statuses, [1, 2, 3, 4]);

    if let Some((strace, theirs)) = straced(&dir, &[program, "4"]) {
        assert_eq!(strace.stdout, native.stdout);
        compare_with_strace("SIGCHLD", &lines, &theirs, signal_related);
    }
}

// --- 3. SIGSEGV caught and recovered ------------------------------------------------

#[test]
fn sigsegv_handler_recovers_with_siglongjmp() {
    let dir = scratch_dir("signals_segv");
    let Some(program) = compile_c("sig_segv", &dir) else {
        return;
    };
    let program = path_str(&program);
    let native = run(program, &[] as &[&str]);
    assert_eq!(native.status.code(), Some(0), "{native:?}");
    assert_eq!(native.stdout_text(), "recovered\n");

    let (ours, lines) = traced(&dir, &[program]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    assert_eq!(ours.stdout, native.stdout);
    let segvs: Vec<&Line> = lines
        .iter()
        .filter(|l| l.text.starts_with("--- SIGSEGV "))
        .collect();
    assert_eq!(segvs.len(), 1, "{}", trace_text(&lines));
    assert!(
        segvs[0]
            .text
            .starts_with("--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr="),
        "{}",
        segvs[0].text
    );
    note_format(
        "SIGSEGV",
        &segvs[0].text,
        "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---",
    );
    assert_eq!(lines.last().unwrap().text, "+++ exited with 0 +++");
    assert!(!lines.iter().any(|l| l.text.starts_with("+++ killed")));

    if let Some((strace, theirs)) = straced(&dir, &[program]) {
        assert_eq!(strace.stdout, native.stdout);
        assert!(
            theirs.iter().any(|l| l.text
                == "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---"),
            "strace's own form:\n{}",
            trace_text(&theirs)
        );
        compare_with_strace("SIGSEGV", &lines, &theirs, signal_related);
    }
}

// --- 4. kill() between traced processes ----------------------------------------------

#[test]
fn kill_between_parent_and_child() {
    let dir = scratch_dir("signals_kill");
    let Some(program) = compile_c("sig_kill", &dir) else {
        return;
    };
    let program = path_str(&program);
    let expected = "child: SIGUSR2 from parent\nparent: SIGUSR1 from child\nchild exited 0\n";
    let native = run(program, &[] as &[&str]);
    assert_eq!(native.status.code(), Some(0), "{native:?}");
    assert_eq!(native.stdout_text(), expected);

    let (ours, lines) = traced(&dir, &[program]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    assert_eq!(ours.stdout_text(), expected);
    let text = trace_text(&lines);
    // The child: the one process other than the first with a SIGUSR2 line.
    let usr2 = lines
        .iter()
        .find(|l| l.text.starts_with("--- SIGUSR2 "))
        .unwrap_or_else(|| panic!("no SIGUSR2 line:\n{text}"));
    let child = usr2.pid.expect("the child gets SIGUSR2");
    let parent = number_after(&usr2.text, "si_pid=").expect("si_pid");
    let u = uid();
    assert_eq!(
        usr2.text,
        format!(
            "--- SIGUSR2 {{si_signo=SIGUSR2, si_code=SI_USER, si_pid={parent}, si_uid={u}}} ---"
        )
    );
    assert!(
        lines
            .iter()
            .any(|l| l.pid.is_none() && l.text == format!("kill({child}, SIGUSR2) = 0")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.pid == Some(child) && l.text == format!("kill({parent}, SIGUSR1) = 0")),
        "{text}"
    );
    let usr1: Vec<&Line> = lines
        .iter()
        .filter(|l| l.text.starts_with("--- SIGUSR1 "))
        .collect();
    assert_eq!(usr1.len(), 1, "{text}");
    assert_eq!(usr1[0].pid, None, "the parent gets SIGUSR1");
    assert_eq!(
        usr1[0].text,
        format!(
            "--- SIGUSR1 {{si_signo=SIGUSR1, si_code=SI_USER, si_pid={child}, si_uid={u}}} ---"
        )
    );
    assert!(
        lines
            .iter()
            .any(|l| l.pid == Some(child) && l.text == "+++ exited with 0 +++")
    );

    if let Some((strace, theirs)) = straced(&dir, &[program]) {
        assert_eq!(strace.stdout_text(), expected);
        compare_with_strace("kill", &lines, &theirs, signal_related);
    }
}

// --- 5. sigsuspend -------------------------------------------------------------------

#[test]
fn sigsuspend_wakes_for_a_signal_from_a_child() {
    let dir = scratch_dir("signals_suspend");
    let Some(program) = compile_c("sig_suspend", &dir) else {
        return;
    };
    let program = path_str(&program);
    let expected = "woken by SIGUSR1 from child\nchild exited 0\n";
    let native = run(program, &[] as &[&str]);
    assert_eq!(native.status.code(), Some(0), "{native:?}");
    assert_eq!(native.stdout_text(), expected);

    let (ours, lines) = traced(&dir, &[program]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    assert_eq!(ours.stdout_text(), expected);
    let text = trace_text(&lines);
    let suspend = position(&lines, None, 0, |t| {
        t == "rt_sigsuspend([], 8) = ? ERESTARTNOHAND (To be restarted if no handler)"
    })
    .unwrap_or_else(|| panic!("no interrupted rt_sigsuspend:\n{text}"));
    let signal = position(&lines, None, suspend, |t| t.starts_with("--- SIGUSR1 "))
        .unwrap_or_else(|| panic!("no SIGUSR1 after rt_sigsuspend:\n{text}"));
    let child = number_after(&lines[signal].text, "si_pid=").unwrap();
    assert_eq!(
        lines[signal].text,
        format!(
            "--- SIGUSR1 {{si_signo=SIGUSR1, si_code=SI_USER, si_pid={child}, si_uid={}}} ---",
            uid()
        )
    );
    assert!(
        lines
            .iter()
            .any(|l| l.pid == Some(child) && l.text.starts_with("kill(")),
        "si_pid is the child that called kill:\n{text}"
    );
    let ret = position(&lines, None, signal, |t| t.starts_with("rt_sigreturn("))
        .unwrap_or_else(|| panic!("no rt_sigreturn after the handler:\n{text}"));
    assert!(
        lines[ret]
            .text
            .ends_with(") = -1 EINTR (Interrupted system call)"),
        "{}",
        lines[ret].text
    );
    note_format(
        "sigsuspend",
        &lines[ret].text,
        "rt_sigreturn({mask=[USR1]}) = -1 EINTR (Interrupted system call)",
    );

    if let Some((strace, theirs)) = straced(&dir, &[program]) {
        assert_eq!(strace.stdout_text(), expected);
        compare_with_strace("sigsuspend", &lines, &theirs, signal_related);
    }
}

// --- 6. EINTR and SA_RESTART ---------------------------------------------------------

/// The lines of the interrupted read of sig_eintr, in order: the read, the signal, the
/// handler's write, rt_sigreturn and the next read. Checks the common shape.
fn interrupted_read(lines: &[Line]) -> [usize; 5] {
    let text = trace_text(lines);
    let read = position(lines, None, 0, |t| {
        t.starts_with("read(3, ")
            && t.ends_with(", 1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)")
    })
    .unwrap_or_else(|| panic!("no read stopped with ERESTARTSYS:\n{text}"));
    let signal = position(lines, None, read, |t| t.starts_with("--- SIGUSR1 "))
        .unwrap_or_else(|| panic!("no SIGUSR1 after the read:\n{text}"));
    assert!(
        lines[signal]
            .text
            .starts_with("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid="),
        "{}",
        lines[signal].text
    );
    let write = position(lines, None, signal, |t| t == r#"write(4, "x", 1) = 1"#)
        .unwrap_or_else(|| panic!("no write from the handler:\n{text}"));
    let ret = position(lines, None, write, |t| t.starts_with("rt_sigreturn("))
        .unwrap_or_else(|| panic!("no rt_sigreturn:\n{text}"));
    let again = position(lines, None, ret, |t| t.starts_with("read(3, "))
        .unwrap_or_else(|| panic!("no read after the handler:\n{text}"));
    assert_eq!(lines[again].text, r#"read(3, "x", 1) = 1"#);
    [read, signal, write, ret, again]
}

#[test]
fn read_interrupted_without_sa_restart_fails_with_eintr() {
    let dir = scratch_dir("signals_eintr");
    let Some(program) = compile_c("sig_eintr", &dir) else {
        return;
    };
    let program = path_str(&program);
    let expected = "read=-1 EINTR\nread=1 x\nhandled=1\n";
    let native = run(program, &["norestart"]);
    assert_eq!(native.status.code(), Some(0), "{native:?}");
    assert_eq!(native.stdout_text(), expected);

    let (ours, lines) = traced(&dir, &[program, "norestart"]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    assert_eq!(ours.stdout_text(), expected);
    // As strace shows it: the read line itself ends in `= ? ERESTARTSYS` (that is what
    // the kernel has at the syscall-exit stop); the EINTR the program sees is what
    // rt_sigreturn hands back after the handler, as the kernel did not restart the call.
    let [_, _, _, ret, again] = interrupted_read(&lines);
    // The program's own second read, after it printed the error.
    assert!(
        lines[ret + 1..again]
            .iter()
            .any(|l| l.pid.is_none() && l.text.starts_with("write(1, \"read=-1 EINTR\\n\"")),
        "{}",
        trace_text(&lines)
    );
    assert!(
        lines[ret]
            .text
            .ends_with(") = -1 EINTR (Interrupted system call)"),
        "{}",
        lines[ret].text
    );
    note_format(
        "EINTR",
        &lines[ret].text,
        "rt_sigreturn({mask=[]}) = -1 EINTR (Interrupted system call)",
    );

    if let Some((strace, theirs)) = straced(&dir, &[program, "norestart"]) {
        assert_eq!(strace.stdout_text(), expected);
        compare_with_strace("EINTR", &lines, &theirs, |t| {
            signal_related(t) || t.starts_with("read(3, ") && !t.contains("ELF")
        });
    }
}

#[test]
fn read_interrupted_with_sa_restart_is_restarted() {
    let dir = scratch_dir("signals_restart");
    let Some(program) = compile_c("sig_eintr", &dir) else {
        return;
    };
    let program = path_str(&program);
    let expected = "read=1 x\nhandled=1\n";
    let native = run(program, &["restart"]);
    assert_eq!(native.status.code(), Some(0), "{native:?}");
    assert_eq!(native.stdout_text(), expected);

    let (ours, lines) = traced(&dir, &[program, "restart"]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    assert_eq!(ours.stdout_text(), expected);
    let [_, _, _, ret, again] = interrupted_read(&lines);
    // Nothing else of the first process between: the read after rt_sigreturn is the
    // kernel's restart, not a call of the program.
    let between: Vec<&Line> = lines[ret + 1..again]
        .iter()
        .filter(|l| l.pid.is_none() && !l.text.starts_with("--- SIGCHLD "))
        .collect();
    assert!(between.is_empty(), "{between:?}");
    // rt_sigreturn puts back the registers of the restarted call: rax is read's number, 0.
    assert!(lines[ret].text.ends_with(") = 0"), "{}", lines[ret].text);
    note_format(
        "SA_RESTART",
        &lines[ret].text,
        "rt_sigreturn({mask=[]}) = 0",
    );

    if let Some((strace, theirs)) = straced(&dir, &[program, "restart"]) {
        assert_eq!(strace.stdout_text(), expected);
        compare_with_strace("SA_RESTART", &lines, &theirs, |t| {
            signal_related(t) || t.starts_with("read(3, ") && !t.contains("ELF")
        });
    }
}

// --- 7. Job control ------------------------------------------------------------------

/// The one-letter state of process `pid` (`S`, `T`, `t`, `Z`...), None once it is gone.
fn proc_state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    after.chars().next()
}

/// Parent pid and state of process `pid`.
fn proc_ppid_state(pid: i32) -> Option<(i32, char)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat[stat.rfind(')')? + 2..].split(' ');
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((ppid, state))
}

fn proc_comm(pid: i32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|c| c.trim_end().to_string())
}

/// Pids of the processes whose parent is `ppid`.
fn children_of(ppid: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| proc_ppid_state(pid).is_some_and(|(parent, _)| parent == ppid))
        .collect()
}

/// Polls `check` every 10 ms until it gives a value; None after `DEADLINE`.
fn wait_for<T>(mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if start.elapsed() > DEADLINE {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn send(pid: i32, signal: i32) {
    // SAFETY: kill has no memory preconditions.
    let r = unsafe { libc::kill(pid, signal) };
    assert_eq!(r, 0, "kill({pid}, {signal})");
}

/// Kills `child` and its process group (it leads one) when the test panics.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            // SAFETY: kill has no memory preconditions; the group is the child's own.
            unsafe { libc::kill(-(self.0.id() as i32), libc::SIGKILL) };
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// What a stopped-then-continued run produced.
struct StopRun {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
    /// State of the stopped process when first seen stopped, and 0.5 s later.
    states: (char, char),
}

/// Starts `command` in a process group of its own (so the group is not orphaned and
/// SIGTSTP stops it as in a shell's job), finds the `sh` it runs (`sh_pid` from the
/// spawned process' pid), waits for it to stop, checks it stays stopped for 0.5 s with
/// nothing printed, continues it with SIGCONT and waits for the end.
fn stop_and_continue(mut command: Command, sh_pid: impl Fn(i32) -> Option<i32>) -> StopRun {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = Reaper(command.spawn().expect("spawn"));
    let mut stdout = child.0.stdout.take().unwrap();
    let mut stderr = child.0.stderr.take().unwrap();
    let (sender, chunks) = mpsc::channel::<Vec<u8>>();
    let out_reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            let _ = sender.send(buf[..n].to_vec());
        }
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    });
    let spawned = child.0.id() as i32;
    let sh = wait_for(|| sh_pid(spawned)).expect("the sh process never appeared");
    let first = wait_for(|| proc_state(sh).filter(|s| matches!(s, 't' | 'T')))
        .unwrap_or_else(|| panic!("sh {sh} never stopped: state {:?}", proc_state(sh)));
    std::thread::sleep(Duration::from_millis(500));
    let later = proc_state(sh).expect("the stopped sh is gone");
    assert!(
        child.0.try_wait().unwrap().is_none(),
        "ended while its program was stopped"
    );
    let early: Vec<u8> = chunks.try_iter().flatten().collect();
    assert!(
        early.is_empty(),
        "printed while stopped: {:?}",
        String::from_utf8_lossy(&early)
    );
    send(sh, libc::SIGCONT);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "did not finish after SIGCONT (sh state {:?})",
            proc_state(sh)
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    out_reader.join().unwrap();
    let stderr = err_reader.join().unwrap();
    let stdout: Vec<u8> = chunks.try_iter().flatten().collect();
    StopRun {
        status,
        stdout,
        stderr,
        states: (first, later),
    }
}

/// The `sh` child of `parent`, once it has executed sh.
fn sh_child(parent: i32) -> Option<i32> {
    children_of(parent)
        .into_iter()
        .find(|&pid| proc_comm(pid).as_deref() == Some("sh"))
}

fn job_control(signal: &str) {
    let dir = scratch_dir(&format!("signals_job_{signal}"));
    let script = format!("kill -{signal} $$; echo after");

    let mut native = Command::new("sh");
    native.args(["-c", &script]);
    let native = stop_and_continue(native, Some);
    assert_eq!(native.status.code(), Some(0));
    assert_eq!(native.stdout, b"after\n");
    assert_eq!(native.states, ('T', 'T'));

    let trace_file = dir.join("trace");
    let mut ours = Command::new(common::interpose_bin());
    ours.args(["-o", path_str(&trace_file), "sh", "-c", &script]);
    let ours = stop_and_continue(ours, sh_child);
    assert_eq!(
        ours.status.code(),
        Some(0),
        "{:?} {}",
        ours.status,
        ours.stderr
    );
    assert_eq!(ours.stdout, b"after\n");
    assert!(
        matches!(ours.states, ('t' | 'T', 't' | 'T')),
        "{:?}",
        ours.states
    );
    let lines = parse_trace(&std::fs::read_to_string(&trace_file).unwrap());
    let text = trace_text(&lines);
    let name = format!("SIG{signal}");
    let sent = position(&lines, None, 0, |t| {
        t.starts_with(&format!(
            "--- {name} {{si_signo={name}, si_code=SI_USER, si_pid="
        ))
    })
    .unwrap_or_else(|| panic!("no {name} line:\n{text}"));
    let stopped = position(&lines, None, sent, |t| {
        t == format!("--- stopped by {name} ---")
    })
    .unwrap_or_else(|| panic!("no `stopped by` line:\n{text}"));
    let cont = position(&lines, None, stopped, |t| t.starts_with("--- SIGCONT "))
        .unwrap_or_else(|| panic!("no SIGCONT line:\n{text}"));
    assert_eq!(
        lines[cont].text,
        format!(
            "--- SIGCONT {{si_signo=SIGCONT, si_code=SI_USER, si_pid={}, si_uid={}}} ---",
            std::process::id(),
            uid()
        )
    );
    assert!(
        position(&lines, None, cont, |t| t
            .starts_with(r#"write(1, "after\n", 6)"#))
        .is_some(),
        "{text}"
    );
    assert_eq!(lines.last().unwrap().text, "+++ exited with 0 +++");

    if common::have("strace") {
        let strace_file = dir.join("strace");
        let mut strace = Command::new("strace");
        strace.args(["-f", "-o", path_str(&strace_file), "sh", "-c", &script]);
        let strace = stop_and_continue(strace, sh_child);
        assert_eq!(strace.stdout, b"after\n");
        let theirs = parse_strace(&std::fs::read_to_string(&strace_file).unwrap());
        compare_with_strace(&format!("job control {name}"), &lines, &theirs, |t| {
            t.starts_with("--- ") || t.starts_with("+++ ")
        });
    }
}

#[test]
fn kill_stop_stays_stopped_until_sigcont() {
    job_control("STOP");
}

#[test]
fn kill_tstp_stays_stopped_until_sigcont() {
    job_control("TSTP");
}

// --- 8. SIGTRAP sent with kill -------------------------------------------------------

#[test]
fn sigtrap_from_kill_kills_like_natively() {
    let script = r#"sh -c "kill -TRAP \$\$"; echo $?"#;
    let native = run("sh", &["-c", script]);
    assert_eq!(native.status.code(), Some(0));
    assert_eq!(native.stdout_text(), "133\n");

    let dir = scratch_dir("signals_trap");
    let (ours, lines) = traced(&dir, &["sh", "-c", script]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    assert_eq!(ours.stdout_text(), "133\n");
    let text = trace_text(&lines);
    let trap = lines
        .iter()
        .find(|l| l.text.starts_with("--- SIGTRAP "))
        .unwrap_or_else(|| panic!("no SIGTRAP line:\n{text}"));
    let inner = trap.pid.expect("the inner sh");
    assert_eq!(
        trap.text,
        format!(
            "--- SIGTRAP {{si_signo=SIGTRAP, si_code=SI_USER, si_pid={inner}, si_uid={}}} ---",
            uid()
        )
    );
    assert!(
        lines.iter().any(|l| l.pid == Some(inner)
            && l.text.starts_with("+++ killed by SIGTRAP")
            && l.text.ends_with(" +++")),
        "{text}"
    );
}

// --- 9. SIGKILL in a blocking call ---------------------------------------------------

#[test]
fn sigkill_in_a_blocking_read() {
    let dir = scratch_dir("signals_killblock");
    let Some(program) = compile_c("sig_killblock", &dir) else {
        return;
    };
    let program = path_str(&program);
    let native = run(program, &[] as &[&str]);
    assert_eq!(native.status.code(), Some(0), "{native:?}");
    assert_eq!(native.stdout_text(), "child killed by SIGKILL\n");

    let (ours, lines) = traced(&dir, &[program]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    assert_eq!(ours.stdout, native.stdout);
    let text = trace_text(&lines);
    let killed = lines
        .iter()
        .find(|l| l.text == "+++ killed by SIGKILL +++")
        .unwrap_or_else(|| panic!("no `killed by SIGKILL`:\n{text}"));
    let child = killed.pid.expect("the child is killed, not the parent");
    let child_lines: Vec<&Line> = lines.iter().filter(|l| l.pid == Some(child)).collect();
    let n = child_lines.len();
    assert!(n >= 2, "{text}");
    assert_eq!(child_lines[n - 1].text, "+++ killed by SIGKILL +++");
    let read = &child_lines[n - 2].text;
    assert!(
        read.starts_with("read(3, ") && read.ends_with(") = ?"),
        "the read never returned:\n{text}"
    );
    note_format("SIGKILL in read", read, "read(3,  <unfinished ...>) = ?");
    assert!(
        lines
            .iter()
            .any(|l| l.pid.is_none() && l.text == format!("kill({child}, SIGKILL) = 0")),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.pid.is_none()
            && l.text.starts_with(&format!(
                "--- SIGCHLD {{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid={child}, si_uid={}, si_status=SIGKILL, ",
                uid()
            ))),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.pid.is_none()
            && l.text
                == format!(
                    "wait4({child}, [{{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}}], 0, NULL) = {child}"
                )),
        "{text}"
    );
    assert_eq!(lines.last().unwrap().text, "+++ exited with 0 +++");

    if let Some((strace, theirs)) = straced(&dir, &[program]) {
        assert_eq!(strace.stdout, native.stdout);
        compare_with_strace("SIGKILL in read", &lines, &theirs, |t| {
            signal_related(t) || t.starts_with("read(3, ") && !t.contains("ELF")
        });
    }
}

// --- 10. Daemons ---------------------------------------------------------------------

/// Waits (up to `DEADLINE`) for `file` to appear.
fn wait_for_file(file: &Path) -> bool {
    wait_for(|| file.exists().then_some(())).is_some()
}

#[test]
fn waits_for_a_daemonized_grandchild() {
    let dir = scratch_dir("signals_daemon");
    let Some(program) = compile_c("sig_daemon", &dir) else {
        return;
    };
    let program = path_str(&program);
    let file: PathBuf = dir.join("written-by-daemon");
    let native = run(program, &[path_str(&file)]);
    assert_eq!(native.status.code(), Some(0), "{native:?}");
    let natively_early = !file.exists();
    assert!(wait_for_file(&file), "the daemon never wrote its file");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "done\n");
    if !natively_early {
        eprintln!("note: natively the file was already there when the program returned");
    }
    std::fs::remove_file(&file).unwrap();

    let (ours, lines) = traced(&dir, &[program, path_str(&file)]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    assert!(
        file.exists(),
        "interpose returned before the daemon wrote its file (after {:?})",
        ours.elapsed
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "done\n");
    assert!(
        ours.elapsed >= Duration::from_millis(500),
        "{:?}",
        ours.elapsed
    );
    let text = trace_text(&lines);
    let rename = lines
        .iter()
        .find(|l| l.text.starts_with("rename("))
        .unwrap_or_else(|| panic!("no rename:\n{text}"));
    let daemon = rename.pid.expect("the daemon is not the first process");
    assert!(
        lines
            .iter()
            .any(|l| l.pid == Some(daemon) && l.text == "+++ exited with 0 +++"),
        "the daemon's end is in the trace:\n{text}"
    );
    let exits = lines
        .iter()
        .filter(|l| l.text == "+++ exited with 0 +++")
        .count();
    assert_eq!(exits, 3, "first process, middle and daemon:\n{text}");
    std::fs::remove_file(&file).unwrap();

    if common::have("strace") {
        let strace_file = dir.join("strace");
        let strace = run(
            "strace",
            &["-f", "-o", path_str(&strace_file), program, path_str(&file)],
        );
        if !file.exists() {
            eprintln!("note: strace -f returned before the daemon wrote its file");
        }
        assert!(wait_for_file(&file), "{strace:?}");
    }
}

// --- 11. Orphans and zombies ---------------------------------------------------------

/// Zombies whose parent is `ppid`.
fn zombies_of(ppid: i32) -> Vec<i32> {
    children_of(ppid)
        .into_iter()
        .filter(|&pid| proc_state(pid) == Some('Z'))
        .collect()
}

/// Waits (up to `DEADLINE`) for process `pid` to be gone from /proc: reaped by whoever
/// adopted it.
fn gone(pid: i32) -> bool {
    wait_for(|| proc_state(pid).is_none().then_some(())).is_some()
}

fn orphan_pid(run: &Run) -> i32 {
    let out = run.stdout_text();
    out.trim()
        .strip_prefix("orphan=")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output {out:?}"))
}

#[test]
fn orphans_leave_no_zombies() {
    let dir = scratch_dir("signals_orphan");
    let Some(program) = compile_c("sig_orphan", &dir) else {
        return;
    };
    let program = path_str(&program);
    let me = std::process::id() as i32;

    let native = run(program, &[] as &[&str]);
    assert_eq!(native.status.code(), Some(0), "{native:?}");
    let orphan = orphan_pid(&native);
    if !gone(orphan) {
        eprintln!(
            "skipped: natively the orphan {orphan} is still there ({:?}) after {DEADLINE:?}: \
             this system's init does not reap adopted children",
            proc_state(orphan)
        );
        return;
    }

    let (ours, lines) = traced(&dir, &[program]);
    assert_eq!(ours.status.code(), Some(0), "{}", ours.stderr);
    let orphan = orphan_pid(&ours);
    // interpose saw the orphan end before returning: it has exited (maybe not yet reaped
    // by the process that adopted it).
    let state = proc_state(orphan);
    assert!(
        matches!(state, None | Some('Z')),
        "the orphan {orphan} is still running ({state:?}) after interpose returned"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.pid == Some(orphan) && l.text == "+++ exited with 0 +++"),
        "{}",
        trace_text(&lines)
    );
    assert!(gone(orphan), "the orphan {orphan} stays a zombie");
    // Zombies of this test process: any that are there now must be reaped soon (other
    // tests' children are reaped by their own waits within milliseconds).
    let zombies = zombies_of(me);
    let left = wait_for(|| {
        let now = zombies_of(me);
        zombies.iter().all(|z| !now.contains(z)).then_some(())
    });
    assert!(
        left.is_some(),
        "zombies of the test process: {:?}",
        zombies_of(me)
    );
}

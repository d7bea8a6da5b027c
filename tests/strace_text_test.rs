//! strace's text, byte for byte: real programs traced by `interpose -o A --keep-vdso PROG`
//! and by `strace -f -o B PROG`, compared line by line.
//!
//! Layout is checked on every raw line of both traces by the rules read from strace's
//! source (`printleader`, `tabto`): the `PID ` prefix (`%-5d `), ` = ` padded to column 40,
//! `<unfinished ...>` only when another process's line follows, `<... NAME resumed>` only
//! after another process's line. (strace's own output is checked by the same rules, which
//! keeps the rules honest.) Then each process's lines, split lines joined, are compared in
//! order after replacing only pids (named by their place in the process tree), addresses
//! (`0x...`), times, and random bytes (getrandom buffers, temporary file names). Lines
//! that differ must be listed below as known differences: a decoder gap, each to be fixed
//! in the decoding issue, or a call whose presence depends on timing in that program.
//!
//! Skips, saying why, when strace (or a program) is not installed.

mod common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

/// Which trace a known difference shows in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Ours,
    Strace,
    Both,
}

/// Lines allowed to differ: those of syscall `call` (or, with `call` empty, any line)
/// containing every one of `contains`, in the trace(s) of `side`.
#[derive(Debug)]
struct Known {
    side: Side,
    call: &'static str,
    contains: &'static [&'static str],
    why: &'static str,
}

impl Known {
    fn covers(&self, side: Side, line: &str) -> bool {
        (self.side == Side::Both || self.side == side)
            && (self.call.is_empty() || syscall_of(line) == Some(self.call))
            && self.contains.iter().all(|part| line.contains(part))
    }
}

/// Where interpose's decoders and strace's disagree. Each is a gap to close in the
/// decoding issue; each rule names one syscall and what tells its lines apart.
const DECODER_GAPS: &[Known] = &[
    Known {
        side: Side::Ours,
        call: "clone3",
        contains: &["= -1 ENOSYS (Function not implemented)"],
        why: "clone3: interpose refuses a clone3 it cannot rewrite into clone with ENOSYS \
              (glibc then calls clone), where strace lets it run",
    },
    Known {
        side: Side::Ours,
        call: "clone",
        contains: &["|CLONE_THREAD|"],
        why: "clone: the thread clone glibc makes after interpose refused its clone3 (see above)",
    },
    Known {
        side: Side::Strace,
        call: "clone3",
        contains: &["}, 88) = "],
        why: "clone3: strace shows the thread clone3 that interpose refused (see above)",
    },
    Known {
        side: Side::Strace,
        call: "getdents64",
        contains: &[" entries */, "],
        why: "getdents64: strace counts the entries read, `0x55d0... /* 5 entries */`",
    },
    Known {
        side: Side::Ours,
        call: "getdents64",
        contains: &[", 0x?, "],
        why: "getdents64: interpose shows the buffer's address only",
    },
    Known {
        side: Side::Strace,
        call: "getcwd",
        contains: &[],
        why: "getcwd: interpose cuts the path at -s (32 bytes, `...`); strace shows it whole",
    },
    Known {
        side: Side::Ours,
        call: "getcwd",
        contains: &["\"..., "],
        why: "getcwd: interpose cuts the path at -s (32 bytes, `...`); strace shows it whole",
    },
    Known {
        side: Side::Both,
        call: "sysinfo",
        contains: &[", mem_unit="],
        why: "sysinfo: uptime, loads and free memory change from run to run",
    },
    Known {
        side: Side::Both,
        call: "fstatfs",
        contains: &[", f_bfree="],
        why: "fstatfs of a disk: its free blocks and files change from run to run",
    },
];

/// A program traced by both tracers, in its own directory, with the same arguments.
struct Program {
    name: &'static str,
    argv: Vec<String>,
    /// Its working directory.
    work: PathBuf,
    /// Files it creates, removed before each run so both runs start alike.
    outputs: Vec<&'static str>,
    /// Calls whose place, presence or number depends on timing in this program (a signal
    /// that comes earlier or later, a futex that is contended or not): set aside before
    /// comparing.
    timing: &'static [Known],
    /// Calls the program makes in some runs and not in others, at a fixed place: excused
    /// only where one trace has them and the other does not.
    sometimes: &'static [Known],
}

/// A shell's SIGCHLD handler runs whenever a child ends: where it interrupts the parent
/// differs from run to run.
const SHELL_TIMING: &[Known] = &[
    Known {
        side: Side::Both,
        call: "",
        contains: &["--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED"],
        why: "a child's SIGCHLD arrives at a different point of the parent in each run",
    },
    Known {
        side: Side::Both,
        call: "rt_sigreturn",
        contains: &[],
        why: "the return from the SIGCHLD handler follows the signal",
    },
    Known {
        side: Side::Both,
        call: "wait4",
        contains: &[],
        why: "the shell reaps children as their SIGCHLD arrives: which wait4 finds which \
              child (or ECHILD, or is interrupted) depends on timing",
    },
    Known {
        side: Side::Both,
        call: "clone",
        contains: &["ERESTARTNOINTR"],
        why: "a fork that a child's SIGCHLD interrupts is restarted: whether one is depends \
              on timing",
    },
];

/// pthread_join waits on a futex only when the thread has not exited yet.
const THREAD_TIMING: &[Known] = &[Known {
    side: Side::Both,
    call: "futex",
    contains: &["FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME"],
    why: "pthread_join blocks on the thread's tid futex only if the thread is still running",
}];

/// glibc's mkstemp usually makes its name from the clock, but draws again, from getrandom,
/// when the value falls where it would bias the name: now and then, in either run.
const MKSTEMP_RANDOMNESS: &[Known] = &[Known {
    side: Side::Both,
    call: "getrandom",
    contains: &[", 8, GRND_NONBLOCK) = 8"],
    why: "mkstemp calls getrandom only when its clock-based value is rejected",
}];

/// The programs, in a fresh directory tree under `root`; `None` for those not installed.
fn programs(root: &Path) -> Vec<Program> {
    let work = |name: &str| -> PathBuf {
        let dir = root.join(name).join("work");
        std::fs::create_dir_all(&dir).unwrap();
        write_data(&dir);
        dir
    };
    let text = |args: &[&str]| -> Vec<String> { args.iter().map(|s| s.to_string()).collect() };
    let mut list = vec![
        Program {
            name: "cat",
            argv: text(&["/bin/cat", "data/sample.txt"]),
            work: work("cat"),
            outputs: vec![],
            timing: &[],
            sometimes: &[],
        },
        Program {
            name: "ls -la",
            argv: text(&["/bin/ls", "-la", "data"]),
            work: work("ls"),
            outputs: vec![],
            timing: &[],
            sometimes: &[],
        },
        Program {
            name: "sh pipeline",
            argv: text(&["/bin/sh", "-c", "printf 'b\\na\\nc\\n' | sort | head -n 2"]),
            work: work("sh"),
            outputs: vec![],
            timing: SHELL_TIMING,
            sometimes: &[],
        },
        Program {
            name: "find",
            argv: text(&["/usr/bin/find", "data", "-name", "*.txt"]),
            work: work("find"),
            outputs: vec![],
            timing: &[],
            sometimes: &[],
        },
        Program {
            name: "sort -o",
            argv: text(&["/usr/bin/sort", "-r", "-o", "sorted.txt", "data/sample.txt"]),
            work: work("sort"),
            outputs: vec!["sorted.txt"],
            timing: &[],
            sometimes: &[],
        },
        Program {
            name: "sha256sum",
            argv: text(&["/usr/bin/sha256sum", "data/sample.txt", "data/no-such-file"]),
            work: work("sha256sum"),
            outputs: vec![],
            timing: &[],
            sometimes: &[],
        },
    ];
    if let Some(python) = installed(&["/usr/bin/python3", "python3"]) {
        list.push(Program {
            name: "python3",
            argv: vec![
                python,
                "-c".into(),
                "import json, os; print(json.dumps({'a': [1, 2]}), os.listdir('data'))".into(),
            ],
            work: work("python3"),
            outputs: vec![],
            timing: &[],
            sometimes: &[],
        });
    }
    if common::have("cc") {
        for (name, source, timing) in [
            ("threads (C)", "text_threads", THREAD_TIMING),
            ("signal handlers (C)", "text_signals", &[] as &[Known]),
        ] {
            let dir = work(source);
            if let Some(binary) = common::compile_c(source, &dir) {
                list.push(Program {
                    name,
                    argv: vec![binary.to_str().unwrap().to_string()],
                    work: dir,
                    outputs: vec![],
                    timing,
                    sometimes: &[],
                });
            }
        }
    }
    if let Some(gcc) = installed(&["gcc"]) {
        let dir = work("gcc");
        std::fs::write(
            dir.join("hello.c"),
            "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
        )
        .unwrap();
        list.push(Program {
            name: "gcc",
            argv: vec![
                gcc,
                "-c".into(),
                "hello.c".into(),
                "-o".into(),
                "hello.o".into(),
            ],
            work: dir,
            outputs: vec!["hello.o"],
            timing: &[],
            sometimes: MKSTEMP_RANDOMNESS,
        });
    }
    if installed(&["tar"]).is_some() && installed(&["gzip"]).is_some() {
        list.push(Program {
            name: "tar with gzip",
            argv: text(&["tar", "czf", "out.tgz", "data"]),
            work: work("tar"),
            outputs: vec!["out.tgz"],
            timing: &[],
            sometimes: &[],
        });
    }
    list
}

/// The files every program works on: a few texts (one with bytes strace escapes) in a tree.
fn write_data(work: &Path) {
    let data = work.join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::write(
        data.join("sample.txt"),
        "tab\there \"quotes\" and \\ backslash\nsecond line\n\x01\x02\x7f\u{e9}\n",
    )
    .unwrap();
    std::fs::write(data.join("numbers.txt"), "1\n22\n333\n").unwrap();
    std::fs::write(data.join("sub").join("deep.txt"), "deep\n").unwrap();
    std::fs::write(data.join("sub").join("other.dat"), [0u8, 1, 2, 255]).unwrap();
}

/// The first of `candidates` that exists (an absolute path) or is on PATH.
fn installed(candidates: &[&str]) -> Option<String> {
    for candidate in candidates {
        if candidate.starts_with('/') {
            if Path::new(candidate).exists() {
                return Some(candidate.to_string());
            }
        } else if common::have(candidate) {
            return Some(candidate.to_string());
        }
    }
    eprintln!("skipped: none of {candidates:?} is installed");
    None
}

/// Runs `program args` in `dir`, stdout and stderr to files in `out`, killing it (and
/// failing) after the common timeout.
fn run_in(dir: &Path, out: &Path, tag: &str, program: &str, args: &[String]) -> ExitStatus {
    let stdout = File::create(out.join(format!("{tag}.stdout"))).unwrap();
    let stderr = File::create(out.join(format!("{tag}.stderr"))).unwrap();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > common::TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{program} {args:?} did not finish within {:?}",
                common::TIMEOUT
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The two traces of one program: strace's and ours, each as `(pid, file text)` per
/// output file (one file, pid 0, unless `-ff`).
struct Traces {
    strace: Vec<(i32, String)>,
    ours: Vec<(i32, String)>,
}

/// Traces `program` with both tracers and `flags` (`-tt`, `-ff`, ...).
fn trace_both(program: &Program, flags: &[&str], tag: &str) -> Traces {
    let out = program.work.parent().unwrap().join(format!("traces{tag}"));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let separate = flags.contains(&"-ff");
    let mut traces = Vec::new();
    let mut statuses = Vec::new();
    let mut stdouts = Vec::new();
    for tracer in ["strace", "interpose"] {
        for output in &program.outputs {
            let _ = std::fs::remove_file(program.work.join(output));
        }
        let file = out.join(format!("{tracer}.trace"));
        let mut args: Vec<String> = Vec::new();
        if tracer == "strace" && !separate {
            args.push("-f".into());
        }
        if tracer == "interpose" {
            args.push("--keep-vdso".into());
        }
        args.extend(flags.iter().map(|f| f.to_string()));
        args.push("-o".into());
        args.push(file.to_str().unwrap().into());
        args.extend(program.argv.iter().cloned());
        let binary = match tracer {
            "strace" => "strace",
            _ => common::interpose_bin(),
        };
        statuses.push(run_in(&program.work, &out, tracer, binary, &args));
        stdouts.push(std::fs::read(out.join(format!("{tracer}.stdout"))).unwrap());
        traces.push(read_traces(&out, &format!("{tracer}.trace"), separate));
    }
    assert_eq!(
        statuses[0].code(),
        statuses[1].code(),
        "{}: exit status under strace and under interpose",
        program.name
    );
    assert_eq!(
        String::from_utf8_lossy(&stdouts[0]),
        String::from_utf8_lossy(&stdouts[1]),
        "{}: the program's output under strace and under interpose",
        program.name
    );
    let ours = traces.pop().unwrap();
    let strace = traces.pop().unwrap();
    Traces { strace, ours }
}

/// The trace file `name` in `dir`, or with `-ff` every `name.PID`.
fn read_traces(dir: &Path, name: &str, separate: bool) -> Vec<(i32, String)> {
    if !separate {
        let text = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("reading {name}: {e}"));
        return vec![(0, text)];
    }
    assert!(
        !dir.join(name).exists(),
        "-ff must not create {name} itself"
    );
    let mut files: Vec<(i32, String)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let file_name = entry.file_name().into_string().ok()?;
            let pid = file_name
                .strip_prefix(name)?
                .strip_prefix('.')?
                .parse()
                .ok()?;
            Some((pid, std::fs::read_to_string(entry.path()).unwrap()))
        })
        .collect();
    files.sort();
    files
}

/// One line of one process, split lines joined back: `text` is normalised, `head` is the
/// normalised part before ` <unfinished ...>` when the line was split.
#[derive(Clone, Debug)]
struct Logical {
    pid: i32,
    text: String,
    head: Option<String>,
}

/// How lines start: `-tt` puts the time of day after the pid prefix.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Shape {
    /// `PID ` before each line (a shared file), or none (`-ff`).
    prefixed: bool,
    /// `-tt` and `-T`.
    timed: bool,
}

/// Checks the layout of every line of one output file and returns its logical lines in
/// order (a split line where it started). `pid` is the file's process with `-ff`.
fn parse_file(file_pid: i32, text: &str, shape: Shape, who: &str) -> Result<Vec<Logical>, String> {
    let mut out: Vec<Logical> = Vec::new();
    // Per pid: the index in `out` of its open (unfinished) line and that line's head.
    let mut open: HashMap<i32, (usize, String)> = HashMap::new();
    let raw: Vec<&str> = text.lines().collect();
    let mut previous_pid = None;
    for (n, line) in raw.iter().enumerate() {
        let at = |problem: String| format!("{who}, line {}: {problem}\n  {line}", n + 1);
        let (pid, rest) = if shape.prefixed {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            let pid: i32 = line[..digits]
                .parse()
                .map_err(|_| at("no pid prefix".into()))?;
            let prefix = format!("{pid:<5} ");
            if !line.starts_with(&prefix) {
                return Err(at(format!(
                    "the prefix is not `{prefix}` (%-5d and a space)"
                )));
            }
            (pid, &line[prefix.len()..])
        } else {
            (file_pid, *line)
        };
        let rest = if shape.timed {
            let (time, rest) = rest
                .split_at_checked(16)
                .ok_or_else(|| at("no time".into()))?;
            let well_formed = time.len() == 16
                && time.bytes().enumerate().all(|(i, b)| match i {
                    2 | 5 => b == b':',
                    8 => b == b'.',
                    15 => b == b' ',
                    _ => b.is_ascii_digit(),
                });
            if !well_formed {
                return Err(at(format!("`{time}` is not -tt's HH:MM:SS.uuuuuu")));
            }
            rest
        } else {
            rest
        };
        let unfinished = line.ends_with(" <unfinished ...>");
        if !unfinished {
            check_alignment(line).map_err(at)?;
        }
        let text = if unfinished {
            rest.to_string()
        } else {
            collapse_padding(rest)
        };
        let text = if shape.timed {
            mask_duration(&text).map_err(at)?
        } else {
            text
        };
        if let Some(head) = text.strip_suffix(" <unfinished ...>") {
            // strace ends a line with <unfinished ...> only when another process's line
            // starts (or the process died in the call).
            match raw.get(n + 1) {
                Some(next) if shape.prefixed && next.starts_with(&format!("{pid:<5} ")) => {
                    let same_ending = next.contains("+++ exited") || next.contains("+++ killed");
                    if !same_ending {
                        return Err(at(
                            "unfinished, but the next line is the same process's".into()
                        ));
                    }
                }
                _ => {}
            }
            if !shape.prefixed && raw.get(n + 1).is_some() {
                return Err(at("a line split inside a file of its own (-ff)".into()));
            }
            open.insert(pid, (out.len(), head.to_string()));
            out.push(Logical {
                pid,
                text: text.clone(),
                head: Some(head.to_string()),
            });
        } else if let Some(resumed) = text.strip_prefix("<... ") {
            let (name, after) = resumed
                .split_once(" resumed>")
                .ok_or_else(|| at("a resumed line without `resumed>`".into()))?;
            let (index, head) = open
                .remove(&pid)
                .ok_or_else(|| at("resumed, but no line of this process is unfinished".into()))?;
            if syscall_of(&head) != Some(name) {
                return Err(at(format!("resumes {name}, but the open line is `{head}`")));
            }
            if previous_pid == Some(pid) {
                return Err(at("resumed right after a line of the same process".into()));
            }
            out[index].text = format!("{head}{after}");
        } else {
            out.push(Logical {
                pid,
                text,
                head: None,
            });
        }
        previous_pid = Some(pid);
    }
    Ok(out)
}

/// strace's `tabto`: after `) ` the result starts at column 40, or right there on a longer
/// line. Columns count from the start of the line, prefixes included.
fn check_alignment(line: &str) -> Result<(), String> {
    let Some((close, equals)) = result_separator(line) else {
        return Ok(());
    };
    let expected = (close + 2).max(40);
    if equals != expected {
        return Err(format!(
            "` = ` at column {equals}, expected {expected} (`)` at column {close})"
        ));
    }
    Ok(())
}

/// The columns of the `)` before the result and of the result's `=`: the last `)`
/// followed by spaces and `= `.
fn result_separator(line: &str) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut found = None;
    for (i, &b) in bytes.iter().enumerate() {
        if b != b')' {
            continue;
        }
        let spaces = bytes[i + 1..].iter().take_while(|&&c| c == b' ').count();
        let after = i + 1 + spaces;
        if spaces >= 1 && bytes.get(after) == Some(&b'=') && bytes.get(after + 1) == Some(&b' ') {
            found = Some((i, after));
        }
    }
    found
}

/// `close(3)          = 0` → `close(3) = 0`.
fn collapse_padding(text: &str) -> String {
    match result_separator(text) {
        Some((close, equals)) => format!("{} {}", &text[..=close], &text[equals..]),
        None => text.to_string(),
    }
}

/// `-T`'s ` <0.000012>` at the end of a line → ` <T>`.
fn mask_duration(text: &str) -> Result<String, String> {
    let Some(start) = text.rfind(" <") else {
        return Ok(text.to_string());
    };
    let tail = &text[start + 2..];
    let Some(number) = tail.strip_suffix('>') else {
        return Ok(text.to_string());
    };
    let Some((secs, micros)) = number.split_once('.') else {
        return Ok(text.to_string());
    };
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(text.to_string());
    }
    if micros.len() != 6 || !micros.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{tail}` is not -T's <S.uuuuuu>"));
    }
    Ok(format!("{} <T>", &text[..start]))
}

/// The syscall name a line starts with.
fn syscall_of(text: &str) -> Option<&str> {
    let end = text.find('(')?;
    let name = &text[..end];
    (!name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'))
        .then_some(name)
}

/// Replaces what differs between two runs of the same program: addresses, random bytes,
/// temporary file names, CPU times. Pids are named later, once the tree is known.
fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        out.push_str("0x?");
        rest = rest[at + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    if let Some(after) = out.strip_prefix("getrandom(\"") {
        let end = string_end(after);
        out = format!("getrandom(\"?\"{}", &after[end..]);
    }
    // mkstemp names (gcc's /tmp/ccAbC123.s).
    let temporary: Vec<usize> = out.match_indices("/tmp/cc").map(|(at, _)| at + 7).collect();
    for at in temporary {
        let name = out.as_bytes().get(at..at + 6);
        if name.is_some_and(|name| name.iter().all(u8::is_ascii_alphanumeric)) {
            out.replace_range(at..at + 6, "XXXXXX");
        }
    }
    // CPU times.
    for field in ["ru_utime={", "ru_stime={"] {
        if let Some(at) = out.find(field) {
            let start = at + field.len();
            let end = start + out[start..].find('}').unwrap_or(0);
            out.replace_range(start..end, "?");
        }
    }
    for field in ["si_utime=", "si_stime="] {
        if let Some(at) = out.find(field) {
            let start = at + field.len();
            let mut end = start + out[start..].bytes().take_while(u8::is_ascii_digit).count();
            if out[end..].starts_with(" /* ") {
                end += out[end..].find(" */").map_or(0, |e| e + 3);
            }
            out.replace_range(start..end, "?");
        }
    }
    out
}

/// The index just past the closing quote of a C string literal whose opening quote is
/// already consumed.
fn string_end(literal: &str) -> usize {
    let bytes = literal.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Calls whose result is a pid.
const PID_RESULTS: &[&str] = &[
    "clone",
    "clone3",
    "fork",
    "vfork",
    "getpid",
    "gettid",
    "getppid",
    "set_tid_address",
    "wait4",
    "waitid",
    "getpgid",
    "getpgrp",
    "getsid",
    "setsid",
    // The interrupted call's result, restored: after a SIGCHLD often a pid from wait4.
    "rt_sigreturn",
];

/// Calls whose first argument is a pid.
const PID_FIRST_ARGS: &[&str] = &[
    "kill",
    "tkill",
    "tgkill",
    "wait4",
    "getpgid",
    "setpgid",
    "getsid",
    "prlimit64",
    "sched_getaffinity",
    "sched_setaffinity",
    "sched_getscheduler",
    "sched_getparam",
    "pidfd_open",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "getpriority",
    "setpriority",
];

/// Names the pids of a trace by their place in the process tree (`P`, `P.1`, `P.1.2`: the
/// second child of the first child), found from the results of clone, fork and vfork.
fn name_pids(lines: &[Logical]) -> HashMap<i32, String> {
    let mut names: HashMap<i32, String> = HashMap::new();
    let mut children: HashMap<i32, usize> = HashMap::new();
    let Some(first) = lines.first() else {
        return names;
    };
    names.insert(first.pid, "P".into());
    // Children can show up before their parent's clone returns: name in rounds.
    loop {
        let before = names.len();
        children.clear();
        for line in lines {
            let Some(parent) = names.get(&line.pid).cloned() else {
                continue;
            };
            let Some(call) = syscall_of(&line.text) else {
                continue;
            };
            if !matches!(call, "clone" | "clone3" | "fork" | "vfork") {
                continue;
            }
            let Some(child) = result_number(&line.text).filter(|&n| n > 0) else {
                continue;
            };
            let count = children.entry(line.pid).or_default();
            *count += 1;
            names
                .entry(child as i32)
                .or_insert(format!("{parent}.{count}"));
        }
        if names.len() == before {
            return names;
        }
    }
}

/// The number after the last `) = `, when the result is one.
fn result_number(text: &str) -> Option<i64> {
    let at = text.rfind(") = ")?;
    let digits: String = text[at + 4..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Replaces the pids in one line by their names.
fn rename_pids(text: &str, names: &HashMap<i32, String>) -> String {
    let name = |number: &str| -> String {
        let (sign, digits) = match number.strip_prefix('-') {
            Some(digits) => ("-", digits),
            None => ("", number),
        };
        match digits.parse::<i32>() {
            Ok(pid) if names.contains_key(&pid) => format!("{sign}{}", names[&pid]),
            Ok(pid) if pid > 1 => format!("{sign}PID?"),
            _ => number.to_string(),
        }
    };
    let mut out = text.to_string();
    let mut places: Vec<usize> = Vec::new();
    if let Some(call) = syscall_of(text) {
        if PID_FIRST_ARGS.contains(&call) {
            places.push(call.len() + 1);
        }
        if matches!(call, "tgkill" | "setpgid")
            && let Some(comma) = text.find(", ")
        {
            places.push(comma + 2);
        }
        if PID_RESULTS.contains(&call)
            && let Some(at) = text.rfind(") = ")
        {
            places.push(at + 4);
        }
    }
    for marker in ["si_pid=", "/proc/", "in pid "] {
        places.extend(text.match_indices(marker).map(|(at, _)| at + marker.len()));
    }
    // From the end, so earlier places keep their offsets.
    places.sort_unstable();
    places.dedup();
    for &at in places.iter().rev() {
        let sign = usize::from(out[at..].starts_with('-'));
        let digits = out[at + sign..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if digits == 0 {
            continue;
        }
        let replaced = name(&out[at..at + sign + digits]);
        out.replace_range(at..at + sign + digits, &replaced);
    }
    out
}

/// One trace as each process's lines, keyed by the process's name.
fn by_process(
    files: &[(i32, String)],
    shape: Shape,
    who: &str,
) -> Result<HashMap<String, Vec<Logical>>, String> {
    let mut lines = Vec::new();
    // With -ff, the first process's file goes first: the one no clone or fork returned.
    let mut files: Vec<&(i32, String)> = files.iter().collect();
    let children: Vec<i64> = files
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter(|l| matches!(syscall_of(l), Some("clone" | "clone3" | "fork" | "vfork")))
        .filter_map(|l| result_number(&collapse_padding(l)))
        .collect();
    files.sort_by_key(|(pid, _)| children.contains(&i64::from(*pid)));
    for (pid, text) in files {
        let file_who = if shape.prefixed {
            who.to_string()
        } else {
            format!("{who}.{pid}")
        };
        lines.extend(parse_file(*pid, text, shape, &file_who)?);
    }
    for line in &mut lines {
        line.text = mask(&line.text);
        line.head = line.head.as_deref().map(mask);
    }
    let names = name_pids(&lines);
    let mut processes: HashMap<String, Vec<Logical>> = HashMap::new();
    for mut line in lines {
        line.text = rename_pids(&line.text, &names);
        line.head = line.head.as_deref().map(|h| rename_pids(h, &names));
        let name = names
            .get(&line.pid)
            .cloned()
            .unwrap_or_else(|| format!("unnamed {}", line.pid));
        processes.entry(name).or_default().push(line);
    }
    Ok(processes)
}

/// The longest common subsequence of `a` and `b`, as pairs of indices.
fn common_lines(a: &[Logical], b: &[Logical]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if a[i].text == b[j].text {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut pairs = Vec::new();
    while i < n && j < m {
        if a[i].text == b[j].text {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if table[at(i + 1, j)] >= table[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

/// How one comparison went.
#[derive(Default)]
struct Tally {
    identical: usize,
    strace_lines: usize,
    our_lines: usize,
    known: usize,
    timing: usize,
    unexplained_lines: usize,
    /// How many lines each known difference covered.
    rules: std::collections::BTreeMap<&'static str, usize>,
    /// Lines nothing explains, with context, for the failure message.
    unexplained: Vec<String>,
}

/// Compares the traces process by process.
fn compare(program: &Program, traces: &Traces, shape: Shape) -> Tally {
    let who = |tracer: &str| format!("{} under {tracer}", program.name);
    let theirs = by_process(&traces.strace, shape, &who("strace"))
        .unwrap_or_else(|e| panic!("strace's own trace breaks the layout rules: {e}"));
    let ours = by_process(&traces.ours, shape, &who("interpose"))
        .unwrap_or_else(|e| panic!("layout: {e}"));
    let mut names: Vec<&String> = theirs.keys().chain(ours.keys()).collect();
    names.sort();
    names.dedup();
    let empty = Vec::new();
    let mut tally = Tally::default();
    for name in names {
        let a = theirs.get(name).unwrap_or(&empty);
        let b = ours.get(name).unwrap_or(&empty);
        tally.strace_lines += a.len();
        tally.our_lines += b.len();
        // Lines whose place depends on timing cannot be compared by place: set aside.
        let mut untimed = |side: Side, lines: &[Logical]| -> Vec<Logical> {
            let mut kept = Vec::new();
            for line in lines {
                match program.timing.iter().find(|r| r.covers(side, &line.text)) {
                    Some(rule) => {
                        tally.timing += 1;
                        *tally.rules.entry(rule.why).or_default() += 1;
                    }
                    None => kept.push(line.clone()),
                }
            }
            kept
        };
        let (a, b) = (&untimed(Side::Strace, a), &untimed(Side::Ours, b));
        let pairs = common_lines(a, b);
        tally.identical += pairs.len();
        for &(i, j) in &pairs {
            if let (Some(x), Some(y)) = (&a[i].head, &b[j].head)
                && x != y
            {
                tally.unexplained.push(format!(
                    "{name}: split at a different place:\n  strace:    {x} <unfinished ...>\n  \
                     interpose: {y} <unfinished ...>"
                ));
            }
        }
        // The two sequences as a diff: common lines, and lines of only one side.
        let mut diff: Vec<(char, &str, bool)> = Vec::new();
        let (mut i, mut j) = (0, 0);
        for &(pi, pj) in pairs.iter().chain([(a.len(), b.len())].iter()) {
            for line in &a[i..pi] {
                diff.push((
                    '-',
                    &line.text,
                    explained(program, Side::Strace, &line.text, &mut tally),
                ));
            }
            for line in &b[j..pj] {
                diff.push((
                    '+',
                    &line.text,
                    explained(program, Side::Ours, &line.text, &mut tally),
                ));
            }
            if pi < a.len() {
                diff.push((' ', &a[pi].text, true));
            }
            (i, j) = (pi + 1, pj + 1);
        }
        // Each run of unexplained lines, with two lines of context around it.
        let mut k = 0;
        while k < diff.len() {
            if diff[k].2 {
                k += 1;
                continue;
            }
            let mut end = k;
            while end < diff.len() && (!diff[end].2 || diff[end].0 != ' ') {
                end += 1;
            }
            let mut hunk = format!(
                "{name}: `-` only in strace's trace, `+` only in interpose's, `!` not a known \
                 difference:\n"
            );
            for (mark, text, known) in &diff[k.saturating_sub(2)..(end + 2).min(diff.len())] {
                let flag = if *known { ' ' } else { '!' };
                writeln!(hunk, "  {flag}{mark} {text}").unwrap();
            }
            tally.unexplained.push(hunk);
            k = end;
        }
    }
    tally
}

/// Whether a line only one trace has is a known difference; counts it.
fn explained(program: &Program, side: Side, line: &str, tally: &mut Tally) -> bool {
    if let Some(rule) = DECODER_GAPS.iter().find(|r| r.covers(side, line)) {
        tally.known += 1;
        *tally.rules.entry(rule.why).or_default() += 1;
        true
    } else if let Some(rule) = program.sometimes.iter().find(|r| r.covers(side, line)) {
        tally.timing += 1;
        *tally.rules.entry(rule.why).or_default() += 1;
        true
    } else {
        tally.unexplained_lines += 1;
        false
    }
}

/// Traces each program with both tracers and `flags`, compares, and fails on any line
/// nothing explains.
fn check(flags: &[&str], tag: &str, shape: Shape, only: Option<&[&str]>) {
    if !common::have("strace") {
        return;
    }
    let root = common::scratch_dir(&format!("strace_text{tag}"));
    let mut failures = Vec::new();
    let mut checked = 0;
    for program in programs(&root) {
        if only.is_some_and(|names| !names.contains(&program.name)) {
            continue;
        }
        let traces = trace_both(&program, flags, tag);
        if flags.contains(&"-ff") {
            assert_eq!(
                traces.strace.len(),
                traces.ours.len(),
                "{}: -ff writes one file per process and thread",
                program.name
            );
        }
        if flags.contains(&"-qq") {
            for (_, text) in traces.ours.iter().chain(&traces.strace) {
                assert!(
                    !text.contains("+++ exited with"),
                    "-qq shows no exits:\n{text}"
                );
            }
        }
        let tally = compare(&program, &traces, shape);
        eprintln!(
            "{:<20} {flags:?}: {}/{} lines identical ({:.1}%); {} lines of interpose's; \
             {} known decoder differences, {} timing",
            program.name,
            tally.identical,
            tally.strace_lines,
            100.0 * tally.identical as f64 / tally.strace_lines.max(1) as f64,
            tally.our_lines,
            tally.known,
            tally.timing,
        );
        for (why, count) in &tally.rules {
            eprintln!("    {count:>4} x {why}");
        }
        checked += 1;
        if !tally.unexplained.is_empty() {
            let shown: Vec<&String> = tally.unexplained.iter().take(400).collect();
            failures.push(format!(
                "{} {flags:?}: {} lines differ and are not known differences; the first:\n{}",
                program.name,
                tally.unexplained_lines,
                shown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    assert!(checked > 0, "no program was traced");
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

const PREFIXED: Shape = Shape {
    prefixed: true,
    timed: false,
};

#[test]
fn programs_match_strace_line_for_line() {
    check(&[], "", PREFIXED, None);
}

#[test]
fn timestamps_and_durations_match_strace() {
    let shape = Shape {
        prefixed: true,
        timed: true,
    };
    let some = ["sh pipeline", "threads (C)", "signal handlers (C)", "cat"];
    check(&["-tt", "-T"], "_timed", shape, Some(&some));
}

#[test]
fn one_file_per_process_matches_strace() {
    let shape = Shape {
        prefixed: false,
        timed: false,
    };
    let some = [
        "sh pipeline",
        "threads (C)",
        "signal handlers (C)",
        "tar with gzip",
    ];
    check(&["-ff"], "_ff", shape, Some(&some));
}

#[test]
fn quiet_exits_match_strace() {
    let some = ["sh pipeline", "threads (C)", "signal handlers (C)"];
    check(&["-qq"], "_qq", PREFIXED, Some(&some));
}

//! Shared test helpers: run the real `interpose` binary (or a program natively) with a
//! hard timeout, and pick apart strace-format trace lines.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// No test run may take longer than this; a hung tracer fails the test instead of the suite.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// What a run produced.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

pub fn interpose_bin() -> &'static str {
    env!("CARGO_BIN_EXE_interpose")
}

/// Runs `program args` with stdin from /dev/null, killing it (and failing) after `TIMEOUT`.
pub fn run<S: AsRef<OsStr>>(program: impl AsRef<OsStr>, args: &[S]) -> Run {
    run_with_stdin(program, args, None)
}

/// Like `run`, feeding `input` on stdin.
pub fn run_with_stdin<S: AsRef<OsStr>>(
    program: impl AsRef<OsStr>,
    args: &[S],
    input: Option<&[u8]>,
) -> Run {
    let program = program.as_ref();
    let mut command = Command::new(program);
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let start = Instant::now();
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program:?}: {e}"));
    if let Some(input) = input {
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut stdin, &input);
        });
    }
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{program:?} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    Run {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
        elapsed,
    }
}

/// Runs `interpose ARGS` (trace on stderr).
pub fn interpose<S: AsRef<OsStr>>(args: &[S]) -> Run {
    run(interpose_bin(), args)
}

/// Runs `program args` under `handler` through the library, returning what it printed on
/// stdout (read concurrently, so a chatty program cannot fill the pipe) and the outcome.
pub fn traced<H: interpose::Linux + 'static>(
    handler: H,
    program: &str,
    args: &[&str],
) -> (String, interpose::Outcome<H>) {
    let (reader, writer) = std::io::pipe().unwrap();
    let reading = std::thread::spawn(move || std::io::read_to_string(reader).unwrap());
    let outcome = interpose::Command::new(program)
        .args(args)
        .stdout(std::os::fd::OwnedFd::from(writer))
        .timeout(TIMEOUT)
        .trace(handler)
        .expect("trace");
    assert!(!outcome.timed_out, "the traced program hung");
    (reading.join().unwrap(), outcome)
}

/// One trace line: the pid prefix (None for the first process) and the text after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub pid: Option<i32>,
    pub text: String,
}

impl Line {
    /// The syscall name of a syscall line (`openat` of `openat(AT_FDCWD, ...) = 3`).
    pub fn syscall(&self) -> Option<&str> {
        let name_end = self.text.find('(')?;
        let name = &self.text[..name_end];
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            .then_some(name)
    }

    /// The return value text after the last ` = ` (`3`, `-1 ENOENT (...)`, `?`).
    pub fn ret(&self) -> Option<&str> {
        self.text.rfind(") = ").map(|at| &self.text[at + 4..])
    }
}

/// Splits a trace into lines as strace writes them (`[pid  N] ` on stderr once there are
/// two processes, `N ` (`%-5d `) on every line of a `-f -o` file, ` = ` padded to column
/// 40), taking off the prefixes and the padding. Lines of the first process (the one no
/// clone, fork or vfork returned) carry no pid.
pub fn parse_trace(trace: &str) -> Vec<Line> {
    let lines: Vec<Line> = trace
        .lines()
        .filter(|l| !l.starts_with("interpose:"))
        .map(|line| {
            let (pid, text) = if let Some(rest) = line.strip_prefix("[pid ") {
                let end = rest.find(']').expect("closing bracket of [pid N]");
                let pid = rest[..end].trim().parse().expect("pid number");
                (Some(pid), rest[end + 1..].trim_start())
            } else {
                let digits = line.bytes().take_while(u8::is_ascii_digit).count();
                match line[digits..].strip_prefix(' ') {
                    Some(rest) if digits > 0 => (line[..digits].parse().ok(), rest.trim_start()),
                    _ => (None, line),
                }
            };
            Line {
                pid,
                text: unpad(text),
            }
        })
        .collect();
    let children: std::collections::HashSet<i32> = lines
        .iter()
        .filter(|l| {
            ["clone", "clone3", "fork", "vfork"].iter().any(|name| {
                l.syscall() == Some(name) || l.text.starts_with(&format!("<... {name} resumed>"))
            })
        })
        .filter_map(|l| l.ret()?.parse().ok())
        .collect();
    let first = lines
        .iter()
        .filter_map(|l| l.pid)
        .find(|p| !children.contains(p));
    lines
        .into_iter()
        .map(|l| Line {
            pid: l.pid.filter(|&p| Some(p) != first),
            text: l.text,
        })
        .collect()
}

/// `close(3)                                = 0` -> `close(3) = 0`: strace pads the result
/// to column 40.
pub fn unpad(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut found = None;
    for (i, &b) in bytes.iter().enumerate() {
        let spaces = bytes[i + 1..].iter().take_while(|&&c| c == b' ').count();
        let after = i + 1 + spaces;
        if b == b')'
            && spaces > 1
            && bytes.get(after) == Some(&b'=')
            && bytes.get(after + 1) == Some(&b' ')
        {
            found = Some((i, after));
        }
    }
    match found {
        Some((close, equals)) => format!("{} {}", &text[..=close], &text[equals..]),
        None => text.to_string(),
    }
}

/// Joins strace's split lines back together: a `read(0,  <unfinished ...>` and its later
/// `<... read resumed>"x", 1) = 1` of the same pid become `read(0, "x", 1) = 1`, placed
/// where the call finished.
pub fn join_resumed(lines: &[Line]) -> Vec<Line> {
    let mut pending: std::collections::HashMap<Option<i32>, String> = Default::default();
    let mut out = Vec::new();
    for line in lines {
        if let Some(head) = line.text.strip_suffix(" <unfinished ...>") {
            pending.insert(line.pid, head.to_string());
            continue;
        }
        if line.text.starts_with("<... ")
            && let Some(at) = line.text.find(" resumed>")
            && let Some(head) = pending.remove(&line.pid)
        {
            let text = format!("{head}{}", &line.text[at + " resumed>".len()..]);
            out.push(Line {
                pid: line.pid,
                text,
            });
            continue;
        }
        out.push(line.clone());
    }
    out
}

/// A fresh directory under the target dir for one test's files.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles `tests/programs/NAME.c` with the system C compiler into `dir`; `None` (after
/// saying why) when there is no compiler.
pub fn compile_c(name: &str, dir: &Path) -> Option<PathBuf> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/programs")
        .join(format!("{name}.c"));
    let out = dir.join(name);
    let result = Command::new("cc")
        .args(["-O1", "-pthread", "-o"])
        .arg(&out)
        .arg(&source)
        .output();
    match result {
        Ok(output) if output.status.success() => Some(out),
        Ok(output) => panic!(
            "compiling {}: {}",
            source.display(),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(e) => {
            eprintln!("skipped: no C compiler (cc): {e}");
            None
        }
    }
}

/// Whether `program` is on PATH; prints why a test is skipped when it is not.
pub fn have(program: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!("skipped: {program} is not installed");
    }
    found
}

//! The examples in `examples/` run real programs as their docs say: each is started with
//! `cargo run --example NAME -- ...` (which builds it first) and checked by what the program
//! printed and how it exited.

mod common;

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A run includes building the example the first time, so it gets longer than
/// `common::TIMEOUT`.
const EXAMPLE_TIMEOUT: Duration = Duration::from_secs(120);

/// What one example run produced.
#[derive(Debug)]
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }
}

/// Runs `cargo run --quiet --example NAME -- ARGS` with stdin from /dev/null, killing it
/// (and failing) after `EXAMPLE_TIMEOUT`.
fn example<S: AsRef<OsStr>>(name: &str, args: &[S]) -> Run {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let mut child = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .args(["--example", name, "--"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for cargo run") {
            break status;
        }
        if start.elapsed() > EXAMPLE_TIMEOUT {
            // `cargo run` execs the example, so this kills the tracer, and with it (by
            // PTRACE_O_EXITKILL) the traced program.
            let _ = child.kill();
            let _ = child.wait();
            panic!("example {name} did not finish within {EXAMPLE_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        status,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}

/// Asserts that `run` is a usage error: one line on stderr naming the example, exit 2.
fn assert_usage_error(run: &Run, name: &str, mentions: &str) {
    assert_eq!(run.code(), Some(2), "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {run:?}");
    assert!(lines[0].starts_with(&format!("{name}: ")), "{run:?}");
    assert!(lines[0].contains(mentions), "{run:?}");
    assert!(lines[0].contains("usage:"), "{run:?}");
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("scratch paths are UTF-8")
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// A file under /etc that every system has, for the sandbox to refuse.
fn etc_file() -> &'static str {
    ["/etc/hostname", "/etc/passwd"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("/etc/hostname or /etc/passwd exists")
}

// ---- sandbox ----

#[test]
fn sandbox_denies_opening_under_a_denied_prefix() {
    let file = etc_file();
    let denied = example("sandbox", &["--deny", "/etc", "cat", file]);
    assert_eq!(denied.code(), Some(1), "{denied:?}");
    assert!(denied.stderr.contains("Permission denied"), "{denied:?}");
    assert_eq!(denied.stdout, "");

    let allowed = example("sandbox", &["cat", file]);
    assert_eq!(allowed.code(), Some(0), "{allowed:?}");
    assert_eq!(allowed.stdout, std::fs::read_to_string(file).unwrap());
}

#[test]
fn sandboxed_program_carries_on_after_a_refusal() {
    let script = format!("cat {}; echo after", etc_file());
    let run = example("sandbox", &["--deny", "/etc", "sh", "-c", &script]);
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert!(run.stderr.contains("Permission denied"), "{run:?}");
    assert_eq!(run.stdout, "after\n");
}

#[test]
fn sandbox_matches_components_and_resolves_relative_paths_and_links() {
    let dir = common::scratch_dir("examples-sandbox");
    for sub in ["secret", "secretx"] {
        std::fs::create_dir(dir.join(sub)).unwrap();
        std::fs::write(dir.join(sub).join("f"), format!("{sub}\n")).unwrap();
    }
    std::os::unix::fs::symlink(dir.join("secret"), dir.join("link")).unwrap();
    let secret = dir.join("secret");
    // Each line says whether one open got through.
    let script = format!(
        "cd {dir}
         for p in secretx/f {dir}/secretx/f secret/f {dir}/secret/f secretx/../secret/f \
                  ./secret/f link/f {dir}/link/f; do
             if cat $p >/dev/null; then echo \"$p open\"; else echo \"$p refused\"; fi
         done
         cd secret && if cat f >/dev/null; then echo 'cwd f open'; else echo 'cwd f refused'; fi",
        dir = path_str(&dir)
    );
    let run = example(
        "sandbox",
        &["--deny", path_str(&secret), "sh", "-c", &script],
    );
    assert_eq!(run.code(), Some(0), "{run:?}");
    let d = path_str(&dir);
    let expected = [
        "secretx/f open".to_string(),
        format!("{d}/secretx/f open"),
        "secret/f refused".to_string(),
        format!("{d}/secret/f refused"),
        "secretx/../secret/f refused".to_string(),
        "./secret/f refused".to_string(),
        "link/f refused".to_string(),
        format!("{d}/link/f refused"),
        "cwd f refused".to_string(),
    ];
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), expected, "{run:?}");
}

#[test]
fn sandboxed_programs_keep_fifos_pipes_and_their_own_descriptors() {
    // Opens are emulated: a FIFO's writer waits for its reader and the reader for data,
    // as open(2) makes them; /dev/fd/N, /dev/stdin and /proc/self are the program's own.
    let dir = common::scratch_dir("examples-sandbox-fifo");
    let script = format!(
        "cd {dir}
         mkfifo first second
         (echo written-first > first &)
         cat first
         (sleep 0.2; cat second) & echo written-second > second; wait
         diff <(echo same) <(echo same) && echo substituted
         echo piped | cat /dev/stdin
         read -r name rest < /proc/self/status && echo \"$name\"
         echo made > made && cat made",
        dir = path_str(&dir)
    );
    let run = example("sandbox", &["--deny", "/etc", "bash", "-c", &script]);
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(
        run.stdout, "written-first\nwritten-second\nsubstituted\npiped\nName:\nmade\n",
        "{run:?}"
    );
}

#[test]
fn sandbox_resolves_openat2_paths_against_its_dirfd() {
    if !common::have("python3") {
        return;
    }
    let dir = common::scratch_dir("examples-sandbox-openat2");
    for sub in ["secret", "public"] {
        std::fs::create_dir(dir.join(sub)).unwrap();
        std::fs::write(dir.join(sub).join("f"), "x").unwrap();
    }
    // openat2(dirfd, path, {O_RDONLY, 0, resolve}, 24); RESOLVE_IN_ROOT (0x10) makes
    // "/secret/f" mean DIR/secret/f.
    let script = format!(
        r#"
import ctypes, os, struct
libc = ctypes.CDLL(None, use_errno=True)
dirfd = os.open("{dir}", os.O_RDONLY | os.O_DIRECTORY)
for path, resolve in [(b"/secret/f", 0x10), (b"/public/f", 0x10), (b"secret/f", 0), (b"public/f", 0)]:
    how = ctypes.create_string_buffer(struct.pack("QQQ", os.O_RDONLY, 0, resolve), 24)
    fd = libc.syscall(437, dirfd, path, how, 24)
    print(path.decode(), "open" if fd >= 0 else os.strerror(ctypes.get_errno()))
"#,
        dir = path_str(&dir)
    );
    let secret = dir.join("secret");
    let run = example(
        "sandbox",
        &["--deny", path_str(&secret), "python3", "-c", &script],
    );
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(
        run.stdout,
        "/secret/f Permission denied\n/public/f open\nsecret/f Permission denied\npublic/f open\n",
        "{run:?}"
    );
}

#[test]
fn sandbox_denies_network_sockets_but_not_unix_ones() {
    if !common::have("python3") {
        return;
    }
    let dir = common::scratch_dir("examples-sandbox-socket");
    let script = format!(
        r#"
import socket
for family, name in [(socket.AF_INET, "inet"), (socket.AF_INET6, "inet6")]:
    try:
        socket.socket(family)
        print(name, "allowed")
    except PermissionError:
        print(name, "denied")
server = socket.socket(socket.AF_UNIX)
server.bind("{dir}/sock")
server.listen()
client = socket.socket(socket.AF_UNIX)
client.connect("{dir}/sock")
peer, _ = server.accept()
client.sendall(b"ping")
print("unix", peer.recv(4).decode())
"#,
        dir = path_str(&dir)
    );
    let run = example("sandbox", &["python3", "-c", &script]);
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(
        run.stdout, "inet denied\ninet6 denied\nunix ping\n",
        "{run:?}"
    );
}

#[test]
fn sandbox_refuses_io_uring() {
    if !common::have("python3") {
        return;
    }
    let script = r#"
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)
ret = libc.syscall(425, 4, params)  # io_uring_setup(4, &params)
print(ret, ctypes.get_errno())
"#;
    let run = example("sandbox", &["python3", "-c", script]);
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(run.stdout, format!("-1 {}\n", libc::EPERM), "{run:?}");
}

#[test]
fn sandbox_reports_bad_usage_and_missing_programs() {
    assert_usage_error(&example("sandbox", &["--deny"]), "sandbox", "--deny");
    assert_usage_error(
        &example("sandbox", &["--deny", "etc", "true"]),
        "sandbox",
        "absolute",
    );
    assert_usage_error(&example::<&str>("sandbox", &[]), "sandbox", "no program");
    assert_usage_error(
        &example("sandbox", &["--bogus", "true"]),
        "sandbox",
        "--bogus",
    );

    let missing = example("sandbox", &["/nonexistent/program"]);
    assert_eq!(missing.code(), Some(127), "{missing:?}");
    assert_eq!(
        missing.stderr,
        "sandbox: /nonexistent/program: command not found\n"
    );
}

// ---- fake_time ----

#[test]
fn fake_time_starts_in_2000_by_default() {
    let run = example("fake_time", &["date", "-u", "+%Y-%m-%d"]);
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(run.stdout, "2000-01-01\n");
}

#[test]
fn fake_time_starts_at_the_given_time_and_keeps_ticking() {
    let run = example(
        "fake_time",
        &[
            "--at",
            "2030-06-15T12:00:00Z",
            "sh",
            "-c",
            "date -u +%Y-%m-%d; date -u +%s; sleep 1.1; date -u +%s",
        ],
    );
    assert_eq!(run.code(), Some(0), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{run:?}");
    assert_eq!(lines[0], "2030-06-15");
    let at = 1_907_755_200; // 2030-06-15T12:00:00Z
    let first: i64 = lines[1].parse().unwrap();
    let second: i64 = lines[2].parse().unwrap();
    assert!((at..at + 60).contains(&first), "{run:?}");
    assert!(second - first >= 1, "the fake clock runs: {run:?}");
}

#[test]
fn fake_time_shifts_by_seconds() {
    let before = now_secs();
    let run = example("fake_time", &["--shift", "-86400", "date", "-u", "+%s"]);
    let after = now_secs();
    assert_eq!(run.code(), Some(0), "{run:?}");
    let seen: i64 = run.stdout.trim().parse().unwrap();
    assert!(
        (before - 86_400..=after - 86_400).contains(&seen),
        "yesterday at this time: {run:?}"
    );

    let yesterday = example(
        "fake_time",
        &["--shift", "-86400", "date", "-u", "+%Y-%m-%d"],
    );
    let expected = |secs: i64| {
        let out = Command::new("date")
            .args(["-u", "+%Y-%m-%d", "-d", &format!("@{}", secs - 86_400)])
            .output()
            .expect("date");
        String::from_utf8(out.stdout).unwrap()
    };
    // Around midnight either date is right.
    assert!(
        [expected(before), expected(now_secs())].contains(&yesterday.stdout),
        "{yesterday:?}"
    );
}

#[test]
fn fake_time_fakes_every_wall_clock_call() {
    if !common::have("python3") {
        return;
    }
    // time.time() is clock_gettime(CLOCK_REALTIME); libc's time() and gettimeofday()
    // make their own syscalls with the vDSO hidden; CLOCK_MONOTONIC stays real.
    let script = r#"
import ctypes, time
libc = ctypes.CDLL(None)
libc.time.restype = ctypes.c_long
stored = ctypes.c_long(0)
returned = libc.time(ctypes.byref(stored))
tv = (ctypes.c_long * 2)()
libc.gettimeofday(tv, None)
print(int(time.time()), int(time.clock_gettime(5)), returned, stored.value, tv[0])
print(int(time.clock_gettime(time.CLOCK_MONOTONIC)))
"#;
    let run = example("fake_time", &["python3", "-c", script]);
    assert_eq!(run.code(), Some(0), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{run:?}");
    let start = 946_684_800; // 2000-01-01T00:00:00Z
    for value in lines[0].split(' ') {
        let secs: i64 = value.parse().unwrap();
        assert!((start..start + 60).contains(&secs), "{run:?}");
    }
    // The same clock read untraced, just after.
    let native = Command::new("python3")
        .args([
            "-c",
            "import time; print(int(time.clock_gettime(time.CLOCK_MONOTONIC)))",
        ])
        .output()
        .expect("python3");
    let native: i64 = String::from_utf8_lossy(&native.stdout)
        .trim()
        .parse()
        .unwrap();
    let faked: i64 = lines[1].parse().unwrap();
    assert!(
        (0..60).contains(&(native - faked)),
        "CLOCK_MONOTONIC is untouched: {run:?}, untraced {native}"
    );
}

#[test]
fn fake_time_rejects_bad_times() {
    for bad in ["2023-02-29T00:00:00Z", "2030-06-15 12:00:00", "tomorrow"] {
        assert_usage_error(
            &example("fake_time", &["--at", bad, "true"]),
            "fake_time",
            "--at",
        );
    }
    assert_usage_error(
        &example("fake_time", &["--shift", "1.5", "true"]),
        "fake_time",
        "--shift",
    );
    assert_usage_error(
        &example(
            "fake_time",
            &["--shift", "1", "--at", "2030-06-15T12:00:00Z", "true"],
        ),
        "fake_time",
        "at most one",
    );
}

// ---- fault_inject ----

/// Writes the digits 0 to 5 to stdout one `write` each, then a line on stderr with the
/// outcome of each: `w` for a write that worked, else its errno number.
const WRITER_C: &str = r#"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    char report[128] = "";
    for (int i = 0; i < 6; i++) {
        char digit = '0' + i;
        char item[16];
        if (write(1, &digit, 1) == 1)
            snprintf(item, sizeof item, "w ");
        else
            snprintf(item, sizeof item, "%d ", errno);
        strcat(report, item);
    }
    strcat(report, "\n");
    write(2, report, strlen(report));
    return 0;
}
"#;

/// Compiles `WRITER_C`; `None` (after saying why) without a C compiler.
/// Builds the writer program into a directory of the calling test's own (`name`), so that
/// tests running in parallel never rebuild it under each other.
fn writer_program(name: &str) -> Option<PathBuf> {
    let dir = common::scratch_dir(name);
    let source = dir.join("writer.c");
    std::fs::write(&source, WRITER_C).unwrap();
    let program = dir.join("writer");
    match Command::new("cc")
        .args(["-O1", "-o"])
        .arg(&program)
        .arg(&source)
        .output()
    {
        Ok(out) if out.status.success() => Some(program),
        Ok(out) => panic!(
            "compiling writer.c: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            eprintln!("skipped: no C compiler (cc): {e}");
            None
        }
    }
}

#[test]
fn fault_inject_makes_cp_fail_with_an_io_error() {
    let dir = common::scratch_dir("examples-fault-cp");
    let (from, to) = (dir.join("from.txt"), dir.join("to.txt"));
    std::fs::write(&from, "some data\n").unwrap();
    // GNU cp copies with copy_file_range where it can, else with read/write: fail the
    // first call of either, whichever this cp makes; its error message (a write to fd 2)
    // goes through.
    let run = example(
        "fault_inject",
        &[
            "-e",
            "inject=copy_file_range:error=EIO:when=1",
            "-e",
            "inject=write:error=EIO:when=1:if=fd!=2",
            "cp",
            path_str(&from),
            path_str(&to),
        ],
    );
    assert_eq!(run.code(), Some(1), "{run:?}");
    assert!(run.stderr.contains("Input/output error"), "{run:?}");
    let tampered: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("fault_inject: inject="))
        .collect();
    assert_eq!(tampered.len(), 2, "a line per rule: {run:?}");
    assert_eq!(
        tampered
            .iter()
            .filter(|l| l.contains(": tampered with 1 of 1 matching calls"))
            .count(),
        1,
        "one of the two calls failed cp: {run:?}"
    );

    let untouched = example(
        "fault_inject",
        &[
            "-e",
            "inject=write:error=EIO:when=1000",
            "cp",
            path_str(&from),
            path_str(&to),
        ],
    );
    assert_eq!(untouched.code(), Some(0), "{untouched:?}");
    assert_eq!(std::fs::read_to_string(&to).unwrap(), "some data\n");
}

#[test]
fn fault_inject_fails_every_nth_call() {
    let Some(writer) = writer_program("examples-fault-writer-every") else {
        return;
    };
    let run = example(
        "fault_inject",
        &["-e", "inject=write:error=EIO:when=2+2", path_str(&writer)],
    );
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(run.stdout, "024");
    let eio = libc::EIO;
    assert!(
        run.stderr.contains(&format!("w {eio} w {eio} w {eio} \n")),
        "{run:?}"
    );
    // The report is the 7th write: it works, as 7 is odd.
    assert!(
        run.stderr.contains(
            "fault_inject: inject=write:error=EIO:when=2+2: tampered with 3 of 7 matching calls"
        ),
        "{run:?}"
    );
}

#[test]
fn fault_inject_fails_only_the_nth_call_with_the_chosen_errno() {
    let Some(writer) = writer_program("examples-fault-writer-nth") else {
        return;
    };
    let run = example(
        "fault_inject",
        &["-e", "inject=write:error=ENOSPC:when=3", path_str(&writer)],
    );
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(run.stdout, "01345");
    let enospc = libc::ENOSPC;
    assert!(
        run.stderr.contains(&format!("w w {enospc} w w w \n")),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("tampered with 1 of 7 matching calls"),
        "{run:?}"
    );
}

#[test]
fn fault_inject_tests_arguments_and_applies_several_rules() {
    let Some(writer) = writer_program("examples-fault-writer-short") else {
        return;
    };
    // fault= fails with ENOSYS, here only writes to stdout (the report goes to stderr), the
    // first two; a later rule fails the sixth write to stdout with EPIPE.
    let run = example(
        "fault_inject",
        &[
            "-e",
            "fault=write:if=fd=1:when=1..2",
            "-e",
            "inject=write:error=EPIPE:if=fd=1:when=6",
            path_str(&writer),
        ],
    );
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(run.stdout, "234");
    let (enosys, epipe) = (libc::ENOSYS, libc::EPIPE);
    assert!(
        run.stderr
            .contains(&format!("{enosys} {enosys} w w w {epipe} \n")),
        "{run:?}"
    );
}

#[test]
fn fault_inject_reports_bad_usage() {
    assert_usage_error(
        &example(
            "fault_inject",
            &["-e", "inject=no_such_call:error=EIO", "true"],
        ),
        "fault_inject",
        "invalid system call 'no_such_call'",
    );
    assert_usage_error(
        &example("fault_inject", &["-e", "inject=read:error=EWHAT", "true"]),
        "fault_inject",
        "no errno is named EWHAT",
    );
    assert_usage_error(
        &example(
            "fault_inject",
            &["-e", "inject=read:error=EIO:when=0", "true"],
        ),
        "fault_inject",
        "when=0",
    );
    assert_usage_error(
        &example(
            "fault_inject",
            &["-e", "inject=openat:error=EIO:if=pathnme~/etc/*", "true"],
        ),
        "fault_inject",
        "openat has no argument named pathnme",
    );
    assert_usage_error(
        &example("fault_inject", &["-e", "trace=read", "true"]),
        "fault_inject",
        "expected inject=",
    );
    assert_usage_error(&example("fault_inject", &["true"]), "fault_inject", "-e");
}

// ---- redirect ----

#[test]
fn redirect_reads_the_mapped_file() {
    let dir = common::scratch_dir("examples-redirect");
    std::fs::write(dir.join("file"), "mapped content\n").unwrap();
    let map = format!("/interpose-redirect-test={}", path_str(&dir));
    let run = example(
        "redirect",
        &["--map", &map, "cat", "/interpose-redirect-test/file"],
    );
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(run.stdout, "mapped content\n");
}

#[test]
fn redirect_maps_whole_components_and_prefers_the_longest_match() {
    let dir = common::scratch_dir("examples-redirect-longest");
    let (outer, inner) = (dir.join("outer"), dir.join("inner"));
    std::fs::create_dir_all(outer.join("sub")).unwrap();
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::write(outer.join("a"), "outer a\n").unwrap();
    std::fs::write(outer.join("sub").join("b"), "outer b\n").unwrap();
    std::fs::write(inner.join("b"), "inner b\n").unwrap();
    let script = "cat /interpose-m/a /interpose-m/sub/b
                  ls /interpose-m
                  test -d /interpose-m/sub/ && echo dir
                  cat /interpose-mx/a 2>/dev/null || echo 'no mx'";
    let run = example(
        "redirect",
        &[
            "--map",
            &format!("/interpose-m={}", path_str(&outer)),
            "--map",
            &format!("/interpose-m/sub={}", path_str(&inner)),
            "sh",
            "-c",
            script,
        ],
    );
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(
        run.stdout, "outer a\ninner b\na\nsub\ndir\nno mx\n",
        "{run:?}"
    );
}

#[test]
fn redirect_reports_bad_usage() {
    assert_usage_error(
        &example("redirect", &["--map", "data=/tmp", "true"]),
        "redirect",
        "FROM=TO",
    );
    assert_usage_error(
        &example("redirect", &["--map", "/data", "true"]),
        "redirect",
        "FROM=TO",
    );
    assert_usage_error(&example("redirect", &["true"]), "redirect", "--map");
}

// ---- count ----

/// The `calls  syscall` table of a count run: (name, count) rows in printed order, and
/// the total line's value.
fn count_table(run: &Run) -> (Vec<(String, u64)>, u64) {
    let mut lines = run
        .stderr
        .lines()
        .skip_while(|l| l.split_whitespace().collect::<Vec<_>>() != ["calls", "syscall"]);
    assert!(lines.next().is_some(), "a table header: {run:?}");
    let mut rows = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [n, name] = fields[..] else {
            panic!("a table row: {line:?} in {run:?}");
        };
        let n: u64 = n.parse().unwrap_or_else(|_| panic!("a count: {line:?}"));
        if name == "total" {
            return (rows, n);
        }
        rows.push((name.to_string(), n));
    }
    panic!("a total line: {run:?}");
}

fn count_of(rows: &[(String, u64)], name: &str) -> u64 {
    rows.iter()
        .find(|(n, _)| n == name)
        .map_or(0, |&(_, count)| count)
}

#[test]
fn count_prints_a_sorted_table_of_calls() {
    let run = example("count", &["sh", "-c", "echo x; echo y"]);
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(run.stdout, "x\ny\n");
    let (rows, total) = count_table(&run);
    assert!(count_of(&rows, "write") >= 2, "{run:?}");
    assert_eq!(count_of(&rows, "execve"), 1, "{run:?}");
    assert_eq!(count_of(&rows, "exit_group"), 1, "{run:?}");
    assert_eq!(rows.iter().map(|(_, n)| n).sum::<u64>(), total);
    assert!(
        rows.windows(2).all(|w| w[0].1 >= w[1].1),
        "most frequent first: {run:?}"
    );
}

#[test]
fn count_follows_children_and_narrows_to_the_chosen_calls() {
    let run = example(
        "count",
        &[
            "--syscalls",
            "execve,write,nanosleep",
            "sh",
            "-c",
            "/bin/true; echo x; exit 3",
        ],
    );
    assert_eq!(run.code(), Some(3), "exits like the program: {run:?}");
    let (rows, total) = count_table(&run);
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names.len(),
        3,
        "only the chosen calls, zeros included: {run:?}"
    );
    assert_eq!(count_of(&rows, "execve"), 2, "sh and its child: {run:?}");
    assert_eq!(count_of(&rows, "write"), 1, "{run:?}");
    assert_eq!(count_of(&rows, "nanosleep"), 0, "{run:?}");
    assert_eq!(total, 3);
}

#[test]
fn count_reports_bad_usage() {
    assert_usage_error(
        &example("count", &["--syscalls", "no_such_call", "true"]),
        "count",
        "no syscall is named no_such_call",
    );
    assert_usage_error(
        &example("count", &["--syscalls", "clock_gettime", "true"]),
        "count",
        "clock_gettime is not counted",
    );
    assert_usage_error(&example("count", &["--syscalls"]), "count", "--syscalls");
}

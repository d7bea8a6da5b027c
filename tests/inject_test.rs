//! `-e inject=` and `-e fault=`: strace's tampering syntax (`error=`, `retval=`, `signal=`,
//! `syscall=`, `delay_enter=`, `delay_exit=`, `when=`) and the argument predicates (`if=`)
//! on real programs, which report what their calls returned; `(INJECTED)` in the trace;
//! bad rules as usage errors.

mod common;

use common::{Run, compile_c, interpose, scratch_dir};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};

/// The test program `name` built into a directory of the calling test's own (`test`);
/// `None` without a C compiler.
fn program(name: &str, test: &str) -> Option<PathBuf> {
    compile_c(name, &scratch_dir(test))
}

/// Runs `interpose -o TRACE ARGS...` and gives the run and the trace. The program's
/// stdout and stderr are its own.
fn traced(test: &str, args: &[&str]) -> (Run, String) {
    let trace = scratch_dir(&format!("{test}-trace")).join("trace");
    let mut all = vec!["-o", path(&trace)];
    all.extend_from_slice(args);
    let run = interpose(&all);
    let text = std::fs::read_to_string(&trace).unwrap_or_default();
    (run, text)
}

/// Each test runs under both ways of stopping: every call (no selection), and only the
/// chosen calls with a seccomp prefilter (`-e trace=write`: getppid then stops for the
/// rules only, and writes for the trace too).
const MODES: [&[&str]; 2] = [&[], &["-e", "trace=write"]];

/// `traced` with the mode's options first.
fn traced_in(mode: &[&str], test: &str, args: &[&str]) -> (Run, String) {
    let mut all = mode.to_vec();
    all.extend_from_slice(args);
    traced(test, &all)
}

fn path(path: &Path) -> &str {
    path.to_str().expect("scratch paths are UTF-8")
}

/// The results `inject_writes` reported: its stderr without what it wrote there itself.
fn reported(run: &Run) -> String {
    run.stderr.replace("abcd", "").trim().to_string()
}

/// Trace lines (after the `PID ` prefix of `-o`) of syscall `name`.
fn lines_of<'a>(trace: &'a str, name: &str) -> Vec<&'a str> {
    trace
        .lines()
        .map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest.trim_start()))
        .filter(|l| l.starts_with(&format!("{name}(")))
        .collect()
}

#[test]
fn error_for_one_path_only() {
    let hostname = "/etc/hostname";
    if !Path::new(hostname).is_file() {
        eprintln!("skipped: no {hostname}");
        return;
    }
    let (run, trace) = traced(
        "inject-one-path",
        &[
            "-e",
            "inject=openat:error=EACCES:if=pathname=/etc/hostname",
            "cat",
            hostname,
            "/etc/passwd",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    assert_eq!(
        run.stderr, "cat: /etc/hostname: Permission denied\n",
        "{run:?}"
    );
    assert_eq!(
        run.stdout,
        std::fs::read("/etc/passwd").unwrap(),
        "the second file is read"
    );
    let opens = lines_of(&trace, "openat");
    let denied: Vec<&&str> = opens.iter().filter(|l| l.contains("EACCES")).collect();
    assert_eq!(denied.len(), 1, "{trace}");
    assert!(
        denied[0].starts_with("openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY)")
            && denied[0].ends_with(" = -1 EACCES (Permission denied) (INJECTED)"),
        "strace's text: {}",
        denied[0]
    );
    assert!(
        opens
            .iter()
            .filter(|l| !l.contains("/etc/hostname"))
            .all(|l| !l.contains("INJECTED")),
        "{trace}"
    );
}

#[test]
fn short_write_on_the_second_write_only() {
    let Some(writer) = program("inject_writes", "inject-short-write") else {
        return;
    };
    let (run, trace) = traced(
        "inject-short-write",
        &[
            "-e",
            "inject=write:retval=1:when=2",
            path(&writer),
            "1",
            "1",
            "1",
            "1",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    assert_eq!(reported(&run), "4 1 4 4", "{run:?}");
    // The answered write never ran: its bytes are not on stdout.
    assert_eq!(run.stdout, b"abcdabcdabcd");
    let writes = lines_of(&trace, "write");
    assert!(writes[1].ends_with(" = 1 (INJECTED)"), "{trace}");
    assert_eq!(
        writes.iter().filter(|l| l.contains("INJECTED")).count(),
        1,
        "{trace}"
    );
}

#[test]
fn when_a_range_with_a_step_hits_exactly_those_calls() {
    let Some(writer) = program("inject_writes", "inject-when-range") else {
        return;
    };
    let (run, _) = traced(
        "inject-when-range",
        &[
            "-e",
            "inject=write:error=ENOSPC:when=2..4+2",
            path(&writer),
            "1",
            "1",
            "1",
            "1",
            "1",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let enospc = libc::ENOSPC;
    assert_eq!(
        reported(&run),
        format!("4 -{enospc} 4 -{enospc} 4"),
        "{run:?}"
    );
}

#[test]
fn fd_predicate_and_when_count_only_matching_calls() {
    let Some(writer) = program("inject_writes", "inject-fd") else {
        return;
    };
    // The README's example: writes to fd 1 fail from the third on; fd 2 is left alone and
    // its writes do not count.
    let (run, _) = traced(
        "inject-fd",
        &[
            "-e",
            "inject=write:error=ENOSPC:if=fd=1:when=3+",
            path(&writer),
            "1",
            "2",
            "1",
            "2",
            "1",
            "1",
        ],
    );
    let enospc = libc::ENOSPC;
    assert_eq!(
        reported(&run),
        format!("4 4 4 4 -{enospc} -{enospc}"),
        "{run:?}"
    );
}

#[test]
fn several_rules_the_first_that_hits_decides() {
    let Some(writer) = program("inject_writes", "inject-several") else {
        return;
    };
    let (run, _) = traced(
        "inject-several",
        &[
            "-e",
            "inject=write:error=EIO:when=1",
            "-e",
            "fault=write:when=1..3",
            "-e",
            "inject=write:retval=2:if=fd=1",
            path(&writer),
            "1",
            "1",
            "1",
            "1",
        ],
    );
    let (eio, enosys) = (libc::EIO, libc::ENOSYS);
    // Call 1: the first rule; 2 and 3: fault= (ENOSYS by default); 4: the third rule. Each
    // rule counts every call it matches, whichever rule decided it.
    assert_eq!(
        reported(&run),
        format!("-{eio} -{enosys} -{enosys} 2"),
        "{run:?}"
    );
}

#[test]
fn glob_on_the_path() {
    let dir = scratch_dir("inject-glob");
    let mine = dir.join("mine.txt");
    std::fs::write(&mine, "mine\n").unwrap();
    let (run, _) = traced(
        "inject-glob",
        &[
            "-e",
            "inject=openat:error=EACCES:if=pathname~/etc/*",
            "cat",
            "/etc/passwd",
            path(&mine),
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    assert_eq!(
        run.stderr, "cat: /etc/passwd: Permission denied\n",
        "{run:?}"
    );
    assert_eq!(run.stdout, b"mine\n");
}

#[test]
fn flags_predicate_fails_only_creating_opens() {
    let Some(opener) = program("inject_opens", "inject-flags") else {
        return;
    };
    let dir = scratch_dir("inject-flags-files");
    let existing = dir.join("existing");
    std::fs::write(&existing, "x").unwrap();
    let created = dir.join("created");
    let read = format!("r:{}", path(&existing));
    let create = format!("c:{}", path(&created));
    let (run, trace) = traced(
        "inject-flags",
        &[
            "-e",
            "inject=openat:error=EROFS:if=flags&O_CREAT",
            path(&opener),
            &read,
            &create,
            &read,
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    assert_eq!(run.stdout_text(), format!("ok {} ok \n", libc::EROFS));
    assert!(!created.exists(), "the kernel never ran the creating open");
    assert!(
        trace.contains("O_WRONLY|O_CREAT, 0644) = -1 EROFS (Read-only file system) (INJECTED)"),
        "{trace}"
    );

    // An exact value and a field under its mask: O_WRONLY is the access mode, not a bit.
    let (run, _) = traced(
        "inject-flags-exact",
        &[
            "-e",
            "inject=openat:error=EPERM:if=flags=O_WRONLY|O_CREAT",
            "-e",
            "inject=openat:error=EBADF:if=flags&O_RDONLY:if=pathname~*/existing",
            path(&opener),
            &read,
            &create,
        ],
    );
    assert_eq!(
        run.stdout_text(),
        format!("{} {} \n", libc::EBADF, libc::EPERM),
        "{run:?}"
    );
}

#[test]
fn signal_is_sent_as_the_call_returns() {
    let Some(prog) = program("inject_getppid", "inject-signal") else {
        return;
    };
    for mode in MODES {
        signal_alone_and_with_a_result(mode, &prog);
    }
    // A signal the program does not handle ends it, and interpose ends as it did.
    let (run, _) = traced(
        "inject-signal-kill",
        &["-e", "inject=getppid:signal=SIGTERM", path(&prog), "1"],
    );
    assert_eq!(run.status.signal(), Some(libc::SIGTERM), "{run:?}");
}

fn signal_alone_and_with_a_result(mode: &[&str], prog: &Path) {
    // Alone: the call runs, and the handler has run when it returns.
    let (run, trace) = traced_in(
        mode,
        "inject-signal",
        &[
            "-e",
            "inject=getppid:signal=SIGUSR1:when=2",
            path(prog),
            "3",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let lines: Vec<Vec<String>> = run
        .stdout_text()
        .lines()
        .map(|l| l.split(' ').map(String::from).collect())
        .collect();
    let usr1: Vec<&str> = lines.iter().map(|l| l[2].as_str()).collect();
    assert_eq!(usr1, ["0", "1", "1"], "{run:?}");
    let ppid: i64 = lines[1][0].parse().unwrap();
    assert!(ppid > 1, "the call itself ran: {run:?}");
    assert!(
        trace.contains("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_KERNEL} ---"),
        "as the kernel sends it: {trace}"
    );
    assert!(!trace.contains("INJECTED"), "{trace}");

    // With retval= (and with a wait after the call): both.
    for rule in [
        "inject=getppid:signal=SIGUSR1:retval=42",
        "inject=getppid:signal=SIGUSR1:retval=42:delay_exit=1ms",
    ] {
        let (run, _) = traced_in(mode, "inject-signal-retval", &["-e", rule, path(prog), "1"]);
        assert!(
            run.stdout_text().starts_with("42 "),
            "{mode:?} {rule}: {run:?}"
        );
        assert!(
            run.stdout_text().ends_with(" 1 0\n"),
            "{mode:?} {rule}: {run:?}"
        );
    }
}

#[test]
fn syscall_runs_a_pure_call_instead() {
    let Some(prog) = program("inject_getppid", "inject-syscall") else {
        return;
    };
    let (run, trace) = traced(
        "inject-syscall",
        &[
            "-e",
            "inject=getppid:retval=7:syscall=getpid",
            path(&prog),
            "1",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    assert!(run.stdout_text().starts_with("7 "), "{run:?}");
    assert!(
        lines_of(&trace, "getppid")
            .iter()
            .any(|l| l.ends_with("= 7 (INJECTED)")),
        "{trace}"
    );
}

/// The milliseconds each getppid took, as the program measured them.
fn took_ms(run: &Run) -> Vec<f64> {
    run.stdout_text()
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn delays_make_the_call_take_at_least_that_long() {
    let Some(prog) = program("inject_getppid", "inject-delay") else {
        return;
    };
    for (mode, rule) in MODES.into_iter().flat_map(|mode| {
        [
            (mode, "inject=getppid:delay_enter=300ms:when=2"),
            (mode, "inject=getppid:delay_exit=300000:when=2"),
        ]
    }) {
        let (run, _) = traced_in(mode, "inject-delay", &["-e", rule, path(&prog), "3"]);
        assert_eq!(run.status.code(), Some(0), "{rule}: {run:?}");
        let took = took_ms(&run);
        assert!(took[1] >= 300.0, "{rule}: the second call waited: {run:?}");
        let out = run.stdout_text();
        let ppids: Vec<&str> = out.lines().map(|l| l.split(' ').next().unwrap()).collect();
        assert!(
            ppids.windows(2).all(|w| w[0] == w[1]),
            "{rule}: the call's result is the kernel's: {run:?}"
        );
    }
}

#[test]
fn a_signal_handler_during_a_delay_runs_and_the_wait_goes_on() {
    let Some(prog) = program("inject_getppid", "inject-delay-signal") else {
        return;
    };
    // SIGALRM comes 100 ms into the 400 ms wait; its handler writes (the trace stops at
    // every call, its write and rt_sigreturn too), then the wait and the call go on.
    for (mode, rule) in MODES.into_iter().flat_map(|mode| {
        [
            (mode, "inject=getppid:delay_enter=400ms:when=1"),
            (
                mode,
                "inject=getppid:delay_exit=400ms:when=1:signal=SIGUSR1",
            ),
        ]
    }) {
        let (run, trace) = traced_in(
            mode,
            "inject-delay-signal",
            &["-e", rule, path(&prog), "2", "alarm"],
        );
        assert_eq!(run.status.code(), Some(0), "{rule}: {run:?}");
        assert_eq!(run.stderr, "alarm\n", "{rule}: {run:?}");
        let out = run.stdout_text();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{rule}: {run:?}");
        let first: Vec<&str> = lines[0].split(' ').collect();
        let second: Vec<&str> = lines[1].split(' ').collect();
        assert_eq!(first[0], second[0], "{rule}: the same parent: {run:?}");
        assert!(
            first[1].parse::<f64>().unwrap() >= 400.0,
            "{rule}: the whole wait: {run:?}"
        );
        assert_eq!(
            first[3], "1",
            "{mode:?} {rule}: the handler ran during the call: {run:?}"
        );
        let raised = if rule.contains("signal=") { "1" } else { "0" };
        assert_eq!(first[2], raised, "{rule}: {run:?}");
        assert!(
            trace.contains("--- SIGALRM {si_signo=SIGALRM"),
            "{rule}: {trace}"
        );
    }
}

#[test]
fn the_program_start_is_never_tampered_with() {
    // strace leaves the execve that starts the program alone; the shell's child's execve
    // is the first that counts.
    let (run, _) = traced(
        "inject-exec",
        &[
            "-e",
            "inject=execve:error=EACCES:when=1",
            "sh",
            "-c",
            "echo started; /bin/true",
        ],
    );
    assert_eq!(run.stdout, b"started\n", "{run:?}");
    assert_eq!(run.status.code(), Some(126), "{run:?}");
    assert!(run.stderr.contains("Permission denied"), "{run:?}");
}

#[test]
fn bad_rules_are_one_line_and_exit_2() {
    let cases = [
        ("inject=openat:error=EACCES:if=pathnme=/x", "pathnme"),
        ("inject=openat:error=EACCES:if=flags&O_BOGUS", "O_BOGUS"),
        ("inject=openat:error=EWHAT", "EWHAT"),
        ("inject=no_such_call:error=EIO", "no_such_call"),
        ("inject=write", "error="),
        ("inject=write:error=EIO:when=0", "when=0"),
        ("fault=write:signal=SIGUSR1", "fault="),
    ];
    for (rule, mentions) in cases {
        let run = interpose(&["-e", rule, "true"]);
        assert_eq!(run.status.code(), Some(2), "{rule}: {run:?}");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{rule}: one line: {run:?}");
        assert!(lines[0].starts_with("interpose: "), "{run:?}");
        assert!(lines[0].contains(rule), "names the rule: {run:?}");
        assert!(lines[0].contains(mentions), "{rule}: {run:?}");
    }
}

#[test]
fn json_marks_injected_results() {
    let (run, trace) = traced(
        "inject-json",
        &[
            "--json",
            "-e",
            "inject=openat:error=EACCES:if=pathname=/etc/passwd",
            "cat",
            "/etc/passwd",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let opens: Vec<serde_json::Value> = trace
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .filter(|v: &serde_json::Value| v["type"] == "syscall" && v["name"] == "openat")
        .collect();
    let (denied, others): (Vec<_>, Vec<_>) = opens
        .iter()
        .partition(|v| v["args"]["pathname"] == "/etc/passwd");
    assert_eq!(denied.len(), 1, "{trace}");
    assert_eq!(denied[0]["errno"], "EACCES", "{trace}");
    assert_eq!(denied[0]["injected"], true, "{trace}");
    assert!(!others.is_empty() && others.iter().all(|v| v.get("injected").is_none()));
}

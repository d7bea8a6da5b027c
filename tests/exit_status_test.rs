//! interpose exits as the program did, and bad input gets one line and a shell's code.

mod common;

use common::{interpose, run};
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

#[test]
fn exit_code_is_the_programs() {
    let traced = interpose(&["-o", "/dev/null", "sh", "-c", "echo out; exit 42"]);
    let native = run("sh", &["-c", "echo out; exit 42"]);
    assert_eq!(traced.status.code(), Some(42));
    assert_eq!(traced.status.code(), native.status.code());
    assert_eq!(traced.stdout, native.stdout);
}

#[test]
fn death_by_signal_is_propagated() {
    let traced = interpose(&["-o", "/dev/null", "sh", "-c", "kill -SEGV $$"]);
    assert_eq!(
        traced.status.signal(),
        Some(libc::SIGSEGV),
        "{:?}",
        traced.status
    );
    assert!(
        !traced.status.core_dumped(),
        "interpose itself must not dump core"
    );
    let traced = interpose(&["sh", "-c", "kill -TERM $$"]);
    assert_eq!(traced.status.signal(), Some(libc::SIGTERM));
    assert!(
        traced.stderr.ends_with("+++ killed by SIGTERM +++\n"),
        "{}",
        traced.stderr
    );
}

#[test]
fn missing_program_exits_127_with_one_line() {
    let traced = interpose(&["no-such-program-anywhere"]);
    assert_eq!(traced.status.code(), Some(127));
    assert_eq!(
        traced.stderr,
        "interpose: no-such-program-anywhere: command not found\n"
    );
    let traced = interpose(&["/no/such/path"]);
    assert_eq!(traced.status.code(), Some(127));
    assert_eq!(traced.stderr.lines().count(), 1, "{}", traced.stderr);
}

#[test]
fn non_executable_shows_the_failed_execve_and_one_line() {
    let dir = common::scratch_dir("not_executable");
    let file = dir.join("data.txt");
    std::fs::write(&file, "not a program\n").unwrap();
    let traced = interpose(&[file.to_str().unwrap()]);
    assert_eq!(traced.status.code(), Some(126));
    // As strace: the execve line with its error, then why; nothing of the launcher.
    let lines: Vec<&str> = traced.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", traced.stderr);
    assert!(
        lines[0].starts_with(&format!("execve(\"{}\", ", file.display()))
            && lines[0].ends_with(" = -1 EACCES (Permission denied)"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], "interpose: exec: Permission denied");
    // A directory is not executable either.
    let traced = interpose(&[dir.to_str().unwrap()]);
    assert_eq!(traced.status.code(), Some(126));
    assert!(
        traced
            .stderr
            .ends_with("interpose: exec: Permission denied\n")
    );
}

#[test]
fn a_script_whose_interpreter_is_missing_says_so() {
    let dir = common::scratch_dir("bad_interpreter");
    let script = dir.join("script");
    std::fs::write(&script, "#!/no/such/interpreter -x\necho hi\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let traced = interpose(&["-o", "/dev/null", script.to_str().unwrap()]);
    // A shell's code for a command it cannot find.
    assert_eq!(traced.status.code(), Some(127));
    assert_eq!(
        traced.stderr,
        format!(
            "interpose: exec: {}: bad interpreter /no/such/interpreter: No such file or directory\n",
            script.display()
        )
    );
}

#[test]
fn options_after_the_program_are_the_programs() {
    let dir = common::scratch_dir("options_end");
    let data = dir.join("data");
    std::fs::write(&data, "b\na\n").unwrap();
    // Outside the listed directory, whose listing must not change under the trace.
    let trace = common::scratch_dir("options_end_trace").join("trace");
    let trace = trace.to_str().unwrap();
    // sort's own -o, and grep's own -s (which would be interpose's string limit).
    let sorted = dir.join("sorted");
    let run_sort = interpose(&[
        "-o",
        trace,
        "sort",
        "-o",
        sorted.to_str().unwrap(),
        data.to_str().unwrap(),
    ]);
    assert!(run_sort.status.success(), "{}", run_sort.stderr);
    assert_eq!(std::fs::read_to_string(&sorted).unwrap(), "a\nb\n");
    let traced = interpose(&["-o", trace, "grep", "-s", "x", data.to_str().unwrap()]);
    let native = run("grep", &["-s", "x", data.to_str().unwrap()]);
    assert_eq!(traced.status.code(), native.status.code());
    assert_eq!(traced.status.code(), Some(1));
    let traced = interpose(&["-o", trace, "ls", "-la", dir.to_str().unwrap()]);
    let native = run("ls", &["-la", dir.to_str().unwrap()]);
    assert_eq!(traced.stdout_text(), native.stdout_text());
    assert_eq!(traced.status.code(), native.status.code());
}

#[test]
fn a_trace_that_cannot_be_written_leaves_the_program_alone() {
    // /dev/full: every write fails with ENOSPC; the program runs and exits as natively.
    let traced = interpose(&["-o", "/dev/full", "sh", "-c", "echo out; exit 7"]);
    assert_eq!(traced.status.code(), Some(7));
    assert_eq!(traced.stdout_text(), "out\n");
    assert_eq!(
        traced.stderr,
        "interpose: cannot write the trace: No space left on device\n"
    );
    // A reader of the trace that goes away: no panic, no message, the program's status.
    let script = format!(
        "{} sh -c 'echo out >/dev/null; exit 5' 2>&1 | head -c 1 >/dev/null; echo ${{PIPESTATUS[0]}}",
        common::interpose_bin()
    );
    let piped = run("bash", &["-c", &script]);
    assert_eq!(piped.stdout_text(), "5\n", "{}", piped.stderr);
}

#[test]
fn bad_flag_is_a_usage_error() {
    let traced = interpose(&["--no-such-flag", "/bin/true"]);
    assert_eq!(traced.status.code(), Some(2));
    assert!(
        traced.stderr.contains("--no-such-flag"),
        "{}",
        traced.stderr
    );
    let traced = interpose::<&str>(&[]);
    assert_eq!(traced.status.code(), Some(2), "no program: usage error");
    let traced = interpose(&["-s", "many", "/bin/true"]);
    assert_eq!(traced.status.code(), Some(2));
}

#[test]
fn long_running_program_is_not_killed() {
    let traced = interpose(&["-o", "/dev/null", "sleep", "3"]);
    assert!(traced.status.success(), "{:?}", traced.status);
    assert!(
        traced.elapsed >= Duration::from_millis(2900),
        "{:?}",
        traced.elapsed
    );
}

#[test]
fn timeout_kills_the_whole_tree_and_says_so() {
    // A child and a grandchild that would each sleep for a minute.
    let traced = interpose(&[
        "-o",
        "/dev/null",
        "--timeout",
        "1",
        "sh",
        "-c",
        "sleep 60 & sleep 60; wait",
    ]);
    assert_eq!(traced.status.code(), Some(124));
    assert!(
        traced.elapsed < Duration::from_secs(20),
        "{:?}",
        traced.elapsed
    );
    assert_eq!(
        traced.stderr,
        "interpose: timed out after 1s; killed the traced processes\n"
    );
}

#[test]
fn closed_standard_streams_stay_closed_in_the_program() {
    // Natively a program started with stdout or stdin closed gets EBADF; Rust's start-up
    // code would hand interpose /dev/null instead, which must not reach the program.
    let bin = common::interpose_bin();
    for program in [
        "sh -c 'echo hi' >&- 2>/dev/null",
        "cat <&- 2>/dev/null",
        "sh -c 'ls -d /proc/self/fd/1 /proc/self/fd/0' <&- >&- 2>/dev/null",
    ] {
        let native = run("sh", &["-c", &format!("{program}; echo $?")]);
        let traced = run(
            "sh",
            &["-c", &format!("{bin} -o /dev/null {program}; echo $?")],
        );
        assert_eq!(traced.stdout_text(), native.stdout_text(), "{program}");
        assert_ne!(native.stdout_text(), "0\n", "{program} fails natively");
    }
}

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
fn non_executable_exits_126_with_one_line() {
    let dir = common::scratch_dir("not_executable");
    let file = dir.join("data.txt");
    std::fs::write(&file, "not a program\n").unwrap();
    let traced = interpose(&[file.to_str().unwrap()]);
    assert_eq!(traced.status.code(), Some(126));
    assert_eq!(
        traced.stderr,
        format!("interpose: {}: Permission denied\n", file.display())
    );
    // A directory is not executable either.
    let traced = interpose(&[dir.to_str().unwrap()]);
    assert_eq!(traced.status.code(), Some(126));
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

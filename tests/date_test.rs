//! `interpose date`: with the vDSO hidden, glibc's clock calls become real syscalls and
//! trap, and the program still sees the right time.

mod common;

use common::{interpose, parse_trace};
use std::time::{SystemTime, UNIX_EPOCH};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn clock_gettime_traps_despite_vdso() {
    let before = now();
    let run = interpose(&["/bin/date", "+%s"]);
    let after = now();
    assert!(run.status.success(), "stderr:\n{}", run.stderr);
    let printed: i64 = run
        .stdout_text()
        .trim()
        .parse()
        .expect("date +%s prints seconds");
    assert!(
        (before..=after).contains(&printed),
        "{printed} not in {before}..={after}"
    );

    let lines = parse_trace(&run.stderr);
    let clock = lines
        .iter()
        .find(|l| l.text.starts_with("clock_gettime(CLOCK_REALTIME, {tv_sec="))
        .unwrap_or_else(|| panic!("no clock_gettime line in:\n{}", run.stderr));
    // The kernel's answer, as decoded at the exit stop, is the time date printed.
    let secs: i64 = clock.text["clock_gettime(CLOCK_REALTIME, {tv_sec=".len()..]
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(secs, printed);
    assert!(clock.text.ends_with("}) = 0"), "{}", clock.text);
}

#[test]
fn keep_vdso_leaves_clock_calls_untraced() {
    let run = interpose(&["--keep-vdso", "/bin/date", "+%s"]);
    assert!(run.status.success());
    let lines = parse_trace(&run.stderr);
    assert!(
        !lines.iter().any(|l| l.syscall() == Some("clock_gettime")),
        "clock_gettime trapped although the vDSO was kept:\n{}",
        run.stderr
    );
}

#[test]
fn vdso_is_hidden_at_every_exec() {
    // date runs in a child of the shell, after a second exec.
    let run = interpose(&["sh", "-c", "date +%s; true"]);
    assert!(run.status.success());
    let lines = common::join_resumed(&parse_trace(&run.stderr));
    assert!(
        lines.iter().any(
            |l| l.pid.is_some() && l.text.starts_with("clock_gettime(CLOCK_REALTIME, {tv_sec=")
        ),
        "no clock_gettime from the child:\n{}",
        run.stderr
    );
}

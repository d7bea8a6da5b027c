//! Under load nothing is lost: every syscall a program knows it made appears exactly once
//! in the trace, under the thread that made it; no hang, no leftover process.

mod common;

use common::{compile_c, interpose, parse_trace};
use std::collections::HashMap;

fn trace_file(dir: &std::path::Path) -> String {
    dir.join("trace").to_str().unwrap().to_string()
}

#[test]
fn threads_each_call_appears_once() {
    let dir = common::scratch_dir("stress_threads");
    let Some(program) = compile_c("threads_stress", &dir) else {
        return;
    };
    let (threads, calls) = (64, 10_000);
    let run = interpose(&[
        "-o",
        &trace_file(&dir),
        program.to_str().unwrap(),
        &threads.to_string(),
        &calls.to_string(),
    ]);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout_text().trim(), (threads * calls).to_string());
    let trace = std::fs::read_to_string(trace_file(&dir)).unwrap();
    let mut per_tid: HashMap<i32, usize> = HashMap::new();
    for line in parse_trace(&trace) {
        if line.text.starts_with("getppid(") || line.text.starts_with("<... getppid resumed>") {
            // A split call is one call: count its finishing half only.
            if line.text.ends_with(" <unfinished ...>") {
                continue;
            }
            *per_tid
                .entry(line.pid.expect("threads have their own tid"))
                .or_default() += 1;
        }
    }
    assert_eq!(per_tid.len(), threads, "one tid per thread: {per_tid:?}");
    assert!(per_tid.values().all(|&n| n == calls), "{per_tid:?}");
    let exits = trace
        .lines()
        .filter(|l| l.ends_with("+++ exited with 0 +++"))
        .count();
    assert_eq!(exits, threads + 1, "every thread's exit is reported");
}

#[test]
fn exit_group_from_a_thread_while_others_block() {
    let dir = common::scratch_dir("stress_exit_group");
    let Some(program) = compile_c("exit_group_thread", &dir) else {
        return;
    };
    let run = interpose(&["-o", &trace_file(&dir), program.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(5));
    let trace = std::fs::read_to_string(trace_file(&dir)).unwrap();
    let exits = trace
        .lines()
        .filter(|l| l.ends_with("+++ exited with 5 +++"))
        .count();
    assert_eq!(
        exits, 6,
        "main, four readers and the exiting thread:\n{trace}"
    );
    assert!(
        trace.lines().last().unwrap() == "+++ exited with 5 +++",
        "the leader is reported last"
    );
}

#[test]
fn execve_from_a_non_leader_thread() {
    let dir = common::scratch_dir("stress_exec_thread");
    let Some(program) = compile_c("exec_from_thread", &dir) else {
        return;
    };
    let native = common::run(program.to_str().unwrap(), &[] as &[&str]);
    let run = interpose(&["-o", &trace_file(&dir), program.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", run.stderr);
    // Natively and traced: the echo runs as the same pid the program had.
    for out in [native.stdout_text(), run.stdout_text()] {
        let words: Vec<&str> = out.split_whitespace().collect();
        assert_eq!(words.len(), 4, "{out}");
        assert_eq!(words[1], words[3], "{out}");
    }
    let trace = std::fs::read_to_string(trace_file(&dir)).unwrap();
    assert!(
        trace.contains("+++ superseded by execve in pid "),
        "{trace}"
    );
    assert!(
        trace.lines().any(|l| l.starts_with(r#"write(1, "after "#)),
        "the leader's pid writes after exec:\n{trace}"
    );
    assert_eq!(trace.lines().last().unwrap(), "+++ exited with 0 +++");
}

#[test]
fn a_thousand_short_lived_processes() {
    let dir = common::scratch_dir("stress_procs");
    let Some(program) = compile_c("many_procs", &dir) else {
        return;
    };
    let run = interpose(&["-o", &trace_file(&dir), program.to_str().unwrap(), "1000"]);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout_text().trim(), "1000");
    let trace = std::fs::read_to_string(trace_file(&dir)).unwrap();
    let lines = common::join_resumed(&parse_trace(&trace));
    let mut marker: HashMap<i32, usize> = HashMap::new();
    for line in &lines {
        if line.text.starts_with("getppid() = ") {
            *marker
                .entry(line.pid.expect("children carry a pid"))
                .or_default() += 1;
        }
    }
    assert_eq!(marker.len(), 1000, "every process made its marker call");
    assert!(marker.values().all(|&n| n == 1));
    let exits = lines
        .iter()
        .filter(|l| l.pid.is_some() && l.text == "+++ exited with 0 +++")
        .count();
    assert_eq!(exits, 1000);
}

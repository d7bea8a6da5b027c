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
    assert_eq!(
        parse_trace(&trace).last().unwrap().text,
        "+++ exited with 5 +++",
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
    let lines = parse_trace(&trace);
    assert!(
        lines
            .iter()
            .any(|l| l.pid.is_none() && l.text.starts_with(r#"write(1, "after "#)),
        "the leader's pid writes after exec:\n{trace}"
    );
    assert_eq!(lines.last().unwrap().text, "+++ exited with 0 +++");
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

/// The largest resident memory (KiB) `interpose` was seen using while tracing `args`,
/// sampled from /proc every few milliseconds.
fn peak_rss_kib(args: &[&str]) -> u64 {
    let mut child = std::process::Command::new(common::interpose_bin())
        .args(["-o", "/dev/null"])
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let deadline = std::time::Instant::now() + common::TIMEOUT;
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(line) = status.lines().find(|l| l.starts_with("VmRSS:"))
        {
            let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            return peak;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "interpose did not finish"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn memory_stays_flat() {
    let dir = common::scratch_dir("stress_memory");
    let Some(procs) = compile_c("many_procs", &dir) else {
        return;
    };
    let Some(threads) = compile_c("threads_stress", &dir) else {
        return;
    };
    let procs = procs.to_str().unwrap();
    let threads = threads.to_str().unwrap();
    // Ten times the work must not mean more memory: nothing grows per process or call.
    let small = peak_rss_kib(&[procs, "100"]).max(peak_rss_kib(&[threads, "8", "1000"]));
    let large = peak_rss_kib(&[procs, "1000"]).max(peak_rss_kib(&[threads, "8", "10000"]));
    assert!(small > 0 && large > 0);
    assert!(
        large < small + 2048,
        "peak RSS grew from {small} KiB to {large} KiB"
    );
}

//! `interpose -p PID` attaches to a running process, traces it and the children it starts
//! from then on, and ends when it exits; the process itself is undisturbed.

mod common;

use common::{interpose, join_resumed, parse_trace};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn attach_traces_a_running_process_until_it_exits() {
    // Prints 1..8, one every 0.15 s, each `sleep` a child of the shell.
    let mut child = Command::new("sh")
        .args([
            "-c",
            "for i in 1 2 3 4 5 6 7 8; do echo $i; sleep 0.15; done",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id().to_string();
    let run = interpose(&["-p", &pid]);
    let status = child.wait().unwrap();
    let out = std::io::read_to_string(child.stdout.take().unwrap()).unwrap();
    assert!(status.success(), "the attached shell ran on normally");
    assert_eq!(out, "1\n2\n3\n4\n5\n6\n7\n8\n", "nothing lost or repeated");

    assert!(run.status.success(), "stderr:\n{}", run.stderr);
    let lines = join_resumed(&parse_trace(&run.stderr));
    // The shell's later writes, made while attached, are in the trace under no prefix.
    assert!(
        lines
            .iter()
            .any(|l| l.pid.is_none() && l.text == r#"write(1, "8\n", 2) = 2"#),
        "{}",
        run.stderr
    );
    // Children started after the attach are followed.
    assert!(
        lines
            .iter()
            .any(|l| l.pid.is_some() && l.text.starts_with("execve(") && l.text.contains("sleep"))
    );
    assert_eq!(lines.last().unwrap().text, "+++ exited with 0 +++");
}

#[test]
fn attach_to_a_missing_process_is_one_line() {
    let run = interpose(&["-p", "999999999"]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr,
        "interpose: attach on pid 999999999: No such process\n"
    );
}

#[test]
fn attaching_while_threads_come_and_go_always_traces() {
    // Each attach races with threads starting and exiting; the kernel refuses to attach to
    // an exiting thread (EPERM), which must never fail the attach.
    let dir = common::scratch_dir("attach_churn");
    let Some(program) = common::compile_c("thread_churn", &dir) else {
        return;
    };
    let mut churn = Command::new(&program)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = [0u8; 6];
    std::io::Read::read_exact(churn.stdout.as_mut().unwrap(), &mut ready).unwrap();
    let pid = churn.id().to_string();
    let mut failures = Vec::new();
    for attempt in 0..100 {
        let trace = dir.join("trace");
        let _ = std::fs::remove_file(&trace);
        let mut tracer = Command::new(common::interpose_bin())
            .args(["-o", trace.to_str().unwrap(), "-p", &pid])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Interrupt once tracing is under way (a SIGINT before interpose has set itself up
        // kills it, as it would kill strace).
        let deadline = std::time::Instant::now() + common::TIMEOUT;
        while std::fs::metadata(&trace).map_or(0, |m| m.len()) == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "attach {attempt}: nothing traced"
            );
            if tracer.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(tracer.id() as i32),
            nix::sys::signal::Signal::SIGINT,
        );
        let deadline = std::time::Instant::now() + common::TIMEOUT;
        let status = loop {
            if let Some(status) = tracer.try_wait().unwrap() {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "attach {attempt} hung"
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        let said = std::io::read_to_string(tracer.stderr.take().unwrap()).unwrap();
        if !status.success() || said != format!("interpose: detached from pid {pid}\n") {
            failures.push(format!("attempt {attempt}: {status:?}: {said}"));
        }
    }
    let _ = churn.kill();
    let _ = churn.wait();
    assert!(failures.is_empty(), "{failures:#?}");
}

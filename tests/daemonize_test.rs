//! `-D`/`-DD`/`-DDD`: the tracer runs beside the program instead of above it, so the
//! program keeps the pid, the parent and the job control it has natively, and its parent
//! gets its exit status directly.

mod common;

use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `sh -c 'echo $$; PROGRAM...; echo $?'` natively and with `interpose FLAG -o /dev/null`.
fn under_a_shell(flag: &str, program: &str) -> (String, String) {
    let native = common::run("sh", &["-c", &format!("echo $$; {program}; echo $?")]);
    let traced = common::run(
        "sh",
        &[
            "-c",
            &format!(
                "echo $$; {} {flag} -o /dev/null {program}; echo $?",
                common::interpose_bin()
            ),
        ],
    );
    (native.stdout_text(), traced.stdout_text())
}

/// The first line (the shell's pid) replaced, so runs compare.
fn masked(out: &str) -> String {
    let mut lines = out.lines();
    let shell = lines.next().unwrap_or("").to_string();
    lines
        .map(|l| l.replace(&shell, "SHELL"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_program_keeps_its_parent_and_its_exit_status() {
    for flag in ["-D", "-DD", "-DDD"] {
        let program = r#"sh -c 'echo "parent $PPID"; exit 3'"#;
        let (native, traced) = under_a_shell(flag, program);
        assert_eq!(masked(&traced), masked(&native), "{flag}");
        assert!(masked(&native).contains("parent SHELL\n3"), "{native}");
    }
    // Without -D the parent is interpose, as under strace -f.
    let (native, traced) = under_a_shell("", r#"sh -c 'echo "parent $PPID"'"#);
    assert_ne!(masked(&traced), masked(&native));
}

#[test]
fn death_by_signal_reaches_the_parent_as_it_is() {
    // -DD: the tracer is in a process group of its own, so a group signal spares it.
    let (native, traced) = under_a_shell("-DD", "sh -c 'kill -TERM $$'");
    assert_eq!(masked(&traced), masked(&native));
    assert!(native.ends_with("143\n"), "{native}");
}

#[test]
fn job_control_stops_the_program_itself() {
    for traced in [false, true] {
        let mut command = if traced {
            let mut c = Command::new(common::interpose_bin());
            c.args(["-D", "-o", "/dev/null", "sleep", "1"]);
            c
        } else {
            let mut c = Command::new("sleep");
            c.arg("1");
            c
        };
        let mut child = command.stdout(Stdio::null()).spawn().unwrap();
        let pid = Pid::from_raw(child.id() as i32);
        std::thread::sleep(Duration::from_millis(300));
        kill(pid, Signal::SIGSTOP).unwrap();
        // Its parent (this test) sees it stopped, as a shell would for Ctrl-Z.
        let stopped = waitpid(pid, Some(WaitPidFlag::WUNTRACED)).unwrap();
        assert!(
            matches!(stopped, WaitStatus::Stopped(_, Signal::SIGSTOP)),
            "traced={traced}: {stopped:?}"
        );
        kill(pid, Signal::SIGCONT).unwrap();
        let deadline = Instant::now() + common::TIMEOUT;
        let ended = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "never ended");
            std::thread::sleep(Duration::from_millis(10));
        };
        assert!(ended.success(), "traced={traced}: {ended:?}");
    }
}

#[test]
fn the_trace_is_written_by_the_tracer_beside() {
    let dir = common::scratch_dir("daemonize_trace");
    let trace = dir.join("trace");
    let run = common::interpose(&["-D", "-o", trace.to_str().unwrap(), "echo", "hi"]);
    assert!(run.status.success());
    assert_eq!(run.stdout_text(), "hi\n");
    // Nobody waits for the tracer: its last line may come a moment after the program ends.
    let deadline = Instant::now() + Duration::from_secs(20);
    let text = loop {
        let text = std::fs::read_to_string(&trace).unwrap_or_default();
        if text.ends_with("+++ exited with 0 +++\n") {
            break text;
        }
        assert!(Instant::now() < deadline, "trace never finished: {text}");
        std::thread::sleep(Duration::from_millis(10));
    };
    let pid = run_pid(&text);
    assert!(text.starts_with(&format!("{pid:<5} execve(\"")), "{text}");
    assert!(text.contains("/echo\", [\"echo\", \"hi\"], "), "{text}");
    assert!(text.contains("write(1, \"hi\\n\", 3)"), "{text}");
}

/// The pid every line of a `-o` trace starts with.
fn run_pid(text: &str) -> String {
    text.split_whitespace().next().unwrap_or("").to_string()
}

#[test]
fn a_missing_program_is_the_same_one_line() {
    let run = common::interpose(&["-D", "/no/such/program"]);
    assert_eq!(run.status.code(), Some(127));
    assert_eq!(
        run.stderr,
        "interpose: /no/such/program: command not found\n"
    );
}

//! Children made by fork, vfork, clone and pthread_create are traced from their first
//! instruction: each child's marker write appears under its own pid.

mod common;

use common::{compile_c, interpose, join_resumed, parse_trace};

#[test]
fn children_syscalls_appear_under_their_pids() {
    let dir = common::scratch_dir("forks");
    let Some(program) = compile_c("forks", &dir) else {
        return;
    };
    let dir_trace = dir.join("trace");
    let run = interpose(&["-o", dir_trace.to_str().unwrap(), program.to_str().unwrap()]);
    assert!(run.status.success(), "stderr:\n{}", run.stderr);
    let trace = std::fs::read_to_string(&dir_trace).unwrap();
    let lines = join_resumed(&parse_trace(&trace));

    let stdout = run.stdout_text();
    let pid_of = |how: &str| -> i32 {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{how} ")))
            .unwrap_or_else(|| panic!("no `{how}` line in {stdout}"))
            .parse()
            .unwrap()
    };
    for how in ["fork", "vfork", "clone"] {
        let pid = pid_of(how);
        let marker = format!(r#"write(2, "marker:{how}\n", "#);
        let line = lines
            .iter()
            .find(|l| l.text.starts_with(&marker))
            .unwrap_or_else(|| panic!("no {how} marker in:\n{trace}"));
        assert_eq!(
            line.pid,
            Some(pid),
            "{how} marker under the wrong pid: {line:?}"
        );
        // The parent's call returned that pid, and the child's exit is reported.
        assert!(
            lines.iter().any(|l| l.pid.is_none()
                && l.ret() == Some(&pid.to_string())
                && matches!(l.syscall(), Some("clone" | "clone3" | "vfork" | "fork"))),
            "no parent call returning {pid}"
        );
        assert!(lines.contains(&common::Line {
            pid: Some(pid),
            text: "+++ exited with 0 +++".into()
        }));
    }
    // The thread: a tid of its own that is none of the processes.
    let thread_line = lines
        .iter()
        .find(|l| l.text.starts_with(r#"write(2, "marker:thread\n", "#))
        .unwrap_or_else(|| panic!("no thread marker in:\n{trace}"));
    let tid = thread_line.pid.expect("the thread's lines carry its tid");
    assert!(
        !["fork", "vfork", "clone"]
            .iter()
            .any(|how| pid_of(how) == tid)
    );
    // Every line of the first process has no prefix; nothing is lost at the end.
    assert_eq!(
        lines.last().unwrap(),
        &common::Line {
            pid: None,
            text: "+++ exited with 0 +++".into()
        }
    );
}

#[test]
fn shell_pipeline_traces_three_processes() {
    let native = common::run("sh", &["-c", "ls / | wc -l"]);
    let run = interpose(&["sh", "-c", "ls / | wc -l"]);
    assert!(run.status.success());
    assert_eq!(run.stdout, native.stdout, "same count as natively");
    let lines = join_resumed(&parse_trace(&run.stderr));
    let mut pids: Vec<Option<i32>> = lines.iter().map(|l| l.pid).collect();
    pids.sort();
    pids.dedup();
    assert_eq!(pids.len(), 3, "sh, ls and wc: {pids:?}");
    // ls and wc each exec'd their program.
    for program in ["ls", "wc"] {
        assert!(
            lines.iter().any(|l| l.pid.is_some()
                && l.text.starts_with("execve(")
                && l.text.contains(&format!("[\"{program}\""))
                && l.text.ends_with(") = 0")),
            "no execve of {program}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn posix_spawn_and_clone3_children_are_traced() {
    let dir = common::scratch_dir("spawn");
    let Some(program) = compile_c("spawn", &dir) else {
        return;
    };
    let trace_path = dir.join("trace");
    let run = interpose(&[
        "-o",
        trace_path.to_str().unwrap(),
        program.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "stderr:\n{}", run.stderr);
    let stdout = run.stdout_text();
    assert!(stdout.starts_with("spawned\nposix_spawn "), "{stdout}");
    let pid_of = |how: &str| -> i32 {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{how} ")))
            .unwrap()
            .parse()
            .unwrap()
    };
    let lines = join_resumed(&parse_trace(&std::fs::read_to_string(&trace_path).unwrap()));
    let spawned = pid_of("posix_spawn");
    assert!(
        lines.iter().any(|l| l.pid == Some(spawned)
            && l.text
                .starts_with(r#"execve("/bin/echo", ["/bin/echo", "spawned"]"#)),
        "posix_spawn's child exec traced"
    );
    assert!(
        lines.iter().any(
            |l| l.pid == Some(spawned) && l.text.starts_with(r#"write(1, "spawned\n", 8) = 8"#)
        )
    );
    let cloned = pid_of("clone3");
    assert!(
        lines
            .iter()
            .any(|l| l.pid == Some(cloned) && l.text.starts_with(r#"write(2, "marker:clone3\n""#))
    );
}

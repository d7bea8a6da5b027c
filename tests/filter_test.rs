//! `-e trace=`, `-e signal=`, `-e status=`, `-z`, `-Z`, `-P`, `-e trace-fds=`, `-e raw=`,
//! `-e verbose=`, `-e abbrev=`, `-e quiet=`: real programs under the real tracer, and the
//! seccomp prefilter a selection turns on by itself. `tests/programs/filter_calls.c` is the
//! oracle for the calls a selection must show.

mod common;

use common::{Line, compile_c, interpose, parse_trace, scratch_dir};
use interpose::events::{Event, EventKind, Sink};
use interpose::output::filter::{Filtered, Selection};
use interpose::output::text::StraceText;
use interpose::{Command, Passthru, SYSCALLS};
use std::cell::RefCell;
use std::io;
use std::rc::Rc;

/// The trace lines of a run (stderr), `interpose:` messages left out.
fn trace(run: &common::Run) -> Vec<Line> {
    parse_trace(&run.stderr)
}

/// The syscall names of the lines that are syscalls, in order.
fn names(lines: &[Line]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| l.syscall().map(str::to_string))
        .collect()
}

/// Whether a line is about a process or a signal rather than a syscall.
fn is_process_line(line: &Line) -> bool {
    line.text.starts_with("+++ ") || line.text.starts_with("--- ")
}

fn filter_calls() -> Option<std::path::PathBuf> {
    compile_c("filter_calls", &scratch_dir("filter_calls"))
}

#[test]
fn trace_openat_shows_only_openat_and_the_process_lines() {
    let run = interpose(&["-e", "trace=openat", "cat", "/etc/hostname"]);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout, std::fs::read("/etc/hostname").unwrap());
    let lines = trace(&run);
    for line in &lines {
        assert!(
            line.syscall() == Some("openat") || is_process_line(line),
            "not an openat line: {line:?}"
        );
    }
    assert!(
        lines.iter().any(|l| l
            .text
            .starts_with("openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3")),
        "{}",
        run.stderr
    );
    assert_eq!(lines.last().unwrap().text, "+++ exited with 0 +++");
    // A bare set is trace=, and t= too.
    for expr in ["openat", "t=openat"] {
        let again = interpose(&["-e", expr, "cat", "/etc/hostname"]);
        assert_eq!(
            names(&parse_trace(&again.stderr)),
            names(&lines),
            "-e {expr}"
        );
    }
}

#[test]
fn a_selected_fork_shows_its_result_when_prefiltered() {
    // The call's exit stop, asked for at its seccomp stop, must survive the fork event
    // stop in between: the line ends with the child's pid, as strace's does.
    let run = interpose(&[
        "-f",
        "-e",
        "trace=clone,clone3,fork,vfork",
        "bash",
        "-c",
        "/bin/true; true",
    ]);
    assert!(run.status.success(), "{}", run.stderr);
    let text = &run.stderr;
    assert!(!text.contains("= ?"), "{text}");
    let child: i32 = text
        .lines()
        .filter(|l| l.starts_with("clone(") || l.contains("clone resumed>"))
        .find_map(|l| {
            l.rsplit_once(") = ")
                .and_then(|(_, pid)| pid.trim().parse().ok())
        })
        .unwrap_or_else(|| panic!("no clone with a result: {text}"));
    // strace pads the pid to the width of the largest it has seen: `[pid  2645]`.
    let exited = text.lines().any(|l| {
        l.strip_prefix("[pid ")
            .and_then(|rest| rest.split_once(']'))
            .is_some_and(|(pid, rest)| {
                pid.trim() == child.to_string() && rest.trim() == "+++ exited with 0 +++"
            })
    });
    assert!(exited, "{text}");
}

#[test]
fn file_class_includes_openat_and_newfstatat_not_read() {
    let mut selection = Selection::new();
    selection.qualify("trace=%file").unwrap();
    assert!(selection.traces_name("openat") && selection.traces_name("newfstatat"));
    assert!(!selection.traces_name("read") && !selection.traces_name("close"));
    let run = interpose(&["-e", "trace=%file", "cat", "/etc/hostname"]);
    assert!(run.status.success(), "{}", run.stderr);
    let names = names(&trace(&run));
    assert!(names.iter().any(|n| n == "openat"), "{names:?}");
    assert!(names.iter().any(|n| n == "newfstatat"), "{names:?}");
    let file: Vec<&str> = SYSCALLS
        .iter()
        .filter(|s| s.in_group("file"))
        .map(|s| s.name)
        .collect();
    for name in &names {
        assert!(file.contains(&name.as_str()), "{name} is not in %file");
    }
}

#[test]
fn negated_set_drops_exactly_those_calls() {
    let full = interpose(&["cat", "/etc/hostname"]);
    let all_but = interpose(&["-e", "trace=!read,write", "cat", "/etc/hostname"]);
    assert!(all_but.status.success(), "{}", all_but.stderr);
    let expected: Vec<String> = names(&trace(&full))
        .into_iter()
        .filter(|n| n != "read" && n != "write")
        .collect();
    assert_eq!(names(&trace(&all_but)), expected);
    assert!(expected.len() > 10, "{expected:?}");
}

#[test]
fn regex_matches_open_openat_and_openat2() {
    let mut selection = Selection::new();
    selection.qualify("trace=/^open").unwrap();
    for name in [
        "open",
        "openat",
        "openat2",
        "open_by_handle_at",
        "open_tree",
    ] {
        assert!(selection.traces_name(name), "{name}");
    }
    assert!(!selection.traces_name("fsopen") && !selection.traces_name("read"));
    let Some(program) = filter_calls() else {
        return;
    };
    let run = interpose(&["-e", "trace=/^open", program.to_str().unwrap()]);
    assert!(run.status.success(), "{}", run.stderr);
    let lines = trace(&run);
    for expected in [
        "open(\"/nonexistent/open\", O_RDONLY) = -1 ENOENT (No such file or directory)",
        "openat(AT_FDCWD, \"/nonexistent/openat\", O_RDONLY) = -1 ENOENT (No such file or directory)",
        "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3",
    ] {
        assert!(
            lines.iter().any(|l| l.text == expected),
            "{expected}\n{}",
            run.stderr
        );
    }
    assert!(
        lines.iter().any(|l| l
            .text
            .starts_with("openat2(AT_FDCWD, \"/nonexistent/openat2\", ")),
        "{}",
        run.stderr
    );
    for line in &lines {
        let name = line.syscall().unwrap_or_default();
        assert!(
            name.starts_with("open") || is_process_line(line),
            "{line:?}"
        );
    }
}

#[test]
fn failed_only_and_successful_only() {
    let run = interpose(&["-Z", "cat", "/nonexistent", "/etc/hostname"]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    let lines = trace(&run);
    let calls: Vec<&Line> = lines.iter().filter(|l| l.syscall().is_some()).collect();
    assert!(
        calls
            .iter()
            .any(|l| l.text.starts_with("openat(AT_FDCWD, \"/nonexistent\"")),
        "{}",
        run.stderr
    );
    for line in &calls {
        assert!(line.ret().unwrap().starts_with("-1 "), "{line:?}");
    }
    // Whole lines, never split by another line.
    assert!(!run.stderr.contains("unfinished") && !run.stderr.contains("resumed"));
    let run = interpose(&["-z", "cat", "/nonexistent", "/etc/hostname"]);
    let lines = trace(&run);
    assert!(names(&lines).iter().any(|n| n == "read"), "{}", run.stderr);
    for line in lines.iter().filter(|l| l.syscall().is_some()) {
        assert!(!line.ret().unwrap().starts_with("-1 "), "{line:?}");
    }
    // The last of -z, -Z and -e status= wins, as in strace.
    let run = interpose(&["-Z", "-z", "-e", "trace=openat", "cat", "/etc/hostname"]);
    assert!(
        run.stderr.contains("\"/etc/hostname\", O_RDONLY) = 3"),
        "{}",
        run.stderr
    );
    let run = interpose(&[
        "-z",
        "-e",
        "status=failed",
        "-e",
        "trace=openat",
        "cat",
        "/x",
    ]);
    assert!(!run.stderr.contains("= 3"), "{}", run.stderr);
}

#[test]
fn status_set_and_held_lines_keep_their_entry_text() {
    // The execve of a held line was decoded at entry: after it, the memory is the new
    // program's.
    let run = interpose(&[
        "-z",
        "-e",
        "trace=execve,exit_group",
        "cat",
        "/etc/hostname",
    ]);
    let lines = trace(&run);
    assert!(
        lines[0]
            .text
            .starts_with("execve(\"/usr/bin/cat\", [\"cat\", \"/etc/hostname\"], 0x"),
        "{}",
        run.stderr
    );
    assert!(lines[0].text.ends_with(" = 0"), "{}", run.stderr);
    // exit_group never returns: unfinished.
    assert!(!names(&lines).contains(&"exit_group".to_string()));
    let run = interpose(&["-e", "status=unfinished", "cat", "/etc/hostname"]);
    let lines = trace(&run);
    let calls: Vec<&str> = lines
        .iter()
        .filter(|l| !is_process_line(l))
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(calls, ["exit_group(0) = ?"], "{}", run.stderr);
    // Threads: a read that waits for another thread's write is one line, written when it
    // returns, after the write.
    let Some(program) = compile_c("text_threads", &scratch_dir("filter_threads")) else {
        return;
    };
    let run = interpose(&[
        "-z",
        "-e",
        "trace=read,write",
        program.to_str().unwrap(),
        "3",
    ]);
    assert!(run.status.success(), "{}", run.stderr);
    assert!(!run.stderr.contains("unfinished") && !run.stderr.contains("resumed"));
    let lines = trace(&run);
    let reads = lines
        .iter()
        .filter(|l| l.text.starts_with("read(") && l.text.contains("\"thread "))
        .count();
    assert_eq!(reads, 3, "{}", run.stderr);
}

#[test]
fn trace_path_shows_the_calls_on_the_first_file_only() {
    let run = interpose(&["-P", "/etc/hostname", "cat", "/etc/hostname", "/etc/passwd"]);
    assert!(run.status.success(), "{}", run.stderr);
    let lines = trace(&run);
    let calls: Vec<&Line> = lines.iter().filter(|l| l.syscall().is_some()).collect();
    assert_eq!(
        calls.first().unwrap().text,
        "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3"
    );
    assert_eq!(calls.last().unwrap().text, "close(3) = 0");
    let hostname = std::fs::read_to_string("/etc/hostname").unwrap();
    let first_read = format!("read(3, {:?}", hostname);
    assert!(
        calls.iter().any(|l| l.text.starts_with(&first_read)),
        "{first_read}\n{}",
        run.stderr
    );
    assert!(calls.iter().any(|l| l.text.starts_with("read(3, \"\", ")));
    let names = names(&lines);
    assert!(
        names.iter().any(|n| n == "newfstatat" || n == "fstat"),
        "{names:?}"
    );
    // Nothing of the second file: its open, its reads, its close.
    assert!(!run.stderr.contains("/etc/passwd") && !run.stderr.contains("root:"));
    assert_eq!(names.iter().filter(|n| *n == "close").count(), 1);
    // Every call names descriptor 3 or the path.
    for line in &calls {
        assert!(
            line.text.contains("(3,")
                || line.text.contains("(3)")
                || line.text.contains("/etc/hostname"),
            "{line:?}"
        );
    }
}

#[test]
fn trace_path_follows_copies_and_inherited_descriptors() {
    // The shell opens the file on descriptor 5 and copies it to 0 for cat: cat reads 0.
    let run = interpose(&[
        "-P",
        "/etc/hostname",
        "-e",
        "trace=read,dup2,close",
        "sh",
        "-c",
        "exec 5</etc/hostname; cat <&5",
    ]);
    assert!(run.status.success(), "{}", run.stderr);
    let hostname = std::fs::read_to_string("/etc/hostname").unwrap();
    let read = format!("read(0, {:?}", hostname);
    assert!(run.stderr.contains(&read), "{read}\n{}", run.stderr);
}

#[test]
fn trace_fds_shows_the_calls_on_those_descriptors() {
    let run = interpose(&["-e", "trace-fds=3", "cat", "/etc/hostname"]);
    assert!(run.status.success(), "{}", run.stderr);
    let lines = trace(&run);
    let names = names(&lines);
    assert!(names.iter().any(|n| n == "read") && names.iter().any(|n| n == "close"));
    assert!(
        !names.iter().any(|n| n == "openat" || n == "write"),
        "{names:?}"
    );
    for line in lines.iter().filter(|l| l.syscall().is_some()) {
        assert!(line.text.contains("3"), "{line:?}");
    }
}

#[test]
fn signal_set_chooses_the_signal_lines() {
    let Some(program) = compile_c("text_signals", &scratch_dir("filter_signals")) else {
        return;
    };
    let program = program.to_str().unwrap();
    let all = interpose(&["-e", "trace=none", program]);
    assert!(all.stderr.contains("--- SIGUSR1 ") && all.stderr.contains("--- SIGCHLD "));
    assert!(
        all.stderr.contains("+++ killed by SIGTERM +++"),
        "{}",
        all.stderr
    );
    let some = interpose(&["-e", "trace=none", "-e", "signal=!SIGUSR1,term", program]);
    assert!(!some.stderr.contains("SIGUSR1") && some.stderr.contains("--- SIGCHLD "));
    assert!(!some.stderr.contains("killed by"), "{}", some.stderr);
    assert_eq!(some.status.code(), all.status.code());
    let none = interpose(&["-e", "trace=none", "-e", "signal=none", program]);
    assert!(!none.stderr.contains("---") && !none.stderr.contains("killed"));
    assert!(
        none.stderr.contains("+++ exited with 3 +++"),
        "{}",
        none.stderr
    );
}

#[test]
fn question_mark_names_are_ignored_and_unknown_names_are_errors() {
    let run = interpose(&[
        "-e",
        "trace=?nosuchcall,openat,?/^nosuch",
        "cat",
        "/etc/hostname",
    ]);
    assert!(run.status.success(), "{}", run.stderr);
    assert!(names(&trace(&run)).iter().all(|n| n == "openat"));
    for (expr, word) in [
        ("trace=nosuchcall", "'nosuchcall'"),
        ("trace=openat,%nosuchclass", "'%nosuchclass'"),
        ("nosuchcall", "'nosuchcall'"),
        ("trace=/^nosuch", "'/^nosuch'"),
        ("trace=/(", "'('"),
        ("signal=SIGFOO", "'SIGFOO'"),
        ("status=ok", "'ok'"),
        ("quiet=nothing", "'nothing'"),
        ("trace-fds=x", "'x'"),
        ("foo=bar", "'foo'"),
    ] {
        let run = interpose(&["-e", expr, "echo", "ran"]);
        assert_eq!(run.status.code(), Some(2), "-e {expr}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "-e {expr}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("interpose: ") && run.stderr.contains(word),
            "-e {expr}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "the program ran despite -e {expr}");
    }
}

#[test]
fn count_with_a_trace_set_counts_only_those_calls() {
    let run = interpose(&["-c", "-e", "trace=openat,close", "cat", "/etc/hostname"]);
    assert!(run.status.success(), "{}", run.stderr);
    let rows: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with(' ') || l.starts_with("100"))
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    let mut rows = rows;
    rows.sort_unstable();
    assert_eq!(rows, ["close", "openat", "total"], "{}", run.stderr);
}

#[test]
fn raw_verbose_and_abbrev_change_the_text() {
    let run = interpose(&[
        "-e",
        "raw=openat",
        "-e",
        "trace=openat",
        "cat",
        "/nonexistent",
    ]);
    let line = trace(&run)
        .into_iter()
        .find(|l| l.text.contains("ENOENT") && l.text.starts_with("openat("))
        .expect("a failed openat");
    assert!(
        line.text.starts_with("openat(0xffffff9c, 0x")
            && line
                .text
                .ends_with(", 0) = -1 ENOENT (No such file or directory)"),
        "{line:?}"
    );
    let run = interpose(&["-e", "raw=read", "-e", "trace=read", "cat", "/etc/hostname"]);
    let size = std::fs::metadata("/etc/hostname").unwrap().len();
    let expected = format!(", 0x20000) = {size:#x}");
    assert!(
        trace(&run)
            .iter()
            .any(|l| l.text.starts_with("read(0x3, 0x") && l.text.ends_with(&expected)),
        "{}",
        run.stderr
    );
    let run = interpose(&[
        "-e",
        "verbose=none",
        "-e",
        "trace=newfstatat",
        "cat",
        "/etc/hostname",
    ]);
    let stats: Vec<Line> = trace(&run)
        .into_iter()
        .filter(|l| l.syscall().is_some())
        .collect();
    assert!(!stats.is_empty(), "{}", run.stderr);
    assert!(
        stats
            .iter()
            .any(|l| l.text.starts_with("newfstatat(3, \"\", 0x")),
        "{}",
        run.stderr
    );
    for line in stats {
        assert!(!line.text.contains("st_mode"), "{line:?}");
    }
    // abbrev=none (and -v): the environment in full.
    for flags in [&["-e", "abbrev=none"][..], &["-v"][..]] {
        let mut args = flags.to_vec();
        args.extend(["-e", "trace=execve", "env", "-i", "FILTER_TEST=1", "true"]);
        let run = interpose(&args);
        assert!(
            run.stderr
                .contains("true\", [\"true\"], [\"FILTER_TEST=1\"]) = 0"),
            "{flags:?}: {}",
            run.stderr
        );
    }
    let run = interpose(&["-e", "trace=execve", "env", "-i", "A=1", "true"]);
    assert!(run.stderr.contains("/* 1 var */) = 0"), "{}", run.stderr);
}

#[test]
fn quiet_names_hide_their_messages() {
    let run = interpose(&["-e", "quiet=exit", "-e", "trace=none", "true"]);
    assert!(
        run.status.success() && run.stderr.is_empty(),
        "{}",
        run.stderr
    );
    let run = interpose(&["-q", "-e", "quiet=exit", "true"]);
    assert_eq!(run.status.code(), Some(2), "{}", run.stderr);
}

#[test]
fn selections_match_strace_line_for_line() {
    // The same selections as strace, line for line.
    if !common::have("strace") {
        return;
    }
    let dir = scratch_dir("filter_strace");
    for (n, args) in [
        &["-P", "/etc/hostname"][..],
        &["-Z", "-e", "trace=openat,close"][..],
        &["-e", "trace=%file"][..],
        &[
            "-e",
            "trace=!read,write,mmap,set_tid_address,getrandom",
            "-e",
            "signal=none",
        ][..],
        &["-e", "raw=openat", "-e", "trace=openat"][..],
    ]
    .into_iter()
    .enumerate()
    {
        // Into files: the program's own stderr must not come between the lines.
        let ours_file = dir.join(format!("ours.{n}"));
        let theirs_file = dir.join(format!("theirs.{n}"));
        let mut ours = vec!["-o", ours_file.to_str().unwrap()];
        ours.extend(args);
        ours.extend(["cat", "/nonexistent", "/etc/hostname"]);
        interpose(&ours);
        let mut theirs = vec!["-f", "-o", theirs_file.to_str().unwrap()];
        theirs.extend(args);
        theirs.extend(["cat", "/nonexistent", "/etc/hostname"]);
        common::run("strace", &theirs);
        let normalize = |file: &std::path::Path| -> Vec<String> {
            let trace = std::fs::read_to_string(file).unwrap();
            parse_trace(&trace)
                .into_iter()
                .map(|l| {
                    // Addresses differ from run to run.
                    let mut text = String::new();
                    let mut rest = l.text.as_str();
                    while let Some(at) = rest.find("0x") {
                        text.push_str(&rest[..at]);
                        text.push_str("0xADDR");
                        rest = rest[at + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
                    }
                    text + rest
                })
                .collect()
        };
        let (ours, theirs) = (normalize(&ours_file), normalize(&theirs_file));
        let first = ours.iter().zip(&theirs).position(|(a, b)| a != b);
        assert!(
            first.is_none() && ours.len() == theirs.len(),
            "{args:?}: line {first:?} of {} (strace: {}):\n  ours:   {:?}\n  strace: {:?}",
            ours.len(),
            theirs.len(),
            first.and_then(|i| ours.get(i)),
            first.and_then(|i| theirs.get(i)),
        );
    }
}

/// Records the calls it is told about, interested in none itself.
struct Probe(Rc<RefCell<Vec<String>>>);

impl Sink for Probe {
    fn interest(&self) -> interpose::Interest {
        interpose::Interest::none()
    }

    fn wants_exit(&self, _: &interpose::Syscall) -> bool {
        false
    }

    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        if let EventKind::SyscallEntered { call } = &event.kind {
            self.0.borrow_mut().push(call.name().into_owned());
        }
        Ok(())
    }
}

/// The calls a run of `program` stopped at, with `text` the only other sink.
fn stops_with(program: &str, text: impl Sink + 'static) -> Vec<String> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let outcome = Command::new(program)
        .arg("2000")
        .timeout(common::TIMEOUT)
        .sink(text)
        .sink(Probe(seen.clone()))
        .trace(Passthru)
        .expect("trace");
    assert!(outcome.status.success() && !outcome.timed_out);
    seen.take()
}

#[test]
fn a_narrow_selection_lets_the_other_calls_run_without_stopping() {
    let Some(program) = filter_calls() else {
        return;
    };
    let program = program.to_str().unwrap();
    let getppids = |stops: &[String]| stops.iter().filter(|n| *n == "getppid").count();
    // Control: a whole trace stops at each of the 2000 getppid calls.
    let text = StraceText::new(Box::new(io::sink()), false, 32);
    let stops = stops_with(program, text);
    assert!(getppids(&stops) >= 2000, "{}", getppids(&stops));
    // trace=openat: the prefilter lets getppid run with no stop at all.
    let mut selection = Selection::new();
    selection.qualify("trace=openat").unwrap();
    let text = StraceText::new(Box::new(io::sink()), false, 32);
    let stops = stops_with(program, Filtered::new(text, selection));
    assert_eq!(getppids(&stops), 0, "{stops:?}");
    assert!(
        stops.iter().filter(|n| *n == "openat").count() >= 2,
        "{stops:?}"
    );
    assert!(
        stops.iter().all(|n| n == "openat" || n == "clone3"),
        "{stops:?}"
    );
    // The CLI: the program runs under a seccomp filter, which it can see.
    let status = |args: &[&str]| {
        let run = interpose(args);
        run.stdout_text()
            .lines()
            .find(|l| l.starts_with("Seccomp:"))
            .map(str::to_string)
    };
    let grep = ["grep", "Seccomp", "/proc/self/status"];
    let filtered = status(&[&["-e", "trace=openat"][..], &grep].concat());
    assert_eq!(filtered.as_deref(), Some("Seccomp:\t2"));
    let counted = status(&[&["-c", "-e", "trace=openat"][..], &grep].concat());
    assert_eq!(counted.as_deref(), Some("Seccomp:\t2"));
    let by_path = status(&[&["-P", "/etc/hostname"][..], &grep].concat());
    assert_eq!(by_path.as_deref(), Some("Seccomp:\t2"));
    let whole = status(&grep);
    assert_eq!(whole.as_deref(), Some("Seccomp:\t0"));
}

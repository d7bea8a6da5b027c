//! The eBPF backend (`--backend ebpf`) against the ptrace backend on real programs: the
//! same trace lines and the same `-c` calls, losses reported, and `--backend auto` falling
//! back to ptrace where eBPF cannot run. Tests that need to load BPF programs skip, saying
//! why, where that is not allowed (not root, no BTF).

mod common;

use common::{compile_c, have, interpose, interpose_bin, run, scratch_dir};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether this machine can load the BPF programs; prints why not.
fn ebpf_works() -> bool {
    let probe = interpose(&["--backend", "ebpf", "-o", "/dev/null", "/bin/true"]);
    if probe.status.success() {
        return true;
    }
    eprintln!(
        "skipped: the eBPF backend cannot run here: {}",
        probe.stderr.trim()
    );
    false
}

/// One program to trace: a name, argv, and whether its calls depend on timing (threads
/// racing each other: their `-c` counts are not compared).
struct Program {
    name: &'static str,
    argv: Vec<String>,
    timing: bool,
}

fn programs(dir: &Path) -> Vec<Program> {
    let data = dir.join("data.txt");
    let lines: Vec<String> = (0..300)
        .map(|i| format!("line {}\n", (i * 7919) % 1000))
        .collect();
    std::fs::write(&data, lines.concat()).unwrap();
    let data = data.display().to_string();
    let archive = dir.join("doc.tar").display().to_string();
    let mut list = vec![
        ("cat", vec!["cat".to_string(), data.clone()], false),
        (
            "sort",
            vec!["sort".into(), "-n".into(), data.clone()],
            false,
        ),
        ("sha256sum", vec!["sha256sum".into(), data.clone()], false),
        (
            "ls",
            vec!["ls".into(), "-l".into(), "/usr/share/doc/bash".into()],
            false,
        ),
        (
            "pipeline",
            vec!["sh".into(), "-c".into(), format!("cat {data} | wc -l")],
            // The shell's SIGCHLD handler runs once or twice, as the children end.
            true,
        ),
        (
            "find",
            vec!["find".into(), "/usr/share/doc/bash".into()],
            false,
        ),
        (
            "tar",
            vec![
                "tar".into(),
                "cf".into(),
                archive,
                "/usr/share/doc/bash".into(),
            ],
            false,
        ),
    ];
    if let Some(python) = python() {
        let script =
            "import os, json; print(json.dumps(sorted(os.listdir('/usr/share/doc/bash'))))";
        list.push(("python3", vec![python, "-c".into(), script.into()], false));
    }
    for (name, timing) in [
        ("text_threads", true),
        // Its thread may end before it is joined (no futex wait) or not; and ptrace's
        // ENOSYS answer to the thread's clone3 counts as a call.
        ("forks", true),
        ("sig_chld", false),
        // Whether the main thread is in pause() yet when the other thread executes.
        ("exec_from_thread", true),
        ("spawn", false),
    ] {
        if let Some(path) = compile_c(name, dir) {
            list.push((name, vec![path.display().to_string()], timing));
        }
    }
    list.into_iter()
        .map(|(name, argv, timing)| Program { name, argv, timing })
        .collect()
}

/// The real python3 (not a version manager's shim script, which runs a shell first).
fn python() -> Option<String> {
    let run = run(
        "python3",
        &[
            "-c",
            "import sys, os; print(os.path.realpath(sys.executable))",
        ],
    );
    run.status
        .success()
        .then(|| run.stdout_text().trim().to_string())
        .filter(|p| !p.is_empty())
}

/// Runs `interpose FLAGS -o OUT PROGRAM` in `dir`; the trace file's text. What a previous
/// run left (tar's archive) is removed first, so that both backends start alike.
fn trace(dir: &Path, flags: &[&str], out: &Path, program: &Program) -> String {
    let _ = std::fs::remove_file(dir.join("doc.tar"));
    let mut args: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    args.extend(["-o".to_string(), out.display().to_string()]);
    args.extend(program.argv.iter().cloned());
    let run = run_in(dir, &args);
    assert!(run.0, "{} {:?}: failed: {}", program.name, flags, run.1);
    std::fs::read_to_string(out).unwrap()
}

/// `interpose ARGS` in `dir` with its output on a pipe (so the program's writes read their
/// buffers), within the common timeout; (success, stderr).
fn run_in(dir: &Path, args: &[String]) -> (bool, String) {
    let mut child = Command::new(interpose_bin())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut sink);
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            reader.join().unwrap();
            let mut stderr = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr);
            return (status.success(), stderr);
        }
        if start.elapsed() > common::TIMEOUT {
            let _ = child.kill();
            panic!(
                "interpose {args:?} did not finish within {:?}",
                common::TIMEOUT
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The lines of a `-o` trace (`PID text`), with `<unfinished ...>` and `<... resumed>`
/// joined (the eBPF backend writes each call as one line), pids named by order of
/// appearance, addresses masked, getrandom's random bytes masked and padding collapsed.
fn logical_lines(trace: &str) -> Vec<(String, String)> {
    let mut open: HashMap<&str, String> = HashMap::new();
    let mut joined = Vec::new();
    let mut pids: Vec<String> = Vec::new();
    for line in trace.lines() {
        let Some((pid, text)) = line.split_once(' ') else {
            continue;
        };
        if !pids.iter().any(|p| p == pid) {
            pids.push(pid.to_string());
        }
        let text = text.trim();
        if let Some(head) = text.strip_suffix("<unfinished ...>") {
            open.insert(pid, head.trim_end().to_string());
            continue;
        }
        if let Some(rest) = text.strip_prefix("<... ")
            && let Some((_, tail)) = rest.split_once(" resumed>")
            && let Some(head) = open.remove(pid)
        {
            let gap = if head.ends_with(',') { " " } else { "" };
            joined.push((pid.to_string(), format!("{head}{gap}{tail}")));
            continue;
        }
        joined.push((pid.to_string(), text.to_string()));
    }
    joined.extend(
        open.into_iter()
            .map(|(pid, head)| (pid.to_string(), format!("{head} <unfinished ...>"))),
    );
    // Longest pids first, so that one pid is never replaced inside another.
    pids.sort_by_key(|p| std::cmp::Reverse(p.len()));
    joined
        .into_iter()
        .map(|(pid, line)| (pid, mask(&line, &pids)))
        .collect()
}

fn mask(line: &str, pids: &[String]) -> String {
    let mut out = String::new();
    let mut rest = line;
    // Addresses: 0x followed by hex digits.
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let digits = tail.chars().take_while(|c| c.is_ascii_hexdigit()).count();
        out.push_str("ADDR");
        rest = &tail[digits..];
    }
    out.push_str(rest);
    let mut line = out;
    for pid in pids {
        line = replace_number(&line, pid, "PID");
    }
    // What differs from run to run whoever traces: random bytes, the parent's pid (interpose),
    // the free memory, blocks and uptime.
    if line.starts_with("getrandom(\"")
        && let Some(end) = line.find("\", ")
    {
        line = format!("getrandom(RANDOM{}", &line[end + 1..]);
    }
    if line.starts_with("getppid()") {
        line = "getppid() = PARENT".to_string();
    }
    for call in ["sysinfo(", "statfs(", "fstatfs("] {
        if let Some(rest) = line.strip_prefix(call)
            && let (Some(open), Some(close)) = (rest.find('{'), rest.find('}'))
        {
            line = format!("{call}{}{{...}}{}", &rest[..open], &rest[close + 1..]);
        }
    }
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Replaces `number` where it stands alone (not inside a longer number).
fn replace_number(line: &str, number: &str, with: &str) -> String {
    let mut out = String::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        if line[i..].starts_with(number) {
            let before = i == 0 || !bytes[i - 1].is_ascii_digit();
            let end = i + number.len();
            let after = end == line.len() || !bytes[end].is_ascii_digit();
            if before && after {
                out.push_str(with);
                i = end;
                continue;
            }
        }
        let c = line[i..].chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// What differs between the backends on purpose, not by a fault of either: the ptrace
/// backend runs a `clone3` as `clone`, or answers it with `ENOSYS` when `clone` cannot
/// express it and the program falls back to `clone` (README, "What interpose changes on
/// purpose"), so eBPF shows the program's own `clone3`: clone lines are compared by their
/// result only, and the `ENOSYS` answers are dropped. A `SIGCHLD` whose disposition is the
/// default (ignore) is never generated for an untraced process, so only ptrace shows it.
fn explained(lines: Vec<(String, String)>, sigchld_seen: bool) -> Vec<String> {
    lines
        .into_iter()
        .filter(|(_, line)| {
            let injected = line.starts_with("clone3(") && line.contains("(INJECTED)");
            let sigchld = !sigchld_seen && line.starts_with("--- SIGCHLD ");
            !injected && !sigchld
        })
        .map(|(_, line)| {
            if line.starts_with("clone(") || line.starts_with("clone3(") {
                let result = line.rsplit_once(" = ").map_or("", |(_, r)| r);
                format!("clone* = {result}")
            } else {
                line
            }
        })
        .collect()
}

/// Lines in common of two multisets of lines.
fn common(a: &[String], b: &[String]) -> usize {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for line in a {
        *counts.entry(line).or_default() += 1;
    }
    b.iter()
        .filter(|line| match counts.get_mut(line.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .count()
}

#[test]
fn ebpf_and_ptrace_traces_agree_on_real_programs() {
    if !ebpf_works() {
        return;
    }
    let dir = scratch_dir("ebpf_agree");
    let programs = programs(&dir);
    assert!(programs.len() >= 10, "only {} programs", programs.len());
    let (mut total, mut same) = (0, 0);
    let mut report = String::new();
    for program in &programs {
        let out = dir.join(format!("{}.ptrace", program.name));
        // The ptrace backend hides the vDSO by default, so clock calls trap; eBPF sees the
        // calls that reach the kernel, as the program makes them natively.
        let ptrace = trace(&dir, &["--keep-vdso"], &out, program);
        let out = dir.join(format!("{}.ebpf", program.name));
        let ebpf = trace(&dir, &["--backend", "ebpf"], &out, program);
        let ptrace = logical_lines(&ptrace);
        let ebpf = logical_lines(&ebpf);
        let sigchld_seen = ebpf.iter().any(|(_, l)| l.starts_with("--- SIGCHLD "));
        let (ptrace, ebpf) = (
            explained(ptrace, sigchld_seen),
            explained(ebpf, sigchld_seen),
        );
        let n = ptrace.len().max(ebpf.len());
        let c = common(&ptrace, &ebpf);
        total += n;
        same += c;
        report.push_str(&format!("{}: {c} of {n} lines identical\n", program.name));
        let in_ebpf: HashSet<&String> = ebpf.iter().collect();
        for line in ptrace.iter().filter(|l| !in_ebpf.contains(l)).take(5) {
            report.push_str(&format!("  ptrace only: {line}\n"));
        }
        let in_ptrace: HashSet<&String> = ptrace.iter().collect();
        for line in ebpf.iter().filter(|l| !in_ptrace.contains(l)).take(5) {
            report.push_str(&format!("  ebpf only:   {line}\n"));
        }
    }
    let share = same as f64 / total as f64;
    eprintln!(
        "{report}{same} of {total} lines identical ({:.2} %)",
        share * 100.0
    );
    assert!(
        share >= 0.99,
        "fewer than 99 % of lines identical:\n{report}"
    );
}

/// The `calls` column of a `-c` table, by syscall.
fn calls(table: &str) -> BTreeMap<String, u64> {
    table
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // % time, seconds, usecs/call, calls, [errors,] syscall
            if fields.len() < 5 || fields[0].parse::<f64>().is_err() {
                return None;
            }
            let name = fields.last()?.to_string();
            let calls = fields[3].parse().ok()?;
            (name != "total").then_some((name, calls))
        })
        .collect()
}

#[test]
fn ebpf_and_ptrace_count_the_same_calls() {
    if !ebpf_works() {
        return;
    }
    let dir = scratch_dir("ebpf_count");
    for program in programs(&dir).iter().filter(|p| !p.timing) {
        let out = dir.join(format!("{}.ptrace", program.name));
        let ptrace = calls(&trace(&dir, &["-c", "--keep-vdso"], &out, program));
        let out = dir.join(format!("{}.ebpf", program.name));
        let ebpf = calls(&trace(&dir, &["-c", "--backend", "ebpf"], &out, program));
        // The ptrace backend runs clone3 as clone (see `explained`).
        let clones = |mut calls: BTreeMap<String, u64>| {
            let n = calls.remove("clone3").unwrap_or(0) + calls.remove("clone").unwrap_or(0);
            calls.insert("clone, clone3".into(), n);
            calls
        };
        let (ptrace, ebpf) = (clones(ptrace), clones(ebpf));
        assert!(!ptrace.is_empty(), "{}: no table", program.name);
        assert_eq!(ptrace, ebpf, "{}: the calls columns differ", program.name);
    }
}

/// A reader that stops reading: the trace goes to a FIFO nobody reads for a second while
/// the program makes a million calls (more records than the ring buffer holds). The program is never slowed to wait: records are lost,
/// and the trace ends saying how many.
#[test]
fn a_stalled_reader_ends_with_a_loss_count() {
    const CALLS: u64 = 1_000_000;
    if !ebpf_works() {
        return;
    }
    let dir = scratch_dir("ebpf_stall");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/getppid_loop.c");
    let program = dir.join("getppid_loop");
    let built = Command::new("cc")
        .arg("-O2")
        .arg("-o")
        .arg(&program)
        .arg(&source)
        .status();
    if !built.is_ok_and(|s| s.success()) {
        eprintln!("skipped: cannot compile {}", source.display());
        return;
    }
    let fifo = dir.join("trace.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut child = Command::new(interpose_bin())
        .args(["--backend", "ebpf", "-o"])
        .arg(&fifo)
        .arg(&program)
        .arg(CALLS.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Opened only now (interpose's open blocks until then), and read only a second later.
    // Opening blocks until interpose opens its end: wait for it in a thread, with a limit.
    let (opened, open) = std::sync::mpsc::channel();
    let path = fifo.clone();
    std::thread::spawn(move || opened.send(std::fs::File::open(path)));
    let Ok(Ok(mut reader)) = open.recv_timeout(common::TIMEOUT) else {
        let _ = child.kill();
        panic!("interpose never opened its trace file");
    };
    std::thread::sleep(Duration::from_secs(1));
    let mut text = String::new();
    let read = std::thread::spawn(move || {
        std::io::Read::read_to_string(&mut reader, &mut text).unwrap();
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > common::TIMEOUT {
            let _ = child.kill();
            panic!("interpose did not finish");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let text = read.join().unwrap();
    assert!(status.success(), "interpose failed");
    let last = text.lines().last().unwrap_or_default();
    let lost: u64 = last
        .split_whitespace()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the trace does not end with a loss count: {last:?}"));
    assert!(
        last.ends_with("records lost: the eBPF ring buffer was full +++"),
        "{last}"
    );
    let shown = text.lines().filter(|l| l.contains("getppid()")).count() as u64;
    assert!(lost > 0 && shown < CALLS, "lost {lost}, shown {shown}");
    eprintln!("{shown} getppid calls shown, {lost} records lost");
}

#[test]
fn json_and_count_report_losses_too() {
    if !ebpf_works() {
        return;
    }
    let json = interpose(&["--backend", "ebpf", "--json", "/bin/true"]);
    assert!(json.status.success(), "{}", json.stderr);
    let last = json.stderr.lines().last().unwrap_or_default();
    let object: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(object["type"], "lost", "{last}");
    assert_eq!(object["records"], 0, "{last}");
}

#[test]
fn ebpf_refuses_what_only_ptrace_can_do() {
    let run = interpose(&[
        "--backend",
        "ebpf",
        "-e",
        "inject=openat:error=EACCES",
        "/bin/true",
    ]);
    assert_eq!(run.status.code(), Some(2), "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        "interpose: --backend ebpf only observes: -e inject changes calls"
    );
    let run = interpose(&["--backend", "bpf", "/bin/true"]);
    assert_eq!(run.status.code(), Some(2), "{}", run.stderr);
}

/// `--backend auto` as an unprivileged user: one line saying why, then the ptrace trace.
#[test]
fn auto_without_root_falls_back_to_ptrace() {
    let root = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"));
    if !have("setpriv") || !root {
        eprintln!("skipped: needs root and setpriv to run interpose as nobody");
        return;
    }
    // A copy nobody can run, wherever the build directory is.
    let dir = PathBuf::from("/tmp").join(format!("interpose-auto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let binary = dir.join("interpose");
    std::fs::copy(interpose_bin(), &binary).unwrap();
    let open = |path: &Path, mode| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    open(&dir, 0o755);
    open(&binary, 0o755);
    let run = run(
        "setpriv",
        &[
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            binary.to_str().unwrap(),
            "--backend",
            "auto",
            "/bin/echo",
            "hi",
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stdout_text(), "hi\n");
    let mut lines = run.stderr.lines();
    assert_eq!(
        lines.next(),
        Some(
            "interpose: --backend auto: using ptrace: loading eBPF programs needs root (or CAP_BPF and CAP_PERFMON)"
        )
    );
    // Then the trace, from ptrace, as usual.
    let rest: Vec<&str> = lines.collect();
    assert!(rest[0].starts_with("execve(\"/bin/echo\""), "{rest:?}");
    assert_eq!(rest.last(), Some(&"+++ exited with 0 +++"));
    assert!(
        !rest.iter().any(|l| l.starts_with("interpose:")),
        "{rest:?}"
    );
}

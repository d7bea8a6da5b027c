//! No traced program can make an untraced child: `CLONE_UNTRACED` is taken out of every
//! clone before it runs, through every route (x86_64 `clone`, `clone3` raced by another
//! thread, both through `int 0x80`, and x32), under the full trace and under the seccomp
//! prefilter; a `clone3` that `clone` cannot express is refused with ENOSYS. `tests/programs/clone_escape.c` is the oracle: each child reads its own
//! `TracerPid`, and the program counts the children no tracer holds.

mod common;

use common::{compile_c, interpose, join_resumed, parse_trace};
use interpose::linux::Getppid;
use interpose::{Linux, SysResult, Tracee};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Attempts per route: enough to lose a race that a tracer writing the struct in memory
/// loses most of the time.
const ATTEMPTS: u32 = 1000;

/// What must come of a route's attempts, besides no child escaping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// A traced child every time.
    Made,
    /// No child: the call fails with ENOSYS every time. clone3 with CLONE_SETTLS, which
    /// clone takes in r8, a register the caller may be using; x32 clone3.
    Refused,
    /// Either, as the kernel has the x32 ABI or not.
    MadeOrRefused,
}

/// Every route of `clone_escape.c`.
const ROUTES: &[(&str, Expect)] = &[
    ("clone", Expect::Made),
    ("clone3", Expect::Made),
    ("i386", Expect::Made),
    ("i386_clone3", Expect::Made),
    ("clone3_tls", Expect::Refused),
    ("x32", Expect::MadeOrRefused),
    ("x32_clone3", Expect::Refused),
];

/// What the program printed for one route.
#[derive(Debug, PartialEq, Eq)]
struct Count {
    route: String,
    attempts: u32,
    children: u32,
    escaped: u32,
    refused: u32,
    errno: i32,
}

fn parse(stdout: &str) -> Count {
    let line = stdout.lines().next().unwrap_or_else(|| panic!("no output"));
    let mut words = line.split(' ');
    let route = words.next().unwrap().to_string();
    let mut field = |name: &str| -> i64 {
        let word = words
            .next()
            .unwrap_or_else(|| panic!("no {name} in {line:?}"));
        let value = word
            .strip_prefix(name)
            .and_then(|w| w.strip_prefix('='))
            .unwrap_or_else(|| panic!("{name} expected in {line:?}"));
        value.parse().unwrap()
    };
    Count {
        route,
        attempts: field("attempts") as u32,
        children: field("children") as u32,
        escaped: field("escaped") as u32,
        refused: field("refused") as u32,
        errno: field("errno") as i32,
    }
}

fn program(dir: &Path) -> Option<PathBuf> {
    compile_c("clone_escape", dir)
}

/// No child escaped, and every attempt made a traced child or failed with ENOSYS, as
/// `expect` says.
fn assert_none_escaped(count: &Count, expect: Expect, how: &str) {
    assert_eq!(count.attempts, ATTEMPTS, "{how}: {count:?}");
    assert_eq!(count.escaped, 0, "{how}: children escaped: {count:?}");
    let made = (count.children, count.refused) == (ATTEMPTS, 0);
    let refused = (count.children, count.refused, count.errno) == (0, ATTEMPTS, libc::ENOSYS);
    let fine = match expect {
        Expect::Made => made,
        Expect::Refused => refused,
        Expect::MadeOrRefused => made || refused,
    };
    assert!(fine, "{how}: expected {expect:?}: {count:?}");
}

#[test]
fn no_child_escapes_the_full_trace() {
    let dir = common::scratch_dir("clone_escape_cli");
    let Some(program) = program(&dir) else {
        return;
    };
    let attempts = ATTEMPTS.to_string();
    for &(route, expect) in ROUTES {
        let run = interpose(&[
            "-o",
            "/dev/null",
            program.to_str().unwrap(),
            route,
            &attempts,
        ]);
        assert!(run.status.success(), "{route}: {run:?}");
        assert_none_escaped(&parse(&run.stdout_text()), expect, "interpose -o /dev/null");
    }
}

#[test]
fn no_child_escapes_the_seccomp_prefilter() {
    let dir = common::scratch_dir("clone_escape_seccomp");
    let Some(program) = program(&dir) else {
        return;
    };
    let attempts = ATTEMPTS.to_string();
    for &(route, expect) in ROUTES {
        // No trace output: only the calls the filter traps stop (clone3, clone with
        // CLONE_UNTRACED, i386 and x32 calls).
        let (out, outcome) = common::traced(
            interpose::Passthru,
            program.to_str().unwrap(),
            &[route, &attempts],
        );
        assert!(outcome.status.success(), "{route}: {out}");
        assert_none_escaped(&parse(&out), expect, "Passthru with the prefilter");
    }
}

/// The oracle can fail: natively every child is untraced (there is no tracer), and under
/// `strace -f`, which leaves CLONE_UNTRACED alone, children of every route escape.
#[test]
fn children_escape_a_tracer_that_keeps_the_flag() {
    let dir = common::scratch_dir("clone_escape_strace");
    let Some(program) = program(&dir) else {
        return;
    };
    let program = program.to_str().unwrap();
    let mut routes = Vec::new();
    for &(route, _) in ROUTES {
        let native = common::run(program, &[route, "20"]);
        assert!(native.status.success(), "{route}: {native:?}");
        let count = parse(&native.stdout_text());
        if route.starts_with("x32") && count.errno == libc::ENOSYS {
            eprintln!("{route}: skipped natively and under strace: no x32 ABI in this kernel");
            continue;
        }
        assert_eq!(
            (count.children, count.escaped),
            (20, 20),
            "native: {count:?}"
        );
        routes.push(route);
    }
    if !common::have("strace") {
        return;
    }
    for route in routes {
        let run = common::run("strace", &["-f", "-o", "/dev/null", program, route, "20"]);
        assert!(run.status.success(), "{route}: {run:?}");
        let count = parse(&run.stdout_text());
        assert_eq!(count.children, 20, "strace -f: {count:?}");
        assert!(count.escaped > 0, "nothing escaped strace -f: {count:?}");
    }
}

const REMOVED: &str = "--- CLONE_UNTRACED removed: the new process stays traced ---";

/// The trace shows what ran: the flag's removal, the clone that ran in clone3's place (its
/// child traced under its pid), and a refused clone3 failing with ENOSYS.
#[test]
fn the_trace_shows_what_ran() {
    let dir = common::scratch_dir("clone_escape_trace");
    let Some(program) = program(&dir) else {
        return;
    };
    let program = program.to_str().unwrap();
    let run = interpose(&[program, "clone3", "1"]);
    assert!(run.status.success(), "{run:?}");
    let lines = join_resumed(&parse_trace(&run.stderr));
    // The first process's lines: its racer thread has a pid of its own.
    let main: Vec<_> = lines.iter().filter(|l| l.pid.is_none()).collect();
    let at = main
        .iter()
        .position(|l| l.text == REMOVED)
        .unwrap_or_else(|| panic!("no removal said:\n{}", run.stderr));
    let clone = main[at + 1];
    assert!(
        clone
            .text
            .starts_with("clone(child_stack=NULL, flags=SIGCHLD"),
        "{clone:?}\n{}",
        run.stderr
    );
    let child: i32 = clone.ret().unwrap().parse().unwrap();
    assert!(
        lines.iter().any(|l| l.pid == Some(child)
            && l.text
                .starts_with(r#"openat(AT_FDCWD, "/proc/self/status", O_RDONLY) = "#)),
        "the child's calls are traced:\n{}",
        run.stderr
    );

    let run = interpose(&[program, "clone3_tls", "1"]);
    assert!(run.status.success(), "{run:?}");
    assert!(!run.stderr.contains(REMOVED), "{}", run.stderr);
    let lines = join_resumed(&parse_trace(&run.stderr));
    let refused: Vec<_> = lines
        .iter()
        .filter(|l| l.pid.is_none() && l.syscall() == Some("clone3"))
        .collect();
    assert!(!refused.is_empty(), "{}", run.stderr);
    for line in refused {
        assert_eq!(
            line.ret(),
            // The tracer answered it: the kernel never ran it.
            Some("-1 ENOSYS (Function not implemented) (INJECTED)"),
            "{}",
            run.stderr
        );
    }
}

/// Counts the getppid calls of each thread.
#[derive(Default)]
struct GetppidPerThread {
    calls: RefCell<HashMap<i32, u32>>,
}

#[interpose::handler]
impl Linux for GetppidPerThread {
    async fn getppid(&self, t: &mut Tracee, call: Getppid) -> SysResult {
        *self.calls.borrow_mut().entry(t.tid().as_raw()).or_default() += 1;
        t.pass(call)
    }
}

/// glibc's `pthread_create` (clone3 refused, then clone) and `posix_spawn` (clone3 run as
/// clone) work as before under the prefilter, and their children stay traced.
#[test]
fn threads_and_posix_spawn_under_the_prefilter() {
    let dir = common::scratch_dir("clone_escape_glibc");
    let (Some(threads), Some(spawn)) =
        (compile_c("threads_stress", &dir), compile_c("spawn", &dir))
    else {
        return;
    };
    let (out, outcome) = common::traced(
        GetppidPerThread::default(),
        threads.to_str().unwrap(),
        &["8", "100"],
    );
    assert!(outcome.status.success());
    assert_eq!(out, "800\n");
    let calls = outcome.handler.calls.into_inner();
    assert_eq!(calls.len(), 8, "{calls:?}");
    assert!(calls.values().all(|&n| n == 100), "{calls:?}");

    let (out, outcome) = common::traced(interpose::Passthru, spawn.to_str().unwrap(), &[]);
    assert!(outcome.status.success(), "{out}");
    let native = common::run(spawn.to_str().unwrap(), &[] as &[&str]);
    let shape = |out: &str| -> Vec<String> {
        out.lines()
            .map(|l| l.trim_end_matches(|c: char| c.is_ascii_digit()).to_string())
            .collect()
    };
    assert_eq!(shape(&out), shape(&native.stdout_text()));
    assert_eq!(shape(&out), ["spawned", "posix_spawn ", "clone3 "]);
}

//! The seccomp prefilter: only overridden calls stop, i386 calls are never mistaken for
//! x86_64 ones, calls interrupted by job control restart, and a handler awaiting a blocked
//! call never stops other tracees.

mod common;

use interpose::linux::{ClockNanosleep, Getppid, Read, Write, Writev};
use interpose::{Linux, SysResult, Tracee};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// Awaits the result of every read and write, so a reader blocked in `read` has its
/// handler suspended while the writer's calls go on.
#[derive(Default)]
struct AwaitAll {
    reads: Cell<u32>,
    writes: Cell<u32>,
}

#[interpose::handler]
impl Linux for AwaitAll {
    async fn read(&self, t: &mut Tracee, call: Read) -> SysResult {
        let result = t.forward(call).await;
        self.reads.set(self.reads.get() + 1);
        result
    }

    async fn write(&self, t: &mut Tracee, call: Write) -> SysResult {
        let result = t.forward(call).await;
        self.writes.set(self.writes.get() + 1);
        result
    }
}

#[test]
fn handler_awaiting_a_blocked_read_does_not_stop_the_writer() {
    // cat blocks reading the pipe until the shell, 0.3 s later, writes to it.
    let (out, outcome) = common::traced(
        AwaitAll::default(),
        "sh",
        &["-c", "(sleep 0.3; echo through the pipe) | cat"],
    );
    assert!(outcome.status.success());
    assert_eq!(out, "through the pipe\n");
    assert!(
        outcome.handler.reads.get() >= 2,
        "cat's data read and its EOF read"
    );
    assert!(
        outcome.handler.writes.get() >= 2,
        "echo's write and cat's write"
    );
}

/// Overrides writev (x86_64 number 20) and the i386 entry point.
#[derive(Default)]
struct I386Watch {
    writev: Cell<u32>,
    i386: Cell<Vec<i64>>,
}

#[interpose::handler]
impl Linux for I386Watch {
    async fn writev(&self, t: &mut Tracee, call: Writev) -> SysResult {
        self.writev.set(self.writev.get() + 1);
        t.pass(call)
    }

    async fn i386_syscall(&self, _: &mut Tracee, call: interpose::linux::I386) -> SysResult {
        let mut seen = self.i386.take();
        seen.push(call.number);
        self.i386.set(seen);
        Ok(4242)
    }
}

#[test]
fn i386_calls_are_never_taken_for_x86_64_calls() {
    let dir = common::scratch_dir("i386");
    let Some(program) = common::compile_c("i386_call", &dir) else {
        return;
    };
    let (out, outcome) = common::traced(I386Watch::default(), program.to_str().unwrap(), &[]);
    assert!(outcome.status.success());
    assert!(out.starts_with("i386 getpid 4242 real "), "{out}");
    assert_eq!(
        outcome.handler.writev.get(),
        0,
        "int 0x80 number 20 is not writev"
    );
    assert_eq!(outcome.handler.i386.take(), vec![20]);
}

#[test]
fn i386_calls_are_marked_in_the_trace() {
    let dir = common::scratch_dir("i386_trace");
    let Some(program) = common::compile_c("i386_call", &dir) else {
        return;
    };
    let run = common::interpose(&[program.to_str().unwrap()]);
    assert!(run.status.success());
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("[i386] syscall_0x14(")),
        "trace:\n{}",
        run.stderr
    );
    // Run natively the same call returns the pid; traced, it must too.
    let line = run.stdout_text();
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[2], words[4], "{line}");
}

struct CountGetppid {
    calls: Cell<u32>,
}

#[interpose::handler]
impl Linux for CountGetppid {
    async fn getppid(&self, t: &mut Tracee, call: Getppid) -> SysResult {
        self.calls.set(self.calls.get() + 1);
        t.pass(call)
    }
}

#[test]
fn only_overridden_calls_reach_the_handler() {
    // The shell makes many calls; exactly one getppid (for $PPID).
    let (out, outcome) = common::traced(
        CountGetppid {
            calls: Cell::new(0),
        },
        "sh",
        &["-c", "echo $PPID"],
    );
    let ppid: u32 = out.trim().parse().unwrap();
    assert_eq!(ppid, std::process::id(), "passed through: the real parent");
    assert_eq!(outcome.handler.calls.get(), 1);
}

/// Awaits the result of clock_nanosleep, which job control interrupts and the kernel
/// resumes with restart_syscall. Publishes the tracee's pid for the test to signal.
struct AwaitSleep {
    pid: Arc<AtomicI32>,
}

#[interpose::handler]
impl Linux for AwaitSleep {
    async fn clock_nanosleep(&self, t: &mut Tracee, call: ClockNanosleep) -> SysResult {
        self.pid.store(t.pid().as_raw(), Ordering::SeqCst);
        t.forward(call).await
    }
}

#[test]
fn sleep_stopped_and_continued_restarts_and_finishes() {
    let pid = Arc::new(AtomicI32::new(0));
    let start = Instant::now();
    let stopper = {
        let pid = pid.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            while pid.load(Ordering::SeqCst) == 0 {
                assert!(
                    Instant::now() < deadline,
                    "clock_nanosleep never reached the handler"
                );
                std::thread::sleep(Duration::from_millis(10));
            }
            let sleeper = Pid::from_raw(pid.load(Ordering::SeqCst));
            std::thread::sleep(Duration::from_millis(200));
            kill(sleeper, Signal::SIGSTOP).unwrap();
            std::thread::sleep(Duration::from_millis(400));
            kill(sleeper, Signal::SIGCONT).unwrap();
        })
    };
    let (_, outcome) = common::traced(AwaitSleep { pid }, "sleep", &["1"]);
    stopper.join().unwrap();
    assert!(outcome.status.success(), "{:?}", outcome.status);
    // Stopped for 0.4 s of its 1 s sleep: the restarted call still slept the whole second.
    assert!(
        start.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn clone_untraced_cannot_escape() {
    let dir = common::scratch_dir("untraced");
    let Some(program) = common::compile_c("untraced", &dir) else {
        return;
    };
    // With the prefilter: the child's getppid still reaches the handler.
    let (out, outcome) = common::traced(
        CountGetppid {
            calls: Cell::new(0),
        },
        program.to_str().unwrap(),
        &[],
    );
    assert!(outcome.status.success());
    assert_eq!(out, "untraced child ran\n");
    assert_eq!(outcome.handler.calls.get(), 1, "the child stayed traced");
    // Full trace: the child's calls appear under its pid, and the change is said.
    let run = common::interpose(&[program.to_str().unwrap()]);
    assert!(run.status.success());
    assert!(
        run.stderr
            .contains("--- CLONE_UNTRACED removed: the new process stays traced ---"),
        "{}",
        run.stderr
    );
    let lines = common::join_resumed(&common::parse_trace(&run.stderr));
    assert!(
        lines
            .iter()
            .any(|l| l.pid.is_some() && l.text.starts_with("getppid() = ")),
        "{}",
        run.stderr
    );
}

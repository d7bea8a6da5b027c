//! Signals and the tracer's own process: a program that signals its own process group
//! (`kill -TERM 0`, `trap 'kill 0' EXIT`) reaches interpose too, and one sent to interpose
//! from outside is meant for the program. Each case runs natively and under interpose and
//! must end the same: the same output, exit code or death signal.
//!
//! Every run starts in a process group of its own, through `env --default-signal` so that
//! a signal this test process happens to ignore (a background job ignores SIGINT) starts at
//! its default, natively and traced alike.

mod common;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const SIGNALS: &[(&str, Signal)] = &[
    ("TERM", Signal::SIGTERM),
    ("HUP", Signal::SIGHUP),
    ("INT", Signal::SIGINT),
    ("USR1", Signal::SIGUSR1),
    ("USR2", Signal::SIGUSR2),
    ("ALRM", Signal::SIGALRM),
];

/// How a run ended, comparable between native and traced runs.
#[derive(Debug, PartialEq, Eq)]
struct Ending {
    stdout: String,
    code: Option<i32>,
    signal: Option<i32>,
}

fn ending(status: ExitStatus, stdout: String) -> Ending {
    Ending {
        stdout,
        code: status.code(),
        signal: status.signal(),
    }
}

/// `sh -c script`, natively or under `interpose -o /dev/null`, in a new process group,
/// with every signal of the test at its default.
fn spawn(traced: bool, script: &str) -> Child {
    let mut command = Command::new("env");
    command.arg("--default-signal=TERM,HUP,INT,QUIT,USR1,USR2,ALRM");
    if traced {
        command.args([common::interpose_bin(), "-o", "/dev/null"]);
    }
    command
        .args(["sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap()
}

/// Waits for `child` with a deadline, killing its group (and failing) past it.
fn finish(mut child: Child) -> Ending {
    let deadline = Instant::now() + common::TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = kill(Pid::from_raw(-(child.id() as i32)), Signal::SIGKILL);
            panic!("did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = std::io::read_to_string(child.stdout.take().unwrap()).unwrap();
    ending(status, stdout)
}

fn wait_for_file(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(path).is_ok_and(|t| t.ends_with('\n')) {
        assert!(
            Instant::now() < deadline,
            "{} never written",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The program signals its own process group, interpose included.
fn group_case(script: &str) -> (Ending, Ending) {
    let native = finish(spawn(false, script));
    let traced = finish(spawn(true, script));
    (native, traced)
}

#[test]
fn a_program_signalling_its_group_traps_as_natively() {
    for (name, _) in SIGNALS {
        let script = format!("trap 'echo caught' {name}; kill -{name} 0; echo after; exit 3");
        let (native, traced) = group_case(&script);
        assert_eq!(native.stdout, "caught\nafter\n", "SIG{name} natively");
        assert_eq!(traced, native, "SIG{name} to the group, trapped");
    }
}

#[test]
fn a_program_signalling_its_group_dies_as_natively() {
    for (name, signal) in SIGNALS {
        let script = format!("kill -{name} 0; echo after; exit 3");
        let (native, traced) = group_case(&script);
        assert_eq!(native.signal, Some(*signal as i32), "SIG{name} natively");
        assert_eq!(traced, native, "SIG{name} to the group, not trapped");
    }
}

#[test]
fn trap_kill_0_on_exit_runs_to_the_end() {
    // The shell idiom that kills a script's helpers when it ends.
    let script = "trap 'kill 0' EXIT; sleep 30 & echo started; exit 5";
    let (native, traced) = group_case(script);
    assert_eq!(native.stdout, "started\n");
    assert_eq!(traced, native);
}

/// A signal sent to the program (natively) or to interpose (traced) from outside.
fn outside_case(tag: &str, trap: &str, signal: Signal) -> (Ending, Ending) {
    let dir = common::scratch_dir(&format!("group_signal_{tag}"));
    let run = |traced: bool| {
        let ready = dir.join(if traced {
            "ready_traced"
        } else {
            "ready_native"
        });
        let _ = std::fs::remove_file(&ready);
        let script = format!(
            "{trap} echo > {}; while :; do sleep 0.05; done",
            ready.display()
        );
        let child = spawn(traced, &script);
        wait_for_file(&ready);
        // `env` executed the program (or interpose) in place: the child's pid is its pid.
        kill(Pid::from_raw(child.id() as i32), signal).unwrap();
        finish(child)
    };
    (run(false), run(true))
}

#[test]
fn a_signal_from_outside_reaches_the_program_which_traps_it() {
    for (name, signal) in SIGNALS {
        let trap = format!("trap 'echo caught; exit 4' {name};");
        let (native, traced) = outside_case(&format!("trap_{name}"), &trap, *signal);
        assert_eq!(native.code, Some(4), "SIG{name} natively: {native:?}");
        assert_eq!(traced, native, "SIG{name} from outside, trapped");
    }
}

#[test]
fn a_signal_from_outside_kills_the_program_as_natively() {
    for (name, signal) in SIGNALS {
        let (native, traced) = outside_case(&format!("die_{name}"), "", *signal);
        assert_eq!(native.signal, Some(*signal as i32), "SIG{name} natively");
        assert_eq!(traced, native, "SIG{name} from outside, not trapped");
    }
}

#[test]
fn a_program_ignoring_sigterm_is_killed_by_a_second_one_after_the_grace() {
    let dir = common::scratch_dir("group_signal_grace");
    let ready = dir.join("ready");
    let script = format!(
        "trap '' TERM; echo > {}; while :; do sleep 0.05; done",
        ready.display()
    );
    let child = spawn(true, &script);
    wait_for_file(&ready);
    let interpose = Pid::from_raw(child.id() as i32);
    kill(interpose, Signal::SIGTERM).unwrap();
    // The program ignores it, as it would natively, and interpose waits with it.
    std::thread::sleep(Duration::from_millis(2300));
    assert!(
        std::fs::read_to_string(format!("/proc/{interpose}/stat")).is_ok(),
        "interpose ended although the program ignores SIGTERM"
    );
    // Past the grace period a second one ends the whole tree.
    kill(interpose, Signal::SIGTERM).unwrap();
    let ended = finish(child);
    assert_eq!(ended.signal, Some(libc::SIGTERM), "{ended:?}");
}

//! Random system calls with junk arguments (`tests/programs/junk_syscalls.c`: NULL, -1,
//! 2^63, kernel addresses, unmapped pages, pointers into the program's own data and text,
//! random lengths, i386 and x32 calls) under the CLI with several output options and under
//! a handler that decodes every argument and forwards every call. The program reports each
//! call's result; the report and the exit status must equal a native run's, and the tracer
//! must neither panic nor hang.
//!
//! The program runs as nobody (`setpriv`), each run in a fresh directory, and chooses only
//! calls that cannot harm the machine or the test (see the program's comment).

mod common;

use common::{compile_c, interpose_bin, run, scratch_dir};
use interpose::args::Decoder;
use interpose::{Linux, SysResult, Syscall, Tracee};
use std::cell::Cell;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;

/// Calls per run, and the seeds of the runs.
const CALLS: &str = "3000";
const SEEDS: [&str; 2] = ["1", "20261129"];

/// Whether this test runs as root: the effective uid in `/proc/self/status`.
fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let uids = status.lines().find_map(|l| l.strip_prefix("Uid:")).unwrap();
    uids.split_whitespace().nth(1) == Some("0")
}

/// The compiled program and the directory the runs happen in; `None` (after saying why)
/// when the program cannot run unprivileged here.
fn setup(name: &str) -> Option<(PathBuf, PathBuf)> {
    let dir = scratch_dir(name);
    let program = compile_c("junk_syscalls", &dir)?;
    if !is_root() {
        // Already unprivileged: setpriv cannot switch users, and need not.
        eprintln!("note: not root; running the junk calls as the current user");
    } else if !common::have("setpriv") {
        eprintln!("skipped: junk calls run only as nobody, and setpriv is missing");
        return None;
    }
    // nobody must be able to reach the program and write in the run directories.
    for path in [dir.as_path(), program.as_path()] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    Some((program, dir))
}

/// The command line that runs the program in `dir/run` (recreated, writable by nobody):
/// through setpriv as nobody when we are root.
fn command(program: &Path, dir: &Path, run: &str, seed: &str) -> Vec<String> {
    let workdir = dir.join(run);
    let _ = std::fs::remove_dir_all(&workdir);
    std::fs::create_dir(&workdir).unwrap();
    std::fs::set_permissions(&workdir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut args: Vec<String> = Vec::new();
    if is_root() {
        args.extend(
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
            ]
            .map(String::from),
        );
    }
    args.push(program.display().to_string());
    args.push(workdir.display().to_string());
    args.push(seed.to_string());
    args.push(CALLS.to_string());
    args
}

/// The native run's report and status. Run directories all have names of one length, so
/// `getcwd` into a short buffer fails alike.
fn native(program: &Path, dir: &Path, seed: &str) -> (String, ExitStatus) {
    let args = command(program, dir, "native", seed);
    let out = run(&args[0], &args[1..]);
    let report = out.stdout_text();
    assert!(
        report.ends_with("done\n"),
        "the native run did not finish ({:?}): {}",
        out.status,
        out.stderr
    );
    (report, out.status)
}

/// The first line where two reports differ.
fn first_difference(native: &str, traced: &str) -> String {
    let pair = native
        .lines()
        .zip(traced.lines())
        .find(|(n, t)| n != t)
        .map(|(n, t)| format!("native: {n}\ntraced: {t}"));
    pair.unwrap_or_else(|| "one report is shorter".to_string())
}

fn same_as_native(what: &str, native: &(String, ExitStatus), report: &str, status: ExitStatus) {
    assert_eq!(status.code(), native.1.code(), "{what}: exit status");
    assert_eq!(status.signal(), native.1.signal(), "{what}: death signal");
    assert!(
        report == native.0,
        "{what}: the report differs from the native run's\n{}",
        first_difference(&native.0, report)
    );
}

/// Under `interpose OPTIONS -o TRACE`: the same report and status as natively, no panic,
/// and a trace that reaches the program's end.
fn under_cli(name: &str, options: &[&str]) {
    let Some((program, dir)) = setup(name) else {
        return;
    };
    for seed in SEEDS {
        let native = native(&program, &dir, seed);
        let trace = dir.join("trace");
        let mut args: Vec<String> = options.iter().map(|o| o.to_string()).collect();
        args.extend(["-o".to_string(), trace.display().to_string()]);
        args.extend(command(&program, &dir, "traced", seed));
        let out = run(interpose_bin(), &args);
        assert!(
            !out.stderr.contains("panicked"),
            "interpose panicked:\n{}",
            out.stderr
        );
        same_as_native(
            &format!("seed {seed}"),
            &native,
            &out.stdout_text(),
            out.status,
        );
        let trace = std::fs::read_to_string(&trace).unwrap();
        let end = if options.contains(&"--json") {
            r#""type":"exited""#
        } else {
            "+++ exited with 0 +++"
        };
        assert!(
            options.contains(&"-c") || trace.lines().last().is_some_and(|l| l.contains(end)),
            "seed {seed}: the trace does not end with the program's exit:\n{}",
            &trace[trace.len().saturating_sub(2000)..]
        );
    }
}

#[test]
fn junk_calls_under_the_cli_text_trace() {
    under_cli("junk_cli_text", &[]);
}

#[test]
fn junk_calls_under_the_cli_json_trace_unabbreviated() {
    under_cli("junk_cli_json", &["--json", "-v", "-s", "4096"]);
}

#[test]
fn junk_calls_under_the_cli_with_hex_strings_and_times() {
    under_cli("junk_cli_hex", &["-xx", "-v", "-s", "100000", "-T", "-tt"]);
}

#[test]
fn junk_calls_under_the_cli_raw_and_filtered() {
    under_cli(
        "junk_cli_raw",
        &["-e", "raw=all", "-e", "verbose=none", "-e", "status=failed"],
    );
    under_cli("junk_cli_paths", &["-P", "/dev/null", "-x", "-c"]);
}

/// Decodes every argument of every call from the tracee's memory at entry, forwards the
/// call, decodes again at its exit, and reads paths and iovecs with the typed readers.
#[derive(Default)]
struct DecodeAndForward {
    calls: Cell<u64>,
}

impl DecodeAndForward {
    fn decode_all(t: &Tracee, call: &Syscall, ret: Option<i64>) {
        let decoder = Decoder {
            memory: t.memory(),
            string_limit: 4096,
            ret,
        };
        for i in 0..call.arg_count() {
            let mut text = String::new();
            interpose::render::value(&mut text, &call.decode_arg(i, &decoder));
        }
    }
}

#[interpose::handler]
impl Linux for DecodeAndForward {
    async fn syscall(&self, t: &mut Tracee, call: Syscall) -> SysResult {
        self.calls.set(self.calls.get() + 1);
        Self::decode_all(t, &call, None);
        match &call {
            Syscall::Openat(c) => drop(c.pathname.read(t)),
            Syscall::Readv(c) => drop(c.iov.read(t)),
            Syscall::Writev(c) => drop(c.iov.read(t)),
            _ => {}
        }
        let result = t.forward(call).await;
        Self::decode_all(t, &call, Some(interpose::Errno::into_ret(result)));
        result
    }
}

#[test]
fn junk_calls_under_a_handler_that_decodes_and_forwards_everything() {
    let Some((program, dir)) = setup("junk_handler") else {
        return;
    };
    for seed in SEEDS {
        let native = native(&program, &dir, seed);
        // "hander" has the length of "native".
        let args = command(&program, &dir, "hander", seed);
        let rest: Vec<&str> = args[1..].iter().map(String::as_str).collect();
        let (report, outcome) = common::traced(DecodeAndForward::default(), &args[0], &rest);
        same_as_native(&format!("seed {seed}"), &native, &report, outcome.status);
        assert!(
            outcome.handler.calls.get() > 3000,
            "the handler saw {} calls",
            outcome.handler.calls.get()
        );
    }
}

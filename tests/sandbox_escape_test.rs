//! A hostile program against `examples/sandbox`: one test per way out, each a real program
//! (`tests/programs/sandbox_escape.c`) trying it on a directory the sandbox denies.
//!
//! Each test runs the program as an unprivileged user (`nobody`, when the suite runs as
//! root), once natively, where the attack reads the secret (so each test shows that its
//! attack is real), and once under `sandbox --deny SECRET`, where the secret must never
//! reach the program's output and the step the sandbox refuses must fail with an errno.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const TOKEN: &str = "TOKEN-6d1f0b";

/// How to run as an unprivileged user: `setpriv` to `nobody` as root, nothing otherwise.
/// `None` (after saying why) when the suite runs as root without setpriv.
fn as_unprivileged() -> Option<Vec<&'static str>> {
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    });
    if !root {
        return Some(Vec::new());
    }
    if !common::have("setpriv") {
        eprintln!("skipped: running as root needs setpriv to become nobody");
        return None;
    }
    Some(vec![
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ])
}

/// The sandbox example, built once.
fn sandbox_binary() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        let built = std::process::Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "--example",
                "sandbox",
                "--manifest-path",
            ])
            .arg(&manifest)
            .status()
            .expect("run cargo build");
        assert!(built.success(), "cargo build --example sandbox failed");
        Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("target dir")
            .join("debug/examples/sandbox")
    })
}

/// A fresh directory with the program, the sandbox, a secret directory `s` (holding
/// `hostname` and an executable `script`, both with the token, and `prog`, a copy of the
/// program) and a work directory `w`,
/// all owned by the user the attack runs as.
struct Stage {
    base: PathBuf,
    runner: Vec<&'static str>,
}

impl Stage {
    fn new(attack: &str) -> Option<Stage> {
        let runner = as_unprivileged()?;
        let base =
            std::env::temp_dir().join(format!("interpose-escape-{}-{attack}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).unwrap();
        common::compile_c("sandbox_escape", &base)?;
        std::fs::copy(sandbox_binary(), base.join("sandbox")).unwrap();
        Some(Stage { base, runner })
    }

    /// Makes the secret and work directories afresh.
    fn reset(&self) {
        for dir in ["s", "w"] {
            let _ = std::fs::remove_dir_all(self.base.join(dir));
            std::fs::create_dir(self.base.join(dir)).unwrap();
        }
        let secret = self.base.join("s");
        std::fs::write(secret.join("hostname"), format!("{TOKEN}\n")).unwrap();
        std::fs::write(secret.join("script"), format!("#!/bin/cat\n{TOKEN}\n")).unwrap();
        std::fs::set_permissions(
            secret.join("script"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        // A denied executable: a copy of the attack program.
        std::fs::copy(self.base.join("sandbox_escape"), secret.join("prog")).unwrap();
        if !self.runner.is_empty() {
            for path in ["s", "s/hostname", "s/script", "s/prog", "w"] {
                std::os::unix::fs::chown(self.base.join(path), Some(65534), Some(65534)).unwrap();
            }
        }
    }

    /// Runs the attack natively (`sandboxed` false) or under `sandbox --deny SECRET`;
    /// returns stdout and stderr together.
    fn run(&self, attack: &str, sandboxed: bool, extra: &[&str]) -> String {
        self.reset();
        let path = |name: &str| self.base.join(name).to_str().unwrap().to_owned();
        let mut command: Vec<String> = self.runner.iter().map(|s| s.to_string()).collect();
        if sandboxed {
            command.extend([path("sandbox"), "--deny".into(), path("s")]);
        }
        command.extend([path("sandbox_escape"), attack.into(), path("s"), path("w")]);
        command.extend(extra.iter().map(|s| s.to_string()));
        // A file just copied can be busy for a moment: another test's child, forked while
        // the copy was open for writing, holds it until it execs.
        for _ in 0..50 {
            let run = common::run(&command[0], &command[1..]);
            let output = format!("{}{}", run.stdout_text(), run.stderr);
            if !output.contains("Text file busy") {
                return output;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("{command:?}: the program stays busy")
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// Runs `attack` both ways: natively it must read the secret (when `leaks_natively`);
/// under the sandbox the secret must never show, and each of `refused` must be in the
/// output (a step and the errno it failed with).
fn contained(attack: &str, leaks_natively: bool, refused: &[&str]) {
    let Some(stage) = Stage::new(attack) else {
        return;
    };
    if leaks_natively {
        let native = stage.run(attack, false, &[]);
        assert!(
            native.contains(TOKEN),
            "the attack does not work natively:\n{native}"
        );
    }
    let sandboxed = stage.run(attack, true, &[]);
    assert!(!sandboxed.contains(TOKEN), "{attack} got out:\n{sandboxed}");
    for step in refused {
        assert!(
            sandboxed.contains(step),
            "{attack}: no `{step}` in\n{sandboxed}"
        );
    }
}

#[test]
fn a_direct_open_is_refused() {
    contained("direct", true, &["hostname: EACCES"]);
}

#[test]
fn dot_dot_after_a_symlink_is_resolved_by_the_kernel() {
    contained("dotdot", true, &["link/../hostname: EACCES"]);
}

#[test]
fn a_dangling_symlink_cannot_create_a_file_in_the_denied_directory() {
    let Some(stage) = Stage::new("dangling") else {
        return;
    };
    let native = stage.run("dangling", false, &[]);
    assert!(native.contains("stat SECRET/new: ok"), "{native}");
    let sandboxed = stage.run("dangling", true, &[]);
    assert!(
        sandboxed.contains("create through dangling link: EACCES")
            && sandboxed.contains("stat SECRET/new: ENOENT"),
        "{sandboxed}"
    );
}

#[test]
fn a_denied_script_cannot_be_read_through_its_interpreter() {
    // Natively `cat` (the script's interpreter) prints it. The sandbox refuses the exec
    // of a file in the denied directory, by name or by an O_PATH descriptor (whose open is
    // refused too); the interpreter's open of the script would be refused as well.
    contained(
        "exec",
        true,
        &["execveat script: EACCES", "open script O_PATH: EACCES"],
    );
}

#[test]
fn a_denied_executable_never_runs() {
    // By its name, through a symlink, and through a symlink another thread points at a
    // public copy and at the denied one by turns while the program execs it: the path is
    // judged at the exec's entry (EACCES), and what the kernel mapped at the exec stop
    // (the process is killed before its first instruction when another thread won).
    let Some(stage) = Stage::new("exec_binary") else {
        return;
    };
    let secret = stage.base.join("s");
    let ran_secret = format!("RAN {}/prog", secret.display());
    let native = stage.run("exec_binary", false, &[]);
    assert!(
        native.contains(&ran_secret),
        "the attack does not work natively:\n{native}"
    );
    let sandboxed = stage.run("exec_binary", true, &[]);
    assert!(!sandboxed.contains(&ran_secret), "got out:\n{sandboxed}");
    assert!(
        sandboxed.contains(&format!("exec {}/prog: EACCES", secret.display())),
        "{sandboxed}"
    );
    assert!(
        sandboxed.contains("exec w/link: EACCES") || sandboxed.contains("/w/link: EACCES"),
        "{sandboxed}"
    );
    let race = sandboxed
        .lines()
        .find(|l| l.starts_with("exec race: "))
        .unwrap_or_else(|| panic!("no race summary:\n{sandboxed}"));
    assert!(race.contains(", 0 secret,"), "{race}");
    assert!(
        !race.starts_with("exec race: 0 public"),
        "the public copy never ran: {race}"
    );
}

#[test]
fn magic_links_do_not_lead_into_the_denied_directory() {
    contained(
        "magic",
        true,
        &[
            "/proc/self/root",
            "/proc/self/cwd/hostname: ELOOP",
            "open hostname: EACCES",
            "open . O_PATH: EACCES",
        ],
    );
}

#[test]
fn hard_links_and_renames_cannot_give_the_secret_another_name() {
    contained(
        "links",
        true,
        &[
            "link: EACCES",
            "linkat: EACCES",
            "rename file: EACCES",
            "rename dir: EACCES",
        ],
    );
}

#[test]
fn namespaces_chroot_mounts_and_handles_are_refused() {
    contained(
        "namespaces",
        false,
        &[
            "unshare user+mount: EPERM",
            "clone newuser: EPERM",
            "chroot: EPERM",
            "bind mount: EPERM",
            "open_tree: EPERM",
            "open_by_handle_at: EPERM",
        ],
    );
}

#[test]
fn the_program_cannot_reach_into_the_tracer() {
    contained(
        "tracer",
        false,
        &[
            "open tracer mem: EACCES",
            "environ: EACCES",
            "open tracer fd 0: ELOOP",
            "process_vm_readv: EPERM",
            "ptrace attach: EPERM",
            "pidfd_getfd: E",
        ],
    );
}

#[test]
fn calls_that_would_run_without_a_stop_are_refused() {
    contained(
        "around",
        false,
        &[
            "io_uring_setup: EPERM",
            "userfaultfd: EPERM",
            "open /dev/userfaultfd: EACCES",
            "i386 open: ENOSYS",
        ],
    );
}

#[test]
fn a_filter_with_a_listener_cannot_outrank_the_sandbox() {
    // Not run natively: with no one answering its listener, the open would wait forever.
    contained(
        "listener",
        false,
        &["seccomp listener: EINVAL", "hostname: EACCES"],
    );
}

#[test]
fn a_path_flipped_by_another_thread_never_reaches_the_secret() {
    let Some(stage) = Stage::new("race") else {
        return;
    };
    let tries = "10000";
    // Natively the flipper wins some opens, when the machine lets both threads run at
    // once: a few tries, for a loaded machine.
    let native = (0..5)
        .map(|_| stage.run("race", false, &[tries]))
        .find(|native| native.contains(TOKEN))
        .expect("the race is never won natively");
    let sandboxed = stage.run("race", true, &[tries]);
    let summary = sandboxed
        .lines()
        .find(|line| line.starts_with("race: "))
        .unwrap_or_else(|| panic!("no summary in\n{sandboxed}"));
    eprintln!("native: {}", native.lines().last().unwrap_or(""));
    eprintln!("sandboxed: {summary}");
    assert!(summary.contains(", 0 secret,"), "{sandboxed}");
    assert!(!sandboxed.contains(TOKEN), "{sandboxed}");
    // The flipper really raced: some opens saw the public file.
    assert!(!summary.starts_with("race: 0 public"), "{sandboxed}");
}

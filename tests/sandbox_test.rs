//! What a hostile program tries against the tracer that confines it: reaching into the
//! tracer, outranking its seccomp filter, or passing its own filter's stops off as ours.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn games(dir: &Path) -> Option<PathBuf> {
    common::compile_c("seccomp_games", dir)
}

#[test]
fn a_tracee_cannot_take_the_tracers_descriptors_or_trace_it() {
    let dir = common::scratch_dir("sandbox_steal");
    let Some(program) = games(&dir) else { return };
    let program = program.to_str().unwrap();
    let native = common::run(program, &["steal"]);
    assert_eq!(
        native.stdout_text(),
        "pidfd_getfd: ok\nprocess_vm_readv: ok\nptrace: ok\n"
    );
    // Even with CAP_SYS_PTRACE (these tests may run as root), where a tracee tracing its
    // tracer would deadlock both.
    let traced = common::interpose(&["-o", "/dev/null", program, "steal"]);
    assert_eq!(
        traced.stdout_text(),
        "pidfd_getfd: EPERM\nprocess_vm_readv: EPERM\nptrace: EPERM\n"
    );
    let (out, _) = common::traced(interpose::Passthru, program, &["steal"]);
    assert_eq!(
        out,
        "pidfd_getfd: EPERM\nprocess_vm_readv: EPERM\nptrace: EPERM\n"
    );
}

#[test]
fn a_tracee_of_the_same_user_cannot_read_the_tracers_memory() {
    // The tracer is not dumpable while it traces. Root may read any process's memory, so
    // this runs the tracer and its program as `nobody`.
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    });
    if !root || !common::have("setpriv") {
        eprintln!("skipped: needs root and setpriv to run as another user");
        return;
    }
    // Somewhere `nobody` can read and execute.
    let dir = std::env::temp_dir().join(format!("interpose-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let Some(program) = games(&dir) else { return };
    let tracer = dir.join("interpose");
    std::fs::copy(common::interpose_bin(), &tracer).unwrap();
    let as_nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    let program = program.to_str().unwrap();
    // Natively a program may read its parent's memory when both are the same user.
    let script = format!("{program} mem");
    let mut args = as_nobody.to_vec();
    args.extend(["sh", "-c", &script]);
    let native = common::run("setpriv", &args);
    assert_eq!(native.stdout_text(), "open mem: ok\n");
    let mut args = as_nobody.to_vec();
    args.extend([tracer.to_str().unwrap(), "-o", "/dev/null", program, "mem"]);
    let traced = common::run("setpriv", &args);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        traced.stdout_text(),
        "open mem: EACCES\n",
        "{}",
        traced.stderr
    );
}

#[test]
fn a_program_filter_with_a_listener_is_refused_under_a_handler() {
    let dir = common::scratch_dir("sandbox_listener");
    let Some(program) = games(&dir) else { return };
    let program = program.to_str().unwrap();
    let native = common::run(program, &["listener"]);
    assert_eq!(native.stdout_text(), "listener: ok\n");
    // Under the seccomp prefilter its SECCOMP_RET_USER_NOTIF would outrank the tracer's
    // SECCOMP_RET_TRACE: refused as by a kernel without listeners.
    let (out, _) = common::traced(interpose::Passthru, program, &["listener"]);
    assert_eq!(out, "listener: EINVAL\n");
    // A full trace sees every call at its syscall-enter stop anyway: left as it is.
    let traced = common::interpose(&["-o", "/dev/null", program, "listener"]);
    assert_eq!(traced.stdout_text(), native.stdout_text());
}

#[test]
fn a_program_filters_own_trace_requests_fail_as_natively() {
    let dir = common::scratch_dir("sandbox_own_trace");
    let Some(program) = games(&dir) else { return };
    let program = program.to_str().unwrap();
    // With no tracer to answer its SECCOMP_RET_TRACE, the kernel fails the call.
    let native = common::run(program, &["trace"]);
    assert_eq!(native.stdout_text(), "filter: ok\ngetppid: ENOSYS\n");
    let (out, _) = common::traced(interpose::Passthru, program, &["trace"]);
    assert_eq!(out, native.stdout_text(), "under a handler");
    let traced = common::interpose(&["-o", "/dev/null", program, "trace"]);
    assert_eq!(
        traced.stdout_text(),
        native.stdout_text(),
        "under a full trace"
    );
}

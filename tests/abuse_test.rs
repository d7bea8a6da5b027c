//! The CLI under abuse: huge argument arrays, hostile pointers. It must stay fast, small
//! and correct.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Instant;

/// VmHWM (peak resident memory) of `pid`, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn a_failing_execve_with_eight_million_environment_entries() {
    let dir = common::scratch_dir("abuse_huge_env");
    let Some(program) = common::compile_c("huge_env", &dir) else {
        return;
    };
    let trace = dir.join("trace");
    let mut child = Command::new(common::interpose_bin())
        .args(["-o", trace.to_str().unwrap(), program.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program says execve failed once the tracer has decoded the call.
    let mut stderr = child.stderr.take().unwrap();
    let deadline = Instant::now() + common::TIMEOUT;
    let mut said = Vec::new();
    let mut byte = [0u8; 1];
    while !said.ends_with(b"\n") {
        assert!(
            Instant::now() < deadline,
            "the program never got past execve"
        );
        if stderr.read(&mut byte).unwrap() == 0 {
            break;
        }
        said.push(byte[0]);
    }
    assert_eq!(
        String::from_utf8_lossy(&said),
        "execve: No such file or directory\n"
    );
    // The program's own array is 64 MiB; the tracer counted it without copying it.
    let peak = peak_rss_kib(child.id());
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(peak < 32 * 1024, "interpose peaked at {peak} KiB");
    let trace = std::fs::read_to_string(&trace).unwrap();
    assert!(
        trace.contains("[\"/no/such/program\"], 0x")
            && trace.contains(" /* 8388608 vars */) = -1 ENOENT (No such file or directory)"),
        "{}",
        trace.lines().find(|l| l.contains("no/such")).unwrap_or("")
    );
}

//! The Linux trait drives real programs: a denied call fails in the program with the
//! errno the handler chose, an emulated call returns the handler's value without the
//! kernel, and a forwarded call's result can be read and changed.

mod common;

use interpose::linux::{Getppid, Openat, Read};
use interpose::{Errno, Linux, SysResult, Tracee};
use std::cell::Cell;

struct DenyHostname;

#[interpose::handler]
impl Linux for DenyHostname {
    async fn openat(&self, t: &mut Tracee, call: Openat) -> SysResult {
        if call.pathname.read(t)? == std::path::Path::new("/etc/hostname") {
            return Err(Errno::EACCES);
        }
        t.forward(call).await
    }
}

#[test]
fn denied_open_fails_in_the_program() {
    let (out, outcome) = common::traced(
        DenyHostname,
        "sh",
        &["-c", "cat /etc/hostname 2>&1; echo rc=$?"],
    );
    assert!(outcome.status.success());
    assert!(out.contains("Permission denied"), "{out}");
    assert!(out.ends_with("rc=1\n"), "{out}");
}

struct FakeParent {
    calls: Cell<u32>,
}

#[interpose::handler]
impl Linux for FakeParent {
    async fn getppid(&self, _: &mut Tracee, _: Getppid) -> SysResult {
        self.calls.set(self.calls.get() + 1);
        Ok(4242)
    }
}

#[test]
fn emulated_call_returns_the_handlers_value() {
    let (out, outcome) = common::traced(
        FakeParent {
            calls: Cell::new(0),
        },
        "sh",
        &["-c", "echo $PPID"],
    );
    assert_eq!(out, "4242\n");
    assert_eq!(
        outcome.handler.calls.get(),
        1,
        "the handler is handed back with its state"
    );
}

/// Turns every lowercase letter the program reads into uppercase, after the kernel read it.
struct Shout;

#[interpose::handler]
impl Linux for Shout {
    async fn read(&self, t: &mut Tracee, call: Read) -> SysResult {
        let n = t.forward(call).await?;
        let mut bytes = call.buf.read(t, n as usize)?;
        bytes.make_ascii_uppercase();
        call.buf.write(t, &bytes)?;
        Ok(n)
    }
}

#[test]
fn forwarded_result_can_be_read_and_changed() {
    let dir = common::scratch_dir("shout");
    let file = dir.join("words.txt");
    std::fs::write(&file, "quiet words\n").unwrap();
    let (out, outcome) = common::traced(Shout, "/bin/cat", &[file.to_str().unwrap()]);
    assert!(outcome.status.success());
    assert_eq!(out, "QUIET WORDS\n");
}

/// A handler that shortens every successful write's result to 1 byte: the program sees
/// short writes and retries the rest, so the output must still arrive whole.
struct ShortWrites;

#[interpose::handler]
impl Linux for ShortWrites {
    async fn write(&self, t: &mut Tracee, mut call: interpose::linux::Write) -> SysResult {
        if call.count > 1 {
            call.count = 1;
            call.buf.len = 1;
        }
        t.forward(call).await
    }
}

#[test]
fn rewritten_arguments_reach_the_kernel() {
    let (out, outcome) = common::traced(ShortWrites, "/bin/echo", &["one byte at a time"]);
    assert!(outcome.status.success());
    assert_eq!(out, "one byte at a time\n");
}

#[test]
fn tracer_leaves_the_hosts_other_children_alone() {
    // This thread's own child must be reaped by this thread, even while another thread of
    // the same process traces a program that forks.
    let tracing = std::thread::spawn(|| {
        common::traced(
            interpose::Passthru,
            "sh",
            &["-c", "sleep 0.3 & sleep 0.3; wait; echo traced"],
        )
    });
    let mut own = std::process::Command::new("sh")
        .args(["-c", "sleep 0.2; exit 7"])
        .spawn()
        .unwrap();
    let status = own.wait().expect("our child was not stolen by the tracer");
    assert_eq!(status.code(), Some(7));
    let (out, outcome) = tracing.join().unwrap();
    assert!(outcome.status.success());
    assert_eq!(out, "traced\n");
}

/// Answers getppid with the caller's own pid, learnt by injecting getpid into the tracee.
struct InjectGetpid;

#[interpose::handler]
impl Linux for InjectGetpid {
    async fn getppid(&self, t: &mut Tracee, _: Getppid) -> SysResult {
        t.inject(interpose::linux::Getpid {}).await
    }
}

#[test]
fn injected_call_runs_in_the_tracee() {
    let (out, outcome) = common::traced(InjectGetpid, "sh", &["-c", "echo $$ $PPID"]);
    assert!(outcome.status.success());
    let words: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(
        words[0], words[1],
        "getppid answered with the shell's own pid: {out}"
    );
}

/// Opens /etc/hostname whenever the program opens /no/such/file: maps a scratch page in
/// the tracee with an injected mmap, writes the new path there, and points the call at it.
struct ScratchRedirect;

#[interpose::handler]
impl Linux for ScratchRedirect {
    async fn openat(&self, t: &mut Tracee, mut call: Openat) -> SysResult {
        if call.pathname.read(t)? != std::path::Path::new("/no/such/file") {
            return t.pass(call);
        }
        use interpose::args::{Addr, Fd, Hex};
        use interpose::linux::{MapFlags, Mmap, ProtFlags};
        let page = t
            .inject(Mmap {
                addr: Addr(0),
                length: 4096,
                prot: ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                flags: MapFlags::MAP_PRIVATE | MapFlags::MAP_ANONYMOUS,
                fd: Fd(-1),
                offset: Hex(0),
            })
            .await? as u64;
        t.memory().write(page, b"/etc/hostname\0")?;
        call.pathname = interpose::args::PathPtr(page);
        t.forward(call).await
    }
}

#[test]
fn pointer_argument_rewritten_into_an_injected_page() {
    let (out, outcome) = common::traced(ScratchRedirect, "/bin/cat", &["/no/such/file"]);
    assert!(outcome.status.success(), "{:?}", outcome.status);
    assert_eq!(out, std::fs::read_to_string("/etc/hostname").unwrap());
}

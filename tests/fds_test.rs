//! `-y`, `-yy`: descriptors shown with what they are, from the tracer's descriptor table,
//! compared with what strace 6.1 prints for the same program (skipped without strace).

mod common;

use common::{compile_c, have, interpose, join_resumed, parse_trace, run, scratch_dir};
use std::collections::HashMap;

/// The lines of a trace, without pid prefixes and padding, split lines joined.
fn lines(trace: &str) -> Vec<String> {
    join_resumed(&parse_trace(trace))
        .into_iter()
        .map(|l| l.text)
        .collect()
}

/// Fails on the first line where `ours` and `theirs` differ, showing only it.
fn assert_same(ours: &[String], theirs: &[String]) {
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(a, b, "line {i} differs from strace's");
    }
    assert_eq!(ours.len(), theirs.len(), "not as many lines as strace's");
}

/// The call's name and each descriptor with its description, `sendto 3<TCP:[...]>`: the
/// part of a line that `-y` and `-yy` decide (the rest is the decoders').
fn descriptors(line: &str) -> String {
    let mut out = line[..line.find('(').unwrap_or(0)].to_string();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' && i > 0 && bytes[i - 1].is_ascii_digit() {
            let start = line[..i]
                .rfind(|c: char| !c.is_ascii_digit())
                .map_or(0, |s| s + 1);
            let mut depth = 0;
            let mut end = i;
            for (j, &b) in bytes.iter().enumerate().skip(i) {
                match b {
                    b'<' => depth += 1,
                    // `->` joins a socket's two ends.
                    b'>' if bytes[j - 1] != b'-' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = j;
                    break;
                }
            }
            out.push(' ');
            out.push_str(&line[start..=end]);
            i = end;
        }
        i += 1;
    }
    out
}

#[test]
fn cat_shows_the_path_of_each_descriptor() {
    let traced = interpose(&[
        "-y",
        "-e",
        "trace=openat,read,close",
        "cat",
        "/etc/hostname",
    ]);
    assert!(traced.status.success(), "{}", traced.stderr);
    let trace = lines(&traced.stderr);
    let real = std::fs::canonicalize("/etc/hostname").unwrap();
    let real = real.display();
    let cwd = std::env::current_dir().unwrap();
    let open = format!(
        "openat(AT_FDCWD<{}>, \"/etc/hostname\", O_RDONLY) = 3<{real}>",
        cwd.display()
    );
    assert!(trace.contains(&open), "no `{open}` in\n{}", traced.stderr);
    let read = format!("read(3<{real}>, ");
    assert!(
        trace.iter().any(|l| l.starts_with(&read)),
        "no `{read}` in\n{}",
        traced.stderr
    );
    assert!(trace.contains(&format!("close(3<{real}>) = 0")));
    if !have("strace") {
        return;
    }
    let strace = run(
        "strace",
        &[
            "-f",
            "-y",
            "-e",
            "trace=openat,read,close",
            "cat",
            "/etc/hostname",
        ],
    );
    let ours: Vec<String> = trace.into_iter().map(pipes).collect();
    let theirs: Vec<String> = lines(&strace.stderr).into_iter().map(pipes).collect();
    assert_same(&ours, &theirs);
}

/// The real python3 (not a shim script), or `None` when there is none.
fn python() -> Option<String> {
    if !have("python3") {
        return None;
    }
    let found = run("python3", &["-c", "import sys; print(sys.executable)"]);
    Some(found.stdout_text().trim().to_string())
}

const SOCKETS: &str = r#"
import socket
a, b = socket.socketpair()
a.send(b"hi"); b.recv(10)
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen()
client = socket.socket(); client.connect(listener.getsockname())
server, _ = listener.accept()
server.send(b"x"); client.recv(1)
for s in (a, b, client, server, listener): s.close()
"#;

const SOCKET_CALLS: &str =
    "trace=socketpair,socket,bind,listen,getsockname,connect,accept4,sendto,recvfrom,close";

/// Each run of at least `min` digits in `line`, replaced by what `f` makes of it.
fn map_numbers(line: &str, min: usize, mut f: impl FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    for c in line.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() >= min {
            out.push_str(&f(&digits));
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// Inodes and ports differ from run to run: each distinct one becomes `#1`, `#2`, ... in
/// order of appearance, so that the relations between them still count.
fn numbered(lines: &[String]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    lines
        .iter()
        .map(|line| {
            map_numbers(line, 4, |n| {
                let next = seen.len() + 1;
                format!("#{}", seen.entry(n.to_string()).or_insert(next))
            })
        })
        .collect()
}

/// `pipe:[12345]` -> `pipe:[N]`.
fn pipes(line: String) -> String {
    match line.find("pipe:[") {
        Some(at) => {
            let (head, tail) = line.split_at(at + "pipe:[".len());
            format!(
                "{head}N{}",
                tail.trim_start_matches(|c: char| c.is_ascii_digit())
            )
        }
        None => line,
    }
}

#[test]
fn python_sockets_are_described_as_strace_describes_them() {
    let Some(python) = python() else { return };
    let traced = interpose(&["-yy", "-e", SOCKET_CALLS, &python, "-c", SOCKETS]);
    assert!(traced.status.success(), "{}", traced.stderr);
    let ours: Vec<String> = lines(&traced.stderr)
        .iter()
        .filter(|l| l.contains("UNIX-STREAM:[") || l.contains("TCP:["))
        .map(|l| descriptors(l))
        .collect();
    let ours = numbered(&ours);
    // What the program did, with what the kernel says of each socket.
    let expected_start = [
        "socketpair 3<UNIX-STREAM:[#1->#2]> 4<UNIX-STREAM:[#2->#1]>",
        "getsockname 3<UNIX-STREAM:[#1->#2]>",
        "getsockname 4<UNIX-STREAM:[#2->#1]>",
        "sendto 3<UNIX-STREAM:[#1->#2]>",
        "recvfrom 4<UNIX-STREAM:[#2->#1]>",
        "socket 5<TCP:[#3]>",
        "bind 5<TCP:[#3]>",
    ];
    assert_eq!(ours[..7], expected_start, "{}", traced.stderr);
    let connected = ours
        .iter()
        .find(|l| l.starts_with("recvfrom 6<TCP:[127.0.0.1:"))
        .unwrap_or_else(|| panic!("no recvfrom on the client in {ours:#?}"));
    let accepted = ours
        .iter()
        .find(|l| l.starts_with("sendto 7<TCP:[127.0.0.1:"))
        .unwrap_or_else(|| panic!("no sendto on the server side in {ours:#?}"));
    // The client's local port is the server side's peer port, and the other way round.
    let ends = |line: &str| {
        let inside = &line[line.find("TCP:[").unwrap() + 5..line.find("]>").unwrap()];
        let (local, peer) = inside.split_once("->").unwrap();
        (local.to_string(), peer.to_string())
    };
    let (client_local, client_peer) = ends(connected);
    let (server_local, server_peer) = ends(accepted);
    assert_eq!((client_local, client_peer), (server_peer, server_local));
    if !have("strace") {
        return;
    }
    let strace = run(
        "strace",
        &["-f", "-yy", "-e", SOCKET_CALLS, &python, "-c", SOCKETS],
    );
    let theirs: Vec<String> = lines(&strace.stderr)
        .iter()
        .filter(|l| l.contains("UNIX-STREAM:[") || l.contains("TCP:["))
        .map(|l| descriptors(l))
        .collect();
    assert_same(&ours, &numbered(&theirs));
}

#[test]
fn the_table_follows_dup_fork_clone_files_threads_exec_and_close_range() {
    let dir = scratch_dir("fds_fd_table");
    let Some(program) = compile_c("fd_table", &dir) else {
        return;
    };
    let work = dir.join("files");
    std::fs::create_dir_all(&work).unwrap();
    let work = std::fs::canonicalize(&work).unwrap();
    let d = work.display().to_string();
    let args = [
        "-y",
        "-e",
        "trace=lseek",
        "-qq",
        program.to_str().unwrap(),
        &d,
    ];
    let traced = interpose(&args);
    assert!(traced.status.success(), "{}", traced.stderr);
    let ours: Vec<String> = lines(&traced.stderr)
        .into_iter()
        .filter(|l| l.starts_with("lseek("))
        .map(pipes)
        .collect();
    let ok = ", 0, SEEK_CUR) = 0";
    let ebadf = ", 0, SEEK_CUR) = -1 EBADF (Bad file descriptor)";
    let espipe = ", 0, SEEK_CUR) = -1 ESPIPE (Illegal seek)";
    let expected: Vec<String> = [
        format!("lseek(3<{d}/a>{ok}"),
        format!("lseek(4<{d}/b>{ok}"),
        format!("lseek(5<{d}/a>{ok}"),
        format!("lseek(5<{d}/b>{ok}"),
        format!("lseek(20<{d}/a>{ok}"),
        format!("lseek(11<{d}/a>{ok}"),
        format!("lseek(10<{d}/a>{ok}"),
        format!("lseek(6<pipe:[N]>{espipe}"),
        format!("lseek(7<pipe:[N]>{espipe}"),
        format!("lseek(20{ebadf}"),
        format!("lseek(8<{d}/c>{ok}"),
        // The child, with a copy of the table: closing 3 there leaves the parent's.
        format!("lseek(3<{d}/a>{ok}"),
        format!("lseek(3{ebadf}"),
        format!("lseek(3<{d}/a>{ok}"),
        // Replaced by a child that shares the table.
        format!("lseek(9<{d}/e>{ok}"),
        format!("lseek(9<{d}/d>{ok}"),
        // After exec: the close-on-exec descriptors are gone.
        format!("lseek(3<{d}/a>{ok}"),
        format!("lseek(4{ebadf}"),
        format!("lseek(8<{d}/c>{ok}"),
        format!("lseek(9<{d}/d>{ok}"),
        format!("lseek(10<{d}/a>{ok}"),
        format!("lseek(11{ebadf}"),
    ]
    .into();
    assert_eq!(ours, expected, "{}", traced.stderr);
    if !have("strace") {
        return;
    }
    let mut strace_args = vec!["-f"];
    strace_args.extend(args);
    let strace = run("strace", &strace_args);
    let theirs: Vec<String> = lines(&strace.stderr)
        .into_iter()
        .filter(|l| l.starts_with("lseek("))
        .map(pipes)
        .collect();
    assert_same(&ours, &theirs);
}

#[test]
fn decode_fds_chooses_the_details() {
    // --decode-fds=dev: only devices, with their numbers; other descriptors stay numbers.
    let traced = interpose(&[
        "--decode-fds=dev",
        "-e",
        "trace=openat,read",
        "cat",
        "/dev/null",
        "/etc/hostname",
    ]);
    assert!(traced.status.success(), "{}", traced.stderr);
    let trace = lines(&traced.stderr);
    assert!(
        trace.contains(
            &"openat(AT_FDCWD, \"/dev/null\", O_RDONLY) = 3</dev/null<char 1:3>>".to_string()
        ),
        "{}",
        traced.stderr
    );
    assert!(trace.contains(&"openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3".to_string()));
    let bad = interpose(&["--decode-fds=paths", "true"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        bad.stderr.contains("invalid decode-fds 'paths'"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_renamed_or_unlinked_file_is_named_again() {
    let Some(python) = python() else { return };
    let dir = scratch_dir("fds_renamed");
    let dir = std::fs::canonicalize(&dir).unwrap();
    let d = dir.display().to_string();
    let script = format!(
        "import os\nos.chdir({d:?})\nf = open('a', 'w'); os.lseek(f.fileno(), 0, 1)\n\
         os.rename('a', 'b'); os.lseek(f.fileno(), 0, 1)\n\
         os.unlink({d:?} + '/b'); os.lseek(f.fileno(), 0, 1)\n"
    );
    let args = ["-y", "-e", "trace=lseek", &python, "-c", &script];
    let traced = interpose(&args);
    assert!(traced.status.success(), "{}", traced.stderr);
    let ours: Vec<String> = lines(&traced.stderr)
        .into_iter()
        .filter(|l| l.starts_with("lseek(") && l.contains(&d))
        .collect();
    let expected = [
        format!("lseek(3<{d}/a>, 0, SEEK_CUR) = 0"),
        format!("lseek(3<{d}/b>, 0, SEEK_CUR) = 0"),
        format!("lseek(3<{d}/b>(deleted), 0, SEEK_CUR) = 0"),
    ];
    // (Python's open() seeks too.)
    assert_eq!(
        ours[ours.len().saturating_sub(3)..],
        expected,
        "{}",
        traced.stderr
    );
    if !have("strace") {
        return;
    }
    let mut strace_args = vec!["-f"];
    strace_args.extend(args);
    let strace = run("strace", &strace_args);
    let theirs: Vec<String> = lines(&strace.stderr)
        .into_iter()
        .filter(|l| l.starts_with("lseek(") && l.contains(&d))
        .collect();
    assert_same(&ours, &theirs);
}

const MORE_SOCKETS: &str = r#"
import os, socket
try:
    l = socket.socket(socket.AF_INET6); l.bind(("::1", 0)); l.listen()
    c = socket.socket(socket.AF_INET6); c.connect(l.getsockname()[:2])
    s, _ = l.accept(); os.fstat(s.fileno()); os.fstat(c.fileno())
except OSError:
    pass
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); u.bind("\0interpose-fds-test")
os.fstat(u.fileno())
n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); n.bind((0, 0)); os.fstat(n.fileno())
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); d.bind(("127.0.0.1", 0)); os.fstat(d.fileno())
"#;

#[test]
fn ipv6_abstract_unix_netlink_and_udp_sockets_as_strace_shows_them() {
    let Some(python) = python() else { return };
    let args = ["-yy", "-e", "trace=newfstatat", &python, "-c", MORE_SOCKETS];
    let traced = interpose(&args);
    assert!(traced.status.success(), "{}", traced.stderr);
    let sockets = |trace: &str| -> Vec<String> {
        let found: Vec<String> = lines(trace)
            .iter()
            .filter(|l| l.contains(":["))
            .map(|l| {
                // A netlink socket's port is its process's id.
                let l = descriptors(l);
                match l.find("NETLINK:[ROUTE:") {
                    Some(at) => {
                        let (head, tail) = l.split_at(at + "NETLINK:[ROUTE:".len());
                        format!(
                            "{head}PID{}",
                            tail.trim_start_matches(|c: char| c.is_ascii_digit())
                        )
                    }
                    None => l,
                }
            })
            .collect();
        numbered(&found)
    };
    let ours = sockets(&traced.stderr);
    assert!(
        ours.iter()
            .any(|l| l.contains("<UNIX:[#") && l.contains(",@\"interpose-fds-test\"]>")),
        "{ours:#?}"
    );
    assert!(
        ours.iter().any(|l| l.contains("<NETLINK:[ROUTE:PID]>")),
        "{ours:#?}"
    );
    assert!(
        ours.iter().any(|l| l.contains("<UDP:[127.0.0.1:#")),
        "{ours:#?}"
    );
    if !have("strace") {
        return;
    }
    let mut strace_args = vec!["-f"];
    strace_args.extend(args);
    let strace = run("strace", &strace_args);
    assert_same(&ours, &sockets(&strace.stderr));
}

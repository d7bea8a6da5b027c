//! `-e read=SET`, `-e write=SET`: hex dumps of the data moved on chosen descriptors, in
//! strace's layout, compared with strace 6.1's on the same programs (skipped without it).

mod common;

use common::{have, interpose, run, scratch_dir};

/// The dump lines of a trace, and the lines of the calls they follow.
fn dumps(trace: &str, calls: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut keep = false;
    for line in trace.lines() {
        if line.starts_with(" | ") || line.starts_with(" * ") {
            if keep {
                out.push(line.to_string());
            }
            continue;
        }
        keep = calls.iter().any(|c| line.starts_with(&format!("{c}(")));
        if keep {
            out.push(common::unpad(line));
        }
    }
    out
}

#[test]
fn read_dump_of_cat_is_straces() {
    let dir = scratch_dir("io_dump_cat");
    let file = dir.join("passwd");
    let mut data = b"root:x:0:0:root:/root:/bin/bash\ndaemon:x".to_vec();
    data.extend_from_slice(b"a\tb\x01\xff");
    std::fs::write(&file, &data).unwrap();
    let file = file.to_str().unwrap();
    let traced = interpose(&[
        "-e",
        "trace=read,write",
        "-e",
        "read=3",
        "-e",
        "write=1",
        "cat",
        file,
    ]);
    assert!(traced.status.success(), "{}", traced.stderr);
    assert_eq!(traced.stdout, data);
    let ours = dumps(&traced.stderr, &["read", "write"]);
    // The program's own read, derived from the file's bytes.
    let expected = [
        " | 00000  72 6f 6f 74 3a 78 3a 30  3a 30 3a 72 6f 6f 74 3a  root:x:0:0:root: |",
        " | 00010  2f 72 6f 6f 74 3a 2f 62  69 6e 2f 62 61 73 68 0a  /root:/bin/bash. |",
        " | 00020  64 61 65 6d 6f 6e 3a 78  61 09 62 01 ff           daemon:xa.b..    |",
    ];
    let read = format!(
        "read(3, \"root:x:0:0:root:/root:/bin/bash\\n\"..., 131072) = {}",
        data.len()
    );
    let at = ours
        .iter()
        .position(|l| *l == read)
        .unwrap_or_else(|| panic!("no `{read}` in\n{}", traced.stderr));
    assert_eq!(ours[at + 1..at + 4], expected, "{}", traced.stderr);
    // The write to stdout dumps the same bytes.
    assert!(ours[at + 4].starts_with("write(1, "), "{}", ours[at + 4]);
    assert_eq!(ours[at + 5..at + 8], expected);
    if !have("strace") {
        return;
    }
    let strace = run(
        "strace",
        &[
            "-f",
            "-e",
            "trace=read,write",
            "-e",
            "read=3",
            "-e",
            "write=1",
            "cat",
            file,
        ],
    );
    assert_eq!(ours, dumps(&strace.stderr, &["read", "write"]));
}

#[test]
fn vectors_and_messages_are_dumped_buffer_by_buffer() {
    if !have("python3") {
        return;
    }
    // A real python3, not a shim script, so that the trace is the program's alone.
    let python = run("python3", &["-c", "import sys; print(sys.executable)"]);
    let python = python.stdout_text().trim().to_string();
    let script = r#"
import os, socket
a, b = socket.socketpair()
os.writev(a.fileno(), [b"hello ", b"world"])
b.recv(100)
r, w = os.pipe()
os.write(w, b"0123456789abcdef0123456789abcdef0")
os.read(r, 100)
os.write(w, b"zz")
os.readv(r, [bytearray(1), bytearray(0), bytearray(3)])
a.sendmsg([b"ab", b"cd"])
b.recvmsg(10)
try:
    os.write(99, b"not open")
except OSError:
    pass
"#;
    let calls = "trace=writev,readv,write,read,sendmsg,recvmsg,recvfrom";
    let args = [
        "-e",
        calls,
        "-e",
        "read=!0",
        "-e",
        "write=all",
        &python,
        "-c",
        script,
    ];
    let traced = interpose(&args);
    assert!(traced.status.success(), "{}", traced.stderr);
    let names = ["writev", "readv", "write", "recvfrom", "sendmsg", "recvmsg"];
    let ours = dumps(&traced.stderr, &names);
    let tail: Vec<&str> = ours
        .iter()
        .skip_while(|l| !l.starts_with("writev("))
        .map(String::as_str)
        .collect();
    let expected_writev = [
        " * 6 bytes in buffer 0",
        " | 00000  68 65 6c 6c 6f 20                                 hello            |",
        " * 5 bytes in buffer 1",
        " | 00000  77 6f 72 6c 64                                    world            |",
    ];
    assert_eq!(tail[1..5], expected_writev, "{}", traced.stderr);
    // A failed write is dumped (what the program passed); a vector stops at its first
    // empty buffer.
    assert!(
        ours.iter().any(|l| l
            == " | 00000  6e 6f 74 20 6f 70 65 6e                           not open         |"),
        "{}",
        traced.stderr
    );
    let readv = tail.iter().position(|l| l.starts_with("readv(")).unwrap();
    assert_eq!(
        tail[readv + 1..readv + 3],
        [
            " * 1 bytes in buffer 0",
            " | 00000  7a                                                z                |"
        ]
    );
    if !have("strace") {
        return;
    }
    let mut strace_args = vec!["-f"];
    strace_args.extend(args);
    let strace = run("strace", &strace_args);
    let theirs = dumps(&strace.stderr, &names);
    // Only the dump lines: the calls' own lines are the decoders' business.
    let only_dumps = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.starts_with(" | ") || l.starts_with(" * "))
            .cloned()
            .collect()
    };
    assert_eq!(only_dumps(&ours), only_dumps(&theirs));
}

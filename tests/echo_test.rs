//! `interpose /bin/echo`: the program's output is untouched, and the trace shows its
//! `brk` calls and its `write` of exactly the bytes it printed.

mod common;

use common::{interpose, parse_trace};

#[test]
fn echo_writes_and_brks() {
    let run = interpose(&["/bin/echo", "hello world"]);
    assert!(
        run.status.success(),
        "status {:?}, stderr:\n{}",
        run.status,
        run.stderr
    );
    assert_eq!(run.stdout_text(), "hello world\n");

    let lines = parse_trace(&run.stderr);
    let first = &lines[0].text;
    assert!(
        first.starts_with(r#"execve("/bin/echo", ["/bin/echo", "hello world"], 0x"#)
            && first.ends_with(") = 0"),
        "first line: {first}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.text == r#"write(1, "hello world\n", 12) = 12"#),
        "no write line in:\n{}",
        run.stderr
    );
    // glibc's malloc asks for the break first with brk(NULL), then grows it.
    let brks: Vec<&str> = lines
        .iter()
        .filter(|l| l.syscall() == Some("brk"))
        .map(|l| l.text.as_str())
        .collect();
    assert!(
        brks.iter().any(|l| l.starts_with("brk(NULL) = 0x")),
        "brk lines: {brks:?}"
    );
    assert_eq!(lines.last().unwrap().text, "+++ exited with 0 +++");
    // exit_group never returns: shown as strace shows it.
    assert!(lines.iter().any(|l| l.text == "exit_group(0) = ?"));
}

#[test]
fn string_limit_truncates_with_ellipsis() {
    let run = interpose(&["-s", "5", "/bin/echo", "abcdefghij"]);
    assert!(run.status.success());
    assert_eq!(run.stdout_text(), "abcdefghij\n");
    let lines = parse_trace(&run.stderr);
    assert!(
        lines
            .iter()
            .any(|l| l.text == r#"write(1, "abcde"..., 11) = 11"#),
        "trace:\n{}",
        run.stderr
    );
}

#[test]
fn trace_goes_to_file_with_dash_o() {
    let dir = common::scratch_dir("echo_dash_o");
    let file = dir.join("trace.txt");
    let run = interpose(&["-o", file.to_str().unwrap(), "/bin/echo", "to a file"]);
    assert!(run.status.success());
    assert_eq!(run.stdout_text(), "to a file\n");
    assert_eq!(run.stderr, "", "nothing on stderr with -o");
    let trace = std::fs::read_to_string(&file).unwrap();
    assert!(
        parse_trace(&trace)
            .iter()
            .any(|l| l.text == r#"write(1, "to a file\n", 10) = 10"#),
        "trace:\n{trace}"
    );
    assert!(trace.ends_with("+++ exited with 0 +++\n"));
}

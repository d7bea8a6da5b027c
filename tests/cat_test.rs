//! `interpose cat FILE`: the file's bytes reach stdout unchanged, and the trace shows the
//! open, the read of those bytes, the write of them, and the close, on the same fd.

mod common;

use common::{interpose, parse_trace};

#[test]
fn cat_opens_reads_writes_closes() {
    let dir = common::scratch_dir("cat");
    let path = dir.join("input.txt");
    let content = "first line\nsecond \"quoted\" line\ttab\n";
    std::fs::write(&path, content).unwrap();
    let path_text = path.to_str().unwrap();

    let run = interpose(&["/bin/cat", path_text]);
    assert!(run.status.success(), "stderr:\n{}", run.stderr);
    assert_eq!(run.stdout_text(), content);

    let lines = parse_trace(&run.stderr);
    let open_prefix = format!(r#"openat(AT_FDCWD, "{path_text}", O_RDONLY) = "#);
    let open = lines
        .iter()
        .find(|l| l.text.starts_with(&open_prefix))
        .unwrap_or_else(|| panic!("no `{open_prefix}` in:\n{}", run.stderr));
    let fd: i32 = open.ret().unwrap().parse().expect("openat returned an fd");

    // The test knows the bytes: the first 32 are shown, escaped, then `...`.
    let len = content.len();
    let shown = r#""first line\nsecond \"quoted\" line\t"..."#;
    let read = format!("read({fd}, {shown}, ");
    let read_line = lines
        .iter()
        .find(|l| l.text.starts_with(&read))
        .expect("read line");
    assert!(
        read_line.text.ends_with(&format!(") = {len}")),
        "{}",
        read_line.text
    );
    let write = format!("write(1, {shown}, {len}) = {len}");
    assert!(
        lines.iter().any(|l| l.text == write),
        "no `{write}` in:\n{}",
        run.stderr
    );
    let eof = format!("read({fd}, \"\", ");
    assert!(
        lines
            .iter()
            .any(|l| l.text.starts_with(&eof) && l.text.ends_with(") = 0"))
    );
    assert!(lines.iter().any(|l| l.text == format!("close({fd}) = 0")));
}

#[test]
fn missing_file_shows_errno() {
    let run = interpose(&["/bin/cat", "/nonexistent/file"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stderr.contains(
            r#"openat(AT_FDCWD, "/nonexistent/file", O_RDONLY) = -1 ENOENT (No such file or directory)"#
        ),
        "trace:\n{}",
        run.stderr
    );
}

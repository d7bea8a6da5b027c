//! `-c`: the summary table counts every call and every error once, as `strace -f -c` does,
//! and `-C` / `-S` put the table where strace puts it.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

/// `name -> (calls, errors)` from an strace-format `-c` table.
fn counts(table: &str) -> BTreeMap<String, (u64, u64)> {
    let mut rows = BTreeMap::new();
    for line in table.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // `% time seconds usecs/call calls [errors] syscall`; skip the header, the dashes
        // and the total.
        let (calls, errors, name) = match fields.as_slice() {
            [_, _, _, calls, errors, name] => (calls, errors, name),
            [_, _, _, calls, name] => (calls, &"0", name),
            _ => continue,
        };
        let (Ok(calls), Ok(errors)) = (calls.parse::<u64>(), errors.parse::<u64>()) else {
            continue;
        };
        if *name != "total" {
            rows.insert(name.to_string(), (calls, errors));
        }
    }
    rows
}

/// Runs `program args` under `interpose --keep-vdso -c` and under `strace -f -c`, and
/// returns both tables.
fn both(dir: &Path, program: &str, args: &[&str]) -> (String, String) {
    let ours = dir.join("interpose.count");
    let theirs = dir.join("strace.count");
    let mut command = vec!["--keep-vdso", "-c", "-o", ours.to_str().unwrap(), program];
    command.extend_from_slice(args);
    let traced = common::interpose(&command);
    let mut command = vec!["-f", "-c", "-o", theirs.to_str().unwrap(), program];
    command.extend_from_slice(args);
    let native = common::run("strace", &command);
    assert_eq!(
        traced.status.code(),
        native.status.code(),
        "{program}: {}",
        traced.stderr
    );
    assert_eq!(traced.stdout, native.stdout, "{program}'s output");
    (
        std::fs::read_to_string(ours).unwrap(),
        std::fs::read_to_string(theirs).unwrap(),
    )
}

#[test]
fn calls_and_errors_per_syscall_match_strace() {
    if !common::have("strace") {
        return;
    }
    let dir = common::scratch_dir("count_vs_strace");
    let data = dir.join("data.txt");
    let words: String = (0..2000)
        .map(|i| format!("word{}\n", (i * 7919) % 2000))
        .collect();
    std::fs::write(&data, words).unwrap();
    let data = data.to_str().unwrap();
    let tree = env!("CARGO_MANIFEST_DIR");
    let cases: &[(&str, &[&str])] = &[
        ("cat", &[data]),
        ("ls", &["-la", "/usr/bin", "/no/such/dir"]),
        ("sort", &[data]),
        (
            "find",
            &[tree, "-name", "*.rs", "-not", "-path", "*/target/*"],
        ),
        ("sha256sum", &[data, data]),
        ("sh", &["-c", "cat /etc/hostname; ls /no/such/file; true"]),
    ];
    for (program, args) in cases {
        let (ours, theirs) = both(&dir, program, args);
        let (ours, theirs) = (counts(&ours), counts(&theirs));
        assert!(!theirs.is_empty(), "{program}: no strace table");
        assert_eq!(
            ours, theirs,
            "{program}: calls and errors per syscall differ from strace -f -c"
        );
    }
}

#[test]
fn the_table_has_strace_columns_and_sorts_by_request() {
    let dir = common::scratch_dir("count_layout");
    let table = dir.join("table");
    let traced = common::interpose(&[
        "-c",
        "-S",
        "calls",
        "-o",
        table.to_str().unwrap(),
        "ls",
        "/no/such/dir",
    ]);
    assert_eq!(traced.status.code(), Some(2), "ls's own status");
    let table = std::fs::read_to_string(table).unwrap();
    let mut lines = table.lines();
    assert_eq!(
        lines.next(),
        Some("% time     seconds  usecs/call     calls    errors syscall")
    );
    assert!(lines.next().unwrap().starts_with("------ ----------- "));
    let rows = counts(&table);
    // ls's failed stat of the directory is an error of its own syscall.
    assert!(rows.values().any(|&(_, errors)| errors >= 1), "{table}");
    // Sorted by calls, most first.
    let calls: Vec<u64> = table
        .lines()
        .skip(2)
        .take_while(|l| !l.starts_with('-'))
        .map(|l| l.split_whitespace().nth(3).unwrap().parse().unwrap())
        .collect();
    assert!(calls.windows(2).all(|w| w[0] >= w[1]), "{table}");
    assert!(table.lines().last().unwrap().ends_with(" total"), "{table}");
    // -c alone prints no trace lines.
    assert!(!table.contains("execve("), "{table}");
}

#[test]
fn dash_capital_c_writes_the_trace_then_the_table() {
    let dir = common::scratch_dir("count_and_trace");
    let out = dir.join("out");
    let traced = common::interpose(&["-C", "-o", out.to_str().unwrap(), "true"]);
    assert!(traced.status.success());
    let text = std::fs::read_to_string(out).unwrap();
    let trace_end = text.find("exit_group(0)").expect("trace lines");
    let table_start = text.find("% time").expect("the table");
    assert!(trace_end < table_start, "{text}");
    let rows = counts(&text[table_start..]);
    assert_eq!(rows.get("execve"), Some(&(1, 0)), "{text}");
}

#[test]
fn a_bad_sort_key_is_a_usage_error() {
    let traced = common::interpose(&["-c", "-S", "size", "true"]);
    assert_eq!(traced.status.code(), Some(2));
    assert!(traced.stderr.contains("size"), "{}", traced.stderr);
}

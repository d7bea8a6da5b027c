//! Reading the two traces: each line's layout checked against strace's rules, split lines
//! joined, each process's lines gathered, and what differs between two runs of one program
//! masked (addresses, pids, random bytes, temporary names, CPU times).

use std::collections::HashMap;

/// One line of one process, split lines joined back: `text` is normalised, `head` is the
/// normalised part before ` <unfinished ...>` when the line was split.
#[derive(Clone, Debug)]
pub struct Logical {
    pub pid: i32,
    pub text: String,
    pub head: Option<String>,
}

/// How lines start: `-tt` puts the time of day after the pid prefix.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// `PID ` before each line (a shared file), or none (`-ff`).
    pub prefixed: bool,
    /// `-tt` and `-T`.
    pub timed: bool,
}

/// Checks the layout of every line of one output file and returns its logical lines in
/// order (a split line where it started). `pid` is the file's process with `-ff`.
fn parse_file(file_pid: i32, text: &str, shape: Shape, who: &str) -> Result<Vec<Logical>, String> {
    let mut out: Vec<Logical> = Vec::new();
    // Per pid: the index in `out` of its open (unfinished) line and that line's head.
    let mut open: HashMap<i32, (usize, String)> = HashMap::new();
    let raw: Vec<&str> = text.lines().collect();
    let mut previous_pid = None;
    for (n, line) in raw.iter().enumerate() {
        let at = |problem: String| format!("{who}, line {}: {problem}\n  {line}", n + 1);
        let (pid, rest) = if shape.prefixed {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            let pid: i32 = line[..digits]
                .parse()
                .map_err(|_| at("no pid prefix".into()))?;
            let prefix = format!("{pid:<5} ");
            if !line.starts_with(&prefix) {
                return Err(at(format!(
                    "the prefix is not `{prefix}` (%-5d and a space)"
                )));
            }
            (pid, &line[prefix.len()..])
        } else {
            (file_pid, *line)
        };
        let rest = if shape.timed {
            let (time, rest) = rest
                .split_at_checked(16)
                .ok_or_else(|| at("no time".into()))?;
            let well_formed = time.len() == 16
                && time.bytes().enumerate().all(|(i, b)| match i {
                    2 | 5 => b == b':',
                    8 => b == b'.',
                    15 => b == b' ',
                    _ => b.is_ascii_digit(),
                });
            if !well_formed {
                return Err(at(format!("`{time}` is not -tt's HH:MM:SS.uuuuuu")));
            }
            rest
        } else {
            rest
        };
        let unfinished = line.ends_with(" <unfinished ...>");
        if !unfinished {
            check_alignment(line).map_err(at)?;
        }
        let text = if unfinished {
            rest.to_string()
        } else {
            collapse_padding(rest)
        };
        let text = if shape.timed {
            mask_duration(&text).map_err(at)?
        } else {
            text
        };
        if let Some(head) = text.strip_suffix(" <unfinished ...>") {
            // strace ends a line with <unfinished ...> only when another process's line
            // starts (or the process died in the call).
            match raw.get(n + 1) {
                Some(next) if shape.prefixed && next.starts_with(&format!("{pid:<5} ")) => {
                    let same_ending = next.contains("+++ exited") || next.contains("+++ killed");
                    if !same_ending {
                        return Err(at(
                            "unfinished, but the next line is the same process's".into()
                        ));
                    }
                }
                _ => {}
            }
            if !shape.prefixed && raw.get(n + 1).is_some() {
                return Err(at("a line split inside a file of its own (-ff)".into()));
            }
            open.insert(pid, (out.len(), head.to_string()));
            out.push(Logical {
                pid,
                text: text.clone(),
                head: Some(head.to_string()),
            });
        } else if let Some(resumed) = text.strip_prefix("<... ") {
            let (name, after) = resumed
                .split_once(" resumed>")
                .ok_or_else(|| at("a resumed line without `resumed>`".into()))?;
            let (index, head) = open
                .remove(&pid)
                .ok_or_else(|| at("resumed, but no line of this process is unfinished".into()))?;
            if syscall_of(&head) != Some(name) {
                return Err(at(format!("resumes {name}, but the open line is `{head}`")));
            }
            if previous_pid == Some(pid) {
                return Err(at("resumed right after a line of the same process".into()));
            }
            out[index].text = format!("{head}{after}");
        } else {
            out.push(Logical {
                pid,
                text,
                head: None,
            });
        }
        previous_pid = Some(pid);
    }
    Ok(out)
}

/// strace's `tabto`: after `) ` the result starts at column 40, or right there on a longer
/// line. Columns count from the start of the line, prefixes included.
fn check_alignment(line: &str) -> Result<(), String> {
    let Some((close, equals)) = result_separator(line) else {
        return Ok(());
    };
    let expected = (close + 2).max(40);
    if equals != expected {
        return Err(format!(
            "` = ` at column {equals}, expected {expected} (`)` at column {close})"
        ));
    }
    Ok(())
}

/// The columns of the `)` before the result and of the result's `=`: the last `)`
/// followed by spaces and `= `.
fn result_separator(line: &str) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut found = None;
    for (i, &b) in bytes.iter().enumerate() {
        if b != b')' {
            continue;
        }
        let spaces = bytes[i + 1..].iter().take_while(|&&c| c == b' ').count();
        let after = i + 1 + spaces;
        if spaces >= 1 && bytes.get(after) == Some(&b'=') && bytes.get(after + 1) == Some(&b' ') {
            found = Some((i, after));
        }
    }
    found
}

/// `close(3)          = 0` → `close(3) = 0`.
fn collapse_padding(text: &str) -> String {
    match result_separator(text) {
        Some((close, equals)) => format!("{} {}", &text[..=close], &text[equals..]),
        None => text.to_string(),
    }
}

/// `-T`'s ` <0.000012>` at the end of a line → ` <T>`.
fn mask_duration(text: &str) -> Result<String, String> {
    let Some(start) = text.rfind(" <") else {
        return Ok(text.to_string());
    };
    let tail = &text[start + 2..];
    let Some(number) = tail.strip_suffix('>') else {
        return Ok(text.to_string());
    };
    let Some((secs, micros)) = number.split_once('.') else {
        return Ok(text.to_string());
    };
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(text.to_string());
    }
    if micros.len() != 6 || !micros.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{tail}` is not -T's <S.uuuuuu>"));
    }
    Ok(format!("{} <T>", &text[..start]))
}

/// The syscall name a line starts with.
pub fn syscall_of(text: &str) -> Option<&str> {
    let end = text.find('(')?;
    let name = &text[..end];
    (!name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'))
        .then_some(name)
}

/// Replaces what differs between two runs of the same program: addresses, random bytes,
/// temporary file names, CPU times. Pids are named later, once the tree is known.
fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        out.push_str("0x?");
        rest = rest[at + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    if let Some(after) = out.strip_prefix("getrandom(\"") {
        // Random bytes, but strace always spells them in hex: keep that shape.
        let end = string_end(after);
        out = format!("getrandom(\"{}{}", mask_bytes(&after[..end]), &after[end..]);
    }
    // Ports the kernel picks (bind to port 0, the client end of a connection).
    let mut at = 0;
    while let Some(found) = out[at..].find("htons(") {
        let start = at + found + 6;
        let digits = out[start..].bytes().take_while(u8::is_ascii_digit).count();
        let ephemeral = out[start..start + digits]
            .parse::<u32>()
            .is_ok_and(|port| port >= 32768);
        if ephemeral {
            out.replace_range(start..start + digits, "?");
        }
        at = start;
    }
    // epoll data a program leaves partly unset (CPython sets only the fd's 32 bits): the
    // rest is whatever its stack held, an address.
    let mut at = 0;
    while let Some(found) = out[at..].find(", u64=") {
        let start = at + found + 6;
        let digits = out[start..].bytes().take_while(u8::is_ascii_digit).count();
        if out[start..start + digits]
            .parse::<u64>()
            .is_ok_and(|v| v > u64::from(u32::MAX))
        {
            out.replace_range(start..start + digits, "?");
        }
        at = start;
    }
    // File times a program copies (gzip -k gives its output the input's access time, which
    // the first run's read has moved).
    if matches!(syscall_of(&out), Some("utimensat" | "utimes" | "futimesat")) {
        out = mask_numbers_after(&out, &["tv_sec=", "tv_nsec=", "tv_usec="]);
        while let Some(start) = out.find(" /* 2") {
            let Some(end) = out[start..].find(" */") else {
                break;
            };
            out.replace_range(start..start + end + 3, "");
        }
    }
    // The time select and pselect6 had left.
    if let Some(found) = out.find(", left {") {
        let start = found + 8;
        if let Some(end) = out[start..].find('}') {
            out.replace_range(start..start + end, "?");
        }
    }
    // mkstemp names (gcc's /tmp/ccAbC123.s).
    let temporary: Vec<usize> = out.match_indices("/tmp/cc").map(|(at, _)| at + 7).collect();
    for at in temporary {
        let name = out.as_bytes().get(at..at + 6);
        if name.is_some_and(|name| name.iter().all(u8::is_ascii_alphanumeric)) {
            out.replace_range(at..at + 6, "XXXXXX");
        }
    }
    // What `-v` shows of each run's own files and processes: inode numbers, times (with
    // their dates), resource counters.
    out = mask_numbers_after(
        &out,
        &[
            "st_ino=",
            "stx_ino=",
            "st_atime=",
            "st_atime_nsec=",
            "st_mtime=",
            "st_mtime_nsec=",
            "st_ctime=",
            "st_ctime_nsec=",
            "ru_maxrss=",
            "ru_minflt=",
            "ru_majflt=",
            "ru_inblock=",
            "ru_oublock=",
            "ru_nvcsw=",
            "ru_nivcsw=",
        ],
    );
    for field in ["stx_atime={", "stx_btime={", "stx_ctime={", "stx_mtime={"] {
        if let Some(at) = out.find(field) {
            let start = at + field.len();
            let end = start + out[start..].find('}').unwrap_or(0);
            out.replace_range(start..end, "?");
        }
    }
    for masked in ["? /* 2", "?} /* 2"] {
        while let Some(at) = out.find(masked) {
            let start = at + masked.len() - 1;
            let Some(end) = out[start..].find(" */") else {
                break;
            };
            out.replace_range(start..start + end, "?");
        }
    }
    // CPU times.
    for field in ["ru_utime={", "ru_stime={"] {
        if let Some(at) = out.find(field) {
            let start = at + field.len();
            let end = start + out[start..].find('}').unwrap_or(0);
            out.replace_range(start..end, "?");
        }
    }
    for field in ["si_utime=", "si_stime="] {
        if let Some(at) = out.find(field) {
            let start = at + field.len();
            let mut end = start + out[start..].bytes().take_while(u8::is_ascii_digit).count();
            if out[end..].starts_with(" /* ") {
                end += out[end..].find(" */").map_or(0, |e| e + 3);
            }
            out.replace_range(start..end, "?");
        }
    }
    out
}

/// `text` with the number after each of `fields` replaced by `?`.
fn mask_numbers_after(text: &str, fields: &[&str]) -> String {
    let mut out = text.to_string();
    for field in fields {
        let mut at = 0;
        while let Some(found) = out[at..].find(field) {
            let start = at + found + field.len();
            let digits = out[start..].bytes().take_while(u8::is_ascii_digit).count();
            out.replace_range(start..start + digits, "?");
            at = start;
        }
    }
    out
}

/// A C string literal's body (up to and with its closing quote) as random bytes: `\x??`
/// for each byte when all are in hex, one `?` otherwise.
fn mask_bytes(literal: &str) -> String {
    let body = literal.strip_suffix('"').unwrap_or(literal);
    let hex = body.len().is_multiple_of(4)
        && body
            .as_bytes()
            .chunks(4)
            .all(|c| c[0] == b'\\' && c[1] == b'x' && c[2..].iter().all(u8::is_ascii_hexdigit));
    if hex {
        format!("{}\"", "\\x??".repeat(body.len() / 4))
    } else {
        "?\"".to_string()
    }
}

/// Files whose contents differ from run to run: random bytes, and the addresses of a
/// process's mappings.
const RANDOM_FILES: &[&str] = &["/dev/urandom", "/dev/random", "/proc/self/maps"];

/// Whether `line` names one of the [`RANDOM_FILES`], as a string escaped or all in hex (`-xx`).
fn names_random_file(line: &str) -> bool {
    RANDOM_FILES.iter().any(|file| {
        let hex: String = file.bytes().map(|b| format!("\\x{b:02x}")).collect();
        line.contains(&format!("\"{file}\"")) || line.contains(&format!("\"{hex}\""))
    })
}

/// Masks what one process reads from the [`RANDOM_FILES`] it opened, in order.
fn mask_random_reads(lines: &mut [Logical]) {
    let mut random: Vec<i64> = Vec::new();
    for line in lines {
        let call = syscall_of(&line.text).unwrap_or("");
        let first_arg = || -> Option<i64> {
            let args = &line.text[call.len() + 1..];
            args[..args.find([',', ')'])?].parse().ok()
        };
        match call {
            "open" | "openat" if names_random_file(&line.text) => {
                random.extend(result_number(&line.text));
            }
            "close" => random.retain(|&fd| Some(fd) != first_arg()),
            "read" | "pread64" if first_arg().is_some_and(|fd| random.contains(&fd)) => {
                if let Some(quote) = line.text.find(", \"") {
                    let start = quote + 3;
                    let end = start + string_end(&line.text[start..]);
                    line.text.replace_range(start..end, "?\"");
                }
            }
            _ => {}
        }
    }
}

/// The index just past the closing quote of a C string literal whose opening quote is
/// already consumed.
fn string_end(literal: &str) -> usize {
    let bytes = literal.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Calls whose result is a pid.
const PID_RESULTS: &[&str] = &[
    "clone",
    "clone3",
    "fork",
    "vfork",
    "getpid",
    "gettid",
    "getppid",
    "set_tid_address",
    "wait4",
    "waitid",
    "getpgid",
    "getpgrp",
    "getsid",
    "setsid",
    // The interrupted call's result, restored: after a SIGCHLD often a pid from wait4.
    "rt_sigreturn",
];

/// Calls whose first argument is a pid.
const PID_FIRST_ARGS: &[&str] = &[
    "kill",
    "tkill",
    "tgkill",
    "wait4",
    "getpgid",
    "setpgid",
    "getsid",
    "prlimit64",
    "sched_getaffinity",
    "sched_setaffinity",
    "sched_getscheduler",
    "sched_getparam",
    "pidfd_open",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "getpriority",
    "setpriority",
];

/// Names the pids of a trace by their place in the process tree (`P`, `P.1`, `P.1.2`: the
/// second child of the first child), found from the results of clone, fork and vfork.
fn name_pids(lines: &[Logical]) -> HashMap<i32, String> {
    let mut names: HashMap<i32, String> = HashMap::new();
    let mut children: HashMap<i32, usize> = HashMap::new();
    let Some(first) = lines.first() else {
        return names;
    };
    names.insert(first.pid, "P".into());
    // Children can show up before their parent's clone returns: name in rounds.
    loop {
        let before = names.len();
        children.clear();
        for line in lines {
            let Some(parent) = names.get(&line.pid).cloned() else {
                continue;
            };
            let Some(call) = syscall_of(&line.text) else {
                continue;
            };
            if !matches!(call, "clone" | "clone3" | "fork" | "vfork") {
                continue;
            }
            let Some(child) = result_number(&line.text).filter(|&n| n > 0) else {
                continue;
            };
            let count = children.entry(line.pid).or_default();
            *count += 1;
            names
                .entry(child as i32)
                .or_insert(format!("{parent}.{count}"));
        }
        if names.len() == before {
            return names;
        }
    }
}

/// The number after the last `) = `, when the result is one.
fn result_number(text: &str) -> Option<i64> {
    let at = text.rfind(") = ")?;
    let digits: String = text[at + 4..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Replaces the pids in one line by their names.
fn rename_pids(text: &str, names: &HashMap<i32, String>) -> String {
    let name = |number: &str| -> String {
        let (sign, digits) = match number.strip_prefix('-') {
            Some(digits) => ("-", digits),
            None => ("", number),
        };
        match digits.parse::<i32>() {
            Ok(pid) if names.contains_key(&pid) => format!("{sign}{}", names[&pid]),
            Ok(pid) if pid > 1 => format!("{sign}PID?"),
            _ => number.to_string(),
        }
    };
    let mut out = text.to_string();
    let mut places: Vec<usize> = Vec::new();
    if let Some(call) = syscall_of(text) {
        if PID_FIRST_ARGS.contains(&call) {
            places.push(call.len() + 1);
        }
        if matches!(call, "tgkill" | "setpgid")
            && let Some(comma) = text.find(", ")
        {
            places.push(comma + 2);
        }
        if PID_RESULTS.contains(&call)
            && let Some(at) = text.rfind(") = ")
        {
            places.push(at + 4);
        }
    }
    for marker in ["si_pid=", "/proc/", "in pid "] {
        places.extend(text.match_indices(marker).map(|(at, _)| at + marker.len()));
    }
    // From the end, so earlier places keep their offsets.
    places.sort_unstable();
    places.dedup();
    for &at in places.iter().rev() {
        let sign = usize::from(out[at..].starts_with('-'));
        let digits = out[at + sign..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if digits == 0 {
            continue;
        }
        let replaced = name(&out[at..at + sign + digits]);
        out.replace_range(at..at + sign + digits, &replaced);
    }
    out
}

/// One trace as each process's lines, keyed by the process's name.
pub fn by_process(
    files: &[(i32, String)],
    shape: Shape,
    who: &str,
) -> Result<HashMap<String, Vec<Logical>>, String> {
    let mut lines = Vec::new();
    // With -ff, the first process's file goes first: the one no clone or fork returned.
    let mut files: Vec<&(i32, String)> = files.iter().collect();
    let children: Vec<i64> = files
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter(|l| matches!(syscall_of(l), Some("clone" | "clone3" | "fork" | "vfork")))
        .filter_map(|l| result_number(&collapse_padding(l)))
        .collect();
    files.sort_by_key(|(pid, _)| children.contains(&i64::from(*pid)));
    for (pid, text) in files {
        let file_who = if shape.prefixed {
            who.to_string()
        } else {
            format!("{who}.{pid}")
        };
        lines.extend(parse_file(*pid, text, shape, &file_who)?);
    }
    for line in &mut lines {
        line.text = mask(&line.text);
        line.head = line.head.as_deref().map(mask);
    }
    let names = name_pids(&lines);
    let mut processes: HashMap<String, Vec<Logical>> = HashMap::new();
    for mut line in lines {
        line.text = rename_pids(&line.text, &names);
        line.head = line.head.as_deref().map(|h| rename_pids(h, &names));
        let name = names
            .get(&line.pid)
            .cloned()
            .unwrap_or_else(|| format!("unnamed {}", line.pid));
        processes.entry(name).or_default().push(line);
    }
    for lines in processes.values_mut() {
        mask_random_reads(lines);
    }
    Ok(processes)
}

/// The longest common subsequence of `a` and `b`, as pairs of indices.
pub fn common_lines(a: &[Logical], b: &[Logical]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if a[i].text == b[j].text {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut pairs = Vec::new();
    while i < n && j < m {
        if a[i].text == b[j].text {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if table[at(i + 1, j)] >= table[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

//! strace's text, byte for byte: real programs traced by `interpose -o A --keep-vdso PROG`
//! and by `strace -f -o B PROG`, compared line by line.
//!
//! The programs (`programs.rs`) are the installed tools people trace: coreutils, find,
//! grep, sed, awk, tar and gzip, python3 (files, json, subprocess, threads, sockets,
//! select, mmap), perl, bash, make, gcc, git and sqlite3, each skipped with a printed reason
//! when it is missing. Several run at once, each in its own directory.
//!
//! Layout is checked on every raw line of both traces by the rules read from strace's
//! source (`printleader`, `tabto`): the `PID ` prefix (`%-5d `), ` = ` padded to column 40,
//! `<unfinished ...>` only when another process's line follows, `<... NAME resumed>` only
//! after another process's line. (strace's own output is checked by the same rules, which
//! keeps the rules honest.) Then each process's lines, split lines joined, are compared in
//! order after replacing only pids (named by their place in the process tree), addresses
//! (`0x...`, and the mappings read from `/proc/self/maps`), times, ports the kernel picks,
//! and random bytes (getrandom buffers, reads of `/dev/urandom`, temporary file names).
//! Lines that differ must be listed below as known differences: a decoder gap, each to be
//! fixed in the decoding issue, or a call whose presence depends on timing in that
//! program. The share of identical lines over all programs is printed, with the lines
//! each known difference covers, and must not fall below [`FLOOR`].
//!
//! Skips, saying why, when strace (or a program) is not installed.

mod common;
#[path = "strace_text_test/programs.rs"]
mod programs;
#[path = "strace_text_test/traces.rs"]
mod traces;

use programs::{Program, Traces};
use std::fmt::Write as _;
use std::sync::Mutex;
use traces::{Logical, Shape, by_process, common_lines, syscall_of};

/// The share of strace's lines that interpose's trace must reproduce exactly, over all
/// programs of the line-for-line comparison.
const FLOOR: f64 = 0.99;

/// How many programs are traced at once (each by strace, then by interpose).
const WORKERS: usize = 3;

/// Which trace a known difference shows in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Ours,
    Strace,
    Both,
}

/// Lines allowed to differ: those of syscall `call` (or, with `call` empty, any line)
/// containing every one of `contains`, in the trace(s) of `side`.
#[derive(Debug)]
struct Known {
    side: Side,
    call: &'static str,
    contains: &'static [&'static str],
    why: &'static str,
}

impl Known {
    fn covers(&self, side: Side, line: &str) -> bool {
        (self.side == Side::Both || self.side == side)
            && (self.call.is_empty() || syscall_of(line) == Some(self.call))
            && self.contains.iter().all(|part| line.contains(part))
    }
}

/// Where interpose's decoders and strace's disagree. Each is a gap to close in the
/// decoding issue; each rule names one syscall and what tells its lines apart.
const DECODER_GAPS: &[Known] = &[
    Known {
        side: Side::Ours,
        call: "clone3",
        contains: &["= -1 ENOSYS (Function not implemented)"],
        why: "clone3: interpose refuses a clone3 it cannot rewrite into clone with ENOSYS \
              (glibc then calls clone), where strace lets it run",
    },
    Known {
        side: Side::Ours,
        call: "clone",
        contains: &["|CLONE_THREAD|"],
        why: "clone: the thread clone glibc makes after interpose refused its clone3 (see above)",
    },
    Known {
        side: Side::Ours,
        call: "clone",
        contains: &["flags=CLONE_VM|CLONE_VFORK|SIGCHLD"],
        why: "clone: posix_spawn's clone3, which interpose runs as the equivalent clone",
    },
    Known {
        side: Side::Both,
        call: "sysinfo",
        contains: &[", mem_unit="],
        why: "sysinfo: uptime, loads and free memory change from run to run",
    },
    Known {
        side: Side::Both,
        call: "fstatfs",
        contains: &[", f_bfree="],
        why: "fstatfs of a disk: its free blocks and files change from run to run",
    },
    Known {
        side: Side::Strace,
        call: "clone3",
        contains: &["}, 88) = "],
        why: "clone3: strace shows the thread clone3 that interpose refused (see above)",
    },
];

/// How one comparison went.
#[derive(Default)]
struct Tally {
    identical: usize,
    strace_lines: usize,
    our_lines: usize,
    known: usize,
    timing: usize,
    unexplained_lines: usize,
    /// How many lines each known difference covered.
    rules: std::collections::BTreeMap<&'static str, usize>,
    /// Lines nothing explains, with context, for the failure message.
    unexplained: Vec<String>,
}

/// Compares the traces process by process.
fn compare(program: &Program, traces: &Traces, shape: Shape) -> Tally {
    let who = |tracer: &str| format!("{} under {tracer}", program.name);
    let theirs = by_process(&traces.strace, shape, &who("strace"))
        .unwrap_or_else(|e| panic!("strace's own trace breaks the layout rules: {e}"));
    let ours = by_process(&traces.ours, shape, &who("interpose"))
        .unwrap_or_else(|e| panic!("layout: {e}"));
    let mut names: Vec<&String> = theirs.keys().chain(ours.keys()).collect();
    names.sort();
    names.dedup();
    let empty = Vec::new();
    let mut tally = Tally::default();
    for name in names {
        let a = theirs.get(name).unwrap_or(&empty);
        let b = ours.get(name).unwrap_or(&empty);
        tally.strace_lines += a.len();
        tally.our_lines += b.len();
        // Lines whose place depends on timing cannot be compared by place: set aside.
        let mut untimed = |side: Side, lines: &[Logical]| -> Vec<Logical> {
            let mut kept = Vec::new();
            for line in lines {
                match program.timing.iter().find(|r| r.covers(side, &line.text)) {
                    Some(rule) => {
                        tally.timing += 1;
                        *tally.rules.entry(rule.why).or_default() += 1;
                    }
                    None => kept.push(line.clone()),
                }
            }
            kept
        };
        let (a, b) = (&untimed(Side::Strace, a), &untimed(Side::Ours, b));
        let pairs = common_lines(a, b);
        tally.identical += pairs.len();
        for &(i, j) in &pairs {
            if let (Some(x), Some(y)) = (&a[i].head, &b[j].head)
                && x != y
            {
                tally.unexplained.push(format!(
                    "{name}: split at a different place:\n  strace:    {x} <unfinished ...>\n  \
                     interpose: {y} <unfinished ...>"
                ));
            }
        }
        // The two sequences as a diff: common lines, and lines of only one side.
        let mut diff: Vec<(char, &str, bool)> = Vec::new();
        let (mut i, mut j) = (0, 0);
        for &(pi, pj) in pairs.iter().chain([(a.len(), b.len())].iter()) {
            for line in &a[i..pi] {
                diff.push((
                    '-',
                    &line.text,
                    explained(program, Side::Strace, &line.text, &mut tally),
                ));
            }
            for line in &b[j..pj] {
                diff.push((
                    '+',
                    &line.text,
                    explained(program, Side::Ours, &line.text, &mut tally),
                ));
            }
            if pi < a.len() {
                diff.push((' ', &a[pi].text, true));
            }
            (i, j) = (pi + 1, pj + 1);
        }
        // Each run of unexplained lines, with two lines of context around it.
        let mut k = 0;
        while k < diff.len() {
            if diff[k].2 {
                k += 1;
                continue;
            }
            let mut end = k;
            while end < diff.len() && (!diff[end].2 || diff[end].0 != ' ') {
                end += 1;
            }
            let mut hunk = format!(
                "{name}: `-` only in strace's trace, `+` only in interpose's, `!` not a known \
                 difference:\n"
            );
            for (mark, text, known) in &diff[k.saturating_sub(2)..(end + 2).min(diff.len())] {
                let flag = if *known { ' ' } else { '!' };
                writeln!(hunk, "  {flag}{mark} {text}").unwrap();
            }
            tally.unexplained.push(hunk);
            k = end;
        }
    }
    tally
}

/// Whether a line only one trace has is a known difference; counts it.
fn explained(program: &Program, side: Side, line: &str, tally: &mut Tally) -> bool {
    if let Some(rule) = DECODER_GAPS.iter().find(|r| r.covers(side, line)) {
        tally.known += 1;
        *tally.rules.entry(rule.why).or_default() += 1;
        true
    } else if let Some(rule) = program.sometimes.iter().find(|r| r.covers(side, line)) {
        tally.timing += 1;
        *tally.rules.entry(rule.why).or_default() += 1;
        true
    } else {
        tally.unexplained_lines += 1;
        false
    }
}

/// What comparing one program gave: its tally, or why it could not be compared.
struct Outcome {
    name: &'static str,
    tally: Tally,
    report: String,
}

/// Traces `program` with both tracers and `flags` and compares the traces.
fn check_one(program: &Program, flags: &[&str], tag: &str, shape: Shape) -> Outcome {
    let traces = programs::trace_both(program, flags, tag);
    if flags.contains(&"-ff") {
        assert_eq!(
            traces.strace.len(),
            traces.ours.len(),
            "{}: -ff writes one file per process and thread",
            program.name
        );
    }
    if flags.contains(&"-qq") {
        for (_, text) in traces.ours.iter().chain(&traces.strace) {
            assert!(
                !text.contains("+++ exited with"),
                "-qq shows no exits:\n{text}"
            );
        }
    }
    let tally = compare(program, &traces, shape);
    let mut report = format!(
        "{:<20} {flags:?}: {}/{} lines identical ({:.1}%); {} lines of interpose's; \
         {} known decoder differences, {} timing\n",
        program.name,
        tally.identical,
        tally.strace_lines,
        100.0 * tally.identical as f64 / tally.strace_lines.max(1) as f64,
        tally.our_lines,
        tally.known,
        tally.timing,
    );
    for (why, count) in &tally.rules {
        writeln!(report, "    {count:>4} x {why}").unwrap();
    }
    Outcome {
        name: program.name,
        tally,
        report,
    }
}

/// Traces each program with both tracers and `flags` (several programs at once),
/// compares, and fails on any line nothing explains. Returns the share of strace's lines
/// found identical in interpose's trace, over all programs.
fn check(flags: &[&str], tag: &str, shape: Shape, only: Option<&[&str]>) -> f64 {
    if !common::have("strace") {
        return 1.0;
    }
    let root = common::scratch_dir(&format!("strace_text{tag}"));
    let chosen: Vec<Program> = programs::programs(&root)
        .into_iter()
        .filter(|p| only.is_none_or(|names| names.contains(&p.name)))
        .collect();
    assert!(!chosen.is_empty(), "no program was traced");
    let queue = Mutex::new(chosen.iter().collect::<Vec<_>>());
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                loop {
                    let Some(program) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let outcome = check_one(program, flags, tag, shape);
                    outcomes.lock().unwrap().push(outcome);
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap();
    // In the list's order, whichever finished first.
    outcomes.sort_by_key(|o| chosen.iter().position(|p| p.name == o.name));
    let mut failures = Vec::new();
    let mut total = Tally::default();
    for outcome in &outcomes {
        eprint!("{}", outcome.report);
        let tally = &outcome.tally;
        total.identical += tally.identical;
        total.strace_lines += tally.strace_lines;
        total.our_lines += tally.our_lines;
        total.known += tally.known;
        total.timing += tally.timing;
        for (why, count) in &tally.rules {
            *total.rules.entry(why).or_default() += count;
        }
        if !tally.unexplained.is_empty() {
            let shown: Vec<&str> = tally
                .unexplained
                .iter()
                .take(400)
                .map(|s| s.as_str())
                .collect();
            failures.push(format!(
                "{} {flags:?}: {} lines differ and are not known differences; the first:\n{}",
                outcome.name,
                tally.unexplained_lines,
                shown.join("\n")
            ));
        }
    }
    let fraction = total.identical as f64 / total.strace_lines.max(1) as f64;
    eprintln!(
        "overall {flags:?}: {} programs, {}/{} of strace's lines identical ({:.2}%); \
         {} lines of interpose's; {} known decoder differences, {} timing",
        outcomes.len(),
        total.identical,
        total.strace_lines,
        100.0 * fraction,
        total.our_lines,
        total.known,
        total.timing,
    );
    for (why, count) in &total.rules {
        eprintln!("    {count:>5} x {why}");
    }
    if only.is_none() {
        // A gap a decoder closed leaves its entry covering nothing: time to remove it.
        let mut unused: Vec<&str> = DECODER_GAPS
            .iter()
            .map(|gap| gap.why)
            .filter(|why| !total.rules.contains_key(why))
            .collect();
        unused.dedup();
        for why in unused {
            eprintln!("    no line needed this entry of DECODER_GAPS: {why}");
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    fraction
}

const PREFIXED: Shape = Shape {
    prefixed: true,
    timed: false,
};

#[test]
fn programs_match_strace_line_for_line() {
    let fraction = check(&[], "", PREFIXED, None);
    assert!(
        fraction >= FLOOR,
        "{:.2}% of strace's lines are identical in interpose's trace; at least {:.0}% must be",
        100.0 * fraction,
        100.0 * FLOOR
    );
}

#[test]
fn timestamps_and_durations_match_strace() {
    let shape = Shape {
        prefixed: true,
        timed: true,
    };
    let some = ["sh pipeline", "threads (C)", "signal handlers (C)", "cat"];
    check(&["-tt", "-T"], "_timed", shape, Some(&some));
}

#[test]
fn one_file_per_process_matches_strace() {
    let shape = Shape {
        prefixed: false,
        timed: false,
    };
    let some = [
        "sh pipeline",
        "threads (C)",
        "signal handlers (C)",
        "tar with gzip",
    ];
    check(&["-ff"], "_ff", shape, Some(&some));
}

#[test]
fn quiet_exits_match_strace() {
    let some = ["sh pipeline", "threads (C)", "signal handlers (C)"];
    check(&["-qq"], "_qq", PREFIXED, Some(&some));
}

/// `-v`: every field of the structures strace abbreviates (stat, statx, rusage, uname,
/// termios), every element of arrays, argv and environments in full.
#[test]
fn unabbreviated_matches_strace() {
    let some = [
        "cat",
        "ls -la",
        "cp -r",
        "du -a",
        "stat",
        "sh pipeline",
        "python3 files",
        "tar with gzip",
    ];
    check(&["-v"], "_v", PREFIXED, Some(&some));
}

#[test]
fn strings_in_hex_and_longer_match_strace() {
    let some = [
        "cat",
        "ls -la",
        "sha256sum",
        "gzip -k",
        "python3 files",
        "sqlite3",
    ];
    check(&["-x", "-s", "64"], "_x", PREFIXED, Some(&some));
    check(&["-xx"], "_xx", PREFIXED, Some(&some));
}

//! Each family of decoders (`runtime/src/decode/`) against strace: `decode_calls FAMILY`
//! (tests/programs/decode_calls.c) makes real calls of one family; interpose and
//! `strace -f` each trace it with the family's calls selected, and every line must be the
//! same after masking what differs between two runs (addresses, pids, values that change
//! by themselves). Skipped, saying so, without strace or a C compiler.

mod common;

use common::{Line, TIMEOUT, compile_c, have, join_resumed, parse_trace, scratch_dir};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// One family: what to trace and what to mask.
struct Family {
    /// The argument of `decode_calls`.
    name: &'static str,
    /// The calls compared, comma-separated. Both tracers trace every call (interpose's
    /// seccomp prefilter, which `-e trace=` turns on, is not what is tested here).
    calls: &'static str,
    /// Fields whose values change from run to run (`freeram=`), masked in both traces;
    /// `call:field` masks the field in that call's lines only; text ending with a space
    /// masks the value after it (a part of a result's report, `left {...}`, or an
    /// argument after another, `TIOCGPTN, [0]`).
    volatile: &'static [&'static str],
    /// Calls whose results differ for a known reason, masked (clone3: interpose answers the
    /// calls it refuses itself, `(INJECTED)`).
    results_differ: &'static [&'static str],
    /// Arguments interpose does not decode as strace does, by call and position, masked
    /// (bpf's `union bpf_attr`, shown as its address).
    not_decoded: &'static [(&'static str, usize)],
}

const FAMILIES: &[Family] = &[
    Family {
        name: "fcntl",
        calls: "fcntl",
        volatile: &[],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "clone",
        calls: "clone,clone3,wait4",
        volatile: &[],
        results_differ: &["clone3"],
        not_decoded: &[],
    },
    Family {
        name: "stat",
        calls: "newfstatat,statx,utimensat,statfs,fstatfs,sysinfo,uname",
        volatile: &[
            "uptime",
            "loads",
            "freeram",
            "sharedram",
            "bufferram",
            "freeswap",
            "procs",
            "f_bfree",
            "f_bavail",
            "f_ffree",
        ],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "time",
        calls: "nanosleep,clock_nanosleep,setitimer,getitimer,timer_create,timer_delete,\
                timer_settime,timer_gettime,timerfd_create,timerfd_settime,clock_getres",
        // What is left of a running timer.
        volatile: &["timer_gettime:it_value", "timerfd_settime:it_value"],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "signal",
        calls: "sigaltstack,rt_sigprocmask,rt_sigqueueinfo,rt_sigpending,rt_sigtimedwait",
        volatile: &[],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "sched",
        calls: "sched_getaffinity,sched_setaffinity,sched_getparam,sched_getscheduler,\
                sched_setscheduler,sched_get_priority_max,sched_get_priority_min,\
                sched_rr_get_interval,sched_yield,sched_getattr,sched_setattr",
        volatile: &[],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "resource",
        calls: "getrlimit,setrlimit,prlimit64,getrusage,getpriority,setpriority,getgroups,\
                setgroups,ioprio_get,ioprio_set",
        volatile: &["ru_utime", "ru_stime"],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "wait",
        calls: "wait4,waitid",
        volatile: &["ru_utime", "ru_stime"],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "futex",
        calls: "futex",
        volatile: &[],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "prctl",
        calls: "prctl",
        volatile: &[],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "mount",
        calls: "mount,umount2",
        volatile: &[],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "memory",
        calls: "mmap,mprotect,madvise,mremap,msync,mlock,munlock,mincore,munmap,mlockall,\
                munlockall",
        volatile: &[],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "io_uring",
        calls: "io_uring_setup",
        volatile: &[],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "bpf",
        calls: "bpf",
        volatile: &[],
        results_differ: &[],
        not_decoded: &[("bpf", 1)],
    },
    Family {
        name: "select",
        calls: "select,pselect6",
        // What is left of the timeout.
        volatile: &["left "],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "ioctl",
        calls: "ioctl",
        // The number of the pseudo-terminal the kernel hands out: another test (or the
        // `-v` variant of this one) may hold one at the same time.
        volatile: &["TIOCGPTN, "],
        results_differ: &[],
        not_decoded: &[],
    },
    Family {
        name: "arrays",
        calls: "writev,mincore,setgroups,poll,epoll_ctl,epoll_wait,sendmsg",
        volatile: &[],
        results_differ: &[],
        not_decoded: &[],
    },
];

#[test]
fn fcntl() {
    family("fcntl");
}

#[test]
fn clone() {
    family("clone");
}

#[test]
fn stat() {
    family("stat");
}

#[test]
fn time() {
    family("time");
}

#[test]
fn signal() {
    family("signal");
}

#[test]
fn sched() {
    family("sched");
}

#[test]
fn resource() {
    family("resource");
}

#[test]
fn wait() {
    family("wait");
}

#[test]
fn futex() {
    family("futex");
}

#[test]
fn prctl() {
    family("prctl");
}

#[test]
fn mount() {
    family("mount");
}

#[test]
fn memory() {
    family("memory");
}

#[test]
fn io_uring() {
    family("io_uring");
}

#[test]
fn bpf() {
    family("bpf");
}

#[test]
fn ioctl() {
    family("ioctl");
}

#[test]
fn select() {
    family("select");
}

/// The counters of a `struct rusage` that change from run to run, shown under `-v`.
const RUSAGE_COUNTERS: &[&str] = &[
    "ru_maxrss",
    "ru_minflt",
    "ru_majflt",
    "ru_inblock",
    "ru_oublock",
    "ru_nvcsw",
    "ru_nivcsw",
];

/// The access times of `/etc/passwd`, which whatever reads it between the two runs
/// changes (the other times stay, and are compared).
const ACCESS_TIMES: &[&str] = &["st_atime", "st_atime_nsec", "stx_atime"];

/// `-v`: `struct stat`, `statx` and `utsname` with every field.
#[test]
fn stat_verbose() {
    family_with("stat", &["-v"], ACCESS_TIMES);
}

/// `-e abbrev=newfstatat`: that call abbreviated, statx and uname in full.
#[test]
fn stat_abbreviated_for_a_set() {
    family_with("stat", &["-e", "abbrev=newfstatat"], ACCESS_TIMES);
}

/// `-v`: `struct rusage` with every counter.
#[test]
fn resource_verbose() {
    family_with("resource", &["-v"], RUSAGE_COUNTERS);
}

/// `-v`: wait4's `struct rusage` with every counter.
#[test]
fn wait_verbose() {
    family_with("wait", &["-v"], RUSAGE_COUNTERS);
}

/// `-e abbrev=none` (what `-v` means): `struct termios` and `termio` with the line
/// discipline and every control character.
#[test]
fn ioctl_unabbreviated() {
    family_with("ioctl", &["-e", "abbrev=none"], &[]);
}

/// Arrays longer than the string limit: cut there, as strace cuts them.
#[test]
fn arrays() {
    family("arrays");
}

/// `-v`: every element.
#[test]
fn arrays_verbose() {
    family_with("arrays", &["-v"], &[]);
}

/// `-s 2`: the string limit is also the array limit.
#[test]
fn arrays_short() {
    family_with("arrays", &["-s", "2"], &[]);
}

/// Traces family `name` with both tracers and compares the lines.
fn family(name: &str) {
    family_with(name, &[], &[]);
}

/// Traces family `name` with both tracers given `options` too (`-v`, `-e abbrev=SET`), and
/// compares the lines with the fields in `volatile` masked as well as the family's.
fn family_with(name: &str, options: &[&str], volatile: &[&str]) {
    let family = FAMILIES.iter().find(|f| f.name == name).unwrap();
    if !have("strace") || !have("cc") {
        eprintln!("skipped: the comparison needs strace and a C compiler");
        return;
    }
    // Each variant in a directory of its own: the tests run at the same time.
    let variant: String = options
        .iter()
        .flat_map(|o| o.chars())
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let dir = scratch_dir(&format!("decode_{name}{variant}"));
    let Some(program) = compile_c("decode_calls", &dir) else {
        return;
    };
    let strace_out = dir.join("strace.txt");
    let ours_out = dir.join("interpose.txt");
    let mut strace = vec!["-f", "-o", strace_out.to_str().unwrap()];
    strace.extend(options);
    strace.extend([program.to_str().unwrap(), name]);
    let timeout = TIMEOUT.as_secs().to_string();
    let mut ours = vec![
        "--keep-vdso",
        "--timeout",
        &timeout,
        "-f",
        "-o",
        ours_out.to_str().unwrap(),
    ];
    ours.extend(options);
    ours.extend([program.to_str().unwrap(), name]);
    let run = |tracer: &str, args: &[&str]| {
        let status = Command::new(tracer)
            .args(args)
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("{tracer}: {e}"));
        assert!(status.success(), "{tracer} {args:?}: {status}");
    };
    run("strace", &strace);
    run(common::interpose_bin(), &ours);
    let theirs = lines(&strace_out, family, volatile);
    let mine = lines(&ours_out, family, volatile);
    let mut missing = Vec::new();
    let mut extra = Vec::new();
    let keys: std::collections::BTreeSet<&String> = theirs.keys().chain(mine.keys()).collect();
    for key in keys {
        let (a, b) = (
            theirs.get(key).copied().unwrap_or(0),
            mine.get(key).copied().unwrap_or(0),
        );
        if a > b {
            missing.push(format!("{}x {key}", a - b));
        } else if b > a {
            extra.push(format!("{}x {key}", b - a));
        }
    }
    let total: usize = theirs.values().sum();
    eprintln!("{name}: {total} strace lines compared");
    assert!(total > 0, "{name}: strace traced no calls");
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{name}: lines differ\nstrace only:\n  {}\ninterpose only:\n  {}",
        missing.join("\n  "),
        extra.join("\n  ")
    );
}

/// The syscall lines of a `-f -o` trace, joined where split and masked (the family's
/// volatile fields and `also_volatile`), counted.
fn lines(path: &Path, family: &Family, also_volatile: &[&str]) -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(path).unwrap();
    let parsed = parse_trace(&text);
    // Every pid the trace names, as the prefix of a line.
    let pids: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(pid, _)| pid.to_string()))
        .filter(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let mut out = BTreeMap::new();
    for Line { text, .. } in join_resumed(&parsed) {
        let Some(call) = Line::syscall(&Line {
            pid: None,
            text: text.clone(),
        })
        .map(str::to_string) else {
            continue;
        };
        if !family.calls.split(',').any(|c| c == call) {
            continue;
        }
        let volatile: Vec<&str> = family
            .volatile
            .iter()
            .chain(also_volatile)
            .filter_map(|v| match v.split_once(':') {
                Some((only, field)) => (only == call).then_some(field),
                None => Some(v),
            })
            .collect();
        let mut text = mask(&text, &pids, &volatile);
        for &(_, index) in family.not_decoded.iter().filter(|(c, _)| *c == call) {
            text = mask_arg(&text, index);
        }
        if family.results_differ.contains(&call.as_str())
            && let Some(at) = text.rfind(") = ")
        {
            text.replace_range(at + 4.., "?");
        }
        *out.entry(text).or_default() += 1;
    }
    out
}

/// Masks addresses (`0x?`), pids (`PID`) and the values of `volatile` fields (`?`).
fn mask(text: &str, pids: &[String], volatile: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        out.push_str("0x?");
        rest = rest[at + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    let mut words = String::with_capacity(out.len());
    for (i, piece) in out
        .split_inclusive(|c: char| !c.is_ascii_digit())
        .enumerate()
    {
        let digits = piece.trim_end_matches(|c: char| !c.is_ascii_digit());
        let before = words.chars().last();
        let whole = i == 0 || !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if whole && !digits.is_empty() && pids.iter().any(|p| p == digits) {
            words.push_str("PID");
            words.push_str(&piece[digits.len()..]);
        } else {
            words.push_str(piece);
        }
    }
    let mut out = words;
    for field in volatile {
        // `name=` in a struct; `name ` (ending in a space) in a result's report.
        let key = if field.ends_with(' ') {
            field.to_string()
        } else {
            format!("{field}=")
        };
        let mut from = 0;
        while let Some(found) = out[from..].find(&key) {
            let start = from + found + key.len();
            let end = start + value_len(&out[start..]);
            out.replace_range(start..end, "?");
            from = start + 1;
        }
    }
    out
}

/// `text` with its argument `index` (from 0) replaced by `?`.
fn mask_arg(text: &str, index: usize) -> String {
    let Some(open) = text.find('(') else {
        return text.to_string();
    };
    let mut start = open + 1;
    for _ in 0..index {
        let end = start + value_len(&text[start..]);
        if !text[end..].starts_with(", ") {
            return text.to_string();
        }
        start = end + 2;
    }
    let end = start + value_len(&text[start..]);
    format!("{}?{}", &text[..start], &text[end..])
}

/// The length of the value at the start of `text`: up to the `,`, `}`, `]` or `)` that
/// ends it at its own nesting depth, outside quoted strings.
fn value_len(text: &str) -> usize {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '{' | '[' | '(' => depth += 1,
            '}' | ']' | ')' if depth == 0 => return i,
            '}' | ']' | ')' => depth -= 1,
            ',' if depth == 0 => return i,
            _ => {}
        }
    }
    text.len()
}

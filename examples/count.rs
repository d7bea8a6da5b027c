//! Runs a program and counts its syscalls by name, like `strace -c` without the timings.
//!
//! ```text
//! cargo run --example count -- [--syscalls NAME,NAME,...] PROGRAM [ARGS...]
//! cargo run --example count -- sh -c 'echo x; echo y'
//! cargo run --example count -- --syscalls openat,read,write cat Cargo.toml
//! ```
//!
//! When the program's processes are all gone, a table goes to stderr, most frequent call
//! first:
//!
//! ```text
//!   calls  syscall
//!      12  mmap
//!       2  write
//!      14  total
//! ```
//!
//! Every process and thread of the program is counted, from its first instruction (the
//! dynamic loader's calls included). Each counted call runs unchanged, after a single
//! ptrace stop.
//!
//! The handler chooses the calls that stop at run time ([`Linux::interest`]): every call
//! of the table, or only those `--syscalls` lists (shown even when their count is 0), and
//! the others run without stopping. It takes each call through [`Linux::syscall`], by
//! name, instead of overriding one method per syscall. The clock calls that the vDSO
//! answers (`clock_gettime`, `gettimeofday`, `time`, `clock_getres`, `getcpu`) are left
//! out: trapping them makes the runtime hide the vDSO, which would change the program's
//! calls instead of counting them.

use interpose::{Command, Interest, Linux, SYSCALLS, SysResult, Syscall, SyscallInfo, Tracee};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;

const NAME: &str = "count";
const USAGE: &str = "usage: count [--syscalls NAME,NAME,...] PROGRAM [ARGS...]";

/// The calls the vDSO answers without entering the kernel.
const VDSO_CALLS: &[&str] = &[
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "getcpu",
];

/// Counts calls by syscall name.
struct Counter {
    /// The calls to count: they, and only they, stop.
    counted: BTreeSet<&'static str>,
    /// Whether the table lists the counted calls that were never made.
    show_zeros: bool,
    counts: RefCell<BTreeMap<&'static str, u64>>,
}

impl Counter {
    /// The table, most frequent first (ties by name), with a total line.
    fn table(&self) -> String {
        let mut counts = self.counts.borrow().clone();
        if self.show_zeros {
            for &name in &self.counted {
                counts.entry(name).or_default();
            }
        }
        let mut rows: Vec<(&str, u64)> = counts.into_iter().collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let total: u64 = rows.iter().map(|(_, n)| n).sum();
        let mut table = format!("{:>7}  syscall\n", "calls");
        for (name, n) in rows {
            table.push_str(&format!("{n:>7}  {name}\n"));
        }
        table.push_str(&format!("{total:>7}  total\n"));
        table
    }
}

#[interpose::handler]
impl Linux for Counter {
    fn interest(&self) -> Interest {
        Interest::from_names(self.counted.iter().copied())
    }

    async fn syscall(&self, t: &mut Tracee, call: Syscall) -> SysResult {
        // Only the calls of the interest arrive (and i386 calls, which have no name here).
        if let Some(info) = call.info() {
            *self.counts.borrow_mut().entry(info.name).or_default() += 1;
        }
        t.pass(call)
    }
}

/// The parsed command line.
struct Options {
    only: Option<BTreeSet<&'static str>>,
    program: OsString,
    args: Vec<OsString>,
}

fn parse_args(mut args: impl Iterator<Item = OsString>) -> Result<Options, String> {
    let mut only = None;
    let program = loop {
        let Some(arg) = args.next() else {
            return Err("no program given".into());
        };
        match arg.to_str() {
            Some("--syscalls") => {
                let list = args
                    .next()
                    .and_then(|v| v.into_string().ok())
                    .ok_or("--syscalls needs a comma-separated list of names")?;
                let names: &mut BTreeSet<_> = only.get_or_insert_default();
                for name in list.split(',').filter(|n| !n.is_empty()) {
                    names.insert(countable(name)?.name);
                }
            }
            Some("-h" | "--help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            Some("--") => break args.next().ok_or("no program given")?,
            Some(flag) if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ => break arg,
        }
    };
    Ok(Options {
        only,
        program,
        args: args.collect(),
    })
}

/// The table's entry for `name`, unless it is a call the vDSO answers.
fn countable(name: &str) -> Result<&'static SyscallInfo, String> {
    let info = Syscall::by_name(name).ok_or_else(|| format!("no syscall is named {name}"))?;
    if VDSO_CALLS.contains(&info.name) {
        return Err(format!(
            "{name} is not counted: the vDSO answers it (also {})",
            VDSO_CALLS.join(" ")
        ));
    }
    Ok(info)
}

fn main() {
    let options = match parse_args(std::env::args_os().skip(1)) {
        Ok(options) => options,
        Err(problem) => {
            eprintln!("{NAME}: {problem}; {USAGE}");
            std::process::exit(2);
        }
    };
    let counter = Counter {
        show_zeros: options.only.is_some(),
        counted: options.only.unwrap_or_else(|| {
            SYSCALLS
                .iter()
                .map(|s| s.name)
                .filter(|name| !VDSO_CALLS.contains(name))
                .collect()
        }),
        counts: RefCell::default(),
    };
    let outcome = Command::new(&options.program)
        .args(&options.args)
        .shield_interrupts(true)
        .trace(counter);
    match outcome {
        Ok(outcome) => {
            eprint!("{}", outcome.handler.table());
            interpose::exit_like(outcome.status)
        }
        Err(err) => {
            eprintln!("{NAME}: {err}");
            std::process::exit(err.exit_code());
        }
    }
}

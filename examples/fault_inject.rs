//! Runs a program and tampers with its syscalls as strace's `-e inject=` does, to see how it
//! copes with errors that are hard to cause for real (a failing disk, a full file system,
//! a short write), through the library's [`interpose::inject`] rules.
//!
//! ```text
//! cargo run --example fault_inject -- -e RULE [-e RULE]... PROGRAM [ARGS...]
//! cargo run --example fault_inject -- -e inject=copy_file_range:error=EIO:when=1 \
//!     -e 'inject=write:error=EIO:when=1:if=fd!=2' cp notes.txt copy.txt
//! cargo run --example fault_inject -- -e 'inject=openat:error=EACCES:if=pathname~/etc/*' cat /etc/hostname
//! ```
//!
//! Each RULE is `inject=SET:ACTION...[:when=...][:if=...]` or `fault=SET:...`, as the
//! `interpose` command takes them: `error=ERRNO` or `retval=N`, `signal=SIG`,
//! `delay_enter=T`, `delay_exit=T`, `syscall=NAME`; `when=FIRST[..LAST][+[STEP]]` counts
//! the matching calls per syscall and per thread; `if=ARG OP VALUE` tests an argument by
//! its `syscalls.toml` name (`=`, `!=`, `~` glob, `&` flags). The first rule that hits a
//! call decides it; the others run unchanged. Only the calls of the rules' sets stop.
//!
//! At exit, a line per rule on stderr says how many calls it matched and tampered with.

use interpose::Command;
use interpose::inject::{Injector, Rule};
use std::ffi::OsString;

const NAME: &str = "fault_inject";
const USAGE: &str = "usage: fault_inject -e RULE [-e RULE]... PROGRAM [ARGS...] \
                     (RULE: inject=SET:error=ERRNO[:when=N][:if=ARG=VALUE]..., or fault=SET:...)";

/// The parsed command line.
struct Options {
    rules: Vec<Rule>,
    program: OsString,
    args: Vec<OsString>,
}

fn parse_args(mut args: impl Iterator<Item = OsString>) -> Result<Options, String> {
    let mut rules = Vec::new();
    let program = loop {
        let Some(arg) = args.next() else {
            return Err("no program given".into());
        };
        match arg.to_str() {
            Some("-e") => {
                let expr = args
                    .next()
                    .and_then(|v| v.into_string().ok())
                    .ok_or("-e needs a rule")?;
                rules.push(Rule::parse(&expr).map_err(|e| e.to_string())?);
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
    if rules.is_empty() {
        return Err("no -e rule given".into());
    }
    Ok(Options {
        rules,
        program,
        args: args.collect(),
    })
}

fn main() {
    let options = match parse_args(std::env::args_os().skip(1)) {
        Ok(options) => options,
        Err(problem) => {
            eprintln!("{NAME}: {problem}; {USAGE}");
            std::process::exit(2);
        }
    };
    let outcome = Command::new(&options.program)
        .args(&options.args)
        .shield_interrupts(true)
        .trace(Injector::new(options.rules));
    match outcome {
        Ok(outcome) => {
            let injector = &outcome.handler;
            for (index, rule) in injector.rules().iter().enumerate() {
                let tally = injector.tally(index);
                eprintln!(
                    "{NAME}: {rule}: tampered with {} of {} matching calls",
                    tally.tampered, tally.matched
                );
            }
            interpose::exit_like(outcome.status)
        }
        Err(err) => {
            eprintln!("{NAME}: {err}");
            std::process::exit(err.exit_code());
        }
    }
}

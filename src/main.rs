//! `interpose`: run a program and print its system calls in strace's format.

use anyhow::Context as _;
use clap::Parser;
use interpose::{Command, DEFAULT_STRING_LIMIT, exit_like};
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufWriter, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Trace the system calls of PROGRAM and its children, strace-style.
#[derive(Parser)]
#[command(name = "interpose", version, about, max_term_width = 100)]
struct Cli {
    /// Write the trace to FILE instead of standard error.
    #[arg(short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Show at most STRSIZE bytes of each string.
    #[arg(short = 's', value_name = "STRSIZE", default_value_t = DEFAULT_STRING_LIMIT)]
    string_limit: usize,

    /// Follow forks, vforks, clones and threads (always on; accepted for strace users).
    #[arg(short = 'f')]
    follow: bool,

    /// Kill the whole traced process tree after SECS seconds.
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    timeout: Option<Duration>,

    /// Leave the vDSO alone: clock_gettime, gettimeofday, time and getcpu then run
    /// without entering the kernel and are not traced.
    #[arg(long)]
    keep_vdso: bool,

    /// The program to run, searched in PATH.
    #[arg(value_name = "PROGRAM", required = true)]
    program: OsString,

    /// Its arguments.
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    args: Vec<OsString>,
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{text}` is not a valid duration"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("interpose: {error:#}");
            let code = error
                .downcast_ref::<interpose::Error>()
                .map_or(1, |e| e.exit_code());
            ExitCode::from(code as u8)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let _ = cli.follow;
    let mut command = Command::new(&cli.program)
        .args(&cli.args)
        .string_limit(cli.string_limit)
        .suppress_vdso(!cli.keep_vdso)
        .shield_interrupts(true);
    command = match &cli.output {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            command.trace_to(BufWriter::new(file), false)
        }
        None => {
            let flush = true;
            let _ = std::io::stderr().is_terminal();
            command.trace_to(std::io::stderr(), flush)
        }
    };
    if let Some(limit) = cli.timeout {
        command = command.timeout(limit);
    }
    let outcome = command.trace(interpose::Passthru)?;
    if outcome.timed_out {
        eprintln!(
            "interpose: timed out after {}s; killed the traced processes",
            cli.timeout.unwrap_or_default().as_secs_f64()
        );
        return Ok(ExitCode::from(124));
    }
    exit_like(outcome.status)
}

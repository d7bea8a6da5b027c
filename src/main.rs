//! `interpose`: run a program and print its system calls in strace's format.

use anyhow::Context as _;
use clap::Parser;
use interpose::{Attach, Command, DEFAULT_STRING_LIMIT, Passthru, Pid, exit_like};
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Trace the system calls of PROGRAM and its children, strace-style.
#[derive(Parser)]
#[command(
    name = "interpose",
    version,
    about,
    max_term_width = 100,
    after_help = "Signals: SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM and SIGPIPE \
sent to interpose from outside are passed to the traced program, which decides what they do; \
interpose then exits as the program did. Signals the program sends to its own process group \
are not passed on twice. If the program is still running 2 seconds after a signal was passed \
on, another SIGTERM or SIGHUP kills the whole traced tree."
)]
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

    /// Attach to the running process PID (and its threads) instead of starting a program.
    #[arg(short = 'p', value_name = "PID", conflicts_with = "program")]
    pid: Option<i32>,

    /// The program to run, searched in PATH.
    #[arg(value_name = "PROGRAM", required_unless_present = "pid")]
    program: Option<OsString>,

    /// Its arguments.
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    args: Vec<OsString>,
}

/// How long the program has to end after a signal passed on to it, before another
/// SIGTERM or SIGHUP kills the traced tree.
const TERMINATION_GRACE: Duration = Duration::from_secs(2);

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
        // The library's errors are one complete line; others carry their context chain.
        Err(error) => match error.downcast_ref::<interpose::Error>() {
            Some(e) => {
                eprintln!("interpose: {e}");
                ExitCode::from(e.exit_code() as u8)
            }
            None => {
                eprintln!("interpose: {error:#}");
                ExitCode::from(1)
            }
        },
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let _ = cli.follow;
    let (out, flush): (Box<dyn Write>, bool) = match &cli.output {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            (Box::new(BufWriter::new(file)), false)
        }
        None => (Box::new(std::io::stderr()), true),
    };
    let outcome = match (cli.pid, &cli.program) {
        (Some(pid), _) => {
            let mut attach = Attach::new(Pid::from_raw(pid))
                .detach_on_interrupt(true)
                .string_limit(cli.string_limit)
                .trace_to(out, flush);
            if let Some(limit) = cli.timeout {
                attach = attach.timeout(limit);
            }
            attach.trace(Passthru)?
        }
        (None, Some(program)) => {
            let mut command = Command::new(program)
                .args(&cli.args)
                .string_limit(cli.string_limit)
                .suppress_vdso(!cli.keep_vdso)
                .forward_signals(TERMINATION_GRACE)
                .trace_to(out, flush);
            if let Some(limit) = cli.timeout {
                command = command.timeout(limit);
            }
            command.trace(Passthru)?
        }
        (None, None) => unreachable!("clap requires PROGRAM unless -p is given"),
    };
    if let Some(signal) = outcome.interrupted_by {
        if let Some(pid) = cli.pid {
            eprintln!("interpose: detached from pid {pid}");
            return Ok(ExitCode::SUCCESS);
        }
        // The traced tree is gone; end as the signal would have ended us.
        exit_like(std::process::ExitStatus::from_raw(signal));
    }
    if outcome.timed_out {
        eprintln!(
            "interpose: timed out after {}s; killed the traced processes",
            cli.timeout.unwrap_or_default().as_secs_f64()
        );
        return Ok(ExitCode::from(124));
    }
    exit_like(outcome.status)
}

//! `interpose`: run a program and print its system calls in strace's format.

use anyhow::Context as _;
use clap::{ArgAction, ArgMatches, CommandFactory, FromArgMatches, Parser};
use interpose::events::Sink;
use interpose::fds::{DecodeFds, FdTable};
use interpose::inject::{Injector, ParseError, Rule};
use interpose::output::SharedWriter;
use interpose::output::count::Count;
use interpose::output::filter::{Filtered, Selection, SelectionError, Status, TAMPERING_KEYS};
use interpose::output::json::JsonLines;
use interpose::output::summary::SortBy;
use interpose::output::text::{ColorChoice, PidPrefix, Quiet, StraceText, TextOptions, Timestamps};
use interpose::render::{ConstStyle, StringStyle};
use interpose::{Attach, Command, DEFAULT_STRING_LIMIT, Daemonize, Pid, exit_like};
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// How long the program has to end after a signal passed on to it, before another
/// SIGTERM or SIGHUP kills the traced tree.
const TERMINATION_GRACE: Duration = Duration::from_secs(2);

/// Trace the system calls of PROGRAM and its children, strace-style.
///
/// Options end at PROGRAM: everything after it is the program's.
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
    /// Write the trace to FILE instead of standard error (with -ff, to FILE.PID per process).
    #[arg(short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Append to the -o file instead of truncating it.
    #[arg(short = 'A')]
    append: bool,

    /// Show at most STRSIZE bytes of each string.
    #[arg(short = 's', value_name = "STRSIZE", default_value_t = DEFAULT_STRING_LIMIT)]
    string_limit: usize,

    /// Follow forks, vforks, clones and threads (always on); -ff: with -o, one file per
    /// process, FILE.PID.
    #[arg(short = 'f', action = ArgAction::Count)]
    follow: u8,

    /// -q: suppress messages about attaching and detaching; -qq: also the
    /// `+++ exited with N +++` lines.
    #[arg(short = 'q', action = ArgAction::Count)]
    quiet: u8,

    /// A qualifying expression, as strace's: trace=SET (also bare SET; `%file`, `/REGEX`,
    /// `!`, `?`; several accumulate), signal=SET, status=SET (successful, failed,
    /// unfinished, detached), trace-fds=SET, quiet=SET, abbrev=SET, verbose=SET, raw=SET;
    /// inject=/fault= rules tamper with calls. Calls outside the selection run with no
    /// stop at all (a seccomp prefilter): with -e trace=, -e trace-fds= or -P (also with
    /// -c), only the chosen calls stop; otherwise every call stops at entry and exit.
    /// read=SET and write=SET dump in hex the data read from and written to those file
    /// descriptors; decode-fds=SET is --decode-fds.
    #[arg(short = 'e', value_name = "EXPR", action = ArgAction::Append)]
    exprs: Vec<String>,

    /// Trace only the calls that touch PATH: a path argument equal to it, or a descriptor
    /// open on it. Repeatable.
    #[arg(short = 'P', value_name = "PATH", action = ArgAction::Append)]
    paths: Vec<PathBuf>,

    /// Show only the calls that returned without an error (-e status=successful).
    #[arg(short = 'z', action = ArgAction::Count)]
    successful_only: u8,

    /// Show only the calls that returned an error (-e status=failed).
    #[arg(short = 'Z', action = ArgAction::Count)]
    failed_only: u8,

    /// Show the path of each file descriptor, `read(3</etc/hostname>, ...)`
    /// (--decode-fds=path); -yy: also sockets' protocols and addresses, devices' numbers
    /// and pidfds' processes (--decode-fds=all).
    #[arg(short = 'y', action = ArgAction::Count)]
    decode_fds_count: u8,

    /// What to show of file descriptors: path, socket, dev, pidfd (comma-separated), all
    /// or none; without SET, path.
    #[arg(
        long = "decode-fds",
        value_name = "SET",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "path"
    )]
    decode_fds: Option<String>,

    /// Show structures (stat, statx, rusage, uname, termios) with every field, and
    /// execve's argv and environment in full (-e abbrev=none).
    #[arg(short = 'v', action = ArgAction::Count)]
    unabbreviated: u8,

    /// Prefix each line with the time of day; -tt: with microseconds; -ttt: seconds since
    /// the epoch, with microseconds.
    #[arg(short = 't', action = ArgAction::Count)]
    timestamps: u8,

    /// Prefix each line with the time since the previous line.
    #[arg(short = 'r')]
    relative: bool,

    /// Show the time spent in each syscall, `<0.000012>`.
    #[arg(short = 'T')]
    durations: bool,

    /// Print non-ASCII strings in hex; -xx: every string in hex.
    #[arg(short = 'x', action = ArgAction::Count)]
    hex: u8,

    /// How named constants are shown: abbrev (by name, the default), raw (as numbers) or
    /// verbose (numbers, then the names in a comment).
    #[arg(
        short = 'X',
        long = "const-print-style",
        value_name = "FORMAT",
        default_value = "abbrev",
        value_parser = str::parse::<ConstStyle>
    )]
    constants: ConstStyle,

    /// Count time, calls and errors per syscall and print a summary at the end, instead of
    /// the trace.
    #[arg(short = 'c')]
    count: bool,

    /// Like -c, but also print the trace.
    #[arg(short = 'C')]
    count_and_trace: bool,

    /// Sort the -c summary by SORTBY: time, calls, errors, name or nothing.
    #[arg(short = 'S', value_name = "SORTBY", value_parser = parse_sort_by)]
    sort_by: Option<SortBy>,

    /// In the -c summary, measure each syscall's wall-clock time instead of system time.
    #[arg(short = 'w')]
    wall_clock: bool,

    /// Write the trace as JSON lines, one object per event (docs/JSON.md), instead of
    /// strace's text.
    #[arg(long, conflicts_with_all = ["count", "count_and_trace"])]
    json: bool,

    /// Colour the trace: auto (when it goes to a terminal and NO_COLOR is not set), always
    /// (even into a file, and despite NO_COLOR), or never.
    #[arg(
        long,
        value_name = "WHEN",
        default_value = "auto",
        value_parser = str::parse::<ColorChoice>
    )]
    color: ColorChoice,

    /// Run the tracer beside the program instead of above it: the program keeps the pid
    /// and the parent it would have untraced (its parent sees its exit status directly).
    /// -DD: the tracer in a process group of its own; -DDD: in a session of its own.
    #[arg(short = 'D', action = ArgAction::Count, conflicts_with = "pid")]
    daemonize: u8,

    /// Kill the whole traced process tree after SECS seconds.
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    timeout: Option<Duration>,

    /// Leave the vDSO alone: clock_gettime, gettimeofday, time and getcpu then run
    /// without entering the kernel and are not traced.
    #[arg(long)]
    keep_vdso: bool,

    /// Attach to the running process PID (and its threads) instead of starting a program.
    /// ptrace (the default), ebpf (observe with eBPF, no stops: root only), or auto (ebpf
    /// when the run only observes and the machine allows it, else ptrace, saying why)
    #[arg(long, value_name = "BACKEND", default_value = "ptrace", value_parser = parse_backend)]
    backend: Backend,

    #[arg(short = 'p', value_name = "PID", conflicts_with = "command")]
    pid: Option<i32>,

    /// The program to run, searched in PATH, and its arguments.
    #[arg(
        value_name = "PROGRAM [ARGS]",
        required_unless_present = "pid",
        trailing_var_arg = true,
        num_args = 1..
    )]
    command: Vec<OsString>,
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{text}` is not a valid duration"))
}

/// Where the events come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Ptrace,
    Ebpf,
    Auto,
}

fn parse_backend(text: &str) -> Result<Backend, String> {
    match text {
        "ptrace" => Ok(Backend::Ptrace),
        "ebpf" => Ok(Backend::Ebpf),
        "auto" => Ok(Backend::Auto),
        _ => Err(format!("`{text}` is not a backend (ptrace, ebpf, auto)")),
    }
}

/// What in this run needs ptrace (the eBPF backend only observes a program it starts).
fn needs_ptrace(cli: &Cli, inject_exprs: &[String]) -> Option<&'static str> {
    if !inject_exprs.is_empty() {
        Some("-e inject changes calls")
    } else if cli.pid.is_some() {
        Some("-p attaches to a running process")
    } else if cli.daemonize > 0 {
        Some("-D runs the tracer beside the program")
    } else {
        None
    }
}

/// Whether this run uses the eBPF backend; `auto` says in one line why not.
fn use_ebpf(cli: &Cli, inject_exprs: &[String]) -> anyhow::Result<bool> {
    let needs = needs_ptrace(cli, inject_exprs);
    match cli.backend {
        Backend::Ptrace => Ok(false),
        Backend::Ebpf => match needs {
            Some(why) => Err(UsageError(format!("--backend ebpf only observes: {why}")).into()),
            None => Ok(true),
        },
        Backend::Auto => {
            let why = needs
                .map(|why| format!("{why} (needs ptrace)"))
                .or_else(interpose::ebpf::unavailable);
            match why {
                Some(why) => {
                    say(format_args!("--backend auto: using ptrace: {why}"));
                    Ok(false)
                }
                None => Ok(true),
            }
        }
    }
}

/// A combination of flags that cannot work: one line, exit 2.
#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn parse_sort_by(text: &str) -> Result<SortBy, String> {
    text.parse()
}

/// Writes one line to stderr; a closed stderr is not worth a panic.
fn say(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "interpose: {message}");
}

fn main() -> ExitCode {
    // The matches give the order of -e, -z, -Z and -v, which strace applies in turn.
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match run(&cli, &matches) {
        Ok(code) => code,
        // The library's errors are one complete line; others carry their context chain.
        Err(error) => match error.downcast_ref::<interpose::Error>() {
            Some(e) => {
                say(format_args!("{e}"));
                ExitCode::from(e.exit_code() as u8)
            }
            // A bad -e is a usage error.
            None if error.is::<SelectionError>()
                || error.is::<ParseError>()
                || error.is::<UsageError>() =>
            {
                say(format_args!("{error}"));
                ExitCode::from(2)
            }
            None => {
                say(format_args!("{error:#}"));
                ExitCode::from(1)
            }
        },
    }
}

/// Where the trace goes: the -o file (buffered), or stderr (a line at a time).
fn destination(cli: &Cli) -> anyhow::Result<(Box<dyn Write>, bool)> {
    Ok(match &cli.output {
        Some(path) => {
            let file = File::options()
                .write(true)
                .create(true)
                .append(cli.append)
                .truncate(!cli.append)
                .open(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            (Box::new(BufWriter::new(file)), false)
        }
        None => (Box::new(std::io::stderr()), true),
    })
}

/// What -e, -P, -z, -Z, -v and -q select, applied in the order given; and the -e values
/// that are tampering rules (inject=, fault=), left for the injection engine.
fn selection(cli: &Cli, matches: &ArgMatches) -> Result<(Selection, Vec<String>), SelectionError> {
    // Flags not given have a default value, and an index for it: only those given count.
    let given = |id: &str| {
        let given = matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
        let indices = matches.indices_of(id).into_iter().flatten();
        indices.filter(move |_| given)
    };
    // (index, flag, its -e value)
    let mut options: Vec<(usize, char, &str)> = given("exprs")
        .zip(&cli.exprs)
        .map(|(i, expr)| (i, 'e', expr.as_str()))
        .collect();
    options.extend(given("successful_only").map(|i| (i, 'z', "")));
    options.extend(given("failed_only").map(|i| (i, 'Z', "")));
    options.extend(given("unabbreviated").map(|i| (i, 'v', "")));
    options.sort_by_key(|&(index, _, _)| index);
    let mut selection = Selection::new();
    let mut inject_exprs = Vec::new();
    for (_, flag, expr) in options {
        let key = expr.split_once('=').map(|(key, _)| key);
        match flag {
            'z' => selection.only_status(Status::Successful),
            'Z' => selection.only_status(Status::Failed),
            'v' => selection.qualify("abbrev=none")?,
            _ if key.is_some_and(|key| TAMPERING_KEYS.contains(&key)) => {
                inject_exprs.push(expr.to_string());
            }
            _ => selection.qualify(expr)?,
        }
    }
    if cli.successful_only + cli.failed_only > 1 {
        say(format_args!(
            "only the last of -z and -Z takes effect; -e status= chooses several statuses"
        ));
    }
    selection.quiet_count(cli.quiet)?;
    for path in &cli.paths {
        if let Some(real) = selection.trace_path(path)
            && !selection.quiet().path_resolution
        {
            say(format_args!(
                "Requested path {:?} resolved into {:?}",
                path.display().to_string(),
                real.display().to_string()
            ));
        }
    }
    Ok((selection, inject_exprs))
}

/// `sink`, behind a filter when the selection leaves something out.
fn select<S: Sink + 'static>(sink: S, selection: &Selection) -> Box<dyn Sink> {
    if selection.filters() {
        Box::new(Filtered::new(sink, selection.clone()))
    } else {
        Box::new(sink)
    }
}

/// The observers the flags ask for: the strace text, the -c table.
fn sinks(cli: &Cli, selection: &Selection) -> anyhow::Result<Vec<Box<dyn Sink>>> {
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    // -ff -o FILE: the trace goes to FILE.PID files and FILE itself is never created;
    // the summary goes to stderr, as strace does.
    let separate = cli.follow >= 2 && cli.output.is_some();
    let (out, flush) = if separate {
        (Box::new(std::io::stderr()) as Box<dyn Write>, true)
    } else {
        destination(cli)?
    };
    // The summary goes where the trace goes; after it, with -C.
    let out = SharedWriter::new(out);
    // -y: the descriptor table, a sink of its own that sees every call changing it
    // (whatever -e trace= shows), before the sinks that read it.
    let decode = match &cli.decode_fds {
        Some(spec) => DecodeFds::parse(spec).map_err(|_| SelectionError::Invalid {
            what: "decode-fds",
            token: spec.clone(),
        })?,
        None => selection
            .decode_fds()
            .unwrap_or(DecodeFds::from_count(cli.decode_fds_count)),
    };
    let fds = (decode.any() && !cli.count).then(|| FdTable::new(decode));
    if let Some(table) = &fds {
        sinks.push(Box::new(table.clone()));
    }
    if cli.json {
        // One stream to -o FILE even with -ff: every object names its pid and tid.
        let (out, flush) = if separate {
            destination(cli)?
        } else {
            (Box::new(out) as Box<dyn Write>, flush)
        };
        let mut json = JsonLines::new(out, flush, cli.string_limit);
        if let Some(table) = fds {
            json = json.with_fds(table);
        }
        let json = select(json, selection);
        sinks.push(Box::new(json));
        return Ok(sinks);
    }
    if !cli.count {
        let to_terminal = cli.output.is_none() && std::io::stderr().is_terminal();
        let options = TextOptions {
            string_limit: cli.string_limit,
            strings: StringStyle::from_count(cli.hex),
            constants: cli.constants,
            // strace -f -o FILE names the pid on every line; on stderr, once there are two.
            prefix: match cli.output {
                Some(_) => PidPrefix::Always,
                None => PidPrefix::WhenMany,
            },
            quiet: Quiet::from_count(cli.quiet),
            timestamps: Timestamps::from_count(cli.timestamps),
            relative: cli.relative,
            durations: cli.durations,
            color: cli.color.enabled(to_terminal),
            flush_each_line: flush,
            fds,
            ..TextOptions::default()
        };
        let options = selection.text_options(options);
        let text = match &cli.output {
            Some(path) if separate => StraceText::per_process(path, cli.append, options),
            _ => StraceText::with_options(Box::new(out.clone()), options),
        };
        sinks.push(select(text, selection));
    }
    if cli.count || cli.count_and_trace {
        let sort_by = cli.sort_by.unwrap_or_default();
        let count = Count::new(Box::new(out), sort_by).wall_clock(cli.wall_clock);
        // strace -c counts a call whatever its status.
        sinks.push(select(count, &selection.without_status()));
    }
    Ok(sinks)
}

fn run(cli: &Cli, matches: &ArgMatches) -> anyhow::Result<ExitCode> {
    let (selection, inject_exprs) = selection(cli, matches)?;
    // -e inject=/fault=: every call of their sets stops, and the rules decide it.
    let rules = inject_exprs
        .iter()
        .map(|expr| Rule::parse(expr))
        .collect::<Result<Vec<_>, _>>()?;
    let injector = Injector::new(rules);
    let ebpf = use_ebpf(cli, &inject_exprs)?;
    let sinks = sinks(cli, &selection)?;
    let outcome = match (cli.pid, cli.command.split_first()) {
        (None, Some((program, args))) if ebpf => {
            let mut command = Command::new(program)
                .args(args)
                .string_limit(cli.string_limit)
                .keep_closed_stdio(true);
            for sink in sinks {
                command = command.sink(sink);
            }
            if let Some(limit) = cli.timeout {
                command = command.timeout(limit);
            }
            command.observe(interpose::ebpf::DEFAULT_RING_BYTES)?
        }
        (Some(pid), _) => {
            let mut attach = Attach::new(Pid::from_raw(pid))
                .detach_on_interrupt(true)
                .string_limit(cli.string_limit);
            for sink in sinks {
                attach = attach.sink(sink);
            }
            if let Some(limit) = cli.timeout {
                attach = attach.timeout(limit);
            }
            without_handler(attach.trace(injector)?)
        }
        (None, Some((program, args))) => {
            let mut command = Command::new(program)
                .args(args)
                .string_limit(cli.string_limit)
                .suppress_vdso(!cli.keep_vdso)
                .forward_signals(TERMINATION_GRACE)
                .keep_closed_stdio(true);
            for sink in sinks {
                command = command.sink(sink);
            }
            if let Some(limit) = cli.timeout {
                command = command.timeout(limit);
            }
            command = match cli.daemonize {
                0 => command,
                1 => command.daemonize(Daemonize::Grandchild),
                2 => command.daemonize(Daemonize::ProcessGroup),
                _ => command.daemonize(Daemonize::Session),
            };
            let outcome = command.trace(injector)?;
            if cli.daemonize > 0 {
                // The tracer beside the program: its parent already has the program's
                // status; nobody waits for this process.
                return Ok(ExitCode::SUCCESS);
            }
            without_handler(outcome)
        }
        (None, None) => unreachable!("clap requires PROGRAM unless -p is given"),
    };
    if let Some(error) = &outcome.output_error
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        let reason = match error.raw_os_error() {
            Some(errno) => interpose::Errno::new(errno).description(),
            None => error.to_string(),
        };
        say(format_args!("cannot write the trace: {reason}"));
    }
    if let Some(signal) = outcome.interrupted_by {
        if let Some(pid) = cli.pid {
            // strace -q drops its "Process N detached" too.
            if !selection.quiet().attach {
                say(format_args!("detached from pid {pid}"));
            }
            return Ok(ExitCode::SUCCESS);
        }
        // The traced tree is gone; end as the signal would have ended us.
        exit_like(std::process::ExitStatus::from_raw(signal));
    }
    if outcome.timed_out {
        say(format_args!(
            "timed out after {}s; killed the traced processes",
            cli.timeout.unwrap_or_default().as_secs_f64()
        ));
        return Ok(ExitCode::from(124));
    }
    exit_like(outcome.status)
}

/// The parts of an outcome the command looks at.
fn without_handler<H>(outcome: interpose::Outcome<H>) -> interpose::Outcome<()> {
    interpose::Outcome {
        status: outcome.status,
        handler: (),
        timed_out: outcome.timed_out,
        interrupted_by: outcome.interrupted_by,
        output_error: outcome.output_error,
    }
}

//! Runs a program with some directories off limits and no network.
//!
//! ```text
//! cargo run --example sandbox -- [--deny PREFIX]... PROGRAM [ARGS...]
//! cargo run --example sandbox -- --deny /etc --deny /root cat /etc/hostname
//! ```
//!
//! - Opening a path under a `--deny` prefix (with `open`, `openat`, `openat2` or `creat`)
//!   fails with `EACCES`. Prefixes match whole components: `--deny /etc` covers
//!   `/etc/hostname` but not `/etcx`. Relative paths are resolved against the directory the
//!   call names (the working directory for `AT_FDCWD`, read from `/proc/PID/task/TID/cwd`;
//!   another directory fd from `/proc/PID/task/TID/fd/N`), `..` is folded, and symlinks are
//!   followed as the tracer sees them, so `/tmp/../etc/x` and a link to `/etc` are refused
//!   too.
//! - `socket` fails with `EPERM` for every address family except `AF_UNIX`: the program
//!   cannot reach the network, but local sockets work.
//! - `io_uring_setup` fails with `EPERM`: an io_uring performs I/O without syscalls, out of
//!   the handler's sight. Syscalls made with the i386 ABI (`int 0x80`) fail with `ENOSYS`,
//!   so they cannot reach the calls above under other numbers.
//!
//! The program carries on after a refusal, as it would after any failed call. (With
//! `--deny /etc` the dynamic loader cannot open `/etc/ld.so.cache` either; it then finds
//! libraries in the default directories, so programs still start.)
//!
//! # Limits
//! This is a policy for cooperative programs, not a security boundary against hostile ones:
//! - Time of check to time of use: the path is read from the program's memory and checked,
//!   then the kernel reads it again when the call runs. Another thread of the program can
//!   change the string in between (and a symlink can be swapped after the tracer resolved
//!   it). A sandbox that must hold against that has to emulate the open in the tracer and
//!   hand the program a descriptor, rather than check and pass.
//! - Only opens are checked: `stat`, `execve`, `rename`, `link` and the other path calls
//!   still reach denied paths, and a descriptor opened before the program started (or
//!   passed over a unix socket) can be used freely.
//! - Symlinks that lead through `/proc/self` are resolved against the tracer's own process.

use interpose::args::PathPtr;
use interpose::linux::{AddressFamily, Creat, I386, IoUringSetup, Open, Openat, Openat2, Socket};
use interpose::{Command, Errno, Linux, ReadMemory, SysResult, Tracee};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

const NAME: &str = "sandbox";
const USAGE: &str = "usage: sandbox [--deny PREFIX]... PROGRAM [ARGS...]";

/// Where `resolve` lies in `openat2`'s `struct open_how`.
const OPEN_HOW_RESOLVE: u64 = std::mem::offset_of!(libc::open_how, resolve) as u64;

/// The sandbox policy: the denied path prefixes (absolute, without `..`).
struct Sandbox {
    deny: Vec<PathBuf>,
}

#[interpose::handler]
impl Linux for Sandbox {
    async fn open(&self, t: &mut Tracee, call: Open) -> SysResult {
        self.check_path(t, libc::AT_FDCWD, call.pathname, false)?;
        t.pass(call)
    }

    async fn creat(&self, t: &mut Tracee, call: Creat) -> SysResult {
        self.check_path(t, libc::AT_FDCWD, call.pathname, false)?;
        t.pass(call)
    }

    async fn openat(&self, t: &mut Tracee, call: Openat) -> SysResult {
        self.check_path(t, call.dirfd.0, call.pathname, false)?;
        t.pass(call)
    }

    async fn openat2(&self, t: &mut Tracee, call: Openat2) -> SysResult {
        let resolve: u64 = t.memory().read_pod(call.how.addr + OPEN_HOW_RESOLVE)?;
        // RESOLVE_IN_ROOT: an absolute path starts at `dirfd`, not at `/`.
        let in_root = resolve & libc::RESOLVE_IN_ROOT != 0;
        self.check_path(t, call.dirfd.0, call.pathname, in_root)?;
        t.pass(call)
    }

    async fn socket(&self, t: &mut Tracee, call: Socket) -> SysResult {
        if call.domain != AddressFamily::AF_UNIX {
            return Err(Errno::EPERM);
        }
        t.pass(call)
    }

    async fn io_uring_setup(&self, _: &mut Tracee, _: IoUringSetup) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn i386_syscall(&self, _: &mut Tracee, _: I386) -> SysResult {
        Err(Errno::ENOSYS)
    }
}

impl Sandbox {
    /// `Err(EACCES)` when the path the call names lies under a denied prefix. With
    /// `in_root`, an absolute path is taken relative to `dirfd` (`RESOLVE_IN_ROOT`).
    fn check_path(
        &self,
        t: &Tracee,
        dirfd: i32,
        pathname: PathPtr,
        in_root: bool,
    ) -> Result<(), Errno> {
        let path = pathname.read(t)?;
        let path = match path.strip_prefix("/") {
            Ok(relative) if in_root => relative.to_owned(),
            _ => path,
        };
        let absolute = if path.is_absolute() {
            path
        } else {
            directory_of(t, dirfd)?.join(path)
        };
        if self.is_denied(&absolute) {
            Err(Errno::EACCES)
        } else {
            Ok(())
        }
    }

    /// Whether `path` (absolute) is under a denied prefix by its name or, once symlinks
    /// are followed, by what it leads to.
    fn is_denied(&self, path: &Path) -> bool {
        let lexical = fold_dot_dot(path);
        if self.covers(&lexical) {
            return true;
        }
        real_path(&lexical).is_some_and(|real| self.covers(&real))
    }

    fn covers(&self, path: &Path) -> bool {
        self.deny.iter().any(|prefix| path.starts_with(prefix))
    }
}

/// The directory a relative path of the calling thread starts from: its working directory
/// for `AT_FDCWD`, else the directory open as `dirfd`.
fn directory_of(t: &Tracee, dirfd: i32) -> Result<PathBuf, Errno> {
    let task = format!("/proc/{}/task/{}", t.pid(), t.tid());
    let link = if dirfd == libc::AT_FDCWD {
        format!("{task}/cwd")
    } else {
        format!("{task}/fd/{dirfd}")
    };
    let target = std::fs::read_link(link).map_err(|_| Errno::EBADF)?;
    // A pipe or socket reads as `pipe:[1234]`: not a directory, as the kernel would say.
    if !target.is_absolute() {
        return Err(Errno::new(libc::ENOTDIR));
    }
    Ok(target)
}

/// Removes `.` and folds `..` into the component before it, without touching the disk.
fn fold_dot_dot(path: &Path) -> PathBuf {
    let mut folded = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    folded
}

/// `path` with every symlink followed, or, for a path that does not exist yet (a file
/// about to be created), its parent's real path joined with the last component.
fn real_path(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = std::fs::canonicalize(path) {
        return Some(real);
    }
    let parent = std::fs::canonicalize(path.parent()?).ok()?;
    Some(parent.join(path.file_name()?))
}

/// The parsed command line.
struct Options {
    deny: Vec<PathBuf>,
    program: OsString,
    args: Vec<OsString>,
}

fn parse_args(mut args: impl Iterator<Item = OsString>) -> Result<Options, String> {
    let mut deny = Vec::new();
    let program = loop {
        let Some(arg) = args.next() else {
            return Err("no program given".into());
        };
        match arg.to_str() {
            Some("--deny") => {
                let prefix = args.next().ok_or("--deny needs a path prefix")?;
                deny.extend(deny_prefixes(PathBuf::from(prefix))?);
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
        deny,
        program,
        args: args.collect(),
    })
}

/// A `--deny` prefix as the checks compare it: absolute with `..` folded, and also its real
/// path when that differs (so `--deny /var/run` covers `/run` when one links to the other).
fn deny_prefixes(prefix: PathBuf) -> Result<Vec<PathBuf>, String> {
    if !prefix.is_absolute() {
        return Err(format!(
            "--deny wants an absolute path, got {}",
            prefix.display()
        ));
    }
    let folded = fold_dot_dot(&prefix);
    let mut prefixes = vec![folded.clone()];
    if let Ok(real) = std::fs::canonicalize(&folded)
        && real != folded
    {
        prefixes.push(real);
    }
    Ok(prefixes)
}

fn main() {
    let options = match parse_args(std::env::args_os().skip(1)) {
        Ok(options) => options,
        Err(problem) => {
            eprintln!("{NAME}: {problem}; {USAGE}");
            std::process::exit(2);
        }
    };
    let sandbox = Sandbox { deny: options.deny };
    let outcome = Command::new(&options.program)
        .args(&options.args)
        .shield_interrupts(true)
        .trace(sandbox);
    match outcome {
        Ok(outcome) => interpose::exit_like(outcome.status),
        Err(err) => {
            eprintln!("{NAME}: {err}");
            std::process::exit(err.exit_code());
        }
    }
}

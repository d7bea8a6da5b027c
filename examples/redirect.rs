//! Runs a program with some paths redirected elsewhere, like a bind mount made of path
//! rewriting: with `--map /data=/tmp/x`, the program's `/data/file` is `/tmp/x/file`.
//!
//! ```text
//! cargo run --example redirect -- --map FROM=TO [--map FROM=TO]... PROGRAM [ARGS...]
//! cargo run --example redirect -- --map /data=/tmp/x cat /data/file     # reads /tmp/x/file
//! ```
//!
//! The path argument of `open`, `openat`, `creat`, `stat`, `lstat`, `newfstatat`, `statx`,
//! `statfs`, `access`, `faccessat`, `faccessat2`, `readlink`, `readlinkat`, `getxattr`,
//! `lgetxattr`, `listxattr`, `llistxattr`, `chdir` and `execve` is rewritten when it starts
//! with a `FROM` (whole components: `/data` maps `/data/file`, not `/database`); the
//! longest matching `FROM` wins. `FROM` and `TO` are absolute.
//!
//! How: the kernel reads the path from the program's memory, so the new path must be
//! there. The handler writes it onto the calling thread's stack, 4 KiB below the stack
//! pointer (far below the 128-byte red zone the program may be using, so nothing live is
//! overwritten), points the call's path argument at it, and lets the call run. The program
//! never sees the change: its own string is untouched.
//!
//! # Limits
//! - Paths are matched as the program wrote them: a relative path, or one reaching a
//!   `FROM` through `..` or a symlink, is not redirected.
//! - `..` after a `FROM` leads into the parent of `TO` (`/data/..` is `/tmp`), not the
//!   parent of `FROM`.
//! - Calls not listed above (`unlinkat`, `mkdirat`, `renameat2`, ...) see the original
//!   paths. PROGRAM itself is looked up before tracing starts, so it cannot be a mapped
//!   path (the programs it runs can).
//! - Where the stack is nearly exhausted (a thread's stack mapping ends less than about
//!   4 KiB below its stack pointer) the path cannot be written, and the call fails with
//!   `EFAULT`.
//! - A call that blocks (an `open` of a FIFO), is interrupted by a signal handler and then
//!   restarted reads the path again from the stack, where the handler's frame may have
//!   overwritten it.

use interpose::args::PathPtr;
use interpose::linux::{
    Access, Chdir, Creat, Execve, Faccessat, Faccessat2, Getxattr, Lgetxattr, Listxattr,
    Llistxattr, Lstat, Newfstatat, Open, Openat, Readlink, Readlinkat, Stat, Statfs, Statx,
};
use interpose::{Command, Errno, Linux, SysResult, Tracee};
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

const NAME: &str = "redirect";
const USAGE: &str = "usage: redirect --map FROM=TO [--map FROM=TO]... PROGRAM [ARGS...]";

/// The longest path the kernel accepts, `PATH_MAX`, NUL included.
const PATH_MAX: usize = 4096;
/// The gap left between the stack pointer and the rewritten path: well past the 128-byte
/// red zone below `rsp`, which a leaf function may use without moving `rsp`.
const STACK_GAP: u64 = 4096;

/// One `--map FROM=TO`.
struct Mapping {
    from: PathBuf,
    to: PathBuf,
}

/// Rewrites paths under each `from` to the same place under its `to`.
struct Redirect {
    /// Longest `from` first, so the most specific mapping wins.
    mappings: Vec<Mapping>,
}

#[interpose::handler]
impl Linux for Redirect {
    async fn open(&self, t: &mut Tracee, mut call: Open) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn openat(&self, t: &mut Tracee, mut call: Openat) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn creat(&self, t: &mut Tracee, mut call: Creat) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn stat(&self, t: &mut Tracee, mut call: Stat) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn lstat(&self, t: &mut Tracee, mut call: Lstat) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn newfstatat(&self, t: &mut Tracee, mut call: Newfstatat) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn statx(&self, t: &mut Tracee, mut call: Statx) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn access(&self, t: &mut Tracee, mut call: Access) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn faccessat(&self, t: &mut Tracee, mut call: Faccessat) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn faccessat2(&self, t: &mut Tracee, mut call: Faccessat2) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn readlink(&self, t: &mut Tracee, mut call: Readlink) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn readlinkat(&self, t: &mut Tracee, mut call: Readlinkat) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }

    async fn getxattr(&self, t: &mut Tracee, mut call: Getxattr) -> SysResult {
        self.redirect(t, &mut call.path)?;
        t.pass(call)
    }

    async fn lgetxattr(&self, t: &mut Tracee, mut call: Lgetxattr) -> SysResult {
        self.redirect(t, &mut call.path)?;
        t.pass(call)
    }

    async fn listxattr(&self, t: &mut Tracee, mut call: Listxattr) -> SysResult {
        self.redirect(t, &mut call.path)?;
        t.pass(call)
    }

    async fn llistxattr(&self, t: &mut Tracee, mut call: Llistxattr) -> SysResult {
        self.redirect(t, &mut call.path)?;
        t.pass(call)
    }

    async fn statfs(&self, t: &mut Tracee, mut call: Statfs) -> SysResult {
        self.redirect(t, &mut call.path)?;
        t.pass(call)
    }

    async fn chdir(&self, t: &mut Tracee, mut call: Chdir) -> SysResult {
        self.redirect(t, &mut call.path)?;
        t.pass(call)
    }

    async fn execve(&self, t: &mut Tracee, mut call: Execve) -> SysResult {
        self.redirect(t, &mut call.pathname)?;
        t.pass(call)
    }
}

impl Redirect {
    /// If the path at `*path` is mapped, writes the new path into the tracee's stack and
    /// points `*path` at it.
    fn redirect(&self, t: &Tracee, path: &mut PathPtr) -> Result<(), Errno> {
        let original = path.read(t)?;
        let Some(mut new) = self.map(&original) else {
            return Ok(());
        };
        new.push(0);
        if new.len() > PATH_MAX {
            return Err(Errno::new(libc::ENAMETOOLONG));
        }
        let addr = t
            .stack_pointer()?
            .checked_sub(STACK_GAP + new.len() as u64)
            .ok_or(Errno::EFAULT)?
            & !15;
        t.memory().write(addr, &new)?;
        *path = PathPtr(addr);
        Ok(())
    }

    /// The bytes of the path `path` maps to, without the NUL, or `None` if no mapping
    /// covers it.
    fn map(&self, path: &Path) -> Option<Vec<u8>> {
        let mapping = self.mappings.iter().find(|m| path.starts_with(&m.from))?;
        let rest = path.strip_prefix(&mapping.from).ok()?;
        let mut new = if rest.as_os_str().is_empty() {
            mapping.to.clone()
        } else {
            mapping.to.join(rest)
        }
        .into_os_string()
        .into_vec();
        // A trailing `/` says "a directory"; components drop it, so put it back.
        if path.as_os_str().as_bytes().ends_with(b"/") && !new.ends_with(b"/") {
            new.push(b'/');
        }
        Some(new)
    }
}

/// The parsed command line.
struct Options {
    mappings: Vec<Mapping>,
    program: OsString,
    args: Vec<OsString>,
}

fn parse_args(mut args: impl Iterator<Item = OsString>) -> Result<Options, String> {
    let mut mappings = Vec::new();
    let program = loop {
        let Some(arg) = args.next() else {
            return Err("no program given".into());
        };
        match arg.to_str() {
            Some("--map") => {
                let value = args.next().ok_or("--map needs FROM=TO")?;
                mappings.push(parse_mapping(&value)?);
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
    if mappings.is_empty() {
        return Err("no --map given".into());
    }
    mappings.sort_by_key(|m| std::cmp::Reverse(m.from.components().count()));
    Ok(Options {
        mappings,
        program,
        args: args.collect(),
    })
}

/// `FROM=TO`, both absolute.
fn parse_mapping(value: &OsString) -> Result<Mapping, String> {
    let bytes = value.as_bytes();
    let bad = || {
        format!(
            "--map wants FROM=TO with absolute paths, got {}",
            value.display()
        )
    };
    let equals = bytes.iter().position(|&b| b == b'=').ok_or_else(bad)?;
    let path = |b: &[u8]| PathBuf::from(OsString::from_vec(b.to_vec()));
    let (from, to) = (path(&bytes[..equals]), path(&bytes[equals + 1..]));
    if !from.is_absolute() || !to.is_absolute() {
        return Err(bad());
    }
    Ok(Mapping { from, to })
}

fn main() {
    let options = match parse_args(std::env::args_os().skip(1)) {
        Ok(options) => options,
        Err(problem) => {
            eprintln!("{NAME}: {problem}; {USAGE}");
            std::process::exit(2);
        }
    };
    let redirect = Redirect {
        mappings: options.mappings,
    };
    let outcome = Command::new(&options.program)
        .args(&options.args)
        .shield_interrupts(true)
        .trace(redirect);
    match outcome {
        Ok(outcome) => interpose::exit_like(outcome.status),
        Err(err) => {
            eprintln!("{NAME}: {err}");
            std::process::exit(err.exit_code());
        }
    }
}

//! Opening files for a tracee in the tracer, and installing descriptors in the tracee.
//!
//! A sandbox that checks a path and then lets the call run decides on a copy: another
//! thread of the program (or a `userfaultfd` page) can change the string before the kernel
//! reads it, and the kernel resolves it again, through whatever symlinks are there by then.
//! Emulating the open closes both gaps. The handler reads the path once, the tracer opens
//! the file with [`Tracee::open_file`] (the kernel resolves the path once, with `openat2`,
//! from the thread's own root, working directory or directory descriptor, refusing magic
//! links), the policy judges the file the kernel really reached, and
//! [`Tracee::install_fd`] hands the descriptor to the program as the call's result.

//!
//! One module per step: `resolve` (where the path starts and which names are the thread's
//! own), `identity` (whose rights, and the tracer's `/proc` kept out), `create` (a file
//! that did not exist yet), `install` (the descriptor handed over) and `fifo` (the whole
//! open, with the waits a FIFO needs).

mod create;
mod fifo;
mod identity;
mod install;
mod resolve;

use crate::sys::files;
use crate::{Errno, Tracee};
use create::creates;
use fifo::NO_READER_YET;
use identity::tracer_credentials;
use nix::sys::stat::{FileStat, fstat};
use resolve::probe_flags;
use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
/// How [`Tracee::open_file`] opens: what the program's `open`, `openat`, `creat` or
/// `openat2` asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenHow {
    /// The `O_*` flags (`creat` is `O_CREAT|O_WRONLY|O_TRUNC`).
    pub flags: i32,
    /// The mode of a file `O_CREAT` or `O_TMPFILE` makes, before the thread's umask.
    pub mode: u32,
    /// `openat2`'s `RESOLVE_*` flags, kept on top of the tracer's own
    /// (`RESOLVE_NO_MAGICLINKS`).
    pub resolve: u64,
}

/// A policy's verdict on a path: `Err` refuses the open with that errno.
pub type Policy<'a> = &'a mut dyn FnMut(&Path) -> Result<(), Errno>;

impl Tracee {
    /// Opens `path` as this thread's `openat(at, path, how.flags, how.mode)` would, but in
    /// the tracer, and returns the tracer's descriptor for it (to be handed over with
    /// [`install_fd`](Tracee::install_fd)).
    ///
    /// - The kernel resolves `path` once, with `openat2`: an absolute path from the
    ///   thread's root (`/proc/PID/root`, with `RESOLVE_IN_ROOT`), a relative one from its
    ///   working directory or from the directory open as `at` in the program.
    /// - Magic links (`/proc/PID/root`, `/proc/PID/cwd`, `/proc/PID/fd/N` of other
    ///   processes...) are refused with `ELOOP` (`RESOLVE_NO_MAGICLINKS`). The exceptions
    ///   are the thread's own descriptors, named as `/dev/fd/N`, `/dev/stdin` (`stdout`,
    ///   `stderr`), `/proc/self/fd/N`, `/proc/thread-self/fd/N` or `/proc/PID/fd/N`:
    ///   those are reopened from the program's descriptor, as the kernel would.
    ///   `/proc/self` and `/proc/thread-self` name the thread's process, not the tracer.
    /// - `policy` judges the real path of what the kernel reached (as
    ///   `/proc/self/fd/N` reads in the tracer): the file opened, or, before the tracer
    ///   creates a file, the file it is about to create, with every symlink on the way
    ///   (a dangling one included) followed and judged by the kernel one step at a time.
    ///   Paths inside the tracer's own `/proc` entries are refused with `EACCES` before
    ///   the policy is asked.
    /// - A file is created with the thread's umask; the tracer never gains a controlling
    ///   terminal (`O_NOCTTY`); a FIFO is opened without blocking the tracer.
    ///
    /// # Errors
    /// What the kernel's resolution or open returned, the policy's errno, or `EACCES`
    /// when the thread's credentials (uids, gids, groups, capabilities) are not the
    /// tracer's: the tracer would then open with rights the program does not have.
    pub fn open_file(
        &self,
        at: i32,
        path: &[u8],
        how: OpenHow,
        policy: Policy<'_>,
    ) -> Result<OwnedFd, Errno> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let status = self.status()?;
        if status.credentials() != tracer_credentials()? {
            return Err(Errno::EACCES);
        }
        let path = self.name_own_process(path);
        if let Some(fd) = self.own_descriptor(&path) {
            return self.reopen_own(fd, how, policy);
        }
        let start = self.start(at, &path, how.resolve)?;
        let probe = files::openat2(
            start.base.as_fd(),
            &c_path(&path)?,
            probe_flags(how.flags),
            0,
            start.resolve,
        );
        match probe {
            Ok(found) => self.open_found(found, how, policy),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) && creates(how.flags) => {
                self.create(start, path, how, status.umask, policy, 0)
            }
            Err(e) => Err(errno(e)),
        }
    }

    /// Opens the file the probe `found` for what the program asked.
    fn open_found(
        &self,
        found: OwnedFd,
        how: OpenHow,
        policy: Policy<'_>,
    ) -> Result<OwnedFd, Errno> {
        if creates(how.flags) && how.flags & libc::O_EXCL != 0 {
            return Err(Errno::EEXIST);
        }
        self.judge(&real_path(&found)?, policy)?;
        let stat = fstat(&found).map_err(|e| Errno::new(e as i32))?;
        if stat.st_mode & libc::S_IFMT == libc::S_IFLNK && how.flags & libc::O_PATH == 0 {
            // O_NOFOLLOW on a symlink.
            return Err(Errno::new(libc::ELOOP));
        }
        if how.flags & libc::O_PATH != 0 {
            return Ok(found);
        }
        if how.flags & libc::O_TMPFILE == libc::O_TMPFILE {
            let umask = self.status()?.umask;
            let flags = (how.flags & !libc::O_CLOEXEC) as u64;
            let mode = u64::from(how.mode & !umask & 0o7777);
            return files::with_umask_zero(|| {
                files::openat2(found.as_fd(), c".", flags | libc::O_NOCTTY as u64, mode, 0)
            })
            .map_err(errno);
        }
        reopen(&found, how.flags, &stat)
    }
}

/// Opens what the `O_PATH` descriptor `found` refers to, with the program's flags, through
/// the tracer's `/proc/self/fd` (the same inode; the kernel checks the access mode
/// against it as an open would).
pub(super) fn reopen(found: &OwnedFd, flags: i32, stat: &FileStat) -> Result<OwnedFd, Errno> {
    let is_fifo = stat.st_mode & libc::S_IFMT == libc::S_IFIFO;
    let mut flags = flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC);
    flags |= libc::O_NOCTTY;
    let requested = flags;
    if is_fifo {
        flags |= libc::O_NONBLOCK;
    }
    let path = format!("/proc/self/fd/{}", found.as_raw_fd());
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags & !libc::O_ACCMODE)
        .access_mode(flags)
        .open(path)
        .map_err(|e| match e.raw_os_error().unwrap_or(libc::EIO) {
            // A FIFO with no reader yet: open(2) would wait for one.
            libc::ENXIO if is_fifo && requested & libc::O_NONBLOCK == 0 => NO_READER_YET,
            other => Errno::new(other),
        })?;
    let file = OwnedFd::from(file);
    restore_blocking(&file, requested)?;
    Ok(file)
}

/// Sets or clears `O_NONBLOCK` on the open file `file` (shared with its copies).
pub(super) fn set_nonblocking(file: &OwnedFd, on: bool) -> Result<(), Errno> {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    let now = fcntl(file, FcntlArg::F_GETFL).map_err(|e| Errno::new(e as i32))?;
    let mut flags = OFlag::from_bits_retain(now);
    flags.set(OFlag::O_NONBLOCK, on);
    fcntl(file, FcntlArg::F_SETFL(flags)).map_err(|e| Errno::new(e as i32))?;
    Ok(())
}

/// Clears the `O_NONBLOCK` the tracer added, unless the program asked for it.
pub(super) fn restore_blocking(file: &OwnedFd, requested: i32) -> Result<(), Errno> {
    if requested & libc::O_NONBLOCK != 0 {
        return Ok(());
    }
    set_nonblocking(file, false)
}

trait AccessMode {
    fn access_mode(&mut self, flags: i32) -> &mut Self;
}

impl AccessMode for std::fs::OpenOptions {
    /// Sets read/write from `flags & O_ACCMODE`.
    fn access_mode(&mut self, flags: i32) -> &mut Self {
        match flags & libc::O_ACCMODE {
            libc::O_WRONLY => self.read(false).write(true),
            libc::O_RDWR => self.read(true).write(true),
            _ => self.read(true),
        }
    }
}

/// The path the kernel gives for the tracer's descriptor `fd`.
pub(super) fn real_path(fd: &OwnedFd) -> Result<PathBuf, Errno> {
    std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd())).map_err(|_| Errno::EIO)
}

pub(super) fn c_path(path: &[u8]) -> Result<CString, Errno> {
    CString::new(path).map_err(|_| Errno::EINVAL)
}

pub(super) fn errno(e: std::io::Error) -> Errno {
    Errno::new(e.raw_os_error().unwrap_or(libc::EIO))
}

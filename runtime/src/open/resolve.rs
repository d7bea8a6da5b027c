//! Where the kernel resolves a tracee's path from: the thread's root, working directory
//! or directory descriptor, with `/proc/self` and `/dev/fd` spelled as the thread's own,
//! and the thread's own descriptor links recognised.

use super::{OpenHow, Policy, errno, real_path, reopen};
use crate::sys::files;
use crate::{Errno, Tracee};
use nix::sys::stat::fstat;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Where a resolution starts: a directory (owned by the tracer) and the resolve flags that
/// go with a path relative to it.
pub(super) struct Start {
    pub(super) base: OwnedFd,
    pub(super) resolve: u64,
}

impl Tracee {
    /// The tracee's `/proc/PID/task/TID` directory.
    pub(super) fn task_dir(&self) -> String {
        format!("/proc/{}/task/{}", self.pid(), self.tid())
    }

    /// `/proc/self` and `/proc/thread-self` (and `/dev/fd`, `/dev/stdin`... which lead
    /// there) spelled with the thread's own ids, so that the tracer's `/proc` entries are
    /// never what the program reaches.
    pub(super) fn name_own_process(&self, path: &[u8]) -> Vec<u8> {
        let (pid, tid) = (self.pid(), self.tid());
        let own = format!("/proc/{pid}");
        let thread = format!("/proc/{pid}/task/{tid}");
        let replacements: [(&[u8], String); 6] = [
            (b"/proc/self", own.clone()),
            (b"/proc/thread-self", thread),
            (b"/dev/fd", format!("{own}/fd")),
            (b"/dev/stdin", format!("{own}/fd/0")),
            (b"/dev/stdout", format!("{own}/fd/1")),
            (b"/dev/stderr", format!("{own}/fd/2")),
        ];
        for (prefix, replacement) in replacements {
            if let Some(rest) = path.strip_prefix(prefix)
                && (rest.is_empty() || rest.starts_with(b"/"))
            {
                let mut named = replacement.into_bytes();
                named.extend_from_slice(rest);
                return named;
            }
        }
        path.to_vec()
    }

    /// The descriptor number `path` names when it is one of the thread's own descriptor
    /// links: `/proc/PID/fd/N` or `/proc/PID/task/TID/fd/N`, PID or TID this process's.
    pub(super) fn own_descriptor(&self, path: &[u8]) -> Option<i32> {
        let text = std::str::from_utf8(path).ok()?;
        let parts: Vec<&str> = text.strip_prefix("/proc/")?.split('/').collect();
        let (owner, fd) = match parts[..] {
            [owner, "fd", fd] => (owner, fd),
            [pid, "task", tid, "fd", fd] if pid == self.pid().to_string() => (tid, fd),
            _ => return None,
        };
        let owner: i32 = owner.parse().ok()?;
        let ours = owner == self.pid().as_raw()
            || Path::new(&format!("/proc/{}/task/{owner}", self.pid())).exists();
        if !ours {
            return None;
        }
        fd.parse().ok().filter(|fd: &i32| *fd >= 0)
    }

    /// Reopens the program's own descriptor `fd`, as opening `/proc/self/fd/N` does.
    pub(super) fn reopen_own(
        &self,
        fd: i32,
        how: OpenHow,
        policy: Policy<'_>,
    ) -> Result<OwnedFd, Errno> {
        let pidfd = files::pidfd_open(self.pid()).map_err(errno)?;
        let file = files::pidfd_getfd(pidfd.as_fd(), fd).map_err(|e| match errno(e) {
            Errno::EBADF => Errno::ENOENT,
            other => other,
        })?;
        if how.flags & libc::O_CREAT != 0 && how.flags & libc::O_EXCL != 0 {
            return Err(Errno::EEXIST);
        }
        let real = real_path(&file)?;
        // Pipes and sockets read as `pipe:[N]`: no path for a policy to judge.
        if real.is_absolute() {
            self.judge(&real, policy)?;
        }
        let stat = fstat(&file).map_err(|e| Errno::new(e as i32))?;
        reopen(&file, how.flags, &stat)
    }

    /// Where resolving `path` starts, and with which `RESOLVE_*` flags.
    pub(super) fn start(&self, at: i32, path: &[u8], program_resolve: u64) -> Result<Start, Errno> {
        let kept = program_resolve
            & (libc::RESOLVE_BENEATH
                | libc::RESOLVE_IN_ROOT
                | libc::RESOLVE_NO_SYMLINKS
                | libc::RESOLVE_NO_XDEV
                | libc::RESOLVE_CACHED);
        let resolve = kept | libc::RESOLVE_NO_MAGICLINKS;
        let scoped = kept & (libc::RESOLVE_BENEATH | libc::RESOLVE_IN_ROOT) != 0;
        if path.starts_with(b"/") && !scoped {
            return Ok(Start {
                base: open_directory(&format!("{}/root", self.task_dir()))?,
                resolve: resolve | libc::RESOLVE_IN_ROOT,
            });
        }
        let base = if at == libc::AT_FDCWD {
            open_directory(&format!("{}/cwd", self.task_dir()))?
        } else {
            let pidfd = files::pidfd_open(self.pid()).map_err(errno)?;
            files::pidfd_getfd(pidfd.as_fd(), at).map_err(errno)?
        };
        Ok(Start { base, resolve })
    }
}

/// The probe's flags: find the file without opening it for I/O (no side effect: no
/// truncation, no FIFO wait, no terminal).
pub(super) fn probe_flags(flags: i32) -> u64 {
    (libc::O_PATH | (flags & (libc::O_NOFOLLOW | libc::O_DIRECTORY))) as u64
}

/// A directory opened `O_PATH` by the tracer (a `/proc` magic link of the tracee's).
pub(super) fn open_directory(path: &str) -> Result<OwnedFd, Errno> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
        .open(path)
        .map_err(|e| Errno::new(e.raw_os_error().unwrap_or(libc::ESRCH)))?;
    Ok(file.into())
}

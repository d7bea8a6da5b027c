//! Creating a file that did not exist at the probe: its directory resolved by the kernel,
//! the file judged before it exists, and a dangling symlink followed by hand.

use super::resolve::{Start, probe_flags};
use super::{OpenHow, Policy, c_path, errno, real_path, restore_blocking};
use crate::sys::files;
use crate::{Errno, Tracee};
use std::ffi::OsStr;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt as _};

/// Symlinks followed in one resolution before `ELOOP`, as the kernel allows.
const MAX_LINKS: usize = 40;

impl Tracee {
    /// Creates the file `path` names (relative to `start`), which did not exist at the
    /// probe: resolves its directory, judges the file to be, and creates it with no
    /// symlink followed; a symlink found there (dangling) is read and followed by hand.
    pub(super) fn create(
        &self,
        start: Start,
        path: Vec<u8>,
        how: OpenHow,
        umask: u32,
        policy: Policy<'_>,
        links: usize,
    ) -> Result<OwnedFd, Errno> {
        if links > MAX_LINKS {
            return Err(Errno::new(libc::ELOOP));
        }
        if path.ends_with(b"/") {
            return Err(Errno::new(libc::EISDIR));
        }
        let (directory, name) = match path.iter().rposition(|&b| b == b'/') {
            Some(0) => (b"/".to_vec(), path[1..].to_vec()),
            Some(slash) => (path[..slash].to_vec(), path[slash + 1..].to_vec()),
            None => (b".".to_vec(), path),
        };
        if name == b"." || name == b".." {
            return Err(Errno::new(libc::EISDIR));
        }
        let parent = files::openat2(
            start.base.as_fd(),
            &c_path(&directory)?,
            (libc::O_PATH | libc::O_DIRECTORY) as u64,
            0,
            start.resolve,
        )
        .map_err(errno)?;
        let file_name = OsStr::from_bytes(&name);
        self.judge(&real_path(&parent)?.join(file_name), policy)?;
        // Only the last component is left: no `..`, and no symlink followed.
        let resolve = (start.resolve & !(libc::RESOLVE_IN_ROOT | libc::RESOLVE_BENEATH))
            | libc::RESOLVE_NO_SYMLINKS;
        let flags = (how.flags & !libc::O_CLOEXEC) | libc::O_NOCTTY | libc::O_NONBLOCK;
        let mode = u64::from(how.mode & !umask & 0o7777);
        let c_name = c_path(&name)?;
        let made = files::with_umask_zero(|| {
            files::openat2(parent.as_fd(), &c_name, flags as u64, mode, resolve)
        });
        match made {
            Ok(file) => {
                restore_blocking(&file, how.flags)?;
                Ok(file)
            }
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                // A symlink, dangling at the probe: open(2) follows it, creating its target.
                if how.flags & (libc::O_EXCL | libc::O_NOFOLLOW) != 0 {
                    return Err(Errno::new(if how.flags & libc::O_EXCL != 0 {
                        libc::EEXIST
                    } else {
                        libc::ELOOP
                    }));
                }
                let target = nix::fcntl::readlinkat(parent.as_fd(), file_name)
                    .map_err(|e| Errno::new(e as i32))?
                    .into_vec();
                let next = if target.starts_with(b"/") {
                    self.start(libc::AT_FDCWD, &target, how.resolve)?
                } else {
                    Start {
                        base: parent,
                        resolve: start.resolve,
                    }
                };
                let probe = files::openat2(
                    next.base.as_fd(),
                    &c_path(&target)?,
                    probe_flags(how.flags),
                    0,
                    next.resolve,
                );
                match probe {
                    Ok(found) => self.open_found(found, how, policy),
                    Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
                        self.create(next, target, how, umask, policy, links + 1)
                    }
                    Err(e) => Err(errno(e)),
                }
            }
            Err(e) => Err(errno(e)),
        }
    }
}

pub(super) fn creates(flags: i32) -> bool {
    flags & libc::O_CREAT != 0 && flags & libc::O_TMPFILE != libc::O_TMPFILE
}

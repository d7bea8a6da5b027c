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

use crate::args::{Fd, FromRaw, Ptr};
use crate::linux::{
    AddressFamily, Close, MsgFlags, Nanosleep, Poll, Recvmsg, SocketType, Socketpair,
};
use crate::memory::ReadMemory;
use crate::sys::files;
use crate::{Errno, SysResult, Tracee};
use nix::sys::socket::{ControlMessage, MsgFlags as SendFlags, UnixAddr, sendmsg};
use nix::sys::stat::{FileStat, fstat};
use std::ffi::{CString, OsStr};
use std::io::IoSlice;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt as _};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Symlinks followed in one resolution before `ELOOP`, as the kernel allows.
const MAX_LINKS: usize = 40;

/// The red zone below the stack pointer, which the program may still be using.
const RED_ZONE: u64 = 128;

/// What [`Tracee::open_file`] returns for a blocking open of a FIFO for writing while it has
/// no reader: `ENXIO`, as a non-blocking open would, so that the caller can wait (the
/// tracer cannot block in the open: the reader may be one of its tracees).
/// [`Tracee::open_and_install`] waits and tries again.
const NO_READER_YET: Errno = Errno::new(libc::ENXIO);

/// How long [`Tracee::open_and_install`] lets the thread sleep between tries of a FIFO
/// with no reader.
const FIFO_RETRY: libc::timespec = libc::timespec {
    tv_sec: 0,
    tv_nsec: 2_000_000,
};

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

/// Where a resolution starts: a directory (owned by the tracer) and the resolve flags that
/// go with a path relative to it.
struct Start {
    base: OwnedFd,
    resolve: u64,
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

    /// The whole emulated open: [`open_file`](Tracee::open_file), then
    /// [`install_fd`](Tracee::install_fd) with `FD_CLOEXEC` as `O_CLOEXEC` asks. A blocking
    /// open of a FIFO for writing waits for a reader, as open(2) does, with the thread
    /// asleep between tries (`nanosleep` injected) while the tracer serves the others. A
    /// blocking open of a FIFO for reading returns once a writer has written to it (or
    /// come and gone), the thread waiting in an injected `poll`: later than open(2), which
    /// returns when the writer opens, but the program's next `read` finds what open(2)
    /// and `read` together would have.
    ///
    /// # Errors
    /// As [`open_file`](Tracee::open_file) and [`install_fd`](Tracee::install_fd).
    pub async fn open_and_install(
        &mut self,
        at: i32,
        path: &[u8],
        how: OpenHow,
        policy: Policy<'_>,
    ) -> SysResult {
        let blocking = how.flags & libc::O_NONBLOCK == 0;
        let file = loop {
            match self.open_file(at, path, how, &mut *policy) {
                Err(e) if e == NO_READER_YET && blocking => self.sleep(FIFO_RETRY).await?,
                other => break other?,
            }
        };
        let waits_for_writer = blocking
            && how.flags & libc::O_ACCMODE == libc::O_RDONLY
            && fstat(&file).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFIFO);
        if waits_for_writer {
            set_nonblocking(&file, true)?;
        }
        let fd = self
            .install_fd(
                file.try_clone().map_err(errno)?,
                how.flags & libc::O_CLOEXEC != 0,
            )
            .await?;
        if waits_for_writer {
            // open(2) of a FIFO for reading waits for a writer: the thread waits in poll
            // until one has written or come and gone, then its descriptor blocks again.
            let waited = self.wait_readable(fd as i32).await;
            set_nonblocking(&file, false)?;
            waited?;
        }
        Ok(fd)
    }

    /// Makes the thread wait in `poll` until its descriptor `fd` is readable or hung up.
    async fn wait_readable(&mut self, fd: i32) -> Result<(), Errno> {
        let at = self.scratch(64)?;
        loop {
            // struct pollfd { int fd; short events, revents; }
            let mut pollfd = [0u8; 8];
            pollfd[..4].copy_from_slice(&fd.to_ne_bytes());
            pollfd[4..6].copy_from_slice(&libc::POLLIN.to_ne_bytes());
            self.memory().write(at, &pollfd)?;
            match self
                .inject(Poll {
                    fds: Ptr::new(at),
                    nfds: 1,
                    timeout: -1,
                })
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) if is_interrupted(e) => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Makes the thread sleep for `time` (an injected `nanosleep`; a signal may cut it
    /// short).
    async fn sleep(&mut self, time: libc::timespec) -> Result<(), Errno> {
        let at = self.scratch(64)?;
        self.memory().write_pod(at, &time)?;
        match self
            .inject(Nanosleep {
                req: Ptr::new(at),
                rem: Ptr::new(0),
            })
            .await
        {
            Err(e) if !is_interrupted(e) => Err(e),
            _ => Ok(()),
        }
    }

    /// Installs `file` in the tracee as the lowest free descriptor, as `open` would pick
    /// it, and returns its number: the tracer sends it over a socket pair the thread
    /// makes, and the thread receives it (`SCM_RIGHTS`), in calls injected before the
    /// current one (four injections). `cloexec` sets `FD_CLOEXEC` on it. Uses 256 bytes
    /// of the thread's stack below the red zone as scratch memory.
    ///
    /// The number is checked against what the tracer sent: another thread rewriting the
    /// scratch memory meanwhile makes this fail with `EIO`, never return a wrong number.
    ///
    /// # Errors
    /// `EMFILE` and the like when the thread has no room for more descriptors; `EFAULT`
    /// when its stack cannot be written; `ESRCH` if it is gone.
    pub async fn install_fd(&mut self, file: OwnedFd, cloexec: bool) -> SysResult {
        let scratch = self.scratch(256)?;
        let socket_type = SocketType::from_raw((libc::SOCK_DGRAM | libc::SOCK_CLOEXEC) as u64);
        self.inject(Socketpair {
            domain: AddressFamily::AF_UNIX,
            typ: socket_type,
            protocol: 0,
            sv: Ptr::new(scratch),
        })
        .await?;
        let [sender, receiver]: [i32; 2] = self.memory().read_pod(scratch)?;
        // The tracer takes the sending end; the program's copy goes first, so that the
        // received descriptor takes the lowest free number, the one `open` would return.
        let pidfd = files::pidfd_open(self.pid()).map_err(errno);
        let ours = pidfd
            .as_ref()
            .map_err(|e| *e)
            .and_then(|pidfd| files::pidfd_getfd(pidfd.as_fd(), sender).map_err(errno));
        let closed = self.inject(Close { fd: Fd(sender) }).await;
        let received = match (pidfd, ours, closed) {
            (Ok(pidfd), Ok(ours), Ok(_)) => {
                self.receive(scratch, &pidfd, ours, receiver, &file, cloexec)
                    .await
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
        };
        // The receiving end goes whatever happened; the received descriptor stays.
        let _ = self.inject(Close { fd: Fd(receiver) }).await;
        received.map(i64::from)
    }

    /// Sends `file` from `ours`, the tracer's copy of the socket pair's sending end, and
    /// has the thread receive it on `receiver`.
    async fn receive(
        &mut self,
        scratch: u64,
        pidfd: &OwnedFd,
        ours: OwnedFd,
        receiver: i32,
        file: &OwnedFd,
        cloexec: bool,
    ) -> Result<i32, Errno> {
        let fds = [file.as_raw_fd()];
        sendmsg::<UnixAddr>(
            ours.as_raw_fd(),
            &[IoSlice::new(&[0])],
            &[ControlMessage::ScmRights(&fds)],
            SendFlags::empty(),
            None,
        )
        .map_err(|e| Errno::new(e as i32))?;
        drop(ours);

        // struct msghdr at +16, its iovec at +72, the byte at +88, the control at +96.
        let msghdr = scratch + 16;
        let (iov, byte, control) = (scratch + 72, scratch + 88, scratch + 96);
        let control_len = 24u64; // CMSG_SPACE(sizeof(int))
        let mut memory = Vec::with_capacity(104);
        for word in [0, 0, iov, 1, control, control_len, 0] {
            memory.extend_from_slice(&u64::to_ne_bytes(word));
        }
        for word in [byte, 1, 0] {
            memory.extend_from_slice(&u64::to_ne_bytes(word));
        }
        memory.extend_from_slice(&[0; 24]);
        self.memory().write(msghdr, &memory)?;
        let mut flags = libc::MSG_DONTWAIT;
        if cloexec {
            flags |= libc::MSG_CMSG_CLOEXEC;
        }
        self.inject(Recvmsg {
            sockfd: Fd(receiver),
            msg: Ptr::new(msghdr),
            flags: MsgFlags::from_raw(flags as u64),
        })
        .await?;
        let control = self.memory().read_words(control, 3)?;
        let [len, header, fd] = control[..] else {
            return Err(Errno::EIO);
        };
        let (level, kind) = (header as u32 as i32, (header >> 32) as u32 as i32);
        let fd = fd as u32 as i32;
        if len != 20 || level != libc::SOL_SOCKET || kind != libc::SCM_RIGHTS {
            return Err(Errno::EIO);
        }
        // The control buffer lives in memory the program's other threads can write: make
        // sure the number read is the descriptor that arrived.
        let landed = files::pidfd_getfd(pidfd.as_fd(), fd).map_err(|_| Errno::EIO)?;
        if !same_file(&fstat(file), &fstat(&landed)) {
            return Err(Errno::EIO);
        }
        Ok(fd)
    }

    /// The 16-byte aligned address `bytes` below the thread's red zone: stack the program
    /// is not using, where injected calls find their arguments.
    fn scratch(&self, bytes: u64) -> Result<u64, Errno> {
        let below = self.stack_pointer()?.checked_sub(RED_ZONE + bytes);
        Ok(below.ok_or(Errno::EFAULT)? & !15)
    }

    /// The tracee's `/proc/PID/task/TID` directory.
    fn task_dir(&self) -> String {
        format!("/proc/{}/task/{}", self.pid(), self.tid())
    }

    fn status(&self) -> Result<Status, Errno> {
        let text = std::fs::read_to_string(format!("{}/status", self.task_dir()))
            .map_err(|_| Errno::new(libc::ESRCH))?;
        Ok(Status::parse(&text))
    }

    /// `/proc/self` and `/proc/thread-self` (and `/dev/fd`, `/dev/stdin`... which lead
    /// there) spelled with the thread's own ids, so that the tracer's `/proc` entries are
    /// never what the program reaches.
    fn name_own_process(&self, path: &[u8]) -> Vec<u8> {
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
    fn own_descriptor(&self, path: &[u8]) -> Option<i32> {
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
    fn reopen_own(&self, fd: i32, how: OpenHow, policy: Policy<'_>) -> Result<OwnedFd, Errno> {
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
    fn start(&self, at: i32, path: &[u8], program_resolve: u64) -> Result<Start, Errno> {
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

    /// Judges `real` (refusing the tracer's own `/proc` entries), then asks the policy.
    fn judge(&self, real: &Path, policy: Policy<'_>) -> Result<(), Errno> {
        if is_tracer_proc(real) {
            return Err(Errno::EACCES);
        }
        policy(real)
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

    /// Creates the file `path` names (relative to `start`), which did not exist at the
    /// probe: resolves its directory, judges the file to be, and creates it with no
    /// symlink followed; a symlink found there (dangling) is read and followed by hand.
    fn create(
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

/// What a thread's `/proc/.../status` says that matters here.
struct Status {
    umask: u32,
    /// The `Uid`, `Gid`, `Groups` and `Cap*` lines, as written.
    credentials: Vec<String>,
}

impl Status {
    fn parse(text: &str) -> Status {
        let mut umask = 0o022;
        let mut credentials = Vec::new();
        for line in text.lines() {
            if let Some(value) = line.strip_prefix("Umask:") {
                umask = u32::from_str_radix(value.trim(), 8).unwrap_or(umask);
            }
            let identity = [
                "Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:",
            ];
            if identity.iter().any(|key| line.starts_with(key)) {
                credentials.push(line.to_owned());
            }
        }
        Status { umask, credentials }
    }

    fn credentials(&self) -> &[String] {
        &self.credentials
    }
}

/// The tracer's own credentials, as its `/proc/thread-self/status` writes them.
fn tracer_credentials() -> Result<Vec<String>, Errno> {
    let text = std::fs::read_to_string("/proc/thread-self/status").map_err(|_| Errno::EIO)?;
    Ok(Status::parse(&text).credentials)
}

/// Whether `real` lies in the tracer's own `/proc/PID` (or one of its threads').
fn is_tracer_proc(real: &Path) -> bool {
    let Ok(rest) = real.strip_prefix("/proc") else {
        return false;
    };
    let Some(first) = rest.iter().next().and_then(|c| c.to_str()) else {
        return false;
    };
    let Ok(id) = first.parse::<u32>() else {
        return false;
    };
    id == std::process::id() || Path::new(&format!("/proc/self/task/{id}")).exists()
}

/// The probe's flags: find the file without opening it for I/O (no side effect: no
/// truncation, no FIFO wait, no terminal).
fn probe_flags(flags: i32) -> u64 {
    (libc::O_PATH | (flags & (libc::O_NOFOLLOW | libc::O_DIRECTORY))) as u64
}

fn creates(flags: i32) -> bool {
    flags & libc::O_CREAT != 0 && flags & libc::O_TMPFILE != libc::O_TMPFILE
}

/// Opens what the `O_PATH` descriptor `found` refers to, with the program's flags, through
/// the tracer's `/proc/self/fd` (the same inode; the kernel checks the access mode
/// against it as an open would).
fn reopen(found: &OwnedFd, flags: i32, stat: &FileStat) -> Result<OwnedFd, Errno> {
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

/// `EINTR`, or one of the kernel's restart codes (`ERESTARTSYS`...) that a tracer sees at
/// the exit stop of a call a signal cut short.
fn is_interrupted(e: Errno) -> bool {
    e == Errno::EINTR || e.is_restart()
}

/// Sets or clears `O_NONBLOCK` on the open file `file` (shared with its copies).
fn set_nonblocking(file: &OwnedFd, on: bool) -> Result<(), Errno> {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    let now = fcntl(file, FcntlArg::F_GETFL).map_err(|e| Errno::new(e as i32))?;
    let mut flags = OFlag::from_bits_retain(now);
    flags.set(OFlag::O_NONBLOCK, on);
    fcntl(file, FcntlArg::F_SETFL(flags)).map_err(|e| Errno::new(e as i32))?;
    Ok(())
}

/// Clears the `O_NONBLOCK` the tracer added, unless the program asked for it.
fn restore_blocking(file: &OwnedFd, requested: i32) -> Result<(), Errno> {
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

/// A directory opened `O_PATH` by the tracer (a `/proc` magic link of the tracee's).
fn open_directory(path: &str) -> Result<OwnedFd, Errno> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
        .open(path)
        .map_err(|e| Errno::new(e.raw_os_error().unwrap_or(libc::ESRCH)))?;
    Ok(file.into())
}

/// The path the kernel gives for the tracer's descriptor `fd`.
fn real_path(fd: &OwnedFd) -> Result<PathBuf, Errno> {
    std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd())).map_err(|_| Errno::EIO)
}

fn same_file(a: &nix::Result<FileStat>, b: &nix::Result<FileStat>) -> bool {
    matches!((a, b), (Ok(a), Ok(b)) if a.st_dev == b.st_dev && a.st_ino == b.st_ino)
}

fn c_path(path: &[u8]) -> Result<CString, Errno> {
    CString::new(path).map_err(|_| Errno::EINVAL)
}

fn errno(e: std::io::Error) -> Errno {
    Errno::new(e.raw_os_error().unwrap_or(libc::EIO))
}

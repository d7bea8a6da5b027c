//! Opening files on a tracee's behalf: `openat2`, and borrowing a tracee's descriptors with
//! `pidfd_open` + `pidfd_getfd`. libc has the numbers but no wrappers.

use nix::unistd::Pid;
use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// The result of a raw syscall that returns a new descriptor, owned.
fn new_fd(ret: libc::c_long) -> io::Result<OwnedFd> {
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = i32::try_from(ret).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
    // SAFETY: the kernel just returned `fd` as a new descriptor of this process, which
    // nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `openat2(dirfd, path, {flags, mode, resolve})`; the descriptor is always close-on-exec
/// in the tracer.
pub fn openat2(
    dirfd: BorrowedFd<'_>,
    path: &CStr,
    flags: u64,
    mode: u64,
    resolve: u64,
) -> io::Result<OwnedFd> {
    // struct open_how { __u64 flags, mode, resolve; }, built by hand: libc's is
    // non-exhaustive.
    let how: [u64; 3] = [flags | libc::O_CLOEXEC as u64, mode, resolve];
    // SAFETY: `path` is a NUL-terminated string and `how` a live `struct open_how` whose size is
    // passed with it; the kernel only reads both.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            dirfd.as_raw_fd(),
            path.as_ptr(),
            how.as_ptr(),
            std::mem::size_of_val(&how),
        )
    };
    new_fd(ret)
}

/// A pidfd for process `pid` (a thread-group leader).
pub fn pidfd_open(pid: Pid) -> io::Result<OwnedFd> {
    // SAFETY: plain integer arguments; the result is checked by `new_fd`.
    new_fd(unsafe { libc::syscall(libc::SYS_pidfd_open, pid.as_raw(), 0) })
}

/// A duplicate, in the tracer, of descriptor `fd` of the process `pidfd` refers to: the
/// same open file description. Needs ptrace access to the process, which a tracer has.
pub fn pidfd_getfd(pidfd: BorrowedFd<'_>, fd: i32) -> io::Result<OwnedFd> {
    // SAFETY: plain integer arguments; the result is checked by `new_fd`.
    new_fd(unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0) })
}

/// Runs `f` with the tracer's umask at 0 (files it creates get exactly the mode asked for,
/// which the caller has already masked with the tracee's umask), then restores it.
pub fn with_umask_zero<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: umask cannot fail and touches no memory.
    let old = unsafe { libc::umask(0) };
    let out = f();
    // SAFETY: as above.
    unsafe { libc::umask(old) };
    out
}

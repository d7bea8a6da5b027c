//! The outcome of a traced program's syscall, as the program sees it.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// An error number a syscall returns to the traced program (`ENOENT`, `EACCES`, ...).
///
/// This is the program's error, not the tracer's: a handler returns `Err(Errno::EACCES)` to
/// make the program's call fail with `EACCES`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(i32);

/// The result of one syscall: the value the kernel (or a handler) returns, or an errno.
pub type SysResult = Result<i64, Errno>;

/// Kernel-internal "restart" codes that a tracer sees at the syscall-exit stop of a call
/// interrupted by a signal; the program itself never sees them.
const RESTART_CODES: &[(i32, &str, &str)] = &[
    (512, "ERESTARTSYS", "To be restarted if SA_RESTART is set"),
    (513, "ERESTARTNOINTR", "To be restarted"),
    (514, "ERESTARTNOHAND", "To be restarted if no handler"),
    (515, "ENOIOCTLCMD", "No ioctl command"),
    (516, "ERESTART_RESTARTBLOCK", "Interrupted by signal"),
];

impl Errno {
    /// `EPERM`: operation not permitted.
    pub const EPERM: Errno = Errno(libc::EPERM);
    /// `ENOENT`: no such file or directory.
    pub const ENOENT: Errno = Errno(libc::ENOENT);
    /// `EINTR`: interrupted system call.
    pub const EINTR: Errno = Errno(libc::EINTR);
    /// `EIO`: input/output error.
    pub const EIO: Errno = Errno(libc::EIO);
    /// `EBADF`: bad file descriptor.
    pub const EBADF: Errno = Errno(libc::EBADF);
    /// `EAGAIN`: resource temporarily unavailable (also `EWOULDBLOCK`).
    pub const EAGAIN: Errno = Errno(libc::EAGAIN);
    /// `ENOMEM`: cannot allocate memory.
    pub const ENOMEM: Errno = Errno(libc::ENOMEM);
    /// `EACCES`: permission denied.
    pub const EACCES: Errno = Errno(libc::EACCES);
    /// `EFAULT`: bad address; also what [`Memory`](crate::memory::Memory) returns for
    /// unmapped tracee memory.
    pub const EFAULT: Errno = Errno(libc::EFAULT);
    /// `EEXIST`: file exists.
    pub const EEXIST: Errno = Errno(libc::EEXIST);
    /// `EINVAL`: invalid argument.
    pub const EINVAL: Errno = Errno(libc::EINVAL);
    /// `ENOSPC`: no space left on device.
    pub const ENOSPC: Errno = Errno(libc::ENOSPC);
    /// `ENOSYS`: function not implemented (the kernel has no such syscall).
    pub const ENOSYS: Errno = Errno(libc::ENOSYS);

    /// The errno with this number (positive, as in `errno.h`).
    pub const fn new(number: i32) -> Errno {
        Errno(number)
    }

    /// The number, positive.
    pub const fn number(self) -> i32 {
        self.0
    }

    /// Splits a raw syscall return register into a result: values from -4095 to -1 are
    /// errors, as the kernel's ABI defines.
    pub fn from_ret(ret: i64) -> SysResult {
        if (-4095..0).contains(&ret) {
            Err(Errno(-ret as i32))
        } else {
            Ok(ret)
        }
    }

    /// The raw return register value for a result.
    pub fn into_ret(result: SysResult) -> i64 {
        match result {
            Ok(value) => value,
            Err(errno) => -i64::from(errno.0),
        }
    }

    /// The symbolic name, `ENOENT`, or `None` for a number without one.
    pub fn name(self) -> Option<&'static str> {
        if let Some((_, name, _)) = RESTART_CODES.iter().find(|(n, ..)| *n == self.0) {
            return Some(name);
        }
        let known = nix::errno::Errno::from_raw(self.0);
        (known != nix::errno::Errno::UnknownErrno).then(|| errno_name(known))
    }

    /// The description glibc's `strerror` gives, `No such file or directory`, as strace
    /// prints it.
    pub fn description(self) -> String {
        if let Some((_, _, text)) = RESTART_CODES.iter().find(|(n, ..)| *n == self.0) {
            return (*text).to_string();
        }
        // std's message is strerror_r's text followed by ` (os error N)`.
        let text = std::io::Error::from_raw_os_error(self.0).to_string();
        match text.rfind(" (os error ") {
            Some(at) => text[..at].to_string(),
            None => text,
        }
    }

    /// True for the kernel-internal restart codes (`ERESTARTSYS`...), which strace shows as
    /// `= ? ERESTARTSYS (...)` since the program never receives them.
    pub fn is_restart(self) -> bool {
        RESTART_CODES
            .iter()
            .any(|(n, ..)| *n == self.0 && *n != 515)
    }
}

/// nix's `Debug` output is the C name; it is formatted once per number and kept.
fn errno_name(errno: nix::errno::Errno) -> &'static str {
    static NAMES: OnceLock<Mutex<HashMap<i32, &'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    names
        .entry(errno as i32)
        .or_insert_with(|| Box::leak(format!("{errno:?}").into_boxed_str()))
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({})", self, self.description())
    }
}

impl std::error::Error for Errno {}

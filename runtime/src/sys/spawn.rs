//! fork + exec of the program to trace.

use nix::unistd::Pid;
use std::ffi::CString;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// Everything the child needs, prepared before `fork` so the child allocates nothing.
pub struct SpawnSpec {
    /// Resolved program path.
    pub path: CString,
    pub argv: Vec<CString>,
    /// `None`: inherit the environment.
    pub envp: Option<Vec<CString>>,
    pub cwd: Option<CString>,
    /// Descriptors to install as 0, 1 and 2 (`None`: inherit).
    pub stdio: [Option<RawFd>; 3],
    /// Standard descriptors to close instead (the program gets them closed).
    pub close: Vec<RawFd>,
    /// Signals the tracer ignores but the program must start with at their default.
    pub default_signals: Vec<i32>,
    /// A seccomp filter to install once seized, before exec.
    pub filter: Option<super::Filter>,
}

/// Forks a child that stops itself with `SIGSTOP` and, once continued, executes the
/// program. The caller seizes it while it is stopped, so the program runs traced from its
/// first instruction.
///
/// Also returns the read end of a close-on-exec pipe: if the child's set-up (`dup2`,
/// `chdir`) or `execve` fails, it writes the errno there (4 bytes) and exits with 127.
///
/// # Errors
/// The `pipe2` or `fork` error.
pub fn fork_stopped(spec: &SpawnSpec) -> io::Result<(Pid, OwnedFd)> {
    let argv: Vec<*const libc::c_char> = spec
        .argv
        .iter()
        .map(|a| a.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect();
    let envp: Option<Vec<*const libc::c_char>> = spec.envp.as_ref().map(|env| {
        env.iter()
            .map(|e| e.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect()
    });
    let mut pipe = [0 as RawFd; 2];
    // SAFETY: `pipe` is a valid two-int array for pipe2 to fill.
    if unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    let [read_end, write_end] = pipe;

    // SAFETY: between fork and exec the child only makes async-signal-safe calls (dup2,
    // close, chdir, sigprocmask, signal, kill, prctl, seccomp, execve, write, _exit) on data
    // prepared before fork;
    // it never returns into Rust code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        let error = io::Error::last_os_error();
        // SAFETY: closing the two descriptors created above.
        unsafe {
            libc::close(read_end);
            libc::close(write_end);
        }
        return Err(error);
    }
    if pid == 0 {
        // SAFETY: see the fork comment; everything used is on this stack or in `spec`.
        unsafe {
            let fail = |fd: RawFd| -> ! {
                let errno = *libc::__errno_location();
                libc::write(fd, (&errno as *const i32).cast(), 4);
                // A shell's codes: 127 for a missing program, 126 for one it cannot run.
                libc::_exit(if errno == libc::ENOENT { 127 } else { 126 })
            };
            for (target, source) in spec.stdio.iter().enumerate() {
                if let Some(source) = *source
                    && libc::dup2(source, target as i32) < 0
                {
                    fail(write_end);
                }
            }
            for &fd in &spec.close {
                libc::close(fd);
            }
            if let Some(cwd) = &spec.cwd
                && libc::chdir(cwd.as_ptr()) < 0
            {
                fail(write_end);
            }
            // The tracer thread may block signals and Rust ignores SIGPIPE; a program must
            // start with the mask and dispositions a shell would give it.
            let mut empty: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut empty);
            libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            for &signal in &spec.default_signals {
                libc::signal(signal, libc::SIG_DFL);
            }
            libc::kill(libc::getpid(), libc::SIGSTOP);
            // Seized now: a trapped call from here on stops for the tracer.
            if let Some(filter) = &spec.filter
                && !filter.install_in_child()
            {
                fail(write_end);
            }
            match &envp {
                Some(envp) => libc::execve(spec.path.as_ptr(), argv.as_ptr(), envp.as_ptr()),
                None => libc::execv(spec.path.as_ptr(), argv.as_ptr()),
            };
            fail(write_end)
        }
    }
    // SAFETY: the parent closes its copy of the write end it no longer needs.
    unsafe { libc::close(write_end) };
    // SAFETY: `read_end` was just created by pipe2 and nothing else owns it.
    let errors = unsafe { OwnedFd::from_raw_fd(read_end) };
    Ok((Pid::from_raw(pid), errors))
}

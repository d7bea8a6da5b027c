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

impl SpawnSpec {
    /// argv and envp as the NULL-terminated pointer arrays execve takes, pointing into
    /// `self` (built before fork, so the child allocates nothing).
    fn pointer_arrays(&self) -> (Vec<*const libc::c_char>, Option<Vec<*const libc::c_char>>) {
        let terminated = |strings: &[CString]| -> Vec<*const libc::c_char> {
            strings
                .iter()
                .map(|s| s.as_ptr())
                .chain(std::iter::once(std::ptr::null()))
                .collect()
        };
        (terminated(&self.argv), self.envp.as_deref().map(terminated))
    }
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
    let (argv, envp) = spec.pointer_arrays();
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
            let errno = match set_up(spec) {
                Some(errno) => errno,
                None => {
                    // Stop until seized: a trapped call from then on stops for the tracer.
                    libc::kill(libc::getpid(), libc::SIGSTOP);
                    become_program(spec, &argv, envp.as_deref())
                }
            };
            libc::write(write_end, (&errno as *const i32).cast(), 4);
            // A shell's codes: 127 for a missing program, 126 for one it cannot run.
            libc::_exit(if errno == libc::ENOENT { 127 } else { 126 })
        }
    }
    // SAFETY: the parent closes its copy of the write end it no longer needs.
    unsafe { libc::close(write_end) };
    // SAFETY: `read_end` was just created by pipe2 and nothing else owns it.
    let errors = unsafe { OwnedFd::from_raw_fd(read_end) };
    Ok((Pid::from_raw(pid), errors))
}

/// The child's set-up before it waits to be seized: its standard streams, directory, signal
/// mask and dispositions. `Some(errno)` when a step failed.
///
/// # Safety
/// Async-signal-safe calls only, as between fork and exec.
unsafe fn set_up(spec: &SpawnSpec) -> Option<i32> {
    // SAFETY: the caller's contract; plain syscalls on data prepared before fork.
    unsafe {
        let errno = || *libc::__errno_location();
        for (target, source) in spec.stdio.iter().enumerate() {
            if let Some(source) = *source
                && libc::dup2(source, target as i32) < 0
            {
                return Some(errno());
            }
        }
        for &fd in &spec.close {
            libc::close(fd);
        }
        if let Some(cwd) = &spec.cwd
            && libc::chdir(cwd.as_ptr()) < 0
        {
            return Some(errno());
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
        None
    }
}

/// Once traced: installs the seccomp filter and executes the program. Returns only if
/// that failed, with the errno.
///
/// # Safety
/// Async-signal-safe calls only, as between fork and exec; `argv` and `envp` are
/// NULL-terminated arrays of pointers into `spec`.
unsafe fn become_program(
    spec: &SpawnSpec,
    argv: &[*const libc::c_char],
    envp: Option<&[*const libc::c_char]>,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        if let Some(filter) = &spec.filter
            && !filter.install_in_child()
        {
            return *libc::__errno_location();
        }
        match envp {
            Some(envp) => libc::execve(spec.path.as_ptr(), argv.as_ptr(), envp.as_ptr()),
            None => libc::execv(spec.path.as_ptr(), argv.as_ptr()),
        };
        *libc::__errno_location()
    }
}

/// Where the tracer runs with strace's `-D`: beside the program instead of above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Daemonize {
    /// `-D`: a grandchild of the program's process, in its process group.
    Grandchild,
    /// `-DD`: also in a process group of its own.
    ProcessGroup,
    /// `-DDD`: also in a session of its own.
    Session,
}

/// Which side of [`daemonize`] this process is on.
pub enum DaemonSide {
    /// The original process, which becomes the program once `go` says it is seized.
    Program {
        /// A byte arrives here once the tracer has seized this process; EOF: it failed.
        go: OwnedFd,
    },
    /// The tracer, to seize `program` and then write to `go`.
    Tracer {
        /// The original process.
        program: Pid,
        /// Where to say "seized".
        go: OwnedFd,
    },
}

/// Splits this process in two: it stays, to become the program (so it stays its parent's
/// child, with its pid), and a grandchild becomes the tracer, reparented away so the
/// program never sees it as a child. Call it only from a single-threaded process: the
/// grandchild goes on running Rust code.
///
/// # Errors
/// `pipe2`, `fork` or `waitpid` failed.
pub fn daemonize(how: Daemonize) -> io::Result<DaemonSide> {
    let program = nix::unistd::getpid();
    let (go_read, go_write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
    let (pid_read, pid_write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
    // SAFETY: the middle child only makes async-signal-safe calls (setpgid, setsid, fork,
    // write, _exit); the grandchild returns into Rust code, which the single-threaded
    // caller makes sound.
    let middle = unsafe { libc::fork() };
    if middle < 0 {
        return Err(io::Error::last_os_error());
    }
    if middle == 0 {
        // SAFETY: see above.
        unsafe {
            match how {
                Daemonize::Grandchild => {}
                Daemonize::ProcessGroup => {
                    libc::setpgid(0, 0);
                }
                Daemonize::Session => {
                    libc::setsid();
                }
            }
            let tracer = libc::fork();
            if tracer == 0 {
                drop(go_read);
                drop(pid_read);
                drop(pid_write);
                return Ok(DaemonSide::Tracer {
                    program,
                    go: go_write,
                });
            }
            use std::os::fd::AsRawFd;
            libc::write(pid_write.as_raw_fd(), (&tracer as *const i32).cast(), 4);
            libc::_exit(if tracer < 0 { 1 } else { 0 })
        }
    }
    drop(go_write);
    drop(pid_write);
    let _ = nix::sys::wait::waitpid(Pid::from_raw(middle), None);
    let mut tracer = [0u8; 4];
    let mut pid_read = std::fs::File::from(pid_read);
    std::io::Read::read_exact(&mut pid_read, &mut tracer)?;
    let tracer = i32::from_ne_bytes(tracer);
    if tracer <= 0 {
        return Err(io::Error::other("could not fork the tracer"));
    }
    // Under Yama's ptrace_scope 1 only an ancestor may attach: let the tracer in. EINVAL
    // without Yama.
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_PTRACER, tracer as libc::c_ulong, 0, 0, 0) };
    Ok(DaemonSide::Program { go: go_read })
}

/// The program's side after [`daemonize`]: waits until seized, sets itself up and executes
/// the program. Returns only if that failed.
pub fn exec_when_seized(spec: &SpawnSpec, go: OwnedFd) -> io::Error {
    let mut byte = [0u8; 1];
    let mut go = std::fs::File::from(go);
    if std::io::Read::read_exact(&mut go, &mut byte).is_err() {
        return io::Error::other("the tracer could not attach");
    }
    drop(go);
    let (argv, envp) = spec.pointer_arrays();
    // SAFETY: this process is single-threaded (daemonize's contract) and about to become
    // the program; the arrays point into `spec`, which lives across the calls.
    let errno = unsafe {
        match set_up(spec) {
            Some(errno) => errno,
            None => become_program(spec, &argv, envp.as_deref()),
        }
    };
    io::Error::from_raw_os_error(errno)
}

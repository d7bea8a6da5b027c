//! The tracer's own errors (not the traced program's: that is [`Errno`](crate::Errno)).

use nix::unistd::Pid;
use std::io;
use std::path::PathBuf;

/// Why tracing could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The program was not found (a shell exits 127 for this).
    #[error("{}: command not found", .0.display())]
    NotFound(PathBuf),
    /// The program was found but `execve` failed: its line in the trace shows the errno.
    #[error("exec: {}", describe(.error))]
    Exec {
        /// The program's path, after the `PATH` search.
        program: PathBuf,
        /// Why execve failed.
        error: io::Error,
    },
    /// The program is a script whose `#!` interpreter does not exist (execve's `ENOENT`).
    #[error("exec: {}: bad interpreter {}: No such file or directory", .program.display(), .interpreter.display())]
    BadInterpreter {
        /// The script.
        program: PathBuf,
        /// The interpreter its first line names.
        interpreter: PathBuf,
    },
    /// fork, or the child's set-up before exec, failed.
    #[error("cannot start {}: {}", .program.display(), describe(.error))]
    Spawn {
        /// The program's path, after the `PATH` search.
        program: PathBuf,
        /// What failed: fork or wait, the child's set-up (its errno), or an argument or
        /// environment string containing a NUL byte.
        error: io::Error,
    },
    /// A ptrace request on a tracee failed for a reason other than the tracee dying.
    #[error("{operation} on pid {pid}: {}", .source.desc())]
    Tracee {
        /// The request or call that failed, as printed: `PTRACE_GETREGS`.
        operation: &'static str,
        /// The thread it was made on (its tid).
        pid: Pid,
        /// The errno it failed with.
        source: nix::Error,
    },
    /// The process to attach to exited before it could be traced.
    #[error("pid {0} exited before it could be traced")]
    Exited(Pid),
    /// Waiting for tracees failed.
    #[error("waitpid failed: {0}")]
    Wait(nix::Error),
    /// The eBPF backend could not be loaded or attached (`--backend ebpf`).
    #[error("eBPF backend: {0}")]
    Ebpf(String),
    /// Writing the trace failed.
    #[error("cannot write the trace: {0}")]
    Output(io::Error),
}

/// An io error without std's ` (os error N)` suffix, for one-line messages.
fn describe(error: &io::Error) -> String {
    match error.raw_os_error() {
        Some(errno) => nix::errno::Errno::from_raw(errno).desc().to_string(),
        None => error.to_string(),
    }
}

impl Error {
    pub(crate) fn tracee(operation: &'static str, pid: Pid, source: nix::Error) -> Self {
        Error::Tracee {
            operation,
            pid,
            source,
        }
    }

    /// The exit status a shell would use for this error: 127 for a missing program, 126
    /// for one that cannot be executed, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::NotFound(_) | Error::BadInterpreter { .. } => 127,
            Error::Exec { error, .. } if error.raw_os_error() == Some(libc::ENOENT) => 127,
            Error::Exec { .. } => 126,
            _ => 1,
        }
    }
}

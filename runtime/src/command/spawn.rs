//! Starting the program traced: forked and seized by this process, or (`-D`) traced
//! from a grandchild while this process becomes the program.

use super::program::exec_error;
use super::{Command, Outcome, outcome, run_tracer};
use crate::engine::{Mode, Tracer};
use crate::events::Sink;
use crate::sys::{self, DaemonSide, SpawnSpec};
use crate::{Daemonize, Error, Linux};
use std::ffi::{CString, OsStr};
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::rc::Rc;

impl Command {
    pub(super) fn trace_spec<H: Linux + 'static>(
        mut self,
        path: &Path,
        spec: &SpawnSpec,
        handler: H,
        sinks: Vec<Box<dyn Sink>>,
    ) -> Result<Outcome<H>, Error> {
        let spawn_error = |error| Error::Spawn {
            program: path.to_owned(),
            error,
        };
        let (child, errors) = sys::fork_stopped(spec).map_err(spawn_error)?;
        // The child has its copies of the program's standard streams.
        drop(std::mem::take(&mut self.stdio));
        let status = sys::wait_stopped(child).map_err(|e| spawn_error(e.into()))?;
        let mut errors = std::fs::File::from(errors);
        let read_error = |errors: &mut std::fs::File| {
            let mut errno = [0u8; 4];
            errors
                .read_exact(&mut errno)
                .ok()
                .map(|()| i32::from_ne_bytes(errno))
        };
        if status.stop_signal().is_none() {
            // The child's set-up failed before it stopped; it said why on the pipe.
            let source = read_error(&mut errors).map_or_else(
                || io::Error::other("the child exited before exec"),
                io::Error::from_raw_os_error,
            );
            return Err(spawn_error(source));
        }
        let mode = if spec.filter.is_some() {
            Mode::Seccomp
        } else {
            Mode::AllSyscalls
        };
        let handler = Rc::new(handler);
        let settings = (self.suppress_vdso.unwrap_or(true), mode);
        let mut tracer = Tracer::seize(child, handler.clone(), sinks, settings, false)?;
        let caught = self.caught_signals(&mut tracer);
        let ended = run_tracer(tracer, self.timeout, &caught)?;
        // The pipe closed at exec (close-on-exec); four bytes on it mean execve failed.
        if let Some(errno) = read_error(&mut errors) {
            return Err(exec_error(path, errno));
        }
        Ok(outcome(handler, ended))
    }

    /// `-D`: this process becomes the program, a grandchild traces it. Returns in the
    /// tracer when the run ends, and in this process only if the program could not start.
    pub(super) fn trace_beside<H: Linux + 'static>(
        self,
        how: Daemonize,
        (path, spec): (&Path, &SpawnSpec),
        handler: H,
        sinks: Vec<Box<dyn Sink>>,
    ) -> Result<Outcome<H>, Error> {
        let spawn_error = |error| Error::Spawn {
            program: path.to_owned(),
            error,
        };
        let (program, go) = match sys::daemonize(how).map_err(spawn_error)? {
            DaemonSide::Program { go } => {
                let error = sys::exec_when_seized(spec, go);
                return Err(match error.raw_os_error() {
                    Some(errno) => exec_error(path, errno),
                    None => spawn_error(error),
                });
            }
            DaemonSide::Tracer { program, go } => (program, go),
        };
        let mode = if spec.filter.is_some() {
            Mode::Seccomp
        } else {
            Mode::AllSyscalls
        };
        let handler = Rc::new(handler);
        let settings = (self.suppress_vdso.unwrap_or(true), mode);
        let mut tracer = Tracer::seize(program, handler.clone(), sinks, settings, true)?;
        // The program may go on to execve now.
        let _ = nix::unistd::write(&go, b"!");
        drop(go);
        let caught = self.caught_signals(&mut tracer);
        let ended = run_tracer(tracer, self.timeout, &caught)?;
        Ok(outcome(handler, ended))
    }

    pub(super) fn spawn_spec(&self, path: &Path) -> Result<SpawnSpec, Error> {
        let nul = |what: &str| Error::Spawn {
            program: path.to_owned(),
            error: io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{what} contains a NUL byte"),
            ),
        };
        let cstring = |s: &OsStr, what: &str| CString::new(s.as_bytes()).map_err(|_| nul(what));
        let mut argv = vec![cstring(&self.program, "the program name")?];
        for arg in &self.args {
            argv.push(cstring(arg, "an argument")?);
        }
        let envp = match &self.env {
            None => None,
            Some(env) => Some(
                env.iter()
                    .map(|(k, v)| {
                        let mut pair = k.clone().into_vec();
                        pair.push(b'=');
                        pair.extend_from_slice(v.as_bytes());
                        CString::new(pair).map_err(|_| nul("the environment"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(SpawnSpec {
            path: cstring(path.as_os_str(), "the program path")?,
            argv,
            envp,
            cwd: self
                .cwd
                .as_ref()
                .map(|d| cstring(d.as_os_str(), "the directory"))
                .transpose()?,
            stdio: [0, 1, 2].map(|i| self.stdio[i].as_ref().map(|fd| fd.as_raw_fd())),
            close: if self.keep_closed_stdio {
                sys::closed_at_start()
                    .into_iter()
                    .filter(|&fd| self.stdio[fd as usize].is_none())
                    .collect()
            } else {
                Vec::new()
            },
            default_signals: Vec::new(),
            filter: None,
        })
    }
}

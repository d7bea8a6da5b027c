//! [`Command::observe`]: the program under the eBPF backend instead of ptrace.

use super::{Command, Outcome, exec_error, resolve};
use crate::Error;
use crate::ebpf::Observer;
use crate::sys;
use std::io::{self, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

impl Command {
    /// Runs the program and observes it with eBPF programs on the kernel's syscall
    /// tracepoints instead of ptrace: the sinks get the same events (decoded by the same
    /// decoders from copies of the memory the calls pointed to), and the program never
    /// stops for the tracer, so it runs at nearly native speed.
    ///
    /// Observation only: there is no handler, and nothing the program does changes. It
    /// needs root (or `CAP_BPF` and `CAP_PERFMON`) and a kernel with BTF; while it runs,
    /// every process on the machine pays the tracepoints' small cost. Strings and buffers
    /// are copied up to the string limit (at most 8 KiB each). Records the ring buffer
    /// (`ring_bytes`, see [`DEFAULT_RING_BYTES`](crate::ebpf::DEFAULT_RING_BYTES)) had no
    /// room for are lost, never waited for, and told to the sinks at the end
    /// ([`EventKind::Lost`](crate::events::EventKind::Lost)).
    ///
    /// # Errors
    /// [`Error::Ebpf`] when the programs cannot be loaded (the reason in one line), and the
    /// errors of [`trace`](Command::trace) for a program that cannot start.
    pub fn observe(mut self, ring_bytes: u32) -> Result<Outcome<()>, Error> {
        let path = resolve(&self.program, self.env.as_ref())?;
        let mut spec = self.spawn_spec(&path)?;
        let settings = std::mem::take(&mut self.trace);
        let observer = Observer::load(settings.string_limit, ring_bytes)?;
        let sinks = settings.into_sinks();
        // Ctrl-C is the program's to decide; the trace then ends as it does.
        spec.default_signals = [libc::SIGINT, libc::SIGQUIT]
            .into_iter()
            .filter(|&s| sys::ignore_if_default(s))
            .collect();
        let shielded = spec.default_signals.clone();
        let result = (|| {
            let spawn_error = |error| Error::Spawn {
                program: path.clone(),
                error,
            };
            let (child, errors) = sys::fork_stopped(&spec).map_err(spawn_error)?;
            drop(std::mem::take(&mut self.stdio));
            let status = sys::wait_stopped(child).map_err(|e| spawn_error(e.into()))?;
            let mut errors = std::fs::File::from(errors);
            let mut read_error = || {
                let mut errno = [0u8; 4];
                errors
                    .read_exact(&mut errno)
                    .ok()
                    .map(|()| i32::from_ne_bytes(errno))
            };
            if status.stop_signal().is_none() {
                let source = read_error().map_or_else(
                    || io::Error::other("the child exited before exec"),
                    io::Error::from_raw_os_error,
                );
                return Err(spawn_error(source));
            }
            let observed = observer.run(child, sinks, self.timeout)?;
            // The pipe closed at exec (close-on-exec); four bytes on it mean execve failed.
            if let Some(errno) = read_error() {
                return Err(exec_error(&path, errno));
            }
            Ok(Outcome {
                status: ExitStatus::from_raw(observed.status.raw()),
                handler: (),
                timed_out: observed.timed_out,
                interrupted_by: None,
                output_error: observed.output_error,
            })
        })();
        for signal in shielded {
            sys::restore_default(signal);
        }
        result
    }
}

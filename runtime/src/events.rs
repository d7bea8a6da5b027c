//! What happened in the traced tree, as typed events, and the [`Sink`]s that observe them.
//!
//! The engine classifies each stop, lets the handler decide, and then tells every sink
//! what happened. It knows nothing about text: the strace text, the JSON lines and the
//! `-c` table are sinks, and so is anything a library user writes. A sink only observes;
//! nothing it does changes what the tracee does. A sink that fails (its reader went away)
//! is dropped and the trace goes on without it.

use crate::Interest;
use crate::engine::WaitStatus;
use crate::linux::Syscall;
use crate::memory::{AddressSpace, Image, Memory};
use nix::unistd::Pid;
use std::io;
use std::time::{Duration, SystemTime};

pub use crate::sys::SigInfo;

/// One thing that happened to one traced thread.
#[derive(Debug)]
pub struct Event<'a> {
    /// The thread it happened to.
    pub tid: Pid,
    /// Its process (thread group).
    pub pid: Pid,
    /// When the tracer saw it.
    pub time: SystemTime,
    /// The system CPU time the thread's process had used by then (`wait4`'s `ru_stime`):
    /// strace's `-c` counts the difference between a call's entry and exit. Zero unless a
    /// sink asks for it ([`Sink::wants_system_time`]).
    pub system_time: Duration,
    /// Where the pointer arguments of a syscall event can be read: `None` for the live
    /// thread (stopped while the event is handled, under ptrace), or the copy of the bytes
    /// they point to that the eBPF backend took as the call returned.
    pub copy: Option<&'a Image>,
    /// What happened.
    pub kind: EventKind<'a>,
}

impl<'a> Event<'a> {
    /// The memory to decode pointer arguments of a syscall event with: the thread's (valid
    /// while the event is being handled: the thread is stopped) or the copy taken of it.
    pub fn memory(&self) -> EventMemory<'a> {
        match self.copy {
            Some(image) => EventMemory::Copy(image),
            None => EventMemory::Live(Memory::new(self.tid)),
        }
    }
}

/// The memory an [`Event`]'s pointers point into: a stopped thread's, or a copy.
#[derive(Clone, Copy, Debug)]
pub enum EventMemory<'a> {
    /// The live thread's address space.
    Live(Memory),
    /// What the eBPF backend copied as the call returned.
    Copy(&'a Image),
}

impl AddressSpace for EventMemory<'_> {
    fn read_some(&self, addr: u64, buf: &mut [u8]) -> Result<usize, crate::Errno> {
        match self {
            EventMemory::Live(memory) => memory.read_some(addr, buf),
            EventMemory::Copy(image) => image.read_some(addr, buf),
        }
    }
}

/// How a syscall ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Return {
    /// It returned this raw value (`-errno` for an error).
    Value(i64),
    /// It never returned: the thread exited or was killed inside it, or another thread's
    /// execve replaced it.
    Unfinished,
    /// The tracer detached while it was in the kernel.
    Detached,
}

/// What the tracer changed on its own, beyond what a handler decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// `CLONE_UNTRACED` was removed from a clone, so the child stays traced.
    UntracedRemoved,
}

/// The kinds of [`Event`].
#[derive(Debug)]
pub enum EventKind<'a> {
    /// A process or thread is traced from now on (the first one, or a new child/thread).
    Started,
    /// A syscall entered the kernel (as the handler let it, or as it was called when the
    /// handler answered it). Its in-arguments can be read now.
    SyscallEntered {
        /// The call, with its arguments.
        call: &'a Syscall,
    },
    /// A syscall announced by [`SyscallEntered`](EventKind::SyscallEntered) ended. Its
    /// out-arguments can be read now.
    SyscallExited {
        /// The call.
        call: &'a Syscall,
        /// How it ended: the value the tracee sees.
        ret: Return,
        /// The value is not the kernel's: the handler (or the tracer) answered the call
        /// without running it, or changed its result; strace's `(INJECTED)`.
        injected: bool,
    },
    /// A handler ran another syscall in the tracee before deciding on the current one, or
    /// after it ran and before the program sees its result.
    Injected {
        /// The injected call.
        call: &'a Syscall,
    },
    /// The tracer changed a call by itself.
    Tampered(Tamper),
    /// A signal is being delivered to the thread (after the handler's decision about it).
    Signal {
        /// The signal.
        signal: i32,
        /// Its siginfo, when the kernel gave it.
        info: Option<SigInfo>,
    },
    /// The thread entered a group-stop (job control).
    Stopped {
        /// The stopping signal.
        signal: i32,
    },
    /// The process executed a new program. `former` is the thread that called execve when
    /// it was not the leader (it now has the leader's id).
    Exec {
        /// The tid that called execve.
        former: Pid,
    },
    /// The thread exited or was killed.
    Exited(WaitStatus),
    /// The tracer let the thread go; it runs on untraced.
    Detached,
    /// Told once, at the end of an eBPF-backend run: how many records the kernel could not
    /// hand over because the ring buffer was full (the program is never slowed to wait for
    /// the reader, so under extreme load some calls and events are missing from the trace).
    Lost {
        /// Records lost; 0 when the trace is complete.
        records: u64,
    },
}

/// An observer of the trace: the strace text, JSON lines, the `-c` table, or your own.
pub trait Sink {
    /// The syscalls this sink needs to see. The engine stops only at the calls some sink
    /// or the handler is interested in, and lets the others run with no stop at all (a
    /// seccomp filter); process events and signals always reach every sink.
    fn interest(&self) -> Interest {
        Interest::all()
    }

    /// Whether this sink needs `call`'s syscall-exit stop (its result, its out-arguments,
    /// or its duration). Asked once per call at its entry; a call no sink or handler needs
    /// at exit costs one stop instead of two.
    fn wants_exit(&self, call: &Syscall) -> bool {
        let _ = call;
        true
    }

    /// Whether this sink reads [`Event::system_time`]. Measuring it costs the kernel a
    /// little at every stop, so it is zero unless some sink asks.
    fn wants_system_time(&self) -> bool {
        false
    }

    /// Takes one event.
    ///
    /// # Errors
    /// A failed write; the sink is then dropped and the run goes on without it.
    fn event(&mut self, event: &Event<'_>) -> io::Result<()>;

    /// Asked once, before any event, by a filter that decides whether a call is shown only
    /// when it ends (strace's `-e status=`, `-z`, `-Z`). A sink that answers true keeps what
    /// each [`SyscallEntered`](EventKind::SyscallEntered) tells (decoded then, as strace
    /// decodes the entry of a call whose status decides) and writes nothing of the call
    /// until its [`SyscallExited`](EventKind::SyscallExited); a call the filter turns down
    /// ends with [`withdraw_call`](Sink::withdraw_call) instead. The default, false, makes
    /// the filter hold the entry event and hand it over just before the exit event, so the
    /// sink reads the call's in-arguments at its exit.
    fn defer_calls(&mut self) -> bool {
        false
    }

    /// The call `tid` entered is not shown after all (see [`defer_calls`](Sink::defer_calls)):
    /// forget it.
    ///
    /// # Errors
    /// A failed write.
    fn withdraw_call(&mut self, tid: Pid) -> io::Result<()> {
        let _ = tid;
        Ok(())
    }

    /// The run ended: write out what is buffered (a summary, the rest of a line).
    ///
    /// # Errors
    /// A failed write.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<S: Sink + ?Sized> Sink for Box<S> {
    fn interest(&self) -> Interest {
        (**self).interest()
    }

    fn wants_exit(&self, call: &Syscall) -> bool {
        (**self).wants_exit(call)
    }

    fn wants_system_time(&self) -> bool {
        (**self).wants_system_time()
    }

    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        (**self).event(event)
    }

    fn defer_calls(&mut self) -> bool {
        (**self).defer_calls()
    }

    fn withdraw_call(&mut self, tid: Pid) -> io::Result<()> {
        (**self).withdraw_call(tid)
    }

    fn finish(&mut self) -> io::Result<()> {
        (**self).finish()
    }
}

/// Hands `event` to every sink. A sink whose write fails is dropped and the run goes on;
/// the first such error is kept in `output_error` for the outcome.
pub(crate) fn deliver(
    sinks: &mut Vec<Box<dyn Sink>>,
    event: &Event<'_>,
    output_error: &mut Option<std::io::Error>,
) {
    sinks.retain_mut(|sink| match sink.event(event) {
        Ok(()) => true,
        Err(e) => {
            output_error.get_or_insert(e);
            false
        }
    });
}

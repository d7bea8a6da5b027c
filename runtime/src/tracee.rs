//! The handle a handler gets for the tracee making the call.

use crate::linux::Syscall;
use crate::memory::Memory;
use crate::{Errno, SysResult};
use nix::unistd::Pid;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// Where a handler's forwarded call stands; shared between the handler's future and the
/// tracer loop, which resumes the tracee and reports the result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Forward {
    /// The handler has not asked for the call to run.
    #[default]
    Idle,
    /// The handler asked to run this call (possibly rewritten) and awaits its result.
    Requested(Syscall),
    /// The handler let this call (possibly rewritten) run without waiting for its result.
    Pass(Syscall),
    /// The kernel ran it; this is the raw return value.
    Done(i64),
    /// The handler asked to run this extra call before deciding about the current one.
    Inject(Syscall),
    /// The injected call returned this raw value.
    Injected(i64),
    /// The handler already forwarded once in this syscall.
    Spent,
}

/// One traced thread, as a handler sees it during a syscall.
///
/// Gives the thread's ids, its memory, and [`forward`](Tracee::forward), which runs the call
/// in the kernel and hands back the result.
pub struct Tracee {
    tid: Pid,
    pid: Pid,
    memory: Memory,
    /// The call starts the program: the launcher's execve of it.
    starting: bool,
    pub(crate) forward: Rc<Cell<Forward>>,
    /// A signal to send the thread as the call returns; 0 for none.
    pub(crate) signal: Rc<Cell<i32>>,
}

impl Tracee {
    pub(crate) fn new(tid: Pid, pid: Pid, starting: bool) -> Self {
        Tracee {
            tid,
            pid,
            memory: Memory::new(tid),
            starting,
            forward: Rc::default(),
            signal: Rc::default(),
        }
    }

    /// The thread id of the thread making the call.
    pub fn tid(&self) -> Pid {
        self.tid
    }

    /// The process id (thread group id) of the thread making the call.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// The tracee's address space.
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// Whether this call is the start of the traced program: the `execve` with which the
    /// tracer's launcher becomes it. strace neither counts nor tampers with that call, and
    /// a handler that mimics strace lets it pass.
    pub fn starting(&self) -> bool {
        self.starting
    }

    /// Sends `signal` to the thread as the current call returns, as the kernel sends one
    /// (`si_code=SI_KERNEL`): the program's handler for it runs, or its default action
    /// happens, before the program sees the call's result. strace's `inject=...:signal=`.
    /// Whatever the handler decides about the call, the signal follows; the last one
    /// raised in a call is the one sent. A call that never returns (`exit`, a successful
    /// `execve`) sends none.
    pub fn raise(&mut self, signal: i32) {
        self.signal.set(signal);
    }

    /// The thread's stack pointer (`rsp`) at this syscall. Below it lie the 128-byte red
    /// zone, which the program may still use, and then stack the program is not using: a
    /// handler can put data there (a rewritten path) for the kernel to read during the call.
    ///
    /// # Errors
    /// `ESRCH` if the thread is gone.
    pub fn stack_pointer(&self) -> Result<u64, Errno> {
        nix::sys::ptrace::getregs(self.tid)
            .map(|regs| regs.rsp)
            .map_err(|e| Errno::new(e as i32))
    }

    /// Lets `call` run in the kernel (as given: a handler may have changed its arguments)
    /// without waiting for the result, which reaches the program unchanged: `return
    /// t.pass(call)`. Decided at entry, it costs a single ptrace stop. The `Ok(0)` it returns
    /// only satisfies the method's type; the program gets the kernel's result.
    ///
    /// After a `pass` or `forward` in the same syscall it returns `ENOSYS` and does nothing.
    pub fn pass(&mut self, call: impl Into<Syscall>) -> SysResult {
        if !self.request(Forward::Pass(call.into())) {
            return Err(Errno::ENOSYS);
        }
        Ok(0)
    }

    /// Runs `call` in the kernel (as given: a handler may have changed its arguments) and
    /// returns what the kernel returned. Awaiting the result costs a second ptrace stop,
    /// the syscall-exit stop; other tracees keep running while this one waits.
    ///
    /// A call can be forwarded once; a second `forward` in the same syscall returns
    /// `ENOSYS` without running anything.
    pub async fn forward(&mut self, call: impl Into<Syscall>) -> SysResult {
        if !self.request(Forward::Requested(call.into())) {
            return Err(Errno::ENOSYS);
        }
        let ret = Reply {
            state: &self.forward,
            next: Forward::Spent,
        }
        .await;
        Errno::from_ret(ret)
    }

    /// Makes the tracee run `call` now, before the syscall it is stopped in, and returns
    /// the result: to map a scratch page (`mmap`), close a descriptor, ask for the pid...
    /// The current syscall is untouched and waits for the handler's decision, which may
    /// come after several injections. Each injection costs two ptrace stops.
    ///
    /// After a [`forward`](Tracee::forward) has returned, the injected call runs after the
    /// current one, before the program sees its result (to make it wait, for example);
    /// that costs three stops, as the thread goes back to its `syscall` instruction to make
    /// it. A signal handler may run before an injected call.
    ///
    /// Not after the current call is passed or answered, nor while a forward is under
    /// way: then it returns `ENOSYS`; also after a forward whose thread does not return to
    /// a `syscall` instruction (a successful `execve`, an `int 0x80` call) or whose call is
    /// about to be restarted (a signal interrupted it).
    pub async fn inject(&mut self, call: impl Into<Syscall>) -> SysResult {
        let call = call.into();
        // After a forward the call has run; before, the handler still owes a decision.
        let next = match self.forward.get() {
            Forward::Idle => Forward::Idle,
            Forward::Spent => Forward::Spent,
            _ => return Err(Errno::ENOSYS),
        };
        self.forward.set(Forward::Inject(call));
        let ret = Reply {
            state: &self.forward,
            next,
        }
        .await;
        Errno::from_ret(ret)
    }

    /// Records what the handler asks of the tracer loop, if it has not decided yet.
    fn request(&self, request: Forward) -> bool {
        let undecided = self.forward.get() == Forward::Idle;
        if undecided {
            self.forward.set(request);
        }
        undecided
    }
}

/// Resolves once the tracer loop has stored a result: the syscall-exit value of a
/// forwarded call (`Done`) or of an injected one (`Injected`). Leaves the state at `next`.
struct Reply<'a> {
    state: &'a Cell<Forward>,
    next: Forward,
}

impl Future for Reply<'_> {
    type Output = i64;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<i64> {
        match self.state.get() {
            Forward::Done(ret) | Forward::Injected(ret) => {
                self.state.set(self.next);
                Poll::Ready(ret)
            }
            _ => Poll::Pending,
        }
    }
}

//! The only module allowed `unsafe` code.
//!
//! Contract: every function here is safe to call; each `unsafe` block states why the raw
//! call cannot violate memory safety. What lives here: the ptrace requests nix does not wrap
//! (`PTRACE_GET_SYSCALL_INFO`, `PTRACE_LISTEN`), fork-and-exec of the tracee, plain-data
//! conversions for tracee structs, and re-raising a fatal signal.
#![allow(unsafe_code)]

pub mod abi;
pub mod files;
mod seccomp;
mod spawn;
mod startup;

pub use seccomp::{DATA_OURS, Filter, Interest};
pub use spawn::{DaemonSide, Daemonize, SpawnSpec, daemonize, exec_when_seized, fork_stopped};
pub use startup::closed_at_start;

use nix::sys::uio::{RemoteIoVec, process_vm_readv, process_vm_writev};
use nix::unistd::Pid;
use std::io::{self, IoSlice, IoSliceMut};

/// Plain old data: any bit pattern of `size_of::<Self>()` bytes is a valid value, and the
/// type has no padding that would leak uninitialised bytes when written out.
///
/// # Safety
/// Implement only for `#[repr(C)]` integer-only structs without padding (or integers).
pub unsafe trait Pod: Copy + 'static {}

macro_rules! pod {
    ($($ty:ty),* $(,)?) => {$(
        // SAFETY: integers and libc's kernel-ABI structs made only of integer fields with no
        // padding between them on x86_64 (checked against the kernel's uapi layouts).
        unsafe impl Pod for $ty {}
    )*};
}

pod!(
    u8,
    i8,
    u16,
    i16,
    u32,
    i32,
    u64,
    i64,
    usize,
    isize,
    [i32; 2],
    abi::WaitStatus,
    libc::timespec,
    libc::timeval,
    abi::Timezone,
    libc::itimerval,
    libc::itimerspec,
    libc::rlimit,
    libc::stat,
    libc::statx,
    libc::statfs,
    libc::tms,
    libc::utsname,
    abi::Sysinfo,
    libc::rusage,
    libc::pollfd,
);

/// Reads a `T` out of `bytes` (which must be exactly `size_of::<T>()` long).
pub fn pod_from_bytes<T: Pod>(bytes: &[u8]) -> T {
    assert_eq!(bytes.len(), std::mem::size_of::<T>());
    // SAFETY: the length was checked just above, read_unaligned has no alignment need, and
    // `T: Pod` makes every bit pattern a valid `T`.
    unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast::<T>()) }
}

/// The bytes of a `T`.
pub fn pod_as_bytes<T: Pod>(value: &T) -> &[u8] {
    // SAFETY: `value` is a live reference, the slice covers exactly its size and lives as
    // long as the borrow; `T: Pod` has no padding, so every byte is initialised.
    unsafe { std::slice::from_raw_parts((value as *const T).cast::<u8>(), size_of::<T>()) }
}

/// `process_vm_readv` into `buf` from `addr` of `pid`; may read fewer bytes than asked.
pub fn vm_read(pid: Pid, addr: u64, buf: &mut [u8]) -> nix::Result<usize> {
    let len = buf.len();
    process_vm_readv(
        pid,
        &mut [IoSliceMut::new(buf)],
        &[RemoteIoVec {
            base: addr as usize,
            len,
        }],
    )
}

/// `process_vm_writev` of `bytes` to `addr` of `pid`; may write fewer bytes than asked.
pub fn vm_write(pid: Pid, addr: u64, bytes: &[u8]) -> nix::Result<usize> {
    process_vm_writev(
        pid,
        &[IoSlice::new(bytes)],
        &[RemoteIoVec {
            base: addr as usize,
            len: bytes.len(),
        }],
    )
}

/// What `PTRACE_GET_SYSCALL_INFO` says about a syscall stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyscallStop {
    /// Syscall-entry stop.
    Entry {
        arch: u32,
        number: i64,
        args: [u64; 6],
    },
    /// Syscall-exit stop with the raw return value.
    Exit { ret: i64 },
    /// `PTRACE_EVENT_SECCOMP` stop: like an entry, plus the filter's `SECCOMP_RET_DATA`.
    Seccomp {
        arch: u32,
        number: i64,
        args: [u64; 6],
        data: u32,
    },
    /// Not a syscall stop.
    None,
}

/// `PTRACE_GET_SYSCALL_INFO` (Linux 5.3): which syscall stop this is, with its data.
pub fn syscall_info(pid: Pid) -> io::Result<SyscallStop> {
    let mut info = std::mem::MaybeUninit::<libc::ptrace_syscall_info>::zeroed();
    let size = size_of::<libc::ptrace_syscall_info>();
    // SAFETY: the kernel writes at most `size` bytes into `info`, which is that large and
    // zero-initialised (ptrace(2), PTRACE_GET_SYSCALL_INFO).
    let written = unsafe {
        libc::ptrace(
            libc::PTRACE_GET_SYSCALL_INFO,
            pid.as_raw(),
            size,
            info.as_mut_ptr(),
        )
    };
    if written < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: zero-initialised above and partially filled by the kernel; all fields are
    // integers, so any content is a valid value.
    let info = unsafe { info.assume_init() };
    // SAFETY: for each `op` the kernel fills the matching union member (ptrace(2)); the
    // union's members are integer-only, so reading one never yields an invalid value.
    Ok(unsafe {
        match info.op {
            libc::PTRACE_SYSCALL_INFO_ENTRY => SyscallStop::Entry {
                arch: info.arch,
                number: info.u.entry.nr as i64,
                args: info.u.entry.args,
            },
            libc::PTRACE_SYSCALL_INFO_EXIT => SyscallStop::Exit {
                ret: info.u.exit.sval,
            },
            libc::PTRACE_SYSCALL_INFO_SECCOMP => SyscallStop::Seccomp {
                arch: info.arch,
                number: info.u.seccomp.nr as i64,
                args: info.u.seccomp.args,
                data: info.u.seccomp.ret_data,
            },
            _ => SyscallStop::None,
        }
    })
}

/// `PTRACE_LISTEN`: leave a tracee in its group-stop while still reporting events.
pub fn ptrace_listen(pid: Pid) -> nix::Result<()> {
    // SAFETY: PTRACE_LISTEN takes no pointers (addr and data are 0).
    let r = unsafe { libc::ptrace(libc::PTRACE_LISTEN, pid.as_raw(), 0usize, 0usize) };
    if r < 0 {
        Err(nix::errno::Errno::last())
    } else {
        Ok(())
    }
}

/// Ends this process by `signal` as the traced program ended, without a core dump: the
/// default action is restored, the signal unblocked and sent to ourselves.
pub fn die_by_signal(signal: i32) -> ! {
    let no_core = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscalls on our own process with valid arguments; `no_core` and the
    // signal set are live locals.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        libc::signal(signal, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(signal);
    }
    // A signal whose default action does not kill (it was ignored, or is SIGCHLD-like):
    // exit as a shell reports death by signal.
    std::process::exit(128 + signal)
}

/// `PTRACE_SYSCALL`: restarts a stopped tracee up to its next syscall stop, delivering
/// signal `signal` (0 for none). Unlike nix's wrapper this takes any signal number,
/// real-time signals included.
pub fn resume_syscall(pid: Pid, signal: i32) -> nix::Result<()> {
    restart(libc::PTRACE_SYSCALL, pid, signal)
}

/// `PTRACE_CONT`: restarts a stopped tracee with no syscall stops, delivering `signal`.
pub fn resume_cont(pid: Pid, signal: i32) -> nix::Result<()> {
    restart(libc::PTRACE_CONT, pid, signal)
}

fn restart(request: libc::c_uint, pid: Pid, signal: i32) -> nix::Result<()> {
    // SAFETY: PTRACE_SYSCALL, PTRACE_CONT and PTRACE_DETACH take no pointer; data is the
    // signal number.
    let r = unsafe { libc::ptrace(request, pid.as_raw(), 0usize, signal as usize) };
    if r < 0 {
        Err(nix::errno::Errno::last())
    } else {
        Ok(())
    }
}

/// One tracee's state change, as `wait4` reports it.
#[derive(Clone, Copy, Debug)]
pub struct Waited {
    /// The thread.
    pub tid: Pid,
    /// How it stopped or ended.
    pub status: abi::WaitStatus,
    /// The system CPU time its process has used so far (what strace's `-c` sums).
    pub system_time: std::time::Duration,
}

/// `wait4(-1, __WALL | __WNOTHREAD)`: the next state change of one of this thread's
/// tracees or children. Not nix's wrapper, whose decoding rejects real-time signal numbers.
/// `system_time` is measured only with `usage` (it costs the kernel a walk of the
/// process's threads at every stop); otherwise it is zero.
pub fn wait_any(usage: bool) -> nix::Result<Waited> {
    // A tracer blocked in wait4 lets its CPU go idle, and on a virtual machine waking it
    // for the next stop (an IPI, an idle exit) can cost more than the stop itself: tens
    // of microseconds, twice per traced call. Most stops follow the previous restart
    // closely, so the tracer first polls for a short while, yielding between polls so
    // that a tracee waiting for this CPU gets it. A trace of `find`'s openat calls ran
    // 2.5x faster this way on an idle 2-CPU VM, and no slower with the other CPU busy.
    let start = std::time::Instant::now();
    loop {
        if let Some(waited) = wait4(libc::WNOHANG, usage)? {
            return Ok(waited);
        }
        if start.elapsed() >= WAIT_SPIN {
            break;
        }
        // SAFETY: sched_yield takes nothing and touches no memory.
        unsafe { libc::sched_yield() };
    }
    wait4(0, usage).map(|w| w.expect("a blocking wait returns a tracee"))
}

/// How long [`wait_any`] polls before it blocks.
const WAIT_SPIN: std::time::Duration = std::time::Duration::from_micros(50);

/// As [`wait_any`] with `WNOHANG`: `Ok(None)` when no tracee has changed state.
pub fn wait_any_nohang(usage: bool) -> nix::Result<Option<Waited>> {
    wait4(libc::WNOHANG, usage)
}

fn wait4(flags: i32, with_usage: bool) -> nix::Result<Option<Waited>> {
    let mut status = 0;
    // SAFETY: a zeroed rusage (integers only) for the kernel to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `status` and `usage` are live locals for the kernel to fill.
    let pid = unsafe {
        libc::wait4(
            -1,
            &mut status,
            libc::__WALL | libc::__WNOTHREAD | flags,
            if with_usage {
                &mut usage
            } else {
                std::ptr::null_mut()
            },
        )
    };
    match pid {
        0 => Ok(None),
        p if p < 0 => Err(nix::errno::Errno::last()),
        p => Ok(Some(Waited {
            tid: Pid::from_raw(p),
            status: abi::WaitStatus(status),
            system_time: std::time::Duration::new(
                usage.ru_stime.tv_sec.max(0) as u64,
                (usage.ru_stime.tv_usec.clamp(0, 999_999) as u32).saturating_mul(1000),
            ),
        })),
    }
}

/// `waitpid(pid, WSTOPPED)` for the freshly forked child: raw status of its first stop (or
/// its exit, if its set-up failed).
pub fn wait_stopped(pid: Pid) -> nix::Result<abi::WaitStatus> {
    let mut status = 0;
    loop {
        // SAFETY: `status` is a live int for the kernel to fill.
        let r = unsafe { libc::waitpid(pid.as_raw(), &mut status, libc::WSTOPPED | libc::__WALL) };
        match r {
            r if r >= 0 => return Ok(abi::WaitStatus(status)),
            _ if nix::errno::Errno::last() == nix::errno::Errno::EINTR => continue,
            _ => return Err(nix::errno::Errno::last()),
        }
    }
}

/// The fields of a siginfo that strace shows, read from the union the kernel filled.
#[derive(Clone, Copy, Debug)]
pub struct SigInfo {
    /// `si_signo`.
    pub signo: i32,
    /// `si_code`: who sent it (`SI_USER`, `SI_KERNEL`, ...) or why (`CLD_EXITED`, ...).
    pub code: i32,
    /// `si_pid`: the sender, or the child of a `SIGCHLD`.
    pub pid: i32,
    /// `si_uid`.
    pub uid: u32,
    /// `si_status` of a `SIGCHLD`: exit code or signal.
    pub status: i32,
    /// `si_addr` of a fault.
    pub addr: u64,
    /// User CPU time of a `SIGCHLD`'s child, in clock ticks.
    pub utime: i64,
    /// System CPU time of a `SIGCHLD`'s child, in clock ticks.
    pub stime: i64,
}

/// `PTRACE_GETSIGINFO` of a tracee in signal-delivery-stop.
pub fn siginfo(pid: Pid) -> nix::Result<SigInfo> {
    let info = nix::sys::ptrace::getsiginfo(pid)?;
    // SAFETY: the accessors read union members of a siginfo_t the kernel filled; every
    // member is plain integers or a pointer value we only print, never dereference.
    let (sender, uid, status, addr, utime, stime) = unsafe {
        (
            info.si_pid(),
            info.si_uid(),
            info.si_status(),
            info.si_addr() as u64,
            info.si_utime(),
            info.si_stime(),
        )
    };
    Ok(SigInfo {
        signo: info.si_signo,
        code: info.si_code,
        pid: sender,
        uid,
        status,
        addr,
        utime,
        stime,
    })
}

/// Sets `signal` to be ignored in this process, returning whether it was at its default
/// action before (and so should be restored, and reset in children).
pub fn ignore_if_default(signal: i32) -> bool {
    // SAFETY: SIG_IGN is a valid disposition; the previous one is only compared.
    let previous = unsafe { libc::signal(signal, libc::SIG_IGN) };
    if previous != libc::SIG_DFL {
        // SAFETY: putting back the disposition signal() just returned.
        unsafe { libc::signal(signal, previous) };
        return false;
    }
    true
}

/// Restores the default action of `signal`.
pub fn restore_default(signal: i32) {
    // SAFETY: SIG_DFL is a valid disposition.
    unsafe { libc::signal(signal, libc::SIG_DFL) };
}

/// For each signal number, the sender of the last one `catch_signals` recorded, plus one
/// (0: none since the last `take_caught_signals`). The kernel's own signals have sender 0.
static CAUGHT: [std::sync::atomic::AtomicI64; 65] =
    [const { std::sync::atomic::AtomicI64::new(0) }; 65];

/// Set when any slot of [`CAUGHT`] was filled since the last `take_caught_signals`.
static ANY_CAUGHT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn record_signal(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: with SA_SIGINFO the kernel passes a valid siginfo; `si_pid` is meaningful for
    // SI_USER/SI_QUEUE/SI_TKILL senders and 0 otherwise, and is only stored.
    let sender = if info.is_null() {
        0
    } else {
        unsafe { (*info).si_pid() }
    };
    if let Some(slot) = CAUGHT.get(signal as usize) {
        slot.store(i64::from(sender) + 1, std::sync::atomic::Ordering::SeqCst);
        ANY_CAUGHT.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Installs a handler for each of `signals` that only records it and its sender, without
/// `SA_RESTART`, so the tracer's blocking `waitpid` returns `EINTR` and the loop can react.
/// The dispositions they had are put back when the returned guard is dropped.
pub fn catch_signals(signals: &[i32]) -> CaughtSignals {
    let mut saved = Vec::new();
    for &signal in signals {
        // SAFETY: the handler only stores to atomics (async-signal-safe); the sigaction
        // structs are zeroed live locals, set as sigaction(2) expects, and the kernel fills
        // `previous`.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = record_signal
                as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void)
                as usize;
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, &action, &mut previous) == 0 {
                saved.push((signal, previous));
            }
        }
    }
    CaughtSignals { saved }
}

/// Whether `signal` is ignored (`SIG_IGN`) in this process.
pub fn is_ignored(signal: i32) -> bool {
    // SAFETY: a null new action only queries; the kernel fills the zeroed `current`.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut current) == 0
            && current.sa_sigaction == libc::SIG_IGN
    }
}

/// The dispositions `catch_signals` replaced, restored on drop, so a host program's own
/// handlers survive a traced run.
pub struct CaughtSignals {
    saved: Vec<(i32, libc::sigaction)>,
}

impl Drop for CaughtSignals {
    fn drop(&mut self) {
        for (signal, previous) in &self.saved {
            // SAFETY: `previous` is exactly what sigaction(2) returned for this signal.
            unsafe { libc::sigaction(*signal, previous, std::ptr::null_mut()) };
        }
    }
}

/// The signals `catch_signals` recorded since the last call, as `(signal, sender pid)`.
pub fn take_caught_signals() -> Vec<(i32, i32)> {
    // Asked at every stop: one load when nothing came, not 65 swaps.
    if !ANY_CAUGHT.swap(false, std::sync::atomic::Ordering::SeqCst) {
        return Vec::new();
    }
    CAUGHT
        .iter()
        .enumerate()
        .filter_map(
            |(signal, slot)| match slot.swap(0, std::sync::atomic::Ordering::SeqCst) {
                0 => None,
                sender => Some((signal as i32, (sender - 1) as i32)),
            },
        )
        .collect()
}

/// Blocks every signal in the calling thread, so process-directed signals go to the
/// tracer thread (whose `waitpid` they must interrupt).
pub fn block_signals_in_this_thread() {
    // SAFETY: a zeroed sigset_t filled by sigfillset; pthread_sigmask only reads it.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
    }
}

/// `PTRACE_DETACH`, delivering `signal` (0 for none) as the tracee resumes.
pub fn detach(pid: Pid, signal: i32) -> nix::Result<()> {
    restart(libc::PTRACE_DETACH, pid, signal)
}

/// `kill(pid, signal)` for any signal number, real-time ones included.
pub fn send_signal(pid: Pid, signal: i32) -> nix::Result<()> {
    // SAFETY: kill(2) takes two integers.
    if unsafe { libc::kill(pid.as_raw(), signal) } < 0 {
        Err(nix::errno::Errno::last())
    } else {
        Ok(())
    }
}

/// `PR_SET_DUMPABLE`: whether processes of the same user may ptrace this one, read its
/// memory or take its descriptors (`pidfd_getfd`). Returns the previous setting.
pub fn set_dumpable(on: bool) -> bool {
    // SAFETY: prctl with integer arguments.
    unsafe {
        let previous = libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) == 1;
        libc::prctl(libc::PR_SET_DUMPABLE, libc::c_ulong::from(on), 0, 0, 0);
        previous
    }
}

/// `getxattr(2)` of `name` on `path` (following links): the attribute's bytes, `None` when
/// the file has no such attribute or cannot be reached. `/proc/PID/fd/N` of a socket has
/// `system.sockprotoname`, the kernel's name of its protocol (`TCP`, `UNIX-STREAM`).
pub fn getxattr(path: &std::ffi::CStr, name: &std::ffi::CStr) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; 256];
    // SAFETY: both names are NUL-terminated C strings that outlive the call, and the
    // kernel writes at most `buf.len()` bytes into `buf`, which is that long.
    let len = unsafe {
        libc::getxattr(
            path.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast::<libc::c_void>(),
            buf.len(),
        )
    };
    let len = usize::try_from(len).ok()?;
    buf.truncate(len);
    // The kernel counts the terminating NUL of a string attribute.
    if buf.last() == Some(&0) {
        buf.pop();
    }
    Some(buf)
}

/// An epoll instance watching one descriptor edge-triggered: [`wait`](EdgeWait::wait)
/// returns when the descriptor's owner wakes its waiters (for a BPF ring buffer: when the
/// BPF program forces a wake-up), not merely because data is there, so a reader that has
/// drained what it could sleeps until woken or until its timeout.
pub struct EdgeWait {
    epoll: std::os::fd::OwnedFd,
}

impl EdgeWait {
    /// Watches `fd` (which must outlive this) for input, edge-triggered.
    ///
    /// # Errors
    /// `epoll_create1` or `epoll_ctl` failed.
    pub fn new(fd: std::os::fd::RawFd) -> io::Result<Self> {
        use std::os::fd::FromRawFd;
        // SAFETY: plain syscall, no pointers.
        let epoll = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if epoll < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `epoll` was just created and is owned by nothing else.
        let epoll = unsafe { std::os::fd::OwnedFd::from_raw_fd(epoll) };
        let mut event = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLET) as u32,
            u64: 0,
        };
        // SAFETY: a valid epoll descriptor and a valid event on this stack.
        let done = unsafe {
            libc::epoll_ctl(
                std::os::fd::AsRawFd::as_raw_fd(&epoll),
                libc::EPOLL_CTL_ADD,
                fd,
                &mut event,
            )
        };
        if done < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(EdgeWait { epoll })
    }

    /// Sleeps until the watched descriptor is woken, or for at most `timeout`.
    pub fn wait(&self, timeout: std::time::Duration) {
        let mut event = libc::epoll_event { events: 0, u64: 0 };
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one epoll_event of room on this stack, as maxevents says.
        unsafe {
            libc::epoll_wait(
                std::os::fd::AsRawFd::as_raw_fd(&self.epoll),
                &mut event,
                1,
                ms,
            )
        };
    }
}

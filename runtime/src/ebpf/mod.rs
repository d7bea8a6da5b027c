//! A second source of the same events: eBPF programs on the raw syscall tracepoints, for a
//! trace that only observes. No process ever stops: each syscall of a traced process is
//! written, as it returns, to a ring buffer with copies of the memory its arguments point
//! to (as much as the table and `-s` say), and this side decodes the copy with the same
//! decoders the ptrace engine uses and tells the same [`Sink`]s.
//!
//! The traced processes are a set of thread-group ids the kernel side keeps in step with
//! `sched_process_fork` and `sched_process_exit`, so a child is followed from birth; the
//! program is released to exec only once its own id is in the set.
//!
//! What it cannot do: change anything (no handlers, no injection), attach to a running
//! process, or slow the program down to keep up. Records the ring had no room for are
//! counted in the kernel and reported at the end ([`EventKind::Lost`]). It needs root (or
//! `CAP_BPF` and `CAP_PERFMON`) and a kernel with BTF.

mod capture;
mod record;

use crate::WaitStatus;
use crate::events::{Event, EventKind, Return, Sink};
use crate::linux::Syscall;
use crate::memory::Image;
use aya::maps::{Array, HashMap, MapData, PerCpuArray, RingBuf};
use aya::programs::RawTracePoint;
use aya::{Ebpf, EbpfLoader};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::time::{ClockId, clock_gettime};
use nix::unistd::Pid;
use record::{Kind, Record};
use std::collections::HashMap as Map;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant, SystemTime};

/// The compiled BPF side: built from `observe.bpf.c` by `build.sh` and committed, so that
/// building interpose needs only the Rust toolchain.
static OBJECT: &[u8] = aya::include_bytes_aligned!("observe.bpf.o");

/// The ring buffer's default size: with batched wake-ups, none of the benchmark's
/// workloads loses a record at this size.
pub const DEFAULT_RING_BYTES: u32 = 32 << 20;

/// How long the reader sleeps when the kernel has not woken it.
const POLL: Duration = Duration::from_millis(5);

/// The tracepoints and the programs attached to them (program name = tracepoint name).
const TRACEPOINTS: [&str; 6] = [
    "sys_enter",
    "sys_exit",
    "sched_process_fork",
    "sched_process_exec",
    "sched_process_exit",
    "signal_deliver",
];

/// Why this machine cannot run the eBPF backend, or `None` when it looks able to (the
/// load itself may still fail; then its error says why).
pub fn unavailable() -> Option<String> {
    if !std::path::Path::new("/sys/kernel/btf/vmlinux").exists() {
        return Some("the kernel has no BTF (/sys/kernel/btf/vmlinux)".into());
    }
    if !has_capabilities() {
        return Some("loading eBPF programs needs root (or CAP_BPF and CAP_PERFMON)".into());
    }
    None
}

/// Root's capabilities, or CAP_BPF (39) with CAP_PERFMON (38), in the effective set.
fn has_capabilities() -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    let effective = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0);
    let has = |cap: u32| effective & (1u64 << cap) != 0;
    has(21) || (has(39) && has(38))
}

/// A failed load or attach, as one line.
fn failed(what: &str, error: impl std::fmt::Display) -> crate::Error {
    // A verifier's refusal comes with its whole log: the first line says what failed
    // (INTERPOSE_BPF_LOG=1 shows all of it, for whoever changes observe.bpf.c).
    let error = error.to_string();
    let first = if std::env::var_os("INTERPOSE_BPF_LOG").is_some() {
        error.as_str()
    } else {
        error.lines().next().unwrap_or_default()
    };
    crate::Error::Ebpf(format!("{what}: {first}"))
}

/// The loaded, attached programs, before the program to trace exists.
pub(crate) struct Observer {
    bpf: Ebpf,
    ring: RingBuf<MapData>,
    traced: HashMap<MapData, u32, u32>,
}

/// How an observed run ended.
pub(crate) struct Observed {
    /// The first process's wait status.
    pub status: WaitStatus,
    /// `--timeout` fired and the traced tree was killed.
    pub timed_out: bool,
    /// The first failed write of a sink.
    pub output_error: Option<std::io::Error>,
}

impl Observer {
    /// Loads the BPF programs with the capture table for `string_limit` and a ring of
    /// `ring_bytes` (a power of two), and attaches them.
    ///
    /// # Errors
    /// [`Error::Ebpf`](crate::Error::Ebpf) naming what failed.
    pub(crate) fn load(string_limit: usize, ring_bytes: u32) -> Result<Observer, crate::Error> {
        if let Some(reason) = unavailable() {
            return Err(crate::Error::Ebpf(reason));
        }
        let mut bpf = EbpfLoader::new()
            .set_max_entries("events", ring_bytes.next_power_of_two().max(4096))
            .load(OBJECT)
            .map_err(|e| failed("loading the BPF object", e))?;
        let map = bpf
            .map_mut("capture")
            .ok_or_else(|| failed("map", "capture"))?;
        let mut table: Array<_, [u8; capture::ENTRY]> =
            Array::try_from(map).map_err(|e| failed("the capture map", e))?;
        for (number, entry) in capture::table(string_limit) {
            table
                .set(number, entry, 0)
                .map_err(|e| failed("filling the capture map", e))?;
        }
        for name in TRACEPOINTS {
            let program: &mut RawTracePoint = bpf
                .program_mut(name)
                .ok_or_else(|| failed("program", name))?
                .try_into()
                .map_err(|e| failed(name, e))?;
            program.load().map_err(|e| failed(name, e))?;
            program.attach(name).map_err(|e| failed(name, e))?;
        }
        let ring = bpf
            .take_map("events")
            .ok_or_else(|| failed("map", "events"))?;
        let ring = RingBuf::try_from(ring).map_err(|e| failed("the ring buffer", e))?;
        let traced = bpf
            .take_map("traced")
            .ok_or_else(|| failed("map", "traced"))?;
        let traced = HashMap::try_from(traced).map_err(|e| failed("the traced map", e))?;
        Ok(Observer { bpf, ring, traced })
    }

    /// Traces `child` (stopped, not yet exec'd) and its descendants until all are gone,
    /// telling `sinks`.
    ///
    /// # Errors
    /// The child could not be added to the traced set.
    pub(crate) fn run(
        mut self,
        child: Pid,
        sinks: Vec<Box<dyn Sink>>,
        timeout: Option<Duration>,
    ) -> Result<Observed, crate::Error> {
        let root = child.as_raw() as u32;
        self.traced
            .insert(root, 1, 0)
            .map_err(|e| failed("adding the program to the traced set", e))?;
        let mut decoder = Decoder::new(child, sinks);
        decoder.emit(root, root, SystemTime::now(), None, EventKind::Started);
        // Released only now: its tgid is in the set, so it and every child it makes are
        // traced from their first instruction.
        let _ = kill(child, Signal::SIGCONT);
        let woken = crate::sys::EdgeWait::new(self.ring.as_raw_fd())
            .map_err(|e| failed("waiting on the ring buffer", e))?;
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut status = None;
        let mut timed_out = false;
        loop {
            while let Some(item) = self.ring.next() {
                if let Some(record) = Record::parse(&item) {
                    decoder.record(record);
                }
            }
            if status.is_none() {
                status = reap(child);
            }
            // Done when the first process was reaped and every traced process is gone.
            if status.is_some() && self.traced.keys().next().is_none() {
                while let Some(item) = self.ring.next() {
                    if let Some(record) = Record::parse(&item) {
                        decoder.record(record);
                    }
                }
                break;
            }
            if !timed_out && deadline.is_some_and(|d| Instant::now() >= d) {
                timed_out = true;
                for tgid in self.traced.keys().flatten() {
                    let _ = kill(Pid::from_raw(tgid as i32), Signal::SIGKILL);
                }
            }
            // Woken when enough records wait (the kernel batches wake-ups), else every
            // few milliseconds: never spinning on a trickle of records, which would take
            // the CPU from the program.
            woken.wait(POLL);
        }
        let lost = self.lost();
        decoder.emit(
            root,
            root,
            SystemTime::now(),
            None,
            EventKind::Lost { records: lost },
        );
        let output_error = decoder.finish();
        Ok(Observed {
            status: status.unwrap_or(WaitStatus::from_raw(0)),
            timed_out,
            output_error,
        })
    }

    /// Records the kernel could not write because the ring was full.
    fn lost(&self) -> u64 {
        let Some(map) = self.bpf.map("stats") else {
            return 0;
        };
        let Ok(stats) = PerCpuArray::<_, u64>::try_from(map) else {
            return 0;
        };
        stats
            .get(&0, 0)
            .map(|per_cpu| per_cpu.iter().sum())
            .unwrap_or(0)
    }
}

/// `waitpid` of the first process without blocking: its status once it has ended.
fn reap(child: Pid) -> Option<WaitStatus> {
    use nix::sys::wait::WaitStatus as Nix;
    match waitpid(child, Some(WaitPidFlag::WNOHANG)) {
        Ok(Nix::Exited(_, code)) => Some(WaitStatus::from_raw((code & 0xff) << 8)),
        Ok(Nix::Signaled(_, signal, core)) => Some(WaitStatus::from_raw(
            signal as i32 | if core { 0x80 } else { 0 },
        )),
        Ok(_) => None,
        // Already reaped, or not our child: nothing more will come.
        Err(_) => Some(WaitStatus::from_raw(0)),
    }
}

/// A call whose entry was recorded on its own: execve (its memory is gone at its exit),
/// exit and exit_group, or a call a thread was in when it exited.
struct Pending {
    call: Syscall,
    image: Image,
    enter_ns: u64,
    pid: u32,
    /// Its entry was told to the sinks. An execve's is told only once the exec (or its
    /// failure) has filled in what its entry could not copy.
    announced: bool,
}

/// Turns records into the events the ptrace engine would have told.
struct Decoder {
    root: u32,
    /// The first process has executed the program: its events are the program's.
    root_started: bool,
    sinks: Vec<Box<dyn Sink>>,
    output_error: Option<std::io::Error>,
    pending: Map<u32, Pending>,
    /// The wall-clock time at which `CLOCK_BOOTTIME` was zero, to date records.
    boot: SystemTime,
}

impl Decoder {
    fn new(root: Pid, sinks: Vec<Box<dyn Sink>>) -> Self {
        let since_boot = clock_gettime(ClockId::CLOCK_BOOTTIME)
            .map(Duration::from)
            .unwrap_or_default();
        let boot = SystemTime::now()
            .checked_sub(since_boot)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        Decoder {
            root: root.as_raw() as u32,
            root_started: false,
            sinks,
            output_error: None,
            pending: Map::new(),
            boot,
        }
    }

    fn time(&self, boot_ns: u64) -> SystemTime {
        self.boot + Duration::from_nanos(boot_ns)
    }

    /// Whether events of `tid` are the program's (not the launcher's before its exec).
    fn visible(&self, tid: u32) -> bool {
        tid != self.root || self.root_started
    }

    /// Tells every sink; a sink that fails is dropped and its error kept for the end.
    fn emit(
        &mut self,
        tid: u32,
        pid: u32,
        time: SystemTime,
        call_time: Option<(Duration, &Image)>,
        kind: EventKind<'_>,
    ) {
        let (system_time, copy) = match call_time {
            Some((spent, image)) => (spent, Some(image)),
            None => (Duration::ZERO, None),
        };
        let event = Event {
            tid: Pid::from_raw(tid as i32),
            pid: Pid::from_raw(pid as i32),
            time,
            system_time,
            copy,
            kind,
        };
        crate::events::deliver(&mut self.sinks, &event, &mut self.output_error);
    }

    fn record(&mut self, record: Record) {
        let Record {
            tid,
            tgid,
            time_ns,
            kind,
            image,
        } = record;
        let time = self.time(time_ns);
        match kind {
            Kind::Syscall {
                nr,
                args,
                ret,
                entry_only,
                enter_ns,
            } => {
                let call = Syscall::from_args(nr, args);
                let exec = matches!(call, Syscall::Execve(_) | Syscall::Execveat(_));
                if !self.visible(tid) && !exec {
                    return;
                }
                if entry_only {
                    let mut pending = Pending {
                        call,
                        image,
                        enter_ns,
                        pid: tgid,
                        announced: false,
                    };
                    if !exec {
                        self.announce(tid, &mut pending);
                    }
                    self.pending.insert(tid, pending);
                    return;
                }
                let spent = Duration::from_nanos(time_ns.saturating_sub(enter_ns));
                let pending = self.pending.remove(&tid).filter(|p| p.call.number() == nr);
                let (call, image) = match pending {
                    Some(mut p) => {
                        // A failed execve: what its exit copied again.
                        for (addr, bytes) in image.regions() {
                            p.image.map(addr, bytes);
                        }
                        self.announce(tid, &mut p);
                        (p.call, p.image)
                    }
                    None => {
                        let entered = EventKind::SyscallEntered { call: &call };
                        let at = self.time(enter_ns);
                        self.emit(tid, tgid, at, Some((Duration::ZERO, &image)), entered);
                        (call, image)
                    }
                };
                let exited = EventKind::SyscallExited {
                    call: &call,
                    ret: Return::Value(ret),
                    injected: false,
                };
                self.emit(tid, tgid, time, Some((spent, &image)), exited);
            }
            Kind::Fork => self.emit(tid, tgid, time, None, EventKind::Started),
            Kind::Exec {
                former,
                filename,
                argv,
            } => {
                if tgid == self.root {
                    self.root_started = true;
                }
                if let Some(mut p) = self.pending.remove(&former) {
                    fill_exec(&mut p, filename, argv);
                    // Told as the thread that called it, before the exec.
                    self.announce(former, &mut p);
                    self.pending.insert(tid, p);
                }
                let former = Pid::from_raw(former as i32);
                self.emit(tid, tgid, time, None, EventKind::Exec { former });
            }
            Kind::Exit { status, superseded } => {
                if let Some(mut p) = self.pending.remove(&tid) {
                    self.announce(tid, &mut p);
                    let exited = EventKind::SyscallExited {
                        call: &p.call,
                        ret: Return::Unfinished,
                        injected: false,
                    };
                    let spent = Duration::from_nanos(time_ns.saturating_sub(p.enter_ns));
                    self.emit(tid, tgid, time, Some((spent, &p.image)), exited);
                }
                if self.visible(tid) && !superseded {
                    let status = WaitStatus::from_raw(status);
                    self.emit(tid, tgid, time, None, EventKind::Exited(status));
                }
            }
            Kind::Signal { signal, info } => {
                // A fatal signal to an untraced process is turned into SIGKILL as it is
                // sent; ptrace (and strace) never show a SIGKILL delivery.
                if self.visible(tid) && signal != libc::SIGKILL {
                    self.emit(tid, tgid, time, None, EventKind::Signal { signal, info });
                }
            }
        }
    }

    /// Tells the sinks that the pending call entered, if not yet told.
    fn announce(&mut self, tid: u32, pending: &mut Pending) {
        if pending.announced {
            return;
        }
        pending.announced = true;
        let at = self.time(pending.enter_ns);
        let entered = EventKind::SyscallEntered {
            call: &pending.call,
        };
        let copy = Some((Duration::ZERO, &pending.image));
        self.emit(tid, pending.pid, at, copy, entered);
    }

    /// Ends every sink; the first failed write, if any.
    fn finish(mut self) -> Option<std::io::Error> {
        for sink in &mut self.sinks {
            if let Err(e) = sink.finish() {
                self.output_error.get_or_insert(e);
            }
        }
        self.output_error
    }
}

/// Maps what the kernel kept of an execve's arguments where its entry could not copy
/// them: the file name at the `pathname` pointer, the n-th argv string at the n-th pointer
/// of the argv array (when the array itself was copied).
fn fill_exec(pending: &mut Pending, filename: Option<Vec<u8>>, argv: Vec<Vec<u8>>) {
    use crate::memory::ReadMemory;
    let (path, array) = match pending.call {
        Syscall::Execve(call) => (call.pathname.0, call.argv.0),
        // The kernel's file name is then the descriptor's path, not the argument.
        Syscall::Execveat(call) => (0, call.argv.0),
        _ => return,
    };
    let image = &mut pending.image;
    let with_nul = |image: &mut Image, addr: u64, mut bytes: Vec<u8>| {
        if addr != 0 && image.read_cstr(addr, 0).is_err() {
            bytes.push(0);
            image.map(addr, &bytes);
        }
    };
    if let Some(filename) = filename {
        with_nul(image, path, filename);
    }
    let Ok((pointers, _)) = image.read_pointer_array(array, argv.len()) else {
        return;
    };
    for (pointer, string) in pointers.into_iter().zip(argv) {
        with_nul(image, pointer, string);
    }
}

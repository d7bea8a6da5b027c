//! `-P PATH` and `trace-fds=`: whether a call touches a chosen path or descriptor.
//!
//! A path argument matches when its text equals a chosen path (as strace compares, without
//! resolving it). A descriptor argument matches when it is in the `trace-fds=` set, or when
//! it is open on a chosen path. For that, each process's descriptors are followed: the
//! descriptor an `open` of the path returns, and the copies `dup`, `dup2`, `dup3` and
//! `fcntl(F_DUPFD)` make of it, are known to be on the path; `close`, `close_range`, the
//! target of `dup2`/`dup3`, any other call returning a descriptor, and `execve` (which
//! closes the close-on-exec ones) make a number unknown again. A number not known (one
//! inherited from a parent, received over a socket, or opened under another spelling of
//! the path) is looked up once in `/proc/TID/fd`, as strace does for every call, and
//! remembered until it changes. Processes that share a descriptor table without being
//! threads of one process (`clone(CLONE_FILES)`) are followed apart: a `close` in one is
//! not seen by the other's table.

use super::sets::FdSet;
use crate::events::Event;
use crate::linux::Syscall;
use crate::memory::ReadMemory;
use crate::value::ArgKind;
use nix::unistd::Pid;
use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// `PATH_MAX`: the longest path a path argument is read to.
const PATH_MAX: usize = 4096;
/// strace reads at most this many entries of a `poll` array or bits of a `select` set.
const MAX_SET: usize = 1024 * 1024;

/// What a call's exit tells about its process's descriptors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Learn {
    /// Nothing.
    Nothing,
    /// The descriptor it returns is new; `on_path` when it was opened by one of the paths.
    Opened { on_path: bool },
    /// The descriptor it returns is a copy of one that is (`Some(true)`), is not
    /// (`Some(false)`) or may be (`None`) on a chosen path.
    Copied { of: Option<bool> },
}

/// The chosen paths and descriptors, and what is known of each process's descriptors.
pub(super) struct Descriptors {
    paths: Vec<Vec<u8>>,
    fds: Option<FdSet>,
    /// Per process: whether a descriptor number is open on a chosen path.
    tables: HashMap<Pid, HashMap<i32, bool>>,
}

impl Descriptors {
    pub(super) fn new(paths: &[PathBuf], fds: Option<FdSet>) -> Self {
        Descriptors {
            paths: paths
                .iter()
                .map(|p| p.as_os_str().as_bytes().to_vec())
                .collect(),
            fds,
            tables: HashMap::new(),
        }
    }

    /// At a call's entry: whether it touches a chosen path or descriptor, and what to learn
    /// at its exit. Forgets the descriptors the call is about to close or replace.
    pub(super) fn entered(&mut self, event: &Event<'_>, call: &Syscall) -> (bool, Learn) {
        let Some(info) = call.info() else {
            return (false, Learn::Nothing);
        };
        let args = call.to_args();
        let memory = event.memory();
        let on_path = !self.paths.is_empty()
            && info.args.iter().zip(args).any(|(arg, raw)| {
                arg.kind == ArgKind::Path
                    && memory
                        .read_cstr(raw, PATH_MAX)
                        .is_ok_and(|(path, _)| self.paths.contains(&path))
            });
        let mut touches = on_path;
        let fd_args = info
            .args
            .iter()
            .zip(args)
            .filter(|(arg, _)| matches!(arg.kind, ArgKind::Fd | ArgKind::Dirfd))
            .map(|(_, raw)| raw as i32);
        let fds: Vec<i32> = match info.name {
            "poll" | "ppoll" => poll_fds(event, args[0], args[1]),
            "select" | "pselect6" => select_fds(event, args[0] as i32, &args[1..4]),
            _ => fd_args.collect(),
        };
        for fd in fds {
            if touches {
                break;
            }
            touches = self.fd_touches(event, fd);
        }
        let source = args[0] as i32;
        let learn = match info.name {
            "dup" | "dup2" | "dup3" => Learn::Copied {
                of: self.known(event, source),
            },
            "fcntl" if matches!(args[1] as i32, libc::F_DUPFD | libc::F_DUPFD_CLOEXEC) => {
                Learn::Copied {
                    of: self.known(event, source),
                }
            }
            _ if info.ret == crate::value::RetKind::Fd => Learn::Opened { on_path },
            _ => Learn::Nothing,
        };
        let table = self.tables.entry(event.pid).or_default();
        match info.name {
            "close" => {
                table.remove(&source);
            }
            "dup2" | "dup3" => {
                table.remove(&(args[1] as i32));
            }
            "close_range" => {
                let (first, last) = (args[0] as u32, args[1] as u32);
                table.retain(|&fd, _| !(first..=last).contains(&(fd as u32)));
            }
            _ => {}
        }
        (touches, learn)
    }

    /// At a call's exit with result `ret`: what it taught about `pid`'s descriptors.
    pub(super) fn exited(&mut self, pid: Pid, learn: Learn, ret: i64) {
        let Ok(fd) = i32::try_from(ret) else {
            return;
        };
        if fd < 0 {
            return;
        }
        let table = self.tables.entry(pid).or_default();
        match learn {
            Learn::Nothing => {}
            Learn::Opened { on_path: true } | Learn::Copied { of: Some(true) } => {
                table.insert(fd, true);
            }
            Learn::Copied { of: Some(false) } => {
                table.insert(fd, false);
            }
            Learn::Opened { on_path: false } | Learn::Copied { of: None } => {
                table.remove(&fd);
            }
        }
    }

    /// `pid` executed a program: its close-on-exec descriptors are gone.
    pub(super) fn exec(&mut self, pid: Pid) {
        self.tables.remove(&pid);
    }

    /// `pid` is gone.
    pub(super) fn gone(&mut self, pid: Pid) {
        self.tables.remove(&pid);
    }

    fn fd_touches(&mut self, event: &Event<'_>, fd: i32) -> bool {
        self.fds.as_ref().is_some_and(|set| set.contains(fd))
            || (!self.paths.is_empty() && self.known(event, fd) == Some(true))
    }

    /// Whether `fd` of the event's process is open on a chosen path: from its table, or
    /// else from `/proc/TID/fd` (then remembered); `None` when it is not open.
    fn known(&mut self, event: &Event<'_>, fd: i32) -> Option<bool> {
        if fd < 0 || self.paths.is_empty() {
            return None;
        }
        if let Some(&on_path) = self.tables.get(&event.pid).and_then(|t| t.get(&fd)) {
            return Some(on_path);
        }
        let link = std::fs::read_link(format!("/proc/{}/fd/{fd}", event.tid)).ok()?;
        let link = link.as_os_str().as_bytes();
        // The kernel adds " (deleted)" to the name of an unlinked file.
        let unlinked = link.strip_suffix(b" (deleted)");
        let on_path = self
            .paths
            .iter()
            .any(|p| p.as_slice() == link || Some(p.as_slice()) == unlinked);
        self.tables
            .entry(event.pid)
            .or_default()
            .insert(fd, on_path);
        Some(on_path)
    }
}

/// The descriptors of a `poll` array of `nfds` entries at `start`.
fn poll_fds(event: &Event<'_>, start: u64, nfds: u64) -> Vec<i32> {
    // struct pollfd { int fd; short events; short revents; }
    const SIZE: usize = 8;
    let count = (nfds as u32 as usize).min(MAX_SET);
    let Some(len) = count.checked_mul(SIZE) else {
        return Vec::new();
    };
    match event.memory().read(start, len) {
        Ok(bytes) => bytes
            .chunks_exact(SIZE)
            .map(|entry| i32::from_ne_bytes([entry[0], entry[1], entry[2], entry[3]]))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The descriptors in `select`'s three sets of `nfds` bits.
fn select_fds(event: &Event<'_>, nfds: i32, sets: &[u64]) -> Vec<i32> {
    let Ok(nfds) = usize::try_from(nfds) else {
        return Vec::new();
    };
    let nfds = nfds.min(MAX_SET);
    // The kernel reads whole longs.
    let len = nfds.div_ceil(64) * 8;
    let mut fds = Vec::new();
    for &addr in sets.iter().filter(|&&a| a != 0) {
        let Ok(bytes) = event.memory().read(addr, len) else {
            continue;
        };
        for fd in 0..nfds {
            if bytes[fd / 8] & (1 << (fd % 8)) != 0 {
                fds.push(fd as i32);
            }
        }
    }
    fds
}

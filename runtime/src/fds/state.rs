//! The state behind [`FdTable`](super::FdTable): each process's descriptors, and what each
//! call the table follows changes in them.
//!
//! This module keeps the tables and the bookkeeping every change goes through; what each
//! call changes is in `calls`, what a descriptor is shown as in `about`, and what `/proc`
//! says in `procfs`.

mod about;
mod calls;
mod procfs;

use super::DecodeFds;
use crate::Interest;
use crate::linux::Syscall;
use crate::memory::{Memory, ReadMemory};
use crate::value::RetKind;
use nix::unistd::Pid;
use procfs::{bracketed, kernel_name, major, minor, parent_of};
use std::cell::RefCell;
use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::rc::Rc;

pub(super) struct State {
    pub(super) decode: DecodeFds,
    /// The calls the table follows; none when nothing is shown.
    pub(super) interest: Interest,
    /// Each process's table; processes made with `CLONE_FILES` share one.
    files: HashMap<Pid, Rc<RefCell<Files>>>,
    /// Each process's working directory, as the kernel names it.
    cwd: HashMap<Pid, Vec<u8>>,
    /// What `sock_diag` said of each socket inode, until a call may change it.
    sockets: HashMap<u64, String>,
    /// Descriptors closed by the last call seen: dropped at the next event.
    closing: Vec<(Pid, Closing)>,
    /// Threads inside `clone`, `clone3`, `fork` or `vfork`: their process and the flags.
    forking: HashMap<Pid, (Pid, u64)>,
    /// The table has seen an event: it is a sink of the trace, and follows the calls.
    pub(super) fed: bool,
}

/// Descriptors a call closed.
enum Closing {
    One(i32),
    Range(u32, u32),
}

/// One process's descriptors. A number the map does not hold is unknown: looked up in
/// `/proc` when used.
#[derive(Clone, Default)]
struct Files {
    slots: HashMap<i32, Entry>,
}

#[derive(Clone)]
struct Entry {
    /// The kernel's name, without ` (deleted)`.
    name: Vec<u8>,
    deleted: bool,
    /// Close-on-exec; `None` when not known (then dropped at exec, to be looked up again).
    cloexec: Option<bool>,
    /// A device's type and numbers, when `dev` is shown.
    device: Option<(bool, u32, u32)>,
    /// A socket's protocol, from the call that made it.
    protocol: Option<String>,
    /// The process of a pidfd, from the call that made it.
    pidfd: Option<i32>,
}

impl State {
    pub(super) fn new(decode: DecodeFds) -> State {
        let mut interest = Interest::none();
        if decode.any() {
            interest = Interest::from_names(super::FOLLOWED.iter().copied());
            for info in crate::SYSCALLS.iter() {
                if info.ret == RetKind::Fd {
                    interest.insert(info);
                }
            }
        }
        State {
            decode,
            interest,
            files: HashMap::new(),
            cwd: HashMap::new(),
            sockets: HashMap::new(),
            closing: Vec::new(),
            forking: HashMap::new(),
            fed: false,
        }
    }

    /// Thread `tid` of `pid` is entering `call`: when it makes a process, remember the
    /// flags until the child starts.
    pub(super) fn entered(&mut self, pid: Pid, tid: Pid, call: &Syscall) {
        let args = call.to_args();
        let flags = match call.info().map(|i| i.name) {
            Some("clone") => args[0],
            Some("clone3") => Memory::new(tid).read_pod::<u64>(args[0]).unwrap_or(0),
            Some("fork") => 0,
            Some("vfork") => (libc::CLONE_VM | libc::CLONE_VFORK) as u64,
            _ => return,
        };
        self.forking.insert(tid, (pid, flags));
    }

    /// Process `child` is traced from now on, before it makes any call: when its parent
    /// (its `PPid`) is inside a `clone` or `fork`, it shares the parent's table
    /// (`CLONE_FILES`) or gets a copy of it, and a copy of its working directory.
    pub(super) fn started(&mut self, child: Pid) {
        let Some(parent) = parent_of(child) else {
            return;
        };
        let Some(&(_, flags)) = self.forking.values().find(|(pid, _)| *pid == parent) else {
            return;
        };
        let ours = self.files(parent);
        let files = if flags & libc::CLONE_FILES as u64 != 0 {
            ours
        } else {
            Rc::new(RefCell::new(ours.borrow().clone()))
        };
        self.files.insert(child, files);
        if let Some(cwd) = self.cwd.get(&parent).cloned() {
            self.cwd.insert(child, cwd);
        }
    }

    /// Thread `tid` is gone (or no longer traced).
    pub(super) fn thread_gone(&mut self, tid: Pid) {
        self.forking.remove(&tid);
    }

    /// Process `pid` is gone.
    pub(super) fn gone(&mut self, pid: Pid) {
        self.files.remove(&pid);
        self.cwd.remove(&pid);
    }

    fn files(&mut self, pid: Pid) -> Rc<RefCell<Files>> {
        self.files.entry(pid).or_default().clone()
    }

    pub(super) fn apply_closing(&mut self) {
        for (pid, closing) in std::mem::take(&mut self.closing) {
            let files = self.files(pid);
            let mut files = files.borrow_mut();
            match closing {
                Closing::One(fd) => {
                    files.slots.remove(&fd);
                }
                Closing::Range(first, last) => {
                    files.slots.retain(|fd, _| {
                        !u32::try_from(*fd).is_ok_and(|fd| (first..=last).contains(&fd))
                    });
                }
            }
        }
    }

    /// The entry of `fd`, from the table or else from `/proc` (then remembered).
    fn entry(&mut self, pid: Pid, tid: Pid, fd: i32) -> Option<Entry> {
        let files = self.files(pid);
        if let Some(entry) = files.borrow().slots.get(&fd) {
            return Some(entry.clone());
        }
        let entry = self.read_entry(tid, fd, None)?;
        // A table that sees no calls (not added as a sink) cannot keep what it reads.
        if self.fed {
            files.borrow_mut().slots.insert(fd, entry.clone());
        }
        Some(entry)
    }

    /// A new entry for `fd` of `tid`, named by the kernel.
    fn read_entry(&self, tid: Pid, fd: i32, cloexec: Option<bool>) -> Option<Entry> {
        let link = format!("/proc/{tid}/fd/{fd}");
        let (name, deleted) = kernel_name(tid, fd)?;
        let device = if self.decode.dev && name.starts_with(b"/") {
            std::fs::metadata(&link).ok().and_then(|meta| {
                let kind = meta.file_type();
                let block = kind.is_block_device();
                (block || kind.is_char_device()).then(|| {
                    let dev = meta.rdev();
                    (block, major(dev), minor(dev))
                })
            })
        } else {
            None
        };
        Some(Entry {
            name,
            deleted,
            cloexec,
            device,
            protocol: None,
            pidfd: None,
        })
    }

    /// The working directory of `pid`, as the kernel names it: read once, and again
    /// after a `chdir` or `fchdir`.
    fn cwd(&mut self, pid: Pid, tid: Pid) -> Option<Vec<u8>> {
        if let Some(cwd) = self.cwd.get(&pid) {
            return Some(cwd.clone());
        }
        let cwd = std::fs::read_link(format!("/proc/{tid}/cwd")).ok()?;
        let cwd = cwd.as_os_str().as_bytes().to_vec();
        self.cwd.insert(pid, cwd.clone());
        Some(cwd)
    }

    fn update(&mut self, pid: Pid, fd: i32, change: impl FnOnce(&mut Entry)) {
        if let Some(entry) = self.files(pid).borrow_mut().slots.get_mut(&fd) {
            change(entry);
        }
    }

    fn insert(&mut self, pid: Pid, fd: i32, entry: Entry) {
        self.files(pid).borrow_mut().slots.insert(fd, entry);
    }

    /// A new descriptor `fd` made by a call: named by the kernel.
    fn opened(&mut self, pid: Pid, tid: Pid, fd: i32, cloexec: Option<bool>) -> Option<Entry> {
        let entry = self.read_entry(tid, fd, cloexec)?;
        if let Some(inode) = bracketed(&entry.name, b"socket:[") {
            self.sockets.remove(&inode);
        }
        self.insert(pid, fd, entry.clone());
        Some(entry)
    }

    /// `new` is a copy of `old` (`dup` and friends), with its own close-on-exec bit.
    fn copy(&mut self, pid: Pid, tid: Pid, old: i32, new: i32, cloexec: Option<bool>) {
        if new < 0 || old == new {
            return;
        }
        match self.entry(pid, tid, old) {
            Some(entry) => self.insert(pid, new, Entry { cloexec, ..entry }),
            None => {
                self.opened(pid, tid, new, cloexec);
            }
        }
    }

    /// `pid` gets a table of its own (exec, `close_range(CLOSE_RANGE_UNSHARE)`).
    fn unshare(&mut self, pid: Pid) {
        let files = self.files(pid);
        let copy = files.borrow().clone();
        self.files.insert(pid, Rc::new(RefCell::new(copy)));
    }

    /// `pid` executed a program: the close-on-exec descriptors are gone.
    pub(super) fn exec(&mut self, pid: Pid) {
        self.unshare(pid);
        let files = self.files(pid);
        files
            .borrow_mut()
            .slots
            .retain(|_, entry| entry.cloexec == Some(false));
    }
}

//! The state behind [`FdTable`](super::FdTable): each process's descriptors, and what each
//! call the table follows changes in them.

use super::socket;
use super::{DecodeFds, FdAbout, FdKind};
use crate::Interest;
use crate::events::Event;
use crate::linux::Syscall;
use crate::memory::{Memory, ReadMemory};
use crate::value::RetKind;
use nix::unistd::Pid;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CString;
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

/// The longest path the kernel takes, its NUL included.
const PATH_MAX: usize = 4096;

/// `CLOSE_RANGE_UNSHARE`, `CLOSE_RANGE_CLOEXEC`.
const CLOSE_RANGE_UNSHARE: u64 = 2;
const CLOSE_RANGE_CLOEXEC: u64 = 4;
/// `FIONCLEX`, `FIOCLEX`.
const FIONCLEX: u64 = 0x5450;
const FIOCLEX: u64 = 0x5451;

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

    pub(super) fn about(&mut self, pid: Pid, tid: Pid, fd: i32) -> Option<FdAbout> {
        let decode = self.decode;
        if !decode.any() {
            return None;
        }
        let mut entry = self.entry(pid, tid, fd)?;
        let path = decode.path.then(|| entry.name.clone());
        if decode.socket
            && let Some(inode) = bracketed(&entry.name, b"socket:[")
        {
            if entry.protocol.is_none() {
                entry.protocol = socket_protocol(tid, fd);
                self.update(pid, fd, |e| e.protocol.clone_from(&entry.protocol));
            }
            if let Some(protocol) = &entry.protocol {
                let text = self
                    .sockets
                    .entry(inode)
                    .or_insert_with(|| socket::describe(protocol, inode))
                    .clone();
                return Some(FdAbout {
                    path: None,
                    deleted: false,
                    kind: FdKind::Socket(text),
                });
            }
        }
        if decode.dev
            && let Some((block, major, minor)) = entry.device
        {
            return Some(FdAbout {
                path: Some(entry.name),
                deleted: entry.deleted,
                kind: FdKind::Device {
                    block,
                    major,
                    minor,
                },
            });
        }
        if decode.pidfd && entry.name == b"anon_inode:[pidfd]" {
            if entry.pidfd.is_none() {
                entry.pidfd = pidfd_pid(tid, fd);
                self.update(pid, fd, |e| e.pidfd = entry.pidfd);
            }
            if let Some(target) = entry.pidfd {
                return Some(FdAbout {
                    path: None,
                    deleted: false,
                    kind: FdKind::Pidfd(target),
                });
            }
        }
        path.map(|path| FdAbout {
            path: Some(path),
            deleted: entry.deleted,
            kind: FdKind::File,
        })
    }

    pub(super) fn about_cwd(&mut self, pid: Pid, tid: Pid) -> Option<FdAbout> {
        if !self.decode.path {
            return None;
        }
        Some(FdAbout {
            path: Some(self.cwd(pid, tid)?),
            deleted: false,
            kind: FdKind::File,
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

    /// What the successful or failed call `call` of `event`'s thread, which returned
    /// `ret`, changed.
    pub(super) fn exited(&mut self, event: &Event<'_>, call: &Syscall, ret: i64) {
        let (pid, tid) = (event.pid, event.tid);
        self.forking.remove(&tid);
        let Some(info) = call.info() else {
            return;
        };
        let args = call.to_args();
        let fd0 = args[0] as i32;
        // close frees the descriptor even when it fails with EINTR.
        if info.name == "close" && ret != -i64::from(libc::EBADF) {
            self.closing.push((pid, Closing::One(fd0)));
            return;
        }
        if ret < 0 {
            return;
        }
        let new = i32::try_from(ret).unwrap_or(-1);
        let flag = |arg: usize, bit: i32| Some(args[arg] as i32 & bit != 0);
        match info.name {
            "close_range" => {
                let (first, last, flags) = (args[0] as u32, args[1] as u32, args[2]);
                if flags & CLOSE_RANGE_UNSHARE != 0 {
                    self.unshare(pid);
                }
                if flags & CLOSE_RANGE_CLOEXEC != 0 {
                    let files = self.files(pid);
                    for (fd, entry) in files.borrow_mut().slots.iter_mut() {
                        if let Ok(n) = u32::try_from(*fd)
                            && (first..=last).contains(&n)
                        {
                            entry.cloexec = Some(true);
                        }
                    }
                } else {
                    self.closing.push((pid, Closing::Range(first, last)));
                }
            }
            "dup" => self.copy(pid, tid, fd0, new, Some(false)),
            "dup2" => self.copy(pid, tid, fd0, new, Some(false)),
            "dup3" => self.copy(pid, tid, fd0, new, flag(2, libc::O_CLOEXEC)),
            "fcntl" => match args[1] as i32 {
                libc::F_DUPFD => self.copy(pid, tid, fd0, new, Some(false)),
                libc::F_DUPFD_CLOEXEC => self.copy(pid, tid, fd0, new, Some(true)),
                libc::F_SETFD => {
                    let on = args[2] as i32 & libc::FD_CLOEXEC != 0;
                    self.update(pid, fd0, |e| e.cloexec = Some(on));
                }
                _ => {}
            },
            "ioctl" if args[1] == FIOCLEX || args[1] == FIONCLEX => {
                let on = args[1] == FIOCLEX;
                self.update(pid, fd0, |e| e.cloexec = Some(on));
            }
            "pipe" | "pipe2" | "socketpair" => {
                let (at, cloexec, protocol) = match info.name {
                    "pipe" => (args[0], Some(false), None),
                    "pipe2" => (args[0], flag(1, libc::O_CLOEXEC), None),
                    _ => (
                        args[3],
                        flag(1, libc::SOCK_CLOEXEC),
                        socket::protocol_name(args[0] as i32, args[1] as i32, args[2] as i32),
                    ),
                };
                if let Ok(pair) = Memory::new(tid).read_pod::<[i32; 2]>(at) {
                    for fd in pair {
                        self.opened(pid, tid, fd, cloexec);
                        if let Some(protocol) = protocol {
                            self.update(pid, fd, |e| e.protocol = Some(protocol.to_string()));
                        }
                    }
                }
            }
            "chdir" | "fchdir" => {
                self.cwd.remove(&pid);
            }
            // The file of an open descriptor is unlinked, or renamed (or replaced by a rename).
            "unlink" => self.renamed(pid, tid, &[(libc::AT_FDCWD, args[0])]),
            "unlinkat" => self.renamed(pid, tid, &[(fd0, args[1])]),
            "rename" => self.renamed(
                pid,
                tid,
                &[(libc::AT_FDCWD, args[0]), (libc::AT_FDCWD, args[1])],
            ),
            "renameat" | "renameat2" => {
                self.renamed(pid, tid, &[(fd0, args[1]), (args[2] as i32, args[3])])
            }
            "bind" | "connect" | "listen" | "shutdown" | "sendto" | "sendmsg" | "sendmmsg" => {
                if let Some(entry) = self.entry(pid, tid, fd0)
                    && let Some(inode) = bracketed(&entry.name, b"socket:[")
                {
                    self.sockets.remove(&inode);
                }
            }
            "socket" => {
                if let Some(entry) = self.opened(pid, tid, new, flag(1, libc::SOCK_CLOEXEC))
                    && bracketed(&entry.name, b"socket:[").is_some()
                {
                    let protocol =
                        socket::protocol_name(args[0] as i32, args[1] as i32, args[2] as i32);
                    self.update(pid, new, |e| e.protocol = protocol.map(str::to_string));
                }
            }
            "accept" | "accept4" => {
                let cloexec = match info.name {
                    "accept4" => flag(3, libc::SOCK_CLOEXEC),
                    _ => Some(false),
                };
                let listener = self.entry(pid, tid, fd0).and_then(|e| e.protocol);
                self.opened(pid, tid, new, cloexec);
                self.update(pid, new, |e| e.protocol = listener);
            }
            "pidfd_open" => {
                self.opened(pid, tid, new, Some(true));
                let target = args[0] as i32;
                self.update(pid, new, |e| e.pidfd = Some(target));
            }
            "signalfd" | "signalfd4" if fd0 != -1 => {}
            _ if info.ret == RetKind::Fd => {
                let cloexec = creation_cloexec(info.name, &args, tid);
                self.opened(pid, tid, new, cloexec);
            }
            _ => {}
        }
    }

    /// The files at `paths` (each a directory descriptor and a path in the tracee) were
    /// unlinked or renamed: the descriptors open on them, in every process, are named
    /// again by the kernel (`/memfd:x (deleted)`, the new name). Paths are compared as
    /// the kernel names files, after joining a relative one to its directory, without
    /// resolving symbolic links: a descriptor opened under another spelling keeps its name.
    fn renamed(&mut self, pid: Pid, tid: Pid, paths: &[(i32, u64)]) {
        let memory = Memory::new(tid);
        let mut gone = Vec::new();
        for &(dirfd, at) in paths {
            let Ok((path, true)) = memory.read_cstr(at, PATH_MAX) else {
                continue;
            };
            let base = match path.first() {
                Some(b'/') => Vec::new(),
                _ if dirfd == libc::AT_FDCWD => match self.cwd(pid, tid) {
                    Some(cwd) => cwd,
                    None => continue,
                },
                _ => match self.entry(pid, tid, dirfd) {
                    Some(entry) => entry.name,
                    None => continue,
                },
            };
            gone.push(lexical_join(&base, &path));
        }
        if gone.is_empty() {
            return;
        }
        let tables: Vec<(Pid, Rc<RefCell<Files>>)> = self
            .files
            .iter()
            .map(|(pid, files)| (*pid, files.clone()))
            .collect();
        for (owner, files) in tables {
            for (fd, entry) in files.borrow_mut().slots.iter_mut() {
                if gone.contains(&entry.name)
                    && let Some((name, deleted)) = kernel_name(owner, *fd)
                {
                    entry.name = name;
                    entry.deleted = deleted;
                }
            }
        }
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

/// The close-on-exec bit of the descriptor a call of `name` with `args` makes, from its
/// flags; `None` when the call is not known here.
fn creation_cloexec(name: &str, args: &[u64; 6], tid: Pid) -> Option<bool> {
    let bit = |arg: usize, bit: i64| Some(args[arg] as i64 & bit != 0);
    let cloexec = i64::from(libc::O_CLOEXEC);
    match name {
        "open" | "mq_open" => bit(1, cloexec),
        "openat" | "open_by_handle_at" | "open_tree" => bit(2, cloexec),
        "openat2" => Memory::new(tid)
            .read_pod::<u64>(args[2])
            .ok()
            .map(|flags| flags as i64 & cloexec != 0),
        "creat" | "epoll_create" | "eventfd" | "inotify_init" | "signalfd" => Some(false),
        "epoll_create1" | "inotify_init1" | "userfaultfd" | "memfd_secret" => bit(0, cloexec),
        "eventfd2" | "timerfd_create" => bit(1, cloexec),
        "signalfd4" => bit(3, cloexec),
        // MFD_CLOEXEC, FAN_CLOEXEC, FSOPEN_CLOEXEC, FSMOUNT_CLOEXEC, FSPICK_CLOEXEC.
        "memfd_create" | "fsopen" | "fsmount" => bit(1, 1),
        "fanotify_init" => bit(0, 1),
        "fspick" => bit(2, 1),
        // PERF_FLAG_FD_CLOEXEC.
        "perf_event_open" => bit(4, 8),
        "pidfd_getfd" | "io_uring_setup" | "bpf" | "landlock_create_ruleset" => Some(true),
        _ => None,
    }
}

/// The parent process of `pid`: the `PPid:` line of `/proc/PID/status`.
fn parent_of(pid: Pid) -> Option<Pid> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("PPid:"))?;
    line["PPid:".len()..].trim().parse().ok().map(Pid::from_raw)
}

/// The kernel's name of descriptor `fd` of `tid`, without ` (deleted)`, and whether it
/// said that.
fn kernel_name(tid: Pid, fd: i32) -> Option<(Vec<u8>, bool)> {
    let name = std::fs::read_link(format!("/proc/{tid}/fd/{fd}")).ok()?;
    let name = name.as_os_str().as_bytes();
    Some(match name.strip_suffix(b" (deleted)") {
        Some(name) => (name.to_vec(), true),
        None => (name.to_vec(), false),
    })
}

/// `path` joined to the directory `base` (unless absolute), with `.`, `..` and repeated
/// slashes taken out as the kernel would, without looking at symbolic links.
fn lexical_join(base: &[u8], path: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    let joined = if path.first() == Some(&b'/') {
        path.split(|&b| b == b'/').collect::<Vec<_>>()
    } else {
        base.split(|&b| b == b'/')
            .chain(path.split(|&b| b == b'/'))
            .collect()
    };
    for part in joined {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    let mut out = Vec::new();
    for part in parts {
        out.push(b'/');
        out.extend_from_slice(part);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

/// The number in `socket:[12345]` (after `prefix`).
fn bracketed(name: &[u8], prefix: &[u8]) -> Option<u64> {
    let rest = name.strip_prefix(prefix)?.strip_suffix(b"]")?;
    std::str::from_utf8(rest).ok()?.parse().ok()
}

/// The kernel's name of a socket's protocol: the `system.sockprotoname` attribute of
/// `/proc/TID/fd/N`, as strace reads it.
fn socket_protocol(tid: Pid, fd: i32) -> Option<String> {
    let path = CString::new(format!("/proc/{tid}/fd/{fd}")).ok()?;
    let name = crate::sys::getxattr(&path, c"system.sockprotoname")?;
    String::from_utf8(name).ok()
}

/// The process a pidfd refers to: the `Pid:` line of `/proc/TID/fdinfo/N`.
fn pidfd_pid(tid: Pid, fd: i32) -> Option<i32> {
    let info = std::fs::read_to_string(format!("/proc/{tid}/fdinfo/{fd}")).ok()?;
    let line = info.lines().find(|l| l.starts_with("Pid:"))?;
    line["Pid:".len()..].trim().parse().ok()
}

/// glibc's `major()` of a `dev_t`.
fn major(dev: u64) -> u32 {
    (((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff)) as u32
}

/// glibc's `minor()` of a `dev_t`.
fn minor(dev: u64) -> u32 {
    (((dev >> 12) & 0xffff_ff00) | (dev & 0xff)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_as_the_kernel_names_them() {
        assert_eq!(lexical_join(b"/tmp/x", b"a"), b"/tmp/x/a");
        assert_eq!(lexical_join(b"/tmp/x", b"./b/../c//d"), b"/tmp/x/c/d");
        assert_eq!(lexical_join(b"/tmp", b"/etc/./hosts"), b"/etc/hosts");
        assert_eq!(lexical_join(b"/", b".."), b"/");
    }

    #[test]
    fn device_numbers_split_as_glibc_splits_them() {
        // /dev/null is makedev(1, 3); a large minor spreads over both halves of a dev_t.
        assert_eq!((major(0x103), minor(0x103)), (1, 3));
        let makedev = |major: u64, minor: u64| {
            ((major & 0xfff) << 8)
                | ((major & !0xfff) << 32)
                | (minor & 0xff)
                | ((minor & !0xff) << 12)
        };
        let dev = makedev(0x1234, 0x56789);
        assert_eq!((major(dev), minor(dev)), (0x1234, 0x56789));
        assert_eq!(bracketed(b"socket:[12345]", b"socket:["), Some(12345));
        assert_eq!(bracketed(b"pipe:[1]", b"socket:["), None);
    }
}

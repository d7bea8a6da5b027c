//! What each call the table follows changes: descriptors made, copied, closed, their
//! close-on-exec bits, and files unlinked or renamed under an open descriptor.

use super::procfs::{bracketed, kernel_name, lexical_join};
use super::{Closing, Files, State};
use crate::events::Event;
use crate::fds::socket;
use crate::linux::Syscall;
use crate::memory::{Memory, ReadMemory};
use crate::value::RetKind;
use nix::unistd::Pid;
use std::cell::RefCell;
use std::rc::Rc;

/// The longest path the kernel takes, its NUL included.
const PATH_MAX: usize = 4096;

/// `CLOSE_RANGE_UNSHARE`, `CLOSE_RANGE_CLOEXEC`.
const CLOSE_RANGE_UNSHARE: u64 = 2;
const CLOSE_RANGE_CLOEXEC: u64 = 4;

/// `FIONCLEX`, `FIOCLEX`.
const FIONCLEX: u64 = 0x5450;
const FIOCLEX: u64 = 0x5451;

impl State {
    /// What the successful or failed call `call` of `event`'s thread, which returned
    /// `ret`, changed.
    pub(in crate::fds) fn exited(&mut self, event: &Event<'_>, call: &Syscall, ret: i64) {
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

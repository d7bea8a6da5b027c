//! What each file descriptor of the traced processes is, for strace's `-y`, `-yy` and
//! `--decode-fds=`: `read(3</etc/hostname>, ...)`, `connect(5<TCP:[...]>, ...)`.
//!
//! # Where the table lives, and why
//!
//! [`FdTable`] is a [`Sink`] of its own, shared (a cheap `Clone` of one `Rc`) with the
//! sinks that show descriptors: the strace text and the JSON lines. It is registered
//! *before* them, so that at the exit of `openat` it has learned descriptor 3 when the
//! text writes `= 3</etc/hostname>`; and it sits outside every filter, with its own
//! [`Interest`], so that `-e trace=read -y` still sees the `openat`, `dup2` and `close`
//! calls that change what `read`'s descriptor is. The engine knows nothing of it: it only
//! observes, as sinks do, and a program traced without `-y` pays nothing for it.
//!
//! The table is state kept in step with the calls, not a look at `/proc` at each use:
//! - a call that makes descriptors (`open*`, `creat`, `socket`, `accept*`, `pipe*`,
//!   `socketpair`, `eventfd*`, `timerfd_create`, `signalfd*`, `epoll_create*`,
//!   `inotify_init*`, `memfd_create`, `pidfd_open`, any call whose table return kind is
//!   `fd`) adds them, with the kernel's name for each: read once, from `/proc/PID/fd/N`,
//!   when the descriptor appears, because the path the call passed is not that name
//!   (symbolic links, `..`, a relative path, `anon_inode:[eventfd]`, `pipe:[INODE]`);
//! - `dup`, `dup2`, `dup3` and `fcntl(F_DUPFD*)` copy an entry, `close` and
//!   `close_range` drop entries, `fcntl(F_SETFD)`, `ioctl(FIOCLEX)` and the `*_CLOEXEC`
//!   flags of the making calls keep each entry's close-on-exec bit, and an exec drops the
//!   close-on-exec entries (and those whose bit is unknown);
//! - a child process gets a copy of its parent's table, or shares it (`CLONE_FILES`),
//!   when it starts, before its first call (its parent, from `/proc/PID/status`, is
//!   then inside the `clone` or `fork` whose flags say which); threads share their
//!   process's table;
//! - `/proc/PID/fd/N` is read only where the state is missing: a descriptor inherited
//!   from the tracer's side, one of a process attached with `-p`, one received over a
//!   unix socket (`SCM_RIGHTS`), one made by a call the table does not follow.
//!
//! Sockets (`-yy`): the protocol comes from the `socket`/`socketpair` call (or the
//! listening socket of an `accept`); what only the kernel knows (the port a `bind` to port
//! 0 or a `connect` chose, the peer of a unix socket) is asked of `sock_diag` netlink, as
//! strace asks it, once, and asked again only after a call on that socket that can change
//! it (`bind`, `connect`, `listen`, `shutdown`, `send*`).
//!
//! A file unlinked or renamed through a path equal to the name the table has for it (after
//! joining a relative path to its directory) is named again by the kernel, `(deleted)`
//! included. What the table cannot see: a file renamed or unlinked under another spelling
//! of its path (through a symbolic link), or by a process that is not traced (strace
//! re-reads the name at each use and sees those too), and descriptors changed by
//! `io_uring`.
//! When a removal is seen (`close`), it takes effect after every sink has seen the call,
//! so a sink that decodes a call's entry late still sees the descriptor it closed.

mod socket;
mod state;

use crate::Interest;
use crate::events::{Event, EventKind, Return, Sink};
use crate::linux::Syscall;
use crate::value::{RetKind, Value};
use nix::unistd::Pid;
use state::State;
use std::cell::RefCell;
use std::io;
use std::rc::Rc;

/// Which details of a descriptor are shown: strace's `--decode-fds=SET`. `-y` is
/// `path`, `-yy` all four.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeFds {
    /// The file's path, or the kernel's name of what is not a file (`pipe:[12345]`).
    pub path: bool,
    /// A socket's protocol and addresses, `TCP:[127.0.0.1:41234->127.0.0.1:8080]`.
    pub socket: bool,
    /// A device's type and numbers, `/dev/null<char 1:3>`.
    pub dev: bool,
    /// The process a pidfd refers to, `pid:1234`.
    pub pidfd: bool,
}

impl DecodeFds {
    /// What `-y` given `count` times asks for: nothing, `path`, or everything.
    pub fn from_count(count: u8) -> DecodeFds {
        match count {
            0 => DecodeFds::default(),
            1 => DecodeFds {
                path: true,
                ..DecodeFds::default()
            },
            _ => DecodeFds::all(),
        }
    }

    /// Every detail (`-yy`, `--decode-fds=all`).
    pub fn all() -> DecodeFds {
        DecodeFds {
            path: true,
            socket: true,
            dev: true,
            pidfd: true,
        }
    }

    /// Whether any detail is shown.
    pub fn any(self) -> bool {
        self.path || self.socket || self.dev || self.pidfd
    }

    /// Parses strace's `--decode-fds=SET`: `path`, `socket`, `dev`, `pidfd`, separated by
    /// commas, or `all` or `none`; a leading `!` inverts the set.
    ///
    /// # Errors
    /// A word that is none of these, named in the message.
    pub fn parse(spec: &str) -> Result<DecodeFds, String> {
        let (invert, list) = match spec.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, spec),
        };
        let mut set = DecodeFds::default();
        for word in list.split(',').filter(|w| !w.is_empty()) {
            match word {
                "all" => set = DecodeFds::all(),
                "none" => set = DecodeFds::default(),
                "path" => set.path = true,
                "socket" => set.socket = true,
                "dev" => set.dev = true,
                "pidfd" => set.pidfd = true,
                _ => return Err(format!("invalid decode-fds '{word}'")),
            }
        }
        if invert {
            set = DecodeFds {
                path: !set.path,
                socket: !set.socket,
                dev: !set.dev,
                pidfd: !set.pidfd,
            };
        }
        Ok(set)
    }
}

/// What is known of one descriptor, as much as [`DecodeFds`] asks to show: a
/// format-neutral value the text spells `3</etc/hostname>` and the JSON
/// `{"fd": 3, "path": "/etc/hostname"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdAbout {
    /// The path of a file, or the kernel's name of another kind of descriptor
    /// (`pipe:[12345]`, `socket:[12345]`, `anon_inode:[eventfd]`); for `AT_FDCWD`, the
    /// working directory. `None` when only another detail is shown.
    pub path: Option<Vec<u8>>,
    /// The file was unlinked (the kernel says ` (deleted)`).
    pub deleted: bool,
    /// What else is shown.
    pub kind: FdKind,
}

/// The detail of a descriptor beyond its path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FdKind {
    /// Nothing more.
    File,
    /// A character or block device.
    Device {
        /// A block device (otherwise a character device).
        block: bool,
        /// Its major number.
        major: u32,
        /// Its minor number.
        minor: u32,
    },
    /// A socket, in strace's (and `ss`'s) spelling: `TCP:[127.0.0.1:80->10.0.0.1:4242]`,
    /// `UNIX-STREAM:[12345->12346]`, `NETLINK:[ROUTE:4242]`, or `PROTO:[INODE]`.
    Socket(String),
    /// A pidfd, and the process it refers to.
    Pidfd(i32),
}

/// The descriptor tables of the traced processes (see the [module](self) documentation).
///
/// Add it to the trace as a sink, before the sinks that read it. A table that is not a
/// sink of the trace still answers, from `/proc` at each use, as strace does.
///
/// ```no_run
/// use interpose_runtime::fds::{DecodeFds, FdTable};
/// use interpose_runtime::output::text::{StraceText, TextOptions};
/// use interpose_runtime::{Command, Passthru};
///
/// // strace -yy cat /etc/hostname
/// let fds = FdTable::new(DecodeFds::all());
/// let options = TextOptions { fds: Some(fds.clone()), ..TextOptions::default() };
/// let text = StraceText::with_options(Box::new(std::io::stderr()), options);
/// Command::new("cat").arg("/etc/hostname").sink(fds).sink(text).trace(Passthru)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct FdTable(Rc<RefCell<State>>);

impl std::fmt::Debug for FdTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FdTable")
            .field("decode", &self.0.borrow().decode)
            .finish_non_exhaustive()
    }
}

impl FdTable {
    /// An empty table that will describe what `decode` asks for.
    pub fn new(decode: DecodeFds) -> FdTable {
        FdTable(Rc::new(RefCell::new(State::new(decode))))
    }

    /// What is shown of descriptor `fd` of process `pid` (thread `tid`), or `None` when
    /// nothing is (not open, or nothing asked for its kind).
    pub fn about(&self, pid: Pid, tid: Pid, fd: i32) -> Option<FdAbout> {
        self.0.borrow_mut().about(pid, tid, fd)
    }

    /// What is shown of the working directory of `pid` (`AT_FDCWD</home/me>`), when paths are.
    pub fn about_cwd(&self, pid: Pid, tid: Pid) -> Option<FdAbout> {
        self.0.borrow_mut().about_cwd(pid, tid)
    }

    /// Replaces every descriptor in `value` (also inside structs and arrays) by the
    /// descriptor with what is known of it ([`Value::Described`]).
    pub fn annotate(&self, pid: Pid, tid: Pid, value: &mut Value) {
        match value {
            Value::Fd(fd) if *fd >= 0 => {
                if let Some(about) = self.about(pid, tid, *fd) {
                    described(value, about);
                }
            }
            Value::Dirfd(libc::AT_FDCWD) => {
                if let Some(about) = self.about_cwd(pid, tid) {
                    described(value, about);
                }
            }
            Value::Dirfd(fd) if *fd >= 0 => {
                if let Some(about) = self.about(pid, tid, *fd) {
                    described(value, about);
                }
            }
            Value::Struct(fields) => {
                for (_, field) in fields {
                    self.annotate(pid, tid, field);
                }
            }
            Value::Array { items, .. } => {
                for item in items {
                    self.annotate(pid, tid, item);
                }
            }
            Value::Abbreviable { short, full } => {
                self.annotate(pid, tid, short);
                self.annotate(pid, tid, full);
            }
            _ => {}
        }
    }

    /// What is shown of the descriptor `call` returned (`= 3</etc/hostname>`), when it
    /// returns one and `ret` is not an error.
    pub fn about_result(&self, pid: Pid, tid: Pid, call: &Syscall, ret: i64) -> Option<FdAbout> {
        let fd = i32::try_from(ret).ok().filter(|&fd| fd >= 0)?;
        returns_fd(call).then(|| self.about(pid, tid, fd))?
    }

    /// Whether the table has anything to show.
    pub fn shows_anything(&self) -> bool {
        self.0.borrow().decode.any()
    }
}

fn described(value: &mut Value, about: FdAbout) {
    let fd = std::mem::replace(value, Value::Null);
    *value = Value::Described {
        fd: Box::new(fd),
        about: Box::new(about),
    };
}

/// Whether `call` returns a descriptor: its table return kind, or `fcntl(F_DUPFD*)`.
fn returns_fd(call: &Syscall) -> bool {
    match call {
        Syscall::Fcntl(_) => {
            let cmd = call.to_args()[1] as i32;
            cmd == libc::F_DUPFD || cmd == libc::F_DUPFD_CLOEXEC
        }
        _ => call.info().is_some_and(|info| info.ret == RetKind::Fd),
    }
}

/// The calls that change what the table knows (with every call that returns a descriptor).
pub(crate) const FOLLOWED: &[&str] = &[
    "close",
    "close_range",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "ioctl",
    "pipe",
    "pipe2",
    "socketpair",
    "clone",
    "clone3",
    "fork",
    "vfork",
    "chdir",
    "fchdir",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "bind",
    "connect",
    "listen",
    "shutdown",
    "sendto",
    "sendmsg",
    "sendmmsg",
];

impl Sink for FdTable {
    fn interest(&self) -> Interest {
        self.0.borrow().interest
    }

    fn wants_exit(&self, call: &Syscall) -> bool {
        call.info()
            .is_some_and(|_| self.interest().contains(call.number()))
    }

    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        let mut state = self.0.borrow_mut();
        state.fed = true;
        state.apply_closing();
        if !state.decode.any() {
            return Ok(());
        }
        match &event.kind {
            EventKind::SyscallEntered { call } => state.entered(event.pid, event.tid, call),
            EventKind::SyscallExited {
                call,
                ret: Return::Value(ret),
                ..
            } => state.exited(event, call, *ret),
            EventKind::Exec { .. } => state.exec(event.pid),
            EventKind::Started if event.tid == event.pid => state.started(event.pid),
            EventKind::Exited(_) | EventKind::Detached => {
                state.thread_gone(event.tid);
                if event.tid == event.pid {
                    state.gone(event.pid);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_fds_sets_parse_as_strace_parses_them() {
        assert_eq!(DecodeFds::parse("all"), Ok(DecodeFds::all()));
        assert_eq!(DecodeFds::parse("none"), Ok(DecodeFds::default()));
        let set = DecodeFds::parse("path,dev").unwrap();
        assert!(set.path && set.dev && !set.socket && !set.pidfd);
        let set = DecodeFds::parse("!socket").unwrap();
        assert!(set.path && set.dev && !set.socket && set.pidfd);
        assert!(DecodeFds::parse("paths").is_err());
        assert!(DecodeFds::from_count(1).path);
        assert_eq!(DecodeFds::from_count(2), DecodeFds::all());
    }
}

//! Runs a program with some directories off limits and no network, against a program that
//! tries to get around it.
//!
//! ```text
//! cargo run --example sandbox -- [--deny DIR]... [--] PROGRAM [ARGS...]
//! cargo run --example sandbox -- --deny /etc cat /etc/hostname
//! ```
//!
//! # What it does
//! - **Opens are emulated, not checked and passed.** `open`, `openat`, `openat2` and
//!   `creat` read the path from the program once; the tracer opens the file itself
//!   ([`Tracee::open_file`]: the kernel resolves the path once, from the thread's root,
//!   working directory or directory descriptor, refusing magic links), judges the file the
//!   kernel reached by its real path, and hands the descriptor over as the call's result
//!   ([`Tracee::install_fd`]). Another thread rewriting the path, a `..`, a symlink (a
//!   dangling one under `O_CREAT` too), `/proc/self/root`, `/proc/PID/cwd` or `/dev/fd/N`
//!   all end at the real file, which is refused with `EACCES` when it lies under a
//!   `--deny` directory. `/dev/userfaultfd` is always refused.
//! - **Links and renames are emulated too**: `link`, `linkat`, `rename`, `renameat` and
//!   `renameat2` are done by the tracer on directories the kernel resolved, and refused
//!   when they would give a denied file a second name, move a file out of (or into) a
//!   denied directory, or move a directory that holds one.
//! - **A denied executable never runs.** `execve` and `execveat` are refused with `EACCES`
//!   when the file the name reaches lies under a denied directory (opened with `O_PATH`
//!   and judged like an open), and, as that name can change before the kernel resolves
//!   it, what the kernel mapped is judged again at the exec stop, before the new program
//!   runs: a denied program or ELF interpreter there kills the process
//!   ([`Linux::allow_exec`]).
//! - **What changes the meaning of paths, or reaches around the tracer, fails with
//!   `EPERM`**: `unshare`, `setns`, `clone`/`clone3` with a new namespace, `chroot`,
//!   `pivot_root`, `mount`, `umount2`, the new mount API (`open_tree`, `move_mount`,
//!   `fsopen`, `fsmount`, `fsconfig`, `fspick`, `mount_setattr`), `open_by_handle_at`,
//!   `ptrace`, `process_vm_readv`/`writev`, `pidfd_getfd`, `io_uring_setup`,
//!   `userfaultfd`, `bpf` and `fanotify_init`. i386 and x32 calls fail with `ENOSYS`.
//!   (A seccomp filter of the program's own that could outrank the tracer's is refused by
//!   interpose itself.)
//! - `socket` fails with `EPERM` for every address family except `AF_UNIX`.
//!
//! The program carries on after a refusal, as after any failed call. With `--deny /etc`
//! the dynamic loader cannot open `/etc/ld.so.cache` either; it then finds libraries in
//! the default directories, so programs still start.
//!
//! # Limits
//! See SECURITY.md. In short: the policy is about opening, running, linking and renaming;
//! `stat`, `unlink`, `chmod` and the other path calls are not judged. A descriptor opened
//! before the program started, or passed to it over a socket from outside, is not judged.
//! The program must run with the tracer's credentials: a thread whose uids, gids or
//! capabilities differ gets `EACCES` from every open. A hard link made before the sandbox
//! started is a second name the policy cannot know of.

use interpose::args::{Dirfd, PathPtr, ToRaw};
use interpose::linux::{
    AddressFamily, Bpf, Chroot, Clone, Clone3, Creat, Execve, Execveat, FanotifyInit, Fsconfig,
    Fsmount, Fsopen, Fspick, I386, IoUringSetup, Link, Linkat, Mount, MountSetattr, MoveMount,
    Open, OpenByHandleAt, OpenTree, Openat, Openat2, PidfdGetfd, PivotRoot, ProcessVmReadv,
    ProcessVmWritev, Ptrace, Rename, Renameat, Renameat2, Setns, Socket, Umount2, Unshare,
    Userfaultfd,
};
use interpose::{Command, Errno, Linux, OpenHow, Pid, ReadMemory, SysResult, Tracee};
use std::cell::{Cell, RefCell};
use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

const NAME: &str = "sandbox";
const USAGE: &str = "usage: sandbox [--deny DIR]... [--] PROGRAM [ARGS...]";

/// The clone flags that make a new namespace.
const NEW_NAMESPACES: u64 = (libc::CLONE_NEWNS
    | libc::CLONE_NEWUSER
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWNET
    | libc::CLONE_NEWIPC
    | libc::CLONE_NEWUTS
    | libc::CLONE_NEWCGROUP
    | 0x80) as u64; // CLONE_NEWTIME

/// The sandbox policy: the denied directories, by their real paths.
struct Sandbox {
    deny: Vec<PathBuf>,
}

#[interpose::handler]
impl Linux for Sandbox {
    async fn open(&self, t: &mut Tracee, call: Open) -> SysResult {
        let how = OpenHow {
            flags: call.flags.to_raw() as i32,
            mode: call.mode.0,
            resolve: 0,
        };
        self.emulate_open(t, libc::AT_FDCWD, call.pathname, how)
            .await
    }

    async fn creat(&self, t: &mut Tracee, call: Creat) -> SysResult {
        let how = OpenHow {
            flags: libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC,
            mode: call.mode.0,
            resolve: 0,
        };
        self.emulate_open(t, libc::AT_FDCWD, call.pathname, how)
            .await
    }

    async fn openat(&self, t: &mut Tracee, call: Openat) -> SysResult {
        let how = OpenHow {
            flags: call.flags.to_raw() as i32,
            mode: call.mode.0,
            resolve: 0,
        };
        self.emulate_open(t, call.dirfd.0, call.pathname, how).await
    }

    async fn openat2(&self, t: &mut Tracee, call: Openat2) -> SysResult {
        // struct open_how { u64 flags, mode, resolve; }, read once.
        if call.size < 24 {
            return Err(Errno::EINVAL);
        }
        let [flags, mode, resolve] = t.memory().read_words(call.how.addr, 3)?[..] else {
            return Err(Errno::EFAULT);
        };
        let flags = i32::try_from(flags).map_err(|_| Errno::EINVAL)?;
        let mode = u32::try_from(mode).map_err(|_| Errno::EINVAL)?;
        let how = OpenHow {
            flags,
            mode,
            resolve,
        };
        self.emulate_open(t, call.dirfd.0, call.pathname, how).await
    }

    async fn execve(&self, t: &mut Tracee, call: Execve) -> SysResult {
        self.judge_exec(t, libc::AT_FDCWD, call.pathname, 0)?;
        t.pass(call)
    }

    async fn execveat(&self, t: &mut Tracee, call: Execveat) -> SysResult {
        self.judge_exec(t, call.dirfd.0, call.pathname, call.flags.to_raw())?;
        t.pass(call)
    }

    /// The program the kernel mapped, and its ELF interpreter, judged before it runs: a
    /// denied one is killed there. This is what holds when another thread points the
    /// path `execve` was judged by elsewhere before the kernel resolved it.
    fn allow_exec(&self, tid: Pid) -> bool {
        // At the exec stop the files mapped are the program and its ELF interpreter.
        let Ok(maps) = std::fs::read_to_string(format!("/proc/{tid}/maps")) else {
            return false;
        };
        let denied = maps
            .lines()
            .filter_map(|line| line.split_whitespace().nth(5))
            .filter(|name| name.starts_with('/'))
            .map(PathBuf::from)
            .find(|file| self.judge(file).is_err());
        if let Some(file) = &denied {
            eprintln!(
                "{NAME}: killed process {tid}: it executed {}, which is denied",
                file.display()
            );
        }
        denied.is_none()
    }

    async fn link(&self, t: &mut Tracee, call: Link) -> SysResult {
        self.emulate_link(
            t,
            (libc::AT_FDCWD, call.oldpath),
            (libc::AT_FDCWD, call.newpath),
            0,
        )
    }

    async fn linkat(&self, t: &mut Tracee, call: Linkat) -> SysResult {
        let flags = call.flags.to_raw() as i32;
        self.emulate_link(
            t,
            at(call.olddirfd, call.oldpath),
            at(call.newdirfd, call.newpath),
            flags,
        )
    }

    async fn rename(&self, t: &mut Tracee, call: Rename) -> SysResult {
        self.emulate_rename(
            t,
            (libc::AT_FDCWD, call.oldpath),
            (libc::AT_FDCWD, call.newpath),
            0,
        )
    }

    async fn renameat(&self, t: &mut Tracee, call: Renameat) -> SysResult {
        self.emulate_rename(
            t,
            at(call.olddirfd, call.oldpath),
            at(call.newdirfd, call.newpath),
            0,
        )
    }

    async fn renameat2(&self, t: &mut Tracee, call: Renameat2) -> SysResult {
        let flags = call.flags.to_raw() as u32;
        self.emulate_rename(
            t,
            at(call.olddirfd, call.oldpath),
            at(call.newdirfd, call.newpath),
            flags,
        )
    }

    async fn clone(&self, t: &mut Tracee, call: Clone) -> SysResult {
        if call.flags.to_raw() & NEW_NAMESPACES != 0 {
            return Err(Errno::EPERM);
        }
        t.pass(call)
    }

    async fn clone3(&self, t: &mut Tracee, call: Clone3) -> SysResult {
        // struct clone_args starts with its u64 flags; interpose hands a handler only the
        // clone3 calls it could not turn into a clone, read once into registers.
        let flags: u64 = t.memory().read_pod(call.cl_args.addr)?;
        if flags & NEW_NAMESPACES != 0 {
            return Err(Errno::EPERM);
        }
        t.pass(call)
    }

    // Refused outright. (Each is a method of its own: `#[interpose::handler]` records
    // the overridden calls from the methods it sees, so a macro could not write them.)
    async fn unshare(&self, _: &mut Tracee, _: Unshare) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn setns(&self, _: &mut Tracee, _: Setns) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn chroot(&self, _: &mut Tracee, _: Chroot) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn pivot_root(&self, _: &mut Tracee, _: PivotRoot) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn mount(&self, _: &mut Tracee, _: Mount) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn umount2(&self, _: &mut Tracee, _: Umount2) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn open_tree(&self, _: &mut Tracee, _: OpenTree) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn move_mount(&self, _: &mut Tracee, _: MoveMount) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn fsopen(&self, _: &mut Tracee, _: Fsopen) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn fsmount(&self, _: &mut Tracee, _: Fsmount) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn fsconfig(&self, _: &mut Tracee, _: Fsconfig) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn fspick(&self, _: &mut Tracee, _: Fspick) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn mount_setattr(&self, _: &mut Tracee, _: MountSetattr) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn open_by_handle_at(&self, _: &mut Tracee, _: OpenByHandleAt) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn ptrace(&self, _: &mut Tracee, _: Ptrace) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn process_vm_readv(&self, _: &mut Tracee, _: ProcessVmReadv) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn process_vm_writev(&self, _: &mut Tracee, _: ProcessVmWritev) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn pidfd_getfd(&self, _: &mut Tracee, _: PidfdGetfd) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn io_uring_setup(&self, _: &mut Tracee, _: IoUringSetup) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn userfaultfd(&self, _: &mut Tracee, _: Userfaultfd) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn bpf(&self, _: &mut Tracee, _: Bpf) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn fanotify_init(&self, _: &mut Tracee, _: FanotifyInit) -> SysResult {
        Err(Errno::EPERM)
    }

    async fn socket(&self, t: &mut Tracee, call: Socket) -> SysResult {
        if call.domain != AddressFamily::AF_UNIX {
            return Err(Errno::EPERM);
        }
        t.pass(call)
    }

    async fn i386_syscall(&self, _: &mut Tracee, _: I386) -> SysResult {
        Err(Errno::ENOSYS)
    }
}

/// A `(dirfd, path)` pair of an `*at` call.
fn at(dirfd: Dirfd, path: PathPtr) -> (i32, PathPtr) {
    (dirfd.0, path)
}

impl Sandbox {
    /// `EACCES` for a real path under a denied directory (or `/dev/userfaultfd`).
    fn judge(&self, real: &Path) -> Result<(), Errno> {
        let denied = self.deny.iter().any(|dir| real.starts_with(dir))
            || real == Path::new("/dev/userfaultfd");
        if denied { Err(Errno::EACCES) } else { Ok(()) }
    }

    /// `EACCES` when the file an `execve` names lies under a denied directory: the file
    /// the kernel reaches by that name now, opened (`O_PATH`) and judged by its real
    /// path. Any other failure is left to the kernel's own `execve` to report. The
    /// program's image is judged again at the exec stop ([`Linux::allow_exec`]).
    fn judge_exec(&self, t: &Tracee, at: i32, path: PathPtr, flags: u64) -> Result<(), Errno> {
        let name = read_path(t, path)?;
        if name.is_empty() && flags & libc::AT_EMPTY_PATH as u64 != 0 {
            // The descriptor itself, judged when it was opened.
            return Ok(());
        }
        let nofollow = if flags & libc::AT_SYMLINK_NOFOLLOW as u64 != 0 {
            libc::O_NOFOLLOW
        } else {
            0
        };
        let how = OpenHow {
            flags: libc::O_PATH | libc::O_CLOEXEC | nofollow,
            mode: 0,
            resolve: 0,
        };
        let denied = Cell::new(false);
        let mut policy = |real: &Path| {
            let judged = self.judge(real);
            if judged.is_err() {
                denied.set(true);
            }
            judged
        };
        let _ = t.open_file(at, &name, how, &mut policy);
        if denied.get() {
            Err(Errno::EACCES)
        } else {
            Ok(())
        }
    }

    /// Opens in the tracer what the program asked for, and installs the descriptor.
    async fn emulate_open(
        &self,
        t: &mut Tracee,
        dirfd: i32,
        path: PathPtr,
        how: OpenHow,
    ) -> SysResult {
        let path = read_path(t, path)?;
        t.open_and_install(dirfd, &path, how, &mut |real| self.judge(real))
            .await
    }

    /// The directory holding the last component of `path` (resolved by the kernel and
    /// judged as the place of that component), and the component.
    fn parent(
        &self,
        t: &Tracee,
        dirfd: i32,
        path: PathPtr,
    ) -> Result<(OwnedFd, PathBuf, Vec<u8>), Errno> {
        let path = read_path(t, path)?;
        let trimmed = match path.iter().rposition(|&b| b != b'/') {
            Some(end) => &path[..=end],
            None => return Err(Errno::new(libc::EBUSY)), // "/" itself
        };
        let (directory, name) = match trimmed.iter().rposition(|&b| b == b'/') {
            Some(0) => (&b"/"[..], &trimmed[1..]),
            Some(slash) => (&trimmed[..slash], &trimmed[slash + 1..]),
            None => (&b"."[..], trimmed),
        };
        if name == b"." || name == b".." {
            return Err(Errno::EINVAL);
        }
        let real_directory = RefCell::new(PathBuf::new());
        let how = OpenHow {
            flags: libc::O_PATH | libc::O_DIRECTORY,
            ..OpenHow::default()
        };
        let fd = t.open_file(dirfd, directory, how, &mut |real| {
            *real_directory.borrow_mut() = real.to_owned();
            Ok(())
        })?;
        let real = real_directory
            .into_inner()
            .join(std::ffi::OsStr::from_bytes(name));
        self.judge(&real)?;
        Ok((fd, real, name.to_vec()))
    }

    /// `linkat`, done by the tracer: the file is found once (`O_PATH`, judged), and linked
    /// by its descriptor into a directory the kernel resolved.
    fn emulate_link(
        &self,
        t: &mut Tracee,
        old: (i32, PathPtr),
        new: (i32, PathPtr),
        flags: i32,
    ) -> SysResult {
        if flags & !(libc::AT_SYMLINK_FOLLOW | libc::AT_EMPTY_PATH) != 0 {
            return Err(Errno::EINVAL);
        }
        let old_path = read_path(t, old.1)?;
        let mut how = OpenHow {
            flags: libc::O_PATH,
            ..OpenHow::default()
        };
        if flags & libc::AT_SYMLINK_FOLLOW == 0 {
            how.flags |= libc::O_NOFOLLOW;
        }
        let source = if old_path.is_empty() && flags & libc::AT_EMPTY_PATH != 0 {
            let own = format!("/proc/self/fd/{}", old.0);
            t.open_file(libc::AT_FDCWD, own.as_bytes(), how, &mut |real| {
                self.judge(real)
            })?
        } else {
            t.open_file(old.0, &old_path, how, &mut |real| self.judge(real))?
        };
        let (directory, _, name) = self.parent(t, new.0, new.1)?;
        let empty = nix::fcntl::AtFlags::AT_EMPTY_PATH;
        nix::unistd::linkat(&source, "", &directory, name.as_slice(), empty)
            .map_err(|e| Errno::new(e as i32))?;
        Ok(0)
    }

    /// `renameat2`, done by the tracer on directories the kernel resolved. Refused when
    /// either name is denied, or the file moved holds a denied directory.
    fn emulate_rename(
        &self,
        t: &mut Tracee,
        old: (i32, PathPtr),
        new: (i32, PathPtr),
        flags: u32,
    ) -> SysResult {
        let (old_directory, old_real, old_name) = self.parent(t, old.0, old.1)?;
        let (new_directory, _, new_name) = self.parent(t, new.0, new.1)?;
        if self.deny.iter().any(|dir| dir.starts_with(&old_real)) {
            return Err(Errno::EACCES);
        }
        let flags = nix::fcntl::RenameFlags::from_bits_retain(flags);
        nix::fcntl::renameat2(
            &old_directory,
            old_name.as_slice(),
            &new_directory,
            new_name.as_slice(),
            flags,
        )
        .map_err(|e| Errno::new(e as i32))?;
        Ok(0)
    }
}

/// The path at `path`, read from the program's memory once.
fn read_path(t: &Tracee, path: PathPtr) -> Result<Vec<u8>, Errno> {
    let (bytes, complete) = t.memory().read_cstr(path.0, libc::PATH_MAX as usize)?;
    if !complete {
        return Err(Errno::new(libc::ENAMETOOLONG));
    }
    Ok(bytes)
}

/// The parsed command line.
struct Options {
    deny: Vec<PathBuf>,
    program: OsString,
    args: Vec<OsString>,
}

fn parse_args(mut args: impl Iterator<Item = OsString>) -> Result<Options, String> {
    let mut deny = Vec::new();
    let program = loop {
        let Some(arg) = args.next() else {
            return Err("no program given".into());
        };
        match arg.to_str() {
            Some("--deny") => {
                let dir = args.next().ok_or("--deny needs a directory")?;
                deny.push(real_directory(PathBuf::from(dir))?);
            }
            Some("-h" | "--help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            Some("--") => break args.next().ok_or("no program given")?,
            Some(flag) if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ => break arg,
        }
    };
    Ok(Options {
        deny,
        program,
        args: args.collect(),
    })
}

/// A `--deny` directory as the policy compares it: its real path, as the kernel writes the
/// paths of the files under it.
fn real_directory(dir: PathBuf) -> Result<PathBuf, String> {
    if !dir.is_absolute() {
        return Err(format!(
            "--deny wants an absolute path, got {}",
            dir.display()
        ));
    }
    std::fs::canonicalize(&dir).map_err(|e| format!("--deny {}: {e}", dir.display()))
}

fn main() {
    let options = match parse_args(std::env::args_os().skip(1)) {
        Ok(options) => options,
        Err(problem) => {
            eprintln!("{NAME}: {problem}; {USAGE}");
            std::process::exit(2);
        }
    };
    let sandbox = Sandbox { deny: options.deny };
    let outcome = Command::new(&options.program)
        .args(&options.args)
        .shield_interrupts(true)
        .trace(sandbox);
    match outcome {
        Ok(outcome) => interpose::exit_like(outcome.status),
        Err(err) => {
            eprintln!("{NAME}: {err}");
            std::process::exit(err.exit_code());
        }
    }
}

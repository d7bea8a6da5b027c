//! Handing a descriptor of the tracer's to the tracee: a socket pair the thread makes in
//! injected calls, `SCM_RIGHTS` across it, and a check that the number the thread read is
//! the descriptor that arrived.

use super::errno;
use crate::args::{Fd, FromRaw, Ptr};
use crate::linux::{AddressFamily, Close, MsgFlags, Recvmsg, SocketType, Socketpair};
use crate::memory::ReadMemory;
use crate::sys::files;
use crate::{Errno, SysResult, Tracee};
use nix::sys::socket::{ControlMessage, MsgFlags as SendFlags, UnixAddr, sendmsg};
use nix::sys::stat::{FileStat, fstat};
use std::io::IoSlice;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

/// The red zone below the stack pointer, which the program may still be using.
const RED_ZONE: u64 = 128;

impl Tracee {
    /// Installs `file` in the tracee as the lowest free descriptor, as `open` would pick
    /// it, and returns its number: the tracer sends it over a socket pair the thread
    /// makes, and the thread receives it (`SCM_RIGHTS`), in calls injected before the
    /// current one (four injections). `cloexec` sets `FD_CLOEXEC` on it. Uses 256 bytes
    /// of the thread's stack below the red zone as scratch memory.
    ///
    /// The number is checked against what the tracer sent: another thread rewriting the
    /// scratch memory meanwhile makes this fail with `EIO`, never return a wrong number.
    ///
    /// # Errors
    /// `EMFILE` and the like when the thread has no room for more descriptors; `EFAULT`
    /// when its stack cannot be written; `ESRCH` if it is gone.
    pub async fn install_fd(&mut self, file: OwnedFd, cloexec: bool) -> SysResult {
        let scratch = self.scratch(256)?;
        let socket_type = SocketType::from_raw((libc::SOCK_DGRAM | libc::SOCK_CLOEXEC) as u64);
        self.inject(Socketpair {
            domain: AddressFamily::AF_UNIX,
            typ: socket_type,
            protocol: 0,
            sv: Ptr::new(scratch),
        })
        .await?;
        let [sender, receiver]: [i32; 2] = self.memory().read_pod(scratch)?;
        // The tracer takes the sending end; the program's copy goes first, so that the
        // received descriptor takes the lowest free number, the one `open` would return.
        let pidfd = files::pidfd_open(self.pid()).map_err(errno);
        let ours = pidfd
            .as_ref()
            .map_err(|e| *e)
            .and_then(|pidfd| files::pidfd_getfd(pidfd.as_fd(), sender).map_err(errno));
        let closed = self.inject(Close { fd: Fd(sender) }).await;
        let received = match (pidfd, ours, closed) {
            (Ok(pidfd), Ok(ours), Ok(_)) => {
                self.receive(scratch, &pidfd, ours, receiver, &file, cloexec)
                    .await
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
        };
        // The receiving end goes whatever happened; the received descriptor stays.
        let _ = self.inject(Close { fd: Fd(receiver) }).await;
        received.map(i64::from)
    }

    /// Sends `file` from `ours`, the tracer's copy of the socket pair's sending end, and
    /// has the thread receive it on `receiver`.
    async fn receive(
        &mut self,
        scratch: u64,
        pidfd: &OwnedFd,
        ours: OwnedFd,
        receiver: i32,
        file: &OwnedFd,
        cloexec: bool,
    ) -> Result<i32, Errno> {
        let fds = [file.as_raw_fd()];
        sendmsg::<UnixAddr>(
            ours.as_raw_fd(),
            &[IoSlice::new(&[0])],
            &[ControlMessage::ScmRights(&fds)],
            SendFlags::empty(),
            None,
        )
        .map_err(|e| Errno::new(e as i32))?;
        drop(ours);

        // struct msghdr at +16, its iovec at +72, the byte at +88, the control at +96.
        let msghdr = scratch + 16;
        let (iov, byte, control) = (scratch + 72, scratch + 88, scratch + 96);
        let control_len = 24u64; // CMSG_SPACE(sizeof(int))
        let mut memory = Vec::with_capacity(104);
        for word in [0, 0, iov, 1, control, control_len, 0] {
            memory.extend_from_slice(&u64::to_ne_bytes(word));
        }
        for word in [byte, 1, 0] {
            memory.extend_from_slice(&u64::to_ne_bytes(word));
        }
        memory.extend_from_slice(&[0; 24]);
        self.memory().write(msghdr, &memory)?;
        let mut flags = libc::MSG_DONTWAIT;
        if cloexec {
            flags |= libc::MSG_CMSG_CLOEXEC;
        }
        self.inject(Recvmsg {
            sockfd: Fd(receiver),
            msg: Ptr::new(msghdr),
            flags: MsgFlags::from_raw(flags as u64),
        })
        .await?;
        let control = self.memory().read_words(control, 3)?;
        let [len, header, fd] = control[..] else {
            return Err(Errno::EIO);
        };
        let (level, kind) = (header as u32 as i32, (header >> 32) as u32 as i32);
        let fd = fd as u32 as i32;
        if len != 20 || level != libc::SOL_SOCKET || kind != libc::SCM_RIGHTS {
            return Err(Errno::EIO);
        }
        // The control buffer lives in memory the program's other threads can write: make
        // sure the number read is the descriptor that arrived.
        let landed = files::pidfd_getfd(pidfd.as_fd(), fd).map_err(|_| Errno::EIO)?;
        if !same_file(&fstat(file), &fstat(&landed)) {
            return Err(Errno::EIO);
        }
        Ok(fd)
    }

    /// The 16-byte aligned address `bytes` below the thread's red zone: stack the program
    /// is not using, where injected calls find their arguments.
    pub(super) fn scratch(&self, bytes: u64) -> Result<u64, Errno> {
        let below = self.stack_pointer()?.checked_sub(RED_ZONE + bytes);
        Ok(below.ok_or(Errno::EFAULT)? & !15)
    }
}

fn same_file(a: &nix::Result<FileStat>, b: &nix::Result<FileStat>) -> bool {
    matches!((a, b), (Ok(a), Ok(b)) if a.st_dev == b.st_dev && a.st_ino == b.st_ino)
}

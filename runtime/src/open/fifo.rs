//! The emulated open end to end ([`Tracee::open_and_install`]), with the waits a FIFO
//! needs: for a reader, the thread asleep between tries; for a writer, the thread in `poll`.

use super::{OpenHow, Policy, errno, set_nonblocking};
use crate::args::Ptr;
use crate::linux::{Nanosleep, Poll};
use crate::{Errno, SysResult, Tracee};
use nix::sys::stat::fstat;

/// What [`Tracee::open_file`] returns for a blocking open of a FIFO for writing while it has
/// no reader: `ENXIO`, as a non-blocking open would, so that the caller can wait (the
/// tracer cannot block in the open: the reader may be one of its tracees).
/// [`Tracee::open_and_install`] waits and tries again.
pub(super) const NO_READER_YET: Errno = Errno::new(libc::ENXIO);

/// How long [`Tracee::open_and_install`] lets the thread sleep between tries of a FIFO
/// with no reader.
const FIFO_RETRY: libc::timespec = libc::timespec {
    tv_sec: 0,
    tv_nsec: 2_000_000,
};

impl Tracee {
    /// The whole emulated open: [`open_file`](Tracee::open_file), then
    /// [`install_fd`](Tracee::install_fd) with `FD_CLOEXEC` as `O_CLOEXEC` asks. A blocking
    /// open of a FIFO for writing waits for a reader, as open(2) does, with the thread
    /// asleep between tries (`nanosleep` injected) while the tracer serves the others. A
    /// blocking open of a FIFO for reading returns once a writer has written to it (or
    /// come and gone), the thread waiting in an injected `poll`: later than open(2), which
    /// returns when the writer opens, but the program's next `read` finds what open(2)
    /// and `read` together would have.
    ///
    /// # Errors
    /// As [`open_file`](Tracee::open_file) and [`install_fd`](Tracee::install_fd).
    pub async fn open_and_install(
        &mut self,
        at: i32,
        path: &[u8],
        how: OpenHow,
        policy: Policy<'_>,
    ) -> SysResult {
        let blocking = how.flags & libc::O_NONBLOCK == 0;
        let file = loop {
            match self.open_file(at, path, how, &mut *policy) {
                Err(e) if e == NO_READER_YET && blocking => self.sleep(FIFO_RETRY).await?,
                other => break other?,
            }
        };
        let waits_for_writer = blocking
            && how.flags & libc::O_ACCMODE == libc::O_RDONLY
            && fstat(&file).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFIFO);
        if waits_for_writer {
            set_nonblocking(&file, true)?;
        }
        let fd = self
            .install_fd(
                file.try_clone().map_err(errno)?,
                how.flags & libc::O_CLOEXEC != 0,
            )
            .await?;
        if waits_for_writer {
            // open(2) of a FIFO for reading waits for a writer: the thread waits in poll
            // until one has written or come and gone, then its descriptor blocks again.
            let waited = self.wait_readable(fd as i32).await;
            set_nonblocking(&file, false)?;
            waited?;
        }
        Ok(fd)
    }

    /// Makes the thread wait in `poll` until its descriptor `fd` is readable or hung up.
    async fn wait_readable(&mut self, fd: i32) -> Result<(), Errno> {
        let at = self.scratch(64)?;
        loop {
            // struct pollfd { int fd; short events, revents; }
            let mut pollfd = [0u8; 8];
            pollfd[..4].copy_from_slice(&fd.to_ne_bytes());
            pollfd[4..6].copy_from_slice(&libc::POLLIN.to_ne_bytes());
            self.memory().write(at, &pollfd)?;
            match self
                .inject(Poll {
                    fds: Ptr::new(at),
                    nfds: 1,
                    timeout: -1,
                })
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) if is_interrupted(e) => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Makes the thread sleep for `time` (an injected `nanosleep`; a signal may cut it
    /// short).
    async fn sleep(&mut self, time: libc::timespec) -> Result<(), Errno> {
        let at = self.scratch(64)?;
        self.memory().write_pod(at, &time)?;
        match self
            .inject(Nanosleep {
                req: Ptr::new(at),
                rem: Ptr::new(0),
            })
            .await
        {
            Err(e) if !is_interrupted(e) => Err(e),
            _ => Ok(()),
        }
    }
}

/// `EINTR`, or one of the kernel's restart codes (`ERESTARTSYS`...) that a tracer sees at
/// the exit stop of a call a signal cut short.
fn is_interrupted(e: Errno) -> bool {
    e == Errno::EINTR || e.is_restart()
}

//! `-e read=SET` and `-e write=SET`: the bytes a call read from or wrote to a descriptor
//! of the set, in hex and ASCII under its line, as strace 6.1 writes them (its `dumpio`,
//! `dumpiov_upto` and `dumpstr`):
//!
//! ```text
//! read(3, "root:x:0:0:root:/root:/bin/bash\n"..., 131072) = 45
//!  | 00000  72 6f 6f 74 3a 78 3a 30  3a 30 3a 72 6f 6f 74 3a  root:x:0:0:root: |
//! ```
//!
//! - `write`, `pwrite64`, `sendto`, `mq_timedsend`: the buffer, as long as the call was
//!   told, even when it failed; `writev`, `pwritev`, `pwritev2`, `vmsplice`, `sendmsg`,
//!   `sendmmsg`: each buffer of the vector, under ` * N bytes in buffer I`;
//! - `read`, `pread64`, `recvfrom`, `mq_timedreceive`: the bytes the call returned, when it
//!   did not fail; `readv`, `preadv`, `preadv2`, `recvmsg`, `recvmmsg`: the buffers of the
//!   vector, up to the bytes returned;
//! - a vector's dump stops at its first empty buffer, as strace's does.

use crate::linux::Syscall;
use crate::memory::{Memory, ReadMemory};
use crate::output::filter::FdSet;
use std::fmt::Write as _;

/// `struct iovec` and `struct mmsghdr` sizes; where `msghdr` keeps its vector.
const IOVEC: u64 = 16;
const MMSGHDR: u64 = 64;
const MSG_IOV: u64 = 16;
const MSG_IOVLEN: u64 = 24;
const MMSG_LEN: u64 = 56;
/// At most this many buffers of a vector are read (the kernel's `UIO_MAXIOV`).
const MAX_IOV: u64 = 1024;

/// Which descriptors' data is dumped.
#[derive(Clone, Debug, Default)]
pub(super) struct Dumps {
    pub reads: Option<FdSet>,
    pub writes: Option<FdSet>,
}

impl Dumps {
    pub(super) fn any(&self) -> bool {
        self.reads.is_some() || self.writes.is_some()
    }

    /// The dump lines of `call` of thread `tid`, which returned `ret`; empty when its
    /// descriptor is in neither set or it moves no data.
    pub(super) fn text(&self, call: &Syscall, tid: Pid, ret: i64) -> String {
        let mut out = String::new();
        let Some(info) = call.info() else {
            return out;
        };
        let args = call.to_args();
        let fd = args[0] as i32;
        let memory = Memory::new(tid);
        let wanted = |set: &Option<FdSet>| set.as_ref().is_some_and(|s| s.contains(fd));
        if wanted(&self.writes) {
            match info.name {
                "write" | "pwrite64" | "sendto" | "mq_timedsend" => {
                    dump(&mut out, &memory, args[1], args[2]);
                }
                "writev" | "pwritev" | "pwritev2" | "vmsplice" => {
                    vector(&mut out, &memory, args[1], args[2], u64::MAX);
                }
                "sendmsg" => message(&mut out, &memory, args[1], u64::MAX),
                "sendmmsg" if ret > 0 => messages(&mut out, &memory, args[1], ret as u64),
                _ => {}
            }
        }
        if ret < 0 || !wanted(&self.reads) {
            return out;
        }
        let got = ret as u64;
        match info.name {
            "read" | "pread64" | "recvfrom" | "mq_timedreceive" => {
                dump(&mut out, &memory, args[1], got);
            }
            "readv" | "preadv" | "preadv2" => vector(&mut out, &memory, args[1], args[2], got),
            "recvmsg" => message(&mut out, &memory, args[1], got),
            "recvmmsg" => messages(&mut out, &memory, args[1], got),
            _ => {}
        }
        out
    }
}

use nix::unistd::Pid;

/// The buffers of the `msghdr` at `addr`, up to `size` bytes.
fn message(out: &mut String, memory: &Memory, addr: u64, size: u64) {
    let (Ok(iov), Ok(len)) = (
        memory.read_pod::<u64>(addr.wrapping_add(MSG_IOV)),
        memory.read_pod::<u64>(addr.wrapping_add(MSG_IOVLEN)),
    ) else {
        return;
    };
    vector(out, memory, iov, len, size);
}

/// The buffers of the first `count` messages of the `mmsghdr` array at `addr`, each up to
/// the length the kernel put in it.
fn messages(out: &mut String, memory: &Memory, addr: u64, count: u64) {
    for i in 0..count.min(MAX_IOV) {
        let at = addr.wrapping_add(i.wrapping_mul(MMSGHDR));
        let Ok(len) = memory.read_pod::<u32>(at.wrapping_add(MMSG_LEN)) else {
            return;
        };
        message(out, memory, at, u64::from(len));
    }
}

/// The buffers of the `count` iovecs at `addr`, up to `size` bytes in all.
fn vector(out: &mut String, memory: &Memory, addr: u64, count: u64, mut size: u64) {
    let count = count.min(MAX_IOV);
    let Ok(raw) = memory.read(addr, (count * IOVEC) as usize) else {
        return;
    };
    for (i, iov) in raw.chunks_exact(IOVEC as usize).enumerate() {
        let base = u64::from_ne_bytes(iov[..8].try_into().unwrap_or_default());
        let len = u64::from_ne_bytes(iov[8..].try_into().unwrap_or_default()).min(size);
        if len == 0 {
            break;
        }
        size -= len;
        writeln!(out, " * {len} bytes in buffer {i}").unwrap();
        dump(out, memory, base, len);
    }
}

/// `len` bytes at `addr` in rows of 16 (strace's `dumpstr`); nothing when unreadable.
fn dump(out: &mut String, memory: &Memory, addr: u64, len: u64) {
    let Ok(len) = usize::try_from(len) else {
        return;
    };
    if len == 0 {
        return;
    }
    let Ok(bytes) = memory.read(addr, len) else {
        return;
    };
    rows(out, &bytes);
}

/// The rows of a dump of `bytes`.
pub(super) fn rows(out: &mut String, bytes: &[u8]) {
    for (n, row) in bytes.chunks(16).enumerate() {
        write!(out, " | {:05x}  ", n * 16).unwrap();
        for i in 0..16 {
            match row.get(i) {
                Some(b) => write!(out, "{b:02x} ").unwrap(),
                None => out.push_str("   "),
            }
            if i == 7 {
                out.push(' ');
            }
        }
        out.push(' ');
        for i in 0..16 {
            out.push(match row.get(i) {
                Some(&b) if (b' '..0x7f).contains(&b) => b as char,
                Some(_) => '.',
                None => ' ',
            });
        }
        out.push_str(" |\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_laid_out_as_strace_lays_them_out() {
        let mut out = String::new();
        rows(
            &mut out,
            b"root:x:0:0:root:/root:/bin/bash\ndaemon:xa\tb\x01\xff",
        );
        let expected = concat!(
            " | 00000  72 6f 6f 74 3a 78 3a 30  3a 30 3a 72 6f 6f 74 3a  root:x:0:0:root: |\n",
            " | 00010  2f 72 6f 6f 74 3a 2f 62  69 6e 2f 62 61 73 68 0a  /root:/bin/bash. |\n",
            " | 00020  64 61 65 6d 6f 6e 3a 78  61 09 62 01 ff           daemon:xa.b..    |\n",
        );
        assert_eq!(out, expected);
        out.clear();
        rows(&mut out, b"0");
        assert_eq!(
            out,
            " | 00000  30                                                0                |\n"
        );
    }
}

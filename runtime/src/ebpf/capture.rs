//! The per-syscall capture table the BPF program reads: which arguments point to memory
//! and how many bytes of it to copy. Built from the generated table (`ArgInfo::capture`,
//! from `syscalls.toml`), with the string limit of `-s`: nothing about a syscall is written
//! here.

use crate::SYSCALLS;
use crate::value::Capture;

/// Entries of the BPF `capture` array: syscall numbers below this are captured.
pub(super) const NUMBERS: usize = 512;
/// Bytes of one entry: `u8 op[8]; u8 len[8]; u32 size[8]` (observe.bpf.c's `struct capture`;
/// slots 6 and 7 stay empty).
pub(super) const ENTRY: usize = 48;

/// The longest path the kernel accepts, NUL included.
const PATH_MAX: u32 = 4096;
/// The largest single copy the BPF program makes (its `LEN_MAX`).
pub(super) const COPY_MAX: u32 = 8192;
/// A sockaddr is shown from at most this many bytes (as `decode_sockaddr` reads).
const SOCKADDR_MAX: u32 = 128;

// The operations of observe.bpf.c.
const OP_STR: u8 = 1;
const OP_FIXED: u8 = 2;
const OP_LEN_ARG: u8 = 3;
const OP_LEN_RET: u8 = 4;
const OP_IOVEC: u8 = 5;
const OP_IOVEC_RET: u8 = 6;
const OP_SOCKADDR_OUT: u8 = 7;
const OP_ARGV: u8 = 8;
const OP_ENVP: u8 = 9;
const OP_RET: u8 = 10;
/// Also copied for a record made at the call's entry (an in-argument).
const OP_AT_ENTRY: u8 = 0x80;

/// One argument's operation, length argument and size, or `None` for nothing to copy.
fn operation(capture: Capture, string_limit: u32) -> Option<(u8, usize, u32)> {
    // A string cut at the limit is copied one byte longer, without its NUL, so that the
    // decoder sees that it goes on (strace's `...`).
    let string = string_limit.saturating_add(2).min(COPY_MAX);
    let bytes = string_limit.min(COPY_MAX);
    Some(match capture {
        Capture::None | Capture::Struct(0) => return None,
        Capture::Path => (OP_STR, 0, PATH_MAX.saturating_add(1)),
        Capture::Str => (OP_STR, 0, string),
        Capture::Struct(size) => (OP_FIXED, 0, u32::try_from(size).ok()?.min(COPY_MAX)),
        Capture::Returned(size) => (OP_RET, 0, u32::try_from(size).ok()?.min(COPY_MAX)),
        Capture::InBuf(len) => (OP_LEN_ARG, len, bytes),
        Capture::OutBuf(len) => (OP_LEN_RET, len, bytes),
        Capture::Iovec { len, out: false } => (OP_IOVEC, len, bytes),
        Capture::Iovec { len, out: true } => (OP_IOVEC_RET, len, bytes),
        Capture::SockaddrIn(len) => (OP_LEN_ARG, len, SOCKADDR_MAX),
        Capture::SockaddrOut(len) => (OP_SOCKADDR_OUT, len, SOCKADDR_MAX),
        Capture::Argv => (OP_ARGV, 0, string),
        Capture::Envp => (OP_ENVP, 0, 0),
    })
}

/// The table, one `ENTRY`-byte entry per syscall number below [`NUMBERS`].
pub(super) fn table(string_limit: usize) -> Vec<(u32, [u8; ENTRY])> {
    let limit = u32::try_from(string_limit).unwrap_or(u32::MAX);
    let mut entries = Vec::new();
    for info in SYSCALLS {
        let Some(number) = u32::try_from(info.number)
            .ok()
            .filter(|&n| (n as usize) < NUMBERS)
        else {
            continue;
        };
        let mut entry = [0u8; ENTRY];
        for (i, arg) in info.args.iter().enumerate().take(6) {
            let Some((op, len, size)) = operation(arg.capture, limit) else {
                continue;
            };
            entry[i] = if arg.at_exit { op } else { op | OP_AT_ENTRY };
            entry[8 + i] = u8::try_from(len).unwrap_or(0);
            let at = 16 + 4 * i;
            entry[at..at + 4].copy_from_slice(&size.to_ne_bytes());
        }
        entries.push((number, entry));
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_says_what_to_copy() {
        let table = table(32);
        let entry = |n: u32| table.iter().find(|(number, _)| *number == n).unwrap().1;
        // openat(dirfd, pathname, flags, mode): the path, at entry too.
        let openat = entry(libc::SYS_openat as u32);
        assert_eq!(openat[1], OP_STR | OP_AT_ENTRY);
        assert_eq!(openat[0], 0);
        // read(fd, buf, count): as many bytes as it returned, at most count (arg 2), cut at -s.
        let read = entry(libc::SYS_read as u32);
        assert_eq!((read[1], read[9]), (OP_LEN_RET, 2));
        assert_eq!(u32::from_ne_bytes(read[20..24].try_into().unwrap()), 32);
        // fstat(fd, statbuf): the whole struct, at exit only.
        let fstat = entry(libc::SYS_fstat as u32);
        assert_eq!(fstat[1], OP_FIXED);
        let size = u32::from_ne_bytes(fstat[20..24].try_into().unwrap());
        assert_eq!(size as usize, std::mem::size_of::<libc::stat>());
        // getdents64(fd, dirp, count): the records it returned (the pages past them may
        // not be mapped in), at most 8 KiB whatever -s says.
        let getdents = entry(libc::SYS_getdents64 as u32);
        assert_eq!(getdents[1], OP_RET);
        assert_eq!(
            u32::from_ne_bytes(getdents[20..24].try_into().unwrap()),
            COPY_MAX
        );
    }
}

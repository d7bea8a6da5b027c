//! The records the BPF program writes to its ring buffer (observe.bpf.c's `struct header`
//! followed by regions), read without `unsafe`: every field is taken from the bytes.

use crate::memory::Image;
use crate::sys::SigInfo;

/// A syscall that returned, or the entry of one that may never return.
const REC_SYSCALL: u32 = 1;
/// A new process or thread.
const REC_FORK: u32 = 2;
/// `sched_process_exec`.
const REC_EXEC: u32 = 3;
/// `sched_process_exit`.
const REC_EXIT: u32 = 4;
/// `signal_deliver`.
const REC_SIGNAL: u32 = 5;

const F_ENTER_ONLY: u32 = 1;

/// Bytes of the header: 4 × u32, 2 × i64, 6 × u64, 3 × u64, 2 × u32.
const HEADER: usize = 16 + 16 + 48 + 24 + 8;
/// Bytes of a region's header: address, length, padding.
const REGION: usize = 16;
/// Bytes of the siginfo a signal record carries.
const SIGINFO: usize = 128;

/// What a record says happened.
#[derive(Debug)]
pub(super) enum Kind {
    /// A syscall: `entry_only` for the entry of execve, exit, exit_group (or of a call a
    /// thread was in when it exited).
    Syscall {
        nr: i64,
        args: [u64; 6],
        ret: i64,
        entry_only: bool,
        enter_ns: u64,
    },
    /// A new thread or process.
    Fork,
    /// An exec; `former` is the tid that called execve. `filename` and `argv` are what the
    /// kernel kept of execve's arguments (the file name, the strings it copied to the new
    /// program's stack), for what execve's entry could not copy.
    Exec {
        former: u32,
        filename: Option<Vec<u8>>,
        argv: Vec<Vec<u8>>,
    },
    /// The thread exited with this wait status; `superseded`: the leader of a process in
    /// which another thread executes, which takes over its id.
    Exit { status: i32, superseded: bool },
    /// A signal is delivered.
    Signal { signal: i32, info: Option<SigInfo> },
}

/// One record.
#[derive(Debug)]
pub(super) struct Record {
    pub tid: u32,
    pub tgid: u32,
    /// `CLOCK_BOOTTIME` when the record was made.
    pub time_ns: u64,
    pub kind: Kind,
    /// The memory its pointer arguments point to, as copied.
    pub image: Image,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

fn i64_at(bytes: &[u8], at: usize) -> Option<i64> {
    u64_at(bytes, at).map(|v| v as i64)
}

/// The fields of a kernel siginfo strace shows (x86_64 layout: the union at 16).
fn siginfo(bytes: &[u8]) -> Option<SigInfo> {
    Some(SigInfo {
        signo: u32_at(bytes, 0)? as i32,
        code: u32_at(bytes, 8)? as i32,
        pid: u32_at(bytes, 16)? as i32,
        uid: u32_at(bytes, 20)?,
        status: u32_at(bytes, 24)? as i32,
        addr: u64_at(bytes, 16)?,
        utime: i64_at(bytes, 32)?,
        stime: i64_at(bytes, 40)?,
    })
}

impl Record {
    /// Reads one record; `None` for bytes that are not one (never from this program).
    pub(super) fn parse(bytes: &[u8]) -> Option<Record> {
        let kind = u32_at(bytes, 0)?;
        let flags = u32_at(bytes, 4)?;
        let tid = u32_at(bytes, 8)?;
        let tgid = u32_at(bytes, 12)?;
        let nr = i64_at(bytes, 16)?;
        let ret = i64_at(bytes, 24)?;
        let mut args = [0u64; 6];
        for (i, arg) in args.iter_mut().enumerate() {
            *arg = u64_at(bytes, 32 + 8 * i)?;
        }
        let enter_ns = u64_at(bytes, 80)?;
        let exit_ns = u64_at(bytes, 88)?;
        let sp = u64_at(bytes, 96)?;
        let regions = u32_at(bytes, 104)?;
        let size = (u32_at(bytes, 108)? as usize).min(bytes.len());
        let mut image = Image::new();
        image.set_stack_pointer(sp);
        let mut at = HEADER;
        let mut info = None;
        for _ in 0..regions {
            let addr = u64_at(bytes, at)?;
            let len = u32_at(bytes, at + 8)? as usize;
            let start = at + REGION;
            let data = bytes.get(start..(start + len).min(size))?;
            if kind == REC_SIGNAL {
                info = (len == SIGINFO).then(|| siginfo(data)).flatten();
            } else {
                image.map(addr, data);
            }
            // Regions start on 8-byte boundaries.
            at = (start + len).next_multiple_of(8);
        }
        let kind = match kind {
            REC_SYSCALL => Kind::Syscall {
                nr,
                args,
                ret,
                entry_only: flags & F_ENTER_ONLY != 0,
                enter_ns,
            },
            REC_FORK => Kind::Fork,
            REC_EXEC => {
                let mut filename = None;
                let mut argv = Vec::new();
                for (addr, bytes) in image.regions() {
                    let strings = bytes.split(|&b| b == 0).map(<[u8]>::to_vec);
                    if addr == 0 {
                        filename = strings.into_iter().next();
                    } else {
                        argv = strings.collect();
                        // The block ends with a NUL: no string after it.
                        argv.pop();
                    }
                }
                image = Image::new();
                Kind::Exec {
                    former: args[0] as u32,
                    filename,
                    argv,
                }
            }
            REC_EXIT => Kind::Exit {
                status: ret as i32,
                superseded: args[1] != 0,
            },
            REC_SIGNAL => Kind::Signal {
                signal: args[0] as i32,
                info,
            },
            _ => return None,
        };
        Some(Record {
            tid,
            tgid,
            time_ns: exit_ns,
            kind,
            image,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::ReadMemory;

    #[test]
    fn a_syscall_record_with_its_regions() {
        let mut bytes = vec![0u8; HEADER];
        bytes[0..4].copy_from_slice(&REC_SYSCALL.to_ne_bytes());
        bytes[8..12].copy_from_slice(&7u32.to_ne_bytes());
        bytes[16..24].copy_from_slice(&257i64.to_ne_bytes());
        bytes[24..32].copy_from_slice(&3i64.to_ne_bytes());
        bytes[40..48].copy_from_slice(&0x1000u64.to_ne_bytes());
        bytes[104..108].copy_from_slice(&1u32.to_ne_bytes());
        bytes.extend_from_slice(&0x1000u64.to_ne_bytes());
        bytes.extend_from_slice(&3u32.to_ne_bytes());
        bytes.extend_from_slice(&[0; 4]);
        bytes.extend_from_slice(b"ab\0\0\0\0\0\0");
        let size = bytes.len() as u32;
        bytes[108..112].copy_from_slice(&size.to_ne_bytes());
        let record = Record::parse(&bytes).unwrap();
        assert_eq!(record.tid, 7);
        let Kind::Syscall { nr, args, ret, .. } = record.kind else {
            panic!("not a syscall: {:?}", record.kind);
        };
        assert_eq!((nr, args[1], ret), (257, 0x1000, 3));
        assert_eq!(
            record.image.read_cstr(0x1000, 10),
            Ok((b"ab".to_vec(), true))
        );
        assert!(Record::parse(&bytes[..20]).is_none());
    }
}

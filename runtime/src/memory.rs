//! Tracee memory: `process_vm_readv`/`process_vm_writev`, falling back to `/proc/<tid>/mem`
//! where page protections refuse them (writing into read-only text, for example).

#![deny(clippy::arithmetic_side_effects)]

use crate::Errno;
use crate::sys::{self, Pod};
use nix::unistd::Pid;
use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;

const PAGE: u64 = 4096;
const WORD: usize = std::mem::size_of::<u64>();

/// The address space of one tracee.
#[derive(Clone, Copy, Debug)]
pub struct Memory {
    pid: Pid,
}

impl Memory {
    /// The address space of thread `pid`. Nothing is checked here: reads and writes need
    /// ptrace access to it, which the tracer has over its tracees.
    pub fn new(pid: Pid) -> Self {
        Memory { pid }
    }

    /// Reads exactly `len` bytes at `addr`; `EFAULT` if any of them is unmapped.
    pub fn read(&self, addr: u64, len: usize) -> Result<Vec<u8>, Errno> {
        if addr.checked_add(len as u64).is_none() {
            return Err(Errno::EFAULT);
        }
        // The length comes from the traced program: grow the buffer only as far as its
        // memory really reads, a chunk at a time, rather than trusting it up front.
        const CHUNK: usize = 1 << 20;
        let mut buf = Vec::with_capacity(len.min(CHUNK));
        while buf.len() < len {
            let done = buf.len();
            buf.resize(done.saturating_add(len.saturating_sub(done).min(CHUNK)), 0);
            let mut filled = done;
            while filled < buf.len() {
                // In range: `addr + len` was checked above.
                let at = addr.saturating_add(filled as u64);
                filled = filled.saturating_add(self.read_some(at, &mut buf[filled..])?);
            }
        }
        Ok(buf)
    }

    /// Reads up to the end of `buf`, at least one byte, possibly stopping at a page end.
    fn read_some(&self, addr: u64, buf: &mut [u8]) -> Result<usize, Errno> {
        match sys::vm_read(self.pid, addr, buf) {
            Ok(n) if n > 0 => Ok(n),
            _ => {
                // process_vm_readv refuses some mappings the kernel itself can read.
                let n = self
                    .proc_mem(false)?
                    .read_at(buf, addr)
                    .map_err(|_| Errno::EFAULT)?;
                if n == 0 { Err(Errno::EFAULT) } else { Ok(n) }
            }
        }
    }

    fn proc_mem(&self, write: bool) -> Result<std::fs::File, Errno> {
        OpenOptions::new()
            .read(!write)
            .write(write)
            .open(format!("/proc/{}/mem", self.pid))
            .map_err(|e| Errno::new(e.raw_os_error().unwrap_or(libc::EIO)))
    }

    /// Reads a NUL-terminated string of at most `limit` bytes. The flag is false when the
    /// string goes on past `limit`.
    pub fn read_cstr(&self, addr: u64, limit: usize) -> Result<(Vec<u8>, bool), Errno> {
        if addr == 0 {
            return Err(Errno::EFAULT);
        }
        let mut out = Vec::new();
        let mut at = addr;
        loop {
            // Never cross a page boundary in one read: the next page may be unmapped.
            let to_page_end = PAGE.saturating_sub(at % PAGE) as usize;
            let want = to_page_end.min(limit.saturating_add(1).saturating_sub(out.len()));
            let mut chunk = vec![0u8; want];
            let n = self.read_some(at, &mut chunk)?;
            if let Some(nul) = chunk[..n].iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..nul]);
                return Ok((out, true));
            }
            out.extend_from_slice(&chunk[..n]);
            if out.len() > limit {
                out.truncate(limit);
                return Ok((out, false));
            }
            at = at.checked_add(n as u64).ok_or(Errno::EFAULT)?;
        }
    }

    /// Reads `count` machine words.
    pub fn read_words(&self, addr: u64, count: usize) -> Result<Vec<u64>, Errno> {
        let bytes = self.read(addr, count.checked_mul(WORD).ok_or(Errno::EFAULT)?)?;
        Ok(bytes
            .chunks_exact(WORD)
            .map(|w| u64::from_ne_bytes(w.try_into().unwrap()))
            .collect())
    }

    /// Reads a NULL-terminated array of pointers (argv), at most `max` of them. The flag is
    /// true when the array goes on past `max`.
    pub fn read_pointer_array(&self, addr: u64, max: usize) -> Result<(Vec<u64>, bool), Errno> {
        let mut out = Vec::new();
        let mut more = false;
        self.walk_pointer_array(addr, |word| {
            if out.len() == max {
                more = true;
                return false;
            }
            out.push(word);
            true
        })?;
        Ok((out, more))
    }

    /// Counts the pointers of a NULL-terminated array (envp) without keeping them.
    pub fn count_pointer_array(&self, addr: u64) -> Result<usize, Errno> {
        let mut count = 0usize;
        self.walk_pointer_array(addr, |_| {
            count = count.saturating_add(1);
            true
        })?;
        Ok(count)
    }

    /// Calls `each` with the pointers of a NULL-terminated array until the NULL or until it
    /// returns false, reading a page's worth of the array at a time: an array of millions
    /// of pointers costs thousands of reads, not millions.
    fn walk_pointer_array(
        &self,
        addr: u64,
        mut each: impl FnMut(u64) -> bool,
    ) -> Result<(), Errno> {
        let mut at = addr;
        loop {
            let to_page_end = PAGE.saturating_sub(at % PAGE) as usize / WORD;
            // A misaligned array's last word on a page straddles it: read that one alone.
            let words = self.read_words(at, to_page_end.max(1))?;
            for &word in &words {
                if word == 0 || !each(word) {
                    return Ok(());
                }
            }
            at = at
                .checked_add(words.len().saturating_mul(WORD) as u64)
                .ok_or(Errno::EFAULT)?;
        }
    }

    /// Reads one plain-data value.
    pub fn read_pod<T: Pod>(&self, addr: u64) -> Result<T, Errno> {
        let bytes = self.read(addr, std::mem::size_of::<T>())?;
        Ok(sys::pod_from_bytes(&bytes))
    }

    /// Writes `bytes` at `addr`.
    pub fn write(&self, addr: u64, bytes: &[u8]) -> Result<(), Errno> {
        if let Ok(n) = sys::vm_write(self.pid, addr, bytes)
            && n == bytes.len()
        {
            return Ok(());
        }
        let file = self.proc_mem(true)?;
        file.write_all_at(bytes, addr).map_err(|_| Errno::EFAULT)
    }

    /// Writes one plain-data value.
    pub fn write_pod<T: Pod>(&self, addr: u64, value: &T) -> Result<(), Errno> {
        self.write(addr, sys::pod_as_bytes(value))
    }
}

//! Tracee memory: `process_vm_readv`/`process_vm_writev`, falling back to `/proc/<tid>/mem`
//! where page protections refuse them (writing into read-only text, for example).
//!
//! Decoders read through the [`AddressSpace`] trait, not a live tracee: the same decoder
//! reads a stopped thread's memory ([`Memory`]) or a copy of parts of it ([`Image`]), such
//! as the bytes an eBPF program copied at a syscall's exit, or a fuzzer's memory image.

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

    fn proc_mem(&self, write: bool) -> Result<std::fs::File, Errno> {
        OpenOptions::new()
            .read(!write)
            .write(write)
            .open(format!("/proc/{}/mem", self.pid))
            .map_err(|e| Errno::new(e.raw_os_error().unwrap_or(libc::EIO)))
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

/// Memory a decoder can read: a live tracee's ([`Memory`]) or a copy ([`Image`]).
pub trait AddressSpace {
    /// Reads into `buf` from `addr`: at least one byte and at most `buf.len()`, possibly
    /// stopping short at the end of a page or a copied region. `EFAULT` when nothing at
    /// `addr` can be read.
    fn read_some(&self, addr: u64, buf: &mut [u8]) -> Result<usize, Errno>;
}

/// The reads every [`AddressSpace`] has, built on [`AddressSpace::read_some`].
pub trait ReadMemory: AddressSpace {
    /// Reads exactly `len` bytes at `addr`; `EFAULT` if any of them is unmapped.
    fn read(&self, addr: u64, len: usize) -> Result<Vec<u8>, Errno> {
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

    /// Reads a NUL-terminated string of at most `limit` bytes. The flag is false when the
    /// string goes on past `limit`.
    fn read_cstr(&self, addr: u64, limit: usize) -> Result<(Vec<u8>, bool), Errno> {
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
    fn read_words(&self, addr: u64, count: usize) -> Result<Vec<u64>, Errno> {
        let bytes = self.read(addr, count.checked_mul(WORD).ok_or(Errno::EFAULT)?)?;
        Ok(bytes
            .chunks_exact(WORD)
            .map(|w| u64::from_ne_bytes(w.try_into().unwrap()))
            .collect())
    }

    /// Reads a NULL-terminated array of pointers (argv), at most `max` of them. The flag is
    /// true when the array goes on past `max`.
    fn read_pointer_array(&self, addr: u64, max: usize) -> Result<(Vec<u64>, bool), Errno> {
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
    fn count_pointer_array(&self, addr: u64) -> Result<usize, Errno> {
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
    #[doc(hidden)]
    fn walk_pointer_array(
        &self,
        addr: u64,
        mut each: impl FnMut(u64) -> bool,
    ) -> Result<(), Errno> {
        let mut at = addr;
        let mut buf = vec![0u8; PAGE as usize];
        loop {
            // Up to the end of the page, or of what the address space holds there (a
            // copied region may end anywhere); a misaligned array's last word on a page
            // straddles it and is read whole.
            let to_page_end = PAGE.saturating_sub(at % PAGE) as usize;
            let want = (to_page_end / WORD).max(1).saturating_mul(WORD);
            let mut got = self.read_some(at, &mut buf[..want])?;
            while got < WORD {
                let next = at.checked_add(got as u64).ok_or(Errno::EFAULT)?;
                got = got.saturating_add(self.read_some(next, &mut buf[got..WORD])?);
            }
            let whole = got.saturating_sub(got % WORD);
            for word in buf[..whole].chunks_exact(WORD) {
                let word = u64::from_ne_bytes(word.try_into().unwrap());
                if word == 0 || !each(word) {
                    return Ok(());
                }
            }
            at = at.checked_add(whole as u64).ok_or(Errno::EFAULT)?;
        }
    }

    /// Reads one plain-data value.
    fn read_pod<T: Pod>(&self, addr: u64) -> Result<T, Errno> {
        let bytes = self.read(addr, std::mem::size_of::<T>())?;
        Ok(sys::pod_from_bytes(&bytes))
    }
}

impl<M: AddressSpace + ?Sized> ReadMemory for M {}

impl AddressSpace for Memory {
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
}

/// A copy of parts of an address space: regions of bytes at their addresses, everything
/// else unmapped. Decoders read it as they read a live tracee.
#[derive(Clone, Debug, Default)]
pub struct Image {
    regions: std::collections::BTreeMap<u64, Vec<u8>>,
    stack_pointer: Option<u64>,
}

impl Image {
    /// An image with nothing mapped.
    pub fn new() -> Self {
        Image::default()
    }

    /// The thread's stack pointer at the syscall's entry, when the copy says it: a call
    /// such as `rt_sigreturn` is decoded from memory found from it.
    pub fn stack_pointer(&self) -> Option<u64> {
        self.stack_pointer
    }

    /// Records the thread's stack pointer at the syscall's entry.
    pub fn set_stack_pointer(&mut self, sp: u64) {
        self.stack_pointer = Some(sp);
    }

    /// The mapped regions, by address.
    pub fn regions(&self) -> impl Iterator<Item = (u64, &[u8])> {
        self.regions
            .iter()
            .map(|(addr, bytes)| (*addr, bytes.as_slice()))
    }

    /// Maps `bytes` at `addr`, replacing what overlaps them. Bytes that would run past the
    /// end of the address space are dropped.
    pub fn map(&mut self, addr: u64, bytes: &[u8]) {
        let room = usize::try_from(u64::MAX.saturating_sub(addr)).unwrap_or(usize::MAX);
        let bytes = &bytes[..bytes.len().min(room)];
        if bytes.is_empty() {
            return;
        }
        let end = addr.saturating_add(bytes.len() as u64);
        // Cut every region overlapping [addr, end) down to what lies outside it.
        let overlapping: Vec<u64> = self
            .regions
            .range(..end)
            .filter(|(start, region)| start.saturating_add(region.len() as u64) > addr)
            .map(|(start, _)| *start)
            .collect();
        for start in overlapping {
            let region = self.regions.remove(&start).unwrap_or_default();
            let region_end = start.saturating_add(region.len() as u64);
            if start < addr {
                let keep = usize::try_from(addr.saturating_sub(start)).unwrap_or(0);
                self.regions.insert(start, region[..keep].to_vec());
            }
            if region_end > end {
                let skip = usize::try_from(end.saturating_sub(start)).unwrap_or(0);
                self.regions.insert(end, region[skip..].to_vec());
            }
        }
        self.regions.insert(addr, bytes.to_vec());
    }
}

impl AddressSpace for Image {
    fn read_some(&self, addr: u64, buf: &mut [u8]) -> Result<usize, Errno> {
        let (start, region) = self
            .regions
            .range(..=addr)
            .next_back()
            .ok_or(Errno::EFAULT)?;
        let offset = usize::try_from(addr.saturating_sub(*start)).map_err(|_| Errno::EFAULT)?;
        let available = region.get(offset..).filter(|rest| !rest.is_empty());
        let available = available.ok_or(Errno::EFAULT)?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_reads_only_what_is_mapped() {
        let mut image = Image::new();
        image.map(0x1000, b"hello\0world");
        image.map(0x1003, b"LO");
        assert_eq!(image.read(0x1000, 5), Ok(b"helLO".to_vec()));
        assert_eq!(image.read_cstr(0x1000, 100), Ok((b"helLO".to_vec(), true)));
        assert_eq!(image.read_cstr(0x1006, 3), Ok((b"wor".to_vec(), false)));
        assert_eq!(image.read(0x1000, 12), Err(Errno::EFAULT));
        assert_eq!(image.read(0xfff, 1), Err(Errno::EFAULT));
        assert_eq!(image.read_pod::<u8>(0x100a), Ok(b'd'));
        image.map(u64::MAX - 1, b"abc");
        assert_eq!(image.read(u64::MAX - 1, 1), Ok(b"a".to_vec()));
    }

    /// A pointer array in a region that ends before its page does (a copy of just the
    /// array) reads as far as the region goes, across regions and pages, word by word.
    #[test]
    fn pointer_arrays_read_in_regions_shorter_than_a_page() {
        let words = |w: &[u64]| -> Vec<u8> { w.iter().flat_map(|w| w.to_ne_bytes()).collect() };
        let mut image = Image::new();
        image.map(0x10000, &words(&[1, 2, 3, 0]));
        assert_eq!(
            image.read_pointer_array(0x10000, 10),
            Ok((vec![1, 2, 3], false))
        );
        assert_eq!(image.count_pointer_array(0x10000), Ok(3));
        // Misaligned, straddling a page boundary, in two regions, the NULL in the second.
        let at = 0x20ffd;
        let bytes = words(&[7, 8, 0]);
        image.map(at, &bytes[..5]);
        image.map(at + 5, &bytes[5..]);
        assert_eq!(image.read_pointer_array(at, 10), Ok((vec![7, 8], false)));
        // No NULL before the region ends.
        image.map(0x30000, &words(&[5, 6]));
        assert_eq!(image.read_pointer_array(0x30000, 10), Err(Errno::EFAULT));
        assert_eq!(image.read_pointer_array(0x30000, 1), Ok((vec![5], true)));
    }
}

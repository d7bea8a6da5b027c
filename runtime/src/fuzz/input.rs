//! Turning a fuzzer's bytes into registers and a tracee memory image.
//!
//! Every read takes bytes from the front of the input and never fails: past its end the
//! input reads as zeros, so any byte string is a valid case and a short one a simple case.
//! Choices are biased towards the values that break decoders: NULL, -1, addresses at the
//! very top of the address space, kernel addresses, counts like 2^63, and addresses inside
//! (or just past) the regions the image maps.

use crate::memory::Image;

/// Where the bytes of a region come from.
#[derive(Clone, Copy)]
enum Fill {
    /// Bytes of the input, repeated.
    Bytes,
    /// One byte repeated, never NUL: strings that do not end, arrays with no NULL.
    NoNul(u8),
    /// Machine words pointing into the image, this region included: argv arrays,
    /// iovecs and structs whose pointers lead to themselves or each other.
    Pointers,
    /// NUL bytes only.
    Zeros,
}

/// The input being read.
pub struct Input<'a> {
    data: &'a [u8],
}

/// An image built from the input, and where its regions are.
pub struct Built {
    /// The memory.
    pub image: Image,
    /// `(start, length)` of each region, in the order they were mapped.
    pub regions: Vec<(u64, u64)>,
}

impl<'a> Input<'a> {
    /// Reads `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// One byte (0 past the end).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// A number below `n` (which must not be 0).
    pub fn below(&mut self, n: usize) -> usize {
        let wide = u16::from_le_bytes([self.byte(), self.byte()]);
        usize::from(wide) % n
    }

    /// A coin toss.
    pub fn flip(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// Eight bytes, little-endian.
    pub fn u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        for b in &mut bytes {
            *b = self.byte();
        }
        u64::from_le_bytes(bytes)
    }

    /// Up to `max` bytes of the input.
    pub fn bytes(&mut self, max: usize) -> &'a [u8] {
        let n = self.below(max.saturating_add(1)).min(self.data.len());
        let (taken, rest) = self.data.split_at(n);
        self.data = rest;
        taken
    }

    /// A number as a syscall argument or a struct field might hold it.
    pub fn number(&mut self) -> u64 {
        let small = u64::from(self.byte());
        match self.byte() % 12 {
            0 => 0,
            1 => u64::MAX,
            2 => u64::MAX - small,
            3 => 1 << 63,
            4 => (1 << 63) - 1,
            5 => small,
            // -errno, and the restart codes just below -4095's edge.
            6 => small
                .wrapping_add(1)
                .wrapping_neg()
                .wrapping_mul(1 + small % 17),
            7 => u64::from(u32::MAX) - small,
            8 => 0x8000_0000 + small,
            // Kernel addresses.
            9 => 0xffff_8000_0000_0000 | (self.u64() & 0x7fff_ffff_ffff),
            10 => small << (self.byte() % 64),
            _ => self.u64(),
        }
    }

    /// An address: mostly inside or just past a region of `regions`, else a number.
    pub fn address(&mut self, regions: &[(u64, u64)]) -> u64 {
        if regions.is_empty() || self.byte().is_multiple_of(4) {
            return self.number();
        }
        let (start, len) = regions[self.below(regions.len())];
        let offset = match self.byte() % 6 {
            0 => 0,
            // The last bytes: a struct or a word that runs off the end.
            1 => len.saturating_sub(1 + u64::from(self.byte() % 16)),
            2 => len,
            3 => len.saturating_add(u64::from(self.byte())),
            _ => u64::from(self.byte()) % len.max(1),
        };
        start.wrapping_add(offset)
    }

    /// An address space with a few regions, some at the edges of the address space, of
    /// bytes, pointers into the image (themselves included), or unterminated strings.
    pub fn image(&mut self) -> Built {
        let count = self.byte() % 6;
        let mut regions = Vec::new();
        for _ in 0..count {
            let len = match self.byte() % 4 {
                0 => u64::from(self.byte() % 32),
                1 => 4096,
                2 => 4096 + 8 * u64::from(self.byte() % 4),
                _ => u64::from(self.byte()) * 8,
            };
            let len = len.max(1);
            let start = match self.byte() % 6 {
                // Ends exactly at the top of the address space.
                0 => u64::MAX - len + 1,
                1 => u64::MAX - len + 1 - 4096 * u64::from(self.byte() % 4),
                // Just below a page boundary, so a read crosses into what may be unmapped.
                2 => 0x1_0000 * u64::from(self.byte() % 8 + 1) - u64::from(self.byte() % 16),
                3 => 0x7fff_f000 + 0x1000 * u64::from(self.byte() % 4),
                // Regions next to or over each other.
                4 => 0x1_0000 + u64::from(self.byte()) * 8,
                _ => self.u64(),
            };
            regions.push((start, len));
        }
        let mut image = Image::new();
        for &(start, len) in &regions {
            let fill = match self.byte() % 4 {
                0 => Fill::Bytes,
                1 => Fill::NoNul(self.byte() | 1),
                2 => Fill::Pointers,
                _ => Fill::Zeros,
            };
            let len = len as usize;
            let bytes = match fill {
                Fill::Bytes => {
                    let pattern = self.bytes(64);
                    if pattern.is_empty() {
                        vec![0x41; len]
                    } else {
                        pattern.iter().copied().cycle().take(len).collect()
                    }
                }
                Fill::NoNul(b) => vec![b; len],
                Fill::Zeros => vec![0; len],
                Fill::Pointers => {
                    let mut bytes = Vec::with_capacity(len + 8);
                    while bytes.len() < len {
                        // Self-reference: a pointer to this region, often to its start.
                        let word = match self.byte() % 4 {
                            0 => start,
                            1 => 0,
                            _ => self.address(&regions),
                        };
                        bytes.extend_from_slice(&word.to_le_bytes());
                    }
                    bytes.truncate(len);
                    bytes
                }
            };
            image.map(start, &bytes);
        }
        Built { image, regions }
    }
}

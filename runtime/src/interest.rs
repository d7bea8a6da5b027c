//! Which syscalls need a stop: the handler's and the sinks' interest, as a value built at
//! run time (reverie calls it subscriptions).
//!
//! A call nobody is interested in runs with no stop at all: the runtime installs a seccomp
//! filter that lets it through and traps only the calls of the union of every interest.
//! When that union is every call, no filter is installed and every call stops at entry and
//! exit instead.

use crate::linux::Syscall;
use crate::value::SyscallInfo;

/// x86_64 numbers go up to 469 today; the set holds 0..512.
const WORDS: usize = 8;

/// A set of syscalls that need a stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interest {
    bits: [u64; WORDS],
    /// Numbers the table does not know stop too.
    unknown: bool,
    /// Every call, whatever its number.
    all: bool,
}

impl Interest {
    /// Every call.
    pub const fn all() -> Self {
        Interest {
            bits: [u64::MAX; WORDS],
            unknown: true,
            all: true,
        }
    }

    /// No call.
    pub const fn none() -> Self {
        Interest {
            bits: [0; WORDS],
            unknown: false,
            all: false,
        }
    }

    /// The calls named, by their `syscalls.toml` names; `unknown_syscall` stands for
    /// numbers the table does not know. Other names are ignored.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut interest = Interest::none();
        for name in names {
            match name {
                "unknown_syscall" => interest.unknown = true,
                name => {
                    if let Some(info) = Syscall::by_name(name) {
                        interest.insert(info);
                    }
                }
            }
        }
        interest
    }

    /// Adds a call.
    pub fn insert(&mut self, info: &SyscallInfo) {
        if let Some((word, bit)) = Self::slot(info.number) {
            self.bits[word] |= bit;
        }
    }

    /// Adds a call by number; a number the table does not know adds every unknown number.
    pub fn insert_number(&mut self, number: i64) {
        match Self::slot(number) {
            Some((word, bit)) if crate::linux::SYSCALLS.iter().any(|s| s.number == number) => {
                self.bits[word] |= bit;
            }
            _ => self.unknown = true,
        }
    }

    /// Whether a call with this number stops.
    pub fn contains(&self, number: i64) -> bool {
        if self.all || self.has_bit(number) {
            // Only known numbers have their bit set (`all` aside).
            return true;
        }
        self.unknown && !crate::linux::SYSCALLS.iter().any(|s| s.number == number)
    }

    /// Whether every call stops.
    pub fn is_all(&self) -> bool {
        self.all
    }

    /// The calls of both.
    pub fn union(self, other: Interest) -> Interest {
        if self.all || other.all {
            return Interest::all();
        }
        let mut bits = self.bits;
        for (mine, theirs) in bits.iter_mut().zip(other.bits) {
            *mine |= theirs;
        }
        Interest {
            bits,
            unknown: self.unknown || other.unknown,
            all: false,
        }
        .normalized()
    }

    /// The calls of both sets.
    pub fn intersection(self, other: Interest) -> Interest {
        if self.all {
            return other;
        }
        if other.all {
            return self;
        }
        let mut bits = self.bits;
        for (mine, theirs) in bits.iter_mut().zip(other.bits) {
            *mine &= theirs;
        }
        Interest {
            bits,
            unknown: self.unknown && other.unknown,
            all: false,
        }
    }

    /// Every call not in the set: the known calls it lacks, and the numbers the table does
    /// not know when it lacks them.
    pub fn complement(self) -> Interest {
        if self.all {
            return Interest::none();
        }
        let mut complement = Interest::none();
        for info in crate::linux::SYSCALLS {
            if !self.has_bit(info.number) {
                complement.insert(info);
            }
        }
        complement.unknown = !self.unknown;
        complement.normalized()
    }

    /// Removes a call.
    pub fn remove(&mut self, info: &SyscallInfo) {
        if self.all {
            *self = Interest {
                all: false,
                ..*self
            };
        }
        if let Some((word, bit)) = Self::slot(info.number) {
            self.bits[word] &= !bit;
        }
    }

    /// [`Interest::all`] when the set holds every known call and the unknown numbers.
    fn normalized(self) -> Interest {
        let every = self.unknown
            && crate::linux::SYSCALLS
                .iter()
                .all(|info| self.has_bit(info.number));
        if every { Interest::all() } else { self }
    }

    /// The known calls in the set, by number.
    pub fn numbers(&self) -> impl Iterator<Item = i64> + '_ {
        crate::linux::SYSCALLS
            .iter()
            .map(|s| s.number)
            .filter(|&n| self.contains(n))
    }

    /// Whether numbers the table does not know stop.
    pub fn includes_unknown(&self) -> bool {
        self.unknown
    }

    fn has_bit(&self, number: i64) -> bool {
        Self::slot(number).is_some_and(|(word, bit)| self.bits[word] & bit != 0)
    }

    fn slot(number: i64) -> Option<(usize, u64)> {
        let n = usize::try_from(number).ok()?;
        let word = n / 64;
        (word < WORDS).then(|| (word, 1u64 << (n % 64)))
    }
}

impl FromIterator<i64> for Interest {
    fn from_iter<I: IntoIterator<Item = i64>>(numbers: I) -> Self {
        let mut interest = Interest::none();
        for number in numbers {
            interest.insert_number(number);
        }
        interest
    }
}

//! Kernel ABI types that cross into tracee memory, defined here so that `sys` depends on
//! nothing above it. Their decoders live in `crate::structs`, their meaning in the engine.

/// `struct timezone` (libc's type is opaque).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timezone {
    /// Minutes west of Greenwich.
    pub tz_minuteswest: i32,
    /// Type of DST correction; never used on Linux (gettimeofday(2)).
    pub tz_dsttime: i32,
}

/// A wait(2) status word: how a process stopped or ended, as `waitpid` returns it and as
/// `wait4` writes it through its `int *`. Read it with its methods, never by its bits.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitStatus(pub(crate) i32);

/// `struct sysinfo` (sysinfo(2)), with its padding as named fields: libc's type leaves 4
/// bytes after `pad` and 4 at the end implicit, which would make it unsound as `Pod`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sysinfo {
    /// Seconds since boot.
    pub uptime: i64,
    /// 1, 5 and 15 minute load averages, scaled by `1 << SI_LOAD_SHIFT` (65536).
    pub loads: [u64; 3],
    /// Total usable main memory, in `mem_unit`s.
    pub totalram: u64,
    /// Available memory.
    pub freeram: u64,
    /// Shared memory.
    pub sharedram: u64,
    /// Memory used by buffers.
    pub bufferram: u64,
    /// Total swap space.
    pub totalswap: u64,
    /// Swap space still available.
    pub freeswap: u64,
    /// Number of current processes.
    pub procs: u16,
    /// The kernel's explicit padding.
    pub pad: u16,
    /// Alignment padding before `totalhigh`.
    pub pad2: u32,
    /// Total high memory.
    pub totalhigh: u64,
    /// Available high memory.
    pub freehigh: u64,
    /// Memory unit size in bytes.
    pub mem_unit: u32,
    /// The kernel's `_f` tail (empty on 64-bit) and alignment padding.
    pub pad3: u32,
}

// The kernel's layout: 112 bytes, no implicit padding left.
const _: () = assert!(size_of::<Sysinfo>() == 112);

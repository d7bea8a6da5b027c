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

//! What this process's standard streams were before Rust's runtime touched them.
//!
//! Rust's start-up code opens `/dev/null` on any of descriptors 0, 1 and 2 that is closed,
//! so by the time `main` runs a closed stdout looks like `/dev/null`. A tracer that wants
//! to hand its program the streams it was given has to look earlier: this constructor runs
//! from `.init_array`, before `main`, and records which of the three were closed.

use std::sync::atomic::{AtomicU8, Ordering};

/// Bit `n` set: descriptor `n` was closed when the process started.
static CLOSED_AT_START: AtomicU8 = AtomicU8::new(0);

extern "C" fn record_closed_stdio() {
    let mut closed = 0u8;
    for fd in 0..3 {
        // SAFETY: F_GETFD on a small integer only queries the descriptor table.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
            closed |= 1 << fd;
        }
    }
    CLOSED_AT_START.store(closed, Ordering::SeqCst);
}

// SAFETY: a pointer to a plain `extern "C" fn()` in `.init_array` is what the ELF loader
// calls before `main`; the function only makes fcntl queries and stores to an atomic.
#[used]
#[unsafe(link_section = ".init_array")]
static RECORD_CLOSED_STDIO: extern "C" fn() = record_closed_stdio;

/// The standard descriptors (0, 1, 2) that were closed when this process started.
pub fn closed_at_start() -> Vec<i32> {
    let closed = CLOSED_AT_START.load(Ordering::SeqCst);
    (0..3).filter(|fd| closed & (1 << fd) != 0).collect()
}

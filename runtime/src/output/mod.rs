//! Output formats besides the per-call trace lines: strace's `-c` summary table.
pub mod summary;

//! Output formats besides the per-call trace lines: strace's `-c` summary table.
mod lines;
pub mod summary;
pub mod text;

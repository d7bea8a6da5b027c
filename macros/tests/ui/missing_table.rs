#[interpose_macros::linux_syscalls("missing_table.toml")]
pub trait Linux {}
fn main() {}

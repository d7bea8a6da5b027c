#[interpose_macros::linux_syscalls("unknown_set.toml")]
pub trait Linux {}
fn main() {}

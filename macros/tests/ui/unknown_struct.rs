#[interpose_macros::linux_syscalls("unknown_struct.toml")]
pub trait Linux {}
fn main() {}

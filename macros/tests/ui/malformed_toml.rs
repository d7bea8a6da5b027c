#[interpose_macros::linux_syscalls("malformed_toml.toml")]
pub trait Linux {}
fn main() {}

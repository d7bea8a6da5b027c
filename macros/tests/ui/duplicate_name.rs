#[interpose_macros::linux_syscalls("duplicate_name.toml")]
pub trait Linux {}
fn main() {}

#[interpose_macros::linux_syscalls("duplicate_number.toml")]
pub trait Linux {}
fn main() {}

#[interpose_macros::linux_syscalls("many_errors.toml")]
pub trait Linux {}
fn main() {}

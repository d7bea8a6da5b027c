#[interpose_macros::linux_syscalls("wrong_set_type.toml")]
pub trait Linux {}
fn main() {}

#[interpose_macros::linux_syscalls("unknown_kind.toml")]
pub trait Linux {}
fn main() {}

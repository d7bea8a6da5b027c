#[interpose_macros::linux_syscalls("len_not_an_argument.toml")]
pub trait Linux {}
fn main() {}

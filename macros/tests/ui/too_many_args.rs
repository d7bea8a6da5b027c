#[interpose_macros::linux_syscalls("too_many_args.toml")]
pub trait Linux {}
fn main() {}

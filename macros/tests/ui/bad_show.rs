#[interpose_macros::linux_syscalls("bad_show.toml")]
pub trait Linux {}
fn main() {}

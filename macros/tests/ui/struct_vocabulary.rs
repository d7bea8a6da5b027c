#[interpose_macros::linux_syscalls("struct_vocabulary.toml")]
pub trait Linux {}
fn main() {}

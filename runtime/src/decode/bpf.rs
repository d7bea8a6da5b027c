//! bpf(2): the command by name, and a command this table does not know as strace shows
//! one (`0x63 /* BPF_??? */`). The `union bpf_attr` is shown as its address.

use super::Value;
use crate::args::Decoder;
use crate::linux::{Bpf, BpfCmd};

/// bpf's arguments: cmd 0, attr 1, size 2.
pub(super) fn arg(c: &Bpf, index: usize, _: &Decoder<'_>) -> Option<Value> {
    let cmd = c.cmd.0;
    let known = BpfCmd::INFO.values.iter().any(|(_, v)| *v == cmd);
    (index == 0 && !known).then(|| Value::Symbol(format!("{cmd:#x} /* BPF_??? */")))
}

//! prctl(2): the arguments by option (a name, a signal, a capability, a number, what the
//! kernel stores at exit) and `PR_GET_DUMPABLE`'s result.

use super::{RetDecoded, Slot, Value, int_at, plain, pointer};
use crate::args::Decoder;
use crate::linux::{Prctl, PrctlOption};

const PR_SET_NAME: u64 = PrctlOption::PR_SET_NAME.0;
const PR_GET_NAME: u64 = PrctlOption::PR_GET_NAME.0;
const PR_SET_PDEATHSIG: u64 = PrctlOption::PR_SET_PDEATHSIG.0;
const PR_GET_PDEATHSIG: u64 = PrctlOption::PR_GET_PDEATHSIG.0;
const PR_GET_DUMPABLE: u64 = PrctlOption::PR_GET_DUMPABLE.0;
const PR_SET_DUMPABLE: u64 = PrctlOption::PR_SET_DUMPABLE.0;
const PR_CAPBSET_READ: u64 = PrctlOption::PR_CAPBSET_READ.0;
const PR_CAPBSET_DROP: u64 = PrctlOption::PR_CAPBSET_DROP.0;
const PR_SET_CHILD_SUBREAPER: u64 = PrctlOption::PR_SET_CHILD_SUBREAPER.0;
const PR_GET_CHILD_SUBREAPER: u64 = PrctlOption::PR_GET_CHILD_SUBREAPER.0;
const PR_SET_KEEPCAPS: u64 = PrctlOption::PR_SET_KEEPCAPS.0;
const PR_SET_TIMERSLACK: u64 = PrctlOption::PR_SET_TIMERSLACK.0;
const PR_SET_NO_NEW_PRIVS: u64 = PrctlOption::PR_SET_NO_NEW_PRIVS.0;
const PR_SET_THP_DISABLE: u64 = PrctlOption::PR_SET_THP_DISABLE.0;
const PR_GET_TSC: u64 = PrctlOption::PR_GET_TSC.0;
const PR_GET_UNALIGN: u64 = PrctlOption::PR_GET_UNALIGN.0;
const PR_GET_FPEMU: u64 = PrctlOption::PR_GET_FPEMU.0;
const PR_GET_FPEXC: u64 = PrctlOption::PR_GET_FPEXC.0;
const PR_GET_ENDIAN: u64 = PrctlOption::PR_GET_ENDIAN.0;
const PR_SET_PTRACER: u64 = PrctlOption::PR_SET_PTRACER.0;
const PR_SET_SECCOMP: u64 = PrctlOption::PR_SET_SECCOMP.0;
const PR_SET_VMA: u64 = PrctlOption::PR_SET_VMA.0;

/// The kernel's task name holds 16 bytes with its NUL.
const TASK_COMM_LEN: usize = 16;

/// Options whose second argument the kernel fills (an `int *`, or the name).
fn fills_arg2(option: u64) -> bool {
    matches!(
        option,
        PR_GET_NAME
            | PR_GET_PDEATHSIG
            | PR_GET_CHILD_SUBREAPER
            | PR_GET_TSC
            | PR_GET_UNALIGN
            | PR_GET_FPEMU
            | PR_GET_FPEXC
            | PR_GET_ENDIAN
    )
}

/// prctl's arguments: option 0, arg2 1 .. arg5 4.
pub(super) fn arg(c: &Prctl, index: usize, d: &Decoder<'_>) -> Option<Value> {
    let option = c.option.0;
    let raw = match index {
        1 => c.arg2.0,
        2 => c.arg3.0,
        3 => c.arg4.0,
        4 => c.arg5.0,
        _ => return None,
    };
    Some(match (option, index) {
        (PR_SET_NAME, 1) => d.cstr(raw, TASK_COMM_LEN),
        (PR_GET_NAME, 1) if d.success().is_some() => d.cstr(raw, TASK_COMM_LEN),
        (PR_GET_NAME, 1) => pointer(raw),
        (PR_SET_PDEATHSIG, 1) => Value::Signal(raw as i32),
        (PR_GET_PDEATHSIG, 1) => match int_at(d, raw) {
            Value::Array { items, more } => Value::Array {
                items: items
                    .into_iter()
                    .map(|v| match v {
                        Value::Int(n) => Value::Signal(n as i32),
                        other => other,
                    })
                    .collect(),
                more,
            },
            other => other,
        },
        (option, 1) if fills_arg2(option) => int_at(d, raw),
        (PR_CAPBSET_READ | PR_CAPBSET_DROP, 1) => capability(raw),
        (
            PR_SET_CHILD_SUBREAPER
            | PR_SET_DUMPABLE
            | PR_SET_KEEPCAPS
            | PR_SET_TIMERSLACK
            | PR_SET_NO_NEW_PRIVS
            | PR_SET_THP_DISABLE,
            1,
        ) => Value::Uint(raw),
        (PR_SET_PTRACER, 1) if raw as i64 == -1 => Value::Symbol("PR_SET_PTRACER_ANY".into()),
        (PR_SET_PTRACER, 1) => Value::Int(i64::from(raw as i32)),
        (PR_SET_SECCOMP, 1) => match raw {
            1 => Value::Symbol("SECCOMP_MODE_STRICT".into()),
            2 => Value::Symbol("SECCOMP_MODE_FILTER".into()),
            _ => Value::Uint(raw),
        },
        (PR_SET_SECCOMP, 2) => pointer(raw),
        (PR_SET_VMA, 1) if raw == 0 => Value::Symbol("PR_SET_VMA_ANON_NAME".into()),
        (PR_SET_VMA, 2) => pointer(raw),
        (PR_SET_VMA, 3) => Value::Uint(raw),
        (PR_SET_VMA, 4) => d.cstr(raw, d.string_limit),
        _ => return None,
    })
}

/// What the result means: `PR_GET_DUMPABLE`'s `1 (SUID_DUMP_USER)`.
pub(super) fn ret(c: &Prctl, ret: i64) -> Option<RetDecoded> {
    let name = match (c.option.0, ret) {
        (PR_GET_DUMPABLE, 0) => "SUID_DUMP_DISABLE",
        (PR_GET_DUMPABLE, 1) => "SUID_DUMP_USER",
        (PR_GET_DUMPABLE, 2) => "SUID_DUMP_ROOT",
        _ => return None,
    };
    Some(RetDecoded {
        hex: false,
        label: None,
        value: Value::Symbol(name.into()),
    })
}

/// The options whose second argument the kernel fills show it at exit.
pub(super) fn slots(c: &Prctl) -> Option<Vec<Slot>> {
    fills_arg2(c.option.0).then(|| plain(&[0, 1], &[1]))
}

/// A capability by name, `CAP_CHOWN`.
fn capability(raw: u64) -> Value {
    const CAPS: [&str; 41] = [
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",
        "CAP_FSETID",
        "CAP_KILL",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",
        "CAP_NET_RAW",
        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT",
        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",
        "CAP_LEASE",
        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",
        "CAP_SYSLOG",
        "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ",
        "CAP_PERFMON",
        "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ];
    match usize::try_from(raw).ok().and_then(|i| CAPS.get(i)) {
        Some(name) => Value::Symbol((*name).into()),
        None => Value::Uint(raw),
    }
}

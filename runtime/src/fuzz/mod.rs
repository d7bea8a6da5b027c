//! Fuzz targets for everything that reads what a traced program controls: its registers
//! and its memory. Built only with the `fuzzing` feature.
//!
//! Each target takes arbitrary bytes, builds registers and a memory [`Image`] from them
//! ([`Input`]), and runs the decoders and renderers the tracer runs on a live tracee:
//! a syscall's arguments and result, each struct decoder, the `argv`/`envp` and `iovec`
//! readers, the strace text and JSON renderers, the sinks, and the `clone3` rewrite. A
//! target returns normally on every input; a panic, an overflow (the targets are built
//! with overflow checks) or a hang is a bug. `fuzz/` holds the `cargo fuzz` harness that
//! drives them with libFuzzer, and `tests/fuzz_test.rs` replays its regression inputs.
//!
//! [`Image`]: crate::memory::Image

mod input;

pub use input::{Built, Input};

mod decode;
mod rewrite;
mod sinks;
mod values;

pub use decode::{arrays, structs, syscall};
pub use rewrite::{clone3, inject};
pub use sinks::sinks;
pub use values::render;

use crate::fds::{DecodeFds, FdTable};
use crate::linux::{I386, SYSCALLS, Syscall};
use crate::output::json::JsonValue;
use crate::render::{self, ConstStyle, StringStyle};
use crate::value::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The names of the targets, as `fuzz/fuzz_targets/` and [`run`] know them.
pub const TARGETS: &[&str] = &[
    "syscall", "structs", "arrays", "render", "sinks", "clone3", "inject",
];

/// Runs target `name` on `data`; false for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "syscall" => syscall(data),
        "structs" => structs(data),
        "arrays" => arrays(data),
        "render" => render(data),
        "sinks" => sinks(data),
        "clone3" => clone3(data),
        "inject" => inject(data),
        _ => return false,
    }
    true
}

/// Thread ids above the kernel's `PID_MAX_LIMIT` (2^22): no process has them, so the
/// parts of the tracer that read a live thread (its registers, its memory) find nothing.
const NO_SUCH_TID: i32 = 1 << 23;

/// `AUDIT_ARCH_*` as the engine sees a call: x86_64, i386 (`int 0x80`), or x86_64 with
/// `__X32_SYSCALL_BIT` in the number.
fn call_from(input: &mut Input<'_>, regions: &[(u64, u64)]) -> Syscall {
    let number = match input.byte() % 4 {
        0 | 1 => SYSCALLS[input.below(SYSCALLS.len())].number,
        2 => i64::from(input.byte()) + i64::from(input.byte() % 4) * 256,
        _ => input.number() as i64,
    };
    let mut args = [0u64; 6];
    for arg in &mut args {
        *arg = input.address(regions);
    }
    // As the engine classifies a syscall-enter stop.
    match input.byte() % 5 {
        0 => Syscall::I386(I386 { number, args }),
        1 => Syscall::from_args(number | 0x4000_0000, args),
        _ => Syscall::from_args(number, args),
    }
}

/// A return value as a syscall-exit stop shows it: none at entry, an error, a count, an
/// address.
fn ret_from(input: &mut Input<'_>, regions: &[(u64, u64)]) -> Option<i64> {
    match input.byte() % 4 {
        0 => None,
        1 => Some(-(i64::from(input.byte()) * 16 + i64::from(input.byte() % 16))),
        2 => Some(i64::from(input.byte())),
        _ => Some(input.address(regions) as i64),
    }
}

fn string_limit(input: &mut Input<'_>) -> usize {
    match input.byte() % 6 {
        0 => 0,
        1 => 1,
        2 => crate::DEFAULT_STRING_LIMIT,
        3 => 4096,
        4 => usize::MAX,
        _ => usize::from(input.byte()),
    }
}

fn string_style(input: &mut Input<'_>) -> StringStyle {
    StringStyle::from_count(input.byte() % 3)
}

/// How named constants are spelled (`-X`).
fn const_style(input: &mut Input<'_>) -> ConstStyle {
    [ConstStyle::Abbrev, ConstStyle::Raw, ConstStyle::Verbose][input.below(3)]
}

/// `-y` or `-yy`, or neither: a descriptor table for the processes of the targets, which
/// do not exist.
fn fd_table(input: &mut Input<'_>) -> Option<FdTable> {
    match input.byte() % 3 {
        0 => None,
        count => Some(FdTable::new(DecodeFds::from_count(count))),
    }
}

/// Writes `value` in every notation the tracer has.
fn render_everywhere(value: &Value) {
    for strings in [
        StringStyle::Escaped,
        StringStyle::HexNonAscii,
        StringStyle::HexAll,
    ] {
        let mut out = String::new();
        render::value_with(&mut out, value, strings);
    }
    // As the text trace shows it with and without `-v`.
    for abbrev in [true, false] {
        let mut out = String::new();
        render::value(&mut out, &value.clone().abbreviated(abbrev));
    }
    serde_json::to_vec(&JsonValue(value)).expect("a value always serializes");
}

/// A time a stop can happen at: within a few centuries of the epoch, either side.
fn event_time(input: &mut Input<'_>) -> SystemTime {
    let offset = Duration::from_micros(input.number() % (1 << 53));
    if input.flip() {
        UNIX_EPOCH + offset
    } else {
        UNIX_EPOCH - offset.min(Duration::from_secs(1 << 32))
    }
}

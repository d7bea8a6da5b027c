//! The `render` target: arbitrary [`Value`] trees written in every notation the tracer
//! has.

use super::Input;
use super::{event_time, render_everywhere, string_style};
use crate::args::Decoder;
use crate::linux::{SYSCALLS, Syscall};
use crate::render::{self};
use crate::value::{RetKind, Value};
use std::time::Duration;

/// A value tree: what decoders make (flag sets and enums included) and what they could
/// make (signal numbers, modes and counts out of range, deep nesting).
pub(super) fn value_from(input: &mut Input<'_>, depth: u8) -> Value {
    let leaf = depth >= 4;
    match input.byte() % if leaf { 15 } else { 20 } {
        0 => Value::Int(input.number() as i64),
        1 => Value::Uint(input.number()),
        2 => Value::Hex(input.number()),
        3 => Value::Octal(input.number()),
        4 => Value::FileMode(input.number()),
        5 => Value::Fd(input.number() as i32),
        6 => Value::Dirfd(input.number() as i32),
        7 => Value::Str {
            bytes: input.bytes(80).to_vec(),
            complete: input.flip(),
        },
        8 => Value::Null,
        9 => Value::Addr(input.number()),
        10 => Value::Unreadable(input.number()),
        11 => Value::Signal(input.number() as i32),
        12 => Value::Env {
            addr: input.number(),
            count: input.number() as usize,
        },
        13 => {
            // A flag set or an enum of the table: decode an argument of some syscall.
            let info = SYSCALLS[input.below(SYSCALLS.len())];
            let mut args = [0u64; 6];
            for arg in &mut args {
                *arg = input.number();
            }
            let call = Syscall::from_args(info.number, args);
            let image = crate::memory::Image::new();
            let decoder = Decoder {
                memory: &image,
                string_limit: 32,
                ret: None,
            };
            call.decode_arg(input.below(6), &decoder)
        }
        14 => Value::EpochSeconds {
            sec: input.number() as i64,
            nsec: input.number() as i64,
        },
        15 => {
            let names = ["tv_sec", "...", "sa_mask", "st_mode"];
            let count = input.byte() % 5;
            Value::Struct(
                (0..count)
                    .map(|_| {
                        (
                            names[input.below(names.len())],
                            value_from(input, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
        16 => Value::Array {
            items: (0..input.byte() % 5)
                .map(|_| value_from(input, depth + 1))
                .collect(),
            more: input.flip(),
        },
        17 => {
            let names = ["VINTR", "17", ""];
            Value::Indexed(
                (0..input.byte() % 5)
                    .map(|_| {
                        (
                            names[input.below(names.len())],
                            value_from(input, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
        18 => {
            // Two forms, the short one of any shape (termios's is not a struct).
            let short = value_from(input, depth + 1);
            let full = value_from(input, depth + 1);
            Value::Abbreviable {
                short: Box::new(short),
                full: Box::new(full),
            }
        }
        _ => Value::SigSet(
            (0..input.byte() % 70)
                .map(|_| match input.byte() % 3 {
                    0 => input.number() as i32,
                    _ => i32::from(input.byte() % 70),
                })
                .collect(),
        ),
    }
}

/// The renderers alone: arbitrary values in strace text and JSON, results of every kind,
/// signal names, the clock and durations of `-t`, `-r`, `-T`.
pub fn render(data: &[u8]) {
    let mut input = Input::new(data);
    render_everywhere(&value_from(&mut input, 0));
    let ret = input.number() as i64;
    for kind in [
        RetKind::Int,
        RetKind::Long,
        RetKind::Fd,
        RetKind::Size,
        RetKind::Pid,
        RetKind::Uid,
        RetKind::Gid,
        RetKind::Addr,
        RetKind::Hex,
        RetKind::Never,
    ] {
        let mut out = String::new();
        render::ret(&mut out, ret, kind);
    }
    let _ = render::signal_name(input.number() as i32);
    let mut out = String::new();
    render::quoted_with(&mut out, input.bytes(200), string_style(&mut input));
    let time = event_time(&mut input);
    render::time_of_day(&mut out, time, &render::LocalZone::default(), input.flip());
    render::epoch_time(&mut out, time);
    let elapsed = Duration::new(input.number(), (input.number() % 1_000_000_000) as u32);
    render::relative_time(&mut out, elapsed);
    render::duration(&mut out, elapsed);
}

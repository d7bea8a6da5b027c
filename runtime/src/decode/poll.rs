//! Waiting on descriptors: poll and ppoll's `struct pollfd` arrays, and what they found
//! ready, as strace adds it after the result: `= 1 ([{fd=3, revents=POLLIN}])`,
//! `= 0 (Timeout)` (select and pselect6 are in `select.rs`).

use super::{RetDecoded, Value};
use crate::args::Decoder;
use crate::linux::{Poll, PollEvents, Ppoll};
use crate::memory::ReadMemory;
use crate::structs::{Pollfd, StructDecode};

/// At most this many pollfds or descriptors are shown.
const MAX_ITEMS: u64 = 1024;
/// `sizeof(struct pollfd)`.
const POLLFD_SIZE: u64 = 8;

/// poll's `fds`: the array of `nfds` pollfds.
pub(super) fn poll_arg(c: &Poll, index: usize, d: &Decoder<'_>) -> Option<Value> {
    (index == 0).then(|| pollfds(d, c.fds.addr, u64::from(c.nfds)))
}

/// ppoll's `fds`, as poll's.
pub(super) fn ppoll_arg(c: &Ppoll, index: usize, d: &Decoder<'_>) -> Option<Value> {
    (index == 0).then(|| pollfds(d, c.fds.addr, u64::from(c.nfds)))
}

fn pollfds(d: &Decoder<'_>, addr: u64, count: u64) -> Value {
    if addr == 0 {
        return Value::Null;
    }
    let items: Option<Vec<Value>> = (0..count.min(MAX_ITEMS))
        .map(|i| Pollfd::decode_at(d, addr.checked_add(i.checked_mul(POLLFD_SIZE)?)?))
        .collect();
    match items {
        Some(items) => Value::abbreviable_array(items, count > MAX_ITEMS, d.string_limit),
        None => Value::Unreadable(addr),
    }
}

/// What poll found: the pollfds with events, `[{fd=3, revents=POLLIN}]`, or `Timeout`.
fn poll_ready(d: &Decoder<'_>, addr: u64, count: u64, ret: i64) -> Option<RetDecoded> {
    if ret == 0 {
        return Some(word("Timeout"));
    }
    let mut ready = Vec::new();
    for i in 0..count.min(MAX_ITEMS) {
        let at = addr.checked_add(i.checked_mul(POLLFD_SIZE)?)?;
        let p: Pollfd = d.memory.read_pod(at).ok()?;
        if p.revents != 0 {
            ready.push(Value::Struct(vec![
                ("fd", Value::Fd(p.fd)),
                (
                    "revents",
                    Value::Flags {
                        raw: u64::from(p.revents as u16),
                        set: PollEvents::INFO,
                    },
                ),
            ]));
        }
    }
    // strace writes the list into a buffer of 1024 bytes and stops with `...` before an
    // element that would leave less than 27 of them, abbreviating or not.
    const ROOM: usize = 997;
    // `[`, then each element and its `, `.
    let mut used: usize = 1;
    let mut fits: usize = 0;
    for item in &ready {
        let mut text = String::new();
        crate::render::value(&mut text, item);
        if used.saturating_add(text.len()) >= ROOM {
            break;
        }
        used = used.saturating_add(text.len()).saturating_add(2);
        fits = fits.saturating_add(1);
    }
    let cut = fits < ready.len();
    ready.truncate(fits);
    Some(RetDecoded {
        hex: false,
        label: None,
        value: Value::abbreviable_array(ready, cut, d.string_limit),
    })
}

/// poll's result.
pub(super) fn poll_ret(c: &Poll, ret: i64, d: &Decoder<'_>) -> Option<RetDecoded> {
    poll_ready(d, c.fds.addr, u64::from(c.nfds), ret)
}

/// ppoll's result, and the time it had left: `([{fd=3, revents=POLLIN}], left {...})`.
pub(super) fn ppoll_ret(c: &Ppoll, ret: i64, d: &Decoder<'_>) -> Option<RetDecoded> {
    let ready = poll_ready(d, c.fds.addr, u64::from(c.nfds), ret)?;
    if ret == 0 || c.tmo_p.addr == 0 {
        return Some(ready);
    }
    let left = left(d, c.tmo_p.addr, true)?;
    let with_left = |ready: &Value| {
        let mut text = String::new();
        crate::render::value(&mut text, ready);
        Value::Symbol(format!("{text}, left {left}"))
    };
    let value = match &ready.value {
        Value::Abbreviable { short, full } => Value::Abbreviable {
            short: Box::new(with_left(short)),
            full: Box::new(with_left(full)),
        },
        ready => with_left(ready),
    };
    Some(RetDecoded {
        hex: false,
        label: None,
        value,
    })
}

/// The time a call had left, which the kernel wrote back into its timeout.
fn left(d: &Decoder<'_>, addr: u64, nanos: bool) -> Option<String> {
    let [sec, frac] = d.memory.read_words(addr, 2).ok()?[..] else {
        return None;
    };
    let unit = if nanos { "tv_nsec" } else { "tv_usec" };
    Some(format!("{{tv_sec={}, {unit}={}}}", sec as i64, frac as i64))
}

/// A meaning strace spells as a word or phrase: `Timeout`, `in [4], left {...}`.
fn word(text: &str) -> RetDecoded {
    RetDecoded {
        hex: false,
        label: None,
        value: Value::Symbol(text.to_string()),
    }
}

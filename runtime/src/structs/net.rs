//! The structs of sockets and of waiting on descriptors: `struct pollfd`,
//! `struct epoll_event`, `struct msghdr` (with its control messages).

use super::{EpollEvent, Msghdr, Pollfd, StructDecode, decode_sockaddr};
use crate::args::{Decode, Decoder, IovecPtr};
use crate::linux::{EpollEvents, MsgFlags, PollEvents};
use crate::memory::ReadMemory;
use crate::value::Value;

impl StructDecode for Pollfd {
    const SIZE: usize = 8;

    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let p: Pollfd = d.memory.read_pod(addr).ok()?;
        Some(Value::Struct(vec![
            ("fd", Value::Fd(p.fd)),
            (
                "events",
                Value::Flags {
                    raw: u64::from(p.events as u16),
                    set: PollEvents::INFO,
                },
            ),
        ]))
    }
}

/// `struct epoll_event` is packed on x86_64: a 32-bit mask, then 64 bits of user data.
const EPOLL_EVENT_SIZE: usize = 12;

/// At most this many ready events of an epoll_wait are shown.
const MAX_EVENTS: u64 = 1024;

impl StructDecode for EpollEvent {
    const SIZE: usize = 12;

    /// The event epoll_ctl is given; at the exit of epoll_wait (which fills as many as it
    /// returns), the array of ready events.
    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let Some(ready) = d.success() else {
            return epoll_event(d, addr);
        };
        let items = (0..ready.min(MAX_EVENTS))
            .map(|i| {
                let at = addr.checked_add(i.checked_mul(EPOLL_EVENT_SIZE as u64)?)?;
                epoll_event(d, at)
            })
            .collect::<Option<Vec<Value>>>()?;
        Some(Value::abbreviable_array(
            items,
            ready > MAX_EVENTS,
            d.string_limit,
        ))
    }
}

fn epoll_event(d: &Decoder<'_>, addr: u64) -> Option<Value> {
    let bytes = d.memory.read(addr, EPOLL_EVENT_SIZE).ok()?;
    let (events, data) = bytes.split_first_chunk::<4>()?;
    let data = u64::from_ne_bytes(*data.first_chunk::<8>()?);
    Some(Value::Struct(vec![
        (
            "events",
            Value::Flags {
                raw: u64::from(u32::from_ne_bytes(*events)),
                set: EpollEvents::INFO,
            },
        ),
        (
            "data",
            Value::Struct(vec![
                ("u32", Value::Uint(data & u64::from(u32::MAX))),
                ("u64", Value::Uint(data)),
            ]),
        ),
    ]))
}

/// The words of a `struct msghdr`: name, namelen, iov, iovlen, control, controllen, flags.
const MSGHDR_WORDS: usize = 7;

/// At most this many control messages are shown.
const MAX_CMSGS: usize = 16;

impl StructDecode for Msghdr {
    const SIZE: usize = 56;

    fn decode_at(d: &Decoder<'_>, addr: u64) -> Option<Value> {
        let words = d.memory.read_words(addr, MSGHDR_WORDS).ok()?;
        let [name, namelen, iov, iovlen, control, controllen, flags] = words[..] else {
            return None;
        };
        // socklen_t and int fields share their word with padding.
        let namelen = namelen & u64::from(u32::MAX);
        let flags = flags & u64::from(u32::MAX);
        let name = match (name, namelen) {
            (0, _) => Value::Null,
            (name, 0) => Value::Addr(name),
            (name, len) => decode_sockaddr(d, name, len),
        };
        let mut fields = vec![
            ("msg_name", name),
            ("msg_namelen", Value::Uint(namelen)),
            ("msg_iov", IovecPtr::new(iov, iovlen).decode(d)),
            ("msg_iovlen", Value::Uint(iovlen)),
        ];
        if controllen > 0 {
            fields.push(("msg_control", control_messages(d, control, controllen)));
        }
        fields.push(("msg_controllen", Value::Uint(controllen)));
        fields.push((
            "msg_flags",
            Value::Flags {
                raw: flags,
                set: MsgFlags::INFO,
            },
        ));
        Some(Value::Struct(fields))
    }
}

/// `struct cmsghdr`: a length word, then the level and type ints, then the data.
const CMSG_HEADER: usize = 16;

/// The control messages of a `msghdr`: `[{cmsg_len=20, cmsg_level=SOL_SOCKET,
/// cmsg_type=SCM_RIGHTS, cmsg_data=[5]}]`.
fn control_messages(d: &Decoder<'_>, addr: u64, len: u64) -> Value {
    let Ok(bytes) = d.memory.read(addr, len.min(4096) as usize) else {
        return Value::Unreadable(addr);
    };
    let mut items = Vec::new();
    let mut rest = &bytes[..];
    while let Some((header, _)) = rest.split_first_chunk::<CMSG_HEADER>() {
        if items.len() == MAX_CMSGS {
            break;
        }
        let word = |i: usize| header.get(i..).and_then(|h| h.first_chunk::<4>()).copied();
        let (Some(len_bytes), Some(level), Some(kind)) =
            (header.first_chunk::<8>(), word(8), word(12))
        else {
            break;
        };
        let cmsg_len = u64::from_ne_bytes(*len_bytes);
        let (level, kind) = (i32::from_ne_bytes(level), i32::from_ne_bytes(kind));
        let Some(end) = usize::try_from(cmsg_len)
            .ok()
            .filter(|&end| (CMSG_HEADER..=rest.len()).contains(&end))
        else {
            break;
        };
        let data = &rest[CMSG_HEADER..end];
        let mut fields = vec![("cmsg_len", Value::Uint(cmsg_len))];
        if level == libc::SOL_SOCKET {
            fields.push(("cmsg_level", Value::Symbol("SOL_SOCKET".into())));
            match kind {
                libc::SCM_RIGHTS => {
                    fields.push(("cmsg_type", Value::Symbol("SCM_RIGHTS".into())));
                    let fds = data
                        .chunks_exact(4)
                        .map(|fd| Value::Fd(i32::from_ne_bytes([fd[0], fd[1], fd[2], fd[3]])))
                        .collect();
                    fields.push((
                        "cmsg_data",
                        Value::abbreviable_array(fds, false, d.string_limit),
                    ));
                }
                libc::SCM_CREDENTIALS => {
                    fields.push(("cmsg_type", Value::Symbol("SCM_CREDENTIALS".into())));
                    let int = |i: usize| {
                        data.get(i..)
                            .and_then(|d| d.first_chunk::<4>())
                            .map(|b| u32::from_ne_bytes(*b))
                    };
                    if let (Some(pid), Some(uid), Some(gid)) = (int(0), int(4), int(8)) {
                        fields.push((
                            "cmsg_data",
                            Value::Struct(vec![
                                ("pid", Value::Int(i64::from(pid as i32))),
                                ("uid", Value::Uint(u64::from(uid))),
                                ("gid", Value::Uint(u64::from(gid))),
                            ]),
                        ));
                    }
                }
                other => fields.push(("cmsg_type", Value::Int(i64::from(other)))),
            }
        } else {
            fields.push(("cmsg_level", Value::Int(i64::from(level))));
            fields.push(("cmsg_type", Value::Int(i64::from(kind))));
        }
        items.push(Value::Struct(fields));
        // Each message is padded to a multiple of 8 bytes.
        let next = end.next_multiple_of(8).min(rest.len());
        rest = &rest[next..];
    }
    Value::Array { items, more: false }
}

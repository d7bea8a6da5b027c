//! Sockets: a socket's protocol, named by its address family (`IPPROTO_TCP` for AF_INET,
//! `NETLINK_ROUTE` for AF_NETLINK, a number otherwise).

use super::{Value, enumerated};
use crate::args::Decoder;
use crate::linux::{IpProtocol, NetlinkProtocol, Socket, Socketpair};

/// The protocol of a socket of `domain`.
fn protocol(domain: u64, protocol: i32) -> Value {
    let raw = u64::from(protocol as u32);
    match i32::try_from(domain).unwrap_or(-1) {
        libc::AF_INET | libc::AF_INET6 => enumerated(raw, IpProtocol::INFO),
        libc::AF_NETLINK => enumerated(raw, NetlinkProtocol::INFO),
        _ => Value::Int(i64::from(protocol)),
    }
}

/// socket's `protocol`.
pub(super) fn socket_arg(c: &Socket, index: usize, _: &Decoder<'_>) -> Option<Value> {
    (index == 2).then(|| protocol(c.domain.0, c.protocol))
}

/// socketpair's `protocol`.
pub(super) fn socketpair_arg(c: &Socketpair, index: usize, _: &Decoder<'_>) -> Option<Value> {
    (index == 2).then(|| protocol(c.domain.0, c.protocol))
}

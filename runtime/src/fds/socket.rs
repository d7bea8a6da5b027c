//! What `-yy` says about a socket: its protocol (`TCP`, `UNIX-STREAM`), and what only the
//! kernel knows of it (the local port the kernel chose, the peer of a unix socket), asked of
//! `sock_diag` netlink as strace asks (its `socketutils.c`), in strace's spelling:
//! `TCP:[127.0.0.1:41234->127.0.0.1:8080]`, `UNIX-STREAM:[12345->12346,"/run/x.sock"]`,
//! `NETLINK:[ROUTE:4242]`, or `PROTO:[INODE]` when the kernel has nothing to say.

use nix::sys::socket::{
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, recv, sendto, socket,
};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, OwnedFd};

/// `SOCK_DIAG_BY_FAMILY`, the netlink message type of every `sock_diag` request.
const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `NLMSG_DONE` and `NLMSG_ERROR`.
const NLMSG_DONE: u16 = 3;
const NLMSG_ERROR: u16 = 2;
/// `NLM_F_REQUEST`, `NLM_F_DUMP` (`NLM_F_ROOT | NLM_F_MATCH`).
const NLM_F_REQUEST: u16 = 1;
const NLM_F_DUMP: u16 = 0x300;
/// `struct nlmsghdr`'s size.
const NLMSG_HDRLEN: usize = 16;
/// `UDIAG_SHOW_NAME | UDIAG_SHOW_PEER`, and the attributes they bring.
const UDIAG_SHOW: u32 = 1 | 4;
const UNIX_DIAG_NAME: u16 = 0;
const UNIX_DIAG_PEER: u16 = 2;
/// `NDIAG_PROTO_ALL`.
const NDIAG_PROTO_ALL: u8 = 255;

/// The kernel's name of a socket's protocol, from the `socket(2)` (or `socketpair`) call
/// that made it, as `/proc/PID/fd/N`'s `system.sockprotoname` attribute spells it; `None`
/// for a combination this table does not know (the attribute is read then).
pub(super) fn protocol_name(domain: i32, typ: i32, protocol: i32) -> Option<&'static str> {
    let typ = typ & 0xf;
    let name = match (domain, typ, protocol) {
        (libc::AF_UNIX, libc::SOCK_STREAM, _) => "UNIX-STREAM",
        (libc::AF_UNIX, libc::SOCK_DGRAM | libc::SOCK_SEQPACKET, _) => "UNIX",
        (libc::AF_INET, libc::SOCK_STREAM, 0 | libc::IPPROTO_TCP) => "TCP",
        (libc::AF_INET, libc::SOCK_DGRAM, 0 | libc::IPPROTO_UDP) => "UDP",
        (libc::AF_INET, libc::SOCK_DGRAM, libc::IPPROTO_UDPLITE) => "UDPLITE",
        (libc::AF_INET, libc::SOCK_DGRAM, libc::IPPROTO_ICMP) => "PING",
        (libc::AF_INET, libc::SOCK_RAW, _) => "RAW",
        (libc::AF_INET6, libc::SOCK_STREAM, 0 | libc::IPPROTO_TCP) => "TCPv6",
        (libc::AF_INET6, libc::SOCK_DGRAM, 0 | libc::IPPROTO_UDP) => "UDPv6",
        (libc::AF_INET6, libc::SOCK_DGRAM, libc::IPPROTO_UDPLITE) => "UDPLITEv6",
        (libc::AF_INET6, libc::SOCK_DGRAM, libc::IPPROTO_ICMPV6) => "PINGv6",
        (libc::AF_INET6, libc::SOCK_RAW, _) => "RAWv6",
        (libc::AF_NETLINK, _, _) => "NETLINK",
        (libc::AF_PACKET, _, _) => "PACKET",
        _ => return None,
    };
    Some(name)
}

/// strace's `-yy` text of the socket `inode` whose protocol is `protocol`.
pub(super) fn describe(protocol: &str, inode: u64) -> String {
    let detail = match protocol {
        "UNIX" | "UNIX-STREAM" => unix(inode),
        "TCP" => inet(libc::AF_INET, libc::IPPROTO_TCP, inode),
        "UDP" => inet(libc::AF_INET, libc::IPPROTO_UDP, inode),
        "UDPLITE" => inet(libc::AF_INET, libc::IPPROTO_UDPLITE, inode),
        "TCPv6" => inet(libc::AF_INET6, libc::IPPROTO_TCP, inode),
        "UDPv6" => inet(libc::AF_INET6, libc::IPPROTO_UDP, inode),
        "UDPLITEv6" => inet(libc::AF_INET6, libc::IPPROTO_UDPLITE, inode),
        "NETLINK" => netlink(inode),
        _ => None,
    };
    match detail {
        Some(detail) => format!("{protocol}:[{detail}]"),
        None => format!("{protocol}:[{inode}]"),
    }
}

/// A `NETLINK_SOCK_DIAG` socket.
fn diag_socket() -> Option<OwnedFd> {
    socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .ok()
}

/// Sends one `SOCK_DIAG_BY_FAMILY` request with `body`, and gives each answer's payload to
/// `each` until it returns `Some`, the answers end, or an error comes.
fn query<T>(flags: u16, body: &[u8], mut each: impl FnMut(&[u8]) -> Option<T>) -> Option<T> {
    let fd = diag_socket()?;
    let len = NLMSG_HDRLEN + body.len();
    let mut request = Vec::with_capacity(len);
    request.extend_from_slice(&(len as u32).to_ne_bytes());
    request.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    request.extend_from_slice(&(NLM_F_REQUEST | flags).to_ne_bytes());
    request.extend_from_slice(&1u32.to_ne_bytes()); // seq
    request.extend_from_slice(&0u32.to_ne_bytes()); // pid: the kernel
    request.extend_from_slice(body);
    sendto(
        fd.as_raw_fd(),
        &request,
        &NetlinkAddr::new(0, 0),
        MsgFlags::empty(),
    )
    .ok()?;
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let got = recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()).ok()?;
        if got == 0 {
            return None;
        }
        let mut rest = &buf[..got];
        while rest.len() >= NLMSG_HDRLEN {
            let msg_len = u32::from_ne_bytes(rest[0..4].try_into().ok()?) as usize;
            let msg_type = u16::from_ne_bytes(rest[4..6].try_into().ok()?);
            if msg_len < NLMSG_HDRLEN || msg_len > rest.len() {
                return None;
            }
            match msg_type {
                NLMSG_DONE | NLMSG_ERROR => return None,
                _ => {
                    if let Some(found) = each(&rest[NLMSG_HDRLEN..msg_len]) {
                        return Some(found);
                    }
                }
            }
            let aligned = (msg_len + 3) & !3;
            rest = rest.get(aligned..).unwrap_or(&[]);
        }
        if flags & NLM_F_DUMP == 0 {
            return None;
        }
    }
}

/// The route attributes after a fixed header of `skip` bytes: (type, payload).
fn attributes(payload: &[u8], skip: usize) -> Vec<(u16, &[u8])> {
    let mut found = Vec::new();
    let mut rest = payload.get(skip..).unwrap_or(&[]);
    while rest.len() >= 4 {
        let len = u16::from_ne_bytes([rest[0], rest[1]]) as usize;
        let kind = u16::from_ne_bytes([rest[2], rest[3]]);
        if len < 4 || len > rest.len() {
            break;
        }
        found.push((kind, &rest[4..len]));
        rest = rest.get((len + 3) & !3..).unwrap_or(&[]);
    }
    found
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// `INODE->PEER,"PATH"` of a unix socket (`unix_diag`, asked for that inode only).
fn unix(inode: u64) -> Option<String> {
    let inode32 = u32::try_from(inode).ok()?;
    // struct unix_diag_req
    let mut body = Vec::with_capacity(24);
    body.extend_from_slice(&[libc::AF_UNIX as u8, 0, 0, 0]);
    body.extend_from_slice(&u32::MAX.to_ne_bytes()); // every state
    body.extend_from_slice(&inode32.to_ne_bytes());
    body.extend_from_slice(&UDIAG_SHOW.to_ne_bytes());
    body.extend_from_slice(&u32::MAX.to_ne_bytes()); // no cookie
    body.extend_from_slice(&u32::MAX.to_ne_bytes());
    query(0, &body, |payload| {
        // struct unix_diag_msg: family, type, state, pad, ino, cookie[2]
        if u32_at(payload, 4)? != inode32 {
            return None;
        }
        let mut text = inode.to_string();
        let mut path = None;
        for (kind, data) in attributes(payload, 16) {
            match kind {
                UNIX_DIAG_PEER => {
                    if let Some(peer) = u32_at(data, 0).filter(|&p| p != 0) {
                        write!(text, "->{peer}").unwrap();
                    }
                }
                UNIX_DIAG_NAME => path = Some(data.to_vec()),
                _ => {}
            }
        }
        if let Some(path) = path.filter(|p| !p.is_empty()) {
            text.push(',');
            // An abstract name starts with a NUL, which strace shows as `@` before the
            // quotes; a path name ends at its NUL (the kernel keeps the one `bind` was given).
            match path.split_first() {
                Some((0, rest)) => {
                    text.push('@');
                    crate::render::quoted(&mut text, rest);
                }
                _ => {
                    let name = path.split(|&b| b == 0).next().unwrap_or_default();
                    crate::render::quoted(&mut text, name);
                }
            }
        }
        Some(text)
    })
}

/// `SRC:PORT->DST:PORT` (or `SRC:PORT` when not connected) of an inet socket (`inet_diag`,
/// a dump of the family and protocol, searched for the inode).
fn inet(family: i32, protocol: i32, inode: u64) -> Option<String> {
    // struct inet_diag_req_v2: family, protocol, ext, pad, states, inet_diag_sockid
    let mut body = vec![0u8; 56];
    body[0] = family as u8;
    body[1] = protocol as u8;
    body[4..8].copy_from_slice(&u32::MAX.to_ne_bytes());
    // idiag_cookie: none
    body[48..56].copy_from_slice(&[0xff; 8]);
    query(NLM_F_DUMP, &body, |payload| {
        // struct inet_diag_msg: family, state, timer, retrans, id (48 bytes: sport,
        // dport, src[16], dst[16], if, cookie[8]), expires, rqueue, wqueue, uid, inode
        if u64::from(u32_at(payload, 68)?) != inode {
            return None;
        }
        let id = payload.get(4..52)?;
        let sport = u16::from_be_bytes([id[0], id[1]]);
        let dport = u16::from_be_bytes([id[2], id[3]]);
        let src = address(family, &id[4..20]);
        let dst = address(family, &id[20..36]);
        let connected = dport != 0 || id[20..36].iter().any(|&b| b != 0);
        Some(if connected {
            format!("{src}:{sport}->{dst}:{dport}")
        } else {
            format!("{src}:{sport}")
        })
    })
}

/// An inet address as strace writes it: `127.0.0.1`, `[::1]`.
fn address(family: i32, bytes: &[u8]) -> String {
    if family == libc::AF_INET {
        Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string()
    } else {
        let mut octets = [0u8; 16];
        octets.copy_from_slice(&bytes[..16]);
        format!("[{}]", Ipv6Addr::from(octets))
    }
}

/// Netlink protocols by number, as strace names them (without `NETLINK_`).
const NETLINK_PROTOCOLS: &[&str] = &[
    "ROUTE",
    "UNUSED",
    "USERSOCK",
    "FIREWALL",
    "SOCK_DIAG",
    "NFLOG",
    "XFRM",
    "SELINUX",
    "ISCSI",
    "AUDIT",
    "FIB_LOOKUP",
    "CONNECTOR",
    "NETFILTER",
    "IP6_FW",
    "DNRTMSG",
    "KOBJECT_UEVENT",
    "GENERIC",
    "",
    "SCSITRANSPORT",
    "ECRYPTFS",
    "RDMA",
    "CRYPTO",
    "SMC",
];

/// `PROTOCOL:PORTID` of a netlink socket (`netlink_diag`, a dump searched for the inode).
fn netlink(inode: u64) -> Option<String> {
    // struct netlink_diag_req: family, protocol, pad, ino, show, cookie[2]
    let mut body = vec![0u8; 20];
    body[0] = libc::AF_NETLINK as u8;
    body[1] = NDIAG_PROTO_ALL;
    body[12..20].copy_from_slice(&[0xff; 8]);
    query(NLM_F_DUMP, &body, |payload| {
        // struct netlink_diag_msg: family, type, protocol, state, portid, dst_portid,
        // dst_group, ino, cookie[2]
        if u64::from(u32_at(payload, 16)?) != inode {
            return None;
        }
        let protocol = *payload.get(2)?;
        let portid = u32_at(payload, 4)?;
        Some(
            match NETLINK_PROTOCOLS
                .get(usize::from(protocol))
                .filter(|n| !n.is_empty())
            {
                Some(name) => format!("{name}:{portid}"),
                None => format!("{protocol}:{portid}"),
            },
        )
    })
}

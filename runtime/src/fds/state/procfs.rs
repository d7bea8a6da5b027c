//! What the kernel says of a descriptor or process in `/proc`, and the name arithmetic
//! that compares those names with paths a call passed.

use nix::unistd::Pid;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;

/// The parent process of `pid`: the `PPid:` line of `/proc/PID/status`.
pub(super) fn parent_of(pid: Pid) -> Option<Pid> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("PPid:"))?;
    line["PPid:".len()..].trim().parse().ok().map(Pid::from_raw)
}

/// The kernel's name of descriptor `fd` of `tid`, without ` (deleted)`, and whether it
/// said that.
pub(super) fn kernel_name(tid: Pid, fd: i32) -> Option<(Vec<u8>, bool)> {
    let name = std::fs::read_link(format!("/proc/{tid}/fd/{fd}")).ok()?;
    let name = name.as_os_str().as_bytes();
    Some(match name.strip_suffix(b" (deleted)") {
        Some(name) => (name.to_vec(), true),
        None => (name.to_vec(), false),
    })
}

/// `path` joined to the directory `base` (unless absolute), with `.`, `..` and repeated
/// slashes taken out as the kernel would, without looking at symbolic links.
pub(super) fn lexical_join(base: &[u8], path: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    let joined = if path.first() == Some(&b'/') {
        path.split(|&b| b == b'/').collect::<Vec<_>>()
    } else {
        base.split(|&b| b == b'/')
            .chain(path.split(|&b| b == b'/'))
            .collect()
    };
    for part in joined {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    let mut out = Vec::new();
    for part in parts {
        out.push(b'/');
        out.extend_from_slice(part);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

/// The number in `socket:[12345]` (after `prefix`).
pub(super) fn bracketed(name: &[u8], prefix: &[u8]) -> Option<u64> {
    let rest = name.strip_prefix(prefix)?.strip_suffix(b"]")?;
    std::str::from_utf8(rest).ok()?.parse().ok()
}

/// The kernel's name of a socket's protocol: the `system.sockprotoname` attribute of
/// `/proc/TID/fd/N`, as strace reads it.
pub(super) fn socket_protocol(tid: Pid, fd: i32) -> Option<String> {
    let path = CString::new(format!("/proc/{tid}/fd/{fd}")).ok()?;
    let name = crate::sys::getxattr(&path, c"system.sockprotoname")?;
    String::from_utf8(name).ok()
}

/// The process a pidfd refers to: the `Pid:` line of `/proc/TID/fdinfo/N`.
pub(super) fn pidfd_pid(tid: Pid, fd: i32) -> Option<i32> {
    let info = std::fs::read_to_string(format!("/proc/{tid}/fdinfo/{fd}")).ok()?;
    let line = info.lines().find(|l| l.starts_with("Pid:"))?;
    line["Pid:".len()..].trim().parse().ok()
}

/// glibc's `major()` of a `dev_t`.
pub(super) fn major(dev: u64) -> u32 {
    (((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff)) as u32
}

/// glibc's `minor()` of a `dev_t`.
pub(super) fn minor(dev: u64) -> u32 {
    (((dev >> 12) & 0xffff_ff00) | (dev & 0xff)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_as_the_kernel_names_them() {
        assert_eq!(lexical_join(b"/tmp/x", b"a"), b"/tmp/x/a");
        assert_eq!(lexical_join(b"/tmp/x", b"./b/../c//d"), b"/tmp/x/c/d");
        assert_eq!(lexical_join(b"/tmp", b"/etc/./hosts"), b"/etc/hosts");
        assert_eq!(lexical_join(b"/", b".."), b"/");
    }

    #[test]
    fn device_numbers_split_as_glibc_splits_them() {
        // /dev/null is makedev(1, 3); a large minor spreads over both halves of a dev_t.
        assert_eq!((major(0x103), minor(0x103)), (1, 3));
        let makedev = |major: u64, minor: u64| {
            ((major & 0xfff) << 8)
                | ((major & !0xfff) << 32)
                | (minor & 0xff)
                | ((minor & !0xff) << 12)
        };
        let dev = makedev(0x1234, 0x56789);
        assert_eq!((major(dev), minor(dev)), (0x1234, 0x56789));
        assert_eq!(bracketed(b"socket:[12345]", b"socket:["), Some(12345));
        assert_eq!(bracketed(b"pipe:[1]", b"socket:["), None);
    }
}

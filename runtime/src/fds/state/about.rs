//! What the table says of a descriptor for a trace to show: its path, or the socket,
//! device or process behind it, as `--decode-fds=` asks.

use super::State;
use super::procfs::{bracketed, pidfd_pid, socket_protocol};
use crate::fds::{FdAbout, FdKind, socket};
use nix::unistd::Pid;

impl State {
    pub(in crate::fds) fn about(&mut self, pid: Pid, tid: Pid, fd: i32) -> Option<FdAbout> {
        let decode = self.decode;
        if !decode.any() {
            return None;
        }
        let mut entry = self.entry(pid, tid, fd)?;
        let path = decode.path.then(|| entry.name.clone());
        if decode.socket
            && let Some(inode) = bracketed(&entry.name, b"socket:[")
        {
            if entry.protocol.is_none() {
                entry.protocol = socket_protocol(tid, fd);
                self.update(pid, fd, |e| e.protocol.clone_from(&entry.protocol));
            }
            if let Some(protocol) = &entry.protocol {
                let text = self
                    .sockets
                    .entry(inode)
                    .or_insert_with(|| socket::describe(protocol, inode))
                    .clone();
                return Some(FdAbout {
                    path: None,
                    deleted: false,
                    kind: FdKind::Socket(text),
                });
            }
        }
        if decode.dev
            && let Some((block, major, minor)) = entry.device
        {
            return Some(FdAbout {
                path: Some(entry.name),
                deleted: entry.deleted,
                kind: FdKind::Device {
                    block,
                    major,
                    minor,
                },
            });
        }
        if decode.pidfd && entry.name == b"anon_inode:[pidfd]" {
            if entry.pidfd.is_none() {
                entry.pidfd = pidfd_pid(tid, fd);
                self.update(pid, fd, |e| e.pidfd = entry.pidfd);
            }
            if let Some(target) = entry.pidfd {
                return Some(FdAbout {
                    path: None,
                    deleted: false,
                    kind: FdKind::Pidfd(target),
                });
            }
        }
        path.map(|path| FdAbout {
            path: Some(path),
            deleted: entry.deleted,
            kind: FdKind::File,
        })
    }

    pub(in crate::fds) fn about_cwd(&mut self, pid: Pid, tid: Pid) -> Option<FdAbout> {
        if !self.decode.path {
            return None;
        }
        Some(FdAbout {
            path: Some(self.cwd(pid, tid)?),
            deleted: false,
            kind: FdKind::File,
        })
    }
}

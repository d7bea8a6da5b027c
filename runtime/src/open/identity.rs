//! Whose rights an open uses: the thread's credentials and umask from its
//! `/proc/.../status`, checked against the tracer's, and the tracer's own `/proc`
//! entries kept out of the program's reach.

use super::Policy;
use crate::{Errno, Tracee};
use std::path::Path;

impl Tracee {
    pub(super) fn status(&self) -> Result<Status, Errno> {
        let text = std::fs::read_to_string(format!("{}/status", self.task_dir()))
            .map_err(|_| Errno::new(libc::ESRCH))?;
        Ok(Status::parse(&text))
    }

    /// Judges `real` (refusing the tracer's own `/proc` entries), then asks the policy.
    pub(super) fn judge(&self, real: &Path, policy: Policy<'_>) -> Result<(), Errno> {
        if is_tracer_proc(real) {
            return Err(Errno::EACCES);
        }
        policy(real)
    }
}

/// What a thread's `/proc/.../status` says that matters here.
pub(super) struct Status {
    pub(super) umask: u32,
    /// The `Uid`, `Gid`, `Groups` and `Cap*` lines, as written.
    credentials: Vec<String>,
}

impl Status {
    fn parse(text: &str) -> Status {
        let mut umask = 0o022;
        let mut credentials = Vec::new();
        for line in text.lines() {
            if let Some(value) = line.strip_prefix("Umask:") {
                umask = u32::from_str_radix(value.trim(), 8).unwrap_or(umask);
            }
            let identity = [
                "Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:",
            ];
            if identity.iter().any(|key| line.starts_with(key)) {
                credentials.push(line.to_owned());
            }
        }
        Status { umask, credentials }
    }

    pub(super) fn credentials(&self) -> &[String] {
        &self.credentials
    }
}

/// The tracer's own credentials, as its `/proc/thread-self/status` writes them.
pub(super) fn tracer_credentials() -> Result<Vec<String>, Errno> {
    let text = std::fs::read_to_string("/proc/thread-self/status").map_err(|_| Errno::EIO)?;
    Ok(Status::parse(&text).credentials)
}

/// Whether `real` lies in the tracer's own `/proc/PID` (or one of its threads').
fn is_tracer_proc(real: &Path) -> bool {
    let Ok(rest) = real.strip_prefix("/proc") else {
        return false;
    };
    let Some(first) = rest.iter().next().and_then(|c| c.to_str()) else {
        return false;
    };
    let Ok(id) = first.parse::<u32>() else {
        return false;
    };
    id == std::process::id() || Path::new(&format!("/proc/self/task/{id}")).exists()
}

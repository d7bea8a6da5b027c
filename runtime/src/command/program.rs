//! Finding the program before anything is forked, as `execvp` would, and saying why
//! its execve failed.

use crate::Error;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Default `PATH` when the environment has none, as glibc's `execvp` uses.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Why execve of `path` failed with `errno`: an `ENOENT` for a file that exists means its
/// `#!` interpreter is missing.
pub(super) fn exec_error(path: &Path, errno: i32) -> Error {
    if errno == libc::ENOENT
        && let Some(interpreter) = interpreter(path)
    {
        return Error::BadInterpreter {
            program: path.to_owned(),
            interpreter,
        };
    }
    Error::Exec {
        program: path.to_owned(),
        error: io::Error::from_raw_os_error(errno),
    }
}

/// The interpreter a script's `#!` line names, when the script can be read.
fn interpreter(path: &Path) -> Option<PathBuf> {
    let mut head = [0u8; 256];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    let line = head[..n].strip_prefix(b"#!")?;
    let line = line.split(|&b| b == b'\n').next()?;
    let name = line
        .trim_ascii_start()
        .split(|b| b.is_ascii_whitespace())
        .next()?;
    (!name.is_empty()).then(|| PathBuf::from(OsStr::from_bytes(name)))
}

/// Finds the program as `execvp` would, so a missing or non-executable program is a clean
/// error before anything is forked.
pub(super) fn resolve(
    program: &OsStr,
    env: Option<&BTreeMap<OsString, OsString>>,
) -> Result<PathBuf, Error> {
    let program_path = PathBuf::from(program);
    if program.is_empty() {
        return Err(Error::NotFound(program_path));
    }
    if program.as_bytes().contains(&b'/') {
        // Whether it can be executed is execve's to say, in the trace.
        return match std::fs::metadata(&program_path) {
            Ok(_) => Ok(program_path),
            Err(_) => Err(Error::NotFound(program_path)),
        };
    }
    let path_var = match env {
        Some(env) => env.get(OsStr::new("PATH")).cloned(),
        None => std::env::var_os("PATH"),
    }
    .unwrap_or_else(|| DEFAULT_PATH.into());
    // As execvp: the first executable file wins; failing that, the first file found,
    // which execve then refuses.
    let mut denied = None;
    for dir in std::env::split_paths(&path_var) {
        let candidate = dir.join(program);
        let Ok(meta) = std::fs::metadata(&candidate) else {
            continue;
        };
        let executable = !meta.is_dir()
            && nix::unistd::access(&candidate, nix::unistd::AccessFlags::X_OK).is_ok();
        if executable {
            return Ok(candidate);
        }
        denied = denied.or(Some(candidate));
    }
    denied.ok_or(Error::NotFound(program_path))
}

//! Argument kinds: the closed vocabulary of `kind = "..."` and the keys (`len`, `set`,
//! `struct`, `dir`, `show`) each kind needs or refuses.

use super::{Dir, Kind, NamedSet, Problems, Show};
use std::collections::HashMap;

/// Every kind name, for the error message listing them.
const KINDS: &[&str] = &[
    "int", "uint", "long", "ulong", "size", "hex", "fd", "dirfd", "path", "cstr", "in_buf",
    "out_buf", "flags", "enum", "mode", "pid", "uid", "gid", "signal", "struct", "iovec",
    "sockaddr", "argv", "envp", "addr",
];

pub(super) fn check_kind(
    arg: &crate::table::Arg,
    arg_names: &[&str],
    index: usize,
    sets: &HashMap<&str, &NamedSet>,
    structs: &[&str],
    problems: &mut Problems,
) -> Option<Kind> {
    let kind = arg.kind.get_ref().as_str();
    let arg_name = arg.name.get_ref();
    let before = problems.0.len();

    let mut len = || -> Option<usize> {
        let Some(len) = &arg.len else {
            problems.at(
                &arg.kind,
                format!("argument `{arg_name}` of kind `{kind}` needs `len = \"<argument>\"`"),
            );
            return None;
        };
        match arg_names.iter().position(|n| *n == len.get_ref()) {
            Some(i) if i != index => Some(i),
            _ => {
                problems.at(
                    len,
                    format!(
                        "`len = \"{}\"` does not name another argument",
                        len.get_ref()
                    ),
                );
                None
            }
        }
    };
    let parsed = match kind {
        "int" => Some(Kind::Int),
        "uint" => Some(Kind::Uint),
        "long" => Some(Kind::Long),
        "ulong" => Some(Kind::Ulong),
        "size" => Some(Kind::Size),
        "hex" => Some(Kind::Hex),
        "fd" => Some(Kind::Fd),
        "dirfd" => Some(Kind::Dirfd),
        "path" => Some(Kind::Path),
        "cstr" => Some(Kind::Cstr),
        "mode" => Some(Kind::Mode),
        "pid" => Some(Kind::Pid),
        "uid" => Some(Kind::Uid),
        "gid" => Some(Kind::Gid),
        "signal" => Some(Kind::Signal),
        "argv" => Some(Kind::Argv),
        "envp" => Some(Kind::Envp),
        "addr" => Some(Kind::Addr),
        "in_buf" => len()
            .zip(show(arg, problems))
            .map(|(len, show)| Kind::InBuf { len, show }),
        "out_buf" => len()
            .zip(show(arg, problems))
            .map(|(len, show)| Kind::OutBuf { len, show }),
        "iovec" => len()
            .zip(dir(arg, problems))
            .map(|(len, dir)| Kind::Iovec { len, dir }),
        "sockaddr" => len()
            .zip(dir(arg, problems))
            .map(|(len, dir)| Kind::Sockaddr { len, dir }),
        "flags" | "enum" => {
            let want_enum = kind == "enum";
            match &arg.set {
                None => {
                    problems.at(
                        &arg.kind,
                        format!(
                            "argument `{arg_name}` of kind `{kind}` needs `set = \"<SetName>\"`"
                        ),
                    );
                    None
                }
                Some(set) => match sets.get(set.get_ref().as_str()) {
                    None => {
                        problems.at(
                            set,
                            format!(
                                "unknown flag set `{}` (no [sets.{}] table)",
                                set.get_ref(),
                                set.get_ref()
                            ),
                        );
                        None
                    }
                    Some(found) if found.is_enum != want_enum => {
                        let actual = if found.is_enum { "enum" } else { "flags" };
                        problems.at(set, format!("set `{}` has type \"{actual}\" but argument `{arg_name}` has kind `{kind}`", set.get_ref()));
                        None
                    }
                    Some(_) => {
                        let set = set.get_ref().clone();
                        Some(if want_enum {
                            Kind::Enum { set }
                        } else {
                            Kind::Flags { set }
                        })
                    }
                },
            }
        }
        "struct" => {
            let name = match &arg.strukt {
                None => {
                    problems.at(
                        &arg.kind,
                        format!(
                            "argument `{arg_name}` of kind `struct` needs `struct = \"<name>\"`"
                        ),
                    );
                    None
                }
                Some(s) if !structs.contains(&s.get_ref().as_str()) => {
                    problems.at(
                        s,
                        format!(
                            "unknown struct `{}` (add it to [structs], or use kind \"addr\" for an undecoded pointer)",
                            s.get_ref()
                        ),
                    );
                    None
                }
                Some(s) => Some(s.get_ref().clone()),
            };
            name.zip(dir(arg, problems))
                .map(|(name, dir)| Kind::Struct { name, dir })
        }
        other => {
            problems.at(
                &arg.kind,
                format!(
                    "unknown argument kind `{other}` (expected one of: {})",
                    KINDS.join(", ")
                ),
            );
            None
        }
    };

    // Keys that belong to other kinds are mistakes worth pointing at.
    let uses = |key: &str| match key {
        "len" => matches!(kind, "in_buf" | "out_buf" | "iovec" | "sockaddr"),
        "show" => matches!(kind, "in_buf" | "out_buf"),
        "set" => matches!(kind, "flags" | "enum"),
        "struct" => kind == "struct",
        _ => matches!(kind, "struct" | "iovec" | "sockaddr"),
    };
    for (key, value) in [
        ("len", &arg.len),
        ("set", &arg.set),
        ("struct", &arg.strukt),
        ("dir", &arg.dir),
        ("show", &arg.show),
    ] {
        if let Some(value) = value
            .as_ref()
            .filter(|_| !uses(key) && KINDS.contains(&kind))
        {
            problems.at(
                value,
                format!("`{key}` does not apply to an argument of kind `{kind}`"),
            );
        }
    }
    if problems.0.len() > before {
        None
    } else {
        parsed
    }
}

fn show(arg: &crate::table::Arg, problems: &mut Problems) -> Option<Show> {
    let Some(show) = &arg.show else {
        return Some(Show::Text);
    };
    match show.get_ref().as_str() {
        "hex" => Some(Show::Hex),
        "path" => Some(Show::Path),
        other => {
            problems.at(
                show,
                format!("unknown show `{other}` (expected \"hex\" or \"path\")"),
            );
            None
        }
    }
}

fn dir(arg: &crate::table::Arg, problems: &mut Problems) -> Option<Dir> {
    match &arg.dir {
        None => {
            problems.at(
                &arg.kind,
                format!(
                    "argument `{}` needs `dir = \"in\"`, `\"out\"` or `\"inout\"`",
                    arg.name.get_ref()
                ),
            );
            None
        }
        Some(d) => match d.get_ref().as_str() {
            "in" => Some(Dir::In),
            "out" => Some(Dir::Out),
            "inout" => Some(Dir::InOut),
            other => {
                problems.at(
                    d,
                    format!("unknown dir `{other}` (expected \"in\", \"out\" or \"inout\")"),
                );
                None
            }
        },
    }
}

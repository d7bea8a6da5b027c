//! The rules of one `[[syscall]]` entry: its argument count, return kind, groups,
//! argument names, and the `shown_if` / `hidden_if` conditions on its arguments.

use super::kind::check_kind;
use super::names::{is_identifier, is_keyword};
use super::{Argument, NamedSet, Problems, Syscall};
use crate::table::Entry;
use std::collections::HashMap;

/// Return kinds.
pub const RETS: &[&str] = &[
    "int", "long", "fd", "size", "pid", "uid", "gid", "addr", "hex", "mode", "never",
];

/// Groups, strace's trace classes.
pub const GROUPS: &[&str] = &[
    "file", "desc", "process", "network", "signal", "ipc", "memory", "clock", "creds", "stat",
    "lstat", "fstat", "statfs", "fstatfs", "pure",
];

/// The most arguments a syscall has on x86_64 (registers rdi, rsi, rdx, r10, r8, r9).
const MAX_ARGS: usize = 6;

pub(super) fn check_entry(
    entry: &Entry,
    sets: &HashMap<&str, &NamedSet>,
    structs: &[&str],
    problems: &mut Problems,
) -> Option<Syscall> {
    let name = entry.name.get_ref();
    let mut ok = true;
    // Point at the first argument too many.
    if let Some(extra) = entry.args.get(MAX_ARGS) {
        problems.at(
            extra,
            format!(
                "`{name}` has {} arguments; an x86_64 syscall has at most {MAX_ARGS}",
                entry.args.len()
            ),
        );
        ok = false;
    }
    let ret = entry.ret.get_ref();
    if !RETS.contains(&ret.as_str()) {
        problems.at(
            &entry.ret,
            format!(
                "unknown return kind `{ret}` (expected one of: {})",
                RETS.join(", ")
            ),
        );
        ok = false;
    }
    for group in &entry.groups {
        if !GROUPS.contains(&group.get_ref().as_str()) {
            problems.at(
                group,
                format!(
                    "unknown group `{}` (expected one of: {})",
                    group.get_ref(),
                    GROUPS.join(", ")
                ),
            );
            ok = false;
        }
    }

    let arg_names: Vec<&str> = entry
        .args
        .iter()
        .map(|a| a.get_ref().name.get_ref().as_str())
        .collect();
    let mut args = Vec::new();
    for (i, arg) in entry.args.iter().enumerate() {
        let arg = arg.get_ref();
        let arg_name = arg.name.get_ref();
        if !is_identifier(arg_name) || is_keyword(arg_name) {
            problems.at(
                &arg.name,
                format!(
                    "`{arg_name}` cannot be an argument name (not a Rust identifier, or a keyword)"
                ),
            );
            ok = false;
        }
        if arg_names[..i].contains(&arg_name.as_str()) {
            problems.at(
                &arg.name,
                format!("`{name}` has two arguments named `{arg_name}`"),
            );
            ok = false;
        }
        let condition = check_condition(arg, entry, sets, problems);
        match (
            check_kind(arg, &arg_names, i, sets, structs, problems),
            condition,
        ) {
            (Some(kind), Ok(condition)) => args.push(Argument {
                name: arg_name.clone(),
                kind,
                condition,
            }),
            _ => ok = false,
        }
    }
    ok.then(|| Syscall {
        name: name.clone(),
        number: *entry.number.get_ref(),
        args,
        ret: ret.clone(),
        groups: entry.groups.iter().map(|g| g.get_ref().clone()).collect(),
    })
}

/// `shown_if` / `hidden_if`: the argument named must be a `flags` or `enum` argument of the
/// same syscall, and the values must belong to its set.
fn check_condition(
    arg: &crate::table::Arg,
    entry: &Entry,
    sets: &HashMap<&str, &NamedSet>,
    problems: &mut Problems,
) -> Result<Option<(bool, usize, Vec<String>)>, ()> {
    let (shown, condition) = match (&arg.shown_if, &arg.hidden_if) {
        (None, None) => return Ok(None),
        (Some(c), None) => (true, c),
        (None, Some(c)) => (false, c),
        (Some(c), Some(_)) => {
            problems.at(
                c,
                format!(
                    "argument `{}` has both `shown_if` and `hidden_if`",
                    arg.name.get_ref()
                ),
            );
            return Err(());
        }
    };
    let condition = condition.get_ref();
    let target = condition.arg.get_ref();
    let found = entry
        .args
        .iter()
        .enumerate()
        .find(|(_, a)| a.get_ref().name.get_ref() == target);
    let set = found
        .and_then(|(_, a)| a.get_ref().set.as_ref())
        .and_then(|s| sets.get(s.get_ref().as_str()));
    let (Some((index, _)), Some(set)) = (found, set) else {
        problems.at(
            &condition.arg,
            format!(
                "`arg = \"{target}\"` must name a `flags` or `enum` argument of the same syscall"
            ),
        );
        return Err(());
    };
    let mut ok = true;
    for value in &condition.any {
        let known = set
            .values
            .iter()
            .chain(set.field.iter().flat_map(|(_, v)| v))
            .any(|c| c.name() == value.get_ref());
        if !known {
            problems.at(
                value,
                format!("`{}` is not a value of set `{}`", value.get_ref(), set.name),
            );
            ok = false;
        }
    }
    if !ok {
        return Err(());
    }
    Ok(Some((
        shown,
        index,
        condition.any.iter().map(|v| v.get_ref().clone()).collect(),
    )))
}

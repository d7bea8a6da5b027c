//! Cross-entry rules of the table. Every problem is collected, not just the first, so a
//! person fixing the table sees them all in one build.

//!
//! The rules are grouped by what they check: one syscall entry (`entry`), its argument
//! kinds (`kind`), the flag sets (`sets`), the struct names (`structs`) and the names
//! themselves (`names`); `model` is the checked table they produce.

mod entry;
mod kind;
mod model;
mod names;
mod sets;
mod structs;

pub use model::{Argument, Checked, Dir, Kind, NamedSet, Show, StructDecl, Syscall};
pub use names::camel_case;

use crate::table::{Lines, Table};
use entry::check_entry;
use names::is_identifier;
use sets::check_sets;
use std::collections::{BTreeMap, HashMap};
use structs::check_structs;
use toml::Spanned;

/// A problem found in the table: its byte offset and what is wrong.
pub struct Problem {
    pub offset: usize,
    pub message: String,
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn at<T>(&mut self, spanned: &Spanned<T>, message: String) {
        self.0.push(Problem {
            offset: spanned.span().start,
            message,
        });
    }
}

pub fn check(table: Table, lines: &Lines<'_>) -> Result<Checked, Vec<Problem>> {
    let mut problems = Problems::default();
    if let Some(arch) = &table.arch
        && arch.get_ref() != "x86_64"
    {
        problems.at(
            arch,
            format!(
                "arch `{}` is not supported (expected \"x86_64\")",
                arch.get_ref()
            ),
        );
    }

    let sets = check_sets(&table.sets, &mut problems);
    let structs = check_structs(&table.structs, &mut problems);
    let struct_names: Vec<&str> = structs.iter().map(|s| s.name.as_str()).collect();
    let set_kinds: HashMap<&str, &NamedSet> = sets.iter().map(|s| (s.name.as_str(), s)).collect();

    let mut names: HashMap<String, usize> = HashMap::new();
    let mut numbers: BTreeMap<i64, (String, usize)> = BTreeMap::new();
    let mut syscalls = Vec::new();
    for entry in &table.syscall {
        let at = entry.span().start;
        let entry = entry.get_ref();
        let name = entry.name.get_ref();
        if !is_identifier(name) {
            problems.at(&entry.name, format!("`{name}` is not a valid syscall name"));
        }
        if let Some(&first) = names.get(name) {
            problems.at(
                &entry.name,
                format!(
                    "duplicate syscall name `{name}` (first defined at line {})",
                    lines.line_col(first).0
                ),
            );
        } else {
            names.insert(name.clone(), at);
        }
        let number = *entry.number.get_ref();
        if number < 0 {
            problems.at(
                &entry.number,
                format!("syscall number {number} is negative"),
            );
        }
        if let Some((other, first)) = numbers.get(&number) {
            problems.at(
                &entry.number,
                format!(
                    "duplicate syscall number {number} for `{name}` (already used by `{other}` at line {})",
                    lines.line_col(*first).0
                ),
            );
        } else {
            numbers.insert(number, (name.clone(), at));
        }
        if let Some(syscall) = check_entry(entry, &set_kinds, &struct_names, &mut problems) {
            syscalls.push(syscall);
        }
    }

    let mut problems = problems.0;
    if problems.is_empty() {
        syscalls.sort_by_key(|s| s.number);
        let kernel = table.kernel.map(|k| k.into_inner()).unwrap_or_default();
        Ok(Checked {
            kernel,
            syscalls,
            sets,
            structs,
        })
    } else {
        problems.sort_by_key(|p| p.offset);
        Err(problems)
    }
}

//! Flag and enum sets (`[sets.Name]`): names, types, widths and unique values.

use super::names::is_identifier;
use super::{NamedSet, Problems};
use crate::table::Set;
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

pub(super) fn check_sets(
    sets: &BTreeMap<Spanned<String>, Spanned<Set>>,
    problems: &mut Problems,
) -> Vec<NamedSet> {
    let mut out = Vec::new();
    for (name, set) in sets {
        let set = set.get_ref();
        let set_name = name.get_ref();
        if !is_identifier(set_name) || !set_name.starts_with(|c: char| c.is_ascii_uppercase()) {
            problems.at(
                name,
                format!("set name `{set_name}` must be a CamelCase identifier"),
            );
        }
        let is_enum = match set.ty.get_ref().as_str() {
            "flags" => false,
            "enum" => true,
            other => {
                problems.at(&set.ty, format!("set `{set_name}` has unknown type `{other}` (expected \"flags\" or \"enum\")"));
                continue;
            }
        };
        if set.values.is_empty() && set.field.is_none() {
            problems.at(name, format!("set `{set_name}` has no values"));
        }
        let bits = set.bits.as_ref().map_or(32, |b| *b.get_ref());
        if bits != 32 && bits != 64 {
            problems.at(
                set.bits.as_ref().unwrap(),
                format!("set `{set_name}`: bits must be 32 or 64"),
            );
        }
        if is_enum && (set.field.is_some() || set.zero.is_some()) {
            problems.at(
                &set.ty,
                format!("set `{set_name}`: `field` and `zero` apply only to type \"flags\""),
            );
        }
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let field_values = set.field.iter().flat_map(|f| f.get_ref().values.iter());
        for value in set.values.iter().chain(field_values) {
            let n = value.get_ref().name();
            if !is_identifier(n) {
                problems.at(value, format!("`{n}` is not a constant name"));
            }
            if seen.insert(n, ()).is_some() {
                problems.at(value, format!("set `{set_name}` lists `{n}` twice"));
            }
        }
        out.push(NamedSet {
            name: set_name.clone(),
            is_enum,
            bits,
            zero: set.zero.as_ref().map(|z| z.get_ref().clone()),
            field: set.field.as_ref().map(|f| {
                let f = f.get_ref();
                (
                    f.mask.get_ref().clone(),
                    f.values.iter().map(|v| v.get_ref().clone()).collect(),
                )
            }),
            field_last: set.field.as_ref().is_some_and(|f| f.get_ref().last),
            values: set.values.iter().map(|v| v.get_ref().clone()).collect(),
        });
    }
    out
}

//! The `[structs]` table: the struct names a `struct` argument may point to.

use super::names::{camel_case, is_identifier};
use super::{Problems, StructDecl};
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

/// The `[structs]` table: lower-case names whose CamelCase type names differ, each with a
/// line of description.
pub(super) fn check_structs(
    table: &BTreeMap<Spanned<String>, Spanned<String>>,
    problems: &mut Problems,
) -> Vec<StructDecl> {
    let mut types: HashMap<String, &str> = HashMap::new();
    let mut structs = Vec::new();
    for (name, doc) in table {
        let text = name.get_ref();
        let lower = text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !is_identifier(text) || !lower || text.starts_with('_') {
            problems.at(
                name,
                format!("`{text}` cannot be a struct name (lower-case letters, digits and `_`)"),
            );
            continue;
        }
        let camel = camel_case(text);
        if let Some(other) = types.insert(camel.clone(), text) {
            problems.at(
                name,
                format!("structs `{other}` and `{text}` would both be the type `{camel}`"),
            );
        }
        if doc.get_ref().trim().is_empty() {
            problems.at(
                doc,
                format!("struct `{text}` needs a line saying what it is"),
            );
        }
        structs.push(StructDecl {
            name: text.clone(),
            doc: doc.get_ref().trim().to_string(),
        });
    }
    structs
}

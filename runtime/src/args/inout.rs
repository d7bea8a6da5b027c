//! In-out arguments (`dir = "inout"`): one value from what the program passed and
//! what the kernel wrote back.

use crate::value::Value;

/// Fields of an in-out struct that the program sets and the kernel rewrites, shown as
/// `msg_namelen=110 => 16` when they changed.
const VALUE_RESULT_FIELDS: &[&str] = &["msg_namelen"];

/// An in-out argument (`dir = "inout"`) as strace shows it, from its values at the call's
/// entry and exit. A number the kernel changed is `[128 => 16]`, and so are the fields of
/// a struct the program sets and the kernel rewrites (`msg_namelen=110 => 16`);
/// otherwise what the kernel wrote back. When the call failed, an array (a length, the
/// pollfds) shows what the program passed, as strace prints those at entry; a struct
/// shows its address.
pub fn in_and_out(before: Value, after: Value, failed: bool) -> Value {
    let changed = |before: Value, after: Value| {
        if before == after {
            after
        } else {
            Value::Changed {
                before: Box::new(before),
                after: Box::new(after),
            }
        }
    };
    let is_number = |v: &[Value]| matches!(v, [Value::Int(_) | Value::Uint(_)]);
    match (before, after) {
        (before @ Value::Array { .. }, _) if failed => before,
        (_, after) if failed => after,
        (
            Value::Array {
                items: mut before,
                more: false,
            },
            Value::Array {
                items: mut after,
                more: false,
            },
        ) if is_number(&before) && is_number(&after) => {
            let (Some(before), Some(after)) = (before.pop(), after.pop()) else {
                unreachable!("one item each");
            };
            Value::Array {
                items: vec![changed(before, after)],
                more: false,
            }
        }
        (Value::Struct(before), Value::Struct(after)) => Value::Struct(
            after
                .into_iter()
                .map(|(name, value)| {
                    let old = before.iter().find(|(n, _)| *n == name);
                    match old {
                        Some((_, old)) if VALUE_RESULT_FIELDS.contains(&name) => {
                            (name, changed(old.clone(), value))
                        }
                        _ => (name, value),
                    }
                })
                .collect(),
        ),
        (_, after) => after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: u64) -> Value {
        Value::Array {
            items: vec![Value::Uint(v)],
            more: false,
        }
    }

    #[test]
    fn in_out_numbers_show_both_values_when_the_kernel_changed_them() {
        let changed = in_and_out(one(128), one(16), false);
        let mut text = String::new();
        crate::render::value(&mut text, &changed);
        assert_eq!(text, "[128 => 16]");
        assert_eq!(in_and_out(one(16), one(16), false), one(16));
        // A failed call wrote nothing back: what the program passed, for an array.
        assert_eq!(in_and_out(one(16), Value::Addr(0x1000), true), one(16));
        let header = |namelen| Value::Struct(vec![("msg_namelen", Value::Uint(namelen))]);
        assert_eq!(
            in_and_out(header(110), Value::Addr(0x1000), true),
            Value::Addr(0x1000)
        );
        let mut text = String::new();
        crate::render::value(&mut text, &in_and_out(header(110), header(16), false));
        assert_eq!(text, "{msg_namelen=110 => 16}");
        // Structs show what the kernel wrote.
        let written = Value::Struct(vec![("a", Value::Int(1))]);
        assert_eq!(
            in_and_out(Value::Struct(vec![]), written.clone(), false),
            written
        );
    }
}

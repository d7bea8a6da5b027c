//! Compile-fail tests for `#[linux_syscalls]`: each `tests/ui/NAME.rs` points the macro at a
//! broken `NAME.toml`; `NAME.stderr` holds the expected errors.
//! Regenerate with `TRYBUILD=overwrite cargo test --test ui`.

#[test]
fn table_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}

//! Targets for what rewrites a program's calls: the `clone3` → `clone` rewrite and
//! `-e inject=` rules.

use super::{Built, Input};
use crate::inject::Rule;
use crate::linux::{SYSCALLS, Syscall};
use crate::regs::CloneArgs;

/// The `clone3` rewrite: `struct clone_args` of an arbitrary size read from an arbitrary
/// image, and the `clone` it becomes. Whatever the struct says, the `clone` never keeps
/// `CLONE_UNTRACED`, and a stack top never passes the ABI's limit.
pub fn clone3(data: &[u8]) {
    let mut input = Input::new(data);
    let Built { image, regions } = input.image();
    let addr = input.address(&regions);
    let size = match input.byte() % 4 {
        0 => 64,
        1 => 80,
        2 => 88,
        _ => input.number(),
    };
    let stack_limit = if input.flip() {
        u64::from(u32::MAX)
    } else {
        u64::MAX
    };
    if let Ok(args) = CloneArgs::read(&image, addr, size)
        && let Ok(clone) = args.as_clone(size, stack_limit)
    {
        assert_eq!(clone.flags & libc::CLONE_UNTRACED as u64, 0, "{args:?}");
        assert!(clone.stack <= stack_limit, "{args:?}");
    }
}

/// `-e inject=` rules: parsed from arbitrary text, and built from a syscall of the table
/// with `if=` predicates on its arguments, then tested on arbitrary calls of that syscall
/// whose pointer arguments are read from an arbitrary image.
pub fn inject(data: &[u8]) {
    let mut input = Input::new(data);
    if input.byte().is_multiple_of(4) {
        let text = String::from_utf8_lossy(input.bytes(200)).into_owned();
        if let Ok(rule) = Rule::parse(&text) {
            let _ = (
                rule.to_string(),
                rule.interest(),
                rule.when().hits(input.number()),
            );
        }
        let pattern = input.bytes(40);
        let _ = crate::inject::glob(pattern, input.bytes(200));
        return;
    }
    let Built { image, regions } = input.image();
    let info = SYSCALLS[input.below(SYSCALLS.len())];
    let mut text = format!("inject={}:error=EPERM", info.name);
    for _ in 0..1 + input.byte() % 3 {
        let Some(arg) = info.args.get(input.below(6)) else {
            continue;
        };
        let op = ["=", "!=", "~", "&"][input.below(4)];
        let value = match input.byte() % 4 {
            0 => input.number().to_string(),
            1 => (input.number() as i64).to_string(),
            2 => "O_CREAT|O_RDONLY|AT_FDCWD|SIGKILL|PROT_READ".to_string(),
            _ => String::from_utf8_lossy(input.bytes(40)).replace(':', "*"),
        };
        text.push_str(&format!(":if={}{op}{value}", arg.name));
    }
    let Ok(rule) = Rule::parse(&text) else {
        return;
    };
    for _ in 0..4 {
        let mut args = [0u64; 6];
        for arg in &mut args {
            *arg = input.address(&regions);
        }
        let _ = rule.matches_in(&image, &Syscall::from_args(info.number, args));
    }
}

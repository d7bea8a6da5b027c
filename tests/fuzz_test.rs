//! The fuzz targets (`interpose_runtime::fuzz`, driven by libFuzzer in `fuzz/`) on every
//! input that once broke them, `fuzz/regressions/TARGET/*`, and on a fixed set of
//! pseudo-random inputs, so `cargo test` keeps the fixes without libFuzzer.

use interpose_runtime::fuzz;
use std::path::Path;
use std::time::{Duration, Instant};

/// Inputs per target beyond the regressions; a target must get through them in time.
const RANDOM_INPUTS: u32 = 1000;
const BUDGET: Duration = Duration::from_secs(60);

/// xorshift64*: the same inputs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn input(&mut self) -> Vec<u8> {
        let len = (self.next() % 2048) as usize;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn regression_inputs_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for target in fuzz::TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            eprintln!("{target}: {}", path.display());
            assert!(fuzz::run(target, &data));
            replayed += 1;
        }
    }
    eprintln!("{replayed} regression inputs");
}

#[test]
fn random_inputs_pass() {
    for (n, target) in fuzz::TARGETS.iter().enumerate() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ n as u64);
        let start = Instant::now();
        for i in 0..RANDOM_INPUTS {
            let data = rng.input();
            let caught = std::panic::catch_unwind(|| fuzz::run(target, &data));
            assert!(
                caught.is_ok(),
                "{target} panicked on random input {i}: {data:02x?}"
            );
            assert!(start.elapsed() < BUDGET, "{target} is too slow");
        }
        eprintln!("{target}: {RANDOM_INPUTS} inputs in {:?}", start.elapsed());
    }
}

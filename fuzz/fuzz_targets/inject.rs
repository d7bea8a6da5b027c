#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| interpose_runtime::fuzz::inject(data));

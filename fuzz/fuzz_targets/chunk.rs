//! Fuzz target: `mitchell::fuzzing::chunk` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mitchell::fuzzing::chunk(data));

//! Fuzz target: `mitchell::fuzzing::sse` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mitchell::fuzzing::sse(data));

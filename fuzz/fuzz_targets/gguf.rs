//! Fuzz target: `mitchell::fuzzing::gguf` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mitchell::fuzzing::gguf(data));

//! Fuzz target: `mitchell::fuzzing::persona` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mitchell::fuzzing::persona(data));

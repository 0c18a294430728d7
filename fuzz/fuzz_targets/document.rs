//! Fuzz target: `mitchell::fuzzing::document` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mitchell::fuzzing::document(data));

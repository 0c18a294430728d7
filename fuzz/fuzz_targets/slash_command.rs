//! Fuzz target: `mitchell::fuzzing::slash_command` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mitchell::fuzzing::slash_command(data));

//! Fuzz target: the agent's command gate (`mitchell::fuzzing::gate`), with the built-in
//! catalogue and no allow or deny rules.
#![no_main]

use std::sync::OnceLock;

use mitchell::tools::gate::Gate;

static GATE: OnceLock<Gate> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let gate = GATE.get_or_init(|| Gate::new(&[], &[]));
    mitchell::fuzzing::gate(data, gate);
});

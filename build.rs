//! Two jobs. First, the built-in personas (`personas/*.yaml`) are parsed here, once, and
//! written to `$OUT_DIR` as JSON, which the library embeds and reads at run time instead of
//! the YAML: the YAML parser was a fifth of the instructions of a short `ask` (see
//! BENCHMARKS.md). The YAML stays the source; a test checks both give the same spec.
//!
//! Second, link options for the `mitchell` binary only (the library, its tests and its
//! dependencies are built as they always were).
//!
//! On Linux with glibc, relative relocations are packed (`-z pack-relative-relocs`, DT_RELR):
//! the binary is position-independent and has ~50,000 of them, which as plain RELA entries
//! are 1.2 MB that the dynamic loader reads on every start, `--version` included; packed they
//! are a few KiB. It needs binutils 2.38 and glibc 2.36 (the loader refuses a binary with
//! DT_RELR on an older glibc, naming the missing `GLIBC_ABI_DT_RELR` version);
//! `MITCHELL_NO_RELR=1` builds without it.

fn main() {
    builtin_personas();
    println!("cargo:rerun-if-env-changed=MITCHELL_NO_RELR");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" && std::env::var_os("MITCHELL_NO_RELR").is_none() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// The built-in personas (`src/persona/load.rs` embeds each one's JSON).
const BUILTIN_PERSONAS: &[&str] = &["mitchell"];

/// `personas/NAME.yaml` → `$OUT_DIR/NAME.json` for every built-in persona.
fn builtin_personas() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in BUILTIN_PERSONAS {
        let source = format!("personas/{name}.yaml");
        println!("cargo:rerun-if-changed={source}");
        let yaml = std::fs::read_to_string(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
        let spec: serde_json::Value =
            serde_saphyr::from_str(&yaml).unwrap_or_else(|e| panic!("{source}: {e}"));
        let json = serde_json::to_string(&spec).expect("a YAML value is JSON");
        std::fs::write(out.join(format!("{name}.json")), json)
            .unwrap_or_else(|e| panic!("writing {name}.json: {e}"));
    }
}

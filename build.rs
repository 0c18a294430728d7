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
//!
//! And the functions the common commands execute are laid out together, at the start of the
//! code (`link/hot-functions.txt`, an lld symbol-ordering file written by
//! `scripts/hot-functions.sh` from callgrind profiles). The kernel maps a binary's code 64 KiB
//! at a time around each page an instruction faults in, so the ~2.6 MB those commands execute,
//! scattered over 18 MB, kept 10 MiB of code resident; gathered, it is a few MiB (see
//! BENCHMARKS.md). Names the binary no longer has are skipped, so a list older than the code
//! only gathers less. It needs a linker that takes `--symbol-ordering-file` (lld, which Rust
//! uses by default on x86-64 Linux, or mold): a probe link finds out, and without one the
//! binary is linked as before. `MITCHELL_NO_ORDER=1` builds without it.

fn main() {
    builtin_personas();
    println!("cargo:rerun-if-env-changed=MITCHELL_NO_RELR");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" && std::env::var_os("MITCHELL_NO_RELR").is_none() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    hot_functions_first();
}

/// The symbol-ordering file for the `mitchell` binary.
const HOT_FUNCTIONS: &str = "link/hot-functions.txt";

/// Passes `HOT_FUNCTIONS` to the linker of the `mitchell` binary when the linker takes it.
fn hot_functions_first() {
    println!("cargo:rerun-if-changed={HOT_FUNCTIONS}");
    println!("cargo:rerun-if-env-changed=MITCHELL_NO_ORDER");
    if std::env::var_os("MITCHELL_NO_ORDER").is_some() {
        return;
    }
    let dir =
        std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let list = dir.join(HOT_FUNCTIONS);
    if !list.is_file() {
        return;
    }
    let args = [
        format!("-Wl,--symbol-ordering-file={}", list.display()),
        "-Wl,--no-warn-symbol-ordering".to_owned(),
    ];
    if links_with(&args) {
        for arg in args {
            println!("cargo:rustc-link-arg-bin=mitchell={arg}");
        }
    } else {
        println!(
            "cargo:warning=the linker does not take --symbol-ordering-file: mitchell is linked \
             without its hot functions gathered (more resident memory, same behaviour)"
        );
    }
}

/// Whether a trivial program links for the target with these extra link arguments, with the
/// compiler, linker and flags this build uses.
fn links_with(args: &[String]) -> bool {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let source = out.join("link-probe.rs");
    if std::fs::write(&source, "fn main() {}\n").is_err() {
        return false;
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut cmd = std::process::Command::new(rustc);
    cmd.arg("--crate-type=bin")
        .arg("--crate-name=link_probe")
        .arg("-o")
        .arg(out.join("link-probe"))
        .arg(&source);
    if let Ok(target) = std::env::var("TARGET") {
        cmd.arg("--target").arg(target);
    }
    if let Ok(linker) = std::env::var("RUSTC_LINKER") {
        cmd.arg(format!("-Clinker={linker}"));
    }
    if let Ok(flags) = std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        cmd.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    }
    for arg in args {
        cmd.arg(format!("-Clink-arg={arg}"));
    }
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
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

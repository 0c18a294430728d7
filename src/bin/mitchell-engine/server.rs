//! The engine's loop (started by `mitchell`'s `LocalProvider`): the only place llama.cpp is
//! initialised. It loads the model the first line names, then runs each `Generate` on its own
//! thread (`engine::run`) and writes its events back as they come, in order. A `Cancel`, or end
//! of file on stdin (`mitchell` is gone), drops a generation's receiver, which stops it before
//! the next token; the process exits once every generation has stopped.
//!
//! Keeping llama.cpp in its own executable keeps it out of the HTTP path entirely: the C++
//! static constructors, libstdc++ and OpenMP are never loaded by `mitchell` itself (see
//! BENCHMARKS.md, "the default build's HTTP path").

use std::collections::HashMap;
use std::io::BufReader;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use tokio::sync::mpsc;

use mitchell::llm::StreamEvent;
use mitchell::llm::local::DEFAULT_MAX_CONTEXT;
use mitchell::llm::local::wire::{self, FromEngine, Load, ToEngine};

use crate::engine::{self, Engine};
use crate::{prompt, tools};

/// How long the engine waits for running generations to stop once `mitchell` is gone.
const DRAIN: Duration = Duration::from_secs(2);

/// llama.cpp's backend may be initialised once per process.
static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();

pub fn backend() -> Result<&'static LlamaBackend, String> {
    BACKEND
        .get_or_init(|| {
            // llama.cpp's own logs go to tracing (visible with -vv), not straight to stderr.
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|e| format!("initialising llama.cpp: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Serves stdin until end of file. Exit 0 when `mitchell` closed the pipe, 1 (with one line on
/// stderr) when what came down was not the protocol.
pub fn main() -> ExitCode {
    let mut input = BufReader::new(std::io::stdin());
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let load = match wire::receive::<ToEngine>(&mut input) {
        Ok(Some(ToEngine::Load(load))) => load,
        Ok(None) => return ExitCode::SUCCESS,
        Ok(Some(other)) => return protocol_error(&format!("expected load, got {other:?}")),
        Err(e) => return protocol_error(&e.to_string()),
    };
    mitchell::output::logging::init(
        load.verbose,
        load.log_color,
        &mitchell::config::Env::from_process(),
    );
    let engine = match open(&load) {
        Ok(engine) => {
            let loaded = FromEngine::Loaded {
                n_ctx: engine.n_ctx,
                tool_support: engine.tool_support,
            };
            if write(&out, &loaded).is_err() {
                return ExitCode::SUCCESS;
            }
            Arc::new(engine)
        }
        Err((message, usage)) => {
            let _ = write(&out, &FromEngine::LoadFailed { message, usage });
            return ExitCode::SUCCESS;
        }
    };
    serve(&engine, &mut input, &out)
}

fn protocol_error(message: &str) -> ExitCode {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "error: mitchell-engine: {message}");
    ExitCode::FAILURE
}

fn write(out: &Mutex<std::io::Stdout>, message: &FromEngine) -> std::io::Result<()> {
    let mut out = out
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    wire::send(&mut *out, message)
}

/// Loads the model; the error says whether the user's input (the template) is to blame.
fn open(load: &Load) -> Result<Engine, (String, bool)> {
    let backend = backend().map_err(|e| (e, false))?;
    // Read, not mapped: llama.cpp repacks most of a Q4_K model's weights into its own buffers
    // on x86, and with a mapping the file's pages stayed resident beside the copies (1.9 GiB
    // peak for the 1.1 GB default model).
    let params = LlamaModelParams::default().with_use_mmap(false);
    let model = LlamaModel::load_from_file(backend, &load.path, &params)
        .map_err(|e| (format!("loading {}: {e}", load.path.display()), false))?;
    let template = prompt::choose(&model, &load.name, load.chat_template.as_deref())
        .map_err(|e| (e.to_string(), true))?;
    let trained = model.n_ctx_train().max(512);
    let n_ctx = load
        .max_context
        .unwrap_or(DEFAULT_MAX_CONTEXT)
        .clamp(256, trained);
    let tool_support = template.to_str().is_ok_and(tools::supported);
    Ok(Engine {
        model,
        name: load.name.clone(),
        identity: load.identity.clone(),
        template,
        tool_support,
        n_ctx,
        threads: i32::try_from(load.threads.max(1)).unwrap_or(4),
        cache_dir: load.cache_dir.clone(),
        creating: Mutex::new(()),
    })
}

/// Generations in flight: dropping a sender cancels that generation.
type Running = Arc<Mutex<HashMap<u64, tokio::sync::oneshot::Sender<()>>>>;

fn serve(
    engine: &Arc<Engine>,
    input: &mut impl std::io::BufRead,
    out: &Arc<Mutex<std::io::Stdout>>,
) -> ExitCode {
    let running: Running = Arc::default();
    let status = loop {
        match wire::receive::<ToEngine>(input) {
            Ok(Some(ToEngine::Generate { id, request })) => {
                let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel();
                lock(&running).insert(id, cancel_tx);
                start(engine, id, request, cancel_rx, out, &running);
            }
            Ok(Some(ToEngine::Cancel { id })) => {
                lock(&running).remove(&id);
            }
            Ok(Some(ToEngine::Load(_))) => break protocol_error("a second load"),
            Ok(None) => break ExitCode::SUCCESS,
            Err(e) => break protocol_error(&e.to_string()),
        }
    };
    lock(&running).clear();
    // Never exit while llama.cpp computes on another thread: its static state goes with us.
    let start = Instant::now();
    while Arc::strong_count(engine) > 1 && start.elapsed() < DRAIN {
        std::thread::sleep(Duration::from_millis(1));
    }
    status
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs one generation on its own thread and forwards its events on another, which closes
/// the generation's channel when it is cancelled and says `Done` once the generation's thread
/// has let go of the engine.
fn start(
    engine: &Arc<Engine>,
    id: u64,
    request: mitchell::llm::ChatRequest,
    mut cancel: tokio::sync::oneshot::Receiver<()>,
    out: &Arc<Mutex<std::io::Stdout>>,
    running: &Running,
) {
    let (tx, mut rx) = mpsc::channel::<StreamEvent>(64);
    let generation = std::thread::Builder::new()
        .name("mitchell-llama".to_owned())
        .spawn({
            let engine = Arc::clone(engine);
            move || engine::run(&engine, &request, &tx)
        });
    let generation = match generation {
        Ok(generation) => generation,
        Err(e) => {
            let failed = mitchell::llm::Error::Local(format!("starting the inference thread: {e}"));
            fail(out, running, id, failed);
            return;
        }
    };
    let relay_out = Arc::clone(out);
    let relay_running = Arc::clone(running);
    let forward = move || {
        let events_out = Arc::clone(&relay_out);
        // Dropped unrun (no runtime), it drops the receiver too: the generation stops.
        let relay = async move {
            // Open until a cancel, or until `mitchell` stops reading: then the channel is
            // closed, so the generation stops at its next send or prefill chunk.
            let mut open = true;
            loop {
                tokio::select! {
                    event = rx.recv() => match event {
                        Some(event) => {
                            let event = FromEngine::Event { id, event };
                            if open && write(&events_out, &event).is_err() {
                                rx.close();
                                open = false;
                            }
                        }
                        None => break,
                    },
                    _ = &mut cancel, if open => {
                        rx.close();
                        open = false;
                    }
                }
            }
        };
        match tokio::runtime::Builder::new_current_thread().build() {
            Ok(runtime) => runtime.block_on(relay),
            Err(e) => tracing::error!("starting a relay: {e}"),
        }
        let _ = generation.join();
        lock(&relay_running).remove(&id);
        let _ = write(&relay_out, &FromEngine::Done { id });
    };
    if let Err(e) = std::thread::Builder::new()
        .name("mitchell-relay".to_owned())
        .spawn(forward)
    {
        // The closure, and with it the generation's receiver, is gone: the generation stops.
        let failed = mitchell::llm::Error::Local(format!("starting a relay thread: {e}"));
        fail(out, running, id, failed);
    }
}

/// Ends generation `id` with an error before it ever ran.
fn fail(out: &Mutex<std::io::Stdout>, running: &Running, id: u64, error: mitchell::llm::Error) {
    lock(running).remove(&id);
    let _ = write(
        out,
        &FromEngine::Event {
            id,
            event: StreamEvent::Error(error),
        },
    );
    let _ = write(out, &FromEngine::Done { id });
}

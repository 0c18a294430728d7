//! `mitchell chat` (and `mitchell` alone on a terminal): resolves settings, reads the `-f`
//! files (they go with the first message), opens the store and the session (`--continue`,
//! `--session ID|NAME`), connects the provider and runs the REPL. A non-terminal stdin is a
//! usage error pointing at `ask`.

use super::attachments::Attachments;
use super::repl::chat::{Chat, ChatOptions};
use crate::cli::{ChatArgs, GlobalArgs};
use crate::config::{Env, Source, Sourced};
use crate::error::{self, ExitStatus};
use crate::output::Output;
use crate::store::{SessionMeta, Store, StoreError};

pub fn run(
    global: &GlobalArgs,
    args: ChatArgs,
    env: &Env,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    if !out.terminal().stdin_is_tty {
        return Err(error::usage_msg(
            "`mitchell chat` needs a terminal on stdin; for piped input use \
             `mitchell ask` (with --continue or --session NAME to keep a session)",
        ));
    }
    let mut flags = super::reply_flags(global, &args.model, &args.reply);
    flags.max_input = args
        .max_input
        .map(|v| Sourced::new(v, Source::Flag("--max-input")));
    flags.tools = super::tool_flags(&args.tools);
    let settings = super::answer_settings(global, env, flags, out)?;
    let attachments = Attachments::read_all(&args.files, settings.max_input.value)?;
    let mut store = Store::open_default(&settings.paths).map_err(StoreError::into_anyhow)?;
    let rt = super::runtime()?;
    let provider = {
        let _guard = rt.enter();
        crate::llm::connect(&settings, out)?
    };
    let meta = SessionMeta {
        persona: Some(settings.persona.value.clone()),
        provider: Some(provider.name().to_owned()),
        model: Some(provider.model().to_owned()),
    };
    let session = if let Some(name) = &args.session {
        Some(
            store
                .named_session(name, &meta)
                .map_err(StoreError::into_anyhow)?,
        )
    } else if args.r#continue {
        let latest = store.latest_session().map_err(StoreError::into_anyhow)?;
        if latest.is_none() {
            out.notice("no earlier session: starting a new one");
        }
        latest
    } else {
        None
    };
    let chat = Chat {
        options: ChatOptions {
            detail: args.reply.detail,
            system: args.reply.system,
            temperature: args.reply.temperature,
            max_tokens: args.reply.max_tokens,
            show_reasoning: args.show_reasoning,
            route: !args.no_route,
        },
        mcp: crate::tools::mcp::McpServers::from_settings(&settings),
        settings,
        provider,
        store,
        session,
        env: env.clone(),
        usage: crate::llm::Usage::default(),
        attachments,
    };
    if !chat.attachments.is_empty() {
        out.notice(&format!(
            "{} file(s) attached: they go with your first message",
            chat.attachments.len()
        ));
    }
    super::repl::run(chat, &rt, out)
}

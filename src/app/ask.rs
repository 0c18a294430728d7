//! `mitchell ask`: one question, answered on stdout. Settings → prompt (TEXT and/or stdin) →
//! system prompt from the persona → one exchange through `conversation::drive` → the answer as
//! text or as one `--json` object. `--dry-run` prints the request and sends nothing.

use std::io::Read;

use serde::Serialize;

use super::documents::session::{DocumentSession, Target};
use crate::cli::{AskArgs, DocumentFormat, GlobalArgs};
use crate::config::{Backend, Env, Settings, Source, Sourced};
use crate::conversation::turn::{Step, Toolbox, TurnLimits};
use crate::conversation::{self, ExchangeOptions};
use crate::documents;
use crate::error::{self, ExitStatus};
use crate::llm::{self, ChatRequest, Message, Reply, Usage, reply::ToolCall};
use crate::output::Output;
use crate::persona::Detail;

// `dispatch` hands over the parsed arguments by value.
#[allow(clippy::needless_pass_by_value)]
pub fn run(
    global: &GlobalArgs,
    args: AskArgs,
    env: &Env,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    let settings = super::answer_settings(global, env, layer(global, &args), out)?;
    let backend = settings.backend().map_err(error::usage)?;
    let prompt = super::attachments::attach(
        read_prompt(&args, &settings, out)?,
        &args.files,
        settings.max_input.value,
    )?;
    if !args.no_route
        && !args.dry_run
        && let Some(kind) = documents::router::route(&prompt).route.kind()
    {
        return draft_routed(&args, &settings, kind, &prompt, out);
    }
    if args.dry_run {
        let tools = settings.tools.mode.value != crate::config::ToolMode::Off;
        let mut request = build_request(&args, &settings, &backend, prompt, tools)?;
        if tools {
            request.tools = crate::tools::specs();
        }
        let described = match &backend {
            Backend::Http(target) => llm::http::describe(target, &request),
            Backend::Local(_) => serde_json::json!({
                "provider": "local",
                "messages": request.messages,
                "temperature": request.temperature,
                "max_tokens": request.max_tokens,
            }),
        };
        out.println(&serde_json::to_string_pretty(&described)?)?;
        return Ok(ExitStatus::Success);
    }
    let provider = llm::connect(&settings, out)?;
    let options = if args.json {
        ExchangeOptions::default()
    } else {
        ExchangeOptions::streaming(out, args.show_reasoning)
    };
    // One thread: the provider's task and the driver hand events over without cross-thread
    // wake-ups, which halves the CPU time of a long stream (BENCHMARKS.md).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut agent = crate::tools::Agent::for_provider(&settings, provider.as_ref(), &prompt, out);
    let request = build_request(&args, &settings, &backend, prompt, agent.is_some())?;
    let limits = TurnLimits {
        max_steps: settings.tools.max_steps,
    };
    let super::ask_session::Asked {
        end: ended,
        not_saved,
    } = super::ask_session::run(
        &args,
        &settings,
        provider.as_ref(),
        request,
        agent.as_mut().map(|a| a as &mut dyn Toolbox),
        limits,
        out,
        options,
        &runtime,
    )?;
    if let Some(servers) = agent.as_ref().and_then(crate::tools::Agent::mcp) {
        runtime.block_on(servers.stop());
    }
    if ended.reader_gone {
        return Ok(ExitStatus::Success);
    }
    if ended.interrupted {
        return Err(error::Interrupted.into());
    }
    if args.json {
        let mut object = JsonReply::new(&ended.reply, provider.name(), provider.model());
        if !ended.steps.is_empty() {
            object.usage = Some(ended.usage);
        }
        object.steps = &ended.steps;
        out.println(&serde_json::to_string(&object)?)?;
    }
    let reply = conversation::outcome(ended.reply)?;
    match reply.finish_reason.as_deref() {
        Some("length") => {
            out.warn("the reply was cut off at the token limit (finish_reason: length)");
        }
        Some("content_filter") => out.warn("the reply was filtered by the provider"),
        _ => {}
    }
    // The answer is out; the session the user named did not get it (a warning said why).
    if not_saved {
        return Ok(ExitStatus::Failure);
    }
    Ok(ExitStatus::Success)
}

/// A request the router sent to a document: drafted, printed (markdown, or JSON with `--json`)
/// and, with `--session`/`--continue`, stored in the session.
fn draft_routed(
    args: &AskArgs,
    settings: &Settings,
    kind: documents::Kind,
    prompt: &str,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    out.notice(&format!("→ {}", kind.name()));
    let mut session = if super::ask_session::saving(args, settings) {
        // Committed before the model is asked: a failed draft loses nothing.
        let target = if super::ask_session::named(args) {
            Target::from_flag(args.session.as_deref())
        } else {
            Target::New
        };
        let mut session = DocumentSession::open(settings, target, out)?;
        session.user_turn(prompt)?;
        Some(session)
    } else {
        None
    };
    let provider = llm::connect(settings, out)?;
    let system = super::documents::draft::system_prompt(settings, provider.as_ref())?;
    let runtime = super::runtime()?;
    let Some(doc) = super::documents::draft::draft_document(
        settings,
        provider.as_ref(),
        &system,
        kind,
        prompt,
        out,
        &runtime,
    )?
    else {
        return Ok(ExitStatus::Failure);
    };
    let now = jiff::Timestamp::now();
    let format = if args.json {
        DocumentFormat::Json
    } else {
        DocumentFormat::Markdown
    };
    super::documents::emit(&doc, format, None, now, out)?;
    if let Some(session) = session.as_mut() {
        let markdown = doc.to_markdown(now).map_err(error::usage)?;
        session.document(kind, &markdown, out)?;
    }
    Ok(ExitStatus::Success)
}

/// The flag layer: the model flags plus ask's own.
fn layer(global: &GlobalArgs, args: &AskArgs) -> crate::config::Layer {
    let mut layer = super::reply_flags(global, &args.model, &args.reply);
    layer.tools = super::tool_flags(&args.tools);
    layer.max_input = args
        .max_input
        .map(|v| Sourced::new(v, Source::Flag("--max-input")));
    layer
}

/// TEXT and piped stdin (read only when stdin is not a terminal, at most the cap plus one).
fn read_prompt(args: &AskArgs, settings: &Settings, out: &Output) -> anyhow::Result<String> {
    let max = settings.max_input.value;
    let stdin = if out.terminal().stdin_is_tty {
        None
    } else {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|err| error::usage(anyhow::anyhow!("cannot read stdin: {err}")))?;
        Some(bytes)
    };
    conversation::prompt_from(&args.text, stdin, max).map_err(error::usage)
}

/// The persona's system prompt as `ask`, `eval` and the drafts send it: `detail` as
/// configured, else compact for the embedded model and full for an endpoint; then the tools
/// note when tools are offered; then `extra` (`--system`) unless it is blank.
pub(super) fn system_prompt(
    settings: &Settings,
    local: bool,
    tools: bool,
    extra: Option<&str>,
) -> anyhow::Result<String> {
    let default_detail = if local { Detail::Compact } else { Detail::Full };
    let detail = settings.detail.value.unwrap_or(default_detail);
    let mut system = crate::persona::system_prompt(settings, detail)?;
    if tools {
        system.push_str("\n\n");
        system.push_str(&crate::tools::system_note(&settings.tools));
    }
    if let Some(extra) = extra.filter(|s| !s.trim().is_empty()) {
        system.push_str("\n\n");
        system.push_str(extra);
    }
    Ok(system)
}

/// The system prompt (the persona, the tools note when the agent is on, then `--system`)
/// and the question.
fn build_request(
    args: &AskArgs,
    settings: &Settings,
    backend: &Backend,
    prompt: String,
    tools: bool,
) -> anyhow::Result<ChatRequest> {
    let local = matches!(backend, Backend::Local(_));
    let system = system_prompt(settings, local, tools, args.reply.system.as_deref())?;
    tracing::trace!(%system, %prompt, "prompt");
    let mut messages = vec![Message::system(system), Message::user(prompt)];
    crate::persona::playbook::apply(
        settings,
        matches!(backend, Backend::Local(_)),
        &mut messages,
    )?;
    Ok(ChatRequest {
        messages,
        model: None,
        temperature: settings.temperature.value,
        max_tokens: settings.max_tokens.value,
        json_schema: None,
        stream: !args.no_stream,
        tools: Vec::new(),
    })
}

/// The `--json` object.
#[derive(Debug, Serialize)]
struct JsonReply<'a> {
    text: &'a str,
    reasoning: &'a str,
    tool_calls: Vec<ToolCall>,
    usage: Option<Usage>,
    finish_reason: Option<&'a str>,
    model: &'a str,
    provider: &'a str,
    /// The error that ended the stream, if any (the exit status is then 1).
    error: Option<String>,
    /// Every tool call of the turn.
    steps: &'a [Step],
}

impl<'a> JsonReply<'a> {
    fn new(reply: &'a Reply, provider: &'a str, requested_model: &'a str) -> Self {
        JsonReply {
            text: &reply.text,
            reasoning: &reply.reasoning,
            tool_calls: reply.tool_calls(),
            usage: reply.usage,
            finish_reason: reply.finish_reason.as_deref(),
            model: reply.model.as_deref().unwrap_or(requested_model),
            provider,
            error: reply.error.as_ref().map(ToString::to_string),
            steps: &[],
        }
    }
}

//! One generation on the engine's own thread: a fresh context, the persona prefix from the
//! prompt cache (or evaluated and saved), the rest of the prompt, then token by token sampling
//! that stops as soon as the receiver is gone. Emits the same `StreamEvent`s as HTTP.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::{LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;
use tokio::sync::mpsc;

use crate::prompt;
use crate::tools;
use crate::utf8::Utf8Stream;
use mitchell::llm::{ChatRequest, Error, StreamEvent, Usage};

/// Prompt tokens per decode call: small enough to notice a cancel within ~100 ms.
const PREFILL_CHUNK: usize = 64;
/// No batch is ever larger than a prefill chunk, so the compute buffer (sized for n_ubatch
/// tokens) is sized for one: 512 cost the 1.5B model hundreds of MiB it never used.
pub const N_BATCH: u32 = 64;

const DEFAULT_TEMPERATURE: f32 = 0.6;
/// Tokens the repetition penalty looks back over.
const PENALTY_LAST_N: i32 = 256;
/// Repetition penalty (1.0 = off).
const PENALTY_REPEAT: f32 = 1.15;

/// Everything a generation needs, shared by all requests of one provider.
pub struct Engine {
    pub model: LlamaModel,
    pub name: String,
    /// The model's sha256 (store) or path, size and mtime: keys the prefix cache.
    pub identity: String,
    pub template: LlamaChatTemplate,
    /// The model's template uses the ChatML `<tool_call>` layout (`tools`).
    pub tool_support: bool,
    pub n_ctx: u32,
    pub threads: i32,
    pub cache_dir: PathBuf,
    /// llama.cpp may adjust the model while a context is created: never two at once.
    pub creating: std::sync::Mutex<()>,
}

/// Why a generation ended without a finish reason.
enum Stop {
    /// The receiver was dropped.
    Cancelled,
    Failed(String),
}

impl From<String> for Stop {
    fn from(s: String) -> Self {
        Stop::Failed(s)
    }
}

/// Runs one request to its end, sending events to `tx`.
pub fn run(engine: &Engine, request: &ChatRequest, tx: &mpsc::Sender<StreamEvent>) {
    let send = |ev| tx.blocking_send(ev).is_ok();
    if !send(StreamEvent::Model(engine.name.clone())) {
        return;
    }
    match generate(engine, request, tx) {
        Ok(()) | Err(Stop::Cancelled) => {}
        Err(Stop::Failed(msg)) => {
            let _ = send(StreamEvent::Error(Error::Local(msg)));
        }
    }
}

// One generation from prompt to finish reads best in order, in one place.
#[allow(clippy::too_many_lines)]
fn generate(
    engine: &Engine,
    request: &ChatRequest,
    tx: &mpsc::Sender<StreamEvent>,
) -> Result<(), Stop> {
    let model = &engine.model;
    let with_tools = engine.tool_support && !request.tools.is_empty();
    let rendered = if with_tools {
        tools::render(&request.messages, &request.tools)
    } else {
        prompt::render(model, &engine.template, &request.messages)?
    };
    let add_bos = model.vocab().should_add_bos();
    let prefix_tokens = if rendered.prefix.is_empty() {
        Vec::new()
    } else {
        model
            .vocab()
            .tokenize(rendered.prefix.as_bytes(), add_bos, true)
    };
    let rest_tokens = model.vocab().tokenize(
        rendered.rest.as_bytes(),
        add_bos && prefix_tokens.is_empty(),
        true,
    );
    let prompt_len = prefix_tokens.len() + rest_tokens.len();
    let n_ctx = engine.n_ctx as usize;
    if prompt_len + 1 >= n_ctx {
        return Err(Stop::Failed(format!(
            "the prompt is {prompt_len} tokens but the context holds {n_ctx}: \
             shorten the input or raise max_context"
        )));
    }
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(engine.n_ctx))
        .with_n_batch(N_BATCH)
        .with_n_ubatch(N_BATCH)
        .with_n_threads(engine.threads)
        .with_n_threads_batch(engine.threads);
    let backend = crate::server::backend().map_err(Stop::Failed)?;
    let mut ctx = {
        let _one_at_a_time = engine
            .creating
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        model
            .new_context(backend, params)
            .map_err(|e| format!("creating the context: {e}"))?
    };

    let mut n_past = 0usize;
    if !prefix_tokens.is_empty() {
        let path = prompt::cache_file(
            &engine.cache_dir,
            &engine.identity,
            &rendered.prefix,
            engine.n_ctx,
            N_BATCH,
        );
        if load_prefix(&mut ctx, &path, &prefix_tokens, tx) {
            n_past = prefix_tokens.len();
        } else {
            phase(tx, "reading the persona…");
            eval(&mut ctx, &prefix_tokens, 0, false, tx)?;
            n_past = prefix_tokens.len();
            save_prefix(&ctx, &path, &prefix_tokens, tx);
        }
    }
    phase(tx, "thinking…");
    eval(&mut ctx, &rest_tokens, n_past, true, tx)?;
    n_past += rest_tokens.len();
    // llama.cpp adds queued tokens to its counters when it synchronises.
    ctx.synchronize();
    let prompt_eval = u64::try_from(ctx.timings().n_p_eval()).unwrap_or(0);

    let mut sampler = sampler(engine, request)?;
    let max_new = request
        .max_tokens
        .map_or(mitchell::llm::local::DEFAULT_MAX_NEW_TOKENS, |m| m as usize)
        .max(1);
    let mut text = Utf8Stream::default();
    let mut calls = tools::CallScanner::new(&request.tools);
    // Text goes out as it is decoded; with tools, through the call scanner first.
    let emit = |delta: String, calls: &mut tools::CallScanner| -> bool {
        let events = if with_tools {
            calls.push(&delta)
        } else {
            vec![StreamEvent::Text(delta)]
        };
        events.into_iter().all(|e| tx.blocking_send(e).is_ok())
    };
    let mut generated = 0usize;
    let mut batch = LlamaBatch::new(1, 1);
    let finish = loop {
        if tx.is_closed() {
            return Err(Stop::Cancelled);
        }
        let token = sampler.sample(&ctx);
        if model.vocab().is_eog(token) {
            break "stop";
        }
        generated += 1;
        let piece = model.vocab().token_to_piece(token, false, None);
        if let Some(delta) = text.push(&piece)
            && !emit(delta, &mut calls)
        {
            return Err(Stop::Cancelled);
        }
        if generated >= max_new || n_past + 1 >= n_ctx {
            break "length";
        }
        decode_one(&mut ctx, &mut batch, token, n_past)?;
        n_past += 1;
    };
    if let Some(rest) = text.finish() {
        emit(rest, &mut calls);
    }
    for event in calls.finish() {
        let _ = tx.blocking_send(event);
    }
    let finish = if calls.calls() > 0 {
        "tool_calls"
    } else {
        finish
    };
    let usage = Usage {
        prompt_tokens: Some(prompt_len as u64),
        completion_tokens: Some(generated as u64),
        total_tokens: Some((prompt_len + generated) as u64),
        prompt_eval_tokens: Some(prompt_eval),
    };
    let _ = tx.blocking_send(StreamEvent::Usage(usage));
    let _ = tx.blocking_send(StreamEvent::Finish(finish.to_owned()));
    Ok(())
}

fn decode_one(
    ctx: &mut LlamaContext,
    batch: &mut LlamaBatch,
    token: LlamaToken,
    pos: usize,
) -> Result<(), Stop> {
    batch.clear();
    let pos = i32::try_from(pos).map_err(|e| e.to_string())?;
    batch
        .add(token, pos, &[0], true)
        .map_err(|e| e.to_string())?;
    ctx.decode(batch)
        .map_err(|e| Stop::Failed(format!("decode: {e}")))
}

/// Evaluates `tokens` from position `start` in chunks, checking for a cancel between chunks.
fn eval(
    ctx: &mut LlamaContext,
    tokens: &[LlamaToken],
    start: usize,
    logits_last: bool,
    tx: &mpsc::Sender<StreamEvent>,
) -> Result<(), Stop> {
    let mut batch = LlamaBatch::new(PREFILL_CHUNK, 1);
    let mut pos = start;
    let chunks = tokens.chunks(PREFILL_CHUNK);
    let n_chunks = chunks.len();
    for (i, chunk) in chunks.enumerate() {
        if tx.is_closed() {
            return Err(Stop::Cancelled);
        }
        batch.clear();
        for (j, &token) in chunk.iter().enumerate() {
            let last = logits_last && i + 1 == n_chunks && j + 1 == chunk.len();
            let p = i32::try_from(pos).map_err(|e| e.to_string())?;
            batch.add(token, p, &[0], last).map_err(|e| e.to_string())?;
            pos += 1;
        }
        ctx.decode(&mut batch)
            .map_err(|e| Stop::Failed(format!("evaluating the prompt: {e}")))?;
    }
    Ok(())
}

/// Loads a saved prefix; a stale or corrupt file is removed with a notice and reported as a miss.
fn load_prefix(
    ctx: &mut LlamaContext,
    path: &Path,
    tokens: &[LlamaToken],
    tx: &mpsc::Sender<StreamEvent>,
) -> bool {
    if !path.is_file() {
        return false;
    }
    match ctx.state_load_file(path, tokens.len() + 1) {
        Ok(saved) if saved == tokens => return true,
        Ok(_) => notice(
            tx,
            "prompt cache: discarding a stale entry (the prompt changed)",
        ),
        Err(e) => notice(
            tx,
            &format!("prompt cache: discarding an unreadable entry ({e})"),
        ),
    }
    ctx.clear_kv_cache();
    let _ = std::fs::remove_file(path);
    false
}

/// Saves the evaluated prefix atomically; failure is only a notice.
fn save_prefix(
    ctx: &LlamaContext,
    path: &Path,
    tokens: &[LlamaToken],
    tx: &mpsc::Sender<StreamEvent>,
) {
    let Some(dir) = path.parent() else { return };
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let result = std::fs::create_dir_all(dir)
        .map_err(|e| e.to_string())
        .and_then(|()| ctx.state_save_file(&tmp, tokens).map_err(|e| e.to_string()))
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| e.to_string()));
    prompt::prune_cache(dir, prompt::CACHE_ENTRIES);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        notice(
            tx,
            &format!("prompt cache: could not save the persona prefix: {e}"),
        );
    }
}

fn notice(tx: &mpsc::Sender<StreamEvent>, msg: &str) {
    let _ = tx.blocking_send(StreamEvent::Notice(msg.to_owned()));
}

/// The spinner's label for what comes next (`reading the persona…`, `thinking…`).
fn phase(tx: &mpsc::Sender<StreamEvent>, label: &str) {
    let _ = tx.blocking_send(StreamEvent::Phase(label.to_owned()));
}

/// The sampler of one generation: the usual truncation and temperature, and the grammar (a
/// JSON schema's, or the lazy tool-call one) kept apart so it checks one token, not the
/// vocabulary, whenever the free pick already fits (llama.cpp's own common sampler does the
/// same) instead of checking all 151,936 tokens of a Qwen vocabulary at every step.
struct Sampling {
    grammar: Option<LlamaSampler>,
    chain: LlamaSampler,
}

impl Sampling {
    fn sample(&mut self, ctx: &LlamaContext) -> LlamaToken {
        let Some(grammar) = self.grammar.as_mut() else {
            return self.chain.sample(ctx, -1);
        };
        let mut free = ctx.token_data_array_ith(-1);
        self.chain.apply(&mut free);
        let fits = free.selected_token().is_some_and(|picked| {
            let mut one =
                LlamaTokenDataArray::new(vec![LlamaTokenData::new(picked, 1.0, 0.0)], false);
            grammar.apply(&mut one);
            one.data.first().is_some_and(|d| d.logit().is_finite())
        });
        let token = match free.selected_token() {
            Some(picked) if fits => picked,
            _ => {
                let mut all = ctx.token_data_array_ith(-1);
                grammar.apply(&mut all);
                self.chain.apply(&mut all);
                // The chain always ends in a selecting sampler (greedy or dist).
                all.selected_token().unwrap_or(LlamaToken(0))
            }
        };
        grammar.accept(token);
        self.chain.accept(token);
        token
    }
}

/// The grammar (for a JSON schema, or the tools' lazy one) and the sampling chain.
fn sampler(engine: &Engine, request: &ChatRequest) -> Result<Sampling, Stop> {
    let mut grammar = None;
    if let Some(format) = &request.json_schema {
        let gbnf = llama_cpp_2::json_schema_to_grammar(&format.schema.to_string())
            .map_err(|e| format!("turning the JSON schema into a grammar: {e}"))?;
        grammar = Some(
            LlamaSampler::grammar(&engine.model, &gbnf, "root")
                .map_err(|e| format!("loading the grammar: {e}"))?,
        );
    } else if engine.tool_support && !request.tools.is_empty() {
        let gbnf = tools::grammar(&request.tools);
        grammar = Some(
            LlamaSampler::grammar_lazy_patterns(
                &engine.model,
                &gbnf,
                "root",
                &tools::triggers(),
                &[],
            )
            .map_err(|e| format!("loading the tool-call grammar: {e}"))?,
        );
    }
    let mut chain = Vec::new();
    let temperature = request.temperature.unwrap_or(DEFAULT_TEMPERATURE);
    if temperature <= 0.0 {
        chain.push(LlamaSampler::greedy());
    } else {
        // A small model repeats whole paragraphs: the window must be longer than one.
        chain.push(LlamaSampler::penalties(
            engine.model.n_vocab(),
            PENALTY_LAST_N,
            PENALTY_REPEAT,
            0.0,
            0.0,
        ));
        chain.push(LlamaSampler::top_k(40));
        chain.push(LlamaSampler::top_p(0.95, 1));
        chain.push(LlamaSampler::temp(temperature));
        chain.push(LlamaSampler::dist(fastrand::u32(..)));
    }
    Ok(Sampling {
        grammar,
        chain: LlamaSampler::chain_simple(chain),
    })
}

//! Benchmarks of the embedded engine (issue 4), one run each, printed as JSON: model load time,
//! time to first token with the persona prefix cold vs. cached, decode tokens/s, peak RSS.
//! `cargo bench --bench local` (release, llama.cpp included). Environment: MITCHELL_BENCH_MODEL
//! (GGUF path; default: the cached smollm2-135m-instruct), MITCHELL_BENCH_THREADS (default 1),
//! MITCHELL_BENCH_CTX (context cap; default the model's).

// A bench prints its report; token counts and sizes are far below f64's exact range.
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

use std::time::Instant;

use mitchell::cli::ColorChoice;
use mitchell::config::{Env, LocalTarget, Paths};
use mitchell::llm::local;
use mitchell::llm::{ChatRequest, Message, Provider, StreamEvent};
use mitchell::output::Output;

/// A persona prompt of about the compact budget (~500 tokens), as the real personas render.
const PERSONA: &str = include_str!("persona.txt");
const QUESTION: &str = "Write a detailed guide to finding why a Linux web server is slow.";

struct Run {
    ttft_ms: f64,
    decode_tok_s: f64,
    completion: u64,
    prompt: u64,
    prompt_eval: u64,
}

fn run(p: &dyn Provider, rt: &tokio::runtime::Runtime, max_tokens: u32) -> Run {
    let req = ChatRequest {
        messages: vec![Message::system(PERSONA), Message::user(QUESTION)],
        temperature: Some(0.0),
        max_tokens: Some(max_tokens),
        stream: true,
        ..ChatRequest::default()
    };
    rt.block_on(async {
        let start = Instant::now();
        let mut rx = p.stream(req);
        let mut first = None;
        let mut usage = None;
        while let Some(ev) = rx.recv().await {
            match ev {
                StreamEvent::Text(_) if first.is_none() => first = Some(Instant::now()),
                StreamEvent::Usage(u) => usage = Some(u),
                StreamEvent::Error(e) => panic!("{e}"),
                _ => {}
            }
        }
        let end = Instant::now();
        let first = first.expect("a token");
        let u = usage.expect("usage");
        let completion = u.completion_tokens.unwrap_or(0);
        Run {
            ttft_ms: (first - start).as_secs_f64() * 1e3,
            decode_tok_s: completion.saturating_sub(1) as f64 / (end - first).as_secs_f64(),
            completion,
            prompt: u.prompt_tokens.unwrap_or(0),
            prompt_eval: u.prompt_eval_tokens.unwrap_or(0),
        }
    })
}

/// Peak resident memory of process `pid` (`self` or a number), from /proc, in KiB.
fn peak_rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let home = tempfile::tempdir().expect("temp dir");
    let model = std::env::var("MITCHELL_BENCH_MODEL").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{home}/.cache/mitchell/models/smollm2-135m-instruct.gguf")
    });
    let threads = std::env::var("MITCHELL_BENCH_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(1);
    let h = home.path().to_string_lossy().into_owned();
    let paths = Paths::from_env(&Env::from_pairs([("HOME", h.as_str())]));
    let target = LocalTarget {
        model: Some(model.clone()),
        threads: Some(threads),
        max_context: std::env::var("MITCHELL_BENCH_CTX")
            .ok()
            .and_then(|t| t.parse().ok()),
        chat_template: None,
    };
    let mut out = Output::new(ColorChoice::Never, 0, &Env::default());
    let t0 = Instant::now();
    let p = local::open(&target, &paths, &mut out).expect("open the model");
    let load_s = t0.elapsed().as_secs_f64();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let cold = run(&p, &rt, 1);
    let cached = run(&p, &rt, 1);
    let decode = run(&p, &rt, 128);
    println!(
        "{{\"model\": \"{model}\", \"threads\": {threads}, \"load_s\": {load_s:.3}, \
         \"prompt_tokens\": {}, \
         \"ttft_cold_ms\": {:.1}, \"cold_prompt_eval\": {}, \
         \"ttft_cached_ms\": {:.1}, \"cached_prompt_eval\": {}, \"ttft_ratio\": {:.3}, \
         \"decode_tokens\": {}, \"decode_tok_per_s\": {:.2}, \"peak_rss_mib\": {:.1}}}",
        cold.prompt,
        cold.ttft_ms,
        cold.prompt_eval,
        cached.ttft_ms,
        cached.prompt_eval,
        cached.ttft_ms / cold.ttft_ms,
        decode.completion,
        decode.decode_tok_s,
        // The model lives in the engine process; this one only relays its events.
        (peak_rss_kib(&p.engine_pid().to_string()) + peak_rss_kib("self")) as f64 / 1024.0
    );
}

//! The embedded engine through the library API with the real SmolLM2-135M model: streaming,
//! cancellation, schema-constrained JSON, the persona prefix cache (hit, stale/corrupt entry)
//! and chat templates.

// Tests: a failed unwrap is a failed test; sizes here are small. The embedded engine only
// exists with the `local` feature (the default); an HTTP-only build has nothing to test here.
#![cfg(feature = "local")]
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use mitchell::cli::ColorChoice;
use mitchell::config::{Env, LocalTarget, Paths};
use mitchell::llm::local::{self, LocalProvider};
use mitchell::llm::{ChatRequest, JsonSchemaFormat, Message, Provider, StreamEvent, Usage};
use mitchell::output::Output;

const SYSTEM: &str = "You are Mitchell, a calm senior site reliability engineer. You answer \
    questions about servers, networks, Kubernetes, databases and incidents. Be concise, give \
    concrete commands, and say when you are unsure. Prefer safe, reversible steps.";

fn paths(home: &Path) -> Paths {
    let home = home.to_string_lossy().into_owned();
    Paths::from_env(&Env::from_pairs([("HOME", home.as_str())]))
}

fn open(home: &Path, template: Option<&str>, model: Option<&Path>) -> LocalProvider {
    open_with(home, template, model, None)
}

fn open_with(
    home: &Path,
    template: Option<&str>,
    model: Option<&Path>,
    threads: Option<u32>,
) -> LocalProvider {
    let model = model.map_or_else(common::local::model_path, Path::to_path_buf);
    let target = LocalTarget {
        model: Some(model.to_string_lossy().into_owned()),
        threads,
        max_context: Some(2048),
        chat_template: template.map(str::to_owned),
    };
    let mut out = Output::new(ColorChoice::Never, 0, &Env::default());
    local::open(&target, &paths(home), &mut out).expect("open the local model")
}

fn request(user: &str, max_tokens: u32) -> ChatRequest {
    ChatRequest {
        messages: vec![Message::system(SYSTEM), Message::user(user)],
        temperature: Some(0.0),
        max_tokens: Some(max_tokens),
        stream: true,
        ..ChatRequest::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Every event of one request.
fn collect(provider: &LocalProvider, req: ChatRequest) -> Vec<StreamEvent> {
    runtime().block_on(async {
        let mut rx = provider.stream(req);
        let mut events = Vec::new();
        while let Some(ev) = rx.recv().await {
            events.push(ev);
        }
        events
    })
}

fn text_of(events: &[StreamEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

fn usage_of(events: &[StreamEvent]) -> Usage {
    events
        .iter()
        .rev()
        .find_map(|e| match e {
            StreamEvent::Usage(u) => Some(*u),
            _ => None,
        })
        .expect("a usage event")
}

#[test]
fn streams_text_usage_and_finish() {
    let home = tempfile::tempdir().unwrap();
    let p = open(home.path(), None, None);
    assert_eq!(p.name(), "local");
    assert!(
        p.model().starts_with("smollm2-135m-instruct"),
        "{}",
        p.model()
    );
    assert_eq!(p.context_window(), Some(2048));
    let events = collect(
        &p,
        request("How do I see which process listens on port 443?", 40),
    );
    assert_eq!(
        events.first(),
        Some(&StreamEvent::Model(p.model().to_owned()))
    );
    let texts = events
        .iter()
        .filter(|e| matches!(e, StreamEvent::Text(_)))
        .count();
    assert!(
        texts >= 5,
        "expected many text deltas, got {texts}: {events:?}"
    );
    assert!(!text_of(&events).trim().is_empty());
    let usage = usage_of(&events);
    assert!(usage.prompt_tokens.unwrap() > 40);
    let completion = usage.completion_tokens.unwrap();
    assert!((1..=40).contains(&completion), "{usage:?}");
    assert_eq!(
        usage.total_tokens,
        Some(usage.prompt_tokens.unwrap() + completion)
    );
    let finish = events.last().unwrap();
    assert!(
        matches!(finish, StreamEvent::Finish(r) if r == "length" || r == "stop"),
        "{finish:?}"
    );
    if completion == 40 {
        assert_eq!(finish, &StreamEvent::Finish("length".to_owned()));
    }
}

#[test]
fn dropping_the_receiver_stops_generation_within_100ms() {
    let home = tempfile::tempdir().unwrap();
    // One thread: on a loaded 2-core machine, spinning OpenMP barriers make 2 threads erratic.
    let p = open_with(home.path(), None, None, Some(1));
    let rt = runtime();
    let stopped_after = rt.block_on(async {
        let mut rx = p.stream(request(
            "Write a very long guide to Linux performance tuning.",
            4000,
        ));
        let mut seen = 0;
        while let Some(ev) = rx.recv().await {
            if matches!(ev, StreamEvent::Text(_)) {
                seen += 1;
                if seen == 3 {
                    break;
                }
            }
        }
        assert_eq!(seen, 3, "the stream ended before three deltas");
        assert_eq!(p.active_generations(), 1);
        let dropped = Instant::now();
        drop(rx);
        while p.active_generations() > 0 && dropped.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        dropped.elapsed()
    });
    assert_eq!(p.active_generations(), 0, "generation still running");
    assert!(
        stopped_after < Duration::from_millis(100),
        "generation stopped {stopped_after:?} after the cancel"
    );
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Triage {
    service: String,
    severity: Severity,
    steps: Vec<String>,
}

#[derive(Debug, serde::Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Low,
    Medium,
    High,
}

#[test]
fn json_schema_output_validates() {
    let home = tempfile::tempdir().unwrap();
    let p = open(home.path(), None, None);
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "service": {"type": "string", "maxLength": 40},
            "severity": {"type": "string", "enum": ["low", "medium", "high"]},
            "steps": {"type": "array", "items": {"type": "string", "maxLength": 80},
                      "minItems": 1, "maxItems": 3}
        },
        "required": ["service", "severity", "steps"],
        "additionalProperties": false
    });
    let mut req = request(
        "nginx on web-1 returns 502 since the deploy. Triage it as JSON.",
        400,
    );
    req.json_schema = Some(JsonSchemaFormat {
        name: "triage".to_owned(),
        schema,
    });
    let events = collect(&p, req);
    let text = text_of(&events);
    assert_eq!(
        events.last(),
        Some(&StreamEvent::Finish("stop".to_owned())),
        "{text}"
    );
    let triage: Triage = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(!triage.steps.is_empty() && triage.steps.len() <= 3);
    assert!(triage.service.len() <= 40);
    let _ = triage.severity;
}

#[test]
fn persona_prefix_is_cached_and_a_corrupt_entry_is_discarded() {
    let home = tempfile::tempdir().unwrap();
    let p = open(home.path(), None, None);
    let cache_dir = paths(home.path()).prompt_cache_dir();

    let first = usage_of(&collect(&p, request("What does `df -h` show?", 8)));
    assert_eq!(first.prompt_eval_tokens, first.prompt_tokens, "{first:?}");
    let states: Vec<_> = std::fs::read_dir(&cache_dir).unwrap().flatten().collect();
    assert_eq!(states.len(), 1, "one saved prefix");

    // A second provider (a new process in real use) loads the saved prefix.
    let p2 = open(home.path(), None, None);
    let second = usage_of(&collect(&p2, request("What does `free -m` show?", 8)));
    let (evaluated, prompt) = (
        second.prompt_eval_tokens.unwrap(),
        second.prompt_tokens.unwrap(),
    );
    assert!(
        evaluated * 3 < prompt,
        "cache hit should evaluate only the question: {second:?}"
    );

    // A corrupt file: a notice, a full prefill, a fresh entry; never a crash.
    std::fs::write(states[0].path(), b"not a llama state").unwrap();
    let events = collect(&p2, request("What does `uptime` show?", 8));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, StreamEvent::Notice(n) if n.contains("discarding"))),
        "{events:?}"
    );
    let third = usage_of(&events);
    assert_eq!(third.prompt_eval_tokens, third.prompt_tokens);
    assert!(matches!(events.last(), Some(StreamEvent::Finish(_))));
    let fourth = usage_of(&collect(&p2, request("What does `w` show?", 4)));
    assert!(fourth.prompt_eval_tokens.unwrap() * 3 < fourth.prompt_tokens.unwrap());
}

#[test]
fn a_model_without_a_chat_template_needs_chat_template_flag() {
    let home = tempfile::tempdir().unwrap();
    let bare = home.path().join("no-template.gguf");
    common::local::copy_gguf_without_key(
        &common::local::model_path(),
        &bare,
        "tokenizer.chat_template",
    );
    let target = LocalTarget {
        model: Some(bare.to_string_lossy().into_owned()),
        threads: Some(1),
        max_context: Some(512),
        chat_template: None,
    };
    let mut out = Output::new(ColorChoice::Never, 0, &Env::default());
    let Err(err) = local::open(&target, &paths(home.path()), &mut out) else {
        panic!("a model without a template must not open")
    };
    assert_eq!(mitchell::report::exit_status_of(&err).code(), 2);
    let msg = err.to_string();
    assert!(msg.contains("--chat-template NAME"), "{msg}");

    let unknown = LocalTarget {
        chat_template: Some("no-such-template".to_owned()),
        ..target.clone()
    };
    let err = local::open(&unknown, &paths(home.path()), &mut out)
        .err()
        .unwrap();
    assert!(err.to_string().contains("unknown chat template"), "{err}");

    let p = open(home.path(), Some("chatml"), Some(&bare));
    let events = collect(&p, request("Say hello.", 6));
    assert!(!text_of(&events).is_empty(), "{events:?}");
}

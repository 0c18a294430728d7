//! The agent's own overhead per tool step, without the command or the model (target ≤ 2 ms):
//! assembling the streamed tool call into a `Reply`, judging the command line at the gate,
//! capping and scrubbing a 4 KiB result, and serialising the request that carries the growing
//! conversation, over 50 scripted steps. Results go to BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mitchell::llm::{Message, Reply, StreamEvent, ToolCallDelta};
use mitchell::tools::gate::Gate;

const STEPS: usize = 50;

fn fifty_steps(c: &mut Criterion) {
    let gate = Gate::new(&[], &["kubectl delete *".to_owned()]);
    let output = "Filesystem      Size  Used Avail Use% Mounted on\n/dev/vda        252G   29G   63G  32% /\n"
        .repeat(45);
    let tools = mitchell::tools::specs();
    c.bench_function("agent_50_steps", |b| {
        b.iter(|| {
            let mut messages = vec![
                Message::system("You are Mitchell.".repeat(200)),
                Message::user("how full is the root disk here?"),
            ];
            for i in 0..STEPS {
                let mut reply = Reply::default();
                for piece in [
                    r#"{"command":"#,
                    r#""journalctl -u nginx "#,
                    r#"| tail -n 50"}"#,
                ] {
                    reply.apply(&StreamEvent::ToolCall(ToolCallDelta {
                        index: Some(0),
                        id: (piece.starts_with('{')).then(|| format!("call_{i}")),
                        name: Some("run_command".into()),
                        arguments: Some(piece.into()),
                    }));
                }
                reply.apply(&StreamEvent::Finish("tool_calls".into()));
                let calls = reply.tool_calls();
                let line: serde_json::Value =
                    serde_json::from_str(&calls[0].arguments).expect("arguments");
                let judged = gate.judge(line["command"].as_str().unwrap_or_default());
                black_box(&judged);
                let capped = mitchell::tools::cap(&output, 16 * 1024);
                let (clean, _) = mitchell::tools::scrub::scrub(&capped, Some("sk-canary-key"));
                messages.push(Message::assistant_calls("", calls));
                messages.push(Message::tool(format!("call_{i}"), clean));
                let body = serde_json::json!({ "messages": &messages, "tools": tools.len() });
                black_box(body.to_string().len());
            }
        });
    });
}

criterion_group!(benches, fifty_steps);
criterion_main!(benches);

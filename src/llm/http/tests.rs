//! Pure conformance tests of the SSE parser and chunk decoder against the recorded streams in
//! tests/fixtures/streams and their expected.json.
//!
//! The every-offset check: the decoder is a function of the sequence of SSE events, so it is
//! enough that every split point gives the same SSE events as the whole body. The parser holds
//! no state across an event boundary, so each split at offset k is checked by feeding the
//! events around k (from the boundary before k to the boundary after it) as two reads split at
//! k. That is every byte offset of every fixture, in LF, CRLF and CR spellings, deterministic.

use std::path::PathBuf;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::chunk::{ChunkDecoder, Flow};
use super::sse::{SseEvent, SseParser};
use crate::llm::{Error, Reply};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/streams")
}

fn expected() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(fixtures_dir().join("expected.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let map = json["fixtures"].as_object().unwrap();
    assert!(
        map.len() >= 18,
        "expected.json lists {} fixtures",
        map.len()
    );
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(name)).unwrap()
}

fn parse(pieces: &[&[u8]]) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for piece in pieces {
        parser.feed(piece, &mut events).unwrap();
    }
    parser.finish(&mut events).unwrap();
    events
}

/// The whole pipeline: SSE events → decoder → `Reply`, with the end-of-stream rule.
fn assemble(events: &[SseEvent]) -> Reply {
    let mut decoder = ChunkDecoder::new();
    let mut out = Vec::new();
    for event in events {
        if decoder.event(event, &mut out) == Flow::Stop {
            break;
        }
    }
    let mut reply = Reply::default();
    for event in &out {
        reply.apply(event);
    }
    if reply.error.is_none() && !decoder.finished() {
        reply.error = Some(Error::Truncated);
    }
    reply
}

fn check(name: &str, reply: &Reply, want: &Value) {
    assert_eq!(
        reply.text,
        want["content"].as_str().unwrap(),
        "{name}: content"
    );
    assert_eq!(
        reply.reasoning.chars().count() as u64,
        want["reasoning_chars"].as_u64().unwrap(),
        "{name}: reasoning length"
    );
    if let Some(sha) = want["reasoning_sha256"].as_str() {
        assert_eq!(
            hex::encode(Sha256::digest(reply.reasoning.as_bytes())),
            sha,
            "{name}"
        );
    }
    let calls: Vec<Value> = reply
        .tool_calls()
        .into_iter()
        .map(|c| serde_json::json!({"id": c.id, "name": c.name, "arguments": c.arguments}))
        .collect();
    assert_eq!(Value::from(calls), want["tool_calls"], "{name}: tool calls");
    assert_eq!(
        reply.finish_reason.as_deref(),
        want["finish_reason"].as_str(),
        "{name}: finish"
    );
    let usage = reply.usage.map(|u| {
        serde_json::json!({"prompt_tokens": u.prompt_tokens, "completion_tokens": u.completion_tokens, "total_tokens": u.total_tokens})
    });
    assert_eq!(usage.unwrap_or(Value::Null), want["usage"], "{name}: usage");
    match (&reply.error, want["outcome"].as_str().unwrap()) {
        (None, "ok") => {}
        (Some(Error::Stream(message)), "error") => {
            assert_eq!(message, want["error_message"].as_str().unwrap(), "{name}");
        }
        (got, outcome) => panic!("{name}: outcome {outcome} expected, got {got:?}"),
    }
}

fn spellings(body: &[u8]) -> [(Vec<u8>, &'static [u8]); 3] {
    let text = String::from_utf8(body.to_vec()).unwrap();
    [
        (body.to_vec(), b"\n\n"),
        (text.replace('\n', "\r\n").into_bytes(), b"\r\n\r\n"),
        (text.replace('\n', "\r").into_bytes(), b"\r\r"),
    ]
}

#[test]
fn every_fixture_whole_and_in_every_line_ending() {
    for (name, want) in expected() {
        for (body, _) in spellings(&read(&name)) {
            check(&name, &assemble(&parse(&[&body])), &want);
        }
    }
}

#[test]
fn every_fixture_split_at_every_byte_offset() {
    for (name, _) in expected() {
        for (body, end) in spellings(&read(&name)) {
            let mut bounds = vec![0];
            let mut i = 0;
            while let Some(pos) = body[i..].windows(end.len()).position(|w| w == end) {
                i += pos + end.len();
                bounds.push(i);
            }
            bounds.push(body.len());
            for k in 1..body.len() {
                let start = bounds[bounds.partition_point(|&b| b < k) - 1];
                let stop = bounds[bounds.partition_point(|&b| b <= k).min(bounds.len() - 1)];
                let window = &body[start..stop];
                let whole = parse(&[window]);
                let split = parse(&[&body[start..k], &body[k..stop]]);
                assert_eq!(split, whole, "{name}: split at byte {k}");
            }
        }
    }
}

#[test]
fn non_stream_bodies_separate_content_and_reasoning() {
    for (name, text, reasoning, total) in [
        (
            "llamacpp-nonstream-timings.json",
            "Olá!",
            "The user says",
            131,
        ),
        (
            "ollama-nonstream-json-schema-reasoning.json",
            "{ \"city\"",
            "Okay, the user",
            151,
        ),
    ] {
        let mut decoder = ChunkDecoder::new();
        let mut out = Vec::new();
        decoder.json(std::str::from_utf8(&read(name)).unwrap(), false, &mut out);
        let mut reply = Reply::default();
        for event in &out {
            reply.apply(event);
        }
        assert!(reply.text.starts_with(text), "{name}: {}", reply.text);
        assert!(reply.reasoning.starts_with(reasoning), "{name}");
        assert_eq!(reply.usage.and_then(|u| u.total_tokens), Some(total));
        assert_eq!(reply.finish_reason.as_deref(), Some("stop"));
    }
}

#[test]
fn transport_variants_of_protocol_section_12() {
    let body = String::from_utf8(read("openai-text-usage.sse")).unwrap();
    let want = &expected()
        .into_iter()
        .find(|(n, _)| n == "openai-text-usage.sse")
        .unwrap()
        .1;
    let no_space = body.replace("data: ", "data:");
    check("no space", &assemble(&parse(&[no_space.as_bytes()])), want);
    let noisy = body.replace("\n\n", "\n\n: keep-alive\n\ndata:\n\n");
    check("keep-alive", &assemble(&parse(&[noisy.as_bytes()])), want);
    let no_done = body.replace("data: [DONE]\n\n", "");
    check(
        "no [DONE] after finish",
        &assemble(&parse(&[no_done.as_bytes()])),
        want,
    );
    let first_event = &body[..body.find("\n\n").unwrap() + 2];
    assert_eq!(
        assemble(&parse(&[first_event.as_bytes()])).error,
        Some(Error::Truncated)
    );
    let legacy = format!(
        "{first_event}error: {{\"code\":500,\"message\":\"slot unavailable\"}}\n\ndata: [DONE]\n\n"
    );
    let reply = assemble(&parse(&[legacy.as_bytes()]));
    assert_eq!(reply.error, Some(Error::Stream("slot unavailable".into())));
    let plain_error = r#"{"error":{"message":"upstream failed","type":"server_error"}}"#;
    let mut out = Vec::new();
    ChunkDecoder::new().json(plain_error, false, &mut out);
    assert!(out.contains(&crate::llm::StreamEvent::Error(Error::Stream(
        "upstream failed".into()
    ))));
}

//! Chat-completion chunks (and whole non-stream responses) → `StreamEvent`s: deltas, reasoning,
//! tool calls, usage, finish reasons and in-stream errors. Pure: no I/O. Every field is optional and unknown fields are ignored;
//! `serde_json::Value` is used only where the protocol itself is loose (`content`, `error`).

use serde::Deserialize;
use serde_json::Value;

use super::errors;
use super::sse::SseEvent;
use crate::llm::{Error, StreamEvent, ToolCallDelta, Usage};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Chunk {
    model: Option<String>,
    choices: Option<Vec<Choice>>,
    usage: Option<Usage>,
    error: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Choice {
    index: Option<u64>,
    /// Streams carry `delta`; whole responses carry `message` with the same fields.
    delta: Option<Delta>,
    message: Option<Delta>,
    finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Delta {
    content: Option<Value>,
    refusal: Option<String>,
    reasoning_content: Option<String>,
    reasoning: Option<String>,
    tool_calls: Option<Vec<WireToolCall>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireToolCall {
    index: Option<u32>,
    id: Option<String>,
    function: Option<WireFunction>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireFunction {
    name: Option<String>,
    arguments: Option<String>,
}

/// Whether the stream goes on after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `[DONE]` or an error: stop reading.
    Stop,
}

/// Turns SSE events into `StreamEvent`s and remembers what the stream has said so far.
#[derive(Debug, Default)]
pub struct ChunkDecoder {
    model_seen: bool,
    finish: Option<String>,
    /// `[DONE]` arrived.
    pub done: bool,
}

impl ChunkDecoder {
    pub fn new() -> Self {
        ChunkDecoder::default()
    }

    /// A finish reason (or `[DONE]`) was seen: ending the stream now is not a truncation.
    pub fn finished(&self) -> bool {
        self.finish.is_some() || self.done
    }

    /// Decodes one SSE event.
    pub fn event(&mut self, event: &SseEvent, out: &mut Vec<StreamEvent>) -> Flow {
        if let Some(raw) = &event.error {
            out.push(StreamEvent::Error(Error::Stream(
                errors::in_stream_message(raw),
            )));
            return Flow::Stop;
        }
        let data = event.data.trim();
        if data.is_empty() {
            return Flow::Continue;
        }
        if data == "[DONE]" {
            self.done = true;
            if self.finish.is_none() {
                // A stream that says it is done without a finish reason ended normally.
                self.finish = Some("stop".to_owned());
                out.push(StreamEvent::Finish("stop".to_owned()));
            }
            return Flow::Stop;
        }
        if event.event == "error" && serde_json::from_str::<Value>(data).is_err() {
            out.push(StreamEvent::Error(Error::Stream(data.to_owned())));
            return Flow::Stop;
        }
        self.json(data, event.event == "error", out)
    }

    /// Decodes one JSON body: a chunk, a whole response, or an error object.
    pub fn json(&mut self, data: &str, is_error_event: bool, out: &mut Vec<StreamEvent>) -> Flow {
        let Ok(chunk) = serde_json::from_str::<Chunk>(data) else {
            let raw: String = data.chars().take(200).collect();
            out.push(StreamEvent::Error(Error::Stream(format!(
                "malformed event from the server: {raw}"
            ))));
            return Flow::Stop;
        };
        if let Some(usage) = chunk.usage {
            out.push(StreamEvent::Usage(usage));
        }
        let error = chunk.error.as_ref().filter(|e| !e.is_null());
        if is_error_event || error.is_some() {
            let message = error.map_or_else(
                || "the server reported an error".to_owned(),
                errors::message_of_error_value,
            );
            out.push(StreamEvent::Error(Error::Stream(message)));
            return Flow::Stop;
        }
        if !self.model_seen
            && let Some(model) = chunk.model.filter(|m| !m.is_empty())
        {
            self.model_seen = true;
            out.push(StreamEvent::Model(model));
        }
        for choice in chunk.choices.unwrap_or_default() {
            if choice.index.is_some_and(|i| i != 0) {
                continue;
            }
            if let Some(delta) = choice.delta.or(choice.message) {
                decode_delta(delta, out);
            }
            if let Some(reason) = choice.finish_reason.filter(|r| !r.is_empty())
                && self.finish.as_deref() != Some(reason.as_str())
            {
                self.finish = Some(reason.clone());
                out.push(StreamEvent::Finish(reason));
            }
        }
        Flow::Continue
    }
}

fn decode_delta(delta: Delta, out: &mut Vec<StreamEvent>) {
    let reasoning = delta
        .reasoning_content
        .filter(|r| !r.is_empty())
        .or(delta.reasoning)
        .filter(|r| !r.is_empty());
    if let Some(reasoning) = reasoning {
        out.push(StreamEvent::Reasoning(reasoning));
    }
    match delta.content {
        Some(Value::String(text)) if !text.is_empty() => out.push(StreamEvent::Text(text)),
        Some(Value::Array(parts)) => parts.iter().for_each(|part| decode_part(part, out)),
        _ => {}
    }
    if let Some(refusal) = delta.refusal.filter(|r| !r.is_empty()) {
        out.push(StreamEvent::Text(refusal));
    }
    for call in delta.tool_calls.unwrap_or_default() {
        let function = call.function.unwrap_or_default();
        out.push(StreamEvent::ToolCall(ToolCallDelta {
            index: call.index,
            id: call.id,
            name: function.name,
            arguments: function.arguments,
        }));
    }
}

/// A typed content part: `text` parts are answer, `thinking` parts are reasoning (Mistral).
fn decode_part(part: &Value, out: &mut Vec<StreamEvent>) {
    match part.get("type").and_then(Value::as_str) {
        Some("text") => {
            if let Some(text) = part
                .get("text")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
            {
                out.push(StreamEvent::Text(text.to_owned()));
            }
        }
        Some("thinking") => {
            let text = text_of_parts(part.get("thinking"));
            if !text.is_empty() {
                out.push(StreamEvent::Reasoning(text));
            }
        }
        _ => {}
    }
}

fn text_of_parts(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    }
}

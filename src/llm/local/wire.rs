//! The protocol between `mitchell` and its engine process, `mitchell-engine`: one JSON object
//! per line on the engine's stdin and stdout (its stderr is the user's, for llama.cpp's logs at
//! `-vv`). The first line down is a `Load`; the engine answers `Loaded` or `LoadFailed`. Then
//! any number of `Generate`s, each answered by its `Event`s and, once its thread has stopped,
//! `Done`. A `Cancel` stops a generation before its next token. End of file on stdin stops the
//! engine.
//!
//! The types are plain data and `serde`, shared by both ends, and know nothing of llama.cpp:
//! the `mitchell` binary links none of the engine.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::llm::{ChatRequest, StreamEvent};

/// What to load, resolved by `mitchell` (the model cache and paths are its business).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Load {
    pub path: PathBuf,
    /// The display name (`qwen2.5-coder-1.5b-instruct`).
    pub name: String,
    /// The model's sha256 (store) or path, size and mtime: keys the prefix cache.
    pub identity: String,
    pub chat_template: Option<String>,
    pub max_context: Option<u32>,
    pub threads: u32,
    pub cache_dir: PathBuf,
    /// The user's `-v` count: the engine logs as `mitchell` does (`MITCHELL_LOG` is inherited).
    pub verbose: u8,
    /// Whether the engine's log lines may carry colour (stderr is a colour terminal).
    pub log_color: bool,
}

/// `mitchell` → engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToEngine {
    Load(Load),
    Generate { id: u64, request: ChatRequest },
    Cancel { id: u64 },
}

/// Engine → `mitchell`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromEngine {
    /// The model is loaded: the context it runs with and whether its template takes tools.
    Loaded {
        n_ctx: u32,
        tool_support: bool,
    },
    /// Loading failed; `usage` marks the user's input as the cause (a bad `--chat-template`).
    LoadFailed {
        message: String,
        usage: bool,
    },
    Event {
        id: u64,
        event: StreamEvent,
    },
    /// Generation `id` has stopped computing; nothing more comes for it.
    Done {
        id: u64,
    },
}

/// Writes one message as a line and flushes it.
pub fn send<T: Serialize>(to: &mut impl Write, message: &T) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(message).map_err(std::io::Error::other)?;
    line.push(b'\n');
    to.write_all(&line)?;
    to.flush()
}

/// Reads the next message; `None` at end of file.
pub fn receive<T: for<'de> Deserialize<'de>>(
    from: &mut impl BufRead,
) -> std::io::Result<Option<T>> {
    let mut line = String::new();
    if from.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    serde_json::from_str(&line)
        .map(Some)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{Message, ToolCallDelta, ToolSpec, Usage};

    fn round_trip<T>(message: &T) -> T
    where
        T: Serialize + for<'de> Deserialize<'de>,
    {
        let mut bytes = Vec::new();
        send(&mut bytes, message).unwrap();
        assert_eq!(bytes.last(), Some(&b'\n'), "ends a line");
        assert!(!bytes[..bytes.len() - 1].contains(&b'\n'), "one line");
        receive(&mut bytes.as_slice()).unwrap().unwrap()
    }

    #[test]
    fn every_message_survives_a_line() {
        let request = ChatRequest {
            messages: vec![Message::system("be\nbrief"), Message::user("disk?")],
            temperature: Some(0.2),
            max_tokens: Some(9),
            tools: vec![ToolSpec {
                name: "df".into(),
                description: "disk usage".into(),
                parameters: serde_json::json!({"type": "object"}),
            }],
            ..ChatRequest::default()
        };
        let down = ToEngine::Generate { id: 3, request };
        assert_eq!(round_trip(&down), down);
        let events = [
            StreamEvent::Text("a\nb".into()),
            StreamEvent::ToolCall(ToolCallDelta {
                index: Some(0),
                id: Some("call_0".into()),
                name: Some("df".into()),
                arguments: Some("{}".into()),
            }),
            StreamEvent::Usage(Usage {
                prompt_tokens: Some(5),
                prompt_eval_tokens: Some(2),
                ..Usage::default()
            }),
            StreamEvent::Finish("stop".into()),
            StreamEvent::Error(crate::llm::Error::Local("decode failed".into())),
        ];
        for event in events {
            let up = FromEngine::Event { id: 3, event };
            assert_eq!(round_trip(&up), up);
        }
    }

    #[test]
    fn a_torn_line_is_invalid_data_and_the_end_is_none() {
        let err = receive::<FromEngine>(&mut &b"{\"type\":\"do"[..]).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(receive::<FromEngine>(&mut &b""[..]).unwrap().is_none());
    }
}

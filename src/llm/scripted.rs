//! `ScriptedProvider`, the test double of `Provider`: each request is answered by the next
//! scripted list of events, and every request is kept so a test can look at what was sent
//! (the tools offered, the tool results fed back). In-process tests of turns, tools and limits
//! use it; the binary's tests use a real loopback HTTP server instead.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::mpsc;

use super::{ChatRequest, Provider, StreamEvent, ToolCallDelta};

/// Answers requests from a script.
#[derive(Default)]
pub struct ScriptedProvider {
    script: Mutex<VecDeque<Vec<StreamEvent>>>,
    requests: Mutex<Vec<ChatRequest>>,
}

impl ScriptedProvider {
    /// A provider that answers the i-th request with `replies[i]`; past the end, a stream that
    /// closes without a finish (a truncated stream).
    pub fn new(replies: Vec<Vec<StreamEvent>>) -> Self {
        ScriptedProvider {
            script: Mutex::new(replies.into()),
            requests: Mutex::new(Vec::new()),
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<ChatRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// A reply of plain text that finishes with `stop`.
pub fn text(answer: &str) -> Vec<StreamEvent> {
    vec![
        StreamEvent::Text(answer.to_owned()),
        StreamEvent::Finish("stop".to_owned()),
    ]
}

/// A reply that calls one tool and finishes with `tool_calls`.
pub fn call(id: &str, name: &str, arguments: &str) -> Vec<StreamEvent> {
    vec![
        StreamEvent::ToolCall(ToolCallDelta {
            index: Some(0),
            id: Some(id.to_owned()),
            name: Some(name.to_owned()),
            arguments: Some(arguments.to_owned()),
        }),
        StreamEvent::Finish("tool_calls".to_owned()),
    ]
}

impl Provider for ScriptedProvider {
    fn name(&self) -> &'static str {
        "scripted"
    }
    fn model(&self) -> &'static str {
        "script"
    }
    fn stream(&self, request: ChatRequest) -> mpsc::Receiver<StreamEvent> {
        if let Ok(mut r) = self.requests.lock() {
            r.push(request);
        }
        let events = self
            .script
            .lock()
            .ok()
            .and_then(|mut s| s.pop_front())
            .unwrap_or_default();
        let (tx, rx) = mpsc::channel(events.len().max(1));
        for event in events {
            // The channel holds every event of the script.
            let _ = tx.try_send(event);
        }
        rx
    }
}

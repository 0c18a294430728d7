//! Tools on the embedded model, for chat templates in the ChatML + `<tool_call>` layout that
//! Qwen2.5 (and Hermes-style) models are trained on: the prompt with the tool signatures in the
//! system message, earlier calls as `<tool_call>{json}</tool_call>` and results as
//! `<tool_response>` blocks (`render`); a lazy grammar that makes any tool call valid JSON for
//! one of the offered tools (`grammar`, triggered by `<tool_call>`); and `CallScanner`, which
//! turns the model's output back into text and tool-call events. Pure.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::prompt::Rendered;
use mitchell::llm::{Message, Role, StreamEvent, ToolCallDelta, ToolSpec};

const OPEN: &str = "<tool_call>";
const CLOSE: &str = "</tool_call>";
/// Small models often write the call differently: in a ```json fence, inside `<tools>` (the
/// prompt's own tag), or as a bare JSON object. Accepted at the start of a reply only (later, a
/// JSON block is an answer's example). (opening, closing; empty: the JSON object's own end)
const LEADS: [(&str, &str); 3] = [("```json", "```"), ("<tools>", "</tools>"), ("{", "")];

/// When the lazy grammar starts: at `<tool_call>`, or at a reply that opens with one of the
/// other leads.
pub fn triggers() -> Vec<String> {
    vec![
        r"[\s\S]*?(<tool_call>[\s\S]*)".to_owned(),
        r"\s*(```json[\s\S]*)".to_owned(),
        r"\s*(<tools>[\s\S]*)".to_owned(),
        r"\s*(\{[\s\S]*)".to_owned(),
    ]
}

/// True when the model's own chat template uses this layout.
pub fn supported(template: &str) -> bool {
    template.contains("<|im_start|>") && template.contains(OPEN)
}

/// The prompt for `messages` with `tools` offered; the system block is the cacheable prefix.
pub fn render(messages: &[Message], tools: &[ToolSpec]) -> Rendered {
    let mut prefix = String::new();
    let mut rest = String::new();
    let (system, conversation) = match messages.first() {
        Some(first) if first.role == Role::System => (first.content.as_str(), &messages[1..]),
        _ => ("", messages),
    };
    let _ = write!(
        prefix,
        "<|im_start|>system\n{system}\n\n# Tools\n\nYou may call one or more functions to assist \
         with the user query.\n\nYou are provided with function signatures within \
         <tools></tools> XML tags:\n<tools>"
    );
    for tool in tools {
        let signature = json!({"type": "function", "function": {
            "name": tool.name, "description": tool.description, "parameters": tool.parameters}});
        let _ = write!(prefix, "\n{signature}");
    }
    prefix.push_str(
        "\n</tools>\n\nFor each function call, return a json object with function name and \
         arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": \
         <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n",
    );
    let mut in_responses = false;
    for m in conversation {
        if m.role != Role::Tool && in_responses {
            rest.push_str("<|im_end|>\n");
            in_responses = false;
        }
        match m.role {
            Role::Tool => {
                if !in_responses {
                    rest.push_str("<|im_start|>user");
                    in_responses = true;
                }
                let _ = write!(rest, "\n<tool_response>\n{}\n</tool_response>", m.content);
            }
            Role::Assistant => {
                rest.push_str("<|im_start|>assistant\n");
                rest.push_str(&m.content);
                for call in &m.tool_calls {
                    let arguments: Value =
                        serde_json::from_str(&call.arguments).unwrap_or_else(|_| json!({}));
                    let body = json!({"name": call.name, "arguments": arguments});
                    if !rest.ends_with('\n') {
                        rest.push('\n');
                    }
                    let _ = write!(rest, "{OPEN}\n{body}\n{CLOSE}");
                }
                rest.push_str("<|im_end|>\n");
            }
            Role::User | Role::System => {
                let role = if m.role == Role::User {
                    "user"
                } else {
                    "system"
                };
                let _ = write!(rest, "<|im_start|>{role}\n{}<|im_end|>\n", m.content);
            }
        }
    }
    if in_responses {
        rest.push_str("<|im_end|>\n");
    }
    rest.push_str("<|im_start|>assistant\n");
    Rendered { prefix, rest }
}

/// A GBNF grammar, applied once a trigger matches: one call to one of `tools` (tagged, or in
/// a ```json fence), its arguments an object of the declared string properties (other
/// schemas: any object).
pub fn grammar(tools: &[ToolSpec]) -> String {
    let mut calls = Vec::new();
    for tool in tools {
        let name = serde_json::to_string(&tool.name).unwrap_or_default();
        let props: Vec<String> = tool.parameters["properties"]
            .as_object()
            .map(|p| {
                p.iter()
                    .filter(|(_, v)| v["type"] == "string")
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        let all_strings = tool.parameters["properties"]
            .as_object()
            .is_some_and(|p| p.len() == props.len() && !props.is_empty());
        let arguments = if all_strings {
            let fields: Vec<String> = props
                .iter()
                .map(|k| {
                    let key = serde_json::to_string(k).unwrap_or_default();
                    format!("{} ws \":\" ws string", gbnf_literal(&key))
                })
                .collect();
            format!("\"{{\" ws {} ws \"}}\"", fields.join(" ws \",\" ws "))
        } else {
            "object".to_owned()
        };
        calls.push(format!(
            "\"{{\" ws \"\\\"name\\\"\" ws \":\" ws {} ws \",\" ws \"\\\"arguments\\\"\" ws \":\" ws {arguments} ws \"}}\"",
            gbnf_literal(&name)
        ));
    }
    format!(
        "root ::= \"{OPEN}\" ws call ws \"{CLOSE}\" | \"```json\" ws call ws \"```\" | \"<tools>\" ws call ws \"</tools>\" | call\n\
         call ::= {}\n\
         ws ::= [ \\t\\n]*\n\
         string ::= \"\\\"\" char* \"\\\"\"\n\
         char ::= [^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F])\n\
         object ::= \"{{\" ws ( string ws \":\" ws value ( ws \",\" ws string ws \":\" ws value )* )? ws \"}}\"\n\
         array ::= \"[\" ws ( value ( ws \",\" ws value )* )? ws \"]\"\n\
         value ::= object | array | string | number | \"true\" | \"false\" | \"null\"\n\
         number ::= \"-\"? [0-9]+ (\".\" [0-9]+)?\n",
        calls.join(" | ")
    )
}

/// A GBNF string literal for `text`.
fn gbnf_literal(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// What a reply that opened with a lead turned out to be.
enum Fenced {
    Wait,
    Call(StreamEvent, usize),
    Text,
}

/// Splits the model's output into text and tool calls as it streams. Text that might be the
/// start of `<tool_call>` is held back until it is clearly not.
#[derive(Debug, Default)]
pub struct CallScanner {
    pending: String,
    in_call: bool,
    /// Inside one of `LEADS` that opened the reply.
    in_fence: Option<usize>,
    /// Text was already emitted (only a ```json block naming an offered tool is a call now).
    started: bool,
    calls: u32,
    /// The offered tools' names.
    names: Vec<String>,
}

impl CallScanner {
    /// A scanner for a reply that may call `tools`.
    pub fn new(tools: &[ToolSpec]) -> Self {
        CallScanner {
            names: tools.iter().map(|t| t.name.clone()).collect(),
            ..CallScanner::default()
        }
    }

    /// Feeds a piece of output; returns the events it completes.
    pub fn push(&mut self, piece: &str) -> Vec<StreamEvent> {
        self.pending.push_str(piece);
        let mut events = Vec::new();
        if !self.started && !self.in_call && self.in_fence.is_none() {
            let lead = self.pending.trim_start();
            if let Some(i) = LEADS.iter().position(|(open, _)| lead.starts_with(open)) {
                self.in_fence = Some(i);
            } else if lead.is_empty() || LEADS.iter().any(|(open, _)| open.starts_with(lead)) {
                return events;
            }
        }
        if let Some(i) = self.in_fence {
            match self.fenced(i, false) {
                Fenced::Wait => return events,
                Fenced::Call(call, consumed) => {
                    self.pending.drain(..consumed);
                    events.push(call);
                }
                Fenced::Text => self.started = true,
            }
            self.in_fence = None;
        }
        loop {
            if self.in_call {
                let Some(end) = self.pending.find(CLOSE) else {
                    break;
                };
                let body = self.pending[..end].trim().to_owned();
                self.pending.drain(..end + CLOSE.len());
                self.in_call = false;
                events.push(self.call(&body));
            } else if let Some(start) = self
                .pending
                .find(LEADS[0].0)
                .filter(|&f| self.pending.find(OPEN).is_none_or(|t| f < t))
            {
                // A ```json block later in the reply: a call only when it names an offered tool.
                let text = self.pending[..start].to_owned();
                let body_at = start + LEADS[0].0.len();
                let Some(end) = self.pending[body_at..].find(LEADS[0].1) else {
                    if !text.is_empty() {
                        self.started = true;
                        events.push(StreamEvent::Text(text));
                        self.pending.drain(..start);
                    }
                    break;
                };
                let body = self.pending[body_at..body_at + end].trim().to_owned();
                let consumed = body_at + end + LEADS[0].1.len();
                let known = serde_json::from_str::<Value>(&body).ok().is_some_and(|v| {
                    v["arguments"].is_object()
                        && v["name"]
                            .as_str()
                            .is_some_and(|n| self.names.iter().any(|t| t == n))
                });
                if !text.is_empty() {
                    self.started = true;
                    events.push(StreamEvent::Text(text));
                }
                if known {
                    events.push(self.call(&body));
                } else {
                    self.started = true;
                    events.push(StreamEvent::Text(self.pending[start..consumed].to_owned()));
                }
                self.pending.drain(..consumed);
            } else if let Some(start) = self.pending.find(OPEN) {
                let text = self.pending[..start].to_owned();
                if !text.is_empty() && (self.started || !text.trim().is_empty()) {
                    self.started = true;
                    events.push(StreamEvent::Text(text));
                }
                self.pending.drain(..start + OPEN.len());
                self.in_call = true;
            } else {
                // Keep back a tail that could still become `<tool_call>`.
                let keep = (1..OPEN.len())
                    .rev()
                    .find(|&n| {
                        self.pending.len() >= n
                            && self.pending.is_char_boundary(self.pending.len() - n)
                            && [OPEN, LEADS[0].0]
                                .iter()
                                .any(|o| o.starts_with(&self.pending[self.pending.len() - n..]))
                    })
                    .unwrap_or(0);
                let cut = self.pending.len() - keep;
                if cut > 0 {
                    self.started = true;
                    events.push(StreamEvent::Text(self.pending[..cut].to_owned()));
                    self.pending.drain(..cut);
                }
                break;
            }
        }
        events
    }

    /// What is left when generation ends (an unclosed call is parsed as far as it goes).
    pub fn finish(&mut self) -> Vec<StreamEvent> {
        let rest = std::mem::take(&mut self.pending);
        if self.in_call {
            self.in_call = false;
            return vec![self.call(rest.trim())];
        }
        if let Some(i) = self.in_fence.take() {
            self.pending = rest;
            if let Fenced::Call(call, _) = self.fenced(i, true) {
                return vec![call];
            }
            let rest = std::mem::take(&mut self.pending);
            return vec![StreamEvent::Text(rest)];
        }
        if rest.is_empty() {
            Vec::new()
        } else {
            vec![StreamEvent::Text(rest)]
        }
    }

    /// How many calls were made.
    pub fn calls(&self) -> u32 {
        self.calls
    }

    /// A reply that opened with `LEADS[i]`: a complete call (and the bytes it took), not yet
    /// known, or plain text after all. At the end of output an unclosed lead is judged as is.
    fn fenced(&mut self, i: usize, at_end: bool) -> Fenced {
        let (open, close) = LEADS[i];
        let skipped = self.pending.len() - self.pending.trim_start().len();
        let lead = &self.pending[skipped..];
        let body_start = if close.is_empty() { 0 } else { open.len() };
        let after = &lead[body_start..];
        let (body, consumed) = if close.is_empty() {
            let mut values = serde_json::Deserializer::from_str(after).into_iter::<Value>();
            match values.next() {
                Some(Ok(_)) => {
                    let n = values.byte_offset();
                    (after[..n].to_owned(), skipped + n)
                }
                Some(Err(e)) if e.is_eof() && !at_end => return Fenced::Wait,
                _ => return Fenced::Text,
            }
        } else {
            match after.find(close) {
                Some(end) => (
                    after[..end].trim().to_owned(),
                    skipped + body_start + end + close.len(),
                ),
                None if at_end => (after.trim().to_owned(), self.pending.len()),
                None => return Fenced::Wait,
            }
        };
        match self.parse(&body) {
            Some(call) => Fenced::Call(call, consumed),
            None => Fenced::Text,
        }
    }

    /// A call when `body` is a JSON object naming a tool; `None` otherwise.
    fn parse(&mut self, body: &str) -> Option<StreamEvent> {
        let parsed: Value = serde_json::from_str(body).ok()?;
        parsed["name"].as_str().filter(|n| !n.is_empty())?;
        Some(self.call(body))
    }

    fn call(&mut self, body: &str) -> StreamEvent {
        let index = self.calls;
        self.calls += 1;
        let parsed: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let name = parsed["name"].as_str().unwrap_or("").to_owned();
        let arguments = match &parsed["arguments"] {
            Value::Null => "{}".to_owned(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        StreamEvent::ToolCall(ToolCallDelta {
            index: Some(index),
            // Unique within a turn: every step has its own scanner.
            id: Some(format!("call_{:08x}{index}", fastrand::u32(..))),
            name: Some(name),
            arguments: Some(arguments),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitchell::llm::{ToolCall, ToolSpec};

    /// The agent's tool names with one string parameter each, as the agent offers them.
    fn specs() -> Vec<ToolSpec> {
        [
            ("run_command", "command"),
            ("read_file", "path"),
            ("http_get", "url"),
        ]
        .into_iter()
        .map(|(name, param)| ToolSpec {
            name: name.to_owned(),
            description: format!("The {name} tool."),
            parameters: serde_json::json!({
                "type": "object",
                "properties": { param: { "type": "string" } },
                "required": [param],
            }),
        })
        .collect()
    }

    /// Feeds `pieces` to `s` in order and finishes it.
    fn scan(s: &mut CallScanner, pieces: &[&str]) -> Vec<StreamEvent> {
        let mut events: Vec<StreamEvent> = pieces.iter().flat_map(|p| s.push(p)).collect();
        events.extend(s.finish());
        events
    }

    fn texts(events: &[StreamEvent]) -> String {
        events
            .iter()
            .map(|e| match e {
                StreamEvent::Text(t) => t.clone(),
                StreamEvent::ToolCall(c) => format!(
                    "[{}:{}]",
                    c.name.as_deref().unwrap_or(""),
                    c.arguments.as_deref().unwrap_or("")
                ),
                _ => String::new(),
            })
            .collect()
    }

    /// Feeds `output` in two pieces, split at every character boundary, to a fresh scanner from
    /// `new`, and checks that the events read as `want` and that the scanner counted one call
    /// per call in `want`.
    fn at_every_split(new: impl Fn() -> CallScanner, output: &str, want: &str) {
        for split in (1..output.len()).filter(|&i| output.is_char_boundary(i)) {
            let mut s = new();
            let events = scan(&mut s, &[&output[..split], &output[split..]]);
            assert_eq!(texts(&events), want, "{output:?} split at {split}");
            assert_eq!(
                u64::from(s.calls()),
                want.matches("[run_command:").count() as u64,
                "split at {split}"
            );
        }
    }

    #[test]
    fn a_call_split_anywhere_is_found_and_text_around_it_kept() {
        let output = "Let me check.\n<tool_call>\n{\"name\": \"run_command\", \"arguments\": {\"command\": \"df -h /\"}}\n</tool_call>";
        at_every_split(
            CallScanner::default,
            output,
            "Let me check.\n[run_command:{\"command\":\"df -h /\"}]",
        );
        let mut plain = CallScanner::default();
        let mut events = plain.push("a < b and <tool");
        events.extend(plain.finish());
        assert_eq!(texts(&events), "a < b and <tool");
    }

    #[test]
    fn a_later_json_block_naming_an_offered_tool_is_a_call() {
        let output = "To check, run df:\n\n```json\n{\"name\": \"run_command\", \"arguments\": {\"command\": \"df -h /\"}}\n```\n";
        at_every_split(
            || CallScanner::new(&specs()),
            output,
            "To check, run df:\n\n[run_command:{\"command\":\"df -h /\"}]\n",
        );
    }

    #[test]
    fn a_reply_that_opens_with_tools_tags_or_bare_json_naming_a_tool_is_a_call() {
        for output in [
            "<tools>\n{\"name\": \"run_command\", \"arguments\": {\"command\": \"df -h /\"}}\n</tools>",
            "{\"name\": \"run_command\", \"arguments\": {\"command\": \"df -h /\"}}",
        ] {
            at_every_split(
                CallScanner::default,
                output,
                "[run_command:{\"command\":\"df -h /\"}]",
            );
        }
        let mut s = CallScanner::default();
        let mut events = s.push("{\"region\": \"eu\"} is the config");
        events.extend(s.finish());
        assert_eq!(texts(&events), "{\"region\": \"eu\"} is the config");
    }

    #[test]
    fn a_reply_that_opens_with_a_json_fence_naming_a_tool_is_a_call() {
        let output =
            "```json\n{\"name\": \"run_command\", \"arguments\": {\"command\": \"df -h /\"}}\n```";
        at_every_split(
            CallScanner::default,
            output,
            "[run_command:{\"command\":\"df -h /\"}]",
        );
        let example = "Use this policy:\n```json\n{\"name\": \"x\"}\n```";
        let mut s = CallScanner::new(&specs());
        let mut events = s.push(example);
        events.extend(s.finish());
        assert_eq!(texts(&events), example, "a later JSON block is text");
        let mut s = CallScanner::default();
        let mut events = s.push("```json\n{\"region\": \"eu\"}\n```\nok");
        events.extend(s.finish());
        assert_eq!(texts(&events), "```json\n{\"region\": \"eu\"}\n```\nok");
    }

    #[test]
    fn the_prompt_carries_signatures_calls_and_responses() {
        let tools = specs();
        let messages = vec![
            Message::system("You are Mitchell."),
            Message::user("disk?"),
            Message::assistant_calls(
                "",
                vec![ToolCall {
                    id: "call_0".into(),
                    name: "run_command".into(),
                    arguments: "{\"command\":\"df -h /\"}".into(),
                }],
            ),
            Message::tool("call_0", "Filesystem Size\n/dev/vda 252G"),
        ];
        let r = render(&messages, &tools);
        assert!(
            r.prefix
                .starts_with("<|im_start|>system\nYou are Mitchell.\n\n# Tools")
        );
        assert!(r.prefix.contains("\"name\":\"http_get\""));
        assert!(r.rest.contains("<tool_call>\n{\"arguments\":{\"command\":\"df -h /\"},\"name\":\"run_command\"}\n</tool_call><|im_end|>"));
        assert!(r.rest.contains("<|im_start|>user\n<tool_response>\nFilesystem Size\n/dev/vda 252G\n</tool_response><|im_end|>\n"));
        assert!(r.rest.ends_with("<|im_start|>assistant\n"));
        let g = grammar(&tools);
        assert!(g.contains("\"\\\"run_command\\\"\""), "{g}");
    }
}

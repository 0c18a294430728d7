//! `Reply`: a pure accumulator of `StreamEvent`s into one finished answer — text, reasoning,
//! tool calls assembled per the chat-completions streaming rules, the last usage report, the finish reason.

use serde::Serialize;

use super::{Error, StreamEvent, ToolCallDelta, Usage};

/// One assembled tool call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// The concatenated JSON arguments (`{}` when none were sent).
    pub arguments: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Slot {
    index: Option<u32>,
    call: ToolCall,
}

/// Everything a stream said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub text: String,
    pub reasoning: String,
    slots: Vec<Slot>,
    pub usage: Option<Usage>,
    pub finish_reason: Option<String>,
    pub model: Option<String>,
    pub error: Option<Error>,
}

impl Reply {
    /// Folds one event in.
    pub fn apply(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::Model(model) => self.model = Some(model.clone()),
            StreamEvent::Text(text) => self.text.push_str(text),
            StreamEvent::Reasoning(text) => self.reasoning.push_str(text),
            StreamEvent::ToolCall(delta) => self.merge_tool_call(delta),
            StreamEvent::Usage(usage) => self.usage = Some(*usage),
            StreamEvent::Finish(reason) => self.finish_reason = Some(reason.clone()),
            StreamEvent::Error(err) => {
                if self.error.is_none() {
                    self.error = Some(err.clone());
                }
            }
            StreamEvent::Notice(_) | StreamEvent::Phase(_) => {}
        }
    }

    /// The assembled tool calls in arrival order.
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        self.slots
            .iter()
            .map(|s| {
                let mut call = s.call.clone();
                if call.arguments.is_empty() {
                    "{}".clone_into(&mut call.arguments);
                }
                call
            })
            .collect()
    }

    /// §7: assemble per `index`; a new non-empty `id` on a used index, or a fragment without
    /// `index` carrying a new `id`, opens a new slot; otherwise the fragment continues a slot.
    fn merge_tool_call(&mut self, delta: &ToolCallDelta) {
        let new_id = delta.id.as_deref().filter(|id| !id.is_empty());
        let position = match delta.index {
            Some(index) => self
                .slots
                .iter()
                .rposition(|s| s.index == Some(index))
                .filter(|&i| {
                    new_id.is_none_or(|id| {
                        self.slots[i].call.id.is_empty() || self.slots[i].call.id == id
                    })
                }),
            None => match new_id {
                Some(id) => self.slots.iter().rposition(|s| s.call.id == id),
                None => self.slots.len().checked_sub(1),
            },
        };
        let i = position.unwrap_or_else(|| {
            self.slots.push(Slot {
                index: delta.index,
                call: ToolCall::default(),
            });
            self.slots.len() - 1
        });
        let call = &mut self.slots[i].call;
        if call.id.is_empty()
            && let Some(id) = new_id
        {
            id.clone_into(&mut call.id);
        }
        if call.name.is_empty()
            && let Some(name) = delta.name.as_deref().filter(|n| !n.is_empty())
        {
            name.clone_into(&mut call.name);
        }
        if let Some(args) = &delta.arguments {
            call.arguments.push_str(args);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frag(index: Option<u32>, id: Option<&str>, name: Option<&str>, args: &str) -> StreamEvent {
        StreamEvent::ToolCall(ToolCallDelta {
            index,
            id: id.map(str::to_owned),
            name: name.map(str::to_owned),
            arguments: Some(args.to_owned()),
        })
    }

    #[test]
    fn fragments_assemble_per_index() {
        let mut r = Reply::default();
        r.apply(&frag(Some(0), Some("a"), Some("f"), ""));
        r.apply(&frag(Some(1), Some("b"), Some("g"), "{"));
        r.apply(&frag(Some(0), None, Some(""), "{\"x\":1}"));
        r.apply(&frag(Some(1), None, None, "}"));
        let calls = r.tool_calls();
        assert_eq!(
            calls[0],
            ToolCall {
                id: "a".into(),
                name: "f".into(),
                arguments: "{\"x\":1}".into()
            }
        );
        assert_eq!(calls[1].arguments, "{}");
        assert_eq!(calls[1].name, "g");
    }

    #[test]
    fn missing_index_uses_ids_and_same_index_new_id_opens_a_slot() {
        let mut r = Reply::default();
        r.apply(&frag(None, Some("a"), Some("f"), "{}"));
        r.apply(&frag(None, Some("b"), Some("g"), "{"));
        r.apply(&frag(None, None, None, "}"));
        r.apply(&frag(Some(0), Some("c"), Some("h"), "{}"));
        r.apply(&frag(Some(0), Some("d"), Some("i"), "{}"));
        let names: Vec<_> = r.tool_calls().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["f", "g", "h", "i"]);
        assert_eq!(r.tool_calls()[1].arguments, "{}");
    }

    #[test]
    fn last_usage_wins() {
        let mut r = Reply::default();
        let u = |n| {
            StreamEvent::Usage(Usage {
                total_tokens: Some(n),
                ..Usage::default()
            })
        };
        r.apply(&u(5));
        r.apply(&u(5));
        assert_eq!(r.usage.and_then(|u| u.total_tokens), Some(5));
    }
}

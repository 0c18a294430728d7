//! The turn engine against the scripted provider and a toolbox that answers from a table.

use super::*;
use crate::config::ColorChoice;
use crate::config::Env;
use crate::llm::scripted::{ScriptedProvider, call, text};

/// Answers every call with `result:<arguments>` and counts the calls.
struct EchoTools {
    calls: usize,
}

impl Toolbox for EchoTools {
    fn specs(&self) -> Vec<ToolSpec> {
        vec![ToolSpec {
            name: "run_command".into(),
            description: "runs".into(),
            parameters: serde_json::json!({"type": "object"}),
        }]
    }
    fn call<'a>(&'a mut self, call: &'a ToolCall, _out: &'a mut Output) -> ToolFuture<'a> {
        self.calls += 1;
        Box::pin(async move {
            ToolOutcome {
                content: format!("result:{}", call.arguments),
                step: Step {
                    tool: call.name.clone(),
                    call_id: call.id.clone(),
                    decision: "read-only".into(),
                    ..Step::default()
                },
            }
        })
    }
}

/// Records what the observer is told, in order.
#[derive(Default)]
struct Log(Vec<String>);

impl TurnObserver for Log {
    fn step_started(&mut self) {
        self.0.push("start".into());
    }
    fn step_finished(&mut self, reply: &Reply, _end: StepEnd) {
        self.0.push(format!(
            "finish:{}:{}",
            reply.text,
            reply.tool_calls().len()
        ));
    }
    fn tool_result(&mut self, call: &ToolCall, outcome: &ToolOutcome) {
        self.0.push(format!("tool:{}:{}", call.id, outcome.content));
    }
}

fn turn(
    provider: &ScriptedProvider,
    tools: Option<&mut dyn Toolbox>,
    max_steps: u32,
    log: &mut Log,
) -> anyhow::Result<TurnEnd> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut out = Output::new(ColorChoice::Never, 0, &Env::default());
    let request = ChatRequest {
        messages: vec![Message::system("s"), Message::user("how full is /?")],
        ..ChatRequest::default()
    };
    runtime.block_on(run_turn(
        provider,
        request,
        tools,
        TurnLimits { max_steps },
        &mut out,
        ExchangeOptions::default(),
        log,
    ))
}

#[test]
fn a_tool_result_goes_back_with_the_calls_id_and_the_model_answers() {
    let provider = ScriptedProvider::new(vec![
        call("c1", "run_command", r#"{"command":"df -h /"}"#),
        text("41% used"),
    ]);
    let mut tools = EchoTools { calls: 0 };
    let mut log = Log::default();
    let end = turn(&provider, Some(&mut tools), 10, &mut log).expect("turn");
    assert_eq!(end.reply.text, "41% used");
    assert_eq!(end.steps.len(), 1);
    let requests = provider.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].tools.len(), 1, "the tools are offered");
    let sent = &requests[1].messages;
    assert_eq!(sent[2].tool_calls[0].id, "c1");
    assert_eq!(sent[3].role, crate::llm::Role::Tool);
    assert_eq!(sent[3].tool_call_id.as_deref(), Some("c1"));
    assert_eq!(sent[3].content, r#"result:{"command":"df -h /"}"#);
    assert_eq!(
        log.0,
        [
            "start",
            "finish::1",
            r#"tool:c1:result:{"command":"df -h /"}"#,
            "start",
            "finish:41% used:0"
        ]
    );
}

#[test]
fn without_a_toolbox_no_tools_are_offered_and_a_call_ends_the_turn() {
    let provider = ScriptedProvider::new(vec![call("c1", "run_command", "{}")]);
    let mut log = Log::default();
    let end = turn(&provider, None, 10, &mut log).expect("turn");
    assert!(provider.requests()[0].tools.is_empty());
    assert!(end.steps.is_empty());
    assert_eq!(provider.requests().len(), 1);
}

#[test]
fn the_step_limit_stops_a_model_that_never_answers() {
    let script = (0..5)
        .map(|i| call(&format!("c{i}"), "run_command", &format!("{{\"n\":{i}}}")))
        .collect();
    let provider = ScriptedProvider::new(script);
    let mut tools = EchoTools { calls: 0 };
    let mut log = Log::default();
    let err = turn(&provider, Some(&mut tools), 3, &mut log).expect_err("limit");
    assert_eq!(
        err.downcast_ref::<TurnError>(),
        Some(&TurnError::StepLimit { max: 3 })
    );
    assert_eq!(provider.requests().len(), 3);
    assert_eq!(tools.calls, 2, "the calls of the last step are not run");
}

#[test]
fn the_third_identical_call_stops_the_turn() {
    let script = (0..5)
        .map(|i| call(&format!("c{i}"), "run_command", r#"{"command":"uptime"}"#))
        .collect();
    let provider = ScriptedProvider::new(script);
    let mut tools = EchoTools { calls: 0 };
    let mut log = Log::default();
    let err = turn(&provider, Some(&mut tools), 10, &mut log).expect_err("repeat");
    assert!(matches!(
        err.downcast_ref::<TurnError>(),
        Some(TurnError::Repeated { .. })
    ));
    assert_eq!(tools.calls, 1, "a repeated call is not run again");
    let second = &provider.requests()[2].messages;
    let repeated = second.last().expect("a tool result");
    assert!(
        repeated.content.contains("already ran"),
        "{}",
        repeated.content
    );
    assert!(repeated.content.contains(r#"result:{"command":"uptime"}"#));
}

#[test]
fn a_stream_that_ends_early_is_reported_as_truncated() {
    let provider = ScriptedProvider::new(vec![vec![StreamEvent::Text("half".into())]]);
    let mut log = Log::default();
    let end = turn(&provider, None, 10, &mut log).expect("turn");
    assert_eq!(end.reply.error, Some(crate::llm::Error::Truncated));
}

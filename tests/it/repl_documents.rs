//! The REPL's documents in a pseudo-terminal against a loopback server: `/health` answered
//! value by value prints the scored checklist, `/postmortem TEXT` drafts and stores the
//! document, `/postmortem` alone drafts from the conversation, and a free-text postmortem
//! request is routed to drafting unless `--no-route`.

use crate::common;

use common::pty::{quit, spawn, text_reply as reply};
use common::server::Server;
use expectrl::Expect;
use expectrl::session::OsSession;

const PROMPT: &str = "mitchell · drafter> ";

/// A valid postmortem draft, as the model would send it.
const DRAFT: &str = r#"{"title": "Connection pool exhausted",
 "timeline": [{"time": "14:30", "event": "DB connection pool exhausted"},
              {"time": "15:15", "event": "Recovered"}],
 "resolution": {"immediate": ["Raised max_connections"], "long_term": []}}"#;

const REQUEST: &str =
    "write up a postmortem for last night's outage: the db pool ran dry at 14:30, back by 15:15";

/// `mitchell chat` with model `drafter` in a pty.
fn spawn_chat(env: &common::TestEnv, url: &str, extra: &[&str]) -> OsSession {
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm")
        .args(["chat", "--base-url", url, "--model", "drafter"])
        .args(extra);
    spawn(cmd)
}

fn user_messages(request: &common::server::Request) -> Vec<String> {
    request.json()["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| m["content"].as_str().expect("text").to_owned())
        .collect()
}

#[test]
fn health_is_answered_value_by_value_and_scored() {
    let env = common::TestEnv::new();
    // Never contacted: the score is computed, not asked of a model.
    let server = Server::start(vec![reply("never used")]);
    let mut p = spawn_chat(&env, &server.url(), &["--session", "weekly"]);
    p.expect(PROMPT).expect("prompt");
    p.send("/health\r").expect("/health");
    let now = jiff::Timestamp::now();
    let backup = now - jiff::SignedDuration::from_hours(3);
    let restore = now - jiff::SignedDuration::from_hours(24 * 5);
    let answers = [
        ("Uptime this month", "99.95%".to_owned()),
        ("API latency p95", "320ms".to_owned()),
        ("Page load time", "2.1".to_owned()),
        ("Open critical vulnerabilities", "zero".to_owned()),
        ("Open critical vulnerabilities", "0".to_owned()),
        ("Secrets rotated", "y".to_owned()),
        ("Monthly budget", "$3,000".to_owned()),
        ("Actual spend", "3100".to_owned()),
        ("Last successful backup", backup.to_string()),
        ("Last tested restore", restore.to_string()),
        ("Manual tasks this week", "0".to_owned()),
        // Enter skips: new automations do not count towards the score.
        ("New automations added", String::new()),
        ("Runbooks up to date", "yes".to_owned()),
        ("Architecture diagrams current", "y".to_owned()),
    ];
    for (question, answer) in &answers {
        p.expect(*question).expect(question);
        p.send(format!("{answer}\r")).expect("answer");
    }
    p.expect("SCORE: 7/7").expect("the scored checklist");
    p.expect("stored in session weekly").expect("stored");
    p.expect(PROMPT).expect("back at the prompt");
    quit(&mut p);
    assert!(server.requests().is_empty(), "the model was asked");
    let shown = env.show_session("weekly");
    assert!(shown.contains("SCORE: 7/7"), "{shown}");
    assert!(shown.contains("99.95"), "{shown}");
}

#[test]
fn postmortem_drafts_from_text_or_from_the_conversation_and_is_stored() {
    let env = common::TestEnv::new();
    let server = Server::start(vec![
        reply(DRAFT),
        reply("sounds like a pool problem"),
        reply(DRAFT),
    ]);
    let mut p = spawn_chat(&env, &server.url(), &["--session", "pm"]);
    p.expect(PROMPT).expect("prompt");
    p.send("/postmortem some notes about the outage\r")
        .expect("/postmortem TEXT");
    p.expect("# Incident Postmortem: Connection pool exhausted")
        .expect("the drafted document");
    p.expect("stored in session pm").expect("stored");
    p.expect(PROMPT).expect("prompt");

    p.send("the pool hit its limit at 14:30\r").expect("chat");
    p.expect("sounds like a pool problem")
        .expect("a chat reply");
    p.expect(PROMPT).expect("prompt");
    p.send("/postmortem\r")
        .expect("/postmortem from the conversation");
    p.expect("# Incident Postmortem:")
        .expect("the second document");
    p.expect(PROMPT).expect("prompt");
    quit(&mut p);

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(user_messages(&requests[0]), ["some notes about the outage"]);
    assert!(requests[0].json()["response_format"].is_object());
    let from_conversation = user_messages(&requests[2]);
    assert_eq!(from_conversation.len(), 1, "{from_conversation:?}");
    assert!(
        from_conversation[0].contains("some notes about the outage")
            && from_conversation[0].contains("the pool hit its limit at 14:30"),
        "{from_conversation:?}"
    );
    let shown = env.show_session("pm");
    assert_eq!(
        shown
            .matches("# Incident Postmortem: Connection pool exhausted")
            .count(),
        2,
        "{shown}"
    );
    assert!(shown.contains("some notes about the outage"), "{shown}");
}

#[test]
fn a_postmortem_request_is_routed_unless_no_route() {
    let env = common::TestEnv::new();
    let server = Server::start(vec![reply(DRAFT), reply("plain chat answer")]);

    let mut p = spawn_chat(&env, &server.url(), &["--session", "routed"]);
    p.expect(PROMPT).expect("prompt");
    p.send(format!("{REQUEST}\r"))
        .expect("a postmortem request");
    p.expect("→ postmortem").expect("the route on stderr");
    p.expect("# Incident Postmortem: Connection pool exhausted")
        .expect("drafted");
    p.expect(PROMPT).expect("prompt");
    quit(&mut p);

    let mut p = spawn_chat(&env, &server.url(), &["--session", "plain", "--no-route"]);
    p.expect(PROMPT).expect("prompt");
    p.send(format!("{REQUEST}\r")).expect("the same request");
    p.expect("plain chat answer").expect("a chat reply");
    p.expect(PROMPT).expect("prompt");
    quit(&mut p);

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].json()["response_format"].is_object(), "drafted");
    assert!(requests[1].json()["response_format"].is_null(), "chat");
    assert_eq!(user_messages(&requests[1]), [REQUEST]);
    assert!(
        env.show_session("routed")
            .contains("# Incident Postmortem:")
    );
    let plain = env.show_session("plain");
    assert!(!plain.contains("# Incident Postmortem:"), "{plain}");
    assert!(plain.contains("plain chat answer"), "{plain}");
}

#[test]
fn tab_completes_built_in_and_user_persona_names() {
    let env = common::TestEnv::new();
    let dir = env.config_dir().join("personas");
    std::fs::create_dir_all(&dir).expect("personas dir");
    std::fs::write(dir.join("sre-oncall.yaml"), "name: sre-oncall\n").expect("persona");
    let server = Server::start(vec![reply("never used")]);
    let mut p = spawn_chat(&env, &server.url(), &[]);
    p.expect(PROMPT).expect("prompt");
    p.send("/persona sre\t").expect("tab");
    p.expect("/persona sre-oncall")
        .expect("the user persona is completed");
    p.send(expectrl::ControlCode::EndOfText).expect("clear");
    p.expect(PROMPT).expect("prompt");
    p.send("/persona mit\t").expect("tab");
    p.expect("/persona mitchell")
        .expect("the built-in persona is completed");
    p.send(expectrl::ControlCode::EndOfText).expect("clear");
    p.expect(PROMPT).expect("prompt");
    quit(&mut p);
}

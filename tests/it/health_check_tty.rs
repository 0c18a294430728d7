//! `mitchell health-check` on a terminal with nothing to draft from asks for each value in turn
//! (Enter skips) and prints the scored checklist: a pty test.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::Duration;

use expectrl::{Eof, Expect, Session};

#[test]
fn the_interview_asks_each_value_and_scores_them() {
    let env = common::TestEnv::new();
    let mut cmd = env.std_cmd();
    cmd.args(["health-check", "--now", "2026-11-23T12:00:00Z"]);
    let mut session = Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    let answers = [
        ("Uptime this month", "99.95%"),
        ("API latency p95", "320ms"),
        ("Page load time", "2.1"),
        ("Open critical vulnerabilities", "none"),
        ("(not a whole number: none)", "0"),
        ("Secrets rotated?", "y"),
        ("Monthly budget", ""),
        ("Actual spend", ""),
        ("Last successful backup", "2026-11-23T03:00:00Z"),
        ("Last tested restore", "2026-11-10T03:00:00Z"),
        ("Manual tasks this week", "0"),
        ("New automations added", "1"),
        ("Runbooks up to date?", "yes"),
        ("Architecture diagrams current?", "no"),
    ];
    for (prompt, answer) in answers {
        session.expect(prompt).unwrap();
        session.send_line(answer).unwrap();
    }
    session.expect("Actual spend: $___").unwrap();
    session
        .expect("SCORE: 5/7 — Good, minor improvements needed")
        .unwrap();
    session.expect(Eof).unwrap();
}

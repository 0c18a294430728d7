//! The REPL's `/health`: asks for each health-check value in turn through a line-reading
//! closure (Enter skips, end of input stops), then the caller scores the result. Answers are
//! forgiving about units (`99.95%`, `320ms`, `$3,000`, `yes`). No terminal code here.

use super::health_check::HealthCheck;
use super::timestamp::{Rfc3339, parse as parse_timestamp};

#[derive(Clone, Copy)]
enum Answer {
    Number,
    Count,
    YesNo,
    Timestamp,
}

/// (key, question, kind of answer), in the checklist's order.
const QUESTIONS: [(&str, &str, Answer); 13] = [
    (
        "uptime_percent",
        "Uptime this month, % (target ≥ 99.9)",
        Answer::Number,
    ),
    (
        "api_latency_p95_ms",
        "API latency p95, ms (target < 500)",
        Answer::Number,
    ),
    (
        "page_load_s",
        "Page load time, s (target < 3)",
        Answer::Number,
    ),
    (
        "critical_vulnerabilities",
        "Open critical vulnerabilities",
        Answer::Count,
    ),
    ("secrets_rotated", "Secrets rotated? (y/n)", Answer::YesNo),
    ("monthly_budget", "Monthly budget, $", Answer::Number),
    ("actual_spend", "Actual spend this month, $", Answer::Number),
    (
        "last_backup",
        "Last successful backup (RFC 3339)",
        Answer::Timestamp,
    ),
    (
        "last_restore_test",
        "Last tested restore (RFC 3339)",
        Answer::Timestamp,
    ),
    ("manual_tasks", "Manual tasks this week", Answer::Count),
    ("new_automations", "New automations added", Answer::Count),
    (
        "runbooks_current",
        "Runbooks up to date? (y/n)",
        Answer::YesNo,
    ),
    (
        "diagrams_current",
        "Architecture diagrams current? (y/n)",
        Answer::YesNo,
    ),
];

/// A parsed answer.
enum Value {
    Number(f64),
    Count(u32),
    Bool(bool),
    Time(Rfc3339),
}

fn parse(kind: Answer, text: &str) -> Result<Value, String> {
    let cleaned: String = text
        .trim()
        .trim_end_matches("ms")
        .trim_end_matches(['%', 's'])
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    match kind {
        Answer::Number => cleaned
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Value::Number)
            .ok_or_else(|| format!("not a number: {text}")),
        Answer::Count => cleaned
            .trim()
            .parse::<u32>()
            .map(Value::Count)
            .map_err(|_| format!("not a whole number: {text}")),
        Answer::YesNo => match text.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" => Ok(Value::Bool(true)),
            "n" | "no" | "false" => Ok(Value::Bool(false)),
            _ => Err(format!("answer yes or no: {text}")),
        },
        Answer::Timestamp => parse_timestamp(text).map(|t| Value::Time(Rfc3339(t))),
    }
}

fn set(h: &mut HealthCheck, key: &str, value: Value) {
    match (key, value) {
        ("uptime_percent", Value::Number(v)) => h.uptime_percent = Some(v),
        ("api_latency_p95_ms", Value::Number(v)) => h.api_latency_p95_ms = Some(v),
        ("page_load_s", Value::Number(v)) => h.page_load_s = Some(v),
        ("monthly_budget", Value::Number(v)) => h.monthly_budget = Some(v),
        ("actual_spend", Value::Number(v)) => h.actual_spend = Some(v),
        ("critical_vulnerabilities", Value::Count(v)) => h.critical_vulnerabilities = Some(v),
        ("manual_tasks", Value::Count(v)) => h.manual_tasks = Some(v),
        ("new_automations", Value::Count(v)) => h.new_automations = Some(v),
        ("secrets_rotated", Value::Bool(v)) => h.secrets_rotated = Some(v),
        ("runbooks_current", Value::Bool(v)) => h.runbooks_current = Some(v),
        ("diagrams_current", Value::Bool(v)) => h.diagrams_current = Some(v),
        ("last_backup", Value::Time(v)) => h.last_backup = Some(v),
        ("last_restore_test", Value::Time(v)) => h.last_restore_test = Some(v),
        _ => {}
    }
}

/// Asks every question through `read_line(prompt)`: `Ok(None)` (end of input) stops asking, an
/// empty answer skips the value, an answer that does not parse asks again with the reason.
pub fn interview<F>(mut read_line: F) -> anyhow::Result<HealthCheck>
where
    F: FnMut(&str) -> anyhow::Result<Option<String>>,
{
    let mut check = HealthCheck::default();
    for (key, question, kind) in QUESTIONS {
        let mut prompt = format!("{question}: ");
        loop {
            let Some(line) = read_line(&prompt)? else {
                return Ok(check);
            };
            if line.trim().is_empty() {
                break;
            }
            let answered = parse(kind, &line).and_then(|value| {
                let mut next = check.clone();
                set(&mut next, key, value);
                next.check_ranges().map_err(|e| e.to_string())?;
                Ok(next)
            });
            match answered {
                Ok(next) => {
                    check = next;
                    break;
                }
                Err(reason) => prompt = format!("({reason}) {question}: "),
            }
        }
    }
    Ok(check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_skips_and_retries() {
        let mut answers = vec![
            "99.95%",
            "",
            "2.1s",
            "zero",
            "0",
            "y",
            "$3,000",
            "3100",
            "2026-11-23T03:00:00Z",
        ]
        .into_iter();
        let mut prompts = Vec::new();
        let h = interview(|p| {
            prompts.push(p.to_owned());
            Ok(answers.next().map(str::to_owned))
        })
        .unwrap();
        assert_eq!(h.uptime_percent, Some(99.95));
        assert_eq!(h.api_latency_p95_ms, None);
        assert_eq!(h.page_load_s, Some(2.1));
        assert_eq!(h.critical_vulnerabilities, Some(0));
        assert_eq!(h.monthly_budget, Some(3000.0));
        assert!(h.last_backup.is_some());
        assert_eq!(h.last_restore_test, None, "input ended");
        assert!(
            prompts[4].starts_with("(not a whole number: zero)"),
            "{prompts:?}"
        );
    }
}

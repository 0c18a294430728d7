//! Figures in free text: whether a sentence carries an impact figure (a percentage, money, a
//! count of users/requests/…, a duration), whether a model's sentence carries a number the
//! notes never gave (then the offline drafting drops it), and the health check's values read
//! straight from notes ("uptime 99.95%", "p95 420 ms", "2 manual tasks"). Pure.

use std::sync::LazyLock;

use regex::Regex;

use super::health_check::HealthCheck;

// The patterns are literals: building them cannot fail.
#[allow(clippy::unwrap_used)]
static IMPACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
          \d(?:[\d,]*\d)?(?:\.\d+)?\s?%
        | \$\s?\d
        | \d(?:[\d,]*\d)?(?:\.\d+)?\s?[kKmM]?\s+(?:\w+\s+)?(?:users?|customers?|requests?|orders?|errors?
            |accounts?|sessions?|transactions?|tenants?|merchants?|calls?|jobs?|messages?|emails?
            |pages?|sites?|people|devices?|payments?|checkouts?|signups?|logins?|uploads?|builds?
            |deploys?|records?|rows?|files?|tickets?|clients?|apps?|services?|regions?)\b
        | \b\d+(?:\.\d+)?\s?(?:minutes?|mins?|hours?|hrs?|seconds?|secs?|days?|weeks?)\b",
    )
    .unwrap()
});
#[allow(clippy::unwrap_used)]
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d(?:[\d,]*\d)?(?:\.\d+)?").unwrap());

/// Whether `text` carries a figure that says how bad an incident was.
pub fn has_impact_figure(text: &str) -> bool {
    IMPACT.is_match(text)
}

/// The numbers in `text` as values (`1,200` → 1200, `09` → 9).
fn numbers(text: &str) -> Vec<f64> {
    NUMBER
        .find_iter(text)
        .filter_map(|m| m.as_str().replace(',', "").parse().ok())
        .collect()
}

/// The numbers of the notes, for `invents_a_number`.
#[derive(Debug, Clone, Default)]
pub struct KnownNumbers(Vec<f64>);

impl KnownNumbers {
    pub fn of(notes: &str) -> Self {
        KnownNumbers(numbers(notes))
    }

    pub fn knows(&self, value: f64) -> bool {
        self.0.iter().any(|v| (v - value).abs() < 1e-9)
    }

    /// Whether `text` has a number the notes do not (a made-up time, count or figure).
    pub fn invents_a_number(&self, text: &str) -> bool {
        numbers(text).into_iter().any(|n| !self.knows(n))
    }
}

/// `text` without the sentences that carry a number the notes do not have.
pub fn drop_invented_sentences(text: &str, known: &KnownNumbers) -> String {
    let mut kept = String::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut push = |sentence: &str| {
        let s = sentence.trim();
        if !s.is_empty() && !known.invents_a_number(s) {
            if !kept.is_empty() {
                kept.push(' ');
            }
            kept.push_str(s);
        }
    };
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, b'.' | b'!' | b'?') && matches!(bytes.get(i + 1), None | Some(b' ' | b'\n'))
        {
            push(&text[start..=i]);
            start = i + 1;
        }
    }
    push(&text[start..]);
    kept
}

#[allow(clippy::unwrap_used)]
static HEALTH: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("uptime", r"(?i)uptime\D{0,20}?(\d+(?:\.\d+)?)\s?%|(\d+(?:\.\d+)?)\s?%\s+uptime"),
        ("p95", r"(?i)p95\D{0,25}?(\d+(?:\.\d+)?)\s?(ms|milliseconds?|s\b|sec|seconds?)"),
        ("page", r"(?i)page[- ]?loads?(?:\s+times?)?\D{0,20}?(\d+(?:\.\d+)?)\s?(ms|milliseconds?|s\b|sec|seconds?)"),
        ("crit", r"(?i)(\d+|no|zero)\s+(?:open\s+)?critical\s+(?:vulnerabilit|vulns?\b|cves?\b)|critical\s+(?:vulnerabilities|vulns|cves)\D{0,12}?(\d+)"),
        ("manual", r"(?i)(\d+|no|zero)\s+manual\s+tasks?|manual\s+tasks?\D{0,12}?(\d+)"),
        ("auto", r"(?i)(\d+|no|zero)\s+(?:new\s+)?automations?"),
        ("budget", r"(?i)budget\D{0,20}?\$?\s?(\d(?:[\d,]*\d)?(?:\.\d+)?)\s?([kK])?"),
        ("spend", r"(?i)(?:spend|spent|actual)\D{0,20}?\$?\s?(\d(?:[\d,]*\d)?(?:\.\d+)?)\s?([kK])?"),
        ("secrets", r"(?i)secrets?\s+(?:were\s+|was\s+|have\s+been\s+)?(not\s+)?rotated"),
        ("runbooks", r"(?i)runbooks?\s+(?:are\s+|is\s+)?(?:(up[- ]to[- ]date|current)|(out[- ]of[- ]date|stale|outdated|not current))"),
        ("diagrams", r"(?i)diagrams?\s+(?:are\s+|is\s+)?(?:(up[- ]to[- ]date|current)|(out[- ]of[- ]date|stale|outdated|not current))"),
        ("backup", r"(?i)(?:last\s+)?backup\D{0,30}?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?Z)"),
        ("restore", r"(?i)restore\D{0,30}?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?Z)"),
    ]
    .into_iter()
    .map(|(k, p)| (k, Regex::new(p).unwrap()))
    .collect()
});

/// The first capture group that matched, of the first match.
fn first_group<'t>(caps: &regex::Captures<'t>) -> Option<&'t str> {
    caps.iter().skip(1).flatten().next().map(|m| m.as_str())
}

fn count(word: &str) -> Option<u32> {
    match word.to_ascii_lowercase().as_str() {
        "no" | "zero" => Some(0),
        w => w.parse().ok(),
    }
}

/// A value with its unit: seconds become milliseconds for `to_ms`, and the reverse.
fn with_unit(caps: &regex::Captures<'_>, want_ms: bool) -> Option<f64> {
    let value: f64 = caps.get(1)?.as_str().parse().ok()?;
    let is_ms = caps.get(2)?.as_str().to_ascii_lowercase().starts_with('m');
    Some(match (want_ms, is_ms) {
        (true, false) => value * 1000.0,
        (false, true) => value / 1000.0,
        _ => value,
    })
}

fn money(caps: &regex::Captures<'_>) -> Option<f64> {
    let value: f64 = caps.get(1)?.as_str().replace(',', "").parse().ok()?;
    Some(if caps.get(2).is_some() {
        value * 1000.0
    } else {
        value
    })
}

/// The health check's values the notes state plainly; the rest stays `None`.
pub fn health_facts(notes: &str) -> HealthCheck {
    let mut h = HealthCheck::default();
    for (key, re) in HEALTH.iter() {
        let Some(caps) = re.captures(notes) else {
            continue;
        };
        match *key {
            "uptime" => h.uptime_percent = first_group(&caps).and_then(|v| v.parse().ok()),
            "p95" => h.api_latency_p95_ms = with_unit(&caps, true),
            "page" => h.page_load_s = with_unit(&caps, false),
            "crit" => h.critical_vulnerabilities = first_group(&caps).and_then(count),
            "manual" => h.manual_tasks = first_group(&caps).and_then(count),
            "auto" => h.new_automations = first_group(&caps).and_then(count),
            "budget" => h.monthly_budget = money(&caps),
            "spend" => h.actual_spend = money(&caps),
            "secrets" => h.secrets_rotated = Some(caps.get(1).is_none()),
            "runbooks" => h.runbooks_current = Some(caps.get(1).is_some()),
            "diagrams" => h.diagrams_current = Some(caps.get(1).is_some()),
            "backup" => h.last_backup = first_group(&caps).and_then(rfc3339),
            "restore" => h.last_restore_test = first_group(&caps).and_then(rfc3339),
            _ => {}
        }
    }
    h
}

fn rfc3339(text: &str) -> Option<super::timestamp::Rfc3339> {
    super::timestamp::parse(text)
        .ok()
        .map(super::timestamp::Rfc3339)
}

/// A model's health check made to hold only what the notes say: every value the notes state
/// plainly replaces the model's, and a model value whose number is not in the notes (or a
/// yes/no or a time about something the notes never mention) is dropped.
pub fn ground_health_check(model: &HealthCheck, notes: &str) -> HealthCheck {
    let facts = health_facts(notes);
    let known = KnownNumbers::of(notes);
    let lower = notes.to_lowercase();
    let num = |v: Option<f64>| {
        v.filter(|&n| known.knows(n) || known.knows(n / 1000.0) || known.knows(n * 1000.0))
    };
    let int = |v: Option<u32>| {
        v.filter(|&n| known.knows(f64::from(n)) || n == 0 && lower.contains("no "))
    };
    let said = |v: Option<bool>, word: &str| v.filter(|_| lower.contains(word));
    let stamp = |v: Option<super::timestamp::Rfc3339>| {
        v.filter(|t| lower.contains(&t.0.strftime("%Y-%m-%d").to_string()))
    };
    HealthCheck {
        uptime_percent: facts.uptime_percent.or(num(model.uptime_percent)),
        api_latency_p95_ms: facts.api_latency_p95_ms.or(num(model.api_latency_p95_ms)),
        page_load_s: facts.page_load_s.or(num(model.page_load_s)),
        critical_vulnerabilities: facts
            .critical_vulnerabilities
            .or(int(model.critical_vulnerabilities)),
        secrets_rotated: facts
            .secrets_rotated
            .or(said(model.secrets_rotated, "secret")),
        monthly_budget: facts.monthly_budget.or(num(model.monthly_budget)),
        actual_spend: facts.actual_spend.or(num(model.actual_spend)),
        last_backup: facts.last_backup.or(stamp(model.last_backup)),
        last_restore_test: facts.last_restore_test.or(stamp(model.last_restore_test)),
        manual_tasks: facts.manual_tasks.or(int(model.manual_tasks)),
        new_automations: facts.new_automations.or(int(model.new_automations)),
        runbooks_current: facts
            .runbooks_current
            .or(said(model.runbooks_current, "runbook")),
        diagrams_current: facts
            .diagrams_current
            .or(said(model.diagrams_current, "diagram")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impact_figures_are_recognised() {
        assert!(has_impact_figure("38% of checkout requests failed"));
        assert!(has_impact_figure("about 1,200 customers saw errors"));
        assert!(has_impact_figure("we lost $4,300 in orders"));
        assert!(has_impact_figure("it lasted 29 minutes"));
        assert!(!has_impact_figure("the pool was exhausted"));
    }

    #[test]
    fn invented_numbers_are_found_and_their_sentences_dropped() {
        let known = KnownNumbers::of("At 14:02 1,200 users saw errors (38%).");
        assert!(!known.invents_a_number("1200 users, 38 percent, at 14:02"));
        assert!(known.invents_a_number("about 5000 users"));
        let kept = drop_invented_sentences("1,200 users saw errors. It cost $90k. Fixed.", &known);
        assert_eq!(kept, "1,200 users saw errors. Fixed.");
    }

    #[test]
    fn health_values_are_read_from_plain_notes() {
        let h = health_facts(
            "Uptime 99.95% this month, p95 latency 420 ms, page load 1.8 s. No critical \
             vulnerabilities; secrets rotated. Budget $3,000, actual spend $3,150. 2 manual \
             tasks, 1 new automation. Runbooks are current, diagrams are out of date.",
        );
        assert_eq!(h.uptime_percent, Some(99.95));
        assert_eq!(h.api_latency_p95_ms, Some(420.0));
        assert_eq!(h.page_load_s, Some(1.8));
        assert_eq!(h.critical_vulnerabilities, Some(0));
        assert_eq!(h.secrets_rotated, Some(true));
        assert_eq!(h.monthly_budget, Some(3000.0));
        assert_eq!(h.actual_spend, Some(3150.0));
        assert_eq!(h.manual_tasks, Some(2));
        assert_eq!(h.new_automations, Some(1));
        assert_eq!(h.runbooks_current, Some(true));
        assert_eq!(h.diagrams_current, Some(false));
    }

    #[test]
    fn a_model_value_the_notes_do_not_hold_is_dropped() {
        let model = HealthCheck {
            uptime_percent: Some(99.9),
            manual_tasks: Some(7),
            secrets_rotated: Some(true),
            ..HealthCheck::default()
        };
        let grounded = ground_health_check(&model, "uptime 99.95%, 7 manual tasks");
        assert_eq!(grounded.uptime_percent, Some(99.95));
        assert_eq!(grounded.manual_tasks, Some(7));
        assert_eq!(grounded.secrets_rotated, None);
    }
}

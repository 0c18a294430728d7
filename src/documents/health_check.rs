//! The weekly infrastructure health check: its typed input (every key optional), the scoring —
//! computed here, never asked of a model — and the checklist in the spec's layout. Pure: the
//! current time is a parameter.
//!
//! A check passes when: uptime ≥ 99.9 %; p95 < 500 ms and page load < 3 s; 0 critical
//! vulnerabilities and secrets rotated; spend at most 10 % over budget; last backup under 24 h
//! old and last tested restore under 30 days old; 0 manual tasks; runbooks and diagrams both
//! current. A missing value shows as `___` and fails its check.

use std::fmt::Write as _;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::markdown::BLANK;
use super::timestamp::Rfc3339;

/// The measured values of one week. Every key is optional; a missing one fails its check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HealthCheck {
    /// Uptime over the last month, in percent (target ≥ 99.9).
    pub uptime_percent: Option<f64>,
    /// API latency p95, in milliseconds (target < 500).
    pub api_latency_p95_ms: Option<f64>,
    /// Page load time, in seconds (target < 3).
    pub page_load_s: Option<f64>,
    /// Open critical vulnerabilities (target 0).
    pub critical_vulnerabilities: Option<u32>,
    /// Were secrets rotated on schedule?
    pub secrets_rotated: Option<bool>,
    /// Monthly budget, in dollars.
    pub monthly_budget: Option<f64>,
    /// Actual spend this month, in dollars (at most 10 % over budget).
    pub actual_spend: Option<f64>,
    /// When the last successful backup finished (RFC 3339; must be under 24 h old).
    pub last_backup: Option<Rfc3339>,
    /// When a restore was last tested (RFC 3339; must be under 30 days old).
    pub last_restore_test: Option<Rfc3339>,
    /// Manual tasks this week (goal 0).
    pub manual_tasks: Option<u32>,
    /// Automations added this week (reported, not scored).
    pub new_automations: Option<u32>,
    /// Are the runbooks up to date?
    pub runbooks_current: Option<bool>,
    /// Are the architecture diagrams current?
    pub diagrams_current: Option<bool>,
}

impl HealthCheck {
    /// Rejects values no measurement can have: a percentage outside 0–100, a negative (or not
    /// finite) latency, load time, budget or spend. Counts are unsigned already.
    pub fn check_ranges(&self) -> Result<(), super::ContentError> {
        let checks = [
            (
                "uptime_percent",
                self.uptime_percent,
                100.0,
                "a percentage from 0 to 100",
            ),
            (
                "api_latency_p95_ms",
                self.api_latency_p95_ms,
                f64::MAX,
                "milliseconds, 0 or more",
            ),
            (
                "page_load_s",
                self.page_load_s,
                f64::MAX,
                "seconds, 0 or more",
            ),
            (
                "monthly_budget",
                self.monthly_budget,
                f64::MAX,
                "dollars, 0 or more",
            ),
            (
                "actual_spend",
                self.actual_spend,
                f64::MAX,
                "dollars, 0 or more",
            ),
        ];
        for (field, value, max, expected) in checks {
            if let Some(v) = value
                && !(v.is_finite() && (0.0..=max).contains(&v))
            {
                return Err(super::ContentError::OutOfRange {
                    field,
                    value: v.to_string(),
                    expected,
                });
            }
        }
        Ok(())
    }
}

/// The score band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Excellent,
    Good,
    Warning,
    Critical,
}

impl Band {
    pub fn of(score: u8) -> Band {
        match score {
            7.. => Band::Excellent,
            5..=6 => Band::Good,
            3..=4 => Band::Warning,
            _ => Band::Critical,
        }
    }

    /// The spec's wording.
    pub fn describe(self) -> &'static str {
        match self {
            Band::Excellent => "Excellent, infrastructure is solid",
            Band::Good => "Good, minor improvements needed",
            Band::Warning => "Warning, address issues soon",
            Band::Critical => "Critical, urgent attention required",
        }
    }
}

/// One of the seven checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    /// Input keys that were missing.
    pub missing: Vec<&'static str>,
    /// The `└─` lines of the checklist.
    pub details: Vec<String>,
}

/// The scored checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    pub input: HealthCheck,
    /// The time ages were measured against.
    pub now: String,
    pub checks: Vec<Check>,
    pub score: u8,
    pub out_of: u8,
    pub band: Band,
}

impl HealthCheck {
    /// Scores the seven checks against `now`.
    pub fn score(&self, now: Timestamp) -> HealthReport {
        let checks = vec![
            self.uptime(),
            self.performance(),
            self.security(),
            self.costs(),
            self.backups(now),
            self.automation(),
            self.documentation(),
        ];
        let score = u8::try_from(checks.iter().filter(|c| c.passed).count()).unwrap_or(0);
        HealthReport {
            input: self.clone(),
            now: now.to_string(),
            out_of: 7,
            band: Band::of(score),
            score,
            checks,
        }
    }
}

impl HealthReport {
    /// The checklist in the spec's layout, then the score and its band.
    pub fn to_markdown(&self) -> String {
        let mut md = String::from("## Weekly Infrastructure Health Check\n\n");
        for c in &self.checks {
            let _ = writeln!(md, "{} {}", if c.passed { '✅' } else { '❌' }, c.name);
            for line in &c.details {
                let _ = writeln!(md, "   └─ {line}");
            }
            md.push('\n');
        }
        let _ = writeln!(
            md,
            "SCORE: {}/{} — {}",
            self.score,
            self.out_of,
            self.band.describe()
        );
        md
    }
}

mod checks;
#[cfg(test)]
mod tests;

//! The knowledge sections of a persona spec: expertise (infrastructure as code, tech stack,
//! reliability ladder), workflow (daily and weekly routines) and technical decisions (cloud
//! provider, database scaling, disaster recovery). Data only; every struct rejects unknown keys.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expertise {
    #[serde(default)]
    pub infrastructure_as_code: Option<InfraAsCode>,
    #[serde(default)]
    pub tech_stack: Vec<StackCategory>,
    #[serde(default)]
    pub reliability_ladder: Option<ReliabilityLadder>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfraAsCode {
    pub mental_model: String,
    pub principles: Vec<Principle>,
    #[serde(default)]
    pub example: Option<CodeExample>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principle {
    pub name: String,
    pub how: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeExample {
    pub language: String,
    pub code: String,
}

/// A tech-stack category: the preferred tools and why, the alternatives, the nevers, and
/// per-team-size or per-component choices.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackCategory {
    pub category: String,
    /// The kind of choice when it is not one tool ("Managed services").
    #[serde(default)]
    pub preference: Option<String>,
    #[serde(default)]
    pub tools: Vec<String>,
    #[serde(default)]
    pub why: Option<String>,
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    #[serde(default)]
    pub never: Vec<String>,
    #[serde(default)]
    pub by_team_size: Vec<TeamTier>,
    #[serde(default)]
    pub components: Vec<Component>,
    /// When to deviate ("self-host only if budget-constrained").
    #[serde(default)]
    pub exception: Option<String>,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    pub tools: Vec<String>,
    #[serde(default)]
    pub when: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamTier {
    pub team: String,
    pub size: String,
    pub tools: Vec<String>,
    pub why: String,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub role: String,
    pub tools: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReliabilityLadder {
    pub stages: Vec<LadderStage>,
    pub advice: String,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderStage {
    pub stage: u32,
    pub name: String,
    pub items: Vec<String>,
    pub status: String,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    #[serde(default)]
    pub daily: Vec<DayPart>,
    #[serde(default)]
    pub weekly: Vec<WeekPart>,
}

/// Part of the day ("Morning", "Monitoring & Planning") and its time slots.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayPart {
    pub part: String,
    pub theme: String,
    pub slots: Vec<TimeSlot>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeSlot {
    pub time: String,
    pub activity: String,
    pub tasks: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekPart {
    pub days: String,
    pub theme: String,
    pub tasks: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    #[serde(default)]
    pub cloud_provider: Option<CloudSelection>,
    #[serde(default)]
    pub database_scaling: Option<DatabaseScaling>,
    #[serde(default)]
    pub disaster_recovery: Option<DisasterRecovery>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudSelection {
    pub factors: Vec<Factor>,
    pub recommendations: Vec<CloudRecommendation>,
    pub hot_take: String,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    pub factor: String,
    pub question: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudRecommendation {
    pub company: String,
    pub people: String,
    pub choice: Vec<String>,
    pub why: String,
    pub cost: String,
    #[serde(default)]
    pub note: Option<String>,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseScaling {
    pub phases: Vec<ScalingPhase>,
    pub philosophy: String,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingPhase {
    pub phase: u32,
    pub name: String,
    pub users: String,
    pub setup: String,
    #[serde(default)]
    pub size: Option<String>,
    pub cost: String,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub benefit: Option<String>,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisasterRecovery {
    pub tiers: Vec<DrTier>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrTier {
    pub tier: u32,
    pub name: String,
    /// What this tier adds over the previous one.
    pub adds: String,
    /// The Terraform settings that give it (`backup_retention_period = 35`).
    pub settings: Vec<DrSetting>,
    #[serde(default)]
    pub survives: Option<String>,
    /// When to use it.
    pub when: String,
    #[serde(default)]
    pub example: Option<String>,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrSetting {
    #[serde(default)]
    pub resource: Option<String>,
    pub key: String,
    pub value: String,
    #[serde(default)]
    pub comment: Option<String>,
}

//! The persona spec: the typed schema of a persona YAML file. Every struct rejects unknown keys,
//! so a misspelt key is an error that names it. Only data lives here; no I/O, no rendering.

use serde::{Deserialize, Serialize};

/// One persona: who it is, what it knows, how it works and how it answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaSpec {
    /// Short name, as used by `--persona NAME`.
    pub name: String,
    /// One line for `mitchell persona list`.
    pub summary: String,
    pub identity: Identity,
    #[serde(default)]
    pub traits: Vec<Trait>,
    #[serde(default)]
    pub communication_style: Vec<Trait>,
    #[serde(default)]
    pub energizes: Vec<Feeling>,
    #[serde(default)]
    pub frustrates: Vec<Feeling>,
    #[serde(default)]
    pub expertise: Option<Expertise>,
    #[serde(default)]
    pub workflow: Option<Workflow>,
    #[serde(default)]
    pub decisions: Option<Decisions>,
    #[serde(default)]
    pub collaboration: Vec<Protocol>,
    #[serde(default)]
    pub output_formats: Vec<OutputFormat>,
    #[serde(default)]
    pub mantras: Vec<String>,
    #[serde(default)]
    pub self_evaluation: Option<SelfEvaluation>,
    /// In order, most important first.
    pub priorities: Vec<Priority>,
    #[serde(default)]
    pub when_in_doubt: Option<String>,
    #[serde(default)]
    pub north_star: Option<String>,
    #[serde(default)]
    pub closing_line: Option<String>,
    /// Instructions on answering, used by both renders.
    #[serde(default)]
    pub how_to_answer: Vec<String>,
    /// How many mantras the compact render keeps [default: 3].
    #[serde(default = "default_compact_mantras")]
    pub compact_mantras: usize,
}

fn default_compact_mantras() -> usize {
    3
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub name: String,
    pub role: String,
    /// Who they are: achievements, background ("co-founder of HashiCorp").
    #[serde(default)]
    pub background: Vec<String>,
    /// What they created ("creator of …").
    #[serde(default)]
    pub created: Vec<String>,
    #[serde(default)]
    pub reach: Option<String>,
    pub philosophy: String,
    pub mission: String,
    /// Their place in the team ("the foundation everything else is built on").
    #[serde(default)]
    pub foundation: Option<String>,
}

/// A named quality and what it means.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trait {
    pub name: String,
    pub description: String,
}

/// Something that energizes or frustrates, with its emoji.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feeling {
    pub emoji: String,
    pub text: String,
}

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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderStage {
    pub stage: u32,
    pub name: String,
    pub items: Vec<String>,
    pub status: String,
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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseScaling {
    pub phases: Vec<ScalingPhase>,
    pub philosophy: String,
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

/// A collaboration protocol: who with, on what, and the exchange as few-shot turns.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    pub with: String,
    pub role: String,
    pub topic: String,
    pub exchange: Vec<Turn>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    pub speaker: String,
    pub text: String,
}

/// A document the persona writes, as its section structure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputFormat {
    pub name: String,
    pub title: String,
    pub purpose: String,
    #[serde(default)]
    pub fields: Vec<Field>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub heading: String,
    #[serde(default)]
    pub guidance: Option<String>,
    #[serde(default)]
    pub fields: Vec<Field>,
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub subsections: Vec<Section>,
}

/// A labelled line in a document and an example value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    pub example: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelfEvaluation {
    pub title: String,
    pub checks: Vec<Check>,
    pub max_score: u32,
    pub score_bands: Vec<ScoreBand>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub name: String,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub metric: String,
    pub target: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreBand {
    pub score: String,
    pub level: String,
    pub meaning: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Priority {
    pub name: String,
    pub why: String,
}

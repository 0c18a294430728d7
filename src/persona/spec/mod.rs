//! The persona spec: the typed schema of a persona YAML file. Every struct rejects unknown keys,
//! so a misspelt key is an error that names it. Only data lives here; no I/O, no rendering.

mod expertise;

use serde::{Deserialize, Serialize};

pub use expertise::{
    Alternative, CloudRecommendation, CloudSelection, CodeExample, Component, DatabaseScaling,
    DayPart, Decisions, DisasterRecovery, DrSetting, DrTier, Expertise, Factor, InfraAsCode,
    LadderStage, Principle, ReliabilityLadder, ScalingPhase, StackCategory, TeamTier, TimeSlot,
    WeekPart, Workflow,
};

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
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

/// Something that energizes or frustrates, with its emoji.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feeling {
    pub emoji: String,
    pub text: String,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

/// A collaboration protocol: who with, on what, and the exchange as few-shot turns.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    pub with: String,
    pub role: String,
    pub topic: String,
    pub exchange: Vec<Turn>,
    /// Extra words that help `persona recall` find this entry (never rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
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
    /// A verbatim example (a diagram, a code block), printed fenced.
    #[serde(default)]
    pub example: Option<String>,
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

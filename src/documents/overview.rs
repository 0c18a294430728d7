//! The infrastructure overview: its typed model (the input file format and the drafting schema)
//! and its markdown in the spec's layout, with the architecture diagram drawn by `diagram`.
//! Pure: no I/O. Anything missing renders as `___`.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::diagram::{self, DiagramError};
use super::markdown::{BLANK, bullets, or_blank};
use super::ordered::OrderedMap;
use super::text::Text;

/// A production infrastructure overview.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct InfraOverview {
    /// The environment, e.g. "Production" (heading: "Production Infrastructure Overview").
    pub name: Option<String>,
    /// The boxes of the architecture diagram.
    pub components: Vec<Component>,
    /// Arrows between components: `[from_id, to_id]`, top to bottom. No cycles.
    pub links: Vec<[String; 2]>,
    /// Category (Compute, Database, ...) → ordered `Key: value` pairs; a value may be a list.
    pub services: OrderedMap<OrderedMap<ServiceValue>>,
    /// Deployment steps, in order.
    pub deployment: Vec<String>,
    pub disaster_recovery: DisasterRecovery,
    /// Ordered `Key: value` pairs (Encryption, Secrets, Access, ...).
    pub security: OrderedMap<Text>,
    pub costs: Costs,
    pub on_call: OnCall,
    /// Runbook titles.
    pub runbooks: Vec<String>,
    /// Where the runbooks live, e.g. /docs/runbooks/ (optional).
    pub runbooks_path: Option<String>,
}

/// One box of the diagram.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Identifier used in `links`.
    pub id: String,
    /// Text in the box.
    pub label: String,
    /// Shown in parentheses beside the box, e.g. "CDN".
    #[serde(default)]
    pub note: Option<String>,
    /// Identical instances drawn side by side (Web1, Web2, ...).
    #[serde(default)]
    pub replicas: Option<u32>,
}

/// A service detail: one value or a list of values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ServiceValue {
    Text(Text),
    List(Vec<String>),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DisasterRecovery {
    /// Recovery Point Objective, e.g. "1 hour".
    pub rpo: Option<String>,
    /// Recovery Time Objective, e.g. "2 hours".
    pub rto: Option<String>,
    pub backup: Option<String>,
    pub failover: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Costs {
    /// Monthly total, e.g. "~$3000".
    pub monthly: Option<Text>,
    /// Name → amount, e.g. `Compute: $1200`.
    pub breakdown: OrderedMap<Text>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OnCall {
    pub primary: Option<String>,
    pub secondary: Option<String>,
    pub escalation: Option<String>,
}

impl InfraOverview {
    /// Checks what serde cannot: the links name known components and form no cycle.
    pub fn validate(&self) -> Result<(), DiagramError> {
        diagram::draw(&self.components, &self.links).map(|_| ())
    }

    /// The document in the spec's layout. Fails on an unknown id or a cycle in `links`.
    pub fn to_markdown(&self) -> Result<String, DiagramError> {
        let mut md = String::new();
        let heading = match self.name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => format!("{name} Infrastructure Overview"),
            _ => "Infrastructure Overview".to_owned(),
        };
        let _ = writeln!(md, "# {heading}\n\n## Architecture Diagram");
        if self.components.is_empty() {
            let _ = writeln!(md, "\n{BLANK}\n");
        } else {
            let _ = writeln!(
                md,
                "```\n{}```\n",
                diagram::draw(&self.components, &self.links)?
            );
        }
        md.push_str("## Services\n\n");
        if self.services.is_empty() {
            let _ = writeln!(md, "{BLANK}\n");
        }
        for (category, pairs) in self.services.iter() {
            let _ = writeln!(md, "### {category}");
            for (key, value) in pairs.iter() {
                match value {
                    ServiceValue::Text(text) => {
                        let _ = writeln!(md, "- **{key}**: {}", or_blank(Some(text.as_str())));
                    }
                    ServiceValue::List(items) => {
                        let _ = writeln!(md, "- **{key}**:");
                        for line in bullets(items).lines() {
                            let _ = writeln!(md, "  {line}");
                        }
                    }
                }
            }
            md.push('\n');
        }
        md.push_str("## Deployment Process\n\n");
        md.push_str(&super::markdown::numbered(&self.deployment));
        let dr = &self.disaster_recovery;
        let _ = writeln!(
            md,
            "\n## Disaster Recovery\n\n\
             - **RPO** (Recovery Point Objective): {}\n\
             - **RTO** (Recovery Time Objective): {}\n\
             - **Backup**: {}\n\
             - **Failover**: {}\n",
            or_blank(dr.rpo.as_deref()),
            or_blank(dr.rto.as_deref()),
            or_blank(dr.backup.as_deref()),
            or_blank(dr.failover.as_deref()),
        );
        md.push_str("## Security\n\n");
        md.push_str(&key_values(&self.security));
        let _ = writeln!(
            md,
            "\n## Costs\n\n- **Monthly**: {}\n- **Breakdown**:",
            or_blank(self.costs.monthly.as_ref().map(Text::as_str))
        );
        for line in key_values_plain(&self.costs.breakdown).lines() {
            let _ = writeln!(md, "  {line}");
        }
        let oc = &self.on_call;
        let _ = writeln!(
            md,
            "\n## On-Call Rotation\n\n- **Primary**: {}\n- **Secondary**: {}\n- **Escalation**: {}\n",
            or_blank(oc.primary.as_deref()),
            or_blank(oc.secondary.as_deref()),
            or_blank(oc.escalation.as_deref()),
        );
        md.push_str("## Runbooks\n\n");
        if let Some(path) = self
            .runbooks_path
            .as_deref()
            .filter(|p| !p.trim().is_empty())
        {
            let _ = writeln!(md, "See `{path}` for:");
        }
        md.push_str(&bullets(&self.runbooks));
        Ok(md)
    }
}

/// `- **Key**: value` lines; `- ___` when empty.
fn key_values(map: &OrderedMap<Text>) -> String {
    if map.is_empty() {
        return format!("- {BLANK}\n");
    }
    map.iter().fold(String::new(), |mut md, (k, v)| {
        let _ = writeln!(md, "- **{k}**: {}", or_blank(Some(v.as_str())));
        md
    })
}

/// `- Key: value` lines; `- ___` when empty.
fn key_values_plain(map: &OrderedMap<Text>) -> String {
    if map.is_empty() {
        return format!("- {BLANK}\n");
    }
    map.iter().fold(String::new(), |mut md, (k, v)| {
        let _ = writeln!(md, "- {k}: {}", or_blank(Some(v.as_str())));
        md
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_overview_has_every_section_and_blanks() {
        let md = InfraOverview::default().to_markdown().unwrap();
        for heading in [
            "# Infrastructure Overview",
            "## Architecture Diagram",
            "## Services",
            "## Deployment Process",
            "## Disaster Recovery",
            "## Security",
            "## Costs",
            "## On-Call Rotation",
            "## Runbooks",
        ] {
            assert!(md.contains(heading), "{heading} missing in\n{md}");
        }
        assert!(md.contains("- **RPO** (Recovery Point Objective): ___"));
    }
}

//! Which MCP tools run without asking. A tool runs at once only when the user listed it in
//! the server's `read_only` (globs over the server's own tool names), or the server marks it
//! `readOnlyHint: true` without `destructiveHint: true` (the user chose to configure that
//! server, so its own hints are taken at their word). `tools.deny` rules (globs) are matched
//! against `SERVER__TOOL` and win over everything. Everything else needs approval. Pure.

use globset::{Glob, GlobMatcher};

use super::client::ToolInfo;

/// What the gate decided for one tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpVerdict {
    /// Listed in the server's `read_only` (the matching glob).
    Listed(String),
    /// The server marks it read-only.
    Hinted,
    /// Needs the user's yes; the reason says why.
    NeedsApproval(String),
    /// A `tools.deny` rule matched: never runs.
    Denied(String),
}

impl McpVerdict {
    /// Runs without asking.
    pub fn runs_at_once(&self) -> bool {
        matches!(self, McpVerdict::Listed(_) | McpVerdict::Hinted)
    }

    /// Why, in a few words (for `mcp list` and the tool's stderr line).
    pub fn why(&self, server: &str) -> String {
        match self {
            McpVerdict::Listed(glob) => {
                format!("read-only: `{glob}` in mcp_servers.{server}.read_only")
            }
            McpVerdict::Hinted => "read-only: the server marks it readOnlyHint".to_owned(),
            McpVerdict::NeedsApproval(reason) => reason.clone(),
            McpVerdict::Denied(rule) => format!("denied by the tools.deny rule `{rule}`"),
        }
    }
}

/// Globs of one server's `read_only` and the `tools.deny` rules.
pub struct McpGate {
    read_only: Vec<(String, GlobMatcher)>,
    deny: Vec<(String, GlobMatcher)>,
}

fn rules(patterns: &[String]) -> Vec<(String, GlobMatcher)> {
    patterns
        .iter()
        .filter_map(|p| {
            let p = p.trim();
            Glob::new(p)
                .ok()
                .map(|g| (p.to_owned(), g.compile_matcher()))
        })
        .collect()
}

impl McpGate {
    pub fn new(read_only: &[String], deny: &[String]) -> McpGate {
        McpGate {
            read_only: rules(read_only),
            deny: rules(deny),
        }
    }

    /// Judges `tool` of `server`.
    pub fn judge(&self, server: &str, tool: &ToolInfo) -> McpVerdict {
        let qualified = format!("{server}__{}", tool.name);
        if let Some((rule, _)) = self.deny.iter().find(|(_, g)| g.is_match(&qualified)) {
            return McpVerdict::Denied(rule.clone());
        }
        if let Some((glob, _)) = self.read_only.iter().find(|(_, g)| g.is_match(&tool.name)) {
            return McpVerdict::Listed(glob.clone());
        }
        if tool.read_only_hint == Some(true) && tool.destructive_hint != Some(true) {
            return McpVerdict::Hinted;
        }
        let reason = match (tool.read_only_hint, tool.destructive_hint) {
            (Some(true), Some(true)) => "the server marks it destructive",
            (Some(false), _) => "the server marks it as writing, and it is not in read_only",
            _ => "not in the server's read_only and not marked read-only by the server",
        };
        McpVerdict::NeedsApproval(reason.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, read_only: Option<bool>, destructive: Option<bool>) -> ToolInfo {
        ToolInfo {
            name: name.to_owned(),
            description: String::new(),
            schema: serde_json::json!({"type": "object"}),
            read_only_hint: read_only,
            destructive_hint: destructive,
        }
    }

    #[test]
    fn listed_or_hinted_tools_run_and_the_rest_ask() {
        let gate = McpGate::new(&["git_diff*".into(), "git_status".into()], &[]);
        let judge = |t: &ToolInfo| gate.judge("git", t);
        assert_eq!(
            judge(&tool("git_diff_staged", None, None)),
            McpVerdict::Listed("git_diff*".into())
        );
        assert_eq!(
            judge(&tool("git_log", Some(true), None)),
            McpVerdict::Hinted
        );
        assert_eq!(
            judge(&tool("git_log", Some(true), Some(false))),
            McpVerdict::Hinted
        );
        for t in [
            tool("git_commit", Some(false), Some(false)),
            tool("git_commit", None, None),
            tool("wipe", Some(true), Some(true)),
        ] {
            assert!(!judge(&t).runs_at_once(), "{t:?}");
        }
    }

    #[test]
    fn deny_rules_match_the_qualified_name_and_win() {
        let gate = McpGate::new(&["*".into()], &["git__git_log".into(), "fs__*".into()]);
        assert_eq!(
            gate.judge("git", &tool("git_log", Some(true), None)),
            McpVerdict::Denied("git__git_log".into())
        );
        assert!(
            gate.judge("git", &tool("git_status", None, None))
                .runs_at_once()
        );
        assert!(matches!(
            gate.judge("fs", &tool("read_file", Some(true), None)),
            McpVerdict::Denied(_)
        ));
    }
}

//! `mcp_servers:` in config.yaml: the Model Context Protocol servers whose tools the agent
//! offers. Each entry is either a child process (`command`, `args`, `env`) or a streamable-HTTP
//! endpoint (`url`, `headers`); `read_only` lists (globs over the server's tool names) the tools
//! that run without asking. `${VAR}` in args, env values, the URL and headers is replaced by the
//! environment variable's value; a variable that is not set makes that one server fail to start
//! (with a line saying which), not the whole command. Pure: nothing here starts a process.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{ConfigError, Env, Secret};

/// One entry of `mcp_servers:` as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct McpServerConfig {
    /// The program to start (a name on PATH or a path); its stdin/stdout speak MCP.
    pub command: Option<String>,
    #[serde(default)]
    pub args: Vec<String>,
    /// Extra environment variables for the child.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// A streamable-HTTP MCP endpoint instead of a command.
    pub url: Option<String>,
    /// Extra request headers for `url` (e.g. `Authorization: "Bearer ${TOKEN}"`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Globs over the server's tool names that run without asking.
    #[serde(default)]
    pub read_only: Vec<String>,
}

/// How mitchell talks to a server.
#[derive(Debug, Clone, PartialEq)]
pub enum McpTransport {
    Stdio {
        command: String,
        args: Vec<String>,
        env: Vec<(String, String)>,
    },
    Http {
        url: String,
        headers: Vec<(String, Secret)>,
    },
}

/// One effective server.
#[derive(Debug, Clone, PartialEq)]
pub struct McpServer {
    pub name: String,
    pub transport: McpTransport,
    pub read_only: Vec<String>,
    /// Why it cannot start, found while reading the config (an unset `${VAR}`).
    pub problem: Option<String>,
}

/// Checks and expands every entry. A bad entry (name, neither or both of `command` and `url`)
/// is a config error naming it.
pub fn resolve(
    servers: &BTreeMap<String, McpServerConfig>,
    path: Option<&Path>,
    env: &Env,
) -> Result<Vec<McpServer>, ConfigError> {
    let file = path.map_or_else(|| "the config file".to_owned(), |p| p.display().to_string());
    let bad = |name: &str, why: &str| ConfigError::Mcp {
        setting: format!("mcp_servers.{name} in {file}"),
        why: why.to_owned(),
    };
    servers
        .iter()
        .map(|(name, cfg)| {
            if name.is_empty()
                || name.contains("__")
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(bad(
                    name,
                    "a server name is letters, digits, '-' and '_' (not '__': tools are named \
                     SERVER__TOOL)",
                ));
            }
            let mut missing = Vec::new();
            let mut expand = |text: &str| expand(text, env, &mut missing);
            let transport = match (&cfg.command, &cfg.url) {
                (Some(command), None) => {
                    if !cfg.headers.is_empty() {
                        return Err(bad(name, "headers go with url, not command"));
                    }
                    McpTransport::Stdio {
                        command: expand(command),
                        args: cfg.args.iter().map(|a| expand(a)).collect(),
                        env: cfg
                            .env
                            .iter()
                            .map(|(k, v)| (k.clone(), expand(v)))
                            .collect(),
                    }
                }
                (None, Some(url)) => {
                    if !cfg.args.is_empty() || !cfg.env.is_empty() {
                        return Err(bad(name, "args and env go with command, not url"));
                    }
                    McpTransport::Http {
                        url: expand(url),
                        headers: cfg
                            .headers
                            .iter()
                            .map(|(k, v)| (k.clone(), Secret::new(expand(v))))
                            .collect(),
                    }
                }
                (Some(_), Some(_)) => {
                    return Err(bad(name, "give either command or url, not both"));
                }
                (None, None) => return Err(bad(name, "give a command (stdio) or a url (HTTP)")),
            };
            let problem = (!missing.is_empty())
                .then(|| format!("{} not set (used in its config)", missing.join(", ")));
            Ok(McpServer {
                name: name.clone(),
                transport,
                read_only: cfg.read_only.clone(),
                problem,
            })
        })
        .collect()
}

/// Replaces each `${NAME}` by the variable's value; unset names are added to `missing` and
/// become empty.
fn expand(text: &str, env: &Env, missing: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let var = &after[..end];
        if let Some(value) = env.get(var) {
            out.push_str(value);
        } else {
            let shown = format!("${{{var}}}");
            if !missing.contains(&shown) {
                missing.push(shown);
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(yaml: &str, env: &Env) -> Result<Vec<McpServer>, ConfigError> {
        let servers: BTreeMap<String, McpServerConfig> =
            serde_saphyr::from_str(yaml).expect("test yaml parses");
        resolve(&servers, None, env)
    }

    #[test]
    fn variables_in_headers_are_expanded_and_missing_ones_are_named() {
        let env = Env::from_pairs([("TOKEN", "abc")]);
        let yaml =
            "g:\n  url: http://127.0.0.1:1/mcp\n  headers: {Authorization: \"Bearer ${TOKEN}\"}\n";
        let servers = one(yaml, &env).expect("valid");
        let McpTransport::Http { headers, .. } = &servers[0].transport else {
            panic!("http")
        };
        assert_eq!(headers[0].1.expose(), "Bearer abc");
        assert_eq!(servers[0].problem, None);
        let servers = one(yaml, &Env::default()).expect("valid");
        assert_eq!(
            servers[0].problem.as_deref(),
            Some("${TOKEN} not set (used in its config)")
        );
    }

    #[test]
    fn entries_need_exactly_one_transport_and_a_plain_name() {
        let env = Env::default();
        assert!(one("a: {}\n", &env).is_err());
        assert!(one("a: {command: x, url: http://h}\n", &env).is_err());
        assert!(one("a__b: {command: x}\n", &env).is_err());
        assert!(one("a: {url: http://h, args: [x]}\n", &env).is_err());
        let ok = one(
            "git-1: {command: x, args: [\"${HOME}/r\"], read_only: [git_*]}\n",
            &env,
        )
        .expect("valid");
        assert_eq!(ok[0].read_only, vec!["git_*".to_owned()]);
        assert!(ok[0].problem.is_some());
    }
}

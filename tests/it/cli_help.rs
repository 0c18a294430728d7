//! Snapshots of `--help` for every command and subcommand, so a change to the CLI surface shows
//! up in review. Also checks that the list below covers every subcommand clap knows.

use crate::common;

use common::TestEnv;

/// Every command path, top level first.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["ask"],
    &["chat"],
    &["postmortem"],
    &["overview"],
    &["health-check"],
    &["route"],
    &["models"],
    &["model"],
    &["model", "import"],
    &["model", "list"],
    &["model", "fetch"],
    &["model", "pull"],
    &["model", "rm"],
    &["model", "cache"],
    &["model", "cache", "clear"],
    &["persona"],
    &["persona", "list"],
    &["persona", "show"],
    &["persona", "render"],
    &["persona", "recall"],
    &["persona", "check"],
    &["eval"],
    &["sessions"],
    &["sessions", "list"],
    &["sessions", "show"],
    &["sessions", "export"],
    &["sessions", "rm"],
    &["sessions", "search"],
    &["mcp"],
    &["mcp", "list"],
    &["mcp", "call"],
    &["config"],
    &["config", "show"],
    &["config", "path"],
    &["completions"],
    &["man"],
];

fn help(path: &[&str]) -> String {
    let out = TestEnv::new()
        .cmd()
        .args(path)
        .arg("--help")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{path:?}");
    assert!(out.stderr.is_empty(), "{path:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn help_of_every_command() {
    for path in COMMANDS {
        let name = if path.is_empty() {
            "help".to_owned()
        } else {
            format!("help_{}", path.join("_"))
        };
        insta::assert_snapshot!(name, help(path));
    }
}

/// The subcommands listed under "Commands:" in a help text (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_list_covers_every_subcommand() {
    // Both ways: every listed command exists, and every command clap shows is listed.
    let top = subcommands(&help(&[]));
    let listed: Vec<String> = COMMANDS
        .iter()
        .filter(|path| path.len() == 1)
        .map(|path| path[0].to_owned())
        .collect();
    assert_eq!(top, listed, "the top-level commands, in help order");
    for path in COMMANDS {
        for sub in subcommands(&help(path)) {
            let mut child: Vec<&str> = path.to_vec();
            child.push(&sub);
            assert!(
                COMMANDS.contains(&child.as_slice()),
                "{child:?} has no snapshot"
            );
        }
    }
}

//! Slash commands: a pure parser from one input line to `Input` (a message, a command or
//! nothing), and the table `/help` and Tab completion read. An unknown command is an error with
//! a hint; it is never sent to the model.

use std::path::PathBuf;

use crate::cli::ExportFormat;
use crate::persona::Detail;

/// One slash command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Persona(String),
    Model(String),
    Provider(String),
    Detail(Detail),
    /// An extra instruction for the system prompt; empty clears it.
    System(String),
    New,
    Sessions,
    Load(String),
    Rename(String),
    Export {
        format: ExportFormat,
        file: Option<PathBuf>,
    },
    Retry,
    Usage,
    /// The MCP servers, their state and tools (starting them if needed).
    Mcp,
    Edit,
    /// Attach a text file to the next message (`~/` is the home folder).
    File(String),
    /// Copy the last answer to the clipboard (OSC 52).
    Copy,
    /// Draft a postmortem from the text, or (empty) from the conversation so far.
    Postmortem(String),
    /// Draft an infrastructure overview from the text, or (empty) from the conversation.
    Overview(String),
    /// Ask for each health-check value in turn and print the scored checklist.
    Health,
    Quit,
}

/// What a line of input is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Text for the model.
    Message(String),
    Command(Command),
    /// A blank line.
    Empty,
}

/// Why a slash line is not a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown command /{name}{}; /help lists the commands (start a line with a space or // to send text beginning with /)", did_you_mean(*.suggestion))]
    Unknown {
        name: String,
        suggestion: Option<&'static str>,
    },
    #[error("usage: {0}")]
    Usage(String),
}

fn did_you_mean(s: Option<&str>) -> String {
    s.map(|s| format!(" — did you mean /{s}?"))
        .unwrap_or_default()
}

/// A command's name, its arguments and what it does, for `/help` and completion.
pub struct Spec {
    pub name: &'static str,
    pub args: &'static str,
    pub about: &'static str,
}

/// Every command, in `/help` order.
pub const COMMANDS: &[Spec] = &[
    Spec {
        name: "help",
        args: "",
        about: "this list",
    },
    Spec {
        name: "persona",
        args: "NAME",
        about: "speak with another persona",
    },
    Spec {
        name: "model",
        args: "NAME",
        about: "switch the model",
    },
    Spec {
        name: "provider",
        args: "NAME",
        about: "switch the provider (a configured name or local)",
    },
    Spec {
        name: "detail",
        args: "full|compact",
        about: "how much of the persona goes into the prompt",
    },
    Spec {
        name: "system",
        args: "TEXT",
        about: "add an instruction to the system prompt (empty clears it)",
    },
    Spec {
        name: "new",
        args: "",
        about: "start a new session",
    },
    Spec {
        name: "sessions",
        args: "",
        about: "list saved sessions",
    },
    Spec {
        name: "load",
        args: "ID|NAME",
        about: "continue a saved session",
    },
    Spec {
        name: "rename",
        args: "NAME",
        about: "name this session",
    },
    Spec {
        name: "export",
        args: "[md|json] [FILE]",
        about: "write this session to FILE (or stdout)",
    },
    Spec {
        name: "retry",
        args: "",
        about: "ask the last question again",
    },
    Spec {
        name: "usage",
        args: "",
        about: "token usage of this session",
    },
    Spec {
        name: "mcp",
        args: "",
        about: "the MCP servers: state, tools, which run without asking",
    },
    Spec {
        name: "edit",
        args: "",
        about: "write the next message in $EDITOR",
    },
    Spec {
        name: "file",
        args: "PATH",
        about: "attach a text file to the next message (Tab completes paths)",
    },
    Spec {
        name: "copy",
        args: "",
        about: "copy the last answer to the clipboard (through the terminal, OSC 52)",
    },
    Spec {
        name: "postmortem",
        args: "[TEXT]",
        about: "draft a postmortem from TEXT (or the conversation) and keep it",
    },
    Spec {
        name: "overview",
        args: "[TEXT]",
        about: "draft an infrastructure overview from TEXT (or the conversation)",
    },
    Spec {
        name: "health",
        args: "",
        about: "weekly health check: answer each value (Enter skips), get the score",
    },
    Spec {
        name: "quit",
        args: "",
        about: "leave (also Ctrl-D)",
    },
];

/// Parses one line (or pasted block). Only a line whose first character is `/` is a command;
/// `//text` sends `/text`.
pub fn parse(line: &str) -> Result<Input, ParseError> {
    if line.trim().is_empty() {
        return Ok(Input::Empty);
    }
    let Some(rest) = line.strip_prefix('/') else {
        return Ok(Input::Message(line.to_owned()));
    };
    if rest.starts_with('/') {
        return Ok(Input::Message(rest.to_owned()));
    }
    let rest = rest.trim_end();
    let (name, arg) = match rest.split_once(char::is_whitespace) {
        Some((name, arg)) => (name, arg.trim()),
        None => (rest, ""),
    };
    let need = |what: &str| -> Result<String, ParseError> {
        if arg.is_empty() {
            Err(ParseError::Usage(format!("/{name} {what}")))
        } else {
            Ok(arg.to_owned())
        }
    };
    let cmd = match name {
        "help" | "?" => Command::Help,
        "persona" => Command::Persona(need("NAME")?),
        "model" => Command::Model(need("NAME")?),
        "provider" => Command::Provider(need("NAME")?),
        "detail" => Command::Detail(
            arg.parse()
                .map_err(|_| ParseError::Usage("/detail full|compact".into()))?,
        ),
        "system" => Command::System(arg.to_owned()),
        "new" => Command::New,
        "sessions" => Command::Sessions,
        "load" => Command::Load(need("ID|NAME")?),
        "rename" => Command::Rename(need("NAME")?),
        "export" => export(arg)?,
        "retry" => Command::Retry,
        "usage" => Command::Usage,
        "mcp" => Command::Mcp,
        "edit" => Command::Edit,
        "file" => Command::File(need("PATH")?),
        "copy" => Command::Copy,
        "postmortem" => Command::Postmortem(arg.to_owned()),
        "overview" => Command::Overview(arg.to_owned()),
        "health" | "health-check" => Command::Health,
        "quit" | "exit" | "q" => Command::Quit,
        _ => {
            return Err(ParseError::Unknown {
                name: name.to_owned(),
                suggestion: closest(name),
            });
        }
    };
    Ok(Input::Command(cmd))
}

/// `/export [md|json] [FILE]`; without a format, a `.json` file means JSON. A lone word that is
/// neither a format nor a file name (no `.` or `/`, like `xml`) is an unknown format.
fn export(arg: &str) -> Result<Command, ParseError> {
    let (first, rest) = match arg.split_once(char::is_whitespace) {
        Some((f, r)) => (f, r.trim()),
        None => (arg, ""),
    };
    let (format, file) = match first {
        "md" | "markdown" => (Some(ExportFormat::Md), rest),
        "json" => (Some(ExportFormat::Json), rest),
        word if rest.is_empty() && !word.is_empty() && !word.contains(['.', '/']) => {
            return Err(ParseError::Usage(format!(
                "/export [md|json] [FILE] (unknown format '{word}'; a file name needs an extension)"
            )));
        }
        _ => (None, arg),
    };
    let file = (!file.is_empty()).then(|| PathBuf::from(file));
    let format = format.unwrap_or_else(|| {
        if file
            .as_ref()
            .and_then(|f| f.extension())
            .is_some_and(|e| e == "json")
        {
            ExportFormat::Json
        } else {
            ExportFormat::Md
        }
    });
    Ok(Command::Export { format, file })
}

/// `path` with a leading `~/` (or a lone `~`) replaced by the home folder, when it is known.
pub fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(format!("{home}{rest}"))
        }
        _ => PathBuf::from(path),
    }
}

/// The command a typo most likely meant: a unique prefix, or one edit away.
fn closest(name: &str) -> Option<&'static str> {
    let prefixed: Vec<_> = COMMANDS
        .iter()
        .filter(|c| !name.is_empty() && c.name.starts_with(name))
        .collect();
    if let [only] = prefixed.as_slice() {
        return Some(only.name);
    }
    COMMANDS
        .iter()
        .map(|c| (distance(name, c.name), c.name))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| n)
}

/// Levenshtein distance, for short command names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(line: &str) -> Command {
        match parse(line) {
            Ok(Input::Command(c)) => c,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn every_command_parses() {
        assert_eq!(cmd("/help"), Command::Help);
        assert_eq!(cmd("/persona  sre "), Command::Persona("sre".into()));
        assert_eq!(cmd("/model gpt-4o"), Command::Model("gpt-4o".into()));
        assert_eq!(cmd("/provider local"), Command::Provider("local".into()));
        assert_eq!(cmd("/detail compact"), Command::Detail(Detail::Compact));
        assert_eq!(cmd("/system be brief"), Command::System("be brief".into()));
        assert_eq!(cmd("/system"), Command::System(String::new()));
        assert_eq!(cmd("/new"), Command::New);
        assert_eq!(cmd("/sessions"), Command::Sessions);
        assert_eq!(cmd("/load 12"), Command::Load("12".into()));
        assert_eq!(cmd("/rename dr plan"), Command::Rename("dr plan".into()));
        assert_eq!(cmd("/retry"), Command::Retry);
        assert_eq!(cmd("/usage"), Command::Usage);
        assert_eq!(cmd("/mcp"), Command::Mcp);
        assert_eq!(cmd("/edit"), Command::Edit);
        assert_eq!(
            cmd("/file notes/my plan.md"),
            Command::File("notes/my plan.md".into())
        );
        assert_eq!(cmd("/copy"), Command::Copy);
        assert_eq!(cmd("/quit"), Command::Quit);
        assert_eq!(
            cmd("/postmortem db down at 14:30"),
            Command::Postmortem("db down at 14:30".into())
        );
        assert_eq!(cmd("/postmortem"), Command::Postmortem(String::new()));
        assert_eq!(
            cmd("/overview  three web nodes "),
            Command::Overview("three web nodes".into())
        );
        assert_eq!(cmd("/overview"), Command::Overview(String::new()));
        assert_eq!(cmd("/health"), Command::Health);
        assert_eq!(cmd("/exit"), Command::Quit);
    }

    #[test]
    fn export_takes_an_optional_format_and_file() {
        let e = |f, p: Option<&str>| Command::Export {
            format: f,
            file: p.map(PathBuf::from),
        };
        assert_eq!(cmd("/export"), e(ExportFormat::Md, None));
        assert_eq!(cmd("/export json"), e(ExportFormat::Json, None));
        assert_eq!(
            cmd("/export md out.md"),
            e(ExportFormat::Md, Some("out.md"))
        );
        assert_eq!(cmd("/export s.json"), e(ExportFormat::Json, Some("s.json")));
        assert!(matches!(parse("/export xml"), Err(ParseError::Usage(u)) if u.contains("'xml'")));
    }

    #[test]
    fn messages_blank_lines_and_escapes() {
        assert_eq!(parse("  "), Ok(Input::Empty));
        assert_eq!(parse("hi /help"), Ok(Input::Message("hi /help".into())));
        assert_eq!(
            parse(" /etc/hosts"),
            Ok(Input::Message(" /etc/hosts".into()))
        );
        assert_eq!(
            parse("//etc/hosts"),
            Ok(Input::Message("/etc/hosts".into()))
        );
    }

    #[test]
    fn unknown_commands_are_errors_with_a_hint() {
        let err = parse("/pers x").expect_err("unknown");
        assert_eq!(
            err,
            ParseError::Unknown {
                name: "pers".into(),
                suggestion: Some("persona")
            }
        );
        assert!(err.to_string().contains("did you mean /persona?"));
        assert!(matches!(
            parse("/qiut"),
            Err(ParseError::Unknown {
                suggestion: Some("quit"),
                ..
            })
        ));
        assert!(matches!(
            parse("/etc/hosts"),
            Err(ParseError::Unknown {
                suggestion: None,
                ..
            })
        ));
    }

    #[test]
    fn a_leading_tilde_is_the_home_folder() {
        let home = Some("/home/ops");
        assert_eq!(expand_home("~/a.tf", home), PathBuf::from("/home/ops/a.tf"));
        assert_eq!(expand_home("~", home), PathBuf::from("/home/ops"));
        assert_eq!(expand_home("~bob/a", home), PathBuf::from("~bob/a"));
        assert_eq!(expand_home("~/a", None), PathBuf::from("~/a"));
        assert_eq!(expand_home("a~/b", home), PathBuf::from("a~/b"));
    }

    #[test]
    fn missing_or_bad_arguments_show_usage() {
        assert_eq!(
            parse("/persona"),
            Err(ParseError::Usage("/persona NAME".into()))
        );
        assert_eq!(parse("/file"), Err(ParseError::Usage("/file PATH".into())));
        assert_eq!(
            parse("/detail huge"),
            Err(ParseError::Usage("/detail full|compact".into()))
        );
    }
}

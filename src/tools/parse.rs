//! Splits one command line the model sent into what can run without a shell: a pipeline of
//! argv lists (words split by the `shell-words` parser, quotes honoured), or a note of every
//! piece of shell syntax found outside quotes (`;`, `&&`, `||`, `&`, redirections, `$(…)`,
//! `$VAR`, backticks, globs, `~`, comments, subshells, leading `NAME=value` assignments). A
//! line with shell syntax is never read-only. Pure.

/// What a command line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// One program, or programs joined by `|`; each an argv.
    Pipeline(Vec<Vec<String>>),
    /// Shell syntax that only a shell could run; the reasons, in order of appearance.
    Shell(Vec<String>),
    /// Nothing to run, or quotes that do not close.
    Invalid(String),
}

/// Parses `line`.
pub fn parse(line: &str) -> Parsed {
    let line = line.trim();
    if line.is_empty() {
        return Parsed::Invalid("empty command".to_owned());
    }
    let (segments, mut syntax) = match scan(line) {
        Ok(found) => found,
        Err(msg) => return Parsed::Invalid(msg),
    };
    let mut pipeline = Vec::new();
    for segment in &segments {
        let words = match shell_words::split(segment) {
            Ok(words) => words,
            Err(err) => return Parsed::Invalid(format!("cannot split the command: {err}")),
        };
        if words.is_empty() {
            return Parsed::Invalid("an empty command in a pipeline".to_owned());
        }
        if let Some(first) = words.first()
            && is_assignment(first)
        {
            syntax.push(format!("an environment assignment (`{first}`)"));
        }
        pipeline.push(words);
    }
    if syntax.is_empty() {
        Parsed::Pipeline(pipeline)
    } else {
        syntax.dedup();
        Parsed::Shell(syntax)
    }
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Splits at unquoted single `|` and collects the shell syntax outside quotes.
// One match over the shell's metacharacters reads best in one place.
#[allow(clippy::too_many_lines)]
fn scan(line: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let mut segments = Vec::new();
    let mut syntax: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    let mut word_start = true;
    let mut note = |s: &str| syntax.push(s.to_owned());
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') => {
                current.push(c);
                if c == '\'' {
                    quote = None;
                }
                continue;
            }
            Some(_) => {
                current.push(c);
                match c {
                    '"' => quote = None,
                    '\\' => {
                        if let Some(next) = chars.next() {
                            current.push(next);
                        }
                    }
                    '$' => note("a `$` expansion"),
                    '`' => note("a backtick command substitution"),
                    _ => {}
                }
                continue;
            }
            None => {}
        }
        let at_word_start = word_start;
        word_start = c.is_whitespace();
        match c {
            '\'' | '"' => {
                quote = Some(c);
                current.push(c);
            }
            '\\' => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            '|' => match chars.peek() {
                Some('|') => {
                    chars.next();
                    note("`||`");
                    current.push_str("||");
                }
                Some('&') => {
                    chars.next();
                    note("`|&`");
                    current.push_str("|&");
                }
                _ => {
                    segments.push(std::mem::take(&mut current));
                    word_start = true;
                }
            },
            ';' => {
                note("`;`");
                current.push(c);
            }
            '&' => {
                if chars.peek() == Some(&'&') {
                    chars.next();
                    note("`&&`");
                } else {
                    note("`&` (background)");
                }
                current.push(c);
            }
            '>' | '<' => {
                note("a redirection");
                current.push(c);
            }
            '$' => {
                if chars.peek() == Some(&'(') {
                    note("a `$(…)` command substitution");
                } else {
                    note("a `$` expansion");
                }
                current.push(c);
            }
            '`' => {
                note("a backtick command substitution");
                current.push(c);
            }
            '(' | ')' | '{' | '}' => {
                note("a subshell or group");
                current.push(c);
            }
            '\n' | '\r' => {
                note("a newline");
                current.push(' ');
            }
            '*' | '?' | '[' => {
                note("a glob pattern");
                current.push(c);
            }
            '~' if at_word_start => {
                note("a `~` expansion");
                current.push(c);
            }
            '#' if at_word_start => {
                note("a comment");
                current.push(c);
            }
            _ => current.push(c),
        }
    }
    if quote.is_some() {
        return Err("a quote that does not close".to_owned());
    }
    segments.push(current);
    Ok((segments, syntax))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn plain_commands_and_pipelines_split_into_argv() {
        assert_eq!(
            parse("df -h /"),
            Parsed::Pipeline(vec![argv(&["df", "-h", "/"])])
        );
        assert_eq!(
            parse(r#"journalctl -u nginx | grep "upstream timed out" | tail -n 5"#),
            Parsed::Pipeline(vec![
                argv(&["journalctl", "-u", "nginx"]),
                argv(&["grep", "upstream timed out"]),
                argv(&["tail", "-n", "5"]),
            ])
        );
        assert_eq!(
            parse("grep 'a;b|c > d' log.txt"),
            Parsed::Pipeline(vec![argv(&["grep", "a;b|c > d", "log.txt"])])
        );
    }

    #[test]
    fn shell_syntax_is_found_outside_single_quotes() {
        for line in [
            "cat x; touch y",
            "ls && rm -rf /",
            "ls || true",
            "ls > y",
            "cat < /etc/passwd",
            "echo $(touch y)",
            "echo `touch y`",
            "echo \"$(touch y)\"",
            "echo $HOME",
            "FOO=1 ls",
            "sleep 1 &",
            "(cd /; ls)",
            "ls *.log",
            "ls ~/x",
            "ls # hi",
            "ls\nrm x",
        ] {
            assert!(matches!(parse(line), Parsed::Shell(_)), "{line}");
        }
        assert!(matches!(parse("echo 'unclosed"), Parsed::Invalid(_)));
        assert!(matches!(parse("ls | | wc"), Parsed::Invalid(_)));
        assert!(matches!(parse("  "), Parsed::Invalid(_)));
    }
}

//! What one line of markdown starts: the classification the block machine works from. Only
//! whole lines are classified, except `predict`, which says what a line still being received
//! will certainly be (so a paragraph or list item can stream before its newline).

/// The kind of a complete line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    Blank,
    Heading {
        level: usize,
        text: &'a str,
    },
    /// An opening (or closing) fence: its character, run length and info string.
    Fence {
        indent: usize,
        ch: char,
        len: usize,
        info: &'a str,
    },
    Rule,
    /// After `>` and one optional space.
    Quote(&'a str),
    Item {
        indent: usize,
        marker: &'a str,
        text: &'a str,
    },
    TableRow,
    Text {
        indent: usize,
        text: &'a str,
    },
}

/// Leading indentation in columns (a tab counts 4) and the rest of the line.
pub fn indentation(line: &str) -> (usize, &str) {
    let mut cols = 0;
    for (i, ch) in line.char_indices() {
        match ch {
            ' ' => cols += 1,
            '\t' => cols += 4,
            _ => return (cols, &line[i..]),
        }
    }
    (cols, "")
}

pub fn classify(line: &str) -> Line<'_> {
    let (indent, rest) = indentation(line);
    if rest.is_empty() {
        return Line::Blank;
    }
    if let Some(fence) = fence(indent, rest) {
        return fence;
    }
    if indent <= 3 {
        if is_rule(rest) {
            return Line::Rule;
        }
        if let Some(heading) = heading(rest) {
            return heading;
        }
        if let Some(quoted) = rest.strip_prefix('>') {
            return Line::Quote(quoted.strip_prefix(' ').unwrap_or(quoted));
        }
        if rest.starts_with('|') {
            return Line::TableRow;
        }
    }
    if let Some((marker, text)) = item(rest) {
        return Line::Item {
            indent,
            marker,
            text,
        };
    }
    Line::Text { indent, text: rest }
}

fn fence(indent: usize, rest: &str) -> Option<Line<'_>> {
    let ch = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.chars().take_while(|c| *c == ch).count();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some(Line::Fence {
        indent,
        ch,
        len,
        info,
    })
}

/// Whether `line` closes a fence of `len` × `ch`.
pub fn closes_fence(line: &str, ch: char, len: usize) -> bool {
    let rest = line.trim();
    let run = rest.chars().take_while(|c| *c == ch).count();
    run >= len && rest[run * ch.len_utf8()..].trim().is_empty()
}

fn is_rule(rest: &str) -> bool {
    let Some(ch) = rest.chars().next().filter(|c| matches!(c, '-' | '*' | '_')) else {
        return false;
    };
    let mut count = 0;
    for c in rest.chars() {
        match c {
            c if c == ch => count += 1,
            ' ' | '\t' => {}
            _ => return false,
        }
    }
    count >= 3
}

fn heading(rest: &str) -> Option<Line<'_>> {
    let level = rest.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let after = &rest[level..];
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let text = after.trim();
    // A closing run of `#` is not part of the heading.
    let text = match text.trim_end_matches('#') {
        t if t.is_empty() || t.ends_with([' ', '\t']) => t.trim_end(),
        _ => text,
    };
    Some(Line::Heading { level, text })
}

/// A list marker (`-`, `*`, `+`, `1.`, `1)`) followed by a space or the end of the line.
fn item(rest: &str) -> Option<(&str, &str)> {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let marker_len = if digits == 0 {
        usize::from(rest.starts_with(['-', '*', '+']))
    } else if digits <= 9 && rest[digits..].starts_with(['.', ')']) {
        digits + 1
    } else {
        0
    };
    if marker_len == 0 {
        return None;
    }
    let after = &rest[marker_len..];
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    Some((&rest[..marker_len], after.trim_start()))
}

/// What a line still being received will certainly be, if that is already known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Predicted<'a> {
    /// Plain text: a paragraph line (or a continuation of the open one).
    Text(&'a str),
    /// A list item; its text so far.
    Item {
        indent: usize,
        marker: &'a str,
        text: &'a str,
    },
}

pub fn predict(partial: &str) -> Option<Predicted<'_>> {
    let (indent, rest) = indentation(partial);
    let first = rest.chars().next()?;
    // Only these characters can start anything but a paragraph line.
    if !matches!(first, '#' | '>' | '|' | '`' | '~' | '-' | '*' | '_' | '+')
        && !first.is_ascii_digit()
    {
        return Some(Predicted::Text(rest));
    }
    let (marker, text) = item(rest)?;
    // `- - -` is a rule: the item is certain once its text starts with a letter or digit.
    text.chars()
        .next()
        .filter(|c| c.is_alphanumeric())
        .map(|_| Predicted::Item {
            indent,
            marker,
            text,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_block_starts() {
        assert_eq!(
            classify("## Plan ##"),
            Line::Heading {
                level: 2,
                text: "Plan"
            }
        );
        assert_eq!(classify("- - -"), Line::Rule);
        assert_eq!(classify("> quoted"), Line::Quote("quoted"));
        assert_eq!(classify("| a |"), Line::TableRow);
        assert_eq!(
            classify("  12) step"),
            Line::Item {
                indent: 2,
                marker: "12)",
                text: "step"
            }
        );
        assert_eq!(
            classify("```bash"),
            Line::Fence {
                indent: 0,
                ch: '`',
                len: 3,
                info: "bash"
            }
        );
        assert_eq!(
            classify("#hashtag"),
            Line::Text {
                indent: 0,
                text: "#hashtag"
            }
        );
        assert_eq!(classify("   "), Line::Blank);
    }

    #[test]
    fn fence_closing() {
        assert!(closes_fence("```", '`', 3));
        assert!(closes_fence("  ````  ", '`', 3));
        assert!(!closes_fence("``` x", '`', 3));
        assert!(!closes_fence("~~~", '`', 3));
    }

    #[test]
    fn predictions_are_certain_only() {
        assert_eq!(predict("Hello the"), Some(Predicted::Text("Hello the")));
        assert_eq!(predict("- "), None);
        assert_eq!(predict("- -"), None);
        assert!(matches!(predict("1. Run"), Some(Predicted::Item { .. })));
        assert_eq!(predict("#"), None);
        assert_eq!(predict("`"), None);
        assert_eq!(
            predict("\"Quoted\" text"),
            Some(Predicted::Text("\"Quoted\" text"))
        );
        assert_eq!(predict("2024 was"), None);
    }
}

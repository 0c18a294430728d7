//! Small markdown building blocks the document renderers share: the `___` blank, bullet and
//! numbered lists that show a blank when empty. Pure string functions.

use std::fmt::Write as _;

/// What a missing value renders as.
pub const BLANK: &str = "___";

/// The value, or `___` when it is missing or only whitespace.
pub fn or_blank(value: Option<&str>) -> &str {
    match value {
        Some(v) if !v.trim().is_empty() => v,
        _ => BLANK,
    }
}

/// `- item` lines; `- ___` when there are none.
pub fn bullets(items: &[String]) -> String {
    if items.is_empty() {
        return format!("- {BLANK}\n");
    }
    items.iter().fold(String::new(), |mut md, item| {
        let _ = writeln!(md, "- {}", or_blank(Some(item)));
        md
    })
}

/// `1. item` lines; `1. ___` when there are none.
pub fn numbered(items: &[String]) -> String {
    if items.is_empty() {
        return format!("1. {BLANK}\n");
    }
    items
        .iter()
        .enumerate()
        .fold(String::new(), |mut md, (i, item)| {
            let _ = writeln!(md, "{}. {}", i + 1, or_blank(Some(item)));
            md
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks() {
        assert_eq!(or_blank(None), "___");
        assert_eq!(or_blank(Some("  ")), "___");
        assert_eq!(bullets(&[]), "- ___\n");
        assert_eq!(numbered(&["a".into(), "b".into()]), "1. a\n2. b\n");
    }
}

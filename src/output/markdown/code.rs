//! Fenced code: syntax highlighting by the fence's language with syntect's bundled syntaxes and
//! themes (loaded on the first coloured code block, then kept for the life of `Output`), one
//! line at a time so a code block streams line by line. Unknown languages and uncoloured output
//! stay plain text.

use syntect::highlighting::{
    HighlightIterator, HighlightState, Highlighter as ThemeHighlighter, Theme, ThemeSet,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};

use super::style::{Color, Piece, Style};

/// The syntaxes and the theme.
pub struct Highlighter {
    syntaxes: SyntaxSet,
    theme: Theme,
}

impl Highlighter {
    pub fn load() -> Self {
        let syntaxes = SyntaxSet::load_defaults_newlines();
        let mut themes = ThemeSet::load_defaults().themes;
        let theme = themes
            .remove("base16-ocean.dark")
            .or_else(|| themes.into_values().next())
            .unwrap_or_default();
        Highlighter { syntaxes, theme }
    }
}

/// The highlighting state of one open code block (owned, so it can live beside the assets).
pub struct CodeBlock {
    state: Option<(ParseState, HighlightState)>,
}

impl CodeBlock {
    /// Starts a block in `lang` (the first word of the fence's info string); `None` assets or
    /// an unknown language give plain lines.
    pub fn new(highlighter: Option<&Highlighter>, lang: &str) -> Self {
        let state = highlighter.and_then(|h| {
            if lang.is_empty() {
                return None;
            }
            let syntax = h.syntaxes.find_syntax_by_token(lang)?;
            let theme = ThemeHighlighter::new(&h.theme);
            Some((
                ParseState::new(syntax),
                HighlightState::new(&theme, ScopeStack::new()),
            ))
        });
        CodeBlock { state }
    }

    /// One line of code (without its newline) as styled pieces.
    pub fn line(&mut self, highlighter: Option<&Highlighter>, line: &str) -> Vec<Piece> {
        if let (Some((parse, highlight)), Some(h)) = (self.state.as_mut(), highlighter) {
            let with_newline = format!("{line}\n");
            if let Ok(ops) = parse.parse_line(&with_newline, &h.syntaxes) {
                let theme = ThemeHighlighter::new(&h.theme);
                return HighlightIterator::new(highlight, &ops, &with_newline, &theme)
                    .map(|(style, text)| {
                        let c = style.foreground;
                        Piece::new(
                            text.trim_end_matches('\n'),
                            Style::fg(Color::Rgb(c.r, c.g, c.b)),
                        )
                    })
                    .filter(|p| !p.text.is_empty())
                    .collect();
            }
        }
        vec![Piece::new(line, Style::default())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_language_gets_colours_and_keeps_the_text() {
        let h = Highlighter::load();
        let mut block = CodeBlock::new(Some(&h), "bash");
        let pieces = block.line(Some(&h), "echo \"hi\" # note");
        let text: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(text, "echo \"hi\" # note");
        assert!(pieces.len() > 1, "{pieces:?}");
        assert!(pieces.iter().all(|p| p.style.fg.is_some()));
    }

    #[test]
    fn unknown_language_is_plain() {
        let h = Highlighter::load();
        let mut block = CodeBlock::new(Some(&h), "no-such-language");
        assert_eq!(
            block.line(Some(&h), "x = 1"),
            vec![Piece::new("x = 1", Style::default())]
        );
    }
}

//! Styled text for the terminal renderer: a `Style` (bold, italic, colour …), a `Piece` of text
//! in one style, and how a piece is written (SGR codes only when colour is on). Every piece is
//! wrapped in its own codes, so what is printed for a prefix of a line is a prefix of what is
//! printed for the whole line: the stream can append and never has to redraw.

use std::fmt::Write as _;

/// A foreground colour: one of the eight ANSI colours, or 24-bit (syntax highlighting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Ansi(u8),
    Rgb(u8, u8, u8),
}

pub const MAGENTA: Color = Color::Ansi(5);
pub const CYAN: Color = Color::Ansi(6);
pub const GREEN: Color = Color::Ansi(2);
pub const BLUE: Color = Color::Ansi(4);
pub const YELLOW: Color = Color::Ansi(3);

/// How a piece of text looks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
    pub strike: bool,
    pub fg: Option<Color>,
}

impl Style {
    pub fn dim() -> Self {
        Style {
            dim: true,
            ..Style::default()
        }
    }

    pub fn fg(color: Color) -> Self {
        Style {
            fg: Some(color),
            ..Style::default()
        }
    }

    fn is_plain(self) -> bool {
        self == Style::default()
    }

    /// The SGR parameters, e.g. `1;3;35`.
    fn codes(self) -> String {
        let mut codes: Vec<String> = Vec::new();
        for (on, code) in [
            (self.bold, "1"),
            (self.dim, "2"),
            (self.italic, "3"),
            (self.underline, "4"),
            (self.strike, "9"),
        ] {
            if on {
                codes.push(code.to_owned());
            }
        }
        match self.fg {
            Some(Color::Ansi(n)) => codes.push(format!("{}", 30 + n)),
            Some(Color::Rgb(r, g, b)) => codes.push(format!("38;2;{r};{g};{b}")),
            None => {}
        }
        codes.join(";")
    }
}

/// Text in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub style: Style,
}

impl Piece {
    pub fn new(text: impl Into<String>, style: Style) -> Self {
        Piece {
            text: text.into(),
            style,
        }
    }
}

/// Writes `piece` to `out`, in its style when `color` is on.
pub fn write_piece(out: &mut String, piece: &Piece, color: bool) {
    if piece.text.is_empty() {
        return;
    }
    if color && !piece.style.is_plain() {
        let _ = write!(out, "\x1b[{}m{}\x1b[0m", piece.style.codes(), piece.text);
    } else {
        out.push_str(&piece.text);
    }
}

/// Display width of `text` in terminal columns.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// Display width of one character (0 for combining marks).
pub fn char_width(ch: char) -> usize {
    unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_or_uncoloured_pieces_have_no_codes() {
        let mut out = String::new();
        write_piece(&mut out, &Piece::new("a", Style::default()), true);
        write_piece(&mut out, &Piece::new("b", Style::dim()), false);
        assert_eq!(out, "ab");
    }

    #[test]
    fn styled_piece_is_wrapped_in_its_codes() {
        let mut out = String::new();
        let style = Style {
            italic: true,
            ..Style::fg(MAGENTA)
        };
        write_piece(&mut out, &Piece::new("x", style), true);
        assert_eq!(out, "\x1b[3;35mx\x1b[0m");
    }

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(width("日本"), 4);
        assert_eq!(width("abc"), 3);
    }
}

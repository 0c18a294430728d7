//! A paragraph or list item while it streams: its lines so far, the prefix of its first and
//! other rows (bullet, indentation, quote bars) and what of it is already on screen. Every new
//! render is printed only as far as it extends what is shown, so nothing is taken back.

use super::blocks::Ctx;
use super::inline;
use super::style::{Piece, Style};

/// A paragraph or list item: wrapped text that can stream. `printed` is what is on screen; a
/// new render is printed only when it extends `printed`, and only when its inline markup is
/// settled (no delimiter left open that later text could close).
pub struct Flow {
    /// A list item rather than a paragraph.
    pub item: bool,
    first: Vec<Piece>,
    rest: Vec<Piece>,
    base: Style,
    pub lines: Vec<String>,
    printed: String,
}

impl Flow {
    pub fn new(item: bool, first: Vec<Piece>, rest: Vec<Piece>, base: Style) -> Self {
        Flow {
            item,
            first,
            rest,
            base,
            lines: Vec::new(),
            printed: String::new(),
        }
    }

    fn render(&self, extra: Option<&str>, width: usize, color: bool, last: bool) -> Option<String> {
        let mut text = self.lines.join("\n");
        if let Some(extra) = extra {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(extra);
        }
        let parsed = inline::parse(&text, self.base);
        if !parsed.settled && !last {
            return None;
        }
        let rows = inline::wrap(&parsed.tokens, width, &self.first, &self.rest);
        Some(inline::write_rows(&rows, color))
    }

    /// Prints what the text so far (plus `extra`, a settled prefix of the line in flight)
    /// adds to the screen.
    pub fn advance(&mut self, extra: Option<&str>, width: usize, ctx: &mut Ctx) {
        if let Some(shown) = self.render(extra, width, ctx.color, false)
            && let Some(added) = shown.strip_prefix(self.printed.as_str())
        {
            ctx.out.push_str(added);
            self.printed = shown;
        }
    }

    pub fn close(self, width: usize, ctx: &mut Ctx) {
        let shown = self
            .render(None, width, ctx.color, true)
            .unwrap_or_default();
        let common = common_prefix(&self.printed, &shown);
        ctx.out.push_str(&shown[common..]);
        ctx.out.push('\n');
    }
}

/// Byte length of the common prefix of `a` and `b`, on a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

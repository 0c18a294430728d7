//! A paragraph or list item while it streams: its lines so far, the prefix of its first and
//! other rows (bullet, indentation, quote bars) and what of it is already on screen. Every new
//! render is printed only as far as it extends what is shown, so nothing is taken back.
//!
//! A render whose text is settled (no delimiter left open) ends a stretch for good: later text
//! cannot change how it parses or wraps. The flow then keeps a `Cut` there, the wrap's open
//! row and where in the lines the stretch ends, and later renders parse and wrap only the text
//! after it. A long paragraph streamed word by word so costs its length once, not once per
//! word; a text that stays unsettled is laid out whole, as it must be.

use super::blocks::Ctx;
use super::inline::{self, Row, Token, Wrapper};
use super::style::{Piece, Style};

/// A paragraph or list item: wrapped text that can stream. `printed` is what is on screen
/// after `done`; a new render is printed only when it extends `printed`, and only when its
/// inline markup is settled (no delimiter left open that later text could close).
pub struct Flow {
    /// A list item rather than a paragraph.
    pub item: bool,
    first: Vec<Piece>,
    rest: Vec<Piece>,
    base: Style,
    pub lines: Vec<String>,
    /// The rows on screen for good, each with its newline: everything before the cut's row.
    done: String,
    printed: String,
    cut: Option<Cut>,
}

/// Where the text laid out for good ends: in source line `line` (an index into the lines, the
/// line still arriving being the next one), after `byte` bytes. The wrap's open row there is on
/// screen as the first `shown` bytes after `done`, `width` columns wide.
struct Cut {
    line: usize,
    byte: usize,
    /// The few bytes before `byte`, to notice if that line is not the text that was cut.
    check: String,
    width: usize,
    shown: usize,
}

/// One render: what the screen shows after `done`, and a cut at its end when it can take one
/// (with the bytes of `shown` before the open row, which then join `done`).
struct Layout {
    shown: String,
    cut: Option<(Cut, usize)>,
}

/// Bytes kept in `Cut::check`.
const CHECK: usize = 16;

impl Flow {
    pub fn new(item: bool, first: Vec<Piece>, rest: Vec<Piece>, base: Style) -> Self {
        Flow {
            item,
            first,
            rest,
            base,
            lines: Vec::new(),
            done: String::new(),
            printed: String::new(),
            cut: None,
        }
    }

    /// Source line `i`: one of the lines, or `extra` right after them.
    fn line_at<'a>(&'a self, i: usize, extra: Option<&'a str>) -> Option<&'a str> {
        match self.lines.get(i) {
            Some(line) => Some(line),
            None if i == self.lines.len() => extra,
            None => None,
        }
    }

    /// The text after the cut, when the lines still hold the text that was cut.
    fn after_cut(&self, cut: &Cut, extra: Option<&str>) -> Option<String> {
        let line = self.line_at(cut.line, extra)?;
        let before = line.get(..cut.byte)?;
        if !before.ends_with(cut.check.as_str()) {
            return None;
        }
        let mut text = line[cut.byte..].to_owned();
        for i in cut.line + 1.. {
            let Some(next) = self.line_at(i, extra) else {
                break;
            };
            text.push('\n');
            text.push_str(next);
        }
        Some(text)
    }

    fn render(&self, extra: Option<&str>, width: usize, color: bool, last: bool) -> Option<Layout> {
        let resumed = self
            .cut
            .as_ref()
            .and_then(|cut| Some((cut, self.after_cut(cut, extra)?)));
        let is_resumed = resumed.is_some();
        // Resumed, the wrap continues the open row from its width; its pieces so far are on
        // screen already and are not written again.
        let (mut wrapper, text) = if let Some((cut, text)) = resumed {
            let row = Row {
                pieces: Vec::new(),
                width: cut.width,
            };
            (Wrapper::new(row, true), text)
        } else {
            let mut text = self.lines.join("\n");
            if let Some(extra) = extra {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(extra);
            }
            (Wrapper::new(Row::starting_with(&self.first), false), text)
        };
        let parsed = inline::parse(&text, self.base);
        if !parsed.settled && !last {
            return None;
        }
        if is_resumed {
            // The parse drops the whitespace the text starts with: what it was in the whole.
            let lead = &text[..text.len() - text.trim_start().len()];
            if let Some(token) = lead_token(lead, self.base) {
                wrapper.feed(&[token], width, &self.rest);
            }
        }
        wrapper.feed(&parsed.tokens, width, &self.rest);
        let can_cut = parsed.settled
            && wrapper.at_word_end()
            && text
                .chars()
                .next_back()
                .is_some_and(|c| !c.is_whitespace() && c != '\\');
        let rows = wrapper.finish();
        let mut shown = match &self.cut {
            Some(cut) if is_resumed => self.printed[..cut.shown.min(self.printed.len())].to_owned(),
            _ => String::new(),
        };
        let mut open_start = 0;
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                shown.push('\n');
                open_start = shown.len();
            }
            inline::write_pieces(&mut shown, &row.pieces, color);
        }
        let open_width = rows.last().map_or(0, |row| row.width);
        if !is_resumed && !self.done.is_empty() {
            // A whole render shows `done` again; what follows it is this flow's news. (Only when
            // the lines changed under a cut, which the block machine never does; the end of
            // the answer then still prints everything `done` lacks.)
            let skip = match shown.strip_prefix(self.done.as_str()) {
                Some(_) => self.done.len(),
                None if last => common_prefix(&self.done, &shown),
                None => return None,
            };
            shown.drain(..skip);
            open_start = open_start.saturating_sub(skip);
        }
        let cut = can_cut.then(|| {
            let line = match extra {
                Some(_) => self.lines.len(),
                None => self.lines.len().saturating_sub(1),
            };
            let source = self.line_at(line, extra).unwrap_or("");
            let mut from = source.len().saturating_sub(CHECK);
            while !source.is_char_boundary(from) {
                from += 1;
            }
            let cut = Cut {
                line,
                byte: source.len(),
                check: source[from..].to_owned(),
                width: open_width,
                shown: shown.len() - open_start,
            };
            (cut, open_start)
        });
        Some(Layout { shown, cut })
    }

    /// Prints what the text so far (plus `extra`, a settled prefix of the line in flight)
    /// adds to the screen.
    pub fn advance(&mut self, extra: Option<&str>, width: usize, ctx: &mut Ctx) {
        let Some(layout) = self.render(extra, width, ctx.color, false) else {
            return;
        };
        let Some(added) = layout.shown.strip_prefix(self.printed.as_str()) else {
            return;
        };
        ctx.out.push_str(added);
        self.printed = layout.shown;
        if let Some((cut, done)) = layout.cut {
            self.done.push_str(&self.printed[..done]);
            self.printed.drain(..done);
            self.cut = Some(cut);
        }
    }

    /// How many bytes of source line `line` are behind the cut (laid out for good).
    pub fn cut_in(&self, line: usize) -> usize {
        self.cut
            .as_ref()
            .filter(|cut| cut.line == line)
            .map_or(0, |cut| cut.byte)
    }

    pub fn close(self, width: usize, ctx: &mut Ctx) {
        let shown = self
            .render(None, width, ctx.color, true)
            .map(|layout| layout.shown)
            .unwrap_or_default();
        let common = common_prefix(&self.printed, &shown);
        ctx.out.push_str(&shown[common..]);
        ctx.out.push('\n');
    }
}

/// The token the whitespace between a cut and the text after it stands for: a hard break
/// when a line ended in two spaces, a space otherwise (none when there is none).
fn lead_token(lead: &str, base: Style) -> Option<Token> {
    if lead.is_empty() {
        return None;
    }
    match lead.split_once('\n') {
        Some((before, _)) if before.ends_with("  ") => Some(Token::Break),
        _ => Some(Token::Space(base)),
    }
}

/// Byte length of the common prefix of `a` and `b`, on a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

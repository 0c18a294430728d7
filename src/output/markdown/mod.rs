//! Markdown on a terminal, append-only: `MarkdownStream` takes an answer's text deltas as they
//! arrive and returns what may be printed now. Finished lines and blocks are committed once and
//! never redrawn (the cursor never moves up): headings, rules and code lines when their line
//! ends, a table when it is complete, paragraph and list-item words as soon as their place and
//! style cannot change. The result depends only on the text, not on how it was split into
//! deltas. Block structure is read line by line here (`lines`, `blocks`); inline markup,
//! tables and links are parsed by pulldown-cmark (`inline`, `table`); code is highlighted by
//! syntect (`code`). Without colour the same layout is printed with no escape codes.

mod blocks;
mod code;
mod flow;
mod inline;
mod lines;
mod style;
mod table;

pub use crate::config::RenderChoice;
use blocks::{Ctx, Machine};

/// The narrowest layout width.
const MIN_WIDTH: usize = 20;

/// One streaming renderer; reused across answers (the highlighter stays loaded).
pub struct MarkdownStream {
    ctx: Ctx,
    machine: Machine,
    width: usize,
    /// The line still arriving, its length when a prefix of it was last tried, and how much
    /// of it was then still open to layout (not behind the open paragraph's cut).
    partial: String,
    tried: usize,
    held: usize,
}

impl MarkdownStream {
    /// A renderer laying out to `width` columns, with colour (SGR codes) or without.
    pub fn new(width: usize, color: bool) -> Self {
        let width = width.max(MIN_WIDTH);
        MarkdownStream {
            ctx: Ctx {
                color,
                highlighter: None,
                out: String::new(),
            },
            machine: Machine::new(width),
            width,
            partial: String::new(),
            tried: 0,
            held: 0,
        }
    }

    /// Lays out to `width` from the next answer on (not while one is open).
    pub fn set_width(&mut self, width: usize) {
        let width = width.max(MIN_WIDTH);
        if self.machine.is_idle() && self.partial.is_empty() && width != self.width {
            self.width = width;
            self.machine = Machine::new(width);
        }
    }

    /// Takes the next delta; returns the output it completes.
    pub fn push(&mut self, text: &str) -> String {
        let mut rest = text;
        while let Some(end) = rest.find('\n') {
            self.partial.push_str(&rest[..end]);
            let line = std::mem::take(&mut self.partial);
            self.machine
                .line(line.trim_end_matches('\r'), &mut self.ctx);
            self.tried = 0;
            self.held = 0;
            rest = &rest[end + 1..];
        }
        self.partial.push_str(rest);
        // The line is laid out again once what is still open in it grew by a quarter: word by
        // word while its paragraph settles as it goes (each try lays out only the text after
        // the last settled point), and a linear number of times over a line that stays
        // unsettled (an open `**` or backtick), which must be laid out whole.
        let grown = self.partial.len().saturating_sub(self.tried);
        if !rest.is_empty() && grown > self.held / 4 && rest.contains([' ', '\t']) {
            self.tried = self.partial.len();
            self.machine.partial(&self.partial, &mut self.ctx);
            self.held = self
                .partial
                .len()
                .saturating_sub(self.machine.settled_in_line());
        }
        std::mem::take(&mut self.ctx.out)
    }

    /// Ends the answer: prints what is still held (an unfinished line counts as finished) and
    /// gets ready for the next one.
    pub fn finish(&mut self) -> String {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.machine
                .line(line.trim_end_matches('\r'), &mut self.ctx);
        }
        self.machine.close(&mut self.ctx);
        self.machine = Machine::new(self.width);
        self.tried = 0;
        self.held = 0;
        std::mem::take(&mut self.ctx.out)
    }

    /// Renders a whole document at once.
    pub fn render(&mut self, text: &str) -> String {
        let mut out = self.push(text);
        out.push_str(&self.finish());
        out
    }
}

#[cfg(test)]
mod tests;

//! The block machine: complete lines in, finished output out. Headings and rules print when
//! their line ends; code prints line by line (highlighted, fences removed); a table prints
//! once, aligned, when a line that is not a row ends it; a paragraph or list item prints word
//! by word as far as its layout is settled (see `Flow`). Block quotes run a nested machine with
//! a `│ ` frame. Nothing printed is ever taken back.

use super::code::{CodeBlock, Highlighter};
use super::flow::Flow;
use super::inline::{self, Row};
use super::lines::{self, Line, Predicted};
use super::style::{GREEN, MAGENTA, Piece, Style, YELLOW, width};
use super::table;

/// What every machine shares: colour, the code highlighter (loaded on first use) and the
/// output not yet handed out.
pub struct Ctx {
    pub color: bool,
    pub highlighter: Option<Highlighter>,
    pub out: String,
}

pub struct Machine {
    width: usize,
    /// Printed at the start of every row (quote bars).
    frame: Vec<Piece>,
    block: Block,
    pending_blank: bool,
    wrote: bool,
}

enum Block {
    None,
    Flow(Flow),
    Fence(Fence),
    Table(Vec<String>),
    Quote(Box<Machine>),
}

struct Fence {
    ch: char,
    len: usize,
    indent: usize,
    code: CodeBlock,
}

fn spaces(n: usize) -> Piece {
    Piece::new(" ".repeat(n), Style::default())
}

impl Machine {
    pub fn new(width: usize) -> Self {
        Machine::framed(width, Vec::new())
    }

    fn framed(width: usize, frame: Vec<Piece>) -> Self {
        Machine {
            width,
            frame,
            block: Block::None,
            pending_blank: false,
            wrote: false,
        }
    }

    /// True when no block is open (the width may change then).
    pub fn is_idle(&self) -> bool {
        matches!(self.block, Block::None) && !self.wrote
    }

    /// Starts a block's output: one blank line first when the source had one.
    fn begin(&mut self, ctx: &mut Ctx) {
        if self.pending_blank && self.wrote {
            ctx.out.push('\n');
        }
        self.pending_blank = false;
        self.wrote = true;
    }

    fn framed_with(&self, extra: &[Piece]) -> Vec<Piece> {
        let mut v = self.frame.clone();
        v.extend_from_slice(extra);
        v
    }

    /// One complete line (without its newline).
    pub fn line(&mut self, line: &str, ctx: &mut Ctx) {
        let kind = lines::classify(line);
        match &mut self.block {
            Block::Fence(fence) => {
                if lines::closes_fence(line, fence.ch, fence.len) {
                    self.block = Block::None;
                } else {
                    let strip = fence.indent;
                    let code = strip_indent(line, strip);
                    let pieces = fence.code.line(ctx.highlighter.as_ref(), &code);
                    let mut row = Row::default();
                    for p in self
                        .framed_with(&[spaces(strip + 2)])
                        .into_iter()
                        .chain(pieces)
                    {
                        row.push(p);
                    }
                    ctx.out.push_str(&inline::write_rows(&[row], ctx.color));
                    ctx.out.push('\n');
                }
                return;
            }
            Block::Table(rows) if kind == Line::TableRow => {
                rows.push(line.to_owned());
                return;
            }
            Block::Quote(inner) => {
                if let Line::Quote(rest) = kind {
                    inner.line(rest, ctx);
                    return;
                }
            }
            Block::Flow(flow) => {
                let continues = match kind {
                    Line::Text { text, .. } => Some(text),
                    Line::Item { text, .. } if flow.item && flow.lines.is_empty() => Some(text),
                    _ => None,
                };
                if let Some(text) = continues {
                    flow.lines.push(text.to_owned());
                    flow.advance(None, self.width, ctx);
                    return;
                }
            }
            Block::Table(_) | Block::None => {}
        }
        self.close(ctx);
        self.open(kind, line, ctx);
    }

    fn open(&mut self, kind: Line<'_>, line: &str, ctx: &mut Ctx) {
        match kind {
            Line::Blank => self.pending_blank = true,
            Line::Heading { level, text } => {
                self.begin(ctx);
                let style = Style {
                    bold: true,
                    underline: level == 1,
                    ..Style::fg(MAGENTA)
                };
                let marks = "#".repeat(level);
                let first = self.framed_with(&[Piece::new(format!("{marks} "), style)]);
                let rest = self.framed_with(&[spaces(level + 1)]);
                let mut flow = Flow::new(false, first, rest, style);
                flow.lines.push(text.to_owned());
                flow.close(self.width, ctx);
            }
            Line::Rule => {
                self.begin(ctx);
                let frame = width(
                    &self
                        .frame
                        .iter()
                        .map(|p| p.text.as_str())
                        .collect::<String>(),
                );
                let mut row = Row::default();
                for p in self.framed_with(&[Piece::new(
                    "─".repeat(self.width.saturating_sub(frame).max(3)),
                    Style::dim(),
                )]) {
                    row.push(p);
                }
                ctx.out.push_str(&inline::write_rows(&[row], ctx.color));
                ctx.out.push('\n');
            }
            Line::Fence {
                indent,
                ch,
                len,
                info,
            } => {
                self.begin(ctx);
                let lang = info.split_whitespace().next().unwrap_or("");
                if ctx.color && !lang.is_empty() && ctx.highlighter.is_none() {
                    ctx.highlighter = Some(Highlighter::load());
                }
                let code = CodeBlock::new(ctx.highlighter.as_ref().filter(|_| ctx.color), lang);
                self.block = Block::Fence(Fence {
                    ch,
                    len,
                    indent,
                    code,
                });
            }
            Line::Quote(rest) => {
                self.begin(ctx);
                let bar = Piece::new("│ ", Style::fg(GREEN));
                let mut inner = Machine::framed(self.width, self.framed_with(&[bar]));
                inner.line(rest, ctx);
                self.block = Block::Quote(Box::new(inner));
            }
            Line::TableRow => {
                self.begin(ctx);
                self.block = Block::Table(vec![line.to_owned()]);
            }
            Line::Item {
                indent,
                marker,
                text,
            } => {
                self.begin(ctx);
                let mut flow = self.item(indent, marker);
                flow.lines.push(task_marker(text));
                flow.advance(None, self.width, ctx);
                self.block = Block::Flow(flow);
            }
            Line::Text { indent, text } => {
                self.begin(ctx);
                let mut flow = self.paragraph(indent);
                flow.lines.push(text.to_owned());
                flow.advance(None, self.width, ctx);
                self.block = Block::Flow(flow);
            }
        }
    }

    fn paragraph(&self, indent: usize) -> Flow {
        let pad = indent.min(8);
        let first = self.framed_with(&[spaces(pad)]);
        let rest = first.clone();
        Flow::new(false, first, rest, Style::default())
    }

    fn item(&self, indent: usize, marker: &str) -> Flow {
        let pad = indent.min(12);
        let shown = if marker.ends_with(['.', ')']) {
            marker.to_owned()
        } else {
            match pad {
                0 | 1 => "•",
                2..=3 => "◦",
                _ => "▪",
            }
            .to_owned()
        };
        let hang = pad + width(&shown) + 1;
        let first =
            self.framed_with(&[spaces(pad), Piece::new(shown, Style::fg(YELLOW)), spaces(1)]);
        let rest = self.framed_with(&[spaces(hang)]);
        Flow::new(true, first, rest, Style::default())
    }

    /// The line still arriving: streams its settled words when it certainly continues or
    /// starts a paragraph or list item.
    pub fn partial(&mut self, partial: &str, ctx: &mut Ctx) {
        let Some(cut) = partial.rfind([' ', '\t']) else {
            return;
        };
        let settled = &partial[..cut];
        match lines::predict(settled) {
            Some(Predicted::Text(text)) => {
                if let Block::Flow(flow) = &mut self.block {
                    flow.advance(Some(text), self.width, ctx);
                    return;
                }
                if matches!(self.block, Block::Fence(_)) {
                    return;
                }
                self.close(ctx);
                self.begin(ctx);
                let (indent, _) = lines::indentation(settled);
                let mut flow = self.paragraph(indent);
                flow.advance(Some(text), self.width, ctx);
                self.block = Block::Flow(flow);
            }
            Some(Predicted::Item {
                indent,
                marker,
                text,
            }) => {
                if matches!(self.block, Block::Fence(_)) {
                    return;
                }
                if let Block::Flow(flow) = &mut self.block
                    && flow.item
                    && flow.lines.is_empty()
                {
                    flow.advance(Some(text), self.width, ctx);
                    return;
                }
                self.close(ctx);
                self.begin(ctx);
                let mut flow = self.item(indent, marker);
                flow.advance(Some(text), self.width, ctx);
                self.block = Block::Flow(flow);
            }
            None => {}
        }
    }

    /// How many bytes of the line in flight are laid out for good (see `Flow`'s cut).
    pub fn settled_in_line(&self) -> usize {
        match &self.block {
            Block::Flow(flow) => flow.cut_in(flow.lines.len()),
            Block::Quote(inner) => inner.settled_in_line(),
            _ => 0,
        }
    }

    /// Ends the open block, printing what it still holds.
    pub fn close(&mut self, ctx: &mut Ctx) {
        match std::mem::replace(&mut self.block, Block::None) {
            Block::None | Block::Fence(_) => {}
            Block::Flow(flow) => flow.close(self.width, ctx),
            Block::Quote(mut inner) => inner.close(ctx),
            Block::Table(rows) => {
                if let Some(laid_out) = table::layout(&rows, &self.frame) {
                    ctx.out.push_str(&inline::write_rows(&laid_out, ctx.color));
                    ctx.out.push('\n');
                } else {
                    let mut flow = self.paragraph(0);
                    flow.lines = rows.iter().map(|r| format!("{r}  ")).collect();
                    flow.close(self.width, ctx);
                }
            }
        }
    }
}

/// Removes up to `cols` columns of leading spaces; tabs become four spaces.
fn strip_indent(line: &str, cols: usize) -> String {
    let expanded = line.replace('\t', "    ");
    let leading = expanded.len() - expanded.trim_start_matches(' ').len();
    expanded[leading.min(cols)..].to_owned()
}

/// `[ ] ` and `[x] ` at the start of an item become check boxes.
fn task_marker(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("[ ] ") {
        format!("☐ {rest}")
    } else if let Some(rest) = text
        .strip_prefix("[x] ")
        .or_else(|| text.strip_prefix("[X] "))
    {
        format!("☑ {rest}")
    } else {
        text.to_owned()
    }
}

//! Paints a `Layout`: three rows of boxes per tier, and between tiers a band of connector rows —
//! a stem (or the merge of a replicated component's boxes), one horizontal track per component
//! that fans out or shifts sideways, then the `▼` row. Lines are kept as direction bits per
//! cell, so junctions (`┬ ┴ ├ ┤ ┼`) come out right wherever lines meet.

use super::Graph;
use super::layout::{Layout, Slot};

const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 4;
const RIGHT: u8 = 8;

/// A character (boxes, labels, arrows) or line bits per net (the source a line belongs to).
#[derive(Clone, Default)]
struct Cell {
    ch: Option<char>,
    nets: Vec<(usize, u8)>,
}

impl Cell {
    /// Lines of different nets that only cross show the vertical one (no junction drawn);
    /// lines of one net, or nets that meet, get the junction their bits make.
    fn glyph(&self) -> char {
        if let Some(ch) = self.ch {
            return ch;
        }
        let all = self.nets.iter().fold(0, |acc, &(_, b)| acc | b);
        let pure = |mask: u8| self.nets.iter().any(|&(_, b)| b & !mask == 0);
        let crossing = self.nets.len() > 1
            && self
                .nets
                .iter()
                .all(|&(_, b)| b & !(UP | DOWN) == 0 || b & !(LEFT | RIGHT) == 0)
            && pure(UP | DOWN)
            && pure(LEFT | RIGHT);
        if crossing { '│' } else { glyph(all) }
    }
}

#[derive(Default)]
struct Canvas {
    rows: Vec<Vec<Cell>>,
    /// The net lines drawn now belong to.
    net: usize,
}

impl Canvas {
    fn cell(&mut self, row: usize, col: i64) -> &mut Cell {
        let col = usize::try_from(col).unwrap_or(0);
        if self.rows.len() <= row {
            self.rows.resize(row + 1, Vec::new());
        }
        let line = &mut self.rows[row];
        if line.len() <= col {
            line.resize(col + 1, Cell::default());
        }
        &mut line[col]
    }

    fn text(&mut self, row: usize, col: i64, text: &str) {
        for (k, ch) in (col..).zip(text.chars()) {
            self.cell(row, k).ch = Some(ch);
        }
    }

    fn line(&mut self, row: usize, col: i64, bits: u8) {
        let net = self.net;
        let cell = self.cell(row, col);
        match cell.nets.iter_mut().find(|(n, _)| *n == net) {
            Some((_, b)) => *b |= bits,
            None => cell.nets.push((net, bits)),
        }
    }

    /// A horizontal line from `a` to `b` (either order) on `row`.
    fn hline(&mut self, row: usize, a: i64, b: i64) {
        let (lo, hi) = (a.min(b), a.max(b));
        for col in lo..=hi {
            let mut bits = 0;
            if col > lo {
                bits |= LEFT;
            }
            if col < hi {
                bits |= RIGHT;
            }
            self.line(row, col, bits);
        }
    }

    /// A vertical line through rows `from..to` (exclusive) at `col`.
    fn vline(&mut self, from: usize, to: usize, col: i64) {
        for row in from..to {
            self.line(row, col, UP | DOWN);
        }
    }

    fn finish(self) -> String {
        let mut out = String::new();
        for row in self.rows {
            let line: String = row.iter().map(Cell::glyph).collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

fn glyph(bits: u8) -> char {
    match bits {
        0 => ' ',
        b if b == UP | DOWN || b == UP || b == DOWN => '│',
        b if b == LEFT | RIGHT || b == LEFT || b == RIGHT => '─',
        b if b == DOWN | RIGHT => '┌',
        b if b == DOWN | LEFT => '┐',
        b if b == UP | RIGHT => '└',
        b if b == UP | LEFT => '┘',
        b if b == UP | DOWN | RIGHT => '├',
        b if b == UP | DOWN | LEFT => '┤',
        b if b == DOWN | LEFT | RIGHT => '┬',
        b if b == UP | LEFT | RIGHT => '┴',
        _ => '┼',
    }
}

/// Paints the whole diagram.
pub fn paint(graph: &Graph<'_>, layout: &Layout) -> String {
    let mut canvas = Canvas::default();
    let mut row = 0;
    for (t, tier) in layout.tiers.iter().enumerate() {
        for &id in tier {
            paint_slot(&mut canvas, graph, layout, id, row);
        }
        row += 3;
        if t + 1 < layout.tiers.len() {
            row = paint_band(&mut canvas, layout, tier, row);
        }
    }
    canvas.finish()
}

fn has_children(layout: &Layout, id: usize) -> bool {
    layout.edges.iter().any(|&(from, _)| from == id)
}

fn paint_slot(canvas: &mut Canvas, graph: &Graph<'_>, layout: &Layout, id: usize, row: usize) {
    let slot = &layout.slots[id];
    let Some(node) = slot.node else {
        canvas.net = id;
        canvas.vline(row, row + 3, slot.x);
        return;
    };
    let w = slot.box_width;
    let inner = usize::try_from(w - 2).unwrap_or(0);
    let bar = "─".repeat(inner);
    let mut right_edge = slot.x;
    for (label, centre) in slot.labels.iter().zip(slot.centres_abs()) {
        let left = centre - w / 2;
        let len = label.chars().count().min(inner);
        let pad = (inner - len) / 2;
        canvas.text(row, left, &format!("┌{bar}┐"));
        let shown: String = label.chars().take(len).collect();
        let body = format!(
            "│{}{shown}{}│",
            " ".repeat(pad),
            " ".repeat(inner - len - pad)
        );
        canvas.text(row + 1, left, &body);
        canvas.text(row + 2, left, &format!("└{bar}┘"));
        if has_children(layout, id) {
            canvas.text(row + 2, centre, "┬");
        }
        right_edge = left + w;
    }
    if let Some(note) = graph.components[node]
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        canvas.text(row + 1, right_edge + 1, &format!("({note})"));
    }
}

/// Paints the connectors below `tier`, starting at `row`; returns the first row after them.
fn paint_band(canvas: &mut Canvas, layout: &Layout, tier: &[usize], row: usize) -> usize {
    struct Source<'a> {
        id: usize,
        slot: &'a Slot,
        targets: Vec<(i64, bool)>,
    }
    let mut sources: Vec<Source<'_>> = tier
        .iter()
        .filter(|&&id| has_children(layout, id))
        .map(|&id| {
            let targets = layout
                .edges
                .iter()
                .filter(|&&(from, _)| from == id)
                .flat_map(|&(_, to)| {
                    let target = &layout.slots[to];
                    target
                        .centres_abs()
                        .map(move |c| (c, target.node.is_some()))
                })
                .collect();
            Source {
                id,
                slot: &layout.slots[id],
                targets,
            }
        })
        .collect();
    sources.sort_by_key(|s| s.slot.out_abs());
    let needs_track = |s: &Source<'_>| s.targets.iter().any(|&(c, _)| c != s.slot.out_abs());
    // Track rows: a source shares a row with others whose lines it does not touch, or with
    // sources going to exactly the same targets (their lines merge, as they should).
    let mut rows: Vec<Vec<(i64, i64, Vec<i64>)>> = Vec::new();
    let mut track_of = vec![None; sources.len()];
    for (k, source) in sources.iter().enumerate() {
        if !needs_track(source) {
            continue;
        }
        let x = source.slot.out_abs();
        let mut targets: Vec<i64> = source.targets.iter().map(|&(c, _)| c).collect();
        targets.sort_unstable();
        let lo = targets.iter().copied().fold(x, i64::min);
        let hi = targets.iter().copied().fold(x, i64::max);
        let free = |row: &Vec<(i64, i64, Vec<i64>)>| {
            row.iter()
                .all(|(l, h, t)| *t == targets || hi + 1 < *l || *h + 1 < lo)
        };
        let r = rows.iter().position(free).unwrap_or_else(|| {
            rows.push(Vec::new());
            rows.len() - 1
        });
        rows[r].push((lo, hi, targets));
        track_of[k] = Some(r);
    }
    let tracks = rows.len();
    let merges = sources.iter().any(|s| s.slot.centres.len() > 1);
    let arrow = row + 1 + tracks + usize::from(merges && tracks == 0);
    for (k, source) in sources.iter().enumerate() {
        canvas.net = source.id;
        let x = source.slot.out_abs();
        if source.slot.centres.len() > 1 {
            let centres: Vec<i64> = source.slot.centres_abs().collect();
            canvas.hline(row, centres[0], centres[centres.len() - 1]);
            for &c in &centres {
                canvas.line(row, c, UP);
            }
            canvas.line(row, x, DOWN);
        } else {
            canvas.line(row, x, UP | DOWN);
        }
        let turn = track_of[k].map_or(arrow, |r| row + 1 + r);
        canvas.vline(row + 1, turn, x);
        if turn < arrow {
            canvas.line(turn, x, UP);
            for &(c, _) in &source.targets {
                canvas.hline(turn, x, c);
                canvas.line(turn, c, DOWN);
                canvas.vline(turn + 1, arrow, c);
            }
        }
        for &(c, is_box) in &source.targets {
            if is_box {
                canvas.text(arrow, c, "▼");
            } else {
                canvas.line(arrow, c, UP | DOWN);
            }
        }
    }
    arrow + 1
}

//! A finished table block laid out with aligned columns: pulldown-cmark parses the rows and
//! the alignment row, cells keep their inline styles, columns are as wide as their widest cell
//! (unicode-width aware) and honour `:--`, `:-:` and `--:`. Returns `None` when the lines are not
//! a table, so the caller renders them as a paragraph.

use pulldown_cmark::{Alignment, Event, Options, Parser, Tag, TagEnd};

use super::inline::{self, Row, Token};
use super::style::{self, Piece, Style};

struct Table {
    align: Vec<Alignment>,
    header: Vec<Vec<Piece>>,
    rows: Vec<Vec<Vec<Piece>>>,
}

/// The rows of the laid-out table, each starting with `prefix`.
pub fn layout(lines: &[String], prefix: &[Piece]) -> Option<Vec<Row>> {
    let table = parse(&lines.join("\n"))?;
    let columns = table
        .rows
        .iter()
        .chain(std::iter::once(&table.header))
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in table.rows.iter().chain(std::iter::once(&table.header)) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell_width(cell));
        }
    }
    let bar = Style::dim();
    let mut out = Vec::new();
    out.push(row_of(&table.header, &widths, &table.align, prefix, true));
    let mut rule = start(prefix);
    let line: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
    rule.push(Piece::new(line.join("┼"), bar));
    out.push(rule);
    for row in &table.rows {
        out.push(row_of(row, &widths, &table.align, prefix, false));
    }
    Some(out)
}

fn start(prefix: &[Piece]) -> Row {
    let mut row = Row::default();
    for p in prefix {
        row.push(p.clone());
    }
    row
}

fn cell_width(cell: &[Piece]) -> usize {
    cell.iter().map(|p| style::width(&p.text)).sum()
}

fn row_of(
    cells: &[Vec<Piece>],
    widths: &[usize],
    align: &[Alignment],
    prefix: &[Piece],
    header: bool,
) -> Row {
    let mut row = start(prefix);
    let empty = Vec::new();
    for (i, width) in widths.iter().enumerate() {
        if i > 0 {
            row.push(Piece::new("│", Style::dim()));
        }
        let cell = cells.get(i).unwrap_or(&empty);
        let pad = width - cell_width(cell);
        let (left, right) = match align.get(i) {
            Some(Alignment::Right) => (pad, 0),
            Some(Alignment::Center) => (pad / 2, pad - pad / 2),
            _ => (0, pad),
        };
        row.push(Piece::new(" ".repeat(left + 1), Style::default()));
        for piece in cell {
            let mut piece = piece.clone();
            piece.style.bold |= header;
            row.push(piece);
        }
        // No trailing spaces after the last column.
        if i + 1 < widths.len() {
            row.push(Piece::new(" ".repeat(right + 1), Style::default()));
        }
    }
    row
}

fn parse(text: &str) -> Option<Table> {
    let mut table = None;
    let mut cell_source: Option<String> = None;
    let mut row: Vec<Vec<Piece>> = Vec::new();
    let mut in_head = false;
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::Table(align)) => {
                table = Some(Table {
                    align,
                    header: Vec::new(),
                    rows: Vec::new(),
                });
            }
            Event::Start(Tag::TableHead) => in_head = true,
            Event::Start(Tag::TableCell) => cell_source = Some(text[range].to_owned()),
            Event::End(TagEnd::TableCell) => {
                let source = cell_source.take().unwrap_or_default();
                row.push(cell_pieces(&source));
            }
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                if let Some(t) = table.as_mut() {
                    t.header = std::mem::take(&mut row);
                }
            }
            Event::End(TagEnd::TableRow) if !in_head => {
                if let Some(t) = table.as_mut() {
                    t.rows.push(std::mem::take(&mut row));
                }
            }
            _ => {}
        }
    }
    table
}

/// A cell's inline markdown as one line of pieces (spaces kept single).
fn cell_pieces(source: &str) -> Vec<Piece> {
    let text = source.trim().trim_matches('|').trim();
    let inline = inline::parse(text, Style::default());
    let mut pieces = Vec::new();
    for token in inline.tokens {
        match token {
            Token::Word(word) => pieces.extend(word),
            Token::Space(style) if !pieces.is_empty() => pieces.push(Piece::new(" ", style)),
            Token::Break if !pieces.is_empty() => pieces.push(Piece::new(" ", Style::default())),
            Token::Space(_) | Token::Break => {}
        }
    }
    while pieces.last().is_some_and(|p| p.text == " ") {
        pieces.pop();
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[&str]) -> Option<String> {
        let lines: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        layout(&lines, &[]).map(|rows| inline::write_rows(&rows, false))
    }

    #[test]
    fn columns_are_aligned() {
        let out = plain(&[
            "| Tier | RPO |",
            "|---|--:|",
            "| **gold** | 5 min |",
            "| bronze | 24 h |",
        ]);
        assert_eq!(
            out.as_deref(),
            Some(" Tier   │   RPO\n────────┼───────\n gold   │ 5 min\n bronze │  24 h")
        );
    }

    #[test]
    fn lines_without_a_delimiter_row_are_not_a_table() {
        assert_eq!(plain(&["| a | b |", "| c | d |"]), None);
    }

    #[test]
    fn wide_cells_align_by_display_width() {
        let out = plain(&["| a | b |", "|---|---|", "| 日本 | x |"]).unwrap_or_default();
        assert!(out.ends_with(" 日本 │ x"), "{out}");
        assert!(out.starts_with(" a    │ b"), "{out}");
    }
}

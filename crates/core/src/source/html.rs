//! HTML tables saved as ".xls" by some platforms' "Excel export": the first `<table>` with rows.
//!
//! A small, forgiving tokenizer rather than a browser-grade parser: exports are machine-written
//! tables, so `<tr>`, `<td>`/`<th>` (with `colspan` and `rowspan`), `<br>` and entities are what
//! matter. Spans become empty cells, as Excel shows a merged area (the value in its top-left cell):
//! an ERP that merges an order's cells over its item rows reads like the same export saved as xlsx.
//! Nested tables contribute their text to the enclosing cell. Every step advances through the
//! input, so no input can make it loop forever.
//!
//! Why not html5ever (through `scraper`) or `tl`: both build a whole DOM first (several times the
//! file in memory) and neither knows a table model, so colspan/rowspan bombs would still have to be
//! defused here; the tokenizer below is linear, already forgiving of the unclosed tags real ERPs
//! write, and small enough to fuzz thoroughly.
//!
//! Cost is linear in the input plus the cells it produces: rowspans are kept as "covered until
//! row n" per column (no per-row bookkeeping), every cell pushed — fillers under spans included —
//! counts against [`MAX_DENSE_CELLS`], and cells past Excel's 16,384 columns are left out.

use super::limits::{self, MAX_DENSE_CELLS};
use super::row::MAX_COLUMNS;
use super::Cell;

/// Colspans beyond this are treated as 1 (a hostile `colspan=1000000000` must not allocate).
const MAX_COLSPAN: usize = 1000;
/// Rowspans beyond this are treated as 1 (a merged cell taller than Excel's sheet is not real).
const MAX_ROWSPAN: usize = 100_000;
/// A tag longer than this is text with a stray `<` (no real tag is this long).
const MAX_TAG_BYTES: usize = 1 << 20;
/// How many tags are handled between two looks at the cancel flag.
const CANCEL_EVERY: u32 = 4096;

/// One parsed row with a flag for cells over the size limit.
pub(crate) struct Table {
    pub rows: Vec<Vec<Cell>>,
    /// (0-based row, bytes) of the first cell over `max_cell_bytes`.
    pub too_large: Option<(usize, usize)>,
    /// The 0-based row of the first row with cells past [`MAX_COLUMNS`] (they were left out).
    pub columns_dropped_at: Option<usize>,
}

/// Why parsing stopped.
#[derive(Debug)]
pub(crate) enum HtmlError {
    /// Over [`MAX_DENSE_CELLS`]; the detail is for the message.
    TooLarge(String),
    Cancelled,
}

impl HtmlError {
    pub(crate) fn into_error(self, path: &std::path::Path) -> crate::error::Error {
        match self {
            HtmlError::TooLarge(detail) => limits::too_large(path, detail),
            HtmlError::Cancelled => crate::error::Error::Cancelled,
        }
    }
}

/// Parses the first table that has at least one row; `cancelled` is asked every few thousand tags.
pub(crate) fn parse_first_table(
    html: &str,
    max_cell_bytes: usize,
    cancelled: &dyn Fn() -> bool,
) -> Result<Table, HtmlError> {
    let mut parser = Parser { max_cell_bytes, ..Parser::default() };
    parser.run(html, cancelled)?;
    parser.finish_table();
    parser.error.take().map_or(Ok(()), Err)?;
    Ok(Table {
        rows: parser.done.unwrap_or_default(),
        too_large: parser.too_large,
        columns_dropped_at: parser.columns_dropped_at,
    })
}

#[derive(Default)]
struct Parser {
    max_cell_bytes: usize,
    depth: usize,
    rows: Vec<Vec<Cell>>,
    row: Option<Vec<Cell>>,
    cell: Option<CellText>,
    done: Option<Vec<Vec<Cell>>>,
    too_large: Option<(usize, usize)>,
    columns_dropped_at: Option<usize>,
    /// Per column: the first row index (`rows.len()`) no longer covered by a `rowspan` from above.
    covered_until: Vec<usize>,
    /// Cells pushed so far, span fillers included, against [`MAX_DENSE_CELLS`].
    cells_pushed: u64,
    error: Option<HtmlError>,
}

#[derive(Default)]
struct CellText {
    text: String,
    colspan: usize,
    rowspan: usize,
    /// Whitespace seen and not yet written (HTML collapses runs of whitespace to one space).
    pending_space: bool,
}

impl CellText {
    fn push_text(&mut self, raw: &str) {
        for c in raw.chars() {
            if c.is_ascii_whitespace() {
                self.pending_space = true;
            } else {
                self.flush_space();
                self.text.push(c);
            }
        }
    }

    fn push_decoded(&mut self, c: char) {
        self.flush_space();
        self.text.push(c);
    }

    fn flush_space(&mut self) {
        if self.pending_space && !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push(' ');
        }
        self.pending_space = false;
    }

    fn line_break(&mut self) {
        self.pending_space = false;
        self.text.push('\n');
    }
}

impl Parser {
    fn run(&mut self, html: &str, cancelled: &dyn Fn() -> bool) -> Result<(), HtmlError> {
        let mut rest = html;
        let mut tags = 0u32;
        while !rest.is_empty() && self.done.is_none() && self.error.is_none() {
            tags = tags.wrapping_add(1);
            if tags.is_multiple_of(CANCEL_EVERY) && cancelled() {
                return Err(HtmlError::Cancelled);
            }
            let Some(lt) = rest.find('<') else {
                self.text(rest);
                return Ok(());
            };
            let (text, from_lt) = rest.split_at(lt);
            self.text(text);
            rest = self.markup(from_lt);
        }
        Ok(())
    }

    /// Handles the markup at the start of `s` (which starts with `<`); returns what follows it.
    fn markup<'a>(&mut self, s: &'a str) -> &'a str {
        if let Some(comment) = s.strip_prefix("<!--") {
            return comment.find("-->").map_or("", |end| &comment[end + 3..]);
        }
        let Some(end) = tag_end(s) else {
            // A lone '<' in text (e.g. "<5件"): keep it as text.
            self.text("<");
            return &s[1..];
        };
        let tag = &s[1..end];
        let after = &s[end + 1..];
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let name_len = tag.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(tag.len());
        if name_len == 0 {
            // "< 5" or "<!DOCTYPE …": not an element we care about.
            if !tag.starts_with('!') && !tag.starts_with('?') {
                self.text(&s[..end + 1]);
            }
            return after;
        }
        let name = tag[..name_len].to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("script" | "style", false) => {
                let close = format!("</{name}");
                return find_ascii_ci(after, &close).map_or("", |at| &after[at..]);
            }
            ("table", false) => {
                self.depth += 1;
                if self.depth > 1 {
                    self.space();
                }
            }
            ("table", true) => {
                if self.depth == 1 {
                    self.finish_table();
                } else {
                    self.space();
                }
                self.depth = self.depth.saturating_sub(1);
            }
            ("tr", _) if self.depth == 1 => {
                self.finish_row();
                if !closing {
                    self.row = Some(Vec::new());
                }
            }
            ("td" | "th", _) if self.depth == 1 => {
                self.finish_cell();
                if !closing {
                    if self.row.is_none() {
                        self.row = Some(Vec::new());
                    }
                    let colspan = attribute(tag, "colspan")
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .filter(|&n| (1..=MAX_COLSPAN).contains(&n))
                        .unwrap_or(1);
                    let rowspan = attribute(tag, "rowspan")
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .filter(|&n| (1..=MAX_ROWSPAN).contains(&n))
                        .unwrap_or(1);
                    self.cell = Some(CellText { colspan, rowspan, ..CellText::default() });
                }
            }
            ("br", _) => {
                if let Some(cell) = &mut self.cell {
                    cell.line_break();
                }
            }
            ("td" | "th" | "tr", _) => self.space(),
            _ => {}
        }
        after
    }

    fn space(&mut self) {
        if let Some(cell) = &mut self.cell {
            cell.pending_space = true;
        }
    }

    fn text(&mut self, raw: &str) {
        let Some(cell) = &mut self.cell else { return };
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            cell.push_text(&rest[..amp]);
            let entity = &rest[amp..];
            match decode_entity(entity) {
                Some((c, len)) => {
                    cell.push_decoded(c);
                    rest = &entity[len..];
                }
                None => {
                    cell.push_decoded('&');
                    rest = &entity[1..];
                }
            }
        }
        cell.push_text(rest);
    }

    fn finish_cell(&mut self) {
        let Some(cell) = self.cell.take() else { return };
        let text = cell.text.trim_matches(|c: char| c.is_whitespace());
        let row_index = self.rows.len();
        if text.len() > self.max_cell_bytes && self.too_large.is_none() {
            self.too_large = Some((row_index, text.len()));
        }
        let row = self.row.get_or_insert_with(Vec::new);
        // Columns still covered by a rowspan from above come first, as empty cells.
        let start = (row.len()..MAX_COLUMNS)
            .find(|&col| self.covered_until.get(col).is_none_or(|&until| until <= row_index))
            .unwrap_or(MAX_COLUMNS);
        let end = start.saturating_add(cell.colspan.max(1)).min(MAX_COLUMNS);
        if start + cell.colspan.max(1) > MAX_COLUMNS {
            self.columns_dropped_at.get_or_insert(row_index);
        }
        self.cells_pushed += (end.max(row.len()) - row.len()) as u64;
        if self.cells_pushed > MAX_DENSE_CELLS {
            self.error = Some(HtmlError::TooLarge(format!(
                "网页表格展开合并单元格后超过 {} 万个单元格",
                MAX_DENSE_CELLS / 10_000
            )));
            return;
        }
        if start >= end {
            return;
        }
        row.resize(start, Cell::Empty);
        row.push(if text.is_empty() { Cell::Empty } else { Cell::Text(text.to_owned()) });
        row.resize(end, Cell::Empty);
        if cell.rowspan > 1 {
            if self.covered_until.len() < end {
                self.covered_until.resize(end, 0);
            }
            for until in &mut self.covered_until[start..end] {
                *until = row_index + cell.rowspan;
            }
        }
    }

    fn finish_row(&mut self) {
        self.finish_cell();
        if let Some(mut row) = self.row.take() {
            let end = row.iter().rposition(|c| !matches!(c, Cell::Empty)).map_or(0, |i| i + 1);
            row.truncate(end);
            self.rows.push(row);
        }
    }

    fn finish_table(&mut self) {
        self.finish_row();
        self.covered_until.clear();
        let rows = std::mem::take(&mut self.rows);
        if self.done.is_none() && rows.iter().any(|r| !r.is_empty()) {
            self.done = Some(rows);
        }
    }
}

/// The index of the `>` closing the tag at the start of `s`, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate().skip(1).take(MAX_TAG_BYTES) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            // A new tag starting means this '<' was text.
            (None, b'<') => return None,
            _ => {}
        }
    }
    None
}

/// The value of attribute `name` in a tag's text (`td colspan="2" class=x`).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = find_ascii_ci(tag, name)?;
    let rest = tag[at + name.len()..].trim_start().strip_prefix('=')?.trim_start();
    if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.split('"').next();
    }
    if let Some(quoted) = rest.strip_prefix('\'') {
        return quoted.split('\'').next();
    }
    rest.split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').next()
}

/// Case-insensitive search for an ASCII needle.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .filter(|&i| haystack.is_char_boundary(i))
}

/// Decodes the entity at the start of `s` (`&amp;`, `&#39;`, `&#x4E2D;`); returns the char and length.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let semi = s.bytes().take(12).position(|b| b == b';')?;
    let body = s.get(1..semi)?;
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        char::from_u32(code).unwrap_or('\u{FFFD}')
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            // Non-breaking spaces fill "empty" cells in exports; they are spaces to a shop owner.
            "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
            "yen" => '¥',
            "middot" => '·',
            "times" => '×',
            "divide" => '÷',
            "mdash" => '—',
            "ndash" => '–',
            "hellip" => '…',
            "ldquo" => '“',
            "rdquo" => '”',
            "lsquo" => '‘',
            "rsquo" => '’',
            "copy" => '©',
            "reg" => '®',
            "deg" => '°',
            _ => return None,
        }
    };
    Some((c, semi + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    #[test]
    fn html_entities_and_whitespace_are_decoded_like_a_browser() {
        let t = parse_first_table(
            "<table><tr><td> A&amp;B\n  C </td><td>&#x4E2D;&#25991;</td><td>&nbsp;</td><td>x<br/>y</td></tr></table>",
            1 << 20,
            &|| false,
        )
        .unwrap();
        assert_eq!(t.rows, vec![vec![text("A&B C"), text("中文"), Cell::Empty, text("x\ny")]]);
    }

    #[test]
    fn html_colspan_leaves_empty_cells_like_excel_merges() {
        let t =
            parse_first_table("<TABLE><TR><TH colspan=\"2\">标题</TH><TH>c</TH></TR></TABLE>", 1 << 20, &|| false)
                .unwrap();
        assert_eq!(t.rows, vec![vec![text("标题"), Cell::Empty, text("c")]]);
    }

    #[test]
    fn html_rowspan_leaves_empty_cells_below_like_excel_merges() {
        let html = "<table><tr><th>订单号</th><th>商品</th><th>实付金额</th></tr>\
            <tr><td rowspan=\"2\">A1</td><td>杯子</td><td rowspan=2>30</td></tr>\
            <tr><td>碟子</td></tr>\
            <tr><td>A2</td><td>碗</td><td>8</td></tr></table>";
        let t = parse_first_table(html, 1 << 20, &|| false).unwrap();
        assert_eq!(t.rows[1], vec![text("A1"), text("杯子"), text("30")]);
        assert_eq!(t.rows[2], vec![Cell::Empty, text("碟子")]);
        assert_eq!(t.rows[3], vec![text("A2"), text("碗"), text("8")]);
    }

    #[test]
    fn html_first_table_with_rows_wins_and_nested_tables_are_text() {
        let t = parse_first_table(
            "<table></table><table><tr><td>a<table><tr><td>in</td></tr></table>b</td></tr></table>\
             <table><tr><td>second</td></tr></table>",
            1 << 20,
            &|| false,
        )
        .unwrap();
        assert_eq!(t.rows, vec![vec![text("a in b")]]);
    }

    #[test]
    fn html_unclosed_tags_and_lone_angle_brackets_do_not_break_parsing() {
        let t = parse_first_table("<table><tr><td>a < b<td>c &unknown; d<tr><td>2", 1 << 20, &|| false).unwrap();
        assert_eq!(t.rows, vec![vec![text("a < b"), text("c &unknown; d")], vec![text("2")]]);
    }
}

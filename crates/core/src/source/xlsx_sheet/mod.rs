//! An xlsx/xlsm worksheet reader of our own that hands out exactly the rows calamine 0.38's cells
//! reader would (through `workbook`'s conversion to `Cell`), at a fraction of its cost.
//!
//! - `ahead` inflates the sheet part on a thread of its own, a few chunks ahead of the tokenizer.
//! - `scan` reads the inflated part through a sliding window and tokenizes it at the byte level: each
//!   `<c>` becomes a raw cell (position, type `t=`, style `s=`) and its value's text, borrowed from
//!   the window where it needs no unescaping (inline and `t="str"` strings read as calamine reads
//!   them: rich runs joined, phonetic runs left out, `_xHHHH_` escapes decoded).
//! - `Decoder` turns raw cells into `Cell`s (shared strings, numbers, booleans, errors, dates by
//!   style and the 1904 flag) and assembles rows in file order.
//!
//! The tokenizer and the decoder run on the caller's thread: the import already reads on a thread of
//! its own (`Source::for_each_row_batched`). Inflating is the one step split off, because the thread
//! that maps rows to orders waits for rows a good part of the time: the two cores share three steps.
//!
//! Exactness: the reader only answers for files it reads the way calamine does. Everything it does
//! not understand — an XML shape the tokenizer does not read, an unknown cell type, a bad number, a
//! missing shared string, a part it cannot find, an over-long cell, a file over its budget, rows out
//! of order — ends the fast read with [`Read::Fallback`], and `workbook` reads the file again with
//! calamine, skipping the rows already handed out (they were calamine's rows too) and charging the
//! budget from the start, so calamine gives its own rows and its own error from there. Only an
//! error of the caller's `f` is returned directly.

mod ahead;
mod parts;
mod scan;
mod xml;

use scan::{cell_ref, Kind, NO_STYLE};

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use calamine::{ExcelDateTime, ExcelDateTimeType};

use super::limits::Budget;
use super::row::RowBuffer;
use super::{Cell, MAX_CELL_BYTES};
use crate::error::Result;

use parts::Parts;

/// Excel's row limit (as `workbook`).
const MAX_ROWS: u32 = 1_048_576;

/// How a fast read ended.
pub(super) enum Read {
    /// Every row was handed out (or `f` stopped, or failed with the error here): the row buffer's
    /// budget and notes are the read's.
    Done(Result<()>, Box<RowBuffer>),
    /// Something this reader does not read as calamine does: rows `0..emitted` went to `f` already.
    Fallback { emitted: usize },
}

/// Whether the fast reader is used: on unless `TIERBOOK_XLSX_READER=calamine` (for comparisons).
pub(super) fn enabled() -> bool {
    std::env::var_os("TIERBOOK_XLSX_READER").is_none_or(|v| v != "calamine")
}

/// The parts of the workbook the reader needs, read once per source and shared by its reads.
pub(crate) struct Prepared {
    pub parts: Arc<Parts>,
    pub is_1904: bool,
}

/// The shared strings and number formats of an xlsx, read on a thread of their own while calamine
/// opens the workbook (which reads its own copy of the shared strings first): in an Excel-saved
/// million-row export that is ~0.25 s the first row would otherwise wait for, with no progress.
pub(crate) struct EarlyParts(std::thread::JoinHandle<Option<parts::Early>>);

/// Starts reading [`EarlyParts`] of the xlsx at `path`; `None` when the fast reader is off or no
/// thread can be made.
pub(super) fn read_early(path: &Path) -> Option<EarlyParts> {
    if !enabled() {
        return None;
    }
    let path = path.to_owned();
    let read = move || parts::read_early(&path);
    std::thread::Builder::new().name("xlsx shared strings".into()).spawn(read).ok().map(EarlyParts)
}

/// Reads the parts for `sheet` of the xlsx at `path`; `None` when the reader cannot be sure of them.
/// `styles` is the number of cell styles calamine read (its cells reader's `styles().len()`), a
/// cross-check of the style list this reader builds. `early`: what `read_early` started, if any.
pub(super) fn prepare(
    path: &Path,
    sheet: &str,
    styles: usize,
    is_1904: bool,
    early: Option<EarlyParts>,
) -> Option<Prepared> {
    let file = File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(BufReader::with_capacity(64 * 1024, file)).ok()?;
    // A thread that failed or panicked leaves the parts to be read here.
    let early = early.and_then(|EarlyParts(thread)| thread.join().ok().flatten());
    let parts = parts::read(&mut zip, sheet, early)?;
    if parts.formats.len() != styles {
        return None;
    }
    Some(Prepared { parts: Arc::new(parts), is_1904 })
}

/// Streams `sheet` (at zip path `parts.sheet_path`) of the xlsx at `path` to `f`, starting from
/// `budget`; see [`Read`].
pub(super) fn read(
    path: &Path,
    prepared: &Prepared,
    budget: Budget,
    f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
) -> Read {
    let mut decoder = Decoder { prepared, row: RowBuffer::with_budget(budget), current: None, next_index: 0 };
    let outcome = (|| {
        let file = File::open(path).ok()?;
        let mut zip = zip::ZipArchive::new(BufReader::with_capacity(64 * 1024, file)).ok()?;
        let cache = parts::path_cache(&zip)?;
        let part = parts::open_raw_part(&mut zip, &cache, &prepared.parts.sheet_path)?;
        std::thread::scope(|scope| {
            let mut window = scan::Window::new(ahead::ReadAhead::spawn(scope, part)?);
            let outcome = decoder.run(&mut window, f);
            // The inflating thread stops once its reader is gone; the scope then waits for it.
            drop(window);
            Some(outcome)
        })
    })()
    .unwrap_or(Outcome::Fallback);
    match outcome {
        Outcome::Done(result) => Read::Done(result, Box::new(decoder.row)),
        Outcome::Fallback => Read::Fallback { emitted: decoder.next_index },
    }
}

enum Outcome {
    Done(Result<()>),
    Fallback,
}

/// A value as calamine's `DataRef` would have it, borrowing the chunk or the shared strings.
enum Value<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Bool(bool),
    Date(ExcelDateTime),
    Error(&'a str),
}

struct Decoder<'p> {
    prepared: &'p Prepared,
    row: RowBuffer,
    current: Option<u32>,
    next_index: usize,
}

/// Why the decoder stopped a row: the caller's result, or a fallback.
enum Stop {
    Caller(Result<()>),
    Fallback,
}

impl<'p> Decoder<'p> {
    /// Reads the whole sheet part from `window`.
    fn run<R: std::io::Read>(
        &mut self,
        window: &mut scan::Window<R>,
        f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
    ) -> Outcome {
        match self.scan(window, f) {
            Ok(()) => match self.emit(f) {
                Ok(_) => Outcome::Done(Ok(())),
                Err(Stop::Caller(result)) => Outcome::Done(result),
                Err(Stop::Fallback) => Outcome::Fallback,
            },
            Err(Stop::Caller(result)) => Outcome::Done(result),
            Err(Stop::Fallback) => Outcome::Fallback,
        }
    }

    /// calamine's `XlsxCellReader`: up to `<sheetData>` (the dimension checked on the way), then each
    /// row and cell up to `</sheetData>`.
    fn scan<R: std::io::Read>(
        &mut self,
        window: &mut scan::Window<R>,
        f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
    ) -> std::result::Result<(), Stop> {
        use scan::{TagKind, P};
        if window.data().is_empty() {
            more(window)?;
        }
        if window.data().starts_with(b"\xEF\xBB\xBF") {
            window.pos += 3;
        }
        // The elements open (quick-xml refuses an end tag when there is none; see `scan::close`).
        let mut depth: u32 = 0;
        let close = |depth: &mut u32| match scan::close(depth) {
            P::Ok(()) => Ok(()),
            _ => Err(Stop::Fallback),
        };
        // The prelude: declaration, comments and elements before the sheet data.
        loop {
            let Some(lt) = memchr::memchr(b'<', window.data()) else {
                window.consume_all();
                more(window)?;
                continue;
            };
            window.pos += lt;
            let data = window.data();
            if data.starts_with(b"<?") || data.starts_with(b"<!--") {
                let (close, declaration): (&[u8], bool) =
                    if data.starts_with(b"<?") { (b"?>", data.starts_with(b"<?xml")) } else { (b"-->", false) };
                let from = if declaration || data.starts_with(b"<?") { 2 } else { 4 };
                let Some(end) = memchr::memmem::find(data.get(from..).unwrap_or_default(), close).map(|e| e + from)
                else {
                    more(window)?;
                    continue;
                };
                if declaration && !utf8_declaration(data.get(..end).unwrap_or_default()) {
                    return Err(Stop::Fallback);
                }
                window.pos += end + close.len();
                continue;
            }
            let Some(tag) = ready(scan::tag(data), window)? else { continue };
            let data = window.data();
            let name = scan::local(data.get(tag.name.clone()).unwrap_or_default());
            match tag.kind {
                TagKind::Start => depth += 1,
                TagKind::End => close(&mut depth)?,
                TagKind::Empty => {}
            }
            if tag.kind != TagKind::End {
                if name == b"dimension" {
                    let attrs = data.get(tag.attrs.clone()).unwrap_or_default();
                    let reference = match scan::raw_attr(attrs, b"ref") {
                        P::Ok(Some(reference)) => std::str::from_utf8(reference).map_err(|_| Stop::Fallback)?,
                        _ => return Err(Stop::Fallback),
                    };
                    dimension(reference).ok_or(Stop::Fallback)?;
                } else if name == b"sheetData" {
                    window.pos += tag.end;
                    if tag.kind == TagKind::Empty {
                        return Ok(());
                    }
                    break;
                }
            }
            window.pos += tag.end;
        }
        let mut row_index: u32 = 0;
        let mut col_index: u32 = 0;
        let mut scratch = String::new();
        loop {
            let Some(lt) = memchr::memchr(b'<', window.data()) else {
                // The text before the next element may go on: keep it whole if it has a reference.
                if memchr::memchr(b'&', window.data()).is_none() {
                    window.consume_all();
                }
                more(window)?;
                continue;
            };
            if !scan::references_closed(window.data().get(..lt).unwrap_or_default()) {
                return Err(Stop::Fallback);
            }
            window.pos += lt;
            let data = window.data();
            if data.starts_with(b"<!--") {
                // A comment between rows or cells: quick-xml (comments unchecked) skips it.
                let Some(end) = memchr::memmem::find(data.get(4..).unwrap_or_default(), b"-->").map(|e| e + 4) else {
                    more(window)?;
                    continue;
                };
                window.pos += end + 3;
                continue;
            }
            let Some(tag) = ready(scan::tag(data), window)? else { continue };
            let data = window.data();
            let name = scan::local(data.get(tag.name.clone()).unwrap_or_default());
            match (tag.kind, name) {
                (TagKind::Start | TagKind::Empty, b"c") => {
                    let cell = match scan::cell(data, &tag, row_index, col_index, depth, &mut scratch) {
                        P::Ok(cell) => cell,
                        P::More => {
                            more(window)?;
                            continue;
                        }
                        P::Bail => return Err(Stop::Fallback),
                    };
                    let raw = cell.text.unwrap_or(scratch.as_str());
                    self.cell(&cell, raw, f)?;
                    col_index = cell.col.checked_add(1).ok_or(Stop::Fallback)?;
                    depth = cell.depth;
                    window.pos += cell.end;
                }
                (TagKind::Start | TagKind::Empty, b"row") => {
                    let attrs = data.get(tag.attrs.clone()).unwrap_or_default();
                    if !attrs.is_ascii() && std::str::from_utf8(attrs).is_err() {
                        return Err(Stop::Fallback);
                    }
                    match scan::raw_attr(attrs, b"r") {
                        P::Ok(Some(r)) => row_index = cell_ref(r).ok_or(Stop::Fallback)?.0,
                        P::Ok(None) => {}
                        _ => return Err(Stop::Fallback),
                    }
                    if tag.kind == TagKind::Empty {
                        row_index = row_index.checked_add(1).ok_or(Stop::Fallback)?;
                        col_index = 0;
                    } else {
                        depth += 1;
                    }
                    window.pos += tag.end;
                }
                (TagKind::End, b"row") => {
                    close(&mut depth)?;
                    row_index = row_index.checked_add(1).ok_or(Stop::Fallback)?;
                    col_index = 0;
                    window.pos += tag.end;
                }
                (TagKind::End, b"sheetData") => return close(&mut depth),
                _ => return Err(Stop::Fallback),
            }
        }
    }

    /// Hands out the current row after the blank rows before it; `Ok(false)` when `f` stopped.
    fn emit(&mut self, f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>) -> std::result::Result<bool, Stop> {
        let Some(current) = self.current.take() else {
            return Ok(true);
        };
        let index = current as usize;
        while self.next_index < index {
            match f(self.next_index, &[]) {
                Ok(true) => {}
                Ok(false) => return Err(Stop::Caller(Ok(()))),
                Err(e) => return Err(Stop::Caller(Err(e))),
            }
            self.next_index += 1;
        }
        // A budget overrun is calamine's path's to report.
        if self.row.check(Path::new(""), index).is_err() {
            return Err(Stop::Fallback);
        }
        let more = f(index, self.row.cells());
        self.next_index = self.next_index.max(index + 1);
        self.row.clear();
        match more {
            Ok(true) => Ok(true),
            Ok(false) => Err(Stop::Caller(Ok(()))),
            Err(e) => Err(Stop::Caller(Err(e))),
        }
    }

    fn cell(
        &mut self,
        cell: &scan::CellOut<'_>,
        raw: &str,
        f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
    ) -> std::result::Result<(), Stop> {
        // calamine fails on a value while reading the cell, before the row before it is handed out.
        let value = self.value(cell, raw).ok_or(Stop::Fallback)?;
        let r = cell.row;
        if r >= MAX_ROWS {
            return Err(Stop::Fallback);
        }
        if self.current != Some(r) {
            if (r as usize) < self.next_index || self.current.is_some_and(|current| r < current) {
                return Err(Stop::Fallback);
            }
            self.emit(f)?;
            self.current = Some(r);
        }
        let col = cell.col as usize;
        match value {
            Value::Empty => self.row.set_empty(col),
            Value::Text(s) => {
                if s.len() > MAX_CELL_BYTES {
                    return Err(Stop::Fallback);
                }
                if s.is_empty() {
                    self.row.set_empty(col);
                } else {
                    self.row.set_text(col, s);
                }
            }
            Value::Number(x) => self.row.set(col, super::values::number_cell(x)),
            Value::Bool(b) => self.row.set(col, Cell::Bool(b)),
            Value::Date(d) => self.row.set(col, super::values::datetime_cell(&d)),
            Value::Error(e) => self.row.set(col, Cell::Error(e.to_owned())),
        }
        Ok(())
    }

    /// calamine's `read_v` on the raw text; `None` where calamine fails.
    fn value<'a>(&self, cell: &scan::CellOut<'_>, raw: &'a str) -> Option<Value<'a>>
    where
        'p: 'a,
    {
        let prepared: &'a Prepared = self.prepared;
        Some(match cell.kind {
            Kind::Empty => Value::Empty,
            Kind::Text => Value::Text(raw),
            Kind::Shared => {
                if raw.is_empty() {
                    return Some(Value::Empty);
                }
                let idx = atoi_simd::parse::<usize, true, false>(raw.as_bytes()).unwrap_or(0);
                Value::Text(prepared.parts.strings.get(idx)?)
            }
            Kind::Bool => {
                let v = raw.trim();
                if v.is_empty() {
                    Value::Empty
                } else if v == "0" || v.eq_ignore_ascii_case("false") {
                    Value::Bool(false)
                } else if v == "1" || v.eq_ignore_ascii_case("true") {
                    Value::Bool(true)
                } else {
                    return None;
                }
            }
            Kind::Error => match raw {
                "#DIV/0!" | "#N/A" | "#NAME?" | "#NULL!" | "#NUM!" | "#REF!" | "#VALUE!" => Value::Error(raw),
                _ => return None,
            },
            Kind::Number | Kind::General => {
                if raw.is_empty() {
                    return Some(Value::Empty);
                }
                match fast_float2::parse::<f64, _>(raw.as_bytes()) {
                    Ok(n) => {
                        let format = if cell.style == NO_STYLE {
                            Some(parts::NumFormat::Other)
                        } else {
                            prepared.parts.formats.get(cell.style).copied()
                        };
                        match format {
                            Some(parts::NumFormat::DateTime) => {
                                Value::Date(ExcelDateTime::new(n, ExcelDateTimeType::DateTime, prepared.is_1904))
                            }
                            Some(parts::NumFormat::TimeDelta) => {
                                Value::Date(ExcelDateTime::new(n, ExcelDateTimeType::TimeDelta, prepared.is_1904))
                            }
                            _ => Value::Number(n),
                        }
                    }
                    Err(_) if cell.kind == Kind::General => Value::Text(raw),
                    Err(_) => return None,
                }
            }
        })
    }
}

/// calamine's `get_dimension`, only checked: `None` where it fails (or would overflow).
fn dimension(text: &str) -> Option<()> {
    let parts: Vec<(u32, u32)> =
        text.split(':').map(|p| cell_ref(p.as_bytes()).and_then(|(r, c)| Some((r, c?)))).collect::<Option<_>>()?;
    match parts.as_slice() {
        [_] => Some(()),
        [a, b] => (b.0 >= a.0 && b.1 >= a.1).then_some(()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;

/// The element at the window's position needs more bytes: refill, or the part ended early.
fn more<R: std::io::Read>(window: &mut scan::Window<R>) -> std::result::Result<(), Stop> {
    match window.refill() {
        Some(true) => Ok(()),
        _ => Err(Stop::Fallback),
    }
}

/// `parsed`'s value; `None` once the window is refilled when it needs more bytes (parse again).
fn ready<T, R: std::io::Read>(
    parsed: scan::P<T>,
    window: &mut scan::Window<R>,
) -> std::result::Result<Option<T>, Stop> {
    match parsed {
        scan::P::Ok(value) => Ok(Some(value)),
        scan::P::More => more(window).map(|()| None),
        scan::P::Bail => Err(Stop::Fallback),
    }
}

/// Whether an XML declaration (`<?xml … ` up to `?>`) names UTF-8 or no encoding: quick-xml would
/// decode any other encoding, which this reader does not.
fn utf8_declaration(declaration: &[u8]) -> bool {
    let text = String::from_utf8_lossy(declaration).to_ascii_lowercase();
    match text.find("encoding") {
        None => true,
        Some(at) => {
            let rest = text.get(at + "encoding".len()..).unwrap_or_default();
            let value = rest.trim_start().trim_start_matches('=').trim_start();
            let value = value.trim_start_matches(['"', '\'']);
            value.starts_with("utf-8\"") || value.starts_with("utf-8'") || value.starts_with("utf8\"")
        }
    }
}

//! An xlsx/xlsm worksheet reader of our own, split over two threads, that hands out exactly the
//! rows calamine 0.38's cells reader would (through `workbook`'s conversion to `Cell`).
//!
//! - The **tokenizer** thread (`tokenize`) opens the sheet part itself, inflates it and runs
//!   quick-xml over it with calamine's configuration, turning each `<c>` into a raw cell: position,
//!   type (`t=`), style (`s=`) and the value's text in a shared arena (inline and `t="str"` strings
//!   already read as calamine reads them: rich runs joined, phonetic runs left out, `_xHHHH_`
//!   escapes decoded).
//! - The **calling** thread (`decode`) turns raw cells into `Cell`s (shared strings, numbers, booleans,
//!   errors, dates by style and the 1904 flag), assembles rows and hands them to the caller in file
//!   order. Chunks of cells travel over a bounded channel and come back to be reused; the order
//!   is the file's whatever the timing.
//!
//! Exactness: the reader only answers for files it reads the way calamine does. Everything it does
//! not understand — an XML or attribute error, an unknown cell type, a bad number, a missing shared
//! string, a part it cannot find, an over-long cell, a file over its budget, rows out of order — ends
//! the fast read with [`Read::Fallback`], and `workbook` reads the file again with calamine, skipping
//! the rows already handed out (they were calamine's rows too) and charging the budget from the
//! start, so calamine gives its own rows and its own error from there. Only an error of the caller's
//! `f` is returned directly.

mod parts;
mod xml;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::Reader;

use super::limits::Budget;
use super::row::RowBuffer;
use super::{Cell, MAX_CELL_BYTES};
use crate::error::Result;

use parts::Parts;

/// Excel's row limit (as `workbook`).
const MAX_ROWS: u32 = 1_048_576;

/// Cells per chunk handed from the tokenizer to the decoder.
const CHUNK_CELLS: usize = 4096;

/// Chunks on their way at once.
const IN_FLIGHT: usize = 4;

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

/// Reads the parts for `sheet` of the xlsx at `path`; `None` when the reader cannot be sure of them.
/// `styles` is the number of cell styles calamine read (its cells reader's `styles().len()`), a
/// cross-check of the style list this reader builds.
pub(super) fn prepare(path: &Path, sheet: &str, styles: usize, is_1904: bool) -> Option<Prepared> {
    let file = File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(BufReader::with_capacity(64 * 1024, file)).ok()?;
    let parts = parts::read(&mut zip, sheet)?;
    if parts.formats.len() != styles {
        return None;
    }
    Some(Prepared { parts: Arc::new(parts), is_1904 })
}

/// A cell's type attribute, as far as the decoder needs it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No value.
    Empty,
    /// Final text (inline string, `t="str"`, `t="d"`).
    Text,
    /// A `<v>` of `t="s"`: shared string index.
    Shared,
    /// `t="b"`.
    Bool,
    /// `t="e"`.
    Error,
    /// `t="n"`: a number, or an error if it is none.
    Number,
    /// No `t`: a number, or the text itself.
    General,
}

/// No `s=` on the cell.
const NO_STYLE: usize = usize::MAX;

#[derive(Clone, Copy)]
struct RawCell {
    row: u32,
    col: u32,
    kind: Kind,
    /// Index of the cell style (`atoi(s)` or 0 when unparsable, as calamine), or [`NO_STYLE`].
    style: usize,
    start: usize,
    end: usize,
}

#[derive(Default)]
struct Chunk {
    cells: Vec<RawCell>,
    text: String,
    /// The last chunk: `Some(true)` at `</sheetData>`, `Some(false)` when the tokenizer gave up.
    end: Option<bool>,
}

/// Streams `sheet` (at zip path `parts.sheet_path`) of the xlsx at `path` to `f`, starting from
/// `budget`; see [`Read`].
pub(super) fn read(
    path: &Path,
    prepared: &Prepared,
    budget: Budget,
    f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
) -> Read {
    let (full_tx, full_rx) = sync_channel::<Chunk>(IN_FLIGHT);
    let (empty_tx, empty_rx) = sync_channel::<Chunk>(IN_FLIGHT + 2);
    let sheet_path = prepared.parts.sheet_path.clone();
    std::thread::scope(|scope| {
        let tokenizer = scope.spawn(move || tokenize(path, &sheet_path, &full_tx, &empty_rx));
        let mut decoder = Decoder { prepared, row: RowBuffer::with_budget(budget), current: None, next_index: 0 };
        let outcome = decoder.run(&full_rx, &empty_tx, f);
        // The tokenizer stops at its next hand-over once nobody receives.
        drop(full_rx);
        let _ = tokenizer.join();
        match outcome {
            Outcome::Done(result) => Read::Done(result, Box::new(decoder.row)),
            Outcome::Fallback => Read::Fallback { emitted: decoder.next_index },
        }
    })
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
    fn run(
        &mut self,
        full: &Receiver<Chunk>,
        empty: &SyncSender<Chunk>,
        f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
    ) -> Outcome {
        while let Ok(mut chunk) = full.recv() {
            for cell in &chunk.cells {
                if let Err(stop) = self.cell(cell, &chunk.text, f) {
                    return match stop {
                        Stop::Caller(result) => Outcome::Done(result),
                        Stop::Fallback => Outcome::Fallback,
                    };
                }
            }
            match chunk.end {
                Some(true) => {
                    return match self.emit(f) {
                        Ok(_) => Outcome::Done(Ok(())),
                        Err(Stop::Caller(result)) => Outcome::Done(result),
                        Err(Stop::Fallback) => Outcome::Fallback,
                    };
                }
                Some(false) => return Outcome::Fallback,
                None => {}
            }
            chunk.cells.clear();
            chunk.text.clear();
            // The tokenizer may be gone (it sent its last chunk); a chunk not taken back is dropped.
            let _ = empty.try_send(chunk);
        }
        // The tokenizer ended without a last chunk (it panicked): calamine decides.
        Outcome::Fallback
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
        cell: &RawCell,
        text: &str,
        f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
    ) -> std::result::Result<(), Stop> {
        // calamine fails on a value while reading the cell, before the row before it is handed out.
        let raw = text.get(cell.start..cell.end).unwrap_or_default();
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
    fn value<'a>(&self, cell: &RawCell, raw: &'a str) -> Option<Value<'a>>
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
                Value::Text(prepared.parts.strings.get(idx)?.as_str())
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

/// The tokenizer thread: sends chunks of raw cells, the last one with its `end` set. A send that
/// fails means the decoder stopped: the thread ends.
fn tokenize(path: &Path, sheet_path: &str, full: &SyncSender<Chunk>, empty: &Receiver<Chunk>) {
    let mut chunk = Chunk::default();
    let finished = (|| {
        let file = File::open(path).ok()?;
        let mut zip = zip::ZipArchive::new(BufReader::with_capacity(64 * 1024, file)).ok()?;
        let cache = parts::path_cache(&zip)?;
        let mut xml = parts::open_part(&mut zip, &cache, sheet_path)?;
        Tokenizer::default().run(&mut xml, &mut chunk, full, empty)
    })();
    chunk.end = Some(finished == Some(true));
    let _ = full.send(chunk);
}

#[derive(Default)]
struct Tokenizer {
    buf: Vec<u8>,
    cell_buf: Vec<u8>,
    value_buf: Vec<u8>,
    text_buf: Vec<u8>,
    skip_buf: Vec<u8>,
    scratch: String,
}

impl Tokenizer {
    /// `Some(true)` at `</sheetData>`, `Some(false)` when the decoder hung up, `None` where calamine
    /// would fail or this reader is unsure.
    fn run<R: BufRead>(
        &mut self,
        xml: &mut Reader<R>,
        chunk: &mut Chunk,
        full: &SyncSender<Chunk>,
        empty: &Receiver<Chunk>,
    ) -> Option<bool> {
        // calamine's `XlsxCellReader::new`: up to `<sheetData>`, the dimension checked on the way.
        loop {
            self.buf.clear();
            match xml.read_event_into(&mut self.buf).ok()? {
                Event::Start(e) => match e.local_name().as_ref() {
                    "dimension" => dimension(xml::raw_attr(&e, "ref")??)?,
                    "sheetData" => break,
                    _ => {}
                },
                Event::Eof => return None,
                _ => {}
            }
        }
        let mut row_index: u32 = 0;
        let mut col_index: u32 = 0;
        loop {
            self.buf.clear();
            match xml.read_event_into(&mut self.buf).ok()? {
                Event::Start(e) if e.local_name().as_ref() == "row" => {
                    if let Some(r) = xml::raw_attr(&e, "r")? {
                        row_index = cell_ref(r)?.0;
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "row" => {
                    row_index = row_index.checked_add(1)?;
                    col_index = 0;
                }
                Event::Start(e) if e.local_name().as_ref() == "c" => {
                    let [r, s, t] = xml::attrs(&e, &["r", "s", "t"])?;
                    let (row, col) = match r {
                        Some(r) => {
                            let (row, col) = cell_ref(r)?;
                            let col = col?;
                            col_index = col;
                            (row, col)
                        }
                        None => (row_index, col_index),
                    };
                    let style =
                        s.map_or(NO_STYLE, |s| atoi_simd::parse::<usize, true, false>(s.as_bytes()).unwrap_or(0));
                    let t = cell_type(t)?;
                    // `e` borrows `buf`; what is needed of it is copied out above.
                    let mut kind = Kind::Empty;
                    let start = chunk.text.len();
                    // Out of `self` while its events are borrowed, so `read_value` can use the other buffers.
                    let mut cell_buf = std::mem::take(&mut self.cell_buf);
                    loop {
                        cell_buf.clear();
                        match xml.read_event_into(&mut cell_buf).ok()? {
                            Event::Start(v) => {
                                // Each element of the cell replaces the value before it, as in calamine.
                                chunk.text.truncate(start);
                                kind = self.read_value(xml, &v, t, &mut chunk.text)?;
                            }
                            Event::End(end) if end.local_name().as_ref() == "c" => break,
                            Event::Eof => return None,
                            _ => {}
                        }
                    }
                    self.cell_buf = cell_buf;
                    col_index = col_index.checked_add(1)?;
                    chunk.cells.push(RawCell { row, col, kind, style, start, end: chunk.text.len() });
                    if chunk.cells.len() >= CHUNK_CELLS || chunk.text.len() >= 1 << 20 {
                        let next = empty.try_recv().unwrap_or_default();
                        if full.send(std::mem::replace(chunk, next)).is_err() {
                            return Some(false);
                        }
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "sheetData" => return Some(true),
                Event::Eof => return None,
                _ => {}
            }
        }
    }

    /// calamine's `read_value` for the element `e` inside a cell, appending any text to `out`.
    fn read_value<R: BufRead>(
        &mut self,
        xml: &mut Reader<R>,
        e: &BytesStart<'_>,
        t: Type,
        out: &mut String,
    ) -> Option<Kind> {
        match e.local_name().as_ref() {
            "is" => {
                xml::read_string(xml, e.name(), &mut self.value_buf, &mut self.text_buf, &mut self.scratch, out)?;
                Some(Kind::Text)
            }
            "v" if t == Type::Inline => {
                self.skip(xml, e.name())?;
                Some(Kind::Empty)
            }
            "v" => match t {
                Type::N | Type::S | Type::B | Type::E | Type::None => {
                    self.value_buf.clear();
                    let kind = match xml.read_event_into(&mut self.value_buf).ok()? {
                        Event::Text(text) => {
                            out.push_str(&text);
                            match t {
                                Type::N => Kind::Number,
                                Type::S => Kind::Shared,
                                Type::B => Kind::Bool,
                                Type::E => Kind::Error,
                                _ => Kind::General,
                            }
                        }
                        Event::End(end) if end.name() == e.name() => return Some(Kind::Empty),
                        Event::Eof => return None,
                        _ => Kind::Empty,
                    };
                    self.skip(xml, e.name())?;
                    Some(kind)
                }
                Type::Str | Type::D => {
                    self.scratch.clear();
                    loop {
                        self.value_buf.clear();
                        match xml.read_event_into(&mut self.value_buf).ok()? {
                            Event::Text(text) => self.scratch.push_str(&text.xml10_content()),
                            Event::GeneralRef(r) => xml::unescape_entity(&r, &mut self.scratch)?,
                            Event::End(end) if end.name() == e.name() => break,
                            Event::Eof => return None,
                            _ => {}
                        }
                    }
                    if t == Type::Str {
                        xml::unescape_xml_into(&self.scratch, out);
                    } else {
                        out.push_str(&self.scratch);
                    }
                    Some(Kind::Text)
                }
                // An unknown cell type: calamine refuses it.
                Type::Inline | Type::Other => None,
            },
            "f" => {
                self.skip(xml, e.name())?;
                Some(Kind::Empty)
            }
            _ => None,
        }
    }

    fn skip<R: BufRead>(&mut self, xml: &mut Reader<R>, name: QName<'_>) -> Option<()> {
        self.skip_buf.clear();
        xml.read_to_end_into(name, &mut self.skip_buf).ok().map(|_| ())
    }
}

/// The `t=` attribute of a cell.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    None,
    N,
    S,
    B,
    E,
    Str,
    D,
    /// `inlineStr` or `is`.
    Inline,
    Other,
}

fn cell_type(t: Option<&str>) -> Option<Type> {
    Some(match t {
        None => Type::None,
        Some("n") => Type::N,
        Some("s") => Type::S,
        Some("b") => Type::B,
        Some("e") => Type::E,
        Some("str") => Type::Str,
        Some("d") => Type::D,
        Some("inlineStr" | "is") => Type::Inline,
        Some(_) => Type::Other,
    })
}

/// calamine's `get_row_and_optional_column`: (0-based row, 0-based column if any). `None` where
/// calamine fails or its arithmetic would overflow.
fn cell_ref(range: &str) -> Option<(u32, Option<u32>)> {
    let bytes = range.as_bytes();
    let mut i = 0;
    let mut col: u32 = 0;
    let mut row: u32 = 0;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'A'..=b'Z' => col = col.checked_mul(26)?.checked_add(u32::from(c - b'A') + 1)?,
            b'a'..=b'z' => col = col.checked_mul(26)?.checked_add(u32::from(c - b'a') + 1)?,
            b'0'..=b'9' => {
                row = u32::from(c - b'0');
                i += 1;
                break;
            }
            _ => return None,
        }
        i += 1;
    }
    while let Some(&c) = bytes.get(i) {
        match c {
            b'0'..=b'9' => row = row.checked_mul(10)?.checked_add(u32::from(c - b'0'))?,
            _ => return None,
        }
        i += 1;
    }
    Some((row.checked_sub(1)?, col.checked_sub(1)))
}

/// calamine's `get_dimension`, only checked: `None` where it fails (or would overflow).
fn dimension(text: &str) -> Option<()> {
    let parts: Vec<(u32, u32)> =
        text.split(':').map(|p| cell_ref(p).and_then(|(r, c)| Some((r, c?)))).collect::<Option<_>>()?;
    match parts.as_slice() {
        [_] => Some(()),
        [a, b] => (b.0 >= a.0 && b.1 >= a.1).then_some(()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;

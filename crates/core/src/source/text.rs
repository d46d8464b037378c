//! CSV and TSV sources: decoded to UTF-8 on the fly (GBK, UTF-16 …) and split into raw records by
//! the csv crate, one row at a time.
//!
//! Every field is handed out as text exactly as written (no trimming, no number parsing: a 19-digit
//! order id must survive); the `cell` module gives text its meaning.

use std::cell::Cell as StdCell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use encoding_rs::{Decoder, Encoding};

use super::row::RowBuffer;
use super::sniff::TextKind;
use super::{ReadState, MAX_CELL_BYTES};
use crate::error::{Error, Result};

/// A record larger than this cannot be a real order row; stop reading before memory runs out.
const MAX_RECORD_BYTES: u64 = 64 << 20;

/// Streams the records of a CSV/TSV file as rows of `Cell::Text`/`Cell::Empty`.
///
/// Blank lines are handed out as empty rows so that row indices match what Excel shows.
///
/// # Errors
/// `Io`, `CellTooLarge`, `FileTooLarge`, `Corrupt` (unreadable bytes mid-file, a record that never
/// ends), or whatever `f` returns.
pub(crate) fn for_each_row(
    path: &Path,
    kind: &TextKind,
    state: &mut ReadState,
    f: &mut dyn FnMut(usize, &[super::Cell]) -> Result<bool>,
) -> Result<()> {
    let file = File::open(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
    let guard = Rc::new(RecordGuard::default());
    let decoded = DecodeReader::new(file, kind.encoding, Rc::clone(&guard));
    let mut row = RowBuffer::with_budget(state.budget);
    let result = if kind.delimiter == super::sniff::WHITESPACE {
        for_each_spaced_row(path, decoded, &mut row, f)
    } else {
        for_each_record(path, kind, decoded, &guard, &mut row, f)
    };
    state.absorb(&row);
    state.notes.characters_replaced |= guard.replaced.get();
    result
}

/// The CSV/TSV loop of [`for_each_row`].
fn for_each_record(
    path: &Path,
    kind: &TextKind,
    decoded: DecodeReader<File>,
    guard: &RecordGuard,
    row: &mut RowBuffer,
    f: &mut dyn FnMut(usize, &[super::Cell]) -> Result<bool>,
) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(kind.delimiter)
        .buffer_capacity(64 * 1024)
        .from_reader(decoded);
    let mut record = csv::ByteRecord::new();
    let mut index = 0usize;
    // csv skips blank lines; to keep Excel's row numbers, count the lines each read consumed beyond
    // the record's own (its quoted newlines and its terminator). With CRLF the terminator's '\n' is
    // consumed by the next read, so the first record has none to subtract. Known gap: blank lines
    // right before a last record that has no trailing newline are counted one short.
    let mut lines_before = reader.position().line();
    let mut first = true;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => return Err(read_error(path, guard, index, e)),
        }
        let lines_after = reader.position().line();
        let inner = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        let terminator = u64::from(!(first && kind.crlf));
        let blanks = lines_after.saturating_sub(lines_before).saturating_sub(inner + terminator);
        lines_before = lines_after;
        guard.record_start.set(reader.position().byte());
        let sep_line = first && kind.sep_line;
        first = false;
        if sep_line {
            continue;
        }
        for _ in 0..blanks {
            if !f(index, &[])? {
                return Ok(());
            }
            index += 1;
        }

        row.clear();
        for (col, field) in record.iter().enumerate() {
            if field.len() > MAX_CELL_BYTES {
                return Err(too_large(path, index, field.len()));
            }
            if field.is_empty() {
                row.set_empty(col);
            } else {
                match std::str::from_utf8(field) {
                    Ok(text) => row.set_text(col, text),
                    // The decoder produces UTF-8, so this only guards against a csv-crate surprise.
                    Err(_) => row.set_text(col, &String::from_utf8_lossy(field)),
                }
            }
        }
        row.check(path, index)?;
        if !f(index, row.cells())? {
            return Ok(());
        }
        index += 1;
    }
}

/// A text table aligned with spaces: one row per line, fields split on runs of whitespace.
fn for_each_spaced_row(
    path: &Path,
    decoded: impl Read,
    row: &mut RowBuffer,
    f: &mut dyn FnMut(usize, &[super::Cell]) -> Result<bool>,
) -> Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, decoded);
    let mut line = String::new();
    let mut index = 0usize;
    loop {
        line.clear();
        // `take` bounds a line without a newline (a hostile file) to the record limit.
        let read = (&mut reader)
            .take(MAX_RECORD_BYTES + 1)
            .read_line(&mut line)
            .map_err(|source| Error::Io { path: path.to_owned(), source })?;
        if read == 0 {
            return Ok(());
        }
        if read as u64 > MAX_RECORD_BYTES {
            return Err(record_too_large(path, index));
        }
        row.clear();
        for (col, field) in line.split_whitespace().enumerate() {
            if field.len() > MAX_CELL_BYTES {
                return Err(too_large(path, index, field.len()));
            }
            row.set_text(col, field);
        }
        row.check(path, index)?;
        if !f(index, row.cells())? {
            return Ok(());
        }
        index += 1;
    }
}

fn too_large(path: &Path, index: usize, bytes: usize) -> Error {
    Error::CellTooLarge { path: path.to_owned(), row: u32::try_from(index + 1).unwrap_or(u32::MAX), bytes }
}

/// A record (a line, or a quoted field spanning lines) that does not end within
/// [`MAX_RECORD_BYTES`]: almost always a quote that is never closed, so it is a damaged file, not a
/// large cell.
fn record_too_large(path: &Path, index: usize) -> Error {
    Error::Corrupt {
        path: path.to_owned(),
        detail: format!(
            "从第 {} 行开始的一条记录超过 {} 仍未结束，多半是某个引号没有闭合",
            index + 1,
            super::limits::human_bytes(MAX_RECORD_BYTES)
        ),
    }
}

fn read_error(path: &Path, guard: &RecordGuard, index: usize, e: csv::Error) -> Error {
    if guard.too_large.get().is_some() {
        return record_too_large(path, index);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(source) => Error::Io { path: path.to_owned(), source },
        other => Error::Corrupt { path: path.to_owned(), detail: format!("CSV 文本无法解析：{other:?}") },
    }
}

/// Shared between the row loop and the decoder: where the current record started, so a runaway
/// record (an unclosed quote in a huge file) is stopped instead of filling memory.
#[derive(Default)]
struct RecordGuard {
    record_start: StdCell<u64>,
    too_large: StdCell<Option<u64>>,
    /// The decoder replaced bytes that are not text in the encoding with U+FFFD.
    replaced: StdCell<bool>,
}

/// Decodes any encoding_rs encoding to UTF-8 as a `Read`, removing a BOM.
struct DecodeReader<R> {
    inner: BufReader<R>,
    decoder: Decoder,
    input: Vec<u8>,
    input_pos: usize,
    input_len: usize,
    input_done: bool,
    /// The decoder saw the end of the input; encoding_rs must not be called again.
    decoder_done: bool,
    output: Vec<u8>,
    output_pos: usize,
    output_len: usize,
    delivered: u64,
    guard: Rc<RecordGuard>,
}

impl<R: Read> DecodeReader<R> {
    fn new(inner: R, encoding: &'static Encoding, guard: Rc<RecordGuard>) -> Self {
        DecodeReader {
            inner: BufReader::with_capacity(64 * 1024, inner),
            decoder: encoding.new_decoder_with_bom_removal(),
            input: vec![0; 64 * 1024],
            input_pos: 0,
            input_len: 0,
            input_done: false,
            decoder_done: false,
            output: vec![0; 128 * 1024],
            output_pos: 0,
            output_len: 0,
            delivered: 0,
            guard,
        }
    }

    /// Decodes the next chunk into `output`; false at the end of the input.
    fn refill(&mut self) -> io::Result<bool> {
        while !self.decoder_done {
            if self.input_pos == self.input_len && !self.input_done {
                self.input_len = self.inner.read(&mut self.input)?;
                self.input_pos = 0;
                self.input_done = self.input_len == 0;
            }
            let pending = self.input.get(self.input_pos..self.input_len).unwrap_or_default();
            let (result, read, written, replaced) =
                self.decoder.decode_to_utf8(pending, &mut self.output, self.input_done);
            if replaced {
                self.guard.replaced.set(true);
            }
            self.input_pos += read;
            self.output_pos = 0;
            self.output_len = written;
            if self.input_done && result == encoding_rs::CoderResult::InputEmpty {
                self.decoder_done = true;
            }
            if written > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.output_pos == self.output_len && !self.refill()? {
            return Ok(0);
        }
        let record_bytes = self.delivered.saturating_sub(self.guard.record_start.get());
        if record_bytes > MAX_RECORD_BYTES {
            self.guard.too_large.set(Some(record_bytes));
            return Err(io::Error::other("record too large"));
        }
        let available = self.output.get(self.output_pos..self.output_len).unwrap_or_default();
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.output_pos += n;
        self.delivered += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], encoding: &'static Encoding) -> String {
        let mut out = String::new();
        DecodeReader::new(bytes, encoding, Rc::default()).read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn decoder_strips_utf8_bom_and_keeps_text() {
        assert_eq!(decode_all(b"\xEF\xBB\xBFa,b\n", encoding_rs::UTF_8), "a,b\n");
    }

    #[test]
    fn decoder_turns_gbk_into_utf8_across_chunk_boundaries() {
        let text = "订单号,金额\n".repeat(20_000);
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        assert_eq!(decode_all(&gbk, encoding_rs::GB18030), text);
    }
}

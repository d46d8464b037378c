//! Checks on a legacy `.xls` before calamine parses it.
//!
//! calamine parses every sheet of an xls whole when it opens the file: it reserves rows × columns
//! cells from each sheet's DIMENSIONS record, lays every sheet out as a dense range from its
//! smallest to its largest cell position, and copies a shared string (SST) into every cell that
//! refers to it. A damaged or hostile file of a few KB can make any of these ask for gigabytes, and
//! a failed allocation aborts the process (an abort, not a panic: `catch_unwind` cannot catch it).
//! This module walks the workbook stream's records once, computes what calamine would hold, and
//! refuses a file over the limits of [`super::limits`].

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use super::limits::{self, human_bytes, MAX_DENSE_CELLS, MAX_DENSE_TEXT_BYTES};
use super::xls_cfb::{self, WorkbookStream};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// The most cells a BIFF8 sheet can hold (65,536 rows × 256 columns).
const XLS_MAX_CELLS: u64 = 65_536 * 256;

/// How many records pass between two looks at the cancel flag.
const CANCEL_EVERY: u32 = 1 << 16;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const SST: u16 = 0x00FC;
const CONTINUE: u16 = 0x003C;
const DIMENSIONS: u16 = 0x0200;
const LABEL_SST: u16 = 0x00FD;
const MUL_RK: u16 = 0x00BD;
const BOUND_SHEET: u16 = 0x0085;
/// Records that hold one cell at (row u16, column u16) in their first four bytes and that calamine
/// keeps: Number, Label, RString, BoolErr, Rk, LabelSst, Formula.
const CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, LABEL_SST, 0x0006];
/// Records whose text calamine copies as is: Label, RString, String (a formula's text result).
const TEXT_RECORDS: [u16; 3] = [0x0204, 0x00D6, 0x0207];

/// Refuses an xls whose sheets would make calamine allocate beyond the limits.
///
/// A container the `cfb` crate refuses is refused too: calamine's own OLE2 reader follows a
/// sector chain that points back at itself until memory runs out (an abort).
///
/// # Errors
/// `Corrupt` for a damaged container or DIMENSIONS beyond what BIFF8 allows, `FileTooLarge` for
/// sheets whose dense layout or copied text is over the limits, `Cancelled`.
pub(crate) fn check(path: &Path, progress: &dyn Progress) -> Result<()> {
    let Ok(file) = File::open(path) else { return Ok(()) };
    cfb::CompoundFile::open(BufReader::new(file))
        .map_err(|e| Error::Corrupt {
            path: path.to_owned(), detail: format!("文件内部的目录结构已损坏：{e}")
        })?;
    // The records are checked as calamine's own compound-file reader will hand them over, which
    // is not always what the `cfb` crate reads from a damaged file (see `xls_cfb`).
    let Ok(mut file) = File::open(path) else { return Ok(()) };
    let file_len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let stream = match xls_cfb::workbook_stream(&mut BufReader::new(&mut file), file_len) {
        WorkbookStream::Bytes(bytes) => bytes,
        WorkbookStream::Unread => return Ok(()),
        WorkbookStream::Looping => {
            return Err(Error::Corrupt {
                path: path.to_owned(),
                detail: "文件内部的数据块链首尾相接（文件已损坏）".to_owned(),
            })
        }
    };
    let mut walk = Walk::new(path);
    let mut stream = io::Cursor::new(stream);
    let mut records = Records::new(progress);
    let mut sheet_offsets = Vec::new();
    let mut globals_done = false;
    while let Some((typ, body)) = records.next(&mut stream)? {
        // calamine takes every BoundSheet before the first EOF, whatever BOFs came before it.
        if typ == BOUND_SHEET && !globals_done && body.len() >= 4 {
            sheet_offsets.push(u64::from(u32::from_le_bytes([body[0], body[1], body[2], body[3]])));
        }
        globals_done |= typ == EOF;
        walk.record(typ, body)?;
    }
    walk.end_sheet()?;
    // calamine reads each sheet from the offset its BoundSheet record gives, not in stream order:
    // an offset into the middle of another record shows it records this walk never saw (fuzz
    // finding xls-boundsheet-offset-bomb: a DIMENSIONS record hidden that way reserved 497 GB).
    // So every sheet is walked again the way calamine reads it.
    let mut sst_bytes = std::mem::take(&mut walk.sst_bytes);
    sheet_offsets.sort_unstable();
    sheet_offsets.dedup();
    for offset in sheet_offsets {
        let mut sheet = Walk { depth: 1, substreams: 1, sst_bytes, ..Walk::new(path) };
        if offset < stream.get_ref().len() as u64 {
            stream.set_position(offset);
            walk_sheet(&mut stream, &mut sheet, &mut records)?;
        }
        sheet.end_sheet()?;
        sst_bytes = std::mem::take(&mut sheet.sst_bytes);
    }
    Ok(())
}

/// Feeds one sheet's records to `walk`, from where `stream` stands to the sheet's EOF, as calamine
/// reads a sheet: the first BOF, wherever it comes, is the sheet's own (records before it count as
/// the sheet's too); later ones open embedded substreams.
fn walk_sheet(stream: &mut impl Read, walk: &mut Walk<'_>, records: &mut Records<'_>) -> Result<()> {
    let mut seen_bof = false;
    while let Some((typ, body)) = records.next(stream)? {
        if typ == BOF && walk.depth == 1 && !std::mem::replace(&mut seen_bof, true) {
            continue;
        }
        if typ == EOF && walk.depth == 1 {
            return Ok(());
        }
        walk.record(typ, body)?;
    }
    Ok(())
}

/// Reads BIFF records (type, body) one after another into one reused buffer, looking at the
/// cancel flag now and then; `None` at the end of the stream or at a record cut short.
struct Records<'a> {
    progress: &'a dyn Progress,
    data: Vec<u8>,
    count: u32,
}

impl<'a> Records<'a> {
    fn new(progress: &'a dyn Progress) -> Records<'a> {
        Records { progress, data: vec![0u8; usize::from(u16::MAX)], count: 0 }
    }

    fn next(&mut self, stream: &mut impl Read) -> Result<Option<(u16, &[u8])>> {
        self.count = self.count.wrapping_add(1);
        if self.count.is_multiple_of(CANCEL_EVERY) && self.progress.cancelled() {
            return Err(Error::Cancelled);
        }
        let mut header = [0u8; 4];
        if stream.read_exact(&mut header).is_err() {
            return Ok(None);
        }
        let typ = u16::from_le_bytes([header[0], header[1]]);
        let len = usize::from(u16::from_le_bytes([header[2], header[3]]));
        let Some(body) = self.data.get_mut(..len) else { return Ok(None) };
        if stream.read_exact(body).is_err() {
            return Ok(None);
        }
        Ok(Some((typ, body)))
    }
}

/// What the walk has seen so far.
struct Walk<'a> {
    path: &'a Path,
    /// Substream nesting: 1 inside the globals or a sheet, 2+ inside an embedded chart.
    depth: u32,
    /// Substreams finished at depth 1 (the first is the workbook globals).
    substreams: u32,
    /// The SST and its CONTINUE records while they are being collected.
    sst: Option<Vec<Vec<u8>>>,
    /// UTF-8 bytes (at most) of each shared string.
    sst_bytes: Vec<u64>,
    /// The current sheet's cell bounds (first row, last row, first col, last col).
    bounds: Option<(u32, u32, u32, u32)>,
    cells: u64,
    text: u64,
}

impl Walk<'_> {
    fn new(path: &Path) -> Walk<'_> {
        Walk { path, depth: 0, substreams: 0, sst: None, sst_bytes: Vec::new(), bounds: None, cells: 0, text: 0 }
    }

    fn record(&mut self, typ: u16, data: &[u8]) -> Result<()> {
        if typ != CONTINUE {
            if let Some(segments) = self.sst.take() {
                self.sst_bytes = sst_string_bytes(&segments);
            }
        }
        match typ {
            BOF => self.depth += 1,
            EOF => {
                if self.depth == 1 {
                    self.end_sheet()?;
                    self.substreams += 1;
                }
                self.depth = self.depth.saturating_sub(1);
            }
            _ if self.depth != 1 => {}
            SST => self.sst = Some(vec![data.get(8..).unwrap_or_default().to_vec()]),
            CONTINUE => {
                if let Some(segments) = &mut self.sst {
                    segments.push(data.to_vec());
                }
            }
            DIMENSIONS => self.dimensions(data)?,
            _ if self.substreams == 0 => {}
            MUL_RK if data.len() >= 6 => {
                let first = u32::from(u16_at(data, 2));
                let last = u32::from(u16_at(data, data.len() - 2));
                self.cell(u32::from(u16_at(data, 0)), first);
                self.cell(u32::from(u16_at(data, 0)), last.max(first));
            }
            _ => {
                if CELL_RECORDS.contains(&typ) && data.len() >= 4 {
                    self.cell(u32::from(u16_at(data, 0)), u32::from(u16_at(data, 2)));
                }
                if typ == LABEL_SST && data.len() >= 10 {
                    let index = u32::from_le_bytes([data[6], data[7], data[8], data[9]]) as usize;
                    self.text += self.sst_bytes.get(index).copied().unwrap_or(0);
                }
                if TEXT_RECORDS.contains(&typ) {
                    // At most three UTF-8 bytes per UTF-16 unit stored as two bytes.
                    self.text += data.len() as u64 * 2;
                }
                self.check_text()?;
            }
        }
        Ok(())
    }

    fn cell(&mut self, row: u32, col: u32) {
        self.bounds = Some(match self.bounds {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }

    /// Closes the current sheet: its dense layout is added to the file's total.
    fn end_sheet(&mut self) -> Result<()> {
        if let Some((r0, r1, c0, c1)) = self.bounds.take() {
            self.cells += u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
        }
        if self.cells > MAX_DENSE_CELLS {
            return Err(limits::too_large(
                self.path,
                format!(
                    "xls 工作表从第一个到最后一个单元格铺开后超过 {} 万个单元格（单元格位置异常分散）",
                    MAX_DENSE_CELLS / 10_000
                ),
            ));
        }
        Ok(())
    }

    fn check_text(&self) -> Result<()> {
        if self.text > MAX_DENSE_TEXT_BYTES {
            return Err(limits::too_large(
                self.path,
                format!(
                    "xls 单元格的文字合计超过 {}（同一段长文字被大量单元格引用）",
                    human_bytes(MAX_DENSE_TEXT_BYTES)
                ),
            ));
        }
        Ok(())
    }

    /// A sheet's DIMENSIONS record, as calamine reads it (10 bytes in BIFF5, 14 or 16 in BIFF8):
    /// calamine reserves rows × columns cells from it before it reads a cell.
    fn dimensions(&self, data: &[u8]) -> Result<()> {
        let u32_at = |i: usize| u64::from(u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]));
        let u16_at = |i: usize| u64::from(u16_at(data, i));
        let (first_row, row_end, mut first_col, col_end) = match data.len() {
            10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
            14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
            _ => return Ok(()),
        };
        if first_col > 0xFF || col_end < first_col {
            first_col = 0; // what calamine does with an out-of-range first column
        }
        let too_big = row_end >= 1
            && col_end >= 1
            && (first_row >= row_end || (row_end - first_row).saturating_mul(col_end - first_col) > XLS_MAX_CELLS);
        if too_big {
            return Err(Error::Corrupt {
                path: self.path.to_owned(),
                detail: format!(
                    "工作表声明了 {} 行 × {} 列，超出 xls 格式上限",
                    row_end.saturating_sub(first_row),
                    col_end - first_col
                ),
            });
        }
        Ok(())
    }
}

fn u16_at(data: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([data.get(i).copied().unwrap_or(0), data.get(i + 1).copied().unwrap_or(0)])
}

/// The most UTF-8 bytes each string of an SST can become, read as calamine reads them: a string's
/// characters may continue in the next CONTINUE record, which then starts with a new flags byte;
/// its formatting runs and extended data continue without one.
fn sst_string_bytes(segments: &[Vec<u8>]) -> Vec<u64> {
    let mut cursor = Cursor { segments, segment: 0, at: 0 };
    let mut sizes = Vec::new();
    while !cursor.at_end() {
        let Some(cch) = cursor.bytes(2).map(|b| u64::from(u16::from_le_bytes([b[0], b[1]]))) else { break };
        let Some(flags) = cursor.bytes(1).map(|b| b[0]) else { break };
        let runs = if flags & 0x8 != 0 { cursor.bytes(2).map(|b| u16::from_le_bytes([b[0], b[1]])) } else { Some(0) };
        let ext = if flags & 0x4 != 0 {
            cursor.bytes(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        } else {
            Some(0)
        };
        let (Some(runs), Some(ext)) = (runs, ext) else { break };
        sizes.push(cch * 3);
        if !cursor.chars(cch, flags & 0x1 != 0) {
            break;
        }
        if cursor.skip(u64::from(runs) * 4 + u64::from(ext)).is_none() {
            break;
        }
    }
    sizes
}

/// A read position across an SST record and its CONTINUE records.
struct Cursor<'a> {
    segments: &'a [Vec<u8>],
    segment: usize,
    at: usize,
}

impl Cursor<'_> {
    fn at_end(&mut self) -> bool {
        while self.segments.get(self.segment).is_some_and(|s| self.at >= s.len()) {
            self.segment += 1;
            self.at = 0;
        }
        self.segment >= self.segments.len()
    }

    /// The next `n` bytes, which may straddle a segment boundary (copied then).
    fn bytes(&mut self, n: usize) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            if self.at_end() {
                return None;
            }
            let segment = &self.segments[self.segment];
            let take = (n - out.len()).min(segment.len() - self.at);
            out.extend_from_slice(&segment[self.at..self.at + take]);
            self.at += take;
        }
        Some(out)
    }

    fn skip(&mut self, mut n: u64) -> Option<()> {
        while n > 0 {
            if self.at_end() {
                return None;
            }
            let left = (self.segments[self.segment].len() - self.at) as u64;
            let take = n.min(left);
            self.at += take as usize;
            n -= take;
        }
        Some(())
    }

    /// Skips `cch` characters (two bytes each when `wide`); false when the data ends first.
    fn chars(&mut self, mut cch: u64, mut wide: bool) -> bool {
        while cch > 0 {
            if self.at_end() {
                return false;
            }
            let left = (self.segments[self.segment].len() - self.at) as u64;
            let width = if wide { 2 } else { 1 };
            let take = cch.min(left / width);
            self.at += (take * width) as usize;
            cch -= take;
            if cch > 0 {
                // The characters continue in the next segment, after a new flags byte.
                self.segment += 1;
                self.at = 0;
                match self.segments.get(self.segment).and_then(|s| s.first()) {
                    Some(flags) => {
                        wide = flags & 0x1 != 0;
                        self.at = 1;
                    }
                    None => return false,
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(text: &str) -> Vec<u8> {
        let mut out = (text.len() as u16).to_le_bytes().to_vec();
        out.push(0);
        out.extend_from_slice(text.as_bytes());
        out
    }

    #[test]
    fn sst_sizes_follow_strings_across_continue_records() {
        let mut first = string("abc");
        let long = string("0123456789");
        // The long string's characters are split after four of them; the CONTINUE starts with flags.
        first.extend_from_slice(&long[..3 + 4]);
        let mut second = vec![0u8];
        second.extend_from_slice(&long[3 + 4..]);
        second.extend_from_slice(&string("z"));
        assert_eq!(sst_string_bytes(&[first, second]), vec![9, 30, 3]);
    }
}

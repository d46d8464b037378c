//! Spreadsheet sources through calamine: xlsx/xlsm/xlsb streamed cell by cell, xls/ods through
//! ranges (calamine parses those whole when opening anyway).
//!
//! Rows are assembled into a reused buffer and handed out with their real sheet index, so row
//! numbers match what Excel shows. calamine is guarded against panics on malformed input: a panic
//! inside it becomes `Corrupt`, never a crash of the app.

use std::fmt::Display;
use std::fs::File;
use std::io::{BufReader, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use calamine::{Data, DataRef, Ods, Range, Reader, SheetType, Xls, Xlsb, Xlsx};

use super::row::RowBuffer;
use super::values::{datetime_cell, number_cell};
use super::{xls_scan, xlsx_sheet, zip_scan, Cell, Format, ReadState, MAX_CELL_BYTES};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Excel's row limit: a spreadsheet row index beyond it comes from a broken or hostile file.
const MAX_ROWS: u32 = 1_048_576;

/// Integers beyond this lose digits as `f64`; they are ids, handed out as text.
const MAX_EXACT_INT: u64 = 1 << 53;

type FileReader = BufReader<File>;

/// An opened calamine workbook.
pub(crate) enum Workbook {
    /// With the fast sheet reader's state (`xlsx_sheet`).
    Xlsx(Box<Xlsx<FileReader>>, FastState),
    Xlsb(Box<Xlsb<FileReader>>),
    Xls(Box<Xls<FileReader>>),
    Ods(Box<Ods<FileReader>>),
}

/// The fast xlsx sheet reader's state for one workbook.
#[derive(Default)]
pub(crate) struct FastState {
    /// calamine only (comparisons, benchmarks).
    pub off: bool,
    /// What the fast reader prepared for the sheet read last (`None`: it cannot read that sheet).
    prepared: Option<(String, Option<xlsx_sheet::Prepared>)>,
    /// How the last read went: `Some(true)` read by the fast reader to the end (or until the caller
    /// stopped), `Some(false)` fell back to calamine, `None` calamine only.
    pub last_fast: Option<bool>,
    /// The shared strings and formats being read since the workbook was opened, for the first sheet
    /// prepared.
    early: Option<xlsx_sheet::EarlyParts>,
}

/// A workbook with what `Source` caches about it.
pub(crate) struct Opened {
    pub workbook: Workbook,
    pub sheets: Vec<String>,
    pub hints: Vec<Option<u64>>,
    /// Sheets left out of `sheets` because they point at an earlier sheet's data.
    pub duplicate_sheets: Vec<String>,
}

/// Opens `path` as `format` and reads the sheet list and row-count hints.
///
/// The file is first checked against what calamine would allocate from its declared sizes
/// (`zip_scan`, `xls_scan`): calamine trusts them, and a failed allocation aborts the process.
///
/// # Errors
/// `Io`, `Corrupt`, `Encrypted` (password-protected workbooks), `NotSpreadsheet` for OLE2 files
/// that are not workbooks (Word documents), `FileTooLarge`, `Cancelled`.
pub(crate) fn open(path: &Path, format: Format, progress: &dyn Progress) -> Result<Opened> {
    let duplicate_sheets = match format {
        Format::Xls => match xls_scan::check(path, progress) {
            // A damaged container may still be recognisably a Word document or an encrypted workbook.
            Err(e @ Error::Corrupt { .. }) => return Err(ole_kind(path).unwrap_or(e)),
            Err(e) => return Err(e),
            Ok(()) => Vec::new(),
        },
        _ => zip_scan::check(path, format, progress)?,
    };
    if progress.cancelled() {
        return Err(Error::Cancelled);
    }
    let file = File::open(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
    let reader = BufReader::with_capacity(64 * 1024, file);
    let mut workbook = match format {
        Format::Xlsx | Format::Xlsm => {
            // Beside calamine's open, which reads its own copy of the shared strings.
            let early = xlsx_sheet::read_early(path);
            Workbook::Xlsx(
                Box::new(guard(path, || Xlsx::new(reader))?.map_err(|e| corrupt(path, e))?),
                FastState { early, ..FastState::default() },
            )
        }
        Format::Xlsb => Workbook::Xlsb(Box::new(guard(path, || Xlsb::new(reader))?.map_err(|e| corrupt(path, e))?)),
        Format::Xls => match guard(path, || Xls::new(reader)) {
            Ok(Ok(workbook)) => Workbook::Xls(Box::new(workbook)),
            Ok(Err(e)) => return Err(ole_error(path, e)),
            Err(panicked) => return Err(ole_kind(path).unwrap_or(panicked)),
        },
        Format::Ods => Workbook::Ods(Box::new(guard(path, || Ods::new(reader))?.map_err(|e| ods_error(path, e))?)),
        Format::Csv | Format::Tsv | Format::Html => {
            return Err(Error::Corrupt { path: path.to_owned(), detail: format!("{format:?} 不是工作簿格式") })
        }
    };
    let mut sheets = workbook.sheet_names();
    sheets.retain(|sheet| !duplicate_sheets.contains(sheet));
    let hints = sheets.iter().map(|sheet| workbook.row_count_hint(sheet)).collect();
    Ok(Opened { workbook, sheets, hints, duplicate_sheets })
}

impl Workbook {
    /// Worksheet names in workbook order, hidden ones included; chart sheets left out.
    fn sheet_names(&self) -> Vec<String> {
        let metadata = match self {
            Workbook::Xlsx(wb, _) => wb.sheets_metadata(),
            Workbook::Xlsb(wb) => wb.sheets_metadata(),
            Workbook::Xls(wb) => wb.sheets_metadata(),
            Workbook::Ods(wb) => wb.sheets_metadata(),
        };
        let worksheets: Vec<String> =
            metadata.iter().filter(|s| s.typ == SheetType::WorkSheet).map(|s| s.name.clone()).collect();
        if worksheets.is_empty() {
            metadata.iter().map(|s| s.name.clone()).collect()
        } else {
            worksheets
        }
    }

    /// Rows in `sheet` as the file declares them (xlsx dimension), or as parsed (xls/ods).
    fn row_count_hint(&mut self, sheet: &str) -> Option<u64> {
        let from_dimensions =
            |d: calamine::Dimensions| (d.end != (0, 0) || d.start != (0, 0)).then_some(u64::from(d.end.0) + 1);
        let hint = catch_unwind(AssertUnwindSafe(|| match self {
            Workbook::Xlsx(wb, _) => {
                wb.worksheet_cells_reader(sheet).ok().and_then(|r| from_dimensions(r.dimensions()))
            }
            Workbook::Xlsb(wb) => wb.worksheet_cells_reader(sheet).ok().and_then(|r| from_dimensions(r.dimensions())),
            Workbook::Xls(wb) => range_end(wb.worksheet_range(sheet).ok()),
            Workbook::Ods(wb) => range_end(wb.worksheet_range(sheet).ok()),
        }));
        hint.ok().flatten()
    }

    /// Streams the rows of `sheet` to `f`; see [`super::Source::for_each_row`].
    ///
    /// # Errors
    /// `Corrupt`, `CellTooLarge`, `FileTooLarge`, or whatever `f` returns.
    pub(crate) fn for_each_row(
        &mut self,
        path: &Path,
        sheet: &str,
        state: &mut ReadState,
        f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
    ) -> Result<()> {
        // The fast reader first (xlsx/xlsm); where it falls back, calamine reads the file again from
        // the start with the budget as it was, and the rows the fast reader already handed out
        // (calamine's rows too) are not handed out twice.
        let mut skip = 0;
        if let Workbook::Xlsx(wb, fast) = self {
            fast.last_fast = None;
            if let Some(prepared) = fast_reader(path, wb, sheet, fast) {
                match xlsx_sheet::read(path, prepared, state.budget, f) {
                    xlsx_sheet::Read::Done(result, row) => {
                        state.absorb(&row);
                        fast.last_fast = Some(true);
                        return result;
                    }
                    xlsx_sheet::Read::Fallback { emitted } => {
                        skip = emitted;
                        fast.last_fast = Some(false);
                    }
                }
            }
        }
        let mut skipping = |index: usize, cells: &[Cell]| if index < skip { Ok(true) } else { f(index, cells) };
        let f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool> = &mut skipping;
        let mut rows = RowStream { path, row: RowBuffer::with_budget(state.budget), current: None, next_index: 0, f };
        let result = match self {
            Workbook::Xlsx(wb, _) => guard(path, || wb.worksheet_cells_reader(sheet))?
                .map_err(|e| corrupt(path, e))
                .and_then(|mut reader| stream_cells(&mut rows, || reader.next_cell())),
            Workbook::Xlsb(wb) => guard(path, || wb.worksheet_cells_reader(sheet))?
                .map_err(|e| corrupt(path, e))
                .and_then(|mut reader| stream_cells(&mut rows, || reader.next_cell())),
            Workbook::Xls(wb) => guard(path, || wb.worksheet_range(sheet))?
                .map_err(|e| corrupt(path, e))
                .and_then(|range| range_rows(&mut rows, &range)),
            Workbook::Ods(wb) => guard(path, || wb.worksheet_range(sheet))?
                .map_err(|e| corrupt(path, e))
                .and_then(|range| range_rows(&mut rows, &range)),
        };
        state.absorb(&rows.row);
        result
    }
}

/// What the fast sheet reader needs for `sheet`, prepared once per sheet; `None` when it is off or
/// cannot read this workbook (calamine reads it then).
fn fast_reader<'a>(
    path: &Path,
    wb: &mut Xlsx<FileReader>,
    sheet: &str,
    fast: &'a mut FastState,
) -> Option<&'a xlsx_sheet::Prepared> {
    if fast.off || !xlsx_sheet::enabled() {
        return None;
    }
    let cache = &mut fast.prepared;
    if cache.as_ref().is_none_or(|(name, _)| name != sheet) {
        let is_1904 = wb.has_1904_epoch();
        let styles = catch_unwind(AssertUnwindSafe(|| wb.worksheet_cells_reader(sheet).ok().map(|r| r.styles().len())))
            .ok()
            .flatten();
        let early = fast.early.take();
        let prepared = styles.and_then(|styles| xlsx_sheet::prepare(path, sheet, styles, is_1904, early));
        *cache = Some((sheet.to_owned(), prepared));
    }
    cache.as_ref().and_then(|(_, prepared)| prepared.as_ref())
}

fn range_end(range: Option<Range<Data>>) -> Option<u64> {
    range?.end().map(|(row, _)| u64::from(row) + 1)
}

/// Runs calamine code, turning a panic on malformed input into `Corrupt`.
fn guard<T>(path: &Path, op: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(op))
        .map_err(|_| Error::Corrupt {
            path: path.to_owned(), detail: "文件内部结构异常，读取时无法解析".to_owned()
        })
}

fn corrupt(path: &Path, e: impl Display) -> Error {
    Error::Corrupt { path: path.to_owned(), detail: e.to_string() }
}

/// A password-protected ods is a normal zip whose manifest lists encryption data.
fn ods_error(path: &Path, e: calamine::OdsError) -> Error {
    let encrypted = File::open(path)
        .ok()
        .and_then(|file| zip::ZipArchive::new(BufReader::new(file)).ok())
        .and_then(|mut zip| {
            let manifest = zip.by_name("META-INF/manifest.xml").ok()?;
            let mut text = String::new();
            manifest.take(1 << 20).read_to_string(&mut text).ok()?;
            Some(text.contains("encryption-data"))
        })
        .unwrap_or(false);
    if encrypted {
        Error::Encrypted { path: path.to_owned() }
    } else {
        corrupt(path, e)
    }
}

/// OLE2 files are also Word documents and password-protected (encrypted) workbooks: say which.
fn ole_error(path: &Path, e: calamine::XlsError) -> Error {
    if matches!(e, calamine::XlsError::Password) {
        return Error::Encrypted { path: path.to_owned() };
    }
    ole_kind(path).unwrap_or_else(|| corrupt(path, e))
}

/// Names an OLE2 file that is not a legacy workbook, from the stream names in its directory.
fn ole_kind(path: &Path) -> Option<Error> {
    let not_spreadsheet = |detail: &str| Error::NotSpreadsheet { path: path.to_owned(), detail: detail.to_owned() };
    let mut head = Vec::new();
    if let Ok(file) = File::open(path) {
        // Directory entries of small OLE2 files sit in the first megabytes; enough to name the kind.
        let _ = file.take(8 << 20).read_to_end(&mut head);
    }
    let has = |name: &str| {
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        head.windows(utf16.len()).any(|w| w == utf16.as_slice())
    };
    if has("EncryptedPackage") {
        // Password-protected xlsx/xlsb are OLE2 containers around the encrypted zip.
        Some(Error::Encrypted { path: path.to_owned() })
    } else if has("WordDocument") {
        Some(not_spreadsheet("这是 Word 文档 (.doc)，不是表格"))
    } else if has("PowerPoint Document") {
        Some(not_spreadsheet("这是 PowerPoint 演示文稿 (.ppt)，不是表格"))
    } else {
        None
    }
}

/// Assembles rows from cells that arrive in sheet order and hands each one out.
struct RowStream<'p, 'f> {
    path: &'p Path,
    row: RowBuffer,
    current: Option<u32>,
    next_index: usize,
    f: &'f mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
}

impl RowStream<'_, '_> {
    /// Hands out the current row, preceded by the blank rows before it; false when `f` stops.
    fn emit(&mut self) -> Result<bool> {
        let Some(current) = self.current.take() else {
            return Ok(true);
        };
        let index = current as usize;
        while self.next_index < index {
            if !(self.f)(self.next_index, &[])? {
                return Ok(false);
            }
            self.next_index += 1;
        }
        self.row.check(self.path, index)?;
        let more = (self.f)(index, self.row.cells())?;
        self.next_index = self.next_index.max(index + 1);
        self.row.clear();
        Ok(more)
    }
}

/// Streams the cells `next` yields (xlsx/xlsb cell readers) as rows.
fn stream_cells<'a, E: Display>(
    rows: &mut RowStream<'_, '_>,
    mut next: impl FnMut() -> std::result::Result<Option<calamine::Cell<DataRef<'a>>>, E>,
) -> Result<()> {
    let path = rows.path;
    loop {
        let Some(cell) = guard(path, &mut next)?.map_err(|e| corrupt(path, e))? else {
            break;
        };
        let (r, c) = cell.get_position();
        if r >= MAX_ROWS {
            return Err(corrupt(path, format!("行号 {} 超出 Excel 的最大行数", u64::from(r) + 1)));
        }
        if rows.current != Some(r) {
            // Rows are handed out in order from 0; a row written after a later one (no writer
            // does this) would break that, so the file is refused rather than misnumbered.
            if (r as usize) < rows.next_index || rows.current.is_some_and(|current| r < current) {
                return Err(corrupt(path, format!("第 {} 行出现在后面的行之后，行的顺序错乱", u64::from(r) + 1)));
            }
            if !rows.emit()? {
                return Ok(());
            }
            rows.current = Some(r);
        }
        set_data_ref(&mut rows.row, c as usize, cell.get_value(), path, r)?;
    }
    rows.emit()?;
    Ok(())
}

/// Hands out the rows of a parsed range, at their real sheet positions.
fn range_rows(rows: &mut RowStream<'_, '_>, range: &Range<Data>) -> Result<()> {
    let path = rows.path;
    let Some((first_row, first_col)) = range.start() else {
        return Ok(());
    };
    for (i, cells) in range.rows().enumerate() {
        let r = first_row.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
        rows.current = Some(r);
        for (j, data) in cells.iter().enumerate() {
            let col = first_col as usize + j;
            set_data(&mut rows.row, col, data, path, r)?;
        }
        if !rows.emit()? {
            return Ok(());
        }
    }
    Ok(())
}

fn set_text(row: &mut RowBuffer, col: usize, text: &str, path: &Path, r: u32) -> Result<()> {
    if text.len() > MAX_CELL_BYTES {
        return Err(Error::CellTooLarge { path: path.to_owned(), row: r.saturating_add(1), bytes: text.len() });
    }
    if text.is_empty() {
        row.set_empty(col);
    } else {
        row.set_text(col, text);
    }
    Ok(())
}

fn set_int(row: &mut RowBuffer, col: usize, value: i64) {
    if value.unsigned_abs() > MAX_EXACT_INT {
        row.set_text(col, &value.to_string());
    } else {
        row.set(col, Cell::Number(value as f64));
    }
}

fn set_data_ref(row: &mut RowBuffer, col: usize, value: &DataRef<'_>, path: &Path, r: u32) -> Result<()> {
    match value {
        DataRef::Empty => row.set_empty(col),
        DataRef::SharedString(s) => set_text(row, col, s, path, r)?,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => set_text(row, col, s, path, r)?,
        DataRef::Float(x) => row.set(col, number_cell(*x)),
        DataRef::Int(i) => set_int(row, col, *i),
        DataRef::Bool(b) => row.set(col, Cell::Bool(*b)),
        DataRef::DateTime(dt) => row.set(col, datetime_cell(dt)),
        DataRef::Error(e) => row.set(col, Cell::Error(e.to_string())),
    }
    Ok(())
}

fn set_data(row: &mut RowBuffer, col: usize, value: &Data, path: &Path, r: u32) -> Result<()> {
    match value {
        Data::Empty => row.set_empty(col),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => set_text(row, col, s, path, r)?,
        Data::Float(x) => row.set(col, number_cell(*x)),
        Data::Int(i) => set_int(row, col, *i),
        Data::Bool(b) => row.set(col, Cell::Bool(*b)),
        Data::DateTime(dt) => row.set(col, datetime_cell(dt)),
        Data::Error(e) => row.set(col, Cell::Error(e.to_string())),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_beyond_f64_precision_stay_exact_text() {
        let mut row = RowBuffer::default();
        let path = Path::new("x.xlsx");
        set_data_ref(&mut row, 0, &DataRef::Int(3_705_123_456_789_012_345), path, 0).unwrap();
        set_data_ref(&mut row, 1, &DataRef::Int(42), path, 0).unwrap();
        set_data(&mut row, 2, &Data::Int(-9_007_199_254_740_993), path, 0).unwrap();
        assert_eq!(
            row.cells(),
            &[
                Cell::Text("3705123456789012345".to_owned()),
                Cell::Number(42.0),
                Cell::Text("-9007199254740993".to_owned()),
            ]
        );
    }

    #[test]
    fn iso_dates_and_durations_are_text_and_empty_strings_are_empty() {
        let mut row = RowBuffer::default();
        let path = Path::new("x.ods");
        set_data(&mut row, 0, &Data::DateTimeIso("2025-03-05T14:22:10".to_owned()), path, 0).unwrap();
        set_data(&mut row, 1, &Data::DurationIso("PT1H".to_owned()), path, 0).unwrap();
        set_data(&mut row, 2, &Data::String(String::new()), path, 0).unwrap();
        assert_eq!(row.cells(), &[Cell::Text("2025-03-05T14:22:10".to_owned()), Cell::Text("PT1H".to_owned())]);
    }
}

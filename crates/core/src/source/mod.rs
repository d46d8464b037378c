//! Reading a source file into rows of `Cell`s: format sniffing from the bytes, CSV encodings,
//! spreadsheets through calamine, streamed row by row.
//!
//! This module knows nothing about column meanings; `mapping` and `orders` give the cells meaning.
//! It does not parse numbers or dates out of text either (that is `cell`): CSV and HTML cells are
//! handed out as the exact text in the file, so long ids survive.
//!
//! Submodules: `batch` (the same rows read on a second thread, handed over in batches), `sniff` (format from bytes), `text` (CSV/TSV), `html` (HTML tables saved as .xls),
//! `workbook` (xlsx/xlsm/xlsb/xls/ods through calamine), `row` (the reused row buffer), `raw` (what
//! every reader hands out: `Cell`, `Format`, the cell size limit), `limits` (what one file may cost,
//! and the budget every reader charges), `state` (a file's running budget and notes), `zip_scan` and
//! `xls_scan` (what calamine would allocate from a file's declared sizes, checked before calamine sees it),
//! `xls_cfb` (an xls's workbook stream read by calamine's own compound-file rules, for `xls_scan`),
//! `values` (calamine's dates and numbers as cells), `xlsx_sheet` (xlsx/xlsm sheets read on two threads exactly as calamine's cells reader reads them,
//! calamine taking over for anything it does not understand).

mod batch;
mod html;
pub mod limits;
mod raw;
mod row;
mod sniff;
mod state;
mod text;
mod values;
mod workbook;
mod xls_cfb;
mod xls_scan;
mod xlsx_sheet;
mod zip_scan;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::progress::{NoProgress, Progress};

pub use raw::{Cell, Format, MAX_CELL_BYTES};
pub use sniff::{sniff, SniffError, HEAD_LEN};
pub(crate) use state::ReadState;
pub use state::SourceNotes;

use sniff::{Head, TextKind};

/// An opened source file.
///
/// Rows are streamed with [`Source::for_each_row`]: every row from the top of the sheet is handed
/// out with its 0-based index (index `i` is the row Excel shows as `i + 1`), blank rows as empty
/// slices, and each row without its trailing empty cells (a cell past the slice is empty).
pub struct Source {
    /// The file opened.
    pub path: PathBuf,
    /// Its format, from its bytes.
    pub format: Format,
    /// Its size in bytes.
    pub size: u64,
    sheets: Vec<String>,
    hints: Vec<Option<u64>>,
    backend: Backend,
    state: ReadState,
}

enum Backend {
    Workbook(workbook::Workbook),
    Text(TextKind),
    Html { kind: TextKind, table: html::Table },
}

impl SniffError {
    /// The core error for this sniff result, naming `path`.
    pub fn into_error(self, path: &Path) -> Error {
        let path = path.to_owned();
        match self {
            SniffError::Empty => Error::EmptyFile { path },
            SniffError::NotSpreadsheet(detail) => Error::NotSpreadsheet { path, detail },
            SniffError::Corrupt(detail) => Error::Corrupt { path, detail },
        }
    }
}

impl Source {
    /// Opens `path`, sniffing its format from the bytes (the extension is ignored).
    ///
    /// Workbooks are opened (sheet list, shared strings); CSV/TSV only have their head read; an HTML
    /// table is parsed whole.
    ///
    /// # Errors
    /// `Io`, `EmptyFile`, `NotSpreadsheet`, `Corrupt`, `Encrypted`, `FileTooLarge`.
    pub fn open(path: &Path) -> Result<Source> {
        Source::open_with(path, &NoProgress)
    }

    /// [`Source::open`], stopping with `Cancelled` when `progress` asks to: the size pre-scans and
    /// the HTML parser check it as they go. (calamine's own parse of an xls or ods cannot be
    /// interrupted; the pre-scan bounds what it may cost first.)
    ///
    /// # Errors
    /// As [`Source::open`], and `Cancelled`.
    pub fn open_with(path: &Path, progress: &dyn Progress) -> Result<Source> {
        let io = |source| Error::Io { path: path.to_owned(), source };
        let mut file = File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        let mut head = Vec::with_capacity(usize::try_from(size).unwrap_or(HEAD_LEN).min(HEAD_LEN));
        (&mut file).take(HEAD_LEN as u64).read_to_end(&mut head).map_err(io)?;
        let complete = head.len() < HEAD_LEN || head.len() as u64 == size;
        if !complete && head.iter().all(u8::is_ascii_whitespace) && rest_is_blank(&mut file).map_err(io)? {
            return Err(Error::EmptyFile { path: path.to_owned() });
        }
        let format = match sniff::sniff_head(&head, complete).map_err(|e| e.into_error(path))? {
            Head::Zip => {
                file.seek(SeekFrom::Start(0)).map_err(io)?;
                sniff::sniff_zip(BufReader::new(file)).map_err(|e| e.into_error(path))?
            }
            Head::Ole2 => Format::Xls,
            Head::Text(mut kind) => {
                if !complete && head.is_ascii() {
                    // An ASCII head says nothing about the encoding; GBK text may start later.
                    kind.encoding = encoding_after_ascii(&mut file).map_err(io)?;
                }
                return Source::open_text(path, size, kind, progress);
            }
        };
        let opened = workbook::open(path, format, progress)?;
        Ok(Source {
            path: path.to_owned(),
            format,
            size,
            sheets: opened.sheets,
            hints: opened.hints,
            backend: Backend::Workbook(opened.workbook),
            state: ReadState {
                budget: limits::Budget::for_file(size),
                notes: SourceNotes { duplicate_sheets: opened.duplicate_sheets, ..SourceNotes::default() },
            },
        })
    }

    fn open_text(path: &Path, size: u64, kind: TextKind, progress: &dyn Progress) -> Result<Source> {
        let sheet = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Sheet1".to_owned());
        let mut notes = SourceNotes::default();
        let (hint, backend) = if kind.format == Format::Html {
            if size > limits::MAX_HTML_BYTES {
                return Err(limits::too_large(
                    path,
                    format!("网页表格文件超过 {}", limits::human_bytes(limits::MAX_HTML_BYTES)),
                ));
            }
            let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
            let (text, _, replaced) = kind.encoding.decode(&bytes);
            notes.characters_replaced = replaced;
            let table = html::parse_first_table(&text, MAX_CELL_BYTES, &|| progress.cancelled())
                .map_err(|e| e.into_error(path))?;
            notes.columns_dropped_at_row = table.columns_dropped_at.map(|row| row as u64 + 1);
            if table.rows.is_empty() {
                return Err(Error::NotSpreadsheet {
                    path: path.to_owned(),
                    detail: "这是网页文件，但其中没有表格".to_owned(),
                });
            }
            (Some(table.rows.len() as u64), Backend::Html { kind, table })
        } else {
            let hint = kind.bytes_per_line.filter(|b| *b > 0.0).map(|b| (size as f64 / b).round() as u64);
            (hint, Backend::Text(kind))
        };
        Ok(Source {
            path: path.to_owned(),
            format: kind.format,
            size,
            sheets: vec![sheet],
            hints: vec![hint],
            backend,
            state: ReadState { budget: limits::Budget::for_file(size), notes },
        })
    }

    /// What the reads so far noticed (dropped columns, replaced characters, duplicate sheets).
    pub fn notes(&self) -> &SourceNotes {
        &self.state.notes
    }

    /// Sheet names in workbook order, hidden sheets included (one pseudo-sheet named after the file
    /// for CSV/TSV/HTML).
    pub fn sheet_names(&self) -> &[String] {
        &self.sheets
    }

    /// About how many rows `sheet` has, for a progress total: the declared xlsx/xlsb dimension, the
    /// parsed height for xls/ods/HTML, an estimate from the file size for CSV/TSV. `None` when
    /// unknown. Never use it to size anything.
    pub fn row_count_hint(&self, sheet: &str) -> Option<u64> {
        let i = self.sheets.iter().position(|s| s == sheet)?;
        self.hints.get(i).copied().flatten()
    }

    /// The text encoding of a CSV/TSV/HTML source (e.g. `"GBK"` for GB18030, `"UTF-8"`), for the
    /// import report; `None` for workbooks.
    pub fn encoding(&self) -> Option<&'static str> {
        match &self.backend {
            Backend::Workbook(_) => None,
            Backend::Text(kind) | Backend::Html { kind, .. } => Some(kind.encoding.name()),
        }
    }

    /// Streams the rows of `sheet` to `f` as (0-based row index, cells); `f` returns `Ok(false)` to stop early.
    ///
    /// Indices run from 0 without gaps (blank rows are empty slices); each row's trailing empty
    /// cells are left off. xlsx/xlsm/xlsb and CSV/TSV are streamed with one reused row buffer.
    ///
    /// # Errors
    /// `SheetNotFound`, `Corrupt`, `CellTooLarge`, `Io`, or whatever `f` returns.
    pub fn for_each_row(&mut self, sheet: &str, f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>) -> Result<()> {
        if !self.sheets.iter().any(|s| s == sheet) {
            return Err(Error::SheetNotFound { path: self.path.clone(), sheet: sheet.to_owned() });
        }
        match &mut self.backend {
            Backend::Workbook(workbook) => workbook.for_each_row(&self.path, sheet, &mut self.state, f),
            Backend::Text(kind) => text::for_each_row(&self.path, kind, &mut self.state, f),
            Backend::Html { table, .. } => {
                if let Some((row, bytes)) = table.too_large {
                    return Err(Error::CellTooLarge {
                        path: self.path.clone(),
                        row: u32::try_from(row + 1).unwrap_or(u32::MAX),
                        bytes,
                    });
                }
                for (index, cells) in table.rows.iter().enumerate() {
                    if !f(index, cells)? {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// Reads xlsx/xlsm sheets with calamine only (`on`) instead of the fast sheet reader
    /// (`source::xlsx_sheet`), for comparisons and benchmarks; no effect on other formats.
    #[doc(hidden)]
    pub fn set_calamine_only(&mut self, on: bool) {
        if let Backend::Workbook(workbook::Workbook::Xlsx(_, fast)) = &mut self.backend {
            fast.off = on;
        }
    }

    /// Whether the last read of an xlsx/xlsm went through the fast sheet reader to its end (`Some(true)`),
    /// fell back to calamine (`Some(false)`), or was calamine's alone (`None`, also for other formats).
    #[doc(hidden)]
    pub fn last_read_fast(&self) -> Option<bool> {
        match &self.backend {
            Backend::Workbook(workbook::Workbook::Xlsx(_, fast)) => fast.last_fast,
            _ => None,
        }
    }

    /// The first `n` rows of `sheet` (title rows and blank rows included; `rows[i]` is sheet row
    /// `i`), for header detection and previews.
    ///
    /// # Errors
    /// As [`Source::for_each_row`].
    pub fn head(&mut self, sheet: &str, n: usize) -> Result<Vec<Vec<Cell>>> {
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        if n == 0 {
            return Ok(rows);
        }
        self.for_each_row(sheet, &mut |index, cells| {
            if index >= n {
                return Ok(false);
            }
            if rows.len() <= index {
                rows.resize(index + 1, Vec::new());
            }
            if let Some(row) = rows.get_mut(index) {
                *row = cells.to_vec();
            }
            Ok(index + 1 < n)
        })?;
        Ok(rows)
    }
}

/// The encoding of the first non-ASCII bytes after the current position (UTF-8 if there are none),
/// for files whose sniffed head is pure ASCII. Looks at most 64 MiB further.
fn encoding_after_ascii(file: &mut File) -> std::io::Result<&'static encoding_rs::Encoding> {
    const WINDOW: usize = 4096;
    let mut buf = vec![0u8; 64 * 1024];
    let mut scanned = 0usize;
    while scanned < 64 << 20 {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        scanned += n;
        let chunk = buf.get(..n).unwrap_or_default();
        if let Some(at) = chunk.iter().position(|b| !b.is_ascii()) {
            let mut window = chunk.get(at..).unwrap_or_default().to_vec();
            if window.len() < WINDOW {
                let mut more = vec![0u8; WINDOW - window.len()];
                let m = file.read(&mut more)?;
                window.extend_from_slice(more.get(..m).unwrap_or_default());
            }
            return Ok(sniff::guess_encoding(&window, false));
        }
    }
    Ok(encoding_rs::UTF_8)
}

/// Whether the rest of the file is ASCII whitespace (a "blank" file larger than the sniff head).
fn rest_is_blank(file: &mut File) -> std::io::Result<bool> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(true);
        }
        if !buf.get(..n).unwrap_or_default().iter().all(u8::is_ascii_whitespace) {
            return Ok(false);
        }
    }
}

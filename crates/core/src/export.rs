//! The tiered workbook (rust_xlsxwriter) and CSV per tier: summary with native charts, one sheet per
//! tier, playbook, migration (when history exists) and method sheets. Atomic writes; never touches
//! the source file.
//!
//! Layout of this module: `input` holds what the caller passes in (and the progress ticker), `table` decides the customer columns and row order shared by both outputs,
//! `workbook` and `charts` write the xlsx, `csv` the CSV files, `text` cleans customer text and
//! `labels` holds the wording in both languages.
//!
//! What it deliberately does not do: compute tiers, suggestions or migrations (it shows what
//! `classify`, `playbook` and `history` produced), or read the clock (dates come from the
//! classification's as-of date).
//!
//! Safety rules every output follows:
//! - customer text is always written as text: a nickname `=HYPERLINK(…)` stays a string in the
//!   workbook, and gets a leading `'` in the CSV;
//! - characters a cell cannot hold are dropped instead of failing the export;
//! - files are written to a temp file in the target folder and renamed into place, so a failed or
//!   cancelled export leaves nothing behind and never damages an existing file.

mod charts;
mod csv;
mod input;
mod labels;
mod table;
mod text;
mod workbook;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, Workbook};

use self::input::Ticker;
use self::table::Table;
use self::workbook::Stop;
use crate::error::{Error, Result};
use crate::model::Lang;
use crate::progress::Progress;

pub use self::input::{ExportInput, ExportOptions};

fn write_error(path: &Path, detail: impl std::fmt::Display) -> Error {
    Error::Write { path: path.to_path_buf(), detail: detail.to_string() }
}

/// Writes `target` atomically: `write` fills a temp file in the same folder, which then replaces
/// `target` in one rename. On any error (or cancellation) the temp file is removed and `target`
/// is left as it was.
fn write_atomically(target: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".~{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| write_error(target, e))?;
    write(temp.as_file_mut())?;
    // Temp files are private (0600); a report is an ordinary document, so give it the mode of the
    // file it replaces, or the usual rw-r--r--.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(target).map_or(0o644, |m| m.permissions().mode() & 0o777);
        temp.as_file().set_permissions(std::fs::Permissions::from_mode(mode)).map_err(|e| write_error(target, e))?;
    }
    temp.as_file().sync_all().map_err(|e| write_error(target, e))?;
    temp.persist(target).map_err(|e| write_error(target, e.error))?;
    Ok(())
}

/// Writes the tiered workbook to `path` atomically (temp file in the same folder, then rename).
///
/// Sheets: 概览/Summary (KPIs, per-tier and per-segment tables, native charts), one sheet per tier
/// (A类客户 …, D only when used), 服务策略/Playbook, 分层变化/Migration when `input.migration` is
/// set, and 说明/Method; `options` turns sheets off and picks the language.
///
/// ```
/// use std::collections::BTreeMap;
/// use chrono::NaiveDate;
/// use tierbook_core::classify::{classify, ClassifyParams, Method};
/// use tierbook_core::export::{write_workbook, ExportInput, ExportOptions};
/// use tierbook_core::playbook::Playbook;
/// use tierbook_core::{Customer, NoProgress};
///
/// let day = |d| NaiveDate::from_ymd_opt(2025, 6, d).unwrap();
/// let customers: Vec<Customer> = (1..=20)
///     .map(|i| Customer {
///         key: format!("o{i}"),
///         name: format!("客户{i}"),
///         phone: None,
///         orders: i,
///         revenue: i64::from(i * i) * 1000,
///         first_order: day(1),
///         last_order: day(i),
///         interactions: None,
///     })
///     .collect();
/// let params = ClassifyParams {
///     method: Method::AbcRevenue { a_pct: 80.0, b_pct: 95.0 },
///     as_of: None,
///     segment_tiers: BTreeMap::new(),
///     segment_names: BTreeMap::new(),
/// };
/// let classification = classify(&customers, &params)?;
/// let playbook = Playbook::default();
/// let input = ExportInput { customers: &customers, classification: &classification, playbook: &playbook, reports: &[], migration: None };
/// let dir = tempfile::tempdir()?;
/// write_workbook(&dir.path().join("客户分层.xlsx"), &input, &ExportOptions::default(), &NoProgress)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// `NoCustomers` when there is nobody to export; `InvalidParams` when the classification does not
/// match the customers (classify again); `Write` when the folder is not writable or the target is
/// open in Excel/WPS; `Cancelled` when `progress` asks to stop. In every error case nothing is left
/// at `path` and an existing file there is untouched.
pub fn write_workbook(
    path: &Path,
    input: &ExportInput,
    options: &ExportOptions,
    progress: &dyn Progress,
) -> Result<()> {
    let table = Table::new(input, options.lang, options.keep_phones)?;
    let rows = if options.include_tier_sheets { table.len() as u64 } else { 0 };
    let mut ticker = Ticker::new(progress, rows);
    write_atomically(path, |file| {
        let mut book = Workbook::new();
        // Constant-memory sheets spill to temp files; keep them beside the target rather than in a
        // possibly small or memory-backed system temp folder.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            book.set_tempdir(dir).map_err(|e| write_error(path, e))?;
        }
        // Level 2 instead of 6: compressing the tier sheets is the largest single cost of a big
        // export; this roughly halves it for files ~10% larger (rust_xlsxwriter's own measurements).
        book.set_zip_compression_level(2);
        book.set_properties(&DocProperties::new().set_title(pick_title(options.lang)).set_author("TierBook"));
        workbook::build(&mut book, &table, options, &mut ticker).map_err(|stop| match stop {
            Stop::Cancelled => Error::Cancelled,
            Stop::Xlsx(e) => write_error(path, e),
        })?;
        if progress.cancelled() {
            return Err(Error::Cancelled);
        }
        book.save_to_writer(BufWriter::new(file)).map_err(|e| write_error(path, e))
    })?;
    ticker.finish();
    Ok(())
}

fn pick_title(lang: Lang) -> &'static str {
    labels::pick(lang, "客户分层报告", "Customer tier report")
}

/// Writes one CSV per tier (UTF-8 with BOM) into `dir`; returns the files written.
///
/// Files are named like the tier sheets (`A类客户.csv` / `Tier A.csv`) and hold the same columns.
/// Text that Excel would read as a formula gets a leading `'`; all-digit ids get a leading tab so
/// Excel keeps every digit (see `export::csv` for why not `="…"`). Each file is written atomically.
///
/// # Errors
/// `NoCustomers`, `InvalidParams` as `write_workbook`; `Write` when `dir` is missing or not
/// writable or a file is open in Excel/WPS.
pub fn write_csv_per_tier(dir: &Path, input: &ExportInput, options: &ExportOptions) -> Result<Vec<PathBuf>> {
    let table = Table::new(input, options.lang, options.keep_phones)?;
    let mut written = Vec::new();
    for (tier, rows) in &table.tiers {
        let path = dir.join(format!("{}.csv", labels::tier_sheet(*tier, options.lang)));
        write_atomically(&path, |file| {
            csv::write_tier(BufWriter::new(file), &table, rows).map_err(|e| write_error(&path, e))
        })?;
        written.push(path);
    }
    Ok(written)
}

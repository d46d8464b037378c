//! The tiered workbook (rust_xlsxwriter) and CSV per tier: summary with native charts, one sheet per
//! tier, playbook, migration (when history exists) and method sheets. Atomic writes; never touches
//! the source file.
//!
//! Layout of this module: `input` holds what the caller passes in (and the progress ticker), `table` decides the customer columns and row order shared by both outputs,
//! `workbook` and `charts` write the xlsx, `rows` writes and deflates the list sheets' rows on their own
//! threads, `package` splices them into the file, `csv` the CSV files, `text` cleans customer text and
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

mod analysis;
mod charts;
mod contacts;
mod csv;
mod input;
mod labels;
mod package;
mod packing;
mod product_sheet;
mod rows;
mod table;
mod text;
mod workbook;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, Workbook};

use self::input::Ticker;
use self::table::Table;
use self::workbook::Stop;
use crate::contacts::ContactList;
use crate::error::{Error, Result};
use crate::model::Lang;
use crate::progress::Progress;

pub use self::input::{ExportInput, ExportOptions};
pub use self::product_sheet::write_buyers_csv;
pub use self::text::mask_phone;

fn write_error(path: &Path, detail: impl std::fmt::Display) -> Error {
    Error::Write { path: path.to_path_buf(), detail: detail.to_string() }
}

/// A killed export leaves its temp file behind; one this old is no longer being written (an export
/// that is still running writes its temp file at the very end, after building the workbook).
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// The temp file name prefix of an export to `name`: `.~客户分层.xlsx.` (then 6 random characters and
/// `.tmp`). Stale ones are recognised by it, so nothing else in the folder is ever removed.
fn temp_prefix(name: &str) -> String {
    format!(".~{name}.")
}

fn target_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn target_name(target: &Path) -> String {
    target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Removes the temp files a killed export to `target` left in its folder: only names of the form
/// `.~{name}.XXXXXX.tmp` that are older than `STALE_TEMP`. Returns how many were removed.
pub fn remove_stale_temps(target: &Path) -> usize {
    let prefix = temp_prefix(&target_name(target));
    let Ok(entries) = std::fs::read_dir(target_dir(target)) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .is_some_and(|random| random.len() == 6 && random.chars().all(|c| c.is_ascii_alphanumeric()));
        let stale = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP);
        if ours && stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// An output written completely into a temp file in its target's folder, not yet in place. Dropping
/// it removes the temp file; `place` moves it to the target.
#[derive(Debug)]
pub struct StagedFile {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

/// An output moved into place whose earlier file (if the target existed) is still kept aside, so that
/// the caller can `undo` it until it decides to `keep` it.
#[derive(Debug)]
pub struct PlacedFile {
    target: PathBuf,
    previous: Option<tempfile::TempPath>,
}

impl StagedFile {
    /// Where `place` puts it.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the file into place in one rename. An existing file at the target is first hard-linked
    /// (or, where links are not supported, copied) to a temp name beside it, so `PlacedFile::undo`
    /// can bring it back.
    ///
    /// # Errors
    /// `Write`; the target is then as it was.
    pub fn place(self) -> Result<PlacedFile> {
        let target = self.target;
        let previous = if target.exists() {
            let keep = |aside: &Path| match std::fs::hard_link(&target, aside) {
                // Taken: tempfile tries another name (a copy would overwrite that file).
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
                // FAT and some network drives have no hard links.
                Err(_) => std::fs::copy(&target, aside).map(drop),
                Ok(()) => Ok(()),
            };
            let aside = tempfile::Builder::new()
                .prefix(&temp_prefix(&target_name(&target)))
                .suffix(".tmp")
                .make_in(target_dir(&target), |p| keep(p))
                .map_err(|e| write_error(&target, e))?;
            Some(aside.into_temp_path())
        } else {
            None
        };
        self.temp.persist(&target).map_err(|e| write_error(&target, e.error))?;
        Ok(PlacedFile { target, previous })
    }
}

impl PlacedFile {
    /// The file as written.
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Done: forgets the earlier file.
    pub fn keep(self) -> PathBuf {
        self.target
    }

    /// Puts the earlier file back (or removes the new one when there was none). Best effort: it runs
    /// while another error is being reported.
    pub fn undo(self) {
        match self.previous {
            Some(previous) => {
                let _ = previous.persist(&self.target);
            }
            None => {
                let _ = std::fs::remove_file(&self.target);
            }
        }
    }
}

/// Writes `target`'s content into a temp file in the same folder (`write` fills it), ready to be
/// placed. On any error (or cancellation) the temp file is removed and `target` is untouched.
fn stage(target: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<StagedFile> {
    remove_stale_temps(target);
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(&target_name(target)))
        .suffix(".tmp")
        .tempfile_in(target_dir(target))
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
    Ok(StagedFile { temp, target: target.to_path_buf() })
}

/// Places every staged file, or none: when one fails, those already placed are undone.
///
/// # Errors
/// `Write` of the file that could not be placed.
pub fn place_all(staged: Vec<StagedFile>) -> Result<Vec<PlacedFile>> {
    let mut placed = Vec::with_capacity(staged.len());
    for file in staged {
        match file.place() {
            Ok(p) => placed.push(p),
            Err(e) => {
                placed.into_iter().for_each(PlacedFile::undo);
                return Err(e);
            }
        }
    }
    Ok(placed)
}

/// Writes the tiered workbook to `path` atomically (temp file in the same folder, then rename).
///
/// Sheets: 概览/Summary (KPIs, per-tier and per-segment tables, native charts), one sheet per tier
/// (A类客户 …, D only when used; with `input.rhythm` six rhythm columns and a 本周该联系 sheet after
/// them), 服务策略/Playbook, 分层变化/Migration when `input.migration` is
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
///         profit: None,
///     })
///     .collect();
/// let params = ClassifyParams {
///     method: Method::AbcRevenue { a_pct: 80.0, b_pct: 95.0 },
///     as_of: None,
///     segment_tiers: BTreeMap::new(),
///     segment_names: BTreeMap::new(),
///     ..ClassifyParams::default()
/// };
/// let classification = classify(&customers, &params)?;
/// let playbook = Playbook::default();
/// let input = ExportInput { customers: &customers, classification: &classification, playbook: &playbook, reports: &[], migration: None, regions: None, cohorts: None, rhythm: None, tier_changes: None, campaigns: &[], products: None };
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
    stage_workbook(path, input, options, progress)?.place()?.keep();
    Ok(())
}

/// `write_workbook` up to the last step: the workbook is complete in a temp file beside `path`, and
/// `StagedFile::place` puts it there (for jobs that place every output only when all succeeded).
///
/// # Errors
/// As `write_workbook`; nothing is left behind.
pub fn stage_workbook(
    path: &Path,
    input: &ExportInput,
    options: &ExportOptions,
    progress: &dyn Progress,
) -> Result<StagedFile> {
    let table = Table::new(input, options)?;
    let rows = if options.include_tier_sheets { table.len() as u64 } else { 0 };
    let ticker = Ticker::new(progress, rows);
    let staged = stage(path, |file| {
        let mut book = Workbook::new();
        // The list sheets' rows wait in temp files beside the target rather than in a possibly small
        // or memory-backed system temp folder (rust_xlsxwriter's own temp files too).
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir {
            book.set_tempdir(dir).map_err(|e| write_error(path, e))?;
        }
        book.set_zip_compression_level(rows::ZIP_LEVEL);
        book.set_properties(&DocProperties::new().set_title(pick_title(options.lang)).set_author("TierBook"));
        let lists = workbook::build(&mut book, &table, options, &ticker, dir).map_err(|stop| match stop {
            Stop::Cancelled => Error::Cancelled,
            Stop::Xlsx(e) => write_error(path, e),
        })?;
        if progress.cancelled() {
            return Err(Error::Cancelled);
        }
        // Everything but the lists' rows is small: saved into memory, then copied into the file with
        // the rows spliced in (`package`).
        let book = book.save_to_buffer().map_err(|e| write_error(path, e))?;
        let mut packing = packing::Packing::new(BufWriter::new(file), progress);
        let saved = package::write(&book, lists, &mut packing).and_then(|packing| packing.flush());
        match saved {
            Err(_) if packing.cancelled() => Err(Error::Cancelled),
            saved => saved.map_err(|e| write_error(path, e)),
        }
    })?;
    ticker.finish();
    Ok(staged)
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
    let staged = stage_csv_per_tier(dir, input, options)?;
    Ok(place_all(staged)?.into_iter().map(PlacedFile::keep).collect())
}

/// The CSV file of `tier` in `dir` (`A类客户.csv` / `Tier A.csv`).
pub fn csv_path(dir: &Path, tier: crate::model::Tier, lang: Lang) -> PathBuf {
    dir.join(format!("{}.csv", labels::tier_sheet(tier, lang)))
}

/// `write_csv_per_tier` up to the last step: every CSV complete in a temp file in `dir`.
///
/// # Errors
/// As `write_csv_per_tier`; nothing is left behind.
pub fn stage_csv_per_tier(dir: &Path, input: &ExportInput, options: &ExportOptions) -> Result<Vec<StagedFile>> {
    let table = Table::new(input, options)?;
    let mut staged = Vec::new();
    for (tier, rows) in &table.tiers {
        let path = csv_path(dir, *tier, options.lang);
        staged.push(stage(&path, |file| {
            csv::write_tier(BufWriter::new(file), &table, rows).map_err(|e| write_error(&path, e))
        })?);
    }
    Ok(staged)
}

/// The contact list as a CSV for SMS / 企业微信 tagging tools, complete in a temp file beside `path`
/// (UTF-8 with BOM; columns 客户ID, 客户名称, 手机号, 标签 = "A类,重要价值客户,该联系了", 联系日期,
/// 下次跟进, 建议动作, 渠道, 原因; phones masked unless `keep_phones`; the same formula and long-id
/// guards as the tier CSVs).
///
/// # Errors
/// `Write` when the folder is not writable; nothing is left behind.
pub fn stage_contacts_csv(path: &Path, list: &ContactList, lang: Lang, keep_phones: bool) -> Result<StagedFile> {
    stage(path, |file| {
        contacts::write_rows(BufWriter::new(file), list, lang, keep_phones).map_err(|e| write_error(path, e))
    })
}

/// [`stage_contacts_csv`], then put in place atomically; returns the path written.
///
/// # Errors
/// `Write` when the folder is not writable or the file is open in Excel/WPS; an existing file at
/// `path` is then untouched.
pub fn write_contacts_csv(path: &Path, list: &ContactList, lang: Lang, keep_phones: bool) -> Result<PathBuf> {
    stage_contacts_csv(path, list, lang, keep_phones)?.place().map(PlacedFile::keep)
}

//! The import step end to end: open the source, pick the sheet and header, map the columns, turn
//! rows into orders, and say what happened in an `ImportReport`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::mapping::{KeySpec, Mapping, Role};
use crate::model::{Order, Text};
use crate::orders::StatusRules;
use crate::progress::Progress;
use crate::source::Format;

/// What the user chose; everything is optional and defaults to detection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ImportOptions {
    /// Sheet to read; `None` picks the best-matching one.
    pub sheet: Option<String>,
    /// 0-based header row; `None` detects it.
    pub header_row: Option<u32>,
    /// Role overrides by header text; `None` clears a detected role.
    pub roles: BTreeMap<String, Option<Role>>,
    /// Customer key override.
    pub key: Option<KeySpec>,
    /// Status rules; `None` uses `StatusRules::default()`.
    pub rules: Option<StatusRules>,
}

/// Why a row did not become (part of) an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// 已关闭/已取消/待付款 …
    Closed,
    /// Fully refunded.
    Refunded,
    NoCustomerKey,
    UnreadableAmount,
    UnreadableDate,
    /// 合计/总计/小计 rows.
    TotalsRow,
    /// The same order already seen (in this file or an earlier one).
    Duplicate,
    Blank,
}

/// Count and examples for one skip reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Skipped {
    pub reason: SkipReason,
    pub count: u64,
    /// Up to 5 example row numbers (1-based, as Excel shows them).
    pub example_rows: Vec<u32>,
}

/// Something the user should know (masked-phone key, item-level rows collapsed, …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Warning {
    /// Stable code, e.g. `masked_phone_key`.
    pub code: String,
    pub text: Text,
}

/// What one import did, in numbers a shop owner can check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub file: String,
    pub format: Format,
    pub mapping: Mapping,
    /// Data rows read (after the header).
    pub rows_read: u64,
    pub orders_kept: u64,
    pub skipped: Vec<Skipped>,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    pub warnings: Vec<Warning>,
}

/// The orders of one or more source files, deduplicated, with one report per file.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub sources: Vec<PathBuf>,
    pub orders: Vec<Order>,
    pub reports: Vec<ImportReport>,
}

/// A look at a file before importing: sheets, detected header and roles, first rows as text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preview {
    pub file: String,
    pub format: Format,
    pub sheets: Vec<String>,
    pub mapping: Mapping,
    /// Rows from the top of the sheet (title rows included) as display text, so the UI can mark the header.
    pub rows: Vec<Vec<String>>,
    pub warnings: Vec<Warning>,
}

/// Looks at `path` with `options` applied, without importing.
///
/// # Errors
/// As `import_files`.
pub fn preview(path: &Path, options: &ImportOptions) -> Result<Preview> {
    let _ = (path, options);
    unimplemented!("import::preview")
}

/// Imports one or more files as one dataset (orders counted once across overlapping exports).
///
/// # Errors
/// `Error::Io`, `EmptyFile`, `NotSpreadsheet`, `Corrupt`, `NoHeader`, `NoDataRows`, `NoAmountColumn`,
/// `NoKeyColumn`, `AmountsUnreadable`, `CellTooLarge`, `Cancelled` — each naming the file.
pub fn import_files(paths: &[PathBuf], options: &ImportOptions, progress: &dyn Progress) -> Result<Dataset> {
    let _ = (paths, options, progress);
    unimplemented!("import::import_files")
}

//! The tiered workbook (rust_xlsxwriter) and CSV per tier: summary with native charts, one sheet per
//! tier, playbook, migration (when history exists) and method sheets. Atomic writes; never touches
//! the source file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::classify::Classification;
use crate::error::Result;
use crate::import::ImportReport;
use crate::model::{Customer, Lang};
use crate::playbook::Playbook;
use crate::progress::Progress;
use crate::store::Migration;

/// What to put in the export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ExportOptions {
    pub lang: Lang,
    /// Keep full phone numbers (default: masked 138****1234).
    pub keep_phones: bool,
    pub include_summary: bool,
    pub include_tier_sheets: bool,
    pub include_playbook: bool,
    pub include_method: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            lang: Lang::Zh,
            keep_phones: false,
            include_summary: true,
            include_tier_sheets: true,
            include_playbook: true,
            include_method: true,
        }
    }
}

/// Everything the export reads; nothing here is modified.
pub struct ExportInput<'a> {
    pub customers: &'a [Customer],
    pub classification: &'a Classification,
    pub playbook: &'a Playbook,
    /// Import reports of the sources, for the method sheet.
    pub reports: &'a [ImportReport],
    /// Tier changes since the previous snapshot, when there is one.
    pub migration: Option<&'a Migration>,
}

/// Writes the tiered workbook to `path` atomically (temp file in the same folder, then rename).
///
/// # Errors
/// `Write` when the folder is not writable or the target is locked; `Cancelled`.
pub fn write_workbook(path: &Path, input: &ExportInput, options: &ExportOptions, progress: &dyn Progress) -> Result<()> {
    let _ = (path, input, options, progress);
    unimplemented!("export::write_workbook")
}

/// Writes one CSV per tier (UTF-8 with BOM) into `dir`; returns the files written.
///
/// # Errors
/// `Write`.
pub fn write_csv_per_tier(dir: &Path, input: &ExportInput, options: &ExportOptions) -> Result<Vec<PathBuf>> {
    let _ = (dir, input, options);
    unimplemented!("export::write_csv_per_tier")
}

//! Reading a source file into rows of `Cell`s: format sniffing from the bytes, CSV encodings,
//! spreadsheets through calamine, streamed row by row.
//!
//! This module knows nothing about column meanings; `mapping` and `orders` give the cells meaning.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// The container format, decided from the bytes (users rename files; platforms save CSV or HTML as .xls).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Csv,
    Tsv,
    /// An HTML table saved under .xls (some platforms' "Excel" export).
    Html,
}

/// One cell as read, before any role-specific parsing.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell Excel formatted as a date/time.
    DateTime(NaiveDateTime),
    /// An Excel error value such as `#VALUE!`.
    Error(String),
}

/// An opened source file.
pub struct Source {
    pub path: PathBuf,
    pub format: Format,
    pub size: u64,
    sheets: Vec<String>,
}

impl Source {
    /// Opens `path`, sniffing its format.
    ///
    /// # Errors
    /// `Io`, `EmptyFile`, `NotSpreadsheet`, `Corrupt`.
    pub fn open(path: &Path) -> Result<Source> {
        let _ = path;
        unimplemented!("source::Source::open")
    }

    /// Sheet names in workbook order (one pseudo-sheet for CSV/TSV/HTML).
    pub fn sheet_names(&self) -> &[String] {
        &self.sheets
    }

    /// Streams the rows of `sheet` to `f` as (0-based row index, cells); `f` returns `Ok(false)` to stop early.
    ///
    /// # Errors
    /// `SheetNotFound`, `Corrupt`, `CellTooLarge`, or whatever `f` returns.
    pub fn for_each_row(
        &mut self,
        sheet: &str,
        f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
    ) -> Result<()> {
        let _ = (sheet, f);
        unimplemented!("source::Source::for_each_row")
    }
}

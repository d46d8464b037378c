//! What every reader hands out and this module's users see: the raw `Cell`, the container `Format`,
//! and the size limit of one cell. Below the readers (`text`, `html`, `workbook`, `row`, `sniff`) and
//! the `Source` that dispatches to them, so that none of them needs another to name a cell.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// A cell with more text than this is refused with `CellTooLarge`: no real export holds one, and a
/// broken or hostile file must not make the import allocate without bound.
pub const MAX_CELL_BYTES: usize = 1 << 20;

/// The container format, decided from the bytes (users rename files; platforms save CSV or HTML as .xls).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Excel 2007+ workbook.
    Xlsx,
    /// Excel 2007+ workbook with macros.
    Xlsm,
    /// Excel binary workbook.
    Xlsb,
    /// Excel 97–2003 workbook.
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
    /// Delimited text other than tab-separated (comma, semicolon, aligned columns).
    Csv,
    /// Tab-separated text.
    Tsv,
    /// An HTML table saved under .xls (some platforms' "Excel" export).
    Html,
}

/// One cell as read, before any role-specific parsing.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// No value.
    Empty,
    /// Text, exactly as in the file.
    Text(String),
    /// A number cell.
    Number(f64),
    /// A boolean cell.
    Bool(bool),
    /// A cell Excel formatted as a date/time.
    DateTime(NaiveDateTime),
    /// An Excel error value such as `#VALUE!`.
    Error(String),
}

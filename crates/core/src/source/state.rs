//! What one file's reading has counted and noticed so far: the budget every reader charges and the
//! notes for the import report. Below the readers, above `row` and `limits`.

use super::{limits, row};

/// What the readers noticed about a file that the import report should mention.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceNotes {
    /// The 1-based row of the first row with cells past Excel's 16,384 columns (they are left out).
    pub columns_dropped_at_row: Option<u64>,
    /// Bytes that are not text in the file's encoding (e.g. a lone UTF-16 surrogate) were read as
    /// U+FFFD "�".
    pub characters_replaced: bool,
    /// Sheets left out because they point at the same data as an earlier sheet.
    pub duplicate_sheets: Vec<String>,
}

/// A file's running budget and notes, shared by every read of it.
#[derive(Debug, Default)]
pub(crate) struct ReadState {
    pub budget: limits::Budget,
    pub notes: SourceNotes,
}

impl ReadState {
    /// Takes over what a finished (or stopped) row buffer counted and noticed.
    pub(crate) fn absorb(&mut self, row: &row::RowBuffer) {
        self.budget = row.budget;
        if let Some(at) = row.columns_dropped_at {
            let at = at as u64 + 1;
            let first = self.notes.columns_dropped_at_row.map_or(at, |old| old.min(at));
            self.notes.columns_dropped_at_row = Some(first);
        }
    }
}

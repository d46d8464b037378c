//! One reusable row of cells, so streaming a million rows does not allocate a Vec (or a String for
//! every text cell) per row.

use std::path::Path;

use super::limits::{self, Budget};
use super::Cell;
use crate::error::Result;

/// Excel's column limit; cells beyond it only appear in broken or hostile files and are dropped
/// (the reader notes it, and the import report says so).
pub(crate) const MAX_COLUMNS: usize = 16_384;

/// A row being assembled: slots past `len` keep their old buffers for reuse.
///
/// Every cell set is charged to `budget` (one add per cell); readers call [`RowBuffer::check`]
/// once per row.
#[derive(Default)]
pub(crate) struct RowBuffer {
    cells: Vec<Cell>,
    len: usize,
    pub(crate) budget: Budget,
    /// The 0-based index of the first row that had cells past [`MAX_COLUMNS`] (set by readers
    /// through [`RowBuffer::note_row`]).
    pub(crate) columns_dropped_at: Option<usize>,
    dropped_in_row: bool,
}

impl RowBuffer {
    /// An empty row buffer that continues counting from `budget`.
    pub(crate) fn with_budget(budget: Budget) -> RowBuffer {
        RowBuffer { budget, ..RowBuffer::default() }
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Ends row `index`: records dropped columns and refuses a file over its budget.
    ///
    /// # Errors
    /// `FileTooLarge` once the file has handed out more cells or text than `limits` allow.
    pub(crate) fn check(&mut self, path: &Path, index: usize) -> Result<()> {
        if self.dropped_in_row {
            self.dropped_in_row = false;
            self.columns_dropped_at.get_or_insert(index);
        }
        match self.budget.exceeded() {
            Some(detail) => Err(limits::too_large(path, detail)),
            None => Ok(()),
        }
    }

    /// The slot for column `col`, padding the columns before it with `Empty`.
    fn slot(&mut self, col: usize) -> Option<&mut Cell> {
        self.budget.cells += 1;
        if col >= MAX_COLUMNS {
            self.dropped_in_row = true;
            return None;
        }
        if self.cells.len() <= col {
            self.cells.resize(col + 1, Cell::Empty);
        }
        if col >= self.len {
            for cell in self.cells.get_mut(self.len..col).unwrap_or_default() {
                *cell = Cell::Empty;
            }
            self.len = col + 1;
        }
        self.cells.get_mut(col)
    }

    /// Sets a text cell, reusing the slot's string buffer when it has one.
    pub(crate) fn set_text(&mut self, col: usize, text: &str) {
        self.budget.text_bytes += text.len() as u64;
        match self.slot(col) {
            Some(Cell::Text(s)) => {
                s.clear();
                s.push_str(text);
            }
            Some(slot) => *slot = Cell::Text(text.to_owned()),
            None => {}
        }
    }

    pub(crate) fn set(&mut self, col: usize, cell: Cell) {
        if let Some(slot) = self.slot(col) {
            *slot = cell;
        }
    }

    /// Marks a cell empty without extending the row (trailing empties are not part of a row).
    pub(crate) fn set_empty(&mut self, col: usize) {
        if col < self.len {
            if let Some(slot) = self.cells.get_mut(col) {
                *slot = Cell::Empty;
            }
        }
    }

    /// The row's cells up to the last non-empty one.
    pub(crate) fn cells(&self) -> &[Cell] {
        let row = self.cells.get(..self.len).unwrap_or_default();
        let end = row.iter().rposition(|c| *c != Cell::Empty).map_or(0, |i| i + 1);
        row.get(..end).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_buffer_pads_leading_columns_and_trims_trailing_empties() {
        let mut row = RowBuffer::default();
        row.set_text(2, "x");
        row.set(4, Cell::Empty);
        assert_eq!(row.cells(), &[Cell::Empty, Cell::Empty, Cell::Text("x".into())]);
    }

    #[test]
    fn row_buffer_reuse_does_not_leak_previous_row() {
        let mut row = RowBuffer::default();
        row.set_text(0, "a");
        row.set_text(1, "b");
        row.set_text(2, "c");
        row.clear();
        row.set_text(2, "z");
        assert_eq!(row.cells(), &[Cell::Empty, Cell::Empty, Cell::Text("z".into())]);
        row.clear();
        assert!(row.cells().is_empty());
    }

    #[test]
    fn row_buffer_counts_cells_and_text_and_notes_dropped_columns() {
        let mut row = RowBuffer::with_budget(Budget { cells: 10, text_bytes: 100, ..Budget::default() });
        row.set_text(0, "订单");
        row.set(1, Cell::Number(1.0));
        row.check(Path::new("x.csv"), 0).unwrap();
        assert_eq!((row.budget.cells, row.budget.text_bytes), (12, 106));
        assert_eq!(row.columns_dropped_at, None);
        row.clear();
        row.set_text(MAX_COLUMNS, "far");
        row.check(Path::new("x.csv"), 7).unwrap();
        row.set_text(MAX_COLUMNS + 1, "again");
        row.check(Path::new("x.csv"), 9).unwrap();
        assert_eq!(row.columns_dropped_at, Some(7));
        assert!(row.cells().is_empty());
    }

    #[test]
    fn row_buffer_over_budget_is_file_too_large() {
        let mut row = RowBuffer::with_budget(Budget { cells: limits::MAX_FILE_CELLS, ..Budget::default() });
        row.set(0, Cell::Bool(true));
        let err = row.check(Path::new("x.csv"), 0).unwrap_err();
        assert_eq!(err.code(), "file_too_large");
    }
}

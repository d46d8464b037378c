//! One reusable row of cells, so streaming a million rows does not allocate a Vec (or a String for
//! every text cell) per row.

use super::Cell;

/// Excel's column limit; cells beyond it only appear in broken or hostile files and are dropped.
pub(crate) const MAX_COLUMNS: usize = 16_384;

/// A row being assembled: slots past `len` keep their old buffers for reuse.
#[derive(Default)]
pub(crate) struct RowBuffer {
    cells: Vec<Cell>,
    len: usize,
}

impl RowBuffer {
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// The slot for column `col`, padding the columns before it with `Empty`.
    fn slot(&mut self, col: usize) -> Option<&mut Cell> {
        if col >= MAX_COLUMNS {
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
}

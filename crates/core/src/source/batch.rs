//! Reading on a second thread: one thread inflates, tokenizes and budgets the file (the reader the
//! source already has), while the caller's thread turns the rows into orders. Rows travel in
//! batches over a bounded channel, in file order, and the batches come back to be reused, so a
//! million rows cost a handful of row buffers rather than a `String` per cell.
//!
//! Everything a file may cost is still charged by the reader on its own thread (`limits`), and a
//! caller that stops (`Ok(false)`, an error such as `Cancelled`) drops its end of the channel, which
//! stops the reader at its next batch.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use super::{Cell, Source};
use crate::error::Result;

/// Batches on their way to the caller at once: the reader may run this far ahead.
const IN_FLIGHT: usize = 2;

/// Rows of one batch, flat: row `i` is `cells[rows[i].1..rows[i].2]`, with index `rows[i].0`.
///
/// Each row starts `stride` slots after the one before it (the widest row so far), not right after
/// its last cell: a column keeps its slot from row to row and from one use of the batch to the next,
/// so a text cell lands where a text of the same column was and reuses its buffer. Packed, a row one
/// cell shorter (an empty last column) shifted every later row of the batch by one, texts landed on
/// numbers' slots and each took a new allocation (issue 10: ~4 % of the CPU of a million-order run).
#[derive(Default)]
struct Batch {
    cells: Vec<Cell>,
    /// The first slot after the last row's.
    used: usize,
    /// The widest row so far (up to `MAX_STRIDE`); kept when the batch is cleared and reused.
    stride: usize,
    rows: Vec<(usize, usize, usize)>,
}

/// Rows wider than this are packed and leave the stride alone: one hostile row of 16,384 columns
/// must not make every row of the batch take that many slots.
const MAX_STRIDE: usize = 256;

impl Batch {
    fn push(&mut self, index: usize, row: &[Cell]) {
        if row.len() > self.stride && row.len() <= MAX_STRIDE {
            self.stride = row.len();
        }
        let start = self.used;
        for (at, cell) in (start..).zip(row) {
            match self.cells.get_mut(at) {
                Some(slot) => assign(slot, cell),
                None => self.cells.push(cell.clone()),
            }
        }
        self.rows.push((index, start, start + row.len()));
        // A blank row takes no slots, so the rows after it keep their columns' slots.
        if !row.is_empty() {
            self.used = start + row.len().max(self.stride);
        }
        // The slots the stride skipped exist too, so that the next row's cells line up at `used`.
        if self.cells.len() < self.used {
            self.cells.resize(self.used, Cell::Empty);
        }
    }

    fn clear(&mut self) {
        self.used = 0;
        self.rows.clear();
    }

    /// Hands each row to `f` in order; false when `f` stops.
    fn each(&self, f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>) -> Result<bool> {
        for &(index, start, end) in &self.rows {
            if !f(index, self.cells.get(start..end).unwrap_or_default())? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Copies `cell` into `slot`, reusing the slot's text buffer.
fn assign(slot: &mut Cell, cell: &Cell) {
    match (slot, cell) {
        (Cell::Text(to), Cell::Text(from)) => {
            to.clear();
            to.push_str(from);
        }
        (slot, cell) => *slot = cell.clone(),
    }
}

impl Source {
    /// [`Source::for_each_row`] with the reading on a second thread, `batch_rows` rows per hand-over
    /// (0 reads on the caller's thread). `f` sees exactly the rows, in exactly the order, that
    /// `for_each_row` would hand it, whatever the batch size or thread timing.
    ///
    /// An error of `f` is returned first; otherwise the reader's own (`Corrupt`, `CellTooLarge`,
    /// `FileTooLarge`, …), as `for_each_row` would have.
    ///
    /// # Errors
    /// As [`Source::for_each_row`].
    pub fn for_each_row_batched(
        &mut self,
        sheet: &str,
        batch_rows: usize,
        f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
    ) -> Result<()> {
        if batch_rows == 0 {
            return self.for_each_row(sheet, f);
        }
        let (full_tx, full_rx) = sync_channel::<Batch>(IN_FLIGHT);
        // Every batch alive is with the reader, in `full`, with the caller or here: at most
        // IN_FLIGHT + 2, so returning one never blocks.
        let (empty_tx, empty_rx) = sync_channel::<Batch>(IN_FLIGHT + 2);
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || read_batches(self, sheet, batch_rows, &full_tx, &empty_rx));
            let consumed = consume(&full_rx, &empty_tx, f);
            // The reader stops at its next hand-over once nobody receives.
            drop(full_rx);
            let read = match reader.join() {
                Ok(read) => read,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            match consumed {
                // Every row was handed out: the read's own end decides, as in `for_each_row`.
                Ok(true) => read,
                // `f` stopped first: what the reader met further on was never `f`'s business.
                Ok(false) => Ok(()),
                Err(e) => Err(e),
            }
        })
    }
}

/// The reading thread: fills batches and sends them; stops when the caller hangs up.
fn read_batches(
    source: &mut Source,
    sheet: &str,
    batch_rows: usize,
    full: &SyncSender<Batch>,
    empty: &Receiver<Batch>,
) -> Result<()> {
    let mut batch = Batch::default();
    let mut hung_up = false;
    let read = source.for_each_row(sheet, &mut |index, row| {
        batch.push(index, row);
        if batch.rows.len() >= batch_rows {
            let next = empty.try_recv().unwrap_or_default();
            if full.send(std::mem::replace(&mut batch, next)).is_err() {
                hung_up = true;
                return Ok(false);
            }
        }
        Ok(true)
    });
    // The rows before an error go out too: `for_each_row` hands them to `f` before it fails.
    if !hung_up && !batch.rows.is_empty() {
        // A failed send means the caller stopped; it needs no more rows.
        let _ = full.send(batch);
    }
    read
}

/// The caller's side: hands every row of every batch to `f`, returning emptied batches. True when
/// the reader sent its last batch, false when `f` stopped.
fn consume(
    full: &Receiver<Batch>,
    empty: &SyncSender<Batch>,
    f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>,
) -> Result<bool> {
    for mut batch in full {
        if !batch.each(f)? {
            return Ok(false);
        }
        batch.clear();
        // A reader that has finished no longer needs it back; then it is simply dropped.
        let _ = empty.try_send(batch);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Workbook};

    use super::*;
    use crate::error::Error;
    use crate::source::MAX_CELL_BYTES;

    type Rows = Vec<(usize, Vec<Cell>)>;

    /// Rows handed out with `batch_rows` (0: `for_each_row` itself), stopping after `stop_after`
    /// rows, and how the read ended.
    fn read(path: &Path, batch_rows: usize, stop_after: usize) -> (Rows, Result<()>) {
        let mut source = Source::open(path).unwrap();
        let sheet = source.sheet_names()[0].clone();
        let mut rows = Vec::new();
        let end = source.for_each_row_batched(&sheet, batch_rows, &mut |index, cells| {
            rows.push((index, cells.to_vec()));
            Ok(rows.len() < stop_after)
        });
        (rows, end)
    }

    /// A sheet with text of every length (so reused buffers shrink and grow), numbers, dates, blank
    /// rows and rows of different widths.
    fn write_mixed_xlsx(path: &Path, rows: u32) {
        let mut workbook = Workbook::new();
        let date = XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let sheet = workbook.add_worksheet();
        for r in 0..rows {
            if r % 37 == 5 {
                continue; // a blank row
            }
            sheet.write_string(r, 0, "x".repeat((r as usize * 7) % 50)).unwrap();
            sheet.write_number(r, 1, f64::from(r) * 1.25).unwrap();
            if r % 3 == 0 {
                let day = ExcelDateTime::from_ymd(2025, 1 + (r % 12) as u8, 1 + (r % 28) as u8).unwrap();
                sheet.write_datetime_with_format(r, 2, &day, &date).unwrap();
            }
            if r % 4 == 1 {
                sheet.write_string(r, 5 + (r % 3) as u16, format!("客户{r}")).unwrap();
            }
        }
        workbook.save(path).unwrap();
    }

    #[test]
    fn every_batch_size_hands_out_the_same_rows_in_the_same_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.xlsx");
        write_mixed_xlsx(&path, 3000);
        let (expected, end) = read(&path, 0, usize::MAX);
        end.unwrap();
        assert_eq!(expected.len(), 3000);
        for batch_rows in [1, 2, 7, 1024, 5000] {
            let (rows, end) = read(&path, batch_rows, usize::MAX);
            end.unwrap();
            assert!(rows == expected, "batch size {batch_rows} changed the rows");
        }
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    fn rows_of(batch: &Batch) -> Rows {
        let mut got = Vec::new();
        batch
            .each(&mut |i, cells| {
                got.push((i, cells.to_vec()));
                Ok(true)
            })
            .unwrap();
        got
    }

    #[test]
    fn a_column_keeps_its_slot_so_its_text_reuses_the_buffer_of_the_batch_before() {
        // The second row is one cell short (an empty last column): packed, the rows after it moved
        // by one slot, and when the batch came back each text landed on a number's slot.
        let full = |name: &str, n: f64| vec![text(name), Cell::Number(n), text("备注")];
        let first: Rows = vec![(1, full("甲", 1.0)), (2, vec![text("乙"), Cell::Number(2.0)]), (3, full("丙", 3.0))];
        let second: Rows = vec![(4, full("丁", 4.0)), (5, full("戊", 5.0)), (6, full("己", 6.0))];
        let buffer_of = |batch: &Batch, row: usize| match batch.rows.get(row).and_then(|r| batch.cells.get(r.1)) {
            Some(Cell::Text(s)) => s.as_ptr(),
            _ => panic!("row {row} does not start with a text"),
        };
        let mut batch = Batch::default();
        first.iter().for_each(|(i, r)| batch.push(*i, r));
        assert_eq!(rows_of(&batch), first);
        let third = buffer_of(&batch, 2);
        batch.clear();
        second.iter().for_each(|(i, r)| batch.push(*i, r));
        assert_eq!(rows_of(&batch), second);
        assert_eq!(buffer_of(&batch, 2), third, "the third row's name took a new buffer");
    }

    #[test]
    fn a_very_wide_row_is_handed_out_whole_without_widening_the_rows_after_it() {
        let wide: Vec<Cell> = (0..MAX_STRIDE + 50).map(|i| text(&i.to_string())).collect();
        let rows: Rows = vec![
            (0, vec![text("a"), Cell::Number(1.0)]),
            (1, Vec::new()),
            (2, wide),
            (3, vec![text("b")]),
            (5, vec![Cell::Number(2.0), text("c"), text("d")]),
            (6, vec![text("e"), Cell::Empty, Cell::Bool(true)]),
        ];
        let mut batch = Batch::default();
        for _ in 0..2 {
            batch.clear();
            rows.iter().for_each(|(i, r)| batch.push(*i, r));
            assert_eq!(rows_of(&batch), rows);
            // The stride stays at the widest row it may take (3): the wide row is packed.
            assert_eq!(batch.stride, 3);
            assert!(batch.cells.len() <= MAX_STRIDE + 50 + 3 * 4, "{} slots", batch.cells.len());
        }
    }

    #[test]
    fn a_caller_that_stops_stops_the_reader_and_sees_no_more_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.xlsx");
        write_mixed_xlsx(&path, 3000);
        for batch_rows in [1, 64] {
            let (rows, end) = read(&path, batch_rows, 100);
            end.unwrap();
            assert_eq!(rows.len(), 100);
            // An error of the caller (a cancel) is what the read returns.
            let mut source = Source::open(&path).unwrap();
            let sheet = source.sheet_names()[0].clone();
            let mut seen = 0;
            let err = source
                .for_each_row_batched(&sheet, batch_rows, &mut |_, _| {
                    seen += 1;
                    if seen == 250 {
                        return Err(Error::Cancelled);
                    }
                    Ok(true)
                })
                .unwrap_err();
            assert!(matches!(err, Error::Cancelled), "{err}");
            assert_eq!(seen, 250);
        }
    }

    #[test]
    fn rows_before_a_read_error_come_first_then_the_error_as_without_a_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big_cell.csv");
        let mut text = String::from("订单号,买家ID,实付金额\n");
        for i in 0..500 {
            text.push_str(&format!("{i},o{i},1.00\n"));
        }
        text.push_str(&format!("501,{},1.00\n", "y".repeat(MAX_CELL_BYTES + 1)));
        std::fs::write(&path, text).unwrap();
        let (expected, end) = read(&path, 0, usize::MAX);
        assert_eq!(end.unwrap_err().code(), "cell_too_large");
        assert_eq!(expected.len(), 501);
        for batch_rows in [1, 64, 1024] {
            let (rows, end) = read(&path, batch_rows, usize::MAX);
            assert_eq!(end.unwrap_err().code(), "cell_too_large", "batch size {batch_rows}");
            assert!(rows == expected, "batch size {batch_rows}");
        }
        // A caller that stopped before the bad row never hears of it, with or without the thread.
        for batch_rows in [0, 1, 1024] {
            let (rows, end) = read(&path, batch_rows, 10);
            end.unwrap();
            assert_eq!(rows.len(), 10);
        }
    }
}

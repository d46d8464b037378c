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

/// Rows of one batch, flat: `cells[ends[i - 1]..ends[i]]` is the row with index `rows[i]`.
#[derive(Default)]
struct Batch {
    cells: Vec<Cell>,
    /// Slots of `cells` in use; the rest keep their buffers for the next fill.
    used: usize,
    rows: Vec<(usize, usize)>,
}

impl Batch {
    fn push(&mut self, index: usize, row: &[Cell]) {
        for cell in row {
            match self.cells.get_mut(self.used) {
                Some(slot) => assign(slot, cell),
                None => self.cells.push(cell.clone()),
            }
            self.used += 1;
        }
        self.rows.push((index, self.used));
    }

    fn clear(&mut self) {
        self.used = 0;
        self.rows.clear();
    }

    /// Hands each row to `f` in order; false when `f` stops.
    fn each(&self, f: &mut dyn FnMut(usize, &[Cell]) -> Result<bool>) -> Result<bool> {
        let mut start = 0;
        for &(index, end) in &self.rows {
            if !f(index, self.cells.get(start..end).unwrap_or_default())? {
                return Ok(false);
            }
            start = end;
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

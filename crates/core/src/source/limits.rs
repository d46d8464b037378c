//! What one file may cost to read, and the budget that enforces it.
//!
//! Every reader hands its cells through a [`RowBuffer`](super::row::RowBuffer) (or, for HTML, the
//! table model) that counts cells and text bytes against one budget per file, so no file — however
//! it is built — makes an import allocate or run without bound. Readers whose library materialises
//! a whole sheet (xls and ods through calamine, HTML tables) are pre-scanned against the tighter
//! in-memory limits before the library sees them, because an allocation failure aborts the process
//! (no `catch_unwind` can catch it).
//!
//! The limits sit far above any real export: a shop's one-million-order xlsx is about 150 MB with
//! about 20 million cells and well under 1 GB of cell text. They are documented in
//! `docs/limits.md`; change both together.

use std::path::Path;

use crate::error::Error;

/// Cells one file may hand out (10× a one-million-order export's ~20 million).
pub const MAX_FILE_CELLS: u64 = 200_000_000;

/// Bytes of cell text one file may hand out (all cells, all sheets), whatever its size.
pub const MAX_FILE_TEXT_BYTES: u64 = 4 << 30;

/// Bytes of cell text any file may hand out, however small.
pub const MIN_TEXT_BUDGET: u64 = 256 << 20;

/// Bytes of cell text a file may hand out per byte of file, above [`MIN_TEXT_BUDGET`]. Shared
/// strings let an xlsx refer to one text from many cells; real exports hand out 2–10× their size
/// (a status or product name repeated), a hostile one thousands of times (one long text in every
/// cell), and the import keeps some of that text per order.
pub const TEXT_BYTES_PER_FILE_BYTE: u64 = 32;

/// The cell-text budget of a file of `size` bytes.
pub fn text_budget(size: u64) -> u64 {
    MAX_FILE_TEXT_BYTES.min(MIN_TEXT_BUDGET.max(size.saturating_mul(TEXT_BYTES_PER_FILE_BYTE)))
}

/// Cells a sheet read whole into memory may hold (xls, ods, HTML tables, all sheets together):
/// about 65,536 rows × 150 columns, far beyond any xls (65,536 rows at most) or HTML export.
pub const MAX_DENSE_CELLS: u64 = 10_000_000;

/// Bytes of cell text a file read whole into memory may hold (xls, ods).
pub const MAX_DENSE_TEXT_BYTES: u64 = 512 << 20;

/// Bytes a zip part may inflate to (a one-million-order sheet's XML is about 1 GB).
pub const MAX_PART_BYTES: u64 = 4 << 30;

/// Bytes the parts a reader holds whole may inflate to: xlsx shared strings, ods content.
pub const MAX_HELD_PART_BYTES: u64 = 1 << 30;

/// Bytes the small zip parts (workbook, relationships, styles) may inflate to.
pub const MAX_SMALL_PART_BYTES: u64 = 64 << 20;

/// How much a zip part larger than [`RATIO_CHECKED_FROM`] may inflate per compressed byte. Real
/// sheet XML compresses 5–30×; a zip bomb, up to about 1,000×.
pub const MAX_COMPRESSION_RATIO: u64 = 100;

/// Parts smaller than this are not ratio-checked (a tiny, highly repetitive part is harmless).
pub const RATIO_CHECKED_FROM: u64 = 16 << 20;

/// An HTML file larger than this is not read (it is held in memory, decoded, while parsed).
pub const MAX_HTML_BYTES: u64 = 512 << 20;

/// The error for a file over a limit; `detail` says which, in the user's terms.
pub(crate) fn too_large(path: &Path, detail: impl Into<String>) -> Error {
    Error::FileTooLarge { path: path.to_owned(), detail: detail.into() }
}

/// "1.5 GB", "300 MB", "12 KB": a size for a message.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const GB: f64 = (1u64 << 30) as f64;
    const MB: f64 = (1u64 << 20) as f64;
    let b = bytes as f64;
    if b >= GB {
        format!("{:.1} GB", b / GB)
    } else if b >= MB {
        format!("{:.0} MB", b / MB)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Cells and text bytes handed out so far for one file, and its text budget.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    pub cells: u64,
    pub text_bytes: u64,
    /// From [`text_budget`] of the file's size.
    pub text_limit: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { cells: 0, text_bytes: 0, text_limit: MAX_FILE_TEXT_BYTES }
    }
}

impl Budget {
    /// The budget of a file of `size` bytes.
    pub(crate) fn for_file(size: u64) -> Budget {
        Budget { text_limit: text_budget(size), ..Budget::default() }
    }

    /// Why this file is over budget, as a message detail; `None` while it is within.
    pub(crate) fn exceeded(&self) -> Option<String> {
        if self.cells > MAX_FILE_CELLS {
            Some(format!("单元格超过 {} 万个", MAX_FILE_CELLS / 10_000))
        } else if self.text_bytes > self.text_limit {
            Some(format!("单元格文字合计超过 {}（大量单元格重复引用同一段长文字）", human_bytes(self.text_limit)))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_budget_grows_with_the_file_between_a_floor_and_a_ceiling() {
        assert_eq!(text_budget(4096), MIN_TEXT_BUDGET);
        assert_eq!(text_budget(100 << 20), 3200 << 20);
        assert_eq!(text_budget(1 << 40), MAX_FILE_TEXT_BYTES);
    }
}

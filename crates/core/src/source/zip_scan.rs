//! Checks on a zip workbook (xlsx/xlsm/xlsb/ods) before calamine opens it.
//!
//! calamine trusts what a file declares: it reserves the shared-strings table from its
//! `uniqueCount`, inflates whatever a part holds, and an ods sheet is expanded whole (repeated rows,
//! repeated columns, `text:s` space counts) into memory. An allocation that fails aborts the whole
//! process, which no `catch_unwind` can turn into an error. So this module reads what calamine
//! would hold, counting the bytes that really come out of each part, and refuses a file over the
//! limits of [`super::limits`] with `FileTooLarge` (or a declared size that lies with `Corrupt`)
//! before calamine allocates anything.
//!
//! It also finds xlsx sheets that point at the same part as an earlier sheet: such a file would
//! otherwise be read once per sheet.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::limits::{
    self, human_bytes, MAX_COMPRESSION_RATIO, MAX_DENSE_CELLS, MAX_DENSE_TEXT_BYTES, MAX_HELD_PART_BYTES,
    MAX_PART_BYTES, MAX_SMALL_PART_BYTES, RATIO_CHECKED_FROM,
};
use super::row::MAX_COLUMNS;
use super::Format;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Shared strings one xlsx may declare (a one-million-order export has about 5 million).
pub const MAX_SHARED_STRINGS: u64 = 20_000_000;

/// The rows calamine keeps of one ods sheet (Excel's limit; it caps repeats there too).
const MAX_ODS_ROWS: u64 = 1_048_576;

/// How many XML events pass between two looks at the cancel flag.
const CANCEL_EVERY: u32 = 1 << 16;

/// Checks the zip workbook at `path` (already sniffed as `format`); returns the names of xlsx
/// sheets that repeat an earlier sheet's part (to be left out).
///
/// Files this module cannot read are left to calamine to judge (it reports them as damaged).
///
/// # Errors
/// `FileTooLarge`, `Corrupt` (a declared size that is a lie), `Cancelled`, `Io`.
pub(crate) fn check(path: &Path, format: Format, progress: &dyn Progress) -> Result<Vec<String>> {
    let io = |source| Error::Io { path: path.to_owned(), source };
    let file = File::open(path).map_err(io)?;
    let Ok(mut zip) = ZipArchive::new(BufReader::new(file)) else { return Ok(Vec::new()) };
    check_declared_sizes(path, &mut zip)?;
    let scan = Scan { path, progress };
    match format {
        Format::Xlsx | Format::Xlsm => {
            scan.shared_strings(&mut zip)?;
            Ok(duplicate_sheets(&mut zip))
        }
        Format::Ods => {
            scan.ods_content(&mut zip)?;
            Ok(Vec::new())
        }
        _ => Ok(Vec::new()),
    }
}

/// Every part's declared inflated size against the part limit and the compression-ratio limit.
fn check_declared_sizes<R: Read + io::Seek>(path: &Path, zip: &mut ZipArchive<R>) -> Result<()> {
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else { continue };
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > MAX_PART_BYTES {
            return Err(limits::too_large(
                path,
                format!(
                    "内部文件 {} 解压后有 {}，超过 {}",
                    entry.name().unwrap_or_default(),
                    human_bytes(size),
                    human_bytes(MAX_PART_BYTES)
                ),
            ));
        }
        if size > RATIO_CHECKED_FROM && size / packed.max(1) > MAX_COMPRESSION_RATIO {
            return Err(limits::too_large(
                path,
                format!(
                    "内部文件 {} 从 {} 解压成 {}，压缩比超过 {}:1（像是“压缩炸弹”）",
                    entry.name().unwrap_or_default(),
                    human_bytes(packed),
                    human_bytes(size),
                    MAX_COMPRESSION_RATIO
                ),
            ));
        }
    }
    Ok(())
}

/// A reader that fails once more than `limit` bytes came out of it, whatever the zip declared.
struct Capped<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(PartTooLarge));
        }
        Ok(n)
    }
}

#[derive(Debug)]
struct PartTooLarge;

impl std::fmt::Display for PartTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("part inflates beyond its limit")
    }
}

impl std::error::Error for PartTooLarge {}

/// The most a part held whole may inflate to: [`MAX_HELD_PART_BYTES`], and no more than
/// [`MAX_COMPRESSION_RATIO`] times its compressed size once it is over [`RATIO_CHECKED_FROM`].
fn held_limit(packed: u64) -> u64 {
    MAX_HELD_PART_BYTES.min(RATIO_CHECKED_FROM.max(packed.saturating_mul(MAX_COMPRESSION_RATIO)))
}

/// An XML reader over one capped zip part.
type PartXml<'z, R> = quick_xml::Reader<BufReader<Capped<zip::read::ZipFile<'z, R>>>>;

struct Scan<'a> {
    path: &'a Path,
    progress: &'a dyn Progress,
}

impl Scan<'_> {
    fn too_large_part(&self, name: &str, limit: u64) -> Error {
        limits::too_large(self.path, format!("内部文件 {name} 解压后超过 {}", human_bytes(limit)))
    }

    /// An XML reader over the zip entry at `index`, capped.
    fn part_at<'z, R: Read + io::Seek>(
        &self,
        zip: &'z mut ZipArchive<R>,
        index: usize,
    ) -> Option<(PartXml<'z, R>, u64)> {
        let entry = zip.by_index(index).ok()?;
        let limit = held_limit(entry.compressed_size());
        let mut reader = quick_xml::Reader::from_reader(BufReader::new(Capped { inner: entry, read: 0, limit }));
        reader.config_mut().check_end_names = false;
        Some((reader, limit))
    }

    /// The shared-strings table: its real size, and a `uniqueCount` calamine can safely reserve.
    fn shared_strings<R: Read + io::Seek>(&self, zip: &mut ZipArchive<R>) -> Result<()> {
        for index in part_indices(zip, "xl/sharedStrings.xml") {
            self.shared_strings_at(zip, index)?;
        }
        Ok(())
    }

    /// [`Self::shared_strings`] for one entry of that name.
    fn shared_strings_at<R: Read + io::Seek>(&self, zip: &mut ZipArchive<R>, index: usize) -> Result<()> {
        let name = "xl/sharedStrings.xml";
        let Some((mut xml, limit)) = self.part_at(zip, index) else { return Ok(()) };
        let (mut declared, mut strings, mut events) = (None::<u64>, 0u64, 0u32);
        let mut buf = Vec::with_capacity(1024);
        loop {
            buf.clear();
            events = events.wrapping_add(1);
            if events.is_multiple_of(CANCEL_EVERY) && self.progress.cancelled() {
                return Err(Error::Cancelled);
            }
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                    "sst" => declared = number_attr(&e, "uniqueCount"),
                    "si" => {
                        strings += 1;
                        if strings > MAX_SHARED_STRINGS {
                            return Err(limits::too_large(
                                self.path,
                                format!("共享字符串超过 {} 万个", MAX_SHARED_STRINGS / 10_000),
                            ));
                        }
                    }
                    _ => {}
                },
                Ok(Event::Eof) => break,
                Err(e) if is_part_too_large(&e) => return Err(self.too_large_part(name, limit)),
                // Malformed XML is calamine's to report.
                Err(_) => return Ok(()),
                Ok(_) => {}
            }
        }
        // calamine reserves `uniqueCount` strings up front; a count the table does not hold is a lie
        // (a little slack for writers that count loosely).
        if let Some(declared) = declared.filter(|&n| n > strings.saturating_mul(2).saturating_add(1024)) {
            return Err(Error::Corrupt {
                path: self.path.to_owned(),
                detail: format!("共享字符串表声明有 {declared} 个字符串，实际只有 {strings} 个"),
            });
        }
        Ok(())
    }

    /// What calamine will expand an ods's sheets into, from `content.xml`.
    fn ods_content<R: Read + io::Seek>(&self, zip: &mut ZipArchive<R>) -> Result<()> {
        for index in part_indices(zip, "content.xml") {
            self.ods_content_at(zip, index)?;
        }
        Ok(())
    }

    /// [`Self::ods_content`] for one entry of that name.
    fn ods_content_at<R: Read + io::Seek>(&self, zip: &mut ZipArchive<R>, index: usize) -> Result<()> {
        let name = "content.xml";
        let Some((mut xml, limit)) = self.part_at(zip, index) else { return Ok(()) };
        let mut ods = OdsEstimate::default();
        let mut buf = Vec::with_capacity(1024);
        // The open elements' names: calamine 0.38's ods loops only stop at the end tag they expect,
        // so a document that is not a balanced tree (cut off, a misspelled or malformed end tag)
        // would make it spin forever; it is refused here instead. ods nests a dozen levels deep.
        // Names are kept as hashes: no allocation per element of a sheet with millions of cells.
        let name_hash = |name: &str| {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            name.hash(&mut h);
            h.finish()
        };
        let mut open: Vec<u64> = Vec::new();
        const MAX_DEPTH: usize = 256;
        let corrupt = |detail: &str| Error::Corrupt { path: self.path.to_owned(), detail: detail.to_owned() };
        let mut events = 0u32;
        loop {
            buf.clear();
            events = events.wrapping_add(1);
            if events.is_multiple_of(CANCEL_EVERY) && self.progress.cancelled() {
                return Err(Error::Cancelled);
            }
            let depth = open.len();
            let event = match xml.read_event_into(&mut buf) {
                // calamine 0.38's ods loops have no end-of-file arm: a content.xml cut off inside
                // a table makes it spin forever, so a cut document is refused here.
                Ok(Event::Eof) if depth > 0 => {
                    return Err(Error::Corrupt {
                        path: self.path.to_owned(),
                        detail: "表格内容 (content.xml) 在中途就结束了，文件不完整".to_owned(),
                    })
                }
                Ok(Event::Eof) => break,
                Ok(event) => {
                    match &event {
                        Event::Start(e) if open.len() < MAX_DEPTH => open.push(name_hash(e.name().into_inner())),
                        Event::Start(_) => return Err(corrupt("表格内容 (content.xml) 的层级异常地深，文件已损坏")),
                        // The guard pops the open element; a matching end falls through to `_`.
                        Event::End(e) if open.pop() != Some(name_hash(e.name().into_inner())) => {
                            return Err(corrupt("表格内容 (content.xml) 的结束标记与开始标记不匹配，文件已损坏"));
                        }
                        _ => {}
                    }
                    event
                }
                Err(e) if is_part_too_large(&e) => return Err(self.too_large_part(name, limit)),
                // Not calamine's to report here: its ods loops also spin forever on a table whose
                // end tag is misspelled or malformed (fuzz finding ods-unclosed-element-hang), and no
                // writer produces broken XML, so an XML error inside the document is a damaged file.
                // Before the first element it may be encryption, which the reader names later.
                Err(e) if depth > 0 => {
                    return Err(Error::Corrupt {
                        path: self.path.to_owned(),
                        detail: format!("表格内容 (content.xml) 不是完整的 XML（{e}），文件已损坏"),
                    })
                }
                Err(_) => return Ok(()),
            };
            ods.event(&event);
            if let Some(detail) = ods.exceeded() {
                return Err(limits::too_large(self.path, detail));
            }
        }
        Ok(())
    }
}

/// Every entry named `name`, compared without case: calamine may look a part up exactly or without
/// case, and an archive may hold several spellings or copies (fuzz finding ods-part-name-case: the scan
/// read `contEnt.xml` while calamine read `content.xml` and spun), so each one is checked.
fn part_indices<R: Read + io::Seek>(zip: &ZipArchive<R>, name: &str) -> Vec<usize> {
    (0..zip.len())
        .filter(|&i| zip.name_for_index(i).and_then(|n| n.ok()).is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .collect()
}

fn is_part_too_large(e: &quick_xml::Error) -> bool {
    matches!(e, quick_xml::Error::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<PartTooLarge>()))
}

/// An unsigned integer attribute (`uniqueCount="12"`); `None` when absent or not a number.
fn number_attr(e: &BytesStart<'_>, name: &str) -> Option<u64> {
    let attr = e.try_get_attribute(name).ok().flatten()?;
    attr.value.trim().parse().ok()
}

/// The cells and text calamine's ods reader will hold, following its rules: a row's repeats are
/// capped so a sheet has at most 1,048,576 rows, a row's cells at 16,384 columns; trailing empty
/// cells are not stored; the rows between the first and the last non-empty row are expanded to
/// the sheet's width, each repeat a copy (strings included).
#[derive(Default)]
struct OdsEstimate {
    /// Cells and text of the finished sheets.
    cells: u64,
    text: u64,
    /// The current sheet.
    rows: u64,
    first_row: Option<u64>,
    end_row: u64,
    width: u64,
    stored: u64,
    sheet_text: u64,
    /// The current row (its repeats, its cells so far, the end of its last non-empty cell).
    row_repeats: u64,
    row_cells: u64,
    row_used: u64,
    row_text: u64,
    /// The current cell, while inside it.
    cell: Option<OdsCell>,
}

struct OdsCell {
    repeats: u64,
    filled: bool,
    text: u64,
}

impl OdsEstimate {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(e) => self.open(e, false),
            Event::Empty(e) => self.open(e, true),
            Event::End(e) => self.close(e.name().as_ref()),
            Event::Text(t) => self.add_text(t.len() as u64),
            Event::CData(t) => self.add_text(t.len() as u64),
            Event::GeneralRef(_) => self.add_text(4),
            _ => {}
        }
    }

    fn add_text(&mut self, bytes: u64) {
        if let Some(cell) = &mut self.cell {
            cell.text += bytes;
            cell.filled |= bytes > 0;
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = e.name();
        match name.as_ref() {
            "table:table" => self.begin_sheet(),
            "table:table-row" => {
                let repeats = number_attr(e, "table:number-rows-repeated").unwrap_or(1).max(1);
                self.row_repeats = repeats.min(MAX_ODS_ROWS.saturating_sub(self.rows));
                (self.row_cells, self.row_used, self.row_text) = (0, 0, 0);
                if empty {
                    self.close("table:table-row");
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let repeats = number_attr(e, "table:number-columns-repeated").unwrap_or(1).max(1);
                let mut text = 0u64;
                let mut filled = false;
                for attr in e.attributes().flatten() {
                    match attr.key.as_ref() {
                        "office:value" | "office:boolean-value" => filled = true,
                        "office:string-value" | "office:date-value" | "office:time-value" => {
                            filled = true;
                            text += attr.value.len() as u64;
                        }
                        // calamine keeps formulas in a second sheet of the same shape.
                        "table:formula" => {
                            filled = true;
                            text += attr.value.len() as u64;
                        }
                        _ => {}
                    }
                }
                self.cell = Some(OdsCell { repeats, filled, text });
                if empty {
                    self.close("table:table-cell");
                }
            }
            "text:s" => {
                let spaces = number_attr(e, "text:c").unwrap_or(1);
                self.add_text(spaces);
            }
            "text:p" | "text:tab" | "text:line-break" => self.add_text(1),
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "table:table-cell" | "table:covered-table-cell" => {
                let Some(cell) = self.cell.take() else { return };
                let repeats = cell.repeats.min((MAX_COLUMNS as u64).saturating_sub(self.row_cells));
                self.row_cells += repeats;
                if cell.filled {
                    self.row_used = self.row_cells;
                    self.row_text = self.row_text.saturating_add(cell.text.saturating_mul(repeats));
                }
            }
            "table:table-row" => {
                if self.row_used > 0 {
                    self.first_row.get_or_insert(self.rows);
                    self.end_row = self.rows + self.row_repeats;
                    self.width = self.width.max(self.row_used);
                    self.stored += self.row_used;
                    // Once as read, then once per repeat when the sheet is expanded.
                    let copies = self.row_repeats.saturating_add(1);
                    self.sheet_text = self.sheet_text.saturating_add(self.row_text.saturating_mul(copies));
                }
                self.rows += self.row_repeats;
                (self.row_cells, self.row_used, self.row_text, self.row_repeats) = (0, 0, 0, 0);
            }
            "table:table" => self.end_sheet(),
            _ => {}
        }
    }

    fn begin_sheet(&mut self) {
        self.end_sheet();
    }

    fn end_sheet(&mut self) {
        let (cells, text) = self.sheet();
        (self.cells, self.text) = (cells, text);
        (self.rows, self.first_row, self.end_row, self.width, self.stored, self.sheet_text) = (0, None, 0, 0, 0, 0);
    }

    /// Cells and text with the current sheet counted as it stands.
    fn sheet(&self) -> (u64, u64) {
        let expanded = self.first_row.map_or(0, |first| (self.end_row - first).saturating_mul(self.width));
        (
            self.cells.saturating_add(expanded).saturating_add(self.stored),
            self.text.saturating_add(self.sheet_text).saturating_add(self.row_text),
        )
    }

    fn exceeded(&self) -> Option<String> {
        let (cells, text) = self.sheet();
        let cell_text = self.cell.as_ref().map_or(0, |c| c.text);
        if cells > MAX_DENSE_CELLS {
            Some(format!("ods 表格展开重复的行和列后超过 {} 万个单元格", MAX_DENSE_CELLS / 10_000))
        } else if text.saturating_add(cell_text) > MAX_DENSE_TEXT_BYTES {
            Some(format!("ods 表格展开重复的内容后文字超过 {}", human_bytes(MAX_DENSE_TEXT_BYTES)))
        } else {
            None
        }
    }
}

/// xlsx sheets whose part is the same as an earlier sheet's, by name (workbook order kept).
fn duplicate_sheets<R: Read + io::Seek>(zip: &mut ZipArchive<R>) -> Vec<String> {
    let Some(workbook) = small_part(zip, "xl/workbook.xml") else { return Vec::new() };
    let Some(rels) = small_part(zip, "xl/_rels/workbook.xml.rels") else { return Vec::new() };
    let mut targets: Vec<(String, String)> = Vec::new();
    for_each_element(&rels, "Relationship", |e| {
        let id = e.try_get_attribute("Id").ok().flatten().map(|a| a.value.into_owned());
        let target = e.try_get_attribute("Target").ok().flatten().map(|a| a.value.into_owned());
        if let (Some(id), Some(target)) = (id, target) {
            targets.push((id, normalize_target(&target)));
        }
    });
    let mut seen: Vec<String> = Vec::new();
    let mut duplicates = Vec::new();
    for_each_element(&workbook, "sheet", |e| {
        let id = e.attributes().flatten().find(|a| a.key.local_name().as_ref() == "id").map(|a| a.value.into_owned());
        let name = e
            .try_get_attribute("name")
            .ok()
            .flatten()
            .and_then(|a| quick_xml::escape::unescape(&a.value).ok().map(|v| v.into_owned()));
        let target = id.and_then(|id| targets.iter().find(|(i, _)| *i == id).map(|(_, t)| t.clone()));
        if let (Some(name), Some(target)) = (name, target) {
            if seen.contains(&target) {
                duplicates.push(name);
            } else {
                seen.push(target);
            }
        }
    });
    duplicates
}

/// A relationship target as a zip path: relative to `xl/`, `..` and `.` resolved, lower case.
fn normalize_target(target: &str) -> String {
    let full = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("xl/{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in full.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/").to_ascii_lowercase()
}

/// A small part's bytes (at most [`MAX_SMALL_PART_BYTES`]); `None` when missing or larger.
fn small_part<R: Read + io::Seek>(zip: &mut ZipArchive<R>, name: &str) -> Option<Vec<u8>> {
    let index = (0..zip.len())
        .find(|&i| zip.name_for_index(i).and_then(|n| n.ok()).is_some_and(|n| n.eq_ignore_ascii_case(name)))?;
    let entry = zip.by_index(index).ok()?;
    let mut bytes = Vec::new();
    entry.take(MAX_SMALL_PART_BYTES + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_SMALL_PART_BYTES).then_some(bytes)
}

/// Calls `f` with every element whose local name is `local`.
fn for_each_element(xml: &[u8], local: &str, mut f: impl FnMut(&BytesStart<'_>)) {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == local => f(&e),
            Ok(Event::Eof) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_targets_resolve_like_paths() {
        assert_eq!(normalize_target("worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(normalize_target("/xl/worksheets/Sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(normalize_target("./worksheets/../worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
    }

    #[test]
    fn held_parts_may_inflate_to_the_ratio_limit_but_never_past_the_cap() {
        assert_eq!(held_limit(1000), RATIO_CHECKED_FROM);
        assert_eq!(held_limit(1 << 20), 100 << 20);
        assert_eq!(held_limit(1 << 40), MAX_HELD_PART_BYTES);
    }
}

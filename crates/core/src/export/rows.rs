//! A list sheet's data rows as sheet XML, written by the thread that makes the list and deflated
//! there as they are written.
//!
//! Why not rust_xlsxwriter's constant-memory sheet for the rows: at a million orders its cost per
//! cell (a tree insert, an owned string, then formatting) made the largest tier's thread the long
//! pole of the export, and every sheet was then deflated by one thread in the save (~1.3 s at the very
//! end, with the other core idle). Here each cell goes straight into XML, byte for byte what
//! rust_xlsxwriter writes for the same call (the tests compare the two), and each list's thread
//! deflates its own rows. rust_xlsxwriter still makes the sheet around them (columns, header,
//! panes, filter, print setup); `package` splices the rows into it.
//!
//! The rows are deflated into an anonymous temp file beside the export: at a million orders they are
//! ~60 MB compressed, which would otherwise sit in memory until the save.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use flate2::{Compress, Compression, FlushCompress, Status};
use rust_xlsxwriter::utility::column_number_to_name as column_name;
use rust_xlsxwriter::{Format, RowNum};

/// The workbook's deflate level, 2 instead of zip's 6: compressing the tier sheets is the largest
/// single cost of a big export, and level 2 roughly halves it for files ~10% larger
/// (rust_xlsxwriter's own measurements). rust_xlsxwriter uses it for the sheets it saves, these rows
/// for themselves.
pub(super) const ZIP_LEVEL: u8 = 2;

/// XML gathered before it is deflated, and compressed bytes gathered before they are written.
const CHUNK: usize = 256 * 1024;

/// The global style ids of the formats a list's cells may carry.
///
/// rust_xlsxwriter numbers a workbook's formats in the order they are first registered (0 is the
/// default), and the lists' formats are registered before anything else asks for one
/// (`workbook::list_sheets`). `package` checks these ids against the sheets rust_xlsxwriter wrote,
/// so a change of that numbering fails the export instead of mis-formatting it.
pub(super) struct Styles<'f> {
    known: Vec<(&'f Format, u32)>,
}

impl<'f> Styles<'f> {
    /// `formats` in their order of registration.
    pub(super) fn registered(formats: &[&'f Format]) -> Self {
        Styles { known: formats.iter().zip(1..).map(|(f, id)| (*f, id)).collect() }
    }

    /// The id of `format`, which must be one of those registered.
    pub(super) fn id(&self, format: &Format) -> io::Result<u32> {
        // The cells pass the same `Formats` fields they were registered from: a pointer test is
        // enough, and `==` (every property) is the fallback.
        self.known
            .iter()
            .find(|(known, _)| std::ptr::eq(*known, format))
            .or_else(|| self.known.iter().find(|(known, _)| *known == format))
            .map(|(_, id)| *id)
            .ok_or_else(|| io::Error::other("a list cell's format was not registered"))
    }
}

/// The rows of one list sheet, as they are written.
pub(super) struct SheetRows<'s> {
    styles: &'s Styles<'s>,
    /// Each column's style id (0: none), given to cells written without a format of their own, as
    /// rust_xlsxwriter does.
    column_styles: Vec<u32>,
    header_style: u32,
    column_names: Vec<Box<str>>,
    xml: Vec<u8>,
    /// The row open in `xml` (0-based).
    open: Option<RowNum>,
    /// Row numbers and style ids as text.
    digits: itoa::Buffer,
    /// The last cell written, which the next must follow.
    last: Option<(RowNum, u16)>,
    /// The rightmost column written.
    widest: u16,
    deflating: Deflating<BufWriter<File>>,
}

/// A list's rows written and deflated: the bytes go between the header row and the end of the
/// sheet's `<sheetData>`.
pub(super) struct WrittenRows {
    pub deflated: Deflated<File>,
    /// The last row written (0-based) and the rightmost column, for the sheet's dimension; `None`
    /// without rows.
    pub extent: Option<(RowNum, u16)>,
    /// The column styles the rows assumed, checked against the sheet's `<col>` elements, and the
    /// header's, checked against the header row's cells.
    pub column_styles: Vec<u32>,
    pub header_style: u32,
}

impl<'s> SheetRows<'s> {
    /// `columns`: each column's format, as set on the sheet with `set_column_format`; `header`: the
    /// header row's (both checked when the rows are spliced in); `dir`: where the compressed rows
    /// wait (beside the export; the system temp folder when `None`).
    pub(super) fn new(
        styles: &'s Styles<'s>,
        columns: &[Option<&Format>],
        header: &Format,
        dir: Option<&Path>,
    ) -> io::Result<Self> {
        let column_styles = columns.iter().map(|c| c.map_or(Ok(0), |f| styles.id(f))).collect::<io::Result<_>>()?;
        let header_style = styles.id(header)?;
        let file = match dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        Ok(SheetRows {
            styles,
            column_styles,
            header_style,
            column_names: Vec::new(),
            xml: Vec::with_capacity(CHUNK + 64 * 1024),
            open: None,
            digits: itoa::Buffer::new(),
            last: None,
            widest: 0,
            deflating: Deflating::new(BufWriter::with_capacity(CHUNK, file)),
        })
    }

    /// A number cell; `format` its own, or `None` for its column's. NaN and the infinities become
    /// the texts rust_xlsxwriter writes for them (Excel has no such numbers).
    pub(super) fn number(&mut self, row: RowNum, col: u16, number: f64, format: Option<&Format>) -> io::Result<()> {
        if !number.is_finite() {
            let text = match number {
                n if n.is_nan() => "NAN",
                n if n > 0.0 => "INF",
                _ => "-INF",
            };
            return self.text(row, col, text, format);
        }
        let style = self.style(col, format)?;
        self.cell_start(row, col, style)?;
        self.xml.extend_from_slice(b"><v>");
        // Most of a list's numbers are whole (counts, days, dates, scores): ryu writes those as
        // `N.0` below 1e16, which itoa writes faster. Negative zero keeps ryu's `-0.0`.
        if number.fract() == 0.0 && number.abs() < 1e15 && !(number == 0.0 && number.is_sign_negative()) {
            self.xml.extend_from_slice(self.digits.format(number as i64).as_bytes());
            self.xml.extend_from_slice(b".0");
        } else {
            self.xml.extend_from_slice(ryu::Buffer::new().format_finite(number).as_bytes());
        }
        self.xml.extend_from_slice(b"</v></c>");
        Ok(())
    }

    /// A text cell, already cleaned by `cell_text`. An empty text is no cell, or a blank one when it
    /// has a format of its own (as rust_xlsxwriter writes it).
    pub(super) fn text(&mut self, row: RowNum, col: u16, text: &str, format: Option<&Format>) -> io::Result<()> {
        if text.is_empty() {
            let Some(format) = format else { return Ok(()) };
            let style = self.styles.id(format)?;
            self.cell_start(row, col, style)?;
            self.xml.extend_from_slice(b"/>");
            return Ok(());
        }
        let style = self.style(col, format)?;
        self.cell_start(row, col, style)?;
        self.xml.extend_from_slice(b" t=\"inlineStr\"><is><t");
        if text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']) {
            self.xml.extend_from_slice(b" xml:space=\"preserve\"");
        }
        self.xml.push(b'>');
        push_escaped(&mut self.xml, text);
        self.xml.extend_from_slice(b"</t></is></c>");
        Ok(())
    }

    /// Every row written, deflated up to a sync point (the sheet's end follows them).
    pub(super) fn finish(mut self) -> io::Result<WrittenRows> {
        if self.open.is_some() {
            self.xml.extend_from_slice(b"</row>");
        }
        self.deflating.write(&self.xml)?;
        let deflated = self.deflating.finish(false)?;
        let file = deflated.sink.into_inner().map_err(io::IntoInnerError::into_error)?;
        Ok(WrittenRows {
            deflated: Deflated { sink: file, crc: deflated.crc, len: deflated.len, compressed: deflated.compressed },
            extent: self.last.map(|(row, _)| (row, self.widest)),
            column_styles: self.column_styles,
            header_style: self.header_style,
        })
    }

    fn style(&self, col: u16, format: Option<&Format>) -> io::Result<u32> {
        match format {
            Some(format) => self.styles.id(format),
            None => Ok(self.column_styles.get(usize::from(col)).copied().unwrap_or(0)),
        }
    }

    /// `<c r="B7"` and its style, opening the row first when it is a new one.
    fn cell_start(&mut self, row: RowNum, col: u16, style: u32) -> io::Result<()> {
        // rust_xlsxwriter sorts what it is given; these rows are written in order, and a cell out of
        // order would make a sheet Excel repairs.
        if let Some((last_row, last_col)) = self.last {
            let in_order = row > last_row || (row == last_row && self.open == Some(row) && col > last_col);
            if !in_order {
                return Err(io::Error::other(format!("list cell ({row}, {col}) written out of order")));
            }
        }
        if self.open != Some(row) {
            if self.open.is_some() {
                self.xml.extend_from_slice(b"</row>");
                if self.xml.len() >= CHUNK {
                    self.deflating.write(&self.xml)?;
                    self.xml.clear();
                }
            }
            self.open = Some(row);
            self.xml.extend_from_slice(b"<row r=\"");
            self.xml.extend_from_slice(self.digits.format(row + 1).as_bytes());
            self.xml.extend_from_slice(b"\">");
        }
        self.last = Some((row, col));
        self.widest = self.widest.max(col);
        while self.column_names.len() <= usize::from(col) {
            let name = column_name(self.column_names.len() as u16);
            self.column_names.push(name.into());
        }
        self.xml.extend_from_slice(b"<c r=\"");
        self.xml.extend_from_slice(self.column_names[usize::from(col)].as_bytes());
        self.xml.extend_from_slice(self.digits.format(row + 1).as_bytes());
        self.xml.push(b'"');
        if style > 0 {
            self.xml.extend_from_slice(b" s=\"");
            self.xml.extend_from_slice(self.digits.format(style).as_bytes());
            self.xml.push(b'"');
        }
        Ok(())
    }
}

/// Appends `text` as XML character data the way rust_xlsxwriter escapes a string cell: first a
/// literal `_xHHHH_` gets its underscore escaped (`_x005F_xHHHH_`, or Excel would read it as an
/// escaped character), then `&`, `<`, `>`, the C0 controls other than tab and line feed and
/// U+FFFE/U+FFFF are escaped.
fn push_escaped(xml: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    // One branch-free pass and one search decide whether anything needs a closer look: nearly
    // never, though nearly every Chinese sentence has fullwidth punctuation (`EF BC ..`), which only
    // looks like the start of U+FFFE/U+FFFF (`EF BF BE/BF`).
    let special = bytes.iter().fold(0u8, |seen, &b| {
        seen | u8::from((b < 0x20 && b != b'\t' && b != b'\n') || matches!(b, b'&' | b'<' | b'>' | b'_'))
    });
    if special == 0 && !super::text::has_noncharacter(bytes) {
        xml.extend_from_slice(bytes);
        return;
    }
    // Byte by byte, copying the runs between what is escaped: every byte looked at below is ASCII or
    // starts U+FFFE/U+FFFF, so none is inside another character.
    let mut run = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (escaped, width): (Option<&[u8]>, usize) = match b {
            b'&' => (Some(b"&amp;"), 1),
            b'<' => (Some(b"&lt;"), 1),
            b'>' => (Some(b"&gt;"), 1),
            b'_' if is_escape_sequence(&bytes[i..]) => (Some(b"_x005F_"), 1),
            0xEF if bytes.get(i + 1) == Some(&0xBF) && bytes.get(i + 2) == Some(&0xBE) => (Some(b"_xFFFE_"), 3),
            0xEF if bytes.get(i + 1) == Some(&0xBF) && bytes.get(i + 2) == Some(&0xBF) => (Some(b"_xFFFF_"), 3),
            b if b < 0x20 && b != b'\t' && b != b'\n' => (None, 1),
            _ => {
                i += 1;
                continue;
            }
        };
        xml.extend_from_slice(&bytes[run..i]);
        match escaped {
            Some(e) => xml.extend_from_slice(e),
            None => {
                let _ = write!(xml, "_x{b:04X}_");
            }
        }
        i += width;
        run = i;
    }
    xml.extend_from_slice(&bytes[run..]);
}

/// Whether `bytes` start with `_xHHHH_` (four hex digits).
fn is_escape_sequence(bytes: &[u8]) -> bool {
    bytes.len() >= 7 && bytes[1] == b'x' && bytes[2..6].iter().all(u8::is_ascii_hexdigit) && bytes[6] == b'_'
}

/// Raw deflate at the workbook's level into `sink`, with the CRC-32 and length of what went in.
pub(super) struct Deflating<W: Write> {
    compress: Compress,
    crc: crc32fast::Hasher,
    len: u64,
    out: Vec<u8>,
    compressed: u64,
    sink: W,
}

/// What a [`Deflating`] wrote: `compressed` bytes in `sink`, deflating `len` bytes of checksum `crc`.
pub(super) struct Deflated<W> {
    pub sink: W,
    pub crc: crc32fast::Hasher,
    pub len: u64,
    pub compressed: u64,
}

impl<W: Write> Deflating<W> {
    pub(super) fn new(sink: W) -> Self {
        Deflating {
            compress: Compress::new(Compression::new(u32::from(ZIP_LEVEL)), false),
            crc: crc32fast::Hasher::new(),
            len: 0,
            out: Vec::with_capacity(CHUNK),
            compressed: 0,
            sink,
        }
    }

    pub(super) fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.crc.update(data);
        self.len += data.len() as u64;
        let mut input = data;
        while !input.is_empty() {
            input = self.run(input, FlushCompress::None)?.0;
        }
        Ok(())
    }

    /// Ends the stream (`last`) or only byte-aligns it at a sync point, so that more deflated data
    /// can follow: a zip entry may be the concatenation of such pieces, the last one ended.
    pub(super) fn finish(mut self, last: bool) -> io::Result<Deflated<W>> {
        let flush = if last { FlushCompress::Finish } else { FlushCompress::Sync };
        loop {
            let (_, status, room_left) = self.run(&[], flush)?;
            // zlib's rule: a flush is complete once it returns with output space left (Finish: once
            // the stream has ended).
            if (last && status == Status::StreamEnd) || (!last && room_left) {
                break;
            }
        }
        self.sink.write_all(&self.out)?;
        self.compressed += self.out.len() as u64;
        self.sink.flush()?;
        Ok(Deflated { sink: self.sink, crc: self.crc, len: self.len, compressed: self.compressed })
    }

    /// One call of the compressor; what is left of `input`, its status, and whether it left output
    /// space unused.
    fn run<'i>(&mut self, input: &'i [u8], flush: FlushCompress) -> io::Result<(&'i [u8], Status, bool)> {
        if self.out.capacity() - self.out.len() < 32 * 1024 {
            self.sink.write_all(&self.out)?;
            self.compressed += self.out.len() as u64;
            self.out.clear();
        }
        let before = self.compress.total_in();
        let status = self.compress.compress_vec(input, &mut self.out, flush).map_err(io::Error::other)?;
        let used = (self.compress.total_in() - before) as usize;
        Ok((&input[used..], status, self.out.len() < self.out.capacity()))
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Seek};

    use rust_xlsxwriter::{Format, FormatAlign, Workbook};

    use super::*;

    /// What rust_xlsxwriter writes between the header row and `</sheetData>` for the same cells, and
    /// what `SheetRows` writes, inflated.
    fn both(cells: &[(RowNum, u16, Cell)]) -> (String, String) {
        let center = Format::new().set_align(FormatAlign::Center);
        let money = Format::new().set_num_format("¥#,##0.00");
        let mut book = Workbook::new();
        book.register_format(&center);
        book.register_format(&money);
        let styles = Styles::registered(&[&center, &money]);
        let columns = [None, Some(&money), None, Some(&center)];
        let ws = book.add_worksheet_with_constant_memory().unwrap();
        for (c, format) in columns.iter().enumerate() {
            if let Some(format) = format {
                ws.set_column_format(c as u16, format).unwrap();
            }
        }
        ws.write_string(0, 0, "header").unwrap();
        let mut rows = SheetRows::new(&styles, &columns, &center, None).unwrap();
        for (row, col, cell) in cells {
            let format = |own: bool, f: &'static str| match (own, f) {
                (false, _) => None,
                (true, "center") => Some(&center),
                (true, _) => Some(&money),
            };
            match cell {
                Cell::Text(t, own) => {
                    let f = format(*own, "center");
                    match f {
                        Some(f) => ws.write_string_with_format(*row, *col, *t, f).unwrap(),
                        None => ws.write_string(*row, *col, *t).unwrap(),
                    };
                    rows.text(*row, *col, t, f).unwrap();
                }
                Cell::Number(n, own) => {
                    let f = format(*own, "money");
                    match f {
                        Some(f) => ws.write_number_with_format(*row, *col, *n, f).unwrap(),
                        None => ws.write_number(*row, *col, *n).unwrap(),
                    };
                    rows.number(*row, *col, *n, f).unwrap();
                }
            }
        }
        let saved = book.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(saved)).unwrap();
        let mut sheet = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut sheet).unwrap();
        let start = sheet.find("</row>").unwrap() + "</row>".len();
        let end = sheet.find("</sheetData>").unwrap();
        let theirs = sheet[start..end].to_string();

        let written = rows.finish().unwrap();
        let mut file = written.deflated.sink;
        file.rewind().unwrap();
        let mut compressed = Vec::new();
        file.read_to_end(&mut compressed).unwrap();
        assert_eq!(compressed.len() as u64, written.deflated.compressed);
        // The rows end at a sync point, not the stream's end: inflate them as the middle of a stream.
        let mut inflate = flate2::Decompress::new(false);
        let mut ours = Vec::with_capacity(written.deflated.len as usize + 16);
        inflate.decompress_vec(&compressed, &mut ours, flate2::FlushDecompress::Sync).unwrap();
        assert_eq!(ours.len() as u64, written.deflated.len);
        let mut crc = crc32fast::Hasher::new();
        crc.update(&ours);
        assert_eq!(crc.finalize(), written.deflated.crc.finalize());
        (theirs, String::from_utf8(ours).unwrap())
    }

    enum Cell {
        Text(&'static str, bool),
        Number(f64, bool),
    }

    #[test]
    fn rows_are_the_xml_rust_xlsxwriter_writes_for_the_same_cells() {
        use Cell::{Number, Text};
        let cells = [
            (1, 0, Text("o_abc123", false)),
            (1, 1, Number(1234.5, false)),
            (1, 2, Text("张三，<VIP> & 朋友", false)),
            (1, 3, Text("A类", false)),
            (2, 0, Text(" leading space", false)),
            (2, 1, Number(0.1 + 0.2, true)),
            (2, 2, Text("trailing tab\t", false)),
            (2, 3, Text("", true)),
            (3, 0, Text("_x0041_ and _x12_ and _xZZZZ_ and __x00aF_", false)),
            (3, 1, Number(f64::NAN, false)),
            (3, 2, Number(f64::INFINITY, false)),
            (3, 3, Number(f64::NEG_INFINITY, true)),
            (5, 0, Text("", false)),
            (5, 2, Text("bell\u{7} vt\u{b} nonchar\u{FFFE}\u{FFFF} line\nfeed", true)),
            (6, 1, Number(-0.0, false)),
            (6, 2, Number(1e21, false)),
            (6, 3, Number(45_678.0, false)),
            (7, 27, Text("column AB", false)),
            (8, 0, Text("累计消费 ￥608，位于前 20%（累计 95.2%）；o_x_abc-_x00E9_", false)),
            (8, 1, Text("\u{FFFD}\u{FFEE}\u{FFE5}\u{FFFE}，\u{FFFF}<_x0000_>", true)),
            (8, 2, Text("末尾下划线_", false)),
            (8, 3, Text("只有这一个\u{FFFF}", false)),
            (9, 0, Number(1.0, false)),
            (9, 1, Number(-3.0, true)),
            (9, 2, Number(999_999_999_999_999.0, false)),
            (9, 3, Number(1e15, false)),
            (9, 4, Number(-45_803.0, false)),
            (9, 5, Number(0.0, true)),
            (9, 6, Number(1e-7, false)),
        ];
        let (theirs, ours) = both(&cells);
        assert_eq!(ours, theirs);
        assert!(ours.contains("_x005F_x0041_"), "{ours}");
    }

    #[test]
    fn many_rows_cross_the_deflate_chunks_and_still_match() {
        let texts = ["重要价值客户", "一般发展客户 & <新客>", "o_x00ff_", "短"];
        let cells: Vec<(RowNum, u16, Cell)> = (1..20_000u32)
            .flat_map(|r| {
                [
                    (r, 0, Cell::Text(texts[r as usize % texts.len()], false)),
                    (r, 1, Cell::Number(f64::from(r) * 1.37, false)),
                    (r, 3, Cell::Text("B类", r % 7 == 0)),
                ]
            })
            .collect();
        let (theirs, ours) = both(&cells);
        assert!(ours.len() > 2 * CHUNK, "{}", ours.len());
        assert_eq!(ours, theirs);
    }

    #[test]
    fn cells_out_of_order_are_refused_rather_than_written() {
        let money = Format::new();
        let styles = Styles::registered(&[&money]);
        let mut rows = SheetRows::new(&styles, &[], &money, None).unwrap();
        rows.text(2, 3, "x", None).unwrap();
        assert!(rows.text(2, 3, "again", None).is_err());
        assert!(rows.text(1, 0, "earlier row", None).is_err());
        rows.text(3, 0, "next row", None).unwrap();
        let unknown = Format::new().set_bold();
        assert!(rows.text(4, 0, "x", Some(&unknown)).is_err());
    }

    #[test]
    fn column_names_run_past_z() {
        let names: Vec<String> = [0, 25, 26, 27, 51, 52, 701, 702, 16_383].iter().map(|&c| column_name(c)).collect();
        assert_eq!(names, ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]);
    }

    #[test]
    fn pieces_deflated_apart_inflate_as_one_stream() {
        let parts: [&[u8]; 3] = [b"<head>", &b"row ".repeat(100_000), b"</tail>"];
        let mut stream = Vec::new();
        let mut crc = crc32fast::Hasher::new();
        let mut len = 0;
        for (i, part) in parts.iter().enumerate() {
            let mut piece = Deflating::new(Vec::new());
            piece.write(part).unwrap();
            let done = piece.finish(i == parts.len() - 1).unwrap();
            assert_eq!(done.compressed, done.sink.len() as u64);
            stream.extend(done.sink);
            crc.combine(&done.crc);
            len += done.len;
        }
        let mut whole = Vec::new();
        flate2::read::DeflateDecoder::new(&stream[..]).read_to_end(&mut whole).unwrap();
        assert_eq!(whole, parts.concat());
        assert_eq!(len, whole.len() as u64);
        let mut check = crc32fast::Hasher::new();
        check.update(&whole);
        assert_eq!(crc.finalize(), check.finalize());
    }
}

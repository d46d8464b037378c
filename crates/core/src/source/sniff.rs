//! Deciding a source's format from its bytes, never from its extension.
//!
//! Users rename files and platforms save CSV, TSV or an HTML table under `.xls`, so the extension is
//! ignored. Zip containers are told apart by their entries (xlsx/xlsm/xlsb/ods vs a Word document),
//! OLE2 files are legacy `.xls`, and text is decoded (BOM → UTF-8 → GB18030) before it is told apart
//! as HTML, CSV or TSV. Pure functions of bytes, so they can be unit-tested and fuzzed; no file access.

use std::io::{Read, Seek};

use encoding_rs::{Encoding, GB18030, UTF_8, WINDOWS_1252};

use super::Format;

/// How many bytes from the start of a file the sniffer looks at for text and OLE2 decisions.
pub const HEAD_LEN: usize = 256 * 1024;

/// Why some bytes are not a source we can read (the file path is added by the caller).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SniffError {
    /// Zero bytes, or nothing but whitespace.
    Empty,
    /// Bytes that are no spreadsheet or text table; the detail says what they look like.
    NotSpreadsheet(String),
    /// A spreadsheet container that is damaged or cut off.
    Corrupt(String),
}

/// What the text sniffer learned: the format plus what the text readers need.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TextKind {
    pub format: Format,
    pub encoding: &'static Encoding,
    /// CSV field delimiter (`b'\t'` for TSV); [`WHITESPACE`] for a text table aligned with
    /// spaces; unused for HTML.
    pub delimiter: u8,
    /// Average bytes per line in the sample, for a row-count estimate.
    pub bytes_per_line: Option<f64>,
    /// Lines end in CRLF (Windows); the CSV reader's blank-line accounting depends on it.
    pub crlf: bool,
    /// The first line is Excel's `sep=X` hint, which Excel does not show as a row.
    pub sep_line: bool,
}

/// The "delimiter" of a text table whose columns are separated by runs of spaces (`CDNOW_master.txt`,
/// fixed-width printouts): fields never contain spaces, so any run of whitespace ends one.
pub(crate) const WHITESPACE: u8 = b' ';

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: &[u8] = b"PK\x05\x06";
const OLE2_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODS_MIME: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// Decides the format of a whole file given as bytes.
///
/// A zip is inspected through its central directory, so `bytes` must be the whole file for zip
/// containers (a prefix of a zip is reported as `Corrupt`, like a truncated download). For anything
/// else only the first [`HEAD_LEN`] bytes are looked at.
///
/// # Errors
/// [`SniffError::Empty`] for zero bytes or whitespace only, [`SniffError::NotSpreadsheet`] for other
/// documents and binary data, [`SniffError::Corrupt`] for a damaged or truncated zip.
///
/// ```
/// use tierbook_core::source::{sniff, Format};
/// assert_eq!(sniff(b"a;b;c\n1;2;3\n"), Ok(Format::Csv));
/// assert_eq!(sniff("订单号\t金额\n1\t2\n".as_bytes()), Ok(Format::Tsv));
/// assert!(sniff(b"  \n ").is_err());
/// ```
pub fn sniff(bytes: &[u8]) -> Result<Format, SniffError> {
    if is_zip(bytes) {
        return sniff_zip(std::io::Cursor::new(bytes));
    }
    let complete = bytes.len() <= HEAD_LEN;
    let head = bytes.get(..HEAD_LEN).unwrap_or(bytes);
    match sniff_head(head, complete)? {
        Head::Zip => sniff_zip(std::io::Cursor::new(bytes)),
        Head::Ole2 => Ok(Format::Xls),
        Head::Text(kind) => Ok(kind.format),
    }
}

/// The decision that can be made from the first bytes alone.
#[derive(Debug)]
pub(crate) enum Head {
    /// A zip container: look at its entries next.
    Zip,
    /// An OLE2 compound file: legacy `.xls` (or a Word document / encrypted workbook, told apart later).
    Ole2,
    Text(TextKind),
}

pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY_MAGIC)
}

/// Classifies the first bytes of a file; `complete` says whether `head` is the whole file.
pub(crate) fn sniff_head(head: &[u8], complete: bool) -> Result<Head, SniffError> {
    if head.is_empty() {
        return Err(SniffError::Empty);
    }
    if is_zip(head) {
        return Ok(Head::Zip);
    }
    if head.starts_with(OLE2_MAGIC) {
        return Ok(Head::Ole2);
    }
    if let Some(kind) = known_binary(head) {
        return Err(SniffError::NotSpreadsheet(kind.to_owned()));
    }
    sniff_text(head, complete).map(Head::Text)
}

/// Common non-table files users pick by mistake, named so the message can say what they chose.
fn known_binary(head: &[u8]) -> Option<&'static str> {
    let table: &[(&[u8], &str)] = &[
        (b"%PDF", "这是 PDF 文件"),
        (b"\x89PNG", "这是 PNG 图片"),
        (b"\xFF\xD8\xFF", "这是 JPEG 图片"),
        (b"GIF8", "这是 GIF 图片"),
        (b"Rar!", "这是 RAR 压缩包，请先解压"),
        (b"7z\xBC\xAF\x27\x1C", "这是 7z 压缩包，请先解压"),
        (b"\x1F\x8B", "这是 gzip 压缩包，请先解压"),
        (b"SQLite format 3\0", "这是 SQLite 数据库文件"),
    ];
    table.iter().find(|(magic, _)| head.starts_with(magic)).map(|(_, what)| *what)
}

/// Decides the encoding, rejects binary data, then tells HTML from CSV/TSV.
pub(crate) fn sniff_text(head: &[u8], complete: bool) -> Result<TextKind, SniffError> {
    let (encoding, bom_len) = match Encoding::for_bom(head) {
        Some((encoding, len)) => (encoding, len),
        None => (guess_encoding(head, complete), 0),
    };
    let body = head.get(bom_len..).unwrap_or_default();
    let text = decode_strict(encoding, body, complete)
        .or_else(|| decode_utf16_mostly(encoding, body, complete))
        .ok_or_else(|| SniffError::NotSpreadsheet("内容是二进制数据，不是表格或文本".to_owned()))?;
    if text.trim_matches(is_blank).is_empty() {
        return if complete {
            Err(SniffError::Empty)
        } else {
            Err(SniffError::NotSpreadsheet("文件开头全是空白字符".to_owned()))
        };
    }
    if looks_binary(&text) {
        return Err(SniffError::NotSpreadsheet("内容是二进制数据，不是表格或文本".to_owned()));
    }
    let start = text.trim_start_matches(is_blank);
    if let Some(format) = sniff_markup(start)? {
        let encoding = if bom_len == 0 { html_charset(&text).unwrap_or(encoding) } else { encoding };
        return Ok(TextKind { format, encoding, delimiter: b',', bytes_per_line: None, crlf: false, sep_line: false });
    }
    // Excel's "sep=;" first line names the delimiter and is not a row.
    let sep_line = excel_sep_line(&text);
    let delimiter = sep_line.unwrap_or_else(|| sniff_delimiter(&text));
    let lines = text.lines().count();
    let bytes_per_line = (lines > 0).then(|| body.len() as f64 / lines as f64);
    let format = if delimiter == b'\t' { Format::Tsv } else { Format::Csv };
    let crlf = text.contains("\r\n");
    Ok(TextKind { format, encoding, delimiter, bytes_per_line, crlf, sep_line: sep_line.is_some() })
}

/// The delimiter named by an Excel `sep=X` first line.
fn excel_sep_line(text: &str) -> Option<u8> {
    let first = text.trim_start_matches('\u{FEFF}').lines().next()?;
    match first.trim_end().strip_prefix("sep=")?.as_bytes() {
        [delimiter] if !delimiter.is_ascii_alphanumeric() && *delimiter != b'"' => Some(*delimiter),
        _ => None,
    }
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

/// Valid UTF-8 wins (a cut at the end of the sample is fine); otherwise GB18030, which covers the
/// GBK that Excel on Chinese Windows writes, unless the text's non-ASCII bytes stand alone as a
/// Western single-byte encoding's accented letters do (Windows-1252). UTF-16 is only believed with
/// a BOM.
pub(crate) fn guess_encoding(head: &[u8], complete: bool) -> &'static Encoding {
    if let Some(utf16) = utf16_without_bom(head) {
        return utf16;
    }
    match std::str::from_utf8(head) {
        Ok(_) => UTF_8,
        // `error_len() == None` means the sample ends inside a character: still UTF-8.
        Err(e) if e.error_len().is_none() && !complete => UTF_8,
        Err(_) if lone_high_bytes(head) => WINDOWS_1252,
        Err(_) => GB18030,
    }
}

/// Whether most runs of non-ASCII bytes are one byte long. Chinese in GBK is two bytes a character,
/// nearly always both non-ASCII, in runs as long as the words; Windows-1252 (Excel's "CSV" on a
/// Western Windows, public data sets such as Kaggle's `sales_data_sample.csv`) has an accented
/// letter between ASCII ones: `Rancé,`, `Müller`. Read as GB18030, those are errors or wrong
/// characters.
fn lone_high_bytes(head: &[u8]) -> bool {
    let (mut runs, mut lone) = (0usize, 0usize);
    let mut run = 0usize;
    for &b in head.iter().chain(std::iter::once(&b'\n')) {
        if b >= 0x80 {
            run += 1;
        } else if run > 0 {
            runs += 1;
            lone += usize::from(run == 1);
            run = 0;
        }
    }
    runs > 0 && lone * 2 > runs
}

/// UTF-16 written without a BOM: delimiters, digits and newlines are ASCII, so one byte of every
/// pair is NUL far more often than in any 8-bit text.
fn utf16_without_bom(head: &[u8]) -> Option<&'static Encoding> {
    let sample = head.get(..head.len().min(4096)).unwrap_or(head);
    let pairs = sample.len() / 2;
    if pairs < 4 {
        return None;
    }
    let zeros_at = |parity: usize| sample.iter().skip(parity).step_by(2).take(pairs).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros_at(0), zeros_at(1));
    if odd * 10 >= pairs * 3 && even * 10 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 3 && odd * 10 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Decodes without replacement characters; `None` when the bytes are not text in `encoding`.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8], complete: bool) -> Option<String> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length_without_replacement(bytes.len())?;
    let mut text = String::with_capacity(capacity);
    let (result, _read) = decoder.decode_to_string_without_replacement(bytes, &mut text, complete);
    match result {
        encoding_rs::DecoderResult::Malformed(_, _) => None,
        _ => Some(text),
    }
}

/// UTF-16 text with a few unpaired surrogates (a cell cut in the middle of an emoji by the
/// exporting program): decoded with U+FFFD for them, as the reader will, when they are rare.
/// Other encodings stay strict: a wrong guess there must fall through to "binary".
fn decode_utf16_mostly(encoding: &'static Encoding, bytes: &[u8], complete: bool) -> Option<String> {
    if encoding != encoding_rs::UTF_16LE && encoding != encoding_rs::UTF_16BE {
        return None;
    }
    // The sample may end inside a pair; leave an odd last byte out.
    let bytes = if complete { bytes } else { bytes.get(..bytes.len() & !1).unwrap_or(bytes) };
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    let replaced = text.chars().filter(|&c| c == '\u{FFFD}').count();
    let chars = text.chars().count();
    (replaced <= (chars / 100).max(8)).then(|| text.into_owned())
}

/// Text tables have almost no control characters; binary data decoded as GB18030 has many.
fn looks_binary(text: &str) -> bool {
    // A stray NUL in a real export is tolerated; binary data has many control characters.
    let mut controls = 0usize;
    let mut chars = 0usize;
    for c in text.chars() {
        chars += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0C') {
            controls += 1;
        }
    }
    controls * 100 > chars
}

/// HTML tables (some platforms' ".xls"), or other markup we cannot read.
fn sniff_markup(start: &str) -> Result<Option<Format>, SniffError> {
    if !start.starts_with('<') {
        return Ok(None);
    }
    let lower: String = start.chars().take(HEAD_LEN).flat_map(char::to_lowercase).collect();
    if lower.contains("urn:schemas-microsoft-com:office:spreadsheet") && !lower.contains("<table") {
        return Err(SniffError::NotSpreadsheet(
            "这是 Excel 2003 XML 表格，请用 Excel 或 WPS 打开后另存为 .xlsx".to_owned(),
        ));
    }
    let html_starts = ["<html", "<!doctype html", "<table", "<head", "<body", "<meta", "<style", "<!--"];
    if html_starts.iter().any(|s| lower.starts_with(s)) || lower.contains("<table") {
        return Ok(Some(Format::Html));
    }
    if lower.starts_with("<?xml") {
        return Err(SniffError::NotSpreadsheet("这是 XML 文件，其中没有表格".to_owned()));
    }
    Ok(None)
}

/// The charset an HTML page declares in a `<meta>` tag, if encoding_rs knows the label.
pub(crate) fn html_charset(text: &str) -> Option<&'static Encoding> {
    let lower = text.get(..text.len().min(8192)).unwrap_or(text).to_ascii_lowercase();
    let at = lower.find("charset=")? + "charset=".len();
    let rest = lower.get(at..)?.trim_start_matches(['"', '\'', ' ']);
    let label: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
    Encoding::for_label(label.as_bytes())
}

/// Picks the delimiter (tab, comma, semicolon, pipe) that splits the first lines most consistently.
///
/// Delimiters inside quoted fields do not count and quoted newlines do not end a line. Title rows
/// without delimiters are ignored by scoring the most common non-zero count per line.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 4] = [b'\t', b',', b';', b'|'];
    const MAX_LINES: usize = 50;
    let mut lines: Vec<[usize; 4]> = Vec::new();
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    for b in text.bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                lines.push(counts);
                counts = [0; 4];
                if lines.len() >= MAX_LINES {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    if lines.len() < MAX_LINES && counts.iter().any(|&c| c > 0) {
        lines.push(counts);
    }
    let mut best = (0usize, 0usize, b',');
    for (i, &delimiter) in CANDIDATES.iter().enumerate() {
        let (mode, freq) = mode_of(lines.iter().map(|l| l[i]).filter(|&n| n > 0));
        // More lines agreeing wins; then more columns; ties keep the earlier (tab, then comma).
        if (freq, mode) > (best.0, best.1) {
            best = (freq, mode, delimiter);
        }
    }
    if best.0 == 0 && splits_on_spaces(&lines_of(text, MAX_LINES)) {
        return WHITESPACE;
    }
    best.2
}

fn lines_of(text: &str, max: usize) -> Vec<&str> {
    text.lines().take(max).collect()
}

/// True when most non-blank lines split into the same number (≥ 2) of space-separated fields.
fn splits_on_spaces(lines: &[&str]) -> bool {
    let fields: Vec<usize> = lines.iter().map(|l| l.split_whitespace().count()).filter(|&n| n > 0).collect();
    let (mode, freq) = mode_of(fields.iter().copied());
    mode >= 2 && freq >= 2 && freq * 5 >= fields.len() * 4
}

/// The most common value and how often it occurs (larger value on ties).
fn mode_of(values: impl Iterator<Item = usize>) -> (usize, usize) {
    let mut sorted: Vec<usize> = values.collect();
    sorted.sort_unstable();
    let mut best = (0, 0);
    for run in sorted.chunk_by(|a, b| a == b) {
        if let Some(&value) = run.first() {
            if run.len() >= best.1 {
                best = (value, run.len());
            }
        }
    }
    best
}

/// Tells the spreadsheet formats in a zip apart by their entries.
///
/// # Errors
/// `Corrupt` when the zip directory cannot be read (a truncated download), `NotSpreadsheet` for
/// other zip documents (.docx, .pptx, plain archives).
pub(crate) fn sniff_zip<R: Read + Seek>(reader: R) -> Result<Format, SniffError> {
    let mut zip = zip::ZipArchive::new(reader)
        .map_err(|e| SniffError::Corrupt(format!("压缩结构无法读取，文件可能只下载了一部分：{e}")))?;
    let has = |zip: &zip::ZipArchive<R>, name: &str| zip.index_for_name(name).is_some();
    if has(&zip, "xl/workbook.xml") {
        let macro_enabled = has(&zip, "xl/vbaProject.bin")
            || read_entry(&mut zip, "[Content_Types].xml").is_some_and(|t| contains(&t, b"macroEnabled"));
        return Ok(if macro_enabled { Format::Xlsm } else { Format::Xlsx });
    }
    if has(&zip, "xl/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    if let Some(mime) = read_entry(&mut zip, "mimetype") {
        let mime = mime.trim_ascii();
        if mime.starts_with(ODS_MIME) {
            return Ok(Format::Ods);
        }
        let what = if contains(mime, b"opendocument.text") {
            "这是 OpenDocument 文字文档 (.odt)，不是表格"
        } else if contains(mime, b"opendocument.presentation") {
            "这是 OpenDocument 演示文稿 (.odp)，不是表格"
        } else {
            "这是 OpenDocument 文档，但不是表格"
        };
        return Err(SniffError::NotSpreadsheet(what.to_owned()));
    }
    if has(&zip, "content.xml") {
        return Ok(Format::Ods);
    }
    let what = if has(&zip, "word/document.xml") {
        "这是 Word 文档 (.docx)，不是表格"
    } else if has(&zip, "ppt/presentation.xml") {
        "这是 PowerPoint 演示文稿 (.pptx)，不是表格"
    } else if zip.file_names_raw().any(|n| [&b".xlsx"[..], b".xls", b".csv"].iter().any(|ext| n.ends_with(ext))) {
        "这是包含表格的 zip 压缩包，请先解压再导入其中的表格"
    } else {
        "这是 zip 压缩包，里面没有工作簿"
    };
    Err(SniffError::NotSpreadsheet(what.to_owned()))
}

/// Reads a small zip entry (at most 1 MiB, so a hostile archive cannot balloon memory).
fn read_entry<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<Vec<u8>> {
    let entry = zip.by_name(name).ok()?;
    let mut bytes = Vec::new();
    entry.take(1 << 20).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

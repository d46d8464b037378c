//! Writing generated rows: xlsx through rust_xlsxwriter's constant-memory mode (a million rows in a
//! few seconds and a few MB), CSV as UTF-8 with BOM or as GBK (what Excel on Chinese Windows saves).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use encoding_rs::GBK;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::error::{Error, Result};
use crate::model::Cents;

/// One generated cell.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Empty,
    Text(String),
    /// Money in fen: a number with two decimals in xlsx, `12.30` in CSV.
    Money(Cents),
    Int(i64),
    /// Written as text `2025-03-05 14:22:10`, as most platforms export it.
    TimeText(NaiveDateTime),
    /// Written as a real Excel date-time (a number with a date format) in xlsx, text in CSV.
    Time(NaiveDateTime),
    /// Written as a real Excel date in xlsx, `2025-03-05` in CSV.
    Date(NaiveDate),
}

/// Where rows go.
pub(crate) trait Sink {
    fn row(&mut self, cells: &[Value]) -> Result<()>;
}

/// The file format of a generated export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileFormat {
    /// An Excel workbook.
    Xlsx,
    /// UTF-8 with BOM.
    Csv,
    /// GBK; characters GBK lacks (emoji, 𠮷, Korean) become `?`, as in real GBK exports.
    CsvGbk,
}

pub(crate) fn write_err(path: &Path, detail: impl std::fmt::Display) -> Error {
    Error::Write { path: path.to_path_buf(), detail: detail.to_string() }
}

fn money_text(c: Cents) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

/// Days since 1899-12-30 (Excel's 1900 date system) plus the fraction of the day.
fn excel_serial(t: NaiveDateTime) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    let days = (t.date() - epoch).num_days() as f64;
    days + f64::from(t.num_seconds_from_midnight()) / 86_400.0
}

/// Rows into one constant-memory worksheet.
pub(crate) struct XlsxSink<'a> {
    sheet: &'a mut Worksheet,
    path: &'a Path,
    row: u32,
    header: Format,
    money: Format,
    time: Format,
    date: Format,
}

impl<'a> XlsxSink<'a> {
    pub(crate) fn new(sheet: &'a mut Worksheet, path: &'a Path) -> Self {
        XlsxSink {
            sheet,
            path,
            row: 0,
            header: Format::new().set_bold(),
            money: Format::new().set_num_format("0.00"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        }
    }

    /// The next row is written bold (the header row).
    pub(crate) fn header_row(&mut self, cells: &[Value]) -> Result<()> {
        for (c, v) in cells.iter().enumerate() {
            if let Value::Text(s) = v {
                self.sheet
                    .write_string_with_format(self.row, c as u16, s, &self.header)
                    .map_err(|e| write_err(self.path, e))?;
            }
        }
        self.row += 1;
        Ok(())
    }
}

impl Sink for XlsxSink<'_> {
    fn row(&mut self, cells: &[Value]) -> Result<()> {
        let (r, ws) = (self.row, &mut *self.sheet);
        for (c, v) in cells.iter().enumerate() {
            let c = c as u16;
            let written = match v {
                Value::Empty => continue,
                // write_string never turns "=1+1" into a formula: formula bait stays text.
                Value::Text(s) => ws.write_string(r, c, s),
                Value::Money(m) => ws.write_number_with_format(r, c, *m as f64 / 100.0, &self.money),
                Value::Int(i) => ws.write_number(r, c, *i as f64),
                Value::TimeText(t) => ws.write_string(r, c, t.format("%Y-%m-%d %H:%M:%S").to_string()),
                Value::Time(t) => ws.write_number_with_format(r, c, excel_serial(*t), &self.time),
                Value::Date(d) => {
                    ws.write_number_with_format(r, c, excel_serial(d.and_time(Default::default())), &self.date)
                }
            };
            written.map_err(|e| write_err(self.path, e))?;
        }
        self.row += 1;
        Ok(())
    }
}

/// Creates the workbook and its one constant-memory sheet, runs `fill`, saves.
pub(crate) fn write_xlsx(
    path: &Path,
    sheet_name: &str,
    widths: &[f64],
    fill: &mut dyn FnMut(&mut XlsxSink) -> Result<()>,
) -> Result<()> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory().map_err(|e| write_err(path, e))?;
    sheet.set_name(sheet_name).map_err(|e| write_err(path, e))?;
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w).map_err(|e| write_err(path, e))?;
    }
    {
        let mut sink = XlsxSink::new(sheet, path);
        fill(&mut sink)?;
    }
    workbook.save(path).map_err(|e| write_err(path, e))
}

/// Rows into a CSV file (UTF-8 with BOM, or GBK).
pub(crate) struct CsvSink<'a> {
    writer: csv::Writer<Box<dyn Write + 'a>>,
    path: &'a Path,
    record: Vec<String>,
}

impl<'a> CsvSink<'a> {
    pub(crate) fn create(path: &'a Path, gbk: bool) -> Result<Self> {
        let file = File::create(path).map_err(|e| write_err(path, e))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let inner: Box<dyn Write> = if gbk {
            Box::new(GbkWriter { inner: out, pending: Vec::new() })
        } else {
            out.write_all(b"\xEF\xBB\xBF").map_err(|e| write_err(path, e))?;
            Box::new(out)
        };
        Ok(CsvSink { writer: csv::WriterBuilder::new().flexible(true).from_writer(inner), path, record: Vec::new() })
    }

    pub(crate) fn finish(mut self) -> Result<()> {
        self.writer.flush().map_err(|e| write_err(self.path, e))
    }
}

impl Sink for CsvSink<'_> {
    fn row(&mut self, cells: &[Value]) -> Result<()> {
        self.record.clear();
        self.record.extend(cells.iter().map(|v| match v {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Money(m) => money_text(*m),
            Value::Int(i) => i.to_string(),
            Value::TimeText(t) | Value::Time(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        }));
        self.writer.write_record(&self.record).map_err(|e| write_err(self.path, e))
    }
}

/// Re-encodes a UTF-8 byte stream as GBK; unmappable characters become `?`.
struct GbkWriter<W: Write> {
    inner: W,
    /// Bytes of a UTF-8 character split across two `write` calls.
    pending: Vec<u8>,
}

impl<W: Write> Write for GbkWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) => e.valid_up_to(),
        };
        let text = std::str::from_utf8(&self.pending[..valid]).unwrap_or_default();
        let mut encoder = GBK.new_encoder();
        let mut out = vec![0u8; text.len() * 2 + 16];
        let mut rest = text;
        loop {
            let (result, read, written) = encoder.encode_from_utf8_without_replacement(rest, &mut out, true);
            self.inner.write_all(&out[..written])?;
            rest = &rest[read..];
            match result {
                encoding_rs::EncoderResult::InputEmpty => break,
                encoding_rs::EncoderResult::Unmappable(_) => self.inner.write_all(b"?")?,
                encoding_rs::EncoderResult::OutputFull => {}
            }
        }
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_writer_turns_emoji_into_question_marks_and_survives_split_characters() {
        let mut out = GbkWriter { inner: Vec::new(), pending: Vec::new() };
        let text = "晴天🌸,12.30\n".as_bytes();
        // Split inside the 3-byte 晴 on purpose.
        out.write_all(&text[..1]).unwrap();
        out.write_all(&text[1..]).unwrap();
        let (decoded, _, bad) = GBK.decode(&out.inner);
        assert!(!bad);
        assert_eq!(decoded, "晴天?,12.30\n");
    }

    #[test]
    fn money_text_keeps_two_decimals_and_sign() {
        assert_eq!(money_text(1230), "12.30");
        assert_eq!(money_text(-5), "-0.05");
    }

    #[test]
    fn excel_serial_of_a_known_date() {
        let t = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap().and_hms_opt(12, 0, 0).unwrap();
        assert_eq!(excel_serial(t), 45658.5);
    }
}

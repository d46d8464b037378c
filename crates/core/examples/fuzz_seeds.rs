//! Writes the seed corpora of the fuzz targets (`fuzz/`, see docs/fuzzing.md) into
//! `<out>/<target>/`: small exports from the project's own generator in every layout and format it
//! writes, plus files like the ones the tests build in code (xlsx with title rows, dates, formulas
//! and several sheets; ods; the xls fixture; CSV/TSV/`sep=`/space-aligned text in each encoding;
//! HTML tables) and the cell texts the parsers document.
//!
//! Run by `scripts/fuzz_seeds.sh`: `cargo run -p tierbook-core --example fuzz_seeds -- fuzz/seeds`.
//! Deterministic: the same files on every run.
//!
//! The structure-aware targets take "parts" (`=== name` line, then the entry's bytes; see
//! `fuzz/src/lib.rs`), so zip and OLE2 seeds are unpacked into that form here.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Formula, Workbook};
use tierbook_core::generate::{self, FileFormat, GenerateOptions, Layout};

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> AnyResult<()> {
    let out = PathBuf::from(std::env::args().nth(1).ok_or("usage: fuzz_seeds <output folder>")?);
    let seeds = Seeds { out };
    let scratch = tempfile::tempdir()?;

    // The generator: every layout × format, small, with and without title and totals rows.
    for (i, layout) in Layout::ALL.into_iter().enumerate() {
        for format in [FileFormat::Xlsx, FileFormat::Csv, FileFormat::CsvGbk] {
            let name = format!("gen-{layout:?}-{format:?}").to_lowercase();
            let path = scratch.path().join(&name);
            let options = GenerateOptions {
                layout,
                format,
                orders: 24,
                seed: i as u64 + 1,
                title_rows: i % 2 == 0,
                totals_row: i % 2 == 1,
                mask_phones: i == 2,
                ..GenerateOptions::default()
            };
            generate::generate(&path, &options)?;
            let bytes = std::fs::read(&path)?;
            seeds.write(&["open_any", "import_file"], &name, &bytes)?;
            match format {
                FileFormat::Xlsx => seeds.write(&["open_xlsx", "xlsx_readers_agree"], &name, &zip_to_parts(&bytes)?)?,
                FileFormat::Csv => {
                    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                    seeds.write(&["open_text"], &name, &with_encoding(ENC_UTF8_BOM, text))?;
                }
                FileFormat::CsvGbk => {
                    let (text, _, _) = encoding_rs::GBK.decode(&bytes);
                    seeds.write(&["open_text"], &name, &with_encoding(ENC_GBK, text.as_bytes()))?;
                }
            }
        }
    }

    // Workbooks like the source tests build.
    for (name, bytes) in [("orders-title-rows", orders_xlsx()?), ("split-hidden-offset", split_xlsx()?)] {
        seeds.write(&["open_any", "import_file"], &format!("{name}.xlsx"), &bytes)?;
        seeds.write(&["open_xlsx", "xlsx_readers_agree"], name, &zip_to_parts(&bytes)?)?;
    }
    for (name, content) in [("customers", ODS_CUSTOMERS), ("orders-repeated", ODS_ORDERS)] {
        let parts = ods_parts(content);
        seeds.write(&["open_ods"], name, &parts)?;
        seeds.write(&["open_any", "import_file"], &format!("{name}.ods"), &parts_to_zip(&parts)?)?;
    }
    let xls = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/orders_split.xls"))?;
    seeds.write(&["open_any", "import_file"], "orders_split.xls", &xls)?;
    seeds.write(&["open_xls"], "orders_split", &cfb_to_parts(&xls)?)?;

    // Text tables in each encoding the sniffer tells apart.
    for (name, text) in TEXT_TABLES {
        for (enc, suffix) in
            [(ENC_RAW, "utf8"), (ENC_GBK, "gbk"), (ENC_UTF16LE_BOM, "utf16le-bom"), (ENC_UTF16BE, "utf16be")]
        {
            seeds.write(&["open_text"], &format!("{name}-{suffix}"), &with_encoding(enc, text.as_bytes()))?;
        }
        seeds.write(&["open_any", "import_file"], &format!("{name}.csv"), text.as_bytes())?;
    }
    for (name, html, enc) in HTML_PAGES {
        seeds.write(&["open_html"], name, &with_encoding(*enc, html.as_bytes()))?;
        let (gbk, _, _) = encoding_rs::GBK.encode(html);
        seeds.write(&["open_any", "import_file"], &format!("{name}.xls"), &gbk)?;
    }

    for (i, text) in CELL_TEXTS.iter().enumerate() {
        seeds.write(&["cell_parsers"], &format!("cell-{i:02}"), text.as_bytes())?;
    }
    println!("fuzz seeds written to {}", seeds.out.display());
    Ok(())
}

struct Seeds {
    out: PathBuf,
}

impl Seeds {
    fn write(&self, targets: &[&str], name: &str, bytes: &[u8]) -> AnyResult<()> {
        for target in targets {
            let dir = self.out.join(target);
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join(name), bytes)?;
        }
        Ok(())
    }
}

// The first byte of an `open_text`/`open_html` input picks the encoding (`ENCODINGS` in fuzz/src/lib.rs).
const ENC_RAW: u8 = 0;
const ENC_UTF8_BOM: u8 = 1;
const ENC_GBK: u8 = 3;
const ENC_UTF16LE_BOM: u8 = 4;
const ENC_UTF16BE: u8 = 7;

fn with_encoding(selector: u8, text: &[u8]) -> Vec<u8> {
    [&[selector][..], text].concat()
}

/// One `=== name` line, then the bytes: the parts format of fuzz/src/lib.rs `split_parts`.
fn join_parts(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, content) in parts {
        if !out.is_empty() {
            out.push(b'\n');
        }
        out.extend_from_slice(format!("=== {name}\n").as_bytes());
        out.extend_from_slice(content);
    }
    out
}

fn zip_to_parts(bytes: &[u8]) -> AnyResult<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let mut content = Vec::new();
        entry.read_to_end(&mut content)?;
        parts.push((entry.name()?.into_owned(), content));
    }
    Ok(join_parts(&parts))
}

fn parts_to_zip(parts: &[u8]) -> AnyResult<Vec<u8>> {
    use std::io::Write;
    let text = std::str::from_utf8(parts)?;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for entry in text.split("\n=== ").map(|e| e.trim_start_matches("=== ")) {
        let (name, content) = entry.split_once('\n').unwrap_or((entry, ""));
        zip.start_file(name, stored)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

fn cfb_to_parts(bytes: &[u8]) -> AnyResult<Vec<u8>> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes))?;
    let streams: Vec<PathBuf> = file.walk().filter(|e| e.is_stream()).map(|e| e.path().to_path_buf()).collect();
    let mut parts = Vec::new();
    for path in streams {
        let mut content = Vec::new();
        file.open_stream(&path)?.read_to_end(&mut content)?;
        parts.push((path.display().to_string(), content));
    }
    Ok(join_parts(&parts))
}

/// Title row, header below a blank row, a 19-digit id as text, a date cell, a number, a boolean, a
/// formula with an error result (like `write_orders_xlsx` in the source tests).
fn orders_xlsx() -> AnyResult<Vec<u8>> {
    let mut workbook = Workbook::new();
    let date = XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sheet = workbook.add_worksheet();
    sheet.set_name("订单列表")?;
    sheet.write_string(0, 0, "订单导出 2025-01-01 至 2025-03-31")?;
    for (col, header) in ["订单号", "下单时间", "买家ID", "实付金额", "已评价"].iter().enumerate() {
        sheet.write_string(2, col as u16, *header)?;
    }
    sheet.write_string(3, 0, "3705123456789012345")?;
    let when = ExcelDateTime::from_ymd(2025, 3, 5)?.and_hms(14, 22, 10)?;
    sheet.write_datetime_with_format(3, 1, &when, &date)?;
    sheet.write_string(3, 2, "o_abc123")?;
    sheet.write_number(3, 3, 128.5)?;
    sheet.write_boolean(3, 4, true)?;
    sheet.write_string(4, 2, "o_def456")?;
    sheet.write_formula(4, 3, Formula::new("=1/0").set_result("#DIV/0!"))?;
    Ok(workbook.save_to_buffer()?)
}

/// An export split over two sheets (the second hidden), the second starting below and right of A1.
fn split_xlsx() -> AnyResult<Vec<u8>> {
    let mut workbook = Workbook::new();
    for (s, name) in ["订单列表", "订单列表2"].iter().enumerate() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name)?;
        let (r0, c0) = if s == 0 { (0, 0) } else { (3, 2) };
        for (col, header) in ["订单号", "下单时间", "买家手机号", "实付金额(元)"].iter().enumerate() {
            sheet.write_string(r0, c0 + col as u16, *header)?;
        }
        for i in 0..3u32 {
            let row = r0 + 1 + i;
            sheet.write_number(row, c0, 2_025_030_500_001.0 + f64::from(i) + f64::from(s as u8) * 10.0)?;
            sheet.write_number(row, c0 + 1, 45_721.5 + f64::from(i))?;
            sheet.write_string(row, c0 + 2, format!("1380013800{i}"))?;
            sheet.write_string(row, c0 + 3, format!("¥{},00{i}.50", i + 1))?;
        }
        if s == 1 {
            sheet.set_hidden(true);
        }
    }
    Ok(workbook.save_to_buffer()?)
}

fn ods_parts(content: &str) -> Vec<u8> {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;
    join_parts(&[
        ("mimetype".to_owned(), b"application/vnd.oasis.opendocument.spreadsheet".to_vec()),
        ("META-INF/manifest.xml".to_owned(), manifest.as_bytes().to_vec()),
        ("content.xml".to_owned(), content.as_bytes().to_vec()),
    ])
}

/// The source tests' minimal ods (a customer list).
const ODS_CUSTOMERS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    r#"<table:table table:name="客户"><table:table-row><table:table-cell office:value-type="string"><text:p>客户编号</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>累计消费金额</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>C001</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1280.5"><text:p>1280.5</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
);

/// Orders with dates, repeated rows and columns, a covered cell and a second sheet.
const ODS_ORDERS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    r#"<table:table table:name="订单"><table:table-row><table:table-cell office:value-type="string"><text:p>订单号</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>下单时间</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>买家手机号</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>实付金额</text:p></table:table-cell></table:table-row>"#,
    r#"<table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="string"><text:p>E20250305001</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2025-03-05T14:22:10"><text:p>2025-03-05</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>138<text:s text:c="2"/>0013<text:span>8000</text:span></text:p></table:table-cell><table:table-cell office:value-type="currency" office:currency="CNY" office:value="66.6"><text:p>¥66.60</text:p></table:table-cell></table:table-row>"#,
    r#"<table:table-row><table:table-cell table:number-columns-repeated="2"/><table:covered-table-cell/><table:table-cell office:value-type="percentage" office:value="0.5"/><table:table-cell office:value-type="boolean" office:boolean-value="true"/></table:table-row></table:table>"#,
    r#"<table:table table:name="Sheet2"><table:table-row><table:table-cell office:value-type="float" office:value="1e308"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
);

/// CSV/TSV/text tables the source tests cover: quoting, CRLF, `sep=`, blank and title lines,
/// space-aligned columns.
const TEXT_TABLES: &[(&str, &str)] = &[
    (
        "csv-quoted",
        "订单号,下单时间,买家ID,实付金额,备注\r\n\"3705123456789012345\",2025-03-05 14:22:10,o_abc,\"1,280.50\",\"红色\r\n大号\"\r\n=\"3705123456789012346\",2025/3/6 9:05,o_def,¥66,\"\"\"引号\"\"\"\r\n",
    ),
    ("tsv", "商品\t下单时间\t手机\t金额\n杯子\t2025年3月5日\t13800138000\t12.5元\n\n合计\t\t\t12.5\n"),
    ("sep-semicolon", "sep=;\nOrder;Date;Customer;Amount\n1;05/03/2025;alice;1.234,50\n2;25/12/2025;bob;(12.00)\n"),
    (
        "title-rows",
        "微信小店 订单导出\n导出时间：2025-04-01\n\n订单号,下单时间,买家ID,实付金额\n1,1741156930,o_1,-\n2,20250305,o_2,N/A\n",
    ),
    ("space-aligned", "00001 19970101  1  11.77\n00002 19970112  1  12.00\n00002 19970112  5  77.00\n00003 19970102  2  20.76\n"),
];

const HTML_PAGES: &[(&str, &str, u8)] = &[
    (
        "export-gb2312",
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><style>td { mso-number-format:'\\@'; }</style></head><body><table border=1><tr><th>订单号</th><th>买家昵称</th><th>下单时间</th><th>实付金额</th></tr><tr><td>3705123456789012345</td><td>A&amp;B 小店</td><td>2025-03-05 14:22</td><td>&yen;128.50</td></tr><tr><td>3705123456789012346</td><td>&nbsp;</td><td>2025-03-06</td><td>66</td></tr></table></body></html>",
        ENC_GBK,
    ),
    (
        "spans-nested",
        "<!DOCTYPE html><meta charset=\"utf-8\"><!-- <table><tr><td>not this</td></tr></table> --><script>var t='<table>';</script><table><thead><tr><th colspan=\"2\">订单</th><th rowspan=2>金额</th></tr><tr><th>编号</th><th>买家</th></tr></thead><tbody><tr><td rowspan=\"2\">E1</td><td>张三<br>李四</td><td>1&#44;200</td></tr><tr><td><table><tr><td>嵌套</td></tr></table></td><td>&#x4E00;&#19968;</td></tr></tbody></table>",
        ENC_UTF8_BOM,
    ),
    ("no-table", "<!DOCTYPE html><html><body>please log in</body></html>", ENC_RAW),
];

/// Money, dates, counts and ids as the `cell` docs list them.
const CELL_TEXTS: &[&str] = &[
    "148.00",
    "-12.5",
    "¥1,234.50",
    "￥１２",
    "12.5元",
    "RMB 12",
    "CNY12",
    "1，234",
    "(1,234.00)",
    "-¥12",
    "¥-12",
    "+12",
    "US$12",
    "1.5E+3",
    "3.71823E+18",
    "2025-03-05 14:22:10",
    "2025-03-05T14:22:10Z",
    "2025/3/5 9:05",
    "2025.03.05",
    "2025年3月5日 14:22",
    "2025年3月5日 下午2点22分",
    "3/25/2025",
    "25/3/2025",
    "3/5/2025 10:00 PM",
    "11-Feb-13",
    "Jan 5, 2021",
    "Wed, 05 Mar 2025 14:22:10 +0800",
    "20250305",
    "1741156930",
    "1741156930123",
    "３件",
    "1,200",
    "=\"3705123456789012345\"",
    "'00123",
    "\u{3000}Ａ１２３\u{200B}",
    "#N/A",
];

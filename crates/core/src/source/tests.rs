//! Tests of `source` on real files written into a temp dir; each is named after the quirk it covers.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Formula, Workbook};

use super::*;

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// All rows of the first sheet, checking that indices run from 0 without gaps.
fn read_rows(source: &mut Source) -> Vec<Vec<Cell>> {
    let sheet = source.sheet_names()[0].clone();
    read_sheet(source, &sheet)
}

fn read_sheet(source: &mut Source, sheet: &str) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    source
        .for_each_row(sheet, &mut |index, cells| {
            assert_eq!(index, rows.len(), "row indices run from 0 without gaps");
            rows.push(cells.to_vec());
            Ok(true)
        })
        .unwrap();
    rows
}

fn open_rows(path: &Path) -> (Source, Vec<Vec<Cell>>) {
    let mut source = Source::open(path).unwrap();
    let rows = read_rows(&mut source);
    (source, rows)
}

fn datetime(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> Cell {
    Cell::DateTime(NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, s).unwrap())
}

/// An order export like 微信小店's: a title row, a blank row, the header, then orders.
fn write_orders_xlsx(path: &Path) {
    let mut workbook = Workbook::new();
    let date = XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sheet = workbook.add_worksheet();
    sheet.set_name("订单列表").unwrap();
    sheet.write_string(0, 0, "订单导出 2025-01-01 至 2025-03-31").unwrap();
    for (col, header) in ["订单号", "下单时间", "买家ID", "实付金额", "已评价"].iter().enumerate() {
        sheet.write_string(2, col as u16, *header).unwrap();
    }
    sheet.write_string(3, 0, "3705123456789012345").unwrap();
    let when = ExcelDateTime::from_ymd(2025, 3, 5).unwrap().and_hms(14, 22, 10).unwrap();
    sheet.write_datetime_with_format(3, 1, &when, &date).unwrap();
    sheet.write_string(3, 2, "o_abc123").unwrap();
    sheet.write_number(3, 3, 128.5).unwrap();
    sheet.write_boolean(3, 4, true).unwrap();
    // A second order with the amount in error and the buyer only (sparse row).
    sheet.write_string(4, 2, "o_def456").unwrap();
    sheet.write_formula(4, 3, Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
    workbook.save(path).unwrap();
}

fn xlsx_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    write_orders_xlsx(&path);
    std::fs::read(path).unwrap()
}

#[test]
fn xlsx_title_rows_keep_excel_row_numbers_and_cell_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    write_orders_xlsx(&path);
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Xlsx);
    assert_eq!(source.sheet_names(), ["订单列表"]);
    assert_eq!(source.encoding(), None);
    assert_eq!(
        rows,
        vec![
            vec![text("订单导出 2025-01-01 至 2025-03-31")],
            vec![],
            vec![text("订单号"), text("下单时间"), text("买家ID"), text("实付金额"), text("已评价")],
            vec![
                text("3705123456789012345"),
                datetime(2025, 3, 5, 14, 22, 10),
                text("o_abc123"),
                Cell::Number(128.5),
                Cell::Bool(true),
            ],
            vec![Cell::Empty, Cell::Empty, text("o_def456"), Cell::Error("#DIV/0!".to_owned())],
        ]
    );
    assert_eq!(source.row_count_hint("订单列表"), Some(5));
}

#[test]
fn xlsx_sheet_starting_below_and_right_keeps_positions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("offset.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(3, 2, "买家ID").unwrap();
    sheet.write_string(4, 2, "o_1").unwrap();
    workbook.save(&path).unwrap();
    let (_, rows) = open_rows(&path);
    let blank = Vec::<Cell>::new();
    assert_eq!(
        rows,
        vec![
            blank.clone(),
            blank.clone(),
            blank,
            vec![Cell::Empty, Cell::Empty, text("买家ID")],
            vec![Cell::Empty, Cell::Empty, text("o_1")],
        ]
    );
}

#[test]
fn xlsx_split_export_lists_every_sheet_in_order_including_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("split.xlsx");
    let mut workbook = Workbook::new();
    for (name, buyer) in [("订单列表", "a"), ("说明", "note"), ("订单列表2", "b")] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).unwrap();
        sheet.write_string(0, 0, buyer).unwrap();
        if name == "说明" {
            sheet.set_hidden(true);
        }
    }
    workbook.save(&path).unwrap();
    let mut source = Source::open(&path).unwrap();
    assert_eq!(source.sheet_names(), ["订单列表", "说明", "订单列表2"]);
    assert_eq!(read_sheet(&mut source, "订单列表2"), vec![vec![text("b")]]);
    assert_eq!(read_sheet(&mut source, "说明"), vec![vec![text("note")]]);
}

#[test]
fn xlsx_renamed_to_csv_is_still_read_as_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "orders.csv", &xlsx_bytes());
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Xlsx);
    assert_eq!(rows[2][0], text("订单号"));
}

#[test]
fn xlsm_is_detected_by_its_vba_project() {
    let dir = tempfile::tempdir().unwrap();
    let original = xlsx_bytes();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&original)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        out.raw_copy_file(archive.by_index(i).unwrap()).unwrap();
    }
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("xl/vbaProject.bin", stored).unwrap();
    out.write_all(b"not really vba").unwrap();
    let bytes = out.finish().unwrap().into_inner();
    let path = write_file(dir.path(), "macro.xlsx", &bytes);
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Xlsm);
    assert_eq!(rows[3][2], text("o_abc123"));
}

#[test]
fn xlsx_nineteen_digit_id_text_cell_stays_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ids.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "9223372036854775807").unwrap();
    sheet.write_string(1, 0, "000123456789012345678").unwrap();
    workbook.save(&path).unwrap();
    let (_, rows) = open_rows(&path);
    assert_eq!(rows, vec![vec![text("9223372036854775807")], vec![text("000123456789012345678")]]);
}

#[test]
fn xlsx_giant_cell_is_refused_with_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("giant.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "订单号").unwrap();
    // Excel (and rust_xlsxwriter) cap a cell at 32,767 characters, so a broken file's giant string
    // is made by rewriting the shared-strings part by hand.
    workbook.save(&path).unwrap();
    let giant = "x".repeat(MAX_CELL_BYTES + 1);
    let bytes = replace_in_zip(&std::fs::read(&path).unwrap(), "xl/sharedStrings.xml", "订单号", &giant);
    let path = write_file(dir.path(), "giant2.xlsx", &bytes);
    let mut source = Source::open(&path).unwrap();
    let err = source.for_each_row("Sheet1", &mut |_, _| Ok(true)).unwrap_err();
    assert!(matches!(err, Error::CellTooLarge { row: 1, .. }), "{err:?}");
    assert_eq!(err.path(), Some(path.as_path()));
}

/// The orders workbook with every entry stored uncompressed.
fn stored_xlsx_bytes() -> Vec<u8> {
    let original = xlsx_bytes();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&original)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut content).unwrap();
        out.start_file(name, stored).unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Rewrites one entry of a zip with `from` replaced by `to`.
fn replace_in_zip(bytes: &[u8], entry: &str, from: &str, to: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        if file.name().is_ok_and(|n| n == entry) {
            let mut content = String::new();
            std::io::Read::read_to_string(&mut file, &mut content).unwrap();
            assert!(content.contains(from), "{entry} holds {from}");
            out.start_file(entry, stored).unwrap();
            out.write_all(content.replace(from, to).as_bytes()).unwrap();
        } else {
            out.raw_copy_file(file).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn truncated_xlsx_is_corrupt_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = xlsx_bytes();
    let path = write_file(dir.path(), "cut.xlsx", &bytes[..bytes.len() / 2]);
    let err = Source::open(&path).err().unwrap();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("cut.xlsx"));
}

#[test]
fn docx_like_zip_is_not_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("[Content_Types].xml", options).unwrap();
    out.write_all(b"<Types/>").unwrap();
    out.start_file("word/document.xml", options).unwrap();
    out.write_all(b"<w:document/>").unwrap();
    let bytes = out.finish().unwrap().into_inner();
    let path = write_file(dir.path(), "orders.xlsx", &bytes);
    let err = Source::open(&path).err().unwrap();
    match err {
        Error::NotSpreadsheet { detail, .. } => assert!(detail.contains("Word"), "{detail}"),
        other => panic!("expected NotSpreadsheet, got {other:?}"),
    }
}

/// A minimal valid ods: mimetype, manifest and content with one table.
fn ods_bytes() -> Vec<u8> {
    ods_bytes_with(false)
}

/// The minimal ods, or (`encrypted`) one whose manifest says content.xml is encrypted, as
/// LibreOffice writes it when saving with a password.
fn ods_bytes_with(encrypted: bool) -> Vec<u8> {
    ods_zip(ODS_CONTENT, encrypted)
}

/// The minimal ods's content.xml. No whitespace between elements: real writers emit none and
/// calamine expects none.
const ODS_CONTENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="客户"><table:table-row><table:table-cell office:value-type="string"><text:p>客户编号</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>累计消费金额</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>C001</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1280.5"><text:p>1280.5</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;

/// An ods archive around `content` (or, `encrypted`, around bytes a password-protected one holds).
fn ods_zip(content: &str, encrypted: bool) -> Vec<u8> {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("mimetype", stored).unwrap();
    out.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    out.start_file("META-INF/manifest.xml", stored).unwrap();
    let encryption = "<manifest:encryption-data manifest:checksum-type=\"SHA1/1K\"/></manifest:file-entry>";
    let manifest = if encrypted {
        manifest
            .replace(r#"manifest:media-type="text/xml"/>"#, &format!(r#"manifest:media-type="text/xml">{encryption}"#))
    } else {
        manifest.to_owned()
    };
    out.write_all(manifest.as_bytes()).unwrap();
    out.start_file("content.xml", stored).unwrap();
    if encrypted {
        out.write_all(&[0x8F, 0x13, 0x77, 0xC2, 0x05]).unwrap();
    } else {
        out.write_all(content.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn ods_minimal_workbook_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "customers.ods", &ods_bytes());
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Ods);
    assert_eq!(source.sheet_names(), ["客户"]);
    assert_eq!(rows, vec![vec![text("客户编号"), text("累计消费金额")], vec![text("C001"), Cell::Number(1280.5)]]);
}

fn xls_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/orders_split.xls")
}

#[test]
fn xls_split_export_sheets_and_cells() {
    // Built by tests/fixtures/make_fixtures.py with xlwt.
    let mut source = Source::open(&xls_fixture()).unwrap();
    assert_eq!(source.format, Format::Xls);
    assert_eq!(source.sheet_names(), ["订单列表", "订单列表2"]);
    assert_eq!(source.row_count_hint("订单列表"), Some(4));
    let rows = read_sheet(&mut source, "订单列表");
    assert_eq!(rows[0], vec![text("订单导出 2025-03-01 至 2025-03-31")]);
    assert_eq!(rows[1], vec![text("订单号"), text("下单时间"), text("买家ID"), text("实付金额")]);
    assert_eq!(
        rows[2],
        vec![text("3705123456789012345"), datetime(2025, 3, 5, 14, 22, 10), text("tb_alice"), Cell::Number(128.5)]
    );
    assert_eq!(rows[3][3], Cell::Number(66.0));
    assert_eq!(rows.len(), 4);
    let second = read_sheet(&mut source, "订单列表2");
    assert_eq!(second[1], vec![text("3705123456789012347"), Cell::Empty, text("tb_carol"), Cell::Number(9.9)]);
}

#[test]
fn xls_renamed_to_xlsx_is_still_read_as_xls() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "orders.xlsx", &std::fs::read(xls_fixture()).unwrap());
    let source = Source::open(&path).unwrap();
    assert_eq!(source.format, Format::Xls);
}

#[test]
fn csv_utf8_plain_keeps_raw_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "订单.csv",
        "订单号,买家昵称,实付金额\n3705123456789012345, 小王 ,¥1,280.00\n".as_bytes(),
    );
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Csv);
    assert_eq!(source.sheet_names(), ["订单"]);
    assert_eq!(source.encoding(), Some("UTF-8"));
    // The unquoted "¥1,280.00" is two fields, exactly as Excel would split it; no trimming.
    assert_eq!(
        rows,
        vec![
            vec![text("订单号"), text("买家昵称"), text("实付金额")],
            vec![text("3705123456789012345"), text(" 小王 "), text("¥1"), text("280.00")],
        ]
    );
}

#[test]
fn csv_utf8_bom_is_stripped_from_first_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "bom.csv", "\u{FEFF}订单号,金额\n1,2\n".as_bytes());
    let (_, rows) = open_rows(&path);
    assert_eq!(rows[0], vec![text("订单号"), text("金额")]);
}

#[test]
fn csv_gbk_from_chinese_excel_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let content = "订单号,买家昵称,订单状态\n1001,张三,交易成功\n1002,李四,已关闭\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(content);
    assert!(!unmappable);
    let path = write_file(dir.path(), "gbk.csv", &gbk);
    let (source, rows) = open_rows(&path);
    assert_eq!(source.encoding(), Some("gb18030"));
    assert_eq!(rows[1], vec![text("1001"), text("张三"), text("交易成功")]);
    assert_eq!(rows[2][2], text("已关闭"));
}

#[test]
fn csv_in_windows_1252_is_decoded_not_refused_as_binary() {
    // Kaggle's sales_data_sample.csv: Latin-1 names with an accented letter before a comma, which
    // is no GB18030 at all, and one between letters, which GB18030 would misread as a CJK character.
    let dir = tempfile::tempdir().unwrap();
    let content =
        "CUSTOMERNAME,SALES,CONTACTLASTNAME\r\nDaedalus Designs Imports,2497.77,Rancé\r\nAssociés Ltd,100,Müller\r\n";
    let (latin, _, unmappable) = encoding_rs::WINDOWS_1252.encode(content);
    assert!(!unmappable);
    let path = write_file(dir.path(), "sales_data_sample.csv", &latin);
    let (source, rows) = open_rows(&path);
    assert_eq!(source.encoding(), Some("windows-1252"));
    assert_eq!(rows[1][2], text("Rancé"));
    assert_eq!(rows[2], vec![text("Associés Ltd"), text("100"), text("Müller")]);
}

#[test]
fn csv_utf16le_with_bom_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "客户编号\t消费金额\r\nC01\t12.5\r\n".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let path = write_file(dir.path(), "unicode.txt", &bytes);
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Tsv);
    assert_eq!(rows, vec![vec![text("客户编号"), text("消费金额")], vec![text("C01"), text("12.5")]]);
}

#[test]
fn tsv_is_detected_from_tabs_even_with_commas_in_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "x.xls", "商品\t备注\n杯子\t红色, 大号\n".as_bytes());
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Tsv);
    assert_eq!(rows[1], vec![text("杯子"), text("红色, 大号")]);
}

#[test]
fn semicolon_csv_from_european_excel() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "semi.csv", b"id;name;amount\n1;\"a,b\";12,50\n2;c;3\n");
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Csv);
    assert_eq!(rows[1], vec![text("1"), text("a,b"), text("12,50")]);
}

#[test]
fn csv_quoted_newline_stays_in_one_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "q.csv", "订单号,地址\n1,\"北京市\n朝阳区\"\n2,上海\n".as_bytes());
    let (_, rows) = open_rows(&path);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], vec![text("1"), text("北京市\n朝阳区")]);
    assert_eq!(rows[2], vec![text("2"), text("上海")]);
}

#[test]
fn csv_title_row_and_blank_lines_keep_excel_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "t.csv", "订单导出 2025年3月\n\n订单号,金额\n1,\"a\nb\"\n\n2,3\n,,\n".as_bytes());
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Csv);
    assert_eq!(
        rows,
        vec![
            vec![text("订单导出 2025年3月")],
            vec![],
            vec![text("订单号"), text("金额")],
            vec![text("1"), text("a\nb")],
            vec![],
            vec![text("2"), text("3")],
            vec![],
        ]
    );
}

#[test]
fn csv_giant_cell_is_refused_with_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = "订单号,备注\n1,ok\n2,".to_owned();
    content.push_str(&"很".repeat(MAX_CELL_BYTES / 3 + 1));
    content.push('\n');
    let path = write_file(dir.path(), "big.csv", content.as_bytes());
    let mut source = Source::open(&path).unwrap();
    let err = source.for_each_row("big", &mut |_, _| Ok(true)).unwrap_err();
    assert!(matches!(err, Error::CellTooLarge { row: 3, .. }), "{err:?}");
}

#[test]
fn csv_unclosed_quote_in_huge_file_stops_instead_of_filling_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runaway.csv");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(b"a,b\n1,\"").unwrap();
    let line = "x".repeat(1023) + "\n";
    for _ in 0..(70 * 1024) {
        file.write_all(line.as_bytes()).unwrap();
    }
    drop(file);
    let mut source = Source::open(&path).unwrap();
    let err = source.for_each_row("runaway", &mut |_, _| Ok(true)).unwrap_err();
    // A record that never ends is a damaged file (an unclosed quote), not "a huge cell".
    match &err {
        Error::Corrupt { detail, .. } => assert!(detail.contains("第 2 行") && detail.contains("引号"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn html_table_saved_as_xls_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
        <style>td { mso-number-format:'\\@'; }</style></head><body>\
        <table border=1><tr><th>订单号</th><th>买家昵称</th><th>实付金额</th></tr>\
        <tr><td>3705123456789012345</td><td>A&amp;B 小店</td><td>&yen;128.50</td></tr>\
        <tr><td>3705123456789012346</td><td>&nbsp;</td><td>66</td></tr></table></body></html>";
    let (gbk, _, _) = encoding_rs::GBK.encode(html);
    let path = write_file(dir.path(), "导出.xls", &gbk);
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Html);
    assert_eq!(source.sheet_names(), ["导出"]);
    assert_eq!(
        rows,
        vec![
            vec![text("订单号"), text("买家昵称"), text("实付金额")],
            vec![text("3705123456789012345"), text("A&B 小店"), text("¥128.50")],
            vec![text("3705123456789012346"), Cell::Empty, text("66")],
        ]
    );
}

#[test]
fn html_page_without_table_is_not_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "login.xls", b"<!DOCTYPE html><html><body>please log in</body></html>");
    let err = Source::open(&path).err().unwrap();
    assert!(matches!(err, Error::NotSpreadsheet { .. }), "{err:?}");
}

#[test]
fn empty_file_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "empty.xlsx", b"");
    assert!(matches!(Source::open(&path), Err(Error::EmptyFile { .. })));
}

#[test]
fn whitespace_only_file_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let small = write_file(dir.path(), "blank.csv", b" \r\n\t\n  ");
    assert!(matches!(Source::open(&small), Err(Error::EmptyFile { .. })));
    let bom = write_file(dir.path(), "bom.csv", "\u{FEFF}\n\n".as_bytes());
    assert!(matches!(Source::open(&bom), Err(Error::EmptyFile { .. })));
    let large = write_file(dir.path(), "large.csv", &vec![b' '; HEAD_LEN * 2 + 7]);
    assert!(matches!(Source::open(&large), Err(Error::EmptyFile { .. })));
}

#[test]
fn random_bytes_are_not_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    // A fixed pseudo-random sequence (xorshift) so the test is deterministic.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let path = write_file(dir.path(), "orders.xlsx", &bytes);
    let err = Source::open(&path).err().unwrap();
    assert!(matches!(err, Error::NotSpreadsheet { .. }), "{err:?}");
    assert_eq!(err.path(), Some(path.as_path()));
}

#[test]
fn pdf_picked_by_mistake_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "订单.pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
    match Source::open(&path) {
        Err(Error::NotSpreadsheet { detail, .. }) => assert!(detail.contains("PDF")),
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn truncated_ole2_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(xls_fixture()).unwrap();
    let path = write_file(dir.path(), "cut.xls", &bytes[..bytes.len() / 3]);
    let err = Source::open(&path).err().unwrap();
    assert!(matches!(err, Error::Corrupt { .. } | Error::NotSpreadsheet { .. }), "{err:?}");
}

#[test]
fn unknown_sheet_is_sheet_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "a.csv", b"a,b\n");
    let mut source = Source::open(&path).unwrap();
    let err = source.for_each_row("Sheet9", &mut |_, _| Ok(true)).unwrap_err();
    assert!(matches!(err, Error::SheetNotFound { .. }));
}

#[test]
fn for_each_row_stops_when_callback_says_so_and_head_returns_first_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    write_orders_xlsx(&path);
    let mut source = Source::open(&path).unwrap();
    let mut seen = 0;
    source
        .for_each_row("订单列表", &mut |_, _| {
            seen += 1;
            Ok(seen < 2)
        })
        .unwrap();
    assert_eq!(seen, 2);
    let head = source.head("订单列表", 3).unwrap();
    assert_eq!(head.len(), 3);
    assert_eq!(head[1], Vec::<Cell>::new());
    assert_eq!(head[2][0], text("订单号"));

    let csv = write_file(dir.path(), "c.csv", b"a\nb\nc\nd\n");
    let mut source = Source::open(&csv).unwrap();
    assert_eq!(source.head("c", 2).unwrap(), vec![vec![text("a")], vec![text("b")]]);
    assert!(source.head("c", 0).unwrap().is_empty());
}

#[test]
fn callback_error_is_passed_through() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "a.csv", b"a\nb\n");
    let mut source = Source::open(&path).unwrap();
    let err = source.for_each_row("a", &mut |_, _| Err(Error::Cancelled)).unwrap_err();
    assert!(matches!(err, Error::Cancelled));
}

#[test]
fn csv_row_count_hint_is_near_the_real_count() {
    let dir = tempfile::tempdir().unwrap();
    let content: String = (0..1000).map(|i| format!("{i},买家{i},12.50\n")).collect();
    let path = write_file(dir.path(), "n.csv", content.as_bytes());
    let source = Source::open(&path).unwrap();
    let hint = source.row_count_hint("n").unwrap();
    assert!((900..=1100).contains(&hint), "{hint}");
    assert_eq!(source.row_count_hint("other"), None);
}

#[test]
fn sniff_tells_formats_apart_from_bytes() {
    assert_eq!(sniff(&xlsx_bytes()), Ok(Format::Xlsx));
    assert_eq!(sniff(&ods_bytes()), Ok(Format::Ods));
    assert_eq!(sniff(&std::fs::read(xls_fixture()).unwrap()), Ok(Format::Xls));
    assert_eq!(sniff(b"<table><tr><td>1</td></tr></table>"), Ok(Format::Html));
    assert_eq!(sniff(b"\xEF\xBB\xBF  <!DOCTYPE html><html>"), Ok(Format::Html));
    assert_eq!(sniff(b"<?xml version=\"1.0\"?><html><table>"), Ok(Format::Html));
    assert!(matches!(
        sniff(b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"),
        Err(SniffError::NotSpreadsheet(_))
    ));
    assert_eq!(sniff(b""), Err(SniffError::Empty));
    assert_eq!(sniff(b"\n \t"), Err(SniffError::Empty));
    assert!(matches!(sniff(b"PK\x03\x04garbage"), Err(SniffError::Corrupt(_))));
}

#[test]
fn sniff_delimiter_ignores_title_rows_and_quoted_delimiters() {
    assert_eq!(sniff("订单导出 2025-03\n订单号;备注;金额\n1;\"a,b,c,d\";2\n3;x;4\n".as_bytes()), Ok(Format::Csv));
    assert_eq!(sniff::sniff_delimiter("订单导出\n订单号;备注;金额\n1;\"a,b,c,d\";2\n3;x;4\n"), b';');
    assert_eq!(sniff::sniff_delimiter("a,b\n\"x\ny\",z\n"), b',');
    assert_eq!(sniff::sniff_delimiter("only one column\nvalue\n"), b',');
    assert_eq!(sniff::sniff_delimiter("a|b|c\n1|2|3\n"), b'|');
}

proptest! {
    // 200 cases by default; PROPTEST_CASES=20000 for a longer fuzzing session.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200)
    ))]

    #[test]
    fn sniff_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = sniff(&bytes);
    }

    #[test]
    fn open_and_read_never_panic_on_arbitrary_text(s in "[a-z0-9,;\t\"\n\r <>&#;/]{0,400}") {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(dir.path(), "fuzz.xls", s.as_bytes());
        if let Ok(mut source) = Source::open(&path) {
            let sheet = source.sheet_names()[0].clone();
            let _ = source.for_each_row(&sheet, &mut |_, _| Ok(true));
        }
    }

    #[test]
    fn damaged_workbooks_never_panic(
        which in 0usize..4,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = match which {
            0 => xlsx_bytes(),
            1 => ods_bytes(),
            // Uncompressed entries, so damage reaches calamine's XML parsers, not only inflate.
            2 => stored_xlsx_bytes(),
            _ => std::fs::read(xls_fixture()).unwrap(),
        };
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(dir.path(), "damaged.xlsx", &bytes);
        if let Ok(mut source) = Source::open(&path) {
            for sheet in source.sheet_names().to_vec() {
                let _ = source.for_each_row(&sheet, &mut |_, _| Ok(true));
            }
        }
    }
}

#[test]
fn csv_crlf_blank_lines_keep_excel_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "w.csv", "\r\n标题\r\n\r\n订单号,备注\r\n1,\"a\r\nb\"\r\n\r\n2,x\r\n".as_bytes());
    let (_, rows) = open_rows(&path);
    assert_eq!(
        rows,
        vec![
            vec![],
            vec![text("标题")],
            vec![],
            vec![text("订单号"), text("备注")],
            vec![text("1"), text("a\r\nb")],
            vec![],
            vec![text("2"), text("x")],
        ]
    );
}

#[test]
fn source_can_move_to_a_worker_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Source>();
}

#[test]
fn xlsx_inline_strings_from_streaming_writers_are_read() {
    // Constant-memory writers (rust_xlsxwriter, POI's SXSSF) write inline strings, not shared ones.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inline.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory().unwrap();
    sheet.write_string(0, 0, "买家ID").unwrap();
    sheet.write_string(0, 1, "实付金额").unwrap();
    sheet.write_string(1, 0, "o_1").unwrap();
    sheet.write_number(1, 1, 9.9).unwrap();
    workbook.save(&path).unwrap();
    let (_, rows) = open_rows(&path);
    assert_eq!(rows, vec![vec![text("买家ID"), text("实付金额")], vec![text("o_1"), Cell::Number(9.9)]]);
}

#[test]
fn html_gbk_without_charset_is_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode("<table><tr><td>买家昵称</td></tr><tr><td>张三</td></tr></table>");
    let path = write_file(dir.path(), "nocharset.xls", &gbk);
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Html);
    assert_eq!(rows, vec![vec![text("买家昵称")], vec![text("张三")]]);
}

#[test]
fn html_giant_cell_is_refused_with_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let html = format!("<table><tr><td>备注</td></tr><tr><td>{}</td></tr></table>", "x".repeat(MAX_CELL_BYTES + 1));
    let path = write_file(dir.path(), "big.html", html.as_bytes());
    let mut source = Source::open(&path).unwrap();
    let err = source.for_each_row("big", &mut |_, _| Ok(true)).unwrap_err();
    assert!(matches!(err, Error::CellTooLarge { row: 2, .. }), "{err:?}");
}

#[test]
fn zip_of_exports_asks_to_unzip_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("订单导出/orders.xlsx", stored).unwrap();
    out.write_all(&xlsx_bytes()).unwrap();
    let path = write_file(dir.path(), "导出.zip", &out.finish().unwrap().into_inner());
    match Source::open(&path) {
        Err(Error::NotSpreadsheet { detail, .. }) => assert!(detail.contains("解压"), "{detail}"),
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn csv_excel_sep_hint_line_sets_delimiter_and_is_not_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "sep.csv", b"sep=;\r\nid;note\r\n1;a,b,c\r\n");
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Csv);
    assert_eq!(rows, vec![vec![text("id"), text("note")], vec![text("1"), text("a,b,c")]]);
}

#[test]
fn csv_gbk_after_a_long_ascii_start_is_still_decoded() {
    // English headers and ASCII-only rows fill the sniffed head; the first Chinese text comes later.
    let dir = tempfile::tempdir().unwrap();
    let mut content = "order_id,buyer,amount\n".to_owned();
    for i in 0..20_000 {
        content.push_str(&format!("{i:019},buyer_{i},12.50\n"));
    }
    content.push_str("99,张三,8.00\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&content);
    assert!(gbk.len() > HEAD_LEN);
    let path = write_file(dir.path(), "late.csv", &gbk);
    let (source, rows) = open_rows(&path);
    assert_eq!(source.encoding(), Some("gb18030"));
    assert_eq!(rows.last().unwrap(), &vec![text("99"), text("张三"), text("8.00")]);
}

#[test]
fn csv_utf16_without_bom_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let content = "客户编号,消费金额\r\nC01,12.5\r\n";
    let le: Vec<u8> = content.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = content.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for bytes in [le, be] {
        let path = write_file(dir.path(), "nobom.csv", &bytes);
        let (_, rows) = open_rows(&path);
        assert_eq!(rows, vec![vec![text("客户编号"), text("消费金额")], vec![text("C01"), text("12.5")]]);
    }
}

#[test]
fn csv_stray_nul_byte_does_not_reject_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = b"buyer,amount\n".to_vec();
    for i in 0..50 {
        content.extend_from_slice(format!("b{i},1\n").as_bytes());
    }
    content.extend_from_slice(b"x\0y,2\n");
    let path = write_file(dir.path(), "nul.csv", &content);
    let (_, rows) = open_rows(&path);
    assert_eq!(rows.last().unwrap(), &vec![text("x\0y"), text("2")]);
}

/// Reads every file of a corpus of real exports (`TIERBOOK_SOURCE_CORPUS=/dir cargo test -p
/// tierbook-core -- --ignored corpus`) and prints what each gave: a smoke test for files that
/// cannot be committed (customer data, third-party fixtures). Fails only if reading panics.
#[test]
#[ignore = "needs TIERBOOK_SOURCE_CORPUS"]
fn corpus_of_real_exports_reads_or_explains() {
    let Ok(dir) = std::env::var("TIERBOOK_SOURCE_CORPUS") else {
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        match Source::open(&path) {
            Ok(mut source) => {
                for sheet in source.sheet_names().to_vec() {
                    let mut rows = 0usize;
                    let mut first = Vec::new();
                    // TIERBOOK_SOURCE_DUMP=/dir writes every row as JSON lines, to diff against
                    // another reader (openpyxl, Python's csv).
                    let mut dump = std::env::var("TIERBOOK_SOURCE_DUMP").ok().map(|d| {
                        let name = format!("{}.{sheet}.jsonl", path.file_name().unwrap().to_string_lossy());
                        std::io::BufWriter::new(std::fs::File::create(Path::new(&d).join(name)).unwrap())
                    });
                    let result = source.for_each_row(&sheet, &mut |_, cells| {
                        if rows < 3 {
                            first.push(cells.to_vec());
                        }
                        rows += 1;
                        if let Some(out) = &mut dump {
                            let json: Vec<serde_json::Value> = cells
                                .iter()
                                .map(|c| match c {
                                    Cell::Empty => serde_json::Value::Null,
                                    Cell::Text(t) | Cell::Error(t) => t.clone().into(),
                                    Cell::Number(x) => (*x).into(),
                                    Cell::Bool(b) => (*b).into(),
                                    Cell::DateTime(d) => d.to_string().into(),
                                })
                                .collect();
                            writeln!(out, "{}", serde_json::Value::from(json)).unwrap();
                        }
                        Ok(true)
                    });
                    println!(
                        "{} [{:?}] {sheet}: {rows} rows, hint {:?}, {:?} {:?}",
                        path.display(),
                        source.format,
                        source.row_count_hint(&sheet),
                        result.err().map(|e| e.to_string()),
                        first
                    );
                }
            }
            Err(e) => println!("{}: {} ({})", path.display(), e, e.code()),
        }
    }
}

/// An OLE2 container whose directory names the given streams (the rest is not a valid workbook).
fn ole2_with_stream_names(names: &[&str]) -> Vec<u8> {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(512, 0);
    for name in names {
        let mut entry: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        entry.resize(128, 0);
        bytes.extend_from_slice(&entry);
    }
    bytes.resize(4096, 0);
    bytes
}

#[test]
fn password_protected_workbook_says_remove_the_password() {
    // Excel saves an xlsx with an opening password as an OLE2 file holding "EncryptedPackage".
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "订单.xlsx", &ole2_with_stream_names(&["EncryptionInfo", "EncryptedPackage"]));
    let err = Source::open(&path).err().unwrap();
    assert_eq!(err.code(), "encrypted", "{err:?}");
    assert!(err.to_string().contains("密码"));
}

#[test]
fn word_97_document_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "订单.xls", &ole2_with_stream_names(&["WordDocument", "1Table"]));
    match Source::open(&path) {
        Err(Error::NotSpreadsheet { detail, .. }) => assert!(detail.contains("Word"), "{detail}"),
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn password_protected_ods_says_remove_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "客户.ods", &ods_bytes_with(true));
    let err = Source::open(&path).err().unwrap();
    assert_eq!(err.code(), "encrypted", "{err:?}");
}

/// Found by `damaged_workbooks_never_panic`: a Dimensions record claiming billions of rows made
/// calamine reserve ~100 GB and abort the process. The sheet must be refused as damaged instead.
#[test]
fn xls_with_impossible_sheet_dimensions_is_corrupt_not_an_abort() {
    let mut bytes = std::fs::read(xls_fixture()).unwrap();
    let record = bytes.windows(4).position(|w| w == [0x00, 0x02, 0x0E, 0x00]).expect("a Dimensions record");
    // rwMic = 0, rwMac = 3,000,000,000 rows; columns as they were.
    bytes[record + 4..record + 8].copy_from_slice(&0u32.to_le_bytes());
    bytes[record + 8..record + 12].copy_from_slice(&3_000_000_000u32.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "damaged.xls", &bytes);
    let err = Source::open(&path).err().expect("refused");
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("damaged.xls"), "{err}");

    // A first row past the last one wraps around inside calamine: refused too.
    bytes[record + 4..record + 8].copy_from_slice(&70u32.to_le_bytes());
    bytes[record + 8..record + 12].copy_from_slice(&5u32.to_le_bytes());
    let path = write_file(dir.path(), "wrapped.xls", &bytes);
    assert!(matches!(Source::open(&path), Err(Error::Corrupt { .. })));
}

#[test]
fn text_table_aligned_with_spaces_splits_on_runs_of_whitespace() {
    let dir = tempfile::tempdir().unwrap();
    // CDNOW_master.txt as shipped with the `lifetimes` package: a leading space, runs of spaces.
    let body = " customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n 00002 19970112  1   12.00\n\n 00002 19970112  5   77.00\n";
    let path = write_file(dir.path(), "CDNOW_master.txt", body.as_bytes());
    let (source, rows) = open_rows(&path);
    assert_eq!(source.format, Format::Csv);
    assert_eq!(rows[0], vec![text("customer_id"), text("date"), text("number_of_cds"), text("dollar_value")]);
    assert_eq!(rows[1], vec![text("00001"), text("19970101"), text("1"), text("11.77")]);
    assert!(rows[3].iter().all(|c| matches!(c, Cell::Empty)), "a blank line stays a row: {:?}", rows[3]);
    assert_eq!(rows[4][3], text("77.00"));
    // A one-column list with spaces inside its values is not a space-aligned table.
    assert_eq!(sniff::sniff_delimiter("only one column\nvalue\n"), b',');
}

/// A fuzz finding kept in `tests/fuzz_regressions/` (see /work/fuzz-findings/README on the
/// fuzzing branch): opened and read whole, it must give an error, never hang or abort.
fn fuzz_finding(name: &str) -> Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(name);
    let mut source = Source::open(&path)?;
    for sheet in source.sheet_names().to_vec() {
        source.for_each_row(&sheet, &mut |_, _| Ok(true))?;
    }
    Ok(())
}

#[test]
fn ods_cut_inside_table_is_an_error_not_a_hang() {
    let err = fuzz_finding("open_ods-cut-inside-table-hang.ods").unwrap_err();
    assert!(matches!(&err, Error::Corrupt { detail, .. } if detail.contains("中途")), "{err:?}");
}

/// The minimal ods with `content.xml`'s closing table tag replaced by `end` (fuzz finding
/// ods-unclosed-element-hang, as the recorded open_ods runs met it again).
fn ods_with_table_end(end: &str) -> Vec<u8> {
    let content = ODS_CONTENT.replace("</table:table></office:spreadsheet>", &format!("{end}</office:spreadsheet>"));
    assert_ne!(content, ODS_CONTENT);
    ods_zip(&content, false)
}

#[test]
fn ods_with_a_misspelled_or_malformed_table_end_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    for (name, end) in [
        ("misspelled.ods", "</table:tajle>"),
        ("short.ods", "</table:t a=1>"),
        ("attributes.ods", r#"</table:table office:boolean-value="true">"#),
    ] {
        let path = write_file(dir.path(), name, &ods_with_table_end(end));
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = path.clone();
        std::thread::spawn(move || {
            let result = Source::open(&reader).and_then(|mut source| {
                for sheet in source.sheet_names().to_vec() {
                    source.for_each_row(&sheet, &mut |_, _| Ok(true))?;
                }
                Ok(())
            });
            let _ = tx.send(result);
        });
        let result = rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap_or_else(|_| panic!("{name}: a hang"));
        let err = result.expect_err(name);
        assert_eq!(err.code(), "corrupt", "{name}: {err:?}");
    }
}

#[test]
fn xls_cyclic_directory_chain_is_an_error_not_an_oom() {
    let err = fuzz_finding("open_any-xls-cyclic-directory-chain-oom.xls").unwrap_err();
    assert_eq!(err.code(), "corrupt", "{err:?}");
}

#[test]
fn xlsx_rows_out_of_order_are_refused_not_misnumbered() {
    let err = fuzz_finding("open_xlsx-rows-out-of-order.xlsx").unwrap_err();
    assert!(matches!(&err, Error::Corrupt { detail, .. } if detail.contains("顺序")), "{err:?}");
}

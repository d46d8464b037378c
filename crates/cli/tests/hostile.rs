//! Hostile files: each test builds one class of small file that once crashed, hung or ate memory
//! (issue 9), runs the real `tierbook` binary on it as a child process, and asserts what a user
//! needs: a clear message or a correct import, no abort (exit 134) or signal, the child's peak
//! memory under a bound (its `ru_maxrss` from `wait4`), no output left behind, and the input
//! byte-identical afterwards. The child runs under a 4 GB address-space limit so a regression fails
//! the test instead of taking the machine's memory, and is killed after 60 s (a hang guard, not a
//! timing assertion).
//!
//! Index: `xlsx_*` (zip parts by hand), `xls_*` (BIFF8 records in a cfb container), `ods_*`,
//! `html_*`, `text_*`.
#![cfg(target_os = "linux")]

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a child run came to.
struct Run {
    /// Exit code, or `None` when a signal ended it.
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    /// Peak resident memory in MB.
    peak_mb: u64,
}

const HANG_GUARD: Duration = Duration::from_secs(60);
/// The bar of issue 9: never over 1 GB.
const MAX_PEAK_MB: u64 = 1024;

/// Runs `tierbook args`, measuring the child's peak RSS with `wait4`.
fn tierbook(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_tierbook"));
    command
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: 4 << 30, rlim_max: 4 << 30 };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    // Reaped below by wait4, which also gives its rusage (std's wait does not).
    #[allow(clippy::zombie_processes)]
    let child = command.spawn().expect("run tierbook");
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let mut status = 0;
    // SAFETY: plain libc calls on our own child's pid; `rusage` is written by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if done == pid {
            break;
        }
        if started.elapsed() > HANG_GUARD {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            panic!("tierbook {args:?} still running after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else {
        (None, libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)))
    };
    Run {
        code,
        signal,
        stdout: std::fs::read_to_string(out).unwrap_or_default(),
        stderr: std::fs::read_to_string(err).unwrap_or_default(),
        peak_mb: (usage.ru_maxrss as u64) / 1024,
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `inspect` and `classify` on `file` and checks the bars every hostile file must meet;
/// returns the classify run for the test's own assertions.
fn assert_harmless(file: &Path) -> Run {
    let before = std::fs::read(file).unwrap();
    let dir = file.parent().unwrap();
    let out = dir.join("分层结果.xlsx");
    let inspect = tierbook(&["inspect", s(file)]);
    check_bars("inspect", &inspect);
    let classify = tierbook(&["classify", s(file), "--out", s(&out)]);
    check_bars("classify", &classify);
    if classify.code != Some(0) {
        assert!(!out.exists(), "a failed classify left {out:?}");
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(classify.stderr.contains(name), "the message does not name the file: {}", classify.stderr);
    }
    assert!(std::fs::read(file).unwrap() == before, "the input changed");
    classify
}

fn check_bars(what: &str, run: &Run) {
    assert_eq!(run.signal, None, "{what} died by a signal: {}", run.stderr);
    assert_ne!(run.code, Some(134), "{what} aborted: {}", run.stderr);
    assert!(matches!(run.code, Some(0 | 2)), "{what} exit {:?}: {}", run.code, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{what} panicked: {}", run.stderr);
    assert!(run.peak_mb < MAX_PEAK_MB, "{what} peaked at {} MB", run.peak_mb);
}

fn assert_refused(run: &Run, needle: &str) {
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains(needle), "expected “{needle}” in: {}", run.stderr);
}

const HEADER: [&str; 4] = ["订单号", "买家ID", "下单时间", "实付金额"];

// ---------------------------------------------------------------------------------------------
// xlsx, by hand

/// An xlsx with `sheets` (name, part) over `parts` (path, xml), plus shared strings.
fn xlsx(path: &Path, sheets: &[(&str, &str)], parts: &[(&str, Vec<u8>)], shared: Option<Vec<u8>>) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    };
    put(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
    );
    put(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    let mut workbook = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, (name, part)) in sheets.iter().enumerate() {
        workbook.push_str(&format!(r#"<sheet name="{name}" sheetId="{}" r:id="rId{}"/>"#, i + 1, i + 1));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{part}"/>"#,
            i + 1
        ));
    }
    workbook.push_str("</sheets></workbook>");
    if shared.is_some() {
        rels.push_str(r#"<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#);
    }
    rels.push_str("</Relationships>");
    put("xl/workbook.xml", workbook.as_bytes());
    put("xl/_rels/workbook.xml.rels", rels.as_bytes());
    if let Some(shared) = shared {
        put("xl/sharedStrings.xml", &shared);
    }
    for (name, xml) in parts {
        put(name, xml);
    }
    zip.finish().unwrap();
}

/// Shared strings: the header, then `extra`; `unique_count` as declared.
fn shared_strings(extra: &[String], unique_count: u64) -> Vec<u8> {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{unique_count}" uniqueCount="{unique_count}">"#
    );
    for text in HEADER.iter().map(|h| h.to_string()).chain(extra.iter().cloned()) {
        xml.push_str(&format!("<si><t>{text}</t></si>"));
    }
    xml.push_str("</sst>");
    xml.into_bytes()
}

/// A sheet: the header row (shared strings 0–3), then `rows` order rows whose buyer cell is
/// shared string `buyer(i)`.
fn order_sheet(rows: usize, buyer: impl Fn(usize) -> usize) -> Vec<u8> {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>"#,
    );
    for i in 0..rows {
        let r = i + 2;
        xml.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>{}</v></c><c r="B{r}" t="s"><v>{}</v></c><c r="C{r}"><v>{}</v></c><c r="D{r}"><v>{}</v></c></row>"#,
            100_000 + i,
            buyer(i),
            45_000 + (i % 300),
            10 + i % 90
        ));
    }
    xml.push_str("</sheetData></worksheet>");
    xml.into_bytes()
}

#[test]
fn xlsx_shared_strings_declaring_two_billion_entries_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("声明二十亿字符串.xlsx");
    let sheet = order_sheet(3, |_| 4);
    xlsx(
        &file,
        &[("订单", "worksheets/sheet1.xml")],
        &[("xl/worksheets/sheet1.xml", sheet)],
        Some(shared_strings(&["买家".to_owned()], 1 << 31)),
    );
    let run = assert_harmless(&file);
    assert_refused(&run, "共享字符串表声明有 2147483648 个字符串");
}

#[test]
fn xlsx_cells_sharing_one_megabyte_string_stay_bounded() {
    // 16,000 cells that each refer to the same 1 MB shared string: 16 GB if copied per cell.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("共享长字符串.xlsx");
    let sheet = order_sheet(16_000, |_| 4);
    xlsx(
        &file,
        &[("订单", "worksheets/sheet1.xml")],
        &[("xl/worksheets/sheet1.xml", sheet)],
        Some(shared_strings(&["买".repeat(330_000)], 5)),
    );
    assert!(std::fs::metadata(&file).unwrap().len() < 1 << 20);
    let run = assert_harmless(&file);
    assert_refused(&run, "超出了 TierBook 能安全读取的范围");
}

#[test]
fn xlsx_many_cells_over_few_tiny_shared_strings_import_within_memory() {
    // 300,000 order rows over ten buyers: a few MB of zip, 1.2 million cells.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("少量字符串多单元格.xlsx");
    let buyers: Vec<String> = (0..10).map(|i| format!("买家{i}")).collect();
    let sheet = order_sheet(300_000, |i| 4 + i % 10);
    xlsx(
        &file,
        &[("订单", "worksheets/sheet1.xml")],
        &[("xl/worksheets/sheet1.xml", sheet)],
        Some(shared_strings(&buyers, 14)),
    );
    let run = assert_harmless(&file);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn xlsx_forty_sheets_over_one_part_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("四十个工作表同一数据.xlsx");
    let names: Vec<String> = (1..=40).map(|i| format!("订单{i}")).collect();
    let sheets: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "worksheets/sheet1.xml")).collect();
    let buyers: Vec<String> = (0..50).map(|i| format!("买家{i}")).collect();
    xlsx(
        &file,
        &sheets,
        &[("xl/worksheets/sheet1.xml", order_sheet(2_000, |i| 4 + i % 50))],
        Some(shared_strings(&buyers, 54)),
    );
    let run = assert_harmless(&file);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // Read once: 2,000 orders, not 80,000 (or 2,000 plus 78,000 duplicates).
    assert!(run.stdout.contains("2000") || run.stdout.contains("2,000"), "{}", run.stdout);
    assert!(!run.stdout.contains("80000") && !run.stdout.contains("80,000"), "{}", run.stdout);
}

#[test]
fn xlsx_part_that_inflates_a_thousandfold_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("压缩炸弹.xlsx");
    let mut sheet = order_sheet(3, |_| 4);
    // 40 MB of whitespace before the end tag: ~1000:1 in deflate.
    let tail = sheet.split_off(sheet.len() - "</worksheet>".len());
    sheet.resize(sheet.len() + (40 << 20), b' ');
    sheet.extend_from_slice(&tail);
    xlsx(
        &file,
        &[("订单", "worksheets/sheet1.xml")],
        &[("xl/worksheets/sheet1.xml", sheet)],
        Some(shared_strings(&["买家".to_owned()], 5)),
    );
    let run = assert_harmless(&file);
    assert_refused(&run, "压缩比");
}

// ---------------------------------------------------------------------------------------------
// xls, BIFF8 records in a cfb container

fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = typ.to_le_bytes().to_vec();
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
    out
}

fn bof(dt: u16) -> Vec<u8> {
    let mut data = vec![0u8; 16];
    data[..2].copy_from_slice(&0x0600u16.to_le_bytes());
    data[2..4].copy_from_slice(&dt.to_le_bytes());
    record(0x0809, &data)
}

/// An xls with one sheet "订单" whose records are `sheet`, and `globals` (e.g. an SST) in the
/// workbook globals.
fn xls(path: &Path, globals: &[Vec<u8>], sheet: &[Vec<u8>]) {
    let name: Vec<u8> = "订单".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let boundsheet_len = 4 + 8 + name.len();
    let mut head = bof(0x0005);
    head.extend(record(0x0042, &1200u16.to_le_bytes())); // CODEPAGE: UTF-16
    let globals_len: usize = globals.iter().map(Vec::len).sum();
    let sheet_at = head.len() + boundsheet_len + globals_len + 4;
    let mut boundsheet = (sheet_at as u32).to_le_bytes().to_vec();
    boundsheet.extend_from_slice(&[0, 0, 2, 1]);
    boundsheet.extend_from_slice(&name);
    let mut stream = head;
    stream.extend(record(0x0085, &boundsheet));
    for r in globals {
        stream.extend_from_slice(r);
    }
    stream.extend(record(0x000A, &[]));
    assert_eq!(stream.len(), sheet_at);
    stream.extend(bof(0x0010));
    for r in sheet {
        stream.extend_from_slice(r);
    }
    stream.extend(record(0x000A, &[]));
    // Version 3 (512-byte sectors), what Excel writes: calamine's own reader refuses a version-4
    // file whose root holds no mini stream, so a version-4 file would never reach calamine's parser.
    let file = std::fs::File::create(path).unwrap();
    let mut compound = cfb::CompoundFile::create_with_version(cfb::Version::V3, file).unwrap();
    let mut workbook = compound.create_stream("/Workbook").unwrap();
    workbook.write_all(&stream).unwrap();
    workbook.flush().unwrap();
    drop(workbook);
    compound.flush().unwrap();
}

fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut data = row.to_le_bytes().to_vec();
    data.extend_from_slice(&col.to_le_bytes());
    data.extend_from_slice(&0u16.to_le_bytes());
    data.extend_from_slice(&value.to_le_bytes());
    record(0x0203, &data)
}

fn label_sst(row: u16, col: u16, index: u32) -> Vec<u8> {
    let mut data = row.to_le_bytes().to_vec();
    data.extend_from_slice(&col.to_le_bytes());
    data.extend_from_slice(&0u16.to_le_bytes());
    data.extend_from_slice(&index.to_le_bytes());
    record(0x00FD, &data)
}

#[test]
fn xls_ten_byte_dimensions_of_65535_by_65535_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("十字节尺寸.xls");
    let mut dims = Vec::new();
    for v in [0u16, 0xFFFF, 0, 0xFFFF, 0] {
        dims.extend_from_slice(&v.to_le_bytes());
    }
    xls(&file, &[], &[record(0x0200, &dims), number(0, 0, 1.0)]);
    let run = assert_harmless(&file);
    assert_refused(&run, "超出 xls 格式上限");
}

#[test]
fn xls_cells_at_opposite_corners_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("对角单元格.xls");
    xls(&file, &[], &[number(0, 0, 1.0), number(65_535, 65_535, 2.0)]);
    let run = assert_harmless(&file);
    assert_refused(&run, "单元格位置异常分散");
}

#[test]
fn xls_cells_sharing_one_long_sst_string_are_refused() {
    // One SST string of 65,535 UTF-16 units (over CONTINUE records), referred to by 16,000 cells.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("共享长字符串.xls");
    let chars: Vec<u8> = "买".repeat(65_535).encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut sst = Vec::new();
    let mut first = 1u32.to_le_bytes().to_vec();
    first.extend_from_slice(&1u32.to_le_bytes());
    first.extend_from_slice(&65_535u16.to_le_bytes());
    first.push(1);
    let mut rest = chars.as_slice();
    let take = 8_000;
    first.extend_from_slice(&rest[..take]);
    rest = &rest[take..];
    sst.push(record(0x00FC, &first));
    while !rest.is_empty() {
        let n = rest.len().min(8_000);
        let mut data = vec![1u8];
        data.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        sst.push(record(0x003C, &data));
    }
    let cells: Vec<Vec<u8>> = (0..16_000u16).map(|r| label_sst(r, 0, 0)).collect();
    xls(&file, &sst, &cells);
    let run = assert_harmless(&file);
    assert_refused(&run, "同一段长文字被大量单元格引用");
}

// ---------------------------------------------------------------------------------------------
// ods

fn ods(path: &Path, table: &str) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="订单">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

fn ods_header() -> String {
    let cells: String = HEADER
        .iter()
        .map(|h| format!(r#"<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>"#))
        .collect();
    format!("<table:table-row>{cells}</table:table-row>")
}

#[test]
fn ods_repeated_rows_and_columns_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("重复行列.ods");
    let table = format!(
        r#"{}<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#,
        ods_header()
    );
    ods(&file, &table);
    let run = assert_harmless(&file);
    assert_refused(&run, "ods 表格展开重复的行和列后");
}

#[test]
fn ods_two_billion_spaces_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("二十亿空格.ods");
    let table = format!(
        r#"{}<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/>b</text:p></table:table-cell></table:table-row>"#,
        ods_header()
    );
    ods(&file, &table);
    let run = assert_harmless(&file);
    assert_refused(&run, "文字超过");
}

// ---------------------------------------------------------------------------------------------
// HTML saved as .xls

fn html_file(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    let header: String = HEADER.iter().map(|h| format!("<th>{h}</th>")).collect();
    std::fs::write(&path, format!("<html><body><table><tr>{header}</tr>{body}</table></body></html>")).unwrap();
    path
}

#[test]
fn html_colspan_times_rowspan_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let spans = r#"<td colspan="1000" rowspan="100000">x</td>"#.repeat(20);
    let body = format!("<tr>{spans}</tr>{}", "<tr><td>y</td></tr>".repeat(50_000));
    let file = html_file(dir.path(), "合并炸弹.xls", &body);
    let run = assert_harmless(&file);
    assert_refused(&run, "合并单元格后超过");
}

#[test]
fn html_staircase_rowspans_stay_linear() {
    // Each row's first cell spans every row below: row k is pushed k cells to the right. A 1 MB
    // file once ran for minutes; now the budget stops it.
    let dir = tempfile::tempdir().unwrap();
    let body = r#"<tr><td rowspan="99999">a</td><td>b</td></tr>"#.repeat(25_000);
    let file = html_file(dir.path(), "阶梯合并.xls", &body);
    let run = assert_harmless(&file);
    assert_refused(&run, "合并单元格后超过");
}

// ---------------------------------------------------------------------------------------------
// text

#[test]
fn text_utf16_with_a_lone_surrogate_imports_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("孤立代理.csv");
    let mut units: Vec<u16> = vec![0xFEFF];
    units.extend("订单号,买家ID,下单时间,实付金额\n".encode_utf16());
    units.extend("A1,张".encode_utf16());
    units.push(0xD83D); // the first half of an emoji, cut off
    units.extend(",2024-03-01,20\nA2,李四,2024-03-02,30\n".encode_utf16());
    std::fs::write(&file, units.iter().flat_map(|u| u.to_le_bytes()).collect::<Vec<u8>>()).unwrap();
    let run = assert_harmless(&file);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains('�') || run.stderr.contains('�'),
        "no warning about replaced characters: {}",
        run.stdout
    );
}

#[test]
fn text_columns_past_excel_limit_import_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("两万列.csv");
    let wide = ",".repeat(20_000);
    let text = format!("订单号,买家ID,下单时间,实付金额\nA1,张三,2024-03-01,20{wide}x\nA2,李四,2024-03-02,30\n");
    std::fs::write(&file, text).unwrap();
    let run = assert_harmless(&file);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("16,384") || run.stderr.contains("16,384"), "no warning: {}", run.stdout);
}

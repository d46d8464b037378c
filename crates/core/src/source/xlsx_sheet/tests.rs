//! Differential tests: every xlsx read by the fast sheet reader and by calamine alone must give the
//! same rows, the same error and the same notes. Files come from the generator (every layout), the
//! fixtures and fuzz regressions the suites ship, and hand-written sheets for each quirk.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::generate::{self, GenerateOptions, Layout};
use crate::source::{Cell, Source};

type Rows = Vec<(usize, Vec<Cell>)>;

/// Everything a read hands out: rows, how it ended (error text), notes.
#[derive(Debug, PartialEq)]
struct Outcome {
    rows: Rows,
    end: Result<(), String>,
    notes: String,
}

fn read(path: &Path, calamine_only: bool, stop_after: usize) -> (Outcome, Option<bool>) {
    let mut source = match Source::open(path) {
        Ok(source) => source,
        Err(e) => return (Outcome { rows: Vec::new(), end: Err(format!("open: {e}")), notes: String::new() }, None),
    };
    source.set_calamine_only(calamine_only);
    let mut rows = Vec::new();
    let mut end = Ok(());
    for sheet in source.sheet_names().to_vec() {
        let read = source.for_each_row(&sheet, &mut |index, cells| {
            rows.push((index, cells.to_vec()));
            Ok(rows.len() < stop_after)
        });
        if let Err(e) = read {
            end = Err(format!("{}: {e}", e.code()));
            break;
        }
    }
    let fast = source.last_read_fast();
    (Outcome { rows, end, notes: format!("{:?}", source.notes()) }, fast)
}

/// Asserts both readers agree on `path`; returns whether the fast reader read it to the end.
fn same(path: &Path) -> Option<bool> {
    let (expected, calamine) = read(path, true, usize::MAX);
    assert_eq!(calamine, None, "calamine only means no fast read");
    let (got, fast) = read(path, false, usize::MAX);
    assert_eq!(got, expected, "{} differs", path.display());
    // A caller that stops early sees the same first rows.
    for stop in [1, 3] {
        assert_eq!(read(path, false, stop).0, read(path, true, stop).0, "{} stopping after {stop}", path.display());
    }
    fast
}

#[test]
fn generated_files_of_every_layout_read_the_same_and_fast() {
    let dir = tempfile::tempdir().unwrap();
    for layout in Layout::ALL {
        for (title_rows, quirks) in [(false, false), (true, true)] {
            let path = dir.path().join(format!("{layout:?}_{title_rows}.xlsx"));
            let options = GenerateOptions {
                layout,
                orders: 1500,
                title_rows,
                totals_row: title_rows,
                quirks,
                ..Default::default()
            };
            generate::generate(&path, &options).unwrap();
            assert_eq!(same(&path), Some(true), "{layout:?} should be read by the fast reader");
        }
    }
    let path = dir.path().join("sample.xlsx");
    generate::sample_workbook(&path).unwrap();
    assert_eq!(same(&path), Some(true));
}

#[test]
fn shipped_xlsx_files_read_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut found = 0;
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xlsx" || e == "xlsm") {
                same(&path);
                found += 1;
            }
        }
    }
    assert!(found >= 2, "the fuzz regressions ship xlsx files");
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts><fonts count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellXfs count="6"><xf numFmtId="0" fontId="0"/><xf numFmtId="14" fontId="0"/><xf numFmtId="164" fontId="0"><alignment horizontal="left"/></xf><xf numFmtId="165"/><xf numFmtId="2"/><xf/></cellXfs></styleSheet>"#;

/// A one-sheet xlsx (sheet named 订单) with `sheet_data` inside `<sheetData>`, the shared strings
/// `sst` (the `<si>` items), the styles above, and the 1904 flag.
fn xlsx(dir: &Path, name: &str, dimension: &str, sheet_data: &str, sst: Option<&str>, date1904: bool) -> PathBuf {
    let workbook_pr = if date1904 { r#"<workbookPr date1904="1"/>"# } else { "<workbookPr/>" };
    let mut parts: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
        ("xl/workbook.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{workbook_pr}<sheets><sheet name="订单" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned()),
        ("xl/styles.xml", STYLES.to_owned()),
        ("xl/worksheets/sheet1.xml", format!(r#"{SHEET_HEAD}{dimension}<sheetData>{sheet_data}</sheetData></worksheet>"#)),
    ];
    if let Some(sst) = sst {
        parts.push(("xl/sharedStrings.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{sst}</sst>"#)));
    }
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in parts {
        out.start_file(name, options).unwrap();
        out.write_all(&bytes_of(&text)).unwrap();
    }
    let path = dir.join(name);
    std::fs::write(&path, out.finish().unwrap().into_inner()).unwrap();
    path
}

/// Stands for a byte that is not UTF-8 (which a `str` cannot hold) in the parts `xlsx` writes.
const NOT_UTF8: &str = "<<NOT-UTF8>>";

fn bytes_of(text: &str) -> Vec<u8> {
    let mut pieces = text.split(NOT_UTF8);
    let mut out = pieces.next().unwrap_or_default().as_bytes().to_vec();
    for piece in pieces {
        out.push(0xFF);
        out.extend_from_slice(piece.as_bytes());
    }
    out
}

const SST: &str = r#"<si><t>plain</t></si><si><r><rPr><b/></rPr><t>rich </t></r><r><t xml:space="preserve"> run</t></r></si><si><t>东京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si><si><t>a_x000D_b &amp; &#x4E2D;</t></si><si/><si><t>  trimmed	</t></si><si><t>_xD83D__xDCF7_</t></si>"#;

#[test]
fn every_quirk_of_a_sheet_reads_the_same_and_fast() {
    let dir = tempfile::tempdir().unwrap();
    let data = concat!(
        // shared strings: plain, rich, phonetic, escapes, empty, trimmed, surrogate pair
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c><c r="G1" t="s"><v>6</v></c><c r="H1" t="s"><v></v></c></row>"#,
        // inline strings, rich inline, a formula with a cached string, with a cached number
        r#"<row r="2"><c r="A2" t="inlineStr"><is><t>内联 &lt;x&gt;</t></is></c><c r="B2" t="inlineStr"><is><r><t>r1</t></r><r><t>r2</t></r></is></c><c r="C2" t="str"><f>A1&amp;"x"</f><v>plain_x0041_x</v></c><c r="D2"><f>1+1</f><v>2</v></c><c r="E2" t="inlineStr"><v>ignored</v></c><c r="F2" t="d"><v>2025-03-05T14:22:10</v></c></row>"#,
        // booleans, errors, numbers as text, numbers, big ints, negative zero
        r#"<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v> false </v></c><c r="C3" t="e"><v>#N/A</v></c><c r="D3" t="e"><v>#DIV/0!</v></c><c r="E3"><v>12abc</v></c><c r="F3" t="n"><v>1.5e3</v></c><c r="G3"><v>3705123456789012345</v></c><c r="H3"><v>-0</v></c><c r="I3" t="b"><v></v></c></row>"#,
        // dates by style: builtin 14, custom CJK date, [h]:mm:ss duration, number format, unstyled, out-of-range style
        r#"<row r="5"><c r="A5" s="1"><v>45658.5</v></c><c r="B5" s="2"><v>45000</v></c><c r="C5" s="3"><v>1.25</v></c><c r="D5" s="4"><v>45658</v></c><c r="E5" s="5"><v>45658</v></c><c r="F5" s="99"><v>45658</v></c><c r="G5" s="x"><v>45658</v></c><c r="H5" s="1"><v>-5</v></c><c r="I5" s="1"><v>9999999</v></c></row>"#,
        // rows and cells without r=, a gap, an empty row, empty cells
        r#"<row><c t="inlineStr"><is><t>no r</t></is></c><c><v>7</v></c><c r="E6"><v>8</v></c><c><v>9</v></c></row><row r="8"></row><row r="9"><c r="B9"/><c r="C9" s="1"/></row>"#,
        // a very wide row, and one past Excel's last column
        r#"<row r="10"><c r="XFD10"><v>1</v></c></row><row r="11"><c r="A11"><v>1</v></c><c r="XFE11"><v>2</v></c></row>"#,
        // whitespace and comments between cells, a cell outside any row
        "<row r=\"12\">\n  <c r=\"A12\"><v>1</v></c>\n  <!-- note --><c r=\"B12\" t=\"inlineStr\"><is><t>  spaced  </t></is></c></row><c r=\"A13\"><v>5</v></c>",
    );
    for date1904 in [false, true] {
        let path = xlsx(
            dir.path(),
            &format!("quirks_{date1904}.xlsx"),
            r#"<dimension ref="A1:XFE13"/>"#,
            data,
            Some(SST),
            date1904,
        );
        assert_eq!(same(&path), Some(true), "1904: {date1904}");
    }
    // No dimension, no shared strings part.
    let path = xlsx(dir.path(), "bare.xlsx", "", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#, None, false);
    assert_eq!(same(&path), Some(true));
}

#[test]
fn what_the_fast_reader_does_not_understand_falls_back_to_calamine() {
    let dir = tempfile::tempdir().unwrap();
    let good =
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>订单号</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>"#;
    let cases = [
        ("unknown_type", format!(r#"{good}<row r="3"><c r="A3" t="zz"><v>1</v></c></row>"#)),
        ("bad_number", format!(r#"{good}<row r="3"><c r="A3" t="n"><v>x1</v></c></row>"#)),
        ("bad_bool", format!(r#"{good}<row r="3"><c r="A3" t="b"><v>2</v></c></row>"#)),
        ("bad_error", format!(r#"{good}<row r="3"><c r="A3" t="e"><v>#OOPS</v></c></row>"#)),
        ("missing_shared", format!(r#"{good}<row r="3"><c r="A3" t="s"><v>99</v></c></row>"#)),
        ("bad_ref", format!(r#"{good}<row r="3"><c r="3A"><v>1</v></c></row>"#)),
        (
            "out_of_order",
            format!(r#"{good}<row r="5"><c r="A5"><v>1</v></c></row><row r="4"><c r="A4"><v>1</v></c></row>"#),
        ),
        ("beyond_excel_rows", format!(r#"{good}<row r="1048577"><c r="A1048577"><v>1</v></c></row>"#)),
        ("unexpected_node", format!(r#"{good}<row r="3"><c r="A3"><x>1</x></c></row>"#)),
        ("unclosed", format!(r#"{good}<row r="3"><c r="A3"><v>1</v>"#)),
        (
            "giant_cell",
            format!(
                r#"{good}<row r="3"><c r="A3" t="inlineStr"><is><t>{}</t></is></c></row>"#,
                "y".repeat(crate::source::MAX_CELL_BYTES + 1)
            ),
        ),
    ];
    for (name, data) in cases {
        let path = xlsx(dir.path(), &format!("{name}.xlsx"), "", &data, Some(SST), false);
        assert_eq!(same(&path), Some(false), "{name} should fall back");
    }
    // calamine cannot even open this sheet's cells reader (its dimension arithmetic overflows), so
    // the fast reader is not tried at all.
    let path = xlsx(dir.path(), "bad_dimension.xlsx", r#"<dimension ref="B5:A1"/>"#, good, None, false);
    assert_ne!(same(&path), Some(true));
}

#[test]
fn budgets_and_dropped_columns_are_charged_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = String::new();
    for r in 1..=200 {
        data.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{}</t></is></c><c r="XFF{r}"><v>1</v></c></row>"#,
            "z".repeat(1000)
        ));
    }
    let path = xlsx(dir.path(), "wide.xlsx", "", &data, None, false);
    assert_eq!(same(&path), Some(true));
    let (outcome, _) = read(&path, false, usize::MAX);
    assert!(outcome.notes.contains("columns_dropped_at_row: Some(1)"), "{}", outcome.notes);
}

#[test]
fn every_shape_the_byte_tokenizer_reads_itself_reads_as_calamine_does() {
    let dir = tempfile::tempdir().unwrap();
    let data = concat!(
        // namespace prefixes on every element, single-quoted attributes, attributes in another order
        r#"<x:row r="1"><x:c t='inlineStr' r='A1'><x:is><x:t>前缀</x:t></x:is></x:c><x:c s="4" r="B1"><x:v>2.5</x:v></x:c></x:row>"#,
        // whitespace inside values, preserved and trimmed inline text, an empty run, rich runs with
        // a phonetic run between them
        r#"<row r="2"><c r="A2"><v> 7 </v></c><c r="B2" t="inlineStr"><is><t xml:space="preserve">  kept  </t></is></c><c r="C2" t="inlineStr"><is><t>  cut  </t></is></c><c r="D2" t="inlineStr"><is><t/></is></c><c r="E2" t="inlineStr"><is><t/><t>after empty</t></is></c><c r="F2" t="inlineStr"><is><r><t>上</t></r><rPh><t>ウエ</t></rPh><r><t xml:space="preserve"> 海</t></r></is></c></row>"#,
        // entities and Excel escapes in inline strings, formula strings and dates
        r#"<row r="3"><c r="A3" t="inlineStr"><is><t>A&amp;B &#x4E2D;&#25991; &quot;q&quot;</t></is></c><c r="B3" t="inlineStr"><is><t>_x0041_</t></is></c><c r="C3" t="str"><f>"a"&amp;"b"</f><v>a&amp;b</v></c><c r="D3" t="str"><v>x_x0042_</v></c><c r="E3" t="d"><v>2025-01-02</v></c><c r="F3" t="str"><v/></c><c r="G3" t="d"><v></v></c></row>"#,
        // formulas: shared (empty element), before and after the value, an empty value
        r#"<row r="4"><c r="A4"><f t="shared" si="0"/><v>3</v></c><c r="H4"><f>A4&amp;"x"</f><v>3</v></c><c r="B4"><v>4</v><f>A4+1</f></c><c r="C4"><f>1</f><v></v></c><c r="D4" t="n"><v/></c><c r="E4" t="s"><v>0</v></c><c r="F4" t="e"><v>#REF!</v></c><c r="G4" t="b"><v>0</v></c></row>"#,
        // an empty row element, a self-closing row, a row without r after them, cells without r
        r#"<row r="6"/><row r="7"></row><row><c><v>1</v></c><c t="inlineStr"><is><t>x</t></is></c></row>"#,
        // whitespace and line breaks between every element, a value of an inline cell ignored
        "\n<row r=\"10\" spans=\"1:3\">\n <c r=\"A10\" t=\"inlineStr\">\n  <is>\n   <t>换行</t>\n  </is>\n </c>\n <c r=\"B10\" t=\"inlineStr\"><v>9</v></c>\n</row>\n",
    );
    let path = xlsx(dir.path(), "shapes.xlsx", r#"<dimension ref="A1:G10"/>"#, data, Some(SST), false);
    assert_eq!(same(&path), Some(true));

    // Shapes the tokenizer leaves to calamine: the rows still come out the same.
    let cases = [
        ("crlf_in_text", "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a\r\nb</t></is></c></row>"),
        ("cdata", r#"<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[x<y]]></t></is></c></row>"#),
        ("unknown_entity", r#"<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>"#),
        ("entity_in_number", r#"<row r="1"><c r="A1"><v>1&#48;</v></c></row>"#),
        ("processing_instruction", r#"<row r="1"><?pi x?><c r="A1"><v>1</v></c></row>"#),
        ("nested_in_value", r#"<row r="1"><c r="A1"><v>1<b/>2</v></c></row>"#),
        // Fuzz finding: quick-xml decodes the text calamine ignores too, so a stray byte inside a
        // cell ends calamine's read there, before that row.
        (
            "stray_byte_in_a_cell",
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><<NOT-UTF8>>v>2</v></c></row>"#,
        ),
        ("stray_byte_between_rows", r#"<row r="1"><c r="A1"><v>1</v></c></row> <<NOT-UTF8>> <row r="2"></row>"#),
        // Fuzz finding: end tags are not matched by name, but one with no element open is an
        // error (here `</sheetData>` after two extra `</row>`s closed the sheet data and the worksheet).
        (
            "end_tag_with_nothing_open",
            r#"<row r="1"><c r="A1"><v>1</v></c></row></row></row><row r="3"><c r="A3"><v>3</v></c></row>"#,
        ),
        // Fuzz finding: quick-xml reads a reference from every `&`, even in text calamine
        // ignores, and fails on one without its `;`.
        ("dangling_ampersand_between_cells", r#"<row r="1"><c r="A1"><v>1</v></c> & <c r="B1"><v>2</v></c></row>"#),
        (
            "dangling_ampersand_in_a_formula",
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><f>A1&1</f><v>2</v></c></row>"#,
        ),
        // Fuzz finding: a form feed is no XML whitespace, so `<c\x0c r=..>` is another element,
        // which calamine skips.
        ("form_feed_after_a_name", "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c\x0c r=\"B1\"><v>2</v></c></row>"),
        // Fuzz finding: `<v///>` is an empty element named `v//` to quick-xml (its name runs to the
        // first whitespace), which calamine refuses inside a cell; it was read as `<v/>`.
        (
            "slashes_after_a_name",
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v///>88.0</v></c></row>"#,
        ),
        ("slash_then_attributes", r#"<row r="1"><c/ r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>"#),
        // Fuzz finding: quick-xml's local name is what follows the first `:`, so `<:::c>` is an
        // element named `::c`, which calamine skips; it was read as a cell.
        (
            "colons_before_a_name",
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><:::c r="A2"><v>2</v></:::c><c r="B2"><v>3</v></c></row>"#,
        ),
        ("end_tags_inside_cells", r#"<row r="1"><c r="A1"><v>1</v></x></y></z></c></row>"#),
        (
            "end_tags_inside_inline_strings",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></r></r></r></is></c></row>"#,
        ),
        // Fuzz finding: calamine expands empty elements, so an `<is/>` inside an inline string ends
        // the string there; the next cell's text was joined to it ("下单时间支付时间").
        (
            "empty_element_closing_an_inline_string",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>下单时间</t><is/></c><c r="B1" t="inlineStr"><is><t>支付时间</t></is></c><c r="C1"><v>3</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>"#,
        ),
    ];
    for (name, data) in cases {
        let path = xlsx(dir.path(), &format!("{name}.xlsx"), "", data, None, false);
        same(&path);
    }
}

/// A run of three markup bytes inserted anywhere in a small sheet (each place, each byte): both
/// readers still agree. Two fuzz findings were such runs: `<v///>` (an empty element named `v//`,
/// read as `<v/>`) and `<:::c` (an element whose local name is `::c`, read as a cell).
#[test]
fn a_run_of_markup_bytes_inserted_anywhere_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let data = concat!(
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>名</t></is></c></row>"#,
        r#"<row r="2"><c r="A2" s="1"><v>45658</v></c><c r="B2"><f>1+1</f><v>2</v></c><c r="C2" t="b"><v>1</v></c></row>"#,
    );
    let runs = ["<", ">", "/", ":", "\"", "'", "=", "&", ";", "!", "?", "-", " ", "\u{c}", "\0", NOT_UTF8];
    let mut cases = 0;
    for at in (0..=data.len()).filter(|&at| data.is_char_boundary(at)) {
        for run in runs {
            let sheet = format!("{}{}{}", &data[..at], run.repeat(3), &data[at..]);
            let path = xlsx(dir.path(), "inserted.xlsx", "", &sheet, Some(SST), false);
            // Whole reads only (`same` also stops early twice): 3,200 files stay a few seconds.
            let (calamine, _) = read(&path, true, usize::MAX);
            let (fast, _) = read(&path, false, usize::MAX);
            assert_eq!(fast, calamine, "{run:?} × 3 inserted at {at}: {sheet}");
            cases += 1;
        }
    }
    assert!(cases > 3000, "{cases} cases");
}

//! The workbook's file: the zip rust_xlsxwriter saved, with each list sheet's rows spliced in.
//!
//! rust_xlsxwriter saves every sheet, the list sheets with their header row only, into memory. Each
//! entry is then copied into the file as it is (already deflated), except the list sheets: their
//! XML up to the end of the header row is deflated, then the rows `rows::SheetRows` deflated on the
//! list's thread follow, then the sheet's end. Deflate streams may be joined this way when every
//! piece but the last ends at a sync point; the entry's CRC-32 is the pieces' combined.
//!
//! Of what rust_xlsxwriter wrote, the rows change the sheet's `<dimension>`, and an empty repeat of
//! the header row is dropped (`without_repeated_header`).

use std::io::{self, Read, Seek, Write};

use rawzip::time::UtcDateTime;
use rawzip::{CompressionMethod, DataDescriptorOutput, ZipArchive, ZipArchiveWriter};

use super::rows::{Deflating, WrittenRows};

/// A list sheet's rows and where they go: `xl/worksheets/sheet{n}.xml`.
pub(super) struct ListPart {
    pub sheet: usize,
    pub rows: WrittenRows,
}

/// Writes `book` (a zip as rust_xlsxwriter saves it) to `out` with `lists` spliced in. The style ids
/// the rows assumed are checked against those rust_xlsxwriter gave the same sheets.
///
/// # Errors
/// The writer's errors, and `Other` when `book` is not the workbook the lists were made for (a
/// list's sheet missing, or its styles numbered otherwise).
pub(super) fn write<W: Write>(book: &[u8], mut lists: Vec<ListPart>, out: W) -> io::Result<W> {
    let broken = |what: &str| io::Error::other(format!("the workbook's list sheets: {what}"));
    let archive = ZipArchive::from_slice(book).map_err(io::Error::other)?;
    let mut zip = ZipArchiveWriter::new(out);
    // rust_xlsxwriter dates every entry 1980-01-01, the zip format's first day.
    let epoch = UtcDateTime::from_unix(315_532_800);
    let mut entries = archive.entries();
    while let Some(entry) = entries.next_entry().map_err(io::Error::other)? {
        let name = std::str::from_utf8(entry.file_path().as_ref()).map_err(io::Error::other)?.to_string();
        let data = archive.get_entry(entry.wayfinder()).map_err(io::Error::other)?;
        let list = lists.iter().position(|l| name == format!("xl/worksheets/sheet{}.xml", l.sheet));
        let method = entry.compression_method();
        let (mut writer, _) = zip
            .new_file(name.as_str())
            .compression_method(if list.is_some() { CompressionMethod::DEFLATE } else { method })
            .last_modified(epoch)
            .unix_permissions(0o600)
            .start()
            .map_err(io::Error::other)?;
        let descriptor = match list {
            None => {
                writer.write_all(data.data())?;
                DataDescriptorOutput::new(entry.crc32(), entry.uncompressed_size_hint())
            }
            Some(i) => {
                let list = lists.swap_remove(i);
                let xml = inflate(data.data(), method)?;
                let xml = std::str::from_utf8(&xml).map_err(io::Error::other)?;
                let (head, tail) = split(xml, &list.rows).map_err(|what| broken(&format!("{name}: {what}")))?;
                let mut crc = crc32fast::Hasher::new();
                let mut len = 0;
                piece(&head, false, &mut writer, &mut crc, &mut len)?;

                let rows = list.rows.deflated;
                let mut file = rows.sink;
                file.rewind()?;
                let copied = io::copy(&mut (&mut file).take(rows.compressed), &mut writer)?;
                if copied != rows.compressed {
                    return Err(broken("rows cut short"));
                }
                crc.combine(&rows.crc);
                len += rows.len;

                piece(tail, true, &mut writer, &mut crc, &mut len)?;
                DataDescriptorOutput::new(crc.finalize(), len)
            }
        };
        writer.finish(descriptor).map_err(io::Error::other)?;
    }
    if let Some(missing) = lists.first() {
        return Err(broken(&format!("sheet{} is not in the workbook", missing.sheet)));
    }
    zip.finish().map_err(io::Error::other)
}

/// Deflates `xml` as one piece of an entry into `out` (`last`: the piece that ends it), adding its
/// checksum and length to the entry's.
fn piece(xml: &str, last: bool, out: &mut impl Write, crc: &mut crc32fast::Hasher, len: &mut u64) -> io::Result<()> {
    let mut piece = Deflating::new(Vec::new());
    piece.write(xml.as_bytes())?;
    let piece = piece.finish(last)?;
    out.write_all(&piece.sink)?;
    crc.combine(&piece.crc);
    *len += piece.len;
    Ok(())
}

fn inflate(data: &[u8], method: CompressionMethod) -> io::Result<Vec<u8>> {
    let mut xml = Vec::new();
    match method {
        CompressionMethod::STORE => xml.extend_from_slice(data),
        CompressionMethod::DEFLATE => {
            flate2::read::DeflateDecoder::new(data).read_to_end(&mut xml)?;
        }
        _ => return Err(io::Error::other("a list sheet compressed with an unknown method")),
    }
    Ok(xml)
}

/// The sheet's XML before its rows (its dimension made to cover them) and after them.
fn split<'x>(xml: &'x str, rows: &WrittenRows) -> Result<(String, &'x str), String> {
    check_styles(xml, rows)?;
    let end = xml.find("</sheetData>").ok_or("no </sheetData>")?;
    let (head, tail) = xml.split_at(end);
    let head = without_repeated_header(head);
    let Some((last_row, widest)) = rows.extent else { return Ok((head, tail)) };
    // `<dimension ref="A1:AD1"/>` (the header row) becomes `A1:AD{last}`; a single cell `A1` too.
    let open = "<dimension ref=\"";
    let at = head.find(open).ok_or("no <dimension>")? + open.len();
    let close = at + head[at..].find('"').ok_or("an open <dimension>")?;
    let (first, header_last) = head[at..close].split_once(':').unwrap_or((&head[at..close], &head[at..close]));
    let header_col = header_last.trim_end_matches(|c: char| c.is_ascii_digit());
    let col = [header_col.to_string(), rust_xlsxwriter::utility::column_number_to_name(widest)]
        .into_iter()
        .max_by_key(|name| (name.len(), name.clone()))
        .unwrap_or_default();
    let dimension = format!("{first}:{col}{}", last_row + 1);
    Ok((format!("{}{dimension}{}", &head[..at], &head[close..]), tail))
}

/// The sheet's XML before `</sheetData>` without the empty second `<row r="1" …/>` rust_xlsxwriter
/// writes when the last row of a constant-memory sheet has options of its own: here the header row,
/// whose height is set. A row given twice is one Excel repairs, and the spliced rows follow it.
fn without_repeated_header(head: &str) -> String {
    let first_row_end = head.find("</row>").map(|at| at + "</row>".len());
    let repeated = first_row_end.filter(|&at| head[at..].starts_with("<row r=\"1\"")).and_then(|at| {
        let element = &head[at..at + head[at..].find('>')? + 1];
        element.ends_with("/>").then_some(at..at + element.len())
    });
    match repeated {
        Some(range) => format!("{}{}", &head[..range.start], &head[range.end..]),
        None => head.to_string(),
    }
}

/// The ids the rows gave their cells must be those rust_xlsxwriter gave the same formats: each
/// `<col … style="N">` is the style the rows assumed for that column, and the header row's cells
/// carry the id the rows assumed for the header's format.
fn check_styles(xml: &str, rows: &WrittenRows) -> Result<(), String> {
    let attribute = |element: &str, name: &str| -> Option<u32> {
        let key = format!(" {name}=\"");
        let at = element.find(&key)? + key.len();
        element[at..].split('"').next()?.parse().ok()
    };
    // Each element's text from the space before its first attribute, as `attribute` looks for them.
    for col in xml.split("<col").skip(1) {
        let element = col.split("/>").next().unwrap_or_default();
        let (Some(min), Some(max)) = (attribute(element, "min"), attribute(element, "max")) else { continue };
        let style = attribute(element, "style").unwrap_or(0);
        for c in min..=max {
            let assumed = rows.column_styles.get(c as usize - 1).copied().unwrap_or(0);
            if assumed != style {
                return Err(format!("column {c} has style {style}, the rows assumed {assumed}"));
            }
        }
    }
    let header = xml.split("<row ").nth(1).and_then(|r| r.split("</row>").next()).unwrap_or_default();
    for cell in header.split("<c").skip(1) {
        let element = cell.split('>').next().unwrap_or_default();
        let style = attribute(element, "s").unwrap_or(0);
        if style != rows.header_style {
            return Err(format!("a header cell has style {style}, the rows assumed {}", rows.header_style));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use rust_xlsxwriter::{Format, Workbook};

    use super::super::rows::{SheetRows, Styles};
    use super::*;

    /// A workbook with a summary-like sheet and a list sheet whose header row has a height (as the
    /// tier sheets'), the list's rows written by `rows` with the column styles `assumed`.
    fn spliced(rows: u32, assumed_money: bool) -> Result<Vec<u8>, String> {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let header = Format::new().set_bold();
        let money = Format::new().set_num_format("¥#,##0.00");
        let mut book = Workbook::new();
        book.add_worksheet().write_string(0, 0, "概览").map_err(|x| e(&x))?;
        book.register_format(&header);
        book.register_format(&money);
        let styles = Styles::registered(&[&header, &money]);
        let ws = book.add_worksheet_with_constant_memory().map_err(|x| e(&x))?;
        ws.set_column_format(1, &money).map_err(|x| e(&x))?;
        ws.write_string_with_format(0, 0, "客户ID", &header).map_err(|x| e(&x))?;
        ws.write_string_with_format(0, 1, "消费金额", &header).map_err(|x| e(&x))?;
        ws.set_row_height(0, 30).map_err(|x| e(&x))?;
        let columns = [None, assumed_money.then_some(&money)];
        let mut list = SheetRows::new(&styles, &columns, &header, None).map_err(|x| e(&x))?;
        for r in 1..=rows {
            list.text(r, 0, &format!("客户{r}"), None).map_err(|x| e(&x))?;
            list.number(r, 1, f64::from(r) * 10.5, None).map_err(|x| e(&x))?;
        }
        let part = ListPart { sheet: 2, rows: list.finish().map_err(|x| e(&x))? };
        let saved = book.save_to_buffer().map_err(|x| e(&x))?;
        write(&saved, vec![part], Vec::new()).map_err(|x| e(&x))
    }

    fn sheet(file: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(file)).unwrap();
        let mut xml = String::new();
        // zip checks each entry's CRC-32 and size as it is read to the end.
        zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
        xml
    }

    #[test]
    fn the_rows_land_after_the_header_once_with_the_dimension_covering_them() {
        let file = spliced(3, true).unwrap();
        let xml = sheet(&file, "xl/worksheets/sheet2.xml");
        assert_eq!(xml.matches("<row r=\"1\"").count(), 1, "{xml}");
        assert!(xml.contains("<dimension ref=\"A1:B4\"/>"), "{xml}");
        assert!(xml.contains("<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>客户3</t></is></c><c r=\"B4\" s=\"2\"><v>31.5</v></c></row></sheetData>"), "{xml}");
        // The other entries are copied as they were.
        assert!(sheet(&file, "xl/sharedStrings.xml").contains("概览"));
        assert!(sheet(&file, "xl/styles.xml").contains("¥#,##0.00"));
    }

    #[test]
    fn a_list_without_rows_is_its_header_alone() {
        let file = spliced(0, true).unwrap();
        let xml = sheet(&file, "xl/worksheets/sheet2.xml");
        assert_eq!(xml.matches("<row ").count(), 1, "{xml}");
        assert!(xml.contains("<dimension ref=\"A1:B1\"/>"), "{xml}");
    }

    #[test]
    fn rows_that_assumed_other_styles_than_the_sheet_has_fail_the_export() {
        let error = spliced(2, false).unwrap_err();
        assert!(error.contains("column 2 has style 2, the rows assumed 0"), "{error}");
    }
}

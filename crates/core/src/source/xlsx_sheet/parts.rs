//! The small workbook parts the sheet reader needs besides the sheet itself, read exactly as
//! calamine 0.38 reads them when it opens an xlsx: where the workbook part lives (`_rels/.rels`),
//! the sheet paths (`workbook.xml` and its relationships), the number formats of the cell styles
//! (`styles.xml`) and the shared strings. calamine keeps all of these private, so they are read a
//! second time here; anything that does not parse the way calamine parsed it is `None`, and the
//! caller falls back to calamine for the file.

use std::collections::HashMap;
use std::io::{BufReader, Read, Seek};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

use super::xml::{raw_attr, read_string};

/// How a number in a cell of a given style is read, as calamine's `CellFormat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumFormat {
    Other,
    DateTime,
    TimeDelta,
}

/// What the sheet reader needs of the workbook.
pub(crate) struct Parts {
    /// The zip path of the sheet (as calamine looks it up).
    pub sheet_path: String,
    /// The shared strings, in order.
    pub strings: SharedStrings,
    /// Number format per style index (`s=`).
    pub formats: Vec<NumFormat>,
}

/// The shared strings in one text, each ending where `ends` says: calamine holds its own copy as a
/// `String` each, and a second copy of that shape would cost ~40 bytes a string more (a million
/// strings in a large Excel-saved export).
#[derive(Default)]
pub(crate) struct SharedStrings {
    text: String,
    ends: Vec<usize>,
}

impl SharedStrings {
    /// String `index`, if there is one.
    pub(crate) fn get(&self, index: usize) -> Option<&str> {
        let start = match index.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        self.text.get(start..*self.ends.get(index)?)
    }
}

/// The zip reader calamine uses for one part: the same quick-xml configuration.
pub(super) type PartReader<'a, R> = Reader<BufReader<zip::read::ZipFile<'a, R>>>;

/// calamine's case-insensitive lookup of zip paths: lowercased path → the last entry of that name.
pub(super) fn path_cache<R: Read + Seek>(zip: &ZipArchive<R>) -> Option<HashMap<String, String>> {
    let mut cache = HashMap::with_capacity(zip.len());
    for name in zip.file_names() {
        let name = name.ok()?;
        cache.insert(name.replace('\\', "/").to_ascii_lowercase(), name.into_owned());
    }
    Some(cache)
}

/// Opens `path` of the zip as calamine does (`None` if there is no such part or it cannot be opened).
pub(super) fn open_part<'a, R: Read + Seek>(
    zip: &'a mut ZipArchive<R>,
    cache: &HashMap<String, String>,
    path: &str,
) -> Option<PartReader<'a, R>> {
    let key = path.to_ascii_lowercase();
    let name = cache.get(&key).map_or(path, String::as_str);
    let file = zip.by_name(name).ok()?;
    let mut reader = Reader::from_reader(BufReader::with_capacity(64 * 1024, file));
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    Some(reader)
}

/// The inflated bytes of `path` of the zip, found as calamine finds it, for the byte-level tokenizer.
pub(super) fn open_raw_part<'a, R: Read + Seek>(
    zip: &'a mut ZipArchive<R>,
    cache: &HashMap<String, String>,
    path: &str,
) -> Option<zip::read::ZipFile<'a, R>> {
    let key = path.to_ascii_lowercase();
    let name = cache.get(&key).map_or(path, String::as_str);
    zip.by_name(name).ok()
}

fn local_is(e: &BytesStart<'_>, name: &str) -> bool {
    e.local_name().as_ref() == name
}

/// Reads what the sheet reader needs for worksheet `sheet`, the way calamine read it at open.
/// `None` when anything differs from the plain case this reader is sure of.
/// `early` are the shared strings and formats when `read_early` already has them.
pub(super) fn read<R: Read + Seek>(zip: &mut ZipArchive<R>, sheet: &str, early: Option<Early>) -> Option<Parts> {
    let cache = path_cache(zip)?;
    let (xl_path, workbook_name) = package_relationships(zip, &cache)?;
    let rels = workbook_relationships(zip, &cache, &format!("{xl_path}_rels/{workbook_name}.rels"))?;
    let sheet_path = sheet_path(zip, &cache, &format!("{xl_path}{workbook_name}"), &xl_path, &rels, sheet)?;
    let Early { strings, formats } = match early {
        Some(early) => early,
        None => read_early_from(zip, &cache, &xl_path)?,
    };
    Some(Parts { sheet_path, strings, formats })
}

/// The parts every sheet shares and that can be large: the shared strings and the styles' number
/// formats.
pub(crate) struct Early {
    strings: SharedStrings,
    formats: Vec<NumFormat>,
}

/// Reads [`Early`] from the xlsx at `path` (`None` where `read` would fail on them).
pub(super) fn read_early(path: &std::path::Path) -> Option<Early> {
    let file = std::fs::File::open(path).ok()?;
    let mut zip = ZipArchive::new(BufReader::with_capacity(64 * 1024, file)).ok()?;
    let cache = path_cache(&zip)?;
    let (xl_path, _) = package_relationships(&mut zip, &cache)?;
    read_early_from(&mut zip, &cache, &xl_path)
}

fn read_early_from<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    cache: &HashMap<String, String>,
    xl_path: &str,
) -> Option<Early> {
    let strings = shared_strings(zip, cache, &format!("{xl_path}sharedStrings.xml"))?;
    let formats = formats(zip, cache, &format!("{xl_path}styles.xml"))?;
    Some(Early { strings, formats })
}

fn package_relationships<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    cache: &HashMap<String, String>,
) -> Option<(String, String)> {
    let mut xml = open_part(zip, cache, "_rels/.rels")?;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if local_is(&e, "Relationships") => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    let mut target = None;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if local_is(&e, "Relationship") => {
                let attrs = super::xml::attrs(&e, &["Type", "Target"])?;
                let office = attrs[0].is_some_and(|t| t.ends_with("/relationships/officeDocument"));
                if office {
                    if let Some(t) = attrs[1] {
                        target = Some(quick_xml::escape::unescape(t).ok()?.into_owned());
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == "Relationships" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    // calamine refuses a package without the relationship; it opened this one, so it is there.
    let target = target?;
    let (dir, name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let xl_path = dir.strip_prefix('/').unwrap_or(dir).to_owned();
    let name = if name.is_empty() { "workbook.xml" } else { name };
    Some((xl_path, name.to_owned()))
}

fn workbook_relationships<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    cache: &HashMap<String, String>,
    path: &str,
) -> Option<HashMap<String, (String, String)>> {
    let mut xml = open_part(zip, cache, path)?;
    let mut rels = HashMap::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if local_is(&e, "Relationship") => {
                let attrs = super::xml::attrs(&e, &["Id", "Type", "Target"])?;
                if let Some(id) = attrs[0] {
                    let typ = attrs[1].unwrap_or_default().to_owned();
                    let target = attrs[2].unwrap_or_default().to_owned();
                    rels.insert(id.to_owned(), (target, typ));
                }
            }
            Event::End(e) if e.local_name().as_ref() == "Relationships" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    Some(rels)
}

fn sheet_path<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    cache: &HashMap<String, String>,
    path: &str,
    xl_path: &str,
    rels: &HashMap<String, (String, String)>,
    sheet: &str,
) -> Option<String> {
    let mut xml = open_part(zip, cache, path)?;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if local_is(&e, "sheet") => {
                let mut name = None;
                let mut rel_id = "";
                for item in super::xml::RawAttrs::new(e.attributes_raw()) {
                    let (key, val) = item?;
                    match key {
                        "name" => name = Some(quick_xml::escape::unescape(val).ok()?.into_owned()),
                        "state" if !matches!(val, "visible" | "hidden" | "veryHidden") => return None,
                        key if key == "id" || key.strip_suffix("id").is_some_and(|p| p.ends_with(':')) => {
                            rel_id = val;
                        }
                        _ => {}
                    }
                }
                let (target, typ) = rels.get(rel_id)?;
                let part = match target.strip_prefix('/') {
                    Some(abs) => abs.to_owned(),
                    None => format!("{xl_path}{target}"),
                };
                if !matches!(typ.split('/').next_back(), Some("worksheet" | "chartsheet" | "dialogsheet")) {
                    return None;
                }
                // calamine takes the first sheet of that name.
                if name.as_deref().unwrap_or_default() == sheet {
                    return Some(part);
                }
            }
            Event::End(e) if e.local_name().as_ref() == "workbook" => return None,
            Event::Eof => return None,
            _ => {}
        }
    }
}

fn shared_strings<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    cache: &HashMap<String, String>,
    path: &str,
) -> Option<SharedStrings> {
    let Some(mut xml) = open_part(zip, cache, path) else {
        // No such part: calamine has no shared strings either (an unreadable one failed its open).
        return Some(SharedStrings::default());
    };
    let mut strings = SharedStrings::default();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if local_is(&e, "sst") => {
                if let Some(count) = raw_attr(&e, "uniqueCount")? {
                    if let Ok(n) = atoi_simd::parse::<usize, true, false>(count.as_bytes()) {
                        // calamine reserves the declared count too; the zip scan bounded it.
                        strings.ends.reserve(n.min(1 << 24));
                    }
                }
                break;
            }
            Event::Eof => return None,
            _ => {}
        }
    }
    let mut inner = Vec::new();
    let mut text = Vec::new();
    let mut scratch = String::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if local_is(&e, "si") => {
                // `read_string` appends the item's text.
                read_string(&mut xml, e.name(), &mut inner, &mut text, &mut scratch, &mut strings.text)?;
                strings.ends.push(strings.text.len());
            }
            Event::End(e) if e.local_name().as_ref() == "sst" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    Some(strings)
}

fn formats<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    cache: &HashMap<String, String>,
    path: &str,
) -> Option<Vec<NumFormat>> {
    let Some(mut xml) = open_part(zip, cache, path) else {
        return Some(Vec::new());
    };
    let mut custom: HashMap<String, String> = HashMap::new();
    let mut formats = Vec::new();
    let mut buf = Vec::new();
    let mut inner = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if local_is(&e, "numFmts") => loop {
                inner.clear();
                match xml.read_event_into(&mut inner).ok()? {
                    Event::Start(e) if local_is(&e, "numFmt") => {
                        let attrs = super::xml::attrs(&e, &["numFmtId", "formatCode"])?;
                        if let (Some(id), Some(code)) = (attrs[0], attrs[1]) {
                            custom.insert(id.to_owned(), quick_xml::escape::unescape(code).ok()?.into_owned());
                        }
                    }
                    Event::End(e) if e.local_name().as_ref() == "numFmts" => break,
                    Event::Eof => return None,
                    _ => {}
                }
            },
            Event::Start(e) if local_is(&e, "cellXfs") => loop {
                inner.clear();
                match xml.read_event_into(&mut inner).ok()? {
                    Event::Start(e) if local_is(&e, "xf") => {
                        formats.push(raw_attr(&e, "numFmtId")?.map_or(NumFormat::Other, |id| match custom.get(id) {
                            Some(code) => detect_custom_number_format(code),
                            None => builtin_format_by_id(id),
                        }));
                        // calamine reads the xf's body up to the first `</xf>`.
                        skip_to_end(&mut xml, "xf")?;
                    }
                    Event::End(e) if e.local_name().as_ref() == "cellXfs" => break,
                    Event::Eof => return None,
                    _ => {}
                }
            },
            // calamine reads these lists up to their first end tag (their items are not needed here).
            Event::Start(e) if local_is(&e, "fonts") => skip_to_end(&mut xml, "fonts")?,
            Event::Start(e) if local_is(&e, "fills") => skip_to_end(&mut xml, "fills")?,
            Event::Start(e) if local_is(&e, "borders") => skip_to_end(&mut xml, "borders")?,
            Event::End(e) if e.local_name().as_ref() == "styleSheet" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    Some(formats)
}

/// Reads events up to the first end tag named `local` (any depth). `None` on an XML error or the end.
fn skip_to_end<R: Read + Seek>(xml: &mut PartReader<'_, R>, local: &str) -> Option<()> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::End(e) if e.local_name().as_ref() == local => return Some(()),
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// calamine 0.38's `detect_custom_number_format` (formats.rs, MIT), which it does not export.
fn detect_custom_number_format(format: &str) -> NumFormat {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return NumFormat::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return NumFormat::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumFormat::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => return NumFormat::DateTime,
            _ => {
                if hms && s.eq_ignore_ascii_case(&prev) {
                    // a run of the same letter
                } else {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    NumFormat::Other
}

/// calamine 0.38's `builtin_format_by_id` (formats.rs, MIT), on the attribute's raw text.
fn builtin_format_by_id(id: &str) -> NumFormat {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" => NumFormat::DateTime,
        "27" | "28" | "29" | "30" | "31" | "32" | "33" | "34" | "35" | "36" | "50" | "51" | "52" | "53" | "54"
        | "55" | "56" | "57" | "58" => NumFormat::DateTime,
        "46" => NumFormat::TimeDelta,
        _ => NumFormat::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_are_told_apart_as_calamine_does() {
        assert_eq!(detect_custom_number_format("yyyy-mm-dd hh:mm:ss"), NumFormat::DateTime);
        assert_eq!(detect_custom_number_format("[h]:mm:ss"), NumFormat::TimeDelta);
        assert_eq!(detect_custom_number_format("0.00"), NumFormat::Other);
        assert_eq!(detect_custom_number_format("\"$\"#,##0_);[Red](\"$\"#,##0)"), NumFormat::Other);
        assert_eq!(builtin_format_by_id("14"), NumFormat::DateTime);
        assert_eq!(builtin_format_by_id("014"), NumFormat::Other);
        assert_eq!(builtin_format_by_id("46"), NumFormat::TimeDelta);
    }
}

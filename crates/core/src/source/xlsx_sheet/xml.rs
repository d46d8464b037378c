//! calamine 0.38's small XML helpers (MIT), which it does not export, reproduced so that this
//! reader reads every attribute, string and escape exactly as calamine does: raw attribute scanning
//! (`attrs.rs`), rich/phonetic string reading (`read_string_with_bufs`), entity references and the
//! `_xHHHH_` escapes (`utils.rs`). Each returns `None` where calamine returns an error: the caller
//! then falls back to calamine, which reports its own error.

use std::io::BufRead;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::Reader;

/// calamine's `RawAttrIter` over the bytes of a tag's attributes: `(key, raw value)` pairs; `None`
/// for a malformed attribute. Every boundary it cuts at is an ASCII byte, so the pieces of UTF-8
/// text are UTF-8 text.
pub(super) struct RawByteAttrs<'a> {
    raw: &'a [u8],
    pos: usize,
}

impl<'a> RawByteAttrs<'a> {
    pub(super) fn new(raw: &'a [u8]) -> RawByteAttrs<'a> {
        RawByteAttrs { raw, pos: 0 }
    }
}

impl<'a> Iterator for RawByteAttrs<'a> {
    type Item = Option<(&'a [u8], &'a [u8])>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.raw;
        let len = bytes.len();
        let mut pos = self.pos;
        while pos < len && bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
            pos += 1;
        }
        if pos >= len {
            self.pos = pos;
            return None;
        }
        let key_start = pos;
        while pos < len && bytes.get(pos) != Some(&b'=') {
            pos += 1;
        }
        if pos >= len {
            self.pos = len;
            return Some(None);
        }
        let key = bytes.get(key_start..pos).unwrap_or_default().trim_ascii_end();
        pos += 1;
        while pos < len && bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
            pos += 1;
        }
        let quote = match bytes.get(pos).copied() {
            Some(q @ (b'"' | b'\'')) => q,
            _ => {
                self.pos = len;
                return Some(None);
            }
        };
        pos += 1;
        let val_start = pos;
        while pos < len && bytes.get(pos) != Some(&quote) {
            pos += 1;
        }
        let val = bytes.get(val_start..pos).unwrap_or_default();
        if pos < len {
            pos += 1;
        }
        self.pos = pos;
        Some(Some((key, val)))
    }
}

/// [`RawByteAttrs`] over text: `(key, raw value)` pairs; `None` for a malformed attribute.
pub(super) struct RawAttrs<'a>(RawByteAttrs<'a>);

impl<'a> RawAttrs<'a> {
    pub(super) fn new(raw: &'a str) -> RawAttrs<'a> {
        RawAttrs(RawByteAttrs::new(raw.as_bytes()))
    }
}

impl<'a> Iterator for RawAttrs<'a> {
    type Item = Option<(&'a str, &'a str)>;

    fn next(&mut self) -> Option<Self::Item> {
        let text = |b: &'a [u8]| std::str::from_utf8(b).unwrap_or_default();
        Some(self.0.next()?.map(|(k, v)| (text(k), text(v))))
    }
}

/// calamine's `raw_attr`: the first attribute named exactly `name`; `None` on a malformed attribute
/// met before it.
pub(super) fn raw_attr<'a>(e: &'a BytesStart<'_>, name: &str) -> Option<Option<&'a str>> {
    for item in RawAttrs::new(e.attributes_raw()) {
        let (k, v) = item?;
        if k == name {
            return Some(Some(v));
        }
    }
    Some(None)
}

/// calamine's `get_attrs!` for up to three keys: the last value of each key seen before all keys
/// were found (the scan stops once each key has been counted as often as there are keys), `None`
/// on a malformed attribute met before that.
pub(super) fn attrs<'a>(e: &'a BytesStart<'_>, keys: &[&str]) -> Option<[Option<&'a str>; 3]> {
    let mut out = [None; 3];
    let mut found = 0usize;
    for item in RawAttrs::new(e.attributes_raw()) {
        let (k, v) = item?;
        if let Some(i) = keys.iter().position(|key| *key == k) {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(v);
            }
            found += 1;
        }
        if found == keys.len() {
            break;
        }
    }
    Some(out)
}

/// calamine's `unescape_entity_to_buffer`: a predefined entity or a character reference.
pub(super) fn unescape_entity(entity: &BytesRef<'_>, out: &mut String) -> Option<()> {
    if let Some(text) = quick_xml::escape::resolve_xml_entity(entity.as_ref()) {
        out.push_str(text);
        return Some(());
    }
    out.push(entity.resolve_char_ref().ok()??);
    Some(())
}

/// calamine's `read_string_with_bufs` (a shared string `<si>` or an inline `<is>`): the text of the
/// plain `<t>` or of every rich-text run, phonetic runs (`<rPh>`) left out, into `out` (which the
/// caller cleared), `value` a scratch buffer. `None` where calamine fails.
pub(super) fn read_string<R: BufRead>(
    xml: &mut Reader<R>,
    closing: QName<'_>,
    xml_buf: &mut Vec<u8>,
    text_buf: &mut Vec<u8>,
    value: &mut String,
    out: &mut String,
) -> Option<()> {
    let mut phonetic = false;
    loop {
        xml_buf.clear();
        match xml.read_event_into(xml_buf).ok()? {
            // calamine's rich-text buffer and its plain string both end up as `out`: runs append.
            Event::Start(e) if e.local_name().as_ref() == "rPh" => phonetic = true,
            Event::End(e) if e.name() == closing => return Some(()),
            Event::End(e) if e.local_name().as_ref() == "rPh" => phonetic = false,
            Event::Start(e) if e.local_name().as_ref() == "t" && !phonetic => {
                let preserve = matches!(raw_attr(&e, "xml:space")?, Some("preserve"));
                text_buf.clear();
                value.clear();
                loop {
                    match xml.read_event_into(text_buf).ok()? {
                        Event::Text(t) => value.push_str(&t.xml10_content()),
                        Event::CData(t) => value.push_str(&t.xml10_content()),
                        Event::GeneralRef(r) => unescape_entity(&r, value)?,
                        Event::End(end) if end.name() == e.name() => break,
                        Event::Eof => return None,
                        _ => {}
                    }
                }
                let text = if preserve { value.as_str() } else { value.trim_matches([' ', '\t', '\r', '\n']) };
                unescape_xml_into(text, out);
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

const ESCAPE_LEN: usize = 7; // _xHHHH_

/// calamine's `unescape_xml`, appending to `out`: Excel's `_xHHHH_` escapes of UTF-16 code units.
pub(super) fn unescape_xml_into(original: &str, out: &mut String) {
    let Some((mut index, mut unit)) = find_escape(original, 0) else {
        out.push_str(original);
        return;
    };
    let mut copied = 0;
    loop {
        out.push_str(original.get(copied..index).unwrap_or_default());
        index += ESCAPE_LEN;
        match unit {
            0xD800..=0xDBFF => match parse_escape(original, index) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let code_point = 0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(code_point).unwrap_or(char::REPLACEMENT_CHARACTER));
                    index += ESCAPE_LEN;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = index;
        match find_escape(original, index) {
            Some(next) => (index, unit) = next,
            None => break,
        }
    }
    out.push_str(original.get(copied..).unwrap_or_default());
}

fn find_escape(original: &str, mut start: usize) -> Option<(usize, u16)> {
    while let Some(offset) = original.get(start..)?.find('_') {
        let index = start + offset;
        if let Some(unit) = parse_escape(original, index) {
            return Some((index, unit));
        }
        start = index + 1;
    }
    None
}

fn parse_escape(original: &str, index: usize) -> Option<u16> {
    let bytes = original.as_bytes().get(index..index + ESCAPE_LEN)?;
    if bytes.first() != Some(&b'_') || bytes.get(1) != Some(&b'x') || bytes.get(6) != Some(&b'_') {
        return None;
    }
    let hex = bytes.get(2..6)?;
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescape(s: &str) -> String {
        let mut out = String::new();
        unescape_xml_into(s, &mut out);
        out
    }

    #[test]
    fn excel_escapes_decode_as_calamine_decodes_them() {
        assert_eq!(unescape("a_x000D_b"), "a\rb");
        assert_eq!(unescape("_xD83D__xDCF7_"), "\u{1F4F7}");
        assert_eq!(unescape("_xD83D_x"), "\u{FFFD}x");
        assert_eq!(unescape("_x005F_x000D_"), "__x000D_".replacen("__", "_", 1));
        assert_eq!(unescape("_X000D_ _x00G0_ plain"), "_X000D_ _x00G0_ plain");
    }

    #[test]
    fn attributes_scan_like_calamine() {
        let attrs: Vec<_> = RawAttrs::new(r#" r="A1" s='2'  t = "s""#).collect();
        assert_eq!(attrs, vec![Some(("r", "A1")), Some(("s", "2")), Some(("t", "s"))]);
        let bad: Vec<_> = RawAttrs::new(" r=A1").collect();
        assert_eq!(bad, vec![None]);
    }
}

//! The byte-level tokenizer of a worksheet part: the inflated XML is scanned with `memchr` for the
//! shapes spreadsheet writers emit (`<row r=..>`, `<c r=.. s=.. t=..>` holding a `<v>`, an
//! `<is><t>` or an `<f>`), with no XML event, attribute iterator or copy per cell.
//!
//! It answers only where it is sure to read what calamine's cells reader (quick-xml with
//! `check_end_names = false`, `trim_text(false)`, `expand_empty_elements`) would read. Anything
//! else — a comment, CDATA or processing instruction inside the sheet data, an entity it does not
//! know, a carriage return that XML would normalise, an element calamine does not expect, bytes that
//! are not UTF-8 — is [`P::Bail`], and the caller falls back to calamine for the rest of the file.

use std::io::Read;
use std::ops::Range;

use memchr::{memchr, memchr2, memchr3};

use super::xml::{unescape_xml_into, RawByteAttrs};

/// A cell's type attribute, as far as the decoder needs it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// No value.
    Empty,
    /// Final text (inline string, `t="str"`, `t="d"`).
    Text,
    /// A `<v>` of `t="s"`: shared string index.
    Shared,
    /// `t="b"`.
    Bool,
    /// `t="e"`.
    Error,
    /// `t="n"`: a number, or an error if it is none.
    Number,
    /// No `t`: a number, or the text itself.
    General,
}

/// No `s=` on the cell.
pub(super) const NO_STYLE: usize = usize::MAX;

/// The `t=` attribute of a cell.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Type {
    None,
    N,
    S,
    B,
    E,
    Str,
    D,
    /// `inlineStr` or `is`.
    Inline,
    Other,
}

pub(super) fn cell_type(t: Option<&[u8]>) -> Option<Type> {
    Some(match t {
        None => Type::None,
        Some(b"n") => Type::N,
        Some(b"s") => Type::S,
        Some(b"b") => Type::B,
        Some(b"e") => Type::E,
        Some(b"str") => Type::Str,
        Some(b"d") => Type::D,
        Some(b"inlineStr" | b"is") => Type::Inline,
        Some(_) => Type::Other,
    })
}

/// calamine's `get_row_and_optional_column`: (0-based row, 0-based column if any). `None` where
/// calamine fails or its arithmetic would overflow.
pub(super) fn cell_ref(bytes: &[u8]) -> Option<(u32, Option<u32>)> {
    let mut i = 0;
    let mut col: u32 = 0;
    let mut row: u32 = 0;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'A'..=b'Z' => col = col.checked_mul(26)?.checked_add(u32::from(c - b'A') + 1)?,
            b'a'..=b'z' => col = col.checked_mul(26)?.checked_add(u32::from(c - b'a') + 1)?,
            b'0'..=b'9' => {
                row = u32::from(c - b'0');
                i += 1;
                break;
            }
            _ => return None,
        }
        i += 1;
    }
    while let Some(&c) = bytes.get(i) {
        match c {
            b'0'..=b'9' => row = row.checked_mul(10)?.checked_add(u32::from(c - b'0'))?,
            _ => return None,
        }
        i += 1;
    }
    Some((row.checked_sub(1)?, col.checked_sub(1)))
}

/// The window grows up to this size for one element (a cell's text is at most `MAX_CELL_BYTES`, and
/// escapes at most ~6 bytes per character); past it the element is not the plain shape.
const MAX_WINDOW: usize = 64 << 20;

/// Bytes asked of the inflater at once.
const READ_SIZE: usize = 256 << 10;

/// A parse step's result.
pub(super) enum P<T> {
    Ok(T),
    /// The window ends inside the element: refill and parse it again from its start.
    More,
    /// Not a shape this tokenizer reads as calamine would.
    Bail,
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            P::Ok(v) => v,
            P::More => return P::More,
            P::Bail => return P::Bail,
        }
    };
}

/// `Some(x)` or bail.
fn need<T>(x: Option<T>) -> P<T> {
    x.map_or(P::Bail, P::Ok)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum TagKind {
    Start,
    /// `<x/>`: quick-xml's expanded empty element, a start and an end.
    Empty,
    End,
}

/// A tag at the start of a slice: offsets into that slice.
#[derive(Clone, Debug)]
pub(super) struct Tag {
    pub kind: TagKind,
    pub name: Range<usize>,
    /// The attributes' text (after the name, before `>` or `/>`); empty for an end tag.
    pub attrs: Range<usize>,
    /// One past the closing `>`.
    pub end: usize,
}

/// XML's whitespace, which ends a tag's name for quick-xml (a form feed does not).
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.')
}

/// The tag starting at `s[0] == b'<'`. Comments, CDATA, declarations and processing instructions
/// bail; the caller handles those it allows.
pub(super) fn tag(s: &[u8]) -> P<Tag> {
    let Some(&first) = s.get(1) else { return P::More };
    match first {
        b'!' | b'?' => P::Bail,
        b'/' => {
            let Some(rest) = s.get(2..) else { return P::More };
            let Some(gt) = memchr(b'>', rest) else { return P::More };
            let inner = rest.get(..gt).unwrap_or_default();
            let name_len = inner.iter().position(|b| !is_name_byte(*b)).unwrap_or(inner.len());
            let trailing = inner.get(name_len..).unwrap_or_default();
            if name_len == 0 || !trailing.iter().all(|b| is_xml_space(*b)) {
                return P::Bail;
            }
            P::Ok(Tag { kind: TagKind::End, name: 2..2 + name_len, attrs: 0..0, end: 2 + gt + 1 })
        }
        _ => {
            let mut i = 1;
            loop {
                match s.get(i) {
                    None => return P::More,
                    Some(&b) if is_name_byte(b) => i += 1,
                    Some(_) => break,
                }
            }
            let after = s.get(i).copied().unwrap_or_default();
            if i == 1 || !(is_xml_space(after) || after == b'/' || after == b'>') {
                return P::Bail;
            }
            // The closing `>`, outside quoted attribute values (as quick-xml finds it). Tags are
            // short: a plain loop beats a vectorised search here.
            let mut j = i;
            let mut quote = 0u8;
            loop {
                match s.get(j) {
                    None => return P::More,
                    Some(&b) if quote != 0 => {
                        if b == quote {
                            quote = 0;
                        }
                    }
                    Some(b'>') => break,
                    Some(&b @ (b'"' | b'\'')) => quote = b,
                    Some(_) => {}
                }
                j += 1;
            }
            let empty = j > i && s.get(j - 1) == Some(&b'/');
            let attrs = i..if empty { j - 1 } else { j };
            // quick-xml's name runs to the first whitespace: `<c/x>` is an element named `c/x`, and
            // `<v///>` an empty one named `v//` (calamine fails on it inside a cell), so a `/` right
            // after the name is only `<name/>`. A `<` inside a tag is malformed.
            let attr_bytes = s.get(attrs.clone()).unwrap_or_default();
            if (after == b'/' && j != i + 1) || memchr(b'<', attr_bytes).is_some() {
                return P::Bail;
            }
            P::Ok(Tag { kind: if empty { TagKind::Empty } else { TagKind::Start }, name: 1..i, attrs, end: j + 1 })
        }
    }
}

/// The name after any namespace prefix, as quick-xml's `local_name`: after the first `:` (so
/// `::c` is no `c`).
pub(super) fn local(name: &[u8]) -> &[u8] {
    match memchr(b':', name) {
        Some(i) => name.get(i + 1..).unwrap_or_default(),
        None => name,
    }
}

/// The attribute bytes of `tag` in `s`; bail if they are not UTF-8 (calamine reads them as text).
fn attrs_of<'a>(s: &'a [u8], tag: &Tag) -> P<&'a [u8]> {
    let attrs = s.get(tag.attrs.clone()).unwrap_or_default();
    if attrs.is_ascii() || std::str::from_utf8(attrs).is_ok() {
        P::Ok(attrs)
    } else {
        P::Bail
    }
}

/// calamine's `raw_attr`: the first attribute named `name`; bail on a malformed one before it.
pub(super) fn raw_attr<'a>(attrs: &'a [u8], name: &[u8]) -> P<Option<&'a [u8]>> {
    for item in RawByteAttrs::new(attrs) {
        let Some((k, v)) = item else { return P::Bail };
        if k == name {
            return P::Ok(Some(v));
        }
    }
    P::Ok(None)
}

/// calamine's `get_attrs!` for `r`, `s`, `t` (see `xml::attrs`).
fn cell_attrs(attrs: &[u8]) -> P<[Option<&[u8]>; 3]> {
    let mut out = [None; 3];
    let mut found = 0usize;
    for item in RawByteAttrs::new(attrs) {
        let Some((k, v)) = item else { return P::Bail };
        let slot = match k {
            b"r" => 0,
            b"s" => 1,
            b"t" => 2,
            _ => continue,
        };
        if let Some(o) = out.get_mut(slot) {
            *o = Some(v);
        }
        found += 1;
        if found == 3 {
            break;
        }
    }
    P::Ok(out)
}

/// Whether every `&` in the text `bytes` (which ends before a `<`) closes with a `;` before the
/// next `&`: quick-xml reads a reference from each `&` and fails on one that meets `&`, `<` or
/// the end first, even in text calamine then ignores (`allow_dangling_amp` is off).
pub(super) fn references_closed(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(amp) = memchr(b'&', rest) {
        let after = rest.get(amp + 1..).unwrap_or_default();
        match memchr2(b';', b'&', after) {
            Some(end) if after.get(end) == Some(&b';') => rest = after.get(end + 1..).unwrap_or_default(),
            _ => return false,
        }
    }
    true
}

/// The next `<` at or after `from`, or `More`; bail if the text before it has a reference that
/// quick-xml would refuse.
fn next_lt(s: &[u8], from: usize) -> P<usize> {
    let rest = s.get(from..).unwrap_or_default();
    match memchr(b'<', rest) {
        Some(i) if references_closed(rest.get(..i).unwrap_or_default()) => P::Ok(from + i),
        Some(_) => P::Bail,
        None => P::More,
    }
}

/// The tag at `at` (which is a `<`), with its offsets made absolute.
fn tag_at(s: &[u8], at: usize) -> P<Tag> {
    let t = tri!(tag(s.get(at..).unwrap_or_default()));
    P::Ok(Tag {
        kind: t.kind,
        name: t.name.start + at..t.name.end + at,
        attrs: t.attrs.start + at..t.attrs.end + at,
        end: t.end + at,
    })
}

/// A cell read whole; its value's text is `text`, or the tokenizer's scratch string when `None`
/// (unescaped or joined).
pub(super) struct CellOut<'a> {
    pub row: u32,
    pub col: u32,
    pub kind: Kind,
    pub style: usize,
    pub text: Option<&'a str>,
    /// One past the cell's end.
    pub end: usize,
    /// The elements open after it (see [`close`]).
    pub depth: u32,
}

/// An end tag met with `depth` elements open: quick-xml does not check end tag names here
/// (`check_end_names = false`) but refuses an end tag when no element is open, and calamine fails
/// there. Bail then.
pub(super) fn close(depth: &mut u32) -> P<()> {
    match depth.checked_sub(1) {
        Some(d) => {
            *depth = d;
            P::Ok(())
        }
        None => P::Bail,
    }
}

/// Appends `raw` to `out` with the predefined entities and character references resolved, as
/// quick-xml's text and general-reference events give them; bail on an unknown entity.
fn push_unescaped(raw: &str, out: &mut String) -> P<()> {
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp + 1..).unwrap_or_default();
        let Some(semi) = after.find(';') else { return P::Bail };
        let name = after.get(..semi).unwrap_or_default();
        match name {
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "amp" => out.push('&'),
            "apos" => out.push('\''),
            "quot" => out.push('"'),
            _ => {
                let code = if let Some(hex) = name.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse::<u32>().ok()
                } else {
                    None
                };
                // quick-xml refuses the NUL character and anything that is not a scalar value;
                // digits with a sign are left to it too.
                match code.filter(|&c| c != 0).and_then(char::from_u32) {
                    Some(c) if !name.contains(['+', '-']) => out.push(c),
                    _ => return P::Bail,
                }
            }
        }
        rest = after.get(semi + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    P::Ok(())
}

/// `s[range]` as text: bail if it is not UTF-8 or holds a carriage return (which XML would
/// normalise for some reads).
fn text_of(s: &[u8], range: Range<usize>) -> P<&str> {
    let bytes = s.get(range).unwrap_or_default();
    if memchr(b'\r', bytes).is_some() {
        return P::Bail;
    }
    need(std::str::from_utf8(bytes).ok())
}

/// The text from `from` up to the next `<` (see [`text_of`]), and where that `<` is.
fn text_until_lt(s: &[u8], from: usize) -> P<(&str, usize)> {
    // Most values have neither a reference nor a carriage return: when the first of the three bytes
    // is the `<`, one search answers what `next_lt` and `text_of` would find in three.
    let rest = s.get(from..).unwrap_or_default();
    if let Some(i) = memchr3(b'<', b'&', b'\r', rest).filter(|&i| rest.get(i) == Some(&b'<')) {
        return P::Ok((tri!(need(std::str::from_utf8(rest.get(..i).unwrap_or_default()).ok())), from + i));
    }
    let lt = tri!(next_lt(s, from));
    P::Ok((tri!(text_of(s, from..lt)), lt))
}

/// Whether `s[at..]` is the end tag `</name>` exactly, `More` when the window ends first.
fn is_end_tag(s: &[u8], at: usize, name: &[u8]) -> P<bool> {
    let rest = s.get(at..).unwrap_or_default();
    let len = name.len() + 3;
    if rest.len() < len {
        return P::More;
    }
    P::Ok(rest.starts_with(b"</") && rest.get(2..2 + name.len()) == Some(name) && rest.get(len - 1) == Some(&b'>'))
}

/// Skips a `<v>`/`<f>` element whose start tag was `open` (not empty): its text, then its own end
/// tag. Anything nested bails. Returns the offset after the end tag.
fn skip_element(s: &[u8], open: &Tag) -> P<usize> {
    let lt = tri!(next_lt(s, open.end));
    let close = tri!(tag_at(s, lt));
    if close.kind != TagKind::End || s.get(close.name.clone()) != s.get(open.name.clone()) {
        return P::Bail;
    }
    P::Ok(close.end)
}

/// The kind of a non-empty `<v>` text in a cell of type `t` (not `str`, `d` or inline).
fn value_kind(t: Type) -> Kind {
    match t {
        Type::N => Kind::Number,
        Type::S => Kind::Shared,
        Type::B => Kind::Bool,
        Type::E => Kind::Error,
        _ => Kind::General,
    }
}

const WS: [char; 4] = [' ', '\t', '\r', '\n'];

/// Reads the cell whose start tag `open` is at the start of `s`, with `depth` elements open before
/// it; `row_index`/`col_index` are the positions a cell without `r=` takes.
pub(super) fn cell<'a>(
    s: &'a [u8],
    open: &Tag,
    row_index: u32,
    col_index: u32,
    depth: u32,
    scratch: &mut String,
) -> P<CellOut<'a>> {
    let [r, style, t] = tri!(cell_attrs(tri!(attrs_of(s, open))));
    let (row, col) = match r {
        Some(r) => {
            let (row, col) = tri!(need(cell_ref(r)));
            (row, tri!(need(col)))
        }
        None => (row_index, col_index),
    };
    let style = style.map_or(NO_STYLE, |s| atoi_simd::parse::<usize, true, false>(s).unwrap_or(0));
    let t = tri!(need(cell_type(t)));
    let mut out = CellOut { row, col, kind: Kind::Empty, style, text: Some(""), end: open.end, depth };
    if open.kind == TagKind::Empty {
        return P::Ok(out);
    }
    // The shapes nearly every writer emits, without the general tag reader:
    // `<v>text</v></c>` and `<is><t>text</t></is></c>`.
    let body = s.get(open.end..).unwrap_or_default();
    if body.starts_with(b"<v>") && !matches!(t, Type::Inline | Type::Other | Type::Str | Type::D) {
        let (text, lt) = tri!(text_until_lt(s, open.end + 3));
        if tri!(is_end_tag(s, lt, b"v")) && tri!(is_end_tag(s, lt + 4, b"c")) && memchr(b'&', text.as_bytes()).is_none()
        {
            if !text.is_empty() {
                out.kind = value_kind(t);
                out.text = Some(text);
            }
            out.end = lt + 8;
            return P::Ok(out);
        }
    } else if body.starts_with(b"<is><t>") {
        let (text, lt) = tri!(text_until_lt(s, open.end + 7));
        if tri!(is_end_tag(s, lt, b"t")) && tri!(is_end_tag(s, lt + 4, b"is")) && tri!(is_end_tag(s, lt + 9, b"c")) {
            let trimmed = text.trim_matches(WS);
            if memchr2(b'&', b'_', trimmed.as_bytes()).is_none() {
                out.kind = Kind::Text;
                out.text = Some(trimmed);
                out.end = lt + 13;
                return P::Ok(out);
            }
        }
    }
    // The fast shapes above are balanced; here every element counts.
    let mut depth = depth + 1;
    let mut at = open.end;
    loop {
        let lt = tri!(next_lt(s, at));
        let inner = tri!(tag_at(s, lt));
        let name = s.get(inner.name.clone()).unwrap_or_default();
        if inner.kind == TagKind::End {
            tri!(close(&mut depth));
        }
        match inner.kind {
            TagKind::End if local(name) == b"c" => {
                out.end = inner.end;
                out.depth = depth;
                return P::Ok(out);
            }
            // calamine ignores other end tags inside a cell.
            TagKind::End => at = inner.end,
            TagKind::Start | TagKind::Empty => {
                // Each element of the cell replaces the value before it, as in calamine.
                scratch.clear();
                out.text = Some("");
                out.kind = Kind::Empty;
                at = match local(name) {
                    b"is" => {
                        out.kind = Kind::Text;
                        tri!(inline_string(s, &inner, scratch, &mut out.text, &mut depth))
                    }
                    b"v" => tri!(value(s, &inner, t, scratch, &mut out)),
                    b"f" if inner.kind == TagKind::Empty => inner.end,
                    b"f" => tri!(skip_element(s, &inner)),
                    _ => return P::Bail,
                };
            }
        }
    }
}

/// A `<v>` in a cell of type `t` (calamine's `read_value`); returns the offset after it.
fn value<'a>(s: &'a [u8], open: &Tag, t: Type, scratch: &mut String, out: &mut CellOut<'a>) -> P<usize> {
    if open.kind == TagKind::Empty {
        // `<v/>`: an empty value for every type but `str`/`d`, which read an empty text.
        match t {
            Type::Str | Type::D => out.kind = Kind::Text,
            Type::Other => return P::Bail,
            _ => {}
        }
        return P::Ok(open.end);
    }
    match t {
        Type::Inline => skip_element(s, open),
        Type::Other => P::Bail,
        Type::N | Type::S | Type::B | Type::E | Type::None | Type::Str | Type::D => {
            let (raw, lt) = tri!(text_until_lt(s, open.end));
            let close = tri!(tag_at(s, lt));
            if close.kind != TagKind::End || s.get(close.name.clone()) != s.get(open.name.clone()) {
                return P::Bail;
            }
            if matches!(t, Type::Str | Type::D) {
                out.kind = Kind::Text;
                if memchr(b'&', raw.as_bytes()).is_some() {
                    let mut resolved = String::new();
                    tri!(push_unescaped(raw, &mut resolved));
                    if t == Type::Str {
                        unescape_xml_into(&resolved, scratch);
                    } else {
                        scratch.push_str(&resolved);
                    }
                    out.text = None;
                } else if t == Type::Str && memchr(b'_', raw.as_bytes()).is_some() {
                    unescape_xml_into(raw, scratch);
                    out.text = None;
                } else {
                    out.text = Some(raw);
                }
            } else {
                // quick-xml hands out the text before an entity as the first event, and an entity
                // first is no text at all: calamine reads only that. Left to calamine.
                if memchr(b'&', raw.as_bytes()).is_some() {
                    return P::Bail;
                }
                if !raw.is_empty() {
                    out.kind = value_kind(t);
                    out.text = Some(raw);
                }
            }
            P::Ok(close.end)
        }
    }
}

/// An `<is>` (calamine's `read_string`): the plain `<t>` or every rich-text run's, phonetic runs
/// left out. A single plain run without escapes stays a slice of `s`; anything else is joined in
/// `scratch` (`text` then `None`). Returns the offset after `</is>`.
fn inline_string<'a>(
    s: &'a [u8],
    open: &Tag,
    scratch: &mut String,
    text: &mut Option<&'a str>,
    depth: &mut u32,
) -> P<usize> {
    if open.kind == TagKind::Empty {
        return P::Ok(open.end);
    }
    *depth += 1;
    let closing = s.get(open.name.clone()).unwrap_or_default();
    let mut phonetic = false;
    let mut runs = 0usize;
    let mut at = open.end;
    loop {
        let lt = tri!(next_lt(s, at));
        let inner = tri!(tag_at(s, lt));
        let name = s.get(inner.name.clone()).unwrap_or_default();
        at = inner.end;
        match inner.kind {
            TagKind::End => tri!(close(depth)),
            // A `<t>` is read with its end tag below.
            TagKind::Start if local(name) != b"t" || phonetic => *depth += 1,
            _ => {}
        }
        match (inner.kind, local(name)) {
            (TagKind::End, _) if name == closing => return P::Ok(inner.end),
            // calamine reads with empty elements expanded (`expand_empty_elements`), so an empty
            // element named like the string's own (`<is/>` inside `<is>`) ends it as its end tag
            // would; unlike one, it closes nothing (the element count stays as quick-xml keeps it).
            (TagKind::Empty, _) if name == closing => return P::Ok(inner.end),
            (TagKind::End, b"rPh") => phonetic = false,
            (TagKind::End, _) => {}
            (TagKind::Start, b"rPh") => phonetic = true,
            (TagKind::Empty, b"rPh") => {}
            (TagKind::Empty, b"t") if !phonetic => {
                tri!(raw_attr(tri!(attrs_of(s, &inner)), b"xml:space"));
                runs += 1;
            }
            (TagKind::Start, b"t") if !phonetic => {
                let preserve = matches!(tri!(raw_attr(tri!(attrs_of(s, &inner)), b"xml:space")), Some(b"preserve"));
                let (raw, lt) = tri!(text_until_lt(s, inner.end));
                let close = tri!(tag_at(s, lt));
                if close.kind != TagKind::End || s.get(close.name.clone()) != Some(name) {
                    return P::Bail;
                }
                at = close.end;
                let trimmed = if preserve { raw } else { raw.trim_matches(WS) };
                runs += 1;
                if runs == 1 && memchr2(b'&', b'_', trimmed.as_bytes()).is_none() {
                    *text = Some(trimmed);
                    continue;
                }
                if let Some(earlier) = text.take() {
                    scratch.push_str(earlier);
                }
                if memchr(b'&', raw.as_bytes()).is_some() {
                    // Entities resolve before trimming, as calamine reads the events first.
                    let mut resolved = String::new();
                    tri!(push_unescaped(raw, &mut resolved));
                    let trimmed = if preserve { &resolved[..] } else { resolved.trim_matches(WS) };
                    unescape_xml_into(trimmed, scratch);
                } else {
                    unescape_xml_into(trimmed, scratch);
                }
            }
            // Inside a phonetic run, or the run's formatting: ignored, as calamine does.
            (TagKind::Start | TagKind::Empty, _) => {}
        }
    }
}

/// The inflated sheet part, read through a window that slides and grows.
///
/// Every byte read is checked to be UTF-8 as it arrives: quick-xml decodes even the text calamine
/// ignores (between cells, inside a cell around its value), so a stray byte anywhere makes calamine
/// fail there. The window refuses it instead (`refill` is `None`), and calamine, reading from the
/// start, fails at the same place after the same rows.
pub(super) struct Window<R> {
    src: R,
    pub buf: Vec<u8>,
    /// Parse position: everything before it is consumed.
    pub pos: usize,
    /// Valid bytes in `buf`.
    pub len: usize,
    /// `buf[..checked]` is known to be UTF-8 (the rest is an incomplete character at the end).
    checked: usize,
    eof: bool,
}

impl<R: Read> Window<R> {
    pub(super) fn new(src: R) -> Window<R> {
        Window { src, buf: vec![0; 2 * READ_SIZE], pos: 0, len: 0, checked: 0, eof: false }
    }

    /// The unconsumed bytes that are known to be UTF-8.
    pub(super) fn data(&self) -> &[u8] {
        self.buf.get(self.pos..self.checked).unwrap_or_default()
    }

    /// Consumes everything known so far (no element starts in it).
    pub(super) fn consume_all(&mut self) {
        self.pos = self.checked;
    }

    /// Reads more after the unconsumed bytes (moving them to the front, growing the window when it
    /// is full). `Some(false)` at the end of the part, `None` on a read error, bytes that are not
    /// UTF-8, or an element too large for the window.
    pub(super) fn refill(&mut self) -> Option<bool> {
        if self.eof {
            return Some(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.checked -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() - self.len < READ_SIZE {
            if self.buf.len() >= MAX_WINDOW {
                return None;
            }
            let grown = (self.buf.len() * 2).max(self.len + READ_SIZE);
            self.buf.resize(grown, 0);
        }
        let n = self.src.read(self.buf.get_mut(self.len..)?).ok()?;
        if n == 0 {
            self.eof = true;
            // A character cut off by the end of the part.
            return if self.checked == self.len { Some(false) } else { None };
        }
        self.len += n;
        match simdutf8::compat::from_utf8(self.buf.get(self.checked..self.len)?) {
            Ok(_) => self.checked = self.len,
            // A character continues in the next read.
            Err(e) if e.error_len().is_none() => self.checked += e.valid_up_to(),
            Err(_) => return None,
        }
        Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag_of(s: &str) -> Option<(TagKind, String, String)> {
        match tag(s.as_bytes()) {
            P::Ok(t) => Some((t.kind, s[t.name].to_owned(), s[t.attrs].to_owned())),
            _ => None,
        }
    }

    #[test]
    fn tags_read_like_quick_xml() {
        assert_eq!(tag_of(r#"<c r="A1" t="s">"#), Some((TagKind::Start, "c".into(), r#" r="A1" t="s""#.into())));
        assert_eq!(tag_of(r#"<c r="A1"/>"#), Some((TagKind::Empty, "c".into(), r#" r="A1""#.into())));
        assert_eq!(tag_of("<x:row>"), Some((TagKind::Start, "x:row".into(), String::new())));
        assert_eq!(tag_of("</x:row >"), Some((TagKind::End, "x:row".into(), String::new())));
        assert_eq!(tag_of(r#"<c a="x>y">"#), Some((TagKind::Start, "c".into(), r#" a="x>y""#.into())));
        assert!(matches!(tag(b"<c/x>"), P::Bail));
        assert_eq!(tag_of("<v/>"), Some((TagKind::Empty, "v".into(), String::new())));
        assert!(matches!(tag(b"<v///>"), P::Bail));
        assert!(matches!(tag(b"<v/ >"), P::Bail));
        assert!(matches!(tag(b"<!-- x -->"), P::Bail));
        assert!(matches!(tag(b"<c r=\"A"), P::More));
        assert_eq!(local(b"x:row"), b"row");
        assert_eq!(local(b":::c"), b"::c");
    }

    #[test]
    fn entities_resolve_as_quick_xml_resolves_them() {
        let mut out = String::new();
        assert!(matches!(push_unescaped("a&amp;b&#x4E2D;&#25991;&lt;", &mut out), P::Ok(())));
        assert_eq!(out, "a&b中文<");
        assert!(matches!(push_unescaped("&nbsp;", &mut String::new()), P::Bail));
        assert!(matches!(push_unescaped("&#0;", &mut String::new()), P::Bail));
        assert!(matches!(push_unescaped("a & b", &mut String::new()), P::Bail));
        assert!(references_closed(b"a &amp; b &#1; c"));
        assert!(!references_closed(b"a & b"));
        assert!(!references_closed(b"a &amp &lt;"));
    }
}

//! Parsing one cell for one role: placeholders, long ids as text, money, dates.
//!
//! Pure functions of a `Cell`; no knowledge of columns or files. Every parser returns `Option`
//! (or a small enum) and never panics, whatever the input. Parsers are written by hand over bytes
//! rather than with regexes because they run once per cell on million-row files.
//!
//! What this module deliberately does not do: decide which column is which (`mapping`) or whether a
//! row counts (`orders`).

use std::borrow::Cow;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::model::Cents;
use crate::source::Cell;

/// Texts that exports write for "no value".
const PLACEHOLDERS: [&str; 14] =
    ["-", "--", "---", "#NULL!", "#N/A", "null", "NULL", "Null", "None", "none", "nan", "NaN", "N/A", "n/a"];

/// True for text that means "empty": whitespace only (incl. full-width spaces and a lone tab) or a
/// placeholder such as `-`, `--`, `#NULL!`, `null`, `None`, `nan`, `N/A`.
pub fn is_placeholder(text: &str) -> bool {
    let t = trim(text);
    t.is_empty() || PLACEHOLDERS.contains(&t)
}

/// Trims ASCII and Unicode whitespace, full-width spaces, zero-width characters and BOMs at both ends.
pub fn trim(text: &str) -> &str {
    // Fast path: most cells start and end with a visible ASCII character.
    let b = text.as_bytes();
    if b.first().is_some_and(u8::is_ascii_graphic) && b.last().is_some_and(u8::is_ascii_graphic) {
        return text;
    }
    text.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00A0}' | '\u{3000}')
}

/// The cell's text content, trimmed, or `None` for an empty cell or a placeholder.
///
/// Numbers are rendered without a trailing `.0` (an integer id such as `10023` reads as `10023`).
pub fn text(cell: &Cell) -> Option<Cow<'_, str>> {
    match cell {
        Cell::Text(s) => {
            let t = trim(s);
            if t.is_empty() || PLACEHOLDERS.contains(&t) {
                None
            } else {
                Some(Cow::Borrowed(t))
            }
        }
        Cell::Number(x) => Some(Cow::Owned(number_text(*x))),
        Cell::Bool(b) => Some(Cow::Borrowed(if *b { "TRUE" } else { "FALSE" })),
        Cell::DateTime(d) => Some(Cow::Owned(d.format("%Y-%m-%d %H:%M:%S").to_string())),
        Cell::Empty | Cell::Error(_) => None,
    }
}

/// True when the cell holds nothing usable (empty, placeholder text, or an error value).
pub fn is_empty(cell: &Cell) -> bool {
    match cell {
        Cell::Empty | Cell::Error(_) => true,
        Cell::Text(s) => is_placeholder(s),
        _ => false,
    }
}

/// Renders a number the way a person would type it: integers without `.0`, others shortest round-trip.
pub fn number_text(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e17 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Folds full-width ASCII (`Ａ１２３`, `＋`) to half-width; other characters unchanged.
fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn needs_fold(c: char) -> bool {
    matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}') || is_invisible(c)
}

/// Normalizes a customer key or id: trims (incl. full-width spaces), drops zero-width characters,
/// folds full-width ASCII to half-width, unwraps the `="123"` and leading-apostrophe forms that
/// exports use to stop Excel from turning ids into numbers. Case is kept (openids are case-sensitive).
pub fn normalize_key(text: &str) -> String {
    let t = unwrap_excel_text(trim(text));
    if t.is_ascii() || !t.chars().any(needs_fold) {
        return t.to_owned();
    }
    let folded: String = t.chars().filter(|c| !is_invisible(*c) || *c == '\u{3000}').map(fold_char).collect();
    unwrap_excel_text(folded.trim()).to_owned()
}

/// `="123"` → `123`; `'123` → `123`; a leading tab is already trimmed.
fn unwrap_excel_text(t: &str) -> &str {
    if let Some(inner) = t.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        return inner.trim();
    }
    if let Some(inner) = t.strip_prefix('\'') {
        return inner.trim();
    }
    t
}

/// An id read from a cell (order id, buyer id) and whether digits may have been lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Id {
    /// The id as text, exactly as it will be stored.
    pub text: String,
    /// The id came from a Number cell with 16 or more digits: a float holds only ~15–17 significant
    /// digits, so the trailing digits may already be wrong in the file itself.
    pub lossy: bool,
}

/// Reads an id. Text stays text (never through `f64`); integer numbers are printed without `.0`.
/// Returns `None` for empty cells and placeholders.
pub fn parse_id(cell: &Cell) -> Option<Id> {
    match cell {
        Cell::Text(s) => {
            let t = trim(s);
            if t.is_empty() || PLACEHOLDERS.contains(&t) {
                return None;
            }
            let text = normalize_key(t);
            // "3.71823E+18" is an id Excel already turned into a float and printed in scientific form.
            let lossy = looks_scientific(&text);
            (!text.is_empty()).then_some(Id { text, lossy })
        }
        Cell::Number(x) => {
            if !x.is_finite() {
                return None;
            }
            let text = number_text(*x);
            let digits = text.bytes().filter(u8::is_ascii_digit).count();
            Some(Id { lossy: digits >= 16, text })
        }
        Cell::Bool(_) | Cell::DateTime(_) => text(cell).map(|t| Id { text: t.into_owned(), lossy: false }),
        Cell::Empty | Cell::Error(_) => None,
    }
}

fn looks_scientific(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() > 4
        && b.iter().any(|c| *c == b'E' || *c == b'e')
        && b.iter().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'E' | b'e' | b'+' | b'-'))
        && b.first().is_some_and(u8::is_ascii_digit)
}

/// Reads money as fen. Accepts numbers (rounded to the cent: `round(x * 100)`), and text such as
/// `¥1,234.50`, `￥１２`, `12.5元`, `RMB 12`, `CNY12`, `1，234`, `(1,234.00)` (negative),
/// `-¥12`, `¥-12`, `+12`. Returns `None` for empty cells, placeholders, error values and text
/// that is not a number.
pub fn parse_amount(cell: &Cell) -> Option<Cents> {
    match cell {
        Cell::Number(x) => cents_from_f64(*x),
        Cell::Text(s) => parse_amount_text(s),
        Cell::Bool(_) | Cell::DateTime(_) | Cell::Empty | Cell::Error(_) => None,
    }
}

/// `round(x * 100)` with a range check; `x * 100` is exact enough because spreadsheet amounts are
/// stored as the nearest double to a two-decimal value.
pub fn cents_from_f64(x: f64) -> Option<Cents> {
    let c = (x * 100.0).round();
    (c.is_finite() && c.abs() < 9.0e15).then_some(c as Cents)
}

/// Parses money text to fen without going through a float for ordinary inputs.
pub fn parse_amount_text(s: &str) -> Option<Cents> {
    let t = trim(s);
    // Fast path: plain ASCII decimal like "148.00" or "-12.5" — the common case on big files.
    if let Some(c) = parse_plain_decimal(t.as_bytes()) {
        return Some(c);
    }
    if t.is_empty() || PLACEHOLDERS.contains(&t) {
        return None;
    }
    let comma_decimal = decimal_comma(t);
    let t = comma_decimal.as_deref().unwrap_or(t);
    let mut negative = false;
    let mut body = String::with_capacity(t.len());
    let mut chars = t.chars().map(fold_char).peekable();
    let mut in_parens = false;
    while let Some(c) = chars.next() {
        match c {
            '0'..='9' | '.' => body.push(c),
            '-' | '−' | '－' => negative = !negative,
            '+' => {}
            '(' | '（' => in_parens = true,
            ')' | '）' if in_parens => negative = !negative,
            ',' | '，' | '\'' | '_' | ' ' | '¥' | '￥' | '元' | '$' | '£' | '€' => {}
            'e' | 'E'
                if !body.is_empty() && chars.peek().is_some_and(|n| n.is_ascii_digit() || matches!(n, '+' | '-')) =>
            {
                // Scientific notation: fall back to a float for the rest.
                let rest: String = chars.by_ref().collect();
                let x: f64 = format!("{body}e{rest}").parse().ok()?;
                let x = if negative { -x } else { x };
                return cents_from_f64(x);
            }
            _ if c.is_whitespace() || is_invisible(c) => {}
            c if c.is_ascii_alphabetic() => {
                // Currency codes (RMB, CNY, USD …) are checked as a whole by `valid_letters`.
                let _ = c;
            }
            _ => return None,
        }
    }
    if !valid_letters(t) {
        return None;
    }
    let c = parse_plain_decimal(body.as_bytes())?;
    Some(if negative { -c } else { c })
}

/// `t` rewritten with a decimal point when it is written with a decimal comma — `10,00`, `12,5`,
/// `1.234,56`, `1 234,56 €` (European data sets; no Chinese export writes a comma before one or two
/// final digits) — or `None`. A comma before three digits stays a thousands separator (`1,234`).
fn decimal_comma(t: &str) -> Option<String> {
    let pos = t.rfind(',')?;
    let (before, after) = (&t[..pos], &t[pos + 1..]);
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &after[digits..];
    if !(1..=2).contains(&digits) || rest.contains(|c: char| c.is_ascii_digit() || matches!(c, '.' | ',')) {
        return None;
    }
    if before.contains(',') || !before.contains(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // Dots before the comma group thousands: each is followed by exactly three digits.
    let dots_group = before.match_indices('.').all(|(i, _)| {
        let group = &before[i + 1..];
        group.bytes().take_while(u8::is_ascii_digit).count() == 3
            && !group[3..].starts_with(|c: char| c.is_ascii_digit())
    });
    if !dots_group {
        return None;
    }
    Some(format!("{}.{}", before.replace('.', ""), after))
}

/// Only a currency code may contribute letters (so "12abc" is unreadable, "RMB 12" and "US$12" are not).
fn valid_letters(t: &str) -> bool {
    let letters: String = t.chars().filter(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_uppercase();
    letters.is_empty() || ["RMB", "CNY", "USD", "US", "EUR", "GBP", "HKD", "HK"].contains(&letters.as_str())
}

/// `[-+]digits[.digits]` → fen, rounding half away from zero at the cent; `None` for anything else.
fn parse_plain_decimal(b: &[u8]) -> Option<Cents> {
    let (negative, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    // Checked arithmetic bounds the whole part (beyond ~17 digits of yuan it overflows i64 fen and is
    // refused); the length cap only stops pathological digit runs. It must admit every amount this
    // parser accepts in another form, printed with its fen (fuzz finding amount-round-trip-16-digits).
    if b.is_empty() || b.len() > 40 {
        return None;
    }
    let mut whole: i64 = 0;
    let mut frac: i64 = 0;
    let mut frac_digits = 0u32;
    let mut round_up = false;
    let mut seen_dot = false;
    let mut seen_digit = false;
    for &c in b {
        match c {
            b'0'..=b'9' => {
                seen_digit = true;
                let d = i64::from(c - b'0');
                if !seen_dot {
                    whole = whole.checked_mul(10)?.checked_add(d)?;
                } else if frac_digits < 2 {
                    frac = frac * 10 + d;
                    frac_digits += 1;
                } else if frac_digits == 2 {
                    round_up = d >= 5;
                    frac_digits += 1;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if !seen_digit {
        return None;
    }
    while frac_digits < 2 {
        frac *= 10;
        frac_digits += 1;
    }
    let cents = whole.checked_mul(100)?.checked_add(frac + i64::from(round_up))?;
    Some(if negative { -cents } else { cents })
}

/// Reads a count or quantity (`3`, `3.0`, `３件`, `1,200`).
pub fn parse_number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Number(x) if x.is_finite() => Some(*x),
        Cell::Text(s) => {
            let t = trim(s);
            if let Ok(x) = t.parse::<f64>() {
                return x.is_finite().then_some(x);
            }
            let folded: String = t
                .chars()
                .map(fold_char)
                .filter(|c| !matches!(c, ',' | '，' | ' '))
                .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-'))
                .collect();
            folded.parse::<f64>().ok().filter(|x| x.is_finite())
        }
        _ => None,
    }
}

/// Seconds east of UTC for Unix timestamps: Chinese platforms mean Beijing time.
const BEIJING_OFFSET_SECS: i64 = 8 * 3600;

/// Reads a date/time. Accepts `Cell::DateTime`; Excel serial numbers (1900 system) in Number cells;
/// numbers or text of 8 digits (`20250305`), 10 digits (Unix seconds) or 13 digits (Unix
/// milliseconds; both read as Beijing time); and text such as `2025-03-05 14:22:10`,
/// `2025-03-05T14:22:10`, `2025/3/5`, `2025/3/5 9:05`, `2025.03.05`, `2025年3月5日`,
/// `2025年3月5日 14:22`, and year-last `3/25/2025` or `25/3/2025` when a part > 12 (or equal parts)
/// proves the order; `3/5/2025` is ambiguous and `None` here (see [`parse_datetime_ordered`]).
/// Dates outside 1970–2100 are rejected as not plausible.
pub fn parse_datetime(cell: &Cell) -> Option<NaiveDateTime> {
    match parse_datetime_ordered(cell)? {
        (_, DayOrder::Ambiguous) => None,
        (dt, _) => Some(dt),
    }
}

/// What a date written with the year last (`3/5/2025`, `25/12/2025`) says about the file's order of
/// day and month. Other spellings (year first, serials, …) are [`DayOrder::YearFirst`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayOrder {
    /// Not a year-last date: nothing to decide.
    YearFirst,
    /// Proven month first (`3/25/2025`: 25 cannot be a month).
    MonthFirst,
    /// Proven day first (`25/3/2025`).
    DayFirst,
    /// Both readings are valid (`3/5/2025`); the value returned reads it month first.
    Ambiguous,
}

/// Like [`parse_datetime`], but a year-last date whose day and month could be swapped is read month
/// first and flagged [`DayOrder::Ambiguous`], so the importer can decide the order for the whole
/// column from the dates that prove it (a day > 12 somewhere in the file) and swap afterwards.
pub fn parse_datetime_ordered(cell: &Cell) -> Option<(NaiveDateTime, DayOrder)> {
    let (dt, order) = match cell {
        Cell::DateTime(d) => (*d, DayOrder::YearFirst),
        Cell::Number(x) => (datetime_from_number(*x)?, DayOrder::YearFirst),
        Cell::Text(s) => parse_datetime_text_ordered(s)?,
        _ => return None,
    };
    Some((plausible(dt)?, order))
}

/// `dt` with day and month swapped: the other reading of an ambiguous year-last date.
pub fn swap_day_month(dt: NaiveDateTime) -> Option<NaiveDateTime> {
    use chrono::Datelike;
    NaiveDate::from_ymd_opt(dt.year(), dt.day(), dt.month()).map(|d| d.and_time(dt.time()))
}

fn plausible(dt: NaiveDateTime) -> Option<NaiveDateTime> {
    let y = chrono::Datelike::year(&dt);
    (1970..=2100).contains(&y).then_some(dt)
}

fn datetime_from_number(x: f64) -> Option<NaiveDateTime> {
    if !x.is_finite() || x <= 0.0 {
        return None;
    }
    if x.fract() == 0.0 && x >= 1e7 {
        return datetime_from_digits(x as i64);
    }
    excel_serial(x)
}

/// Excel 1900-system serial → date/time (serial 60 is Excel's phantom 1900-02-29; modern dates are
/// far past it, so the usual 1899-12-30 epoch is right).
pub fn excel_serial(x: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&x) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let days = x.trunc() as i64;
    // Round to the second: serials carry float noise (0.999999 of a second).
    let secs = ((x - x.trunc()) * 86_400.0).round() as i64;
    epoch.checked_add_signed(Duration::days(days))?.checked_add_signed(Duration::seconds(secs))
}

fn datetime_from_digits(n: i64) -> Option<NaiveDateTime> {
    let digits = if n <= 0 { 0 } else { n.ilog10() + 1 };
    match digits {
        8 => {
            NaiveDate::from_ymd_opt((n / 10_000) as i32, (n / 100 % 100) as u32, (n % 100) as u32)?.and_hms_opt(0, 0, 0)
        }
        10 => unix(n),
        13 => unix(n / 1000),
        _ => None,
    }
}

fn unix(secs: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp(secs + BEIJING_OFFSET_SECS, 0).map(|d| d.naive_utc())
}

/// Parses date/time text; see [`parse_datetime`].
pub fn parse_datetime_text(s: &str) -> Option<NaiveDateTime> {
    match parse_datetime_text_ordered(s)? {
        (_, DayOrder::Ambiguous) => None,
        (dt, _) => Some(dt),
    }
}

/// Parses date/time text; see [`parse_datetime_ordered`].
pub fn parse_datetime_text_ordered(s: &str) -> Option<(NaiveDateTime, DayOrder)> {
    let t = trim(s);
    if let Some(dt) = parse_iso_bytes(t.as_bytes()) {
        return Some((dt, DayOrder::YearFirst));
    }
    let t: Cow<str> =
        if t.chars().any(needs_fold) { Cow::Owned(t.chars().map(fold_char).collect()) } else { Cow::Borrowed(t) };
    let b = t.as_bytes();
    if b.is_empty() {
        return None;
    }
    if b.iter().all(u8::is_ascii_digit) {
        let n: i64 = t.parse().ok()?;
        return datetime_from_digits(n)
            .or_else(|| excel_serial(n as f64).and_then(plausible))
            .map(|d| (d, DayOrder::YearFirst));
    }
    // An Excel serial with its time of day as text (a CSV written from a sheet whose date column
    // had lost its format): read as the same number in a cell would be.
    if b.iter().filter(|c| **c == b'.').count() == 1 && b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        let x: f64 = t.parse().ok()?;
        return excel_serial(x).and_then(plausible).map(|d| (d, DayOrder::YearFirst));
    }
    let mut nums = [0u32; 7];
    let mut lens = [0u8; 7];
    let mut count = 0usize;
    let mut seps: [u8; 7] = [0; 7];
    let mut i = 0usize;
    let chars: Vec<char> = t.chars().collect();
    let mut pm = None;
    // The character between the first two numbers: `05.03.2025` is day first wherever dots are used.
    let mut first_sep: Option<char> = None;
    // Index in `nums` of a month written as a word (`11-Feb-13`, `Jan 5, 2021`).
    let mut month_at: Option<usize> = None;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphabetic() {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_alphabetic) {
                i += 1;
            }
            let word: String = chars[start..i].iter().map(char::to_ascii_lowercase).collect();
            match word.as_str() {
                "am" => pm = Some(false),
                "pm" => pm = Some(true),
                // ISO `T` between date and time, `Z`/UTC/GMT zones: the local time is what the shop saw.
                "t" | "z" | "utc" | "gmt" => {}
                w if weekday_word(w) => {}
                w => {
                    let month = month_word(w)?;
                    if month_at.is_some() || count >= nums.len() {
                        return None;
                    }
                    month_at = Some(count);
                    nums[count] = month;
                    lens[count] = 0;
                    count += 1;
                }
            }
            continue;
        }
        if let Some(d) = c.to_digit(10) {
            if count >= nums.len() {
                return None;
            }
            let mut v: u32 = d;
            let mut len = 1u8;
            i += 1;
            while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                v = v.checked_mul(10)?.checked_add(d)?;
                len = len.saturating_add(1);
                i += 1;
            }
            nums[count] = v;
            lens[count] = len;
            count += 1;
            continue;
        }
        let sep = match c {
            '-' | '/' | '.' => b'd',
            '年' | '月' => b'd',
            '日' | '号' => b' ',
            ':' | '时' | '分' | '点' => b't',
            '秒' => b' ',
            ' ' | '\t' | ',' => b' ',
            '上' if chars.get(i + 1) == Some(&'午') => {
                pm = Some(false);
                i += 1;
                b' '
            }
            '下' if chars.get(i + 1) == Some(&'午') => {
                pm = Some(true);
                i += 1;
                b' '
            }
            '+' if count >= 6 => break, // a time-zone offset; the local time is what the shop saw
            _ => return None,
        };
        if count > 0 && count <= seps.len() {
            seps[count - 1] = sep;
        }
        if count == 1 && first_sep.is_none() {
            first_sep = Some(c);
        }
        i += 1;
    }
    if count < 3 {
        return None;
    }
    // Two-digit years: beside a month word (`11-Feb-13`) or last after a day and a month with
    // slashes or dots (`3/5/25`, Excel's short date; `25-03-05` could as well be year first, and is
    // left unread); 00–69 are 2000s.
    let full_year = |n: u32, len: u8| {
        if len <= 2 {
            if n < 70 {
                2000 + n as i32
            } else {
                1900 + n as i32
            }
        } else {
            n as i32
        }
    };
    let (y, m, d, order) = if let Some(at) = month_at {
        match at {
            // 11-Feb-2013, 5 Jan 2021, 2021-Jan-05
            1 if lens[0] == 4 => (nums[0] as i32, nums[1], nums[2], DayOrder::YearFirst),
            1 => (full_year(nums[2], lens[2]), nums[1], nums[0], DayOrder::YearFirst),
            // Jan 5, 2021
            0 => (full_year(nums[2], lens[2]), nums[0], nums[1], DayOrder::YearFirst),
            _ => return None,
        }
    } else if lens[0] == 4 {
        (nums[0] as i32, nums[1], nums[2], DayOrder::YearFirst)
    } else if lens[2] == 4 || (lens[2] == 2 && lens[0] <= 2 && lens[1] <= 2 && matches!(first_sep, Some('/' | '.'))) {
        // Year last: m/d/yyyy (US, Excel en-US CSV) or d/m/yyyy (UK, Europe). A part > 12 proves
        // the order; otherwise it is read month first and flagged for the caller to decide —
        // except with dots (`05.03.2025`), which only day-first countries write.
        let (a, b) = (nums[0], nums[1]);
        let y = full_year(nums[2], lens[2]);
        match (a > 12, b > 12) {
            (false, true) => (y, a, b, DayOrder::MonthFirst),
            (true, false) => (y, b, a, DayOrder::DayFirst),
            (false, false) if a == b => (y, a, b, DayOrder::YearFirst),
            (false, false) if first_sep == Some('.') => (y, b, a, DayOrder::DayFirst),
            (false, false) => (y, a, b, DayOrder::Ambiguous),
            (true, true) => return None,
        }
    } else {
        return None;
    };
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    let (mut hh, mm, ss) = match count {
        3 => (0, 0, 0),
        4 => (nums[3], 0, 0),
        5 => (nums[3], nums[4], 0),
        _ => (nums[3], nums[4], nums[5]),
    };
    match pm {
        Some(true) if hh < 12 => hh += 12,
        Some(false) if hh == 12 => hh = 0,
        _ => {}
    }
    let time = NaiveTime::from_hms_opt(hh, mm, ss)?;
    Some((date.and_time(time), order))
}

/// The month of an English month name or its abbreviation (`jan`, `sept`, `september`), lower case.
fn month_word(w: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if w.len() < 3 {
        return None;
    }
    let w = if w == "sept" { "sep" } else { w };
    MONTHS.iter().position(|m| m.starts_with(w)).map(|i| i as u32 + 1)
}

/// An English weekday name or abbreviation (`Tue, 05 Jan 2021`), ignored.
fn weekday_word(w: &str) -> bool {
    const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    w.len() >= 3 && DAYS.iter().any(|d| d.starts_with(w))
}

/// Fast path for the most common export spelling, `YYYY-MM-DD[ HH:MM[:SS]]` (also `/` and `T`),
/// without allocating: this runs on every row of million-row files.
fn parse_iso_bytes(b: &[u8]) -> Option<NaiveDateTime> {
    fn num(b: &[u8]) -> Option<u32> {
        if b.is_empty() || b.len() > 4 {
            return None;
        }
        b.iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    }
    if b.len() != 10 && b.len() != 16 && b.len() != 19 {
        return None;
    }
    let sep = *b.get(4)?;
    if !(sep == b'-' || sep == b'/') || b.get(7) != Some(&sep) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(b.get(0..4)?)? as i32, num(b.get(5..7)?)?, num(b.get(8..10)?)?)?;
    if b.len() == 10 {
        return date.and_hms_opt(0, 0, 0);
    }
    if !matches!(b.get(10), Some(b' ' | b'T')) || b.get(13) != Some(&b':') {
        return None;
    }
    let (h, m) = (num(b.get(11..13)?)?, num(b.get(14..16)?)?);
    let sec = if b.len() == 19 {
        if b.get(16) != Some(&b':') {
            return None;
        }
        num(b.get(17..19)?)?
    } else {
        0
    };
    date.and_hms_opt(h, m, sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn placeholders_are_empty() {
        for p in ["-", "--", "#NULL!", "null", "NULL", "None", "nan", "N/A", "\t", "  ", "\u{3000}", ""] {
            assert!(is_placeholder(p), "{p:?}");
            assert!(text(&t(p)).is_none(), "{p:?}");
            assert!(parse_amount(&t(p)).is_none(), "{p:?}");
            assert!(parse_id(&t(p)).is_none(), "{p:?}");
        }
        assert!(!is_placeholder("0"));
        assert!(!is_placeholder("-1"));
    }

    #[test]
    fn nineteen_digit_text_id_stays_exact() {
        let id = parse_id(&t("3718230000012671722")).unwrap();
        assert_eq!(id.text, "3718230000012671722");
        assert!(!id.lossy);
        let id = parse_id(&t("=\"3718230000012671722\"")).unwrap();
        assert_eq!(id.text, "3718230000012671722");
        let id = parse_id(&t("'3718230000012671722")).unwrap();
        assert_eq!(id.text, "3718230000012671722");
        let id = parse_id(&t("\t3718230000012671722")).unwrap();
        assert_eq!(id.text, "3718230000012671722");
    }

    #[test]
    fn long_numeric_id_is_flagged_lossy() {
        let id = parse_id(&Cell::Number(3718230000012671722.0)).unwrap();
        assert!(id.lossy);
        let id = parse_id(&Cell::Number(10023.0)).unwrap();
        assert_eq!(id.text, "10023");
        assert!(!id.lossy);
        assert!(parse_id(&t("3.71823E+18")).unwrap().lossy);
    }

    #[test]
    fn normalize_key_folds_width_and_invisible_characters() {
        assert_eq!(normalize_key("\u{3000}ＡＢｃ１２３ "), "ABc123");
        assert_eq!(normalize_key("o\u{200B}wIU_rK"), "owIU_rK");
        assert_eq!(normalize_key(" 小明 "), "小明");
        assert_eq!(normalize_key("oAbC"), "oAbC");
    }

    #[test]
    fn amounts_in_every_exported_spelling() {
        let cases: &[(&str, i64)] = &[
            ("148.00", 14800),
            ("¥1,234.50", 123450),
            ("￥１２", 1200),
            ("12.5元", 1250),
            ("RMB 12", 1200),
            ("CNY12.01", 1201),
            ("1，234", 123400),
            ("(1,234.00)", -123400),
            ("-¥12", -1200),
            ("¥-12", -1200),
            ("+3", 300),
            ("0.125", 13),
            ("9.9", 990),
            (" 7 ", 700),
            ("1.2E+3", 120000),
            ("US$12.50", 1250),
            ("£3.39", 339),
            ("12.00 EUR", 1200),
            ("HK$100", 10000),
            // Decimal commas (European data sets); a comma before three digits groups thousands.
            ("10,00", 1000),
            ("12,5", 1250),
            ("-12,50", -1250),
            ("1.234,56", 123456),
            ("1 234,56", 123456),
            ("10,00 €", 1000),
            ("€1.234.567,8", 123456780),
            ("1,234", 123400),
            ("1,234,567", 123456700),
        ];
        for (s, want) in cases {
            assert_eq!(parse_amount(&t(s)), Some(*want), "{s}");
        }
        for bad in
            ["#VALUE!", "abc", "12abc", "12 kg", "E12", "1.2.3", "¥", "999999999999999999", "99999999999999999.99"]
        {
            assert_eq!(parse_amount(&t(bad)), None, "{bad}");
        }
        assert_eq!(parse_amount(&Cell::Error("#VALUE!".into())), None);
    }

    #[test]
    fn number_amounts_round_to_the_cent_without_drift() {
        assert_eq!(parse_amount(&Cell::Number(0.1 + 0.2)), Some(30));
        assert_eq!(parse_amount(&Cell::Number(148.0)), Some(14800));
        assert_eq!(parse_amount(&Cell::Number(19.99)), Some(1999));
        assert_eq!(parse_amount(&Cell::Number(-2980.55)), Some(-298055));
        assert_eq!(parse_amount(&Cell::Number(f64::NAN)), None);
    }

    #[test]
    fn dates_in_every_exported_spelling() {
        let cases: &[(&str, &str)] = &[
            ("2025-03-05 14:22:10", "2025-03-05 14:22:10"),
            ("2025-03-05T14:22:10", "2025-03-05 14:22:10"),
            ("2025-03-05T14:22:10+08:00", "2025-03-05 14:22:10"),
            ("2025/3/5", "2025-03-05 00:00:00"),
            ("2025/3/5 9:05", "2025-03-05 09:05:00"),
            ("2025.03.05", "2025-03-05 00:00:00"),
            ("2025年3月5日", "2025-03-05 00:00:00"),
            ("2025年3月5日 14:22", "2025-03-05 14:22:00"),
            ("20250305", "2025-03-05 00:00:00"),
            ("1741155730", "2025-03-05 14:22:10"),
            ("1741155730000", "2025-03-05 14:22:10"),
            ("3/25/2025", "2025-03-25 00:00:00"),
            ("２０２５-０３-０５", "2025-03-05 00:00:00"),
            ("2025/3/5 下午2:05", "2025-03-05 14:05:00"),
            // Dots: day first (German, Russian … exports).
            ("05.03.2025", "2025-03-05 00:00:00"),
            ("5.3.2025 14:22", "2025-03-05 14:22:00"),
            // Excel's short date with a two-digit year.
            ("3/25/25", "2025-03-25 00:00:00"),
            ("25/3/25", "2025-03-25 00:00:00"),
            // Serials written out as text.
            ("45721", "2025-03-05 00:00:00"),
            ("45721.5", "2025-03-05 12:00:00"),
        ];
        for (s, want) in cases {
            assert_eq!(parse_datetime(&t(s)), Some(dt(want)), "{s}");
        }
        for bad in [
            "3/5/2025",
            "2025-13-01",
            "2025-02-30",
            "13/13/2025",
            "hello",
            "12",
            "",
            "-",
            "Ma 5 2021",
            "5 Foo 2021",
            "12345",
            "11.77",
            "1.2.3.4",
            "3/5/125",
            "25-03-05",
        ] {
            assert_eq!(parse_datetime(&t(bad)), None, "{bad}");
        }
    }

    #[test]
    fn year_last_dates_report_which_order_they_prove() {
        let cases: &[(&str, &str, DayOrder)] = &[
            ("12/25/2010 8:26", "2010-12-25 08:26:00", DayOrder::MonthFirst),
            ("25/12/2010", "2010-12-25 00:00:00", DayOrder::DayFirst),
            ("25.12.2010 14:05", "2010-12-25 14:05:00", DayOrder::DayFirst),
            ("12/1/2010 8:26", "2010-12-01 08:26:00", DayOrder::Ambiguous),
            ("05.03.2025", "2025-03-05 00:00:00", DayOrder::DayFirst),
            ("3/5/25", "2025-03-05 00:00:00", DayOrder::Ambiguous),
            ("12/25/10", "2010-12-25 00:00:00", DayOrder::MonthFirst),
            ("5/5/2011", "2011-05-05 00:00:00", DayOrder::YearFirst),
            ("11-Feb-13", "2013-02-11 00:00:00", DayOrder::YearFirst),
            ("05-Jan-2021 10:30", "2021-01-05 10:30:00", DayOrder::YearFirst),
            ("Jan 5, 2021 1:05 PM", "2021-01-05 13:05:00", DayOrder::YearFirst),
            ("Tue, 05 Sept 2023 08:00:00 GMT", "2023-09-05 08:00:00", DayOrder::YearFirst),
            ("2021-Mar-07", "2021-03-07 00:00:00", DayOrder::YearFirst),
            ("2011-05-06", "2011-05-06 00:00:00", DayOrder::YearFirst),
        ];
        for (s, want, order) in cases {
            assert_eq!(parse_datetime_ordered(&t(s)), Some((dt(want), *order)), "{s}");
        }
        assert_eq!(swap_day_month(dt("2010-12-01 08:26:00")), Some(dt("2010-01-12 08:26:00")));
    }

    #[test]
    fn excel_serials_and_numeric_dates() {
        assert_eq!(parse_datetime(&Cell::Number(45721.0)), Some(dt("2025-03-05 00:00:00")));
        assert_eq!(parse_datetime(&Cell::Number(45721.5)), Some(dt("2025-03-05 12:00:00")));
        assert_eq!(parse_datetime(&Cell::Number(20250305.0)), Some(dt("2025-03-05 00:00:00")));
        assert_eq!(parse_datetime(&Cell::Number(1741155730.0)), Some(dt("2025-03-05 14:22:10")));
        assert_eq!(parse_datetime(&Cell::DateTime(dt("2025-03-05 14:22:10"))), Some(dt("2025-03-05 14:22:10")));
        assert_eq!(parse_datetime(&Cell::Number(-1.0)), None);
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic_on_any_text(s in "\\PC{0,40}") {
            let _ = parse_amount_text(&s);
            let _ = parse_datetime_text(&s);
            let _ = parse_number(&Cell::Text(s.clone()));
            let _ = parse_id(&Cell::Text(s.clone()));
            let _ = normalize_key(&s);
            let _ = crate::mapping::match_header(&s);
        }

        #[test]
        fn parsers_never_panic_on_digit_soup(s in "[-+0-9.,:/ 年月日¥()eE]{0,40}") {
            let _ = parse_amount_text(&s);
            let _ = parse_datetime_text(&s);
        }

        #[test]
        fn amounts_round_trip_exactly(cents in -99_999_999_999i64..99_999_999_999i64) {
            let (sign, abs) = if cents < 0 { ("-", -cents) } else { ("", cents) };
            let plain = format!("{sign}{}.{:02}", abs / 100, abs % 100);
            proptest::prop_assert_eq!(parse_amount_text(&plain), Some(cents));
            let yuan = abs / 100;
            let grouped = yuan.to_string().as_bytes().rchunks(3).rev().map(|c| std::str::from_utf8(c).unwrap_or("")).collect::<Vec<_>>().join(",");
            let shown = format!("{sign}¥{grouped}.{:02}", abs % 100);
            proptest::prop_assert_eq!(parse_amount_text(&shown), Some(cents));
            proptest::prop_assert_eq!(parse_amount(&Cell::Number(cents as f64 / 100.0)), Some(cents));
        }
    }

    #[test]
    fn counts_parse_from_text_and_numbers() {
        assert_eq!(parse_number(&t("３")), Some(3.0));
        assert_eq!(parse_number(&t("1,200")), Some(1200.0));
        assert_eq!(parse_number(&t("3件")), Some(3.0));
        assert_eq!(parse_number(&Cell::Number(2.0)), Some(2.0));
        assert_eq!(parse_number(&t("abc")), None);
    }
}

//! Customer text on its way into a spreadsheet cell: characters xlsx cannot hold are dropped, over-long
//! text is cut to Excel's cell limit, phones are masked, and display widths are measured for columns.
//!
//! Deliberately not here: formula neutralization for the workbook (every text cell is written with
//! `write_string`, so a nickname such as `=HYPERLINK(…)` is stored as text and never needs changing);
//! the CSV's own neutralization lives in `export::csv`.

use std::borrow::Cow;

use unicode_width::UnicodeWidthChar;

/// Excel's limit on the characters in one cell (counted in UTF-16 units).
const MAX_CELL_UTF16: usize = 32_767;

/// Drops characters an xlsx cell cannot carry (C0 controls other than tab and line feed, the
/// non-characters U+FFFE/U+FFFF) and cuts text longer than Excel's cell limit.
///
/// Dropping rather than failing: a stray control character in a nickname must not cost the user
/// the whole export. Borrowed when nothing needs changing, which is nearly always.
pub(crate) fn cell_text(text: &str) -> Cow<'_, str> {
    let unfit =
        |c: char| (c.is_control() && c != '\t' && c != '\n' && (c as u32) < 0x20) || c == '\u{FFFE}' || c == '\u{FFFF}';
    // Cheap test first: most cells are short and clean.
    let needs_cut = text.len() > MAX_CELL_UTF16 && text.encode_utf16().count() > MAX_CELL_UTF16;
    if !needs_cut && !has_unfit_bytes(text.as_bytes()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(MAX_CELL_UTF16 * 3));
    let mut units = 0;
    for c in text.chars().filter(|&c| !unfit(c)) {
        units += c.len_utf16();
        if units > MAX_CELL_UTF16 {
            break;
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Whether `bytes` (UTF-8) hold a character [`cell_text`] drops: a C0 control other than tab and line
/// feed (one byte below 0x20) or U+FFFE/U+FFFF (`EF BF BE`, `EF BF BF`).
///
/// Every text cell of an export passes here (millions at a million orders), and Chinese sentences are
/// full of fullwidth punctuation that also starts with `EF` (`，` is `EF BC 8C`): so a branch-free pass
/// for the controls, and only the `EF` bytes looked at closely.
fn has_unfit_bytes(bytes: &[u8]) -> bool {
    let controls = bytes.iter().fold(0u8, |seen, &b| seen | u8::from(b < 0x20 && b != b'\t' && b != b'\n'));
    controls != 0 || has_noncharacter(bytes)
}

/// Whether `bytes` (UTF-8) hold U+FFFE or U+FFFF (`EF BF BE`, `EF BF BF`). Searched as `EF BF`, which
/// Chinese text rarely has (the fullwidth forms up to U+FFBF are `EF BC`–`EF BE`; `EF BF` is U+FFC0 and
/// up, such as ￥ U+FFE5), rather than at every `EF` byte, which every fullwidth comma starts with.
pub(crate) fn has_noncharacter(bytes: &[u8]) -> bool {
    static EF_BF: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\xEF\xBF"));
    EF_BF.find_iter(bytes).any(|at| matches!(bytes.get(at + 2), Some(0xBE | 0xBF)))
}

/// Masks a phone number as `138****1234`: the first three and last four digits of a mobile number
/// stay, the rest become `*`. Text that is already masked (contains `*`) is kept as it is; the `+86`
/// country prefix is dropped; short numbers keep only their last two digits.
pub fn mask_phone(phone: &str) -> String {
    if phone.contains('*') {
        return phone.trim().to_string();
    }
    let mut digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 13 && digits.starts_with(&['8', '6']) {
        digits.drain(..2);
    }
    match digits.len() {
        0 => String::new(),
        n if n >= 7 => {
            let head: String = digits[..3].iter().collect();
            let tail: String = digits[n - 4..].iter().collect();
            format!("{head}****{tail}")
        }
        n => {
            let keep = n.min(2);
            let stars = "*".repeat(n - keep);
            let tail: String = digits[n - keep..].iter().collect();
            format!("{stars}{tail}")
        }
    }
}

/// Display width in "Excel character" units: CJK and emoji count two, others one.
pub(crate) fn display_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_dropped_but_tab_and_newline_stay() {
        assert_eq!(cell_text("a\u{0}b\u{7}c\td\ne\u{FFFF}"), "abc\td\ne");
        assert!(matches!(cell_text("小明 🙂"), Cow::Borrowed(_)));
    }

    #[test]
    fn only_the_characters_xlsx_cannot_hold_make_a_copy() {
        // Fullwidth punctuation and other characters that start with EF stay borrowed.
        for clean in ["累计消费 ¥608，位于前 20%（累计 95.2%）", "\u{FFFD}\u{FFEE}\u{FEFF}", "a\tb\nc", ""]
        {
            assert!(matches!(cell_text(clean), Cow::Borrowed(_)), "{clean:?}");
        }
        for (dirty, kept) in
            [("a\u{FFFE}b", "ab"), ("\u{FFFF}", ""), ("，\u{1F}，", "，，"), ("x\ry", "xy"), ("末尾\u{FFFF}", "末尾")]
        {
            assert_eq!(cell_text(dirty), kept, "{dirty:?}");
        }
        // The byte test agrees with the character rule on every character up to U+FFFF and beyond.
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            let unfit = ((c as u32) < 0x20 && c != '\t' && c != '\n') || c == '\u{FFFE}' || c == '\u{FFFF}';
            let text = format!("好{c}好");
            assert_eq!(has_unfit_bytes(text.as_bytes()), unfit, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn text_longer_than_an_excel_cell_is_cut_at_the_limit() {
        let long = "客".repeat(40_000);
        assert_eq!(cell_text(&long).chars().count(), MAX_CELL_UTF16);
        // An astral character (two UTF-16 units) never gets split in half.
        let astral = "𠮷".repeat(20_000);
        assert_eq!(cell_text(&astral).encode_utf16().count(), MAX_CELL_UTF16 - 1);
    }

    #[test]
    fn mobile_numbers_are_masked_in_the_middle() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("+86 138 0013 8000"), "138****8000");
        assert_eq!(mask_phone("138****1234"), "138****1234");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_phone("无"), "");
    }

    #[test]
    fn cjk_counts_double_width() {
        assert_eq!(display_width("A类客户"), 7);
        assert_eq!(display_width("abc"), 3);
    }
}

//! One CSV per tier for SMS / WeChat tagging tools: UTF-8 with a BOM (so Excel on Chinese Windows
//! opens it as UTF-8), the tier sheets' columns, plain numbers and `yyyy-mm-dd` dates.
//!
//! Two Excel hazards are handled here, and how is a deliberate choice:
//! - **Formula injection.** Text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets
//!   a leading `'` (the OWASP advice), so Excel shows it as text instead of evaluating it.
//! - **Long ids.** Excel turns an all-digit id such as a 19-digit openid or order number into a float
//!   and loses digits. Such ids get a leading tab: Excel then keeps the cell as text, and the tab is
//!   whitespace that tagging tools trim. The alternative `="…"` is itself a formula, and an id with a
//!   quote in it could break out of it, so it is not used.
//!
//! The xlsx workbook needs neither trick (it stores text cells as text); the CSV is for tools.

use std::borrow::Cow;
use std::io::Write;

use chrono::NaiveDate;

use super::table::{Table, Value};
use super::text::cell_text;
use crate::model::Cents;

/// Neutralizes text Excel would read as a formula.
pub(crate) fn neutralize(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Keeps an id Excel would turn into a number (all digits, long or with a leading zero) as text.
pub(crate) fn keep_id_as_text(id: &str) -> Cow<'_, str> {
    let digits = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    if digits && (id.len() >= 12 || id.starts_with('0')) {
        Cow::Owned(format!("\t{id}"))
    } else {
        neutralize(id)
    }
}

fn money(cents: Cents) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Writes the rows `rows` of `table` as CSV (BOM, header, one line per customer) to `out`.
pub(crate) fn write_tier<W: Write>(out: W, table: &Table, rows: &[usize]) -> ::csv::Result<()> {
    let mut out = out;
    out.write_all("\u{FEFF}".as_bytes())?;
    let mut writer = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(out);
    writer.write_record(table.columns.iter().map(|c| c.header(table.lang)))?;
    let mut record: Vec<String> = Vec::with_capacity(table.columns.len());
    for &index in rows {
        let row = table.row(index);
        record.clear();
        for (c, column) in table.columns.iter().enumerate() {
            let field = match table.value(&row, *column) {
                Value::Text(t) => {
                    let clean = cell_text(&t);
                    if c == 0 {
                        keep_id_as_text(&clean).into_owned()
                    } else {
                        neutralize(&clean).into_owned()
                    }
                }
                Value::Int(v) => v.to_string(),
                Value::Money(v) => money(v),
                Value::Number(v) => v.to_string(),
                Value::Date(d) => date(d),
                Value::Empty => String::new(),
            };
            record.push(field);
        }
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_bait_gets_an_apostrophe() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+86 138"), "'+86 138");
        assert_eq!(neutralize("-_-"), "'-_-");
        assert_eq!(neutralize("@echo off"), "'@echo off");
        assert_eq!(neutralize("小明"), "小明");
    }

    #[test]
    fn long_numeric_ids_get_a_tab_but_openids_do_not() {
        assert_eq!(keep_id_as_text("1234567890123456789"), "\t1234567890123456789");
        assert_eq!(keep_id_as_text("00123"), "\t00123");
        assert_eq!(keep_id_as_text("oAbc_123"), "oAbc_123");
        assert_eq!(keep_id_as_text("=1+1"), "'=1+1");
    }

    #[test]
    fn money_is_exact_to_the_cent() {
        assert_eq!(money(123456), "1234.56");
        assert_eq!(money(-5), "-0.05");
        assert_eq!(money(0), "0.00");
    }
}

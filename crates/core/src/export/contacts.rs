//! The contact list as a CSV for SMS / 企业微信 tagging tools (name, phone masked or not, tags, the
//! action), and the phone rule the workbook's 本周该联系 sheet shares with it.
//!
//! Who is on the list and in which order is `contacts`' decision; this module only lays it out.

use std::io::Write;

use super::csv::{keep_id_as_text, neutralize};
use super::labels::{self, pick};
use super::text::{cell_text, mask_phone};
use crate::contacts::{self, Contact, ContactList};
use crate::model::Lang;

/// The phone as the export shows it: in full when asked, else masked (138****1234).
pub(crate) fn phone(contact: &Contact, keep_phones: bool) -> String {
    match &contact.phone {
        Some(p) if keep_phones => p.clone(),
        Some(p) => mask_phone(p),
        None => String::new(),
    }
}

/// The tags for a tagging tool, joined by commas: tier, segment, state.
fn tag_line(contact: &Contact, lang: Lang) -> String {
    contacts::tags(contact, lang, |s| labels::segment_name(s, lang).into_owned()).join(",")
}

/// Writes the contact list as CSV rows for tagging tools (BOM, header, one line per contact) to `out`.
pub(crate) fn write_rows<W: Write>(out: W, list: &ContactList, lang: Lang, keep_phones: bool) -> ::csv::Result<()> {
    let mut out = out;
    out.write_all("\u{FEFF}".as_bytes())?;
    let mut writer = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(out);
    writer.write_record([
        pick(lang, "客户ID", "Customer ID"),
        pick(lang, "客户名称", "Name"),
        pick(lang, "手机号", "Phone"),
        pick(lang, "标签", "Tags"),
        pick(lang, "联系日期", "Contact on"),
        pick(lang, "下次跟进", "Follow up on"),
        pick(lang, "建议动作", "Action"),
        pick(lang, "渠道", "Channel"),
        pick(lang, "原因", "Reason"),
    ])?;
    for c in &list.contacts {
        let text = |t: &str| neutralize(&cell_text(t)).into_owned();
        writer.write_record([
            keep_id_as_text(&cell_text(&c.key)).into_owned(),
            text(&c.name),
            text(&phone(c, keep_phones)),
            text(&tag_line(c, lang)),
            c.contact_on.format("%Y-%m-%d").to_string(),
            c.follow_up_on.format("%Y-%m-%d").to_string(),
            text(c.action.get(lang)),
            text(c.channel.get(lang)),
            text(c.reason.get(lang)),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

//! The contact list in the exports: the workbook's 本周该联系 sheet (this week's list, ranked, with the
//! reason, action, channel and dates) and a CSV for SMS / 企业微信 tagging tools (name, phone masked or
//! not, tags, the action).
//!
//! Who is on the list and in which order is `contacts`' decision; this module only lays it out.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{RowNum, Workbook};

use super::csv::{keep_id_as_text, neutralize};
use super::labels::{self, pick};
use super::table::Table;
use super::text::{cell_text, mask_phone};
use super::workbook::{list_print_setup, write_date, write_headers, write_text, write_text_with, Formats, Step};
use super::{stage, write_error, PlacedFile, StagedFile};
use crate::contacts::{self, Contact, ContactList, ContactOptions, Period};
use crate::error::Result;
use crate::model::{yuan, Lang};
use crate::rhythm::Rhythms;

/// The phone as the export shows it: in full when asked, else masked (138****1234).
fn phone(contact: &Contact, keep_phones: bool) -> String {
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

/// The 本周该联系 sheet: this week's contact list of the exported customers.
pub(super) fn sheet(workbook: &mut Workbook, table: &Table, rhythms: &Rhythms, f: &Formats) -> Step {
    let lang = table.lang;
    let input = table.input;
    // The table already checked that customers, assignments and rhythms belong together.
    let Ok(list) = contacts::contact_list(
        input.customers,
        input.classification,
        rhythms,
        input.playbook,
        ContactOptions::default(),
    ) else {
        return Ok(());
    };
    let has_segments = list.contacts.iter().any(|c| c.segment.is_some());
    let mut headers = vec![
        pick(lang, "排名", "Rank"),
        pick(lang, "客户ID", "Customer ID"),
        pick(lang, "客户名称", "Name"),
        pick(lang, "手机号", "Phone"),
        pick(lang, "分层", "Tier"),
    ];
    if has_segments {
        headers.push(pick(lang, "细分群组", "Segment"));
    }
    headers.extend([
        pick(lang, "回购状态", "Rhythm state"),
        pick(lang, "联系日期", "Contact on"),
        pick(lang, "下次跟进", "Follow up on"),
        pick(lang, "客单价", "AOV"),
        pick(lang, "逾期倍数", "Overdue ratio"),
        pick(lang, "关注价值", "Value at stake"),
        pick(lang, "原因", "Reason"),
        pick(lang, "建议动作", "Action"),
        pick(lang, "渠道", "Channel"),
    ]);
    let ws = workbook.add_worksheet();
    ws.set_name(Period::Week.title(lang))?;
    list_print_setup(ws, 3)?;
    write_headers(ws, 0, &headers, f)?;
    ws.set_row_height(0, 30)?;
    ws.set_freeze_panes(1, 3)?;
    let widths = [6.0, 16.0, 14.0, 14.0, 8.0];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let rest = headers.len() - widths.len();
    for c in 0..rest {
        // Reason and action are sentences; the rest are short.
        let w = if c + 3 >= rest { 40.0 } else { 12.0 };
        ws.set_column_width((widths.len() + c) as u16, w)?;
    }
    if list.contacts.is_empty() {
        let none = pick(lang, "本周没有到期该联系的客户。", "Nobody is due for contact this week.");
        write_text_with(ws, 1, 1, none, &f.subtitle)?;
        return Ok(());
    }
    ws.autofilter(0, 0, list.contacts.len() as RowNum, (headers.len() - 1) as u16)?;
    for (n, contact) in list.contacts.iter().enumerate() {
        let r = n as RowNum + 1;
        ws.write_number(r, 0, f64::from(contact.rank))?;
        write_text(ws, r, 1, &contact.key)?;
        write_text(ws, r, 2, &contact.name)?;
        write_text(ws, r, 3, &phone(contact, table.keep_phones))?;
        write_text_with(ws, r, 4, &labels::tier_cell(contact.tier, lang), &f.center)?;
        let mut c = 5;
        if has_segments {
            if let Some(s) = &contact.segment {
                write_text(ws, r, c, table.segment(s))?;
            }
            c += 1;
        }
        write_text(ws, r, c, contact.state.label(lang))?;
        write_date(ws, r, c + 1, contact.contact_on, &f.date)?;
        write_date(ws, r, c + 2, contact.follow_up_on, &f.date)?;
        ws.write_number_with_format(r, c + 3, yuan(contact.aov), &f.money)?;
        ws.write_number(r, c + 4, (contact.overdue_ratio * 100.0).round() / 100.0)?;
        ws.write_number_with_format(r, c + 5, yuan(contact.value_at_stake), &f.money)?;
        write_text(ws, r, c + 6, contact.reason.get(lang))?;
        write_text(ws, r, c + 7, contact.action.get(lang))?;
        write_text(ws, r, c + 8, contact.channel.get(lang))?;
    }
    Ok(())
}

fn write_rows<W: Write>(out: W, list: &ContactList, lang: Lang, keep_phones: bool) -> ::csv::Result<()> {
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

/// The contact list as a CSV for SMS / 企业微信 tagging tools, complete in a temp file beside `path`
/// (UTF-8 with BOM; columns 客户ID, 客户名称, 手机号, 标签 = "A类,重要价值客户,该联系了", 联系日期,
/// 下次跟进, 建议动作, 渠道, 原因; phones masked unless `keep_phones`; the same formula and long-id
/// guards as the tier CSVs).
///
/// # Errors
/// `Write` when the folder is not writable; nothing is left behind.
pub fn stage_contacts_csv(path: &Path, list: &ContactList, lang: Lang, keep_phones: bool) -> Result<StagedFile> {
    stage(path, |file| write_rows(BufWriter::new(file), list, lang, keep_phones).map_err(|e| write_error(path, e)))
}

/// [`stage_contacts_csv`], then put in place atomically; returns the path written.
///
/// # Errors
/// `Write` when the folder is not writable or the file is open in Excel/WPS; an existing file at
/// `path` is then untouched.
pub fn write_contacts_csv(path: &Path, list: &ContactList, lang: Lang, keep_phones: bool) -> Result<PathBuf> {
    stage_contacts_csv(path, list, lang, keep_phones)?.place().map(PlacedFile::keep)
}

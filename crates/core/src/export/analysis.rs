//! The 地区/Regions sheet (tier mix by province, table and stacked bar chart) and the
//! 同期群/Cohorts sheet (share ordering and revenue per customer by first-order month × M+k, each
//! with a colour scale). They show what `region` and `cohort` computed; nothing is worked out here
//! but totals and shares.

use rust_xlsxwriter::{ConditionalFormat3ColorScale, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::charts::{self, MixBlock};
use super::labels::pick;
use super::table::Table;
use crate::cohort::{CohortRow, CohortTable, MONTHS};
use crate::model::{yuan, Lang, Tier};
use crate::region::{self, RegionRow};

pub(super) const MONEY: &str = "¥#,##0.00";
const PERCENT: &str = "0.0%";

/// The header row of the analysis sheets (地区, 同期群, 商品).
pub(super) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(0xDCE6F1)
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap()
}

/// The 地区 sheet: one row per province with customers per tier, shares and revenue, a total row
/// and the stacked bar chart beside it.
pub(crate) fn region_sheet(workbook: &mut Workbook, table: &Table) -> Result<(), XlsxError> {
    let lang = table.lang;
    let input = table.input;
    let rows: Vec<RegionRow> = region::tier_mix_of(input.customers, input.classification, &|i| table.province(i));
    let tiers: Vec<Tier> = table.tiers.keys().copied().collect();
    let sheet = pick(lang, "地区", "Regions");
    let ws = workbook.add_worksheet();
    ws.set_name(sheet)?;
    let (title, header) = (Format::new().set_bold().set_font_size(16), header_format());
    // Number formats of a province row and of the bold total row: [label, count, percent, money].
    let plain = [
        Format::new(),
        Format::new().set_num_format("#,##0"),
        Format::new().set_num_format(PERCENT),
        Format::new().set_num_format(MONEY),
    ];
    let total_row = plain.clone().map(|f| f.set_bold().set_border_top(FormatBorder::Thin));
    ws.write_string_with_format(0, 0, pick(lang, "各省客户分层", "Tiers by province"), &title)?;
    ws.write_string(
        1,
        0,
        pick(
            lang,
            "客户按最近一次带地址订单的收货省份归属；“未知”= 地址无法识别。分层是全店的分层。",
            "Each customer counts in the province of their latest order with an address; 未知 = unknown. Tiers are the whole shop's.",
        ),
    )?;
    let mut headers: Vec<String> = vec![
        pick(lang, "省份", "Province").into(),
        pick(lang, "客户数", "Customers").into(),
        pick(lang, "客户占比", "Share").into(),
    ];
    headers.extend(tiers.iter().map(|t| t.label(lang)));
    headers.extend([
        pick(lang, "A类占比", "Tier A share").to_string(),
        pick(lang, "消费金额", "Revenue").into(),
        pick(lang, "人均消费", "Revenue per customer").into(),
    ]);
    let top = 3;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, h, &header)?;
    }
    let total: u32 = rows.iter().map(|r| r.customers).sum();
    let share = |part: u32, whole: u32| if whole == 0 { 0.0 } else { f64::from(part) / f64::from(whole) };
    let tier_col = 3u16;
    let after = tier_col + tiers.len() as u16;
    let write_row = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, row: &RegionRow, f: &[Format; 4]| {
        let [label, int, percent, money] = f;
        ws.write_string_with_format(r, 0, &row.province, label)?;
        ws.write_number_with_format(r, 1, f64::from(row.customers), int)?;
        ws.write_number_with_format(r, 2, share(row.customers, total), percent)?;
        for (i, tier) in tiers.iter().enumerate() {
            let n = Tier::ALL.iter().position(|t| t == tier).map_or(0, |t| row.tiers[t]);
            ws.write_number_with_format(r, tier_col + i as u16, f64::from(n), int)?;
        }
        ws.write_number_with_format(r, after, share(row.tiers[0], row.customers), percent)?;
        ws.write_number_with_format(r, after + 1, yuan(row.revenue), money)?;
        let per = if row.customers == 0 { 0.0 } else { yuan(row.revenue) / f64::from(row.customers) };
        ws.write_number_with_format(r, after + 2, per, money)?;
        Ok::<(), XlsxError>(())
    };
    for (i, row) in rows.iter().enumerate() {
        write_row(ws, top + 1 + i as u32, row, &plain)?;
    }
    let last = top + rows.len() as u32;
    let mut all =
        RegionRow { province: pick(lang, "合计", "Total").into(), customers: total, tiers: [0; 4], revenue: 0 };
    for row in &rows {
        all.revenue = all.revenue.saturating_add(row.revenue);
        for t in 0..4 {
            all.tiers[t] += row.tiers[t];
        }
    }
    write_row(ws, last + 1, &all, &total_row)?;
    ws.set_column_width(0, 12)?;
    ws.set_column_range_width(1, after, 10)?;
    // Room for ¥12,345,678.90 in the bold total row.
    ws.set_column_range_width(after + 1, after + 2, 16)?;
    // Printed on one page wide, landscape, so the chart stays beside its table.
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    ws.set_freeze_panes(top + 1, 1)?;
    if !rows.is_empty() {
        let chart_rows = rows.len().min(20) as u32;
        let block = MixBlock { sheet, first: top + 1, last: top + chart_rows, first_col: tier_col, tiers: &tiers };
        ws.insert_chart(top, after + 4, &charts::tier_mix(&block, lang))?;
    }
    Ok(())
}

/// One cell of a cohort block: M+k of a row, `None` after the as-of month.
type CellValue = fn(&CohortRow, usize) -> Option<f64>;

/// The 同期群 sheet: two blocks of first-order month × M+0…M+11 (share who ordered, revenue per
/// cohort customer), months after the as-of date left blank, each block with a colour scale.
pub(crate) fn cohort_sheet(workbook: &mut Workbook, cohorts: &CohortTable, lang: Lang) -> Result<(), XlsxError> {
    let ws = workbook.add_worksheet();
    ws.set_name(pick(lang, "同期群", "Cohorts"))?;
    let header = header_format();
    ws.write_string_with_format(
        0,
        0,
        pick(lang, "同期群：新客户之后每月的回购", "Cohorts: how new customers come back"),
        &Format::new().set_bold().set_font_size(16),
    )?;
    let note = match lang {
        Lang::Zh => format!(
            "按首单月份分组。M+0 是首单当月，M+k 是之后第 k 个月。基准日 {}；之后的月份还没有发生，留空（不是 0）。",
            cohorts.as_of
        ),
        Lang::En => format!(
            "Customers grouped by the month of their first order. M+0 is that month, M+k the k-th month after. As of {}; later months have not happened and are blank (not 0).",
            cohorts.as_of
        ),
    };
    ws.write_string(1, 0, &note)?;
    // (title, number format, cell value, first M+k coloured): M+0 of the share is 100 % by definition and
    // would wash out the scale of the months that matter, so the share's scale starts at M+1.
    let blocks: [(&str, Format, CellValue, u16); 2] = [
        (
            pick(
                lang,
                "当月下单客户占比（下单客户数 ÷ 同期群客户数）",
                "Share who ordered that month (customers ordering ÷ cohort size)",
            ),
            Format::new().set_num_format(PERCENT),
            CohortRow::share,
            1,
        ),
        (
            pick(lang, "人均消费（当月消费金额 ÷ 同期群客户数，元）", "Revenue per cohort customer that month (¥)"),
            Format::new().set_num_format(MONEY),
            CohortRow::revenue_per_customer,
            0,
        ),
    ];
    let mut r = 3u32;
    for (title, format, value, coloured_from) in blocks {
        ws.write_string_with_format(r, 0, title, &Format::new().set_bold().set_font_color(0x1F4E79))?;
        r += 1;
        ws.write_string_with_format(r, 0, pick(lang, "首单月份", "First month"), &header)?;
        ws.write_string_with_format(r, 1, pick(lang, "客户数", "Customers"), &header)?;
        for k in 0..MONTHS {
            ws.write_string_with_format(r, 2 + k as u16, format!("M+{k}"), &header)?;
        }
        let first = r + 1;
        for row in &cohorts.rows {
            r += 1;
            ws.write_string(r, 0, &row.month)?;
            ws.write_number(r, 1, f64::from(row.customers))?;
            for k in 0..MONTHS {
                if let Some(v) = value(row, k) {
                    ws.write_number_with_format(r, 2 + k as u16, v, &format)?;
                }
            }
        }
        if r >= first {
            // White (low) → green (high); blank cells take no colour.
            let scale = ConditionalFormat3ColorScale::new()
                .set_minimum_color(0xFFFFFF)
                .set_midpoint_color(0xA5D6A7)
                .set_maximum_color(0x2E7D32);
            ws.add_conditional_format(first, 2 + coloured_from, r, 1 + MONTHS as u16, &scale)?;
        }
        r += 2;
    }
    ws.set_column_width(0, 12)?;
    ws.set_column_range_width(1, 1 + MONTHS as u16, 10)?;
    ws.set_freeze_panes(5, 2)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    Ok(())
}

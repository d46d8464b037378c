//! The tiered workbook's sheets: 概览/Summary (KPIs, per-tier and per-segment tables, chart data and
//! native charts), one sheet per tier, 本周该联系 (when the input has rhythms), 服务策略/Playbook,
//! 分层变化/Migration and 说明/Method.
//!
//! Every piece of customer text goes through `write_string` (never `write`), or into a list's rows as
//! an inline string (`rows::SheetRows` has no formulas), so text such as `=HYPERLINK(…)` or
//! `+86 138…` is stored as a string and can never become a formula.
//! Saving, splicing the lists' rows in and the atomic rename are the caller's
//! (`export::write_workbook`).

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, RowNum, Workbook, Worksheet, XlsxError};

use super::analysis;
use super::charts::{self, ParetoBlock, TierBlock};
use super::labels::{self, pick};
use super::package::ListPart;
use super::rows::{SheetRows, Styles, WrittenRows};
use super::table::{Column, Table, Value};
use super::text::{cell_text, display_width};
use super::{ExportOptions, Ticker};
use crate::model::{yuan, Cents, Lang, Tier};

/// Why building the workbook stopped.
pub(crate) enum Stop {
    Xlsx(XlsxError),
    Cancelled,
}

impl From<XlsxError> for Stop {
    fn from(e: XlsxError) -> Self {
        Stop::Xlsx(e)
    }
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        Stop::Xlsx(XlsxError::IoError(e))
    }
}

type Step<T = ()> = std::result::Result<T, Stop>;

/// Data rows that fit on one sheet under the header (Excel's limit is 1,048,576 rows).
const MAX_DATA_ROWS: usize = 1_048_575;

const MONEY: &str = "¥#,##0.00";
const DATE: &str = "yyyy-mm-dd";
const PERCENT: &str = "0.0%";

/// The formats used across sheets, created once.
struct Formats {
    title: Format,
    subtitle: Format,
    section: Format,
    header: Format,
    label: Format,
    money: Format,
    date: Format,
    percent: Format,
    int: Format,
    total_label: Format,
    total_int: Format,
    total_money: Format,
    total_percent: Format,
    wrap: Format,
    center: Format,
    date_left: Format,
    top: Format,
}

impl Formats {
    fn new() -> Self {
        let header = Format::new()
            .set_bold()
            .set_background_color(0xDCE6F1)
            .set_border_bottom(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let total = Format::new().set_bold().set_border_top(FormatBorder::Thin);
        Formats {
            title: Format::new().set_bold().set_font_size(16),
            subtitle: Format::new().set_font_color(0x595959),
            section: Format::new().set_bold().set_font_size(12).set_font_color(0x1F4E79),
            header,
            label: Format::new().set_bold().set_align(FormatAlign::Top),
            money: Format::new().set_num_format(MONEY),
            date: Format::new().set_num_format(DATE).set_align(FormatAlign::Center),
            percent: Format::new().set_num_format(PERCENT),
            int: Format::new().set_num_format("#,##0"),
            total_label: total.clone(),
            total_int: total.clone().set_num_format("#,##0"),
            total_money: total.clone().set_num_format(MONEY),
            total_percent: total.set_num_format(PERCENT),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            center: Format::new().set_align(FormatAlign::Center),
            top: Format::new().set_align(FormatAlign::Top),
            date_left: Format::new().set_num_format(DATE).set_align(FormatAlign::Left).set_align(FormatAlign::Top),
        }
    }
}

/// Days since 1899-12-30: how Excel stores a date. Dates before 1900-03-01 have no faithful
/// serial (Excel's 1900 leap-year bug), so they are written as text instead.
fn excel_serial(date: NaiveDate) -> Option<f64> {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let min = NaiveDate::from_ymd_opt(1900, 3, 1)?;
    (date >= min && date.year() <= 9999).then(|| (date - epoch).num_days() as f64)
}

/// `format`: the cell's own, or `None` for the column's (a tier sheet's, see `column_format`).
fn write_date(ws: &mut Worksheet, row: RowNum, col: u16, date: NaiveDate, format: Option<&Format>) -> Step {
    match excel_serial(date) {
        Some(serial) => write_number(ws, row, col, serial, format)?,
        None => {
            ws.write_string(row, col, date.to_string())?;
        }
    };
    Ok(())
}

/// A number cell; `format` as for `write_date`.
fn write_number(ws: &mut Worksheet, row: RowNum, col: u16, number: f64, format: Option<&Format>) -> Step {
    match format {
        Some(format) => ws.write_number_with_format(row, col, number, format)?,
        None => ws.write_number(row, col, number)?,
    };
    Ok(())
}

/// Writes customer or generated text as a string cell, cleaned of characters xlsx cannot hold.
fn write_text(ws: &mut Worksheet, row: RowNum, col: u16, text: &str) -> Step {
    ws.write_string(row, col, cell_text(text))?;
    Ok(())
}

fn write_text_with(ws: &mut Worksheet, row: RowNum, col: u16, text: &str, format: &Format) -> Step {
    ws.write_string_with_format(row, col, cell_text(text), format)?;
    Ok(())
}

/// A list's date cell: as `write_date`, into the rows of `rows`.
fn row_date(rows: &mut SheetRows, row: RowNum, col: u16, date: NaiveDate, format: Option<&Format>) -> Step {
    match excel_serial(date) {
        Some(serial) => rows.number(row, col, serial, format)?,
        None => rows.text(row, col, &date.to_string(), None)?,
    }
    Ok(())
}

/// A list's text cell: as `write_text`/`write_text_with`, into the rows of `rows`.
fn row_text(rows: &mut SheetRows, row: RowNum, col: u16, text: &str, format: Option<&Format>) -> Step {
    rows.text(row, col, &cell_text(text), format)?;
    Ok(())
}

/// Wrapped text only shows in full when the row is tall enough, and LibreOffice does not grow
/// rows of generated files by itself: set the height from the text's width in the column.
fn fit_row(ws: &mut Worksheet, row: RowNum, text: &str, column_chars: f64) -> Step {
    // Renderers fit fewer wide characters than the nominal width; 0.85 keeps the last line visible.
    let lines = (display_width(text) as f64 / (column_chars * 0.85).max(1.0)).ceil().max(1.0);
    if lines > 1.0 {
        ws.set_row_height(row, 15.0 * lines.min(20.0))?;
    }
    Ok(())
}

fn write_headers(ws: &mut Worksheet, row: RowNum, headers: &[&str], f: &Formats) -> Step {
    for (c, h) in headers.iter().enumerate() {
        write_text_with(ws, row, c as u16, h, &f.header)?;
    }
    Ok(())
}

/// A titled table on the summary sheet: the section title, then a header row tall enough for two
/// lines; returns the first data row.
fn write_section(ws: &mut Worksheet, row: RowNum, title: &str, headers: &[&str], f: &Formats) -> Step<RowNum> {
    write_text_with(ws, row, 0, title, &f.section)?;
    write_headers(ws, row + 1, headers, f)?;
    ws.set_row_height(row + 1, 30)?;
    Ok(row + 2)
}

/// Landscape, one page wide, header row repeated: wide sheets print readably (LibreOffice and
/// Excel otherwise split the columns across pages).
fn print_setup(ws: &mut Worksheet, repeat_header: Option<RowNum>) -> Step {
    ws.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
    if let Some(row) = repeat_header {
        ws.set_repeat_rows(row, row)?;
    }
    Ok(())
}

/// Customer lists are too wide for one readable page (reasons, gaps and actions are sentences):
/// they print at full size over several pages, across then down, each page repeating the header
/// row and the customer's key and name so every printed page says whose row it is.
fn list_print_setup(ws: &mut Worksheet, identity_columns: u16) -> Step {
    ws.set_landscape().set_paper_size(9).set_page_order(false);
    ws.set_repeat_rows(0, 0)?;
    if identity_columns > 0 {
        ws.set_repeat_columns(0, identity_columns - 1)?;
    }
    Ok(())
}

/// Totals of one group of customers (a tier or a segment).
#[derive(Default, Clone)]
struct Totals {
    customers: u64,
    orders: u64,
    revenue: Cents,
}

impl Totals {
    fn aov(&self) -> Cents {
        if self.orders == 0 {
            0
        } else {
            (self.revenue as f64 / self.orders as f64).round() as Cents
        }
    }
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}

/// Builds every sheet the options ask for into `workbook`. The list sheets (tiers, contacts) are in it
/// with their header row only; their rows come back deflated, to be spliced in by `package` (`dir`:
/// where they wait).
pub(crate) fn build(
    workbook: &mut Workbook,
    table: &Table,
    options: &ExportOptions,
    ticker: &Ticker,
    dir: Option<&std::path::Path>,
) -> Step<Vec<ListPart>> {
    let f = Formats::new();
    let lang = table.lang;
    if options.include_summary {
        summary(workbook, table, &f)?;
    }
    let mut parts: Vec<(String, &[usize])> = Vec::new();
    if options.include_tier_sheets {
        for (tier, rows) in &table.tiers {
            // A tier larger than Excel's 1,048,576 rows continues on "C类客户 (2)", …
            let mut chunks = rows.chunks(MAX_DATA_ROWS).enumerate().peekable();
            if chunks.peek().is_none() {
                parts.push((labels::tier_sheet(*tier, lang), &[]));
            }
            for (part, chunk) in chunks {
                let name = match part {
                    0 => labels::tier_sheet(*tier, lang),
                    n => format!("{} ({})", labels::tier_sheet(*tier, lang), n + 1),
                };
                parts.push((name, chunk));
            }
        }
    }
    // The sheets after the lists are small and in memory: they are made on this thread while the
    // lists are written on theirs (at a million orders this thread would otherwise wait ~1 s for the
    // largest tier, with a core idle), then put after the lists.
    let before = workbook.worksheets().len();
    let (tier_sheets, contacts) = list_sheets(workbook, table, parts, &f, ticker, dir, |workbook| {
        later_sheets(workbook, table, options, &f, ticker)
    })?;
    let sheets = workbook.worksheets_mut();
    let later = sheets.split_off(before);
    let mut lists = Vec::new();
    // Sheet files are numbered from 1 in the workbook's order (`xl/worksheets/sheet{n}.xml`).
    for (ws, rows) in tier_sheets.into_iter().chain(contacts) {
        sheets.push(ws);
        lists.push(ListPart { sheet: sheets.len(), rows });
    }
    sheets.extend(later);
    Ok(lists)
}

/// The sheets after the customer lists: playbook, regions, products, cohorts, migration, campaigns
/// and the method, as the options and the input have them.
fn later_sheets(workbook: &mut Workbook, table: &Table, options: &ExportOptions, f: &Formats, ticker: &Ticker) -> Step {
    let lang = table.lang;
    // Checked between sheets: a cancel of the export is not kept waiting for sheets nobody will see.
    let go_on = || if ticker.cancelled() { Err(Stop::Cancelled) } else { Ok(()) };
    if options.include_playbook {
        playbook_sheet(workbook, table, f)?;
    }
    go_on()?;
    if table.input.regions.is_some_and(|r| !r.is_empty()) {
        analysis::region_sheet(workbook, table)?;
    }
    go_on()?;
    if let Some(products) = table.input.products.filter(|p| !p.is_empty()) {
        super::product_sheet::product_sheet(workbook, table, products)?;
    }
    go_on()?;
    if let Some(cohorts) = table.input.cohorts.filter(|c| !c.rows.is_empty()) {
        analysis::cohort_sheet(workbook, cohorts, lang)?;
    }
    if let Some(migration) = table.input.migration {
        migration_sheet(workbook, migration, lang, f)?;
    }
    if !table.input.campaigns.is_empty() {
        campaign_sheet(workbook, table.input.campaigns, lang, f)?;
    }
    if options.include_method {
        method_sheet(workbook, table, f)?;
    }
    go_on()
}

/// The summary's figures, summed in one pass over the customers.
struct Figures<'a> {
    tiers: BTreeMap<Tier, Totals>,
    segments: BTreeMap<&'a str, (Totals, Tier)>,
    all: Totals,
    /// Customers with two orders or more.
    repeat: u64,
    recency_sum: i64,
    first: NaiveDate,
    last: NaiveDate,
}

impl<'a> Figures<'a> {
    fn of(table: &Table<'a>) -> Self {
        let class = table.input.classification;
        let mut tiers: BTreeMap<Tier, Totals> = BTreeMap::new();
        let mut segments: BTreeMap<&str, (Totals, Tier)> = BTreeMap::new();
        let mut all = Totals::default();
        let (mut repeat, mut recency_sum) = (0u64, 0i64);
        let (mut first, mut last) = (NaiveDate::MAX, NaiveDate::MIN);
        for (c, a) in table.input.customers.iter().zip(&class.assignments) {
            for t in [tiers.entry(a.tier).or_default(), &mut all] {
                t.customers += 1;
                t.orders += u64::from(c.orders);
                t.revenue = t.revenue.saturating_add(c.revenue);
            }
            if let Some(s) = a.segment.as_deref() {
                let (t, _) = segments.entry(s).or_insert_with(|| (Totals::default(), a.tier));
                t.customers += 1;
                t.orders += u64::from(c.orders);
                t.revenue = t.revenue.saturating_add(c.revenue);
            }
            repeat += u64::from(c.orders >= 2);
            recency_sum += a.recency_days;
            first = first.min(c.first_order);
            last = last.max(c.last_order);
        }
        for tier in table.tiers.keys() {
            tiers.entry(*tier).or_default();
        }
        Figures { tiers, segments, all, repeat, recency_sum, first, last }
    }
}

fn summary(workbook: &mut Workbook, table: &Table, f: &Formats) -> Step {
    let lang = table.lang;
    let input = table.input;
    let class = input.classification;
    let sheet_name = pick(lang, "概览", "Summary");
    let customers = input.customers;

    let Figures { tiers, segments, all, repeat, recency_sum, first, last } = Figures::of(table);
    let n = all.customers as f64;
    let revenue = yuan(all.revenue);
    let a_tier = tiers.get(&Tier::A).cloned().unwrap_or_default();

    let ws = workbook.add_worksheet();
    ws.set_name(sheet_name)?;
    print_setup(ws, None)?;
    // The summary is a narrow report (tables with the charts below them): portrait prints it near
    // full size, where landscape fit-to-width would shrink it.
    ws.set_portrait();
    ws.set_column_width(0, 32)?;
    for c in 1..=7 {
        ws.set_column_width(c, 14)?;
    }
    write_text_with(ws, 0, 0, pick(lang, "客户分层报告", "Customer tier report"), &f.title)?;
    let subtitle = format!(
        "{}{}    {}{}",
        pick(lang, "方法：", "Method: "),
        class.params.method.name().get(lang),
        pick(lang, "截至日期：", "As of: "),
        class.as_of
    );
    write_text_with(ws, 1, 0, &subtitle, &f.subtitle)?;

    // KPI block.
    let mut r: RowNum = 3;
    write_text_with(ws, r, 0, pick(lang, "关键指标", "Key figures"), &f.section)?;
    r += 1;
    let kpis: [(&str, f64, &Format); 9] = [
        (pick(lang, "客户数", "Customers"), n, &f.int),
        (pick(lang, "订单数", "Orders"), all.orders as f64, &f.int),
        (pick(lang, "消费总额", "Net revenue"), revenue, &f.money),
        (pick(lang, "客单价", "Average order value"), yuan(all.aov()), &f.money),
        (pick(lang, "人均消费", "Revenue per customer"), share(revenue, n), &f.money),
        (pick(lang, "复购客户占比（≥2 单）", "Repeat customers (≥ 2 orders)"), share(repeat as f64, n), &f.percent),
        (pick(lang, "A类客户数占比", "Tier A share of customers"), share(a_tier.customers as f64, n), &f.percent),
        (pick(lang, "A类客户金额占比", "Tier A share of revenue"), share(yuan(a_tier.revenue), revenue), &f.percent),
        (
            pick(lang, "平均距今天数", "Average recency (days)"),
            (share(recency_sum as f64, n) * 10.0).round() / 10.0,
            &f.int,
        ),
    ];
    for (label, value, format) in kpis {
        write_text_with(ws, r, 0, label, &f.label)?;
        ws.write_number_with_format(r, 1, value, format)?;
        r += 1;
    }
    write_text_with(ws, r, 0, pick(lang, "截至日期", "As-of date"), &f.label)?;
    write_date(ws, r, 1, class.as_of, Some(&f.date))?;
    r += 1;
    write_text_with(ws, r, 0, pick(lang, "数据区间", "Orders from – to"), &f.label)?;
    write_text(ws, r, 1, &format!("{first} – {last}"))?;
    r += 2;

    // Per-tier table; the charts read its rows.
    let group_headers = [
        pick(lang, "分层", "Tier"),
        pick(lang, "客户数", "Customers"),
        pick(lang, "客户占比", "Share of customers"),
        pick(lang, "消费金额", "Revenue"),
        pick(lang, "金额占比", "Share of revenue"),
        pick(lang, "客单价", "AOV"),
        pick(lang, "订单数", "Orders"),
    ];
    r = write_section(ws, r, pick(lang, "分层汇总", "Tiers"), &group_headers, f)?;
    let tier_first = r;
    for (tier, t) in &tiers {
        group_row(ws, r, &tier.label(lang), t, n, revenue, f, false)?;
        r += 1;
    }
    let tier_last = r - 1;
    group_row(ws, r, pick(lang, "合计", "Total"), &all, n, revenue, f, true)?;
    profit_columns(ws, tier_first, &crate::products::tier_profits(customers, class), lang, f)?;
    r += 2;

    if !segments.is_empty() {
        let mut headers = group_headers.to_vec();
        headers[0] = pick(lang, "细分群组", "Segment");
        headers.push(pick(lang, "对应分层", "Tier"));
        r = write_section(ws, r, pick(lang, "细分群组汇总", "Segments"), &headers, f)?;
        let mut rows: Vec<_> = segments.iter().collect();
        rows.sort_by(|a, b| b.1 .0.revenue.cmp(&a.1 .0.revenue).then_with(|| a.0.cmp(b.0)));
        for (name, (t, tier)) in rows {
            group_row(ws, r, &labels::segment_name(name, lang), t, n, revenue, f, false)?;
            write_text_with(ws, r, 7, &tier.label(lang), &f.center)?;
            r += 1;
        }
        r += 1;
    }

    // The charts go below the tables, within their width (A–H ≈ 950 px): on screen they follow the
    // figures they show, and the page prints at a readable size. Rows reserved: 310 + 360 px of
    // charts at the default 20 px per row, plus a margin.
    let chart_row = r;
    r += 36;
    // The chart data starts on its own printed page.
    ws.set_page_breaks(&[r])?;

    // Pareto data (≤ 100 points) for the chart, visible so the numbers can be checked.
    let pareto_headers = [
        pick(lang, "累计客户占比", "Share of customers"),
        pick(lang, "区间消费金额", "Revenue in bucket"),
        pick(lang, "累计金额占比", "Cumulative share"),
        pick(lang, "80% 线", "80% line"),
    ];
    r = write_section(ws, r, pick(lang, "帕累托数据（图表用）", "Pareto data (for the chart)"), &pareto_headers, f)?;
    let mut revenues: Vec<Cents> = customers.iter().map(|c| c.revenue).collect();
    revenues.sort_unstable_by(|a, b| b.cmp(a));
    let points = charts::pareto_points(&revenues, 100);
    let pareto_first = r;
    for p in &points {
        ws.write_number_with_format(r, 0, p.customer_share, &f.percent)?;
        ws.write_number_with_format(r, 1, yuan(p.revenue), &f.money)?;
        ws.write_number_with_format(r, 2, p.cumulative_share, &f.percent)?;
        ws.write_number_with_format(r, 3, 0.8, &f.percent)?;
        r += 1;
    }

    let tiers_block =
        TierBlock { sheet: sheet_name, first: tier_first, last: tier_last, customers_col: 1, revenue_col: 3 };
    // Offsets from the same anchor cell, so the charts never overlap whatever the column widths.
    ws.insert_chart_with_offset(chart_row, 0, &charts::tier_doughnut(&tiers_block, lang), 0, 0)?;
    ws.insert_chart_with_offset(chart_row, 0, &charts::tier_revenue(&tiers_block, lang), 490, 0)?;
    if !points.is_empty() {
        let block = ParetoBlock { sheet: sheet_name, first: pareto_first, last: r - 1, col: 0 };
        ws.insert_chart_with_offset(chart_row, 0, &charts::pareto(&block, lang), 0, 310)?;
    }
    ws.set_active(true);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn group_row(
    ws: &mut Worksheet,
    r: RowNum,
    label: &str,
    t: &Totals,
    n: f64,
    revenue: f64,
    f: &Formats,
    total: bool,
) -> Step {
    let (lf, int, money, pct) = if total {
        (&f.total_label, &f.total_int, &f.total_money, &f.total_percent)
    } else {
        (&f.label, &f.int, &f.money, &f.percent)
    };
    write_text_with(ws, r, 0, label, lf)?;
    ws.write_number_with_format(r, 1, t.customers as f64, int)?;
    ws.write_number_with_format(r, 2, share(t.customers as f64, n), pct)?;
    ws.write_number_with_format(r, 3, yuan(t.revenue), money)?;
    ws.write_number_with_format(r, 4, share(yuan(t.revenue), revenue), pct)?;
    ws.write_number_with_format(r, 5, yuan(t.aov()), money)?;
    ws.write_number_with_format(r, 6, t.orders as f64, int)?;
    Ok(())
}

/// 毛利 and 毛利率 beside the tier table (columns H–I), when some customer's profit is known: the
/// profit of each tier's customers whose costs are known, and that over their revenue. Rows follow
/// the table's tiers (`profits` holds the same tiers in the same order) and a total row.
fn profit_columns(
    ws: &mut Worksheet,
    first: RowNum,
    profits: &[crate::products::TierProfit],
    lang: Lang,
    f: &Formats,
) -> Step {
    if profits.is_empty() {
        return Ok(());
    }
    write_text_with(ws, first - 1, 7, pick(lang, "毛利", "Profit"), &f.header)?;
    write_text_with(ws, first - 1, 8, pick(lang, "毛利率", "Margin"), &f.header)?;
    ws.set_column_width(8, 14)?;
    let margin = |p: Cents, rev: Cents| if rev > 0 { p as f64 / rev as f64 } else { 0.0 };
    let mut r = first;
    for t in profits {
        ws.write_number_with_format(r, 7, yuan(t.profit), &f.money)?;
        ws.write_number_with_format(r, 8, margin(t.profit, t.revenue), &f.percent)?;
        r += 1;
    }
    let (p, rev) = profits.iter().fold((0, 0), |(p, rev), t| (p + t.profit, rev + t.revenue));
    ws.write_number_with_format(r, 7, yuan(p), &f.total_money)?;
    ws.write_number_with_format(r, 8, margin(p, rev), &f.total_percent)?;
    Ok(())
}

/// How many of a tier's rows [`text_column_width`] measures: past this, an evenly spaced sample. A
/// width is capped at 48 characters, which a few thousand reasons or names reach as surely as all
/// of them, and a scan of every row of a 200k-customer tier cost more than the sheet's layout is worth.
const WIDTH_SAMPLE: usize = 4096;

/// The rows of `rows` a column's width is measured on: all of them, or every k-th so that at most
/// [`WIDTH_SAMPLE`] are (the first row always, so a one-row tier is measured).
fn width_sample(rows: &[usize]) -> impl Iterator<Item = &usize> {
    rows.iter().step_by(rows.len().div_ceil(WIDTH_SAMPLE).max(1))
}

/// Width of a free-text column: the widest value of the tier (CJK counts double) over
/// [`width_sample`] of its rows, within limits.
fn text_column_width(table: &Table, rows: &[usize], column: Column) -> f64 {
    let lang = table.lang;
    let rows: Vec<usize> = width_sample(rows).copied().collect();
    let rows = rows.as_slice();
    let customers = table.input.customers;
    let assignments = &table.input.classification.assignments;
    let playbook = table.input.playbook;
    let widest = |it: &mut dyn Iterator<Item = usize>| it.max().unwrap_or(0);
    let content = match column {
        Column::Key => widest(&mut rows.iter().map(|&i| display_width(&customers[i].key))),
        Column::Name => widest(&mut rows.iter().map(|&i| display_width(&customers[i].name))),
        Column::RfmType => widest(&mut rows.iter().map(|&i| display_width(table.segment(&assignments[i].rfm_type)))),
        Column::Segment => widest(
            &mut rows
                .iter()
                .filter_map(|&i| assignments[i].segment.as_deref())
                .map(|s| display_width(table.segment(s))),
        ),
        Column::Reason => widest(&mut rows.iter().map(|&i| display_width(assignments[i].reason.get(lang)))),
        Column::Gap => {
            widest(&mut rows.iter().filter_map(|&i| assignments[i].gap.as_ref()).map(|g| display_width(g.get(lang))))
        }
        Column::Action | Column::Channel => {
            let texts = playbook.tiers.values().chain(playbook.segments.values());
            let pick_text = |a: &crate::playbook::Action| {
                if column == Column::Action {
                    display_width(a.action.get(lang))
                } else {
                    display_width(a.channel.get(lang))
                }
            };
            widest(&mut texts.map(pick_text))
        }
        // Product names run long ("冬虫夏草礼盒 1盒装"), and so do some cities (克孜勒苏柯尔克孜);
        // unmeasured, they ran under the next column. Measured as the cells the sheet writes (the
        // favourites joined with 、).
        Column::Favourites | Column::LastProduct | Column::City => widest(&mut rows.iter().map(|&i| {
            let row = table.row(i);
            match table.value(&row, column) {
                Value::Text(text) => display_width(&text),
                _ => 0,
            }
        })),
        _ => 8,
    };
    let header = display_width(column.header(lang));
    (content.max(header) as f64 * 1.1 + 2.0).clamp(8.0, 48.0)
}

/// The tier sheets, in the order given, and the 本周该联系 sheet when the table has rhythms. They are
/// independent sheets whose rows go to their own temp files, so they are written at once on as many
/// threads as there are cores (this one included): each takes the next sheet, the largest first. One
/// thread per sheet made the largest tier share a core with the others for most of its time, then
/// finish alone with the other core idle (~1 s at a million orders).
/// The formats they use get their style ids first, so the workbook is the same whatever the timing,
/// and the rows know those ids (`rows::Styles`). The sheets stay constant-memory ones, so that what
/// rust_xlsxwriter writes of them (the header row as inline strings, rows without spans) is what it
/// wrote when it held the rows too, and the rows written apart match it.
///
/// `beside` runs on this thread once no list is left to start, with the workbook (the lists are not
/// in it yet). The rows' temp files are made in `dir`.
fn list_sheets(
    workbook: &mut Workbook,
    table: &Table,
    parts: Vec<(String, &[usize])>,
    f: &Formats,
    ticker: &Ticker,
    dir: Option<&std::path::Path>,
    beside: impl FnOnce(&mut Workbook) -> Step,
) -> Step<(Vec<ListSheet>, Option<ListSheet>)> {
    let mut registered = vec![&f.header, &f.center, &f.money, &f.date];
    if table.input.rhythm.is_some() {
        registered.push(&f.subtitle);
    }
    for format in &registered {
        workbook.register_format(format);
    }
    let styles = Styles::registered(&registered);
    let mut lists = Vec::with_capacity(parts.len() + 1);
    for (name, rows) in parts {
        let mut ws = workbook.new_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        lists.push(List::Tier(ws, rows));
    }
    if let Some(rhythms) = table.input.rhythm {
        lists.push(List::Contacts(workbook.new_worksheet_with_constant_memory()?, rhythms));
    }
    // Taken from the end: the largest tier first; then the contact list, whose size is known only
    // once it is made (it is usually the second largest); then the other tiers, largest first.
    let largest = (0..lists.len()).filter(|&i| matches!(lists[i], List::Tier(..))).max_by_key(|&i| lists[i].rows());
    let mut jobs: Vec<(usize, List)> = lists.into_iter().enumerate().collect();
    jobs.sort_by_key(|(i, list)| (Some(*i) == largest, matches!(list, List::Contacts(..)), list.rows()));
    let count = jobs.len();
    let jobs = Mutex::new(jobs);
    // Each thread writes lists until none is left, and hands back what it wrote with the lists' places.
    let work = || {
        let mut written = Vec::new();
        loop {
            let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let Some((i, list)) = job else { return written };
            written.push((i, list.write(table, f, &styles, ticker, dir)));
        }
    };
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let (mut written, besides) = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..cores.min(count)).map(|_| scope.spawn(work)).collect();
        let mut written = work();
        let besides = beside(workbook);
        written.extend(helpers.into_iter().flat_map(join));
        (written, besides)
    });
    written.sort_by_key(|(i, _)| *i);
    let mut tiers = Vec::with_capacity(count);
    let mut contacts = None;
    let mut failed = None;
    for (_, sheet) in written {
        match sheet {
            Ok(Written::Tier(ws)) => tiers.push(ws),
            Ok(Written::Contacts(ws)) => contacts = ws,
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    // A list's failure or cancel first: what `beside` says after one is only its echo.
    if let Some(e) = failed {
        return Err(e);
    }
    besides?;
    Ok((tiers, contacts))
}

/// A list sheet as rust_xlsxwriter holds it (header row, columns, filter, panes), and its rows written
/// apart.
type ListSheet = (Worksheet, WrittenRows);

/// One sheet of [`list_sheets`], made and named, not yet written.
enum List<'t> {
    Tier(Worksheet, &'t [usize]),
    Contacts(Worksheet, &'t crate::rhythm::Rhythms),
}

/// A [`List`] written: `Contacts(None)` when the contact list could not be made (no sheet then).
enum Written {
    Tier(ListSheet),
    Contacts(Option<ListSheet>),
}

impl List<'_> {
    /// The customers of a tier sheet (the contact list's are not known before it is made: 0).
    fn rows(&self) -> usize {
        match self {
            List::Tier(_, rows) => rows.len(),
            List::Contacts(..) => 0,
        }
    }

    fn write(
        self,
        table: &Table,
        f: &Formats,
        styles: &Styles,
        ticker: &Ticker,
        dir: Option<&std::path::Path>,
    ) -> Step<Written> {
        match self {
            List::Tier(mut ws, rows) => {
                let written = tier_sheet(&mut ws, table, rows, f, styles, ticker, dir)?;
                Ok(Written::Tier((ws, written)))
            }
            List::Contacts(ws, rhythms) => Ok(Written::Contacts(contacts_sheet(ws, table, rhythms, f, styles, dir)?)),
        }
    }
}

/// The format of every cell of `column` on a tier sheet (`None`: the default): money, dates, and
/// the short codes centred (`Column::is_short`).
fn column_format(column: Column, f: &Formats) -> Option<&Format> {
    match column {
        Column::Revenue | Column::Aov | Column::Profit => Some(&f.money),
        Column::FirstOrder | Column::LastOrder | Column::NextContact | Column::ExpectedNext | Column::TierChangedOn => {
            Some(&f.date)
        }
        c if c.is_short() => Some(&f.center),
        _ => None,
    }
}

/// The format a cell's value needs, or `None` where its column's (`on_column`) is that one: a
/// column that `column_format` does not know still gets its formats cell by cell.
fn own_format<'f>(wanted: &'f Format, on_column: Option<&Format>) -> Option<&'f Format> {
    match on_column {
        Some(format) if std::ptr::eq(format, wanted) => None,
        _ => Some(wanted),
    }
}

/// A sheet thread's result; its panic goes on in the caller.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[allow(clippy::too_many_arguments)]
fn tier_sheet(
    ws: &mut Worksheet,
    table: &Table,
    rows: &[usize],
    f: &Formats,
    styles: &Styles,
    ticker: &Ticker,
    dir: Option<&std::path::Path>,
) -> Step<WrittenRows> {
    let lang = table.lang;
    let columns = &table.columns;
    let last_col = (columns.len() - 1) as u16;
    let identity = columns.iter().take_while(|c| matches!(c, Column::Key | Column::Name)).count() as u16;
    list_print_setup(ws, identity)?;
    for (c, column) in columns.iter().enumerate() {
        let width = column.fixed_width().unwrap_or_else(|| text_column_width(table, rows, *column));
        ws.set_column_width(c as u16, width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as RowNum, last_col)?;
    let headers: Vec<&str> = columns.iter().map(|c| c.header(lang)).collect();
    write_headers(ws, 0, &headers, f)?;
    ws.set_row_height(0, 30)?;

    // Each column's cells share one format, set on the column: a cell written without a format gets
    // its column's, as rust_xlsxwriter does. The header row keeps its own.
    let on_column: Vec<Option<&Format>> = columns.iter().map(|column| column_format(*column, f)).collect();
    for (c, format) in on_column.iter().enumerate() {
        if let Some(format) = format {
            ws.set_column_format(c as u16, format)?;
        }
    }
    let mut out = SheetRows::new(styles, &on_column, &f.header, dir)?;
    for (n, &index) in rows.iter().enumerate() {
        let r = n as RowNum + 1;
        let row = table.row(index);
        for (c, column) in columns.iter().enumerate() {
            let own = |wanted| own_format(wanted, on_column[c]);
            let centered = column.is_short();
            let c = c as u16;
            match table.value(&row, *column) {
                Value::Text(t) => row_text(&mut out, r, c, &t, if centered { own(&f.center) } else { None })?,
                Value::Int(v) => out.number(r, c, v as f64, if centered { own(&f.center) } else { None })?,
                Value::Money(v) => out.number(r, c, yuan(v), own(&f.money))?,
                Value::Number(v) => out.number(r, c, v, None)?,
                // A date Excel cannot hold (before 1900) is written as its text, in the column's format.
                Value::Date(d) => row_date(&mut out, r, c, d, own(&f.date))?,
                Value::Empty => {}
            }
        }
        if ticker.tick() {
            return Err(Stop::Cancelled);
        }
    }
    Ok(out.finish()?)
}

/// The 本周该联系 sheet: this week's contact list of the exported customers (`contacts` decides who
/// and in which order; this lays it out).
///
/// It fills `sheet`, made beside the tier sheets so that it is written beside them; `None` when the
/// list cannot be made (the sheet is left out).
fn contacts_sheet(
    mut sheet: Worksheet,
    table: &Table,
    rhythms: &crate::rhythm::Rhythms,
    f: &Formats,
    styles: &Styles,
    dir: Option<&std::path::Path>,
) -> Step<Option<ListSheet>> {
    let lang = table.lang;
    let input = table.input;
    // The table already checked that customers, assignments and rhythms belong together. The list's
    // places only: each row's contact, with its sentences, is written out and dropped in turn.
    let Ok(list) = crate::contacts::due_list(
        input.customers,
        input.classification,
        rhythms,
        crate::contacts::ContactOptions::default(),
    ) else {
        return Ok(None);
    };
    let assignment = |d: &crate::contacts::Due| &input.classification.assignments[d.index as usize];
    let customer = |d: &crate::contacts::Due| &input.customers[d.index as usize];
    let has_segments = list.iter().any(|d| assignment(d).segment.is_some());
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
    // Constant memory, as the tier sheets: the list can hold a large share of 250k customers, and an
    // in-memory sheet keeps every cell in a tree until the save (the export's memory peak at 100k
    // orders). Its formats were registered with the tier sheets'.
    let ws = &mut sheet;
    ws.set_name(crate::contacts::Period::Week.title(lang))?;
    list_print_setup(ws, 3)?;
    write_headers(ws, 0, &headers, f)?;
    ws.set_row_height(0, 30)?;
    ws.set_freeze_panes(1, 3)?;
    // ID and name as wide as they are (a 28-character openid was cut at a fixed 16), as on the tier sheets.
    let fitted = |header: &str, texts: &mut dyn Iterator<Item = &str>| {
        let content = texts.map(display_width).max().unwrap_or(0).max(display_width(header));
        (content as f64 * 1.1 + 2.0).clamp(8.0, 48.0)
    };
    let widths = [
        6.0,
        fitted(headers[1], &mut list.iter().map(|d| customer(d).key.as_str())),
        fitted(headers[2], &mut list.iter().map(|d| customer(d).name.as_str())),
        14.0,
        8.0,
    ];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let rest = headers.len() - widths.len();
    for c in 0..rest {
        // Reason and action are sentences; the rest are short.
        let w = if c + 3 >= rest { 40.0 } else { 12.0 };
        ws.set_column_width((widths.len() + c) as u16, w)?;
    }
    // No column formats here: each cell carries its own (the header row's is checked with them).
    let mut out = SheetRows::new(styles, &[], &f.header, dir)?;
    if list.is_empty() {
        let none = pick(lang, "本周没有到期该联系的客户。", "Nobody is due for contact this week.");
        write_text_with(ws, 1, 1, none, &f.subtitle)?;
        return Ok(Some((sheet, out.finish()?)));
    }
    ws.autofilter(0, 0, list.len() as RowNum, (headers.len() - 1) as u16)?;
    for (n, due) in list.iter().enumerate() {
        let r = n as RowNum + 1;
        let contact = &due.contact(input.customers, input.classification, rhythms, input.playbook);
        out.number(r, 0, f64::from(contact.rank), None)?;
        row_text(&mut out, r, 1, &contact.key, None)?;
        row_text(&mut out, r, 2, &contact.name, None)?;
        row_text(&mut out, r, 3, &super::contacts::phone(contact, table.keep_phones), None)?;
        row_text(&mut out, r, 4, &labels::tier_cell(contact.tier, lang), Some(&f.center))?;
        let mut c = 5;
        if has_segments {
            if let Some(s) = &contact.segment {
                row_text(&mut out, r, c, table.segment(s), None)?;
            }
            c += 1;
        }
        row_text(&mut out, r, c, contact.state.label(lang), None)?;
        row_date(&mut out, r, c + 1, contact.contact_on, Some(&f.date))?;
        row_date(&mut out, r, c + 2, contact.follow_up_on, Some(&f.date))?;
        out.number(r, c + 3, yuan(contact.aov), Some(&f.money))?;
        out.number(r, c + 4, (contact.overdue_ratio * 100.0).round() / 100.0, None)?;
        out.number(r, c + 5, yuan(contact.value_at_stake), Some(&f.money))?;
        row_text(&mut out, r, c + 6, contact.reason.get(lang), None)?;
        row_text(&mut out, r, c + 7, contact.action.get(lang), None)?;
        row_text(&mut out, r, c + 8, contact.channel.get(lang), None)?;
    }
    Ok(Some((sheet, out.finish()?)))
}

fn playbook_sheet(workbook: &mut Workbook, table: &Table, f: &Formats) -> Step {
    let lang = table.lang;
    let playbook = table.input.playbook;
    let class = table.input.classification;
    let ws = workbook.add_worksheet();
    ws.set_name(pick(lang, "服务策略", "Playbook"))?;
    print_setup(ws, Some(2))?;
    for (c, w) in [(0, 20), (1, 9), (2, 60), (3, 28), (4, 9), (5, 14)] {
        ws.set_column_width(c, w)?;
    }
    write_text_with(
        ws,
        0,
        0,
        pick(lang, "服务策略（每层 / 每个群组的建议动作）", "Playbook: suggested action per tier and segment"),
        &f.title,
    )?;
    let headers = [
        pick(lang, "分层 / 群组", "Tier / segment"),
        pick(lang, "客户数", "Customers"),
        pick(lang, "建议动作", "Action"),
        pick(lang, "渠道", "Channel"),
        pick(lang, "优先级", "Priority"),
        pick(lang, "联系间隔（天）", "Contact every (days)"),
    ];
    write_headers(ws, 2, &headers, f)?;
    ws.set_row_height(2, 30)?;
    let mut counts_tier: BTreeMap<Tier, u64> = BTreeMap::new();
    let mut counts_segment: BTreeMap<&str, u64> = BTreeMap::new();
    for a in &class.assignments {
        *counts_tier.entry(a.tier).or_default() += 1;
        if let Some(s) = a.segment.as_deref() {
            *counts_segment.entry(s).or_default() += 1;
        }
    }
    let mut r: RowNum = 3;
    let action_row =
        |ws: &mut Worksheet, r: RowNum, label: &str, count: Option<u64>, a: &crate::playbook::Action| -> Step {
            write_text_with(ws, r, 0, label, &f.label)?;
            if let Some(count) = count {
                ws.write_number_with_format(r, 1, count as f64, &f.top)?;
            }
            write_text_with(ws, r, 2, a.action.get(lang), &f.wrap)?;
            fit_row(ws, r, a.action.get(lang), 60.0)?;
            write_text_with(ws, r, 3, a.channel.get(lang), &f.wrap)?;
            ws.write_number_with_format(r, 4, f64::from(a.priority), &f.top)?;
            ws.write_number_with_format(r, 5, f64::from(a.contact_in_days), &f.top)?;
            Ok(())
        };
    for (tier, action) in &playbook.tiers {
        action_row(ws, r, &tier.label(lang), Some(counts_tier.get(tier).copied().unwrap_or(0)), action)?;
        r += 1;
    }
    if !playbook.segments.is_empty() {
        r += 1;
        write_text_with(
            ws,
            r,
            0,
            pick(lang, "按客户群组（优先于分层动作）", "By segment (takes precedence over the tier)"),
            &f.section,
        )?;
        r += 1;
        for (segment, action) in &playbook.segments {
            // Counts are by display name; a renamed segment shows the count under its display name.
            let shown = class.params.segment_names.get(segment).map_or(segment.as_str(), String::as_str);
            // A method without segments has no count to show (rather than a misleading 0).
            let count = (!counts_segment.is_empty()).then(|| counts_segment.get(shown).copied().unwrap_or(0));
            action_row(ws, r, &labels::segment_name(shown, lang), count, action)?;
            r += 1;
        }
    }
    if !class.params.segment_tiers.is_empty() {
        r += 1;
        write_text_with(ws, r, 0, pick(lang, "群组对应的分层", "Tier of each segment"), &f.section)?;
        r += 1;
        write_headers(ws, r, &[pick(lang, "群组", "Segment"), pick(lang, "分层", "Tier")], f)?;
        r += 1;
        for (segment, tier) in &class.params.segment_tiers {
            let shown = class.params.segment_names.get(segment).map_or(segment.as_str(), String::as_str);
            write_text(ws, r, 0, &labels::segment_name(shown, lang))?;
            write_text(ws, r, 1, &tier.label(lang))?;
            r += 1;
        }
    }
    Ok(())
}

fn migration_sheet(workbook: &mut Workbook, m: &crate::history::Migration, lang: Lang, f: &Formats) -> Step {
    let ws = workbook.add_worksheet();
    ws.set_name(pick(lang, "分层变化", "Migration"))?;
    print_setup(ws, None)?;
    // ID and name as wide as the longest listed (a 28-character openid was cut at a fixed 22).
    let moves = || m.upgraded.iter().chain(&m.downgraded).chain(&m.new).chain(&m.lost);
    let fitted = |widest: usize, least: f64| (widest as f64 * 1.1 + 2.0).clamp(least, 48.0);
    let key_width = fitted(moves().map(|mv| display_width(&mv.key)).max().unwrap_or(0), 22.0);
    let name_width = fitted(moves().map(|mv| display_width(&mv.name)).max().unwrap_or(0), 18.0);
    for (c, w) in [(0, key_width), (1, name_width), (2, 12.0), (3, 12.0), (4, 16.0), (5, 16.0), (6, 14.0), (7, 50.0)] {
        ws.set_column_width(c, w)?;
    }
    let title = match lang {
        Lang::Zh => format!("分层变化：{} → {}", m.old_as_of, m.new_as_of),
        Lang::En => format!("Tier changes: {} → {}", m.old_as_of, m.new_as_of),
    };
    write_text_with(ws, 0, 0, &title, &f.title)?;

    let used: Vec<Tier> = Tier::ALL
        .into_iter()
        .filter(|t| *t != Tier::D || m.flows.iter().any(|fl| fl.from == Some(Tier::D) || fl.to == Some(Tier::D)))
        .collect();
    let from_labels: Vec<(Option<Tier>, String)> = used
        .iter()
        .map(|t| (Some(*t), t.label(lang)))
        .chain([(None, pick(lang, "新客户", "New").to_string())])
        .collect();
    let to_labels: Vec<(Option<Tier>, String)> = used
        .iter()
        .map(|t| (Some(*t), t.label(lang)))
        .chain([(None, pick(lang, "流失", "Lost").to_string())])
        .collect();

    let mut r: RowNum = 2;
    for (money, heading) in [
        (false, pick(lang, "客户数（行：原分层，列：新分层）", "Customers (rows: from, columns: to)")),
        (
            true,
            pick(
                lang,
                "消费金额（新快照，行：原分层，列：新分层）",
                "Revenue in the new snapshot (rows: from, columns: to)",
            ),
        ),
    ] {
        write_text_with(ws, r, 0, heading, &f.section)?;
        r += 1;
        write_text_with(ws, r, 0, pick(lang, "原分层 \\ 新分层", "From \\ to"), &f.header)?;
        for (c, (_, label)) in to_labels.iter().enumerate() {
            write_text_with(ws, r, c as u16 + 1, label, &f.header)?;
        }
        r += 1;
        for (from, label) in &from_labels {
            write_text_with(ws, r, 0, label, &f.label)?;
            for (c, (to, _)) in to_labels.iter().enumerate() {
                let flow = m.flows.iter().find(|fl| fl.from == *from && fl.to == *to);
                let c = c as u16 + 1;
                match (flow, money) {
                    (Some(fl), true) => ws.write_number_with_format(r, c, yuan(fl.revenue), &f.money)?,
                    (Some(fl), false) => ws.write_number_with_format(r, c, fl.customers as f64, &f.int)?,
                    (None, _) => ws.write_number_with_format(r, c, 0.0, if money { &f.money } else { &f.int })?,
                };
            }
            r += 1;
        }
        r += 1;
    }

    let headers = [
        pick(lang, "客户ID", "Customer ID"),
        pick(lang, "客户名称", "Name"),
        pick(lang, "原分层", "From tier"),
        pick(lang, "新分层", "To tier"),
        pick(lang, "原群组", "From segment"),
        pick(lang, "新群组", "To segment"),
        pick(lang, "消费金额", "Revenue"),
        pick(lang, "建议动作", "Action"),
    ];
    let tier_text = |t: Option<Tier>| t.map_or_else(|| "—".to_string(), |t| t.label(lang));
    for (moves, heading) in [
        (&m.upgraded, pick(lang, "升级客户", "Moved up")),
        (&m.downgraded, pick(lang, "降级客户", "Moved down")),
        (&m.new, pick(lang, "新客户", "New customers")),
        (&m.lost, pick(lang, "流失客户", "Lost customers")),
    ] {
        write_text_with(ws, r, 0, &format!("{heading}（{}）", moves.len()), &f.section)?;
        r += 1;
        write_headers(ws, r, &headers, f)?;
        r += 1;
        for mv in moves.iter() {
            write_text(ws, r, 0, &mv.key)?;
            write_text(ws, r, 1, &mv.name)?;
            write_text(ws, r, 2, &tier_text(mv.from))?;
            write_text(ws, r, 3, &tier_text(mv.to))?;
            if let Some(s) = &mv.from_segment {
                write_text(ws, r, 4, &labels::segment_name(s, lang))?;
            }
            if let Some(s) = &mv.to_segment {
                write_text(ws, r, 5, &labels::segment_name(s, lang))?;
            }
            ws.write_number_with_format(r, 6, yuan(mv.revenue), &f.money)?;
            write_text(ws, r, 7, mv.action.get(lang))?;
            r += 1;
        }
        r += 1;
    }
    Ok(())
}

/// 活动效果 / Campaigns: one row per campaign, contacted vs holdout over its window (see
/// `campaign` for the rules), with the conclusion in plain words.
fn campaign_sheet(
    workbook: &mut Workbook,
    reports: &[crate::campaign::CampaignReport],
    lang: Lang,
    f: &Formats,
) -> Step {
    enum Cell {
        Text(String),
        Date(NaiveDate),
        Int(u64),
        Money(Option<f64>),
        Percent(Option<f64>),
        Number(Option<f64>),
    }
    let ws = workbook.add_worksheet();
    ws.set_name(pick(lang, "活动效果", "Campaigns"))?;
    print_setup(ws, Some(2))?;
    write_text_with(ws, 0, 0, pick(lang, "活动效果：联系组与对照组", "Campaigns: contacted vs holdout"), &f.title)?;
    let columns: [(&str, &str, f64); 21] = [
        ("活动名称", "Campaign", 18.0),
        ("活动日期", "Date", 12.0),
        ("渠道", "Channel", 12.0),
        ("对象", "Audience", 14.0),
        ("观察天数", "Window (days)", 9.0),
        ("联系人数", "Contacted", 9.0),
        ("联系组回购人数", "Contacted who bought", 10.0),
        ("联系组回购率", "Contacted repurchase", 10.0),
        ("联系组订单数", "Contacted orders", 10.0),
        ("联系组销售额", "Contacted revenue", 14.0),
        ("对照人数", "Holdout", 9.0),
        ("对照组回购人数", "Holdout who bought", 10.0),
        ("对照组回购率", "Holdout repurchase", 10.0),
        ("对照组订单数", "Holdout orders", 10.0),
        ("对照组销售额", "Holdout revenue", 14.0),
        ("回购率提升（百分点）", "Uplift (points)", 10.0),
        ("成本", "Cost", 12.0),
        ("投入产出比", "Return on cost", 10.0),
        ("增量销售额", "Incremental revenue", 14.0),
        ("增量投入产出比", "Incremental return", 10.0),
        ("结论", "Conclusion", 60.0),
    ];
    let headers: Vec<&str> = columns.iter().map(|(zh, en, _)| pick(lang, zh, en)).collect();
    write_headers(ws, 2, &headers, f)?;
    ws.set_row_height(2, 30)?;
    for (c, (_, _, w)) in columns.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    for (i, rep) in reports.iter().enumerate() {
        let row = 3 + i as RowNum;
        let spec = &rep.campaign.spec;
        let h = rep.holdout.as_ref();
        let cells = [
            Cell::Text(spec.name.clone()),
            Cell::Date(spec.date),
            Cell::Text(spec.channel.clone()),
            Cell::Text(spec.audience.clone()),
            Cell::Int(u64::from(rep.window_days)),
            Cell::Int(rep.contacted.customers),
            Cell::Int(rep.contacted.buyers),
            Cell::Percent(Some(rep.contacted.repurchase_rate)),
            Cell::Int(rep.contacted.orders),
            Cell::Money(Some(yuan(rep.contacted.revenue))),
            Cell::Int(h.map_or(0, |h| h.customers)),
            Cell::Int(h.map_or(0, |h| h.buyers)),
            Cell::Percent(h.map(|h| h.repurchase_rate)),
            Cell::Int(h.map_or(0, |h| h.orders)),
            Cell::Money(h.map(|h| yuan(h.revenue))),
            Cell::Number(rep.uplift_points.map(|p| (p * 10.0).round() / 10.0)),
            Cell::Money(rep.cost.map(yuan)),
            Cell::Number(rep.return_on_cost.map(|r| (r * 100.0).round() / 100.0)),
            Cell::Money(rep.incremental_revenue.map(|c| c / 100.0)),
            Cell::Number(rep.incremental_return.map(|r| (r * 100.0).round() / 100.0)),
            Cell::Text(rep.conclusion.get(lang).to_string()),
        ];
        for (c, cell) in cells.into_iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => write_text(ws, row, c, &t)?,
                Cell::Date(d) => write_date(ws, row, c, d, Some(&f.date))?,
                Cell::Int(n) => {
                    ws.write_number_with_format(row, c, n as f64, &f.int)?;
                }
                Cell::Money(Some(v)) => {
                    ws.write_number_with_format(row, c, v, &f.money)?;
                }
                Cell::Percent(Some(v)) => {
                    ws.write_number_with_format(row, c, v, &f.percent)?;
                }
                Cell::Number(Some(v)) => {
                    ws.write_number(row, c, v)?;
                }
                Cell::Money(None) | Cell::Percent(None) | Cell::Number(None) => {}
            }
        }
    }
    let note = 4 + reports.len() as RowNum;
    write_text_with(
        ws,
        note,
        0,
        pick(
            lang,
            "说明：回购 = 活动日期之后的观察天数内（不含活动当天）有有效订单；回购率提升 = 联系组回购率 − 对照组回购率；投入产出比 = 联系组销售额 ÷ 成本；增量销售额 = 联系组销售额 − 对照组人均销售额 × 联系人数。每组少于 30 人时差异仅供参考。",
            "Notes: bought again = a valid order in the window after the campaign date (the campaign day excluded); uplift = contacted − holdout repurchase rate; return on cost = contacted revenue ÷ cost; incremental revenue = contacted revenue − holdout revenue per customer × contacted. With fewer than 30 customers per group the difference is only indicative.",
        ),
        &f.subtitle,
    )?;
    Ok(())
}

/// A threshold as people write it: `¥2,015.10`, `80%`, `30 天`.
fn threshold_text(value: f64, unit: &str) -> String {
    let number = if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.2}") };
    match unit.trim() {
        "¥" | "￥" | "元" => format!("¥{number}"),
        "%" => format!("{number}%"),
        "" => number,
        unit => format!("{number} {unit}"),
    }
}

fn method_sheet(workbook: &mut Workbook, table: &Table, f: &Formats) -> Step {
    let lang = table.lang;
    let class = table.input.classification;
    let ws = workbook.add_worksheet();
    ws.set_name(pick(lang, "说明", "Method"))?;
    print_setup(ws, None)?;
    for (c, w) in [(0, 30), (1, 70), (2, 16), (3, 30)] {
        ws.set_column_width(c, w)?;
    }
    write_text_with(ws, 0, 0, pick(lang, "分层方法与数据说明", "Method and data"), &f.title)?;
    let mut r: RowNum = 2;
    let pair = |ws: &mut Worksheet, r: &mut RowNum, label: &str, value: &str| -> Step {
        write_text_with(ws, *r, 0, label, &f.label)?;
        write_text_with(ws, *r, 1, value, &f.wrap)?;
        fit_row(ws, *r, value, 70.0)?;
        *r += 1;
        Ok(())
    };
    pair(ws, &mut r, pick(lang, "方法", "Method"), class.params.method.name().get(lang))?;
    pair(ws, &mut r, pick(lang, "规则", "Rule"), &labels::method_words(&class.params.method, lang))?;
    write_text_with(ws, r, 0, pick(lang, "截至日期", "As-of date"), &f.label)?;
    write_date(ws, r, 1, class.as_of, Some(&f.date_left))?;
    r += 1;
    let as_of_note = match (class.params.as_of, lang) {
        (Some(_), Lang::Zh) => "由用户指定；“距今天数”从这一天算起。",
        (None, Lang::Zh) => "数据中最近一笔订单的日期；“距今天数”从这一天算起。",
        (Some(_), Lang::En) => "Chosen by the user; recency days count from this date.",
        (None, Lang::En) => "The latest order date in the data; recency days count from this date.",
    };
    pair(ws, &mut r, "", as_of_note)?;
    let window = class.params.window.words(None, lang);
    pair(ws, &mut r, pick(lang, "分析窗口", "Analysis window"), &window)?;
    pair(
        ws,
        &mut r,
        pick(lang, "R/F/M 分界值", "R/F/M cut points"),
        &labels::score_cuts_words(&class.params.score_cuts, lang),
    )?;
    pair(
        ws,
        &mut r,
        pick(lang, "ABC分类 / 客户类型", "ABC class / customer type"),
        pick(
            lang,
            "无论选用哪种方法，每位客户都另附 ABC 分类（按消费额 80%/95%）和 RFM 八类客户类型（以平均值为界），便于对照。",
            "Whatever the method, every customer also carries the ABC class (revenue, 80%/95%) and the RFM 8-type (against the mean), for comparison.",
        ),
    )?;
    r += 1;

    if !class.thresholds.is_empty() {
        write_text_with(ws, r, 0, pick(lang, "阈值表（实际使用的分界值）", "Thresholds actually used"), &f.section)?;
        r += 1;
        write_headers(
            ws,
            r,
            &[pick(lang, "名称", "Name"), pick(lang, "分界值", "Value"), pick(lang, "数值", "Number")],
            f,
        )?;
        r += 1;
        for t in &class.thresholds {
            write_text(ws, r, 0, t.name.get(lang))?;
            write_text(ws, r, 1, &threshold_text(t.value, t.unit.get(lang)))?;
            ws.write_number(r, 2, t.value)?;
            r += 1;
        }
        r += 1;
    }
    // The score notes explain the R/F/M score columns every customer list has, whatever the method.
    let score_notes = class.score_notes.iter().filter(|n| !class.notes.contains(n));
    let notes: Vec<_> = class.notes.iter().chain(score_notes).collect();
    if !notes.is_empty() {
        write_text_with(ws, r, 0, pick(lang, "注意事项", "Notes"), &f.section)?;
        r += 1;
        for note in notes {
            write_text_with(ws, r, 1, note.get(lang), &f.wrap)?;
            fit_row(ws, r, note.get(lang), 70.0)?;
            r += 1;
        }
        r += 1;
    }

    for report in table.input.reports {
        let heading = format!("{}{}", pick(lang, "导入报告：", "Import report: "), report.file);
        write_text_with(ws, r, 0, &heading, &f.section)?;
        r += 1;
        let m = &report.mapping;
        let range = match (report.first_date, report.last_date) {
            (Some(a), Some(b)) => format!("{a} – {b}"),
            _ => "—".to_string(),
        };
        let rows: [(&str, String); 8] = [
            (pick(lang, "文件", "File"), report.file.clone()),
            (pick(lang, "格式", "Format"), format!("{:?}", report.format).to_lowercase()),
            (pick(lang, "工作表", "Sheet"), m.sheet.clone()),
            (
                pick(lang, "表头所在行", "Header row"),
                m.header_line().map_or_else(
                    || pick(lang, "无（按内容识别各列）", "none (columns read from their values)").to_owned(),
                    |h| h.to_string(),
                ),
            ),
            (pick(lang, "数据类型", "Rows are"), labels::level(m.level, lang).to_string()),
            (pick(lang, "客户标识", "Customer key"), labels::key_spec(&m.key, lang)),
            (
                pick(lang, "读取行数 / 保留订单数", "Rows read / orders kept"),
                format!("{} / {}", report.rows_read, report.orders_kept),
            ),
            (pick(lang, "订单日期范围", "Order dates"), range),
        ];
        for (label, value) in &rows {
            pair(ws, &mut r, label, value)?;
        }
        if !report.skipped.is_empty() {
            write_headers(
                ws,
                r,
                &[
                    pick(lang, "跳过原因", "Skipped because"),
                    pick(lang, "示例行号", "Example rows"),
                    pick(lang, "行数", "Rows"),
                ],
                f,
            )?;
            r += 1;
            for s in &report.skipped {
                write_text(ws, r, 0, s.reason.label(lang))?;
                let examples: Vec<String> = s.example_rows.iter().map(u32::to_string).collect();
                write_text(ws, r, 1, &examples.join(", "))?;
                ws.write_number(r, 2, s.count as f64)?;
                r += 1;
            }
        }
        write_headers(ws, r, &[pick(lang, "列（原表头）", "Column (header)"), pick(lang, "用途", "Used as")], f)?;
        r += 1;
        for column in &m.columns {
            write_text(ws, r, 0, &column.header)?;
            let role =
                column.role.map_or_else(|| pick(lang, "（未使用）", "(not used)"), |role| labels::role(role, lang));
            write_text(ws, r, 1, role)?;
            r += 1;
        }
        // Where several columns could play a role, say which one was used and which were not.
        for alt in &m.alternatives {
            let line = match lang {
                Lang::Zh => {
                    format!("{}：{}；其他候选：{}", labels::role(alt.role, lang), alt.chosen, alt.others.join("、"))
                }
                Lang::En => format!(
                    "{}: {}; other candidates: {}",
                    labels::role(alt.role, lang),
                    alt.chosen,
                    alt.others.join(", ")
                ),
            };
            pair(ws, &mut r, pick(lang, "列的选择", "Column chosen"), &line)?;
        }
        for w in &report.warnings {
            write_text_with(ws, r, 0, pick(lang, "提示", "Warning"), &f.label)?;
            write_text_with(ws, r, 1, w.text.get(lang), &f.wrap)?;
            fit_row(ws, r, w.text.get(lang), 70.0)?;
            r += 1;
        }
        r += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{width_sample, WIDTH_SAMPLE};

    #[test]
    fn column_widths_are_measured_on_every_row_of_a_small_tier_and_a_spread_sample_of_a_large_one() {
        let small: Vec<usize> = (0..WIDTH_SAMPLE).collect();
        assert_eq!(width_sample(&small).count(), WIDTH_SAMPLE);
        assert_eq!(width_sample(&[7]).copied().collect::<Vec<_>>(), vec![7]);
        assert_eq!(width_sample(&[]).count(), 0);

        let large: Vec<usize> = (0..250_000).collect();
        let sample: Vec<usize> = width_sample(&large).copied().collect();
        assert!(sample.len() <= WIDTH_SAMPLE && sample.len() > WIDTH_SAMPLE / 2, "{}", sample.len());
        assert_eq!(sample[0], 0);
        // Spread over the whole tier, not its head: the last sampled row is near the end.
        assert!(*sample.last().unwrap() > 250_000 - 250_000 / WIDTH_SAMPLE * 2);
    }
}

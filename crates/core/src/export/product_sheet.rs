//! The 商品/Products sheet: the top products of each tier (and of each segment, for methods with
//! segments) by attributed revenue, with customers, orders and pieces, and a bar chart per tier.
//! The figures are what `products` computed; this module only lays them out.

use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::labels::pick;
use super::table::Table;
use crate::model::{yuan, Lang, Tier};
use crate::products::{ProductGroup, ProductLookup, TOP};

const MONEY: &str = "¥#,##0.00";
const TIER_COLORS: [u32; 4] = [0x2E7D32, 0x1565C0, 0xF9A825, 0x9E9E9E];

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(0xDCE6F1)
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap()
}

/// The header of both blocks; the first column says whether the group is a tier or a segment.
fn headers(lang: Lang, group: &'static str) -> [&'static str; 8] {
    [
        group,
        pick(lang, "排名", "Rank"),
        pick(lang, "商品名称", "Product"),
        pick(lang, "商品编码", "SKU"),
        pick(lang, "购买客户数", "Customers"),
        pick(lang, "订单数", "Orders"),
        pick(lang, "件数", "Pieces"),
        pick(lang, "销售额", "Revenue"),
    ]
}

/// Writes one block's rows from `row`; returns the rows (first, last) written per group.
fn write_block(
    ws: &mut Worksheet,
    row: u32,
    groups: &[ProductGroup],
    label: impl Fn(&str) -> String,
) -> Result<Vec<(u32, u32)>, XlsxError> {
    let (int, money) = (Format::new().set_num_format("#,##0"), Format::new().set_num_format(MONEY));
    let mut r = row;
    let mut spans = Vec::new();
    for g in groups {
        let first = r;
        for (rank, p) in g.products.iter().enumerate() {
            ws.write_string(r, 0, label(&g.group))?;
            ws.write_number(r, 1, (rank + 1) as f64)?;
            ws.write_string(r, 2, &p.product)?;
            if let Some(sku) = &p.sku {
                ws.write_string(r, 3, sku)?;
            }
            ws.write_number_with_format(r, 4, f64::from(p.customers), &int)?;
            ws.write_number_with_format(r, 5, f64::from(p.orders), &int)?;
            ws.write_number(r, 6, p.quantity)?;
            ws.write_number_with_format(r, 7, yuan(p.revenue), &money)?;
            r += 1;
        }
        if r > first {
            spans.push((first, r - 1));
        }
    }
    Ok(spans)
}

/// The 商品 sheet.
pub(crate) fn product_sheet(workbook: &mut Workbook, table: &Table, products: &ProductLookup) -> Result<(), XlsxError> {
    let lang = table.lang;
    let input = table.input;
    let by_tier = products.by_tier(input.customers, input.classification);
    let by_segment = products.by_segment(input.customers, input.classification);
    let sheet = pick(lang, "商品", "Products");
    let ws = workbook.add_worksheet();
    ws.set_name(sheet)?;
    let title = Format::new().set_bold().set_font_size(16);
    ws.write_string_with_format(0, 0, pick(lang, "各层热销商品", "Top products by tier"), &title)?;
    let note = match lang {
        Lang::Zh => format!(
            "每层按销售额列出前 {TOP} 个商品。订单金额按商品的单价 × 数量分摊到各商品（各商品之和等于订单实收，不重复计算）；没有单价的多商品订单平均分摊（{} 个订单）。",
            products.split_evenly
        ),
        Lang::En => format!(
            "The top {TOP} products of each tier by revenue. An order's amount is shared over its items by unit price × quantity (the items add up to the order, nothing counted twice); orders of several items without prices are split evenly ({} orders).",
            products.split_evenly
        ),
    };
    ws.write_string(1, 0, &note)?;
    let header = header_format();
    let top = 3u32;
    for (c, h) in headers(lang, pick(lang, "分层", "Tier")).iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *h, &header)?;
    }
    let tier_name =
        |g: &str| Tier::ALL.into_iter().find(|t| t.letter() == g).map_or_else(|| g.to_string(), |t| t.label(lang));
    let spans = write_block(ws, top + 1, &by_tier, tier_name)?;
    let mut next = spans.last().map_or(top + 2, |s| s.1 + 3);
    if !by_segment.is_empty() {
        ws.write_string_with_format(next, 0, pick(lang, "各细分群组热销商品", "Top products by segment"), &title)?;
        next += 1;
        for (c, h) in headers(lang, pick(lang, "细分群组", "Segment")).iter().enumerate() {
            ws.write_string_with_format(next, c as u16, *h, &header)?;
        }
        write_block(ws, next + 1, &by_segment, |g| super::labels::segment_name(g, lang).into_owned())?;
    }
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 6)?;
    ws.set_column_width(2, 34)?;
    ws.set_column_width(3, 14)?;
    ws.set_column_range_width(4, 6, 10)?;
    ws.set_column_width(7, 16)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    ws.set_freeze_panes(top + 1, 0)?;
    // One bar chart per tier beside the table, each pointing at its tier's rows.
    for (i, (g, (first, last))) in by_tier.iter().zip(&spans).enumerate() {
        let color = Tier::ALL.iter().position(|t| t.letter() == g.group).map_or(TIER_COLORS[3], |t| TIER_COLORS[t]);
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_name(pick(lang, "销售额", "Revenue"))
            .set_categories((sheet, *first, 2, *last, 2))
            .set_values((sheet, *first, 7, *last, 7))
            .set_format(
                rust_xlsxwriter::ChartFormat::new()
                    .set_solid_fill(rust_xlsxwriter::ChartSolidFill::new().set_color(color)),
            );
        chart.title().set_name(&format!("{} {}", tier_name(&g.group), pick(lang, "热销商品", "top products")));
        chart.y_axis().set_num_format("¥#,##0");
        // Best seller on top.
        chart.x_axis().set_reverse();
        chart.legend().set_hidden();
        chart.set_width(520).set_height(300);
        ws.insert_chart(top + (i as u32) * 16, 9, &chart)?;
    }
    Ok(())
}

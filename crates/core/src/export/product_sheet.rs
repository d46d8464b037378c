//! The 商品/Products sheet: the top products of each tier (and of each segment, for methods with
//! segments) by attributed revenue, with customers, orders and pieces, and a bar chart per tier.
//! The figures are what `products` computed; this module only lays them out.

use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

use super::analysis::{header_format, MONEY};
use super::labels::pick;
use super::table::Table;
use crate::model::{yuan, Lang, Tier};
use crate::products::{ProductGroup, ProductLookup, TOP};

const TIER_COLORS: [u32; 4] = [0x2E7D32, 0x1565C0, 0xF9A825, 0x9E9E9E];

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
    let of = |i: usize| table.purchases(i);
    let (by_tier, by_segment) = crate::products::by_tier_and_segment(input.customers.len(), &of, input.classification);
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
        // In a bar chart the x axis is the (horizontal) value axis and the y axis the categories:
        // reversed, the best seller is on top.
        chart.x_axis().set_num_format("¥#,##0");
        chart.y_axis().set_reverse();
        chart.legend().set_hidden();
        chart.set_width(520).set_height(300);
        ws.insert_chart(top + (i as u32) * 16, 9, &chart)?;
    }
    Ok(())
}

/// Writes the customers who bought a product containing `text` (name or SKU) as a CSV for tagging
/// tools: BOM, header, one line per customer (most revenue first) with tier, favourite and last
/// product; text that Excel would read as a formula is neutralised. Returns how many were listed.
///
/// # Errors
/// `Write` when the file cannot be written.
pub fn write_buyers_csv(
    path: &std::path::Path,
    customers: &[crate::model::Customer],
    classification: &crate::classify::Classification,
    products: &ProductLookup,
    text: &str,
    lang: Lang,
) -> crate::error::Result<usize> {
    use super::csv::{keep_id_as_text, neutralize};
    let fail = |e: &dyn std::fmt::Display| crate::error::Error::Write { path: path.to_owned(), detail: e.to_string() };
    let mut rows: Vec<usize> =
        (0..customers.len()).filter(|&i| products.bought_containing(&customers[i].key, text)).collect();
    rows.sort_by(|&a, &b| {
        customers[b].revenue.cmp(&customers[a].revenue).then_with(|| customers[a].key.cmp(&customers[b].key))
    });
    let mut out = "\u{FEFF}".as_bytes().to_vec();
    {
        let mut w = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(&mut out);
        let header = [
            pick(lang, "客户ID", "Customer ID"),
            pick(lang, "客户名称", "Name"),
            pick(lang, "订单数", "Orders"),
            pick(lang, "消费金额", "Revenue"),
            pick(lang, "分层", "Tier"),
            pick(lang, "常买商品", "Favourite products"),
            pick(lang, "最近购买商品", "Last product"),
        ];
        w.write_record(header).map_err(|e| fail(&e))?;
        for &i in &rows {
            let c = &customers[i];
            let tier = classification.assignments.get(i).map(|a| a.tier.label(lang)).unwrap_or_default();
            let p = products.of(&c.key);
            let favourites = p.map(|p| p.favourites(crate::products::FAVOURITES).collect::<Vec<_>>().join("、"));
            let last = p.and_then(|p| p.last.clone()).unwrap_or_default();
            w.write_record([
                keep_id_as_text(&c.key).into_owned(),
                neutralize(&c.name).into_owned(),
                c.orders.to_string(),
                format!("{:.2}", yuan(c.revenue)),
                tier,
                neutralize(&favourites.unwrap_or_default()).into_owned(),
                neutralize(&last).into_owned(),
            ])
            .map_err(|e| fail(&e))?;
        }
        w.flush().map_err(|e| fail(&e))?;
    }
    std::fs::write(path, out).map_err(|e| fail(&e))?;
    Ok(rows.len())
}

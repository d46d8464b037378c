//! The summary's native charts: tier doughnut (customers), revenue by tier (columns) and the Pareto
//! chart (revenue of customers sorted high to low, cumulative share on a secondary axis, 80% mark).
//!
//! Charts only point at cells the summary sheet already holds; this module writes no data.

use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartDataLabel, ChartFormat, ChartLegendPosition, ChartLine, ChartLineDashType,
    ChartSolidFill, ChartType, RowNum,
};

use super::labels::pick;
use crate::model::{Cents, Lang};

/// Where the per-tier table sits: rows `first..=last` (one per tier), label in column 0,
/// customers in `customers_col`, revenue in `revenue_col`.
pub(crate) struct TierBlock<'s> {
    pub sheet: &'s str,
    pub first: RowNum,
    pub last: RowNum,
    pub customers_col: u16,
    pub revenue_col: u16,
}

/// Where the Pareto data sits: rows `first..=last`; columns customer share, bucket revenue,
/// cumulative share and the 80% mark.
pub(crate) struct ParetoBlock<'s> {
    pub sheet: &'s str,
    pub first: RowNum,
    pub last: RowNum,
    pub col: u16,
}

const TIER_COLORS: [u32; 4] = [0x2E7D32, 0x1565C0, 0xF9A825, 0x9E9E9E];

pub(crate) fn tier_doughnut(block: &TierBlock, lang: Lang) -> Chart {
    let mut chart = Chart::new(ChartType::Doughnut);
    let colors: Vec<u32> = TIER_COLORS.iter().copied().take((block.last - block.first + 1) as usize).collect();
    chart
        .add_series()
        .set_name(pick(lang, "客户数", "Customers"))
        .set_categories((block.sheet, block.first, 0, block.last, 0))
        .set_values((block.sheet, block.first, block.customers_col, block.last, block.customers_col))
        .set_point_colors(&colors)
        .set_data_label(ChartDataLabel::new().show_percentage().show_category_name());
    chart.title().set_name(pick(lang, "各层客户数占比", "Customers by tier"));
    // The data labels already name each tier.
    chart.legend().set_hidden();
    chart.set_hole_size(50);
    chart.set_width(480).set_height(300);
    chart
}

pub(crate) fn tier_revenue(block: &TierBlock, lang: Lang) -> Chart {
    let mut chart = Chart::new(ChartType::Column);
    let colors: Vec<u32> = TIER_COLORS.iter().copied().take((block.last - block.first + 1) as usize).collect();
    chart
        .add_series()
        .set_name(pick(lang, "消费金额", "Revenue"))
        .set_categories((block.sheet, block.first, 0, block.last, 0))
        .set_values((block.sheet, block.first, block.revenue_col, block.last, block.revenue_col))
        .set_point_colors(&colors)
        .set_data_label(ChartDataLabel::new().show_value().set_num_format("¥#,##0"));
    chart.title().set_name(pick(lang, "各层消费金额", "Revenue by tier"));
    chart.y_axis().set_num_format("¥#,##0");
    chart.legend().set_hidden();
    chart.set_width(480).set_height(300);
    chart
}

pub(crate) fn pareto(block: &ParetoBlock, lang: Lang) -> Chart {
    let (sheet, first, last, col) = (block.sheet, block.first, block.last, block.col);
    let mut bars = Chart::new(ChartType::Column);
    bars.add_series()
        .set_name((sheet, first - 1, col + 1))
        .set_categories((sheet, first, col, last, col))
        .set_values((sheet, first, col + 1, last, col + 1))
        .set_format(ChartSolidFill::new().set_color(0x90CAF9))
        .set_gap(10);
    let mut lines = Chart::new(ChartType::Line);
    lines
        .add_series()
        .set_name((sheet, first - 1, col + 2))
        .set_categories((sheet, first, col, last, col))
        .set_values((sheet, first, col + 2, last, col + 2))
        .set_format(ChartFormat::new().set_line(ChartLine::new().set_color(0xC62828).set_width(2.0)))
        .set_secondary_axis(true);
    lines
        .add_series()
        .set_name((sheet, first - 1, col + 3))
        .set_categories((sheet, first, col, last, col))
        .set_values((sheet, first, col + 3, last, col + 3))
        .set_format(
            ChartFormat::new()
                .set_line(ChartLine::new().set_color(0x616161).set_width(1.25).set_dash_type(ChartLineDashType::Dash)),
        )
        .set_secondary_axis(true);
    bars.combine(&lines);
    bars.title().set_name(pick(lang, "帕累托：客户按消费额排序", "Pareto: customers by revenue"));
    let every = ((block.last - block.first + 1) / 10).max(1) as u16;
    bars.x_axis()
        .set_name(pick(lang, "累计客户占比", "Share of customers"))
        .set_num_format("0%")
        .set_label_interval(every)
        .set_tick_interval(every);
    bars.y_axis().set_name(pick(lang, "消费金额", "Revenue")).set_num_format("¥#,##0");
    bars.y2_axis()
        .set_name(pick(lang, "累计金额占比", "Cumulative share of revenue"))
        .set_num_format("0%")
        .set_min(0)
        .set_max(1);
    bars.legend().set_position(ChartLegendPosition::Bottom);
    bars.set_width(980).set_height(360);
    bars
}

/// One point of the Pareto chart: a bucket of consecutive customers (sorted by revenue).
#[derive(Debug, PartialEq)]
pub(crate) struct ParetoPoint {
    /// Share of customers up to the end of this bucket, 0–1.
    pub customer_share: f64,
    pub revenue: Cents,
    /// Share of revenue up to the end of this bucket, 0–1.
    pub cumulative_share: f64,
}

/// Buckets `revenues` (sorted high to low) into at most `max_points` points of (nearly) equal
/// customer counts, so a chart of 250,000 customers stays readable and small.
pub(crate) fn pareto_points(revenues: &[Cents], max_points: usize) -> Vec<ParetoPoint> {
    let n = revenues.len();
    let points = n.min(max_points);
    let total: i128 = revenues.iter().map(|&r| i128::from(r)).sum();
    let mut out = Vec::with_capacity(points);
    let mut cumulative: i128 = 0;
    let mut start = 0;
    for k in 0..points {
        let end = (k + 1) * n / points;
        let bucket: i128 = revenues[start..end].iter().map(|&r| i128::from(r)).sum();
        cumulative += bucket;
        out.push(ParetoPoint {
            customer_share: end as f64 / n as f64,
            revenue: bucket as Cents,
            cumulative_share: if total > 0 { (cumulative as f64 / total as f64).clamp(0.0, 1.0) } else { 0.0 },
        });
        start = end;
    }
    out
}

/// Where the 地区 sheet's tier mix sits: provinces in column 0 of rows `first..=last`, one column of
/// customers per tier from `first_col` on (`tiers` of them).
pub(crate) struct MixBlock<'s> {
    pub sheet: &'s str,
    pub first: RowNum,
    pub last: RowNum,
    pub first_col: u16,
    pub tiers: &'s [crate::model::Tier],
}

/// Customers per province, stacked by tier (the provinces with most customers on top).
pub(crate) fn tier_mix(block: &MixBlock, lang: Lang) -> Chart {
    let mut chart = Chart::new(ChartType::BarStacked);
    for (i, tier) in block.tiers.iter().enumerate() {
        let col = block.first_col + i as u16;
        let color = TIER_COLORS[crate::model::Tier::ALL.iter().position(|t| t == tier).unwrap_or(3)];
        chart
            .add_series()
            .set_name(tier.label(lang).as_str())
            .set_categories((block.sheet, block.first, 0, block.last, 0))
            .set_values((block.sheet, block.first, col, block.last, col))
            .set_format(ChartSolidFill::new().set_color(color))
            .set_gap(40);
    }
    chart.title().set_name(pick(lang, "各省客户分层构成", "Tier mix by province"));
    // Bars run top to bottom in sheet order (most customers first): the category axis (the vertical one
    // of a bar chart) reversed, with the value axis crossing it at the last category so it stays at the
    // bottom (as Excel's "categories in reverse order" + "at maximum category").
    chart.y_axis().set_reverse().set_crossing(ChartAxisCrossing::Max);
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(560).set_height((120 + 22 * (block.last - block.first + 1)).min(900));
    chart
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pareto_buckets_cover_every_customer_and_end_at_one_hundred_percent() {
        let revenues: Vec<Cents> = (1..=1234).rev().map(|r| r * 100).collect();
        let points = pareto_points(&revenues, 100);
        assert_eq!(points.len(), 100);
        let sum: Cents = points.iter().map(|p| p.revenue).sum();
        assert_eq!(sum, revenues.iter().sum::<Cents>());
        let last = points.last().unwrap();
        assert!((last.customer_share - 1.0).abs() < 1e-12 && (last.cumulative_share - 1.0).abs() < 1e-12);
        assert!(points.windows(2).all(|w| w[0].cumulative_share <= w[1].cumulative_share));
    }

    #[test]
    fn few_customers_give_one_point_each() {
        let points = pareto_points(&[500, 300, 200], 100);
        assert_eq!(points.iter().map(|p| p.revenue).collect::<Vec<_>>(), vec![500, 300, 200]);
        assert!((points[0].cumulative_share - 0.5).abs() < 1e-12);
    }
}

//! Chart data for the UI and the export, as pure functions of customers and assignments: the
//! Pareto curve (cumulative revenue against cumulative customers) and the R×F heat matrix.
//!
//! Drawing is not done here; the points are small enough to send over IPC as they are.

use serde::{Deserialize, Serialize};

use super::types::Assignment;
use crate::model::{Cents, Customer, Tier};

/// One point of the Pareto curve: after the top `customer_share` of customers (by spend),
/// `revenue_share` of the revenue is made. Both 0–1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ParetoPoint {
    /// Share of customers counted so far, 0–1.
    pub customer_share: f64,
    /// Share of total revenue they made, 0–1 (0 when the total is not positive).
    pub revenue_share: f64,
    /// Tier of the last customer counted in this point, when assignments were given.
    pub tier: Option<Tier>,
}

/// The Pareto curve with at most `max_points` points (at least 2: the origin and the end), plus
/// the exact points where the tier changes when `assignments` are given, so a chart can mark
/// where A ends. Customers are ordered by revenue, high to low, ties by key.
pub fn pareto(customers: &[Customer], assignments: Option<&[Assignment]>, max_points: usize) -> Vec<ParetoPoint> {
    let n = customers.len();
    if n == 0 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| {
        customers[b].revenue.cmp(&customers[a].revenue).then_with(|| customers[a].key.cmp(&customers[b].key))
    });
    let total: i64 = customers.iter().fold(0i64, |t, c| t.saturating_add(c.revenue));
    let tier_of = |i: usize| assignments.and_then(|a| a.get(i)).map(|a| a.tier);
    let max_points = max_points.max(2);
    // Every `step`-th customer; the step keeps the count within max_points with room for tier marks.
    let step = n.div_ceil(max_points.saturating_sub(5).max(1)).max(1);
    let mut points = vec![ParetoPoint { customer_share: 0.0, revenue_share: 0.0, tier: None }];
    let mut cum: i64 = 0;
    for (k, &i) in order.iter().enumerate() {
        cum = cum.saturating_add(customers[i].revenue);
        let last = k + 1 == n;
        let tier_ends = order.get(k + 1).is_some_and(|&next| tier_of(next) != tier_of(i));
        if last || tier_ends || (k + 1) % step == 0 {
            points.push(ParetoPoint {
                customer_share: (k + 1) as f64 / n as f64,
                revenue_share: if total > 0 { cum as f64 / total as f64 } else { 0.0 },
                tier: tier_of(i),
            });
        }
    }
    if points.len() > max_points {
        // Many tier changes (methods that do not follow spend): keep an even subset, ends included.
        let keep = max_points;
        let len = points.len();
        points = (0..keep).map(|j| points[j * (len - 1) / (keep - 1)].clone()).collect();
    }
    points
}

/// One cell of the R×F matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RfCell {
    /// R score 1–5 (5 = most recent).
    pub r: u8,
    /// F score 1–5.
    pub f: u8,
    /// Number of customers in the cell.
    pub customers: u64,
    /// Net revenue of the cell's customers.
    pub revenue: Cents,
    /// Average order value of the cell's customers.
    pub aov: Cents,
}

/// The 5×5 R×F matrix: 25 cells, R = 1..5 outer, F = 1..5 inner, empty cells included. Scores
/// above 5 are counted in 5 (never happens with `classify` output).
pub fn rf_matrix(customers: &[Customer], assignments: &[Assignment]) -> Vec<RfCell> {
    let mut cells: Vec<RfCell> =
        (1..=5u8).flat_map(|r| (1..=5u8).map(move |f| RfCell { r, f, customers: 0, revenue: 0, aov: 0 })).collect();
    let mut orders = [0u64; 25];
    // Scores of 0 are customers with no order in the analysis window (`classify::OUTSIDE`): not scored, not in a cell.
    for (c, a) in customers.iter().zip(assignments).filter(|(_, a)| a.r_score > 0 && a.f_score > 0) {
        let r = usize::from(a.r_score.clamp(1, 5) - 1);
        let f = usize::from(a.f_score.clamp(1, 5) - 1);
        let cell = &mut cells[r * 5 + f];
        cell.customers += 1;
        cell.revenue = cell.revenue.saturating_add(c.revenue);
        orders[r * 5 + f] += u64::from(c.orders);
    }
    for (cell, o) in cells.iter_mut().zip(orders) {
        cell.aov = if o == 0 { 0 } else { (cell.revenue as f64 / o as f64).round() as Cents };
    }
    cells
}

//! Cohorts: customers grouped by the month of their first order, and what each cohort did in the
//! months since (M+0 … M+11): the share of the cohort that ordered in that month and the net revenue
//! per cohort customer.
//!
//! Pure: orders and the as-of date in, a table out. Months after the as-of month have not happened
//! yet and are `None` (blank in the sheet and the heat map), never 0. Orders after the as-of date are
//! left out, as classification leaves them out of R.

use std::collections::BTreeMap;
use std::hash::Hash;

use rustc_hash::FxHashMap as HashMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::{Cents, Order};

/// Months followed after the first: M+0 … M+11.
pub const MONTHS: usize = 12;

/// One cohort: the customers whose first order fell in `month`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CohortRow {
    /// The first-order month, `2025-01`.
    pub month: String,
    /// Customers in the cohort.
    pub customers: u32,
    /// Per month since (index k = M+k): cohort customers with at least one order in that month;
    /// `None` for months after the as-of month.
    pub active: Vec<Option<u32>>,
    /// Per month since: the cohort's net revenue in that month in fen; `None` after the as-of month.
    #[cfg_attr(feature = "ts", ts(type = "Array<number | null>"))]
    pub revenue: Vec<Option<Cents>>,
}

impl CohortRow {
    /// Share of the cohort that ordered in month M+`k` (0–1), `None` when that month is after as-of.
    pub fn share(&self, k: usize) -> Option<f64> {
        let active = (*self.active.get(k)?)?;
        Some(if self.customers == 0 { 0.0 } else { f64::from(active) / f64::from(self.customers) })
    }

    /// Net revenue in month M+`k` per cohort customer, in yuan; `None` when that month is after as-of.
    pub fn revenue_per_customer(&self, k: usize) -> Option<f64> {
        let revenue = (*self.revenue.get(k)?)?;
        Some(if self.customers == 0 { 0.0 } else { crate::model::yuan(revenue) / f64::from(self.customers) })
    }
}

/// The cohort table: one row per first-order month that has customers, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CohortTable {
    /// The as-of date the table was cut at.
    pub as_of: NaiveDate,
    /// The cohorts, oldest first.
    pub rows: Vec<CohortRow>,
}

/// Months since year 0 of a date: consecutive months are consecutive numbers.
fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

fn month_label(index: i64) -> String {
    format!("{:04}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1)
}

/// What the cohort table reads of one valid order: whose it is, when, the first-order date of a
/// customer-level row, and its net revenue. `K` identifies the customer (a key, or the workspace's id).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Purchase<K> {
    /// The customer.
    pub customer: K,
    /// The day the order was placed.
    pub placed: NaiveDate,
    /// 首次消费时间 of a customer-level row, when it has one.
    pub first_date: Option<NaiveDate>,
    /// Paid minus refunded, in fen.
    pub net: Cents,
}

/// Builds the cohort table from valid orders (as `orders` and the store give them).
///
/// A customer's cohort is the month of their earliest order date (or of a customer-level row's
/// 首次消费时间 when earlier); every order row counts as activity in the month it was placed (a
/// customer-level row that stands for several orders counts once, at its date).
pub fn cohorts(orders: &[Order], as_of: NaiveDate) -> CohortTable {
    cohorts_from(orders.iter().map(|o| Purchase::of(o, o.customer_key.as_str())), as_of)
}

impl<K> Purchase<K> {
    /// What the cohort table reads of `order`, whose customer is `customer`.
    pub(crate) fn of(order: &Order, customer: K) -> Self {
        Purchase { customer, placed: order.placed_at.date(), first_date: order.first_date, net: order.net() }
    }
}

/// [`cohorts`] from the few facts it needs of each order (the workspace reads only these).
pub fn cohorts_of<K: Copy + Eq + Hash>(purchases: &[Purchase<K>], as_of: NaiveDate) -> CohortTable {
    cohorts_from(purchases.iter().copied(), as_of)
}

/// [`cohorts_of`] from purchases produced on the fly (walked twice; `digest` maps the orders to
/// them with small customer ids instead of collecting a million purchases first).
pub(crate) fn cohorts_from<K: Copy + Eq + Hash>(
    purchases: impl Iterator<Item = Purchase<K>> + Clone,
    as_of: NaiveDate,
) -> CohortTable {
    let last_month = month_index(as_of);
    let visible = || purchases.clone().filter(|p| p.placed <= as_of);
    // Each customer gets a small id on the first walk; per id the cohort month and, on the second
    // walk, a bit per month of activity (a set of (cohort, month, customer) was 39 MB at a million
    // orders).
    let mut ids: HashMap<K, u32> = HashMap::default();
    let mut first: Vec<i64> = Vec::new();
    for p in visible() {
        let month = month_index(p.first_date.map_or(p.placed, |d| d.min(p.placed)));
        let id = *ids.entry(p.customer).or_insert_with(|| {
            first.push(month);
            (first.len() - 1) as u32
        });
        if let Some(m) = first.get_mut(id as usize) {
            *m = (*m).min(month);
        }
    }
    let mut sizes: BTreeMap<i64, u32> = BTreeMap::new();
    for month in &first {
        *sizes.entry(*month).or_default() += 1;
    }
    // (cohort, k) → customers seen and revenue.
    const _: () = assert!(MONTHS <= 32, "a customer's active months are the bits of a u32");
    let mut active: Vec<u32> = vec![0; first.len()];
    let mut revenue: HashMap<(i64, usize), Cents> = HashMap::default();
    for p in visible() {
        let Some(&id) = ids.get(&p.customer) else { continue };
        let Some(&cohort) = first.get(id as usize) else { continue };
        let since = month_index(p.placed) - cohort;
        let Ok(k) = usize::try_from(since) else { continue };
        if k >= MONTHS {
            continue;
        }
        if let Some(bits) = active.get_mut(id as usize) {
            *bits |= 1 << k;
        }
        let cell = revenue.entry((cohort, k)).or_default();
        *cell = cell.saturating_add(p.net);
    }
    drop(ids);
    let mut counts: HashMap<(i64, usize), u32> = HashMap::default();
    for (cohort, bits) in first.iter().zip(&active) {
        for k in (0..MONTHS).filter(|k| bits & (1 << k) != 0) {
            *counts.entry((*cohort, k)).or_default() += 1;
        }
    }
    let rows = sizes
        .into_iter()
        .map(|(cohort, customers)| {
            let open = |k: usize| cohort + k as i64 <= last_month;
            CohortRow {
                month: month_label(cohort),
                customers,
                active: (0..MONTHS).map(|k| open(k).then(|| counts.get(&(cohort, k)).copied().unwrap_or(0))).collect(),
                revenue: (0..MONTHS)
                    .map(|k| open(k).then(|| revenue.get(&(cohort, k)).copied().unwrap_or(0)))
                    .collect(),
            }
        })
        .collect();
    CohortTable { as_of, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn order(key: &str, id: &str, when: &str, paid: Cents) -> Order {
        Order {
            source: 0,
            row: 2,
            order_id: Some(id.into()),
            customer_key: key.into(),
            customer_name: None,
            phone: None,
            placed_at: NaiveDateTime::parse_from_str(&format!("{when} 12:00:00"), "%Y-%m-%d %H:%M:%S").unwrap(),
            paid,
            refund: 0,
            quantity: None,
            status: None,
            order_count: 1,
            first_date: None,
            interactions: None,
            region: None,
            items: Default::default(),
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Worked by hand: January cohort {a, b, c}; a returns in Feb and Mar, b in Mar (twice);
    /// February cohort {d}; e orders only after the as-of date and is no one's cohort.
    #[test]
    fn matches_a_hand_computation() {
        let orders = vec![
            order("a", "1", "2025-01-03", 10_000),
            order("b", "2", "2025-01-20", 5_000),
            order("c", "3", "2025-01-31", 3_000),
            order("a", "4", "2025-02-01", 2_000),
            order("d", "5", "2025-02-14", 7_000),
            order("a", "6", "2025-03-09", 1_000),
            order("b", "7", "2025-03-10", 4_000),
            order("b", "8", "2025-03-30", 6_000),
            order("e", "9", "2025-04-02", 9_900),
        ];
        let table = cohorts(&orders, day("2025-03-31"));
        assert_eq!(table.rows.len(), 2);
        let jan = &table.rows[0];
        assert_eq!((jan.month.as_str(), jan.customers), ("2025-01", 3));
        assert_eq!(&jan.active[..4], &[Some(3), Some(1), Some(2), None]);
        assert_eq!(&jan.revenue[..4], &[Some(18_000), Some(2_000), Some(11_000), None]);
        assert!(jan.active[3..].iter().all(Option::is_none));
        assert_eq!(jan.share(2), Some(2.0 / 3.0));
        assert_eq!(jan.revenue_per_customer(2), Some(110.0 / 3.0));
        let feb = &table.rows[1];
        assert_eq!((feb.month.as_str(), feb.customers), ("2025-02", 1));
        assert_eq!(&feb.active[..3], &[Some(1), Some(0), None]);
        assert_eq!(feb.share(1), Some(0.0));
        assert_eq!(feb.share(2), None);
    }

    #[test]
    fn months_wrap_over_the_year_and_stop_after_eleven() {
        let orders = vec![
            order("a", "1", "2024-11-30", 100),
            order("a", "2", "2025-01-01", 200),
            order("a", "3", "2025-10-31", 300),
            order("a", "4", "2025-11-01", 400),
        ];
        let table = cohorts(&orders, day("2026-06-30"));
        let row = &table.rows[0];
        assert_eq!(row.month, "2024-11");
        assert_eq!(row.active[2], Some(1));
        assert_eq!(row.revenue[11], Some(300));
        assert_eq!(row.active.len(), MONTHS);
        assert_eq!(row.active.iter().flatten().sum::<u32>(), 3, "M+12 is not followed");
    }
}

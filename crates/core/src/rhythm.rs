//! Purchase rhythm per customer: how often they buy, when the next order is due, how overdue they are,
//! and a state (未到期 / 该联系了 / 流失预警 / 已流失) from editable ratio thresholds.
//!
//! The rules (docs/rhythm.md explains them to a shop owner):
//! - A customer's purchases are their **order days**: the distinct dates of the orders the import kept.
//!   Two orders on one day are one purchase (a split basket is not a rhythm of 0 days); a closed or
//!   fully refunded order was already dropped by `orders`, so a refunded order between two paid ones
//!   leaves one gap from the first paid day to the second.
//! - **Typical gap** = the median of the gaps in days between consecutive order days (the median, not
//!   the mean, so one long pause or one quick re-order does not move it much); with an even number of
//!   gaps the mean of the two middle ones.
//! - A customer-level sheet (one row standing for N orders) has no order days: such a customer's gap is
//!   the average `(last − first) / (N − 1)` (basis [`GapBasis::Average`]).
//! - A one-time buyer (one order day) gets the **shop's median gap between first and second order
//!   days** over the customers with their own order days (basis [`GapBasis::Shop`], "按全店中位数").
//!   A shop with no repeat buyer has no such median: its one-time buyers get no rhythm.
//! - **Expected next order** = last order day + the gap rounded up to whole days; **days overdue** =
//!   as-of − expected (negative: due in that many days); **overdue ratio** = days since the last order
//!   ÷ gap. The state follows the ratio: below `due` 未到期, from `due` 该联系了, from `at_risk` 流失预警,
//!   from `lapsed` 已流失 (a ratio equal to a threshold is in the later state).
//!
//! What it deliberately does not do: read orders from files or the workspace (callers pass
//! [`OrderDays`], built from orders or by `store`), classify, or read the clock.

use rustc_hash::FxHashMap as HashMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Customer, Lang, Order, Shared, Text};

/// The ratio thresholds (days since the last order ÷ typical gap) where the state changes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RhythmThresholds {
    /// From this ratio on: 该联系了 (default 1×: the expected next order day has come).
    pub due: f64,
    /// From this ratio on: 流失预警 (default 2×: twice the usual pause).
    pub at_risk: f64,
    /// From this ratio on: 已流失 (default 4×).
    pub lapsed: f64,
}

impl Default for RhythmThresholds {
    fn default() -> Self {
        RhythmThresholds { due: 1.0, at_risk: 2.0, lapsed: 4.0 }
    }
}

impl RhythmThresholds {
    /// The workspace setting the user's thresholds are saved under.
    pub const SETTING: &'static str = "rhythm_thresholds";

    /// Checks `0 < due < at_risk < lapsed`, all finite.
    ///
    /// # Errors
    /// `InvalidParams` with a sentence saying which threshold is wrong.
    pub fn validate(&self) -> Result<()> {
        let RhythmThresholds { due, at_risk, lapsed } = *self;
        if ![due, at_risk, lapsed].iter().all(|v| v.is_finite()) || due <= 0.0 {
            return Err(Error::InvalidParams(format!(
                "回购节奏的倍数必须是大于 0 的数字（现在是 {due}、{at_risk}、{lapsed}）。请改为例如 1、2、4。"
            )));
        }
        if !(due < at_risk && at_risk < lapsed) {
            return Err(Error::InvalidParams(format!(
                "回购节奏的倍数必须从小到大：该联系了 < 流失预警 < 已流失（现在是 {due}、{at_risk}、{lapsed}）。请改为例如 1、2、4。"
            )));
        }
        Ok(())
    }

    /// The state of a customer at `ratio` (a ratio equal to a threshold is in the later state).
    pub fn state(&self, ratio: f64) -> RhythmState {
        if ratio >= self.lapsed {
            RhythmState::Lapsed
        } else if ratio >= self.at_risk {
            RhythmState::AtRisk
        } else if ratio >= self.due {
            RhythmState::Due
        } else {
            RhythmState::NotDue
        }
    }
}

/// Where a customer stands in their rhythm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RhythmState {
    /// 未到期: the usual gap has not passed yet.
    NotDue,
    /// 该联系了: the expected next order day has come (and gone).
    Due,
    /// 流失预警: well past the usual gap.
    AtRisk,
    /// 已流失: so far past it that the customer has most likely left.
    Lapsed,
}

impl RhythmState {
    /// All states, in order of urgency rising.
    pub const ALL: [RhythmState; 4] = [RhythmState::NotDue, RhythmState::Due, RhythmState::AtRisk, RhythmState::Lapsed];

    /// 未到期 / 该联系了 / 流失预警 / 已流失, or the English words.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (RhythmState::NotDue, Lang::Zh) => "未到期",
            (RhythmState::Due, Lang::Zh) => "该联系了",
            (RhythmState::AtRisk, Lang::Zh) => "流失预警",
            (RhythmState::Lapsed, Lang::Zh) => "已流失",
            (RhythmState::NotDue, Lang::En) => "Not due",
            (RhythmState::Due, Lang::En) => "Due",
            (RhythmState::AtRisk, Lang::En) => "At risk",
            (RhythmState::Lapsed, Lang::En) => "Lapsed",
        }
    }
}

/// Where a customer's typical gap comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum GapBasis {
    /// The median of the customer's own gaps between order days.
    Own,
    /// A customer-level sheet: (last − first) ÷ (orders − 1).
    Average,
    /// A one-time buyer: the shop's median gap between first and second order days (按全店中位数).
    Shop,
}

impl GapBasis {
    /// 本人 / 汇总平均 / 按全店中位数, or the English words.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (GapBasis::Own, Lang::Zh) => "本人",
            (GapBasis::Average, Lang::Zh) => "汇总平均",
            (GapBasis::Shop, Lang::Zh) => "按全店中位数",
            (GapBasis::Own, Lang::En) => "own orders",
            (GapBasis::Average, Lang::En) => "summary average",
            (GapBasis::Shop, Lang::En) => "shop median",
        }
    }
}

/// One customer's purchase rhythm at an as-of date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rhythm {
    /// The typical gap in days between order days (> 0; may be fractional: a median of two gaps).
    pub gap_days: f64,
    /// Where the gap comes from.
    pub basis: GapBasis,
    /// Distinct order days of the customer (for a customer-level sheet: its order count).
    pub purchase_days: u32,
    /// Last order day + the gap rounded up.
    pub expected_next: NaiveDate,
    /// Whole days from the last order to the as-of date (never negative).
    pub days_since_last: i64,
    /// As-of − expected next order; negative when the next order is not due yet.
    pub days_overdue: i64,
    /// Days since the last order ÷ gap.
    pub overdue_ratio: f64,
    /// The state from the ratio and the thresholds.
    pub state: RhythmState,
}

/// What a customer's orders say about their rhythm: the distinct order days, sorted, and whether any
/// of their rows summarizes several orders (a customer-level sheet).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PurchaseDays {
    /// Distinct order days, oldest first.
    pub days: Vec<NaiveDate>,
    /// True when a row stands for more than one order (its order days are unknown).
    pub summarized: bool,
}

impl PurchaseDays {
    /// Adds one order on `day` standing for `order_count` orders.
    pub(crate) fn add(&mut self, day: NaiveDate, order_count: u32) {
        self.days.push(day);
        self.summarized |= order_count > 1;
    }

    /// Sorts the days and folds same-day orders into one order day.
    pub(crate) fn finish(&mut self) {
        self.days.sort_unstable();
        self.days.dedup();
        self.days.shrink_to_fit();
    }
}

/// The purchase days of every customer, by customer key.
#[derive(Clone, Debug, Default)]
pub struct OrderDays {
    by_key: HashMap<Shared, PurchaseDays>,
}

impl OrderDays {
    /// Collects the order days from the kept orders (any order; the result does not depend on it).
    pub fn from_orders(orders: &[Order]) -> OrderDays {
        let mut days = OrderDays::default();
        for o in orders {
            days.add(&o.customer_key, o.placed_at.date(), o.order_count);
        }
        days.finish();
        days
    }

    /// Adds one order of `key` on `day` standing for `order_count` orders. Call [`OrderDays::finish`]
    /// after the last one.
    pub fn add(&mut self, key: &str, day: NaiveDate, order_count: u32) {
        let entry = match self.by_key.get_mut(key) {
            Some(entry) => entry,
            None => self.by_key.entry(Shared::from(key)).or_default(),
        };
        entry.add(day, order_count);
    }

    /// The purchase days of customers collected elsewhere (see `digest`), each already finished
    /// ([`PurchaseDays::finish`]).
    pub(crate) fn from_shared(days: impl IntoIterator<Item = (Shared, PurchaseDays)>) -> OrderDays {
        OrderDays { by_key: days.into_iter().collect() }
    }

    /// Sorts each customer's days and folds same-day orders into one order day.
    pub fn finish(&mut self) {
        self.by_key.values_mut().for_each(PurchaseDays::finish);
    }

    /// The purchase days of `key`, when it has orders.
    pub fn get(&self, key: &str) -> Option<&PurchaseDays> {
        self.by_key.get(key)
    }

    /// Whether any order day falls after `day`.
    fn any_after(&self, day: NaiveDate) -> bool {
        self.by_key.values().any(|d| d.days.last().is_some_and(|last| *last > day))
    }

    /// The order days up to and including `day` (an as-of date or a window's end); customers with
    /// none left are dropped.
    pub fn until(&self, day: NaiveDate) -> OrderDays {
        let by_key = self
            .by_key
            .iter()
            .filter_map(|(key, d)| {
                let days: Vec<NaiveDate> = d.days.iter().copied().filter(|x| *x <= day).collect();
                (!days.is_empty()).then(|| (key.clone(), PurchaseDays { days, summarized: d.summarized }))
            })
            .collect();
        OrderDays { by_key }
    }
}

/// The rhythm of every customer of a dataset at one as-of date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rhythms {
    /// The date the rhythm is measured at.
    pub as_of: NaiveDate,
    /// The thresholds the states come from.
    pub thresholds: RhythmThresholds,
    /// The shop's median gap between first and second order days; `None` without repeat buyers.
    pub shop_gap_days: Option<f64>,
    /// Per customer, in the order of the `customers` given; `None` when no gap can be estimated.
    pub customers: Vec<Option<Rhythm>>,
}

impl Rhythms {
    /// The rhythm of customer `index`.
    pub fn get(&self, index: usize) -> Option<&Rhythm> {
        self.customers.get(index).and_then(Option::as_ref)
    }
}

/// The median of `values`, sorted in place; `None` when empty.
fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[mid] as f64 } else { (values[mid - 1] + values[mid]) as f64 / 2.0 })
}

/// A customer's own gap and its basis, before the shop median is known.
fn own_gap(customer: &Customer, days: Option<&PurchaseDays>) -> Option<(f64, GapBasis, u32)> {
    match days {
        Some(d) if d.summarized => {
            let span = (customer.last_order - customer.first_order).num_days();
            (customer.orders >= 2 && span > 0)
                .then(|| (span as f64 / f64::from(customer.orders - 1), GapBasis::Average, customer.orders))
        }
        Some(d) if d.days.len() >= 2 => {
            let mut gaps: Vec<i64> = d.days.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
            median(&mut gaps).map(|g| (g, GapBasis::Own, d.days.len() as u32))
        }
        _ => None,
    }
}

/// The shop's median gap between the first and second order days of its repeat buyers (customers
/// with their own order days; customer-level rows do not say when the second order was).
pub fn shop_gap(days: &OrderDays) -> Option<f64> {
    let mut firsts: Vec<i64> = days
        .by_key
        .values()
        .filter(|d| !d.summarized && d.days.len() >= 2)
        .map(|d| (d.days[1] - d.days[0]).num_days())
        .collect();
    median(&mut firsts)
}

/// The rhythm of every customer at `as_of` (see the module documentation for the rules).
///
/// # Errors
/// `InvalidParams` when the thresholds are not `0 < due < at_risk < lapsed`.
pub fn compute(
    customers: &[Customer],
    days: &OrderDays,
    as_of: NaiveDate,
    thresholds: RhythmThresholds,
) -> Result<Rhythms> {
    thresholds.validate()?;
    // Orders after the as-of date (an earlier as-of date, a window's end) are not yet known then.
    let kept;
    let days = if days.any_after(as_of) {
        kept = days.until(as_of);
        &kept
    } else {
        days
    };
    let shop_gap_days = shop_gap(days);
    let rhythms = customers
        .iter()
        .map(|c| {
            let (gap, basis, count) = gap_of(c, days, shop_gap_days)?;
            Some(rhythm_at(c.last_order, gap, basis, count, as_of, &thresholds))
        })
        .collect();
    Ok(Rhythms { as_of, thresholds, shop_gap_days, customers: rhythms })
}

/// Each customer's typical gap in days (by the rules above: own median, summary average or the shop's
/// median), in the order of `customers`; `None` when no gap can be estimated. It does not depend on
/// an as-of date: the composite score divides each customer's recency by it to get the overdue ratio.
pub fn typical_gaps(customers: &[Customer], days: &OrderDays) -> Vec<Option<f64>> {
    let shop_gap_days = shop_gap(days);
    customers.iter().map(|c| gap_of(c, days, shop_gap_days).map(|(gap, _, _)| gap)).collect()
}

/// A customer's gap, its basis and purchase days: their own, else the shop's median.
fn gap_of(customer: &Customer, days: &OrderDays, shop_gap_days: Option<f64>) -> Option<(f64, GapBasis, u32)> {
    let days = days.get(&customer.key);
    match own_gap(customer, days) {
        Some(own) => Some(own),
        None => Some((shop_gap_days?, GapBasis::Shop, days.map_or(1, |d| d.days.len() as u32))),
    }
}

fn rhythm_at(
    last: NaiveDate,
    gap: f64,
    basis: GapBasis,
    purchase_days: u32,
    as_of: NaiveDate,
    thresholds: &RhythmThresholds,
) -> Rhythm {
    let whole_gap = gap.ceil() as u64;
    let expected_next = last.checked_add_days(Days::new(whole_gap)).unwrap_or(NaiveDate::MAX);
    let days_since_last = (as_of - last).num_days().max(0);
    let overdue_ratio = days_since_last as f64 / gap;
    Rhythm {
        gap_days: gap,
        basis,
        purchase_days,
        expected_next,
        days_since_last,
        days_overdue: (as_of - expected_next).num_days(),
        overdue_ratio,
        state: thresholds.state(overdue_ratio),
    }
}

/// Formats a gap for people: whole days without decimals, a half day with one.
pub fn gap_text(gap: f64) -> String {
    if gap.fract() == 0.0 {
        format!("{gap:.0}")
    } else {
        format!("{gap:.1}")
    }
}

/// One line about a customer's rhythm, e.g. "平均 30 天买一次（本人 4 次），已 45 天未下单，1.5 倍，超出 15 天".
pub fn describe(r: &Rhythm) -> Text {
    let gap = gap_text(r.gap_days);
    let (basis_zh, basis_en) = match r.basis {
        GapBasis::Own => (
            format!("平均 {gap} 天买一次（{} 次购买的中位间隔）", r.purchase_days),
            format!("buys every {gap} days (median of {} purchases)", r.purchase_days),
        ),
        GapBasis::Average => (
            format!("平均 {gap} 天买一次（汇总 {} 单）", r.purchase_days),
            format!("buys every {gap} days (average of {} orders)", r.purchase_days),
        ),
        GapBasis::Shop => {
            (format!("只买过一次，按全店中位数 {gap} 天"), format!("bought once; shop median gap {gap} days"))
        }
    };
    let (due_zh, due_en) = match r.days_overdue {
        d if d > 0 => (format!("超出 {d} 天"), format!("{d} days past due")),
        0 => ("今天到期".to_string(), "due today".to_string()),
        d => (format!("{} 天后到期", -d), format!("due in {} days", -d)),
    };
    // Truncated, not rounded: 0.96× must not read as "1.0×", the point where the state changes.
    let ratio = format!("{:.1}", (r.overdue_ratio * 10.0).floor() / 10.0);
    Text::new(
        format!("{basis_zh}，已 {} 天未下单（{ratio} 倍），{due_zh}", r.days_since_last),
        format!("{basis_en}; {} days since the last order ({ratio}×), {due_en}", r.days_since_last),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut [30, 10, 20, 40]), Some(25.0));
        assert_eq!(median(&mut [7]), Some(7.0));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn a_ratio_equal_to_a_threshold_is_in_the_later_state() {
        let t = RhythmThresholds::default();
        assert_eq!(t.state(0.99), RhythmState::NotDue);
        assert_eq!(t.state(1.0), RhythmState::Due);
        assert_eq!(t.state(2.0), RhythmState::AtRisk);
        assert_eq!(t.state(4.0), RhythmState::Lapsed);
    }

    #[test]
    fn thresholds_out_of_order_are_refused_in_chinese() {
        let e = RhythmThresholds { due: 2.0, at_risk: 1.0, lapsed: 4.0 }.validate().unwrap_err();
        assert!(e.to_string().contains("从小到大"), "{e}");
        assert!(RhythmThresholds { due: 0.0, at_risk: 1.0, lapsed: 4.0 }.validate().is_err());
        assert!(RhythmThresholds { due: 1.0, at_risk: 2.0, lapsed: f64::NAN }.validate().is_err());
    }

    #[test]
    fn the_state_turns_due_exactly_on_the_expected_day() {
        let r = rhythm_at(d("2025-01-01"), 30.5, GapBasis::Own, 3, d("2025-02-01"), &RhythmThresholds::default());
        assert_eq!(r.expected_next, d("2025-02-01"));
        assert_eq!(r.days_overdue, 0);
        assert_eq!(r.state, RhythmState::Due);
        let before = rhythm_at(d("2025-01-01"), 30.5, GapBasis::Own, 3, d("2025-01-31"), &RhythmThresholds::default());
        assert_eq!(before.state, RhythmState::NotDue);
        assert_eq!(before.days_overdue, -1);
    }

    #[test]
    fn describe_names_the_basis_and_how_overdue() {
        let r = rhythm_at(d("2025-01-01"), 20.0, GapBasis::Shop, 1, d("2025-02-15"), &RhythmThresholds::default());
        let t = describe(&r);
        assert!(t.zh.contains("按全店中位数 20 天"), "{}", t.zh);
        assert!(t.zh.contains("超出 25 天"), "{}", t.zh);
    }
}

//! The analysis window and the user's own R/F/M cut points: what a classification looks at, before
//! any method decides.
//!
//! A [`Window`] keeps the orders of a period — the last 3/6/12 months, a custom range or everything
//! (the default) — and [`apply`] turns the whole-history customers into the customers of that
//! period from a [`Ledger`] (every order's day, net amount and count, by customer). The window ends
//! at its own `to`, or at the as-of date, whichever is earlier, or else at the latest order: an
//! as-of date before the latest order therefore leaves the later orders out instead of counting
//! them with a recency of 0 days. Customers with orders before the window but none in it are left
//! out ([`Outside::Drop`], the default) or kept with no orders ([`Outside::Group`]; `classify` shows
//! them as their own group); customers whose first order comes after the window's end are left out
//! in both cases (they were not customers yet).
//!
//! [`ScoreCuts`] are the user's cut points per measure (R in days, F in orders, M in yuan) that
//! replace the quantile cut points of the R/F/M scores. The boundary rule (docs/methods.md): a value
//! equal to a cut point falls on the better side — R ≤ 30 days is "within 30 days", F ≥ 3 orders and
//! M ≥ ¥500 reach the score that cut point opens — as with the fixed lines of the RFM cube and the
//! threshold method.
//!
//! It deliberately does not classify (that is `classify`, which reads both from `ClassifyParams`),
//! read files or the workspace (`store::Workspace::order_ledger` and [`Ledger::from_orders`] build
//! the ledger), or read the clock.

use chrono::{Days, Months, NaiveDate};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Cents, Customer, Lang, Order, Text};

/// Which orders count.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Span {
    /// Every order up to the as-of date (the default).
    #[default]
    All,
    /// The last `months` months up to the end: from the day after the same day `months` months
    /// earlier (12 months ending 2025-07-01 start on 2024-07-02).
    Months {
        /// 1–120.
        months: u32,
    },
    /// A custom range, both days included; an open end is the data's.
    Range {
        /// First day counted; `None` = from the first order.
        from: Option<NaiveDate>,
        /// Last day counted; `None` = up to the as-of date (or the latest order).
        to: Option<NaiveDate>,
    },
}

/// What happens to customers who ordered before the window but not in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Outside {
    /// They are left out (the default).
    #[default]
    Drop,
    /// They are kept, with no orders in the window, as their own group (tier D, "窗口内无订单").
    Group,
}

/// The analysis window: which orders count and what happens to customers without any.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Window {
    /// The period.
    pub span: Span,
    /// Customers with no order in the period: left out or grouped.
    pub outside: Outside,
}

/// The days a window covers once the data is known: `from ..= to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bounds {
    /// First day counted; `None` = from the first order.
    pub from: Option<NaiveDate>,
    /// Last day counted, which is also the as-of date recency is measured from.
    pub to: NaiveDate,
}

/// The longest window in months (ten years).
pub const MAX_MONTHS: u32 = 120;

impl Window {
    /// The last `months` months, customers without an order in them left out.
    pub fn months(months: u32) -> Self {
        Window { span: Span::Months { months }, outside: Outside::Drop }
    }

    /// Whether the window keeps every order (given no as-of date before the latest order).
    pub fn is_all(&self) -> bool {
        matches!(self.span, Span::All | Span::Range { from: None, to: None })
    }

    /// The end fixed by the parameters alone: the earlier of the range's `to` and `as_of`, `None`
    /// when neither is given (the end is then the latest order). This is the as-of date a
    /// classification measures recency from.
    pub fn end(&self, as_of: Option<NaiveDate>) -> Option<NaiveDate> {
        let to = match self.span {
            Span::Range { to, .. } => to,
            _ => None,
        };
        match (to, as_of) {
            (Some(t), Some(a)) => Some(t.min(a)),
            (t, a) => t.or(a),
        }
    }

    /// The days covered, given the as-of date and the latest order date of the data.
    pub fn bounds(&self, as_of: Option<NaiveDate>, latest: NaiveDate) -> Bounds {
        let to = self.end(as_of).unwrap_or(latest);
        let from = match self.span {
            Span::All => None,
            Span::Months { months } => {
                to.checked_sub_months(Months::new(months)).and_then(|d| d.checked_add_days(Days::new(1)))
            }
            Span::Range { from, .. } => from,
        };
        Bounds { from, to }
    }

    /// Checks the months (1–120) and that a range does not end before it starts.
    ///
    /// # Errors
    /// `InvalidParams` saying which value to fix.
    pub fn validate(&self) -> Result<()> {
        match self.span {
            Span::Months { months } if !(1..=MAX_MONTHS).contains(&months) => {
                Err(Error::InvalidParams(format!("分析窗口的月数应在 1–{MAX_MONTHS} 之间，现在是 {months}。")))
            }
            Span::Range { from: Some(f), to: Some(t) } if f > t => {
                Err(Error::InvalidParams(format!("分析窗口的开始日期 {f} 晚于结束日期 {t}，请交换或改正。")))
            }
            _ => Ok(()),
        }
    }

    /// The window in words: "近 12 个月（2024-07-02 至 2025-07-01）；窗口内无订单的客户不计入".
    pub fn words(&self, bounds: Option<Bounds>, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let what = match (&self.span, zh) {
            (Span::All, true) => "全部订单".to_string(),
            (Span::All, false) => "all orders".to_string(),
            (Span::Months { months }, true) => format!("近 {months} 个月"),
            (Span::Months { months }, false) => format!("the last {months} months"),
            (Span::Range { .. }, true) => "自定义时间段".to_string(),
            (Span::Range { .. }, false) => "a custom range".to_string(),
        };
        let days = bounds.map(|b| match (b.from, zh) {
            (Some(f), true) => format!("（{f} 至 {}）", b.to),
            (None, true) => format!("（截至 {}）", b.to),
            (Some(f), false) => format!(" ({f} to {})", b.to),
            (None, false) => format!(" (up to {})", b.to),
        });
        let outside = match (self.outside, zh) {
            (Outside::Drop, true) => "；窗口内无订单的客户不计入",
            (Outside::Group, true) => "；窗口内无订单的客户单列为 D 类（窗口内无订单）",
            (Outside::Drop, false) => "; customers with no order in the window are left out",
            (Outside::Group, false) => {
                "; customers with no order in the window form their own group D (no order in window)"
            }
        };
        format!("{what}{}{outside}", days.unwrap_or_default())
    }
}

/// One order as the window sees it.
#[derive(Clone, Copy, Debug)]
struct Entry {
    day: NaiveDate,
    /// The order's day, or a customer-level row's first-order date when earlier.
    first: NaiveDate,
    net: Cents,
    count: u32,
    interactions: Option<f64>,
}

/// Every kept order's day, net amount and count, by customer key: what [`apply`] sums per window.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    by_key: FxHashMap<String, Vec<Entry>>,
    latest: Option<NaiveDate>,
}

impl Ledger {
    /// The ledger of the kept orders (any order; the result does not depend on it).
    pub fn from_orders(orders: &[Order]) -> Ledger {
        let mut ledger = Ledger::default();
        for o in orders {
            ledger.add(&o.customer_key, o.placed_at.date(), o.first_date, o.net(), o.order_count, o.interactions);
        }
        ledger
    }

    /// Adds one order of `key`, as `customers::aggregate` counts it: placed on `day`, `first_date`
    /// for a customer-level row, `net` = paid − refund, standing for `count` orders.
    pub fn add(
        &mut self,
        key: &str,
        day: NaiveDate,
        first_date: Option<NaiveDate>,
        net: Cents,
        count: u32,
        interactions: Option<f64>,
    ) {
        let entry = Entry { day, first: first_date.map_or(day, |d| d.min(day)), net, count, interactions };
        match self.by_key.get_mut(key) {
            Some(list) => list.push(entry),
            None => {
                self.by_key.insert(key.to_string(), vec![entry]);
            }
        }
        self.latest = self.latest.max(Some(day));
    }

    /// The latest order day, `None` when empty.
    pub fn latest(&self) -> Option<NaiveDate> {
        self.latest
    }
}

/// The customers of a window.
#[derive(Clone, Debug)]
pub struct Windowed {
    /// Sorted by key, as `customers::aggregate` sorts them: the customers with orders in the window
    /// (F, M, first and last order counted in it), and with [`Outside::Group`] those without any,
    /// with 0 orders, 0 revenue and their last order before the window.
    pub customers: Vec<Customer>,
    /// The days counted.
    pub bounds: Bounds,
    /// Customers with orders in the window.
    pub inside: usize,
    /// Customers who ordered before the window but not in it (kept or left out by `outside`).
    pub outside: usize,
    /// Customers whose first order comes after the window's end (always left out).
    pub later: usize,
    /// Orders left out (before or after the window).
    pub orders_left_out: u64,
}

impl Windowed {
    /// What the window did, in both languages (the first note of the classification).
    pub fn note(&self, window: &Window) -> Text {
        let Windowed { inside, outside, later, orders_left_out, .. } = *self;
        let (kept_zh, kept_en) = match window.outside {
            Outside::Drop => ("不计入", "left out"),
            Outside::Group => (
                "单列为 D 类「窗口内无订单」，不参与分界值的计算",
                "shown as their own group D (no order in window), outside the cut points",
            ),
        };
        Text::new(
            format!(
                "分析窗口：{}。窗口内有订单的客户 {inside} 位；窗口前下过单、窗口内没有订单的客户 {outside} 位，{kept_zh}；首单在窗口结束之后的客户 {later} 位不计入；窗口外的 {orders_left_out} 笔订单不计。",
                window.words(Some(self.bounds), Lang::Zh)
            ),
            format!(
                "Analysis window: {}. {inside} customers ordered in it; {outside} ordered before it but not in it ({kept_en}); {later} whose first order comes after its end are left out; {orders_left_out} orders outside it do not count.",
                window.words(Some(self.bounds), Lang::En)
            ),
        )
    }
}

/// The customers of `window` ending at `as_of` (see [`Window::end`]), from the whole-history
/// `customers` (sorted by key; names, phones and keys are taken from them) and their orders in
/// `ledger`. Customers the ledger does not know have no orders and are left out.
pub fn apply(customers: &[Customer], ledger: &Ledger, window: &Window, as_of: Option<NaiveDate>) -> Windowed {
    let latest = ledger.latest().or_else(|| customers.iter().map(|c| c.last_order).max()).unwrap_or_default();
    let bounds = window.bounds(as_of, latest);
    let in_window = |d: NaiveDate| bounds.from.is_none_or(|f| d >= f) && d <= bounds.to;
    let mut out = Windowed { customers: Vec::new(), bounds, inside: 0, outside: 0, later: 0, orders_left_out: 0 };
    for c in customers {
        let entries = ledger.by_key.get(&c.key).map(Vec::as_slice).unwrap_or_default();
        let mut w = Customer { orders: 0, revenue: 0, interactions: None, ..c.clone() };
        let (mut first, mut last, mut before) = (None::<NaiveDate>, None::<NaiveDate>, None::<(NaiveDate, NaiveDate)>);
        for e in entries {
            if in_window(e.day) {
                w.orders = w.orders.saturating_add(e.count);
                w.revenue = w.revenue.saturating_add(e.net);
                let start = bounds.from.map_or(e.first, |f| e.first.max(f));
                first = Some(first.map_or(start, |x| x.min(start)));
                last = Some(last.map_or(e.day, |x| x.max(e.day)));
                if let Some(n) = e.interactions.filter(|n| n.is_finite()) {
                    w.interactions = Some(w.interactions.unwrap_or(0.0) + n);
                }
            } else {
                out.orders_left_out += 1;
                if e.day <= bounds.to {
                    let (f, l) = before.unwrap_or((e.first, e.day));
                    before = Some((f.min(e.first), l.max(e.day)));
                }
            }
        }
        match (first, last, before) {
            (Some(first), Some(last), _) => {
                w.first_order = first;
                w.last_order = last;
                out.inside += 1;
                out.customers.push(w);
            }
            (_, _, Some((first, last))) => {
                out.outside += 1;
                if window.outside == Outside::Group {
                    w.first_order = first;
                    w.last_order = last;
                    out.customers.push(w);
                }
            }
            _ => out.later += usize::from(!entries.is_empty()),
        }
    }
    out
}

/// Whether [`apply`] would change `customers` (whole-history, as `customers::aggregate` makes
/// them): the window is not "everything", or it ends before the latest order.
pub fn changes(window: &Window, as_of: Option<NaiveDate>, customers: &[Customer]) -> bool {
    let latest = customers.iter().map(|c| c.last_order).max();
    !window.is_all() || window.end(as_of).is_some_and(|end| latest.is_some_and(|l| end < l))
}

/// The user's own cut points of the R/F/M scores, per measure; an empty list keeps the quantiles.
/// Each list holds (bins − 1) strictly increasing values: R in days, F in orders, M in yuan. A
/// value equal to a cut point falls on the better side (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScoreCuts {
    /// Days since the last order, ascending: ≤ the first scores highest.
    pub r: Vec<f64>,
    /// Orders, ascending: ≥ the k-th cut point scores k + 1.
    pub f: Vec<f64>,
    /// Net revenue in yuan, ascending: ≥ the k-th cut point scores k + 1.
    pub m: Vec<f64>,
}

impl ScoreCuts {
    /// Whether every measure keeps its quantile cut points.
    pub fn is_empty(&self) -> bool {
        self.r.is_empty() && self.f.is_empty() && self.m.is_empty()
    }

    /// Checks each given list against `bins` scores: `bins - 1` finite, non-negative values,
    /// strictly increasing.
    ///
    /// # Errors
    /// `InvalidParams` naming the measure and what is wrong.
    pub fn validate(&self, bins: u8) -> Result<()> {
        let need = usize::from(bins.saturating_sub(1));
        for (name, unit, points) in [("R", "天", &self.r), ("F", "单", &self.f), ("M", "元", &self.m)] {
            if points.is_empty() {
                continue;
            }
            if points.len() != need {
                return Err(Error::InvalidParams(format!(
                    "{name} 的自定义分界值需要 {need} 个（{bins} 档打分），现在是 {} 个：{}。",
                    points.len(),
                    list(points)
                )));
            }
            if !points.iter().all(|p| p.is_finite() && *p >= 0.0) || !points.windows(2).all(|w| w[0] < w[1]) {
                return Err(Error::InvalidParams(format!(
                    "{name} 的自定义分界值（{unit}）应为从小到大、互不相同的非负数，现在是 {}。",
                    list(points)
                )));
            }
        }
        Ok(())
    }
}

/// "30, 90, 180".
fn list(points: &[f64]) -> String {
    points.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn months_end_at_the_as_of_date_and_start_the_day_after_the_same_day_earlier() {
        let w = Window::months(12);
        let b = w.bounds(Some(day("2025-07-01")), day("2025-09-30"));
        assert_eq!(b, Bounds { from: Some(day("2024-07-02")), to: day("2025-07-01") });
        let b = w.bounds(None, day("2025-03-31"));
        assert_eq!(b.from, Some(day("2024-04-01")));
    }

    #[test]
    fn a_range_ends_at_the_earlier_of_its_end_and_the_as_of_date() {
        let w = Window { span: Span::Range { from: None, to: Some(day("2025-05-31")) }, outside: Outside::Drop };
        assert_eq!(w.end(Some(day("2025-04-30"))), Some(day("2025-04-30")));
        assert_eq!(w.end(None), Some(day("2025-05-31")));
        assert_eq!(Window::default().end(None), None);
    }

    #[test]
    fn bad_windows_and_cuts_are_refused_in_words() {
        assert!(Window::months(0).validate().is_err());
        let w = Window {
            span: Span::Range { from: Some(day("2025-05-01")), to: Some(day("2025-04-01")) },
            ..Window::default()
        };
        assert!(w.validate().unwrap_err().to_string().contains("晚于"));
        let c = ScoreCuts { r: vec![30.0, 90.0, 180.0], ..ScoreCuts::default() };
        assert!(c.validate(5).unwrap_err().to_string().contains("需要 4 个"));
        assert!(c.validate(4).is_ok());
        let c = ScoreCuts { f: vec![2.0, 2.0, 5.0, 10.0], ..ScoreCuts::default() };
        assert!(c.validate(5).is_err());
    }
}

//! Fixed thresholds on a measure (total spend, monthly spend, average order value, orders):
//! ≥ `a_min` A, ≥ `b_min` B, else C — or ≥ `c_min` C, else D. Inclusive; money compares to the
//! cent. The gap is what lifts the measure to the next line.

use chrono::NaiveDate;

use crate::classify::base::Base;
use crate::classify::rule::{invalid, Context, Decision, Explain, MethodRule, Outcome};
use crate::classify::types::{Measure, Method};
use crate::classify::wording::{
    push_next_order_gap, push_orders_gap, push_spend_gap, threshold, Both, DAYS, ORDERS, YUAN,
};
use crate::error::Result;
use crate::model::{Customer, Text, Tier};

/// The default: monthly spend ≥ ¥1,000 A, ≥ ¥500 B.
pub(crate) fn default_method() -> Method {
    Method::Thresholds { measure: Measure::MonthlyRevenue, a_min: 1000.0, b_min: 500.0, c_min: None }
}

/// Average days per month (365.25 / 12) used by [`Measure::MonthlyRevenue`].
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// Months a customer has been a customer at `as_of`: days from the first order to `as_of`
/// divided by 30.4375, and never less than 1 (a new customer's spend counts as one month's).
pub fn customer_months(customer: &Customer, as_of: NaiveDate) -> f64 {
    ((as_of - customer.first_order).num_days() as f64 / DAYS_PER_MONTH).max(1.0)
}

impl Measure {
    /// "月均消费" / "Monthly average spend" (the same words as the reasons use).
    pub fn label(self) -> Text {
        let (zh, en) = measure_words(self);
        Text::new(zh, en)
    }
}

/// The measure's name without allocating (the wording runs once per customer).
fn measure_words(measure: Measure) -> (&'static str, &'static str) {
    match measure {
        Measure::Revenue => ("累计消费", "Total spend"),
        Measure::MonthlyRevenue => ("月均消费", "Monthly average spend"),
        Measure::Aov => ("客单价", "Average order value"),
        Measure::Orders => ("购买次数", "Orders"),
    }
}

/// The value a threshold method compares, in cents for money and in orders for `Orders`.
fn measure_value(base: &Base, measure: Measure, i: usize) -> f64 {
    let c = &base.customers[i];
    match measure {
        Measure::Revenue => c.revenue as f64,
        Measure::MonthlyRevenue => (c.revenue as f64 / customer_months(c, base.as_of)).round(),
        Measure::Aov => c.aov() as f64,
        Measure::Orders => f64::from(c.orders),
    }
}

/// The method with its parameters (yuan, or orders for `Orders`).
pub(crate) struct Thresholds {
    pub measure: Measure,
    pub a_min: f64,
    pub b_min: f64,
    pub c_min: Option<f64>,
}

impl MethodRule for Thresholds {
    fn name(&self) -> Text {
        Text::new("固定金额门槛", "Fixed thresholds")
    }

    fn validate(&self) -> Result<()> {
        let Thresholds { measure, a_min, b_min, c_min } = *self;
        let finite = a_min.is_finite() && b_min.is_finite() && c_min.is_none_or(|c| c.is_finite());
        let ordered = a_min > b_min && c_min.is_none_or(|c| c < b_min);
        let non_negative = b_min >= 0.0 && c_min.is_none_or(|c| c >= 0.0);
        if !(finite && ordered && non_negative) {
            let c = c_min.map(|c| format!("、C 类门槛 {c}")).unwrap_or_default();
            return invalid(format!(
                "{}门槛应从高到低且不小于 0：A 类门槛 > B 类门槛{}，现在是 A = {a_min}、B = {b_min}{c}。",
                measure.label().zh,
                if c_min.is_some() { " > C 类门槛" } else { "" }
            ));
        }
        Ok(())
    }

    fn decide<'a>(&'a self, ctx: &Context<'a>) -> Decision<'a> {
        let Thresholds { measure, a_min, b_min, c_min } = *self;
        let base = ctx.base;
        let tier = (0..base.n())
            .map(|i| {
                let v = measure_value(base, measure, i);
                let at_least = |t: f64| match measure {
                    Measure::Orders => v >= t,
                    _ => v >= (t * 100.0).round(),
                };
                if at_least(a_min) {
                    Tier::A
                } else if at_least(b_min) {
                    Tier::B
                } else if c_min.is_none_or(at_least) {
                    Tier::C
                } else {
                    Tier::D
                }
            })
            .collect();
        let mut outcome = Outcome::tiers(tier);
        outcome.four_tiers = c_min.is_some();
        let (zh, en) = measure_words(measure);
        let unit = if measure == Measure::Orders { ORDERS } else { YUAN };
        let lines = [("A", Some(a_min)), ("B", Some(b_min)), ("C", c_min)];
        for (letter, value) in lines {
            if let Some(value) = value {
                outcome.thresholds.push(threshold(
                    format!("{letter} 类：{zh} ≥"),
                    format!("Tier {letter}: {en} ≥"),
                    value,
                    unit,
                ));
            }
        }
        if measure == Measure::MonthlyRevenue {
            outcome.thresholds.push(threshold(
                "每月天数（365.25 ÷ 12）",
                "Days per month (365.25 ÷ 12)",
                DAYS_PER_MONTH,
                DAYS,
            ));
            outcome.notes.push(Text::new(
                "月均消费 = 累计消费 ÷ 月数；月数 = 从首次下单到统计日期的天数 ÷ 30.4375，不足 1 个月按 1 个月计。",
                "Monthly average = net spend ÷ months; months = days from the first order to the as-of date ÷ 30.4375, at least 1.",
            ));
        }
        outcome.notes.push(Text::new(
            "门槛含等于：恰好等于 A 类门槛的客户属于 A 类。金额按分比较。",
            "Thresholds are inclusive: a customer exactly at the tier A threshold is A. Money compares to the cent.",
        ));
        Decision { outcome, explain: Box::new(Wording { base, rule: self }) }
    }
}

struct Wording<'a> {
    base: &'a Base<'a>,
    rule: &'a Thresholds,
}

impl Wording<'_> {
    /// A threshold: `¥1,000` for money, `2.5` for orders.
    fn limit(&self, r: &mut Both, t: f64) {
        if self.rule.measure != Measure::Orders {
            r.yuan((t * 100.0).round() as i64);
        } else {
            r.dec1(t);
        }
    }

    /// "，介于 ¥500 与 ¥1,000 之间" / ", between ¥500 and ¥1,000" and the like.
    fn range(&self, r: &mut Both, lower: Option<f64>, upper: Option<f64>) {
        match (lower, upper) {
            (Some(lo), None) => {
                r.words("，≥ ", " ≥ ");
                self.limit(r, lo);
            }
            (Some(lo), Some(hi)) => {
                r.words("，介于 ", ", between ");
                self.limit(r, lo);
                r.words(" 与 ", " and ");
                self.limit(r, hi);
                r.words(" 之间", "");
            }
            (None, Some(hi)) => {
                r.words("，低于 ", ", below ");
                self.limit(r, hi);
            }
            (None, None) => {}
        }
    }
}

impl Explain for Wording<'_> {
    fn explain(&self, d: &Outcome, i: usize, reason: &mut Text, gap: &mut Text) -> bool {
        let Thresholds { measure, a_min, b_min, c_min } = *self.rule;
        let tier = d.tier[i];
        let c = &self.base.customers[i];
        let value = measure_value(self.base, measure, i);
        let (label_zh, label_en) = measure_words(measure);
        let r = &mut Both(reason);
        r.words(label_zh, label_en).words(" ", " ");
        if measure == Measure::Orders {
            r.int(value as i64).words(" 单", " orders");
        } else {
            r.yuan(value as i64);
        }
        let months = customer_months(c, self.base.as_of);
        if measure == Measure::MonthlyRevenue {
            r.words("（按 ", " (over ").dec2(months).words(" 个月）", " months)");
        }
        let (lower, upper) = match tier {
            Tier::A => (Some(a_min), None),
            Tier::B => (Some(b_min), Some(a_min)),
            Tier::C => (c_min, Some(b_min)),
            Tier::D => (None, c_min),
        };
        self.range(r, lower, upper);
        r.words("，为 ", ": ").tier(tier);

        let Some(target) = upper else { return false };
        let up = if tier == Tier::D { Tier::C } else { tier.up().unwrap_or(Tier::A) };
        match measure {
            Measure::Revenue => push_spend_gap(gap, ((target * 100.0).round() as i64).saturating_sub(c.revenue), up),
            Measure::MonthlyRevenue => {
                push_spend_gap(gap, (((target * 100.0).round() * months).ceil() as i64).saturating_sub(c.revenue), up)
            }
            Measure::Aov => {
                let need = (target * 100.0).round() * (f64::from(c.orders) + 1.0) - c.revenue as f64;
                push_next_order_gap(gap, need.ceil() as i64, up)
            }
            Measure::Orders => {
                let need = (target.ceil() as i64).saturating_sub(i64::from(c.orders)).max(1);
                push_orders_gap(gap, need, up)
            }
        }
        true
    }
}

//! Composite score 0–100: spend, orders, recency, interactions and (optionally) the purchase rhythm
//! each become a mid-rank percentile, weighted (weights normalized to sum 1) and summed; ≥ `a_min` A,
//! ≥ `b_min` B, else C. The gap is one more order and, when that is not enough, what it must be worth.
//!
//! The rhythm part is the overdue ratio (days since the last order ÷ the customer's typical gap,
//! `rhythm::typical_gaps`), lower is better: 1 − its percentile among the customers who have a gap;
//! a customer without one gets 0.5. Its weight is 0 unless set, and then every figure is what it was
//! before the part existed (a zero term adds nothing to the sums).

use rayon::prelude::*;

use crate::classify::base::Base;
use crate::classify::rule::{invalid, tier_at_least, Context, Decision, Explain, MethodRule, Outcome};
use crate::classify::scores::{self, Percentiles};
use crate::classify::types::{Method, Weights};
use crate::classify::wording::{push_next_order_gap, push_orders_gap, threshold, Both, PCT, POINTS};
use crate::error::Result;
use crate::model::{Customer, Text, Tier};

/// The default: value 0.4, frequency 0.3, recency 0.2, interactions 0.1; A from 70, B from 40.
pub(crate) fn default_method() -> Method {
    Method::Composite {
        weights: Weights { value: 0.4, frequency: 0.3, recency: 0.2, interactions: 0.1, rhythm: None },
        a_min: 70.0,
        b_min: 40.0,
    }
}

/// The method with its parameters.
pub(crate) struct Composite<'m> {
    pub weights: &'m Weights,
    pub a_min: f64,
    pub b_min: f64,
}

/// Interaction counts in thousandths, so percentiles can work on integers; none counts as 0.
fn interaction_units(v: Option<f64>) -> i64 {
    v.filter(|x| x.is_finite()).map_or(0, |x| (x * 1000.0).round() as i64)
}

/// The overdue ratio (days since the last order ÷ typical gap); `None` without a gap.
fn overdue_ratio(recency: i64, gap: Option<f64>) -> Option<f64> {
    gap.filter(|g| g.is_finite() && *g > 0.0).map(|g| recency as f64 / g)
}

/// The mid-rank percentile of `x` among `sorted` (ascending, finite): (values below + half the equal
/// ones) / n, 0–1. Ratios are compared exactly: two customers with different ratios never tie.
fn ratio_percentile(sorted: &[f64], x: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let below = sorted.partition_point(|v| *v < x);
    let up_to = sorted.partition_point(|v| *v <= x);
    (below as f64 + 0.5 * (up_to - below) as f64) / sorted.len() as f64
}

/// The rhythm part of a customer without a typical gap: the middle.
const NO_RHYTHM: f64 = 0.5;

fn composite_score(w: &[f64; 5], p: &[f64; 5]) -> f64 {
    100.0 * (w[0] * p[0] + w[1] * p[1] + w[2] * p[2] + w[3] * p[3] + w[4] * p[4])
}

impl MethodRule for Composite<'_> {
    fn name(&self) -> Text {
        Text::new("综合评分", "Composite score")
    }

    fn validate(&self) -> Result<()> {
        let Composite { weights, a_min, b_min } = *self;
        let rhythm = weights.rhythm();
        if !(rhythm.is_finite() && rhythm >= 0.0) {
            return invalid(format!("综合评分的回购节奏权重必须是不小于 0 的数字，现在是 {rhythm}。"));
        }
        let w = [weights.value, weights.frequency, weights.recency, weights.interactions];
        if !w.iter().all(|v| v.is_finite() && *v >= 0.0) || w.iter().sum::<f64>() + rhythm <= 0.0 {
            return invalid(format!(
                "综合评分的权重必须是不小于 0 的数字且不能全为 0，现在是 价值 {}、频次 {}、近度 {}、互动 {}。",
                weights.value, weights.frequency, weights.recency, weights.interactions
            ));
        }
        if !(a_min.is_finite() && b_min.is_finite() && 0.0 <= b_min && b_min < a_min && a_min <= 100.0) {
            return invalid(format!(
                "综合评分的门槛应满足 0 ≤ B 类门槛 < A 类门槛 ≤ 100，现在是 A = {a_min}、B = {b_min}。"
            ));
        }
        Ok(())
    }

    fn decide<'a>(&'a self, ctx: &Context<'a>) -> Decision<'a> {
        let Composite { weights, a_min, b_min } = *self;
        let base = ctx.base;
        let has_interactions = base.customers.iter().any(|c| c.interactions.is_some());
        let gaps = ctx.gaps.filter(|g| g.iter().any(Option::is_some));
        let mut notes = Vec::new();
        if !has_interactions && weights.interactions > 0.0 {
            notes.push(Text::new(
                "数据中没有互动次数，互动权重按比例分给价值、频次和近度。",
                "The data has no interaction counts; the interaction weight is shared out among value, frequency and recency.",
            ));
        }
        if gaps.is_none() && weights.rhythm() > 0.0 {
            notes.push(Text::new(
                "没有可用的回购节奏（没有回头客，或这次计算没有逐单日期），回购节奏权重按比例分给其他各项。",
                "No purchase rhythm is available (no repeat buyers, or no order dates in this run); the rhythm weight is shared out among the other parts.",
            ));
        }
        let w = normalized(weights, has_interactions, gaps.is_some());
        let (parts, gap) = percentiles(base, gaps);
        let score: Vec<f64> = parts.iter().map(|p| composite_score(&w, p)).collect();
        let mut outcome = Outcome::tiers(score.iter().map(|&s| tier_at_least(s, a_min, b_min)).collect());
        outcome.score = Some(score);
        let pct = |v: f64| v * 100.0;
        outcome.thresholds = vec![
            threshold("价值（累计消费）权重", "Weight of value (spend)", pct(w[0]), PCT),
            threshold("频次（购买次数）权重", "Weight of frequency (orders)", pct(w[1]), PCT),
            threshold("近度（最近购买）权重", "Weight of recency", pct(w[2]), PCT),
            threshold("互动权重", "Weight of interactions", pct(w[3]), PCT),
            threshold("A 类：综合得分 ≥", "Tier A: score ≥", a_min, POINTS),
            threshold("B 类：综合得分 ≥", "Tier B: score ≥", b_min, POINTS),
        ];
        if weights.rhythm() > 0.0 {
            outcome
                .thresholds
                .insert(4, threshold("回购节奏（逾期倍数）权重", "Weight of rhythm (overdue ratio)", pct(w[4]), PCT));
        }
        notes.push(Text::new(
            "每项先换算为百分位（0–100，低于该值的客户比例，相同值取中间位次），再按权重加权求和；用百分位而不是最大最小值，是因为少数批发大客户会把其他人的金额都压到接近 0。",
            "Each part becomes a percentile (0–100: the share of customers below, ties at the mid-rank) and the weighted sum is the score; percentiles rather than min–max because a few wholesale buyers would squash everyone else's spend towards 0.",
        ));
        if w[4] > 0.0 {
            notes.push(Text::new(
                "回购节奏 = 1 − 逾期倍数（距上次下单天数 ÷ 本人回购周期）的百分位：越没到期得分越高；无法估计回购周期的客户按 50 计。",
                "Rhythm = 1 − the percentile of the overdue ratio (days since the last order ÷ the customer's typical gap): the less overdue, the higher; customers without a typical gap count 50.",
            ));
        }
        outcome.notes = notes;
        Decision { outcome, explain: Box::new(Wording { base, a_min, b_min, parts, w, gap, gaps }) }
    }
}

/// The weights of value, frequency, recency, interactions and rhythm summing to 1; the interaction
/// weight is dropped when the data has no interaction counts, the rhythm weight when there are no gaps.
fn normalized(weights: &Weights, has_interactions: bool, has_rhythm: bool) -> [f64; 5] {
    let mut w = [
        weights.value,
        weights.frequency,
        weights.recency,
        if has_interactions { weights.interactions } else { 0.0 },
        if has_rhythm { weights.rhythm() } else { 0.0 },
    ];
    if w.iter().sum::<f64>() <= 0.0 {
        // Only the interaction (or rhythm) weight was set and the data has none.
        w = [1.0, 1.0, 1.0, 0.0, 0.0];
    }
    let sum: f64 = w.iter().sum();
    w.iter_mut().for_each(|x| *x /= sum);
    w
}

/// What the gaps need: the recency and rhythm percentiles of an order today, and F percentiles by
/// order count.
struct GapFacts {
    p_r_today: f64,
    /// The rhythm part of an overdue ratio of 0 (an order today).
    p_rhythm_today: f64,
    /// Empty when order counts are unrealistically high (a customer-level sheet could claim billions).
    p_f_by_count: Vec<f64>,
}

/// Each customer's five percentiles (spend, orders, recency, interactions, rhythm), 0–1, and the
/// facts the gaps need. Without `gaps` the rhythm part is 0 (its weight is 0 then).
fn percentiles(base: &Base, gaps: Option<&[Option<f64>]>) -> (Vec<[f64; 5]>, GapFacts) {
    let customers = base.customers;
    let n = base.n();
    let mut sorted_i: Vec<i64> = customers.iter().map(|c| interaction_units(c.interactions)).collect();
    sorted_i.par_sort_unstable();
    let overdue: Vec<Option<f64>> = match gaps {
        Some(g) => (0..n).map(|i| overdue_ratio(base.recency[i], g[i])).collect(),
        None => Vec::new(),
    };
    let mut sorted_o: Vec<f64> = overdue.iter().flatten().copied().collect();
    sorted_o.par_sort_unstable_by(f64::total_cmp);
    let (p_r, p_f, p_i) =
        (Percentiles::new(&base.sorted_r), Percentiles::new(&base.sorted_f), Percentiles::new(&sorted_i));
    let p_m = spend_percentiles(base);
    let parts = (0..n)
        .into_par_iter()
        .map(|i| {
            let c: &Customer = &customers[i];
            let rhythm = match overdue.get(i) {
                Some(Some(ratio)) => 1.0 - ratio_percentile(&sorted_o, *ratio),
                Some(None) => NO_RHYTHM,
                None => 0.0,
            };
            [
                p_m[i],
                p_f.of(i64::from(c.orders)),
                1.0 - p_r.of(base.recency[i]),
                p_i.of(interaction_units(c.interactions)),
                rhythm,
            ]
        })
        .collect();
    let max_f = base.sorted_f.last().copied().unwrap_or(0);
    let p_f_by_count = if max_f <= 1 << 20 { (0..=max_f + 1).map(|f| p_f.of(f)).collect() } else { Vec::new() };
    let p_rhythm_today = if sorted_o.is_empty() { 0.0 } else { 1.0 - ratio_percentile(&sorted_o, 0.0) };
    (parts, GapFacts { p_r_today: 1.0 - p_r.of(0), p_rhythm_today, p_f_by_count })
}

/// Spend percentiles from the revenue order: a run of equal spend shares one mid-rank.
fn spend_percentiles(base: &Base) -> Vec<f64> {
    let customers = base.customers;
    let n = base.n();
    let mut p_m = vec![0.0; n];
    let mut start = 0;
    while start < n {
        let rev = customers[base.by_revenue[start] as usize].revenue;
        let end =
            start + base.by_revenue[start..].iter().take_while(|&&j| customers[j as usize].revenue == rev).count();
        let p = ((n - end) as f64 + 0.5 * (end - start) as f64) / n as f64;
        for &j in &base.by_revenue[start..end] {
            p_m[j as usize] = p;
        }
        start = end;
    }
    p_m
}

struct Wording<'a> {
    base: &'a Base<'a>,
    a_min: f64,
    b_min: f64,
    parts: Vec<[f64; 5]>,
    /// Normalized weights.
    w: [f64; 5],
    gap: GapFacts,
    gaps: Option<&'a [Option<f64>]>,
}

impl Explain for Wording<'_> {
    fn explain(&self, d: &Outcome, i: usize, reason: &mut Text, gap: &mut Text) -> bool {
        let tier = d.tier[i];
        let p = &self.parts[i];
        let w = &self.w;
        let (cmp, limit) = match tier {
            Tier::A => ("≥ ", self.a_min),
            Tier::B => ("≥ ", self.b_min),
            _ => ("< ", self.b_min),
        };
        let r = &mut Both(reason);
        r.words("综合得分 ", "Score ")
            .dec1(composite_score(w, p))
            .words("（", " (")
            .words(cmp, cmp)
            .dec1(limit)
            .words(" 为 ", " is ")
            .tier(tier)
            .words("）：", "): ");
        let parts = [
            ("价值 ", "value "),
            ("、频次 ", ", frequency "),
            ("、近度 ", ", recency "),
            ("、互动 ", ", interactions "),
            ("、回购节奏 ", ", rhythm "),
        ];
        // Interactions and rhythm only when they weigh in.
        for (k, (zh, en)) in parts.into_iter().enumerate() {
            if k < 3 || w[k] != 0.0 {
                r.words(zh, en).int((p[k] * 100.0).round() as i64);
            }
        }
        r.words("（百分位）", " (percentiles)");
        self.gap(i, tier, gap)
    }
}

impl Wording<'_> {
    /// One more order: recency 0, F + 1; how much must it add to M to reach the next cut?
    fn gap(&self, i: usize, tier: Tier, gap: &mut Text) -> bool {
        let (target, limit) = match tier {
            Tier::A => return false,
            Tier::B => (Tier::A, self.a_min),
            _ => (Tier::B, self.b_min),
        };
        let (p, w, b) = (&self.parts[i], &self.w, self.base);
        let c = &b.customers[i];
        // The customer's own old values leave the distribution as they move: count one
        // customer less below them, so the gap still holds after the move.
        let one = 1.0 / b.n() as f64;
        let p_r = (self.gap.p_r_today - one).max(0.0);
        let p_f_next = self
            .gap
            .p_f_by_count
            .get(c.orders as usize + 1)
            .copied()
            .unwrap_or_else(|| scores::percentile(&b.sorted_f, i64::from(c.orders) + 1));
        let p_f = (p_f_next - one).max(0.0);
        // An order today makes the overdue ratio 0; a customer without a gap may get one from it, so
        // their part is the smaller of now and an order today.
        let p_rhythm_today = (self.gap.p_rhythm_today - one).max(0.0);
        let p_rhythm = match self.gaps.and_then(|g| g[i]) {
            Some(_) => p_rhythm_today,
            None => p[4].min(p_rhythm_today),
        };
        let rest = 100.0 * (w[1] * p_f + w[2] * p_r + w[3] * p[3] + w[4] * p_rhythm);
        let p_m_now = (scores::percentile(&b.sorted_m, c.revenue.saturating_add(1)) - one).max(0.0);
        if rest + 100.0 * w[0] * p_m_now >= limit {
            push_orders_gap(gap, 1, target);
            return true;
        }
        if w[0] <= 0.0 {
            return false;
        }
        let need = (limit - rest) / (100.0 * w[0]);
        if need > 1.0 {
            return false;
        }
        // The smallest spend whose share of customers strictly below reaches `need`.
        let n = b.sorted_m.len();
        let below = ((need * n as f64).ceil() as usize + 1).clamp(1, n);
        let v = b.sorted_m[below - 1].saturating_add(1);
        push_next_order_gap(gap, v.saturating_sub(c.revenue), target);
        true
    }
}

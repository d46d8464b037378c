//! The engine behind `classify()`: shared per-customer facts (recency, scores, ABC 80/95, 8-type),
//! then the chosen method's tiers, segments, threshold table, reasons and gaps.
//!
//! Sorts happen once per call; reasons and gaps are written with the `wording` appenders rather
//! than `format!`, because one call produces several strings for each of up to 100k customers.

use chrono::NaiveDate;
use rayon::prelude::*;

use super::scores::{self, CutKind, Cuts, Dim};
use super::segments::{self, CUBE, OTHERS};
use super::wording::{push_dec1, push_dec2, push_int, push_pct, push_yuan, push_yuan_ceil};
use super::{
    customer_months, Assignment, Classification, ClassifyParams, CubeBasis, GroupSummary, Measure, Method, SegmentRule,
    Threshold, ZeroRevenue,
};
use crate::model::{Cents, Customer, Text, Tier};

/// Facts every method shares, computed once per call.
struct Base<'a> {
    customers: &'a [Customer],
    as_of: NaiveDate,
    recency: Vec<i64>,
    total: i64,
    /// Customer indices by revenue descending, ties by key ascending.
    by_revenue: Vec<u32>,
    sorted_r: Vec<i64>,
    sorted_f: Vec<i64>,
    sorted_m: Vec<i64>,
    notes: Vec<Text>,
}

impl<'a> Base<'a> {
    fn new(customers: &'a [Customer], as_of: Option<NaiveDate>) -> Self {
        let latest = customers.iter().map(|c| c.last_order).max().unwrap_or_default();
        let as_of = as_of.unwrap_or(latest);
        let mut notes = Vec::new();
        if as_of < latest {
            notes.push(Text::new(
                format!("统计日期 {as_of} 早于最近一笔订单（{latest}），之后下单的客户按 0 天计算最近购买。"),
                format!("The as-of date {as_of} is before the latest order ({latest}); customers who bought after it count 0 days of recency."),
            ));
        }
        let recency: Vec<i64> = customers.iter().map(|c| c.recency_days(as_of)).collect();
        let total = customers.iter().fold(0i64, |t, c| t.saturating_add(c.revenue));

        // Ties are broken by key; most callers pass `customers::aggregate`'s key-sorted output, where
        // the index already is the key order, so only sort keys when they are not in order.
        let key_rank: Vec<u32> = if customers.windows(2).all(|w| w[0].key <= w[1].key) {
            (0..customers.len() as u32).collect()
        } else {
            let mut idx: Vec<u32> = (0..customers.len() as u32).collect();
            idx.sort_unstable_by(|&a, &b| customers[a as usize].key.cmp(&customers[b as usize].key).then(a.cmp(&b)));
            let mut rank = vec![0u32; customers.len()];
            for (r, &i) in idx.iter().enumerate() {
                rank[i as usize] = r as u32;
            }
            rank
        };
        // One u128 per customer: revenue descending (sign-flipped, biased to sort as unsigned),
        // then key rank, then index; plain integers sort much faster than tuples.
        let mut order: Vec<u128> = customers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let descending = !((c.revenue as u64) ^ (1 << 63));
                (u128::from(descending) << 64) | (u128::from(key_rank[i]) << 32) | i as u128
            })
            .collect();
        order.par_sort_unstable();
        let by_revenue = order.into_iter().map(|k| k as u32).collect();

        let sorted = |f: &(dyn Fn(usize) -> i64 + Sync)| {
            let mut v: Vec<i64> = (0..customers.len()).map(f).collect();
            v.par_sort_unstable();
            v
        };
        let sorted_r = sorted(&|i| recency[i]);
        let sorted_f = sorted(&|i| i64::from(customers[i].orders));
        let sorted_m = sorted(&|i| customers[i].revenue);
        Base { customers, as_of, recency, total, by_revenue, sorted_r, sorted_f, sorted_m, notes }
    }

    fn n(&self) -> usize {
        self.customers.len()
    }

    /// Cut points of R, F and M for `bins` scores, with a note for each dimension that fell back.
    fn score_cuts(&mut self, bins: u8) -> [Cuts; 3] {
        let all = [
            scores::cuts(Dim::R, &self.sorted_r, bins),
            scores::cuts(Dim::F, &self.sorted_f, bins),
            scores::cuts(Dim::M, &self.sorted_m, bins),
        ];
        for c in &all {
            let (zh_dim, en_dim) = dim_names(c.dim);
            match c.kind {
                CutKind::Quantile => {}
                CutKind::ValueBins => self.notes.push(Text::new(
                    format!("{zh_dim}的分位点重合（多数客户购买次数相同，例如只买过 1 次），为避免悄悄少掉分档，F 改为按次数分档：1、2、…、{bins} 次及以上分别得 1–{bins} 分。"),
                    format!("The {en_dim} quantile cut points coincide (most customers bought the same number of times, e.g. once); rather than silently losing scores, F uses count bins: 1, 2, …, {bins}+ orders score 1–{bins}."),
                )),
                CutKind::DistinctQuantile => self.notes.push(Text::new(
                    format!("{zh_dim}的分位点重合（很多客户取值相同），改为按不同取值的分位点分档，相同取值得分相同。"),
                    format!("The {en_dim} quantile cut points coincide (many customers share a value); scores use the quantiles of the distinct values instead, equal values still score equally."),
                )),
                CutKind::AllEqual => self.notes.push(Text::new(
                    format!("所有客户的{zh_dim}都相同，这一维度无法区分客户，均记 1 分。"),
                    format!("Every customer has the same {en_dim}; this dimension cannot tell customers apart and scores 1 for all."),
                )),
            }
        }
        all
    }
}

fn dim_names(dim: Dim) -> (&'static str, &'static str) {
    match dim {
        Dim::R => ("R（最近购买距今天数）", "R (days since last order)"),
        Dim::F => ("F（购买次数）", "F (orders)"),
        Dim::M => ("M（累计消费）", "M (net spend)"),
    }
}

fn tier_zh(t: Tier) -> &'static str {
    match t {
        Tier::A => "A 类",
        Tier::B => "B 类",
        Tier::C => "C 类",
        Tier::D => "D 类",
    }
}

fn tier_en(t: Tier) -> &'static str {
    match t {
        Tier::A => "tier A",
        Tier::B => "tier B",
        Tier::C => "tier C",
        Tier::D => "tier D",
    }
}

fn threshold(zh: impl Into<String>, en: impl Into<String>, value: f64, unit: (&str, &str)) -> Threshold {
    Threshold { name: Text::new(zh, en), value, unit: Text::new(unit.0, unit.1) }
}

const YUAN: (&str, &str) = ("¥", "¥");
const DAYS: (&str, &str) = ("天", "days");
const ORDERS: (&str, &str) = ("单", "orders");
const PCT: (&str, &str) = ("%", "%");
const POINTS: (&str, &str) = ("分", "points");
const CUSTOMERS: (&str, &str) = ("人", "customers");

fn new_text() -> Text {
    Text { zh: String::with_capacity(96), en: String::with_capacity(112) }
}

// ---------------------------------------------------------------------------------------- ABC

/// ABC by revenue: tier per customer, cumulative share including the customer, and the lowest
/// customer of A and of B (for gaps).
struct AbcPass {
    tier: Vec<Tier>,
    cum_share: Vec<f64>,
    last_a: Option<usize>,
    last_b: Option<usize>,
}

/// A while the cumulative share *before* the customer is below `a_pct` (so the customer that
/// crosses the line is A, per DESIGN), B while below `b_pct`, C after; nobody is A or B when the
/// total revenue is not positive.
fn abc_revenue(base: &Base, a_pct: f64, b_pct: f64) -> AbcPass {
    let n = base.n();
    let mut tier = vec![Tier::C; n];
    let mut cum_share = vec![0.0; n];
    let (mut last_a, mut last_b) = (None, None);
    let total = base.total as f64;
    let mut cum: i64 = 0;
    for &i in &base.by_revenue {
        let i = i as usize;
        let before = cum as f64 * 100.0;
        cum = cum.saturating_add(base.customers[i].revenue);
        if base.total > 0 {
            cum_share[i] = cum as f64 / total;
            if before < a_pct * total {
                tier[i] = Tier::A;
                last_a = Some(i);
            } else if before < b_pct * total {
                tier[i] = Tier::B;
                last_b = Some(i);
            }
        }
    }
    AbcPass { tier, cum_share, last_a, last_b }
}

/// Cents customer `i` must add to rank above customer `boundary` (ties go to the smaller key).
fn overtake(base: &Base, i: usize, boundary: usize) -> i64 {
    let (me, them) = (&base.customers[i], &base.customers[boundary]);
    let tie_wins = me.key < them.key;
    them.revenue.saturating_sub(me.revenue).saturating_add(if tie_wins { 0 } else { 1 }).max(1)
}

fn push_spend_gap(gap: &mut Text, cents: i64, target: Tier) {
    gap.zh.push_str("再消费 ");
    push_yuan_ceil(&mut gap.zh, cents);
    gap.zh.push_str(" 升至 ");
    gap.zh.push_str(tier_zh(target));
    gap.en.push_str("Spend ");
    push_yuan_ceil(&mut gap.en, cents);
    gap.en.push_str(" more to reach ");
    gap.en.push_str(tier_en(target));
}

fn push_orders_gap(gap: &mut Text, orders: i64, target_zh: &str, target_en: &str) {
    gap.zh.push_str("再下 ");
    push_int(&mut gap.zh, orders);
    gap.zh.push_str(" 单升至 ");
    gap.zh.push_str(target_zh);
    gap.en.push_str("Place ");
    push_int(&mut gap.en, orders);
    gap.en.push_str(if orders == 1 { " more order to reach " } else { " more orders to reach " });
    gap.en.push_str(target_en);
}

fn push_next_order_gap(gap: &mut Text, cents: i64, target: Tier) {
    gap.zh.push_str("下一单消费 ");
    push_yuan_ceil(&mut gap.zh, cents);
    gap.zh.push_str(" 即可升至 ");
    gap.zh.push_str(tier_zh(target));
    gap.en.push_str("One more order of ");
    push_yuan_ceil(&mut gap.en, cents);
    gap.en.push_str(" reaches ");
    gap.en.push_str(tier_en(target));
}

// ------------------------------------------------------------------------------------ RFM cube

/// Where the high/low line of one cube dimension sits.
#[derive(Clone, Copy, Debug)]
enum Line {
    /// Compared exactly in integers: `v·n` against the sum.
    Mean { sum: i128, n: i128 },
    /// Strict comparison against the median.
    Median(f64),
    /// Inclusive comparison against a user's value (R ≤ r_days, F ≥ f, M ≥ m).
    Fixed(f64),
}

impl Line {
    fn value(self) -> f64 {
        match self {
            Line::Mean { sum, n } => sum as f64 / n as f64,
            Line::Median(v) | Line::Fixed(v) => v,
        }
    }

    /// F and M: is `v` high?
    fn high(self, v: i64) -> bool {
        match self {
            Line::Mean { sum, n } => i128::from(v) * n > sum,
            Line::Median(m) => (v as f64) > m,
            Line::Fixed(t) => (v as f64) >= t,
        }
    }

    /// R: is a recency of `v` days recent (high)?
    fn recent(self, v: i64) -> bool {
        match self {
            Line::Mean { sum, n } => i128::from(v) * n < sum,
            Line::Median(m) => (v as f64) < m,
            Line::Fixed(t) => (v as f64) <= t,
        }
    }

    /// F and M: the smallest integer that is high.
    fn min_high(self) -> i64 {
        match self {
            Line::Mean { sum, n } => (sum.div_euclid(n) + 1).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
            Line::Median(m) => (m.floor() as i64).saturating_add(1),
            Line::Fixed(t) => t.ceil() as i64,
        }
    }
}

struct CubeLines {
    r: Line,
    f: Line,
    m: Line,
    /// "均值" / "mean" …
    label: (&'static str, &'static str),
}

fn median(sorted: &[i64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted[n / 2] as f64,
        _ => (sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0,
    }
}

fn cube_lines(base: &Base, basis: &CubeBasis) -> CubeLines {
    let n = base.n() as i128;
    let sum = |v: &[i64]| v.iter().map(|&x| i128::from(x)).sum::<i128>();
    match basis {
        CubeBasis::Mean => CubeLines {
            r: Line::Mean { sum: sum(&base.sorted_r), n },
            f: Line::Mean { sum: sum(&base.sorted_f), n },
            m: Line::Mean { sum: sum(&base.sorted_m), n },
            label: ("均值", "mean"),
        },
        CubeBasis::Median => CubeLines {
            r: Line::Median(median(&base.sorted_r)),
            f: Line::Median(median(&base.sorted_f)),
            m: Line::Median(median(&base.sorted_m)),
            label: ("中位数", "median"),
        },
        CubeBasis::Fixed { r_days, f, m_yuan } => CubeLines {
            r: Line::Fixed(*r_days),
            f: Line::Fixed(*f),
            m: Line::Fixed((m_yuan * 100.0).round()),
            label: ("设定值", "set value"),
        },
    }
}

fn cube_type(lines: &CubeLines, recency: i64, orders: i64, revenue: i64) -> usize {
    segments::cube_index(lines.r.recent(recency), lines.f.high(orders), lines.m.high(revenue))
}

// ------------------------------------------------------------------------------- segment names

/// Names of one segment as shown: the stored display name and the zh / en wording in reasons.
struct SegmentLabel {
    display: String,
    zh: String,
    en: String,
    tier: Tier,
}

fn segment_label(params: &ClassifyParams, canonical: &str) -> SegmentLabel {
    let renamed = params.segment_names.get(canonical).filter(|s| !s.trim().is_empty());
    let builtin = segments::segment_text(canonical);
    let (zh, en) = match (renamed, &builtin) {
        (Some(r), _) => (r.clone(), r.clone()),
        (None, Some(t)) => (t.zh.clone(), t.en.clone()),
        (None, None) => (canonical.to_string(), canonical.to_string()),
    };
    let tier = params
        .segment_tiers
        .get(canonical)
        .copied()
        .or_else(|| segments::default_segment_tier(canonical))
        .unwrap_or(Tier::C);
    SegmentLabel { display: renamed.cloned().unwrap_or_else(|| canonical.to_string()), zh, en, tier }
}

// ------------------------------------------------------------------------------------- running

/// The chosen method's decisions, before wording.
struct Decisions {
    tier: Vec<Tier>,
    /// Index into `labels`, for methods with segments.
    segment: Option<Vec<u16>>,
    labels: Vec<SegmentLabel>,
    score: Option<Vec<f64>>,
    thresholds: Vec<super::Threshold>,
    four_tiers: bool,
}

/// Whether to write each customer's reason and gap (the bulk of the work) or leave them empty.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Wordings {
    Write,
    Skip,
}

pub(super) fn run(customers: &[Customer], params: &ClassifyParams, wordings: Wordings) -> Classification {
    let mut base = Base::new(customers, params.as_of);
    let n = base.n();

    // Facts shown for every method: scores (the method's bins for RFM scores, else 5), ABC 80/95
    // and the 8-type on the mean.
    let bins = match &params.method {
        Method::RfmScores { bins, .. } => *bins,
        _ => 5,
    };
    let cuts = base.score_cuts(bins);
    let rfm: Vec<[u8; 3]> = (0..n)
        .map(|i| {
            let c = &customers[i];
            [cuts[0].score(base.recency[i]), cuts[1].score(i64::from(c.orders)), cuts[2].score(c.revenue)]
        })
        .collect();
    let abc = abc_revenue(&base, 80.0, 95.0);
    let mean_lines = cube_lines(&base, &CubeBasis::Mean);
    let cube_labels: Vec<SegmentLabel> = CUBE.iter().map(|(zh, _, _)| segment_label(params, zh)).collect();
    let rfm_type: Vec<u8> = (0..n)
        .map(|i| cube_type(&mean_lines, base.recency[i], i64::from(customers[i].orders), customers[i].revenue) as u8)
        .collect();

    let mut d = Decisions {
        tier: Vec::new(),
        segment: None,
        labels: Vec::new(),
        score: None,
        thresholds: Vec::new(),
        four_tiers: false,
    };
    // Per-method state the wording step needs.
    let mut abc_own: Option<AbcPass> = None;
    let mut positions: Vec<u32> = Vec::new();
    let mut share_bounds: (Option<usize>, Option<usize>) = (None, None);
    let mut cube_own: Option<CubeLines> = None;
    let mut rule_of: Vec<u16> = Vec::new();
    let mut composite_parts: Vec<[f64; 4]> = Vec::new();
    let mut composite_w = [0.0; 4];
    // Composite gaps: recency percentile of an order today, and F percentiles by order count.
    let mut composite_gap: Option<(f64, Vec<f64>)> = None;

    match &params.method {
        Method::AbcRevenue { a_pct, b_pct } => {
            let pass = if *a_pct == 80.0 && *b_pct == 95.0 { None } else { Some(abc_revenue(&base, *a_pct, *b_pct)) };
            let p = pass.as_ref().unwrap_or(&abc);
            d.tier = p.tier.clone();
            d.thresholds = vec![
                threshold("A 类：累计销售额占比上限", "Tier A: cumulative revenue share up to", *a_pct, PCT),
                threshold("B 类：累计销售额占比上限", "Tier B: cumulative revenue share up to", *b_pct, PCT),
                threshold(
                    "A 类最低累计消费",
                    "Lowest spend in tier A",
                    p.last_a.map_or(0.0, |i| customers[i].revenue as f64 / 100.0),
                    YUAN,
                ),
                threshold(
                    "B 类最低累计消费",
                    "Lowest spend in tier B",
                    p.last_b.map_or(0.0, |i| customers[i].revenue as f64 / 100.0),
                    YUAN,
                ),
            ];
            base.notes.push(Text::new(
                format!("按累计消费从高到低排序（金额相同按客户编号），累计占比达到 {a_pct}% 之前的客户为 A 类，跨过 {a_pct}% 分界线的那一位客户也算 A 类；其后到 {b_pct}% 为 B 类，其余为 C 类。"),
                format!("Customers sorted by spend, high to low (ties by key); A while the cumulative share before the customer is below {a_pct}% — the customer who crosses the line is A — then B up to {b_pct}%, C for the rest."),
            ));
            if base.total <= 0 {
                base.notes.push(Text::new(
                    "总销售额不大于 0，无法按贡献分 A/B 类，所有客户归为 C 类。",
                    "Total revenue is not positive; nobody can be A or B by contribution, every customer is C.",
                ));
            }
            abc_own = pass;
        }
        Method::AbcCustomers { a_pct, b_pct, zero_revenue } => {
            let n_a = ((n as f64) * a_pct / 100.0).round() as usize;
            let n_ab = (((n as f64) * (a_pct + b_pct) / 100.0).round() as usize).max(n_a);
            positions = vec![0; n];
            d.tier = vec![Tier::C; n];
            let zero_tier = match zero_revenue {
                ZeroRevenue::C => Tier::C,
                ZeroRevenue::D => Tier::D,
            };
            d.four_tiers = *zero_revenue == ZeroRevenue::D;
            let (mut min_a, mut min_b) = (None, None);
            let (mut last_a, mut last_b) = (None, None);
            for (p, &i) in base.by_revenue.iter().enumerate() {
                let i = i as usize;
                positions[i] = p as u32;
                let rev = customers[i].revenue;
                d.tier[i] = if rev <= 0 {
                    zero_tier
                } else if p < n_a {
                    min_a = Some(rev);
                    last_a = Some(i);
                    Tier::A
                } else if p < n_ab {
                    min_b = Some(rev);
                    last_b = Some(i);
                    Tier::B
                } else {
                    Tier::C
                };
            }
            share_bounds = (last_a, last_b);
            d.thresholds = vec![
                threshold("A 类：消费额排名前", "Tier A: top share of customers by spend", *a_pct, PCT),
                threshold("B 类：其后", "Tier B: the next share of customers", *b_pct, PCT),
                threshold("A 类人数", "Customers in tier A", n_a as f64, CUSTOMERS),
                threshold("B 类人数（上限）", "Customers in tier B (at most)", (n_ab - n_a) as f64, CUSTOMERS),
                threshold("A 类最低累计消费", "Lowest spend in tier A", min_a.unwrap_or(0) as f64 / 100.0, YUAN),
                threshold("B 类最低累计消费", "Lowest spend in tier B", min_b.unwrap_or(0) as f64 / 100.0, YUAN),
            ];
            base.notes.push(Text::new(
                format!("按累计消费从高到低排序（金额相同按客户编号），前 {a_pct}% 的客户（四舍五入为 {n_a} 人）为 A 类，其后 {b_pct}% 为 B 类，其余为 C 类；消费为 0 的客户归入{}。", tier_zh(zero_tier)),
                format!("Customers sorted by spend, high to low (ties by key); the top {a_pct}% ({n_a} customers, rounded) are A, the next {b_pct}% B, the rest C; customers with no spend go to {}.", tier_en(zero_tier)),
            ));
        }
        Method::Thresholds { measure, a_min, b_min, c_min } => {
            d.four_tiers = c_min.is_some();
            d.tier = (0..n)
                .map(|i| {
                    let v = measure_value(&base, *measure, i);
                    let at_least = |t: f64| match measure {
                        Measure::Orders => v >= t,
                        _ => v >= (t * 100.0).round(),
                    };
                    if at_least(*a_min) {
                        Tier::A
                    } else if at_least(*b_min) {
                        Tier::B
                    } else if c_min.is_none_or(at_least) {
                        Tier::C
                    } else {
                        Tier::D
                    }
                })
                .collect();
            let label = measure.label();
            let unit = if *measure == Measure::Orders { ORDERS } else { YUAN };
            d.thresholds.push(threshold(
                format!("A 类：{} ≥", label.zh),
                format!("Tier A: {} ≥", label.en),
                *a_min,
                unit,
            ));
            d.thresholds.push(threshold(
                format!("B 类：{} ≥", label.zh),
                format!("Tier B: {} ≥", label.en),
                *b_min,
                unit,
            ));
            if let Some(c) = c_min {
                d.thresholds.push(threshold(
                    format!("C 类：{} ≥", label.zh),
                    format!("Tier C: {} ≥", label.en),
                    *c,
                    unit,
                ));
            }
            if *measure == Measure::MonthlyRevenue {
                d.thresholds.push(threshold(
                    "每月天数（365.25 ÷ 12）",
                    "Days per month (365.25 ÷ 12)",
                    super::DAYS_PER_MONTH,
                    DAYS,
                ));
                base.notes.push(Text::new(
                    "月均消费 = 累计消费 ÷ 月数；月数 = 从首次下单到统计日期的天数 ÷ 30.4375，不足 1 个月按 1 个月计。",
                    "Monthly average = net spend ÷ months; months = days from the first order to the as-of date ÷ 30.4375, at least 1.",
                ));
            }
            base.notes.push(Text::new(
                "门槛含等于：恰好等于 A 类门槛的客户属于 A 类。金额按分比较。",
                "Thresholds are inclusive: a customer exactly at the tier A threshold is A. Money compares to the cent.",
            ));
        }
        Method::RfmScores { bins, a_min, b_min } => {
            d.tier = rfm
                .iter()
                .map(|s| {
                    let total = u32::from(s[0]) + u32::from(s[1]) + u32::from(s[2]);
                    if total >= *a_min {
                        Tier::A
                    } else if total >= *b_min {
                        Tier::B
                    } else {
                        Tier::C
                    }
                })
                .collect();
            d.thresholds = score_thresholds(&cuts, *bins);
            d.thresholds.push(threshold("A 类：总分 ≥", "Tier A: total score ≥", f64::from(*a_min), POINTS));
            d.thresholds.push(threshold("B 类：总分 ≥", "Tier B: total score ≥", f64::from(*b_min), POINTS));
            base.notes.push(Text::new(
                format!("R、F、M 各按 {bins} 分位打 1–{bins} 分：分数 = 1 + 取值严格高于的分位点个数（R 为严格低于，越近越高），相同取值得分相同。总分 ≥ {a_min} 为 A 类，≥ {b_min} 为 B 类，其余为 C 类。"),
                format!("R, F and M each score 1–{bins} by {bins}-quantiles: score = 1 + cut points the value is strictly above (R: strictly below — recent is high); equal values score equally. Total ≥ {a_min} is A, ≥ {b_min} B, else C."),
            ));
        }
        Method::RfmCube { basis } => {
            let lines = cube_lines(&base, basis);
            d.labels = CUBE.iter().map(|(zh, _, _)| segment_label(params, zh)).collect();
            let seg: Vec<u16> = if matches!(basis, CubeBasis::Mean) {
                rfm_type.iter().map(|&t| u16::from(t)).collect()
            } else {
                (0..n)
                    .map(|i| {
                        cube_type(&lines, base.recency[i], i64::from(customers[i].orders), customers[i].revenue) as u16
                    })
                    .collect()
            };
            d.tier = seg.iter().map(|&s| d.labels[usize::from(s)].tier).collect();
            d.segment = Some(seg);
            let (zh_b, en_b) = lines.label;
            let (r_cmp, fm_cmp) = if matches!(basis, CubeBasis::Fixed { .. }) { ("≤", "≥") } else { ("<", ">") };
            d.thresholds = vec![
                threshold(
                    format!("R 高：最近购买天数 {r_cmp} {zh_b}"),
                    format!("R high: days since last order {r_cmp} {en_b}"),
                    lines.r.value(),
                    DAYS,
                ),
                threshold(
                    format!("F 高：购买次数 {fm_cmp} {zh_b}"),
                    format!("F high: orders {fm_cmp} {en_b}"),
                    lines.f.value(),
                    ORDERS,
                ),
                threshold(
                    format!("M 高：累计消费 {fm_cmp} {zh_b}"),
                    format!("M high: net spend {fm_cmp} {en_b}"),
                    lines.m.value() / 100.0,
                    YUAN,
                ),
            ];
            base.notes.push(Text::new(
                format!("R、F、M 各与{zh_b}比较分高低：R 高 = 最近购买天数 {r_cmp} {zh_b}，F 高 = 购买次数 {fm_cmp} {zh_b}，M 高 = 累计消费 {fm_cmp} {zh_b}；三者组合成 8 类客户。"),
                format!("R, F and M are high or low against the {en_b}: R high = days since last order {r_cmp} {en_b}, F high = orders {fm_cmp} {en_b}, M high = spend {fm_cmp} {en_b}; the combinations give 8 types."),
            ));
            cube_own = Some(lines);
        }
        Method::RfmSegments { rules } => {
            let mut names: Vec<&str> = Vec::new();
            let mut rule_segment: Vec<u16> = Vec::with_capacity(rules.len());
            for r in rules {
                let name = r.segment.trim();
                let idx = names.iter().position(|n| *n == name).unwrap_or_else(|| {
                    names.push(name);
                    names.len() - 1
                });
                rule_segment.push(idx as u16);
            }
            let others = names.iter().position(|n| *n == OTHERS).unwrap_or_else(|| {
                names.push(OTHERS);
                names.len() - 1
            }) as u16;
            d.labels = names.iter().map(|n| segment_label(params, n)).collect();
            rule_of = rfm
                .iter()
                .map(|s| rules.iter().position(|r| rule_matches(r, s)).map_or(u16::MAX, |p| p as u16))
                .collect();
            let seg: Vec<u16> =
                rule_of.iter().map(|&r| rule_segment.get(usize::from(r)).copied().unwrap_or(others)).collect();
            d.tier = seg.iter().map(|&s| d.labels[usize::from(s)].tier).collect();
            d.segment = Some(seg);
            d.thresholds = score_thresholds(&cuts, 5);
            base.notes.push(Text::new(
                "R、F、M 各按五分位打 1–5 分，按规则表从上到下匹配，第一条命中的规则决定分群，都不命中为“其他”。",
                "R, F and M each score 1–5 by quintiles; rules are tried top to bottom, the first match decides the segment, no match is Others.",
            ));
        }
        Method::Composite { weights, a_min, b_min } => {
            let has_interactions = customers.iter().any(|c| c.interactions.is_some());
            composite_w = [
                weights.value,
                weights.frequency,
                weights.recency,
                if has_interactions { weights.interactions } else { 0.0 },
            ];
            let sum: f64 = composite_w.iter().sum();
            if sum <= 0.0 {
                // Only the interaction weight was set and the data has no interaction counts.
                composite_w = [1.0, 1.0, 1.0, 0.0];
            }
            let sum: f64 = composite_w.iter().sum();
            composite_w.iter_mut().for_each(|w| *w /= sum);
            if !has_interactions && weights.interactions > 0.0 {
                base.notes.push(Text::new(
                    "数据中没有互动次数，互动权重按比例分给价值、频次和近度。",
                    "The data has no interaction counts; the interaction weight is shared out among value, frequency and recency.",
                ));
            }
            let mut sorted_i: Vec<i64> = customers.iter().map(|c| interaction_units(c.interactions)).collect();
            sorted_i.par_sort_unstable();
            let (p_r, p_f, p_i) = (
                scores::Percentiles::new(&base.sorted_r),
                scores::Percentiles::new(&base.sorted_f),
                scores::Percentiles::new(&sorted_i),
            );
            // Spend percentiles from the revenue order: a run of equal spend shares one mid-rank.
            let mut p_m = vec![0.0; n];
            let mut start = 0;
            while start < n {
                let rev = customers[base.by_revenue[start] as usize].revenue;
                let end = start
                    + base.by_revenue[start..].iter().take_while(|&&j| customers[j as usize].revenue == rev).count();
                let p = ((n - end) as f64 + 0.5 * (end - start) as f64) / n as f64;
                for &j in &base.by_revenue[start..end] {
                    p_m[j as usize] = p;
                }
                start = end;
            }
            composite_parts = (0..n)
                .into_par_iter()
                .map(|i| {
                    let c = &customers[i];
                    [
                        p_m[i],
                        p_f.of(i64::from(c.orders)),
                        1.0 - p_r.of(base.recency[i]),
                        p_i.of(interaction_units(c.interactions)),
                    ]
                })
                .collect();
            let max_f = base.sorted_f.last().copied().unwrap_or(0);
            // A table only for realistic order counts; a customer-level sheet could claim billions.
            let by_count = if max_f <= 1 << 20 { (0..=max_f + 1).map(|f| p_f.of(f)).collect() } else { Vec::new() };
            composite_gap = Some((1.0 - p_r.of(0), by_count));
            let score: Vec<f64> = composite_parts.iter().map(|p| composite_score(&composite_w, p)).collect();
            d.tier = score
                .iter()
                .map(|&s| {
                    if s >= *a_min {
                        Tier::A
                    } else if s >= *b_min {
                        Tier::B
                    } else {
                        Tier::C
                    }
                })
                .collect();
            d.score = Some(score);
            let w = |v: f64| v * 100.0;
            d.thresholds = vec![
                threshold("价值（累计消费）权重", "Weight of value (spend)", w(composite_w[0]), PCT),
                threshold("频次（购买次数）权重", "Weight of frequency (orders)", w(composite_w[1]), PCT),
                threshold("近度（最近购买）权重", "Weight of recency", w(composite_w[2]), PCT),
                threshold("互动权重", "Weight of interactions", w(composite_w[3]), PCT),
                threshold("A 类：综合得分 ≥", "Tier A: score ≥", *a_min, POINTS),
                threshold("B 类：综合得分 ≥", "Tier B: score ≥", *b_min, POINTS),
            ];
            base.notes.push(Text::new(
                "每项先换算为百分位（0–100，低于该值的客户比例，相同值取中间位次），再按权重加权求和；用百分位而不是最大最小值，是因为少数批发大客户会把其他人的金额都压到接近 0。",
                "Each part becomes a percentile (0–100: the share of customers below, ties at the mid-rank) and the weighted sum is the score; percentiles rather than min–max because a few wholesale buyers would squash everyone else's spend towards 0.",
            ));
        }
    }

    // Summaries.
    let used_d = d.four_tiers || d.tier.contains(&Tier::D);
    let tier_groups: Vec<Tier> = Tier::ALL.iter().copied().filter(|t| *t != Tier::D || used_d).collect();
    let tiers = summarize(&base, tier_groups.iter().map(|t| t.letter().to_string()).collect(), |i| {
        tier_groups.iter().position(|t| *t == d.tier[i]).unwrap_or(0)
    });
    let segments_summary = match &d.segment {
        Some(seg) => summarize(&base, d.labels.iter().map(|l| l.display.clone()).collect(), |i| usize::from(seg[i])),
        None => Vec::new(),
    };

    // Wording, one customer at a time.
    let ctx = Wording {
        base: &base,
        params,
        cuts: &cuts,
        rfm: &rfm,
        abc: abc_own.as_ref().unwrap_or(&abc),
        positions: &positions,
        share_bounds,
        cube: cube_own.as_ref(),
        rule_of: &rule_of,
        composite_parts: &composite_parts,
        composite_w,
        composite_gap: composite_gap.as_ref(),
        d: &d,
        memo: Default::default(),
    };
    // Customers are independent here, so the wording runs on all cores (rayon keeps the order).
    // Two scratch buffers per thread; each kept string is one exact-size allocation.
    let assignments: Vec<Assignment> = (0..n)
        .into_par_iter()
        .with_min_len(1024)
        .map_init(
            || (new_text(), new_text()),
            |(reason_buf, gap_buf), i| {
                let (reason, gap) = if wordings == Wordings::Write {
                    let has_gap = ctx.explain(i, reason_buf, gap_buf);
                    let reason = Text { zh: reason_buf.zh.as_str().into(), en: reason_buf.en.as_str().into() };
                    let gap = has_gap.then(|| Text { zh: gap_buf.zh.as_str().into(), en: gap_buf.en.as_str().into() });
                    (reason, gap)
                } else {
                    (Text::default(), None)
                };
                Assignment {
                    tier: d.tier[i],
                    segment: d.segment.as_ref().map(|s| d.labels[usize::from(s[i])].display.clone()),
                    recency_days: base.recency[i],
                    r_score: rfm[i][0],
                    f_score: rfm[i][1],
                    m_score: rfm[i][2],
                    abc: abc.tier[i],
                    rfm_type: cube_labels[usize::from(rfm_type[i])].display.clone(),
                    score: d.score.as_ref().map(|s| s[i]),
                    reason,
                    gap,
                }
            },
        )
        .collect();

    Classification {
        params: params.clone(),
        as_of: base.as_of,
        thresholds: d.thresholds,
        tiers,
        segments: segments_summary,
        assignments,
        notes: base.notes,
    }
}

fn rule_matches(rule: &SegmentRule, s: &[u8; 3]) -> bool {
    let within = |(lo, hi): (u8, u8), v: u8| lo <= v && v <= hi;
    within(rule.r, s[0]) && within(rule.f, s[1]) && within(rule.m, s[2])
}

/// Interaction counts in thousandths, so percentiles can work on integers; none counts as 0.
fn interaction_units(v: Option<f64>) -> i64 {
    v.filter(|x| x.is_finite()).map_or(0, |x| (x * 1000.0).round() as i64)
}

fn composite_score(w: &[f64; 4], p: &[f64; 4]) -> f64 {
    100.0 * (w[0] * p[0] + w[1] * p[1] + w[2] * p[2] + w[3] * p[3])
}

/// The measure's name without allocating (the wording runs once per customer).
fn measure_words(measure: Measure) -> Text2 {
    match measure {
        Measure::Revenue => Text2 { zh: "累计消费", en: "Total spend" },
        Measure::MonthlyRevenue => Text2 { zh: "月均消费", en: "Monthly average spend" },
        Measure::Aov => Text2 { zh: "客单价", en: "Average order value" },
        Measure::Orders => Text2 { zh: "购买次数", en: "Orders" },
    }
}

/// A borrowed pair of names.
struct Text2 {
    zh: &'static str,
    en: &'static str,
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

fn score_thresholds(cuts: &[Cuts; 3], bins: u8) -> Vec<Threshold> {
    let mut out = Vec::new();
    for c in cuts {
        let how = match c.kind {
            CutKind::Quantile => ("分位点", "quantile cut"),
            CutKind::ValueBins => ("按次数分档", "count bin"),
            CutKind::DistinctQuantile => ("不同取值的分位点", "distinct-value quantile cut"),
            CutKind::AllEqual => ("分位点（取值全相同）", "quantile cut (all values equal)"),
        };
        for (k, p) in c.points.iter().enumerate() {
            let q = (k + 1) * 100 / usize::from(bins);
            let (name_zh, name_en, value, unit) = match c.dim {
                Dim::R => ("R", "R", *p, DAYS),
                Dim::F => ("F", "F", *p, ORDERS),
                Dim::M => ("M", "M", *p / 100.0, YUAN),
            };
            let (zh, en) = if c.kind == CutKind::ValueBins {
                (format!("{name_zh} {}（{} {}）", how.0, k + 1, "次"), format!("{name_en} {} {}", how.1, k + 1))
            } else {
                (format!("{name_zh} {}（{q}%）", how.0), format!("{name_en} {} ({q}%)", how.1))
            };
            out.push(threshold(zh, en, value, unit));
        }
    }
    out
}

fn summarize(base: &Base, groups: Vec<String>, group_of: impl Fn(usize) -> usize) -> Vec<GroupSummary> {
    let k = groups.len();
    let mut customers = vec![0u64; k];
    let mut orders = vec![0u64; k];
    let mut revenue = vec![0i64; k];
    for (i, c) in base.customers.iter().enumerate() {
        let g = group_of(i).min(k.saturating_sub(1));
        customers[g] += 1;
        orders[g] += u64::from(c.orders);
        revenue[g] = revenue[g].saturating_add(c.revenue);
    }
    let n = base.n() as f64;
    groups
        .into_iter()
        .enumerate()
        .map(|(g, group)| GroupSummary {
            group,
            customers: customers[g],
            customer_share: customers[g] as f64 / n,
            orders: orders[g],
            revenue: revenue[g],
            revenue_share: if base.total > 0 { revenue[g] as f64 / base.total as f64 } else { 0.0 },
            aov: if orders[g] == 0 { 0 } else { (revenue[g] as f64 / orders[g] as f64).round() as Cents },
        })
        .collect()
}

// -------------------------------------------------------------------------------------- wording

struct Wording<'a> {
    base: &'a Base<'a>,
    params: &'a ClassifyParams,
    cuts: &'a [Cuts; 3],
    rfm: &'a [[u8; 3]],
    abc: &'a AbcPass,
    positions: &'a [u32],
    /// ABC by customer share: the lowest customer of A and of B.
    share_bounds: (Option<usize>, Option<usize>),
    cube: Option<&'a CubeLines>,
    rule_of: &'a [u16],
    composite_parts: &'a [[f64; 4]],
    composite_w: [f64; 4],
    composite_gap: Option<&'a (f64, Vec<f64>)>,
    d: &'a Decisions,
    /// Wording that is the same for many customers (per tier, per basis), built on first use.
    memo: [std::sync::OnceLock<Text>; 8],
}

impl Wording<'_> {
    /// The memoised text in `slot`, built by `build` the first time.
    fn fixed(&self, slot: usize, build: impl FnOnce(&mut Text)) -> &Text {
        self.memo[slot.min(7)].get_or_init(|| {
            let mut t = Text::default();
            build(&mut t);
            t
        })
    }

    /// Writes customer `i`'s reason into `reason` and gap into `gap` (both cleared first);
    /// returns whether there is a gap. The caller reuses the two buffers for every customer.
    fn explain(&self, i: usize, reason: &mut Text, gap: &mut Text) -> bool {
        reason.zh.clear();
        reason.en.clear();
        gap.zh.clear();
        gap.en.clear();
        let tier = self.d.tier[i];
        match &self.params.method {
            Method::AbcRevenue { a_pct, b_pct } => self.abc_revenue(i, tier, *a_pct, *b_pct, reason, gap),
            Method::AbcCustomers { a_pct, b_pct, .. } => self.abc_customers(i, tier, *a_pct, *b_pct, reason, gap),
            Method::Thresholds { measure, a_min, b_min, c_min } => {
                self.thresholds(i, tier, *measure, [*a_min, *b_min], *c_min, reason, gap)
            }
            Method::RfmScores { a_min, b_min, .. } => self.rfm_scores(i, tier, *a_min, *b_min, reason, gap),
            Method::RfmCube { .. } => self.cube(i, reason, gap),
            Method::RfmSegments { rules } => self.named(i, rules, reason),
            Method::Composite { a_min, b_min, .. } => self.composite(i, tier, *a_min, *b_min, reason, gap),
        }
    }

    fn abc_revenue(&self, i: usize, tier: Tier, a_pct: f64, b_pct: f64, r: &mut Text, gap: &mut Text) -> bool {
        let c = &self.base.customers[i];
        let share = self.abc.cum_share[i];
        r.zh.push_str("累计消费 ");
        push_yuan(&mut r.zh, c.revenue);
        r.en.push_str("Spent ");
        push_yuan(&mut r.en, c.revenue);
        // The words between the amount and the share depend only on the tier: build them once.
        let crossing = tier == Tier::A && share * 100.0 > a_pct;
        let slot = match tier {
            Tier::A if crossing => 1,
            Tier::A => 0,
            Tier::B => 2,
            _ => 3,
        };
        let fixed = self.fixed(slot, |m| {
            let (zh_tail, en_tail) = match tier {
                Tier::A if share * 100.0 > a_pct => ("，跨过前 ", ", crossing the first "),
                Tier::A => ("，占总销售额前 ", ", within the first "),
                Tier::B => ("，位于总销售额累计 ", ", within cumulative revenue "),
                _ => ("，位于总销售额累计 ", ", after cumulative revenue "),
            };
            m.zh.push_str(zh_tail);
            m.en.push_str(en_tail);
            match tier {
                Tier::A => {
                    push_dec1(&mut m.zh, a_pct);
                    m.zh.push_str(if share * 100.0 > a_pct {
                        "% 分界线，按规则计入 A 类（累计 "
                    } else {
                        "%（累计 "
                    });
                    push_dec1(&mut m.en, a_pct);
                    m.en.push_str(if share * 100.0 > a_pct {
                        "% line, counted in tier A by rule (cumulative "
                    } else {
                        "% of revenue (cumulative "
                    });
                }
                Tier::B => {
                    push_dec1(&mut m.zh, a_pct);
                    m.zh.push_str("%–");
                    push_dec1(&mut m.zh, b_pct);
                    m.zh.push_str("% 区间（累计 ");
                    push_dec1(&mut m.en, a_pct);
                    m.en.push_str("%–");
                    push_dec1(&mut m.en, b_pct);
                    m.en.push_str("% (cumulative ");
                }
                _ => {
                    push_dec1(&mut m.zh, b_pct);
                    m.zh.push_str("% 之后（累计 ");
                    push_dec1(&mut m.en, b_pct);
                    m.en.push_str("% (cumulative ");
                }
            }
        });
        r.zh.push_str(&fixed.zh);
        r.en.push_str(&fixed.en);
        push_pct(&mut r.zh, share);
        r.zh.push('）');
        push_pct(&mut r.en, share);
        r.en.push(')');
        let boundary = match tier {
            Tier::B => self.abc.last_a.map(|b| (b, Tier::A)),
            Tier::C if self.base.total > 0 => self.abc.last_b.or(self.abc.last_a).map(|b| (b, self.d.tier[b])),
            _ => None,
        };
        match boundary {
            Some((b, target)) => {
                push_spend_gap(gap, overtake(self.base, i, b), target);
                true
            }
            None => false,
        }
    }

    fn abc_customers(&self, i: usize, tier: Tier, a_pct: f64, b_pct: f64, r: &mut Text, gap: &mut Text) -> bool {
        let c = &self.base.customers[i];
        let n = self.base.n();
        if c.revenue <= 0 {
            r.zh.push_str("退款后消费为 ");
            push_yuan(&mut r.zh, c.revenue);
            r.zh.push_str("，零消费客户归入 ");
            r.zh.push_str(tier_zh(tier));
            r.en.push_str("No net spend (");
            push_yuan(&mut r.en, c.revenue);
            r.en.push_str(" after refunds): customers with no spend go to ");
            r.en.push_str(tier_en(tier));
            return false;
        }
        let pos = self.positions[i] as usize;
        r.zh.push_str("消费额排名第 ");
        push_int(&mut r.zh, pos as i64 + 1);
        r.zh.push('/');
        push_int(&mut r.zh, n as i64);
        r.zh.push_str("（前 ");
        push_pct(&mut r.zh, (pos + 1) as f64 / n as f64);
        r.en.push_str("Ranked ");
        push_int(&mut r.en, pos as i64 + 1);
        r.en.push_str(" of ");
        push_int(&mut r.en, n as i64);
        r.en.push_str(" by spend (top ");
        push_pct(&mut r.en, (pos + 1) as f64 / n as f64);
        match tier {
            Tier::A => {
                r.zh.push_str("），前 ");
                push_dec1(&mut r.zh, a_pct);
                r.zh.push_str("% 的客户为 A 类");
                r.en.push_str("); the top ");
                push_dec1(&mut r.en, a_pct);
                r.en.push_str("% of customers are tier A");
            }
            Tier::B => {
                r.zh.push_str("），");
                push_dec1(&mut r.zh, a_pct);
                r.zh.push_str("%–");
                push_dec1(&mut r.zh, a_pct + b_pct);
                r.zh.push_str("% 为 B 类");
                r.en.push_str("); ");
                push_dec1(&mut r.en, a_pct);
                r.en.push_str("%–");
                push_dec1(&mut r.en, a_pct + b_pct);
                r.en.push_str("% are tier B");
            }
            _ => {
                r.zh.push_str("），");
                push_dec1(&mut r.zh, a_pct + b_pct);
                r.zh.push_str("% 之后为 C 类");
                r.en.push_str("); after ");
                push_dec1(&mut r.en, a_pct + b_pct);
                r.en.push_str("% is tier C");
            }
        }
        // The lowest customer of the tier above: overtaking them swaps places with them.
        // An empty B (b_pct = 0) sends C customers to the lowest A instead.
        let (last_a, last_b) = self.share_bounds;
        let boundary = match tier {
            Tier::B => last_a,
            Tier::C => last_b.or(last_a),
            _ => return false,
        };
        match boundary {
            Some(b) => {
                push_spend_gap(gap, overtake(self.base, i, b), self.d.tier[b]);
                true
            }
            None => false,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn thresholds(
        &self,
        i: usize,
        tier: Tier,
        measure: Measure,
        ab: [f64; 2],
        c_min: Option<f64>,
        r: &mut Text,
        gap: &mut Text,
    ) -> bool {
        let c = &self.base.customers[i];
        let value = measure_value(self.base, measure, i);
        let money = measure != Measure::Orders;
        let push_value = |s: &mut String, v: f64| {
            if money {
                push_yuan(s, v as i64);
            } else {
                push_int(s, v as i64);
                s.push(' ');
            }
        };
        let push_limit = |s: &mut String, t: f64| {
            if money {
                push_yuan(s, (t * 100.0).round() as i64);
            } else {
                push_dec1(s, t);
            }
        };
        let label = measure_words(measure);
        r.zh.push_str(label.zh);
        r.zh.push(' ');
        push_value(&mut r.zh, value);
        if !money {
            r.zh.push('单');
        }
        r.en.push_str(label.en);
        r.en.push(' ');
        push_value(&mut r.en, value);
        if !money {
            r.en.push_str("orders");
        }
        let months = customer_months(c, self.base.as_of);
        if measure == Measure::MonthlyRevenue {
            r.zh.push_str("（按 ");
            push_dec2(&mut r.zh, months);
            r.zh.push_str(" 个月）");
            r.en.push_str(" (over ");
            push_dec2(&mut r.en, months);
            r.en.push_str(" months)");
        }
        let (lower, upper) = match tier {
            Tier::A => (Some(ab[0]), None),
            Tier::B => (Some(ab[1]), Some(ab[0])),
            Tier::C => (c_min, Some(ab[1])),
            Tier::D => (None, c_min),
        };
        match (lower, upper) {
            (Some(lo), None) => {
                r.zh.push_str("，≥ ");
                push_limit(&mut r.zh, lo);
                r.en.push_str(" ≥ ");
                push_limit(&mut r.en, lo);
            }
            (Some(lo), Some(hi)) => {
                r.zh.push_str("，介于 ");
                push_limit(&mut r.zh, lo);
                r.zh.push_str(" 与 ");
                push_limit(&mut r.zh, hi);
                r.zh.push_str(" 之间");
                r.en.push_str(", between ");
                push_limit(&mut r.en, lo);
                r.en.push_str(" and ");
                push_limit(&mut r.en, hi);
            }
            (None, Some(hi)) => {
                r.zh.push_str("，低于 ");
                push_limit(&mut r.zh, hi);
                r.en.push_str(", below ");
                push_limit(&mut r.en, hi);
            }
            (None, None) => {}
        }
        r.zh.push_str("，为 ");
        r.zh.push_str(tier_zh(tier));
        r.en.push_str(": ");
        r.en.push_str(tier_en(tier));

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
                push_orders_gap(gap, need, tier_zh(up), tier_en(up))
            }
        }
        true
    }

    fn push_scores(&self, i: usize, r: &mut Text) {
        let s = self.rfm[i];
        for (k, letter) in ["R", "F", "M"].iter().enumerate() {
            if k > 0 {
                r.zh.push(' ');
                r.en.push(' ');
            }
            r.zh.push_str(letter);
            r.en.push_str(letter);
            push_int(&mut r.zh, i64::from(s[k]));
            push_int(&mut r.en, i64::from(s[k]));
        }
    }

    fn rfm_scores(&self, i: usize, tier: Tier, a_min: u32, b_min: u32, r: &mut Text, gap: &mut Text) -> bool {
        let c = &self.base.customers[i];
        let s = self.rfm[i];
        let total = u32::from(s[0]) + u32::from(s[1]) + u32::from(s[2]);
        self.push_scores(i, r);
        r.zh.push_str("，总分 ");
        push_int(&mut r.zh, i64::from(total));
        r.en.push_str(", total ");
        push_int(&mut r.en, i64::from(total));
        let (cmp_zh, cmp_en, limit) = match tier {
            Tier::A => ("（≥", " (≥", a_min),
            Tier::B => ("（≥", " (≥", b_min),
            _ => ("（<", " (<", b_min),
        };
        r.zh.push_str(cmp_zh);
        push_int(&mut r.zh, i64::from(limit));
        r.zh.push_str(" 为 ");
        r.zh.push_str(tier_zh(tier));
        r.zh.push_str("）：最近一次购买在 ");
        push_int(&mut r.zh, self.base.recency[i]);
        r.zh.push_str(" 天前，共 ");
        push_int(&mut r.zh, i64::from(c.orders));
        r.zh.push_str(" 单，累计 ");
        push_yuan(&mut r.zh, c.revenue);
        r.en.push_str(cmp_en);
        push_int(&mut r.en, i64::from(limit));
        r.en.push_str(" is ");
        r.en.push_str(tier_en(tier));
        r.en.push_str("): last order ");
        push_int(&mut r.en, self.base.recency[i]);
        r.en.push_str(" days ago, ");
        push_int(&mut r.en, i64::from(c.orders));
        r.en.push_str(" orders, ");
        push_yuan(&mut r.en, c.revenue);
        r.en.push_str(" spent");

        // One more order: recency becomes 0 and F grows by one; how much must it be worth?
        let (target, need_total) = match tier {
            Tier::A => return false,
            Tier::B => (Tier::A, a_min),
            _ => (Tier::B, b_min),
        };
        let r_after = u32::from(self.cuts[0].score_after_move(0));
        let f_after = u32::from(self.cuts[1].score_after_move(i64::from(c.orders) + 1));
        let m_now = u32::from(self.cuts[2].score_after_move(c.revenue.saturating_add(1)));
        if r_after + f_after + m_now >= need_total {
            push_orders_gap(gap, 1, tier_zh(target), tier_en(target));
            return true;
        }
        let need_m = need_total.saturating_sub(r_after + f_after);
        match u8::try_from(need_m).ok().and_then(|m| self.cuts[2].min_value_for(m)) {
            Some(v) => {
                push_next_order_gap(gap, v.saturating_sub(c.revenue), target);
                true
            }
            None => false,
        }
    }

    fn cube(&self, i: usize, r: &mut Text, gap: &mut Text) -> bool {
        let Some(lines) = self.cube else { return false };
        let c = &self.base.customers[i];
        let (zh_b, en_b) = lines.label;
        let seg = self.d.segment.as_ref().map_or(0, |s| usize::from(s[i]));
        let label = &self.d.labels[seg];
        // The basis wording is the same for every customer: build it once (slots 4–6).
        let basis = (zh_b, en_b);
        let after_r = self.fixed(4, |m| {
            basis_fragment(m, (" 天前（", " days ago ("), basis, &dec1(lines.r.value()), (" 天），", "), "));
        });
        let after_f = self.fixed(5, |m| {
            basis_fragment(m, (" 单（", " orders ("), basis, &dec1(lines.f.value()), ("），累计 ", "), "));
        });
        let after_m = self.fixed(6, |m| {
            let yuan = lines.m.value().round() as i64;
            basis_fragment(m, ("（", " spent ("), basis, &yuan_text(yuan), ("）→ ", ") → "));
        });
        r.zh.push_str("最近一次购买在 ");
        push_int(&mut r.zh, self.base.recency[i]);
        r.zh.push_str(&after_r.zh);
        push_int(&mut r.zh, i64::from(c.orders));
        r.zh.push_str(&after_f.zh);
        push_yuan(&mut r.zh, c.revenue);
        r.zh.push_str(&after_m.zh);
        r.zh.push_str(&label.zh);

        r.en.push_str("Last order ");
        push_int(&mut r.en, self.base.recency[i]);
        r.en.push_str(&after_r.en);
        push_int(&mut r.en, i64::from(c.orders));
        r.en.push_str(&after_f.en);
        push_yuan(&mut r.en, c.revenue);
        r.en.push_str(&after_m.en);
        r.en.push_str(&label.en);

        // The next step up: more spend if M is low, more orders if F is low, any order if only R is low.
        let (r_high, f_high, m_high) = segments::cube_flags(seg);
        let orders = i64::from(c.orders);
        let recent_after = lines.r.recent(0);
        let (target, spend, more_orders) = if !m_high {
            let spend = lines.m.min_high().saturating_sub(c.revenue).max(1);
            (segments::cube_index(recent_after, lines.f.high(orders + 1), true), Some(spend), 1)
        } else if !f_high {
            let more = lines.f.min_high().saturating_sub(orders).max(1);
            (segments::cube_index(recent_after, true, true), None, more)
        } else if !r_high {
            (segments::cube_index(recent_after, true, true), None, 1)
        } else {
            return false;
        };
        if target == seg {
            return false;
        }
        let to = &self.d.labels[target];
        match spend {
            Some(cents) => {
                gap.zh.push_str("再消费 ");
                push_yuan_ceil(&mut gap.zh, cents);
                gap.zh.push_str(" 升至");
                gap.zh.push_str(&to.zh);
                gap.en.push_str("Spend ");
                push_yuan_ceil(&mut gap.en, cents);
                gap.en.push_str(" more to become ");
                gap.en.push_str(&to.en);
            }
            None => {
                gap.zh.push_str("再下 ");
                push_int(&mut gap.zh, more_orders);
                gap.zh.push_str(" 单升至");
                gap.zh.push_str(&to.zh);
                gap.en.push_str("Place ");
                push_int(&mut gap.en, more_orders);
                gap.en.push_str(if more_orders == 1 { " more order to become " } else { " more orders to become " });
                gap.en.push_str(&to.en);
            }
        }
        true
    }

    fn named(&self, i: usize, rules: &[SegmentRule], r: &mut Text) -> bool {
        let seg = self.d.segment.as_ref().map_or(0, |s| usize::from(s[i]));
        let label = &self.d.labels[seg];
        self.push_scores(i, r);
        match rules.get(usize::from(self.rule_of[i])) {
            Some(rule) => {
                r.zh.push_str(" 符合“");
                r.zh.push_str(&label.zh);
                r.zh.push_str("”规则（");
                r.en.push_str(" matches ");
                r.en.push_str(&label.en);
                r.en.push_str(" (");
                for (k, (letter, range)) in [("R", rule.r), ("F", rule.f), ("M", rule.m)].iter().enumerate() {
                    if k > 0 {
                        r.zh.push('，');
                        r.en.push_str(", ");
                    }
                    for s in [&mut r.zh, &mut r.en] {
                        s.push_str(letter);
                        s.push(' ');
                        push_int(s, i64::from(range.0));
                        s.push('–');
                        push_int(s, i64::from(range.1));
                    }
                }
                r.zh.push('）');
                r.en.push(')');
            }
            None => {
                r.zh.push_str(" 不符合任何规则，归为“");
                r.zh.push_str(&label.zh);
                r.zh.push('”');
                r.en.push_str(" matches no rule: ");
                r.en.push_str(&label.en);
            }
        }
        r.zh.push('，');
        r.zh.push_str(tier_zh(label.tier));
        r.en.push_str(", ");
        r.en.push_str(tier_en(label.tier));
        false
    }

    fn composite(&self, i: usize, tier: Tier, a_min: f64, b_min: f64, r: &mut Text, gap: &mut Text) -> bool {
        let p = &self.composite_parts[i];
        let w = &self.composite_w;
        let score = composite_score(w, p);
        r.zh.push_str("综合得分 ");
        push_dec1(&mut r.zh, score);
        r.en.push_str("Score ");
        push_dec1(&mut r.en, score);
        let (cmp, limit) = match tier {
            Tier::A => ("≥ ", a_min),
            Tier::B => ("≥ ", b_min),
            _ => ("< ", b_min),
        };
        r.zh.push('（');
        r.zh.push_str(cmp);
        push_dec1(&mut r.zh, limit);
        r.zh.push_str(" 为 ");
        r.zh.push_str(tier_zh(tier));
        r.zh.push_str("）：价值 ");
        r.en.push_str(" (");
        r.en.push_str(cmp);
        push_dec1(&mut r.en, limit);
        r.en.push_str(" is ");
        r.en.push_str(tier_en(tier));
        r.en.push_str("): value ");
        let parts_zh = ["价值 ", "、频次 ", "、近度 ", "、互动 "];
        let parts_en = ["value ", ", frequency ", ", recency ", ", interactions "];
        for k in 0..4 {
            if k == 3 && w[3] == 0.0 {
                break;
            }
            if k > 0 {
                r.zh.push_str(parts_zh[k]);
                r.en.push_str(parts_en[k]);
            }
            push_int(&mut r.zh, (p[k] * 100.0).round() as i64);
            push_int(&mut r.en, (p[k] * 100.0).round() as i64);
        }
        r.zh.push_str("（百分位）");
        r.en.push_str(" (percentiles)");

        // One more order: recency 0, F + 1; how much must it add to M to reach the next cut?
        let (target, limit) = match tier {
            Tier::A => return false,
            Tier::B => (Tier::A, a_min),
            _ => (Tier::B, b_min),
        };
        let c = &self.base.customers[i];
        let b = self.base;
        // The customer's own old values leave the distribution as they move: count one
        // customer less below them, so the gap still holds after the move.
        let one = 1.0 / b.n() as f64;
        let Some((p_r_today, p_f_by_count)) = self.composite_gap else {
            return false;
        };
        let p_r = (p_r_today - one).max(0.0);
        let p_f_next = p_f_by_count
            .get(c.orders as usize + 1)
            .copied()
            .unwrap_or_else(|| scores::percentile(&b.sorted_f, i64::from(c.orders) + 1));
        let p_f = (p_f_next - one).max(0.0);
        let rest = 100.0 * (w[1] * p_f + w[2] * p_r + w[3] * p[3]);
        let p_m_now = (scores::percentile(&b.sorted_m, c.revenue.saturating_add(1)) - one).max(0.0);
        if rest + 100.0 * w[0] * p_m_now >= limit {
            push_orders_gap(gap, 1, tier_zh(target), tier_en(target));
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

/// `open basis value close` in both languages, e.g. " 天前（均值 63.2 天），" / " days ago (mean 63.2), ".
fn basis_fragment(m: &mut Text, open: (&str, &str), basis: (&str, &str), value: &str, close: (&str, &str)) {
    for (s, o, b, c) in [(&mut m.zh, open.0, basis.0, close.0), (&mut m.en, open.1, basis.1, close.1)] {
        s.push_str(o);
        s.push_str(b);
        s.push(' ');
        s.push_str(value);
        s.push_str(c);
    }
}

fn dec1(v: f64) -> String {
    let mut s = String::new();
    push_dec1(&mut s, v);
    s
}

fn yuan_text(cents: i64) -> String {
    let mut s = String::new();
    push_yuan(&mut s, cents);
    s
}

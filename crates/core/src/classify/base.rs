//! Facts every method shares, computed before any method decides: recency, the revenue order, the
//! sorted R/F/M columns, their cut points (quantiles, or the user's own) and every customer's scores.
//! They depend on the customers, the as-of date, the score bins and the user's score cut points
//! only, never on a method's cut points, so they are
//! owned ([`Facts`]) and can be kept between calls (`Classifier`); [`Base`] pairs them with the
//! customers they were computed from.
//!
//! Below the method files: it knows no method. The notes it writes (an as-of date before the data
//! ends) open the classification's notes; how a score dimension fell back is a score note, which
//! the engine adds to the notes only for a method that tiers by the scores.

use std::ops::Deref;
use std::sync::OnceLock;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::scores::{self, CutKind, Cuts, Dim};
use super::types::Threshold;
use super::wording::{threshold, DAYS, ORDERS, YUAN};
use crate::model::{Customer, Text, Tier};
use crate::window::ScoreCuts;

/// The customers and the facts every method shares about them (read through `Deref`).
pub(crate) struct Base<'a> {
    pub customers: &'a [Customer],
    facts: &'a Facts,
}

impl Deref for Base<'_> {
    type Target = Facts;

    fn deref(&self) -> &Facts {
        self.facts
    }
}

/// Facts every method shares, owned: what a parameter change does not change.
pub(crate) struct Facts {
    pub as_of: NaiveDate,
    /// Days since each customer's last order.
    pub recency: Vec<i64>,
    /// Total net revenue, saturating.
    pub total: i64,
    /// Customer indices by revenue descending, ties by key ascending.
    pub by_revenue: Vec<u32>,
    pub sorted_r: Vec<i64>,
    pub sorted_f: Vec<i64>,
    pub sorted_m: Vec<i64>,
    /// The number of score bins of `cuts` and `rfm` (the RFM-scores method's choice, else 5).
    pub bins: u8,
    /// Cut points of R, F and M.
    pub cuts: [Cuts; 3],
    /// Each customer's R, F and M score, 1..=bins.
    pub rfm: Vec<[u8; 3]>,
    /// What the shared facts had to say; the method's notes follow them.
    pub notes: Vec<Text>,
    /// How a score dimension fell back: among the notes only for methods that tier by the scores.
    pub score_notes: Vec<Text>,
    /// Customer indices by profit descending, ties by key: made the first time a method asks
    /// ([`Base::by_profit`]) and kept with the other facts.
    by_profit: OnceLock<Vec<u32>>,
}

impl Facts {
    /// The facts for `customers` measured at `as_of` (`None` = the latest order date), with
    /// R/F/M scored 1..=`bins` by quantiles, or by `own` cut points where given (validated for `bins`).
    pub fn new(customers: &[Customer], as_of: Option<NaiveDate>, bins: u8, own: &ScoreCuts) -> Self {
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
        let by_revenue = revenue_order(customers);

        let sorted = |f: &(dyn Fn(usize) -> i64 + Sync)| {
            let mut v: Vec<i64> = (0..customers.len()).map(f).collect();
            v.par_sort_unstable();
            v
        };
        let sorted_r = sorted(&|i| recency[i]);
        let sorted_f = sorted(&|i| i64::from(customers[i].orders));
        let sorted_m = sorted(&|i| customers[i].revenue);
        let cut = |dim: Dim, sorted: &[i64], own: &[f64], unit: f64| {
            if own.is_empty() {
                scores::cuts(dim, sorted, bins)
            } else {
                scores::custom(dim, own.iter().map(|p| p * unit).collect())
            }
        };
        let cuts = [
            cut(Dim::R, &sorted_r, &own.r, 1.0),
            cut(Dim::F, &sorted_f, &own.f, 1.0),
            cut(Dim::M, &sorted_m, &own.m, 100.0),
        ];
        let score_notes = cuts.iter().filter_map(|c| fallback_note(c, bins)).collect();
        let rfm = (0..customers.len())
            .map(|i| {
                let c = &customers[i];
                [cuts[0].score(recency[i]), cuts[1].score(i64::from(c.orders)), cuts[2].score(c.revenue)]
            })
            .collect();
        let by_profit = OnceLock::new();
        Facts {
            as_of,
            recency,
            total,
            by_revenue,
            sorted_r,
            sorted_f,
            sorted_m,
            bins,
            cuts,
            rfm,
            notes,
            score_notes,
            by_profit,
        }
    }
}

impl<'a> Base<'a> {
    /// `customers` with `facts` computed from them by [`Facts::new`].
    pub fn new(customers: &'a [Customer], facts: &'a Facts) -> Self {
        debug_assert_eq!(customers.len(), facts.recency.len());
        Base { customers, facts }
    }

    /// Customer indices by profit descending (unknown profit counts as none), ties by key ascending.
    pub fn by_profit(&self) -> &'a [u32] {
        let customers = self.customers;
        self.facts.by_profit.get_or_init(|| value_order(customers, |c| c.profit.unwrap_or(0)))
    }

    /// The number of customers.
    pub fn n(&self) -> usize {
        self.customers.len()
    }

    /// Cents customer `i` must add to rank above customer `boundary` (ties go to the smaller key).
    pub fn overtake(&self, i: usize, boundary: usize) -> i64 {
        let (me, them) = (&self.customers[i], &self.customers[boundary]);
        let tie_wins = me.key < them.key;
        them.revenue.saturating_sub(me.revenue).saturating_add(if tie_wins { 0 } else { 1 }).max(1)
    }

    /// The cut points of the scores as threshold rows: "R 分位点（20%）" …
    pub fn score_thresholds(&self) -> Vec<Threshold> {
        let mut out = Vec::new();
        for c in &self.cuts {
            let how = match c.kind {
                CutKind::Quantile => ("分位点", "quantile cut"),
                CutKind::ValueBins => ("按次数分档", "count bin"),
                CutKind::DistinctQuantile => ("不同取值的分位点", "distinct-value quantile cut"),
                CutKind::AllEqual => ("分位点（取值全相同）", "quantile cut (all values equal)"),
                CutKind::Custom => ("自定义分界值", "own cut point"),
            };
            for (k, p) in c.points.iter().enumerate() {
                if c.kind == CutKind::Custom {
                    out.push(custom_threshold(c.dim, k, *p, self.bins));
                    continue;
                }
                let q = (k + 1) * 100 / usize::from(self.bins);
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
}

impl Base<'_> {
    /// The threshold rows of the user's own cut points only (empty without them).
    pub fn own_cut_thresholds(&self) -> Vec<Threshold> {
        let own = self.cuts.iter().filter(|c| c.kind == CutKind::Custom);
        own.flat_map(|c| c.points.iter().enumerate().map(|(k, p)| custom_threshold(c.dim, k, *p, self.bins))).collect()
    }
}

/// The threshold row of the user's `k`-th cut point `p` (internal unit) with its boundary rule:
/// "R 自定义分界值：≤ 此值得 5 分" / "F own cut point: ≥ this scores 2".
fn custom_threshold(dim: Dim, k: usize, p: f64, bins: u8) -> Threshold {
    let k = k as u8;
    match dim {
        Dim::R => {
            let s = bins - k;
            threshold(
                format!("R 自定义分界值：≤ 此天数得 {s} 分"),
                format!("R own cut point: ≤ these days scores {s}"),
                p,
                DAYS,
            )
        }
        Dim::F => {
            let s = k + 2;
            threshold(
                format!("F 自定义分界值：≥ 此单数得 {s} 分"),
                format!("F own cut point: ≥ these orders scores {s}"),
                p,
                ORDERS,
            )
        }
        Dim::M => {
            let s = k + 2;
            threshold(
                format!("M 自定义分界值：≥ 此金额得 {s} 分"),
                format!("M own cut point: ≥ this amount scores {s}"),
                p / 100.0,
                YUAN,
            )
        }
    }
}

/// Customer indices by revenue descending, ties by key ascending (then by index): the order of
/// ABC's cumulative shares, and of the export's lists.
pub(crate) fn revenue_order(customers: &[Customer]) -> Vec<u32> {
    value_order(customers, |c| c.revenue)
}

/// Customer indices by `value` descending, ties by key ascending.
fn value_order(customers: &[Customer], value: impl Fn(&Customer) -> i64) -> Vec<u32> {
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
            let descending = !((value(c) as u64) ^ (1 << 63));
            (u128::from(descending) << 64) | (u128::from(key_rank[i]) << 32) | i as u128
        })
        .collect();
    order.par_sort_unstable();
    order.into_iter().map(|k| k as u32).collect()
}

/// The note for a score dimension whose quantile cut points could not be used as they are.
fn fallback_note(c: &Cuts, bins: u8) -> Option<Text> {
    let (zh_dim, en_dim) = match c.dim {
        Dim::R => ("R（最近购买距今天数）", "R (days since last order)"),
        Dim::F => ("F（购买次数）", "F (orders)"),
        Dim::M => ("M（累计消费）", "M (net spend)"),
    };
    match c.kind {
        CutKind::Quantile | CutKind::Custom => None,
        CutKind::ValueBins => Some(Text::new(
            format!("{zh_dim}的分位点重合（多数客户购买次数相同，例如只买过 1 次），为避免悄悄少掉分档，F 改为按次数分档：1、2、…、{bins} 次及以上分别得 1–{bins} 分。"),
            format!("The {en_dim} quantile cut points coincide (most customers bought the same number of times, e.g. once); rather than silently losing scores, F uses count bins: 1, 2, …, {bins}+ orders score 1–{bins}."),
        )),
        CutKind::DistinctQuantile => Some(Text::new(
            format!("{zh_dim}的分位点重合（很多客户取值相同），改为按不同取值的分位点分档，相同取值得分相同。"),
            format!("The {en_dim} quantile cut points coincide (many customers share a value); scores use the quantiles of the distinct values instead, equal values still score equally."),
        )),
        CutKind::AllEqual => Some(Text::new(
            format!("所有客户的{zh_dim}都相同，这一维度无法区分客户，均记 1 分。"),
            format!("Every customer has the same {en_dim}; this dimension cannot tell customers apart and scores 1 for all."),
        )),
    }
}

/// An ABC-by-revenue pass: tier per customer, cumulative share including the customer, and the
/// lowest customer of A and of B (for gaps). Made by the ABC-by-revenue method file; the engine
/// makes one at 80/95 for every method, and that method reuses it when its cut points are 80/95.
pub(crate) struct AbcPass {
    pub tier: Vec<Tier>,
    pub cum_share: Vec<f64>,
    pub last_a: Option<usize>,
    pub last_b: Option<usize>,
}

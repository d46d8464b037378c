//! The engine behind `classify()`: the shared facts (`Base`: recency, scores; ABC 80/95 and the
//! 8-type on the mean, shown for every method), the chosen method's decision through
//! `method::rule`, the per-tier and per-segment summaries, and the explanation pass that writes
//! every customer's reason and gap on all cores. The shared facts and the two columns shown for every
//! method are a [`Prepared`] value, which `Classifier` keeps between calls so that a parameter
//! change recomputes only the method's own cut.
//!
//! It knows no method: anything one method does is in that method's file.

use std::sync::Arc;

use rayon::prelude::*;

use chrono::NaiveDate;

use super::base::{AbcPass, Base, Facts};
use super::method;
use super::rule::{Context, Decision, Outcome};
use super::segments::{segment_label, CUBE};
use super::types::{Assignment, Classification, ClassifyParams, GroupSummary};
use super::wording::new_text;
use crate::model::{Cents, Customer, Text, Tier};
use crate::window::ScoreCuts;

/// Whether to write each customer's reason and gap (the bulk of the work) or leave them empty.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Wordings {
    Write,
    Skip,
}

/// What every method computes the same way for one customer list, as-of date, score bins and
/// score cut points: the shared facts, ABC 80/95 and the 8-type on the mean (both shown for every
/// method).
pub(super) struct Prepared {
    /// The as-of date as the parameters fix it ([`as_of`]; `None` = the latest order date).
    pub as_of: Option<NaiveDate>,
    pub bins: u8,
    /// The user's score cut points the scores were computed with.
    pub cuts: ScoreCuts,
    facts: Facts,
    abc: AbcPass,
    rfm_type: Vec<u8>,
}

impl Prepared {
    /// The facts of `customers` (not empty) at `as_of` with R/F/M scored 1..=`bins` (by `cuts`
    /// where given).
    pub fn new(customers: &[Customer], as_of: Option<NaiveDate>, bins: u8, cuts: &ScoreCuts) -> Self {
        let facts = Facts::new(customers, as_of, bins, cuts);
        let base = Base::new(customers, &facts);
        let abc = method::abc_pass(&base, 80.0, 95.0);
        let rfm_type = method::rfm_mean_types(&base);
        Prepared { as_of, bins, cuts: cuts.clone(), facts, abc, rfm_type }
    }

    /// Whether these facts are the ones `params` needs.
    pub fn fits(&self, params: &ClassifyParams) -> bool {
        self.as_of == as_of(params) && self.bins == score_bins(params) && self.cuts == params.score_cuts
    }
}

/// The as-of date the parameters fix: the earlier of the window's end and `as_of`.
pub(super) fn as_of(params: &ClassifyParams) -> Option<NaiveDate> {
    params.window.end(params.as_of)
}

/// The score bins `params`' method uses (what a [`Prepared`] for it must have).
pub(super) fn score_bins(params: &ClassifyParams) -> u8 {
    method::rule(&params.method).score_bins()
}

/// Classifies `customers` (not empty) with `params` (validated) and, when given, each customer's
/// typical purchase gap (as long as `customers`).
pub(super) fn run(
    customers: &[Customer],
    params: &ClassifyParams,
    gaps: Option<&[Option<f64>]>,
    wordings: Wordings,
) -> Classification {
    let prepared = Prepared::new(customers, as_of(params), score_bins(params), &params.score_cuts);
    run_prepared(customers, &prepared, params, gaps, wordings)
}

/// [`run`] with the method-independent facts already computed: `prepared` must come from
/// `customers` for `params` ([`Prepared::fits`]).
pub(super) fn run_prepared(
    customers: &[Customer],
    prepared: &Prepared,
    params: &ClassifyParams,
    gaps: Option<&[Option<f64>]>,
    wordings: Wordings,
) -> Classification {
    let rule = method::rule(&params.method);
    debug_assert!(prepared.fits(params));
    let base = Base::new(customers, &prepared.facts);
    let (abc, rfm_type) = (&prepared.abc, &prepared.rfm_type);
    // Each label is allocated once and shared by its customers' assignments.
    let cube_labels: Vec<Arc<str>> =
        CUBE.iter().map(|(zh, _, _)| Arc::from(segment_label(params, zh).display)).collect();

    debug_assert!(gaps.is_none_or(|g| g.len() == customers.len()));
    let ctx = Context { base: &base, params, abc, rfm_type, gaps };
    let Decision { outcome: d, explain } = rule.decide(&ctx);

    // Summaries.
    let used_d = d.four_tiers || d.tier.contains(&Tier::D);
    let tier_groups: Vec<Tier> = Tier::ALL.iter().copied().filter(|t| *t != Tier::D || used_d).collect();
    let tiers = summarize(&base, tier_groups.iter().map(|t| t.letter().to_string()).collect(), |i| {
        tier_groups.iter().position(|t| *t == d.tier[i]).unwrap_or(0)
    });
    let segments = match &d.segment {
        Some(seg) => summarize(&base, d.labels.iter().map(|l| l.display.clone()).collect(), |i| usize::from(seg[i])),
        None => Vec::new(),
    };

    let seg_labels: Vec<Arc<str>> = d.labels.iter().map(|l| Arc::from(l.display.as_str())).collect();
    let assignment = |i: usize, (reason, gap): (Text, Option<Text>)| Assignment {
        tier: d.tier[i],
        segment: d.segment.as_ref().map(|s| Arc::clone(&seg_labels[usize::from(s[i])])),
        recency_days: base.recency[i],
        r_score: base.rfm[i][0],
        f_score: base.rfm[i][1],
        m_score: base.rfm[i][2],
        abc: abc.tier[i],
        rfm_type: Arc::clone(&cube_labels[usize::from(rfm_type[i])]),
        score: d.score.as_ref().map(|s| s[i]),
        reason,
        gap,
    };
    let assignments: Vec<Assignment> = match wordings {
        // Customers are independent here, so the wording runs on all cores (rayon keeps the order).
        // Two scratch buffers per thread; each kept string is one exact-size allocation.
        Wordings::Write => (0..base.n())
            .into_par_iter()
            .with_min_len(1024)
            .map_init(
                || (new_text(), new_text()),
                |(reason, gap), i| {
                    for s in [&mut reason.zh, &mut reason.en, &mut gap.zh, &mut gap.en] {
                        s.clear();
                    }
                    let has_gap = explain.explain(&d, i, reason, gap);
                    let kept = |t: &Text| Text { zh: t.zh.as_str().into(), en: t.en.as_str().into() };
                    assignment(i, (kept(reason), has_gap.then(|| kept(gap))))
                },
            )
            .collect(),
        // Without wordings each row is a few copies and two reference counts: one core does it in
        // about a millisecond per 100,000, and two would only contend for the shared labels' counts.
        Wordings::Skip => (0..base.n()).map(|i| assignment(i, Default::default())).collect(),
    };

    drop(explain);
    let Outcome { mut thresholds, notes, .. } = d;
    // The user's score cut points are echoed whatever the method (they set every R/F/M score shown).
    let own = base.own_cut_thresholds();
    if own.first().is_some_and(|t| !thresholds.contains(t)) {
        thresholds.extend(own);
    }
    let mut all_notes = base.notes.clone();
    if params.method.tiers_by_scores() {
        all_notes.extend(base.score_notes.iter().cloned());
    }
    all_notes.extend(notes);
    Classification {
        params: params.clone(),
        as_of: base.as_of,
        thresholds,
        tiers,
        segments,
        assignments,
        notes: all_notes,
        score_notes: base.score_notes.clone(),
    }
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

//! Customers → `Classification`: the methods of DESIGN §5 (and ABC by profit), each deterministic and parameterized,
//! each returning the thresholds it used, a per-tier summary and, per customer, tier, segment, R/F/M
//! values and scores, a reason and the gap to the next tier.
//!
//! Works on `&[Customer]` only: re-classifying with new parameters never re-reads a file.
//!
//! Rules worth knowing (docs/methods.md explains each method with a worked example):
//! - ties are broken by customer key, so results never depend on input order;
//! - ABC by revenue puts the customer who crosses the 80% (95%) line in the upper tier, as DESIGN
//!   says; the independent checker (`check_export.py`) puts them in the lower one and accepts 99%
//!   agreement, so the two differ in at most two customers;
//! - RFM scores: 1 + cut points strictly passed, equal values score equally; coinciding cut points
//!   fall back to count bins (F) or distinct-value quantiles (R, M), with a note, never silently;
//! - gaps are sufficient, not estimates: spending the gap lifts the customer even though the cut
//!   points move as they do.
//!
//! It deliberately does not suggest actions (that is `playbook`) or format money for sheets
//! (`export`). Sorting and the per-customer wording run on all cores (rayon), because one call
//! writes several strings for each of up to 100k customers and must stay interactive.
//!
//! Layout, from the top down (a module only uses the ones below it):
//! - this file: the entry points [`classify`] and [`classify_tiers`], and [`Classifier`], which keeps
//!   the method-independent facts of one customer list between calls;
//! - `engine`: shared facts, the chosen method's decision, summaries, the parallel explanation pass;
//! - `method`: the one dispatch over [`Method`] and the defaults, with one file per method under
//!   `method/` (decision, reasons and gaps, threshold table, notes, checks, name, defaults);
//! - `rule` (the trait a method file implements), `base` (R/F/M columns, quantile cuts, scores),
//!   `scores`, `segments` (vocabularies), `wording` (tier words, gap sentences, numbers), `charts`;
//! - `types`: the public data, parameters in and results out.

mod base;
mod charts;
mod engine;
mod method;
mod outside;
mod rule;
mod scores;
mod segments;
mod types;
mod wording;

use std::hash::Hasher;

use crate::error::{Error, Result};
use crate::model::Customer;

pub(crate) use base::revenue_order;
pub use charts::{pareto, rf_matrix, ParetoPoint, RfCell};
pub use method::{
    cube_types, customer_months, default_segment_rules, method_defaults, rfm_score_defaults, DAYS_PER_MONTH,
};
pub use outside::OUTSIDE;
pub use segments::{canonical_segment, default_segment_tier, default_segment_tiers, segment_text, OTHERS};
pub use types::{
    Assignment, Classification, ClassifyParams, CubeBasis, GroupSummary, Measure, Method, SegmentRule, Threshold,
    Weights, ZeroRevenue,
};

/// Classifies `customers` with `params`.
///
/// Deterministic: ties are broken by customer key. Every assignment carries R/F/M scores (1–5,
/// or 1–bins for the RFM-scores method), the ABC-by-revenue class (80/95) and the RFM 8-type
/// (mean basis) whatever the method, so that views can show them side by side.
///
/// # Errors
/// `NoCustomers` when empty; `InvalidParams` when cut points are out of order or out of range;
/// `NoCost` for a profit-based method when no customer's cost is known.
pub fn classify(customers: &[Customer], params: &ClassifyParams) -> Result<Classification> {
    run(customers, params, None, engine::Wordings::Write)
}

/// [`classify`] with each customer's typical purchase gap in days (`rhythm::typical_gaps`, in the
/// order of `customers`), which the composite score's rhythm weight uses (docs/rhythm.md); the other
/// methods, and a rhythm weight of 0, give what [`classify`] gives.
///
/// # Errors
/// As [`classify`]; `InvalidParams` when `gaps` is not as long as `customers`.
pub fn classify_with_rhythm(
    customers: &[Customer],
    params: &ClassifyParams,
    gaps: &[Option<f64>],
) -> Result<Classification> {
    check_gaps(customers, gaps)?;
    run(customers, params, Some(gaps), engine::Wordings::Write)
}

fn check_gaps(customers: &[Customer], gaps: &[Option<f64>]) -> Result<()> {
    if gaps.len() != customers.len() {
        return Err(Error::InvalidParams(format!(
            "回购节奏与客户不对应（{} 个周期，{} 位客户），请重新导入后再试。",
            gaps.len(),
            customers.len()
        )));
    }
    Ok(())
}

/// A profit-based method needs some customer's profit.
fn needs_cost(customers: &[Customer], params: &ClassifyParams) -> Result<()> {
    if matches!(params.method, Method::AbcProfit { .. }) && customers.iter().all(|c| c.profit.is_none()) {
        return Err(Error::NoCost);
    }
    Ok(())
}

/// [`classify`] without the per-customer reason and gap (left empty; everything else is the
/// same): about half the work, for live re-tiering while the user drags a cut point. Call
/// [`classify`] once the parameters settle, or when rows with reasons are shown or exported.
///
/// # Errors
/// As [`classify`].
pub fn classify_tiers(customers: &[Customer], params: &ClassifyParams) -> Result<Classification> {
    run(customers, params, None, engine::Wordings::Skip)
}

/// `gaps`, when given, are as long as `customers`.
fn run(
    customers: &[Customer],
    params: &ClassifyParams,
    gaps: Option<&[Option<f64>]>,
    wordings: engine::Wordings,
) -> Result<Classification> {
    check(customers, params)?;
    Ok(match outside::split(customers, params) {
        None => engine::run(customers, params, gaps, wordings),
        Some(split) => {
            let inside_gaps = gaps.map(|g| split.inside_only(g));
            let class = engine::run(&split.inside, params, inside_gaps.as_deref(), wordings);
            split.merge(class, customers, wordings == engine::Wordings::Write)
        }
    })
}

/// The checks every entry point makes: customers to classify (inside the window, when customers
/// outside it are grouped), the method's parameters, the window, the user's score cut points.
fn check(customers: &[Customer], params: &ClassifyParams) -> Result<()> {
    let grouped = params.window.outside == crate::window::Outside::Group;
    if customers.is_empty() || (grouped && customers.iter().all(|c| c.orders == 0)) {
        return Err(Error::NoCustomers);
    }
    params.method.validate()?;
    needs_cost(customers, params)?;
    params.window.validate()?;
    params.score_cuts.validate(engine::score_bins(params))
}

/// Re-classifies one customer list as the parameters change, computing what no parameter changes
/// only once: recency, the revenue order, the sorted R/F/M columns, their quantile cuts and every
/// customer's scores, ABC 80/95 and the RFM 8-type. A parameter change then costs only the
/// method's own cut (and, with [`Classifier::classify`], the reasons and gaps).
///
/// The results are those of [`classify`] and [`classify_tiers`], bit for bit. What is kept belongs
/// to the customers it was computed from: every call compares a fingerprint of the fields the
/// shared facts read (key, orders, revenue, profit, last order date) and starts over when they changed, so
/// one `Classifier` can follow a session whose customers are re-imported.
///
/// The fingerprint is taken in two steps. The quick one hashes where each key's text lives (its
/// address and length) instead of the text, which spares a cache miss per customer on the slider
/// path; only when it differs (a new list, a window's fresh copy) is the text hashed. A list whose
/// key texts are rewritten in place, keeping their allocations and every number, must be followed
/// by [`Classifier::clear`].
#[derive(Default)]
pub struct Classifier {
    /// The list `kept` was computed from.
    of: Option<ListPrint>,
    /// One entry per (as-of, score bins, score cut points) seen lately, the most recently used last.
    kept: Vec<engine::Prepared>,
    /// Each customer's typical purchase gap, for the composite score's rhythm weight.
    gaps: Option<Vec<Option<f64>>>,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("customers", &self.of.map(|of| of.len))
            .field("kept", &self.kept.len())
            .field("rhythm", &self.gaps.is_some())
            .finish()
    }
}

/// How many (as-of, score bins) combinations a [`Classifier`] keeps: the RFM-scores method's three
/// bin counts plus one other as-of date, ~5 MB each at 100k customers.
const KEPT: usize = 4;

impl Classifier {
    /// A classifier that has computed nothing yet.
    pub fn new() -> Self {
        Classifier::default()
    }

    /// [`classify`], reusing the facts kept from earlier calls on the same customers.
    ///
    /// # Errors
    /// As [`classify`].
    pub fn classify(&mut self, customers: &[Customer], params: &ClassifyParams) -> Result<Classification> {
        self.run(customers, params, engine::Wordings::Write)
    }

    /// [`classify_tiers`] (no reasons or gaps: the slider path), reusing the facts kept from
    /// earlier calls on the same customers.
    ///
    /// # Errors
    /// As [`classify`].
    pub fn classify_tiers(&mut self, customers: &[Customer], params: &ClassifyParams) -> Result<Classification> {
        self.run(customers, params, engine::Wordings::Skip)
    }

    /// Forgets everything kept (the next call computes the shared facts again).
    pub fn clear(&mut self) {
        self.of = None;
        self.kept.clear();
        self.gaps = None;
    }

    /// Gives the customers' typical purchase gaps (`rhythm::typical_gaps`) to the calls that follow,
    /// as [`classify_with_rhythm`] does; `None` takes them away. Set them again with new customers.
    ///
    /// # Errors
    /// `InvalidParams` when `gaps` is not as long as `customers`.
    pub fn set_rhythm(&mut self, customers: &[Customer], gaps: Option<Vec<Option<f64>>>) -> Result<()> {
        if let Some(g) = &gaps {
            check_gaps(customers, g)?;
        }
        self.gaps = gaps;
        Ok(())
    }

    /// Whether typical purchase gaps were given for `customers` (see [`Classifier::set_rhythm`]).
    pub fn has_rhythm(&self, customers: &[Customer]) -> bool {
        self.gaps.as_ref().is_some_and(|g| g.len() == customers.len())
    }

    fn run(
        &mut self,
        customers: &[Customer],
        params: &ClassifyParams,
        wordings: engine::Wordings,
    ) -> Result<Classification> {
        check(customers, params)?;
        // Gaps given for another customer list (a re-import without `set_rhythm`) are left out.
        let gaps = self.gaps.take().filter(|g| g.len() == customers.len());
        let result = match outside::split(customers, params) {
            None => {
                let prepared = self.prepared(customers, params);
                engine::run_prepared(customers, prepared, params, gaps.as_deref(), wordings)
            }
            Some(split) => {
                let inside_gaps = gaps.as_deref().map(|g| split.inside_only(g));
                let prepared = self.prepared(&split.inside, params);
                let class = engine::run_prepared(&split.inside, prepared, params, inside_gaps.as_deref(), wordings);
                split.merge(class, customers, wordings == engine::Wordings::Write)
            }
        };
        self.gaps = gaps;
        Ok(result)
    }

    /// The kept facts for `params` (as-of date, score bins, score cut points), computed now when
    /// missing. A window changes the customers themselves (`window::apply`), which the fingerprint sees.
    fn prepared(&mut self, customers: &[Customer], params: &ClassifyParams) -> &engine::Prepared {
        let quick = fingerprint(customers, KeyPrint::Allocation);
        let same_list = self.of.is_some_and(|of| of.len == customers.len() && of.quick == quick);
        if !same_list {
            // Another list, or the same customers in other allocations: the text decides.
            let content = fingerprint(customers, KeyPrint::Text);
            if self.of.is_none_or(|of| of.len != customers.len() || of.content != content) {
                self.kept.clear();
            }
            self.of = Some(ListPrint { len: customers.len(), quick, content });
        }
        match self.kept.iter().position(|p| p.fits(params)) {
            Some(k) => {
                let p = self.kept.remove(k);
                self.kept.push(p);
            }
            None => {
                if self.kept.len() == KEPT {
                    self.kept.remove(0);
                }
                let bins = engine::score_bins(params);
                self.kept.push(engine::Prepared::new(customers, engine::as_of(params), bins, &params.score_cuts));
            }
        }
        self.kept.last().expect("just pushed")
    }
}

/// How a customer list was recognised (see [`Classifier`]).
#[derive(Clone, Copy)]
struct ListPrint {
    len: usize,
    /// [`fingerprint`] with [`KeyPrint::Allocation`].
    quick: u64,
    /// [`fingerprint`] with [`KeyPrint::Text`].
    content: u64,
}

/// What of each key [`fingerprint`] hashes.
#[derive(Clone, Copy, PartialEq)]
enum KeyPrint {
    /// Where the key's text lives: the same list, not mutated, has the same allocations.
    Allocation,
    /// The text itself: the same customers in another list (a re-import, a window's copy).
    Text,
}

/// A hash of what the shared facts read from each customer, in order: chunks hashed on all cores,
/// then the chunk hashes in order (~1 ms per 100k customers on one core with the key text, most of
/// it one cache miss per key). Kept in memory only, so the hasher and `NaiveDate`'s own `Hash`
/// need not be stable across builds.
fn fingerprint(customers: &[Customer], keys: KeyPrint) -> u64 {
    use rayon::prelude::*;
    use std::hash::Hash;
    let chunk = |part: &[Customer]| {
        let mut h = rustc_hash::FxHasher::default();
        for c in part {
            match keys {
                KeyPrint::Allocation => {
                    h.write_usize(c.key.as_ptr() as usize);
                    h.write_usize(c.key.len());
                }
                KeyPrint::Text => {
                    h.write(c.key.as_bytes());
                    h.write_u8(0xff); // keys are UTF-8, which never holds 0xff: "ab"+"c" ≠ "a"+"bc"
                }
            }
            h.write_i64(c.revenue);
            // Profit changes without the rest when a cost table arrives (the kept profit order).
            h.write_i64(c.profit.unwrap_or(i64::MIN));
            h.write_u32(c.orders);
            c.last_order.hash(&mut h);
        }
        h.finish()
    };
    let parts: Vec<u64> = customers.par_chunks(8192).map(chunk).collect();
    let mut h = rustc_hash::FxHasher::default();
    parts.iter().for_each(|p| h.write_u64(*p));
    h.finish()
}

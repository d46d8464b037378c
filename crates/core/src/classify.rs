//! Customers → `Classification`: the seven methods of DESIGN §5, each deterministic and parameterized,
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
//! - this file: the entry points [`classify`] and [`classify_tiers`];
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
mod rule;
mod scores;
mod segments;
mod types;
mod wording;

use crate::error::{Error, Result};
use crate::model::Customer;

pub use charts::{pareto, rf_matrix, ParetoPoint, RfCell};
pub use method::{
    cube_types, customer_months, default_segment_rules, method_defaults, rfm_score_defaults, DAYS_PER_MONTH,
};
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
/// `NoCustomers` when empty; `InvalidParams` when cut points are out of order or out of range.
pub fn classify(customers: &[Customer], params: &ClassifyParams) -> Result<Classification> {
    if customers.is_empty() {
        return Err(Error::NoCustomers);
    }
    params.method.validate()?;
    Ok(engine::run(customers, params, engine::Wordings::Write))
}

/// [`classify`] without the per-customer reason and gap (left empty; everything else is the
/// same): about half the work, for live re-tiering while the user drags a cut point. Call
/// [`classify`] once the parameters settle, or when rows with reasons are shown or exported.
///
/// # Errors
/// As [`classify`].
pub fn classify_tiers(customers: &[Customer], params: &ClassifyParams) -> Result<Classification> {
    if customers.is_empty() {
        return Err(Error::NoCustomers);
    }
    params.method.validate()?;
    Ok(engine::run(customers, params, engine::Wordings::Skip))
}

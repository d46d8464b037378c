//! The contract between the engine and the method files: what a method is given ([`Context`]),
//! what it decides for every customer at once ([`Outcome`]) and how it then explains one customer
//! ([`Explain`]). Each file under `classify/method/` implements [`MethodRule`] for its variant of
//! [`Method`](super::types::Method); the engine never looks inside a method.

use super::base::{AbcPass, Base};
use super::segments::SegmentLabel;
use super::types::{ClassifyParams, Threshold};
use crate::error::{Error, Result};
use crate::model::{Text, Tier};

/// One classification method with its parameters.
pub(crate) trait MethodRule {
    /// The method's name: "ABC 分类（按销售额贡献）" / "ABC by revenue (Pareto)" …
    fn name(&self) -> Text;

    /// Checks the parameters; `InvalidParams` says in the user's terms which one to fix.
    fn validate(&self) -> Result<()>;

    /// The bins of the R/F/M scores every customer shows (the RFM-scores method's own; else 5).
    fn score_bins(&self) -> u8 {
        5
    }

    /// Tiers (and segments, scores, the threshold table, notes) for every customer, plus the
    /// explainer that writes one customer's reason and gap from what the decision found.
    fn decide<'a>(&'a self, ctx: &Context<'a>) -> Decision<'a>;
}

/// What a method is given: the shared facts and the columns shown for every method.
pub(crate) struct Context<'a> {
    pub base: &'a Base<'a>,
    /// For segment renames and segment tiers.
    pub params: &'a ClassifyParams,
    /// ABC by revenue at 80/95 (every assignment's `abc`).
    pub abc: &'a AbcPass,
    /// The RFM 8-type on the mean, as a position in `segments::CUBE` (every assignment's `rfm_type`).
    pub rfm_type: &'a [u8],
    /// Each customer's typical purchase gap in days (`rhythm::typical_gaps`), when the caller gave it:
    /// the composite score's rhythm weight needs it.
    pub gaps: Option<&'a [Option<f64>]>,
}

/// A method's decisions for every customer, before wording.
pub(crate) struct Outcome {
    pub tier: Vec<Tier>,
    /// Index into `labels`, for methods with segments.
    pub segment: Option<Vec<u16>>,
    pub labels: Vec<SegmentLabel>,
    /// The composite score 0–100, for methods with a score.
    pub score: Option<Vec<f64>>,
    pub thresholds: Vec<Threshold>,
    /// Whether tier D is part of the method (shown in the summary even when empty).
    pub four_tiers: bool,
    /// How the method decided, in the user's words; they follow the shared facts' notes.
    pub notes: Vec<Text>,
}

impl Outcome {
    /// An outcome with these tiers and nothing else yet.
    pub fn tiers(tier: Vec<Tier>) -> Self {
        Outcome {
            tier,
            segment: None,
            labels: Vec::new(),
            score: None,
            thresholds: Vec::new(),
            four_tiers: false,
            notes: Vec::new(),
        }
    }
}

/// A decision plus what its wording needs.
pub(crate) struct Decision<'a> {
    pub outcome: Outcome,
    pub explain: Box<dyn Explain + 'a>,
}

/// Writes one customer's reason and gap. Called for every customer on all cores, so it appends to
/// the two buffers it is given (cleared by the caller) and allocates nothing per customer.
pub(crate) trait Explain: Sync {
    /// Customer `i`'s reason into `reason` and gap into `gap`; returns whether there is a gap.
    fn explain(&self, d: &Outcome, i: usize, reason: &mut Text, gap: &mut Text) -> bool;
}

/// Tier by a score with two inclusive lines: ≥ `a_min` A, ≥ `b_min` B, else C.
pub(crate) fn tier_at_least<T: PartialOrd>(value: T, a_min: T, b_min: T) -> Tier {
    if value >= a_min {
        Tier::A
    } else if value >= b_min {
        Tier::B
    } else {
        Tier::C
    }
}

/// A 0–100 percentage that is a number.
pub(crate) fn is_percent(v: f64) -> bool {
    v.is_finite() && (0.0..=100.0).contains(&v)
}

/// `Err(InvalidParams(message))`.
pub(crate) fn invalid(message: String) -> Result<()> {
    Err(Error::InvalidParams(message))
}

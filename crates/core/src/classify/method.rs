//! The eight methods, one file each, and the one place that maps a [`Method`] to its file.
//!
//! Each file owns its method's decision, reason and gap sentences, threshold table, notes,
//! parameter checks, name and default parameters; what they share lives below them (`base`,
//! `scores`, `segments`, `wording`, `rule`), the engine above. A method file never imports the
//! engine or another method file.

mod abc_customers;
mod abc_profit;
mod abc_revenue;
mod composite;
mod rfm_cube;
mod rfm_scores;
mod rfm_segments;
mod thresholds;

pub use rfm_cube::cube_types;
pub use rfm_scores::rfm_score_defaults;
pub use rfm_segments::default_segment_rules;
pub use thresholds::{customer_months, DAYS_PER_MONTH};

pub(crate) use abc_revenue::pass as abc_pass;
pub(crate) use rfm_cube::mean_types as rfm_mean_types;

use std::collections::BTreeMap;

use super::rule::MethodRule;
use super::segments::default_segment_tiers;
use super::types::{ClassifyParams, Method};
use crate::error::Result;
use crate::model::Text;

/// The rule of `method`: the one dispatch over the variants.
pub(crate) fn rule(method: &Method) -> Box<dyn MethodRule + '_> {
    match method {
        Method::AbcRevenue { a_pct, b_pct } => Box::new(abc_revenue::AbcRevenue { a_pct: *a_pct, b_pct: *b_pct }),
        Method::AbcProfit { a_pct, b_pct } => Box::new(abc_profit::AbcProfit { a_pct: *a_pct, b_pct: *b_pct }),
        Method::AbcCustomers { a_pct, b_pct, zero_revenue } => {
            Box::new(abc_customers::AbcCustomers { a_pct: *a_pct, b_pct: *b_pct, zero_revenue: *zero_revenue })
        }
        Method::Thresholds { measure, a_min, b_min, c_min } => {
            Box::new(thresholds::Thresholds { measure: *measure, a_min: *a_min, b_min: *b_min, c_min: *c_min })
        }
        Method::RfmScores { bins, a_min, b_min } => {
            Box::new(rfm_scores::RfmScores { bins: *bins, a_min: *a_min, b_min: *b_min })
        }
        Method::RfmCube { basis } => Box::new(rfm_cube::RfmCube { basis: basis.clone() }),
        Method::RfmSegments { rules } => Box::new(rfm_segments::RfmSegments { rules }),
        Method::Composite { weights, a_min, b_min } => {
            Box::new(composite::Composite { weights, a_min: *a_min, b_min: *b_min })
        }
    }
}

/// One method with its default parameters per method, in the order of DESIGN §5 (the UI's picker).
pub fn method_defaults() -> Vec<Method> {
    vec![
        abc_revenue::default_method(),
        abc_customers::default_method(),
        thresholds::default_method(),
        rfm_scores::default_method(),
        rfm_cube::default_method(),
        rfm_segments::default_method(),
        composite::default_method(),
        abc_profit::default_method(),
    ]
}

impl Method {
    /// The method's name: "ABC 分类（按销售额）" / "ABC by revenue" …
    pub fn name(&self) -> Text {
        rule(self).name()
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// `InvalidParams` saying which parameter to fix: cut points out of order or out of range,
    /// bins other than 3–5, a named-segment rule with an impossible score range, weights that
    /// are negative or sum to zero.
    pub fn validate(&self) -> Result<()> {
        rule(self).validate()
    }
}

impl Default for ClassifyParams {
    /// ABC by revenue 80/95, as-of = the latest order date, the built-in segment tiers, no renames.
    fn default() -> Self {
        ClassifyParams {
            method: abc_revenue::default_method(),
            as_of: None,
            segment_tiers: default_segment_tiers(),
            segment_names: BTreeMap::new(),
            window: crate::window::Window::default(),
            score_cuts: crate::window::ScoreCuts::default(),
        }
    }
}

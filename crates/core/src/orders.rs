//! From mapped rows to `Order`s: status and refund rules, item rows collapsed per order id,
//! duplicates across files counted once, and the skip counts for the import report.

use serde::{Deserialize, Serialize};

/// What a status rule does to an order whose status (or after-sales status) matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Count,
    Exclude,
    /// Exclude as fully refunded (reported separately from closed/cancelled).
    Refunded,
}

/// One visible, editable rule: statuses containing `pattern` get `effect`. First match wins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusRule {
    pub pattern: String,
    pub effect: Effect,
}

/// The rule table; statuses that match no rule are counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusRules {
    pub rules: Vec<StatusRule>,
}

//! The public data of classification: a method and its parameters in, a [`Classification`] out.
//!
//! Plain data with serde and TypeScript derives and nothing else, so that every other module of
//! `classify` (the engine, the method files, the shared helpers) can use it without a circle. What
//! each variant of [`Method`] means and does lives in its own file under `classify/method/`.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Cents, Text, Tier};
use crate::window::{ScoreCuts, Window};

/// The measure a threshold method compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Net revenue over the whole period.
    Revenue,
    /// Net revenue per month of the period (first order date … as-of).
    MonthlyRevenue,
    /// Average order value.
    Aov,
    /// Number of orders.
    Orders,
}

/// Where the high/low line of the RFM cube sits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CubeBasis {
    /// High means above the mean of all customers (for R: more recent than the mean recency).
    Mean,
    /// High means above the median of all customers (for R: more recent than the median recency).
    Median,
    /// R high when recency ≤ `r_days`, F high when orders ≥ `f`, M high when revenue ≥ `m_yuan`.
    Fixed {
        /// Days since the last order at or below which R is high.
        r_days: f64,
        /// Number of orders at or above which F is high.
        f: f64,
        /// Net revenue in yuan at or above which M is high.
        m_yuan: f64,
    },
}

/// What to do with customers whose revenue is zero (ABC by customer share).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ZeroRevenue {
    /// Put them in C.
    C,
    /// Put them in their own group D.
    D,
}

/// One rule of the named-segment scheme: scores in the inclusive ranges → `segment`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SegmentRule {
    /// The segment's canonical name (e.g. `Champions`): the key of `segment_tiers` and `segment_names`.
    pub segment: String,
    /// R score range (from, to), both 1–5 and inclusive.
    pub r: (u8, u8),
    /// F score range (from, to), both 1–5 and inclusive.
    pub f: (u8, u8),
    /// M score range (from, to), both 1–5 and inclusive.
    pub m: (u8, u8),
}

/// Weights of the composite score (normalized to sum 1 when used).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Weights {
    /// Weight of value (net revenue).
    pub value: f64,
    /// Weight of frequency (number of orders).
    pub frequency: f64,
    /// Weight of recency (days since the last order, fewer is better).
    pub recency: f64,
    /// Weight of interactions; shared out among the others when the data has no interaction counts.
    pub interactions: f64,
    /// Weight of the purchase rhythm (the overdue ratio: days since the last order ÷ the customer's
    /// typical gap, lower is better; see docs/rhythm.md). `None` (the default) weighs 0 and leaves
    /// the method's JSON as before; shared out among the others when the caller gives no rhythm
    /// (`classify::classify` rather than `classify::classify_with_rhythm`).
    #[serde(default, skip_serializing_if = "no_weight")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rhythm: Option<f64>,
}

/// A rhythm weight of 0 is written as none: the JSON of a method without it stays as it was.
fn no_weight(w: &Option<f64>) -> bool {
    w.is_none_or(|w| w == 0.0)
}

impl Method {
    /// Whether the method weighs the purchase rhythm (the composite score with a rhythm weight above
    /// 0): only then do callers need each customer's typical gap (`classify_with_rhythm`).
    pub fn uses_rhythm(&self) -> bool {
        matches!(self, Method::Composite { weights, .. } if weights.rhythm() > 0.0)
    }

    /// Whether the tiers come from the R/F/M quantile scores (RFM scores, RFM named segments): only
    /// then is how a score had to fall back a note on the tiering itself.
    pub fn tiers_by_scores(&self) -> bool {
        matches!(self, Method::RfmScores { .. } | Method::RfmSegments { .. })
    }
}

impl Weights {
    /// The rhythm weight, 0 when not set.
    pub fn rhythm(&self) -> f64 {
        self.rhythm.unwrap_or(0.0)
    }
}

/// A method and its parameters. Percentages are 0–100.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// A = customers making up the first `a_pct`% of revenue, B up to `b_pct`%, C the rest.
    AbcRevenue {
        /// Cumulative revenue share (%) that ends A.
        a_pct: f64,
        /// Cumulative revenue share (%) that ends B.
        b_pct: f64,
    },
    /// Like `AbcRevenue` on each customer's net profit (`Customer::profit`); needs known costs.
    AbcProfit {
        /// Cumulative profit share (%) that ends A.
        a_pct: f64,
        /// Cumulative profit share (%) that ends B.
        b_pct: f64,
    },
    /// Top `a_pct`% of customers A, the next `b_pct`% B, the rest C.
    AbcCustomers {
        /// Share of customers (%), top spenders first, that are A.
        a_pct: f64,
        /// Share of customers (%) after A that are B.
        b_pct: f64,
        /// Where customers with no net revenue go.
        zero_revenue: ZeroRevenue,
    },
    /// Fixed cut points on a measure: ≥ `a_min` A, ≥ `b_min` B, else C (or ≥ `c_min` C, else D).
    Thresholds {
        /// What the cut points are compared with.
        measure: Measure,
        /// Lowest value of A, in yuan (orders for [`Measure::Orders`]).
        a_min: f64,
        /// Lowest value of B, in the same unit.
        b_min: f64,
        /// Lowest value of C when set, which makes those below it D.
        c_min: Option<f64>,
    },
    /// R/F/M scored 1..=`bins` by quantiles; tier by total score: ≥ `a_min` A, ≥ `b_min` B, else C.
    RfmScores {
        /// Number of score bins per dimension: 3, 4 or 5.
        bins: u8,
        /// Lowest total score (R + F + M) of A.
        a_min: u32,
        /// Lowest total score of B.
        b_min: u32,
    },
    /// The Chinese 8-type cube; tier from `ClassifyParams::segment_tiers`.
    RfmCube {
        /// Where each dimension's high/low line sits.
        basis: CubeBasis,
    },
    /// Named segments on 1–5 scores, rules in order, first match wins; tier from `segment_tiers`.
    RfmSegments {
        /// The rules, tried in order; customers no rule matches are Others.
        rules: Vec<SegmentRule>,
    },
    /// Weighted normalized score 0–100: ≥ `a_min` A, ≥ `b_min` B, else C.
    Composite {
        /// The weights of the four parts.
        weights: Weights,
        /// Lowest score (0–100) of A.
        a_min: f64,
        /// Lowest score (0–100) of B.
        b_min: f64,
    },
}

/// A method plus everything shared by all methods.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClassifyParams {
    /// The method and its own parameters.
    pub method: Method,
    /// Recency is measured from this date; `None` = the latest order date in the data.
    pub as_of: Option<NaiveDate>,
    /// Segment (canonical name, e.g. `重要价值客户` or `Champions`) → tier.
    pub segment_tiers: BTreeMap<String, Tier>,
    /// Display names that replace canonical segment names (e.g. `一般发展客户` → `新客户`).
    pub segment_names: BTreeMap<String, String>,
    /// The analysis window (default: every order up to the as-of date). The caller turns the
    /// customers into the window's (`window::apply`); classifying measures recency from the
    /// window's end and, with `Outside::Group`, shows customers with no order in it (0 orders) as
    /// their own group D. Defaulted so that snapshots saved before it still load.
    #[serde(default)]
    pub window: Window,
    /// The user's own R/F/M cut points, replacing the quantiles per measure (default: none).
    #[serde(default)]
    pub score_cuts: ScoreCuts,
}

/// One row of the threshold table: a readable name and the value actually used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Threshold {
    /// What the value is, e.g. "A 类：综合得分 ≥" / "Tier A: score ≥".
    pub name: Text,
    /// The value used, in `unit`.
    pub value: f64,
    /// "¥", "天"/"days", "单"/"orders", "%", "分"/"points" …
    pub unit: Text,
}

/// Per-tier (or per-segment) totals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GroupSummary {
    /// "A"/"B"/… for tiers, the segment name for segments.
    pub group: String,
    /// Number of customers in the group.
    pub customers: u64,
    /// Share of all customers, 0–1.
    pub customer_share: f64,
    /// Number of orders of the group's customers.
    pub orders: u64,
    /// Net revenue of the group's customers.
    pub revenue: Cents,
    /// Share of total revenue, 0–1.
    pub revenue_share: f64,
    /// Average order value: the group's revenue over its orders (0 without orders).
    pub aov: Cents,
}

/// The result for one customer (same index as the input `customers`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Assignment {
    /// The tier the method gave.
    pub tier: Tier,
    /// The method's segment (display name), if the method has segments. Shared with every customer
    /// of the segment: one allocation per label, not one per customer (the slider path).
    pub segment: Option<Arc<str>>,
    /// Days from the last order to the as-of date (never negative).
    pub recency_days: i64,
    /// R score, 1–5 (1–bins for the RFM-scores method); higher is more recent.
    pub r_score: u8,
    /// F score (number of orders), same range; higher is more orders.
    pub f_score: u8,
    /// M score (net revenue), same range; higher is more revenue.
    pub m_score: u8,
    /// ABC by revenue (80/95), whatever the method.
    pub abc: Tier,
    /// The RFM 8-type (客户类型, mean basis), whatever the method; shared like `segment`.
    pub rfm_type: Arc<str>,
    /// Composite score 0–100, for the composite method.
    pub score: Option<f64>,
    /// Why the customer has this tier (empty from `classify_tiers`).
    pub reason: Text,
    /// "再消费 ¥180 升至 A 类", when a gap is meaningful.
    pub gap: Option<Text>,
}

/// A whole classification run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Classification {
    /// The parameters as given.
    pub params: ClassifyParams,
    /// The as-of date actually used.
    pub as_of: NaiveDate,
    /// The cut points and weights the method used, in display order.
    pub thresholds: Vec<Threshold>,
    /// Totals per tier, A first (D only when the method used it).
    pub tiers: Vec<GroupSummary>,
    /// Totals per segment, empty when the method has no segments.
    pub segments: Vec<GroupSummary>,
    /// One per input customer, in input order.
    pub assignments: Vec<Assignment>,
    /// Things the tiering had to say: the as-of date, the method's own notes, and how a score fell
    /// back (F degenerate → value bins, …) when the method tiers by the scores.
    pub notes: Vec<Text>,
    /// How the R/F/M scores shown with every customer had to fall back, whatever the method. Under
    /// ABC a shop of one-time buyers would otherwise read about F's bins beside tiers that never
    /// used F.
    #[serde(default)]
    pub score_notes: Vec<Text>,
}

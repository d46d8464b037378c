//! The public data of classification: a method and its parameters in, a [`Classification`] out.
//!
//! Plain data with serde and TypeScript derives and nothing else, so that every other module of
//! `classify` (the engine, the method files, the shared helpers) can use it without a circle. What
//! each variant of [`Method`] means and does lives in its own file under `classify/method/`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Cents, Text, Tier};

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
    Mean,
    Median,
    /// R high when recency ≤ `r_days`, F high when orders ≥ `f`, M high when revenue ≥ `m_yuan`.
    Fixed {
        r_days: f64,
        f: f64,
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
    pub segment: String,
    pub r: (u8, u8),
    pub f: (u8, u8),
    pub m: (u8, u8),
}

/// Weights of the composite score (normalized to sum 1 when used).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Weights {
    pub value: f64,
    pub frequency: f64,
    pub recency: f64,
    pub interactions: f64,
}

/// A method and its parameters. Percentages are 0–100.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// A = customers making up the first `a_pct`% of revenue, B up to `b_pct`%, C the rest.
    AbcRevenue { a_pct: f64, b_pct: f64 },
    /// Top `a_pct`% of customers A, the next `b_pct`% B, the rest C.
    AbcCustomers { a_pct: f64, b_pct: f64, zero_revenue: ZeroRevenue },
    /// Fixed cut points on a measure: ≥ `a_min` A, ≥ `b_min` B, else C (or ≥ `c_min` C, else D).
    Thresholds { measure: Measure, a_min: f64, b_min: f64, c_min: Option<f64> },
    /// R/F/M scored 1..=`bins` by quantiles; tier by total score: ≥ `a_min` A, ≥ `b_min` B, else C.
    RfmScores { bins: u8, a_min: u32, b_min: u32 },
    /// The Chinese 8-type cube; tier from `ClassifyParams::segment_tiers`.
    RfmCube { basis: CubeBasis },
    /// Named segments on 1–5 scores, rules in order, first match wins; tier from `segment_tiers`.
    RfmSegments { rules: Vec<SegmentRule> },
    /// Weighted normalized score 0–100: ≥ `a_min` A, ≥ `b_min` B, else C.
    Composite { weights: Weights, a_min: f64, b_min: f64 },
}

/// A method plus everything shared by all methods.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClassifyParams {
    pub method: Method,
    /// Recency is measured from this date; `None` = the latest order date in the data.
    pub as_of: Option<NaiveDate>,
    /// Segment (canonical name, e.g. `重要价值客户` or `Champions`) → tier.
    pub segment_tiers: BTreeMap<String, Tier>,
    /// Display names that replace canonical segment names (e.g. `一般发展客户` → `新客户`).
    pub segment_names: BTreeMap<String, String>,
}

/// One row of the threshold table: a readable name and the value actually used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Threshold {
    pub name: Text,
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
    pub customers: u64,
    pub customer_share: f64,
    pub orders: u64,
    pub revenue: Cents,
    /// Share of total revenue, 0–1.
    pub revenue_share: f64,
    pub aov: Cents,
}

/// The result for one customer (same index as the input `customers`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Assignment {
    pub tier: Tier,
    /// The method's segment (display name), if the method has segments.
    pub segment: Option<String>,
    pub recency_days: i64,
    pub r_score: u8,
    pub f_score: u8,
    pub m_score: u8,
    /// ABC by revenue (80/95), whatever the method.
    pub abc: Tier,
    /// The RFM 8-type (客户类型, mean basis), whatever the method.
    pub rfm_type: String,
    /// Composite score 0–100, for the composite method.
    pub score: Option<f64>,
    pub reason: Text,
    /// "再消费 ¥180 升至 A 类", when a gap is meaningful.
    pub gap: Option<Text>,
}

/// A whole classification run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Classification {
    pub params: ClassifyParams,
    /// The as-of date actually used.
    pub as_of: NaiveDate,
    pub thresholds: Vec<Threshold>,
    pub tiers: Vec<GroupSummary>,
    pub segments: Vec<GroupSummary>,
    pub assignments: Vec<Assignment>,
    /// Things the method had to say (F degenerate → value bins, …).
    pub notes: Vec<Text>,
}

//! The catalogue: everything a front end builds its pickers and defaults from, read from the
//! functions that define it (`classify::method_defaults`, `default_segment_rules`, …), so that the
//! desktop UI keeps no copy of a method, a rule, a segment name or an error code's words.
//!
//! The app sends it once at start-up (`catalogue` command); the CLI takes its `--method` defaults
//! from the same defaults ([`method_default`]). The parameter ranges are the ones [`Method::validate`]
//! accepts (a unit test walks one step past each bound and expects the core to refuse it).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::classify::{
    cube_types, default_segment_rules, default_segment_tier, default_segment_tiers, method_defaults,
    rfm_score_defaults, segment_text, CubeBasis, Measure, Method, SegmentRule, ZeroRevenue, OTHERS,
};
use crate::error::ErrorCode;
use crate::model::{Lang, Text, Tier};

/// Where the RFM cube's high/low line sits when the user picks "fixed" values: recent within 30
/// days, at least 3 orders, at least ¥200.
pub const FIXED_CUBE_BASIS: CubeBasis = CubeBasis::Fixed { r_days: 30.0, f: 3.0, m_yuan: 200.0 };

/// The C-tier floor of the thresholds method when the user turns the fourth tier (D) on.
pub const THRESHOLDS_C_MIN: f64 = 100.0;

/// Everything the UI needs for its pickers, editors and defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Catalogue {
    /// The eight methods in picker order (DESIGN §5).
    pub methods: Vec<MethodInfo>,
    /// Default A/B total-score cut points of the RFM-scores method per number of bins.
    pub rfm_score_defaults: Vec<ScoreDefaults>,
    /// The eight RFM cube types in display order.
    pub cube_types: Vec<CubeType>,
    /// The default named-segment rules, in evaluation order (first match wins).
    pub segment_rules: Vec<SegmentRule>,
    /// Segment (canonical name) → default tier, for every built-in segment.
    pub segment_tiers: BTreeMap<String, Tier>,
    /// Every built-in segment: the cube types, then the named segments in rule order, then Others.
    pub segments: Vec<SegmentInfo>,
    /// The name of customers no named-segment rule matches.
    pub others: String,
    /// The measures the thresholds method compares.
    pub measures: Vec<MeasureInfo>,
    /// What ABC by customer share may do with zero-revenue customers.
    pub zero_revenue: Vec<ZeroRevenueInfo>,
    /// Every tier, best first.
    pub tiers: Vec<TierInfo>,
    /// Every error code with its title and advice.
    pub errors: Vec<ErrorInfo>,
    /// The analysis windows the picker offers and the example cut points (`window`).
    pub window: WindowInfo,
}

/// What the analysis-window and cut-point controls offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WindowInfo {
    /// The "last N months" choices, shortest first.
    pub months: Vec<u32>,
    /// The longest window in months a custom choice may take.
    pub max_months: u32,
    /// The group customers with no order in the window form with `Outside::Group`.
    pub outside_group: String,
    /// Example cut points shown as placeholders (R days, F orders, M yuan; five scores).
    pub example_cuts: crate::window::ScoreCuts,
    /// The boundary rule of the user's cut points, in words.
    pub boundary_rule: Text,
}

/// One method of the picker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MethodInfo {
    /// "ABC 分类（按销售额贡献）" / "ABC by revenue (Pareto)".
    pub name: Text,
    /// One sentence on how customers are split.
    pub description: Text,
    /// The method with its default parameters: what the UI sends when the user picks it.
    pub default: Method,
    /// Every numeric parameter's allowed range.
    pub params: Vec<ParamRange>,
}

/// The range, step and unit of one numeric parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ParamRange {
    /// The field in the method's JSON, nested fields joined by a dot (`a_pct`, `weights.value`,
    /// `basis.r_days`); `score` stands for every bound of a named-segment rule's R/F/M ranges.
    pub key: String,
    /// The smallest value `validate` accepts.
    pub min: f64,
    /// `None`: no upper bound (money and order counts).
    pub max: Option<f64>,
    /// How far one click of the input moves.
    pub step: f64,
    /// "%", "¥", "天"/"days" …; empty for the thresholds method, whose unit is the measure's.
    pub unit: Text,
    /// The value in the default method; for a parameter the default leaves out (the fixed cube
    /// basis, the thresholds' C floor), the value to start from when the user turns it on.
    pub default: f64,
}

/// The RFM-scores method's default cut points for one number of bins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScoreDefaults {
    /// The number of bins (3, 4 or 5).
    pub bins: u8,
    /// Total score from which a customer is A.
    pub a_min: u32,
    /// Total score from which a customer is B.
    pub b_min: u32,
}

/// One of the eight RFM cube types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CubeType {
    /// The canonical (Chinese) name, e.g. `重要价值客户`.
    pub name: String,
    /// Its display names in both languages.
    pub text: Text,
    /// Recency is high (a recent buyer).
    pub r_high: bool,
    /// Frequency is high.
    pub f_high: bool,
    /// Monetary value is high.
    pub m_high: bool,
    /// The tier the type maps to by default.
    pub tier: Tier,
}

/// A built-in segment with its names in both languages and its default tier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SegmentInfo {
    /// The canonical name the core uses (`重要价值客户`, `Champions`).
    pub name: String,
    /// Its display names in both languages.
    pub text: Text,
    /// The tier the segment maps to by default.
    pub tier: Tier,
}

/// A measure of the thresholds method.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeasureInfo {
    /// The measure.
    pub measure: Measure,
    /// Its name, as the reasons say it.
    pub label: Text,
    /// The unit of its cut points.
    pub unit: Text,
    /// The step of the cut-point inputs for this measure.
    pub step: f64,
}

/// One choice for zero-revenue customers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ZeroRevenueInfo {
    /// The choice.
    pub value: ZeroRevenue,
    /// What it does, in both languages.
    pub label: Text,
}

/// A tier and its label ("A类" / "Tier A").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierInfo {
    /// The tier.
    pub tier: Tier,
    /// Its label in both languages.
    pub label: Text,
}

/// An error code with the words the UI shows for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorInfo {
    /// The code.
    pub code: ErrorCode,
    /// A short title for the error.
    pub title: Text,
    /// What the user can do about it.
    pub hint: Text,
}

/// The whole catalogue.
pub fn catalogue() -> Catalogue {
    let rules = default_segment_rules();
    let segments = cube_types()
        .into_iter()
        .map(|(name, ..)| name)
        .chain(rules.iter().map(|r| r.segment.as_str()))
        .chain(std::iter::once(OTHERS))
        .map(|name| SegmentInfo {
            name: name.to_string(),
            text: segment_text(name).unwrap_or_else(|| Text::new(name, name)),
            tier: default_segment_tier(name).unwrap_or(Tier::C),
        })
        .collect();
    Catalogue {
        methods: method_defaults().into_iter().map(method_info).collect(),
        rfm_score_defaults: (3..=5)
            .map(|bins| {
                let (a_min, b_min) = rfm_score_defaults(bins);
                ScoreDefaults { bins, a_min, b_min }
            })
            .collect(),
        cube_types: cube_types()
            .into_iter()
            .map(|(name, r_high, f_high, m_high)| CubeType {
                name: name.to_string(),
                text: segment_text(name).unwrap_or_else(|| Text::new(name, name)),
                r_high,
                f_high,
                m_high,
                tier: default_segment_tier(name).unwrap_or(Tier::C),
            })
            .collect(),
        window: WindowInfo {
            months: vec![3, 6, 12],
            max_months: crate::window::MAX_MONTHS,
            outside_group: crate::classify::OUTSIDE.to_string(),
            example_cuts: crate::window::ScoreCuts {
                r: vec![30.0, 90.0, 180.0, 365.0],
                f: vec![2.0, 3.0, 5.0, 10.0],
                m: vec![100.0, 500.0, 1000.0, 5000.0],
            },
            boundary_rule: Text::new(
                "取值恰好等于分界值时计入较好的一档：R ≤ 分界值（如 30 天内），F、M ≥ 分界值。",
                "A value equal to a cut point counts on the better side: R ≤ the cut (within 30 days), F and M ≥ the cut.",
            ),
        },
        segment_rules: rules,
        segment_tiers: default_segment_tiers(),
        segments,
        others: OTHERS.to_string(),
        measures: [Measure::Revenue, Measure::MonthlyRevenue, Measure::Aov, Measure::Orders]
            .into_iter()
            .map(|measure| {
                let (unit, step) = if measure == Measure::Orders { (ORDERS, 1.0) } else { (YUAN, 100.0) };
                MeasureInfo { measure, label: measure.label(), unit: Text::new(unit.0, unit.1), step }
            })
            .collect(),
        zero_revenue: vec![
            ZeroRevenueInfo { value: ZeroRevenue::C, label: Text::new("归入 C 类", "Put them in tier C") },
            ZeroRevenueInfo { value: ZeroRevenue::D, label: Text::new("单独成为 D 类", "Their own tier D") },
        ],
        tiers: Tier::ALL
            .into_iter()
            .map(|tier| TierInfo { tier, label: Text::new(tier.label(Lang::Zh), tier.label(Lang::En)) })
            .collect(),
        errors: ErrorCode::ALL.iter().map(|&code| ErrorInfo { code, title: code.title(), hint: code.hint() }).collect(),
    }
}

/// The default method of a kind, by its tag in JSON (`"abc_revenue"`, `"rfm_segments"`, …): what
/// the UI sends when the user picks it, and what `tierbook classify --method …` uses for flags not
/// given. `None` for a kind the core does not have.
pub fn method_default(kind: &str) -> Option<Method> {
    method_defaults().into_iter().find(|m| method_kind(m) == kind)
}

/// The tag of a method in JSON: `"abc_revenue"`, …
pub fn method_kind(method: &Method) -> String {
    // The tag is serde's (`rename_all = "snake_case"`); reading it back keeps one spelling.
    serde_json::to_value(method).ok().and_then(|v| v["kind"].as_str().map(str::to_string)).unwrap_or_default()
}

const PCT: (&str, &str) = ("%", "%");
const YUAN: (&str, &str) = ("¥", "¥");
const ORDERS: (&str, &str) = ("单", "orders");
const DAYS: (&str, &str) = ("天", "days");
const POINTS: (&str, &str) = ("分", "points");
const NONE: (&str, &str) = ("", "");

fn range(key: &str, min: f64, max: Option<f64>, step: f64, unit: (&str, &str), default: f64) -> ParamRange {
    ParamRange { key: key.to_string(), min, max, step, unit: Text::new(unit.0, unit.1), default }
}

/// Name, description and parameter ranges of one method with its defaults.
fn method_info(default: Method) -> MethodInfo {
    let (description, params) = match &default {
        Method::AbcRevenue { a_pct, b_pct } => (
            Text::new(
                "按消费额排序，贡献前 80% 销售额的客户为 A 类，到 95% 为 B 类，其余 C 类（二八法则）。",
                "Customers by spend: those making up the first 80% of revenue are A, up to 95% B, the rest C (the 80/20 rule).",
            ),
            vec![
                range("a_pct", 1.0, Some(99.0), 1.0, PCT, *a_pct),
                range("b_pct", 2.0, Some(100.0), 1.0, PCT, *b_pct),
            ],
        ),
        Method::AbcProfit { a_pct, b_pct } => (
            Text::new(
                "按毛利（消费额 − 商品成本）排序，贡献前 80% 利润的客户为 A 类，到 95% 为 B 类，其余 C 类。需要成本：订单表的成本/毛利列，或导入的成本表。",
                "Customers by profit (revenue − cost of goods): those making up the first 80% of profit are A, up to 95% B, the rest C. Needs costs: a cost or profit column in the export, or an imported cost table.",
            ),
            vec![
                range("a_pct", 1.0, Some(99.0), 1.0, PCT, *a_pct),
                range("b_pct", 2.0, Some(100.0), 1.0, PCT, *b_pct),
            ],
        ),
        Method::AbcCustomers { a_pct, b_pct, .. } => (
            Text::new(
                "按消费额排序，前 20% 的客户为 A 类，接下来 30% 为 B 类，其余为 C 类。",
                "Customers by spend: the top 20% are A, the next 30% B, the rest C.",
            ),
            vec![
                range("a_pct", 1.0, Some(100.0), 1.0, PCT, *a_pct),
                range("b_pct", 0.0, Some(99.0), 1.0, PCT, *b_pct),
            ],
        ),
        Method::Thresholds { a_min, b_min, c_min, .. } => (
            Text::new(
                "按固定金额划分，例如月均消费满 ¥1000 为 A 类、满 ¥500 为 B 类。",
                "Fixed cut points, e.g. ¥1000 a month or more is A, ¥500 or more B.",
            ),
            vec![
                range("a_min", 0.0, None, 100.0, NONE, *a_min),
                range("b_min", 0.0, None, 100.0, NONE, *b_min),
                range("c_min", 0.0, None, 100.0, NONE, c_min.unwrap_or(THRESHOLDS_C_MIN)),
            ],
        ),
        Method::RfmScores { bins, a_min, b_min } => (
            Text::new(
                "最近消费（R）、消费频次（F）、消费金额（M）各打 1–5 分，按总分分层。",
                "Recency (R), frequency (F) and spend (M) scored 1–5 each; tiers by the total.",
            ),
            vec![
                range("bins", 3.0, Some(5.0), 1.0, NONE, f64::from(*bins)),
                range("a_min", 4.0, Some(15.0), 1.0, POINTS, f64::from(*a_min)),
                range("b_min", 3.0, Some(14.0), 1.0, POINTS, f64::from(*b_min)),
            ],
        ),
        Method::RfmCube { .. } => {
            let CubeBasis::Fixed { r_days, f, m_yuan } = FIXED_CUBE_BASIS else { unreachable!() };
            (
                Text::new(
                    "R、F、M 各分高低，组合成 8 类客户（重要价值客户、重要挽留客户…），每类对应一个层级。",
                    "R, F and M each high or low make 8 customer types (important value, important to win back…), each with a tier.",
                ),
                vec![
                    range("basis.r_days", 0.0, None, 1.0, DAYS, r_days),
                    range("basis.f", 0.0, None, 1.0, ORDERS, f),
                    range("basis.m_yuan", 0.0, None, 50.0, YUAN, m_yuan),
                ],
            )
        }
        Method::RfmSegments { .. } => (
            Text::new(
                "按 R/F/M 分数区间划入冠军客户、忠诚客户、有流失风险客户等细分群组，先匹配的规则生效。",
                "R/F/M score ranges put customers into Champions, Loyal Customers, At Risk and other segments; the first matching rule wins.",
            ),
            vec![range("score", 1.0, Some(5.0), 1.0, NONE, 1.0)],
        ),
        Method::Composite { weights, a_min, b_min } => (
            Text::new(
                "把消费金额、频次、最近消费（和互动次数、回购节奏）加权成 0–100 分，按分数分层。",
                "Spend, frequency, recency (and interactions, purchase rhythm) weighted into a 0–100 score; tiers by the score.",
            ),
            vec![
                range("weights.value", 0.0, Some(1.0), 0.05, NONE, weights.value),
                range("weights.frequency", 0.0, Some(1.0), 0.05, NONE, weights.frequency),
                range("weights.recency", 0.0, Some(1.0), 0.05, NONE, weights.recency),
                range("weights.interactions", 0.0, Some(1.0), 0.05, NONE, weights.interactions),
                // The overdue ratio of the purchase rhythm (docs/rhythm.md); 0 by default.
                range("weights.rhythm", 0.0, Some(1.0), 0.05, NONE, weights.rhythm()),
                range("a_min", 1.0, Some(100.0), 1.0, POINTS, *a_min),
                range("b_min", 0.0, Some(99.0), 1.0, POINTS, *b_min),
            ],
        ),
    };
    MethodInfo { name: default.name(), description, default, params }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `method` with the parameter at `key` (dotted path) set to `value`; the cube's basis
    /// parameters switch the basis to fixed first.
    fn with_param(method: &Method, key: &str, value: f64) -> Method {
        let mut json = serde_json::to_value(method).unwrap();
        if key.starts_with("basis.") {
            json["basis"] = serde_json::to_value(FIXED_CUBE_BASIS).unwrap();
        }
        let mut slot = &mut json;
        for part in key.split('.') {
            slot = &mut slot[part];
        }
        // Integers stay integers so that `bins: u8` and the score cut points deserialize.
        *slot = if value.fract() == 0.0 { serde_json::json!(value as i64) } else { serde_json::json!(value) };
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_eight_methods_come_in_picker_order_with_their_names_and_valid_defaults() {
        let cat = catalogue();
        let kinds: Vec<String> = cat.methods.iter().map(|m| method_kind(&m.default)).collect();
        assert_eq!(
            kinds,
            [
                "abc_revenue",
                "abc_customers",
                "thresholds",
                "rfm_scores",
                "rfm_cube",
                "rfm_segments",
                "composite",
                "abc_profit"
            ]
        );
        for m in &cat.methods {
            m.default.validate().unwrap();
            assert_eq!(m.name, m.default.name());
            assert_eq!(method_default(&method_kind(&m.default)), Some(m.default.clone()));
        }
    }

    #[test]
    fn every_default_lies_on_its_range_and_one_step_outside_a_bound_is_refused() {
        for m in catalogue().methods {
            for p in m.params.iter().filter(|p| p.key != "score") {
                let at_default = with_param(&m.default, &p.key, p.default);
                at_default.validate().unwrap_or_else(|e| panic!("{} {}: {e}", m.name.en, p.key));
                assert!(p.default >= p.min && p.max.is_none_or(|max| p.default <= max), "{} {}", m.name.en, p.key);
                let steps = (p.default - p.min) / p.step;
                assert!((steps - steps.round()).abs() < 1e-9, "{} {} off the step grid", m.name.en, p.key);
                let below = with_param(&m.default, &p.key, p.min - p.step);
                assert!(below.validate().is_err(), "{} {} below {} accepted", m.name.en, p.key, p.min);
                // Weights are normalized: any non-negative value works, 0–1 is the slider's span.
                if let (Some(max), false) = (p.max, p.key.starts_with("weights.")) {
                    let above = with_param(&m.default, &p.key, max + p.step);
                    assert!(above.validate().is_err(), "{} {} above {max} accepted", m.name.en, p.key);
                }
            }
        }
    }

    #[test]
    fn segments_cover_every_default_tier_with_names_in_both_languages() {
        let cat = catalogue();
        assert_eq!(cat.cube_types.len(), 8);
        let names: Vec<&str> = cat.segments.iter().map(|s| s.name.as_str()).collect();
        for (segment, tier) in &cat.segment_tiers {
            let info = cat.segments.iter().find(|s| &s.name == segment).unwrap_or_else(|| panic!("{segment}"));
            assert_eq!(info.tier, *tier, "{segment}");
            assert_eq!(Some(info.text.clone()), segment_text(segment));
        }
        assert_eq!(names.len(), cat.segment_tiers.len(), "{names:?}");
        assert_eq!(names.last(), Some(&OTHERS));
        let top = &cat.cube_types[0];
        assert_eq!((top.r_high, top.f_high, top.m_high, top.tier), (true, true, true, Tier::A));
    }

    #[test]
    fn every_error_code_is_listed_once_with_its_words() {
        let cat = catalogue();
        let codes: Vec<ErrorCode> = cat.errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, ErrorCode::ALL);
        assert!(codes.contains(&ErrorCode::Encrypted) && codes.contains(&ErrorCode::Internal));
    }
}

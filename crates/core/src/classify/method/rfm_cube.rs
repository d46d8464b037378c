//! The RFM 8-type cube (RFM 八类客户): R, F and M each high or low against the mean, the median
//! or set values; the eight combinations are the segments of `segments::CUBE`, whose tiers come
//! from `ClassifyParams::segment_tiers`. The gap is the next step up: more spend when M is low,
//! more orders when F is low, any order when only R is low.
//!
//! The engine also uses [`mean_types`] for every customer's `rfm_type`, whatever the method.

use crate::classify::base::Base;
use crate::classify::rule::{invalid, Context, Decision, Explain, MethodRule, Outcome};
use crate::classify::segments::{segment_label, CUBE};
use crate::classify::types::{CubeBasis, Method};
use crate::classify::wording::{push_dec1, push_yuan, threshold, Both, DAYS, ORDERS, YUAN};
use crate::error::Result;
use crate::model::Text;

/// The default: high and low against the mean.
pub(crate) fn default_method() -> Method {
    Method::RfmCube { basis: CubeBasis::Mean }
}

/// Position in [`CUBE`] of the type with these high/low flags.
fn cube_index(r_high: bool, f_high: bool, m_high: bool) -> usize {
    match (r_high, f_high, m_high) {
        (true, true, true) => 0,
        (true, false, true) => 1,
        (false, true, true) => 2,
        (false, false, true) => 3,
        (true, true, false) => 4,
        (true, false, false) => 5,
        (false, true, false) => 6,
        (false, false, false) => 7,
    }
}

/// The flags of the type at `index` in [`CUBE`]: (R high, F high, M high).
fn cube_flags(index: usize) -> (bool, bool, bool) {
    match index {
        0 => (true, true, true),
        1 => (true, false, true),
        2 => (false, true, true),
        3 => (false, false, true),
        4 => (true, true, false),
        5 => (true, false, false),
        6 => (false, true, false),
        _ => (false, false, false),
    }
}

/// The eight RFM cube types in display order: (canonical name, R high, F high, M high).
pub fn cube_types() -> Vec<(&'static str, bool, bool, bool)> {
    CUBE.iter()
        .enumerate()
        .map(|(i, (zh, _, _))| {
            let (r, f, m) = cube_flags(i);
            (*zh, r, f, m)
        })
        .collect()
}

/// Where the high/low line of one cube dimension sits.
#[derive(Clone, Copy, Debug)]
enum Line {
    /// Compared exactly in integers: `v·n` against the sum.
    Mean { sum: i128, n: i128 },
    /// Strict comparison against the median.
    Median(f64),
    /// Inclusive comparison against a user's value (R ≤ r_days, F ≥ f, M ≥ m).
    Fixed(f64),
}

impl Line {
    fn value(self) -> f64 {
        match self {
            Line::Mean { sum, n } => sum as f64 / n as f64,
            Line::Median(v) | Line::Fixed(v) => v,
        }
    }

    /// F and M: is `v` high?
    fn high(self, v: i64) -> bool {
        match self {
            Line::Mean { sum, n } => i128::from(v) * n > sum,
            Line::Median(m) => (v as f64) > m,
            Line::Fixed(t) => (v as f64) >= t,
        }
    }

    /// R: is a recency of `v` days recent (high)?
    fn recent(self, v: i64) -> bool {
        match self {
            Line::Mean { sum, n } => i128::from(v) * n < sum,
            Line::Median(m) => (v as f64) < m,
            Line::Fixed(t) => (v as f64) <= t,
        }
    }

    /// F and M: the smallest integer that is high.
    fn min_high(self) -> i64 {
        match self {
            Line::Mean { sum, n } => (sum.div_euclid(n) + 1).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
            Line::Median(m) => (m.floor() as i64).saturating_add(1),
            Line::Fixed(t) => t.ceil() as i64,
        }
    }
}

/// The three lines of one basis.
struct CubeLines {
    r: Line,
    f: Line,
    m: Line,
    /// "均值" / "mean" …
    label: (&'static str, &'static str),
}

impl CubeLines {
    fn new(base: &Base, basis: &CubeBasis) -> Self {
        let n = base.n() as i128;
        let sum = |v: &[i64]| v.iter().map(|&x| i128::from(x)).sum::<i128>();
        match basis {
            CubeBasis::Mean => CubeLines {
                r: Line::Mean { sum: sum(&base.sorted_r), n },
                f: Line::Mean { sum: sum(&base.sorted_f), n },
                m: Line::Mean { sum: sum(&base.sorted_m), n },
                label: ("均值", "mean"),
            },
            CubeBasis::Median => CubeLines {
                r: Line::Median(median(&base.sorted_r)),
                f: Line::Median(median(&base.sorted_f)),
                m: Line::Median(median(&base.sorted_m)),
                label: ("中位数", "median"),
            },
            CubeBasis::Fixed { r_days, f, m_yuan } => CubeLines {
                r: Line::Fixed(*r_days),
                f: Line::Fixed(*f),
                m: Line::Fixed((m_yuan * 100.0).round()),
                label: ("设定值", "set value"),
            },
        }
    }

    /// The type (position in [`CUBE`]) of every customer.
    fn types(&self, base: &Base) -> Vec<u16> {
        (0..base.n())
            .map(|i| {
                let c = &base.customers[i];
                cube_index(self.r.recent(base.recency[i]), self.f.high(i64::from(c.orders)), self.m.high(c.revenue))
                    as u16
            })
            .collect()
    }
}

fn median(sorted: &[i64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted[n / 2] as f64,
        _ => (sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0,
    }
}

/// Every customer's type on the mean basis (position in [`CUBE`]).
pub(crate) fn mean_types(base: &Base) -> Vec<u8> {
    CubeLines::new(base, &CubeBasis::Mean).types(base).into_iter().map(|t| t as u8).collect()
}

/// The method with its parameters.
pub(crate) struct RfmCube {
    pub basis: CubeBasis,
}

impl MethodRule for RfmCube {
    fn name(&self) -> Text {
        Text::new("RFM 八类客户", "RFM 8-type cube")
    }

    fn validate(&self) -> Result<()> {
        if let CubeBasis::Fixed { r_days, f, m_yuan } = self.basis {
            if ![r_days, f, m_yuan].iter().all(|v| v.is_finite() && *v >= 0.0) {
                return invalid(format!(
                    "RFM 八类的固定基准必须是不小于 0 的数字，现在是 R = {r_days} 天、F = {f} 单、M = ¥{m_yuan}。"
                ));
            }
        }
        Ok(())
    }

    fn decide<'a>(&'a self, ctx: &Context<'a>) -> Decision<'a> {
        let base = ctx.base;
        let lines = CubeLines::new(base, &self.basis);
        let labels: Vec<_> = CUBE.iter().map(|(zh, _, _)| segment_label(ctx.params, zh)).collect();
        // The engine's mean types are this method's on the mean.
        let seg: Vec<u16> = if matches!(self.basis, CubeBasis::Mean) {
            ctx.rfm_type.iter().map(|&t| u16::from(t)).collect()
        } else {
            lines.types(base)
        };
        let mut outcome = Outcome::tiers(seg.iter().map(|&s| labels[usize::from(s)].tier).collect());
        outcome.segment = Some(seg);
        outcome.labels = labels;
        let (zh_b, en_b) = lines.label;
        let (r_cmp, fm_cmp) = if matches!(self.basis, CubeBasis::Fixed { .. }) { ("≤", "≥") } else { ("<", ">") };
        outcome.thresholds = vec![
            threshold(
                format!("R 高：最近购买天数 {r_cmp} {zh_b}"),
                format!("R high: days since last order {r_cmp} {en_b}"),
                lines.r.value(),
                DAYS,
            ),
            threshold(
                format!("F 高：购买次数 {fm_cmp} {zh_b}"),
                format!("F high: orders {fm_cmp} {en_b}"),
                lines.f.value(),
                ORDERS,
            ),
            threshold(
                format!("M 高：累计消费 {fm_cmp} {zh_b}"),
                format!("M high: net spend {fm_cmp} {en_b}"),
                lines.m.value() / 100.0,
                YUAN,
            ),
        ];
        outcome.notes.push(Text::new(
            format!("R、F、M 各与{zh_b}比较分高低：R 高 = 最近购买天数 {r_cmp} {zh_b}，F 高 = 购买次数 {fm_cmp} {zh_b}，M 高 = 累计消费 {fm_cmp} {zh_b}；三者组合成 8 类客户。"),
            format!("R, F and M are high or low against the {en_b}: R high = days since last order {r_cmp} {en_b}, F high = orders {fm_cmp} {en_b}, M high = spend {fm_cmp} {en_b}; the combinations give 8 types."),
        ));
        Decision { outcome, explain: Box::new(Wording::new(base, lines)) }
    }
}

struct Wording<'a> {
    base: &'a Base<'a>,
    lines: CubeLines,
    /// The basis wording after recency, orders and spend: the same for every customer.
    after_r: Text,
    after_f: Text,
    after_m: Text,
}

impl<'a> Wording<'a> {
    fn new(base: &'a Base<'a>, lines: CubeLines) -> Self {
        let basis = lines.label;
        let after_r = basis_fragment((" 天前（", " days ago ("), basis, &dec1(lines.r.value()), (" 天），", "), "));
        let after_f = basis_fragment((" 单（", " orders ("), basis, &dec1(lines.f.value()), ("），累计 ", "), "));
        let yuan = lines.m.value().round() as i64;
        let after_m = basis_fragment(("（", " spent ("), basis, &yuan_text(yuan), ("）→ ", ") → "));
        Wording { base, lines, after_r, after_f, after_m }
    }
}

impl Explain for Wording<'_> {
    fn explain(&self, d: &Outcome, i: usize, reason: &mut Text, gap: &mut Text) -> bool {
        let lines = &self.lines;
        let c = &self.base.customers[i];
        let seg = d.segment.as_ref().map_or(0, |s| usize::from(s[i]));
        let label = &d.labels[seg];
        Both(reason)
            .words("最近一次购买在 ", "Last order ")
            .int(self.base.recency[i])
            .words(&self.after_r.zh, &self.after_r.en)
            .int(i64::from(c.orders))
            .words(&self.after_f.zh, &self.after_f.en)
            .yuan(c.revenue)
            .words(&self.after_m.zh, &self.after_m.en)
            .words(&label.zh, &label.en);

        // The next step up: more spend if M is low, more orders if F is low, any order if only R is low.
        let (r_high, f_high, m_high) = cube_flags(seg);
        let orders = i64::from(c.orders);
        let recent_after = lines.r.recent(0);
        let (target, spend, more_orders) = if !m_high {
            let spend = lines.m.min_high().saturating_sub(c.revenue).max(1);
            (cube_index(recent_after, lines.f.high(orders + 1), true), Some(spend), 1)
        } else if !f_high {
            let more = lines.f.min_high().saturating_sub(orders).max(1);
            (cube_index(recent_after, true, true), None, more)
        } else if !r_high {
            (cube_index(recent_after, true, true), None, 1)
        } else {
            return false;
        };
        if target == seg {
            return false;
        }
        let to = &d.labels[target];
        let gap = &mut Both(gap);
        match spend {
            Some(cents) => gap.words("再消费 ", "Spend ").yuan_ceil(cents).words(" 升至", " more to become "),
            None => {
                let en = if more_orders == 1 { " more order to become " } else { " more orders to become " };
                gap.words("再下 ", "Place ").int(more_orders).words(" 单升至", en)
            }
        }
        .words(&to.zh, &to.en);
        true
    }
}

/// `open basis value close` in both languages, e.g. " 天前（均值 63.2 天），" / " days ago (mean 63.2), ".
fn basis_fragment(open: (&str, &str), basis: (&str, &str), value: &str, close: (&str, &str)) -> Text {
    let mut text = Text::default();
    Both(&mut text)
        .words(open.0, open.1)
        .words(basis.0, basis.1)
        .words(" ", " ")
        .words(value, value)
        .words(close.0, close.1);
    text
}

fn dec1(v: f64) -> String {
    let mut s = String::new();
    push_dec1(&mut s, v);
    s
}

fn yuan_text(cents: i64) -> String {
    let mut s = String::new();
    push_yuan(&mut s, cents);
    s
}

//! RFM scores: R, F and M each scored 1..=`bins` by quantiles (the shared scores of `base`, at
//! this method's bins), tier by the total: ≥ `a_min` A, ≥ `b_min` B, else C. The gap is one more
//! order and, when that is not enough, what it must be worth.

use crate::classify::base::Base;
use crate::classify::rule::{invalid, tier_at_least, Context, Decision, Explain, MethodRule, Outcome};
use crate::classify::types::Method;
use crate::classify::wording::{push_next_order_gap, push_orders_gap, threshold, Both, POINTS};
use crate::error::Result;
use crate::model::{Text, Tier};

/// Default total-score cut points for `bins` (3, 4 or 5): (A from, B from) = (7, 5), (10, 7),
/// (12, 8) — roughly the top fifth and the next third.
pub fn rfm_score_defaults(bins: u8) -> (u32, u32) {
    match bins {
        3 => (7, 5),
        4 => (10, 7),
        _ => (12, 8),
    }
}

/// The default: five bins and their default cut points.
pub(crate) fn default_method() -> Method {
    let (a_min, b_min) = rfm_score_defaults(5);
    Method::RfmScores { bins: 5, a_min, b_min }
}

/// The method with its parameters.
pub(crate) struct RfmScores {
    pub bins: u8,
    pub a_min: u32,
    pub b_min: u32,
}

impl MethodRule for RfmScores {
    fn name(&self) -> Text {
        Text::new("RFM 评分", "RFM scores")
    }

    fn validate(&self) -> Result<()> {
        let RfmScores { bins, a_min, b_min } = *self;
        if !(3..=5).contains(&bins) {
            return invalid(format!("RFM 评分的档数只能是 3、4 或 5，现在是 {bins}。"));
        }
        let max = 3 * u32::from(bins);
        if !(b_min >= 3 && b_min < a_min && a_min <= max) {
            return invalid(format!(
                "RFM 总分门槛应满足 3 ≤ B 类门槛 < A 类门槛 ≤ {max}（{bins} 档时总分为 3–{max}），现在是 A = {a_min}、B = {b_min}。"
            ));
        }
        Ok(())
    }

    fn score_bins(&self) -> u8 {
        self.bins
    }

    fn decide<'a>(&'a self, ctx: &Context<'a>) -> Decision<'a> {
        let RfmScores { bins, a_min, b_min } = *self;
        let base = ctx.base;
        let tier = base.rfm.iter().map(|&s| tier_at_least(total(s), a_min, b_min)).collect();
        let mut outcome = Outcome::tiers(tier);
        outcome.thresholds = base.score_thresholds();
        outcome.thresholds.push(threshold("A 类：总分 ≥", "Tier A: total score ≥", f64::from(a_min), POINTS));
        outcome.thresholds.push(threshold("B 类：总分 ≥", "Tier B: total score ≥", f64::from(b_min), POINTS));
        if base.own_cut_thresholds().is_empty() {
            outcome.notes.push(quantile_note(bins, a_min, b_min));
        } else {
            outcome.notes.push(Text::new(
                format!("R、F、M 各打 1–{bins} 分：给了自定义分界值的维度按分界值（R ≤ 分界值、F/M ≥ 分界值即达到该档，见阈值表），其余按 {bins} 分位。总分 ≥ {a_min} 为 A 类，≥ {b_min} 为 B 类，其余为 C 类。"),
                format!("R, F and M each score 1–{bins}: a dimension with own cut points by them (R ≤ cut, F/M ≥ cut reaches that score; see the thresholds), the others by {bins}-quantiles. Total ≥ {a_min} is A, ≥ {b_min} B, else C."),
            ));
        }
        Decision { outcome, explain: Box::new(Wording { base, a_min, b_min }) }
    }
}

/// How the method scored and cut when every dimension is scored by quantiles.
fn quantile_note(bins: u8, a_min: u32, b_min: u32) -> Text {
    Text::new(
            format!("R、F、M 各按 {bins} 分位打 1–{bins} 分：分数 = 1 + 取值严格高于的分位点个数（R 为严格低于，越近越高），相同取值得分相同。总分 ≥ {a_min} 为 A 类，≥ {b_min} 为 B 类，其余为 C 类。"),
            format!("R, F and M each score 1–{bins} by {bins}-quantiles: score = 1 + cut points the value is strictly above (R: strictly below — recent is high); equal values score equally. Total ≥ {a_min} is A, ≥ {b_min} B, else C."),
        )
}

fn total(s: [u8; 3]) -> u32 {
    u32::from(s[0]) + u32::from(s[1]) + u32::from(s[2])
}

struct Wording<'a> {
    base: &'a Base<'a>,
    a_min: u32,
    b_min: u32,
}

impl Explain for Wording<'_> {
    fn explain(&self, d: &Outcome, i: usize, r: &mut Text, gap: &mut Text) -> bool {
        let (base, a_min, b_min) = (self.base, self.a_min, self.b_min);
        let tier = d.tier[i];
        let c = &base.customers[i];
        let (cmp_zh, cmp_en, limit) = match tier {
            Tier::A => ("（≥", " (≥", a_min),
            Tier::B => ("（≥", " (≥", b_min),
            _ => ("（<", " (<", b_min),
        };
        Both(r)
            .scores(base.rfm[i])
            .words("，总分 ", ", total ")
            .int(i64::from(total(base.rfm[i])))
            .words(cmp_zh, cmp_en)
            .int(i64::from(limit))
            .words(" 为 ", " is ")
            .tier(tier)
            .words("）：最近一次购买在 ", "): last order ")
            .int(base.recency[i])
            .words(" 天前，共 ", " days ago, ")
            .int(i64::from(c.orders))
            .words(" 单，累计 ", " orders, ")
            .yuan(c.revenue)
            .words("", " spent");

        // One more order: recency becomes 0 and F grows by one; how much must it be worth?
        let (target, need_total) = match tier {
            Tier::A => return false,
            Tier::B => (Tier::A, a_min),
            _ => (Tier::B, b_min),
        };
        let cuts = &base.cuts;
        let r_after = u32::from(cuts[0].score_after_move(0));
        let f_after = u32::from(cuts[1].score_after_move(i64::from(c.orders) + 1));
        let m_now = u32::from(cuts[2].score_after_move(c.revenue.saturating_add(1)));
        if r_after + f_after + m_now >= need_total {
            push_orders_gap(gap, 1, target);
            return true;
        }
        let need_m = need_total.saturating_sub(r_after + f_after);
        match u8::try_from(need_m).ok().and_then(|m| cuts[2].min_value_for(m)) {
            Some(v) => {
                push_next_order_gap(gap, v.saturating_sub(c.revenue), target);
                true
            }
            None => false,
        }
    }
}

//! ABC by profit: the Pareto cut of ABC by revenue on each customer's net profit (revenue minus the
//! cost of what they bought, `Customer::profit`) instead of their revenue — 根据企业的利润额构成.
//! Customers by profit, highest first (ties by key); A while the cumulative share of the total
//! profit before them is below `a_pct`%, B below `b_pct`%, C after. Only positive profit counts
//! towards the total: a customer with no profit, a loss or an unknown cost is C. Without any known
//! cost `classify` refuses the method (`Error::NoCost`, with what to add).

use crate::classify::base::Base;
use crate::classify::rule::{invalid, is_percent, Context, Decision, Explain, MethodRule, Outcome};
use crate::classify::types::Method;
use crate::classify::wording::{threshold, Both, PCT, YUAN};
use crate::error::Result;
use crate::model::{Text, Tier};

/// The same cut points as ABC by revenue.
pub(crate) fn default_method() -> Method {
    Method::AbcProfit { a_pct: 80.0, b_pct: 95.0 }
}

/// The method with its parameters (percentages 0–100).
pub(crate) struct AbcProfit {
    pub a_pct: f64,
    pub b_pct: f64,
}

/// Profit of customer `i` for ranking: unknown counts as none.
fn profit(base: &Base, i: usize) -> i64 {
    base.customers[i].profit.unwrap_or(0)
}

/// The tiers, each customer's cumulative share (0–1) and the lowest profit of A and B.
struct Pass {
    tier: Vec<Tier>,
    cum_share: Vec<f64>,
    last_a: Option<usize>,
    last_b: Option<usize>,
    total: i64,
}

fn pass(base: &Base, a_pct: f64, b_pct: f64) -> Pass {
    let n = base.n();
    let total: i64 = (0..n).map(|i| profit(base, i).max(0)).fold(0, i64::saturating_add);
    let (mut tier, mut cum_share) = (vec![Tier::C; n], vec![0.0; n]);
    let (mut last_a, mut last_b, mut cum) = (None, None, 0i64);
    for i in base.by_profit().iter().map(|&i| i as usize) {
        let p = profit(base, i);
        if p <= 0 || total <= 0 {
            continue;
        }
        let before = cum as f64 * 100.0;
        cum = cum.saturating_add(p);
        cum_share[i] = cum as f64 / total as f64;
        if before < a_pct * total as f64 {
            tier[i] = Tier::A;
            last_a = Some(i);
        } else if before < b_pct * total as f64 {
            tier[i] = Tier::B;
            last_b = Some(i);
        }
    }
    Pass { tier, cum_share, last_a, last_b, total }
}

impl MethodRule for AbcProfit {
    fn name(&self) -> Text {
        Text::new("ABC 分类（按利润贡献）", "ABC by profit (Pareto)")
    }

    fn validate(&self) -> Result<()> {
        let AbcProfit { a_pct, b_pct } = *self;
        if !(is_percent(a_pct) && is_percent(b_pct) && a_pct > 0.0 && a_pct < b_pct) {
            return invalid(format!(
                "ABC（按利润）的分界点应满足 0 < A 类累计占比 < B 类累计占比 ≤ 100，现在是 A = {a_pct}、B = {b_pct}。请调整为例如 80 和 95。"
            ));
        }
        Ok(())
    }

    fn decide<'a>(&'a self, ctx: &Context<'a>) -> Decision<'a> {
        let AbcProfit { a_pct, b_pct } = *self;
        let base = ctx.base;
        let p = pass(base, a_pct, b_pct);
        let mut outcome = Outcome::tiers(p.tier.clone());
        let lowest = |last: Option<usize>| last.map_or(0.0, |i| profit(base, i) as f64 / 100.0);
        outcome.thresholds = vec![
            threshold("A 类：累计利润占比上限", "Tier A: cumulative profit share up to", a_pct, PCT),
            threshold("B 类：累计利润占比上限", "Tier B: cumulative profit share up to", b_pct, PCT),
            threshold("A 类最低毛利", "Lowest profit in tier A", lowest(p.last_a), YUAN),
            threshold("B 类最低毛利", "Lowest profit in tier B", lowest(p.last_b), YUAN),
        ];
        outcome.notes.push(Text::new(
            format!("毛利 = 消费金额 − 所购商品成本。按毛利从高到低排序（相同按客户编号），累计毛利占比达到 {a_pct}% 之前的客户为 A 类（跨过分界线的那一位也算 A 类），其后到 {b_pct}% 为 B 类，其余为 C 类；毛利不为正的客户为 C 类。"),
            format!("Profit = revenue − the cost of the goods bought. Customers by profit, high to low (ties by key); A while the cumulative profit share before the customer is below {a_pct}% (the customer crossing the line is A), then B up to {b_pct}%, C for the rest; customers without a positive profit are C."),
        ));
        let unknown = base.customers.iter().filter(|c| c.profit.is_none()).count();
        if unknown > 0 {
            outcome.notes.push(Text::new(
                format!("{unknown} 位客户买过成本未知的商品，按毛利 0 计入 C 类；补全成本表后重新分层。"),
                format!("{unknown} customers bought products of unknown cost; they count with no profit (tier C). Complete the cost table and classify again."),
            ));
        }
        Decision { outcome, explain: Box::new(Wording { base, pass: p }) }
    }
}

struct Wording<'a> {
    base: &'a Base<'a>,
    pass: Pass,
}

impl Explain for Wording<'_> {
    fn explain(&self, d: &Outcome, i: usize, r: &mut Text, gap: &mut Text) -> bool {
        let c = &self.base.customers[i];
        let Some(profit) = c.profit else {
            Both(r).words(
                "所购商品成本未知，按利润无法排进 A/B 类",
                "Cost of the goods bought unknown: not ranked by profit",
            );
            return false;
        };
        Both(r)
            .words("毛利 ", "Profit ")
            .yuan(profit)
            .words("（累计利润占比 ", " (cumulative profit share ")
            .pct(self.pass.cum_share[i])
            .words("）", ")");
        let boundary = match d.tier[i] {
            Tier::B => self.pass.last_a.map(|b| (b, Tier::A)),
            Tier::C if self.pass.total > 0 => self.pass.last_b.or(self.pass.last_a).map(|b| (b, d.tier[b])),
            _ => None,
        };
        let Some((b, target)) = boundary else { return false };
        let them = self.base.customers[b].profit.unwrap_or(0);
        let more = them.saturating_sub(profit).saturating_add(i64::from(c.key >= self.base.customers[b].key)).max(1);
        Both(gap).words("再多 ", "").yuan_ceil(more).words(" 毛利升至 ", " more profit to reach ").tier(target);
        true
    }
}

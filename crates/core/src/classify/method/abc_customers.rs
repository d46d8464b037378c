//! ABC by customer share: the top `a_pct`% of customers by spend are A, the next `b_pct`% B, the
//! rest C; customers with no net spend go to C or to their own group D. The gap is the spend that
//! overtakes the lowest customer of the tier above.

use crate::classify::base::Base;
use crate::classify::rule::{invalid, is_percent, Context, Decision, Explain, MethodRule, Outcome};
use crate::classify::types::{Method, ZeroRevenue};
use crate::classify::wording::{push_spend_gap, threshold, tier_en, tier_zh, Both, CUSTOMERS, PCT, YUAN};
use crate::error::Result;
use crate::model::{Text, Tier};

/// The default: the top fifth A, the next 30% B, zero spend in C.
pub(crate) fn default_method() -> Method {
    Method::AbcCustomers { a_pct: 20.0, b_pct: 30.0, zero_revenue: ZeroRevenue::C }
}

/// The method with its parameters (percentages 0–100).
pub(crate) struct AbcCustomers {
    pub a_pct: f64,
    pub b_pct: f64,
    pub zero_revenue: ZeroRevenue,
}

impl MethodRule for AbcCustomers {
    fn name(&self) -> Text {
        Text::new("ABC 分类（按客户数比例）", "ABC by customer share")
    }

    fn validate(&self) -> Result<()> {
        let (a_pct, b_pct) = (self.a_pct, self.b_pct);
        if !(is_percent(a_pct) && is_percent(b_pct) && a_pct > 0.0 && a_pct + b_pct <= 100.0) {
            return invalid(format!(
                "ABC（按客户数）的比例应满足 A 类比例 > 0、B 类比例 ≥ 0 且两者之和不超过 100，现在是 A = {a_pct}、B = {b_pct}。请调整为例如 20 和 30。"
            ));
        }
        Ok(())
    }

    fn decide<'a>(&'a self, ctx: &Context<'a>) -> Decision<'a> {
        let AbcCustomers { a_pct, b_pct, zero_revenue } = *self;
        let base = ctx.base;
        let customers = base.customers;
        let n = base.n();
        let n_a = ((n as f64) * a_pct / 100.0).round() as usize;
        let n_ab = (((n as f64) * (a_pct + b_pct) / 100.0).round() as usize).max(n_a);
        let mut positions = vec![0; n];
        let mut tier = vec![Tier::C; n];
        let zero_tier = match zero_revenue {
            ZeroRevenue::C => Tier::C,
            ZeroRevenue::D => Tier::D,
        };
        let (mut min_a, mut min_b) = (None, None);
        let (mut last_a, mut last_b) = (None, None);
        for (p, &i) in base.by_revenue.iter().enumerate() {
            let i = i as usize;
            positions[i] = p as u32;
            let rev = customers[i].revenue;
            tier[i] = if rev <= 0 {
                zero_tier
            } else if p < n_a {
                min_a = Some(rev);
                last_a = Some(i);
                Tier::A
            } else if p < n_ab {
                min_b = Some(rev);
                last_b = Some(i);
                Tier::B
            } else {
                Tier::C
            };
        }
        let mut outcome = Outcome::tiers(tier);
        outcome.four_tiers = zero_revenue == ZeroRevenue::D;
        outcome.thresholds = vec![
            threshold("A 类：消费额排名前", "Tier A: top share of customers by spend", a_pct, PCT),
            threshold("B 类：其后", "Tier B: the next share of customers", b_pct, PCT),
            threshold("A 类人数", "Customers in tier A", n_a as f64, CUSTOMERS),
            threshold("B 类人数（上限）", "Customers in tier B (at most)", (n_ab - n_a) as f64, CUSTOMERS),
            threshold("A 类最低累计消费", "Lowest spend in tier A", min_a.unwrap_or(0) as f64 / 100.0, YUAN),
            threshold("B 类最低累计消费", "Lowest spend in tier B", min_b.unwrap_or(0) as f64 / 100.0, YUAN),
        ];
        outcome.notes.push(Text::new(
            format!("按累计消费从高到低排序（金额相同按客户编号），前 {a_pct}% 的客户（四舍五入为 {n_a} 人）为 A 类，其后 {b_pct}% 为 B 类，其余为 C 类；消费为 0 的客户归入{}。", tier_zh(zero_tier)),
            format!("Customers sorted by spend, high to low (ties by key); the top {a_pct}% ({n_a} customers, rounded) are A, the next {b_pct}% B, the rest C; customers with no spend go to {}.", tier_en(zero_tier)),
        ));
        let explain = Box::new(Wording { base, a_pct, b_pct, positions, last_a, last_b });
        Decision { outcome, explain }
    }
}

struct Wording<'a> {
    base: &'a Base<'a>,
    a_pct: f64,
    b_pct: f64,
    /// Each customer's place in the revenue order, 0-based.
    positions: Vec<u32>,
    /// The lowest customer of A and of B.
    last_a: Option<usize>,
    last_b: Option<usize>,
}

impl Explain for Wording<'_> {
    fn explain(&self, d: &Outcome, i: usize, reason: &mut Text, gap: &mut Text) -> bool {
        let (a_pct, b_pct) = (self.a_pct, self.b_pct);
        let c = &self.base.customers[i];
        let n = self.base.n();
        let tier = d.tier[i];
        let r = &mut Both(reason);
        if c.revenue <= 0 {
            r.words("退款后消费为 ", "No net spend (")
                .yuan(c.revenue)
                .words("，零消费客户归入 ", " after refunds): customers with no spend go to ")
                .tier(tier);
            return false;
        }
        let pos = self.positions[i] as usize;
        r.words("消费额排名第 ", "Ranked ")
            .int(pos as i64 + 1)
            .words("/", " of ")
            .int(n as i64)
            .words("（前 ", " by spend (top ")
            .pct((pos + 1) as f64 / n as f64);
        match tier {
            Tier::A => {
                r.words("），前 ", "); the top ").dec1(a_pct).words("% 的客户为 A 类", "% of customers are tier A")
            }
            Tier::B => r
                .words("），", "); ")
                .dec1(a_pct)
                .words("%–", "%–")
                .dec1(a_pct + b_pct)
                .words("% 为 B 类", "% are tier B"),
            _ => r.words("），", "); after ").dec1(a_pct + b_pct).words("% 之后为 C 类", "% is tier C"),
        };
        // The lowest customer of the tier above: overtaking them swaps places with them.
        // An empty B (b_pct = 0) sends C customers to the lowest A instead.
        let boundary = match tier {
            Tier::B => self.last_a,
            Tier::C => self.last_b.or(self.last_a),
            _ => return false,
        };
        match boundary {
            Some(b) => {
                push_spend_gap(gap, self.base.overtake(i, b), d.tier[b]);
                true
            }
            None => false,
        }
    }
}

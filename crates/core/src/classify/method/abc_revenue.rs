//! ABC by revenue (Pareto): customers sorted by spend, A while the cumulative share before them is
//! below `a_pct`%, B while below `b_pct`%, C after. The customer who crosses the A line is A
//! (DESIGN §5.1). The gap is the spend that overtakes the lowest customer of the tier above.

use crate::classify::base::{AbcPass, Base};
use crate::classify::rule::{invalid, is_percent, Context, Decision, Explain, MethodRule, Outcome};
use crate::classify::types::Method;
use crate::classify::wording::{push_spend_gap, threshold, Both, PCT, YUAN};
use crate::error::Result;
use crate::model::{Text, Tier};

/// The default: the 80/20 rule's 80% and the customary 95%.
pub(crate) fn default_method() -> Method {
    Method::AbcRevenue { a_pct: 80.0, b_pct: 95.0 }
}

/// The method with its parameters (percentages 0–100).
pub(crate) struct AbcRevenue {
    pub a_pct: f64,
    pub b_pct: f64,
}

/// A while the cumulative share *before* the customer is below `a_pct` (so the customer that
/// crosses the line is A, per DESIGN), B while below `b_pct`, C after; nobody is A or B when the
/// total revenue is not positive. The engine runs this at 80/95 for every method's `abc` column.
pub(crate) fn pass(base: &Base, a_pct: f64, b_pct: f64) -> AbcPass {
    let n = base.n();
    let mut tier = vec![Tier::C; n];
    let mut cum_share = vec![0.0; n];
    let (mut last_a, mut last_b) = (None, None);
    let total = base.total as f64;
    let mut cum: i64 = 0;
    for &i in &base.by_revenue {
        let i = i as usize;
        let before = cum as f64 * 100.0;
        cum = cum.saturating_add(base.customers[i].revenue);
        if base.total > 0 {
            cum_share[i] = cum as f64 / total;
            if before < a_pct * total {
                tier[i] = Tier::A;
                last_a = Some(i);
            } else if before < b_pct * total {
                tier[i] = Tier::B;
                last_b = Some(i);
            }
        }
    }
    AbcPass { tier, cum_share, last_a, last_b }
}

impl MethodRule for AbcRevenue {
    fn name(&self) -> Text {
        Text::new("ABC 分类（按销售额贡献）", "ABC by revenue (Pareto)")
    }

    fn validate(&self) -> Result<()> {
        let AbcRevenue { a_pct, b_pct } = *self;
        if !(is_percent(a_pct) && is_percent(b_pct) && a_pct > 0.0 && a_pct < b_pct) {
            return invalid(format!(
                "ABC（按销售额）的分界点应满足 0 < A 类累计占比 < B 类累计占比 ≤ 100，现在是 A = {a_pct}、B = {b_pct}。请调整为例如 80 和 95。"
            ));
        }
        Ok(())
    }

    fn decide<'a>(&'a self, ctx: &Context<'a>) -> Decision<'a> {
        let AbcRevenue { a_pct, b_pct } = *self;
        let base = ctx.base;
        // The engine's 80/95 pass is this method's at its default cut points.
        let own = (a_pct != 80.0 || b_pct != 95.0).then(|| pass(base, a_pct, b_pct));
        let explain =
            Box::new(Wording { base, pass: PassRef::new(own, ctx.abc), a_pct, fixed: fixed_words(a_pct, b_pct) });
        let p = explain.pass.get();
        let mut outcome = Outcome::tiers(p.tier.clone());
        let lowest = |last: Option<usize>| last.map_or(0.0, |i| base.customers[i].revenue as f64 / 100.0);
        outcome.thresholds = vec![
            threshold("A 类：累计销售额占比上限", "Tier A: cumulative revenue share up to", a_pct, PCT),
            threshold("B 类：累计销售额占比上限", "Tier B: cumulative revenue share up to", b_pct, PCT),
            threshold("A 类最低累计消费", "Lowest spend in tier A", lowest(p.last_a), YUAN),
            threshold("B 类最低累计消费", "Lowest spend in tier B", lowest(p.last_b), YUAN),
        ];
        outcome.notes.push(Text::new(
            format!("按累计消费从高到低排序（金额相同按客户编号），累计占比达到 {a_pct}% 之前的客户为 A 类，跨过 {a_pct}% 分界线的那一位客户也算 A 类；其后到 {b_pct}% 为 B 类，其余为 C 类。"),
            format!("Customers sorted by spend, high to low (ties by key); A while the cumulative share before the customer is below {a_pct}% — the customer who crosses the line is A — then B up to {b_pct}%, C for the rest."),
        ));
        if base.total <= 0 {
            outcome.notes.push(Text::new(
                "总销售额不大于 0，无法按贡献分 A/B 类，所有客户归为 C 类。",
                "Total revenue is not positive; nobody can be A or B by contribution, every customer is C.",
            ));
        }
        Decision { outcome, explain }
    }
}

/// This method's own pass, or the engine's 80/95 one.
enum PassRef<'a> {
    Own(AbcPass),
    Shared(&'a AbcPass),
}

impl<'a> PassRef<'a> {
    fn new(own: Option<AbcPass>, shared: &'a AbcPass) -> Self {
        own.map_or(PassRef::Shared(shared), PassRef::Own)
    }

    fn get(&self) -> &AbcPass {
        match self {
            PassRef::Own(p) => p,
            PassRef::Shared(p) => p,
        }
    }
}

/// Where a customer stands, which decides the words between the amount and the share.
#[derive(Clone, Copy)]
enum Standing {
    A,
    /// A by the rule that the customer crossing the A line is A.
    CrossingA,
    B,
    C,
}

/// The words between the amount and the share, per [`Standing`]: the same for every customer of
/// a standing, so they are written once per call.
fn fixed_words(a_pct: f64, b_pct: f64) -> [Text; 4] {
    [Standing::A, Standing::CrossingA, Standing::B, Standing::C].map(|standing| {
        let mut text = Text::default();
        let m = &mut Both(&mut text);
        match standing {
            Standing::A => m
                .words("，占总销售额前 ", ", within the first ")
                .dec1(a_pct)
                .words("%（累计 ", "% of revenue (cumulative "),
            Standing::CrossingA => m
                .words("，跨过前 ", ", crossing the first ")
                .dec1(a_pct)
                .words("% 分界线，按规则计入 A 类（累计 ", "% line, counted in tier A by rule (cumulative "),
            Standing::B => m
                .words("，位于总销售额累计 ", ", within cumulative revenue ")
                .dec1(a_pct)
                .words("%–", "%–")
                .dec1(b_pct)
                .words("% 区间（累计 ", "% (cumulative "),
            Standing::C => m
                .words("，位于总销售额累计 ", ", after cumulative revenue ")
                .dec1(b_pct)
                .words("% 之后（累计 ", "% (cumulative "),
        };
        text
    })
}

struct Wording<'a> {
    base: &'a Base<'a>,
    pass: PassRef<'a>,
    a_pct: f64,
    /// Indexed by [`Standing`].
    fixed: [Text; 4],
}

impl Explain for Wording<'_> {
    fn explain(&self, d: &Outcome, i: usize, r: &mut Text, gap: &mut Text) -> bool {
        let pass = self.pass.get();
        let c = &self.base.customers[i];
        let share = pass.cum_share[i];
        let tier = d.tier[i];
        let standing = match tier {
            Tier::A if share * 100.0 > self.a_pct => Standing::CrossingA,
            Tier::A => Standing::A,
            Tier::B => Standing::B,
            _ => Standing::C,
        };
        let fixed = &self.fixed[standing as usize];
        Both(r).words("累计消费 ", "Spent ").yuan(c.revenue).words(&fixed.zh, &fixed.en).pct(share).words("）", ")");
        let boundary = match tier {
            Tier::B => pass.last_a.map(|b| (b, Tier::A)),
            Tier::C if self.base.total > 0 => pass.last_b.or(pass.last_a).map(|b| (b, d.tier[b])),
            _ => None,
        };
        match boundary {
            Some((b, target)) => {
                push_spend_gap(gap, self.base.overtake(i, b), target);
                true
            }
            None => false,
        }
    }
}

//! RFM named segments (Champions, At Risk …): R, F and M scored 1–5 by quintiles, rules tried in
//! order, the first match decides the segment, no match is Others; the segment's tier comes from
//! `ClassifyParams::segment_tiers`. No gap: a segment is a description, not a ladder.

use crate::classify::base::Base;
use crate::classify::rule::{invalid, Context, Decision, Explain, MethodRule, Outcome};
use crate::classify::segments::{segment_label, OTHERS};
use crate::classify::types::{Method, SegmentRule};
use crate::classify::wording::Both;
use crate::error::Result;
use crate::model::Text;

/// An inclusive score range, (from, to).
type Range = (u8, u8);

/// The default rules as data: (segment, R range, F range, M range), evaluated in order.
///
/// Source: the `rfm` R package (Hebbali, CRAN), `rfm_segment()` example rule table, with two
/// documented changes so that every segment can actually be reached under first-match-wins:
/// the narrow rules New Customers and Promising come before the broad Potential Loyalist that
/// contains them, and Can't Lose Them comes before At Risk. Putler's widely cited 11-segment table
/// adds Hibernating: Lost becomes the lowest box only (R 1, F 1, M 1, Putler's "lowest recency,
/// frequency and monetary scores") and Hibernating takes the rest of the package's Lost box
/// (R 1–2, F 1–2, M 1–2) last. Scores no rule covers are Others.
const DEFAULT_RULES: [(&str, Range, Range, Range); 11] = [
    ("Champions", (4, 5), (4, 5), (4, 5)),
    ("Loyal Customers", (2, 5), (3, 5), (3, 5)),
    ("New Customers", (4, 5), (1, 1), (1, 1)),
    ("Promising", (3, 4), (1, 1), (1, 1)),
    ("Potential Loyalist", (3, 5), (1, 3), (1, 3)),
    ("Need Attention", (2, 3), (2, 3), (2, 3)),
    ("About To Sleep", (2, 3), (1, 2), (1, 2)),
    ("Can't Lose Them", (1, 1), (4, 5), (4, 5)),
    ("At Risk", (1, 2), (2, 5), (2, 5)),
    ("Lost", (1, 1), (1, 1), (1, 1)),
    ("Hibernating", (1, 2), (1, 2), (1, 2)),
];

/// The default named-segment rules, evaluated in order (first match wins); see `DEFAULT_RULES`
/// for where they come from and the two changes that make every segment reachable.
pub fn default_segment_rules() -> Vec<SegmentRule> {
    DEFAULT_RULES.iter().map(|&(segment, r, f, m)| SegmentRule { segment: segment.to_string(), r, f, m }).collect()
}

/// The default: the default rules.
pub(crate) fn default_method() -> Method {
    Method::RfmSegments { rules: default_segment_rules() }
}

/// The method with its rules.
pub(crate) struct RfmSegments<'m> {
    pub rules: &'m [SegmentRule],
}

fn rule_matches(rule: &SegmentRule, s: &[u8; 3]) -> bool {
    let within = |(lo, hi): (u8, u8), v: u8| lo <= v && v <= hi;
    within(rule.r, s[0]) && within(rule.f, s[1]) && within(rule.m, s[2])
}

impl MethodRule for RfmSegments<'_> {
    fn name(&self) -> Text {
        Text::new("RFM 命名分群", "RFM named segments")
    }

    fn validate(&self) -> Result<()> {
        if self.rules.is_empty() {
            return invalid("RFM 命名分群的规则表是空的。请至少保留一条规则，或恢复默认规则。".to_string());
        }
        for (i, rule) in self.rules.iter().enumerate() {
            let range_ok = |(lo, hi): (u8, u8)| (1..=5).contains(&lo) && (1..=5).contains(&hi) && lo <= hi;
            if rule.segment.trim().is_empty() {
                return invalid(format!("RFM 命名分群第 {} 条规则没有分群名称。", i + 1));
            }
            if !(range_ok(rule.r) && range_ok(rule.f) && range_ok(rule.m)) {
                return invalid(format!(
                    "RFM 命名分群第 {} 条规则“{}”的分数范围无效：每个范围都应在 1–5 之间且下限不大于上限（现在 R {}–{}、F {}–{}、M {}–{}）。",
                    i + 1,
                    rule.segment,
                    rule.r.0,
                    rule.r.1,
                    rule.f.0,
                    rule.f.1,
                    rule.m.0,
                    rule.m.1
                ));
            }
        }
        Ok(())
    }

    fn decide<'a>(&'a self, ctx: &Context<'a>) -> Decision<'a> {
        let base = ctx.base;
        let rules = self.rules;
        // Segments in order of first appearance (several rules may name one segment), Others last
        // unless a rule names it.
        let mut names: Vec<&str> = Vec::new();
        let mut rule_segment: Vec<u16> = Vec::with_capacity(rules.len());
        for r in rules {
            let name = r.segment.trim();
            let idx = names.iter().position(|n| *n == name).unwrap_or_else(|| {
                names.push(name);
                names.len() - 1
            });
            rule_segment.push(idx as u16);
        }
        let others = names.iter().position(|n| *n == OTHERS).unwrap_or_else(|| {
            names.push(OTHERS);
            names.len() - 1
        }) as u16;
        let labels: Vec<_> = names.iter().map(|n| segment_label(ctx.params, n)).collect();
        let rule_of: Vec<u16> = base
            .rfm
            .iter()
            .map(|s| rules.iter().position(|r| rule_matches(r, s)).map_or(u16::MAX, |p| p as u16))
            .collect();
        let seg: Vec<u16> =
            rule_of.iter().map(|&r| rule_segment.get(usize::from(r)).copied().unwrap_or(others)).collect();
        let mut outcome = Outcome::tiers(seg.iter().map(|&s| labels[usize::from(s)].tier).collect());
        outcome.segment = Some(seg);
        outcome.labels = labels;
        outcome.thresholds = base.score_thresholds();
        outcome.notes.push(Text::new(
            "R、F、M 各按五分位打 1–5 分，按规则表从上到下匹配，第一条命中的规则决定分群，都不命中为“其他”。",
            "R, F and M each score 1–5 by quintiles; rules are tried top to bottom, the first match decides the segment, no match is Others.",
        ));
        Decision { outcome, explain: Box::new(Wording { base, rules, rule_of }) }
    }
}

struct Wording<'a> {
    base: &'a Base<'a>,
    rules: &'a [SegmentRule],
    /// The rule each customer matched (`u16::MAX`: none).
    rule_of: Vec<u16>,
}

impl Explain for Wording<'_> {
    fn explain(&self, d: &Outcome, i: usize, reason: &mut Text, _gap: &mut Text) -> bool {
        let seg = d.segment.as_ref().map_or(0, |s| usize::from(s[i]));
        let label = &d.labels[seg];
        let r = &mut Both(reason);
        r.scores(self.base.rfm[i]);
        match self.rules.get(usize::from(self.rule_of[i])) {
            Some(rule) => {
                r.words(" 符合“", " matches ").words(&label.zh, &label.en).words("”规则（", " (");
                for (k, (letter, (lo, hi))) in [("R", rule.r), ("F", rule.f), ("M", rule.m)].into_iter().enumerate() {
                    if k > 0 {
                        r.words("，", ", ");
                    }
                    r.words(letter, letter).words(" ", " ").int(i64::from(lo)).words("–", "–").int(i64::from(hi));
                }
                r.words("）", ")");
            }
            None => {
                r.words(" 不符合任何规则，归为“", " matches no rule: ").words(&label.zh, &label.en).words("”", "");
            }
        }
        r.words("，", ", ").tier(label.tier);
        false
    }
}

//! Segment vocabularies: the Chinese RFM 8-type cube and the English named-segment scheme, their
//! display names in both languages, default rules and default tiers.

use std::collections::BTreeMap;

use super::SegmentRule;
use crate::model::{Text, Tier};

/// The eight RFM types in display order, with their English names and default tiers.
/// Index bits: R high = 4, F high = 2, M high = 1 (see [`cube_index`]).
pub(super) const CUBE: [(&str, &str, Tier); 8] = [
    ("重要价值客户", "Important value", Tier::A),
    ("重要发展客户", "Important to develop", Tier::B),
    ("重要保持客户", "Important to keep", Tier::A),
    ("重要挽留客户", "Important to win back", Tier::B),
    ("一般价值客户", "General value", Tier::B),
    ("一般发展客户", "General to develop", Tier::C),
    ("一般保持客户", "General to keep", Tier::C),
    ("一般挽留客户", "General to win back", Tier::C),
];

/// Position in [`CUBE`] of the type with these high/low flags.
pub(super) fn cube_index(r_high: bool, f_high: bool, m_high: bool) -> usize {
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
pub(super) fn cube_flags(index: usize) -> (bool, bool, bool) {
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

/// The name of customers no named-segment rule matches.
pub const OTHERS: &str = "Others";

/// English named segments with their Chinese names and default tiers.
const NAMED: [(&str, &str, Tier); 12] = [
    ("Champions", "冠军客户", Tier::A),
    ("Loyal Customers", "忠诚客户", Tier::A),
    ("Potential Loyalist", "潜在忠诚客户", Tier::B),
    ("New Customers", "新客户", Tier::B),
    ("Promising", "有潜力客户", Tier::B),
    ("Need Attention", "需要关注客户", Tier::B),
    ("About To Sleep", "即将沉睡客户", Tier::C),
    ("At Risk", "有流失风险客户", Tier::B),
    ("Can't Lose Them", "不能失去的客户", Tier::A),
    ("Hibernating", "休眠客户", Tier::C),
    ("Lost", "已流失客户", Tier::C),
    (OTHERS, "其他", Tier::C),
];

/// The default named-segment rules, evaluated in order (first match wins).
///
/// Source: the `rfm` R package (Hebbali, CRAN), `rfm_segment()` example rule table, with two
/// documented changes so that every segment can actually be reached under first-match-wins:
/// the narrow rules New Customers and Promising come before the broad Potential Loyalist that
/// contains them, and Can't Lose Them comes before At Risk. Putler's widely cited 11-segment table
/// adds Hibernating: Lost becomes the lowest box only (R 1, F 1, M 1, Putler's "lowest recency,
/// frequency and monetary scores") and Hibernating takes the rest of the package's Lost box
/// (R 1–2, F 1–2, M 1–2) last. Scores no rule covers are Others.
pub fn default_segment_rules() -> Vec<SegmentRule> {
    let rule =
        |segment: &str, r: (u8, u8), f: (u8, u8), m: (u8, u8)| SegmentRule { segment: segment.to_string(), r, f, m };
    vec![
        rule("Champions", (4, 5), (4, 5), (4, 5)),
        rule("Loyal Customers", (2, 5), (3, 5), (3, 5)),
        rule("New Customers", (4, 5), (1, 1), (1, 1)),
        rule("Promising", (3, 4), (1, 1), (1, 1)),
        rule("Potential Loyalist", (3, 5), (1, 3), (1, 3)),
        rule("Need Attention", (2, 3), (2, 3), (2, 3)),
        rule("About To Sleep", (2, 3), (1, 2), (1, 2)),
        rule("Can't Lose Them", (1, 1), (4, 5), (4, 5)),
        rule("At Risk", (1, 2), (2, 5), (2, 5)),
        rule("Lost", (1, 1), (1, 1), (1, 1)),
        rule("Hibernating", (1, 2), (1, 2), (1, 2)),
    ]
}

/// The built-in tier of a segment (canonical name), if it is one TierBook knows.
pub fn default_segment_tier(segment: &str) -> Option<Tier> {
    CUBE.iter()
        .find(|(zh, _, _)| *zh == segment)
        .map(|(_, _, t)| *t)
        .or_else(|| NAMED.iter().find(|(en, _, _)| *en == segment).map(|(_, _, t)| *t))
}

/// Segment → tier for every built-in segment: 重要价值/重要保持 → A, 重要发展/重要挽留/一般价值 → B,
/// the other 8-types → C; Champions, Loyal Customers, Can't Lose Them → A; Potential Loyalist, New
/// Customers, Promising, Need Attention, At Risk → B; About To Sleep, Hibernating, Lost, Others → C.
pub fn default_segment_tiers() -> BTreeMap<String, Tier> {
    CUBE.iter()
        .map(|(zh, _, t)| (zh.to_string(), *t))
        .chain(NAMED.iter().map(|(en, _, t)| (en.to_string(), *t)))
        .collect()
}

/// Both-language names of a built-in segment (`重要价值客户` → "Important value",
/// `Champions` → 冠军客户); `None` for a name TierBook does not know (a user's own segment).
pub fn segment_text(segment: &str) -> Option<Text> {
    if let Some((zh, en, _)) = CUBE.iter().find(|(zh, _, _)| *zh == segment) {
        return Some(Text::new(*zh, *en));
    }
    NAMED.iter().find(|(en, _, _)| *en == segment).map(|(en, zh, _)| Text::new(*zh, *en))
}

/// The canonical name of a built-in segment given any of its built-in names in either language
/// (`冠军客户` → `Champions`, `Important value` → `重要价值客户`), plus the renames DESIGN names
/// (`流失客户` → `一般挽留客户`). `新客户` resolves to `New Customers`.
pub fn canonical_segment(name: &str) -> Option<&'static str> {
    if let Some((zh, _, _)) = CUBE.iter().find(|(zh, en, _)| *zh == name || en.eq_ignore_ascii_case(name)) {
        return Some(zh);
    }
    if let Some((en, _, _)) = NAMED.iter().find(|(en, zh, _)| *zh == name || en.eq_ignore_ascii_case(name)) {
        return Some(en);
    }
    match name {
        "流失客户" => Some("一般挽留客户"),
        "其它" => Some(OTHERS),
        _ => None,
    }
}

//! Segment vocabularies: the Chinese RFM 8-type cube and the English named-segment scheme, their
//! display names in both languages and default tiers, and a segment's label as a run shows it.
//!
//! Below the method files: the cube and named-segment methods, the engine's 8-type column and the
//! export all read the same two tables.

use std::collections::BTreeMap;

use super::types::ClassifyParams;
use crate::model::{Text, Tier};

/// The eight RFM types in display order, with their English names and default tiers.
/// The RFM-cube method file maps high/low flags to a position (`rfm_cube::cube_index`).
pub(crate) const CUBE: [(&str, &str, Tier); 8] = [
    ("重要价值客户", "Important value", Tier::A),
    ("重要发展客户", "Important to develop", Tier::B),
    ("重要保持客户", "Important to keep", Tier::A),
    ("重要挽留客户", "Important to win back", Tier::B),
    ("一般价值客户", "General value", Tier::B),
    ("一般发展客户", "General to develop", Tier::C),
    ("一般保持客户", "General to keep", Tier::C),
    ("一般挽留客户", "General to win back", Tier::C),
];

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

/// Names of one segment as a run shows it: the stored display name, the zh / en wording in
/// reasons, and the tier it gives.
pub(crate) struct SegmentLabel {
    pub display: String,
    pub zh: String,
    pub en: String,
    pub tier: Tier,
}

/// The label of segment `canonical` under `params`' renames and segment tiers.
pub(crate) fn segment_label(params: &ClassifyParams, canonical: &str) -> SegmentLabel {
    let renamed = params.segment_names.get(canonical).filter(|s| !s.trim().is_empty());
    let builtin = segment_text(canonical);
    let (zh, en) = match (renamed, &builtin) {
        (Some(r), _) => (r.clone(), r.clone()),
        (None, Some(t)) => (t.zh.clone(), t.en.clone()),
        (None, None) => (canonical.to_string(), canonical.to_string()),
    };
    let tier =
        params.segment_tiers.get(canonical).copied().or_else(|| default_segment_tier(canonical)).unwrap_or(Tier::C);
    SegmentLabel { display: renamed.cloned().unwrap_or_else(|| canonical.to_string()), zh, en, tier }
}

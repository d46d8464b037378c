//! Campaigns: customers marked as contacted (a name, a date, a channel, an optional cost per
//! contact), a reproducible random holdout that is deliberately not contacted, and the report that
//! compares the two groups after later imports.
//!
//! Pure: who belongs to a campaign (`audience_keys`, `split_holdout`) and what the orders after the
//! campaign date say (`report`). Storing campaigns and reading their members' orders is
//! `store::campaigns`; nothing here reads the clock or the workspace.
//!
//! The rules, in one place (docs/cli.md repeats them for users):
//! - The holdout is `round(members × share)` customers chosen by a seeded hash of each key
//!   (`holdout_rank`): the same keys, share and seed always give the same holdout, whatever order
//!   the keys came in. At least one customer is always contacted.
//! - A member "ordered again" when they have a valid order placed on one of the `window_days` days
//!   after the campaign date (day 1 = the day after the campaign date; orders on the campaign day
//!   itself may have come before the contact and do not count). Orders count as in the customer list
//!   (`order_count`), revenue is net of refunds.
//! - Uplift = contacted repurchase rate − holdout repurchase rate, in percentage points.
//! - Cost = contacted customers × cost per contact. Return on cost = contacted revenue ÷ cost;
//!   incremental return = (contacted revenue − holdout revenue per customer × contacted customers) ÷ cost.
//! - "Too small to tell" when either group has fewer than [`MIN_GROUP`] customers; otherwise the
//!   difference of the two repurchase rates is called clear when a two-proportion z-test gives
//!   |z| ≥ 1.96 (about 95 % confidence), else "not clear".

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::classify::Classification;
use crate::error::{Error, Result};
use crate::model::{Cents, Customer, Text, Tier};

/// Below this many customers in either group the report says the groups are too small to tell.
pub const MIN_GROUP: u64 = 30;

/// |z| at or above this (two-sided, about 95 %) makes a difference in repurchase rate "clear".
pub const Z_CLEAR: f64 = 1.96;

/// Days after the campaign date the report looks at, unless the user chooses another window.
pub const DEFAULT_WINDOW_DAYS: u32 = 30;

/// The largest holdout share accepted (someone must be contacted).
pub const MAX_HOLDOUT_SHARE: f64 = 0.9;

/// What the user fills in to create a campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CampaignSpec {
    /// The campaign's name, e.g. "双12回访".
    pub name: String,
    /// The day the customers were contacted.
    pub date: NaiveDate,
    /// How they were contacted, e.g. "企业微信", "短信".
    pub channel: String,
    /// Cost per contacted customer in fen (e.g. a ¥20 coupon = 2000), when there is one.
    pub cost_per_contact: Option<Cents>,
    /// Share of the members held out (not contacted), 0 to 0.9; 0 = no holdout.
    pub holdout_share: f64,
    /// The seed of the holdout draw, stored so that the draw can be repeated.
    pub seed: u32,
    /// Who was chosen, in words (e.g. "A类", "重要价值客户", "3 位选中的客户").
    pub audience: String,
}

/// A stored campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Campaign {
    /// The campaign's id in the workspace.
    pub id: i64,
    /// What the user filled in.
    pub spec: CampaignSpec,
    /// Members marked as contacted.
    pub contacted: u64,
    /// Members held out.
    pub holdout: u64,
}

/// One customer of a campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Member {
    /// The customer's key.
    pub key: String,
    /// True when the customer was held out (deliberately not contacted).
    pub holdout: bool,
}

/// Whom a campaign is for, before the holdout is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Audience {
    /// Customers by key: one, a selection, or a contact list.
    Keys(Vec<String>),
    /// Every customer of a tier in the classification.
    Tier(Tier),
    /// Every customer whose segment or RFM type has this (display) name.
    Segment(String),
}

impl Audience {
    /// The audience in words, for the campaign's `audience` field.
    pub fn describe(&self, keys: usize) -> String {
        match self {
            Audience::Keys(_) if keys == 1 => "1 位客户".to_string(),
            Audience::Keys(_) => format!("{keys} 位选中的客户"),
            Audience::Tier(t) => t.label(crate::model::Lang::Zh),
            Audience::Segment(s) => s.clone(),
        }
    }
}

/// The keys an audience stands for, sorted and without repeats. Keys are taken as given (the
/// store refuses those it does not know); a tier or segment is looked up in `classification` of
/// `customers` (same indexes).
///
/// # Errors
/// `InvalidParams` when the audience is empty (no key given, nobody in that tier or segment).
pub fn audience_keys(
    audience: &Audience,
    customers: &[Customer],
    classification: &Classification,
) -> Result<Vec<String>> {
    let picked: BTreeSet<String> = match audience {
        Audience::Keys(keys) => keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()).map(str::to_string).collect(),
        Audience::Tier(tier) => customers
            .iter()
            .zip(&classification.assignments)
            .filter(|(_, a)| a.tier == *tier)
            .map(|(c, _)| c.key.clone())
            .collect(),
        Audience::Segment(name) => customers
            .iter()
            .zip(&classification.assignments)
            .filter(|(_, a)| a.segment.as_deref() == Some(name.as_str()) || *a.rfm_type == **name)
            .map(|(c, _)| c.key.clone())
            .collect(),
    };
    if picked.is_empty() {
        let what = match audience {
            Audience::Keys(_) => "没有给出任何客户".to_string(),
            Audience::Tier(t) => format!("{}没有客户", t.label(crate::model::Lang::Zh)),
            Audience::Segment(s) => format!("群组“{s}”没有客户"),
        };
        return Err(Error::InvalidParams(format!("{what}，无法创建活动。请换一个分层、群组或选择客户后再试。")));
    }
    Ok(picked.into_iter().collect())
}

/// Checks what the user filled in.
///
/// # Errors
/// `InvalidParams` with what to change: an empty name, a holdout share outside 0–0.9, a negative cost.
pub fn validate(spec: &CampaignSpec) -> Result<()> {
    if spec.name.trim().is_empty() {
        return Err(Error::InvalidParams("活动名称不能为空，请填写一个名称（如“双12回访”）。".into()));
    }
    if !(0.0..=MAX_HOLDOUT_SHARE).contains(&spec.holdout_share) || spec.holdout_share.is_nan() {
        return Err(Error::InvalidParams(format!(
            "对照组比例 {} 不在 0 到 0.9 之间。请填写如 0.1 或 0.2（即 10% 或 20%）。",
            spec.holdout_share
        )));
    }
    if spec.cost_per_contact.is_some_and(|c| c < 0) {
        return Err(Error::InvalidParams("每位客户的成本不能为负数。".into()));
    }
    Ok(())
}

/// A key's place in the seeded draw: splitmix64 over the seed mixed with the key's FNV-1a hash.
/// Depends only on the key and the seed, so the draw is reproducible and order-independent.
pub fn holdout_rank(seed: u32, key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = u64::from(seed) ^ h;
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed used when the user gives none: a hash of the campaign's name and date, so that two
/// campaigns on the same customers hold out different people while each stays reproducible.
pub fn default_seed(name: &str, date: NaiveDate) -> u32 {
    (holdout_rank(0, &format!("{}|{date}", name.trim())) >> 32) as u32
}

/// Splits `keys` (sorted, without repeats) into contacted and holdout members: the
/// `round(len × share)` keys of lowest `holdout_rank` are held out, at most `len − 1` of them.
/// Members come back sorted by key.
pub fn split_holdout(keys: &[String], share: f64, seed: u32) -> Vec<Member> {
    let n = keys.len();
    let wanted = ((n as f64) * share).round() as usize;
    let held = wanted.min(n.saturating_sub(1));
    let mut ranked: Vec<(u64, &String)> = keys.iter().map(|k| (holdout_rank(seed, k), k)).collect();
    ranked.sort();
    let holdout: BTreeSet<&String> = ranked.iter().take(held).map(|(_, k)| *k).collect();
    let mut members: Vec<Member> =
        keys.iter().map(|k| Member { key: k.clone(), holdout: holdout.contains(k) }).collect();
    members.sort_by(|a, b| a.key.cmp(&b.key));
    members
}

/// One order of a member inside the report's window (what the store hands to `report`).
#[derive(Clone, Debug, PartialEq)]
pub struct WindowOrder {
    /// The member's key.
    pub key: String,
    /// Orders this row stands for (`Order::order_count`).
    pub orders: u32,
    /// Net revenue (paid − refund) in fen.
    pub net: Cents,
}

/// The figures of one group (contacted or holdout).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GroupResult {
    /// Customers in the group.
    pub customers: u64,
    /// Of them, how many ordered again in the window.
    pub buyers: u64,
    /// Their orders in the window.
    pub orders: u64,
    /// Their net revenue in the window, fen.
    pub revenue: Cents,
    /// buyers ÷ customers (0 for an empty group).
    pub repurchase_rate: f64,
    /// revenue ÷ customers, fen (0 for an empty group).
    pub revenue_per_customer: f64,
}

/// What the comparison of the two groups allows one to say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No holdout: there is nothing to compare with.
    NoHoldout,
    /// A group has fewer than [`MIN_GROUP`] customers.
    TooSmall,
    /// Enough customers, but the difference could be chance (|z| < 1.96).
    NotClear,
    /// Contacted customers came back clearly more often.
    Better,
    /// Contacted customers came back clearly less often.
    Worse,
}

/// The campaign report: contacted vs holdout over the window after the campaign date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CampaignReport {
    /// The campaign.
    pub campaign: Campaign,
    /// Days after the campaign date looked at.
    pub window_days: u32,
    /// First day of the window (the day after the campaign date).
    pub window_start: NaiveDate,
    /// Last day of the window.
    pub window_end: NaiveDate,
    /// The date of the latest order in the workspace, if any.
    pub data_until: Option<NaiveDate>,
    /// False while the imported orders do not reach the window's last day yet.
    pub window_complete: bool,
    /// The contacted customers.
    pub contacted: GroupResult,
    /// The holdout, when the campaign has one.
    pub holdout: Option<GroupResult>,
    /// Contacted minus holdout repurchase rate, in percentage points.
    pub uplift_points: Option<f64>,
    /// The two-proportion z statistic of that difference (None without a holdout or when undefined).
    pub z: Option<f64>,
    /// Contacted customers × cost per contact, fen.
    pub cost: Option<Cents>,
    /// Contacted revenue ÷ cost.
    pub return_on_cost: Option<f64>,
    /// Contacted revenue minus what they would have spent at the holdout's revenue per customer, fen.
    pub incremental_revenue: Option<f64>,
    /// Incremental revenue ÷ cost.
    pub incremental_return: Option<f64>,
    /// What can be said.
    pub verdict: Verdict,
    /// The verdict (and an unfinished window) in plain words.
    pub conclusion: Text,
}

fn group(members: &[Member], holdout: bool, orders: &[WindowOrder]) -> GroupResult {
    let keys: BTreeSet<&str> = members.iter().filter(|m| m.holdout == holdout).map(|m| m.key.as_str()).collect();
    let mut buyers = BTreeSet::new();
    let (mut count, mut revenue) = (0u64, 0 as Cents);
    for o in orders.iter().filter(|o| keys.contains(o.key.as_str())) {
        buyers.insert(o.key.as_str());
        count += u64::from(o.orders);
        revenue = revenue.saturating_add(o.net);
    }
    let customers = keys.len() as u64;
    let per = |x: f64| if customers == 0 { 0.0 } else { x / customers as f64 };
    GroupResult {
        customers,
        buyers: buyers.len() as u64,
        orders: count,
        revenue,
        repurchase_rate: per(buyers.len() as f64),
        revenue_per_customer: per(revenue as f64),
    }
}

/// Two-proportion z statistic (pooled standard error); `None` when it is undefined (an empty group,
/// or nobody / everybody bought in both groups).
pub fn two_proportion_z(buyers_a: u64, n_a: u64, buyers_b: u64, n_b: u64) -> Option<f64> {
    if n_a == 0 || n_b == 0 {
        return None;
    }
    let (na, nb) = (n_a as f64, n_b as f64);
    let pooled = (buyers_a + buyers_b) as f64 / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    if se == 0.0 {
        return None;
    }
    Some((buyers_a as f64 / na - buyers_b as f64 / nb) / se)
}

/// The window of a campaign: the `window_days` days after its date.
pub fn window(date: NaiveDate, window_days: u32) -> (NaiveDate, NaiveDate) {
    let start = date.checked_add_days(Days::new(1)).unwrap_or(date);
    let end = date.checked_add_days(Days::new(u64::from(window_days))).unwrap_or(date);
    (start, end)
}

/// The report of `campaign` from its `members` and their `orders` inside the window (the caller
/// filters by date; see `window`). `data_until` is the latest order date of the workspace.
///
/// # Errors
/// `InvalidParams` when `window_days` is 0 or over 3650.
pub fn report(
    campaign: &Campaign,
    members: &[Member],
    orders: &[WindowOrder],
    window_days: u32,
    data_until: Option<NaiveDate>,
) -> Result<CampaignReport> {
    if !(1..=3650).contains(&window_days) {
        return Err(Error::InvalidParams(format!(
            "观察天数 {window_days} 不在 1 到 3650 之间，请重新填写（默认 30 天）。"
        )));
    }
    let (window_start, window_end) = window(campaign.spec.date, window_days);
    let window_complete = data_until.is_some_and(|d| d >= window_end);
    let contacted = group(members, false, orders);
    let holdout = members.iter().any(|m| m.holdout).then(|| group(members, true, orders));
    let cost = campaign.spec.cost_per_contact.map(|c| c.saturating_mul(contacted.customers as Cents));
    let ratio = |x: f64| cost.filter(|&c| c > 0).map(|c| x / c as f64);
    let return_on_cost = ratio(contacted.revenue as f64);
    let (uplift_points, z, incremental_revenue) = match &holdout {
        Some(h) => (
            Some((contacted.repurchase_rate - h.repurchase_rate) * 100.0),
            two_proportion_z(contacted.buyers, contacted.customers, h.buyers, h.customers),
            Some(contacted.revenue as f64 - h.revenue_per_customer * contacted.customers as f64),
        ),
        None => (None, None, None),
    };
    let incremental_return = incremental_revenue.and_then(ratio);
    let verdict = match (&holdout, z) {
        (None, _) => Verdict::NoHoldout,
        (Some(h), _) if h.customers < MIN_GROUP || contacted.customers < MIN_GROUP => Verdict::TooSmall,
        (Some(_), Some(z)) if z >= Z_CLEAR => Verdict::Better,
        (Some(_), Some(z)) if z <= -Z_CLEAR => Verdict::Worse,
        _ => Verdict::NotClear,
    };
    let conclusion = conclusion(verdict, &contacted, holdout.as_ref(), window_complete, data_until, window_end);
    Ok(CampaignReport {
        campaign: campaign.clone(),
        window_days,
        window_start,
        window_end,
        data_until,
        window_complete,
        contacted,
        holdout,
        uplift_points,
        z,
        cost,
        return_on_cost,
        incremental_revenue,
        incremental_return,
        verdict,
        conclusion,
    })
}

fn conclusion(
    verdict: Verdict,
    contacted: &GroupResult,
    holdout: Option<&GroupResult>,
    complete: bool,
    data_until: Option<NaiveDate>,
    window_end: NaiveDate,
) -> Text {
    let pct = |r: f64| format!("{:.1}%", r * 100.0);
    let h_rate = holdout.map_or(0.0, |h| h.repurchase_rate);
    let (mut zh, mut en) = match verdict {
        Verdict::NoHoldout => (
            "这次活动没有留对照组，只能看到被联系客户的回购情况，无法判断有多少是活动带来的。下次可留 10%–20% 的对照组。".to_string(),
            "This campaign has no holdout: you see how contacted customers came back, not how much the campaign caused. Keep 10–20 % as a holdout next time.".to_string(),
        ),
        Verdict::TooSmall => (
            format!(
                "每组至少需要 {MIN_GROUP} 位客户才能判断效果（现在：联系 {} 位，对照 {} 位），差异可能只是偶然，仅供参考。",
                contacted.customers,
                holdout.map_or(0, |h| h.customers)
            ),
            format!(
                "Each group needs at least {MIN_GROUP} customers to tell (now: {} contacted, {} held out); the difference may be chance.",
                contacted.customers,
                holdout.map_or(0, |h| h.customers)
            ),
        ),
        Verdict::NotClear => (
            format!(
                "联系组回购率 {}，对照组 {}：差距还不足以排除偶然，暂时不能说活动有效或无效。",
                pct(contacted.repurchase_rate),
                pct(h_rate)
            ),
            format!(
                "Contacted came back at {}, the holdout at {}: the difference could still be chance.",
                pct(contacted.repurchase_rate),
                pct(h_rate)
            ),
        ),
        Verdict::Better => (
            format!("联系组回购率 {}，明显高于对照组的 {}：活动有效。", pct(contacted.repurchase_rate), pct(h_rate)),
            format!(
                "Contacted came back at {}, clearly more than the holdout's {}: the campaign worked.",
                pct(contacted.repurchase_rate),
                pct(h_rate)
            ),
        ),
        Verdict::Worse => (
            format!(
                "联系组回购率 {}，明显低于对照组的 {}：这次联系可能打扰了客户，建议换方式。",
                pct(contacted.repurchase_rate),
                pct(h_rate)
            ),
            format!(
                "Contacted came back at {}, clearly less than the holdout's {}: the contact may have put customers off.",
                pct(contacted.repurchase_rate),
                pct(h_rate)
            ),
        ),
    };
    if !complete {
        let until = data_until.map_or_else(|| "（还没有订单）".to_string(), |d| d.to_string());
        zh.push_str(&format!(
            "注意：观察期到 {window_end} 结束，目前订单只导入到 {until}，导入后续订单后结果还会变化。"
        ));
        en.push_str(&format!(
            " Note: the window ends on {window_end} and the orders imported so far reach {until}; import later orders for the full picture."
        ));
    }
    Text::new(zh, en)
}

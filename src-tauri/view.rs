//! View models: what the screens show, computed from the core's classification in one place so the UI
//! renders and never derives business figures itself.
//!
//! Everything here is a pure function of core data (customers, orders, classification, playbook);
//! no state, no IPC. Money leaves the shell in yuan (f64) for display, except the core's own DTOs
//! (GroupSummary, Order) which keep fen.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tierbook_core::classify::{self as charts, ParetoPoint, RfCell};
use tierbook_core::classify::{Assignment, Classification, ClassifyParams, GroupSummary, Threshold};
use tierbook_core::model::{yuan, Cents};
use tierbook_core::playbook::{self, Playbook, Suggestion};
use tierbook_core::rhythm::Rhythm;
use tierbook_core::{Customer, Order, Text, Tier};

/// Headline figures of the tiers screen.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Kpis {
    pub customers: u64,
    pub orders: u64,
    /// Net revenue, fen (as the core's GroupSummary).
    pub revenue: Cents,
    /// Average order value, fen.
    pub aov: Cents,
    /// Share of revenue from tier A customers, 0–1.
    pub a_revenue_share: f64,
    /// Share of customers in tier A, 0–1.
    pub a_customer_share: f64,
    /// Share of customers with two or more orders, 0–1.
    pub repeat_rate: f64,
    pub first_order: Option<NaiveDate>,
    pub last_order: Option<NaiveDate>,
}

/// Everything the tiers screen shows for one classification.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TierView {
    pub as_of: NaiveDate,
    pub params: ClassifyParams,
    pub thresholds: Vec<Threshold>,
    pub tiers: Vec<GroupSummary>,
    pub segments: Vec<GroupSummary>,
    pub notes: Vec<Text>,
    /// How the R/F/M scores had to fall back, whatever the method: the customer's details show them
    /// beside the scores (they are among `notes` too when the method tiers by the scores).
    pub score_notes: Vec<Text>,
    pub kpis: Kpis,
    /// At most ~200 points, from (0,0) to (1,1), with the points where the tier changes.
    pub pareto: Vec<ParetoPoint>,
    /// The 5×5 R×F cells (empty ones included); `rf_max` is the highest score in use.
    pub rf_matrix: Vec<RfCell>,
    pub rf_max: u8,
    /// The actions shown beside each tier and segment (the saved playbook).
    pub playbook: Playbook,
    /// Each tier's profit, when some customer's costs are known (empty otherwise).
    pub profits: Vec<tierbook_core::products::TierProfit>,
}

/// One line of the customers table (all customers; the table filters and sorts on the client).
/// It holds no reason or gap: the table shows neither, so a re-classification (tiers only) need not
/// write them for 100k rows; the drawer's `CustomerDetail` has them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CustomerRow {
    pub key: String,
    pub name: String,
    /// Masked (138****1234): the screen never needs the full number.
    pub phone: Option<String>,
    pub orders: u32,
    /// yuan
    pub revenue: f64,
    /// yuan
    pub aov: f64,
    pub first_order: NaiveDate,
    pub last_order: NaiveDate,
    pub recency_days: i64,
    pub r_score: u8,
    pub f_score: u8,
    pub m_score: u8,
    pub tier: Tier,
    pub segment: Option<String>,
    pub abc: Tier,
    pub rfm_type: String,
    pub score: Option<f64>,
    pub action: Text,
    pub channel: Text,
    pub priority: u8,
    pub next_contact: NaiveDate,
    /// Purchase rhythm (typical gap, expected next order, overdue ratio, state), when it has one.
    pub rhythm: Option<Rhythm>,
    /// The tier in the previous snapshot (`AppState::add_tier_history` fills the three below).
    pub previous_tier: Option<Tier>,
    /// The as-of date of the snapshot in which the tier last changed.
    pub tier_changed_on: Option<NaiveDate>,
    /// True when the previous tier was better (降级客户).
    pub dropped: bool,
}

/// The detail drawer of one customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CustomerDetail {
    pub row: CustomerRow,
    /// The customer's valid orders, newest first.
    pub orders: Vec<Order>,
    pub reason: Text,
    pub gap: Option<Text>,
    pub suggestion: Suggestion,
    /// The purchase rhythm in one sentence, e.g. "平均 30 天买一次（…），已 45 天未下单（1.5 倍），超出 15 天".
    pub rhythm_text: Option<Text>,
    /// Up to three products the customer spent most on (empty when the orders name no products).
    pub favourites: Vec<String>,
    /// The (first) product of the customer's latest order with products.
    pub last_product: Option<String>,
    /// Net profit in yuan, when the cost of everything the customer bought is known.
    pub profit: Option<f64>,
}

/// The settings a user edits; persisted between runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Settings {
    pub lang: tierbook_core::Lang,
    /// Method and parameters applied after every import.
    pub default_params: ClassifyParams,
    pub playbook: Playbook,
    pub status_rules: tierbook_core::orders::StatusRules,
    /// Canonical segment name → display name (e.g. 一般发展客户 → 新客户).
    pub segment_names: std::collections::BTreeMap<String, String>,
    /// Leave paid ¥0 orders (free gifts, 0 元试用) out of the next imports; by default they count as
    /// orders with ¥0 revenue (`ImportOptions::skip_zero_amount`).
    #[serde(default)]
    pub skip_zero_amount: bool,
}

/// Masks the middle of a phone number (13812341234 → 138****1234); already masked or short values
/// keep what they show.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    if chars.contains(&'*') || chars.len() < 7 {
        return chars.into_iter().collect();
    }
    let head: String = chars.iter().take(3).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head}****{tail}")
}

/// The tiers screen for `classification` of `customers`.
pub fn tier_view(customers: &[Customer], classification: &Classification, playbook: &Playbook) -> TierView {
    let rf_matrix = charts::rf_matrix(customers, &classification.assignments);
    let rf_max = rf_matrix.iter().filter(|c| c.customers > 0).map(|c| c.r.max(c.f)).max().unwrap_or(5);
    TierView {
        as_of: classification.as_of,
        params: classification.params.clone(),
        thresholds: classification.thresholds.clone(),
        tiers: classification.tiers.clone(),
        segments: classification.segments.clone(),
        notes: classification.notes.clone(),
        score_notes: classification.score_notes.clone(),
        kpis: kpis(customers, classification),
        pareto: charts::pareto(customers, Some(&classification.assignments), 200),
        rf_matrix,
        rf_max,
        playbook: playbook.clone(),
        profits: tierbook_core::products::tier_profits(customers, classification),
    }
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}

/// Revenue per order in whole fen (0 without orders).
fn per_order(revenue: Cents, orders: u64) -> Cents {
    if orders == 0 {
        0
    } else {
        (revenue as f64 / orders as f64).round() as Cents
    }
}

/// Headline figures; tier A's share comes from the classification's own summary.
pub fn kpis(customers: &[Customer], classification: &Classification) -> Kpis {
    let orders: u64 = customers.iter().map(|c| u64::from(c.orders)).sum();
    let revenue = tierbook_core::model::sum_cents(customers.iter().map(|c| c.revenue));
    let a = classification.tiers.iter().find(|g| g.group == Tier::A.letter());
    let repeat = customers.iter().filter(|c| c.orders >= 2).count();
    Kpis {
        customers: customers.len() as u64,
        orders,
        revenue,
        aov: per_order(revenue, orders),
        a_revenue_share: a.map_or(0.0, |g| g.revenue_share),
        a_customer_share: a.map_or(0.0, |g| g.customer_share),
        repeat_rate: share(repeat as f64, customers.len() as f64),
        first_order: customers.iter().map(|c| c.first_order).min(),
        last_order: customers.iter().map(|c| c.last_order).max(),
    }
}

/// The table rows of every customer, in the core's order (sorted by key).
pub fn customer_rows(customers: &[Customer], classification: &Classification, playbook: &Playbook) -> Vec<CustomerRow> {
    customers
        .iter()
        .zip(&classification.assignments)
        .enumerate()
        .map(|(index, (customer, a))| customer_row(customer, a, suggestion(playbook, classification, index, a)))
        .collect()
}

/// The playbook's suggestion, keeping the action of a segment the user renamed.
fn suggestion(playbook: &Playbook, classification: &Classification, index: usize, a: &Assignment) -> Suggestion {
    playbook::suggest_in(playbook, classification, index)
        .unwrap_or_else(|| playbook::suggest(playbook, a, classification.as_of))
}

fn customer_row(customer: &Customer, a: &Assignment, s: Suggestion) -> CustomerRow {
    CustomerRow {
        key: customer.key.clone(),
        name: customer.name.clone(),
        phone: customer.phone.as_deref().map(mask_phone),
        orders: customer.orders,
        revenue: yuan(customer.revenue),
        aov: yuan(customer.aov()),
        first_order: customer.first_order,
        last_order: customer.last_order,
        recency_days: a.recency_days,
        r_score: a.r_score,
        f_score: a.f_score,
        m_score: a.m_score,
        tier: a.tier,
        segment: a.segment.as_deref().map(str::to_string),
        abc: a.abc,
        rfm_type: a.rfm_type.to_string(),
        score: a.score,
        action: s.action,
        channel: s.channel,
        priority: s.priority,
        next_contact: s.next_contact,
        rhythm: None,
        previous_tier: None,
        tier_changed_on: None,
        dropped: false,
    }
}

/// `detail` with the customer's purchase rhythm and its sentence.
pub fn with_rhythm(mut detail: CustomerDetail, rhythm: Option<(Rhythm, Text)>) -> CustomerDetail {
    if let Some((r, text)) = rhythm {
        detail.row.rhythm = Some(r);
        detail.rhythm_text = Some(text);
    }
    detail
}

/// The detail of the customer with `key`, or `None` when no such customer is classified.
pub fn customer_detail(
    key: &str,
    customers: &[Customer],
    orders: Vec<Order>,
    classification: &Classification,
    playbook: &Playbook,
) -> Option<CustomerDetail> {
    // Customers are sorted by key (customers::aggregate), so a binary search finds one among 100k at once.
    let index = customers.binary_search_by(|c| c.key.as_str().cmp(key)).ok()?;
    let customer = customers.get(index)?;
    let a = classification.assignments.get(index)?;
    let suggestion = suggestion(playbook, classification, index, a);
    let mut own = orders;
    own.sort_by_key(|x| std::cmp::Reverse(x.placed_at));
    Some(CustomerDetail {
        row: customer_row(customer, a, suggestion.clone()),
        orders: own,
        reason: a.reason.clone(),
        gap: a.gap.clone(),
        suggestion,
        rhythm_text: None,
        favourites: Vec::new(),
        last_product: None,
        profit: customer.profit.map(|p| p as f64 / 100.0),
    })
}

/// The detail with the customer's favourite products and the product of their latest order.
pub fn with_products(mut detail: CustomerDetail, favourites: Vec<String>, last: Option<String>) -> CustomerDetail {
    detail.favourites = favourites;
    detail.last_product = last;
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_the_first_three_and_last_four_digits() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone(" 138****1234 "), "138****1234");
        assert_eq!(mask_phone("12345"), "12345");
    }

    #[test]
    fn masking_a_phone_with_chinese_characters_does_not_split_a_character() {
        assert_eq!(mask_phone("电话13812341234号"), "电话1****234号");
    }
}

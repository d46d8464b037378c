//! "本周该联系" — the contact list: whom to contact in a period, in which order, why, with what and when.
//!
//! Who is on it: every customer whose rhythm (see `rhythm`) reaches the `due` threshold by the end of
//! the period — already 该联系了 or 流失预警 at the as-of date, or turning due within the period. Customers
//! already 已流失 are left out unless asked for (they belong to a win-back campaign, not to this week's
//! calls); customers without a rhythm (a shop with no repeat buyer) cannot be on it.
//!
//! The order ("value at stake"): tier first (A before B before C before D: the tier is the shop's own
//! judgement of who matters), then the average order value × the overdue ratio at the as-of date (an
//! order worth more, further overdue, is more revenue about to be lost), then the customer key.
//!
//! The dates come from the rhythm, not from the playbook's fixed 30/60/90 days: **contact on** = the
//! day the customer turns due (last order + ⌈due × gap⌉), or the as-of date when that has passed;
//! **follow up on** = contact on + the gap rounded up (when to look again if they have not ordered).
//!
//! What it deliberately does not do: compute rhythms or tiers (it reads them), format cells (that is
//! `export`) or read the clock.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::classify::Classification;
use crate::error::{Error, Result};
use crate::model::{yuan, Cents, Customer, Lang, Text, Tier};
use crate::playbook::{self, Playbook};
use crate::rhythm::{self, RhythmState, Rhythms};

/// The period the list covers, starting at the as-of date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Period {
    /// 本周: the 7 days from the as-of date on.
    #[default]
    #[serde(rename = "week")]
    Week,
    /// 两周内: 14 days.
    #[serde(rename = "2weeks")]
    TwoWeeks,
    /// 本月: 30 days.
    #[serde(rename = "month")]
    Month,
}

impl Period {
    /// Every period, shortest first.
    pub const ALL: [Period; 3] = [Period::Week, Period::TwoWeeks, Period::Month];

    /// Number of days the period covers, the as-of date included.
    pub fn days(self) -> u64 {
        match self {
            Period::Week => 7,
            Period::TwoWeeks => 14,
            Period::Month => 30,
        }
    }

    /// The last day of the period that starts at `as_of`.
    pub fn last_day(self, as_of: NaiveDate) -> NaiveDate {
        as_of.checked_add_days(Days::new(self.days() - 1)).unwrap_or(NaiveDate::MAX)
    }

    /// The list's title: 本周该联系 / 两周内该联系 / 本月该联系, or the English words.
    pub fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Period::Week, Lang::Zh) => "本周该联系",
            (Period::TwoWeeks, Lang::Zh) => "两周内该联系",
            (Period::Month, Lang::Zh) => "本月该联系",
            (Period::Week, Lang::En) => "Contact this week",
            (Period::TwoWeeks, Lang::En) => "Contact in 2 weeks",
            (Period::Month, Lang::En) => "Contact this month",
        }
    }

    /// Reads `week`, `2weeks` or `month` (the CLI's spelling, also the JSON one).
    ///
    /// # Errors
    /// `InvalidParams` naming the accepted words.
    pub fn parse(text: &str) -> Result<Period> {
        match text.trim().to_ascii_lowercase().as_str() {
            "week" | "1week" | "7d" => Ok(Period::Week),
            "2weeks" | "2week" | "14d" => Ok(Period::TwoWeeks),
            "month" | "30d" => Ok(Period::Month),
            other => Err(Error::InvalidParams(format!(
                "联系周期“{other}”无法识别。请用 week（本周）、2weeks（两周内）或 month（本月）。"
            ))),
        }
    }
}

/// What to put on the list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ContactOptions {
    /// The period the list covers.
    pub period: Period,
    /// Also list customers already 已流失 (default: left out).
    pub include_lapsed: bool,
}

/// One customer on the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Contact {
    /// 1 = contact first.
    pub rank: u32,
    /// The customer's index in the classified customers (and in `Rhythms::customers`).
    pub index: u32,
    /// The customer key.
    pub key: String,
    /// The customer's name (may be empty).
    pub name: String,
    /// The phone number as stored (mask it at the edge when asked to).
    pub phone: Option<String>,
    /// The customer's tier.
    pub tier: Tier,
    /// The method's segment, when it has one (the name as the classification shows it).
    pub segment: Option<String>,
    /// The rhythm state on the contact day (at least 该联系了: that is why they are on the list).
    pub state: RhythmState,
    /// When to contact: the day the customer turns due, or the as-of date when that has passed.
    pub contact_on: NaiveDate,
    /// When to look again if they have not ordered: contact on + the gap rounded up.
    pub follow_up_on: NaiveDate,
    /// The average order value in fen.
    pub aov: Cents,
    /// Days since the last order ÷ gap, at the as-of date.
    pub overdue_ratio: f64,
    /// AOV × overdue ratio, in fen: the ranking measure within a tier.
    pub value_at_stake: Cents,
    /// Why this customer is on the list, in one line.
    pub reason: Text,
    /// The playbook's action for the customer's tier or segment.
    pub action: Text,
    /// The playbook's channel.
    pub channel: Text,
}

/// The contact list of one period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactList {
    /// The first day of the period (the classification's as-of date).
    pub as_of: NaiveDate,
    /// The last day of the period.
    pub until: NaiveDate,
    /// What was asked for.
    pub options: ContactOptions,
    /// The customers to contact, in order (rank 1 first).
    pub contacts: Vec<Contact>,
}

impl ContactList {
    /// The keys of the customers on the list, in rank order: what "mark the contact list as
    /// contacted" (campaigns) marks.
    pub fn keys(&self) -> Vec<&str> {
        self.contacts.iter().map(|c| c.key.as_str()).collect()
    }
}

/// The contact list for `options` (who, in which order and which dates: see the module documentation).
///
/// `customers`, `classification.assignments` and `rhythms.customers` share their indexes.
///
/// # Errors
/// `InvalidParams` when the three do not belong together (a stale classification or rhythm).
pub fn contact_list(
    customers: &[Customer],
    classification: &Classification,
    rhythms: &Rhythms,
    playbook: &Playbook,
    options: ContactOptions,
) -> Result<ContactList> {
    let due = due_list(customers, classification, rhythms, options)?;
    let contacts = due.iter().map(|d| d.contact(customers, classification, rhythms, playbook)).collect();
    Ok(ContactList { as_of: rhythms.as_of, until: options.period.last_day(rhythms.as_of), options, contacts })
}

/// A place on the contact list before its texts are written: who, where and when. The export walks
/// these and writes one [`Contact`] at a time (at a million orders the list holds ~85,000 customers,
/// ~100 MB as finished contacts with their sentences, ~5 MB as these).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Due {
    /// 1 = contact first.
    pub rank: u32,
    /// The customer's index in the classified customers.
    pub index: u32,
    tier: Tier,
    state: RhythmState,
    contact_on: NaiveDate,
    follow_up_on: NaiveDate,
    aov: Cents,
    overdue_ratio: f64,
    value_at_stake: Cents,
}

/// The places on the contact list for `options`, in rank order (what [`contact_list`] lists).
///
/// # Errors
/// As [`contact_list`].
pub fn due_list(
    customers: &[Customer],
    classification: &Classification,
    rhythms: &Rhythms,
    options: ContactOptions,
) -> Result<Vec<Due>> {
    let n = customers.len();
    if classification.assignments.len() != n || rhythms.customers.len() != n {
        return Err(Error::InvalidParams(format!(
            "客户 {n} 位、分层结果 {} 位、回购节奏 {} 位，三者不一致。请重新分层后再生成联系名单。",
            classification.assignments.len(),
            rhythms.customers.len()
        )));
    }
    let as_of = rhythms.as_of;
    let until = options.period.last_day(as_of);
    let due = rhythms.thresholds.due;
    let mut list = Vec::new();
    for (i, (customer, r)) in customers.iter().zip(&rhythms.customers).enumerate() {
        let Some(r) = r else { continue };
        if r.state == RhythmState::Lapsed && !options.include_lapsed {
            continue;
        }
        let last = customer.last_order;
        let due_on = last.checked_add_days(Days::new((due * r.gap_days).ceil() as u64)).unwrap_or(NaiveDate::MAX);
        let contact_on = due_on.max(as_of);
        if contact_on > until {
            continue;
        }
        let follow_up_on = contact_on.checked_add_days(Days::new(r.gap_days.ceil() as u64)).unwrap_or(NaiveDate::MAX);
        let aov = customer.aov();
        list.push(Due {
            rank: 0,
            index: i as u32,
            tier: classification.assignments[i].tier,
            // On the list everyone is due by their contact day: the state shown is that day's.
            state: rhythms.thresholds.state((contact_on - last).num_days() as f64 / r.gap_days),
            contact_on,
            follow_up_on,
            aov,
            overdue_ratio: r.overdue_ratio,
            value_at_stake: (aov as f64 * r.overdue_ratio).round() as Cents,
        });
    }
    let key = |d: &Due| customers[d.index as usize].key.as_str();
    list.sort_by(|a, b| {
        a.tier.cmp(&b.tier).then(b.value_at_stake.cmp(&a.value_at_stake)).then_with(|| key(a).cmp(key(b)))
    });
    for (rank, d) in list.iter_mut().enumerate() {
        d.rank = rank as u32 + 1;
    }
    Ok(list)
}

impl Due {
    /// The contact at this place, with its texts: the playbook's action and channel for the
    /// customer's tier or segment, and the reason. Same arguments as the [`due_list`] it came from.
    pub fn contact(
        &self,
        customers: &[Customer],
        classification: &Classification,
        rhythms: &Rhythms,
        playbook: &Playbook,
    ) -> Contact {
        let i = self.index as usize;
        let customer = &customers[i];
        let assignment = &classification.assignments[i];
        let suggestion = playbook::suggest_in(playbook, classification, i)
            .unwrap_or_else(|| playbook::suggest(playbook, assignment, rhythms.as_of));
        let rhythm_line = rhythms.customers[i].as_ref().map(rhythm::describe).unwrap_or_default();
        let aov_yuan = yuan(self.aov);
        Contact {
            rank: self.rank,
            index: self.index,
            key: customer.key.clone(),
            name: customer.name.clone(),
            phone: customer.phone.clone(),
            tier: self.tier,
            segment: assignment.segment.as_deref().map(str::to_string),
            state: self.state,
            contact_on: self.contact_on,
            follow_up_on: self.follow_up_on,
            aov: self.aov,
            overdue_ratio: self.overdue_ratio,
            value_at_stake: self.value_at_stake,
            reason: Text::new(
                format!("{}：{}；客单价 ¥{aov_yuan:.0}", self.tier.label(Lang::Zh), rhythm_line.zh),
                format!("{}: {}; AOV ¥{aov_yuan:.0}", self.tier.label(Lang::En), rhythm_line.en),
            ),
            action: suggestion.action,
            channel: suggestion.channel,
        }
    }
}

/// The tags a tagging tool gets for a contact: tier, segment (when any) and state, in `lang`.
/// `segment_name` shows a segment in `lang` (the export's translation of built-in names).
pub fn tags(contact: &Contact, lang: Lang, segment_name: impl Fn(&str) -> String) -> Vec<String> {
    let mut tags = vec![contact.tier.label(lang)];
    if let Some(segment) = &contact.segment {
        tags.push(segment_name(segment));
    }
    tags.push(contact.state.label(lang).to_string());
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_from_the_cli_words_and_end_on_the_right_day() {
        let as_of = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        assert_eq!(Period::parse("2weeks").unwrap(), Period::TwoWeeks);
        assert_eq!(Period::parse(" Month ").unwrap().last_day(as_of), NaiveDate::from_ymd_opt(2025, 3, 30).unwrap());
        assert_eq!(Period::Week.last_day(as_of), NaiveDate::from_ymd_opt(2025, 3, 7).unwrap());
        assert!(Period::parse("year").unwrap_err().to_string().contains("week"));
    }

    #[test]
    fn period_json_uses_the_cli_words() {
        assert_eq!(serde_json::to_string(&Period::TwoWeeks).unwrap(), "\"2weeks\"");
    }
}

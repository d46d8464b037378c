//! Service actions per tier and per segment (defaults from the seed articles), and the suggestion
//! for each customer: action, channel, priority, next-contact date.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Text, Tier};

/// What to do for a group of customers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Action {
    pub action: Text,
    pub channel: Text,
    /// 1 = most urgent.
    pub priority: u8,
    /// Days from the as-of date to the next contact.
    pub contact_in_days: u32,
}

/// The editable playbook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Playbook {
    pub tiers: BTreeMap<Tier, Action>,
    /// By canonical segment name; a segment action takes precedence over the tier action.
    pub segments: BTreeMap<String, Action>,
}

/// The suggestion for one customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Suggestion {
    pub action: Text,
    pub channel: Text,
    pub priority: u8,
    pub next_contact: NaiveDate,
}

impl Default for Playbook {
    /// The seed articles' service strategy per tier and per RFM type, in Chinese and English.
    fn default() -> Self {
        unimplemented!("playbook::Playbook::default")
    }
}

/// The suggestion for a customer: the segment's action if the playbook has one, else the tier's;
/// next contact = `as_of` + the action's interval.
pub fn suggest(playbook: &Playbook, assignment: &crate::classify::Assignment, as_of: NaiveDate) -> Suggestion {
    let _ = (playbook, assignment, as_of);
    unimplemented!("playbook::suggest")
}

//! The workspace: one SQLite file with sources, orders, customers, classification runs, snapshots,
//! saved mappings, playbooks and settings; versioned migrations; snapshot comparison.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Cents, Text, Tier};

/// One customer whose tier changed (or who appeared / disappeared) between two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Move {
    pub key: String,
    pub name: String,
    /// `None` for a new customer.
    pub from: Option<Tier>,
    /// `None` for a lost customer.
    pub to: Option<Tier>,
    pub from_segment: Option<String>,
    pub to_segment: Option<String>,
    pub revenue: Cents,
    /// The suggested action for this move (a customer who fell from A gets the win-back action first).
    pub action: Text,
}

/// Tier flows between two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Migration {
    pub old_snapshot: i64,
    pub new_snapshot: i64,
    pub old_as_of: NaiveDate,
    pub new_as_of: NaiveDate,
    /// (from, to, customers, revenue in the new snapshot); `None` = new (from) or lost (to).
    pub flows: Vec<Flow>,
    pub upgraded: Vec<Move>,
    pub downgraded: Vec<Move>,
    pub new: Vec<Move>,
    pub lost: Vec<Move>,
}

/// One cell of the migration matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Flow {
    pub from: Option<Tier>,
    pub to: Option<Tier>,
    pub customers: u64,
    pub revenue: Cents,
}

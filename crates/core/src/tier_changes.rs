//! History per customer: each customer's tier in the previous snapshot and the date their tier last
//! changed, from the workspace's snapshots (oldest first). Pure; `store` reads the snapshots.
//!
//! The rules: the *previous tier* is the customer's tier in the snapshot before the current one
//! (none for a customer who was not in it, or when there is only one snapshot). The tier *changed
//! on* the as-of date of the latest snapshot in which the customer's tier differed from their tier
//! in the snapshot just before it (a customer missing from a snapshot and back later counts as a
//! change on their return only when the tier differs from the last one seen). A customer *dropped*
//! when the previous tier is better than the current one (A → B, B → C, …).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::classify::Classification;
use crate::model::{Customer, Tier};

/// One customer's tier history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierChange {
    /// The tier in the snapshot before the current one.
    pub previous: Option<Tier>,
    /// The as-of date of the snapshot in which the tier last changed (None: never changed).
    pub changed_on: Option<NaiveDate>,
    /// True when `previous` is better than the current tier.
    pub dropped: bool,
}

/// The tier history of the customers of the current (last) snapshot, by customer key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TierChanges {
    /// By customer key; customers of the current snapshot only.
    pub by_key: HashMap<String, TierChange>,
    /// As-of date of the snapshot the previous tiers come from.
    pub previous_as_of: Option<NaiveDate>,
}

impl TierChanges {
    /// One customer's history, if they are in the current snapshot.
    pub fn get(&self, key: &str) -> Option<&TierChange> {
        self.by_key.get(key)
    }

    /// Number of customers who dropped a tier since the previous snapshot.
    pub fn dropped(&self) -> usize {
        self.by_key.values().filter(|c| c.dropped).count()
    }
}

/// One snapshot as `trace` reads it: its as-of date and every customer's tier.
pub struct SnapshotTiers {
    /// The snapshot's as-of date.
    pub as_of: NaiveDate,
    /// (customer key, tier), in any order.
    pub tiers: Vec<(String, Tier)>,
}

/// `trace` of the saved `snapshots` (oldest first) followed by `classification` of `customers` as
/// the current one. A last snapshot identical to it (same as-of date, same tier for every customer:
/// it was just saved) is that classification, so the one before it gives the previous tiers.
pub fn trace_current(
    mut snapshots: Vec<SnapshotTiers>,
    customers: &[Customer],
    classification: &Classification,
) -> TierChanges {
    let mut current: Vec<(String, Tier)> =
        customers.iter().zip(&classification.assignments).map(|(c, a)| (c.key.clone(), a.tier)).collect();
    current.sort_unstable();
    if let Some(last) = snapshots.last_mut() {
        last.tiers.sort_unstable();
        if last.as_of == classification.as_of && last.tiers == current {
            snapshots.pop();
        }
    }
    snapshots.push(SnapshotTiers { as_of: classification.as_of, tiers: current });
    trace(&snapshots)
}

/// Walks `snapshots` (oldest first; the last one is the current one) and returns each current
/// customer's previous tier and last change (see the module's rules).
pub fn trace(snapshots: &[SnapshotTiers]) -> TierChanges {
    let Some((current, earlier)) = snapshots.split_last() else {
        return TierChanges::default();
    };
    // Per key: the last tier seen and the date it last changed.
    let mut seen: HashMap<&str, (Tier, Option<NaiveDate>)> = HashMap::new();
    for snap in snapshots {
        for (key, tier) in &snap.tiers {
            seen.entry(key.as_str())
                .and_modify(|(last, changed)| {
                    if last != tier {
                        *last = *tier;
                        *changed = Some(snap.as_of);
                    }
                })
                .or_insert((*tier, None));
        }
    }
    let previous: HashMap<&str, Tier> =
        earlier.last().map(|p| p.tiers.iter().map(|(k, t)| (k.as_str(), *t)).collect()).unwrap_or_default();
    let by_key = current
        .tiers
        .iter()
        .map(|(key, tier)| {
            let previous = previous.get(key.as_str()).copied();
            let changed_on = seen.get(key.as_str()).and_then(|(_, d)| *d);
            (key.clone(), TierChange { previous, changed_on, dropped: previous.is_some_and(|p| p < *tier) })
        })
        .collect();
    TierChanges { by_key, previous_as_of: earlier.last().map(|p| p.as_of) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(day: u32, tiers: &[(&str, Tier)]) -> SnapshotTiers {
        SnapshotTiers {
            as_of: NaiveDate::from_ymd_opt(2025, 1, day).unwrap(),
            tiers: tiers.iter().map(|(k, t)| (k.to_string(), *t)).collect(),
        }
    }

    #[test]
    fn previous_tier_last_change_and_drops() {
        let d = |day| NaiveDate::from_ymd_opt(2025, 1, day);
        let changes = trace(&[
            snap(1, &[("a", Tier::A), ("b", Tier::C), ("c", Tier::B)]),
            snap(10, &[("a", Tier::B), ("b", Tier::C), ("c", Tier::B), ("gone", Tier::A)]),
            snap(20, &[("a", Tier::B), ("b", Tier::B), ("c", Tier::C), ("new", Tier::A)]),
        ]);
        let get = |k| changes.get(k).cloned().unwrap();
        // a: A → B on the 10th, unchanged since; no drop since the previous snapshot.
        assert_eq!(get("a"), TierChange { previous: Some(Tier::B), changed_on: d(10), dropped: false });
        assert_eq!(get("b"), TierChange { previous: Some(Tier::C), changed_on: d(20), dropped: false });
        assert_eq!(get("c"), TierChange { previous: Some(Tier::B), changed_on: d(20), dropped: true });
        assert_eq!(get("new"), TierChange { previous: None, changed_on: None, dropped: false });
        assert!(changes.get("gone").is_none());
        assert_eq!(changes.dropped(), 1);
        assert_eq!(changes.previous_as_of, d(10));
        assert_eq!(trace(&[]), TierChanges::default());
    }
}

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
#[derive(Clone, Debug)]
pub struct SnapshotTiers {
    /// The snapshot's as-of date.
    pub as_of: NaiveDate,
    /// (customer key, tier), in any order.
    pub tiers: Vec<(String, Tier)>,
}

/// What the saved snapshots say of each customer key, for the history of a current classification
/// that may not be saved (what the app shows, what an export writes): `trace` of the snapshots
/// followed by that classification, where a last snapshot identical to it (same as-of date, same
/// tier for every customer: it was just saved) is that classification, so the one before it gives
/// the previous tiers. Made once per set of snapshots, one snapshot at a time (`snapshot`): the
/// customer list and the drawer ask after every parameter change, and reading every snapshot's
/// tiers again each time took ~0.16 s per 240k-customer snapshot. Holds a few words per key ever
/// seen, not the snapshots.
#[derive(Clone, Debug, Default)]
pub struct SavedTiers {
    /// As-of dates of the last saved snapshot and of the one before it.
    last_as_of: Option<NaiveDate>,
    before_last_as_of: Option<NaiveDate>,
    /// Customers in the last saved snapshot.
    last_len: usize,
    by_key: HashMap<Box<str>, Saved>,
}

/// One key across the saved snapshots.
#[derive(Clone, Copy, Debug)]
struct Saved {
    /// The last tier seen and the as-of date it last changed (as `trace` counts it).
    seen: Tier,
    changed_on: Option<NaiveDate>,
    /// The tier in the last saved snapshot and in the one before it.
    in_last: Option<Tier>,
    in_before_last: Option<Tier>,
}

impl SavedTiers {
    /// The next saved snapshot, oldest first: of `as_of`, with `from_end` snapshots after it (0 for
    /// the last). Returns what counts its customers, each key once.
    pub fn snapshot(&mut self, as_of: NaiveDate, from_end: usize) -> impl FnMut(&str, Tier) + '_ {
        match from_end {
            0 => (self.last_as_of, self.last_len) = (Some(as_of), 0),
            1 => self.before_last_as_of = Some(as_of),
            _ => {}
        }
        move |key, tier| {
            let entry = match self.by_key.get_mut(key) {
                Some(saved) => {
                    if saved.seen != tier {
                        saved.seen = tier;
                        saved.changed_on = Some(as_of);
                    }
                    saved
                }
                None => self.by_key.entry(key.into()).or_insert(Saved {
                    seen: tier,
                    changed_on: None,
                    in_last: None,
                    in_before_last: None,
                }),
            };
            match from_end {
                0 => {
                    entry.in_last = Some(tier);
                    self.last_len += 1;
                }
                1 => entry.in_before_last = Some(tier),
                _ => {}
            }
        }
    }

    /// The history against `classification` of `customers` as the current one, asked key by key
    /// (the app's rows and drawer): what [`SavedTiers::trace_current`] gives, without a map of every
    /// customer.
    pub fn against(&self, customers: &[Customer], classification: &Classification) -> CurrentTiers<'_> {
        // The last snapshot is this classification (just saved): the history is the saved one's.
        let same_as_last = self.last_as_of == Some(classification.as_of)
            && customers.len() == self.last_len
            && customers
                .iter()
                .zip(&classification.assignments)
                .all(|(c, a)| self.by_key.get(c.key.as_str()).is_some_and(|s| s.in_last == Some(a.tier)));
        CurrentTiers { saved: self, as_of: classification.as_of, same_as_last }
    }

    /// Every customer's history of `classification` of `customers` as the current one.
    pub fn trace_current(&self, customers: &[Customer], classification: &Classification) -> TierChanges {
        let current = self.against(customers, classification);
        let by_key = customers
            .iter()
            .zip(&classification.assignments)
            .map(|(c, a)| (c.key.clone(), current.change(&c.key, a.tier)))
            .collect();
        TierChanges { by_key, previous_as_of: current.previous_as_of() }
    }
}

/// The saved snapshots' history against one current classification ([`SavedTiers::against`]).
pub struct CurrentTiers<'s> {
    saved: &'s SavedTiers,
    as_of: NaiveDate,
    /// The last saved snapshot is the current classification itself.
    same_as_last: bool,
}

impl CurrentTiers<'_> {
    /// The history of the current classification's customer `key`, whose tier is `tier` in it.
    pub fn change(&self, key: &str, tier: Tier) -> TierChange {
        let (previous, changed_on) = match self.saved.by_key.get(key) {
            None => (None, None),
            Some(s) if self.same_as_last => (s.in_before_last, s.changed_on),
            Some(s) => (s.in_last, if s.seen == tier { s.changed_on } else { Some(self.as_of) }),
        };
        TierChange { previous, changed_on, dropped: previous.is_some_and(|p| p < tier) }
    }

    /// The as-of date of the snapshot the previous tiers come from.
    pub fn previous_as_of(&self) -> Option<NaiveDate> {
        if self.same_as_last {
            self.saved.before_last_as_of
        } else {
            self.saved.last_as_of
        }
    }
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

    /// `SavedTiers` gives what its rule over `trace` gives, on random histories: customers come, go and
    /// come back, change tiers or not, and the current classification is sometimes the last snapshot
    /// itself (just saved), sometimes differs from it by one customer or by its as-of date only.
    #[test]
    fn saved_tiers_trace_as_the_rule_over_trace_does() {
        use crate::classify::{Assignment, ClassifyParams};
        let state = std::cell::Cell::new(0x9e37_79b9_u32);
        let next = |n: u32| {
            let mut x = state.get();
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            state.set(x);
            x % n
        };
        let tiers = [Tier::A, Tier::B, Tier::C, Tier::D];
        for round in 0..300 {
            let count = next(5) as usize;
            let mut snapshots: Vec<SnapshotTiers> = (0..count)
                .map(|i| {
                    let mut snap = snap(1 + i as u32 * 3, &[]);
                    snap.tiers =
                        (0..12).filter(|_| next(4) != 0).map(|k| (format!("k{k}"), tiers[next(4) as usize])).collect();
                    snap
                })
                .collect();
            // The current classification: the last snapshot again, or it with one change (a tier, a
            // customer more or fewer, the as-of date), or another one.
            let current: SnapshotTiers = match (snapshots.last(), next(3)) {
                (Some(last), 0) => last.clone(),
                (Some(last), 1) => {
                    let mut c = last.clone();
                    match next(4) {
                        0 if !c.tiers.is_empty() => c.tiers[0].1 = tiers[(c.tiers[0].1 as usize + 1) % 4],
                        1 => c.tiers.push(("k99".into(), Tier::A)),
                        2 if !c.tiers.is_empty() => drop(c.tiers.pop()),
                        _ => c.as_of = c.as_of.succ_opt().unwrap(),
                    }
                    c
                }
                _ => {
                    let mut c = snap(28, &[]);
                    c.tiers =
                        (0..12).filter(|_| next(3) != 0).map(|k| (format!("k{k}"), tiers[next(4) as usize])).collect();
                    c
                }
            };
            // The classifier's order of customers is not the snapshots' sorted order.
            if next(2) == 0 {
                snapshots.iter_mut().for_each(|s| s.tiers.reverse());
            }
            let customers: Vec<Customer> = current
                .tiers
                .iter()
                .map(|(k, _)| Customer {
                    key: k.clone(),
                    name: String::new(),
                    phone: None,
                    orders: 1,
                    revenue: 1,
                    first_order: current.as_of,
                    last_order: current.as_of,
                    interactions: None,
                    profit: None,
                })
                .collect();
            let classification = Classification {
                params: ClassifyParams::default(),
                as_of: current.as_of,
                thresholds: vec![],
                tiers: vec![],
                segments: vec![],
                assignments: current
                    .tiers
                    .iter()
                    .map(|(_, t)| Assignment {
                        tier: *t,
                        segment: None,
                        recency_days: 0,
                        r_score: 1,
                        f_score: 1,
                        m_score: 1,
                        abc: *t,
                        rfm_type: "".into(),
                        score: None,
                        reason: crate::model::Text::new("", ""),
                        gap: None,
                    })
                    .collect(),
                notes: vec![],
                score_notes: vec![],
            };
            // The rule, over `trace`: the current classification after the saved snapshots, in
            // place of a last one identical to it.
            let sorted = |tiers: &[(String, Tier)]| {
                let mut tiers = tiers.to_vec();
                tiers.sort_unstable();
                tiers
            };
            let mut all = snapshots.clone();
            if all.last().is_some_and(|l| l.as_of == current.as_of && sorted(&l.tiers) == sorted(&current.tiers)) {
                all.pop();
            }
            all.push(current.clone());
            let expected = trace(&all);
            let mut saved = SavedTiers::default();
            for (i, snap) in snapshots.iter().enumerate() {
                let mut add = saved.snapshot(snap.as_of, snapshots.len() - 1 - i);
                snap.tiers.iter().for_each(|(key, tier)| add(key, *tier));
            }
            let saved = saved.trace_current(&customers, &classification);
            assert_eq!(saved, expected, "round {round}: {snapshots:?} then {current:?}");
        }
    }
}

//! Tier history: how customers moved between two classification snapshots — the from-tier × to-tier
//! matrix (counts and revenue, with new and lost customers), the same by segment, and the lists of
//! upgraded, downgraded, new and lost customers with the suggested action for each.
//!
//! Pure: `compare` merges two snapshots' rows, each read in key order through [`Rows`], in one pass
//! (no per-customer lookups, nothing buffered per customer). `store` feeds it the rows of the
//! workspace's snapshots; `export` and the front ends only read the resulting [`Migration`]. (Not to
//! be confused with the workspace's schema migrations in `store::schema`.)

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, StoreError};
use crate::model::{Cents, Lang, Text, Tier};
use crate::playbook::Playbook;

/// One customer whose tier changed (or who appeared / disappeared) between two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Move {
    /// The customer key.
    pub key: String,
    /// The customer's display name.
    pub name: String,
    /// `None` for a new customer.
    pub from: Option<Tier>,
    /// `None` for a lost customer.
    pub to: Option<Tier>,
    /// The segment in the old snapshot, when its method has segments.
    pub from_segment: Option<String>,
    /// The segment in the new snapshot, when its method has segments.
    pub to_segment: Option<String>,
    /// Revenue in the new snapshot (in the old one for a lost customer).
    pub revenue: Cents,
    /// The suggested action for this move (a customer who fell from A gets the win-back action first).
    pub action: Text,
}

/// Tier flows between two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Migration {
    /// Id of the earlier snapshot.
    pub old_snapshot: i64,
    /// Id of the later snapshot.
    pub new_snapshot: i64,
    /// As-of date of the earlier snapshot.
    pub old_as_of: NaiveDate,
    /// As-of date of the later snapshot.
    pub new_as_of: NaiveDate,
    /// (from, to, customers, revenue in the new snapshot); `None` = new (from) or lost (to).
    pub flows: Vec<Flow>,
    /// Customers now in a better tier, highest tier reached first, then by revenue.
    pub upgraded: Vec<Move>,
    /// Customers now in a worse tier, highest tier left first, then by revenue.
    pub downgraded: Vec<Move>,
    /// Customers only in the later snapshot.
    pub new: Vec<Move>,
    /// Customers only in the earlier snapshot.
    pub lost: Vec<Move>,
    /// The same matrix by segment (segment display names), for methods with segments.
    #[serde(default)]
    pub segment_flows: Vec<SegmentFlow>,
}

/// One cell of the migration matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Flow {
    /// Tier in the earlier snapshot; `None` for new customers.
    pub from: Option<Tier>,
    /// Tier in the later snapshot; `None` for lost customers.
    pub to: Option<Tier>,
    /// Customers who made this move.
    pub customers: u64,
    /// Their revenue (in the new snapshot; in the old one for lost customers).
    pub revenue: Cents,
}

/// Tier flows of one segment pair between two snapshots (the per-segment migration matrix).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SegmentFlow {
    /// `None` = new customer (or no segment in the old snapshot's method).
    pub from: Option<String>,
    /// `None` = lost customer (or no segment in the new snapshot's method).
    pub to: Option<String>,
    /// Customers who made this move.
    pub customers: u64,
    /// Revenue in the new snapshot (in the old one for lost customers).
    pub revenue: Cents,
}

/// The canonical name of the RFM type whose playbook action is the win-back action.
const WIN_BACK_SEGMENT: &str = "重要挽留客户";
/// The canonical name of the RFM type whose action suits lost low-value customers.
const REACTIVATE_SEGMENT: &str = "一般挽留客户";

/// One snapshot row as the comparison reads it. A [`Rows`] source overwrites the same `Entry` from
/// row to row (its buffers are reused), so a scan allocates only for customers that end up in a
/// move list. Key, name and segment are raw UTF-8 bytes: compared and copied as bytes, checked as
/// text only when a customer enters a move list.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The customer key; rows come in byte order of it.
    pub key: Vec<u8>,
    /// The customer's display name.
    pub name: Vec<u8>,
    /// The tier in this snapshot.
    pub tier: Tier,
    /// The segment name (method-dependent); meaningful only when `has_segment`.
    pub segment: Vec<u8>,
    /// False when the snapshot's method gives no segment.
    pub has_segment: bool,
    /// The customer's revenue in this snapshot.
    pub revenue: Cents,
}

impl Default for Entry {
    fn default() -> Self {
        Entry { key: Vec::new(), name: Vec::new(), tier: Tier::C, segment: Vec::new(), has_segment: false, revenue: 0 }
    }
}

/// The rows of one snapshot, in ascending byte order of the customer key, each key at most once.
pub trait Rows {
    /// Overwrites `entry` with the next row; `Ok(false)` (entry untouched) after the last row.
    ///
    /// # Errors
    /// Whatever reading the rows fails with (`Store` for the workspace).
    fn next_into(&mut self, entry: &mut Entry) -> Result<bool>;
}

/// Which snapshot one side of the comparison is; copied into the [`Migration`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Side {
    /// The snapshot's id in the workspace.
    pub snapshot: i64,
    /// The snapshot's as-of date.
    pub as_of: NaiveDate,
}

/// Compares snapshot `old` (its rows `old_rows`) with snapshot `new` (`new_rows`). Revenue in flows
/// and moves is the new snapshot's, except for lost customers (their revenue in the old one).
/// Actions come from `playbook`; a customer who fell from A (downgraded or lost) gets the win-back
/// action first.
///
/// # Errors
/// What the row sources fail with; `Store` when a key, name or segment is not valid UTF-8.
pub fn compare(
    old: Side,
    old_rows: &mut dyn Rows,
    new: Side,
    new_rows: &mut dyn Rows,
    playbook: &Playbook,
) -> Result<Migration> {
    let mut tally = Tally::new(old, new, playbook);
    let mut a = Cursor::new(old_rows);
    let mut b = Cursor::new(new_rows);
    a.advance(&mut tally.segments)?;
    b.advance(&mut tally.segments)?;
    while a.live || b.live {
        let order = match (a.live, b.live) {
            (true, true) => a.entry.key.cmp(&b.entry.key),
            (true, false) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                tally.count(Some(&a), None)?;
                a.advance(&mut tally.segments)?;
            }
            Ordering::Greater => {
                tally.count(None, Some(&b))?;
                b.advance(&mut tally.segments)?;
            }
            Ordering::Equal => {
                tally.count(Some(&a), Some(&b))?;
                a.advance(&mut tally.segments)?;
                b.advance(&mut tally.segments)?;
            }
        }
    }
    Ok(tally.finish())
}

/// The current row of one snapshot's scan, its segment interned.
struct Cursor<'r> {
    rows: &'r mut dyn Rows,
    entry: Entry,
    live: bool,
    segment: Option<u16>,
}

impl<'r> Cursor<'r> {
    fn new(rows: &'r mut dyn Rows) -> Self {
        Cursor { rows, entry: Entry::default(), live: true, segment: None }
    }

    /// Moves to the next row (`live` turns false after the last one); segment names are interned in
    /// `segments` so rows carry a small index instead of a string.
    fn advance(&mut self, segments: &mut Vec<String>) -> Result<()> {
        if !self.rows.next_into(&mut self.entry)? {
            self.live = false;
            return Ok(());
        }
        self.segment = if self.entry.has_segment {
            let s = &self.entry.segment;
            Some(match segments.iter().position(|x| x.as_bytes() == s.as_slice()) {
                Some(i) => i as u16,
                None => {
                    segments.push(text(s)?);
                    (segments.len() - 1) as u16
                }
            })
        } else {
            None
        };
        Ok(())
    }
}

/// Stored text back to a `String`; bytes that are not UTF-8 mean a damaged workspace.
fn text(bytes: &[u8]) -> Result<String> {
    Ok(std::str::from_utf8(bytes).map_err(|e| Error::Store(StoreError::Text(e)))?.to_string())
}

/// What a move's action depends on: from tier, to tier, to segment (interned).
type ActionKey = (Option<Tier>, Option<Tier>, Option<u16>);

/// Number of rows and columns of the tier matrix: the tiers, then new/lost.
const TIER_SLOTS: usize = Tier::ALL.len() + 1;

/// Index of a tier in the flow matrix, in display order (`None`, i.e. new or lost, last).
fn tier_index(t: Option<Tier>) -> usize {
    t.map_or(Tier::ALL.len(), |t| t as usize)
}

/// Index of a segment in the segment matrix (`None` first; the order does not matter, it is sorted by name).
fn segment_index(s: Option<u16>) -> usize {
    s.map_or(0, |i| usize::from(i) + 1)
}

/// The counts gathered while the two scans are merged.
struct Tally<'p> {
    migration: Migration,
    playbook: &'p Playbook,
    /// Interned segment names of both snapshots.
    segments: Vec<String>,
    flows: [[(u64, Cents); TIER_SLOTS]; TIER_SLOTS],
    seg_flows: Vec<Vec<(u64, Cents)>>,
    /// Few distinct (from, to, segment) combinations: each action is built once and cloned.
    actions: HashMap<ActionKey, Text>,
}

impl<'p> Tally<'p> {
    fn new(old: Side, new: Side, playbook: &'p Playbook) -> Self {
        Tally {
            migration: Migration {
                old_snapshot: old.snapshot,
                new_snapshot: new.snapshot,
                old_as_of: old.as_of,
                new_as_of: new.as_of,
                flows: Vec::new(),
                upgraded: Vec::new(),
                downgraded: Vec::new(),
                new: Vec::new(),
                lost: Vec::new(),
                segment_flows: Vec::new(),
            },
            playbook,
            segments: Vec::new(),
            flows: [[(0, 0); TIER_SLOTS]; TIER_SLOTS],
            seg_flows: Vec::new(),
            actions: HashMap::new(),
        }
    }

    /// Counts one customer: in the old snapshot only (`to` is `None`, lost), the new one only
    /// (`from` is `None`, new) or both.
    fn count<'r>(&mut self, from: Option<&Cursor<'r>>, to: Option<&Cursor<'r>>) -> Result<()> {
        let revenue = to.or(from).map_or(0, |r| r.entry.revenue);
        let (from_tier, to_tier) = (from.map(|r| r.entry.tier), to.map(|r| r.entry.tier));
        let (from_seg, to_seg) = (from.and_then(|r| r.segment), to.and_then(|r| r.segment));
        let cell = &mut self.flows[tier_index(from_tier)][tier_index(to_tier)];
        cell.0 += 1;
        cell.1 = cell.1.saturating_add(revenue);
        let (si, sj) = (segment_index(from_seg), segment_index(to_seg));
        if self.seg_flows.len() <= si {
            self.seg_flows.resize_with(si + 1, Vec::new);
        }
        let row = &mut self.seg_flows[si];
        if row.len() <= sj {
            row.resize(sj + 1, (0, 0));
        }
        row[sj].0 += 1;
        row[sj].1 = row[sj].1.saturating_add(revenue);

        let list = match (from_tier, to_tier) {
            (Some(f), Some(t)) if t < f => &mut self.migration.upgraded,
            (Some(f), Some(t)) if t > f => &mut self.migration.downgraded,
            (None, Some(_)) => &mut self.migration.new,
            (Some(_), None) => &mut self.migration.lost,
            _ => return Ok(()),
        };
        let segments = &self.segments;
        let seg_name = |s: Option<u16>| s.and_then(|i| segments.get(usize::from(i)).cloned());
        let shown = &to.or(from).expect("a merged row has a side").entry;
        let to_segment = seg_name(to_seg);
        let playbook = self.playbook;
        let action = self
            .actions
            .entry((from_tier, to_tier, to_seg))
            .or_insert_with(|| move_action(playbook, from_tier, to_tier, to_segment.as_deref()))
            .clone();
        list.push(Move {
            key: text(&shown.key)?,
            name: text(&shown.name)?,
            from: from_tier,
            to: to_tier,
            from_segment: seg_name(from_seg),
            to_segment,
            revenue: shown.revenue,
            action,
        });
        Ok(())
    }

    /// The matrices as sorted flow lists, and the move lists in calling order.
    fn finish(mut self) -> Migration {
        let migration = &mut self.migration;
        // Cells are visited in display order (tier rank, `None` last), so the flows come out sorted.
        let tier_at = |i: usize| Tier::ALL.get(i).copied();
        for (i, row) in self.flows.iter().enumerate() {
            for (j, &(customers, revenue)) in row.iter().enumerate() {
                if customers > 0 {
                    migration.flows.push(Flow { from: tier_at(i), to: tier_at(j), customers, revenue });
                }
            }
        }
        if !self.segments.is_empty() {
            let segments = &self.segments;
            let seg_at = |i: usize| i.checked_sub(1).map(|i| segments[i].clone());
            for (i, row) in self.seg_flows.iter().enumerate() {
                for (j, &(customers, revenue)) in row.iter().enumerate() {
                    if customers > 0 {
                        migration.segment_flows.push(SegmentFlow {
                            from: seg_at(i),
                            to: seg_at(j),
                            customers,
                            revenue,
                        });
                    }
                }
            }
            migration.segment_flows.sort_by(|x, y| {
                (x.from.is_none(), &x.from, x.to.is_none(), &x.to).cmp(&(
                    y.from.is_none(),
                    &y.from,
                    y.to.is_none(),
                    &y.to,
                ))
            });
        }
        sort_moves(&mut migration.upgraded, |m| m.to);
        sort_moves(&mut migration.downgraded, |m| m.from);
        sort_moves(&mut migration.new, |m| m.to);
        sort_moves(&mut migration.lost, |m| m.from);
        self.migration
    }
}

/// Who to call first: the highest tier they came from (or reached), then the most revenue, then by
/// key — the order the merge pushed them in, so the position breaks ties. Small (tier, revenue,
/// position) tuples are sorted and the moves put in place once, instead of moving the wide `Move`s
/// around during the sort.
fn sort_moves(list: &mut Vec<Move>, tier: fn(&Move) -> Option<Tier>) {
    let mut order: Vec<(usize, std::cmp::Reverse<Cents>, usize)> =
        list.iter().enumerate().map(|(i, m)| (tier_index(tier(m)), std::cmp::Reverse(m.revenue), i)).collect();
    order.sort_unstable();
    let mut slots: Vec<Option<Move>> = std::mem::take(list).into_iter().map(Some).collect();
    *list = order.into_iter().filter_map(|(_, _, i)| slots[i].take()).collect();
}

/// The action for one move: the win-back action first for a customer who fell from A, a low-cost
/// reactivation for other lost customers, else the action of the group they are in now.
fn move_action(playbook: &Playbook, from: Option<Tier>, to: Option<Tier>, to_segment: Option<&str>) -> Text {
    let current = to.map(|t| {
        to_segment
            .and_then(|s| playbook.segments.get(s))
            .or_else(|| playbook.tiers.get(&t))
            .map(|a| a.action.clone())
            .unwrap_or_else(|| {
                Text::new(format!("按{}服务", t.label(Lang::Zh)), format!("Serve as {}", t.label(Lang::En)))
            })
    });
    let fell_from_a = from == Some(Tier::A) && to != Some(Tier::A);
    if fell_from_a {
        let win_back = playbook.segments.get(WIN_BACK_SEGMENT).map(|a| a.action.clone()).unwrap_or_else(|| {
            Text::new("立即回访了解原因 + 专属挽回券", "Call back at once to learn why + a personal win-back coupon")
        });
        return match current {
            Some(c) => Text::new(
                format!("挽回：{}；随后：{}", win_back.zh, c.zh),
                format!("Win back: {}; then: {}", win_back.en, c.en),
            ),
            None => Text::new(format!("挽回：{}", win_back.zh), format!("Win back: {}", win_back.en)),
        };
    }
    match current {
        Some(c) => c,
        None => playbook.segments.get(REACTIVATE_SEGMENT).map(|a| a.action.clone()).unwrap_or_else(|| {
            Text::new(
                "低成本自动触达唤醒（短信/公众号推送 + 回归优惠）",
                "Low-cost automated reminder (SMS / official-account push + come-back offer)",
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of one snapshot from a list: (key, tier, segment, revenue).
    struct Listed(std::vec::IntoIter<(&'static str, Tier, Option<&'static str>, Cents)>);

    impl Rows for Listed {
        fn next_into(&mut self, entry: &mut Entry) -> Result<bool> {
            let Some((key, tier, segment, revenue)) = self.0.next() else { return Ok(false) };
            entry.key = key.as_bytes().to_vec();
            entry.name = format!("name of {key}").into_bytes();
            entry.tier = tier;
            entry.has_segment = segment.is_some();
            entry.segment = segment.unwrap_or_default().as_bytes().to_vec();
            entry.revenue = revenue;
            Ok(true)
        }
    }

    fn side(snapshot: i64, day: u32) -> Side {
        Side { snapshot, as_of: NaiveDate::from_ymd_opt(2025, 6, day).unwrap() }
    }

    #[test]
    fn merges_two_snapshots_into_flows_and_move_lists() {
        let mut old = Listed(
            vec![
                ("a", Tier::A, Some("重要价值客户"), 900),
                ("b", Tier::B, None, 500),
                ("c", Tier::C, None, 100),
                ("d", Tier::A, None, 800),
            ]
            .into_iter(),
        );
        let mut new = Listed(
            vec![
                ("a", Tier::B, Some("重要保持客户"), 950),
                ("b", Tier::A, None, 700),
                ("c", Tier::C, None, 120),
                ("e", Tier::C, None, 50),
            ]
            .into_iter(),
        );
        let m = compare(side(1, 1), &mut old, side(2, 30), &mut new, &Playbook::default()).unwrap();
        assert_eq!((m.old_snapshot, m.new_snapshot), (1, 2));
        let keys = |v: &[Move]| v.iter().map(|m| m.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&m.upgraded), ["b"]);
        assert_eq!(keys(&m.downgraded), ["a"]);
        assert_eq!(keys(&m.new), ["e"]);
        assert_eq!(keys(&m.lost), ["d"]);
        // A lost customer keeps the old revenue; the others show the new one.
        assert_eq!(m.lost[0].revenue, 800);
        assert_eq!(m.downgraded[0].revenue, 950);
        assert_eq!(m.downgraded[0].name, "name of a");
        assert_eq!(m.downgraded[0].from_segment.as_deref(), Some("重要价值客户"));
        // Fell from A: the win-back action comes first.
        assert!(m.downgraded[0].action.zh.starts_with("挽回："), "{}", m.downgraded[0].action.zh);
        let flow = |from, to| m.flows.iter().find(|f| f.from == from && f.to == to).map(|f| (f.customers, f.revenue));
        assert_eq!(flow(Some(Tier::C), Some(Tier::C)), Some((1, 120)));
        assert_eq!(flow(None, Some(Tier::C)), Some((1, 50)));
        assert_eq!(flow(Some(Tier::A), None), Some((1, 800)));
        assert_eq!(m.flows.iter().map(|f| f.customers).sum::<u64>(), 5);
        assert_eq!(m.segment_flows.iter().map(|f| f.customers).sum::<u64>(), 5);
    }

    #[test]
    fn stored_text_that_is_not_utf8_is_a_store_error() {
        struct Broken(bool);
        impl Rows for Broken {
            fn next_into(&mut self, entry: &mut Entry) -> Result<bool> {
                if std::mem::replace(&mut self.0, true) {
                    return Ok(false);
                }
                entry.key = vec![0xff, 0xfe];
                entry.name = b"x".to_vec();
                entry.tier = Tier::A;
                Ok(true)
            }
        }
        let mut empty = Listed(Vec::new().into_iter());
        let err = compare(side(1, 1), &mut empty, side(2, 2), &mut Broken(false), &Playbook::default()).unwrap_err();
        assert!(matches!(err, Error::Store(StoreError::Text(_))), "{err:?}");
        assert!(std::error::Error::source(&err).is_some());
    }
}

//! The migration between two snapshots: the from-tier × to-tier matrix (counts and revenue, with new
//! and lost customers), the same by segment, and the lists of upgraded, downgraded, new and lost
//! customers with the suggested action for each.
//!
//! Both snapshots are read in key order and merged in one pass (no per-customer lookups), so two
//! snapshots of 250k customers compare in well under a second.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{Flow, Migration, Move, SegmentFlow, Workspace};
use crate::error::Result;
use crate::model::{Cents, Text, Tier};
use crate::playbook::Playbook;

/// The canonical name of the RFM type whose playbook action is the win-back action.
const WIN_BACK_SEGMENT: &str = "重要挽留客户";
/// The canonical name of the RFM type whose action suits lost low-value customers.
const REACTIVATE_SEGMENT: &str = "一般挽留客户";

/// The current row of one snapshot's key-ordered scan. Its strings are reused from row to row, so the
/// scan allocates only for the customers that end up in a move list.
struct Cursor<'s> {
    rows: rusqlite::Rows<'s>,
    live: bool,
    /// Raw bytes of the key and name: compared and copied as bytes, checked as UTF-8 only when a
    /// customer enters a move list.
    key: Vec<u8>,
    name: Vec<u8>,
    tier: Tier,
    segment: Option<u16>,
    revenue: Cents,
}

impl<'s> Cursor<'s> {
    fn new(rows: rusqlite::Rows<'s>) -> Self {
        Cursor { rows, live: true, key: Vec::new(), name: Vec::new(), tier: Tier::C, segment: None, revenue: 0 }
    }

    /// Moves to the next row (`live` turns false after the last one); segment names are interned in
    /// `segments` so rows carry a small index instead of a string.
    fn advance(&mut self, segments: &mut Vec<String>) -> Result<()> {
        let Some(r) = self.rows.next()? else {
            self.live = false;
            return Ok(());
        };
        self.key.clear();
        self.key.extend_from_slice(r.get_ref(0)?.as_bytes()?);
        self.name.clear();
        self.name.extend_from_slice(r.get_ref(1)?.as_bytes()?);
        self.tier = match r.get_ref(2)?.as_bytes()? {
            b"A" => Tier::A,
            b"B" => Tier::B,
            b"D" => Tier::D,
            _ => Tier::C,
        };
        self.segment = match r.get_ref(3)?.as_bytes_or_null()? {
            None => None,
            Some(s) => Some(match segments.iter().position(|x| x.as_bytes() == s) {
                Some(i) => i as u16,
                None => {
                    segments.push(std::str::from_utf8(s).map_err(rusqlite::types::FromSqlError::other)?.to_string());
                    (segments.len() - 1) as u16
                }
            }),
        };
        self.revenue = r.get(4)?;
        Ok(())
    }
}

/// What a move's action depends on: from tier, to tier, to segment (interned).
type ActionKey = (Option<Tier>, Option<Tier>, Option<u16>);

/// Index of a tier in the flow matrix, in display order (`None`, i.e. new or lost, last).
fn tier_index(t: Option<Tier>) -> usize {
    t.map_or(Tier::ALL.len(), |t| t as usize)
}

/// Index of a segment in the segment matrix (`None` first; the order does not matter, it is sorted by name).
fn segment_index(s: Option<u16>) -> usize {
    s.map_or(0, |i| usize::from(i) + 1)
}

impl Workspace {
    /// Compares snapshot `old` with snapshot `new`. Revenue in flows and moves is the new snapshot's,
    /// except for lost customers (their revenue in the old one). Actions come from `playbook`; a
    /// customer who fell from A (downgraded or lost) gets the win-back action first.
    ///
    /// # Errors
    /// `SnapshotNotFound`, `Store`.
    pub fn compare(&self, old: i64, new: i64, playbook: &Playbook) -> Result<Migration> {
        let old_info = self.snapshot_info(old)?;
        let new_info = self.snapshot_info(new)?;
        let mut migration = Migration {
            old_snapshot: old,
            new_snapshot: new,
            old_as_of: old_info.as_of,
            new_as_of: new_info.as_of,
            flows: Vec::new(),
            upgraded: Vec::new(),
            downgraded: Vec::new(),
            new: Vec::new(),
            lost: Vec::new(),
            segment_flows: Vec::new(),
        };
        // Both snapshots are scanned at once over the covering index, in key order (SQLite's binary
        // collation is Rust's byte order), and merged as they stream: nothing is buffered per customer.
        const SQL: &str =
            "SELECT key, name, tier, segment, revenue FROM snapshot_rows WHERE snapshot_id = ?1 ORDER BY key";
        let mut old_stmt = self.conn.prepare_cached(SQL)?;
        let mut new_stmt = self.conn.prepare_cached(SQL)?;
        let mut segments: Vec<String> = Vec::new();
        let mut a = Cursor::new(old_stmt.query([old])?);
        let mut b = Cursor::new(new_stmt.query([new])?);
        a.advance(&mut segments)?;
        b.advance(&mut segments)?;

        const TIERS: usize = Tier::ALL.len() + 1;
        let mut flows = [[(0u64, 0 as Cents); TIERS]; TIERS];
        let mut seg_flows: Vec<Vec<(u64, Cents)>> = Vec::new();
        // Few distinct (from, to, segment) combinations: each action is built once and cloned.
        let mut actions: HashMap<ActionKey, Text> = HashMap::new();

        while a.live || b.live {
            let order = match (a.live, b.live) {
                (true, true) => a.key.cmp(&b.key),
                (true, false) => Ordering::Less,
                _ => Ordering::Greater,
            };
            let (from, to) = match order {
                Ordering::Less => (Some(&a), None),
                Ordering::Greater => (None, Some(&b)),
                Ordering::Equal => (Some(&a), Some(&b)),
            };
            let revenue = to.or(from).map_or(0, |r| r.revenue);
            let (from_tier, to_tier) = (from.map(|r| r.tier), to.map(|r| r.tier));
            let (from_seg, to_seg) = (from.and_then(|r| r.segment), to.and_then(|r| r.segment));
            let cell = &mut flows[tier_index(from_tier)][tier_index(to_tier)];
            cell.0 += 1;
            cell.1 = cell.1.saturating_add(revenue);
            let (si, sj) = (segment_index(from_seg), segment_index(to_seg));
            if seg_flows.len() <= si {
                seg_flows.resize_with(si + 1, Vec::new);
            }
            let row = &mut seg_flows[si];
            if row.len() <= sj {
                row.resize(sj + 1, (0, 0));
            }
            row[sj].0 += 1;
            row[sj].1 = row[sj].1.saturating_add(revenue);

            let list = match (from_tier, to_tier) {
                (Some(f), Some(t)) if t < f => Some(&mut migration.upgraded),
                (Some(f), Some(t)) if t > f => Some(&mut migration.downgraded),
                (None, Some(_)) => Some(&mut migration.new),
                (Some(_), None) => Some(&mut migration.lost),
                _ => None,
            };
            if let Some(list) = list {
                let seg_name = |s: Option<u16>| s.and_then(|i| segments.get(usize::from(i)).cloned());
                let shown = to.or(from).expect("a merged row has a side");
                let to_segment = seg_name(to_seg);
                let action = actions
                    .entry((from_tier, to_tier, to_seg))
                    .or_insert_with(|| move_action(playbook, from_tier, to_tier, to_segment.as_deref()))
                    .clone();
                let text = |bytes: &[u8]| -> Result<String> {
                    Ok(std::str::from_utf8(bytes).map_err(rusqlite::types::FromSqlError::other)?.to_string())
                };
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
            }
            match order {
                Ordering::Less => a.advance(&mut segments)?,
                Ordering::Greater => b.advance(&mut segments)?,
                Ordering::Equal => {
                    a.advance(&mut segments)?;
                    b.advance(&mut segments)?;
                }
            }
        }
        drop((a, b));

        // Cells are visited in display order (tier rank, `None` last), so the flows come out sorted.
        let tier_at = |i: usize| Tier::ALL.get(i).copied();
        for (i, row) in flows.iter().enumerate() {
            for (j, &(customers, revenue)) in row.iter().enumerate() {
                if customers > 0 {
                    migration.flows.push(Flow { from: tier_at(i), to: tier_at(j), customers, revenue });
                }
            }
        }
        if !segments.is_empty() {
            let seg_at = |i: usize| i.checked_sub(1).map(|i| segments[i].clone());
            for (i, row) in seg_flows.iter().enumerate() {
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
        Ok(migration)
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
                Text::new(
                    format!("按{}服务", t.label(crate::model::Lang::Zh)),
                    format!("Serve as {}", t.label(crate::model::Lang::En)),
                )
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

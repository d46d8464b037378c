//! The migration between two snapshots: the from-tier × to-tier matrix (counts and revenue, with new
//! and lost customers), the same by segment, and the lists of upgraded, downgraded, new and lost
//! customers with the suggested action for each.
//!
//! Both snapshots are read in key order and merged in one pass (no per-customer lookups), so two
//! snapshots of 250k customers compare in well under a second.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{tier_from_letter, Flow, Migration, Move, SegmentFlow, Workspace};
use crate::error::Result;
use crate::model::{Cents, Text, Tier};
use crate::playbook::Playbook;

/// The canonical name of the RFM type whose playbook action is the win-back action.
const WIN_BACK_SEGMENT: &str = "重要挽留客户";
/// The canonical name of the RFM type whose action suits lost low-value customers.
const REACTIVATE_SEGMENT: &str = "一般挽留客户";

struct Row {
    key: String,
    name: String,
    tier: Tier,
    segment: Option<u16>,
    revenue: Cents,
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
        let mut segments: Vec<String> = Vec::new();
        let a = self.read_rows(old, &mut segments)?;
        let b = self.read_rows(new, &mut segments)?;

        let mut flows: HashMap<(Option<Tier>, Option<Tier>), (u64, Cents)> = HashMap::new();
        let mut seg_flows: HashMap<(Option<u16>, Option<u16>), (u64, Cents)> = HashMap::new();
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
        let seg_name = |s: Option<u16>| s.and_then(|i| segments.get(usize::from(i)).cloned());
        let make_move = |from: Option<&Row>, to: Option<&Row>| -> Move {
            let (key, name, revenue) = match (from, to) {
                (_, Some(t)) => (t.key.clone(), t.name.clone(), t.revenue),
                (Some(f), None) => (f.key.clone(), f.name.clone(), f.revenue),
                (None, None) => (String::new(), String::new(), 0),
            };
            let to_segment = to.and_then(|t| seg_name(t.segment));
            Move {
                key,
                name,
                from: from.map(|f| f.tier),
                to: to.map(|t| t.tier),
                from_segment: from.and_then(|f| seg_name(f.segment)),
                action: move_action(
                    playbook,
                    from.map(|f| f.tier),
                    to.map(|t| t.tier),
                    to_segment.as_deref(),
                ),
                to_segment,
                revenue,
            }
        };

        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let order = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.key.cmp(&y.key),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            let (from, to) = match order {
                Ordering::Less => {
                    i += 1;
                    (a.get(i - 1), None)
                }
                Ordering::Greater => {
                    j += 1;
                    (None, b.get(j - 1))
                }
                Ordering::Equal => {
                    i += 1;
                    j += 1;
                    (a.get(i - 1), b.get(j - 1))
                }
            };
            let revenue = to.or(from).map_or(0, |r| r.revenue);
            let cell = flows
                .entry((from.map(|r| r.tier), to.map(|r| r.tier)))
                .or_default();
            cell.0 += 1;
            cell.1 += revenue;
            let cell = seg_flows
                .entry((from.and_then(|r| r.segment), to.and_then(|r| r.segment)))
                .or_default();
            cell.0 += 1;
            cell.1 += revenue;
            match (from, to) {
                (Some(f), Some(t)) if t.tier < f.tier => {
                    migration.upgraded.push(make_move(from, to))
                }
                (Some(f), Some(t)) if t.tier > f.tier => {
                    migration.downgraded.push(make_move(from, to))
                }
                (None, Some(_)) => migration.new.push(make_move(from, to)),
                (Some(_), None) => migration.lost.push(make_move(from, to)),
                _ => {}
            }
        }

        let rank = |t: Option<Tier>| t.map_or(Tier::ALL.len(), |t| t as usize);
        migration.flows = flows
            .into_iter()
            .map(|((from, to), (customers, revenue))| Flow {
                from,
                to,
                customers,
                revenue,
            })
            .collect();
        migration.flows.sort_by_key(|f| (rank(f.from), rank(f.to)));
        if !segments.is_empty() {
            migration.segment_flows = seg_flows
                .into_iter()
                .map(|((from, to), (customers, revenue))| SegmentFlow {
                    from: seg_name(from),
                    to: seg_name(to),
                    customers,
                    revenue,
                })
                .collect();
            migration.segment_flows.sort_by(|x, y| {
                (x.from.is_none(), &x.from, x.to.is_none(), &x.to).cmp(&(
                    y.from.is_none(),
                    &y.from,
                    y.to.is_none(),
                    &y.to,
                ))
            });
        }
        // Who to call first: the highest tier they came from (or reached), then the most revenue.
        let by = |tier: fn(&Move) -> Option<Tier>| {
            move |x: &Move, y: &Move| {
                rank(tier(x))
                    .cmp(&rank(tier(y)))
                    .then(y.revenue.cmp(&x.revenue))
                    .then(x.key.cmp(&y.key))
            }
        };
        migration.upgraded.sort_by(by(|m| m.to));
        migration.downgraded.sort_by(by(|m| m.from));
        migration.new.sort_by(by(|m| m.to));
        migration.lost.sort_by(by(|m| m.from));
        Ok(migration)
    }

    fn read_rows(&self, snapshot: i64, segments: &mut Vec<String>) -> Result<Vec<Row>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, name, tier, segment, revenue FROM snapshot_rows WHERE snapshot_id = ?1 ORDER BY key",
        )?;
        let mut rows = stmt.query([snapshot])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let tier = tier_from_letter(r.get_ref(2)?.as_str()?).unwrap_or(Tier::C);
            let segment = match r.get_ref(3)?.as_str_or_null()? {
                None => None,
                Some(s) => Some(match segments.iter().position(|x| x == s) {
                    Some(i) => i as u16,
                    None => {
                        segments.push(s.to_string());
                        (segments.len() - 1) as u16
                    }
                }),
            };
            out.push(Row {
                key: r.get(0)?,
                name: r.get(1)?,
                tier,
                segment,
                revenue: r.get(4)?,
            });
        }
        Ok(out)
    }
}

/// The action for one move: the win-back action first for a customer who fell from A, a low-cost
/// reactivation for other lost customers, else the action of the group they are in now.
fn move_action(
    playbook: &Playbook,
    from: Option<Tier>,
    to: Option<Tier>,
    to_segment: Option<&str>,
) -> Text {
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
        let win_back = playbook
            .segments
            .get(WIN_BACK_SEGMENT)
            .map(|a| a.action.clone())
            .unwrap_or_else(|| {
                Text::new(
                    "立即回访了解原因 + 专属挽回券",
                    "Call back at once to learn why + a personal win-back coupon",
                )
            });
        return match current {
            Some(c) => Text::new(
                format!("挽回：{}；随后：{}", win_back.zh, c.zh),
                format!("Win back: {}; then: {}", win_back.en, c.en),
            ),
            None => Text::new(
                format!("挽回：{}", win_back.zh),
                format!("Win back: {}", win_back.en),
            ),
        };
    }
    match current {
        Some(c) => c,
        None => playbook
            .segments
            .get(REACTIVATE_SEGMENT)
            .map(|a| a.action.clone())
            .unwrap_or_else(|| {
                Text::new(
                    "低成本自动触达唤醒（短信/公众号推送 + 回归优惠）",
                    "Low-cost automated reminder (SMS / official-account push + come-back offer)",
                )
            }),
    }
}

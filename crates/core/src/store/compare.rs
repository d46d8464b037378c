//! Feeds two snapshots' customers to `history::compare` in key order: each snapshot's block heads
//! are read (not their sentences) and its customers sorted by key in byte order, as the comparison
//! merges them.

use super::{snapshot_blocks, Workspace};
use crate::error::Result;
use crate::history::{self, Entry, Migration, Side};
use crate::model::{Cents, Tier};
use crate::playbook::Playbook;

/// One customer of a snapshot as the comparison needs it; the segment as an index into `Sorted::segments`.
struct Brief {
    key: Box<str>,
    name: Box<str>,
    tier: Tier,
    segment: Option<u32>,
    revenue: Cents,
}

/// One snapshot's customers sorted by key, as a `history::Rows` source.
struct Sorted {
    rows: std::vec::IntoIter<Brief>,
    /// The snapshot's segment names, each once.
    segments: Vec<Box<str>>,
}

impl Sorted {
    fn read(ws: &Workspace, snapshot: i64) -> Result<Sorted> {
        let (mut rows, mut segments) = (Vec::new(), Vec::<Box<str>>::new());
        snapshot_blocks::for_each_brief(&ws.conn, snapshot, |c| {
            let segment = c.segment.map(|s| match segments.iter().position(|known| &**known == s) {
                Some(i) => i as u32,
                None => {
                    segments.push(s.into());
                    (segments.len() - 1) as u32
                }
            });
            rows.push(Brief { key: c.key.into(), name: c.name.into(), tier: c.tier, segment, revenue: c.revenue });
        })?;
        // Byte order, as the comparison merges: `str`'s order is its UTF-8 bytes' order.
        rows.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Ok(Sorted { rows: rows.into_iter(), segments })
    }
}

impl history::Rows for Sorted {
    fn next_into(&mut self, entry: &mut Entry) -> Result<bool> {
        let Some(row) = self.rows.next() else {
            return Ok(false);
        };
        entry.key.clear();
        entry.key.extend_from_slice(row.key.as_bytes());
        entry.name.clear();
        entry.name.extend_from_slice(row.name.as_bytes());
        entry.tier = row.tier;
        entry.segment.clear();
        let segment = row.segment.and_then(|i| self.segments.get(i as usize));
        if let Some(s) = segment {
            entry.segment.extend_from_slice(s.as_bytes());
        }
        entry.has_segment = segment.is_some();
        entry.revenue = row.revenue;
        Ok(true)
    }
}

impl Workspace {
    /// Compares snapshot `old` with snapshot `new` (see `history::compare`: revenue is the new
    /// snapshot's except for lost customers; a customer who fell from A gets the win-back action first).
    ///
    /// # Errors
    /// `SnapshotNotFound`, `Store`.
    pub fn compare(&self, old: i64, new: i64, playbook: &Playbook) -> Result<Migration> {
        let old_side = Side { snapshot: old, as_of: self.snapshot_info(old)?.as_of };
        let new_side = Side { snapshot: new, as_of: self.snapshot_info(new)?.as_of };
        let mut old_rows = Sorted::read(self, old)?;
        let mut new_rows = Sorted::read(self, new)?;
        history::compare(old_side, &mut old_rows, new_side, &mut new_rows, playbook)
    }
}

//! Feeds two snapshots' rows to `history::compare`: both are scanned at once over the covering index
//! in key order (SQLite's binary collation is Rust's byte order) and merged as they stream, so two
//! snapshots of 250k customers compare in well under a second.

use super::Workspace;
use crate::error::Result;
use crate::history::{self, Entry, Migration, Side};
use crate::model::Tier;
use crate::playbook::Playbook;

/// One snapshot's rows as a `history::Rows` source; each row is copied as bytes into the reused entry.
struct SnapshotScan<'s>(rusqlite::Rows<'s>);

impl history::Rows for SnapshotScan<'_> {
    fn next_into(&mut self, entry: &mut Entry) -> Result<bool> {
        let Some(r) = self.0.next()? else {
            return Ok(false);
        };
        entry.key.clear();
        entry.key.extend_from_slice(r.get_ref(0)?.as_bytes()?);
        entry.name.clear();
        entry.name.extend_from_slice(r.get_ref(1)?.as_bytes()?);
        entry.tier = match r.get_ref(2)?.as_bytes()? {
            b"A" => Tier::A,
            b"B" => Tier::B,
            b"D" => Tier::D,
            _ => Tier::C,
        };
        entry.segment.clear();
        match r.get_ref(3)?.as_bytes_or_null()? {
            Some(s) => {
                entry.segment.extend_from_slice(s);
                entry.has_segment = true;
            }
            None => entry.has_segment = false,
        }
        entry.revenue = r.get(4)?;
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
        const SQL: &str =
            "SELECT key, name, tier, segment, revenue FROM snapshot_rows WHERE snapshot_id = ?1 ORDER BY key";
        let mut old_stmt = self.conn.prepare_cached(SQL)?;
        let mut new_stmt = self.conn.prepare_cached(SQL)?;
        let mut old_rows = SnapshotScan(old_stmt.query([old])?);
        let mut new_rows = SnapshotScan(new_stmt.query([new])?);
        history::compare(old_side, &mut old_rows, new_side, &mut new_rows, playbook)
    }
}

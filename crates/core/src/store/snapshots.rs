//! Snapshots: a saved classification (method, parameters, thresholds, per-tier summary) plus, per
//! customer, the aggregates and the assignment at that run. Dated by the as-of date, never the clock.
//!
//! A snapshot is self-contained: removing a source later does not change history, and opening the
//! workspace shows the last snapshot without re-aggregating or re-classifying anything.

use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use super::{snapshot_blocks, Workspace};
use crate::classify::{Assignment, Classification, ClassifyParams, GroupSummary, Method, Threshold};
use crate::error::{Error, Result};
use crate::model::{Cents, Customer, Text};

/// A saved classification, as listed in the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SnapshotInfo {
    /// The snapshot's id in the workspace.
    pub id: i64,
    /// The as-of date of the classification: what the snapshot is dated by.
    pub as_of: NaiveDate,
    /// A name the user gave it.
    pub label: Option<String>,
    /// The method (and parameters) of the classification.
    pub method: Method,
    /// Customers classified.
    pub customers: u64,
    /// Their orders.
    pub orders: u64,
    /// Their revenue.
    pub revenue: Cents,
    /// Per-tier summary at that run.
    pub tiers: Vec<GroupSummary>,
}

/// One customer in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SnapshotRow {
    /// The customer as of the snapshot.
    pub customer: Customer,
    /// Their tier, segment and reason.
    pub assignment: Assignment,
}

/// A whole snapshot, ready for the views and the export (customers and assignments share indexes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SnapshotData {
    /// What the snapshot is.
    pub info: SnapshotInfo,
    /// The customers of the snapshot.
    pub customers: Vec<Customer>,
    /// Their assignments (same indexes as `customers`).
    pub classification: Classification,
}

/// The parts of a `Classification` that are not per customer.
#[derive(Serialize, Deserialize)]
struct RunSummary {
    thresholds: Vec<Threshold>,
    tiers: Vec<GroupSummary>,
    segments: Vec<GroupSummary>,
    notes: Vec<Text>,
    /// Absent in snapshots saved before score notes were kept apart.
    #[serde(default)]
    score_notes: Vec<Text>,
}

impl Workspace {
    /// Saves `classification` of `customers` (same order, same length) as a snapshot dated by its as-of date.
    ///
    /// # Errors
    /// `InvalidParams` when the lengths differ; `Store` (e.g. a customer key twice).
    pub fn save_snapshot(
        &mut self,
        customers: &[Customer],
        classification: &Classification,
        label: Option<&str>,
    ) -> Result<SnapshotInfo> {
        if customers.len() != classification.assignments.len() {
            return Err(Error::InvalidParams(format!(
                "快照的客户数 {} 与分层结果数 {} 不一致 / customers and assignments differ in length",
                customers.len(),
                classification.assignments.len()
            )));
        }
        // Fx, not SipHash: the keys come from the user's own export, and this runs once per snapshot
        // (240k keys at a million orders).
        let mut keys = rustc_hash::FxHashSet::default();
        keys.reserve(customers.len());
        if let Some(c) = customers.iter().find(|c| !keys.insert(c.key.as_str())) {
            return Err(Error::InvalidParams(format!(
                "客户“{}”在快照中出现了两次 / customer key appears twice in the snapshot",
                c.key
            )));
        }
        let summary = RunSummary {
            thresholds: classification.thresholds.clone(),
            tiers: classification.tiers.clone(),
            segments: classification.segments.clone(),
            notes: classification.notes.clone(),
            score_notes: classification.score_notes.clone(),
        };
        self.forget_saved_tiers();
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO classification_runs(method, params, as_of, summary) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                serde_json::to_string(&classification.params.method)?,
                serde_json::to_string(&classification.params)?,
                classification.as_of,
                serde_json::to_string(&summary)?,
            ],
        )?;
        let run_id = tx.last_insert_rowid();
        let orders: u64 = customers.iter().map(|c| u64::from(c.orders)).sum();
        let revenue: Cents = crate::model::sum_cents(customers.iter().map(|c| c.revenue));
        tx.execute(
            "INSERT INTO snapshots(run_id, as_of, label, customers, orders, revenue) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![run_id, classification.as_of, label, customers.len() as u64, orders, revenue],
        )?;
        let id = tx.last_insert_rowid();
        snapshot_blocks::write(&tx, id, customers, &classification.assignments)?;
        tx.commit()?;
        self.snapshot_info(id)
    }

    /// All snapshots, oldest first.
    ///
    /// # Errors
    /// `Store`.
    pub fn snapshots(&self) -> Result<Vec<SnapshotInfo>> {
        self.query_infos("ORDER BY s.id", None)
    }

    /// The most recently saved snapshot, if any.
    ///
    /// # Errors
    /// `Store`.
    pub fn latest_snapshot(&self) -> Result<Option<SnapshotInfo>> {
        Ok(self.query_infos("ORDER BY s.id DESC LIMIT 1", None)?.into_iter().next())
    }

    /// The snapshot saved just before `id`, if any (what the Migration sheet compares against).
    ///
    /// # Errors
    /// `Store`.
    pub fn previous_snapshot(&self, id: i64) -> Result<Option<SnapshotInfo>> {
        Ok(self.query_infos("WHERE s.id < ?1 ORDER BY s.id DESC LIMIT 1", Some(id))?.into_iter().next())
    }

    /// One snapshot's header.
    ///
    /// # Errors
    /// `SnapshotNotFound`, `Store`.
    pub fn snapshot_info(&self, id: i64) -> Result<SnapshotInfo> {
        self.query_infos("WHERE s.id = ?1", Some(id))?
            .into_iter()
            .next()
            .ok_or_else(|| Error::SnapshotNotFound(id.to_string()))
    }

    fn query_infos(&self, tail: &str, id: Option<i64>) -> Result<Vec<SnapshotInfo>> {
        let sql = format!(
            "SELECT s.id, s.as_of, s.label, r.method, s.customers, s.orders, s.revenue, r.summary
             FROM snapshots s JOIN classification_runs r ON r.id = s.run_id {tail}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(SnapshotInfo, String, String)> {
            Ok((
                SnapshotInfo {
                    id: r.get(0)?,
                    as_of: r.get(1)?,
                    label: r.get(2)?,
                    method: Method::AbcRevenue { a_pct: 0.0, b_pct: 0.0 },
                    customers: r.get(4)?,
                    orders: r.get(5)?,
                    revenue: r.get(6)?,
                    tiers: Vec::new(),
                },
                r.get(3)?,
                r.get(7)?,
            ))
        };
        let rows = match id {
            Some(id) => stmt.query_map([id], map)?.collect::<rusqlite::Result<Vec<_>>>()?,
            None => stmt.query_map([], map)?.collect::<rusqlite::Result<Vec<_>>>()?,
        };
        rows.into_iter()
            .map(|(mut info, method, summary)| {
                info.method = serde_json::from_str(&method)?;
                let summary: RunSummary = serde_json::from_str(&summary)?;
                info.tiers = summary.tiers;
                Ok(info)
            })
            .collect()
    }

    /// Every customer of a snapshot with the assignment it had, in the order they were saved.
    ///
    /// # Errors
    /// `SnapshotNotFound`, `Store`.
    pub fn snapshot_assignments(&self, id: i64) -> Result<Vec<SnapshotRow>> {
        self.snapshot_info(id)?;
        let rows = snapshot_blocks::read(&self.conn, id)?;
        Ok(rows.into_iter().map(|(customer, assignment)| SnapshotRow { customer, assignment }).collect())
    }

    /// A whole snapshot as the views and the export need it: customers plus the classification.
    ///
    /// # Errors
    /// `SnapshotNotFound`, `Store`.
    pub fn load_snapshot(&self, id: i64) -> Result<SnapshotData> {
        let info = self.snapshot_info(id)?;
        let (params, summary): (String, String) = self
            .conn
            .query_row(
                "SELECT r.params, r.summary FROM snapshots s JOIN classification_runs r ON r.id = s.run_id
                 WHERE s.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| Error::SnapshotNotFound(id.to_string()))?;
        let params: ClassifyParams = serde_json::from_str(&params)?;
        let summary: RunSummary = serde_json::from_str(&summary)?;
        let (customers, assignments): (Vec<Customer>, Vec<Assignment>) =
            snapshot_blocks::read(&self.conn, id)?.into_iter().unzip();
        let classification = Classification {
            params,
            as_of: info.as_of,
            thresholds: summary.thresholds,
            tiers: summary.tiers,
            segments: summary.segments,
            assignments,
            notes: summary.notes,
            score_notes: summary.score_notes,
        };
        Ok(SnapshotData { info, customers, classification })
    }

    /// The last saved snapshot, whole: what the app shows on start.
    ///
    /// # Errors
    /// `Store`.
    pub fn load_latest(&self) -> Result<Option<SnapshotData>> {
        match self.latest_snapshot()? {
            Some(info) => Ok(Some(self.load_snapshot(info.id)?)),
            None => Ok(None),
        }
    }

    /// Whether a snapshot still describes the workspace's current customers (same number of customers,
    /// orders and revenue): false after an import or a removal that changed them, when the app should
    /// offer to classify again.
    ///
    /// # Errors
    /// `SnapshotNotFound`, `Store`.
    pub fn snapshot_is_current(&self, id: i64) -> Result<bool> {
        let info = self.snapshot_info(id)?;
        let (customers, orders, revenue): (u64, u64, Cents) = self.conn.query_row(
            "SELECT count(*), coalesce(sum(orders), 0), coalesce(sum(revenue), 0) FROM customers WHERE orders > 0",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok((customers, orders, revenue) == (info.customers, info.orders, info.revenue))
    }

    /// Deletes a snapshot (and its run); other snapshots are untouched.
    ///
    /// # Errors
    /// `SnapshotNotFound`, `Store`.
    pub fn delete_snapshot(&mut self, id: i64) -> Result<()> {
        self.forget_saved_tiers();
        let tx = self.write_tx()?;
        let run: Option<i64> =
            tx.query_row("SELECT run_id FROM snapshots WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        let Some(run) = run else {
            return Err(Error::SnapshotNotFound(id.to_string()));
        };
        tx.execute("DELETE FROM snapshot_blocks WHERE snapshot_id = ?1", [id])?;
        tx.execute("DELETE FROM snapshots WHERE id = ?1", [id])?;
        tx.execute("DELETE FROM classification_runs WHERE id = ?1", [run])?;
        tx.commit()?;
        Ok(())
    }
}

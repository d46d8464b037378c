//! Campaigns in the workspace: creating one from customer keys (the holdout drawn by
//! `campaign::split_holdout`), listing, deleting, and the report, which reads the members' orders in
//! the window after the campaign date and hands them to `campaign::report`. Also the per-customer
//! tier history (`tier_changes`), which reads the snapshots' tiers for `tier_changes::trace`.

use std::sync::Arc;

use chrono::NaiveDate;

use super::{from_seconds, order_blocks, snapshot_blocks, to_seconds, Workspace};
use crate::campaign::{self, Campaign, CampaignReport, CampaignSpec, Member, WindowOrder};
use crate::classify::Classification;
use crate::error::{Error, Result};
use crate::model::Customer;
use crate::tier_changes::{self, SavedTiers, SnapshotTiers, TierChanges};

fn not_found(id: i64) -> Error {
    Error::InvalidParams(format!("找不到编号为 {id} 的活动（可能已被删除）。请刷新活动列表后再试。"))
}

impl Workspace {
    /// Stores a campaign for `keys` (customer keys of this workspace): draws the holdout from the
    /// spec's share and seed, and marks the others as contacted.
    ///
    /// # Errors
    /// `InvalidParams` for a spec `campaign::validate` refuses, no keys, or keys the workspace does
    /// not know (the message names a few); `Store`.
    pub fn create_campaign(&mut self, spec: &CampaignSpec, keys: &[String]) -> Result<Campaign> {
        campaign::validate(spec)?;
        let mut keys: Vec<String> = keys.iter().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Err(Error::InvalidParams("没有选择任何客户，无法创建活动。".into()));
        }
        let unknown = {
            let mut stmt = self.conn.prepare_cached("SELECT 1 FROM customers WHERE key = ?1 AND orders > 0")?;
            let mut unknown = Vec::new();
            for k in &keys {
                if !stmt.exists([k])? {
                    unknown.push(k.clone());
                }
            }
            unknown
        };
        if !unknown.is_empty() {
            let shown: Vec<&str> = unknown.iter().take(5).map(String::as_str).collect();
            return Err(Error::InvalidParams(format!(
                "工作区里没有这些客户：{}{}（共 {} 个）。请检查客户ID，或先导入他们的订单。",
                shown.join("、"),
                if unknown.len() > shown.len() { "…" } else { "" },
                unknown.len()
            )));
        }
        let members = campaign::split_holdout(&keys, spec.holdout_share, spec.seed);
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO campaigns(name, date, channel, cost_per_contact, holdout_share, seed, audience)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                spec.name.trim(),
                spec.date,
                spec.channel.trim(),
                spec.cost_per_contact,
                spec.holdout_share,
                spec.seed,
                spec.audience
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO campaign_members(campaign_id, key, holdout) VALUES (?1, ?2, ?3)")?;
            for m in &members {
                insert.execute(rusqlite::params![id, m.key, m.holdout])?;
            }
        }
        tx.commit()?;
        self.campaign(id)
    }

    /// Every campaign, newest date first (then newest created).
    ///
    /// # Errors
    /// `Store`.
    pub fn campaigns(&self) -> Result<Vec<Campaign>> {
        self.query_campaigns("ORDER BY c.date DESC, c.id DESC", None)
    }

    /// One campaign.
    ///
    /// # Errors
    /// `InvalidParams` when there is no campaign `id`; `Store`.
    pub fn campaign(&self, id: i64) -> Result<Campaign> {
        self.query_campaigns("WHERE c.id = ?1", Some(id))?.into_iter().next().ok_or_else(|| not_found(id))
    }

    fn query_campaigns(&self, tail: &str, id: Option<i64>) -> Result<Vec<Campaign>> {
        let sql = format!(
            "SELECT c.id, c.name, c.date, c.channel, c.cost_per_contact, c.holdout_share, c.seed, c.audience,
                    (SELECT count(*) FROM campaign_members m WHERE m.campaign_id = c.id AND m.holdout = 0),
                    (SELECT count(*) FROM campaign_members m WHERE m.campaign_id = c.id AND m.holdout = 1)
             FROM campaigns c {tail}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let map = |r: &rusqlite::Row<'_>| {
            Ok(Campaign {
                id: r.get(0)?,
                spec: CampaignSpec {
                    name: r.get(1)?,
                    date: r.get(2)?,
                    channel: r.get(3)?,
                    cost_per_contact: r.get(4)?,
                    holdout_share: r.get(5)?,
                    seed: r.get(6)?,
                    audience: r.get(7)?,
                },
                contacted: r.get(8)?,
                holdout: r.get(9)?,
            })
        };
        let rows = match id {
            Some(id) => stmt.query_map([id], map)?.collect::<rusqlite::Result<Vec<_>>>()?,
            None => stmt.query_map([], map)?.collect::<rusqlite::Result<Vec<_>>>()?,
        };
        Ok(rows)
    }

    /// The members of a campaign, by key.
    ///
    /// # Errors
    /// `InvalidParams` when there is no campaign `id`; `Store`.
    pub fn campaign_members(&self, id: i64) -> Result<Vec<Member>> {
        self.campaign(id)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, holdout FROM campaign_members WHERE campaign_id = ?1 ORDER BY key")?;
        let rows = stmt.query_map([id], |r| Ok(Member { key: r.get(0)?, holdout: r.get(1)? }))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Deletes a campaign and its members (orders and customers are untouched).
    ///
    /// # Errors
    /// `InvalidParams` when there is no campaign `id`; `Store`.
    pub fn delete_campaign(&mut self, id: i64) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute("DELETE FROM campaign_members WHERE campaign_id = ?1", [id])?;
        if tx.execute("DELETE FROM campaigns WHERE id = ?1", [id])? == 0 {
            return Err(not_found(id));
        }
        tx.commit()?;
        Ok(())
    }

    /// The report of campaign `id` over the `window_days` days after its date (see `campaign`'s
    /// rules), from the orders stored now.
    ///
    /// # Errors
    /// `InvalidParams` for an unknown campaign or a window outside 1–3650 days; `Store`.
    pub fn campaign_report(&self, id: i64, window_days: u32) -> Result<CampaignReport> {
        let campaign = self.campaign(id)?;
        let members = self.campaign_members(id)?;
        let (start, end) = campaign::window(campaign.spec.date, window_days);
        let day_start = |d: NaiveDate| to_seconds(d.and_hms_opt(0, 0, 0).unwrap_or_default());
        let end_exclusive = end.succ_opt().unwrap_or(end);
        // The members' customers by id (a member may have no stored customer: no orders then).
        let mut by_id: rustc_hash::FxHashMap<i64, String> = rustc_hash::FxHashMap::default();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.id, c.key FROM campaign_members m JOIN customers c ON c.key = m.key WHERE m.campaign_id = ?1",
            )?;
            let mut rows = stmt.query([id])?;
            while let Some(r) = rows.next()? {
                by_id.insert(r.get(0)?, r.get(1)?);
            }
        }
        let (from, until) = (day_start(start), day_start(end_exclusive));
        let mut orders = Vec::new();
        let mut last: Option<i64> = None;
        order_blocks::for_each(&self.conn, |o| {
            last = Some(last.map_or(o.placed_at, |l| l.max(o.placed_at)));
            if (from..until).contains(&o.placed_at) {
                if let Some(key) = by_id.get(&o.customer_id) {
                    orders.push(WindowOrder {
                        key: key.clone(),
                        orders: o.order_count,
                        net: o.paid.saturating_sub(o.refund),
                    });
                }
            }
            Ok(())
        })?;
        let data_until = last.map(|s| from_seconds(s).date());
        campaign::report(&campaign, &members, &orders, window_days, data_until)
    }

    /// Every customer's previous tier and last tier change over the snapshots up to and including
    /// `snapshot` (the current one), oldest first; see `tier_changes`.
    ///
    /// # Errors
    /// `SnapshotNotFound`, `Store`.
    pub fn tier_changes(&self, snapshot: i64) -> Result<TierChanges> {
        self.snapshot_info(snapshot)?;
        let mut snapshots = Vec::new();
        for (id, as_of) in self.snapshot_dates(Some(snapshot))? {
            let mut tiers = Vec::new();
            snapshot_blocks::for_each_brief(&self.conn, id, |c| tiers.push((c.key.to_owned(), c.tier)))?;
            snapshots.push(SnapshotTiers { as_of, tiers });
        }
        Ok(tier_changes::trace(&snapshots))
    }

    /// The same for a classification that may not be saved (what the app shows, what an export
    /// writes): every snapshot, then `classification` of `customers` as the current one
    /// (`SavedTiers` says how a last snapshot identical to it counts).
    ///
    /// # Errors
    /// `Store`.
    pub fn tier_changes_of(&self, customers: &[Customer], classification: &Classification) -> Result<TierChanges> {
        Ok(self.saved_tiers()?.trace_current(customers, classification))
    }

    /// The saved snapshots' tier history (`SavedTiers::against` gives a classification's customers
    /// theirs), read once and kept until the snapshots change: the customer list and the drawer ask
    /// for it after every parameter change (~0.16 s a 240k-customer snapshot to read again). Not
    /// kept inside a transaction, which may yet roll back a snapshot it saved.
    ///
    /// # Errors
    /// `Store`.
    pub fn saved_tiers(&self) -> Result<Arc<SavedTiers>> {
        let version: i64 = self.conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
        let keep = self.conn.is_autocommit();
        if let Some((read_at, saved)) = &*self.saved_tiers.borrow() {
            if keep && *read_at == version {
                return Ok(Arc::clone(saved));
            }
        }
        // A snapshot at a time, straight from its blocks: the keys of every snapshot are never all
        // in memory at once.
        let dates = self.snapshot_dates(None)?;
        let mut saved = SavedTiers::default();
        for (i, &(id, as_of)) in dates.iter().enumerate() {
            let mut add = saved.snapshot(as_of, dates.len() - 1 - i);
            snapshot_blocks::for_each_brief(&self.conn, id, |c| add(c.key, c.tier))?;
        }
        let saved = Arc::new(saved);
        *self.saved_tiers.borrow_mut() = keep.then(|| (version, Arc::clone(&saved)));
        Ok(saved)
    }

    /// After this connection saved or deleted a snapshot (its own commits leave `data_version` as it is).
    pub(super) fn forget_saved_tiers(&mut self) {
        *self.saved_tiers.get_mut() = None;
    }

    /// (id, as-of) of every snapshot up to `upto` (all when `None`), oldest first.
    fn snapshot_dates(&self, upto: Option<i64>) -> Result<Vec<(i64, NaiveDate)>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, as_of FROM snapshots WHERE id <= ?1 ORDER BY id")?;
        let rows = stmt.query_map([upto.unwrap_or(i64::MAX)], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

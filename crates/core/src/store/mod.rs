//! The workspace: one SQLite file per shop that remembers every import (sources and their orders,
//! deduplicated), the per-customer aggregates, classification runs and their snapshots (tier history),
//! saved column mappings, the edited playbook and settings.
//!
//! Submodules: `schema` (versioned migrations), `import` (atomic, incremental imports), `snapshots`
//! (saving and loading classifications), `compare` (feeds two snapshots to `history::compare`),
//! `shops` (several named workspaces in one folder), `backup` (checked restore from a backup file),
//! `products` (orders read back with their items; the cost table).
//!
//! What it deliberately does not do: parse files (that is `import`), classify (`classify`) or read the
//! clock — the caller passes `imported_at`, and snapshots are dated by their as-of date.
//! Opening a workspace never re-reads source files or re-aggregates orders: customer aggregates are
//! maintained on import and the last classification is stored whole.

pub mod backup;
mod campaigns;
mod compare;
pub mod import;
mod items;
mod order_blocks;
mod products;
pub mod schema;
pub mod shops;
mod snapshot_blocks;
mod snapshots;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, Savepoint, Transaction, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::cohort::{self, CohortTable, Purchase};
use crate::error::{Error, Result, StoreError};
use crate::model::{Customer, Order, Shared, Text};
use crate::playbook::Playbook;
use crate::region::{Region, RegionLookup};
use crate::report::ImportReport;

pub use backup::{BackupInfo, Existing, RestoreOutcome};
pub(crate) use import::ToStore;
pub use import::{file_digest, layout_fingerprint, ImportedFile};
pub use order_blocks::Stored as StoredOrder;
pub use products::{ProductCost, StoredProducts};
pub use shops::ShopInfo;
pub use snapshots::{SnapshotData, SnapshotInfo, SnapshotRow};

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(StoreError::Sqlite(e))
    }
}

impl From<rusqlite::types::FromSqlError> for Error {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        Error::Store(StoreError::Value(e))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Store(StoreError::Json(e))
    }
}

/// One imported file, as the workspace remembers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceInfo {
    /// The source's id in the workspace.
    pub id: i64,
    /// The file's name.
    pub file_name: String,
    /// The path it was imported from (the file may have moved since; it is never read again).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Hex SHA-256 of the file's bytes: the same file imported again is recognized by it.
    pub sha256: String,
    /// When the caller says the import happened (the core never reads the clock).
    pub imported_at: NaiveDateTime,
    /// Data rows read from the file.
    pub rows: u64,
    /// Orders this file added to the workspace.
    pub orders_added: u64,
    /// Orders of this file the workspace already had (overlapping exports).
    pub orders_known: u64,
    /// True when the column mapping came from an earlier import of the same layout.
    pub mapping_reused: bool,
    /// Fingerprint of the file's header row (`layout_fingerprint`); `None` for sources imported
    /// before schema version 3.
    pub layout: Option<String>,
    /// The import report of the file.
    pub report: ImportReport,
}

/// What `Workspace::import` did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportOutcome {
    /// One report per newly imported file.
    pub reports: Vec<ImportReport>,
    /// Orders added by this import.
    pub new_orders: u64,
    /// Orders in the files that the workspace already had.
    pub known_orders: u64,
    /// Known orders whose amount, refund or status the newer export changed (a partial refund
    /// after the last import); the stored order now says what the newer export says.
    #[serde(default)]
    pub updated_orders: u64,
    /// Known orders the newer export shows closed, cancelled or fully refunded: taken out.
    #[serde(default)]
    pub withdrawn_orders: u64,
    /// File names skipped because the very same file (same SHA-256) was imported before.
    pub unchanged_files: Vec<String>,
    /// The sources this import added.
    pub sources: Vec<SourceInfo>,
}

impl ImportOutcome {
    /// True when the import changed nothing (every file was already imported, or added no order).
    pub fn is_unchanged(&self) -> bool {
        self.new_orders == 0 && self.updated_orders == 0 && self.withdrawn_orders == 0 && self.sources.is_empty()
    }

    /// A one-line summary for the user, e.g. "新增 120 单，已有 880 单；1 个文件与之前导入的完全相同".
    pub fn summary(&self) -> Text {
        let mut zh = format!("新增 {} 单，已有 {} 单", self.new_orders, self.known_orders);
        let mut en = format!("{} new orders, {} already known", self.new_orders, self.known_orders);
        if self.updated_orders > 0 {
            zh.push_str(&format!("；{} 单的金额或退款有变化，已按新文件更新", self.updated_orders));
            en.push_str(&format!("; {} changed (amount or refund) and were updated", self.updated_orders));
        }
        if self.withdrawn_orders > 0 {
            zh.push_str(&format!("；{} 单在新文件中已关闭或全额退款，已移除", self.withdrawn_orders));
            en.push_str(&format!("; {} are now closed or fully refunded and were taken out", self.withdrawn_orders));
        }
        if !self.unchanged_files.is_empty() {
            zh.push_str(&format!(
                "；{} 个文件与之前导入的完全相同，未做任何更改（{}）",
                self.unchanged_files.len(),
                self.unchanged_files.join("、")
            ));
            en.push_str(&format!(
                "; {} file(s) identical to an earlier import, nothing changed ({})",
                self.unchanged_files.len(),
                self.unchanged_files.join(", ")
            ));
        }
        Text::new(zh, en)
    }
}

/// SQLite's default `wal_autocheckpoint` (pages in the log that make a commit checkpoint).
const DEFAULT_AUTOCHECKPOINT: i64 = 1000;

/// An open workspace file. Not `Sync`: give each thread its own `Workspace` (SQLite's WAL lets
/// several connections read while one writes).
pub struct Workspace {
    conn: Connection,
    path: PathBuf,
    /// The checkpoint after a large commit, on a connection of its own (`commit_large`); joined
    /// before the next one and when the workspace is closed.
    checkpoint: Option<std::thread::JoinHandle<()>>,
    /// The saved snapshots' tier history (`tier_changes_of`) and the `PRAGMA data_version` it was
    /// read at: another connection's commit changes that number, and this connection's own snapshot
    /// writes clear it (`forget_saved_tiers`).
    saved_tiers: std::cell::RefCell<Option<(i64, std::sync::Arc<crate::tier_changes::SavedTiers>)>>,
}

impl Drop for Workspace {
    fn drop(&mut self) {
        self.join_checkpoint();
    }
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace").field("path", &self.path).finish()
    }
}

const PLAYBOOK_NAME: &str = "current";

/// The write transaction of one store operation: its own `BEGIN IMMEDIATE` transaction, or, inside
/// a `WorkspaceTransaction`, a savepoint of it, so that every step of a job commits together.
pub(crate) enum WriteTx<'c> {
    Own(Transaction<'c>),
    Nested(Savepoint<'c>),
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            WriteTx::Own(tx) => tx,
            WriteTx::Nested(sp) => sp,
        }
    }
}

impl WriteTx<'_> {
    /// Commits the own transaction, or releases the savepoint into the enclosing one.
    pub(crate) fn commit(self) -> rusqlite::Result<()> {
        match self {
            WriteTx::Own(tx) => tx.commit(),
            WriteTx::Nested(sp) => sp.commit(),
        }
    }
}

/// All-or-nothing work on a workspace (see `Workspace::begin`): every import, snapshot or setting
/// written through it becomes visible at `commit`, and none of it when it is dropped uncommitted (an
/// error, a cancel, a killed process).
pub struct WorkspaceTransaction<'w> {
    ws: &'w mut Workspace,
    open: bool,
}

impl std::ops::Deref for WorkspaceTransaction<'_> {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        self.ws
    }
}

impl std::ops::DerefMut for WorkspaceTransaction<'_> {
    fn deref_mut(&mut self) -> &mut Workspace {
        self.ws
    }
}

impl WorkspaceTransaction<'_> {
    /// Makes everything written through this transaction durable.
    ///
    /// # Errors
    /// `Store` (e.g. the disk is full); nothing is committed then.
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        if let Err(e) = self.ws.conn.execute_batch("COMMIT") {
            let _ = self.ws.conn.execute_batch("ROLLBACK");
            return Err(e.into());
        }
        Ok(())
    }
}

impl Drop for WorkspaceTransaction<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing to report to: the caller is already returning an error (or panicking).
            let _ = self.ws.conn.execute_batch("ROLLBACK");
        }
    }
}

impl Workspace {
    /// Opens the workspace at `path`, creating it when missing, and upgrades an older schema. An
    /// existing file is first looked at read-only (ours? its tables? `PRAGMA quick_check`); only a
    /// sound TierBook workspace is switched to WAL, migrated or written.
    ///
    /// # Errors
    /// `NotAWorkspace` for a file that is not a TierBook workspace (text, another program's SQLite
    /// database, a file too damaged to tell); `WorkspaceDamaged` for our workspace failing the
    /// integrity check (left untouched); `WorkspaceTooNew` for a workspace written by a newer
    /// TierBook (left untouched); `Io` when the file cannot be read; `Store` when an upgrade fails
    /// (rolled back).
    pub fn open(path: &Path) -> Result<Workspace> {
        let conn = schema::open(path)?;
        Ok(Workspace { conn, path: path.to_path_buf(), checkpoint: None, saved_tiers: Default::default() })
    }

    /// Whether the file at `path` is a workspace of this build's schema version, going by its header
    /// only: nothing is created, upgraded or checked (false for anything else). The app reads the
    /// customers of such a workspace through a [`Workspace::reader`] while [`Workspace::open`] checks
    /// the file, and uses them only once the open has succeeded.
    pub fn is_current_version(path: &Path) -> bool {
        schema::is_current(path)
    }

    /// A second connection to the workspace at `path` that another connection has opened (and so
    /// checked and upgraded: nothing is checked again), for reading on another thread beside it (the
    /// app reads ahead what its screens read on first use). It cannot write (`query_only`). In WAL
    /// mode it reads the last commit and neither waits for the other connection's writes nor holds
    /// them up.
    ///
    /// # Errors
    /// `Store` when SQLite cannot open the file (e.g. it is gone).
    pub fn reader(path: &Path) -> Result<Workspace> {
        let conn = schema::open_again(path)?;
        conn.pragma_update(None, "query_only", true)?;
        conn.pragma_update(None, "cache_size", -16384)?;
        Ok(Workspace { conn, path: path.to_path_buf(), checkpoint: None, saved_tiers: Default::default() })
    }

    /// Starts all-or-nothing work: the store's write methods called through the returned
    /// transaction commit together at `WorkspaceTransaction::commit`, or not at all. Takes the write
    /// lock at once (another process writing waits, as for any write).
    ///
    /// # Errors
    /// `Store` when the lock cannot be had (another program holds it past the busy timeout).
    pub fn begin(&mut self) -> Result<WorkspaceTransaction<'_>> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(WorkspaceTransaction { ws: self, open: true })
    }

    /// A write transaction of its own, or a savepoint inside the open `WorkspaceTransaction`.
    pub(crate) fn write_tx(&mut self) -> rusqlite::Result<WriteTx<'_>> {
        if self.conn.is_autocommit() {
            Ok(WriteTx::Own(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?))
        } else {
            Ok(WriteTx::Nested(self.conn.savepoint()?))
        }
    }

    /// Commits `tx`, a write of many pages (an import), without SQLite's automatic checkpoint
    /// after it: that would copy the whole write from the log into the database file, with its
    /// syncs, before the commit returns (~300 ms of a 400k-order import, when no progress can be
    /// shown). Pass what it returns to `after_large_commit`. True when it committed a transaction
    /// of its own; inside a `WorkspaceTransaction` it only releases the savepoint (the enclosing
    /// commit decides, with the automatic checkpoint).
    pub(crate) fn commit_large(tx: WriteTx<'_>) -> rusqlite::Result<bool> {
        if !matches!(tx, WriteTx::Own(_)) {
            return tx.commit().map(|()| false);
        }
        tx.pragma_update(None, "wal_autocheckpoint", 0)?;
        tx.commit().map(|()| true)
    }

    /// After `commit_large`: SQLite's automatic checkpoint back on (for the small writes), and
    /// the log copied into the database file on a thread with a connection of its own, beside
    /// whatever the caller does next (in WAL mode readers and writers go on meanwhile). A failed
    /// checkpoint costs nothing: the committed pages stay in the log, where SQLite reads them, and
    /// the next checkpoint (at the latest when the workspace is closed) copies them.
    ///
    /// # Errors
    /// The commit's, or `Store` when the setting cannot be restored.
    pub(crate) fn after_large_commit(&mut self, committed: rusqlite::Result<bool>) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", DEFAULT_AUTOCHECKPOINT)?;
        if !committed? {
            return Ok(());
        }
        self.join_checkpoint();
        let path = self.path.clone();
        let checkpoint = move || {
            if let Ok(conn) = schema::open_again(&path) {
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        };
        self.checkpoint = std::thread::Builder::new().name("workspace checkpoint".into()).spawn(checkpoint).ok();
        Ok(())
    }

    fn join_checkpoint(&mut self) {
        if let Some(running) = self.checkpoint.take() {
            let _ = running.join();
        }
    }

    /// A handle that stops the statement running on this workspace's connection from another
    /// thread (it fails with SQLite's interrupt); nothing when none is running.
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.conn.get_interrupt_handle()
    }

    /// The file this workspace lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file (always `schema::LATEST_VERSION` after `open`).
    ///
    /// # Errors
    /// `Store`.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Every imported source, oldest first.
    ///
    /// # Errors
    /// `Store`.
    pub fn sources(&self) -> Result<Vec<SourceInfo>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, file_name, path, size, sha256, imported_at, rows, orders_added, orders_known, report, layout, mapping_reused
             FROM sources ORDER BY id",
        )?;
        let rows = stmt.query_map([], source_from_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// All customers with at least one order, sorted by key, from the stored aggregates (no orders are read).
    ///
    /// # Errors
    /// `Store`.
    pub fn customers(&self) -> Result<Vec<Customer>> {
        self.customers_ticking(&mut |_| ())
    }

    /// `customers`, calling `tick` with the number read so far every 16,384 customers: reading
    /// 240k of them takes ~0.3 s, which a window's progress should not sit through.
    ///
    /// # Errors
    /// `Store`.
    pub fn customers_ticking(&self, tick: &mut dyn FnMut(u64)) -> Result<Vec<Customer>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, name, phone, orders, revenue, first_order, last_order, interactions
             FROM customers WHERE orders > 0",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Customer {
                key: r.get(0)?,
                name: r.get(1)?,
                phone: r.get(2)?,
                orders: r.get(3)?,
                revenue: r.get(4)?,
                first_order: r.get(5)?,
                last_order: r.get(6)?,
                interactions: r.get(7)?,
                profit: None,
            })
        })?;
        // A sequential scan sorted here is several times faster than walking the key index.
        let mut customers = Vec::new();
        for row in rows {
            customers.push(row?);
            if (customers.len() as u64).is_multiple_of(16_384) {
                tick(customers.len() as u64);
            }
        }
        customers.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Ok(customers)
    }

    /// Every customer's stored region (their most recent order with an address), by key.
    ///
    /// # Errors
    /// `Store`.
    pub fn customer_regions(&self) -> Result<RegionLookup> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, province, city FROM customers WHERE orders > 0 AND province IS NOT NULL")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, Region { province: r.get(1)?, city: r.get(2)? })))?;
        Ok(RegionLookup::new(rows.collect::<rusqlite::Result<Vec<_>>>()?))
    }

    /// The cohort table of every stored order, cut at `as_of`: reads only customer id, date, first
    /// date and net revenue of each order (no keys or names).
    ///
    /// # Errors
    /// `Store`.
    pub fn cohorts(&self, as_of: NaiveDate) -> Result<CohortTable> {
        let mut purchases = Vec::new();
        order_blocks::for_each(&self.conn, |o| {
            purchases.push(Purchase {
                customer: o.customer_id,
                placed: from_seconds(o.placed_at).date(),
                first_date: o.first_date,
                net: o.paid.saturating_sub(o.refund),
            });
            Ok(())
        })?;
        Ok(cohort::cohorts_of(&purchases, as_of))
    }

    /// The orders of one customer, oldest first (`Order::source` holds the source id).
    ///
    /// # Errors
    /// `Store`.
    pub fn orders_of(&self, key: &str) -> Result<Vec<Order>> {
        let id: Option<i64> =
            self.conn.query_row("SELECT id FROM customers WHERE key = ?1", [key], |r| r.get(0)).optional()?;
        let Some(id) = id else { return Ok(Vec::new()) };
        let ids = std::iter::once(id).collect();
        let mut stored = order_blocks::of_customers(&self.conn, &ids, &mut || Ok(()))?;
        stored.sort_by_key(|o| (o.placed_at, o.id));
        let key = Shared::from(key);
        stored.into_iter().map(|o| stored_order(o, key.clone())).collect()
    }

    /// Every stored order, by customer then date (for re-aggregation or export of the raw data).
    ///
    /// # Errors
    /// `Store`.
    pub fn all_orders(&self) -> Result<Vec<Order>> {
        let keys = self.keys_by_id()?;
        let mut all: Vec<(i64, Order)> = Vec::new();
        order_blocks::for_each_block(&self.conn, |orders| {
            for o in orders.drain(..) {
                let id = o.id;
                let key = customer_key(&keys, o.customer_id)?;
                all.push((id, stored_order(o, key)?));
            }
            Ok(())
        })?;
        all.sort_by(|(a_id, a), (b_id, b)| {
            (a.customer_key.as_str(), a.placed_at, a_id).cmp(&(b.customer_key.as_str(), b.placed_at, b_id))
        });
        Ok(all.into_iter().map(|(_, o)| o).collect())
    }

    /// Every stored order as the workspace keeps it, in id order: for checks (a reader of orders gets
    /// them through `all_orders`, `orders_of` or `orders_with_items`).
    ///
    /// # Errors
    /// `Store`.
    pub fn stored_orders(&self) -> Result<Vec<StoredOrder>> {
        let mut all = Vec::new();
        order_blocks::for_each_block(&self.conn, |orders| {
            all.append(orders);
            Ok(())
        })?;
        Ok(all)
    }

    /// Every customer's key by id (each key read once and shared).
    fn keys_by_id(&self) -> Result<rustc_hash::FxHashMap<i64, Shared>> {
        let mut stmt = self.conn.prepare("SELECT id, key FROM customers")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The order days of every customer (for `rhythm`): one pass over the orders, no order
    /// built. Kept apart from `customers()` so that classifying never pays for it.
    ///
    /// # Errors
    /// `Store`.
    pub fn order_days(&self) -> Result<crate::rhythm::OrderDays> {
        let keys = self.keys_with_orders()?;
        let mut days = crate::rhythm::OrderDays::default();
        order_blocks::for_each(&self.conn, |o| {
            if let Some(key) = keys.get(&o.customer_id) {
                days.add(key, from_seconds(o.placed_at).date(), o.order_count);
            }
            Ok(())
        })?;
        days.finish();
        Ok(days)
    }

    /// The keys of the customers with orders, by id.
    fn keys_with_orders(&self) -> Result<rustc_hash::FxHashMap<i64, String>> {
        let mut keys = rustc_hash::FxHashMap::default();
        let mut stmt = self.conn.prepare("SELECT id, key FROM customers WHERE orders > 0")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            keys.insert(r.get::<_, i64>(0)?, r.get::<_, String>(1)?);
        }
        Ok(keys)
    }

    /// Every stored order's day, first date, net amount, count and interactions by customer key:
    /// what `window::apply` sums for an analysis window.
    ///
    /// # Errors
    /// `Store`.
    pub fn order_ledger(&self) -> Result<crate::window::Ledger> {
        let keys = self.keys_with_orders()?;
        let mut ledger = crate::window::Ledger::default();
        order_blocks::for_each(&self.conn, |o| {
            if let Some(key) = keys.get(&o.customer_id) {
                let net = o.paid.saturating_sub(o.refund);
                let date = from_seconds(o.placed_at).date();
                ledger.add(key, date, o.first_date, net, o.order_count, o.interactions);
            }
            Ok(())
        })?;
        Ok(ledger)
    }

    /// True while nothing has been imported, saved or entered: no source, order, customer,
    /// snapshot, campaign or product cost (settings, playbooks and saved mappings may exist).
    ///
    /// # Errors
    /// `Store`.
    pub fn is_new(&self) -> Result<bool> {
        let tables = ["sources", "order_blocks", "customers", "snapshots", "campaigns", "product_costs"];
        let any = tables.map(|t| format!("EXISTS (SELECT 1 FROM {t})")).join(" OR ");
        Ok(!self.conn.query_row(&format!("SELECT {any}"), [], |r| r.get::<_, bool>(0))?)
    }

    /// Writes the open transaction's changed pages out now (to the log, or to the file under a
    /// rollback journal; not committed), and has the system put them on the disk, so that the
    /// commit has little left to write or wait for: at a million orders the commit's sync of the
    /// file's ~250 MB took ~0.15 s after everything else was done. Syncing early changes nothing
    /// for a crash: until the commit the journal (or the log's missing commit record) still undoes
    /// the transaction.
    ///
    /// # Errors
    /// `Store`; `Io` when the system cannot write the file out.
    pub fn flush_pages(&self) -> Result<()> {
        self.conn.cache_flush()?;
        let mode: String = self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let written =
            if mode.eq_ignore_ascii_case("wal") { crate::paths::wal_file(&self.path) } else { self.path.clone() };
        let io = |e| Error::Io { path: written.clone(), source: e };
        // Another handle on the same file: a sync writes out the file's pages whoever wrote them.
        std::fs::OpenOptions::new().write(true).open(&written).and_then(|f| f.sync_data()).map_err(io)
    }

    /// For a shop's first import only (a workspace that `is_new`, nobody else connected): switches
    /// from the write-ahead log to a rollback journal, so that the import's pages are written once,
    /// into the file, instead of into the log and then copied into the file at the commit (0.7 s of
    /// a million-order import). Synchronous goes to FULL meanwhile, which a rollback journal needs to
    /// survive a power cut. Returns whether it switched: never while another connection (another
    /// window, the CLI) has the workspace open, which the log is there for. `use_wal` switches back.
    ///
    /// A process killed in the middle leaves a hot journal, which `schema::open` rolls back.
    ///
    /// # Errors
    /// `Store`.
    pub(crate) fn use_rollback_journal(&mut self) -> Result<bool> {
        self.join_checkpoint();
        // Leaving the log needs the only connection: find out at once, not after the busy timeout.
        self.conn.busy_timeout(std::time::Duration::ZERO)?;
        let mode = self.conn.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0));
        self.conn.busy_timeout(schema::BUSY_TIMEOUT)?;
        let switched = matches!(mode.as_deref(), Ok(m) if m.eq_ignore_ascii_case("delete"));
        if switched {
            self.conn.pragma_update(None, "synchronous", "FULL")?;
        }
        Ok(switched)
    }

    /// Back to the write-ahead log after `use_rollback_journal`.
    ///
    /// # Errors
    /// `Store`; the next `open` switches to the log anyway.
    pub(crate) fn use_wal(&mut self) -> Result<()> {
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(())
    }

    /// Number of stored orders.
    ///
    /// # Errors
    /// `Store`.
    pub fn order_count(&self) -> Result<u64> {
        order_blocks::count(&self.conn)
    }

    /// Number of customers with at least one order.
    ///
    /// # Errors
    /// `Store`.
    pub fn customer_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM customers WHERE orders > 0", [], |r| r.get(0))?)
    }

    /// A setting saved with `set_setting`, or `None` when never set.
    ///
    /// # Errors
    /// `Store` when the stored value does not fit `T` (e.g. written by another version as another type).
    pub fn get_setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let value: Option<String> =
            self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
        match value {
            Some(v) => Ok(Some(serde_json::from_str(&v)?)),
            None => Ok(None),
        }
    }

    /// Saves a setting (as JSON), replacing any earlier value.
    ///
    /// # Errors
    /// `Store`.
    pub fn set_setting<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<()> {
        let json = serde_json::to_string(value)?;
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json),
        )?;
        Ok(())
    }

    /// Removes a setting (no error when it was not set).
    ///
    /// # Errors
    /// `Store`.
    pub fn remove_setting(&mut self, key: &str) -> Result<()> {
        self.conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }

    /// The user's edited playbook, or the default one when never edited.
    ///
    /// # Errors
    /// `Store`.
    pub fn playbook(&self) -> Result<Playbook> {
        let body: Option<String> = self
            .conn
            .query_row("SELECT body FROM playbooks WHERE name = ?1", [PLAYBOOK_NAME], |r| r.get(0))
            .optional()?;
        match body {
            Some(b) => Ok(serde_json::from_str(&b)?),
            None => Ok(Playbook::default()),
        }
    }

    /// Saves the edited playbook; later `playbook()` calls return it.
    ///
    /// # Errors
    /// `Store`.
    pub fn save_playbook(&mut self, playbook: &Playbook) -> Result<()> {
        let body = serde_json::to_string(playbook)?;
        self.conn.execute(
            "INSERT INTO playbooks(name, body) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET body = excluded.body",
            (PLAYBOOK_NAME, body),
        )?;
        Ok(())
    }

    /// Forgets the edited playbook: `playbook()` returns the default again.
    ///
    /// # Errors
    /// `Store`.
    pub fn reset_playbook(&mut self) -> Result<()> {
        self.conn.execute("DELETE FROM playbooks WHERE name = ?1", [PLAYBOOK_NAME])?;
        Ok(())
    }

    /// Copies the whole workspace to `path` with SQLite's online backup API (consistent even while
    /// other connections write), into a temporary file that is renamed into place when complete.
    /// The copy is a single self-contained file (rollback journal mode; WAL is turned on again when
    /// it is opened as a workspace).
    ///
    /// # Errors
    /// `Write` when the target folder is not writable or `path` is this workspace's own file.
    pub fn backup_to(&self, path: &Path) -> Result<()> {
        let write_err = |detail: String| Error::Write { path: path.to_path_buf(), detail };
        if crate::paths::workspace_files(&self.path).iter().any(|own| crate::paths::same_file(path, own)) {
            return Err(write_err("不能备份到工作区自身 / cannot back up onto the workspace itself".into()));
        }
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = path.with_file_name(format!(".{file_name}.tierbook-backup"));
        let _ = std::fs::remove_file(&tmp);
        let result = (|| -> rusqlite::Result<()> {
            let mut dst = Connection::open(&tmp)?;
            {
                let backup = rusqlite::backup::Backup::new(&self.conn, &mut dst)?;
                backup.run_to_completion(1024, std::time::Duration::ZERO, None)?;
            }
            let _mode: String = dst.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
            dst.close().map_err(|(_, e)| e)
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(write_err(e.to_string()));
        }
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            write_err(e.to_string())
        })
    }

    /// Runs SQLite's integrity check; `Ok(())` when the file is sound.
    ///
    /// # Errors
    /// `Store` with SQLite's findings.
    pub fn check_integrity(&self) -> Result<()> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let found: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        if found.len() == 1 && found[0] == "ok" {
            Ok(())
        } else {
            Err(Error::Store(StoreError::Integrity(found.join("; "))))
        }
    }
}

fn source_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<SourceInfo>> {
    let report: String = r.get(9)?;
    let layout: Option<String> = r.get(10)?;
    let report = match serde_json::from_str(&report) {
        Ok(rep) => rep,
        Err(e) => return Ok(Err(e.into())),
    };
    let mapping_reused: bool = r.get(11)?;
    Ok(Ok(SourceInfo {
        id: r.get(0)?,
        file_name: r.get(1)?,
        path: r.get(2)?,
        size: r.get(3)?,
        sha256: r.get(4)?,
        imported_at: r.get(5)?,
        rows: r.get(6)?,
        orders_added: r.get(7)?,
        orders_known: r.get(8)?,
        mapping_reused,
        layout,
        report,
    }))
}

/// A stored order back into an [`Order`] of the customer `key` (`Order::source` holds the source id).
fn stored_order(o: order_blocks::Stored, customer_key: Shared) -> Result<Order> {
    Ok(Order {
        source: source_number(o.source_id)?,
        row: o.row,
        order_id: o.has_id.then_some(o.uid),
        customer_key,
        customer_name: o.name,
        phone: o.phone,
        placed_at: from_seconds(o.placed_at),
        paid: o.paid,
        refund: o.refund,
        quantity: o.quantity,
        status: o.status,
        order_count: o.order_count,
        first_date: o.first_date,
        interactions: o.interactions,
        region: o.province.map(|province| Region { province, city: o.city }),
        items: Default::default(),
    })
}

/// A source id as `Order::source` holds it.
fn source_number(id: i64) -> Result<u32> {
    u32::try_from(id).map_err(|_| Error::Store(StoreError::Value(rusqlite::types::FromSqlError::OutOfRange(id))))
}

/// The key of customer `id` (an order's customer is always stored: `recompute_customers` deletes
/// only customers left without orders; a damaged workspace without it fails as a missing key).
fn customer_key(keys: &rustc_hash::FxHashMap<i64, Shared>, id: i64) -> Result<Shared> {
    keys.get(&id).cloned().ok_or_else(|| {
        Error::Store(StoreError::Value(rusqlite::types::FromSqlError::Other(
            format!("订单的客户不存在 / an order's customer {id} is missing").into(),
        )))
    })
}

/// Shared text is stored as plain text.
impl rusqlite::types::ToSql for Shared {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.as_str().to_sql()
    }
}

/// And read back as plain text (each value its own copy: the workspace's orders are read per query).
impl rusqlite::types::FromSql for Shared {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        String::column_result(value).map(Shared::from)
    }
}

/// Order times are stored as seconds since 1970 (naive, no time zone): compact and ordered.
pub(crate) fn to_seconds(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

pub(crate) fn from_seconds(s: i64) -> NaiveDateTime {
    DateTime::from_timestamp(s, 0).map(|d| d.naive_utc()).unwrap_or_default()
}

/// A date bound as SQLite text, the bytes rusqlite's chrono binding writes (`%F`: `2025-03-01`), made
/// without chrono's formatting machinery: a shop's first import binds two per new customer (480k
/// at a million orders, ~0.1 s of the store thread through `%F`). Years outside 0..=9999, which
/// `%F` writes with a sign, go to chrono.
pub(crate) struct SqlDate(std::result::Result<[u8; 10], NaiveDate>);

impl SqlDate {
    pub(crate) fn new(date: NaiveDate) -> SqlDate {
        use chrono::Datelike;
        let Some(year) = u32::try_from(date.year()).ok().filter(|y| *y <= 9999) else {
            return SqlDate(Err(date));
        };
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let (month, day) = (date.month(), date.day());
        SqlDate(Ok([
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(month / 10),
            digit(month),
            b'-',
            digit(day / 10),
            digit(day),
        ]))
    }
}

impl rusqlite::ToSql for SqlDate {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match &self.0 {
            Ok(text) => Ok(rusqlite::types::ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(text))),
            Err(date) => date.to_sql(),
        }
    }
}

#[cfg(test)]
mod sql_date_tests {
    use super::SqlDate;
    use chrono::{Days, NaiveDate};
    use rusqlite::types::{ToSqlOutput, Value, ValueRef};
    use rusqlite::ToSql;

    fn text(out: ToSqlOutput<'_>) -> String {
        match out {
            ToSqlOutput::Borrowed(ValueRef::Text(t)) => String::from_utf8(t.to_vec()).unwrap(),
            ToSqlOutput::Owned(Value::Text(t)) => t,
            other => panic!("not text: {other:?}"),
        }
    }

    /// Every day of 1999–2031 and the edges of chrono's range bind as chrono's own binding binds them.
    #[test]
    fn a_date_binds_the_text_chronos_binding_writes() {
        let mut dates: Vec<NaiveDate> = Vec::new();
        let mut d = NaiveDate::from_ymd_opt(1999, 1, 1).unwrap();
        while d < NaiveDate::from_ymd_opt(2032, 1, 1).unwrap() {
            dates.push(d);
            d = d + Days::new(1);
        }
        for (y, m, day) in
            [(0, 1, 1), (1, 1, 1), (999, 12, 31), (9999, 12, 31), (10000, 1, 1), (-1, 6, 15), (2000, 2, 29)]
        {
            dates.push(NaiveDate::from_ymd_opt(y, m, day).unwrap());
        }
        dates.extend([NaiveDate::MIN, NaiveDate::MAX]);
        for date in dates {
            assert_eq!(text(SqlDate::new(date).to_sql().unwrap()), text(date.to_sql().unwrap()), "{date:?}");
        }
    }
}

//! Atomic, incremental imports into the workspace.
//!
//! A file already imported (same SHA-256) is skipped and reported as unchanged. New files are read
//! first (no lock held), then written in ONE transaction: the source row, its new orders, sightings
//! of orders the workspace already had, and the customer aggregates. Killing the process at any
//! moment leaves the workspace as it was (SQLite rolls back the unfinished transaction on next open).
//!
//! Order identity: (platform, order id), where the platform is the header of the order-id column
//! (订单号 / 订单编号 / 主订单编号 …, which differ between platforms); rows without an order id are
//! identified by a hash of their content. The first source that brought an order owns it; later
//! sources that contain it too are recorded as sightings, so removing the owner hands the order on
//! instead of losing it. A later export is newer knowledge: a known order whose amount or refund
//! changed is updated, and one it shows closed or fully refunded is taken out (removing that later
//! source does not bring it back). Within one import the first file that has an order decides it.
//! A customer list (totals per customer, no order ids) is a statement as of its export: a newer list
//! of the same layout replaces a customer's row from the older one rather than adding to it.

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension};
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use super::items::{self, BlockWriter};
use super::order_blocks::{self, Book, OrderRef, Stored};
use super::{to_seconds, ImportOutcome, SourceInfo, SqlDate, Workspace};
use crate::customers::{self, Latest, Stamp};
use crate::error::{Error, Result};
use crate::import::{Dataset, ImportOptions};
use crate::mapping::{Mapping, Role};
use crate::model::{Cents, Order, Region, Shared};
use crate::progress::{Progress, Stage};
use crate::report::ImportReport;

/// One file read by the importer, ready to be stored.
#[derive(Clone, Debug)]
pub struct ImportedFile {
    /// The file read.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Its valid orders.
    pub orders: Vec<Order>,
    /// Its import report.
    pub report: ImportReport,
    /// True when the mapping came from a saved mapping of the same layout.
    pub mapping_reused: bool,
    /// Order ids the file shows closed, cancelled or fully refunded (see `Dataset::withdrawn`).
    pub withdrawn: Vec<String>,
}

/// A file to store, freed once stored: owned, or shared with a caller that still reads it.
pub(crate) trait ToStore: std::borrow::Borrow<ImportedFile> {
    /// Called once the file's orders are stored.
    fn release(self);
}

impl ToStore for ImportedFile {
    fn release(self) {
        // Nothing needs the file's orders any more; freeing them (920k orders at 1M: ~0.3 s of
        // `free` without a progress report) is left to a thread of its own, beside the commit.
        let free = move || drop(self);
        let _ = std::thread::Builder::new().name("free orders".into()).spawn(free);
    }
}

/// Shared with a caller that reads its orders meanwhile (a job classifying a shop's first import):
/// whoever lets go of it last frees the orders, on a thread of their own.
impl ToStore for std::sync::Arc<ImportedFile> {
    fn release(self) {
        if let Ok(file) = std::sync::Arc::try_unwrap(self) {
            file.release();
        }
    }
}

/// Hex SHA-256 and size of a file, read in chunks. Hashing a 150 MB export takes ~0.2 s before
/// its first row is read, so every 4 MiB it checks for a cancel and reports `Stage::Reading` with
/// nothing counted yet (an indeterminate bar: the rows' count is not known).
///
/// # Errors
/// `Io`, `Cancelled`.
pub fn file_digest(path: &Path, progress: &dyn Progress) -> Result<(u64, String)> {
    const CHUNK: usize = 1 << 16;
    const CHECK_EVERY: u64 = 64;
    let io = |e| Error::Io { path: path.to_path_buf(), source: e };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let (mut size, mut chunks) = (0u64, 0u64);
    loop {
        if chunks.is_multiple_of(CHECK_EVERY) {
            if progress.cancelled() {
                return Err(Error::Cancelled);
            }
            progress.report(Stage::Reading, 0, 0);
        }
        chunks += 1;
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, format!("{:x}", hasher.finalize())))
}

/// The fingerprint of a column layout: a hash of the header row's texts in order. Exports of the same
/// platform and settings share it, so their mapping can be reused without asking.
pub fn layout_fingerprint(mapping: &Mapping) -> String {
    let mut hasher = Sha256::new();
    for column in &mapping.columns {
        hasher.update(column.header.trim().as_bytes());
        hasher.update([0x1f]);
    }
    let digest = hasher.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl Workspace {
    /// Imports `paths` into the workspace: only files not imported before, only orders not stored
    /// before, all in one transaction. A file whose layout (header row) was imported before reuses the
    /// saved mapping unless `options` overrides roles or the key. `imported_at` is the caller's clock.
    ///
    /// # Errors
    /// Whatever `import::import_files` returns for a file (naming it; nothing is stored then),
    /// `Cancelled` (nothing stored), `Store`.
    pub fn import(
        &mut self,
        paths: &[PathBuf],
        options: &ImportOptions,
        imported_at: NaiveDateTime,
        progress: &dyn Progress,
    ) -> Result<ImportOutcome> {
        let mut files = Vec::new();
        let mut unchanged = Vec::new();
        // The hashes of the files imported before, and of this import's files so far: a file among
        // them is unchanged and not read (its reading, begun beside the hash, is stopped).
        let mut known: rustc_hash::FxHashSet<String> = {
            let mut stmt = self.conn.prepare("SELECT sha256 FROM sources")?;
            let hashes = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            hashes
        };
        for path in paths {
            // The file is hashed on a thread of its own while it is read (~0.35 s for 150 MB that
            // the reading waited for); a file known by its hash stops the reading at its next
            // cancel check.
            let stop = AtomicBool::new(false);
            let (hashed, read) = std::thread::scope(|s| {
                let known = &known;
                let stop = &stop;
                let hash = s.spawn(move || {
                    // Silent (the reading reports), but a cancel stops it as it stops the reading.
                    let digest = file_digest(path, &CancelOnly(progress));
                    if digest.as_ref().is_ok_and(|(_, sha256)| known.contains(sha256)) {
                        stop.store(true, Ordering::Relaxed);
                    }
                    digest
                });
                let read = self.read_file(path, options, &StopOr { progress, stop });
                (hash.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), read)
            });
            let (size, sha256) = hashed?;
            if known.contains(&sha256) {
                unchanged.push(display_name(path));
                continue;
            }
            let (dataset, mapping_reused) = read?;
            known.insert(sha256.clone());
            files.push(imported_file(path, dataset, mapping_reused, size, sha256)?);
        }
        // A shop's first import (its whole history, the largest it gets) goes under a rollback
        // journal, as `job::run`'s does: its pages are written once, into the file, instead of into
        // the log and then copied by a checkpoint that competes with what the app does next.
        let journal = !files.is_empty() && self.is_new()? && self.use_rollback_journal()?;
        let stored = self.store_import(files, unchanged, imported_at, progress);
        if journal {
            // Failing leaves the rollback journal until the workspace is next opened.
            let _ = self.use_wal();
        }
        stored
    }

    /// Reads one file into what `store_import` stores; `digest` gives its size and hash
    /// (`file_digest`) once it is read.
    ///
    /// # Errors
    /// Whatever `import::import_files` returns for the file, then what `digest` returns.
    pub(crate) fn read_imported(
        &self,
        path: &PathBuf,
        options: &ImportOptions,
        progress: &dyn Progress,
        digest: impl FnOnce() -> Result<(u64, String)>,
    ) -> Result<ImportedFile> {
        let (dataset, mapping_reused) = self.read_file(path, options, progress)?;
        let (size, sha256) = digest()?;
        imported_file(path, dataset, mapping_reused, size, sha256)
    }

    /// Stores files already read by the importer, in one transaction (what `import` does after reading).
    /// Files whose hash is already stored are skipped as unchanged.
    ///
    /// # Errors
    /// `Cancelled` (nothing stored), `Store`.
    pub fn store_import(
        &mut self,
        files: Vec<ImportedFile>,
        unchanged_files: Vec<String>,
        imported_at: NaiveDateTime,
        progress: &dyn Progress,
    ) -> Result<ImportOutcome> {
        self.store_files(files, unchanged_files, imported_at, progress)
    }

    /// [`Workspace::store_import`] of files owned or shared (a job reads their orders on the other
    /// core meanwhile).
    pub(crate) fn store_files<F: ToStore>(
        &mut self,
        files: Vec<F>,
        mut unchanged_files: Vec<String>,
        imported_at: NaiveDateTime,
        progress: &dyn Progress,
    ) -> Result<ImportOutcome> {
        let total: u64 = files.iter().map(|f| f.borrow().orders.len() as u64).sum();
        let mut done = 0u64;
        let mut outcome = ImportOutcome {
            reports: Vec::new(),
            new_orders: 0,
            known_orders: 0,
            updated_orders: 0,
            withdrawn_orders: 0,
            unchanged_files: Vec::new(),
            sources: Vec::new(),
        };
        let tx = self.write_tx()?;
        let mut new_sources = Vec::new();
        for owner in files {
            let file: &ImportedFile = owner.borrow();
            let known_file: Option<i64> =
                tx.query_row("SELECT id FROM sources WHERE sha256 = ?1", [&file.sha256], |r| r.get(0)).optional()?;
            if known_file.is_some() {
                unchanged_files.push(display_name(&file.path));
                continue;
            }
            let counts = store_file(&tx, file, imported_at, progress, &mut done, total)?;
            let source_id = counts.source_id;
            outcome.new_orders += counts.added;
            outcome.known_orders += counts.known;
            outcome.updated_orders += counts.updated;
            outcome.withdrawn_orders += counts.withdrawn;
            outcome.reports.push(file.report.clone());
            new_sources.push(source_id);
            owner.release();
        }
        // The last moment a cancel can still leave the workspace as it was.
        if progress.cancelled() {
            return Err(Error::Cancelled);
        }
        progress.report(Stage::Saving, total, total);
        // Past the last cancel check: the commit (~0.3 s at a million orders) is reported, not stopped.
        let (committed, _) =
            crate::progress::beating(progress, (Stage::Saving, total, total), None, || Workspace::commit_large(tx));
        self.after_large_commit(committed)?;
        for id in new_sources {
            if let Some(info) = self.source(id)? {
                outcome.sources.push(info);
            }
        }
        outcome.unchanged_files = unchanged_files;
        Ok(outcome)
    }

    /// One source by id.
    ///
    /// # Errors
    /// `Store`.
    pub fn source(&self, id: i64) -> Result<Option<SourceInfo>> {
        Ok(self.sources()?.into_iter().find(|s| s.id == id))
    }

    /// The saved mapping for a header layout, if this layout was imported before.
    ///
    /// # Errors
    /// `Store`.
    pub fn saved_mapping(&self, fingerprint: &str) -> Result<Option<Mapping>> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT mapping FROM saved_mappings WHERE fingerprint = ?1", [fingerprint], |r| r.get(0))
            .optional()?;
        Ok(match json {
            Some(j) => Some(serde_json::from_str(&j)?),
            None => None,
        })
    }

    /// Reads one file. Detection runs first (one pass over the file in the common case); when the
    /// detected layout has a saved mapping that differs (the user corrected it once), or detection
    /// fails but the layout is known, the file is read again with the saved mapping. The user's own
    /// overrides in `options` always win.
    fn read_file(&self, path: &PathBuf, options: &ImportOptions, progress: &dyn Progress) -> Result<(Dataset, bool)> {
        let files = std::slice::from_ref(path);
        let overridden = !options.roles.is_empty() || options.key.is_some();
        if overridden {
            return Ok((crate::import::import_files(files, options, progress)?, false));
        }
        let detected = crate::import::import_files(files, options, progress);
        let layout = match &detected {
            Ok(dataset) => dataset.reports.first().map(|r| layout_fingerprint(&r.mapping)),
            // A known layout may still import with its saved mapping; if even the preview fails, the
            // detection error is the one to show.
            Err(_) => crate::import::preview(path, options).ok().map(|p| layout_fingerprint(&p.mapping)),
        };
        let saved = match layout {
            Some(fp) => self.saved_mapping(&fp)?,
            None => None,
        };
        let Some(saved) = saved else {
            return Ok((detected?, false));
        };
        if let Ok(dataset) = &detected {
            if dataset.reports.first().is_some_and(|r| same_roles(&r.mapping, &saved)) {
                return Ok((detected?, true));
            }
        }
        let mut opts = options.clone();
        opts.roles = saved.columns.iter().map(|c| (c.header.clone(), c.role)).collect();
        opts.key = Some(saved.key.clone());
        Ok((crate::import::import_files(files, &opts, progress)?, true))
    }

    /// Removes an imported source and everything only it contributed: its orders (an order that a
    /// later source also contained stays, now owned by that source), customers left without orders,
    /// and the aggregates of the customers it touched. Snapshots are history and stay.
    ///
    /// # Errors
    /// `SourceNotFound`, `Store`.
    pub fn remove_source(&mut self, id: i64) -> Result<()> {
        let tx = self.write_tx()?;
        let exists: Option<i64> =
            tx.query_row("SELECT id FROM sources WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if exists.is_none() {
            return Err(Error::SourceNotFound(id));
        }
        // Orders also seen by another source are handed to the earliest of them; the others go.
        let others: FxHashMap<i64, i64> = {
            let mut stmt = tx.prepare(
                "SELECT order_id, min(source_id) FROM order_sightings WHERE source_id <> ?1 GROUP BY order_id",
            )?;
            let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let (mut changed, mut handed, mut deleted, mut affected) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        order_blocks::for_each_block(&tx, |orders| {
            let Some(first) = orders.first().map(|o| o.id) else { return Ok(()) };
            if !orders.iter().any(|o| o.source_id == id) {
                return Ok(());
            }
            orders.retain_mut(|o| {
                if o.source_id != id {
                    return true;
                }
                if let Some(&owner) = others.get(&o.id) {
                    o.source_id = owner;
                    handed.push((owner, o.id));
                    return true;
                }
                deleted.push(o.id);
                affected.push(o.customer_id);
                false
            });
            changed.push((first, std::mem::take(orders)));
            Ok(())
        })?;
        for (first, orders) in &changed {
            order_blocks::rewrite(&tx, *first, orders)?;
        }
        tx.execute("DELETE FROM order_sightings WHERE source_id = ?1", [id])?;
        {
            // The new owner's sighting is now its ownership.
            let mut drop = tx.prepare("DELETE FROM order_sightings WHERE source_id = ?1 AND order_id = ?2")?;
            for (owner, order) in handed {
                drop.execute([owner, order])?;
            }
        }
        affected.sort_unstable();
        affected.dedup();
        items::forget(&tx, deleted)?;
        recompute_customers(&tx, &affected)?;
        tx.execute("DELETE FROM sources WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }
}

/// A file read by the importer, with its size and hash, as `store_import` stores it.
fn imported_file(
    path: &Path,
    dataset: Dataset,
    mapping_reused: bool,
    size: u64,
    sha256: String,
) -> Result<ImportedFile> {
    let report = dataset.reports.into_iter().next().ok_or_else(|| Error::NoValidOrders {
        path: path.to_path_buf(),
        detail: "导入没有返回报告 / the importer returned no report".into(),
    })?;
    Ok(ImportedFile {
        path: path.to_path_buf(),
        size,
        sha256,
        orders: dataset.orders,
        report,
        mapping_reused,
        withdrawn: dataset.withdrawn,
    })
}

/// The caller's progress, also cancelled once `stop` is set (a reading whose file turned out known).
struct StopOr<'a> {
    progress: &'a dyn Progress,
    stop: &'a AtomicBool,
}

impl Progress for StopOr<'_> {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        self.progress.report(stage, done, total);
    }
    fn cancelled(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.progress.cancelled()
    }
}

/// The caller's cancel without its reports.
struct CancelOnly<'a>(&'a dyn Progress);

impl Progress for CancelOnly<'_> {
    fn report(&self, _: Stage, _: u64, _: u64) {}
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

/// Whether two mappings give every column the same role and build the key the same way.
fn same_roles(a: &Mapping, b: &Mapping) -> bool {
    a.key == b.key
        && a.columns.len() == b.columns.len()
        && a.columns.iter().zip(&b.columns).all(|(x, y)| x.header == y.header && x.role == y.role)
}

fn display_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Per-customer sums of the new orders of one import, merged into the stored aggregate at the end.
/// For a customer new to the workspace they are the whole aggregate, equal to what `digest` (and
/// `customers::aggregate`) give of the same orders: a shop's first import is classified from those
/// while it is stored (`job`), and the workspace must then hold the same.
struct Delta<'a> {
    orders: i64,
    revenue: Cents,
    first: NaiveDate,
    last: NaiveDate,
    /// When the latest order was placed, in stored seconds (what the merge compares).
    last_at: i64,
    /// The name, phone and region of the latest order that has one (`customers::Stamp`: ties on
    /// time by order id).
    name: Option<Latest<&'a str>>,
    phone: Option<Latest<&'a str>>,
    region: Option<Latest<&'a Region>>,
    interactions: Option<f64>,
}

/// What storing one file did.
struct FileCounts {
    source_id: i64,
    added: u64,
    known: u64,
    updated: u64,
    withdrawn: u64,
}

fn store_file(
    tx: &Connection,
    file: &ImportedFile,
    imported_at: NaiveDateTime,
    progress: &dyn Progress,
    done: &mut u64,
    total: u64,
) -> Result<FileCounts> {
    let (source_id, layout) = insert_source(tx, file, imported_at)?;

    let platform = file
        .report
        .mapping
        .columns
        .iter()
        .find(|c| c.role == Some(Role::OrderId))
        .map(|c| c.header.trim().to_string())
        .unwrap_or_default();

    let mut find_customer = tx.prepare_cached("SELECT id FROM customers WHERE key = ?1")?;
    // Into an empty workspace every customer is new: no lookup per customer then.
    let no_customers: bool = tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM customers)", [], |r| r.get(0))?;
    // New customers get their ids now (the orders need them) but are inserted once, whole, after the
    // loop: one write instead of a placeholder row plus an update, and none for customers whose
    // orders all turn out to be known. The store's write transaction makes max(id) + 1 ours.
    let mut next_customer: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM customers", [], |r| r.get(0))?;
    let first_new = next_customer;
    // The new orders' items, a block per few thousand orders (`items`).
    let mut item_blocks = BlockWriter::new();
    // Orders this file's rows replace (a customer list's older rows): their items go at the end.
    let mut replaced_orders: Vec<i64> = Vec::new();
    // Customers whose stored orders changed: their aggregates are recomputed from the orders.
    let mut touched: Vec<i64> = Vec::new();
    let mut updated = 0u64;
    // A customer list (累计消费金额 per customer, no order ids) is a statement of totals as of its
    // export: a newer list of the same layout replaces the customer's row from the older one
    // instead of adding to it. Those older rows by customer, gathered as the stored orders are read.
    let customer_list = file.report.mapping.level == crate::mapping::Level::Customers;
    let older_sources: rustc_hash::FxHashSet<i64> = if customer_list {
        let mut stmt = tx.prepare("SELECT id FROM sources WHERE layout = ?1 AND id <> ?2")?;
        let ids = stmt.query_map(rusqlite::params![layout, source_id], |r| r.get(0))?;
        ids.collect::<rusqlite::Result<_>>()?
    } else {
        Default::default()
    };
    let mut older_rows: FxHashMap<i64, Vec<i64>> = FxHashMap::default();
    let mut sighting =
        tx.prepare_cached("INSERT OR IGNORE INTO order_sightings(source_id, order_id) VALUES (?1, ?2)")?;
    let mut drop_sightings = tx.prepare_cached("DELETE FROM order_sightings WHERE order_id = ?1")?;
    // Every stored identity, read once (none in a shop's first import): ~0.3 s at a million
    // stored orders, with progress and a cancel check per block.
    let mut book = Book::open(
        tx,
        |o| {
            if !o.has_id && older_sources.contains(&o.source_id) {
                older_rows.entry(o.customer_id).or_default().push(o.id);
            }
        },
        &mut || {
            if progress.cancelled() {
                return Err(Error::Cancelled);
            }
            progress.report(Stage::Saving, *done, total);
            Ok(())
        },
        file.orders.len(),
    )?;
    // The new orders, a block per few thousand.
    let mut orders_out = order_blocks::BlockWriter::new();

    // Fx, not SipHash: one lookup per order; the keys come from the user's own export.
    let mut ids: FxHashMap<&str, i64> = FxHashMap::default();
    // The customers new to the workspace, in id order from `first_new`, with their delta (none when
    // all their orders turn out to be known); a stored customer's delta is looked up by id. A shop's
    // first import is all new customers: no hashing of ids per order, nor per customer after.
    let mut created: Vec<(&str, Option<Delta<'_>>)> = Vec::new();
    let mut deltas: FxHashMap<i64, Delta<'_>> = FxHashMap::default();
    let (mut added, mut known) = (0u64, 0u64);
    // A stall inside the loop holds back its reports every 4,096 orders: a beat reports where it
    // has got to meanwhile (issue 10 item 5).
    crate::progress::counting(progress, (Stage::Saving, *done, total), |reached| -> Result<()> {
        for (pos, order) in file.orders.iter().enumerate() {
            if (*done).is_multiple_of(4096) {
                if progress.cancelled() {
                    return Err(Error::Cancelled);
                }
                progress.report(Stage::Saving, *done, total);
            }
            *done += 1;
            reached.store(*done, std::sync::atomic::Ordering::Relaxed);
            let customer_id = match ids.get(order.customer_key.as_str()) {
                Some(id) => *id,
                None => {
                    let stored = if no_customers {
                        None
                    } else {
                        find_customer.query_row([&order.customer_key], |r| r.get(0)).optional()?
                    };
                    let id = match stored {
                        Some(id) => id,
                        None => {
                            let id = next_customer;
                            next_customer += 1;
                            created.push((order.customer_key.as_str(), None));
                            id
                        }
                    };
                    ids.insert(order.customer_key.as_str(), id);
                    id
                }
            };
            let (uid, has_id, ns) = match &order.order_id {
                Some(id) if !id.trim().is_empty() => (Cow::Borrowed(id.trim()), true, platform.as_str()),
                _ => (Cow::Owned(content_uid(order)), false, ""),
            };
            let placed = to_seconds(order.placed_at);
            let hash = order_blocks::identity_hash(ns, &uid);
            let stored = if book.may_have(hash) { book.find(tx, &mut orders_out, hash, ns, &uid)? } else { None };
            if let Some(order_id) = stored {
                known += 1;
                let Some(s) = book.get(tx, &mut orders_out, order_id)? else { continue };
                let (stored_customer, paid, refund, count) = (s.customer_id, s.paid, s.refund, s.order_count);
                let status_differs = s.status.as_deref() != order.status.as_deref();
                sighting.execute((source_id, order_id))?;
                // An order with an id seen again with other money: the newer export knows better (a
                // partial refund since). Content-hashed orders cannot differ: their content is their id.
                if has_id && (paid != order.paid || refund != order.refund || count != order.order_count) {
                    book.change(tx, &mut orders_out, order_id, |s| {
                        s.paid = order.paid;
                        s.refund = order.refund;
                        s.order_count = order.order_count;
                        s.status = order.status.clone();
                    })?;
                    updated += 1;
                    touched.push(stored_customer);
                } else if has_id && status_differs && order.status.is_some() {
                    // Same money, newer status (已发货 → 已完成): keep the status current, nothing to recompute.
                    book.change(tx, &mut orders_out, order_id, |s| s.status = order.status.clone())?;
                }
                continue;
            }
            added += 1;
            let order_id = book.new_id();
            let region = order.region.as_ref();
            orders_out.push(
                tx,
                &OrderRef {
                    id: order_id,
                    platform: ns,
                    uid: &uid,
                    has_id,
                    source_id,
                    customer_id,
                    row: order.row,
                    name: order.customer_name.as_deref(),
                    phone: order.phone.as_deref(),
                    placed_at: placed,
                    paid: order.paid,
                    refund: order.refund,
                    quantity: order.quantity,
                    status: order.status.as_deref(),
                    order_count: order.order_count,
                    first_date: order.first_date,
                    interactions: order.interactions,
                    province: region.map(|r| r.province.as_str()),
                    city: region.and_then(|r| r.city.as_deref()),
                },
            )?;
            book.add(hash, order_id);
            order.items.iter().try_for_each(|item| item_blocks.push(tx, order_id, item))?;
            if customer_list && !has_id {
                if let Some(older) = older_rows.remove(&customer_id) {
                    let mut replaced = 0u64;
                    for id in older {
                        drop_sightings.execute([id])?;
                        if book.remove(tx, &mut orders_out, id)?.is_some() {
                            replaced_orders.push(id);
                            replaced += 1;
                        }
                    }
                    if replaced > 0 {
                        updated += replaced;
                        touched.push(customer_id);
                    }
                }
            }
            let delta = match usize::try_from(customer_id - first_new) {
                Ok(new) => created[new].1.get_or_insert_with(|| Delta::new(order)),
                Err(_) => deltas.entry(customer_id).or_insert_with(|| Delta::new(order)),
            };
            delta.add(order, placed, pos as u32, &file.orders);
        }
        Ok(())
    })?;
    item_blocks.flush(tx)?;
    items::forget(tx, replaced_orders)?;

    // A stored customer's name, phone and region are those of their latest order that has one,
    // which the stored orders decide; new orders without any leave them as they were. New
    // customers get theirs from their delta as they are inserted (all their orders are in it).
    let mut refreshed: Vec<i64> = deltas
        .iter()
        .filter(|(_, d)| d.name.is_some() || d.phone.is_some() || d.region.is_some())
        .map(|(id, _)| *id)
        .collect();
    refreshed.sort_unstable();
    let merges = deltas.len();
    // The withdrawn ids are steps too: each is looked up (~80k at 1M orders), though in memory.
    let withdrawals = if platform.is_empty() { 0 } else { file.withdrawn.len() };
    let total = created.len() + merges + refreshed.len() + withdrawals;
    let mut steps = CustomerSteps { progress, done: 0, total: total as u64 };
    merge_deltas(tx, first_new, created, deltas, &mut steps)?;
    let withdrawn =
        withdraw_orders(tx, &platform, &file.withdrawn, &mut book, &mut orders_out, &mut touched, &mut steps)?;
    orders_out.flush(tx)?;
    book.finish(tx)?;
    refresh_latest(tx, &refreshed, &mut steps)?;
    touched.sort_unstable();
    touched.dedup();
    recompute_customers(tx, &touched)?;

    tx.execute(
        "UPDATE sources SET orders_added = ?2, orders_known = ?3 WHERE id = ?1",
        rusqlite::params![source_id, added, known],
    )?;
    Ok(FileCounts { source_id, added, known, updated, withdrawn })
}

/// Records the file in `sources` (its counts are filled in at the end) and remembers its mapping;
/// returns the new source id and the layout fingerprint.
fn insert_source(tx: &Connection, file: &ImportedFile, imported_at: NaiveDateTime) -> Result<(i64, String)> {
    let report_json = serde_json::to_string(&file.report)?;
    let layout = layout_fingerprint(&file.report.mapping);
    tx.execute(
        "INSERT INTO sources(file_name, path, size, sha256, imported_at, rows, orders_added, orders_known, report,
                             layout, mapping_reused)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, ?7, ?8, ?9)",
        rusqlite::params![
            display_name(&file.path),
            file.path.display().to_string(),
            file.size,
            file.sha256,
            imported_at,
            file.report.rows_read,
            report_json,
            layout,
            file.mapping_reused,
        ],
    )?;
    let source_id = tx.last_insert_rowid();
    save_mapping(tx, &layout, &file.report.mapping, imported_at)?;
    Ok((source_id, layout))
}

impl<'a> Delta<'a> {
    fn new(order: &Order) -> Delta<'a> {
        let date = order.placed_at.date();
        Delta {
            orders: 0,
            revenue: 0,
            first: order.first_date.map_or(date, |d| d.min(date)),
            last: date,
            last_at: i64::MIN,
            name: None,
            phone: None,
            region: None,
            interactions: None,
        }
    }

    /// Adds one new order (placed at `placed`, in stored seconds), the `pos`-th of `orders`, with
    /// the rules of `customers::Tally::add`.
    fn add(&mut self, order: &'a Order, placed: i64, pos: u32, orders: &[Order]) {
        let date = order.placed_at.date();
        let first = order.first_date.map_or(date, |d| d.min(date));
        self.orders += i64::from(order.order_count);
        self.revenue = self.revenue.saturating_add(order.net());
        self.first = self.first.min(first);
        self.last = self.last.max(date);
        self.last_at = self.last_at.max(placed);
        let stamp = Stamp::of(order, pos);
        if let Some(name) = customers::text(&order.customer_name) {
            Latest::offer(&mut self.name, stamp, orders, || name.trim());
        }
        if let Some(phone) = customers::text(&order.phone) {
            Latest::offer(&mut self.phone, stamp, orders, || phone.as_str());
        }
        if let Some(region) = order.region.as_ref() {
            Latest::offer(&mut self.region, stamp, orders, || region);
        }
        if let Some(i) = order.interactions.filter(|i| i.is_finite()) {
            self.interactions = Some(self.interactions.unwrap_or(0.0) + i);
        }
    }
}

/// Progress over the customers an import writes after its orders (`merge_deltas`, then
/// `refresh_latest`, then the withdrawn orders looked up): every 4,096 steps a cancel check and a `Stage::Customers` report. Writing
/// 250k customers and their regions takes seconds, and the import's transaction is rolled back on a
/// cancel anyway (issue 10 item 5: progress at least every 200 ms, cancel within 300 ms).
struct CustomerSteps<'a> {
    progress: &'a dyn Progress,
    done: u64,
    total: u64,
}

impl CustomerSteps<'_> {
    /// A cancel check and a report, nothing counted (a block of orders read meanwhile).
    fn tick(&mut self) -> Result<()> {
        if self.progress.cancelled() {
            return Err(Error::Cancelled);
        }
        self.progress.report(Stage::Customers, self.done, self.total);
        Ok(())
    }

    /// One more customer written.
    fn step(&mut self) -> Result<()> {
        self.done += 1;
        if self.done.is_multiple_of(4096) {
            if self.progress.cancelled() {
                return Err(Error::Cancelled);
            }
            self.progress.report(Stage::Customers, self.done, self.total);
        }
        Ok(())
    }
}

/// Writes the new customers whole and adds the deltas to the stored aggregates of the others.
fn merge_deltas(
    tx: &Connection,
    first_new: i64,
    created: Vec<(&str, Option<Delta<'_>>)>,
    deltas: FxHashMap<i64, Delta<'_>>,
    steps: &mut CustomerSteps<'_>,
) -> Result<()> {
    let mut check = || steps.step();
    // Merge the deltas into the stored aggregates (name, phone and region: `refresh_latest`, from
    // the stored orders).
    let mut merge = tx.prepare_cached(
        "UPDATE customers SET
            orders = orders + ?2,
            revenue = revenue + ?3,
            first_order = min(first_order, ?4),
            last_order = max(last_order, ?5),
            last_at = max(last_at, ?6),
            interactions = CASE WHEN ?7 IS NULL THEN interactions ELSE coalesce(interactions, 0) + ?7 END
         WHERE id = ?1",
    )?;
    let mut insert_customer = tx.prepare_cached(
        "INSERT INTO customers(id, key, name, phone, orders, revenue, first_order, last_order, last_at, interactions,
                               province, city)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    // New customers (in id order, as the placeholder rows used to be): the delta is the whole aggregate.
    for ((key, delta), id) in created.into_iter().zip(first_new..) {
        check()?;
        if let Some(d) = delta {
            let region = d.region.map(|l| l.value);
            insert_customer.execute(rusqlite::params![
                id,
                key,
                d.name.map_or("", |l| l.value),
                d.phone.map(|l| l.value),
                d.orders,
                d.revenue,
                SqlDate::new(d.first),
                SqlDate::new(d.last),
                d.last_at,
                d.interactions,
                region.map(|r| r.province.as_str()),
                region.and_then(|r| r.city.as_deref())
            ])?;
        }
    }
    for (id, d) in &deltas {
        check()?;
        merge.execute(rusqlite::params![
            id,
            d.orders,
            d.revenue,
            SqlDate::new(d.first),
            SqlDate::new(d.last),
            d.last_at,
            d.interactions
        ])?;
    }
    Ok(())
}

/// Takes out the stored orders this file shows closed or fully refunded (an earlier import's, or
/// this one's); their customers go to `touched`. Returns how many were taken out.
fn withdraw_orders(
    tx: &Connection,
    platform: &str,
    withdrawn_ids: &[String],
    book: &mut Book,
    pending: &mut order_blocks::BlockWriter,
    touched: &mut Vec<i64>,
    steps: &mut CustomerSteps<'_>,
) -> Result<u64> {
    let mut withdrawn = 0u64;
    let mut dropped: Vec<i64> = Vec::new();
    if !platform.is_empty() {
        let mut drop_sightings = tx.prepare_cached("DELETE FROM order_sightings WHERE order_id = ?1")?;
        for id in withdrawn_ids {
            steps.step()?;
            let id = id.trim();
            let hash = order_blocks::identity_hash(platform, id);
            if id.is_empty() || !book.may_have(hash) {
                continue;
            }
            let Some(order_id) = book.find(tx, pending, hash, platform, id)? else { continue };
            if let Some(order) = book.remove(tx, pending, order_id)? {
                drop_sightings.execute([order_id])?;
                dropped.push(order_id);
                withdrawn += 1;
                touched.push(order.customer_id);
            }
        }
    }
    items::forget(tx, dropped)?;
    Ok(withdrawn)
}

fn save_mapping(tx: &Connection, fingerprint: &str, mapping: &Mapping, at: NaiveDateTime) -> Result<()> {
    let headers: Vec<&str> = mapping.columns.iter().map(|c| c.header.as_str()).collect();
    tx.execute(
        "INSERT INTO saved_mappings(fingerprint, headers, mapping, saved_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(fingerprint) DO UPDATE SET mapping = excluded.mapping, saved_at = excluded.saved_at,
                                                uses = uses + 1",
        rusqlite::params![fingerprint, serde_json::to_string(&headers)?, serde_json::to_string(mapping)?, at],
    )?;
    Ok(())
}

/// The identity of an order without an order id: a hash of everything it says.
fn content_uid(order: &Order) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update(bytes);
        h.update([0x1f]);
    };
    field(order.customer_key.as_bytes());
    field(&to_seconds(order.placed_at).to_le_bytes());
    field(&order.paid.to_le_bytes());
    field(&order.refund.to_le_bytes());
    field(&order.quantity.map(f64::to_bits).unwrap_or(u64::MAX).to_le_bytes());
    field(order.status.as_deref().unwrap_or("\u{0}").as_bytes());
    field(&order.order_count.to_le_bytes());
    field(order.customer_name.as_deref().unwrap_or("\u{0}").as_bytes());
    field(order.phone.as_deref().unwrap_or("\u{0}").as_bytes());
    field(order.first_date.map(|d| d.to_string()).unwrap_or_default().as_bytes());
    field(&order.interactions.map(f64::to_bits).unwrap_or(u64::MAX).to_le_bytes());
    let digest = h.finalize();
    let mut uid = String::with_capacity(33);
    uid.push('#');
    for b in digest.iter().take(16) {
        uid.push_str(&format!("{b:02x}"));
    }
    uid
}

/// Whether stored order `a` is later than `b` as `customers::Stamp` orders orders: by time, ties by
/// order id (orders without one before those with one); equal, the first stored stays the latest.
fn is_later(a: &Stored, b: &Stored) -> bool {
    fn id(o: &Stored) -> Option<&str> {
        o.has_id.then_some(&*o.uid)
    }
    (a.placed_at, id(a)) > (b.placed_at, id(b))
}

/// The name, phone and region of the latest of `orders` that has one (as `Delta` and
/// `customers::Tally` pick them): (name, phone, (province, city)).
type LatestFacts = (String, Option<Shared>, Option<(Shared, Option<Shared>)>);

fn latest_facts(orders: &[Stored]) -> LatestFacts {
    fn offer<'a>(slot: &mut Option<&'a Stored>, o: &'a Stored) {
        if slot.is_none_or(|kept| is_later(o, kept)) {
            *slot = Some(o);
        }
    }
    let (mut name, mut phone, mut region): (Option<&Stored>, Option<&Stored>, Option<&Stored>) = (None, None, None);
    for o in orders {
        if customers::text(&o.name).is_some() {
            offer(&mut name, o);
        }
        if customers::text(&o.phone).is_some() {
            offer(&mut phone, o);
        }
        if o.province.is_some() {
            offer(&mut region, o);
        }
    }
    (
        name.and_then(|o| o.name.as_deref()).map(|n| n.trim().to_string()).unwrap_or_default(),
        phone.and_then(|o| o.phone.clone()),
        region.and_then(|o| o.province.clone().map(|p| (p, o.city.clone()))),
    )
}

/// The stored orders of `ids`, by customer, each customer's in id order.
fn orders_by_customer(
    tx: &Connection,
    ids: &[i64],
    tick: &mut dyn FnMut() -> Result<()>,
) -> Result<FxHashMap<i64, Vec<Stored>>> {
    let wanted: rustc_hash::FxHashSet<i64> = ids.iter().copied().collect();
    let orders = order_blocks::of_customers(tx, &wanted, tick)?;
    let mut by_customer: FxHashMap<i64, Vec<Stored>> = FxHashMap::default();
    for o in orders {
        by_customer.entry(o.customer_id).or_default().push(o);
    }
    Ok(by_customer)
}

/// Recomputes the aggregates of `ids` from their remaining orders (as `Delta` sums a customer's
/// orders); customers left without orders go.
pub(super) fn recompute_customers(tx: &Connection, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let by_customer = orders_by_customer(tx, ids, &mut || Ok(()))?;
    let mut update = tx.prepare_cached(
        "UPDATE customers SET orders = ?2, revenue = ?3, first_order = ?4, last_order = ?5, last_at = ?6,
                              interactions = ?7, name = ?8, phone = ?9, province = ?10, city = ?11
         WHERE id = ?1",
    )?;
    let mut delete = tx.prepare_cached("DELETE FROM customers WHERE id = ?1")?;
    for &id in ids {
        let Some(orders) = by_customer.get(&id).filter(|o| !o.is_empty()) else {
            delete.execute([id])?;
            continue;
        };
        let (mut count, mut revenue, mut last_at) = (0i64, 0i64, i64::MIN);
        let (mut first, mut last): (Option<NaiveDate>, Option<NaiveDate>) = (None, None);
        let mut interactions: Option<f64> = None;
        for o in orders {
            let date = super::from_seconds(o.placed_at).date();
            let starts = o.first_date.map_or(date, |d| d.min(date));
            count = count.saturating_add(i64::from(o.order_count));
            revenue = revenue.saturating_add(o.paid.saturating_sub(o.refund));
            first = Some(first.map_or(starts, |f| f.min(starts)));
            last = Some(last.map_or(date, |l| l.max(date)));
            last_at = last_at.max(o.placed_at);
            if let Some(i) = o.interactions.filter(|i| i.is_finite()) {
                interactions = Some(interactions.unwrap_or(0.0) + i);
            }
        }
        let (name, phone, region) = latest_facts(orders);
        let (province, city) = region.map_or((None, None), |(p, c)| (Some(p), c));
        update.execute(rusqlite::params![
            id,
            count,
            revenue,
            first.map(SqlDate::new),
            last.map(SqlDate::new),
            last_at,
            interactions,
            name,
            phone,
            province,
            city
        ])?;
    }
    Ok(())
}

/// Sets the name, phone and region of `ids` to those of their latest stored order that has one
/// (none: empty name, no phone, no region), as `Delta` and `customers::Tally` pick them. Reads the
/// blocks that hold their orders (an import asks it only for stored customers whose new orders
/// carry any of them), with the steps' cancel checks and reports.
fn refresh_latest(tx: &Connection, ids: &[i64], steps: &mut CustomerSteps<'_>) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let by_customer = orders_by_customer(tx, ids, &mut || steps.tick())?;
    let mut update =
        tx.prepare_cached("UPDATE customers SET name = ?2, phone = ?3, province = ?4, city = ?5 WHERE id = ?1")?;
    for &id in ids {
        steps.step()?;
        let (name, phone, region) = latest_facts(by_customer.get(&id).map_or(&[], Vec::as_slice));
        let (province, city) = region.map_or((None, None), |(p, c)| (Some(p), c));
        update.execute(rusqlite::params![id, name, phone, province, city])?;
    }
    Ok(())
}

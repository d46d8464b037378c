//! "Classify the whole workspace and export it": the one function behind `tierbook classify` (with or
//! without `--workspace`) and the app's export.
//!
//! A job imports the given files (into the workspace, or as one in-memory dataset without one),
//! classifies every customer, works out their purchase rhythm (`rhythm`, for the export's rhythm
//! columns and 本周该联系 sheet), saves a snapshot when asked, compares it with the previous one, and
//! writes the workbook and the CSV per tier. It does all of that or none of it:
//! 1. every output path is checked first: none may be an input, the workspace or its `-wal`/`-shm`/
//!    `-journal` files (`Error::OutputIsInput`, nothing done);
//! 2. the workspace writes happen inside one `WorkspaceTransaction` (a shop's first import is stored
//!    on a thread of its own while the job classifies the file's orders in memory: `first_import`);
//! 3. the outputs are written to temp files beside their targets;
//! 4. only when every step succeeded are the outputs moved into place, and then the transaction
//!    commits. If the commit fails, the outputs are taken back (earlier files at those paths restored),
//!    so a failed job leaves neither a changed workspace nor an output behind.
//!
//! A process killed during a job leaves the workspace as it was (SQLite rolls the transaction back)
//! and at most a temp file, which the next export to the same target removes.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use chrono::NaiveDateTime;

use crate::campaign::{CampaignReport, DEFAULT_WINDOW_DAYS};
use crate::classify::{self, Classification, ClassifyParams};
use crate::cohort::CohortTable;
use crate::costs::CostTable;
use crate::digest;
use crate::error::{Error, Result};
use crate::export::{self, ExportInput, ExportOptions, PlacedFile, StagedFile};
use crate::history::Migration;
use crate::import::{self, ImportOptions};
use crate::model::{Customer, Tier};
use crate::paths;
use crate::playbook::Playbook;
use crate::products::ProductLookup;
use crate::progress::{Progress, Stage};
use crate::region::RegionLookup;
use crate::report::ImportReport;
use crate::rhythm::{self, OrderDays, RhythmThresholds, Rhythms};
use crate::store::{ImportOutcome, SnapshotInfo, StoredProducts, ToStore, Workspace};
use crate::tier_changes::{self, TierChanges};
use crate::window::{self, Ledger};

/// Where a job writes.
#[derive(Clone, Debug)]
pub struct Outputs {
    /// The tiered workbook.
    pub workbook: PathBuf,
    /// A folder for one CSV per tier, created when missing; `None` for no CSV.
    pub csv_dir: Option<PathBuf>,
    /// Language, phone masking and sheets of both outputs.
    pub options: ExportOptions,
}

/// What a job does.
#[derive(Clone, Debug)]
pub struct Job<'a> {
    /// Files to import first (may be empty when the workspace already holds the orders).
    pub files: &'a [PathBuf],
    /// How to read them (sheet, header row, key, status rules).
    pub import: &'a ImportOptions,
    /// The caller's clock: when the import happened (the core never reads the clock).
    pub imported_at: NaiveDateTime,
    /// The method and its parameters, applied to every customer.
    pub params: &'a ClassifyParams,
    /// Save the classification as a snapshot (only with a workspace).
    pub save_snapshot: bool,
    /// Where the workbook and the CSV files go.
    pub outputs: &'a Outputs,
    /// Unit costs per product for items whose export has no cost (profit-based ABC, profit columns);
    /// with a workspace they are added to its cost table, which later jobs use.
    pub costs: Option<&'a CostTable>,
}

/// What a job did.
#[derive(Clone, Debug)]
pub struct JobOutcome {
    /// What the import changed in the workspace (`None` without a workspace).
    pub import: Option<ImportOutcome>,
    /// The import reports the workbook's method sheet shows: every source of the workspace, or the
    /// files of this job without one.
    pub reports: Vec<ImportReport>,
    /// Valid orders counted: the workspace's, or this dataset's.
    pub orders: u64,
    /// Every customer classified, sorted by key.
    pub customers: Vec<Customer>,
    /// Their classification (assignments in the order of `customers`).
    pub classification: Classification,
    /// The snapshot saved, when asked for.
    pub snapshot: Option<SnapshotInfo>,
    /// Tier changes between the workspace's two latest snapshots, when it has two.
    pub migration: Option<Migration>,
    /// Each customer's province and city (empty when no order had an address).
    pub regions: RegionLookup,
    /// Cohorts by first-order month, cut at the classification's as-of date.
    pub cohorts: CohortTable,
    /// What each customer bought (empty when the orders name no products).
    pub products: ProductLookup,
    /// Purchase rhythm per customer at the classification's as-of date (same order as `customers`),
    /// with the workspace's saved thresholds (`RhythmThresholds::SETTING`) or the defaults.
    pub rhythm: Rhythms,
    /// Each customer's previous tier and last tier change (`None` without a workspace).
    pub tier_changes: Option<TierChanges>,
    /// The report of every campaign of the workspace, over the default window.
    pub campaigns: Vec<CampaignReport>,
    /// The workbook written.
    pub workbook: PathBuf,
    /// The CSV files written.
    pub csv_files: Vec<PathBuf>,
}

/// Runs `job` on `workspace` (or, without one, on the files alone). See the module documentation for
/// the order of the steps and why nothing is left behind on failure.
///
/// # Errors
/// `OutputIsInput` before anything is done; the import's errors for a file; `NoCustomers`,
/// `InvalidParams` from classifying; `Store`; `Write`; `Cancelled`. In every case the workspace is as
/// it was and no output was written (an earlier file at an output path is untouched).
pub fn run(job: &Job, workspace: Option<&mut Workspace>, progress: &dyn Progress) -> Result<JobOutcome> {
    run_knowing(job, workspace, Known::default(), progress)
}

/// What a caller has read from the workspace already (the app reads ahead for its screens) and a job
/// that only reads the workspace may use instead of reading it again: at 400k orders the products
/// are ~0.8 s of a release export. A job that writes (files, a snapshot, costs) reads everything
/// inside its transaction and ignores these.
#[derive(Clone, Copy, Default)]
pub struct Known<'a> {
    /// `Workspace::products()` of the workspace as it is now.
    pub products: Option<&'a StoredProducts>,
    /// `Workspace::order_days()` of the workspace as it is now.
    pub days: Option<&'a OrderDays>,
}

/// [`run`], with what the caller knows of the workspace already (see [`Known`]).
///
/// # Errors
/// As [`run`].
pub fn run_knowing(
    job: &Job,
    workspace: Option<&mut Workspace>,
    known: Known<'_>,
    progress: &dyn Progress,
) -> Result<JobOutcome> {
    match workspace {
        Some(ws) => {
            check_outputs(job, Some(ws))?;
            let writes = !job.files.is_empty() || job.save_snapshot || job.costs.is_some();
            if writes {
                let first = first_import_file(job, ws)?;
                let journal = first.is_some() && ws.use_rollback_journal()?;
                let done = (|| {
                    let mut tx = ws.begin()?;
                    // Still new now that the write lock is ours (another program may have imported
                    // meanwhile, when it had the workspace open too).
                    let first = match first {
                        Some(path) if tx.is_new()? => Some(path),
                        _ => None,
                    };
                    let outcome = match first {
                        Some(path) => first_import(job, &mut tx, path, progress)?,
                        None => in_workspace(job, &mut tx, Known::default(), progress)?,
                    };
                    finish(outcome, || tx.commit())
                })();
                if journal {
                    // Failing leaves the rollback journal until the workspace is next opened.
                    let _ = ws.use_wal();
                }
                done
            } else {
                let outcome = in_workspace(job, ws, known, progress)?;
                finish(outcome, || Ok(()))
            }
        }
        None => {
            check_outputs(job, None)?;
            let outcome = in_memory(job, progress)?;
            finish(outcome, || Ok(()))
        }
    }
}

/// A job computed and its outputs staged, nothing placed yet.
struct Staged {
    outcome: JobOutcome,
    files: Vec<StagedFile>,
    /// The CSV folder when this job created it (removed again if the job fails).
    created_dir: Option<PathBuf>,
}

/// The job's one file when the job is a shop's first import (`first_import`): a workspace that
/// holds nothing yet (`Workspace::is_new`), and no costs given.
fn first_import_file<'a>(job: &Job<'a>, ws: &Workspace) -> Result<Option<&'a PathBuf>> {
    match job.files {
        [path] if job.costs.is_none() && ws.is_new()? => Ok(Some(path)),
        _ => Ok(None),
    }
}

fn in_workspace(job: &Job, ws: &mut Workspace, known: Known<'_>, progress: &dyn Progress) -> Result<Staged> {
    let import =
        if job.files.is_empty() { None } else { Some(ws.import(job.files, job.import, job.imported_at, progress)?) };
    if let Some(costs) = job.costs {
        ws.save_cost_table(costs, job.imported_at)?;
    }
    // Reading the workspace back has no counts of its own (~6 s at a million orders, most of it the
    // products with their items): beats keep the window's progress moving, and a cancel interrupts
    // the statement running at the next beat (issue 10 item 5).
    check_cancel(progress)?;
    let interrupt = ws.interrupt_handle();
    let interrupt = || interrupt.interrupt();
    let (stored, customers, note, days) =
        crate::progress::beating_or_cancelled(progress, (Stage::Classifying, 0, 0), &interrupt, || {
            // Products and profit from the stored items (nothing is read when no order has items).
            let stored = match known.products {
                Some(known) => Cow::Borrowed(known),
                None => Cow::Owned(ws.products()?),
            };
            let mut all = ws.customers()?;
            stored.fill_profit(&mut all);
            let (customers, note) = in_window(all, || ws.order_ledger(), job.params)?;
            let days = match known.days {
                Some(known) => Cow::Borrowed(known),
                None => Cow::Owned(ws.order_days()?),
            };
            Ok((stored, customers, note, days))
        })?;
    // The workbook's product columns own their lookup.
    let lookup = match stored {
        Cow::Owned(stored) => stored.lookup,
        Cow::Borrowed(stored) => stored.lookup.clone(),
    };
    let classification = classify_all(&customers, &days, job.params, note, progress)?;
    check_cancel(progress)?;
    let (outcome, playbook) =
        crate::progress::beating_or_cancelled(progress, (Stage::Exporting, 0, 0), &interrupt, || {
            gather_in_workspace(job, ws, import, lookup, customers, classification, &days)
        })?;
    stage_outputs(outcome, &playbook, job.outputs, progress)
}

/// What a job on the workspace shows beside its classification (the snapshot it saves, the
/// comparison, regions, cohorts, rhythm, tier changes, campaigns), read after classifying: ~1 s at
/// a million orders.
fn gather_in_workspace(
    job: &Job,
    ws: &mut Workspace,
    import: Option<ImportOutcome>,
    products: ProductLookup,
    customers: Vec<Customer>,
    classification: Classification,
    days: &OrderDays,
) -> Result<(JobOutcome, Playbook)> {
    let snapshot = if job.save_snapshot { Some(ws.save_snapshot(&customers, &classification, None)?) } else { None };
    let playbook = ws.playbook()?;
    let migration = match ws.snapshots()?.as_slice() {
        [.., old, new] => Some(ws.compare(old.id, new.id, &playbook)?),
        _ => None,
    };
    let reports = ws.sources()?.into_iter().map(|s| s.report).collect();
    let regions = ws.customer_regions()?;
    let cohorts = ws.cohorts(classification.as_of)?;
    let thresholds = ws.get_setting(RhythmThresholds::SETTING)?.unwrap_or_default();
    let rhythm = rhythm::compute(&customers, days, classification.as_of, thresholds)?;
    let tier_changes = Some(ws.tier_changes_of(&customers, &classification)?);
    let campaigns =
        ws.campaigns()?.iter().map(|c| ws.campaign_report(c.id, DEFAULT_WINDOW_DAYS)).collect::<Result<Vec<_>>>()?;
    let outcome = JobOutcome {
        import,
        reports,
        orders: ws.order_count()?,
        customers,
        classification,
        snapshot,
        migration,
        regions,
        cohorts,
        products,
        rhythm,
        tier_changes,
        campaigns,
        workbook: job.outputs.workbook.clone(),
        csv_files: Vec::new(),
    };
    Ok((outcome, playbook))
}

fn in_memory(job: &Job, progress: &dyn Progress) -> Result<Staged> {
    let import::Dataset { mut orders, reports, .. } = import::import_files(job.files, job.import, progress)?;
    if let Some(costs) = job.costs {
        costs.apply(&mut orders);
    }
    // Between the steps that walk a million orders or customers, a cancel is honoured (issue 10 item 5:
    // within 300 ms; each step takes ~0.1–0.4 s of CPU at a million orders).
    check_cancel(progress)?;
    let order_count = orders.len() as u64;
    let ledger = ledger_if_needed(job.params, &orders);
    check_cancel(progress)?;
    // Customers, regions, order days and products in one pass over the orders (see `digest`), which
    // frees each order once it is counted: a million orders are most of the memory peak otherwise.
    let digest = digest::digest(orders, progress)?;
    let computed = from_digest(digest, ledger, job.params, RhythmThresholds::default(), progress)?;
    let outcome = computed.outcome(job, reports, order_count);
    stage_outputs(outcome, &Playbook::default(), job.outputs, progress)
}

/// A shop's first import (`first_import_file`). Everything the workspace would read back after storing
/// the file is what the file's own orders give, so one core stores the orders while the other
/// classifies them in memory and writes the outputs, as a job without a workspace does (issue 10
/// item 4: reading back what was just written cost as much as writing it). Once the classification
/// is there, the store thread saves the snapshot too, beside the export; all of it inside the job's
/// transaction, under a rollback journal when nobody else has the workspace open
/// (`Workspace::use_rollback_journal`: the pages are written once, not also copied from the log).
/// `tests/job.rs` checks that outcome, outputs and workspace equal those of a job over the same
/// orders already stored, and that a failure on either thread keeps nothing.
fn first_import(job: &Job, ws: &mut Workspace, path: &PathBuf, progress: &dyn Progress) -> Result<Staged> {
    // The file's hash (which `store_files` records) is taken beside the reading: ~0.3 s for 150 MB.
    let file = std::thread::scope(|s| {
        let hash = s.spawn(|| crate::store::file_digest(path, &crate::progress::NoProgress));
        let digest = || hash.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        ws.read_imported(path, job.import, progress, digest)
    })?;
    let file = Arc::new(file);
    check_cancel(progress)?;
    let playbook = ws.playbook()?;
    let thresholds = ws.get_setting(RhythmThresholds::SETTING)?.unwrap_or_default();
    let beside = Beside { progress, given_up: AtomicBool::new(false), heard: AtomicBool::new(false) };
    // The classification, once there, for the snapshot the store thread saves beside the export.
    let classified: OnceLock<JobOutcome> = OnceLock::new();
    let (stored, staged) = std::thread::scope(|s| {
        let (ready, wait) = std::sync::mpsc::channel::<()>();
        let (beside, classified) = (&beside, &classified);
        let to_store = Arc::clone(&file);
        let store = s.spawn(move || {
            let import = ws.store_files(vec![to_store], Vec::new(), job.imported_at, beside)?;
            // Waits for the classification; none comes when the other thread failed.
            let snapshot = match (job.save_snapshot, wait.recv(), classified.get()) {
                (true, Ok(()), Some(o)) => Some(ws.save_snapshot(&o.customers, &o.classification, None)?),
                (true, _, _) => return Err(Error::Cancelled),
                (false, ..) => None,
            };
            // The changed pages are written now, beside the export, not at the commit.
            ws.flush_pages()?;
            Ok((import, snapshot))
        });
        let staged = (move || {
            let ledger = ledger_if_needed(job.params, &file.orders);
            let digest = digest::digest_borrowed(&file.orders, progress);
            let (report, count) = (file.report.clone(), file.orders.len() as u64);
            // The orders are freed once both threads are done with them (~250 MB at 1M orders).
            file.release();
            let computed = from_digest(digest?, ledger, job.params, thresholds, progress)?;
            let mut outcome = computed.outcome(job, vec![report], count);
            // No snapshot before this one: the current tiers are the only ones.
            let changes =
                tier_changes::SavedTiers::default().trace_current(&outcome.customers, &outcome.classification);
            outcome.tier_changes = Some(changes);
            let outcome = classified.get_or_init(|| outcome);
            let _ = ready.send(());
            behind_the_store(|| stage_files(outcome, &playbook, job.outputs, progress))
        })();
        match &staged {
            Ok(_) => beside.heard.store(true, Ordering::Relaxed),
            Err(_) => beside.given_up.store(true, Ordering::Relaxed),
        }
        let stored = store.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (stored, staged)
    });
    let (files, created_dir) = staged?;
    let mut staged = Staged { outcome: classified.into_inner().ok_or(Error::Cancelled)?, files, created_dir };
    match stored {
        Ok((import, snapshot)) => (staged.outcome.import, staged.outcome.snapshot) = (Some(import), snapshot),
        Err(e) => return Err(staged.discard(e)),
    }
    progress.report(Stage::Saving, 1, 1);
    Ok(staged)
}

/// Runs `work` (the outputs of a first import) on a thread of its own that yields the CPU to the
/// store thread. Both cores are busy from the end of the reading on, and the store, one thread, is
/// the job's last to finish: at equal priority it got a third of the two cores beside the export's
/// two threads, then ran alone with a core idle. Behind it (nice 10; the export's helpers inherit
/// it), the two end closer together: 6.38 → 6.11 s at a million orders, ten alternating rounds
/// (docs/benchmarks.md). Raising one's own nice value needs no privilege, lowering it back would:
/// hence a thread of its own. Linux only, where a thread's nice value is its own.
#[cfg(target_os = "linux")]
fn behind_the_store<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| {
        let behind = s.spawn(|| {
            // SAFETY: setpriority takes plain integers and touches no memory of ours; on Linux,
            // PRIO_PROCESS with 0 names the calling thread alone. A failure leaves the priority as
            // it was, which only costs time.
            let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
            work()
        });
        behind.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Elsewhere a nice value is the whole process's: the work runs here, at the usual priority.
#[cfg(not(target_os = "linux"))]
fn behind_the_store<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    work()
}

/// The progress the store thread of `first_import` reports to: passed on only once the outputs are
/// written (before, the user follows the classification and the export, and two stages at once would
/// make the progress jump back and forth); a cancel, or the other thread's failure, stops it.
struct Beside<'a> {
    progress: &'a dyn Progress,
    given_up: AtomicBool,
    /// Set once the outputs are written: what is left to wait for is the store.
    heard: AtomicBool,
}

impl Progress for Beside<'_> {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        if self.heard.load(Ordering::Relaxed) {
            self.progress.report(stage, done, total);
        }
    }
    fn cancelled(&self) -> bool {
        self.given_up.load(Ordering::Relaxed) || self.progress.cancelled()
    }
}

/// The window's ledger, read only when the window may drop orders (it walks every order too).
fn ledger_if_needed(params: &ClassifyParams, orders: &[crate::model::Order]) -> Option<Ledger> {
    let window = &params.window;
    (!window.is_all() || window.end(params.as_of).is_some()).then(|| Ledger::from_orders(orders))
}

/// What a job computes from its orders' digest, without a workspace to read from.
struct Computed {
    customers: Vec<Customer>,
    classification: Classification,
    regions: RegionLookup,
    cohorts: CohortTable,
    products: ProductLookup,
    rhythm: Rhythms,
}

impl Computed {
    fn outcome(self, job: &Job, reports: Vec<ImportReport>, orders: u64) -> JobOutcome {
        let Computed { customers, classification, regions, cohorts, products, rhythm } = self;
        JobOutcome {
            import: None,
            reports,
            orders,
            customers,
            classification,
            snapshot: None,
            migration: None,
            regions,
            cohorts,
            products,
            rhythm,
            tier_changes: None,
            campaigns: Vec::new(),
            workbook: job.outputs.workbook.clone(),
            csv_files: Vec::new(),
        }
    }
}

/// The window, the cohorts, the classification and the rhythm from a digest of the orders.
fn from_digest(
    mut digest: digest::Digest,
    ledger: Option<Ledger>,
    params: &ClassifyParams,
    thresholds: RhythmThresholds,
    progress: &dyn Progress,
) -> Result<Computed> {
    let all = std::mem::take(&mut digest.customers);
    let (customers, note) = in_window(all, || Ok(ledger.unwrap_or_default()), params)?;
    check_cancel(progress)?;
    // The cohorts are cut at the as-of date the classification will use (the window's end or the
    // given one, else the latest order, as `classify` decides it).
    let as_of = params
        .window
        .end(params.as_of)
        .unwrap_or_else(|| customers.iter().filter(|c| c.orders > 0).map(|c| c.last_order).max().unwrap_or_default());
    check_cancel(progress)?;
    // The rhythm and the cohorts need only the as-of date: they are computed on the other core
    // beside the classification (~0.15 s and ~0.05 s, the classification ~0.15 s at a million orders).
    let (classification, (rhythm, cohorts)) = std::thread::scope(|s| {
        let digest = &digest;
        let beside = s.spawn(|| (rhythm::compute(&customers, &digest.days, as_of, thresholds), digest.cohorts(as_of)));
        let classification = classify_all(&customers, &digest.days, params, note, progress);
        (classification, beside.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let digest::Digest { regions, products, .. } = digest;
    let classification = classification?;
    check_cancel(progress)?;
    debug_assert_eq!(
        classification.as_of, as_of,
        "the cohorts and the rhythm are cut at the classification's as-of date"
    );
    let rhythm = rhythm?;
    check_cancel(progress)?;
    Ok(Computed { customers, classification, regions, cohorts, products, rhythm })
}

/// `Cancelled` when `progress` asks to stop.
fn check_cancel(progress: &dyn Progress) -> Result<()> {
    if progress.cancelled() {
        return Err(Error::Cancelled);
    }
    Ok(())
}

/// The customers of the parameters' analysis window and the note saying what it did; the
/// whole-history customers, untouched, when the window keeps every order (the ledger is then not read).
///
/// # Errors
/// What `ledger` returns.
pub fn in_window(
    customers: Vec<Customer>,
    ledger: impl FnOnce() -> Result<Ledger>,
    params: &ClassifyParams,
) -> Result<(Vec<Customer>, Option<crate::model::Text>)> {
    if !window::changes(&params.window, params.as_of, &customers) {
        return Ok((customers, None));
    }
    let windowed = window::apply(&customers, &ledger()?, &params.window, params.as_of);
    let note = windowed.note(&params.window);
    Ok((windowed.customers, Some(note)))
}

fn classify_all(
    customers: &[Customer],
    days: &OrderDays,
    params: &ClassifyParams,
    note: Option<crate::model::Text>,
    progress: &dyn Progress,
) -> Result<Classification> {
    progress.report(Stage::Classifying, 0, 1);
    let mut classification = if params.method.uses_rhythm() {
        classify::classify_with_rhythm(customers, params, &rhythm::typical_gaps(customers, days))?
    } else {
        classify::classify(customers, params)?
    };
    classification.notes.splice(0..0, note);
    progress.report(Stage::Classifying, 1, 1);
    Ok(classification)
}

fn stage_outputs(
    outcome: JobOutcome,
    playbook: &Playbook,
    outputs: &Outputs,
    progress: &dyn Progress,
) -> Result<Staged> {
    let (files, created_dir) = stage_files(&outcome, playbook, outputs, progress)?;
    Ok(Staged { outcome, files, created_dir })
}

/// Writes the outputs of `outcome` to temp files; returns them and the CSV folder when this job
/// created it.
fn stage_files(
    outcome: &JobOutcome,
    playbook: &Playbook,
    outputs: &Outputs,
    progress: &dyn Progress,
) -> Result<(Vec<StagedFile>, Option<PathBuf>)> {
    let input = ExportInput {
        customers: &outcome.customers,
        classification: &outcome.classification,
        playbook,
        reports: &outcome.reports,
        migration: outcome.migration.as_ref(),
        regions: Some(&outcome.regions),
        cohorts: Some(&outcome.cohorts),
        rhythm: Some(&outcome.rhythm),
        tier_changes: outcome.tier_changes.as_ref(),
        campaigns: &outcome.campaigns,
        products: Some(&outcome.products).filter(|p| !p.is_empty()),
    };
    let mut files = vec![export::stage_workbook(&outputs.workbook, &input, &outputs.options, progress)?];
    let mut created_dir = None;
    if let Some(dir) = &outputs.csv_dir {
        if !dir.exists() {
            std::fs::create_dir_all(dir).map_err(|e| Error::Write { path: dir.clone(), detail: e.to_string() })?;
            created_dir = Some(dir.clone());
        }
        match export::stage_csv_per_tier(dir, &input, &outputs.options) {
            Ok(csv) => files.extend(csv),
            Err(e) => {
                remove_created(created_dir.as_deref());
                return Err(e);
            }
        }
    }
    if progress.cancelled() {
        // The temp files first: the folder is removed only when empty.
        drop(files);
        remove_created(created_dir.as_deref());
        return Err(Error::Cancelled);
    }
    Ok((files, created_dir))
}

impl Staged {
    /// Removes the staged outputs (and the CSV folder this job created) and returns `error`.
    fn discard(self, error: Error) -> Error {
        drop(self.files);
        remove_created(self.created_dir.as_deref());
        error
    }
}

/// Places the outputs, then commits; undoes the outputs when the commit fails.
fn finish(staged: Staged, commit: impl FnOnce() -> Result<()>) -> Result<JobOutcome> {
    let Staged { mut outcome, files, created_dir } = staged;
    let placed = match export::place_all(files) {
        Ok(placed) => placed,
        Err(e) => {
            remove_created(created_dir.as_deref());
            return Err(e);
        }
    };
    if let Err(e) = commit() {
        placed.into_iter().for_each(PlacedFile::undo);
        remove_created(created_dir.as_deref());
        return Err(e);
    }
    let mut written: Vec<PathBuf> = placed.into_iter().map(PlacedFile::keep).collect();
    outcome.workbook = written.remove(0);
    outcome.csv_files = written;
    Ok(outcome)
}

/// Removes a folder this job created, when it is still empty (never anything in it).
fn remove_created(dir: Option<&Path>) {
    if let Some(dir) = dir {
        let _ = std::fs::remove_dir(dir);
    }
}

/// Refuses outputs that name an input file, the workspace, its SQLite companions, or a file the
/// workspace imported before (the user's original exports), comparing file identity, not spelling.
///
/// # Errors
/// `OutputIsInput` naming both paths; `Store` when the workspace's sources cannot be read.
pub fn check_outputs(job: &Job, workspace: Option<&Workspace>) -> Result<()> {
    let mut protected: Vec<(PathBuf, &'static str)> = job.files.iter().map(|f| (f.clone(), "输入文件")).collect();
    if let Some(ws) = workspace {
        protected.extend(paths::workspace_files(ws.path()).into_iter().map(|p| (p, "工作区文件")));
        // A relative path was relative to the folder of that earlier run: only absolute ones are known.
        let sources = ws.sources()?.into_iter().map(|s| PathBuf::from(s.path)).filter(|p| p.is_absolute());
        protected.extend(sources.map(|p| (p, "已导入的原始文件")));
    }
    let outputs = job.outputs;
    let mut targets = vec![outputs.workbook.clone()];
    if let Some(dir) = &outputs.csv_dir {
        targets.push(dir.clone());
        targets.extend(Tier::ALL.into_iter().map(|t| export::csv_path(dir, t, outputs.options.lang)));
    }
    for target in &targets {
        if let Some((input, what)) = protected.iter().find(|(p, _)| paths::same_file(target, p)) {
            return Err(Error::OutputIsInput { output: target.clone(), input: input.clone(), what: (*what).into() });
        }
    }
    Ok(())
}

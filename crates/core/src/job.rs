//! "Classify the whole workspace and export it": the one function behind `tierbook classify` (with or
//! without `--workspace`) and the app's export.
//!
//! A job imports the given files (into the workspace, or as one in-memory dataset without one),
//! classifies every customer, works out their purchase rhythm (`rhythm`, for the export's rhythm
//! columns and 本周该联系 sheet), saves a snapshot when asked, compares it with the previous one, and
//! writes the workbook and the CSV per tier. It does all of that or none of it:
//! 1. every output path is checked first: none may be an input, the workspace or its `-wal`/`-shm`/
//!    `-journal` files (`Error::OutputIsInput`, nothing done);
//! 2. the workspace writes happen inside one `WorkspaceTransaction`;
//! 3. the outputs are written to temp files beside their targets;
//! 4. only when every step succeeded are the outputs moved into place, and then the transaction
//!    commits. If the commit fails, the outputs are taken back (earlier files at those paths restored),
//!    so a failed job leaves neither a changed workspace nor an output behind.
//!
//! A process killed during a job leaves the workspace as it was (SQLite rolls the transaction back)
//! and at most a temp file, which the next export to the same target removes.

use std::path::{Path, PathBuf};

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
use crate::store::{ImportOutcome, SnapshotInfo, Workspace};
use crate::tier_changes::TierChanges;
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
    match workspace {
        Some(ws) => {
            check_outputs(job, Some(ws))?;
            let writes = !job.files.is_empty() || job.save_snapshot || job.costs.is_some();
            if writes {
                let mut tx = ws.begin()?;
                let outcome = in_workspace(job, &mut tx, progress)?;
                finish(outcome, || tx.commit())
            } else {
                let outcome = in_workspace(job, ws, progress)?;
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

fn in_workspace(job: &Job, ws: &mut Workspace, progress: &dyn Progress) -> Result<Staged> {
    let import =
        if job.files.is_empty() { None } else { Some(ws.import(job.files, job.import, job.imported_at, progress)?) };
    if let Some(costs) = job.costs {
        ws.save_cost_table(costs, job.imported_at)?;
    }
    // Products and profit from the stored items (nothing is read when no order has items).
    let stored = ws.products()?;
    let mut all = ws.customers()?;
    stored.fill_profit(&mut all);
    let (customers, note) = in_window(all, || ws.order_ledger(), job.params)?;
    let days = ws.order_days()?;
    let classification = classify_all(&customers, &days, job.params, note, progress)?;
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
    let rhythm = rhythm::compute(&customers, &days, classification.as_of, thresholds)?;
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
        products: stored.lookup,
        rhythm,
        tier_changes,
        campaigns,
        workbook: job.outputs.workbook.clone(),
        csv_files: Vec::new(),
    };
    stage_outputs(outcome, &playbook, job.outputs, progress)
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
    // The window's ledger is read only when the window may drop orders (it walks every order too).
    let window = &job.params.window;
    let ledger = (!window.is_all() || window.end(job.params.as_of).is_some()).then(|| Ledger::from_orders(&orders));
    check_cancel(progress)?;
    // Customers, regions, order days and products in one pass over the orders (see `digest`), which
    // frees each order once it is counted: a million orders are most of the memory peak otherwise.
    let mut digest = digest::digest(orders, progress)?;
    let all = std::mem::take(&mut digest.customers);
    let (customers, note) = in_window(all, || Ok(ledger.unwrap_or_default()), job.params)?;
    check_cancel(progress)?;
    // The cohorts are cut at the as-of date the classification will use (the window's end or the
    // given one, else the latest order, as `classify` decides it).
    let as_of =
        job.params.window.end(job.params.as_of).unwrap_or_else(|| {
            customers.iter().filter(|c| c.orders > 0).map(|c| c.last_order).max().unwrap_or_default()
        });
    let cohorts = digest.cohorts(as_of);
    let digest::Digest { regions, days, products, .. } = digest;
    check_cancel(progress)?;
    let classification = classify_all(&customers, &days, job.params, note, progress)?;
    check_cancel(progress)?;
    debug_assert_eq!(classification.as_of, as_of, "the cohorts are cut at the classification's as-of date");
    let rhythm = rhythm::compute(&customers, &days, classification.as_of, RhythmThresholds::default())?;
    check_cancel(progress)?;
    let outcome = JobOutcome {
        import: None,
        reports,
        orders: order_count,
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
    };
    stage_outputs(outcome, &Playbook::default(), job.outputs, progress)
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
        remove_created(created_dir.as_deref());
        return Err(Error::Cancelled);
    }
    Ok(Staged { outcome, files, created_dir })
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

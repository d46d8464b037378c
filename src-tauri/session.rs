//! The steps behind the commands: import → aggregate → classify with the saved defaults, re-classify,
//! export. Each step calls the core and keeps the result in the session; the commands only adapt.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tierbook_core::classify::ClassifyParams;
use tierbook_core::export::ExportOptions;
use tierbook_core::history::Migration;
use tierbook_core::import::ImportOptions;
use tierbook_core::job::{self, Job, Outputs};
use tierbook_core::playbook::Playbook;
use tierbook_core::report::ImportReport;
use tierbook_core::store::{SnapshotInfo, SourceInfo};
use tierbook_core::{Error, ErrorCode, Progress, Stage};

use crate::error::ApiError;
use crate::state::{AppState, Session};
use crate::view::{self, CustomerDetail, CustomerRow, Settings, TierView};

/// What an import did (the store's outcome), and the tiers of the whole workspace after it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportOutcome {
    /// The files given (full paths).
    pub files: Vec<String>,
    /// One report per newly imported file.
    pub reports: Vec<ImportReport>,
    /// Orders this import added to the workspace.
    pub new_orders: u64,
    /// Orders in the files that the workspace already had (overlapping exports).
    pub known_orders: u64,
    /// Known orders the newer export changed (a late partial refund) and that were updated.
    pub updated_orders: u64,
    /// Known orders the newer export shows closed or fully refunded, taken out.
    pub withdrawn_orders: u64,
    /// Files skipped because the very same file was imported before.
    pub unchanged_files: Vec<String>,
    /// The sources this import added.
    pub sources: Vec<SourceInfo>,
    /// Valid orders and customers in the workspace after the import.
    pub orders: u64,
    pub customers: u64,
    /// The classification with the saved default parameters.
    pub view: TierView,
}

/// Where the export went.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ExportOutcome {
    pub path: String,
    /// CSV per tier, when asked for.
    pub csv_files: Vec<String>,
}

/// The first-run settings: ABC by revenue 80/95 (the method every seed article starts from).
pub fn default_settings() -> Settings {
    Settings {
        lang: tierbook_core::Lang::Zh,
        default_params: ClassifyParams::default(),
        playbook: Playbook::default(),
        status_rules: tierbook_core::orders::StatusRules::default(),
        segment_names: BTreeMap::new(),
        skip_zero_amount: false,
    }
}

/// The user's segment names apply to every method unless the parameters name a segment themselves.
fn with_settings_names(mut params: ClassifyParams, settings: &Settings) -> ClassifyParams {
    for (canonical, shown) in &settings.segment_names {
        params.segment_names.entry(canonical.clone()).or_insert_with(|| shown.clone());
    }
    params
}

impl AppState {
    /// Imports `paths` as the session's data and classifies it with the saved default parameters.
    ///
    /// # Errors
    /// The core's import errors (naming the file), `cancelled`, or a classification error.
    pub fn import(
        &self,
        paths: Vec<PathBuf>,
        mut options: ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportOutcome, ApiError> {
        let settings = self.settings();
        if options.rules.is_none() {
            options.rules = Some(settings.status_rules.clone());
        }
        options.skip_zero_amount |= settings.skip_zero_amount;
        // What they read is about to be replaced: the cores are the import's.
        self.stop_reading_ahead();
        let stored = self.with_workspace(|ws| {
            let now = chrono::Local::now().naive_local();
            let stored = ws.import(&paths, &options, now, progress)?;
            // Loading the customers back (their profit, then the customers: ~0.1 s per 100k) is the
            // start of classifying them: reported as it goes, so the window's progress does not stand
            // still through it.
            let customers = ws.customers_with_profit(progress)?;
            Ok((stored, customers))
        })?;
        let (stored, customers) = stored;
        let params = with_settings_names(settings.default_params.clone(), &settings);
        let orders = customers.iter().map(|c| u64::from(c.orders)).sum();
        let customer_count = customers.len() as u64;
        self.remember(&paths, chrono::Utc::now());
        let mut session = self.session_now();
        session.set_all_customers(customers);
        session.forget_reads();
        // One step without counts of its own (~0.3 s at 100k customers in the debug app, ~1 s at
        // 240k): beats keep the window's progress moving. The import is committed by now, so a
        // cancel is not looked at (the window no longer offers it in this stage).
        let at = (Stage::Classifying, customer_count.saturating_sub(1), customer_count);
        let (classified, _) = tierbook_core::progress::beating(progress, at, None, || {
            let classification = self.classify_session(&mut session, &params)?;
            let view = view::tier_view(&session.customers, &classification, &settings.playbook);
            Ok::<_, ApiError>((classification, view))
        });
        let (classification, view) = classified?;
        progress.report(Stage::Classifying, customer_count, customer_count);
        let outcome = ImportOutcome {
            files: paths.iter().map(|p| p.display().to_string()).collect(),
            reports: stored.reports,
            new_orders: stored.new_orders,
            known_orders: stored.known_orders,
            updated_orders: stored.updated_orders,
            withdrawn_orders: stored.withdrawn_orders,
            unchanged_files: stored.unchanged_files,
            sources: stored.sources,
            orders,
            customers: customer_count,
            view,
        };
        session.current_file = paths.last().cloned();
        session.classification = Some(classification);
        session.open_error = None;
        drop(session);
        self.read_ahead();
        Ok(outcome)
    }

    /// Writes the built-in sample (a generated 微信小店 export) into the data folder.
    ///
    /// # Errors
    /// `write` when the data folder is not writable.
    pub fn write_sample(&self) -> Result<PathBuf, ApiError> {
        let path = self.data_dir().join("示例数据-微信小店订单.xlsx");
        tierbook_core::generate::sample_workbook(&path)?;
        Ok(path)
    }

    /// Imports the files given on the command line ("打开方式 → TierBook", the test suite), holding
    /// every other command until it is done. A failure is kept for the window to show.
    pub fn import_at_start(&self, paths: Vec<PathBuf>) {
        let result = self.import(paths, ImportOptions::default(), &tierbook_core::NoProgress);
        if let Err(err) = result {
            self.session_now().open_error = Some(err);
        }
        self.set_ready();
    }

    /// Re-classifies the session's customers with `params` (no file is read again).
    ///
    /// # Errors
    /// `no_customers` before any import; `invalid_params`.
    pub fn classify(&self, params: ClassifyParams) -> Result<TierView, ApiError> {
        let settings = self.settings();
        let params = with_settings_names(params, &settings);
        let mut session = self.session();
        if session.all_customers.is_empty() {
            return Err(Error::NoCustomers.into());
        }
        let session = &mut *session;
        let classification = self.classify_session(session, &params)?;
        let view = view::tier_view(&session.customers, &classification, &settings.playbook);
        session.classification = Some(classification);
        Ok(view)
    }

    /// The current tiers screen, for a window that was reloaded.
    ///
    /// # Errors
    /// `no_customers` before any import.
    pub fn current_view(&self) -> Result<TierView, ApiError> {
        let settings = self.settings();
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        Ok(view::tier_view(&session.customers, classification, &settings.playbook))
    }

    /// Every customer of the current classification.
    ///
    /// # Errors
    /// `no_customers` before any import.
    pub fn customer_rows(&self) -> Result<Vec<CustomerRow>, ApiError> {
        let playbook = self.settings().playbook;
        // A rhythm that cannot be worked out leaves its columns empty rather than the table.
        let rhythms = self.rhythms().ok();
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        let mut rows = view::customer_rows(&session.customers, classification, &playbook);
        if let Some(rhythms) = rhythms.filter(|r| r.customers.len() == rows.len()) {
            rows.iter_mut().zip(rhythms.customers).for_each(|(row, r)| row.rhythm = r);
        }
        Ok(rows)
    }

    /// One customer's detail.
    ///
    /// # Errors
    /// `no_customers` before any import; `customer_not_found` for an unknown key.
    pub fn customer_detail(&self, key: &str) -> Result<CustomerDetail, ApiError> {
        let playbook = self.settings().playbook;
        let orders = self.with_workspace(|ws| ws.orders_of(key))?;
        let rhythm = self.rhythm_of(key);
        let (favourites, last_product) = self.products_of(key);
        let mut session = self.session();
        // The drawer shows the reason and the gap: written now if the last move was tiers only.
        session.worded()?.ok_or(Error::NoCustomers)?;
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        let detail = view::customer_detail(key, &session.customers, orders, classification, &playbook);
        detail.map(|d| view::with_products(view::with_rhythm(d, rhythm), favourites, last_product)).ok_or_else(|| {
            ApiError::new(
                ErrorCode::CustomerNotFound,
                format!("找不到客户“{key}”。数据可能已重新导入，请刷新客户列表。"),
            )
            .with("key", key)
        })
    }

    /// Writes the tiered workbook of the current classification to `path`, and CSV per tier into a
    /// folder beside it when `csv` is set: the core's one job on the workspace (no import, no snapshot),
    /// which refuses a path that is an imported file or the workspace, and writes every file or none.
    ///
    /// # Errors
    /// `no_customers` before any import; `output_is_input`; `write`; `cancelled`.
    pub fn export(
        &self,
        path: &Path,
        options: &ExportOptions,
        csv: bool,
        progress: &dyn Progress,
    ) -> Result<ExportOutcome, ApiError> {
        // The parameters of what the window shows; the job classifies the workspace's customers with
        // them again, so the file holds exactly what the workspace holds.
        let params = self.session().classification.as_ref().ok_or(Error::NoCustomers)?.params.clone();
        let outputs =
            Outputs { workbook: path.to_path_buf(), csv_dir: csv.then(|| csv_dir(path)), options: options.clone() };
        let job = Job {
            files: &[],
            import: &ImportOptions::default(),
            imported_at: chrono::Local::now().naive_local(),
            params: &params,
            save_snapshot: false,
            outputs: &outputs,
            costs: None,
        };
        // What the read-ahead has read already (not what it is still reading: the job's own read
        // reports its progress) is the workspace as it is, since an import or a cost-table change
        // empties those slots: the job need not read it again (~1 s at 400k orders, release).
        let (products, days) = {
            let session = self.session();
            (session.products.ready(), session.order_days.ready())
        };
        let known = job::Known { products: products.as_deref(), days: days.as_deref() };
        let done = self.with_workspace(|ws| job::run_knowing(&job, Some(ws), known, progress))?;
        let outcome = ExportOutcome {
            path: done.workbook.display().to_string(),
            csv_files: done.csv_files.iter().map(|p| p.display().to_string()).collect(),
        };
        // Freeing what the job returned (every customer, assignment and product list, one
        // allocation at a time) took 1.1 s at a million orders after the workbook was written:
        // a thread of its own does it while the window has its answer.
        let _ = std::thread::Builder::new().name("free export".into()).spawn(move || drop(done));
        Ok(outcome)
    }
}

impl AppState {
    /// Classifies what the workspace already holds (at start: the last session comes back without
    /// re-reading any file).
    ///
    /// # Errors
    /// `store`; `invalid_params` when saved parameters no longer fit.
    pub fn reload(&self) -> Result<(), ApiError> {
        self.reload_with(None)
    }

    /// `reload`, with the workspace's customers when they were read already (at start, beside the
    /// workspace's open: `AppState::read_early`). They are used only when the workspace is open.
    ///
    /// # Errors
    /// Those of `reload`.
    pub fn reload_with(&self, read: Option<Vec<tierbook_core::Customer>>) -> Result<(), ApiError> {
        let customers = self.with_workspace(|ws| match read {
            Some(customers) => Ok(customers),
            None => ws.customers_with_profit(&tierbook_core::NoProgress),
        })?;
        let settings = self.settings();
        let params = with_settings_names(settings.default_params.clone(), &settings);
        let mut session = self.session_now();
        if customers.is_empty() {
            *session = Session::default();
            return Ok(());
        }
        // Through the session's classifier, so the first parameter change after start reuses the facts.
        session.set_all_customers(customers);
        session.forget_reads();
        session.classification = Some(self.classify_session(&mut session, &params)?);
        drop(session);
        self.read_ahead();
        Ok(())
    }

    pub fn sources(&self) -> Result<Vec<SourceInfo>, ApiError> {
        self.with_workspace(|ws| ws.sources())
    }

    /// Removes a source and everything it contributed, then re-classifies what is left.
    ///
    /// # Errors
    /// `store`.
    pub fn remove_source(&self, id: i64) -> Result<(), ApiError> {
        self.with_workspace(|ws| ws.remove_source(id))?;
        self.reload()
    }

    pub fn snapshots(&self) -> Result<Vec<SnapshotInfo>, ApiError> {
        self.with_workspace(|ws| ws.snapshots())
    }

    /// Saves the current classification as a snapshot.
    ///
    /// # Errors
    /// `no_customers` before any import; `store`.
    pub fn save_snapshot(&self, label: Option<String>) -> Result<SnapshotInfo, ApiError> {
        let mut session = self.session();
        // A snapshot keeps every customer's reason and gap.
        session.worded()?.ok_or(Error::NoCustomers)?;
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        let label = label.as_deref().map(str::trim).filter(|l| !l.is_empty());
        self.with_workspace(|ws| ws.save_snapshot(&session.customers, classification, label))
    }

    /// Tier flows between two snapshots, with the playbook's actions.
    ///
    /// # Errors
    /// `snapshot_not_found`, `store`.
    pub fn compare(&self, old: i64, new: i64) -> Result<Migration, ApiError> {
        self.with_workspace(|ws| {
            let playbook = ws.playbook()?;
            ws.compare(old, new, &playbook)
        })
    }
}

/// `客户分层.xlsx` → `客户分层_CSV/` beside it, so repeated exports do not mix their CSV files.
fn csv_dir(workbook: &Path) -> PathBuf {
    let stem = workbook.file_stem().map_or("TierBook".into(), |s| s.to_string_lossy().into_owned());
    workbook.with_file_name(format!("{stem}_CSV"))
}

//! Issue 10 item 5: a cancel is honoured within 300 ms, also after the last row is read. The steps
//! that follow the reading (settling the orders, summing the customers, writing the workspace's
//! customers and regions) each take seconds at a million orders; they check for a cancel as they go.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use tierbook_core::classify::ClassifyParams;
use tierbook_core::export::ExportOptions;
use tierbook_core::generate::{self, FileFormat, GenerateOptions};
use tierbook_core::import::ImportOptions;
use tierbook_core::job::{self, Job, Outputs};
use tierbook_core::store::Workspace;
use tierbook_core::{Error, Progress, Stage};

/// 20,000 orders of 10,000 customers, with addresses (so the workspace refreshes 10,000 regions).
fn orders_file(dir: &Path) -> PathBuf {
    let path = dir.join("orders.csv");
    let options = GenerateOptions {
        orders: 20_000,
        customers: Some(10_000),
        format: FileFormat::Csv,
        ..GenerateOptions::default()
    };
    generate::generate(&path, &options).unwrap();
    path
}

fn noon() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(12, 0, 0).unwrap()
}

/// Asks to stop once `when` is true of a report, and records every report.
struct CancelWhen<F: Fn(Stage, u64, u64) -> bool + Sync> {
    when: F,
    asked: AtomicBool,
    reports: Mutex<Vec<(Stage, u64, u64)>>,
    checks_after: AtomicU64,
}

impl<F: Fn(Stage, u64, u64) -> bool + Sync> CancelWhen<F> {
    fn new(when: F) -> Self {
        CancelWhen {
            when,
            asked: AtomicBool::new(false),
            reports: Mutex::new(Vec::new()),
            checks_after: AtomicU64::new(0),
        }
    }
}

impl<F: Fn(Stage, u64, u64) -> bool + Sync> Progress for CancelWhen<F> {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        self.reports.lock().unwrap().push((stage, done, total));
        if (self.when)(stage, done, total) {
            self.asked.store(true, Ordering::Relaxed);
        }
    }
    fn cancelled(&self) -> bool {
        let asked = self.asked.load(Ordering::Relaxed);
        if asked {
            self.checks_after.fetch_add(1, Ordering::Relaxed);
        }
        asked
    }
}

#[test]
fn a_cancel_after_the_last_row_is_read_stops_the_job_before_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![orders_file(dir.path())];
    let import = ImportOptions::default();
    let params = ClassifyParams::default();
    let outputs = Outputs { workbook: dir.path().join("out.xlsx"), csv_dir: None, options: ExportOptions::default() };
    let job = Job {
        files: &files,
        import: &import,
        imported_at: noon(),
        params: &params,
        save_snapshot: false,
        outputs: &outputs,
        costs: None,
    };
    // The import's last report says every row is read; nothing after it reads rows.
    let progress = CancelWhen::new(|stage, done, total| stage == Stage::Reading && done == total && total > 0);
    let err = job::run(&job, None, &progress).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err}");
    let reports = progress.reports.lock().unwrap();
    assert!(reports.iter().any(|r| r.0 == Stage::Reading && r.1 == r.2), "the reading finished: {reports:?}");
    // Stopped before classifying and exporting: the aggregation and the steps after it checked.
    assert!(
        !reports.iter().any(|r| matches!(r.0, Stage::Classifying | Stage::Exporting)),
        "went on after the cancel: {:?}",
        reports.iter().filter(|r| r.0 != Stage::Reading).collect::<Vec<_>>()
    );
    assert!(!outputs.workbook.exists());
}

#[test]
fn a_cancel_after_the_last_order_is_stored_leaves_the_workspace_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![orders_file(dir.path())];
    let ws_path = dir.path().join("shop.tierbook");
    // The store reports every 4,096 orders; cancel at its last report inside the order loop, so no
    // further check falls among the orders: what is left is writing 10,000 customers and their regions.
    let progress = CancelWhen::new(|stage, done, total| stage == Stage::Saving && done < total && done + 4096 >= total);
    let mut ws = Workspace::open(&ws_path).unwrap();
    let err = ws.import(&files, &ImportOptions::default(), noon(), &progress).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err}");
    assert!(progress.checks_after.load(Ordering::Relaxed) >= 1);
    let reports = progress.reports.lock().unwrap();
    assert!(!reports.iter().any(|r| r.0 == Stage::Saving && r.1 == r.2), "the store finished: {reports:?}");
    drop(ws);
    let ws = Workspace::open(&ws_path).unwrap();
    assert_eq!(ws.order_count().unwrap(), 0);
    assert!(ws.customers().unwrap().is_empty());
    // Without the cancel the same import stores the orders (the file is not refused for another reason).
    let mut ws = Workspace::open(&ws_path).unwrap();
    ws.import(&files, &ImportOptions::default(), noon(), &tierbook_core::NoProgress).unwrap();
    assert!(ws.order_count().unwrap() > 15_000);
    assert!(ws.customers().unwrap().len() > 8192);
}

#[test]
fn writing_the_customers_after_the_orders_reports_progress_every_4096_steps() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![orders_file(dir.path())];
    let progress = CancelWhen::new(|_, _, _| false);
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    ws.import(&files, &ImportOptions::default(), noon(), &progress).unwrap();
    // Every customer is new: each is written once, whole, with its totals and its region (a stored
    // customer's region would be one more step). Then each order id the file shows closed or fully
    // refunded is looked up among the stored orders: one step each.
    let customers = ws.customers().unwrap().len() as u64;
    assert!(customers > 8192, "{customers} customers: too few for more than one report");
    let withdrawn = tierbook_core::import::import_files(&files, &ImportOptions::default(), &tierbook_core::NoProgress)
        .unwrap()
        .withdrawn
        .len() as u64;
    assert!(withdrawn > 0, "the generated file has closed or refunded orders");
    let total = customers + withdrawn;
    let reports = progress.reports.lock().unwrap();
    let steps: Vec<(u64, u64)> = reports.iter().filter(|r| r.0 == Stage::Customers).map(|r| (r.1, r.2)).collect();
    assert!(!steps.is_empty(), "no customer progress: {reports:?}");
    assert!(steps.iter().all(|&(_, t)| t == total), "{steps:?} for {customers} customers, {withdrawn} withdrawn");
    // From the first 4,096 to the last full 4,096 below the total, none skipped.
    let expected: Vec<u64> = (1..=total / 4096).map(|k| k * 4096).collect();
    assert_eq!(steps.iter().map(|s| s.0).collect::<Vec<_>>(), expected);
    // They come after the orders are stored and before the store's final report.
    let first = reports.iter().position(|r| r.0 == Stage::Customers).unwrap();
    let last_order = reports.iter().rposition(|r| r.0 == Stage::Saving && r.1 < r.2).unwrap();
    let saved = reports.iter().rposition(|r| r.0 == Stage::Saving && r.1 == r.2).unwrap();
    assert!(last_order < first && first < saved, "order of reports: {reports:?}");
}

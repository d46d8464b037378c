//! `job::run`, "classify the whole workspace and export it": real CSV exports written here, a real
//! workspace file, the workbook read back with calamine.
//!
//! Index:
//! - the whole job commits import, snapshot, workbook and CSV together: `job_*`
//! - a failure at any step leaves the workspace and the output folder as they were: `failure_*`
//! - no output over an input, the workspace or its companions: `refused_*`
//! - stale temp files of a killed export: `stale_*`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use calamine::{open_workbook_auto, Reader};
use chrono::NaiveDateTime;
use tierbook_core::classify::{ClassifyParams, Measure, Method};
use tierbook_core::export::ExportOptions;
use tierbook_core::import::ImportOptions;
use tierbook_core::job::{self, Job, JobOutcome, Outputs};
use tierbook_core::store::Workspace;
use tierbook_core::{Error, NoProgress, Progress, Result, Stage};

mod store_support;

/// A 微信小店-style CSV: (order id, date, buyer id, nickname, paid yuan).
fn write_csv(path: &Path, rows: &[(&str, &str, &str, &str, u32)]) {
    let mut out = String::from("\u{feff}订单号,下单时间,订单状态,买家昵称,买家ID,实付金额\n");
    for (id, date, key, name, paid) in rows {
        out.push_str(&format!("{id},{date} 10:00:00,已完成,{name},{key},{paid}.00\n"));
    }
    std::fs::write(path, out).unwrap();
}

fn month1(path: &Path) {
    write_csv(
        path,
        &[
            ("3700000000000000001", "2025-01-05", "oX", "小X", 8000),
            ("3700000000000000002", "2025-01-10", "oY", "小Y", 1500),
            ("3700000000000000003", "2025-01-15", "oZ", "小Z", 500),
        ],
    );
}

fn month2(path: &Path) {
    write_csv(
        path,
        &[
            ("3700000000000000004", "2025-02-03", "oZ", "小Z", 9500),
            ("3700000000000000005", "2025-02-10", "oW", "小W", 600),
        ],
    );
}

fn at() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2025-03-01 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap()
}

/// Fixed revenue thresholds: A ≥ ¥5,000, B ≥ ¥1,000.
fn thresholds() -> ClassifyParams {
    ClassifyParams {
        method: Method::Thresholds { measure: Measure::Revenue, a_min: 5000.0, b_min: 1000.0, c_min: None },
        ..ClassifyParams::default()
    }
}

fn outputs(workbook: &Path, csv_dir: Option<&Path>) -> Outputs {
    Outputs {
        workbook: workbook.to_path_buf(),
        csv_dir: csv_dir.map(Path::to_path_buf),
        options: ExportOptions::default(),
    }
}

fn run_job(
    ws: Option<&mut Workspace>,
    files: &[PathBuf],
    params: &ClassifyParams,
    outputs: &Outputs,
    progress: &dyn Progress,
) -> Result<JobOutcome> {
    let import = ImportOptions::default();
    let job =
        Job { files, import: &import, imported_at: at(), params, save_snapshot: ws.is_some(), outputs, costs: None };
    job::run(&job, ws, progress)
}

/// Every row of every table, as text: equal exactly when the workspace holds the same data.
fn contents(path: &Path) -> BTreeMap<String, Vec<String>> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut out = BTreeMap::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let values: Vec<String> =
                    (0..columns).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>();
                Ok(values.join("|"))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        rows.sort();
        out.insert(table, rows);
    }
    out
}

/// Names in a folder, sorted (temp files included: none may be left).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

fn sheet_names(path: &Path) -> Vec<String> {
    open_workbook_auto(path).unwrap().sheet_names().to_vec()
}

/// A workspace after one successful month-1 job, with a report and CSV folder from it.
struct Setup {
    dir: tempfile::TempDir,
    ws: PathBuf,
    m2: PathBuf,
    out: PathBuf,
    csv: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("店铺.tierbook");
    let (m1, m2) = (dir.path().join("1月.csv"), dir.path().join("2月.csv"));
    month1(&m1);
    month2(&m2);
    let (out, csv) = (dir.path().join("分层.xlsx"), dir.path().join("分层CSV"));
    let mut ws = Workspace::open(&ws_path).unwrap();
    run_job(Some(&mut ws), &[m1], &thresholds(), &outputs(&out, Some(&csv)), &NoProgress).unwrap();
    Setup { dir, ws: ws_path, m2, out, csv }
}

#[test]
fn job_imports_classifies_snapshots_and_writes_workbook_and_csv_together() {
    let s = setup();
    let mut ws = Workspace::open(&s.ws).unwrap();
    assert_eq!(ws.snapshots().unwrap().len(), 1);
    assert!(!sheet_names(&s.out).iter().any(|n| n == "分层变化"));

    let done =
        run_job(Some(&mut ws), std::slice::from_ref(&s.m2), &thresholds(), &outputs(&s.out, Some(&s.csv)), &NoProgress)
            .unwrap();
    assert_eq!(done.import.as_ref().unwrap().new_orders, 2);
    assert_eq!(done.orders, 5);
    assert_eq!(done.customers.len(), 4);
    let snapshot = done.snapshot.as_ref().unwrap();
    let migration = done.migration.as_ref().unwrap();
    assert_eq!((migration.new_snapshot, migration.upgraded.len(), migration.new.len()), (snapshot.id, 1, 1));
    assert_eq!(migration.upgraded[0].key, "oZ");
    assert_eq!(ws.snapshots().unwrap().len(), 2);
    assert!(sheet_names(&s.out).iter().any(|n| n == "分层变化"), "{:?}", sheet_names(&s.out));
    // X and Z are A (¥8,000, ¥10,000), Y B, W C: one CSV per tier used.
    assert_eq!(listing(&s.csv), ["A类客户.csv", "B类客户.csv", "C类客户.csv"]);
    assert_eq!(done.csv_files.len(), 3);
    let a = std::fs::read_to_string(s.csv.join("A类客户.csv")).unwrap();
    assert!(a.contains("oX") && a.contains("oZ") && !a.contains("oY"), "{a}");
}

#[test]
fn job_without_a_workspace_reads_the_files_as_one_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let (m1, m2) = (dir.path().join("1月.csv"), dir.path().join("2月.csv"));
    month1(&m1);
    month2(&m2);
    let out = dir.path().join("分层.xlsx");
    let done = run_job(None, &[m1, m2], &thresholds(), &outputs(&out, None), &NoProgress).unwrap();
    assert_eq!((done.orders, done.customers.len(), done.reports.len()), (5, 4, 2));
    assert!(done.import.is_none() && done.snapshot.is_none() && done.migration.is_none());
    assert!(sheet_names(&out).iter().any(|n| n == "A类客户"));
}

/// Cancels once the export has started (everything before it has run by then).
struct CancelWhenExporting(AtomicBool);

impl Progress for CancelWhenExporting {
    fn report(&self, stage: Stage, _: u64, _: u64) {
        if stage == Stage::Exporting {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Runs the month-2 job with `outputs`/`params`/`progress`, expects `expected` and asserts that the
/// workspace holds exactly what it held, its file is byte-identical once closed, the report and the
/// CSV folder are as they were, and no temp file is left.
fn assert_all_or_nothing(
    s: &Setup,
    outputs: &Outputs,
    params: &ClassifyParams,
    progress: &dyn Progress,
    expected: fn(&Error) -> bool,
) {
    let (before, bytes) = (contents(&s.ws), std::fs::read(&s.ws).unwrap());
    let (report, csv) = (std::fs::read(&s.out).unwrap(), listing(&s.csv));
    let (folder, csv_a) = (listing(s.dir.path()), std::fs::read(s.csv.join("A类客户.csv")).unwrap());
    let mut ws = Workspace::open(&s.ws).unwrap();
    let err = run_job(Some(&mut ws), std::slice::from_ref(&s.m2), params, outputs, progress).unwrap_err();
    assert!(expected(&err), "unexpected error: {err:?}");
    assert_eq!(ws.snapshots().unwrap().len(), 1);
    assert_eq!(ws.order_count().unwrap(), 3);
    drop(ws);
    assert_eq!(contents(&s.ws), before, "the workspace changed after: {err}");
    assert_eq!(std::fs::read(&s.ws).unwrap(), bytes, "the workspace file changed after: {err}");
    assert_eq!(std::fs::read(&s.out).unwrap(), report, "the earlier report changed after: {err}");
    assert_eq!(listing(&s.csv), csv, "the CSV folder changed after: {err}");
    assert_eq!(std::fs::read(s.csv.join("A类客户.csv")).unwrap(), csv_a);
    assert_eq!(listing(s.dir.path()), folder, "files left beside the report after: {err}");
}

#[test]
fn failure_at_the_classification_after_the_import_keeps_nothing() {
    let s = setup();
    let bad = ClassifyParams { method: Method::AbcRevenue { a_pct: 95.0, b_pct: 80.0 }, ..ClassifyParams::default() };
    let o = outputs(&s.out, Some(&s.csv));
    assert_all_or_nothing(&s, &o, &bad, &NoProgress, |e| matches!(e, Error::InvalidParams(_)));
}

#[test]
fn failure_at_the_csv_step_keeps_neither_the_snapshot_nor_the_workbook() {
    let s = setup();
    // The CSV folder is a file.
    let not_a_folder = s.dir.path().join("名单.txt");
    std::fs::write(&not_a_folder, "x").unwrap();
    let o = outputs(&s.out, Some(&not_a_folder));
    assert_all_or_nothing(&s, &o, &thresholds(), &NoProgress, |e| matches!(e, Error::Write { .. }));
    // A new workbook path is not left behind either.
    let fresh = s.dir.path().join("新分层.xlsx");
    let o = outputs(&fresh, Some(&not_a_folder));
    assert_all_or_nothing(&s, &o, &thresholds(), &NoProgress, |e| matches!(e, Error::Write { .. }));
    assert!(!fresh.exists());
}

#[test]
fn failure_placing_a_csv_after_the_workbook_was_placed_restores_the_earlier_workbook() {
    let s = setup();
    // The C tier's CSV cannot replace a folder of that name: the workbook is already in place by
    // then, and must be taken back (the earlier report restored byte for byte).
    let blocked = s.dir.path().join("其他CSV");
    std::fs::create_dir_all(blocked.join("C类客户.csv")).unwrap();
    std::fs::write(blocked.join("C类客户.csv").join("keep.txt"), "mine").unwrap();
    let o = outputs(&s.out, Some(&blocked));
    assert_all_or_nothing(&s, &o, &thresholds(), &NoProgress, |e| matches!(e, Error::Write { .. }));
    assert_eq!(listing(&blocked), ["C类客户.csv"]);
    assert_eq!(std::fs::read_to_string(blocked.join("C类客户.csv").join("keep.txt")).unwrap(), "mine");
}

#[test]
fn failure_writing_the_workbook_or_a_cancel_keeps_nothing() {
    let s = setup();
    let missing = s.dir.path().join("没有这个文件夹").join("分层.xlsx");
    let o = outputs(&missing, Some(&s.csv));
    assert_all_or_nothing(&s, &o, &thresholds(), &NoProgress, |e| matches!(e, Error::Write { .. }));
    let cancel = CancelWhenExporting(AtomicBool::new(false));
    let o = outputs(&s.out, Some(&s.csv));
    assert_all_or_nothing(&s, &o, &thresholds(), &cancel, |e| matches!(e, Error::Cancelled));
    // A CSV folder the job created is removed again.
    let new_dir = s.dir.path().join("新名单");
    let o = outputs(&s.out, Some(&new_dir));
    let cancel = CancelWhenExporting(AtomicBool::new(false));
    assert_all_or_nothing(&s, &o, &thresholds(), &cancel, |e| matches!(e, Error::Cancelled));
    assert!(!new_dir.exists());
}

#[cfg(unix)]
#[test]
fn failure_in_a_read_only_csv_folder_keeps_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup();
    let locked = s.dir.path().join("只读");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(locked.join("probe"), "x").is_ok() {
        // Running as root: permissions do not stop writes, so this case cannot be built here.
        return;
    }
    let o = outputs(&s.out, Some(&locked));
    assert_all_or_nothing(&s, &o, &thresholds(), &NoProgress, |e| matches!(e, Error::Write { .. }));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs a job that must be refused before doing anything, and checks that nothing changed.
fn assert_refused(s: &Setup, outputs: &Outputs, names: [&str; 2]) {
    let inputs = [s.ws.clone(), s.m2.clone(), s.dir.path().join("1月.csv")];
    let before: Vec<Vec<u8>> = inputs.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let rows = contents(&s.ws);
    let mut ws = Workspace::open(&s.ws).unwrap();
    let err = run_job(Some(&mut ws), std::slice::from_ref(&s.m2), &thresholds(), outputs, &NoProgress).unwrap_err();
    drop(ws);
    assert!(matches!(err, Error::OutputIsInput { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 3);
    let message = err.to_string();
    for name in names {
        assert!(message.contains(name), "the message names {name}: {message}");
    }
    let after: Vec<Vec<u8>> = inputs.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(before == after, "an input or the workspace changed: {message}");
    assert_eq!(contents(&s.ws), rows);
}

#[test]
fn refused_outputs_over_inputs_and_the_workspace() {
    let s = setup();
    let d = &s.dir.path().to_path_buf();
    // The report onto the workspace, its WAL, an input, and an earlier import (through `..`).
    assert_refused(&s, &outputs(&s.ws, None), ["店铺.tierbook", "工作区"]);
    let wal = PathBuf::from(format!("{}-wal", s.ws.display()));
    assert_refused(&s, &outputs(&wal, None), ["店铺.tierbook-wal", "工作区"]);
    let shm = PathBuf::from(format!("{}-shm", s.ws.display()));
    assert_refused(&s, &outputs(&shm, None), ["-shm", "工作区"]);
    assert_refused(&s, &outputs(&s.m2, None), ["2月.csv", "输入文件"]);
    let earlier = d.join("分层CSV").join("..").join("1月.csv");
    assert_refused(&s, &outputs(&earlier, None), ["1月.csv", "已导入"]);
    // A CSV folder that holds an input named like a tier CSV.
    let inbox = d.join("收件箱");
    std::fs::create_dir(&inbox).unwrap();
    let named_like_a_tier = inbox.join("A类客户.csv");
    month2(&named_like_a_tier);
    let s2 = Setup { m2: named_like_a_tier.clone(), ..s };
    assert_refused(&s2, &outputs(&s2.out, Some(&inbox)), ["A类客户.csv", "输入文件"]);
    // A hard link to an input is the same file under another name.
    #[cfg(unix)]
    {
        let link = d.join("链接.xlsx");
        std::fs::hard_link(&s2.m2, &link).unwrap();
        assert_refused(&s2, &outputs(&link, None), ["链接.xlsx", "A类客户.csv"]);
    }
}

#[test]
fn refused_outputs_without_a_workspace_leave_the_input_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let m1 = dir.path().join("1月.csv");
    month1(&m1);
    let before = std::fs::read(&m1).unwrap();
    let err = run_job(None, std::slice::from_ref(&m1), &thresholds(), &outputs(&m1, None), &NoProgress).unwrap_err();
    assert!(matches!(err, Error::OutputIsInput { .. }), "{err:?}");
    assert_eq!(std::fs::read(&m1).unwrap(), before);
    assert_eq!(listing(dir.path()), ["1月.csv"]);
}

#[test]
fn stale_temp_files_of_a_killed_export_are_removed_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let (m1, out) = (dir.path().join("1月.csv"), dir.path().join("分层.xlsx"));
    month1(&m1);
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    let make = |name: &str, modified: std::time::SystemTime| {
        let path = dir.path().join(name);
        std::fs::write(&path, b"partial").unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
    };
    make(".~分层.xlsx.a1B2c3.tmp", old); // a killed export to this target: removed
    make(".~分层.xlsx.Zz9yX8.tmp", std::time::SystemTime::now()); // maybe still running: kept
    make(".~其他.xlsx.a1B2c3.tmp", old); // another target's: kept
    make(".~分层.xlsx.a1B2c3.tmp.bak", old); // not our pattern: kept
    make("分层.xlsx.tmp", old); // the user's own file: kept
    run_job(None, &[m1], &thresholds(), &outputs(&out, None), &NoProgress).unwrap();
    assert_eq!(
        listing(dir.path()),
        [
            ".~其他.xlsx.a1B2c3.tmp",
            ".~分层.xlsx.Zz9yX8.tmp",
            ".~分层.xlsx.a1B2c3.tmp.bak",
            "1月.csv",
            "分层.xlsx",
            "分层.xlsx.tmp"
        ]
    );
}

/// `a == b`, or a failure naming the first element that differs (not two whole lists).
fn assert_same<T: PartialEq + std::fmt::Debug>(a: &[T], b: &[T], what: &str) {
    if let Some(i) = (0..a.len().min(b.len())).find(|&i| a[i] != b[i]) {
        panic!("{what}: element {i} differs:\n  {:?}\n  {:?}", a[i], b[i]);
    }
    assert_eq!(a.len(), b.len(), "{what}: lengths");
}

/// Every sheet of a workbook, every cell as text.
fn workbook_cells(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book = open_workbook_auto(path).unwrap();
    let names = book.sheet_names().to_vec();
    let sheet = |name: String| {
        let range = book.worksheet_range(&name).unwrap();
        let rows = range.rows().map(|r| r.iter().map(ToString::to_string).collect()).collect();
        (name, rows)
    };
    names.into_iter().map(sheet).collect()
}

#[test]
fn job_a_shops_first_import_gives_what_a_job_over_the_same_stored_orders_gives() {
    // A job's one file into a new workspace is classified in memory while it is stored on the other
    // core; a job over a workspace that already holds the file reads everything back. Both must
    // give the same outcome, the same workbook and CSV files, and the same workspace.
    use tierbook_core::generate::{generate, FileFormat, GenerateOptions, Layout};
    use tierbook_core::window::{Outside, Span, Window};
    let rfm = ClassifyParams {
        method: Method::RfmCube { basis: tierbook_core::classify::CubeBasis::Median },
        ..ClassifyParams::default()
    };
    let windowed = ClassifyParams {
        window: Window { span: Span::Months { months: 6 }, outside: Outside::Group },
        ..ClassifyParams::default()
    };
    let dir = tempfile::tempdir().unwrap();
    for (i, layout) in Layout::ALL.into_iter().enumerate() {
        let format = if i % 2 == 0 { FileFormat::Xlsx } else { FileFormat::Csv };
        let file = dir.path().join(format!("{layout:?}.{}", if i % 2 == 0 { "xlsx" } else { "csv" }));
        let options = GenerateOptions {
            layout,
            format,
            orders: 1500,
            customers: Some(300),
            seed: 11 + i as u64,
            ..GenerateOptions::default()
        };
        generate(&file, &options).unwrap();
        for (p, params) in [ClassifyParams::default(), rfm.clone(), windowed.clone()].iter().enumerate() {
            let run = |first: bool| {
                let sub = dir.path().join(format!("{layout:?}-{p}-{first}"));
                std::fs::create_dir(&sub).unwrap();
                let (ws_path, out, csv) = (sub.join("店铺.tierbook"), sub.join("分层.xlsx"), sub.join("csv"));
                let mut ws = Workspace::open(&ws_path).unwrap();
                let files = if first {
                    vec![file.clone()]
                } else {
                    ws.import(std::slice::from_ref(&file), &ImportOptions::default(), at(), &NoProgress).unwrap();
                    Vec::new()
                };
                let done = run_job(Some(&mut ws), &files, params, &outputs(&out, Some(&csv)), &NoProgress).unwrap();
                drop(ws);
                let csv_files: Vec<Vec<u8>> = done.csv_files.iter().map(|f| std::fs::read(f).unwrap()).collect();
                (done, workbook_cells(&out), csv_files, contents(&ws_path))
            };
            let (first, stored) = (run(true), run(false));
            let what = format!("{layout:?}, params {p}");
            let (a, b) = (&first.0, &stored.0);
            assert_eq!(a.import.as_ref().unwrap().new_orders, b.orders, "{what}");
            assert_eq!((a.orders, &a.reports), (b.orders, &b.reports), "{what}");
            assert_same(&a.customers, &b.customers, &what);
            assert_eq!(a.classification, b.classification, "{what}");
            assert_eq!(a.regions, b.regions, "{what}");
            assert_eq!(a.cohorts, b.cohorts, "{what}");
            assert_eq!(a.products, b.products, "{what}");
            assert_eq!(a.rhythm, b.rhythm, "{what}");
            assert_eq!(a.tier_changes, b.tier_changes, "{what}");
            assert_eq!(a.snapshot, b.snapshot, "{what}");
            assert!(a.migration.is_none() && b.migration.is_none() && a.campaigns.is_empty(), "{what}");
            assert_eq!(first.1, stored.1, "{what}: the workbooks differ");
            assert_eq!(first.2, stored.2, "{what}: the CSV files differ");
            assert_eq!(first.3, stored.3, "{what}: the workspaces differ");
        }
    }
}

/// Runs a job with month 1 into a new workspace (a shop's first import, stored on one core while
/// the other classifies and exports), expects `expected`, and asserts that the workspace is still new
/// (its tables as they were), and that nothing was left in the folder.
fn assert_first_import_keeps_nothing(
    outputs: impl Fn(&Path) -> Outputs,
    params: &ClassifyParams,
    progress: &dyn Progress,
    prepare: impl Fn(&rusqlite::Connection),
    expected: fn(&Error) -> bool,
) {
    let dir = tempfile::tempdir().unwrap();
    let (ws_path, m1) = (dir.path().join("店铺.tierbook"), dir.path().join("1月.csv"));
    month1(&m1);
    drop(Workspace::open(&ws_path).unwrap());
    prepare(&rusqlite::Connection::open(&ws_path).unwrap());
    let (before, folder) = (contents(&ws_path), listing(dir.path()));
    let mut ws = Workspace::open(&ws_path).unwrap();
    let err = run_job(Some(&mut ws), &[m1], params, &outputs(dir.path()), progress).unwrap_err();
    assert!(expected(&err), "unexpected error: {err:?}");
    assert!(ws.is_new().unwrap(), "the workspace holds something after: {err}");
    drop(ws);
    // The import ran under a rollback journal (nobody else had the workspace open); it is back on
    // its write-ahead log.
    let conn = rusqlite::Connection::open(&ws_path).unwrap();
    assert_eq!(conn.query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0)).unwrap(), "wal");
    drop(conn);
    assert_eq!(contents(&ws_path), before, "the workspace changed after: {err}");
    assert_eq!(listing(dir.path()), folder, "files left in the folder after: {err}");
}

#[test]
fn failure_of_a_shops_first_import_at_any_step_keeps_nothing() {
    let report = |dir: &Path| outputs(&dir.join("分层.xlsx"), Some(&dir.join("分层CSV")));
    let nothing = |_: &rusqlite::Connection| ();
    // The classification fails on its parameters while the orders are being stored.
    let bad = ClassifyParams { method: Method::AbcRevenue { a_pct: 95.0, b_pct: 80.0 }, ..ClassifyParams::default() };
    assert_first_import_keeps_nothing(report, &bad, &NoProgress, nothing, |e| matches!(e, Error::InvalidParams(_)));
    // The workbook cannot be written.
    let missing = |dir: &Path| outputs(&dir.join("没有这个文件夹").join("分层.xlsx"), Some(&dir.join("分层CSV")));
    assert_first_import_keeps_nothing(missing, &thresholds(), &NoProgress, nothing, |e| {
        matches!(e, Error::Write { .. })
    });
    // A cancel during the export (the CSV folder the job created is removed again).
    let cancel = CancelWhenExporting(AtomicBool::new(false));
    assert_first_import_keeps_nothing(report, &thresholds(), &cancel, nothing, |e| matches!(e, Error::Cancelled));
    // Storing fails (as a full disk would) while the other thread classifies and exports: the staged
    // workbook and CSV files are not placed.
    let refuse = |c: &rusqlite::Connection| {
        let sql =
            "CREATE TRIGGER refuse BEFORE INSERT ON order_blocks BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;";
        c.execute_batch(sql).unwrap();
    };
    assert_first_import_keeps_nothing(report, &thresholds(), &NoProgress, refuse, |e| matches!(e, Error::Store(_)));
}

#[test]
fn a_job_on_a_workspace_reports_while_it_reads_it_back_and_a_cancel_stops_it_there() {
    // Reading 80k stored orders back (products with their items, customers, order days) has no
    // counts of its own: beats report it, and a cancel at a beat interrupts it.
    struct CancelAtBeat {
        beat: AtomicBool,
        exporting: AtomicBool,
    }
    impl Progress for CancelAtBeat {
        fn report(&self, stage: Stage, done: u64, total: u64) {
            if (stage, done, total) == (Stage::Classifying, 0, 0) {
                self.beat.store(true, Ordering::Relaxed);
            }
            if stage == Stage::Exporting {
                self.exporting.store(true, Ordering::Relaxed);
            }
        }
        fn cancelled(&self) -> bool {
            self.beat.load(Ordering::Relaxed)
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (ws_path, export, book) =
        (dir.path().join("店铺.tierbook"), dir.path().join("全年.csv"), dir.path().join("分层.xlsx"));
    // 80k orders with a product each: the products are read back with their items.
    let mut csv = format!("\u{feff}{},商品名称\n", store_support::HEADER.join(","));
    for n in 0..80_000 {
        csv.push_str(&format!("{},商品{}\n", store_support::row(n, 20_000).join(","), n % 50));
    }
    std::fs::write(&export, csv).unwrap();
    let mut ws = Workspace::open(&ws_path).unwrap();
    ws.import(&[export], &ImportOptions::default(), at(), &NoProgress).unwrap();
    let progress = CancelAtBeat { beat: AtomicBool::new(false), exporting: AtomicBool::new(false) };
    let started = std::time::Instant::now();
    match run_job(Some(&mut ws), &[], &ClassifyParams::default(), &outputs(&book, None), &progress) {
        Err(Error::Cancelled) => {}
        Err(e) => panic!("{e} after {:?}", started.elapsed()),
        Ok(_) => panic!("not cancelled: no beat in {:?}", started.elapsed()),
    }
    assert!(!progress.exporting.load(Ordering::Relaxed), "the job went on to the export after the cancel");
    assert!(!book.exists());
    // The workspace is as it was, and the same job runs through when not cancelled.
    let done = run_job(Some(&mut ws), &[], &ClassifyParams::default(), &outputs(&book, None), &NoProgress).unwrap();
    assert_eq!(done.customers.len(), 20_000);
    assert!(book.exists());
}

#[test]
fn a_job_that_only_reads_the_workspace_uses_what_the_caller_read_already_and_a_writing_job_does_not() {
    use tierbook_core::generate::{generate, FileFormat, GenerateOptions, Layout};
    use tierbook_core::job::Known;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("淘宝.csv");
    let options = GenerateOptions {
        layout: Layout::Taobao,
        format: FileFormat::Csv,
        orders: 2000,
        customers: Some(400),
        seed: 17,
        ..GenerateOptions::default()
    };
    generate(&file, &options).unwrap();
    let mut ws = Workspace::open(&dir.path().join("店铺.tierbook")).unwrap();
    ws.import(&[file], &ImportOptions::default(), at(), &NoProgress).unwrap();
    let (products, days) = (ws.products().unwrap(), ws.order_days().unwrap());
    assert!(!products.lookup.is_empty());
    let params = ClassifyParams::default();
    let export = |ws: &mut Workspace, name: &str, known: Known<'_>, save_snapshot: bool| {
        let book = dir.path().join(name);
        let outputs = outputs(&book, None);
        let import = ImportOptions::default();
        let job = Job {
            files: &[],
            import: &import,
            imported_at: at(),
            params: &params,
            save_snapshot,
            outputs: &outputs,
            costs: None,
        };
        let done = job::run_knowing(&job, Some(ws), known, &NoProgress).unwrap();
        (done, workbook_cells(&book))
    };
    let (read, read_book) = export(&mut ws, "读取.xlsx", Known::default(), false);
    let known = Known { products: Some(&products), days: Some(&days) };
    let (given, given_book) = export(&mut ws, "已知.xlsx", known, false);
    assert_eq!(read.products, given.products);
    assert_eq!(read.rhythm, given.rhythm);
    assert_eq!(read_book, given_book, "the workbooks differ");

    // What is given is what is used: no products given as known, none in the workbook's outcome.
    let nothing = tierbook_core::store::StoredProducts::default();
    let (none, _) = export(&mut ws, "无商品.xlsx", Known { products: Some(&nothing), days: None }, false);
    assert!(none.products.is_empty());
    // A job that writes (here a snapshot) reads everything itself, inside its transaction.
    let (written, _) = export(&mut ws, "快照.xlsx", Known { products: Some(&nothing), days: None }, true);
    assert_eq!(written.products, read.products);
}

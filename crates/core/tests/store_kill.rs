//! The crash test: a real child process imports a large export into a workspace and is killed with
//! SIGKILL while it writes; the workspace must be exactly as before (integrity check ok, same orders,
//! customers and sources), and a full import afterwards must succeed.
//!
//! The child is this same test binary, started again with `TIERBOOK_KILL_CHILD_WS` set: it imports
//! and prints `TIERBOOK SAVING <done> <total>` lines as it writes, which the parent waits for.

mod store_support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::NaiveDateTime;
use tierbook_core::import::ImportOptions;
use tierbook_core::store::Workspace;
use tierbook_core::{NoProgress, Progress, Stage};

const TEST_NAME: &str = "import_killed_mid_way_leaves_the_workspace_as_before";

fn now() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2025-07-01 09:30:00", "%Y-%m-%d %H:%M:%S").unwrap()
}

/// Tells the parent how far the write has come.
struct Marker;

impl Progress for Marker {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        if stage == Stage::Saving {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "TIERBOOK SAVING {done} {total}");
            let _ = out.flush();
        }
    }
}

fn child(workspace: &str, export: &str) {
    let mut ws = Workspace::open(Path::new(workspace)).unwrap();
    ws.import(&[PathBuf::from(export)], &ImportOptions::default(), now(), &Marker).unwrap();
    println!("TIERBOOK DONE");
}

/// Starts the child and kills it once it has written `fraction` of the orders; returns true if the
/// kill happened before the child finished.
fn import_and_kill(workspace: &Path, export: &Path, fraction: f64) -> bool {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env("TIERBOOK_KILL_CHILD_WS", workspace)
        .env("TIERBOOK_KILL_CHILD_FILE", export)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut killed = false;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let mut words = line.split_whitespace();
        if words.next() != Some("TIERBOOK") {
            continue;
        }
        match words.next() {
            Some("SAVING") => {
                let done: f64 = words.next().unwrap().parse().unwrap();
                let total: f64 = words.next().unwrap().parse().unwrap();
                if done > 0.0 && done >= total * fraction && done < total {
                    child.kill().unwrap(); // SIGKILL on Unix
                    killed = true;
                    break;
                }
            }
            Some("DONE") => break,
            _ => {}
        }
    }
    child.wait().unwrap();
    killed
}

#[test]
fn import_killed_mid_way_leaves_the_workspace_as_before() {
    if let (Ok(ws), Ok(file)) = (std::env::var("TIERBOOK_KILL_CHILD_WS"), std::env::var("TIERBOOK_KILL_CHILD_FILE")) {
        return child(&ws, &file);
    }
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("shop.tierbook");
    let first = dir.path().join("一月.csv");
    let big = dir.path().join("上半年.csv");
    store_support::write_csv(&first, 0, 2_000, 500);
    store_support::write_csv(&big, 1_000, 61_000, 15_000);
    // Killed in a shop's first import, the workspace is as new, its tables and indexes included.
    drop(Workspace::open(&workspace).unwrap());
    let new = store_support::schema(&workspace);
    assert!(new.iter().any(|(name, _)| name == "order_blocks"), "{new:?}");
    assert!(import_and_kill(&workspace, &big, 0.5), "the child finished before it could be killed");
    // It wrote under a rollback journal (a first import's pages go once, into the file): the
    // journal is hot, and the next open rolls it back.
    let journal = dir.path().join("shop.tierbook-journal");
    assert!(journal.exists(), "no hot journal: the first import did not write under a rollback journal");
    {
        let ws = Workspace::open(&workspace).unwrap();
        ws.check_integrity().unwrap();
        assert_eq!((ws.order_count().unwrap(), ws.sources().unwrap().len()), (0, 0));
    }
    assert_eq!(store_support::schema(&workspace), new);
    {
        let mut ws = Workspace::open(&workspace).unwrap();
        ws.import(&[first], &ImportOptions::default(), now(), &NoProgress).unwrap();
    }
    assert!(!journal.exists());
    let conn = rusqlite::Connection::open(&workspace).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal", "the workspace is back on its write-ahead log after a first import");
    drop(conn);
    let state = |ws: &Workspace| (ws.order_count().unwrap(), ws.customers().unwrap(), ws.sources().unwrap());
    let before = state(&Workspace::open(&workspace).unwrap());
    assert_eq!(before.0, 2_000);

    for fraction in [0.05, 0.5, 0.95] {
        assert!(import_and_kill(&workspace, &big, fraction), "the child finished before it could be killed");
        let ws = Workspace::open(&workspace).unwrap();
        ws.check_integrity().unwrap();
        assert!(state(&ws) == before, "workspace changed by an import killed at {:.0}%", fraction * 100.0);
    }

    let mut ws = Workspace::open(&workspace).unwrap();
    let outcome = ws.import(&[big], &ImportOptions::default(), now(), &NoProgress).unwrap();
    assert_eq!((outcome.new_orders, outcome.known_orders), (59_000, 1_000));
    assert_eq!(ws.order_count().unwrap(), 61_000);
    ws.check_integrity().unwrap();
}

const JOB_TEST_NAME: &str = "a_shops_first_import_killed_before_its_commit_leaves_the_workspace_new";

/// Announces the last report of a shop's first import before its commit (`Saving 1 of 1`, after
/// both threads are done) and stalls there, so that the parent's kill lands between the writes and
/// the commit.
struct StallBeforeCommit;

impl Progress for StallBeforeCommit {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        if (stage, done, total) == (Stage::Saving, 1, 1) {
            println!("TIERBOOK COMMIT");
            let _ = std::io::stdout().flush();
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
}

fn first_import_job(workspace: &Path, export: &Path, out: &Path, progress: &dyn Progress) {
    use tierbook_core::job::{self, Job, Outputs};
    let outputs = Outputs { workbook: out.to_path_buf(), csv_dir: None, options: Default::default() };
    let (import, params) = (ImportOptions::default(), tierbook_core::classify::ClassifyParams::default());
    let files = [export.to_path_buf()];
    let job = Job {
        files: &files,
        import: &import,
        imported_at: now(),
        params: &params,
        save_snapshot: true,
        outputs: &outputs,
        costs: None,
    };
    let mut ws = Workspace::open(workspace).unwrap();
    job::run(&job, Some(&mut ws), progress).unwrap();
}

#[test]
fn a_shops_first_import_killed_before_its_commit_leaves_the_workspace_new() {
    // A job's first import into a new workspace runs under a rollback journal (the pages are written
    // once, into the file). Killed after its writes and before its commit, it leaves a hot journal,
    // which the next open rolls back: the workspace is as new.
    if let (Ok(ws), Ok(file), Ok(out)) = (
        std::env::var("TIERBOOK_KILL_JOB_WS"),
        std::env::var("TIERBOOK_KILL_JOB_FILE"),
        std::env::var("TIERBOOK_KILL_JOB_OUT"),
    ) {
        first_import_job(Path::new(&ws), Path::new(&file), Path::new(&out), &StallBeforeCommit);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (workspace, big, out) =
        (dir.path().join("shop.tierbook"), dir.path().join("上半年.csv"), dir.path().join("分层.xlsx"));
    store_support::write_csv(&big, 0, 60_000, 15_000);
    drop(Workspace::open(&workspace).unwrap());
    let schema = store_support::schema(&workspace);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", JOB_TEST_NAME, "--nocapture", "--test-threads=1"])
        .env("TIERBOOK_KILL_JOB_WS", &workspace)
        .env("TIERBOOK_KILL_JOB_FILE", &big)
        .env("TIERBOOK_KILL_JOB_OUT", &out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let reached = stdout.lines().map_while(|l| l.ok()).any(|l| l.ends_with("TIERBOOK COMMIT")); // libtest may have begun the line
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(reached, "the child never reached its commit");
    let journal = dir.path().join("shop.tierbook-journal");
    assert!(journal.exists(), "no hot journal: the job did not write under a rollback journal");

    let ws = Workspace::open(&workspace).unwrap();
    ws.check_integrity().unwrap();
    assert!(ws.is_new().unwrap(), "the killed first import left something behind");
    drop(ws);
    assert!(!journal.exists());
    assert_eq!(store_support::schema(&workspace), schema);
    assert!(!out.exists(), "the workbook of a job that never committed was placed");

    // The same job, not killed, commits, and the workspace is back on its write-ahead log.
    first_import_job(&workspace, &big, &out, &NoProgress);
    let ws = Workspace::open(&workspace).unwrap();
    assert_eq!((ws.order_count().unwrap(), ws.snapshots().unwrap().len()), (60_000, 1));
    ws.check_integrity().unwrap();
    drop(ws);
    let conn = rusqlite::Connection::open(&workspace).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    assert!(out.exists());
}

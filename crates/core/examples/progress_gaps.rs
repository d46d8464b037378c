//! How often a job reports progress and checks for a cancel (issue 10 item 5: progress at least every
//! 200 ms, cancel within 300 ms): runs `job::run` on one file without a workspace and records every
//! `report` and `cancelled` call with the wall and CPU time since the previous one, then prints the
//! largest gaps and where they fell (the stage and count reported before and after).
//!
//! ```text
//! cargo run --release -p tierbook-core --example progress_gaps -- orders.xlsx [/tmp/out.xlsx]
//! PROGRESS_GAPS_WORKSPACE=1 cargo run --release -p tierbook-core --example progress_gaps -- orders.xlsx
//! ```
//!
//! With `PROGRESS_GAPS_EXPORT=1` and a workspace as SOURCE it runs the app's export instead: the
//! job on that workspace, without files or a snapshot.
//!
//! With `PROGRESS_GAPS_WORKSPACE=1` it runs what the app's import does instead (`Workspace::import`
//! into a new workspace in a temp folder, `profits()`, `customers()`, `classify_tiers`), without an export.
//! Its cancel checks end at the commit, the last moment a cancel can leave the workspace as it was:
//! the largest cancel gap, from the last check to the end, is the commit and the classification.
//!
//! Wall gaps grow with the machine's load; CPU gaps (user + system of the whole process, 10 ms
//! resolution, both threads) are the steadier measure of how much work lies between two calls.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use tierbook_core::classify::{self, ClassifyParams};
use tierbook_core::export::ExportOptions;
use tierbook_core::import::ImportOptions;
use tierbook_core::job::{self, Job, Outputs};
use tierbook_core::store::Workspace;
use tierbook_core::{Progress, Stage};

/// CPU seconds (user + system) of this process so far, from /proc/self/stat (Linux; 0 elsewhere).
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// One call: what it was, wall seconds since start, CPU seconds since start.
#[derive(Clone)]
struct Call {
    what: String,
    wall: f64,
    cpu: f64,
}

struct Recorder {
    start: Instant,
    cpu0: f64,
    calls: Mutex<Vec<Call>>,
    /// The last report, to say where a cancel check fell.
    last: Mutex<String>,
}

impl Recorder {
    fn push(&self, what: String) {
        let call = Call { what, wall: self.start.elapsed().as_secs_f64(), cpu: cpu() - self.cpu0 };
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).push(call);
    }
}

impl Progress for Recorder {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        let what = format!("report {stage:?} {done}/{total}");
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = what.clone();
        self.push(what);
    }
    fn cancelled(&self) -> bool {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner()).clone();
        self.push(format!("cancelled? (after {last})"));
        false
    }
}

/// The app's import (`src-tauri/session.rs`, `Session::import`): into the workspace, then the
/// customers' profit and the customers loaded, and classified (tiers only, as the app does).
fn app_import(files: &[PathBuf], job: &Job, progress: &Recorder) -> tierbook_core::Result<()> {
    let dir = std::env::temp_dir().join(format!("progress_gaps_{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| tierbook_core::Error::Io { path: dir.clone(), source })?;
    let path = dir.join("shop.tierbook");
    let result = (|| {
        let mut ws = Workspace::open(&path)?;
        ws.import(files, job.import, job.imported_at, progress)?;
        // As the app's import loads and reports it.
        let customers = ws.customers_with_profit(progress)?;
        let total = customers.len() as u64;
        // As the app does, with beats while it classifies (the import is committed: no cancel).
        let at = (Stage::Classifying, total.saturating_sub(1), total);
        tierbook_core::progress::beating(progress, at, None, || classify::classify_tiers(&customers, job.params)).0?;
        progress.report(Stage::Classifying, total, total);
        // Where the app's import ends: closing the workspace (the app keeps it open) is not in it.
        progress.push("end".to_owned());
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let Some(src) = args.first() else {
        eprintln!("usage: progress_gaps SOURCE [OUT.xlsx]");
        std::process::exit(1);
    };
    let out = args.get(1).cloned().unwrap_or_else(|| std::env::temp_dir().join("progress_gaps_out.xlsx"));
    let files = vec![src.clone()];
    let import = ImportOptions::default();
    let params = ClassifyParams::default();
    let outputs = Outputs { workbook: out, csv_dir: None, options: ExportOptions::default() };
    let job = Job {
        files: &files,
        import: &import,
        imported_at: chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap_or_default()
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
        params: &params,
        save_snapshot: false,
        outputs: &outputs,
        costs: None,
    };
    let recorder =
        Recorder { start: Instant::now(), cpu0: cpu(), calls: Mutex::new(Vec::new()), last: Mutex::new(String::new()) };
    recorder.push("start".to_owned());
    let result = if std::env::var_os("PROGRESS_GAPS_WORKSPACE").is_some() {
        app_import(&files, &job, &recorder)
    } else if std::env::var_os("PROGRESS_GAPS_EXPORT").is_some() {
        // The app's export: the job on the workspace SOURCE (already imported), no files.
        Workspace::open(src).and_then(|mut ws| {
            let done = job::run(&Job { files: &[], ..job }, Some(&mut ws), &recorder);
            // Where the app's export ends: freeing what the job returned (the app does that on a
            // thread of its own) and closing the workspace (the app keeps it open) are not in it.
            recorder.push("end".to_owned());
            let freeing = Instant::now();
            let done = done.map(drop);
            eprintln!("freeing the job's outcome: {:.3} s", freeing.elapsed().as_secs_f64());
            done
        })
    } else {
        job::run(&job, None, &recorder).map(|_| ())
    };
    if !recorder.calls.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|c| c.what == "end") {
        recorder.push("end".to_owned());
    }
    if let Err(e) = result {
        eprintln!("job failed: {e}");
        std::process::exit(1);
    }
    let calls = recorder.calls.into_inner().unwrap_or_else(|e| e.into_inner());
    // Progress the user sees: gaps between reports. Cancel: gaps between checks (a report is not a check).
    for (title, keep) in [("report", "report"), ("cancel check", "cancelled?")] {
        let marks: Vec<&Call> =
            calls.iter().filter(|c| c.what.starts_with(keep) || c.what == "start" || c.what == "end").collect();
        let mut gaps: Vec<(f64, f64, &str, &str)> = marks
            .windows(2)
            .map(|w| (w[1].wall - w[0].wall, w[1].cpu - w[0].cpu, w[0].what.as_str(), w[1].what.as_str()))
            .collect();
        let n = gaps.len();
        gaps.sort_by(|a, b| b.0.total_cmp(&a.0));
        println!("{title}: {} calls, {n} gaps; largest by wall time (wall s, cpu s, after → before):", marks.len() - 2);
        for (wall, cpu, from, to) in gaps.iter().take(8) {
            println!("  {wall:7.3} {cpu:7.2}  {from} → {to}");
        }
    }
    // Where the time went: each stage from its first report to the next stage's first report.
    let mut stages: Vec<(&str, f64, f64)> = Vec::new();
    for c in calls.iter().filter(|c| c.what.starts_with("report ")) {
        let stage = c.what.split(' ').nth(1).unwrap_or("");
        if stages.last().is_none_or(|s| s.0 != stage) {
            stages.push((stage, c.wall, c.cpu));
        }
    }
    if let Some(end) = calls.last() {
        stages.push(("end", end.wall, end.cpu));
    }
    println!("stages (wall s, cpu s from the stage's first report to the next's):");
    for w in stages.windows(2) {
        println!("  {:<14} {:7.3} {:7.2}", w[0].0, w[1].1 - w[0].1, w[1].2 - w[0].2);
    }
    let total = calls.last().map_or(0.0, |c| c.wall);
    println!("total wall {total:.2} s, cpu {:.2} s", calls.last().map_or(0.0, |c| c.cpu));
}

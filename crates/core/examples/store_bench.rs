//! Benchmarks of the workspace store (run rarely, in release):
//!
//! ```text
//! cargo run --release -p tierbook-core --example store_bench -- [DIR] [ORDERS] [CUSTOMERS]
//! ```
//!
//! Defaults: DIR = a temp folder, 1,000,000 orders, 250,000 customers (微信小店 layout, CSV, made
//! by `generate`). It measures:
//! 1. import alone (`import_files`) vs import into a workspace (`Workspace::import`) for a 100k-order
//!    xlsx, into an empty workspace (alternating rounds, `STORE_BENCH_ROUNDS`, default 5, so both see
//!    the same load; wall and CPU time, best and median, and the overhead of each) and into the big one;
//! 2. building the big workspace: January–October, snapshot 1, then the whole year (overlapping),
//!    snapshot 2;
//! 3. opening the big workspace and loading the last classification (what the app shows on start);
//! 4. comparing the two snapshots.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use tierbook_core::classify::{classify, ClassifyParams, CubeBasis, Method};
use tierbook_core::generate::{generate, FileFormat, GenerateOptions, Layout};
use tierbook_core::import::{import_files, ImportOptions};
use tierbook_core::store::Workspace;
use tierbook_core::NoProgress;

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, 2).unwrap().and_hms_opt(9, 0, 0).unwrap()
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// User + system CPU time of this process (Linux), which a machine shared with other jobs inflates far
/// less than wall time.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<u64>().ok()).sum();
    Duration::from_millis(ticks * 10)
}

/// Best wall time of `n` runs (`STORE_BENCH_RUNS` overrides `n`), printed with the CPU time of that run.
fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    // STORE_BENCH_RUNS=1 runs everything once (e.g. under callgrind).
    let n = std::env::var("STORE_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(n);
    let mut best = Duration::MAX;
    let mut best_cpu = Duration::ZERO;
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let c = cpu_time();
        let v = f();
        if t.elapsed() < best {
            best = t.elapsed();
            best_cpu = cpu_time().saturating_sub(c);
        }
        last = Some(v);
    }
    println!("    (best of {n}: wall {}, cpu {})", secs(best), secs(best_cpu));
    (best, last.unwrap())
}

fn file_size(p: &Path) -> String {
    format!("{:.1} MB", std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tmp = tempfile::tempdir().unwrap();
    let dir = args.first().map(PathBuf::from).unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let orders: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let customers: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(250_000);
    let opts = ImportOptions::default();
    if let Some(runs) = std::env::var_os("STORE_BENCH_COMPARE_ONLY") {
        // Only the comparison, on DIR/big.tierbook from an earlier run (short enough for callgrind).
        let runs = runs.to_str().and_then(|s| s.parse().ok()).unwrap_or(5);
        return compare_only(&dir.join("big.tierbook"), runs);
    }

    // 1. A 100k-order xlsx: import alone vs into an empty workspace.
    let small = dir.join("orders_100k.xlsx");
    if !small.exists() {
        let g = GenerateOptions { orders: 100_000, seed: 7, format: FileFormat::Xlsx, ..GenerateOptions::default() };
        generate(&small, &g).unwrap();
    }
    // Alternating rounds, so both see the same load: wall and CPU time of each, best and median.
    let rounds: usize = std::env::var("STORE_BENCH_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5).max(1);
    let (mut alone_t, mut into_t) = (Vec::new(), Vec::new());
    let mut n100 = 0;
    for _ in 0..rounds {
        let (t, c) = (Instant::now(), cpu_time());
        let dataset = import_files(std::slice::from_ref(&small), &opts, &NoProgress).unwrap();
        alone_t.push((t.elapsed(), cpu_time().saturating_sub(c)));
        n100 = dataset.orders.len();
        drop(dataset);

        let path = dir.join("empty.tierbook");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        // Until `import` returns (what the user waits for), creating the workspace file included;
        // closing it is not (the app keeps it open).
        let (t, c) = (Instant::now(), cpu_time());
        let mut ws = Workspace::open(&path).unwrap();
        ws.import(std::slice::from_ref(&small), &opts, now(), &NoProgress).unwrap();
        into_t.push((t.elapsed(), cpu_time().saturating_sub(c)));
        drop(ws);
    }
    let summary = |v: &[(Duration, Duration)]| {
        let mut wall: Vec<Duration> = v.iter().map(|x| x.0).collect();
        let mut cpu: Vec<Duration> = v.iter().map(|x| x.1).collect();
        wall.sort();
        cpu.sort();
        (wall[0], wall[wall.len() / 2], cpu[0], cpu[cpu.len() / 2])
    };
    let (aw, awm, ac, acm) = summary(&alone_t);
    let (iw, iwm, ic, icm) = summary(&into_t);
    let pct = |a: Duration, b: Duration| (b.as_secs_f64() / a.as_secs_f64() - 1.0) * 100.0;
    println!("100k-order xlsx ({}, {n100} orders kept), {rounds} alternating rounds:", file_size(&small));
    println!(
        "  import alone (import_files)          wall best {} median {}   cpu best {} median {}",
        secs(aw),
        secs(awm),
        secs(ac),
        secs(acm)
    );
    println!(
        "  Workspace::import into an empty ws   wall best {} median {}   cpu best {} median {}",
        secs(iw),
        secs(iwm),
        secs(ic),
        secs(icm)
    );
    println!(
        "  overhead: wall best +{:.0}%, median +{:.0}%;  cpu best +{:.0}%, median +{:.0}%",
        pct(aw, iw),
        pct(awm, iwm),
        pct(ac, ic),
        pct(acm, icm)
    );

    // Where the difference goes: the file hash, the store's transaction alone (orders already read).
    let (t_digest, _) = best_of(3, || tierbook_core::store::file_digest(&small, &tierbook_core::NoProgress).unwrap());
    let dataset = import_files(std::slice::from_ref(&small), &opts, &NoProgress).unwrap();
    let report = dataset.reports[0].clone();
    let (t_open_and_store, t_store) = best_of(3, || {
        let path = dir.join("store_only.tierbook");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let mut ws = Workspace::open(&path).unwrap();
        let file = tierbook_core::store::ImportedFile {
            path: small.clone(),
            size: 0,
            sha256: "x".into(),
            orders: dataset.orders.clone(),
            report: report.clone(),
            mapping_reused: false,
            withdrawn: vec![],
        };
        let t = Instant::now();
        ws.store_import(vec![file], vec![], now(), &NoProgress).unwrap();
        t.elapsed()
    });
    println!(
        "  of which: SHA-256 of the file {}, store_import of {n100} orders {} (with creating the ws {})",
        secs(t_digest),
        secs(t_store),
        secs(t_open_and_store)
    );
    drop(dataset);
    if std::env::var_os("STORE_BENCH_ONLY_INSERT").is_some() {
        return;
    }

    // 2. The big workspace: Jan–Oct, snapshot; whole year (overlapping), snapshot.
    let big = dir.join(format!("orders_{orders}.csv"));
    let base = GenerateOptions {
        orders,
        customers: Some(customers),
        seed: 1,
        format: FileFormat::Csv,
        layout: Layout::Wechat,
        ..GenerateOptions::default()
    };
    if !big.exists() {
        generate(&big, &base).unwrap();
    }
    let part = dir.join(format!("orders_{orders}_jan_oct.csv"));
    if !part.exists() {
        let g = GenerateOptions { rows_to: NaiveDate::from_ymd_opt(2025, 10, 31), ..base.clone() };
        generate(&part, &g).unwrap();
    }
    let ws_path = dir.join("big.tierbook");
    if std::env::var_os("STORE_BENCH_REUSE").is_some() && ws_path.exists() {
        let ws = Workspace::open(&ws_path).unwrap();
        let snaps = ws.snapshots().unwrap();
        drop(ws);
        return measure_big(&ws_path, snaps[0].id, snaps[1].id);
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", ws_path.display()));
    }
    let mut ws = Workspace::open(&ws_path).unwrap();
    let t = Instant::now();
    let first = ws.import(std::slice::from_ref(&part), &opts, now(), &NoProgress).unwrap();
    let t_first = t.elapsed();
    let t = Instant::now();
    let cs = ws.customers().unwrap();
    let t_customers = t.elapsed();
    let k1 = classify(&cs, &ClassifyParams::default()).unwrap();
    let t = Instant::now();
    let s1 = ws.save_snapshot(&cs, &k1, Some("1-10月")).unwrap();
    let t_snap = t.elapsed();
    let t = Instant::now();
    let second = ws.import(std::slice::from_ref(&big), &opts, now(), &NoProgress).unwrap();
    let t_second = t.elapsed();
    let cs = ws.customers().unwrap();
    let params = ClassifyParams { method: Method::RfmCube { basis: CubeBasis::Mean }, ..ClassifyParams::default() };
    let k2 = classify(&cs, &params).unwrap();
    let s2 = ws.save_snapshot(&cs, &k2, Some("全年")).unwrap();
    ws.check_integrity().unwrap();
    drop(ws);
    println!("big workspace ({}):", file_size(&ws_path));
    println!("  import Jan–Oct: {} new orders in {}", first.new_orders, secs(t_first));
    println!("  customers() of {} customers: {}", cs.len(), secs(t_customers));
    println!("  save_snapshot of {} customers: {}", s1.customers, secs(t_snap));
    println!(
        "  import whole year (overlapping): {} new, {} known in {}",
        second.new_orders,
        second.known_orders,
        secs(t_second)
    );

    measure_big(&ws_path, s1.id, s2.id);

    // 1b. The 100k file into the big workspace.
    let copy = dir.join("big_copy.tierbook");
    Workspace::open(&ws_path).unwrap().backup_to(&copy).unwrap();
    let mut ws = Workspace::open(&copy).unwrap();
    let t = Instant::now();
    let o = ws.import(std::slice::from_ref(&small), &opts, now(), &NoProgress).unwrap();
    let outcome = (t.elapsed(), o);
    println!(
        "  Workspace::import of the 100k xlsx into the big ws: {}  (+{:.0}% over import alone; {} new)",
        secs(outcome.0),
        (outcome.0.as_secs_f64() / aw.as_secs_f64() - 1.0) * 100.0,
        outcome.1.new_orders
    );
}

fn measure_big(ws_path: &Path, s1: i64, s2: i64) {
    // 3. Open and show the last classification.
    let (t_open, (n_orders, n_customers)) = best_of(5, || {
        let ws = Workspace::open(ws_path).unwrap();
        let latest = ws.load_latest().unwrap().unwrap();
        (ws.order_count().unwrap(), latest.customers.len())
    });
    println!("  open + load_latest ({n_orders} orders, {n_customers} customers): {}", secs(t_open));
    let (t_cust, _) = best_of(5, || Workspace::open(ws_path).unwrap().customers().unwrap().len());
    println!("  open + customers() (current aggregates): {}", secs(t_cust));

    // 4. Compare the two snapshots.
    let ws = Workspace::open(ws_path).unwrap();
    let playbook = tierbook_core::playbook::Playbook::default();
    let (t_cmp, m) = best_of(5, || ws.compare(s1, s2, &playbook).unwrap());
    println!(
        "  compare snapshots #{s1} vs #{s2}: {}  (upgraded {}, downgraded {}, new {}, lost {})",
        secs(t_cmp),
        m.upgraded.len(),
        m.downgraded.len(),
        m.new.len(),
        m.lost.len()
    );
}

fn compare_only(ws_path: &Path, runs: usize) {
    let ws = Workspace::open(ws_path).unwrap();
    let snaps = ws.snapshots().unwrap();
    let playbook = tierbook_core::playbook::Playbook::default();
    let (t_cmp, m) = best_of(runs, || ws.compare(snaps[0].id, snaps[1].id, &playbook).unwrap());
    // A fingerprint of the whole result, to check that a faster version computes the same thing.
    let json = serde_json::to_string(&m).unwrap();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&json, &mut h);
    println!(
        "  compare: {}  (result {} bytes, fingerprint {:016x})",
        secs(t_cmp),
        json.len(),
        std::hash::Hasher::finish(&h)
    );
}

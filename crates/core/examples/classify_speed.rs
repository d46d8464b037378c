//! How long re-classifying 100,000 customers takes, per method (DESIGN §9: < 20 ms in the core;
//! issue 10: ≤ 5 ms for the slider path, ≤ 20 ms with reasons and gaps, once the facts are kept).
//!
//!     cargo run --release -p tierbook-core --example classify_speed [customers [method runs]]
//!
//! Customers are synthetic but shaped like real shops: heavy-tailed spend, ~45 % one-time buyers,
//! 18 months of history. Each method runs 15 times, through `classify` (full) and `classify_tiers`
//! (no reasons or gaps), both from scratch and through a `Classifier` that keeps the
//! method-independent facts (the app's path: each run moves one of the method's own parameters, as a
//! slider does; the first call, which computes the facts, is made before timing and printed as
//! "first call"); the best and median wall-clock run are printed,
//! plus the mean CPU time of the process per run (all threads, freeing the result included; Linux
//! /proc/self/stat). `RAYON_NUM_THREADS=1` measures one core.

use std::time::Instant;

/// The allocator the CLI and the app use (see the workspace Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use chrono::{Duration, NaiveDate};
use tierbook_core::classify::{
    classify, classify_tiers, method_defaults, Classification, Classifier, ClassifyParams, CubeBasis, Method,
};
use tierbook_core::Customer;

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn customers(n: usize) -> Vec<Customer> {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let end = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    let mut out: Vec<Customer> = (0..n)
        .map(|i| {
            let u = rng.next();
            let orders = if u < 0.45 { 1 } else { 1 + (-(1.0 - rng.next()).ln() * 4.0) as u32 };
            let aov = (20.0 * (1.0 + 9.0 * rng.next()) * (1.0 + 5.0 * rng.next().powi(4))).round();
            let last_ago = (rng.next() * 540.0) as i64;
            let span = (rng.next() * (540 - last_ago) as f64) as i64;
            Customer {
                key: format!("o{:027x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
                name: format!("客户{i}"),
                phone: None,
                orders,
                revenue: (aov * 100.0) as i64 * i64::from(orders),
                first_order: end - Duration::days(last_ago + span),
                last_order: end - Duration::days(last_ago),
                interactions: None,
                // A margin of 20–50 %, so the profit method (which needs costs) runs too.
                profit: Some((aov * 100.0) as i64 * i64::from(orders) * (2 + (i % 4) as i64) / 10),
            }
        })
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// CPU time of the whole process (all threads) in milliseconds (user + system), where /proc has it.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0) // USER_HZ is 100 on Linux
}

/// `method` with its own cut moved by step `k` (0..5), as a slider would: the parameters stay valid.
fn moved(method: &Method, k: usize) -> Method {
    let d = k as f64;
    match method.clone() {
        Method::AbcRevenue { b_pct, .. } => Method::AbcRevenue { a_pct: 76.0 + d, b_pct },
        Method::AbcCustomers { b_pct, zero_revenue, .. } => {
            Method::AbcCustomers { a_pct: 16.0 + d, b_pct, zero_revenue }
        }
        Method::Thresholds { measure, b_min, c_min, .. } => {
            Method::Thresholds { measure, a_min: 900.0 + 50.0 * d, b_min, c_min }
        }
        Method::RfmScores { bins, b_min, .. } => Method::RfmScores { bins, a_min: b_min + 1 + k as u32, b_min },
        Method::RfmCube { .. } => {
            Method::RfmCube { basis: CubeBasis::Fixed { r_days: 60.0 + d, f: 2.0, m_yuan: 300.0 } }
        }
        Method::RfmSegments { mut rules } => {
            let n = rules.len().max(1);
            rules.rotate_left(k % n);
            Method::RfmSegments { rules }
        }
        Method::Composite { weights, b_min, .. } => Method::Composite { weights, a_min: 66.0 + d, b_min },
        Method::AbcProfit { b_pct, .. } => Method::AbcProfit { a_pct: 76.0 + d, b_pct },
    }
}

/// One timed line: best and median wall time of `runs` calls, and the mean process CPU per call.
fn report(name: &str, label: &str, runs_n: usize, mut call: impl FnMut(usize) -> Classification) {
    let cpu_start = cpu_ms();
    let mut runs: Vec<f64> = (0..runs_n)
        .map(|k| {
            let start = Instant::now();
            let c = call(k);
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            // Dropped untimed, as the app drops the previous result when it shows the new one
            // (and the allocator reuses that memory for the next run).
            drop(c);
            ms
        })
        .collect();
    let cpu = cpu_start.zip(cpu_ms()).map(|(a, b)| (b - a) / runs_n as f64);
    runs.sort_by(f64::total_cmp);
    println!(
        "{name:<28} {label:<24} wall best {:>7.2} ms   median {:>7.2} ms   process cpu incl. drop {}",
        runs[0],
        runs[runs.len() / 2],
        cpu.map_or("n/a".to_string(), |c| format!("{c:.1} ms"))
    );
}

fn main() {
    let arg = |k: usize| std::env::args().nth(k).and_then(|s| s.parse::<usize>().ok());
    let n = arg(1).unwrap_or(100_000);
    // Optional: only method number `k` (0-based, in `method_defaults()` order) and `runs` runs,
    // e.g. for `perf stat`, whose cycle counts do not depend on how busy the machine is.
    let only = arg(2);
    let runs_n = arg(3).unwrap_or(15);
    let customers = customers(n);
    println!("{n} customers");
    for (k, method) in method_defaults().into_iter().enumerate() {
        if only.is_some_and(|o| o != k) {
            continue;
        }
        let params = ClassifyParams { method, ..Default::default() };
        let name = params.method.name().en;
        type Run = fn(&[Customer], &ClassifyParams) -> tierbook_core::Result<Classification>;
        let variants: [(&str, Run); 2] = [("full", classify), ("tiers only", classify_tiers)];
        // CLASSIFY_SPEED_KEPT_ONLY=1: only the classifier's lines (for a profiler).
        for (label, run) in variants.into_iter().filter(|_| std::env::var_os("CLASSIFY_SPEED_KEPT_ONLY").is_none()) {
            report(&name, label, runs_n, |_| run(&customers, &params).expect("classify"));
        }
        // The app's path: one classifier per data set, parameters moving.
        let mut classifier = Classifier::new();
        let start = Instant::now();
        drop(classifier.classify(&customers, &params).expect("classify"));
        println!("{name:<28} {:<24} wall {:>7.2} ms", "kept: first call", start.elapsed().as_secs_f64() * 1000.0);
        let at = |k: usize| ClassifyParams { method: moved(&params.method, k % 5), ..params.clone() };
        if std::env::var_os("CLASSIFY_SPEED_KEPT_ONLY").is_none() {
            report(&name, "kept: full, moved", runs_n, |k| classifier.classify(&customers, &at(k)).expect("classify"));
        }
        report(&name, "kept: tiers only, moved", runs_n, |k| {
            classifier.classify_tiers(&customers, &at(k)).expect("classify")
        });
    }
}

//! How long re-classifying 100,000 customers takes, per method (DESIGN §9: < 20 ms in the core).
//!
//!     cargo run --release -p tierbook-core --example classify_speed [customers [method runs]]
//!
//! Customers are synthetic but shaped like real shops: heavy-tailed spend, ~45 % one-time buyers,
//! 18 months of history. Each method runs 15 times, through `classify` (full) and `classify_tiers`
//! (no reasons or gaps); the best and median wall-clock run are printed,
//! plus the mean CPU time of the process per run (all threads, freeing the result included; Linux
//! /proc/self/stat). `RAYON_NUM_THREADS=1` measures one core.

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use tierbook_core::classify::{classify, classify_tiers, method_defaults, ClassifyParams};
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
        type Run = fn(&[Customer], &ClassifyParams) -> tierbook_core::Result<tierbook_core::classify::Classification>;
        let variants: [(&str, Run); 2] = [("full", classify), ("tiers only", classify_tiers)];
        for (label, run) in variants {
            let cpu_start = cpu_ms();
            let mut runs: Vec<f64> = (0..runs_n)
                .map(|_| {
                    let start = Instant::now();
                    let c = run(&customers, &params).expect("classify");
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
                "{:<28} {:<13} wall best {:>7.2} ms   median {:>7.2} ms   process cpu incl. drop {}",
                params.method.name().en,
                label,
                runs[0],
                runs[runs.len() / 2],
                cpu.map_or("n/a".to_string(), |c| format!("{c:.1} ms"))
            );
        }
    }
}

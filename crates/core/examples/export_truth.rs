//! Exports a tiered workbook from customers given as a CSV, for checking the export with the
//! independent tools (`check_export.py`) and for timing it.
//!
//! ```text
//! cargo run -p tierbook-core --example export_truth -- truth.csv report.xlsx [zh|en] [csv-dir]
//! cargo run -p tierbook-core --example export_truth -- --orders in.xlsx report.xlsx [zh|en]
//! cargo run --release -p tierbook-core --example export_truth -- --synthetic 250000 report.xlsx
//! ```
//!
//! The CSV is `gen_orders.py --truth` output (customer_key, nickname, order_count, net_paid,
//! first_order_date, last_order_date); `--orders FILE` imports an order export with the real
//! importer; `--synthetic N` makes N customers with a heavy-tailed spend.
//! Customers are classified with ABC by revenue (80/95) and the default playbook.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use tierbook_core::classify::{self, ClassifyParams, Method};
use tierbook_core::export::{write_csv_per_tier, write_workbook, ExportInput, ExportOptions};
use tierbook_core::import::{self, ImportOptions};
use tierbook_core::playbook::Playbook;
use tierbook_core::{customers, Customer, Lang, NoProgress};

fn read_truth(path: &Path) -> Vec<Customer> {
    let mut reader = csv::Reader::from_path(path).expect("truth csv");
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (key, nick, count, net, first, last) = (
        col("customer_key"),
        col("nickname"),
        col("order_count"),
        col("net_paid"),
        col("first_order_date"),
        col("last_order_date"),
    );
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            let yuan: f64 = r[net].parse().expect("net_paid");
            Customer {
                key: r[key].to_string(),
                name: r[nick].to_string(),
                phone: None,
                orders: r[count].parse().expect("order_count"),
                revenue: (yuan * 100.0).round() as i64,
                first_order: day(&r[first]),
                last_order: day(&r[last]),
                interactions: None,
                profit: None,
            }
        })
        .collect()
}

/// `n` customers with a log-normal-ish spend from a fixed linear congruential sequence.
fn synthetic(n: usize) -> Vec<Customer> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let end = NaiveDate::from_ymd_opt(2025, 6, 30).expect("date");
    (0..n)
        .map(|i| {
            let orders = 1 + (-(next().max(1e-12)).ln() * 2.0) as u32;
            let aov = 20.0 * (1.0 + 40.0 * next().powi(3));
            let last = end - chrono::Days::new((next() * 540.0) as u64);
            let first = last - chrono::Days::new((next() * 200.0) as u64 * u64::from(orders > 1));
            Customer {
                key: format!("o{i:08}syntheticKeyAbcdefghij"),
                name: format!("客户{i}号🙂"),
                phone: Some(format!("138{:08}", i)),
                orders,
                revenue: (aov * f64::from(orders) * 100.0).round() as i64,
                first_order: first,
                last_order: last,
                interactions: None,
                profit: None,
            }
        })
        .collect()
}

/// Peak resident memory so far (Linux `VmHWM`), in MB; 0 where /proc is missing.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// CPU seconds used by this process so far (Linux /proc, 100 ticks a second); 0 elsewhere. Wall
/// time on a shared machine says little; CPU time says what the export costs.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut reports = Vec::new();
    let (customers, out, rest) = if args.first().map(String::as_str) == Some("--synthetic") {
        let n: usize = args.get(1).and_then(|s| s.parse().ok()).expect("--synthetic N");
        (synthetic(n), args.get(2).expect("out.xlsx").clone(), &args[3..])
    } else if args.first().map(String::as_str) == Some("--orders") {
        let started = Instant::now();
        let source = PathBuf::from(args.get(1).expect("--orders FILE"));
        let dataset = import::import_files(&[source], &ImportOptions::default(), &NoProgress).expect("import");
        let customers = customers::aggregate(&dataset.orders);
        println!("import + aggregate {:.3}s", started.elapsed().as_secs_f64());
        reports = dataset.reports;
        (customers, args.get(2).expect("out.xlsx").clone(), &args[3..])
    } else {
        (read_truth(Path::new(args.first().expect("truth.csv"))), args.get(1).expect("out.xlsx").clone(), &args[2..])
    };
    let lang = if rest.first().map(String::as_str) == Some("en") { Lang::En } else { Lang::Zh };
    let params = ClassifyParams {
        method: Method::AbcRevenue { a_pct: 80.0, b_pct: 95.0 },
        as_of: None,
        segment_tiers: BTreeMap::new(),
        segment_names: BTreeMap::new(),
        ..ClassifyParams::default()
    };
    let started = Instant::now();
    let classification = classify::classify(&customers, &params).expect("classify");
    let classified = started.elapsed();
    let playbook = Playbook::default();
    let input = ExportInput {
        customers: &customers,
        classification: &classification,
        playbook: &playbook,
        reports: &reports,
        migration: None,
        regions: None,
        cohorts: None,
        rhythm: None,
        tier_changes: None,
        campaigns: &[],
        products: None,
    };
    let options = ExportOptions { lang, ..ExportOptions::default() };
    let peak_before = peak_rss_mb();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    write_workbook(Path::new(&out), &input, &options, &NoProgress).expect("export");
    let exported = started.elapsed();
    println!(
        "{} customers: classify {:.3}s, export {:.3}s -> {out}",
        customers.len(),
        classified.as_secs_f64(),
        exported.as_secs_f64()
    );
    println!(
        "export CPU {:.2}s; peak RSS before export {:.0} MB, after {:.0} MB",
        cpu_seconds() - cpu_before,
        peak_before,
        peak_rss_mb()
    );
    if let Some(dir) = rest.get(1) {
        let files = write_csv_per_tier(Path::new(dir), &input, &options).expect("csv");
        println!("csv: {files:?}");
    }
}

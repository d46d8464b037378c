//! Where the time goes: runs the `tierbook classify` pipeline stage by stage on one file and prints
//! the wall and CPU time of each (source rows alone, import, aggregate, classify, export), then the
//! per-customer passes the command adds (regions, cohorts, order days, products: each on its own as
//! main had them, and in the one pass `digest` makes of them) and the export with their sheets.
//!
//!     cargo run --release -p tierbook --example pipeline_stages -- orders_1m.xlsx /tmp/out.xlsx

use std::path::PathBuf;
use std::time::Instant;

use tierbook_core::classify::{self, ClassifyParams};
use tierbook_core::cohort;
use tierbook_core::digest;
use tierbook_core::export::{self, ExportInput, ExportOptions};
use tierbook_core::import::{self, ImportOptions};
use tierbook_core::playbook::Playbook;
use tierbook_core::products::ProductLookup;
use tierbook_core::region::RegionLookup;
use tierbook_core::rhythm::{self, OrderDays, RhythmThresholds};
use tierbook_core::source::Source;
use tierbook_core::{customers, NoProgress};

/// CPU seconds (user + system) this process has used so far, from /proc/self/stat (Linux; 0 elsewhere).
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15 (1-based).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Wall and CPU seconds of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (t, c) = (Instant::now(), cpu());
    let out = f();
    (out, t.elapsed().as_secs_f64(), cpu() - c)
}

fn main() -> Result<(), tierbook_core::Error> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [src, out] = args.as_slice() else {
        eprintln!("usage: pipeline_stages SOURCE OUT.xlsx");
        std::process::exit(1);
    };
    let (cells, read_wall, read_cpu) = timed(|| -> Result<u64, tierbook_core::Error> {
        let mut source = Source::open(src)?;
        let sheet = source.sheet_names().first().cloned().unwrap_or_default();
        let mut cells = 0u64;
        source.for_each_row(&sheet, &mut |_, row| {
            cells += row.len() as u64;
            Ok(true)
        })?;
        Ok(cells)
    });
    let cells = cells?;
    let (dataset, import_wall, import_cpu) =
        timed(|| import::import_files(std::slice::from_ref(src), &ImportOptions::default(), &NoProgress));
    let dataset = dataset?;
    let (customers, agg_wall, agg_cpu) = timed(|| customers::aggregate(&dataset.orders));
    let (classification, cls_wall, cls_cpu) = timed(|| classify::classify(&customers, &ClassifyParams::default()));
    let classification = classification?;
    let playbook = Playbook::default();
    let input = ExportInput {
        customers: &customers,
        classification: &classification,
        playbook: &playbook,
        reports: &dataset.reports,
        migration: None,
        regions: None,
        cohorts: None,
        rhythm: None,
        tier_changes: None,
        campaigns: &[],
        products: None,
    };
    let (written, exp_wall, exp_cpu) =
        timed(|| export::write_workbook(out, &input, &ExportOptions::default(), &NoProgress));
    written?;
    let as_of = classification.as_of;
    let (_, reg_wall, reg_cpu) = timed(|| RegionLookup::from_orders(&dataset.orders));
    let (_, coh_wall, coh_cpu) = timed(|| cohort::cohorts(&dataset.orders, as_of));
    let (_, days_wall, days_cpu) = timed(|| OrderDays::from_orders(&dataset.orders));
    let (_, prod_wall, prod_cpu) = timed(|| ProductLookup::from_orders(&dataset.orders));
    let owned = dataset.orders.clone();
    let (digest, dig_wall, dig_cpu) = timed(|| digest::digest(owned, &NoProgress));
    let digest = digest?;
    assert_eq!(digest.customers, customers, "the one pass sums the customers as `aggregate` does");
    let (cohorts, dcoh_wall, dcoh_cpu) = timed(|| digest.cohorts(as_of));
    let (rhythm, rh_wall, rh_cpu) =
        timed(|| rhythm::compute(&customers, &digest.days, as_of, RhythmThresholds::default()));
    let rhythm = rhythm?;
    let full = ExportInput {
        regions: Some(&digest.regions),
        cohorts: Some(&cohorts),
        rhythm: Some(&rhythm),
        products: Some(&digest.products).filter(|p| !p.is_empty()),
        ..input
    };
    let (written, full_wall, full_cpu) =
        timed(|| export::write_workbook(out, &full, &ExportOptions::default(), &NoProgress));
    written?;
    println!("| stage | wall s | CPU s |");
    println!("|---|---:|---:|");
    println!("| source rows only (Source::for_each_row, {cells} cells) | {read_wall:.2} | {read_cpu:.2} |");
    println!(
        "| import: source + mapping + orders ({} orders) | {import_wall:.2} | {import_cpu:.2} |",
        dataset.orders.len()
    );
    println!("| aggregate ({} customers) | {agg_wall:.2} | {agg_cpu:.2} |", customers.len());
    println!("| classify (ABC 80/95) | {cls_wall:.2} | {cls_cpu:.2} |");
    println!("| export workbook | {exp_wall:.2} | {exp_cpu:.2} |");
    println!(
        "| pipeline (import + aggregate + classify + export) | {:.2} | {:.2} |",
        import_wall + agg_wall + cls_wall + exp_wall,
        import_cpu + agg_cpu + cls_cpu + exp_cpu
    );
    println!("| separate passes (the functions the workspace still uses, one walk each): regions | {reg_wall:.2} | {reg_cpu:.2} |");
    println!("| … cohorts | {coh_wall:.2} | {coh_cpu:.2} |");
    println!("| … order days | {days_wall:.2} | {days_cpu:.2} |");
    println!("| … products | {prod_wall:.2} | {prod_cpu:.2} |");
    println!(
        "| … all four, with aggregate | {:.2} | {:.2} |",
        agg_wall + reg_wall + coh_wall + days_wall + prod_wall,
        agg_cpu + reg_cpu + coh_cpu + days_cpu + prod_cpu
    );
    println!("| one pass: digest (customers, regions, order days, products) | {dig_wall:.2} | {dig_cpu:.2} |");
    println!("| … cohorts from the digest | {dcoh_wall:.2} | {dcoh_cpu:.2} |");
    println!("| rhythm | {rh_wall:.2} | {rh_cpu:.2} |");
    println!("| export workbook with the command's sheets (regions, cohorts, rhythm, products) | {full_wall:.2} | {full_cpu:.2} |");
    println!(
        "| command's pipeline (import + digest + cohorts + classify + rhythm + full export) | {:.2} | {:.2} |",
        import_wall + dig_wall + dcoh_wall + cls_wall + rh_wall + full_wall,
        import_cpu + dig_cpu + dcoh_cpu + cls_cpu + rh_cpu + full_cpu
    );
    Ok(())
}

//! Where the time goes: runs the `tierbook classify` pipeline stage by stage on one file and prints
//! the wall time of each (source rows alone, import, aggregate, classify, export).
//!
//!     cargo run --release -p tierbook --example pipeline_stages -- orders_1m.xlsx /tmp/out.xlsx

use std::path::PathBuf;
use std::time::Instant;

use tierbook_core::classify::{self, ClassifyParams};
use tierbook_core::export::{self, ExportInput, ExportOptions};
use tierbook_core::import::{self, ImportOptions};
use tierbook_core::playbook::Playbook;
use tierbook_core::source::Source;
use tierbook_core::{customers, NoProgress};

fn main() -> Result<(), tierbook_core::Error> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [src, out] = args.as_slice() else {
        eprintln!("usage: pipeline_stages SOURCE OUT.xlsx");
        std::process::exit(1);
    };
    let t = Instant::now();
    let mut source = Source::open(src)?;
    let sheet = source.sheet_names().first().cloned().unwrap_or_default();
    let mut cells = 0u64;
    source.for_each_row(&sheet, &mut |_, row| {
        cells += row.len() as u64;
        Ok(true)
    })?;
    let read = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let dataset = import::import_files(
        std::slice::from_ref(src),
        &ImportOptions::default(),
        &NoProgress,
    )?;
    let import = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let customers = customers::aggregate(&dataset.orders);
    let aggregate = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let classification = classify::classify(&customers, &ClassifyParams::default())?;
    let classify = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let playbook = Playbook::default();
    let input = ExportInput {
        customers: &customers,
        classification: &classification,
        playbook: &playbook,
        reports: &dataset.reports,
        migration: None,
    };
    export::write_workbook(out, &input, &ExportOptions::default(), &NoProgress)?;
    let export = t.elapsed().as_secs_f64();
    println!("source rows only (Source::for_each_row, {cells} cells): {read:.2} s");
    println!(
        "import (source + mapping + orders, {} orders): {import:.2} s",
        dataset.orders.len()
    );
    println!(
        "aggregate ({} customers): {aggregate:.3} s",
        customers.len()
    );
    println!("classify: {classify:.3} s");
    println!("export: {export:.2} s");
    println!(
        "pipeline total (import + aggregate + classify + export): {:.2} s",
        import + aggregate + classify + export
    );
    Ok(())
}

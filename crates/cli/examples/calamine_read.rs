//! Benchmark baseline: the time calamine alone needs to read a workbook's first sheet (or a named one),
//! with no interpretation at all. `--cells` uses calamine's streaming cell reader instead of
//! materializing the whole range.
//!
//!     cargo run --release -p tierbook --example calamine_read -- orders_1m.xlsx [--cells] [SHEET]

use std::time::Instant;

use calamine::{open_workbook_auto, Data, Reader, Xlsx};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let cells_mode = args.iter().any(|a| a == "--cells");
    args.retain(|a| a != "--cells");
    let Some(path) = args.first().cloned() else {
        eprintln!("usage: calamine_read FILE [--cells] [SHEET]");
        std::process::exit(1);
    };
    let started = Instant::now();
    let (rows, cells) = if cells_mode {
        let mut wb: Xlsx<_> = calamine::open_workbook(&path).unwrap_or_else(|e| fail(e));
        let sheet = args.get(1).cloned().unwrap_or_else(|| wb.sheet_names()[0].clone());
        let mut reader = wb.worksheet_cells_reader(&sheet).unwrap_or_else(|e| fail(e));
        let (mut rows, mut cells) = (0u32, 0u64);
        while let Some(cell) = reader.next_cell().unwrap_or_else(|e| fail(e)) {
            // Touch the value so the reader cannot skip decoding it.
            if !matches!(cell.get_value(), calamine::DataRef::Empty) {
                cells += 1;
            }
            rows = rows.max(cell.get_position().0 + 1);
        }
        (u64::from(rows), cells)
    } else {
        let mut wb = open_workbook_auto(&path).unwrap_or_else(|e| fail(e));
        let sheet = args.get(1).cloned().unwrap_or_else(|| wb.sheet_names()[0].clone());
        let range = wb.worksheet_range(&sheet).unwrap_or_else(|e| fail(e));
        let cells = range.used_cells().filter(|(_, _, d)| !matches!(d, Data::Empty)).count() as u64;
        (range.height() as u64, cells)
    };
    println!(
        "calamine ({}): {rows} rows, {cells} non-empty cells in {:.2} s",
        if cells_mode { "cells reader" } else { "worksheet_range" },
        started.elapsed().as_secs_f64()
    );
}

fn fail(e: impl std::fmt::Display) -> ! {
    eprintln!("calamine: {e}");
    std::process::exit(2);
}

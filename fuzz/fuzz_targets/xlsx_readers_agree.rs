//! The xlsx sheet reader of our own (`source::xlsx_sheet`) against calamine's cells reader: the
//! fuzzer mutates the xlsx parts (as `open_xlsx`), the target stores them in a valid zip and reads
//! every sheet twice — calamine only, then the fast reader (with its fallback) — and the rows, the
//! error and the notes must be identical.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierbook_fuzz::{run, scratch_file, skip_open_finding, zip_from_parts};
use tierbook_core::source::{Cell, Source};

type Read = (Vec<(usize, Vec<Cell>)>, Result<(), String>, String);

fn read(path: &std::path::Path, calamine_only: bool) -> Option<Read> {
    let mut source = Source::open(path).ok()?;
    source.set_calamine_only(calamine_only);
    let mut rows = Vec::new();
    let mut end = Ok(());
    for sheet in source.sheet_names().to_vec() {
        let read = source.for_each_row(&sheet, &mut |index, cells| {
            rows.push((index, cells.to_vec()));
            Ok(rows.len() < 100_000)
        });
        if let Err(e) = read {
            end = Err(e.to_string());
            break;
        }
    }
    Some((rows, end, format!("{:?}", source.notes())))
}

fuzz_target!(|data: &[u8]| run(|| {
    let bytes = zip_from_parts(data);
    if skip_open_finding(&bytes) {
        return;
    }
    let path = scratch_file("agree.xlsx", &bytes);
    let calamine = read(&path, true);
    let fast = read(&path, false);
    assert!(calamine == fast, "the readers differ:\ncalamine {calamine:?}\nfast     {fast:?}");
}));

//! xlsx (and xlsm) workbooks: the fuzzer mutates the XML parts (`=== xl/worksheets/sheet1.xml` …,
//! see `split_parts`), the target stores them in a valid zip, then sniffs, opens and reads every row.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierbook_fuzz::{read_bytes, run, zip_from_parts};

fuzz_target!(|data: &[u8]| run(|| {
    read_bytes("input.xlsx", &zip_from_parts(data));
}));

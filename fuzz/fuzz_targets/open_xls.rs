//! Legacy .xls (BIFF8): the fuzzer mutates the streams (`=== /Workbook` holds the BIFF records),
//! the target builds a valid OLE2 compound file around them, then sniffs, opens and reads every row.
//! Damage to the compound file itself is `open_any`'s part.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierbook_fuzz::{cfb_from_parts, read_bytes, run};

fuzz_target!(|data: &[u8]| run(|| {
    let file = cfb_from_parts(data);
    if !file.is_empty() {
        read_bytes("input.xls", &file);
    }
}));

//! OpenDocument spreadsheets: the fuzzer mutates `mimetype`, `META-INF/manifest.xml` and
//! `content.xml` as parts, the target stores them in a valid zip, then sniffs, opens and reads
//! every row.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierbook_fuzz::{read_bytes, run, zip_from_parts};

fuzz_target!(|data: &[u8]| run(|| {
    read_bytes("input.ods", &zip_from_parts(data));
}));

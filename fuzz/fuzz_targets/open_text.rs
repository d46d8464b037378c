//! CSV, TSV, `sep=` files and space-aligned text tables in every encoding the sniffer meets (first
//! byte: raw bytes, UTF-8 with BOM, GB18030, GBK, UTF-16 LE/BE with and without BOM; see
//! `ENCODINGS`): sniffed, opened and read row by row.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierbook_fuzz::{encode_text, read_bytes, run};

fuzz_target!(|data: &[u8]| run(|| {
    read_bytes("input.csv", &encode_text(data));
}));

//! HTML tables saved as .xls by some platforms' "Excel" export, in every encoding (first byte, see
//! `ENCODINGS`; a `<meta charset>` in the text may contradict it): sniffed, parsed, read row by row.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierbook_fuzz::{encode_text, read_bytes, run};

fuzz_target!(|data: &[u8]| run(|| {
    read_bytes("input.xls", &encode_text(data));
}));

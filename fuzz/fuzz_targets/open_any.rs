//! Any bytes as a source file: sniffing, opening and reading every row of every sheet, whatever the
//! format (seeded with every format the readers take). Beyond `read_all`'s checks: `sniff` on the
//! bytes agrees with the format `Source::open` chose, for files small enough to be sniffed whole.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierbook_core::source::{sniff, HEAD_LEN};
use tierbook_fuzz::{read_bytes, run};

fuzz_target!(|data: &[u8]| run(|| {
    let read = read_bytes("input.xlsx", data);
    if let Some(format) = read.format {
        if data.len() <= HEAD_LEN {
            assert_eq!(sniff(data), Ok(format), "sniff() and Source::open disagree on the format");
        }
    }
}));

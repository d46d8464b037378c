//! One test per fuzz finding (docs/fuzzing.md), each loading the minimised input committed in
//! tests/fuzz_regressions/. A finding whose fix has not landed yet is `#[ignore]`d with its name
//! (none today) and named in `OPEN_FINDINGS` (fuzz/src/lib.rs); both go when it is fixed.
//!
//! Hangs and memory blow-ups run in a child process (this test binary, filtered to the one test)
//! under a memory cap and a deadline, so that a regression fails the test instead of taking the
//! machine with it.

use std::path::{Path, PathBuf};

use tierbook_core::cell;
use tierbook_core::source::Source;
use tierbook_core::Error;

fn input(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(name)
}

/// Opens `path` and reads every row of every sheet; the first error, if any.
fn open_and_read(path: &Path) -> Result<(), Error> {
    let mut source = Source::open(path)?;
    for sheet in source.sheet_names().to_vec() {
        source.for_each_row(&sheet, &mut |_, _| Ok(true))?;
    }
    Ok(())
}

const CHILD: &str = "TIERBOOK_FUZZ_REGRESSION_CHILD";
/// Far more than reading a 2 KB file needs; far less than the machine has.
const CHILD_MEMORY_KB: u64 = 2_000_000;
const CHILD_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs `body` in a child process with a memory cap and a deadline (Unix; elsewhere in-process).
/// The child is this test binary running only the test `name`.
fn bounded(name: &str, body: impl FnOnce()) {
    if std::env::var_os(CHILD).is_some() || cfg!(not(unix)) {
        body();
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {CHILD_MEMORY_KB} && exec \"$0\" \"$@\""))
        .arg(exe)
        .args([name, "--exact", "--include-ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .spawn()
        .expect("start the child test process");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() > CHILD_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name}: still running after {CHILD_DEADLINE:?}, a hang");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{name}: the child failed ({status}): an abort, out of memory or a failed assertion");
}

/// Finding ods-unclosed-element-hang (open_ods): a cut-off content.xml made calamine's ods reader
/// loop forever at open.
#[test]
fn ods_cut_inside_table_is_an_error_not_a_hang() {
    bounded("ods_cut_inside_table_is_an_error_not_a_hang", || {
        let err = open_and_read(&input("ods_cut_inside_table.ods")).expect_err("a cut-off ods cannot be read");
        assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    });
}

/// Finding xls-cyclic-chain-oom (open_any): an OLE2 directory chain pointing back at itself made
/// calamine append sectors until memory ran out (exit 134).
#[test]
fn xls_cyclic_directory_chain_is_an_error_not_an_oom() {
    bounded("xls_cyclic_directory_chain_is_an_error_not_an_oom", || {
        let err = open_and_read(&input("xls_cyclic_directory_chain.xls")).expect_err("a looping chain is damage");
        assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    });
}

/// Finding xls-cell-column-bomb (import_file, 5 min into its first long run): the xls fixture with
/// two bytes changed, putting one cell past BIFF8's 256 columns, made calamine reserve 132 GB for
/// the sheet; the failed allocation aborted the process (exit 134).
#[test]
fn xls_cell_past_last_column_is_an_error_not_an_abort() {
    bounded("xls_cell_past_last_column_is_an_error_not_an_abort", || {
        let err = open_and_read(&input("xls_cell_column_bomb.xls")).expect_err("a cell past column IV is damage");
        // The pre-scan refuses the sheet's spread (FileTooLarge names the scattered cells) before
        // calamine reserves rows × columns; Corrupt would be as good.
        assert!(matches!(err, Error::Corrupt { .. } | Error::FileTooLarge { .. }), "{err:?}");
    });
}

/// Finding xlsx-rows-out-of-order (open_xlsx): `<row r="3">` before `<row r="2">` made
/// `for_each_row` hand out row 2 after row 3. Either refuse the sheet or keep indices increasing.
#[test]
fn xlsx_rows_out_of_order_keep_indices_increasing() {
    let mut source = Source::open(&input("xlsx_rows_out_of_order.xlsx")).expect("the workbook opens");
    let mut indices = Vec::new();
    let read = source.for_each_row("订单", &mut |index, _| {
        indices.push(index);
        Ok(true)
    });
    if read.is_ok() {
        assert!(indices.windows(2).all(|w| w[0] < w[1]), "row indices handed out: {indices:?}");
    }
}

/// Finding amount-round-trip-16-digits (cell_parsers): a 16-digit yuan amount was accepted, but its
/// printed form with fen (as the export writes it) was refused. Either refuse it (a ceiling) or
/// read the printed form back to the same fen.
#[test]
fn amount_16_digit_yuan_round_trips_or_is_refused() {
    let text = std::fs::read_to_string(input("amount_16_digit_yuan.txt")).expect("the input");
    if let Some(fen) = cell::parse_amount_text(text.trim()) {
        let printed =
            format!("{}{}.{:02}", if fen < 0 { "-" } else { "" }, fen.unsigned_abs() / 100, fen.unsigned_abs() % 100);
        assert_eq!(cell::parse_amount_text(&printed), Some(fen), "{text:?} read as {fen} fen, printed {printed:?}");
    }
}

/// Finding xls-boundsheet-offset-bomb (open_xls, 1 min into its first long run): a sheet's
/// BoundSheet offset points into the middle of another record, so calamine reads a DIMENSIONS
/// record there that a walk of the stream in order never sees, and reserves 497 GB (exit 134).
#[test]
fn xls_sheet_read_from_its_boundsheet_offset_is_checked_too() {
    bounded("xls_sheet_read_from_its_boundsheet_offset_is_checked_too", || {
        let err = open_and_read(&input("xls_boundsheet_offset_bomb.xls")).expect_err("a hidden huge sheet");
        assert!(matches!(err, Error::Corrupt { .. } | Error::FileTooLarge { .. }), "{err:?}");
    });
}

/// Finding ods-part-name-case (open_ods, 18 min into a recorded run): the archive holds `contEnt.xml`
/// and a cut-off `content.xml`; the pre-scan checked the first spelling, calamine read the second and
/// spun forever.
#[test]
fn ods_every_spelling_of_content_xml_is_checked() {
    bounded("ods_every_spelling_of_content_xml_is_checked", || {
        let err = open_and_read(&input("ods_part_name_case.ods")).expect_err("a cut-off content.xml");
        assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    });
}

/// Finding xls-nan-number (open_xls): an xls NUMBER record holding NaN reached the rows as
/// `Cell::Number(NaN)`, which is not equal to itself, so two reads of one sheet "disagreed" and any
/// code comparing or summing cells met a value no spreadsheet program writes. It reads as `#NUM!`.
#[test]
fn xls_nan_number_reads_as_an_error_cell_and_both_reads_agree() {
    use tierbook_core::source::Cell;
    let path = input("xls_nan_number.xls");
    let mut source = Source::open(&path).expect("the file opens");
    let sheet = source.sheet_names()[0].clone();
    let mut streamed: Vec<Vec<Cell>> = Vec::new();
    source
        .for_each_row(&sheet, &mut |_, cells| {
            streamed.push(cells.to_vec());
            Ok(true)
        })
        .expect("the sheet reads");
    let every_cell = || streamed.iter().flatten();
    assert!(every_cell().all(|c| !matches!(c, Cell::Number(x) if !x.is_finite())), "{streamed:?}");
    assert!(every_cell().any(|c| *c == Cell::Error("#NUM!".to_owned())), "the NaN cell is #NUM!: {streamed:?}");
    let head = source.head(&sheet, 8).expect("head reads");
    assert_eq!(head[..], streamed[..head.len().min(streamed.len())]);
}

/// Finding xls-sheet-bof-not-first (open_any, fuzz smoke of 2026-12-03): an xls (5.7 KB) whose
/// Workbook directory entry declares 522 MB while its sector chain holds one 4 KB sector. The `cfb`
/// crate the pre-scan read it with fails on the first read, so the pre-scan checked nothing; calamine's
/// own compound-file reader keeps the 4 KB, finds a DIMENSIONS record of 3.1 billion rows in it and
/// reserved 5.8 PB (exit 134). The pre-scan now reads the stream by calamine's rules (`source/xls_cfb.rs`).
#[test]
fn xls_stream_shorter_than_its_directory_entry_is_checked_as_calamine_reads_it() {
    bounded("xls_stream_shorter_than_its_directory_entry_is_checked_as_calamine_reads_it", || {
        let err = open_and_read(&input("xls_sheet_bof_not_first.xls")).expect_err("a 3.1-billion-row sheet is refused");
        assert!(err.to_string().contains("超出 xls 格式上限"), "{err}");
    });
}

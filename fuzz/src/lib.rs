//! The harness shared by the fuzz targets in `fuzz_targets/`: fuzz bytes to a file the readers can
//! open, containers built around fuzzed parts, and the checks every read must pass.
//!
//! The readers only take paths (a source is streamed from disk), so each input is written to one
//! scratch file per process and opened from there. Structure-aware targets (xlsx, ods, xls, text in
//! an encoding) build a valid container around the fuzzed bytes, so that mutations reach the
//! parsers behind the zip/CFB framing instead of dying on a CRC or a sector chain.
//!
//! Panics: calamine is known to panic on malformed files, and the core catches that on purpose
//! (`source::workbook::guard` turns it into `Corrupt`). libfuzzer-sys would abort on any panic,
//! caught or not, so [`run`] installs a hook that only records the message, and aborts when a panic
//! reaches the target, i.e. when the core did not catch it. `TIERBOOK_FUZZ_STRICT=1` restores
//! "every panic is a crash", to list the caught ones for an upstream report.
//!
//! Findings already reported but not yet fixed are listed in `OPEN_FINDINGS`: their checks are
//! tolerated and inputs that would hang or exhaust memory through them are skipped, so runs go on.

use std::io::{Cursor, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, OnceLock};

use tierbook_core::source::{self, Cell, Source, MAX_CELL_BYTES};

static HOOK: Once = Once::new();
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Runs one fuzz iteration: a panic the core catches is allowed (it becomes an error there), a
/// panic that reaches here is a crash, reported with the message and place it was raised.
pub fn run(body: impl FnOnce()) {
    HOOK.call_once(|| {
        let strict = std::env::var_os("TIERBOOK_FUZZ_STRICT").is_some_and(|v| v == "1");
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if strict {
                default_hook(info);
                std::process::abort();
            }
            let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = Some(format!("panicked at {place}: {message}"));
            }
        }));
    });
    if let Ok(mut last) = LAST_PANIC.lock() {
        *last = None;
    }
    if catch_unwind(AssertUnwindSafe(body)).is_err() {
        let last = LAST_PANIC.lock().ok().and_then(|l| l.clone()).unwrap_or_default();
        eprintln!("uncaught panic (a failed check or a panic the core did not catch): {last}");
        std::process::abort();
    }
}

fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // tmpfs when there is one: every iteration writes its input once.
        let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let dir = base.join(format!("tierbook-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory for fuzz inputs");
        dir
    })
}

/// Writes `bytes` to this process's scratch file named `name` (the extension does not matter to
/// the readers, which sniff) and returns its path. The file is overwritten by the next input.
pub fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).expect("write the fuzz input to the scratch file");
    path
}

/// What reading a whole source showed, for the targets' own checks.
#[derive(Debug, Default)]
pub struct ReadAll {
    pub format: Option<source::Format>,
    pub rows: usize,
}

/// Opens `path` and reads every row of every sheet, checking what `Source` promises:
/// row indices from 0 without gaps, no trailing empty cell in a row, no text cell over
/// `MAX_CELL_BYTES` (that must be `CellTooLarge`), `head` agreeing with the stream, and errors that
/// can be shown (their message is not empty).
pub fn read_all(path: &Path) -> ReadAll {
    let mut src = match Source::open(path) {
        Ok(src) => src,
        Err(e) => {
            assert!(!e.to_string().is_empty(), "an open error without a message: {e:?}");
            return ReadAll::default();
        }
    };
    let _ = src.encoding();
    let mut out = ReadAll { format: Some(src.format), rows: 0 };
    let sheets = src.sheet_names().to_vec();
    for sheet in &sheets {
        let _ = src.row_count_hint(sheet);
        let mut next = 0usize;
        let mut ordered = true;
        let mut first: Vec<Vec<Cell>> = Vec::new();
        let streamed = src.for_each_row(sheet, &mut |index, cells| {
            if index < next {
                ordered = false;
                let detail = format!("row {index} handed out after row {} (sheet {sheet:?})", next - 1);
                known_finding("xlsx-rows-out-of-order", false, &detail);
            } else {
                assert_eq!(index, next, "row indices must run from 0 without gaps (sheet {sheet:?})");
            }
            next = next.max(index + 1);
            assert!(cells.last() != Some(&Cell::Empty), "row {index} ends in an empty cell: {cells:?}");
            for cell in cells {
                if let Cell::Number(x) = cell {
                    assert!(x.is_finite(), "row {index}: a non-finite number was handed out");
                }
                if let Cell::Text(t) | Cell::Error(t) = cell {
                    assert!(t.len() <= MAX_CELL_BYTES, "row {index}: a {}-byte cell was handed out", t.len());
                }
            }
            if index < HEAD_CHECK && first.len() == index {
                first.push(cells.to_vec());
            }
            Ok(true)
        });
        out.rows += next;
        match streamed {
            Ok(()) if ordered => {
                // A second read of the top must give the same rows (streams are re-opened per read).
                let head = src.head(sheet, HEAD_CHECK).expect("head after a full read that succeeded");
                assert_eq!(head, first, "head() and for_each_row disagree on sheet {sheet:?}");
            }
            Ok(()) => {}
            Err(e) => assert!(!e.to_string().is_empty(), "a read error without a message: {e:?}"),
        }
    }
    out
}

const HEAD_CHECK: usize = 8;

/// Findings that are reported (in /work/fuzz-findings, with an ignored regression test in
/// crates/core/tests/fuzz_regressions.rs) but not yet fixed, by name. A check that fails with one of
/// these names prints once and lets the run go on, and inputs that would hang or exhaust memory
/// through one of them are skipped ([`skip_open_finding`]), so that long runs and the CI smoke hunt
/// for new problems. Delete the name (and its guard) when its fix lands.
const OPEN_FINDINGS: &[&str] = &[
    // None open: the five findings of the first runs are fixed in the core, each with a regression
    // test in crates/core/tests/fuzz_regressions.rs (docs/fuzzing.md).
];

/// Checks `holds` for the finding `name`: fails like an assertion unless the finding is still open
/// (see [`OPEN_FINDINGS`]), in which case it is reported once per process.
pub fn known_finding(name: &str, holds: bool, detail: &str) {
    if holds {
        return;
    }
    assert!(OPEN_FINDINGS.contains(&name), "{name}: {detail}");
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    if let Ok(mut seen) = SEEN.lock() {
        if !seen.iter().any(|s| s == name) {
            eprintln!("open finding {name} (tolerated): {detail}");
            seen.push(name.to_owned());
        }
    }
}

/// True when `bytes` would run into an open hang or out-of-memory finding (reported once; the
/// input is then not opened). libFuzzer's timeout and RSS limits stop a run outright, so such
/// findings cannot be tolerated after the fact like [`known_finding`]'s checks. Every finding so far
/// is fixed (docs/fuzzing.md), so no input is skipped; a new hang finding adds its guard here.
pub fn skip_open_finding(_bytes: &[u8]) -> bool {
    false
}

/// Where an entry starts in a parts input: a line `=== name`.
const MARK: &[u8] = b"=== ";

/// Splits a parts input into (name, content) pairs. The input is text-like and easy to mutate:
///
/// ```text
/// === xl/workbook.xml
/// <workbook …>
/// === xl/worksheets/sheet1.xml
/// <worksheet …>
/// ```
///
/// Bytes before the first mark are ignored; the newline before a mark belongs to no entry.
pub fn split_parts(data: &[u8]) -> Vec<(String, &[u8])> {
    let mut starts: Vec<usize> = Vec::new();
    if data.starts_with(MARK) {
        starts.push(0);
    }
    let mut i = 0;
    while let Some(at) = find(&data[i..], b"\n=== ") {
        starts.push(i + at + 1);
        i += at + 1;
    }
    let mut parts = Vec::with_capacity(starts.len());
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(data.len(), |&next| next - 1);
        let entry = &data[start + MARK.len()..end.max(start + MARK.len())];
        let (name, content) = match entry.iter().position(|&b| b == b'\n') {
            Some(nl) => (&entry[..nl], &entry[nl + 1..]),
            None => (entry, &entry[entry.len()..]),
        };
        let name = String::from_utf8_lossy(name).trim_end_matches('\r').to_owned();
        parts.push((name, content));
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Joins (name, content) pairs into the parts format of [`split_parts`] (for the seed writer and
/// regression inputs).
pub fn join_parts<'a>(parts: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, content) in parts {
        if !out.is_empty() {
            out.push(b'\n');
        }
        out.extend_from_slice(MARK);
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(content);
    }
    out
}

/// A zip archive of the parts, stored (no compression) so the parsers see the fuzzed bytes as they
/// are; an entry whose name the zip writer refuses (a duplicate) is left out.
pub fn zip_from_parts(data: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in split_parts(data) {
        if zip.start_file(name, options).is_ok() {
            let _ = zip.write_all(content);
        }
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// An OLE2 compound file holding the parts as streams (`=== /Workbook` is an xls's BIFF stream);
/// a stream name the cfb writer refuses is left out.
pub fn cfb_from_parts(data: &[u8]) -> Vec<u8> {
    // The cfb writer accepts some names it then asserts on when flushing: that input is no file.
    catch_unwind(AssertUnwindSafe(|| build_cfb(data))).unwrap_or_default()
}

fn build_cfb(data: &[u8]) -> Vec<u8> {
    let Ok(mut file) = cfb::CompoundFile::create(Cursor::new(Vec::new())) else { return Vec::new() };
    for (name, content) in split_parts(data) {
        let path = if name.starts_with('/') { name } else { format!("/{name}") };
        if let Ok(mut stream) = file.create_stream(&path) {
            let _ = stream.write_all(content);
        }
    }
    if file.flush().is_err() {
        return Vec::new();
    }
    file.into_inner().into_inner()
}

/// The text encodings the text readers meet in real exports, chosen by the first input byte.
pub const ENCODINGS: [&str; 8] =
    ["raw", "UTF-8 BOM", "GB18030", "GBK", "UTF-16LE BOM", "UTF-16BE BOM", "UTF-16LE", "UTF-16BE"];

/// Encodes the rest of the input in the encoding its first byte picks (see [`ENCODINGS`]): `raw`
/// passes the bytes through untouched (invalid UTF-8, stray GBK lead bytes …); the others encode
/// the input read as UTF-8, so the fuzzer mutates readable text while the file is e.g. UTF-16.
pub fn encode_text(data: &[u8]) -> Vec<u8> {
    let Some((&selector, rest)) = data.split_first() else { return Vec::new() };
    let text = String::from_utf8_lossy(rest);
    let utf16 = |big: bool, bom: bool| {
        let mut out = Vec::with_capacity(text.len() * 2 + 2);
        if bom {
            out.extend_from_slice(if big { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for unit in text.encode_utf16() {
            out.extend_from_slice(&if big { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        out
    };
    match selector as usize % ENCODINGS.len() {
        0 => rest.to_vec(),
        1 => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        2 => encoding_rs::GB18030.encode(&text).0.into_owned(),
        3 => encoding_rs::GBK.encode(&text).0.into_owned(),
        4 => utf16(false, true),
        5 => utf16(true, true),
        6 => utf16(false, false),
        _ => utf16(true, false),
    }
}

/// Writes `bytes` to the scratch file `name` and reads every row (see [`read_all`]).
/// Inputs that would run into an open hang or OOM finding are skipped (see [`skip_open_finding`]).
pub fn read_bytes(name: &str, bytes: &[u8]) -> ReadAll {
    if skip_open_finding(bytes) {
        return ReadAll::default();
    }
    read_all(&scratch_file(name, bytes))
}

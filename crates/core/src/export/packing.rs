//! The workbook's last step as progress: rust_xlsxwriter's `save_to_writer` zips every sheet into
//! the file in one call (the longest step of a large export that reported nothing: ~1.8 s of CPU at
//! 1M orders). [`Packing`] sits between it and the file, counts what it writes, reports it as
//! [`Stage::Packing`] and stops the save when the user cancels.
//!
//! It does not know how large the file will be (the zip is written as it is compressed), so the
//! stage has no total: the window shows the amount written.

use std::io::{self, Write};

use crate::progress::{Progress, Stage};

/// Bytes between two reports (and cancel checks): a few milliseconds of compression.
const EVERY: u64 = 256 * 1024;

/// A writer that reports the kibibytes written through it and fails once the user cancels.
pub(super) struct Packing<'p, W> {
    inner: W,
    progress: &'p dyn Progress,
    written: u64,
    next: u64,
    cancelled: bool,
}

impl<'p, W: Write> Packing<'p, W> {
    pub(super) fn new(inner: W, progress: &'p dyn Progress) -> Self {
        progress.report(Stage::Packing, 0, 0);
        Packing { inner, progress, written: 0, next: EVERY, cancelled: false }
    }

    /// Whether the save stopped because the user cancelled (its error is then not a write error).
    pub(super) fn cancelled(&self) -> bool {
        self.cancelled
    }
}

impl<W: Write> Write for Packing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written >= self.next {
            self.next = self.written + EVERY;
            self.progress.report(Stage::Packing, self.written / 1024, 0);
            if self.progress.cancelled() {
                self.cancelled = true;
            }
        }
        if self.cancelled {
            // Not `Interrupted`: `write_all` would retry that.
            return Err(io::Error::other("cancelled"));
        }
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    /// Records every report; cancels once `cancel_after` kibibytes were reported.
    struct Recorder {
        seen: Mutex<Vec<(Stage, u64, u64)>>,
        cancel_after: Option<u64>,
        cancel: AtomicBool,
    }

    impl Progress for Recorder {
        fn report(&self, stage: Stage, done: u64, total: u64) {
            self.seen.lock().unwrap().push((stage, done, total));
            if self.cancel_after.is_some_and(|n| done >= n) {
                self.cancel.store(true, Ordering::Relaxed);
            }
        }
        fn cancelled(&self) -> bool {
            self.cancel.load(Ordering::Relaxed)
        }
    }

    fn recorder(cancel_after: Option<u64>) -> Recorder {
        Recorder { seen: Mutex::new(Vec::new()), cancel_after, cancel: AtomicBool::new(false) }
    }

    #[test]
    fn every_quarter_mebibyte_written_is_reported_in_kibibytes_and_the_bytes_pass_unchanged() {
        let progress = recorder(None);
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut out = Vec::new();
        let mut w = Packing::new(&mut out, &progress);
        for chunk in data.chunks(10_000) {
            w.write_all(chunk).unwrap();
        }
        w.flush().unwrap();
        assert_eq!(out, data);
        let seen = progress.seen.into_inner().unwrap();
        // 3,000,000 bytes: the start, then one report per 262,144 bytes passed (11 of them).
        assert_eq!(seen.len(), 1 + 3_000_000 / 262_144);
        assert!(seen.iter().all(|(stage, _, total)| *stage == Stage::Packing && *total == 0));
        assert!(seen.windows(2).all(|w| w[1].1 >= w[0].1 + 256), "{seen:?}");
    }

    #[test]
    fn a_cancel_stops_the_writing_with_an_error_the_caller_can_tell_apart() {
        let progress = recorder(Some(512));
        let mut out = Vec::new();
        let mut w = Packing::new(&mut out, &progress);
        let chunk = [7u8; 4096];
        let mut result = Ok(());
        for _ in 0..1000 {
            result = w.write_all(&chunk);
            if result.is_err() {
                break;
            }
        }
        assert!(result.is_err() && w.cancelled());
        // Stopped at the first check after 512 KiB, not at the end of 4 MB.
        assert!(out.len() < 1024 * 1024, "{} bytes written", out.len());
    }
}

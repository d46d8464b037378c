//! Progress reporting and cancellation for long work (import, export), independent of any UI.
//!
//! The desktop shell forwards `Progress::report` to a Tauri channel; the CLI draws a bar.
//! Work checks `cancelled()` between rows and stops with `Error::Cancelled`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;

/// Which step of the pipeline is reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading source files.
    Reading,
    /// Classifying customers.
    Classifying,
    /// Writing the export.
    Exporting,
    /// Saving to the workspace.
    Saving,
    /// Updating the workspace's customers after an import's orders are stored (their totals, then
    /// their regions); `done`/`total` count customers.
    Customers,
    /// Zipping the export's sheets into the workbook file (its last step); `done` counts the
    /// kibibytes written, `total` is 0 (the size is known only at the end).
    Packing,
}

/// Receives progress; implementations must be cheap (the core calls it every few thousand rows).
pub trait Progress: Sync {
    /// `done` out of `total` units (bytes or rows; `total == 0` when unknown).
    fn report(&self, stage: Stage, done: u64, total: u64);
    /// True when the user asked to stop; the core then returns `Error::Cancelled`.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress that goes nowhere, for tests and batch use.
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _: Stage, _: u64, _: u64) {}
}

/// A cancellation flag shared between the UI thread and the worker.
#[derive(Clone, Default, Debug)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag not yet set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Asks the operation to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// True once `cancel` was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// How often [`beating`] reports for work that cannot report itself.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_millis(100);

/// Reports `stage` at `done` of `total`, then runs `work` on this thread while a helper thread
/// reports it again every [`HEARTBEAT`] until it returns: for single steps that take longer than
/// the window may stand still (issue 10 item 5: progress at least every 200 ms), such as one SQLite
/// statement, a commit, or classifying every customer at once.
///
/// The report at the start matters as much as the beats: the window's throttle may have dropped
/// the last reports of the step before (the app's import lost the end of reading the customers
/// back that way), and with the first beat a whole heartbeat later the window stood ~210 ms.
///
/// With `on_cancel`, the helper also checks for a cancel at each beat; at the first one it calls
/// `on_cancel` (to interrupt the work, e.g. SQLite's interrupt) and stops. The second value
/// returned is whether that happened. Without it, a cancel is not looked at: for work past the
/// point where a cancel could still leave things as they were (a commit).
pub fn beating<T>(
    progress: &dyn Progress,
    (stage, done, total): (Stage, u64, u64),
    on_cancel: Option<&(dyn Fn() + Sync)>,
    work: impl FnOnce() -> T,
) -> (T, bool) {
    progress.report(stage, done, total);
    let cancelled = AtomicBool::new(false);
    let beat = || {
        if let Some(on_cancel) = on_cancel {
            if progress.cancelled() {
                cancelled.store(true, Ordering::Relaxed);
                on_cancel();
                return false;
            }
        }
        progress.report(stage, done, total);
        true
    };
    let result = with_beats(beat, work);
    (result, cancelled.into_inner())
}

/// Runs `work` while a helper thread reports `stage` every [`HEARTBEAT`] at the count `work` has
/// reached: the counter it is given, which starts at `done`. For a loop that reports every so many
/// rows itself but may stall inside one (a hash map growing, SQLite writing out its cache, the
/// machine busy elsewhere): the window does not stand still meanwhile. The loop keeps its own
/// reports and cancel checks.
pub fn counting<T>(
    progress: &dyn Progress,
    (stage, done, total): (Stage, u64, u64),
    work: impl FnOnce(&AtomicU64) -> T,
) -> T {
    let reached = AtomicU64::new(done);
    let beat = || {
        progress.report(stage, reached.load(Ordering::Relaxed), total);
        true
    };
    with_beats(beat, || work(&reached))
}

/// Runs `work` on this thread while a helper thread calls `beat` every [`HEARTBEAT`], until `work`
/// returns or `beat` returns false.
fn with_beats<T>(beat: impl Fn() -> bool + Sync, work: impl FnOnce() -> T) -> T {
    let (finished, wait) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let beat = &beat;
        scope.spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(HEARTBEAT) {
                if !beat() {
                    break;
                }
            }
        });
        let result = work();
        // Wakes the helper at once (its receiver sees the sender gone), so the scope ends now.
        drop(finished);
        result
    })
}

/// [`beating`] for a step a cancel may stop: a cancel asked for already stops it before it starts
/// (and before its first report), `interrupt` is called at the first beat that sees a later one,
/// and the step's result is then `Error::Cancelled` whatever the step returned.
///
/// # Errors
/// `Cancelled`, or the step's own.
pub fn beating_or_cancelled<T>(
    progress: &dyn Progress,
    at: (Stage, u64, u64),
    interrupt: &(dyn Fn() + Sync),
    work: impl FnOnce() -> crate::Result<T>,
) -> crate::Result<T> {
    if progress.cancelled() {
        return Err(crate::Error::Cancelled);
    }
    match beating(progress, at, Some(interrupt), work) {
        (_, true) => Err(crate::Error::Cancelled),
        (result, false) => result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    /// Records every report's time; cancelled once `cancel_after` reports were made.
    struct Beats {
        at: Mutex<Vec<(Stage, u64, u64, Instant)>>,
        cancel_after: usize,
    }

    impl Progress for Beats {
        fn report(&self, stage: Stage, done: u64, total: u64) {
            self.at.lock().unwrap().push((stage, done, total, Instant::now()));
        }
        fn cancelled(&self) -> bool {
            self.at.lock().unwrap().len() >= self.cancel_after
        }
    }

    #[test]
    fn a_step_is_reported_at_its_start_and_every_beat_while_it_runs() {
        let beats = Beats { at: Mutex::new(Vec::new()), cancel_after: usize::MAX };
        let start = Instant::now();
        let (value, cancelled) =
            beating(&beats, (Stage::Saving, 7, 9), None, || std::thread::sleep(Duration::from_millis(550)));
        let took = start.elapsed();
        assert_eq!((value, cancelled), ((), false));
        let at = beats.at.lock().unwrap().clone();
        // One at the start, then a beat every 100 ms while it ran (five in 550 ms); fewer when a
        // busy machine wakes the helper late, never more.
        let most = 1 + (took.as_millis() / HEARTBEAT.as_millis()) as usize;
        assert!((3..=most).contains(&at.len()), "{} reports in {took:?}", at.len());
        assert!(at.iter().all(|&(stage, done, total, _)| (stage, done, total) == (Stage::Saving, 7, 9)));
        assert!(at[0].3.duration_since(start) < HEARTBEAT / 2, "the first report comes at the start");
        assert!(at.windows(2).all(|w| w[1].3.duration_since(w[0].3) >= HEARTBEAT), "then one a beat");
        // None after the work returned: the helper is gone with the scope.
        std::thread::sleep(HEARTBEAT * 2);
        assert_eq!(beats.at.lock().unwrap().len(), at.len());

        let quick = Beats { at: Mutex::new(Vec::new()), cancel_after: usize::MAX };
        let (value, _) = beating(&quick, (Stage::Saving, 0, 0), None, || 42);
        assert_eq!(value, 42);
        assert_eq!(quick.at.lock().unwrap().len(), 1, "a quick step: its start only");
    }

    #[test]
    fn a_cancel_calls_on_cancel_once_and_is_told_but_only_when_asked_to_look() {
        // Cancelled after the second report (the start's, then the first beat's): the next beat sees it.
        let beats = Beats { at: Mutex::new(Vec::new()), cancel_after: 2 };
        let interrupted = AtomicBool::new(false);
        let interrupt = || assert!(!interrupted.swap(true, Ordering::Relaxed), "on_cancel called twice");
        let (_, cancelled) = beating(&beats, (Stage::Saving, 1, 2), Some(&interrupt), || {
            // The work stops when interrupted, as SQLite's statement does.
            while !interrupted.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        assert!(cancelled);
        assert_eq!(beats.at.lock().unwrap().len(), 2);

        // Without on_cancel the same cancel goes unseen: the work runs to its end.
        let beats = Beats { at: Mutex::new(Vec::new()), cancel_after: 0 };
        let (_, cancelled) = beating(&beats, (Stage::Saving, 1, 2), None, || std::thread::sleep(HEARTBEAT * 3));
        assert!(!cancelled);
        assert!(!beats.at.lock().unwrap().is_empty());
    }

    #[test]
    fn a_loop_that_stalls_is_reported_where_it_has_got_to_every_beat() {
        let beats = Beats { at: Mutex::new(Vec::new()), cancel_after: usize::MAX };
        let value = counting(&beats, (Stage::Saving, 10, 100), |reached| {
            // Rows 11 to 40 quickly, then a stall of three beats and a half inside row 41.
            reached.store(40, Ordering::Relaxed);
            std::thread::sleep(HEARTBEAT * 7 / 2);
            reached.store(41, Ordering::Relaxed);
            7
        });
        assert_eq!(value, 7);
        let at = beats.at.lock().unwrap().clone();
        // The loop itself reported nothing: every report is a beat, at the count reached.
        assert!((2..=3).contains(&at.len()), "{} beats in a stall of 3.5", at.len());
        assert!(at.iter().all(|&(stage, done, total, _)| (stage, done, total) == (Stage::Saving, 40, 100)));
        std::thread::sleep(HEARTBEAT * 2);
        assert_eq!(beats.at.lock().unwrap().len(), at.len(), "no beat after the loop returned");
    }

    #[test]
    fn a_step_a_cancel_may_stop_does_not_start_after_one() {
        let beats = Beats { at: Mutex::new(Vec::new()), cancel_after: 0 };
        let ran = AtomicBool::new(false);
        let result = beating_or_cancelled(&beats, (Stage::Saving, 5, 5), &|| {}, || {
            ran.store(true, Ordering::Relaxed);
            Ok(())
        });
        assert!(matches!(result, Err(crate::Error::Cancelled)));
        assert!(!ran.load(Ordering::Relaxed), "the step ran after the cancel");
        assert!(beats.at.lock().unwrap().is_empty(), "nor was it reported as started");
    }
}

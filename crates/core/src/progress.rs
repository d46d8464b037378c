//! Progress reporting and cancellation for long work (import, export), independent of any UI.
//!
//! The desktop shell forwards `Progress::report` to a Tauri channel; the CLI draws a bar.
//! Work checks `cancelled()` between rows and stops with `Error::Cancelled`.

use std::sync::atomic::{AtomicBool, Ordering};
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

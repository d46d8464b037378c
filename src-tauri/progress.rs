//! Progress of long work sent to the UI through a `tauri::ipc::Channel`, throttled, with cancellation.
//!
//! The core reports every few thousand rows; the UI needs no more than ~10 updates a second, so
//! reports closer than `INTERVAL` to the previous one are dropped (except the last of a stage).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::ipc::Channel;
use tierbook_core::progress::HEARTBEAT;
use tierbook_core::{Cancel, Progress, Stage};

/// One progress update.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ProgressEvent {
    pub stage: Stage,
    /// Units done (bytes or rows).
    pub done: u64,
    /// Units in all; 0 when unknown (show an indeterminate bar).
    pub total: u64,
}

/// Minimum time between two forwarded updates (~12 per second). A little under the core's
/// heartbeat: with the same interval, a beat that came a millisecond early (its clock starts
/// when the previous report returned, not when this one stamped it) was dropped, and the window
/// stood ~200 ms until the next.
const INTERVAL: Duration = Duration::from_millis(HEARTBEAT.as_millis() as u64 * 4 / 5);

/// Forwards the core's progress to a channel and answers its cancellation checks.
pub struct ChannelProgress {
    channel: Channel<ProgressEvent>,
    cancel: Cancel,
    last: Mutex<Option<(Stage, Instant)>>,
}

impl ChannelProgress {
    pub fn new(channel: Channel<ProgressEvent>, cancel: Cancel) -> Self {
        ChannelProgress { channel, cancel, last: Mutex::new(None) }
    }

    /// Whether an update should go out now: the first of a stage, the last of a stage, or after `INTERVAL`.
    fn due(&self, stage: Stage, done: u64, total: u64) -> bool {
        let Ok(mut last) = self.last.lock() else {
            return true;
        };
        let now = Instant::now();
        let finished = total > 0 && done >= total;
        let due = match *last {
            Some((prev, at)) => prev != stage || finished || now.duration_since(at) >= INTERVAL,
            None => true,
        };
        if due {
            *last = Some((stage, now));
        }
        due
    }
}

impl Progress for ChannelProgress {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        if self.due(stage, done, total) {
            // A closed window cannot receive; the work goes on and its result is kept.
            let _ = self.channel.send(ProgressEvent { stage, done, total });
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex as StdMutex};

    fn recording() -> (Channel<ProgressEvent>, Arc<StdMutex<Vec<serde_json::Value>>>) {
        let seen = Arc::new(StdMutex::new(Vec::new()));
        let sink = seen.clone();
        let channel = Channel::new(move |body| {
            if let tauri::ipc::InvokeResponseBody::Json(json) = body {
                sink.lock().unwrap().push(serde_json::from_str(&json).unwrap());
            }
            Ok(())
        });
        (channel, seen)
    }

    #[test]
    fn bursts_of_reports_are_throttled_but_the_last_one_of_a_stage_goes_out() {
        let (channel, seen) = recording();
        let progress = ChannelProgress::new(channel, Cancel::new());
        for done in 0..=10_000 {
            progress.report(Stage::Reading, done, 10_000);
        }
        let seen = seen.lock().unwrap();
        // A tight loop finishes well inside one interval on any machine: first and last only, give or take.
        assert!(seen.len() < 100, "{} updates were not throttled", seen.len());
        assert_eq!(seen.first().map(|e| e["done"].clone()), Some(serde_json::json!(0)));
        assert_eq!(seen.last().map(|e| e["done"].clone()), Some(serde_json::json!(10_000)));
    }

    #[test]
    fn a_report_a_little_under_a_heartbeat_after_the_last_goes_out() {
        let (channel, seen) = recording();
        let progress = ChannelProgress::new(channel, Cancel::new());
        progress.report(Stage::Saving, 0, 0);
        std::thread::sleep(HEARTBEAT * 9 / 10);
        progress.report(Stage::Saving, 0, 0);
        assert_eq!(seen.lock().unwrap().len(), 2, "a beat that came early was dropped");
    }

    #[test]
    fn a_new_stage_is_reported_immediately() {
        let (channel, seen) = recording();
        let progress = ChannelProgress::new(channel, Cancel::new());
        progress.report(Stage::Reading, 1, 100);
        progress.report(Stage::Classifying, 0, 0);
        let stages: Vec<String> = seen.lock().unwrap().iter().map(|e| e["stage"].to_string()).collect();
        assert_eq!(stages, vec!["\"reading\"", "\"classifying\""]);
    }

    #[test]
    fn cancelling_the_flag_is_seen_by_the_core() {
        let (channel, _) = recording();
        let cancel = Cancel::new();
        let progress = ChannelProgress::new(channel, cancel.clone());
        assert!(!progress.cancelled());
        cancel.cancel();
        assert!(progress.cancelled());
    }
}

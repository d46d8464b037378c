//! What an export is given: the options the user chose and the data it reads, plus the ticker that
//! reports its progress. Below every other part of `export`, which all read these.

use serde::{Deserialize, Serialize};

use crate::campaign::CampaignReport;
use crate::classify::Classification;
use crate::history::Migration;
use crate::model::{Customer, Lang};
use crate::playbook::Playbook;
use crate::progress::{Progress, Stage};
use crate::report::ImportReport;
use crate::tier_changes::TierChanges;

/// What to put in the export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ExportOptions {
    /// Language of sheet names, headers and wording.
    pub lang: Lang,
    /// Keep full phone numbers (default: masked 138****1234).
    pub keep_phones: bool,
    /// Write the 概览/Summary sheet (figures and charts).
    pub include_summary: bool,
    /// Write one sheet per tier.
    pub include_tier_sheets: bool,
    /// Write the 服务策略/Playbook sheet.
    pub include_playbook: bool,
    /// Write the 说明/Method sheet (method, parameters, import reports).
    pub include_method: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            lang: Lang::Zh,
            keep_phones: false,
            include_summary: true,
            include_tier_sheets: true,
            include_playbook: true,
            include_method: true,
        }
    }
}

/// Everything the export reads; nothing here is modified.
pub struct ExportInput<'a> {
    /// The classified customers, in the classification's order.
    pub customers: &'a [Customer],
    /// Their tiers, segments and reasons (same indexes as `customers`).
    pub classification: &'a Classification,
    /// The actions suggested per tier and segment.
    pub playbook: &'a Playbook,
    /// Import reports of the sources, for the method sheet.
    pub reports: &'a [ImportReport],
    /// Tier changes since the previous snapshot, when there is one.
    pub migration: Option<&'a Migration>,
    /// Each customer's previous tier and last tier change (上次分层 / 分层变化日期 columns), when
    /// the workspace has an earlier snapshot.
    pub tier_changes: Option<&'a TierChanges>,
    /// Campaign reports for the 活动效果 / Campaigns sheet (no sheet when empty).
    pub campaigns: &'a [CampaignReport],
}

/// Reports progress and checks for cancellation every `EVERY` rows, so the cost per row is one
/// counter increment.
pub(crate) struct Ticker<'p> {
    progress: &'p dyn Progress,
    done: u64,
    total: u64,
}

impl<'p> Ticker<'p> {
    const EVERY: u64 = 4096;

    pub(super) fn new(progress: &'p dyn Progress, total: u64) -> Self {
        progress.report(Stage::Exporting, 0, total);
        Ticker { progress, done: 0, total }
    }

    /// Counts one row; true when the user asked to stop.
    pub(crate) fn tick(&mut self) -> bool {
        self.done += 1;
        if self.done.is_multiple_of(Self::EVERY) {
            self.progress.report(Stage::Exporting, self.done, self.total);
            return self.progress.cancelled();
        }
        false
    }

    pub(super) fn finish(&self) {
        self.progress.report(Stage::Exporting, self.total, self.total);
    }
}

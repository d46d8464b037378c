//! What an export is given: the options the user chose and the data it reads, plus the ticker that
//! reports its progress. Below every other part of `export`, which all read these.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::campaign::CampaignReport;
use crate::classify::Classification;
use crate::cohort::CohortTable;
use crate::history::Migration;
use crate::model::{Customer, Lang};
use crate::playbook::Playbook;
use crate::products::ProductLookup;
use crate::progress::{Progress, Stage};
use crate::region::RegionLookup;
use crate::report::ImportReport;
use crate::rhythm::Rhythms;
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
    /// Only customers of this province (a normalised name, see `region`) in the tier sheets and
    /// CSV files; `None` for everyone. The summary, 地区 and 同期群 sheets always show the whole shop.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub region: Option<String>,
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
            region: None,
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
    /// Each customer's province and city, when the orders had addresses: the 地区/Regions sheet
    /// and the 省份/城市 columns of the tier sheets.
    pub regions: Option<&'a RegionLookup>,
    /// The cohort table for the 同期群/Cohorts sheet.
    pub cohorts: Option<&'a CohortTable>,
    /// Purchase rhythm per customer (same indexes as `customers`): adds the rhythm columns to the
    /// tier sheets and CSV, and the 本周该联系 sheet. `None` leaves both out.
    pub rhythm: Option<&'a Rhythms>,
    /// Each customer's previous tier and last tier change (上次分层 / 分层变化日期 columns), when
    /// the workspace has an earlier snapshot.
    pub tier_changes: Option<&'a TierChanges>,
    /// Campaign reports for the 活动效果 / Campaigns sheet (no sheet when empty).
    pub campaigns: &'a [CampaignReport],
    /// What each customer bought, when the orders named products: the 商品/Products sheet and the
    /// 常买商品 / 最近购买商品 columns of the tier sheets.
    pub products: Option<&'a ProductLookup>,
}

/// Reports progress and checks for cancellation every `EVERY` rows, so the cost per row is one
/// counter increment. Shared by the threads that write tier sheets at once: the count is one
/// atomic, and once any of them sees the cancel all of them stop at their next row.
pub(crate) struct Ticker<'p> {
    progress: &'p dyn Progress,
    done: AtomicU64,
    /// The largest count reported so far.
    reported: AtomicU64,
    stopped: AtomicBool,
    total: u64,
}

impl<'p> Ticker<'p> {
    const EVERY: u64 = 4096;

    pub(super) fn new(progress: &'p dyn Progress, total: u64) -> Self {
        progress.report(Stage::Exporting, 0, total);
        Ticker {
            progress,
            done: AtomicU64::new(0),
            reported: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            total,
        }
    }

    /// Counts one row; true when the user asked to stop.
    pub(crate) fn tick(&self) -> bool {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if done.is_multiple_of(Self::EVERY) {
            // Two sheets' threads may get here out of turn; the bar only ever moves forward.
            if self.reported.fetch_max(done, Ordering::Relaxed) < done {
                self.progress.report(Stage::Exporting, done, self.total);
            }
            return self.cancelled();
        }
        self.stopped.load(Ordering::Relaxed)
    }

    /// Whether the user asked to stop (asked every [`Self::EVERY`] rows by `tick`, and between the
    /// sheets that are not lists).
    pub(crate) fn cancelled(&self) -> bool {
        if self.progress.cancelled() {
            self.stopped.store(true, Ordering::Relaxed);
        }
        self.stopped.load(Ordering::Relaxed)
    }

    pub(super) fn finish(&self) {
        self.progress.report(Stage::Exporting, self.total, self.total);
    }
}

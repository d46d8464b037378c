//! What an import tells the user: why rows were skipped (`SkipReason`, `Skipped`), what to look at
//! (`Warning`), and the per-file `ImportReport`, with the skip reasons' wording in both languages.
//!
//! A leaf below `orders` (which counts the skips), `import` (which assembles the report), `store`
//! (which keeps it) and `export` (which prints it): none of them needs another to name a report.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::mapping::{KeySpec, Mapping};
use crate::model::{Lang, Text};
use crate::source::Format;

/// Why a row did not become (part of) an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// 已关闭/已取消/待付款 …
    Closed,
    /// Fully refunded.
    Refunded,
    /// No customer key on the row.
    NoCustomerKey,
    /// The amount cell could not be read as money.
    UnreadableAmount,
    /// The date cell could not be read as a date.
    UnreadableDate,
    /// 合计/总计/小计 rows.
    TotalsRow,
    /// The same order already seen (in this file or an earlier one).
    Duplicate,
    /// An empty row.
    Blank,
    /// The header row repeated inside the data (several exports pasted into one sheet).
    RepeatedHeader,
    /// A ¥0 order (gift, free sample), left out because `ImportOptions::skip_zero_amount` asks so.
    ZeroAmount,
    /// An amount beyond the per-order ceiling (`orders::MAX_ORDER_CENTS`, ¥1 亿): a broken cell,
    /// not an order.
    AmountTooLarge,
}

/// Count and examples for one skip reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Skipped {
    /// Why the rows were skipped.
    pub reason: SkipReason,
    /// How many rows.
    pub count: u64,
    /// Up to 5 example row numbers (1-based, as Excel shows them).
    pub example_rows: Vec<u32>,
}

/// Something the user should know (masked-phone key, item-level rows collapsed, …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Warning {
    /// Stable code, e.g. `masked_phone_key`.
    pub code: String,
    /// What to know, in both languages.
    pub text: Text,
    /// A key the user can switch to with one click (`masked_phone_key` offers masked phone +
    /// receiver name); pass it back as `ImportOptions::key`.
    #[serde(default)]
    pub suggestion: Option<KeySpec>,
}

impl Warning {
    /// A warning without a suggestion.
    pub fn new(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Warning {
        Warning { code: code.to_owned(), text: Text::new(zh, en), suggestion: None }
    }
}

/// What one import did, in numbers a shop owner can check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    /// The file's name.
    pub file: String,
    /// The format sniffed from its bytes.
    pub format: Format,
    /// The header and column roles used.
    pub mapping: Mapping,
    /// Data rows read (after the header).
    pub rows_read: u64,
    /// Orders kept (several item rows make one order).
    pub orders_kept: u64,
    /// Rows skipped, by reason.
    pub skipped: Vec<Skipped>,
    /// Date of the earliest kept order.
    pub first_date: Option<NaiveDate>,
    /// Date of the latest kept order.
    pub last_date: Option<NaiveDate>,
    /// What the user should know about this file.
    pub warnings: Vec<Warning>,
}

impl SkipReason {
    /// The reason in `lang`, for messages and the export's import sheet (one wording for both, so
    /// the report the user read and the workbook agree).
    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => match self {
                SkipReason::Closed => "已关闭/未付款",
                SkipReason::Refunded => "已全额退款",
                SkipReason::NoCustomerKey => "缺少客户标识",
                SkipReason::UnreadableAmount => "金额无法识别",
                SkipReason::UnreadableDate => "日期无法识别",
                SkipReason::TotalsRow => "合计行",
                SkipReason::Duplicate => "重复订单",
                SkipReason::Blank => "空行",
                SkipReason::RepeatedHeader => "重复的表头行",
                SkipReason::ZeroAmount => "金额为 0（按设置不计）",
                SkipReason::AmountTooLarge => "金额超过每单 ¥1 亿的上限",
            },
            Lang::En => match self {
                SkipReason::Closed => "closed, cancelled or unpaid",
                SkipReason::Refunded => "fully refunded",
                SkipReason::NoCustomerKey => "no customer key",
                SkipReason::UnreadableAmount => "unreadable amount",
                SkipReason::UnreadableDate => "unreadable date",
                SkipReason::TotalsRow => "totals row",
                SkipReason::Duplicate => "duplicate order",
                SkipReason::Blank => "blank row",
                SkipReason::RepeatedHeader => "repeated header row",
                SkipReason::ZeroAmount => "zero amount (left out as set)",
                SkipReason::AmountTooLarge => "amount above the ¥100,000,000 per-order ceiling",
            },
        }
    }
}

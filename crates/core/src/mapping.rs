//! Column roles: which column is the customer key, order id, date, amount, …; detected from header
//! synonyms (the table below), overridable by the user. Also finds the header row and the best sheet.

use serde::{Deserialize, Serialize};

/// What a column means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CustomerKey,
    OrderId,
    /// 子订单编号: identifies an item row, never the order.
    SubOrderId,
    Date,
    Amount,
    Refund,
    Status,
    AfterSales,
    Quantity,
    Name,
    Phone,
    /// 收货人 (receiver name), used in the combined key for masked phones.
    Receiver,
    /// Customer-level sheets: 消费次数.
    OrderCount,
    /// Customer-level sheets: 首次消费时间.
    FirstDate,
    /// 互动次数/咨询次数.
    Interactions,
}

/// One column of the detected header and the role it was given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Column {
    /// 0-based column index.
    pub index: u32,
    /// The trimmed header text.
    pub header: String,
    pub role: Option<Role>,
}

/// How the customer key is built.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "columns", rename_all = "snake_case")]
pub enum KeySpec {
    /// One column (by header).
    Column(String),
    /// Several columns joined, e.g. masked phone + receiver name.
    Combined(Vec<String>),
}

/// Whether a sheet lists orders or already-aggregated customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Orders,
    Customers,
}

/// The full mapping of one sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Mapping {
    pub sheet: String,
    /// 0-based index of the header row in the sheet.
    pub header_row: u32,
    pub columns: Vec<Column>,
    pub key: KeySpec,
    pub level: Level,
}

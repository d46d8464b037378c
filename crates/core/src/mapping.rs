//! Column roles: which column is the customer key, order id, date, amount, …; detected from header
//! synonyms (the table below), overridable by the user. Also finds the header row and the best sheet.
//!
//! Detection works on the header text only, plus a small sample of data rows for the masked-phone
//! check. It does not parse values for import (`cell`) nor decide which rows count (`orders`).
//!
//! To teach TierBook a new column name, add a line to [`SYNONYMS`] (exact names) or [`CONTAINS`]
//! (fragments for names we have not seen yet). Priorities decide between several columns of one role:
//! the paid amount beats the order amount, the order time beats the payment time, an id beats a name.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cell;
use crate::error::{Error, Result};
use crate::source::Cell;

/// What a column means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Who the customer is (buyer id, member id, phone, receiver …).
    CustomerKey,
    /// The order number.
    OrderId,
    /// 子订单编号: identifies an item row, never the order.
    SubOrderId,
    /// When the order was placed.
    Date,
    /// The amount paid.
    Amount,
    /// The amount refunded.
    Refund,
    /// The order status (已完成, 已关闭 …).
    Status,
    /// The after-sales / refund status.
    AfterSales,
    /// Number of items.
    Quantity,
    /// Customer name or nickname.
    Name,
    /// Phone number.
    Phone,
    /// 收货人 (receiver name), used in the combined key for masked phones.
    Receiver,
    /// Customer-level sheets: 消费次数.
    OrderCount,
    /// Customer-level sheets: 首次消费时间.
    FirstDate,
    /// Customer-level sheets without a last-purchase date: days since the last purchase (Kaggle's
    /// RFM tables `CustomerID, Recency, Frequency, Monetary`; 距上次消费天数). The last purchase is
    /// dated back from the file's own date; a date column, when there is one, wins.
    RecencyDays,
    /// 互动次数/咨询次数.
    Interactions,
    /// 支付时间/付款时间 when another column is the order date: an empty payment time marks an unpaid
    /// order, and it stands in for an empty order date.
    PaidAt,
    /// 单价 / Unit Price: used only when the sheet has no amount column (line amount = quantity ×
    /// unit price, as in public retail data sets such as UCI Online Retail).
    UnitPrice,
    /// 收货地址 / 收货人所在地: a full address the province (and city) are read from.
    Address,
    /// 省份 / 省: the province alone.
    Province,
    /// 城市 / 市: the city alone.
    City,
    /// 商品名称 / 商品标题 / 宝贝标题: what was bought (see `products`).
    Product,
    /// SKU / 商家编码 / 商品ID: the product's code, shown beside its name and matched by a cost table.
    Sku,
    /// 成本价 / 单位成本 / 进价: the cost of one piece (line cost = unit cost × quantity).
    UnitCost,
    /// 成本 / 商品成本 / 成本金额: the cost of the row's goods.
    Cost,
    /// 毛利 / 利润: the row's profit.
    Profit,
}

/// One column of the detected header and the role it was given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Column {
    /// 0-based column index.
    pub index: u32,
    /// The trimmed header text.
    pub header: String,
    /// What the column means; `None` when it plays no part.
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

impl KeySpec {
    /// The header names the key is built from.
    pub fn headers(&self) -> Vec<&str> {
        match self {
            KeySpec::Column(h) => vec![h.as_str()],
            KeySpec::Combined(hs) => hs.iter().map(String::as_str).collect(),
        }
    }
}

/// Whether a sheet lists orders or already-aggregated customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One row per order (or per item of an order).
    Orders,
    /// One row per customer with their totals (a customer list).
    Customers,
}

/// Several columns could play one role: which one was chosen and which were passed over, so the
/// user can see ("金额：实付金额；其他候选：订单金额、商家实收金额") and change it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Alternative {
    /// The role in question.
    pub role: Role,
    /// The header of the column chosen.
    pub chosen: String,
    /// Headers of the other candidates.
    pub others: Vec<String>,
}

/// The full mapping of one sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Mapping {
    /// The sheet read.
    pub sheet: String,
    /// 0-based index of the header row in the sheet.
    pub header_row: u32,
    /// Every column of the header row, with its role.
    pub columns: Vec<Column>,
    /// How the customer is identified.
    pub key: KeySpec,
    /// Orders or a customer list.
    pub level: Level,
    /// Roles (and the key, as `CustomerKey`) for which several columns were candidates.
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    /// The file has no header: its first row is already data, and the column names were inferred
    /// from the values ([`infer_header`]); `header_row` is then 0 and names no row.
    #[serde(default)]
    pub headerless: bool,
}

impl Mapping {
    /// The header row as people count rows (from 1), or `None` for a file without a header.
    pub fn header_line(&self) -> Option<u32> {
        (!self.headerless).then_some(self.header_row + 1)
    }

    /// The first data row as people count rows (from 1).
    pub fn first_data_line(&self) -> u32 {
        self.header_line().map_or(1, |h| h + 1)
    }

    /// The column that has `role`, if any.
    pub fn column(&self, role: Role) -> Option<&Column> {
        self.columns.iter().find(|c| c.role == Some(role))
    }

    /// Header texts joined for error messages.
    pub fn header_list(&self) -> String {
        self.columns.iter().filter(|c| !c.header.is_empty()).map(|c| c.header.as_str()).collect::<Vec<_>>().join("、")
    }
}

/// Known header names (after [`match_key`] normalization: no spaces, `*`, unit suffix; ASCII lower
/// case) with their role and priority (higher wins when several columns fit one role).
pub const SYNONYMS: &[(&str, Role, u8)] = &[
    // Customer ids first: an id never collides between two people.
    ("买家id", Role::CustomerKey, 100),
    ("买家编号", Role::CustomerKey, 100),
    ("openid", Role::CustomerKey, 100),
    ("用户openid", Role::CustomerKey, 100),
    ("买家openid", Role::CustomerKey, 100),
    ("unionid", Role::CustomerKey, 99),
    ("会员id", Role::CustomerKey, 100),
    ("会员编号", Role::CustomerKey, 100),
    ("会员卡号", Role::CustomerKey, 96),
    ("客户编号", Role::CustomerKey, 100),
    ("客户编码", Role::CustomerKey, 100),
    ("客户id", Role::CustomerKey, 100),
    ("客户代码", Role::CustomerKey, 98),
    ("用户id", Role::CustomerKey, 100),
    ("用户编号", Role::CustomerKey, 100),
    ("顾客id", Role::CustomerKey, 100),
    ("顾客编号", Role::CustomerKey, 100),
    ("粉丝id", Role::CustomerKey, 95),
    ("买家会员名", Role::CustomerKey, 92),
    ("会员名", Role::CustomerKey, 90),
    ("买家账号", Role::CustomerKey, 90),
    // 京东: the buyer's account.
    ("下单帐号", Role::CustomerKey, 92),
    ("下单账号", Role::CustomerKey, 92),
    ("买家用户名", Role::CustomerKey, 90),
    ("会员账号", Role::CustomerKey, 90),
    ("用户名", Role::CustomerKey, 86),
    ("买家旺旺", Role::CustomerKey, 90),
    ("旺旺号", Role::CustomerKey, 90),
    ("客户名称", Role::CustomerKey, 80),
    // Wholesalers' invoicing software (管家婆, 金蝶, 用友): the customer is the 往来单位, a company.
    ("往来单位", Role::CustomerKey, 82),
    ("往来单位名称", Role::CustomerKey, 82),
    ("购货单位", Role::CustomerKey, 82),
    ("客户全名", Role::CustomerKey, 82),
    ("客户名", Role::CustomerKey, 80),
    ("客户", Role::CustomerKey, 78),
    ("会员名称", Role::CustomerKey, 80),
    ("顾客", Role::CustomerKey, 75),
    ("购买人", Role::CustomerKey, 74),
    ("买家", Role::CustomerKey, 74),
    ("单位名称", Role::CustomerKey, 78),
    ("客户单位", Role::CustomerKey, 78),
    // A bare "ID" (Kaggle's customer tables: marketing_campaign.csv's first column) is the customer
    // only when nothing else can be: in an order file it is as often the row's or the order's number.
    // Below [`KEY_OF_LAST_RESORT`], so every phone, name and receiver beats it (see `key_score`).
    ("id", Role::CustomerKey, 30),
    // Names and nicknames: shown, and a key of last resort.
    ("买家昵称", Role::Name, 100),
    ("昵称", Role::Name, 95),
    ("用户昵称", Role::Name, 100),
    ("微信昵称", Role::Name, 100),
    ("粉丝昵称", Role::Name, 95),
    ("会员昵称", Role::Name, 100),
    ("姓名", Role::Name, 80),
    ("客户姓名", Role::Name, 85),
    ("买家姓名", Role::Name, 85),
    ("会员姓名", Role::Name, 85),
    ("联系人", Role::Name, 70),
    ("收货人", Role::Receiver, 100),
    ("收货人姓名", Role::Receiver, 100),
    ("收件人", Role::Receiver, 95),
    ("收件人姓名", Role::Receiver, 95),
    ("提货人", Role::Receiver, 90),
    ("收货人/提货人", Role::Receiver, 98),
    ("收件人名称", Role::Receiver, 95),
    ("收货人名称", Role::Receiver, 95),
    // Phones.
    ("手机号", Role::Phone, 100),
    ("手机", Role::Phone, 98),
    ("手机号码", Role::Phone, 100),
    ("联系电话", Role::Phone, 95),
    ("联系手机", Role::Phone, 97),
    ("电话", Role::Phone, 90),
    ("收货人手机", Role::Phone, 96),
    ("收货人手机号", Role::Phone, 96),
    ("收货人电话", Role::Phone, 94),
    ("收货人联系方式", Role::Phone, 93),
    ("收件人手机", Role::Phone, 96),
    ("收件人电话", Role::Phone, 94),
    ("买家手机号", Role::Phone, 102),
    ("买家手机", Role::Phone, 102),
    ("会员手机号", Role::Phone, 102),
    ("用户购买手机号", Role::Phone, 102),
    ("下单人手机号", Role::Phone, 101),
    ("收货人手机号/提货人手机号", Role::Phone, 96),
    ("收件人手机号", Role::Phone, 96),
    ("提货人手机号", Role::Phone, 92),
    ("联系方式", Role::Phone, 85),
    // Order ids.
    ("订单号", Role::OrderId, 100),
    ("订单编号", Role::OrderId, 100),
    ("主订单编号", Role::OrderId, 100),
    ("主订单号", Role::OrderId, 100),
    ("订单id", Role::OrderId, 100),
    ("父订单号", Role::OrderId, 98),
    ("父订单编号", Role::OrderId, 98),
    ("交易订单号", Role::OrderId, 96),
    ("交易号", Role::OrderId, 80),
    ("交易编号", Role::OrderId, 80),
    ("单据编号", Role::OrderId, 85),
    ("单号", Role::OrderId, 70),
    ("销售单号", Role::OrderId, 90),
    ("送货单号", Role::OrderId, 85),
    ("出库单号", Role::OrderId, 85),
    ("销货单号", Role::OrderId, 85),
    ("子订单编号", Role::SubOrderId, 100),
    ("子订单号", Role::SubOrderId, 100),
    ("子订单id", Role::SubOrderId, 100),
    ("子单号", Role::SubOrderId, 100),
    ("商品订单号", Role::SubOrderId, 90),
    ("商品订单编号", Role::SubOrderId, 90),
    // Dates: the order time beats the payment time.
    ("下单时间", Role::Date, 100),
    ("订单下单时间", Role::Date, 100),
    ("订单创建时间", Role::Date, 100),
    ("创建时间", Role::Date, 96),
    ("下单日期", Role::Date, 98),
    ("订单日期", Role::Date, 98),
    ("订单时间", Role::Date, 97),
    // 抖店.
    ("订单提交时间", Role::Date, 100),
    // Invoicing software: the document's date.
    ("单据日期", Role::Date, 95),
    ("开单日期", Role::Date, 95),
    ("业务日期", Role::Date, 92),
    ("提交时间", Role::Date, 90),
    ("成交时间", Role::Date, 92),
    ("订单成交时间", Role::Date, 92),
    ("拼单成功时间", Role::Date, 88),
    ("交易时间", Role::Date, 90),
    ("交易日期", Role::Date, 90),
    ("销售日期", Role::Date, 90),
    ("购买时间", Role::Date, 90),
    ("购买日期", Role::Date, 90),
    ("消费时间", Role::Date, 88),
    ("消费日期", Role::Date, 88),
    ("日期", Role::Date, 60),
    ("时间", Role::Date, 50),
    ("最近消费时间", Role::Date, 80),
    ("最后消费时间", Role::Date, 80),
    ("最近购买时间", Role::Date, 80),
    ("最后购买时间", Role::Date, 80),
    ("最近下单时间", Role::Date, 80),
    ("最后下单时间", Role::Date, 80),
    ("最近消费日期", Role::Date, 80),
    ("上次消费时间", Role::Date, 80),
    ("支付时间", Role::PaidAt, 100),
    ("付款时间", Role::PaidAt, 100),
    ("订单付款时间", Role::PaidAt, 100),
    ("订单支付时间", Role::PaidAt, 100),
    ("买家付款时间", Role::PaidAt, 100),
    ("支付日期", Role::PaidAt, 95),
    ("付款日期", Role::PaidAt, 95),
    ("支付完成时间", Role::PaidAt, 100),
    ("付款确认时间", Role::PaidAt, 98),
    ("首次消费时间", Role::FirstDate, 100),
    ("首次购买时间", Role::FirstDate, 100),
    ("首次下单时间", Role::FirstDate, 100),
    ("首单时间", Role::FirstDate, 95),
    ("首次消费日期", Role::FirstDate, 100),
    // Amounts: what the buyer actually paid beats list totals.
    ("实付金额", Role::Amount, 100),
    ("买家实付金额", Role::Amount, 100),
    ("买家实际支付金额", Role::Amount, 100),
    ("用户实付金额", Role::Amount, 100),
    ("订单实付金额", Role::Amount, 100),
    ("实际支付金额", Role::Amount, 100),
    ("实付款", Role::Amount, 99),
    ("实付", Role::Amount, 98),
    ("商家实收金额", Role::Amount, 92),
    ("实收金额", Role::Amount, 92),
    ("实收款", Role::Amount, 91),
    ("支付金额", Role::Amount, 90),
    ("付款金额", Role::Amount, 90),
    ("订单支付金额", Role::Amount, 90),
    ("成交金额", Role::Amount, 75),
    ("交易金额", Role::Amount, 72),
    ("订单金额", Role::Amount, 70),
    ("订单总金额", Role::Amount, 68),
    ("订单总额", Role::Amount, 68),
    // 京东/抖店: what the buyer owes after discounts, above the list-price 订单金额.
    ("应付金额", Role::Amount, 72),
    ("订单应付金额", Role::Amount, 88),
    ("总金额", Role::Amount, 60),
    ("商品总价", Role::Amount, 55),
    ("商品金额", Role::Amount, 55),
    ("买家应付货款", Role::Amount, 50),
    ("销售额", Role::Amount, 70),
    ("应收金额", Role::Amount, 65),
    ("合计金额", Role::Amount, 60),
    ("价税合计", Role::Amount, 62),
    ("货款", Role::Amount, 58),
    ("销售金额", Role::Amount, 70),
    ("消费金额", Role::Amount, 80),
    ("累计消费金额", Role::Amount, 85),
    ("累计消费", Role::Amount, 84),
    ("累计实付金额", Role::Amount, 86),
    ("累计支付金额", Role::Amount, 86),
    ("消费总额", Role::Amount, 84),
    ("总消费金额", Role::Amount, 85),
    ("累计金额", Role::Amount, 80),
    // Shorter words for the same money (supermarket and till exports, wholesalers' invoices).
    ("交易额", Role::Amount, 72),
    ("成交额", Role::Amount, 74),
    ("消费额", Role::Amount, 78),
    ("结算金额", Role::Amount, 74),
    ("含税金额", Role::Amount, 61),
    ("订单总价", Role::Amount, 66),
    ("总价", Role::Amount, 54),
    ("金额", Role::Amount, 40),
    ("小计", Role::Amount, 35),
    ("退款金额", Role::Refund, 90),
    ("成功退款金额", Role::Refund, 100),
    ("已退款金额", Role::Refund, 98),
    ("退款总金额", Role::Refund, 95),
    ("实际退款金额", Role::Refund, 99),
    ("退款", Role::Refund, 70),
    // Statuses.
    ("订单状态", Role::Status, 100),
    ("交易状态", Role::Status, 100),
    ("状态", Role::Status, 60),
    ("售后状态", Role::AfterSales, 100),
    ("退款状态", Role::AfterSales, 95),
    ("订单退款状态", Role::AfterSales, 95),
    ("售后", Role::AfterSales, 80),
    // Quantities.
    ("商品数量", Role::Quantity, 100),
    ("购买数量", Role::Quantity, 100),
    ("数量", Role::Quantity, 95),
    ("宝贝数量", Role::Quantity, 100),
    ("宝贝总数量", Role::Quantity, 100),
    ("件数", Role::Quantity, 95),
    ("商品件数", Role::Quantity, 98),
    ("总件数", Role::Quantity, 95),
    // Customer-level sheets.
    ("消费次数", Role::OrderCount, 100),
    ("累计消费次数", Role::OrderCount, 100),
    ("购买次数", Role::OrderCount, 100),
    ("累计购买次数", Role::OrderCount, 100),
    ("下单次数", Role::OrderCount, 98),
    ("订单数", Role::OrderCount, 96),
    ("累计订单数", Role::OrderCount, 98),
    ("交易次数", Role::OrderCount, 96),
    ("成交订单数", Role::OrderCount, 96),
    ("互动次数", Role::Interactions, 100),
    ("咨询次数", Role::Interactions, 100),
    ("互动数", Role::Interactions, 95),
    // English headers (public data sets, cross-border and ERP exports). Matched after `match_key`:
    // lower case, no spaces, `_` or `-`, so "Customer ID", "customer_id" and "CustomerID" are one name.
    ("customerid", Role::CustomerKey, 100),
    ("customerno", Role::CustomerKey, 100),
    ("customernumber", Role::CustomerKey, 100),
    ("customercode", Role::CustomerKey, 100),
    ("custid", Role::CustomerKey, 98),
    ("clientid", Role::CustomerKey, 100),
    ("buyerid", Role::CustomerKey, 100),
    ("userid", Role::CustomerKey, 100),
    ("memberid", Role::CustomerKey, 100),
    ("accountid", Role::CustomerKey, 95),
    ("customeruniqueid", Role::CustomerKey, 101),
    // WooCommerce's "Customer User ID" is 0 for every guest checkout: the billing email tells them apart.
    ("customeruserid", Role::CustomerKey, 70),
    ("customer", Role::CustomerKey, 78),
    ("client", Role::CustomerKey, 76),
    ("buyer", Role::CustomerKey, 74),
    ("email", Role::CustomerKey, 85),
    ("customeremail", Role::CustomerKey, 88),
    ("emailaddress", Role::CustomerKey, 85),
    ("customername", Role::Name, 90),
    ("clientname", Role::Name, 88),
    ("buyername", Role::Name, 88),
    ("billingname", Role::Name, 80),
    ("fullname", Role::Name, 80),
    ("name", Role::Name, 60),
    ("nickname", Role::Name, 90),
    ("phone", Role::Phone, 95),
    ("phonenumber", Role::Phone, 95),
    ("mobile", Role::Phone, 95),
    ("mobilephone", Role::Phone, 95),
    ("telephone", Role::Phone, 90),
    ("tel", Role::Phone, 88),
    ("orderid", Role::OrderId, 100),
    ("orderno", Role::OrderId, 100),
    ("ordernumber", Role::OrderId, 100),
    ("ordercode", Role::OrderId, 98),
    ("order", Role::OrderId, 80),
    ("invoiceno", Role::OrderId, 98),
    ("invoice", Role::OrderId, 96),
    ("invoiceid", Role::OrderId, 98),
    ("invoicenumber", Role::OrderId, 98),
    ("transactionid", Role::OrderId, 95),
    ("transactionno", Role::OrderId, 95),
    ("receiptno", Role::OrderId, 90),
    ("billno", Role::OrderId, 90),
    ("orderitemid", Role::SubOrderId, 100),
    ("lineitemid", Role::SubOrderId, 100),
    ("orderdate", Role::Date, 100),
    ("orderdatetime", Role::Date, 100),
    ("orderdt", Role::Date, 95),
    ("ordertime", Role::Date, 98),
    ("invoicedate", Role::Date, 98),
    ("purchasedate", Role::Date, 98),
    ("orderpurchasetimestamp", Role::Date, 100),
    ("transactiondate", Role::Date, 96),
    ("saledate", Role::Date, 95),
    ("salesdate", Role::Date, 95),
    ("createdat", Role::Date, 94),
    ("createdate", Role::Date, 94),
    ("date", Role::Date, 60),
    ("datetime", Role::Date, 58),
    ("lastorderdate", Role::Date, 80),
    ("lastpurchasedate", Role::Date, 80),
    ("firstorderdate", Role::FirstDate, 100),
    ("firstpurchasedate", Role::FirstDate, 100),
    ("paidat", Role::PaidAt, 100),
    ("paymentdate", Role::PaidAt, 95),
    ("paymenttime", Role::PaidAt, 95),
    ("amountpaid", Role::Amount, 100),
    ("paidamount", Role::Amount, 100),
    ("netamount", Role::Amount, 92),
    ("netsales", Role::Amount, 92),
    ("ordertotal", Role::Amount, 90),
    // WooCommerce: the order's total is what was paid; its subtotal is before shipping and discounts.
    ("ordertotalamount", Role::Amount, 90),
    ("ordersubtotalamount", Role::Amount, 55),
    ("subtotal", Role::Amount, 55),
    ("ordervalue", Role::Amount, 88),
    ("orderamount", Role::Amount, 88),
    ("totalamount", Role::Amount, 85),
    ("grandtotal", Role::Amount, 85),
    ("total", Role::Amount, 70),
    ("totalprice", Role::Amount, 75),
    ("totalsales", Role::Amount, 75),
    ("lineitemtotal", Role::Amount, 75),
    ("linetotal", Role::Amount, 75),
    ("sales", Role::Amount, 70),
    ("salesamount", Role::Amount, 72),
    ("revenue", Role::Amount, 70),
    ("paymentvalue", Role::Amount, 80),
    ("amount", Role::Amount, 65),
    ("totalspent", Role::Amount, 85),
    ("totalspend", Role::Amount, 85),
    ("lifetimevalue", Role::Amount, 80),
    ("monetary", Role::Amount, 80),
    ("unitprice", Role::UnitPrice, 100),
    ("price", Role::UnitPrice, 90),
    // Amazon's order reports ("item-price: the amount the buyer paid for the item, aggregate of the
    // quantity, not unit price") and the public Chipotle data set: a line's total, not a unit price.
    // Below every total and amount, so that a file with one of those keeps it.
    ("itemprice", Role::Amount, 60),
    ("lineitemprice", Role::UnitPrice, 95),
    ("saleprice", Role::UnitPrice, 90),
    ("refundamount", Role::Refund, 95),
    ("refundedamount", Role::Refund, 95),
    ("refund", Role::Refund, 80),
    ("orderstatus", Role::Status, 100),
    ("status", Role::Status, 80),
    ("financialstatus", Role::Status, 95),
    ("paymentstatus", Role::Status, 90),
    ("refundstatus", Role::AfterSales, 95),
    ("returnstatus", Role::AfterSales, 90),
    ("quantity", Role::Quantity, 100),
    ("qty", Role::Quantity, 100),
    ("units", Role::Quantity, 90),
    ("lineitemquantity", Role::Quantity, 100),
    ("orderproducts", Role::Quantity, 90),
    ("orders", Role::OrderCount, 90),
    ("ordercount", Role::OrderCount, 100),
    ("orderscount", Role::OrderCount, 100),
    ("numberoforders", Role::OrderCount, 100),
    ("totalorders", Role::OrderCount, 98),
    ("purchasecount", Role::OrderCount, 95),
    ("frequency", Role::OrderCount, 85),
    ("recency", Role::RecencyDays, 90),
    ("recencydays", Role::RecencyDays, 95),
    ("recencyindays", Role::RecencyDays, 95),
    ("dayssincelastpurchase", Role::RecencyDays, 98),
    ("dayssincelastorder", Role::RecencyDays, 98),
    ("最近消费距今天数", Role::RecencyDays, 100),
    ("最近购买距今天数", Role::RecencyDays, 100),
    ("最近一次消费距今天数", Role::RecencyDays, 100),
    ("距上次消费天数", Role::RecencyDays, 100),
    ("距上次购买天数", Role::RecencyDays, 100),
    ("距今天数", Role::RecencyDays, 90),
    ("未消费天数", Role::RecencyDays, 95),
    ("未购天数", Role::RecencyDays, 92),
    ("未购买天数", Role::RecencyDays, 92),
    // Unit prices (Chinese): used only when there is no amount column (see `Role::UnitPrice`).
    ("单价", Role::UnitPrice, 100),
    ("商品单价", Role::UnitPrice, 100),
    // 淘宝's item report (宝贝报表): the price of one piece; 买家实际支付金额 stays the amount.
    ("宝贝单价", Role::UnitPrice, 100),
    ("销售单价", Role::UnitPrice, 100),
    ("成交单价", Role::UnitPrice, 100),
    ("售价", Role::UnitPrice, 90),
    ("商品价格", Role::UnitPrice, 90),
    ("价格", Role::UnitPrice, 85),
    // Regions (see `region`): a province column beats the address, the address beats a city column.
    ("收货地址", Role::Address, 100),
    ("收件地址", Role::Address, 98),
    ("收货人地址", Role::Address, 98),
    ("收件人地址", Role::Address, 97),
    ("收货人所在地", Role::Address, 96),
    ("所在地", Role::Address, 80),
    ("详细地址", Role::Address, 90),
    ("地址", Role::Address, 85),
    ("shippingaddress", Role::Address, 95),
    ("address", Role::Address, 85),
    ("省份", Role::Province, 100),
    ("收货省份", Role::Province, 100),
    ("省", Role::Province, 95),
    ("所在省份", Role::Province, 98),
    ("province", Role::Province, 95),
    // The Chinese edition of Tableau's Superstore (省/自治区), and statistics-style headers.
    ("省/自治区", Role::Province, 97),
    ("省/直辖市", Role::Province, 97),
    ("省/市/自治区", Role::Province, 97),
    ("省/直辖市/自治区", Role::Province, 97),
    ("省份/直辖市", Role::Province, 97),
    ("所属省份", Role::Province, 98),
    ("城市", Role::City, 100),
    ("收货城市", Role::City, 100),
    ("市", Role::City, 95),
    ("所在城市", Role::City, 98),
    ("city", Role::City, 90),
    // Shopify's: where the goods went says more about the customer than where the bill did.
    ("shippingcity", Role::City, 92),
    ("billingcity", Role::City, 88),
    // Products (see `products`): the name, its code, and its cost or profit (profit-based ABC).
    ("商品名称", Role::Product, 100),
    ("商品标题", Role::Product, 98),
    // 抖店's item column; then invoicing software's (管家婆 商品全名, 金蝶 物料名称, 用友 存货名称).
    ("选购商品", Role::Product, 98),
    ("商品全名", Role::Product, 97),
    ("物料名称", Role::Product, 95),
    ("存货名称", Role::Product, 95),
    ("商品名", Role::Product, 96),
    ("产品名称", Role::Product, 97),
    ("货品", Role::Product, 82),
    ("产品", Role::Product, 80),
    ("宝贝标题", Role::Product, 100),
    ("宝贝名称", Role::Product, 99),
    ("商品", Role::Product, 80),
    ("品名", Role::Product, 85),
    ("货品名称", Role::Product, 95),
    ("productname", Role::Product, 95),
    ("product", Role::Product, 85),
    ("description", Role::Product, 70),
    ("itemname", Role::Product, 90),
    // Shopify's order export: one row per line item.
    ("lineitemname", Role::Product, 96),
    ("sku", Role::Sku, 100),
    ("lineitemsku", Role::Sku, 100),
    ("商家编码", Role::Sku, 98),
    ("商品编码", Role::Sku, 96),
    ("商品编号", Role::Sku, 95),
    ("物料编码", Role::Sku, 95),
    ("存货编码", Role::Sku, 95),
    ("商品id", Role::Sku, 94),
    ("sku编码", Role::Sku, 99),
    ("货号", Role::Sku, 90),
    ("stockcode", Role::Sku, 95),
    ("成本价", Role::UnitCost, 100),
    ("单位成本", Role::UnitCost, 100),
    ("进价", Role::UnitCost, 95),
    ("采购价", Role::UnitCost, 92),
    ("unitcost", Role::UnitCost, 100),
    ("成本", Role::Cost, 100),
    ("商品成本", Role::Cost, 100),
    ("成本金额", Role::Cost, 98),
    ("总成本", Role::Cost, 97),
    ("cost", Role::Cost, 90),
    ("毛利", Role::Profit, 100),
    ("利润", Role::Profit, 98),
    ("毛利润", Role::Profit, 100),
    ("毛利额", Role::Profit, 99),
    ("profit", Role::Profit, 90),
    ("grossprofit", Role::Profit, 95),
];

/// Fragments for header names not in [`SYNONYMS`] (checked in order, first match wins; only for
/// short headers so that a title row like "订单导出 2025-01-01 至 2025-03-31" never matches).
const CONTAINS: &[(&str, Role, u8)] = &[
    ("子订单", Role::SubOrderId, 90),
    ("售后状态", Role::AfterSales, 90),
    ("退款状态", Role::AfterSales, 88),
    ("退款金额", Role::Refund, 85),
    ("openid", Role::CustomerKey, 95),
    ("unionid", Role::CustomerKey, 94),
    ("买家id", Role::CustomerKey, 95),
    ("会员id", Role::CustomerKey, 95),
    ("客户编号", Role::CustomerKey, 95),
    ("实付", Role::Amount, 96),
    ("实际支付", Role::Amount, 96),
    ("实收", Role::Amount, 88),
    ("累计消费金额", Role::Amount, 84),
    ("消费次数", Role::OrderCount, 95),
    ("购买次数", Role::OrderCount, 95),
    ("支付金额", Role::Amount, 86),
    ("付款金额", Role::Amount, 86),
    ("订单金额", Role::Amount, 66),
    ("成交金额", Role::Amount, 70),
    ("下单时间", Role::Date, 95),
    ("创建时间", Role::Date, 92),
    ("成交时间", Role::Date, 88),
    ("最近消费", Role::Date, 78),
    ("付款时间", Role::PaidAt, 95),
    ("支付时间", Role::PaidAt, 95),
    ("首次消费", Role::FirstDate, 95),
    ("距今天数", Role::RecencyDays, 88),
    ("距上次", Role::RecencyDays, 86),
    ("订单状态", Role::Status, 95),
    ("交易状态", Role::Status, 95),
    ("手机", Role::Phone, 80),
    ("电话", Role::Phone, 78),
    ("昵称", Role::Name, 80),
    ("订单编号", Role::OrderId, 95),
    ("订单号", Role::OrderId, 95),
    ("数量", Role::Quantity, 80),
    // English fragments ("trans_date", "tran_amount", "Cust ID No"), after the Chinese ones.
    ("customerid", Role::CustomerKey, 95),
    ("custid", Role::CustomerKey, 94),
    ("clientid", Role::CustomerKey, 94),
    ("memberid", Role::CustomerKey, 94),
    ("buyerid", Role::CustomerKey, 94),
    ("userid", Role::CustomerKey, 90),
    ("email", Role::CustomerKey, 80),
    ("orderid", Role::OrderId, 95),
    ("orderno", Role::OrderId, 95),
    ("ordernumber", Role::OrderId, 95),
    ("invoiceno", Role::OrderId, 92),
    ("invoiceid", Role::OrderId, 92),
    ("phone", Role::Phone, 75),
    ("mobile", Role::Phone, 75),
    ("name", Role::Name, 60),
    ("customer", Role::CustomerKey, 70),
    ("client", Role::CustomerKey, 68),
    ("quantity", Role::Quantity, 80),
    ("qty", Role::Quantity, 80),
    ("unitprice", Role::UnitPrice, 90),
    ("price", Role::UnitPrice, 80),
    ("refundamount", Role::Refund, 75),
    ("refundamt", Role::Refund, 75),
    ("amount", Role::Amount, 60),
    ("amt", Role::Amount, 55),
    ("value", Role::Amount, 50),
    ("revenue", Role::Amount, 60),
    ("status", Role::Status, 70),
    ("dayssince", Role::RecencyDays, 85),
    ("recency", Role::RecencyDays, 80),
    ("date", Role::Date, 55),
    ("timestamp", Role::Date, 50),
];

/// Header fragments that never make an amount (or any role through [`CONTAINS`]): postage,
/// discounts, unit prices, fees, points, logistics numbers, times that are not the order's.
const NEVER: &[&str] = &[
    "运费",
    "邮费",
    "优惠",
    "折扣",
    "单价",
    "佣金",
    "服务费",
    "手续费",
    "积分",
    "抵扣",
    "立减",
    "红包",
    "补贴",
    "税",
    "快递",
    "物流",
    "运单",
    "发货",
    "收货时间",
    "签收",
    "关闭",
    "退款时间",
    "申请",
    "备注",
    "地址",
    "规格",
    "编码",
    "条码",
    // The people who sold, not who bought: 抖店's 达人昵称 (the livestreamer), a 团长 (group-buy
    // leader), 主播, 推广者, 分销商, 导购, 客服. Their 昵称 or 手机 is never the customer's.
    "达人",
    "主播",
    "团长",
    "推广",
    "分销",
    "导购",
    "客服",
    // English: shipping, taxes, discounts, fees, costs, addresses and product codes.
    "ship",
    "freight",
    "tax",
    "discount",
    "coupon",
    "fee",
    "postage",
    "delivery",
    "cost",
    "profit",
    "margin",
    "postal",
    "zip",
    "sku",
    "stockcode",
    "address",
    "note",
    "birth",
    // Kaggle's marketing_campaign.csv: Marital_Status is no order status.
    "marital",
    "seller",
    "salesperson",
    "cashier",
    "staff",
];

/// Normalizes a header for matching: full-width folded, whitespace/newlines/zero-width and `*`
/// markers removed, ASCII lower-cased, a trailing unit such as `(元)` or `（件）` dropped.
pub fn match_key(header: &str) -> String {
    let folded = cell::normalize_key(header);
    let mut s: String = folded
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '\u{200B}' | '\u{FEFF}' | ':' | '：' | '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    for unit in [
        "(分)",
        "(元)",
        "(¥)",
        "(￥)",
        "(rmb)",
        "(人民币)",
        "(件)",
        "(个)",
        "(次)",
        "(单)",
        "[元]",
        "元",
        "(usd)",
        "($)",
        "(£)",
        "(eur)",
        "(cny)",
    ] {
        if s.len() > unit.len() && s.ends_with(unit) {
            s.truncate(s.len() - unit.len());
            break;
        }
    }
    s
}

/// The trimmed header text shown to users: outer whitespace, `*` required-markers and line breaks removed.
pub fn display_header(cell: &Cell) -> String {
    let raw = cell::text(cell).map(|t| t.into_owned()).unwrap_or_default();
    let t = cell::trim(&raw).trim_start_matches('*').trim_end_matches('*');
    let joined: String = t.split(['\n', '\r']).map(cell::trim).collect::<Vec<_>>().join("");
    cell::trim(&joined).to_owned()
}

/// The role and priority a header name suggests, if any.
pub fn match_header(header: &str) -> Option<(Role, u8)> {
    let key = match_key(header);
    if key.is_empty() {
        return None;
    }
    if let Some((_, role, prio)) = SYNONYMS.iter().find(|(name, _, _)| *name == key) {
        return Some((*role, *prio));
    }
    // Only short headers: a title row ("订单导出 2025-01-01 至 2025-03-31") is longer. English
    // words are longer than Chinese ones for the same meaning.
    let limit = if key.is_ascii() { 28 } else { 16 };
    if key.chars().count() > limit || NEVER.iter().any(|n| key.contains(n)) {
        return None;
    }
    CONTAINS.iter().find(|(frag, _, _)| key.contains(frag)).map(|(_, role, prio)| (*role, *prio))
}

/// How much a row looks like a header: distinct roles matched ×10 + matched cells. Rows matching
/// fewer than two cells, or none of the central roles (amount, key, order id, date), score 0.
pub fn header_score(row: &[Cell]) -> u32 {
    let mut roles: Vec<Role> = Vec::new();
    let mut cells = 0u32;
    for c in row {
        let Cell::Text(s) = c else { continue };
        if s.len() > 64 {
            continue;
        }
        if let Some((role, _)) = match_header(s) {
            cells += 1;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
    }
    let central = roles
        .iter()
        .any(|r| matches!(r, Role::Amount | Role::CustomerKey | Role::OrderId | Role::Date | Role::Phone | Role::Name));
    if cells < 2 || !central {
        return 0;
    }
    roles.len() as u32 * 10 + cells
}

/// How many rows from the top are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// The index (within `rows`) of the best header among the first [`HEADER_SEARCH_ROWS`] rows, and
/// its score; the earliest row wins a tie. `None` when no row looks like a header.
pub fn detect_header(rows: &[Vec<Cell>]) -> Option<(usize, u32)> {
    let mut best: Option<(usize, u32)> = None;
    for (i, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let score = header_score(row);
        if score > 0 && best.is_none_or(|(_, b)| score > b) {
            best = Some((i, score));
        }
    }
    best
}

/// True for a masked phone such as `138****1234` or `+86 138****1234`.
pub fn is_masked_phone(text: &str) -> bool {
    let t = cell::trim(text);
    let stars = t.chars().filter(|c| *c == '*' || *c == '＊').count();
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    stars >= 3 && digits >= 4 && t.chars().all(|c| c.is_ascii_digit() || matches!(c, '*' | '＊' | '+' | ' ' | '-'))
}

/// Customer-key synonyms below this priority (a bare "ID") rank under every other kind of key.
const KEY_OF_LAST_RESORT: u8 = 50;

/// True for a header that is a customer key only when nothing else can be (a bare "ID").
pub fn is_key_of_last_resort(header: &str) -> bool {
    match_header(header).is_some_and(|(role, prio)| role == Role::CustomerKey && prio < KEY_OF_LAST_RESORT)
}

/// How suitable a column is as the customer key (higher is better), or `None` when it is not.
fn key_score(role: Role, prio: u8) -> Option<u32> {
    let base = match role {
        Role::CustomerKey if prio < KEY_OF_LAST_RESORT => 0,
        Role::CustomerKey => 300,
        Role::Phone => 200,
        Role::Name => 150,
        Role::Receiver => 100,
        _ => return None,
    };
    Some(base + u32::from(prio))
}

/// Detects the mapping of a sheet from its header row. `sample` (data rows after the header) is used
/// only to check whether the key looks like masked phones; pass an empty slice when unknown.
pub fn detect(sheet: &str, header_row: u32, header: &[Cell], sample: &[Vec<Cell>]) -> Mapping {
    let _ = sample;
    let headers: Vec<String> = header.iter().map(display_header).collect();
    let mut matches: Vec<Option<(Role, u8)>> = headers.iter().map(|h| match_header(h)).collect();
    shopify_order_name(&headers, &mut matches);
    let mut columns: Vec<Column> =
        headers.iter().enumerate().map(|(i, h)| Column { index: i as u32, header: h.clone(), role: None }).collect();
    let mut alternatives = Vec::new();
    // Each role goes to its best column; the others are listed as alternatives.
    let mut roles: Vec<Role> = matches.iter().flatten().map(|(r, _)| *r).collect();
    roles.sort();
    roles.dedup();
    for role in roles {
        let mut cands: Vec<(usize, u8)> = matches
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.filter(|(r, _)| *r == role).map(|(_, p)| (i, p)))
            .collect();
        cands.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let Some(&(best, _)) = cands.first() else {
            continue;
        };
        if let Some(c) = columns.get_mut(best) {
            c.role = Some(role);
        }
        if cands.len() > 1 && role != Role::CustomerKey {
            alternatives.push(Alternative {
                role,
                chosen: headers[best].clone(),
                others: cands[1..].iter().map(|(i, _)| headers[*i].clone()).collect(),
            });
        }
    }
    // No order date but a payment time: the payment time is the date.
    if columns.iter().all(|c| c.role != Some(Role::Date)) {
        if let Some(c) = columns.iter_mut().find(|c| c.role == Some(Role::PaidAt)) {
            c.role = Some(Role::Date);
        }
    }
    // Days since the last purchase stand in for a date only where there is none.
    if columns.iter().any(|c| c.role == Some(Role::Date)) {
        for c in columns.iter_mut().filter(|c| c.role == Some(Role::RecencyDays)) {
            c.role = None;
        }
    }
    // The key: best id, else phone, else nickname/name, else receiver.
    let mut key_cands: Vec<(usize, u32)> =
        matches.iter().enumerate().filter_map(|(i, m)| m.and_then(|(r, p)| key_score(r, p)).map(|s| (i, s))).collect();
    key_cands.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let key = match key_cands.first() {
        Some(&(i, _)) => KeySpec::Column(headers[i].clone()),
        None => KeySpec::Column(String::new()),
    };
    if key_cands.len() > 1 {
        alternatives.push(Alternative {
            role: Role::CustomerKey,
            chosen: headers[key_cands[0].0].clone(),
            others: key_cands[1..].iter().map(|(i, _)| headers[*i].clone()).collect(),
        });
    }
    // Only the key's column is the key: a bare "ID" that won the role among customer synonyms
    // gives it up when a phone or a name is the key.
    let key_column = key_cands.first().map(|&(i, _)| i);
    for (i, c) in columns.iter_mut().enumerate() {
        if c.role == Some(Role::CustomerKey) && key_column != Some(i) {
            c.role = None;
        }
    }
    // A second customer column beside the key is the customer's name when it is named as one —
    // 客户名称 beside 客户 ID (the Chinese Superstore), 会员名称 beside 会员卡号 — and shown in the lists.
    if columns.iter().all(|c| c.role != Some(Role::Name)) {
        let name = key_cands.iter().skip(1).map(|&(i, _)| i).find(|&i| {
            matches[i].is_some_and(|(r, _)| r == Role::CustomerKey) && columns[i].role.is_none() && {
                let k = match_key(&headers[i]);
                k.contains('名') || k.contains("name")
            }
        });
        if let Some(i) = name {
            columns[i].role = Some(Role::Name);
        }
    }
    let level = detect_level(&columns);
    Mapping { sheet: sheet.to_owned(), header_row, columns, key, level, alternatives, headerless: false }
}

/// The names [`infer_header`] gives the columns it recognises; [`match_header`] reads them back as
/// their roles.
pub const INFERRED_KEY: &str = "客户ID";
/// See [`INFERRED_KEY`].
pub const INFERRED_DATE: &str = "日期";
/// See [`INFERRED_KEY`].
pub const INFERRED_QUANTITY: &str = "数量";
/// See [`INFERRED_KEY`].
pub const INFERRED_AMOUNT: &str = "金额";

/// Column names for a sheet without a header, whose first row is already data (CDNOW's
/// `00001 19970101 1 11.77`, a till's bare transaction log), inferred from the values of `rows`:
/// a column of dates is the date, the rightmost other column of numbers the amount, the leftmost
/// other column the customer, and a column of whole numbers between them the quantity. The rest
/// are `列N`. `None` unless the rows agree on a customer, a date and an amount: a sheet of anything
/// else keeps its "no header" error.
pub fn infer_header(rows: &[Vec<Cell>]) -> Option<Vec<Cell>> {
    let rows: Vec<&Vec<Cell>> = rows.iter().filter(|r| r.iter().any(|c| !cell::is_empty(c))).collect();
    if rows.len() < 2 {
        return None;
    }
    let width = rows.iter().map(|r| r.iter().rposition(|c| !cell::is_empty(c)).map_or(0, |i| i + 1)).max()?;
    if !(3..=40).contains(&width) {
        return None;
    }
    // A column qualifies when every non-empty value fits and at most a tenth of the rows leave it empty.
    let fits = |col: usize, test: &dyn Fn(&Cell) -> bool| {
        let values: Vec<&Cell> =
            rows.iter().map(|r| r.get(col).unwrap_or(&Cell::Empty)).filter(|c| !cell::is_empty(c)).collect();
        values.len() * 10 >= rows.len() * 9 && values.iter().all(|c| test(c))
    };
    let number = |c: &Cell| !matches!(c, Cell::DateTime(_)) && cell::parse_number(c).is_some();
    let money = |c: &Cell| number(c) && cell::parse_amount(c).is_some();
    let whole = |c: &Cell| cell::parse_number(c).is_some_and(|x| x.fract() == 0.0 && (0.0..=100_000.0).contains(&x));
    let date = (0..width).find(|&i| fits(i, &looks_like_date))?;
    // Money has cents somewhere; a column of whole numbers (an id, a count) is the amount only
    // when no column has cents.
    let cents = |i: usize| rows.iter().any(|r| r.get(i).and_then(cell::parse_number).is_some_and(|x| x.fract() != 0.0));
    let amounts: Vec<usize> = (0..width).rev().filter(|&i| i != date && fits(i, &money)).collect();
    let amount = amounts.iter().copied().find(|&i| cents(i)).or(amounts.first().copied())?;
    let key = (0..width).find(|&i| i != date && i != amount && fits(i, &|c: &Cell| !looks_like_date(c)))?;
    let quantity =
        (key.min(amount) + 1..amount.max(key)).find(|&i| i != date && fits(i, &|c: &Cell| number(c) && whole(c)));
    Some(
        (0..width)
            .map(|i| {
                let name = match i {
                    i if i == key => INFERRED_KEY.to_owned(),
                    i if i == date => INFERRED_DATE.to_owned(),
                    i if i == amount => INFERRED_AMOUNT.to_owned(),
                    i if Some(i) == quantity => INFERRED_QUANTITY.to_owned(),
                    i => format!("列{}", i + 1),
                };
                Cell::Text(name)
            })
            .collect(),
    )
}

/// A value a headerless sheet's date column may hold: a date cell, `20250305` (as a number or
/// text), or text with a date's separators that reads as one. Plain numbers are not (11.77 would
/// read as an Excel serial in 1900).
fn looks_like_date(c: &Cell) -> bool {
    let compact = |x: f64| x.fract() == 0.0 && (19_700_101.0..=21_001_231.0).contains(&x);
    match c {
        Cell::DateTime(_) => true,
        Cell::Number(x) => compact(*x) && cell::parse_datetime(c).is_some(),
        Cell::Text(s) => {
            let t = cell::trim(s);
            if t.bytes().all(|b| b.is_ascii_digit()) {
                return t.len() == 8 && t.parse::<f64>().is_ok_and(compact) && cell::parse_datetime(c).is_some();
            }
            // A decimal number (an amount of 45721.50) is no date here, though it reads as a serial.
            let decimal = t.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            !decimal && t.contains(['-', '/', '.', '年']) && cell::parse_datetime_text_ordered(t).is_some()
        }
        _ => false,
    }
}

/// In Shopify's order export (one row per line item, columns `Lineitem name`, `Lineitem quantity` …)
/// the column `Name` is the order's number (#1001), repeated on each of its item rows; the customer's
/// name is `Billing Name`. Read as a name, every item row would be an order of its own.
fn shopify_order_name(headers: &[String], matches: &mut [Option<(Role, u8)>]) {
    let keys: Vec<String> = headers.iter().map(|h| match_key(h)).collect();
    let shopify = keys.iter().any(|k| k.starts_with("lineitem"));
    if !shopify || matches.iter().flatten().any(|(r, _)| *r == Role::OrderId) {
        return;
    }
    if let Some(i) = keys.iter().position(|k| k == "name") {
        matches[i] = Some((Role::OrderId, 90));
    }
}

/// A column chosen by its header but empty in every sampled row gives way to the next candidate
/// that has values (a platform that exports 买家ID but leaves it blank, a 实付金额 column left empty).
/// Returns `(role, empty column, column used instead)` for each switch. Roles the user set are not
/// touched: call this before [`apply_overrides`].
pub fn prefer_filled(m: &mut Mapping, sample: &[Vec<Cell>]) -> Vec<(Role, String, String)> {
    let data_rows = sample.iter().filter(|r| r.iter().any(|c| !cell::is_empty(c))).count();
    if data_rows == 0 {
        return Vec::new();
    }
    let filled = |m: &Mapping, header: &str| {
        find_column(m, header).is_some_and(|i| sample.iter().any(|r| r.get(i).is_some_and(|c| !cell::is_empty(c))))
    };
    let mut switched = Vec::new();
    for alt_index in 0..m.alternatives.len() {
        let Some(alt) = m.alternatives.get(alt_index).cloned() else {
            continue;
        };
        if !matches!(alt.role, Role::Amount | Role::CustomerKey | Role::Date) || filled(m, &alt.chosen) {
            continue;
        }
        let Some(pos) = alt.others.iter().position(|o| filled(m, o)) else {
            continue;
        };
        let new = alt.others[pos].clone();
        if alt.role == Role::CustomerKey {
            m.key = KeySpec::Column(new.clone());
        } else {
            let (Some(old_i), Some(new_i)) = (find_column(m, &alt.chosen), find_column(m, &new)) else {
                continue;
            };
            m.columns[old_i].role = None;
            m.columns[new_i].role = Some(alt.role);
        }
        if let Some(a) = m.alternatives.get_mut(alt_index) {
            a.others[pos] = a.chosen.clone();
            a.chosen = new.clone();
        }
        switched.push((alt.role, alt.chosen, new));
    }
    switched
}

/// A key column whose sampled values are all dates (Kaggle's `Dt_Customer`, the day a customer
/// joined, matched "customer") would make every day one customer: it gives way to the next key
/// candidate that holds something else. Returns `(dates column, column used instead)`. Like
/// [`prefer_filled`], call it before [`apply_overrides`]: a key the user chose is kept.
pub fn key_not_dates(m: &mut Mapping, sample: &[Vec<Cell>]) -> Option<(String, String)> {
    let KeySpec::Column(key) = &m.key else {
        return None;
    };
    let all_dates = |header: &str| {
        let Some(i) = find_column(m, header) else {
            return false;
        };
        let values: Vec<&Cell> = sample.iter().filter_map(|r| r.get(i)).filter(|c| !cell::is_empty(c)).collect();
        values.len() >= 3 && values.iter().all(|c| looks_like_date(c))
    };
    if !all_dates(key) {
        return None;
    }
    let alt_index = m.alternatives.iter().position(|a| a.role == Role::CustomerKey && a.chosen == *key)?;
    let alt = &m.alternatives[alt_index];
    let pos = alt.others.iter().position(|o| !all_dates(o))?;
    let (old, new) = (alt.chosen.clone(), alt.others[pos].clone());
    if let Some(i) = find_column(m, &old) {
        if m.columns[i].role == Some(Role::CustomerKey) {
            m.columns[i].role = None;
        }
    }
    if let Some(i) = find_column(m, &new) {
        if m.columns[i].role.is_none() {
            m.columns[i].role = Some(Role::CustomerKey);
        }
    }
    m.key = KeySpec::Column(new.clone());
    let alt = &mut m.alternatives[alt_index];
    alt.others[pos] = old.clone();
    alt.chosen = new.clone();
    Some((old, new))
}

/// Customer-level when there is no order id but a count of orders or a cumulative amount / last
/// purchase column; otherwise order-level.
fn detect_level(columns: &[Column]) -> Level {
    let has = |r: Role| columns.iter().any(|c| c.role == Some(r));
    if has(Role::OrderId) {
        return Level::Orders;
    }
    let cumulative = columns.iter().any(|c| {
        let k = match_key(&c.header);
        (c.role == Some(Role::Amount) && (k.contains("累计") || k.contains("总消费") || k.contains("消费总")))
            || (c.role == Some(Role::Date) && (k.contains("最近") || k.contains("最后") || k.contains("上次")))
    });
    if has(Role::OrderCount) || has(Role::RecencyDays) || cumulative {
        Level::Customers
    } else {
        Level::Orders
    }
}

/// Applies the user's role and key overrides (by header text) to a detected mapping.
///
/// # Errors
/// `Error::ColumnNotFound` when an override names a header the sheet does not have.
pub fn apply_overrides(
    mapping: &mut Mapping,
    path: &Path,
    roles: &BTreeMap<String, Option<Role>>,
    key: Option<&KeySpec>,
) -> Result<()> {
    for (header, role) in roles {
        let idx = find_column(mapping, header).ok_or_else(|| Error::ColumnNotFound {
            path: path.to_owned(),
            column: header.clone(),
            columns: mapping.header_list(),
        })?;
        if let Some(role) = role {
            // A role belongs to one column: the override moves it.
            for c in mapping.columns.iter_mut() {
                if c.role == Some(*role) {
                    c.role = None;
                }
            }
        }
        if let Some(c) = mapping.columns.get_mut(idx) {
            c.role = *role;
        }
    }
    if let Some(key) = key {
        for h in key.headers() {
            if find_column(mapping, h).is_none() {
                return Err(Error::ColumnNotFound {
                    path: path.to_owned(),
                    column: h.to_owned(),
                    columns: mapping.header_list(),
                });
            }
        }
        mapping.key = key.clone();
    } else if let Some(c) = mapping.column(Role::CustomerKey) {
        // A user who marked a column as the key by role means it.
        if roles.values().any(|r| *r == Some(Role::CustomerKey)) {
            mapping.key = KeySpec::Column(c.header.clone());
        }
    }
    mapping.level = detect_level(&mapping.columns);
    Ok(())
}

/// The index of the column whose header matches `header` (exactly after trimming, else by match key).
pub fn find_column(mapping: &Mapping, header: &str) -> Option<usize> {
    let h = cell::trim(header);
    if h.is_empty() {
        return None;
    }
    mapping.columns.iter().position(|c| c.header == h).or_else(|| {
        let k = match_key(h);
        mapping.columns.iter().position(|c| match_key(&c.header) == k)
    })
}

/// The mapping turned into column indices once, for the per-row hot loop.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Columns of the customer key (several are joined).
    pub key: Vec<usize>,
    /// Column of the order id.
    pub order_id: Option<usize>,
    /// Column of the sub-order (item) id.
    pub sub_order_id: Option<usize>,
    /// Column of the order date.
    pub date: Option<usize>,
    /// Column of the payment time.
    pub paid_at: Option<usize>,
    /// Column of the amount.
    pub amount: Option<usize>,
    /// Column of the refund.
    pub refund: Option<usize>,
    /// Column of the order status.
    pub status: Option<usize>,
    /// Column of the after-sales status.
    pub after_sales: Option<usize>,
    /// Column of the quantity.
    pub quantity: Option<usize>,
    /// Column of the customer's name.
    pub name: Option<usize>,
    /// Column of the phone number.
    pub phone: Option<usize>,
    /// Column of the receiver.
    pub receiver: Option<usize>,
    /// Column of the order count (customer lists).
    pub order_count: Option<usize>,
    /// Column of the first order date (customer lists).
    pub first_date: Option<usize>,
    /// Column of the interactions count (customer lists).
    pub interactions: Option<usize>,
    /// Column of the days since the last purchase (customer lists without a date column).
    pub recency_days: Option<usize>,
    /// Read only when `amount` is `None`: each row's amount is quantity × unit price.
    pub unit_price: Option<usize>,
    /// Column of the full address.
    pub address: Option<usize>,
    /// Column of the province.
    pub province: Option<usize>,
    /// Column of the city.
    pub city: Option<usize>,
    /// Column of the product name.
    pub product: Option<usize>,
    /// Column of the product code.
    pub sku: Option<usize>,
    /// Column of the unit cost.
    pub unit_cost: Option<usize>,
    /// Column of the row's cost.
    pub cost: Option<usize>,
    /// Column of the row's profit.
    pub profit: Option<usize>,
    /// The amount / refund header says the values are in fen (`实付金额(分)`).
    pub amount_in_fen: bool,
    /// See `amount_in_fen`.
    pub refund_in_fen: bool,
}

impl Resolved {
    /// Resolves `mapping` to indices. Unknown key headers resolve to no key column.
    pub fn new(mapping: &Mapping) -> Resolved {
        let idx = |r: Role| mapping.column(r).map(|c| c.index as usize);
        let in_fen = |r: Role| mapping.column(r).is_some_and(|c| cell::normalize_key(&c.header).contains("(分)"));
        Resolved {
            key: mapping.key.headers().iter().filter_map(|h| find_column(mapping, h)).collect(),
            order_id: idx(Role::OrderId),
            sub_order_id: idx(Role::SubOrderId),
            date: idx(Role::Date),
            paid_at: idx(Role::PaidAt),
            amount: idx(Role::Amount),
            refund: idx(Role::Refund),
            status: idx(Role::Status),
            after_sales: idx(Role::AfterSales),
            quantity: idx(Role::Quantity),
            name: idx(Role::Name).or(idx(Role::CustomerKey)).or(idx(Role::Receiver)),
            phone: idx(Role::Phone),
            receiver: idx(Role::Receiver),
            order_count: idx(Role::OrderCount),
            first_date: idx(Role::FirstDate),
            interactions: idx(Role::Interactions),
            recency_days: idx(Role::RecencyDays),
            unit_price: idx(Role::UnitPrice),
            address: idx(Role::Address),
            province: idx(Role::Province),
            city: idx(Role::City),
            product: idx(Role::Product),
            sku: idx(Role::Sku),
            unit_cost: idx(Role::UnitCost),
            cost: idx(Role::Cost),
            profit: idx(Role::Profit),
            amount_in_fen: in_fen(Role::Amount),
            refund_in_fen: in_fen(Role::Refund),
        }
    }
}

/// When the key is a phone column whose sampled values are mostly masked (`138****1234`), the key
/// to offer instead: masked phone + receiver name (or name). `None` when the key is fine or no
/// second column exists.
pub fn masked_key_suggestion(mapping: &Mapping, sample: &[Vec<Cell>]) -> Option<KeySpec> {
    let KeySpec::Column(key_header) = &mapping.key else {
        return None;
    };
    let idx = find_column(mapping, key_header)?;
    let (mut masked, mut filled) = (0usize, 0usize);
    for row in sample {
        if let Some(t) = row.get(idx).and_then(cell::text) {
            filled += 1;
            if is_masked_phone(&t) {
                masked += 1;
            }
        }
    }
    if filled == 0 || masked * 2 <= filled {
        return None;
    }
    let partner =
        mapping.column(Role::Receiver).or_else(|| mapping.column(Role::Name)).filter(|c| c.index as usize != idx)?;
    Some(KeySpec::Combined(vec![key_header.clone(), partner.header.clone()]))
}

/// The masked key value most of `sample`'s rows share (抖店's `1**********` for every buyer), with how
/// many rows have it and how many have a key at all; `None` unless it is at least 5 rows and half of
/// them. Only a single key column is looked at: a combined key adds the other column's text.
pub fn collapsed_key_in_sample(mapping: &Mapping, sample: &[Vec<Cell>]) -> Option<(String, usize, usize)> {
    let KeySpec::Column(key_header) = &mapping.key else {
        return None;
    };
    let idx = find_column(mapping, key_header)?;
    let keys: Vec<String> = sample
        .iter()
        .filter_map(|row| row.get(idx).and_then(cell::text))
        .map(|t| cell::trim(&t).to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    let (value, n) = most_common_masked(keys.iter().map(String::as_str))?;
    (n >= 5 && n * 2 >= keys.len()).then(|| (value.to_owned(), n, keys.len()))
}

/// The masked key (one with a `*` or `＊`) that most of `keys` are, and how many; of equal counts the
/// first in text order, so a message naming it is the same every time. Keys without a star cost one
/// byte search each.
pub(crate) fn most_common_masked<'k>(keys: impl IntoIterator<Item = &'k str>) -> Option<(&'k str, usize)> {
    let mut counts: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    for key in keys {
        // `＊` is EF BC 8A in UTF-8: a key with neither `*` nor a 0x8A byte has no star at all.
        if memchr::memchr2(b'*', 0x8A, key.as_bytes()).is_some() && key.contains(['*', '＊']) {
            *counts.entry(key).or_default() += 1;
        }
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<Cell> {
        cells.iter().map(|s| Cell::Text((*s).to_owned())).collect()
    }

    fn role_of(m: &Mapping, header: &str) -> Option<Role> {
        m.columns.iter().find(|c| c.header == header).and_then(|c| c.role)
    }

    #[test]
    fn title_row_before_header_is_not_the_header() {
        let rows = vec![
            row(&["订单导出 2025-01-01 至 2025-03-31"]),
            row(&[]),
            row(&["订单号", "下单时间", "买家ID", "实付金额"]),
            row(&["1", "2025-01-01", "o1", "10"]),
        ];
        assert_eq!(detect_header(&rows).map(|h| h.0), Some(2));
    }

    fn names(header: Option<Vec<Cell>>) -> Option<Vec<String>> {
        header.map(|h| h.iter().map(display_header).collect())
    }

    #[test]
    fn a_sheet_of_bare_transactions_gets_its_columns_named_from_their_values() {
        // CDNOW as published: customer, yyyymmdd, quantity, dollars.
        let cdnow = vec![
            row(&["00001", "19970101", "1", "11.77"]),
            row(&["00002", "19970112", "5", "77.00"]),
            row(&["00003", "19970102", "2", "20.76"]),
        ];
        let header = infer_header(&cdnow);
        assert_eq!(names(header.clone()).unwrap(), ["客户ID", "日期", "数量", "金额"]);
        let m = detect("s", 0, &header.unwrap(), &cdnow);
        let roles: Vec<Option<Role>> = m.columns.iter().map(|c| c.role).collect();
        assert_eq!(roles, [Some(Role::CustomerKey), Some(Role::Date), Some(Role::Quantity), Some(Role::Amount)]);
        // A till's log in a workbook: date cells, a note, a member number, and the money in whole yuan.
        let at =
            |d: u32| Cell::DateTime(chrono::NaiveDate::from_ymd_opt(2025, 3, d).unwrap().and_hms_opt(9, 0, 0).unwrap());
        let till = vec![
            vec![at(1), Cell::Text("堂食".into()), Cell::Number(10086.0), Cell::Number(35.0)],
            vec![at(2), Cell::Text("外卖".into()), Cell::Number(10087.0), Cell::Number(128.0)],
            vec![at(2), Cell::Empty, Cell::Number(10086.0), Cell::Number(20.0)],
        ];
        // No column has cents: the rightmost column of numbers is the amount; the note, empty on
        // a third of the rows, cannot tell customers apart.
        assert_eq!(names(infer_header(&till)).unwrap(), ["日期", "列2", "客户ID", "金额"]);
        // Cents decide over a column of whole numbers to its right (a member number after the price).
        let priced = vec![
            row(&["A-1", "2025-03-01", "12.50", "10086"]),
            row(&["A-2", "2025/3/2", "8.00", "10087"]),
            row(&["A-3", "2025-03-02", "3.25", "10086"]),
        ];
        assert_eq!(names(infer_header(&priced)).unwrap(), ["客户ID", "日期", "金额", "列4"]);
    }

    #[test]
    fn rows_that_are_not_bare_transactions_get_no_inferred_header() {
        // A header in a language the synonyms do not know: its names are not dates.
        let german = vec![row(&["Kunde", "Datum", "Betrag"]), row(&["K1", "2025-03-01", "9.90"])];
        assert_eq!(infer_header(&german), None);
        // No dates at all (a price list), or numbers alone (11.77 is not a date).
        assert_eq!(infer_header(&[row(&["苹果", "3.50", "12"]), row(&["梨", "4.00", "7"])]), None);
        assert_eq!(infer_header(&[row(&["1", "11.77", "3"]), row(&["2", "12.00", "4"])]), None);
        // A single row says too little.
        assert_eq!(infer_header(&[row(&["00001", "19970101", "1", "11.77"])]), None);
        // An ordinary header is found as one before any of this.
        assert!(detect_header(&[row(&["买家ID", "下单时间", "实付金额"])]).is_some());
    }

    #[test]
    fn headers_are_trimmed_of_spaces_markers_and_newlines() {
        assert_eq!(display_header(&Cell::Text("\u{3000}*实付金额\n(元) ".into())), "实付金额(元)");
        assert_eq!(match_header("实付金额(元)"), Some((Role::Amount, 100)));
        assert_eq!(match_header(" 订单号\u{3000}"), Some((Role::OrderId, 100)));
        assert_eq!(match_header("用户实付金额（元）"), Some((Role::Amount, 100)));
    }

    #[test]
    fn douyin_and_jd_exports_find_their_amount_date_and_key() {
        // 抖店: no 实付金额; 订单应付金额 is what the buyer paid, 订单提交时间 the order time.
        let m = detect(
            "s",
            0,
            &row(&[
                "主订单编号",
                "子订单编号",
                "商品单价",
                "订单应付金额",
                "运费",
                "订单提交时间",
                "支付完成时间",
                "收件人",
                "收件人手机号",
            ]),
            &[],
        );
        assert_eq!(role_of(&m, "订单应付金额"), Some(Role::Amount));
        assert_eq!(role_of(&m, "订单提交时间"), Some(Role::Date));
        assert_eq!(role_of(&m, "支付完成时间"), Some(Role::PaidAt));
        assert_eq!(role_of(&m, "主订单编号"), Some(Role::OrderId));
        // Its item column is 选购商品; 达人昵称 is the livestreamer who sold it, never the buyer.
        let m =
            detect("s", 0, &row(&["主订单编号", "选购商品", "订单应付金额", "收件人", "达人昵称", "团长手机号"]), &[]);
        assert_eq!(role_of(&m, "选购商品"), Some(Role::Product));
        assert_eq!(role_of(&m, "达人昵称"), None);
        assert_eq!(role_of(&m, "团长手机号"), None);
        assert_eq!(role_of(&m, "收件人"), Some(Role::Receiver));
        // 京东: 应付金额 (after discounts) over 订单金额; the account is the key.
        let m = detect("s", 0, &row(&["订单号", "下单帐号", "订单金额", "应付金额", "下单时间", "客户姓名"]), &[]);
        assert_eq!(role_of(&m, "应付金额"), Some(Role::Amount));
        assert_eq!(m.key, KeySpec::Column("下单帐号".into()));
    }

    #[test]
    fn wholesalers_invoicing_exports_find_their_customer_date_and_products() {
        // 管家婆: the customer is the 往来单位 (a company), the date the document's.
        let m = detect(
            "s",
            0,
            &row(&["单据编号", "单据日期", "往来单位", "经手人", "商品编号", "商品全名", "数量", "单价", "金额"]),
            &[],
        );
        assert_eq!(m.key, KeySpec::Column("往来单位".into()));
        assert_eq!(role_of(&m, "单据日期"), Some(Role::Date));
        assert_eq!(role_of(&m, "商品全名"), Some(Role::Product));
        assert_eq!(role_of(&m, "商品编号"), Some(Role::Sku));
        assert_eq!(role_of(&m, "经手人"), None);
        // 金蝶 (销售出库单).
        let m = detect(
            "s",
            0,
            &row(&["日期", "单据编号", "客户", "销售员", "物料编码", "物料名称", "实发数量", "含税单价", "价税合计"]),
            &[],
        );
        assert_eq!(m.key, KeySpec::Column("客户".into()));
        assert_eq!(role_of(&m, "物料名称"), Some(Role::Product));
        assert_eq!(role_of(&m, "物料编码"), Some(Role::Sku));
        assert_eq!(role_of(&m, "价税合计"), Some(Role::Amount));
    }

    #[test]
    fn amazon_item_price_is_the_lines_total_and_shopify_lineitem_price_a_unit_price() {
        let m = detect(
            "s",
            0,
            &row(&[
                "amazon-order-id",
                "purchase-date",
                "order-status",
                "product-name",
                "quantity",
                "item-price",
                "buyer-email",
            ]),
            &[],
        );
        assert_eq!(role_of(&m, "item-price"), Some(Role::Amount));
        assert_eq!(m.key, KeySpec::Column("buyer-email".into()));
        let m =
            detect("s", 0, &row(&["Name", "Email", "Created at", "Total", "Lineitem quantity", "Lineitem price"]), &[]);
        assert_eq!(role_of(&m, "Lineitem price"), Some(Role::UnitPrice));
        assert_eq!(role_of(&m, "Total"), Some(Role::Amount));
        // A till's export with its own total keeps the total, whatever comes first.
        let m = detect("s", 0, &row(&["Receipt No", "Date", "Customer ID", "Item Price", "Qty", "Total"]), &[]);
        assert_eq!(role_of(&m, "Total"), Some(Role::Amount));
    }

    #[test]
    fn woocommerce_orders_take_the_total_paid_and_the_billing_email() {
        let m = detect(
            "s",
            0,
            &row(&[
                "Order ID",
                "Order Date",
                "Order Status",
                "First Name (Billing)",
                "Email (Billing)",
                "Order Subtotal Amount",
                "Order Shipping Amount",
                "Order Total Amount",
                "Item Name",
                "Customer User ID",
            ]),
            &[],
        );
        assert_eq!(role_of(&m, "Order Total Amount"), Some(Role::Amount));
        assert_eq!(m.key, KeySpec::Column("Email (Billing)".into()));
        assert_eq!(role_of(&m, "Order ID"), Some(Role::OrderId));
        assert_eq!(role_of(&m, "Item Name"), Some(Role::Product));
    }

    #[test]
    fn english_headers_of_public_data_sets_are_recognized() {
        // UCI Online Retail.
        let m = detect(
            "s",
            0,
            &row(&[
                "InvoiceNo",
                "StockCode",
                "Description",
                "Quantity",
                "InvoiceDate",
                "UnitPrice",
                "CustomerID",
                "Country",
            ]),
            &[],
        );
        assert_eq!(role_of(&m, "InvoiceNo"), Some(Role::OrderId));
        assert_eq!(role_of(&m, "InvoiceDate"), Some(Role::Date));
        assert_eq!(role_of(&m, "UnitPrice"), Some(Role::UnitPrice));
        assert_eq!(role_of(&m, "Quantity"), Some(Role::Quantity));
        assert_eq!(m.key, KeySpec::Column("CustomerID".into()));
        // Superstore-style: spaces, a name beside the id, "Sales" as the amount, ship date ignored.
        let m = detect(
            "s",
            0,
            &row(&[
                "Row ID",
                "Order ID",
                "Order Date",
                "Ship Date",
                "Customer ID",
                "Customer Name",
                "Sales",
                "Quantity",
            ]),
            &[],
        );
        assert_eq!(role_of(&m, "Order ID"), Some(Role::OrderId));
        assert_eq!(role_of(&m, "Order Date"), Some(Role::Date));
        assert_eq!(role_of(&m, "Ship Date"), None);
        assert_eq!(role_of(&m, "Sales"), Some(Role::Amount));
        assert_eq!(role_of(&m, "Customer Name"), Some(Role::Name));
        assert_eq!(m.key, KeySpec::Column("Customer ID".into()));
        // snake_case and a customer-level list.
        let m = detect("s", 0, &row(&["customer_id", "total_spent", "orders_count", "last_order_date"]), &[]);
        assert_eq!(role_of(&m, "total_spent"), Some(Role::Amount));
        assert_eq!(role_of(&m, "orders_count"), Some(Role::OrderCount));
        assert_eq!(m.level, Level::Customers);
        // Fragments: Kaggle's "Retail Data Transactions".
        let m = detect("s", 0, &row(&["customer_id", "trans_date", "tran_amount"]), &[]);
        assert_eq!(role_of(&m, "trans_date"), Some(Role::Date));
        assert_eq!(role_of(&m, "tran_amount"), Some(Role::Amount));
        assert_eq!(m.level, Level::Orders);
        // CDNOW, as shipped with `lifetimes` and in many tutorials.
        let m = detect("s", 0, &row(&["customer_id", "date", "number_of_cds", "dollar_value"]), &[]);
        assert_eq!(role_of(&m, "date"), Some(Role::Date));
        assert_eq!(role_of(&m, "dollar_value"), Some(Role::Amount));
        let m = detect("s", 0, &row(&["user_id", "order_dt", "order_products", "order_amount"]), &[]);
        assert_eq!(role_of(&m, "order_dt"), Some(Role::Date));
        assert_eq!(role_of(&m, "order_amount"), Some(Role::Amount));
        assert_eq!(m.key, KeySpec::Column("user_id".into()));
        assert_eq!(match_header("Ship Date"), None);
        assert_eq!(match_header("Shipping Cost"), None);
        assert_eq!(match_header("Discount Amount"), None);
        assert_eq!(match_header("Customer Full Name"), Some((Role::Name, 60)));
    }

    #[test]
    fn short_chinese_words_for_the_money_are_amounts_and_the_paid_amount_still_wins() {
        for h in ["交易额", "成交额", "消费额", "结算金额", "含税金额", "订单总价", "总价"] {
            let m = detect("s", 0, &row(&["客户ID", "下单时间", h]), &[]);
            assert_eq!(role_of(&m, h), Some(Role::Amount), "{h}");
            let m = detect("s", 0, &row(&["客户ID", "下单时间", h, "实付金额"]), &[]);
            assert_eq!(role_of(&m, "实付金额"), Some(Role::Amount), "{h} beside 实付金额");
        }
        // Recency in days is the last purchase only without a date column.
        let m = detect("s", 0, &row(&["CustomerID", "Recency", "Frequency", "Monetary"]), &[]);
        assert_eq!(role_of(&m, "Recency"), Some(Role::RecencyDays));
        assert_eq!(m.level, Level::Customers);
        let m = detect("s", 0, &row(&["会员卡号", "最近消费时间", "距上次消费天数", "累计消费金额"]), &[]);
        assert_eq!(role_of(&m, "距上次消费天数"), None);
        assert_eq!(role_of(&m, "最近消费时间"), Some(Role::Date));
    }

    #[test]
    fn paid_amount_beats_order_amount_and_postage_is_never_amount() {
        let m =
            detect("s", 0, &row(&["订单号", "买家ID", "订单金额", "运费", "优惠金额", "实付金额", "商品单价"]), &[]);
        assert_eq!(role_of(&m, "实付金额"), Some(Role::Amount));
        assert_eq!(role_of(&m, "订单金额"), None);
        assert_eq!(role_of(&m, "运费"), None);
        // A unit price is only read when there is no amount column.
        assert_eq!(role_of(&m, "商品单价"), Some(Role::UnitPrice));
        let alt = m.alternatives.iter().find(|a| a.role == Role::Amount).unwrap();
        assert_eq!(alt.chosen, "实付金额");
        assert_eq!(alt.others, vec!["订单金额".to_owned()]);
    }

    #[test]
    fn order_time_beats_payment_time_which_is_the_fallback() {
        let m = detect("s", 0, &row(&["订单号", "买家ID", "支付时间", "下单时间", "实付金额"]), &[]);
        assert_eq!(role_of(&m, "下单时间"), Some(Role::Date));
        assert_eq!(role_of(&m, "支付时间"), Some(Role::PaidAt));
        let m = detect("s", 0, &row(&["订单号", "买家ID", "订单付款时间", "实付金额"]), &[]);
        assert_eq!(role_of(&m, "订单付款时间"), Some(Role::Date));
    }

    #[test]
    fn id_key_beats_nickname_and_phone() {
        let m = detect("s", 0, &row(&["买家昵称", "联系电话", "买家ID", "实付金额"]), &[]);
        assert_eq!(m.key, KeySpec::Column("买家ID".into()));
        let m = detect("s", 0, &row(&["买家昵称", "联系电话", "实付金额"]), &[]);
        assert_eq!(m.key, KeySpec::Column("联系电话".into()));
        // 拼多多: the buyer's own phone beats the receiver's.
        let m = detect("s", 0, &row(&["收货人", "手机", "用户购买手机号", "用户实付金额(元)"]), &[]);
        assert_eq!(m.key, KeySpec::Column("用户购买手机号".into()));
        let m = detect("s", 0, &row(&["买家会员名", "收货人姓名", "联系手机", "买家实际支付金额", "总金额"]), &[]);
        assert_eq!(m.key, KeySpec::Column("买家会员名".into()));
        assert_eq!(role_of(&m, "买家实际支付金额"), Some(Role::Amount));
    }

    #[test]
    fn sub_order_id_is_never_the_order_id() {
        let m = detect("s", 0, &row(&["子订单编号", "主订单编号", "买家会员名", "买家实付金额"]), &[]);
        assert_eq!(role_of(&m, "主订单编号"), Some(Role::OrderId));
        assert_eq!(role_of(&m, "子订单编号"), Some(Role::SubOrderId));
    }

    #[test]
    fn customer_level_sheet_is_detected() {
        let m = detect("s", 0, &row(&["客户名称", "累计消费金额", "消费次数", "最近消费时间"]), &[]);
        assert_eq!(m.level, Level::Customers);
        assert_eq!(m.key, KeySpec::Column("客户名称".into()));
        let m = detect("s", 0, &row(&["订单号", "客户名称", "金额", "日期"]), &[]);
        assert_eq!(m.level, Level::Orders);
    }

    #[test]
    fn masked_phones_suggest_combined_key() {
        let m = detect("s", 0, &row(&["收货人", "手机", "订单号", "实付金额"]), &[]);
        let sample = vec![row(&["张三", "138****1234", "1", "1"]), row(&["李四", "139****5678", "2", "1"])];
        assert_eq!(masked_key_suggestion(&m, &sample), Some(KeySpec::Combined(vec!["手机".into(), "收货人".into()])));
        let sample = vec![row(&["张三", "13812341234", "1", "1"])];
        assert_eq!(masked_key_suggestion(&m, &sample), None);
    }

    #[test]
    fn overrides_move_roles_and_reject_unknown_headers() {
        let mut m = detect("s", 0, &row(&["订单号", "买家ID", "订单金额", "实付金额"]), &[]);
        let mut roles = BTreeMap::new();
        roles.insert("订单金额".to_owned(), Some(Role::Amount));
        apply_overrides(&mut m, Path::new("f.xlsx"), &roles, None).unwrap();
        assert_eq!(role_of(&m, "订单金额"), Some(Role::Amount));
        assert_eq!(role_of(&m, "实付金额"), None);
        let mut roles = BTreeMap::new();
        roles.insert("不存在".to_owned(), None);
        let err = apply_overrides(&mut m, Path::new("f.xlsx"), &roles, None).unwrap_err();
        assert_eq!(err.code(), "column_not_found");
    }

    fn roles(m: &Mapping) -> Vec<(Role, &str)> {
        m.columns.iter().filter_map(|c| c.role.map(|r| (r, c.header.as_str()))).collect()
    }

    #[test]
    fn taobao_order_report_maps_paid_amount_member_name_and_times() {
        let h = row(&[
            "订单编号",
            "买家会员名",
            "买家支付宝账号",
            "支付单号",
            "支付详情",
            "买家应付货款",
            "买家应付邮费",
            "买家支付积分",
            "总金额",
            "返点积分",
            "买家实际支付金额",
            "买家实际支付积分",
            "订单状态",
            "买家留言",
            "收货人姓名",
            "收货地址 ",
            "运送方式",
            "联系电话 ",
            "联系手机",
            "订单创建时间",
            "订单付款时间 ",
            "宝贝标题 ",
            "宝贝种类 ",
            "物流单号 ",
            "物流公司",
            "订单备注",
            "宝贝总数量",
            "店铺Id",
            "店铺名称",
            "订单关闭原因",
            "卖家服务费",
            "退款金额",
        ]);
        let m = detect("s", 0, &h, &[]);
        let want = vec![
            (Role::OrderId, "订单编号"),
            (Role::CustomerKey, "买家会员名"),
            (Role::Amount, "买家实际支付金额"),
            (Role::Status, "订单状态"),
            (Role::Receiver, "收货人姓名"),
            (Role::Address, "收货地址"),
            (Role::Phone, "联系手机"),
            (Role::Date, "订单创建时间"),
            (Role::PaidAt, "订单付款时间"),
            (Role::Product, "宝贝标题"),
            (Role::Quantity, "宝贝总数量"),
            (Role::Refund, "退款金额"),
        ];
        assert_eq!(roles(&m), want);
        assert_eq!(m.key, KeySpec::Column("买家会员名".into()));
    }

    #[test]
    fn taobao_item_report_maps_the_item_price_as_unit_price_and_keeps_the_paid_amount() {
        let h = row(&[
            "主订单编号",
            "子订单编号",
            "买家会员名",
            "买家实际支付金额",
            "订单状态",
            "订单创建时间",
            "宝贝标题",
            "宝贝单价",
            "购买数量",
            "退款金额",
            "商家编码",
            "成本价",
        ]);
        let m = detect("s", 0, &h, &[]);
        assert_eq!(role_of(&m, "宝贝单价"), Some(Role::UnitPrice));
        assert_eq!(role_of(&m, "买家实际支付金额"), Some(Role::Amount));
        assert_eq!(role_of(&m, "宝贝标题"), Some(Role::Product));
        assert_eq!(role_of(&m, "购买数量"), Some(Role::Quantity));
        assert_eq!(role_of(&m, "成本价"), Some(Role::UnitCost));
        // Only one column takes each of these roles.
        assert_eq!(m.columns.iter().filter(|c| c.role == Some(Role::UnitPrice)).count(), 1);
        assert_eq!(m.columns.iter().filter(|c| c.role == Some(Role::Amount)).count(), 1);
    }

    #[test]
    fn pinduoduo_export_maps_user_paid_amount_and_deal_time() {
        let h = row(&[
            "商品",
            "订单号",
            "订单状态",
            "商品总价(元)",
            "店铺优惠折扣(元)",
            "平台优惠折扣(元)",
            "多多支付立减金额(元)",
            "邮费(元)",
            "用户实付金额(元)",
            "商家实收金额(元)",
            "商品数量(件)",
            "身份证姓名",
            "身份证号码",
            "收货人",
            "手机",
            "是否审核中",
            "省",
            "市",
            "区",
            "街道",
            "拼单成功时间",
            "订单成交时间",
            "订单确认时间",
            "承诺发货时间",
            "发货时间",
            "确认收货时间",
            "商品id",
            "商品规格",
            "用户购买手机号",
            "样式ID",
            "商家编码-SKU维度",
            "快递单号",
            "快递公司",
            "买家留言",
            "售后状态",
            "商家备注",
        ]);
        let m = detect("s", 0, &h, &[]);
        assert_eq!(m.column(Role::Amount).unwrap().header, "用户实付金额(元)");
        assert_eq!(m.column(Role::Date).unwrap().header, "订单成交时间");
        assert_eq!(m.column(Role::Quantity).unwrap().header, "商品数量(件)");
        assert_eq!(m.column(Role::AfterSales).unwrap().header, "售后状态");
        assert_eq!(m.column(Role::Receiver).unwrap().header, "收货人");
        assert_eq!(m.key, KeySpec::Column("用户购买手机号".into()));
        assert!(m.column(Role::Refund).is_none());
    }

    #[test]
    fn channels_and_youzan_exports_map_paid_amount() {
        let h = row(&[
            "订单号",
            "订单状态",
            "订单下单时间",
            "订单支付时间",
            "商品名称",
            "商品数量",
            "商品单价",
            "商品总价",
            "运费",
            "店铺优惠",
            "订单实际支付金额",
            "收件人姓名",
            "收件人手机",
            "售后状态",
            "退款金额",
        ]);
        let m = detect("s", 0, &h, &[]);
        assert_eq!(m.column(Role::Amount).unwrap().header, "订单实际支付金额");
        assert_eq!(m.column(Role::Date).unwrap().header, "订单下单时间");
        assert_eq!(m.column(Role::PaidAt).unwrap().header, "订单支付时间");
        assert_eq!(m.key, KeySpec::Column("收件人手机".into()));
        let h = row(&[
            "订单号",
            "订单状态",
            "订单创建时间",
            "买家付款时间",
            "商品金额合计",
            "运费",
            "订单实付金额",
            "买家昵称",
            "买家手机号",
            "收货人/提货人",
            "收货人手机号/提货人手机号",
            "订单退款状态",
            "订单已退款金额",
        ]);
        let m = detect("s", 0, &h, &[]);
        assert_eq!(m.column(Role::Amount).unwrap().header, "订单实付金额");
        assert_eq!(m.column(Role::Refund).unwrap().header, "订单已退款金额");
        assert_eq!(m.column(Role::AfterSales).unwrap().header, "订单退款状态");
        assert_eq!(m.column(Role::Receiver).unwrap().header, "收货人/提货人");
        assert_eq!(m.key, KeySpec::Column("买家手机号".into()));
    }
}

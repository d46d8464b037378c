//! The domain records every later step shares: `Order`, `Customer`, `Tier`, money and bilingual text.
//!
//! These are plain data; the rules that produce them live in `orders`, `customers` and `classify`.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Money in fen (1/100 yuan). Integers so that sums over a million orders stay exact to the cent.
///
/// Never wraps: one order carries at most `orders::MAX_ORDER_CENTS` (¥1 亿, enforced at import),
/// so a sum over fewer than 9 × 10^8 orders cannot reach `i64::MAX`; and every sum of money in the
/// core is saturating all the same ([`sum_cents`], `saturating_add`), so that a value that slipped
/// past the ceiling shows as an absurdly large total, never as a negative one. SQLite's `sum()`
/// over the stored orders is checked (it fails with "integer overflow" instead of wrapping).
pub type Cents = i64;

/// The saturating sum of amounts (see [`Cents`]).
pub fn sum_cents(amounts: impl IntoIterator<Item = Cents>) -> Cents {
    amounts.into_iter().fold(0, Cents::saturating_add)
}

/// Converts fen to yuan for display and for spreadsheet cells.
pub fn yuan(cents: Cents) -> f64 {
    cents as f64 / 100.0
}

/// The action level of a customer. D exists only for methods that ask for a fourth level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Tier {
    /// The best tier.
    A,
    /// The second tier.
    B,
    /// The third tier.
    C,
    /// A fourth tier, used by some methods (zero revenue, a fourth threshold).
    D,
}

impl Tier {
    /// All tiers, best first.
    pub const ALL: [Tier; 4] = [Tier::A, Tier::B, Tier::C, Tier::D];

    /// "A", "B", …
    pub fn letter(self) -> &'static str {
        match self {
            Tier::A => "A",
            Tier::B => "B",
            Tier::C => "C",
            Tier::D => "D",
        }
    }

    /// The tier of a letter as `letter` gives it ("A" …), `None` for anything else.
    pub fn from_letter(letter: &str) -> Option<Tier> {
        match letter {
            "A" => Some(Tier::A),
            "B" => Some(Tier::B),
            "C" => Some(Tier::C),
            "D" => Some(Tier::D),
            _ => None,
        }
    }

    /// "A类" in Chinese, "Tier A" in English.
    pub fn label(self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!("{}类", self.letter()),
            Lang::En => format!("Tier {}", self.letter()),
        }
    }

    /// The tier above this one, if any.
    pub fn up(self) -> Option<Tier> {
        match self {
            Tier::A => None,
            Tier::B => Some(Tier::A),
            Tier::C => Some(Tier::B),
            Tier::D => Some(Tier::C),
        }
    }
}

/// The language of labels in exports and messages. Chinese first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    /// Chinese.
    Zh,
    /// English.
    En,
}

/// A user-facing sentence in both languages (reasons, gaps, playbook actions).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Text {
    /// The Chinese text.
    pub zh: String,
    /// The English text.
    pub en: String,
}

impl Text {
    /// A text in both languages.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text { zh: zh.into(), en: en.into() }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Text that many orders repeat (a customer's key, name and phone, a status, a province or city, a
/// product): the import keeps one heap copy per distinct value and every order holds a counted
/// reference to it (8 bytes, no allocation of its own; `orders` interns per file). Reads as a `&str`
/// (`Deref`, [`Shared::as_str`]) and is serialised as a plain string.
///
/// A thin pointer rather than an `Arc<str>`: half the size in every order and item that holds one
/// (six texts per order, two per item; issue 10 item 6: a million orders). `ArcStr` keeps the count,
/// the length and the bytes in one allocation: reading a text is one cache miss after the pointer,
/// where an `Arc<Box<str>>` took two (the count's block, then the bytes), and the import's interner
/// reads every text it is given once (issue 10: ~11 % of a million-order run was that lookup).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shared(arcstr::ArcStr);

impl Shared {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where this copy of the text lives: equal for clones of one `Shared`, different for two copies
    /// of the same text (but every empty text is one static copy). Comparing copies by it reads
    /// neither (see `digest`).
    pub(crate) fn address(&self) -> usize {
        self.0.as_ptr() as usize
    }
}

impl Default for Shared {
    fn default() -> Self {
        Shared(arcstr::ArcStr::new())
    }
}

impl Deref for Shared {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Shared {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Shared {
    fn from(s: &str) -> Self {
        Shared(arcstr::ArcStr::from(s))
    }
}

impl From<String> for Shared {
    fn from(s: String) -> Self {
        Shared(arcstr::ArcStr::from(s))
    }
}

impl From<Shared> for String {
    fn from(s: Shared) -> Self {
        String::from(s.as_str())
    }
}

impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl Serialize for Shared {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Shared {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Shared::from)
    }
}

/// One order after import: item rows of the same order id are already collapsed, excluded statuses
/// and full refunds are already dropped (see `orders`).
///
/// A customer-level sheet (累计消费金额, 消费次数, 最近消费时间) yields one `Order` per customer
/// that stands for `order_count` orders; an order-level row has `order_count == 1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Order {
    /// Index of the source file in the import (0 for the first file).
    pub source: u32,
    /// 1-based row number in the sheet of the first row of this order, for messages.
    pub row: u32,
    /// Platform order id (订单号); `None` when the file has no order id column.
    // A `Box<str>`: 8 bytes less per order than a `String` (a million orders at the import's peak).
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub order_id: Option<Box<str>>,
    /// The normalized customer key (trimmed, full-width folded).
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub customer_key: Shared,
    /// The customer's name or nickname on this order, when the file has one.
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub customer_name: Option<Shared>,
    /// The phone number on this order, when the file has one.
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub phone: Option<Shared>,
    /// When the order was placed (or paid, if that is the only date); midnight when only a date is known.
    pub placed_at: NaiveDateTime,
    /// What the buyer paid for this order, before refunds.
    pub paid: Cents,
    /// Refunded part of `paid` (0 when none). Net revenue is `paid - refund`.
    pub refund: Cents,
    /// Item quantity, when the file has it.
    pub quantity: Option<f64>,
    /// The status text as exported, for display.
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub status: Option<Shared>,
    /// 1 for an order row; N for a customer-level row that summarizes N orders.
    pub order_count: u32,
    /// First purchase date from a customer-level sheet, when it has one.
    pub first_date: Option<NaiveDate>,
    /// Interaction count (互动次数/咨询次数) from a customer-level sheet, for the composite score.
    pub interactions: Option<f64>,
    /// Province and city from the address columns, when the file has any (see `region`).
    #[serde(default)]
    pub region: Option<Region>,
    /// The products of the order, one per item row (empty when the file has no product column; see
    /// `products`).
    #[serde(default, skip_serializing_if = "Items::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Vec<OrderItem>"))]
    pub items: Items,
}

/// An order's items: inline when there is one (most orders), on the heap beyond.
pub type Items = smallvec::SmallVec<[OrderItem; 1]>;

/// One item row of an order: what was bought, and what the file says about its price and cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderItem {
    /// 商品名称 / 商品标题 / 宝贝标题 as exported (trimmed).
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub product: Shared,
    /// SKU / 商家编码 / 商品ID, when the file has one.
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub sku: Option<Shared>,
    /// Pieces on this row (1 when the file says nothing).
    pub quantity: f64,
    /// The line's own revenue when the file gives one: unit price × quantity, or the row's amount when
    /// amounts are per item. `None` when only an order-level amount is known (`products` then splits
    /// the order's amount evenly over its items).
    pub amount: Option<Cents>,
    /// The line's cost (unit cost × quantity, or a cost column), when known.
    pub cost: Option<Cents>,
    /// The line's profit from a 毛利 / 利润 column, when the file has one.
    pub profit: Option<Cents>,
}

/// Where an order was sent: a normalised province (`region::UNKNOWN`, 未知, when the address says
/// nothing recognisable) and the city when the text names one. Read by `region`; here so that
/// `Order` needs nothing above the model.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Region {
    /// 广东, 内蒙古, 北京 … or 未知.
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub province: Shared,
    /// 深圳, 呼和浩特, 北京 … (without 市); `None` when not known.
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub city: Option<Shared>,
}

impl Order {
    /// Revenue this order contributes: paid minus refunds.
    pub fn net(&self) -> Cents {
        self.paid.saturating_sub(self.refund)
    }

    /// Profit this order contributes, when every item's cost or profit is known: the items' 毛利 minus
    /// the refund (a refund is money given back, the goods' cost stays spent) when the file has a
    /// profit column, else net revenue minus the items' cost. `None` for an order without items or
    /// with an item of unknown cost.
    pub fn profit(&self) -> Option<Cents> {
        if self.items.is_empty() {
            return None;
        }
        if let Some(p) = self.items.iter().map(|i| i.profit).sum::<Option<Cents>>() {
            return Some(p.saturating_sub(self.refund));
        }
        let cost = self.items.iter().map(|i| i.cost).sum::<Option<Cents>>()?;
        Some(self.net().saturating_sub(cost))
    }
}

/// All valid orders of one customer key, aggregated (see `customers`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Customer {
    /// The customer key (normalized).
    pub key: String,
    /// Name or nickname on the customer's latest order.
    pub name: String,
    /// The phone number on the latest order, when known.
    pub phone: Option<String>,
    /// F: number of valid orders.
    pub orders: u32,
    /// M: net revenue in fen.
    pub revenue: Cents,
    /// Date of the first order.
    pub first_order: NaiveDate,
    /// Date of the latest order.
    pub last_order: NaiveDate,
    /// Interaction count, when the source has one.
    pub interactions: Option<f64>,
    /// Net profit in fen (revenue minus the cost of what was bought), when the cost of every item of
    /// every order is known (see `Order::profit`); the profit-based ABC classifies on it.
    #[serde(default)]
    pub profit: Option<Cents>,
}

impl Customer {
    /// Average order value in fen (0 for a customer with no orders).
    pub fn aov(&self) -> Cents {
        if self.orders == 0 {
            0
        } else {
            (self.revenue as f64 / self.orders as f64).round() as Cents
        }
    }

    /// R: whole days from the last order to `as_of` (never negative).
    pub fn recency_days(&self, as_of: NaiveDate) -> i64 {
        (as_of - self.last_order).num_days().max(0)
    }
}

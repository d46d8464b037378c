//! From mapped rows to `Order`s: status and refund rules, item rows collapsed per order id,
//! duplicates across files counted once, and the skip counts for the import report.
//!
//! The rules, in the order they are applied to an order:
//!
//! 1. Totals rows (合计/总计/小计/汇总 in the first cells) and blank rows are skipped.
//! 2. Rows sharing an order id (in one file) are the item rows of one order. Whether a money column
//!    is order-level (the same value repeated on every item row: counted once) or item-level (one
//!    value per item: summed) is decided per file from evidence over all its orders, and reported:
//!    the amount is per item when it differs between the rows of an order in at least a fifth of
//!    the multi-row orders; the refund is per item when the amounts are, or when the refund or the
//!    after-sales status differs between the rows of any one order in the file. A per-item refund
//!    is then summed over the order's rows even where two items were refunded the same amount.
//!    子订单编号 never identifies an order.
//! 3. An order id already imported from an earlier file (same platform layout) is a duplicate.
//!    Rows without an order id are deduplicated by their full content (key, time, amount and refund
//!    as parsed values, every other cell as text):
//!    a row is a duplicate when an earlier file already had that many identical rows — identical
//!    rows inside one file are kept, because without an id nothing says they are not two orders.
//! 4. Status: the rule table ([`StatusRules`], first match wins) decides Count / Exclude / Refunded;
//!    an after-sales status (售后状态) can only mark an order refunded (退款成功), never exclude it
//!    (售后关闭 means the refund was closed and the order stands), and never revives an order whose
//!    own status excludes it: a closed order (交易关闭) is never revenue, whatever the refund columns say.
//! 5. Unpaid: when the file has a payment-time column besides the order date, an order whose
//!    payment time is empty is excluded as unpaid — unless its status explicitly says it counts
//!    (e.g. 已完成 with an empty time is a cash-on-delivery or platform quirk; we trust the status).
//!    A status-less row with an empty payment time is therefore excluded: in every export we know,
//!    an empty 支付时间 means the order was never paid.
//! 6. Refunds: refund ≥ paid (paid > 0) is a full refund (excluded); a partial refund is kept in
//!    `Order::refund` and subtracted from revenue. A negative net (a return line in a wholesaler's
//!    sheet) is kept with `order_count = 0` so it reduces revenue without adding an order.
//! 7. A paid ¥0 order (free gift, 0 元试用) is a purchase: an order with ¥0 revenue, which also
//!    keeps a customer whose only orders are ¥0 (it is their recency). The report counts them;
//!    `ImportOptions::skip_zero_amount` leaves them out instead (skip reason `ZeroAmount`).
//! 8. Money beyond [`MAX_ORDER_CENTS`] (¥1 亿) on a row or summed over an order is no real order
//!    (a broken cell, a hostile file): the order is skipped as `AmountTooLarge` with the row and
//!    value as an example, so that no sum downstream can come near the range of the money type.
//!
//! What this module does not do: read files (`source`), choose columns (`mapping`), aggregate
//! customers (`customers`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap as HashMap, FxHasher as DefaultHasher};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::cell;
use crate::mapping::{self, Level, Resolved};
use crate::model::{Cents, Order, OrderItem, Region, Shared};
use crate::report::{SkipReason, Skipped, Warning};
use crate::source::Cell;

/// What a status rule does to an order whose status (or after-sales status) matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The order counts.
    Count,
    /// Exclude as closed, cancelled or unpaid.
    Exclude,
    /// Exclude as fully refunded (reported separately from closed/cancelled).
    Refunded,
}

/// One visible, editable rule: statuses containing `pattern` get `effect`. First match wins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusRule {
    /// Text a status must contain for the rule to apply.
    pub pattern: String,
    /// What a matching status does to the order.
    pub effect: Effect,
}

/// The rule table; statuses that match no rule are counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusRules {
    /// The rules, first match wins.
    pub rules: Vec<StatusRule>,
}

impl Default for StatusRules {
    /// The statuses of 微信小店/视频号小店, 淘宝/天猫, 拼多多 and 有赞 exports. Order matters: partial
    /// refunds count (the refund column reduces revenue) before any 退款 rule; refunds before
    /// closures; closures and unpaid before the counted states (so 等待买家付款 is not "付款").
    fn default() -> Self {
        use Effect::*;
        let table: &[(&str, Effect)] = &[
            ("部分退款", Count),
            ("partially refunded", Count),
            ("partially_refunded", Count),
            ("partial refund", Count),
            ("退款关闭", Count),
            ("已退款", Refunded),
            ("退款成功", Refunded),
            ("全额退款", Refunded),
            ("退款完成", Refunded),
            ("已全额退款", Refunded),
            ("退货成功", Refunded),
            ("已拒收", Refunded),
            ("拒签", Refunded),
            ("refunded", Refunded),
            ("returned", Refunded),
            ("已关闭", Exclude),
            ("交易关闭", Exclude),
            ("订单关闭", Exclude),
            ("已取消", Exclude),
            ("取消", Exclude),
            ("已作废", Exclude),
            ("作废", Exclude),
            ("待付款", Exclude),
            ("等待买家付款", Exclude),
            ("未付款", Exclude),
            ("待支付", Exclude),
            ("未支付", Exclude),
            ("已失效", Exclude),
            ("cancel", Exclude),
            ("void", Exclude),
            ("closed", Exclude),
            ("unpaid", Exclude),
            ("not paid", Exclude),
            ("awaiting payment", Exclude),
            ("pending", Exclude),
            ("failed", Exclude),
            ("expired", Exclude),
            ("unavailable", Exclude),
            ("已完成", Count),
            ("交易成功", Count),
            ("交易完成", Count),
            ("订单完成", Count),
            ("已发货", Count),
            ("待发货", Count),
            ("待收货", Count),
            ("已收货", Count),
            ("已付款", Count),
            ("已支付", Count),
            ("买家已付款", Count),
            ("卖家已发货", Count),
            ("等待卖家发货", Count),
            ("等待买家确认收货", Count),
            ("已签收", Count),
            ("待签收", Count),
            ("未发货", Count),
            ("售后中", Count),
            ("退款中", Count),
            ("待成团", Count),
            ("拼团成功", Count),
            ("completed", Count),
            ("delivered", Count),
            ("shipped", Count),
            ("paid", Count),
        ];
        StatusRules { rules: table.iter().map(|(p, e)| StatusRule { pattern: (*p).to_owned(), effect: *e }).collect() }
    }
}

impl StatusRules {
    /// The effect of the first rule whose pattern the status contains (ASCII letters compared
    /// without case: `Cancelled` matches `cancel`); `None` when no rule matches.
    pub fn effect(&self, status: &str) -> Option<Effect> {
        let s = cell::trim(status).to_ascii_lowercase();
        if s.is_empty() {
            return None;
        }
        self.rules
            .iter()
            .find(|r| !r.pattern.is_empty() && s.contains(r.pattern.to_ascii_lowercase().as_str()))
            .map(|r| r.effect)
    }
}

/// The most money one order (one row, or one order's item rows together) may carry: ¥1 亿
/// (100,000,000 yuan) in fen. Far above any retail order, and small enough that a billion such
/// orders still sum inside `i64` — so a file with absurd amounts (a broken cell, a hostile file)
/// is reported instead of wrapping a total negative.
pub const MAX_ORDER_CENTS: Cents = 100_000_000 * 100;

/// Words that mark a totals row in the first cells.
const TOTALS: [&str; 6] = ["合计", "总计", "小计", "汇总", "total", "Total"];

/// True when one of the first three cells starts with 合计/总计/小计/汇总/Total.
pub fn is_totals_row(cells: &[Cell]) -> bool {
    cells.iter().take(3).any(|c| match c {
        Cell::Text(s) => {
            let t = cell::trim(s);
            let t = t.trim_start_matches(['（', '(', '【', '[']);
            TOTALS.iter().any(|w| t.starts_with(w)) && t.chars().count() <= 12
        }
        _ => false,
    })
}

/// How an amount repeated on item rows was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemAmounts {
    /// The same order-level amount on every item row: counted once.
    Repeated,
    /// Per-item amounts: summed.
    PerItem,
}

/// Finds an index by a string key without storing the string twice: the map holds only 32 bits of
/// the hash (8 bytes an entry instead of 16: the table is reserved for every row of a big file), the
/// string lives in the order; a hash collision falls back to a small exact map.
#[derive(Default)]
struct IdIndex {
    by_hash: HashMap<u32, u32>,
    overflow: HashMap<(u64, String), u32>,
}

impl IdIndex {
    /// `h` is `hash_id(fp, id)`, computed once per row by the caller.
    fn get(&self, h: u64, fp: u64, id: &str, stored: impl Fn(u32) -> bool) -> Option<u32> {
        let i = *self.by_hash.get(&(h as u32))?;
        if stored(i) {
            return Some(i);
        }
        self.overflow.get(&(fp, id.to_owned())).copied()
    }

    fn insert(&mut self, h: u64, fp: u64, id: &str, i: u32) {
        match self.by_hash.entry(h as u32) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.overflow.insert((fp, id.to_owned()), i);
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
        }
    }
}

fn hash_id(fp: u64, id: &str) -> u64 {
    let mut h = DefaultHasher::default();
    fp.hash(&mut h);
    id.hash(&mut h);
    h.finish()
}

/// One copy per distinct text of a file (names, phones, statuses, provinces and cities, products; the
/// customer keys have [`CustomerTexts`]): the orders share it (see `Shared`). A million orders of 200k
/// customers otherwise hold a million copies of each.
#[derive(Default)]
pub(crate) struct Interner(rustc_hash::FxHashSet<Shared>);

impl Interner {
    pub(crate) fn get(&mut self, text: &str) -> Shared {
        if let Some(s) = self.0.get(text) {
            return s.clone();
        }
        let s = Shared::from(text);
        self.0.insert(s.clone());
        s
    }

    fn region(&mut self, r: Region) -> Region {
        Region { province: self.get(&r.province), city: r.city.map(|c| self.get(&c)) }
    }
}

/// Each customer key of a file (its one copy: the keys are interned here, not in [`Interner`]) with
/// the name and phone of its last row in the file (copies from the file's `Interner`).
///
/// A customer's rows mostly repeat their name and phone: compared with the ones their key's last row
/// had (one read of each), they skip the interner, whose table is as large as the file's distinct
/// texts — a probe there is ~3 cache misses (control bytes, slot, text), and a million orders' names
/// and phones were most of its ~11 % of the run (issue 10). What the orders get is the same: the
/// names and phones are the interner's copies either way. The keys stay out of the interner's table
/// so that this one's entries do not add to the reading's memory peak (a million orders, ~240k keys).
#[derive(Default)]
struct CustomerTexts(rustc_hash::FxHashMap<Shared, (Option<Shared>, Option<Shared>)>);

impl CustomerTexts {
    /// The key's copy (this table's) and the name's and phone's (`texts`'s, as `texts.get` gives them).
    fn get(
        &mut self,
        texts: &mut Interner,
        key: &str,
        name: Option<&str>,
        phone: Option<&str>,
    ) -> (Shared, Option<Shared>, Option<Shared>) {
        let same = |known: &Option<Shared>, now: Option<&str>| known.as_deref() == now;
        let key = match self.0.get_key_value(key) {
            Some((k, (n, p))) if same(n, name) && same(p, phone) => return (k.clone(), n.clone(), p.clone()),
            Some((k, _)) => k.clone(),
            None => Shared::from(key),
        };
        let (name, phone) = (name.map(|t| texts.get(t)), phone.map(|t| texts.get(t)));
        self.0.insert(key.clone(), (name.clone(), phone.clone()));
        (key, name, phone)
    }

    /// The key's copy alone (its name and phone, if known, unchanged).
    fn key(&mut self, key: &str) -> Shared {
        match self.0.get_key_value(key) {
            Some((k, _)) => k.clone(),
            None => {
                let k = Shared::from(key);
                self.0.insert(k.clone(), (None, None));
                k
            }
        }
    }
}

/// All files' orders so far, deduplicated; files are added one at a time with [`FileOrders`].
#[derive(Default)]
pub struct OrderSet {
    orders: Vec<Order>,
    fingerprints: Vec<u64>,
    ids: IdIndex,
    /// Orders `..indexed` are in `ids`; the index is built only when another file follows, so a
    /// one-file import never pays for it.
    indexed: usize,
    /// Content hash of an id-less row → how many such rows the file with the most of them had.
    contents: HashMap<u64, u32>,
}

impl OrderSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The orders kept so far.
    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    /// Takes the orders out.
    pub fn into_orders(self) -> Vec<Order> {
        self.orders
    }

    /// Indexes the order ids added since the last call; call before reading another file.
    pub fn prepare_next_file(&mut self) {
        for i in self.indexed..self.orders.len() {
            let (Some(order), Some(fp)) = (self.orders.get(i), self.fingerprints.get(i)) else {
                break;
            };
            if let Some(id) = order.order_id.as_deref() {
                self.ids.insert(hash_id(*fp, id), *fp, id, i as u32);
            }
        }
        self.indexed = self.orders.len();
    }

    fn has_id(&self, h: u64, fp: u64, id: &str) -> bool {
        if self.indexed == 0 {
            return false;
        }
        self.ids
            .get(h, fp, id, |i| {
                let i = i as usize;
                self.fingerprints.get(i) == Some(&fp)
                    && self.orders.get(i).and_then(|o| o.order_id.as_deref()) == Some(id)
            })
            .is_some()
    }

    /// Moves a finished file's orders into the set (the outcome keeps its counts).
    pub fn add(&mut self, out: &mut FileOutcome) {
        let n = out.orders.len();
        self.fingerprints.resize(self.fingerprints.len() + n, out.fingerprint);
        if self.orders.is_empty() {
            self.orders = std::mem::take(&mut out.orders);
        } else {
            self.orders.append(&mut out.orders);
        }
        for (h, n) in &out.contents {
            let e = self.contents.entry(*h).or_insert(0);
            *e = (*e).max(*n);
        }
        out.contents.clear();
    }
}

/// The result of one file: its orders (moved into the [`OrderSet`]) and report material.
#[derive(Default)]
pub struct FileOutcome {
    /// The file's valid orders.
    pub orders: Vec<Order>,
    /// Data rows read.
    pub rows_read: u64,
    /// Orders kept.
    pub orders_kept: u64,
    /// Rows skipped, by reason.
    pub skipped: Vec<Skipped>,
    /// What the user should know about this file.
    pub warnings: Vec<Warning>,
    /// Date of the earliest kept order.
    pub first_date: Option<NaiveDate>,
    /// Date of the latest kept order.
    pub last_date: Option<NaiveDate>,
    /// Non-empty amount cells and how many of them parsed; the first unreadable one as an example.
    pub amount_cells: u64,
    /// See `amount_cells`.
    pub amount_readable: u64,
    /// See `amount_cells`: (row, cell text).
    pub amount_example: Option<(u32, String)>,
    /// Rows that were neither blank nor totals rows.
    pub data_rows: u64,
    /// Order ids this file shows closed, cancelled or fully refunded: a workspace that stored one of
    /// them from an earlier export (when it still counted) takes it out.
    pub withdrawn: Vec<String>,
    /// The first amount beyond [`MAX_ORDER_CENTS`] (row, cell text), for the report and the error
    /// of a file that has nothing else.
    pub too_large_example: Option<(u32, String)>,
    fingerprint: u64,
    contents: HashMap<u64, u32>,
}

/// One order being assembled from its item rows.
struct Acc {
    /// Row effects seen: any counted, any refunded.
    any_count: bool,
    any_refunded: bool,
    rows: u32,
    /// The first row's amount (meaningful once `amounts_seen > 0`: no `Option`, so that a million
    /// accumulators take 64 bytes each instead of 80, issue 10 item 6).
    amount_first: Cents,
    amounts_equal: bool,
    amounts_seen: u32,
    /// Sum of the amounts of rows not excluded, and of the refunds of counted rows plus the amounts
    /// of refunded rows (for per-item amounts).
    paid_live: Cents,
    refund_live: Cents,
    /// The first row's refund (meaningful once `rows > 0`, else 0).
    refund_first: Cents,
    refunds_equal: bool,
    refund_all: Cents,
    /// The first row's effect, and whether every row had the same one (an item refunded on its
    /// own row shows that the refund column is per item).
    effect_first: Option<Effect>,
    effects_equal: bool,
    /// A row's amount or refund is beyond [`MAX_ORDER_CENTS`].
    too_large: bool,
    first_row: u32,
    has_date: bool,
    /// The order's date was a year-last date like `3/5/2025`, read month first until the file
    /// shows which order it uses (see `finish`).
    date_ambiguous: bool,
    has_key: bool,
    /// A customer of a customer list who never bought: no last purchase date and 0 purchases (or
    /// ¥0 and no count column). Dated in `finish`, not skipped for the missing date.
    never_bought: bool,
}

impl Acc {
    /// A fresh order's accumulator, first seen on `row`.
    fn new(row: u32, has_key: bool) -> Acc {
        Acc {
            any_count: false,
            any_refunded: false,
            rows: 0,
            amount_first: 0,
            amounts_equal: true,
            amounts_seen: 0,
            paid_live: 0,
            refund_live: 0,
            refund_first: 0,
            refunds_equal: true,
            refund_all: 0,
            effect_first: None,
            effects_equal: true,
            too_large: false,
            first_row: row,
            has_date: false,
            date_ambiguous: false,
            has_key,
            never_bought: false,
        }
    }
}

/// Accumulates the rows of one file (all its sheets) into orders.
pub struct FileOrders<'a> {
    set: &'a OrderSet,
    source: u32,
    fingerprint: u64,
    map: Resolved,
    level: Level,
    rules: &'a StatusRules,
    status_cache: HashMap<String, Option<Effect>>,
    texts: Interner,
    customer_texts: CustomerTexts,
    accs: Vec<Acc>,
    /// The orders being built, parallel to `accs` (kept apart so that finishing filters them in
    /// place instead of copying a million orders into a new vector).
    orders: Vec<Order>,
    ids: IdIndex,
    contents: HashMap<u64, u32>,
    skips: BTreeMap<SkipReason, (u64, Vec<u32>)>,
    rows_read: u64,
    data_rows: u64,
    duplicate_orders: u64,
    duplicate_seen: HashMap<u64, ()>,
    lossy_ids: u64,
    amount_cells: u64,
    amount_readable: u64,
    amount_example: Option<(u32, String)>,
    unpaid: u64,
    /// Customer ids stored as numbers of 16+ digits (may already have lost digits).
    lossy_keys: u64,
    /// The order of the previous row, for item rows under merged cells.
    last_order: Option<u32>,
    merged_rows: u64,
    /// Year-last dates that prove month-first (`12/25/2010`) or day-first (`25/12/2010`) order, and
    /// those that could be either.
    month_first_dates: u64,
    day_first_dates: u64,
    ambiguous_dates: u64,
    /// Leave ¥0 orders out instead of counting them as ¥0 purchases.
    skip_zero_amount: bool,
    /// The first amount beyond [`MAX_ORDER_CENTS`]: row and cell text.
    too_large_example: Option<(u32, String)>,
    /// The day a customer list's days-since-last-purchase count back from (see
    /// [`FileOrders::recency_reference`]).
    recency_reference: Option<NaiveDate>,
}

impl<'a> FileOrders<'a> {
    /// Starts a file. `fingerprint` identifies the platform layout (orders are unique per
    /// fingerprint and order id); `source` is the file's index in the import.
    pub fn new(
        set: &'a OrderSet,
        source: u32,
        fingerprint: u64,
        map: Resolved,
        level: Level,
        rules: &'a StatusRules,
    ) -> Self {
        FileOrders {
            set,
            source,
            fingerprint,
            map,
            level,
            rules,
            status_cache: HashMap::default(),
            texts: Interner::default(),
            customer_texts: CustomerTexts::default(),
            accs: Vec::new(),
            orders: Vec::new(),
            ids: IdIndex::default(),
            contents: HashMap::default(),
            skips: BTreeMap::new(),
            rows_read: 0,
            data_rows: 0,
            duplicate_orders: 0,
            duplicate_seen: HashMap::default(),
            lossy_ids: 0,
            amount_cells: 0,
            amount_readable: 0,
            amount_example: None,
            unpaid: 0,
            lossy_keys: 0,
            last_order: None,
            merged_rows: 0,
            month_first_dates: 0,
            day_first_dates: 0,
            ambiguous_dates: 0,
            skip_zero_amount: false,
            too_large_example: None,
            recency_reference: None,
        }
    }

    /// Makes room for about `rows` orders at once, so a big file's order list is not grown by
    /// doubling (each doubling briefly holds the old and the new list: the import's memory peak).
    /// Callers bound `rows` by the file's size; a declared row count alone is not to be trusted.
    pub fn reserve(&mut self, rows: usize) {
        self.orders.reserve(rows);
        self.accs.reserve(rows);
        if self.level == Level::Orders && self.map.order_id.is_some() {
            // The id index's last doubling would fall near the end of a big file, at the peak.
            self.ids.by_hash.reserve(rows);
        }
    }

    /// Leaves paid ¥0 orders out (skip reason `ZeroAmount`) instead of counting them as ¥0 purchases.
    pub fn skip_zero_amount(mut self, skip: bool) -> Self {
        self.skip_zero_amount = skip;
        self
    }

    /// The day a customer list's days since the last purchase (`Role::RecencyDays`) count back
    /// from: the day the list was made, as far as anyone can tell. Without it such rows have no date.
    pub fn recency_reference(mut self, day: NaiveDate) -> Self {
        self.recency_reference = Some(day);
        self
    }

    /// The last purchase of a row that gives days since it instead of a date: whole days back from
    /// the reference day (fractions round; negative or over a century is no date).
    fn recency_date(&self, c: &Cell) -> Option<(NaiveDateTime, bool)> {
        let days = cell::parse_number(c).filter(|d| d.is_finite() && (0.0..=36_525.0).contains(d))?;
        let day = self.recency_reference?.checked_sub_days(chrono::Days::new(days.round() as u64))?;
        Some((day.and_hms_opt(0, 0, 0)?, false))
    }

    /// The row's amount: the amount column, or quantity × unit price when the sheet has none (an
    /// empty quantity is one piece). `None` when unreadable.
    fn row_amount(&self, cells: &[Cell]) -> Option<Cents> {
        let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).unwrap_or(&Cell::Empty);
        if self.map.amount.is_some() {
            return parse_money(get(self.map.amount), self.map.amount_in_fen);
        }
        let price = cell::parse_amount(get(self.map.unit_price))?;
        let quantity = match get(self.map.quantity) {
            q if cell::is_empty(q) => 1.0,
            q => cell::parse_number(q)?,
        };
        cell::cents_from_f64(price as f64 * quantity / 100.0)
    }

    /// Parses a date cell, counting what year-last dates say about the file's day order.
    fn row_date(&mut self, c: &Cell) -> Option<(NaiveDateTime, bool)> {
        let (dt, order) = cell::parse_datetime_ordered(c)?;
        match order {
            cell::DayOrder::MonthFirst => self.month_first_dates += 1,
            cell::DayOrder::DayFirst => self.day_first_dates += 1,
            cell::DayOrder::Ambiguous => self.ambiguous_dates += 1,
            cell::DayOrder::YearFirst => {}
        }
        Some((dt, order == cell::DayOrder::Ambiguous))
    }

    fn skip(&mut self, reason: SkipReason, row: u32) {
        let e = self.skips.entry(reason).or_insert((0, Vec::new()));
        e.0 += 1;
        if e.1.len() < 5 {
            e.1.push(row);
        }
    }

    fn status_effect(&mut self, text: &str) -> Option<Effect> {
        if let Some(e) = self.status_cache.get(text) {
            return *e;
        }
        let e = self.rules.effect(text);
        if self.status_cache.len() < 10_000 {
            self.status_cache.insert(text.to_owned(), e);
        }
        e
    }

    /// The row's effect from the status, the after-sales status and the payment time; `None` when
    /// nothing on the row decides it (it counts). An empty payment time on a row that continues an
    /// order already read (`continues`) is that order's, not an unpaid order.
    fn row_effect(&mut self, cells: &[Cell], amount: Option<Cents>, refund: Cents, continues: bool) -> Option<Effect> {
        let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).unwrap_or(&Cell::Empty);
        let mut effect = match cell::text(get(self.map.status)) {
            Some(s) => self.status_effect(&s),
            None => None,
        };
        if let Some(s) = cell::text(get(self.map.after_sales)).filter(|_| effect != Some(Effect::Exclude)) {
            // A closed or cancelled order stays excluded: 交易关闭 with 退款成功 is a refunded,
            // closed order, and its refund columns must not turn it back into a partial refund.
            if self.status_effect(&s) == Some(Effect::Refunded) {
                effect = Some(Effect::Refunded);
            }
        }
        if effect.is_none() && !continues && self.map.paid_at.is_some() && cell::is_empty(get(self.map.paid_at)) {
            self.unpaid += 1;
            effect = Some(Effect::Exclude);
        }
        // 退款成功 with a refund smaller than the amount is a partial refund: the order stands.
        if effect == Some(Effect::Refunded) && refund > 0 && amount.is_some_and(|a| refund < a) {
            effect = Some(Effect::Count);
        }
        effect
    }

    /// Whether the row is a later item row of an order already read in this file that leaves the
    /// order's status and payment time empty: Shopify repeats only the order's name on them, so
    /// they say nothing about payment and must not read as unpaid (losing their products). Looked
    /// up only for rows with an empty payment time, which are few in a paid-order export.
    fn continues_an_order(&self, cells: &[Cell]) -> bool {
        let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).unwrap_or(&Cell::Empty);
        if self.level != Level::Orders
            || self.map.paid_at.is_none()
            || !cell::is_empty(get(self.map.paid_at))
            || !cell::is_empty(get(self.map.status))
            || !cell::is_empty(get(self.map.after_sales))
        {
            return false;
        }
        let Some(id) = id_text(get(self.map.order_id)) else { return false };
        let h = hash_id(self.fingerprint, &id);
        let orders = &self.orders;
        self.ids
            .get(h, self.fingerprint, &id, |i| {
                orders.get(i as usize).and_then(|o| o.order_id.as_deref()) == Some(id.as_ref())
            })
            .is_some()
    }

    /// The identity of an order without an id: its customer, date, money and other cells' text.
    fn content_hash(
        &self,
        cells: &[Cell],
        placed_at: Option<NaiveDateTime>,
        amount: Option<Cents>,
        refund: Cents,
    ) -> u64 {
        let mut h = DefaultHasher::default();
        self.fingerprint.hash(&mut h);
        self.key(cells).hash(&mut h);
        placed_at.hash(&mut h);
        amount.hash(&mut h);
        refund.hash(&mut h);
        // The other cells too (product, quantity, note …), as text so that a number cell in
        // an xlsx and the same number in a CSV hash alike; the parsed roles above already
        // absorb the formatting differences of money and dates.
        let m = &self.map;
        let parsed = [m.amount, m.refund, m.date, m.paid_at];
        for (i, c) in cells.iter().enumerate() {
            // Empty cells are left out: readers differ in whether trailing blanks exist.
            if let Some(t) = cell::text(c).filter(|_| !parsed.contains(&Some(i)) && !m.key.contains(&i)) {
                i.hash(&mut h);
                t.hash(&mut h);
            }
        }
        h.finish()
    }

    /// Feeds one data row (`index` is the 0-based row index in the sheet).
    pub fn push_row(&mut self, index: usize, cells: &[Cell]) {
        let row = u32::try_from(index + 1).unwrap_or(u32::MAX);
        self.rows_read += 1;
        if cells.iter().all(cell::is_empty) {
            self.last_order = None;
            self.skip(SkipReason::Blank, row);
            return;
        }
        if is_totals_row(cells) {
            self.last_order = None;
            self.skip(SkipReason::TotalsRow, row);
            return;
        }
        self.data_rows += 1;
        let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).unwrap_or(&Cell::Empty);

        // Amount (counted for the "all amounts unreadable" check).
        let amount_cell = get(self.map.amount.or(self.map.unit_price));
        let amount = self.row_amount(cells);
        if amount.is_none() && mapping::header_score(cells) > 0 {
            // The header again (several exports pasted into one sheet).
            self.skip(SkipReason::RepeatedHeader, row);
            self.data_rows -= 1;
            self.last_order = None;
            return;
        }
        self.note_amount_cell(row, amount_cell, amount.is_some());
        let refund_cell = get(self.map.refund);
        let refund = parse_money(refund_cell, self.map.refund_in_fen).unwrap_or(0);
        let (amount, refund, too_large) = self.within_ceiling(row, (amount, amount_cell), (refund, refund_cell));

        let continues = self.continues_an_order(cells);
        let explicit = self.row_effect(cells, amount, refund, continues);
        let effect = explicit.unwrap_or(Effect::Count);
        // A refunded or excluded item row bought nothing.
        let item = if effect == Effect::Count { self.row_item(cells, amount) } else { None };

        let date = self.row_date(get(self.map.date));
        let date = date.or_else(|| self.row_date(get(self.map.paid_at)));
        // A customer list with days since the last purchase where a date would be (only with a
        // reference day, which the import sets for a sheet without a date column).
        let dated_back = if date.is_none() { self.recency_date(get(self.map.recency_days)) } else { None };
        let date = date.or(dated_back);
        let placed_at = date.map(|d| d.0);

        // The order this row belongs to.
        let id = if self.level == Level::Orders { id_text(get(self.map.order_id)) } else { None };
        if let Some(id) = &id {
            if matches!(get(self.map.order_id), Cell::Number(_)) && id.len() >= 16 {
                self.lossy_ids += 1;
            }
            let h = hash_id(self.fingerprint, id);
            if self.set.has_id(h, self.fingerprint, id) {
                if self.duplicate_seen.insert(h, ()).is_none() {
                    self.duplicate_orders += 1;
                }
                self.skip(SkipReason::Duplicate, row);
                self.last_order = None;
                return;
            }
            let orders = &self.orders;
            if let Some(i) = self.ids.get(h, self.fingerprint, id, |i| {
                orders.get(i as usize).and_then(|o| o.order_id.as_deref()) == Some(id.as_ref())
            }) {
                let key = if self.accs.get(i as usize).is_some_and(|a| !a.has_key) { self.key(cells) } else { None };
                let key = key.map(|k| self.customer_texts.key(&k));
                self.last_order = Some(i);
                if let (Some(acc), Some(order)) = (self.accs.get_mut(i as usize), self.orders.get_mut(i as usize)) {
                    let effect = if continues { None } else { Some(effect) };
                    merge_row(acc, order, amount, refund, effect, date, get(self.map.quantity));
                    acc.too_large |= too_large;
                    order.items.extend(item);
                    if let Some(k) = key {
                        order.customer_key = k;
                        acc.has_key = true;
                    }
                }
                return;
            }
        } else if let Some(i) =
            self.last_order.filter(|_| self.map.order_id.is_some() && placed_at.is_none() && self.key(cells).is_none())
        {
            // Neither order id nor customer: an item row under merged order cells (ERP exports
            // merge the order-level cells of an order's item rows; only the first row has values).
            self.merged_rows += 1;
            if let (Some(acc), Some(order)) = (self.accs.get_mut(i as usize), self.orders.get_mut(i as usize)) {
                merge_row(acc, order, amount, refund, explicit, date, get(self.map.quantity));
                acc.too_large |= too_large;
                order.items.extend(item);
            }
            return;
        } else {
            // No order id: deduplicate by content against earlier files.
            // A date counted back from the file's day would differ between two copies of one
            // list; the days themselves are among the cells hashed.
            let hashed_date = if dated_back.is_some() { None } else { placed_at };
            let h = self.content_hash(cells, hashed_date, amount, refund);
            let n = self.contents.entry(h).or_insert(0);
            *n += 1;
            if *n <= self.set.contents.get(&h).copied().unwrap_or(0) {
                self.skip(SkipReason::Duplicate, row);
                self.duplicate_orders += 1;
                return;
            }
        }

        let key = self.key(cells);
        // Only number cells can have lost digits (text ids are exact): 16+ digits is ≥ 1e15.
        if self.map.key.iter().any(|i| matches!(cells.get(*i), Some(Cell::Number(x)) if x.abs() >= 1e15)) {
            self.lossy_keys += 1;
        }
        let name = self.map.name.and_then(|i| cells.get(i)).and_then(cell::text);
        let phone = self.map.phone.and_then(|i| cells.get(i)).and_then(cell::text);
        let (customer_key, name, phone) = self.customer_texts.get(
            &mut self.texts,
            key.as_deref().unwrap_or_default(),
            name.as_deref().map(cell::trim),
            phone.as_deref(),
        );
        let status = cell::text(get(self.map.status)).map(|t| self.texts.get(&t));
        let region = self.row_region(cells).map(|r| self.texts.region(r));
        let (order_count, first_date, interactions) = if self.level == Level::Customers {
            let n = cell::parse_number(get(self.map.order_count)).map(|x| x.round().max(0.0) as u32);
            (
                n.unwrap_or(1),
                parse_date_cell(get(self.map.first_date)).map(|d| d.date()),
                cell::parse_number(get(self.map.interactions)),
            )
        } else {
            (1, None, None)
        };
        let mut order = Order {
            source: self.source,
            row,
            order_id: id.as_deref().map(Box::from),
            customer_key,
            customer_name: name,
            phone,
            placed_at: placed_at.unwrap_or_default(),
            paid: 0,
            refund: 0,
            quantity: None,
            status,
            order_count,
            first_date,
            interactions,
            region,
            items: item.into_iter().collect(),
        };
        // A customer of a list who never bought is a customer with 0 orders, not a row without a date.
        let never_bought = self.level == Level::Customers
            && date.is_none()
            && cell::is_empty(get(self.map.date))
            && match cell::parse_number(get(self.map.order_count)) {
                Some(n) => n == 0.0,
                None => self.map.order_count.is_none() && amount == Some(0),
            };
        let amount = if never_bought && amount.is_none() && cell::is_empty(amount_cell) { Some(0) } else { amount };
        if never_bought {
            order.order_count = 0;
        }
        let mut acc = Acc::new(row, key.is_some());
        acc.too_large = too_large;
        acc.never_bought = never_bought;
        merge_row(&mut acc, &mut order, amount, refund, Some(effect), date, get(self.map.quantity));
        let i = self.accs.len() as u32;
        self.last_order = id.is_some().then_some(i);
        if let Some(id) = &id {
            self.ids.insert(hash_id(self.fingerprint, id), self.fingerprint, id, i);
        }
        self.accs.push(acc);
        self.orders.push(order);
    }

    /// The product bought on a row (`None` when the file has no product column or the row names
    /// none). Its amount is unit price × quantity when the file has a unit price, else the row's amount
    /// (cleared in `finish` when the file's amounts turn out to be the order's, repeated per row).
    fn row_item(&mut self, cells: &[Cell], row_amount: Option<Cents>) -> Option<OrderItem> {
        let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).unwrap_or(&Cell::Empty);
        let text = |i: Option<usize>| cell::text(get(i)).map(|t| clean_name(&t)).filter(|t| !t.is_empty());
        let sku = text(self.map.sku);
        let product = text(self.map.product).or_else(|| self.map.product.and(sku.clone()))?;
        let quantity = cell::parse_number(get(self.map.quantity)).filter(|q| *q > 0.0).unwrap_or(1.0);
        let amount = match self.map.unit_price {
            Some(_) => cell::parse_amount(get(self.map.unit_price))
                .and_then(|price| cell::cents_from_f64(price as f64 * quantity / 100.0)),
            None => row_amount,
        };
        let cost = match self.map.cost {
            Some(i) => parse_money(get(Some(i)), false),
            None => cell::parse_amount(get(self.map.unit_cost))
                .and_then(|unit| cell::cents_from_f64(unit as f64 * quantity / 100.0)),
        };
        let profit = self.map.profit.and_then(|i| parse_money(get(Some(i)), false));
        let (product, sku) = (self.texts.get(&product), sku.map(|s| self.texts.get(&s)));
        Some(OrderItem { product, sku, quantity, amount, cost, profit })
    }

    /// The province and city of a row from its address / province / city cells (`None` when the file
    /// has none of those columns or they are empty on this row).
    fn row_region(&self, cells: &[Cell]) -> Option<crate::region::Region> {
        if self.map.address.is_none() && self.map.province.is_none() && self.map.city.is_none() {
            return None;
        }
        let text = |i: Option<usize>| i.and_then(|i| cells.get(i)).and_then(cell::text);
        let (province, city, address) = (text(self.map.province), text(self.map.city), text(self.map.address));
        crate::region::from_cells(province.as_deref(), city.as_deref(), address.as_deref())
    }

    /// Counts an amount cell for the "all amounts unreadable" check and keeps the first unreadable
    /// one as the example.
    fn note_amount_cell(&mut self, row: u32, amount_cell: &Cell, readable: bool) {
        if cell::is_empty(amount_cell) && !matches!(amount_cell, Cell::Error(_)) {
            return;
        }
        self.amount_cells += 1;
        if readable {
            self.amount_readable += 1;
        } else if self.amount_example.is_none() {
            let shown = match amount_cell {
                Cell::Error(e) => e.clone(),
                other => cell::text(other).map(Cow::into_owned).unwrap_or_default(),
            };
            self.amount_example = Some((row, shown));
        }
    }

    /// Checks a row's money against [`MAX_ORDER_CENTS`]: whether it is beyond (the first such cell
    /// is kept as the report's example) and the amount and refund clamped just past the ceiling —
    /// the order is skipped in `finish`, and meanwhile no running sum gets near the money type's limits.
    fn within_ceiling(
        &mut self,
        row: u32,
        (amount, amount_cell): (Option<Cents>, &Cell),
        (refund, refund_cell): (Cents, &Cell),
    ) -> (Option<Cents>, Cents, bool) {
        let beyond = |v: Cents| v.unsigned_abs() > MAX_ORDER_CENTS.unsigned_abs();
        let amount_beyond = amount.is_some_and(beyond);
        let too_large = amount_beyond || beyond(refund);
        if too_large && self.too_large_example.is_none() {
            let big = if amount_beyond { amount_cell } else { refund_cell };
            self.too_large_example = Some((row, cell::text(big).map(Cow::into_owned).unwrap_or_default()));
        }
        let clamp = |v: Cents| v.clamp(-MAX_ORDER_CENTS - 1, MAX_ORDER_CENTS + 1);
        (amount.map(clamp), clamp(refund), too_large)
    }

    /// The customer key of a row: one column normalized, or several joined with `/`.
    fn key(&self, cells: &[Cell]) -> Option<String> {
        match self.map.key.as_slice() {
            [] => None,
            [i] => cells.get(*i).and_then(cell::text).map(|t| cell::normalize_key(&t)).filter(|k| !k.is_empty()),
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .filter_map(|i| cells.get(*i).and_then(cell::text).map(|t| cell::normalize_key(&t)))
                    .filter(|k| !k.is_empty())
                    .collect();
                (!parts.is_empty()).then(|| parts.join("/"))
            }
        }
    }

    /// Decides the item-amount mode, applies the status and refund rules and returns the outcome.
    pub fn finish(self) -> FileOutcome {
        let FileOrders {
            mut accs,
            mut orders,
            mut skips,
            rows_read,
            data_rows,
            unpaid,
            merged_rows,
            lossy_keys,
            lossy_ids,
            duplicate_orders,
            amount_cells,
            amount_readable,
            amount_example,
            contents,
            fingerprint,
            map,
            month_first_dates,
            day_first_dates,
            ambiguous_dates,
            skip_zero_amount,
            too_large_example,
            ids,
            texts,
            customer_texts,
            status_cache,
            duplicate_seen,
            level,
            ..
        } = self;
        // The reading's indexes are done with: freed before settling, the import's memory peak (a
        // million orders' id index alone is ~19 MB).
        drop((ids, texts, customer_texts, status_cache, duplicate_seen));
        let mut warnings = Vec::new();
        let (mode, computed, refunds_per_item) = item_amounts(&accs, &map, &mut warnings);
        if mode == ItemAmounts::Repeated && map.unit_price.is_none() {
            // The row amounts were the order's: no item has an amount of its own.
            orders.iter_mut().flat_map(|o| o.items.iter_mut()).for_each(|i| i.amount = None);
        }
        warnings.extend(count_warnings(merged_rows, unpaid, lossy_ids, lossy_keys, duplicate_orders));

        let day_counts = (day_first_dates, month_first_dates, ambiguous_dates);
        warnings.extend(settle_day_order(&accs, &mut orders, day_counts));
        if computed {
            warnings.push(Warning::new(
                "amount_from_unit_price",
                "没有金额列，每行金额按“数量 × 单价”计算。".to_owned(),
                "There is no amount column; each row's amount is quantity × unit price.".to_owned(),
            ));
        }

        let earliest = date_never_bought(&mut accs, &mut orders);
        let customer_list = level == Level::Customers;
        let mut keep = Vec::with_capacity(accs.len());
        let mut withdrawn = Vec::new();
        let (mut first, mut last): (Option<NaiveDate>, Option<NaiveDate>) = (None, None);
        let mut returns = 0u64;
        // ¥0 orders kept (or left out, with their customers' keys) for the report line.
        let mut zero_orders = 0u64;
        let mut never_bought_kept = 0u64;
        let mut zero_left_out: Vec<String> = Vec::new();
        let mut add_skip = |reason: SkipReason, row: u32| {
            let e = skips.entry(reason).or_insert((0, Vec::new()));
            e.0 += 1;
            if e.1.len() < 5 {
                e.1.push(row);
            }
        };
        for (a, order) in accs.iter().zip(orders.iter_mut()) {
            keep.push(false);
            let row = a.first_row;
            let (paid, refund) = match settle(a, mode, refunds_per_item, skip_zero_amount) {
                Settled::Skip { reason, withdraw } => {
                    add_skip(reason, row);
                    if withdraw {
                        withdrawn.extend(order.order_id.as_deref().map(String::from));
                    }
                    if reason == SkipReason::ZeroAmount {
                        zero_left_out.push(order.customer_key.to_string());
                    }
                    continue;
                }
                Settled::Keep { paid, refund } => (paid, refund),
            };
            // A ¥0 order (free gift, 0 元试用) is a purchase of ¥0: kept, and it keeps its customer.
            // A list's customer who never bought is said apart (see `never_bought_warning`).
            if paid == 0 && refund == 0 && !a.never_bought {
                zero_orders += 1;
            }
            never_bought_kept += u64::from(a.never_bought);
            order.paid = paid;
            order.refund = refund.max(0);
            if order.net() < 0 {
                order.order_count = 0;
                returns += 1;
            }
            let d = order.placed_at.date();
            first = Some(first.map_or(d, |f| f.min(d)));
            last = Some(last.map_or(d, |l| l.max(d)));
            if let Some(k) = keep.last_mut() {
                *k = true;
            }
        }
        drop(accs);
        let mut keep = keep.into_iter();
        orders.retain(|_| keep.next().unwrap_or(false));
        warnings.extend(collapsed_key_warning(&orders));
        warnings.extend(zero_amount_warning(&orders, zero_orders, &zero_left_out, customer_list));
        warnings.extend(earliest.and_then(|day| never_bought_warning(never_bought_kept, day)));
        if returns > 0 {
            warnings.push(Warning::new(
                "negative_amounts",
                format!("{returns} 行金额为负，视为退货：减少该客户的消费额，但不计入订单数。"),
                format!("{returns} rows have negative amounts and were read as returns: they reduce the customer's revenue but do not count as orders."),
            ));
        }
        let skipped =
            skips.into_iter().map(|(reason, (count, example_rows))| Skipped { reason, count, example_rows }).collect();
        FileOutcome {
            orders_kept: orders.len() as u64,
            orders,
            rows_read,
            skipped,
            warnings,
            first_date: first,
            last_date: last,
            amount_cells,
            amount_readable,
            amount_example,
            data_rows,
            withdrawn,
            too_large_example,
            fingerprint,
            contents,
        }
    }
}

/// What one order's rows come to: skipped for a reason (and withdrawn from the workspace when an
/// earlier import counted it: closed or refunded since), or kept with its paid amount and refund.
enum Settled {
    Skip { reason: SkipReason, withdraw: bool },
    Keep { paid: Cents, refund: Cents },
}

/// Decides one order from its accumulated rows, with the file's decisions on item-level amounts and
/// refunds and the ¥0 setting.
fn settle(a: &Acc, mode: ItemAmounts, refunds_per_item: bool, skip_zero_amount: bool) -> Settled {
    let skip = |reason| Settled::Skip { reason, withdraw: false };
    if !a.any_count {
        let reason = if a.any_refunded { SkipReason::Refunded } else { SkipReason::Closed };
        return Settled::Skip { reason, withdraw: true };
    }
    if !a.has_key {
        return skip(SkipReason::NoCustomerKey);
    }
    let Some(amount_first) = (a.amounts_seen > 0).then_some(a.amount_first) else {
        return skip(SkipReason::UnreadableAmount);
    };
    if !a.has_date {
        return skip(SkipReason::UnreadableDate);
    }
    let (paid, refund) = if mode == ItemAmounts::PerItem && a.amounts_seen > 1 {
        (a.paid_live, a.refund_live)
    } else {
        // One amount for the order (single row, repeated amount, or merged cells): an order-level
        // refund repeated per row is counted once, a per-item refund is summed over the item rows
        // (decided for the whole file).
        let refund = if refunds_per_item { a.refund_all } else { a.refund_first };
        (amount_first, refund)
    };
    if a.too_large || paid.unsigned_abs() > MAX_ORDER_CENTS.unsigned_abs() || refund > MAX_ORDER_CENTS {
        return skip(SkipReason::AmountTooLarge);
    }
    if paid > 0 && refund >= paid {
        return Settled::Skip { reason: SkipReason::Refunded, withdraw: true };
    }
    if paid == 0 && refund == 0 && skip_zero_amount {
        return skip(SkipReason::ZeroAmount);
    }
    Settled::Keep { paid, refund }
}

/// Dates the customers of a list who never bought (see `Acc::never_bought`, who have no date of
/// their own) at the list's earliest last purchase, so that they rank last on recency; returns that
/// day, or `None` when no row of the file has a date (they stay skipped for it then).
fn date_never_bought(accs: &mut [Acc], orders: &mut [Order]) -> Option<NaiveDate> {
    let dated = accs.iter().zip(orders.iter()).filter(|(a, _)| a.has_date);
    let earliest = dated.map(|(_, o)| o.placed_at).min()?;
    for (a, o) in accs.iter_mut().zip(orders.iter_mut()).filter(|(a, _)| a.never_bought) {
        o.placed_at = earliest;
        a.has_date = true;
    }
    Some(earliest.date())
}

/// The report line about the `n` customers of a list who never bought and were kept, dated `day`.
fn never_bought_warning(n: u64, day: NaiveDate) -> Option<Warning> {
    (n > 0).then(|| {
        Warning::new(
            "never_bought",
            format!("{n} 位客户没有消费记录（消费次数为 0、没有最近消费时间），按 0 单、¥0 计入；他们的最近消费记为表中最早的日期 {day}，近度排在最后。"),
            format!("{n} customers have no purchase (0 purchases, no last purchase date); they count with 0 orders and ¥0, and their last purchase is taken as the list's earliest date, {day}, so they rank last on recency."),
        )
    })
}

/// The report line about ¥0 orders: how many were counted (and how many customers have nothing
/// else), or how many were left out by the setting and how many customers went with them. In a
/// customer list each row is a customer: the line speaks of customers whose total is ¥0.
fn zero_amount_warning(kept: &[Order], zero_orders: u64, left_out: &[String], customer_list: bool) -> Option<Warning> {
    if zero_orders == 0 && left_out.is_empty() {
        return None;
    }
    if customer_list {
        let n = left_out.len();
        return Some(if n > 0 {
            Warning::new(
                "zero_amount_orders_left_out",
                format!("按设置（不计 ¥0 订单），{n} 位累计消费 ¥0 的客户未计入。"),
                format!("As set (leave out ¥0 orders), {n} customers whose total is ¥0 were left out."),
            )
        } else {
            Warning::new(
                "zero_amount_orders",
                format!("{zero_orders} 位客户累计消费 ¥0，按 ¥0 计入（计消费次数和最近消费，不计金额）。如不想计入，请在设置中打开“不计 ¥0 订单”。"),
                format!("{zero_orders} customers have a total of ¥0; they count with ¥0 (purchase count and recency, no revenue). To leave them out, turn on \u{201c}Leave out ¥0 orders\u{201d} in the settings."),
            )
        });
    }
    // Customer key → whether any kept order of theirs has revenue.
    let mut paying: HashMap<&str, bool> = HashMap::default();
    for o in kept {
        *paying.entry(o.customer_key.as_str()).or_insert(false) |= o.paid != 0 || o.refund != 0;
    }
    if !left_out.is_empty() {
        let mut gone: Vec<&str> = left_out.iter().map(String::as_str).filter(|k| !paying.contains_key(k)).collect();
        gone.sort_unstable();
        gone.dedup();
        let (n, m) = (left_out.len(), gone.len());
        return Some(Warning::new(
            "zero_amount_orders_left_out",
            format!("按设置，{n} 个实付 ¥0 的订单（赠品、0 元试用等）未计入；本文件中 {m} 个只有 ¥0 订单的客户因此不在结果中。"),
            format!("As set, {n} orders paid ¥0 (free gifts, free trials) were left out; {m} customers of this file who have only ¥0 orders are therefore not in the results."),
        ));
    }
    let zero_only = paying.values().filter(|p| !**p).count();
    Some(Warning::new(
        "zero_amount_orders",
        format!("{zero_orders} 个订单实付 ¥0（赠品、0 元试用等），按 ¥0 订单计入（计订单数和最近消费，不计金额）；其中 {zero_only} 个客户只有 ¥0 订单。如不想计入，请在设置中打开“不计 ¥0 订单”。"),
        format!("{zero_orders} orders were paid ¥0 (free gifts, free trials); they count as orders with ¥0 revenue (order count and recency, no revenue), and {zero_only} customers have only ¥0 orders. To leave them out, turn on \u{201c}Leave out ¥0 orders\u{201d} in the settings."),
    ))
}

/// Whether an order's item rows carry the order amount repeated or one amount per item (decided
/// once per file), and whether amounts are quantity × unit price; says what it decided in `warnings`.
fn item_amounts(accs: &[Acc], map: &Resolved, warnings: &mut Vec<Warning>) -> (ItemAmounts, bool, bool) {
    let (mut multi, mut differ, mut item_rows) = (0u64, 0u64, 0u64);
    // Orders whose rows carry different refunds, or a refund on some item rows only (their row
    // statuses differ): evidence that the refund column is per item.
    let (mut refund_multi, mut refund_differ) = (0u64, 0u64);
    for a in accs {
        if a.rows > 1 {
            item_rows += u64::from(a.rows);
            // Orders without any refund say nothing about the refund column.
            if map.refund.is_some() && a.refund_all > 0 {
                refund_multi += 1;
                if !a.refunds_equal || !a.effects_equal {
                    refund_differ += 1;
                }
            }
        }
        if a.amounts_seen > 1 {
            multi += 1;
            if !a.amounts_equal {
                differ += 1;
            }
        }
    }
    // Amounts computed as quantity × unit price are line amounts by construction.
    let computed = map.amount.is_none() && map.unit_price.is_some();
    let mode =
        if computed || (differ > 0 && differ * 5 >= multi) { ItemAmounts::PerItem } else { ItemAmounts::Repeated };
    let refunds_per_item = mode == ItemAmounts::PerItem || refund_differ > 0;
    let collapsed = accs.iter().filter(|a| a.rows > 1).count() as u64;
    if collapsed > 0 && refund_multi > 0 && mode == ItemAmounts::Repeated {
        warnings.push(item_refunds_warning(refunds_per_item, refund_differ));
    }
    if collapsed > 0 {
        let (zh, en) = match mode {
            // Shopify fills the order's total on its first item row only.
            ItemAmounts::Repeated if multi == 0 => (
                format!("{item_rows} 行商品明细合并为 {collapsed} 个订单；金额只填在每个订单的第一行，按整单金额计。"),
                format!("{item_rows} item rows collapsed into {collapsed} orders; only each order's first row has an amount, read as the order's amount."),
            ),
            ItemAmounts::Repeated => (
                format!("{item_rows} 行商品明细合并为 {collapsed} 个订单；同一订单各行金额相同，判断为整单金额重复填写，只计一次。"),
                format!("{item_rows} item rows collapsed into {collapsed} orders; the amount is the same on every row of an order, so it was read as the order amount repeated per row and counted once."),
            ),
            ItemAmounts::PerItem => (
                format!("{item_rows} 行商品明细合并为 {collapsed} 个订单；同一订单各行金额不同，判断为每件商品的金额，已相加。"),
                format!("{item_rows} item rows collapsed into {collapsed} orders; amounts differ between rows of an order, so they were read as per-item amounts and summed."),
            ),
        };
        warnings.push(Warning::new("item_rows_collapsed", zh, en));
        if mode == ItemAmounts::Repeated && differ > 0 {
            warnings.push(Warning::new(
                "item_amounts_inconsistent",
                format!("有 {differ} 个订单的各行金额不一致，按第一行计。"),
                format!("{differ} orders have different amounts on their rows; the first row's amount was used."),
            ));
        }
    }
    (mode, computed, refunds_per_item)
}

/// What the import decided about a refund column on item rows, for the report.
fn item_refunds_warning(per_item: bool, differ: u64) -> Warning {
    let (zh, en) = if per_item {
        (
            format!("退款金额按商品行累加：有 {differ} 个订单的各商品行退款金额或退款状态不同，说明退款金额是每件商品的；实付金额为订单级，每单只计一次。"),
            format!("Refunds were summed over item rows: in {differ} orders the item rows have different refunds or refund states, so the refund column is per item; the paid amount is per order and counted once."),
        )
    } else {
        (
            "退款金额为订单级：每个订单的各商品行退款金额都相同，每单只计一次；实付金额为订单级，每单只计一次。".to_owned(),
            "Refunds are per order: every order has the same refund on all its item rows, so it was counted once per order, like the paid amount.".to_owned(),
        )
    };
    Warning::new("item_refunds", zh, en)
}

/// A masked key that stands for many of the file's orders: 抖店 exports may mask every buyer's phone
/// as `1**********`, and then all of them were counted as one customer, which nothing else says (a
/// partly masked `138****1234` has its own warning, `masked_phone_key`).
fn collapsed_key_warning(orders: &[Order]) -> Option<Warning> {
    let (key, n) = mapping::most_common_masked(orders.iter().map(|o| o.customer_key.as_str()))?;
    let total = orders.len();
    if n < 5 || n * 5 < total {
        return None;
    }
    Some(Warning::new(
        "key_collapsed",
        format!(
            "{n} 笔订单（共 {total} 笔）的客户标识都是“{key}”：这是打码后的值，这些订单被算作了同一位客户。请在映射中换一列作客户标识（如买家ID、买家昵称），或导出未打码的订单。"
        ),
        format!(
            "{n} of {total} orders have the customer key \u{201c}{key}\u{201d}, a masked value: they were counted as one customer. Pick another key column in the mapping (a buyer id or nickname), or export the orders unmasked."
        ),
    ))
}

/// The warnings that only need a count: merged item rows, unpaid rows excluded, ids and keys that
/// may have lost digits, orders already imported.
fn count_warnings(
    merged_rows: u64,
    unpaid: u64,
    lossy_ids: u64,
    lossy_keys: u64,
    duplicate_orders: u64,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if merged_rows > 0 {
        warnings.push(Warning::new(
            "merged_item_rows",
            format!("{merged_rows} 行没有订单号和客户（合并单元格），按上一行订单的商品明细处理。"),
            format!("{merged_rows} rows without order id and customer (merged cells) were read as item rows of the order above."),
        ));
    }
    if unpaid > 0 {
        warnings.push(Warning::new(
            "unpaid_excluded",
            format!("{} 行没有订单状态且支付时间为空，按未付款订单排除。", unpaid),
            format!("{} rows without a status and with an empty payment time were excluded as unpaid.", unpaid),
        ));
    }
    if lossy_ids > 0 {
        warnings.push(Warning::new(
            "id_digits_may_be_lost",
            format!("{} 个订单号以数字保存且超过 15 位，末几位可能已被 Excel 改变，订单去重可能不准。请导出为文本格式的订单号。", lossy_ids),
            format!("{} order ids are stored as numbers with 16+ digits; Excel may have changed their last digits, so de-duplication may be off. Export ids as text.", lossy_ids),
        ));
    }
    if lossy_keys > 0 {
        warnings.push(Warning::new(
            "id_digits_may_be_lost",
            format!("{lossy_keys} 个客户标识以数字保存且超过 15 位，末几位可能已被 Excel 改变，不同客户可能被合并。请导出为文本格式。"),
            format!("{lossy_keys} customer ids are stored as numbers with 16+ digits; Excel may have changed their last digits, so different customers may be merged. Export them as text."),
        ));
    }
    if duplicate_orders > 0 {
        warnings.push(Warning::new(
            "duplicate_orders",
            format!("{} 个订单已在之前的文件中导入，未重复计算。", duplicate_orders),
            format!(
                "{} orders were already imported from an earlier file and were not counted again.",
                duplicate_orders
            ),
        ));
    }
    warnings
}

/// Year-last dates: the dates with a part > 12 decide the file's order; ambiguous ones were read
/// month first and are swapped here when the file proves day first. Says so when any was ambiguous.
fn settle_day_order(
    accs: &[Acc],
    orders: &mut [Order],
    (day_first_dates, month_first_dates, ambiguous_dates): (u64, u64, u64),
) -> Option<Warning> {
    let day_first = day_first_dates > month_first_dates;
    if ambiguous_dates == 0 {
        return None;
    }
    if day_first {
        for (a, order) in accs.iter().zip(orders.iter_mut()) {
            if a.date_ambiguous {
                if let Some(d) = cell::swap_day_month(order.placed_at) {
                    order.placed_at = d;
                }
            }
        }
    }
    let (zh_order, en_order) =
        if day_first { ("日/月/年", "day/month/year") } else { ("月/日/年", "month/day/year") };
    let (zh, en) = if day_first_dates + month_first_dates > 0 {
        (
            format!("{ambiguous_dates} 个日期（如 3/5/2025）既可读作月/日也可读作日/月；文件中其他日期表明是“{zh_order}”，已按此读取。"),
            format!("{ambiguous_dates} dates (like 3/5/2025) could be read month first or day first; other dates in the file show {en_order}, so they were read that way."),
        )
    } else {
        (
            format!("{ambiguous_dates} 个日期（如 3/5/2025）既可读作月/日也可读作日/月，文件中没有能确定顺序的日期，按“月/日/年”读取。如不对，请把日期列改为“年-月-日”格式后重新导入。"),
            format!("{ambiguous_dates} dates (like 3/5/2025) could be read month first or day first and no date in the file settles it; they were read month/day/year. If that is wrong, save the dates as year-month-day and import again."),
        )
    };
    Some(Warning::new("ambiguous_day_order", zh, en))
}

/// Adds one row's values to the order it belongs to.
fn merge_row(
    acc: &mut Acc,
    order: &mut Order,
    amount: Option<Cents>,
    refund: Cents,
    effect: Option<Effect>,
    date: Option<(NaiveDateTime, bool)>,
    quantity: &Cell,
) {
    acc.rows += 1;
    // Rows without a status of their own (merged cells) say nothing about the item.
    if let Some(e) = effect {
        match acc.effect_first {
            None => acc.effect_first = Some(e),
            Some(f) if f != e => acc.effects_equal = false,
            Some(_) => {}
        }
    }
    match effect {
        Some(Effect::Count) => acc.any_count = true,
        Some(Effect::Refunded) => acc.any_refunded = true,
        Some(Effect::Exclude) | None => {}
    }
    // A row without a status of its own (merged cells) adds its amounts as the order's.
    let effect = effect.unwrap_or(Effect::Count);
    if let Some(a) = amount {
        if acc.amounts_seen == 0 {
            acc.amount_first = a;
        } else if acc.amount_first != a {
            acc.amounts_equal = false;
        }
        acc.amounts_seen += 1;
        match effect {
            Effect::Count => {
                acc.paid_live = acc.paid_live.saturating_add(a);
                acc.refund_live = acc.refund_live.saturating_add(refund);
            }
            // A refunded item row: its whole amount is refunded.
            Effect::Refunded => {
                acc.paid_live = acc.paid_live.saturating_add(a);
                acc.refund_live = acc.refund_live.saturating_add(a.max(refund));
            }
            Effect::Exclude => {}
        }
    }
    // `rows` counts this row already: 1 on the order's first row.
    if acc.rows == 1 {
        acc.refund_first = refund;
    } else if acc.refund_first != refund {
        acc.refunds_equal = false;
    }
    acc.refund_all = acc.refund_all.saturating_add(refund);
    if !acc.has_date {
        if let Some((d, ambiguous)) = date {
            order.placed_at = d;
            acc.has_date = true;
            acc.date_ambiguous = ambiguous;
        }
    }
    if let Some(q) = cell::parse_number(quantity) {
        order.quantity = Some(order.quantity.unwrap_or(0.0) + q);
    }
}

/// A money cell in cents; `in_fen` for a column in fen (`实付金额(分)`).
fn parse_money(c: &Cell, in_fen: bool) -> Option<Cents> {
    cell::parse_amount(c).map(|v| if in_fen { fen_to_cents(v) } else { v })
}

/// A column in fen (`实付金额(分)`): 14800 fen is ¥148.00, i.e. 14800 cents of the parsed number.
fn fen_to_cents(parsed_as_yuan: Cents) -> Cents {
    let q = parsed_as_yuan / 100;
    let r = parsed_as_yuan % 100;
    if r.abs() >= 50 {
        q + r.signum()
    } else {
        q
    }
}

fn parse_date_cell(c: &Cell) -> Option<NaiveDateTime> {
    cell::parse_datetime(c)
}

/// The order id text of a cell; borrowed in the common case of clean ASCII text.
fn id_text(c: &Cell) -> Option<Cow<'_, str>> {
    if let Cell::Text(s) = c {
        let b = s.as_bytes();
        if b.len() > 6 && b.len() <= 64 && b.iter().all(|x| x.is_ascii_alphanumeric() || matches!(x, b'-' | b'_')) {
            return Some(Cow::Borrowed(s.as_str()));
        }
    }
    cell::parse_id(c).map(|id| Cow::Owned(id.text))
}

/// A display name: trimmed, otherwise as the buyer wrote it.
fn clean_name(t: &str) -> String {
    cell::trim(t).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_rows, ImportOptions};
    use crate::progress::NoProgress;

    fn rows(table: &[&[&str]]) -> Vec<(usize, Vec<Cell>)> {
        table
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (i, r.iter().map(|s| if s.is_empty() { Cell::Empty } else { Cell::Text((*s).to_owned()) }).collect())
            })
            .collect()
    }

    #[test]
    fn status_rules_first_match_wins() {
        let r = StatusRules::default();
        for s in [
            "已完成",
            "交易成功",
            "已发货",
            "待发货",
            "待收货",
            "已收货",
            "已付款",
            "买家已付款，等待卖家发货",
            "卖家已发货，等待买家确认",
            "已签收",
            "售后中",
            "部分退款",
            "退款关闭",
        ] {
            assert_eq!(r.effect(s), Some(Effect::Count), "{s}");
        }
        for s in ["已关闭", "交易关闭", "已取消", "取消", "待付款", "等待买家付款", "未付款"] {
            assert_eq!(r.effect(s), Some(Effect::Exclude), "{s}");
        }
        for s in ["已退款", "退款成功", "全额退款", "未发货，退款成功", "退货退款成功", "已拒收"]
        {
            assert_eq!(r.effect(s), Some(Effect::Refunded), "{s}");
        }
        assert_eq!(r.effect("某种新状态"), None);
        assert_eq!(r.effect("  "), None);
    }

    #[test]
    fn each_order_keeps_its_own_rows_name_and_phone_and_equal_texts_are_one_copy() {
        // A customer's rows skip the interner when they repeat the name and phone of the key's row
        // before (`CustomerTexts`): a name that changes, changes back, or goes missing must still be
        // each row's own, and equal texts one copy whichever way they were found.
        let table: &[&[&str]] = &[
            &["订单号", "买家ID", "买家昵称", "联系电话", "下单时间", "实付金额"],
            &["1", "o1", "张伟", "13800000001", "2025-03-01", "10"],
            &["2", "o2", "张伟", "13800000002", "2025-03-02", "10"],
            &["3", "o1", "伟哥", "13800000001", "2025-03-03", "10"],
            &["4", "o1", "张伟", "", "2025-03-04", "10"],
            &["5", "o1", "张伟", "13800000001", "2025-03-05", "10"],
            &["6", "o1", "", "13800000001", "2025-03-06", "10"],
            &["7", "o2", "张伟", "13800000002", "2025-03-07", "10"],
        ];
        let ds = import_rows("t.csv", rows(table), &ImportOptions::default(), &NoProgress).unwrap();
        let got: Vec<(&str, Option<&str>, Option<&str>)> = ds
            .orders
            .iter()
            .map(|o| (o.customer_key.as_str(), o.customer_name.as_deref(), o.phone.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("o1", Some("张伟"), Some("13800000001")),
                ("o2", Some("张伟"), Some("13800000002")),
                ("o1", Some("伟哥"), Some("13800000001")),
                ("o1", Some("张伟"), None),
                ("o1", Some("张伟"), Some("13800000001")),
                ("o1", None, Some("13800000001")),
                ("o2", Some("张伟"), Some("13800000002")),
            ]
        );
        let copy = |o: &Order| o.customer_name.as_ref().map(Shared::address);
        let zhang = copy(&ds.orders[0]);
        assert!([1, 3, 4, 6].iter().all(|&i| copy(&ds.orders[i]) == zhang), "one copy of 张伟");
        let key = |i: usize| ds.orders[i].customer_key.address();
        assert!(key(0) == key(2) && key(0) == key(5) && key(1) == key(6) && key(0) != key(1));
        let phone = |i: usize| ds.orders[i].phone.as_ref().map(Shared::address);
        assert!(phone(0) == phone(2) && phone(0) == phone(4) && phone(0) == phone(5));
    }

    #[test]
    fn edited_rules_change_the_outcome() {
        let table: &[&[&str]] = &[
            &["订单号", "买家ID", "下单时间", "实付金额", "订单状态"],
            &["1", "o1", "2025-03-05", "10", "已完成"],
            &["2", "o1", "2025-03-06", "20", "待发货"],
        ];
        let ds = import_rows("t.csv", rows(table), &ImportOptions::default(), &NoProgress).unwrap();
        assert_eq!(ds.orders.len(), 2);
        let mut rules = StatusRules::default();
        rules.rules.insert(0, StatusRule { pattern: "待发货".into(), effect: Effect::Exclude });
        let options = ImportOptions { rules: Some(rules), ..Default::default() };
        let ds = import_rows("t.csv", rows(table), &options, &NoProgress).unwrap();
        assert_eq!(ds.orders.len(), 1);
    }

    #[test]
    fn after_sales_closed_does_not_exclude_but_refund_success_does() {
        let table: &[&[&str]] = &[
            &["订单号", "买家ID", "下单时间", "实付金额", "订单状态", "售后状态"],
            &["1", "o1", "2025-03-05", "10", "已完成", "售后关闭"],
            &["2", "o1", "2025-03-06", "20", "已完成", "退款成功"],
            &["3", "o1", "2025-03-07", "30", "已完成", "无售后或售后取消"],
        ];
        let ds = import_rows("t.csv", rows(table), &ImportOptions::default(), &NoProgress).unwrap();
        let ids: Vec<_> = ds.orders.iter().map(|o| o.order_id.as_deref().unwrap()).collect();
        assert_eq!(ids, vec!["1", "3"]);
    }

    #[test]
    fn completed_order_with_empty_pay_time_counts_but_statusless_one_does_not() {
        let table: &[&[&str]] = &[
            &["订单号", "买家ID", "下单时间", "支付时间", "实付金额", "订单状态"],
            &["1", "o1", "2025-03-05", "", "10", "已完成"],
            &["2", "o1", "2025-03-06", "", "20", ""],
            &["3", "o1", "2025-03-07", "2025-03-07", "30", ""],
        ];
        let ds = import_rows("t.csv", rows(table), &ImportOptions::default(), &NoProgress).unwrap();
        let ids: Vec<_> = ds.orders.iter().map(|o| o.order_id.as_deref().unwrap()).collect();
        assert_eq!(ids, vec!["1", "3"]);
        assert!(ds.reports[0].warnings.iter().any(|w| w.code == "unpaid_excluded"));
    }

    #[test]
    fn empty_order_time_falls_back_to_pay_time() {
        let table: &[&[&str]] =
            &[&["订单号", "买家ID", "下单时间", "支付时间", "实付金额"], &["1", "o1", "", "2025-03-05 10:00:00", "10"]];
        let ds = import_rows("t.csv", rows(table), &ImportOptions::default(), &NoProgress).unwrap();
        assert_eq!(ds.orders[0].placed_at.to_string(), "2025-03-05 10:00:00");
    }

    #[test]
    fn zero_amount_orders_count_unless_left_out() {
        let table: &[&[&str]] = &[
            &["订单号", "买家ID", "下单时间", "实付金额"],
            &["1", "o1", "2025-03-05", "0.00"],
            &["2", "o1", "2025-03-06", "9.90"],
            &["3", "o2", "2025-03-07", "0"],
        ];
        let ds = import_rows("t.csv", rows(table), &ImportOptions::default(), &NoProgress).unwrap();
        assert_eq!(ds.orders.len(), 3);
        let w = ds.reports[0].warnings.iter().find(|w| w.code == "zero_amount_orders").unwrap();
        assert!(w.text.zh.starts_with("2 个订单") && w.text.zh.contains("其中 1 个客户"), "{}", w.text.zh);
        let options = ImportOptions { skip_zero_amount: true, ..Default::default() };
        let ds = import_rows("t.csv", rows(table), &options, &NoProgress).unwrap();
        assert_eq!(ds.orders.len(), 1);
        assert_eq!(ds.reports[0].skipped.iter().find(|s| s.reason == SkipReason::ZeroAmount).map(|s| s.count), Some(2));
        let w = ds.reports[0].warnings.iter().find(|w| w.code == "zero_amount_orders_left_out").unwrap();
        assert!(w.text.zh.contains("1 个只有 ¥0 订单的客户"), "{}", w.text.zh);
    }

    #[test]
    fn rows_without_key_or_date_are_skipped_with_reason() {
        let table: &[&[&str]] = &[
            &["订单号", "买家ID", "下单时间", "实付金额"],
            &["1", "", "2025-03-05", "10"],
            &["2", "o1", "昨天", "10"],
            &["3", "o1", "2025-03-05", "10"],
        ];
        let ds = import_rows("t.csv", rows(table), &ImportOptions::default(), &NoProgress).unwrap();
        let r = &ds.reports[0];
        let by = |reason| r.skipped.iter().find(|s| s.reason == reason).map(|s| (s.count, s.example_rows.clone()));
        assert_eq!(by(SkipReason::NoCustomerKey), Some((1, vec![2])));
        assert_eq!(by(SkipReason::UnreadableDate), Some((1, vec![3])));
        assert_eq!(r.orders_kept, 1);
    }

    #[test]
    fn empty_preferred_amount_column_gives_way_to_a_filled_one() {
        let table: &[&[&str]] = &[
            &["订单号", "买家ID", "下单时间", "订单金额", "实付金额"],
            &["1", "o1", "2025-03-05", "10", ""],
            &["2", "o1", "2025-03-06", "20", ""],
        ];
        let ds = import_rows("t.csv", rows(table), &ImportOptions::default(), &NoProgress).unwrap();
        assert_eq!(ds.orders.iter().map(Order::net).sum::<i64>(), 3000);
        assert!(ds.reports[0].warnings.iter().any(|w| w.code == "empty_column_skipped"));
    }

    #[test]
    fn totals_rows_are_recognized_only_in_the_first_cells() {
        let t = |s: &str| Cell::Text(s.to_owned());
        assert!(is_totals_row(&[t("合计"), Cell::Empty, Cell::Number(3.0)]));
        assert!(is_totals_row(&[Cell::Empty, t("总计：")]));
        assert!(is_totals_row(&[t("Total")]));
        assert!(!is_totals_row(&[t("1"), t("o1"), t("2025-01-01"), t("合计")]));
        assert!(!is_totals_row(&[t("合计一下这个很长的商品名称真的很长很长")]));
    }
}

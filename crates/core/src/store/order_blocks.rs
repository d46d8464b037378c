//! The stored orders, kept in blocks: one row of `order_blocks` holds up to [`ORDERS_PER_BLOCK`]
//! consecutive orders (by id), each block's repeated texts (platform, name, phone, status,
//! province, city) written once, numbers as variable-length integers.
//!
//! A row per order cost a shop's first import ~1.9 s of the store thread's CPU at a million orders
//! (binding, stepping, and the identity and customer indexes built whole), and from the reading's
//! end on a first import is CPU-bound on two cores: the first-import bar (issue 10 item 4, ≤ 15 %
//! over the command alone) needed fewer rows (docs/orders-format.md has the measurements).
//!
//! What the rows' indexes did is done here:
//! - identity (platform, uid): an import decodes every block once into a map of identity hashes
//!   ([`Book`]); a hit is confirmed against the decoded order, so a hash collision is never a
//!   false match;
//! - by customer: each block lists the customers it holds (`customers`, read without the orders),
//!   so a customer's orders are read from their blocks only ([`of_customers`]).
//!
//! Invariants the readers rely on, which the writers here keep:
//! - a block's orders are `first_order ..= last_order`, ascending by id, and blocks do not overlap:
//!   a new order's id is above every stored one (`Book::new_id`), as SQLite's rowids were;
//! - a block's `orders` is how many it holds and `customers` lists exactly their customers.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{Error, Result, StoreError};
use crate::model::Shared;
use crate::orders::Interner;

/// Orders per block: ~200 KB of a typical export's orders, so that changing one order (a later
/// export's refund) rewrites at most that.
pub(super) const ORDERS_PER_BLOCK: usize = 4096;

/// The encoding of a block's orders; a block of another format is refused as damaged, not misread.
const FORMAT: u8 = 1;

/// An order as the workspace keeps it (what a row of the orders table held up to schema version 8);
/// `Workspace::stored_orders` gives them for checks.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    /// Its id in the workspace (items and sightings refer to it).
    pub id: i64,
    /// The header of the order-id column (订单号 …); empty for an order identified by its content.
    pub platform: Shared,
    /// The order id as exported (trimmed), or `#` and a hash of the content (`import::content_uid`).
    pub uid: Box<str>,
    /// Whether the export gave an order id (else `uid` is a content hash).
    pub has_id: bool,
    /// The source that owns it (the first that brought it).
    pub source_id: i64,
    /// The customer's id in the workspace.
    pub customer_id: i64,
    /// The 1-based row of the file it came from (`Order::row`).
    pub row: u32,
    /// The customer's name or nickname on the order, as exported (`Order::customer_name`).
    pub name: Option<Shared>,
    /// The phone number on the order (`Order::phone`).
    pub phone: Option<Shared>,
    /// When placed, in stored seconds (`to_seconds`).
    pub placed_at: i64,
    /// What the buyer paid, in fen (`Order::paid`).
    pub paid: i64,
    /// The refunded part of `paid`, in fen (`Order::refund`).
    pub refund: i64,
    /// Pieces, when the file has them (`Order::quantity`).
    pub quantity: Option<f64>,
    /// The status text as exported (`Order::status`).
    pub status: Option<Shared>,
    /// 1 for an order; N for a customer-list row standing for N orders (`Order::order_count`).
    pub order_count: u32,
    /// A customer list's first purchase date (`Order::first_date`).
    pub first_date: Option<NaiveDate>,
    /// A customer list's interaction count (`Order::interactions`).
    pub interactions: Option<f64>,
    /// The province of the order's address (`Order::region`).
    pub province: Option<Shared>,
    /// Its city, when known.
    pub city: Option<Shared>,
}

/// An order to write, borrowed from wherever it is (a file's order as it is stored, or a decoded one).
#[derive(Clone, Copy, Debug)]
pub(super) struct OrderRef<'a> {
    pub(super) id: i64,
    pub(super) platform: &'a str,
    pub(super) uid: &'a str,
    pub(super) has_id: bool,
    pub(super) source_id: i64,
    pub(super) customer_id: i64,
    pub(super) row: u32,
    pub(super) name: Option<&'a str>,
    pub(super) phone: Option<&'a str>,
    pub(super) placed_at: i64,
    pub(super) paid: i64,
    pub(super) refund: i64,
    pub(super) quantity: Option<f64>,
    pub(super) status: Option<&'a str>,
    pub(super) order_count: u32,
    pub(super) first_date: Option<NaiveDate>,
    pub(super) interactions: Option<f64>,
    pub(super) province: Option<&'a str>,
    pub(super) city: Option<&'a str>,
}

impl Stored {
    pub(super) fn as_ref(&self) -> OrderRef<'_> {
        OrderRef {
            id: self.id,
            platform: &self.platform,
            uid: &self.uid,
            has_id: self.has_id,
            source_id: self.source_id,
            customer_id: self.customer_id,
            row: self.row,
            name: self.name.as_deref(),
            phone: self.phone.as_deref(),
            placed_at: self.placed_at,
            paid: self.paid,
            refund: self.refund,
            quantity: self.quantity,
            status: self.status.as_deref(),
            order_count: self.order_count,
            first_date: self.first_date,
            interactions: self.interactions,
            province: self.province.as_deref(),
            city: self.city.as_deref(),
        }
    }
}

/// A block that does not decode: reported as stored data of the wrong form, never misread.
fn damaged(what: &str) -> Error {
    Error::Store(StoreError::Value(rusqlite::types::FromSqlError::Other(
        format!("订单数据块已损坏 / an order block is damaged ({what})").into(),
    )))
}

// Flags of an order, which optional fields follow.
const HAS_ID: u16 = 1;
const UID_NUMBER: u16 = 1 << 1;
const NAME: u16 = 1 << 2;
const PHONE: u16 = 1 << 3;
const QUANTITY: u16 = 1 << 4;
const QUANTITY_WHOLE: u16 = 1 << 5;
const STATUS: u16 = 1 << 6;
const FIRST_DATE: u16 = 1 << 7;
const INTERACTIONS: u16 = 1 << 8;
const PROVINCE: u16 = 1 << 9;
const CITY: u16 = 1 << 10;

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_signed(out: &mut Vec<u8>, v: i64) {
    put(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// An order id made only of digits, without a leading zero, that fits 64 bits: most platforms'
/// ids (淘宝 19 digits), stored as a number.
fn uid_number(uid: &str) -> Option<u64> {
    let b = uid.as_bytes();
    if b.is_empty() || b.len() > 19 || (b.len() > 1 && b[0] == b'0') || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    uid.parse().ok()
}

/// A quantity written as a whole number when it is one and reads back bit for bit so (not −0).
fn whole(q: f64) -> Option<u64> {
    ((0.0..9.0e15).contains(&q) && q.fract() == 0.0 && (q as u64 as f64).to_bits() == q.to_bits()).then_some(q as u64)
}

/// Writes orders, a block per [`ORDERS_PER_BLOCK`]: an import's new orders as they come (in
/// ascending id order, each above every stored one), or a block rewritten whole.
pub(super) struct BlockWriter {
    first: i64,
    last: i64,
    orders: usize,
    placed: i64,
    body: Vec<u8>,
    /// The block's distinct texts, each its length and bytes, in index order.
    texts: Vec<u8>,
    /// Where each text begins in `texts` (after its length), and its length.
    spans: Vec<(u32, u32)>,
    /// A hash of a text to its index (a collision just writes the text again).
    index: FxHashMap<u64, u32>,
    customers: Vec<i64>,
}

impl BlockWriter {
    pub(super) fn new() -> Self {
        BlockWriter {
            first: 0,
            last: 0,
            orders: 0,
            placed: 0,
            body: Vec::with_capacity(256 * 1024),
            texts: Vec::new(),
            spans: Vec::new(),
            index: FxHashMap::default(),
            customers: Vec::with_capacity(ORDERS_PER_BLOCK),
        }
    }

    /// The id of the first order not yet written to the table, if any.
    pub(super) fn pending_from(&self) -> Option<i64> {
        (self.orders > 0).then_some(self.first)
    }

    fn text(&mut self, s: &str) -> u32 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        s.hash(&mut h);
        let hash = h.finish();
        if let Some(&i) = self.index.get(&hash) {
            let (at, len) = self.spans[i as usize];
            if &self.texts[at as usize..(at + len) as usize] == s.as_bytes() {
                return i;
            }
        }
        put(&mut self.texts, s.len() as u64);
        let at = self.texts.len() as u32;
        self.texts.extend_from_slice(s.as_bytes());
        let i = self.spans.len() as u32;
        self.spans.push((at, s.len() as u32));
        self.index.entry(hash).or_insert(i);
        i
    }

    /// Adds one order; a full block is written first.
    pub(super) fn push(&mut self, tx: &Connection, o: &OrderRef<'_>) -> Result<()> {
        if self.orders == ORDERS_PER_BLOCK {
            self.flush(tx)?;
        }
        if self.orders == 0 {
            self.first = o.id;
            self.last = o.id;
            self.placed = 0;
            self.body.push(FORMAT);
        }
        if self.orders > 0 && o.id <= self.last {
            // The writers give ascending ids; a block decoded with ids out of order (a damaged or
            // hand-made file) is refused rather than written back wrong.
            return Err(damaged("ids out of order"));
        }
        let gap = o.id - self.last;
        self.last = o.id;
        self.orders += 1;
        self.customers.push(o.customer_id);

        let number = if o.has_id { uid_number(o.uid) } else { None };
        let quantity_whole = o.quantity.and_then(whole);
        let mut flags = 0u16;
        let mut flag = |on: bool, f: u16| {
            if on {
                flags |= f;
            }
        };
        flag(o.has_id, HAS_ID);
        flag(number.is_some(), UID_NUMBER);
        flag(o.name.is_some(), NAME);
        flag(o.phone.is_some(), PHONE);
        flag(o.quantity.is_some(), QUANTITY);
        flag(quantity_whole.is_some(), QUANTITY_WHOLE);
        flag(o.status.is_some(), STATUS);
        flag(o.first_date.is_some(), FIRST_DATE);
        flag(o.interactions.is_some(), INTERACTIONS);
        flag(o.province.is_some(), PROVINCE);
        flag(o.city.is_some(), CITY);

        let platform = self.text(o.platform);
        let name = o.name.map(|s| self.text(s));
        let phone = o.phone.map(|s| self.text(s));
        let status = o.status.map(|s| self.text(s));
        let province = o.province.map(|s| self.text(s));
        let city = o.city.map(|s| self.text(s));

        let b = &mut self.body;
        put(b, gap as u64);
        put(b, u64::from(flags));
        put(b, u64::from(platform));
        match number {
            Some(n) => put(b, n),
            None => {
                put(b, o.uid.len() as u64);
                b.extend_from_slice(o.uid.as_bytes());
            }
        }
        put_signed(b, o.source_id);
        put_signed(b, o.customer_id);
        put(b, u64::from(o.row));
        for i in [name, phone].into_iter().flatten() {
            put(b, u64::from(i));
        }
        // Times as the step from the block's previous order: a few bytes where the file is by date.
        put_signed(b, o.placed_at.wrapping_sub(self.placed));
        self.placed = o.placed_at;
        put_signed(b, o.paid);
        put_signed(b, o.refund);
        match (quantity_whole, o.quantity) {
            (Some(n), _) => put(b, n),
            (None, Some(q)) => b.extend_from_slice(&q.to_bits().to_le_bytes()),
            (None, None) => {}
        }
        if let Some(i) = status {
            put(b, u64::from(i));
        }
        put(b, u64::from(o.order_count));
        if let Some(d) = o.first_date {
            use chrono::Datelike;
            put_signed(b, i64::from(d.num_days_from_ce()));
        }
        if let Some(i) = o.interactions {
            b.extend_from_slice(&i.to_bits().to_le_bytes());
        }
        for i in [province, city].into_iter().flatten() {
            put(b, u64::from(i));
        }
        Ok(())
    }

    /// Writes what is pending as one block.
    pub(super) fn flush(&mut self, tx: &Connection) -> Result<()> {
        if self.orders == 0 {
            return Ok(());
        }
        self.customers.sort_unstable();
        self.customers.dedup();
        let mut customers = Vec::with_capacity(self.customers.len() * 3);
        let mut previous = 0i64;
        for &c in &self.customers {
            put_signed(&mut customers, c - previous);
            previous = c;
        }
        let mut texts = Vec::with_capacity(self.texts.len() + 4);
        put(&mut texts, self.spans.len() as u64);
        texts.extend_from_slice(&self.texts);
        tx.prepare_cached(
            "INSERT INTO order_blocks(first_order, last_order, orders, customers, texts, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(rusqlite::params![self.first, self.last, self.orders as i64, customers, texts, self.body])?;
        self.orders = 0;
        self.body.clear();
        self.texts.clear();
        self.spans.clear();
        self.index.clear();
        self.customers.clear();
        Ok(())
    }
}

/// Reads a block's bytes; every read is checked, so damage is an error, not a panic or a misreading.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn get(&mut self) -> Result<u64> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let byte = *self.bytes.get(self.at).ok_or_else(|| damaged("cut short"))?;
            self.at += 1;
            if shift == 63 && byte > 1 {
                return Err(damaged("number too large"));
            }
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn signed(&mut self) -> Result<i64> {
        let v = self.get()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn small(&mut self) -> Result<u32> {
        u32::try_from(self.get()?).map_err(|_| damaged("number too large"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| damaged("cut short"))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn text(&mut self, n: usize) -> Result<&'a str> {
        std::str::from_utf8(self.take(n)?).map_err(|_| damaged("text"))
    }

    fn float(&mut self) -> Result<f64> {
        let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| damaged("cut short"))?;
        Ok(f64::from_bits(u64::from_le_bytes(b)))
    }

    fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

/// One decoded order, its texts `S` (borrowed from the block's bytes, or shared) and its uid as
/// stored (a number, or text borrowed from the block).
pub(super) struct Decoded<'a, S> {
    pub(super) id: i64,
    pub(super) platform: S,
    uid_number: Option<u64>,
    uid_text: &'a str,
    pub(super) has_id: bool,
    pub(super) source_id: i64,
    pub(super) customer_id: i64,
    pub(super) row: u32,
    pub(super) name: Option<S>,
    pub(super) phone: Option<S>,
    pub(super) placed_at: i64,
    pub(super) paid: i64,
    pub(super) refund: i64,
    pub(super) quantity: Option<f64>,
    pub(super) status: Option<S>,
    pub(super) order_count: u32,
    pub(super) first_date: Option<NaiveDate>,
    pub(super) interactions: Option<f64>,
    pub(super) province: Option<S>,
    pub(super) city: Option<S>,
}

impl<S> Decoded<'_, S> {
    /// The uid as text; a numeric one is written into `buffer`.
    pub(super) fn uid<'b>(&'b self, buffer: &'b mut itoa::Buffer) -> &'b str {
        match self.uid_number {
            Some(n) => buffer.format(n),
            None => self.uid_text,
        }
    }
}

impl<'a> Decoded<'a, &str> {
    /// The order as [`Stored`], its texts shared through `interner`.
    pub(super) fn interned(self, interner: &mut Interner) -> Stored {
        self.map_texts(|s| interner.get(s)).into_stored()
    }
}

impl<'a, S> Decoded<'a, S> {
    /// The same order with each text made by `f`.
    fn map_texts<T>(self, mut f: impl FnMut(S) -> T) -> Decoded<'a, T> {
        Decoded {
            id: self.id,
            platform: f(self.platform),
            uid_number: self.uid_number,
            uid_text: self.uid_text,
            has_id: self.has_id,
            source_id: self.source_id,
            customer_id: self.customer_id,
            row: self.row,
            name: self.name.map(&mut f),
            phone: self.phone.map(&mut f),
            placed_at: self.placed_at,
            paid: self.paid,
            refund: self.refund,
            quantity: self.quantity,
            status: self.status.map(&mut f),
            order_count: self.order_count,
            first_date: self.first_date,
            interactions: self.interactions,
            province: self.province.map(&mut f),
            city: self.city.map(&mut f),
        }
    }
}

impl Decoded<'_, Shared> {
    fn into_stored(self) -> Stored {
        Stored {
            id: self.id,
            uid: match self.uid_number {
                Some(n) => itoa::Buffer::new().format(n).into(),
                None => self.uid_text.into(),
            },
            platform: self.platform,
            has_id: self.has_id,
            source_id: self.source_id,
            customer_id: self.customer_id,
            row: self.row,
            name: self.name,
            phone: self.phone,
            placed_at: self.placed_at,
            paid: self.paid,
            refund: self.refund,
            quantity: self.quantity,
            status: self.status,
            order_count: self.order_count,
            first_date: self.first_date,
            interactions: self.interactions,
            province: self.province,
            city: self.city,
        }
    }
}

/// A block's distinct texts (its `texts` column), borrowed.
fn texts_of(texts: &[u8]) -> Result<Vec<&str>> {
    let mut t = Cursor { bytes: texts, at: 0 };
    let distinct = t.get()?;
    let mut out = Vec::with_capacity(distinct.min(1 << 16) as usize);
    for _ in 0..distinct {
        let len = t.get()? as usize;
        out.push(t.text(len)?);
    }
    if !t.done() {
        return Err(damaged("texts"));
    }
    Ok(out)
}

/// Decodes the `body` of a block stored at `first` that holds `count` orders, its texts taken from
/// `table` (the block's texts, borrowed or shared), handing each order to `f` in id order.
fn decode_with<'a, S: Clone>(
    first: i64,
    count: i64,
    table: &[S],
    body: &'a [u8],
    mut f: impl FnMut(Decoded<'a, S>) -> Result<()>,
) -> Result<()> {
    let text = |i: u64| table.get(i as usize).cloned().ok_or_else(|| damaged("text index"));
    let mut c = Cursor { bytes: body, at: 0 };
    if c.take(1)? != [FORMAT] {
        return Err(damaged("format"));
    }
    let (mut id, mut placed, mut decoded) = (first, 0i64, 0i64);
    while !c.done() {
        id = id.checked_add_unsigned(c.get()?).ok_or_else(|| damaged("id"))?;
        let flags = c.get()?;
        let has = |f: u16| flags & u64::from(f) != 0;
        let platform = text(c.get()?)?;
        let (uid_number, uid_text) = if has(UID_NUMBER) {
            (Some(c.get()?), "")
        } else {
            let len = c.get()? as usize;
            (None, c.text(len)?)
        };
        let source_id = c.signed()?;
        let customer_id = c.signed()?;
        let row = c.small()?;
        let name = if has(NAME) { Some(text(c.get()?)?) } else { None };
        let phone = if has(PHONE) { Some(text(c.get()?)?) } else { None };
        placed = placed.wrapping_add(c.signed()?);
        let paid = c.signed()?;
        let refund = c.signed()?;
        let quantity = match (has(QUANTITY), has(QUANTITY_WHOLE)) {
            (true, true) => Some(c.get()? as f64),
            (true, false) => Some(c.float()?),
            _ => None,
        };
        let status = if has(STATUS) { Some(text(c.get()?)?) } else { None };
        let order_count = c.small()?;
        let first_date = if has(FIRST_DATE) {
            let days = i32::try_from(c.signed()?).map_err(|_| damaged("date"))?;
            Some(NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(|| damaged("date"))?)
        } else {
            None
        };
        let interactions = if has(INTERACTIONS) { Some(c.float()?) } else { None };
        let province = if has(PROVINCE) { Some(text(c.get()?)?) } else { None };
        let city = if has(CITY) { Some(text(c.get()?)?) } else { None };
        decoded += 1;
        f(Decoded {
            id,
            platform,
            uid_number,
            uid_text,
            has_id: has(HAS_ID),
            source_id,
            customer_id,
            row,
            name,
            phone,
            placed_at: placed,
            paid,
            refund,
            quantity,
            status,
            order_count,
            first_date,
            interactions,
            province,
            city,
        })?;
    }
    // A block cut at an order's end would decode: its count tells.
    if decoded != count {
        return Err(damaged("count"));
    }
    Ok(())
}

/// Decodes a block stored at `first` that holds `count` orders (its `texts` and `body` columns),
/// appending its orders to `out`, their texts shared through `interner` (one copy of each name
/// across blocks).
pub(super) fn decode(
    first: i64,
    count: i64,
    texts: &[u8],
    body: &[u8],
    interner: &mut Interner,
    out: &mut Vec<Stored>,
) -> Result<()> {
    let shared: Vec<Shared> = texts_of(texts)?.into_iter().map(|t| interner.get(t)).collect();
    decode_with(first, count, &shared, body, |o| {
        out.push(o.into_stored());
        Ok(())
    })
}

/// Every stored order in id order, borrowed from its block as it is decoded (no text is copied):
/// for readers of a few fields of every order.
pub(super) fn for_each(conn: &Connection, mut f: impl FnMut(Decoded<'_, &str>) -> Result<()>) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT first_order, orders, texts, body FROM order_blocks ORDER BY first_order")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let table = texts_of(r.get_ref(2)?.as_blob()?)?;
        decode_with(r.get(0)?, r.get(1)?, &table, r.get_ref(3)?.as_blob()?, &mut f)?;
    }
    Ok(())
}

/// Whether a block's `customers` column lists one of `ids`.
fn lists_any(bytes: &[u8], ids: &FxHashSet<i64>) -> Result<bool> {
    let mut c = Cursor { bytes, at: 0 };
    let mut previous = 0i64;
    while !c.done() {
        previous = previous.checked_add(c.signed()?).ok_or_else(|| damaged("customer"))?;
        if ids.contains(&previous) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// How many orders are stored.
pub(super) fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT coalesce(sum(orders), 0) FROM order_blocks", [], |r| r.get(0))?)
}

/// Every stored order in id order, a block at a time: `take` gets each block's orders (whatever
/// it leaves is dropped), their texts shared across blocks.
pub(super) fn for_each_block(conn: &Connection, mut take: impl FnMut(&mut Vec<Stored>) -> Result<()>) -> Result<()> {
    let mut interner = Interner::default();
    let mut stmt =
        conn.prepare_cached("SELECT first_order, orders, texts, body FROM order_blocks ORDER BY first_order")?;
    let mut rows = stmt.query([])?;
    let mut orders = Vec::with_capacity(ORDERS_PER_BLOCK);
    while let Some(r) = rows.next()? {
        orders.clear();
        let first: i64 = r.get(0)?;
        let texts = r.get_ref(2)?.as_blob()?;
        let body = r.get_ref(3)?.as_blob()?;
        decode(first, r.get(1)?, texts, body, &mut interner, &mut orders)?;
        take(&mut orders)?;
    }
    Ok(())
}

/// The stored orders of the customers `ids`, in id order: only the blocks that list one of them
/// are decoded. `tick` is called for every block looked at.
pub(super) fn of_customers(
    conn: &Connection,
    ids: &FxHashSet<i64>,
    tick: &mut dyn FnMut() -> Result<()>,
) -> Result<Vec<Stored>> {
    let (mut out, mut interner) = (Vec::new(), Interner::default());
    if ids.is_empty() {
        return Ok(out);
    }
    let wanted: Vec<i64> = {
        let mut stmt = conn.prepare_cached("SELECT first_order, customers FROM order_blocks ORDER BY first_order")?;
        let mut rows = stmt.query([])?;
        let mut wanted = Vec::new();
        while let Some(r) = rows.next()? {
            tick()?;
            if lists_any(r.get_ref(1)?.as_blob()?, ids)? {
                wanted.push(r.get(0)?);
            }
        }
        wanted
    };
    let mut stmt = conn.prepare_cached("SELECT orders, texts, body FROM order_blocks WHERE first_order = ?1")?;
    for first in wanted {
        tick()?;
        let mut rows = stmt.query([first])?;
        let Some(r) = rows.next()? else { continue };
        let table = texts_of(r.get_ref(1)?.as_blob()?)?;
        decode_with(first, r.get(0)?, &table, r.get_ref(2)?.as_blob()?, |o| {
            if ids.contains(&o.customer_id) {
                out.push(o.interned(&mut interner));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// Replaces the block stored at `first` with `orders` (in id order; none: the block goes).
pub(super) fn rewrite(tx: &Connection, first: i64, orders: &[Stored]) -> Result<()> {
    tx.prepare_cached("DELETE FROM order_blocks WHERE first_order = ?1")?.execute([first])?;
    let mut writer = BlockWriter::new();
    for o in orders {
        writer.push(tx, &o.as_ref())?;
    }
    writer.flush(tx)
}

/// A hash of an order's identity (platform, uid), as [`Book`] keys them.
pub(super) fn identity_hash(platform: &str, uid: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    (platform, uid).hash(&mut h);
    h.finish()
}

/// The stored orders as an import sees them: every identity (by hash), and the blocks it has read
/// or changed, decoded, until [`Book::finish`] writes the changed ones back.
pub(super) struct Book {
    /// An identity's hash to the order that has it (the first, when two share a hash).
    ids: FxHashMap<u64, i64>,
    /// The other orders whose identity has a hash already in `ids` (rare: a collision).
    shared_hash: FxHashMap<u64, Vec<i64>>,
    /// Decoded blocks by their `first_order`, and whether they changed.
    blocks: FxHashMap<i64, (Vec<Stored>, bool)>,
    interner: Interner,
    next_id: i64,
    /// The `first_order` of every block stored when the book was opened, ascending: where an
    /// order stored before this file lives is found here, not by a query per known order.
    firsts: Vec<i64>,
    /// The ids below which orders are in those blocks (the file's new orders are at or above it).
    stored_below: i64,
}

impl Book {
    /// Every stored identity, read once; `each` sees every stored order as it goes by (e.g. to
    /// collect a customer list's older rows), `tick` is called every [`ORDERS_PER_BLOCK`] orders.
    /// `expected`: how many orders the file brings (the identities' map is made that large at once).
    pub(super) fn open(
        tx: &Connection,
        mut each: impl FnMut(&Decoded<'_, &str>),
        tick: &mut dyn FnMut() -> Result<()>,
        expected: usize,
    ) -> Result<Book> {
        // The blocks' first ids, and from them the orders stored and the next id, in one read.
        let (mut firsts, mut stored, mut last) = (Vec::new(), 0usize, 0i64);
        {
            let mut stmt =
                tx.prepare_cached("SELECT first_order, last_order, orders FROM order_blocks ORDER BY first_order")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                firsts.push(r.get(0)?);
                last = last.max(r.get(1)?);
                stored += r.get::<_, usize>(2)?;
            }
        }
        let mut book = Book {
            ids: FxHashMap::default(),
            shared_hash: FxHashMap::default(),
            blocks: FxHashMap::default(),
            interner: Interner::default(),
            next_id: last + 1,
            firsts,
            stored_below: last + 1,
        };
        book.ids.reserve(stored + expected);
        let (ids, shared_hash) = (&mut book.ids, &mut book.shared_hash);
        let mut digits = itoa::Buffer::new();
        let mut read = 0usize;
        for_each(tx, |o| {
            each(&o);
            record(ids, shared_hash, identity_hash(o.platform, o.uid(&mut digits)), o.id);
            read += 1;
            if read.is_multiple_of(ORDERS_PER_BLOCK) {
                tick()?;
            }
            Ok(())
        })?;
        Ok(book)
    }

    /// The id a new order gets now (each call a new one).
    pub(super) fn new_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Records a new order's identity (its hash was not found, or found for another identity).
    pub(super) fn add(&mut self, hash: u64, id: i64) {
        record(&mut self.ids, &mut self.shared_hash, hash, id);
    }

    /// Whether an order of this identity hash may be stored (a cheap test before [`Book::find`]).
    pub(super) fn may_have(&self, hash: u64) -> bool {
        self.ids.contains_key(&hash)
    }

    /// The stored order of identity (platform, uid), if any. `pending`: the import's writer, whose
    /// orders are written out first when the one looked for may be among them.
    pub(super) fn find(
        &mut self,
        tx: &Connection,
        pending: &mut BlockWriter,
        hash: u64,
        platform: &str,
        uid: &str,
    ) -> Result<Option<i64>> {
        let Some(&first) = self.ids.get(&hash) else { return Ok(None) };
        let more = self.shared_hash.get(&hash).cloned().unwrap_or_default();
        for id in std::iter::once(first).chain(more) {
            if let Some(o) = self.get(tx, pending, id)? {
                if &*o.platform == platform && &*o.uid == uid {
                    return Ok(Some(id));
                }
            }
        }
        Ok(None)
    }

    /// The block holding order `id`, decoded (read once); `None` when no block can hold it.
    fn block_of(&mut self, tx: &Connection, pending: &mut BlockWriter, id: i64) -> Result<Option<i64>> {
        if pending.pending_from().is_some_and(|from| from <= id) {
            pending.flush(tx)?;
        }
        let first: Option<i64> = if id < self.stored_below {
            self.firsts.partition_point(|&f| f <= id).checked_sub(1).map(|i| self.firsts[i])
        } else {
            // One of this file's new orders, seen again in the same file (rare).
            tx.prepare_cached(
                "SELECT first_order FROM order_blocks WHERE first_order <= ?1 ORDER BY first_order DESC LIMIT 1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?
        };
        let Some(first) = first else { return Ok(None) };
        if !self.blocks.contains_key(&first) {
            let mut orders = Vec::new();
            let mut stmt = tx.prepare_cached("SELECT orders, texts, body FROM order_blocks WHERE first_order = ?1")?;
            let interner = &mut self.interner;
            stmt.query_row([first], |r| {
                let texts = r.get_ref(1)?.as_blob()?;
                let body = r.get_ref(2)?.as_blob()?;
                Ok(decode(first, r.get(0)?, texts, body, interner, &mut orders))
            })??;
            self.blocks.insert(first, (orders, false));
        }
        Ok(Some(first))
    }

    /// Stored order `id` (`None` when it is not stored, e.g. taken out by this import).
    pub(super) fn get(&mut self, tx: &Connection, pending: &mut BlockWriter, id: i64) -> Result<Option<&Stored>> {
        let Some(first) = self.block_of(tx, pending, id)? else { return Ok(None) };
        let orders = &self.blocks[&first].0;
        Ok(orders.binary_search_by_key(&id, |o| o.id).ok().map(|i| &orders[i]))
    }

    /// Changes stored order `id` (nothing when it is not stored); written back by `finish`.
    pub(super) fn change(
        &mut self,
        tx: &Connection,
        pending: &mut BlockWriter,
        id: i64,
        f: impl FnOnce(&mut Stored),
    ) -> Result<()> {
        let Some(first) = self.block_of(tx, pending, id)? else { return Ok(()) };
        let (orders, changed) = self.blocks.get_mut(&first).expect("block_of read it");
        if let Ok(i) = orders.binary_search_by_key(&id, |o| o.id) {
            f(&mut orders[i]);
            *changed = true;
        }
        Ok(())
    }

    /// Takes stored order `id` out (and its identity); returns it when it was stored.
    pub(super) fn remove(&mut self, tx: &Connection, pending: &mut BlockWriter, id: i64) -> Result<Option<Stored>> {
        let Some(first) = self.block_of(tx, pending, id)? else { return Ok(None) };
        let (orders, changed) = self.blocks.get_mut(&first).expect("block_of read it");
        let Ok(i) = orders.binary_search_by_key(&id, |o| o.id) else { return Ok(None) };
        let order = orders.remove(i);
        *changed = true;
        let hash = identity_hash(&order.platform, &order.uid);
        if self.ids.get(&hash) == Some(&id) {
            match self.shared_hash.get_mut(&hash).and_then(|more| more.pop()) {
                Some(other) => {
                    self.ids.insert(hash, other);
                }
                None => {
                    self.ids.remove(&hash);
                }
            }
        } else if let Some(more) = self.shared_hash.get_mut(&hash) {
            more.retain(|&o| o != id);
        }
        Ok(Some(order))
    }

    /// Writes the changed blocks back (the import's new orders must be flushed before or after:
    /// they are in blocks of their own).
    pub(super) fn finish(self, tx: &Connection) -> Result<()> {
        let mut changed: Vec<(i64, Vec<Stored>)> =
            self.blocks.into_iter().filter(|(_, (_, c))| *c).map(|(first, (orders, _))| (first, orders)).collect();
        changed.sort_unstable_by_key(|(first, _)| *first);
        for (first, orders) in changed {
            rewrite(tx, first, &orders)?;
        }
        Ok(())
    }
}

/// Records identity `hash` of order `id`: in `ids` when the hash is new there, else (another
/// identity with the same hash, or the same identity stored twice) among `shared_hash`'s.
fn record(ids: &mut FxHashMap<u64, i64>, shared_hash: &mut FxHashMap<u64, Vec<i64>>, hash: u64, id: i64) {
    match ids.entry(hash) {
        std::collections::hash_map::Entry::Occupied(_) => shared_hash.entry(hash).or_default().push(id),
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(id);
        }
    }
}

/// Moves the order rows of a workspace before schema version 9 into blocks, then drops their
/// table and its indexes: the migration step to version 9. The sightings table is made again
/// without its reference to the orders table first (dropping a referenced table would delete them).
pub(super) fn blocks_from_rows(tx: &Connection) -> Result<()> {
    let mut writer = BlockWriter::new();
    {
        let mut stmt = tx.prepare(
            "SELECT id, platform, uid, has_id, source_id, customer_id, row, name, phone, placed_at, paid, refund,
                    quantity, status, order_count, first_date, interactions, province, city
             FROM orders ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut interner = Interner::default();
        let mut text = |r: &rusqlite::Row<'_>, i: usize| -> rusqlite::Result<Option<Shared>> {
            Ok(r.get_ref(i)?.as_str_or_null()?.map(|s| interner.get(s)))
        };
        while let Some(r) = rows.next()? {
            let order = Stored {
                id: r.get(0)?,
                platform: text(r, 1)?.unwrap_or_default(),
                uid: r.get::<_, String>(2)?.into(),
                has_id: r.get(3)?,
                source_id: r.get(4)?,
                customer_id: r.get(5)?,
                row: r.get(6)?,
                name: text(r, 7)?,
                phone: text(r, 8)?,
                placed_at: r.get(9)?,
                paid: r.get(10)?,
                refund: r.get(11)?,
                quantity: r.get(12)?,
                status: text(r, 13)?,
                order_count: r.get(14)?,
                first_date: r.get(15)?,
                interactions: r.get(16)?,
                province: text(r, 17)?,
                city: text(r, 18)?,
            };
            writer.push(tx, &order.as_ref())?;
        }
    }
    writer.flush(tx)?;
    tx.execute_batch(
        "CREATE TABLE order_sightings_v9 (
             source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
             order_id INTEGER NOT NULL,
             PRIMARY KEY (source_id, order_id)
         ) WITHOUT ROWID;
         INSERT INTO order_sightings_v9(source_id, order_id) SELECT source_id, order_id FROM order_sightings;
         DROP TABLE order_sightings;
         ALTER TABLE order_sightings_v9 RENAME TO order_sightings;
         CREATE INDEX order_sightings_order ON order_sightings(order_id);
         DROP TABLE orders;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        // The table as version 9 makes it.
        conn.execute_batch(super::super::schema::MIGRATIONS[8]).unwrap();
        conn
    }

    fn order(id: i64) -> Stored {
        let n = |k: i64| (id * 7919 + k) % 97;
        Stored {
            id,
            platform: if id % 5 == 0 { "".into() } else { "订单号".into() },
            uid: match id % 4 {
                0 => format!("{}", 2_000_000_000_000_000_000u64 + id as u64).into(),
                1 => format!("0{id}").into(),
                2 => format!("TB-{id}").into(),
                _ => "18446744073709551615".into(),
            },
            has_id: id % 5 != 0,
            source_id: 1 + id % 3,
            customer_id: 1 + n(1),
            row: (id + 1) as u32,
            name: (id % 3 != 0).then(|| format!("客户{}", n(2)).into()),
            phone: (id % 2 == 0).then(|| format!("138{:08}", n(3)).into()),
            placed_at: 1_700_000_000 + (id * 3_601) % 86_400_000 - if id % 7 == 0 { 10_000_000 } else { 0 },
            paid: n(4) * 1_234 - 50,
            refund: if id % 9 == 0 { -1 } else { 0 },
            quantity: match id % 6 {
                0 => None,
                1 => Some(2.0),
                2 => Some(-0.0),
                3 => Some(1.5),
                4 => Some(f64::from_bits(0x7ff8_0000_0000_0001)),
                _ => Some(1e300),
            },
            status: (id % 4 == 1).then(|| "已完成".into()),
            order_count: 1 + (id % 2) as u32 * 40,
            first_date: (id % 8 == 3).then(|| NaiveDate::from_ymd_opt(-5 + (id % 3000) as i32, 2, 28).unwrap()),
            interactions: (id % 10 == 1).then_some(f64::from(id as i32) * 0.1),
            province: (id % 3 == 1).then(|| "浙江".into()),
            city: (id % 6 == 1).then(|| "杭州".into()),
        }
    }

    fn read_all(conn: &Connection) -> Vec<Stored> {
        let mut all = Vec::new();
        for_each_block(conn, |orders| {
            all.append(orders);
            Ok(())
        })
        .unwrap();
        all
    }

    /// Bit for bit, floats included (`PartialEq` would call NaN unequal and −0 equal to 0).
    fn same(a: &[Stored], b: &[Stored]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            let bits = |o: &Stored| (o.quantity.map(f64::to_bits), o.interactions.map(f64::to_bits));
            assert_eq!(bits(x), bits(y), "order {}", x.id);
            let plain = |o: &Stored| Stored { quantity: None, interactions: None, ..o.clone() };
            assert_eq!(plain(x), plain(y));
        }
    }

    #[test]
    fn orders_read_back_as_written_across_blocks() {
        let conn = workspace();
        // Gaps in the ids, as deleted orders leave them.
        let orders: Vec<Stored> = (1..=(ORDERS_PER_BLOCK as i64 * 3)).filter(|i| i % 11 != 0).map(order).collect();
        let mut writer = BlockWriter::new();
        for o in &orders {
            writer.push(&conn, &o.as_ref()).unwrap();
        }
        writer.flush(&conn).unwrap();
        let blocks: i64 = conn.query_row("SELECT count(*) FROM order_blocks", [], |r| r.get(0)).unwrap();
        assert_eq!(blocks, 3);
        same(&read_all(&conn), &orders);
        assert_eq!(count(&conn).unwrap(), orders.len() as u64);
        assert_eq!(Book::open(&conn, |_| (), &mut || Ok(()), 0).unwrap().new_id(), orders.last().unwrap().id + 1);

        let wanted: FxHashSet<i64> = [3, 50].into_iter().collect();
        let some = of_customers(&conn, &wanted, &mut || Ok(())).unwrap();
        let expected: Vec<Stored> = orders.iter().filter(|o| wanted.contains(&o.customer_id)).cloned().collect();
        assert!(!expected.is_empty());
        same(&some, &expected);
    }

    #[test]
    fn a_book_finds_changes_and_removes_orders() {
        let conn = workspace();
        let orders: Vec<Stored> = (1..=5000).map(order).collect();
        let mut writer = BlockWriter::new();
        for o in &orders {
            writer.push(&conn, &o.as_ref()).unwrap();
        }
        writer.flush(&conn).unwrap();
        let mut book = Book::open(&conn, |_| (), &mut || Ok(()), 0).unwrap();
        let mut pending = BlockWriter::new();
        let find = |book: &mut Book, pending: &mut BlockWriter, o: &Stored| {
            book.find(&conn, pending, identity_hash(&o.platform, &o.uid), &o.platform, &o.uid).unwrap()
        };
        // Ids 3, 7, 11 … share the uid 18446744073709551615 on one platform: the first holds it.
        assert_eq!(find(&mut book, &mut pending, &orders[6]), Some(3));
        assert_eq!(find(&mut book, &mut pending, &orders[9]), Some(10));
        let other = Stored { uid: "nowhere".into(), ..orders[9].clone() };
        assert_eq!(find(&mut book, &mut pending, &other), None);

        // A new order, still in the writer, is found (written out first).
        let new = Stored { id: book.new_id(), uid: "NEW-1".into(), ..order(5001) };
        assert_eq!(new.id, 5001);
        pending.push(&conn, &new.as_ref()).unwrap();
        book.add(identity_hash(&new.platform, &new.uid), new.id);
        assert_eq!(find(&mut book, &mut pending, &new), Some(5001));
        assert_eq!(pending.pending_from(), None);

        book.change(&conn, &mut pending, 10, |o| o.refund = 77).unwrap();
        assert_eq!(book.remove(&conn, &mut pending, 4500).unwrap().map(|o| o.id), Some(4500));
        assert_eq!(find(&mut book, &mut pending, &orders[4499]), None);
        book.finish(&conn).unwrap();
        pending.flush(&conn).unwrap();

        let mut expected: Vec<Stored> = orders.iter().filter(|o| o.id != 4500).cloned().collect();
        expected[9].refund = 77;
        expected.push(new);
        same(&read_all(&conn), &expected);
        assert_eq!(count(&conn).unwrap(), 5000);
    }

    #[test]
    fn orders_out_of_id_order_are_refused_not_written() {
        let conn = workspace();
        let mut writer = BlockWriter::new();
        writer.push(&conn, &order(5).as_ref()).unwrap();
        for id in [5, 4] {
            let refused = writer.push(&conn, &order(id).as_ref());
            assert!(matches!(refused, Err(Error::Store(StoreError::Value(_)))), "id {id}");
        }
        writer.push(&conn, &order(6).as_ref()).unwrap();
        writer.flush(&conn).unwrap();
        assert_eq!(read_all(&conn).iter().map(|o| o.id).collect::<Vec<_>>(), [5, 6]);
    }

    #[test]
    fn a_damaged_block_is_an_error_not_a_misreading() {
        let conn = workspace();
        let mut writer = BlockWriter::new();
        for id in 1..=40 {
            writer.push(&conn, &order(id).as_ref()).unwrap();
        }
        writer.flush(&conn).unwrap();
        let body: Vec<u8> = conn.query_row("SELECT body FROM order_blocks", [], |r| r.get(0)).unwrap();
        for cut in [1, body.len() / 2, body.len() - 1] {
            conn.execute("UPDATE order_blocks SET body = ?1", [&body[..cut]]).unwrap();
            let read = for_each_block(&conn, |_| Ok(()));
            assert!(matches!(read, Err(Error::Store(StoreError::Value(_)))), "cut at {cut}");
        }
        conn.execute("UPDATE order_blocks SET body = ?1, texts = x'05'", [&body]).unwrap();
        assert!(for_each_block(&conn, |_| Ok(())).is_err());
    }
}

//! The item rows of the stored orders (what was bought, as `Order::items` holds them), kept in
//! blocks: one row of `order_item_blocks` holds the items of up to [`ORDERS_PER_BLOCK`] consecutive
//! orders, encoded with postcard, each block's product names and SKUs written once.
//!
//! A row per item cost SQLite about as much as the order row itself: at a million orders the items
//! were half of a shop's first import's store work (docs/benchmarks.md, issue 10 item 4). Items are
//! only ever read whole, in order id order (products, profit, the cost table's product list), and
//! written with their order, so a block per few thousand orders loses nothing.
//!
//! Invariants the readers rely on, which the writers here keep:
//! - a block's items are those of orders `first_order ..= last_order`, in order id then file order;
//! - every item belongs to a stored order: whoever deletes orders calls [`forget`] with their ids
//!   (`import`: a removed source, withdrawn orders, a customer list's replaced rows);
//! - so blocks do not overlap: a new order's id is above every stored one (SQLite gives a new rowid
//!   max + 1), hence above every item's. A workspace where they overlap all the same is read whole
//!   and sorted (`ItemStream::new`), never misread.

use std::borrow::Borrow;
use std::collections::VecDeque;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, StoreError};
use crate::model::{OrderItem, Shared};
use crate::orders::Interner;

/// Orders per block: a block is then ~100–200 KB for a shop's typical one or two items per order
/// (a few dozen pages), and pruning one deleted order rewrites at most that.
const ORDERS_PER_BLOCK: usize = 4096;

/// The encoding of a block; a block of another format is refused as damaged, not misread.
const FORMAT: u8 = 1;

/// One block as stored. `orders[i]` is (id − the previous order's id, or − `first_order` for the
/// first; items of that order) and the items follow each other in that order.
#[derive(Serialize, Deserialize)]
struct Block<'a> {
    format: u8,
    #[serde(borrow)]
    texts: Vec<&'a str>,
    orders: Vec<(u64, u32)>,
    items: Vec<Item>,
}

/// An item, its product and SKU as indexes into the block's texts.
#[derive(Serialize, Deserialize)]
struct Item {
    product: u32,
    sku: Option<u32>,
    quantity: f64,
    amount: Option<i64>,
    cost: Option<i64>,
    profit: Option<i64>,
}

fn damaged(e: postcard::Error) -> Error {
    Error::Store(StoreError::Value(rusqlite::types::FromSqlError::Other(Box::new(e))))
}

/// A block as a row of `order_item_blocks`.
struct Encoded {
    first: i64,
    last: i64,
    /// Whether any item has a cost or profit of its own.
    costed: bool,
    bytes: Vec<u8>,
}

/// Encodes `entries` (order id, item), sorted by order id and, within an order, in file order;
/// `None` for no entries.
fn encode<'e, I: Borrow<OrderItem>>(entries: &'e [(i64, I)]) -> Result<Option<Encoded>> {
    let (Some(&(first, _)), Some(&(last, _))) = (entries.first(), entries.last()) else {
        return Ok(None);
    };
    let mut texts: Vec<&'e str> = Vec::new();
    let mut index: rustc_hash::FxHashMap<&'e str, u32> = rustc_hash::FxHashMap::default();
    let mut text = |s: &'e Shared| -> u32 {
        let s = s.as_str();
        *index.entry(s).or_insert_with(|| {
            texts.push(s);
            (texts.len() - 1) as u32
        })
    };
    let mut orders: Vec<(u64, u32)> = Vec::new();
    let mut items = Vec::with_capacity(entries.len());
    let (mut previous, mut costed) = (first, false);
    for (id, item) in entries {
        let (id, item) = (*id, item.borrow());
        match orders.last_mut() {
            Some(last) if id == previous => last.1 += 1,
            _ => {
                orders.push((id.abs_diff(previous), 1));
                previous = id;
            }
        }
        costed |= item.cost.is_some() || item.profit.is_some();
        items.push(Item {
            product: text(&item.product),
            sku: item.sku.as_ref().map(&mut text),
            quantity: item.quantity,
            amount: item.amount,
            cost: item.cost,
            profit: item.profit,
        });
    }
    let block = Block { format: FORMAT, texts, orders, items };
    let bytes = postcard::to_allocvec(&block).map_err(damaged)?;
    Ok(Some(Encoded { first, last, costed, bytes }))
}

/// Decodes a block stored at `first` into (order id, item), texts shared through `texts`.
fn decode(first: i64, bytes: &[u8], texts: &mut Interner, out: &mut impl Extend<(i64, OrderItem)>) -> Result<()> {
    let block: Block<'_> = postcard::from_bytes(bytes).map_err(damaged)?;
    let bad = || damaged(postcard::Error::DeserializeBadEncoding);
    if block.format != FORMAT {
        return Err(bad());
    }
    let shared: Vec<Shared> = block.texts.iter().map(|t| texts.get(t)).collect();
    let text = |i: u32| shared.get(i as usize).cloned().ok_or_else(bad);
    let mut items = block.items.into_iter();
    let mut id = first;
    for (gap, count) in block.orders {
        id = id.checked_add_unsigned(gap).ok_or_else(bad)?;
        for _ in 0..count {
            let item = items.next().ok_or_else(bad)?;
            let item = OrderItem {
                product: text(item.product)?,
                sku: item.sku.map(text).transpose()?,
                quantity: item.quantity,
                amount: item.amount,
                cost: item.cost,
                profit: item.profit,
            };
            out.extend([(id, item)]);
        }
    }
    Ok(())
}

fn insert_block<I: Borrow<OrderItem>>(tx: &Connection, entries: &[(i64, I)]) -> Result<()> {
    if let Some(Encoded { first, last, costed, bytes }) = encode(entries)? {
        tx.prepare_cached(
            "INSERT INTO order_item_blocks(first_order, last_order, costed, items) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(rusqlite::params![first, last, costed, bytes])?;
    }
    Ok(())
}

/// Writes items, a block per [`ORDERS_PER_BLOCK`] orders with items: borrowed from the orders an
/// import stores (`I` = `&OrderItem`), or owned as the migration reads them.
pub(super) struct BlockWriter<I> {
    entries: Vec<(i64, I)>,
    /// Orders among `entries`.
    orders: usize,
}

impl<I: Borrow<OrderItem>> BlockWriter<I> {
    pub(super) fn new() -> Self {
        BlockWriter { entries: Vec::new(), orders: 0 }
    }

    /// One item of order `order_id`: orders come in ascending id order (each above every stored
    /// one), an order's items in file order. A full block is written when the next order begins.
    pub(super) fn push(&mut self, tx: &Connection, order_id: i64, item: I) -> Result<()> {
        let last = self.entries.last().map(|&(last, _)| last);
        debug_assert!(last.is_none_or(|last| last <= order_id));
        if last != Some(order_id) {
            if self.orders == ORDERS_PER_BLOCK {
                self.flush(tx)?;
            }
            self.orders += 1;
        }
        self.entries.push((order_id, item));
        Ok(())
    }

    /// Writes what is pending; call it once the orders are stored.
    pub(super) fn flush(&mut self, tx: &Connection) -> Result<()> {
        insert_block(tx, &self.entries)?;
        self.entries.clear();
        self.orders = 0;
        Ok(())
    }
}

/// Takes the items of the deleted orders `ids` out of their blocks (a block left empty goes).
pub(super) fn forget(tx: &Connection, mut ids: Vec<i64>) -> Result<()> {
    ids.sort_unstable();
    ids.dedup();
    let (Some(&low), Some(&high)) = (ids.first(), ids.last()) else {
        return Ok(());
    };
    let blocks: Vec<(i64, i64, Vec<u8>)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT first_order, last_order, items FROM order_item_blocks
             WHERE first_order <= ?2 AND last_order >= ?1 ORDER BY first_order",
        )?;
        let rows = stmt.query_map([low, high], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut texts = Interner::default();
    let mut items = Vec::new();
    for (first, last, bytes) in blocks {
        let from = ids.partition_point(|&id| id < first);
        if ids.get(from).is_none_or(|&id| id > last) {
            continue;
        }
        items.clear();
        decode(first, &bytes, &mut texts, &mut items)?;
        let before = items.len();
        items.retain(|(id, _)| ids.binary_search(id).is_err());
        if items.len() == before {
            continue;
        }
        tx.prepare_cached("DELETE FROM order_item_blocks WHERE first_order = ?1")?.execute([first])?;
        insert_block(tx, &items)?;
    }
    Ok(())
}

/// Every stored item with its order's id, in order id then file order, a block at a time.
pub(super) struct ItemStream<'c> {
    conn: &'c Connection,
    /// The key of the last block read; `None` once every block is read (or when all were read at once).
    after: Option<i64>,
    /// What is read and not yet taken.
    pending: VecDeque<(i64, OrderItem)>,
}

impl<'c> ItemStream<'c> {
    /// A stream over the blocks of `conn`. Blocks that overlap (which the writers never make) are
    /// all read at once and sorted, so the stream is in order whatever the file holds.
    pub(super) fn new(conn: &'c Connection, texts: &mut Interner) -> Result<Self> {
        let overlapping: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM (SELECT first_order,
                                                  lag(last_order) OVER (ORDER BY first_order) AS previous
                                           FROM order_item_blocks)
                            WHERE previous >= first_order)",
            [],
            |r| r.get(0),
        )?;
        let mut stream = ItemStream { conn, after: Some(i64::MIN), pending: VecDeque::new() };
        if overlapping {
            while stream.read_block(texts)? {}
            stream.pending.make_contiguous().sort_by_key(|&(id, _)| id);
        }
        Ok(stream)
    }

    /// Reads the next block into `pending`; false when there is none.
    fn read_block(&mut self, texts: &mut Interner) -> Result<bool> {
        let Some(after) = self.after else { return Ok(false) };
        let block: Option<(i64, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT first_order, items FROM order_item_blocks WHERE first_order > ?1 ORDER BY first_order LIMIT 1",
            )?
            .query_row([after], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((first, bytes)) = block else {
            self.after = None;
            return Ok(false);
        };
        self.after = Some(first);
        decode(first, &bytes, texts, &mut self.pending)?;
        Ok(true)
    }

    /// The order id of the next item, reading the next block when needed.
    fn peek(&mut self, texts: &mut Interner) -> Result<Option<i64>> {
        while self.pending.is_empty() {
            if !self.read_block(texts)? {
                return Ok(None);
            }
        }
        Ok(self.pending.front().map(|&(id, _)| id))
    }

    /// The next item and its order's id.
    pub(super) fn next(&mut self, texts: &mut Interner) -> Result<Option<(i64, OrderItem)>> {
        self.peek(texts)?;
        Ok(self.pending.pop_front())
    }

    /// Hands `take` the items of order `id`, in file order, passing over any of a smaller id: for a
    /// reader of the orders in id order, one call per order.
    pub(super) fn items_of(&mut self, id: i64, texts: &mut Interner, mut take: impl FnMut(OrderItem)) -> Result<()> {
        while let Some(order_id) = self.peek(texts)? {
            if order_id > id {
                break;
            }
            if let Some((order_id, item)) = self.pending.pop_front() {
                if order_id == id {
                    take(item);
                }
            }
        }
        Ok(())
    }
}

/// Moves the item rows of a workspace before schema version 7 (`order_items`) into blocks, then
/// drops their table: the migration step to version 7. Rows of an order that is not stored (which
/// the old table's cascade should have deleted, unless the file was changed with foreign keys off)
/// are left behind: in a block, a later order given the same id would take them over.
pub(super) fn blocks_from_rows(tx: &Connection) -> Result<()> {
    let mut texts = Interner::default();
    let mut stmt = tx.prepare(
        "SELECT order_id, product, sku, quantity, amount, cost, profit FROM order_items i
         WHERE EXISTS (SELECT 1 FROM orders o WHERE o.id = i.order_id)
         ORDER BY order_id, position",
    )?;
    let mut rows = stmt.query([])?;
    let mut blocks = BlockWriter::new();
    while let Some(r) = rows.next()? {
        let item = OrderItem {
            product: texts.get(r.get_ref(1)?.as_str()?),
            sku: r.get_ref(2)?.as_str_or_null()?.map(|s| texts.get(s)),
            quantity: r.get(3)?,
            amount: r.get(4)?,
            cost: r.get(5)?,
            profit: r.get(6)?,
        };
        blocks.push(tx, r.get(0)?, item)?;
    }
    blocks.flush(tx)?;
    drop(rows);
    drop(stmt);
    tx.execute_batch("DROP TABLE order_items")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(product: &str, sku: Option<&str>, quantity: f64, cost: Option<i64>) -> OrderItem {
        OrderItem {
            product: product.into(),
            sku: sku.map(Into::into),
            quantity,
            amount: Some(1234),
            cost,
            profit: None,
        }
    }

    fn workspace() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE order_item_blocks (first_order INTEGER PRIMARY KEY, last_order INTEGER NOT NULL,
                                             costed INTEGER NOT NULL, items BLOB NOT NULL);",
        )
        .unwrap();
        conn
    }

    fn read_all(conn: &Connection) -> Vec<(i64, OrderItem)> {
        let mut texts = Interner::default();
        let mut stream = ItemStream::new(conn, &mut texts).unwrap();
        let mut all = Vec::new();
        while let Some(entry) = stream.next(&mut texts).unwrap() {
            all.push(entry);
        }
        all
    }

    /// `n` orders with ids 10, 12, 14 … each with one to three items of a few products.
    fn orders(n: i64) -> Vec<(i64, Vec<OrderItem>)> {
        (0..n)
            .map(|i| {
                let items = (0..=(i % 3))
                    .map(|k| {
                        item(
                            &format!("商品{}", (i + k) % 7),
                            (k == 1).then_some("SKU-1"),
                            1.5,
                            (i % 5 == 0).then_some(99),
                        )
                    })
                    .collect();
                (10 + 2 * i, items)
            })
            .collect()
    }

    #[test]
    fn items_read_back_as_written_across_blocks() {
        let conn = workspace();
        let orders = orders(ORDERS_PER_BLOCK as i64 * 2 + 17);
        let mut writer = BlockWriter::new();
        for (id, items) in &orders {
            for item in items {
                writer.push(&conn, *id, item).unwrap();
            }
        }
        writer.flush(&conn).unwrap();
        let blocks: i64 = conn.query_row("SELECT count(*) FROM order_item_blocks", [], |r| r.get(0)).unwrap();
        assert_eq!(blocks, 3);
        let expected: Vec<(i64, OrderItem)> =
            orders.iter().flat_map(|(id, items)| items.iter().map(move |i| (*id, i.clone()))).collect();
        assert_eq!(read_all(&conn), expected);
    }

    #[test]
    fn forgetting_orders_takes_exactly_their_items_out() {
        let conn = workspace();
        let orders = orders(ORDERS_PER_BLOCK as i64 + 5);
        let mut writer = BlockWriter::new();
        for (id, items) in &orders {
            for item in items {
                writer.push(&conn, *id, item).unwrap();
            }
        }
        writer.flush(&conn).unwrap();
        // The first order of the first block, one in the middle, the whole second block, and ids
        // that were never stored or have no items.
        let second: Vec<i64> = orders[ORDERS_PER_BLOCK..].iter().map(|o| o.0).collect();
        let mut gone = vec![10, 11, 10 + 2 * 100, 3, 1_000_000];
        gone.extend(&second);
        forget(&conn, gone.clone()).unwrap();
        let expected: Vec<(i64, OrderItem)> = orders
            .iter()
            .filter(|(id, _)| !gone.contains(id))
            .flat_map(|(id, items)| items.iter().map(move |i| (*id, i.clone())))
            .collect();
        assert_eq!(read_all(&conn), expected);
        let blocks: Vec<(i64, i64)> = conn
            .prepare("SELECT first_order, last_order FROM order_item_blocks")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(blocks, vec![(12, 10 + 2 * (ORDERS_PER_BLOCK as i64 - 1))]);
        // Costs: the block that had costed items still says so.
        let costed: bool = conn.query_row("SELECT costed FROM order_item_blocks", [], |r| r.get(0)).unwrap();
        assert!(costed);
    }

    #[test]
    fn overlapping_blocks_are_read_in_order_all_the_same() {
        let conn = workspace();
        let (a, b, c) = (item("甲", None, 1.0, None), item("乙", Some("S"), 2.0, None), item("丙", None, 3.0, None));
        insert_block(&conn, &[(5, &a), (9, &b)]).unwrap();
        insert_block(&conn, &[(7, &c)]).unwrap();
        assert_eq!(read_all(&conn), vec![(5, a), (7, c), (9, b)]);
    }

    #[test]
    fn a_damaged_block_is_an_error_not_a_misreading() {
        let conn = workspace();
        let a = item("甲", None, 1.0, None);
        insert_block(&conn, &[(5, &a)]).unwrap();
        conn.execute("UPDATE order_item_blocks SET items = x'02000000'", []).unwrap();
        let mut texts = Interner::default();
        let mut stream = ItemStream::new(&conn, &mut texts).unwrap();
        let err = stream.next(&mut texts).unwrap_err();
        assert_eq!(err.code().to_string(), "store", "{err:?}");
    }
}

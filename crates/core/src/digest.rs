//! Everything the later steps take from single orders, in one pass: the customers (`customers`),
//! each customer's region (`region`), purchase days (`rhythm`) and products (`products`), and the
//! cohort table (`cohort`) from a small customer id per order. It takes the orders and frees each one
//! once it is counted: a million of them would otherwise be most of the memory of a classification,
//! beside everything this pass builds (issue 10 item 6).
//!
//! Each order's customer is found by the address of its key's copy (the import keeps one copy per
//! distinct text of a file), or by the key's text for a copy not seen yet, and given a small id;
//! every fact is then accumulated in a vector by that id, with the same accumulators (and so the
//! same results, bit for bit) as the separate functions of those modules, which stay for the
//! workspace and tests.
//!
//! [`digest`] walks on both cores: one thread finds each order's customer and counts everything but
//! the products, and hands the orders on in chunks to a second, which counts their products and
//! frees them. The chunks go in order and each thread keeps its own accumulators, so the result
//! does not depend on how the threads interleave.
//!
//! What this module does not do: read files, apply a window (`window`) or classify.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::cohort::{self, CohortTable, Purchase};
use crate::customers::{Latest, OrderIds, Stamp, Tally};
use crate::error::{Error, Result};
use crate::model::{Customer, Order, Region, Shared};
use crate::products::{Basket, ProductLookup};
use crate::progress::Progress;
use crate::region::RegionLookup;
use crate::rhythm::{OrderDays, PurchaseDays};

/// The per-customer facts of a set of orders.
pub struct Digest {
    /// Every customer, sorted by key (as `customers::aggregate` gives them).
    pub customers: Vec<Customer>,
    /// Each customer's province and city (empty when no order had an address).
    pub regions: RegionLookup,
    /// Each customer's purchase days.
    pub days: OrderDays,
    /// What each customer bought (empty when the orders name no products).
    pub products: ProductLookup,
    /// What the cohort table still needs of each order (with a small customer id), once the orders
    /// are gone: 24 bytes an order instead of the order.
    purchases: Vec<Purchase<u32>>,
}

impl Digest {
    /// The cohort table at `as_of` (the classification's as-of date, known only once the customers
    /// are), as `cohort::cohorts` computes it from the same orders.
    pub fn cohorts(&self, as_of: chrono::NaiveDate) -> CohortTable {
        cohort::cohorts_from(self.purchases.iter().copied(), as_of)
    }
}

/// One customer while the orders stream by. Owns what it keeps: the orders are freed as they go.
struct Entry {
    key: Shared,
    tally: Tally,
    /// The region of the latest order with an address (ties by order id, as `region::customer_regions`).
    region: Option<Latest<Region>>,
    days: PurchaseDays,
}

/// Below this many orders of spare room the consumed orders' memory is not handed back (a few
/// reallocations in all, each one shrinking in place or copying at most half of what is left).
const SHRINK_SLACK: usize = 4096;

/// Orders between two cancel checks: ~0.1 s at a million orders (the pass takes ~1.9 s there).
const CANCEL_EVERY: usize = 1 << 16;

/// Orders [`digest`] hands from the thread that counts the customers to the one that counts the
/// products (and frees them) at once: ~1 MB of orders, 250 hand-overs at a million orders.
const CHUNK: usize = 4096;

/// Walks `orders` once, front to back, and returns every per-customer fact the classification and
/// the export need. Each order is freed as soon as it is counted, and the orders' vector shrinks as
/// it empties: at a million orders the orders (~250 MB with their items) would otherwise sit beside
/// everything this pass builds, the peak of a classification (issue 10 item 6).
///
/// # Errors
/// `Cancelled` when `progress` asks to stop (checked every [`CHUNK`] orders).
pub fn digest(orders: Vec<Order>, progress: &dyn Progress) -> Result<Digest> {
    digest_in_chunks(orders, CHUNK, progress)
}

/// [`digest`], handing `chunk` orders at a time to the thread that counts their products.
fn digest_in_chunks(mut orders: Vec<Order>, chunk: usize, progress: &dyn Progress) -> Result<Digest> {
    let chunk = chunk.max(1);
    let mut pass = Pass::new(orders.len());
    // Reversed so that splitting chunks off the end walks the orders in their own order.
    orders.reverse();
    // Two chunks waiting at most: the orders are freed nearly as soon as they are counted.
    let (hand, take) = std::sync::mpsc::sync_channel::<(Vec<Order>, Vec<u32>, Arc<[OrderId]>)>(2);
    let (walked, baskets) = std::thread::scope(|scope| {
        let products = scope.spawn(move || {
            let mut baskets = Baskets::default();
            let mut ids = ChunkedIds { chunk, chunks: Vec::new() };
            let mut pos = 0u32;
            for (orders, customers, chunk_ids) in take {
                ids.chunks.push(chunk_ids);
                for (order, customer) in orders.iter().rev().zip(customers) {
                    baskets.add(customer, order, pos, &ids);
                    pos += 1;
                }
            }
            baskets
        });
        let walked = (|| {
            let mut ids = ChunkedIds { chunk, chunks: Vec::new() };
            let mut pos = 0u32;
            while !orders.is_empty() {
                if progress.cancelled() {
                    return Err(Error::Cancelled);
                }
                let mut next = orders.split_off(orders.len().saturating_sub(chunk));
                if orders.capacity() > 2 * orders.len() + SHRINK_SLACK {
                    orders.shrink_to_fit();
                }
                // Moved out of the orders, not copied; both threads read them.
                let chunk_ids: Arc<[OrderId]> = next.iter_mut().rev().map(|o| o.order_id.take()).collect();
                ids.chunks.push(Arc::clone(&chunk_ids));
                let customers = next
                    .iter()
                    .rev()
                    .map(|order| {
                        pos += 1;
                        pass.add(order, pos - 1, &ids)
                    })
                    .collect();
                // The other thread ends only on a panic, which the join below passes on.
                if hand.send((next, customers, chunk_ids)).is_err() {
                    break;
                }
            }
            Ok(())
        })();
        drop(hand);
        (walked, products.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    walked?;
    drop(orders);
    Ok(pass.finish(baskets))
}

/// [`digest`] of orders that stay with the caller (a job storing them into the workspace on the
/// other core meanwhile): the same facts, bit for bit, while the orders are only read.
///
/// # Errors
/// `Cancelled` when `progress` asks to stop (checked every [`CANCEL_EVERY`] orders).
pub fn digest_borrowed(orders: &[Order], progress: &dyn Progress) -> Result<Digest> {
    // One thread: the other core stores the same orders meanwhile.
    let mut pass = Pass::new(orders.len());
    let mut baskets = Baskets::default();
    for (order, pos) in orders.iter().zip(0u32..) {
        if (pos as usize).is_multiple_of(CANCEL_EVERY) && progress.cancelled() {
            return Err(Error::Cancelled);
        }
        let customer = pass.add(order, pos, orders);
        baskets.add(customer, order, pos, orders);
    }
    Ok(pass.finish(baskets))
}

/// An order's id, kept after the order is freed: "the latest order" breaks ties on time by order
/// id (`customers::Stamp`).
type OrderId = Option<Box<str>>;

/// The ids of the orders [`digest`] has walked so far, by position, a chunk at a time: the thread
/// that counts the customers takes them out of each chunk and shares them with the one that counts
/// the products. Taken chunk by chunk rather than all at once, they grow as the orders are freed,
/// not at the memory's peak (issue 10 item 6).
struct ChunkedIds {
    /// Orders per chunk (the last may have fewer).
    chunk: usize,
    chunks: Vec<Arc<[OrderId]>>,
}

impl OrderIds for ChunkedIds {
    fn order_id(&self, pos: u32) -> Option<&str> {
        let pos = pos as usize;
        self.chunks.get(pos / self.chunk)?.get(pos % self.chunk)?.as_deref()
    }
}

/// What each customer bought, by the pass's customer id.
#[derive(Default)]
struct Baskets {
    /// Boxed: most customers of a file without products have none (an entry stays small).
    by_customer: Vec<Option<Box<Basket>>>,
    orders_with_items: u64,
    split_evenly: u64,
}

impl Baskets {
    /// Counts the items of `order`, the `pos`-th of the orders whose ids `ids` holds.
    fn add<I: OrderIds + ?Sized>(&mut self, customer: u32, order: &Order, pos: u32, ids: &I) {
        if order.items.is_empty() {
            return;
        }
        self.orders_with_items += 1;
        let customer = customer as usize;
        if self.by_customer.len() <= customer {
            self.by_customer.resize_with(customer + 1, || None);
        }
        let basket = self.by_customer[customer].get_or_insert_with(|| Box::new(Basket::new()));
        self.split_evenly += u64::from(basket.add(order, pos, ids));
    }
}

/// The pass itself, one order at a time, whoever owns the orders.
struct Pass {
    index: FxHashMap<Shared, u32>,
    /// The customer of each copy of a key text seen so far, by the copy's address. The import keeps
    /// one copy per distinct text of a file, so after a customer's first order the others are found
    /// without reading their key: hashing and comparing the text cost two or three cache misses per
    /// order (most of the pass at a million orders). A text seen in another copy (another file, or
    /// orders made one by one) is found by `index` once per copy.
    by_copy: FxHashMap<usize, u32>,
    /// The copies `by_copy` knows besides the entries' own: held, so that no address it holds can
    /// be freed and given to another text while the pass runs.
    other_copies: Vec<Shared>,
    entries: Vec<Entry>,
    purchases: Vec<Purchase<u32>>,
}

impl Pass {
    fn new(n: usize) -> Pass {
        Pass {
            index: FxHashMap::with_capacity_and_hasher(n / 4 + 1, Default::default()),
            // Not sized up front: it grows while the orders are freed, not at the memory's peak.
            by_copy: FxHashMap::default(),
            other_copies: Vec::new(),
            entries: Vec::new(),
            purchases: Vec::with_capacity(n),
        }
    }

    /// Counts `order` but for its products, the `pos`-th of the orders whose ids `ids` holds (ties
    /// on time are broken by order id, `customers::Stamp`); returns its customer's id.
    fn add<I: OrderIds + ?Sized>(&mut self, order: &Order, pos: u32, ids: &I) -> u32 {
        let key = &order.customer_key;
        let id = match self.by_copy.get(&key.address()) {
            Some(&id) => id,
            None => {
                let id = match self.index.get(key.as_str()) {
                    Some(&id) => {
                        self.other_copies.push(key.clone());
                        id
                    }
                    None => {
                        let id = self.entries.len() as u32;
                        self.entries.push(Entry {
                            key: key.clone(),
                            tally: Tally::new(order),
                            region: None,
                            days: PurchaseDays::default(),
                        });
                        self.index.insert(key.clone(), id);
                        id
                    }
                };
                self.by_copy.insert(key.address(), id);
                id
            }
        };
        self.purchases.push(Purchase::of(order, id));
        let Some(e) = self.entries.get_mut(id as usize) else { return id };
        e.tally.add(order, pos, ids);
        let stamp = Stamp::of(order, pos);
        if let Some(region) = &order.region {
            Latest::offer(&mut e.region, stamp, ids, || region.clone());
        }
        e.days.add(order.placed_at.date(), order.order_count);
        id
    }

    fn finish(self, baskets: Baskets) -> Digest {
        let Pass { index, by_copy, other_copies, entries, purchases } = self;
        drop((index, by_copy, other_copies));
        let Baskets { by_customer, orders_with_items, split_evenly } = baskets;
        let mut by_customer = by_customer.into_iter();
        let mut tallies = Vec::with_capacity(entries.len());
        let mut regions = Vec::new();
        let mut days = Vec::with_capacity(entries.len());
        let mut baskets = Vec::new();
        for Entry { key, tally, region, days: d } in entries {
            if let Some(r) = region {
                regions.push((key.clone(), r.value));
            }
            baskets.extend(by_customer.next().flatten().map(|b| (key.clone(), *b)));
            days.push((key.clone(), d));
            tallies.push((key, tally));
        }
        // The customers (sorted by key) and their regions are made on this thread, the purchase days
        // and the products on another: ~0.45 s on one core at a million orders, most of it sorting
        // each customer's days and products and filling the lookups.
        let days_and_products = move || {
            let mut days = OrderDays::from_shared(days);
            days.finish();
            (days, ProductLookup::from_baskets(baskets, orders_with_items, split_evenly))
        };
        let customers_and_regions = || {
            let mut customers: Vec<Customer> =
                tallies.into_iter().map(|(key, tally)| tally.into_customer(&key)).collect();
            customers.sort_unstable_by(|a, b| a.key.cmp(&b.key));
            (customers, RegionLookup::from_shared(regions))
        };
        let ((customers, regions), (days, products)) = std::thread::scope(|scope| {
            let other = scope.spawn(days_and_products);
            let mine = customers_and_regions();
            (mine, other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
        Digest { customers, regions, days, products, purchases }
    }
}

#[cfg(test)]
mod tests;

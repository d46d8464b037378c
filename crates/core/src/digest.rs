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
//! What this module does not do: read files, apply a window (`window`) or classify.

use rustc_hash::FxHashMap;

use crate::cohort::{self, CohortTable, Purchase};
use crate::customers::{Latest, Stamp, Tally};
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
    /// Boxed: most customers of a file without products have none (an entry stays small).
    basket: Option<Box<Basket>>,
}

/// Below this many orders of spare room the consumed orders' memory is not handed back (a few
/// reallocations in all, each one shrinking in place or copying at most half of what is left).
const SHRINK_SLACK: usize = 4096;

/// Orders between two cancel checks: ~0.1 s at a million orders (the pass takes ~1.9 s there).
const CANCEL_EVERY: usize = 1 << 16;

/// Walks `orders` once, front to back, and returns every per-customer fact the classification and
/// the export need. Each order is freed as soon as it is counted, and the orders' vector shrinks as
/// it empties: at a million orders the orders (~250 MB with their items) would otherwise sit beside
/// everything this pass builds, the peak of a classification (issue 10 item 6).
///
/// # Errors
/// `Cancelled` when `progress` asks to stop (checked every [`CANCEL_EVERY`] orders).
pub fn digest(mut orders: Vec<Order>, progress: &dyn Progress) -> Result<Digest> {
    let mut pass = Pass::new(orders.len());
    // Reversed so that popping off the end walks the orders in their own order.
    orders.reverse();
    while let Some(mut order) = orders.pop() {
        pass.check_cancel(progress)?;
        let order_id = order.order_id.take();
        pass.add(&order, order_id);
        if orders.capacity() > 2 * orders.len() + SHRINK_SLACK {
            orders.shrink_to_fit();
        }
    }
    drop(orders);
    Ok(pass.finish())
}

/// [`digest`] of orders that stay with the caller (a job storing them into the workspace on the
/// other core meanwhile): the same facts, bit for bit, while the orders are only read.
///
/// # Errors
/// `Cancelled` when `progress` asks to stop (checked every [`CANCEL_EVERY`] orders).
pub fn digest_borrowed(orders: &[Order], progress: &dyn Progress) -> Result<Digest> {
    let mut pass = Pass::new(orders.len());
    for order in orders {
        pass.check_cancel(progress)?;
        pass.add(order, order.order_id.clone());
    }
    Ok(pass.finish())
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
    /// The ids of the orders counted so far, by position: "the latest order" breaks ties on time by
    /// order id (`customers::Stamp`), long after the order itself is gone.
    order_ids: Vec<Option<Box<str>>>,
    purchases: Vec<Purchase<u32>>,
    orders_with_items: u64,
    split_evenly: u64,
}

impl Pass {
    fn new(n: usize) -> Pass {
        Pass {
            index: FxHashMap::with_capacity_and_hasher(n / 4 + 1, Default::default()),
            // Not sized up front: it grows while the orders are freed, not at the memory's peak.
            by_copy: FxHashMap::default(),
            other_copies: Vec::new(),
            entries: Vec::new(),
            order_ids: Vec::with_capacity(n),
            purchases: Vec::with_capacity(n),
            orders_with_items: 0,
            split_evenly: 0,
        }
    }

    fn check_cancel(&self, progress: &dyn Progress) -> Result<()> {
        if self.order_ids.len().is_multiple_of(CANCEL_EVERY) && progress.cancelled() {
            return Err(Error::Cancelled);
        }
        Ok(())
    }

    /// Counts `order`, whose id (taken out of it or copied) is `order_id`.
    fn add(&mut self, order: &Order, order_id: Option<Box<str>>) {
        let pos = self.order_ids.len() as u32;
        self.order_ids.push(order_id);
        let ids = self.order_ids.as_slice();
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
                            basket: None,
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
        let Some(e) = self.entries.get_mut(id as usize) else { return };
        e.tally.add(order, pos, ids);
        let stamp = Stamp::of(order, pos);
        if let Some(region) = &order.region {
            Latest::offer(&mut e.region, stamp, ids, || region.clone());
        }
        e.days.add(order.placed_at.date(), order.order_count);
        if !order.items.is_empty() {
            self.orders_with_items += 1;
            let evenly = e.basket.get_or_insert_with(|| Box::new(Basket::new())).add(order, pos, ids);
            self.split_evenly += u64::from(evenly);
        }
    }

    fn finish(self) -> Digest {
        let Pass { index, by_copy, other_copies, entries, order_ids, purchases, orders_with_items, split_evenly } =
            self;
        drop((index, by_copy, other_copies, order_ids));
        let mut tallies = Vec::with_capacity(entries.len());
        let mut regions = Vec::new();
        let mut days = Vec::with_capacity(entries.len());
        let mut baskets = Vec::new();
        for Entry { key, tally, region, days: d, basket } in entries {
            if let Some(r) = region {
                regions.push((key.clone(), r.value));
            }
            baskets.extend(basket.map(|b| (key.clone(), *b)));
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

//! Everything the later steps take from single orders, in one pass: the customers (`customers`),
//! each customer's region (`region`), purchase days (`rhythm`) and products (`products`), and the
//! cohort table (`cohort`) from a small customer id per order. After it the orders can be freed: a
//! million of them are most of the memory of a classification (issue 10 item 6).
//!
//! Each customer key is looked up once per order (Fx hashing) and given a small id; every fact is
//! then accumulated in a vector by that id, with the same accumulators (and so the same results,
//! bit for bit) as the separate functions of those modules, which stay for the workspace and tests.
//!
//! What this module does not do: read files, apply a window (`window`) or classify.

use rustc_hash::FxHashMap;

use crate::cohort::{self, CohortTable, Purchase};
use crate::customers::{is_later, Tally};
use crate::model::{Customer, Order, Shared};
use crate::products::{Basket, ProductLookup};
use crate::region::RegionLookup;
use crate::rhythm::{OrderDays, PurchaseDays};

/// The per-customer facts of a set of orders.
pub struct Digest<'a> {
    /// Every customer, sorted by key (as `customers::aggregate` gives them).
    pub customers: Vec<Customer>,
    /// Each customer's province and city (empty when no order had an address).
    pub regions: RegionLookup,
    /// Each customer's purchase days.
    pub days: OrderDays,
    /// What each customer bought (empty when the orders name no products).
    pub products: ProductLookup,
    /// What the cohort table still needs: the orders and each one's customer id.
    cohort_input: CohortInput<'a>,
}

struct CohortInput<'a> {
    orders: &'a [Order],
    ids: Vec<u32>,
}

impl Digest<'_> {
    /// The cohort table at `as_of` (the classification's as-of date, known only once the customers
    /// are), as `cohort::cohorts` computes it from the same orders.
    pub fn cohorts(&self, as_of: chrono::NaiveDate) -> CohortTable {
        let CohortInput { orders, ids } = &self.cohort_input;
        cohort::cohorts_from(orders.iter().zip(ids).map(|(o, id)| Purchase::of(o, *id)), as_of)
    }
}

/// One customer while the orders stream by.
struct Entry<'a> {
    key: &'a Shared,
    tally: Tally<'a>,
    /// The latest order with an address (ties by order id, as `region::customer_regions`).
    region: Option<&'a Order>,
    days: PurchaseDays,
    /// Boxed: most customers of a file without products have none (an entry stays small).
    basket: Option<Box<Basket<'a>>>,
}

/// Walks `orders` once and returns every per-customer fact the classification and the export need.
/// The orders stay borrowed until [`Digest::cohorts`] has been called.
pub fn digest(orders: &[Order]) -> Digest<'_> {
    let mut index: FxHashMap<&str, u32> = FxHashMap::with_capacity_and_hasher(orders.len() / 4 + 1, Default::default());
    let mut entries: Vec<Entry> = Vec::new();
    let mut ids: Vec<u32> = Vec::with_capacity(orders.len());
    let (mut orders_with_items, mut split_evenly) = (0u64, 0u64);
    for order in orders {
        let id = *index.entry(order.customer_key.as_str()).or_insert_with(|| {
            entries.push(Entry {
                key: &order.customer_key,
                tally: Tally::new(order),
                region: None,
                days: PurchaseDays::default(),
                basket: None,
            });
            (entries.len() - 1) as u32
        });
        ids.push(id);
        let Some(e) = entries.get_mut(id as usize) else { continue };
        e.tally.add(order);
        if order.region.is_some() && e.region.is_none_or(|r| is_later(order, r)) {
            e.region = Some(order);
        }
        e.days.add(order.placed_at.date(), order.order_count);
        if !order.items.is_empty() {
            orders_with_items += 1;
            let evenly = e.basket.get_or_insert_with(|| Box::new(Basket::new(order))).add(order);
            split_evenly += u64::from(evenly);
        }
    }
    drop(index);
    let mut customers = Vec::with_capacity(entries.len());
    let mut regions = Vec::new();
    let mut days = Vec::with_capacity(entries.len());
    let mut baskets = Vec::new();
    for Entry { key, tally, region, days: mut d, basket } in entries {
        customers.push(tally.into_customer(key));
        if let Some(r) = region.and_then(|o| o.region.clone()) {
            regions.push((key.clone(), r));
        }
        d.finish();
        days.push((key.clone(), d));
        baskets.extend(basket.map(|b| (key.clone(), *b)));
    }
    customers.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    Digest {
        customers,
        regions: RegionLookup::from_shared(regions),
        days: OrderDays::from_shared(days),
        products: ProductLookup::from_baskets(baskets, orders_with_items, split_evenly),
        cohort_input: CohortInput { orders, ids },
    }
}

#[cfg(test)]
mod tests;

//! Orders → `Customer` aggregates (F, M, first/last order, name on the latest order).
//!
//! This module only sums what the orders say; it does not judge them (statuses and refunds were
//! applied by `orders`) and it does not classify (that is `classify`).

use rustc_hash::FxHashMap;

use crate::model::{Customer, Order, Shared};

/// Where an order stands for "the latest order": its time, ties broken by its order id, which is
/// looked up by the order's position (`OrderIds`) so that no order has to stay alive for it — `digest`
/// frees each order once it is counted (issue 10 item 6).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stamp {
    at: chrono::NaiveDateTime,
    pos: u32,
}

/// The order ids of a set of orders by position: the orders themselves, or the ids `digest` keeps
/// of the orders it has already freed.
pub(crate) trait OrderIds {
    fn order_id(&self, pos: u32) -> Option<&str>;
}

impl OrderIds for [Order] {
    fn order_id(&self, pos: u32) -> Option<&str> {
        self.get(pos as usize).and_then(|o| o.order_id.as_deref())
    }
}

impl OrderIds for [Option<Box<str>>] {
    fn order_id(&self, pos: u32) -> Option<&str> {
        self.get(pos as usize).and_then(|id| id.as_deref())
    }
}

impl Stamp {
    /// The stamp of `order`, the `pos`-th of its set.
    pub(crate) fn of(order: &Order, pos: u32) -> Self {
        Stamp { at: order.placed_at, pos }
    }

    /// Orders compare by time; equal times by order id, so that "the latest order" never depends on
    /// the order in which files were read.
    pub(crate) fn is_later<I: OrderIds + ?Sized>(self, than: Stamp, ids: &I) -> bool {
        // The ids only on a tie: fetching the other order's id is a cache miss (an order counted
        // long ago), two or three times per order in `digest`, for a comparison the times decide.
        match self.at.cmp(&than.at) {
            std::cmp::Ordering::Equal => ids.order_id(self.pos) > ids.order_id(than.pos),
            later => later.is_gt(),
        }
    }
}

/// A value taken from the latest order that has one (see [`Stamp`]).
#[derive(Clone, Debug)]
pub(crate) struct Latest<T> {
    stamp: Stamp,
    pub(crate) value: T,
}

impl<T> Latest<T> {
    /// Keeps `value` of the order stamped `stamp` when that order is later than the one kept.
    pub(crate) fn offer<I: OrderIds + ?Sized>(
        slot: &mut Option<Self>,
        stamp: Stamp,
        ids: &I,
        value: impl FnOnce() -> T,
    ) {
        if slot.as_ref().is_none_or(|l| stamp.is_later(l.stamp, ids)) {
            *slot = Some(Latest { stamp, value: value() });
        }
    }
}

/// Running totals of one customer while the orders stream by (also used by `digest`, which sums
/// every per-customer fact in one pass). Owns what it keeps of the orders: none of them has to stay
/// alive after it is counted.
pub(crate) struct Tally {
    orders: u32,
    revenue: i64,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
    /// The name and phone of the latest order that carries one, for customers whose newest order
    /// lacks one.
    latest_named: Option<Latest<Shared>>,
    latest_phoned: Option<Latest<Shared>>,
    interactions: Option<f64>,
    /// Profit so far; `None` once an order of unknown cost is seen.
    profit: Option<i64>,
}

/// The value when it says something (not blank).
pub(crate) fn text(value: &Option<Shared>) -> Option<&Shared> {
    value.as_ref().filter(|s| !s.trim().is_empty())
}

impl Tally {
    /// A customer's totals, starting with `order` (which must then be [`add`](Self::add)ed).
    pub(crate) fn new(order: &Order) -> Self {
        let date = order.placed_at.date();
        Tally {
            orders: 0,
            revenue: 0,
            first: order.first_date.map_or(date, |d| d.min(date)),
            last: date,
            latest_named: None,
            latest_phoned: None,
            interactions: None,
            profit: Some(0),
        }
    }

    /// Counts one order of the customer, the `pos`-th of the orders whose ids `ids` holds.
    pub(crate) fn add<I: OrderIds + ?Sized>(&mut self, order: &Order, pos: u32, ids: &I) {
        let date = order.placed_at.date();
        let first = order.first_date.map_or(date, |d| d.min(date));
        self.orders = self.orders.saturating_add(order.order_count);
        self.revenue = self.revenue.saturating_add(order.net());
        self.profit = self.profit.zip(order.profit()).map(|(a, b)| a.saturating_add(b));
        self.first = self.first.min(first);
        self.last = self.last.max(date);
        let stamp = Stamp::of(order, pos);
        if let Some(name) = text(&order.customer_name) {
            Latest::offer(&mut self.latest_named, stamp, ids, || name.clone());
        }
        if let Some(phone) = text(&order.phone) {
            Latest::offer(&mut self.latest_phoned, stamp, ids, || phone.clone());
        }
        if let Some(count) = order.interactions.filter(|c| c.is_finite()) {
            self.interactions = Some(self.interactions.unwrap_or(0.0) + count);
        }
    }

    /// The customer of `key` these totals describe.
    pub(crate) fn into_customer(self, key: &str) -> Customer {
        Customer {
            key: key.to_string(),
            name: self.latest_named.map(|l| l.value.trim().to_string()).unwrap_or_default(),
            phone: self.latest_phoned.map(|l| l.value.to_string()),
            orders: self.orders,
            revenue: self.revenue,
            first_order: self.first,
            last_order: self.last,
            interactions: self.interactions,
            profit: self.profit,
        }
    }
}

/// Aggregates orders by customer key; the result is sorted by key so that every later step is deterministic.
///
/// Per customer: F = the sum of `order_count` (a customer-level row stands for several orders),
/// M = the sum of net revenue (`paid - refund`), first order = the earliest order date or a
/// customer-level row's `first_date`, last order = the latest order date, name and phone from the
/// latest order that has one, interactions summed over the rows that have a count, profit summed
/// when every order's profit is known (`Order::profit`). `digest::digest` computes the same
/// customers together with the other per-customer facts.
pub fn aggregate(orders: &[Order]) -> Vec<Customer> {
    // Fx rather than SipHash (1.8 % of a 200k-order classify in a profile): the same trade as the
    // import's order-id index, and the iteration order does not matter (sorted below).
    let mut by_key: FxHashMap<&str, Tally> =
        FxHashMap::with_capacity_and_hasher(orders.len() / 2 + 1, Default::default());
    for (pos, order) in orders.iter().enumerate() {
        by_key.entry(order.customer_key.as_str()).or_insert_with(|| Tally::new(order)).add(order, pos as u32, orders);
    }
    let mut customers: Vec<Customer> = by_key.into_iter().map(|(key, t)| t.into_customer(key)).collect();
    customers.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    customers
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveDateTime};

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn order(key: &str, id: &str, when: &str, paid: i64, refund: i64) -> Order {
        Order {
            source: 0,
            row: 2,
            order_id: Some(id.into()),
            customer_key: key.into(),
            customer_name: Some(format!("{key}-{id}").into()),
            phone: None,
            placed_at: at(when),
            paid,
            refund,
            quantity: None,
            status: None,
            order_count: 1,
            first_date: None,
            interactions: None,
            region: None,
            items: Default::default(),
        }
    }

    #[test]
    fn sums_net_revenue_and_counts_orders_per_key_sorted_by_key() {
        let orders = vec![
            order("b", "1", "2025-03-01 10:00:00", 10000, 0),
            order("a", "2", "2025-01-05 09:00:00", 5000, 1000),
            order("b", "3", "2025-02-01 10:00:00", 2990, 0),
        ];
        let customers = aggregate(&orders);
        assert_eq!(customers.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(customers[0].revenue, 4000);
        assert_eq!(customers[1].orders, 2);
        assert_eq!(customers[1].revenue, 12990);
        assert_eq!(customers[1].first_order, NaiveDate::from_ymd_opt(2025, 2, 1).unwrap());
        assert_eq!(customers[1].last_order, NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
    }

    #[test]
    fn name_and_phone_come_from_the_latest_order_that_has_them() {
        let mut old = order("k", "1", "2025-01-01 08:00:00", 100, 0);
        old.phone = Some("13800000000".into());
        let mut new = order("k", "2", "2025-02-01 08:00:00", 100, 0);
        new.customer_name = Some("新昵称".into());
        // Listed newest first: the input order must not matter.
        let customers = aggregate(&[new, old]);
        assert_eq!(customers[0].name, "新昵称");
        assert_eq!(customers[0].phone.as_deref(), Some("13800000000"));
    }

    #[test]
    fn customer_level_rows_count_their_orders_first_date_and_interactions() {
        let mut row = order("k", "1", "2025-05-01 00:00:00", 80000, 0);
        row.order_count = 7;
        row.first_date = NaiveDate::from_ymd_opt(2024, 6, 1);
        row.interactions = Some(12.0);
        let mut again = order("k", "2", "2025-06-01 00:00:00", 1000, 0);
        again.interactions = Some(3.0);
        let c = &aggregate(&[row, again])[0];
        assert_eq!(c.orders, 8);
        assert_eq!(c.first_order, NaiveDate::from_ymd_opt(2024, 6, 1).unwrap());
        assert_eq!(c.interactions, Some(15.0));
    }

    #[test]
    fn customers_without_any_interaction_count_have_none() {
        let c = &aggregate(&[order("k", "1", "2025-05-01 00:00:00", 1, 0)])[0];
        assert_eq!(c.interactions, None);
    }
}

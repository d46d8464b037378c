//! Orders → `Customer` aggregates (F, M, first/last order, name on the latest order).

use crate::model::{Customer, Order};

/// Aggregates orders by customer key; the result is sorted by key so that every later step is deterministic.
pub fn aggregate(orders: &[Order]) -> Vec<Customer> {
    let _ = orders;
    unimplemented!("customers::aggregate")
}

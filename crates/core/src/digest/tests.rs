//! The one pass gives what the separate functions give, on every layout the generator writes (items,
//! addresses, customer-level rows) and on orders whose latest one is a tie on time.

use chrono::NaiveDate;

use super::*;
use crate::generate::{generate, FileFormat, GenerateOptions, Layout};
use crate::import::{import_files, ImportOptions};
use crate::model::{OrderItem, Region};
use crate::{cohort, customers, rhythm, NoProgress};

/// Asserts that `digest` equals the separate passes over `orders`, at two as-of dates.
fn same_as_separate_passes(orders: &[Order]) {
    let d = digest(orders.to_vec(), &NoProgress).unwrap();
    let borrowed = digest_borrowed(orders, &NoProgress).unwrap();
    assert_eq!(
        (&borrowed.customers, &borrowed.regions, &borrowed.products, &borrowed.purchases),
        (&d.customers, &d.regions, &d.products, &d.purchases)
    );
    // Handed to the products' thread an order at a time, or a few: the most interleaving.
    for chunk in [1, 7, 300] {
        let c = digest_in_chunks(orders.to_vec(), chunk, &NoProgress).unwrap();
        assert_eq!(
            (&c.customers, &c.regions, &c.products, &c.purchases),
            (&d.customers, &d.regions, &d.products, &d.purchases),
            "chunks of {chunk}"
        );
        for customer in &d.customers {
            assert_eq!(c.days.get(&customer.key), d.days.get(&customer.key), "chunks of {chunk}");
        }
    }
    let all = customers::aggregate(orders);
    assert_eq!(d.customers, all);
    assert_eq!(d.regions, RegionLookup::from_orders(orders));
    assert_eq!(d.products, ProductLookup::from_orders(orders));
    let days = rhythm::OrderDays::from_orders(orders);
    for c in &all {
        assert_eq!(d.days.get(&c.key), days.get(&c.key), "{}", c.key);
        assert_eq!(borrowed.days.get(&c.key), days.get(&c.key), "{}", c.key);
    }
    let last = all.iter().map(|c| c.last_order).max().unwrap();
    for as_of in [last, last - chrono::Days::new(45)] {
        assert_eq!(d.cohorts(as_of), cohort::cohorts(orders, as_of));
    }
}

#[test]
fn every_generated_layout_gives_the_same_facts_as_the_separate_passes() {
    let dir = tempfile::tempdir().unwrap();
    for layout in Layout::ALL {
        let path = dir.path().join(format!("{layout:?}.csv"));
        let options = GenerateOptions {
            layout,
            format: FileFormat::Csv,
            orders: 2000,
            customers: Some(400),
            seed: 5,
            ..GenerateOptions::default()
        };
        generate(&path, &options).unwrap();
        let ds = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap();
        assert!(ds.orders.len() > 300, "{layout:?}: {} orders", ds.orders.len());
        same_as_separate_passes(&ds.orders);
    }
}

fn order(key: &str, id: &str, day: u32, province: Option<&str>, product: Option<&str>) -> Order {
    Order {
        source: 0,
        row: 2,
        order_id: Some(id.into()),
        customer_key: key.into(),
        customer_name: Some(format!("{key}{id}").into()),
        phone: None,
        placed_at: NaiveDate::from_ymd_opt(2025, 3, day).unwrap().and_hms_opt(10, 0, 0).unwrap(),
        paid: 1000,
        refund: 0,
        quantity: None,
        status: None,
        order_count: 1,
        first_date: None,
        interactions: None,
        region: province.map(|p| Region { province: p.into(), city: None }),
        items: product
            .map(|p| OrderItem { product: p.into(), sku: None, quantity: 1.0, amount: None, cost: None, profit: None })
            .into_iter()
            .collect(),
    }
}

#[test]
fn ties_on_time_are_broken_by_order_id_whatever_the_order_of_the_rows() {
    // Same time: the larger order id is the latest (name, region, last product), in either row order.
    let a = order("k", "7", 5, Some("广东"), Some("茶"));
    let b = order("k", "9", 5, Some("浙江"), Some("咖啡"));
    for orders in [vec![a.clone(), b.clone()], vec![b, a]] {
        let d = digest(orders.clone(), &NoProgress).unwrap();
        let apart = digest_in_chunks(orders.clone(), 1, &NoProgress).unwrap();
        assert_eq!((&apart.customers, &apart.regions, &apart.products), (&d.customers, &d.regions, &d.products));
        assert_eq!(d.customers[0].name, "k9");
        assert_eq!(d.regions.province("k"), "浙江");
        assert_eq!(d.products.of("k").unwrap().last.as_deref(), Some("咖啡"));
        same_as_separate_passes(&orders);
    }
}

/// Asks to stop at once.
struct Stop;

impl crate::Progress for Stop {
    fn report(&self, _: crate::Stage, _: u64, _: u64) {}
    fn cancelled(&self) -> bool {
        true
    }
}

#[test]
fn a_cancel_stops_the_pass() {
    let orders = vec![order("k", "1", 5, None, None)];
    assert!(matches!(digest_borrowed(&orders, &Stop), Err(crate::error::Error::Cancelled)));
    assert!(matches!(digest(orders, &Stop), Err(crate::error::Error::Cancelled)));
}

#[test]
fn a_key_text_in_several_copies_is_one_customer() {
    // As two files' orders: each file's interner gives its own copy of a key text, shared by that
    // file's orders. The pass finds a copy by its address and a new copy of a known text by the text.
    let (first, second) = (Shared::from("k"), Shared::from("k"));
    assert_ne!(first.address(), second.address());
    let other = Shared::from("m");
    let with = |key: &Shared, id: &str, day: u32| Order {
        customer_key: key.clone(),
        ..order("x", id, day, None, Some("茶"))
    };
    let orders = vec![
        with(&first, "1", 1),
        with(&other, "2", 2),
        with(&first, "3", 3),
        with(&second, "4", 4),
        with(&other, "5", 5),
        with(&second, "6", 6),
    ];
    let d = digest(orders.clone(), &NoProgress).unwrap();
    let keys: Vec<(&str, u32)> = d.customers.iter().map(|c| (c.key.as_str(), c.orders)).collect();
    assert_eq!(keys, [("k", 4), ("m", 2)]);
    same_as_separate_passes(&orders);
}

//! Products: what each customer bought (from the product column of item-level or order-level
//! exports), the top products per tier and per segment, each customer's favourite and last product,
//! and the "bought a product containing …" filter.
//!
//! Revenue is attributed to an order's items without counting it twice: the order's net revenue is
//! shared out in proportion to each item's own amount (unit price × quantity, or a per-item amount)
//! when every item has one, else split evenly over the items (and the table says how many orders were
//! split so). The items of one order therefore always add up to the order's net revenue.
//!
//! Like `region`, the per-customer facts are taken from the orders once ([`ProductLookup::from_orders`])
//! so the orders can be freed before classifying; the tables per tier and segment are then built from
//! the lookup and the classification. This module reads no files and stores nothing.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use crate::classify::Classification;
use crate::customers::{Latest, OrderIds, Stamp};
use crate::model::{Cents, Customer, Order, Shared, Tier};

/// How many products a tier's or segment's list keeps.
pub const TOP: usize = 10;

/// How many favourite products a customer shows.
pub const FAVOURITES: usize = 3;

/// One product in one customer's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bought {
    /// The product name as exported (the import's shared copy: no allocation per customer).
    pub product: Shared,
    /// The first SKU seen with it, when the file has codes.
    pub sku: Option<Shared>,
    /// Orders that contained the product.
    pub orders: u32,
    /// Pieces bought.
    pub quantity: f64,
    /// Net revenue attributed to it (see the module doc).
    pub revenue: Cents,
}

/// One customer's products: most revenue first (ties by orders, then name), and the product of
/// their latest order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Purchases {
    /// Every product bought.
    pub bought: Vec<Bought>,
    /// The (first) product of the customer's latest order with products.
    pub last: Option<String>,
}

impl Purchases {
    /// Up to `n` favourite products: the customer's products by revenue.
    pub fn favourites(&self, n: usize) -> impl Iterator<Item = &str> {
        self.bought.iter().take(n).map(|b| b.product.as_str())
    }
}

/// Every customer's products, taken from the orders before they are freed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductLookup {
    by_key: HashMap<Shared, Purchases>,
    /// Orders with products.
    pub orders_with_items: u64,
    /// Orders of several items whose revenue was split evenly (no item had its own amount).
    pub split_evenly: u64,
}

/// The net revenue of `order` per item, in item order, adding up to the order's net revenue, and
/// whether it had to be split evenly (several items, not every one with an amount of its own).
pub fn item_revenue(order: &Order) -> (Vec<Cents>, bool) {
    let n = order.items.len();
    if n == 0 {
        return (Vec::new(), false);
    }
    let net = order.net();
    let amounts: Option<Vec<Cents>> = order.items.iter().map(|i| i.amount.map(|a| a.max(0))).collect();
    let weights = match amounts {
        Some(a) if a.iter().sum::<Cents>() > 0 => a,
        _ => vec![1; n],
    };
    let evenly = n > 1 && weights.iter().all(|w| *w == 1) && order.items.iter().any(|i| i.amount.is_none());
    let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    // Shares rounded down, the rest to the last item: the items add up to the order exactly.
    let mut out: Vec<Cents> = weights.iter().map(|w| (i128::from(net) * i128::from(*w) / total) as Cents).collect();
    let given: Cents = out.iter().sum();
    if let Some(last) = out.last_mut() {
        *last += net - given;
    }
    (out, evenly)
}

/// One customer's products while the orders stream by (also used by `digest`, which collects every
/// per-customer fact in one pass). Most customers buy a handful of products: a short list searched
/// in place (a `BTreeMap` per customer was the import's memory peak: a node of eleven slots for two
/// products); past [`Basket::INDEXED`] products a name index keeps a wholesale buyer with thousands
/// of products from turning quadratic.
pub(crate) struct Basket {
    bought: Vec<Bought>,
    index: Option<HashMap<Shared, usize>>,
    /// The first product of the customer's latest order with items (ties by order id, as
    /// `customers::aggregate`).
    latest: Option<Latest<Option<Shared>>>,
}

impl Basket {
    const INDEXED: usize = 16;

    /// An empty basket (its orders are then [`add`](Self::add)ed).
    pub(crate) fn new() -> Self {
        Basket { bought: Vec::new(), index: None, latest: None }
    }

    /// The entry of `product`, added (with nothing counted yet) when it is new.
    fn slot(&mut self, product: &Shared) -> &mut Bought {
        let found = match &self.index {
            Some(index) => index.get(product.as_str()).copied(),
            None => self.bought.iter().position(|b| b.product == *product),
        };
        let i = match found {
            Some(i) => i,
            None => {
                self.bought.push(Bought { product: product.clone(), sku: None, orders: 0, quantity: 0.0, revenue: 0 });
                let i = self.bought.len() - 1;
                if let Some(index) = &mut self.index {
                    index.insert(product.clone(), i);
                } else if self.bought.len() > Self::INDEXED {
                    self.index = Some(self.bought.iter().enumerate().map(|(i, b)| (b.product.clone(), i)).collect());
                }
                i
            }
        };
        &mut self.bought[i]
    }

    /// Counts the items of one order of the customer (an order with items), the `pos`-th of the
    /// orders whose ids `ids` holds; says whether its revenue was split evenly.
    pub(crate) fn add<I: OrderIds + ?Sized>(&mut self, order: &Order, pos: u32, ids: &I) -> bool {
        let net = order.net();
        let shares;
        // Most orders have one item, which takes the whole order: no shares to work out (the
        // vectors `item_revenue` makes were an allocation and a free per order).
        let (revenue, evenly): (&[Cents], bool) = match &order.items[..] {
            [_] => (std::slice::from_ref(&net), false),
            _ => {
                shares = item_revenue(order);
                (&shares.0, shares.1)
            }
        };
        // An order counts once per product, however many of its items name it: a few items are
        // compared with the earlier ones, a long order's products go into a set.
        let mut long_order: Option<rustc_hash::FxHashSet<&str>> = None;
        for (k, (item, cents)) in order.items.iter().zip(revenue).enumerate() {
            let b = self.slot(&item.product);
            if b.sku.is_none() {
                b.sku.clone_from(&item.sku);
            }
            b.quantity += item.quantity;
            b.revenue = b.revenue.saturating_add(*cents);
            let first_time = if k < Self::INDEXED {
                !order.items[..k].iter().any(|earlier| earlier.product == item.product)
            } else {
                let seen =
                    long_order.get_or_insert_with(|| order.items[..k].iter().map(|i| i.product.as_str()).collect());
                seen.insert(item.product.as_str())
            };
            if first_time {
                b.orders += 1;
            }
        }
        Latest::offer(&mut self.latest, Stamp::of(order, pos), ids, || order.items.first().map(|i| i.product.clone()));
        evenly
    }

    /// The customer's products, most revenue first.
    pub(crate) fn into_purchases(self) -> Purchases {
        let last = self.latest.and_then(|l| l.value).map(|p| p.to_string());
        let mut bought = self.bought;
        bought.sort_by(|a, b| {
            b.revenue.cmp(&a.revenue).then(b.orders.cmp(&a.orders)).then_with(|| a.product.cmp(&b.product))
        });
        bought.shrink_to_fit();
        Purchases { bought, last }
    }
}

impl ProductLookup {
    /// Collects every customer's products from `orders` (orders without items add nothing).
    pub fn from_orders(orders: &[Order]) -> ProductLookup {
        let mut lookup = ProductLookup::default();
        // key → the customer's products so far and their latest order with items.
        let mut acc: HashMap<&Shared, Basket> = HashMap::default();
        for (pos, order) in orders.iter().enumerate().filter(|(_, o)| !o.items.is_empty()) {
            lookup.orders_with_items += 1;
            let evenly = acc.entry(&order.customer_key).or_insert_with(Basket::new).add(order, pos as u32, orders);
            lookup.split_evenly += u64::from(evenly);
        }
        lookup.by_key.reserve(acc.len());
        for (key, basket) in acc {
            lookup.by_key.insert(key.clone(), basket.into_purchases());
        }
        lookup
    }

    /// The lookup of customers' baskets (see `digest`), with the counts of [`from_orders`](Self::from_orders).
    pub(crate) fn from_baskets(
        baskets: impl IntoIterator<Item = (Shared, Basket)>,
        orders_with_items: u64,
        split_evenly: u64,
    ) -> ProductLookup {
        let by_key = baskets.into_iter().map(|(key, basket)| (key, basket.into_purchases())).collect();
        ProductLookup { by_key, orders_with_items, split_evenly }
    }

    /// Whether no order had products (the file has no product column).
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// One customer's products (`None` for a customer without any).
    pub fn of(&self, key: &str) -> Option<&Purchases> {
        self.by_key.get(key)
    }

    /// Whether the customer bought a product whose name or SKU contains `text` (case-insensitive;
    /// an empty text matches everybody).
    pub fn bought_containing(&self, key: &str, text: &str) -> bool {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            return true;
        }
        self.of(key).is_some_and(|p| {
            p.bought.iter().any(|b| {
                b.product.to_lowercase().contains(&needle)
                    || b.sku.as_deref().is_some_and(|s| s.to_lowercase().contains(&needle))
            })
        })
    }

    /// The top products of each tier (every tier in [`Tier::ALL`] that has customers with products).
    pub fn by_tier(&self, customers: &[Customer], classification: &Classification) -> Vec<ProductGroup> {
        self.by_tier_top(customers, classification, TOP)
    }

    /// Like [`by_tier`](Self::by_tier) with the `top` products of each tier (by revenue) instead of
    /// [`TOP`]; `usize::MAX` keeps every product (the app ranks them by customers, orders or revenue).
    pub fn by_tier_top(
        &self,
        customers: &[Customer],
        classification: &Classification,
        top: usize,
    ) -> Vec<ProductGroup> {
        let of = |i: usize| self.of(&customers[i].key);
        let [by_tier] = groups(customers.len(), &of, [&|i| tier_label(classification, i)], top);
        by_tier_order(by_tier)
    }

    /// The top products of each segment, for methods with segments (in the classification's segment
    /// order); empty otherwise.
    pub fn by_segment(&self, customers: &[Customer], classification: &Classification) -> Vec<ProductGroup> {
        let of = |i: usize| self.of(&customers[i].key);
        let [by_segment] = groups(customers.len(), &of, [&|i| segment_label(classification, i)], TOP);
        by_segment_order(by_segment, classification)
    }
}

/// [`ProductLookup::by_tier`] and [`ProductLookup::by_segment`] in one walk over the customers, whose
/// products `purchases(i)` gives (customer `i`'s, looked up by the caller: at a million orders each
/// walk of lookups by key is ~0.2 s of cache misses).
pub fn by_tier_and_segment<'p>(
    customers: usize,
    purchases: &dyn Fn(usize) -> Option<&'p Purchases>,
    classification: &Classification,
) -> (Vec<ProductGroup>, Vec<ProductGroup>) {
    let [by_tier, by_segment] =
        groups(customers, purchases, [&|i| tier_label(classification, i), &|i| segment_label(classification, i)], TOP);
    (by_tier_order(by_tier), by_segment_order(by_segment, classification))
}

/// The products of each group of customers `0..customers`, for `N` groupings at once
/// (`labels[g](i)`: customer `i`'s group in grouping `g`), groups in name order.
fn groups<'c, 'p, const N: usize>(
    customers: usize,
    purchases: &dyn Fn(usize) -> Option<&'p Purchases>,
    labels: [&dyn Fn(usize) -> Option<&'c str>; N],
    top: usize,
) -> [Vec<ProductGroup>; N] {
    type Rows<'p> = HashMap<&'p str, ProductRow>;
    let mut groupings: [HashMap<&'c str, (u32, Rows)>; N] = std::array::from_fn(|_| HashMap::default());
    for i in 0..customers {
        let Some(purchases) = purchases(i) else { continue };
        for (label, groups) in labels.iter().zip(groupings.iter_mut()) {
            let Some(group) = label(i) else { continue };
            let (buyers, rows) = groups.entry(group).or_default();
            *buyers += 1;
            for b in &purchases.bought {
                let row = rows.entry(b.product.as_str()).or_insert_with(|| ProductRow {
                    product: b.product.to_string(),
                    sku: b.sku.as_deref().map(str::to_string),
                    customers: 0,
                    orders: 0,
                    quantity: 0.0,
                    revenue: 0,
                });
                row.customers += 1;
                row.orders += b.orders;
                row.quantity += b.quantity;
                row.revenue = row.revenue.saturating_add(b.revenue);
            }
        }
    }
    groupings.map(|groups| {
        let mut groups: Vec<ProductGroup> = groups
            .into_iter()
            .map(|(group, (buyers, rows))| {
                // `rank` orders every row (ties end on the product, which is each row's own).
                let mut products: Vec<ProductRow> = rows.into_values().collect();
                products.sort_by(ProductRow::rank);
                products.truncate(top);
                ProductGroup { group: group.to_string(), buyers, products }
            })
            .collect();
        groups.sort_by(|a, b| a.group.cmp(&b.group));
        groups
    })
}

fn tier_label(classification: &Classification, i: usize) -> Option<&'static str> {
    classification.assignments.get(i).map(|a| a.tier.letter())
}

fn segment_label(classification: &Classification, i: usize) -> Option<&str> {
    classification.assignments.get(i).and_then(|a| a.segment.as_deref())
}

/// Tier groups in [`Tier::ALL`] order.
fn by_tier_order(mut groups: Vec<ProductGroup>) -> Vec<ProductGroup> {
    let tiers = Tier::ALL.map(Tier::letter);
    groups.sort_by_key(|g| tiers.iter().position(|t| *t == g.group));
    groups
}

/// Segment groups in the classification's segment order (others after them, by name).
fn by_segment_order(mut groups: Vec<ProductGroup>, classification: &Classification) -> Vec<ProductGroup> {
    let order: Vec<&str> = classification.segments.iter().map(|s| s.group.as_str()).collect();
    groups.sort_by_key(|g| order.iter().position(|s| *s == g.group).unwrap_or(usize::MAX));
    groups
}

/// The profit of one tier: summed over its customers whose profit is known.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierProfit {
    /// The tier.
    pub tier: Tier,
    /// Net profit of the customers whose profit is known, in fen.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub profit: Cents,
    /// Their net revenue, in fen (profit ÷ this is the margin).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub revenue: Cents,
    /// How many customers of the tier have a known profit.
    pub known: u64,
    /// Customers of the tier.
    pub customers: u64,
}

/// Each tier's profit (tiers in [`Tier::ALL`] order, those with customers); empty when no customer's
/// profit is known, so the summaries show profit only when costs are.
pub fn tier_profits(customers: &[Customer], classification: &Classification) -> Vec<TierProfit> {
    if customers.iter().all(|c| c.profit.is_none()) {
        return Vec::new();
    }
    let mut out: Vec<TierProfit> =
        Tier::ALL.iter().map(|&tier| TierProfit { tier, profit: 0, revenue: 0, known: 0, customers: 0 }).collect();
    for (c, a) in customers.iter().zip(&classification.assignments) {
        let Some(t) = out.iter_mut().find(|t| t.tier == a.tier) else { continue };
        t.customers += 1;
        if let Some(p) = c.profit {
            t.known += 1;
            t.profit = t.profit.saturating_add(p);
            t.revenue = t.revenue.saturating_add(c.revenue);
        }
    }
    out.retain(|t| t.customers > 0);
    out
}

/// One product's line in a tier's or segment's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProductRow {
    /// The product name.
    pub product: String,
    /// Its (first) SKU, when the file has codes.
    pub sku: Option<String>,
    /// Customers of the group who bought it.
    pub customers: u32,
    /// Their orders that contained it.
    pub orders: u32,
    /// Pieces.
    pub quantity: f64,
    /// Net revenue attributed to it, in fen.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub revenue: Cents,
}

impl ProductRow {
    /// Most revenue first; ties by customers, then by name.
    fn rank(a: &ProductRow, b: &ProductRow) -> std::cmp::Ordering {
        b.revenue.cmp(&a.revenue).then(b.customers.cmp(&a.customers)).then_with(|| a.product.cmp(&b.product))
    }
}

/// The top products of one tier (group = "A" …) or segment (group = its name).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProductGroup {
    /// The tier letter or the segment name.
    pub group: String,
    /// Customers of the group who bought anything with a product name.
    pub buyers: u32,
    /// At most [`TOP`] products, most revenue first.
    pub products: Vec<ProductRow>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OrderItem;

    fn item(product: &str, amount: Option<Cents>) -> OrderItem {
        OrderItem { product: product.into(), sku: None, quantity: 1.0, amount, cost: None, profit: None }
    }

    fn order(key: &str, id: &str, day: u32, paid: Cents, items: Vec<OrderItem>) -> Order {
        Order {
            source: 0,
            row: 2,
            order_id: Some(id.into()),
            customer_key: key.into(),
            customer_name: None,
            phone: None,
            placed_at: chrono::NaiveDate::from_ymd_opt(2025, 1, day).unwrap().and_hms_opt(0, 0, 0).unwrap(),
            paid,
            refund: 0,
            quantity: None,
            status: None,
            order_count: 1,
            first_date: None,
            interactions: None,
            region: None,
            items: items.into(),
        }
    }

    #[test]
    fn an_order_amount_is_shared_by_item_amounts_or_evenly_and_never_counted_twice() {
        let priced = order("k", "1", 1, 9000, vec![item("茶", Some(2000)), item("壶", Some(8000))]);
        // Discounted to ¥90: shared 20:80, adding up to the order.
        assert_eq!(item_revenue(&priced), (vec![1800, 7200], false));
        let unpriced = order("k", "2", 2, 1001, vec![item("茶", None), item("壶", None), item("杯", None)]);
        assert_eq!(item_revenue(&unpriced), (vec![333, 333, 335], true));
        let lookup = ProductLookup::from_orders(&[priced, unpriced]);
        let p = lookup.of("k").unwrap();
        assert_eq!(p.bought.iter().map(|b| b.revenue).sum::<Cents>(), 10001);
        assert_eq!(p.favourites(2).collect::<Vec<_>>(), ["壶", "茶"]);
        assert_eq!(p.last.as_deref(), Some("茶"));
        assert_eq!(lookup.split_evenly, 1);
        assert!(lookup.bought_containing("k", "杯"));
        assert!(!lookup.bought_containing("k", "碗"));
    }

    #[test]
    fn an_order_counts_once_per_product_even_on_two_rows() {
        let o = order("k", "1", 1, 200, vec![item("茶", None), item("茶", None)]);
        let lookup = ProductLookup::from_orders(&[o]);
        let b = &lookup.of("k").unwrap().bought[0];
        assert_eq!((b.orders, b.quantity, b.revenue), (1, 2.0, 200));
    }

    #[test]
    fn a_long_order_counts_once_per_product_too_and_a_one_item_order_takes_its_whole_amount() {
        // 40 items of 7 products (past the items compared one by one: the rest go through a set),
        // then an order of one item whose own amount is not the order's.
        let names = ["茶", "壶", "杯", "碗", "盘", "勺", "筷"];
        let long = order("k", "1", 1, 4000, (0..40).map(|i| item(names[i * 3 % 7], None)).collect());
        let single = order("k", "2", 2, 1234, vec![item("茶", Some(99_999))]);
        let lookup = ProductLookup::from_orders(&[long, single]);
        let bought = &lookup.of("k").unwrap().bought;
        assert_eq!(bought.len(), 7);
        for b in bought {
            let items = (0..40).filter(|i| names[i * 3 % 7] == b.product.as_str()).count();
            let (orders, revenue) = if b.product == "茶" { (2, 1234) } else { (1, 0) };
            assert_eq!(b.orders, orders, "{}", b.product);
            assert_eq!(b.quantity, items as f64 + f64::from(u8::from(b.product == "茶")), "{}", b.product);
            // The long order's ¥40 is shared evenly: ¥1 an item, the rounding to the last.
            assert_eq!(b.revenue - revenue, items as Cents * 100, "{}", b.product);
        }
    }

    #[test]
    fn products_by_tier_and_by_segment_in_one_walk_are_those_of_two() {
        use crate::classify::{classify, ClassifyParams, Method};
        let products = ["茶", "壶", "杯", "碗", "盘"];
        let orders: Vec<Order> = (0..60u32)
            .map(|i| {
                let key = format!("c{}", i % 17);
                let items = (0..=i % 3).map(|k| item(products[((i + k) % 5) as usize], None)).collect();
                order(&key, &i.to_string(), 1 + i % 28, Cents::from(100 + i * 37 % 900), items)
            })
            .collect();
        let customers = crate::customers::aggregate(&orders);
        let params = ClassifyParams {
            method: Method::RfmCube { basis: crate::classify::CubeBasis::Median },
            ..ClassifyParams::default()
        };
        let classification = classify(&customers, &params).unwrap();
        let lookup = ProductLookup::from_orders(&orders);
        let of = |i: usize| lookup.of(&customers[i].key);
        let (by_tier, by_segment) = by_tier_and_segment(customers.len(), &of, &classification);
        assert_eq!(by_tier, lookup.by_tier(&customers, &classification));
        assert_eq!(by_segment, lookup.by_segment(&customers, &classification));
        assert!(by_tier.len() > 1 && by_segment.len() > 1, "{by_tier:?} {by_segment:?}");
        // Tiers in A, B, C order; each group's products by revenue, most first.
        let letters: Vec<&str> = by_tier.iter().map(|g| g.group.as_str()).collect();
        let mut sorted = letters.clone();
        sorted.sort_unstable();
        assert_eq!(letters, sorted);
        for group in by_tier.iter().chain(&by_segment) {
            assert!(group.products.windows(2).all(|w| w[0].revenue >= w[1].revenue), "{group:?}");
            let buyers = (0..customers.len())
                .filter(|&i| lookup.of(&customers[i].key).is_some())
                .filter(|&i| {
                    let a = &classification.assignments[i];
                    a.tier.letter() == group.group || a.segment.as_deref() == Some(group.group.as_str())
                })
                .count();
            assert_eq!(group.buyers as usize, buyers, "{group:?}");
        }
    }
}

//! The stored item rows of the orders and the workspace's cost table: reading the orders back with
//! their items (so products, favourites, the bought-filter and profit give what the in-memory path
//! gives), and keeping the unit costs the user imported or edited.
//!
//! The cost table is applied when the items are read, never written into them: an edited unit cost
//! changes every order at once, and the costs an export itself gave stay as they were (`costs`).

use chrono::NaiveDateTime;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::items::ItemStream;
use super::order_blocks;
use super::{customer_key, source_number, stored_order, Workspace};
use crate::costs::{Applied, CostTable};
use crate::error::Result;
use crate::model::{Cents, Customer, Order, Shared};
use crate::products::ProductLookup;
use crate::progress::{Progress, Stage};

/// What the workspace's items say about its customers: their products and their profit.
#[derive(Clone, Debug, Default)]
pub struct StoredProducts {
    /// Every customer's products (empty when no stored order has items).
    pub lookup: ProductLookup,
    /// Profit per customer key, `None` for a customer with an order of unknown cost (see
    /// `Order::profit`); only customers with orders appear.
    pub profits: FxHashMap<String, Option<Cents>>,
    /// What the workspace's cost table matched.
    pub costs: Applied,
}

impl StoredProducts {
    /// Gives each customer their profit (customers the items say nothing of keep `None`).
    pub fn fill_profit(&self, customers: &mut [Customer]) {
        for c in customers {
            c.profit = self.profits.get(&c.key).copied().flatten();
        }
    }

    /// Whether any customer's profit is known.
    pub fn any_profit(&self) -> bool {
        self.profits.values().any(Option::is_some)
    }
}

/// One row of the cost table as the app shows it: a product seen in the orders and its unit cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProductCost {
    /// The product name.
    pub product: String,
    /// Its SKU, when the export gave one (a cost set for the product is then stored by SKU).
    pub sku: Option<String>,
    /// Unit cost from the workspace's cost table (by SKU first, then by name), in fen.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub unit_cost: Option<Cents>,
    /// Whether the export itself gave this product's items a cost or profit (the table is then not
    /// used for them).
    pub cost_in_export: bool,
    /// Pieces sold over all stored orders.
    pub quantity: f64,
    /// Orders that contained it.
    pub orders: u32,
}

impl Workspace {
    /// Whether any stored order has item rows (a file with a product column was imported).
    ///
    /// # Errors
    /// `Store`.
    pub fn has_items(&self) -> Result<bool> {
        Ok(self.conn.query_row("SELECT EXISTS (SELECT 1 FROM order_item_blocks)", [], |r| r.get(0))?)
    }

    /// Every stored order with its items, by customer (in the order customers were first stored) then
    /// date (and, of equal dates, as stored), the workspace's cost table applied
    /// to items without a cost of their own. Reads every order: only called when items exist.
    ///
    /// # Errors
    /// `Store`.
    pub fn orders_with_items(&self) -> Result<(Vec<Order>, Applied)> {
        self.read_orders_with_items(true)
    }

    /// `orders_with_items`; `whole: false` reads only what products and profit need (the key, id,
    /// time, money and items: `stored_order`).
    ///
    /// Orders and items are read in order id order (no sort, no join): the items (`items`, a block at
    /// a time) are merged into the orders as they come, and the orders are then put in customer, date
    /// order by a sort of their ids (the order of a customer's orders decides their products' SKUs).
    ///
    /// Each customer's key and each product name and SKU is read into memory once and shared by
    /// every order and item that has it, as an import shares them: at 400k orders a subquery and a
    /// copy of the key per order and two copies per item were most of the time, and freeing them
    /// most of the rest.
    fn read_orders_with_items(&self, whole: bool) -> Result<(Vec<Order>, Applied)> {
        let keys: FxHashMap<i64, Shared> = self.keys_by_id()?;
        // One copy of each product name and SKU (a shop has hundreds of products and a million items).
        let mut texts = crate::orders::Interner::default();
        let mut items = ItemStream::new(&self.conn, &mut texts)?;
        // (customer id, placed at, order id) of each order read
        let mut sort_keys: Vec<(i64, i64, i64)> = Vec::new();
        let mut orders: Vec<Order> = Vec::new();
        let mut add = |id: i64, customer: i64, placed: i64, mut order: Order| -> Result<()> {
            // Items of orders that no longer exist cannot be here (deleting orders forgets their
            // items); any with a smaller id than this order are passed over all the same.
            items.items_of(id, &mut texts, |item| order.items.push(item))?;
            sort_keys.push((customer, placed, id));
            orders.push(order);
            Ok(())
        };
        if whole {
            order_blocks::for_each_block(&self.conn, |block| {
                for o in block.drain(..) {
                    let (id, customer, placed) = (o.id, o.customer_id, o.placed_at);
                    add(id, customer, placed, stored_order(o, customer_key(&keys, customer)?)?)?;
                }
                Ok(())
            })?;
        } else {
            // Only what products and profit read: no text of the order's own is copied.
            let mut digits = itoa::Buffer::new();
            order_blocks::for_each(&self.conn, |o| {
                let key = customer_key(&keys, o.customer_id)?;
                let order = Order {
                    source: source_number(o.source_id)?,
                    row: o.row,
                    order_id: o.has_id.then(|| o.uid(&mut digits).into()),
                    customer_key: key,
                    customer_name: None,
                    phone: None,
                    placed_at: super::from_seconds(o.placed_at),
                    paid: o.paid,
                    refund: o.refund,
                    quantity: o.quantity,
                    status: None,
                    order_count: o.order_count,
                    first_date: None,
                    interactions: None,
                    region: None,
                    items: Default::default(),
                };
                add(o.id, o.customer_id, o.placed_at, order)
            })?;
        }
        let mut places: Vec<usize> = (0..orders.len()).collect();
        places.sort_unstable_by_key(|&i| sort_keys[i]);
        permute(&mut orders, places);
        let applied = self.cost_table()?.apply(&mut orders);
        Ok((orders, applied))
    }

    /// Every stored item with its order's id, in order id then file order: what the workspace holds,
    /// for checks (a reader of orders gets them through `orders_with_items`).
    ///
    /// # Errors
    /// `Store`.
    pub fn stored_items(&self) -> Result<Vec<(i64, crate::model::OrderItem)>> {
        let mut texts = crate::orders::Interner::default();
        let mut items = ItemStream::new(&self.conn, &mut texts)?;
        let mut all = Vec::new();
        while let Some(entry) = items.next(&mut texts)? {
            all.push(entry);
        }
        Ok(all)
    }

    /// Every customer's products and profit from the stored items (empty when there are none, and
    /// then no order is read).
    ///
    /// # Errors
    /// `Store`.
    pub fn products(&self) -> Result<StoredProducts> {
        if !self.has_items()? {
            return Ok(StoredProducts::default());
        }
        let (orders, costs) = self.read_orders_with_items(false)?;
        let mut profits: FxHashMap<String, Option<Cents>> = FxHashMap::default();
        for order in &orders {
            // As `customers::aggregate` sums it: known only when every order's profit is.
            let key = order.customer_key.as_str();
            let p = match profits.get_mut(key) {
                Some(p) => p,
                None => profits.entry(key.to_owned()).or_insert(Some(0)),
            };
            *p = p.zip(order.profit()).map(|(a, b)| a.saturating_add(b));
        }
        Ok(StoredProducts { lookup: ProductLookup::from_orders(&orders), profits, costs })
    }

    /// Every customer's profit, as [`Workspace::products`] gives it (`StoredProducts::profits`), in
    /// one pass over the orders and their item rows: no order is read into memory and no product list
    /// is built, so the app can load its customers with their profit at start and after an import and
    /// leave the products to the screen that shows them. Empty when no cost is known at all (no item
    /// has a cost or profit of its own and the cost table is empty), which is every customer's profit
    /// unknown: then only one scan of the items' two cost columns is paid (30 ms at 370k items,
    /// against 750 ms for the whole pass).
    ///
    /// # Errors
    /// `Store`.
    pub fn profits(&self) -> Result<FxHashMap<String, Option<Cents>>> {
        let mut profits: FxHashMap<String, Option<Cents>> = FxHashMap::default();
        let table = self.cost_table()?;
        if table.is_empty() && !self.has_item_costs()? {
            return Ok(profits);
        }
        // Both tables in their own key order, merged as they come (no join, no SQL sort); the
        // customers are summed by id and named once at the end, so no key is copied per order.
        let mut texts = crate::orders::Interner::default();
        let mut items = ItemStream::new(&self.conn, &mut texts)?;
        let mut by_customer: FxHashMap<i64, Option<Cents>> = FxHashMap::default();
        // The order's items' (cost, profit).
        let mut lines: Vec<(Option<Cents>, Option<Cents>)> = Vec::new();
        order_blocks::for_each(&self.conn, |o| {
            let (id, customer, paid, refund): (i64, i64, Cents, Cents) = (o.id, o.customer_id, o.paid, o.refund);
            lines.clear();
            items.items_of(id, &mut texts, |item| {
                let cost = match (item.cost, item.profit) {
                    (None, None) if !table.is_empty() => table
                        .unit_cost(&item.product, item.sku.as_deref())
                        .and_then(|unit| crate::cell::cents_from_f64(unit as f64 * item.quantity / 100.0)),
                    (cost, _) => cost,
                };
                lines.push((cost, item.profit));
            })?;
            // As `Order::profit` after `CostTable::apply` (an order without items has none), and
            // summed as `products` sums it: known only when every order's profit is.
            let profit = if lines.is_empty() {
                None
            } else {
                match lines.iter().map(|l| l.1).sum::<Option<Cents>>() {
                    Some(p) => Some(p.saturating_sub(refund)),
                    None => lines
                        .iter()
                        .map(|l| l.0)
                        .sum::<Option<Cents>>()
                        .map(|cost| paid.saturating_sub(refund).saturating_sub(cost)),
                }
            };
            let p = by_customer.entry(customer).or_insert(Some(0));
            *p = p.zip(profit).map(|(a, b)| a.saturating_add(b));
            Ok(())
        })?;
        let mut stmt = self.conn.prepare("SELECT id, key FROM customers")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            if let Some(profit) = by_customer.remove(&r.get::<_, i64>(0)?) {
                profits.insert(r.get(1)?, profit);
            }
        }
        Ok(profits)
    }

    /// Every customer (`customers`) with its profit (`profits`): what the app loads at start and after
    /// an import, the products left to the screens that show them.
    ///
    /// Reports as the start of `Stage::Classifying`, counted in customers: 0 of them before the
    /// profit, then every 16,384 read (at 240k customers reading them back is ~0.3 s). The caller
    /// reports all of them once they are classified.
    ///
    /// # Errors
    /// `Store`.
    pub fn customers_with_profit(&self, progress: &dyn Progress) -> Result<Vec<Customer>> {
        let total = self.customer_count()?;
        progress.report(Stage::Classifying, 0, total);
        let profits = self.profits()?;
        let mut customers = self.customers_ticking(&mut |read| {
            progress.report(Stage::Classifying, read.min(total.saturating_sub(1)), total)
        })?;
        if !profits.is_empty() {
            for c in &mut customers {
                c.profit = profits.get(&c.key).copied().flatten();
            }
        }
        Ok(customers)
    }

    /// Whether any stored item has a cost or a profit of its own (from the export's columns).
    fn has_item_costs(&self) -> Result<bool> {
        Ok(self.conn.query_row("SELECT EXISTS (SELECT 1 FROM order_item_blocks WHERE costed)", [], |r| r.get(0))?)
    }

    /// The workspace's cost table (empty when none was imported or edited).
    ///
    /// # Errors
    /// `Store`.
    pub fn cost_table(&self) -> Result<CostTable> {
        let mut table = CostTable::default();
        let mut stmt = self.conn.prepare_cached("SELECT kind, key, unit_cost FROM product_costs")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (kind, key, unit): (String, String, Cents) = (r.get(0)?, r.get(1)?, r.get(2)?);
            match kind.as_str() {
                "sku" => table.by_sku.insert(key, unit),
                _ => table.by_product.insert(key, unit),
            };
        }
        Ok(table)
    }

    /// Adds `table` to the workspace's cost table: a SKU or product it lists gets its unit cost,
    /// the others keep theirs. `at` is the caller's clock.
    ///
    /// # Errors
    /// `Store`.
    pub fn save_cost_table(&mut self, table: &CostTable, at: NaiveDateTime) -> Result<()> {
        let tx = self.write_tx()?;
        {
            let mut upsert = tx.prepare_cached(UPSERT_COST)?;
            for (sku, unit) in &table.by_sku {
                upsert.execute(rusqlite::params!["sku", sku.trim(), unit, at])?;
            }
            for (product, unit) in &table.by_product {
                upsert.execute(rusqlite::params!["product", product.trim(), unit, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Sets (or, with `None`, removes) the unit cost of one product: by its SKU when it has one (an
    /// item is matched by SKU first), else by its name.
    ///
    /// # Errors
    /// `Store`.
    pub fn set_unit_cost(
        &mut self,
        product: &str,
        sku: Option<&str>,
        unit_cost: Option<Cents>,
        at: NaiveDateTime,
    ) -> Result<()> {
        let (kind, key) = match sku.map(str::trim).filter(|s| !s.is_empty()) {
            Some(sku) => ("sku", sku),
            None => ("product", product.trim()),
        };
        let tx = self.write_tx()?;
        match unit_cost {
            Some(unit) => {
                tx.execute(UPSERT_COST, rusqlite::params![kind, key, unit, at])?;
            }
            None => {
                tx.execute("DELETE FROM product_costs WHERE kind = ?1 AND key = ?2", [kind, key])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every product of the stored orders (by name and first SKU, most pieces first) with its unit
    /// cost from the cost table: what the app's cost table editor lists.
    ///
    /// # Errors
    /// `Store`.
    pub fn product_costs(&self) -> Result<Vec<ProductCost>> {
        let table = self.cost_table()?;
        // By product name and SKU (no SKU and an empty one alike), the SKU shown the group's first;
        // orders counted once however many of their lines name the product.
        struct Group {
            sku: Option<Shared>,
            quantity: f64,
            orders: u32,
            last_order: i64,
            cost_in_export: bool,
        }
        let mut groups: FxHashMap<(Shared, Shared), Group> = FxHashMap::default();
        let mut texts = crate::orders::Interner::default();
        let none = texts.get("");
        let mut items = ItemStream::new(&self.conn, &mut texts)?;
        while let Some((order_id, item)) = items.next(&mut texts)? {
            let key = (item.product.clone(), item.sku.clone().unwrap_or_else(|| none.clone()));
            let group = groups.entry(key).or_insert_with(|| Group {
                sku: item.sku.clone(),
                quantity: 0.0,
                orders: 0,
                last_order: i64::MIN,
                cost_in_export: false,
            });
            group.quantity += item.quantity;
            if group.last_order != order_id {
                group.orders += 1;
                group.last_order = order_id;
            }
            group.cost_in_export |= item.cost.is_some() || item.profit.is_some();
        }
        let mut costs: Vec<ProductCost> = groups
            .into_iter()
            .map(|((product, _), g)| {
                let sku = g.sku.map(|s| s.as_str().to_owned());
                ProductCost {
                    unit_cost: table.unit_cost(&product, sku.as_deref()),
                    product: product.as_str().to_owned(),
                    sku,
                    quantity: g.quantity,
                    orders: g.orders,
                    cost_in_export: g.cost_in_export,
                }
            })
            .collect();
        // Most pieces first, then by name and SKU (as SQLite compared them: by their UTF-8 bytes).
        costs.sort_by(|a, b| {
            b.quantity.total_cmp(&a.quantity).then_with(|| a.product.cmp(&b.product)).then_with(|| a.sku.cmp(&b.sku))
        });
        Ok(costs)
    }
}

/// Puts `items[from[i]]` at `i` for every `i` (`from` a permutation), one swap per element moved.
fn permute<T>(items: &mut [T], mut from: Vec<usize>) {
    for start in 0..items.len() {
        // Follow the cycle through `start`; a position done points at itself.
        let mut at = start;
        while from[at] != at {
            let source = from[at];
            from[at] = at;
            if source == start {
                break;
            }
            items.swap(at, source);
            at = source;
        }
    }
}

const UPSERT_COST: &str = "INSERT INTO product_costs(kind, key, unit_cost, updated_at) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT(kind, key) DO UPDATE SET unit_cost = excluded.unit_cost, updated_at = excluded.updated_at";

#[cfg(test)]
mod tests {
    use super::permute;

    #[test]
    fn permute_puts_each_element_where_the_permutation_says() {
        // Every permutation of five elements (several cycles, fixed points, one long cycle).
        let mut from: Vec<usize> = (0..5).collect();
        let mut count = 0;
        loop {
            let mut items: Vec<char> = "abcde".chars().collect();
            let expected: Vec<char> = from.iter().map(|&i| items[i]).collect();
            permute(&mut items, from.clone());
            assert_eq!(items, expected, "from {from:?}");
            count += 1;
            // Next permutation in lexicographic order.
            let Some(i) = (0..4).rev().find(|&i| from[i] < from[i + 1]) else { break };
            let j = (i + 1..5).rev().find(|&j| from[j] > from[i]).unwrap();
            from.swap(i, j);
            from[i + 1..].reverse();
        }
        assert_eq!(count, 120);
    }
}

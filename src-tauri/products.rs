//! The 商品 screen's data, the customer list's "bought a product containing …" filter, and the cost
//! table the user imports or edits: thin adapters over the core's `products`, `costs` and the
//! workspace's stored items (`store::StoredProducts`). Nothing here ranks or sums on its own.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use tierbook_core::costs::CostTable;
use tierbook_core::products::{ProductRow, FAVOURITES};
use tierbook_core::store::{ProductCost, StoredProducts};
use tierbook_core::{Error, ErrorCode, Lang, NoProgress, Tier};

use crate::error::ApiError;
use crate::state::AppState;

/// How many products each ranking of a tier shows.
pub const TOP: usize = tierbook_core::products::TOP;

/// One tier's products, ranked three ways.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TierProducts {
    pub tier: Tier,
    /// Customers of the tier who bought anything with a product name.
    pub buyers: u32,
    /// The tier's top products by how many of its customers bought them.
    pub by_customers: Vec<ProductRow>,
    /// … by how many orders contained them.
    pub by_orders: Vec<ProductRow>,
    /// … by the revenue attributed to them.
    pub by_revenue: Vec<ProductRow>,
}

/// Everything the 商品 screen shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ProductView {
    /// Tiers with buyers, A first.
    pub tiers: Vec<TierProducts>,
    /// Orders that name products.
    pub orders_with_items: u64,
    /// Orders of several items whose revenue was split evenly (no item price in the file).
    pub split_evenly: u64,
    /// Whether any customer's profit is known (from the export's costs or the cost table).
    pub profit_known: bool,
}

/// Ranks `rows` by one measure (ties: revenue, then name) and keeps the top.
fn top(rows: &[ProductRow], key: impl Fn(&ProductRow) -> f64) -> Vec<ProductRow> {
    let mut out = rows.to_vec();
    out.sort_by(|a, b| {
        key(b).total_cmp(&key(a)).then(b.revenue.cmp(&a.revenue)).then_with(|| a.product.cmp(&b.product))
    });
    out.truncate(TOP);
    out
}

impl AppState {
    /// The session's stored products, or `no_products` when no order names one.
    fn session_products(&self) -> Result<Arc<StoredProducts>, ApiError> {
        let slot = self.session().products.clone();
        let products = slot.get_or_read(|| self.with_workspace(|ws| ws.products()))?;
        if products.lookup.is_empty() {
            return Err(Error::NoProducts.into());
        }
        Ok(products)
    }

    /// Each tier's top products by customers, orders and revenue.
    ///
    /// # Errors
    /// `no_customers` before any import; `no_products` when the orders name none; `store`.
    pub fn product_view(&self) -> Result<ProductView, ApiError> {
        let stored = self.session_products()?;
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        let tiers = stored
            .lookup
            .by_tier_top(&session.customers, classification, usize::MAX)
            .into_iter()
            .filter_map(|g| {
                let tier = Tier::ALL.into_iter().find(|t| t.letter() == g.group)?;
                Some(TierProducts {
                    tier,
                    buyers: g.buyers,
                    by_customers: top(&g.products, |r| f64::from(r.customers)),
                    by_orders: top(&g.products, |r| f64::from(r.orders)),
                    by_revenue: top(&g.products, |r| r.revenue as f64),
                })
            })
            .collect();
        Ok(ProductView {
            tiers,
            orders_with_items: stored.lookup.orders_with_items,
            split_evenly: stored.lookup.split_evenly,
            profit_known: stored.any_profit(),
        })
    }

    /// Keys of the customers on screen who bought a product whose name or SKU contains `text`.
    ///
    /// # Errors
    /// `no_customers`; `no_products`; `store`.
    pub fn bought_keys(&self, text: &str) -> Result<Vec<String>, ApiError> {
        let stored = self.session_products()?;
        let session = self.session();
        Ok(session
            .customers
            .iter()
            .filter(|c| stored.lookup.bought_containing(&c.key, text))
            .map(|c| c.key.clone())
            .collect())
    }

    /// Writes the customers who bought a product containing `text` as a CSV list; returns the path.
    ///
    /// # Errors
    /// `no_customers`; `no_products`; `output_is_input` for the workspace; `write`.
    pub fn export_buyers(&self, path: &Path, text: &str, lang: Lang) -> Result<String, ApiError> {
        if tierbook_core::paths::workspace_files(&self.workspace_path())
            .iter()
            .any(|f| tierbook_core::paths::same_file(path, f))
        {
            return Err(Error::OutputIsInput {
                output: path.to_path_buf(),
                input: self.workspace_path(),
                what: "工作区".into(),
            }
            .into());
        }
        let stored = self.session_products()?;
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        tierbook_core::export::write_buyers_csv(path, &session.customers, classification, &stored.lookup, text, lang)?;
        Ok(path.display().to_string())
    }

    /// Every product of the stored orders with its unit cost.
    ///
    /// # Errors
    /// `store`.
    pub fn product_costs(&self) -> Result<Vec<ProductCost>, ApiError> {
        self.with_workspace(|ws| ws.product_costs())
    }

    /// Sets (or clears) one product's unit cost in fen, then recomputes every customer's profit.
    ///
    /// # Errors
    /// `invalid_params` for a negative or absurd cost; `store`.
    pub fn set_unit_cost(
        &self,
        product: &str,
        sku: Option<&str>,
        unit_cost: Option<i64>,
    ) -> Result<Vec<ProductCost>, ApiError> {
        if let Some(fen) = unit_cost.filter(|f| !(0..=tierbook_core::orders::MAX_ORDER_CENTS).contains(f)) {
            return Err(ApiError::new(
                ErrorCode::InvalidParams,
                format!("成本价 {:.2} 元无效：请填写 0 或正数。", fen as f64 / 100.0),
            ));
        }
        let now = chrono::Local::now().naive_local();
        self.with_workspace(|ws| ws.set_unit_cost(product, sku, unit_cost, now))?;
        self.refresh_products()?;
        self.product_costs()
    }

    /// Reads a cost table (CSV/xlsx: 商品名称 or SKU, 成本价) into the workspace's cost table, then
    /// recomputes every customer's profit. Returns the products with their costs.
    ///
    /// # Errors
    /// The core's file errors (`no_header` when the file has no cost column); `store`.
    pub fn import_cost_table(&self, path: &Path) -> Result<Vec<ProductCost>, ApiError> {
        let table = CostTable::read(path)?;
        if table.is_empty() {
            return Err(Error::NoHeader { path: path.to_path_buf() }.into());
        }
        let now = chrono::Local::now().naive_local();
        self.with_workspace(|ws| ws.save_cost_table(&table, now))?;
        self.refresh_products()?;
        self.product_costs()
    }

    /// Re-reads the customers' profit and products after the cost table changed, and classifies
    /// again with the parameters on screen (the saved defaults if those no longer work, e.g. profit
    /// ABC after the last cost was removed).
    fn refresh_products(&self) -> Result<(), ApiError> {
        let customers = self.with_workspace(|ws| ws.customers_with_profit(&NoProgress))?;
        let settings = self.settings();
        let mut session = self.session();
        let params = session.classification.as_ref().map(|c| c.params.clone());
        session.set_all_customers(customers);
        session.products = Default::default();
        if session.all_customers.is_empty() {
            return Ok(());
        }
        let classified = match params {
            Some(params) => self.classify_session(&mut session, &params),
            None => Err(Error::NoCustomers.into()),
        };
        let classification = match classified {
            Ok(c) => c,
            Err(_) => self.classify_session(&mut session, &settings.default_params)?,
        };
        session.classification = Some(classification);
        drop(session);
        self.read_ahead();
        Ok(())
    }

    /// The favourite products and the last product of one customer (empty without products).
    pub(crate) fn products_of(&self, key: &str) -> (Vec<String>, Option<String>) {
        let Ok(stored) = self.session_products() else { return (Vec::new(), None) };
        match stored.lookup.of(key) {
            Some(p) => (p.favourites(FAVOURITES).map(str::to_owned).collect(), p.last.clone()),
            None => (Vec::new(), None),
        }
    }
}

//! The per-product cost table a user imports (CSV or workbook: 商品名称 or SKU, 成本价) when the
//! order export has no cost column, and how it fills in the cost of order items.
//!
//! A table row gives the cost of one piece; an item's cost is that × its quantity. An item is
//! matched by its SKU first, then by its exact product name (trimmed). Items that already carry a
//! cost or profit from the export keep it. This module reads the table through `source` and
//! `mapping`'s header matching; it does not store it (`store`) nor compute profit (`model::Order`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cell;
use crate::error::{Error, Result};
use crate::mapping::{match_key, Role, SYNONYMS};
use crate::model::{Cents, Order};
use crate::source::{Cell, Source};

/// Unit costs by SKU and by product name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostTable {
    /// SKU → cost of one piece, in fen.
    pub by_sku: BTreeMap<String, Cents>,
    /// Product name → cost of one piece, in fen.
    pub by_product: BTreeMap<String, Cents>,
}

/// What applying a cost table did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Items that got a cost from the table.
    pub matched: u64,
    /// Items without a cost that the table does not list.
    pub unmatched: u64,
}

impl CostTable {
    /// Whether the table lists nothing.
    pub fn is_empty(&self) -> bool {
        self.by_sku.is_empty() && self.by_product.is_empty()
    }

    /// The unit cost of a product, by SKU first, then by name.
    pub fn unit_cost(&self, product: &str, sku: Option<&str>) -> Option<Cents> {
        sku.and_then(|s| self.by_sku.get(s.trim())).or_else(|| self.by_product.get(product.trim())).copied()
    }

    /// Gives every item without a cost or profit its cost from the table (unit cost × quantity).
    pub fn apply(&self, orders: &mut [Order]) -> Applied {
        let mut applied = Applied::default();
        for item in orders.iter_mut().flat_map(|o| o.items.iter_mut()) {
            if item.cost.is_some() || item.profit.is_some() {
                continue;
            }
            match self.unit_cost(&item.product, item.sku.as_deref()) {
                Some(unit) => {
                    item.cost = cell::cents_from_f64(unit as f64 * item.quantity / 100.0);
                    applied.matched += 1;
                }
                None => applied.unmatched += 1,
            }
        }
        applied
    }

    /// Reads a cost table: the first sheet, a header row with a product name and/or SKU column and a
    /// cost column (成本价 / 成本 / 单位成本 / 进价 …; the same header names the order import knows).
    /// Rows without a readable cost or without a name and code are left out.
    ///
    /// # Errors
    /// The source's errors for a file that cannot be read; `NoHeader` when no row has both a
    /// product (or SKU) column and a cost column.
    pub fn read(path: &Path) -> Result<CostTable> {
        let mut src = Source::open(path)?;
        let sheet = src.sheet_names().first().cloned().ok_or_else(|| Error::NoHeader { path: path.to_owned() })?;
        let mut header: Option<(Option<usize>, Option<usize>, usize)> = None;
        let mut table = CostTable::default();
        src.for_each_row(&sheet, &mut |_, cells: &[Cell]| {
            let Some((product, sku, cost)) = header else {
                header = header_columns(cells);
                return Ok(true);
            };
            let text = |i: Option<usize>| {
                i.and_then(|i| cells.get(i))
                    .and_then(cell::text)
                    .map(|t| cell::trim(&t).to_owned())
                    .filter(|t| !t.is_empty())
            };
            let Some(unit) = cells.get(cost).and_then(cell::parse_amount) else { return Ok(true) };
            if let Some(s) = text(sku) {
                table.by_sku.insert(s, unit);
            }
            if let Some(p) = text(product) {
                table.by_product.insert(p, unit);
            }
            Ok(true)
        })?;
        if header.is_none() {
            return Err(Error::NoHeader { path: path.to_owned() });
        }
        Ok(table)
    }
}

/// The product, SKU and cost columns of a header row, when it has a cost and a name or code.
fn header_columns(cells: &[Cell]) -> Option<(Option<usize>, Option<usize>, usize)> {
    let role_of = |c: &Cell| {
        let key = match_key(&cell::text(c)?);
        SYNONYMS.iter().filter(|(name, _, _)| *name == key).map(|(_, role, _)| *role).next()
    };
    let roles: Vec<Option<Role>> = cells.iter().map(role_of).collect();
    let find = |wanted: &[Role]| roles.iter().position(|r| r.is_some_and(|r| wanted.contains(&r)));
    let cost = find(&[Role::UnitCost, Role::Cost])?;
    let (product, sku) = (find(&[Role::Product]), find(&[Role::Sku]));
    (product.is_some() || sku.is_some()).then_some((product, sku, cost))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_read_by_its_headers_and_matches_sku_before_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("成本表.csv");
        std::fs::write(&path, "商品名称,SKU,成本价\n红糖姜茶,SKU-1,3.50\n紫砂壶,,800\n,SKU-9,1\n无成本,SKU-2,\n")
            .unwrap();
        let table = CostTable::read(&path).unwrap();
        assert_eq!(table.unit_cost("别名", Some("SKU-1")), Some(350));
        assert_eq!(table.unit_cost("紫砂壶", None), Some(80000));
        assert_eq!(table.unit_cost("x", Some("SKU-9")), Some(100));
        assert_eq!(table.unit_cost("无成本", Some("SKU-2")), None);
    }

    #[test]
    fn a_file_without_cost_column_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "商品名称,数量\n茶,1\n").unwrap();
        assert!(matches!(CostTable::read(&path), Err(Error::NoHeader { .. })));
    }
}

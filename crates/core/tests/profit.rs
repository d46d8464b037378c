//! Profit-based ABC end to end: an item-level export written here (order amount repeated on every
//! item row, unit price, quantity, SKU, unit cost; closed orders and partial refunds among them),
//! imported, classified by profit and exported. Per-customer profit and class are compared with a
//! truth computed in this file from the rows it wrote — once with the cost column in the export,
//! once with the export stripped of it plus an imported cost table (by SKU), which must agree.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use tierbook_core::classify::{self, ClassifyParams, Method};
use tierbook_core::costs::CostTable;
use tierbook_core::export::ExportOptions;
use tierbook_core::import::{self, ImportOptions};
use tierbook_core::job::{self, Job, Outputs};
use tierbook_core::model::{Customer, Tier};
use tierbook_core::{ErrorCode, NoProgress};

/// (SKU, name, unit price in fen, unit cost in fen)
const PRODUCTS: &[(&str, &str, i64, i64)] = &[
    ("T-01", "红糖姜茶", 990, 410),
    ("T-02", "挂耳咖啡", 1990, 1200),
    ("T-03", "冰糖心苹果", 2990, 2100),
    ("T-04", "手工腊肠", 3990, 1800),
    ("T-05", "紫砂壶", 168000, 52000),
    ("T-06", "普洱茶饼", 18800, 17900),
];

/// One item row as written.
struct Item {
    order: u32,
    key: String,
    day: u32,
    status: &'static str,
    paid: i64,
    refund: i64,
    product: usize,
    quantity: i64,
}

/// A deterministic shop: 40 customers, 240 orders of 1–3 items; every 13th order closed, every 7th
/// partly refunded; the order's paid amount is the item total less a discount, repeated per row.
fn shop() -> Vec<Item> {
    let mut state: u64 = 12345;
    let mut next = |n: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let mut rows = Vec::new();
    for order in 1..=240u32 {
        // A few heavy customers: the key is skewed towards low numbers.
        let key = format!("buyer{:02}", next(40).min(next(40)));
        let items: Vec<(usize, i64)> =
            (0..=next(3)).map(|_| (next(PRODUCTS.len() as u64) as usize, 1 + next(3) as i64)).collect();
        let total: i64 = items.iter().map(|(p, q)| PRODUCTS[*p].2 * q).sum();
        let paid = total - (total * next(15) as i64 / 100);
        let status = if order % 13 == 0 { "已关闭" } else { "已完成" };
        let refund = if order % 7 == 0 { paid / 4 } else { 0 };
        let day = 1 + next(28) as u32;
        for (product, quantity) in items {
            rows.push(Item { order, key: key.clone(), day, status, paid, refund, product, quantity });
        }
    }
    rows
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// The export as CSV, with or without the 成本价 column.
fn write_export(path: &Path, rows: &[Item], with_cost: bool) {
    let mut csv = String::from("订单号,下单时间,订单状态,买家ID,商品名称,商家编码,数量,单价,实付金额,退款金额");
    csv.push_str(if with_cost { ",成本价\n" } else { "\n" });
    for r in rows {
        let (sku, name, price, cost) = PRODUCTS[r.product];
        write!(
            csv,
            "{},2025-03-{:02} 10:00:00,{},{},{},{},{},{},{},{}",
            9000 + r.order,
            r.day,
            r.status,
            r.key,
            name,
            sku,
            r.quantity,
            yuan(price),
            yuan(r.paid),
            yuan(r.refund)
        )
        .unwrap();
        if with_cost {
            write!(csv, ",{}", yuan(cost)).unwrap();
        }
        csv.push('\n');
    }
    std::fs::write(path, csv).unwrap();
}

/// The truth: per customer, profit = Σ over counted orders (paid − refund − Σ unit cost × quantity);
/// a closed order or one refunded in full does not count.
fn truth_profit(rows: &[Item]) -> BTreeMap<String, i64> {
    let mut orders: BTreeMap<u32, (String, i64)> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.status != "已关闭" && r.refund < r.paid) {
        let e = orders.entry(r.order).or_insert((r.key.clone(), r.paid - r.refund));
        e.1 -= PRODUCTS[r.product].3 * r.quantity;
    }
    let mut out = BTreeMap::new();
    for (key, profit) in orders.into_values() {
        *out.entry(key).or_insert(0) += profit;
    }
    out
}

/// The truth's classes: by profit, high to low (ties by key); A while the positive profit before the
/// customer is under 80 % of the total positive profit, B under 95 %, C after and for no profit.
fn truth_classes(profit: &BTreeMap<String, i64>) -> BTreeMap<String, Tier> {
    let total: i64 = profit.values().filter(|p| **p > 0).sum();
    let mut ranked: Vec<(&String, i64)> = profit.iter().map(|(k, p)| (k, *p)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut before = 0i64;
    let mut out = BTreeMap::new();
    for (key, p) in ranked {
        let tier = if p <= 0 {
            Tier::C
        } else if (before as f64) < 0.80 * total as f64 {
            Tier::A
        } else if (before as f64) < 0.95 * total as f64 {
            Tier::B
        } else {
            Tier::C
        };
        before += p.max(0);
        out.insert(key.clone(), tier);
    }
    out
}

fn profit_params() -> ClassifyParams {
    ClassifyParams { method: Method::AbcProfit { a_pct: 80.0, b_pct: 95.0 }, ..ClassifyParams::default() }
}

fn customers_of(path: &Path, costs: Option<&CostTable>) -> Vec<Customer> {
    let mut data = import::import_files(&[path.to_path_buf()], &ImportOptions::default(), &NoProgress).unwrap();
    if let Some(costs) = costs {
        costs.apply(&mut data.orders);
    }
    tierbook_core::customers::aggregate(&data.orders)
}

fn assert_matches_truth(customers: &[Customer], rows: &[Item]) {
    let profit = truth_profit(rows);
    let classes = truth_classes(&profit);
    assert_eq!(customers.len(), profit.len(), "one customer per buyer with a counted order");
    let classification = classify::classify(customers, &profit_params()).unwrap();
    for (c, a) in customers.iter().zip(&classification.assignments) {
        assert_eq!(c.profit, Some(profit[&c.key]), "profit of {}", c.key);
        assert_eq!(a.tier, classes[&c.key], "class of {} (profit {})", c.key, profit[&c.key]);
    }
    // The data must exercise every class and a loss-making customer is possible but not required.
    for t in [Tier::A, Tier::B, Tier::C] {
        assert!(classes.values().any(|c| *c == t), "the shop has a {t:?} customer");
    }
}

#[test]
fn profit_abc_from_a_cost_column_equals_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let rows = shop();
    let path = dir.path().join("明细.csv");
    write_export(&path, &rows, true);
    assert_matches_truth(&customers_of(&path, None), &rows);
}

#[test]
fn profit_abc_from_an_imported_cost_table_equals_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let rows = shop();
    let path = dir.path().join("明细.csv");
    write_export(&path, &rows, false);
    // Without costs the method is offered but refused with what to add.
    let err = classify::classify(&customers_of(&path, None), &profit_params()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NoCost);
    let table_path = dir.path().join("成本表.csv");
    let mut table = String::from("SKU,成本价\n");
    for (sku, _, _, cost) in PRODUCTS {
        writeln!(table, "{sku},{}", yuan(*cost)).unwrap();
    }
    std::fs::write(&table_path, table).unwrap();
    let costs = CostTable::read(&table_path).unwrap();
    assert_matches_truth(&customers_of(&path, Some(&costs)), &rows);
}

#[test]
fn the_workbook_shows_profit_and_the_eighth_method_leaves_the_others_alone() {
    let dir = tempfile::tempdir().unwrap();
    let rows = shop();
    let path = dir.path().join("明细.csv");
    write_export(&path, &rows, true);
    let out: PathBuf = dir.path().join("分层.xlsx");
    let outputs = Outputs { workbook: out.clone(), csv_dir: None, options: ExportOptions::default() };
    let import = ImportOptions::default();
    let files = [path.clone()];
    let params = profit_params();
    let job = Job {
        files: &files,
        import: &import,
        imported_at: chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap().and_hms_opt(9, 0, 0).unwrap(),
        params: &params,
        save_snapshot: false,
        outputs: &outputs,
        costs: None,
    };
    job::run(&job, None, &NoProgress).unwrap();
    let profit = truth_profit(&rows);
    let mut book = open_workbook_auto(&out).unwrap();
    let mut seen = 0;
    for sheet in ["A类客户", "B类客户", "C类客户"] {
        let range = book.worksheet_range(sheet).unwrap();
        let mut it = range.rows();
        let header: Vec<String> = it.next().unwrap().iter().map(|c| c.to_string()).collect();
        let (key, col) = (0, header.iter().position(|h| h == "毛利").expect("a 毛利 column"));
        for row in it {
            let Data::Float(p) = row[col] else { panic!("profit is a number: {:?}", row[col]) };
            assert_eq!((p * 100.0).round() as i64, profit[&row[key].to_string()]);
            seen += 1;
        }
    }
    assert_eq!(seen, profit.len());
    assert!(book.sheet_names().iter().any(|s| s == "商品"));
    // Revenue ABC on the same customers is what it was before the profit method existed.
    let customers = customers_of(&path, None);
    let revenue = classify::classify(&customers, &ClassifyParams::default()).unwrap();
    let mut stripped = customers.clone();
    stripped.iter_mut().for_each(|c| c.profit = None);
    assert_eq!(revenue.assignments, classify::classify(&stripped, &ClassifyParams::default()).unwrap().assignments);
}

/// `Workspace::profits` (one pass over the stored item rows, for the app's start) gives every
/// customer the truth's profit, from the export's own cost column and from a cost table saved in
/// the workspace; with a table that misses a product it gives what `Workspace::products` gives
/// (unknown for the customers who bought it, known for the others).
#[test]
fn the_workspaces_profit_pass_gives_the_truth_and_what_reading_every_order_gives() {
    use tierbook_core::store::Workspace;
    let dir = tempfile::tempdir().unwrap();
    let rows = shop();
    let at = chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
    let truth: BTreeMap<String, Option<i64>> = truth_profit(&rows).into_iter().map(|(k, p)| (k, Some(p))).collect();
    let sorted = |m: rustc_hash::FxHashMap<String, Option<i64>>| m.into_iter().collect::<BTreeMap<_, _>>();

    let with_cost = dir.path().join("明细_成本.csv");
    write_export(&with_cost, &rows, true);
    let mut ws = Workspace::open(&dir.path().join("a.tierbook")).unwrap();
    ws.import(&[with_cost], &ImportOptions::default(), at, &NoProgress).unwrap();
    assert_eq!(sorted(ws.profits().unwrap()), truth, "from the export's cost column");

    let without = dir.path().join("明细.csv");
    write_export(&without, &rows, false);
    let mut ws = Workspace::open(&dir.path().join("b.tierbook")).unwrap();
    ws.import(&[without], &ImportOptions::default(), at, &NoProgress).unwrap();
    // No cost known anywhere: every customer's profit is unknown, which the pass says with nothing.
    assert!(ws.profits().unwrap().is_empty(), "no cost known yet");
    assert!(ws.products().unwrap().profits.values().all(Option::is_none));
    let table_path = dir.path().join("成本表.csv");
    let mut table = String::from("SKU,成本价\n");
    for (sku, _, _, cost) in PRODUCTS {
        writeln!(table, "{sku},{}", yuan(*cost)).unwrap();
    }

    // First a table without the teapot's cost: its buyers' profit is unknown, as reading every
    // order says; then the whole table (saving adds to what is there) gives the truth.
    let partial: String = table.lines().filter(|l| !l.starts_with("T-05")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&table_path, partial).unwrap();
    ws.save_cost_table(&CostTable::read(&table_path).unwrap(), at).unwrap();
    let fast = sorted(ws.profits().unwrap());
    assert_eq!(fast, sorted(ws.products().unwrap().profits));
    let teapot_buyers: std::collections::BTreeSet<&str> =
        rows.iter().filter(|r| r.product == 4 && r.status != "已关闭").map(|r| r.key.as_str()).collect();
    assert!(!teapot_buyers.is_empty() && teapot_buyers.len() < truth.len());
    for (key, profit) in &fast {
        assert_eq!(profit.is_none(), teapot_buyers.contains(key.as_str()), "{key}: {profit:?}");
    }
    std::fs::write(&table_path, &table).unwrap();
    ws.save_cost_table(&CostTable::read(&table_path).unwrap(), at).unwrap();
    assert_eq!(sorted(ws.profits().unwrap()), truth, "from the saved cost table");
}

//! The generator's files must say what its truth says: each test re-reads a generated file
//! (csv crate / calamine, not the generator's own code) and recomputes what it checks.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook_auto, Data, DataType, Reader};

use super::*;

fn opts(layout: Layout, format: FileFormat, orders: u64) -> GenerateOptions {
    GenerateOptions { layout, format, orders, seed: 7, ..GenerateOptions::default() }
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap().to_vec()).unwrap();
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

fn cents(s: &str) -> i64 {
    (s.parse::<f64>().unwrap() * 100.0).round() as i64
}

/// (orders, revenue, first, last) per key, from rows by the documented rules.
type PerKey = BTreeMap<String, (u32, i64, String, String)>;

fn to_per_key(truth: &Truth) -> PerKey {
    truth
        .customers
        .iter()
        .map(|c| (c.key.clone(), (c.orders, c.revenue, c.first_order.to_string(), c.last_order.to_string())))
        .collect()
}

#[test]
fn wechat_csv_rows_agree_with_the_truth_under_the_documented_rules() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wechat.csv");
    let truth = generate(&path, &opts(Layout::Wechat, FileFormat::Csv, 3000)).unwrap();
    let rows = read_csv(&path);
    let head = &rows[0];
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let (key, status, paid, refund, date) =
        (col("买家ID"), col("订单状态"), col("实付金额"), col("退款金额"), col("下单时间"));
    assert_eq!(head.len(), 18);
    let mut per: PerKey = BTreeMap::new();
    for row in &rows[1..] {
        let (p, r) = (cents(&row[paid]), cents(&row[refund]));
        if ["已关闭", "已退款", "待付款"].contains(&row[status].as_str()) || r >= p {
            continue;
        }
        let day = row[date][..10].to_string();
        let e = per.entry(row[key].clone()).or_insert((0, 0, day.clone(), day.clone()));
        e.0 += 1;
        e.1 += p - r;
        e.2 = e.2.clone().min(day.clone());
        e.3 = e.3.clone().max(day);
    }
    assert_eq!(rows.len() as u64 - 1, truth.rows);
    assert_eq!(per, to_per_key(&truth));
}

#[test]
fn same_seed_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let o = opts(Layout::Taobao, FileFormat::Csv, 500);
    generate(&a, &o).unwrap();
    generate(&b, &o).unwrap();
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    let other = truth(&GenerateOptions { seed: 8, ..o.clone() }).unwrap();
    assert_ne!(other, truth(&o).unwrap());
}

#[test]
fn xlsx_keeps_19_digit_order_ids_and_formula_bait_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wechat.xlsx");
    let truth = generate(&path, &opts(Layout::Wechat, FileFormat::Xlsx, 400)).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["订单列表".to_string()]);
    let range = wb.worksheet_range("订单列表").unwrap();
    assert_eq!(range.height() as u64, truth.rows + 1);
    let ids: Vec<&Data> = range.rows().skip(1).map(|r| &r[0]).collect();
    assert!(ids.iter().all(|d| matches!(d, Data::String(s) if s.len() == 19)));
    let nicks: Vec<String> = range.rows().skip(1).map(|r| r[4].to_string()).collect();
    for bait in ["=1+1", "@echo off", "-_-", "+86 138 0013 8000"] {
        assert!(nicks.iter().any(|n| n == bait), "missing {bait}");
    }
    assert!(range.rows().skip(1).all(|r| matches!(r[14], Data::Float(_))));
}

#[test]
fn taobao_repeats_the_order_amount_on_every_item_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("taobao.csv");
    let truth = generate(&path, &opts(Layout::Taobao, FileFormat::Csv, 2000)).unwrap();
    let rows = read_csv(&path);
    let mut per_order: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for row in &rows[1..] {
        per_order.entry(row[0].as_str()).or_default().push(row[3].as_str());
    }
    assert_eq!(per_order.len() as u64, truth.orders);
    assert!(truth.rows > truth.orders, "some orders must have several items");
    assert!(per_order.values().all(|amounts| amounts.iter().all(|a| *a == amounts[0])));
    // Sub-order ids never collide with order ids.
    let subs: std::collections::BTreeSet<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(subs.len() as u64, truth.rows);
    assert!(subs.iter().all(|s| !per_order.contains_key(s)));
}

#[test]
fn two_overlapping_windows_hold_identical_rows_and_their_union_is_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let base = opts(Layout::Wechat, FileFormat::Csv, 2000);
    let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
    let first = GenerateOptions { rows_to: Some(d(7, 31)), ..base.clone() };
    let second = GenerateOptions { rows_from: Some(d(6, 1)), ..base.clone() };
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let ta = generate(&a, &first).unwrap();
    let tb = generate(&b, &second).unwrap();
    let whole = truth(&base).unwrap();
    let (ra, rb) = (read_csv(&a), read_csv(&b));
    let mut ids: std::collections::BTreeSet<String> = ra[1..].iter().map(|r| r[0].clone()).collect();
    let june: Vec<&Vec<String>> = rb[1..].iter().filter(|r| r[1].as_str() < "2025-08").collect();
    assert!(!june.is_empty());
    assert!(june.iter().all(|r| ra.contains(r)), "overlap rows must be byte-identical");
    ids.extend(rb[1..].iter().map(|r| r[0].clone()));
    assert_eq!(ids.len() as u64, whole.orders);
    assert!(ta.orders + tb.orders > whole.orders);
}

#[test]
fn spend_is_heavy_tailed() {
    let t = truth(&opts(Layout::Wechat, FileFormat::Csv, 20_000)).unwrap();
    let mut revenue: Vec<i64> = t.customers.iter().map(|c| c.revenue).collect();
    revenue.sort_unstable_by(|a, b| b.cmp(a));
    let top: i64 = revenue[..revenue.len() / 5].iter().sum();
    let share = top as f64 / t.total_revenue() as f64;
    assert!(share > 0.6, "top 20% share {share}");
    let once = t.customers.iter().filter(|c| c.orders == 1).count() as f64 / t.customers.len() as f64;
    assert!(once > 0.2 && once < 0.8, "one-time buyers {once}");
}

#[test]
fn gbk_csv_decodes_as_gbk_and_keeps_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gbk.csv");
    let truth = generate(&path, &opts(Layout::Wechat, FileFormat::CsvGbk, 300)).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "must not be UTF-8");
    let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
    assert!(!bad);
    assert!(text.starts_with("订单号,下单时间"));
    assert!(truth.customers.iter().take(20).all(|c| text.contains(&c.key)));
}

#[test]
fn title_and_totals_rows_surround_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pdd.xlsx");
    let o = GenerateOptions { title_rows: true, totals_row: true, ..opts(Layout::Pdd, FileFormat::Xlsx, 200) };
    let truth = generate(&path, &o).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let range = wb.worksheet_range("Sheet1").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert!(rows[0][0].to_string().starts_with("拼多多"));
    assert_eq!(rows[2][0].to_string(), "订单号");
    let last = rows.last().unwrap();
    assert_eq!(last[0].to_string(), "合计");
    let paid_col = rows[2].iter().position(|c| *c == "用户实付金额(元)").unwrap();
    let sum: f64 = rows[3..rows.len() - 1].iter().map(|r| r[paid_col].get_float().unwrap()).sum();
    assert!((last[paid_col].get_float().unwrap() - sum).abs() < 0.005);
    assert_eq!(rows.len() as u64, truth.rows + 4);
}

#[test]
fn pdd_refunds_are_marked_in_after_sales_and_merchant_amount_differs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pdd.csv");
    generate(&path, &opts(Layout::Pdd, FileFormat::Csv, 3000)).unwrap();
    let rows = read_csv(&path);
    assert!(rows[1..].iter().any(|r| r[10] == "退款成功"));
    assert!(rows[1..].iter().any(|r| r[7] != r[8]), "用户实付 and 商家实收 must differ sometimes");
}

#[test]
fn customer_sheet_truth_is_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.xlsx");
    let truth = generate(&path, &opts(Layout::Customers, FileFormat::Xlsx, 300)).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let range = wb.worksheet_range("客户列表").unwrap();
    let mut seen = BTreeMap::new();
    for r in range.rows().skip(1) {
        let cents = (r[3].get_float().unwrap() * 100.0).round() as i64;
        let first = r[6].as_date().unwrap();
        seen.insert(
            r[1].to_string(),
            (r[4].get_float().unwrap() as u32, cents, first.to_string(), r[7].as_date().unwrap().to_string()),
        );
    }
    assert_eq!(seen, to_per_key(&truth));
}

#[test]
fn youzan_writes_real_excel_dates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("youzan.xlsx");
    generate(&path, &opts(Layout::Youzan, FileFormat::Xlsx, 100)).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let range = wb.worksheet_range("订单").unwrap();
    let row = range.rows().nth(1).unwrap();
    assert!(matches!(row[2], Data::DateTime(_)), "{:?}", row[2]);
    assert!(row[2].as_datetime().unwrap().date().year() == 2025);
}

#[test]
fn sample_workbook_is_a_pleasant_year_of_a_small_shop() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.xlsx");
    let truth = sample_workbook(&path).unwrap();
    assert_eq!(truth.orders, 2000);
    assert!((400..=500).contains(&truth.customers.len()), "{}", truth.customers.len());
    assert_eq!(months_covered(&truth), 12);
    assert!(truth.customers.iter().all(|c| !c.name.starts_with(['=', '+', '-', '@'])));
}

#[test]
fn truth_csv_has_the_checker_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("truth.csv");
    let t = truth(&opts(Layout::Wechat, FileFormat::Csv, 200)).unwrap();
    t.write_csv(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("customer_key,nickname,order_count,net_paid,first_order_date,last_order_date\n"));
    assert_eq!(text.lines().count(), t.customers.len() + 1);
}

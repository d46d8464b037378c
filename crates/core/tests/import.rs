//! Import end to end on real files: each test writes an xlsx (rust_xlsxwriter) or a CSV (UTF-8 or
//! GBK via encoding_rs) shaped like one platform's export, imports it, and checks the orders.
//!
//! Index (one quirk per test):
//! - layout: title rows, totals rows, best sheet + continuation sheets, headers with spaces/markers
//! - encodings: GBK CSV, UTF-8 BOM CSV with `¥1,234.00` amounts and placeholders
//! - platforms: 淘宝 item rows (repeated order amount), 有赞/拼多多 per-item amounts and 售后状态,
//!   customer-level sheets, wholesaler sheets without order ids
//! - ids and identity: 19-digit ids, masked phone keys and the combined key
//! - money rules: partial and full refunds, closed and unpaid orders
//! - several files: overlapping exports counted once
//! - errors: header without rows, no amount/key column, all amounts `#VALUE!`, cancellation
//! - truth: the independent Python generator's per-customer truth (ignored unless the tool exists)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use tierbook_core::import::{import_files, preview, ImportOptions};
use tierbook_core::mapping::{KeySpec, Level, Role};
use tierbook_core::report::SkipReason;
use tierbook_core::{Error, NoProgress, Order, Progress, Stage};

/// A cell to write.
#[derive(Clone)]
enum V {
    S(&'static str),
    N(f64),
    D(&'static str),
    E,
}

use V::{D, E, N, S};

fn write_xlsx(path: &Path, sheets: &[(&str, Vec<Vec<V>>)]) {
    let mut wb = Workbook::new();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    V::S(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    V::N(x) => {
                        ws.write_number(r, c, *x).unwrap();
                    }
                    V::D(s) => {
                        let d = ExcelDateTime::parse_from_str(s).unwrap();
                        ws.write_datetime_with_format(r, c, &d, &date_fmt).unwrap();
                    }
                    V::E => {}
                }
            }
        }
    }
    wb.save(path).unwrap();
}

fn write_csv(path: &Path, rows: &[Vec<&str>], gbk: bool) {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for row in rows {
        w.write_record(row).unwrap();
    }
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let bytes = if gbk {
        let (b, _, unmappable) = encoding_rs::GBK.encode(&text);
        assert!(!unmappable);
        b.into_owned()
    } else {
        let mut b = "\u{FEFF}".as_bytes().to_vec();
        b.extend_from_slice(text.as_bytes());
        b
    };
    std::fs::write(path, bytes).unwrap();
}

fn import_one(path: &Path) -> tierbook_core::import::Dataset {
    import_files(&[path.to_owned()], &ImportOptions::default(), &NoProgress).unwrap()
}

/// Per customer: (orders, net cents, first date, last date).
fn per_customer(orders: &[Order]) -> BTreeMap<String, (u32, i64, NaiveDate, NaiveDate)> {
    let mut m: BTreeMap<String, (u32, i64, NaiveDate, NaiveDate)> = BTreeMap::new();
    for o in orders {
        let d = o.placed_at.date();
        let e = m.entry(o.customer_key.to_string()).or_insert((0, 0, d, d));
        e.0 += o.order_count;
        e.1 += o.net();
        e.2 = e.2.min(d);
        e.3 = e.3.max(d);
    }
    m
}

fn skipped(ds: &tierbook_core::import::Dataset, reason: SkipReason) -> u64 {
    ds.reports.iter().flat_map(|r| &r.skipped).filter(|s| s.reason == reason).map(|s| s.count).sum()
}

fn has_warning(ds: &tierbook_core::import::Dataset, code: &str) -> bool {
    ds.reports.iter().flat_map(|r| &r.warnings).any(|w| w.code == code)
}

fn wechat_header() -> Vec<V> {
    [
        "订单号",
        "下单时间",
        "支付时间",
        "订单状态",
        "买家昵称",
        "买家ID",
        "收货人",
        "联系电话",
        "订单金额",
        "运费",
        "实付金额",
        "退款金额",
    ]
    .into_iter()
    .map(S)
    .collect()
}

#[allow(clippy::too_many_arguments)]
fn wechat_row(
    id: &'static str,
    at: &'static str,
    paid_at: &'static str,
    status: &'static str,
    buyer: &'static str,
    amount: f64,
    refund: f64,
) -> Vec<V> {
    vec![
        S(id),
        S(at),
        if paid_at.is_empty() { E } else { S(paid_at) },
        S(status),
        S("小明"),
        S(buyer),
        S("张三"),
        S("138****0001"),
        N(amount),
        N(0.0),
        N(amount),
        N(refund),
    ]
}

#[test]
fn title_rows_before_header_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    let mut rows = vec![
        vec![S("订单导出 2025-01-01 至 2025-03-31")],
        vec![],
        vec![S("店铺：小店"), S("导出人：老板")],
        wechat_header(),
    ];
    rows.push(wechat_row(
        "3718230000012671722",
        "2025-03-05 14:22:10",
        "2025-03-05 14:25:00",
        "已完成",
        "oA",
        148.0,
        0.0,
    ));
    rows.push(wechat_row(
        "3718230000012671723",
        "2025-03-06 09:00:00",
        "2025-03-06 09:01:00",
        "已完成",
        "oB",
        9.9,
        0.0,
    ));
    write_xlsx(&path, &[("订单列表", rows)]);
    let ds = import_one(&path);
    assert_eq!(ds.orders.len(), 2);
    assert_eq!(ds.reports[0].mapping.header_row, 3);
    assert_eq!(ds.reports[0].rows_read, 2);
    assert_eq!(ds.orders[0].row, 5, "row numbers are 1-based sheet rows");
    assert_eq!(ds.orders[0].paid, 14800);
    let p = preview(&path, &ImportOptions::default()).unwrap();
    assert_eq!(p.mapping.header_row, 3);
    assert_eq!(p.rows[0][0], "订单导出 2025-01-01 至 2025-03-31");
    assert_eq!(p.rows[3][0], "订单号");
}

#[test]
fn totals_row_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    let mut rows = vec![wechat_header()];
    rows.push(wechat_row(
        "1000000000000000001",
        "2025-03-05 14:22:10",
        "2025-03-05 14:25:00",
        "已完成",
        "oA",
        100.0,
        0.0,
    ));
    rows.push(wechat_row(
        "1000000000000000002",
        "2025-03-05 15:22:10",
        "2025-03-05 15:25:00",
        "已完成",
        "oB",
        50.0,
        0.0,
    ));
    rows.push(vec![S("合计"), E, E, E, E, E, E, E, N(150.0), E, N(150.0), N(0.0)]);
    write_xlsx(&path, &[("Sheet1", rows)]);
    let ds = import_one(&path);
    assert_eq!(ds.orders.len(), 2);
    assert_eq!(ds.orders.iter().map(Order::net).sum::<i64>(), 15000);
    assert_eq!(skipped(&ds, SkipReason::TotalsRow), 1);
    let totals = ds.reports[0].skipped.iter().find(|s| s.reason == SkipReason::TotalsRow).unwrap();
    assert_eq!(totals.example_rows, vec![4]);
}

#[test]
fn gbk_csv_with_chinese_headers_imports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    write_csv(
        &path,
        &[
            vec!["订单编号", "买家会员名", "订单创建时间", "订单付款时间", "买家实际支付金额", "总金额", "订单状态"],
            vec!["2890001", "tb_张三", "2025/3/5 9:05", "2025/3/5 9:06", "99.50", "120.00", "交易成功"],
            vec!["2890002", "tb_李四", "2025/3/6 10:00", "", "10.00", "10.00", "等待买家付款"],
            vec!["2890003", "tb_张三", "2025/3/7 11:00", "2025/3/7 11:01", "0.50", "0.50", "卖家已发货"],
        ],
        true,
    );
    let ds = import_one(&path);
    let m = &ds.reports[0].mapping;
    assert_eq!(m.key, KeySpec::Column("买家会员名".into()));
    assert_eq!(m.column(Role::Amount).unwrap().header, "买家实际支付金额");
    let c = per_customer(&ds.orders);
    assert_eq!(c.len(), 1, "the unpaid order of tb_李四 is excluded");
    assert_eq!(c["tb_张三"].0, 2);
    assert_eq!(c["tb_张三"].1, 10000);
    assert!(has_warning(&ds, "column_choice"), "the choice of 买家实际支付金额 over 总金额 is reported");
}

#[test]
fn taobao_item_rows_collapse_without_double_counting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("taobao.xlsx");
    let h: Vec<V> =
        ["主订单编号", "子订单编号", "买家会员名", "订单创建时间", "宝贝标题", "宝贝数量", "买家实付金额", "订单状态"]
            .into_iter()
            .map(S)
            .collect();
    let rows = vec![
        h,
        // Order 1: three items, the order amount 300 repeated on each item row.
        vec![
            S("4000000000000000001"),
            S("4000000000000000101"),
            S("buyer1"),
            S("2025-03-01 10:00:00"),
            S("T恤"),
            N(1.0),
            N(300.0),
            S("交易成功"),
        ],
        vec![
            S("4000000000000000001"),
            S("4000000000000000102"),
            S("buyer1"),
            S("2025-03-01 10:00:00"),
            S("裤子"),
            N(2.0),
            N(300.0),
            S("交易成功"),
        ],
        vec![
            S("4000000000000000001"),
            S("4000000000000000103"),
            S("buyer1"),
            S("2025-03-01 10:00:00"),
            S("袜子"),
            N(1.0),
            N(300.0),
            S("交易成功"),
        ],
        // Order 2: two items.
        vec![
            S("4000000000000000002"),
            S("4000000000000000201"),
            S("buyer2"),
            S("2025-03-02 10:00:00"),
            S("帽子"),
            N(1.0),
            N(80.0),
            S("交易成功"),
        ],
        vec![
            S("4000000000000000002"),
            S("4000000000000000202"),
            S("buyer2"),
            S("2025-03-02 10:00:00"),
            S("围巾"),
            N(1.0),
            N(80.0),
            S("交易成功"),
        ],
        // Order 3: one item.
        vec![
            S("4000000000000000003"),
            S("4000000000000000301"),
            S("buyer1"),
            S("2025-03-03 10:00:00"),
            S("鞋"),
            N(1.0),
            N(50.0),
            S("交易成功"),
        ],
    ];
    write_xlsx(&path, &[("宝贝报表", rows)]);
    let ds = import_one(&path);
    assert_eq!(ds.orders.len(), 3);
    let c = per_customer(&ds.orders);
    assert_eq!(c["buyer1"], (2, 35000, d(2025, 3, 1), d(2025, 3, 3)));
    assert_eq!(c["buyer2"].1, 8000);
    assert_eq!(ds.orders[0].quantity, Some(4.0));
    assert_eq!(ds.orders[0].order_id.as_deref(), Some("4000000000000000001"));
    let w = ds.reports[0].warnings.iter().find(|w| w.code == "item_rows_collapsed").unwrap();
    assert!(w.text.zh.contains("只计一次"), "{}", w.text.zh);
}

#[test]
fn per_item_amounts_are_summed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("youzan.csv");
    write_csv(
        &path,
        &[
            vec![
                "订单号",
                "买家手机号",
                "买家昵称",
                "订单创建时间",
                "商品名称",
                "商品实付金额",
                "订单状态",
                "售后状态",
            ],
            vec!["E2025001", "13800000001", "阿花", "2025-03-01 10:00:00", "A", "¥120.00", "交易成功", ""],
            vec!["E2025001", "13800000001", "阿花", "2025-03-01 10:00:00", "B", "¥30.50", "交易成功", "退款成功"],
            vec!["E2025002", "13800000002", "阿草", "2025-03-02 10:00:00", "C", "¥1,000.00", "交易成功", ""],
            vec!["E2025002", "13800000002", "阿草", "2025-03-02 10:00:00", "D", "¥20.00", "交易成功", ""],
        ],
        false,
    );
    let ds = import_one(&path);
    let c = per_customer(&ds.orders);
    assert_eq!(c["13800000001"].1, 12000, "the refunded item's amount is taken off");
    assert_eq!(c["13800000002"].1, 102000);
    let w = ds.reports[0].warnings.iter().find(|w| w.code == "item_rows_collapsed").unwrap();
    assert!(w.text.zh.contains("已相加"), "{}", w.text.zh);
}

#[test]
fn nineteen_digit_order_id_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    let rows = vec![
        wechat_header(),
        wechat_row("3718230000012671722", "2025-03-05 14:22:10", "2025-03-05 14:25:00", "已完成", "oA", 1.0, 0.0),
        wechat_row("3718230000012671723", "2025-03-05 14:22:11", "2025-03-05 14:25:00", "已完成", "oA", 2.0, 0.0),
    ];
    write_xlsx(&path, &[("订单列表", rows)]);
    let ds = import_one(&path);
    // As floats both ids are 3718230000012671700: they would collapse into one order.
    assert_eq!(ds.orders.len(), 2);
    assert_eq!(ds.orders[0].order_id.as_deref(), Some("3718230000012671722"));
    assert_eq!(ds.orders[1].order_id.as_deref(), Some("3718230000012671723"));
    assert!(!has_warning(&ds, "id_digits_may_be_lost"));

    // The same ids stored as numbers: digits are already lost in the file; say so.
    let path = dir.path().join("numeric.xlsx");
    let mut row = wechat_row("x", "2025-03-05 14:22:10", "2025-03-05 14:25:00", "已完成", "oA", 1.0, 0.0);
    row[0] = N(3718230000012671722.0);
    write_xlsx(&path, &[("订单列表", vec![wechat_header(), row])]);
    let ds = import_one(&path);
    assert!(has_warning(&ds, "id_digits_may_be_lost"));
}

#[test]
fn partial_refund_reduces_revenue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    let rows = vec![
        wechat_header(),
        wechat_row("1000000000000000001", "2025-03-05 14:22:10", "2025-03-05 14:25:00", "已完成", "oA", 200.0, 50.25),
        wechat_row("1000000000000000002", "2025-03-06 14:22:10", "2025-03-06 14:25:00", "售后中", "oA", 100.0, 30.0),
        wechat_row("1000000000000000003", "2025-03-07 14:22:10", "2025-03-07 14:25:00", "已完成", "oA", 80.0, 80.0),
    ];
    write_xlsx(&path, &[("订单列表", rows)]);
    let ds = import_one(&path);
    let c = per_customer(&ds.orders);
    assert_eq!(c["oA"].0, 2, "a refund equal to the amount is a full refund");
    assert_eq!(c["oA"].1, 20000 - 5025 + 10000 - 3000);
    assert_eq!(skipped(&ds, SkipReason::Refunded), 1);
}

#[test]
fn closed_and_unpaid_orders_excluded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    let rows = vec![
        wechat_header(),
        wechat_row("1000000000000000001", "2025-03-05 14:22:10", "2025-03-05 14:25:00", "已完成", "oA", 200.0, 0.0),
        // Closed: non-zero 实付金额 but never paid.
        wechat_row("1000000000000000002", "2025-03-06 14:22:10", "", "已关闭", "oA", 100.0, 0.0),
        wechat_row("1000000000000000003", "2025-03-06 15:22:10", "", "交易关闭", "oB", 100.0, 0.0),
        wechat_row("1000000000000000004", "2025-03-06 16:22:10", "", "待付款", "oB", 100.0, 0.0),
        wechat_row("1000000000000000005", "2025-03-06 17:22:10", "2025-03-06 17:23:00", "已退款", "oB", 100.0, 100.0),
        // No status and no payment time: unpaid.
        wechat_row("1000000000000000006", "2025-03-06 18:22:10", "", "", "oB", 100.0, 0.0),
    ];
    write_xlsx(&path, &[("订单列表", rows)]);
    let ds = import_one(&path);
    assert_eq!(ds.orders.len(), 1);
    assert_eq!(ds.orders[0].customer_key, "oA");
    assert_eq!(skipped(&ds, SkipReason::Closed), 4);
    assert_eq!(skipped(&ds, SkipReason::Refunded), 1);
    let closed = ds.reports[0].skipped.iter().find(|s| s.reason == SkipReason::Closed).unwrap();
    assert_eq!(closed.example_rows, vec![3, 4, 5, 7]);
}

#[test]
fn overlapping_exports_count_each_order_once() {
    let dir = tempfile::tempdir().unwrap();
    let jan = dir.path().join("jan-mar.xlsx");
    let mar = dir.path().join("mar-may.csv");
    write_xlsx(
        &jan,
        &[(
            "订单列表",
            vec![
                wechat_header(),
                wechat_row(
                    "1000000000000000001",
                    "2025-01-05 14:22:10",
                    "2025-01-05 14:25:00",
                    "已完成",
                    "oA",
                    10.0,
                    0.0,
                ),
                wechat_row(
                    "1000000000000000002",
                    "2025-03-06 14:22:10",
                    "2025-03-06 14:25:00",
                    "已完成",
                    "oA",
                    20.0,
                    0.0,
                ),
            ],
        )],
    );
    let h = [
        "订单号",
        "下单时间",
        "支付时间",
        "订单状态",
        "买家昵称",
        "买家ID",
        "收货人",
        "联系电话",
        "订单金额",
        "运费",
        "实付金额",
        "退款金额",
    ];
    write_csv(
        &mar,
        &[
            h.to_vec(),
            vec![
                "1000000000000000002",
                "2025-03-06 14:22:10",
                "2025-03-06 14:25:00",
                "已完成",
                "小明",
                "oA",
                "张三",
                "138****0001",
                "20.00",
                "0.00",
                "20.00",
                "0.00",
            ],
            vec![
                "1000000000000000003",
                "2025-05-06 14:22:10",
                "2025-05-06 14:25:00",
                "已完成",
                "小明",
                "oA",
                "张三",
                "138****0001",
                "40.00",
                "0.00",
                "40.00",
                "0.00",
            ],
        ],
        false,
    );
    let ds = import_files(&[jan, mar], &ImportOptions::default(), &NoProgress).unwrap();
    let c = per_customer(&ds.orders);
    assert_eq!(c["oA"], (3, 7000, d(2025, 1, 5), d(2025, 5, 6)));
    assert_eq!(ds.reports[1].orders_kept, 1);
    assert_eq!(ds.reports[1].skipped.iter().find(|s| s.reason == SkipReason::Duplicate).unwrap().example_rows, vec![2]);
    assert!(ds.reports[1].warnings.iter().any(|w| w.code == "duplicate_orders"));
}

#[test]
fn masked_phone_key_warns_and_offers_combined_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pdd.csv");
    write_csv(
        &path,
        &[
            vec![
                "订单号",
                "订单状态",
                "用户实付金额(元)",
                "商家实收金额(元)",
                "收货人",
                "手机",
                "订单成交时间",
                "售后状态",
            ],
            vec![
                "250305-001",
                "已发货，待签收",
                "10.00",
                "9.50",
                "张三",
                "138****1234",
                "2025-03-05 10:00:00",
                "无售后或售后取消",
            ],
            vec![
                "250305-002",
                "已签收",
                "20.00",
                "19.00",
                "李四",
                "138****1234",
                "2025-03-05 11:00:00",
                "无售后或售后取消",
            ],
            vec!["250305-003", "已签收", "30.00", "28.50", "张三", "138****1234", "2025-03-06 11:00:00", ""],
            vec!["250305-004", "已签收", "40.00", "38.00", "王五", "139****9999", "2025-03-06 12:00:00", "退款成功"],
        ],
        false,
    );
    let ds = import_one(&path);
    let w = ds.reports[0].warnings.iter().find(|w| w.code == "masked_phone_key").expect("warning");
    let suggestion = w.suggestion.clone().unwrap();
    assert_eq!(suggestion, KeySpec::Combined(vec!["手机".into(), "收货人".into()]));
    assert_eq!(per_customer(&ds.orders).len(), 1, "the masked phone merges 张三 and 李四");
    assert_eq!(skipped(&ds, SkipReason::Refunded), 1, "售后状态 退款成功 is a full refund");

    let p = preview(&path, &ImportOptions::default()).unwrap();
    assert!(p.warnings.iter().any(|w| w.code == "masked_phone_key"));

    let options = ImportOptions { key: Some(suggestion), ..Default::default() };
    let ds = import_files(&[path], &options, &NoProgress).unwrap();
    let c = per_customer(&ds.orders);
    assert_eq!(c.len(), 2);
    assert_eq!(c["138****1234/张三"].1, 4000);
    assert_eq!(c["138****1234/李四"].1, 2000);
    assert!(!has_warning(&ds, "masked_phone_key"));
}

#[test]
fn customer_level_sheet_imports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.xlsx");
    let rows = vec![
        vec![
            S("客户名称"),
            S("联系电话"),
            S("累计消费金额"),
            S("消费次数"),
            S("最近消费时间"),
            S("首次消费时间"),
            S("互动次数"),
        ],
        vec![
            S("张记五金"),
            S("13800000001"),
            S("¥12,800.00"),
            N(15.0),
            D("2025-06-01 00:00:00"),
            S("2024-01-03"),
            N(4.0),
        ],
        vec![S("李氏建材"), S("13800000002"), N(980.5), N(2.0), S("2025年5月3日"), E, E],
        vec![S("总计"), E, N(13780.5), N(17.0), E, E, E],
    ];
    write_xlsx(&path, &[("客户列表", rows)]);
    let ds = import_one(&path);
    assert_eq!(ds.reports[0].mapping.level, Level::Customers);
    assert_eq!(ds.orders.len(), 2);
    let a = &ds.orders[0];
    assert_eq!((a.customer_key.as_str(), a.paid, a.order_count), ("张记五金", 1_280_000, 15));
    assert_eq!(a.placed_at.date(), d(2025, 6, 1));
    assert_eq!(a.first_date, Some(d(2024, 1, 3)));
    assert_eq!(a.interactions, Some(4.0));
    assert_eq!(ds.orders[1].paid, 98050);
    assert_eq!(ds.orders[1].placed_at.date(), d(2025, 5, 3));
    assert!(has_warning(&ds, "customer_level"));
}

#[test]
fn wholesaler_sheet_without_order_ids_dedupes_only_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    let h = vec!["日期", "客户", "商品", "金额"];
    // Two identical deliveries on one day are two orders; the second file repeats one of them.
    write_csv(
        &a,
        &[
            h.clone(),
            vec!["2025.03.05", "张记", "水泥", "500"],
            vec!["2025.03.05", "张记", "水泥", "500"],
            vec!["2025.03.09", "张记", "退货", "-100"],
        ],
        false,
    );
    write_csv(
        &b,
        &[
            h,
            vec!["2025.03.05", "张记", "水泥", "500"],
            vec!["2025.03.05", "张记", "水泥", "500"],
            vec!["2025.03.10", "张记", "沙子", "300"],
        ],
        false,
    );
    let ds = import_files(&[a, b], &ImportOptions::default(), &NoProgress).unwrap();
    let c = per_customer(&ds.orders);
    assert_eq!(c["张记"].0, 3, "the return line is not an order");
    assert_eq!(c["张记"].1, 50_000 + 50_000 - 10_000 + 30_000);
    assert_eq!(skipped(&ds, SkipReason::Duplicate), 2);
}

#[test]
fn best_sheet_is_chosen_and_continuation_sheets_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    let notes = vec![vec![S("说明")], vec![S("本文件由系统导出")]];
    let s1 = vec![
        wechat_header(),
        wechat_row("1000000000000000001", "2025-03-05 14:22:10", "2025-03-05 14:25:00", "已完成", "oA", 10.0, 0.0),
    ];
    let s2 = vec![
        wechat_header(),
        wechat_row("1000000000000000002", "2025-03-06 14:22:10", "2025-03-06 14:25:00", "已完成", "oB", 20.0, 0.0),
    ];
    let other = vec![vec![S("商品名称"), S("库存")], vec![S("T恤"), N(3.0)]];
    write_xlsx(&path, &[("说明", notes), ("订单列表", s1), ("订单列表2", s2), ("库存", other)]);
    let ds = import_one(&path);
    assert_eq!(ds.reports[0].mapping.sheet, "订单列表");
    assert_eq!(ds.orders.len(), 2);
    let options = ImportOptions { sheet: Some("订单列表2".into()), ..Default::default() };
    let ds = import_files(std::slice::from_ref(&path), &options, &NoProgress).unwrap();
    assert_eq!(ds.orders.len(), 1);
    let options = ImportOptions { sheet: Some("没有".into()), ..Default::default() };
    assert_eq!(import_files(&[path], &options, &NoProgress).unwrap_err().code(), "sheet_not_found");
}

#[test]
fn yuan_text_amounts_placeholders_and_messy_headers_import() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.csv");
    write_csv(
        &path,
        &[
            vec!["\u{3000}订单号 ", "*买家ID", "下单\n时间", "实付金额（元）", "退款金额", "订单状态 "],
            vec!["A1", "\u{FF4F}\u{FF41}", "2025年3月5日 14:22", "¥1,234.50", "-", "已完成"],
            vec!["A2", "oa ", "20250306", "(10.00)", "--", "已完成"],
            vec!["A3", "oa", "2025-03-07T08:00:00", "12.5元", "null", "已完成"],
            vec!["A4", "ob", "2025-03-08", "#VALUE!", "", "已完成"],
            vec!["A5", "-", "2025-03-08", "5", "", "已完成"],
        ],
        false,
    );
    let ds = import_one(&path);
    let c = per_customer(&ds.orders);
    assert_eq!(c["oa"].0, 2, "full-width ｏａ and 'oa ' are oa; (10.00) is a return, not an order");
    assert_eq!(c["oa"].1, 123450 - 1000 + 1250);
    assert_eq!(skipped(&ds, SkipReason::UnreadableAmount), 1);
    assert_eq!(skipped(&ds, SkipReason::NoCustomerKey), 1);
    assert_eq!(c.len(), 1, "ob's only amount is #VALUE!");
    assert!(has_warning(&ds, "amounts_unreadable"));
    assert!(has_warning(&ds, "negative_amounts"));
}

#[test]
fn excel_dates_and_serials_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dates.xlsx");
    let rows = vec![
        vec![S("订单号"), S("会员ID"), S("下单日期"), S("金额")],
        vec![S("X1"), S("m1"), D("2025-03-05 14:22:10"), N(10.0)],
        vec![S("X2"), S("m1"), N(45726.0), N(10.0)],
    ];
    write_xlsx(&path, &[("Sheet1", rows)]);
    let ds = import_one(&path);
    assert_eq!(per_customer(&ds.orders)["m1"], (2, 2000, d(2025, 3, 5), d(2025, 3, 10)));
    assert_eq!((ds.reports[0].first_date, ds.reports[0].last_date), (Some(d(2025, 3, 5)), Some(d(2025, 3, 10))));
}

#[test]
fn header_without_rows_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.xlsx");
    write_xlsx(&path, &[("订单列表", vec![vec![S("导出时间 2025-03-01")], wechat_header()])]);
    let err = import_files(std::slice::from_ref(&path), &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(err.code(), "no_data_rows", "{err}");
    assert!(err.to_string().contains("empty.xlsx") && err.to_string().contains("只有表头"), "{err}");
}

#[test]
fn all_amounts_value_error_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.csv");
    write_csv(
        &path,
        &[
            vec!["订单号", "买家ID", "下单时间", "实付金额"],
            vec!["1", "o1", "2025-03-05", "#VALUE!"],
            vec!["2", "o2", "2025-03-05", "#VALUE!"],
        ],
        false,
    );
    let err = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(err.code(), "amounts_unreadable", "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("broken.csv") && msg.contains("实付金额") && msg.contains("#VALUE!") && msg.contains("第 2 行"),
        "{msg}"
    );
}

#[test]
fn missing_amount_or_key_column_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no_amount.csv");
    write_csv(&path, &[vec!["订单号", "买家ID", "下单时间", "运费"], vec!["1", "o1", "2025-03-05", "5"]], false);
    let err = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(err.code(), "no_amount_column", "{err}");
    assert!(err.to_string().contains("运费"), "lists the columns: {err}");
    let path = dir.path().join("no_key.csv");
    write_csv(&path, &[vec!["订单号", "下单时间", "实付金额"], vec!["1", "2025-03-05", "5"]], false);
    let err = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(err.code(), "no_key_column", "{err}");
}

#[test]
fn only_closed_orders_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("closed.csv");
    write_csv(
        &path,
        &[vec!["订单号", "买家ID", "下单时间", "实付金额", "订单状态"], vec!["1", "o1", "2025-03-05", "5", "已取消"]],
        false,
    );
    let err = import_files(&[path], &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(err.code(), "no_valid_orders", "{err}");
    assert!(err.to_string().contains("已关闭/未付款 1 行"), "{err}");
}

struct CancelAfterFirstReport(std::sync::atomic::AtomicBool);

impl Progress for CancelAfterFirstReport {
    fn report(&self, _: Stage, _: u64, _: u64) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[test]
fn cancelled_import_stops_with_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut text = String::from("订单号,买家ID,下单时间,实付金额\n");
    for i in 0..20_000 {
        text.push_str(&format!("{i},o{},2025-03-05 10:00:00,1.00\n", i % 50));
    }
    std::fs::write(&path, text).unwrap();
    let progress = CancelAfterFirstReport(Default::default());
    let err = import_files(&[path], &ImportOptions::default(), &progress).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err}");
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Runs the independent generator and compares every customer with its truth, to the cent.
fn check_against_truth(format: &str, ext: &str, orders: u32) {
    let tool = Path::new("/work/shared/tools/gen_orders.py");
    let dir = tempfile::tempdir().unwrap();
    let input: PathBuf = dir.path().join(format!("in.{ext}"));
    let truth = dir.path().join("truth.csv");
    let status = std::process::Command::new("python3")
        .arg(tool)
        .args(["--seed", "1", "--format", format, "--mask"])
        .args(["--orders", &orders.to_string()])
        .arg("--out")
        .arg(&input)
        .arg("--truth")
        .arg(&truth)
        .status()
        .unwrap();
    assert!(status.success());
    let ds = import_one(&input);
    let ours = per_customer(&ds.orders);
    let mut reader = csv::Reader::from_path(&truth).unwrap();
    let mut n = 0;
    for rec in reader.records() {
        let rec = rec.unwrap();
        let key = &rec[0];
        let count: u32 = rec[2].parse().unwrap();
        let net = tierbook_core::cell::parse_amount_text(&rec[4]).unwrap();
        let first = NaiveDate::parse_from_str(&rec[5], "%Y-%m-%d").unwrap();
        let last = NaiveDate::parse_from_str(&rec[6], "%Y-%m-%d").unwrap();
        assert_eq!(ours.get(key), Some(&(count, net, first, last)), "{format}: customer {key}");
        n += 1;
    }
    assert_eq!(ours.len(), n, "{format}: no customer outside the truth");
}

#[test]
#[ignore = "needs python3 and /work/shared/tools/gen_orders.py; run with --ignored"]
fn generated_wechat_exports_match_independent_truth() {
    for (format, ext) in [("xlsx", "xlsx"), ("csv", "csv"), ("csv-gbk", "csv"), ("xls", "xls")] {
        check_against_truth(format, ext, 5000);
    }
}

#[test]
#[ignore = "needs python3 and /work/shared/tools/gen_orders.py; run with --ignored"]
fn generated_xls_continuing_over_several_sheets_matches_truth() {
    // xls holds 65,535 rows per sheet: 70,000 orders continue on 订单列表2.
    check_against_truth("xls", "xls", 70_000);
}

#[test]
fn merged_order_cells_in_item_rows_are_one_order() {
    // ERP exports merge the order-level cells (order id, buyer, time, paid amount) over the item rows.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("erp.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let plain = Format::new();
    for (c, h) in ["订单编号", "会员名", "下单时间", "实付金额", "商品名称", "数量"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["9001", "m1", "2025-03-05 10:00:00", "300"].iter().enumerate() {
        ws.merge_range(1, c as u16, 3, c as u16, v, &plain).unwrap();
    }
    for (r, (item, q)) in [("A", 1.0), ("B", 2.0), ("C", 1.0)].iter().enumerate() {
        ws.write_string(1 + r as u32, 4, *item).unwrap();
        ws.write_number(1 + r as u32, 5, *q).unwrap();
    }
    for (c, v) in ["9002", "m1", "2025-03-06 10:00:00", "50"].iter().enumerate() {
        ws.write_string(4, c as u16, *v).unwrap();
    }
    ws.write_string(4, 4, "D").unwrap();
    ws.write_number(4, 5, 1.0).unwrap();
    wb.save(&path).unwrap();
    let ds = import_one(&path);
    assert_eq!(ds.orders.len(), 2);
    assert_eq!(per_customer(&ds.orders)["m1"].1, 35000);
    assert_eq!(ds.orders[0].quantity, Some(4.0));
    assert_eq!(skipped(&ds, SkipReason::NoCustomerKey), 0);
    assert!(has_warning(&ds, "merged_item_rows"));
}

#[test]
fn header_repeated_inside_the_sheet_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pasted.csv");
    let h = vec!["订单号", "买家ID", "下单时间", "实付金额"];
    write_csv(&path, &[h.clone(), vec!["1", "o1", "2025-03-05", "10"], h, vec!["2", "o1", "2025-04-05", "20"]], false);
    let ds = import_one(&path);
    assert_eq!(per_customer(&ds.orders)["o1"].1, 3000);
    assert_eq!(skipped(&ds, SkipReason::RepeatedHeader), 1);
    assert!(!has_warning(&ds, "amounts_unreadable"));
}

#[test]
fn amounts_in_fen_are_converted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fen.csv");
    write_csv(
        &path,
        &[
            vec!["订单号", "openid", "支付时间", "实付金额(分)", "退款金额（分）"],
            vec!["1", "oX", "1741155730", "14800", "150"],
        ],
        false,
    );
    let ds = import_one(&path);
    assert_eq!((ds.orders[0].paid, ds.orders[0].refund), (14800, 150));
    assert_eq!(ds.orders[0].placed_at.to_string(), "2025-03-05 14:22:10", "Unix seconds in Beijing time");
}

#[test]
fn refund_success_with_a_partial_refund_keeps_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pdd.csv");
    write_csv(
        &path,
        &[
            vec!["订单号", "手机", "订单成交时间", "用户实付金额(元)", "退款金额(元)", "售后状态"],
            vec!["1", "13800000001", "2025-03-05 10:00:00", "100.00", "30.00", "退款成功"],
            vec!["2", "13800000001", "2025-03-06 10:00:00", "100.00", "100.00", "退款成功"],
            vec!["3", "13800000001", "2025-03-07 10:00:00", "100.00", "", "退款成功"],
        ],
        false,
    );
    let ds = import_one(&path);
    assert_eq!(per_customer(&ds.orders)["13800000001"], (1, 7000, d(2025, 3, 5), d(2025, 3, 5)));
    assert_eq!(skipped(&ds, SkipReason::Refunded), 2);
}

#[test]
fn user_overrides_pick_header_row_amount_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.csv");
    write_csv(
        &path,
        &[
            vec!["说明：订单号 下单时间 实付金额"],
            vec!["单据", "往来单位", "业务日期", "应收", "实收"],
            vec!["D1", "张记", "2025-03-05", "100", "90"],
            vec!["D2", "李记", "2025-03-06", "200", "200"],
        ],
        false,
    );
    // Nothing here is a known header: the user says which row and which columns.
    let mut roles = BTreeMap::new();
    roles.insert("实收".to_owned(), Some(Role::Amount));
    roles.insert("业务日期".to_owned(), Some(Role::Date));
    roles.insert("单据".to_owned(), Some(Role::OrderId));
    let options = ImportOptions {
        header_row: Some(1),
        roles,
        key: Some(KeySpec::Column("往来单位".into())),
        ..Default::default()
    };
    let ds = import_files(std::slice::from_ref(&path), &options, &NoProgress).unwrap();
    let c = per_customer(&ds.orders);
    assert_eq!((c["张记"].1, c["李记"].1), (9000, 20000));
    assert_eq!(ds.reports[0].mapping.header_row, 1);
    let p = preview(&path, &options).unwrap();
    assert_eq!(p.mapping.column(Role::Amount).unwrap().header, "实收");
    let bad = ImportOptions { key: Some(KeySpec::Column("客户".into())), ..options };
    assert_eq!(import_files(&[path], &bad, &NoProgress).unwrap_err().code(), "column_not_found");
}

#[test]
fn html_table_saved_as_xls_imports() {
    // Some shop back-ends' "Excel" export is an HTML table under .xls.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("订单.xls");
    let html = "<html><head><meta charset=\"utf-8\"></head><body><table>\
        <tr><td colspan=\"5\">有赞订单导出 2025-03-01 至 2025-03-31</td></tr>\
        <tr><th>订单号</th><th>订单状态</th><th>订单创建时间</th><th>订单实付金额</th><th>买家手机号</th></tr>\
        <tr><td>E1</td><td>交易成功</td><td>2025-03-05 10:00:00</td><td>¥1,000.00</td><td>13800000001</td></tr>\
        <tr><td>E2</td><td>已关闭</td><td>2025-03-06 10:00:00</td><td>¥5.00</td><td>13800000001</td></tr>\
        <tr><td>E3</td><td>已发货</td><td>2025-03-07 10:00:00</td><td>&yen;20.50</td><td>13800000001</td></tr>\
        </table></body></html>";
    std::fs::write(&path, html).unwrap();
    let ds = import_one(&path);
    assert_eq!(ds.reports[0].mapping.header_row, 1);
    assert_eq!(per_customer(&ds.orders)["13800000001"], (2, 102050, d(2025, 3, 5), d(2025, 3, 7)));
}

#[test]
fn rows_without_order_id_differing_only_in_product_are_not_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.xlsx");
    let b = dir.path().join("b.csv");
    let rows =
        vec![vec![S("日期"), S("客户"), S("商品"), S("金额")], vec![S("2025-03-05"), S("张记"), S("水泥"), N(500.0)]];
    write_xlsx(&a, &[("Sheet1", rows)]);
    // Same day, customer and amount but another product: a new order. The cement row is the same
    // order as in the xlsx even though it is text here.
    write_csv(
        &b,
        &[
            vec!["日期", "客户", "商品", "金额", "备注"],
            vec!["2025-03-05", "张记", "沙子", "500", ""],
            vec!["2025/3/5", "张记", "水泥", "500.00", ""],
        ],
        false,
    );
    let ds = import_files(&[a, b], &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(per_customer(&ds.orders)["张记"].0, 2);
    assert_eq!(skipped(&ds, SkipReason::Duplicate), 1);
}

#[test]
fn two_customer_lists_with_the_same_customers_warn() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("march.csv");
    let b = dir.path().join("may.csv");
    let h = vec!["会员ID", "累计消费金额", "累计消费次数", "最近消费时间"];
    write_csv(&a, &[h.clone(), vec!["m1", "100", "2", "2025-03-01"], vec!["m2", "50", "1", "2025-03-02"]], false);
    write_csv(&b, &[h, vec!["m1", "300", "5", "2025-05-01"], vec!["m3", "20", "1", "2025-05-02"]], false);
    let ds = import_files(&[a, b], &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(per_customer(&ds.orders)["m1"].0, 7);
    let w = ds.reports[1].warnings.iter().find(|w| w.code == "customer_lists_overlap").expect("warning");
    assert!(w.text.zh.starts_with("1 个客户"), "{}", w.text.zh);
    assert!(!ds.reports[0].warnings.iter().any(|w| w.code == "customer_lists_overlap"));
}

/// One line of a retail data set shaped like UCI "Online Retail": invoice, quantity, date text,
/// unit price, customer id (None = the 25 % of lines without one).
struct RetailLine {
    invoice: &'static str,
    quantity: i64,
    date: &'static str,
    price: &'static str,
    customer: Option<&'static str>,
}

fn retail_lines(dates: [&'static str; 4]) -> Vec<RetailLine> {
    let l = |invoice, quantity, date, price, customer| RetailLine { invoice, quantity, date, price, customer };
    vec![
        l("536365", 6, dates[0], "2.55", Some("17850")),
        l("536365", 6, dates[0], "3.39", Some("17850")),
        // Two lines with equal amounts in one invoice: still two lines, not a repeated order amount.
        l("536365", 8, dates[0], "2.75", Some("17850")),
        l("536365", 8, dates[0], "2.75", Some("17850")),
        l("536366", 6, dates[1], "1.85", Some("13047")),
        l("536367", 32, dates[1], "1.69", None),
        l("536368", 3, dates[2], "4.25", Some("13047")),
        // A cancellation: negative quantity on a "C" invoice reduces revenue, adds no order.
        l("C536379", -1, dates[3], "27.50", Some("17850")),
        l("536370", 24, dates[3], "0.85", Some("12583")),
    ]
}

/// Per customer from the lines themselves: (orders, net cents), computed here independently of the
/// importer (an invoice is one order unless its net is negative).
fn retail_truth(lines: &[RetailLine]) -> BTreeMap<String, (u32, i64)> {
    let mut invoices: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for l in lines {
        let Some(c) = l.customer else { continue };
        let (units, cents) = l.price.split_once('.').unwrap();
        let price_cents: i64 = units.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap();
        *invoices.entry((c, l.invoice)).or_default() += l.quantity * price_cents;
    }
    let mut out: BTreeMap<String, (u32, i64)> = BTreeMap::new();
    for ((c, _), net) in invoices {
        let e = out.entry(c.to_owned()).or_default();
        e.0 += u32::from(net > 0);
        e.1 += net;
    }
    out
}

#[test]
fn english_retail_csv_without_amount_column_uses_quantity_times_unit_price() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("online_retail.csv");
    // Month first, proven by 12/13/2010; 12/1/2010 alone could be either.
    let lines = retail_lines(["12/1/2010 8:26", "12/1/2010 8:34", "12/5/2010 10:03", "12/13/2010 9:41"]);
    let header =
        ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for l in &lines {
        rows.push(vec![
            l.invoice.into(),
            "85123A".into(),
            "WHITE HANGING HEART T-LIGHT HOLDER".into(),
            l.quantity.to_string(),
            l.date.into(),
            l.price.into(),
            l.customer.unwrap_or("").into(),
            "United Kingdom".into(),
        ]);
    }
    let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    write_csv(&path, &rows, false);

    let ds = import_one(&path);
    let m = &ds.reports[0].mapping;
    assert_eq!(m.column(Role::OrderId).unwrap().header, "InvoiceNo");
    assert_eq!(m.column(Role::UnitPrice).unwrap().header, "UnitPrice");
    assert_eq!(m.key, KeySpec::Column("CustomerID".into()));
    assert!(has_warning(&ds, "amount_from_unit_price"));
    assert!(has_warning(&ds, "ambiguous_day_order"));
    assert_eq!(skipped(&ds, SkipReason::NoCustomerKey), 1);

    let got: BTreeMap<String, (u32, i64)> =
        per_customer(&ds.orders).into_iter().map(|(k, (n, net, _, _))| (k, (n, net))).collect();
    assert_eq!(got, retail_truth(&lines));
    let first = ds.orders.iter().map(|o| o.placed_at.date()).min().unwrap();
    let last = ds.orders.iter().map(|o| o.placed_at.date()).max().unwrap();
    assert_eq!((first, last), (d(2010, 12, 1), d(2010, 12, 13)), "12/1/2010 is 1 December, not 12 January");
}

/// 抖店 may mask every buyer's phone as `1**********`: all orders then fall to one customer, and the
/// report says so (which value, how many orders); partly masked phones of different people do not.
#[test]
fn a_masked_key_that_stands_for_most_orders_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, phone: &dyn Fn(usize) -> String| {
        let path = dir.path().join(name);
        let mut rows =
            vec![vec!["主订单编号".to_string(), "订单提交时间".into(), "订单应付金额".into(), "收件人手机号".into()]];
        for i in 0..30 {
            rows.push(vec![
                format!("6930{i:05}"),
                format!("2025-03-{:02} 10:00:00", 1 + i % 28),
                "59.00".into(),
                phone(i),
            ]);
        }
        let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
        write_csv(&path, &rows, false);
        import_one(&path)
    };
    let ds = write("抖店加密.csv", &|_| "1**********".to_string());
    assert_eq!(per_customer(&ds.orders).len(), 1);
    let warning = ds.reports[0].warnings.iter().find(|w| w.code == "key_collapsed").expect("the collapse is reported");
    let zh = &warning.text.zh;
    assert!(zh.contains("30 笔订单（共 30 笔）") && zh.contains("1**********"), "{zh}");
    // The preview says so before importing, from the rows it shows.
    let preview = tierbook_core::import::preview(&dir.path().join("抖店加密.csv"), &ImportOptions::default()).unwrap();
    let warning = preview.warnings.iter().find(|w| w.code == "key_collapsed").expect("the preview warns");
    assert!(warning.text.zh.contains("1**********"), "{}", warning.text.zh);
    let ds = write("抖店.csv", &|i| format!("13{}****{:04}", i % 10, 1000 + i));
    assert_eq!(per_customer(&ds.orders).len(), 30);
    assert!(!has_warning(&ds, "key_collapsed"));
    let preview = tierbook_core::import::preview(&dir.path().join("抖店.csv"), &ImportOptions::default()).unwrap();
    assert!(!preview.warnings.iter().any(|w| w.code == "key_collapsed"));
}

/// Amazon's order report (tab-separated): `item-price` is what the buyer paid for the line, all its
/// pieces together, so two cups at 20.00 are 20.00, not 40.00; a cancelled line counts nothing.
#[test]
fn amazon_order_report_counts_the_item_price_once_whatever_the_quantity() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("amazon_orders.txt");
    let lines = [
        "amazon-order-id\tpurchase-date\torder-status\tproduct-name\tsku\tquantity\tcurrency\titem-price\tbuyer-email",
        "111-1\t2025-03-02T10:00:00+00:00\tShipped\tMug\tMUG1\t1\tUSD\t39.00\ta1@marketplace.amazon.com",
        "111-2\t2025-03-05T10:00:00+00:00\tCancelled\tCup\tCUP1\t0\tUSD\t\tb2@marketplace.amazon.com",
        "111-3\t2025-04-05T10:00:00+00:00\tShipped\tCup\tCUP1\t2\tUSD\t20.00\ta1@marketplace.amazon.com",
    ];
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let ds = import_one(&path);
    let m = &ds.reports[0].mapping;
    assert_eq!(m.column(Role::Amount).unwrap().header, "item-price");
    assert!(m.column(Role::UnitPrice).is_none());
    let got: BTreeMap<String, (u32, i64)> =
        per_customer(&ds.orders).into_iter().map(|(k, (n, net, _, _))| (k, (n, net))).collect();
    assert_eq!(got, BTreeMap::from([("a1@marketplace.amazon.com".to_string(), (2, 5900))]));
}

#[test]
fn shopify_orders_export_keeps_every_line_item_of_an_order() {
    // Shopify's orders export: one row per line item; only the first row of an order has the
    // customer, the payment and the total, the later ones just the order's Name and their item.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders_export_1.csv");
    let head = [
        "Name",
        "Email",
        "Financial Status",
        "Paid at",
        "Subtotal",
        "Total",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem sku",
        "Billing Name",
        "Shipping City",
        "Refunded Amount",
    ];
    write_csv(
        &path,
        &[
            head.to_vec(),
            vec![
                "#1001",
                "ann@example.com",
                "paid",
                "2024-03-01 10:00:00 +0800",
                "300.00",
                "310.00",
                "2024-03-01 09:58:00 +0800",
                "2",
                "Mug",
                "100.00",
                "MUG-1",
                "Ann Wang",
                "Shanghai",
                "0.00",
            ],
            vec!["#1001", "", "", "", "", "", "", "1", "Plate", "100.00", "PLT-1", "", "", ""],
            vec![
                "#1002",
                "bob@example.com",
                "pending",
                "",
                "50.00",
                "50.00",
                "2024-03-05 09:00:00 +0800",
                "1",
                "Spoon",
                "50.00",
                "SP-1",
                "Bob Li",
                "Beijing",
                "0.00",
            ],
            vec![
                "#1003",
                "ann@example.com",
                "paid",
                "2024-04-01 10:00:00 +0800",
                "120.00",
                "120.00",
                "2024-04-01 09:00:00 +0800",
                "1",
                "Bowl",
                "80.00",
                "BW-1",
                "Ann Wang",
                "Shanghai",
                "0.00",
            ],
            vec!["#1003", "", "", "", "", "", "", "1", "Cup", "40.00", "CP-1", "", "", ""],
        ],
        false,
    );
    let ds = import_one(&path);
    let m = &ds.reports[0].mapping;
    assert_eq!(m.column(Role::OrderId).unwrap().header, "Name");
    assert_eq!(m.column(Role::Product).unwrap().header, "Lineitem name");
    assert_eq!(m.column(Role::Name).unwrap().header, "Billing Name");
    // The pending order is unpaid; the later item rows of paid orders are not.
    let got: BTreeMap<String, (u32, i64)> =
        per_customer(&ds.orders).into_iter().map(|(k, (n, net, _, _))| (k, (n, net))).collect();
    assert_eq!(got, BTreeMap::from([("ann@example.com".to_string(), (2, 43000))]));
    assert_eq!(skipped(&ds, SkipReason::Closed), 1);
    let items: Vec<(&str, f64)> =
        ds.orders.iter().flat_map(|o| o.items.iter().map(|i| (i.product.as_ref(), i.quantity))).collect();
    assert_eq!(items, [("Mug", 2.0), ("Plate", 1.0), ("Bowl", 1.0), ("Cup", 1.0)]);
    assert_eq!(ds.orders[0].customer_name.as_deref(), Some("Ann Wang"));
}

#[test]
fn a_file_whose_first_line_is_data_imports_as_with_a_header() {
    // CDNOW_master.txt as published: no header, columns padded with spaces.
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        "00001 19970101  1   11.77",
        "00002 19970112  1   12.00",
        "00002 19970112  5   77.00",
        "00003 19970102  2   20.76",
        "00003 19970330  2   20.76",
        "00004 19970101  2   29.33",
    ];
    let bare = dir.path().join("CDNOW_master.txt");
    std::fs::write(&bare, lines.join("\n") + "\n").unwrap();
    let named = dir.path().join("CDNOW_named.txt");
    std::fs::write(&named, format!("customer_id date quantity amount\n{}\n", lines.join("\n"))).unwrap();

    let ds = import_one(&bare);
    let m = &ds.reports[0].mapping;
    assert!(m.headerless);
    assert_eq!(m.header_line(), None);
    assert_eq!(m.column(Role::Amount).unwrap().index, 3);
    assert_eq!(ds.reports[0].rows_read, 6, "the first line is an order, not a header");
    assert!(has_warning(&ds, "header_inferred"));
    let with_header = import_one(&named);
    assert!(!with_header.reports[0].mapping.headerless);
    assert_eq!(per_customer(&ds.orders), per_customer(&with_header.orders));
    assert_eq!(per_customer(&ds.orders).get("00002"), Some(&(2, 8900, d(1997, 1, 12), d(1997, 1, 12))));

    // The preview shows every line as data, and a role the user changes by the inferred name sticks.
    let p = preview(&bare, &ImportOptions::default()).unwrap();
    assert!(p.mapping.headerless);
    assert_eq!(p.rows.len(), 6);
    assert!(p.warnings.iter().any(|w| w.code == "header_inferred"));
    let mut options = ImportOptions::default();
    options.roles.insert("数量".to_owned(), None);
    let p = preview(&bare, &options).unwrap();
    assert!(p.mapping.headerless && p.mapping.column(Role::Quantity).is_none());
}

#[test]
fn a_workbook_of_bare_transactions_beside_empty_sheets_is_read_by_its_values() {
    // Excel's default workbook: the data on Sheet1 without a header, Sheet2 and Sheet3 left empty.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("交易流水.xlsx");
    let rows = vec![
        vec![S("C001"), D("2025-03-01 10:00:00"), N(2.0), N(59.9)],
        vec![S("C002"), D("2025-03-02 11:30:00"), N(1.0), N(120.0)],
        vec![S("C001"), D("2025-04-05 09:15:00"), N(1.0), N(30.5)],
    ];
    write_xlsx(&path, &[("Sheet1", rows), ("Sheet2", vec![]), ("Sheet3", vec![])]);
    let ds = import_one(&path);
    assert!(ds.reports[0].mapping.headerless);
    assert_eq!(ds.reports[0].mapping.sheet, "Sheet1");
    let got = per_customer(&ds.orders);
    assert_eq!(got.get("C001"), Some(&(2, 9040, d(2025, 3, 1), d(2025, 4, 5))), "{got:?}");
    assert_eq!(got.len(), 2);
    let p = preview(&path, &ImportOptions::default()).unwrap();
    assert_eq!((p.mapping.sheet.as_str(), p.mapping.headerless), ("Sheet1", true));
}

#[test]
fn day_first_dates_are_decided_by_the_file_and_ambiguous_ones_swapped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uk_orders.csv");
    // A British export: 25/12/2010 proves day first, so 01/12/2010 is 1 December.
    write_csv(
        &path,
        &[
            vec!["Order ID", "Order Date", "Customer ID", "Customer Name", "Sales", "Status"],
            vec!["A-1", "01/12/2010", "C1", "Ann", "10.00", "Completed"],
            vec!["A-2", "05/12/2010 14:05", "C2", "Bob", "20.00", "Cancelled"],
            vec!["A-3", "25/12/2010", "C1", "Ann", "30.50", "Delivered"],
            vec!["A-4", "03/01/2011", "C3", "Cy", "7.25", "REFUNDED"],
        ],
        false,
    );
    let ds = import_one(&path);
    let got = per_customer(&ds.orders);
    assert_eq!(got.get("C1"), Some(&(2, 4050, d(2010, 12, 1), d(2010, 12, 25))));
    assert_eq!(got.len(), 1, "cancelled and refunded (any letter case) are excluded: {got:?}");
    assert_eq!(skipped(&ds, SkipReason::Closed), 1);
    assert_eq!(skipped(&ds, SkipReason::Refunded), 1);
    assert_eq!(ds.orders[0].customer_name.as_deref(), Some("Ann"));
}

#[test]
fn numeric_customer_ids_in_an_english_workbook_read_as_whole_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("online_retail.xlsx");
    let rows = vec![
        vec![S("Invoice"), S("StockCode"), S("Quantity"), S("InvoiceDate"), S("Price"), S("Customer ID"), S("Country")],
        vec![S("489434"), S("85048"), N(12.0), D("2009-12-01 07:45:00"), N(6.95), N(13085.0), S("United Kingdom")],
        vec![S("489434"), S("79323P"), N(12.0), D("2009-12-01 07:45:00"), N(6.75), N(13085.0), S("United Kingdom")],
        vec![S("489435"), S("22350"), N(12.0), D("2009-12-01 07:46:00"), N(2.55), N(13085.0), S("United Kingdom")],
        vec![S("489436"), S("48173C"), N(10.0), D("2009-12-01 09:06:00"), N(5.95), E, S("United Kingdom")],
    ];
    write_xlsx(&path, &[("Year 2009-2010", rows)]);
    let ds = import_one(&path);
    let got = per_customer(&ds.orders);
    // 12 × 6.95 + 12 × 6.75 = 164.40 in the first invoice, 30.60 in the second.
    assert_eq!(got.get("13085"), Some(&(2, 16440 + 3060, d(2009, 12, 1), d(2009, 12, 1))), "{got:?}");
    assert_eq!(skipped(&ds, SkipReason::NoCustomerKey), 1);
}

// ------------------------------------------------------------------ issue 9: wrong numbers

/// One row of a 天猫 item-level export (宝贝报表): one row per 子订单, the order's 买家实付金额
/// repeated on each row, 退款状态 and 退款金额 per item.
struct TmallItem {
    order: &'static str,
    sub: &'static str,
    buyer: &'static str,
    at: &'static str,
    title: &'static str,
    paid: f64,
    status: &'static str,
    refund_state: &'static str,
    refund: f64,
}

fn tmall_items() -> Vec<TmallItem> {
    let item = |order, sub, buyer, at, title, paid, status, refund_state, refund| TmallItem {
        order,
        sub,
        buyer,
        at,
        title,
        paid,
        status,
        refund_state,
        refund,
    };
    vec![
        // Closed after both items were refunded, each for the same amount: never revenue.
        item(
            "5100000000000000001",
            "51001",
            "tm_a",
            "2025-04-01 10:00:00",
            "连衣裙",
            198.0,
            "交易关闭",
            "退款成功",
            99.0,
        ),
        item(
            "5100000000000000001",
            "51002",
            "tm_a",
            "2025-04-01 10:00:00",
            "腰带",
            198.0,
            "交易关闭",
            "退款成功",
            99.0,
        ),
        // One of two items refunded.
        item(
            "5100000000000000002",
            "52001",
            "tm_a",
            "2025-04-02 10:00:00",
            "衬衫",
            300.0,
            "交易成功",
            "退款成功",
            50.0,
        ),
        item("5100000000000000002", "52002", "tm_a", "2025-04-02 10:00:00", "领带", 300.0, "交易成功", "", 0.0),
        // Two of three items refunded for the same amount each: both refunds count.
        item(
            "5100000000000000003",
            "53001",
            "tm_b",
            "2025-04-03 10:00:00",
            "杯子",
            200.0,
            "交易成功",
            "退款成功",
            40.0,
        ),
        item(
            "5100000000000000003",
            "53002",
            "tm_b",
            "2025-04-03 10:00:00",
            "杯垫",
            200.0,
            "交易成功",
            "退款成功",
            40.0,
        ),
        item("5100000000000000003", "53003", "tm_b", "2025-04-03 10:00:00", "茶叶", 200.0, "交易成功", "", 0.0),
        // Two items, both refunded for the same amount, adding up to what was paid: fully refunded.
        item(
            "5100000000000000004",
            "54001",
            "tm_b",
            "2025-04-04 10:00:00",
            "台灯",
            120.0,
            "交易成功",
            "退款成功",
            60.0,
        ),
        item(
            "5100000000000000004",
            "54002",
            "tm_b",
            "2025-04-04 10:00:00",
            "灯泡",
            120.0,
            "交易成功",
            "退款成功",
            60.0,
        ),
        // Three items, no refund.
        item("5100000000000000005", "55001", "tm_c", "2025-04-05 10:00:00", "袜子", 90.0, "交易成功", "", 0.0),
        item("5100000000000000005", "55002", "tm_c", "2025-04-05 10:00:00", "手套", 90.0, "交易成功", "", 0.0),
        item("5100000000000000005", "55003", "tm_c", "2025-04-05 10:00:00", "帽子", 90.0, "交易成功", "", 0.0),
        // One item, closed unpaid.
        item("5100000000000000006", "56001", "tm_c", "2025-04-06 10:00:00", "围巾", 66.0, "交易关闭", "", 0.0),
    ]
}

/// The truth, by hand over the rows: a closed order (交易关闭 on its rows) is never revenue; the
/// paid amount is the order's (the same on each row, counted once); refunds are per item and
/// summed over the order's rows; refunds reaching the paid amount leave nothing.
fn tmall_truth(items: &[TmallItem]) -> BTreeMap<String, (u32, i64)> {
    let mut orders: BTreeMap<&str, Vec<&TmallItem>> = BTreeMap::new();
    for it in items {
        orders.entry(it.order).or_default().push(it);
    }
    let mut truth: BTreeMap<String, (u32, i64)> = BTreeMap::new();
    for rows in orders.values() {
        if rows.iter().all(|r| r.status == "交易关闭") {
            continue;
        }
        let paid = (rows[0].paid * 100.0).round() as i64;
        assert!(rows.iter().all(|r| r.paid == rows[0].paid), "the test writes the order amount on every row");
        let refund: i64 = rows.iter().map(|r| (r.refund * 100.0).round() as i64).sum();
        if refund >= paid {
            continue;
        }
        let e = truth.entry(rows[0].buyer.to_owned()).or_insert((0, 0));
        e.0 += 1;
        e.1 += paid - refund;
    }
    truth
}

#[test]
fn tmall_item_export_closed_orders_and_equal_item_refunds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tmall_items.xlsx");
    let items = tmall_items();
    let mut rows = vec![[
        "主订单编号",
        "子订单编号",
        "买家会员名",
        "订单创建时间",
        "宝贝标题",
        "宝贝数量",
        "买家实付金额",
        "订单状态",
        "退款状态",
        "退款金额",
    ]
    .into_iter()
    .map(S)
    .collect::<Vec<V>>()];
    for it in &items {
        rows.push(vec![
            S(it.order),
            S(it.sub),
            S(it.buyer),
            S(it.at),
            S(it.title),
            N(1.0),
            N(it.paid),
            S(it.status),
            if it.refund_state.is_empty() { E } else { S(it.refund_state) },
            N(it.refund),
        ]);
    }
    write_xlsx(&path, &[("宝贝报表", rows)]);
    let ds = import_one(&path);
    let got: BTreeMap<String, (u32, i64)> =
        per_customer(&ds.orders).into_iter().map(|(k, (n, net, _, _))| (k, (n, net))).collect();
    let truth = tmall_truth(&items);
    assert_eq!(got, truth);
    // The figures the truth gives, spelled out: 300 − 50 for tm_a, 200 − 2 × 40 for tm_b, 90 for tm_c.
    assert_eq!(truth["tm_a"], (1, 25000));
    assert_eq!(truth["tm_b"], (1, 12000));
    assert_eq!(skipped(&ds, SkipReason::Closed), 2);
    assert_eq!(skipped(&ds, SkipReason::Refunded), 1);
    let w = ds.reports[0].warnings.iter().find(|w| w.code == "item_refunds").expect("the decision is reported");
    assert!(w.text.zh.contains("退款金额按商品行累加") && w.text.zh.contains("实付金额为订单级"), "{}", w.text.zh);
    assert!(w.text.en.contains("summed over item rows"), "{}", w.text.en);
    // Closed and fully refunded orders are withdrawn from a workspace that stored them earlier.
    for id in ["5100000000000000001", "5100000000000000004", "5100000000000000006"] {
        assert!(ds.withdrawn.iter().any(|w| w == id), "{id} withdrawn: {:?}", ds.withdrawn);
    }
}

#[test]
fn order_level_refund_repeated_on_item_rows_is_counted_once() {
    // Every multi-row order carries the same refund on each of its rows and the same refund
    // state: nothing in the file says the refund is per item, so it is the order's, counted once.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("erp_items.csv");
    let rows = [
        ["订单号", "子订单编号", "买家ID", "下单时间", "商品名称", "实付金额", "退款金额", "订单状态"],
        ["E1", "E1-1", "b1", "2025-04-01 10:00:00", "A", "100.00", "30.00", "已完成"],
        ["E1", "E1-2", "b1", "2025-04-01 10:00:00", "B", "100.00", "30.00", "已完成"],
        ["E2", "E2-1", "b2", "2025-04-02 10:00:00", "C", "80.00", "0", "已完成"],
        ["E2", "E2-2", "b2", "2025-04-02 10:00:00", "D", "80.00", "0", "已完成"],
    ];
    write_csv(&path, &rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>(), false);
    let ds = import_one(&path);
    let got = per_customer(&ds.orders);
    assert_eq!((got["b1"].0, got["b1"].1), (1, 10000 - 3000));
    assert_eq!((got["b2"].0, got["b2"].1), (1, 8000));
    let w = ds.reports[0].warnings.iter().find(|w| w.code == "item_refunds").expect("the decision is reported");
    assert!(w.text.zh.contains("退款金额为订单级"), "{}", w.text.zh);
}

#[test]
fn zero_amount_orders_count_as_purchases_and_keep_their_customers() {
    // CDNOW-style: a space-free CSV of purchases where some are $0 (free gifts, trials).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("purchases.csv");
    let rows: Vec<[&str; 4]> = vec![
        ["order_id", "customer_id", "date", "amount"],
        ["1", "c1", "1997-01-01", "29.33"],
        ["2", "c1", "1997-02-03", "0.00"],
        ["3", "c2", "1997-01-12", "0"],
        ["4", "c2", "1997-03-01", "0.00"],
        ["5", "c3", "1997-01-20", "12.00"],
        ["6", "c4", "1997-04-30", "$0.00"],
    ];
    write_csv(&path, &rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>(), false);

    // Truth by hand: every paid row is an order; revenue sums the amounts; the last date is recency.
    let mut truth: BTreeMap<String, (u32, i64, NaiveDate)> = BTreeMap::new();
    for r in &rows[1..] {
        let cents = (r[3].trim_start_matches('$').parse::<f64>().unwrap() * 100.0).round() as i64;
        let date = NaiveDate::parse_from_str(r[2], "%Y-%m-%d").unwrap();
        let e = truth.entry(r[1].to_owned()).or_insert((0, 0, date));
        e.0 += 1;
        e.1 += cents;
        e.2 = e.2.max(date);
    }
    let ds = import_one(&path);
    let got: BTreeMap<String, (u32, i64, NaiveDate)> =
        per_customer(&ds.orders).into_iter().map(|(k, (n, net, _, last))| (k, (n, net, last))).collect();
    assert_eq!(got, truth);
    assert_eq!(got["c2"], (2, 0, d(1997, 3, 1)), "a customer with only ¥0 orders stays, with recency");
    let w = ds.reports[0].warnings.iter().find(|w| w.code == "zero_amount_orders").expect("reported");
    assert!(w.text.zh.starts_with("4 个订单") && w.text.zh.contains("其中 2 个客户只有 ¥0 订单"), "{}", w.text.zh);
    assert!(w.text.en.contains("2 customers have only ¥0 orders"), "{}", w.text.en);

    // Customers aggregate and classify with them (ABC by customer share puts ¥0 customers in C).
    let customers = tierbook_core::customers::aggregate(&ds.orders);
    assert_eq!(customers.len(), 4);
    let c = tierbook_core::classify::classify(&customers, &Default::default()).unwrap();
    assert_eq!(c.assignments.len(), 4);

    // The setting leaves them out, and says how many customers went with them.
    let options = ImportOptions { skip_zero_amount: true, ..Default::default() };
    let ds = import_files(std::slice::from_ref(&path), &options, &NoProgress).unwrap();
    let got = per_customer(&ds.orders);
    assert_eq!(got.keys().collect::<Vec<_>>(), ["c1", "c3"]);
    assert_eq!(got["c1"].0, 1);
    assert_eq!(skipped(&ds, SkipReason::ZeroAmount), 4);
    let w = ds.reports[0].warnings.iter().find(|w| w.code == "zero_amount_orders_left_out").expect("reported");
    assert!(w.text.zh.contains("4 个实付 ¥0 的订单") && w.text.zh.contains("2 个只有 ¥0 订单的客户"), "{}", w.text.zh);
}

#[test]
fn absurd_amounts_are_skipped_with_their_row_and_never_wrap_a_total() {
    // 9 × 10^16 yuan per order: two of them in fen overflow i64.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absurd.csv");
    let rows: Vec<[&str; 4]> = vec![
        ["订单号", "买家ID", "下单时间", "实付金额"],
        ["1", "a", "2025-05-01", "120.00"],
        ["2", "a", "2025-05-02", "90000000000000000"],
        ["3", "b", "2025-05-03", "90000000000000000"],
        ["4", "b", "2025-05-04", "35.50"],
        ["5", "c", "2025-05-05", "99999999.99"],
    ];
    write_csv(&path, &rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>(), false);
    // Truth by hand: orders up to ¥1 亿 count, beyond it they are no orders.
    let ceiling = 100_000_000.0;
    let mut truth: BTreeMap<String, (u32, i64)> = BTreeMap::new();
    for r in &rows[1..] {
        let yuan: f64 = r[3].parse().unwrap();
        if yuan <= ceiling {
            let e = truth.entry(r[1].to_owned()).or_insert((0, 0));
            e.0 += 1;
            e.1 += (yuan * 100.0).round() as i64;
        }
    }
    let ds = import_one(&path);
    let got: BTreeMap<String, (u32, i64)> =
        per_customer(&ds.orders).into_iter().map(|(k, (n, net, _, _))| (k, (n, net))).collect();
    assert_eq!(got, truth);
    let skip = ds.reports[0].skipped.iter().find(|s| s.reason == SkipReason::AmountTooLarge).expect("skipped");
    assert_eq!((skip.count, skip.example_rows.clone()), (2, vec![3, 4]));
    let w = ds.reports[0].warnings.iter().find(|w| w.code == "amount_too_large").expect("reported");
    assert!(w.text.zh.contains("第 3 行") && w.text.zh.contains("90000000000000000"), "{}", w.text.zh);

    // Every total downstream stays the truth's total (no wrap, no panic in a debug build).
    let total: i64 = truth.values().map(|v| v.1).sum();
    let customers = tierbook_core::customers::aggregate(&ds.orders);
    assert_eq!(customers.iter().map(|c| c.revenue).sum::<i64>(), total);
    let c = tierbook_core::classify::classify(&customers, &Default::default()).unwrap();
    assert_eq!(c.tiers.iter().map(|t| t.revenue).sum::<i64>(), total);
    assert!(c.tiers.iter().all(|t| t.revenue >= 0));

    // A file of nothing but absurd amounts fails, naming the file, the row and the value.
    let path = dir.path().join("only_absurd.csv");
    write_csv(&path, &[rows[0].to_vec(), rows[2].to_vec(), rows[3].to_vec()], false);
    let err = import_files(std::slice::from_ref(&path), &ImportOptions::default(), &NoProgress).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::NoValidOrders { .. }), "{msg}");
    assert!(msg.contains("only_absurd.csv") && msg.contains("第 2 行") && msg.contains("90000000000000000"), "{msg}");
    assert!(msg.contains("1 亿"), "{msg}");
}

// ------------------------------------------------------------------ public data sets' shapes

/// Sets a file's modification time to noon (local time) of `day`.
fn set_written(path: &Path, day: NaiveDate) {
    use chrono::TimeZone;
    let noon = chrono::Local.from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap()).unwrap();
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::from(noon)).unwrap();
}

#[test]
fn an_rfm_table_dates_each_last_purchase_back_from_the_files_day() {
    // Kaggle's precomputed RFM tables: one row per customer, days since the last purchase, no date.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rfm_data.csv");
    let rows = vec![
        vec!["CustomerID", "Recency", "Frequency", "Monetary"],
        vec!["12346", "325", "1", "77183.60"],
        vec!["12347", "2", "7", "4310.00"],
        vec!["12348", "75", "4", "1797.24"],
        vec!["12349", "-", "1", "1757.55"],
    ];
    write_csv(&path, &rows, false);
    set_written(&path, d(2011, 12, 10));
    let ds = import_one(&path);
    let got = per_customer(&ds.orders);
    assert_eq!(got.get("12346"), Some(&(1, 7_718_360, d(2011, 1, 19), d(2011, 1, 19))), "{got:?}");
    assert_eq!(got.get("12347"), Some(&(7, 431_000, d(2011, 12, 8), d(2011, 12, 8))));
    assert_eq!(got.get("12348").map(|c| c.3), Some(d(2011, 9, 26)));
    assert_eq!(skipped(&ds, SkipReason::UnreadableDate), 1, "a recency of '-' is no date");
    let report = &ds.reports[0];
    let note = report.warnings.iter().find(|w| w.code == "recency_dated_back").expect("the dating back is said");
    assert!(note.text.zh.contains("Recency") && note.text.zh.contains("2011-12-10"), "{}", note.text.zh);
    let p = preview(&path, &ImportOptions::default()).unwrap();
    assert_eq!(p.mapping.level, Level::Customers);
    assert_eq!(p.mapping.column(Role::RecencyDays).map(|c| c.header.as_str()), Some("Recency"));
    assert!(p.warnings.iter().any(|w| w.code == "recency_dated_back"), "the preview says it before the import");

    // A copy of the same list written another day holds the same customers: counted once, and
    // dated from the first file.
    let copy = dir.path().join("rfm_data_copy.csv");
    std::fs::copy(&path, &copy).unwrap();
    set_written(&copy, d(2012, 3, 1));
    let both = import_files(&[path.clone(), copy], &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(per_customer(&both.orders), got);
    assert!(both.reports[1].warnings.iter().any(|w| w.code == "duplicate_orders"));
}

#[test]
fn a_date_column_wins_over_days_since_the_last_purchase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("会员.csv");
    let rows = vec![
        vec!["会员卡号", "最近消费时间", "距上次消费天数", "累计消费金额", "消费次数"],
        vec!["V1", "2025-03-01", "40", "300", "3"],
        vec!["V2", "2025-04-01", "9", "120", "1"],
    ];
    write_csv(&path, &rows, true);
    let ds = import_one(&path);
    let got = per_customer(&ds.orders);
    assert_eq!(got.get("V1").map(|c| c.3), Some(d(2025, 3, 1)));
    assert!(!has_warning(&ds, "recency_dated_back"));
    let p = preview(&path, &ImportOptions::default()).unwrap();
    assert_eq!(p.mapping.column(Role::RecencyDays), None, "the days column plays no part");
}

#[test]
fn the_chinese_superstore_names_its_customers_and_provinces() {
    // Tableau's Superstore in its Chinese edition (a GBK CSV): 客户 ID is the key, 客户名称 the
    // name shown in the lists, 省/自治区 the province.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("超市.csv");
    let header = vec![
        "行 ID",
        "订单 ID",
        "订单日期",
        "客户 ID",
        "客户名称",
        "城市",
        "省/自治区",
        "产品名称",
        "销售额",
        "数量",
        "利润",
    ];
    let rows = vec![
        header,
        vec![
            "1",
            "US-2018-1357144",
            "2018/4/27",
            "曾惠-14485",
            "曾惠",
            "杭州",
            "浙江",
            "剪刀",
            "129.696",
            "2",
            "-60.704",
        ],
        vec!["2", "CN-2018-1973789", "2018/6/15", "许安-10165", "许安", "内江", "四川", "信封", "125.44", "2", "42.56"],
        vec!["3", "CN-2018-1973789", "2018/6/15", "许安-10165", "许安", "内江", "四川", "订书机", "31.92", "2", "4.2"],
    ];
    write_csv(&path, &rows, true);
    let ds = import_one(&path);
    let got = per_customer(&ds.orders);
    assert_eq!(got.get("许安-10165"), Some(&(1, 15_736, d(2018, 6, 15), d(2018, 6, 15))), "{got:?}");
    let o = ds.orders.iter().find(|o| &*o.customer_key == "曾惠-14485").unwrap();
    assert_eq!(o.customer_name.as_deref(), Some("曾惠"));
    assert_eq!(o.region.as_ref().map(|r| &*r.province), Some("浙江"));
    let p = preview(&path, &ImportOptions::default()).unwrap();
    assert_eq!(p.mapping.column(Role::Name).map(|c| c.header.as_str()), Some("客户名称"));
    assert_eq!(p.mapping.column(Role::Province).map(|c| c.header.as_str()), Some("省/自治区"));
}

#[test]
fn a_customer_table_keyed_by_a_bare_id_with_its_join_day_beside_it() {
    // The shape of Kaggle's marketing_campaign.csv (tab-separated): `Dt_Customer` (the day the
    // customer joined) matches "customer" but holds dates, `ID` is the customer, `Marital_Status`
    // is no order status, and `Z_Revenue` is the same on every row.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("marketing_campaign.csv");
    let mut text = String::from("ID\tYear_Birth\tMarital_Status\tDt_Customer\tRecency\tMntWines\tZ_Revenue\n");
    for i in 0..12 {
        text += &format!("{}\t1957\tSingle\t{:02}-09-2012\t{}\t{}\t11\n", 5524 + i, i + 1, 10 + i, 100 * i);
    }
    std::fs::write(&path, text).unwrap();
    set_written(&path, d(2014, 7, 1));
    let p = preview(&path, &ImportOptions::default()).unwrap();
    assert_eq!(p.mapping.key, KeySpec::Column("ID".into()));
    assert_eq!(p.mapping.column(Role::Status), None, "Marital_Status is no order status");
    let codes: Vec<&str> = p.warnings.iter().map(|w| w.code.as_str()).collect();
    for code in ["key_holds_dates", "bare_id_key", "amount_constant"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let ds = import_one(&path);
    let got = per_customer(&ds.orders);
    assert_eq!(got.len(), 12, "one customer per ID: {got:?}");
    assert_eq!(got.get("5524").map(|c| c.3), Some(d(2014, 6, 21)));
}

#[test]
fn a_bare_id_gives_way_to_a_phone() {
    // An order file whose "ID" numbers the rows: the phone is the customer.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    let rows = vec![
        vec!["ID", "手机号", "下单时间", "实付金额"],
        vec!["1", "13800001111", "2025-03-01", "10"],
        vec!["2", "13800001111", "2025-03-02", "20"],
        vec!["3", "13900002222", "2025-03-02", "5"],
    ];
    write_csv(&path, &rows, false);
    let p = preview(&path, &ImportOptions::default()).unwrap();
    assert_eq!(p.mapping.key, KeySpec::Column("手机号".into()));
    assert_eq!(p.mapping.column(Role::CustomerKey), None, "ID keeps no customer role");
    assert!(!p.warnings.iter().any(|w| w.code == "bare_id_key"));
    assert_eq!(per_customer(&import_one(&path).orders).len(), 2);
}

#[test]
fn dotted_dates_are_day_first_and_serials_in_text_are_dates() {
    // A German shop's CSV (dd.mm.yyyy, no day above 12 to prove it) and a CSV written from a sheet
    // whose date column had lost its format (Excel serials as text), and Excel's m/d/yy.
    let dir = tempfile::tempdir().unwrap();
    let german = dir.path().join("bestellungen.csv");
    write_csv(
        &german,
        &[
            vec!["Order ID", "Customer ID", "Order Date", "Amount"],
            vec!["1001", "K1", "05.03.2025", "10.00"],
            vec!["1002", "K1", "01.02.2025 14:05", "5.50"],
        ],
        false,
    );
    let serials = dir.path().join("serials.csv");
    write_csv(
        &serials,
        &[
            vec!["订单号", "买家ID", "下单时间", "实付金额"],
            vec!["1", "B1", "45721", "10"],
            vec!["2", "B1", "45722.5", "20"],
            vec!["3", "B2", "3/25/25", "30"],
        ],
        false,
    );
    let ds = import_one(&german);
    assert_eq!(per_customer(&ds.orders).get("K1").map(|c| (c.2, c.3)), Some((d(2025, 2, 1), d(2025, 3, 5))));
    let got = per_customer(&import_one(&serials).orders);
    assert_eq!(got.get("B1").map(|c| (c.2, c.3)), Some((d(2025, 3, 5), d(2025, 3, 6))));
    assert_eq!(got.get("B2").map(|c| c.3), Some(d(2025, 3, 25)));
}

#[test]
fn a_customer_list_keeps_its_customers_who_never_bought() {
    // A member list exports everyone: those who never bought have 0 purchases, ¥0 (or nothing) and
    // no last purchase date. They are customers with 0 orders, not rows without a date.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("会员列表.csv");
    let rows = vec![
        vec!["会员卡号", "姓名", "累计消费金额", "消费次数", "最近消费时间"],
        vec!["V1", "张三", "300", "3", "2025-03-01"],
        vec!["V2", "李四", "0", "0", ""],
        vec!["V3", "王五", "120", "1", "2025-04-01"],
        vec!["V4", "赵六", "", "0", "-"],
        vec!["V5", "钱七", "50", "2", ""],
    ];
    write_csv(&path, &rows, true);
    let ds = import_one(&path);
    let got = per_customer(&ds.orders);
    assert_eq!(got.get("V2"), Some(&(0, 0, d(2025, 3, 1), d(2025, 3, 1))), "{got:?}");
    assert_eq!(got.get("V4"), Some(&(0, 0, d(2025, 3, 1), d(2025, 3, 1))));
    assert_eq!(got.len(), 4, "V5 bought twice but has no date: still unreadable");
    assert_eq!(skipped(&ds, SkipReason::UnreadableDate), 1);
    let note = ds.reports[0].warnings.iter().find(|w| w.code == "never_bought").expect("said");
    assert!(
        note.text.zh.starts_with("2 位客户没有消费记录") && note.text.zh.contains("2025-03-01"),
        "{}",
        note.text.zh
    );
    assert!(!has_warning(&ds, "zero_amount_orders"), "they are not ¥0 orders");

    // A list of nobody who bought has no date to lean on: its rows stay unreadable.
    let empty = dir.path().join("新会员.csv");
    write_csv(&empty, &[rows[0].clone(), rows[2].clone(), rows[4].clone()], true);
    let err = import_files(&[empty], &ImportOptions::default(), &NoProgress).unwrap_err();
    assert!(matches!(err, Error::NoValidOrders { .. }), "{err}");
}

#[test]
fn a_customer_list_speaks_of_customers_whose_total_is_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("members.csv");
    let rows = vec![
        vec!["会员卡号", "累计消费金额", "消费次数", "最近消费时间"],
        vec!["V1", "300", "3", "2025-03-01"],
        vec!["V2", "0", "1", "2025-02-01"],
    ];
    write_csv(&path, &rows, false);
    let ds = import_one(&path);
    let note = ds.reports[0].warnings.iter().find(|w| w.code == "zero_amount_orders").expect("said");
    assert!(note.text.zh.starts_with("1 位客户累计消费 ¥0"), "{}", note.text.zh);
    assert_eq!(per_customer(&ds.orders).get("V2").map(|c| (c.0, c.1)), Some((1, 0)));
}

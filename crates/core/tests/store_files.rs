//! Real exports (CSV and xlsx written here) imported into a real workspace: overlapping exports add
//! only their new orders, the same file again changes nothing, the same layout reuses the saved
//! mapping, and the stored aggregates equal what the importer + `customers::aggregate` compute.

mod store_support;

use std::path::PathBuf;

use chrono::NaiveDateTime;
use tierbook_core::customers::aggregate;
use tierbook_core::import::{import_files, ImportOptions};
use tierbook_core::store::Workspace;
use tierbook_core::{Error, NoProgress};

fn now() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2025-07-01 09:30:00", "%Y-%m-%d %H:%M:%S").unwrap()
}

#[test]
fn overlapping_csv_and_xlsx_exports_add_only_new_orders_and_match_a_fresh_import() {
    let dir = tempfile::tempdir().unwrap();
    let jan_mar = dir.path().join("订单导出_1-3月.csv");
    let mar_may = dir.path().join("订单导出_3-5月.xlsx");
    store_support::write_csv(&jan_mar, 0, 3_000, 700);
    store_support::write_xlsx(&mar_may, 2_000, 5_000, 700);
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();

    let first = ws.import(std::slice::from_ref(&jan_mar), &ImportOptions::default(), now(), &NoProgress).unwrap();
    assert_eq!((first.new_orders, first.known_orders), (3_000, 0));
    let second = ws.import(std::slice::from_ref(&mar_may), &ImportOptions::default(), now(), &NoProgress).unwrap();
    assert_eq!((second.new_orders, second.known_orders), (2_000, 1_000));
    assert_eq!(second.reports.len(), 1);
    assert_eq!(ws.order_count().unwrap(), 5_000);

    // The workspace agrees with importing both files at once and aggregating from scratch.
    let fresh = import_files(&[jan_mar, mar_may], &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(fresh.orders.len(), 5_000);
    assert_eq!(ws.customers().unwrap(), aggregate(&fresh.orders));
}

#[test]
fn the_same_file_imported_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("orders.csv");
    store_support::write_csv(&export, 0, 500, 100);
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    ws.import(std::slice::from_ref(&export), &ImportOptions::default(), now(), &NoProgress).unwrap();
    let before = (ws.order_count().unwrap(), ws.customers().unwrap(), ws.sources().unwrap());

    // Same bytes under another name (users copy files around): still recognized.
    let copy = dir.path().join("orders (1).csv");
    std::fs::copy(&export, &copy).unwrap();
    let again = ws.import(&[export, copy], &ImportOptions::default(), now(), &NoProgress).unwrap();
    assert!(again.is_unchanged());
    assert_eq!(again.unchanged_files, vec!["orders.csv".to_string(), "orders (1).csv".to_string()]);
    assert_eq!((ws.order_count().unwrap(), ws.customers().unwrap(), ws.sources().unwrap()), before);
}

#[test]
fn same_layout_reuses_the_saved_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("一月.csv");
    let b = dir.path().join("二月.csv");
    store_support::write_csv(&a, 0, 200, 50);
    store_support::write_csv(&b, 200, 400, 50);
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    let first = ws.import(&[a], &ImportOptions::default(), now(), &NoProgress).unwrap();
    assert!(!first.sources[0].mapping_reused);
    let second = ws.import(&[b], &ImportOptions::default(), now(), &NoProgress).unwrap();
    assert!(second.sources[0].mapping_reused);
    assert_eq!(second.sources[0].report.mapping.key, first.sources[0].report.mapping.key);
    assert_eq!(ws.order_count().unwrap(), 400);
}

#[test]
fn a_bad_file_in_the_batch_stores_nothing_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    let bad = dir.path().join("header_only.csv");
    store_support::write_csv(&good, 0, 100, 10);
    store_support::write_csv(&bad, 0, 0, 10);
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    let err = ws.import(&[good, bad.clone()], &ImportOptions::default(), now(), &NoProgress).unwrap_err();
    assert_eq!(err.path(), Some(bad.as_path()), "{err}");
    assert_eq!(ws.order_count().unwrap(), 0);
    assert!(ws.sources().unwrap().is_empty());
    let missing = ws.import(&[PathBuf::from("/nonexistent/x.csv")], &ImportOptions::default(), now(), &NoProgress);
    assert!(matches!(missing, Err(Error::Io { .. })));
}

#[test]
fn a_key_the_user_chose_once_is_used_again_for_the_same_layout() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("一月.csv");
    let b = dir.path().join("二月.csv");
    store_support::write_csv(&a, 0, 100, 20);
    store_support::write_csv(&b, 100, 200, 20);
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    let by_receiver = ImportOptions {
        key: Some(tierbook_core::mapping::KeySpec::Column("收货人".into())),
        ..ImportOptions::default()
    };
    ws.import(&[a], &by_receiver, now(), &NoProgress).unwrap();
    // Next month, nothing chosen: the saved mapping (key 收货人) applies without asking.
    let second = ws.import(&[b], &ImportOptions::default(), now(), &NoProgress).unwrap();
    assert!(second.sources[0].mapping_reused);
    assert_eq!(second.sources[0].report.mapping.key, tierbook_core::mapping::KeySpec::Column("收货人".into()));
    let keys: Vec<String> = ws.customers().unwrap().into_iter().map(|c| c.key).collect();
    assert_eq!(keys.len(), 20);
    assert!(keys.iter().all(|k| k.starts_with("收货人")), "{keys:?}");
}

#[test]
fn a_later_export_updates_partial_refunds_and_takes_out_orders_refunded_since() {
    let dir = tempfile::tempdir().unwrap();
    let header = "订单号,买家ID,下单时间,订单状态,实付金额,退款金额\n";
    let jan_mar = dir.path().join("1-3月.csv");
    std::fs::write(
        &jan_mar,
        format!(
            "{header}A1,u1,2025-01-05 10:00:00,已完成,100.00,0\nA2,u1,2025-02-05 10:00:00,已完成,50.00,0\n\
             A3,u2,2025-03-01 10:00:00,已发货,80.00,0\nA4,u3,2025-03-02 10:00:00,已完成,40.00,0\n"
        ),
    )
    .unwrap();
    // Two months later: A3 was partly refunded, A4 fully refunded, A5 is new.
    let mar_may = dir.path().join("3-5月.csv");
    std::fs::write(
        &mar_may,
        format!(
            "{header}A3,u2,2025-03-01 10:00:00,已完成,80.00,30.00\nA4,u3,2025-03-02 10:00:00,已退款,40.00,40.00\n\
             A5,u2,2025-04-01 10:00:00,已完成,60.00,0\n"
        ),
    )
    .unwrap();
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    ws.import(std::slice::from_ref(&jan_mar), &ImportOptions::default(), now(), &NoProgress).unwrap();
    let later = ws.import(std::slice::from_ref(&mar_may), &ImportOptions::default(), now(), &NoProgress).unwrap();
    assert_eq!(
        (later.new_orders, later.known_orders, later.updated_orders, later.withdrawn_orders),
        (1, 1, 1, 1),
        "{:?}",
        later.summary()
    );
    assert!(later.summary().zh.contains("已移除"), "{}", later.summary().zh);
    let customers: Vec<(String, u32, i64)> =
        ws.customers().unwrap().into_iter().map(|c| (c.key, c.orders, c.revenue)).collect();
    // u1: 100 + 50; u2: 80 − 30 refunded + 60; u3 had only the refunded order.
    assert_eq!(customers, vec![("u1".to_string(), 2, 15_000), ("u2".to_string(), 2, 11_000)]);
    assert_eq!(ws.order_count().unwrap(), 4);

    // The same later file again: nothing left to change.
    let again = ws.import(std::slice::from_ref(&mar_may), &ImportOptions::default(), now(), &NoProgress).unwrap();
    assert!(again.is_unchanged());
}

#[test]
fn a_newer_customer_list_replaces_each_customers_totals_instead_of_adding_to_them() {
    let dir = tempfile::tempdir().unwrap();
    let header = "客户名称,累计消费金额,消费次数,最近消费时间\n";
    let march = dir.path().join("会员_3月.csv");
    std::fs::write(&march, format!("{header}王姐,100.00,2,2025-03-01\n李哥,50.00,1,2025-02-11\n")).unwrap();
    // May's list: 王姐 bought again (cumulative 180 over 3 orders), 赵总 is new, 李哥 unchanged.
    let may = dir.path().join("会员_5月.csv");
    std::fs::write(
        &may,
        format!("{header}王姐,180.00,3,2025-05-01\n李哥,50.00,1,2025-02-11\n赵总,30.00,1,2025-04-20\n"),
    )
    .unwrap();
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    ws.import(std::slice::from_ref(&march), &ImportOptions::default(), now(), &NoProgress).unwrap();
    let later = ws.import(std::slice::from_ref(&may), &ImportOptions::default(), now(), &NoProgress).unwrap();
    assert_eq!((later.new_orders, later.known_orders, later.updated_orders), (2, 1, 1));
    let mut customers: Vec<(String, u32, i64)> =
        ws.customers().unwrap().into_iter().map(|c| (c.key, c.orders, c.revenue)).collect();
    customers.sort();
    assert_eq!(
        customers,
        vec![("李哥".to_string(), 1, 5_000), ("王姐".to_string(), 3, 18_000), ("赵总".to_string(), 1, 3_000)]
    );
}

#[test]
fn zero_amount_customers_and_absurd_amounts_reach_the_workspace_right() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("orders.csv");
    std::fs::write(
        &export,
        "订单号,买家ID,下单时间,实付金额\n\
         1,paying,2025-03-01,88.00\n\
         2,gift_only,2025-03-02,0.00\n\
         3,paying,2025-03-03,90000000000000000\n\
         4,absurd_only,2025-03-04,90000000000000000\n\
         5,absurd_only,2025-03-05,-90000000000000000\n",
    )
    .unwrap();
    let mut ws = Workspace::open(&dir.path().join("shop.tierbook")).unwrap();
    ws.import(std::slice::from_ref(&export), &ImportOptions::default(), now(), &NoProgress).unwrap();
    let stored = ws.customers().unwrap();
    // By hand: paying has one ¥88 order (the absurd one is no order), gift_only one ¥0 order,
    // absurd_only nothing at all.
    let got: Vec<(&str, u32, i64)> = stored.iter().map(|c| (c.key.as_str(), c.orders, c.revenue)).collect();
    assert_eq!(got, [("gift_only", 1, 0), ("paying", 1, 8800)]);
    let fresh = import_files(&[export], &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(stored, aggregate(&fresh.orders));
}

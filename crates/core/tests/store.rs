//! The workspace store on real SQLite files in temp folders: create/open, incremental and atomic
//! imports (orders built by hand here; real exports in `store_files.rs`), removing a source,
//! snapshots and their comparison, settings, playbook, backup, and files that are not workspaces.

mod store_support;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use tierbook_core::classify::{Assignment, Classification, ClassifyParams, GroupSummary, Method};
use tierbook_core::mapping::{Column, KeySpec, Level, Mapping, Role};
use tierbook_core::model::{Customer, Order, Text, Tier};
use tierbook_core::playbook::{Action, Playbook};
use tierbook_core::report::ImportReport;
use tierbook_core::source::Format;
use tierbook_core::store::import::ImportedFile;
use tierbook_core::store::{schema, Workspace};
use tierbook_core::{Error, NoProgress};

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn order(id: Option<&str>, key: &str, name: &str, placed: &str, paid: i64, refund: i64) -> Order {
    Order {
        source: 0,
        row: 2,
        order_id: id.map(Box::from),
        customer_key: key.into(),
        customer_name: Some(name.into()),
        phone: None,
        placed_at: at(placed),
        paid,
        refund,
        quantity: Some(1.0),
        status: Some("已完成".into()),
        order_count: 1,
        first_date: None,
        interactions: None,
        region: None,
        items: Default::default(),
    }
}

fn mapping(headers: &[(&str, Option<Role>)]) -> Mapping {
    Mapping {
        sheet: "订单列表".into(),
        header_row: 0,
        columns: headers
            .iter()
            .enumerate()
            .map(|(i, (h, r))| Column { index: i as u32, header: h.to_string(), role: *r })
            .collect(),
        key: KeySpec::Column("买家ID".into()),
        level: Level::Orders,
        alternatives: vec![],
        headerless: false,
    }
}

fn wechat_mapping() -> Mapping {
    mapping(&[
        ("订单号", Some(Role::OrderId)),
        ("下单时间", Some(Role::Date)),
        ("买家ID", Some(Role::CustomerKey)),
        ("买家昵称", Some(Role::Name)),
        ("实付金额", Some(Role::Amount)),
    ])
}

/// A file "read" by the importer: its hash is derived from its name so two files differ.
fn file(name: &str, orders: Vec<Order>, mapping: Mapping) -> ImportedFile {
    ImportedFile {
        path: PathBuf::from(format!("/exports/{name}")),
        size: 1000,
        sha256: format!("{:0>64}", name.bytes().map(|b| format!("{b:02x}")).collect::<String>()),
        report: ImportReport {
            file: name.to_string(),
            format: Format::Csv,
            mapping,
            rows_read: orders.len() as u64,
            orders_kept: orders.len() as u64,
            skipped: vec![],
            first_date: None,
            last_date: None,
            warnings: vec![],
        },
        orders,
        mapping_reused: false,
        withdrawn: vec![],
    }
}

fn store(ws: &mut Workspace, files: Vec<ImportedFile>) -> tierbook_core::store::ImportOutcome {
    ws.store_import(files, vec![], at("2025-07-01 09:00:00"), &NoProgress).unwrap()
}

/// Orders `from..to` of a store with 7 customers; order n belongs to customer n % 7 and pays n yuan.
fn numbered_orders(from: u32, to: u32) -> Vec<Order> {
    (from..to)
        .map(|n| {
            let placed = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap().and_hms_opt(10, 0, 0).unwrap()
                + chrono::Duration::days(i64::from(n));
            let mut o = order(
                Some(&format!("{:019}", 3_700_000_000_000_000_000u64 + u64::from(n))),
                "",
                "",
                "2025-01-01 00:00:00",
                0,
                0,
            );
            o.customer_key = format!("o_buyer_{}", n % 7).into();
            o.customer_name = Some(format!("买家{}-{}", n % 7, n).into());
            o.placed_at = placed;
            o.paid = i64::from(n) * 100;
            o
        })
        .collect()
}

/// The aggregates a workspace must hold for `orders`, computed here without the store.
fn expected_customers(orders: &[Order]) -> Vec<Customer> {
    let mut by: BTreeMap<String, Customer> = BTreeMap::new();
    for o in orders {
        let d = o.placed_at.date();
        let c = by.entry(o.customer_key.to_string()).or_insert_with(|| Customer {
            key: o.customer_key.to_string(),
            name: String::new(),
            phone: None,
            orders: 0,
            revenue: 0,
            first_order: d,
            last_order: d,
            interactions: None,
            profit: None,
        });
        c.orders += o.order_count;
        c.revenue += o.net();
        c.first_order = c.first_order.min(d);
        if d >= c.last_order {
            c.name = o.customer_name.as_deref().unwrap_or_default().to_owned();
        }
        c.last_order = c.last_order.max(d);
    }
    by.into_values().collect()
}

#[test]
fn new_workspace_is_created_in_wal_mode_at_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("店铺.tierbook");
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.schema_version().unwrap(), schema::LATEST_VERSION);
    assert_eq!(ws.order_count().unwrap(), 0);
    assert!(ws.customers().unwrap().is_empty());
    assert!(ws.latest_snapshot().unwrap().is_none());
    drop(ws);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let mode: String = raw.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let app: i32 = raw.pragma_query_value(None, "application_id", |r| r.get(0)).unwrap();
    assert_eq!(app, schema::APPLICATION_ID);
    let page: i64 = raw.pragma_query_value(None, "page_size", |r| r.get(0)).unwrap();
    assert_eq!(page, schema::NEW_PAGE_SIZE);
}

/// A workspace made with SQLite's 4 KiB pages (every one before 16 KiB became the default for new
/// ones) keeps them: a page size cannot change without rewriting the file.
#[test]
fn an_older_workspaces_page_size_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.tierbook");
    Workspace::open(&path).unwrap();
    // The same workspace as SQLite's default pages would have made it: rewritten with VACUUM.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "journal_mode", "DELETE").unwrap();
    raw.pragma_update(None, "page_size", 4096).unwrap();
    raw.execute_batch("VACUUM").unwrap();
    drop(raw);
    let mut ws = Workspace::open(&path).unwrap();
    store(&mut ws, vec![file("a.csv", numbered_orders(0, 50), wechat_mapping())]);
    drop(ws);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let page: i64 = raw.pragma_query_value(None, "page_size", |r| r.get(0)).unwrap();
    assert_eq!(page, 4096);
    drop(raw);
    assert_eq!(Workspace::open(&path).unwrap().order_count().unwrap(), 50);
}

#[test]
fn empty_file_from_a_save_dialog_becomes_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.tierbook");
    std::fs::write(&path, b"").unwrap();
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.schema_version().unwrap(), schema::LATEST_VERSION);
}

#[test]
fn overlapping_exports_add_only_the_new_orders() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    let first = store(&mut ws, vec![file("jan-mar.csv", numbered_orders(0, 90), wechat_mapping())]);
    assert_eq!((first.new_orders, first.known_orders), (90, 0));
    let second = store(&mut ws, vec![file("mar-may.csv", numbered_orders(60, 150), wechat_mapping())]);
    assert_eq!((second.new_orders, second.known_orders), (60, 30));
    assert_eq!(second.sources.len(), 1);
    assert_eq!((second.sources[0].orders_added, second.sources[0].orders_known), (60, 30));
    assert_eq!(ws.order_count().unwrap(), 150);
    assert_eq!(ws.customers().unwrap(), expected_customers(&numbered_orders(0, 150)));
}

/// A large import's commit leaves copying its log into the database file to a checkpoint of its
/// own, beside the reads that follow; the workspace reads and writes on meanwhile, and closing it
/// waits for that checkpoint: the log is gone, and the database file alone holds every order.
#[test]
fn a_large_import_is_in_the_database_file_alone_once_the_workspace_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("店铺.tierbook");
    // ~40,000 orders: ~2 MB of log (a hundred-odd 16 KiB pages) that closing must copy in.
    let orders = numbered_orders(0, 40_000);
    let expected = expected_customers(&orders);
    let mut ws = Workspace::open(&path).unwrap();
    store(&mut ws, vec![file("全年.xlsx", orders, wechat_mapping())]);
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    assert!(std::fs::metadata(&wal).unwrap().len() > 1_500_000, "the import went through the log");
    assert_eq!(ws.customers().unwrap(), expected);
    ws.set_setting("after-import", &1).unwrap();
    drop(ws);
    assert!(!wal.exists(), "closing waited for the checkpoint and removed the log");

    let copy = dir.path().join("副本.tierbook");
    std::fs::copy(&path, &copy).unwrap();
    let ws = Workspace::open(&copy).unwrap();
    assert_eq!(ws.order_count().unwrap(), 40_000);
    assert_eq!(ws.customers().unwrap(), expected);
    assert_eq!(ws.get_setting::<i64>("after-import").unwrap(), Some(1));
}

#[test]
fn same_order_id_under_another_platform_header_is_another_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    store(&mut ws, vec![file("wx.csv", numbered_orders(0, 10), wechat_mapping())]);
    let taobao = mapping(&[("订单编号", Some(Role::OrderId)), ("买家会员名", Some(Role::CustomerKey))]);
    let outcome = store(&mut ws, vec![file("tb.csv", numbered_orders(0, 10), taobao)]);
    assert_eq!((outcome.new_orders, outcome.known_orders), (10, 0));
}

#[test]
fn orders_without_id_are_deduplicated_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    let no_id =
        mapping(&[("客户名称", Some(Role::CustomerKey)), ("日期", Some(Role::Date)), ("金额", Some(Role::Amount))]);
    let a = vec![
        order(None, "张三", "张三", "2025-03-01 00:00:00", 5000, 0),
        order(None, "李四", "李四", "2025-03-02 00:00:00", 8000, 0),
    ];
    let mut b = a.clone();
    b.push(order(None, "张三", "张三", "2025-03-01 00:00:00", 5100, 0));
    store(&mut ws, vec![file("a.csv", a, no_id.clone())]);
    let outcome = store(&mut ws, vec![file("b.csv", b, no_id)]);
    assert_eq!((outcome.new_orders, outcome.known_orders), (1, 2));
    assert_eq!(ws.orders_of("张三").unwrap().len(), 2);
}

#[test]
fn same_file_again_changes_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.tierbook");
    let mut ws = Workspace::open(&path).unwrap();
    store(&mut ws, vec![file("jan.csv", numbered_orders(0, 40), wechat_mapping())]);
    let before = (ws.order_count().unwrap(), ws.customers().unwrap(), ws.sources().unwrap());
    let again = store(&mut ws, vec![file("jan.csv", numbered_orders(0, 40), wechat_mapping())]);
    assert!(again.is_unchanged());
    assert_eq!(again.unchanged_files, vec!["jan.csv".to_string()]);
    assert!(again.summary().zh.contains("完全相同"));
    assert_eq!((ws.order_count().unwrap(), ws.customers().unwrap(), ws.sources().unwrap()), before);
}

#[test]
fn customer_name_comes_from_the_latest_order_across_imports() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    let late = vec![order(Some("2"), "k", "新昵称", "2025-05-01 12:00:00", 1000, 0)];
    let early = vec![order(Some("1"), "k", "旧昵称", "2025-01-01 12:00:00", 2000, 500)];
    store(&mut ws, vec![file("late.csv", late, wechat_mapping())]);
    store(&mut ws, vec![file("early.csv", early, wechat_mapping())]);
    let customers = ws.customers().unwrap();
    assert_eq!(customers.len(), 1);
    let c = &customers[0];
    assert_eq!((c.name.as_str(), c.orders, c.revenue), ("新昵称", 2, 2500));
    assert_eq!((c.first_order, c.last_order), (day("2025-01-01"), day("2025-05-01")));
}

#[test]
fn the_latest_order_of_a_tie_on_time_is_the_larger_order_id_however_the_orders_arrive() {
    // Two orders placed in the same second: the one with the larger order id gives the name, phone
    // and region, in one file in either row order, in two imports in either order, and after the
    // other source is removed, as `customers::aggregate` (the in-memory classification) decides.
    let with = |id: &str, name: &str, phone: &str, province: &str| {
        let mut o = order(Some(id), "k", name, "2025-05-01 12:00:00", 1000, 0);
        o.phone = Some(phone.into());
        o.region = Some(tierbook_core::model::Region { province: province.into(), city: None });
        o
    };
    let (small, large) = (with("7", "旧昵称", "13800000007", "广东"), with("9", "新昵称", "13800000009", "浙江"));
    let expected = tierbook_core::customers::aggregate(&[small.clone(), large.clone()]);
    assert_eq!(expected[0].name, "新昵称");
    let check = |ws: &Workspace, what: &str| {
        assert_eq!(ws.customers().unwrap(), expected, "{what}");
        assert_eq!(ws.customer_regions().unwrap().province("k"), "浙江", "{what}");
    };
    let dir = tempfile::tempdir().unwrap();
    for (i, rows) in [vec![small.clone(), large.clone()], vec![large.clone(), small.clone()]].into_iter().enumerate() {
        let mut ws = Workspace::open(&dir.path().join(format!("one-{i}.tierbook"))).unwrap();
        store(&mut ws, vec![file("both.csv", rows, wechat_mapping())]);
        check(&ws, &format!("one file, order {i}"));
    }
    for (i, (first, second)) in [(&small, &large), (&large, &small)].into_iter().enumerate() {
        let mut ws = Workspace::open(&dir.path().join(format!("two-{i}.tierbook"))).unwrap();
        store(&mut ws, vec![file("a.csv", vec![first.clone()], wechat_mapping())]);
        let blank = tierbook_core::model::Order { region: None, ..with("8", "", " ", "") };
        store(&mut ws, vec![file("b.csv", vec![second.clone(), blank], wechat_mapping())]);
        // A third order of the same second, id 8, with a blank name and phone, changes nothing but
        // the sums; taken out again with its source, the larger id still decides.
        let mut sums = expected.clone();
        sums[0].orders += 1;
        sums[0].revenue += 1000;
        assert_eq!(ws.customers().unwrap(), sums, "two imports, order {i}");
        let sources = ws.sources().unwrap();
        let keep_large = if i == 0 { sources[1].id } else { sources[0].id };
        let removed = sources.iter().map(|s| s.id).find(|&id| id != keep_large).unwrap();
        ws.remove_source(removed).unwrap();
        let only = ws.customers().unwrap();
        assert_eq!((only[0].name.as_str(), only[0].phone.as_deref()), ("新昵称", Some("13800000009")));
    }
}

#[test]
fn removing_a_source_keeps_orders_a_later_source_also_had() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    store(&mut ws, vec![file("jan-mar.csv", numbered_orders(0, 90), wechat_mapping())]);
    store(&mut ws, vec![file("mar-may.csv", numbered_orders(60, 150), wechat_mapping())]);
    let sources = ws.sources().unwrap();
    ws.remove_source(sources[0].id).unwrap();
    assert_eq!(ws.order_count().unwrap(), 90);
    assert_eq!(ws.customers().unwrap(), expected_customers(&numbered_orders(60, 150)));
    assert_eq!(ws.sources().unwrap().len(), 1);

    ws.remove_source(sources[1].id).unwrap();
    assert_eq!(ws.order_count().unwrap(), 0);
    assert!(ws.customers().unwrap().is_empty());
    assert!(matches!(ws.remove_source(sources[1].id), Err(Error::SourceNotFound(_))));
}

#[test]
fn removing_the_later_source_leaves_the_first_import_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    store(&mut ws, vec![file("jan-mar.csv", numbered_orders(0, 90), wechat_mapping())]);
    store(&mut ws, vec![file("mar-may.csv", numbered_orders(60, 150), wechat_mapping())]);
    let later = ws.sources().unwrap()[1].id;
    ws.remove_source(later).unwrap();
    assert_eq!(ws.order_count().unwrap(), 90);
    assert_eq!(ws.customers().unwrap(), expected_customers(&numbered_orders(0, 90)));
    // The same later file can be imported again once removed.
    let again = store(&mut ws, vec![file("mar-may.csv", numbered_orders(60, 150), wechat_mapping())]);
    assert_eq!((again.new_orders, again.known_orders), (60, 30));
}

#[test]
fn cancelled_import_stores_nothing() {
    struct CancelAfter(std::sync::atomic::AtomicU32);
    impl tierbook_core::Progress for CancelAfter {
        fn report(&self, _: tierbook_core::Stage, _: u64, _: u64) {}
        fn cancelled(&self) -> bool {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= 2
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    store(&mut ws, vec![file("a.csv", numbered_orders(0, 10), wechat_mapping())]);
    let big = file("b.csv", numbered_orders(0, 20_000), wechat_mapping());
    let result = ws.store_import(vec![big], vec![], at("2025-07-01 09:00:00"), &CancelAfter(0.into()));
    assert!(matches!(result, Err(Error::Cancelled)));
    assert_eq!(ws.order_count().unwrap(), 10);
    assert_eq!(ws.sources().unwrap().len(), 1);
    assert_eq!(ws.customers().unwrap(), expected_customers(&numbered_orders(0, 10)));
}

#[test]
fn hashing_a_file_reports_a_cancel_stops_the_import_and_a_known_file_is_unchanged() {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Mutex;
    /// Records reports; cancels at its `cancel_at`-th check.
    struct Watch {
        reports: Mutex<Vec<(tierbook_core::Stage, u64, u64)>>,
        checks: AtomicU32,
        cancel_at: u32,
    }
    impl tierbook_core::Progress for Watch {
        fn report(&self, stage: tierbook_core::Stage, done: u64, total: u64) {
            self.reports.lock().unwrap().push((stage, done, total));
        }
        fn cancelled(&self) -> bool {
            self.checks.fetch_add(1, Ordering::Relaxed) + 1 >= self.cancel_at
        }
    }
    let dir = tempfile::tempdir().unwrap();
    // ~10 MiB of orders: the hash alone takes three checks (one per 4 MiB).
    let path = dir.path().join("orders.csv");
    let mut csv = String::from("订单编号,买家昵称,实付金额,下单时间\n");
    let mut n = 0;
    while csv.len() < 10 << 20 {
        csv.push_str(&format!("SN{n:09},客户{},{}.50,2025-03-{:02} 10:00:00\n", n % 5000, 10 + n % 300, 1 + n % 28));
        n += 1;
    }
    std::fs::write(&path, &csv).unwrap();
    let (size, sha) = tierbook_core::store::file_digest(&path, &tierbook_core::NoProgress).unwrap();
    assert_eq!(size, csv.len() as u64);
    assert_eq!(sha, format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(csv.as_bytes())));

    let watch = Watch { reports: Mutex::new(Vec::new()), checks: AtomicU32::new(0), cancel_at: u32::MAX };
    assert_eq!(tierbook_core::store::file_digest(&path, &watch).unwrap(), (size, sha));
    let reports = watch.reports.into_inner().unwrap();
    assert_eq!(reports.len(), 3, "one report per 4 MiB of 10 MiB");
    assert!(reports.iter().all(|&r| r == (tierbook_core::Stage::Reading, 0, 0)));

    // Cancelled at the second check: the import hashes and reads side by side, and both stop.
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    let watch = Watch { reports: Mutex::new(Vec::new()), checks: AtomicU32::new(0), cancel_at: 2 };
    let options = tierbook_core::import::ImportOptions::default();
    let result = ws.import(std::slice::from_ref(&path), &options, at("2025-07-01 09:00:00"), &watch);
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert_eq!(ws.order_count().unwrap(), 0);
    assert!(ws.sources().unwrap().is_empty());

    // Imported, then imported again (twice in one call, and once more): the same bytes are known by
    // their hash, so they are unchanged and store nothing, whatever their reading had got to.
    let first = ws.import(std::slice::from_ref(&path), &options, at("2025-07-01 09:00:00"), &NoProgress).unwrap();
    assert_eq!((first.new_orders, first.unchanged_files.len()), (n as u64, 0));
    let copy = dir.path().join("orders copy.csv");
    std::fs::copy(&path, &copy).unwrap();
    let again = ws.import(&[path.clone(), copy], &options, at("2025-07-02 09:00:00"), &NoProgress).unwrap();
    assert_eq!((again.new_orders, again.known_orders), (0, 0));
    assert_eq!(again.unchanged_files, ["orders.csv", "orders copy.csv"]);
    assert_eq!(ws.sources().unwrap().len(), 1);
}

/// Two copies of a new file in one import: the first is read and stored, the second is unchanged.
#[test]
fn the_same_new_file_twice_in_one_import_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("一月.csv");
    std::fs::write(
        &path,
        "订单编号,买家昵称,实付金额,下单时间\nSN1,小明,10.50,2025-01-03 10:00:00\nSN2,小红,20,2025-01-04 10:00:00\n",
    )
    .unwrap();
    let copy = dir.path().join("一月 (1).csv");
    std::fs::copy(&path, &copy).unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    let options = tierbook_core::import::ImportOptions::default();
    let outcome = ws.import(&[path, copy], &options, at("2025-07-01 09:00:00"), &NoProgress).unwrap();
    assert_eq!((outcome.new_orders, outcome.unchanged_files.as_slice()), (2, ["一月 (1).csv".to_string()].as_slice()));
    assert_eq!(ws.sources().unwrap().len(), 1);
}

// ---- snapshots and comparison ----

fn assignment(tier: Tier, segment: Option<&str>) -> Assignment {
    Assignment {
        tier,
        segment: segment.map(Into::into),
        recency_days: 3,
        r_score: 5,
        f_score: 4,
        m_score: 3,
        abc: tier,
        rfm_type: "重要价值客户".into(),
        score: None,
        reason: Text::new("累计消费排名前 80%", "top 80% of revenue"),
        gap: if tier == Tier::A {
            None
        } else {
            Some(Text::new("再消费 ¥180 升至 A 类", "¥180 more to reach A"))
        },
    }
}

fn customer(key: &str, revenue: i64) -> Customer {
    Customer {
        key: key.into(),
        name: format!("{key}的昵称"),
        phone: Some("138****0000".into()),
        orders: 2,
        revenue,
        first_order: day("2025-01-05"),
        last_order: day("2025-03-05"),
        interactions: None,
        profit: None,
    }
}

/// A classification of `rows` (key, tier, segment, revenue), as the classifier would return it.
fn snapshot_of(rows: &[(&str, Tier, Option<&str>, i64)], as_of: &str) -> (Vec<Customer>, Classification) {
    let customers: Vec<Customer> = rows.iter().map(|(k, _, _, r)| customer(k, *r)).collect();
    let classification = Classification {
        params: ClassifyParams {
            method: Method::AbcRevenue { a_pct: 80.0, b_pct: 95.0 },
            as_of: Some(day(as_of)),
            segment_tiers: BTreeMap::new(),
            segment_names: BTreeMap::new(),
            ..ClassifyParams::default()
        },
        as_of: day(as_of),
        thresholds: vec![],
        tiers: vec![GroupSummary {
            group: "A".into(),
            customers: 1,
            customer_share: 0.5,
            orders: 2,
            revenue: 100,
            revenue_share: 0.8,
            aov: 50,
        }],
        segments: vec![],
        assignments: rows.iter().map(|(_, t, s, _)| assignment(*t, *s)).collect(),
        notes: vec![Text::new("说明", "note")],
        score_notes: vec![Text::new("F 按次数分档", "F count bins")],
    };
    (customers, classification)
}

fn playbook() -> Playbook {
    let act = |zh: &str, en: &str| Action {
        action: Text::new(zh, en),
        channel: Text::new("企业微信", "WeCom"),
        priority: 1,
        contact_in_days: 7,
    };
    Playbook {
        tiers: [
            (Tier::A, act("专属客服一对一", "dedicated 1:1 service")),
            (Tier::B, act("定期促销", "regular promotions")),
            (Tier::C, act("自动化触达", "automated reach")),
        ]
        .into_iter()
        .collect(),
        segments: [("重要挽留客户".to_string(), act("立即回访 + 专属挽回券", "call back + win-back coupon"))]
            .into_iter()
            .collect(),
    }
}

#[test]
fn snapshot_round_trips_customers_and_classification() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    let (customers, classification) =
        snapshot_of(&[("k1", Tier::A, Some("重要价值客户"), 9000), ("k2", Tier::C, None, 100)], "2025-03-31");
    let info = ws.save_snapshot(&customers, &classification, Some("三月")).unwrap();
    assert_eq!(
        (info.as_of, info.label.as_deref(), info.customers, info.revenue),
        (day("2025-03-31"), Some("三月"), 2, 9100)
    );
    let loaded = ws.load_latest().unwrap().unwrap();
    assert_eq!(loaded.customers, customers);
    assert_eq!(loaded.classification, classification);
    assert_eq!(ws.snapshots().unwrap(), vec![info.clone()]);
    ws.delete_snapshot(info.id).unwrap();
    assert!(ws.snapshots().unwrap().is_empty());
    assert!(matches!(ws.delete_snapshot(info.id), Err(Error::SnapshotNotFound(_))));
}

#[test]
fn snapshot_with_mismatched_lengths_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    let (mut customers, classification) = snapshot_of(&[("k1", Tier::A, None, 1)], "2025-03-31");
    customers.push(customer("k2", 5));
    assert!(matches!(ws.save_snapshot(&customers, &classification, None), Err(Error::InvalidParams(_))));
    assert!(ws.snapshots().unwrap().is_empty());
}

#[test]
fn compare_counts_flows_and_lists_movers_with_win_back_first_for_fallen_a() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    let (c1, k1) = snapshot_of(
        &[
            ("a", Tier::A, Some("重要价值客户"), 10_000),
            ("b", Tier::A, Some("重要价值客户"), 9_000),
            ("c", Tier::B, Some("重要发展客户"), 3_000),
            ("d", Tier::C, None, 500),
            ("e", Tier::B, None, 2_500),
            ("g", Tier::A, None, 8_000),
        ],
        "2025-03-31",
    );
    let (c2, k2) = snapshot_of(
        &[
            ("a", Tier::A, Some("重要价值客户"), 12_000),
            ("b", Tier::B, Some("重要挽留客户"), 9_100),
            ("c", Tier::A, Some("重要价值客户"), 7_000),
            ("d", Tier::C, None, 600),
            ("f", Tier::B, None, 4_000),
        ],
        "2025-06-30",
    );
    let old = ws.save_snapshot(&c1, &k1, None).unwrap();
    let new = ws.save_snapshot(&c2, &k2, None).unwrap();
    let m = ws.compare(old.id, new.id, &playbook()).unwrap();
    assert_eq!((m.old_as_of, m.new_as_of), (day("2025-03-31"), day("2025-06-30")));

    let flows: HashMap<(Option<Tier>, Option<Tier>), (u64, i64)> =
        m.flows.iter().map(|f| ((f.from, f.to), (f.customers, f.revenue))).collect();
    use Tier::*;
    let expected: HashMap<(Option<Tier>, Option<Tier>), (u64, i64)> = [
        ((Some(A), Some(A)), (1, 12_000)),
        ((Some(A), Some(B)), (1, 9_100)),
        ((Some(B), Some(A)), (1, 7_000)),
        ((Some(C), Some(C)), (1, 600)),
        ((Some(B), None), (1, 2_500)),
        ((Some(A), None), (1, 8_000)),
        ((None, Some(B)), (1, 4_000)),
    ]
    .into_iter()
    .collect();
    assert_eq!(flows, expected);

    let keys = |v: &[tierbook_core::history::Move]| v.iter().map(|m| m.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&m.upgraded), ["c"]);
    assert_eq!(keys(&m.downgraded), ["b"]);
    assert_eq!(keys(&m.new), ["f"]);
    // Lost: the former A customer comes first.
    assert_eq!(keys(&m.lost), ["g", "e"]);

    let b = &m.downgraded[0];
    assert_eq!(
        (b.from, b.to, b.from_segment.as_deref(), b.to_segment.as_deref()),
        (Some(A), Some(B), Some("重要价值客户"), Some("重要挽留客户"))
    );
    assert!(b.action.zh.starts_with("挽回：立即回访"), "{}", b.action.zh);
    assert!(m.lost[0].action.zh.starts_with("挽回："), "{}", m.lost[0].action.zh);
    assert!(!m.lost[1].action.zh.starts_with("挽回："), "{}", m.lost[1].action.zh);
    assert_eq!(m.upgraded[0].action.zh, "专属客服一对一");
    assert_eq!(m.new[0].action.zh, "定期促销");

    let seg: HashMap<(Option<String>, Option<String>), u64> =
        m.segment_flows.iter().map(|f| ((f.from.clone(), f.to.clone()), f.customers)).collect();
    assert_eq!(seg.get(&(Some("重要价值客户".into()), Some("重要挽留客户".into()))), Some(&1));
    assert_eq!(seg.get(&(Some("重要发展客户".into()), Some("重要价值客户".into()))), Some(&1));
    assert_eq!(seg.get(&(Some("重要价值客户".into()), Some("重要价值客户".into()))), Some(&1));
    assert_eq!(seg.values().sum::<u64>(), 7);
}

/// A snapshot of several thousand customers spans several stored blocks: every field of every
/// customer reads back as saved, in the order saved (not key order), and the comparison of two such
/// snapshots, saved in scrambled key order, counts what a plain walk over both counts.
#[test]
fn snapshots_of_many_customers_read_back_whole_and_compare_in_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.tierbook");
    let mut ws = Workspace::open(&path).unwrap();
    let tiers = [Tier::A, Tier::B, Tier::C, Tier::D];
    let segments = [Some("重要价值客户"), Some("一般挽留客户"), None, Some("新客户 “试用”")];
    // Customer i of 9,000, saved in a scrambled order; its tier in the second snapshot moves for
    // every 7th, every 10th is gone by then, and 500 new ones come.
    let make = |i: usize, tier: Tier| -> (Customer, Assignment) {
        let mut c = customer(&format!("k{i:05}"), 100 + i as i64 * 37);
        c.phone = (!i.is_multiple_of(3)).then(|| format!("1{:010}", i * 7));
        c.interactions = i.is_multiple_of(5).then_some(i as f64 / 4.0);
        c.orders = 1 + (i % 11) as u32;
        c.first_order = day("2024-01-01") + chrono::Duration::days((i % 400) as i64);
        let mut a = assignment(tier, segments[i % 4]);
        a.recency_days = (i % 365) as i64;
        (a.r_score, a.f_score, a.m_score) = ((i % 5) as u8 + 1, (i % 4) as u8 + 1, (i % 3) as u8 + 1);
        a.abc = tiers[(i / 3) % 3];
        a.rfm_type = ["重要价值客户", "一般发展客户"][i % 2].into();
        a.score = i.is_multiple_of(2).then_some(i as f64 / 90.0);
        a.reason = Text::new(format!("累计消费 ¥{}，排名第 {i}", c.revenue), format!("Spent ¥{}, rank {i}", c.revenue));
        a.gap = (tier != Tier::A).then(|| Text::new(format!("再消费 ¥{i} 升级"), format!("¥{i} more")));
        (c, a)
    };
    let order: Vec<usize> = (0..9000).map(|n| (n * 7919) % 9000).collect();
    let old_tier = |i: usize| tiers[i % 3];
    let new_tier = |i: usize| if i.is_multiple_of(7) { tiers[(i + 1) % 4] } else { old_tier(i) };
    let (c1, a1): (Vec<Customer>, Vec<Assignment>) = order.iter().map(|&i| make(i, old_tier(i))).unzip();
    let (c2, a2): (Vec<Customer>, Vec<Assignment>) =
        order.iter().copied().chain(9000..9500).filter(|i| !i.is_multiple_of(10)).map(|i| make(i, new_tier(i))).unzip();
    let (_, mut k1) = snapshot_of(&[], "2025-03-31");
    k1.assignments = a1;
    let (_, mut k2) = snapshot_of(&[], "2025-06-30");
    k2.assignments = a2;
    let old = ws.save_snapshot(&c1, &k1, Some("三月")).unwrap();
    let new = ws.save_snapshot(&c2, &k2, None).unwrap();

    let loaded = ws.load_snapshot(old.id).unwrap();
    assert_eq!(loaded.customers, c1);
    assert_eq!(loaded.classification, k1);
    assert_eq!(ws.load_latest().unwrap().unwrap().classification.assignments, k2.assignments);

    let m = ws.compare(old.id, new.id, &playbook()).unwrap();
    let count = |from: Option<Tier>, to: Option<Tier>| -> u64 {
        m.flows.iter().filter(|f| (f.from, f.to) == (from, to)).map(|f| f.customers).sum()
    };
    let (mut up, mut down, mut same) = (0, 0, 0);
    for i in (0..9000usize).filter(|i| !i.is_multiple_of(10)) {
        match new_tier(i).cmp(&old_tier(i)) {
            std::cmp::Ordering::Less => up += 1,
            std::cmp::Ordering::Greater => down += 1,
            std::cmp::Ordering::Equal => same += 1,
        }
    }
    assert_eq!((m.upgraded.len(), m.downgraded.len()), (up, down));
    assert_eq!(m.new.len(), 450);
    assert_eq!(m.lost.len(), 900);
    let kept: u64 = tiers.iter().map(|&t| count(Some(t), Some(t))).sum();
    assert_eq!(kept, same as u64);
    // The moves name their customers as saved.
    let moved = &m.upgraded[0];
    let i: usize = moved.key[1..].parse().unwrap();
    assert_eq!((moved.from, moved.to), (Some(old_tier(i)), Some(new_tier(i))));
    assert_eq!(moved.name, format!("k{i:05}的昵称"));

    // Deleting a snapshot takes all its blocks; the other one stays whole.
    ws.delete_snapshot(old.id).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let blocks: Vec<i64> = {
        let mut stmt = raw.prepare("SELECT DISTINCT snapshot_id FROM snapshot_blocks").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(blocks, [new.id]);
    assert_eq!(ws.load_snapshot(new.id).unwrap().customers, c2);
}

/// The tier history of the current classification is read from the snapshots once and kept: it
/// follows a snapshot saved or deleted through the same workspace and one saved by another
/// connection (the CLI beside the app), always equal to what a freshly opened workspace reads.
#[test]
fn tier_history_follows_snapshots_saved_here_and_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.tierbook");
    let mut ws = Workspace::open(&path).unwrap();
    let (customers, march) = snapshot_of(&[("k1", Tier::A, None, 9000), ("k2", Tier::B, None, 100)], "2025-03-31");
    let (_, june) = snapshot_of(&[("k1", Tier::B, None, 9000), ("k2", Tier::B, None, 100)], "2025-06-30");
    let (_, july) = snapshot_of(&[("k1", Tier::C, None, 9000), ("k2", Tier::A, None, 100)], "2025-07-31");
    let fresh = |c: &Classification| Workspace::open(&path).unwrap().tier_changes_of(&customers, c).unwrap();
    let previous = |ws: &Workspace, c: &Classification| {
        let changes = ws.tier_changes_of(&customers, c).unwrap();
        assert_eq!(changes, fresh(c));
        (changes.get("k1").and_then(|t| t.previous), changes.get("k1").is_some_and(|t| t.dropped))
    };
    assert_eq!(previous(&ws, &june), (None, false));
    ws.save_snapshot(&customers, &march, None).unwrap();
    assert_eq!(previous(&ws, &june), (Some(Tier::A), true));
    // June saved: it is the current classification itself, March stays the previous one.
    let saved_june = ws.save_snapshot(&customers, &june, None).unwrap();
    assert_eq!(previous(&ws, &june), (Some(Tier::A), true));
    assert_eq!(previous(&ws, &july), (Some(Tier::B), true));
    // Another connection saves July: seen here at the next question.
    let mut other = Workspace::open(&path).unwrap();
    other.save_snapshot(&customers, &july, None).unwrap();
    drop(other);
    assert_eq!(previous(&ws, &june), (Some(Tier::C), false));
    ws.delete_snapshot(saved_june.id).unwrap();
    assert_eq!(previous(&ws, &june), (Some(Tier::C), false));
    let latest = ws.latest_snapshot().unwrap().unwrap();
    ws.delete_snapshot(latest.id).unwrap();
    assert_eq!(previous(&ws, &june), (Some(Tier::A), true));
}

#[test]
fn compare_of_unknown_snapshot_is_snapshot_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    assert!(matches!(ws.compare(1, 2, &playbook()), Err(Error::SnapshotNotFound(_))));
}

// ---- settings, playbook, backup ----

#[test]
fn settings_and_playbook_persist_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.tierbook");
    let mut ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.get_setting::<String>("lang").unwrap(), None);
    ws.set_setting("lang", "en").unwrap();
    ws.set_setting("cut_points", &vec![80.0, 95.0]).unwrap();
    let mut edited = playbook();
    edited.tiers.get_mut(&Tier::A).unwrap().action = Text::new("店长亲自回访", "owner calls personally");
    ws.save_playbook(&edited).unwrap();
    drop(ws);
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.get_setting::<String>("lang").unwrap().as_deref(), Some("en"));
    assert_eq!(ws.get_setting::<Vec<f64>>("cut_points").unwrap(), Some(vec![80.0, 95.0]));
    assert!(matches!(ws.get_setting::<u32>("lang"), Err(Error::Store(_))));
    assert_eq!(ws.playbook().unwrap(), edited);
}

#[test]
fn backup_copy_opens_and_holds_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    store(&mut ws, vec![file("a.csv", numbered_orders(0, 300), wechat_mapping())]);
    let (customers, classification) = snapshot_of(&[("k1", Tier::A, None, 1)], "2025-03-31");
    ws.save_snapshot(&customers, &classification, None).unwrap();
    ws.set_setting("lang", "zh").unwrap();
    let copy = dir.path().join("备份").join("copy.tierbook");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    ws.backup_to(&copy).unwrap();
    // One self-contained file: no WAL beside it.
    assert!(!Path::new(&format!("{}-wal", copy.display())).exists());
    let back = Workspace::open(&copy).unwrap();
    back.check_integrity().unwrap();
    assert_eq!(back.customers().unwrap(), ws.customers().unwrap());
    assert_eq!(back.order_count().unwrap(), 300);
    assert_eq!(back.sources().unwrap(), ws.sources().unwrap());
    assert_eq!(back.snapshots().unwrap(), ws.snapshots().unwrap());
    assert_eq!(back.get_setting::<String>("lang").unwrap().as_deref(), Some("zh"));
    assert!(matches!(ws.backup_to(ws.path()), Err(Error::Write { .. })));
}

// ---- files that are not (our) workspaces ----

#[test]
fn text_file_is_not_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, "订单号,买家ID,实付金额\n1,a,10\n").unwrap();
    let err = Workspace::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotAWorkspace { .. }), "{err:?}");
    assert!(err.to_string().contains("不是 TierBook 工作区"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "订单号,买家ID,实付金额\n1,a,10\n");
}

#[test]
fn another_programs_sqlite_database_is_not_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wechat.db");
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "CREATE TABLE message (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO message(body) VALUES ('hi');",
    )
    .unwrap();
    drop(raw);
    let before = std::fs::read(&path).unwrap();
    let err = Workspace::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotAWorkspace { .. }), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "a foreign database must not be modified");
}

#[test]
fn damaged_workspace_is_not_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.tierbook");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend((0..8000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&path, &bytes).unwrap();
    let err = Workspace::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotAWorkspace { .. }), "{err:?}");
}

#[test]
fn folder_is_not_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let err = Workspace::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::NotAWorkspace { .. }), "{err:?}");
}

#[test]
fn workspace_from_a_newer_tierbook_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.tierbook");
    let mut ws = Workspace::open(&path).unwrap();
    store(&mut ws, vec![file("a.csv", numbered_orders(0, 5), wechat_mapping())]);
    drop(ws);
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", schema::LATEST_VERSION + 1).unwrap();
    raw.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(raw);
    let before = std::fs::read(&path).unwrap();
    let err = Workspace::open(&path).unwrap_err();
    match err {
        Error::WorkspaceTooNew { found, supported, .. } => {
            assert_eq!((found, supported), (schema::LATEST_VERSION + 1, schema::LATEST_VERSION))
        }
        other => panic!("expected WorkspaceTooNew, got {other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "a newer workspace must not be modified");
}

#[test]
fn snapshot_is_current_until_new_orders_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    store(&mut ws, vec![file("a.csv", numbered_orders(0, 30), wechat_mapping())]);
    let customers = ws.customers().unwrap();
    let (_, mut classification) = snapshot_of(&[], "2025-03-31");
    classification.assignments = customers.iter().map(|_| assignment(Tier::B, None)).collect();
    let info = ws.save_snapshot(&customers, &classification, None).unwrap();
    assert!(ws.snapshot_is_current(info.id).unwrap());
    store(&mut ws, vec![file("b.csv", numbered_orders(30, 31), wechat_mapping())]);
    assert!(!ws.snapshot_is_current(info.id).unwrap());
}

#[test]
fn snapshot_with_a_customer_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    let (customers, classification) = snapshot_of(&[("k1", Tier::A, None, 1), ("k1", Tier::B, None, 2)], "2025-03-31");
    assert!(matches!(ws.save_snapshot(&customers, &classification, None), Err(Error::InvalidParams(_))));
    assert!(ws.snapshots().unwrap().is_empty());
}

#[test]
fn a_store_error_keeps_its_cause_and_speaks_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    ws.set_setting("lang", "en").unwrap();
    let err = ws.get_setting::<u32>("lang").unwrap_err();
    // The JSON error is reachable down the source chain, not pasted into the message.
    let mut cause = std::error::Error::source(&err);
    let mut found = false;
    while let Some(c) = cause {
        found |= c.downcast_ref::<serde_json::Error>().is_some();
        cause = c.source();
    }
    assert!(found, "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with("工作区存储出错"), "{message}");
    assert!(!message.contains("invalid type"), "{message}");
    assert!(err.cause().is_some_and(|c| c.contains("invalid type")), "{:?}", err.cause());
    assert_eq!(err.code(), "store");
}

/// What a workspace holds of the orders of its sources other than `other`, without its own ids: each
/// order (with its customer's key and its items) in the order stored, then each customer but
/// `other_key`'s, by key. Every column, as SQLite holds it.
fn stored_content(path: &Path, other: &str, other_key: &str) -> (Vec<String>, Vec<String>) {
    // Each order's items, as position:product:sku:quantity:amount:cost:profit joined by ';'.
    let mut items: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for (order_id, item) in Workspace::open(path).unwrap().stored_items().unwrap() {
        let line = items.entry(order_id).or_default();
        let or_dash = |v: Option<i64>| v.map_or("-".to_string(), |v| v.to_string());
        line.push(format!(
            "{}:{}:{}:{}:{}:{}:{}",
            line.len(),
            item.product.as_str(),
            item.sku.as_ref().map_or("-", |s| s.as_str()),
            item.quantity,
            or_dash(item.amount),
            or_dash(item.cost),
            or_dash(item.profit)
        ));
    }
    let raw = rusqlite::Connection::open(path).unwrap();
    let rows = |sql: &str, param: &str| -> Vec<String> {
        let mut stmt = raw.prepare(sql).unwrap();
        let n = stmt.column_count();
        let rows = stmt.query_map([param], |r| {
            let columns: Vec<String> = (0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect();
            Ok(columns.join(" | "))
        });
        rows.unwrap().map(Result::unwrap).collect()
    };
    // Each order's columns as the orders table held them, its sightings, then its items.
    let keys: std::collections::HashMap<i64, String> = {
        let mut stmt = raw.prepare("SELECT id, key FROM customers").unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.map(Result::unwrap).collect()
    };
    let files: std::collections::HashMap<i64, String> = {
        let mut stmt = raw.prepare("SELECT id, file_name FROM sources").unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.map(Result::unwrap).collect()
    };
    let sightings = |id: i64| -> i64 {
        raw.query_row("SELECT count(*) FROM order_sightings WHERE order_id = ?1", [id], |r| r.get(0)).unwrap()
    };
    let orders: Vec<String> = Workspace::open(path)
        .unwrap()
        .stored_orders()
        .unwrap()
        .into_iter()
        .filter(|o| files[&o.source_id] != other)
        .map(|o| {
            let columns = format!(
                "{:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?} | {}",
                o.platform.as_str(),
                o.uid,
                o.has_id,
                keys[&o.customer_id],
                o.row,
                o.name.as_ref().map(|s| s.as_str()),
                o.phone.as_ref().map(|s| s.as_str()),
                o.placed_at,
                o.paid,
                o.refund,
                o.quantity.map(f64::to_bits),
                o.status.as_ref().map(|s| s.as_str()),
                o.order_count,
                o.first_date,
                o.interactions.map(f64::to_bits),
                o.province.as_ref().map(|s| s.as_str()),
                o.city.as_ref().map(|s| s.as_str()),
                sightings(o.id),
            );
            format!("{columns} | {}", items.get(&o.id).map(|l| l.join(";")).unwrap_or_default())
        })
        .collect();
    let customers = rows(
        "SELECT key, name, phone, orders, revenue, first_order, last_order, last_at, interactions, province, city
           FROM customers WHERE key <> ?1 ORDER BY key",
        other_key,
    );
    (orders, customers)
}

/// An order of a file from another shop system (its own order-id header and customer), stored
/// first so that the orders table is not empty and the next import goes the usual way.
fn other_shops_file() -> ImportedFile {
    let other = mapping(&[("外部单号", Some(Role::OrderId)), ("客户", Some(Role::CustomerKey))]);
    file("别家.csv", vec![order(Some("X-1"), "别家客户", "别家客户", "2025-02-01 10:00:00", 990, 0)], other)
}

/// A shop's first import finds no stored identity to look up. Real exports of every layout (items
/// with costs and profit, withdrawn orders, a customer list without order ids) must be stored
/// exactly as they are into a workspace that already has an order.
#[test]
fn a_first_import_stores_what_an_import_beside_stored_orders_stores() {
    use tierbook_core::generate::{generate, FileFormat, GenerateOptions, Layout};
    use tierbook_core::import::ImportOptions;
    let dir = tempfile::tempdir().unwrap();
    for (i, layout) in
        [Layout::Taobao, Layout::Wechat, Layout::Pdd, Layout::Youzan, Layout::Customers].into_iter().enumerate()
    {
        let export = dir.path().join(format!("export-{i}.xlsx"));
        let options = GenerateOptions {
            layout,
            format: FileFormat::Xlsx,
            orders: 1_500,
            item_costs: layout == Layout::Taobao,
            seed: 7 + i as u64,
            ..GenerateOptions::default()
        };
        generate(&export, &options).unwrap();
        let (first, usual) =
            (dir.path().join(format!("first-{i}.tierbook")), dir.path().join(format!("usual-{i}.tierbook")));
        let mut ws = Workspace::open(&first_workspace(&first)).unwrap();
        let bulk =
            ws.import(std::slice::from_ref(&export), &ImportOptions::default(), at("2025-07-01 09:00:00"), &NoProgress);
        let bulk = bulk.unwrap();
        drop(ws);
        let mut ws = Workspace::open(&usual).unwrap();
        store(&mut ws, vec![other_shops_file()]);
        let plain =
            ws.import(std::slice::from_ref(&export), &ImportOptions::default(), at("2025-07-01 09:00:00"), &NoProgress);
        let plain = plain.unwrap();
        drop(ws);

        let counts = |o: &tierbook_core::store::ImportOutcome| {
            (o.new_orders, o.known_orders, o.updated_orders, o.withdrawn_orders)
        };
        assert_eq!(counts(&bulk), counts(&plain), "{layout:?}");
        assert!(bulk.new_orders > 1_000, "{layout:?}: {}", bulk.new_orders);
        let (orders, customers) = stored_content(&first, "别家.csv", "别家客户");
        assert_eq!(orders.len() as u64, bulk.new_orders);
        assert_eq!((orders, customers), stored_content(&usual, "别家.csv", "别家客户"), "{layout:?}");
    }
}

/// A new workspace at `path` (opened and closed, nothing imported); returns the path.
fn first_workspace(path: &Path) -> PathBuf {
    drop(Workspace::open(path).unwrap());
    path.to_path_buf()
}

/// An order whose identity comes twice in one file (by hand here: the importer merges such rows) is
/// found known and updated, in a first import (the first of them still in the writer's block) as
/// beside stored orders.
#[test]
fn an_identity_seen_twice_in_a_first_import_is_known_as_in_the_usual_way() {
    let mut orders = numbered_orders(0, 60);
    let mut repeat = orders[10].clone();
    repeat.paid += 500;
    orders.push(repeat);
    orders.push(orders[20].clone());
    orders.extend(numbered_orders(60, 80));
    let dir = tempfile::tempdir().unwrap();
    let (first, usual) = (dir.path().join("first.tierbook"), dir.path().join("usual.tierbook"));
    let mut ws = Workspace::open(&first_workspace(&first)).unwrap();
    let bulk = store(&mut ws, vec![file("全年.csv", orders.clone(), wechat_mapping())]);
    drop(ws);
    let mut ws = Workspace::open(&usual).unwrap();
    store(&mut ws, vec![other_shops_file()]);
    let plain = store(&mut ws, vec![file("全年.csv", orders, wechat_mapping())]);
    drop(ws);
    let counts = |o: &tierbook_core::store::ImportOutcome| (o.new_orders, o.known_orders, o.updated_orders);
    assert_eq!(counts(&bulk), (80, 2, 1));
    assert_eq!(counts(&plain), (80, 2, 1));
    assert_eq!(stored_content(&first, "别家.csv", "别家客户"), stored_content(&usual, "别家.csv", "别家客户"));
}

/// A shop's first import looks up only the withdrawn ids it may have stored (their hashes are among
/// the identities it keeps): the rest are known to be absent. An id of the file's own, padded
/// with spaces as exports do, is still found and taken out, as the usual way takes it out.
#[test]
fn withdrawn_ids_of_a_first_import_are_taken_out_as_in_the_usual_way() {
    let id = |n: u64| format!("{:019}", 3_700_000_000_000_000_000u64 + n);
    let withdrawn = vec![format!(" {} ", id(12)), id(999), String::new(), id(5), id(5), "  ".into(), id(40)];
    let with_withdrawn = || {
        let mut f = file("全年.csv", numbered_orders(0, 40), wechat_mapping());
        f.withdrawn = withdrawn.clone();
        f
    };
    let dir = tempfile::tempdir().unwrap();
    let (first, usual) = (dir.path().join("first.tierbook"), dir.path().join("usual.tierbook"));
    let mut ws = Workspace::open(&first_workspace(&first)).unwrap();
    let bulk = store(&mut ws, vec![with_withdrawn()]);
    drop(ws);
    let mut ws = Workspace::open(&usual).unwrap();
    store(&mut ws, vec![other_shops_file()]);
    let plain = store(&mut ws, vec![with_withdrawn()]);
    drop(ws);
    let counts = |o: &tierbook_core::store::ImportOutcome| (o.new_orders, o.withdrawn_orders);
    assert_eq!(counts(&bulk), (40, 2));
    assert_eq!(counts(&plain), (40, 2));
    let stored = stored_content(&first, "别家.csv", "别家客户");
    assert_eq!(stored.0.len(), 38);
    assert!(!stored.0.iter().any(|o| o.contains(&id(12)) || o.contains(&id(5))), "{:?}", stored.0);
    assert_eq!(stored, stored_content(&usual, "别家.csv", "别家客户"));
}

/// The items of orders that leave the workspace leave with them, and only those: an order a later
/// file shows closed (withdrawn), the orders of a removed source (but not those another source also
/// had, which stay with their items), and the same orders imported again come back with theirs.
#[test]
fn items_leave_with_their_orders_and_only_with_them() {
    use tierbook_core::model::OrderItem;
    let with_items = |from: u32, to: u32| -> Vec<Order> {
        let mut orders = numbered_orders(from, to);
        for o in &mut orders {
            let n: u32 = o.order_id.as_deref().unwrap()[10..].parse().unwrap();
            // Order n has 1 + n % 3 items; every fourth order none.
            if n % 4 != 3 {
                o.items = (0..=n % 3)
                    .map(|k| OrderItem {
                        product: format!("商品{}", (n + k) % 5).into(),
                        sku: (k == 1).then(|| format!("SKU-{n}").into()),
                        quantity: f64::from(k + 1),
                        amount: Some(i64::from(n) * 10),
                        cost: n.is_multiple_of(5).then_some(50),
                        profit: None,
                    })
                    .collect();
            }
        }
        orders
    };
    // (order id, product, quantity) of what the workspace holds, by order id as the file has it.
    let held = |ws: &Workspace| -> Vec<(String, String, f64)> {
        let ids: HashMap<i64, String> =
            ws.stored_orders().unwrap().into_iter().map(|o| (o.id, o.uid.into_string())).collect();
        let mut held: Vec<(String, String, f64)> = ws
            .stored_items()
            .unwrap()
            .into_iter()
            .map(|(id, item)| (ids[&id].clone(), item.product.as_str().to_owned(), item.quantity))
            .collect();
        held.sort_by(|a, b| a.partial_cmp(b).unwrap());
        held
    };
    let expected = |orders: &[Order], without: &[&str]| -> Vec<(String, String, f64)> {
        let mut all: Vec<(String, String, f64)> = orders
            .iter()
            .filter(|o| !without.contains(&o.order_id.as_deref().unwrap()))
            .flat_map(|o| {
                let id = o.order_id.as_deref().unwrap().to_owned();
                o.items.iter().map(move |i| (id.clone(), i.product.as_str().to_owned(), i.quantity))
            })
            .collect();
        all.sort_by(|a, b| a.partial_cmp(b).unwrap());
        all.dedup();
        all
    };
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.tierbook")).unwrap();
    let (first, second) = (with_items(0, 6000), with_items(5990, 6100));
    store(&mut ws, vec![file("上半年.csv", first.clone(), wechat_mapping())]);
    let closed = first[100].order_id.clone().unwrap();
    let mut later = file("下半年.csv", second.clone(), wechat_mapping());
    later.withdrawn = vec![closed.to_string()];
    let outcome = store(&mut ws, vec![later]);
    assert_eq!(outcome.withdrawn_orders, 1);
    let both: Vec<Order> = first.iter().chain(&second).cloned().collect();
    assert_eq!(held(&ws), expected(&both, &[&closed]));

    // The first file goes: its orders but the ten the second file also had, with their items.
    let source = ws.sources().unwrap()[0].id;
    ws.remove_source(source).unwrap();
    assert_eq!(held(&ws), expected(&second, &[]));
    // And comes back.
    store(&mut ws, vec![file("上半年.csv", first.clone(), wechat_mapping())]);
    assert_eq!(held(&ws), expected(&both, &[]));
    ws.check_integrity().unwrap();
}

//! Opening workspaces written by every earlier schema version: each file is made with that
//! version's SQL exactly as it shipped (frozen copies below — never edit them), filled with data,
//! then opened with the current code, which must migrate it and keep every row.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use tierbook_core::costs::CostTable;
use tierbook_core::mapping::{Column, KeySpec, Level, Mapping, Role};
use tierbook_core::model::{Order, OrderItem};
use tierbook_core::region::Region;
use tierbook_core::report::ImportReport;
use tierbook_core::source::Format;
use tierbook_core::store::{schema, ImportedFile, Workspace};
use tierbook_core::NoProgress;

/// Schema version 1 as shipped.
const V1_SQL: &str = r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE playbooks (name TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    imported_at TEXT NOT NULL,
    rows INTEGER NOT NULL,
    orders_added INTEGER NOT NULL,
    orders_known INTEGER NOT NULL,
    report TEXT NOT NULL
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT,
    orders INTEGER NOT NULL,
    revenue INTEGER NOT NULL,
    first_order TEXT NOT NULL,
    last_order TEXT NOT NULL,
    last_at INTEGER NOT NULL,
    interactions REAL
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    uid TEXT NOT NULL,
    has_id INTEGER NOT NULL,
    -- No foreign keys here on purpose: they would cost two lookups per inserted order; the store's
    -- own transactions keep these ids valid (remove_source, recompute_customers).
    source_id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    row INTEGER NOT NULL,
    name TEXT,
    phone TEXT,
    placed_at INTEGER NOT NULL,
    paid INTEGER NOT NULL,
    refund INTEGER NOT NULL,
    quantity REAL,
    status TEXT,
    order_count INTEGER NOT NULL,
    first_date TEXT,
    interactions REAL
);
CREATE UNIQUE INDEX orders_identity ON orders(platform, uid);
CREATE INDEX orders_customer ON orders(customer_id);
-- No index on source_id: removing a source is rare and may scan; every import would pay for it.
CREATE TABLE order_sightings (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    PRIMARY KEY (source_id, order_id)
) WITHOUT ROWID;
CREATE INDEX order_sightings_order ON order_sightings(order_id);
"#;

/// Schema version 2 as shipped (applied on top of version 1).
const V2_SQL: &str = r#"
CREATE TABLE classification_runs (
    id INTEGER PRIMARY KEY,
    method TEXT NOT NULL,
    params TEXT NOT NULL,
    as_of TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES classification_runs(id) ON DELETE CASCADE,
    as_of TEXT NOT NULL,
    label TEXT,
    customers INTEGER NOT NULL,
    orders INTEGER NOT NULL,
    revenue INTEGER NOT NULL,
    first_row INTEGER,
    last_row INTEGER
);
CREATE INDEX snapshots_run ON snapshots(run_id);
-- Rows of one snapshot are inserted together, so a snapshot is a contiguous rowid range (read
-- sequentially on start); the covering index serves the comparison in key order without the wide rows.
CREATE TABLE snapshot_rows (
    id INTEGER PRIMARY KEY,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    orders INTEGER NOT NULL,
    revenue INTEGER NOT NULL,
    first_order TEXT NOT NULL,
    last_order TEXT NOT NULL,
    interactions REAL,
    tier TEXT NOT NULL,
    segment TEXT,
    recency_days INTEGER NOT NULL,
    r_score INTEGER NOT NULL,
    f_score INTEGER NOT NULL,
    m_score INTEGER NOT NULL,
    abc TEXT NOT NULL,
    rfm_type TEXT NOT NULL,
    score REAL,
    reason_zh TEXT NOT NULL,
    reason_en TEXT NOT NULL,
    gap_zh TEXT,
    gap_en TEXT
);
CREATE INDEX snapshot_rows_compare ON snapshot_rows(snapshot_id, key, tier, segment, revenue, name);
"#;

/// Version 3 as shipped (saved mappings); frozen like the others.
const V3_SQL: &str = r#"
CREATE TABLE saved_mappings (
    fingerprint TEXT PRIMARY KEY,
    headers TEXT NOT NULL,
    mapping TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    uses INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
ALTER TABLE sources ADD COLUMN layout TEXT;
ALTER TABLE sources ADD COLUMN mapping_reused INTEGER NOT NULL DEFAULT 0;
"#;

/// Version 4 as shipped (regions of orders and customers); frozen like the others.
const V4_SQL: &str = r#"
ALTER TABLE orders ADD COLUMN province TEXT;
ALTER TABLE orders ADD COLUMN city TEXT;
ALTER TABLE customers ADD COLUMN province TEXT;
ALTER TABLE customers ADD COLUMN city TEXT;
"#;

/// Version 5 as shipped (campaigns); frozen like the others.
const V5_SQL: &str = r#"
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    date TEXT NOT NULL,
    channel TEXT NOT NULL,
    cost_per_contact INTEGER,
    holdout_share REAL NOT NULL,
    seed INTEGER NOT NULL,
    audience TEXT NOT NULL
);
-- Members by customer key, not customers.id: the key is what survives re-imports and removals.
CREATE TABLE campaign_members (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    holdout INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, key)
) WITHOUT ROWID;
"#;

/// Schema version 6 as shipped (applied on top of version 5).
const V6_SQL: &str = r#"
-- Keyed by (order, position): an order's items are read back in their file order, which decides the
-- last product bought and where the rounding cent of a revenue split goes. Deleting an order (a
-- removed source, a withdrawn order) deletes its items.
CREATE TABLE order_items (
    order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    product TEXT NOT NULL,
    sku TEXT,
    quantity REAL NOT NULL,
    -- The line's own revenue (unit price x quantity, or a per-item amount); NULL when only the order's
    -- amount is known (the order's net revenue is then split evenly when read).
    amount INTEGER,
    -- Cost and profit as the export gave them; a cost table's unit costs are applied when read, so an
    -- edited cost table changes every order at once.
    cost INTEGER,
    profit INTEGER,
    PRIMARY KEY (order_id, position)
) WITHOUT ROWID;
-- kind 'sku' or 'product': an item is matched by its SKU first, then by its product name (`costs`).
CREATE TABLE product_costs (
    kind TEXT NOT NULL CHECK (kind IN ('sku', 'product')),
    key TEXT NOT NULL,
    unit_cost INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
"#;

/// Schema version 7 as shipped (applied on top of version 6).
const V7_SQL: &str = r#"
-- The items of the orders first_order ..= last_order (`items::Block`, postcard); costed: whether any
-- of them has a cost or profit of its own. Deleting orders takes their items out (`items::forget`).
CREATE TABLE order_item_blocks (
    first_order INTEGER PRIMARY KEY,
    last_order INTEGER NOT NULL,
    costed INTEGER NOT NULL,
    items BLOB NOT NULL
);
"#;

/// Schema version 8 as shipped (applied on top of version 7).
const V8_SQL: &str = r#"
-- The customers of a snapshot in the order they were saved, a block per few thousand: head (key,
-- name, aggregates, tier, segment, scores) and sentences (reasons and gaps), each postcard and LZ4.
CREATE TABLE snapshot_blocks (
    id INTEGER PRIMARY KEY,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    customers INTEGER NOT NULL,
    head BLOB NOT NULL,
    sentences BLOB NOT NULL
);
CREATE INDEX snapshot_blocks_snapshot ON snapshot_blocks(snapshot_id, id);
"#;

fn report_json() -> String {
    let report = ImportReport {
        file: "一月.xlsx".into(),
        format: Format::Xlsx,
        mapping: Mapping {
            sheet: "订单列表".into(),
            header_row: 0,
            columns: vec![
                Column { index: 0, header: "订单号".into(), role: Some(Role::OrderId) },
                Column { index: 1, header: "买家ID".into(), role: Some(Role::CustomerKey) },
            ],
            key: KeySpec::Column("买家ID".into()),
            level: Level::Orders,
            alternatives: vec![],
            headerless: false,
        },
        rows_read: 2,
        orders_kept: 2,
        skipped: vec![],
        first_date: None,
        last_date: None,
        warnings: vec![],
    };
    serde_json::to_string(&report).unwrap()
}

/// A workspace at `version` with one source, one customer with two orders, a setting and a playbook.
fn old_workspace(path: &Path, version: i64) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch(V1_SQL).unwrap();
    conn.pragma_update(None, "application_id", schema::APPLICATION_ID).unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO meta(key, value) VALUES ('created_by', 'TierBook 0.1.0');
         INSERT INTO settings(key, value) VALUES ('lang', '\"en\"');
         INSERT INTO sources(id, file_name, path, size, sha256, imported_at, rows, orders_added, orders_known, report)
           VALUES (1, '一月.xlsx', '/exports/一月.xlsx', 4096, '{sha}', '2025-02-01 09:00:00', 2, 2, 0, '{report}');
         INSERT INTO customers(id, key, name, phone, orders, revenue, first_order, last_order, last_at, interactions)
           VALUES (1, 'oBuyer1', '小明', '138****1234', 2, 15000, '2025-01-03', '2025-01-20', 1737367200, NULL);
         INSERT INTO orders(platform, uid, has_id, source_id, customer_id, row, name, phone, placed_at, paid, refund,
                            quantity, status, order_count, first_date, interactions)
           VALUES ('订单号', '3700000000000000001', 1, 1, 1, 2, '小明', '138****1234', 1735898400, 10000, 0, 1.0,
                   '已完成', 1, NULL, NULL),
                  ('订单号', '3700000000000000002', 1, 1, 1, 3, '小明', '138****1234', 1737367200, 6000, 1000, 2.0,
                   '已完成', 1, NULL, NULL);",
        sha = "ab".repeat(32),
        report = report_json().replace('\'', "''"),
    ))
    .unwrap();
    if version >= 2 {
        conn.execute_batch(V2_SQL).unwrap();
        conn.execute_batch(
            r#"INSERT INTO classification_runs(id, method, params, as_of, summary) VALUES (1,
                 '{"kind":"abc_revenue","a_pct":80.0,"b_pct":95.0}',
                 '{"method":{"kind":"abc_revenue","a_pct":80.0,"b_pct":95.0},"as_of":null,"segment_tiers":{},"segment_names":{}}',
                 '2025-01-31', '{"thresholds":[],"tiers":[],"segments":[],"notes":[]}');
               INSERT INTO snapshots(id, run_id, as_of, label, customers, orders, revenue)
                 VALUES (1, 1, '2025-01-31', '一月', 1, 2, 15000);
               INSERT INTO snapshot_rows(snapshot_id, key, name, phone, orders, revenue, first_order, last_order,
                   interactions, tier, segment, recency_days, r_score, f_score, m_score, abc, rfm_type, score,
                   reason_zh, reason_en, gap_zh, gap_en)
                 VALUES (1, 'oBuyer1', '小明', NULL, 2, 15000, '2025-01-03', '2025-01-20', NULL, 'A', NULL, 11,
                         5, 5, 5, 'A', '重要价值客户', NULL, '贡献前 80%', 'top 80%', NULL, NULL);"#,
        )
        .unwrap();
    }
    if version >= 3 {
        conn.execute_batch(V3_SQL).unwrap();
    }
    if version >= 4 {
        conn.execute_batch(V4_SQL).unwrap();
        conn.execute_batch(
            "UPDATE orders SET province = '浙江', city = '杭州';
             UPDATE customers SET province = '浙江', city = '杭州';",
        )
        .unwrap();
    }
    if version >= 5 {
        conn.execute_batch(V5_SQL).unwrap();
        conn.execute_batch(
            "INSERT INTO campaigns(id, name, date, channel, cost_per_contact, holdout_share, seed, audience)
               VALUES (1, '春节回访', '2025-01-25', '短信', 10, 0.0, 7, '1 位客户');
             INSERT INTO campaign_members(campaign_id, key, holdout) VALUES (1, 'oBuyer1', 0);",
        )
        .unwrap();
    }
    if version >= 6 {
        conn.execute_batch(V6_SQL).unwrap();
        // The first order: two items, the second with a SKU and a cost of its own; the second: one.
        // An item of order 3, which is not stored (written with foreign keys off), must not survive.
        conn.execute_batch(
            "INSERT INTO order_items(order_id, position, product, sku, quantity, amount, cost, profit)
               VALUES (1, 0, '红糖姜茶', NULL, 1.0, 4000, NULL, NULL),
                      (1, 1, '紫砂壶', 'ZS-01', 1.0, 6000, 3500, NULL),
                      (2, 0, '红糖姜茶', NULL, 2.0, NULL, NULL, NULL);
             PRAGMA foreign_keys = OFF;
             INSERT INTO order_items(order_id, position, product, sku, quantity, amount, cost, profit)
               VALUES (3, 0, '已删订单的商品', NULL, 1.0, NULL, NULL, NULL);
             PRAGMA foreign_keys = ON;
             INSERT INTO product_costs(kind, key, unit_cost, updated_at)
               VALUES ('product', '红糖姜茶', 1000, '2025-02-01 09:00:00');",
        )
        .unwrap();
    }
    if version >= 7 {
        // Version 7's own step moved the item rows into blocks; what matters here is its snapshots.
        conn.execute_batch(V7_SQL).unwrap();
        conn.execute_batch("DELETE FROM order_items; DROP TABLE order_items;").unwrap();
        // A second snapshot of three customers, written as version 7 wrote them (its row range
        // recorded): a D tier, a segment, a score, a gap, and two rows as only a damaged or hand-edited
        // file has them (a tier letter that is none, half a gap), which were read as C and with the
        // missing half empty.
        conn.execute_batch(
            r#"INSERT INTO classification_runs(id, method, params, as_of, summary) VALUES (2,
                 '{"kind":"abc_revenue","a_pct":80.0,"b_pct":95.0}',
                 '{"method":{"kind":"abc_revenue","a_pct":80.0,"b_pct":95.0},"as_of":null,"segment_tiers":{},"segment_names":{}}',
                 '2025-02-28', '{"thresholds":[],"tiers":[],"segments":[],"notes":[]}');
               INSERT INTO snapshots(id, run_id, as_of, label, customers, orders, revenue)
                 VALUES (2, 2, '2025-02-28', NULL, 3, 6, 20100);
               INSERT INTO snapshot_rows(id, snapshot_id, key, name, phone, orders, revenue, first_order, last_order,
                   interactions, tier, segment, recency_days, r_score, f_score, m_score, abc, rfm_type, score,
                   reason_zh, reason_en, gap_zh, gap_en)
                 VALUES (10, 2, 'oBuyer1', '小明', '138****1234', 3, 17000, '2025-01-03', '2025-02-10', 4.5, 'B',
                         '重要保持客户', 18, 4, 5, 5, 'A', '重要保持客户', 71.25, '近期消费下降', 'spending fell',
                         '再消费 ¥180 升至 A 类', 'Spend ¥180 more to reach tier A'),
                        (11, 2, 'oBuyer0', '老王', NULL, 2, 3000, '2024-06-01', '2024-07-01', NULL, 'D',
                         '一般挽留客户', 242, 1, 2, 1, 'C', '一般挽留客户', NULL, '很久没来', 'long gone', NULL, NULL),
                        (12, 2, 'oBuyer3', '阿May', NULL, 1, 100, '2025-02-27', '2025-02-27', NULL, 'Z',
                         NULL, 1, 5, 1, 1, 'C', '新客户', NULL, '新客', 'new', '再买一次', NULL);
               UPDATE snapshots SET first_row = 10, last_row = 12 WHERE id = 2;"#,
        )
        .unwrap();
    }
    if version >= 8 {
        // Version 8's own step moved the snapshot rows into blocks; what matters here is its orders
        // (the snapshots go): a second source that also had order 2, a third customer's orders with
        // every field and without, one without an order id (identified by its content).
        conn.execute_batch(V8_SQL).unwrap();
        conn.execute_batch(&format!(
            "DELETE FROM snapshot_rows; DELETE FROM snapshots; DELETE FROM classification_runs;
             DROP TABLE snapshot_rows;
             ALTER TABLE snapshots DROP COLUMN first_row;
             ALTER TABLE snapshots DROP COLUMN last_row;
             INSERT INTO sources(id, file_name, path, size, sha256, imported_at, rows, orders_added, orders_known, report)
               VALUES (2, '二月.xlsx', '/exports/二月.xlsx', 4096, '{sha}', '2025-03-01 09:00:00', 4, 3, 1, '{report}');
             INSERT INTO customers(id, key, name, phone, orders, revenue, first_order, last_order, last_at,
                                   interactions, province, city)
               VALUES (2, 'oBuyer2', '阿花', NULL, 42, 123456, '2023-05-01', '2025-02-11', 1739268000, 7.5, '广东', NULL);
             INSERT INTO orders(platform, uid, has_id, source_id, customer_id, row, name, phone, placed_at, paid,
                                refund, quantity, status, order_count, first_date, interactions, province, city)
               VALUES ('订单号', 'TB-0042', 1, 2, 2, 4, ' 阿花 ', '139 0000 0000', 1739268000, 120000, 3000, 0.5,
                       '部分退款', 1, '2023-05-01', 7.5, '广东', NULL),
                      ('', '#0123456789abcdef0123456789abcdef', 0, 2, 2, 5, NULL, NULL, 1739181600, 6456, 0, NULL,
                       NULL, 41, NULL, NULL, NULL, NULL),
                      ('订单号', '0099', 1, 2, 2, 6, '', NULL, 1739181600, 0, 0, -0.0, NULL, 1, NULL, NULL, NULL, NULL);
             INSERT INTO order_sightings(source_id, order_id) VALUES (2, 2);",
            sha = "ef".repeat(32),
            report = report_json().replace('\'', "''"),
        ))
        .unwrap();
    }
    conn.pragma_update(None, "user_version", version).unwrap();
    conn
}

fn check_v1_data(ws: &Workspace) {
    assert_eq!(ws.schema_version().unwrap(), schema::LATEST_VERSION);
    assert_eq!(ws.order_count().unwrap(), 2);
    let customers = ws.customers().unwrap();
    assert_eq!(customers.len(), 1);
    let c = &customers[0];
    assert_eq!((c.key.as_str(), c.name.as_str(), c.orders, c.revenue), ("oBuyer1", "小明", 2, 15000));
    assert_eq!(c.last_order, NaiveDate::from_ymd_opt(2025, 1, 20).unwrap());
    let orders = ws.orders_of("oBuyer1").unwrap();
    assert_eq!(orders.iter().map(|o| o.net()).collect::<Vec<_>>(), vec![10000, 5000]);
    assert_eq!(orders[0].order_id.as_deref(), Some("3700000000000000001"));
    let sources = ws.sources().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!((sources[0].file_name.as_str(), sources[0].report.rows_read), ("一月.xlsx", 2));
    assert!(!sources[0].mapping_reused);
    assert_eq!(ws.get_setting::<String>("lang").unwrap().as_deref(), Some("en"));
}

/// After migrating, the new tables work: a later import adds to the old orders.
fn check_new_import_works(ws: &mut Workspace) {
    let outcome = import_february(ws);
    assert_eq!((outcome.new_orders, outcome.known_orders, outcome.updated_orders), (1, 1, 0));
    assert_eq!(ws.customers().unwrap()[0].revenue, 17000);
    // Orders stored before the region columns have none; the new order gives the customer its region.
    let orders = ws.orders_of("oBuyer1").unwrap();
    assert_eq!(orders.iter().filter(|o| o.region.is_some()).count(), 1);
    assert_eq!(ws.customer_regions().unwrap().province("oBuyer1"), "广东");
}

/// Imports a file with order 2 as stored and a new order of oBuyer1 (in 广东 深圳).
fn import_february(ws: &mut Workspace) -> tierbook_core::store::ImportOutcome {
    let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    let order = Order {
        source: 0,
        row: 2,
        order_id: Some("3700000000000000003".into()),
        customer_key: "oBuyer1".into(),
        customer_name: Some("小明".into()),
        phone: None,
        placed_at: at("2025-02-10 10:00:00"),
        paid: 2000,
        refund: 0,
        quantity: None,
        status: None,
        order_count: 1,
        first_date: None,
        interactions: None,
        region: Some(Region { province: "广东".into(), city: Some("深圳".into()) }),
        items: Default::default(),
    };
    let report: ImportReport = serde_json::from_str(&report_json()).unwrap();
    let mut known = order.clone();
    known.order_id = Some("3700000000000000002".into());
    // The stored order seen again as it was (a different amount would update it).
    (known.paid, known.refund) = (6000, 1000);
    let file = ImportedFile {
        path: "/exports/二月.xlsx".into(),
        size: 10,
        sha256: "cd".repeat(32),
        orders: vec![known, order],
        report,
        mapping_reused: false,
        withdrawn: vec![],
    };
    ws.store_import(vec![file], vec![], at("2025-03-01 09:00:00"), &NoProgress).unwrap()
}

#[test]
fn version_1_workspace_is_migrated_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.tierbook");
    drop(old_workspace(&path, 1));
    let mut ws = Workspace::open(&path).unwrap();
    check_v1_data(&ws);
    assert!(ws.snapshots().unwrap().is_empty());
    check_new_import_works(&mut ws);
    ws.check_integrity().unwrap();
}

#[test]
fn version_2_workspace_is_migrated_with_its_data_and_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.tierbook");
    drop(old_workspace(&path, 2));
    let mut ws = Workspace::open(&path).unwrap();
    check_v1_data(&ws);
    let snapshots = ws.snapshots().unwrap();
    assert_eq!(snapshots.len(), 1);
    assert_eq!(snapshots[0].label.as_deref(), Some("一月"));
    let data = ws.load_snapshot(snapshots[0].id).unwrap();
    assert_eq!(data.customers[0].key, "oBuyer1");
    assert_eq!(data.classification.assignments[0].tier, tierbook_core::Tier::A);
    check_new_import_works(&mut ws);
    // Reopening an already migrated file changes nothing.
    drop(ws);
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.order_count().unwrap(), 3);
}

#[test]
fn version_3_workspace_is_migrated_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.tierbook");
    drop(old_workspace(&path, 3));
    let mut ws = Workspace::open(&path).unwrap();
    check_v1_data(&ws);
    assert_eq!(ws.customer_regions().unwrap().province("oBuyer1"), tierbook_core::region::UNKNOWN);
    assert!(ws.campaigns().unwrap().is_empty());
    let spec = tierbook_core::campaign::CampaignSpec {
        name: "回访".into(),
        date: NaiveDate::from_ymd_opt(2025, 1, 31).unwrap(),
        channel: "短信".into(),
        cost_per_contact: None,
        holdout_share: 0.0,
        seed: 1,
        audience: "1 位客户".into(),
    };
    assert_eq!(ws.create_campaign(&spec, &["oBuyer1".to_string()]).unwrap().contacted, 1);
    check_new_import_works(&mut ws);
    ws.check_integrity().unwrap();
}

/// Version 5 → 6 (order items, cost table): the history stays (snapshots, campaigns, regions), the
/// old orders have no items (no products, unknown profit), and a new import with items and a cost
/// table works on the migrated file.
#[test]
fn version_5_workspace_is_migrated_with_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.tierbook");
    drop(old_workspace(&path, 5));
    let mut ws = Workspace::open(&path).unwrap();
    check_v1_data(&ws);
    assert_eq!(ws.snapshots().unwrap().len(), 1);
    assert_eq!(ws.customer_regions().unwrap().province("oBuyer1"), "浙江");
    let campaigns = ws.campaigns().unwrap();
    assert_eq!((campaigns.len(), campaigns[0].spec.name.as_str()), (1, "春节回访"));
    assert!(!ws.has_items().unwrap());
    assert!(ws.products().unwrap().lookup.is_empty());
    assert!(ws.cost_table().unwrap().is_empty());

    // A new order with two items; the cost table prices one by SKU and one by name.
    let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    let item = |product: &str, sku: Option<&str>, quantity: f64| OrderItem {
        product: product.into(),
        sku: sku.map(Into::into),
        quantity,
        amount: None,
        cost: None,
        profit: None,
    };
    let order = Order {
        source: 0,
        row: 2,
        order_id: Some("3700000000000000009".into()),
        customer_key: "oBuyer2".into(),
        customer_name: Some("小红".into()),
        phone: None,
        placed_at: at("2025-02-10 10:00:00"),
        paid: 5000,
        refund: 0,
        quantity: Some(3.0),
        status: None,
        order_count: 1,
        first_date: None,
        interactions: None,
        region: None,
        items: vec![item("红糖姜茶", Some("T-1"), 2.0), item("紫砂壶", None, 1.0)].into(),
    };
    let file = ImportedFile {
        path: "/exports/三月.xlsx".into(),
        size: 10,
        sha256: "ef".repeat(32),
        orders: vec![order],
        report: serde_json::from_str(&report_json()).unwrap(),
        mapping_reused: false,
        withdrawn: vec![],
    };
    ws.store_import(vec![file], vec![], at("2025-03-01 09:00:00"), &NoProgress).unwrap();
    let mut table = CostTable::default();
    table.by_sku.insert("T-1".into(), 500);
    table.by_product.insert("紫砂壶".into(), 2000);
    ws.save_cost_table(&table, at("2025-03-01 09:05:00")).unwrap();
    let stored = ws.products().unwrap();
    // 50.00 − 2 × 5.00 − 20.00 = 20.00; the old customer's orders have no items: profit unknown.
    assert_eq!(stored.profits.get("oBuyer2"), Some(&Some(2000)));
    assert_eq!(stored.profits.get("oBuyer1"), Some(&None));
    let bought = stored.lookup.of("oBuyer2").unwrap();
    assert_eq!(bought.last.as_deref(), Some("红糖姜茶"));
    assert_eq!(bought.bought.iter().map(|b| b.revenue).sum::<i64>(), 5000);
    drop(ws);
    let mut ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.cost_table().unwrap(), table);
    assert_eq!(ws.snapshots().unwrap().len(), 1);
    // Removing the source takes its orders' items with them; the cost table stays.
    let source = ws.sources().unwrap().last().unwrap().id;
    ws.remove_source(source).unwrap();
    assert!(!ws.has_items().unwrap());
    assert_eq!(ws.cost_table().unwrap(), table);
    ws.check_integrity().unwrap();
}

/// Version 6 kept a row per item (`order_items`); version 7 keeps them in blocks. The items, their
/// order and every field come through, the old table goes, and the products, profit and cost table
/// read the same as before; removing the source then takes the items with it.
#[test]
fn version_6_workspace_is_migrated_with_its_items_in_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6.tierbook");
    drop(old_workspace(&path, 6));
    let ws = Workspace::open(&path).unwrap();
    check_v1_data(&ws);
    assert!(ws.has_items().unwrap());
    let item = |product: &str, sku: Option<&str>, quantity: f64, amount: Option<i64>, cost: Option<i64>| OrderItem {
        product: product.into(),
        sku: sku.map(Into::into),
        quantity,
        amount,
        cost,
        profit: None,
    };
    let ids: Vec<i64> = ws.stored_orders().unwrap().iter().map(|o| o.id).collect();
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        let old_table: bool = raw
            .query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'order_items')", [], |r| r.get(0))
            .unwrap();
        assert!(!old_table, "order_items is dropped");
    }
    assert_eq!(
        ws.stored_items().unwrap(),
        vec![
            (ids[0], item("红糖姜茶", None, 1.0, Some(4000), None)),
            (ids[0], item("紫砂壶", Some("ZS-01"), 1.0, Some(6000), Some(3500))),
            (ids[1], item("红糖姜茶", None, 2.0, None, None)),
        ]
    );
    // Profit: order 1 is 100.00 − 10.00 (the cost table's unit cost) − 35.00 (its own); order 2 is
    // 60.00 − 10.00 refunded − 2 × 10.00. The products list as before: most pieces first.
    let stored = ws.products().unwrap();
    assert_eq!(stored.profits.get("oBuyer1"), Some(&Some(5500 + 3000)));
    let costs = ws.product_costs().unwrap();
    let listed: Vec<String> = costs
        .iter()
        .map(|c| {
            format!("{} {:?} {} {} {:?} {}", c.product, c.sku, c.quantity, c.orders, c.unit_cost, c.cost_in_export)
        })
        .collect();
    assert_eq!(listed, ["红糖姜茶 None 3 2 Some(1000) false", "紫砂壶 Some(\"ZS-01\") 1 1 None true"]);
    ws.check_integrity().unwrap();
    drop(ws);
    // Opened again: nothing left to migrate, the same items.
    let mut ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.stored_items().unwrap().len(), 3);
    let source = ws.sources().unwrap()[0].id;
    ws.remove_source(source).unwrap();
    assert!(!ws.has_items().unwrap());
    assert!(ws.stored_items().unwrap().is_empty());
    ws.check_integrity().unwrap();
}

/// Version 7 kept a row per snapshot customer (`snapshot_rows`); version 8 keeps them in blocks.
/// Both snapshots read back as version 7 read them (in their saved order, every field, an unknown
/// tier letter as C, half a gap completed), the old table and row range go, and the comparison, the
/// tier history and a new snapshot work on the migrated file.
#[test]
fn version_7_workspace_is_migrated_with_its_snapshots_in_blocks() {
    use tierbook_core::classify::Assignment;
    use tierbook_core::model::{Customer, Text, Tier};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v7.tierbook");
    drop(old_workspace(&path, 7));
    let mut ws = Workspace::open(&path).unwrap();
    check_v1_data(&ws);
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        let exists = |sql: &str| -> bool { raw.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert!(!exists("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'snapshot_rows')"));
        assert!(!exists("SELECT EXISTS (SELECT 1 FROM pragma_table_info('snapshots') WHERE name = 'first_row')"));
    }
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let snapshots = ws.snapshots().unwrap();
    assert_eq!(snapshots.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2]);
    let first = ws.load_snapshot(1).unwrap();
    assert_eq!(first.customers.len(), 1);
    assert_eq!((first.classification.assignments[0].tier, first.customers[0].revenue), (Tier::A, 15000));
    assert_eq!(first.classification.assignments[0].reason, Text::new("贡献前 80%", "top 80%"));

    let second = ws.load_snapshot(2).unwrap();
    let customer =
        |key: &str, name: &str, phone: Option<&str>, orders: u32, revenue: i64, first: &str, last: &str| Customer {
            key: key.into(),
            name: name.into(),
            phone: phone.map(Into::into),
            orders,
            revenue,
            first_order: date(first),
            last_order: date(last),
            interactions: None,
            profit: None,
        };
    let mut buyer1 = customer("oBuyer1", "小明", Some("138****1234"), 3, 17000, "2025-01-03", "2025-02-10");
    buyer1.interactions = Some(4.5);
    assert_eq!(
        second.customers,
        [
            buyer1,
            customer("oBuyer0", "老王", None, 2, 3000, "2024-06-01", "2024-07-01"),
            customer("oBuyer3", "阿May", None, 1, 100, "2025-02-27", "2025-02-27"),
        ]
    );
    let assignment = |tier, segment: Option<&str>, days, (r, f, m), abc, rfm: &str, score, reason, gap| Assignment {
        tier,
        segment: segment.map(Into::into),
        recency_days: days,
        r_score: r,
        f_score: f,
        m_score: m,
        abc,
        rfm_type: rfm.into(),
        score,
        reason,
        gap,
    };
    assert_eq!(
        second.classification.assignments,
        [
            assignment(
                Tier::B,
                Some("重要保持客户"),
                18,
                (4, 5, 5),
                Tier::A,
                "重要保持客户",
                Some(71.25),
                Text::new("近期消费下降", "spending fell"),
                Some(Text::new("再消费 ¥180 升至 A 类", "Spend ¥180 more to reach tier A")),
            ),
            assignment(
                Tier::D,
                Some("一般挽留客户"),
                242,
                (1, 2, 1),
                Tier::C,
                "一般挽留客户",
                None,
                Text::new("很久没来", "long gone"),
                None,
            ),
            assignment(
                Tier::C,
                None,
                1,
                (5, 1, 1),
                Tier::C,
                "新客户",
                None,
                Text::new("新客", "new"),
                Some(Text::new("再买一次", "")),
            ),
        ]
    );

    // The comparison reads both migrated snapshots: oBuyer1 fell from A to B, two are new.
    let m = ws.compare(1, 2, &tierbook_core::playbook::Playbook::default()).unwrap();
    let keys = |v: &[tierbook_core::history::Move]| v.iter().map(|m| m.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&m.downgraded), ["oBuyer1"]);
    assert_eq!(keys(&m.new).len(), 2);
    assert!(m.upgraded.is_empty() && m.lost.is_empty());
    // The tier history of the current customers reads them too: oBuyer1 was A, then B.
    let current = ws.load_latest().unwrap().unwrap().classification;
    let changes = ws.tier_changes_of(&second.customers, &current).unwrap();
    let buyer1 = changes.get("oBuyer1").unwrap();
    assert_eq!((buyer1.previous, buyer1.dropped), (Some(Tier::A), true));
    assert_eq!(changes.dropped(), 1);

    // A new snapshot is saved in blocks beside the migrated ones; the migrated ones can be deleted.
    let mut next = first.classification.clone();
    next.as_of = date("2025-03-31");
    let saved = ws.save_snapshot(&first.customers, &next, Some("三月")).unwrap();
    assert_eq!(ws.load_snapshot(saved.id).unwrap().customers, first.customers);
    ws.delete_snapshot(2).unwrap();
    assert_eq!(ws.snapshots().unwrap().len(), 2);
    ws.check_integrity().unwrap();
    drop(ws);
    // Opened again: nothing left to migrate, the same snapshots.
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.load_snapshot(1).unwrap().customers, first.customers);
}

/// Version 8 kept a row per order (`orders`, with its identity and customer indexes); version 9 keeps
/// them in blocks. Every order comes through field for field with its id (items and sightings refer
/// to it), the old table and its indexes go, the sightings stay (without their reference to the old
/// table), and identities, the customer's orders, a later import and removing a source work on the
/// migrated file.
#[test]
fn version_8_workspace_is_migrated_with_its_orders_in_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v8.tierbook");
    let before: Vec<String> = {
        let conn = old_workspace(&path, 8);
        let mut stmt = conn
            .prepare(
                "SELECT id, platform, uid, has_id, source_id, customer_id, row, name, phone, placed_at, paid, refund,
                        quantity, status, order_count, first_date, interactions, province, city
                 FROM orders ORDER BY id",
            )
            .unwrap();
        let rows = stmt.query_map([], |r| {
            let quantity: Option<f64> = r.get(12)?;
            let interactions: Option<f64> = r.get(16)?;
            Ok(format!(
                "{} {:?} {:?} {} {} {} {} {:?} {:?} {} {} {} {:?} {:?} {} {:?} {:?} {:?} {:?}",
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, u32>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, i64>(9)?,
                r.get::<_, i64>(10)?,
                r.get::<_, i64>(11)?,
                quantity.map(f64::to_bits),
                r.get::<_, Option<String>>(13)?,
                r.get::<_, u32>(14)?,
                r.get::<_, Option<NaiveDate>>(15)?,
                interactions.map(f64::to_bits),
                r.get::<_, Option<String>>(17)?,
                r.get::<_, Option<String>>(18)?,
            ))
        });
        rows.unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(before.len(), 5);
    let mut ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.schema_version().unwrap(), schema::LATEST_VERSION);
    let text = |s: &Option<tierbook_core::model::Shared>| s.as_ref().map(|s| s.as_str().to_owned());
    let after: Vec<String> = ws
        .stored_orders()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {:?} {:?} {} {} {} {} {:?} {:?} {} {} {} {:?} {:?} {} {:?} {:?} {:?} {:?}",
                o.id,
                o.platform.as_str(),
                &*o.uid,
                o.has_id,
                o.source_id,
                o.customer_id,
                o.row,
                text(&o.name),
                text(&o.phone),
                o.placed_at,
                o.paid,
                o.refund,
                o.quantity.map(f64::to_bits),
                text(&o.status),
                o.order_count,
                o.first_date,
                o.interactions.map(f64::to_bits),
                text(&o.province),
                text(&o.city),
            )
        })
        .collect();
    assert_eq!(after, before);
    assert_eq!(ws.order_count().unwrap(), 5);
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        let count = |sql: &str| -> i64 { raw.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'orders'"), 0);
        assert_eq!(count("SELECT count(*) FROM order_sightings WHERE source_id = 2 AND order_id = 2"), 1);
        assert_eq!(
            count("SELECT count(*) FROM pragma_foreign_key_list('order_sightings') WHERE \"table\" = 'orders'"),
            0
        );
    }
    let buyer2 = ws.orders_of("oBuyer2").unwrap();
    assert_eq!(buyer2.iter().map(|o| o.order_id.as_deref()).collect::<Vec<_>>(), [None, Some("0099"), Some("TB-0042")]);
    assert_eq!(buyer2[2].first_date, NaiveDate::from_ymd_opt(2023, 5, 1));
    assert_eq!(buyer2[2].region.as_ref().map(|r| r.province.as_str()), Some("广东"));
    ws.check_integrity().unwrap();
    // Identities survive: the old order seen again is known, a new one is added.
    let outcome = import_february(&mut ws);
    assert_eq!((outcome.new_orders, outcome.known_orders, outcome.updated_orders), (1, 1, 0));
    assert_eq!(ws.order_count().unwrap(), 6);
    let buyer1 = ws.customers().unwrap().into_iter().find(|c| c.key == "oBuyer1").unwrap();
    assert_eq!((buyer1.orders, buyer1.revenue), (3, 17000));
    assert_eq!(ws.customer_regions().unwrap().province("oBuyer1"), "广东");
    // Removing the first source hands order 2 (also in source 2) on and takes order 1 out; oBuyer1
    // keeps orders 2 and the new one, recomputed from them.
    ws.remove_source(1).unwrap();
    let kept: Vec<(i64, i64)> = ws.stored_orders().unwrap().iter().map(|o| (o.id, o.source_id)).collect();
    assert_eq!(kept.iter().filter(|(id, _)| *id <= 5).copied().collect::<Vec<_>>(), [(2, 2), (3, 2), (4, 2), (5, 2)]);
    let buyer1 = ws.customers().unwrap().into_iter().find(|c| c.key == "oBuyer1").unwrap();
    assert_eq!((buyer1.orders, buyer1.revenue), (2, 5000 + 2000));
    ws.check_integrity().unwrap();
}

#[test]
fn every_shipped_version_has_a_migration_test() {
    // Bump this together with a new `version_N_workspace_is_migrated…` test when adding a migration.
    assert_eq!(schema::LATEST_VERSION, 9);
}

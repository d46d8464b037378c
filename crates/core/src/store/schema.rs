//! The workspace schema and its versioned migrations.
//!
//! `MIGRATIONS[i]` takes a workspace from version `i` to `i + 1`; the version lives in SQLite's
//! `user_version` and the file is marked as ours with `application_id`. A step, once shipped, is never
//! edited: old files in the wild were made by it (the migration tests keep frozen copies to enforce this).
//! This module does not decide what is stored; `import`, `snapshots` and `Workspace` do.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result, StoreError};

/// `PRAGMA application_id` of every TierBook workspace ("TBKW").
pub const APPLICATION_ID: i32 = 0x5442_4B57;

/// One SQL batch per schema version; index 0 creates version 1.
pub const MIGRATIONS: &[&str] = &[
    // v1: imports, orders, customer aggregates, settings, playbooks.
    r#"
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
"#,
    // v2: classification runs and snapshots (tier history).
    r#"
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
"#,
    // v3: saved column mappings per source layout; sources remember their layout.
    r#"
CREATE TABLE saved_mappings (
    fingerprint TEXT PRIMARY KEY,
    headers TEXT NOT NULL,
    mapping TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    uses INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
ALTER TABLE sources ADD COLUMN layout TEXT;
ALTER TABLE sources ADD COLUMN mapping_reused INTEGER NOT NULL DEFAULT 0;
"#,
    // v4 (branch regions-cohorts): the province and city of each order (from its address columns)
    // and of each customer (their most recent order that has an address).
    r#"
ALTER TABLE orders ADD COLUMN province TEXT;
ALTER TABLE orders ADD COLUMN city TEXT;
ALTER TABLE customers ADD COLUMN province TEXT;
ALTER TABLE customers ADD COLUMN city TEXT;
"#,
    // v5 (branch `campaigns`): campaigns with their contacted and holdout members.
    r#"
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
"#,
    // v6 (branch `products-app`): the item rows of each order (what was bought, as `Order::items`
    // holds them) and the user's cost table (unit cost per SKU or per product name).
    r#"
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
"#,
    // v7 (issue 10 item 4): the items in blocks, a row per few thousand orders (`items`); the step's
    // Rust part (`RUST_STEPS`) moves the item rows of v6 into them and drops `order_items`.
    r#"
-- The items of the orders first_order ..= last_order (`items::Block`, postcard); costed: whether any
-- of them has a cost or profit of its own. Deleting orders takes their items out (`items::forget`).
CREATE TABLE order_item_blocks (
    first_order INTEGER PRIMARY KEY,
    last_order INTEGER NOT NULL,
    costed INTEGER NOT NULL,
    items BLOB NOT NULL
);
"#,
    // v8 (issue 10 item 4): a snapshot's customers in blocks, a row per few thousand customers
    // (`snapshot_blocks`); the step's Rust part moves the rows of v2–v7 into them and drops
    // `snapshot_rows` and the row range `snapshots` kept of it.
    r#"
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
"#,
    // v9 (issue 10 item 4): the orders in blocks, a row per few thousand orders (`order_blocks`);
    // the step's Rust part moves the order rows into them, makes `order_sightings` again without
    // its reference to `orders` and drops `orders` with its indexes.
    r#"
-- The orders first_order ..= last_order in id order (`order_blocks::BlockWriter`): how many, the
-- customers they belong to (read without the rest, to find a customer's blocks), the block's
-- distinct texts and the orders themselves.
CREATE TABLE order_blocks (
    first_order INTEGER PRIMARY KEY,
    last_order INTEGER NOT NULL,
    orders INTEGER NOT NULL,
    customers BLOB NOT NULL,
    texts BLOB NOT NULL,
    body BLOB NOT NULL
);
"#,
];

/// What a step does beyond its SQL, run right after it: (the version the step makes, the work).
type RustStep = fn(&Connection) -> Result<()>;
const RUST_STEPS: &[(i64, RustStep)] = &[
    (7, super::items::blocks_from_rows),
    (8, super::snapshot_blocks::blocks_from_rows),
    (9, super::order_blocks::blocks_from_rows),
];

/// The page size of a workspace this build creates (`open`; older workspaces keep theirs).
pub const NEW_PAGE_SIZE: i64 = 16384;

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// How long a connection waits for another's lock before giving up.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

fn not_a_workspace(path: &Path, detail: impl Into<String>) -> Error {
    Error::NotAWorkspace { path: path.to_path_buf(), detail: detail.into(), source: None }
}

/// SQLite refused the file: the detail in plain words, SQLite's error kept as the source.
fn refused_by_sqlite(path: &Path, e: rusqlite::Error) -> Error {
    Error::NotAWorkspace { path: path.to_path_buf(), detail: sqlite_detail(&e), source: Some(e) }
}

/// Another connection to a workspace a `Workspace` has opened already (checked and upgraded: nothing
/// is checked again), for work on a thread of its own: the checkpoint after a large commit, the
/// app's read-ahead. Read-write at the file level and never created: a WAL connection may need to
/// set up the shared-memory index.
pub(crate) fn open_again(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// Whether `path` is a TierBook workspace of this build's schema version, by its header alone (read
/// through a read-only connection: nothing is created, upgraded or checked). False for anything else,
/// including a file that cannot be read. Tells whether a reader may be opened on it beside the
/// checking open (`Workspace::reader`): an older workspace must be upgraded first.
pub(crate) fn is_current(path: &Path) -> bool {
    if !matches!(check_magic(path), Ok(true)) {
        return false;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let header = Connection::open_with_flags(path, flags).and_then(|conn| {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok((app, version))
    });
    matches!(header, Ok((APPLICATION_ID, LATEST_VERSION)))
}

/// Opens (creating if missing) and migrates the workspace at `path`; never writes to a file that is
/// not ours or is newer than this build.
pub(crate) fn open(path: &Path) -> Result<Connection> {
    if check_magic(path)? {
        recognise(path)?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(|e| refused_by_sqlite(path, e))?;
    // Another window or the CLI may hold the write lock for a moment; wait rather than fail.
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| refused_by_sqlite(path, e))?;

    let read = |conn: &Connection| -> rusqlite::Result<(i32, i64, i64)> {
        let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app, version, objects))
    };
    let (app, version, objects) = read(&conn).map_err(|e| refused_by_sqlite(path, e))?;
    let fresh = app == 0 && version == 0 && objects == 0;
    if !fresh && app != APPLICATION_ID {
        return Err(not_a_workspace(
            path,
            format!("这是其他程序的 SQLite 数据库（application_id = {app:#x}），不是 TierBook 工作区 / a SQLite database of another program"),
        ));
    }
    if version > LATEST_VERSION {
        return Err(Error::WorkspaceTooNew { path: path.to_path_buf(), found: version, supported: LATEST_VERSION });
    }

    let setup = |conn: &Connection| -> rusqlite::Result<()> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL in WAL mode cannot corrupt the file; a power cut may lose only the last commit.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MB of page cache: imports insert into large indexes, and start-up reads whole tables.
        conn.pragma_update(None, "cache_size", -65536)?;
        Ok(())
    };
    if fresh {
        // 16 KiB pages instead of SQLite's 4 KiB, for a workspace made now (a page size is fixed
        // once the first table is written). A shop's first import writes 200+ MB at a million
        // orders and builds its indexes whole: a quarter of the pages to split, write and sync;
        // 6.46 → 6.26 s at a million orders into a new workspace (six alternating rounds), a 100k
        // import into that workspace unchanged (8.5 s either way: docs/benchmarks.md).
        conn.pragma_update(None, "page_size", NEW_PAGE_SIZE).map_err(|e| refused_by_sqlite(path, e))?;
    }
    setup(&conn).map_err(|e| refused_by_sqlite(path, e))?;
    if version < LATEST_VERSION {
        migrate(&mut conn, version, fresh).map_err(|e| Error::Store(StoreError::Upgrade(e)))?;
    }
    Ok(conn)
}

/// Applies the missing steps in one transaction: a crash mid-migration leaves the old version intact.
fn migrate(conn: &mut Connection, from: i64, fresh: bool) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Re-read inside the write lock: another process may have migrated since we looked.
    let current: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let from = current.max(from);
    for (i, step) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let version = i as i64 + 1;
        tx.execute_batch(step)?;
        for (_, work) in RUST_STEPS.iter().filter(|(v, _)| *v == version) {
            work(&tx).map_err(|e| match e {
                Error::Store(StoreError::Sqlite(e) | StoreError::Upgrade(e)) => e,
                other => rusqlite::Error::ToSqlConversionFailure(Box::new(other)),
            })?;
        }
        tx.pragma_update(None, "user_version", version)?;
    }
    if fresh && current == 0 {
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('created_by', ?1)",
            [concat!("TierBook ", env!("CARGO_PKG_VERSION"))],
        )?;
    }
    tx.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('migrated_by', ?1)",
        [concat!("TierBook ", env!("CARGO_PKG_VERSION"))],
    )?;
    tx.commit()
}

/// The tables every workspace of a version has (`EXPECTED_TABLES[i]` from version `i + 1` on).
const EXPECTED_TABLES: &[&[&str]] = &[
    &["meta", "settings", "playbooks", "sources", "customers", "orders", "order_sightings"],
    &["classification_runs", "snapshots", "snapshot_rows"],
    &["saved_mappings"],
    &[],
    &["campaigns", "campaign_members"],
    &["order_items", "product_costs"],
    &["order_item_blocks"],
    &["snapshot_blocks"],
    &["order_blocks"],
];

/// Tables a version dropped: (the version, the table); from that version on it is not expected.
const DROPPED_TABLES: &[(i64, &str)] = &[(7, "order_items"), (8, "snapshot_rows"), (9, "orders")];

/// True for SQLite's "a hot journal needs rolling back, which a read-only connection cannot do".
fn is_hot_journal(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK)
}

/// Looks at an existing SQLite file through a read-only connection before anything may write to it:
/// it must be empty (a new workspace) or carry our `application_id`, a version we know and that
/// version's tables, and it must pass `PRAGMA quick_check`. So another program's database is never
/// switched to WAL or migrated, and a damaged workspace is never written into (SQLite would happily
/// add pages to a file whose other pages are garbage).
fn recognise(path: &Path) -> Result<()> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    // Another connection may hold a lock for a moment (the app's reader beside this open recovering
    // the log's index, the CLI): wait for it rather than call the file damaged or not a workspace.
    let open = || {
        Connection::open_with_flags(path, flags)
            .and_then(|conn| conn.busy_timeout(BUSY_TIMEOUT).map(|()| conn))
            .map_err(|e| not_a_workspace(path, sqlite_detail(&e)))
    };
    let mut conn = open()?;
    // The header (page 1) says whose file it is; from then on, a page SQLite cannot read means damage.
    let header = |conn: &Connection| -> rusqlite::Result<(i32, i64)> {
        let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok((app, version))
    };
    let mut read = header(&conn);
    if read.as_ref().is_err_and(is_hot_journal) {
        // A writer was killed in a transaction under a rollback journal (a shop's first import:
        // `Workspace::use_rollback_journal`). Rolling it back is what any SQLite connection that may
        // write does on its first read, and it brings back the last committed file; only then can
        // the file be looked at.
        let rollback = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Connection::open_with_flags(path, rollback)
            .and_then(|c| c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(())))
            .map_err(|e| not_a_workspace(path, sqlite_detail(&e)))?;
        conn = open()?;
        read = header(&conn);
    }
    let (app, version) = read.map_err(|e| not_a_workspace(path, sqlite_detail(&e)))?;
    let damaged = |detail: String| Error::WorkspaceDamaged { path: path.to_path_buf(), detail };
    let tables = (|| -> rusqlite::Result<Vec<String>> {
        let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?;
        let names = stmt.query_map([], |r| r.get(0))?.collect();
        names
    })();
    let tables = match tables {
        Ok(tables) => tables,
        Err(e) if app == APPLICATION_ID => return Err(damaged(sqlite_detail(&e))),
        Err(e) => return Err(not_a_workspace(path, sqlite_detail(&e))),
    };
    if app == 0 && version == 0 && tables.is_empty() {
        return Ok(());
    }
    if app != APPLICATION_ID {
        return Err(not_a_workspace(
            path,
            format!("这是其他程序的 SQLite 数据库（application_id = {app:#x}），不是 TierBook 工作区 / a SQLite database of another program"),
        ));
    }
    if version > LATEST_VERSION {
        return Err(Error::WorkspaceTooNew { path: path.to_path_buf(), found: version, supported: LATEST_VERSION });
    }
    let missing: Vec<&str> = EXPECTED_TABLES
        .iter()
        .take(usize::try_from(version).unwrap_or(0))
        .flat_map(|names| names.iter().copied())
        .filter(|name| !DROPPED_TABLES.iter().any(|&(v, t)| v <= version && t == *name))
        .filter(|name| !tables.iter().any(|t| t == name))
        .collect();
    if !missing.is_empty() {
        return Err(not_a_workspace(path, format!("缺少数据表 / missing tables: {}", missing.join(", "))));
    }
    let mut stmt = conn.prepare("PRAGMA quick_check").map_err(|e| damaged(sqlite_detail(&e)))?;
    let found: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect::<rusqlite::Result<_>>())
        .map_err(|e| damaged(sqlite_detail(&e)))?;
    if found.len() != 1 || found[0] != "ok" {
        let mut detail: Vec<String> = found.into_iter().take(3).collect();
        detail.insert(0, "完整性检查未通过 / quick_check failed".into());
        return Err(damaged(detail.join("; ")));
    }
    Ok(())
}

/// A non-empty file that does not start with SQLite's magic is refused before SQLite sees it, with a
/// message that says what it is not. True when the file exists with content (a SQLite file to look at).
fn check_magic(path: &Path) -> Result<bool> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::Io { path: path.to_path_buf(), source: e }),
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(not_a_workspace(path, "这是一个文件夹 / this is a folder"));
    }
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(Error::Io { path: path.to_path_buf(), source: e }),
        }
    }
    if read == 0 {
        // An empty file (e.g. just created by a save dialog) becomes a new workspace.
        return Ok(false);
    }
    if read < head.len() || &head != SQLITE_MAGIC {
        return Err(not_a_workspace(path, "文件不是 SQLite 数据库 / not a SQLite database"));
    }
    Ok(true)
}

fn sqlite_detail(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => "文件不是数据库或已加密 / file is not a database".into(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => "数据库已损坏 / database disk image is malformed".into(),
        _ => "SQLite 无法打开该文件 / SQLite could not open the file".into(),
    }
}

//! Opening files that must not be written to: a TierBook workspace with a damaged page, and SQLite
//! files of other programs (even one that borrows our application id). Each is built here as a real
//! SQLite file and must be left byte-identical, in its own journal mode.

use std::path::Path;

use tierbook_core::store::{schema, Workspace};
use tierbook_core::Error;

/// A real workspace with enough data to span many pages, closed (its WAL checkpointed into the file).
fn workspace_with_pages(path: &Path) {
    let mut ws = Workspace::open(path).unwrap();
    let text: String = "订单备注".repeat(200);
    for i in 0..300 {
        ws.set_setting(&format!("note-{i:04}"), &format!("{i} {text}")).unwrap();
    }
    drop(ws);
    assert!(!Path::new(&format!("{}-wal", path.display())).exists(), "the WAL was checkpointed on close");
}

fn page_size(bytes: &[u8]) -> usize {
    match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65536,
        n => usize::from(n),
    }
}

#[test]
fn a_workspace_with_a_corrupted_page_is_refused_byte_identical_and_the_message_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.tierbook");
    workspace_with_pages(&good);
    let original = std::fs::read(&good).unwrap();
    let size = page_size(&original);
    let pages = original.len() / size;
    assert!(pages > 40, "{pages} pages");
    // Garbage over three pages: early ones (the schema grows into them with the later migrations)
    // and the last ones (leaf pages of the settings table, where SQLite would add the next rows).
    for (from, to) in [(20, 23), (pages - 4, pages - 1)] {
        let mut bytes = original.clone();
        let mut x = 0x2545_f491_u32;
        for byte in &mut bytes[from * size..to * size] {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *byte = x as u8;
        }
        let damaged = dir.path().join("店铺.tierbook");
        std::fs::write(&damaged, &bytes).unwrap();

        let err = Workspace::open(&damaged).unwrap_err();
        assert!(matches!(err, Error::WorkspaceDamaged { .. }), "pages {from}..{to}: {err:?}");
        assert_eq!((err.code().to_string(), err.exit_code()), ("workspace_damaged".to_string(), 4));
        let message = err.to_string();
        assert!(
            message.contains("店铺.tierbook") && message.contains("没有写入") && message.contains("备份"),
            "{message}"
        );
        assert_eq!(std::fs::read(&damaged).unwrap(), bytes, "the damaged workspace was written to");
    }
    // The intact original still opens and its data is whole.
    let ws = Workspace::open(&good).unwrap();
    assert_eq!(ws.get_setting::<String>("note-0299").unwrap().unwrap().len(), 4 + 200 * 12);
}

#[test]
fn a_sqlite_file_with_our_application_id_but_not_our_tables_is_not_switched_to_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imposter.db");
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "application_id", schema::APPLICATION_ID).unwrap();
    raw.pragma_update(None, "user_version", 3).unwrap();
    raw.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('x');")
        .unwrap();
    drop(raw);
    let before = std::fs::read(&path).unwrap();
    assert_eq!(before[18], 1, "a rollback-journal file to begin with");
    let err = Workspace::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotAWorkspace { .. }), "{err:?}");
    assert!(err.to_string().contains("sources"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "not switched to WAL, not migrated");
}

#[test]
fn another_programs_wal_database_is_refused_and_left_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let raw = rusqlite::Connection::open(&path).unwrap();
    let _: String = raw.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).unwrap();
    raw.pragma_update(None, "application_id", 0x1234_5678).unwrap();
    raw.execute_batch("CREATE TABLE t (a); INSERT INTO t VALUES (1);").unwrap();
    drop(raw);
    let before = std::fs::read(&path).unwrap();
    let err = Workspace::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotAWorkspace { .. }), "{err:?}");
    assert!(err.to_string().contains("0x12345678"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// A workspace another connection holds a write lock on for a moment (the CLI's first import under a
/// rollback journal, the app's reader recovering the log's index beside the open): the open waits for
/// it and opens the file, instead of calling a sound workspace damaged or not a workspace.
#[test]
fn a_workspace_locked_for_a_moment_is_opened_once_the_lock_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("店铺.tierbook");
    workspace_with_pages(&path);
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.pragma_update(None, "journal_mode", "DELETE").unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE; INSERT INTO settings(key, value) VALUES ('held', '1');").unwrap();
    let (locked, go) = std::sync::mpsc::channel();
    let release = std::thread::spawn(move || {
        locked.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        holder.execute_batch("COMMIT").unwrap();
    });
    go.recv().unwrap();
    let ws = Workspace::open(&path).unwrap();
    release.join().unwrap();
    assert_eq!(ws.get_setting::<i64>("held").unwrap(), Some(1));
    assert!(Workspace::is_current_version(&path));
}

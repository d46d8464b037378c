//! Shops and backups on real files: a workspace holding two imports (a CSV and an xlsx written here)
//! and two snapshots is backed up and restored whole; files that are not a backup we can restore
//! (newer, another program's database, not SQLite, cut off) are refused without writing anything;
//! a restore never lands on an existing workspace unless told to, and then keeps a copy of it first.
//! Shops in a folder: created, listed, named, renamed without losing data or overwriting a file.

mod store_support;

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use tierbook_core::classify::{self, ClassifyParams};
use tierbook_core::import::ImportOptions;
use tierbook_core::store::backup::{self, Existing};
use tierbook_core::store::{schema, shops, Workspace};
use tierbook_core::{Error, NoProgress};

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

/// A named workspace with a CSV import and a snapshot, then an overlapping xlsx import and a second
/// snapshot, and a setting.
fn shop_with_history(dir: &Path, file: &str, name: &str, customers: u64) -> PathBuf {
    let path = dir.join(file);
    let csv = dir.join(format!("{name}-1-3月.csv"));
    let xlsx = dir.join(format!("{name}-3-5月.xlsx"));
    store_support::write_csv(&csv, 0, 1_200, customers);
    store_support::write_xlsx(&xlsx, 800, 2_000, customers);
    let mut ws = Workspace::open(&path).unwrap();
    ws.set_shop_name(name).unwrap();
    for (export, when) in [(&csv, "2025-04-01 10:00:00"), (&xlsx, "2025-06-01 10:00:00")] {
        ws.import(std::slice::from_ref(export), &ImportOptions::default(), at(when), &NoProgress).unwrap();
        let customers = ws.customers().unwrap();
        let classification = classify::classify(&customers, &ClassifyParams::default()).unwrap();
        ws.save_snapshot(&customers, &classification, Some(when)).unwrap();
    }
    ws.set_setting("lang", "zh").unwrap();
    path
}

/// Everything a user would miss if a restore lost it.
fn contents(path: &Path) -> impl PartialEq + std::fmt::Debug {
    let ws = Workspace::open(path).unwrap();
    let snapshots = ws.snapshots().unwrap();
    let migration = ws.compare(snapshots[0].id, snapshots[1].id, &ws.playbook().unwrap()).unwrap();
    (
        ws.shop_name().unwrap(),
        ws.sources().unwrap(),
        ws.all_orders().unwrap(),
        ws.customers().unwrap(),
        snapshots,
        format!("{migration:?}"),
        ws.get_setting::<String>("lang").unwrap(),
        ws.playbook().unwrap(),
    )
}

/// Files in `dir` whose names start with `.` (staging files a failed restore must not leave behind).
fn hidden_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn a_backup_restores_into_a_new_workspace_with_every_import_snapshot_and_setting() {
    let dir = tempfile::tempdir().unwrap();
    let original = shop_with_history(dir.path(), "旗舰店.tierbook", "旗舰店", 300);
    let file = dir.path().join("备份").join("旗舰店-备份.tierbook");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    Workspace::open(&original).unwrap().backup_to(&file).unwrap();

    let info = backup::inspect(&file).unwrap();
    assert_eq!(info.shop_name.as_deref(), Some("旗舰店"));
    assert_eq!((info.sources, info.orders, info.customers, info.snapshots), (2, 2_000, 300, 2));
    assert_eq!(info.version, schema::LATEST_VERSION);

    let restored = dir.path().join("恢复的店.tierbook");
    let outcome = backup::restore(&file, &restored, Existing::Refuse).unwrap();
    assert_eq!(outcome.info, info);
    assert_eq!(outcome.kept, None);
    assert_eq!(contents(&restored), contents(&original));
    Workspace::open(&restored).unwrap().check_integrity().unwrap();
    // One self-contained file and no staging file left.
    assert!(!Path::new(&format!("{}-wal", restored.display())).exists());
    assert_eq!(hidden_files(dir.path()), Vec::<String>::new());
    // The restored workspace takes new imports like any other.
    let more = dir.path().join("6月.csv");
    store_support::write_csv(&more, 1_900, 2_100, 300);
    let mut ws = Workspace::open(&restored).unwrap();
    let added = ws.import(&[more], &ImportOptions::default(), at("2025-07-01 10:00:00"), &NoProgress).unwrap();
    assert_eq!((added.new_orders, added.known_orders), (100, 100));
}

#[test]
fn a_backup_from_a_newer_tierbook_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let original = shop_with_history(dir.path(), "a.tierbook", "A", 50);
    let file = dir.path().join("newer.tierbook");
    Workspace::open(&original).unwrap().backup_to(&file).unwrap();
    let raw = rusqlite::Connection::open(&file).unwrap();
    raw.pragma_update(None, "user_version", schema::LATEST_VERSION + 1).unwrap();
    drop(raw);
    let before = std::fs::read(&file).unwrap();

    let target = dir.path().join("b.tierbook");
    let err = backup::restore(&file, &target, Existing::Refuse).unwrap_err();
    assert!(matches!(err, Error::BackupTooNew { found, .. } if found == schema::LATEST_VERSION + 1), "{err:?}");
    assert_eq!(err.code(), "backup_too_new");
    assert!(err.to_string().contains("更新版本"), "{err}");
    assert!(matches!(backup::inspect(&file), Err(Error::BackupTooNew { .. })));
    assert!(!target.exists());
    assert_eq!(std::fs::read(&file).unwrap(), before, "the backup itself is never written");
    assert_eq!(hidden_files(dir.path()), Vec::<String>::new());
}

#[test]
fn another_programs_database_a_text_file_and_an_empty_file_are_not_backups() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("wechat.db");
    let raw = rusqlite::Connection::open(&foreign).unwrap();
    raw.execute_batch(
        "CREATE TABLE message (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO message(body) VALUES ('hi');",
    )
    .unwrap();
    drop(raw);
    let text = dir.path().join("orders.csv");
    store_support::write_csv(&text, 0, 10, 3);
    let empty = dir.path().join("empty.tierbook");
    std::fs::write(&empty, b"").unwrap();
    let target = dir.path().join("target.tierbook");
    for (file, detail) in [(&foreign, "其他程序"), (&text, "不是 SQLite"), (&empty, "空的")] {
        let before = std::fs::read(file).unwrap();
        let err = backup::restore(file, &target, Existing::Refuse).unwrap_err();
        assert!(matches!(err, Error::NotABackup { .. }), "{}: {err:?}", file.display());
        assert_eq!(err.code(), "not_a_backup");
        assert!(err.to_string().contains("不是 TierBook 备份文件") && err.to_string().contains(detail), "{err}");
        assert_eq!(err.exit_code(), 2);
        assert!(!target.exists());
        assert_eq!(std::fs::read(file).unwrap(), before);
    }
    assert_eq!(hidden_files(dir.path()), Vec::<String>::new());
}

#[test]
fn a_cut_off_backup_is_refused_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let original = shop_with_history(dir.path(), "a.tierbook", "A", 200);
    let file = dir.path().join("full.tierbook");
    Workspace::open(&original).unwrap().backup_to(&file).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.len() > 64 * 1024, "the test needs a backup of many pages: {}", bytes.len());
    for keep in [bytes.len() / 2, bytes.len() - 4096] {
        let cut = dir.path().join(format!("cut-{keep}.tierbook"));
        std::fs::write(&cut, &bytes[..keep]).unwrap();
        let target = dir.path().join("target.tierbook");
        let err = backup::restore(&cut, &target, Existing::Refuse).unwrap_err();
        assert!(matches!(err, Error::BackupDamaged { .. }), "cut at {keep}: {err:?}");
        assert_eq!(err.code(), "backup_damaged");
        assert!(err.to_string().contains("已损坏或不完整"), "{err}");
        // Told by the header's page count, before SQLite reads a page: a 16 KiB page cut 4 KiB short
        // can pass SQLite's own checks.
        assert!(err.to_string().contains("文件不完整"), "cut at {keep}: {err}");
        assert!(!target.exists());
    }
    assert_eq!(hidden_files(dir.path()), Vec::<String>::new());
}

#[test]
fn a_restore_never_overwrites_a_workspace_unless_told_and_then_keeps_a_copy_first() {
    let dir = tempfile::tempdir().unwrap();
    let source = shop_with_history(dir.path(), "source.tierbook", "总店", 120);
    let file = dir.path().join("总店.bak.tierbook");
    Workspace::open(&source).unwrap().backup_to(&file).unwrap();
    let current = shop_with_history(dir.path(), "current.tierbook", "分店", 40);
    // The current workspace still has its write-ahead log beside it, as an open app leaves it.
    let mut open = Workspace::open(&current).unwrap();
    open.set_setting("note", "only in the log").unwrap();
    let current_before = contents(&current);

    let err = backup::restore(&file, &current, Existing::Refuse).unwrap_err();
    assert!(matches!(err, Error::WorkspaceExists { .. }), "{err:?}");
    assert_eq!((err.code().as_str(), err.exit_code()), ("workspace_exists", 3));
    assert_eq!(contents(&current), current_before);
    drop(open);

    let keep = backup::safety_copy_path(&current, at("2025-08-01 09:30:00"));
    assert_eq!(keep.file_name().unwrap(), "current.tierbook.20250801-093000.bak");
    let outcome = backup::restore(&file, &current, Existing::ReplaceKeeping(&keep)).unwrap();
    assert_eq!(outcome.kept.as_deref(), Some(keep.to_str().unwrap()));
    assert_eq!(contents(&current), contents(&source));
    assert_eq!(contents(&keep), current_before);
    assert_eq!(
        Workspace::open(&keep).unwrap().get_setting::<String>("note").unwrap().as_deref(),
        Some("only in the log")
    );
    // A second copy at the same second gets its own name.
    assert_ne!(backup::safety_copy_path(&current, at("2025-08-01 09:30:00")), keep);
    // Restoring a file onto itself is refused.
    let err = backup::restore(&current, &current, Existing::ReplaceKeeping(&dir.path().join("x.bak"))).unwrap_err();
    assert!(matches!(err, Error::OutputIsInput { .. }), "{err:?}");
}

#[test]
fn shops_are_created_listed_and_renamed_by_name_without_losing_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(shops::list(&data).unwrap(), vec![]);
    // The first workspace of earlier versions, never named.
    let default = shop_with_history(dir.path(), "x.tierbook", "ignored", 30);
    std::fs::create_dir_all(&data).unwrap();
    Workspace::open(&default).unwrap().backup_to(&data.join(shops::DEFAULT_FILE)).unwrap();
    {
        let raw = rusqlite::Connection::open(data.join(shops::DEFAULT_FILE)).unwrap();
        raw.execute("DELETE FROM meta WHERE key = 'shop_name'", []).unwrap();
    }
    let second = shops::create(&data, "  淘宝/分店  ").unwrap();
    assert_eq!(
        (second.name.as_str(), second.file.as_str(), second.readable),
        ("淘宝/分店", "淘宝_分店.tierbook", true)
    );
    let names: Vec<(String, String)> = shops::list(&data).unwrap().into_iter().map(|s| (s.name, s.file)).collect();
    assert_eq!(
        names,
        vec![
            ("我的店铺".to_string(), "workspace.tierbook".to_string()),
            ("淘宝/分店".to_string(), "淘宝_分店.tierbook".to_string())
        ]
    );
    assert_eq!(Workspace::open(&data.join(&second.file)).unwrap().customer_count().unwrap(), 0);

    for bad in ["", "   ", "a\nb", &"长".repeat(41)] {
        assert!(matches!(shops::create(&data, bad), Err(Error::InvalidShopName { .. })), "{bad:?}");
    }
    assert!(matches!(shops::create(&data, "我的店铺"), Err(Error::ShopNameTaken { .. })));
    assert!(matches!(shops::create(&data, "淘宝/分店"), Err(Error::ShopNameTaken { .. })));
    // Another name that maps to the same file name gets a file of its own.
    let third = shops::create(&data, "淘宝:分店").unwrap();
    assert_eq!(third.file, "淘宝_分店-2.tierbook");

    // Renaming the default workspace changes only its stored name; its data stays.
    let before = Workspace::open(&data.join(shops::DEFAULT_FILE)).unwrap().all_orders().unwrap();
    let renamed = shops::rename(&data, shops::DEFAULT_FILE, "总店").unwrap();
    assert_eq!((renamed.name.as_str(), renamed.file.as_str()), ("总店", "workspace.tierbook"));
    assert_eq!(Workspace::open(&data.join(shops::DEFAULT_FILE)).unwrap().all_orders().unwrap(), before);
    // Renaming another shop moves its file when the new name is free…
    let moved = shops::rename(&data, &second.file, "抖店").unwrap();
    assert_eq!((moved.name.as_str(), moved.file.as_str()), ("抖店", "抖店.tierbook"));
    assert!(!data.join(&second.file).exists());
    // …and never overwrites a file that has the new name (here another shop's, moved by hand).
    let other = shops::create(&data, "别的店").unwrap();
    std::fs::rename(data.join(&other.file), data.join("快手.tierbook")).unwrap();
    let other_bytes = std::fs::read(data.join("快手.tierbook")).unwrap();
    let kept = shops::rename(&data, &moved.file, "快手").unwrap();
    assert_eq!((kept.name.as_str(), kept.file.as_str()), ("快手", "快手-2.tierbook"));
    assert_eq!(std::fs::read(data.join("快手.tierbook")).unwrap(), other_bytes);
    // A file that is not a workspace is listed (unreadable) under its stem, which it keeps taken.
    std::fs::write(data.join("杂物.tierbook"), b"someone else's file").unwrap();
    let listed = shops::list(&data).unwrap();
    assert!(listed.iter().any(|s| s.file == "杂物.tierbook" && s.name == "杂物" && !s.readable), "{listed:?}");
    assert!(matches!(shops::create(&data, "杂物"), Err(Error::ShopNameTaken { .. })));
    assert_eq!(std::fs::read(data.join("杂物.tierbook")).unwrap(), b"someone else's file");
    assert!(matches!(shops::rename(&data, &kept.file, "总店"), Err(Error::ShopNameTaken { .. })));
    // A file argument cannot reach outside the folder or name a missing shop.
    for file in ["../x.tierbook", "missing.tierbook", "notes.txt", ".hidden.tierbook"] {
        assert!(matches!(shops::path_of(&data, file), Err(Error::WorkspaceNotFound { .. })), "{file}");
    }
}

#[test]
fn a_backup_restored_as_a_new_shop_takes_its_stored_name_or_a_free_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let original = shop_with_history(dir.path(), "a.tierbook", "旗舰店", 60);
    let file = dir.path().join("备份.tierbook");
    Workspace::open(&original).unwrap().backup_to(&file).unwrap();

    let (first, outcome) = shops::restore_new(&data, &file, None).unwrap();
    assert_eq!((first.name.as_str(), first.file.as_str()), ("旗舰店", "旗舰店.tierbook"));
    assert_eq!(outcome.info.orders, 2_000);
    let (second, _) = shops::restore_new(&data, &file, None).unwrap();
    assert_eq!((second.name.as_str(), second.file.as_str()), ("旗舰店（恢复）", "旗舰店（恢复）.tierbook"));
    let (third, _) = shops::restore_new(&data, &file, Some("测试店")).unwrap();
    assert_eq!(third.name, "测试店");
    assert!(matches!(shops::restore_new(&data, &file, Some("旗舰店")), Err(Error::ShopNameTaken { .. })));
    let ws = Workspace::open(&data.join(&third.file)).unwrap();
    assert_eq!(ws.all_orders().unwrap(), Workspace::open(&original).unwrap().all_orders().unwrap());
    assert_eq!(shops::list(&data).unwrap().len(), 3);
}

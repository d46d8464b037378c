//! `tierbook workspace backup|restore|list`: the real binary on a workspace filled by
//! `tierbook classify --workspace` from a CSV written here; the restored workspace is read back by
//! `tierbook history --json`.

use std::path::Path;
use std::process::{Command, Output};

fn tierbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tierbook")).args(args).output().expect("run tierbook")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A workspace with `orders` orders of three customers imported and one snapshot saved.
fn filled_workspace(dir: &Path, name: &str, orders: u32) -> std::path::PathBuf {
    let csv = dir.join(format!("{name}.csv"));
    let mut out = String::from("\u{feff}订单号,下单时间,订单状态,买家昵称,买家ID,实付金额\n");
    for n in 0..orders {
        out.push_str(&format!(
            "37{n:017},2025-0{}-1{} 10:00:00,已完成,买家{},o{},{}.00\n",
            n % 9 + 1,
            n % 10,
            n % 3,
            n % 3,
            100 + n
        ));
    }
    std::fs::write(&csv, out).unwrap();
    let ws = dir.join(format!("{name}.tierbook"));
    let report = dir.join(format!("{name}.xlsx"));
    let done = tierbook(&["classify", "--workspace", s(&ws), s(&csv), "--out", s(&report)]);
    assert!(done.status.success(), "{}", text(&done));
    ws
}

fn history(ws: &Path) -> serde_json::Value {
    let out = tierbook(&["history", "--workspace", s(ws), "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn backup_then_restore_into_a_new_workspace_gives_the_same_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let ws = filled_workspace(dir.path(), "店铺", 30);
    let file = dir.path().join("店铺-备份.tierbook");
    let out = tierbook(&["workspace", "backup", "--workspace", s(&ws), "--out", s(&file)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("30 单") && text(&out).contains("1 个快照"), "{}", text(&out));
    // An existing backup file is not overwritten without --force.
    let again = tierbook(&["workspace", "backup", "--workspace", s(&ws), "--out", s(&file)]);
    assert_eq!(again.status.code(), Some(4), "{}", text(&again));
    assert!(text(&again).contains("--force"));

    let restored = dir.path().join("恢复.tierbook");
    let out = tierbook(&["workspace", "restore", "--from", s(&file), "--workspace", s(&restored)]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(history(&restored), history(&ws));

    let list = tierbook(&["workspace", "list", "--dir", s(dir.path()), "--json"]);
    assert!(list.status.success(), "{}", text(&list));
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let files: Vec<&str> = list.as_array().unwrap().iter().map(|s| s["file"].as_str().unwrap()).collect();
    // By name; never-named workspaces are shown by their file's stem.
    assert_eq!(files, ["店铺.tierbook", "店铺-备份.tierbook", "恢复.tierbook"]);
    assert_eq!(list[0]["name"], "店铺");
}

#[test]
fn restore_refuses_an_existing_workspace_without_replace_and_keeps_a_copy_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = filled_workspace(dir.path(), "总店", 40);
    let small = filled_workspace(dir.path(), "分店", 12);
    let file = dir.path().join("总店.backup");
    assert!(tierbook(&["workspace", "backup", "--workspace", s(&big), "--out", s(&file)]).status.success());
    let small_history = history(&small);
    let small_bytes = std::fs::read(&small).unwrap();

    let refused = tierbook(&["workspace", "restore", "--from", s(&file), "--workspace", s(&small)]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(text(&refused).contains("workspace_exists") && text(&refused).contains("已存在"), "{}", text(&refused));
    assert_eq!(std::fs::read(&small).unwrap(), small_bytes);

    let replaced = tierbook(&["workspace", "restore", "--from", s(&file), "--workspace", s(&small), "--replace"]);
    assert!(replaced.status.success(), "{}", text(&replaced));
    assert_eq!(history(&small), history(&big));
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(text(&replaced).contains(kept[0].to_str().unwrap()), "{}", text(&replaced));
    assert_eq!(history(&kept[0]), small_history);
}

#[test]
fn restore_refuses_files_that_are_not_backups_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("订单.csv");
    std::fs::write(&csv, "订单号,买家ID,实付金额\n1,a,10\n").unwrap();
    let target = dir.path().join("new.tierbook");
    let out = tierbook(&["workspace", "restore", "--from", s(&csv), "--workspace", s(&target)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("not_a_backup") && text(&out).contains("不是 TierBook 备份文件"), "{}", text(&out));
    assert!(!target.exists());
    let missing = tierbook(&["workspace", "backup", "--workspace", s(&target), "--out", s(&dir.path().join("x"))]);
    assert_eq!(missing.status.code(), Some(4), "{}", text(&missing));
    assert!(text(&missing).contains("workspace_not_found"), "{}", text(&missing));
    assert!(!target.exists(), "backing up a missing workspace must not create it");
}

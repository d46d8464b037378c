//! `tierbook classify --workspace` and `tierbook history`: the real binary on CSV exports written
//! here, a real workspace file, and the workbook read back with calamine.
//!
//! The data: month 1 has X (¥8,000), Y (¥1,500) and Z (¥500); month 2 adds ¥9,500 for Z and a new
//! customer W (¥600). With fixed revenue thresholds (A ≥ ¥5,000, B ≥ ¥1,000) the truth is: X A→A,
//! Y B→B, Z C→A (upgraded), W new in C.

use std::path::Path;
use std::process::{Command, Output};

use calamine::{open_workbook_auto, Reader};

fn tierbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tierbook")).args(args).output().expect("run tierbook")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A 微信小店-style CSV: (order id, date, buyer id, nickname, paid yuan).
fn write_csv(path: &Path, rows: &[(&str, &str, &str, &str, u32)]) {
    let mut out = String::from("\u{feff}订单号,下单时间,订单状态,买家昵称,买家ID,实付金额\n");
    for (id, date, key, name, paid) in rows {
        out.push_str(&format!("{id},{date} 10:00:00,已完成,{name},{key},{paid}.00\n"));
    }
    std::fs::write(path, out).unwrap();
}

const THRESHOLDS: [&str; 8] = ["--method", "thresholds", "--measure", "revenue", "--a-min", "5000", "--b-min", "1000"];

fn classify(ws: &Path, files: &[&Path], out: &Path) -> Output {
    let mut args = vec!["classify", "--workspace", s(ws)];
    args.extend(files.iter().map(|f| s(f)));
    args.extend(["--out", s(out)]);
    args.extend(THRESHOLDS);
    tierbook(&args)
}

fn sheet_names(path: &Path) -> Vec<String> {
    open_workbook_auto(path).unwrap().sheet_names().to_vec()
}

#[test]
fn two_months_into_a_workspace_give_two_snapshots_and_a_migration_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("店铺.tierbook");
    let m1 = dir.path().join("1月.csv");
    let m2 = dir.path().join("2月.csv");
    write_csv(
        &m1,
        &[
            ("3700000000000000001", "2025-01-05", "oX", "小X", 5000),
            ("3700000000000000002", "2025-01-20", "oX", "小X", 3000),
            ("3700000000000000003", "2025-01-10", "oY", "小Y", 1500),
            ("3700000000000000004", "2025-01-15", "oZ", "小Z", 500),
        ],
    );
    // Month 2 repeats one order of month 1 (overlapping export).
    write_csv(
        &m2,
        &[
            ("3700000000000000004", "2025-01-15", "oZ", "小Z", 500),
            ("3700000000000000005", "2025-02-03", "oZ", "小Z", 9500),
            ("3700000000000000006", "2025-02-10", "oW", "小W", 600),
        ],
    );

    let r1 = dir.path().join("一月分层.xlsx");
    let first = classify(&ws, &[&m1], &r1);
    assert!(first.status.success(), "{}", text(&first));
    assert!(!sheet_names(&r1).iter().any(|n| n == "分层变化"), "{:?}", sheet_names(&r1));

    // The month-1 file again plus month 2: the first is unchanged, the second adds 2 of its 3 orders.
    let r2 = dir.path().join("二月分层.xlsx");
    let second = classify(&ws, &[&m1, &m2], &r2);
    assert!(second.status.success(), "{}", text(&second));
    let out = text(&second);
    assert!(out.contains("新增 2 单，已有 1 单"), "{out}");
    assert!(out.contains("1月.csv"), "{out}");
    assert!(out.contains("升级 1, 降级 0, 新客户 1, 流失 0"), "{out}");
    assert!(sheet_names(&r2).iter().any(|n| n == "分层变化"), "{:?}", sheet_names(&r2));

    let list = tierbook(&["history", "--workspace", s(&ws)]);
    assert!(list.status.success(), "{}", text(&list));
    let listing = text(&list);
    assert!(listing.contains("2025-01-20") && listing.contains("2025-02-10"), "{listing}");
    assert!(listing.contains("6 单"), "{listing}");

    let compare = tierbook(&["history", "--workspace", s(&ws), "--compare", "1", "2"]);
    assert!(compare.status.success(), "{}", text(&compare));
    let report = text(&compare);
    assert!(report.contains("升级 1, 降级 0, 新客户 1, 流失 0"), "{report}");
    assert!(report.contains("oZ 小Z C→A"), "{report}");
    assert!(report.contains("oW 小W -→C"), "{report}");

    let json = tierbook(&["history", "--workspace", s(&ws), "--compare", "1", "2", "--json"]);
    let migration: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let cell = |from: &str, to: &str| {
        migration["flows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["from"] == from && f["to"] == to)
            .map_or(0, |f| f["customers"].as_u64().unwrap())
    };
    assert_eq!((cell("A", "A"), cell("B", "B"), cell("C", "A")), (1, 1, 1));
    assert_eq!(migration["new"][0]["key"], "oW");
}

#[test]
fn history_of_a_missing_snapshot_says_so_with_exit_code_4() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.tierbook");
    let out = tierbook(&["history", "--workspace", s(&ws), "--compare", "1", "2"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(text(&out).contains("找不到分层快照 1"), "{}", text(&out));
}

#[test]
fn a_file_that_is_not_a_workspace_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let not_ws = dir.path().join("notes.txt");
    std::fs::write(&not_ws, "购物清单").unwrap();
    let out = tierbook(&["history", "--workspace", s(&not_ws)]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(text(&out).contains("不是 TierBook 工作区"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&not_ws).unwrap(), "购物清单");
}

/// What `history --json` lists, and the bytes of the workspace file (closed between commands).
fn state(ws: &Path) -> (String, Vec<u8>) {
    let list = tierbook(&["history", "--workspace", s(ws), "--json"]);
    assert!(list.status.success(), "{}", text(&list));
    (String::from_utf8_lossy(&list.stdout).into_owned(), std::fs::read(ws).unwrap())
}

#[test]
fn a_failed_csv_step_keeps_neither_the_import_nor_the_snapshot_nor_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("店铺.tierbook");
    let (m1, m2) = (dir.path().join("1月.csv"), dir.path().join("2月.csv"));
    write_csv(&m1, &[("3700000000000000001", "2025-01-05", "oX", "小X", 8000)]);
    write_csv(&m2, &[("3700000000000000002", "2025-02-05", "oY", "小Y", 900)]);
    let first = classify(&ws, &[&m1], &dir.path().join("一月.xlsx"));
    assert!(first.status.success(), "{}", text(&first));
    let before = state(&ws);

    // --csv-dir is a file: the CSV step fails after the import, the snapshot and the workbook.
    let not_a_folder = dir.path().join("名单");
    std::fs::write(&not_a_folder, "x").unwrap();
    let r2 = dir.path().join("二月.xlsx");
    let mut args = vec!["classify", "--workspace", s(&ws), s(&m2), "--out", s(&r2), "--csv-dir", s(&not_a_folder)];
    args.extend(THRESHOLDS);
    let failed = tierbook(&args);
    assert_eq!(failed.status.code(), Some(4), "{}", text(&failed));
    assert_eq!(state(&ws), before, "the workspace changed");
    assert!(!r2.exists(), "the workbook was left behind");
    assert_eq!(std::fs::read_to_string(&not_a_folder).unwrap(), "x");

    // The same command with a usable folder then imports month 2 once.
    let folder = dir.path().join("名单夹");
    let args: Vec<&str> = args.iter().map(|a| if *a == s(&not_a_folder) { s(&folder) } else { a }).collect::<Vec<_>>();
    let ok = tierbook(&args);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("新增 1 单"), "{}", text(&ok));
}

#[test]
fn out_onto_the_workspace_or_its_wal_is_refused_and_the_workspace_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("店铺.tierbook");
    let m1 = dir.path().join("1月.csv");
    write_csv(&m1, &[("3700000000000000001", "2025-01-05", "oX", "小X", 8000)]);
    assert!(classify(&ws, &[&m1], &dir.path().join("一月.xlsx")).status.success());
    let before = state(&ws);
    let wal = dir.path().join("店铺.tierbook-wal");
    for out in [ws.clone(), wal.clone(), dir.path().join(".").join("店铺.tierbook")] {
        let refused = classify(&ws, &[&m1], &out);
        assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
        let message = text(&refused);
        assert!(message.contains("店铺.tierbook") && message.contains("工作区"), "{message}");
        assert_eq!(state(&ws), before);
    }
    assert!(!wal.exists());
    // A new workspace whose first command fails is not left behind.
    let fresh = dir.path().join("新店铺.tierbook");
    let refused = classify(&fresh, &[&m1], &m1);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(!fresh.exists());
}

#[test]
fn csv_dir_holding_an_input_named_like_a_tier_csv_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("A类客户.csv");
    write_csv(&input, &[("3700000000000000001", "2025-01-05", "oX", "小X", 8000)]);
    let before = std::fs::read(&input).unwrap();
    let out = dir.path().join("分层.xlsx");
    let refused = tierbook(&["classify", s(&input), "--out", s(&out), "--csv-dir", s(dir.path())]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(text(&refused).contains("A类客户.csv"), "{}", text(&refused));
    assert_eq!(std::fs::read(&input).unwrap(), before);
    assert!(!out.exists());
}

//! `tierbook campaign`: the real binary on a workspace built here from two monthly CSV exports
//! (`tierbook classify --workspace`), a campaign by tier with a holdout and one by a key file, the
//! report read as JSON and checked against what the exports hold, and the refusals.

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

/// A 微信小店-style CSV: (order id, date, buyer id, paid yuan).
fn write_csv(path: &Path, rows: &[(String, &str, String, u32)]) {
    let mut out = String::from("\u{feff}订单号,下单时间,订单状态,买家昵称,买家ID,实付金额\n");
    for (id, date, key, paid) in rows {
        out.push_str(&format!("{id},{date} 10:00:00,已完成,昵称{key},{key},{paid}.00\n"));
    }
    std::fs::write(path, out).unwrap();
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", text(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

#[test]
fn campaign_by_tier_with_holdout_then_next_month_then_report() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("店铺.tierbook");
    let w = s(&ws);
    // January: ten customers over ¥5,000 (tier A with the thresholds below), five small ones.
    let mut jan = Vec::new();
    for i in 0..10 {
        jan.push((format!("J{i:02}"), "2025-01-10", format!("oA{i}"), 6000));
    }
    for i in 0..5 {
        jan.push((format!("J1{i}"), "2025-01-12", format!("oC{i}"), 100));
    }
    write_csv(&dir.path().join("1月.csv"), &jan);
    let thresholds = ["--method", "thresholds", "--measure", "revenue", "--a-min", "5000", "--b-min", "1000"];
    let classify = |file: &str, out: &str| {
        let mut args = vec!["classify", "--workspace", w, file, "--out", out];
        args.extend(thresholds);
        let o = tierbook(&args);
        assert!(o.status.success(), "{}", text(&o));
    };
    classify(s(&dir.path().join("1月.csv")), s(&dir.path().join("1月.xlsx")));

    let created = json(&tierbook(&[
        "campaign",
        "create",
        "--workspace",
        w,
        "--tier",
        "A",
        "--name",
        "双12回访",
        "--date",
        "2025-01-31",
        "--channel",
        "企业微信",
        "--cost",
        "20",
        "--holdout",
        "0.2",
        "--seed",
        "7",
        "--json",
    ]));
    assert_eq!((created["contacted"].as_u64(), created["holdout"].as_u64()), (Some(8), Some(2)));
    assert_eq!(created["spec"]["cost_per_contact"].as_i64(), Some(2000));
    assert_eq!(created["spec"]["seed"].as_u64(), Some(7));
    assert_eq!(created["spec"]["audience"].as_str(), Some("A类"));
    let id = created["id"].as_i64().unwrap().to_string();

    // A key file (a CSV with a header, as a contact list is exported) for the small customers.
    std::fs::write(dir.path().join("名单.csv"), "\u{feff}客户ID,姓名\noC0,小C0\noC1,小C1\n\noC2,小C2\n").unwrap();
    let by_keys = json(&tierbook(&[
        "campaign",
        "create",
        "--workspace",
        w,
        "--keys",
        s(&dir.path().join("名单.csv")),
        "--name",
        "唤醒",
        "--date",
        "2025-01-31",
        "--json",
    ]));
    assert_eq!((by_keys["contacted"].as_u64(), by_keys["holdout"].as_u64()), (Some(3), Some(0)));
    let keys_id = by_keys["id"].as_i64().unwrap().to_string();

    // February: every A customer orders ¥300 on 2 Feb, oC0 ¥50 on 1 Feb and oC1 on 5 Mar (after 30 days).
    let mut feb: Vec<(String, &str, String, u32)> =
        (0..10).map(|i| (format!("F{i:02}"), "2025-02-02", format!("oA{i}"), 300)).collect();
    feb.push(("F20".into(), "2025-02-01", "oC0".into(), 50));
    feb.push(("F21".into(), "2025-03-05", "oC1".into(), 70));
    write_csv(&dir.path().join("2月.csv"), &feb);
    classify(s(&dir.path().join("2月.csv")), s(&dir.path().join("2月.xlsx")));

    let report = json(&tierbook(&["campaign", "report", "--workspace", w, &id, "--json"]));
    let g = |name: &str, field: &str| report[name][field].as_f64().unwrap();
    // By hand: all 8 contacted and both held-out A customers ordered ¥300 once in the window.
    assert_eq!((g("contacted", "customers"), g("contacted", "buyers"), g("contacted", "orders")), (8.0, 8.0, 8.0));
    assert_eq!(g("contacted", "revenue"), 8.0 * 30_000.0);
    assert_eq!((g("holdout", "customers"), g("holdout", "buyers"), g("holdout", "revenue")), (2.0, 2.0, 60_000.0));
    assert_eq!(report["uplift_points"].as_f64(), Some(0.0));
    assert_eq!(report["cost"].as_i64(), Some(8 * 2000));
    assert_eq!(report["return_on_cost"].as_f64(), Some(240_000.0 / 16_000.0));
    assert_eq!(report["incremental_revenue"].as_f64(), Some(0.0));
    assert_eq!(report["verdict"].as_str(), Some("too_small"));
    assert_eq!(report["window_end"].as_str(), Some("2025-03-02"));

    let r = json(&tierbook(&["campaign", "report", "--workspace", w, &keys_id, "--json"]));
    assert_eq!((r["contacted"]["buyers"].as_u64(), r["contacted"]["revenue"].as_i64()), (Some(1), Some(5000)));
    // 40 days reach oC1's order on 5 March too.
    let r = json(&tierbook(&["campaign", "report", "--workspace", w, &keys_id, "--days", "40", "--json"]));
    assert_eq!((r["contacted"]["buyers"].as_u64(), r["contacted"]["revenue"].as_i64()), (Some(2), Some(12_000)));

    // The text report says it in words.
    let out = tierbook(&["campaign", "report", "--workspace", w, &id]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("联系组") && t.contains("对照组") && t.contains("每组至少需要 30 位客户"), "{t}");

    let list = tierbook(&["campaign", "list", "--workspace", w]);
    assert!(text(&list).contains("双12回访") && text(&list).contains("唤醒"), "{}", text(&list));
    let del = tierbook(&["campaign", "delete", "--workspace", w, &keys_id]);
    assert!(del.status.success(), "{}", text(&del));
    let listed = json(&tierbook(&["campaign", "list", "--workspace", w, "--json"]));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // The workbook of the next classify has the campaign sheet.
    classify(s(&dir.path().join("2月.csv")), s(&dir.path().join("再次.xlsx")));
    use calamine::Reader;
    let names = calamine::open_workbook_auto(dir.path().join("再次.xlsx")).unwrap().sheet_names().to_vec();
    assert!(names.iter().any(|n| n == "活动效果"), "{names:?}");
}

#[test]
fn refusals_exit_with_3_and_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("店铺.tierbook");
    let w = s(&ws);
    write_csv(&dir.path().join("1月.csv"), &[("J1".into(), "2025-01-10", "oA".into(), 100)]);
    // Nothing classified yet: a tier cannot be looked up.
    let by_tier =
        tierbook(&["campaign", "create", "--workspace", w, "--tier", "A", "--name", "x", "--date", "2025-02-01"]);
    assert_eq!(by_tier.status.code(), Some(3), "{}", text(&by_tier));
    assert!(text(&by_tier).contains("还没有分层快照"), "{}", text(&by_tier));
    let o = tierbook(&[
        "classify",
        "--workspace",
        w,
        s(&dir.path().join("1月.csv")),
        "--out",
        s(&dir.path().join("o.xlsx")),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let unknown =
        tierbook(&["campaign", "create", "--workspace", w, "--key", "oGhost", "--name", "x", "--date", "2025-02-01"]);
    assert_eq!(unknown.status.code(), Some(3), "{}", text(&unknown));
    assert!(text(&unknown).contains("oGhost"), "{}", text(&unknown));
    let share = tierbook(&[
        "campaign",
        "create",
        "--workspace",
        w,
        "--key",
        "oA",
        "--name",
        "x",
        "--date",
        "2025-02-01",
        "--holdout",
        "1.5",
    ]);
    assert_eq!(share.status.code(), Some(3), "{}", text(&share));
    let missing = tierbook(&["campaign", "report", "--workspace", w, "42"]);
    assert_eq!(missing.status.code(), Some(3), "{}", text(&missing));
    assert!(text(&missing).contains("找不到编号为 42 的活动"), "{}", text(&missing));
    // No audience at all is a usage error.
    let usage = tierbook(&["campaign", "create", "--workspace", w, "--name", "x", "--date", "2025-02-01"]);
    assert_eq!(usage.status.code(), Some(1), "{}", text(&usage));
}

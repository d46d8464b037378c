//! `tierbook contacts` end to end: the real binary on a generated export and on a workspace; the
//! CSV for tagging tools read back as bytes, the workbook's 本周该联系 sheet and rhythm columns read
//! back with calamine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{open_workbook_auto, Data, Reader};
use tierbook_core::generate::{self, FileFormat, GenerateOptions, Layout};

fn tierbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tierbook")).args(args).output().expect("run tierbook")
}

fn ok(args: &[&str]) -> String {
    let o = tierbook(args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sample(dir: &Path) -> PathBuf {
    let path = dir.join("订单.xlsx");
    let options = GenerateOptions {
        layout: Layout::Wechat,
        format: FileFormat::Xlsx,
        orders: 2000,
        customers: Some(500),
        seed: 7,
        quirks: false,
        ..GenerateOptions::default()
    };
    generate::generate(&path, &options).unwrap();
    path
}

fn keys(json: &serde_json::Value) -> Vec<String> {
    json["contacts"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap().to_string()).collect()
}

#[test]
fn contacts_lists_the_week_writes_a_masked_csv_and_matches_the_workbook_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let file = sample(dir.path());
    let csv_path = dir.path().join("联系名单.csv");
    let week: serde_json::Value =
        serde_json::from_str(&ok(&["contacts", s(&file), "--out", s(&csv_path), "--mask-phone", "--json"])).unwrap();
    let week_keys = keys(&week);
    assert!(week_keys.len() > 10, "{}", week_keys.len());
    let until = chrono::NaiveDate::parse_from_str(week["until"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let as_of = chrono::NaiveDate::parse_from_str(week["as_of"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!((until - as_of).num_days(), 6);
    for c in week["contacts"].as_array().unwrap() {
        let on = chrono::NaiveDate::parse_from_str(c["contact_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        assert!(as_of <= on && on <= until, "{c}");
        assert!(["Due", "AtRisk"].contains(&c["state"].as_str().unwrap()), "{c}");
    }

    // The CSV: BOM, the tagging-tool columns, one row per contact in rank order, phones masked.
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with("\u{FEFF}".as_bytes()));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(headers[..4], ["客户ID", "客户名称", "手机号", "标签"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.iter().map(|r| r[0].to_string()).collect::<Vec<_>>(), week_keys);
    assert!(rows.iter().all(|r| r[2].is_empty() || r[2].contains("****")), "phones masked");
    assert!(rows.iter().all(|r| r[3].contains('类') && (r[3].contains("该联系了") || r[3].contains("流失预警"))));

    // Without --mask-phone the full numbers are there.
    let full = dir.path().join("full.csv");
    ok(&["contacts", s(&file), "--out", s(&full)]);
    assert!(!std::fs::read_to_string(&full).unwrap().contains("****"));

    // Longer periods hold everyone of the shorter ones.
    let month: serde_json::Value =
        serde_json::from_str(&ok(&["contacts", s(&file), "--period", "month", "--json"])).unwrap();
    let month_keys = keys(&month);
    assert!(month_keys.len() > week_keys.len());
    assert!(week_keys.iter().all(|k| month_keys.contains(k)));

    // The workbook's 本周该联系 sheet is the same list in the same order, and the tier sheets carry
    // the rhythm columns.
    let book = dir.path().join("分层.xlsx");
    ok(&["classify", s(&file), "--out", s(&book)]);
    let mut wb = open_workbook_auto(&book).unwrap();
    let sheet = wb.worksheet_range("本周该联系").unwrap();
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let key_col = header.iter().position(|h| h == "客户ID").unwrap();
    let in_sheet: Vec<String> = sheet.rows().skip(1).map(|r| r[key_col].to_string()).collect();
    assert_eq!(in_sheet, week_keys);
    let tier_a = wb.worksheet_range("A类客户").unwrap();
    let header: Vec<String> = tier_a.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    for h in ["回购周期（天）", "周期依据", "预计下次下单", "逾期天数", "逾期倍数", "回购状态"]
    {
        assert!(header.iter().any(|x| x == h), "{h} in {header:?}");
    }
    let state_col = header.iter().position(|h| h == "回购状态").unwrap();
    let states: Vec<String> = tier_a.rows().skip(1).map(|r| r[state_col].to_string()).collect();
    assert!(states.iter().all(|s| ["未到期", "该联系了", "流失预警", "已流失"].contains(&s.as_str())), "{states:?}");
    let gap_col = header.iter().position(|h| h == "回购周期（天）").unwrap();
    assert!(tier_a.rows().skip(1).all(|r| matches!(r[gap_col], Data::Float(g) if g >= 1.0)));
}

#[test]
fn contacts_on_a_workspace_equals_contacts_on_its_files_and_refuses_both() {
    let dir = tempfile::tempdir().unwrap();
    let file = sample(dir.path());
    let ws = dir.path().join("店铺.tierbook");
    ok(&["classify", "--workspace", s(&ws), s(&file), "--out", s(&dir.path().join("a.xlsx"))]);
    let from_ws: serde_json::Value =
        serde_json::from_str(&ok(&["contacts", "--workspace", s(&ws), "--period", "2weeks", "--json"])).unwrap();
    let from_file: serde_json::Value =
        serde_json::from_str(&ok(&["contacts", s(&file), "--period", "2weeks", "--json"])).unwrap();
    assert_eq!(keys(&from_ws), keys(&from_file));
    assert_eq!(from_ws["contacts"], from_file["contacts"]);

    let both = tierbook(&["contacts", "--workspace", s(&ws), s(&file)]);
    assert_eq!(both.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&both.stderr).contains("--workspace"));
}

#[test]
fn contacts_refuses_thresholds_out_of_order_and_a_missing_file_list() {
    let dir = tempfile::tempdir().unwrap();
    let file = sample(dir.path());
    let bad = tierbook(&["contacts", s(&file), "--thresholds", "2,1,4"]);
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("从小到大"));
    let none = tierbook(&["contacts"]);
    assert_eq!(none.status.code(), Some(3));
    // Lower thresholds put more customers on the list.
    let strict: serde_json::Value = serde_json::from_str(&ok(&["contacts", s(&file), "--json"])).unwrap();
    let eager: serde_json::Value =
        serde_json::from_str(&ok(&["contacts", s(&file), "--thresholds", "0.5,2,4", "--json"])).unwrap();
    assert!(keys(&eager).len() > keys(&strict).len());
}

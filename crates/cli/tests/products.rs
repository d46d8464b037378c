//! `tierbook customers --bought` and `tierbook classify --method abc-profit --cost-table` on an
//! item-level export written here: who bought what is counted from the rows by hand below.

use std::path::Path;
use std::process::{Command, Output};

fn tierbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tierbook")).args(args).output().expect("run tierbook")
}

/// Three customers; 普洱 bought by oA (order 1, two item rows of one order) and oC; oB's 普洱 order
/// is closed, so oB did not buy it. The order amount is repeated on each item row.
const EXPORT: &str = "订单号,下单时间,订单状态,买家ID,买家昵称,商品名称,商家编码,数量,实付金额\n\
1,2025-03-01 10:00:00,已完成,oA,=甲,云南普洱茶饼,P-1,1,300.00\n\
1,2025-03-01 10:00:00,已完成,oA,=甲,紫砂壶,H-1,1,300.00\n\
2,2025-03-02 10:00:00,已关闭,oB,乙,云南普洱茶饼,P-1,1,100.00\n\
3,2025-03-03 10:00:00,已完成,oB,乙,红糖姜茶,T-1,2,20.00\n\
4,2025-03-04 10:00:00,已完成,oC,丙,普洱小沱茶,P-2,3,90.00\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn customers_bought_lists_who_bought_a_matching_product_and_writes_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let export = write(dir.path(), "订单.csv", EXPORT);
    let out = dir.path().join("普洱客户.csv");
    let run = tierbook(&["customers", &export, "--bought", "普洱", "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{FEFF}').lines().collect();
    assert_eq!(lines.len(), 3, "header + oA + oC: {csv}");
    // Most revenue first; the nickname that looks like a formula is neutralised.
    assert!(lines[1].starts_with("oA,'=甲,1,300.00,"), "{}", lines[1]);
    assert!(lines[2].starts_with("oC,丙,1,90.00,"), "{}", lines[2]);
    // By SKU too.
    let by_sku = tierbook(&["customers", &export, "--bought", "t-1"]);
    assert!(String::from_utf8_lossy(&by_sku.stdout).contains("1 / 3"));
}

#[test]
fn abc_profit_needs_costs_and_takes_them_from_a_cost_table() {
    let dir = tempfile::tempdir().unwrap();
    let export = write(dir.path(), "订单.csv", EXPORT);
    let out = dir.path().join("利润分层.xlsx");
    let args = ["classify", &export, "--method", "abc-profit", "--json", "--out", out.to_str().unwrap()];
    let refused = tierbook(&args);
    assert_eq!(refused.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no_cost"));
    assert!(!out.exists());
    // Unit costs by SKU: oA 300 − 50 − 200 = 50, oB 20 − 2 × 4 = 12, oC 90 − 3 × 10 = 60.
    let table = write(dir.path(), "成本.csv", "SKU,成本价\nP-1,50\nH-1,200\nT-1,4\nP-2,10\n");
    let mut with_table = args.to_vec();
    with_table.extend(["--cost-table", &table]);
    let run = tierbook(&with_table);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let tier_of =
        |key: &str| json["assignments"].as_array().unwrap().iter().find(|a| a["key"] == key).unwrap()["tier"].clone();
    // Total profit 122: oC (60) is A (nothing before it), oA (50, 49 % before it) A too, oB (12, 90 %) B.
    assert_eq!((tier_of("oC"), tier_of("oA"), tier_of("oB")), ("A".into(), "A".into(), "B".into()));
}

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

/// The project's generator writes 淘宝 item rows with SKU and unit cost (`--item-costs`); ABC by profit
/// on that file shows each customer's profit as the rows say: per counted order, the paid amount
/// (repeated on every item row) less its refunds less Σ unit cost × quantity.
#[test]
fn generated_item_costs_give_each_customer_the_profit_the_rows_say() {
    use calamine::{open_workbook_auto, Data, Reader};
    use std::collections::BTreeMap;
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("淘宝明细.csv");
    let (e, out) = (export.to_str().unwrap(), dir.path().join("利润.xlsx"));
    let gen = ["generate", "--layout", "taobao", "--orders", "600", "--seed", "5", "--format", "csv", "--plain"];
    let run = tierbook(&[&gen[..], &["--item-costs", "--out", e]].concat());
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let fen = |s: &str| (s.parse::<f64>().unwrap() * 100.0).round() as i64;
    let mut orders: BTreeMap<String, (String, bool, i64, i64, i64)> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(&export).unwrap();
    let header: Vec<String> =
        reader.headers().unwrap().iter().map(|h| h.trim_start_matches('\u{FEFF}').to_owned()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let (id, key, paid, status, qty, refund, cost) = (
        col("主订单编号"),
        col("买家会员名"),
        col("买家实际支付金额"),
        col("订单状态"),
        col("购买数量"),
        col("退款金额"),
        col("成本价"),
    );
    for row in reader.records() {
        let row = row.unwrap();
        let counted = !["交易关闭", "等待买家付款"].contains(&&row[status]);
        let o = orders.entry(row[id].to_owned()).or_insert((row[key].to_owned(), counted, fen(&row[paid]), 0, 0));
        o.3 += fen(&row[refund]);
        o.4 += fen(&row[cost]) * row[qty].parse::<i64>().unwrap();
    }
    let mut want: BTreeMap<String, i64> = BTreeMap::new();
    for (key, counted, paid, refund, cost) in orders.into_values() {
        if counted && refund < paid {
            *want.entry(key).or_insert(0) += paid - refund - cost;
        }
    }
    let run = tierbook(&["classify", e, "--method", "abc-profit", "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let mut book = open_workbook_auto(&out).unwrap();
    let mut got: BTreeMap<String, i64> = BTreeMap::new();
    for sheet in ["A类客户", "B类客户", "C类客户"] {
        let range = book.worksheet_range(sheet).unwrap();
        let mut rows = range.rows();
        let head: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        let p = head.iter().position(|h| h == "毛利").unwrap();
        for r in rows {
            let Data::Float(v) = r[p] else { panic!("{:?}", r[p]) };
            got.insert(r[0].to_string(), (v * 100.0).round() as i64);
        }
    }
    assert_eq!(got, want);
}

/// Every row of `sheet` as text cells (numbers as the workbook holds them), `None` when absent.
fn sheet_rows(book: &Path, sheet: &str) -> Option<Vec<Vec<String>>> {
    use calamine::{open_workbook_auto, Reader};
    let mut book = open_workbook_auto(book).unwrap();
    let range = book.worksheet_range(sheet).ok()?;
    Some(range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect())
}

/// The columns of a tier sheet that come from the products and the profit, by customer, with the tier.
fn product_columns(book: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out = std::collections::BTreeMap::new();
    for sheet in ["A类客户", "B类客户", "C类客户"] {
        let rows = sheet_rows(book, sheet).unwrap_or_else(|| panic!("{sheet} in {}", book.display()));
        let head = &rows[0];
        let cols: Vec<usize> = ["常买商品", "最近购买商品", "毛利"]
            .iter()
            .map(|h| head.iter().position(|x| x == h).unwrap_or_else(|| panic!("{h} in {head:?}")))
            .collect();
        for r in &rows[1..] {
            let mut v = vec![sheet.to_owned()];
            v.extend(cols.iter().map(|&c| r[c].clone()));
            out.insert(r[0].clone(), v);
        }
    }
    out
}

/// Schema v6: the items are stored with the orders, so a workspace gives what the file alone gives —
/// the 商品 sheet, 常买商品 / 最近购买商品, 毛利 and the tiers of ABC by profit, and `--bought`. The
/// file is imported in two halves (a later export holding orders the first already had), and once
/// more unchanged, so item rows are neither lost nor doubled by deduplication.
#[test]
fn a_workspace_gives_the_products_and_profit_the_file_alone_gives() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("淘宝明细.csv");
    let e = export.to_str().unwrap();
    let gen = ["generate", "--layout", "taobao", "--orders", "800", "--seed", "11", "--format", "csv", "--plain"];
    let run = tierbook(&[&gen[..], &["--item-costs", "--out", e]].concat());
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    // Two overlapping exports of the same shop: the first two thirds and the last two thirds of the
    // rows, cut between orders (an order's item rows are adjacent), so the middle third is in both.
    let text = std::fs::read_to_string(&export).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (head, body) = (lines[0], &lines[1..]);
    let order_of = |i: usize| body[i].split(',').next().unwrap();
    let cut = |mut i: usize| {
        while order_of(i) == order_of(i - 1) {
            i += 1;
        }
        i
    };
    let (a, b) = (cut(body.len() * 2 / 3), cut(body.len() / 3));
    let first = write(dir.path(), "一月.csv", &format!("{head}\n{}\n", body[..a].join("\n")));
    let second = write(dir.path(), "二月.csv", &format!("{head}\n{}\n", body[b..].join("\n")));

    let memory = dir.path().join("内存.xlsx");
    let run = tierbook(&["classify", e, "--method", "abc-profit", "--out", memory.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let ws = dir.path().join("店.tierbook");
    let stored = dir.path().join("工作区.xlsx");
    let w = ws.to_str().unwrap();
    for part in [&first, &second, &first] {
        let run = tierbook(&[
            "classify",
            part,
            "--workspace",
            w,
            "--method",
            "abc-profit",
            "--out",
            stored.to_str().unwrap(),
        ]);
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    }
    let want = sheet_rows(&memory, "商品").expect("商品 sheet from the file");
    assert!(want.len() > 20, "{want:?}");
    assert_eq!(sheet_rows(&stored, "商品").expect("商品 sheet from the workspace"), want);
    let want = product_columns(&memory);
    assert!(want.values().any(|v| !v[1].is_empty() && !v[3].is_empty()), "{want:?}");
    assert_eq!(product_columns(&stored), want);

    // --bought: the same list from the file and from the workspace.
    let (from_file, from_ws) = (dir.path().join("文件名单.csv"), dir.path().join("工作区名单.csv"));
    let run = tierbook(&["customers", e, "--bought", "茶", "--out", from_file.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let run = tierbook(&["customers", "--workspace", w, "--bought", "茶", "--out", from_ws.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let list = std::fs::read_to_string(&from_file).unwrap();
    assert!(list.lines().count() > 5, "{list}");
    assert_eq!(std::fs::read_to_string(&from_ws).unwrap(), list);
}

/// `--cost-table` with `--workspace` stores the table in the workspace: a later run without it gives
/// the profit and tiers the file plus the table give, and a fresh copy of the workspace (backup and
/// restore) still has it.
#[test]
fn a_cost_table_given_once_is_kept_by_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("带成本.csv");
    let gen = ["generate", "--layout", "taobao", "--orders", "500", "--seed", "3", "--format", "csv", "--plain"];
    let run = tierbook(&[&gen[..], &["--item-costs", "--out", full.to_str().unwrap()]].concat());
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    // The export without its 成本价 column, and a cost table by 商家编码 built from the dropped column.
    let mut reader = csv::Reader::from_path(&full).unwrap();
    let header: Vec<String> =
        reader.headers().unwrap().iter().map(|h| h.trim_start_matches('\u{FEFF}').to_owned()).collect();
    let (sku, cost) =
        (header.iter().position(|h| h == "商家编码").unwrap(), header.iter().position(|h| h == "成本价").unwrap());
    let mut export = csv::Writer::from_path(dir.path().join("无成本.csv")).unwrap();
    export.write_record(header.iter().enumerate().filter(|(i, _)| *i != cost).map(|(_, h)| h)).unwrap();
    let mut table = std::collections::BTreeMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        export.write_record(row.iter().enumerate().filter(|(i, _)| *i != cost).map(|(_, c)| c)).unwrap();
        table.insert(row[sku].to_owned(), row[cost].to_owned());
    }
    export.flush().unwrap();
    let table_text: String =
        table.iter().fold("商家编码,成本价\n".to_owned(), |acc, (s, c)| acc + &format!("{s},{c}\n"));
    let costs = write(dir.path(), "成本表.csv", &table_text);
    let e = dir.path().join("无成本.csv");
    let e = e.to_str().unwrap();

    let memory = dir.path().join("内存.xlsx");
    let run =
        tierbook(&["classify", e, "--method", "abc-profit", "--cost-table", &costs, "--out", memory.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let want = product_columns(&memory);
    assert!(want.values().all(|v| !v[3].is_empty()), "every customer's profit known: {want:?}");

    let ws = dir.path().join("店.tierbook");
    let w = ws.to_str().unwrap();
    let out = dir.path().join("工作区.xlsx");
    let o = out.to_str().unwrap();
    // Without costs the workspace refuses profit ABC, as the file alone does.
    let refused = tierbook(&["classify", e, "--workspace", w, "--method", "abc-profit", "--out", o]);
    assert_eq!(refused.status.code(), Some(3), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no_cost"));
    let run =
        tierbook(&["classify", e, "--workspace", w, "--method", "abc-profit", "--cost-table", &costs, "--out", o]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(product_columns(&out), want);
    std::fs::remove_file(&out).unwrap();
    // The same file again (unchanged, nothing imported) and no table: the costs come from the workspace.
    let run = tierbook(&["classify", e, "--workspace", w, "--method", "abc-profit", "--out", o]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(product_columns(&out), want);

    // Backup and restore carry the items and the cost table.
    let backup = dir.path().join("备份.tierbook");
    let run = tierbook(&["workspace", "backup", "--workspace", w, "--out", backup.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let restored = dir.path().join("恢复.tierbook");
    let run = tierbook(&[
        "workspace",
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--workspace",
        restored.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    std::fs::remove_file(&out).unwrap();
    let run =
        tierbook(&["classify", e, "--workspace", restored.to_str().unwrap(), "--method", "abc-profit", "--out", o]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(product_columns(&out), want);
}

//! End-to-end tests of the `tierbook` binary: each runs the real executable on files written by the
//! core's generator (or by hand, for broken inputs) in a temp dir, and reads the exported workbook
//! back with calamine.
//!
//! Index:
//! - help and usage: `help_*`, `usage_error_*`
//! - every layout imports, classifies and exports with revenue equal to the generator's truth:
//!   `*_layout_*`
//! - several files are one dataset: `overlapping_exports_*`
//! - bad inputs fail cleanly (message names the file, exit 2, no output, no panic): `bad_input_*`
//! - parameters: `out_equal_to_input_*`, `invalid_params_*`, methods `method_*`
//! - inspect: `inspect_*`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{open_workbook_auto, Data, DataType, Reader};
use chrono::NaiveDate;
use tierbook_core::generate::{self, FileFormat, GenerateOptions, Layout, Truth};

fn tierbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tierbook")).args(args).output().expect("run tierbook")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn options(layout: Layout, format: FileFormat, orders: u64) -> GenerateOptions {
    GenerateOptions { layout, format, orders, seed: 11, ..GenerateOptions::default() }
}

fn gen(dir: &Path, name: &str, o: &GenerateOptions) -> (PathBuf, Truth) {
    let path = dir.join(name);
    let truth = generate::generate(&path, o).unwrap();
    (path, truth)
}

/// One customer as the tier sheets show it.
#[derive(Debug, PartialEq)]
struct Row {
    tier: String,
    revenue: i64,
    orders: u32,
    first: NaiveDate,
    last: NaiveDate,
}

/// Every customer on the tier sheets (`A类客户` …), by key.
fn tier_rows(path: &Path) -> BTreeMap<String, Row> {
    let mut wb = open_workbook_auto(path).unwrap();
    let mut out = BTreeMap::new();
    for sheet in wb.sheet_names() {
        let Some(tier) = sheet.strip_suffix("类客户").map(str::to_string) else {
            continue;
        };
        let range = wb.worksheet_range(&sheet).unwrap();
        let mut rows = range.rows();
        let head: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        let col = |h: &str| head.iter().position(|x| x == h).unwrap_or_else(|| panic!("no {h} in {head:?}"));
        let (k, rev, n, first, last) =
            (col("客户ID"), col("消费金额"), col("订单数"), col("首次下单日期"), col("最近下单日期"));
        for r in rows {
            let date = |d: &Data| d.as_date().unwrap_or_else(|| panic!("not a date: {d:?}"));
            let row = Row {
                tier: tier.clone(),
                revenue: (r[rev].as_f64().unwrap() * 100.0).round() as i64,
                orders: r[n].as_f64().unwrap() as u32,
                first: date(&r[first]),
                last: date(&r[last]),
            };
            assert!(out.insert(r[k].to_string(), row).is_none(), "customer on two tier sheets");
        }
    }
    out
}

/// The pipeline's customers equal the truth: same keys, revenue to the cent, orders, dates.
fn assert_matches_truth(report: &Path, truth: &Truth) {
    let rows = tier_rows(report);
    let keys: Vec<&String> = rows.keys().collect();
    let truth_keys: Vec<&String> = truth.customers.iter().map(|c| &c.key).collect();
    assert_eq!(keys.len(), truth_keys.len(), "customer count");
    assert_eq!(keys, truth_keys, "customer keys");
    for c in &truth.customers {
        let r = &rows[&c.key];
        assert_eq!(
            (r.revenue, r.orders, r.first, r.last),
            (c.revenue, c.orders, c.first_order, c.last_order),
            "customer {}",
            c.key
        );
    }
    let total: i64 = rows.values().map(|r| r.revenue).sum();
    assert_eq!(total, truth.total_revenue());
}

fn classify_ok(args: &[&str]) -> Output {
    let out = tierbook(args);
    assert!(out.status.success(), "exit {:?}\nstdout:\n{}\nstderr:\n{}", out.status, stdout(&out), stderr(&out));
    out
}

#[test]
fn help_lists_commands_examples_and_exit_codes() {
    let out = tierbook(&["--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for needle in ["inspect", "classify", "generate", "退出码", "130", "示例"] {
        assert!(text.contains(needle), "--help lacks {needle}:\n{text}");
    }
    let out = tierbook(&["classify", "--help"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("rfm-cube") && stdout(&out).contains("--csv-dir"));
}

#[test]
fn usage_error_exits_with_1() {
    let out = tierbook(&["classify", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(1));
    let out = tierbook(&["classify", "x.xlsx"]); // --out missing
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn wechat_layout_xlsx_matches_truth_and_prints_tiers() {
    let dir = tempfile::tempdir().unwrap();
    let (src, truth) = gen(dir.path(), "微信小店.xlsx", &options(Layout::Wechat, FileFormat::Xlsx, 3000));
    let report = dir.path().join("分层.xlsx");
    let out = classify_ok(&["classify", s(&src), "--out", s(&report)]);
    assert_matches_truth(&report, &truth);
    let text = stdout(&out);
    assert!(text.contains("A") && text.contains(s(&report)), "{text}");
}

#[test]
fn wechat_layout_gbk_csv_with_title_and_totals_rows_matches_truth() {
    let dir = tempfile::tempdir().unwrap();
    let o = GenerateOptions { title_rows: true, totals_row: true, ..options(Layout::Wechat, FileFormat::CsvGbk, 1500) };
    let (src, truth) = gen(dir.path(), "orders.csv", &o);
    let report = dir.path().join("out.xlsx");
    classify_ok(&["classify", s(&src), "--out", s(&report)]);
    assert_matches_truth(&report, &truth);
}

#[test]
fn taobao_layout_item_rows_do_not_double_count_the_order_amount() {
    let dir = tempfile::tempdir().unwrap();
    let (src, truth) = gen(dir.path(), "淘宝.xlsx", &options(Layout::Taobao, FileFormat::Xlsx, 2000));
    assert!(truth.rows > truth.orders);
    let report = dir.path().join("out.xlsx");
    classify_ok(&["classify", s(&src), "--out", s(&report)]);
    assert_matches_truth(&report, &truth);
}

#[test]
fn pdd_layout_excludes_after_sales_refunds_and_uses_the_buyer_paid_amount() {
    let dir = tempfile::tempdir().unwrap();
    let (src, truth) = gen(dir.path(), "拼多多.csv", &options(Layout::Pdd, FileFormat::Csv, 2000));
    let report = dir.path().join("out.xlsx");
    classify_ok(&["classify", s(&src), "--key", Layout::Pdd.key_column(), "--out", s(&report)]);
    assert_matches_truth(&report, &truth);
}

#[test]
fn youzan_layout_with_excel_dates_matches_truth() {
    let dir = tempfile::tempdir().unwrap();
    let (src, truth) = gen(dir.path(), "有赞.xlsx", &options(Layout::Youzan, FileFormat::Xlsx, 2000));
    let report = dir.path().join("out.xlsx");
    classify_ok(&["classify", s(&src), "--key", Layout::Youzan.key_column(), "--out", s(&report)]);
    assert_matches_truth(&report, &truth);
}

#[test]
fn customers_layout_sheet_is_taken_as_aggregates() {
    let dir = tempfile::tempdir().unwrap();
    let (src, truth) = gen(dir.path(), "客户表.xlsx", &options(Layout::Customers, FileFormat::Xlsx, 800));
    let report = dir.path().join("out.xlsx");
    classify_ok(&["classify", s(&src), "--key", Layout::Customers.key_column(), "--out", s(&report)]);
    assert_matches_truth(&report, &truth);
}

#[test]
fn overlapping_exports_count_shared_orders_once() {
    let dir = tempfile::tempdir().unwrap();
    let base = options(Layout::Wechat, FileFormat::Xlsx, 3000);
    let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
    let (a, ta) = gen(dir.path(), "1-7月.xlsx", &GenerateOptions { rows_to: Some(d(7, 31)), ..base.clone() });
    let b_opts = GenerateOptions { rows_from: Some(d(5, 1)), format: FileFormat::Csv, ..base.clone() };
    let (b, tb) = gen(dir.path(), "5-12月.csv", &b_opts);
    let whole = generate::truth(&base).unwrap();
    assert!(ta.orders + tb.orders > whole.orders, "the windows must overlap");
    let report = dir.path().join("out.xlsx");
    classify_ok(&["classify", s(&a), s(&b), "--out", s(&report)]);
    assert_matches_truth(&report, &whole);
}

#[test]
fn csv_dir_gets_one_file_per_tier() {
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = gen(dir.path(), "orders.xlsx", &options(Layout::Wechat, FileFormat::Xlsx, 600));
    let report = dir.path().join("out.xlsx");
    let csv_dir = dir.path().join("名单");
    classify_ok(&["classify", s(&src), "--out", s(&report), "--csv-dir", s(&csv_dir)]);
    let files: Vec<_> = std::fs::read_dir(&csv_dir).unwrap().collect();
    assert!(files.len() >= 3, "{files:?}");
}

#[test]
fn method_rfm_cube_and_others_run_and_keep_every_customer() {
    let dir = tempfile::tempdir().unwrap();
    let (src, truth) = gen(dir.path(), "orders.xlsx", &options(Layout::Wechat, FileFormat::Xlsx, 1500));
    for args in [
        vec!["--method", "rfm-cube"],
        vec!["--method", "rfm-cube", "--basis", "fixed", "--r-days", "60", "--f", "2", "--m", "300"],
        vec!["--method", "abc-customers", "--a", "20", "--b", "30"],
        vec!["--method", "thresholds", "--measure", "revenue", "--a-min", "2000", "--b-min", "500"],
        vec!["--method", "rfm", "--bins", "4"],
        vec!["--method", "rfm-segments"],
        vec!["--method", "composite", "--weights", "0.5,0.3,0.2"],
    ] {
        let report = dir.path().join("out.xlsx");
        let mut all = vec!["classify", s(&src), "--out", s(&report), "--as-of", "2026-01-01"];
        all.extend(args.iter().copied());
        classify_ok(&all);
        assert_eq!(tier_rows(&report).len(), truth.customers.len(), "{args:?}");
    }
}

#[test]
fn method_thresholds_put_customers_by_revenue() {
    let dir = tempfile::tempdir().unwrap();
    let (src, truth) = gen(dir.path(), "orders.xlsx", &options(Layout::Wechat, FileFormat::Xlsx, 1500));
    let report = dir.path().join("out.xlsx");
    let args = ["classify", s(&src), "--out", s(&report), "--method", "thresholds", "--measure", "revenue"];
    classify_ok(&[&args[..], &["--a-min", "2000", "--b-min", "500"]].concat());
    let rows = tier_rows(&report);
    for c in &truth.customers {
        let expected = if c.revenue >= 200_000 {
            "A"
        } else if c.revenue >= 50_000 {
            "B"
        } else {
            "C"
        };
        assert_eq!(rows[&c.key].tier, expected, "{} with {} fen", c.key, c.revenue);
    }
}

#[test]
fn invalid_params_exit_with_3_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = gen(dir.path(), "orders.xlsx", &options(Layout::Wechat, FileFormat::Xlsx, 300));
    let report = dir.path().join("out.xlsx");
    let out = tierbook(&["classify", s(&src), "--out", s(&report), "--a", "95", "--b", "80"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!report.exists());
    let out = tierbook(&["classify", s(&src), "--out", s(&report), "--sheet", "没有这个表"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!report.exists());
}

#[test]
fn out_equal_to_input_is_refused_and_the_input_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = gen(dir.path(), "orders.xlsx", &options(Layout::Wechat, FileFormat::Xlsx, 300));
    let before = std::fs::read(&src).unwrap();
    let out = tierbook(&["classify", s(&src), "--out", s(&src)]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("orders.xlsx"));
    assert_eq!(std::fs::read(&src).unwrap(), before);
}

/// Runs classify on a broken file: exit 2, the message names the file, nothing written, no panic.
fn assert_bad_input(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join(name);
    std::fs::write(&src, bytes).unwrap();
    let report = dir.path().join("out.xlsx");
    let out = tierbook(&["classify", s(&src), "--out", s(&report)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{name}: {err}");
    assert!(err.contains(name), "{name}: message does not name the file: {err}");
    assert!(!err.contains("panicked"), "{name}: {err}");
    assert!(!report.exists(), "{name}: output left behind");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "{name}: stray files {leftovers:?}");
    let out = tierbook(&["inspect", s(&src)]);
    assert_eq!(out.status.code(), Some(2), "inspect {name}: {}", stderr(&out));
}

#[test]
fn an_error_in_english_says_what_to_do_in_english_and_keeps_the_detail() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("price_list.csv");
    // No header and no dates: nothing to infer columns from.
    std::fs::write(&src, "apple,3.50,12\npear,4.00,7\n").unwrap();
    let out = tierbook(&["--lang", "en", "inspect", s(&src)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let first = err.lines().next().unwrap_or_default();
    assert!(first.starts_with("error [no_header]: No header row found"), "{err}");
    assert!(first.contains("price_list.csv") && first.contains("add a line of column names"), "{err}");
    assert!(err.contains("找不到表头"), "the core's own message follows as the detail: {err}");
    let out = tierbook(&["inspect", s(&src)]);
    assert!(stderr(&out).starts_with("错误 / error [no_header]: 文件"), "{}", stderr(&out));
}

#[test]
fn bad_input_empty_file() {
    assert_bad_input("空文件.xlsx", b"");
}

#[test]
fn bad_input_random_bytes() {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    assert_bad_input("random.xlsx", &bytes);
}

#[test]
fn bad_input_header_only_csv() {
    assert_bad_input("只有表头.csv", "\u{feff}订单号,下单时间,买家ID,实付金额\n".as_bytes());
}

#[test]
fn bad_input_plain_text_file() {
    assert_bad_input("说明.txt", "这是一封信，不是订单表。\n祝好！\n".as_bytes());
}

#[test]
fn bad_input_truncated_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = gen(dir.path(), "full.xlsx", &options(Layout::Wechat, FileFormat::Xlsx, 300));
    let bytes = std::fs::read(src).unwrap();
    assert_bad_input("truncated.xlsx", &bytes[..bytes.len() / 2]);
}

#[test]
fn inspect_names_the_detected_key_and_reports_kept_orders() {
    let dir = tempfile::tempdir().unwrap();
    let (src, truth) = gen(dir.path(), "orders.xlsx", &options(Layout::Wechat, FileFormat::Xlsx, 800));
    let out = tierbook(&["inspect", s(&src)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("买家ID") && text.contains("订单列表"), "{text}");
    let out = tierbook(&["inspect", s(&src), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kept: u64 = truth.customers.iter().map(|c| u64::from(c.orders)).sum();
    assert_eq!(json["report"]["orders_kept"].as_u64(), Some(kept));
    assert_eq!(json["report"]["rows_read"].as_u64(), Some(truth.rows));
    assert_eq!(json["preview"]["mapping"]["key"]["columns"].as_str(), Some("买家ID"));
}

#[test]
fn inspect_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let (src, _) = gen(dir.path(), "orders.csv", &options(Layout::Taobao, FileFormat::Csv, 300));
    let out = tierbook(&["--lang", "en", "inspect", s(&src)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Import report"));
}

#[test]
fn generate_subcommand_writes_file_and_truth() {
    let dir = tempfile::tempdir().unwrap();
    let (file, truth) = (dir.path().join("g.xlsx"), dir.path().join("t.csv"));
    let out = tierbook(&["generate", "--layout", "taobao", "--orders", "500", "--out", s(&file), "--truth", s(&truth)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = generate::truth(&GenerateOptions {
        layout: Layout::Taobao,
        orders: 500,
        seed: 1,
        ..GenerateOptions::default()
    })
    .unwrap();
    let lines = std::fs::read_to_string(truth).unwrap().lines().count();
    assert_eq!(lines, expected.customers.len() + 1);
    assert!(file.exists());
}

#[test]
fn zero_amount_orders_count_unless_skip_zero_orders_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("订单.csv");
    std::fs::write(&src, "订单号,买家ID,下单时间,实付金额\n1,paying,2025-03-01,88.00\n2,gift_only,2025-03-02,0.00\n")
        .unwrap();
    let out = dir.path().join("分层.xlsx");
    for (flag, customers, code) in
        [(None, 2, "zero_amount_orders"), (Some("--skip-zero-orders"), 1, "zero_amount_orders_left_out")]
    {
        let mut args = vec!["classify", s(&src), "--out", s(&out), "--json"];
        args.extend(flag);
        let o = classify_ok(&args);
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(json["customers"].as_u64(), Some(customers), "{flag:?}");
        let warnings = json["reports"][0]["warnings"].as_array().unwrap();
        assert!(warnings.iter().any(|w| w["code"] == code), "{flag:?}: {warnings:?}");
    }
}

/// Raw bytes a terminal acts on: clear screen, bell, a right-to-left override, a C1 CSI.
fn has_terminal_controls(text: &str) -> bool {
    text.chars().any(|c| matches!(c, '\x1b' | '\x07' | '\u{202E}' | '\u{9b}'))
}

#[test]
fn control_characters_from_a_file_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("orders.csv");
    // The header of an extra column and the buyer names hold ESC [2J (clear screen) and BEL.
    let mut csv = String::from("订单号,下单时间,买家ID,买家昵称,实付金额,备注\x1b[2J\x07\n");
    // Few enough control characters that the file is still text (the sniffer calls >1% binary).
    for i in 0..40 {
        let name = if i < 2 { format!("小明\x1b[2J\x07\u{202E}{i}") } else { format!("客户{i}") };
        csv.push_str(&format!("N{i:03},2025-03-{:02} 10:00,o{i},{name},{}.00,普通备注\n", i % 28 + 1, 100 + i));
    }
    std::fs::write(&src, csv).unwrap();

    let inspect = tierbook(&["inspect", s(&src)]);
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    let shown = stdout(&inspect);
    assert!(!has_terminal_controls(&shown), "{shown:?}");
    assert!(shown.contains("备注\\x1b[2J\\x07"), "the header is shown with its escapes: {shown}");
    let json = tierbook(&["inspect", s(&src), "--json"]);
    assert!(!has_terminal_controls(&stdout(&json)), "{:?}", stdout(&json));
    let parsed: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert!(parsed.to_string().contains("备注\\u001b[2J\\u0007"), "JSON keeps the text, escaped");

    let out = dir.path().join("out.xlsx");
    let classify = tierbook(&["classify", s(&src), "--out", s(&out)]);
    assert!(classify.status.success(), "{}", stderr(&classify));
    assert!(!has_terminal_controls(&stdout(&classify)) && !has_terminal_controls(&stderr(&classify)));

    // An error message that quotes a cell (every amount unreadable) goes to stderr escaped too.
    let bad = dir.path().join("bad.csv");
    let mut csv = String::from("订单号,下单时间,买家ID,实付金额\n");
    for i in 0..40 {
        let amount = if i == 0 { "\x1b[2J\x07" } else { "待确认金额" };
        csv.push_str(&format!("N{i:03},2025-03-{:02} 10:00,o{i},{amount}\n", i % 28 + 1));
    }
    std::fs::write(&bad, csv).unwrap();
    let failed = tierbook(&["classify", s(&bad), "--out", s(&dir.path().join("bad.xlsx"))]);
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    assert!(!has_terminal_controls(&stderr(&failed)), "{:?}", stderr(&failed));
    assert!(stderr(&failed).contains("\\x1b[2J"), "{}", stderr(&failed));
}

/// Output piped into a reader that has gone (`tierbook history … | head -1` once `head` has quit):
/// the command ends the way other command-line tools do, killed quietly by SIGPIPE, not with a
/// panic and a backtrace ("failed printing to stdout: Broken pipe").
#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.tierbook");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = Command::new(env!("CARGO_BIN_EXE_tierbook"))
        .args(["history", "--workspace", ws.to_str().unwrap()])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{:?} {stderr}", out.status);
}

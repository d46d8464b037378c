//! Round trips of the tiered workbook and the CSV files: write real files into a temp folder, read
//! them back with calamine (and the csv crate, and the raw xlsx zip), compare with the inputs.
//!
//! Index:
//! - tier sheets: every customer on exactly one sheet, values to the cent, real dates, headers
//!   per language, sort order, D only when used, segment column only with segments;
//! - safety: formula-bait names stay strings (and no `<f>` in any tier sheet's XML), control
//!   characters are dropped, phones masked unless asked;
//! - summary charts (doughnut, column, line); playbook, migration and method sheets;
//! - atomic writes: cancellation and failed renames leave an existing target untouched and no
//!   temp file behind; a missing folder says to check Excel/WPS;
//! - CSV per tier: BOM, parses back, formula bait neutralized, long ids kept as text.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use calamine::{open_workbook, Data, DataType, Reader, Xlsx};
use chrono::NaiveDate;
use tierbook_core::classify::{Assignment, Classification, ClassifyParams, GroupSummary, Method, Threshold};
use tierbook_core::export::{write_csv_per_tier, write_workbook, ExportInput, ExportOptions};
use tierbook_core::history::{Flow, Migration, Move};
use tierbook_core::mapping::{Alternative, Column as MapColumn, KeySpec, Level, Mapping, Role};
use tierbook_core::playbook::Playbook;
use tierbook_core::report::{ImportReport, SkipReason, Skipped, Warning};
use tierbook_core::source::Format;
use tierbook_core::{Customer, Error, Lang, NoProgress, Progress, Stage, Text, Tier};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Names real shops see that a spreadsheet could take for a formula.
const FORMULA_BAIT: [&str; 7] = [
    "=HYPERLINK(\"http://evil.example\",\"点我\")",
    "=1+1",
    "=cmd|' /C calc'!A0",
    "+86 138 0013 8000",
    "-_-",
    "@echo off",
    "=SUM(A1:A9)",
];

fn customer(key: &str, name: &str, orders: u32, revenue: i64, first: NaiveDate, last: NaiveDate) -> Customer {
    Customer {
        key: key.to_string(),
        name: name.to_string(),
        phone: Some("13812345678".to_string()),
        orders,
        revenue,
        first_order: first,
        last_order: last,
        interactions: None,
        profit: None,
    }
}

/// A hand-made set: `n` customers with distinct revenues (odd cents), formula-bait names on the
/// first few, a 19-digit numeric key, and tiers A/B/C by rank (D for the last one when `with_d`).
struct Fixture {
    customers: Vec<Customer>,
    classification: Classification,
    playbook: Playbook,
}

fn fixture(n: usize, with_d: bool, segments: bool) -> Fixture {
    let as_of = date(2025, 6, 30);
    let mut customers = Vec::with_capacity(n);
    let mut assignments = Vec::with_capacity(n);
    for i in 0..n {
        let key = if i == 1 { "1234567890123456789".to_string() } else { format!("o{i:05}_key") };
        let name = FORMULA_BAIT.get(i).map_or_else(|| format!("客户{i} 🙂"), |s| s.to_string());
        // Revenue not in rank order of index, so the export's sort is exercised.
        let revenue = ((i as i64 * 7919) % 100_003) * 100 + 37;
        let first = date(2024, 1 + (i % 12) as u32, 1 + (i % 28) as u32);
        let last = date(2025, 1 + (i % 6) as u32, 1 + (i % 27) as u32);
        customers.push(customer(&key, &name, 1 + (i % 9) as u32, revenue, first, last));
        let tier = match (i % 10, with_d && i == n - 1) {
            (_, true) => Tier::D,
            (0..=1, _) => Tier::A,
            (2..=4, _) => Tier::B,
            _ => Tier::C,
        };
        assignments.push(Assignment {
            tier,
            segment: segments.then(|| if i % 2 == 0 { "重要挽留客户".into() } else { "一般发展客户".into() }),
            recency_days: (as_of - last).num_days(),
            r_score: 1 + (i % 5) as u8,
            f_score: 1 + (i % 3) as u8,
            m_score: 5 - (i % 5) as u8,
            abc: [Tier::A, Tier::B, Tier::C][i % 3],
            rfm_type: "重要价值客户".into(),
            score: None,
            reason: Text::new(format!("理由{i}"), format!("reason {i}")),
            gap: (tier != Tier::A).then(|| Text::new("再消费 ¥180 升至 A 类", "¥180 more to reach A")),
        });
    }
    let mut segment_tiers = BTreeMap::new();
    segment_tiers.insert("重要挽留客户".to_string(), Tier::B);
    let classification = Classification {
        params: ClassifyParams {
            method: Method::AbcRevenue { a_pct: 80.0, b_pct: 95.0 },
            as_of: None,
            segment_tiers,
            segment_names: BTreeMap::new(),
            ..ClassifyParams::default()
        },
        as_of,
        thresholds: vec![Threshold {
            name: Text::new("A 类门槛", "A cut"), value: 1234.5, unit: Text::new("¥", "¥")
        }],
        tiers: Vec::<GroupSummary>::new(),
        segments: Vec::new(),
        assignments,
        notes: vec![Text::new("大多数客户只买过一次", "Most customers bought once")],
        score_notes: vec![Text::new("F 改为按次数分档", "F uses count bins")],
    };
    Fixture { customers, classification, playbook: Playbook::default() }
}

fn input<'a>(f: &'a Fixture) -> ExportInput<'a> {
    ExportInput {
        customers: &f.customers,
        classification: &f.classification,
        playbook: &f.playbook,
        reports: &[],
        migration: None,
        regions: None,
        cohorts: None,
        rhythm: None,
        tier_changes: None,
        campaigns: &[],
        products: None,
    }
}

fn options(lang: Lang) -> ExportOptions {
    ExportOptions { lang, ..ExportOptions::default() }
}

/// A sheet as rows of cells.
fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

fn sheet_names(path: &Path) -> Vec<String> {
    let book: Xlsx<_> = open_workbook(path).unwrap();
    book.sheet_names()
}

/// The xlsx zip's parts whose names match `prefix`, as text.
fn zip_parts(path: &Path, prefix: &str) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let names: Vec<String> =
        zip.file_names().map(|n| n.unwrap().into_owned()).filter(|n| n.starts_with(prefix)).collect();
    names
        .into_iter()
        .map(|n| {
            let mut text = String::new();
            zip.by_name(&n).unwrap().read_to_string(&mut text).unwrap();
            (n, text)
        })
        .collect()
}

/// A number cell's value; a number stored as text is a defect here, so it fails.
trait Num {
    fn num(&self) -> f64;
}

impl Num for Data {
    fn num(&self) -> f64 {
        match self {
            Data::Float(v) => *v,
            Data::Int(v) => *v as f64,
            other => panic!("expected a number cell, got {other:?}"),
        }
    }
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        other => panic!("expected a string cell, got {other:?}"),
    }
}

fn column_of(header: &[Data], name: &str) -> usize {
    header.iter().position(|c| *c == Data::String(name.to_string())).unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn every_customer_lands_on_exactly_one_tier_sheet_with_values_to_the_cent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let f = fixture(500, false, false);
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();

    let names = sheet_names(&path);
    assert_eq!(names, ["概览", "A类客户", "B类客户", "C类客户", "服务策略", "说明"]);
    let by_key: HashMap<&str, (usize, &Customer)> =
        f.customers.iter().enumerate().map(|(i, c)| (c.key.as_str(), (i, c))).collect();
    let mut seen: HashMap<String, String> = HashMap::new();
    for tier in [Tier::A, Tier::B, Tier::C] {
        let name = format!("{}类客户", tier.letter());
        let rows = sheet(&path, &name);
        let header = &rows[0];
        let (key, rev, orders, first, last, tier_col, name_col, aov, recency) = (
            column_of(header, "客户ID"),
            column_of(header, "消费金额"),
            column_of(header, "订单数"),
            column_of(header, "首次下单日期"),
            column_of(header, "最近下单日期"),
            column_of(header, "分层"),
            column_of(header, "客户名称"),
            column_of(header, "客单价"),
            column_of(header, "距今天数"),
        );
        let mut previous = f64::INFINITY;
        for row in &rows[1..] {
            let k = text(&row[key]);
            assert!(seen.insert(k.clone(), name.clone()).is_none(), "{k} on two sheets");
            let (i, c) = by_key[k.as_str()];
            let a = &f.classification.assignments[i];
            assert_eq!(a.tier, tier, "{k} on the wrong sheet");
            assert_eq!(text(&row[tier_col]), format!("{}类", tier.letter()));
            assert_eq!(text(&row[name_col]), c.name);
            let revenue = row[rev].num();
            assert_eq!((revenue * 100.0).round() as i64, c.revenue, "revenue of {k}");
            assert_eq!((row[aov].num() * 100.0).round() as i64, c.aov());
            assert!(revenue <= previous, "not sorted by revenue");
            previous = revenue;
            assert_eq!(row[orders].num() as u32, c.orders);
            assert_eq!(row[recency].num() as i64, a.recency_days);
            assert!(row[first].is_datetime() && row[last].is_datetime(), "dates must be real dates");
            assert_eq!(row[first].as_datetime().unwrap().date(), c.first_order);
            assert_eq!(row[last].as_datetime().unwrap().date(), c.last_order);
        }
    }
    assert_eq!(seen.len(), f.customers.len());
}

#[test]
fn formula_bait_names_come_back_as_text_and_no_sheet_holds_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let f = fixture(60, false, false);
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();

    let mut found = Vec::new();
    for name in ["A类客户", "B类客户", "C类客户"] {
        let rows = sheet(&path, name);
        let col = column_of(&rows[0], "客户名称");
        for row in &rows[1..] {
            if let Data::String(s) = &row[col] {
                if FORMULA_BAIT.contains(&s.as_str()) {
                    found.push(s.clone());
                }
            }
        }
    }
    found.sort();
    let mut expected: Vec<String> = FORMULA_BAIT.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected);
    let parts = zip_parts(&path, "xl/worksheets/sheet");
    assert!(parts.len() >= 5);
    for (part, xml) in parts {
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{part} holds a formula");
    }
}

#[test]
fn headers_and_sheet_names_follow_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let f = fixture(30, false, true);
    write_workbook(&path, &input(&f), &options(Lang::En), &NoProgress).unwrap();
    assert_eq!(sheet_names(&path), ["Summary", "Tier A", "Tier B", "Tier C", "Playbook", "Method"]);
    let rows = sheet(&path, "Tier A");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(
        header,
        [
            "Customer ID",
            "Name",
            "Phone",
            "Orders",
            "Revenue",
            "AOV",
            "First order",
            "Last order",
            "Recency (days)",
            "R",
            "F",
            "M",
            "Tier",
            "ABC class",
            "Customer type",
            "Segment",
            "Reason",
            "Gap to next tier",
            "Action",
            "Channel",
            "Priority",
            "Next contact"
        ]
    );
    // Canonical RFM type names are translated; the reason comes in English.
    let row = &rows[1];
    assert_eq!(text(&row[14]), "Important value");
    assert!(text(&row[16]).starts_with("reason "));

    let zh = dir.path().join("zh.xlsx");
    write_workbook(&zh, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    let header: Vec<String> = sheet(&zh, "A类客户")[0].iter().map(text).collect();
    assert_eq!(&header[..3], ["客户ID", "客户名称", "手机号"]);
    assert!(header.contains(&"细分群组".to_string()) && header.contains(&"客户类型".to_string()));
    assert!(header.contains(&"ABC分类".to_string()) && header.contains(&"下次联系日期".to_string()));
}

#[test]
fn segment_column_only_when_the_method_has_segments_and_d_sheet_only_when_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let f = fixture(30, false, false);
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    let header: Vec<String> = sheet(&path, "A类客户")[0].iter().map(text).collect();
    assert!(!header.contains(&"细分群组".to_string()));
    assert!(!sheet_names(&path).contains(&"D类客户".to_string()));

    let f = fixture(30, true, false);
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    let d = sheet(&path, "D类客户");
    assert_eq!(d.len(), 2, "header and the one D customer");
}

#[test]
fn name_and_phone_columns_only_when_some_customer_has_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let mut f = fixture(20, false, false);
    let header = |path: &Path| -> Vec<String> { sheet(path, "A类客户")[0].iter().map(text).collect() };
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    assert!(header(&path).contains(&"客户名称".to_string()) && header(&path).contains(&"手机号".to_string()));
    // An id-only data set (CDNOW, UCI Online Retail): the name is the key, nobody has a phone.
    for c in &mut f.customers {
        c.name = c.key.clone();
        c.phone = None;
    }
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    let h = header(&path);
    assert!(!h.contains(&"客户名称".to_string()) && !h.contains(&"手机号".to_string()), "{h:?}");
    assert_eq!(h[0], "客户ID");
    // One real name is enough to keep the column.
    f.customers[3].name = "王小明".to_string();
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    assert!(header(&path).contains(&"客户名称".to_string()));
}

#[test]
fn phones_are_masked_unless_the_user_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let f = fixture(10, false, false);
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    let rows = sheet(&path, "A类客户");
    let col = column_of(&rows[0], "手机号");
    assert_eq!(text(&rows[1][col]), "138****5678");

    let keep = ExportOptions { keep_phones: true, ..options(Lang::Zh) };
    write_workbook(&path, &input(&f), &keep, &NoProgress).unwrap();
    let rows = sheet(&path, "A类客户");
    assert_eq!(text(&rows[1][col]), "13812345678");
}

#[test]
fn control_characters_in_names_are_dropped_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let mut f = fixture(10, false, false);
    f.customers[0].name = "小\u{1}明\u{0}\u{1b}[31m".to_string();
    f.customers[0].key = "key\u{7}0".to_string();
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    let tier = f.classification.assignments[0].tier;
    let rows = sheet(&path, &format!("{}类客户", tier.letter()));
    let row = rows.iter().find(|r| r[0] == Data::String("key0".into())).expect("cleaned key");
    assert_eq!(text(&row[1]), "小明[31m");
}

#[test]
fn summary_holds_kpis_tier_table_and_three_native_charts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let f = fixture(400, false, true);
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();

    let charts = zip_parts(&path, "xl/charts/chart");
    assert_eq!(charts.len(), 3, "doughnut, column, Pareto");
    let all: String = charts.iter().map(|(_, x)| x.as_str()).collect();
    assert!(all.contains("<c:doughnutChart>"));
    assert!(all.contains("<c:barChart>") && all.contains("<c:barDir val=\"col\"/>"));
    assert!(all.contains("<c:lineChart>"));
    assert!(all.contains("<c:f>概览!$A$") || all.contains("<c:f>'概览'!$A$"), "charts read the summary's cells");

    let rows = sheet(&path, "概览");
    let find = |label: &str| rows.iter().position(|r| r.first() == Some(&Data::String(label.into()))).unwrap();
    let total_revenue: i64 = f.customers.iter().map(|c| c.revenue).sum();
    let kpi = &rows[find("消费总额")];
    assert_eq!((kpi[1].num() * 100.0).round() as i64, total_revenue);
    assert_eq!(rows[find("客户数")][1].num() as usize, f.customers.len());
    // Per-tier rows: customer counts add up to everybody, revenue shares to 100%.
    let a = &rows[find("A类")];
    let b = &rows[find("B类")];
    let c = &rows[find("C类")];
    let count = |r: &Vec<Data>| r[1].num() as usize;
    assert_eq!(count(a) + count(b) + count(c), f.customers.len());
    let shares = a[4].num() + b[4].num() + c[4].num();
    assert!((shares - 1.0).abs() < 1e-9);
    let a_revenue: i64 = f
        .customers
        .iter()
        .zip(&f.classification.assignments)
        .filter(|(_, a)| a.tier == Tier::A)
        .map(|(c, _)| c.revenue)
        .sum();
    assert_eq!((a[3].num() * 100.0).round() as i64, a_revenue);
    // The Pareto block has at most 100 points and ends at 100%.
    let start = find("累计客户占比") + 1;
    let points: Vec<&Vec<Data>> = rows[start..].iter().take_while(|r| !r[0].is_empty()).collect();
    assert_eq!(points.len(), 100);
    assert!((points[99][2].num() - 1.0).abs() < 1e-9);
    // Segments table present when the method has segments.
    assert!(rows.iter().any(|r| r.first() == Some(&Data::String("重要挽留客户".into()))));
}

fn report() -> ImportReport {
    ImportReport {
        file: "订单导出_2025Q2.xlsx".to_string(),
        format: Format::Xlsx,
        mapping: Mapping {
            sheet: "订单列表".to_string(),
            header_row: 1,
            columns: vec![
                MapColumn { index: 0, header: "订单号".into(), role: Some(Role::OrderId) },
                MapColumn { index: 1, header: "买家ID".into(), role: Some(Role::CustomerKey) },
                MapColumn { index: 2, header: "实付金额".into(), role: Some(Role::Amount) },
                MapColumn { index: 3, header: "买家备注".into(), role: None },
            ],
            key: KeySpec::Column("买家ID".into()),
            level: Level::Orders,
            alternatives: vec![Alternative {
                role: Role::Amount,
                chosen: "实付金额".into(),
                others: vec!["订单金额".into(), "商家实收金额".into()],
            }],
            headerless: false,
        },
        rows_read: 1234,
        orders_kept: 1100,
        skipped: vec![Skipped { reason: SkipReason::Closed, count: 134, example_rows: vec![5, 9, 12] }],
        first_date: Some(date(2025, 4, 1)),
        last_date: Some(date(2025, 6, 30)),
        warnings: vec![Warning {
            code: "masked_phone_key".into(),
            text: Text::new("手机号已打码", "phones are masked"),
            suggestion: None,
        }],
    }
}

#[test]
fn method_sheet_explains_the_method_thresholds_and_each_import() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let f = fixture(20, false, false);
    let reports = [report()];
    let input = ExportInput { reports: &reports, ..input(&f) };
    write_workbook(&path, &input, &options(Lang::Zh), &NoProgress).unwrap();
    let rows = sheet(&path, "说明");
    let cells: Vec<String> = rows.iter().flatten().filter_map(|c| c.get_string().map(str::to_string)).collect();
    let method_name = f.classification.params.method.name().zh;
    for expected in [
        method_name.as_str(),
        "A 类门槛",
        "大多数客户只买过一次",
        // The score columns are explained whatever the method (ABC here).
        "F 改为按次数分档",
        "订单导出_2025Q2.xlsx",
        "1234 / 1100",
        SkipReason::Closed.label(Lang::Zh),
        "5, 9, 12",
        "2025-04-01 – 2025-06-30",
        "手机号已打码",
        "买家备注",
        "（未使用）",
        "金额：实付金额；其他候选：订单金额、商家实收金额",
    ] {
        assert!(cells.iter().any(|c| c.contains(expected)), "method sheet lacks {expected:?}");
    }
    let as_of = rows.iter().find(|r| r.first() == Some(&Data::String("截至日期".into()))).unwrap();
    assert_eq!(as_of[1].as_datetime().unwrap().date(), date(2025, 6, 30));
}

#[test]
fn migration_sheet_appears_with_history_and_lists_moves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let f = fixture(20, false, false);
    let mv = |key: &str, from: Option<Tier>, to: Option<Tier>| Move {
        key: key.into(),
        name: "=1+1".into(),
        from,
        to,
        from_segment: None,
        to_segment: None,
        revenue: 12345,
        action: Text::new("立即回访", "call now"),
    };
    let migration = Migration {
        old_snapshot: 1,
        new_snapshot: 2,
        old_as_of: date(2025, 3, 31),
        new_as_of: date(2025, 6, 30),
        flows: vec![
            Flow { from: Some(Tier::A), to: Some(Tier::B), customers: 7, revenue: 70000 },
            Flow { from: None, to: Some(Tier::C), customers: 3, revenue: 900 },
        ],
        upgraded: vec![],
        downgraded: vec![mv("k-down", Some(Tier::A), Some(Tier::B))],
        new: vec![mv("k-new", None, Some(Tier::C))],
        lost: vec![],
        segment_flows: vec![],
    };
    let input = ExportInput { migration: Some(&migration), ..input(&f) };
    write_workbook(&path, &input, &options(Lang::Zh), &NoProgress).unwrap();
    assert!(sheet_names(&path).contains(&"分层变化".to_string()));
    let rows = sheet(&path, "分层变化");
    // Matrix: row "A类", column "B类" holds 7.
    let header_row = rows.iter().position(|r| r.first() == Some(&Data::String("原分层 \\ 新分层".into()))).unwrap();
    let b_col = column_of(&rows[header_row], "B类");
    let a_row = &rows[header_row + 1];
    assert_eq!(a_row[b_col].num(), 7.0);
    let down = rows.iter().find(|r| r.first() == Some(&Data::String("k-down".into()))).unwrap();
    assert_eq!(text(&down[1]), "=1+1");
    assert_eq!(text(&down[2]), "A类");
    assert_eq!(down[6].num(), 123.45);

    // Without history there is no migration sheet.
    write_workbook(&path, &ExportInput { migration: None, ..input }, &options(Lang::Zh), &NoProgress).unwrap();
    assert!(!sheet_names(&path).contains(&"分层变化".to_string()));
}

/// Cancels as soon as the export has reported some rows done.
struct CancelMidway(AtomicU64);

impl Progress for CancelMidway {
    fn report(&self, stage: Stage, done: u64, _total: u64) {
        assert_eq!(stage, Stage::Exporting);
        self.0.store(done, Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed) > 0
    }
}

fn folder_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn cancelling_midway_leaves_the_existing_file_untouched_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    std::fs::write(&path, b"last month's report").unwrap();
    let f = fixture(10_000, false, false);
    let progress = CancelMidway(AtomicU64::new(0));
    let err = write_workbook(&path, &input(&f), &options(Lang::Zh), &progress).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err}");
    assert!(progress.0.load(Ordering::Relaxed) < 10_000, "stopped before the end");
    assert_eq!(std::fs::read(&path).unwrap(), b"last month's report");
    assert_eq!(folder_entries(dir.path()), ["report.xlsx"]);
}

/// Tier sheets are written on threads at once; which one finishes first must not show in the file:
/// every part (sheets in order, their XML, the styles' ids) is the same on every export.
#[test]
fn tier_sheets_written_at_once_give_the_same_workbook_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(20_000, true, true);
    let parts: Vec<Vec<(String, String)>> = (0..3)
        .map(|run| {
            let path = dir.path().join(format!("report{run}.xlsx"));
            write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
            zip_parts(&path, "xl/")
        })
        .collect();
    let names: Vec<&str> = parts[0].iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"xl/styles.xml") && names.iter().filter(|n| n.starts_with("xl/worksheets/sheet")).count() >= 5
    );
    assert!(parts[1] == parts[0] && parts[2] == parts[0], "the workbook differs between two exports");
    let mut sheets = sheet_names(&dir.path().join("report0.xlsx"));
    sheets.truncate(5);
    assert_eq!(sheets, ["概览", "A类客户", "B类客户", "C类客户", "D类客户"]);
}

#[test]
fn a_target_that_cannot_be_replaced_is_untouched_and_the_error_says_to_close_excel() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should go: the final rename fails after the whole workbook is
    // written, the way a file locked by Excel on Windows fails.
    let path = dir.path().join("report.xlsx");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("keep.txt"), b"x").unwrap();
    let f = fixture(50, false, false);
    let err = write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap_err();
    assert!(matches!(err, Error::Write { .. }), "{err}");
    assert!(err.to_string().contains("Excel/WPS"), "{err}");
    assert_eq!(err.path(), Some(path.as_path()));
    assert_eq!(folder_entries(dir.path()), ["report.xlsx"]);
    assert_eq!(folder_entries(&path), ["keep.txt"]);

    // A folder that does not exist: nothing is created.
    let missing = dir.path().join("no such folder").join("report.xlsx");
    let err = write_workbook(&missing, &input(&f), &options(Lang::Zh), &NoProgress).unwrap_err();
    assert!(matches!(err, Error::Write { .. }), "{err}");
    assert!(!missing.parent().unwrap().exists());
}

#[test]
fn stale_or_empty_classifications_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let mut f = fixture(10, false, false);
    f.classification.assignments.pop();
    let err = write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap_err();
    assert!(matches!(err, Error::InvalidParams(_)), "{err}");
    let empty = Fixture {
        customers: vec![],
        classification: Classification { assignments: vec![], ..f.classification },
        playbook: f.playbook,
    };
    let err = write_workbook(&path, &input(&empty), &options(Lang::Zh), &NoProgress).unwrap_err();
    assert!(matches!(err, Error::NoCustomers), "{err}");
    assert!(!path.exists());
}

#[test]
fn csv_per_tier_has_a_bom_parses_back_and_neutralizes_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(60, false, false);
    let files = write_csv_per_tier(dir.path(), &input(&f), &options(Lang::Zh)).unwrap();
    let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["A类客户.csv", "B类客户.csv", "C类客户.csv"]);
    assert_eq!(folder_entries(dir.path()), names);

    let mut seen = 0;
    for (file, tier) in files.iter().zip([Tier::A, Tier::B, Tier::C]) {
        let bytes = std::fs::read(file).unwrap();
        assert!(bytes.starts_with("\u{FEFF}".as_bytes()), "BOM");
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(&header[..5], ["客户ID", "客户名称", "手机号", "订单数", "消费金额"]);
        for record in reader.records() {
            let record = record.unwrap();
            seen += 1;
            let raw_key = &record[0];
            let key = raw_key.strip_prefix('\t').unwrap_or(raw_key);
            let (i, c) = f.customers.iter().enumerate().find(|(_, c)| c.key == key).expect("known key");
            assert_eq!(f.classification.assignments[i].tier, tier);
            if key.len() == 19 {
                assert!(raw_key.starts_with('\t'), "19-digit id kept as text");
            }
            let expected_name =
                if c.name.starts_with(['=', '+', '-', '@']) { format!("'{}", c.name) } else { c.name.clone() };
            assert_eq!(&record[1], expected_name);
            let revenue: f64 = record[4].parse().unwrap();
            assert_eq!((revenue * 100.0).round() as i64, c.revenue);
            assert_eq!(NaiveDate::parse_from_str(&record[6], "%Y-%m-%d").unwrap(), c.first_order);
        }
    }
    assert_eq!(seen, f.customers.len());
}

/// One order row of the hand-written source file: (order id, date, status, nickname, key, phone,
/// paid yuan, refund yuan).
type OrderRow = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, f64, f64);

const ORDERS: [OrderRow; 14] = [
    (
        "9000000000000000001",
        "2025-01-05 10:00:00",
        "已完成",
        "=HYPERLINK(\"http://x\",\"y\")",
        "oA",
        "13800001111",
        1200.0,
        0.0,
    ),
    (
        "9000000000000000002",
        "2025-03-05 11:00:00",
        "已完成",
        "=HYPERLINK(\"http://x\",\"y\")",
        "oA",
        "13800001111",
        800.5,
        0.0,
    ),
    (
        "9000000000000000003",
        "2025-06-01 12:00:00",
        "已完成",
        "=HYPERLINK(\"http://x\",\"y\")",
        "oA",
        "13800001111",
        99.9,
        0.0,
    ),
    ("9000000000000000004", "2025-02-10 09:30:00", "已完成", "+86 138 0013 8000", "oB", "13800002222", 450.0, 50.0),
    ("9000000000000000005", "2025-06-20 20:00:00", "已完成", "+86 138 0013 8000", "oB", "13800002222", 300.0, 0.0),
    ("9000000000000000006", "2024-12-01 08:00:00", "已完成", "-_-", "oC", "13800003333", 35.0, 0.0),
    ("9000000000000000007", "2025-06-28 21:00:00", "已关闭", "-_-", "oC", "13800003333", 999.0, 0.0),
    ("9000000000000000008", "2025-05-15 13:00:00", "已完成", "@echo off", "oD", "13800004444", 60.0, 0.0),
    ("9000000000000000009", "2025-05-16 13:00:00", "已完成", "@echo off", "oD", "13800004444", 60.0, 0.0),
    ("9000000000000000010", "2025-06-29 18:00:00", "已完成", "小明", "oE", "13800005555", 19.9, 0.0),
    ("9000000000000000011", "2025-04-01 10:00:00", "已完成", "李女士", "oF", "13800006666", 2980.0, 0.0),
    ("9000000000000000012", "2025-04-02 10:00:00", "已退款", "李女士", "oF", "13800006666", 2980.0, 2980.0),
    ("9000000000000000013", "2025-06-30 23:59:59", "已完成", "王先生", "oG", "13800007777", 9.9, 0.0),
    ("9000000000000000014", "2025-03-03 03:03:03", "已完成", "微信用户", "oH", "13800008888", 128.0, 0.0),
];

/// Writes `ORDERS` as a 微信小店-style order export (text ids and dates, number amounts).
fn write_orders(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("订单列表").unwrap();
    for (c, h) in
        ["订单号", "下单时间", "订单状态", "买家昵称", "买家ID", "联系电话", "实付金额", "退款金额"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (id, at, status, nick, key, phone, paid, refund)) in ORDERS.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, s) in [id, at, status, nick, key, phone].iter().enumerate() {
            ws.write_string(r, c as u16, **s).unwrap();
        }
        ws.write_number(r, 6, *paid).unwrap();
        ws.write_number(r, 7, *refund).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn real_import_classify_playbook_pipeline_round_trips_through_the_workbook() {
    use tierbook_core::classify::{classify, default_segment_tiers, CubeBasis};
    use tierbook_core::import::{import_files, ImportOptions};
    use tierbook_core::{customers::aggregate, playbook};

    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("订单导出.xlsx");
    write_orders(&source);
    let dataset = import_files(std::slice::from_ref(&source), &ImportOptions::default(), &NoProgress).unwrap();
    let customers = aggregate(&dataset.orders);
    let params = ClassifyParams {
        method: Method::RfmCube { basis: CubeBasis::Mean },
        as_of: None,
        segment_tiers: default_segment_tiers(),
        segment_names: BTreeMap::new(),
        ..ClassifyParams::default()
    };
    let classification = classify(&customers, &params).unwrap();
    let book = Playbook::default();
    let input = ExportInput {
        customers: &customers,
        classification: &classification,
        playbook: &book,
        reports: &dataset.reports,
        migration: None,
        regions: None,
        cohorts: None,
        rhythm: None,
        tier_changes: None,
        campaigns: &[],
        products: None,
    };
    let path = dir.path().join("分层报告.xlsx");
    write_workbook(&path, &input, &options(Lang::Zh), &NoProgress).unwrap();

    // Expected net revenue per key straight from the rows written above: closed and fully
    // refunded orders do not count, partial refunds reduce revenue.
    let mut expected: BTreeMap<&str, (i64, u32, &str)> = BTreeMap::new();
    for (_, _, status, nick, key, _, paid, refund) in ORDERS {
        if status == "已关闭" || refund >= paid {
            continue;
        }
        let e = expected.entry(key).or_insert((0, 0, nick));
        e.0 += ((paid - refund) * 100.0).round() as i64;
        e.1 += 1;
    }

    let mut seen = BTreeMap::new();
    for name in sheet_names(&path).iter().filter(|n| n.ends_with("类客户")) {
        let rows = sheet(&path, name);
        let h = &rows[0];
        let cols = [
            "客户ID",
            "客户名称",
            "消费金额",
            "订单数",
            "分层",
            "客户类型",
            "细分群组",
            "建议动作",
            "下次联系日期",
            "手机号",
        ]
        .map(|c| column_of(h, c));
        for row in &rows[1..] {
            let key = text(&row[cols[0]]);
            let i = customers.iter().position(|c| c.key == key).expect("exported key was imported");
            let a = &classification.assignments[i];
            let s = playbook::suggest_in(&book, &classification, i).unwrap();
            let (revenue, orders, nick) = expected[key.as_str()];
            assert_eq!(text(&row[cols[1]]), nick, "name comes back as the same text");
            assert_eq!((row[cols[2]].num() * 100.0).round() as i64, revenue, "{key}");
            assert_eq!(row[cols[3]].num() as u32, orders, "{key}");
            assert_eq!(name.as_str(), format!("{}类客户", a.tier.letter()));
            assert_eq!(text(&row[cols[4]]), a.tier.label(Lang::Zh));
            assert_eq!(text(&row[cols[5]]), &*a.rfm_type);
            assert_eq!(Some(text(&row[cols[6]])).as_deref(), a.segment.as_deref());
            assert_eq!(text(&row[cols[7]]), s.action.zh);
            assert_eq!(row[cols[8]].as_datetime().unwrap().date(), s.next_contact);
            assert!(text(&row[cols[9]]).contains("****"), "phones masked by default");
            seen.insert(key, ());
        }
    }
    assert_eq!(seen.len(), expected.len(), "every imported customer exactly once");
    assert!(seen.keys().map(String::as_str).eq(expected.keys().copied()));

    // The method sheet carries the import report of the real source file.
    let cells: Vec<String> =
        sheet(&path, "说明").iter().flatten().filter_map(|c| c.get_string().map(str::to_string)).collect();
    assert!(cells.iter().any(|c| c.contains("订单导出.xlsx")));
    assert!(cells.iter().any(|c| c == SkipReason::Closed.label(Lang::Zh)));
    // No formula anywhere, and the source file was not touched by the export.
    for (part, xml) in zip_parts(&path, "xl/worksheets/sheet") {
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{part} holds a formula");
    }
    let again = import_files(&[source], &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(again.orders, dataset.orders);
}

#[test]
fn a_renamed_segment_keeps_its_playbook_action() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let mut f = fixture(20, false, true);
    // The user calls 重要挽留客户 "老客召回"; assignments carry the display name.
    f.classification.params.segment_names.insert("重要挽留客户".into(), "老客召回".into());
    for a in &mut f.classification.assignments {
        if a.segment.as_deref() == Some("重要挽留客户") {
            a.segment = Some("老客召回".into());
        }
    }
    let win_back = f.playbook.segments.get("重要挽留客户").expect("default playbook has the win-back action").clone();
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    let mut checked = 0;
    for name in ["A类客户", "B类客户", "C类客户"] {
        let rows = sheet(&path, name);
        let (seg, action) = (column_of(&rows[0], "细分群组"), column_of(&rows[0], "建议动作"));
        for row in rows[1..].iter().filter(|r| r[seg] == Data::String("老客召回".into())) {
            assert_eq!(text(&row[action]), win_back.action.zh);
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}

#[test]
fn options_turn_sheets_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let f = fixture(20, false, false);
    let only_tiers =
        ExportOptions { include_summary: false, include_playbook: false, include_method: false, ..options(Lang::En) };
    write_workbook(&path, &input(&f), &only_tiers, &NoProgress).unwrap();
    assert_eq!(sheet_names(&path), ["Tier A", "Tier B", "Tier C"]);
    assert!(zip_parts(&path, "xl/charts/").is_empty());
}

#[test]
fn csv_into_a_missing_folder_fails_cleanly_and_english_files_are_named_by_tier() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(20, false, false);
    let err = write_csv_per_tier(&dir.path().join("missing"), &input(&f), &options(Lang::Zh)).unwrap_err();
    assert!(matches!(err, Error::Write { .. }), "{err}");
    let files = write_csv_per_tier(dir.path(), &input(&f), &options(Lang::En)).unwrap();
    let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["Tier A.csv", "Tier B.csv", "Tier C.csv"]);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.trim_start_matches('\u{FEFF}').starts_with("Customer ID,Name,Phone,Orders,Revenue"));
}

#[cfg(unix)]
#[test]
fn the_report_gets_an_ordinary_file_mode_not_the_temp_files_private_one() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let f = fixture(10, false, false);
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o644);
    // Replacing a file keeps the mode the user gave it.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    write_workbook(&path, &input(&f), &options(Lang::Zh), &NoProgress).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

/// Column widths of a sheet part's `<col min= max= width=>` elements, by 0-based column.
fn col_widths(xml: &str) -> HashMap<usize, f64> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut widths = HashMap::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Empty(e) if e.name().as_ref() == "col" => {
                let number = |key: &str| -> f64 {
                    let attr = e.try_get_attribute(key).unwrap().unwrap();
                    attr.value.parse().unwrap()
                };
                for c in number("min") as usize..=number("max") as usize {
                    widths.insert(c - 1, number("width"));
                }
            }
            Event::Eof => return widths,
            _ => {}
        }
    }
}

/// The 城市 column is as wide as the longest city of each tier sheet (a long prefecture's name ran
/// under the next column at the width of a short code).
#[test]
fn the_city_column_is_as_wide_as_its_longest_city() {
    use tierbook_core::region::{Region, RegionLookup};

    let f = fixture(40, false, false);
    let cities = ["杭州", "克孜勒苏柯尔克孜", "乌鲁木齐", "延边朝鲜族自治州"];
    let regions = RegionLookup::new(f.customers.iter().enumerate().map(|(i, c)| {
        (c.key.to_string(), Region { province: "新疆".into(), city: Some(cities[i % cities.len()].into()) })
    }));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("分层报告.xlsx");
    write_workbook(&path, &ExportInput { regions: Some(&regions), ..input(&f) }, &options(Lang::Zh), &NoProgress)
        .unwrap();
    let shown = |text: &str| text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>() as f64;
    let parts = zip_parts(&path, "xl/worksheets/sheet");
    let mut checked = 0;
    for (i, name) in sheet_names(&path).iter().enumerate().filter(|(_, n)| n.ends_with("类客户")) {
        let rows = sheet(&path, name);
        let xml = &parts.iter().find(|(part, _)| *part == format!("xl/worksheets/sheet{}.xml", i + 1)).unwrap().1;
        let c = column_of(&rows[0], "城市");
        let widest = rows[1..].iter().map(|r| shown(&text(&r[c]))).fold(0.0, f64::max);
        assert!(widest >= 16.0, "{name}: the long cities are in every tier ({widest})");
        assert!(col_widths(xml)[&c] >= widest, "{name}: 城市 {} wide for a city {widest} wide", col_widths(xml)[&c]);
        checked += 1;
    }
    assert_eq!(checked, 3, "the A, B and C sheets");
}

#[test]
fn product_columns_are_as_wide_as_the_products_they_hold_and_headers_fit_on_one_line() {
    use tierbook_core::classify::classify;
    use tierbook_core::generate::{generate, FileFormat, GenerateOptions, Layout};
    use tierbook_core::import::{import_files, ImportOptions};
    use tierbook_core::products::ProductLookup;

    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("淘宝.xlsx");
    let generated = GenerateOptions {
        layout: Layout::Taobao,
        format: FileFormat::Xlsx,
        orders: 600,
        customers: Some(150),
        seed: 3,
        ..GenerateOptions::default()
    };
    generate(&source, &generated).unwrap();
    let dataset = import_files(std::slice::from_ref(&source), &ImportOptions::default(), &NoProgress).unwrap();
    let products = ProductLookup::from_orders(&dataset.orders);
    assert!(!products.is_empty(), "the generated 淘宝 export names products");
    let customers = tierbook_core::customers::aggregate(&dataset.orders);
    let classification = classify(&customers, &ClassifyParams::default()).unwrap();
    let days = tierbook_core::rhythm::OrderDays::from_orders(&dataset.orders);
    let as_of = customers.iter().map(|c| c.last_order).max().unwrap();
    let rhythm = tierbook_core::rhythm::compute(&customers, &days, as_of, Default::default()).unwrap();
    let f = Fixture { customers, classification, playbook: Playbook::default() };
    let input =
        ExportInput { reports: &dataset.reports, rhythm: Some(&rhythm), products: Some(&products), ..input(&f) };
    let path = dir.path().join("分层报告.xlsx");
    write_workbook(&path, &input, &options(Lang::Zh), &NoProgress).unwrap();

    // Widths in Excel's character units: a CJK character takes two, ASCII one (counted here apart
    // from the exporter's own measure).
    let shown = |text: &str| text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>() as f64;
    let names = sheet_names(&path);
    let parts = zip_parts(&path, "xl/worksheets/sheet");
    let mut checked = 0;
    let mut headers_seen = std::collections::BTreeSet::new();
    for (i, name) in names.iter().enumerate().filter(|(_, n)| n.ends_with("类客户")) {
        let rows = sheet(&path, name);
        let xml = &parts.iter().find(|(part, _)| *part == format!("xl/worksheets/sheet{}.xml", i + 1)).unwrap().1;
        let widths = col_widths(xml);
        for header in ["常买商品", "最近购买商品"] {
            let c = column_of(&rows[0], header);
            let widest = rows[1..].iter().map(|r| shown(&text(&r[c]))).fold(0.0, f64::max);
            assert!(widest > 8.0, "{name} {header}: the generated products are longer than a code");
            // Capped at 48 for very long names; these fit.
            assert!(widths[&c] >= widest.min(46.0), "{name} {header}: width {} for text {widest} wide", widths[&c]);
            checked += 1;
        }
        // Every header is wide enough for one line, except the wrapped long ones (two lines fit).
        for (c, header) in rows[0].iter().enumerate() {
            let header = text(header);
            headers_seen.insert(header.clone());
            if shown(&header) <= 14.0 {
                assert!(widths[&c] >= shown(&header), "{name}: header {header} wraps at width {}", widths[&c]);
            }
        }
    }
    assert!(checked >= 4, "the A and B sheets at least were checked");
    assert!(headers_seen.contains("回购周期（天）"), "the rhythm's columns were checked: {headers_seen:?}");
}

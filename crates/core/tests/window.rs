//! The analysis window and the user's own R/F/M cut points (issue 11 items 3 and 4), end to end:
//! generated exports imported, windowed and classified through `job::run` (in memory and in a
//! workspace), compared with a file the test truncates itself; cut points checked on values
//! placed exactly on them, against scores written out by hand.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use tierbook_core::classify::{self, classify, ClassifyParams, CubeBasis, Measure, Method, Weights, OUTSIDE};
use tierbook_core::export::ExportOptions;
use tierbook_core::generate::{generate, FileFormat, GenerateOptions, Layout};
use tierbook_core::import::ImportOptions;
use tierbook_core::job::{self, Job, JobOutcome, Outputs};
use tierbook_core::store::Workspace;
use tierbook_core::window::{Outside, ScoreCuts, Span, Window};
use tierbook_core::{Customer, NoProgress, Tier};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn now() -> NaiveDateTime {
    day("2026-01-05").and_hms_opt(9, 0, 0).unwrap()
}

/// A generated 微信小店 export as CSV (no quirky nicknames: the test splits lines itself).
fn export(dir: &Path, orders: u64, seed: u64) -> PathBuf {
    let path = dir.join("全年订单.csv");
    let options = GenerateOptions {
        layout: Layout::Wechat,
        format: FileFormat::Csv,
        orders,
        seed,
        quirks: false,
        ..GenerateOptions::default()
    };
    generate(&path, &options).unwrap();
    path
}

/// Writes the rows of `full` whose order time (the 下单时间 column) falls on or before `to` into a
/// new file, header kept; returns it and the latest day kept. Written here, not by the generator.
fn truncated(full: &Path, to: NaiveDate) -> (PathBuf, NaiveDate) {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(full).unwrap();
    let path = full.with_file_name("截至当日订单.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    let mut records = reader.records().map(Result::unwrap);
    let header = records.next().unwrap();
    let col = header.iter().position(|h| h.trim_start_matches('\u{feff}') == "下单时间").expect("下单时间 column");
    writer.write_record(&header).unwrap();
    let mut latest = NaiveDate::MIN;
    for record in records {
        let d = day(&record[col][..10]);
        if d <= to {
            latest = latest.max(d);
            writer.write_record(&record).unwrap();
        }
    }
    writer.flush().unwrap();
    (path, latest)
}

fn run(dir: &Path, files: &[PathBuf], params: &ClassifyParams, ws: Option<&mut Workspace>, out: &str) -> JobOutcome {
    let outputs = Outputs { workbook: dir.join(out), csv_dir: None, options: ExportOptions::default() };
    let job = Job {
        files,
        import: &ImportOptions::default(),
        imported_at: now(),
        params,
        save_snapshot: false,
        outputs: &outputs,
        costs: None,
    };
    job::run(&job, ws, &NoProgress).unwrap()
}

/// Per customer key: F, M, first and last order, tier, segment, recency and the three scores.
type Row = (u32, i64, NaiveDate, NaiveDate, Tier, Option<String>, i64, [u8; 3]);

fn rows(o: &JobOutcome) -> BTreeMap<String, Row> {
    o.customers
        .iter()
        .zip(&o.classification.assignments)
        .map(|(c, a)| {
            let row = (
                c.orders,
                c.revenue,
                c.first_order,
                c.last_order,
                a.tier,
                a.segment.as_deref().map(str::to_string),
                a.recency_days,
                [a.r_score, a.f_score, a.m_score],
            );
            (c.key.clone(), row)
        })
        .collect()
}

fn methods() -> Vec<Method> {
    vec![
        Method::AbcRevenue { a_pct: 80.0, b_pct: 95.0 },
        Method::RfmScores { bins: 5, a_min: 12, b_min: 8 },
        Method::RfmCube { basis: CubeBasis::Median },
        Method::RfmSegments { rules: classify::default_segment_rules() },
        Method::Thresholds { measure: Measure::MonthlyRevenue, a_min: 300.0, b_min: 100.0, c_min: None },
        Method::Composite {
            weights: Weights { value: 0.4, frequency: 0.3, recency: 0.3, interactions: 0.0, rhythm: None },
            a_min: 60.0,
            b_min: 30.0,
        },
    ]
}

#[test]
fn to_a_date_mid_export_equals_classifying_a_file_cut_at_that_date() {
    let dir = tempfile::tempdir().unwrap();
    let full = export(dir.path(), 3000, 11);
    let (cut, d) = truncated(&full, day("2025-06-30"));
    assert!(d > day("2025-06-20"), "the generated export has orders near the middle of the year");
    let mut ws = Workspace::open(&dir.path().join("店铺.tierbook")).unwrap();
    for (k, method) in methods().into_iter().enumerate() {
        let plain = ClassifyParams { method, ..ClassifyParams::default() };
        let to = ClassifyParams {
            window: Window { span: Span::Range { from: None, to: Some(d) }, outside: Outside::Drop },
            ..plain.clone()
        };
        let want = rows(&run(dir.path(), std::slice::from_ref(&cut), &plain, None, "cut.xlsx"));
        let whole = run(dir.path(), std::slice::from_ref(&full), &to, None, "to.xlsx");
        assert_eq!(whole.classification.as_of, d);
        let got = rows(&whole);
        assert!(got.len() > 300 && got.len() < whole.customers.len() + 1);
        assert_eq!(got, want, "{:?}", plain.method);
        // An as-of date before the last order leaves the later orders out the same way.
        let as_of = ClassifyParams { as_of: Some(d), ..plain.clone() };
        assert_eq!(rows(&run(dir.path(), std::slice::from_ref(&full), &as_of, None, "as_of.xlsx")), want);
        // And in a workspace holding every order (the ledger read back from SQLite).
        let files = if k == 0 { vec![full.clone()] } else { Vec::new() };
        assert_eq!(rows(&run(dir.path(), &files, &to, Some(&mut ws), "ws.xlsx")), want, "workspace");
        let note = &whole.classification.notes[0].zh;
        assert!(note.starts_with("分析窗口") && note.contains(&format!("截至 {d}")), "{note}");
    }
}

#[test]
fn the_last_months_equal_an_export_of_those_months_and_the_outside_group_is_counted_apart() {
    let dir = tempfile::tempdir().unwrap();
    let full = export(dir.path(), 2000, 5);
    let as_of = day("2025-12-31");
    // The generator's own window of the same seed: orders from 2025-07-01 (the day after 6 months
    // before the as-of date) to 2025-12-31.
    let part = dir.path().join("下半年.csv");
    let options = GenerateOptions {
        layout: Layout::Wechat,
        format: FileFormat::Csv,
        orders: 2000,
        seed: 5,
        quirks: false,
        rows_from: Some(day("2025-07-01")),
        rows_to: Some(as_of),
        ..GenerateOptions::default()
    };
    generate(&part, &options).unwrap();
    let method = Method::RfmScores { bins: 5, a_min: 12, b_min: 8 };
    let plain = ClassifyParams { method, as_of: Some(as_of), ..ClassifyParams::default() };
    let want = rows(&run(dir.path(), &[part], &plain, None, "part.xlsx"));
    let six = ClassifyParams { window: Window::months(6), ..plain.clone() };
    let got = run(dir.path(), std::slice::from_ref(&full), &six, None, "six.xlsx");
    assert_eq!(rows(&got), want);

    // Grouped: the same customers inside, with the same numbers; the others in D, counted in the
    // tier summary, taking no part in the cut points (the inside customers' scores are unchanged).
    let grouped = ClassifyParams { window: Window { outside: Outside::Group, ..Window::months(6) }, ..plain.clone() };
    let g = run(dir.path(), std::slice::from_ref(&full), &grouped, None, "grouped.xlsx");
    let all = run(dir.path(), std::slice::from_ref(&full), &plain, None, "all.xlsx");
    let before: Vec<&Customer> = all.customers.iter().filter(|c| c.last_order < day("2025-07-01")).collect();
    assert!(!before.is_empty());
    let g_rows = rows(&g);
    assert_eq!(g_rows.len(), want.len() + before.len());
    for c in &before {
        let (orders, revenue, _, last, tier, segment, recency, scores) = g_rows[&c.key].clone();
        assert_eq!((orders, revenue, last, tier, segment.as_deref()), (0, 0, c.last_order, Tier::D, Some(OUTSIDE)));
        assert_eq!((recency, scores), ((as_of - c.last_order).num_days(), [0, 0, 0]));
    }
    for (key, row) in &want {
        assert_eq!(&g_rows[key], row, "{key}");
    }
    let d = g.classification.tiers.iter().find(|t| t.group == "D").unwrap();
    assert_eq!(d.customers, before.len() as u64);
    let total: u64 = g.classification.tiers.iter().map(|t| t.customers).sum();
    assert_eq!(total, g_rows.len() as u64);
    // The R×F matrix counts the scored customers only (the outside group scores 0).
    let cells = classify::rf_matrix(&g.customers, &g.classification.assignments);
    assert_eq!(cells.iter().map(|c| c.customers).sum::<u64>(), want.len() as u64);
    // The method sheet says which window was used.
    let mut book = calamine::open_workbook_auto(dir.path().join("grouped.xlsx")).unwrap();
    use calamine::Reader;
    let name = book.sheet_names().into_iter().find(|n| n.contains("说明")).unwrap();
    let sheet = book.worksheet_range(&name).unwrap();
    let text: Vec<String> =
        sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("|")).collect();
    assert!(text.iter().any(|l| l.starts_with("分析窗口|近 6 个月") && l.contains("单列为 D 类")), "{text:#?}");
}

fn customer(key: &str, orders: u32, fen: i64, last: &str) -> Customer {
    Customer {
        key: key.into(),
        name: String::new(),
        phone: None,
        orders,
        revenue: fen,
        first_order: day("2023-01-01"),
        last_order: day(last),
        interactions: None,
        profit: None,
    }
}

#[test]
fn values_exactly_on_the_users_cut_points_fall_on_the_better_side() {
    let as_of = day("2025-12-31");
    let ago = |n: u64| (as_of - chrono::Days::new(n)).to_string();
    // (key, recency days, orders, fen) and the scores written out by hand from the rule
    // "R ≤ cut, F/M ≥ cut" with R 30/90/180/365 days, F 2/3/5/10 orders, M ¥100/500/1000/5000.
    let table: [(&str, u64, u32, i64, [u8; 3]); 9] = [
        ("a", 0, 1, 9_999, [5, 1, 1]),
        ("b", 30, 2, 10_000, [5, 2, 2]),
        ("c", 31, 3, 49_999, [4, 3, 2]),
        ("d", 90, 4, 50_000, [4, 3, 3]),
        ("e", 91, 5, 99_999, [3, 4, 3]),
        ("f", 180, 9, 100_000, [3, 4, 4]),
        ("g", 181, 10, 499_999, [2, 5, 4]),
        ("h", 365, 11, 500_000, [2, 5, 5]),
        ("i", 366, 40, 9_000_000, [1, 5, 5]),
    ];
    let customers: Vec<Customer> = table.iter().map(|(k, r, f, m, _)| customer(k, *f, *m, &ago(*r))).collect();
    let cuts = ScoreCuts {
        r: vec![30.0, 90.0, 180.0, 365.0],
        f: vec![2.0, 3.0, 5.0, 10.0],
        m: vec![100.0, 500.0, 1000.0, 5000.0],
    };
    let p = ClassifyParams {
        method: Method::RfmScores { bins: 5, a_min: 12, b_min: 8 },
        as_of: Some(as_of),
        score_cuts: cuts.clone(),
        ..ClassifyParams::default()
    };
    let c = classify(&customers, &p).unwrap();
    for ((key, .., want), a) in table.iter().zip(&c.assignments) {
        assert_eq!([a.r_score, a.f_score, a.m_score], *want, "{key}");
    }
    // The threshold table echoes the cut points in the user's units, R first.
    let own: Vec<(f64, &str)> =
        c.thresholds.iter().filter(|t| t.name.zh.contains("自定义")).map(|t| (t.value, t.unit.zh.as_str())).collect();
    let mut expected: Vec<(f64, &str)> = cuts.r.iter().map(|v| (*v, "天")).collect();
    expected.extend(cuts.f.iter().map(|v| (*v, "单")));
    expected.extend(cuts.m.iter().map(|v| (*v, "¥")));
    assert_eq!(own, expected);
    assert!(c.thresholds.iter().any(|t| t.name.zh == "R 自定义分界值：≤ 此天数得 5 分" && t.value == 30.0));

    // Another method shows the same scores and echoes the same rows; the Classifier gives the
    // same result as a fresh call, and forgets the cut points when they are removed.
    let seg = ClassifyParams { method: Method::RfmSegments { rules: classify::default_segment_rules() }, ..p.clone() };
    let s = classify(&customers, &seg).unwrap();
    assert_eq!(
        s.assignments.iter().map(|a| a.r_score).collect::<Vec<_>>(),
        c.assignments.iter().map(|a| a.r_score).collect::<Vec<_>>()
    );
    assert_eq!(s.thresholds.iter().filter(|t| t.name.zh.contains("自定义")).count(), 12);
    let mut kept = classify::Classifier::new();
    let quantiles = ClassifyParams { score_cuts: ScoreCuts::default(), ..p.clone() };
    assert_eq!(
        format!("{:?}", kept.classify(&customers, &quantiles).unwrap()),
        format!("{:?}", classify(&customers, &quantiles).unwrap())
    );
    assert_eq!(format!("{:?}", kept.classify(&customers, &p).unwrap()), format!("{c:?}"));
    assert_eq!(
        format!("{:?}", kept.classify(&customers, &quantiles).unwrap()),
        format!("{:?}", classify(&customers, &quantiles).unwrap())
    );

    // A wrong number of cut points is refused in words.
    let bad = ClassifyParams { score_cuts: ScoreCuts { f: vec![2.0, 3.0], ..ScoreCuts::default() }, ..p.clone() };
    assert!(classify(&customers, &bad).unwrap_err().to_string().contains("需要 4 个"));
}

#[test]
fn gaps_against_the_users_cut_points_lift_the_customer_when_spent() {
    let as_of = day("2025-12-31");
    let customers: Vec<Customer> = (0..60u32)
        .map(|i| {
            let last = (as_of - chrono::Days::new(u64::from(i) * 7)).to_string();
            customer(&format!("k{i:02}"), 1 + i % 6, 3_000 * i64::from(i % 13 + 1), &last)
        })
        .collect();
    let p = ClassifyParams {
        method: Method::RfmScores { bins: 5, a_min: 12, b_min: 8 },
        as_of: Some(as_of),
        score_cuts: ScoreCuts {
            r: vec![30.0, 90.0, 180.0, 365.0],
            f: vec![2.0, 3.0, 5.0, 10.0],
            m: vec![100.0, 200.0, 300.0, 350.0],
        },
        ..ClassifyParams::default()
    };
    let c = classify(&customers, &p).unwrap();
    let mut checked = 0;
    for (i, a) in c.assignments.iter().enumerate() {
        let Some(gap) = &a.gap else { continue };
        let mut moved = customers.clone();
        moved[i].orders += 1;
        moved[i].last_order = as_of;
        if let Some(rest) = gap.zh.strip_prefix("下一单消费 ¥") {
            let yuan: f64 = rest.split_whitespace().next().unwrap().replace(',', "").parse().unwrap();
            moved[i].revenue += (yuan * 100.0).round() as i64;
            // One yuan less is not enough: the gap is the amount rounded up to whole yuan, no more.
            let mut short = moved.clone();
            short[i].revenue -= 100;
            let after = classify(&short, &p).unwrap();
            assert!(after.assignments[i].tier >= a.tier, "{} is more than needed for {i}", gap.zh);
        } else {
            assert!(gap.zh.starts_with("再下 1 单"), "{}", gap.zh);
            moved[i].revenue += 1;
        }
        let after = classify(&moved, &p).unwrap();
        assert!(after.assignments[i].tier < a.tier, "{} did not lift customer {i}", gap.zh);
        checked += 1;
    }
    assert!(checked > 10, "{checked}");
}

#[test]
fn parameters_saved_before_the_window_existed_still_load_and_keep_every_order() {
    // What a snapshot of schema version 5 holds in its params column.
    let old = r#"{"method":{"kind":"abc_revenue","a_pct":80.0,"b_pct":95.0},"as_of":"2025-06-30","segment_tiers":{},"segment_names":{}}"#;
    let p: ClassifyParams = serde_json::from_str(old).unwrap();
    assert_eq!((&p.window, &p.score_cuts), (&Window::default(), &ScoreCuts::default()));
    let new = ClassifyParams { window: Window::months(12), ..p.clone() };
    let back: ClassifyParams = serde_json::from_str(&serde_json::to_string(&new).unwrap()).unwrap();
    assert_eq!(back, new);
}

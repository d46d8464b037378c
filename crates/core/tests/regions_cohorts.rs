//! Regions and cohorts end to end: real xlsx/CSV exports written here, imported (with and without a
//! workspace), classified and exported; the 地区 and 同期群 sheets read back with calamine and compared
//! with figures worked out by hand below.

use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::Workbook;
use tierbook_core::classify::{ClassifyParams, Measure, Method};
use tierbook_core::export::ExportOptions;
use tierbook_core::import::ImportOptions;
use tierbook_core::job::{self, Job, JobOutcome, Outputs};
use tierbook_core::store::Workspace;
use tierbook_core::NoProgress;

/// (order id, time, buyer id, address, paid yuan)
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, f64);

fn write_xlsx(path: &Path, rows: &[Row]) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in ["订单号", "下单时间", "订单状态", "买家ID", "收货地址", "实付金额"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (id, at, key, address, paid)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 1, *at).unwrap();
        ws.write_string(r, 2, "已完成").unwrap();
        ws.write_string(r, 3, *key).unwrap();
        ws.write_string(r, 4, *address).unwrap();
        ws.write_number(r, 5, *paid).unwrap();
    }
    book.save(path).unwrap();
}

/// oA moves from 广东 to 浙江 (latest order wins), oB gives only a city, oC writes the official name
/// of 内蒙古, oD's address names no province.
const SHOP: &[Row] = &[
    ("1001", "2025-01-05 10:00:00", "oA", "广东省 深圳市 南山区 科技园路1号", 8000.0),
    ("1002", "2025-01-20 10:00:00", "oB", "深圳市福田区华强北", 1500.0),
    ("1003", "2025-02-11 10:00:00", "oC", "内蒙古自治区呼和浩特市新城区", 500.0),
    ("1004", "2025-02-14 10:00:00", "oD", "火星基地 1 号", 100.0),
    ("1005", "2025-02-25 10:00:00", "oC", "内蒙古自治区呼和浩特市新城区", 300.0),
    ("1006", "2025-03-02 10:00:00", "oA", "浙江省杭州市西湖区", 2000.0),
];

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()
}

/// A ≥ ¥5,000, B ≥ ¥1,000: oA (¥10,000) A, oB (¥1,500) B, oC (¥800) and oD (¥100) C.
fn params() -> ClassifyParams {
    ClassifyParams {
        method: Method::Thresholds { measure: Measure::Revenue, a_min: 5000.0, b_min: 1000.0, c_min: None },
        as_of: Some(as_of()),
        ..ClassifyParams::default()
    }
}

fn run(files: &[PathBuf], out: &Path, ws: Option<&mut Workspace>, options: ExportOptions) -> JobOutcome {
    let outputs = Outputs { workbook: out.to_path_buf(), csv_dir: None, options };
    let import = ImportOptions::default();
    let imported_at = NaiveDateTime::parse_from_str("2025-04-01 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let job = Job {
        files,
        import: &import,
        imported_at,
        params: &params(),
        save_snapshot: ws.is_some(),
        outputs: &outputs,
        costs: None,
    };
    job::run(&job, ws, &NoProgress).unwrap()
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book = open_workbook_auto(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => format!("{i}"),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

fn number(cell: &Data) -> Option<f64> {
    match cell {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// The 地区 sheet as (province, customers, A, B, C, revenue) from its header row on, without the total.
fn region_rows(path: &Path) -> Vec<(String, f64, f64, f64, f64, f64)> {
    let rows = sheet(path, "地区");
    let head = rows.iter().position(|r| text(&r[0]) == "省份").expect("header row");
    let cols: Vec<String> = rows[head].iter().map(text).collect();
    let col = |name: &str| cols.iter().position(|c| c == name).unwrap_or_else(|| panic!("column {name}"));
    rows[head + 1..]
        .iter()
        .filter(|r| !matches!(text(&r[0]).as_str(), "" | "合计"))
        .map(|r| {
            let n = |name: &str| number(&r[col(name)]).unwrap();
            (text(&r[0]), n("客户数"), n("A类"), n("B类"), n("C类"), n("消费金额"))
        })
        .collect()
}

/// The two blocks of the 同期群 sheet: month → (size, M+0 … M+11 with None for blanks).
type CohortBlock = Vec<(String, f64, Vec<Option<f64>>)>;
fn cohort_blocks(path: &Path) -> (CohortBlock, CohortBlock) {
    let rows = sheet(path, "同期群");
    let heads: Vec<usize> =
        rows.iter().enumerate().filter(|(_, r)| text(&r[0]) == "首单月份").map(|(i, _)| i).collect();
    assert_eq!(heads.len(), 2);
    let block = |h: usize| -> CohortBlock {
        rows[h + 1..]
            .iter()
            .take_while(|r| !text(&r[0]).is_empty())
            .map(|r| {
                let cells = (2..14).map(|c| r.get(c).and_then(number)).collect();
                (text(&r[0]), number(&r[1]).unwrap(), cells)
            })
            .collect()
    };
    (block(heads[0]), block(heads[1]))
}

fn assert_sheets(out: &Path) {
    let u = |s: &str| s.to_string();
    assert_eq!(
        region_rows(out),
        vec![
            (u("内蒙古"), 1.0, 0.0, 0.0, 1.0, 800.0),
            (u("广东"), 1.0, 0.0, 1.0, 0.0, 1500.0),
            (u("浙江"), 1.0, 1.0, 0.0, 0.0, 10000.0),
            (u("未知"), 1.0, 0.0, 0.0, 1.0, 100.0),
        ]
    );
    let (share, per) = cohort_blocks(out);
    let blank = |n: usize| vec![None; n];
    // January: oA and oB; only oA comes back, in March (M+2), for ¥2,000. February: oC and oD, twice
    // for oC within February; nobody in March. As of 31 March: January blank from M+3, February from M+2.
    let jan_share = [vec![Some(1.0), Some(0.0), Some(0.5)], blank(9)].concat();
    let feb_share = [vec![Some(1.0), Some(0.0)], blank(10)].concat();
    assert_eq!(share, vec![(u("2025-01"), 2.0, jan_share), (u("2025-02"), 2.0, feb_share)]);
    let jan_per = [vec![Some(4750.0), Some(0.0), Some(1000.0)], blank(9)].concat();
    let feb_per = [vec![Some(450.0), Some(0.0)], blank(10)].concat();
    assert_eq!(per, vec![(u("2025-01"), 2.0, jan_per), (u("2025-02"), 2.0, feb_per)]);
}

#[test]
fn regions_and_cohorts_sheets_equal_the_hand_computation_with_and_without_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("订单.xlsx");
    write_xlsx(&input, SHOP);

    let out = dir.path().join("分层.xlsx");
    let outcome = run(std::slice::from_ref(&input), &out, None, ExportOptions::default());
    assert_sheets(&out);
    assert_eq!(outcome.regions.get("oA").and_then(|r| r.city.as_deref()), Some("杭州"));

    let mut ws = Workspace::open(&dir.path().join("店.tierbook")).unwrap();
    let out = dir.path().join("分层-工作区.xlsx");
    run(std::slice::from_ref(&input), &out, Some(&mut ws), ExportOptions::default());
    assert_sheets(&out);

    // The tier sheet names the province and city of the latest order.
    let a = sheet(&out, "A类客户");
    let cols: Vec<String> = a[0].iter().map(text).collect();
    let at = |name: &str| cols.iter().position(|c| c == name).unwrap();
    assert_eq!((text(&a[1][at("省份")]), text(&a[1][at("城市")])), (u("浙江"), u("杭州")));
}

fn u(s: &str) -> String {
    s.to_string()
}

#[test]
fn a_province_filter_keeps_that_province_in_the_lists_and_the_whole_shop_in_the_summary_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("订单.xlsx");
    write_xlsx(&input, SHOP);
    let out = dir.path().join("内蒙古.xlsx");
    let options = ExportOptions { region: Some("内蒙古".into()), ..ExportOptions::default() };
    run(&[input], &out, None, options);
    let listed: Vec<String> = ["A类客户", "B类客户", "C类客户"]
        .iter()
        .flat_map(|s| sheet(&out, s).into_iter().skip(1).map(|r| text(&r[0])).collect::<Vec<_>>())
        .collect();
    assert_eq!(listed, vec![u("oC")]);
    assert_eq!(region_rows(&out).len(), 4);
}

#[test]
fn a_later_import_moves_a_customer_and_removing_it_moves_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("一月.xlsx");
    write_xlsx(&first, &SHOP[..2]);
    let later = dir.path().join("三月.xlsx");
    write_xlsx(&later, &SHOP[5..]);
    let mut ws = Workspace::open(&dir.path().join("店.tierbook")).unwrap();
    let at = NaiveDateTime::parse_from_str("2025-04-01 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    ws.import(&[first], &ImportOptions::default(), at, &NoProgress).unwrap();
    assert_eq!(ws.customer_regions().unwrap().province("oA"), "广东");
    let outcome = ws.import(&[later], &ImportOptions::default(), at, &NoProgress).unwrap();
    assert_eq!(ws.customer_regions().unwrap().province("oA"), "浙江");
    let source = outcome.sources.last().unwrap().id;
    ws.remove_source(source).unwrap();
    let regions = ws.customer_regions().unwrap();
    assert_eq!(regions.province("oA"), "广东");
    assert_eq!(regions.get("oA").and_then(|r| r.city.as_deref()), Some("深圳"));
}

#[test]
fn province_and_city_columns_without_an_address_are_read_from_a_csv() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("订单.csv");
    let csv = "订单号,下单时间,买家ID,实付金额,省份,城市\n\
               1,2025-01-05 10:00:00,o1,100.00,广东省,深圳市\n\
               2,2025-01-06 10:00:00,o2,100.00,,杭州\n\
               3,2025-01-07 10:00:00,o3,100.00,广西壮族自治区,南宁市\n\
               4,2025-01-08 10:00:00,o4,100.00,,\n";
    std::fs::write(&input, csv).unwrap();
    let out = dir.path().join("分层.xlsx");
    let outcome = run(&[input], &out, None, ExportOptions::default());
    let region =
        |k: &str| outcome.regions.get(k).map(|r| (r.province.to_string(), r.city.as_deref().map(str::to_owned)));
    assert_eq!(region("o1"), Some((u("广东"), Some(u("深圳")))));
    assert_eq!(region("o2"), Some((u("浙江"), Some(u("杭州")))));
    assert_eq!(region("o3"), Some((u("广西"), Some(u("南宁")))));
    assert_eq!(region("o4"), None);
    assert_eq!(outcome.regions.province("o4"), "未知");
}

/// A new customer's region is written with the customer (no query per customer on import): it must be
/// that of the latest order with an address, a later row winning a tie, whatever the file's row order;
/// a stored customer keeps their region when the new file's address is older than theirs.
#[test]
fn the_region_of_new_and_stored_customers_is_their_latest_order_with_an_address() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("一月.xlsx");
    write_xlsx(
        &first,
        &[
            // oE: rows out of time order; the latest (02-01) is 浙江 although a later row says 广东.
            ("2001", "2025-02-01 10:00:00", "oE", "浙江省杭州市西湖区", 100.0),
            ("2002", "2025-01-03 10:00:00", "oE", "广东省广州市天河区", 100.0),
            // oF: two orders at the same moment; the later row (四川) wins, as the stored order id does.
            ("2003", "2025-01-10 10:00:00", "oF", "湖南省长沙市岳麓区", 100.0),
            ("2004", "2025-01-10 10:00:00", "oF", "四川省成都市武侯区", 100.0),
            // oG: the latest order has no address, so the region is the one before it (an address
            // naming no province would count: 未知).
            ("2005", "2025-01-11 10:00:00", "oG", "江苏省南京市鼓楼区", 100.0),
            ("2006", "2025-01-20 10:00:00", "oG", "", 100.0),
        ],
    );
    let second = dir.path().join("补录.xlsx");
    write_xlsx(
        &second,
        &[
            // An older order of oE with another address: oE stays in 浙江.
            ("2007", "2025-01-01 10:00:00", "oE", "福建省福州市鼓楼区", 100.0),
            // A newer one of oG: oG moves to 山东.
            ("2008", "2025-03-01 10:00:00", "oG", "山东省济南市历下区", 100.0),
        ],
    );
    let mut ws = Workspace::open(&dir.path().join("店.tierbook")).unwrap();
    let at = NaiveDateTime::parse_from_str("2025-04-01 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    ws.import(&[first], &ImportOptions::default(), at, &NoProgress).unwrap();
    let regions = ws.customer_regions().unwrap();
    assert_eq!(["oE", "oF", "oG"].map(|k| regions.province(k).to_string()), [u("浙江"), u("四川"), u("江苏")]);
    assert_eq!(regions.get("oF").and_then(|r| r.city.as_deref()), Some("成都"));
    ws.import(&[second], &ImportOptions::default(), at, &NoProgress).unwrap();
    let regions = ws.customer_regions().unwrap();
    assert_eq!(["oE", "oF", "oG"].map(|k| regions.province(k).to_string()), [u("浙江"), u("四川"), u("山东")]);
}

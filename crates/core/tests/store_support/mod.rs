//! Writes 微信小店-style order exports for the store tests: order n (0-based) has order id
//! `37…n`, belongs to customer `n % customers`, was placed n × 17 minutes after 2025-01-01 and pays
//! (n % 97 + 1) yuan and 9 fen. Two calls with overlapping ranges give overlapping exports.

#![allow(dead_code)]

use std::path::Path;

pub const HEADER: [&str; 10] =
    ["订单号", "下单时间", "支付时间", "订单状态", "买家昵称", "买家ID", "收货人", "联系电话", "实付金额", "退款金额"];

pub fn row(n: u64, customers: u64) -> [String; 10] {
    let placed = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
        + chrono::Duration::minutes(17 * n as i64);
    let c = n % customers;
    let t = placed.format("%Y-%m-%d %H:%M:%S").to_string();
    [
        format!("37{n:017}"),
        t.clone(),
        t,
        "已完成".to_string(),
        format!("买家{c}"),
        format!("oBuyer{c:07}"),
        format!("收货人{c}"),
        format!("138****{:04}", c % 10_000),
        format!("{}.09", n % 97 + 1),
        "0.00".to_string(),
    ]
}

/// Orders `from..to` as a UTF-8 CSV with BOM (as 微信小店 exports it).
pub fn write_csv(path: &Path, from: u64, to: u64, customers: u64) {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut bytes);
        w.write_record(HEADER).unwrap();
        for n in from..to {
            w.write_record(row(n, customers)).unwrap();
        }
        w.flush().unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

/// Orders `from..to` as an xlsx with a title row above the header (every cell text, as exported).
pub fn write_xlsx(path: &Path, from: u64, to: u64, customers: u64) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("订单列表").unwrap();
    sheet.write_string(0, 0, "订单导出 2025-01-01 至 2025-06-30").unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    for (i, n) in (from..to).enumerate() {
        for (c, v) in row(n, customers).iter().enumerate() {
            sheet.write_string(i as u32 + 2, c as u16, v).unwrap();
        }
    }
    book.save(path).unwrap();
}

/// Every table and index of the workspace at `path` as SQLite keeps them: name and definition.
pub fn schema(path: &Path) -> Vec<(String, String)> {
    let raw = rusqlite::Connection::open(path).unwrap();
    let mut stmt = raw.prepare("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name").unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

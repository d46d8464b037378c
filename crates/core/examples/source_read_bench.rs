//! Benchmark of `source` streaming against calamine alone, on a large order export.
//!
//! ```text
//! cargo run --release -p tierbook-core --example source_read_bench -- write  /tmp/orders.xlsx [rows]
//! /usr/bin/time -v target/release/examples/source_read_bench source   /tmp/orders.xlsx
//! /usr/bin/time -v target/release/examples/source_read_bench calamine /tmp/orders.xlsx
//! ```
//!
//! `write` makes an 18-column 微信小店-like order sheet with rust_xlsxwriter in constant-memory mode
//! (inline strings, as streaming exporters write them); `write-sst` the same with a shared-strings
//! table (low-memory mode, as Excel and most back offices write them); `source` times `Source::for_each_row`;
//! `calamine` times `worksheet_range` alone (the reference the 1.3× bar is measured against).
//! Run each reader in its own process so peak RSS is measured per reader.

use std::path::Path;
use std::time::Instant;

use calamine::{open_workbook_auto, Data, Reader};
use rust_xlsxwriter::{Format, Workbook};
use tierbook_core::source::{Cell, Source};

const HEADERS: [&str; 18] = [
    "订单号",
    "下单时间",
    "支付时间",
    "买家ID",
    "买家昵称",
    "收货人",
    "联系手机",
    "省份",
    "城市",
    "商品名称",
    "商品数量",
    "商品单价",
    "订单金额",
    "实付金额",
    "退款金额",
    "订单状态",
    "售后状态",
    "买家备注",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, path) = match (args.get(1), args.get(2)) {
        (Some(mode), Some(path)) => (mode.as_str(), Path::new(path)),
        _ => return Err("usage: source_read_bench write|write-sst|source|calamine PATH [ROWS]".into()),
    };
    match mode {
        "write" | "write-sst" => {
            let rows = args.get(3).map(|r| r.parse()).transpose()?.unwrap_or(1_000_000);
            write(path, rows, mode == "write-sst")
        }
        "source" => read_source(path),
        "calamine" => read_calamine(path),
        _ => Err(format!("unknown mode {mode}").into()),
    }
}

fn write(path: &Path, rows: u32, shared_strings: bool) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sheet = if shared_strings {
        workbook.add_worksheet_with_low_memory()?
    } else {
        workbook.add_worksheet_with_constant_memory()?
    };
    sheet.set_name("订单列表")?;
    sheet.write_string(0, 0, "订单导出 2025-01-01 至 2025-12-31")?;
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string(1, col as u16, *header)?;
    }
    let provinces = ["广东省", "浙江省", "江苏省", "四川省", "山东省"];
    let cities = ["深圳市", "杭州市", "南京市", "成都市", "青岛市"];
    let statuses = ["已完成", "已发货", "已关闭", "待收货"];
    for i in 0..rows {
        let row = i + 2;
        let customer = (u64::from(i) * 7_919) % 150_000;
        let serial = 45_658.0 + f64::from(i % 365) + f64::from(i % 86_400) / 86_400.0;
        let amount = f64::from(i % 50_000) / 100.0 + 9.9;
        sheet.write_string(row, 0, format!("{}", 3_705_000_000_000_000_000u64 + u64::from(i)))?;
        sheet.write_number_with_format(row, 1, serial, &date)?;
        sheet.write_number_with_format(row, 2, serial + 0.001, &date)?;
        sheet.write_string(row, 3, format!("o{customer:012x}wx"))?;
        sheet.write_string(row, 4, format!("买家{customer}"))?;
        sheet.write_string(row, 5, format!("收货人{}", customer % 9_973))?;
        sheet.write_string(row, 6, format!("138****{:04}", customer % 10_000))?;
        sheet.write_string(row, 7, provinces[i as usize % provinces.len()])?;
        sheet.write_string(row, 8, cities[i as usize % cities.len()])?;
        sheet.write_string(row, 9, format!("商品{} 规格{}", i % 500, i % 7))?;
        sheet.write_number(row, 10, f64::from(i % 5 + 1))?;
        sheet.write_number(row, 11, amount)?;
        sheet.write_number(row, 12, amount * 1.1)?;
        sheet.write_number(row, 13, amount)?;
        sheet.write_number(row, 14, if i % 20 == 0 { amount } else { 0.0 })?;
        sheet.write_string(row, 15, statuses[i as usize % statuses.len()])?;
        sheet.write_string(row, 16, if i % 20 == 0 { "退款成功" } else { "-" })?;
        if i % 10 == 0 {
            sheet.write_string(row, 17, "请尽快发货，谢谢")?;
        }
    }
    workbook.save(path)?;
    println!("wrote {rows} rows to {} in {:.2?}", path.display(), started.elapsed());
    Ok(())
}

fn read_source(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut source = Source::open(path)?;
    let opened = started.elapsed();
    let sheet = source.sheet_names().first().cloned().ok_or("no sheet")?;
    let (mut rows, mut cells, mut checksum) = (0u64, 0u64, 0.0f64);
    source.for_each_row(&sheet, &mut |_, row| {
        rows += 1;
        cells += row.len() as u64;
        if let Some(Cell::Number(x)) = row.get(13) {
            checksum += x;
        }
        Ok(true)
    })?;
    println!(
        "source: {rows} rows, {cells} cells, checksum {checksum:.2}, open {opened:.2?}, total {:.2?}",
        started.elapsed()
    );
    Ok(())
}

fn read_calamine(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut workbook = open_workbook_auto(path)?;
    let sheet = workbook.sheet_names().first().cloned().ok_or("no sheet")?;
    let range = workbook.worksheet_range(&sheet)?;
    let (mut rows, mut cells, mut checksum) = (0u64, 0u64, 0.0f64);
    for row in range.rows() {
        rows += 1;
        cells += row.iter().filter(|c| **c != Data::Empty).count() as u64;
        if let Some(Data::Float(x)) = row.get(13) {
            checksum += x;
        }
    }
    println!("calamine: {rows} rows, {cells} cells, checksum {checksum:.2}, total {:.2?}", started.elapsed());
    Ok(())
}

//! `tierbook inspect`: what TierBook sees in a file — format, sheets, the detected header and the role
//! of every column — and what importing it would do (the import report), without writing anything.

use std::path::PathBuf;

use tierbook_core::import::{self, ImportOptions, Preview};
use tierbook_core::mapping::{KeySpec, Level, Role};
use tierbook_core::report::{ImportReport, SkipReason};
use tierbook_core::{Lang, NoProgress, Result};

use crate::lang::tr;
use crate::term::say;

pub(crate) const AFTER_HELP: &str = "\
示例 / Examples:
  tierbook inspect 订单导出.xlsx
  tierbook inspect 订单导出.xlsx --sheet 订单列表 --header-row 3
  tierbook inspect 订单导出.csv --json > 识别结果.json";

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 要查看的文件（xlsx/xls/xlsb/ods/csv/tsv）/ the file to look at
    pub(crate) file: PathBuf,
    /// 指定工作表（默认自动选择）/ sheet to read (default: the best-matching one)
    #[arg(long)]
    pub(crate) sheet: Option<String>,
    /// 表头在第几行（按 Excel 行号，从 1 开始；默认自动识别）/ header row as Excel numbers it (default: detect)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) header_row: Option<u32>,
    /// 不计实付 ¥0 的订单（赠品、0 元试用）/ leave out orders paid ¥0
    #[arg(long)]
    pub(crate) skip_zero_orders: bool,
    /// 输出 JSON（给程序用）/ print JSON for machines
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(args: &Args, lang: Lang) -> Result<()> {
    let options = ImportOptions {
        sheet: args.sheet.clone(),
        header_row: args.header_row.map(|n| n - 1),
        skip_zero_amount: args.skip_zero_orders,
        ..ImportOptions::default()
    };
    let preview = import::preview(&args.file, &options)?;
    let imported = import::import_files(std::slice::from_ref(&args.file), &options, &NoProgress);
    if args.json {
        let report = imported.as_ref().ok().and_then(|d| d.reports.first());
        let error = imported
            .as_ref()
            .err()
            .map(|e| serde_json::json!({ "code": e.code(), "message": e.to_string(), "exit_code": e.exit_code() }));
        let out = serde_json::json!({ "preview": preview, "report": report, "error": error });
        println!("{}", crate::term::json(&out));
        return imported.map(|_| ());
    }
    // The report repeats the preview's warnings; show them once, with the report when there is one.
    print_preview(&preview, lang, imported.is_err());
    let dataset = imported?;
    if let Some(report) = dataset.reports.first() {
        print_report(report, lang);
    }
    Ok(())
}

/// Excel's column letters: 0 → A, 26 → AA.
pub(crate) fn column_letter(mut index: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

pub(crate) fn role_label(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::CustomerKey => tr(lang, "客户标识", "customer key"),
        Role::OrderId => tr(lang, "订单号", "order id"),
        Role::SubOrderId => tr(lang, "子订单号（不作订单号）", "sub-order id (not the order)"),
        Role::Date => tr(lang, "下单日期", "order date"),
        Role::Amount => tr(lang, "金额", "amount"),
        Role::Refund => tr(lang, "退款金额", "refund"),
        Role::Status => tr(lang, "订单状态", "status"),
        Role::AfterSales => tr(lang, "售后状态", "after-sales status"),
        Role::Quantity => tr(lang, "数量", "quantity"),
        Role::Name => tr(lang, "客户名称/昵称", "name"),
        Role::Phone => tr(lang, "手机号", "phone"),
        Role::Receiver => tr(lang, "收货人", "receiver"),
        Role::OrderCount => tr(lang, "消费次数", "order count"),
        Role::FirstDate => tr(lang, "首次消费日期", "first purchase date"),
        Role::RecencyDays => tr(lang, "距上次消费天数（倒推最近消费日期）", "days since last purchase"),
        Role::Interactions => tr(lang, "互动次数", "interactions"),
        Role::PaidAt => tr(lang, "支付时间（空 = 未付款）", "paid at (empty = unpaid)"),
        Role::UnitPrice => {
            tr(lang, "单价（无金额列时：数量 × 单价）", "unit price (no amount column: quantity × price)")
        }
        Role::Address => tr(lang, "收货地址（读出省份、城市）", "address (province, city read from it)"),
        Role::Province => tr(lang, "省份", "province"),
        Role::City => tr(lang, "城市", "city"),
        Role::Product => tr(lang, "商品名称", "product"),
        Role::Sku => tr(lang, "商品编码（SKU）", "product code (SKU)"),
        Role::UnitCost => tr(lang, "成本价（× 数量 = 成本）", "unit cost (× quantity = cost)"),
        Role::Cost => tr(lang, "成本", "cost"),
        Role::Profit => tr(lang, "毛利", "profit"),
    }
}

pub(crate) fn skip_label(reason: SkipReason, lang: Lang) -> &'static str {
    match reason {
        SkipReason::Closed => tr(lang, "已关闭/已取消/未付款", "closed, cancelled or unpaid"),
        SkipReason::Refunded => tr(lang, "全额退款", "fully refunded"),
        SkipReason::NoCustomerKey => tr(lang, "没有客户标识", "no customer key"),
        SkipReason::UnreadableAmount => tr(lang, "金额无法识别", "unreadable amount"),
        SkipReason::UnreadableDate => tr(lang, "日期无法识别", "unreadable date"),
        SkipReason::TotalsRow => tr(lang, "合计/小计行", "totals row"),
        SkipReason::Duplicate => tr(lang, "重复订单（已计入一次）", "duplicate order (counted once)"),
        SkipReason::Blank => tr(lang, "空行", "blank row"),
        SkipReason::RepeatedHeader => tr(lang, "重复的表头行", "repeated header row"),
        SkipReason::ZeroAmount => tr(lang, "金额为 0（按设置不计）", "zero amount (left out as set)"),
        SkipReason::AmountTooLarge => {
            tr(lang, "金额超过每单 ¥1 亿的上限", "amount above the ¥100,000,000 per-order ceiling")
        }
    }
}

pub(crate) fn key_text(key: &KeySpec) -> String {
    match key {
        KeySpec::Column(c) => c.clone(),
        KeySpec::Combined(cols) => cols.join(" + "),
    }
}

fn print_preview(p: &Preview, lang: Lang, with_warnings: bool) {
    say!("{}: {}", tr(lang, "文件", "File"), p.file);
    say!("{}: {:?}", tr(lang, "格式", "Format"), p.format);
    let sheets: Vec<String> =
        p.sheets.iter().map(|s| if *s == p.mapping.sheet { format!("[{s}]") } else { s.clone() }).collect();
    say!("{}: {}", tr(lang, "工作表（[ ] 为使用的）", "Sheets ([ ] = used)"), sheets.join("  "));
    let header = p.mapping.header_line().map_or_else(
        || {
            tr(
                lang,
                "无（第一行就是数据，按内容识别各列）",
                "none (the first line is data; columns read from their values)",
            )
            .to_owned()
        },
        |h| h.to_string(),
    );
    say!("{}: {}", tr(lang, "表头所在行", "Header row"), header);
    let level = match p.mapping.level {
        Level::Orders => tr(lang, "订单明细（每行一单或一件商品）", "orders (a row per order or item)"),
        Level::Customers => tr(lang, "客户汇总（每行一位客户）", "customers (a row per customer)"),
    };
    say!("{}: {level}", tr(lang, "表格类型", "Table"));
    say!("{}: {}", tr(lang, "客户标识", "Customer key"), key_text(&p.mapping.key));
    say!("{}:", tr(lang, "列的识别", "Columns"));
    for c in &p.mapping.columns {
        let role =
            c.role.map_or_else(|| tr(lang, "（不使用）", "(unused)").to_string(), |r| role_label(r, lang).to_string());
        say!("  {:>3}  {}  →  {}", column_letter(c.index), c.header, role);
    }
    if with_warnings {
        for w in &p.warnings {
            say!("{}: {}", tr(lang, "提示", "Note"), w.text.get(lang));
        }
    }
}

/// "（例如第 15、109 行）" / "(e.g. rows 15, 109)".
fn example_rows(rows: &[u32], lang: Lang) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let list: Vec<String> = rows.iter().map(u32::to_string).collect();
    match lang {
        Lang::Zh => format!("（例如第 {} 行）", list.join("、")),
        Lang::En => format!(" (e.g. rows {})", list.join(", ")),
    }
}

pub(crate) fn print_report(r: &ImportReport, lang: Lang) {
    say!("{} ({}):", tr(lang, "导入报告", "Import report"), r.file);
    say!("  {}: {}", tr(lang, "读取数据行", "Data rows read"), r.rows_read);
    say!("  {}: {}", tr(lang, "有效订单", "Orders kept"), r.orders_kept);
    for s in &r.skipped {
        say!(
            "  {} {}: {}{}",
            tr(lang, "跳过", "Skipped"),
            skip_label(s.reason, lang),
            s.count,
            example_rows(&s.example_rows, lang)
        );
    }
    if let (Some(first), Some(last)) = (r.first_date, r.last_date) {
        say!("  {}: {first} ~ {last}", tr(lang, "日期范围", "Date range"));
    }
    for w in &r.warnings {
        say!("  {}: {}", tr(lang, "提示", "Note"), w.text.get(lang));
    }
}

#[cfg(test)]
mod tests {
    use super::column_letter;

    #[test]
    fn column_letters_roll_over_after_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
    }
}

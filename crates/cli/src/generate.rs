//! `tierbook generate`: synthetic store exports (and their truth) for benchmarks, tests and demos.

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use clap::ValueEnum;
use tierbook_core::generate::{self, FileFormat, GenerateOptions, Layout};
use tierbook_core::{Lang, Result};

use crate::lang::tr;
use crate::term::say;

pub(crate) const AFTER_HELP: &str = "\
示例 / Examples:
  tierbook generate --layout wechat --orders 1000000 --seed 1 --out orders_1m.xlsx --truth truth.csv
  tierbook generate --layout taobao --orders 5000 --format csv-gbk --title-rows --totals-row --out 淘宝.csv
  tierbook generate --sample --out 示例数据.xlsx

版式 / Layouts: wechat 微信小店（订单级）, taobao 淘宝（宝贝级，多行一单）, pdd 拼多多, youzan 有赞,
customers 客户列表（累计消费金额、消费次数）。同一 --seed 生成的数据完全相同 / same seed, same data.";

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 平台版式 / platform layout
    #[arg(long, value_enum, default_value = "wechat")]
    layout: LayoutArg,
    /// 订单数（客户列表版式为客户数）/ orders (customers for the customer layout)
    #[arg(long, default_value_t = 10_000)]
    orders: u64,
    /// 客户数，默认订单数的 1/4 / distinct customers (default orders/4)
    #[arg(long)]
    customers: Option<u64>,
    /// 随机种子 / seed
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// 文件格式 / file format
    #[arg(long, value_enum, default_value = "xlsx")]
    format: FormatArg,
    /// 开始日期 / first day of the period
    #[arg(long, default_value = "2025-01-01")]
    start: NaiveDate,
    /// 结束日期 / last day of the period
    #[arg(long, default_value = "2025-12-31")]
    end: NaiveDate,
    /// 只写出这一天及以后的订单（制造重叠导出）/ only write orders placed on or after this day
    #[arg(long)]
    rows_from: Option<NaiveDate>,
    /// 只写出这一天及以前的订单 / only write orders placed on or before this day
    #[arg(long)]
    rows_to: Option<NaiveDate>,
    /// 淘宝明细加“商家编码”“成本价”两列（按利润分层用）/ 淘宝 item rows with SKU and unit cost (for ABC by profit)
    #[arg(long)]
    item_costs: bool,
    /// 表头上方加两行标题 / two title rows above the header
    #[arg(long)]
    title_rows: bool,
    /// 末尾加“合计”行 / a totals row at the end
    #[arg(long)]
    totals_row: bool,
    /// 不含表情、特殊字符和公式样昵称 / no emoji, exotic Unicode or formula-like nicknames
    #[arg(long)]
    plain: bool,
    /// 手机号打码 138****1234（非客户标识列）/ mask phone numbers that are not the key
    #[arg(long)]
    mask_phones: bool,
    /// 生成内置示例数据（2000 单、约 500 位客户、12 个月），忽略其他选项 / the built-in sample dataset
    #[arg(long)]
    sample: bool,
    /// 输出文件 / file to write
    #[arg(long)]
    out: PathBuf,
    /// 同时写出每位客户的正确答案（CSV）/ also write the per-customer truth (CSV)
    #[arg(long)]
    truth: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LayoutArg {
    Wechat,
    Taobao,
    Pdd,
    Youzan,
    Customers,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Xlsx,
    Csv,
    CsvGbk,
}

pub(crate) fn run(args: &Args, lang: Lang) -> Result<()> {
    let options = if args.sample {
        generate::sample_options()
    } else {
        GenerateOptions {
            layout: match args.layout {
                LayoutArg::Wechat => Layout::Wechat,
                LayoutArg::Taobao => Layout::Taobao,
                LayoutArg::Pdd => Layout::Pdd,
                LayoutArg::Youzan => Layout::Youzan,
                LayoutArg::Customers => Layout::Customers,
            },
            format: match args.format {
                FormatArg::Xlsx => FileFormat::Xlsx,
                FormatArg::Csv => FileFormat::Csv,
                FormatArg::CsvGbk => FileFormat::CsvGbk,
            },
            orders: args.orders,
            customers: args.customers,
            seed: args.seed,
            start: args.start,
            end: args.end,
            title_rows: args.title_rows,
            totals_row: args.totals_row,
            quirks: !args.plain,
            mask_phones: args.mask_phones,
            rows_from: args.rows_from,
            rows_to: args.rows_to,
            item_costs: args.item_costs,
        }
    };
    let started = Instant::now();
    let truth = generate::generate(&args.out, &options)?;
    if let Some(path) = &args.truth {
        truth.write_csv(path)?;
    }
    say!(
        "{} {}: {} {}, {} {}, {} {} ({:.1} s)",
        tr(lang, "已生成", "wrote"),
        args.out.display(),
        truth.rows,
        tr(lang, "行", "rows"),
        truth.orders,
        tr(lang, "单", "orders"),
        truth.customers.len(),
        tr(lang, "位有效客户", "customers with valid orders"),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

//! `tierbook classify`: import one or more exports as one dataset, classify the customers with the
//! chosen method and write the tiered workbook (and optionally one CSV per tier).
//!
//! Parameters map one-to-one onto `tierbook_core::classify::Method`; the work is the core's one job
//! (`tierbook_core::job::run`: import, classify, snapshot, compare, export, all or nothing, never
//! over an input or the workspace); this module adds only the command-line defaults and the printing.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::ValueEnum;
use tierbook_core::catalogue;
use tierbook_core::classify::{self, ClassifyParams, CubeBasis, Measure, Method, Weights, ZeroRevenue};
use tierbook_core::export::ExportOptions;
use tierbook_core::import::ImportOptions;
use tierbook_core::job::{self, Job, JobOutcome, Outputs};
use tierbook_core::mapping::KeySpec;
use tierbook_core::region;
use tierbook_core::store::Workspace;
use tierbook_core::{model::yuan, Error, Lang, Result};

use crate::lang::tr;
use crate::progress::Bar;
use crate::term::say;

pub(crate) const AFTER_HELP: &str = "\
分层方法 / Methods (--method):
  abc            按消费金额贡献（默认）：累计占 80% 的客户为 A，到 95% 为 B，其余 C（--a 80 --b 95）
                 ABC by revenue share (default): A up to 80% of revenue, B up to 95%, C the rest
  abc-customers  按客户人数：前 20% 为 A，再 30% 为 B，其余 C（--a 20 --b 30）
                 top 20% of customers A, next 30% B, the rest C
  thresholds     固定金额线（--measure monthly --a-min 1000 --b-min 500 [--c-min 100]）
                 fixed cut points on a measure: revenue, monthly, aov, orders
  rfm            R/F/M 各打 1–5 分，总分 ≥ --a-min 为 A，≥ --b-min 为 B（--bins 5 --a-min 12 --b-min 8）
  rfm-cube       RFM 八类客户（重要价值客户…）；高低线 --basis mean|median|fixed（fixed 时用 --r-days --f --m）
  rfm-segments   英文 RFM 分群（Champions, At Risk…）
  abc-profit     按毛利贡献（需要成本：订单表的成本/毛利列，或 --cost-table 成本表；--a 80 --b 95）
                 ABC by profit share (needs costs: a cost/profit column or --cost-table)
  composite      综合得分 0–100（--weights 价值,频次,近度,互动[,回购节奏] 如 0.4,0.3,0.2,0.1；--a-min 70 --b-min 40）

示例 / Examples:
  tierbook classify 订单导出.xlsx --out 客户分层.xlsx
  tierbook classify 1-3月.xlsx 3-5月.xlsx --out 客户分层.xlsx --csv-dir 分层名单
  tierbook classify 订单.csv --method rfm-cube --as-of 2025-07-01 --out 客户分层.xlsx
  tierbook classify 订单.xlsx --key 联系电话+收货人 --out 客户分层.xlsx      （手机号打码时）
  tierbook classify 客户表.xlsx --method thresholds --measure revenue --a-min 5000 --b-min 1000 --out 分层.xlsx
  tierbook classify 订单.xlsx --window 12m --outside group --out 近一年分层.xlsx
  tierbook classify 订单.xlsx --method rfm --r-cuts 30,90,180,365 --f-cuts 2,3,5,10 --out 分层.xlsx

分析窗口 / Analysis window:
  --window 3m|6m|12m|all     只看最近 N 个月的订单（截至 --as-of 或最后一笔订单）/ only the last N months
  --from D --to D            自定义时间段（含首尾两天）；--to 也是计算近度的基准日 / a custom range, both days
                             included; --to is also the as-of date recency is measured from
  --outside drop|group       窗口内没有订单的老客户：不计入（默认）或单列为 D 类「窗口内无订单」
                             customers with no order in the window: left out (default) or their own group D
  --as-of 早于最后一笔订单时，之后的订单不计 / an --as-of before the latest order leaves the later orders out.

自定义 R/F/M 分界值 / Own R/F/M cut points (instead of quantiles; bins − 1 values, ascending):
  --r-cuts 30,90,180,365     R：最近一次购买距今天数；≤ 30 天得 5 分，31–90 天 4 分 … > 365 天 1 分
  --f-cuts 2,3,5,10          F：订单数；≥ 2 单得 2 分，≥ 3 单 3 分 … 1 单 1 分
  --m-cuts 100,500,1000,5000 M：累计消费（元）；≥ ¥100 得 2 分 …
  取值恰好等于分界值时计入较好的一档（R ≤ 分界值，F/M ≥ 分界值）/ a value equal to a cut point counts
  on the better side (R ≤ cut, F/M ≥ cut).

说明 / Notes:
  多个文件视为同一批数据，重复的订单只计一次 / several files are one dataset, repeated orders count once.
  计算近度的基准日默认是数据中最后一笔订单的日期 / recency is measured from the latest order date unless --as-of.
  结果文件不会覆盖输入文件 / --out never overwrites an input file.";

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 一个或多个导出文件（视为同一批数据）/ one or more export files (one dataset)
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// 分层方法 / method
    #[arg(long, value_enum, default_value = "abc")]
    pub(crate) method: MethodArg,
    /// A 类分界（百分比）：abc 默认 80，abc-customers 默认 20 / A cut point in %
    #[arg(long)]
    pub(crate) a: Option<f64>,
    /// B 类分界（百分比）：abc 默认 95，abc-customers 默认 30 / B cut point in %
    #[arg(long)]
    pub(crate) b: Option<f64>,
    /// thresholds 比较的指标（默认 monthly）/ the measure thresholds compare (default monthly)
    #[arg(long, value_enum)]
    pub(crate) measure: Option<MeasureArg>,
    /// A 类下限（thresholds：元或单；rfm/composite：分）/ A minimum (yuan/orders or score)
    #[arg(long)]
    pub(crate) a_min: Option<f64>,
    /// B 类下限 / B minimum
    #[arg(long)]
    pub(crate) b_min: Option<f64>,
    /// C 类下限，低于它为 D 类（仅 thresholds）/ C minimum, below it D (thresholds only)
    #[arg(long)]
    pub(crate) c_min: Option<f64>,
    /// RFM 打分档数 3–5（默认 5）/ RFM score bins (default 5)
    #[arg(long, value_parser = clap::value_parser!(u8).range(3..=5))]
    pub(crate) bins: Option<u8>,
    /// RFM 八类的高低线：均值（默认）、中位数或固定值 / high/low line of the RFM cube (default mean)
    #[arg(long, value_enum)]
    pub(crate) basis: Option<BasisArg>,
    /// 固定线：最近 N 天内消费算“近”（默认 30）/ fixed basis: R high when recency ≤ N days (30)
    #[arg(long)]
    pub(crate) r_days: Option<f64>,
    /// 固定线：消费次数 ≥ F 算“高频”（默认 3）/ fixed basis: F high when orders ≥ F (3)
    #[arg(long)]
    pub(crate) f: Option<f64>,
    /// 固定线：消费金额 ≥ M 元算“高额”（默认 200）/ fixed basis: M high when revenue ≥ M yuan (200)
    #[arg(long)]
    pub(crate) m: Option<f64>,
    /// 综合得分权重：价值,频次,近度,互动[,回购节奏]（默认 0.4,0.3,0.2,0.1）/ composite weights value,frequency,recency,interactions[,rhythm]
    #[arg(long)]
    pub(crate) weights: Option<String>,
    /// 按人数分层时，零消费客户归入 C（默认）或单独的 D / zero-revenue customers in C (default) or D
    #[arg(long, value_enum)]
    pub(crate) zero_revenue: Option<ZeroArg>,
    /// 计算近度的基准日 YYYY-MM-DD（默认：最后一笔订单的日期）/ as-of date (default: latest order date)
    #[arg(long)]
    pub(crate) as_of: Option<NaiveDate>,
    /// 客户标识列，如 买家ID；组合用 +，如 联系电话+收货人 / customer key column, or COL1+COL2
    #[arg(long)]
    pub(crate) key: Option<String>,
    /// 指定工作表 / sheet to read
    #[arg(long)]
    pub(crate) sheet: Option<String>,
    /// 表头在第几行（Excel 行号，从 1 开始）/ header row as Excel numbers it
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) header_row: Option<u32>,
    /// 不计实付 ¥0 的订单（赠品、0 元试用；默认按 ¥0 订单计入）/ leave out orders paid ¥0 (default: count them as ¥0 orders)
    #[arg(long)]
    pub(crate) skip_zero_orders: bool,
    /// 导出完整手机号（默认打码 138****1234）/ keep full phone numbers in the export
    #[arg(long)]
    pub(crate) keep_phones: bool,
    /// 分层结果 Excel 文件 / the tiered workbook to write
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// 另存每一类客户的 CSV 到此文件夹 / also write one CSV per tier into this folder
    #[arg(long)]
    pub(crate) csv_dir: Option<PathBuf>,
    /// 结尾的汇总以 JSON 输出 / print the summary as JSON
    #[arg(long)]
    pub(crate) json: bool,
    /// 分层名单、CSV 和 JSON 只列该省份的客户（如 广东；分层仍按全店计算）/ list only the customers of
    /// this province (tiers are still the whole shop's)
    #[arg(long)]
    pub(crate) region: Option<String>,
    /// 成本表（CSV/xlsx：商品名称或 SKU、成本价），补全订单表中没有的成本 / cost table (product
    /// name or SKU, unit cost) for items whose export has no cost
    #[arg(long)]
    pub(crate) cost_table: Option<PathBuf>,
    /// 工作区文件：只导入新订单，对全部订单分层并保存快照 / workspace: import only what is new,
    /// classify all its orders and save a snapshot
    #[arg(long)]
    pub(crate) workspace: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) window: crate::window::WindowArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum MethodArg {
    Abc,
    AbcCustomers,
    Thresholds,
    Rfm,
    RfmCube,
    RfmSegments,
    Composite,
    AbcProfit,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum MeasureArg {
    Revenue,
    Monthly,
    Aov,
    Orders,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum BasisArg {
    Mean,
    Median,
    Fixed,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ZeroArg {
    C,
    D,
}

/// The method and its parameters: every flag not given takes the core's default for the method
/// (`catalogue::method_default`, the same value the app sends when the user picks the method).
pub(crate) fn method(args: &Args) -> Result<Method> {
    let kind = match args.method {
        MethodArg::Abc => "abc_revenue",
        MethodArg::AbcCustomers => "abc_customers",
        MethodArg::Thresholds => "thresholds",
        MethodArg::Rfm => "rfm_scores",
        MethodArg::RfmCube => "rfm_cube",
        MethodArg::RfmSegments => "rfm_segments",
        MethodArg::Composite => "composite",
        MethodArg::AbcProfit => "abc_profit",
    };
    let default = catalogue::method_default(kind).expect("every --method is a core method");
    Ok(match default {
        Method::AbcRevenue { a_pct, b_pct } => {
            Method::AbcRevenue { a_pct: args.a.unwrap_or(a_pct), b_pct: args.b.unwrap_or(b_pct) }
        }
        Method::AbcProfit { a_pct, b_pct } => {
            Method::AbcProfit { a_pct: args.a.unwrap_or(a_pct), b_pct: args.b.unwrap_or(b_pct) }
        }
        Method::AbcCustomers { a_pct, b_pct, zero_revenue } => Method::AbcCustomers {
            a_pct: args.a.unwrap_or(a_pct),
            b_pct: args.b.unwrap_or(b_pct),
            zero_revenue: match args.zero_revenue {
                Some(ZeroArg::C) => ZeroRevenue::C,
                Some(ZeroArg::D) => ZeroRevenue::D,
                None => zero_revenue,
            },
        },
        Method::Thresholds { measure, a_min, b_min, c_min } => Method::Thresholds {
            measure: match args.measure {
                Some(MeasureArg::Revenue) => Measure::Revenue,
                Some(MeasureArg::Monthly) => Measure::MonthlyRevenue,
                Some(MeasureArg::Aov) => Measure::Aov,
                Some(MeasureArg::Orders) => Measure::Orders,
                None => measure,
            },
            a_min: args.a_min.unwrap_or(a_min),
            b_min: args.b_min.unwrap_or(b_min),
            c_min: args.c_min.or(c_min),
        },
        Method::RfmScores { bins, .. } => {
            let bins = args.bins.unwrap_or(bins);
            let (a_default, b_default) = classify::rfm_score_defaults(bins);
            Method::RfmScores {
                bins,
                a_min: score(args.a_min, f64::from(a_default), "--a-min")?,
                b_min: score(args.b_min, f64::from(b_default), "--b-min")?,
            }
        }
        Method::RfmCube { basis } => Method::RfmCube {
            basis: match args.basis {
                Some(BasisArg::Mean) => CubeBasis::Mean,
                Some(BasisArg::Median) => CubeBasis::Median,
                Some(BasisArg::Fixed) => {
                    let CubeBasis::Fixed { r_days, f, m_yuan } = catalogue::FIXED_CUBE_BASIS else {
                        unreachable!("the fixed basis default is fixed")
                    };
                    CubeBasis::Fixed {
                        r_days: args.r_days.unwrap_or(r_days),
                        f: args.f.unwrap_or(f),
                        m_yuan: args.m.unwrap_or(m_yuan),
                    }
                }
                None => basis,
            },
        },
        Method::RfmSegments { rules } => Method::RfmSegments { rules },
        Method::Composite { weights: default_weights, a_min, b_min } => Method::Composite {
            weights: args.weights.as_deref().map(weights).transpose()?.unwrap_or(default_weights),
            a_min: args.a_min.unwrap_or(a_min),
            b_min: args.b_min.unwrap_or(b_min),
        },
    })
}

fn score(value: Option<f64>, default: f64, flag: &str) -> Result<u32> {
    let v = value.unwrap_or(default);
    if v < 0.0 || v.fract() != 0.0 {
        return Err(Error::InvalidParams(format!(
            "{flag} 应为非负整数分数，收到 {v}。/ {flag} must be a whole score."
        )));
    }
    Ok(v as u32)
}

fn weights(text: &str) -> Result<Weights> {
    let parts: Vec<f64> = text
        .split([',', '，'])
        .map(|s| s.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad_weights(text))?;
    match parts.as_slice() {
        [v, f, r] => Ok(Weights { value: *v, frequency: *f, recency: *r, interactions: 0.0, rhythm: None }),
        [v, f, r, i] => Ok(Weights { value: *v, frequency: *f, recency: *r, interactions: *i, rhythm: None }),
        [v, f, r, i, rh] => Ok(Weights { value: *v, frequency: *f, recency: *r, interactions: *i, rhythm: Some(*rh) }),
        _ => Err(bad_weights(text)),
    }
}

fn bad_weights(text: &str) -> Error {
    Error::InvalidParams(format!(
        "--weights “{text}” 应为 3 到 5 个用逗号分隔的数字，如 0.4,0.3,0.2,0.1（价值,频次,近度,互动）或 0.4,0.3,0.1,0,0.2（再加回购节奏）。/ \
         --weights needs 3 to 5 comma-separated numbers (value, frequency, recency, interactions, rhythm)."
    ))
}

/// The key override: one column, or several joined with `+`.
pub(crate) fn key_spec(key: &str) -> KeySpec {
    let cols: Vec<String> = key.split('+').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    match cols.as_slice() {
        [one] => KeySpec::Column(one.clone()),
        _ => KeySpec::Combined(cols),
    }
}

pub(crate) fn run(args: &Args, lang: Lang) -> Result<()> {
    let params = ClassifyParams {
        method: method(args)?,
        as_of: args.as_of,
        window: args.window.window()?,
        score_cuts: args.window.score_cuts()?,
        ..ClassifyParams::default()
    };
    let options = ImportOptions {
        sheet: args.sheet.clone(),
        header_row: args.header_row.map(|n| n - 1),
        key: args.key.as_deref().map(key_spec),
        skip_zero_amount: args.skip_zero_orders,
        ..ImportOptions::default()
    };
    let region = args.region.as_deref().map(province_arg).transpose()?;
    let outputs = Outputs {
        workbook: args.out.clone(),
        csv_dir: args.csv_dir.clone(),
        options: ExportOptions {
            lang,
            keep_phones: args.keep_phones,
            region: region.map(str::to_string),
            ..ExportOptions::default()
        },
    };
    let costs = args.cost_table.as_deref().map(tierbook_core::costs::CostTable::read).transpose()?;
    let job = Job {
        files: &args.files,
        import: &options,
        // The command line reads the clock (for the import date); the core never does.
        imported_at: chrono::Local::now().naive_local(),
        params: &params,
        save_snapshot: args.workspace.is_some(),
        outputs: &outputs,
        costs: costs.as_ref(),
    };
    // A workspace this command creates is removed again when the command fails: none of it happened.
    let created = args.workspace.as_deref().filter(|p| !p.exists());
    let mut workspace = args.workspace.as_deref().map(Workspace::open).transpose()?;
    let bar = Bar::new(lang);
    let result = job::run(&job, workspace.as_mut(), &bar);
    bar.finish();
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e) => {
            drop(workspace);
            if let Some(path) = created {
                tierbook_core::paths::workspace_files(path).iter().for_each(|f| drop(std::fs::remove_file(f)));
            }
            return Err(e);
        }
    };
    match &workspace {
        Some(ws) => print_workspace(&outcome, ws, args, lang),
        None if args.json => {
            let out = serde_json::json!({
                "out": args.out,
                "customers": outcome.classification.assignments.len(),
                "as_of": outcome.classification.as_of,
                "method": outcome.classification.params.method,
                "window": outcome.classification.params.window,
                "score_cuts": outcome.classification.params.score_cuts,
                "notes": outcome.classification.notes,
                "score_notes": outcome.classification.score_notes,
                "tiers": outcome.classification.tiers,
                "segments": outcome.classification.segments,
                // Per customer: key, tier and segment, so that scripts (and the app/CLI agreement
                // test) can compare customer by customer.
                "assignments": assignments(&outcome, region),
                "regions": region::tier_mix(&outcome.customers, &outcome.classification, &outcome.regions),
                "cohorts": outcome.cohorts,
                "reports": outcome.reports,
            });
            println!("{}", crate::term::json(&out));
        }
        None => print_summary(&outcome, args, lang),
    }
    // The process ends next. Freeing the outcome (every customer, assignment and product list, one
    // allocation at a time) took ~0.6 s at a million orders, after the workbook was written
    // (docs/benchmarks.md); the system takes the memory back at once. The workspace, which must be
    // closed (its checkpoint), is dropped as usual.
    std::mem::forget(outcome);
    Ok(())
}

/// `classify --workspace`: what the import changed, the snapshot, the tiers and the migration.
fn print_workspace(outcome: &JobOutcome, ws: &Workspace, args: &Args, lang: Lang) {
    if args.json {
        let out = serde_json::json!({
            "out": args.out,
            "workspace": ws.path(),
            "import": outcome.import,
            "snapshot": outcome.snapshot,
            "migration": outcome.migration,
        });
        println!("{}", crate::term::json(&out));
        return;
    }
    if let Some(import) = &outcome.import {
        say!("{}: {}", tr(lang, "导入", "Import"), import.summary().get(lang));
    }
    say!(
        "{}: {} {}, {} {}",
        tr(lang, "工作区", "Workspace"),
        outcome.orders,
        tr(lang, "单", "orders"),
        outcome.customers.len(),
        tr(lang, "位客户", "customers")
    );
    if let Some(snapshot) = &outcome.snapshot {
        say!(
            "{} #{} ({} {})",
            tr(lang, "已保存快照", "Saved snapshot"),
            snapshot.id,
            tr(lang, "基准日", "as of"),
            snapshot.as_of
        );
    }
    for t in &outcome.classification.tiers {
        say!("  {:<4} {:>8} {:>14.2}", t.group, t.customers, yuan(t.revenue));
    }
    if let Some(m) = &outcome.migration {
        crate::history::print_counts(m, lang);
    }
    say!("{}: {}", tr(lang, "已写入", "Written"), args.out.display());
}

/// Key, tier, segment, province and city of every customer (of `region` only, when given), for `--json`.
fn assignments(outcome: &JobOutcome, region: Option<&str>) -> Vec<serde_json::Value> {
    let regions = &outcome.regions;
    outcome
        .customers
        .iter()
        .zip(&outcome.classification.assignments)
        .filter(|(c, _)| region.is_none_or(|p| regions.province(&c.key) == p))
        .map(|(c, a)| {
            let city = regions.get(&c.key).and_then(|r| r.city.as_deref());
            serde_json::json!({ "key": c.key, "tier": a.tier, "segment": a.segment,
                                "province": regions.province(&c.key), "city": city })
        })
        .collect()
}

/// `--region`: any spelling of a province (广东, 广东省, 内蒙古自治区) or 未知, as its normalised name.
fn province_arg(text: &str) -> Result<&'static str> {
    if text.trim() == region::UNKNOWN {
        return Ok(region::UNKNOWN);
    }
    region::normalize_province(text).ok_or_else(|| {
        Error::InvalidParams(format!(
            "--region “{text}” 不是省级行政区的名称。请写省份，如 广东、广东省、内蒙古、北京，或 未知。/ \
             --region needs a province of China, e.g. 广东, 内蒙古, 北京 (or 未知 for unknown)."
        ))
    })
}

fn print_summary(outcome: &JobOutcome, args: &Args, lang: Lang) {
    let (reports, c) = (&outcome.reports, &outcome.classification);
    let rows: u64 = reports.iter().map(|r| r.rows_read).sum();
    let (files, kept, customers) = (reports.len(), outcome.orders, c.assignments.len());
    match lang {
        Lang::Zh => {
            say!("导入 {files} 个文件：{rows} 行 → {kept} 笔有效订单，{customers} 位客户")
        }
        Lang::En => say!("Imported {files} file(s): {rows} rows → {kept} valid orders, {customers} customers"),
    }
    let mut seen = std::collections::BTreeSet::new();
    for report in reports {
        for w in &report.warnings {
            if seen.insert(w.text.get(lang)) {
                say!("{}: {}", tr(lang, "提示", "Note"), w.text.get(lang));
            }
        }
        let file = if reports.len() > 1 { format!("{} ", report.file) } else { String::new() };
        for s in &report.skipped {
            say!("{file}{} {}: {}", tr(lang, "跳过", "Skipped"), crate::inspect::skip_label(s.reason, lang), s.count);
        }
    }
    say!("{}: {}", tr(lang, "基准日", "As of"), c.as_of);
    say!(
        "{:<8} {:>10} {:>8} {:>16} {:>8} {:>12}",
        tr(lang, "分层", "Tier"),
        tr(lang, "客户数", "Customers"),
        tr(lang, "占比", "Share"),
        tr(lang, "消费金额(元)", "Revenue ¥"),
        tr(lang, "金额占比", "Share"),
        tr(lang, "客单价(元)", "AOV ¥"),
    );
    for t in &c.tiers {
        say!(
            "{:<8} {:>10} {:>7.1}% {:>16.2} {:>7.1}% {:>12.2}",
            t.group,
            t.customers,
            t.customer_share * 100.0,
            yuan(t.revenue),
            t.revenue_share * 100.0,
            yuan(t.aov)
        );
    }
    for note in &c.notes {
        say!("{}: {}", tr(lang, "说明", "Note"), note.get(lang));
    }
    if let Some(province) = args.region.as_deref().and_then(|p| province_arg(p).ok()) {
        let n = outcome.customers.iter().filter(|c| outcome.regions.province(&c.key) == province).count();
        say!("{}: {province} — {n} {}", tr(lang, "地区筛选", "Region"), tr(lang, "位客户", "customers"));
    }
    say!("{}: {}", tr(lang, "已写入", "Written"), args.out.display());
    if let Some(dir) = &args.csv_dir {
        say!("{}: {}", tr(lang, "分层 CSV 文件夹", "CSV folder"), dir.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_with_plus_is_a_combined_key() {
        assert_eq!(key_spec("买家ID"), KeySpec::Column("买家ID".into()));
        assert_eq!(key_spec("联系电话 + 收货人"), KeySpec::Combined(vec!["联系电话".into(), "收货人".into()]));
    }

    #[test]
    fn weights_accept_three_or_four_numbers_and_full_width_commas() {
        let w = weights("0.5，0.3,0.2").unwrap();
        assert_eq!((w.value, w.frequency, w.recency, w.interactions), (0.5, 0.3, 0.2, 0.0));
        assert!(weights("0.5,abc,0.2").is_err());
        assert_eq!(weights("1").unwrap_err().exit_code(), 3);
    }

    #[test]
    fn region_accepts_any_spelling_of_a_province_and_refuses_other_text() {
        assert_eq!(province_arg("广东省").unwrap(), "广东");
        assert_eq!(province_arg("内蒙古自治区").unwrap(), "内蒙古");
        assert_eq!(province_arg("未知").unwrap(), region::UNKNOWN);
        assert_eq!(province_arg("深圳").unwrap_err().exit_code(), 3);
    }

    /// `tierbook classify` arguments as clap parses them from a command line.
    fn parse(line: &[&str]) -> Args {
        #[derive(clap::Parser)]
        struct Line {
            #[command(flatten)]
            args: Args,
        }
        <Line as clap::Parser>::try_parse_from(["classify", "orders.csv", "--out", "out.xlsx"].iter().chain(line))
            .unwrap()
            .args
    }

    #[test]
    fn each_method_without_flags_is_the_catalogue_default_the_app_sends() {
        let catalogue = tierbook_core::catalogue::catalogue();
        let arg_names =
            ["abc", "abc-customers", "thresholds", "rfm", "rfm-cube", "rfm-segments", "composite", "abc-profit"];
        assert_eq!(arg_names.len(), catalogue.methods.len());
        for (arg, info) in arg_names.iter().zip(&catalogue.methods) {
            assert_eq!(method(&parse(&["--method", arg])).unwrap(), info.default, "--method {arg}");
        }
        assert_eq!(method(&parse(&[])).unwrap(), catalogue.methods[0].default, "no --method");
    }

    #[test]
    fn flags_override_the_defaults_and_the_fixed_basis_starts_from_the_catalogue() {
        let m = method(&parse(&["--method", "rfm", "--bins", "3"])).unwrap();
        assert_eq!(m, Method::RfmScores { bins: 3, a_min: 7, b_min: 5 });
        let m = method(&parse(&["--method", "rfm-cube", "--basis", "fixed", "--r-days", "60"])).unwrap();
        let CubeBasis::Fixed { f, m_yuan, .. } = catalogue::FIXED_CUBE_BASIS else { unreachable!() };
        assert_eq!(m, Method::RfmCube { basis: CubeBasis::Fixed { r_days: 60.0, f, m_yuan } });
        let m =
            method(&parse(&["--method", "thresholds", "--measure", "orders", "--a-min", "5", "--b-min", "2"])).unwrap();
        assert_eq!(m, Method::Thresholds { measure: Measure::Orders, a_min: 5.0, b_min: 2.0, c_min: None });
    }
}

//! `tierbook classify`: import one or more exports as one dataset, classify the customers with the
//! chosen method and write the tiered workbook (and optionally one CSV per tier).
//!
//! Parameters map one-to-one onto `tierbook_core::classify::Method`; this module adds only the
//! command-line defaults and the refusal to overwrite an input file.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::ValueEnum;
use tierbook_core::classify::{self, Classification, ClassifyParams, CubeBasis, Measure, Method, Weights, ZeroRevenue};
use tierbook_core::export::{self, ExportInput, ExportOptions};
use tierbook_core::import::{self, Dataset, ImportOptions};
use tierbook_core::mapping::KeySpec;
use tierbook_core::playbook::Playbook;
use tierbook_core::{customers, model::yuan, Error, Lang, Progress, Result};

use crate::progress::Bar;
use crate::term::say;
use crate::tr;

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
  composite      综合得分 0–100（--weights 价值,频次,近度,互动 如 0.4,0.3,0.2,0.1；--a-min 70 --b-min 40）

示例 / Examples:
  tierbook classify 订单导出.xlsx --out 客户分层.xlsx
  tierbook classify 1-3月.xlsx 3-5月.xlsx --out 客户分层.xlsx --csv-dir 分层名单
  tierbook classify 订单.csv --method rfm-cube --as-of 2025-07-01 --out 客户分层.xlsx
  tierbook classify 订单.xlsx --key 联系电话+收货人 --out 客户分层.xlsx      （手机号打码时）
  tierbook classify 客户表.xlsx --method thresholds --measure revenue --a-min 5000 --b-min 1000 --out 分层.xlsx

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
    /// thresholds 比较的指标 / the measure thresholds compare
    #[arg(long, value_enum, default_value = "monthly")]
    pub(crate) measure: MeasureArg,
    /// A 类下限（thresholds：元或单；rfm/composite：分）/ A minimum (yuan/orders or score)
    #[arg(long)]
    pub(crate) a_min: Option<f64>,
    /// B 类下限 / B minimum
    #[arg(long)]
    pub(crate) b_min: Option<f64>,
    /// C 类下限，低于它为 D 类（仅 thresholds）/ C minimum, below it D (thresholds only)
    #[arg(long)]
    pub(crate) c_min: Option<f64>,
    /// RFM 打分档数 3–5 / RFM score bins
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(3..=5))]
    pub(crate) bins: u8,
    /// RFM 八类的高低线：均值、中位数或固定值 / high/low line of the RFM cube
    #[arg(long, value_enum, default_value = "mean")]
    pub(crate) basis: BasisArg,
    /// 固定线：最近 N 天内消费算“近” / fixed basis: R high when recency ≤ N days
    #[arg(long, default_value_t = 30.0)]
    pub(crate) r_days: f64,
    /// 固定线：消费次数 ≥ F 算“高频” / fixed basis: F high when orders ≥ F
    #[arg(long, default_value_t = 3.0)]
    pub(crate) f: f64,
    /// 固定线：消费金额 ≥ M 元算“高额” / fixed basis: M high when revenue ≥ M yuan
    #[arg(long, default_value_t = 200.0)]
    pub(crate) m: f64,
    /// 综合得分权重：价值,频次,近度,互动 / composite weights value,frequency,recency,interactions
    #[arg(long, default_value = "0.4,0.3,0.2,0.1")]
    pub(crate) weights: String,
    /// 按人数分层时，零消费客户归入 C 或单独的 D / zero-revenue customers in C or D (abc-customers)
    #[arg(long, value_enum, default_value = "c")]
    pub(crate) zero_revenue: ZeroArg,
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
    /// 工作区文件：只导入新订单，对全部订单分层并保存快照 / workspace: import only what is new,
    /// classify all its orders and save a snapshot
    #[arg(long)]
    pub(crate) workspace: Option<PathBuf>,
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

/// The method and its parameters, with the command line's defaults.
pub(crate) fn method(args: &Args) -> Result<Method> {
    Ok(match args.method {
        MethodArg::Abc => Method::AbcRevenue { a_pct: args.a.unwrap_or(80.0), b_pct: args.b.unwrap_or(95.0) },
        MethodArg::AbcCustomers => Method::AbcCustomers {
            a_pct: args.a.unwrap_or(20.0),
            b_pct: args.b.unwrap_or(30.0),
            zero_revenue: match args.zero_revenue {
                ZeroArg::C => ZeroRevenue::C,
                ZeroArg::D => ZeroRevenue::D,
            },
        },
        MethodArg::Thresholds => Method::Thresholds {
            measure: match args.measure {
                MeasureArg::Revenue => Measure::Revenue,
                MeasureArg::Monthly => Measure::MonthlyRevenue,
                MeasureArg::Aov => Measure::Aov,
                MeasureArg::Orders => Measure::Orders,
            },
            // Seed 000's example: monthly average ≥ ¥1000 A, ¥500–1000 B.
            a_min: args.a_min.unwrap_or(1000.0),
            b_min: args.b_min.unwrap_or(500.0),
            c_min: args.c_min,
        },
        MethodArg::Rfm => {
            let (a_default, b_default) = classify::rfm_score_defaults(args.bins);
            Method::RfmScores {
                bins: args.bins,
                a_min: score(args.a_min, f64::from(a_default), "--a-min")?,
                b_min: score(args.b_min, f64::from(b_default), "--b-min")?,
            }
        }
        MethodArg::RfmCube => Method::RfmCube {
            basis: match args.basis {
                BasisArg::Mean => CubeBasis::Mean,
                BasisArg::Median => CubeBasis::Median,
                BasisArg::Fixed => CubeBasis::Fixed { r_days: args.r_days, f: args.f, m_yuan: args.m },
            },
        },
        MethodArg::RfmSegments => Method::RfmSegments { rules: classify::default_segment_rules() },
        MethodArg::Composite => Method::Composite {
            weights: weights(&args.weights)?,
            a_min: args.a_min.unwrap_or(70.0),
            b_min: args.b_min.unwrap_or(40.0),
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
        [v, f, r] => Ok(Weights { value: *v, frequency: *f, recency: *r, interactions: 0.0 }),
        [v, f, r, i] => Ok(Weights { value: *v, frequency: *f, recency: *r, interactions: *i }),
        _ => Err(bad_weights(text)),
    }
}

fn bad_weights(text: &str) -> Error {
    Error::InvalidParams(format!(
        "--weights “{text}” 应为 3 或 4 个用逗号分隔的数字，如 0.4,0.3,0.2,0.1（价值,频次,近度,互动）。/ \
         --weights needs 3 or 4 comma-separated numbers."
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

/// Refuses `--out` pointing at one of the inputs: the source file is never modified.
pub(crate) fn check_out(out: &Path, files: &[PathBuf]) -> Result<()> {
    let same = |f: &PathBuf| match (std::fs::canonicalize(out), std::fs::canonicalize(f)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if let Some(f) = files.iter().find(|f| same(f)) {
        return Err(Error::InvalidParams(format!(
            "--out {} 就是输入文件 {}，不能覆盖原始导出。请换一个文件名。/ --out is an input file; choose another name.",
            out.display(),
            f.display()
        )));
    }
    Ok(())
}

pub(crate) fn run(args: &Args, lang: Lang) -> Result<()> {
    if let Some(workspace) = &args.workspace {
        return crate::history::classify_into_workspace(args, workspace, lang);
    }
    check_out(&args.out, &args.files)?;
    let params = ClassifyParams { method: method(args)?, as_of: args.as_of, ..ClassifyParams::default() };
    let options = ImportOptions {
        sheet: args.sheet.clone(),
        header_row: args.header_row.map(|n| n - 1),
        key: args.key.as_deref().map(key_spec),
        ..ImportOptions::default()
    };
    let bar = Bar::new(lang);
    let result = pipeline(args, &options, &params, lang, &bar);
    bar.finish();
    let (dataset, classification) = result?;
    if args.json {
        let out = serde_json::json!({
            "out": args.out,
            "customers": classification.assignments.len(),
            "as_of": classification.as_of,
            "tiers": classification.tiers,
            "reports": dataset.reports,
        });
        println!("{}", crate::term::json(&out));
    } else {
        print_summary(&dataset, &classification, args, lang);
    }
    Ok(())
}

fn pipeline(
    args: &Args,
    options: &ImportOptions,
    params: &ClassifyParams,
    lang: Lang,
    progress: &dyn Progress,
) -> Result<(Dataset, Classification)> {
    let dataset = import::import_files(&args.files, options, progress)?;
    let customers = customers::aggregate(&dataset.orders);
    let classification = classify::classify(&customers, params)?;
    let playbook = Playbook::default();
    let input = ExportInput {
        customers: &customers,
        classification: &classification,
        playbook: &playbook,
        reports: &dataset.reports,
        migration: None,
    };
    let export_options = ExportOptions { lang, keep_phones: args.keep_phones, ..ExportOptions::default() };
    export::write_workbook(&args.out, &input, &export_options, progress)?;
    if let Some(dir) = &args.csv_dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::Write { path: dir.clone(), detail: e.to_string() })?;
        export::write_csv_per_tier(dir, &input, &export_options)?;
    }
    Ok((dataset, classification))
}

fn print_summary(dataset: &Dataset, c: &Classification, args: &Args, lang: Lang) {
    let rows: u64 = dataset.reports.iter().map(|r| r.rows_read).sum();
    let (files, kept, customers) = (dataset.reports.len(), dataset.orders.len(), c.assignments.len());
    match lang {
        Lang::Zh => {
            say!("导入 {files} 个文件：{rows} 行 → {kept} 笔有效订单，{customers} 位客户")
        }
        Lang::En => say!("Imported {files} file(s): {rows} rows → {kept} valid orders, {customers} customers"),
    }
    let mut seen = std::collections::BTreeSet::new();
    for report in &dataset.reports {
        for w in &report.warnings {
            if seen.insert(w.text.get(lang)) {
                say!("{}: {}", tr(lang, "提示", "Note"), w.text.get(lang));
            }
        }
        let file = if dataset.reports.len() > 1 { format!("{} ", report.file) } else { String::new() };
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
}

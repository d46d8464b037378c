//! `tierbook contacts`: the "本周该联系" list — whom to contact in a period, ranked, with the reason,
//! the action and the dates from each customer's purchase rhythm — printed, and written as a CSV for
//! SMS / 企业微信 tagging tools with `--out`.
//!
//! The list is the core's (`tierbook_core::contacts`); this module reads the files or the workspace,
//! classifies (the workspace's last method, or ABC by revenue), and prints.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::ValueEnum;
use tierbook_core::classify::{self, ClassifyParams};
use tierbook_core::contacts::{contact_list, ContactList, ContactOptions, Period};
use tierbook_core::customers::aggregate;
use tierbook_core::export::write_contacts_csv;
use tierbook_core::import::{import_files, ImportOptions};
use tierbook_core::rhythm::{self, OrderDays, RhythmThresholds};
use tierbook_core::store::Workspace;
use tierbook_core::{model::yuan, Error, Lang, NoProgress, Result};

use crate::lang::tr;
use crate::term::say;

pub(crate) const AFTER_HELP: &str = "\
示例 / Examples:
  本周该联系的客户 / whom to contact this week:
    tierbook contacts 订单导出.xlsx
  两周内，导出给短信 / 企业微信打标签工具（手机号打码）/ the next 2 weeks, as a CSV for tagging tools, phones masked:
    tierbook contacts 订单导出.xlsx --period 2weeks --out 联系名单.csv --mask-phone
  工作区（用最近一次分层的方法和保存的倍数）/ a workspace (its last method and saved thresholds):
    tierbook contacts --workspace 店铺.tierbook --period month --out 本月联系.csv

说明 / Notes:
  回购周期 = 每位客户相邻两个下单日之间间隔的中位数；只买过一次的客户按全店第二单的中位间隔。
  typical gap = the median gap between a customer's order days; one-time buyers get the shop's median.
  名单按分层（A 类优先），再按 客单价 × 逾期倍数 排序；已流失（≥ 4 倍）的客户默认不列出（--include-lapsed）。
  ranked by tier, then AOV × overdue ratio; lapsed customers (≥ 4×) are left out unless --include-lapsed.";

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 导出文件（用 --workspace 时不需要）/ export files (not with --workspace)
    pub(crate) files: Vec<PathBuf>,
    /// 工作区文件（只读）/ a workspace file (read only)
    #[arg(long)]
    pub(crate) workspace: Option<PathBuf>,
    /// 基准日 YYYY-MM-DD（默认：最后一笔订单的日期）/ as-of date (default: latest order date)
    #[arg(long)]
    pub(crate) as_of: Option<NaiveDate>,
    /// 时间段：week 本周（默认）、2weeks 两周内、month 本月 / the period
    #[arg(long, value_enum, default_value = "week")]
    pub(crate) period: PeriodArg,
    /// 状态倍数：该联系了,流失预警,已流失（默认 1,2,4 或工作区保存的）/ ratio thresholds due,at-risk,lapsed
    #[arg(long)]
    pub(crate) thresholds: Option<String>,
    /// 也列出已流失的客户 / also list lapsed customers
    #[arg(long)]
    pub(crate) include_lapsed: bool,
    /// 名单另存为 CSV / write the list as a CSV
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// 手机号打码（138****1234）/ mask phone numbers
    #[arg(long)]
    pub(crate) mask_phone: bool,
    /// 以 JSON 输出 / print JSON
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum PeriodArg {
    Week,
    #[value(name = "2weeks")]
    TwoWeeks,
    Month,
}

impl From<PeriodArg> for Period {
    fn from(p: PeriodArg) -> Period {
        match p {
            PeriodArg::Week => Period::Week,
            PeriodArg::TwoWeeks => Period::TwoWeeks,
            PeriodArg::Month => Period::Month,
        }
    }
}

fn thresholds(text: &str) -> Result<RhythmThresholds> {
    let parts: Vec<f64> = text
        .split([',', '，'])
        .map(|s| s.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad_thresholds(text))?;
    let [due, at_risk, lapsed] = parts[..] else { return Err(bad_thresholds(text)) };
    let t = RhythmThresholds { due, at_risk, lapsed };
    t.validate()?;
    Ok(t)
}

fn bad_thresholds(text: &str) -> Error {
    Error::InvalidParams(format!("--thresholds “{text}”应为三个从小到大的倍数，用逗号分隔，例如 1,2,4。"))
}

pub(crate) fn run(args: &Args, lang: Lang) -> Result<()> {
    let (customers, days, params, saved) = match &args.workspace {
        Some(path) => {
            if !args.files.is_empty() {
                return Err(Error::InvalidParams(
                    "用 --workspace 时请不要再给文件：名单按工作区里已导入的订单生成（导入请用 tierbook classify --workspace）。".into(),
                ));
            }
            let ws = Workspace::open(path)?;
            let method = ws.latest_snapshot()?.map(|s| s.method);
            let params = ClassifyParams {
                method: method.unwrap_or_else(|| ClassifyParams::default().method),
                ..ClassifyParams::default()
            };
            let saved: Option<RhythmThresholds> = ws.get_setting(RhythmThresholds::SETTING)?;
            (ws.customers()?, ws.order_days()?, params, saved)
        }
        None => {
            if args.files.is_empty() {
                return Err(Error::InvalidParams("请给出订单导出文件，或用 --workspace 指定工作区。".into()));
            }
            let dataset = import_files(&args.files, &ImportOptions::default(), &NoProgress)?;
            let customers = aggregate(&dataset.orders);
            (customers, OrderDays::from_orders(&dataset.orders), ClassifyParams::default(), None)
        }
    };
    let params = ClassifyParams { as_of: args.as_of, ..params };
    // The tiers the app shows for the saved method, which may weigh the purchase rhythm.
    let classification = if params.method.uses_rhythm() {
        classify::classify_with_rhythm(&customers, &params, &rhythm::typical_gaps(&customers, &days))?
    } else {
        classify::classify(&customers, &params)?
    };
    let t = match &args.thresholds {
        Some(text) => thresholds(text)?,
        None => saved.unwrap_or_default(),
    };
    let rhythms = rhythm::compute(&customers, &days, classification.as_of, t)?;
    let playbook = match &args.workspace {
        Some(path) => Workspace::open(path)?.playbook()?,
        None => Default::default(),
    };
    let options = ContactOptions { period: args.period.into(), include_lapsed: args.include_lapsed };
    let list = contact_list(&customers, &classification, &rhythms, &playbook, options)?;
    let written = match &args.out {
        Some(out) => Some(write_contacts_csv(out, &list, lang, !args.mask_phone)?),
        None => None,
    };
    if args.json {
        let out = serde_json::json!({
            "as_of": list.as_of,
            "until": list.until,
            "period": list.options.period,
            "thresholds": t,
            "shop_gap_days": rhythms.shop_gap_days,
            "out": written,
            "contacts": list.contacts,
        });
        println!("{}", crate::term::json(&out));
    } else {
        print_list(&list, lang, args.mask_phone);
        if let Some(path) = written {
            say!("{} {}", tr(lang, "名单已写入", "List written to"), path.display());
        }
    }
    Ok(())
}

/// At most this many rows are printed; the CSV has them all.
const PRINTED: usize = 30;

fn print_list(list: &ContactList, lang: Lang, mask: bool) {
    let title = list.options.period.title(lang);
    say!("{title}（{} – {}）：{} {}", list.as_of, list.until, list.contacts.len(), tr(lang, "位客户", "customers"));
    for c in list.contacts.iter().take(PRINTED) {
        let phone = match &c.phone {
            Some(p) if mask => tierbook_core::export::mask_phone(p),
            Some(p) => p.clone(),
            None => String::new(),
        };
        say!(
            "{:>3}. {} {} {} [{}] {} ¥{:.0}  {} {}",
            c.rank,
            c.tier.label(lang),
            c.key,
            c.name,
            c.state.label(lang),
            phone,
            yuan(c.value_at_stake),
            tr(lang, "联系日期", "contact on"),
            c.contact_on
        );
        say!("     {}", c.reason.get(lang));
        say!("     → {}（{}）", c.action.get(lang), c.channel.get(lang));
    }
    if list.contacts.len() > PRINTED {
        say!(
            "… {} {}",
            list.contacts.len() - PRINTED,
            tr(lang, "位未列出，用 --out 导出完整名单", "more; write the whole list with --out")
        );
    }
}

//! `tierbook campaign create|list|report|delete --workspace W`: campaigns stored in the workspace
//! (customers marked as contacted, a reproducible holdout) and their report after later imports.
//! The rules (window, uplift, return on cost, "too small to tell") are the core's `campaign` module.

use std::path::PathBuf;

use chrono::NaiveDate;
use tierbook_core::campaign::{self, Audience, Campaign, CampaignReport, CampaignSpec, GroupResult};
use tierbook_core::model::yuan;
use tierbook_core::store::Workspace;
use tierbook_core::{Error, Lang, Result, Tier};

use crate::lang::tr;
use crate::term::say;

pub(crate) const AFTER_HELP: &str = "\
示例 / Examples:
  给 A 类客户发券，留 20% 对照组 / a coupon for tier A with a 20 % holdout:
    tierbook campaign create --workspace 店铺.tierbook --tier A --name 双12回访 --date 2025-12-01 \\
        --channel 企业微信 --cost 20 --holdout 0.2 --seed 7
  按群组或客户名单 / by segment, or a list of customer IDs (one per line, or a CSV's first column):
    tierbook campaign create --workspace 店铺.tierbook --segment 重要价值客户 --name 回访 --date 2025-12-01
    tierbook campaign create --workspace 店铺.tierbook --keys 本周联系.csv --name 本周回访 --date 2025-12-01
  导入下个月的订单后看效果 / after importing the next month, the report:
    tierbook campaign report --workspace 店铺.tierbook 1 --days 30
  列出、删除 / list, delete:
    tierbook campaign list --workspace 店铺.tierbook
    tierbook campaign delete --workspace 店铺.tierbook 1

--tier / --segment 使用工作区最近一次保存的分层快照（tierbook classify --workspace 保存）。
--tier / --segment use the workspace's latest snapshot (saved by tierbook classify --workspace).";

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub(crate) action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub(crate) enum Action {
    /// 创建活动：把一批客户标记为已联系（可留对照组）/ Mark customers as contacted (optionally with a holdout)
    Create(CreateArgs),
    /// 列出活动 / List the campaigns
    List(WorkspaceArgs),
    /// 活动效果：联系组与对照组的回购、销售额和投入产出 / Contacted vs holdout: repurchase, revenue, return on cost
    Report(ReportArgs),
    /// 删除活动（订单和客户不受影响）/ Delete a campaign (orders and customers untouched)
    Delete(IdArgs),
}

#[derive(clap::Args, Debug)]
pub(crate) struct WorkspaceArgs {
    /// 工作区文件 / the workspace file
    #[arg(long)]
    pub(crate) workspace: PathBuf,
    /// 以 JSON 输出 / print JSON
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(clap::Args, Debug)]
pub(crate) struct IdArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArgs,
    /// 活动编号（见 campaign list）/ the campaign's id (see campaign list)
    pub(crate) id: i64,
}

#[derive(clap::Args, Debug)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArgs,
    /// 活动编号（见 campaign list）/ the campaign's id (see campaign list)
    pub(crate) id: i64,
    /// 活动后观察多少天 / days after the campaign date to look at
    #[arg(long, default_value_t = campaign::DEFAULT_WINDOW_DAYS)]
    pub(crate) days: u32,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("audience").required(true).args(["tier", "segment", "keys", "key"])))]
pub(crate) struct CreateArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArgs,
    /// 活动名称 / the campaign's name
    #[arg(long)]
    pub(crate) name: String,
    /// 联系日期（YYYY-MM-DD）/ the day the customers were contacted
    #[arg(long)]
    pub(crate) date: NaiveDate,
    /// 渠道，如 企业微信、短信 / channel, e.g. 企业微信, SMS
    #[arg(long, default_value = "")]
    pub(crate) channel: String,
    /// 每位联系客户的成本（元，如 20 元券）/ cost per contacted customer in yuan
    #[arg(long)]
    pub(crate) cost: Option<f64>,
    /// 对照组比例 0–0.9（如 0.2 = 20% 不联系）/ holdout share 0–0.9
    #[arg(long, default_value_t = 0.0)]
    pub(crate) holdout: f64,
    /// 对照组抽取的随机种子（默认由名称和日期得出）/ seed of the holdout draw (default: from name and date)
    #[arg(long)]
    pub(crate) seed: Option<u32>,
    /// 某一分层的全部客户 / every customer of a tier
    #[arg(long, value_parser = parse_tier)]
    pub(crate) tier: Option<Tier>,
    /// 某一群组（细分群组或客户类型）的全部客户 / every customer of a segment or RFM type
    #[arg(long)]
    pub(crate) segment: Option<String>,
    /// 客户ID 名单文件（每行一个，或 CSV 的第一列）/ a file of customer IDs (one per line, or a CSV's first column)
    #[arg(long)]
    pub(crate) keys: Option<PathBuf>,
    /// 单个客户ID（可重复）/ one customer ID (repeatable)
    #[arg(long)]
    pub(crate) key: Vec<String>,
}

fn parse_tier(s: &str) -> std::result::Result<Tier, String> {
    match s.trim().trim_end_matches('类').to_ascii_uppercase().as_str() {
        "A" => Ok(Tier::A),
        "B" => Ok(Tier::B),
        "C" => Ok(Tier::C),
        "D" => Ok(Tier::D),
        _ => Err(format!("“{s}”不是分层，请写 A、B、C 或 D / not a tier: use A, B, C or D")),
    }
}

pub(crate) fn run(args: &Args, lang: Lang) -> Result<()> {
    match &args.action {
        Action::Create(a) => create(a, lang),
        Action::List(a) => {
            let ws = Workspace::open(&a.workspace)?;
            let campaigns = ws.campaigns()?;
            if a.json {
                println!("{}", crate::term::json(&campaigns));
            } else {
                print_list(&campaigns, lang);
            }
            Ok(())
        }
        Action::Report(a) => {
            let ws = Workspace::open(&a.ws.workspace)?;
            let report = ws.campaign_report(a.id, a.days)?;
            if a.ws.json {
                println!("{}", crate::term::json(&report));
            } else {
                print_report(&report, lang);
            }
            Ok(())
        }
        Action::Delete(a) => {
            let mut ws = Workspace::open(&a.ws.workspace)?;
            let name = ws.campaign(a.id)?.spec.name;
            ws.delete_campaign(a.id)?;
            say!("{} #{} {}", tr(lang, "已删除活动", "Deleted campaign"), a.id, name);
            Ok(())
        }
    }
}

/// Customer IDs from a file: one per line, or the first column of a CSV/TSV; blank lines, `#`
/// comments and a header cell (客户ID, 买家ID, key, customer_id) are skipped.
fn read_keys(path: &PathBuf) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io { path: path.clone(), source: e })?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text
        .trim_start_matches('\u{feff}')
        .lines()
        .filter_map(|line| line.split([',', '\t']).next())
        .map(|cell| cell.trim().trim_matches('"').trim())
        .filter(|cell| {
            !cell.is_empty()
                && !cell.starts_with('#')
                && !matches!(cell.to_lowercase().as_str(), "客户id" | "买家id" | "key" | "customer_id" | "customer id")
        })
        .map(str::to_string)
        .collect())
}

fn create(a: &CreateArgs, lang: Lang) -> Result<()> {
    let mut ws = Workspace::open(&a.ws.workspace)?;
    let audience = match (&a.tier, &a.segment, &a.keys) {
        (Some(t), _, _) => Audience::Tier(*t),
        (_, Some(s), _) => Audience::Segment(s.clone()),
        (_, _, Some(file)) => Audience::Keys(read_keys(file)?.into_iter().chain(a.key.iter().cloned()).collect()),
        _ => Audience::Keys(a.key.clone()),
    };
    let keys = match &audience {
        Audience::Keys(keys) => keys.clone(),
        _ => {
            let latest = ws.load_latest()?.ok_or_else(|| {
                Error::InvalidParams(
                    "工作区还没有分层快照，无法按分层或群组选客户。请先运行 tierbook classify --workspace … 保存一次分层。"
                        .into(),
                )
            })?;
            campaign::audience_keys(&audience, &latest.customers, &latest.classification)?
        }
    };
    let cost_per_contact = match a.cost {
        Some(c) if !c.is_finite() || c < 0.0 => {
            return Err(Error::InvalidParams(format!("成本 {c} 无效，请填写不小于 0 的金额（元）。")))
        }
        Some(c) => Some((c * 100.0).round() as i64),
        None => None,
    };
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    let spec = CampaignSpec {
        name: a.name.trim().to_string(),
        date: a.date,
        channel: a.channel.trim().to_string(),
        cost_per_contact,
        holdout_share: a.holdout,
        seed: a.seed.unwrap_or_else(|| campaign::default_seed(&a.name, a.date)),
        audience: audience.describe(unique.len()),
    };
    let created = ws.create_campaign(&spec, &keys)?;
    if a.ws.json {
        println!("{}", crate::term::json(&created));
    } else {
        say!(
            "{} #{} {}: {} {}, {} {} ({} {})",
            tr(lang, "已创建活动", "Created campaign"),
            created.id,
            created.spec.name,
            tr(lang, "联系", "contacted"),
            created.contacted,
            tr(lang, "对照", "held out"),
            created.holdout,
            tr(lang, "种子", "seed"),
            created.spec.seed
        );
    }
    Ok(())
}

fn print_list(campaigns: &[Campaign], lang: Lang) {
    if campaigns.is_empty() {
        say!("{}", tr(lang, "还没有活动。", "No campaigns yet."));
        return;
    }
    say!(
        "{:>4}  {:<10}  {:<16} {:<10} {:<14} {:>6} {:>6} {:>10}",
        "#",
        tr(lang, "日期", "date"),
        tr(lang, "名称", "name"),
        tr(lang, "渠道", "channel"),
        tr(lang, "对象", "audience"),
        tr(lang, "联系", "contact"),
        tr(lang, "对照", "holdout"),
        tr(lang, "单人成本", "cost each")
    );
    for c in campaigns {
        say!(
            "{:>4}  {:<10}  {:<16} {:<10} {:<14} {:>6} {:>6} {:>10}",
            c.id,
            c.spec.date,
            c.spec.name,
            c.spec.channel,
            c.spec.audience,
            c.contacted,
            c.holdout,
            c.spec.cost_per_contact.map_or_else(|| "-".to_string(), |x| format!("¥{:.2}", yuan(x)))
        );
    }
}

fn print_report(r: &CampaignReport, lang: Lang) {
    let s = &r.campaign.spec;
    let channel = if s.channel.is_empty() { String::new() } else { format!(", {}", s.channel) };
    say!("{} #{} {} ({}{channel})", tr(lang, "活动", "Campaign"), r.campaign.id, s.name, s.date);
    say!(
        "{}: {} → {} ({} {})",
        tr(lang, "观察期", "Window"),
        r.window_start,
        r.window_end,
        r.window_days,
        tr(lang, "天", "days")
    );
    say!(
        "{:<12} {:>8} {:>8} {:>8} {:>8} {:>12}",
        "",
        tr(lang, "人数", "customers"),
        tr(lang, "回购", "bought"),
        tr(lang, "回购率", "rate"),
        tr(lang, "订单", "orders"),
        tr(lang, "销售额", "revenue")
    );
    let line = |name: &str, g: &GroupResult| {
        say!(
            "{:<12} {:>8} {:>8} {:>7.1}% {:>8} {:>12.2}",
            name,
            g.customers,
            g.buyers,
            g.repurchase_rate * 100.0,
            g.orders,
            yuan(g.revenue)
        );
    };
    line(tr(lang, "联系组", "contacted"), &r.contacted);
    if let Some(h) = &r.holdout {
        line(tr(lang, "对照组", "holdout"), h);
    }
    if let Some(u) = r.uplift_points {
        say!("{}: {:+.1} {}", tr(lang, "回购率提升", "Uplift"), u, tr(lang, "个百分点", "points"));
    }
    if let Some(cost) = r.cost {
        say!("{}: ¥{:.2}", tr(lang, "成本", "Cost"), yuan(cost));
    }
    if let Some(x) = r.return_on_cost {
        say!("{}: {:.2}", tr(lang, "投入产出比（销售额 ÷ 成本）", "Return on cost (revenue ÷ cost)"), x);
    }
    if let Some(inc) = r.incremental_revenue {
        say!("{}: ¥{:.2}", tr(lang, "增量销售额", "Incremental revenue"), inc / 100.0);
    }
    if let Some(x) = r.incremental_return {
        say!("{}: {:.2}", tr(lang, "增量投入产出比", "Incremental return on cost"), x);
    }
    say!("{}", r.conclusion.get(lang));
}

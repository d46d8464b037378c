//! `tierbook history --workspace W` lists a workspace's snapshots, and `--compare OLD NEW` prints the
//! migration matrix and the mover counts. (`tierbook classify --workspace W FILE…`, which imports what
//! is new, classifies, saves the snapshot and writes the workbook with the 分层变化 / Migration sheet,
//! is the core's one job; see `classify.rs`.)

use std::path::PathBuf;

use tierbook_core::classify::Method;
use tierbook_core::history::{Flow, Migration, Move};
use tierbook_core::model::yuan;
use tierbook_core::store::{SnapshotInfo, Workspace};
use tierbook_core::{Lang, Result, Tier};

use crate::lang::tr;
use crate::term::say;

pub(crate) const AFTER_HELP: &str = "\
示例 / Examples:
  每月导入并保存分层快照 / import each month and keep a snapshot:
    tierbook classify --workspace 店铺.tierbook 1-3月.xlsx --out 三月分层.xlsx
    tierbook classify --workspace 店铺.tierbook 3-5月.xlsx --out 五月分层.xlsx
  列出快照 / list the snapshots:
    tierbook history --workspace 店铺.tierbook
  比较两次快照 / compare two snapshots:
    tierbook history --workspace 店铺.tierbook --compare 1 2";

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 工作区文件 / the workspace file
    #[arg(long)]
    pub(crate) workspace: PathBuf,
    /// 比较两次快照（编号见列表）/ compare two snapshots by id
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"])]
    pub(crate) compare: Option<Vec<i64>>,
    /// 以 JSON 输出 / print JSON
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(args: &Args, lang: Lang) -> Result<()> {
    let ws = Workspace::open(&args.workspace)?;
    match args.compare.as_deref() {
        Some([old, new]) => {
            let migration = ws.compare(*old, *new, &ws.playbook()?)?;
            if args.json {
                println!("{}", crate::term::json(&migration));
            } else {
                print_migration(&migration, lang);
            }
        }
        _ => {
            let snapshots = ws.snapshots()?;
            if args.json {
                println!("{}", crate::term::json(&snapshots));
            } else {
                print_snapshots(&snapshots, ws.order_count()?, ws.sources()?.len(), lang);
            }
        }
    }
    Ok(())
}

fn method_name(method: &Method, lang: Lang) -> &'static str {
    match method {
        Method::AbcRevenue { .. } => tr(lang, "ABC（按金额贡献）", "ABC by revenue"),
        Method::AbcCustomers { .. } => tr(lang, "ABC（按客户人数）", "ABC by customers"),
        Method::Thresholds { .. } => tr(lang, "固定金额线", "thresholds"),
        Method::RfmScores { .. } => tr(lang, "RFM 打分", "RFM scores"),
        Method::RfmCube { .. } => tr(lang, "RFM 八类客户", "RFM 8-type cube"),
        Method::RfmSegments { .. } => tr(lang, "RFM 分群", "RFM segments"),
        Method::Composite { .. } => tr(lang, "综合得分", "composite score"),
        Method::AbcProfit { .. } => tr(lang, "ABC（按利润贡献）", "ABC by profit"),
    }
}

fn print_snapshots(snapshots: &[SnapshotInfo], orders: u64, sources: usize, lang: Lang) {
    say!(
        "{}: {} {}, {} {}",
        tr(lang, "工作区", "Workspace"),
        sources,
        tr(lang, "个导入文件", "imported file(s)"),
        orders,
        tr(lang, "单", "orders")
    );
    if snapshots.is_empty() {
        say!("{}", tr(lang, "还没有分层快照。", "No snapshots yet."));
        return;
    }
    say!(
        "{:>4}  {:<10}  {:<20} {:>8} {:>14}  {}",
        "#",
        tr(lang, "基准日", "as of"),
        tr(lang, "方法", "method"),
        tr(lang, "客户", "customers"),
        tr(lang, "金额(元)", "revenue ¥"),
        tr(lang, "各类客户数", "per tier")
    );
    for s in snapshots {
        let tiers: Vec<String> = s.tiers.iter().map(|t| format!("{} {}", t.group, t.customers)).collect();
        say!(
            "{:>4}  {:<10}  {:<20} {:>8} {:>14.2}  {}{}",
            s.id,
            s.as_of,
            method_name(&s.method, lang),
            s.customers,
            yuan(s.revenue),
            tiers.join(" / "),
            s.label.as_deref().map(|l| format!("  « {l} »")).unwrap_or_default()
        );
    }
}

pub(crate) fn print_counts(m: &Migration, lang: Lang) {
    say!(
        "{} #{} → #{}: {} {}, {} {}, {} {}, {} {}",
        tr(lang, "分层变化", "Migration"),
        m.old_snapshot,
        m.new_snapshot,
        tr(lang, "升级", "upgraded"),
        m.upgraded.len(),
        tr(lang, "降级", "downgraded"),
        m.downgraded.len(),
        tr(lang, "新客户", "new"),
        m.new.len(),
        tr(lang, "流失", "lost"),
        m.lost.len()
    );
}

fn print_migration(m: &Migration, lang: Lang) {
    say!("{} {} → {}", tr(lang, "基准日", "As of"), m.old_as_of, m.new_as_of);
    let used = |pick: fn(&Flow) -> Option<Tier>| -> Vec<Tier> {
        Tier::ALL.into_iter().filter(|t| m.flows.iter().any(|f| pick(f) == Some(*t))).collect()
    };
    let from_tiers = used(|f| f.from);
    let to_tiers = used(|f| f.to);
    let cell = |from: Option<Tier>, to: Option<Tier>| {
        m.flows.iter().find(|f| f.from == from && f.to == to).map_or(0, |f| f.customers)
    };
    let mut header = format!("{:<10}", tr(lang, "原 \\ 现", "from \\ to"));
    for t in &to_tiers {
        header.push_str(&format!("{:>10}", t.label(lang)));
    }
    header.push_str(&format!("{:>10}", tr(lang, "流失", "lost")));
    say!("{header}");
    let rows: Vec<Option<Tier>> = from_tiers.iter().copied().map(Some).chain([None]).collect();
    for from in rows {
        let name = from.map_or_else(|| tr(lang, "新客户", "new").to_string(), |t| t.label(lang));
        let mut line = format!("{name:<10}");
        for t in &to_tiers {
            line.push_str(&format!("{:>10}", cell(from, Some(*t))));
        }
        line.push_str(&format!("{:>10}", if from.is_some() { cell(from, None).to_string() } else { "-".into() }));
        say!("{line}");
    }
    print_counts(m, lang);
    let top = |title: &str, moves: &[Move]| {
        if moves.is_empty() {
            return;
        }
        say!("{title}:");
        for mv in moves.iter().take(5) {
            let tier = |t: Option<Tier>| t.map_or("-", Tier::letter);
            say!(
                "  {} {} {}→{} ¥{:.2}  {}",
                mv.key,
                mv.name,
                tier(mv.from),
                tier(mv.to),
                yuan(mv.revenue),
                mv.action.get(lang)
            );
        }
        if moves.len() > 5 {
            say!("  … {} {}", moves.len() - 5, tr(lang, "位未列出", "more"));
        }
    };
    top(tr(lang, "降级（优先跟进）", "Downgraded (follow up first)"), &m.downgraded);
    top(tr(lang, "流失", "Lost"), &m.lost);
    top(tr(lang, "升级", "Upgraded"), &m.upgraded);
    top(tr(lang, "新客户", "New"), &m.new);
}

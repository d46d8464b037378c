//! `tierbook customers`: the customers of one or more exports, filtered by what they bought
//! (`--bought 文字`: a product name or SKU containing the text), printed with their tier, favourite
//! and last product, and written as a CSV list with `--out`.
//!
//! The figures are the core's (`products`; tiers by ABC by revenue); this module reads the files and
//! prints.

use std::path::PathBuf;

use tierbook_core::classify::{self, ClassifyParams};
use tierbook_core::costs::CostTable;
use tierbook_core::customers::aggregate;
use tierbook_core::export::write_buyers_csv;
use tierbook_core::import::{import_files, ImportOptions};
use tierbook_core::model::Customer;
use tierbook_core::products::{ProductLookup, FAVOURITES};
use tierbook_core::store::Workspace;
use tierbook_core::{model::yuan, Error, Lang, NoProgress, Result};

use crate::lang::tr;
use crate::term::say;

pub(crate) const AFTER_HELP: &str = "\
示例 / Examples:
  买过含“普洱”商品的客户 / customers who bought a product containing 普洱:
    tierbook customers 订单导出.xlsx --bought 普洱
  导出名单（CSV，给短信 / 企业微信打标签工具）/ as a CSV list for tagging tools:
    tierbook customers 订单导出.xlsx --bought 普洱 --out 普洱客户.csv
  工作区里的全部客户 / every customer of a workspace:
    tierbook customers --workspace 店铺.tierbook --bought 普洱";

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// 导出文件（视为同一批数据）/ export files (one dataset)
    #[arg(required_unless_present = "workspace")]
    pub(crate) files: Vec<PathBuf>,
    /// 工作区文件：先导入新订单，再列出工作区全部客户 / workspace: import what is new, then list all its customers
    #[arg(long)]
    pub(crate) workspace: Option<PathBuf>,
    /// 只列出买过商品名称或 SKU 含此文字的客户 / only customers who bought a product whose name or SKU contains this
    #[arg(long)]
    pub(crate) bought: Option<String>,
    /// 成本表（商品名称或 SKU、成本价）/ cost table (product name or SKU, unit cost)
    #[arg(long)]
    pub(crate) cost_table: Option<PathBuf>,
    /// 名单另存为 CSV / write the list as a CSV
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// 最多打印几行（默认 20）/ rows to print (default 20)
    #[arg(long, default_value_t = 20)]
    pub(crate) limit: usize,
}

pub(crate) fn run(args: &Args, lang: Lang) -> Result<()> {
    if let Some(out) = &args.out {
        if args.files.iter().any(|f| tierbook_core::paths::same_file(out, f)) {
            return Err(Error::OutputIsInput { output: out.clone(), input: out.clone(), what: "输入文件".into() });
        }
        if let Some(ws) = args.workspace.as_ref().filter(|ws| tierbook_core::paths::same_file(out, ws)) {
            return Err(Error::OutputIsInput { output: out.clone(), input: ws.clone(), what: "工作区".into() });
        }
    }
    let (customers, products) = match &args.workspace {
        Some(path) => from_workspace(path, args)?,
        None => {
            let mut data = import_files(&args.files, &ImportOptions::default(), &NoProgress)?;
            if let Some(path) = &args.cost_table {
                CostTable::read(path)?.apply(&mut data.orders);
            }
            (aggregate(&data.orders), ProductLookup::from_orders(&data.orders))
        }
    };
    let classification = classify::classify(&customers, &ClassifyParams::default())?;
    let text = args.bought.as_deref().unwrap_or("");
    let hits: Vec<usize> =
        (0..customers.len()).filter(|&i| products.bought_containing(&customers[i].key, text)).collect();
    if products.is_empty() && !text.is_empty() {
        say!(
            "{}",
            tr(
                lang,
                "文件中没有商品名称列，无法按商品筛选。",
                "The files have no product column; nothing to filter by."
            )
        );
    }
    say!("{}: {} / {}", tr(lang, "客户", "Customers"), hits.len(), customers.len());
    let mut shown = hits.clone();
    shown.sort_by(|&a, &b| {
        customers[b].revenue.cmp(&customers[a].revenue).then_with(|| customers[a].key.cmp(&customers[b].key))
    });
    for &i in shown.iter().take(args.limit) {
        let c = &customers[i];
        let p = products.of(&c.key);
        let favourites = p.map(|p| p.favourites(FAVOURITES).collect::<Vec<_>>().join("、")).unwrap_or_default();
        say!(
            "  {}  {}  ¥{:.2}  {}  {}",
            crate::term::clean(&c.key),
            classification.assignments[i].tier.label(lang),
            yuan(c.revenue),
            crate::term::clean(&favourites),
            crate::term::clean(p.and_then(|p| p.last.as_deref()).unwrap_or(""))
        );
    }
    if let Some(out) = &args.out {
        let n = write_buyers_csv(out, &customers, &classification, &products, text, lang)?;
        say!("{}: {} ({n})", tr(lang, "已写入", "Written"), out.display());
    }
    Ok(())
}

/// The customers and products of a workspace, after importing `args.files` into it and adding
/// `--cost-table` to its cost table (one transaction: all of it or none).
fn from_workspace(path: &std::path::Path, args: &Args) -> Result<(Vec<Customer>, ProductLookup)> {
    let mut ws = Workspace::open(path)?;
    // The command line reads the clock (for the import date); the core never does.
    let now = chrono::Local::now().naive_local();
    let mut tx = ws.begin()?;
    if !args.files.is_empty() {
        tx.import(&args.files, &ImportOptions::default(), now, &NoProgress)?;
    }
    if let Some(table) = &args.cost_table {
        tx.save_cost_table(&CostTable::read(table)?, now)?;
    }
    let stored = tx.products()?;
    let mut customers = tx.customers()?;
    stored.fill_profit(&mut customers);
    tx.commit()?;
    Ok((customers, stored.lookup))
}

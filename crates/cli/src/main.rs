//! `tierbook`: inspect and classify store exports from the command line, on the same core as the
//! desktop app. One module per subcommand; this file only parses arguments, dispatches and turns
//! errors into the documented exit codes.

mod campaign;
mod classify;
mod contacts;
mod customers;
mod generate;
mod history;
mod inspect;
mod lang;
mod memory;
mod progress;
mod term;
mod window;
mod workspace;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tierbook_core::{Error, Lang};

const AFTER_HELP: &str = "\
示例 / Examples:
  查看文件能否识别 / check a file:
    tierbook inspect 订单导出.xlsx
  按贡献分 ABC 三类并导出分层表 / ABC by revenue, write the tiered workbook:
    tierbook classify 订单导出.xlsx --out 客户分层.xlsx
  两个时间段重叠的导出合并计算（重复订单只算一次）/ two overlapping exports as one dataset:
    tierbook classify 1-3月.xlsx 3-5月.xlsx --out 客户分层.xlsx
  RFM 八类客户 / the RFM 8-type cube:
    tierbook classify 订单导出.xlsx --method rfm-cube --out 客户分层.xlsx
  备份工作区 / back a workspace up:
    tierbook workspace backup --workspace 店铺.tierbook --out 店铺-备份.tierbook
  本周该联系的客户，导出给打标签工具 / whom to contact this week, as a CSV for tagging tools:
    tierbook contacts 订单导出.xlsx --out 联系名单.csv --mask-phone
  生成 10 万单测试数据 / generate 100,000 test orders:
    tierbook generate --layout wechat --orders 100000 --seed 1 --out 测试订单.xlsx

退出码 / Exit codes:
  0    成功 / ok
  1    命令用法错误 / usage error (unknown option, missing argument)
  2    输入文件有问题（空文件、不是表格、找不到表头或金额列…）/ bad input file
  3    参数无效（分层参数、不存在的工作表或列）/ bad parameters
  4    无法写入结果文件或工作区 / write or workspace failure
  130  已取消（Ctrl+C）/ cancelled";

/// 客户分层助手 TierBook：把店铺导出的订单表分成 A/B/C 类客户，并生成分层表。
/// Split a shop's customers into tiers from its order export, and write a tiered workbook.
#[derive(Parser, Debug)]
#[command(name = "tierbook", version, after_help = AFTER_HELP)]
struct Cli {
    /// 输出语言 / language of messages and reports
    #[arg(long, value_enum, global = true, default_value = "zh")]
    lang: LangArg,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 查看文件：格式、工作表、表头、列的识别结果和导入报告 / Look at a file: format, sheets, header, column roles, import report
    #[command(after_help = inspect::AFTER_HELP)]
    Inspect(inspect::Args),
    /// 客户分层并导出分层表 / Classify customers and write the tiered workbook
    #[command(after_help = classify::AFTER_HELP)]
    Classify(Box<classify::Args>),
    /// 生成测试用的店铺导出文件 / Generate a synthetic store export (tests, benchmarks, demos)
    #[command(after_help = generate::AFTER_HELP)]
    Generate(generate::Args),
    /// 工作区的分层快照与分层变化 / Snapshots of a workspace and the tier changes between two
    #[command(after_help = history::AFTER_HELP)]
    History(history::Args),
    /// 工作区（店铺）的备份、恢复与列表 / Back up, restore and list workspaces (shops)
    #[command(after_help = workspace::AFTER_HELP)]
    Workspace(workspace::Args),
    /// 本周该联系：按回购节奏列出该联系的客户，可导出 CSV / Whom to contact this week, from each customer's purchase rhythm
    #[command(after_help = contacts::AFTER_HELP)]
    Contacts(contacts::Args),
    /// 按购买的商品筛选客户，可导出名单 / Customers filtered by what they bought, as a list
    #[command(after_help = customers::AFTER_HELP)]
    Customers(customers::Args),
    /// 营销活动：标记已联系的客户（可留对照组）并查看效果 / Campaigns: mark customers as contacted, with a holdout, and see what worked
    #[command(after_help = campaign::AFTER_HELP)]
    Campaign(campaign::Args),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

/// Prints a core error and returns its exit code. The core's messages are Chinese; in English the
/// error's title and what to do come first, and the Chinese message (which names the columns, the
/// row …) follows as the detail.
fn report_error(err: &Error, lang: Lang) -> ExitCode {
    match lang {
        Lang::Zh => term::say_err!("错误 / error [{}]: {err}", err.code()),
        Lang::En => {
            let code = err.code();
            let path = err.path().map(|p| format!(" ({})", p.display())).unwrap_or_default();
            term::say_err!("error [{code}]: {}{path}. {}", code.title().en, code.hint().en);
            term::say_err!("详情 / detail: {err}");
        }
    }
    if let Some(cause) = err.cause() {
        term::say_err!("原因 / cause: {cause}");
    }
    let code = err.exit_code();
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Output piped into `head` or a pager that quits: the process ends the way other command-line
/// tools do (SIGPIPE's default), not with a panic and a backtrace ("failed printing to stdout") —
/// Rust ignores SIGPIPE unless told otherwise. Nothing is lost by it: a job prints to stdout only
/// after its outputs and its workspace transaction are committed (progress goes to stderr).
fn quiet_on_closed_output() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    quiet_on_closed_output();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; every real usage error exits with 1, as documented.
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let lang = Lang::from(cli.lang);
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args, lang),
        Command::Classify(args) => classify::run(&args, lang),
        Command::Generate(args) => generate::run(&args, lang),
        Command::History(args) => history::run(&args, lang),
        Command::Workspace(args) => workspace::run(&args, lang),
        Command::Contacts(args) => contacts::run(&args, lang),
        Command::Campaign(args) => campaign::run(&args, lang),
        Command::Customers(args) => customers::run(&args, lang),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error(&e, lang),
    }
}

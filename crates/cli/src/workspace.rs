//! `tierbook workspace backup|restore|list`: a workspace backed up to one file with SQLite's online
//! backup, restored from such a file after it proved sound (never over an existing workspace unless
//! `--replace`, which keeps a copy of it first), and the shops (workspaces) of a folder.

use std::path::PathBuf;

use tierbook_core::store::backup::{self, Existing};
use tierbook_core::store::{shops, BackupInfo, Workspace};
use tierbook_core::{Error, Lang, Result};

use crate::lang::tr;
use crate::term::say;

pub(crate) const AFTER_HELP: &str = "\
示例 / Examples:
  备份工作区 / back a workspace up:
    tierbook workspace backup --workspace 店铺.tierbook --out 店铺-备份.tierbook
  恢复为新的工作区 / restore into a new workspace:
    tierbook workspace restore --from 店铺-备份.tierbook --workspace 恢复的店铺.tierbook
  用备份替换现有工作区（先自动备份现有的）/ replace a workspace (a copy of it is kept first):
    tierbook workspace restore --from 店铺-备份.tierbook --workspace 店铺.tierbook --replace
  列出一个文件夹里的店铺 / list the shops of a folder (the app's data folder):
    tierbook workspace list --dir ~/.local/share/com.tierbook.app";

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// 把工作区备份到一个文件 / Back a workspace up to one file
    Backup {
        /// 要备份的工作区文件 / the workspace file
        #[arg(long)]
        workspace: PathBuf,
        /// 备份文件 / the backup file to write
        #[arg(long)]
        out: PathBuf,
        /// 覆盖已存在的备份文件 / overwrite an existing backup file
        #[arg(long)]
        force: bool,
    },
    /// 从备份文件恢复工作区 / Restore a workspace from a backup file
    Restore {
        /// 备份文件 / the backup file
        #[arg(long)]
        from: PathBuf,
        /// 恢复到的工作区文件（不能已存在，除非 --replace）/ the workspace file to restore into
        #[arg(long)]
        workspace: PathBuf,
        /// 替换已存在的工作区（先把它备份到旁边的 .bak 文件）/ replace an existing workspace, keeping a .bak copy of it first
        #[arg(long)]
        replace: bool,
    },
    /// 列出文件夹中的店铺（工作区）/ List the shops (workspaces) in a folder
    List {
        /// 文件夹，例如桌面程序的数据文件夹 / the folder, e.g. the desktop app's data folder
        #[arg(long)]
        dir: PathBuf,
        /// 以 JSON 输出 / print JSON
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(args: &Args, lang: Lang) -> Result<()> {
    match &args.command {
        Action::Backup { workspace, out, force } => {
            if !workspace.is_file() {
                return Err(Error::WorkspaceNotFound { path: workspace.clone() });
            }
            if out.exists() && !force {
                return Err(Error::Write {
                    path: out.clone(),
                    detail: "文件已存在；要覆盖请加 --force / the file exists; add --force to overwrite".into(),
                });
            }
            Workspace::open(workspace)?.backup_to(out)?;
            let info = backup::inspect(out)?;
            say!("{} {}", tr(lang, "已备份到", "Backed up to"), out.display());
            print_info(&info, lang);
        }
        Action::Restore { from, workspace, replace } => {
            let keep = backup::safety_copy_path(workspace, chrono::Local::now().naive_local());
            let existing = if *replace { Existing::ReplaceKeeping(&keep) } else { Existing::Refuse };
            let outcome = backup::restore(from, workspace, existing)?;
            say!("{} {}", tr(lang, "已恢复到", "Restored into"), outcome.path);
            print_info(&outcome.info, lang);
            if let Some(kept) = &outcome.kept {
                say!(
                    "{} {kept}",
                    tr(lang, "被替换的工作区已先备份到", "The replaced workspace was first backed up to")
                );
            }
        }
        Action::List { dir, json } => {
            let list = shops::list(dir)?;
            if *json {
                println!("{}", crate::term::json(&list));
            } else if list.is_empty() {
                say!("{} {}", tr(lang, "没有店铺：", "No shops in"), dir.display());
            } else {
                for shop in &list {
                    let state = if shop.readable { "" } else { tr(lang, "（无法读取）", " (unreadable)") };
                    say!("{}\t{}\t{:.1} MB{state}", shop.name, shop.file, shop.size as f64 / 1e6);
                }
            }
        }
    }
    Ok(())
}

fn print_info(info: &BackupInfo, lang: Lang) {
    if let Some(name) = &info.shop_name {
        say!("{}: {name}", tr(lang, "店铺", "Shop"));
    }
    say!(
        "{} {}, {} {}, {} {}, {} {}",
        info.sources,
        tr(lang, "个导入文件", "imported file(s)"),
        info.orders,
        tr(lang, "单", "orders"),
        info.customers,
        tr(lang, "位客户", "customers"),
        info.snapshots,
        tr(lang, "个快照", "snapshot(s)"),
    );
}

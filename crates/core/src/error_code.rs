//! The closed set of error codes a user can meet, with a short title and advice in both languages.
//!
//! `Error::code()` returns one of these; the desktop shell adds the few only it raises (`busy`,
//! `internal`, …) and the UI the two it raises itself (`not_in_app`, `unknown`). The codes cross
//! IPC as snake_case strings and reach TypeScript as a union type through the generated bindings;
//! the words reach the UI through the catalogue (`catalogue::catalogue().errors`), so no code and
//! no translation of one is written by hand in the UI. Adding a variant without words fails to
//! compile ([`ErrorCode::title`] and [`ErrorCode::hint`] match exhaustively).

use serde::{Deserialize, Serialize};

use crate::model::Text;

/// Declares the enum and [`ErrorCode::ALL`] from one list, so the list cannot miss a variant.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident),+ $(,)?) => {
        /// A stable machine-readable error code, e.g. `empty_file`; the UI branches and translates on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in declaration order (core codes, then the shell's, then the UI's).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];
        }
    };
}

error_codes! {
    /// The file could not be opened or read at all.
    Io,
    /// The file has zero bytes.
    EmptyFile,
    /// Not a spreadsheet or text table.
    NotSpreadsheet,
    /// A damaged or cut-off spreadsheet.
    Corrupt,
    /// A workbook with an opening password.
    Encrypted,
    /// The requested sheet does not exist.
    SheetNotFound,
    /// No header row found.
    NoHeader,
    /// A header without data rows.
    NoDataRows,
    /// No amount column.
    NoAmountColumn,
    /// No customer key column.
    NoKeyColumn,
    /// No order date column.
    NoDateColumn,
    /// A column the user named does not exist.
    ColumnNotFound,
    /// No amount cell could be read.
    AmountsUnreadable,
    /// An abnormally large cell.
    CellTooLarge,
    /// A file larger than the reader's budgets (cells, text, declared sizes).
    FileTooLarge,
    /// An output would be written over an input file, the open workspace or one of its companion files.
    OutputIsInput,
    /// The workspace file failed its integrity check; nothing was written to it.
    WorkspaceDamaged,
    /// No order survived the status and refund rules.
    NoValidOrders,
    /// Classification parameters that cannot work.
    InvalidParams,
    /// Nothing to classify yet.
    NoCustomers,
    /// A profit-based method without any known cost: add a cost or profit column, or a cost table.
    NoCost,
    /// The orders name no products (no 商品名称 / 宝贝标题 / SKU column was imported).
    NoProducts,
    /// The user cancelled.
    Cancelled,
    /// Writing a workbook, CSV or app file failed.
    Write,
    /// Not a TierBook workspace, or a damaged one.
    NotAWorkspace,
    /// A workspace from a newer TierBook.
    WorkspaceTooNew,
    /// A snapshot id that does not exist.
    SnapshotNotFound,
    /// An imported source id that does not exist.
    SourceNotFound,
    /// Any other storage failure.
    Store,
    /// The file to restore from is not a TierBook backup.
    NotABackup,
    /// A backup from a newer TierBook.
    BackupTooNew,
    /// A backup that is cut off or fails the integrity check.
    BackupDamaged,
    /// The restore target (or a new shop's file) already exists.
    WorkspaceExists,
    /// A workspace (shop) file that is not there.
    WorkspaceNotFound,
    /// Another shop already has the name.
    ShopNameTaken,
    /// A shop name that cannot be used.
    InvalidShopName,
    /// Shell: a customer key that is not in the current classification.
    CustomerNotFound,
    /// Shell: the file manager could not be opened on a file.
    RevealFailed,
    /// Shell: another long job (import, export) is still running.
    Busy,
    /// Shell: a worker thread died or Tauri failed (a bug, never the user's data).
    Internal,
    /// UI: the page runs outside the desktop app.
    NotInApp,
    /// UI: a failure that did not arrive as an error with a code (a plugin's plain text, an older shell).
    Unknown,
}

impl ErrorCode {
    /// The snake_case code as it crosses IPC: `"empty_file"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Io => "io",
            ErrorCode::EmptyFile => "empty_file",
            ErrorCode::NotSpreadsheet => "not_spreadsheet",
            ErrorCode::Corrupt => "corrupt",
            ErrorCode::Encrypted => "encrypted",
            ErrorCode::SheetNotFound => "sheet_not_found",
            ErrorCode::NoHeader => "no_header",
            ErrorCode::NoDataRows => "no_data_rows",
            ErrorCode::NoAmountColumn => "no_amount_column",
            ErrorCode::NoKeyColumn => "no_key_column",
            ErrorCode::NoDateColumn => "no_date_column",
            ErrorCode::ColumnNotFound => "column_not_found",
            ErrorCode::AmountsUnreadable => "amounts_unreadable",
            ErrorCode::CellTooLarge => "cell_too_large",
            ErrorCode::FileTooLarge => "file_too_large",
            ErrorCode::OutputIsInput => "output_is_input",
            ErrorCode::WorkspaceDamaged => "workspace_damaged",
            ErrorCode::NoValidOrders => "no_valid_orders",
            ErrorCode::InvalidParams => "invalid_params",
            ErrorCode::NoCustomers => "no_customers",
            ErrorCode::NoCost => "no_cost",
            ErrorCode::NoProducts => "no_products",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Write => "write",
            ErrorCode::NotAWorkspace => "not_a_workspace",
            ErrorCode::WorkspaceTooNew => "workspace_too_new",
            ErrorCode::SnapshotNotFound => "snapshot_not_found",
            ErrorCode::SourceNotFound => "source_not_found",
            ErrorCode::Store => "store",
            ErrorCode::NotABackup => "not_a_backup",
            ErrorCode::BackupTooNew => "backup_too_new",
            ErrorCode::BackupDamaged => "backup_damaged",
            ErrorCode::WorkspaceExists => "workspace_exists",
            ErrorCode::WorkspaceNotFound => "workspace_not_found",
            ErrorCode::ShopNameTaken => "shop_name_taken",
            ErrorCode::InvalidShopName => "invalid_shop_name",
            ErrorCode::CustomerNotFound => "customer_not_found",
            ErrorCode::RevealFailed => "reveal_failed",
            ErrorCode::Busy => "busy",
            ErrorCode::Internal => "internal",
            ErrorCode::NotInApp => "not_in_app",
            ErrorCode::Unknown => "unknown",
        }
    }

    /// What went wrong, in a few words: "文件是空的" / "The file is empty".
    pub fn title(self) -> Text {
        let t = Text::new;
        match self {
            ErrorCode::Io => t("无法读取文件", "Cannot read the file"),
            ErrorCode::EmptyFile => t("文件是空的", "The file is empty"),
            ErrorCode::NotSpreadsheet => t("这不是可识别的表格文件", "Not a spreadsheet we can read"),
            ErrorCode::Corrupt => t("文件已损坏或不完整", "The file is damaged or incomplete"),
            ErrorCode::Encrypted => t("文件设置了打开密码", "The file is password-protected"),
            ErrorCode::SheetNotFound => t("找不到该工作表", "Sheet not found"),
            ErrorCode::NoHeader => t("找不到表头", "No header row found"),
            ErrorCode::NoDataRows => t("表格里没有数据", "The table has no data"),
            ErrorCode::NoAmountColumn => t("找不到金额列", "No amount column"),
            ErrorCode::NoKeyColumn => t("找不到客户列", "No customer column"),
            ErrorCode::NoDateColumn => t("找不到日期列", "No date column"),
            ErrorCode::ColumnNotFound => t("找不到指定的列", "Column not found"),
            ErrorCode::AmountsUnreadable => t("金额列无法识别", "Amounts cannot be read"),
            ErrorCode::CellTooLarge => t("文件中有异常巨大的单元格", "A cell is abnormally large"),
            ErrorCode::FileTooLarge => {
                t("文件超出了能安全读取的范围", "The file is larger than TierBook can safely read")
            }
            ErrorCode::OutputIsInput => {
                t("输出位置与输入文件或工作区相同", "The output would overwrite an input or the workspace")
            }
            ErrorCode::WorkspaceDamaged => t("工作区文件已损坏", "The workspace file is damaged"),
            ErrorCode::NoValidOrders => t("没有有效订单", "No valid orders"),
            ErrorCode::InvalidParams => t("分层参数无效", "Invalid parameters"),
            ErrorCode::NoCustomers => t("还没有客户数据", "No customer data yet"),
            ErrorCode::NoCost => t("还不知道成本，无法按利润分层", "No cost known: profit cannot be computed"),
            ErrorCode::NoProducts => t("订单里没有商品信息", "The orders name no products"),
            ErrorCode::Cancelled => t("已取消", "Cancelled"),
            ErrorCode::Write => t("无法保存文件", "Cannot save the file"),
            ErrorCode::NotAWorkspace => t("工作区文件无法打开", "Cannot open the workspace"),
            ErrorCode::WorkspaceTooNew => t("工作区版本过新", "Workspace from a newer version"),
            ErrorCode::SnapshotNotFound => t("找不到该快照", "Snapshot not found"),
            ErrorCode::SourceNotFound => t("找不到该导入记录", "Import not found"),
            ErrorCode::Store => t("工作区存储出错", "Workspace storage error"),
            ErrorCode::NotABackup => t("这不是 TierBook 备份文件", "Not a TierBook backup"),
            ErrorCode::BackupTooNew => t("备份来自更新版本的 TierBook", "The backup is from a newer TierBook"),
            ErrorCode::BackupDamaged => t("备份文件已损坏或不完整", "The backup is damaged or incomplete"),
            ErrorCode::WorkspaceExists => t("同名工作区已存在", "That workspace already exists"),
            ErrorCode::WorkspaceNotFound => t("找不到该店铺的工作区", "Shop workspace not found"),
            ErrorCode::ShopNameTaken => t("店铺名称已被使用", "Shop name already in use"),
            ErrorCode::InvalidShopName => t("店铺名称不能使用", "Shop name cannot be used"),
            ErrorCode::CustomerNotFound => t("找不到该客户", "Customer not found"),
            ErrorCode::RevealFailed => t("无法打开所在文件夹", "Cannot open the folder"),
            ErrorCode::Busy => t("正在处理上一个任务", "Still working on the previous task"),
            ErrorCode::Internal => t("程序内部错误", "Internal error"),
            ErrorCode::NotInApp => t("需要在桌面程序中使用", "Needs the desktop app"),
            ErrorCode::Unknown => t("出了点问题", "Something went wrong"),
        }
    }

    /// What to do about it: "请回到店铺后台重新导出订单表。" / "Export the orders again …".
    pub fn hint(self) -> Text {
        let t = Text::new;
        match self {
            ErrorCode::Io => t(
                "请确认文件存在，并且没有在 Excel 或 WPS 中打开。",
                "Check that the file exists and is not open in Excel or WPS.",
            ),
            ErrorCode::EmptyFile => {
                t("请回到店铺后台重新导出订单表。", "Export the orders again from your shop's back office.")
            }
            ErrorCode::NotSpreadsheet => {
                t("请导出为 Excel（.xlsx）或 CSV 后再导入。", "Export as Excel (.xlsx) or CSV and import again.")
            }
            ErrorCode::Corrupt => t("请重新导出或重新下载该文件。", "Export or download the file again."),
            ErrorCode::Encrypted => t(
                "请在 Excel 或 WPS 中打开它，取消密码后另存为 .xlsx，再导入。",
                "Open it in Excel or WPS, remove the password, save it as .xlsx and import that.",
            ),
            ErrorCode::SheetNotFound => t("请在上方重新选择工作表。", "Choose the sheet again above."),
            ErrorCode::NoHeader => t(
                "请确认导出的是订单列表或客户列表（要有“订单号”“买家ID”“实付金额”这类列）。如果第一行就是数据、没有列名，请在最前面加一行列名（如“客户ID、日期、金额”）。",
                "Make sure this is an order or customer list (with columns like order ID, buyer ID, amount paid). If the first line is already data, add a line of column names (e.g. customer ID, date, amount) at the top.",
            ),
            ErrorCode::NoDataRows => t(
                "只有表头没有订单，请检查导出时选择的时间范围。",
                "There is a header but no orders; check the date range of the export.",
            ),
            ErrorCode::NoAmountColumn => {
                t("请在预览中把某一列的用途改为“金额”。", "In the preview, set one column's role to Amount.")
            }
            ErrorCode::NoKeyColumn => t(
                "请在预览中把某一列的用途改为“客户”（如买家ID、手机号）。",
                "In the preview, set one column's role to Customer (buyer ID, phone…).",
            ),
            ErrorCode::NoDateColumn => t(
                "请在预览中把某一列的用途改为“下单日期”。",
                "In the preview, set one column's role to Order date.",
            ),
            ErrorCode::ColumnNotFound => t("请重新选择列。", "Choose the column again."),
            ErrorCode::AmountsUnreadable => t(
                "请检查该列，或在预览中选择另一列作为金额。",
                "Check that column, or choose another column as the amount.",
            ),
            ErrorCode::CellTooLarge => {
                t("文件可能已损坏，请重新导出。", "The file may be damaged; export it again.")
            }
            ErrorCode::FileTooLarge => t(
                "真实的导出远小于这个上限，文件可能已损坏；如果它确实这么大，请按时间段分成几个文件导出后一起导入。",
                "Real exports are far smaller, so the file may be damaged; if it really is this large, export it in several date ranges and import them together.",
            ),
            ErrorCode::OutputIsInput => t(
                "请把导出文件保存到别的文件名或文件夹；TierBook 不会覆盖你导入的文件或工作区。",
                "Save the export under another name or folder; TierBook never overwrites the files you imported or the workspace.",
            ),
            ErrorCode::WorkspaceDamaged => t(
                "TierBook 没有写入它。请把该文件复制到别处留存，然后恢复最近的备份。",
                "TierBook wrote nothing to it. Copy the file aside, then restore your latest backup.",
            ),
            ErrorCode::NoValidOrders => t(
                "全部订单都被状态规则排除了，请检查“设置”中的订单状态规则或导出范围。",
                "Every order was excluded by the status rules; check them under Settings, or the export's range.",
            ),
            ErrorCode::InvalidParams => t("请调整参数后再试。", "Adjust the parameters and try again."),
            ErrorCode::NoCustomers => t("请先导入订单表或客户表。", "Import an order or customer list first."),
            ErrorCode::NoCost => t(
                "导入带“成本 / 成本价 / 毛利 / 利润”列的商品明细订单表，或导入一张成本表（两列：商品名称或 SKU、成本价），再按利润分层。",
                "Import an item-level export with a cost, unit cost or profit column (成本 / 成本价 / 毛利 / 利润), or a cost table (two columns: product name or SKU, unit cost), then classify by profit.",
            ),
            ErrorCode::NoProducts => t(
                "导入带“商品名称 / 宝贝标题 / 商家编码”列的商品明细订单表（淘宝“宝贝报表”、抖店、有赞的订单明细），即可按商品查看与筛选。",
                "Import an item-level export with a product column (商品名称 / 宝贝标题 / 商家编码), then products can be viewed and filtered.",
            ),
            ErrorCode::Cancelled => t("操作已停止，数据没有变化。", "Stopped; nothing was changed."),
            ErrorCode::Write => t(
                "请确认目标文件没有在 Excel/WPS 中打开，并且文件夹可以写入。",
                "Make sure the file is not open in Excel/WPS and the folder is writable.",
            ),
            ErrorCode::NotAWorkspace => t(
                "该文件不是 TierBook 工作区或已损坏。",
                "The file is not a TierBook workspace or is damaged.",
            ),
            ErrorCode::WorkspaceTooNew => t("请升级 TierBook 后再打开。", "Update TierBook and open it again."),
            ErrorCode::SnapshotNotFound => {
                t("快照可能已被删除，请刷新列表。", "It may have been deleted; refresh the list.")
            }
            ErrorCode::SourceNotFound => {
                t("该导入记录可能已被移除，请刷新导入列表。", "It may have been removed; refresh the list of imports.")
            }
            ErrorCode::NotABackup => t(
                "没有恢复任何内容。请选择用“备份到文件…”生成的文件（.tierbook）。",
                "Nothing was restored. Choose a file made with \"Back up to file…\" (.tierbook).",
            ),
            ErrorCode::BackupTooNew => t(
                "没有恢复任何内容。请升级 TierBook 后再恢复这份备份。",
                "Nothing was restored. Update TierBook, then restore this backup.",
            ),
            ErrorCode::BackupDamaged => t(
                "没有恢复任何内容。请换一份备份，或重新复制该文件（可能没有复制完整）。",
                "Nothing was restored. Use another backup, or copy the file again (it may be incomplete).",
            ),
            ErrorCode::WorkspaceExists => t(
                "TierBook 不会覆盖已有的工作区。请换一个名字，或明确选择“替换”（会先自动备份现有的）。",
                "TierBook never overwrites a workspace. Choose another name, or choose Replace explicitly (the current one is backed up first).",
            ),
            ErrorCode::WorkspaceNotFound => t(
                "它可能已被移动或删除，请刷新店铺列表。",
                "It may have been moved or deleted; refresh the list of shops.",
            ),
            ErrorCode::ShopNameTaken => t("请换一个店铺名称。", "Choose another name for the shop."),
            ErrorCode::InvalidShopName => t(
                "名称不能为空，最多 40 个字，不能含换行等控制字符。",
                "The name must not be empty, at most 40 characters, without control characters.",
            ),
            ErrorCode::Store | ErrorCode::Unknown => t(
                "请重试；如果反复出现，请重启程序。",
                "Try again; restart the app if it keeps happening.",
            ),
            ErrorCode::CustomerNotFound => t(
                "数据可能已重新导入，请刷新客户列表。",
                "The data may have been imported again; refresh the customer list.",
            ),
            ErrorCode::RevealFailed => {
                t("文件已保存，请到提示中的位置手动打开。", "The file is saved; open its folder yourself.")
            }
            ErrorCode::Busy => t(
                "请等当前的导入或导出完成后再试。",
                "Wait for the current import or export to finish.",
            ),
            ErrorCode::Internal => t("请重启 TierBook 后重试。", "Restart TierBook and try again."),
            ErrorCode::NotInApp => t("请通过 TierBook 桌面程序打开。", "Open this through the TierBook desktop app."),
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets tests and callers compare with the code as text: `assert_eq!(err.code(), "empty_file")`.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_serializes_as_its_snake_case_text_and_back() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::Value::String(code.as_str().to_string()), "{code:?}");
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), *code);
        }
    }

    #[test]
    fn codes_are_distinct_and_every_one_has_words_in_both_languages() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            for text in [code.title(), code.hint()] {
                assert!(!text.zh.trim().is_empty() && !text.en.trim().is_empty(), "{code}: {text:?}");
            }
        }
    }
}

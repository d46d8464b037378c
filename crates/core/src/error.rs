//! The core's one error type. Every variant says, in the user's terms, what happened and what to do.
//!
//! Messages are Chinese first (the product's users); `code()` is stable and is what the desktop UI
//! branches and translates on, so add a variant only when a user needs a different message or action.

use std::path::PathBuf;

/// Result with the core's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong from reading a source file to writing a workbook.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read at all.
    #[error("无法读取文件 {path}：{source}。请确认文件存在且没有被其他程序占用。")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file has zero bytes (or only whitespace).
    #[error("文件 {path} 是空的。请重新从店铺后台导出订单或客户表。")]
    EmptyFile { path: PathBuf },

    /// The bytes are not a spreadsheet or text table we can read.
    #[error("文件 {path} 不是可识别的表格（{detail}）。请导出为 Excel（.xlsx/.xls）或 CSV 文件后再导入。")]
    NotSpreadsheet { path: PathBuf, detail: String },

    /// The file looks like a spreadsheet but is damaged or cut off.
    #[error("文件 {path} 已损坏或不完整（{detail}）。请重新导出或重新下载该文件。")]
    Corrupt { path: PathBuf, detail: String },

    /// The workbook is protected with an opening password (encrypted); it cannot be read as is.
    #[error("文件 {path} 设置了打开密码，TierBook 无法读取加密的文件。请在 Excel 或 WPS 中打开它，取消密码后另存为 .xlsx，再导入。")]
    Encrypted { path: PathBuf },

    /// The requested sheet does not exist.
    #[error("文件 {path} 中没有名为“{sheet}”的工作表。")]
    SheetNotFound { path: PathBuf, sheet: String },

    /// No row looks like a header of an order or customer table.
    #[error("文件 {path} 中找不到表头（如“订单号”“买家ID”“实付金额”）。请确认导出的是订单列表或客户列表；如果文件第一行就是数据、没有列名，请在最前面加一行列名（如“客户ID 日期 金额”）后再导入。")]
    NoHeader { path: PathBuf },

    /// A header was found, but no data rows follow it.
    #[error("文件 {path} 的工作表“{sheet}”只有表头，没有数据行。请检查导出时选择的时间范围。")]
    NoDataRows { path: PathBuf, sheet: String },

    /// No column can serve as the amount.
    #[error("文件 {path} 中找不到金额列（如“实付金额”“订单金额”“累计消费金额”，或“数量”+“单价”）。现有列：{columns}。请在映射中手动指定金额列。")]
    NoAmountColumn { path: PathBuf, columns: String },

    /// No column can serve as the customer key.
    #[error("文件 {path} 中找不到客户标识列（如“买家ID”“会员ID”“手机号”“收货人”）。现有列：{columns}。请在映射中手动指定客户列。")]
    NoKeyColumn { path: PathBuf, columns: String },

    /// No column can serve as the order date.
    #[error("文件 {path} 中找不到日期列（如“下单时间”“支付时间”“最近消费时间”）。现有列：{columns}。请在映射中手动指定日期列。")]
    NoDateColumn { path: PathBuf, columns: String },

    /// A column the user named does not exist.
    #[error("文件 {path} 中没有名为“{column}”的列。现有列：{columns}")]
    ColumnNotFound { path: PathBuf, column: String, columns: String },

    /// Every amount cell failed to parse.
    #[error("文件 {path} 的金额列“{column}”没有一个能识别的数字（例如第 {example_row} 行：“{example}”）。请检查该列，或在映射中选择另一列作为金额。")]
    AmountsUnreadable { path: PathBuf, column: String, example_row: u32, example: String },

    /// A cell larger than any real export holds (a sign of a broken or hostile file).
    #[error("文件 {path} 第 {row} 行有一个异常巨大的单元格（{bytes} 字节）。请检查文件是否损坏。")]
    CellTooLarge { path: PathBuf, row: u32, bytes: usize },

    /// No valid order remained after the status and refund rules.
    #[error("文件 {path} 中没有有效订单：{detail}。请检查订单状态规则或导出范围。")]
    NoValidOrders { path: PathBuf, detail: String },

    /// Classification parameters that cannot work (e.g. cut points out of order).
    #[error("分层参数无效：{0}")]
    InvalidParams(String),

    /// There are no customers to classify or export.
    #[error("没有可分层的客户。请先导入订单或客户表。")]
    NoCustomers,

    /// The user cancelled a long operation.
    #[error("已取消。")]
    Cancelled,

    /// Writing the workbook or CSV failed.
    #[error("无法写入 {path}：{detail}。请确认目标文件没有在 Excel/WPS 中打开，并且文件夹可写。")]
    Write { path: PathBuf, detail: String },

    /// An output path names a file the command reads or keeps: an input, the workspace or one of its
    /// SQLite companion files. Nothing is written.
    #[error("不能把结果写到 {output}：它就是{what} {input}，写入会覆盖它。TierBook 不会改动原始导出和工作区；请换一个文件名或文件夹。")]
    OutputIsInput { output: PathBuf, input: PathBuf, what: String },

    /// The workspace file fails SQLite's integrity check: it is not written to at all.
    #[error("工作区 {path} 已损坏（{detail}）。TierBook 没有写入它。请先把这个文件复制一份另存（例如 {path}.damaged），再用之前的备份替换它；如果没有备份，换一个新的工作区文件重新导入订单。")]
    WorkspaceDamaged { path: PathBuf, detail: String },

    /// The workspace file is not a TierBook workspace (or is damaged).
    #[error("{path} 不是 TierBook 工作区文件，或已损坏（{detail}）。")]
    NotAWorkspace { path: PathBuf, detail: String },

    /// The workspace was written by a newer TierBook; we refuse to touch it rather than damage it.
    #[error("工作区 {path} 由更新版本的 TierBook 创建（版本 {found}，本程序支持到 {supported}）。请升级 TierBook 后再打开。")]
    WorkspaceTooNew { path: PathBuf, found: i64, supported: i64 },

    /// A snapshot id that does not exist in the workspace.
    #[error("找不到分层快照 {0}。")]
    SnapshotNotFound(String),

    /// An imported source id that does not exist in the workspace (already removed?).
    #[error("找不到导入记录 {0}（可能已被移除）。请刷新导入列表。")]
    SourceNotFound(i64),

    /// Any other storage failure.
    #[error("工作区存储出错：{0}")]
    Store(String),
}

impl Error {
    /// A stable machine-readable code, e.g. `"empty_file"`; the UI translates by it.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::EmptyFile { .. } => "empty_file",
            Error::NotSpreadsheet { .. } => "not_spreadsheet",
            Error::Corrupt { .. } => "corrupt",
            Error::Encrypted { .. } => "encrypted",
            Error::SheetNotFound { .. } => "sheet_not_found",
            Error::NoHeader { .. } => "no_header",
            Error::NoDataRows { .. } => "no_data_rows",
            Error::NoAmountColumn { .. } => "no_amount_column",
            Error::NoKeyColumn { .. } => "no_key_column",
            Error::NoDateColumn { .. } => "no_date_column",
            Error::ColumnNotFound { .. } => "column_not_found",
            Error::AmountsUnreadable { .. } => "amounts_unreadable",
            Error::CellTooLarge { .. } => "cell_too_large",
            Error::NoValidOrders { .. } => "no_valid_orders",
            Error::InvalidParams(_) => "invalid_params",
            Error::NoCustomers => "no_customers",
            Error::Cancelled => "cancelled",
            Error::Write { .. } => "write",
            Error::OutputIsInput { .. } => "output_is_input",
            Error::WorkspaceDamaged { .. } => "workspace_damaged",
            Error::NotAWorkspace { .. } => "not_a_workspace",
            Error::WorkspaceTooNew { .. } => "workspace_too_new",
            Error::SnapshotNotFound(_) => "snapshot_not_found",
            Error::SourceNotFound(_) => "source_not_found",
            Error::Store(_) => "store",
        }
    }

    /// The file the error is about, when there is one (shown by the UI next to the message).
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Error::Io { path, .. }
            | Error::EmptyFile { path }
            | Error::NotSpreadsheet { path, .. }
            | Error::Corrupt { path, .. }
            | Error::Encrypted { path }
            | Error::SheetNotFound { path, .. }
            | Error::NoHeader { path }
            | Error::NoDataRows { path, .. }
            | Error::NoAmountColumn { path, .. }
            | Error::NoKeyColumn { path, .. }
            | Error::NoDateColumn { path, .. }
            | Error::ColumnNotFound { path, .. }
            | Error::AmountsUnreadable { path, .. }
            | Error::CellTooLarge { path, .. }
            | Error::NoValidOrders { path, .. }
            | Error::Write { path, .. }
            | Error::WorkspaceDamaged { path, .. }
            | Error::NotAWorkspace { path, .. }
            | Error::WorkspaceTooNew { path, .. } => Some(path),
            Error::OutputIsInput { output, .. } => Some(output),
            _ => None,
        }
    }

    /// CLI exit code: 2 for bad input files, 3 for bad parameters, 4 for write/store failures, 130 cancelled.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::InvalidParams(_)
            | Error::ColumnNotFound { .. }
            | Error::SheetNotFound { .. }
            | Error::OutputIsInput { .. } => 3,
            Error::Write { .. }
            | Error::Store(_)
            | Error::NotAWorkspace { .. }
            | Error::WorkspaceDamaged { .. }
            | Error::WorkspaceTooNew { .. }
            | Error::SnapshotNotFound(_)
            | Error::SourceNotFound(_) => 4,
            Error::Cancelled => 130,
            _ => 2,
        }
    }
}

//! The core's one error type. Every variant says, in the user's terms, what happened and what to do.
//!
//! Messages are Chinese first (the product's users); `code()` is stable and is what the desktop UI
//! branches and translates on, so add a variant only when a user needs a different message or action.

use std::path::PathBuf;

pub use crate::error_code::ErrorCode;

/// Result with the core's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong from reading a source file to writing a workbook.
///
/// The fields (`path`, `detail`, `columns` …) are what each variant's message says.
#[allow(missing_docs)]
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

    /// The file is over one of the limits of `source::limits` (far above any real export): a
    /// damaged or hostile file, or an export that must be split.
    #[error("文件 {path} 超出了 TierBook 能安全读取的范围：{detail}。真实的店铺导出远小于这个上限，这个文件可能已损坏；如果它确实这么大，请按时间段分成几个文件导出后一起导入。")]
    FileTooLarge { path: PathBuf, detail: String },

    /// No valid order remained after the status and refund rules.
    #[error("文件 {path} 中没有有效订单：{detail}。请检查订单状态规则或导出范围。")]
    NoValidOrders { path: PathBuf, detail: String },

    /// Classification parameters that cannot work (e.g. cut points out of order).
    #[error("分层参数无效：{0}")]
    InvalidParams(String),

    /// There are no customers to classify or export.
    #[error("没有可分层的客户。请先导入订单或客户表。")]
    NoCustomers,

    /// A profit-based method, but no customer's cost is known.
    #[error("还不知道任何商品的成本，无法按利润分层。请导入带“成本 / 成本价 / 毛利”列的商品明细，或导入成本表（商品名称或 SKU、成本价）。")]
    NoCost,

    /// Products were asked for, but no stored order names one.
    #[error("订单里没有商品信息。请导入带“商品名称 / 宝贝标题 / 商家编码”列的商品明细订单表。")]
    NoProducts,

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
    NotAWorkspace {
        path: PathBuf,
        detail: String,
        /// SQLite's own error, when SQLite refused the file.
        #[source]
        source: Option<rusqlite::Error>,
    },

    /// The workspace was written by a newer TierBook; we refuse to touch it rather than damage it.
    #[error("工作区 {path} 由更新版本的 TierBook 创建（版本 {found}，本程序支持到 {supported}）。请升级 TierBook 后再打开。")]
    WorkspaceTooNew { path: PathBuf, found: i64, supported: i64 },

    /// A snapshot id that does not exist in the workspace.
    #[error("找不到分层快照 {0}。")]
    SnapshotNotFound(String),

    /// An imported source id that does not exist in the workspace (already removed?).
    #[error("找不到导入记录 {0}（可能已被移除）。请刷新导入列表。")]
    SourceNotFound(i64),

    /// The file chosen to restore from is not a TierBook backup (not SQLite, or another program's
    /// database). Nothing was written.
    #[error("{path} 不是 TierBook 备份文件（{detail}）。没有恢复任何内容。请选择用“备份到文件…”或 `tierbook workspace backup` 生成的文件。")]
    NotABackup { path: PathBuf, detail: String },

    /// The backup was written by a newer TierBook; restoring it here could lose what this version
    /// does not understand.
    #[error("备份 {path} 由更新版本的 TierBook 生成（版本 {found}，本程序支持到 {supported}）。没有恢复任何内容。请升级 TierBook 后再恢复。")]
    BackupTooNew { path: PathBuf, found: i64, supported: i64 },

    /// The backup is a TierBook workspace but cut off or damaged (the integrity check failed).
    #[error("备份 {path} 已损坏或不完整（{detail}）。没有恢复任何内容。请换一份备份，或重新复制该文件（可能没有复制完整）。")]
    BackupDamaged { path: PathBuf, detail: String },

    /// A restore or a new shop would land on a workspace file that already exists.
    #[error("工作区 {path} 已存在，TierBook 不会覆盖它。请换一个名字；如果确实要用备份替换它，请明确选择“替换”（会先自动备份现有的工作区）。")]
    WorkspaceExists { path: PathBuf },

    /// A workspace (shop) that should exist does not.
    #[error("找不到工作区 {path}。它可能已被移动或删除；请刷新店铺列表。")]
    WorkspaceNotFound { path: PathBuf },

    /// Another shop already has this name.
    #[error("已有名为“{name}”的店铺。请换一个名字。")]
    ShopNameTaken { name: String },

    /// A shop name that cannot be used (empty, too long, control characters).
    #[error("店铺名称“{name}”不能使用：{detail}。")]
    InvalidShopName { name: String, detail: String },

    /// Any other storage failure; what failed is said in plain words, the SQLite or JSON error
    /// behind it stays reachable through `source()`.
    #[error("工作区存储出错：{0}。请确认磁盘空间充足、没有其他程序正在使用该工作区文件，然后重试。")]
    Store(#[source] StoreError),
}

/// What failed inside the workspace database. The message is plain Chinese; the SQLite or JSON
/// error that caused it is the `source()` (for logs and `Error::cause`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed a read or a write (locked, disk full, I/O error, …).
    #[error("数据库读写失败")]
    Sqlite(#[source] rusqlite::Error),
    /// A stored column does not hold the type this version reads.
    #[error("存储的数据格式不对")]
    Value(#[source] rusqlite::types::FromSqlError),
    /// A stored JSON document (import report, setting, playbook) could not be read or written.
    #[error("存储的数据格式不对")]
    Json(#[source] serde_json::Error),
    /// Stored text (a key, name or segment) is not valid UTF-8.
    #[error("存储的文字已损坏")]
    Text(#[source] std::str::Utf8Error),
    /// SQLite's integrity check found damage; its findings.
    #[error("工作区文件完整性检查失败（{0}）")]
    Integrity(String),
    /// Upgrading the workspace to this version's schema failed (and was rolled back).
    #[error("升级工作区结构失败")]
    Upgrade(#[source] rusqlite::Error),
}

impl Error {
    /// The stable machine-readable code, e.g. `empty_file`; the UI branches and translates by it.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Io { .. } => ErrorCode::Io,
            Error::EmptyFile { .. } => ErrorCode::EmptyFile,
            Error::NotSpreadsheet { .. } => ErrorCode::NotSpreadsheet,
            Error::Corrupt { .. } => ErrorCode::Corrupt,
            Error::Encrypted { .. } => ErrorCode::Encrypted,
            Error::SheetNotFound { .. } => ErrorCode::SheetNotFound,
            Error::NoHeader { .. } => ErrorCode::NoHeader,
            Error::NoDataRows { .. } => ErrorCode::NoDataRows,
            Error::NoAmountColumn { .. } => ErrorCode::NoAmountColumn,
            Error::NoKeyColumn { .. } => ErrorCode::NoKeyColumn,
            Error::NoDateColumn { .. } => ErrorCode::NoDateColumn,
            Error::ColumnNotFound { .. } => ErrorCode::ColumnNotFound,
            Error::AmountsUnreadable { .. } => ErrorCode::AmountsUnreadable,
            Error::CellTooLarge { .. } => ErrorCode::CellTooLarge,
            Error::FileTooLarge { .. } => ErrorCode::FileTooLarge,
            Error::NoValidOrders { .. } => ErrorCode::NoValidOrders,
            Error::InvalidParams(_) => ErrorCode::InvalidParams,
            Error::NoCustomers => ErrorCode::NoCustomers,
            Error::NoCost => ErrorCode::NoCost,
            Error::NoProducts => ErrorCode::NoProducts,
            Error::Cancelled => ErrorCode::Cancelled,
            Error::Write { .. } => ErrorCode::Write,
            Error::OutputIsInput { .. } => ErrorCode::OutputIsInput,
            Error::WorkspaceDamaged { .. } => ErrorCode::WorkspaceDamaged,
            Error::NotAWorkspace { .. } => ErrorCode::NotAWorkspace,
            Error::WorkspaceTooNew { .. } => ErrorCode::WorkspaceTooNew,
            Error::SnapshotNotFound(_) => ErrorCode::SnapshotNotFound,
            Error::SourceNotFound(_) => ErrorCode::SourceNotFound,
            Error::NotABackup { .. } => ErrorCode::NotABackup,
            Error::BackupTooNew { .. } => ErrorCode::BackupTooNew,
            Error::BackupDamaged { .. } => ErrorCode::BackupDamaged,
            Error::WorkspaceExists { .. } => ErrorCode::WorkspaceExists,
            Error::WorkspaceNotFound { .. } => ErrorCode::WorkspaceNotFound,
            Error::ShopNameTaken { .. } => ErrorCode::ShopNameTaken,
            Error::InvalidShopName { .. } => ErrorCode::InvalidShopName,
            Error::Store(_) => ErrorCode::Store,
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
            | Error::FileTooLarge { path, .. }
            | Error::NoValidOrders { path, .. }
            | Error::Write { path, .. }
            | Error::WorkspaceDamaged { path, .. }
            | Error::NotAWorkspace { path, .. }
            | Error::WorkspaceTooNew { path, .. }
            | Error::NotABackup { path, .. }
            | Error::BackupTooNew { path, .. }
            | Error::BackupDamaged { path, .. }
            | Error::WorkspaceExists { path }
            | Error::WorkspaceNotFound { path } => Some(path),
            Error::OutputIsInput { output, .. } => Some(output),
            _ => None,
        }
    }

    /// The innermost cause's own message (e.g. SQLite's "database is locked") when the plain
    /// message does not already say it: a technical detail for support and logs, shown apart.
    pub fn cause(&self) -> Option<String> {
        let mut cause = std::error::Error::source(self)?;
        while let Some(next) = cause.source() {
            cause = next;
        }
        let cause = cause.to_string();
        (!self.to_string().contains(&cause)).then_some(cause)
    }

    /// CLI exit code: 2 for bad input files (a backup that is not one, too new or damaged included),
    /// 3 for bad parameters (an existing restore target, a taken or unusable shop name), 4 for
    /// write/store failures, 130 cancelled.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::InvalidParams(_)
            | Error::NoCost
            | Error::NoProducts
            | Error::ColumnNotFound { .. }
            | Error::SheetNotFound { .. }
            | Error::OutputIsInput { .. }
            | Error::WorkspaceExists { .. }
            | Error::ShopNameTaken { .. }
            | Error::InvalidShopName { .. } => 3,
            Error::Write { .. }
            | Error::Store(_)
            | Error::NotAWorkspace { .. }
            | Error::WorkspaceDamaged { .. }
            | Error::WorkspaceTooNew { .. }
            | Error::SnapshotNotFound(_)
            | Error::SourceNotFound(_)
            | Error::WorkspaceNotFound { .. } => 4,
            Error::Cancelled => 130,
            _ => 2,
        }
    }
}

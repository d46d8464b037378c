//! The import step end to end: open the source, pick the sheet and header, map the columns, turn
//! rows into orders, and say what happened in an `ImportReport`.
//!
//! One pass over each sheet: the first rows are buffered until the header is found, then every row
//! goes straight to `orders::FileOrders` with the mapping resolved to column indices once. A
//! workbook with several sheets is looked at first (the top rows of each) to pick the sheet with the
//! best header and the sheets that continue it (an .xls export split over 订单列表2, 订单列表3 …).
//!
//! It does not parse cells (`cell`), name columns (`mapping`) or apply status rules (`orders`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cell;
use crate::error::{Error, Result};
use crate::mapping::{self, detect_header, header_score, KeySpec, Level, Mapping, Resolved, Role, HEADER_SEARCH_ROWS};
use crate::model::{Lang, Order};
use crate::orders::{FileOrders, FileOutcome, OrderSet, StatusRules};
use crate::progress::{Progress, Stage};
use crate::report::{ImportReport, SkipReason, Warning};
use crate::source::{Cell, Format, Source, SourceNotes};

/// What the user chose; everything is optional and defaults to detection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ImportOptions {
    /// Sheet to read; `None` picks the best-matching one.
    pub sheet: Option<String>,
    /// 0-based header row; `None` detects it.
    pub header_row: Option<u32>,
    /// Role overrides by header text; `None` clears a detected role.
    pub roles: BTreeMap<String, Option<Role>>,
    /// Customer key override.
    pub key: Option<KeySpec>,
    /// Status rules; `None` uses `StatusRules::default()`.
    pub rules: Option<StatusRules>,
    /// Leave paid ¥0 orders (free gifts, 0 元试用) out. By default they count as orders with ¥0
    /// revenue, and a customer whose only orders are ¥0 stays in the results.
    pub skip_zero_amount: bool,
}

/// The orders of one or more source files, deduplicated, with one report per file.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// The files read, in the order given.
    pub sources: Vec<PathBuf>,
    /// The valid orders of all files, each order once.
    pub orders: Vec<Order>,
    /// One report per file.
    pub reports: Vec<ImportReport>,
    /// Order ids the files show closed, cancelled or fully refunded. Within one import the first
    /// file that has an order decides it; the workspace uses these to take out orders that an
    /// earlier import stored while they still counted (a late refund).
    pub withdrawn: Vec<String>,
}

/// A look at a file before importing: sheets, detected header and roles, first rows as text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preview {
    /// The file's name.
    pub file: String,
    /// The format sniffed from its bytes.
    pub format: Format,
    /// Every sheet of the file (one for CSV and HTML).
    pub sheets: Vec<String>,
    /// The detected (or overridden) header and column roles.
    pub mapping: Mapping,
    /// Rows from the top of the sheet (title rows included) as display text, so the UI can mark the header.
    pub rows: Vec<Vec<String>>,
    /// What the user should check before importing.
    pub warnings: Vec<Warning>,
}

/// Looks at `path` with `options` applied, without importing: the sheets, the detected header and
/// roles, the top rows as text, and the warnings a user should see before importing.
///
/// # Errors
/// As `import_files` for opening the file and finding the header (`Io`, `EmptyFile`,
/// `NotSpreadsheet`, `Corrupt`, `SheetNotFound`, `NoHeader`, `ColumnNotFound`).
pub fn preview(path: &Path, options: &ImportOptions) -> Result<Preview> {
    let mut src = Source::open(path)?;
    let plan = plan_sheets(&mut src, path, options)?;
    let first = plan.first().ok_or_else(|| Error::NoHeader { path: path.to_owned() })?;
    let head = read_head(&mut src, &first.0, HEAD_ROWS.max(first.1.map_or(0, |h| h + 20)))?;
    let header = find_header(&head, first.1).ok_or_else(|| Error::NoHeader { path: path.to_owned() })?;
    let Detected { mapping, sample, notes: mut warnings, .. } = build_mapping(path, &first.0, &head, &header, options)?;
    warnings.extend(mapping_warnings(&mapping, &sample, options));
    // Before importing, from the rows shown: the import's report then counts the whole file.
    if let Some((value, n, of)) = mapping::collapsed_key_in_sample(&mapping, &sample) {
        warnings.push(Warning::new(
            "key_collapsed",
            format!("预览的 {of} 行中有 {n} 行的客户标识都是“{value}”：这是打码后的值，导入后这些订单会被算作同一位客户。请换一列作客户标识（如买家ID、买家昵称），或导出未打码的订单。"),
            format!("{n} of the {of} rows shown have the customer key \u{201c}{value}\u{201d}, a masked value: once imported, their orders would be one customer. Pick another key column (a buyer id or nickname), or export the orders unmasked."),
        ));
    }
    warnings.extend(source_warnings(src.notes()));
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (index, cells) in &head {
        while rows.len() < *index {
            rows.push(Vec::new());
        }
        // Raw text, placeholders included: the user should see the file as it is.
        rows.push(
            cells
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => t.clone(),
                    Cell::Error(e) => e.clone(),
                    other => cell::text(other).map(|t| t.into_owned()).unwrap_or_default(),
                })
                .collect(),
        );
    }
    Ok(Preview {
        file: path.display().to_string(),
        format: src.format,
        sheets: src.sheet_names().to_vec(),
        mapping,
        rows,
        warnings,
    })
}

/// Imports one or more files as one dataset (orders counted once across overlapping exports).
///
/// # Errors
/// `Error::Io`, `EmptyFile`, `NotSpreadsheet`, `Corrupt`, `NoHeader`, `NoDataRows`, `NoAmountColumn`,
/// `NoKeyColumn`, `NoDateColumn`, `AmountsUnreadable`, `NoValidOrders`, `CellTooLarge`, `Cancelled` —
/// each naming the file.
pub fn import_files(paths: &[PathBuf], options: &ImportOptions, progress: &dyn Progress) -> Result<Dataset> {
    import_files_batched(paths, options, progress, READ_BATCH_ROWS)
}

/// Rows the reading thread hands over at once (see `Source::for_each_row_batched`): large enough
/// that the hand-over costs nothing, small enough that the two threads start overlapping at once.
const READ_BATCH_ROWS: usize = 1024;

/// [`import_files`] with `batch_rows` rows per hand-over from the reading thread (0: one thread).
/// The result does not depend on it; tests check that with several sizes.
pub(crate) fn import_files_batched(
    paths: &[PathBuf],
    options: &ImportOptions,
    progress: &dyn Progress,
    batch_rows: usize,
) -> Result<Dataset> {
    let rules = options.rules.clone().unwrap_or_default();
    let mut set = OrderSet::new();
    let mut reports = Vec::with_capacity(paths.len());
    let mut withdrawn = Vec::new();
    let mut rows_done = 0u64;
    for (fi, path) in paths.iter().enumerate() {
        if progress.cancelled() {
            return Err(Error::Cancelled);
        }
        let mut src = Source::open_with(path, progress)?;
        let plan = plan_sheets(&mut src, path, options)?;
        set.prepare_next_file();
        let mut reader = FileReader::new(path, options, &rules, &set, fi as u32, progress, rows_done);
        reader.total = rows_done + plan.iter().filter_map(|(s, _)| src.row_count_hint(s)).sum::<u64>();
        // Room for the declared rows, but never more than the file's bytes could hold: a real
        // export needs well over 16 bytes per row, even compressed.
        reader.capacity = usize::try_from((reader.total - rows_done).min(src.size / MIN_BYTES_PER_ROW)).unwrap_or(0);
        for (sheet, header) in &plan {
            reader.begin_sheet(sheet, *header);
            src.for_each_row_batched(sheet, batch_rows, &mut |i, cells| reader.row(i, cells).map(|()| true))?;
            reader.end_sheet()?;
        }
        rows_done = reader.rows_done;
        // Settling a million orders takes a few hundred ms: a cancel before it is not kept waiting.
        if progress.cancelled() {
            return Err(Error::Cancelled);
        }
        // Settling has no counts of its own: beats say the reading is still on meanwhile.
        let at = (Stage::Reading, reader.rows_done, reader.total.max(reader.rows_done));
        let (settled, _) = crate::progress::beating(progress, at, None, || {
            reader.finish().map(|(mapping, file, warnings)| (mapping, file.finish(), warnings))
        });
        let (mapping, mut out, mut warnings) = settled?;
        warnings.extend(source_warnings(src.notes()));
        if progress.cancelled() {
            return Err(Error::Cancelled);
        }
        withdrawn.append(&mut out.withdrawn);
        let report = finish_file(&mut set, path, src.format, mapping, out, warnings)?;
        reports.push(report);
    }
    progress.report(Stage::Reading, rows_done, rows_done);
    let orders = set.into_orders();
    warn_customer_lists_overlap(&orders, &mut reports);
    Ok(Dataset { sources: paths.to_vec(), orders, reports, withdrawn })
}

/// Imports rows already in memory as one file named `file` (one sheet), for callers that have the
/// cells from elsewhere (tests, the generator, a paste from the clipboard).
///
/// # Errors
/// As `import_files`, except the errors of opening a file.
pub fn import_rows(
    file: &str,
    rows: impl IntoIterator<Item = (usize, Vec<Cell>)>,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<Dataset> {
    let rules = options.rules.clone().unwrap_or_default();
    let mut set = OrderSet::new();
    let path = PathBuf::from(file);
    let sheet = options.sheet.clone().unwrap_or_else(|| "Sheet1".to_owned());
    let mut reader = FileReader::new(&path, options, &rules, &set, 0, progress, 0);
    reader.begin_sheet(&sheet, options.header_row.map(|h| h as usize));
    for (i, cells) in rows {
        reader.row(i, &cells)?;
    }
    reader.end_sheet()?;
    let (mapping, file_orders, warnings) = reader.finish()?;
    let mut out = file_orders.finish();
    let withdrawn = std::mem::take(&mut out.withdrawn);
    let report = finish_file(&mut set, &path, Format::Csv, mapping, out, warnings)?;
    Ok(Dataset { sources: vec![path], orders: set.into_orders(), reports: vec![report], withdrawn })
}

/// Two customer-level files with the same customers are added up (two stores' lists), which is
/// wrong when they are two snapshots of one store's cumulative totals; only the user knows, so say it.
fn warn_customer_lists_overlap(orders: &[Order], reports: &mut [ImportReport]) {
    let customer_level: Vec<bool> = reports.iter().map(|r| r.mapping.level == Level::Customers).collect();
    if customer_level.iter().filter(|c| **c).count() < 2 {
        return;
    }
    let mut first_source: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let mut overlaps: BTreeMap<u32, u64> = BTreeMap::new();
    for o in orders {
        if !customer_level.get(o.source as usize).copied().unwrap_or(false) {
            continue;
        }
        let first = *first_source.entry(o.customer_key.as_str()).or_insert(o.source);
        if first != o.source {
            *overlaps.entry(o.source).or_insert(0) += 1;
        }
    }
    for (source, n) in overlaps {
        if let Some(r) = reports.get_mut(source as usize) {
            r.warnings.push(Warning::new(
                "customer_lists_overlap",
                format!("{n} 个客户也出现在之前导入的客户汇总表中，累计金额和次数已相加。如果这是同一店铺不同时间的累计表，请只导入最新的一份。"),
                format!("{n} customers also appear in an earlier customer list; their totals were added up. If both are cumulative snapshots of one shop, import only the latest."),
            ));
        }
    }
}

/// Rows read from the top of a sheet to find its header (and to sample values for warnings).
const HEAD_ROWS: usize = HEADER_SEARCH_ROWS;

/// How often (in rows) progress is reported and cancellation checked: 2,048 rows are ~20 ms of reading
/// on an idle machine, so a loaded one still reports within 200 ms (issue 10 item 5).
const PROGRESS_EVERY: u64 = 2048;

/// Fewer bytes of file per row than this and a declared row count is not believed when making
/// room for the orders (see `FileOrders::reserve`).
const MIN_BYTES_PER_ROW: u64 = 16;

/// The sheets to read, in order, each with its header row when already known.
fn plan_sheets(src: &mut Source, path: &Path, options: &ImportOptions) -> Result<Vec<(String, Option<usize>)>> {
    let names = src.sheet_names().to_vec();
    let header = options.header_row.map(|h| h as usize);
    if let Some(sheet) = &options.sheet {
        if !names.iter().any(|n| n == sheet) {
            return Err(Error::SheetNotFound { path: path.to_owned(), sheet: sheet.clone() });
        }
        return Ok(vec![(sheet.clone(), header)]);
    }
    if names.len() <= 1 {
        return Ok(names.into_iter().map(|n| (n, header)).collect());
    }
    // Several sheets: the best header wins; sheets with the same header continue it.
    let mut heads = Vec::with_capacity(names.len());
    let mut headerless: Option<String> = None;
    for name in &names {
        let head = read_head(src, name, HEAD_ROWS)?;
        let found = locate_header(&head, header);
        let score = found.and_then(|i| head.get(i)).map_or(0, |(_, cells)| header_score(cells));
        let keys: Vec<String> = found
            .and_then(|i| head.get(i))
            .map(|(_, cells)| cells.iter().map(|c| mapping::match_key(&mapping::display_header(c))).collect())
            .unwrap_or_default();
        let row = found.and_then(|i| head.get(i)).map(|(r, _)| *r);
        if found.is_none() && header.is_none() && headerless.is_none() && inferred_header(&head).is_some() {
            headerless = Some(name.clone());
        }
        heads.push((name.clone(), score, keys, row));
    }
    let best = heads.iter().enumerate().max_by(|a, b| a.1 .1.cmp(&b.1 .1).then(b.0.cmp(&a.0))).map(|(i, _)| i);
    let Some(best) = best.filter(|i| heads.get(*i).is_some_and(|h| h.1 > 0)) else {
        // No sheet has a header: the first whose rows are bare transactions (Excel's default
        // workbook keeps its empty Sheet2 and Sheet3 beside them) is read by its values.
        return headerless.map(|name| vec![(name, None)]).ok_or_else(|| Error::NoHeader { path: path.to_owned() });
    };
    let best_keys = heads[best].2.clone();
    Ok(heads
        .into_iter()
        .enumerate()
        .filter(|(i, h)| *i == best || (h.1 > 0 && trim_keys(&h.2) == trim_keys(&best_keys)))
        .map(|(_, (name, _, _, row))| (name, row))
        .collect())
}

/// Header keys without trailing empty columns (continuation sheets may be narrower by blanks).
fn trim_keys(keys: &[String]) -> &[String] {
    let end = keys.iter().rposition(|k| !k.is_empty()).map_or(0, |i| i + 1);
    &keys[..end]
}

/// What the readers noticed about a file, as warnings for the report.
fn source_warnings(notes: &SourceNotes) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if let Some(row) = notes.columns_dropped_at_row {
        warnings.push(Warning::new(
            "columns_dropped",
            format!("第 {row} 行起有超过 16,384 列（Excel 的上限）的单元格，这些列没有读取。"),
            format!("From row {row} on, cells past column 16,384 (Excel's limit) were not read."),
        ));
    }
    if notes.characters_replaced {
        warnings.push(Warning::new(
            "characters_replaced",
            "文件中有少量无法识别的字符（例如被截断的表情符号），已显示为“�”。",
            "A few characters could not be decoded (e.g. a cut-off emoji); they are shown as \"�\".",
        ));
    }
    if !notes.duplicate_sheets.is_empty() {
        let names = notes.duplicate_sheets.join("、");
        warnings.push(Warning::new(
            "duplicate_sheets",
            format!("工作表“{names}”与前面的工作表指向同一份数据，只读取了一次。"),
            format!("Sheets \"{names}\" point at the same data as an earlier sheet; it was read once."),
        ));
    }
    warnings
}

/// The first `n` rows of a sheet (with their 0-based indices).
fn read_head(src: &mut Source, sheet: &str, n: usize) -> Result<Vec<(usize, Vec<Cell>)>> {
    let mut head = Vec::with_capacity(n);
    src.for_each_row(sheet, &mut |i, cells| {
        head.push((i, cells.to_vec()));
        Ok(head.len() < n)
    })?;
    Ok(head)
}

/// The position in `head` of the header: the row with index `forced` if given, else the best match.
fn locate_header(head: &[(usize, Vec<Cell>)], forced: Option<usize>) -> Option<usize> {
    if let Some(h) = forced {
        return head.iter().position(|(i, _)| *i == h);
    }
    let rows: Vec<Vec<Cell>> = head.iter().take(HEADER_SEARCH_ROWS).map(|(_, c)| c.clone()).collect();
    detect_header(&rows).map(|(i, _)| i)
}

/// Where a sheet's column names are.
enum HeaderAt {
    /// In the row at this position of the head.
    Row(usize),
    /// Nowhere: the first row is already data, and these names were inferred from the values.
    Inferred(Vec<Cell>),
}

impl HeaderAt {
    /// Position in the head of the first data row.
    fn data_from(&self) -> usize {
        match self {
            HeaderAt::Row(pos) => pos + 1,
            HeaderAt::Inferred(_) => 0,
        }
    }
}

/// The header of a sheet's first rows: the row that names its columns, else (unless the user chose
/// a header row) names inferred from rows that are all data.
fn find_header(head: &[(usize, Vec<Cell>)], forced: Option<usize>) -> Option<HeaderAt> {
    if let Some(pos) = locate_header(head, forced) {
        return Some(HeaderAt::Row(pos));
    }
    if forced.is_some() {
        return None;
    }
    inferred_header(head).map(HeaderAt::Inferred)
}

/// Column names inferred from a head whose rows are all data (see [`mapping::infer_header`]).
fn inferred_header(head: &[(usize, Vec<Cell>)]) -> Option<Vec<Cell>> {
    let rows: Vec<Vec<Cell>> = head.iter().take(HEADER_SEARCH_ROWS).map(|(_, c)| c.clone()).collect();
    mapping::infer_header(&rows)
}

/// What [`build_mapping`] found out about a sheet.
struct Detected {
    mapping: Mapping,
    /// The rows after the header.
    sample: Vec<Vec<Cell>>,
    /// What the detection decided on its own (inferred header, switched columns …).
    notes: Vec<Warning>,
    /// The day last purchases are dated back from, for a sheet with days since them and no date
    /// column (see `FileOrders::recency_reference`): read once, for the note and the import alike.
    recency_day: Option<chrono::NaiveDate>,
}

/// Detects the mapping from the sheet's header, applies the user's overrides, and returns it with
/// the rows after the header as a sample.
fn build_mapping(
    path: &Path,
    sheet: &str,
    head: &[(usize, Vec<Cell>)],
    header: &HeaderAt,
    options: &ImportOptions,
) -> Result<Detected> {
    let (header_index, header_cells) = match header {
        HeaderAt::Row(pos) => {
            let (index, cells) = head.get(*pos).ok_or_else(|| Error::NoHeader { path: path.to_owned() })?;
            (*index as u32, cells)
        }
        HeaderAt::Inferred(cells) => (0, cells),
    };
    let sample: Vec<Vec<Cell>> = head.iter().skip(header.data_from()).map(|(_, c)| c.clone()).collect();
    let mut m = mapping::detect(sheet, header_index, header_cells, &sample);
    m.headerless = matches!(header, HeaderAt::Inferred(_));
    let switched = mapping::prefer_filled(&mut m, &sample);
    let dates_key = mapping::key_not_dates(&mut m, &sample);
    mapping::apply_overrides(&mut m, path, &options.roles, options.key.as_ref())?;
    let inferred = m.headerless.then(|| inferred_header_warning(&m));
    let recency = dates_back_from_recency(&m).map(|days| (days.header.clone(), file_day(path)));
    let recency_day = recency.as_ref().map(|(_, day)| *day);
    let notes = inferred
        .into_iter()
        .chain(recency.map(|(header, day)| recency_warning(&header, day)))
        .chain(dates_key.map(|(dates, used)| {
            Warning::new(
                "key_holds_dates",
                format!("“{dates}”列都是日期，不能区分客户，改用“{used}”作客户标识。"),
                format!("The \u{201c}{dates}\u{201d} column holds dates, not customers; \u{201c}{used}\u{201d} is the customer key instead."),
            )
        }))
        .chain(switched.into_iter().map(|(_, empty, used)| {
            Warning::new(
                "empty_column_skipped",
                format!("“{empty}”列是空的，改用“{used}”。"),
                format!("The \u{201c}{empty}\u{201d} column is empty; \u{201c}{used}\u{201d} is used instead."),
            )
        }))
        .collect();
    Ok(Detected { mapping: m, sample, notes, recency_day })
}

/// The days-since-last-purchase column the last purchases are dated back from: only in a sheet
/// without a date column.
fn dates_back_from_recency(m: &Mapping) -> Option<&mapping::Column> {
    m.column(Role::RecencyDays).filter(|_| m.column(Role::Date).is_none())
}

/// The day a file was last written (local time), which is when a list of days since the last
/// purchase was made as far as anyone can tell; today when the file system does not say.
fn file_day(path: &Path) -> chrono::NaiveDate {
    let written = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    written.map_or_else(chrono::Local::now, chrono::DateTime::<chrono::Local>::from).date_naive()
}

/// Says that the last purchases were dated back from the file's day, so that the dates in the lists
/// are read as what they are.
fn recency_warning(header: &str, day: chrono::NaiveDate) -> Warning {
    Warning::new(
        "recency_dated_back",
        format!("表中没有日期，“{header}”是距上次消费的天数：最近消费日期按文件的修改日期 {day} 倒推。分层只看各客户之间的先后，不受影响。"),
        format!(
            "The sheet has no dates; \u{201c}{header}\u{201d} gives days since the last purchase, so last purchases are dated back from the file's date, {day}. The tiers compare customers with each other and do not depend on it."
        ),
    )
}

/// What the import read a headerless file's columns as, column by column, so that a wrong guess is
/// seen (and changed in the mapping) before the tiers are trusted.
fn inferred_header_warning(m: &Mapping) -> Warning {
    let named: Vec<(u32, &str)> =
        m.columns.iter().filter(|c| c.role.is_some()).map(|c| (c.index + 1, c.header.as_str())).collect();
    let zh: Vec<String> = named.iter().map(|(n, h)| format!("第 {n} 列为{h}")).collect();
    let en: Vec<String> = named
        .iter()
        .map(|(n, h)| {
            let role = match *h {
                mapping::INFERRED_KEY => "the customer",
                mapping::INFERRED_DATE => "the date",
                mapping::INFERRED_QUANTITY => "the quantity",
                mapping::INFERRED_AMOUNT => "the amount",
                other => other,
            };
            format!("column {n} {role}")
        })
        .collect();
    Warning::new(
        "header_inferred",
        format!("文件没有表头（第一行就是数据），按各列的内容识别：{}。如不对，请在预览中修改各列的用途。", zh.join("，")),
        format!(
            "The file has no header (its first line is already data); from the values, {}. If that is wrong, change the columns' roles in the preview.",
            en.join(", ")
        ),
    )
}

/// What a user should know about the mapping before and after importing.
fn mapping_warnings(m: &Mapping, sample: &[Vec<Cell>], options: &ImportOptions) -> Vec<Warning> {
    let mut out = Vec::new();
    for alt in &m.alternatives {
        // An id-type key (买家ID, openid …) needs no note; a phone or nickname key does.
        if alt.role == Role::CustomerKey && m.column(Role::CustomerKey).is_some_and(|c| c.header == alt.chosen) {
            continue;
        }
        let others = alt.others.join("、");
        let (what_zh, what_en) = match alt.role {
            Role::Amount => ("金额", "amount"),
            Role::Date => ("日期", "date"),
            Role::CustomerKey => ("客户标识", "customer key"),
            _ => continue,
        };
        out.push(Warning::new(
            "column_choice",
            format!("{what_zh}列使用“{}”，未使用：{others}。如需更换，请在映射中修改。", alt.chosen),
            format!(
                "The {what_en} column is \u{201c}{}\u{201d}; not used: {others}. Change it in the mapping if needed.",
                alt.chosen
            ),
        ));
    }
    if options.key.is_none() {
        if let Some(suggestion) = mapping::masked_key_suggestion(m, sample) {
            let cols = suggestion.headers().join(" + ");
            let mut w = Warning::new(
                "masked_phone_key",
                format!("客户标识列是打码的手机号（如 138****1234），不同的人可能被合并为一个客户。建议改用组合标识：{cols}。"),
                format!("The customer key is a masked phone (e.g. 138****1234); different people may be merged into one customer. Suggested combined key: {cols}."),
            );
            w.suggestion = Some(suggestion);
            out.push(w);
        }
    }
    if let KeySpec::Column(h) = &m.key {
        if let Some(i) = mapping::find_column(m, h) {
            if m.columns.get(i).and_then(|c| c.role) == Some(Role::Name) {
                out.push(Warning::new(
                    "nickname_key",
                    format!("没有买家ID等唯一标识，按“{h}”区分客户；同名（如“微信用户”）会被合并。"),
                    format!("No unique buyer id; customers are told apart by \u{201c}{h}\u{201d}, so equal names (e.g. 微信用户) are merged."),
                ));
            }
            if mapping::is_key_of_last_resort(h) {
                out.push(Warning::new(
                    "bare_id_key",
                    format!("没有“客户ID”“会员ID”等列，按“{h}”列区分客户；如果它是订单或行的编号，请在映射中改选客户列。"),
                    format!("No customer or member id column; customers are told apart by \u{201c}{h}\u{201d}. If it numbers orders or rows, choose the customer column in the mapping."),
                ));
            }
        }
    }
    if m.level == Level::Customers {
        out.push(Warning::new(
            "customer_level",
            "这是客户汇总表（每行一个客户），按累计消费金额和消费次数分层。",
            "This is a customer-level sheet (one row per customer); tiers use the cumulative amount and purchase count.",
        ));
        if let Some(w) = constant_amount_warning(m, sample) {
            out.push(w);
        }
    }
    out
}

/// In a customer list every customer having spent the same is no list of spending: the amount
/// column is more likely a constant of the data set (Kaggle's marketing_campaign.csv has
/// `Z_Revenue` = 11 on every row). Said from the sample, for the user to check the mapping.
fn constant_amount_warning(m: &Mapping, sample: &[Vec<Cell>]) -> Option<Warning> {
    let column = m.column(Role::Amount)?;
    let i = column.index as usize;
    let amounts: Vec<f64> = sample.iter().filter_map(|r| r.get(i)).filter_map(cell::parse_number).collect();
    let first = *amounts.first()?;
    if amounts.len() < 10 || amounts.iter().any(|a| *a != first) {
        return None;
    }
    let h = &column.header;
    Some(Warning::new(
        "amount_constant",
        format!("金额列“{h}”在前 {} 行都是 {first}，可能不是客户的消费金额；请在映射中确认金额列。", amounts.len()),
        format!(
            "The amount column \u{201c}{h}\u{201d} is {first} on each of the first {} rows; it may not be what customers spent. Check the amount column in the mapping.",
            amounts.len()
        ),
    ))
}

/// Hashes the platform layout: orders are unique per (layout, order id). Two exports of one shop
/// share the order-id and key headers; two platforms almost never do.
fn fingerprint(m: &Mapping) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    m.column(Role::OrderId).map(|c| mapping::match_key(&c.header)).hash(&mut h);
    for k in m.key.headers() {
        mapping::match_key(k).hash(&mut h);
    }
    h.finish()
}

/// One file being read: buffers the top of each sheet until its header is known, then streams.
struct FileReader<'a> {
    path: &'a Path,
    options: &'a ImportOptions,
    rules: &'a StatusRules,
    set: &'a OrderSet,
    source: u32,
    progress: &'a dyn Progress,
    rows_done: u64,
    /// Expected rows for the progress bar (0 when unknown).
    total: u64,
    /// Orders to make room for at once (0: grow as they come).
    capacity: usize,
    mapping: Option<Mapping>,
    file: Option<FileOrders<'a>>,
    warnings: Vec<Warning>,
    sheet: String,
    forced_header: Option<usize>,
    buffer: Vec<(usize, Vec<Cell>)>,
    /// Once the current sheet's header is known: the index of the last row read before (the header,
    /// or the last of the buffered rows); every later row is data.
    data_after: Option<usize>,
}

impl<'a> FileReader<'a> {
    fn new(
        path: &'a Path,
        options: &'a ImportOptions,
        rules: &'a StatusRules,
        set: &'a OrderSet,
        source: u32,
        progress: &'a dyn Progress,
        rows_done: u64,
    ) -> Self {
        FileReader {
            path,
            options,
            rules,
            set,
            source,
            progress,
            rows_done,
            total: 0,
            capacity: 0,
            mapping: None,
            file: None,
            warnings: Vec::new(),
            sheet: String::new(),
            forced_header: None,
            buffer: Vec::new(),
            data_after: None,
        }
    }

    fn begin_sheet(&mut self, sheet: &str, header: Option<usize>) {
        self.sheet = sheet.to_owned();
        self.forced_header = header;
        self.buffer.clear();
        self.data_after = None;
    }

    fn row(&mut self, index: usize, cells: &[Cell]) -> Result<()> {
        self.rows_done += 1;
        if self.rows_done.is_multiple_of(PROGRESS_EVERY) {
            self.progress.report(Stage::Reading, self.rows_done, self.total.max(self.rows_done));
            if self.progress.cancelled() {
                return Err(Error::Cancelled);
            }
        }
        match self.data_after {
            Some(h) => {
                if index > h {
                    if let Some(f) = self.file.as_mut() {
                        f.push_row(index, cells);
                    }
                }
                Ok(())
            }
            None => {
                self.buffer.push((index, cells.to_vec()));
                let wanted = self.forced_header.map_or(HEAD_ROWS, |h| h + HEAD_ROWS);
                if self.buffer.len() >= wanted {
                    self.resolve()?;
                }
                Ok(())
            }
        }
    }

    fn end_sheet(&mut self) -> Result<()> {
        if self.data_after.is_none() {
            self.resolve()?;
        }
        Ok(())
    }

    /// Finds the header in the buffer, builds the mapping (first sheet) and replays the buffered rows.
    fn resolve(&mut self) -> Result<()> {
        let buffer = std::mem::take(&mut self.buffer);
        let found = if self.mapping.is_some() {
            locate_header(&buffer, self.forced_header).map(HeaderAt::Row)
        } else {
            find_header(&buffer, self.forced_header)
        };
        let Some(at) = found else {
            if self.mapping.is_some() {
                // A continuation sheet without its own header: every row is data.
                self.data_after = Some(0);
                if let Some(f) = self.file.as_mut() {
                    for (i, cells) in &buffer {
                        f.push_row(*i, cells);
                    }
                }
                return Ok(());
            }
            return Err(Error::NoHeader { path: self.path.to_owned() });
        };
        // Rows after the buffer are data: their indices are past the header and every buffered row.
        let last_read = buffer.last().map_or(0, |(i, _)| *i);
        if self.mapping.is_none() {
            let Detected { mapping: m, sample, notes, recency_day } =
                build_mapping(self.path, &self.sheet, &buffer, &at, self.options)?;
            self.check_columns(&m)?;
            self.warnings = notes;
            self.warnings.extend(mapping_warnings(&m, &sample, self.options));
            let fp = fingerprint(&m);
            let mut file = FileOrders::new(self.set, self.source, fp, Resolved::new(&m), m.level, self.rules)
                .skip_zero_amount(self.options.skip_zero_amount);
            if let Some(day) = recency_day {
                file = file.recency_reference(day);
            }
            file.reserve(self.capacity);
            self.file = Some(file);
            self.mapping = Some(m);
        }
        self.data_after = Some(last_read);
        if let Some(f) = self.file.as_mut() {
            for (i, cells) in buffer.iter().skip(at.data_from()) {
                f.push_row(*i, cells);
            }
        }
        Ok(())
    }

    /// The columns an import cannot do without.
    fn check_columns(&self, m: &Mapping) -> Result<()> {
        let path = self.path.to_owned();
        // Without an amount column, quantity × unit price makes each row's amount.
        if m.column(Role::Amount).is_none() && m.column(Role::UnitPrice).is_none() {
            return Err(Error::NoAmountColumn { path, columns: m.header_list() });
        }
        if Resolved::new(m).key.is_empty() {
            return Err(Error::NoKeyColumn { path, columns: m.header_list() });
        }
        if m.column(Role::Date).is_none() && m.column(Role::RecencyDays).is_none() {
            return Err(Error::NoDateColumn { path, columns: m.header_list() });
        }
        Ok(())
    }

    fn finish(self) -> Result<(Mapping, FileOrders<'a>, Vec<Warning>)> {
        match (self.mapping, self.file) {
            (Some(m), Some(f)) => Ok((m, f, self.warnings)),
            _ => Err(Error::NoHeader { path: self.path.to_owned() }),
        }
    }
}

/// Adds a file's orders to the set and writes its report; the file-level errors are decided here.
fn finish_file(
    set: &mut OrderSet,
    path: &Path,
    format: Format,
    mapping: Mapping,
    mut out: FileOutcome,
    mut warnings: Vec<Warning>,
) -> Result<ImportReport> {
    // A rejected file fails the whole import, so adding before the checks leaves nothing half-done.
    set.add(&mut out);
    if out.data_rows == 0 {
        return Err(Error::NoDataRows { path: path.to_owned(), sheet: mapping.sheet.clone() });
    }
    if out.amount_readable == 0 {
        let column = mapping
            .column(Role::Amount)
            .or_else(|| mapping.column(Role::UnitPrice))
            .map(|c| c.header.clone())
            .unwrap_or_default();
        let (example_row, example) =
            out.amount_example.clone().unwrap_or((mapping.first_data_line(), "（空）".to_owned()));
        return Err(Error::AmountsUnreadable { path: path.to_owned(), column, example_row, example });
    }
    let duplicates = out.skipped.iter().find(|s| s.reason == SkipReason::Duplicate).map_or(0, |s| s.count);
    if out.orders_kept == 0 && duplicates == 0 {
        let detail = out
            .skipped
            .iter()
            .filter(|s| !matches!(s.reason, SkipReason::Blank | SkipReason::TotalsRow))
            .map(|s| match (&s.reason, &out.too_large_example) {
                (SkipReason::AmountTooLarge, Some((row, text))) => {
                    format!("{} {} 行（例如第 {row} 行：“{text}”）", s.reason.label(Lang::Zh), s.count)
                }
                _ => format!("{} {} 行", s.reason.label(Lang::Zh), s.count),
            })
            .collect::<Vec<_>>()
            .join("，");
        return Err(Error::NoValidOrders { path: path.to_owned(), detail });
    }
    let too_large = out.skipped.iter().find(|s| s.reason == SkipReason::AmountTooLarge).map_or(0, |s| s.count);
    if let (true, Some((row, text))) = (too_large > 0, &out.too_large_example) {
        warnings.push(Warning::new(
            "amount_too_large",
            format!("{too_large} 个订单的金额超过每单 ¥1 亿的上限（例如第 {row} 行：“{text}”），不可能是真实订单，未计入。请检查文件中的这些行。"),
            format!("{too_large} orders have amounts above the ceiling of ¥100,000,000 per order (e.g. row {row}: \u{201c}{text}\u{201d}); they cannot be real orders and were left out. Check those rows in the file."),
        ));
    }
    let unreadable = out.amount_cells.saturating_sub(out.amount_readable);
    if unreadable > 0 {
        if let Some((row, text)) = &out.amount_example {
            warnings.push(Warning::new(
                "amounts_unreadable",
                format!("{unreadable} 个金额无法识别（例如第 {row} 行：“{text}”），这些行未计入。"),
                format!("{unreadable} amounts could not be read (e.g. row {row}: \u{201c}{text}\u{201d}); those rows were skipped."),
            ));
        }
    }
    warnings.extend(out.warnings);
    Ok(ImportReport {
        file: path.display().to_string(),
        format,
        mapping,
        rows_read: out.rows_read,
        orders_kept: out.orders_kept,
        skipped: out.skipped,
        first_date: out.first_date,
        last_date: out.last_date,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{self, FileFormat, GenerateOptions, Layout};
    use crate::progress::NoProgress;

    /// The reading thread only moves work; orders, reports and withdrawn ids are the same with one
    /// thread (0) and with any batch size, down to one row per hand-over (the most interleaving).
    #[test]
    fn import_is_the_same_whatever_the_batch_size() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for (layout, format, name) in
            [(Layout::Wechat, FileFormat::Xlsx, "wechat.xlsx"), (Layout::Taobao, FileFormat::CsvGbk, "taobao.csv")]
        {
            let path = dir.path().join(name);
            let options = GenerateOptions {
                layout,
                format,
                orders: 4000,
                title_rows: true,
                totals_row: true,
                ..GenerateOptions::default()
            };
            generate::generate(&path, &options).unwrap();
            files.push(path);
        }
        let expected = import_files_batched(&files, &ImportOptions::default(), &NoProgress, 0).unwrap();
        assert!(expected.orders.len() > 4000, "two files of 4000 orders: {}", expected.orders.len());
        for batch_rows in [1, 3, 1024, 100_000] {
            let got = import_files_batched(&files, &ImportOptions::default(), &NoProgress, batch_rows).unwrap();
            assert!(got.orders == expected.orders, "orders differ with batch size {batch_rows}");
            assert_eq!(got.reports, expected.reports, "batch size {batch_rows}");
            assert_eq!(got.withdrawn, expected.withdrawn, "batch size {batch_rows}");
        }
    }
}

//! The IPC commands: thin adapters that unpack state, run the core off the main thread and map errors.
//!
//! Names and argument names are the UI's contract (`ui/src/api.ts`); arguments arrive camelCase from
//! JavaScript. Long work (import, export) reports on a `Channel<ProgressEvent>` and stops on `cancel_job`.

use std::path::PathBuf;

use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State, WebviewWindow};
use tierbook_core::campaign::{Audience, Campaign, CampaignReport, CampaignSpec};
use tierbook_core::catalogue::Catalogue;
use tierbook_core::classify::ClassifyParams;
use tierbook_core::contacts::{ContactList, ContactOptions};
use tierbook_core::export::ExportOptions;
use tierbook_core::history::Migration;
use tierbook_core::import::{self, ImportOptions, Preview};
use tierbook_core::rhythm::RhythmThresholds;
use tierbook_core::store::{ShopInfo, SnapshotInfo, SourceInfo};
use tierbook_core::ErrorCode;

use crate::error::ApiError;
use crate::progress::{ChannelProgress, ProgressEvent};
use crate::session::{ExportOutcome, ImportOutcome};
use crate::shops::{ShopList, ShopRestore};
use crate::state::{AppState, RecentFile};
use crate::view::{CustomerDetail, CustomerRow, Settings, TierView};

/// What the window shows before anything else.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AppInfo {
    pub version: String,
    /// The workspace file (it holds the settings; recent files and the sample sit beside it).
    pub workspace_path: String,
    /// The open shop's display name and workspace file name (in the data folder).
    pub shop_name: String,
    pub shop_file: String,
    /// The file shown in the title (the last one imported), if any.
    pub current_file: Option<String>,
    pub has_data: bool,
    pub lang: tierbook_core::Lang,
    /// Why the file the app was started with could not be opened.
    pub open_error: Option<ApiError>,
    /// Set when the end-to-end suite runs the app (`TIERBOOK_E2E=1`): the UI then exposes its
    /// file-choosing hook, because WebDriver cannot drive native file dialogs.
    pub e2e: bool,
}

/// Runs core work on the blocking pool so the window never freezes.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tauri::async_runtime::spawn_blocking(work).await.map_err(ApiError::internal)?
}

/// "客户分层助手 TierBook — 订单.xlsx"
fn set_title<R: Runtime>(window: &WebviewWindow<R>, file: Option<&str>) {
    let name = file.and_then(|f| std::path::Path::new(f).file_name()).map(|n| n.to_string_lossy().into_owned());
    let title = match name {
        Some(name) => format!("客户分层助手 TierBook — {name}"),
        None => "客户分层助手 TierBook".to_string(),
    };
    // A title that cannot be set is cosmetic; the import itself succeeded.
    let _ = window.set_title(&title);
}

/// Off the main thread: at start it waits for the last session to come back (`AppState::session`),
/// and the window must keep painting meanwhile.
#[tauri::command]
pub async fn app_info<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<AppInfo, ApiError> {
    let version = app.package_info().version.to_string();
    let state = state.inner().clone();
    blocking(move || {
        let session = state.session();
        Ok(AppInfo {
            version,
            workspace_path: state.workspace_path().display().to_string(),
            shop_name: state.shop_name(),
            shop_file: state.shop_file(),
            current_file: session.current_file.as_ref().map(|p| p.display().to_string()),
            has_data: session.classification.is_some(),
            lang: state.settings().lang,
            open_error: session.open_error.clone(),
            e2e: std::env::var_os("TIERBOOK_E2E").is_some_and(|v| v == "1"),
        })
    })
    .await
}

/// Every method with its defaults and ranges, segment rules, names, measures and error words: what the
/// UI builds its pickers from, so that it keeps no copy of them.
#[tauri::command]
pub fn catalogue() -> Catalogue {
    tierbook_core::catalogue::catalogue()
}

#[tauri::command]
pub async fn preview_source(path: String, options: ImportOptions) -> Result<Preview, ApiError> {
    blocking(move || Ok(import::preview(std::path::Path::new(&path), &options)?)).await
}

#[tauri::command]
pub async fn import_sources<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    paths: Vec<String>,
    options: ImportOptions,
    on_progress: Channel<ProgressEvent>,
) -> Result<ImportOutcome, ApiError> {
    let state = state.inner().clone();
    let progress = ChannelProgress::new(on_progress, state.start_job());
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let outcome = blocking(move || state.import(paths, options, &progress)).await?;
    set_title(&window, outcome.files.last().map(String::as_str));
    Ok(outcome)
}

#[tauri::command]
pub async fn open_sample<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    on_progress: Channel<ProgressEvent>,
) -> Result<ImportOutcome, ApiError> {
    let state = state.inner().clone();
    let progress = ChannelProgress::new(on_progress, state.start_job());
    let outcome = blocking(move || {
        let path = state.write_sample()?;
        state.import(vec![path], ImportOptions::default(), &progress)
    })
    .await?;
    set_title(&window, outcome.files.last().map(String::as_str));
    Ok(outcome)
}

#[tauri::command]
pub fn cancel_job(state: State<'_, AppState>) {
    state.cancel_job();
}

#[tauri::command]
pub fn recent_files(state: State<'_, AppState>) -> Vec<RecentFile> {
    state.recent_files()
}

#[tauri::command]
pub async fn classify(state: State<'_, AppState>, params: ClassifyParams) -> Result<TierView, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.classify(params)).await
}

#[tauri::command]
pub async fn current_view(state: State<'_, AppState>) -> Result<TierView, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.current_view()).await
}

#[tauri::command]
pub async fn customer_rows(state: State<'_, AppState>) -> Result<Vec<CustomerRow>, ApiError> {
    let state = state.inner().clone();
    blocking(move || {
        let mut rows = state.customer_rows()?;
        state.add_tier_history(&mut rows)?;
        Ok(rows)
    })
    .await
}

#[tauri::command]
pub async fn region_view(state: State<'_, AppState>) -> Result<crate::regions::RegionView, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.region_view()).await
}

#[tauri::command]
pub async fn product_view(state: State<'_, AppState>) -> Result<crate::products::ProductView, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.product_view()).await
}

/// Keys of the customers on screen who bought a product whose name or SKU contains `text`.
#[tauri::command]
pub async fn bought_keys(state: State<'_, AppState>, text: String) -> Result<Vec<String>, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.bought_keys(&text)).await
}

/// Writes the customers who bought a product containing `text` as a CSV list; returns the path.
#[tauri::command]
pub async fn export_buyers(state: State<'_, AppState>, path: String, text: String) -> Result<String, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.export_buyers(std::path::Path::new(&path), &text, state.settings().lang)).await
}

#[tauri::command]
pub async fn product_costs(state: State<'_, AppState>) -> Result<Vec<tierbook_core::store::ProductCost>, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.product_costs()).await
}

/// Sets (`unitCost` in fen) or clears (`null`) one product's unit cost.
#[tauri::command]
pub async fn set_unit_cost(
    state: State<'_, AppState>,
    product: String,
    sku: Option<String>,
    unit_cost: Option<i64>,
) -> Result<Vec<tierbook_core::store::ProductCost>, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.set_unit_cost(&product, sku.as_deref(), unit_cost)).await
}

/// Adds a cost table file (商品名称 or SKU, 成本价) to the workspace's cost table.
#[tauri::command]
pub async fn import_cost_table(
    state: State<'_, AppState>,
    path: String,
) -> Result<Vec<tierbook_core::store::ProductCost>, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.import_cost_table(std::path::Path::new(&path))).await
}

#[tauri::command]
pub async fn customer_detail(state: State<'_, AppState>, key: String) -> Result<CustomerDetail, ApiError> {
    let state = state.inner().clone();
    blocking(move || {
        let mut detail = state.customer_detail(&key)?;
        state.add_tier_history(std::slice::from_mut(&mut detail.row))?;
        Ok(detail)
    })
    .await
}

#[tauri::command]
pub async fn export_workbook(
    state: State<'_, AppState>,
    path: String,
    options: ExportOptions,
    csv: bool,
    on_progress: Channel<ProgressEvent>,
) -> Result<ExportOutcome, ApiError> {
    let state = state.inner().clone();
    let progress = ChannelProgress::new(on_progress, state.start_job());
    blocking(move || state.export(std::path::Path::new(&path), &options, csv, &progress)).await
}

/// Off the main thread: at start the settings are read with the workspace, on a worker.
#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, ApiError> {
    let state = state.inner().clone();
    blocking(move || Ok(state.settings())).await
}

#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> Result<(), ApiError> {
    let state = state.inner().clone();
    blocking(move || state.save_settings(settings)).await
}

#[tauri::command]
pub async fn list_sources(state: State<'_, AppState>) -> Result<Vec<SourceInfo>, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.sources()).await
}

#[tauri::command]
pub async fn remove_source(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    let state = state.inner().clone();
    blocking(move || state.remove_source(id)).await
}

#[tauri::command]
pub async fn list_snapshots(state: State<'_, AppState>) -> Result<Vec<SnapshotInfo>, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.snapshots()).await
}

#[tauri::command]
pub async fn save_snapshot(state: State<'_, AppState>, label: Option<String>) -> Result<SnapshotInfo, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.save_snapshot(label)).await
}

#[tauri::command]
pub async fn compare_snapshots(state: State<'_, AppState>, old: i64, new: i64) -> Result<Migration, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.compare(old, new)).await
}

#[tauri::command]
pub async fn list_shops(state: State<'_, AppState>) -> Result<ShopList, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.shops()).await
}

#[tauri::command]
pub async fn create_shop(state: State<'_, AppState>, name: String) -> Result<ShopInfo, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.create_shop(&name)).await
}

/// Opens another shop; the window then loads it again (`app_info`, settings, the current view).
#[tauri::command]
pub async fn switch_shop(state: State<'_, AppState>, file: String) -> Result<ShopList, ApiError> {
    let state = state.inner().clone();
    blocking(move || {
        state.switch_shop(&file)?;
        state.shops()
    })
    .await
}

#[tauri::command]
pub async fn rename_shop(state: State<'_, AppState>, file: String, name: String) -> Result<ShopInfo, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.rename_shop(&file, &name)).await
}

/// Backs the open shop up to `path` (chosen in the save dialog, or given by the e2e suite).
#[tauri::command]
pub async fn backup_shop(state: State<'_, AppState>, path: String) -> Result<String, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.backup_shop(std::path::Path::new(&path))).await
}

/// Restores the backup at `from` as a new shop (`name`, or the backup's own), or over the open shop
/// when `replace_current` (the UI asks first; a copy of the open shop is kept beside it).
#[tauri::command]
pub async fn restore_shop(
    state: State<'_, AppState>,
    from: String,
    name: Option<String>,
    replace_current: bool,
) -> Result<ShopRestore, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.restore_shop(std::path::Path::new(&from), name.as_deref(), replace_current)).await
}

/// The 本周该联系 list of the current classification for `options` (phones masked).
#[tauri::command]
pub async fn contact_list(state: State<'_, AppState>, options: ContactOptions) -> Result<ContactList, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.contact_list(options)).await
}

/// Writes the contact list as a CSV for SMS / 企业微信 tagging tools; returns the path written.
#[tauri::command]
pub async fn export_contacts(
    state: State<'_, AppState>,
    path: String,
    options: ContactOptions,
    keep_phones: bool,
) -> Result<String, ApiError> {
    let state = state.inner().clone();
    blocking(move || {
        let lang = state.settings().lang;
        state.export_contacts(std::path::Path::new(&path), options, lang, keep_phones)
    })
    .await
}

#[tauri::command]
pub async fn rhythm_thresholds(state: State<'_, AppState>) -> Result<RhythmThresholds, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.rhythm_thresholds()).await
}

#[tauri::command]
pub async fn save_rhythm_thresholds(state: State<'_, AppState>, thresholds: RhythmThresholds) -> Result<(), ApiError> {
    let state = state.inner().clone();
    blocking(move || state.save_rhythm_thresholds(thresholds)).await
}

#[tauri::command]
pub async fn list_campaigns(state: State<'_, AppState>) -> Result<Vec<Campaign>, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.campaigns()).await
}

#[tauri::command]
pub async fn create_campaign(
    state: State<'_, AppState>,
    spec: CampaignSpec,
    audience: Audience,
) -> Result<Campaign, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.create_campaign(spec, audience)).await
}

#[tauri::command]
pub async fn campaign_report(
    state: State<'_, AppState>,
    id: i64,
    window_days: u32,
) -> Result<CampaignReport, ApiError> {
    let state = state.inner().clone();
    blocking(move || state.campaign_report(id, window_days)).await
}

#[tauri::command]
pub async fn delete_campaign(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    let state = state.inner().clone();
    blocking(move || state.delete_campaign(id)).await
}

/// Shows `path` selected in the system file manager ("打开所在文件夹").
#[tauri::command]
pub fn reveal_path(path: String) -> Result<(), ApiError> {
    tauri_plugin_opener::reveal_item_in_dir(&path).map_err(|e| {
        ApiError::new(ErrorCode::RevealFailed, format!("无法打开文件夹：{e}。文件位于 {path}。"))
            .with("path", path.clone())
    })
}

/// The commands the window may call (one list for the app and the tests).
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app_info,
        catalogue,
        preview_source,
        import_sources,
        open_sample,
        cancel_job,
        recent_files,
        classify,
        current_view,
        customer_rows,
        customer_detail,
        region_view,
        product_view,
        bought_keys,
        export_buyers,
        product_costs,
        set_unit_cost,
        import_cost_table,
        export_workbook,
        get_settings,
        save_settings,
        list_sources,
        remove_source,
        list_snapshots,
        save_snapshot,
        compare_snapshots,
        contact_list,
        export_contacts,
        rhythm_thresholds,
        save_rhythm_thresholds,
        reveal_path,
        list_shops,
        create_shop,
        switch_shop,
        rename_shop,
        backup_shop,
        restore_shop,
        list_campaigns,
        create_campaign,
        campaign_report,
        delete_campaign,
    ]
}

/// The data folder: `TIERBOOK_DATA_DIR` when set (portable use, tests), else the platform's app data dir.
pub fn data_dir<R: Runtime>(app: &AppHandle<R>) -> PathBuf {
    if let Some(dir) = std::env::var_os("TIERBOOK_DATA_DIR") {
        return PathBuf::from(dir);
    }
    app.path().app_data_dir().unwrap_or_else(|_| std::env::temp_dir().join("tierbook"))
}

// The only module that talks to Tauri. Every command is wrapped in a typed function; every failure
// becomes an ApiError {code, message, details}; long jobs return {promise, cancel} and report progress
// through a Channel. Outside the desktop app (the Vite dev server in a plain browser) every command
// fails with `not_in_app`: the real core is the only backend (`npm run tauri dev` for live reload).

import { Channel, invoke, isTauri } from "@tauri-apps/api/core";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { open as openDialog, save as saveDialog } from "@tauri-apps/plugin-dialog";
import { ApiError, toApiError } from "./logic/errors";
import type {
  AppInfo,
  Audience,
  Campaign,
  CampaignReport,
  CampaignSpec,
  Catalogue,
  ClassifyParams,
  ContactList,
  ContactOptions,
  CustomerDetail,
  CustomerRow,
  ExportOptions,
  ExportOutcome,
  ImportOptions,
  ImportOutcome,
  Migration,
  Preview,
  ProgressEvent,
  RecentFile,
  RegionView,
  ProductView,
  ProductCost,
  RhythmThresholds,
  Settings,
  ShopInfo,
  ShopList,
  ShopRestore,
  SnapshotInfo,
  SourceInfo,
  TierView,
} from "./types";

/** File types the importer reads (DESIGN §4). */
export const SOURCE_EXTENSIONS = ["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "tsv", "txt"];

export interface Job<T> {
  promise: Promise<T>;
  cancel: () => Promise<void>;
}

/** What every command gives outside the desktop app: a plain browser has no core to call. */
const notInApp = (): Promise<never> =>
  Promise.reject(
    new ApiError("not_in_app", "请在 TierBook 桌面程序中使用。/ TierBook must run inside its desktop app."),
  );

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  if (!isTauri()) return notInApp();
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

function job<T>(cmd: string, args: Record<string, unknown>, onProgress?: (p: ProgressEvent) => void): Job<T> {
  // A Channel registers a callback with the app's IPC, so it is only made inside the app.
  const promise = isTauri()
    ? call<T>(cmd, { ...args, onProgress: new Channel<ProgressEvent>((p) => onProgress?.(p)) })
    : notInApp();
  return { promise, cancel: () => cancelJob() };
}

// ---- commands ----

export const appInfo = () => call<AppInfo>("app_info");
/** Methods, defaults, ranges, segment rules and names, measures, error words: the core's catalogue. */
export const catalogue = () => call<Catalogue>("catalogue");
export const previewSource = (path: string, options: ImportOptions) =>
  call<Preview>("preview_source", { path, options });
export const importSources = (paths: string[], options: ImportOptions, onProgress?: (p: ProgressEvent) => void) =>
  job<ImportOutcome>("import_sources", { paths, options }, onProgress);
export const openSample = (onProgress?: (p: ProgressEvent) => void) =>
  job<ImportOutcome>("open_sample", {}, onProgress);
export const cancelJob = () => call<void>("cancel_job");
export const recentFiles = () => call<RecentFile[]>("recent_files");
export const classify = (params: ClassifyParams) => call<TierView>("classify", { params });
/** The last classification as the shell holds it (no re-tiering), for the first paint. */
export const currentView = () => call<TierView>("current_view");
export const customerRows = () => call<CustomerRow[]>("customer_rows");
export const customerDetail = (key: string) => call<CustomerDetail>("customer_detail", { key });
export const regionView = () => call<RegionView>("region_view");
export const productView = () => call<ProductView>("product_view");
export const boughtKeys = (text: string) => call<string[]>("bought_keys", { text });
export const exportBuyers = (path: string, text: string) => call<string>("export_buyers", { path, text });
export const productCosts = () => call<ProductCost[]>("product_costs");
/** `unitCost` in fen; `null` removes the product's cost. */
export const setUnitCost = (product: string, sku: string | null, unitCost: number | null) =>
  call<ProductCost[]>("set_unit_cost", { product, sku, unitCost });
export const importCostTable = (path: string) => call<ProductCost[]>("import_cost_table", { path });
export const exportWorkbook = (
  path: string,
  options: ExportOptions,
  csv: boolean,
  onProgress?: (p: ProgressEvent) => void,
) => job<ExportOutcome>("export_workbook", { path, options, csv }, onProgress);
export const getSettings = () => call<Settings>("get_settings");
export const saveSettings = (settings: Settings) => call<void>("save_settings", { settings });
export const listSources = () => call<SourceInfo[]>("list_sources");
export const removeSource = (id: number) => call<void>("remove_source", { id });
export const listSnapshots = () => call<SnapshotInfo[]>("list_snapshots");
export const saveSnapshot = (label?: string | null) => call<SnapshotInfo>("save_snapshot", { label: label || null });
export const compareSnapshots = (oldId: number, newId: number) =>
  call<Migration>("compare_snapshots", { old: oldId, new: newId });
export const revealPath = (path: string) => call<void>("reveal_path", { path });
/** Shops (店铺): the workspaces of the data folder; `file` is a shop's identity. */
export const listShops = () => call<ShopList>("list_shops");
export const createShop = (name: string) => call<ShopInfo>("create_shop", { name });
export const switchShop = (file: string) => call<ShopList>("switch_shop", { file });
export const renameShop = (file: string, name: string) => call<ShopInfo>("rename_shop", { file, name });
export const backupShop = (path: string) => call<string>("backup_shop", { path });
/** As a new shop (`name`, or the backup's own), or over the open shop when `replaceCurrent` (ask first). */
export const restoreShop = (from: string, name: string | null, replaceCurrent: boolean) =>
  call<ShopRestore>("restore_shop", { from, name, replaceCurrent });
/** The 本周该联系 list (phones masked), ranked by the core. */
export const contactList = (options: ContactOptions) => call<ContactList>("contact_list", { options });
/** Writes the contact list as a CSV for tagging tools; resolves to the path written. */
export const exportContacts = (path: string, options: ContactOptions, keepPhones: boolean) =>
  call<string>("export_contacts", { path, options, keepPhones });
export const rhythmThresholds = () => call<RhythmThresholds>("rhythm_thresholds");
export const saveRhythmThresholds = (thresholds: RhythmThresholds) =>
  call<void>("save_rhythm_thresholds", { thresholds });
export const listCampaigns = () => call<Campaign[]>("list_campaigns");
/** Marks `audience` as contacted (a tier or segment of the classification on screen, or keys), holdout drawn by the core. */
export const createCampaign = (spec: CampaignSpec, audience: Audience) =>
  call<Campaign>("create_campaign", { spec, audience });
export const campaignReport = (id: number, windowDays: number) =>
  call<CampaignReport>("campaign_report", { id, windowDays });
export const deleteCampaign = (id: number) => call<void>("delete_campaign", { id });

// ---- window, dialogs, drag and drop ----

/** Sets the window title ("客户分层助手 — orders.xlsx"); the document title follows for the browser. */
export async function setWindowTitle(title: string): Promise<void> {
  document.title = title;
  if (!isTauri()) return;
  try {
    await getCurrentWindow().setTitle(title);
  } catch {
    // Without the set-title permission the document title is all we can do; not worth an error dialog.
  }
}

/** The open-file dialog with the spreadsheet filters; `null` when the user closes it. */
export async function pickSourceFiles(filterName: string): Promise<string[] | null> {
  if (!isTauri()) return null;
  try {
    const picked = await openDialog({
      multiple: true,
      directory: false,
      filters: [{ name: filterName, extensions: SOURCE_EXTENSIONS }],
    });
    if (picked === null) return null;
    return Array.isArray(picked) ? picked : [picked];
  } catch (e) {
    throw toApiError(e);
  }
}

/** The save dialog for the workbook; `null` when the user closes it. */
export async function pickExportPath(defaultName: string, filterName: string): Promise<string | null> {
  if (!isTauri()) return null;
  try {
    return await saveDialog({ defaultPath: defaultName, filters: [{ name: filterName, extensions: ["xlsx"] }] });
  } catch (e) {
    throw toApiError(e);
  }
}

/** The save dialog for a shop backup; `null` when the user closes it. */
export async function pickBackupPath(defaultName: string, filterName: string): Promise<string | null> {
  if (!isTauri()) return null;
  try {
    return await saveDialog({ defaultPath: defaultName, filters: [{ name: filterName, extensions: ["tierbook"] }] });
  } catch (e) {
    throw toApiError(e);
  }
}

/** The open dialog for a backup to restore (any file: the core checks what it is); `null` when closed. */
export async function pickBackupFile(filterName: string): Promise<string | null> {
  if (!isTauri()) return null;
  try {
    const picked = await openDialog({
      multiple: false,
      directory: false,
      filters: [
        { name: filterName, extensions: ["tierbook", "bak"] },
        { name: "*", extensions: ["*"] },
      ],
    });
    return Array.isArray(picked) ? (picked[0] ?? null) : picked;
  } catch (e) {
    throw toApiError(e);
  }
}

/** The save dialog for a CSV list; `null` when the user closes it. */
export async function pickCsvPath(defaultName: string, filterName: string): Promise<string | null> {
  if (!isTauri()) return null;
  try {
    return await saveDialog({ defaultPath: defaultName, filters: [{ name: filterName, extensions: ["csv"] }] });
  } catch (e) {
    throw toApiError(e);
  }
}

export type DropEvent = { type: "over" } | { type: "leave" } | { type: "drop"; paths: string[] };

/** Files dragged onto the window (Tauri gives real paths; a browser drop does not). Returns an unlisten function. */
export async function onFileDrop(handler: (e: DropEvent) => void): Promise<() => void> {
  if (!isTauri()) return () => {};
  try {
    return await getCurrentWebview().onDragDropEvent((event) => {
      const p = event.payload;
      if (p.type === "enter" || p.type === "over") handler({ type: "over" });
      else if (p.type === "leave") handler({ type: "leave" });
      else if (p.type === "drop") handler({ type: "drop", paths: p.paths });
    });
  } catch {
    return () => {};
  }
}

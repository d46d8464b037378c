// App-wide state shared by the screens: what is imported, the current method form, the current
// classification and customer rows, settings. Screens call these actions; only api.ts talks to Tauri.

import { nextTick, reactive, shallowRef, toRaw } from "vue";
import * as api from "./api";
import { i18n, langOf, localeOf } from "./i18n";
import {
  buildMethod,
  buildParams,
  debounce,
  defaultForm,
  formFromMethod,
  validateForm,
  type MethodForm,
} from "./logic/methods";
import {
  buildScoreCuts,
  buildWindow,
  defaultWindowForm,
  scoreBins,
  validateWindowForm,
  windowFormFrom,
} from "./logic/window";
import { describeError, isCancelled, toApiError, type ErrorText } from "./logic/errors";
import { request } from "./logic/request";
import { baseName } from "./logic/format";
import { sourcesLabel, windowTitle } from "./logic/shops";
import type {
  AppInfo,
  Audience,
  Catalogue,
  CustomerRow,
  ImportOutcome,
  Lang,
  Settings,
  ShopList,
  Tier,
  TierView,
} from "./types";

export type Screen =
  | "import"
  | "tiers"
  | "customers"
  | "contacts"
  | "campaigns"
  | "export"
  | "history"
  | "regions"
  | "products"
  | "settings";

/** The core's catalogue (methods, defaults, ranges, segments, error words), fetched once before mount. */
let loadedCatalogue: Catalogue | null = null;

/** The catalogue; `loadCatalogue` has run before any screen exists (see main.ts). */
export function catalogue(): Catalogue {
  if (!loadedCatalogue) throw new Error("the catalogue is not loaded yet");
  return loadedCatalogue;
}

/** The title, detail and advice shown for an error, in the current language. */
export function errorWords(err: unknown): ErrorText {
  const fallback = { title: i18n.global.t("errors.fallback.title"), hint: i18n.global.t("errors.fallback.hint") };
  return describeError(err, loadedCatalogue, lang(), fallback);
}

/** Fetches the catalogue and sets the form to its defaults. Called once by main.ts before mounting. */
export async function loadCatalogue(): Promise<void> {
  loadedCatalogue = await api.catalogue();
  state.form = defaultForm(loadedCatalogue);
}

export const state = reactive({
  screen: "import" as Screen,
  info: null as AppInfo | null,
  settings: null as Settings | null,
  /** Name of the file(s) last imported, for the title bar. */
  openFile: "" as string,
  outcome: null as ImportOutcome | null,
  /** Set from the catalogue by `loadCatalogue` before the app mounts. */
  form: null as unknown as MethodForm,
  asOf: null as string | null,
  /** The analysis window and the user's own R/F/M cut points (tiers screen, `logic/window.ts`). */
  windowForm: defaultWindowForm(),
  /** Segment → tier edits made on the tiers screen (on top of the saved defaults). */
  segmentTiers: {} as Record<string, Tier>,
  view: null as TierView | null,
  classifying: false,
  classifyError: null as unknown,
  hasData: false,
  /** Bumped after each successful classify so the history list refreshes. */
  generation: 0,
  dragging: false,
  busy: false,
  /** Why a file the app was started with could not be opened (shown on the import screen). */
  startupError: null as unknown,
  /** The shops (店铺) of the data folder, the open one marked; `refreshShops` reloads it. */
  shops: null as ShopList | null,
});

// ---- requests to one screen, from anywhere (shortcuts, drops, other screens, the e2e hook) ----

const importRequest = request<string[]>();
const exportRequest = request<string | null>();
const tierRequest = request<Tier>();

/** Opens 导入 and previews `paths`, as choosing them in the open dialog does (Ctrl+O, a drop, the e2e hook). */
export function importFiles(paths: string[]) {
  state.screen = "import";
  importRequest.send(paths);
}
/** For the import screen: carry out importFiles(). */
export const onImportFiles = importRequest.handle;

/** Opens 导出 and exports with the options on screen: to `path`, or to where the save dialog says (Ctrl+E). */
export function startExport(path: string | null = null) {
  state.screen = "export";
  if (state.hasData) exportRequest.send(path);
}
/** For the export screen: carry out startExport(). */
export const onStartExport = exportRequest.handle;

/** Opens 客户 showing the customers of one tier (the tiers screen's 「查看客户」). */
export function showCustomersOfTier(tier: Tier) {
  state.screen = "customers";
  tierRequest.send(tier);
}
/** For the customers screen: carry out showCustomersOfTier(). */
export const onShowCustomersOfTier = tierRequest.handle;

/** A new campaign asked for by another screen. */
export interface CampaignStart {
  audience: Audience;
  /** The audience in words for the campaign list ("本周该联系 · A类 · 该联系了"); the shell's words when absent. */
  description?: string;
  /** The campaign date to suggest (YYYY-MM-DD; the contact list's first day); today when absent. */
  date?: string;
}

const campaignRequest = request<CampaignStart>();

/** Opens 营销 with a new campaign for `audience` (a tier from the tiers screen, the customer list's rows,
 *  the contact list's rows). */
export function startCampaign(audience: Audience, more: Omit<CampaignStart, "audience"> = {}) {
  state.screen = "campaigns";
  campaignRequest.send({ audience, ...more });
}
/** For the campaigns screen: carry out startCampaign(). */
export const onStartCampaign = campaignRequest.handle;

/** Customer rows are big (100k objects): kept out of deep reactivity. */
export const rows = shallowRef<CustomerRow[]>([]);

export const lang = (): Lang => langOf(i18n.global.locale.value);

export function updateTitle() {
  void api.setWindowTitle(windowTitle(i18n.global.t("app.name"), state.info?.shop_name, state.openFile));
}

/** Reloads the list of shops (after a create, rename, restore or switch). */
export async function refreshShops(): Promise<void> {
  state.shops = await api.listShops();
}

/** Opens another shop: the shell swaps the workspace (refused with `busy` while a job runs), then the
 *  window starts over on what that shop holds, as at start. */
export async function openShop(file: string): Promise<void> {
  if (state.busy) return;
  state.shops = await api.switchShop(file);
  forgetShopData();
  await boot();
}

/** What the window showed of the previous shop. */
function forgetShopData() {
  state.outcome = null;
  state.view = null;
  state.hasData = false;
  state.openFile = "";
  state.asOf = null;
  state.windowForm = defaultWindowForm();
  state.segmentTiers = {};
  state.classifyError = null;
  state.startupError = null;
  state.form = defaultForm(catalogue());
  state.screen = "import";
  state.generation++;
  rows.value = [];
}

export async function setLanguage(l: Lang, persist = true) {
  i18n.global.locale.value = localeOf(l);
  document.documentElement.lang = l === "en" ? "en" : "zh-CN";
  updateTitle();
  if (persist && state.settings) {
    // From the data, not the proxy: nested proxies in a plain object would defeat structuredClone later.
    state.settings = { ...toRaw(state.settings), lang: l };
    await api.saveSettings(state.settings);
  }
}

/** Re-tiers with the current form; returns false when the form is invalid. */
/** Fetches every customer row of the current classification. Neither start-up nor re-classification
 *  waits for it: the tiers show as soon as they are computed and the list (every customer, by far the
 *  larger transfer at 100,000 customers) follows. Rows of an older request arriving late are dropped. */
let rowsRequest = 0;
async function refreshRows(): Promise<void> {
  const mine = ++rowsRequest;
  try {
    const fresh = await api.customerRows();
    if (mine === rowsRequest) rows.value = fresh;
  } catch {
    // The next classification fetches them again; the tiers on screen are still right.
  }
}

export async function reclassify(): Promise<boolean> {
  if (validateForm(state.form).length) return false;
  if (validateWindowForm(state.windowForm, scoreBins(buildMethod(state.form))).length) return false;
  state.classifying = true;
  try {
    const params = buildParams(state.form, catalogue(), {
      as_of: state.asOf,
      segment_tiers: { ...(state.settings?.default_params.segment_tiers ?? {}), ...state.segmentTiers },
      segment_names: state.settings?.segment_names,
      window: buildWindow(state.windowForm),
      score_cuts: buildScoreCuts(state.windowForm),
    });
    state.view = await api.classify(params);
    void refreshRows();
    state.hasData = true;
    state.classifyError = null;
    state.generation++;
    return true;
  } catch (e) {
    state.classifyError = e;
    if (toApiError(e).code === "no_customers") {
      state.hasData = false;
      state.view = null;
      rowsRequest++; // a late answer must not bring rows back
      rows.value = [];
    }
    return false;
  } finally {
    state.classifying = false;
  }
}

/** Debounced for sliders and number inputs (~150 ms). */
export const reclassifySoon = debounce(() => void reclassify(), 150);

export function afterImport(outcome: ImportOutcome, fileLabel: string) {
  state.outcome = outcome;
  state.openFile = fileLabel;
  updateTitle();
}

/** Starts the app: info, settings (language, default method), and the workspace's last data if any. */
/** The start's questions to the shell, asked together (none depends on another's answer) as soon as the
 *  page runs, instead of one after another once the window is mounted: each is a round trip. */
let early: { info: Promise<AppInfo>; settings: Promise<Settings>; view: Promise<TierView> } | null = null;
export function askEarly() {
  early = { info: api.appInfo(), settings: api.getSettings(), view: api.currentView() };
  // Answered by `boot`; a failure here is handled there (the view's when the workspace has no data).
  for (const p of Object.values(early)) p.catch(() => undefined);
}

export async function boot() {
  const asked = early;
  early = null;
  try {
    state.info = await (asked?.info ?? api.appInfo());
  } catch {
    state.info = null;
  }
  try {
    state.settings = await (asked?.settings ?? api.getSettings());
    await setLanguage(state.settings.lang, false);
    if (state.settings.default_params?.method) {
      state.form = formFromMethod(state.settings.default_params.method, defaultForm(catalogue()));
    }
  } catch {
    state.settings = null;
  }
  if (state.info?.current_file) state.openFile = baseName(state.info.current_file);
  void refreshShops().catch(() => {
    /* the switcher shows the open shop's name from app_info meanwhile */
  });
  if (state.info?.open_error) state.startupError = state.info.open_error;
  let hasData = state.info?.has_data ?? false;
  if (!state.info) {
    // app_info failed: ask the workspace directly whether anything was imported.
    try {
      const sources = await api.listSources();
      hasData = sources.length > 0;
      if (!state.openFile) state.openFile = sourcesLabel(sources);
    } catch {
      /* no workspace: stay on the import screen */
    }
  } else if (hasData && !state.openFile) {
    // A workspace opened with data (a restart, another shop) has no file of this session: name what it
    // holds from its imports, so the sidebar does not say "no data yet" over the tiers. Not awaited:
    // the tiers do not wait for a label.
    void api
      .listSources()
      .then((sources) => {
        if (!state.openFile) state.openFile = sourcesLabel(sources);
      })
      .catch(() => {
        /* the label stays empty; the data on screen is right */
      });
  }
  if (hasData) {
    try {
      // Show what the shell already holds, in the method it was classified with.
      const view = await (asked?.view ?? api.currentView());
      state.form = formFromMethod(view.params.method, state.form);
      state.asOf = view.params.as_of;
      state.windowForm = windowFormFrom(view.params.window, view.params.score_cuts);
      state.view = view;
      void refreshRows();
      state.hasData = true;
      // Read by tests/e2e/specs/perf.e2e.ts: the answer is here, then the frame that shows the tiers.
      performance.mark("tb:view");
      void nextTick(() => requestAnimationFrame(() => performance.mark("tb:painted")));
    } catch {
      await reclassify();
    }
    if (state.hasData) state.screen = "tiers";
  }
  updateTitle();
}

export { isCancelled };

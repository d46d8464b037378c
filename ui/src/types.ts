// The IPC contract as the UI sees it: mirrors crates/core/src/*.rs (serde shapes) and the shell's
// command DTOs. One place, so switching to the ts-rs bindings in src/bindings/ is a one-file change.
// Money: `Cents` fields are fen (1/100 yuan) as in the core; CustomerRow money is yuan (the shell's DTO).

export type Cents = number;
export type Tier = "A" | "B" | "C" | "D";
export type Lang = "zh" | "en";
export const TIERS: Tier[] = ["A", "B", "C", "D"];

export interface Text {
  zh: string;
  en: string;
}

export type Format = "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" | "csv" | "tsv" | "html";

export type Role =
  | "customer_key"
  | "order_id"
  | "sub_order_id"
  | "date"
  | "amount"
  | "refund"
  | "status"
  | "after_sales"
  | "quantity"
  | "name"
  | "phone"
  | "receiver"
  | "order_count"
  | "first_date"
  | "interactions";

export const ROLES: Role[] = [
  "customer_key",
  "order_id",
  "sub_order_id",
  "date",
  "amount",
  "refund",
  "status",
  "after_sales",
  "quantity",
  "name",
  "phone",
  "receiver",
  "order_count",
  "first_date",
  "interactions",
];

export interface Column {
  index: number;
  header: string;
  role: Role | null;
}

export type KeySpec = { kind: "column"; columns: string } | { kind: "combined"; columns: string[] };

export type Level = "orders" | "customers";

/** Several columns could play one role: the chosen one and the others passed over. */
export interface Alternative {
  role: Role;
  chosen: string;
  others: string[];
}

export interface Mapping {
  sheet: string;
  header_row: number;
  columns: Column[];
  key: KeySpec;
  level: Level;
  alternatives?: Alternative[];
}

export type Effect = "count" | "exclude" | "refunded";
export interface StatusRule {
  pattern: string;
  effect: Effect;
}
export interface StatusRules {
  rules: StatusRule[];
}

export interface ImportOptions {
  sheet?: string | null;
  header_row?: number | null;
  roles?: Record<string, Role | null>;
  key?: KeySpec | null;
  rules?: StatusRules | null;
}

export type SkipReason =
  | "closed"
  | "refunded"
  | "no_customer_key"
  | "unreadable_amount"
  | "unreadable_date"
  | "totals_row"
  | "duplicate"
  | "blank";

export interface Skipped {
  reason: SkipReason;
  count: number;
  example_rows: number[];
}

export interface Warning {
  code: string;
  text: Text;
  /** A key the user can switch to with one click (masked phone + receiver); sent back as ImportOptions.key. */
  suggestion?: KeySpec | null;
}

export interface ImportReport {
  file: string;
  format: Format;
  mapping: Mapping;
  rows_read: number;
  orders_kept: number;
  skipped: Skipped[];
  first_date: string | null;
  last_date: string | null;
  warnings: Warning[];
}

export interface Preview {
  file: string;
  format: Format;
  sheets: string[];
  mapping: Mapping;
  rows: string[][];
  warnings: Warning[];
}

export interface SourceInfo {
  id: number;
  file_name: string;
  path: string;
  size: number;
  sha256?: string;
  imported_at: string;
  rows: number;
  orders_added: number;
  orders_known: number;
  mapping_reused: boolean;
  report?: ImportReport;
}

/**
 * What an import did. The workspace fields (new/known orders, unchanged files, sources) come from the
 * store; the session fields (files, orders, customers, view) from the shell. Either set may be absent.
 */
export interface ImportOutcome {
  reports: ImportReport[];
  new_orders?: number;
  known_orders?: number;
  unchanged_files?: string[];
  sources?: SourceInfo[];
  files?: string[];
  /** Valid orders in the workspace after the import. */
  orders?: number;
  customers?: number;
  view?: TierView;
}

export type Stage = "reading" | "classifying" | "exporting" | "saving";
export interface ProgressEvent {
  stage: Stage;
  done: number;
  total: number;
}

export interface RecentFile {
  path: string;
  name: string;
  opened_at: string;
}

export interface AppInfo {
  version: string;
  /** Where TierBook keeps its data. */
  workspace_path?: string;
  /** The file shown in the title (the last one imported). */
  current_file?: string | null;
  has_data?: boolean;
  lang?: Lang;
  /** Why a file the app was started with could not be opened. */
  open_error?: { code: string; message: string; details?: unknown } | null;
  /** True when the shell runs under the end-to-end suite (TIERBOOK_E2E=1). */
  e2e?: boolean;
}

// ---- classification ----

export type Measure = "revenue" | "monthly_revenue" | "aov" | "orders";
export type CubeBasis =
  | { kind: "mean" }
  | { kind: "median" }
  | { kind: "fixed"; r_days: number; f: number; m_yuan: number };
export type ZeroRevenue = "c" | "d";

export interface SegmentRule {
  segment: string;
  r: [number, number];
  f: [number, number];
  m: [number, number];
}

export interface Weights {
  value: number;
  frequency: number;
  recency: number;
  interactions: number;
}

export type Method =
  | { kind: "abc_revenue"; a_pct: number; b_pct: number }
  | { kind: "abc_customers"; a_pct: number; b_pct: number; zero_revenue: ZeroRevenue }
  | { kind: "thresholds"; measure: Measure; a_min: number; b_min: number; c_min: number | null }
  | { kind: "rfm_scores"; bins: number; a_min: number; b_min: number }
  | { kind: "rfm_cube"; basis: CubeBasis }
  | { kind: "rfm_segments"; rules: SegmentRule[] }
  | { kind: "composite"; weights: Weights; a_min: number; b_min: number };

export type MethodKind = Method["kind"];

export interface ClassifyParams {
  method: Method;
  as_of: string | null;
  segment_tiers: Record<string, Tier>;
  segment_names: Record<string, string>;
}

export interface Threshold {
  name: Text;
  value: number;
  unit: Text;
}

export interface GroupSummary {
  group: string;
  customers: number;
  customer_share: number;
  orders: number;
  revenue: Cents;
  revenue_share: number;
  aov: Cents;
}

export interface Action {
  action: Text;
  channel: Text;
  priority: number;
  contact_in_days: number;
}

export interface Playbook {
  tiers: Partial<Record<Tier, Action>>;
  segments: Record<string, Action>;
}

export interface Kpis {
  customers: number;
  orders: number;
  /** fen */
  revenue: Cents;
  /** fen */
  aov: Cents;
  /** 0–1 */
  a_revenue_share: number;
  a_customer_share?: number;
  repeat_rate?: number;
}

export interface ParetoPoint {
  customer_share: number;
  revenue_share: number;
}

/** One cell of the R×F matrix (scores 1..bins). */
export interface RfCell {
  r: number;
  f: number;
  customers: number;
  revenue: Cents;
  aov?: Cents;
}

export interface TierView {
  as_of: string;
  params: ClassifyParams;
  thresholds: Threshold[];
  tiers: GroupSummary[];
  segments: GroupSummary[];
  notes: Text[];
  kpis: Kpis;
  pareto: ParetoPoint[];
  rf_matrix: RfCell[];
  /** Highest R/F score in the matrix (its size). */
  rf_max?: number;
  playbook: Playbook;
}

export interface CustomerRow {
  key: string;
  name: string;
  phone: string | null;
  orders: number;
  /** yuan */
  revenue: number;
  /** yuan */
  aov: number;
  first_order: string;
  last_order: string;
  recency_days: number;
  r_score: number;
  f_score: number;
  m_score: number;
  tier: Tier;
  segment: string | null;
  abc: Tier;
  rfm_type: string;
  score?: number | null;
  action: Text;
  channel?: Text;
  priority: number;
  next_contact: string;
  gap: Text | null;
}

export interface Order {
  source: number;
  row: number;
  order_id: string | null;
  customer_key: string;
  customer_name: string | null;
  phone: string | null;
  placed_at: string;
  paid: Cents;
  refund: Cents;
  quantity: number | null;
  status: string | null;
  order_count: number;
}

export interface Suggestion {
  action: Text;
  channel: Text;
  priority: number;
  next_contact: string;
}

export interface CustomerDetail {
  row: CustomerRow;
  orders: Order[];
  reason: Text;
  gap: Text | null;
  suggestion: Suggestion;
}

export interface ExportOptions {
  lang: Lang;
  keep_phones: boolean;
  include_summary: boolean;
  include_tier_sheets: boolean;
  include_playbook: boolean;
  include_method: boolean;
}

export interface ExportOutcome {
  path: string;
  csv_files: string[];
}

export interface Settings {
  lang: Lang;
  default_params: ClassifyParams;
  playbook: Playbook;
  status_rules: StatusRules;
  segment_names: Record<string, string>;
}

export interface SnapshotInfo {
  id: number;
  as_of: string;
  label: string | null;
  method: Method;
  customers: number;
  orders: number;
  revenue: Cents;
  tiers: GroupSummary[];
}

export interface Move {
  key: string;
  name: string;
  from: Tier | null;
  to: Tier | null;
  from_segment: string | null;
  to_segment: string | null;
  revenue: Cents;
  action: Text;
}

export interface Flow {
  from: Tier | null;
  to: Tier | null;
  customers: number;
  revenue: Cents;
}

export interface SegmentFlow {
  from: string | null;
  to: string | null;
  customers: number;
  revenue: Cents;
}

export interface Migration {
  segment_flows?: SegmentFlow[];
  old_snapshot: number;
  new_snapshot: number;
  old_as_of: string;
  new_as_of: string;
  flows: Flow[];
  upgraded: Move[];
  downgraded: Move[];
  new: Move[];
  lost: Move[];
}

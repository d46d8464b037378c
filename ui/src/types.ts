// The IPC contract as the UI sees it. Every type that crosses IPC is generated from the Rust types by
// ts-rs into src/bindings/ (see src-tauri/bindings.rs; a Rust test fails when they drift) and only
// re-exported here, so the rest of the UI keeps importing from "./types". What stays hand-written below
// has no Rust counterpart: UI-side constants and helper types derived from the generated ones.
// Money: `Cents` fields are fen (1/100 yuan) as in the core; CustomerRow money is yuan (the shell's DTO).
// u64/i64 fields arrive as plain JSON numbers: the bindings are generated with `with_large_int("number")`.

import type { Role } from "./bindings/Role";
import type { SkipReason } from "./bindings/SkipReason";
import type { Method } from "./bindings/Method";
import type { Tier } from "./bindings/Tier";

export type { Action } from "./bindings/Action";
export type { Alternative } from "./bindings/Alternative";
export type { Audience } from "./bindings/Audience";
export type { Campaign } from "./bindings/Campaign";
export type { CampaignReport } from "./bindings/CampaignReport";
export type { CampaignSpec } from "./bindings/CampaignSpec";
export type { GroupResult } from "./bindings/GroupResult";
export type { Verdict } from "./bindings/Verdict";
export type { AppInfo } from "./bindings/AppInfo";
export type { Catalogue } from "./bindings/Catalogue";
export type { ClassifyParams } from "./bindings/ClassifyParams";
export type { ScoreCuts } from "./bindings/ScoreCuts";
export type { Window } from "./bindings/Window";
export type { Column } from "./bindings/Column";
export type { Contact } from "./bindings/Contact";
export type { ContactList } from "./bindings/ContactList";
export type { ContactOptions } from "./bindings/ContactOptions";
export type { CubeType } from "./bindings/CubeType";
export type { CubeBasis } from "./bindings/CubeBasis";
export type { CustomerDetail } from "./bindings/CustomerDetail";
export type { CustomerRow } from "./bindings/CustomerRow";
export type { ShopEntry } from "./bindings/ShopEntry";
export type { ShopInfo } from "./bindings/ShopInfo";
export type { ShopList } from "./bindings/ShopList";
export type { ShopRestore } from "./bindings/ShopRestore";
export type { CohortRow } from "./bindings/CohortRow";
export type { CohortTable } from "./bindings/CohortTable";
export type { RegionRow } from "./bindings/RegionRow";
export type { RegionView } from "./bindings/RegionView";
export type { ProductView } from "./bindings/ProductView";
export type { TierProducts } from "./bindings/TierProducts";
export type { ProductRow } from "./bindings/ProductRow";
export type { ProductCost } from "./bindings/ProductCost";
export type { Effect } from "./bindings/Effect";
export type { ErrorCode } from "./bindings/ErrorCode";
export type { ErrorInfo } from "./bindings/ErrorInfo";
export type { ExportOptions } from "./bindings/ExportOptions";
export type { ExportOutcome } from "./bindings/ExportOutcome";
export type { Flow } from "./bindings/Flow";
export type { Format } from "./bindings/Format";
export type { GroupSummary } from "./bindings/GroupSummary";
export type { ImportOptions } from "./bindings/ImportOptions";
export type { ImportOutcome } from "./bindings/ImportOutcome";
export type { ImportReport } from "./bindings/ImportReport";
export type { KeySpec } from "./bindings/KeySpec";
export type { Kpis } from "./bindings/Kpis";
export type { Lang } from "./bindings/Lang";
export type { Level } from "./bindings/Level";
export type { Mapping } from "./bindings/Mapping";
export type { Measure } from "./bindings/Measure";
export type { MeasureInfo } from "./bindings/MeasureInfo";
export type { Method } from "./bindings/Method";
export type { MethodInfo } from "./bindings/MethodInfo";
export type { Migration } from "./bindings/Migration";
export type { Period } from "./bindings/Period";
export type { Rhythm } from "./bindings/Rhythm";
export type { RhythmState } from "./bindings/RhythmState";
export type { RhythmThresholds } from "./bindings/RhythmThresholds";
export type { Move } from "./bindings/Move";
export type { Order } from "./bindings/Order";
export type { ParamRange } from "./bindings/ParamRange";
export type { ParetoPoint } from "./bindings/ParetoPoint";
export type { Playbook } from "./bindings/Playbook";
export type { Preview } from "./bindings/Preview";
export type { ProgressEvent } from "./bindings/ProgressEvent";
export type { RecentFile } from "./bindings/RecentFile";
export type { RfCell } from "./bindings/RfCell";
export type { Role } from "./bindings/Role";
export type { SegmentFlow } from "./bindings/SegmentFlow";
export type { SegmentInfo } from "./bindings/SegmentInfo";
export type { SegmentRule } from "./bindings/SegmentRule";
export type { Settings } from "./bindings/Settings";
export type { SkipReason } from "./bindings/SkipReason";
export type { Skipped } from "./bindings/Skipped";
export type { SnapshotInfo } from "./bindings/SnapshotInfo";
export type { SourceInfo } from "./bindings/SourceInfo";
export type { Stage } from "./bindings/Stage";
export type { StatusRule } from "./bindings/StatusRule";
export type { StatusRules } from "./bindings/StatusRules";
export type { Suggestion } from "./bindings/Suggestion";
export type { Text } from "./bindings/Text";
export type { Threshold } from "./bindings/Threshold";
export type { Tier } from "./bindings/Tier";
export type { TierInfo } from "./bindings/TierInfo";
export type { TierView } from "./bindings/TierView";
export type { Warning } from "./bindings/Warning";
export type { Weights } from "./bindings/Weights";
export type { ZeroRevenue } from "./bindings/ZeroRevenue";
export type { ZeroRevenueInfo } from "./bindings/ZeroRevenueInfo";

/** Fen (1/100 yuan). UI-only alias: ts-rs inlines the core's `type Cents = i64` as plain `number`. */
export type Cents = number;

/** The method's tag, for the method picker. UI-only: derived from the generated `Method`. */
export type MethodKind = Method["kind"];

/**
 * The keys of `members` in the order written. Called with an explicit union (`listAll<Role>({...})`),
 * the object literal must name every member exactly once: a variant added in Rust (and so in the
 * bindings) without a place in the list fails vue-tsc, and so does a stray one.
 */
function listAll<K extends string>(members: Record<K, true>): K[] {
  return Object.keys(members) as K[];
}

/** Every tier, in display order. UI-only constant (Rust has no list of tiers to generate). */
export const TIERS = listAll<Tier>({ A: true, B: true, C: true, D: true });

/** The import screen's role picker, in display order. UI-only constant; complete by construction (see listAll). */
export const ROLES = listAll<Role>({
  customer_key: true,
  order_id: true,
  sub_order_id: true,
  date: true,
  paid_at: true,
  amount: true,
  unit_price: true,
  refund: true,
  status: true,
  after_sales: true,
  quantity: true,
  name: true,
  phone: true,
  receiver: true,
  order_count: true,
  first_date: true,
  recency_days: true,
  interactions: true,
  address: true,
  province: true,
  city: true,
  product: true,
  sku: true,
  unit_cost: true,
  cost: true,
  profit: true,
});

/** Every skip reason, so the i18n test can check each has words. UI-only constant; complete by construction. */
export const SKIP_REASONS = listAll<SkipReason>({
  closed: true,
  refunded: true,
  no_customer_key: true,
  unreadable_amount: true,
  unreadable_date: true,
  totals_row: true,
  duplicate: true,
  blank: true,
  repeated_header: true,
  zero_amount: true,
  amount_too_large: true,
});

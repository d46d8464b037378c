// Flows between two snapshots → the Sankey's nodes/links and the migration matrix, by tier and by segment.
// Sankey nodes are "before" and "after" copies of each tier or segment (ECharts needs an acyclic graph with
// distinct node names: A→A or a segment to itself would otherwise be a loop).

import { TIERS, type Flow, type Migration, type SegmentFlow, type Tier } from "../types";

export type FlowEnd = Tier | "new" | "lost";

/**
 * One end of a segment flow: the segment's display name, or `null` for "none on this side". On the old
 * side that is a new customer, on the new side a lost one, and — when that snapshot's method has no
 * segments (a tier-only method) — every customer of that side. `null` rather than a "new"/"lost" marker
 * because segment names are the shop owner's own words and could be anything.
 */
export type SegmentEnd = string | null;

export interface SankeyNode<E> {
  name: string;
  end: E;
  side: "old" | "new";
}
export interface SankeyLink {
  source: string;
  target: string;
  value: number;
  revenue: number;
}
export interface SankeyData<E = FlowEnd> {
  nodes: SankeyNode<E>[];
  links: SankeyLink[];
}

/** Node id of one side; labels are set by the chart through the `label` callback. */
export const nodeId = (side: "old" | "new", end: FlowEnd) => `${side}:${end}`;
/** Node id of a segment on one side; the `s:` prefix keeps a segment named "none" apart from `null`. */
export const segmentNodeId = (side: "old" | "new", end: SegmentEnd) =>
  end === null ? `${side}:none` : `${side}:s:${end}`;

/**
 * Nodes (old side first, each side in `rank` order) and links (one per from → to pair, flows of the same
 * pair summed, empty ones dropped).
 */
function sankeyOf<X, E>(
  flows: { from: X | null; to: X | null; customers: number; revenue: number }[],
  endOf: (x: X | null, side: "old" | "new") => E,
  id: (side: "old" | "new", end: E) => string,
  rank: (end: E) => number,
): SankeyData<E> {
  const nodes = new Map<string, SankeyNode<E>>();
  const links = new Map<string, SankeyLink>();
  for (const f of flows) {
    if (f.customers <= 0) continue;
    const from = endOf(f.from, "old");
    const to = endOf(f.to, "new");
    const s = id("old", from);
    const d = id("new", to);
    if (!nodes.has(s)) nodes.set(s, { name: s, end: from, side: "old" });
    if (!nodes.has(d)) nodes.set(d, { name: d, end: to, side: "new" });
    const key = JSON.stringify([s, d]);
    const link = links.get(key);
    if (link) {
      link.value += f.customers;
      link.revenue += f.revenue;
    } else {
      links.set(key, { source: s, target: d, value: f.customers, revenue: f.revenue });
    }
  }
  const sorted = [...nodes.values()].sort((a, b) =>
    a.side === b.side ? rank(a.end) - rank(b.end) : a.side === "old" ? -1 : 1,
  );
  return { nodes: sorted, links: [...links.values()] };
}

const TIER_ORDER: FlowEnd[] = [...TIERS, "new", "lost"];

export function sankeyData(flows: Flow[]): SankeyData {
  return sankeyOf<Tier, FlowEnd>(
    flows,
    (t, side) => t ?? (side === "old" ? "new" : "lost"),
    nodeId,
    (e) => TIER_ORDER.indexOf(e),
  );
}

export interface MatrixData {
  rows: FlowEnd[];
  cols: FlowEnd[];
  /** cells[row][col] = {customers, revenue} */
  cells: Record<string, Record<string, { customers: number; revenue: number }>>;
}

/** Rows: tier before (and "new"); columns: tier after (and "lost"). Tiers without customers on either side are left out. */
export function migrationMatrix(migration: Migration): MatrixData {
  const used = new Set<FlowEnd>();
  const cells: MatrixData["cells"] = {};
  for (const f of migration.flows) {
    const r: FlowEnd = f.from ?? "new";
    const c: FlowEnd = f.to ?? "lost";
    used.add(r);
    used.add(c);
    cells[r] ??= {};
    const cell = (cells[r][c] ??= { customers: 0, revenue: 0 });
    cell.customers += f.customers;
    cell.revenue += f.revenue;
  }
  const present = TIERS.filter((t) => used.has(t));
  return { rows: [...present, "new"], cols: [...present, "lost"], cells };
}

/**
 * The segments of a migration, biggest first: by customers on both sides together, ties by name. One order
 * for rows and columns keeps the "stayed in the same segment" cells on the diagonal, and the same segment
 * keeps its colour on both sides of the Sankey. Segments have no rank like tiers do (is one cube type above
 * 一般价值?), so size is the order a shop owner reads first.
 */
export function segmentOrder(flows: SegmentFlow[]): string[] {
  const size = new Map<string, number>();
  for (const f of flows) {
    for (const s of [f.from, f.to]) if (s !== null) size.set(s, (size.get(s) ?? 0) + f.customers);
  }
  return [...size.keys()].sort((a, b) => size.get(b)! - size.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Whether each snapshot's method has segments. Within one snapshot every customer has a segment or none
 * does, so one named segment on a side means that side's `null` is only new (old side) or lost (new side)
 * customers; without any, `null` is everybody on that side.
 */
export function segmentSides(flows: SegmentFlow[]): { old: boolean; new: boolean } {
  return { old: flows.some((f) => f.from !== null), new: flows.some((f) => f.to !== null) };
}

export function segmentSankeyData(flows: SegmentFlow[]): SankeyData<SegmentEnd> {
  const order = segmentOrder(flows);
  return sankeyOf<string, SegmentEnd>(
    flows,
    (s) => s,
    segmentNodeId,
    (e) => (e === null ? order.length : order.indexOf(e)),
  );
}

export interface SegmentMatrixData {
  /** Segments before, then `null` (new customers); the same segments as `cols`, in `segmentOrder`. */
  rows: SegmentEnd[];
  /** Segments after, then `null` (lost customers). */
  cols: SegmentEnd[];
  /** cells[row index][column index]; `null` where no customer moved that way. */
  cells: ({ customers: number; revenue: number } | null)[][];
}

/** The from-segment × to-segment matrix, laid out like the tier one: every segment seen on either side, then new / lost. */
export function segmentMatrix(flows: SegmentFlow[]): SegmentMatrixData {
  const ends: SegmentEnd[] = [...segmentOrder(flows), null];
  const index = new Map(ends.map((e, i) => [e, i]));
  const cells: SegmentMatrixData["cells"] = ends.map(() => ends.map(() => null));
  for (const f of flows) {
    const row = cells[index.get(f.from)!];
    const c = index.get(f.to)!;
    const cell = (row[c] ??= { customers: 0, revenue: 0 });
    cell.customers += f.customers;
    cell.revenue += f.revenue;
  }
  return { rows: ends, cols: ends, cells };
}

/** Totals of a migration for the summary cards. */
export function migrationCounts(m: Migration) {
  const stayed = m.flows.filter((f) => f.from && f.to && f.from === f.to).reduce((s, f) => s + f.customers, 0);
  return {
    upgraded: m.upgraded.length,
    downgraded: m.downgraded.length,
    new: m.new.length,
    lost: m.lost.length,
    stayed,
  };
}

// Tier flows between two snapshots → the Sankey's nodes/links and the migration matrix.
// Sankey nodes are "before" and "after" copies of each tier (ECharts needs an acyclic graph: A→A would be a loop).

import type { Flow, Migration, Tier } from "../types";

export type FlowEnd = Tier | "new" | "lost";

export interface SankeyData {
  nodes: { name: string; end: FlowEnd; side: "old" | "new" }[];
  links: { source: string; target: string; value: number; revenue: number }[];
}

/** Node id of one side; labels are set by the chart through the `label` callback. */
export const nodeId = (side: "old" | "new", end: FlowEnd) => `${side}:${end}`;

export function sankeyData(flows: Flow[]): SankeyData {
  const nodes = new Map<string, SankeyData["nodes"][number]>();
  const links: SankeyData["links"] = [];
  const order: FlowEnd[] = ["A", "B", "C", "D", "new", "lost"];
  for (const f of flows) {
    if (f.customers <= 0) continue;
    const from: FlowEnd = f.from ?? "new";
    const to: FlowEnd = f.to ?? "lost";
    const s = nodeId("old", from);
    const d = nodeId("new", to);
    if (!nodes.has(s)) nodes.set(s, { name: s, end: from, side: "old" });
    if (!nodes.has(d)) nodes.set(d, { name: d, end: to, side: "new" });
    links.push({ source: s, target: d, value: f.customers, revenue: f.revenue });
  }
  const sorted = [...nodes.values()].sort(
    (a, b) => (a.side === b.side ? order.indexOf(a.end) - order.indexOf(b.end) : a.side === "old" ? -1 : 1),
  );
  return { nodes: sorted, links };
}

export interface MatrixData {
  rows: FlowEnd[];
  cols: FlowEnd[];
  /** cells[row][col] = {customers, revenue} */
  cells: Record<string, Record<string, { customers: number; revenue: number }>>;
}

/** Rows: tier before (and "new"); columns: tier after (and "lost"). Tiers without customers on either side are left out. */
export function migrationMatrix(migration: Migration): MatrixData {
  const tiers: Tier[] = ["A", "B", "C", "D"];
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
  const present = tiers.filter((t) => used.has(t));
  return { rows: [...present, "new"], cols: [...present, "lost"], cells };
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

import { describe, expect, test } from "vitest";
import { migrationCounts, migrationMatrix, sankeyData } from "./migration";
import type { Migration } from "../types";

const m: Migration = {
  old_snapshot: 1,
  new_snapshot: 2,
  old_as_of: "2025-05-31",
  new_as_of: "2025-06-30",
  flows: [
    { from: "A", to: "A", customers: 10, revenue: 100000 },
    { from: "A", to: "B", customers: 2, revenue: 5000 },
    { from: "B", to: "A", customers: 3, revenue: 9000 },
    { from: null, to: "C", customers: 7, revenue: 700 },
    { from: "C", to: null, customers: 4, revenue: 0 },
    { from: "C", to: "C", customers: 0, revenue: 0 },
  ],
  upgraded: [],
  downgraded: [],
  new: [],
  lost: [],
  segment_flows: [],
};

describe("sankey", () => {
  test("before and after are separate nodes so A→A is not a cycle", () => {
    const d = sankeyData(m.flows);
    expect(d.links).toContainEqual({ source: "old:A", target: "new:A", value: 10, revenue: 100000 });
    for (const l of d.links) expect(l.source.startsWith("old:") && l.target.startsWith("new:")).toBe(true);
  });
  test("new customers come from a 'new' node, lost ones go to a 'lost' node", () => {
    const d = sankeyData(m.flows);
    expect(d.links).toContainEqual({ source: "old:new", target: "new:C", value: 7, revenue: 700 });
    expect(d.links).toContainEqual({ source: "old:C", target: "new:lost", value: 4, revenue: 0 });
  });
  test("empty flows are dropped and nodes are ordered before → after, A first", () => {
    const d = sankeyData(m.flows);
    expect(d.links).toHaveLength(5);
    expect(d.nodes.map((n) => n.name)).toEqual(["old:A", "old:B", "old:C", "old:new", "new:A", "new:B", "new:C", "new:lost"]);
  });
});

describe("matrix", () => {
  test("rows are tiers before plus new, columns tiers after plus lost", () => {
    const x = migrationMatrix(m);
    expect(x.rows).toEqual(["A", "B", "C", "new"]);
    expect(x.cols).toEqual(["A", "B", "C", "lost"]);
    expect(x.cells.A.B).toEqual({ customers: 2, revenue: 5000 });
    expect(x.cells.new.C.customers).toBe(7);
  });
  test("stayed counts the diagonal", () => {
    expect(migrationCounts(m).stayed).toBe(10);
  });
});

import { rfHeatmap } from "./charts";
describe("R×F heat matrix", () => {
  test("spans every score even when the shell leaves empty cells out, and AOV uses the cell's own value", () => {
    const o = rfHeatmap([{ r: 1, f: 2, customers: 4, revenue: 10000, aov: 1250 }], "aov", { r: "R", f: "F", measure: "AOV" }, "zh", 5);
    expect(o.xAxis.data).toEqual(["F1", "F2", "F3", "F4", "F5"]);
    expect(o.yAxis.data).toHaveLength(5);
    expect(o.series[0].data).toEqual([[1, 0, 12.5]]);
  });
  test("revenue cells are yuan from fen", () => {
    const o = rfHeatmap([{ r: 2, f: 1, customers: 4, revenue: 10000, aov: 2500 }], "revenue", { r: "R", f: "F", measure: "" }, "zh");
    expect(o.series[0].data).toEqual([[0, 1, 100]]);
  });
});

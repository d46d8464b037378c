import { describe, expect, test } from "vitest";
import {
  migrationCounts,
  migrationMatrix,
  sankeyData,
  segmentMatrix,
  segmentNodeId,
  segmentOrder,
  segmentSankeyData,
  segmentSides,
} from "./migration";
import { segmentSankey } from "./charts";
import type { Catalogue, Migration, SegmentFlow } from "../types";
// Segment names from the core's catalogue (dumped by src-tauri/bindings.rs), never written by hand.
import catalogueJson from "../bindings/catalogue.json";
const cube = (catalogueJson as unknown as Catalogue).cube_types.map((c) => c.name);
const [VALUE, , , WIN_BACK, , DEVELOP] = cube;

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
    expect(d.nodes.map((n) => n.name)).toEqual([
      "old:A",
      "old:B",
      "old:C",
      "old:new",
      "new:A",
      "new:B",
      "new:C",
      "new:lost",
    ]);
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

// Segment flows as the shell sends them: one row per (from, to) pair, `null` = new (from) / lost (to).
// "none" is a segment name on purpose: a shop owner's own name must not be taken for the empty end. It has
// more flows but fewer customers than WIN_BACK, so ordering by flows instead of customers shows.
const segFlows: SegmentFlow[] = [
  { from: VALUE, to: VALUE, customers: 40, revenue: 400000 },
  { from: VALUE, to: WIN_BACK, customers: 6, revenue: 30000 },
  { from: VALUE, to: null, customers: 2, revenue: 9000 },
  { from: DEVELOP, to: VALUE, customers: 5, revenue: 50000 },
  { from: DEVELOP, to: DEVELOP, customers: 70, revenue: 70000 },
  { from: DEVELOP, to: "none", customers: 3, revenue: 600 },
  { from: WIN_BACK, to: WIN_BACK, customers: 0, revenue: 0 },
  { from: "none", to: "none", customers: 1, revenue: 100 },
  { from: "none", to: VALUE, customers: 1, revenue: 800 },
  { from: "none", to: null, customers: 1, revenue: 50 },
  { from: null, to: DEVELOP, customers: 25, revenue: 12500 },
  { from: null, to: WIN_BACK, customers: 4, revenue: 2000 },
];
const sum = (fs: { customers: number }[]) => fs.reduce((s, f) => s + f.customers, 0);
const names = [...new Set(segFlows.flatMap((f) => [f.from, f.to]).filter((x): x is string => x !== null))];

describe("segment order", () => {
  test("every segment seen on either side, biggest (before + after) first", () => {
    const size = (s: string) => sum(segFlows.filter((f) => f.from === s)) + sum(segFlows.filter((f) => f.to === s));
    const order = segmentOrder(segFlows);
    expect([...order].sort()).toEqual([...names].sort());
    for (let i = 1; i < order.length; i++) expect(size(order[i - 1])).toBeGreaterThanOrEqual(size(order[i]));
    expect(order[0]).toBe(names.reduce((a, b) => (size(b) > size(a) ? b : a)));
  });
});

describe("segment matrix", () => {
  const x = segmentMatrix(segFlows);
  const at = (r: string | null, c: string | null) => x.cells[x.rows.indexOf(r)][x.cols.indexOf(c)];

  test("rows and columns are the same segments in one order, then new (rows) / lost (columns)", () => {
    expect(x.rows).toEqual([...segmentOrder(segFlows), null]);
    expect(x.cols).toEqual(x.rows);
    expect(x.cells).toHaveLength(x.rows.length);
    for (const row of x.cells) expect(row).toHaveLength(x.cols.length);
  });
  test("every flow lands in its own cell and nothing is counted twice", () => {
    for (const f of segFlows)
      expect(at(f.from, f.to), `${f.from} → ${f.to}`).toEqual({ customers: f.customers, revenue: f.revenue });
    const cells = x.cells.flat().filter((c) => c !== null);
    expect(cells).toHaveLength(segFlows.length);
    expect(sum(cells)).toBe(sum(segFlows));
    expect(cells.reduce((s, c) => s + c.revenue, 0)).toBe(segFlows.reduce((s, f) => s + f.revenue, 0));
  });
  test("row sums are the customers before, column sums the customers after", () => {
    x.rows.forEach((r, i) =>
      expect(sum(x.cells[i].filter((c) => c !== null))).toBe(sum(segFlows.filter((f) => f.from === r))),
    );
    x.cols.forEach((c, j) =>
      expect(sum(x.cells.map((row) => row[j]).filter((v) => v !== null))).toBe(sum(segFlows.filter((f) => f.to === c))),
    );
  });
  test("the diagonal is the customers who stayed in their segment", () => {
    const diag = x.rows.flatMap((r, i) => (r !== null && x.cells[i][i] ? [x.cells[i][i]!] : []));
    expect(sum(diag)).toBe(sum(segFlows.filter((f) => f.from !== null && f.from === f.to)));
  });
  test("the same pair sent twice is summed into one cell", () => {
    const twice = [segFlows[0], { ...segFlows[0] }];
    const y = segmentMatrix(twice);
    expect(y.cells[0][0]).toEqual({ customers: 2 * segFlows[0].customers, revenue: 2 * segFlows[0].revenue });
  });
});

describe("segment sankey", () => {
  const d = segmentSankeyData(segFlows);
  const live = segFlows.filter((f) => f.customers > 0);

  test("before and after are distinct nodes, so staying in a segment is not a cycle", () => {
    expect(new Set(d.nodes.map((n) => n.name)).size).toBe(d.nodes.length);
    expect(d.links).toContainEqual({
      source: segmentNodeId("old", VALUE),
      target: segmentNodeId("new", VALUE),
      value: 40,
      revenue: 400000,
    });
    const side = new Map(d.nodes.map((n) => [n.name, n.side]));
    for (const l of d.links) expect([side.get(l.source), side.get(l.target)]).toEqual(["old", "new"]);
  });
  test("a segment named 'none' is not the empty end", () => {
    expect(segmentNodeId("old", "none")).not.toBe(segmentNodeId("old", null));
    expect(d.links).toContainEqual({
      source: segmentNodeId("old", "none"),
      target: segmentNodeId("new", "none"),
      value: 1,
      revenue: 100,
    });
  });
  test("one link per non-empty flow, carrying all customers; each node's value is its side's total", () => {
    expect(d.links).toHaveLength(live.length);
    expect(sum(d.links.map((l) => ({ customers: l.value })))).toBe(sum(segFlows));
    for (const n of d.nodes) {
      const through = d.links.filter((l) => (n.side === "old" ? l.source : l.target) === n.name);
      const expected = segFlows.filter((f) => (n.side === "old" ? f.from : f.to) === n.end);
      expect(sum(through.map((l) => ({ customers: l.value }))), n.name).toBe(sum(expected));
    }
  });
  test("nodes: the old side first, segments in segmentOrder, the empty end last; no node without customers", () => {
    const order = segmentOrder(segFlows);
    const expectSide = (side: "old" | "new", key: "from" | "to") => {
      const ends = new Set(live.map((f) => f[key]));
      return [...order.filter((s) => ends.has(s)), ...(ends.has(null) ? [null] : [])].map((e) =>
        segmentNodeId(side, e),
      );
    };
    expect(d.nodes.map((n) => n.name)).toEqual([...expectSide("old", "from"), ...expectSide("new", "to")]);
  });
  test("chart: one series node per data node, every label readable", () => {
    const o = segmentSankey({ ...m, segment_flows: segFlows }, (side, end) => `${side}/${end ?? "∅"}`);
    const data = o.series[0].data;
    expect(data.map((n) => n.name)).toEqual(d.nodes.map((n) => n.name));
    expect(o.series[0].links).toEqual(d.links);
    // One colour per segment on both sides.
    const colour = (id: string) => data.find((n) => n.name === id)?.itemStyle.color;
    expect(colour(segmentNodeId("old", VALUE))).toBe(colour(segmentNodeId("new", VALUE)));
  });
});

describe("segment sides", () => {
  test("a side whose method has no segments has only the empty end", () => {
    const tierOnlyBefore: SegmentFlow[] = [
      { from: null, to: VALUE, customers: 9, revenue: 900 },
      { from: null, to: DEVELOP, customers: 30, revenue: 300 },
    ];
    expect(segmentSides(tierOnlyBefore)).toEqual({ old: false, new: true });
    expect(segmentSides(segFlows)).toEqual({ old: true, new: true });
    const x = segmentMatrix(tierOnlyBefore);
    expect(x.rows).toEqual([...segmentOrder(tierOnlyBefore), null]);
    expect(sum(x.cells[x.rows.indexOf(null)].filter((c) => c !== null))).toBe(sum(tierOnlyBefore));
  });
});

import { rfHeatmap } from "./charts";
describe("R×F heat matrix", () => {
  test("spans every score even when the shell leaves empty cells out, and AOV uses the cell's own value", () => {
    const o = rfHeatmap(
      [{ r: 1, f: 2, customers: 4, revenue: 10000, aov: 1250 }],
      "aov",
      { r: "R", f: "F", measure: "AOV" },
      "zh",
      5,
    );
    expect(o.xAxis.data).toEqual(["F1", "F2", "F3", "F4", "F5"]);
    expect(o.yAxis.data).toHaveLength(5);
    expect(o.series[0].data).toEqual([[1, 0, 12.5]]);
  });
  test("revenue cells are yuan from fen", () => {
    const o = rfHeatmap(
      [{ r: 2, f: 1, customers: 4, revenue: 10000, aov: 2500 }],
      "revenue",
      { r: "R", f: "F", measure: "" },
      "zh",
    );
    expect(o.series[0].data).toEqual([[0, 1, 100]]);
  });
});

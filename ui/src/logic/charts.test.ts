import { describe, expect, test } from "vitest";
import {
  escapeHtml,
  migrationSankey,
  paretoChart,
  rfHeatmap,
  segmentBars,
  segmentSankey,
  tierDoughnut,
} from "./charts";
import type { GroupSummary, Migration } from "../types";

// A segment or tier name the user typed (names are editable and travel in the workspace file).
const HOSTILE = "<img src=x onerror=alert(1)>";

/** What the HTML holds once our own line breaks are taken out: no tag may remain. */
const tagsBesidesBreaks = (html: string) => html.replace(/<br\/>/g, "").match(/<[^>]*>/g) ?? [];

const group = (name: string): GroupSummary => ({
  group: name,
  customers: 3,
  customer_share: 0.5,
  orders: 4,
  revenue: 12300,
  revenue_share: 0.25,
  aov: 4100,
});

type Formatter = (p: unknown) => string;
const tooltipOf = (option: { tooltip: { formatter: unknown } }) => option.tooltip.formatter as Formatter;

describe("chart tooltips escape user-editable names", () => {
  test("escapeHtml turns markup into text and keeps ordinary names", () => {
    expect(escapeHtml(HOSTILE)).toBe("&lt;img src=x onerror=alert(1)&gt;");
    expect(escapeHtml(`"a" & 'b'`)).toBe("&quot;a&quot; &amp; &#39;b&#39;");
    expect(escapeHtml("重要价值客户")).toBe("重要价值客户");
  });

  test("segment bars", () => {
    const html = tooltipOf(segmentBars([group(HOSTILE), group("流失客户")], "count", "zh"))([
      { name: "", value: 3, dataIndex: 0 },
    ]);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(tagsBesidesBreaks(html)).toEqual([]);
  });

  test("tier doughnut (the label function may return a renamed tier)", () => {
    const option = tierDoughnut([group("A")], "count", () => HOSTILE, "zh");
    const name = option.series[0].data[0].name;
    const html = tooltipOf(option)({ name, value: 3, percent: 50 });
    expect(html.startsWith("&lt;img")).toBe(true);
    expect(tagsBesidesBreaks(html)).toEqual([]);
  });

  test("pareto and heatmap labels", () => {
    const pareto = tooltipOf(paretoChart([], { x: HOSTILE, y: HOSTILE, line80: "80%" }))([{ value: [10, 50] }]);
    expect(tagsBesidesBreaks(pareto)).toEqual([]);
    const heat = tooltipOf(
      rfHeatmap(
        [{ r: 1, f: 1, customers: 2, revenue: 100, aov: 50 }],
        "customers",
        { r: "R", f: "F", measure: HOSTILE },
        "zh",
      ),
    )({ value: [0, 0, 2] });
    expect(heat).toContain("&lt;img");
    expect(tagsBesidesBreaks(heat)).toEqual([]);
  });

  test("segment and tier sankeys, nodes and edges", () => {
    const m: Migration = {
      old_snapshot: 1,
      new_snapshot: 2,
      old_as_of: "2025-05-31",
      new_as_of: "2025-06-30",
      flows: [{ from: "A", to: "B", customers: 2, revenue: 500 }],
      upgraded: [],
      downgraded: [],
      new: [],
      lost: [],
      segment_flows: [{ from: HOSTILE, to: "<script>alert(2)</script>", customers: 2, revenue: 500 }],
    };
    for (const option of [segmentSankey(m, (_side, end) => String(end)), migrationSankey(m, () => HOSTILE)]) {
      const series = option.series[0];
      const edge = tooltipOf(option)({ dataType: "edge", data: { ...series.links[0] } });
      const node = tooltipOf(option)({ dataType: "node", data: { name: series.data[0].name, value: 2 } });
      for (const html of [edge, node]) {
        expect(html).toContain("&lt;");
        expect(tagsBesidesBreaks(html)).toEqual([]);
      }
    }
  });
});

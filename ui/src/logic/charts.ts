// ECharts option builders: plain functions from view data (+ translated labels) to options, so the chart
// components stay thin and the shapes are testable without a canvas.

import type { GroupSummary, Migration, ParetoPoint, RfCell, Tier } from "../types";
import { formatFen, formatInt, formatPct, formatShare, formatYuanShort } from "./format";
import {
  sankeyData,
  segmentOrder,
  segmentSankeyData,
  segmentSides,
  type FlowEnd,
  type SankeyData,
  type SegmentEnd,
} from "./migration";

export const TIER_COLORS: Record<Tier, string> = { A: "#d4380d", B: "#d48806", C: "#1677ff", D: "#8c8c8c" };
export const PALETTE = [
  "#1677ff",
  "#13a8a8",
  "#d48806",
  "#d4380d",
  "#722ed1",
  "#389e0d",
  "#c41d7f",
  "#08979c",
  "#7cb305",
  "#597ef7",
  "#8c8c8c",
];

/**
 * Escapes text for ECharts' HTML tooltips. Tier, segment and node names are user-editable and travel in
 * the workspace, so every name a tooltip formatter puts into its HTML goes through here.
 */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );
}

const FONT = '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
const base = { textStyle: { fontFamily: FONT }, animationDuration: 300 };

export function tierDoughnut(
  tiers: GroupSummary[],
  by: "count" | "revenue",
  label: (tier: string) => string,
  lang: "zh" | "en",
) {
  return {
    ...base,
    tooltip: {
      trigger: "item",
      formatter: (p: { name: string; value: number; percent: number }) =>
        `${escapeHtml(p.name)}<br/>${by === "count" ? formatInt(p.value) : formatYuanShort(p.value, lang)}（${formatPct(p.percent, 1)}）`,
    },
    legend: { bottom: 0, icon: "circle" },
    series: [
      {
        type: "pie",
        radius: ["42%", "64%"],
        center: ["50%", "46%"],
        avoidLabelOverlap: true,
        minShowLabelAngle: 2,
        itemStyle: { borderColor: "#fff", borderWidth: 2 },
        // Never cut a label ("Tier C" became "Tie…" in a narrow card).
        label: { formatter: "{b}\n{d}%", fontSize: 12, overflow: "none" },
        labelLine: { length: 10, length2: 8 },
        data: tiers.map((t) => ({
          name: label(t.group),
          value: by === "count" ? t.customers : t.revenue / 100,
          itemStyle: { color: TIER_COLORS[t.group as Tier] ?? "#8c8c8c" },
        })),
      },
    ],
  };
}

/** Pareto: cumulative revenue share against customer share, with the 80% line and the A-tier share marked. */
export function paretoChart(points: ParetoPoint[], labels: { x: string; y: string; line80: string }) {
  const data = [[0, 0], ...points.map((p) => [p.customer_share * 100, p.revenue_share * 100])];
  const at80 = points.find((p) => p.revenue_share >= 0.8);
  return {
    ...base,
    grid: { left: 52, right: 24, top: 24, bottom: 44 },
    tooltip: {
      trigger: "axis",
      formatter: (ps: { value: number[] }[]) => {
        const v = ps[0]?.value ?? [0, 0];
        return `${escapeHtml(labels.x)}：${formatPct(v[0], 1)}<br/>${escapeHtml(labels.y)}：${formatPct(v[1], 1)}`;
      },
    },
    xAxis: {
      type: "value",
      min: 0,
      max: 100,
      name: labels.x,
      nameLocation: "middle",
      nameGap: 28,
      axisLabel: { formatter: "{value}%" },
    },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      {
        type: "line",
        data,
        showSymbol: false,
        smooth: false,
        lineStyle: { width: 2, color: "#1677ff" },
        areaStyle: { color: "rgba(22,119,255,0.08)" },
        markLine: {
          symbol: "none",
          silent: true,
          lineStyle: { type: "dashed", color: "#d4380d" },
          label: { formatter: labels.line80, position: "insideEndTop", color: "#d4380d" },
          data: [
            { yAxis: 80 },
            ...(at80
              ? [
                  {
                    xAxis: +(at80.customer_share * 100).toFixed(1),
                    label: { formatter: formatShare(at80.customer_share), position: "end" },
                  },
                ]
              : []),
          ],
        },
      },
    ],
  };
}

export type RfCellMeasure = "customers" | "revenue" | "aov";

export function rfHeatmap(
  cells: RfCell[],
  measure: RfCellMeasure,
  labels: { r: string; f: string; measure: string },
  lang: "zh" | "en",
  rfMax?: number,
) {
  // The shell sends only non-empty cells; the grid still spans every score.
  const maxR = Math.max(rfMax ?? 1, ...cells.map((c) => c.r));
  const maxF = Math.max(rfMax ?? 1, ...cells.map((c) => c.f));
  const valueOf = (c: RfCell) =>
    measure === "customers" ? c.customers : measure === "revenue" ? c.revenue / 100 : c.aov / 100;
  const data = cells.map((c) => [c.f - 1, c.r - 1, Math.round(valueOf(c) * 100) / 100]);
  const max = Math.max(1, ...data.map((d) => d[2]));
  const fmt = (v: number) => (measure === "customers" ? formatInt(v) : formatYuanShort(v, lang));
  return {
    ...base,
    grid: { left: 56, right: 16, top: 16, bottom: 72 },
    tooltip: {
      formatter: (p: { value: number[] }) =>
        `R${p.value[1] + 1} · F${p.value[0] + 1}<br/>${escapeHtml(labels.measure)}：${fmt(p.value[2])}`,
    },
    xAxis: {
      type: "category",
      name: labels.f,
      nameLocation: "middle",
      nameGap: 26,
      data: Array.from({ length: maxF }, (_, i) => `F${i + 1}`),
      splitArea: { show: true },
    },
    yAxis: {
      type: "category",
      name: labels.r,
      nameLocation: "middle",
      nameGap: 36,
      data: Array.from({ length: maxR }, (_, i) => `R${i + 1}`),
      splitArea: { show: true },
    },
    visualMap: {
      min: 0,
      max,
      calculable: false,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      itemHeight: 120,
      inRange: { color: ["#f0f5ff", "#85a5ff", "#1d39c4"] },
      formatter: (v: number) => fmt(v),
    },
    series: [
      {
        type: "heatmap",
        data,
        label: { show: true, formatter: (p: { value: number[] }) => (p.value[2] ? fmt(p.value[2]) : ""), fontSize: 11 },
      },
    ],
  };
}

export function segmentBars(segments: GroupSummary[], by: "count" | "revenue", lang: "zh" | "en") {
  const sorted = segments.slice().sort((a, b) => (by === "count" ? a.customers - b.customers : a.revenue - b.revenue));
  return {
    ...base,
    grid: { left: 8, right: 64, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (ps: { name: string; value: number; dataIndex: number }[]) => {
        const s = sorted[ps[0]?.dataIndex ?? 0];
        return s
          ? `${escapeHtml(s.group)}<br/>${formatInt(s.customers)} · ${formatShare(s.customer_share)}<br/>${formatFen(s.revenue)} · ${formatShare(s.revenue_share)}`
          : "";
      },
    },
    xAxis: {
      type: "value",
      axisLabel: { formatter: (v: number) => (by === "count" ? formatInt(v) : formatYuanShort(v, lang)) },
    },
    yAxis: { type: "category", data: sorted.map((s) => s.group), axisTick: { show: false } },
    series: [
      {
        type: "bar",
        data: sorted.map((s, i) => ({
          value: by === "count" ? s.customers : s.revenue / 100,
          itemStyle: { color: PALETTE[(sorted.length - 1 - i) % PALETTE.length] },
        })),
        barMaxWidth: 22,
        label: {
          show: true,
          position: "right",
          formatter: (p: { value: number }) => (by === "count" ? formatInt(p.value) : formatYuanShort(p.value, lang)),
        },
      },
    ],
  };
}

export function migrationSankey(m: Migration, nodeLabel: (side: "old" | "new", end: FlowEnd) => string) {
  const colorOf = (end: FlowEnd) => (end === "new" ? NEW_COLOR : end === "lost" ? NONE_COLOR : TIER_COLORS[end]);
  return flowSankey(sankeyData(m.flows), nodeLabel, colorOf);
}

/**
 * The Sankey of segment flows. Each segment keeps one colour on both sides (its place in `segmentOrder`);
 * the `null` end is green on the old side when it means new customers, grey otherwise (lost, or a side
 * whose method has no segments).
 */
export function segmentSankey(m: Migration, nodeLabel: (side: "old" | "new", end: SegmentEnd) => string) {
  const order = segmentOrder(m.segment_flows);
  const segmented = segmentSides(m.segment_flows);
  // The palette less the new/none colours, so a segment never looks like new or lost customers.
  const palette = PALETTE.filter((c) => c !== NEW_COLOR && c !== NONE_COLOR);
  const colorOf = (end: SegmentEnd, side: "old" | "new") =>
    end !== null
      ? palette[order.indexOf(end) % palette.length]
      : side === "old" && segmented.old
        ? NEW_COLOR
        : NONE_COLOR;
  return flowSankey(segmentSankeyData(m.segment_flows), nodeLabel, colorOf);
}

const NEW_COLOR = "#389e0d";
const NONE_COLOR = "#8c8c8c";

/** Rough canvas width of a 12px label: CJK and full-width characters are about twice as wide as Latin ones. */
const labelWidth = (s: string) => [...s].reduce((w, ch) => w + (ch.charCodeAt(0) >= 0x2e80 ? 12 : 7), 0);

function flowSankey<E>(
  { nodes, links }: SankeyData<E>,
  nodeLabel: (side: "old" | "new", end: E) => string,
  colorOf: (end: E, side: "old" | "new") => string,
) {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const label = (name: string) => {
    const n = byName.get(name);
    return n ? nodeLabel(n.side, n.end) : name;
  };
  // Labels sit outside the flows (before-nodes on the left, after-nodes on the right): leave room for the
  // longest one and its count, so a long segment name with its count is not cut, without squeezing short tier labels.
  const total = links.reduce((s, l) => s + l.value, 0);
  const widest = Math.max(0, ...nodes.map((n) => labelWidth(`${nodeLabel(n.side, n.end)}  ${formatInt(total)}`)));
  const margin = Math.min(220, Math.max(120, widest + 16));
  return {
    ...base,
    tooltip: {
      trigger: "item",
      formatter: (p: {
        dataType: string;
        data: { source?: string; target?: string; value: number; revenue?: number; name?: string };
      }) => {
        if (p.dataType === "edge")
          return `${escapeHtml(label(p.data.source ?? ""))} → ${escapeHtml(label(p.data.target ?? ""))}<br/>${formatInt(p.data.value)}`;
        return p.data.name !== undefined && byName.has(p.data.name)
          ? `${escapeHtml(label(p.data.name))}：${formatInt(p.data.value)}`
          : "";
      },
    },
    series: [
      {
        type: "sankey",
        left: margin,
        right: margin,
        top: 16,
        bottom: 16,
        nodeWidth: 16,
        nodeGap: 12,
        layoutIterations: 0,
        emphasis: { focus: "adjacency" },
        lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.35 },
        label: { formatter: (p: { name: string; value: number }) => `${label(p.name)}  ${formatInt(p.value)}` },
        data: nodes.map((n) => ({
          name: n.name,
          itemStyle: { color: colorOf(n.end, n.side) },
          label: { position: n.side === "old" ? "left" : "right" },
        })),
        links,
      },
    ],
  };
}

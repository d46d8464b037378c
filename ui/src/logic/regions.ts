// The 地区 screen: the tier mix by province (stacked bars) and the cohort heat map, as ECharts options
// built from the region_view data; plus the customer list's province filter. No Vue, no IPC.

import { TIERS, type CohortRow, type CohortTable, type RegionRow, type Tier } from "../types";
import { TIER_COLORS, escapeHtml } from "./charts";
import { formatFen, formatInt, formatShare } from "./format";

/** The core's name for customers without a recognisable address. */
export const UNKNOWN_PROVINCE = "未知";

const FONT = '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

/** Tiers that have at least one customer in some province (D only for methods that use it). */
export function usedTiers(rows: RegionRow[]): Tier[] {
  return TIERS.filter((_, i) => rows.some((r) => r.tiers[i] > 0));
}

/** Share of a province's customers in tier A (0 for an empty row). */
export function tierAShare(row: RegionRow): number {
  return row.customers ? row.tiers[0] / row.customers : 0;
}

/** Stacked horizontal bars: customers per tier for the `limit` provinces with most customers. */
export function tierMixBars(rows: RegionRow[], label: (tier: Tier) => string, limit = 15) {
  const shown = rows.slice(0, limit);
  const tiers = usedTiers(shown);
  return {
    textStyle: { fontFamily: FONT },
    animationDuration: 300,
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (ps: { dataIndex: number }[]) => {
        const r = shown[ps[0]?.dataIndex ?? 0];
        if (!r) return "";
        const parts = tiers.map((t) => `${escapeHtml(label(t))} ${formatInt(r.tiers[TIERS.indexOf(t)])}`);
        return `${escapeHtml(r.province)} · ${formatInt(r.customers)}<br/>${parts.join(" · ")}<br/>${formatFen(r.revenue)}`;
      },
    },
    xAxis: { type: "value", axisLabel: { formatter: (v: number) => formatInt(v) } },
    // Most customers on top.
    yAxis: { type: "category", inverse: true, data: shown.map((r) => r.province), axisTick: { show: false } },
    series: tiers.map((t) => ({
      name: label(t),
      type: "bar",
      stack: "tiers",
      barMaxWidth: 22,
      itemStyle: { color: TIER_COLORS[t] },
      data: shown.map((r) => r.tiers[TIERS.indexOf(t)]),
    })),
  };
}

/** What a heat-map cell shows: the share of the cohort who ordered, or net revenue per cohort customer. */
export type CohortMeasure = "share" | "revenue";

/** One cell's value (share 0–1 or yuan per customer); null for a month after the as-of date. */
export function cohortValue(row: CohortRow, k: number, measure: CohortMeasure): number | null {
  const n = measure === "share" ? row.active[k] : row.revenue[k];
  if (n === null || n === undefined) return null;
  if (!row.customers) return 0;
  return measure === "share" ? n / row.customers : n / 100 / row.customers;
}

/** The cohort heat map: first-order months down, M+0 … M+11 across; future months are left empty. */
export function cohortHeatmap(table: CohortTable, measure: CohortMeasure, sizeLabel: string) {
  const months = table.rows.length ? table.rows[0].active.length : 12;
  const xs = Array.from({ length: months }, (_, k) => `M+${k}`);
  const data: [number, number, number][] = [];
  let max = 0;
  table.rows.forEach((row, y) => {
    for (let k = 0; k < months; k++) {
      const v = cohortValue(row, k, measure);
      if (v === null) continue;
      data.push([k, y, v]);
      // M+0 is 100 % by definition; the scale follows the months after it so they stay readable.
      if (measure === "revenue" || k > 0) max = Math.max(max, v);
    }
  });
  const fmt = (v: number) => (measure === "share" ? formatShare(v, 0) : `¥${formatInt(Math.round(v))}`);
  return {
    textStyle: { fontFamily: FONT },
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
    tooltip: {
      formatter: (p: { value: [number, number, number] }) => {
        const row = table.rows[p.value[1]];
        return row
          ? `${escapeHtml(row.month)} · ${sizeLabel} ${formatInt(row.customers)}<br/>M+${p.value[0]}: ${fmt(p.value[2])}`
          : "";
      },
    },
    xAxis: { type: "category", data: xs, splitArea: { show: true }, position: "top" },
    yAxis: {
      type: "category",
      inverse: true,
      data: table.rows.map((r) => `${r.month}（${formatInt(r.customers)}）`),
      splitArea: { show: true },
    },
    visualMap: {
      min: 0,
      max: max || 1,
      calculable: true,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      inRange: { color: ["#f6ffed", "#95de64", "#237804"] },
      formatter: (v: number) => fmt(v),
    },
    series: [
      {
        type: "heatmap",
        data,
        label: { show: true, fontSize: 10, formatter: (p: { value: number[] }) => fmt(p.value[2]) },
      },
    ],
  };
}

/** Provinces to offer in the customer list's filter: the region table's, in its order. */
export function provinceOptions(rows: RegionRow[]): { label: string; value: string }[] {
  return rows.map((r) => ({ label: `${r.province}（${formatInt(r.customers)}）`, value: r.province }));
}

/** A customer's province from the region view's map (未知 when their orders had no address). */
export function provinceOf(provinces: Record<string, string | undefined>, key: string): string {
  return provinces[key] ?? UNKNOWN_PROVINCE;
}

/** The rows of one province (all rows when `province` is null); keeps the rows' order. */
export function filterByProvince<T extends { key: string }>(
  rows: T[],
  provinces: Record<string, string | undefined>,
  province: string | null,
): T[] {
  if (!province) return rows;
  return rows.filter((r) => provinceOf(provinces, r.key) === province);
}

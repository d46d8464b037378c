// The 商品 screen's chart and the cost editor's input: presentation only — the rankings, revenue
// shares and profit come from the shell (product_view, product_costs).
import { TIER_COLORS, escapeHtml } from "./charts";
import { formatFen, formatInt } from "./format";
import type { ProductRow, Tier, TierProducts } from "../types";

const FONT = '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

/** Which ranking a tier's chart and table show. */
export type ProductMeasure = "customers" | "orders" | "revenue";

/** A tier's top products by `measure` (the shell ranked each list). */
export function rankedRows(tier: TierProducts, measure: ProductMeasure): ProductRow[] {
  if (measure === "customers") return tier.by_customers;
  if (measure === "orders") return tier.by_orders;
  return tier.by_revenue;
}

/** The figure a bar shows: customers, orders, or revenue in yuan. */
export function measureValue(row: ProductRow, measure: ProductMeasure): number {
  if (measure === "customers") return row.customers;
  if (measure === "orders") return row.orders;
  return row.revenue / 100;
}

/** Long product titles (淘宝's 宝贝标题 run to 60 characters) cut for the axis; the tooltip has them whole. */
export function shortName(name: string, max = 14): string {
  const chars = Array.from(name);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : name;
}

/** One tier's horizontal bar chart, best seller on top. */
export function productBars(rows: ProductRow[], measure: ProductMeasure, tier: Tier) {
  return {
    textStyle: { fontFamily: FONT },
    animationDuration: 300,
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (ps: { dataIndex: number }[]) => {
        const r = rows[ps[0]?.dataIndex ?? 0];
        if (!r) return "";
        const sku = r.sku ? ` (${escapeHtml(r.sku)})` : "";
        return `${escapeHtml(r.product)}${sku}<br/>${formatInt(r.customers)} · ${formatInt(r.orders)} · ${formatFen(r.revenue)}`;
      },
    },
    xAxis: {
      type: "value",
      axisLabel: { formatter: (v: number) => formatInt(v) },
      splitLine: { lineStyle: { color: "#f0f0f0" } },
    },
    yAxis: {
      type: "category",
      inverse: true,
      data: rows.map((r) => shortName(r.product)),
      axisTick: { show: false },
    },
    series: [
      {
        type: "bar",
        barMaxWidth: 18,
        itemStyle: { color: TIER_COLORS[tier], borderRadius: [0, 3, 3, 0] },
        label: {
          show: true,
          position: "right",
          formatter: (p: { value: number }) =>
            measure === "revenue" ? formatInt(Math.round(p.value)) : formatInt(p.value),
        },
        data: rows.map((r) => measureValue(r, measure)),
      },
    ],
  };
}

/**
 * A unit cost typed by the user (yuan, "12.5", "¥12.50", "1,200") as fen; null for an empty field
 * (remove the cost); undefined for text that is not a non-negative amount.
 */
export function parseYuanInput(text: string): number | null | undefined {
  const clean = text.replace(/[¥￥,，\s]/g, "");
  if (clean === "") return null;
  if (!/^\d+(\.\d{0,2})?$/.test(clean)) return undefined;
  return Math.round(Number(clean) * 100);
}

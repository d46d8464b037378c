import { describe, expect, it } from "vitest";
import { measureValue, parseYuanInput, productBars, rankedRows, shortName } from "./products";
import type { ProductRow, TierProducts } from "../types";

const row = (product: string, customers: number, orders: number, revenue: number): ProductRow => ({
  product,
  sku: null,
  customers,
  orders,
  quantity: orders,
  revenue,
});

describe("products", () => {
  const tier: TierProducts = {
    tier: "A",
    buyers: 3,
    by_customers: [row("茶", 3, 4, 100)],
    by_orders: [row("壶", 1, 9, 50)],
    by_revenue: [row("饼", 2, 2, 90000)],
  };

  it("picks the shell's ranking for the measure", () => {
    expect(rankedRows(tier, "customers")[0].product).toBe("茶");
    expect(rankedRows(tier, "orders")[0].product).toBe("壶");
    expect(rankedRows(tier, "revenue")[0].product).toBe("饼");
  });

  it("shows revenue in yuan and counts as they are", () => {
    expect(measureValue(row("x", 2, 3, 12345), "revenue")).toBe(123.45);
    expect(measureValue(row("x", 2, 3, 12345), "orders")).toBe(3);
  });

  it("cuts long titles by characters, not bytes", () => {
    expect(shortName("新疆阿克苏冰糖心苹果 10斤装 包邮 当季", 8)).toBe("新疆阿克苏冰糖…");
    expect(shortName("紫砂壶")).toBe("紫砂壶");
  });

  it("puts the best seller on top with the tier's colour", () => {
    const option = productBars([row("a", 1, 1, 100), row("b", 1, 1, 50)], "revenue", "B");
    expect(option.yAxis.inverse).toBe(true);
    expect(option.series[0].data).toEqual([1, 0.5]);
    expect(option.series[0].itemStyle.color).toBe("#d48806");
  });

  it("reads a typed unit cost as fen", () => {
    expect(parseYuanInput("12.5")).toBe(1250);
    expect(parseYuanInput("¥1,200.05")).toBe(120005);
    expect(parseYuanInput(" ")).toBeNull();
    expect(parseYuanInput("-3")).toBeUndefined();
    expect(parseYuanInput("1.234")).toBeUndefined();
    expect(parseYuanInput("abc")).toBeUndefined();
  });
});

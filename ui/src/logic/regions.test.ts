import { describe, expect, it } from "vitest";
import type { CohortTable, RegionRow } from "../types";
import {
  cohortHeatmap,
  cohortValue,
  filterByProvince,
  provinceOf,
  provinceOptions,
  tierAShare,
  tierMixBars,
  usedTiers,
  UNKNOWN_PROVINCE,
} from "./regions";

const rows: RegionRow[] = [
  { province: "广东", customers: 10, tiers: [2, 3, 5, 0], revenue: 500_000 },
  { province: "浙江", customers: 4, tiers: [1, 1, 2, 0], revenue: 90_000 },
  { province: "未知", customers: 1, tiers: [0, 0, 1, 0], revenue: 1_000 },
];

// January cohort of 4 (one came back in February for ¥300 in total), February cohort of 2; as of
// February, so the January cohort's M+2… and the February cohort's M+1… have not happened.
const table: CohortTable = {
  as_of: "2025-02-28",
  rows: [
    {
      month: "2025-01",
      customers: 4,
      active: [4, 1, ...Array(10).fill(null)],
      revenue: [80_000, 30_000, ...Array(10).fill(null)],
    },
    {
      month: "2025-02",
      customers: 2,
      active: [2, ...Array(11).fill(null)],
      revenue: [10_000, ...Array(11).fill(null)],
    },
  ],
};

describe("tier mix by province", () => {
  it("offers only the tiers in use and keeps the core's order (most customers first)", () => {
    expect(usedTiers(rows)).toEqual(["A", "B", "C"]);
    const option = tierMixBars(rows, (t) => `${t}类`);
    expect(option.yAxis.data).toEqual(["广东", "浙江", "未知"]);
    expect(option.series.map((s) => s.name)).toEqual(["A类", "B类", "C类"]);
    expect(option.series[2].data).toEqual([5, 2, 1]);
    expect(option.series.every((s) => s.stack === "tiers")).toBe(true);
  });

  it("limits the chart to the provinces with most customers", () => {
    expect(tierMixBars(rows, (t) => t, 2).yAxis.data).toEqual(["广东", "浙江"]);
  });

  it("escapes province names in the tooltip", () => {
    const evil: RegionRow[] = [{ province: "<b>x</b>", customers: 1, tiers: [1, 0, 0, 0], revenue: 100 }];
    const tip = tierMixBars(evil, (t) => t).tooltip.formatter([{ dataIndex: 0 }]);
    expect(tip).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(tip).not.toContain("<b>x");
  });

  it("works out the A share per province", () => {
    expect(tierAShare(rows[0])).toBeCloseTo(0.2);
    expect(tierAShare({ province: "x", customers: 0, tiers: [0, 0, 0, 0], revenue: 0 })).toBe(0);
  });
});

describe("cohort heat map", () => {
  it("turns counts and fen into shares and yuan per cohort customer, null after the as-of month", () => {
    expect(cohortValue(table.rows[0], 0, "share")).toBe(1);
    expect(cohortValue(table.rows[0], 1, "share")).toBe(0.25);
    expect(cohortValue(table.rows[0], 1, "revenue")).toBe(75);
    expect(cohortValue(table.rows[0], 2, "share")).toBeNull();
    expect(cohortValue(table.rows[1], 1, "revenue")).toBeNull();
  });

  it("leaves future months out of the data instead of drawing them as 0", () => {
    const option = cohortHeatmap(table, "share", "客户");
    expect(option.series[0].data).toEqual([
      [0, 0, 1],
      [1, 0, 0.25],
      [0, 1, 1],
    ]);
    expect(option.xAxis.data).toHaveLength(12);
    expect(option.yAxis.data).toEqual(["2025-01（4）", "2025-02（2）"]);
    // M+0 is 100 % by definition; the colour scale follows the later months.
    expect(option.visualMap.max).toBe(0.25);
  });

  it("scales revenue by the largest cell", () => {
    const option = cohortHeatmap(table, "revenue", "客户");
    expect(option.visualMap.max).toBe(200);
    expect(option.series[0].label.formatter({ value: [0, 0, 200] })).toBe("¥200");
  });
});

describe("province filter", () => {
  const provinces = { a: "广东", b: "浙江" };
  const list = [{ key: "a" }, { key: "b" }, { key: "c" }];

  it("keeps the rows of one province, unknown for customers without address", () => {
    expect(filterByProvince(list, provinces, "广东")).toEqual([{ key: "a" }]);
    expect(filterByProvince(list, provinces, UNKNOWN_PROVINCE)).toEqual([{ key: "c" }]);
    expect(filterByProvince(list, provinces, null)).toBe(list);
    expect(provinceOf(provinces, "zz")).toBe("未知");
  });

  it("labels the options with their customer counts", () => {
    expect(provinceOptions(rows)[0]).toEqual({ label: "广东（10）", value: "广东" });
  });
});

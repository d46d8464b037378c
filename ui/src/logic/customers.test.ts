import { describe, expect, test } from "vitest";
import { countByTier, filterCustomers, normalizeSearch, segmentsOf, sortCustomers } from "./customers";
import type { Catalogue, CustomerRow, Tier } from "../types";
// Segment names from the core's catalogue (dumped by src-tauri/bindings.rs), never written by hand.
import catalogueJson from "../bindings/catalogue.json";
const cube = (catalogueJson as unknown as Catalogue).cube_types.map((c) => c.name);
const [VALUE, , , , , DEVELOP, , GENERAL_WIN_BACK] = cube;

function row(p: Partial<CustomerRow> & { key: string }): CustomerRow {
  return {
    name: "",
    phone: null,
    orders: 1,
    revenue: 0,
    aov: 0,
    first_order: "2025-01-01",
    last_order: "2025-01-01",
    recency_days: 0,
    r_score: 1,
    f_score: 1,
    m_score: 1,
    tier: "C" as Tier,
    segment: null,
    abc: "C" as Tier,
    rfm_type: GENERAL_WIN_BACK,
    score: null,
    action: { zh: "", en: "" },
    channel: { zh: "", en: "" },
    priority: 3,
    next_contact: "2025-02-01",
    rhythm: null,
    previous_tier: null,
    tier_changed_on: null,
    dropped: false,
    ...p,
  };
}

const rows = [
  row({ key: "oAAA1", name: "张伟", phone: "138****1234", revenue: 500, tier: "A", segment: VALUE, orders: 5 }),
  row({ key: "oBBB2", name: "微信用户", phone: "13800138000", revenue: 80, tier: "B", segment: DEVELOP, orders: 1 }),
  row({ key: "oCCC3", name: "Ｌｉｌｙ 李", phone: null, revenue: 80, tier: "C", segment: GENERAL_WIN_BACK, orders: 2 }),
  row({
    key: "oDDD4",
    name: '=HYPERLINK("x")',
    phone: "139 0000 1111",
    revenue: 1200,
    tier: "A",
    segment: VALUE,
    orders: 9,
  }),
];

describe("search", () => {
  test("full-width letters and spaces are folded so ＬＩＬＹ finds Ｌｉｌｙ", () => {
    expect(normalizeSearch("ＬＩＬＹ　李")).toBe("lily李");
  });
  test("finds by name, key or phone", () => {
    const q = (query: string) => filterCustomers(rows, { query, tiers: [], segments: [] }).map((r) => r.key);
    expect(q("张伟")).toEqual(["oAAA1"]);
    expect(q("obbb")).toEqual(["oBBB2"]);
    expect(q("1234")).toEqual(["oAAA1"]);
    expect(q("lily")).toEqual(["oCCC3"]);
  });
  test("a phone typed with spaces finds the number stored without them and vice versa", () => {
    const q = (query: string) => filterCustomers(rows, { query, tiers: [], segments: [] }).map((r) => r.key);
    expect(q("13900001111")).toEqual(["oDDD4"]);
    expect(q("138 0013")).toEqual(["oBBB2"]);
  });
  test("several words must all match", () => {
    expect(filterCustomers(rows, { query: "微信 138", tiers: [], segments: [] }).map((r) => r.key)).toEqual(["oBBB2"]);
    expect(filterCustomers(rows, { query: "微信 张伟", tiers: [], segments: [] })).toEqual([]);
  });
  test("formula-looking names are searched as plain text", () => {
    expect(filterCustomers(rows, { query: "=hyperlink", tiers: [], segments: [] }).map((r) => r.key)).toEqual([
      "oDDD4",
    ]);
  });
  test("an empty filter returns the same array (no copy of 100k rows)", () => {
    expect(filterCustomers(rows, { query: "  ", tiers: [], segments: [] })).toBe(rows);
  });
});

describe("filters", () => {
  test("by tier and by segment, combined with search", () => {
    expect(filterCustomers(rows, { query: "", tiers: ["A"], segments: [] }).map((r) => r.key)).toEqual([
      "oAAA1",
      "oDDD4",
    ]);
    expect(filterCustomers(rows, { query: "", tiers: [], segments: [GENERAL_WIN_BACK] }).map((r) => r.key)).toEqual([
      "oCCC3",
    ]);
    expect(filterCustomers(rows, { query: "张", tiers: ["A"], segments: [VALUE] }).map((r) => r.key)).toEqual([
      "oAAA1",
    ]);
  });
  test("tier counts and segment list", () => {
    expect(countByTier(rows)).toEqual({ A: 2, B: 1, C: 1, D: 0 });
    expect(segmentsOf(rows)).toHaveLength(3);
  });
});

describe("sort", () => {
  test("by revenue descending, ties broken by key so the order is stable", () => {
    const sorted = sortCustomers(rows, "revenue", "descend").map((r) => r.key);
    expect(sorted).toEqual(["oDDD4", "oAAA1", "oBBB2", "oCCC3"]);
  });
  test("by orders ascending", () => {
    expect(sortCustomers(rows, "orders", "ascend").map((r) => r.orders)).toEqual([1, 2, 5, 9]);
  });
  test("by Chinese name uses a collator, not code points", () => {
    const sorted = sortCustomers(rows, "name", "ascend").map((r) => r.key);
    expect(sorted).toHaveLength(4);
    expect(sorted.indexOf("oAAA1")).toBeGreaterThan(-1);
  });
  test("by tier puts A first ascending", () => {
    expect(sortCustomers(rows, "tier", "ascend")[0].tier).toBe("A");
  });
  test("no sort key keeps the given order and does not copy", () => {
    expect(sortCustomers(rows, null, "ascend")).toBe(rows);
  });
  test("sorting does not mutate the input", () => {
    const before = rows.map((r) => r.key);
    sortCustomers(rows, "revenue", "ascend");
    expect(rows.map((r) => r.key)).toEqual(before);
  });
});

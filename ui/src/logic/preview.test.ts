import { describe, expect, test } from "vitest";
import {
  alternativeLines,
  columnValues,
  combinedKeyOffer,
  detectAll,
  headerRowIndex,
  isMaskedColumn,
  warningLevel,
  withKey,
  withRole,
  withSheet,
} from "./preview";
import type { Preview } from "../types";

const preview: Preview = {
  file: "a.xlsx",
  format: "xlsx",
  sheets: ["订单", "说明"],
  mapping: {
    sheet: "订单",
    header_row: 1,
    columns: [
      { index: 0, header: "联系电话", role: "customer_key" },
      { index: 1, header: "收货人", role: "receiver" },
      { index: 2, header: "实付金额", role: "amount" },
      { index: 3, header: "订单金额", role: null },
    ],
    key: { kind: "column", columns: "联系电话" },
    level: "orders",
    alternatives: [],
    headerless: false,
  },
  rows: [
    ["订单导出 2025-01-01 至 2025-03-31"],
    ["联系电话", "收货人", "实付金额", "订单金额"],
    ["138****1234", "张三", "99.00", "109.00"],
    ["138****1234", "李四", "19.90", "19.90"],
    ["", "", "", ""],
  ],
  warnings: [],
};

describe("headerRowIndex", () => {
  test("names the header row, or none for a file whose first row is data", () => {
    expect(headerRowIndex(preview)).toBe(1);
    const bare = { ...preview, mapping: { ...preview.mapping, header_row: 0, headerless: true } };
    expect(headerRowIndex(bare)).toBe(-1);
    // Every row is data: the key column's values start at the first row.
    expect(columnValues(bare, "联系电话")).toEqual([
      "订单导出 2025-01-01 至 2025-03-31",
      "联系电话",
      "138****1234",
      "138****1234",
    ]);
  });
});

describe("masked-phone key", () => {
  test("a column of 138****1234 values is masked; the title row above the header is ignored", () => {
    expect(isMaskedColumn(preview, "联系电话")).toBe(true);
    expect(isMaskedColumn(preview, "收货人")).toBe(false);
  });
  test("offers phone + receiver as the combined key", () => {
    expect(combinedKeyOffer(preview)).toEqual(["联系电话", "收货人"]);
  });
  test("no offer once the key is already combined", () => {
    const p = {
      ...preview,
      mapping: { ...preview.mapping, key: { kind: "combined" as const, columns: ["联系电话", "收货人"] } },
    };
    expect(combinedKeyOffer(p)).toBeNull();
  });
});

describe("core suggestions", () => {
  test("the core's suggested key wins over columns guessed from the rows", () => {
    const p: Preview = {
      ...preview,
      warnings: [
        {
          code: "masked_phone_key",
          text: { zh: "", en: "" },
          suggestion: { kind: "combined", columns: ["联系电话", "买家昵称"] },
        },
      ],
    };
    expect(combinedKeyOffer(p)).toEqual(["联系电话", "买家昵称"]);
  });
  test("alternatives are listed with the chosen column first", () => {
    const p: Preview = {
      ...preview,
      mapping: {
        ...preview.mapping,
        alternatives: [
          { role: "amount", chosen: "实付金额", others: ["订单金额", "商家实收金额"] },
          { role: "date", chosen: "下单时间", others: [] },
        ],
      },
    };
    expect(
      alternativeLines(
        p,
        (r) => (r === "amount" ? "金额" : r),
        (o) => `（其他候选：${o}）`,
      ),
    ).toEqual(["金额：实付金额（其他候选：订单金额、商家实收金额）"]);
  });
});

describe("option edits", () => {
  test("choosing another amount column clears the role from the old one", () => {
    const o = withRole(detectAll(), preview, "订单金额", "amount");
    expect(o.roles).toEqual({ 实付金额: null, 订单金额: "amount" });
  });
  test("a combined key is sent as the core's KeySpec", () => {
    expect(withKey(detectAll(), preview, ["联系电话", "收货人"]).key).toEqual({
      kind: "combined",
      columns: ["联系电话", "收货人"],
    });
  });
  test("a single key column also sets its role", () => {
    const o = withKey(detectAll(), preview, ["收货人"]);
    expect(o.key).toEqual({ kind: "column", columns: "收货人" });
    expect(o.roles["联系电话"]).toBeNull();
  });
  test("switching sheet forgets the old sheet's header row and roles", () => {
    expect(withSheet({ ...detectAll(), header_row: 3, roles: { a: "amount" } }, "说明")).toEqual({
      ...detectAll(),
      sheet: "说明",
    });
  });
});

describe("warning levels", () => {
  test("warnings that say a detected column is probably wrong stand out; notes stay information", () => {
    for (const code of ["key_collapsed", "amount_constant", "key_holds_dates"])
      expect(warningLevel(code)).toBe("warning");
    for (const code of ["customer_level", "recency_dated_back", "bare_id_key", "column_choice"])
      expect(warningLevel(code)).toBe("info");
  });
});

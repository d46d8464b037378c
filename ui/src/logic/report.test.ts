import { describe, expect, test } from "vitest";
import { createI18n } from "vue-i18n";
import zh from "../i18n/zh-CN";
import en from "../i18n/en";
import { exampleRows, mappingSummary, outcomeSummary, reportSentences, type OutcomeCounts } from "./report";
import type { ImportReport } from "../types";

// The real messages through the real vue-i18n, so a broken template shows up here.
const i18n = createI18n({ legacy: false, locale: "zh-CN", messages: { "zh-CN": zh, en } });
const tz = (k: string, n?: Record<string, unknown>) => i18n.global.t(k, n ?? {}, { locale: "zh-CN" });
const ten = (k: string, n?: Record<string, unknown>) => i18n.global.t(k, n ?? {}, { locale: "en" });

const report: ImportReport = {
  file: "orders.xlsx",
  format: "xlsx",
  mapping: {
    sheet: "订单列表",
    header_row: 1,
    columns: [
      { index: 0, header: "订单号", role: "order_id" },
      { index: 1, header: "下单时间", role: "date" },
      { index: 2, header: "买家ID", role: "customer_key" },
      { index: 3, header: "实付金额", role: "amount" },
    ],
    key: { kind: "column", columns: "买家ID" },
    level: "orders",
    alternatives: [],
    headerless: false,
  },
  rows_read: 12345,
  orders_kept: 12000,
  skipped: [
    { reason: "refunded", count: 3, example_rows: [40] },
    { reason: "closed", count: 12, example_rows: [5, 9, 31, 77] },
    { reason: "blank", count: 0, example_rows: [] },
  ],
  first_date: "2025-01-01",
  last_date: "2025-06-30",
  warnings: [],
};

describe("import report in plain words", () => {
  test("Chinese: rows read, orders kept, skips biggest first with example rows, date range", () => {
    expect(reportSentences(report, tz, "zh")).toEqual([
      "读取 12,345 行，保留 12,000 个订单。",
      "跳过：已关闭/已取消 12 行（如第 5、9、31 行）；已全额退款 3 行（如第 40 行）",
      "订单日期：2025年1月1日 至 2025年6月30日",
    ]);
  });
  test("English reads as English", () => {
    const s = reportSentences(report, ten, "en");
    expect(s[0]).toBe("Read 12,345 rows and kept 12,000 orders.");
    expect(s[1]).toBe("Skipped: 12 rows closed/cancelled (e.g. rows 5, 9, 31); 3 rows fully refunded (e.g. rows 40)");
    expect(s[2]).toBe("Orders from 2025-01-01 to 2025-06-30");
  });
  test("nothing skipped is said, and a missing date range is left out", () => {
    const s = reportSentences({ ...report, skipped: [], first_date: null }, tz, "zh");
    expect(s).toEqual(["读取 12,345 行，保留 12,000 个订单。", "没有跳过任何行。"]);
  });
  test("at most three example rows, numbered as Excel shows them", () => {
    expect(exampleRows([1, 2, 3, 4, 5], tz)).toBe("第 1、2、3 行");
    expect(exampleRows([4126], tz)).toBe("第 4126 行");
  });
  test("the mapping names the key and the amount column, and a combined key joins its columns", () => {
    expect(mappingSummary(report, tz)).toBe("客户：买家ID · 金额：实付金额 · 日期：下单时间 · 订单号：订单号");
    const combined = {
      ...report,
      mapping: { ...report.mapping, key: { kind: "combined" as const, columns: ["联系电话", "收货人"] } },
    };
    expect(mappingSummary(combined, tz)).toContain("客户：联系电话 + 收货人");
  });
  test("without an amount column the summary names the unit price and quantity the amount came from", () => {
    const columns = [
      { index: 0, header: "InvoiceNo", role: "order_id" as const },
      { index: 1, header: "Quantity", role: "quantity" as const },
      { index: 2, header: "InvoiceDate", role: "date" as const },
      { index: 3, header: "UnitPrice", role: "unit_price" as const },
      { index: 4, header: "CustomerID", role: "customer_key" as const },
    ];
    const retail = {
      ...report,
      mapping: { ...report.mapping, columns, key: { kind: "column" as const, columns: "CustomerID" } },
    };
    const s = mappingSummary(retail, tz);
    expect(s).toContain("单价：UnitPrice");
    expect(s).toContain("数量：Quantity");
    expect(s).not.toContain("金额");
    expect(mappingSummary(report, tz)).not.toContain("单价");
  });
  test("a customer list without dates names the days-since-last-purchase column it dated back from", () => {
    const columns = [
      { index: 0, header: "CustomerID", role: "customer_key" as const },
      { index: 1, header: "Recency", role: "recency_days" as const },
      { index: 2, header: "Monetary", role: "amount" as const },
    ];
    const rfm = {
      ...report,
      mapping: {
        ...report.mapping,
        columns,
        level: "customers" as const,
        key: { kind: "column" as const, columns: "CustomerID" },
      },
    };
    expect(mappingSummary(rfm, tz)).toContain("距上次消费天数：Recency");
    expect(mappingSummary(rfm, ten)).toContain("Days since last purchase：Recency");
  });
  test("the workspace summary says what was new, what was already known, and the totals after", () => {
    const o: OutcomeCounts = {
      new_orders: 300,
      known_orders: 11700,
      updated_orders: 0,
      withdrawn_orders: 0,
      unchanged_files: ["jan.xlsx"],
      orders: 12000,
      customers: 3456,
    };
    expect(outcomeSummary(o, tz)).toEqual([
      "本次新增 300 个订单。",
      "11,700 个订单之前已导入过，没有重复计算。",
      "“jan.xlsx”与之前导入的文件相同，没有变化。",
      "现在共有 12,000 个有效订单，3,456 位客户。",
    ]);
  });
  test("nothing known before and no unchanged file: only the new orders and the totals", () => {
    const o: OutcomeCounts = {
      new_orders: 12000,
      known_orders: 0,
      updated_orders: 0,
      withdrawn_orders: 0,
      unchanged_files: [],
      orders: 12000,
      customers: 3456,
    };
    expect(outcomeSummary(o, ten)).toEqual([
      "12,000 new orders added.",
      "12,000 valid orders from 3,456 customers in total.",
    ]);
  });
  test("late refunds in a newer export: updated and withdrawn orders get a line each, right after the known ones", () => {
    const o: OutcomeCounts = {
      new_orders: 5,
      known_orders: 1200,
      updated_orders: 3,
      withdrawn_orders: 2,
      unchanged_files: [],
      orders: 1203,
      customers: 400,
    };
    const lines = outcomeSummary(o, tz);
    expect(lines).toHaveLength(5);
    expect(lines[2]).toContain("3 个订单的金额或退款有变化");
    expect(lines[3]).toContain("2 个之前导入的订单");
    expect(outcomeSummary({ ...o, updated_orders: 0, withdrawn_orders: 0 }, tz)).toHaveLength(3);
  });
});

// The import report in plain words: "读取 1,234 行，保留 1,100 个订单；跳过：已关闭 12 行（如第 5、9 行）…".
// Built from i18n templates so English reads as English, not a translation of Chinese punctuation.

import type { ImportOutcome, ImportReport, Lang, Role, Text } from "../types";
import { formatDate, formatInt } from "./format";

export type Translate = (key: string, named?: Record<string, unknown>) => string;

export const textOf = (text: Text | null | undefined, lang: Lang): string =>
  text ? (lang === "en" ? text.en || text.zh : text.zh || text.en) : "";

/** "第 5、9、12 行" / "rows 5, 9, 12" — at most `max` examples. */
export function exampleRows(rows: number[], t: Translate, max = 3): string {
  if (!rows.length) return "";
  // Row numbers as Excel shows them: 4126, not 4,126.
  const shown = rows.slice(0, max).map((r) => String(r));
  return t("report.examples", { rows: shown.join(t("report.listSep")) });
}

/** The headline: rows read and orders kept. */
export function headline(report: ImportReport, t: Translate): string {
  return t("report.headline", { rows: formatInt(report.rows_read), orders: formatInt(report.orders_kept) });
}

/** One sentence per skip reason, biggest first, with example row numbers. */
export function skippedSentences(report: ImportReport, t: Translate): string[] {
  return report.skipped
    .filter((s) => s.count > 0)
    .slice()
    .sort((a, b) => b.count - a.count)
    .map((s) => {
      const ex = exampleRows(s.example_rows, t);
      return t("report.skippedLine", {
        reason: t(`skip.${s.reason}`),
        count: formatInt(s.count),
        examples: ex ? t("report.examplesWrap", { examples: ex }) : "",
      });
    });
}

/** "订单日期：2025年1月1日 至 2025年6月30日". */
export function dateRange(report: ImportReport, t: Translate, lang: Lang): string {
  if (!report.first_date || !report.last_date) return "";
  return t("report.dateRange", { from: formatDate(report.first_date, lang), to: formatDate(report.last_date, lang) });
}

/** The mapping used, "客户：买家ID · 金额：实付金额 · 日期：下单时间". */
export function mappingSummary(report: ImportReport, t: Translate): string {
  // Without an amount column the core computes quantity × unit price: name those two instead.
  const computed = !report.mapping.columns.some((c) => c.role === "amount");
  const money: Role[] = computed ? ["unit_price", "quantity"] : ["amount"];
  const wanted: Role[] = ["customer_key", ...money, "date", "recency_days", "order_id", "status", "refund"];
  const parts: string[] = [];
  const key = report.mapping.key;
  const keyText = key.kind === "combined" ? key.columns.join(" + ") : key.columns;
  parts.push(`${t("role.customer_key")}：${keyText}`);
  for (const role of wanted.slice(1)) {
    const col = report.mapping.columns.find((c) => c.role === role);
    if (col) parts.push(`${t(`role.${role}`)}：${col.header}`);
  }
  return parts.join(" · ");
}

/** Everything for one file, in order: headline; skip lines; date range. */
export function reportSentences(report: ImportReport, t: Translate, lang: Lang): string[] {
  const skipped = skippedSentences(report, t);
  const out = [headline(report, t)];
  if (skipped.length) out.push(t("report.skippedIntro") + skipped.join(t("report.clauseSep")));
  else out.push(t("report.noneSkipped"));
  const range = dateRange(report, t, lang);
  if (range) out.push(range);
  return out;
}

/** The fields of an import outcome that the workspace summary reads. */
export type OutcomeCounts = Pick<
  ImportOutcome,
  "new_orders" | "known_orders" | "updated_orders" | "withdrawn_orders" | "unchanged_files" | "orders" | "customers"
>;

/** The workspace-level summary: new vs already known orders, unchanged files, then the totals. */
export function outcomeSummary(outcome: OutcomeCounts, t: Translate): string[] {
  const out = [t("report.newOrders", { count: formatInt(outcome.new_orders) })];
  if (outcome.known_orders) out.push(t("report.knownOrders", { count: formatInt(outcome.known_orders) }));
  if (outcome.updated_orders) out.push(t("report.updatedOrders", { count: formatInt(outcome.updated_orders) }));
  if (outcome.withdrawn_orders) out.push(t("report.withdrawnOrders", { count: formatInt(outcome.withdrawn_orders) }));
  for (const f of outcome.unchanged_files) out.push(t("report.unchangedFile", { file: f }));
  out.push(t("report.totals", { orders: formatInt(outcome.orders), customers: formatInt(outcome.customers) }));
  return out;
}

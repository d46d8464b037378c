// Import-preview decisions: which column is which, whether the key is a masked phone, and the
// option changes the preview's selects make (role overrides by header text, the customer key).

import type { ImportOptions, KeySpec, Preview, Role } from "../types";
import { isMaskedPhone } from "./format";

/** The header of the column holding `role`, if any. */
export function headerWithRole(preview: Preview, role: Role): string | null {
  return preview.mapping.columns.find((c) => c.role === role)?.header ?? null;
}

/** The preview row of the header, or -1 for a file without one (its first row is already data). */
export const headerRowIndex = (preview: Preview): number =>
  preview.mapping.headerless ? -1 : preview.mapping.header_row;

/** Values of one column under the header row. */
export function columnValues(preview: Preview, header: string): string[] {
  const col = preview.mapping.columns.find((c) => c.header === header);
  if (!col) return [];
  return preview.rows
    .slice(headerRowIndex(preview) + 1)
    .map((r) => r[col.index] ?? "")
    .filter((v) => v.trim() !== "");
}

/** True when most non-empty values of the column are masked phones (138****1234). */
export function isMaskedColumn(preview: Preview, header: string): boolean {
  const values = columnValues(preview, header);
  if (!values.length) return false;
  const masked = values.filter(isMaskedPhone).length;
  return masked * 2 > values.length;
}

/** The key's columns as a list. */
/**
 * How loudly the preview shows a core warning: the ones that say a detected column is probably
 * wrong (a masked key standing for most orders, an amount that is the same on every row, a key of
 * dates that gave way) in the warning colour, the rest as information.
 */
export function warningLevel(code: string): "warning" | "info" {
  return ["key_collapsed", "amount_constant", "key_holds_dates"].includes(code) ? "warning" : "info";
}

export const keyColumns = (key: KeySpec): string[] => (key.kind === "combined" ? key.columns : [key.columns]);

/** When the key is a single masked phone column: the phone + receiver (or name) combination to offer. */
export function combinedKeyOffer(preview: Preview): string[] | null {
  const key = preview.mapping.key;
  if (key.kind !== "column") return null;
  // The core's own suggestion (warning `masked_phone_key`) wins over guessing from the preview rows.
  const suggested = preview.warnings.find((w) => w.suggestion)?.suggestion;
  if (suggested) return keyColumns(suggested);
  const masked = isMaskedColumn(preview, key.columns) || preview.warnings.some((w) => w.code.includes("masked"));
  if (!masked) return null;
  const phone = isMaskedColumn(preview, key.columns) ? key.columns : headerWithRole(preview, "phone");
  const person = headerWithRole(preview, "receiver") ?? headerWithRole(preview, "name");
  if (!phone || !person || phone === person) return null;
  return [phone, person];
}

/** "金额：实付金额（其他候选：订单金额、商家实收金额）" lines for roles where several columns fitted. */
export function alternativeLines(
  preview: Preview,
  roleName: (role: Role) => string,
  others: (list: string) => string,
): string[] {
  return preview.mapping.alternatives
    .filter((a) => a.others.length)
    .map((a) => `${roleName(a.role)}：${a.chosen}${others(a.others.join("、"))}`);
}

/**
 * Options that leave everything to detection (the shell also accepts missing fields; the bindings spell them out).
 * skip_zero_amount stays false: the saved setting (设置 → 不计 ¥0 订单) decides it in the app.
 */
export const detectAll = (): ImportOptions => ({
  sheet: null,
  header_row: null,
  roles: {},
  key: null,
  rules: null,
  skip_zero_amount: false,
});

/** Options with one column's role changed; a unique role (key, amount, date, order id) moves off its old column. */
export function withRole(options: ImportOptions, preview: Preview, header: string, role: Role | null): ImportOptions {
  const roles: Record<string, Role | null> = { ...options.roles };
  const unique: Role[] = ["customer_key", "order_id", "date", "recency_days", "amount", "refund", "status"];
  if (role && unique.includes(role)) {
    for (const c of preview.mapping.columns) {
      if (c.header !== header && c.role === role) roles[c.header] = null;
    }
  }
  roles[header] = role;
  const next: ImportOptions = { ...options, roles };
  if (role === "customer_key") next.key = { kind: "column", columns: header };
  return next;
}

/** Options with a new customer key (a single column or a combination). */
export function withKey(options: ImportOptions, preview: Preview, columns: string[]): ImportOptions {
  if (columns.length === 1) return withRole(options, preview, columns[0], "customer_key");
  return { ...options, key: { kind: "combined", columns } };
}

/** Options for another sheet: the header row and role overrides belong to the old sheet, so they go. */
export function withSheet(options: ImportOptions, sheet: string): ImportOptions {
  return { ...options, sheet, header_row: null, roles: {}, key: null };
}

// How figures read in each UI language, as Intl.NumberFormat options. Registered with vue-i18n
// (`n(value, "yuan")` in a template) and used by logic/format.ts, so a figure reads the same wherever
// it is shown. The language decides the words: `yuanShort` gives ¥51.4万 / ¥1.23亿 in Chinese and
// ¥514K / ¥123M in English.

const yuan = {
  style: "currency",
  currency: "CNY",
  // "¥", not "CN¥", in English too; and a value that rounds to zero is not shown as "-¥0.00".
  currencyDisplay: "narrowSymbol",
  signDisplay: "negative",
} as const satisfies Intl.NumberFormatOptions;

const formats = {
  /** ¥1,234.50 */
  yuan,
  /** KPI cards and chart axes: three significant digits with 万/亿 (K/M/B in English). */
  yuanShort: { ...yuan, notation: "compact", maximumSignificantDigits: 3 },
  /** 12,345 */
  integer: { maximumFractionDigits: 0 },
  /** Up to two decimals, as needed: 2.5, 12.35, 30. */
  decimal: { maximumFractionDigits: 2 },
  /** A 0–1 share as 80.0% */
  share: { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 },
} as const satisfies Record<string, Intl.NumberFormatOptions>;

export type NumberFormatName = keyof typeof formats;

/** vue-i18n's `numberFormats`, by UI locale. */
export const numberFormats = { "zh-CN": formats, en: formats };

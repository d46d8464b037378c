// Number, money and date formatting for the screens. Money arrives either in fen (core structs) or in
// yuan (customer rows); the two entry points keep that explicit so nobody divides by 100 twice.

import { localeOf } from "../i18n/locale";
import { numberFormats, type NumberFormatName } from "../i18n/numbers";

type Lang = "zh" | "en";

const formatters = new Map<string, Intl.NumberFormat>();

/** The Intl formatter of a named format (i18n/numbers.ts) in a language, with optional overrides; made once. */
function formatter(name: NumberFormatName, lang: Lang, overrides: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${name}|${lang}|${JSON.stringify(overrides)}`;
  let f = formatters.get(key);
  if (!f) {
    const locale = localeOf(lang);
    f = new Intl.NumberFormat(locale, { ...numberFormats[locale][name], ...overrides });
    formatters.set(key, f);
  }
  return f;
}

/** ¥1,234.50 from yuan; negative amounts read "-¥12.00", a value that rounds to zero "¥0.00". Non-finite input gives "—". */
export function formatYuan(yuan: number): string {
  if (!Number.isFinite(yuan)) return "—";
  return formatter("yuan", "zh").format(yuan);
}

/** ¥ from fen (integer cents), exact: 123456 → "¥1,234.56" (the decimal is written out, never divided in floating point). */
export function formatFen(cents: number): string {
  if (!Number.isFinite(cents)) return "—";
  const abs = Math.abs(Math.round(cents));
  const fen = abs % 100;
  const decimal = `${cents < 0 ? "-" : ""}${(abs - fen) / 100}.${String(fen).padStart(2, "0")}`;
  return formatter("yuan", "zh").format(decimal as Intl.StringNumericLiteral);
}

/** Short money for KPI cards and chart axes: ¥8560 / ¥51.4万 / ¥1.23亿 in Chinese, ¥8.56K / ¥514K / ¥2.5M in English. */
export function formatYuanShort(yuan: number, lang: Lang = "zh"): string {
  if (!Number.isFinite(yuan)) return "—";
  return formatter("yuanShort", lang).format(yuan);
}

/** A share 0–1 as "80.0%". */
export function formatShare(share: number, digits = 1): string {
  if (!Number.isFinite(share)) return "—";
  return formatter("share", "zh", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(share);
}

/** A percentage already in 0–100 as "80%" (parameters are edited in 0–100; ECharts gives pie percents so). */
export function formatPct(pct: number, digits = 0): string {
  return formatShare(pct / 100, digits);
}

/** 12345 → "12,345". */
export function formatInt(n: number): string {
  if (!Number.isFinite(n)) return "—";
  return formatter("integer", "zh").format(n);
}

/** Up to `digits` decimals, as needed: 2.5 → "2.5", 3 → "3", 12345.678 → "12,345.68". */
export function formatDecimal(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return "—";
  return formatter("decimal", "zh", { maximumFractionDigits: digits }).format(n);
}

/**
 * "2025-03-05" (or "2025-03-05T14:22:10", "2025-03-05 14:22:10") for display: the date part in Chinese
 * style "2025年3月5日" or ISO in English. Unknown shapes are returned unchanged.
 */
export function formatDate(value: string | null | undefined, lang: "zh" | "en" = "zh"): string {
  if (!value) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return value;
  if (lang === "zh") return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** "2025-03-05T14:22:10" → "2025-03-05 14:22" (orders table). */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(value);
  if (m) return `${m[1]} ${m[2]}`;
  return value.slice(0, 10);
}

/** Whole days between two ISO dates (b − a). */
export function daysBetween(a: string, b: string): number {
  const ta = Date.parse(a.slice(0, 10) + "T00:00:00Z");
  const tb = Date.parse(b.slice(0, 10) + "T00:00:00Z");
  if (!Number.isFinite(ta) || !Number.isFinite(tb)) return NaN;
  return Math.round((tb - ta) / 86_400_000);
}

/** File name from a path with / or \ separators. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** Folder of a path with / or \ separators. */
export function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i > 0 ? path.slice(0, i) : path;
}

/** Bytes as "1.2 MB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v >= 10 ? 0 : 1)} ${units[u]}`;
}

/** A masked phone like 138****1234 (the customer key then collides across people). */
export function isMaskedPhone(value: string): boolean {
  return /^\+?\d{3,4}[*＊xX]{3,}\d{3,4}$/.test(value.trim());
}

/** A threshold-table value with its unit: "¥1,280.50", "30 天", "80%", "3 单", "12.5 分". */
export function formatThreshold(value: number, unit: string): string {
  if (unit === "¥" || unit === "￥") return formatYuan(value);
  const shown = formatDecimal(value);
  if (unit === "%") return `${shown}%`;
  return unit ? `${shown} ${unit}` : shown;
}

// Number, money and date formatting for the screens. Money arrives either in fen (core structs) or in
// yuan (customer rows); the two entry points keep that explicit so nobody divides by 100 twice.

const groups = (intPart: string): string => intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** ¥1,234.50 from yuan; negative amounts read "-¥12.00". Non-finite input gives "—". */
export function formatYuan(yuan: number, digits = 2): string {
  if (!Number.isFinite(yuan)) return "—";
  const negative = yuan < 0;
  const fixed = Math.abs(yuan).toFixed(digits);
  const [intPart, frac] = fixed.split(".");
  const body = groups(intPart) + (frac !== undefined ? "." + frac : "");
  // "-0.00" would look like a refund; treat a value that rounds to zero as zero.
  return (negative && Number(fixed) !== 0 ? "-¥" : "¥") + body;
}

/** ¥ from fen (integer cents), exact: 123456 → "¥1,234.56". */
export function formatFen(cents: number): string {
  if (!Number.isFinite(cents)) return "—";
  const negative = cents < 0;
  const abs = Math.round(Math.abs(cents));
  const intPart = Math.floor(abs / 100).toString();
  const frac = (abs % 100).toString().padStart(2, "0");
  return (negative && abs !== 0 ? "-¥" : "¥") + groups(intPart) + "." + frac;
}

/**
 * Short money for KPI cards and chart axes: ¥8,560 / ¥12.3万 / ¥1.25亿 in Chinese, ¥12.3k / ¥1.25M in English.
 */
export function formatYuanShort(yuan: number, lang: "zh" | "en" = "zh"): string {
  if (!Number.isFinite(yuan)) return "—";
  const sign = yuan < 0 ? "-" : "";
  const abs = Math.abs(yuan);
  const trim = (n: number, d: number) => n.toFixed(d).replace(/\.?0+$/, "");
  if (lang === "zh") {
    if (abs >= 1e8) return `${sign}¥${trim(abs / 1e8, 2)}亿`;
    if (abs >= 1e5) return `${sign}¥${trim(abs / 1e4, 1)}万`;
  } else {
    if (abs >= 1e9) return `${sign}¥${trim(abs / 1e9, 2)}B`;
    if (abs >= 1e6) return `${sign}¥${trim(abs / 1e6, 2)}M`;
    if (abs >= 1e5) return `${sign}¥${trim(abs / 1e3, 1)}k`;
  }
  return sign + formatYuan(abs, abs >= 1000 ? 0 : 2);
}

/** A share 0–1 as "80.0%". */
export function formatShare(share: number, digits = 1): string {
  if (!Number.isFinite(share)) return "—";
  return (share * 100).toFixed(digits) + "%";
}

/** A percentage already in 0–100 as "80%" (parameters are edited in 0–100). */
export function formatPct(pct: number, digits = 0): string {
  if (!Number.isFinite(pct)) return "—";
  return pct.toFixed(digits) + "%";
}

/** 12345 → "12,345". */
export function formatInt(n: number): string {
  if (!Number.isFinite(n)) return "—";
  const rounded = Math.round(n);
  return (rounded < 0 ? "-" : "") + groups(Math.abs(rounded).toString());
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
  const shown = Number.isInteger(value) ? formatInt(value) : value.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
  if (unit === "%") return `${shown}%`;
  return unit ? `${shown} ${unit}` : shown;
}

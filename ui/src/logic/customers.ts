// Searching, filtering and sorting the customer table. Plain arrays and precomputed search text so that
// 100,000 rows filter in a few milliseconds; no per-row objects are created while typing.

import { TIERS, type CustomerRow, type Tier } from "../types";

/** Folds full-width ASCII (ＡＢＣ１２３) to half-width, lower-cases and drops spaces, for matching. */
export function normalizeSearch(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0xff01 && code <= 0xff5e) out += String.fromCodePoint(code - 0xfee0);
    else if (code === 0x3000) continue;
    else out += ch;
  }
  return out.toLowerCase().replace(/\s+/g, "");
}

const searchIndex = new WeakMap<CustomerRow[], string[]>();

/** The text each row is searched in: name, key and phone (also its digits alone, so 138 0013 finds 13800138…). */
function indexOf(rows: CustomerRow[]): string[] {
  let idx = searchIndex.get(rows);
  if (!idx) {
    idx = rows.map((r) => {
      const phone = r.phone ?? "";
      return normalizeSearch(`${r.name}\u0001${r.key}\u0001${phone}\u0001${phone.replace(/\D/g, "")}`);
    });
    searchIndex.set(rows, idx);
  }
  return idx;
}

export interface CustomerFilter {
  query: string;
  tiers: Tier[];
  segments: string[];
}

export const emptyFilter = (): CustomerFilter => ({ query: "", tiers: [], segments: [] });

/** Rows matching the search text (all words, any of name/key/phone), the tiers and the segments. */
export function filterCustomers(rows: CustomerRow[], filter: CustomerFilter): CustomerRow[] {
  const words = filter.query
    .split(/[\s,，]+/)
    .map(normalizeSearch)
    .filter((w) => w.length > 0);
  const tiers = filter.tiers.length ? new Set(filter.tiers) : null;
  const segments = filter.segments.length ? new Set(filter.segments) : null;
  if (!words.length && !tiers && !segments) return rows;
  const idx = words.length ? indexOf(rows) : null;
  const out: CustomerRow[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (tiers && !tiers.has(r.tier)) continue;
    if (segments && !segments.has(r.segment ?? "")) continue;
    if (idx) {
      const text = idx[i];
      let all = true;
      for (const w of words) {
        if (!text.includes(w)) {
          all = false;
          break;
        }
      }
      if (!all) continue;
    }
    out.push(r);
  }
  return out;
}

export type SortKey =
  | "name"
  | "key"
  | "orders"
  | "revenue"
  | "aov"
  | "first_order"
  | "last_order"
  | "recency_days"
  | "r_score"
  | "f_score"
  | "m_score"
  | "tier"
  | "segment"
  | "priority"
  | "next_contact";

export type SortOrder = "ascend" | "descend";

const collator = new Intl.Collator("zh-CN", { numeric: true, sensitivity: "base" });

function compareBy(key: SortKey): (a: CustomerRow, b: CustomerRow) => number {
  switch (key) {
    case "name":
    case "key":
      return (a, b) => collator.compare(a[key], b[key]);
    case "segment":
      return (a, b) => collator.compare(a.segment ?? "", b.segment ?? "");
    case "tier":
    case "first_order":
    case "last_order":
    case "next_contact":
      // ISO dates and tier letters sort correctly as plain strings (and fast).
      return (a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0);
    default:
      return (a, b) => (a[key] as number) - (b[key] as number);
  }
}

/**
 * A sorted copy; ties keep revenue-descending, then key order so the table never jumps between equal rows.
 * `null` key returns the rows as given (the shell's order: tier, then revenue).
 */
export function sortCustomers(rows: CustomerRow[], key: SortKey | null, order: SortOrder): CustomerRow[] {
  if (!key) return rows;
  const cmp = compareBy(key);
  const dir = order === "ascend" ? 1 : -1;
  return rows.slice().sort((a, b) => {
    const c = cmp(a, b) * dir;
    if (c !== 0) return c;
    if (a.revenue !== b.revenue) return b.revenue - a.revenue;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}

/** Distinct segments in table order of appearance, for the filter select. */
export function segmentsOf(rows: CustomerRow[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) if (r.segment) seen.add(r.segment);
  return [...seen].sort((a, b) => collator.compare(a, b));
}

/** Count per tier, for the filter chips. */
export function countByTier(rows: CustomerRow[]): Record<Tier, number> {
  const out = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Tier, number>;
  for (const r of rows) out[r.tier]++;
  return out;
}

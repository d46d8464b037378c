import { describe, expect, test } from "vitest";
import zh from "./zh-CN";
import en from "./en";
import { ROLES, SKIP_REASONS } from "../types";

type Tree = { [k: string]: string | Tree };

function keys(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === "string" ? [prefix + k] : keys(v, `${prefix}${k}.`)));
}
function get(tree: Tree, path: string): string | Tree | undefined {
  return path
    .split(".")
    .reduce<string | Tree | undefined>((t, k) => (t && typeof t === "object" ? t[k] : undefined), tree);
}
const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

/** The messages with English plural forms ("{n} order | {n} orders"), called with the count. */
const PLURALS = ["common.unitCustomers", "common.unitOrders", "common.unitDays"];

describe("i18n completeness", () => {
  const zhKeys = keys(zh as unknown as Tree);
  const enKeys = keys(en as unknown as Tree);

  test("every Chinese key exists in English and vice versa", () => {
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([]);
  });
  test("no message is empty", () => {
    for (const k of zhKeys) expect(get(zh as unknown as Tree, k), k).not.toBe("");
    for (const k of enKeys) expect(get(en as unknown as Tree, k), k).not.toBe("");
  });
  test("both languages use the same placeholders", () => {
    for (const k of zhKeys) {
      const a = placeholders(get(zh as unknown as Tree, k) as string);
      const b = placeholders(get(en as unknown as Tree, k) as string);
      expect(b, k).toEqual(a);
    }
  });
  test("no message uses vue-i18n syntax characters by accident (| plural, bare at-sign linked)", () => {
    for (const [tree, ks] of [
      [zh, zhKeys],
      [en, enKeys],
    ] as const) {
      for (const k of ks) {
        const s = get(tree as unknown as Tree, k) as string;
        expect(s.includes("|"), k).toBe(PLURALS.includes(k) && tree === en);
        expect(/@/.test(s), k).toBe(false);
      }
    }
  });
  // Error codes, methods, measures and segments are worded by the core (the catalogue; a Rust match over
  // every ErrorCode fails to compile without words), so only the UI's own lists are checked here.
  test("every column role and skip reason has words", () => {
    for (const r of ROLES) expect(get(zh as unknown as Tree, `role.${r}`), r).toBeTypeOf("string");
    for (const s of SKIP_REASONS) expect(get(zh as unknown as Tree, `skip.${s}`), s).toBeTypeOf("string");
  });
});

describe("plurals", () => {
  test("English counts one order, one day, one customer in the singular; Chinese has one form", async () => {
    const { i18n } = await import("./index");
    const t = (k: string, n: number, locale: "en" | "zh-CN") => i18n.global.t(k, { n }, { plural: n, locale });
    expect(t("common.unitOrders", 1, "en")).toBe("1 order");
    expect(t("common.unitOrders", 3, "en")).toBe("3 orders");
    expect(t("common.unitDays", 1, "en")).toBe("1 day");
    expect(t("common.unitDays", 0, "en")).toBe("0 days");
    expect(t("common.unitCustomers", 1, "en")).toBe("1 customer");
    expect(t("common.unitOrders", 1, "zh-CN")).toBe("1 单");
    // The short call the templates use for raw counts: vue-i18n fills {n} from the count.
    expect(i18n.global.t("common.unitDays", 1, { locale: "en" })).toBe("1 day");
    expect(i18n.global.t("common.unitDays", 30, { locale: "en" })).toBe("30 days");
    expect(t("common.unitOrders", 3, "zh-CN")).toBe("3 单");
  });
});

describe("number formats", () => {
  test("templates' n() and logic/format.ts read a figure the same, in the language's words", async () => {
    const { i18n } = await import("./index");
    const { formatInt, formatShare, formatYuan, formatYuanShort } = await import("../logic/format");
    const n = i18n.global.n;
    expect(n(1234.5, "yuan")).toBe(formatYuan(1234.5));
    expect(n(1234.5, "yuan")).toBe("¥1,234.50");
    expect(n(12345, "integer")).toBe(formatInt(12345));
    expect(n(0.8, "share")).toBe(formatShare(0.8));
    expect(n(513820, "yuanShort", "zh-CN")).toBe(formatYuanShort(513820, "zh"));
    expect(n(513820, "yuanShort", "en")).toBe(formatYuanShort(513820, "en"));
    expect(n(513820, "yuanShort", "zh-CN")).toBe("¥51.4万");
  });
});

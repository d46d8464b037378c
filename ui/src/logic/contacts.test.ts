import { describe, expect, test } from "vitest";
import {
  contactsAudience,
  contactsOf,
  contactsOfTiers,
  csvName,
  formatGap,
  formatRatio,
  rhythmCell,
  stateTagType,
  summarize,
  thresholdProblems,
} from "./contacts";
import type { Contact, Rhythm, Tier } from "../types";

function contact(p: Partial<Contact> & { key: string; tier: Tier }): Contact {
  return {
    rank: 1,
    index: 0,
    name: "",
    phone: null,
    segment: null,
    state: "Due",
    contact_on: "2025-12-31",
    follow_up_on: "2026-01-30",
    aov: 10000,
    overdue_ratio: 1.2,
    value_at_stake: 12000,
    reason: { zh: "", en: "" },
    action: { zh: "", en: "" },
    channel: { zh: "", en: "" },
    ...p,
  };
}

describe("rhythm words", () => {
  test("a gap keeps a half day and drops .0", () => {
    expect(formatGap(30)).toBe("30");
    expect(formatGap(22.5)).toBe("22.5");
  });

  test("a ratio just under 1 never reads as 1.0×", () => {
    expect(formatRatio(0.96)).toBe("0.9×");
    expect(formatRatio(1)).toBe("1.0×");
    expect(formatRatio(2.35)).toBe("2.3×");
  });

  test("the table cell shows gap and ratio, nothing without a rhythm", () => {
    const r: Rhythm = {
      gap_days: 30,
      basis: "Own",
      purchase_days: 4,
      expected_next: "2025-02-01",
      days_since_last: 45,
      days_overdue: 15,
      overdue_ratio: 1.5,
      state: "Due",
    };
    expect(rhythmCell(r, (n) => `${n} 天`)).toBe("30 天 · 1.5×");
    expect(rhythmCell(null, (n) => n)).toBe("");
  });

  test("states get calmer to louder tags", () => {
    expect(["NotDue", "Due", "AtRisk", "Lapsed"].map((s) => stateTagType(s as never))).toEqual([
      "default",
      "info",
      "warning",
      "error",
    ]);
  });
});

describe("the contact list", () => {
  const list = [
    contact({ key: "a1", tier: "A", value_at_stake: 50000, contact_on: "2025-12-31", state: "AtRisk" }),
    contact({ key: "a2", tier: "A", value_at_stake: 20000, contact_on: "2026-01-03" }),
    contact({ key: "b1", tier: "B", value_at_stake: 90000, contact_on: "2025-12-31" }),
    contact({ key: "c1", tier: "C", value_at_stake: 100, contact_on: "2026-01-05" }),
  ];

  test("summary counts tiers, states, today's calls and the value at stake", () => {
    const s = summarize(list, "2025-12-31");
    expect(s.total).toBe(4);
    expect(s.byTier).toEqual({ A: 2, B: 1, C: 1, D: 0 });
    expect(s.byState).toEqual({ NotDue: 0, Due: 3, AtRisk: 1, Lapsed: 0 });
    expect(s.valueAtStake).toBe(160100);
    expect(s.today).toBe(2);
  });

  test("filtering by tier keeps the core's order", () => {
    expect(contactsOfTiers(list, ["B", "A"]).map((c) => c.key)).toEqual(["a1", "a2", "b1"]);
    expect(contactsOfTiers(list, [])).toBe(list);
  });

  test("filtering by tier and state keeps the core's order; nothing chosen keeps all", () => {
    expect(contactsOf(list, ["A"], ["Due"]).map((c) => c.key)).toEqual(["a2"]);
    expect(contactsOf(list, ["A", "B"], ["Due"]).map((c) => c.key)).toEqual(["a2", "b1"]);
    expect(contactsOf(list, [], ["AtRisk"]).map((c) => c.key)).toEqual(["a1"]);
    expect(contactsOf(list, ["C"], []).map((c) => c.key)).toEqual(["c1"]);
    expect(contactsOf(list, [], [])).toBe(list);
  });

  test("the contact list as a campaign audience names the period, tiers and states", () => {
    expect(contactsAudience("本周该联系", ["A类"], ["该联系了"])).toBe("本周该联系 · A类 · 该联系了");
    expect(contactsAudience("本月", ["A类", "B类"], [])).toBe("本月 · A类、B类");
  });

  test("thresholds must be positive and increasing", () => {
    expect(thresholdProblems({ due: 1, at_risk: 2, lapsed: 4 })).toEqual([]);
    expect(thresholdProblems({ due: 2, at_risk: 2, lapsed: 4 })).toEqual(["contacts.thresholdsOrder"]);
    expect(thresholdProblems({ due: 0, at_risk: 2, lapsed: 4 })).toEqual(["contacts.thresholdsPositive"]);
    expect(thresholdProblems({ due: 1, at_risk: Number.NaN, lapsed: 4 })).toEqual(["contacts.thresholdsMissing"]);
  });

  test("the CSV is named after the list and its date", () => {
    expect(csvName("本周该联系", "2025-12-31")).toBe("本周该联系_2025-12-31.csv");
  });
});

import { describe, expect, test } from "vitest";
import {
  audienceLabel,
  audienceSize,
  defaultCampaignForm,
  holdoutPreview,
  onlyDropped,
  reportChart,
  reportFigures,
  reportLines,
  specFromForm,
  tierMove,
  today,
  validateCampaignForm,
  verdictTone,
} from "./campaigns";
import type { CampaignReport, CustomerRow, Tier } from "../types";

const row = (key: string, tier: Tier, extra: Partial<CustomerRow> = {}): CustomerRow =>
  ({
    key,
    tier,
    segment: null,
    rfm_type: "重要价值客户",
    previous_tier: null,
    tier_changed_on: null,
    dropped: false,
    ...extra,
  }) as CustomerRow;

/** A report as the core sends it: 70 contacted of whom 58 bought, 30 held out of whom 8 bought. */
function report(overrides: Partial<CampaignReport> = {}): CampaignReport {
  const group = (customers: number, buyers: number, orders: number, revenue: number) => ({
    customers,
    buyers,
    orders,
    revenue,
    repurchase_rate: buyers / customers,
    revenue_per_customer: revenue / customers,
  });
  return {
    campaign: {
      id: 1,
      spec: {
        name: "双12回访",
        date: "2025-11-30",
        channel: "企业微信",
        cost_per_contact: 2000,
        holdout_share: 0.3,
        seed: 7,
        audience: "A类",
      },
      contacted: 70,
      holdout: 30,
    },
    window_days: 30,
    window_start: "2025-12-01",
    window_end: "2025-12-30",
    data_until: "2025-12-31",
    window_complete: true,
    contacted: group(70, 58, 66, 780400),
    holdout: group(30, 8, 8, 72000),
    uplift_points: (58 / 70 - 8 / 30) * 100,
    z: 5.1,
    cost: 140000,
    return_on_cost: 780400 / 140000,
    incremental_revenue: 780400 - 2400 * 70,
    incremental_return: (780400 - 2400 * 70) / 140000,
    verdict: "better",
    conclusion: { zh: "活动有效", en: "worked" },
    ...overrides,
  };
}

describe("campaign form", () => {
  test("defaults: today, 企业微信, 20 % holdout, no cost", () => {
    const f = defaultCampaignForm(new Date(2025, 11, 1, 9));
    expect(f).toMatchObject({ date: "2025-12-01", channel: "企业微信", holdoutPct: 20, costYuan: null, seed: null });
    expect(today(new Date(2026, 0, 5))).toBe("2026-01-05");
  });

  test("the spec carries cost in fen, the share, a trimmed name and a seed", () => {
    const f = { ...defaultCampaignForm(), name: " 双12回访 ", costYuan: 19.99, holdoutPct: 15, seed: 7 };
    const spec = specFromForm(f);
    expect(spec).toMatchObject({ name: "双12回访", cost_per_contact: 1999, holdout_share: 0.15, seed: 7 });
    // Without a seed, a random one is drawn (and stored by the core, so the draw can be repeated).
    expect(specFromForm({ ...f, seed: null }, "", () => 0.5).seed).toBe(Math.floor(0.5 * 0xffffffff));
    expect(specFromForm({ ...f, costYuan: null }).cost_per_contact).toBeNull();
  });

  test("validation names each problem", () => {
    expect(validateCampaignForm({ ...defaultCampaignForm(), name: "x" })).toEqual([]);
    const bad = { name: " ", date: "12/01", channel: "", costYuan: -1, holdoutPct: 95, seed: null };
    expect(validateCampaignForm(bad)).toEqual(["name", "date", "holdout", "cost"]);
  });

  test("the holdout preview rounds like the core and always contacts someone", () => {
    expect(holdoutPreview(100, 20)).toEqual({ contacted: 80, holdout: 20 });
    expect(holdoutPreview(7, 20)).toEqual({ contacted: 6, holdout: 1 });
    expect(holdoutPreview(1, 50)).toEqual({ contacted: 1, holdout: 0 });
    expect(holdoutPreview(0, 20)).toEqual({ contacted: 0, holdout: 0 });
  });

  test("audience size and label among the rows on screen", () => {
    const rows = [row("a", "A"), row("b", "A", { segment: "新客户" }), row("c", "B", { rfm_type: "新客户" })];
    expect(audienceSize({ kind: "tier", value: "A" }, rows)).toBe(2);
    expect(audienceSize({ kind: "segment", value: "新客户" }, rows)).toBe(2);
    expect(audienceSize({ kind: "keys", value: ["a", " a", "", "c"] }, rows)).toBe(2);
    expect(audienceLabel({ kind: "tier", value: "A" }, 1234, "zh")).toBe("A类（1,234 位）");
    expect(audienceLabel({ kind: "keys", value: [] }, 3, "en")).toBe("3 selected customer(s)");
  });
});

describe("campaign report", () => {
  test("lines show both groups, money from fen", () => {
    const lines = Object.fromEntries(reportLines(report()).map((l) => [l.id, l]));
    expect(lines.customers).toEqual({ id: "customers", contacted: "70", holdout: "30" });
    expect(lines.rate.contacted).toBe("82.9%");
    expect(lines.rate.holdout).toBe("26.7%");
    expect(lines.revenue).toEqual({ id: "revenue", contacted: "¥7,804.00", holdout: "¥720.00" });
    expect(lines.perCustomer.holdout).toBe("¥24.00");
  });

  test("without a holdout the holdout column is a dash and only cost figures remain", () => {
    const r = report({ holdout: null, uplift_points: null, incremental_revenue: null, incremental_return: null });
    expect(reportLines(r).every((l) => l.holdout === "—")).toBe(true);
    expect(reportFigures(r).map((f) => f.id)).toEqual(["cost", "roc"]);
  });

  test("figures: uplift in points with a sign, cost and returns", () => {
    const f = Object.fromEntries(reportFigures(report()).map((x) => [x.id, x.value]));
    expect(f).toEqual({
      uplift: "+56.2",
      cost: "¥1,400.00",
      roc: "5.57",
      incremental: "¥6,124.00",
      incrementalRoc: "4.37",
    });
    expect(reportFigures(report({ uplift_points: -3.25 }))[0].value).toBe("-3.3");
  });

  test("tone per verdict and a two-bar chart of repurchase rates", () => {
    expect(verdictTone("better")).toBe("success");
    expect(verdictTone("worse")).toBe("error");
    expect(verdictTone("too_small")).toBe("warning");
    expect(verdictTone("no_holdout")).toBe("info");
    const chart = reportChart(report(), { contacted: "联系组", holdout: "对照组" });
    expect(chart.xAxis.data).toEqual(["联系组", "对照组"]);
    expect(chart.series[0].data.map((d) => d.value.toFixed(1))).toEqual(["82.9", "26.7"]);
    expect(reportChart(report({ holdout: null }), { contacted: "c", holdout: "h" }).xAxis.data).toEqual(["c"]);
  });
});

describe("tier history in the customer list", () => {
  test("the dropped filter and the move text", () => {
    const rows = [
      row("a", "B", { previous_tier: "A", dropped: true }),
      row("b", "A", { previous_tier: "B" }),
      row("c", "C"),
    ];
    expect(onlyDropped(rows).map((r) => r.key)).toEqual(["a"]);
    expect(tierMove(rows[0])).toBe("A → B");
    expect(tierMove(rows[2])).toBe("");
  });
});

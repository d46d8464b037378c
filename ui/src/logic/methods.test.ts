import { describe, expect, test, vi } from "vitest";
import { isProxy, reactive } from "vue";
import { buildMethod, buildParams, canHaveD, debounce, defaultForm, formFromMethod, hasSegments, METHOD_KINDS, segmentNamesFor, validateForm } from "./methods";
import type { Method } from "../types";

describe("method builders", () => {
  test("ABC by revenue serializes as the core's tagged enum", () => {
    expect(buildMethod(defaultForm())).toEqual({ kind: "abc_revenue", a_pct: 80, b_pct: 95 });
  });
  test("thresholds without D send c_min null, with D the value", () => {
    const f = defaultForm();
    f.kind = "thresholds";
    expect(buildMethod(f)).toEqual({ kind: "thresholds", measure: "revenue", a_min: 1000, b_min: 500, c_min: null });
    f.thresholds.useD = true;
    f.thresholds.c_min = 200;
    expect(buildMethod(f)).toMatchObject({ c_min: 200 });
    expect(canHaveD(buildMethod(f))).toBe(true);
  });
  test("the RFM cube sends only the basis kind unless fixed values are chosen", () => {
    const f = defaultForm();
    f.kind = "rfm_cube";
    expect(buildMethod(f)).toEqual({ kind: "rfm_cube", basis: { kind: "mean" } });
    f.rfmCube.basis = "fixed";
    expect(buildMethod(f)).toEqual({ kind: "rfm_cube", basis: { kind: "fixed", r_days: 30, f: 3, m_yuan: 200 } });
  });
  test("every method round-trips through formFromMethod", () => {
    for (const kind of METHOD_KINDS) {
      const f = defaultForm();
      f.kind = kind;
      const m = buildMethod(f);
      expect(buildMethod(formFromMethod(m)), kind).toEqual(m);
    }
  });
  test("loading a method keeps the other methods' values the user typed", () => {
    const f = defaultForm();
    f.abcRevenue.a_pct = 70;
    const loaded = formFromMethod({ kind: "rfm_scores", bins: 3, a_min: 8, b_min: 5 } as Method, f);
    expect(loaded.kind).toBe("rfm_scores");
    expect(loaded.abcRevenue.a_pct).toBe(70);
    expect(f.kind).toBe("abc_revenue");
  });
  test("params carry default segment tiers, overridden by the user's", () => {
    const p = buildParams(defaultForm(), { segment_tiers: { 一般发展客户: "B" }, as_of: "2025-06-30" });
    expect(p.segment_tiers["重要价值客户"]).toBe("A");
    expect(p.segment_tiers["一般发展客户"]).toBe("B");
    expect(p.as_of).toBe("2025-06-30");
  });
  test("segment methods list their segment names", () => {
    expect(hasSegments("rfm_cube")).toBe(true);
    expect(segmentNamesFor("rfm_cube")).toHaveLength(8);
    expect(segmentNamesFor("rfm_segments")).toContain("Others");
    expect(segmentNamesFor("abc_revenue")).toEqual([]);
  });
});

describe("validation", () => {
  test("defaults are valid for every method", () => {
    for (const kind of METHOD_KINDS) {
      const f = defaultForm();
      f.kind = kind;
      expect(validateForm(f), kind).toEqual([]);
    }
  });
  test("B below A in ABC by revenue is rejected", () => {
    const f = defaultForm();
    f.abcRevenue.b_pct = 70;
    expect(validateForm(f)).toContain("method.invalid.bAboveA");
  });
  test("customer shares over 100% are rejected", () => {
    const f = defaultForm();
    f.kind = "abc_customers";
    f.abcCustomers.a_pct = 60;
    f.abcCustomers.b_pct = 50;
    expect(validateForm(f)).toContain("method.invalid.sumOver100");
  });
  test("thresholds out of order are rejected", () => {
    const f = defaultForm();
    f.kind = "thresholds";
    f.thresholds.a_min = 100;
    expect(validateForm(f)).toContain("method.invalid.aAboveB");
  });
  test("all-zero composite weights are rejected", () => {
    const f = defaultForm();
    f.kind = "composite";
    f.composite.weights = { value: 0, frequency: 0, recency: 0, interactions: 0 };
    expect(validateForm(f)).toContain("method.invalid.weights");
  });
});

describe("debounce", () => {
  test("only the last call within the window runs", () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const d = debounce(fn, 150);
    d(1);
    d(2);
    vi.advanceTimersByTime(149);
    expect(fn).not.toHaveBeenCalled();
    d(3);
    vi.advanceTimersByTime(150);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith(3);
    d.cancel();
    vi.useRealTimers();
  });
});

describe("the form as it lives in the app's reactive state", () => {
  // structuredClone refuses Vue's proxies: params and forms built from the reactive form must be plain data.
  test("params built from a reactive form are plain data that structuredClone copies", () => {
    for (const kind of METHOD_KINDS) {
      const form = reactive(defaultForm());
      form.kind = kind;
      const params = buildParams(form, { segment_tiers: reactive({ 冠军客户: "A" as const }) });
      expect(structuredClone(params)).toEqual(params);
    }
  });
  test("a method loaded into a reactive form gives a new form and leaves the old one alone", () => {
    const old = reactive(defaultForm());
    const next = formFromMethod({ kind: "abc_revenue", a_pct: 70, b_pct: 90 }, old);
    expect(next.abcRevenue).toEqual({ a_pct: 70, b_pct: 90 });
    expect(old.abcRevenue).toEqual({ a_pct: 80, b_pct: 95 });
    expect(isProxy(next)).toBe(false);
  });
});

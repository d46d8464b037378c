import { describe, expect, test, vi } from "vitest";
import { isProxy, reactive } from "vue";
import {
  buildMethod,
  buildParams,
  canHaveD,
  debounce,
  defaultForm,
  formFromMethod,
  hasSegments,
  methodInfo,
  methodKinds,
  paramRange,
  scoreDefaults,
  segmentLabel,
  segmentNamesFor,
  validateForm,
} from "./methods";
import type { Catalogue, Method } from "../types";
// The core's catalogue as the `catalogue` command returns it, dumped by src-tauri/bindings.rs (a Rust
// test fails when it drifts from the core): these tests never use a hand-written copy.
import catalogueJson from "../bindings/catalogue.json";

const cat = catalogueJson as unknown as Catalogue;

describe("method builders", () => {
  test("picking each method sends exactly the catalogue's default method and segment tiers", () => {
    // src-tauri/tests.rs sends these defaults through the app's classify command and compares every
    // customer's tier and segment with `tierbook classify --method … --json`.
    expect(methodKinds(cat)).toHaveLength(8);
    for (const info of cat.methods) {
      const form = defaultForm(cat);
      form.kind = info.default.kind;
      expect(buildParams(form, cat, { segment_tiers: {}, segment_names: {} }), info.default.kind).toEqual({
        method: info.default,
        as_of: null,
        segment_tiers: cat.segment_tiers,
        segment_names: {},
        window: { span: { kind: "all" }, outside: "drop" },
        score_cuts: { r: [], f: [], m: [] },
      });
    }
  });
  test("the first method of the picker is chosen at start", () => {
    expect(buildMethod(defaultForm(cat))).toEqual(cat.methods[0].default);
  });
  test("thresholds without D send c_min null, with D the value", () => {
    const f = defaultForm(cat);
    f.kind = "thresholds";
    expect(buildMethod(f)).toMatchObject({ kind: "thresholds", c_min: null });
    f.thresholds.useD = true;
    expect(buildMethod(f)).toMatchObject({ c_min: paramRange(cat, "thresholds", "c_min").default });
    expect(canHaveD(buildMethod(f))).toBe(true);
    f.thresholds.useD = false;
    expect(canHaveD(buildMethod(f))).toBe(false);
  });
  test("the RFM cube sends only the basis kind unless fixed values are chosen, which start from the catalogue", () => {
    const f = defaultForm(cat);
    f.kind = "rfm_cube";
    expect(buildMethod(f)).toEqual(methodInfo(cat, "rfm_cube").default);
    f.rfmCube.basis = "fixed";
    const start = (key: string) => paramRange(cat, "rfm_cube", key).default;
    expect(buildMethod(f)).toEqual({
      kind: "rfm_cube",
      basis: { kind: "fixed", r_days: start("basis.r_days"), f: start("basis.f"), m_yuan: start("basis.m_yuan") },
    });
  });
  test("editing a rule in the form never changes the catalogue's rules", () => {
    const f = defaultForm(cat);
    const before = JSON.stringify(cat.segment_rules);
    f.rfmSegments.rules[0].r[0] = 1;
    expect(JSON.stringify(cat.segment_rules)).toBe(before);
  });
  test("every method round-trips through formFromMethod", () => {
    for (const kind of methodKinds(cat)) {
      const f = defaultForm(cat);
      f.kind = kind;
      const m = buildMethod(f);
      expect(buildMethod(formFromMethod(m, defaultForm(cat))), kind).toEqual(m);
    }
  });
  test("the composite score's rhythm weight is sent when set and left out at 0, as the core writes it", () => {
    const f = defaultForm(cat);
    f.kind = "composite";
    expect(f.composite.weights.rhythm).toBe(0);
    expect(buildMethod(f)).not.toHaveProperty("weights.rhythm");
    f.composite.weights.rhythm = 0.25;
    const m = buildMethod(f);
    expect(m).toHaveProperty("weights.rhythm", 0.25);
    expect(buildMethod(formFromMethod(m, defaultForm(cat)))).toEqual(m);
  });
  test("loading a method keeps the other methods' values the user typed", () => {
    const f = defaultForm(cat);
    f.abcRevenue.a_pct = 70;
    const loaded = formFromMethod({ kind: "rfm_scores", bins: 3, a_min: 8, b_min: 5 } as Method, f);
    expect(loaded.kind).toBe("rfm_scores");
    expect(loaded.abcRevenue.a_pct).toBe(70);
    expect(f.kind).toBe(cat.methods[0].default.kind);
  });
  test("params carry the catalogue's segment tiers, overridden by the user's", () => {
    const [first, second] = cat.cube_types;
    const p = buildParams(defaultForm(cat), cat, { segment_tiers: { [second.name]: "C" }, as_of: "2025-06-30" });
    expect(p.segment_tiers[first.name]).toBe(cat.segment_tiers[first.name]);
    expect(p.segment_tiers[second.name]).toBe("C");
    expect(p.as_of).toBe("2025-06-30");
  });
  test("segment methods list their segment names from the catalogue", () => {
    expect(hasSegments("rfm_cube")).toBe(true);
    expect(segmentNamesFor(cat, "rfm_cube")).toEqual(cat.cube_types.map((c) => c.name));
    const named = segmentNamesFor(cat, "rfm_segments");
    expect(named).toEqual([...cat.segment_rules.map((r) => r.segment), cat.others]);
    expect(segmentNamesFor(cat, "abc_revenue")).toEqual([]);
  });
  test("segment labels come from the catalogue in the chosen language, a user's own name as is", () => {
    for (const s of cat.segments) {
      expect(segmentLabel(cat, s.name, "zh")).toBe(s.text.zh);
      expect(segmentLabel(cat, s.name, "en")).toBe(s.text.en);
    }
    expect(segmentLabel(cat, "我的分群", "en")).toBe("我的分群");
  });
});

describe("validation", () => {
  test("defaults are valid for every method", () => {
    for (const kind of methodKinds(cat)) {
      const f = defaultForm(cat);
      f.kind = kind;
      expect(validateForm(f), kind).toEqual([]);
    }
  });
  test("the score defaults for every number of bins are valid", () => {
    for (const { bins } of cat.rfm_score_defaults) {
      const f = defaultForm(cat);
      f.kind = "rfm_scores";
      Object.assign(f.rfmScores, { bins }, scoreDefaults(cat, bins));
      expect(validateForm(f), `${bins} bins`).toEqual([]);
    }
  });
  test("B below A in ABC by revenue is rejected", () => {
    const f = defaultForm(cat);
    f.kind = "abc_revenue";
    f.abcRevenue.b_pct = f.abcRevenue.a_pct - 10;
    expect(validateForm(f)).toContain("method.invalid.bAboveA");
  });
  test("customer shares over 100% are rejected", () => {
    const f = defaultForm(cat);
    f.kind = "abc_customers";
    f.abcCustomers.a_pct = 60;
    f.abcCustomers.b_pct = 50;
    expect(validateForm(f)).toContain("method.invalid.sumOver100");
  });
  test("thresholds out of order are rejected", () => {
    const f = defaultForm(cat);
    f.kind = "thresholds";
    f.thresholds.a_min = f.thresholds.b_min - 1;
    expect(validateForm(f)).toContain("method.invalid.aAboveB");
  });
  test("all-zero composite weights are rejected", () => {
    const f = defaultForm(cat);
    f.kind = "composite";
    f.composite.weights = { value: 0, frequency: 0, recency: 0, interactions: 0, rhythm: 0 };
    expect(validateForm(f)).toContain("method.invalid.weights");
    // The rhythm weight alone is a score (the overdue ratio only).
    f.composite.weights.rhythm = 0.5;
    expect(validateForm(f)).not.toContain("method.invalid.weights");
    f.composite.weights.rhythm = -0.1;
    f.composite.weights.value = 1;
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
    for (const kind of methodKinds(cat)) {
      const form = reactive(defaultForm(cat));
      form.kind = kind;
      const params = buildParams(form, cat, { segment_tiers: reactive({ 冠军客户: "A" as const }) });
      expect(structuredClone(params)).toEqual(params);
    }
  });
  test("a method loaded into a reactive form gives a new form and leaves the old one alone", () => {
    const old = reactive(defaultForm(cat));
    const next = formFromMethod({ kind: "abc_revenue", a_pct: 70, b_pct: 90 }, old);
    expect(next.abcRevenue).toEqual({ a_pct: 70, b_pct: 90 });
    expect(old.abcRevenue).toEqual({ a_pct: 80, b_pct: 95 });
    expect(isProxy(next)).toBe(false);
  });
});

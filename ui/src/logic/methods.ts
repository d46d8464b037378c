// Method parameters as the tiers screen edits them, and the builders that turn them into the core's
// `Method` JSON. The form keeps every method's values at once so switching methods back and forth does
// not lose what the user typed.

import { toRaw } from "vue";
import type { ClassifyParams, CubeBasis, Measure, Method, MethodKind, SegmentRule, Tier, Weights, ZeroRevenue } from "../types";

export const METHOD_KINDS: MethodKind[] = [
  "abc_revenue",
  "abc_customers",
  "thresholds",
  "rfm_scores",
  "rfm_cube",
  "rfm_segments",
  "composite",
];

export const MEASURES: Measure[] = ["revenue", "monthly_revenue", "aov", "orders"];

/** The 8 canonical RFM cube types (DESIGN §5.5), R/F/M high or low. */
export const CUBE_SEGMENTS: { name: string; r: boolean; f: boolean; m: boolean }[] = [
  { name: "重要价值客户", r: true, f: true, m: true },
  { name: "重要发展客户", r: true, f: false, m: true },
  { name: "重要保持客户", r: false, f: true, m: true },
  { name: "重要挽留客户", r: false, f: false, m: true },
  { name: "一般价值客户", r: true, f: true, m: false },
  { name: "一般发展客户", r: true, f: false, m: false },
  { name: "一般保持客户", r: false, f: true, m: false },
  { name: "一般挽留客户", r: false, f: false, m: false },
];

/** English-scheme named segments (DESIGN §5.6), evaluated in order, first match wins. */
export const DEFAULT_SEGMENT_RULES: SegmentRule[] = [
  { segment: "Champions", r: [4, 5], f: [4, 5], m: [4, 5] },
  { segment: "Loyal Customers", r: [3, 5], f: [3, 5], m: [3, 5] },
  { segment: "Potential Loyalist", r: [4, 5], f: [2, 3], m: [2, 5] },
  { segment: "New Customers", r: [5, 5], f: [1, 1], m: [1, 5] },
  { segment: "Promising", r: [4, 4], f: [1, 1], m: [1, 5] },
  { segment: "Need Attention", r: [3, 3], f: [2, 3], m: [2, 3] },
  { segment: "About To Sleep", r: [3, 3], f: [1, 2], m: [1, 2] },
  { segment: "Can't Lose Them", r: [1, 1], f: [4, 5], m: [4, 5] },
  { segment: "At Risk", r: [1, 2], f: [3, 5], m: [3, 5] },
  { segment: "Hibernating", r: [1, 2], f: [1, 2], m: [2, 5] },
  { segment: "Lost", r: [1, 2], f: [1, 2], m: [1, 2] },
];

/** Segment → tier defaults (DESIGN §5 last paragraph). */
export const DEFAULT_SEGMENT_TIERS: Record<string, Tier> = {
  重要价值客户: "A",
  重要保持客户: "A",
  重要发展客户: "B",
  重要挽留客户: "B",
  一般价值客户: "B",
  一般发展客户: "C",
  一般保持客户: "C",
  一般挽留客户: "C",
  Champions: "A",
  "Loyal Customers": "A",
  "Can't Lose Them": "A",
  "Potential Loyalist": "B",
  "At Risk": "B",
  "New Customers": "B",
  Promising: "C",
  "Need Attention": "B",
  "About To Sleep": "C",
  Hibernating: "C",
  Lost: "C",
  Others: "C",
};

/** Chinese names for the English segments, shown beside the canonical name. */
export const SEGMENT_ZH: Record<string, string> = {
  Champions: "冠军客户",
  "Loyal Customers": "忠诚客户",
  "Potential Loyalist": "潜力忠诚客户",
  "New Customers": "新客户",
  Promising: "有潜力客户",
  "Need Attention": "需要关注",
  "About To Sleep": "即将沉睡",
  "At Risk": "有流失风险",
  "Can't Lose Them": "不能失去的客户",
  Hibernating: "休眠客户",
  Lost: "已流失",
  Others: "其他",
};

export interface MethodForm {
  kind: MethodKind;
  abcRevenue: { a_pct: number; b_pct: number };
  abcCustomers: { a_pct: number; b_pct: number; zero_revenue: ZeroRevenue };
  thresholds: { measure: Measure; a_min: number; b_min: number; useD: boolean; c_min: number };
  rfmScores: { bins: number; a_min: number; b_min: number };
  rfmCube: { basis: "mean" | "median" | "fixed"; r_days: number; f: number; m_yuan: number };
  rfmSegments: { rules: SegmentRule[] };
  composite: { weights: Weights; a_min: number; b_min: number };
}

export function defaultForm(): MethodForm {
  return {
    kind: "abc_revenue",
    abcRevenue: { a_pct: 80, b_pct: 95 },
    abcCustomers: { a_pct: 20, b_pct: 30, zero_revenue: "c" },
    thresholds: { measure: "revenue", a_min: 1000, b_min: 500, useD: false, c_min: 100 },
    rfmScores: { bins: 5, a_min: 12, b_min: 8 },
    rfmCube: { basis: "mean", r_days: 30, f: 3, m_yuan: 200 },
    rfmSegments: { rules: DEFAULT_SEGMENT_RULES.map((r) => ({ ...r, r: [...r.r], f: [...r.f], m: [...r.m] }) as SegmentRule) },
    composite: { weights: { value: 0.5, frequency: 0.3, recency: 0.2, interactions: 0 }, a_min: 70, b_min: 40 },
  };
}

/** Validation problems as i18n keys (empty = OK). The core checks again; this keeps the UI from sending nonsense. */
export function validateForm(form: MethodForm): string[] {
  const problems: string[] = [];
  switch (form.kind) {
    case "abc_revenue": {
      const { a_pct, b_pct } = form.abcRevenue;
      if (!(a_pct > 0 && a_pct < 100)) problems.push("method.invalid.pctRange");
      if (!(b_pct > a_pct && b_pct <= 100)) problems.push("method.invalid.bAboveA");
      break;
    }
    case "abc_customers": {
      const { a_pct, b_pct } = form.abcCustomers;
      if (!(a_pct > 0 && a_pct < 100)) problems.push("method.invalid.pctRange");
      if (!(b_pct >= 0 && a_pct + b_pct <= 100)) problems.push("method.invalid.sumOver100");
      break;
    }
    case "thresholds": {
      const { a_min, b_min, c_min, useD } = form.thresholds;
      if (!(a_min > b_min)) problems.push("method.invalid.aAboveB");
      if (useD && !(b_min > c_min)) problems.push("method.invalid.bAboveC");
      if (b_min < 0 || (useD && c_min < 0)) problems.push("method.invalid.negative");
      break;
    }
    case "rfm_scores": {
      const { bins, a_min, b_min } = form.rfmScores;
      if (![3, 4, 5].includes(bins)) problems.push("method.invalid.bins");
      if (!(a_min > b_min)) problems.push("method.invalid.aAboveB");
      if (a_min > bins * 3 || b_min < 3) problems.push("method.invalid.scoreRange");
      break;
    }
    case "rfm_cube": {
      const c = form.rfmCube;
      if (c.basis === "fixed" && !(c.r_days > 0 && c.f > 0 && c.m_yuan > 0)) problems.push("method.invalid.fixedPositive");
      break;
    }
    case "rfm_segments":
      if (!form.rfmSegments.rules.length) problems.push("method.invalid.noRules");
      break;
    case "composite": {
      const { weights: w, a_min, b_min } = form.composite;
      const sum = w.value + w.frequency + w.recency + w.interactions;
      if (!(sum > 0) || [w.value, w.frequency, w.recency, w.interactions].some((x) => x < 0)) {
        problems.push("method.invalid.weights");
      }
      if (!(a_min > b_min && a_min <= 100 && b_min >= 0)) problems.push("method.invalid.aAboveB");
      break;
    }
  }
  return problems;
}

/** The core's `Method` for the form's current kind. */
export function buildMethod(form: MethodForm): Method {
  // Often the reactive state's form: read its data, not its proxies, so the result is plain data.
  form = toRaw(form);
  switch (form.kind) {
    case "abc_revenue":
      return { kind: "abc_revenue", a_pct: form.abcRevenue.a_pct, b_pct: form.abcRevenue.b_pct };
    case "abc_customers":
      return { kind: "abc_customers", ...form.abcCustomers };
    case "thresholds": {
      const t = form.thresholds;
      return { kind: "thresholds", measure: t.measure, a_min: t.a_min, b_min: t.b_min, c_min: t.useD ? t.c_min : null };
    }
    case "rfm_scores":
      return { kind: "rfm_scores", ...form.rfmScores };
    case "rfm_cube": {
      const c = form.rfmCube;
      const basis: CubeBasis =
        c.basis === "fixed" ? { kind: "fixed", r_days: c.r_days, f: c.f, m_yuan: c.m_yuan } : { kind: c.basis };
      return { kind: "rfm_cube", basis };
    }
    case "rfm_segments":
      return { kind: "rfm_segments", rules: form.rfmSegments.rules.map((r) => ({ ...r })) };
    case "composite": {
      const w = form.composite.weights;
      return { kind: "composite", weights: { ...w }, a_min: form.composite.a_min, b_min: form.composite.b_min };
    }
  }
}

/** Loads a saved `Method` (settings' default, a snapshot's params) into the form, keeping other kinds' values. */
export function formFromMethod(method: Method, base: MethodForm = defaultForm()): MethodForm {
  const form = structuredClone(toRaw(base));
  form.kind = method.kind;
  switch (method.kind) {
    case "abc_revenue":
      form.abcRevenue = { a_pct: method.a_pct, b_pct: method.b_pct };
      break;
    case "abc_customers":
      form.abcCustomers = { a_pct: method.a_pct, b_pct: method.b_pct, zero_revenue: method.zero_revenue };
      break;
    case "thresholds":
      form.thresholds = {
        measure: method.measure,
        a_min: method.a_min,
        b_min: method.b_min,
        useD: method.c_min !== null && method.c_min !== undefined,
        c_min: method.c_min ?? form.thresholds.c_min,
      };
      break;
    case "rfm_scores":
      form.rfmScores = { bins: method.bins, a_min: method.a_min, b_min: method.b_min };
      break;
    case "rfm_cube":
      form.rfmCube =
        method.basis.kind === "fixed"
          ? { basis: "fixed", r_days: method.basis.r_days, f: method.basis.f, m_yuan: method.basis.m_yuan }
          : { ...form.rfmCube, basis: method.basis.kind };
      break;
    case "rfm_segments":
      form.rfmSegments = { rules: method.rules.map((r) => ({ ...r })) };
      break;
    case "composite":
      form.composite = { weights: { ...method.weights }, a_min: method.a_min, b_min: method.b_min };
      break;
  }
  return form;
}

/** Full params for classify(): the method plus shared settings. */
export function buildParams(
  form: MethodForm,
  shared: { as_of?: string | null; segment_tiers?: Record<string, Tier>; segment_names?: Record<string, string> } = {},
): ClassifyParams {
  return {
    method: buildMethod(form),
    as_of: shared.as_of ?? null,
    segment_tiers: { ...DEFAULT_SEGMENT_TIERS, ...(shared.segment_tiers ?? {}) },
    segment_names: { ...(shared.segment_names ?? {}) },
  };
}

/** Whether the method produces named segments (then the segment→tier mapping is editable). */
export function hasSegments(kind: MethodKind): boolean {
  return kind === "rfm_cube" || kind === "rfm_segments";
}

/** Whether the method can produce a D tier. */
export function canHaveD(method: Method): boolean {
  return (
    (method.kind === "thresholds" && method.c_min !== null) ||
    (method.kind === "abc_customers" && method.zero_revenue === "d")
  );
}

/** Canonical segment names a method can yield, for the segment→tier editor. */
export function segmentNamesFor(kind: MethodKind, rules: SegmentRule[] = DEFAULT_SEGMENT_RULES): string[] {
  if (kind === "rfm_cube") return CUBE_SEGMENTS.map((s) => s.name);
  if (kind === "rfm_segments") return [...rules.map((r) => r.segment), "Others"];
  return [];
}

/** Creates a debounced caller: the last call within `ms` wins (re-tiering while a slider moves). */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const call = (...args: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return call;
}

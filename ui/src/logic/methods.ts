// Method parameters as the tiers screen edits them, and the builders that turn them into the core's
// `Method` JSON. The form keeps every method's values at once so switching methods back and forth does
// not lose what the user typed. Every default, range, rule and name comes from the core's catalogue
// (the `catalogue` command); nothing here restates one.

import { toRaw } from "vue";
import type {
  Catalogue,
  ClassifyParams,
  CubeBasis,
  Lang,
  Measure,
  Method,
  MethodInfo,
  MethodKind,
  ParamRange,
  SegmentRule,
  Text,
  Tier,
  Weights,
  ZeroRevenue,
} from "../types";

export interface MethodForm {
  kind: MethodKind;
  abcRevenue: { a_pct: number; b_pct: number };
  abcProfit: { a_pct: number; b_pct: number };
  abcCustomers: { a_pct: number; b_pct: number; zero_revenue: ZeroRevenue };
  thresholds: { measure: Measure; a_min: number; b_min: number; useD: boolean; c_min: number };
  rfmScores: { bins: number; a_min: number; b_min: number };
  rfmCube: { basis: "mean" | "median" | "fixed"; r_days: number; f: number; m_yuan: number };
  rfmSegments: { rules: SegmentRule[] };
  composite: { weights: CompositeWeights; a_min: number; b_min: number };
}

/** The composite score's weights on the form: every one a number (the rhythm weight is 0 when the core leaves it out). */
export type CompositeWeights = Required<Weights>;

/** The catalogue's entry for a method kind. */
export function methodInfo(cat: Catalogue, kind: MethodKind): MethodInfo {
  const info = cat.methods.find((m) => m.default.kind === kind);
  if (!info) throw new Error(`the catalogue has no method ${kind}`);
  return info;
}

/** The method kinds in picker order. */
export const methodKinds = (cat: Catalogue): MethodKind[] => cat.methods.map((m) => m.default.kind);

/** The method's name in `lang`: "RFM 命名分群" / "RFM named segments". */
export const methodName = (cat: Catalogue, kind: MethodKind, lang: Lang): string => methodInfo(cat, kind).name[lang];

/** Range, step, unit and default of one parameter (`a_pct`, `weights.value`, `basis.r_days` …). */
export function paramRange(cat: Catalogue, kind: MethodKind, key: string): ParamRange {
  const range = methodInfo(cat, kind).params.find((p) => p.key === key);
  if (!range) throw new Error(`the catalogue has no parameter ${key} for ${kind}`);
  return range;
}

/** The RFM-scores method's default A/B cut points for `bins`, if the catalogue has them. */
export function scoreDefaults(cat: Catalogue, bins: number): { a_min: number; b_min: number } | undefined {
  return cat.rfm_score_defaults.find((d) => d.bins === bins);
}

/** Both-language names of a built-in segment (canonical name); `undefined` for the user's own. */
export function segmentText(cat: Catalogue, name: string): Text | undefined {
  return cat.segments.find((s) => s.name === name)?.text;
}

/** A segment's name for display in `lang` (its own name when the core does not know it). */
export const segmentLabel = (cat: Catalogue, name: string, lang: Lang): string =>
  segmentText(cat, name)?.[lang] ?? name;

/** Every method's values at the catalogue's defaults, the first method (picker order) chosen. */
export function defaultForm(cat: Catalogue): MethodForm {
  const start = (kind: MethodKind, key: string) => paramRange(cat, kind, key).default;
  let form: MethodForm = {
    kind: cat.methods[0].default.kind,
    abcRevenue: { a_pct: 0, b_pct: 0 },
    abcProfit: { a_pct: 0, b_pct: 0 },
    abcCustomers: { a_pct: 0, b_pct: 0, zero_revenue: "c" },
    thresholds: { measure: "revenue", a_min: 0, b_min: 0, useD: false, c_min: start("thresholds", "c_min") },
    rfmScores: { bins: 0, a_min: 0, b_min: 0 },
    rfmCube: {
      basis: "mean",
      r_days: start("rfm_cube", "basis.r_days"),
      f: start("rfm_cube", "basis.f"),
      m_yuan: start("rfm_cube", "basis.m_yuan"),
    },
    rfmSegments: { rules: [] },
    composite: { weights: { value: 0, frequency: 0, recency: 0, interactions: 0, rhythm: 0 }, a_min: 0, b_min: 0 },
  };
  // Each method's section from its default; the first method last, so that it is the chosen one.
  for (const m of [...cat.methods].reverse()) form = formFromMethod(m.default, form);
  return form;
}

/** Validation problems as i18n keys (empty = OK). The core checks again; this keeps the UI from sending nonsense. */
export function validateForm(form: MethodForm): string[] {
  const problems: string[] = [];
  switch (form.kind) {
    case "abc_revenue":
    case "abc_profit": {
      const { a_pct, b_pct } = form.kind === "abc_revenue" ? form.abcRevenue : form.abcProfit;
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
      if (c.basis === "fixed" && !(c.r_days > 0 && c.f > 0 && c.m_yuan > 0))
        problems.push("method.invalid.fixedPositive");
      break;
    }
    case "rfm_segments":
      if (!form.rfmSegments.rules.length) problems.push("method.invalid.noRules");
      break;
    case "composite": {
      const { weights: w, a_min, b_min } = form.composite;
      const all = [w.value, w.frequency, w.recency, w.interactions, w.rhythm];
      if (!(all.reduce((a, b) => a + b, 0) > 0) || all.some((x) => x < 0)) {
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
    case "abc_profit":
      return { kind: "abc_profit", a_pct: form.abcProfit.a_pct, b_pct: form.abcProfit.b_pct };
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
      return { kind: "rfm_segments", rules: form.rfmSegments.rules.map(copyRule) };
    case "composite": {
      // A rhythm weight of 0 is left out, as the core writes it: the method then equals the one it came from.
      const { rhythm, ...w } = form.composite.weights;
      const weights = rhythm ? { ...w, rhythm } : w;
      return { kind: "composite", weights, a_min: form.composite.a_min, b_min: form.composite.b_min };
    }
  }
}

/** A rule with its own score ranges (editing the copy never changes the catalogue's). */
const copyRule = (r: SegmentRule): SegmentRule => ({
  segment: r.segment,
  r: [r.r[0], r.r[1]],
  f: [r.f[0], r.f[1]],
  m: [r.m[0], r.m[1]],
});

/** Loads a saved `Method` (settings' default, a snapshot's params) into the form, keeping other kinds' values. */
export function formFromMethod(method: Method, base: MethodForm): MethodForm {
  const form = structuredClone(toRaw(base));
  form.kind = method.kind;
  switch (method.kind) {
    case "abc_revenue":
      form.abcRevenue = { a_pct: method.a_pct, b_pct: method.b_pct };
      break;
    case "abc_profit":
      form.abcProfit = { a_pct: method.a_pct, b_pct: method.b_pct };
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
      form.rfmSegments = { rules: method.rules.map(copyRule) };
      break;
    case "composite":
      form.composite = {
        weights: { ...method.weights, rhythm: method.weights.rhythm ?? 0 },
        a_min: method.a_min,
        b_min: method.b_min,
      };
      break;
  }
  return form;
}

/** Full params for classify(): the method plus shared settings, segment tiers over the catalogue's defaults. */
export function buildParams(
  form: MethodForm,
  cat: Catalogue,
  shared: {
    as_of?: string | null;
    segment_tiers?: Record<string, Tier>;
    segment_names?: Record<string, string>;
    window?: ClassifyParams["window"];
    score_cuts?: ClassifyParams["score_cuts"];
  } = {},
): ClassifyParams {
  return {
    method: buildMethod(form),
    as_of: shared.as_of ?? null,
    segment_tiers: { ...cat.segment_tiers, ...(shared.segment_tiers ?? {}) },
    segment_names: { ...(shared.segment_names ?? {}) },
    window: shared.window ?? { span: { kind: "all" }, outside: "drop" },
    score_cuts: shared.score_cuts ?? { r: [], f: [], m: [] },
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
export function segmentNamesFor(cat: Catalogue, kind: MethodKind, rules: SegmentRule[] = cat.segment_rules): string[] {
  if (kind === "rfm_cube") return cat.cube_types.map((s) => s.name);
  if (kind === "rfm_segments") return [...new Set([...rules.map((r) => r.segment), cat.others])];
  return [];
}

/** Creates a debounced caller: the last call within `ms` wins (re-tiering while a slider moves). */
export function debounce<A extends unknown[]>(
  fn: (...args: A) => void,
  ms: number,
): ((...args: A) => void) & { cancel(): void } {
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

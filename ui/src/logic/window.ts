// The analysis window and the user's own R/F/M cut points on the tiers screen: the form, its checks
// and the `window` / `score_cuts` parameters it builds. The choices (months, example cut points,
// the boundary rule) come from the core's catalogue; nothing about the rule is decided here.
import type { Catalogue, Method, ScoreCuts, Window } from "../types";

/** "all", a number of months from the catalogue ("3", "6", "12"), or "range". */
export type WindowChoice = string;

export interface WindowForm {
  choice: WindowChoice;
  /** YYYY-MM-DD or null (open end), for "range". */
  from: string | null;
  to: string | null;
  outside: "drop" | "group";
  /** Comma-separated cut points as typed; empty = quantiles. R in days, F in orders, M in yuan. */
  r: string;
  f: string;
  m: string;
}

export function defaultWindowForm(): WindowForm {
  return { choice: "all", from: null, to: null, outside: "drop", r: "", f: "", m: "" };
}

/** The picker's options: everything, the catalogue's months, a custom range. */
export function windowChoices(cat: Catalogue): WindowChoice[] {
  return ["all", ...cat.window.months.map(String), "range"];
}

/** "30, 90,180，365" → [30, 90, 180, 365]; null when something is not a number. */
export function parseCuts(text: string): number[] | null {
  const parts = text
    .split(/[,，/\s]+/)
    .map((s) => s.replace(/^¥/, ""))
    .filter((s) => s !== "");
  const values = parts.map(Number);
  return values.every((v) => Number.isFinite(v)) ? values : null;
}

export function buildWindow(form: WindowForm): Window {
  const span: Window["span"] =
    form.choice === "all"
      ? { kind: "all" }
      : form.choice === "range"
        ? { kind: "range", from: form.from, to: form.to }
        : { kind: "months", months: Number(form.choice) };
  return { span, outside: form.outside };
}

export function buildScoreCuts(form: WindowForm): ScoreCuts {
  return { r: parseCuts(form.r) ?? [], f: parseCuts(form.f) ?? [], m: parseCuts(form.m) ?? [] };
}

/** The form of parameters that were sent (a reloaded window shows what the shell holds). */
export function windowFormFrom(window: Window | undefined, cuts: ScoreCuts | undefined): WindowForm {
  const form = defaultWindowForm();
  const span = window?.span;
  if (span?.kind === "months") form.choice = String(span.months);
  if (span?.kind === "range") Object.assign(form, { choice: "range", from: span.from, to: span.to });
  form.outside = window?.outside ?? "drop";
  form.r = (cuts?.r ?? []).join(", ");
  form.f = (cuts?.f ?? []).join(", ");
  form.m = (cuts?.m ?? []).join(", ");
  return form;
}

/** i18n keys of what is wrong, empty when the form can be sent (`bins` = score bins of the method). */
export function validateWindowForm(form: WindowForm, bins: number): string[] {
  const problems: string[] = [];
  if (form.choice === "range" && form.from && form.to && form.from > form.to) problems.push("window.fromAfterTo");
  for (const measure of ["r", "f", "m"] as const) {
    const text = form[measure];
    if (!text.trim()) continue;
    const values = parseCuts(text);
    if (!values) problems.push(`window.notNumbers.${measure}`);
    else if (values.length !== bins - 1) problems.push(`window.count.${measure}`);
    else if (values.some((v, i) => v < 0 || (i > 0 && v <= values[i - 1]!))) problems.push(`window.order.${measure}`);
  }
  return problems;
}

/** The score bins of a method (the RFM-scores method's own, else 5): each cut list has bins − 1 values. */
export function scoreBins(method: Method): number {
  return method.kind === "rfm_scores" ? method.bins : 5;
}

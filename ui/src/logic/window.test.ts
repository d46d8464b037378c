import { describe, expect, test } from "vitest";
import catalogueJson from "../bindings/catalogue.json";
import type { Catalogue } from "../types";
import { buildParams, defaultForm } from "./methods";
import {
  buildScoreCuts,
  buildWindow,
  defaultWindowForm,
  parseCuts,
  scoreBins,
  validateWindowForm,
  windowChoices,
  windowFormFrom,
} from "./window";

const cat = catalogueJson as unknown as Catalogue;

describe("analysis window form", () => {
  test("offers everything, the catalogue's months and a custom range", () => {
    expect(windowChoices(cat)).toEqual(["all", "3", "6", "12", "range"]);
  });

  test("builds the core's window from each choice", () => {
    const form = defaultWindowForm();
    expect(buildWindow(form)).toEqual({ span: { kind: "all" }, outside: "drop" });
    form.choice = "12";
    form.outside = "group";
    expect(buildWindow(form)).toEqual({ span: { kind: "months", months: 12 }, outside: "group" });
    Object.assign(form, { choice: "range", from: null, to: "2025-06-30" });
    expect(buildWindow(form)).toEqual({ span: { kind: "range", from: null, to: "2025-06-30" }, outside: "group" });
  });

  test("the default params keep every order and the quantiles", () => {
    const params = buildParams(defaultForm(cat), cat);
    expect(params.window).toEqual({ span: { kind: "all" }, outside: "drop" });
    expect(params.score_cuts).toEqual({ r: [], f: [], m: [] });
  });

  test("a window and cut points that were sent come back into the form", () => {
    const window = {
      span: { kind: "range" as const, from: "2025-01-01", to: "2025-06-30" },
      outside: "group" as const,
    };
    const cuts = { r: [30, 90, 180, 365], f: [], m: [100.5, 500, 1000, 5000] };
    const form = windowFormFrom(window, cuts);
    expect(buildWindow(form)).toEqual(window);
    expect(buildScoreCuts(form)).toEqual(cuts);
    expect(windowFormFrom(undefined, undefined)).toEqual(defaultWindowForm());
  });
});

describe("own cut points", () => {
  test("are read with ASCII or full-width commas, spaces and a yuan sign", () => {
    expect(parseCuts("30, 90，180 365")).toEqual([30, 90, 180, 365]);
    expect(parseCuts("¥100,¥500")).toEqual([100, 500]);
    expect(parseCuts("")).toEqual([]);
    expect(parseCuts("2,三")).toBeNull();
  });

  test("need bins − 1 ascending values per measure, and say which measure is wrong", () => {
    const form = { ...defaultWindowForm(), r: "30,90,180,365", f: "2,3", m: "500,100,1000,5000" };
    expect(validateWindowForm(form, 5)).toEqual(["window.count.f", "window.order.m"]);
    expect(validateWindowForm({ ...form, f: "2,3,5,10", m: "" }, 5)).toEqual([]);
    expect(validateWindowForm({ ...form, f: "2,x,5,10", m: "" }, 5)).toEqual(["window.notNumbers.f"]);
    expect(validateWindowForm({ ...defaultWindowForm(), r: "30,90" }, 3)).toEqual([]);
    const range = { ...defaultWindowForm(), choice: "range", from: "2025-07-01", to: "2025-06-30" };
    expect(validateWindowForm(range, 5)).toEqual(["window.fromAfterTo"]);
  });

  test("the number of values follows the RFM-scores method's bins, five scores elsewhere", () => {
    expect(scoreBins({ kind: "rfm_scores", bins: 3, a_min: 7, b_min: 5 })).toBe(3);
    expect(scoreBins({ kind: "abc_revenue", a_pct: 80, b_pct: 95 })).toBe(5);
  });
});

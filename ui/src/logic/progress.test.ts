import { describe, expect, it } from "vitest";
import { cancellable, countOf, elapsedText, percentOf } from "./progress";

describe("the import panel's progress", () => {
  it("shows a percentage only when the total is known", () => {
    expect(percentOf(null)).toBeNull();
    expect(percentOf({ stage: "reading", done: 0, total: 0 })).toBeNull();
    expect(percentOf({ stage: "reading", done: 2048, total: 100001 })).toBe(2);
    expect(percentOf({ stage: "saving", done: 10, total: 5 })).toBe(100);
  });

  it("counts nothing while the file is hashed, then rows with or without their total", () => {
    expect(countOf({ stage: "reading", done: 0, total: 0 })).toBeNull();
    expect(countOf({ stage: "packing", done: 512, total: 0 })).toEqual({ done: 512, total: null });
    expect(countOf({ stage: "reading", done: 0, total: 100 })).toEqual({ done: 0, total: 100 });
  });

  it("offers a cancel until the orders are committed", () => {
    expect(cancellable(null)).toBe(true);
    for (const stage of ["reading", "saving", "customers"] as const) {
      expect(cancellable({ stage, done: 1, total: 2 })).toBe(true);
    }
    expect(cancellable({ stage: "classifying", done: 1, total: 2 })).toBe(false);
  });

  it("says when the latest report came, in seconds to the tenth", () => {
    expect(elapsedText(0)).toBe("0.0");
    expect(elapsedText(12_345)).toBe("12.3");
    expect(elapsedText(-5)).toBe("0.0");
  });
});

import { describe, expect, test } from "vitest";
import { nextSortOrder, visibleRows } from "./virtual";

describe("visibleRows", () => {
  test("at the top: the rows in view plus the overscan below, none above", () => {
    // 400 px / 40 px = 10 rows in view, +1 for a row cut at the bottom edge, +5 overscan.
    expect(visibleRows(0, 400, 40, 100_000, 5)).toEqual({ first: 0, end: 16 });
  });

  test("in the middle: the row at the top edge, overscan on both sides", () => {
    // 4,000,020 px down is inside row 100,000 (rows 0..100,000 of 40 px start at 40·i).
    expect(visibleRows(4_000_020, 400, 40, 200_000, 5)).toEqual({ first: 99_995, end: 100_016 });
  });

  test("every row a viewport can show is inside the range, wherever it is scrolled", () => {
    const rowHeight = 40;
    const viewport = 333;
    const count = 1_234;
    for (let scrollTop = 0; scrollTop <= count * rowHeight - viewport; scrollTop += 17) {
      const { first, end } = visibleRows(scrollTop, viewport, rowHeight, count, 0);
      const topRow = Math.floor(scrollTop / rowHeight);
      const bottomRow = Math.min(count - 1, Math.floor((scrollTop + viewport - 1) / rowHeight));
      expect(first).toBeLessThanOrEqual(topRow);
      expect(end).toBeGreaterThan(bottomRow);
      expect(end - first).toBeLessThanOrEqual(Math.ceil(viewport / rowHeight) + 1);
    }
  });

  test("at the bottom and beyond it (a list that shrank under the scroll position): clamped to the rows there are", () => {
    expect(visibleRows(39_600, 400, 40, 1_000, 5)).toEqual({ first: 985, end: 1_000 });
    expect(visibleRows(4_000_000, 400, 40, 10, 5)).toEqual({ first: 9, end: 10 });
  });

  test("few rows, no rows, a viewport not measured yet", () => {
    expect(visibleRows(0, 400, 40, 3, 5)).toEqual({ first: 0, end: 3 });
    expect(visibleRows(0, 400, 40, 0, 5)).toEqual({ first: 0, end: 0 });
    expect(visibleRows(0, 0, 40, 1_000, 5, 30)).toEqual({ first: 0, end: 35 });
  });
});

describe("nextSortOrder", () => {
  test("cycles unsorted → descending → ascending → unsorted", () => {
    const seen: (string | null)[] = [];
    let order = nextSortOrder(null);
    for (let i = 0; i < 4; i++) {
      seen.push(order);
      order = nextSortOrder(order);
    }
    expect(seen).toEqual(["descend", "ascend", null, "descend"]);
  });
});

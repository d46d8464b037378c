import { describe, expect, test } from "vitest";
import { nextSortOrder, slotCount, slotOf, visibleRows } from "./virtual";

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

describe("slotOf", () => {
  test("every range visibleRows gives uses each recycled element at most once", () => {
    const [rowHeight, overscan, count] = [40, 6, 100_000];
    for (const viewport of [0, 39, 550, 901]) {
      const slots = slotCount(viewport, rowHeight, overscan);
      for (const scrollTop of [0, 1, 200, 239, 40_000, 1_234_567, count * rowHeight - viewport, count * rowHeight]) {
        const { first, end } = visibleRows(scrollTop, viewport, rowHeight, count, overscan);
        expect(end - first).toBeLessThanOrEqual(slots);
        const used = new Set<number>();
        for (let i = first; i < end; i++) used.add(slotOf(i, slots));
        expect(used.size).toBe(end - first);
      }
    }
  });

  test("a jump of a full window reuses every element; a scroll of 3 rows moves only 3", () => {
    const slots = slotCount(550, 40, 6);
    const at = (top: number) => {
      const { first, end } = visibleRows(top, 550, 40, 100_000, 6);
      return Array.from({ length: end - first }, (_, k) => slotOf(first + k, slots));
    };
    expect(new Set(at(400_000))).toEqual(new Set(at(2_000_000)));
    const before = at(40_000);
    const after = at(40_120);
    expect(after.filter((s, k) => s !== before[k + 3]).length).toBe(3);
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

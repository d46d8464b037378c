// The arithmetic of a fixed-row-height virtual list (components/VirtualTable.ts): which rows a scroll
// position shows, and how a sortable header cycles. Pure functions, so they are tested without a window.

/** Rows `[first, end)` to render at `scrollTop`, with `overscan` extra rows on each side. */
export interface RowRange {
  first: number;
  end: number;
}

/**
 * The rows to render when the list is scrolled to `scrollTop` in a viewport `viewport` px high, every row
 * `rowHeight` px, `count` rows in all. The range never leaves `[0, count]`; a viewport not yet measured
 * (0) still renders a screenful (`fallbackRows`), so the first paint is not empty.
 */
export function visibleRows(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
  overscan: number,
  fallbackRows = 30,
): RowRange {
  if (count <= 0 || rowHeight <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, Math.floor(scrollTop / rowHeight));
  const inView = rowsInView(viewport, rowHeight, fallbackRows);
  const first = Math.min(Math.max(0, top - overscan), Math.max(0, count - 1));
  const end = Math.min(count, top + inView + overscan);
  return { first, end: Math.max(first, end) };
}

/**
 * How many rows `visibleRows` can give at most for this viewport: the number of row elements a table
 * recycles (`slotOf`).
 */
export function slotCount(viewport: number, rowHeight: number, overscan: number, fallbackRows = 30): number {
  return rowsInView(viewport, rowHeight, fallbackRows) + 2 * overscan;
}

/** Rows a viewport shows, partly cut ones included; `fallbackRows` before it is measured. */
function rowsInView(viewport: number, rowHeight: number, fallbackRows: number): number {
  return viewport > 0 && rowHeight > 0 ? Math.ceil(viewport / rowHeight) + 1 : fallbackRows;
}

/**
 * The row element that shows row `index` when `slots` elements are recycled: rows `slots` apart share
 * one, so any range of at most `slots` consecutive rows uses each element once. A jump then refills
 * the same elements with other rows' texts instead of creating a screenful of new ones.
 */
export function slotOf(index: number, slots: number): number {
  return slots > 0 ? index % slots : index;
}

/** The order a sortable column is sorted in; `null` is "not sorted by this column". */
export type SortOrder = "ascend" | "descend";

/** A click on a header: unsorted → descending → ascending → unsorted (Naive UI's data table order,
 *  which the customer list used before, so the clicks a user learned still do the same). */
export function nextSortOrder(current: SortOrder | null): SortOrder | null {
  if (current === null) return "descend";
  if (current === "descend") return "ascend";
  return null;
}

// What the import panel shows of a progress event: the bar's percentage, the count beside the
// stage's name, and whether 取消 can still undo anything.

import type { ProgressEvent } from "../types";

/** The bar's percentage; null for an indeterminate bar (the total is not known yet). */
export function percentOf(p: ProgressEvent | null): number | null {
  if (!p || !p.total) return null;
  return Math.min(100, Math.round((p.done / p.total) * 100));
}

/** The count after the stage's name: "done / total", "done" alone, or none before anything is
 *  counted (the file is still being hashed: "已处理 0" would say nothing). */
export function countOf(p: ProgressEvent): { done: number; total: number | null } | null {
  if (p.total) return { done: p.done, total: p.total };
  return p.done ? { done: p.done, total: null } : null;
}

/** Whether a cancel can still leave the workspace as it was. The import's last stage, tiering the
 *  customers loaded back, runs after its commit: nothing is left to undo then. */
export function cancellable(p: ProgressEvent | null): boolean {
  return p?.stage !== "classifying";
}

/** Seconds with one decimal ("12.3"), for the time of the latest report since the import began. */
export function elapsedText(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(1);
}

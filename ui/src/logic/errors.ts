// Errors as the UI handles them: every failure from the shell becomes an ApiError {code, message,
// details}, `code` one of the core's closed `ErrorCode` set. The screens show the title and advice the
// core's catalogue gives for the code (no code is translated here), with the core's own message.

import type { Catalogue, ErrorCode, Lang } from "../types";

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = details ?? null;
  }
}

/** Turns whatever a rejected invoke gives (object, string, Error) into an ApiError. */
export function toApiError(raw: unknown): ApiError {
  if (raw instanceof ApiError) return raw;
  if (raw && typeof raw === "object") {
    const o = raw as Record<string, unknown>;
    if (typeof o.code === "string") {
      const message = typeof o.message === "string" ? o.message : o.code;
      // The shell only sends codes of the generated ErrorCode union (the bindings are drift-checked).
      return new ApiError(o.code as ErrorCode, message, o.details);
    }
    if (raw instanceof Error) return new ApiError("unknown", raw.message);
  }
  if (typeof raw === "string") {
    // Some plugin errors arrive as plain strings; a JSON-encoded error object is unwrapped.
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (parsed && typeof parsed === "object" && typeof (parsed as { code?: unknown }).code === "string") {
        return toApiError(parsed);
      }
    } catch {
      /* not JSON: keep the text */
    }
    return new ApiError("unknown", raw);
  }
  return new ApiError("unknown", String(raw));
}

export interface ErrorText {
  title: string;
  /** The core's message (what happened, with the file name); always shown when present. */
  detail: string;
  /** What to do. */
  hint: string;
}

/**
 * The words shown for an error: title and advice from the catalogue's entry for its code, in `lang`;
 * `fallback` (the UI's generic words) only when the catalogue is not loaded or does not know the code.
 * In English the core's Chinese message is still shown as the detail when there is nothing better,
 * because it names the file and the row.
 */
export function describeError(
  err: unknown,
  catalogue: Pick<Catalogue, "errors"> | null,
  lang: Lang,
  fallback: { title: string; hint: string },
): ErrorText {
  const e = toApiError(err);
  const words = catalogue?.errors.find((x) => x.code === e.code);
  const title = words ? words.title[lang] : fallback.title;
  const hint = words ? words.hint[lang] : fallback.hint;
  const detail = e.message && e.message !== e.code ? e.message : "";
  return { title, detail, hint };
}

/** True when the shell does not have the command at all (an older shell): the screen degrades quietly. */
export function isMissingCommand(err: unknown): boolean {
  const e = toApiError(err);
  return e.code === "unknown" && /command .* not found/i.test(e.message);
}

/** True for a user cancel, which the screens treat as a quiet return to the previous state. */
export function isCancelled(err: unknown): boolean {
  return toApiError(err).code === "cancelled";
}

// Errors as the UI handles them: every failure from the shell becomes an ApiError {code, message,
// details}; the screens show a translated title and advice by code and fall back to the core's own
// (Chinese) message when the code is unknown.

export class ApiError extends Error {
  readonly code: string;
  readonly details: unknown;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = details ?? null;
  }
}

/** Codes the UI has its own words for (i18n keys `errors.<code>.title` and `.hint`). */
export const KNOWN_ERROR_CODES = [
  "io",
  "empty_file",
  "not_spreadsheet",
  "corrupt",
  "sheet_not_found",
  "no_header",
  "no_data_rows",
  "no_amount_column",
  "no_key_column",
  "column_not_found",
  "amounts_unreadable",
  "cell_too_large",
  "file_too_large",
  "no_valid_orders",
  "invalid_params",
  "no_customers",
  "cancelled",
  "write",
  "not_a_workspace",
  "workspace_too_new",
  "snapshot_not_found",
  "store",
  "busy",
  "not_in_app",
  "unknown",
] as const;

export type KnownErrorCode = (typeof KNOWN_ERROR_CODES)[number];

/** Turns whatever a rejected invoke gives (object, string, Error) into an ApiError. */
export function toApiError(raw: unknown): ApiError {
  if (raw instanceof ApiError) return raw;
  if (raw && typeof raw === "object") {
    const o = raw as Record<string, unknown>;
    if (typeof o.code === "string") {
      const message = typeof o.message === "string" ? o.message : o.code;
      return new ApiError(o.code, message, o.details);
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
 * The words shown for an error. `t`/`te` are vue-i18n's translate / key-exists (passed in so this stays
 * testable without Vue). In English the core's Chinese message is still shown as the detail when there is
 * nothing better, because it names the file and the row.
 */
export function describeError(
  err: unknown,
  t: (key: string) => string,
  te: (key: string) => boolean,
): ErrorText {
  const e = toApiError(err);
  const known = te(`errors.${e.code}.title`);
  const title = known ? t(`errors.${e.code}.title`) : t("errors.unknown.title");
  const hint = known ? t(`errors.${e.code}.hint`) : t("errors.unknown.hint");
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

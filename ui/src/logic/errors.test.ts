import { describe, expect, test } from "vitest";
import { ApiError, describeError, isCancelled, isMissingCommand, toApiError } from "./errors";

const messages: Record<string, string> = {
  "errors.empty_file.title": "文件是空的",
  "errors.empty_file.hint": "请重新导出",
  "errors.unknown.title": "出了点问题",
  "errors.unknown.hint": "请重试",
};
const t = (k: string) => messages[k] ?? k;
const te = (k: string) => k in messages;

describe("toApiError", () => {
  test("an IPC error object keeps code, message and details", () => {
    const e = toApiError({ code: "empty_file", message: "文件 a.xlsx 是空的。", details: { path: "a.xlsx" } });
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe("empty_file");
    expect(e.message).toBe("文件 a.xlsx 是空的。");
    expect(e.details).toEqual({ path: "a.xlsx" });
  });
  test("a plain string becomes an unknown error with that text", () => {
    const e = toApiError("command classify not found");
    expect(e.code).toBe("unknown");
    expect(e.message).toBe("command classify not found");
  });
  test("a JSON string holding an error object is unwrapped", () => {
    expect(toApiError('{"code":"write","message":"无法写入"}').code).toBe("write");
  });
  test("an Error keeps its message", () => {
    expect(toApiError(new Error("boom")).message).toBe("boom");
  });
});

describe("describeError", () => {
  test("a known code is translated and keeps the core's message as detail", () => {
    const d = describeError({ code: "empty_file", message: "文件 a.xlsx 是空的。" }, t, te);
    expect(d).toEqual({ title: "文件是空的", detail: "文件 a.xlsx 是空的。", hint: "请重新导出" });
  });
  test("an unknown code falls back to the generic title and still shows the message", () => {
    const d = describeError({ code: "brand_new_code", message: "新的错误" }, t, te);
    expect(d.title).toBe("出了点问题");
    expect(d.detail).toBe("新的错误");
  });
  test("a message equal to the code is not repeated as detail", () => {
    expect(describeError({ code: "empty_file", message: "empty_file" }, t, te).detail).toBe("");
  });
  test("a command the shell does not have is recognised", () => {
    expect(isMissingCommand("Command list_snapshots not found")).toBe(true);
    expect(isMissingCommand({ code: "store", message: "not found" })).toBe(false);
  });
  test("cancel is recognised", () => {
    expect(isCancelled({ code: "cancelled", message: "已取消。" })).toBe(true);
    expect(isCancelled({ code: "io", message: "x" })).toBe(false);
  });
});

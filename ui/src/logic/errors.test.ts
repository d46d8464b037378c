import { describe, expect, test } from "vitest";
import { ApiError, describeError, isCancelled, isMissingCommand, toApiError } from "./errors";
import type { Catalogue } from "../types";
// The core's catalogue (dumped by src-tauri/bindings.rs): the words for each code come from it.
import catalogueJson from "../bindings/catalogue.json";

const cat = catalogueJson as unknown as Catalogue;
const fallback = { title: "generic title", hint: "generic hint" };

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
  test("every code the core knows is worded from the catalogue in the chosen language, with the core's message as detail", () => {
    for (const e of cat.errors) {
      const zh = describeError({ code: e.code, message: "文件 a.xlsx 出错。" }, cat, "zh", fallback);
      expect(zh, e.code).toEqual({ title: e.title.zh, detail: "文件 a.xlsx 出错。", hint: e.hint.zh });
      expect(describeError({ code: e.code, message: "x" }, cat, "en", fallback).title, e.code).toBe(e.title.en);
    }
  });
  test("a code the catalogue does not know, or no catalogue yet, falls back and still shows the message", () => {
    const d = describeError({ code: "brand_new_code", message: "新的错误" }, cat, "zh", fallback);
    expect(d).toEqual({ title: "generic title", detail: "新的错误", hint: "generic hint" });
    expect(describeError({ code: "write", message: "m" }, null, "zh", fallback).title).toBe("generic title");
  });
  test("a message equal to the code is not repeated as detail", () => {
    expect(describeError({ code: "empty_file", message: "empty_file" }, cat, "zh", fallback).detail).toBe("");
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

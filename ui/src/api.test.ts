// api.ts against a fake Tauri core: command names, argument names (camelCase, as Tauri expects),
// progress through a Channel, cancel, and every failure turned into an ApiError.
import { beforeEach, describe, expect, test, vi } from "vitest";
import { detectAll } from "./logic/preview";

const calls: { cmd: string; args: Record<string, unknown> | undefined }[] = [];
let reply: (cmd: string, args?: Record<string, unknown>) => unknown = () => null;

vi.mock("@tauri-apps/api/core", () => {
  class Channel<T> {
    onmessage: (m: T) => void = () => {};
  }
  return {
    Channel,
    isTauri: () => true,
    invoke: async (cmd: string, args?: Record<string, unknown>) => {
      calls.push({ cmd, args });
      return reply(cmd, args);
    },
  };
});
vi.mock("@tauri-apps/api/webview", () => ({ getCurrentWebview: () => ({ onDragDropEvent: async () => () => {} }) }));
vi.mock("@tauri-apps/api/window", () => ({ getCurrentWindow: () => ({ setTitle: async () => {} }) }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: async () => "/tmp/a.xlsx", save: async () => null }));

const api = await import("./api");
const { ApiError } = await import("./logic/errors");

beforeEach(() => {
  calls.length = 0;
  reply = () => null;
});

describe("commands", () => {
  test("classify sends the params under `params`", async () => {
    reply = () => ({ as_of: "2025-06-30" });
    const params = { method: { kind: "abc_revenue" as const, a_pct: 80, b_pct: 95 }, as_of: null, segment_tiers: {}, segment_names: {} };
    await api.classify(params);
    expect(calls).toEqual([{ cmd: "classify", args: { params } }]);
  });
  test("compare_snapshots sends old and new ids", async () => {
    await api.compareSnapshots(3, 7);
    expect(calls[0]).toEqual({ cmd: "compare_snapshots", args: { old: 3, new: 7 } });
  });
  test("an empty snapshot label is sent as null", async () => {
    await api.saveSnapshot("");
    expect(calls[0].args).toEqual({ label: null });
  });
});

describe("long jobs", () => {
  test("import passes a Channel as onProgress and forwards its messages", async () => {
    const seen: unknown[] = [];
    reply = (_cmd, args) => {
      const ch = args?.onProgress as { onmessage: (m: unknown) => void };
      ch.onmessage({ stage: "reading", done: 5, total: 10 });
      return { reports: [] };
    };
    const job = api.importSources(["/a.xlsx"], detectAll(), (p) => seen.push(p));
    await job.promise;
    expect(calls[0].cmd).toBe("import_sources");
    expect(calls[0].args).toMatchObject({ paths: ["/a.xlsx"], options: detectAll() });
    expect(seen).toEqual([{ stage: "reading", done: 5, total: 10 }]);
  });
  test("cancel calls cancel_job", async () => {
    reply = () => ({ path: "/x.xlsx", csv_files: [] });
    const job = api.exportWorkbook("/x.xlsx", { lang: "zh", keep_phones: false, include_summary: true, include_tier_sheets: true, include_playbook: true, include_method: true }, true);
    await job.cancel();
    await job.promise;
    expect(calls.map((c) => c.cmd)).toEqual(["export_workbook", "cancel_job"]);
    expect(calls[0].args).toMatchObject({ path: "/x.xlsx", csv: true });
  });
});

describe("errors", () => {
  test("a rejected command becomes an ApiError with the shell's code, message and details", async () => {
    reply = () => {
      throw { code: "empty_file", message: "文件 a.xlsx 是空的。", details: { path: "a.xlsx" } };
    };
    const err = await api.previewSource("a.xlsx", detectAll()).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("empty_file");
    expect(err.details).toEqual({ path: "a.xlsx" });
  });
  test("a plain string rejection (e.g. an unknown command) is an ApiError too", async () => {
    reply = () => {
      throw "command not found";
    };
    const err = await api.listSnapshots().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("unknown");
  });
  test("the open dialog's single path comes back as a list", async () => {
    expect(await api.pickSourceFiles("表格")).toEqual(["/tmp/a.xlsx"]);
    expect(await api.pickExportPath("x.xlsx", "Excel")).toBeNull();
  });
});

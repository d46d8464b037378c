// api.ts against Tauri's own IPC mock (@tauri-apps/api/mocks): command names, argument names (camelCase,
// as Tauri expects), progress through a real Channel, cancel, every failure turned into an ApiError, and
// the dialog plugin's commands. No module of @tauri-apps is replaced: only the IPC underneath them.
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { Channel } from "@tauri-apps/api/core";
import { detectAll } from "./logic/preview";

// mockIPC installs the IPC on `window`; under Vitest (Node) the global object stands in for it, and
// `isTauri` is what the app's IPC sets on it.
const global = globalThis as unknown as Record<string, unknown>;
global.window = globalThis;
global.isTauri = true;

const calls: { cmd: string; args: Record<string, unknown> | undefined }[] = [];
let reply: (cmd: string, args?: Record<string, unknown>) => unknown = () => null;

/** What the core does to report progress: a message on the Channel the UI passed, in order. */
function send(channel: unknown, index: number, message: unknown) {
  const ipc = global.__TAURI_INTERNALS__ as { runCallback: (id: number, data: unknown) => void };
  ipc.runCallback((channel as Channel<unknown>).id, { index, message });
}

const api = await import("./api");
const { ApiError } = await import("./logic/errors");

beforeEach(() => {
  calls.length = 0;
  reply = () => null;
  mockIPC((cmd, args) => {
    const plain = args as Record<string, unknown> | undefined;
    calls.push({ cmd, args: plain });
    return reply(cmd, plain);
  });
});
afterAll(() => clearMocks());

describe("commands", () => {
  test("classify sends the params under `params`", async () => {
    reply = () => ({ as_of: "2025-06-30" });
    const params = {
      method: { kind: "abc_revenue" as const, a_pct: 80, b_pct: 95 },
      as_of: null,
      segment_tiers: {},
      segment_names: {},
      window: { span: { kind: "months" as const, months: 12 }, outside: "group" as const },
      score_cuts: { r: [30, 90, 180, 365], f: [], m: [] },
    };
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

describe("shops", () => {
  test("switch, rename and restore send the shell's argument names", async () => {
    await api.switchShop("分店.tierbook");
    await api.renameShop("分店.tierbook", "城东店");
    await api.restoreShop("/备份/店.tierbook", null, true);
    expect(calls).toEqual([
      { cmd: "switch_shop", args: { file: "分店.tierbook" } },
      { cmd: "rename_shop", args: { file: "分店.tierbook", name: "城东店" } },
      { cmd: "restore_shop", args: { from: "/备份/店.tierbook", name: null, replaceCurrent: true } },
    ]);
  });
  test("a refused backup arrives as an ApiError with the core's code", async () => {
    reply = () => {
      throw { code: "not_a_backup", message: "x 不是 TierBook 备份文件", details: { path: "x" } };
    };
    const err = await api.restoreShop("x", "新店", false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as InstanceType<typeof ApiError>).code).toBe("not_a_backup");
  });
});

describe("long jobs", () => {
  test("import passes a Channel as onProgress and forwards its messages in order", async () => {
    const seen: unknown[] = [];
    reply = (_cmd, args) => {
      // Delivered out of order: the Channel puts them back in order before the UI sees them.
      send(args?.onProgress, 1, { stage: "saving", done: 10, total: 10 });
      send(args?.onProgress, 0, { stage: "reading", done: 5, total: 10 });
      return { reports: [] };
    };
    const job = api.importSources(["/a.xlsx"], detectAll(), (p) => seen.push(p));
    await job.promise;
    expect(calls[0].cmd).toBe("import_sources");
    expect(calls[0].args).toMatchObject({ paths: ["/a.xlsx"], options: detectAll() });
    expect(calls[0].args?.onProgress).toBeInstanceOf(Channel);
    expect(seen).toEqual([
      { stage: "reading", done: 5, total: 10 },
      { stage: "saving", done: 10, total: 10 },
    ]);
  });
  test("cancel calls cancel_job", async () => {
    reply = () => ({ path: "/x.xlsx", csv_files: [] });
    const job = api.exportWorkbook(
      "/x.xlsx",
      {
        lang: "zh",
        keep_phones: false,
        include_summary: true,
        include_tier_sheets: true,
        include_playbook: true,
        include_method: true,
      },
      true,
    );
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
    reply = (cmd) => (cmd === "plugin:dialog|open" ? "/tmp/a.xlsx" : null);
    expect(await api.pickSourceFiles("表格")).toEqual(["/tmp/a.xlsx"]);
    expect(await api.pickExportPath("x.xlsx", "Excel")).toBeNull();
    expect(calls.map((c) => c.cmd)).toEqual(["plugin:dialog|open", "plugin:dialog|save"]);
  });
});

describe("outside the desktop app", () => {
  test("every command and job fails with not_in_app without touching the IPC", async () => {
    global.isTauri = false;
    try {
      const err = await api.appInfo().catch((e) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err.code).toBe("not_in_app");
      const job = await api.openSample().promise.catch((e) => e);
      expect(job.code).toBe("not_in_app");
      expect(await api.pickSourceFiles("表格")).toBeNull();
      expect(calls).toEqual([]);
    } finally {
      global.isTauri = true;
    }
  });
});

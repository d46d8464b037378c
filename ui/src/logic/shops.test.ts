import { describe, expect, it } from "vitest";
import { backupFileName, localTime, sourcesLabel, windowTitle } from "./shops";

describe("backupFileName", () => {
  it("names the shop and the local day", () => {
    expect(backupFileName("旗舰店", new Date(2025, 2, 1, 23, 59))).toBe("旗舰店-备份-20250301.tierbook");
    expect(backupFileName("Main shop", new Date(2025, 11, 31), "backup")).toBe("Main shop-backup-20251231.tierbook");
  });
  it("replaces what no file system accepts and never gives an empty name", () => {
    expect(backupFileName('淘宝/天猫:"旗舰"?', new Date(2025, 0, 9))).toBe("淘宝_天猫__旗舰__-备份-20250109.tierbook");
    expect(backupFileName("  ", new Date(2025, 0, 9))).toBe("TierBook-备份-20250109.tierbook");
  });
});

describe("windowTitle", () => {
  it("puts the shop before the file and the app last", () => {
    expect(windowTitle("客户分层助手", "旗舰店", "订单.xlsx")).toBe("旗舰店 · 订单.xlsx — 客户分层助手");
    expect(windowTitle("客户分层助手", "旗舰店", "")).toBe("旗舰店 — 客户分层助手");
    expect(windowTitle("TierBook", null, "")).toBe("TierBook");
  });
});

describe("localTime", () => {
  it("shows an RFC 3339 time in the local zone, and a dash for nothing", () => {
    const d = new Date(2025, 2, 1, 9, 5);
    expect(localTime(d.toISOString())).toBe("2025-03-01 09:05");
    expect(localTime(null)).toBe("—");
    expect(localTime("not a time")).toBe("—");
  });
});

describe("sourcesLabel", () => {
  it("names the last import and counts the earlier ones", () => {
    expect(sourcesLabel([])).toBe("");
    expect(sourcesLabel([{ file_name: "一月.xlsx" }])).toBe("一月.xlsx");
    expect(sourcesLabel([{ file_name: "一月.xlsx" }, { file_name: "二月.xlsx" }, { file_name: "三月.csv" }])).toBe(
      "三月.csv +2",
    );
  });
});

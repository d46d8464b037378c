import { describe, expect, it } from "vitest";
import { createSSRApp, h } from "vue";
import { renderToString } from "vue/server-renderer";
import { i18n } from "../i18n";
import ProgressLine from "./ProgressLine.vue";
import type { ProgressEvent } from "../types";

/** The line's text as the window shows it (zh-CN, the default); `counted` left out as a view leaves it out. */
async function line(progress: ProgressEvent, reportedAfter: number, counted?: boolean): Promise<string> {
  const app = createSSRApp({
    render: () =>
      h(ProgressLine, counted === undefined ? { progress, reportedAfter } : { progress, reportedAfter, counted }),
  });
  app.use(i18n);
  const html = await renderToString(app);
  return html
    .replace(/<!--[^>]*-->/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

describe("the progress line under a long job's bar", () => {
  it("names the stage, what it has counted and when the latest report came", async () => {
    expect(await line({ stage: "reading", done: 51200, total: 400001 }, 1600)).toBe(
      "读取订单 · 已处理 51,200 / 400,001 · 已用 1.6 秒",
    );
    expect(await line({ stage: "packing", done: 512, total: 0 }, 12345)).toBe(
      "打包工作簿（KB） · 已处理 512 · 已用 12.3 秒",
    );
  });

  it("leaves the counts out before any, and where they mean nothing", async () => {
    expect(await line({ stage: "reading", done: 0, total: 0 }, 100)).toBe("读取订单 · 已用 0.1 秒");
    expect(await line({ stage: "classifying", done: 0, total: 1 }, 2000, false)).toBe("分层 · 已用 2.0 秒");
  });
});

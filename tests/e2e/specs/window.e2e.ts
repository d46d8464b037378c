// The analysis window and own cut points on the tiers screen of the real window: the last 6 months
// with the customers who did not order in them shown as their own group D, then own R cut points
// echoed in the threshold table; back to all orders. Screenshots: target/e2e-screenshots/window-*.png.
import fs from "node:fs";
import path from "node:path";
import { $, $$, browser, expect } from "@wdio/globals";
import { shotDir } from "../wdio.conf.ts";

const expected: { year: string } = JSON.parse(
  fs.readFileSync(path.join(process.env.TIERBOOK_E2E_FIXTURES ?? "", "expected.json"), "utf8"),
);
const tid = (id: string) => $(`[data-testid="${id}"]`);
const shot = (name: string) => browser.saveScreenshot(path.join(shotDir, `${name}.png`));
const notes = async () => ((await tid("tier-notes").isExisting()) ? await tid("tier-notes").getText() : "");

describe("分析窗口 and 自定义分界值", () => {
  before(async () => {
    fs.mkdirSync(shotDir, { recursive: true });
    await browser.waitUntil(async () => browser.execute(() => Boolean((window as any).__tierbookTest)), {
      timeout: 30_000,
    });
    await tid("nav-import").waitForDisplayed({ timeout: 30_000 });
    await tid("nav-import").click();
    await browser.execute((p: string) => (window as any).__tierbookTest.importPath(p), expected.year);
    const go = await tid("btn-import");
    await go.waitForClickable({ timeout: 30_000 });
    await go.click();
    await tid("import-report").waitForDisplayed({ timeout: 60_000 });
    await tid("nav-tiers").click();
    await tid("window-cuts").waitForDisplayed({ timeout: 30_000 });
  });

  it("classifies on the last 6 months and groups the customers without an order in them", async () => {
    await tid("window-choice").click();
    const option = await $(".n-base-select-option*=近 6 个月");
    await option.waitForClickable({ timeout: 10_000 });
    await option.click();
    await browser.waitUntil(async () => (await notes()).includes("近 6 个月"), { timeout: 20_000 });
    const group = await tid("window-outside").$(".n-radio-button*=单列为 D 类");
    await group.click();
    await browser.waitUntil(async () => (await notes()).includes("单列为 D 类「窗口内无订单」"), { timeout: 20_000 });
    await tid("window-cuts").scrollIntoView();
    await shot("window-6-months-grouped");
  });

  it("echoes own R cut points in the threshold table", async () => {
    await tid("cuts-r").$("input").setValue("30,90,180,365");
    await browser.waitUntil(
      async () => {
        for (const row of await $$('[data-testid="threshold-row"]')) {
          if ((await row.getText()).includes("R 自定义分界值")) return true;
        }
        return false;
      },
      { timeout: 20_000, timeoutMsg: "no own cut point in the threshold table" },
    );
    const rows: string[] = [];
    for (const row of await $$('[data-testid="threshold-row"]')) rows.push(await row.getText());
    expect(rows.filter((r) => r.includes("R 自定义分界值"))).toHaveLength(4);
    await $('[data-testid="threshold-row"]').scrollIntoView();
    await shot("window-own-cuts");
  });

  it("goes back to every order", async () => {
    await tid("cuts-r").$("input").clearValue();
    await tid("window-choice").click();
    const all = await $(".n-base-select-option*=全部订单");
    await all.waitForClickable({ timeout: 10_000 });
    await all.click();
    await browser.waitUntil(async () => !(await notes()).includes("分析窗口"), { timeout: 20_000 });
    await expect(tid("window-cuts")).toBeDisplayed();
  });
});

// The 地区 screen in the real window: the tier mix by province (chart and table, customers per province
// as the core's CLI counts them), the cohort heat map in both measures, and the customer list filtered
// to one province. Screenshots go to target/e2e-screenshots/ (regions-*.png) for a person to look at.
//
// The specs share one data folder and the ones before it add other shops' orders to the default
// workspace, so this spec opens a shop of its own (a workspace the CLI builds from the two fixture exports
// in the data folder, where the app lists its shops): its figures are exactly the fixtures'.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { $, $$, browser, expect } from "@wdio/globals";
import { shotDir } from "../wdio.conf.ts";

const expected: { half: string; year: string; bothRegions: Record<string, number> } = JSON.parse(
  fs.readFileSync(path.join(process.env.TIERBOOK_E2E_FIXTURES ?? "", "expected.json"), "utf8"),
);
const tid = (id: string) => $(`[data-testid="${id}"]`);
const shot = (name: string) => browser.saveScreenshot(path.join(shotDir, `${name}.png`));

async function importFile(file: string) {
  await browser.execute((p: string) => (window as any).__tierbookTest.importPath(p), file);
  const go = await tid("btn-import");
  await go.waitForClickable({ timeout: 30_000 });
  await go.click();
  await tid("import-report").waitForDisplayed({ timeout: 60_000 });
}

describe("地区 and 同期群", () => {
  before(async () => {
    const shopFile = "地区测试.tierbook";
    const dataDir = process.env.TIERBOOK_DATA_DIR ?? "";
    const out = path.join(dataDir, "地区测试-分层.xlsx");
    execFileSync(
      process.env.TIERBOOK_CLI ?? "",
      ["classify", "--workspace", path.join(dataDir, shopFile), expected.half, expected.year, "--out", out],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    await browser.waitUntil(async () => browser.execute(() => Boolean((window as any).__tierbookTest)), {
      timeout: 30_000,
    });
    // The app may still be opening the large workspace an earlier spec left (the switch answers `busy`
    // meanwhile): try again until the switch is taken.
    let lastError = "";
    await browser.waitUntil(
      async () => {
        lastError = await browser.executeAsync((file: string, done: (error: string) => void) => {
          Promise.resolve((window as any).__tierbookTest.openShop(file)).then(
            () => done(""),
            (e: unknown) => done(JSON.stringify(e) || "failed"),
          );
        }, shopFile);
        if (lastError !== "") return false;
        // The UI ignores a switch while it is busy: done only when the header names this shop.
        const current = await browser.execute(
          () => document.querySelector('[data-testid="current-shop"]')?.textContent ?? "",
        );
        lastError = `the header shows ${current}`;
        return current.includes("地区测试");
      },
      { timeout: 60_000, interval: 1_000, timeoutMsg: `the shop ${shopFile} never opened: ${lastError}` },
    );
    // The first spec ends in English; these screenshots are for the Chinese screen.
    await tid("nav-settings").waitForDisplayed({ timeout: 30_000 });
    await tid("nav-settings").click();
    await tid("lang-zh").click();
    await browser.waitUntil(async () => (await tid("nav-regions").getText()).includes("地区"), { timeout: 10_000 });
    await tid("nav-regions").click();
    await browser.pause(500);
    if (!(await tid("region-table").isExisting())) {
      await tid("nav-import").click();
      await importFile(expected.half);
      await importFile(expected.year);
      await tid("nav-regions").click();
    }
  });

  it("shows the core's customers per province in the table and the chart", async () => {
    await tid("region-table").waitForDisplayed({ timeout: 30_000 });
    const shown: Record<string, number> = {};
    for (const row of await $$('[data-testid="region-row"]')) {
      const cells = await row.$$("td");
      shown[await cells[0].getText()] = Number((await cells[1].getText()).replace(/[^\d]/g, ""));
    }
    expect(shown).toEqual(expected.bothRegions);
    // ECharts drew into its canvas.
    await expect(tid("region-chart").$("canvas")).toBeExisting();
    await browser.pause(600);
    await shot("regions-1-tier-mix");
  });

  it("opens the cohort heat map and switches it to revenue per customer", async () => {
    await $(".n-tabs-tab*=同期群").click();
    await tid("cohort-heatmap").waitForDisplayed({ timeout: 20_000 });
    await expect(tid("cohort-heatmap").$("canvas")).toBeExisting();
    await browser.pause(600);
    await shot("regions-2-cohort-share");
    await $(".n-radio-button*=人均消费").click();
    await browser.pause(600);
    await shot("regions-3-cohort-revenue");
  });

  it("filters the customer list to one province", async () => {
    const [province, count] = Object.entries(expected.bothRegions).find(([p]) => p !== "未知") ?? ["", 0];
    await tid("nav-customers").click();
    await tid("filter-province").waitForDisplayed({ timeout: 20_000 });
    await tid("filter-province").click();
    const option = await $(`.n-base-select-option*=${province}（`);
    await option.waitForDisplayed();
    await option.click();
    const head = await $(".page.customers .page-head .sub");
    await browser.waitUntil(async () => (await head.getText()).replace(/,/g, "").includes(`显示 ${count} 位`), {
      timeout: 10_000,
      timeoutMsg: `the list never showed ${count} customers of ${province}`,
    });
    await browser.pause(300);
    await shot("regions-4-customers-filtered");
  });
});

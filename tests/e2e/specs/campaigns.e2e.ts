// Campaigns in the real window: import January of a shop, mark tier A as contacted with a 20 % holdout
// and a ¥20 cost, import February, open the campaign report and check it against the core's own report
// (`tierbook campaign report --json` on the app's workspace); the customer list shows each customer's
// previous tier. Screenshots in target/e2e-screenshots/ (campaigns-*.png) for a person to look at.
//
// Runs after app.e2e.ts in the same data folder: that workspace already holds another shop's 2025
// orders and two snapshots, so this spec's shop (its own seed, 2026) is added to it, and the tier
// history columns have earlier snapshots to show.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { $, $$, browser, expect } from "@wdio/globals";
import { shotDir } from "../wdio.conf.ts";

const fixtures = process.env.TIERBOOK_E2E_FIXTURES ?? "";
const cli = process.env.TIERBOOK_CLI ?? "";
const workspace = path.join(process.env.TIERBOOK_DATA_DIR ?? "", "workspace.tierbook");
const run = (args: string[]) => execFileSync(cli, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

const tid = (id: string) => $(`[data-testid="${id}"]`);
const shot = (name: string) => browser.saveScreenshot(path.join(shotDir, `campaigns-${name}.png`));
const digits = (s: string) => Number(s.replace(/[^\d.]/g, ""));

const shop = [
  "generate",
  "--layout",
  "wechat",
  "--orders",
  "1500",
  "--seed",
  "21",
  "--start",
  "2026-01-01",
  "--end",
  "2026-02-28",
];
const january = path.join(fixtures, "活动-一月.xlsx");
const february = path.join(fixtures, "活动-二月.xlsx");

async function importFile(file: string) {
  await tid("nav-import").click();
  await browser.execute((p: string) => (window as any).__tierbookTest.importPath(p), file);
  const go = await tid("btn-import");
  await go.waitForClickable({ timeout: 30_000 });
  await go.click();
  await tid("import-report").waitForDisplayed({ timeout: 60_000 });
}

describe("campaigns: contacted vs holdout after the next month's import", () => {
  before(() => {
    run([...shop, "--rows-to", "2026-01-31", "--out", january]);
    run([...shop, "--rows-from", "2026-02-01", "--out", february]);
  });

  it("starts in Chinese (the previous spec left English on)", async () => {
    await tid("nav-settings").waitForDisplayed({ timeout: 30_000 });
    // The window re-renders once the last session is loaded; a click on a node replaced meanwhile
    // fails as stale, so try until the navigation reads Chinese.
    await browser.waitUntil(
      async () => {
        try {
          await tid("nav-settings").click();
          await tid("lang-zh").click();
        } catch {
          return false;
        }
        return (await tid("nav-campaigns").getText()).includes("营销");
      },
      { timeout: 30_000, interval: 500, timeoutMsg: "the navigation did not switch to Chinese" },
    );
  });

  it("imports January and marks tier A as contacted with a 20 % holdout and a ¥20 coupon", async () => {
    await importFile(january);
    await tid("btn-view-tiers").click();
    const countA = digits(await tid("tier-count-A").getText());
    expect(countA).toBeGreaterThan(4);
    await tid("btn-tier-contacted-A").click();
    await tid("campaign-audience").waitForDisplayed();
    expect(await tid("campaign-audience").getText()).toContain("A类");
    await tid("campaign-name").$("input").setValue("一月A类回访");
    // WebDriver's clear() does not reach Vue's v-model; empty the field as a user would.
    const date = await tid("campaign-date").$("input");
    await date.click();
    await browser.keys(["Control", "a"]);
    await browser.keys("Backspace");
    await date.addValue("2026-01-31");
    expect(await date.getValue()).toBe("2026-01-31");
    await tid("campaign-cost").$("input").setValue("20");
    const held = Math.round(countA * 0.2);
    await browser.waitUntil(async () => (await tid("campaign-preview").getText()).includes(`留 ${held} 位`), {
      timeout: 5_000,
      timeoutMsg: `the preview does not hold out ${held}`,
    });
    await shot("01-form");
    await tid("campaign-create").click();
    await tid("campaign-item").waitForDisplayed({ timeout: 20_000 });
    expect(await tid("campaign-item").getText()).toContain("2026");
    await tid("campaign-item").waitForDisplayed({ timeout: 20_000 });
    await tid("campaign-report").waitForDisplayed({ timeout: 20_000 });
    expect(digits(await tid("report-customers-contacted").getText())).toBe(countA - held);
    expect(digits(await tid("report-customers-holdout").getText())).toBe(held);
    // Nothing after 31 January is imported yet: the conclusion says the window is not over.
    expect(await tid("campaign-conclusion").getText()).toContain("观察期");
    // The form closes once the campaign is stored.
    expect(await tid("campaign-form").isExisting()).toBe(false);
    await shot("02-created");
  });

  it("after February's import the report shows the core's figures", async () => {
    await importFile(february);
    await tid("nav-campaigns").click();
    // The <tr> itself is not "interactable" for WebKitWebDriver; its name cell is.
    await tid("campaign-item").$("td").click();
    await tid("campaign-report").waitForDisplayed({ timeout: 20_000 });
    const list = JSON.parse(run(["campaign", "list", "--workspace", workspace, "--json"]));
    const mine = list.find((c: { spec: { name: string } }) => c.spec.name === "一月A类回访");
    expect(mine.spec.date).toBe("2026-01-31");
    expect(mine.spec.cost_per_contact).toBe(2000);
    const core = JSON.parse(
      run(["campaign", "report", "--workspace", workspace, String(mine.id), "--days", "30", "--json"]),
    );
    await browser.waitUntil(
      async () => digits(await tid("report-buyers-contacted").getText()) === core.contacted.buyers,
      { timeout: 20_000, timeoutMsg: `the report never showed ${core.contacted.buyers} contacted buyers` },
    );
    expect(core.contacted.buyers).toBeGreaterThan(0);
    expect(digits(await tid("report-buyers-holdout").getText())).toBe(core.holdout.buyers);
    expect(digits(await tid("report-orders-contacted").getText())).toBe(core.contacted.orders);
    expect(digits(await tid("report-revenue-contacted").getText())).toBeCloseTo(core.contacted.revenue / 100, 2);
    expect(await tid("campaign-conclusion").getText()).toBe(core.conclusion.zh);
    await tid("campaign-report").scrollIntoView();
    await browser.pause(800); // the chart's entry animation
    await shot("03-report");
  });

  it("the customer list shows each customer's previous tier and can show only those who dropped", async () => {
    await tid("nav-customers").click();
    await tid("customer-row").waitForDisplayed({ timeout: 20_000 });
    await shot("04-customers-history");
    const filter = await tid("filter-dropped");
    if (await filter.isExisting()) {
      await filter.$(".n-switch").click();
      await browser.pause(300);
      const rows = await $$('[data-testid="customer-row"]');
      expect(rows.length).toBeGreaterThan(0);
      await shot("05-customers-dropped");
    }
  });
});

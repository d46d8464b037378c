// 本周该联系 in the real window: import the built-in sample, open the contact list, check it against the
// project's own CLI on the same workspace (`tierbook contacts --workspace … --json`: who is on the list
// depends on the purchase rhythm, the period and the saved ratios, not on the tier method), switch the
// period, and open a customer's rhythm in the customers drawer. Screenshots go to target/e2e-screenshots/.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { $, $$, browser, expect } from "@wdio/globals";
import { shotDir } from "../wdio.conf.ts";

const tid = (id: string) => $(`[data-testid="${id}"]`);
const shot = (name: string) => browser.saveScreenshot(path.join(shotDir, `${name}.png`));
const num = async (id: string) => Number((await tid(id).getText()).replace(/[^\d]/g, ""));

/** The CLI's contact list of the app's own workspace. */
function cliContacts(period: string): { contacts: { key: string }[] } {
  const cli = process.env.TIERBOOK_CLI ?? "";
  const workspace = path.join(process.env.TIERBOOK_DATA_DIR ?? "", "workspace.tierbook");
  return JSON.parse(
    execFileSync(cli, ["contacts", "--workspace", workspace, "--period", period, "--json"], { encoding: "utf8" }),
  );
}

describe("本周该联系 — the contact list", () => {
  it("imports the sample and opens the contact list the CLI gives for the same workspace", async () => {
    await tid("nav-import").waitForDisplayed({ timeout: 30_000 });
    // Another spec may have left the app in English with data: the start-up may still move to the tiers
    // screen after the first paint, so go to settings, choose Chinese, then open the import screen.
    // The switch may come between finding 中文 and clicking it: try both until the navigation reads Chinese.
    await browser.waitUntil(
      async () => {
        try {
          await tid("nav-settings").click();
          await tid("lang-zh").click();
          return (await tid("nav-contacts").getText()).includes("本周该联系");
        } catch {
          return false;
        }
      },
      { timeout: 30_000, interval: 500, timeoutMsg: "the navigation did not switch to Chinese" },
    );
    await tid("nav-import").click();
    const sample = await tid("btn-sample");
    await sample.waitForClickable({ timeout: 30_000 });
    await sample.click();
    // The sample import ends on the tiers screen.
    await browser.waitUntil(async () => (await tid("nav-tiers").getAttribute("aria-current")) === "page", {
      timeout: 60_000,
      timeoutMsg: "the sample import never reached the tiers screen",
    });

    await tid("nav-contacts").click();
    await tid("contacts-table").waitForDisplayed();
    await browser.waitUntil(async () => (await $$('[data-testid="contact-row"]')).length > 0, {
      timeout: 20_000,
      timeoutMsg: "no customer on this week's contact list",
    });
    const want = cliContacts("week").contacts.length;
    expect(want).toBeGreaterThan(0);
    expect(await num("contacts-total")).toBe(want);
    expect(await tid("contacts-sub").getText()).toContain(String(want));
    // Ranked tier first: the first row is the best tier on the list.
    const firstTier = await $('[data-testid="contact-row"] .tier-badge').getText();
    expect(["A", "B", "C", "D"]).toContain(firstTier);
    await browser.pause(400);
    await shot("contacts-01-this-week");
  });

  it("holds more customers for this month than for this week", async () => {
    const week = await num("contacts-total");
    await tid("period-month").click();
    const want = cliContacts("month").contacts.length;
    await browser.waitUntil(async () => (await num("contacts-total")) === want, {
      timeout: 20_000,
      timeoutMsg: `the month list never showed the CLI's ${want} customers`,
    });
    expect(want).toBeGreaterThan(week);
    await browser.pause(400);
    await shot("contacts-02-this-month");
    await tid("period-week").click();
  });

  it("shows a customer's purchase rhythm in the customers drawer", async () => {
    await tid("nav-customers").click();
    const row = await $('[data-testid="customer-row"]');
    await row.waitForDisplayed({ timeout: 20_000 });
    // The <tr> itself is not "interactable" for WebKitWebDriver; its first cell is.
    await row.$("td").click();
    await tid("drawer-name").waitForDisplayed({ timeout: 20_000 });
    const rhythm = await tid("drawer-rhythm");
    await rhythm.waitForDisplayed();
    await browser.waitUntil(async () => (await rhythm.getText()).includes("回购节奏"), { timeout: 10_000 });
    expect(await rhythm.getText()).toMatch(/天买一次|无法估计/);
    await browser.pause(800); // the drawer slides in
    await shot("contacts-03-drawer-rhythm");
    await browser.keys("Escape");
  });
});

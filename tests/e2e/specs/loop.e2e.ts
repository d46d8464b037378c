// From the contact list to the campaign report in the real window (issue 11's joint bar): a new shop
// imports its March export, opens 本周该联系, keeps the 该联系了 customers of tier A, marks exactly those
// rows as contacted with a 20 % holdout and a ¥20 coupon, imports April, and opens the campaign report.
// Who is on the list and every figure of the report are checked against the project's CLI on the app's
// own workspace (`tierbook contacts` and `tierbook campaign report --json`), never against numbers typed
// here. Screenshots: target/e2e-screenshots/loop-*.png, one per step, for a person to look at.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { $, $$, browser, expect } from "@wdio/globals";
import { shotDir } from "../wdio.conf.ts";

const fixtures = process.env.TIERBOOK_E2E_FIXTURES ?? "";
const cli = process.env.TIERBOOK_CLI ?? "";
const { loop }: { loop: { march: string; april: string } } = JSON.parse(
  fs.readFileSync(path.join(fixtures, "expected.json"), "utf8"),
);
const SHOP = "回访测试店";
const workspace = path.join(process.env.TIERBOOK_DATA_DIR ?? "", `${SHOP}.tierbook`);
const NAME = "三月A类回访";

const run = (args: string[]) => execFileSync(cli, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
const tid = (id: string) => $(`[data-testid="${id}"]`);
const shot = (name: string) => browser.saveScreenshot(path.join(shotDir, `loop-${name}.png`));
const digits = (s: string) => Number(s.replace(/[^\d.]/g, ""));
/** An element's text content (WebDriver's visible text is empty for the sidebar's foot). */
const content = async (id: string) =>
  String(
    await browser.execute((sel: string) => document.querySelector(sel)?.textContent ?? "", `[data-testid="${id}"]`),
  );

interface CliContact {
  key: string;
  tier: string;
  state: string;
}
/** This week's contact list of the shop's workspace, as the CLI gives it. */
const cliContacts = (): { as_of: string; contacts: CliContact[] } =>
  JSON.parse(run(["contacts", "--workspace", workspace, "--period", "week", "--json"]));

async function importFile(file: string) {
  await tid("nav-import").click();
  await browser.execute((p: string) => (window as any).__tierbookTest.importPath(p), file);
  const go = await tid("btn-import");
  await go.waitForClickable({ timeout: 30_000 });
  await go.click();
  await tid("import-report").waitForDisplayed({ timeout: 60_000 });
}

/** Picks the option of a Naive UI multiple select whose text starts with `label`, then closes the menu. */
async function pick(select: string, label: string) {
  await tid(select).click();
  const option = await $(`.n-base-select-option*=${label}`);
  await option.waitForDisplayed({ timeout: 5_000 });
  await option.click();
  // A multiple select stays open after a pick: a click on the page's title closes it.
  await $("h1").click();
  await $(".n-base-select-menu").waitForDisplayed({ reverse: true, timeout: 5_000 });
}

describe("the action loop: contact list → campaign with a holdout → next month → report", () => {
  let audience: CliContact[] = [];
  let held = 0;

  it("opens a new shop in Chinese and imports March", async () => {
    await tid("nav-settings").waitForDisplayed({ timeout: 30_000 });
    // The window re-renders once the last session is loaded; a click on a node replaced meanwhile
    // fails as stale, so try until the settings screen stays in Chinese.
    await browser
      .waitUntil(
        async () => {
          try {
            await tid("nav-settings").click();
            await tid("lang-zh").click();
            return (await content("nav-contacts")).includes("本周该联系") && (await tid("btn-new-shop").isDisplayed());
          } catch {
            return false;
          }
        },
        { timeout: 30_000, interval: 500, timeoutMsg: "the settings screen never stayed open in Chinese" },
      )
      .catch(async (e) => {
        await shot("00-start-failed");
        throw e;
      });
    await tid("btn-new-shop").click();
    const input = await tid("shop-name-input").$("input");
    await input.waitForDisplayed();
    await input.setValue(SHOP);
    await tid("btn-confirm-shop-name").click();
    await tid(`shop-row-${SHOP}.tierbook`).waitForDisplayed({ timeout: 10_000 });
    await $(".n-modal-mask").waitForExist({ reverse: true, timeout: 10_000 });
    await tid(`btn-switch-${SHOP}.tierbook`).click();
    // The switcher's text content (what is shown may be cut off with an ellipsis) and the window title.
    await browser.waitUntil(async () => (await content("current-shop")).includes(SHOP), {
      timeout: 20_000,
      timeoutMsg: `the shop ${SHOP} never opened`,
    });
    // A new shop holds nothing, and the sidebar says so.
    expect(await content("open-file")).toContain("尚未导入数据");

    await importFile(loop.march);
    // With data on screen the sidebar names the file, not "no data yet".
    await browser.waitUntil(async () => (await content("open-file")).includes("三月"), {
      timeout: 10_000,
      timeoutMsg: "the sidebar does not name the imported file",
    });
  });

  it("keeps the 该联系了 customers of tier A on this week's contact list", async () => {
    await tid("nav-contacts").click();
    await tid("contacts-table").waitForDisplayed();
    await browser.waitUntil(async () => (await $$('[data-testid="contact-row"]')).length > 0, {
      timeout: 20_000,
      timeoutMsg: "nobody on this week's contact list",
    });
    const list = cliContacts();
    expect(digits(await tid("contacts-total").getText())).toBe(list.contacts.length);
    await browser.pause(400); // the virtual table paints its rows
    await shot("01-contacts");

    audience = list.contacts.filter((c) => c.tier === "A" && c.state === "Due");
    // Enough for a holdout of at least one: the fixture is chosen so that the loop means something.
    expect(audience.length).toBeGreaterThanOrEqual(5);
    expect(list.contacts.length).toBeGreaterThan(audience.length);
    await pick("contacts-filter-tier", "A 类");
    await pick("contacts-filter-state", "该联系了");
    await browser.waitUntil(async () => digits(await tid("contacts-mark").getText()) === audience.length, {
      timeout: 10_000,
      timeoutMsg: `「标记为已联系」 never counted the CLI's ${audience.length} customers`,
    });
    // The rows on screen (the table renders the first ones) are A, 该联系了, and on the CLI's list in its order.
    const rows = await $$('[data-testid="contact-row"]');
    const keys: string[] = [];
    for (const row of rows) keys.push(await row.getAttribute("data-key"));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys).toEqual(audience.slice(0, keys.length).map((c) => c.key));
    await browser.pause(300);
    await shot("02-contacts-a-due");
  });

  it("marks exactly those rows as contacted with a 20 % holdout, dated the list's first day", async () => {
    const asOf = cliContacts().as_of;
    await tid("contacts-mark").click();
    await tid("campaign-form").waitForDisplayed({ timeout: 10_000 });
    const words = await tid("campaign-audience").getText();
    expect(words).toContain("A 类");
    expect(words).toContain("该联系了");
    expect(digits(words.replace(/^\D*?(\d[\d,]*)\s*位.*$/, "$1"))).toBe(audience.length);
    expect(await tid("campaign-date").$("input").getValue()).toBe(asOf);
    await tid("campaign-name").$("input").setValue(NAME);
    await tid("campaign-cost").$("input").setValue("20");
    held = Math.round(audience.length * 0.2);
    await browser.waitUntil(async () => (await tid("campaign-preview").getText()).includes(`留 ${held} 位`), {
      timeout: 5_000,
      timeoutMsg: `the preview does not hold out ${held}`,
    });
    await shot("03-campaign-form");
    await tid("campaign-create").click();
    await tid("campaign-report").waitForDisplayed({ timeout: 20_000 });
    expect(digits(await tid("report-customers-contacted").getText())).toBe(audience.length - held);
    expect(digits(await tid("report-customers-holdout").getText())).toBe(held);
    // Nothing after 31 March is imported yet: the report says the window is not over.
    expect(await tid("campaign-conclusion").getText()).toContain("观察期");
    const stored = JSON.parse(run(["campaign", "list", "--workspace", workspace, "--json"]));
    expect(stored).toHaveLength(1);
    expect(stored[0].spec).toMatchObject({ name: NAME, date: asOf, cost_per_contact: 2000, holdout_share: 0.2 });
    expect(stored[0].spec.audience).toContain("该联系了");
    expect(stored[0].contacted + stored[0].holdout).toBe(audience.length);
    await browser.pause(500);
    await shot("04-campaign-created");
  });

  it("after April's import the report shows the core's figures", async () => {
    await importFile(loop.april);
    await tid("nav-campaigns").click();
    // The <tr> itself is not "interactable" for WebKitWebDriver; its name cell is.
    await tid("campaign-item").$("td").click();
    await tid("campaign-report").waitForDisplayed({ timeout: 20_000 });
    const [mine] = JSON.parse(run(["campaign", "list", "--workspace", workspace, "--json"]));
    const core = JSON.parse(run(["campaign", "report", "--workspace", workspace, String(mine.id), "--json"]));
    expect(core.window_complete).toBe(true);
    expect(core.contacted.customers).toBe(audience.length - held);
    expect(core.holdout.customers).toBe(held);
    expect(core.contacted.buyers).toBeGreaterThan(0);
    await browser.waitUntil(
      async () => digits(await tid("report-buyers-contacted").getText()) === core.contacted.buyers,
      { timeout: 20_000, timeoutMsg: `the report never showed ${core.contacted.buyers} contacted buyers` },
    );
    for (const group of ["contacted", "holdout"] as const) {
      const g = core[group];
      expect(digits(await tid(`report-customers-${group}`).getText())).toBe(g.customers);
      expect(digits(await tid(`report-buyers-${group}`).getText())).toBe(g.buyers);
      expect(digits(await tid(`report-orders-${group}`).getText())).toBe(g.orders);
      expect(digits(await tid(`report-revenue-${group}`).getText())).toBeCloseTo(g.revenue / 100, 2);
      expect(digits(await tid(`report-rate-${group}`).getText())).toBeCloseTo(g.repurchase_rate * 100, 1);
    }
    expect(await tid("campaign-conclusion").getText()).toBe(core.conclusion.zh);
    await tid("campaign-report").scrollIntoView();
    await browser.pause(800); // the chart's entry animation
    await shot("05-campaign-report");
  });
});

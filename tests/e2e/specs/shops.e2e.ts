// More than one shop (店铺) in the real window: the first shop's tiers are noted, a second shop is created
// in 设置 → 店铺 and opened (empty: its own imports, its own settings), a generated export is imported into
// it, then the first shop is opened again from the navigation's switcher and shows exactly what it showed
// before. The open shop is backed up and restored as a third shop through the UI's test hook (the save
// and open dialogs are native and cannot be driven through WebDriver), and the restored shop shows the
// same tiers. Screenshots go to target/e2e-screenshots/shops-*.png for a person to look at.
//
// The data folder is shared with app.e2e.ts (which may have run first and left the first shop in English
// with two imports): this spec makes no assumption about it beyond what it reads on screen.
import fs from "node:fs";
import path from "node:path";
import { $, $$, browser, expect } from "@wdio/globals";
import { shotDir } from "../wdio.conf.ts";

const fixtures = process.env.TIERBOOK_E2E_FIXTURES ?? "";
const expected: { half: string; year: string; halfAbc: Record<string, number> } = JSON.parse(
  fs.readFileSync(path.join(fixtures, "expected.json"), "utf8"),
);

const tid = (id: string) => $(`[data-testid="${id}"]`);
const shot = (name: string) => browser.saveScreenshot(path.join(shotDir, `shops-${name}.png`));

/** Calls one of the UI's async test hooks (window.__tierbookTest) and returns its result. */
async function hook<T>(name: string, ...args: unknown[]): Promise<T> {
  const result = await browser.executeAsync(
    (hookName: string, hookArgs: unknown[], done: (r: unknown) => void) => {
      const hooks = (window as any).__tierbookTest;
      Promise.resolve(hooks[hookName](...hookArgs)).then(
        (value: unknown) => done({ value }),
        (error: unknown) => done({ error: JSON.stringify(error) }),
      );
    },
    name,
    args,
  );
  const { value, error } = result as { value?: T; error?: string };
  if (error) throw new Error(`${name} failed: ${error}`);
  return value as T;
}

async function tierCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const el of await $$('[data-testid^="tier-count-"]')) {
    const id = (await el.getAttribute("data-testid")) ?? "";
    out[id.replace("tier-count-", "")] = Number((await el.getText()).replace(/[^\d]/g, ""));
  }
  return out;
}

/** Opens 分层 and waits until the tier cards show `want` (the view loads asynchronously). */
async function expectTiers(want: Record<string, number>) {
  await tid("nav-tiers").click();
  await browser.waitUntil(async () => JSON.stringify(await tierCounts()) === JSON.stringify(want), {
    timeout: 20_000,
    timeoutMsg: `tier cards never showed ${JSON.stringify(want)}`,
  });
}

async function importFile(file: string) {
  await browser.execute((p: string) => (window as any).__tierbookTest.importPath(p), file);
  const go = await tid("btn-import");
  await go.waitForClickable({ timeout: 30_000 });
  await go.click();
  await tid("import-report").waitForDisplayed({ timeout: 60_000 });
}

/** The shop the navigation's switcher names (its text content: the name may be cut off with an ellipsis). */
async function currentShop(): Promise<string> {
  const text = await browser.execute(() => document.querySelector('[data-testid="current-shop"]')?.textContent ?? "");
  return String(text).trim();
}

/** Waits until the switcher and the window title name the shop `name` (the window reloads the shop's
 *  data after the switch, and sets the title when done). */
async function waitForShop(name: string) {
  await browser.waitUntil(async () => (await currentShop()) === name && (await browser.getTitle()).includes(name), {
    timeout: 20_000,
    timeoutMsg: `the navigation and the title never showed the shop “${name}”`,
  });
}

const SECOND = "抖音小店";
const SECOND_FILE = `${SECOND}.tierbook`;
let firstName = "";
let firstFile = "";
let firstTiers: Record<string, number> = {};

describe("More than one shop", () => {
  it("shows the open shop in the navigation and lists it in 设置 → 店铺", async () => {
    await tid("nav-settings").waitForDisplayed({ timeout: 30_000 });
    // The window has finished loading the open shop (and may have moved to 分层) once its test hook
    // exists: App.vue installs it after boot().
    await browser.waitUntil(async () => browser.execute(() => Boolean((window as any).__tierbookTest)), {
      timeout: 30_000,
      timeoutMsg: "the window never finished loading",
    });
    await tid("nav-settings").click();
    await tid("lang-zh").click();
    await tid("shops-panel").waitForDisplayed();
    firstName = await currentShop();
    for (const row of await $$('[data-testid^="shop-row-"]')) {
      if (await row.$('[data-testid="shop-current"]').isExisting())
        firstFile = ((await row.getAttribute("data-testid")) ?? "").replace("shop-row-", "");
    }
    expect(firstFile).toMatch(/\.tierbook$/);
    // The first shop needs data to tell the two apart: import the year's export when it has none.
    await tid("nav-tiers").click();
    if (!(await tid("tier-count-A").isExisting())) {
      await importFile(expected.year);
      await tid("btn-view-tiers").click();
      await tid("tier-count-A").waitForDisplayed({ timeout: 20_000 });
    }
    await browser.pause(500);
    firstTiers = await tierCounts();
    expect(Object.values(firstTiers).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    await tid("nav-settings").click();
    await shot("01-settings-one-shop");
  });

  it("creates a second shop and opens it: empty, with its own imports", async () => {
    await tid("btn-new-shop").click();
    const input = await tid("shop-name-input").$("input");
    await input.waitForDisplayed();
    await input.setValue(SECOND);
    await shot("02-new-shop-dialog");
    await tid("btn-confirm-shop-name").click();
    await tid(`shop-row-${SECOND_FILE}`).waitForDisplayed({ timeout: 10_000 });
    // Let the dialog finish closing: its fading mask would take the next click.
    await $(".n-modal-mask").waitForExist({ reverse: true, timeout: 10_000 });
    await shot("03-two-shops");

    await tid(`btn-switch-${SECOND_FILE}`).click();
    await waitForShop(SECOND);
    // A new shop holds nothing: the import screen, no tiers.
    await tid("nav-import").waitForDisplayed();
    await tid("nav-tiers").click();
    expect(await tid("tier-count-A").isExisting()).toBe(false);
    await tid("nav-import").click();
    await browser.pause(500);
    await shot("04-second-shop-empty");

    await importFile(expected.half);
    await tid("btn-view-tiers").click();
    await expectTiers(expected.halfAbc);
    await browser.pause(800);
    await shot("05-second-shop-tiers");
  });

  it("switches back to the first shop from the navigation, which shows what it showed before", async () => {
    await tid("shop-switcher").click();
    const entry = await tid(`switch-to-${firstFile}`);
    await entry.waitForDisplayed();
    await browser.pause(500); // the menu fades in
    await shot("06-switcher-menu");
    await entry.click();
    await waitForShop(firstName);
    await expectTiers(firstTiers);
    await browser.pause(800);
    await shot("07-back-to-first-shop");

    // And to the second again: its own data, not the first's.
    await tid("shop-switcher").click();
    await tid(`switch-to-${SECOND_FILE}`).click();
    await waitForShop(SECOND);
    await expectTiers(expected.halfAbc);
  });

  it("backs the open shop up and restores it as a third shop with the same tiers", async () => {
    const backup = path.join(fixtures, "抖音小店-备份.tierbook");
    fs.rmSync(backup, { force: true });
    await hook<string>("backupShopTo", backup);
    expect(fs.statSync(backup).size).toBeGreaterThan(0);
    const restored = await hook<string>("restoreShopFrom", backup, "抖音小店-恢复");
    await tid("nav-settings").click();
    await tid(`shop-row-${restored}`).waitForDisplayed({ timeout: 10_000 });
    await browser.pause(300);
    await shot("08-restored-third-shop");
    await hook<boolean>("openShop", restored);
    await waitForShop("抖音小店-恢复");
    await expectTiers(expected.halfAbc);
    await browser.pause(800);
    await shot("09-restored-shop-tiers");
  });

  it("refuses a file that is not a backup, in Chinese, and changes nothing", async () => {
    const notBackup = path.join(fixtures, "expected.json");
    const error = await browser.executeAsync((p: string, done: (r: string) => void) => {
      (window as any).__tierbookTest.restoreShopFrom(p, "不该出现").then(
        () => done("restored"),
        (e: { code?: string; message?: string }) => done(`${e.code}|${e.message}`),
      );
    }, notBackup);
    expect(error).toMatch(/^not_a_backup\|.*不是 TierBook 备份文件/);
    await tid("nav-settings").click();
    expect(await tid("shop-row-不该出现.tierbook").isExisting()).toBe(false);
  });
});

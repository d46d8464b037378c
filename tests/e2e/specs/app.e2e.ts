// The real TierBook window, driven like a user: import a generated export, check the tier counts against
// the core's CLI, switch method, open a customer, export and read the workbook back, save two snapshots
// across two imports and look at the history, switch the language. A screenshot per screen goes into
// target/e2e-screenshots/ for a person to look at.
//
// Files are chosen through the UI's test hook (window.__tierbookTest, installed only when the app runs
// with TIERBOOK_E2E=1): it hands a path to the same code a drag-and-drop uses, because WebDriver cannot
// drive the native file dialogs.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { $, $$, browser, expect } from "@wdio/globals";
import { shotDir } from "../wdio.conf.ts";

interface Expected {
  half: string;
  year: string;
  exportPath: string;
  halfAbc: Record<string, number>;
  halfCube: Record<string, number>;
  halfSegments: Record<string, number>;
  halfSegmentCounts: Record<string, number>;
  bothCube: Record<string, number>;
  halfScoreNotes: string[];
}
const expected: Expected = JSON.parse(
  fs.readFileSync(path.join(process.env.TIERBOOK_E2E_FIXTURES ?? "", "expected.json"), "utf8"),
);

const tid = (id: string) => $(`[data-testid="${id}"]`);
/** Screens whose page (the scrolling main area) was wider than the window when photographed. */
const sideways: string[] = [];
async function shot(name: string) {
  await browser.saveScreenshot(path.join(shotDir, `${name}.png`));
  // A page-level horizontal scrollbar means something does not wrap or fit; wide tables scroll
  // inside their own box instead.
  const over = await browser.execute(() => {
    const main = document.querySelector(".main");
    return main ? main.scrollWidth - main.clientWidth : 0;
  });
  if (over > 1) sideways.push(`${name} (+${over}px)`);
}
/** Waits until the element's bounding rect is the same on two reads 150 ms apart (an open/slide
 *  animation has finished) and lies horizontally inside the window. */
async function waitForStableOnScreen(selector: string) {
  const rect = () =>
    browser.execute((sel: string) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return {
        x: Math.round(r.left),
        y: Math.round(r.top),
        w: Math.round(r.width),
        h: Math.round(r.height),
        vw: window.innerWidth,
      };
    }, selector);
  let last = JSON.stringify(await rect());
  await browser.waitUntil(
    async () => {
      await browser.pause(150);
      const now = await rect();
      const same = JSON.stringify(now) === last;
      last = JSON.stringify(now);
      return same && now !== null && now.w > 0 && now.x >= 0 && now.x + now.w <= now.vw;
    },
    { timeout: 10_000, timeoutMsg: `${selector} did not come to rest inside the window` },
  );
}
/** "1,234" → 1234 */
const num = async (id: string) => Number((await tid(id).getText()).replace(/[^\d.]/g, ""));

async function tierCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const el of await $$('[data-testid^="tier-count-"]')) {
    const id = (await el.getAttribute("data-testid")) ?? "";
    out[id.replace("tier-count-", "")] = Number((await el.getText()).replace(/[^\d]/g, ""));
  }
  return out;
}

/** Waits until the tier cards show `want` (re-tiering is asynchronous), then checks them exactly. */
async function expectTierCounts(want: Record<string, number>) {
  await browser.waitUntil(async () => JSON.stringify(await tierCounts()) === JSON.stringify(want), {
    timeout: 20_000,
    timeoutMsg: `tier cards never showed ${JSON.stringify(want)}`,
  });
  expect(await tierCounts()).toEqual(want);
}

async function importFile(file: string) {
  await browser.execute((p: string) => (window as any).__tierbookTest.importPath(p), file);
  const go = await tid("btn-import");
  await go.waitForClickable({ timeout: 30_000 });
  await shot(`import-preview-${path.basename(file, ".xlsx")}`);
  await go.click();
  await tid("import-report").waitForDisplayed({ timeout: 60_000 });
}

async function chooseOption(selectId: string, label: string) {
  await tid(selectId).click();
  const option = await $(`.n-base-select-option*=${label}`);
  await option.waitForDisplayed();
  await option.click();
}

async function saveSnapshot(label: string) {
  await tid("nav-tiers").click();
  await tid("btn-save-snapshot").click();
  const input = await tid("snapshot-label").$("input");
  await input.waitForDisplayed();
  await input.setValue(label);
  await tid("btn-confirm-snapshot").click();
  // The history screen later checks that both snapshots were saved; here only let the save finish.
  await browser.waitUntil(async () => !(await tid("btn-confirm-snapshot").getAttribute("class"))?.includes("loading"), {
    timeout: 15_000,
  });
  await browser.keys("Escape");
}

/** Sheet names of an xlsx, read with Python's zipfile (no spreadsheet library involved). */
function sheetNames(file: string): string[] {
  const script =
    "import re,sys,zipfile;x=zipfile.ZipFile(sys.argv[1]).read('xl/workbook.xml').decode();" +
    "print('\\n'.join(re.findall(r'<sheet [^>]*name=\"([^\"]+)\"',x)))";
  return execFileSync("python3", ["-c", script, file], { encoding: "utf8" }).trim().split("\n");
}

describe("TierBook in its real window", () => {
  it("starts on the import screen with Chinese text and the sample offer", async () => {
    await tid("nav-import").waitForDisplayed({ timeout: 30_000 });
    await tid("btn-sample").waitForDisplayed();
    expect(await browser.getTitle()).toMatch(/TierBook|客户分层/);
    await shot("01-start-import");
  });

  it("imports a generated 微信小店 export and shows the core's tier counts", async () => {
    await importFile(expected.half);
    await shot("02-import-report");
    await tid("btn-view-tiers").click();
    await expectTierCounts(expected.halfAbc);
    const total = Object.values(expected.halfAbc).reduce((a, b) => a + b, 0);
    expect(await num("kpi-customers")).toBe(total);
    // ABC does not tier by the R/F/M scores: how F fell back is no note on its tiers (the drawer says it).
    expect(expected.halfScoreNotes.length).toBeGreaterThan(0);
    const tierNotes = (await tid("tier-notes").isExisting()) ? await tid("tier-notes").getText() : "";
    for (const note of expected.halfScoreNotes) expect(tierNotes).not.toContain(note);
    await tid("pareto-chart").waitForDisplayed();
    await browser.pause(800); // let the charts finish their entry animation for the screenshot
    await shot("03-tiers-abc");
  });

  it("re-tiers when the method changes, to the core's RFM 8-type counts", async () => {
    await chooseOption("method-select", "RFM 八类");
    await expectTierCounts(expected.halfCube);
    expect(await tierCounts()).not.toEqual(expected.halfAbc);
    await browser.pause(800);
    await shot("04-tiers-rfm-cube");
  });

  it("with RFM named segments, shows the CLI's customers per segment and per tier", async () => {
    await chooseOption("method-select", "RFM 命名分群");
    await expectTierCounts(expected.halfSegments);
    const segmentCounts = async () => {
      const out: Record<string, number> = {};
      for (const el of await $$('[data-testid^="segment-count-"]')) {
        const n = Number((await el.getText()).replace(/[^\d]/g, ""));
        if (n > 0) out[((await el.getAttribute("data-testid")) ?? "").replace("segment-count-", "")] = n;
      }
      return out;
    };
    const sorted = (o: Record<string, number>) => JSON.stringify(Object.entries(o).sort());
    await browser.waitUntil(async () => sorted(await segmentCounts()) === sorted(expected.halfSegmentCounts), {
      timeout: 20_000,
      timeoutMsg: `segment counts never showed ${JSON.stringify(expected.halfSegmentCounts)}`,
    });
    await browser.pause(800);
    await shot("04b-tiers-rfm-segments");
    // Back to the 8 types, which the later tests (history) expect.
    await chooseOption("method-select", "RFM 八类");
    await expectTierCounts(expected.halfCube);
  });

  it("lists every customer and opens one's details", async () => {
    await tid("nav-customers").click();
    const row = await tid("customer-row");
    await row.waitForDisplayed({ timeout: 20_000 });
    await shot("05-customers");
    // The <tr> itself is not "interactable" for WebKitWebDriver; its name cell is.
    await row.$("td").click();
    await tid("customer-drawer").waitForDisplayed();
    // "Displayed" is true as soon as the drawer is in the DOM, even while it still slides in from
    // off-screen; wait for the loaded content and for the panel to stand still inside the window.
    await tid("drawer-name").waitForDisplayed({ timeout: 20_000 });
    await waitForStableOnScreen('[data-testid="customer-drawer"]');
    const drawer = await tid("customer-drawer").getText();
    expect(drawer).toMatch(/类/); // the tier and the reason are shown
    expect(await tid("drawer-name").getText()).not.toBe("");
    // How the scores fell back, as the core says, beside the customer's R/F/M scores.
    const scoreNotes = await tid("drawer-score-notes").getText();
    for (const note of expected.halfScoreNotes) expect(scoreNotes).toContain(note);
    await shot("06-customer-detail");
    await browser.keys("Escape");
  });

  it("exports the tiered workbook, which has the tier sheets", async () => {
    fs.rmSync(expected.exportPath, { force: true });
    await browser.execute((p: string) => (window as any).__tierbookTest.exportTo(p), expected.exportPath);
    await tid("export-done").waitForDisplayed({ timeout: 60_000 });
    expect(await tid("export-path").getText()).toContain(path.basename(expected.exportPath));
    await shot("07-export-done");
    expect(fs.existsSync(expected.exportPath)).toBe(true);
    const sheets = sheetNames(expected.exportPath);
    for (const tier of Object.keys(expected.halfCube).filter((t) => expected.halfCube[t] > 0)) {
      expect(sheets).toContain(`${tier}类客户`);
    }
  });

  it("keeps history: two imports, two snapshots, and the Sankey between them", async () => {
    // RFM 八类 (still chosen from the method test) has segments, so history can show both views.
    await tid("nav-tiers").click();
    await expectTierCounts(expected.halfCube);
    await saveSnapshot("上半年");
    await tid("nav-import").click();
    await importFile(expected.year);
    await shot("08-second-import-report");
    await tid("btn-view-tiers").click();
    await expectTierCounts(expected.bothCube);
    await saveSnapshot("全年");
    await tid("nav-history").click();
    await browser.waitUntil(async () => (await $$('[data-testid="snapshot-item"]')).length === 2, {
      timeout: 20_000,
      timeoutMsg: "the history does not list the two snapshots",
    });
    await tid("sankey-chart").waitForDisplayed({ timeout: 20_000 });
    await tid("migration-matrix").waitForDisplayed();
    await browser.pause(800);
    await shot("09-history-sankey");
    // The same comparison by RFM segment: its own Sankey and segment × segment matrix.
    await tid("view-by-segment").click();
    await tid("segment-sankey-chart").waitForDisplayed({ timeout: 20_000 });
    await tid("segment-matrix").waitForDisplayed();
    await browser.pause(800);
    await shot("09b-history-segments");
    await tid("view-by-tier").click();
    await tid("sankey-chart").waitForDisplayed({ timeout: 20_000 });
  });

  it("switches the language to English", async () => {
    await tid("nav-settings").click();
    await tid("lang-en").waitForDisplayed();
    await shot("10-settings");
    await tid("lang-en").click();
    await browser.waitUntil(async () => /Tiers|Customers/.test(await tid("nav-tiers").getText()), {
      timeout: 10_000,
      timeoutMsg: "the navigation did not switch to English",
    });
    await tid("nav-tiers").click();
    await tid("tier-count-A").waitForDisplayed();
    // The segment → tier selects follow the language too (they kept "A 类").
    const segmentTiers = await browser.execute(() =>
      Array.from(document.querySelectorAll('[data-testid="segment-tiers"] .n-base-selection'))
        .map((e) => e.textContent ?? "")
        .join("|"),
    );
    expect(segmentTiers).toContain("Tier A");
    expect(segmentTiers).not.toContain("类");
    await browser.pause(800);
    await shot("11-tiers-english");
  });

  it("never needs a page-level horizontal scrollbar", () => {
    expect(sideways).toEqual([]);
  });
});
